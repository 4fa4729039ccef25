//! Server-rendered pages. Each module renders one product area's pages.

mod accounts;
mod admin;
mod analytics;
mod applications;
mod auto_moderation;
mod calendars;
mod communities;
pub(crate) mod directory;
pub(crate) mod discussions;
mod engagement;
mod event_attendance;
pub(crate) mod event_calendar;
mod event_covers;
mod event_followups;
mod event_hosts;
mod event_live;
pub(crate) mod events;
pub(crate) mod files;
pub(crate) mod format;
mod invitations;
pub(crate) mod member_360;
mod member_import;
pub(crate) mod membership_tiers;
mod moderation;
mod notifications;
pub(crate) mod onboarding;
mod profiles;
pub(crate) mod spaces;

use crate::context::{Ctx, FLASH_COOKIE};
use crate::error::{error_page, HtmlError};
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use townsquare_app::communities::CommunityView;
use townsquare_app::store::spaces::SpaceRow;

pub(crate) use format::{ago, date};

pub(crate) fn routes(r: Routes) -> Routes {
    let r = accounts::routes(r);
    let r = admin::routes(r);
    let r = communities::routes(r);
    let r = discussions::routes(r);
    let r = engagement::routes(r);
    let r = notifications::routes(r);
    let r = files::routes(r);
    let r = moderation::routes(r);
    let r = auto_moderation::routes(r);
    let r = invitations::routes(r);
    let r = events::routes(r);
    let r = event_covers::routes(r);
    let r = event_calendar::routes(r);
    let r = event_hosts::routes(r);
    let r = event_attendance::routes(r);
    let r = event_live::routes(r);
    let r = event_followups::routes(r);
    let r = calendars::routes(r);
    let r = analytics::routes(r);
    let r = membership_tiers::routes(r);
    let r = onboarding::routes(r);
    let r = member_360::routes(r);
    let r = member_import::routes(r);
    let r = applications::routes(r);
    let r = directory::routes(r);
    let r = profiles::routes(r);
    spaces::routes(r)
}

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "There is no page at this address. Check the link, or start from the home page.",
    )
}

/// What every page's frame shows: who is signed in, their communities, the flash message,
/// and the current community's navigation.
pub struct Layout {
    pub title: String,
    pub user: Option<townsquare_app::Actor>,
    pub csrf: String,
    pub flash: Option<String>,
    pub switcher: Vec<(String, String)>,
    pub accent: String,
    pub community: Option<CommunityNav>,
    /// Unread notifications of the signed-in member.
    pub unread: i64,
    pub asset_version: &'static str,
}

pub struct CommunityNav {
    pub slug: String,
    pub name: String,
    pub spaces: Vec<NavSpace>,
    pub current_space: Option<String>,
    pub can_manage: bool,
    pub is_member: bool,
    /// Required profile fields the member has not answered (made required after they
    /// joined): every page of the community prompts them, without blocking anything.
    pub missing_fields: Vec<String>,
}

pub struct NavSpace {
    pub slug: String,
    pub name: String,
    pub kind: String,
}

impl Layout {
    pub async fn new(state: &AppState, ctx: &Ctx, title: &str) -> Result<Layout, HtmlError> {
        let unread = match &ctx.actor {
            Some(a) => state.app.unread_notifications(a).await?,
            None => 0,
        };
        let switcher = match &ctx.actor {
            Some(a) => state
                .app
                .my_communities(a)
                .await?
                .into_iter()
                .map(|c| (c.community.slug, c.community.name))
                .collect(),
            None => Vec::new(),
        };
        let flash = ctx
            .flash
            .as_deref()
            .and_then(|f| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(f)
                    .ok()
            })
            .and_then(|b| String::from_utf8(b).ok());
        Ok(Layout {
            title: title.to_string(),
            user: ctx.actor.clone(),
            csrf: ctx.csrf.clone(),
            flash,
            switcher,
            accent: "#4f46e5".into(),
            community: None,
            unread,
            asset_version: crate::assets::VERSION,
        })
    }

    /// The frame of a page inside a community: its accent colour and space navigation.
    pub fn in_community(
        mut self,
        view: &CommunityView,
        spaces: &[SpaceRow],
        current_space: Option<&str>,
    ) -> Layout {
        self.accent = view.community.accent_color.clone();
        self.community = Some(CommunityNav {
            slug: view.community.slug.clone(),
            name: view.community.name.clone(),
            spaces: spaces
                .iter()
                .map(|s| NavSpace {
                    slug: s.slug.clone(),
                    name: s.name.clone(),
                    kind: s.kind.clone(),
                })
                .collect(),
            current_space: current_space.map(str::to_string),
            can_manage: view.can_manage(),
            is_member: view.role().is_some(),
            missing_fields: view.missing_fields.clone(),
        });
        self
    }
}

/// Renders a page; clears the flash cookie once its message has been shown.
pub fn page<T: Template>(status: StatusCode, template: &T, had_flash: bool) -> Response {
    match template.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if had_flash {
                let clear = format!("{FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
                if let Ok(v) = HeaderValue::from_str(&clear) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => HtmlError::from(townsquare_app::AppError::Internal(format!("template: {e}")))
            .into_response(),
    }
}

/// A redirect after a successful form, with a message for the next page.
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(message.as_bytes());
    let cookie = format!("{FLASH_COOKIE}={encoded}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Splits a form failure: field errors re-render the form, anything else is an error page.
pub fn form_errors(
    e: townsquare_app::AppError,
) -> Result<townsquare_domain::ValidationErrors, HtmlError> {
    match e {
        townsquare_app::AppError::Invalid(v) | townsquare_app::AppError::Conflict(v) => Ok(v),
        other => Err(other.into()),
    }
}
