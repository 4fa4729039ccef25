//! Moderation pages: flagging a post, acting on it, the moderators' queue, and the admins'
//! audit log with its CSV export.

mod edits;
mod members;
mod reports;

use super::{ago, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::moderation::QueueFilter;
use townsquare_app::AppError;
use townsquare_domain::moderation::FlagReason;

pub(crate) fn routes(r: Routes) -> Routes {
    let r = reports::routes(members::routes(edits::routes(r)));
    r.post("/c/{slug}/posts/{post}/flag", post(flag))
        .post("/c/{slug}/posts/{post}/moderation", post(act))
        .get("/c/{slug}/moderation", get(queue))
        .get("/c/{slug}/moderation/log", get(log))
        .get("/c/{slug}/moderation/log.csv", get(log_csv))
        .post("/c/{slug}/members/{user_id}/sanction", post(sanction))
        .post("/c/{slug}/sanctions/{id}/lift", post(lift))
        .get("/c/{slug}/my-moderation", get(my_moderation))
        .post("/c/{slug}/appeals", post(appeal))
        .post("/c/{slug}/appeals/{id}/resolve", post(resolve))
}

pub struct MyAction {
    pub id: String,
    pub when: String,
    pub action: String,
    pub reason: String,
    /// The appeal's status and answer, if appealed.
    pub appeal: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "moderation/mine.html")]
struct MinePage {
    layout: Layout,
    community_slug: String,
    notice: Option<String>,
    actions: Vec<MyAction>,
    /// The member's own flags: (what, when, state).
    my_flags: Vec<(String, String, String)>,
}

async fn my_moderation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, rows) = state.app.my_moderation(actor, &slug).await?;
    let my_flags = state
        .app
        .my_flags(actor, &view)
        .await?
        .into_iter()
        .map(|f| {
            let what = match f.target_kind.as_str() {
                "user" => "a member's profile",
                "event" => "an event",
                _ => "a post",
            };
            let state = match f.status.as_str() {
                "open" => "Received: waiting for a moderator".to_string(),
                "dismissed" => format!(
                    "Handled: dismissed — {}",
                    f.resolution.clone().unwrap_or_default()
                ),
                _ => format!(
                    "Handled: acted on — {}",
                    f.resolution.clone().unwrap_or_default()
                ),
            };
            (
                format!("Your flag on {what}"),
                super::date(f.created_at),
                state,
            )
        })
        .collect();
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(&state, &ctx, "Moderation about you")
        .await?
        .in_community(&view, &spaces, None);
    let body = MinePage {
        layout,
        community_slug: slug,
        notice: view
            .sanction
            .as_ref()
            .map(|s| townsquare_app::moderation::sanction_message(&view, s)),
        actions: rows
            .into_iter()
            .map(|(a, appeal)| MyAction {
                id: a.id,
                when: super::date(a.created_at),
                action: a.action,
                reason: a.reason,
                appeal: appeal.map(|ap| (ap.status, ap.resolution.unwrap_or_default())),
            })
            .collect(),
        my_flags,
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

#[derive(Deserialize)]
struct AppealForm {
    #[serde(default)]
    action_id: String,
    #[serde(default)]
    statement: String,
}

async fn appeal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<AppealForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .appeal(ctx.actor()?, &slug, &form.action_id, &form.statement)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/my-moderation"),
        "Appeal sent. A moderator will decide and tell you why.",
    ))
}

#[derive(Deserialize)]
struct ResolveForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn resolve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> Result<Response, HtmlError> {
    let a = state
        .app
        .resolve_appeal(ctx.actor()?, &id, &form.decision, &form.reason)
        .await?;
    let message = if a.status == "overturned" {
        "Appeal overturned: the action is undone and the member told."
    } else {
        "Appeal upheld: the member is told why."
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation"),
        message,
    ))
}

#[derive(Deserialize)]
struct SanctionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    reason: String,
}

async fn sanction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<SanctionForm>,
) -> Result<Response, HtmlError> {
    let days = match form.days.trim() {
        "" => None,
        d => Some(
            d.parse::<i64>()
                .map_err(|_| AppError::invalid("days", "Give the period as a number of days."))?,
        ),
    };
    let days = days.filter(|_| matches!(form.kind.as_str(), "mute" | "suspend"));
    let s = state
        .app
        .sanction_member(
            ctx.actor()?,
            &slug,
            &user_id,
            &form.kind,
            days,
            &form.reason,
        )
        .await?;
    let message = match s.kind.as_str() {
        "warn" => "Warning sent.",
        "mute" => "Muted: they can read but not post until it ends.",
        "suspend" => "Suspended until it ends.",
        _ => "Banned until lifted.",
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation"),
        message,
    ))
}

#[derive(Deserialize)]
struct LiftForm {
    #[serde(default)]
    reason: String,
}

async fn lift(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<LiftForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .lift_sanction(ctx.actor()?, &id, &form.reason)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation"),
        "Lifted.",
    ))
}

#[derive(Deserialize)]
struct FlagForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

