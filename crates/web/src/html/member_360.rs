//! The member 360 page (`/c/{slug}/members/{user_id}/360`) for moderators and admins.

use super::{page, Layout};
use crate::context::Ctx;
use crate::csv_export::{attachment_stream, spreadsheet_safe};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use townsquare_app::member_360::{kind_of, TimelineExport, TimelineQuery, EXPORT_PAGE};
use townsquare_app::store::activity::ActivityRow;
use townsquare_app::store::member_timeline::TimelineRow;
use townsquare_app::{Actor, AppError};
use townsquare_domain::analytics::date_of_day;
use townsquare_domain::member_segments::{kind_label, DONE_TO_MEMBER, VERB_GROUPS};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/members/{user_id}/360", get(show))
        .get("/c/{slug}/members/{user_id}/360.csv", get(export_csv))
}

#[derive(Deserialize, Default)]
pub(crate) struct TimelineForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: String,
}

impl TimelineForm {
    pub(crate) fn to_app(&self) -> TimelineQuery {
        TimelineQuery {
            kind: self.kind.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            before: self.before.clone(),
        }
    }
}

pub struct Line {
    pub kind: &'static str,
    pub what: String,
    pub title: String,
    pub href: Option<String>,
    pub iso: String,
    pub when: String,
}

/// What a timeline line of `member_id` says, and where it links, from the activity and its
/// detail. What others did to the member says who did it.
pub(crate) fn line(slug: &str, member_id: &str, e: &TimelineRow) -> Line {
    let a = &e.activity;
    let kind = kind_of(a, member_id);
    let mut shown = plain_line(slug, a, kind);
    if kind == DONE_TO_MEMBER {
        let by = e.actor_name.as_deref().unwrap_or("the community");
        shown.what = format!("{} (by {by})", shown.what);
    }
    shown
}

