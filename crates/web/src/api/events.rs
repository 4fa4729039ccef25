//! Events in the API: an events space's events, scheduling and editing (hosts), one event,
//! and the caller's registration.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use townsquare_app::event_series::SeriesView;
use townsquare_app::events::{format_filter, local_input, EventView};
use townsquare_app::store::events::EventRow;
use townsquare_domain::event_calendar::Month;
use townsquare_domain::events::EventDraft;
use townsquare_domain::registration_questions::QuestionDraft;
use townsquare_domain::ticket_types::TicketTypeDraft;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/spaces/{space}/events",
        get(list_events),
    )
    .post(
        "/api/v1/communities/{slug}/spaces/{space}/events",
        post(create_event),
    )
    .get("/api/v1/communities/{slug}/events", get(community_events))
    .get("/api/v1/events/{id}", get(show_event))
    .put("/api/v1/events/{id}", put(update_event))
    .post("/api/v1/events/{id}/registration", post(register))
    .delete("/api/v1/events/{id}/registration", delete(cancel))
    .post("/api/v1/events/{id}/cancel", post(cancel_event))
    .get("/api/v1/events/{id}/attendance", get(attendance))
    .get("/api/v1/event-series/{id}", get(show_series))
    .put("/api/v1/event-series/{id}", put(update_series))
    .post("/api/v1/event-series/{id}/cancel", post(cancel_series))
    .put(
        "/api/v1/events/{id}/attendance/{user_id}",
        put(set_attendance),
    )
}

#[derive(Serialize, ToSchema)]
pub struct Event {
    id: String,
    space_id: String,
    title: String,
    /// Markdown source.
    description: String,
    /// webinar, workshop, ama, networking or meetup.
    format: String,
    /// UTC, RFC 3339.
    starts_at: String,
    ends_at: String,
    /// The IANA time zone the event was scheduled in, and its wall-clock times there.
    time_zone: String,
    starts_at_local: String,
    ends_at_local: String,
    venue: String,
    /// Whether the event has an online link (shown in `online_url` to registrants and hosts).
    online: bool,
    online_url: Option<String>,
    capacity: Option<i64>,
    registration_deadline: Option<String>,
    registered: i64,
    /// Calendar SEQUENCE: grows with every edit.
    sequence: i64,
    /// Reminder e-mails to registrants, as minutes before the start (largest first).
    reminder_minutes: Vec<i64>,
    /// RFC 3339, when a host called the event off; null otherwise.
    cancelled_at: Option<String>,
    /// The host's reason, when cancelled.
    cancel_reason: Option<String>,
    /// The recurring series this is an occurrence of (see `/api/v1/event-series/{id}`).
    series_id: Option<String>,
    /// An occurrence's original start (RFC 5545 RECURRENCE-ID), RFC 3339.
    recurrence_id: Option<String>,
    /// An occurrence edited on its own: editing the series leaves it as it is.
    edited_alone: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    event: Event,
    waitlisted: i64,
    /// The caller's registration: registered, waitlisted, or null.
    my_status: Option<String>,
    /// 1 for the first in line, when the caller is waitlisted.
    waitlist_position: Option<i64>,
    /// What registrants are asked, in order; answer them by `id` when registering.
    questions: Vec<RegistrationQuestion>,
    /// The caller's own answers, when registered or waitlisted.
    my_answers: Vec<MyAnswer>,
    /// What the event offers, in order; register with one's `id`.
    ticket_types: Vec<TicketTypeOut>,
    /// The ticket type the caller holds or waits for.
    my_ticket_type_id: Option<String>,
    /// For an occurrence of a recurring event: the series and its dates.
    series: Option<Series>,
}

#[derive(Serialize, ToSchema)]
pub struct Series {
    id: String,
    /// The RRULE (weekly or monthly, ended by COUNT or UNTIL; UNTIL in UTC).
    rule: String,
    /// The rule in words: "every week on Tuesday, 8 times".
    description: String,
    /// The IANA time zone whose clock the occurrences keep.
    time_zone: String,
    /// RFC 3339, when a host cancelled the series.
    cancelled_at: Option<String>,
    /// By original start.
    occurrences: Vec<Occurrence>,
}

