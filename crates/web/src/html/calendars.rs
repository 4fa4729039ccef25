//! Calendars: "My events" (what the member registered for, and their private feed address)
//! and the calendar feeds themselves (a member's private one, a community's public one).

use super::events::EventItem;
use super::{page, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/calendar", get(mine))
        .post("/calendar/feed", post(reset_feed))
        .get("/calendar/{token}/events.ics", get(private_feed))
        .get("/c/{slug}/calendar.ics", get(community_feed))
}

pub struct MyEvent {
    pub community_name: String,
    pub community_slug: String,
    pub item: EventItem,
}

#[derive(Template)]
#[template(path = "calendars/mine.html")]
struct MinePage {
    layout: Layout,
    events: Vec<MyEvent>,
    /// When the current private address was made, if there is one.
    feed_created: Option<String>,
    /// The new address, shown once right after it is made.
    new_feed_url: Option<String>,
}

async fn render_mine(
    state: &AppState,
    ctx: &Ctx,
    new_feed_url: Option<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let entries = state.app.my_calendar(actor, true).await?;
    let feed_created = state.app.calendar_feed_created(actor).await?;
    let body = MinePage {
        layout: Layout::new(state, ctx, "My events").await?,
        events: entries
            .iter()
            .map(|e| MyEvent {
                community_name: e.community_name.clone(),
                community_slug: e.community_slug.clone(),
                item: EventItem::of(&e.event),
            })
            .collect(),
        feed_created: feed_created.map(super::date),
        new_feed_url,
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    render_mine(&state, &ctx, None).await
}

#[derive(Deserialize, Default)]
struct Empty {}

/// Makes a new private address and shows it once; the old one stops working.
async fn reset_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let token = state.app.reset_calendar_feed(actor).await?;
    let url = format!(
        "{}/calendar/{token}/events.ics",
        state.app.settings().base_url
    );
    render_mine(&state, &ctx, Some(url)).await
}

fn ics_response(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            // Private feeds carry a secret in their address: keep them out of shared caches.
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        body,
    )
        .into_response()
}

/// A member's private feed: calendar programs fetch it without cookies, by its secret token.
async fn private_feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HtmlError> {
    let (actor, entries) = state.app.calendar_feed(&token).await?;
    let name = format!("{} · Townsquare events", actor.display_name);
    Ok(ics_response(
        crate::ics::calendar(&state, &name, &entries),
        "my-events.ics",
    ))
}

/// A community's public events, for anyone's calendar program.
async fn community_feed(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let feed = state.app.community_calendar(&slug).await?;
    Ok(ics_response(
        crate::ics::community_calendar(&state, &feed),
        &format!("{slug}-events.ics"),
    ))
}
