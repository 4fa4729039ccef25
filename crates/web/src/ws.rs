//! The realtime stream: `GET /api/v1/stream` upgrades to a WebSocket. Clients subscribe to
//! topics; every notice is checked against the subscriber's rights again before delivery,
//! so someone who loses access stops receiving at once.
//!
//! Client → server: `{"type":"subscribe","topic":"community:<id>"}`, `"topic:<id>"`,
//! `"event:<id>"` (an event's Q&A board and polls: registrants and hosts) or `"user:<own id>"`.
//! Server → client: `{"type":"subscribed","topic":..}`, `{"type":"event","topic":..,"data":{..}}`,
//! `{"type":"resync"}` (notices may have been missed: reload), `{"type":"error","message":..}`.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde_json::{json, Value};
use std::collections::HashSet;
use townsquare_app::bus::RESYNC_TOPIC;
use townsquare_app::{Actor, App, AppError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/stream", get(stream))
}

async fn stream(
    State(state): State<AppState>,
    ctx: Result<Ctx, crate::error::HtmlError>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    // Authentication first, so an anonymous caller learns that before protocol details.
    let ctx = ctx.map_err(ApiError::from)?;
    let actor = ctx
        .actor
        .clone()
        .ok_or(ApiError(AppError::Unauthenticated))?;
    let upgrade = upgrade.map_err(|_| {
        ApiError(AppError::invalid(
            "upgrade",
            "This address speaks WebSocket: connect with a WebSocket client.",
        ))
    })?;
    Ok(upgrade.on_upgrade(move |socket| serve(state.app, actor, socket)))
}

/// Whether `actor` may receive notices on `topic` right now.
async fn may_receive(app: &App, actor: &Actor, topic: &str) -> bool {
    match topic.split_once(':') {
        Some(("user", id)) => id == actor.user_id,
        Some(("community", id)) => app.community_by_id(Some(actor), id).await.is_ok(),
        Some(("topic", id)) => app.topic(Some(actor), id).await.is_ok(),
        Some(("event", id)) => app.may_follow_event(actor, id).await,
        _ => false,
    }
}

async fn send(socket: &mut WebSocket, value: Value) -> bool {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .is_ok()
}

async fn serve(app: App, actor: Actor, mut socket: WebSocket) {
    let mut notices = app.bus().subscribe();
    let mut topics: HashSet<String> = HashSet::new();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { return };
                let Message::Text(text) = message else { continue };
                let request: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let topic = request["topic"].as_str().unwrap_or_default().to_string();
                let reply = match request["type"].as_str() {
                    Some("subscribe") if may_receive(&app, &actor, &topic).await => {
                        topics.insert(topic.clone());
                        json!({"type": "subscribed", "topic": topic})
                    }
                    Some("subscribe") => json!({"type": "error", "message": format!("You cannot subscribe to {topic:?}.")}),
                    Some("unsubscribe") => {
                        topics.remove(&topic);
                        json!({"type": "unsubscribed", "topic": topic})
                    }
                    _ => json!({"type": "error", "message": "Send {\"type\":\"subscribe\",\"topic\":\"community:<id>\"}."}),
                };
                if !send(&mut socket, reply).await {
                    return;
                }
            }
            notice = notices.recv() => {
                let notice = match notice {
                    Ok(n) => n,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        if !send(&mut socket, json!({"type": "resync"})).await { return; }
                        continue;
                    }
                    Err(_) => return,
                };
                if notice.topic == RESYNC_TOPIC {
                    if !send(&mut socket, json!({"type": "resync"})).await { return; }
                    continue;
                }
                if !topics.contains(&notice.topic) {
                    continue;
                }
                if !may_receive(&app, &actor, &notice.topic).await {
                    topics.remove(&notice.topic);
                    let _ = send(&mut socket, json!({"type": "unsubscribed", "topic": notice.topic, "reason": "access revoked"})).await;
                    continue;
                }
                let data: Value = serde_json::from_str(&notice.payload).unwrap_or(Value::Null);
                if !send(&mut socket, json!({"type": "event", "topic": notice.topic, "data": data})).await {
                    return;
                }
            }
        }
    }
}
