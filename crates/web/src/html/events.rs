//! Event pages: scheduling and editing (hosts), the event page with register and cancel,
//! and the per-event `.ics` download.

use super::{form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use townsquare_app::events::{local_input, local_label, EventView, Registration};
use townsquare_app::registration_questions::EventQuestion;
use townsquare_app::store::events::EventRow;
use townsquare_app::ticket_types::TicketTypeView;
use townsquare_app::AppError;
use townsquare_domain::events::{EventDraft, EventFormat};
use townsquare_domain::registration_questions::{QuestionDraft, QuestionKind, MAX_QUESTIONS};
use townsquare_domain::ticket_types::{
    field as ticket_field, TicketTypeDraft, GENERAL_ADMISSION, MAX_TICKET_TYPES,
};
use townsquare_domain::{markdown, recurrence, time_zones, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/s/{space}/events/new", get(new_form))
        .post("/c/{slug}/s/{space}/events", post(create))
        .get("/c/{slug}/events/{event}", get(show))
        .get("/c/{slug}/events/{event}/edit", get(edit_form))
        .post("/c/{slug}/events/{event}/edit", post(update))
        .post("/c/{slug}/events/{event}/register", post(register))
        .post("/c/{slug}/events/{event}/cancel", post(cancel))
        .post("/c/{slug}/events/{event}/cancel-event", post(cancel_event))
        .get("/c/{slug}/events/{event}/event.ics", get(ics))
}

/// A line in an events space's lists.
pub struct EventItem {
    pub id: String,
    pub title: String,
    pub format_label: &'static str,
    pub when: String,
    pub iso: String,
    pub place: String,
    pub seats: String,
    /// The cover picture's file id, when the list shows covers.
    pub cover: Option<String>,
}

impl EventItem {
    pub fn of(e: &EventRow) -> EventItem {
        let tz = time_zones::parse_or_utc(&e.time_zone);
        EventItem {
            id: e.id.clone(),
            title: e.title.clone(),
            format_label: EventFormat::parse(&e.format)
                .map(|f| f.label())
                .unwrap_or("Event"),
            when: local_label(e.starts_at, tz),
            iso: iso(e.starts_at),
            place: place_label(e),
            seats: seats_label(e),
            cover: None,
        }
    }
}

fn place_label(e: &EventRow) -> String {
    match (e.venue.is_empty(), e.online_url.is_empty()) {
        (false, true) => e.venue.clone(),
        (false, false) => format!("{} and online", e.venue),
        _ => "Online".into(),
    }
}

fn seats_label(e: &EventRow) -> String {
    if e.cancelled_at.is_some() {
        return "Cancelled".into();
    }
    match e.capacity {
        Some(c) if e.registered_count >= c => format!("Full ({c} seats) · waitlist open"),
        Some(c) => format!("{} of {c} seats taken", e.registered_count),
        None => format!("{} registered", e.registered_count),
    }
}

#[derive(Deserialize, Default, Clone)]
struct FormValues {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    online_url: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    registration_deadline: String,
    /// "24h, 1h"; empty for no reminders.
    #[serde(default)]
    reminders: String,
    /// When scheduling: "" (once), "weekly", "monthly" (with `repeat_count` or
    /// `repeat_until`), or "custom" for the RRULE in `recurrence`.
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    repeat_count: String,
    #[serde(default)]
    repeat_until: String,
    #[serde(default)]
    recurrence: String,
    /// When editing an occurrence: "series" changes the series' future dates, anything else
    /// this date alone.
    #[serde(default)]
    scope: String,
    /// The registration question rows: `question_<n>_prompt`, `_kind`, `_required`,
    /// `_options` for n = 1..=5 (and anything else the form carried, such as the CSRF token).
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

impl FormValues {
    fn question_drafts(&self) -> Vec<QuestionDraft> {
        (1..=MAX_QUESTIONS)
            .map(|n| {
                let get = |part: &str| {
                    self.rest
                        .get(&format!("question_{n}_{part}"))
                        .cloned()
                        .unwrap_or_default()
                };
                QuestionDraft {
                    prompt: get("prompt"),
                    kind: get("kind"),
                    required: !get("required").is_empty(),
                    options: vec![get("options")],
                }
            })
            .collect()
    }

    /// Whether the form carried ticket type rows at all (a form without them, such as an
    /// older client's, leaves the event's types as they are).
    fn has_ticket_types(&self) -> bool {
        self.rest.keys().any(|k| k.starts_with("ticket_type_"))
    }

    /// How many ticket type rows the form shows: those filled in plus two blank ones.
    fn ticket_type_rows(&self) -> usize {
        let filled = (1..=MAX_TICKET_TYPES)
            .filter(|n| {
                ["id", "name", "price_label", "quantity", "description"]
                    .iter()
                    .any(|part| {
                        self.rest
                            .get(&ticket_field(*n, part))
                            .is_some_and(|v| !v.trim().is_empty())
                    })
            })
            .max()
            .unwrap_or(0);
        (filled + 2).clamp(3, MAX_TICKET_TYPES)
    }

    fn ticket_type_drafts(&self) -> Vec<TicketTypeDraft> {
        (1..=MAX_TICKET_TYPES)
            .map(|n| {
                let get = |part: &str| {
                    self.rest
                        .get(&ticket_field(n, part))
                        .cloned()
                        .unwrap_or_default()
                };
                TicketTypeDraft {
                    id: get("id"),
                    name: get("name"),
                    price_label: get("price_label"),
                    quantity: get("quantity"),
                    description: get("description"),
                }
            })
            .collect()
    }

    fn set_ticket_types(&mut self, types: &[TicketTypeView]) {
        for (i, t) in types.iter().enumerate() {
            let n = i + 1;
            let t = &t.row;
            self.rest.insert(ticket_field(n, "id"), t.id.clone());
            self.rest.insert(ticket_field(n, "name"), t.name.clone());
            self.rest
                .insert(ticket_field(n, "price_label"), t.price_label.clone());
            self.rest.insert(
                ticket_field(n, "quantity"),
                t.quantity.map(|q| q.to_string()).unwrap_or_default(),
            );
            self.rest
                .insert(ticket_field(n, "description"), t.description.clone());
        }
    }

    fn set_questions(&mut self, questions: &[EventQuestion]) {
        for (i, q) in questions.iter().enumerate() {
            let n = i + 1;
            let q = &q.question;
            self.rest
                .insert(format!("question_{n}_prompt"), q.prompt.clone());
            self.rest
                .insert(format!("question_{n}_kind"), q.kind.as_str().into());
            if q.required {
                self.rest
                    .insert(format!("question_{n}_required"), "1".into());
            }
            self.rest
                .insert(format!("question_{n}_options"), q.options.join("\n"));
        }
    }
}

/// One row of the questions part of the event form.
struct QuestionInput {
    n: usize,
    prompt: String,
    is_choice: bool,
    required: bool,
    options: String,
    prompt_error: Option<String>,
    kind_error: Option<String>,
    options_error: Option<String>,
}

/// One row of the ticket types part of the event form.
struct TicketTypeInput {
    n: usize,
    id: String,
    name: String,
    price_label: String,
    quantity: String,
    description: String,
    name_error: Option<String>,
    price_label_error: Option<String>,
    quantity_error: Option<String>,
    description_error: Option<String>,
}

fn ticket_type_inputs(input: &FormValues, errors: &ValidationErrors) -> Vec<TicketTypeInput> {
    input
        .ticket_type_drafts()
        .into_iter()
        .take(input.ticket_type_rows())
        .enumerate()
        .map(|(i, d)| {
            let n = i + 1;
            let err = |part: &str| errors.for_field(&ticket_field(n, part)).map(str::to_string);
            TicketTypeInput {
                n,
                name_error: err("name"),
                price_label_error: err("price_label"),
                quantity_error: err("quantity").or_else(|| err("id")),
                description_error: err("description"),
                id: d.id,
                name: d.name,
                price_label: d.price_label,
                quantity: d.quantity,
                description: d.description,
            }
        })
        .collect()
}

fn question_inputs(input: &FormValues, errors: &ValidationErrors) -> Vec<QuestionInput> {
    input
        .question_drafts()
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let n = i + 1;
            let err = |part: &str| {
                errors
                    .for_field(&format!("question_{n}_{part}"))
                    .map(str::to_string)
            };
            QuestionInput {
                n,
                is_choice: d.kind.trim() == "choice",
                required: d.required,
                options: d.options.join("\n"),
                prompt: d.prompt,
                prompt_error: err("prompt"),
                kind_error: err("kind"),
                options_error: err("options"),
            }
        })
        .collect()
}

