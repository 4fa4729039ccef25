use crate::error::MapErr;
use crate::Result;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pools: Arc<Pools>,
}

pub(crate) enum Pools {
    /// One writer connection (so write transactions never fight over SQLite's lock) and a few
    /// read-only connections that WAL lets run beside it.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

/// A write transaction. Realtime notices raised inside it are delivered only if it commits.
pub struct Tx {
    pub(crate) inner: TxInner,
    pub(crate) local_notices: Vec<Notice>,
}

pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A realtime notice: a topic and a small payload (ids, not bodies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub topic: String,
    pub payload: String,
}

/// The PostgreSQL channel that carries notices between instances.
pub const NOTIFY_CHANNEL: &str = "townsquare_events";

impl Db {
    /// Connects to `sqlite://PATH` or `postgres://...`, creating a SQLite file if missing.
    pub async fn connect(url: &str) -> Result<Db> {
        let pools = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).db()?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .db()?;
            Pools::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .db()?
                .create_if_missing(true)
                .busy_timeout(Duration::from_secs(10))
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true);
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options.clone())
                .await
                .db()?;
            let reader = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(30))
                .connect_lazy_with(options.read_only(true));
            Pools::Sqlite { writer, reader }
        };
        Ok(Db {
            pools: Arc::new(pools),
        })
    }

    pub fn backend(&self) -> Backend {
        match &*self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) fn pools(&self) -> &Pools {
        &self.pools
    }

    /// The PostgreSQL pool, for the realtime listener; `None` on SQLite.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &*self.pools {
            Pools::Postgres(pool) => Some(pool),
            Pools::Sqlite { .. } => None,
        }
    }

    /// Applies pending migrations. On PostgreSQL the migrator holds an advisory lock, so
    /// instances that start together do not race.
    pub async fn migrate(&self) -> Result<()> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => sqlx::migrate!("migrations/sqlite").run(writer).await?,
            Pools::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &*self.pools {
            Pools::Sqlite { writer, .. } => TxInner::Sqlite(writer.begin().await.db()?),
            Pools::Postgres(pool) => TxInner::Postgres(pool.begin().await.db()?),
        };
        Ok(Tx {
            inner,
            local_notices: Vec::new(),
        })
    }

    /// A trivial query, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        with_read!(self, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            .db())?;
        Ok(())
    }

    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Commits, and returns the notices that must be delivered in this process (SQLite's; on
    /// PostgreSQL they travel through NOTIFY, which the database sends only on commit).
    pub async fn commit(self) -> Result<Vec<Notice>> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await.db()?,
            TxInner::Postgres(t) => t.commit().await.db()?,
        }
        Ok(self.local_notices)
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Raises a realtime notice that is delivered if and only if this transaction commits.
    pub async fn notify(&mut self, topic: &str, payload: &str) -> Result<()> {
        let notice = Notice {
            topic: topic.to_string(),
            payload: payload.to_string(),
        };
        match &mut self.inner {
            TxInner::Sqlite(_) => self.local_notices.push(notice),
            TxInner::Postgres(t) => crate::postgres::notify(t, &notice).await?,
        }
        Ok(())
    }
}

/// Where a read runs: on the pool, or inside a write transaction that must see its own writes.
pub enum Source<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Source<'_> {
    /// The same source for one more read (a transaction stays borrowed, not moved).
    pub fn reborrow(&mut self) -> Source<'_> {
        match self {
            Source::Db(db) => Source::Db(db),
            Source::Tx(tx) => Source::Tx(tx),
        }
    }
}

impl<'a> From<&'a Db> for Source<'a> {
    fn from(db: &'a Db) -> Self {
        Source::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Source<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Source::Tx(tx)
    }
}
