//! Events in an events space: hosts (the community's managers) schedule them; members
//! register, cancel, and wait in line when an event is full. A freed seat goes to the first
//! on the waitlist in the cancellation's transaction, with an e-mail. Every seat change takes
//! the event's row lock first (`lock_event`), so capacity holds under concurrent requests on
//! both backends.

use crate::communities::CommunityView;
use crate::spaces::kind_of;
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::events::{self as rules, EventDraft, EventFields, EventFormat};
use townsquare_domain::registration_questions::Question;
use townsquare_domain::ticket_types::TicketType;
use townsquare_domain::{new_id, policy, time_zones, SpaceKind};
use townsquare_store::events::{self as store, EventRow, RegistrationRow};
use townsquare_store::spaces::{self as spaces_store, SpaceRow};
use townsquare_store::ticket_types as tickets_store;
use townsquare_store::Tx;

pub const REGISTERED: &str = "registered";
pub const WAITLISTED: &str = "waitlisted";
pub const CANCELLED: &str = "cancelled";

/// How many events a space page lists in each of its two lists.
const LIST_LIMIT: i64 = 50;

/// An event as one viewer sees it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub community: CommunityView,
    pub space: SpaceRow,
    pub event: EventRow,
    /// The viewer's registration, if any and not cancelled.
    pub registration: Option<RegistrationRow>,
    /// 1 for the first in line, when the viewer is waitlisted.
    pub waitlist_position: Option<i64>,
    pub waitlisted: i64,
    /// The viewer co-hosts this event (see `event_hosts`).
    pub is_cohost: bool,
    /// The viewer created this event.
    pub is_creator: bool,
}

impl EventView {
    pub fn format(&self) -> EventFormat {
        EventFormat::parse(&self.event.format).unwrap_or(EventFormat::Meetup)
    }

    /// Whether the viewer hosts this event: the community's admins, and the members its
    /// creator made co-hosts (while they are members in good standing). Every host right —
    /// editing, check-in, attendance, Q&A moderation, polls, follow-ups — goes through here.
    pub fn can_host(&self) -> bool {
        policy::can_host_events(&self.community.viewer)
            || (self.is_cohost && self.community.role().is_some())
    }

    /// Whether the viewer may add and remove co-hosts: the event's creator (while still a
    /// host) and the community's admins.
    pub fn can_manage_hosts(&self) -> bool {
        policy::can_host_events(&self.community.viewer)
            || (self.is_creator && self.community.role().is_some())
    }

    pub fn is_registered(&self) -> bool {
        self.registration
            .as_ref()
            .is_some_and(|r| r.status == REGISTERED)
    }

    /// The online link, for registrants and hosts only.
    pub fn online_url(&self) -> Option<&str> {
        (!self.event.online_url.is_empty() && (self.is_registered() || self.can_host()))
            .then_some(self.event.online_url.as_str())
    }

    pub fn time_zone(&self) -> time_zones::Tz {
        time_zones::parse_or_utc(&self.event.time_zone)
    }

    pub fn seats_left(&self) -> Option<i64> {
        self.event
            .capacity
            .map(|c| (c - self.event.registered_count).max(0))
    }
}

/// What happened when a member asked for a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Registered,
    Waitlisted,
}

impl Registration {
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Registered => REGISTERED,
            Registration::Waitlisted => WAITLISTED,
        }
    }
}

fn can_see(view: &CommunityView, space: &SpaceRow) -> bool {
    crate::spaces::can_see(view, space)
}

/// A checked event form: the schedule, and the questions and ticket types if given.
pub(crate) type CheckedEvent = (EventFields, Option<Vec<Question>>, Option<Vec<TicketType>>);