impl From<&FormValues> for EventDraft {
    fn from(f: &FormValues) -> Self {
        EventDraft {
            title: f.title.clone(),
            description: f.description.clone(),
            format: f.format.clone(),
            starts_at: f.starts_at.clone(),
            ends_at: f.ends_at.clone(),
            time_zone: f.time_zone.clone(),
            online_url: f.online_url.clone(),
            venue: f.venue.clone(),
            capacity: f.capacity.clone(),
            registration_deadline: f.registration_deadline.clone(),
            reminders: Some(f.reminders.clone()),
            questions: Some(f.question_drafts()),
            ticket_types: f.has_ticket_types().then(|| f.ticket_type_drafts()),
        }
    }
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    input: FormValues,
    errors: ValidationErrors,
    action: String,
    formats: Vec<(&'static str, &'static str)>,
    zones: Vec<&'static str>,
    editing: bool,
    questions: Vec<QuestionInput>,
    ticket_types: Vec<TicketTypeInput>,
    /// Editing an occurrence of a series: the rule in words.
    series: Option<String>,
}

fn form_page(
    layout: Layout,
    heading: String,
    input: FormValues,
    errors: ValidationErrors,
    action: String,
    editing: bool,
) -> FormPage {
    FormPage {
        layout,
        heading,
        questions: question_inputs(&input, &errors),
        ticket_types: ticket_type_inputs(&input, &errors),
        series: None,
        input,
        errors,
        action,
        formats: EventFormat::ALL
            .iter()
            .map(|f| (f.as_str(), f.label()))
            .collect(),
        zones: time_zones::names().collect(),
        editing,
    }
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.space(Some(actor), &slug, &space).await?;
    if !townsquare_domain::policy::can_host_events(&view.community.viewer) {
        return Err(
            AppError::Forbidden("Only the community's admins can host events.".into()).into(),
        );
    }
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(&state, &ctx, "New event").await?.in_community(
        &view.community,
        &spaces,
        Some(&space),
    );
    let mut input = FormValues {
        format: "meetup".into(),
        time_zone: view.community.community.time_zone.clone(),
        reminders: townsquare_domain::events::format_reminders(
            &townsquare_domain::events::DEFAULT_REMINDERS,
        ),
        ..Default::default()
    };
    input
        .rest
        .insert(ticket_field(1, "name"), GENERAL_ADMISSION.into());
    let body = form_page(
        layout,
        format!("New event in {}", view.space.name),
        input,
        ValidationErrors::new(),
        format!("/c/{slug}/s/{space}/events"),
        false,
    );
    Ok(page(StatusCode::OK, &body, false))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FormValues>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let draft: EventDraft = (&form).into();
    let created = match repeat_rule(&form) {
        Err(e) => Err(e),
        Ok(None) => state
            .app
            .create_event(actor, &slug, &space, &draft)
            .await
            .map(|e| (e.id, 1)),
        Ok(Some(rule)) => state
            .app
            .create_event_series(actor, &slug, &space, &draft, &rule)
            .await
            .and_then(|rows| {
                let n = rows.len();
                rows.into_iter()
                    .next()
                    .map(|e| (e.id, n))
                    .ok_or(AppError::NotFound("event"))
            }),
    };
    match created {
        Ok((id, 1)) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{id}"),
            "Event scheduled.",
        )),
        Ok((id, n)) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{id}"),
            &format!("Series scheduled: {n} dates."),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let view = state.app.space(Some(actor), &slug, &space).await?;
            let spaces = state.app.visible_spaces(&view.community).await?;
            let layout = Layout::new(&state, &ctx, "New event").await?.in_community(
                &view.community,
                &spaces,
                Some(&space),
            );
            let body = form_page(
                layout,
                format!("New event in {}", view.space.name),
                form,
                errors,
                format!("/c/{slug}/s/{space}/events"),
                false,
            );
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &body, false))
        }
    }
}

