//! Ticket types of events and the seats taken of each. Seats are taken and given back only
//! with the event's row locked (`events::lock_event`), and taking one is a conditional
//! UPDATE that never passes the type's quantity, on both backends.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketTypeRow {
    pub id: String,
    pub event_id: String,
    /// From 1, in the host's order.
    pub ordinal: i64,
    pub name: String,
    /// Shown only ("Free", "€0 — sponsored"); nothing is charged.
    pub price_label: String,
    pub description: String,
    /// `None`: no limit of its own (the event's capacity still holds).
    pub quantity: Option<i64>,
    pub taken: i64,
    pub created_at: i64,
}

impl TicketTypeRow {
    /// Whether a seat of this type is free (the event's capacity aside).
    pub fn has_room(&self) -> bool {
        self.quantity.is_none_or(|q| self.taken < q)
    }

    /// Seats of this type still free, when it has a quantity.
    pub fn left(&self) -> Option<i64> {
        self.quantity.map(|q| (q - self.taken).max(0))
    }
}

const COLUMNS: &str =
    "id, event_id, ordinal, name, price_label, description, quantity, taken, created_at";

/// An event's ticket types, in order.
pub async fn ticket_types<'a>(
    src: impl Into<Source<'a>>,
    event_id: &str,
) -> Result<Vec<TicketTypeRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM event_ticket_types WHERE event_id = $1 ORDER BY ordinal, id"
    );
    with_read!(src, |c| sqlx::query_as::<_, TicketTypeRow>(&sql)
        .bind(event_id)
        .fetch_all(c)
        .await
        .db())
}

pub async fn insert_ticket_type(tx: &mut Tx, t: &TicketTypeRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_ticket_types
             (id, event_id, ordinal, name, price_label, description, quantity, taken, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(&t.id)
    .bind(&t.event_id)
    .bind(t.ordinal)
    .bind(&t.name)
    .bind(&t.price_label)
    .bind(&t.description)
    .bind(t.quantity)
    .bind(t.taken)
    .bind(t.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Changes a type's details; `taken` is left as it is.
pub async fn update_ticket_type(tx: &mut Tx, t: &TicketTypeRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_ticket_types SET ordinal = $2, name = $3, price_label = $4,
             description = $5, quantity = $6
         WHERE id = $1"
    )
    .bind(&t.id)
    .bind(t.ordinal)
    .bind(&t.name)
    .bind(&t.price_label)
    .bind(&t.description)
    .bind(t.quantity)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn delete_ticket_type(tx: &mut Tx, id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM event_ticket_types WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Takes one seat of the type if one is free; false when it is sold out.
pub async fn take_seat(tx: &mut Tx, id: &str) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE event_ticket_types SET taken = taken + 1
         WHERE id = $1 AND (quantity IS NULL OR taken < quantity)"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

/// Changes the seats taken by `delta` (a cancellation gives one back; the demo seeds).
pub async fn add_taken(tx: &mut Tx, id: &str, delta: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_ticket_types SET taken = taken + $2 WHERE id = $1"
    )
    .bind(id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Registrations (registered or waitlisted) holding or waiting for the type.
pub async fn holders<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<i64> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM event_registrations
         WHERE ticket_type_id = $1 AND status IN ('registered', 'waitlisted')"
    )
    .bind(id)
    .fetch_one(c)
    .await
    .db())
}

/// Waitlisted registrations per type of an event: (type id, count).
pub async fn waitlisted_per_type<'a>(
    src: impl Into<Source<'a>>,
    event_id: &str,
) -> Result<Vec<(String, i64)>> {
    with_read!(src, |c| sqlx::query_as::<_, (String, i64)>(
        "SELECT ticket_type_id, CAST(COUNT(*) AS BIGINT) FROM event_registrations
         WHERE event_id = $1 AND status = 'waitlisted' AND ticket_type_id IS NOT NULL
         GROUP BY ticket_type_id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}