#[derive(Serialize, ToSchema)]
pub struct Occurrence {
    /// The event id of this date.
    id: String,
    starts_at: String,
    starts_at_local: String,
    ends_at: String,
    /// The original start (RECURRENCE-ID), RFC 3339.
    recurrence_id: Option<String>,
    cancelled: bool,
    edited_alone: bool,
}

fn series_out(v: SeriesView) -> Series {
    let tz = v.time_zone();
    Series {
        id: v.series.id,
        rule: v.series.rule,
        description: v.description,
        time_zone: v.series.time_zone,
        cancelled_at: v.series.cancelled_at.map(iso),
        occurrences: v
            .occurrences
            .into_iter()
            .map(|o| Occurrence {
                starts_at: iso(o.starts_at),
                starts_at_local: local_input(o.starts_at, tz),
                ends_at: iso(o.ends_at),
                recurrence_id: o.recurrence_id.map(iso),
                cancelled: o.cancelled_at.is_some(),
                edited_alone: o.edited_alone,
                id: o.id,
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TicketTypeOut {
    id: String,
    name: String,
    /// Shown only ("Free", "€0 — sponsored"); nothing is charged.
    price_label: String,
    description: String,
    /// Seats of this type; null for no limit of its own (the event's capacity still holds).
    quantity: Option<i64>,
    /// Seats of this type taken.
    taken: i64,
    /// Seats of this type still free (null without a quantity).
    available: Option<i64>,
    /// Members waiting for this type, first come first served.
    waitlisted: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationQuestion {
    id: String,
    prompt: String,
    /// text (a short answer) or choice (one of `options`).
    kind: String,
    required: bool,
    options: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MyAnswer {
    prompt: String,
    answer: String,
}

fn event(e: EventRow, online_url: Option<String>) -> Event {
    let tz = townsquare_domain::time_zones::parse_or_utc(&e.time_zone);
    Event {
        starts_at: iso(e.starts_at),
        ends_at: iso(e.ends_at),
        starts_at_local: local_input(e.starts_at, tz),
        ends_at_local: local_input(e.ends_at, tz),
        registration_deadline: e.registration_deadline.map(iso),
        online: !e.online_url.is_empty(),
        online_url,
        id: e.id,
        space_id: e.space_id,
        title: e.title,
        description: e.description,
        format: e.format,
        time_zone: e.time_zone,
        venue: e.venue,
        capacity: e.capacity,
        registered: e.registered_count,
        sequence: e.sequence,
        reminder_minutes: townsquare_domain::events::stored_reminders(&e.reminder_minutes),
        cancelled_at: e.cancelled_at.map(iso),
        cancel_reason: e.cancelled_at.map(|_| e.cancel_reason.clone()),
        series_id: e.series_id,
        recurrence_id: e.recurrence_id.map(iso),
        edited_alone: e.edited_alone,
    }
}

async fn detail(state: &AppState, v: EventView) -> Result<EventDetail, ApiError> {
    let questions = state
        .app
        .event_questions(&v.event.id)
        .await?
        .into_iter()
        .map(|q| RegistrationQuestion {
            id: q.id,
            prompt: q.question.prompt,
            kind: q.question.kind.as_str().into(),
            required: q.question.required,
            options: q.question.options,
        })
        .collect();
    let my_answers = state
        .app
        .my_registration_answers(&v)
        .await?
        .into_iter()
        .map(|(prompt, answer)| MyAnswer { prompt, answer })
        .collect();
    let ticket_types = state
        .app
        .ticket_types(&v)
        .await?
        .into_iter()
        .map(|t| TicketTypeOut {
            available: t.row.left(),
            id: t.row.id,
            name: t.row.name,
            price_label: t.row.price_label,
            description: t.row.description,
            quantity: t.row.quantity,
            taken: t.row.taken,
            waitlisted: t.waitlisted,
        })
        .collect();
    let series = state.app.series_of(&v).await?.map(series_out);
    let online_url = v.online_url().map(str::to_string);
    Ok(EventDetail {
        series,
        questions,
        my_answers,
        ticket_types,
        my_ticket_type_id: v
            .registration
            .as_ref()
            .and_then(|r| r.ticket_type_id.clone()),
        waitlisted: v.waitlisted,
        my_status: v.registration.map(|r| r.status),
        waitlist_position: v.waitlist_position,
        event: event(v.event, online_url),
    })
}

#[derive(Serialize, ToSchema)]
pub struct EventLists {
    /// Not yet over, soonest first.
    upcoming: Vec<Event>,
    /// Over, latest first.
    past: Vec<Event>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// Only events of this format: webinar, workshop, ama, networking or meetup.
    format: Option<String>,
}

/// An events space's upcoming and past events (whoever may see the space), of one format
/// if asked.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/spaces/{space}/events", tag = "events",
    params(("slug" = String, Path), ("space" = String, Path), FormatQuery),
    responses((status = 200, body = EventLists), (status = 404), (status = 422)))]
pub async fn list_events(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space)): Path<(String, String)>,
    Query(q): Query<FormatQuery>,
) -> Result<Json<EventLists>, ApiError> {
    let view = state.app.space(ctx.0.actor.as_ref(), &slug, &space).await?;
    let format = format_filter(q.format.as_deref())?;
    let (upcoming, past) = state.app.space_events(&view, format).await?;
    Ok(Json(EventLists {
        upcoming: upcoming.into_iter().map(|e| event(e, None)).collect(),
        past: past.into_iter().map(|e| event(e, None)).collect(),
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CommunityEventsQuery {
    /// Only events of this format: webinar, workshop, ama, networking or meetup.
    format: Option<String>,
    /// A month (YYYY-MM) on the community's clock: the events starting in it. Left out:
    /// the events not yet over.
    month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityEvents {
    /// The month asked for (YYYY-MM), or null for upcoming events.
    month: Option<String>,
    /// The community's time zone, whose clock the month is read on.
    time_zone: String,
    /// By start time.
    events: Vec<Event>,
}

/// A community's events across the events spaces the caller may see: those not yet over,
/// or those starting in one month; of one format if asked.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/events", tag = "events",
    params(("slug" = String, Path), CommunityEventsQuery),
    responses((status = 200, body = CommunityEvents), (status = 404), (status = 422)))]
pub async fn community_events(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<CommunityEventsQuery>,
) -> Result<Json<CommunityEvents>, ApiError> {
    let c = state
        .app
        .community_events(ctx.0.actor.as_ref(), &slug)
        .await?;
    let format = format_filter(q.format.as_deref())?;
    let tz = c.time_zone();
    let month = match q.month.as_deref() {
        None => None,
        Some(m) => {
            Some(Month::parse(m).map_err(|e| townsquare_app::AppError::invalid("month", e))?)
        }
    };
    let events = match month {
        Some(m) => {
            state
                .app
                .events_in_month(&c.events_spaces, m, tz, format)
                .await?
        }
        None => state.app.upcoming_events(&c.events_spaces, format).await?,
    };
    Ok(Json(CommunityEvents {
        month: month.map(Month::as_param),
        time_zone: tz.name().to_string(),
        events: events.into_iter().map(|e| event(e, None)).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct EventBody {
    title: Option<String>,
    /// Markdown.
    description: Option<String>,
    /// webinar, workshop, ama, networking or meetup.
    format: Option<String>,
    /// Wall-clock time in `time_zone`, e.g. 2026-03-30T09:00.
    starts_at: Option<String>,
    ends_at: Option<String>,
    /// IANA name; the community's time zone when left out.
    time_zone: Option<String>,
    online_url: Option<String>,
    venue: Option<String>,
    /// Seats; null or left out for no limit.
    capacity: Option<i64>,
    /// Wall-clock time in `time_zone`.
    registration_deadline: Option<String>,
    /// Reminder e-mails, e.g. "24h, 1h" ("" for none). Left out: 24 hours and 1 hour
    /// before for a new event; unchanged for an edit.
    reminders: Option<String>,
    /// Registration questions (at most 5). Left out: none for a new event, unchanged for an
    /// edit; `[]` removes them. Errors name `question_<n>_<part>`, n counted from 1.
    questions: Option<Vec<QuestionBody>>,
    /// Ticket types (1 to 10), in display order. Left out: "General admission" without a
    /// limit of its own for a new event, unchanged for an edit. Give an existing type's `id`
    /// to change it in place; a type left out is removed (refused while members hold or wait
    /// for it). Errors name `ticket_type_<n>_<part>`, n counted from 1, or `ticket_types`.
    ticket_types: Option<Vec<TicketTypeBody>>,
    /// When scheduling: repeat the event by this rule, an iCalendar RRULE subset — FREQ
    /// WEEKLY or MONTHLY, ended by COUNT or UNTIL (a date, or a date-time on the event's
    /// clock), with INTERVAL, BYDAY (e.g. TU, 1TH) and BYMONTHDAY; at most 52 dates. Each date
    /// becomes its own event at the same wall-clock time; the first one is returned, with
    /// `series`. A rule that is not supported is a 422 naming `recurrence`.
    recurrence: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct TicketTypeBody {
    /// An existing type's id, to change it in place.
    id: Option<String>,
    name: Option<String>,
    /// Shown only, e.g. "Free" or "€0 — sponsored".
    price_label: Option<String>,
    description: Option<String>,
    /// Seats of this type (1 to 100000); null or left out for no limit of its own. Not lower
    /// than the seats already taken of it.
    quantity: Option<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct QuestionBody {
    prompt: Option<String>,
    /// text (default) or choice.
    kind: Option<String>,
    #[serde(default)]
    required: bool,
    /// The choices of a `choice` question (2 to 10).
    #[serde(default)]
    options: Vec<String>,
}

impl EventBody {
    fn draft(self) -> EventDraft {
        EventDraft {
            title: self.title.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            format: self.format.unwrap_or_default(),
            starts_at: self.starts_at.unwrap_or_default(),
            ends_at: self.ends_at.unwrap_or_default(),
            time_zone: self.time_zone.unwrap_or_default(),
            online_url: self.online_url.unwrap_or_default(),
            venue: self.venue.unwrap_or_default(),
            capacity: self.capacity.map(|c| c.to_string()).unwrap_or_default(),
            registration_deadline: self.registration_deadline.unwrap_or_default(),
            reminders: self.reminders,
            questions: self.questions.map(|qs| {
                qs.into_iter()
                    .map(|q| QuestionDraft {
                        prompt: q.prompt.unwrap_or_default(),
                        kind: q.kind.unwrap_or_default(),
                        required: q.required,
                        options: q.options,
                    })
                    .collect()
            }),
            ticket_types: self.ticket_types.map(|ts| {
                ts.into_iter()
                    .map(|t| TicketTypeDraft {
                        id: t.id.unwrap_or_default(),
                        name: t.name.unwrap_or_default(),
                        price_label: t.price_label.unwrap_or_default(),
                        description: t.description.unwrap_or_default(),
                        quantity: t.quantity.map(|q| q.to_string()).unwrap_or_default(),
                    })
                    .collect()
            }),
        }
    }
}

/// Schedule an event in an events space (community admins and owners).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/spaces/{space}/events", tag = "events", security(("bearer" = [])),
    params(("slug" = String, Path), ("space" = String, Path)), request_body = EventBody,
    responses((status = 201, body = EventDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn create_event(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space)): Path<(String, String)>,
    JsonBody(mut b): JsonBody<EventBody>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let recurrence = b.recurrence.take().filter(|r| !r.trim().is_empty());
    let row = match recurrence {
        Some(rule) => state
            .app
            .create_event_series(actor, &slug, &space, &b.draft(), &rule)
            .await?
            .into_iter()
            .next()
            .ok_or(townsquare_app::AppError::NotFound("event"))?,
        None => {
            state
                .app
                .create_event(actor, &slug, &space, &b.draft())
                .await?
        }
    };
    let view = state.app.event(Some(actor), &row.id).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, view).await?)))
}

/// One event, with the caller's registration. The online link is for registrants and hosts.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = EventDetail), (status = 404)))]
pub async fn show_event(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<EventDetail>, ApiError> {
    let view = state.app.event(ctx.0.actor.as_ref(), &id).await?;
    Ok(Json(detail(&state, view).await?))
}

/// Replace an event's details (community admins and owners); the calendar SEQUENCE grows.
/// On an occurrence of a series this edits that date alone (`edited_alone` becomes true).
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EventBody,
    responses((status = 200, body = EventDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn update_event(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<EventBody>,
) -> Result<Json<EventDetail>, ApiError> {
    let actor = ctx.actor()?;
    state.app.update_event(actor, &id, &b.draft()).await?;
    Ok(Json(
        detail(&state, state.app.event(Some(actor), &id).await?).await?,
    ))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RegisterBody {
    /// Answers to the event's registration questions, by question id. A missing required
    /// answer or a choice that is not an option is a 422 naming `answer_<question id>`.
    #[serde(default)]
    answers: HashMap<String, String>,
    /// The ticket type to register for (an id from `ticket_types`); may be left out when the
    /// event offers only one. Sold out: the caller joins that type's waitlist.
    ticket_type_id: Option<String>,
}

/// Register for an event (members) with a ticket type, answering its registration questions.
/// When the type is sold out or the event full, the caller joins that type's waitlist. The body may be left out when there is nothing to answer.
#[utoipa::path(post, path = "/api/v1/events/{id}/registration", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = RegisterBody, description = "Optional: answers to the registration questions"),
    responses((status = 200, body = EventDetail), (status = 403), (status = 404), (status = 409, description = "Already registered or waitlisted"), (status = 422, description = "Over, past the deadline, no or an unknown ticket type, or an answer missing or not an option")))]
pub async fn register(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<EventDetail>, ApiError> {
    let actor = ctx.actor()?;
    let b: RegisterBody = if body.iter().all(u8::is_ascii_whitespace) {
        RegisterBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError(townsquare_app::AppError::invalid(
                "body",
                format!("The JSON body could not be read: {e}."),
            ))
        })?
    };
    state
        .app
        .register_with_answers(actor, &id, b.ticket_type_id.as_deref(), &b.answers)
        .await?;
    Ok(Json(
        detail(&state, state.app.event(Some(actor), &id).await?).await?,
    ))
}

/// Cancel one's registration or waitlist place; a freed seat goes to the first in line.
#[utoipa::path(delete, path = "/api/v1/events/{id}/registration", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404), (status = 409, description = "Not registered")))]
pub async fn cancel(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.cancel_registration(ctx.actor()?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Registrant {
    user_id: String,
    display_name: String,
    /// registered or waitlisted.
    status: String,
    /// The name of the ticket type held or waited for.
    ticket_type: String,
    /// RFC 3339, when checked in.
    checked_in_at: Option<String>,
    /// Answers to the registration questions by question id (unanswered ones left out).
    answers: HashMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct Attendance {
    registered: i64,
    checked_in: i64,
    /// Checked in ÷ registered, in whole percent; null before anyone registered.
    attendance_rate_percent: Option<i64>,
    /// Attendees who asked or upvoted a question or voted in a poll.
    participants: i64,
    /// Participants ÷ checked in, in whole percent; null before anyone was checked in.
    participation_rate_percent: Option<i64>,
    registrants: Vec<Registrant>,
}

async fn attendance_of(state: &AppState, view: &EventView) -> Result<Attendance, ApiError> {
    let (questions, registrants) = state.app.registrant_answers(view).await?;
    let p = state.app.participation(view).await?;
    Ok(Attendance {
        participants: p.participants,
        participation_rate_percent: p.participation_rate(),
        registered: p.registered,
        checked_in: p.checked_in,
        attendance_rate_percent: p.attendance_rate(),
        registrants: registrants
            .into_iter()
            .map(|ra| {
                let r = ra.registrant;
                Registrant {
                    answers: questions
                        .iter()
                        .zip(ra.answers)
                        .filter_map(|(q, a)| a.map(|a| (q.id.clone(), a)))
                        .collect(),
                    user_id: r.user_id,
                    display_name: r.display_name,
                    status: r.status,
                    ticket_type: r.ticket_type,
                    checked_in_at: r.checked_in_at.map(iso),
                }
            })
            .collect(),
    })
}

/// Who registered and who was checked in (the event's hosts).
#[utoipa::path(get, path = "/api/v1/events/{id}/attendance", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Attendance), (status = 403), (status = 404)))]
pub async fn attendance(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Attendance>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    Ok(Json(attendance_of(&state, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceBody {
    /// true to check the registrant in, false to take it back.
    present: bool,
}

/// Check a registrant in, or take it back (the event's hosts; from an hour before the start
/// until a week after the end).
#[utoipa::path(put, path = "/api/v1/events/{id}/attendance/{user_id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("user_id" = String, Path)), request_body = AttendanceBody,
    responses((status = 200, body = Attendance), (status = 403), (status = 404), (status = 422)))]
pub async fn set_attendance(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<AttendanceBody>,
) -> Result<Json<Attendance>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state
        .app
        .set_attendance(actor, &view, &user_id, b.present)
        .await?;
    Ok(Json(attendance_of(&state, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CancelEventBody {
    /// Told to everyone registered or waiting.
    reason: Option<String>,
}

/// Call an event off (community admins and owners): registrants and the waitlist are
/// e-mailed the reason, and calendars show it cancelled (STATUS:CANCELLED, a new SEQUENCE).
#[utoipa::path(post, path = "/api/v1/events/{id}/cancel", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CancelEventBody,
    responses((status = 200, body = EventDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn cancel_event(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CancelEventBody>,
) -> Result<Json<EventDetail>, ApiError> {
    let actor = ctx.actor()?;
    state
        .app
        .cancel_event(actor, &id, b.reason.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(
        detail(&state, state.app.event(Some(actor), &id).await?).await?,
    ))
}

/// A recurring event's series and its dates (whoever may see its events).
#[utoipa::path(get, path = "/api/v1/event-series/{id}", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = Series), (status = 404)))]
pub async fn show_series(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Series>, ApiError> {
    let view = state.app.event_series(ctx.0.actor.as_ref(), &id).await?;
    Ok(Json(series_out(view)))
}

/// Edit a series (its hosts): every future date not edited on its own takes the body's title,
/// description, format, places, capacity and reminders, and the wall-clock time and length of
/// its `starts_at`/`ends_at` on its own date, and the body's ticket types and questions when
/// given (a type is matched on each date by the one its `id` names, or by name; one left out
/// is removed). The time zone stays the series'. A capacity below the seats taken, or a ticket
/// type members hold left out or cut below its tickets taken, on some date is a 422 naming
/// the date; nothing is saved then.
#[utoipa::path(put, path = "/api/v1/event-series/{id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EventBody,
    responses((status = 200, body = Series), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_series(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<EventBody>,
) -> Result<Json<Series>, ApiError> {
    let actor = ctx.actor()?;
    let view = state
        .app
        .update_event_series(actor, &id, &b.draft())
        .await?;
    Ok(Json(series_out(view)))
}

/// Cancel a series (its hosts): its future dates are called off and everyone registered or
/// waiting is e-mailed the reason; past dates stay.
#[utoipa::path(post, path = "/api/v1/event-series/{id}/cancel", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CancelEventBody,
    responses((status = 200, body = Series), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn cancel_series(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CancelEventBody>,
) -> Result<Json<Series>, ApiError> {
    let actor = ctx.actor()?;
    let view = state
        .app
        .cancel_event_series(actor, &id, b.reason.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(series_out(view)))
}