/// The rule the form asks to repeat the event by, if any.
fn repeat_rule(form: &FormValues) -> Result<Option<String>, AppError> {
    let custom = form.recurrence.trim();
    match form.repeat.trim() {
        "" if custom.is_empty() => Ok(None),
        "" | "custom" if !custom.is_empty() => Ok(Some(custom.to_string())),
        "custom" => Err(AppError::invalid(
            "recurrence",
            "Write the rule, such as FREQ=WEEKLY;COUNT=8.",
        )),
        other => {
            let start =
                chrono::NaiveDateTime::parse_from_str(form.starts_at.trim(), "%Y-%m-%dT%H:%M").ok();
            recurrence::simple_rule(other, &form.repeat_count, &form.repeat_until, start)
                .map(Some)
                .map_err(|(field, message)| AppError::invalid(field, message))
        }
    }
}

/// The event, if it belongs to the community in the address.
pub(crate) async fn event_in(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    event: &str,
) -> Result<EventView, AppError> {
    let view = state.app.event(ctx.actor.as_ref(), event).await?;
    if view.community.community.slug != slug {
        return Err(AppError::NotFound("event"));
    }
    Ok(view)
}

#[derive(Template)]
#[template(path = "events/show.html")]
struct ShowPage {
    layout: Layout,
    /// The cover picture's file id.
    cover: Option<String>,
    community_slug: String,
    space_slug: String,
    space_name: String,
    id: String,
    title: String,
    format_label: &'static str,
    description_html: String,
    when: String,
    until: String,
    starts_iso: String,
    ends_iso: String,
    venue: String,
    online_url: Option<String>,
    has_online: bool,
    seats: String,
    waitlisted: i64,
    deadline: Option<String>,
    /// registered, waitlisted or empty.
    status: String,
    waitlist_position: Option<i64>,
    can_register: bool,
    closed_reason: Option<&'static str>,
    is_member: bool,
    can_host: bool,
    /// For a registrant: the QR code (inline SVG) a host scans at the door.
    check_in_qr: Option<String>,
    /// For hosts: "3 of 12 checked in".
    attendance: Option<String>,
    /// The host's reason, when the event was called off.
    cancelled: Option<String>,
    /// Whether a host may still call it off.
    can_cancel: bool,
    /// A member who is not the event's creator may flag it.
    can_flag: bool,
    /// Registrants and hosts reach the Q&A board and polls.
    can_see_live: bool,
    /// After the event: the recording (through its counting redirect), resources, and the
    /// recap and AMA archive topics.
    has_recording: bool,
    /// An uploaded recording plays on the page: "video" or "audio", and its type.
    player: Option<(&'static str, String)>,
    resources: Vec<(String, String)>,
    recap_topic: Option<String>,
    archive_topic: Option<String>,
    /// An attendee, once the event is over: the feedback form's link.
    can_give_feedback: bool,
    /// The registration questions, on the register form.
    questions: Vec<AnswerInput>,
    /// The ticket types with what is left of each; a choice on the register form when there
    /// are several.
    ticket_types: Vec<TicketChoice>,
    ticket_type_error: Option<String>,
    /// The name of the type the viewer holds or waits for.
    my_ticket_type: Option<String>,
    /// An occurrence of a series: "every week on Tuesday, 8 times", and its dates.
    series: Option<SeriesInfo>,
    /// The viewer's own answers: (question, answer).
    my_answers: Vec<(String, String)>,
    /// The creator and co-hosts: (name, user id), linked to their profiles; no user id (and
    /// no link) for a deleted account.
    hosts: Vec<(String, Option<String>)>,
    speakers: Vec<townsquare_app::store::event_hosts::SpeakerRow>,
}

/// The series an event belongs to, on its page.
struct SeriesInfo {
    description: String,
    cancelled: bool,
    /// (event id, date label, this one, cancelled).
    dates: Vec<(String, String, bool, bool)>,
}

/// A ticket type on the event page.
struct TicketChoice {
    id: String,
    name: String,
    description: String,
    /// "Free · 3 of 20 left", "Sold out · waitlist open".
    availability: String,
    chosen: bool,
}

/// A registration question on the event page's register form.
struct AnswerInput {
    field: String,
    prompt: String,
    required: bool,
    is_choice: bool,
    /// (option, chosen).
    options: Vec<(String, bool)>,
    value: String,
    error: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    render_show(
        &state,
        &ctx,
        &slug,
        &event,
        &HashMap::new(),
        ValidationErrors::new(),
    )
    .await
}

/// The event page; `given` and `errors` re-show a register form whose answers did not pass.
async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    event: &str,
    given: &HashMap<String, String>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let view = event_in(state, ctx, slug, event).await?;
    let spaces = state.app.visible_spaces(&view.community).await?;
    let e = &view.event;
    let tz = view.time_zone();
    let now = state.app.now();
    let closed_reason = if e.cancelled_at.is_some() {
        Some("This event was cancelled.")
    } else if e.ends_at <= now {
        Some("This event is over.")
    } else if e.registration_deadline.is_some_and(|d| now > d) {
        Some("Registration has closed.")
    } else {
        None
    };
    let layout = Layout::new(state, ctx, &e.title).await?.in_community(
        &view.community,
        &spaces,
        Some(&view.space.slug),
    );
    let is_member = view.community.role().is_some();
    let followup = state.app.event_followup(&view).await?;
    let attended = view
        .registration
        .as_ref()
        .is_some_and(|r| view.is_registered() && r.checked_in_at.is_some());
    let can_register = is_member && closed_reason.is_none() && view.registration.is_none();
    let questions = if can_register {
        state
            .app
            .event_questions(&e.id)
            .await?
            .into_iter()
            .map(|q| {
                let field = q.field();
                let value = given.get(&field).cloned().unwrap_or_default();
                AnswerInput {
                    error: errors.for_field(&field).map(str::to_string),
                    prompt: q.question.prompt,
                    required: q.question.required,
                    is_choice: q.question.kind == QuestionKind::Choice,
                    options: q
                        .question
                        .options
                        .into_iter()
                        .map(|o| {
                            let chosen = o == value;
                            (o, chosen)
                        })
                        .collect(),
                    value,
                    field,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let my_answers = state.app.my_registration_answers(&view).await?;
    let types = state.app.ticket_types(&view).await?;
    // The type's name is worth saying only when there is a choice.
    let my_ticket_type = view
        .registration
        .as_ref()
        .filter(|_| types.len() > 1)
        .and_then(|r| {
            types
                .iter()
                .find(|t| r.ticket_type_id.as_deref() == Some(t.row.id.as_str()))
                .map(|t| t.row.name.clone())
        });
    let given_type = given.get("ticket_type_id");
    let single = types.len() == 1;
    let ticket_types = types
        .iter()
        .map(|t| TicketChoice {
            chosen: single || given_type == Some(&t.row.id),
            availability: t.availability(),
            id: t.row.id.clone(),
            name: t.row.name.clone(),
            description: t.row.description.clone(),
        })
        .collect();
    let series = state.app.series_of(&view).await?.map(|s| SeriesInfo {
        description: s.description.clone(),
        cancelled: s.series.cancelled_at.is_some(),
        dates: s
            .occurrences
            .iter()
            .map(|o| {
                (
                    o.id.clone(),
                    chrono::DateTime::from_timestamp_micros(o.starts_at)
                        .map(|t| {
                            t.with_timezone(&tz)
                                .format("%a %-d %b %Y, %H:%M")
                                .to_string()
                        })
                        .unwrap_or_default(),
                    o.id == e.id,
                    o.cancelled_at.is_some(),
                )
            })
            .collect(),
    });
    let people = state.app.event_people(&view).await?;
    let hosts = people
        .creator
        .into_iter()
        .chain(people.cohosts)
        .map(|h| (h.display_name, (!h.deleted).then_some(h.user_id)))
        .collect();
    let cover = state.app.event_cover(&view.event.id).await?;
    let body = ShowPage {
        cover,
        hosts,
        speakers: people.speakers,
        questions,
        my_answers,
        ticket_types,
        ticket_type_error: errors.for_field("ticket_type").map(str::to_string),
        my_ticket_type,
        series,
        can_see_live: townsquare_app::event_live::can_see_live(&view),
        has_recording: followup.recording.is_some(),
        player: followup.recording_file.as_ref().map(|f| {
            let element = if f.content_type.starts_with("audio/") {
                "audio"
            } else {
                "video"
            };
            (element, f.content_type.clone())
        }),
        resources: followup
            .resources
            .into_iter()
            .map(|r| (r.title, r.url))
            .collect(),
        recap_topic: followup.state.recap_topic_id,
        archive_topic: followup.state.archive_topic_id,
        can_give_feedback: attended && e.ends_at <= now && e.cancelled_at.is_none(),
        community_slug: slug.to_string(),
        space_slug: view.space.slug.clone(),
        space_name: view.space.name.clone(),
        id: e.id.clone(),
        title: e.title.clone(),
        format_label: view.format().label(),
        description_html: markdown::render(&e.description),
        when: local_label(e.starts_at, tz),
        until: local_label(e.ends_at, tz),
        starts_iso: iso(e.starts_at),
        ends_iso: iso(e.ends_at),
        venue: e.venue.clone(),
        online_url: view.online_url().map(str::to_string),
        has_online: !e.online_url.is_empty(),
        seats: seats_label(e),
        waitlisted: view.waitlisted,
        deadline: e.registration_deadline.map(|d| local_label(d, tz)),
        status: view
            .registration
            .as_ref()
            .map(|r| r.status.clone())
            .unwrap_or_default(),
        waitlist_position: view.waitlist_position,
        can_register,
        closed_reason,
        is_member,
        can_host: view.can_host(),
        check_in_qr: match (&view.registration, view.is_registered()) {
            (Some(r), true) if e.ends_at > now => r.checkin_code.as_ref().map(|code| {
                check_in_qr(&format!(
                    "{}/c/{slug}/events/{}/check-in/{code}",
                    state.app.settings().base_url,
                    e.id
                ))
            }),
            _ => None,
        },
        cancelled: e.cancelled_at.map(|_| e.cancel_reason.clone()),
        can_cancel: view.can_host() && e.cancelled_at.is_none() && e.ends_at > now,
        attendance: if view.can_host() {
            let (registered, checked_in) = state.app.attendance_counts(&view).await?;
            Some(format!("{checked_in} of {registered} checked in"))
        } else {
            None
        },
        can_flag: is_member
            && ctx
                .actor
                .as_ref()
                .is_some_and(|a| a.user_id != e.created_by),
        layout,
    };
    let had_flash = ctx.flash.is_some();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &body, had_flash))
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    if !view.can_host() {
        return Err(AppError::Forbidden("Only the event's hosts can edit it.".into()).into());
    }
    let e = &view.event;
    let tz = view.time_zone();
    let input = FormValues {
        title: e.title.clone(),
        description: e.description.clone(),
        format: e.format.clone(),
        starts_at: local_input(e.starts_at, tz),
        ends_at: local_input(e.ends_at, tz),
        time_zone: e.time_zone.clone(),
        online_url: e.online_url.clone(),
        venue: e.venue.clone(),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        registration_deadline: e
            .registration_deadline
            .map(|d| local_input(d, tz))
            .unwrap_or_default(),
        reminders: townsquare_domain::events::format_reminders(
            &townsquare_domain::events::stored_reminders(&e.reminder_minutes),
        ),
        repeat: String::new(),
        repeat_count: String::new(),
        repeat_until: String::new(),
        recurrence: String::new(),
        scope: String::new(),
        rest: HashMap::new(),
    };
    let mut input = input;
    input.set_questions(&state.app.event_questions(&e.id).await?);
    input.set_ticket_types(&state.app.ticket_types(&view).await?);
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(&state, &ctx, "Edit event").await?.in_community(
        &view.community,
        &spaces,
        Some(&view.space.slug),
    );
    let mut body = form_page(
        layout,
        format!("Edit {}", e.title),
        input,
        ValidationErrors::new(),
        format!("/c/{slug}/events/{event}/edit"),
        true,
    );
    body.series = state.app.series_of(&view).await?.map(|s| s.description);
    Ok(page(StatusCode::OK, &body, false))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FormValues>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let draft: EventDraft = (&form).into();
    let saved = match (&view.event.series_id, form.scope.as_str()) {
        (Some(series), "series") => state
            .app
            .update_event_series(actor, series, &draft)
            .await
            .map(|_| "Series saved: its future dates are updated."),
        _ => state
            .app
            .update_event(actor, &view.event.id, &draft)
            .await
            .map(|_| "Event saved."),
    };
    match saved {
        Ok(message) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{event}"),
            message,
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let spaces = state.app.visible_spaces(&view.community).await?;
            let layout = Layout::new(&state, &ctx, "Edit event").await?.in_community(
                &view.community,
                &spaces,
                Some(&view.space.slug),
            );
            let mut body = form_page(
                layout,
                format!("Edit {}", view.event.title),
                form,
                errors,
                format!("/c/{slug}/events/{event}/edit"),
                true,
            );
            body.series = state.app.series_of(&view).await?.map(|s| s.description);
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &body, false))
        }
    }
}

