//! The pulse check in the API (moderators and admins): the same lists as the page.

use crate::api::ApiCtx;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Json;
use serde::Serialize;
use townsquare_app::analytics::pulse::Pulse as AppPulse;
use townsquare_domain::analytics::date_of_day;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/pulse", get(pulse))
}

#[derive(Serialize, ToSchema)]
pub struct PulseNewcomer {
    user_id: String,
    display_name: String,
    /// RFC 3339.
    joined_at: String,
    /// Started a topic in the introductions space.
    introduced: bool,
    /// Someone else replied to their introduction.
    greeted: bool,
    /// Where to greet them: their profile.
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PulseTopic {
    topic_id: String,
    title: String,
    space_id: String,
    /// Replies in the last 24 hours (active conversations) or 0 (unanswered questions).
    replies: i64,
    /// Distinct members who replied in the last 24 hours.
    repliers: i64,
    /// The latest reply (active conversations) or when it was asked (questions), RFC 3339.
    at: String,
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PulseModeration {
    /// Open flags in the moderation queue.
    open_flags: i64,
    /// The oldest open flag, RFC 3339.
    oldest_flag_at: Option<String>,
    /// Posts held for approval by automatic protection.
    held_posts: i64,
    open_appeals: i64,
    queue_url: String,
    held_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PulseEvent {
    event_id: String,
    title: String,
    starts_at: String,
    /// Seats taken.
    registered: i64,
    capacity: Option<i64>,
    url: String,
}

/// The last 24 hours of a community, each item with the page to act on it.
#[derive(Serialize, ToSchema)]
pub struct Pulse {
    community: String,
    time_zone: String,
    /// The start of the 24-hour window, RFC 3339.
    since: String,
    /// Today's date in the community's time zone (for today's events).
    today: String,
    /// Members who joined in the last 24 hours, newest first.
    new_members: Vec<PulseNewcomer>,
    /// Topics with the most replies in the last 24 hours (at most 10).
    active_conversations: Vec<PulseTopic>,
    moderation: PulseModeration,
    /// Questions without any reply, waiting longest first (at most 10).
    unanswered_questions: Vec<PulseTopic>,
    /// Events starting today (community time), not called off.
    events_today: Vec<PulseEvent>,
}

fn rfc3339(micros: i64) -> String {
    crate::html::format::iso(micros)
}

pub fn pulse_json(p: &AppPulse) -> Pulse {
    let slug = p.view.community.slug.as_str();
    let a = &p.attention;
    Pulse {
        community: slug.to_string(),
        time_zone: p.time_zone.clone(),
        since: rfc3339(p.since),
        today: date_of_day(p.today).to_string(),
        new_members: p
            .newcomers
            .iter()
            .map(|n| PulseNewcomer {
                user_id: n.user_id.clone(),
                display_name: n.display_name.clone(),
                joined_at: rfc3339(n.joined_at),
                introduced: n.introduced,
                greeted: n.greeted,
                url: format!("/c/{slug}/members/{}", n.user_id),
            })
            .collect(),
        active_conversations: p
            .conversations
            .iter()
            .map(|c| PulseTopic {
                topic_id: c.topic_id.clone(),
                title: c.title.clone(),
                space_id: c.space_id.clone(),
                replies: c.replies,
                repliers: c.repliers,
                at: rfc3339(c.last_reply_at),
                url: format!("/c/{slug}/t/{}", c.topic_id),
            })
            .collect(),
        moderation: PulseModeration {
            open_flags: a.open_flags,
            oldest_flag_at: a.oldest_flag_at.map(rfc3339),
            held_posts: a.held_posts,
            open_appeals: a.open_appeals,
            queue_url: format!("/c/{slug}/moderation"),
            held_url: format!("/c/{slug}/moderation/held"),
        },
        unanswered_questions: p
            .unanswered
            .iter()
            .map(|t| PulseTopic {
                topic_id: t.topic.id.clone(),
                title: t.topic.title.clone(),
                space_id: t.topic.space_id.clone(),
                replies: 0,
                repliers: 0,
                at: rfc3339(t.topic.created_at),
                url: format!("/c/{slug}/t/{}", t.topic.id),
            })
            .collect(),
        events_today: p
            .events_today
            .iter()
            .map(|e| PulseEvent {
                event_id: e.id.clone(),
                title: e.title.clone(),
                starts_at: rfc3339(e.starts_at),
                registered: e.registered_count,
                capacity: e.capacity,
                url: format!("/c/{slug}/events/{}", e.id),
            })
            .collect(),
    }
}

/// The pulse check: new members to welcome, active conversations, flagged and held items,
/// unanswered questions and today's events (moderators and admins; lists keep to the spaces
/// the caller can see).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/pulse", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = Pulse), (status = 401), (status = 403), (status = 404)))]
pub async fn pulse(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Pulse>, ApiError> {
    let p = state.app.pulse(ctx.actor()?, &slug).await?;
    Ok(Json(pulse_json(&p)))
}
