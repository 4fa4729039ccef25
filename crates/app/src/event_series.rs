//! Recurring events: a host schedules an event with a rule (weekly or monthly, ended by COUNT
//! or UNTIL; see `domain::recurrence`) and gets one ordinary event per date, linked to the
//! series with its original start, so registration, reminders and check-in work per date.
//! Editing the series changes its future occurrences that were not edited alone, keeping each
//! on its own date at the new wall-clock time; cancelling it calls off its future occurrences,
//! each registrant e-mailed as for any cancellation. Each is one transaction.

use crate::events::{check_capacity, local_label, row_of, validate_all, EventView};
use crate::{activity, Actor, App, AppError, AppResult};
use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::events::{self as rules, EventDraft, EventFields};
use townsquare_domain::recurrence;
use townsquare_domain::registration_questions::Question;
use townsquare_domain::ticket_types::TicketType;
use townsquare_domain::{new_id, policy, time_zones, SpaceKind};
use townsquare_store::event_series::{self as store, SeriesRow};
use townsquare_store::events::{self as events_store, EventRow};
use townsquare_store::ticket_types as tickets_store;
use townsquare_store::Tx;

/// What a series' occurrences are made from (stored as JSON on the series).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template {
    pub title: String,
    pub description: String,
    pub format: String,
    pub online_url: String,
    pub venue: String,
    pub capacity: Option<i64>,
    pub reminder_minutes: Vec<i64>,
    /// The wall-clock start on the series' clock, "HH:MM".
    pub start_time: String,
    pub length_minutes: i64,
    /// How long before each start registration closes, if it does.
    pub deadline_minutes_before: Option<i64>,
}

