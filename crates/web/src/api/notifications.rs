//! The notification centre in the API.

use super::{cursor_param, decode_time_cursor, encode_time_cursor, limit_param, ApiCtx};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Query, State};
use axum::routing::{get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/notifications", get(list))
        .post("/api/v1/notifications/read", post(mark_read))
        .get("/api/v1/me/notification-preferences", get(preferences))
        .put("/api/v1/me/notification-preferences", put(set_preferences))
}

#[derive(Serialize, ToSchema)]
pub struct Notification {
    id: String,
    /// reply, reaction or answer_accepted.
    kind: String,
    actor_name: Option<String>,
    community_slug: Option<String>,
    topic_id: Option<String>,
    topic_title: Option<String>,
    post_id: Option<String>,
    excerpt: String,
    created_at: String,
    read: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    unread: i64,
    items: Vec<Notification>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    cursor: Option<String>,
    limit: Option<String>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = NotificationPage), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Query(q): Query<PageQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let actor = ctx.actor()?;
    let cursor = cursor_param(q.cursor.as_deref(), decode_time_cursor)?;
    let limit = limit_param(q.limit.as_deref(), 30)?;
    let rows = state
        .app
        .notifications(
            actor,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit,
        )
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|n| encode_time_cursor(n.notification.created_at, &n.notification.id))
        })
        .flatten();
    let unread = state.app.unread_notifications(actor).await?;
    let items = rows
        .into_iter()
        .map(|n| Notification {
            id: n.notification.id,
            kind: n.notification.kind,
            actor_name: n.actor_name,
            community_slug: n.community_slug,
            topic_id: n.notification.topic_id,
            topic_title: n.topic_title,
            post_id: n.notification.post_id,
            excerpt: n.notification.excerpt,
            created_at: iso(n.notification.created_at),
            read: n.notification.read_at.is_some(),
        })
        .collect();
    Ok(Json(NotificationPage {
        unread,
        items,
        next_cursor,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    marked: u64,
}

/// Mark all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 401)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<Json<MarkedRead>, ApiError> {
    let marked = state.app.mark_notifications_read(ctx.actor()?).await?;
    Ok(Json(MarkedRead { marked }))
}

#[derive(Serialize, ToSchema)]
pub struct Preference {
    /// reply, answer_accepted, featured or reaction.
    kind: String,
    label: String,
    /// in_app, email, digest or off.
    delivery: String,
}

/// How the caller receives each kind of notification.
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<Preference>), (status = 401)))]
pub async fn preferences(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<Json<Vec<Preference>>, ApiError> {
    let rows = state.app.notification_preferences(ctx.actor()?).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(k, d)| Preference {
                kind: k.name.into(),
                label: k.label.into(),
                delivery: d.as_str().into(),
            })
            .collect(),
    ))
}

/// Change deliveries: a JSON object of kind → delivery, e.g. {"reaction": "off"}.
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = std::collections::BTreeMap<String, String>, responses((status = 200, body = Vec<Preference>), (status = 401), (status = 422)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    ctx: ApiCtx,
    super::JsonBody(choices): super::JsonBody<std::collections::BTreeMap<String, String>>,
) -> Result<Json<Vec<Preference>>, ApiError> {
    let choices: Vec<(String, String)> = choices.into_iter().collect();
    state
        .app
        .set_notification_preferences(ctx.actor()?, &choices)
        .await?;
    preferences(State(state), ctx).await
}
