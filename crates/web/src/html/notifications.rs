//! The notification centre page.

use super::{ago, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/notifications", get(list))
        .post("/notifications/read", post(mark_read))
        .get("/settings/notifications", get(settings))
        .post("/settings/notifications", post(save_settings))
}

pub struct NotificationItem {
    pub unread: bool,
    pub actor: String,
    pub what: &'static str,
    pub title: String,
    pub link: Option<String>,
    pub excerpt: String,
    pub iso: String,
    pub ago: String,
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    layout: Layout,
    unread: i64,
    items: Vec<NotificationItem>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct BeforeQuery {
    before: Option<String>,
}

const PER_PAGE: i64 = 30;

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BeforeQuery>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let cursor = q.before.as_deref().and_then(crate::api::decode_time_cursor);
    let rows = state
        .app
        .notifications(
            actor,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
            PER_PAGE,
        )
        .await?;
    let next = (rows.len() as i64 == PER_PAGE)
        .then(|| {
            rows.last().map(|n| {
                crate::api::encode_time_cursor(n.notification.created_at, &n.notification.id)
            })
        })
        .flatten();
    let now = state.app.now();
    let layout = Layout::new(&state, &ctx, "Notifications").await?;
    let unread = layout.unread;
    let items = rows
        .into_iter()
        .map(|n| {
            let link = match (&n.community_slug, &n.notification.topic_id) {
                (Some(c), Some(t)) => Some(match &n.notification.post_id {
                    Some(p) => format!("/c/{c}/t/{t}#post-{p}"),
                    None => format!("/c/{c}/t/{t}"),
                }),
                (Some(c), None) => Some(format!("/c/{c}")),
                _ => None,
            };
            NotificationItem {
                unread: n.notification.read_at.is_none(),
                actor: n.actor_name.unwrap_or_else(|| "Someone".into()),
                what: townsquare_app::notifications::describe(&n.notification.kind),
                title: n
                    .topic_title
                    .or(n.community_slug)
                    .unwrap_or_else(|| "a topic".into()),
                link,
                excerpt: n.notification.excerpt,
                iso: super::format::iso(n.notification.created_at),
                ago: ago(n.notification.created_at, now),
            }
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &ListPage {
            layout,
            unread,
            items,
            next,
        },
        ctx.flash.is_some(),
    ))
}

#[derive(Deserialize)]
struct Empty {}

async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state.app.mark_notifications_read(actor).await?;
    Ok(redirect_with_flash("/notifications", "All caught up."))
}

pub struct KindChoice {
    pub name: &'static str,
    pub label: &'static str,
    pub delivery: &'static str,
}

#[derive(Template)]
#[template(path = "notifications/settings.html")]
struct SettingsPage {
    layout: Layout,
    kinds: Vec<KindChoice>,
    deliveries: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    error: Option<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let kinds = state
        .app
        .notification_preferences(actor)
        .await?
        .into_iter()
        .map(|(k, d)| KindChoice {
            name: k.name,
            label: k.label,
            delivery: d.as_str(),
        })
        .collect();
    let deliveries = townsquare_domain::notifications::Delivery::ALL
        .iter()
        .map(|d| (d.as_str(), d.label()))
        .collect();
    let layout = Layout::new(state, ctx, "Notification settings").await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page(
        status,
        &SettingsPage {
            layout,
            kinds,
            deliveries,
            error,
        },
        ctx.flash.is_some(),
    ))
}

async fn settings(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    settings_page(&state, &ctx, None).await
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<std::collections::BTreeMap<String, String>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let choices: Vec<(String, String)> = form
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    match state
        .app
        .set_notification_preferences(actor, &choices)
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            "/settings/notifications",
            "Notification settings saved.",
        )),
        Err(e @ townsquare_app::AppError::Invalid(_)) => {
            settings_page(&state, &ctx, Some(crate::error::human_message(&e))).await
        }
        Err(e) => Err(e.into()),
    }
}
