//! Ticket types: hosts set them with the event (on its form and in the API); members pick one
//! when they register. Each type has its own seats and its own first-come-first-served
//! waitlist; the event's capacity, when set, still caps the seats of all types together.
//! Types are saved with the event's row locked, so a quantity is never set below the seats
//! already taken of it.

use crate::events::EventView;
use crate::{App, AppError, AppResult};
use std::collections::HashMap;
use townsquare_domain::ticket_types::{self as rules, TicketType, TicketTypeDraft};
use townsquare_domain::{new_id, ValidationErrors};
use townsquare_store::ticket_types::{self as store, TicketTypeRow};
use townsquare_store::Tx;

/// A ticket type as a viewer sees it, with its waitlist.
#[derive(Debug, Clone)]
pub struct TicketTypeView {
    pub row: TicketTypeRow,
    pub waitlisted: i64,
}

impl TicketTypeView {
    /// "Free · 3 of 20 left", "Sold out · 2 waiting", "12 registered".
    pub fn availability(&self) -> String {
        let t = &self.row;
        let seats = match t.left() {
            Some(0) => {
                if self.waitlisted > 0 {
                    format!("Sold out · {} on the waitlist", self.waitlisted)
                } else {
                    "Sold out · waitlist open".to_string()
                }
            }
            Some(left) => format!("{left} of {} left", t.quantity.unwrap_or_default()),
            None => format!("{} registered", t.taken),
        };
        if t.price_label.is_empty() {
            seats
        } else {
            format!("{} · {seats}", t.price_label)
        }
    }
}

/// Checks a host's ticket types, adding their errors to `errors`.
pub(crate) fn check_ticket_types(
    drafts: Option<&[TicketTypeDraft]>,
    errors: &mut ValidationErrors,
) -> Option<Vec<TicketType>> {
    match drafts.map(rules::validate_ticket_types) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            errors.0.extend(e.0);
            None
        }
    }
}

/// Replaces an event's ticket types; the caller holds the event's row lock. A type given
/// with its id is changed in place (keeping its seats and waitlist) and may not drop below
/// the seats taken; a type left out is removed, unless someone holds or waits for it.
pub(crate) async fn save_ticket_types(
    tx: &mut Tx,
    event_id: &str,
    types: &[TicketType],
    now: i64,
) -> AppResult<()> {
    let existing = store::ticket_types(&mut *tx, event_id).await?;
    let mut errors = ValidationErrors::new();
    let mut kept: Vec<&str> = Vec::new();
    for t in types {
        if let Some(id) = &t.id {
            match existing.iter().find(|e| &e.id == id) {
                None => errors.add(
                    &rules::field(t.row, "id"),
                    "This ticket type is not one of the event's.",
                ),
                Some(old) => {
                    kept.push(old.id.as_str());
                    if t.quantity.is_some_and(|q| q < old.taken) {
                        errors.add(
                            &rules::field(t.row, "quantity"),
                            format!(
                                "{} {} of “{}” {} taken: the quantity cannot be lower than that.",
                                old.taken,
                                if old.taken == 1 { "ticket" } else { "tickets" },
                                old.name,
                                if old.taken == 1 { "is" } else { "are" },
                            ),
                        );
                    }
                }
            }
        }
    }
    let mut removed = Vec::new();
    for old in existing.iter().filter(|e| !kept.contains(&e.id.as_str())) {
        if store::holders(&mut *tx, &old.id).await? > 0 {
            errors.add(
                "ticket_types",
                format!(
                    "Members hold or wait for “{}” tickets: keep that type (you may rename it or \
                     raise its quantity).",
                    old.name
                ),
            );
        } else {
            removed.push(old.id.clone());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    for id in removed {
        store::delete_ticket_type(tx, &id).await?;
    }
    for (i, t) in types.iter().enumerate() {
        let row = TicketTypeRow {
            id: t.id.clone().unwrap_or_else(new_id),
            event_id: event_id.into(),
            ordinal: i as i64 + 1,
            name: t.name.clone(),
            price_label: t.price_label.clone(),
            description: t.description.clone(),
            quantity: t.quantity,
            taken: 0,
            created_at: now,
        };
        if t.id.is_some() {
            store::update_ticket_type(tx, &row).await?;
        } else {
            store::insert_ticket_type(tx, &row).await?;
        }
    }
    Ok(())
}

impl App {
    /// An event's ticket types in order, with their waitlists (anyone who may see the event).
    pub async fn ticket_types(&self, view: &EventView) -> AppResult<Vec<TicketTypeView>> {
        let waiting: HashMap<String, i64> = store::waitlisted_per_type(self.db(), &view.event.id)
            .await?
            .into_iter()
            .collect();
        Ok(store::ticket_types(self.db(), &view.event.id)
            .await?
            .into_iter()
            .map(|row| TicketTypeView {
                waitlisted: waiting.get(&row.id).copied().unwrap_or(0),
                row,
            })
            .collect())
    }
}