impl Template {
    pub(crate) fn of(fields: &EventFields) -> Template {
        Template {
            title: fields.title.clone(),
            description: fields.description.clone(),
            format: fields.format.as_str().into(),
            online_url: fields.online_url.clone(),
            venue: fields.venue.clone(),
            capacity: fields.capacity,
            reminder_minutes: fields.reminder_minutes.clone(),
            start_time: chrono::DateTime::from_timestamp_micros(fields.starts_at)
                .map(|t| {
                    t.with_timezone(&fields.time_zone)
                        .format("%H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            length_minutes: (fields.ends_at - fields.starts_at) / 60_000_000,
            deadline_minutes_before: fields
                .registration_deadline
                .map(|d| (fields.starts_at - d) / 60_000_000),
        }
    }
}

/// A series as a viewer sees it: its rule in words and its dates.
#[derive(Debug, Clone)]
pub struct SeriesView {
    pub series: SeriesRow,
    /// "every week on Tuesday, 8 times".
    pub description: String,
    pub occurrences: Vec<EventRow>,
    pub can_host: bool,
}

impl SeriesView {
    pub fn time_zone(&self) -> time_zones::Tz {
        time_zones::parse_or_utc(&self.series.time_zone)
    }
}

/// The start of an occurrence moved to `time` on its original date (series' clock).
fn start_on_own_date(recurrence_id: i64, time: NaiveTime, tz: time_zones::Tz) -> i64 {
    let date = chrono::DateTime::from_timestamp_micros(recurrence_id)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default();
    time_zones::to_utc(date.and_time(time), tz)
}

/// Writes a series and its occurrences in the caller's transaction; returns the occurrences.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn materialise(
    tx: &mut Tx,
    series: &SeriesRow,
    fields: &EventFields,
    starts: &[i64],
    questions: Option<&[Question]>,
    ticket_types: &[TicketType],
    now: i64,
) -> AppResult<Vec<EventRow>> {
    store::insert_series(tx, series).await?;
    let length = fields.ends_at - fields.starts_at;
    let deadline_before = fields.registration_deadline.map(|d| fields.starts_at - d);
    let mut rows = Vec::with_capacity(starts.len());
    for &start in starts {
        let row = EventRow {
            id: new_id(),
            community_id: series.community_id.clone(),
            space_id: series.space_id.clone(),
            title: fields.title.clone(),
            description: fields.description.clone(),
            format: fields.format.as_str().into(),
            starts_at: start,
            ends_at: start + length,
            time_zone: fields.time_zone.name().into(),
            online_url: fields.online_url.clone(),
            venue: fields.venue.clone(),
            capacity: fields.capacity,
            registration_deadline: deadline_before.map(|b| start - b),
            registered_count: 0,
            sequence: 0,
            reminder_minutes: rules::store_reminders(&fields.reminder_minutes),
            cancelled_at: None,
            cancel_reason: String::new(),
            created_by: series.created_by.clone(),
            created_at: now,
            updated_at: now,
            series_id: Some(series.id.clone()),
            recurrence_id: Some(start),
            edited_alone: false,
        };
        events_store::insert_event(tx, &row).await?;
        if let Some(q) = questions {
            crate::registration_questions::save_questions(tx, &row.id, q).await?;
        }
        let types: Vec<TicketType> = ticket_types
            .iter()
            .map(|t| TicketType {
                id: None,
                ..t.clone()
            })
            .collect();
        crate::ticket_types::save_ticket_types(tx, &row.id, &types, now).await?;
        rows.push(row);
    }
    Ok(rows)
}

impl App {
    /// Schedules a recurring event (hosts): the draft is the first date's event, `rule` the
    /// recurrence. Returns the occurrences, the first first.
    pub async fn create_event_series(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
        draft: &EventDraft,
        rule: &str,
    ) -> AppResult<Vec<EventRow>> {
        let space = self.space(Some(actor), community_slug, space_slug).await?;
        if !policy::can_host_events(&space.community.viewer) {
            return Err(AppError::Forbidden(
                "Only the community's admins can host events.".into(),
            ));
        }
        if crate::spaces::kind_of(&space.space) != SpaceKind::Events {
            return Err(AppError::invalid(
                "space",
                "Events are scheduled in an events space.",
            ));
        }
        let tz = time_zones::parse_or_utc(&space.community.community.time_zone);
        let checked = validate_all(draft, tz);
        let (fields, questions, ticket_types) = match checked {
            Ok(c) => c,
            Err(AppError::Invalid(mut errors)) => {
                // Say what is wrong with the rule too, when it can be read at all.
                if let Some(start) = local_start(draft) {
                    let zone = time_zones::parse(&draft.time_zone).unwrap_or(tz);
                    if let Err(m) = recurrence::expand(rule, start, zone) {
                        errors.add("recurrence", m);
                    }
                }
                return Err(AppError::Invalid(errors));
            }
            Err(e) => return Err(e),
        };
        let first_local = chrono::DateTime::from_timestamp_micros(fields.starts_at)
            .map(|t| t.with_timezone(&fields.time_zone).naive_local())
            .unwrap_or_default();
        let expansion = recurrence::expand(rule, first_local, fields.time_zone)
            .map_err(|m| AppError::invalid("recurrence", m))?;
        let now = self.now();
        let series = SeriesRow {
            id: new_id(),
            community_id: space.space.community_id.clone(),
            space_id: space.space.id.clone(),
            rule: expansion.rule.clone(),
            time_zone: fields.time_zone.name().into(),
            template: serde_json::to_string(&Template::of(&fields)).unwrap_or_default(),
            created_by: actor.user_id.clone(),
            created_at: now,
            updated_at: now,
            cancelled_at: None,
            sequence: 0,
        };
        let ticket_types = ticket_types.unwrap_or_else(|| vec![TicketType::general_admission()]);
        let mut tx = self.db().begin().await?;
        let rows = materialise(
            &mut tx,
            &series,
            &fields,
            &expansion.starts,
            questions.as_deref(),
            &ticket_types,
            now,
        )
        .await?;
        for row in &rows {
            self.schedule_followups(&mut tx, row).await?;
            activity::record(
                &mut tx,
                Some(&row.community_id),
                Some(&actor.user_id),
                "event_created",
                "event",
                &row.id,
                json!({"title": row.title, "format": row.format, "starts_at": row.starts_at,
                       "series_id": series.id}),
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(rows)
    }

    /// A series the viewer may see (through its space), with its dates.
    pub async fn event_series(&self, actor: Option<&Actor>, id: &str) -> AppResult<SeriesView> {
        let series = store::series_by_id(self.db(), id)
            .await?
            .ok_or(AppError::NotFound("series"))?;
        let occurrences = events_store::occurrences(self.db(), id).await?;
        let Some(first) = occurrences.first() else {
            return Err(AppError::NotFound("series"));
        };
        let view = self
            .event(actor, &first.id)
            .await
            .map_err(|_| AppError::NotFound("series"))?;
        let tz = time_zones::parse_or_utc(&series.time_zone);
        Ok(SeriesView {
            description: recurrence::describe(&series.rule, tz),
            can_host: view.can_host(),
            series,
            occurrences,
        })
    }

    /// Edits a series (hosts): every future occurrence not edited alone takes the new
    /// title, description, format, places, capacity, reminders, and wall-clock time and length
    /// on its own date, and — when the edit gives them — its ticket types and registration
    /// questions. A ticket type of the edit is matched on each date by the type it was edited
    /// from (its id names a type of one of the series' dates; the same name on the others), or
    /// by name; a date's type the edit leaves out is removed. Where that would remove a type
    /// members hold or wait for, or cut one below the tickets taken, nothing is saved and the
    /// error names the date. Registrants of a moved occurrence are e-mailed; a raised capacity
    /// lets its waitlist in. One transaction.
    pub async fn update_event_series(
        &self,
        actor: &Actor,
        id: &str,
        draft: &EventDraft,
    ) -> AppResult<SeriesView> {
        let view = self.event_series(Some(actor), id).await?;
        if !view.can_host {
            return Err(AppError::Forbidden(
                "Only the event's hosts can edit its series.".into(),
            ));
        }
        if view.series.cancelled_at.is_some() {
            return Err(AppError::conflict(
                "series",
                "This series is cancelled and cannot be changed.",
            ));
        }
        let tz = view.time_zone();
        let mut draft = draft.clone();
        draft.time_zone = view.series.time_zone.clone();
        if draft.reminders.is_none() {
            let template: Option<Template> = serde_json::from_str(&view.series.template).ok();
            draft.reminders = template.map(|t| rules::format_reminders(&t.reminder_minutes));
        }
        let (fields, questions, ticket_types) = validate_all(&draft, tz)?;
        // Ticket types by id across the series' dates: an edited type is found on each date
        // by the name it had where the edit started.
        let mut series_types: HashMap<String, String> = HashMap::new();
        if let Some(types) = &ticket_types {
            for o in &view.occurrences {
                for row in tickets_store::ticket_types(self.db(), &o.id).await? {
                    series_types.insert(row.id, row.name);
                }
            }
            let mut errors = townsquare_domain::ValidationErrors::new();
            for t in types {
                if t.id
                    .as_ref()
                    .is_some_and(|id| !series_types.contains_key(id))
                {
                    errors.add(
                        &townsquare_domain::ticket_types::field(t.row, "id"),
                        "This ticket type is not one of the series'.",
                    );
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
        }
        let time = chrono::DateTime::from_timestamp_micros(fields.starts_at)
            .map(|t| t.with_timezone(&tz).time())
            .unwrap_or_default();
        let length = fields.ends_at - fields.starts_at;
        let deadline_before = fields.registration_deadline.map(|d| fields.starts_at - d);
        let now = self.now();
        // The views (community, space, viewer) of the occurrences to change, read first.
        let mut targets: Vec<EventView> = Vec::new();
        for o in &view.occurrences {
            if o.starts_at > now && !o.edited_alone && o.cancelled_at.is_none() {
                targets.push(self.event(Some(actor), &o.id).await?);
            }
        }
        let mut tx = self.db().begin().await?;
        store::lock_series(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("series"))?;
        store::update_template(
            &mut tx,
            id,
            &serde_json::to_string(&Template::of(&fields)).unwrap_or_default(),
            now,
        )
        .await?;
        for target in &targets {
            let current = events_store::lock_event(&mut tx, &target.event.id)
                .await?
                .ok_or(AppError::NotFound("event"))?;
            if current.edited_alone || current.cancelled_at.is_some() {
                continue;
            }
            let when = format!(" for {}", local_label(current.starts_at, tz));
            check_capacity(fields.capacity, &current, &when)?;
            let start =
                start_on_own_date(current.recurrence_id.unwrap_or(current.starts_at), time, tz);
            let row = EventRow {
                starts_at: start,
                ends_at: start + length,
                registration_deadline: deadline_before.map(|b| start - b),
                edited_alone: false,
                ..row_of(fields.clone(), current.clone())
            };
            events_store::update_event(&mut tx, &row, now).await?;
            if let Some(types) = &ticket_types {
                let existing = tickets_store::ticket_types(&mut tx, &current.id).await?;
                let mut taken_ids: Vec<String> = Vec::new();
                let mapped: Vec<TicketType> = types
                    .iter()
                    .map(|t| {
                        let was =
                            t.id.as_ref()
                                .and_then(|id| series_types.get(id))
                                .unwrap_or(&t.name);
                        let id = existing
                            .iter()
                            .find(|e| {
                                e.name.eq_ignore_ascii_case(was) && !taken_ids.contains(&e.id)
                            })
                            .map(|e| e.id.clone());
                        if let Some(id) = &id {
                            taken_ids.push(id.clone());
                        }
                        TicketType { id, ..t.clone() }
                    })
                    .collect();
                match crate::ticket_types::save_ticket_types(&mut tx, &current.id, &mapped, now)
                    .await
                {
                    Err(AppError::Invalid(errors)) => {
                        return Err(AppError::Invalid(on_date(errors, &when)));
                    }
                    other => other?,
                }
            }
            if let Some(questions) = &questions {
                crate::registration_questions::save_questions(&mut tx, &current.id, questions)
                    .await?;
            }
            self.tell_of_new_time(&mut tx, target, &current, &row, now)
                .await?;
            self.promote_waitlist(&mut tx, target, now).await?;
            self.schedule_followups(&mut tx, &row).await?;
        }
        activity::record(
            &mut tx,
            Some(&view.series.community_id),
            Some(&actor.user_id),
            "event_series_updated",
            "event_series",
            id,
            json!({"occurrences": targets.len()}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.event_series(Some(actor), id).await
    }

    /// Cancels a series (hosts): its future occurrences are called off, everyone registered
    /// or waiting e-mailed with the reason; past ones stay as they were.
    pub async fn cancel_event_series(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> AppResult<SeriesView> {
        let view = self.event_series(Some(actor), id).await?;
        if !view.can_host {
            return Err(AppError::Forbidden(
                "Only the event's hosts can cancel its series.".into(),
            ));
        }
        let reason = crate::event_changes::check_reason(reason)?;
        if view.series.cancelled_at.is_some() {
            return Err(AppError::conflict(
                "series",
                "This series is already cancelled.",
            ));
        }
        let now = self.now();
        let mut targets: Vec<EventView> = Vec::new();
        for o in &view.occurrences {
            if o.ends_at > now && o.cancelled_at.is_none() {
                targets.push(self.event(Some(actor), &o.id).await?);
            }
        }
        let mut tx = self.db().begin().await?;
        store::lock_series(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("series"))?;
        store::cancel_series(&mut tx, id, now).await?;
        for target in &targets {
            self.cancel_in(&mut tx, target, &actor.user_id, reason, now)
                .await?;
        }
        activity::record(
            &mut tx,
            Some(&view.series.community_id),
            Some(&actor.user_id),
            "event_series_cancelled",
            "event_series",
            id,
            json!({"reason": reason, "occurrences": targets.len()}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.event_series(Some(actor), id).await
    }
}

/// Errors about one date of a series, each saying which date (`when` is " for <date>").
fn on_date(
    errors: townsquare_domain::ValidationErrors,
    when: &str,
) -> townsquare_domain::ValidationErrors {
    let date = when.trim_start_matches(" for ");
    townsquare_domain::ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                e.message = format!("On {date}: {}", e.message);
                e
            })
            .collect(),
    )
}

/// The draft's start as a wall-clock time, if it reads as one.
fn local_start(draft: &EventDraft) -> Option<NaiveDateTime> {
    let v = draft.starts_at.trim();
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

impl App {
    /// The series an event the viewer sees belongs to, if any, with its dates.
    pub async fn series_of(&self, view: &EventView) -> AppResult<Option<SeriesView>> {
        let Some(id) = &view.event.series_id else {
            return Ok(None);
        };
        let Some(series) = store::series_by_id(self.db(), id).await? else {
            return Ok(None);
        };
        let occurrences = events_store::occurrences(self.db(), id).await?;
        let tz = time_zones::parse_or_utc(&series.time_zone);
        Ok(Some(SeriesView {
            description: recurrence::describe(&series.rule, tz),
            can_host: view.can_host(),
            series,
            occurrences,
        }))
    }
}
