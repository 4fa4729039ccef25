use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the text names the constraint or columns
    /// (PostgreSQL gives the constraint name, SQLite "table.column").
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether a conflict concerns the given column or constraint name fragment.
    pub fn is_conflict_on(&self, what: &str) -> bool {
        matches!(self, StoreError::Conflict(c) if c.contains(what))
    }

    /// True for failures that say the database is unreachable rather than that the input was bad.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
            )
        )
    }
}

/// Converts driver errors, turning unique violations into `Conflict` so callers can tell a
/// duplicate slug or e-mail from a broken database.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let what = db
                .constraint()
                .map(str::to_string)
                .unwrap_or_else(|| db.message().to_string());
            return StoreError::Conflict(what);
        }
    }
    StoreError::Database(e)
}

pub(crate) trait MapErr<T> {
    fn db(self) -> crate::Result<T>;
}

impl<T> MapErr<T> for std::result::Result<T, sqlx::Error> {
    fn db(self) -> crate::Result<T> {
        self.map_err(map_err)
    }
}
