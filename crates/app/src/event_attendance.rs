//! Around an event: reminders before it, and attendance at it.
//!
//! Reminders go out from a sweep that every instance's worker loop runs every few seconds
//! and at start-up. A reminder is due from its time until a grace period after it (see
//! `domain::events::reminder_grace_minutes`); the sweep writes one `event_reminders` row
//! per registrant and reminder and queues the e-mail in the same transaction, so a reminder
//! is sent once however often the sweep runs, on however many instances at once (the
//! primary key makes a second writer's insert a no-op), and whether or not the server
//! restarted in between. It is not a queued job on purpose: a job chain broken by a crash
//! would wait out its lease, and reminders cannot wait.
//!
//! Check-in: a host marks a registrant present from the attendance list, or opens the
//! address in the member's QR code (which carries the registration's random check-in code).

use crate::clock::{MICROS_PER_DAY, MICROS_PER_MINUTE};
use crate::events::{local_label, EventView, REGISTERED};
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::events as rules;
use townsquare_domain::time_zones;
use townsquare_store::events::{self as store, EventRow, RegistrationRow};

impl App {
    /// Queues every reminder due now that has not gone out, in one transaction; returns how
    /// many. The worker loop of every instance calls this every few seconds and at start-up,
    /// so finding nothing due must cost one indexed read and no write.
    pub async fn send_due_event_reminders(&self) -> AppResult<usize> {
        let now = self.now();
        let horizon = now + 14 * MICROS_PER_DAY + MICROS_PER_MINUTE;
        let mut due = Vec::new();
        for event in store::events_starting_between(self.db(), now, horizon).await? {
            for minutes in rules::stored_reminders(&event.reminder_minutes) {
                let at = event.starts_at - minutes * MICROS_PER_MINUTE;
                let grace = rules::reminder_grace_minutes(minutes) * MICROS_PER_MINUTE;
                if at <= now && now < at + grace {
                    due.push((event.clone(), minutes));
                }
            }
        }
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db().begin().await?;
        let mut sent = 0;
        for (event, minutes) in due {
            let Some(community) =
                townsquare_store::communities::community_by_id(&mut tx, &event.community_id)
                    .await?
            else {
                continue;
            };
            for person in store::claim_reminders(&mut tx, &event, minutes, now).await? {
                let (subject, body) = self.reminder_mail(
                    &community.name,
                    &community.slug,
                    &event,
                    &person.display_name,
                    minutes,
                );
                mail::enqueue(&mut tx, &person.email, &subject, &body, now).await?;
                sent += 1;
            }
        }
        self.commit(tx).await?;
        Ok(sent)
    }

    fn reminder_mail(
        &self,
        community_name: &str,
        community_slug: &str,
        e: &EventRow,
        name: &str,
        minutes_before: i64,
    ) -> (String, String) {
        let tz = time_zones::parse_or_utc(&e.time_zone);
        let lead = match minutes_before {
            m if m >= 2 * 24 * 60 => format!("in {} days", m / (24 * 60)),
            m if m >= 24 * 60 => "tomorrow".to_string(),
            m if m >= 120 => format!("in {} hours", m / 60),
            m if m >= 60 => "in an hour".to_string(),
            m => format!("in {m} minutes"),
        };
        let place = match (e.venue.is_empty(), e.online_url.is_empty()) {
            (false, true) => format!("Where: {}", e.venue),
            (true, false) => format!("Join online: {}", e.online_url),
            (false, false) => format!("Where: {}\nJoin online: {}", e.venue, e.online_url),
            (true, true) => String::new(),
        };
        let url = self.event_url(community_slug, &e.id);
        let subject = format!("Reminder: {} starts {lead}", e.title);
        let body = format!(
            "Hello {name},\n\n{title} in {community_name} starts {lead}.\n\n\
             When: {start} – {end}\n{place}\n\n\
             Details: {url}\n\n\
             Cannot make it? Cancel on the event page so someone on the waitlist gets your seat.\n",
            title = e.title,
            start = local_label(e.starts_at, tz),
            end = local_label(e.ends_at, tz),
        );
        (subject, body)
    }

    /// Marks a registrant present (or, with `present = false`, takes it back). Hosts only;
    /// the attendee is the actor of the activity record, since it is their attendance.
    pub async fn set_attendance(
        &self,
        actor: &Actor,
        view: &EventView,
        user_id: &str,
        present: bool,
    ) -> AppResult<()> {
        require_host(view)?;
        let registration = store::registration(self.db(), &view.event.id, user_id)
            .await?
            .filter(|r| r.status == REGISTERED)
            .ok_or_else(|| {
                AppError::invalid("user_id", "That person is not registered for this event.")
            })?;
        self.check_in_registration(actor, view, &registration, present)
            .await
    }

    /// The registration a check-in code belongs to, for a host of its event.
    pub async fn registration_by_checkin_code(
        &self,
        view: &EventView,
        code: &str,
    ) -> AppResult<(RegistrationRow, String)> {
        require_host(view)?;
        let registration = store::registration_by_checkin_code(self.db(), code)
            .await?
            .filter(|r| r.event_id == view.event.id && r.status == REGISTERED)
            .ok_or(AppError::NotFound("registration"))?;
        let name = townsquare_store::accounts::user_by_id(self.db(), &registration.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        Ok((registration, name))
    }

    pub async fn check_in_by_code(
        &self,
        actor: &Actor,
        view: &EventView,
        code: &str,
    ) -> AppResult<String> {
        let (registration, name) = self.registration_by_checkin_code(view, code).await?;
        self.check_in_registration(actor, view, &registration, true)
            .await?;
        Ok(name)
    }

    async fn check_in_registration(
        &self,
        actor: &Actor,
        view: &EventView,
        registration: &RegistrationRow,
        present: bool,
    ) -> AppResult<()> {
        let now = self.now();
        // Doors open an hour before; attendance can be corrected for a week after.
        if now < view.event.starts_at - 60 * MICROS_PER_MINUTE {
            return Err(AppError::invalid(
                "event",
                "Check-in opens an hour before the event starts.",
            ));
        }
        if now > view.event.ends_at + 7 * MICROS_PER_DAY {
            return Err(AppError::invalid(
                "event",
                "Attendance can be changed until a week after the event.",
            ));
        }
        let mut tx = self.db().begin().await?;
        let changed = store::set_checked_in(
            &mut tx,
            &registration.id,
            present.then_some(now),
            present.then_some(actor.user_id.as_str()),
        )
        .await?;
        if changed {
            activity::record(
                &mut tx,
                Some(&view.event.community_id),
                Some(&registration.user_id),
                if present {
                    "event_checked_in"
                } else {
                    "event_check_in_undone"
                },
                "event",
                &view.event.id,
                json!({"by": actor.user_id}),
                now,
            )
            .await?;
        }
        self.commit(tx).await
    }

    /// Registered and checked-in counts only, for pages that show the figure without the
    /// list (the event page), so they do not read every registrant.
    pub async fn attendance_counts(&self, view: &EventView) -> AppResult<(i64, i64)> {
        require_host(view)?;
        Ok(store::attendance(self.db(), &view.event.id).await?)
    }
}

fn require_host(view: &EventView) -> AppResult<()> {
    if view.can_host() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the event's hosts can see and change attendance.".into(),
        ))
    }
}
