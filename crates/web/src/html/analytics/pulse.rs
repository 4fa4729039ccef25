//! The pulse check page (moderators and admins): the last 24 hours, each item a link to act
//! on it. The API (api/analytics/pulse.rs) serves the same lists.

use crate::context::Ctx;
use crate::error::HtmlError;
use crate::html::events::EventItem;
use crate::html::format::{ago, iso};
use crate::html::{page, Layout};
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use townsquare_app::analytics::pulse::Pulse;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/pulse", get(pulse))
}

pub struct NewcomerLine {
    pub user_id: String,
    pub name: String,
    pub iso: String,
    pub ago: String,
    pub introduced: bool,
    pub greeted: bool,
}

pub struct TopicLine {
    pub id: String,
    pub title: String,
    pub space: String,
    pub detail: String,
    pub iso: String,
    pub ago: String,
}

#[derive(Template)]
#[template(path = "analytics/pulse.html")]
struct PulsePage {
    layout: Layout,
    slug: String,
    time_zone: String,
    can_manage: bool,
    intro_slug: Option<String>,
    newcomers: Vec<NewcomerLine>,
    conversations: Vec<TopicLine>,
    open_flags: i64,
    oldest_flag_ago: Option<String>,
    open_appeals: i64,
    held_posts: i64,
    unanswered: Vec<TopicLine>,
    events: Vec<EventItem>,
}

fn space_name(p: &Pulse, id: &str) -> String {
    p.spaces
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

async fn pulse(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let p = state.app.pulse(actor, &slug).await?;
    let now = state.app.now();
    let layout = Layout::new(&state, &ctx, "Pulse check")
        .await?
        .in_community(&p.view, &p.spaces, None);
    let body = PulsePage {
        layout,
        slug: slug.clone(),
        time_zone: p.time_zone.clone(),
        can_manage: p.view.can_manage(),
        intro_slug: p.introductions.as_ref().map(|s| s.slug.clone()),
        newcomers: p
            .newcomers
            .iter()
            .map(|n| NewcomerLine {
                user_id: n.user_id.clone(),
                name: n.display_name.clone(),
                iso: iso(n.joined_at),
                ago: ago(n.joined_at, now),
                introduced: n.introduced,
                greeted: n.greeted,
            })
            .collect(),
        conversations: p
            .conversations
            .iter()
            .map(|c| TopicLine {
                id: c.topic_id.clone(),
                title: c.title.clone(),
                space: space_name(&p, &c.space_id),
                detail: format!(
                    "{} from {}",
                    plural(c.replies, "reply", "replies"),
                    plural(c.repliers, "person", "people")
                ),
                iso: iso(c.last_reply_at),
                ago: ago(c.last_reply_at, now),
            })
            .collect(),
        open_flags: p.attention.open_flags,
        oldest_flag_ago: p.attention.oldest_flag_at.map(|t| ago(t, now)),
        open_appeals: p.attention.open_appeals,
        held_posts: p.attention.held_posts,
        unanswered: p
            .unanswered
            .iter()
            .map(|t| TopicLine {
                id: t.topic.id.clone(),
                title: t.topic.title.clone(),
                space: space_name(&p, &t.topic.space_id),
                detail: format!("asked by {}", t.author_name),
                iso: iso(t.topic.created_at),
                ago: ago(t.topic.created_at, now),
            })
            .collect(),
        events: p.events_today.iter().map(EventItem::of).collect(),
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}