/// Checks the schedule, the registration questions and the ticket types together, so a form
/// shows every error.
pub(crate) fn validate_all(draft: &EventDraft, tz: time_zones::Tz) -> AppResult<CheckedEvent> {
    let mut errors = townsquare_domain::ValidationErrors::new();
    let fields = rules::validate(draft, tz)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let questions =
        crate::registration_questions::check_questions(draft.questions.as_deref(), &mut errors);
    let ticket_types =
        crate::ticket_types::check_ticket_types(draft.ticket_types.as_deref(), &mut errors);
    match fields {
        Some(f) if errors.is_empty() => Ok((f, questions, ticket_types)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Refuses a capacity below the seats taken; `when` names the occurrence of a series.
pub(crate) fn check_capacity(
    capacity: Option<i64>,
    current: &EventRow,
    when: &str,
) -> AppResult<()> {
    match capacity {
        Some(c) if c < current.registered_count => Err(AppError::invalid(
            "capacity",
            format!(
                "{} people are registered{when}; the capacity cannot be lower than that.",
                current.registered_count
            ),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn row_of(fields: EventFields, base: EventRow) -> EventRow {
    EventRow {
        title: fields.title,
        description: fields.description,
        format: fields.format.as_str().into(),
        starts_at: fields.starts_at,
        ends_at: fields.ends_at,
        time_zone: fields.time_zone.name().into(),
        online_url: fields.online_url,
        venue: fields.venue,
        capacity: fields.capacity,
        registration_deadline: fields.registration_deadline,
        reminder_minutes: rules::store_reminders(&fields.reminder_minutes),
        ..base
    }
}

/// Reads a format filter from an address (`?format=ama`); empty means every format.
pub fn format_filter(input: Option<&str>) -> AppResult<Option<EventFormat>> {
    match input.map(str::trim) {
        None | Some("") => Ok(None),
        Some(f) => EventFormat::parse(f)
            .map(Some)
            .map_err(|m| AppError::invalid("format", m)),
    }
}

/// A wall-clock label such as "Mon 30 Mar 2026, 09:00 (Europe/Berlin)".
pub fn local_label(micros: i64, tz: time_zones::Tz) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| {
            format!(
                "{} ({})",
                t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M"),
                tz.name()
            )
        })
        .unwrap_or_default()
}

/// A `datetime-local` value of an instant in `tz`, for editing.
pub fn local_input(micros: i64, tz: time_zones::Tz) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

impl App {
    /// Schedules an event in an events space (hosts: admins and owners).
    pub async fn create_event(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
        draft: &EventDraft,
    ) -> AppResult<EventRow> {
        let space = self.space(Some(actor), community_slug, space_slug).await?;
        if !policy::can_host_events(&space.community.viewer) {
            return Err(AppError::Forbidden(
                "Only the community's admins can host events.".into(),
            ));
        }
        if kind_of(&space.space) != SpaceKind::Events {
            return Err(AppError::invalid(
                "space",
                "Events are scheduled in an events space.",
            ));
        }
        let tz = time_zones::parse_or_utc(&space.community.community.time_zone);
        let (fields, questions, ticket_types) = validate_all(draft, tz)?;
        let now = self.now();
        let row = row_of(
            fields,
            EventRow {
                id: new_id(),
                community_id: space.space.community_id.clone(),
                space_id: space.space.id.clone(),
                title: String::new(),
                description: String::new(),
                format: String::new(),
                starts_at: 0,
                ends_at: 0,
                time_zone: String::new(),
                online_url: String::new(),
                venue: String::new(),
                capacity: None,
                registration_deadline: None,
                registered_count: 0,
                sequence: 0,
                reminder_minutes: String::new(),
                cancelled_at: None,
                cancel_reason: String::new(),
                created_by: actor.user_id.clone(),
                created_at: now,
                updated_at: now,
                series_id: None,
                recurrence_id: None,
                edited_alone: false,
            },
        );
        let mut tx = self.db().begin().await?;
        store::insert_event(&mut tx, &row).await?;
        if let Some(questions) = &questions {
            crate::registration_questions::save_questions(&mut tx, &row.id, questions).await?;
        }
        let ticket_types = ticket_types.unwrap_or_else(|| vec![TicketType::general_admission()]);
        crate::ticket_types::save_ticket_types(&mut tx, &row.id, &ticket_types, now).await?;
        self.schedule_followups(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&row.community_id),
            Some(&actor.user_id),
            "event_created",
            "event",
            &row.id,
            json!({"title": row.title, "format": row.format, "starts_at": row.starts_at}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Changes an event (hosts). Capacity cannot drop below the seats taken; raising it
    /// promotes from the waitlist in the same transaction.
    pub async fn update_event(
        &self,
        actor: &Actor,
        event_id: &str,
        draft: &EventDraft,
    ) -> AppResult<EventRow> {
        let view = self.event(Some(actor), event_id).await?;
        if !view.can_host() {
            return Err(AppError::Forbidden(
                "Only the event's hosts can edit it.".into(),
            ));
        }
        let tz = time_zones::parse_or_utc(&view.community.community.time_zone);
        // An edit that says nothing of reminders keeps the event's own.
        let mut draft = draft.clone();
        if draft.reminders.is_none() {
            draft.reminders = Some(rules::format_reminders(&rules::stored_reminders(
                &view.event.reminder_minutes,
            )));
        }
        let (fields, questions, ticket_types) = validate_all(&draft, tz)?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let current = store::lock_event(&mut tx, event_id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        if current.cancelled_at.is_some() {
            return Err(AppError::conflict(
                "event",
                "This event is cancelled and cannot be changed.",
            ));
        }
        check_capacity(fields.capacity, &current, "")?;
        // An occurrence of a series edited on its own leaves the series' edits alone.
        let row = EventRow {
            edited_alone: current.series_id.is_some(),
            ..row_of(fields, current.clone())
        };
        store::update_event(&mut tx, &row, now).await?;
        if let Some(questions) = &questions {
            crate::registration_questions::save_questions(&mut tx, &row.id, questions).await?;
        }
        if let Some(ticket_types) = &ticket_types {
            crate::ticket_types::save_ticket_types(&mut tx, &row.id, ticket_types, now).await?;
        }
        self.tell_of_new_time(&mut tx, &view, &current, &row, now)
            .await?;
        activity::record(
            &mut tx,
            Some(&row.community_id),
            Some(&actor.user_id),
            "event_updated",
            "event",
            &row.id,
            json!({}),
            now,
        )
        .await?;
        self.promote_waitlist(&mut tx, &view, now).await?;
        let row = store::event_by_id(&mut tx, event_id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        self.schedule_followups(&mut tx, &row).await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// An event the viewer may see: its space must be visible to them.
    pub async fn event(&self, actor: Option<&Actor>, event_id: &str) -> AppResult<EventView> {
        let event = store::event_by_id(self.db(), event_id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        let community = self
            .community_by_id(actor, &event.community_id)
            .await
            .map_err(|_| AppError::NotFound("event"))?;
        let space = spaces_store::space_by_id(self.db(), &event.space_id)
            .await?
            .filter(|s| can_see(&community, s))
            .ok_or(AppError::NotFound("event"))?;
        let registration = match actor {
            Some(a) => store::registration(self.db(), event_id, &a.user_id)
                .await?
                .filter(|r| r.status != CANCELLED),
            None => None,
        };
        let waitlist_position = match &registration {
            Some(r) if r.status == WAITLISTED => {
                Some(store::waitlist_position(self.db(), r).await?)
            }
            _ => None,
        };
        let (_, waitlisted) = store::counts(self.db(), event_id).await?;
        let is_cohost = match actor {
            Some(a) => {
                townsquare_store::event_hosts::is_cohost(self.db(), event_id, &a.user_id).await?
            }
            None => false,
        };
        let is_creator = actor.is_some_and(|a| a.user_id == event.created_by);
        Ok(EventView {
            is_cohost,
            is_creator,
            community,
            space,
            event,
            registration,
            waitlist_position,
            waitlisted,
        })
    }

    /// An events space's (upcoming, past) events: upcoming soonest first, past latest first;
    /// only those of one format when `format` is given.
    pub async fn space_events(
        &self,
        space: &crate::spaces::SpaceView,
        format: Option<EventFormat>,
    ) -> AppResult<(Vec<EventRow>, Vec<EventRow>)> {
        let now = self.now();
        let format = format.map(EventFormat::as_str);
        let id = &space.space.id;
        let upcoming = store::events_in_space(self.db(), id, now, true, format, LIST_LIMIT).await?;
        let past = store::events_in_space(self.db(), id, now, false, format, LIST_LIMIT).await?;
        Ok((upcoming, past))
    }

    /// Registers the actor, or puts them on the waitlist when the event is full (for an
    /// event without required questions).
    pub async fn register_for_event(
        &self,
        actor: &Actor,
        event_id: &str,
    ) -> AppResult<Registration> {
        self.register_with_answers(actor, event_id, None, &HashMap::new())
            .await
    }

    /// Registers the actor for a ticket type (which may be left out when the event offers
    /// only one) with their answers to the event's questions (keyed by question id), or puts
    /// them on that type's waitlist when it is sold out or the event is full. Answers that do
    /// not pass leave no registration behind.
    pub async fn register_with_answers(
        &self,
        actor: &Actor,
        event_id: &str,
        ticket_type: Option<&str>,
        answers: &HashMap<String, String>,
    ) -> AppResult<Registration> {
        let view = self.event(Some(actor), event_id).await?;
        if !policy::can_register_for_events(&view.community.viewer) {
            return Err(AppError::Forbidden(
                "Join the community to register for its events.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let event = store::lock_event(&mut tx, event_id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        if event.cancelled_at.is_some() {
            return Err(AppError::invalid("event", "This event was cancelled."));
        }
        if event.ends_at <= now {
            return Err(AppError::invalid("event", "This event is over."));
        }
        if event.registration_deadline.is_some_and(|d| now > d) {
            return Err(AppError::invalid(
                "event",
                "Registration for this event has closed.",
            ));
        }
        let existing = store::registration(&mut tx, event_id, &actor.user_id).await?;
        match existing.as_ref().map(|r| r.status.as_str()) {
            Some(REGISTERED) => {
                return Err(AppError::conflict(
                    "event",
                    "You are already registered for this event.",
                ))
            }
            Some(WAITLISTED) => {
                return Err(AppError::conflict(
                    "event",
                    "You are already on the waitlist for this event.",
                ))
            }
            _ => {}
        }
        let questions = townsquare_store::registration_questions::questions(&mut tx, event_id)
            .await?
            .into_iter()
            .map(crate::registration_questions::EventQuestion::of)
            .collect::<Vec<_>>();
        let answers = crate::registration_questions::check_answers(&questions, answers)?;
        let types = tickets_store::ticket_types(&mut tx, event_id).await?;
        let chosen = match ticket_type.map(str::trim).filter(|t| !t.is_empty()) {
            Some(id) => types.iter().find(|t| t.id == id).ok_or_else(|| {
                AppError::invalid("ticket_type", "Choose one of this event's ticket types.")
            })?,
            None => match types.as_slice() {
                [only] => only,
                _ => return Err(AppError::invalid("ticket_type", "Choose a ticket type.")),
            },
        };
        // The event's row lock serializes this; the conditional UPDATE never passes the
        // type's quantity even so.
        let seat = event.capacity.is_none_or(|c| event.registered_count < c)
            && tickets_store::take_seat(&mut tx, &chosen.id).await?;
        let outcome = if seat {
            Registration::Registered
        } else {
            Registration::Waitlisted
        };
        store::upsert_registration(
            &mut tx,
            &RegistrationRow {
                id: existing.map(|r| r.id).unwrap_or_else(new_id),
                event_id: event_id.into(),
                user_id: actor.user_id.clone(),
                status: outcome.as_str().into(),
                queued_at: now,
                updated_at: now,
                checked_in_at: None,
                checkin_code: Some(crate::secrets::new_token()),
                ticket_type_id: Some(chosen.id.clone()),
            },
        )
        .await?;
        if seat {
            store::add_seats(&mut tx, event_id, 1).await?;
        }
        if !questions.is_empty() {
            townsquare_store::registration_questions::replace_answers(
                &mut tx,
                event_id,
                &actor.user_id,
                &answers,
                now,
            )
            .await?;
        }
        activity::record(
            &mut tx,
            Some(&event.community_id),
            Some(&actor.user_id),
            match outcome {
                Registration::Registered => "event_registered",
                Registration::Waitlisted => "event_waitlisted",
            },
            "event",
            event_id,
            json!({"ticket_type": chosen.name}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(outcome)
    }

    /// Cancels the actor's registration or waitlist place. A freed seat goes to the first on
    /// the waitlist in this transaction.
    pub async fn cancel_registration(&self, actor: &Actor, event_id: &str) -> AppResult<()> {
        let view = self.event(Some(actor), event_id).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let event = store::lock_event(&mut tx, event_id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        let Some(reg) = store::registration(&mut tx, event_id, &actor.user_id)
            .await?
            .filter(|r| r.status != CANCELLED)
        else {
            return Err(AppError::conflict(
                "event",
                "You are not registered for this event.",
            ));
        };
        store::set_status(&mut tx, &reg.id, CANCELLED, now).await?;
        if reg.status == REGISTERED {
            store::add_seats(&mut tx, event_id, -1).await?;
            if let Some(t) = &reg.ticket_type_id {
                tickets_store::add_taken(&mut tx, t, -1).await?;
            }
        }
        activity::record(
            &mut tx,
            Some(&event.community_id),
            Some(&actor.user_id),
            "event_cancelled",
            "event",
            event_id,
            json!({"was": reg.status}),
            now,
        )
        .await?;
        if event.ends_at > now {
            self.promote_waitlist(&mut tx, &view, now).await?;
        }
        self.commit(tx).await
    }

    /// Fills free seats from the waitlist, first come first served within each ticket type,
    /// telling each promoted member by e-mail. The caller holds the event's row lock.
    pub(crate) async fn promote_waitlist(
        &self,
        tx: &mut Tx,
        view: &EventView,
        now: i64,
    ) -> AppResult<()> {
        loop {
            let event = store::event_by_id(&mut *tx, &view.event.id)
                .await?
                .ok_or(AppError::NotFound("event"))?;
            if event.capacity.is_some_and(|c| event.registered_count >= c) {
                return Ok(());
            }
            let Some(next) = store::first_waitlisted(tx, &event.id).await? else {
                return Ok(());
            };
            let Some(type_id) = &next.ticket_type_id else {
                return Ok(());
            };
            if !tickets_store::take_seat(tx, type_id).await? {
                return Ok(());
            }
            store::set_status(tx, &next.id, REGISTERED, now).await?;
            store::add_seats(tx, &event.id, 1).await?;
            activity::record(
                tx,
                Some(&event.community_id),
                Some(&next.user_id),
                "event_promoted",
                "event",
                &event.id,
                json!({}),
                now,
            )
            .await?;
            if let Some(user) =
                townsquare_store::accounts::user_by_id(&mut *tx, &next.user_id).await?
            {
                let (subject, body) =
                    self.promotion_mail(&view.community, &event, &user.display_name);
                mail::enqueue(tx, &user.email, &subject, &body, now).await?;
            }
        }
    }

    fn promotion_mail(&self, c: &CommunityView, e: &EventRow, name: &str) -> (String, String) {
        let tz = time_zones::parse_or_utc(&e.time_zone);
        let place = if e.online_url.is_empty() {
            format!("Where: {}", e.venue)
        } else if e.venue.is_empty() {
            format!("Join online: {}", e.online_url)
        } else {
            format!("Where: {}\nJoin online: {}", e.venue, e.online_url)
        };
        let url = self.event_url(&c.community.slug, &e.id);
        let subject = format!("You have a seat: {}", e.title);
        let body = format!(
            "Hello {name},\n\nA seat freed up and you were next on the waitlist: you are now \
             registered for {title} in {community}.\n\n\
             When: {start} – {end}\n{place}\n\n\
             Details and add to calendar: {url}\n\n\
             Cannot make it after all? Cancel on the event page so the next person gets the seat.\n",
            title = e.title,
            community = c.community.name,
            start = local_label(e.starts_at, tz),
            end = local_label(e.ends_at, tz),
        );
        (subject, body)
    }

    pub fn event_url(&self, community_slug: &str, event_id: &str) -> String {
        format!(
            "{}/c/{community_slug}/events/{event_id}",
            self.settings().base_url
        )
    }
}