fn plain_line(slug: &str, a: &ActivityRow, kind: &'static str) -> Line {
    let detail: serde_json::Value = serde_json::from_str(&a.detail).unwrap_or_default();
    let text = |k: &str| {
        detail
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (title, href) = match a.object_type.as_str() {
        "topic" => (text("title"), Some(format!("/c/{slug}/t/{}", a.object_id))),
        "post" => match detail.get("topic_id").and_then(|v| v.as_str()) {
            Some(topic) => (
                String::new(),
                Some(format!("/c/{slug}/t/{topic}#post-{}", a.object_id)),
            ),
            None => (String::new(), None),
        },
        "event" => (
            text("title"),
            Some(format!("/c/{slug}/events/{}", a.object_id)),
        ),
        _ => (String::new(), None),
    };
    // Events about the member (an admin, a moderator or the sweep did them): said from their
    // side.
    let moderation = text("action");
    let tier_event = match (a.object_type.as_str(), a.verb.as_str()) {
        ("user", "role_changed") => Some((
            "had their role changed",
            format!("{} → {}", text("from"), text("to")),
        )),
        ("user", "join_approved") => Some(("had their request to join approved", String::new())),
        ("user", "join_declined") => Some(("had their request to join declined", String::new())),
        ("user", "moderation_action") => Some((
            match moderation.as_str() {
                "warn" => "was warned by the moderators",
                "mute" => "was muted by the moderators",
                "suspend" => "was suspended by the moderators",
                "ban" => "was banned by the moderators",
                "lift" => "had a sanction lifted by the moderators",
                _ => "was the subject of a moderation action",
            },
            String::new(),
        )),
        ("user", "tier_change_scheduled") => Some((
            "had a membership tier change scheduled",
            format!("{} → {}", text("from_tier"), text("tier")),
        )),
        ("user", "tier_change_cancelled") => Some((
            "had a scheduled membership tier change cancelled",
            format!("{} → {}", text("from_tier"), text("tier")),
        )),
        ("user", "tier_started") => Some(("was given a membership tier", text("tier"))),
        ("user", "tier_renewed") => Some(("had their membership tier renewed", text("tier"))),
        ("user", "tier_changed") => Some((
            "changed membership tier",
            format!("{} → {}", text("from_tier"), text("tier")),
        )),
        ("user", "tier_ended") => Some(("had their membership tier ended", text("tier"))),
        ("user", "tier_expired") => Some(("saw their membership tier expire", text("tier"))),
        _ => None,
    };
    if let Some((what, title)) = tier_event.filter(|_| kind == DONE_TO_MEMBER) {
        let href = a
            .verb
            .starts_with("tier_")
            .then(|| format!("/c/{slug}/settings/tiers"));
        return Line {
            kind,
            what: what.to_string(),
            title,
            href,
            iso: super::format::iso(a.created_at),
            when: super::format::iso(a.created_at)
                .replace('T', " ")
                .replace('Z', " UTC"),
        };
    }
    Line {
        kind,
        what: super::communities::describe(&a.verb),
        title: if title.is_empty() && href.is_some() {
            "open".into()
        } else {
            title
        },
        href,
        iso: super::format::iso(a.created_at),
        when: super::format::iso(a.created_at)
            .replace('T', " ")
            .replace('Z', " UTC"),
    }
}

/// Where a timeline export is in its reading.
enum ExportState {
    /// The rows to write next; `first` writes the header row before them.
    Rows {
        export: TimelineExport,
        rows: Vec<TimelineRow>,
        first: bool,
    },
    /// Reading the next page failed: the download ends with an error.
    Failed(String),
    Done,
}

/// A member's timeline (with the page's kind and date filters) as a CSV download, for the
/// community's admins: read and written one page of entries at a time.
pub(crate) async fn timeline_csv(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    user_id: &str,
    form: &TimelineForm,
) -> Result<Response, AppError> {
    let export = state
        .app
        .member_timeline_export(actor, slug, user_id, &form.to_app())
        .await?;
    let rows = state.app.member_timeline_export_page(&export, None).await?;
    let filename = format!(
        "{}-member-{}-timeline.csv",
        export.slug,
        export.user_id.chars().take(8).collect::<String>()
    );
    let app = state.app.clone();
    let base_url = app.settings().base_url.clone();
    let start = ExportState::Rows {
        export,
        rows,
        first: true,
    };
    let stream = futures::stream::unfold(start, move |st| {
        let app = app.clone();
        let base_url = base_url.clone();
        async move {
            let (export, rows, first) = match st {
                ExportState::Rows {
                    export,
                    rows,
                    first,
                } => (export, rows, first),
                ExportState::Failed(e) => {
                    return Some((Err(std::io::Error::other(e)), ExportState::Done))
                }
                ExportState::Done => return None,
            };
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut written: Result<(), csv::Error> = Ok(());
            if first {
                written = w.write_record(["time", "kind", "what", "title", "link"]);
            }
            for a in &rows {
                let l = line(&export.slug, &export.user_id, a);
                let link = l.href.map(|h| format!("{base_url}{h}")).unwrap_or_default();
                written = written.and_then(|_| {
                    w.write_record([
                        l.iso.as_str(),
                        l.kind,
                        &spreadsheet_safe(&l.what),
                        &spreadsheet_safe(&l.title),
                        &link,
                    ])
                });
            }
            let bytes = written
                .map_err(|e| e.to_string())
                .and_then(|_| w.into_inner().map_err(|e| e.to_string()));
            let bytes = match bytes {
                Ok(b) => bytes::Bytes::from(b),
                Err(e) => return Some((Err(std::io::Error::other(e)), ExportState::Done)),
            };
            let next = match rows.last() {
                Some(last) if rows.len() as i64 == EXPORT_PAGE => {
                    let after = Some((last.activity.created_at, last.activity.id.clone()));
                    match app.member_timeline_export_page(&export, after).await {
                        Ok(rows) if rows.is_empty() => ExportState::Done,
                        Ok(rows) => ExportState::Rows {
                            export,
                            rows,
                            first: false,
                        },
                        Err(e) => ExportState::Failed(e.to_string()),
                    }
                }
                _ => ExportState::Done,
            };
            Some((Ok::<_, std::io::Error>(bytes), next))
        }
    });
    Ok(attachment_stream(
        &filename,
        axum::body::Body::from_stream(stream),
    ))
}

async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    Query(form): Query<TimelineForm>,
) -> Result<Response, HtmlError> {
    Ok(timeline_csv(&state, ctx.actor()?, &slug, &user_id, &form).await?)
}