/// A QR code of `url` as inline SVG (the XML declaration dropped: it sits in HTML).
fn check_in_qr(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            match svg.find("<svg") {
                Some(i) => svg[i..].replacen(
                    "<svg",
                    "<svg role=\"img\" aria-label=\"Check-in QR code\"",
                    1,
                ),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    // Answers come as `answer_<question id>`.
    let answers: HashMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("answer_")
                .map(|id| (id.to_string(), v.clone()))
        })
        .collect();
    let outcome = match state
        .app
        .register_with_answers(
            actor,
            &view.event.id,
            form.get("ticket_type_id").map(String::as_str),
            &answers,
        )
        .await
    {
        Ok(o) => o,
        Err(AppError::Invalid(errors))
            if errors
                .0
                .iter()
                .any(|e| e.field.starts_with("answer_") || e.field == "ticket_type") =>
        {
            return render_show(&state, &ctx, &slug, &event, &form, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    let message = match outcome {
        Registration::Registered => "You are registered. See you there!",
        Registration::Waitlisted => {
            "No seat is free for that ticket: you are on its waitlist and will get an e-mail if a seat frees up."
        }
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}"),
        message,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    state.app.cancel_registration(actor, &view.event.id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}"),
        "Your registration is cancelled.",
    ))
}

#[derive(Deserialize, Default)]
struct CancelEventForm {
    #[serde(default)]
    reason: String,
    /// "1": call off every future date of the series.
    #[serde(default)]
    whole_series: String,
}

/// A host calls the event off; a missing reason comes back as a message on the event page.
async fn cancel_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<CancelEventForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let cancelled = match (&view.event.series_id, form.whole_series.as_str()) {
        (Some(series), "1") => state
            .app
            .cancel_event_series(actor, series, &form.reason)
            .await
            .map(|_| "The series is cancelled; registrants of its dates have been e-mailed."),
        _ => state
            .app
            .cancel_event(actor, &view.event.id, &form.reason)
            .await
            .map(|_| "The event is cancelled; registrants have been e-mailed."),
    };
    let message = match cancelled {
        Ok(m) => m.to_string(),
        Err(AppError::Invalid(errors)) => errors
            .for_field("reason")
            .or_else(|| errors.for_field("event"))
            .or_else(|| errors.for_field("series"))
            .unwrap_or("Say why the event is cancelled.")
            .to_string(),
        Err(e) => return Err(e.into()),
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}"),
        &message,
    ))
}

async fn ics(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let body = crate::ics::event_calendar(&state, &view);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"event-{}.ics\"", view.event.id),
            ),
        ],
        body,
    )
        .into_response())
}
