//! Community managers' pages: discussion prompts, featuring posts, the welcome list.

use super::{ago, form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::engagement::PromptInput;
use townsquare_app::spaces::kind_of;
use townsquare_domain::time_zones;
use townsquare_domain::{SpaceKind, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/prompts", get(prompts))
        .post("/c/{slug}/prompts", post(schedule))
        .post("/c/{slug}/prompts/{prompt}/cancel", post(cancel))
        .post("/c/{slug}/posts/{post}/feature", post(feature))
        .post("/c/{slug}/posts/{post}/unfeature", post(unfeature))
        .get("/c/{slug}/welcome", get(welcome))
        .post("/c/{slug}/welcome/space", post(set_intro_space))
}

/// Reads a `datetime-local` value as a wall-clock time in the community's time zone, as
/// microseconds since the epoch.
pub fn parse_local_time(value: &str, tz: time_zones::Tz) -> Option<i64> {
    let naive = chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some(time_zones::to_utc(naive, tz))
}

/// A community's time zone (UTC if the stored name is somehow unknown).
pub fn community_tz(view: &townsquare_app::communities::CommunityView) -> time_zones::Tz {
    time_zones::parse_or_utc(&view.community.time_zone)
}

/// An instant as the community's wall-clock time, e.g. "Tue 1 Dec 2026, 09:00".
pub fn local_label(micros: i64, tz: time_zones::Tz) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| {
            t.with_timezone(&tz)
                .format("%a %-d %b %Y, %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

pub struct PromptItem {
    pub id: String,
    pub title: String,
    pub space_name: String,
    pub run_iso: String,
    /// The run time on the community's clock.
    pub run_local: String,
    pub status: String,
    pub topic_id: Option<String>,
}

#[derive(Template)]
#[template(path = "engagement/prompts.html")]
struct PromptsPage {
    layout: Layout,
    community_slug: String,
    prompts: Vec<PromptItem>,
    spaces: Vec<(String, String)>,
    space: String,
    title: String,
    body: String,
    run_at: String,
    time_zone: String,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
struct PromptForm {
    #[serde(default)]
    space: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    run_at: String,
}

async fn prompts_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    form: PromptForm,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, rows) = state.app.prompts(actor, slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let names: std::collections::HashMap<&str, &str> = spaces
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let prompts = rows
        .iter()
        .map(|p| PromptItem {
            id: p.id.clone(),
            title: p.title.clone(),
            space_name: names
                .get(p.space_id.as_str())
                .unwrap_or(&"a space")
                .to_string(),
            run_iso: super::format::iso(p.run_at),
            run_local: local_label(p.run_at, community_tz(&view)),
            status: p.status.clone(),
            topic_id: p.topic_id.clone(),
        })
        .collect();
    let discussion: Vec<(String, String)> = spaces
        .iter()
        .filter(|s| kind_of(s) == SpaceKind::Discussion)
        .map(|s| (s.slug.clone(), s.name.clone()))
        .collect();
    let layout = Layout::new(state, ctx, "Discussion prompts")
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = PromptsPage {
        layout,
        community_slug: slug.to_string(),
        prompts,
        spaces: discussion,
        space: form.space,
        title: form.title,
        body: form.body,
        run_at: form.run_at,
        time_zone: view.community.time_zone.clone(),
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn prompts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    prompts_page(
        &state,
        &ctx,
        &slug,
        PromptForm::default(),
        ValidationErrors::new(),
    )
    .await
}

async fn schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<PromptForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.community(Some(actor), &slug).await?;
    let input = PromptInput {
        space: form.space.clone(),
        title: form.title.clone(),
        body: form.body.clone(),
        run_at: parse_local_time(&form.run_at, community_tz(&view)),
    };
    match state.app.schedule_prompt(actor, &slug, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/prompts"),
            "Prompt scheduled. It will be posted under your name.",
        )),
        Err(e) => prompts_page(&state, &ctx, &slug, form, form_errors(e)?).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, prompt)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state
        .app
        .cancel_prompt(ctx.actor()?, &slug, &prompt)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/prompts"),
        "Prompt cancelled.",
    ))
}

#[derive(Deserialize)]
struct FeatureForm {
    #[serde(default)]
    shout_out: String,
}

async fn feature(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FeatureForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state
        .app
        .feature_post(actor, &post_id, &form.shout_out)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}"),
        "Featured on the community home. The author has been told.",
    ))
}

async fn unfeature(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state.app.unfeature_post(ctx.actor()?, &post_id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}"),
        "No longer featured.",
    ))
}

pub struct NewcomerItem {
    pub name: String,
    pub iso: String,
    pub ago: String,
    pub introduced: bool,
    pub posted: bool,
    pub greeted: bool,
}

#[derive(Template)]
#[template(path = "engagement/welcome.html")]
struct WelcomePage {
    layout: Layout,
    community_slug: String,
    spaces: Vec<(String, String)>,
    intro_slug: Option<String>,
    can_manage: bool,
    rows: Vec<NewcomerItem>,
}

async fn welcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, intro, rows) = state.app.newcomers(actor, &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let now = state.app.now();
    let layout = Layout::new(&state, &ctx, "To welcome")
        .await?
        .in_community(&view, &spaces, None);
    let body = WelcomePage {
        layout,
        community_slug: slug.clone(),
        spaces: spaces
            .iter()
            .filter(|s| kind_of(s) == SpaceKind::Discussion)
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect(),
        intro_slug: intro.map(|s| s.slug),
        can_manage: view.can_manage(),
        rows: rows
            .into_iter()
            .map(|r| NewcomerItem {
                name: r.display_name,
                iso: super::format::iso(r.joined_at),
                ago: ago(r.joined_at, now),
                introduced: r.introduced,
                posted: r.posted,
                greeted: r.greeted,
            })
            .collect(),
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

#[derive(Deserialize)]
struct IntroForm {
    #[serde(default)]
    space: String,
}

async fn set_intro_space(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<IntroForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .set_introductions_space(ctx.actor()?, &slug, &form.space)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/welcome"),
        "Introductions space saved.",
    ))
}

#[cfg(test)]
mod tests {
    use super::{local_label, parse_local_time};
    use townsquare_domain::time_zones;

    #[test]
    fn local_times_become_utc() {
        // 09:00 in Berlin in December (UTC+1) is 08:00 UTC.
        let t = parse_local_time(
            "2026-12-01T09:00",
            time_zones::parse("Europe/Berlin").unwrap(),
        )
        .unwrap();
        assert_eq!(
            chrono::DateTime::from_timestamp_micros(t)
                .unwrap()
                .to_rfc3339(),
            "2026-12-01T08:00:00+00:00"
        );
        assert_eq!(
            local_label(t, time_zones::parse("Europe/Berlin").unwrap()),
            "Tue 1 Dec 2026, 09:00"
        );
        assert!(parse_local_time("tomorrow", time_zones::UTC).is_none());
    }
}