#[derive(Template)]
#[template(path = "members/member_360.html")]
struct Page360 {
    layout: Layout,
    slug: String,
    user_id: String,
    name: String,
    handle: String,
    role: &'static str,
    joined: String,
    segment: &'static str,
    segment_key: &'static str,
    last_active: String,
    days_active_30: i64,
    days_active_90: i64,
    posts_90: i64,
    /// (filter value, label).
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    from: String,
    to: String,
    filtered: bool,
    entries: Vec<Line>,
    next: Option<String>,
    /// The member's membership tier, for staff: "Pro member (active, ends 2027-03-01)".
    tier: String,
    /// For admins: the CSV export of the timeline with the same filters.
    export_href: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    Query(form): Query<TimelineForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let m = state
        .app
        .member_360(actor, &slug, &user_id, &form.to_app())
        .await?;
    let tier = match state.app.member_tier(actor, &slug, &user_id).await? {
        Some(t) => format!(
            "{} ({}, {})",
            t.term.tier_name,
            t.term.status,
            match t.expires_on {
                Some(d) if t.term.status == "active" => format!("ends {d}"),
                Some(d) => format!("ended {d}"),
                None => "no end".into(),
            }
        ),
        None => "none".into(),
    };
    let spaces = state.app.visible_spaces(&m.view).await?;
    let layout = Layout::new(&state, &ctx, &m.user.display_name)
        .await?
        .in_community(&m.view, &spaces, None);
    let next = m.next.as_ref().map(|before| {
        serde_urlencoded::to_string([
            ("kind", form.kind.as_str()),
            ("from", form.from.as_str()),
            ("to", form.to.as_str()),
            ("before", before.as_str()),
        ])
        .unwrap_or_default()
    });
    let export_href = m.view.can_manage().then(|| {
        let query = serde_urlencoded::to_string([
            ("kind", form.kind.as_str()),
            ("from", form.from.as_str()),
            ("to", form.to.as_str()),
        ])
        .unwrap_or_default();
        format!("/c/{slug}/members/{user_id}/360.csv?{query}")
    });
    let body = Page360 {
        export_href,
        layout,
        slug: slug.clone(),
        user_id: user_id.clone(),
        name: m.user.display_name.clone(),
        handle: m.user.handle.clone(),
        role: m.role.map(|r| r.label()).unwrap_or("not an active member"),
        joined: super::format::iso(m.joined_at)[..10].to_string(),
        segment: m.segment.label(),
        segment_key: m.segment.as_str(),
        last_active: match (m.last_active_day, m.facts.days_since_active) {
            (Some(day), Some(ago)) => format!("{} ({ago} days ago)", date_of_day(day)),
            _ => "never".into(),
        },
        days_active_30: m.facts.days_active_30,
        days_active_90: m.facts.days_active_90,
        posts_90: m.facts.posts_90,
        kinds: VERB_GROUPS
            .iter()
            .map(|(k, _)| (*k, kind_label(k)))
            .collect(),
        filtered: !(form.kind.is_empty() && form.from.is_empty() && form.to.is_empty()),
        kind: form.kind,
        from: form.from,
        to: form.to,
        entries: m
            .entries
            .iter()
            .map(|a| line(&slug, &m.user.id, a))
            .collect(),
        next,
        tier,
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}