async fn flag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> Result<Response, HtmlError> {
    let flag = state
        .app
        .flag_post(ctx.actor()?, &post_id, &form.reason, &form.note)
        .await?;
    let topic = topic_of(&state, &flag.target_id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{topic}#post-{post_id}"),
        "Thank you: your flag is with the moderators. You will hear when it is handled.",
    ))
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, HtmlError> {
    let action = state
        .app
        .act_on_post(ctx.actor()?, &post_id, &form.action, &form.reason)
        .await?;
    let message = match action.as_str() {
        "approve" => "Approved: the flags are dismissed.",
        "hide" => "Hidden: only its author and moderators see it now.",
        "unhide" => "The post is visible again.",
        _ => "Deleted.",
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation"),
        message,
    ))
}

async fn topic_of(state: &AppState, post_id: &str) -> Result<String, AppError> {
    Ok(
        townsquare_app::store::discussions::post_by_id(state.app.db(), post_id)
            .await?
            .map(|p| p.topic_id)
            .unwrap_or_default(),
    )
}

pub struct FlagLine {
    pub reason: &'static str,
    pub note: String,
    pub reporter: String,
    pub iso: String,
    pub ago: String,
}

pub struct AppealLine {
    pub id: String,
    pub member: String,
    pub action: String,
    pub action_reason: String,
    pub statement: String,
    pub when: String,
}

pub struct SanctionLine {
    pub id: String,
    pub member: String,
    pub kind: String,
    pub reason: String,
    pub until: String,
}

pub struct QueueEntry {
    pub post_id: String,
    pub author_id: String,
    pub topic_id: String,
    pub topic_title: String,
    pub author_name: String,
    pub body_html: String,
    pub hidden: bool,
    pub hidden_automatically: bool,
    pub is_first: bool,
    pub author_posts: i64,
    pub history: Vec<String>,
    /// Moderators' private notes on the author: (text, "author, date").
    pub notes: Vec<(String, String)>,
    pub trust_level: i64,
    pub flags: Vec<FlagLine>,
}

#[derive(Template)]
#[template(path = "moderation/queue.html")]
struct QueuePage {
    layout: Layout,
    community_slug: String,
    entries: Vec<QueueEntry>,
    reasons: Vec<(&'static str, &'static str)>,
    spaces: Vec<(String, String)>,
    reason: String,
    space: String,
    can_read_log: bool,
    sanctions: Vec<SanctionLine>,
    appeals: Vec<AppealLine>,
    reports: Vec<ReportEntry>,
    /// The auto-hide threshold, and whether the viewer (an admin) may change it.
    auto_hide_flags: i64,
    can_manage: bool,
}

/// A flagged member or event in the queue.
pub struct ReportEntry {
    pub kind: String,
    pub kind_label: &'static str,
    pub target_id: String,
    pub title: String,
    pub path: String,
    pub context: String,
    pub subject_id: String,
    pub subject_name: String,
    pub notes: Vec<(String, String)>,
    pub trust_level: i64,
    pub flags: Vec<FlagLine>,
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    space: String,
}

