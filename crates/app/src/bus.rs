//! Realtime fan-out. Notices raised in committed transactions reach every subscriber of
//! every instance: in-process on SQLite, through PostgreSQL LISTEN/NOTIFY across instances.
//! Notices carry ids only; whoever delivers one to a client loads what that client may see.

use crate::App;
use std::time::Duration;
use tokio::sync::broadcast;
use townsquare_store::{postgres::parse_notice, Notice, NOTIFY_CHANNEL};

/// Topic of the notice sent to clients after the listener reconnected: they may have missed
/// notices and should reload.
pub const RESYNC_TOPIC: &str = "system:resync";

#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Notice>,
}

impl Default for Bus {
    fn default() -> Self {
        Self::new()
    }
}

impl Bus {
    pub fn new() -> Bus {
        let (sender, _) = broadcast::channel(1024);
        Bus { sender }
    }

    /// Delivers a notice to this process's subscribers.
    pub fn publish(&self, notice: Notice) {
        // No subscriber is not an error: nobody is watching right now.
        let _ = self.sender.send(notice);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.sender.subscribe()
    }
}

impl App {
    /// On PostgreSQL, relays NOTIFY messages from every instance into this process's bus,
    /// reconnecting with backoff. On SQLite there is nothing to listen to.
    pub async fn run_listener(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let Some(pool) = self.db().postgres_pool().cloned() else {
            return;
        };
        let mut backoff = Duration::from_millis(200);
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "realtime listener: connect failed, retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.changed() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            if let Err(e) = listener.listen(NOTIFY_CHANNEL).await {
                tracing::warn!(error = %e, "realtime listener: LISTEN failed");
                continue;
            }
            backoff = Duration::from_millis(200);
            loop {
                tokio::select! {
                    message = listener.try_recv() => match message {
                        Ok(Some(n)) => {
                            if let Some(notice) = parse_notice(n.payload()) {
                                self.bus().publish(notice);
                            }
                        }
                        Ok(None) | Err(_) => {
                            // The connection dropped: clients may have missed notices.
                            tracing::warn!("realtime listener: connection lost, reconnecting");
                            self.bus().publish(Notice { topic: RESYNC_TOPIC.into(), payload: "{}".into() });
                            break;
                        }
                    },
                    _ = shutdown.changed() => return,
                }
            }
        }
    }
}
