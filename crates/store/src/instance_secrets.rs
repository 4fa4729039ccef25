//! Secrets shared by every process of an instance, kept in the database.

use crate::db::Db;
use crate::error::MapErr;
use crate::Result;

/// The secret called `name`: `candidate` if none existed yet (the first process to ask
/// wins; everyone after reads the winner's).
pub async fn get_or_create(db: &Db, name: &str, candidate: &str, now: i64) -> Result<String> {
    let mut tx = db.begin().await?;
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING"
    )
    .bind(name)
    .bind(candidate)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let value = with_tx!(&mut tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT value FROM instance_secrets WHERE name = $1"
    )
    .bind(name)
    .fetch_one(c)
    .await
    .db())?;
    tx.commit().await?;
    Ok(value)
}