async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let reason = match q.reason.as_str() {
        "" => None,
        r => Some(FlagReason::parse(r).map_err(|m| AppError::invalid("reason", m))?),
    };
    let view = state.app.community(Some(actor), &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let space_id = match q.space.as_str() {
        "" => None,
        s => Some(
            spaces
                .iter()
                .find(|sp| sp.slug == s)
                .map(|sp| sp.id.clone())
                .ok_or_else(|| AppError::invalid("space", "There is no such space here."))?,
        ),
    };
    let filter = QueueFilter { reason, space_id };
    let (view, items) = state.app.moderation_queue(actor, &slug, &filter).await?;
    let now = state.app.now();
    let entries = items
        .into_iter()
        .map(|i| QueueEntry {
            post_id: i.post.id.clone(),
            author_id: i.post.author_id.clone(),
            topic_id: i.post.topic_id.clone(),
            topic_title: i.topic_title,
            author_name: i.author_name,
            body_html: i.post.body_html.clone(),
            hidden: i.post.hidden_at.is_some(),
            hidden_automatically: i.hidden_automatically,
            is_first: i.post.is_first,
            author_posts: i.author_posts,
            trust_level: i.author_trust_level,
            history: i
                .author_history
                .iter()
                .map(|a| format!("{} ({}): {}", a.action, super::date(a.created_at), a.reason))
                .collect(),
            notes: i
                .author_notes
                .iter()
                .map(|n| {
                    (
                        n.note.body.clone(),
                        format!("{}, {}", n.author_name, super::date(n.note.created_at)),
                    )
                })
                .collect(),
            flags: i
                .flags
                .into_iter()
                .map(|f| FlagLine {
                    reason: FlagReason::parse(&f.flag.reason)
                        .map(|r| r.label())
                        .unwrap_or("Other"),
                    note: f.flag.note,
                    reporter: f.reporter_name,
                    iso: super::format::iso(f.flag.created_at),
                    ago: ago(f.flag.created_at, now),
                })
                .collect(),
        })
        .collect();
    let (_, flagged) = state.app.flagged_members_and_events(actor, &slug).await?;
    let reports = flagged
        .into_iter()
        .map(|i| ReportEntry {
            kind: i.kind.as_str().to_string(),
            kind_label: match i.kind {
                townsquare_domain::moderation::TargetKind::User => "Profile",
                _ => "Event",
            },
            target_id: i.target_id,
            title: i.title,
            path: i.path,
            context: i.context,
            subject_id: i.subject_user_id,
            subject_name: i.subject_name,
            trust_level: i.subject_trust_level,
            notes: i
                .subject_notes
                .iter()
                .map(|n| {
                    (
                        n.note.body.clone(),
                        format!("{}, {}", n.author_name, super::date(n.note.created_at)),
                    )
                })
                .collect(),
            flags: i
                .flags
                .into_iter()
                .map(|f| FlagLine {
                    reason: FlagReason::parse(&f.flag.reason)
                        .map(|r| r.label())
                        .unwrap_or("Other"),
                    note: f.flag.note,
                    reporter: f.reporter_name,
                    iso: super::format::iso(f.flag.created_at),
                    ago: ago(f.flag.created_at, now),
                })
                .collect(),
        })
        .collect();
    let (_, in_force) = state.app.sanctions_in_force(actor, &slug).await?;
    let sanctions = in_force
        .into_iter()
        .map(|s| SanctionLine {
            id: s.sanction.id,
            member: s.member_name,
            kind: s.sanction.kind,
            reason: s.sanction.reason,
            until: s
                .sanction
                .ends_at
                .map(super::date)
                .unwrap_or_else(|| "until lifted".into()),
        })
        .collect();
    let (_, open) = state.app.open_appeals(actor, &slug).await?;
    let appeals = open
        .into_iter()
        .map(|a| AppealLine {
            id: a.appeal.id,
            member: a.member_name,
            action: a.action,
            action_reason: a.action_reason,
            statement: a.appeal.statement,
            when: super::date(a.appeal.created_at),
        })
        .collect();
    let layout = Layout::new(&state, &ctx, "Moderation queue")
        .await?
        .in_community(&view, &spaces, None);
    let body = QueuePage {
        layout,
        community_slug: slug.clone(),
        entries,
        reasons: FlagReason::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        spaces: spaces
            .iter()
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect(),
        reason: q.reason,
        space: q.space,
        can_read_log: townsquare_domain::policy::can_read_audit_log(&view.viewer),
        sanctions,
        appeals,
        reports,
        auto_hide_flags: state.app.auto_hide_flags(actor, &slug).await?,
        can_manage: view.can_manage(),
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

pub struct LogLine {
    pub iso: String,
    pub when: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub subject: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "moderation/log.html")]
struct LogPage {
    layout: Layout,
    community_slug: String,
    lines: Vec<LogLine>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct LogQuery {
    before: Option<String>,
}

const LOG_PAGE: i64 = 50;

async fn log(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<LogQuery>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let cursor = q.before.as_deref().and_then(crate::api::decode_time_cursor);
    let (view, rows) = state
        .app
        .audit_log(
            actor,
            &slug,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
            LOG_PAGE,
        )
        .await?;
    let next = (rows.len() as i64 == LOG_PAGE)
        .then(|| {
            rows.last()
                .map(|r| crate::api::encode_cursor(&r.action.created_at.to_string(), &r.action.id))
        })
        .flatten();
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(&state, &ctx, "Audit log")
        .await?
        .in_community(&view, &spaces, None);
    let lines = rows
        .into_iter()
        .map(|r| LogLine {
            iso: super::format::iso(r.action.created_at),
            when: super::date(r.action.created_at),
            actor: r.actor_name,
            action: r.action.action,
            target: format!("{} {}", r.action.target_kind, r.action.target_id),
            subject: r.subject_name.unwrap_or_default(),
            reason: r.action.reason,
        })
        .collect();
    let body = LogPage {
        layout,
        community_slug: slug,
        lines,
        next,
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

/// The whole audit log as CSV, read in pages so memory stays bounded by a page.
async fn log_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "time",
        "actor",
        "action",
        "target_kind",
        "target_id",
        "subject",
        "reason",
        "detail",
    ];
    out.write_record(header_row)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut cursor: Option<(i64, String)> = None;
    loop {
        let (_, rows) = state
            .app
            .audit_log(
                actor,
                &slug,
                cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
                1000,
            )
            .await?;
        let done = rows.len() < 1000;
        for r in &rows {
            out.write_record([
                super::format::iso(r.action.created_at).as_str(),
                &r.actor_name,
                &r.action.action,
                &r.action.target_kind,
                &r.action.target_id,
                r.subject_name.as_deref().unwrap_or(""),
                &r.action.reason,
                &r.action.detail,
            ])
            .map_err(|e| AppError::Internal(e.to_string()))?;
        }
        cursor = rows
            .last()
            .map(|r| (r.action.created_at, r.action.id.clone()));
        if done {
            break;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-audit-log.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
