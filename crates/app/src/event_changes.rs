//! When an event changes under its registrants: a host calls it off, or moves it. Everyone
//! holding a seat or a waitlist place is e-mailed in the transaction of the change, and the
//! event's SEQUENCE grows so calendar programs replace their copy.

use crate::events::{local_label, EventView};
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::time_zones;
use townsquare_store::events::{self as store, EventRow};
use townsquare_store::Tx;

const MAX_REASON_CHARS: usize = 500;

/// A host's reason for calling an event off: registrants are told it.
pub(crate) fn check_reason(reason: &str) -> AppResult<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say why the event is cancelled: registrants are told.",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            format!("Keep the reason under {MAX_REASON_CHARS} characters."),
        ));
    }
    Ok(reason)
}

impl App {
    /// Calls an event off (hosts), with a reason registrants are told.
    pub async fn cancel_event(
        &self,
        actor: &Actor,
        event_id: &str,
        reason: &str,
    ) -> AppResult<EventRow> {
        let view = self.event(Some(actor), event_id).await?;
        if !view.can_host() {
            return Err(AppError::Forbidden(
                "Only the community's admins can cancel events.".into(),
            ));
        }
        let reason = check_reason(reason)?;
        let now = self.now();
        if view.event.ends_at <= now {
            return Err(AppError::invalid("event", "This event is over."));
        }
        let mut tx = self.db().begin().await?;
        if !self
            .cancel_in(&mut tx, &view, &actor.user_id, reason, now)
            .await?
        {
            return Err(AppError::conflict(
                "event",
                "This event is already cancelled.",
            ));
        }
        let event = store::event_by_id(&mut tx, event_id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        self.commit(tx).await?;
        Ok(event)
    }

    /// Calls an event off in the caller's transaction (its row locked here), with the
    /// activity and an e-mail to everyone registered or waiting; false if it already was.
    pub(crate) async fn cancel_in(
        &self,
        tx: &mut Tx,
        view: &EventView,
        by: &str,
        reason: &str,
        now: i64,
    ) -> AppResult<bool> {
        store::lock_event(tx, &view.event.id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        if !store::cancel_event(tx, &view.event.id, reason, now).await? {
            return Ok(false);
        }
        activity::record(
            tx,
            Some(&view.event.community_id),
            Some(by),
            "event_cancelled_by_host",
            "event",
            &view.event.id,
            json!({"reason": reason}),
            now,
        )
        .await?;
        let event = store::event_by_id(&mut *tx, &view.event.id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        let url = self.event_url(&view.community.community.slug, &view.event.id);
        for person in store::people_to_tell(tx, &view.event.id).await? {
            let subject = format!("Cancelled: {}", event.title);
            let body = format!(
                "Hello {name},\n\n{title} in {community}, planned for {start}, is cancelled.\n\n\
                 The host's note: {reason}\n\n\
                 Your calendar will show it as cancelled. Details: {url}\n",
                name = person.display_name,
                title = event.title,
                community = view.community.community.name,
                start = local_label(event.starts_at, view.time_zone()),
            );
            mail::enqueue(tx, &person.email, &subject, &body, now).await?;
        }
        Ok(true)
    }

    /// Tells registrants an event moved; the caller holds the event's row lock. Nothing is
    /// sent when the times did not change.
    pub(crate) async fn tell_of_new_time(
        &self,
        tx: &mut Tx,
        view: &EventView,
        before: &EventRow,
        after: &EventRow,
        now: i64,
    ) -> AppResult<()> {
        if before.starts_at == after.starts_at && before.ends_at == after.ends_at {
            return Ok(());
        }
        let tz = time_zones::parse_or_utc(&after.time_zone);
        let url = self.event_url(&view.community.community.slug, &after.id);
        for person in store::people_to_tell(tx, &after.id).await? {
            let subject = format!("New time: {}", after.title);
            let body = format!(
                "Hello {name},\n\n{title} in {community} has moved.\n\n\
                 Now: {start} – {end}\nWas: {old_start}\n\n\
                 Your registration stands. If the new time does not suit you, cancel on the \
                 event page so someone on the waitlist gets your seat: {url}\n",
                name = person.display_name,
                title = after.title,
                community = view.community.community.name,
                start = local_label(after.starts_at, tz),
                end = local_label(after.ends_at, tz),
                old_start = local_label(
                    before.starts_at,
                    time_zones::parse_or_utc(&before.time_zone)
                ),
            );
            mail::enqueue(tx, &person.email, &subject, &body, now).await?;
        }
        Ok(())
    }
}
