//! Onboarding in the API: a member's checklist and opting out of it; the admins' settings and
//! funnel.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::onboarding::{Checklist, Funnel};
use townsquare_domain::analytics::date_of_day;
use townsquare_domain::onboarding::Onboarding;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/onboarding", get(checklist))
        .post(
            "/api/v1/communities/{slug}/onboarding/opt-out",
            post(opt_out),
        )
        .get(
            "/api/v1/communities/{slug}/onboarding/settings",
            get(settings),
        )
        .put(
            "/api/v1/communities/{slug}/onboarding/settings",
            axum::routing::put(save_settings),
        )
        .get("/api/v1/communities/{slug}/onboarding/funnel", get(funnel))
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistStep {
    /// complete_profile, accept_guidelines, introduce_yourself, join_space, reply_to_topic
    /// or register_for_event.
    step: &'static str,
    label: &'static str,
    /// True once the activity log holds the action that completes the step.
    done: bool,
    /// Where the member does it (a path on this server).
    link: String,
}

#[derive(Serialize, ToSchema)]
pub struct MyChecklist {
    steps: Vec<ChecklistStep>,
    done: usize,
    total: usize,
    complete: bool,
    /// The member hid the checklist: no more reminders.
    opted_out: bool,
}

impl From<Checklist> for MyChecklist {
    fn from(c: Checklist) -> MyChecklist {
        MyChecklist {
            done: c.done(),
            total: c.items.len(),
            complete: c.is_complete(),
            opted_out: c.opted_out,
            steps: c
                .items
                .into_iter()
                .map(|i| ChecklistStep {
                    step: i.step.key(),
                    label: i.step.label(),
                    done: i.done,
                    link: i.link,
                })
                .collect(),
        }
    }
}

/// The signed-in member's onboarding checklist in a community (members).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/onboarding", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = MyChecklist), (status = 403), (status = 404)))]
pub async fn checklist(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<MyChecklist>, ApiError> {
    match state.app.onboarding_checklist(ctx.actor()?, &slug).await? {
        Some(c) => Ok(Json(c.into())),
        None => Err(townsquare_app::AppError::Forbidden(
            "Only members have an onboarding checklist.".into(),
        )
        .into()),
    }
}

/// Hide the checklist and stop the reminders (members).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/onboarding/opt-out", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn opt_out(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.opt_out_of_onboarding(ctx.actor()?, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A community's onboarding. The same shape is sent to change it.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct OnboardingSettings {
    /// Step keys, in any order (shown in a fixed order).
    steps: Vec<String>,
    /// Sent by e-mail and shown in the app on joining; `{name}` and `{community}` are
    /// filled in.
    welcome_message: String,
    /// Days after joining on which unfinished checklists are reminded (1–60, at most 5).
    nudge_days: Vec<i64>,
}

impl From<Onboarding> for OnboardingSettings {
    fn from(o: Onboarding) -> Self {
        OnboardingSettings {
            steps: o.steps.iter().map(|s| s.key().to_string()).collect(),
            welcome_message: o.welcome_message,
            nudge_days: o.nudge_days,
        }
    }
}

/// The community's onboarding settings (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/onboarding/settings", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = OnboardingSettings), (status = 403), (status = 404)))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<OnboardingSettings>, ApiError> {
    let s = state.app.onboarding_settings(ctx.actor()?, &slug).await?;
    Ok(Json(s.onboarding.into()))
}

/// Change the community's onboarding (admins); 422 names what was wrong.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/onboarding/settings", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = OnboardingSettings,
    responses((status = 200, body = OnboardingSettings), (status = 403), (status = 404), (status = 422)))]
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<OnboardingSettings>,
) -> Result<Json<OnboardingSettings>, ApiError> {
    let days = b
        .nudge_days
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let saved = state
        .app
        .save_onboarding(ctx.actor()?, &slug, &b.steps, &b.welcome_message, &days)
        .await?;
    Ok(Json(saved.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// First day members joined (YYYY-MM-DD, community time); default 29 days before `to`.
    from: Option<String>,
    /// Last day members joined (YYYY-MM-DD); default today.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FunnelStep {
    step: &'static str,
    label: &'static str,
    /// Members of the cohort who did it.
    members: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OnboardingFunnel {
    from: String,
    to: String,
    /// Members who joined in the period and are still members.
    joined: i64,
    steps: Vec<FunnelStep>,
    /// Of them, those who did every step.
    completed_all: i64,
}

impl From<Funnel> for OnboardingFunnel {
    fn from(f: Funnel) -> Self {
        OnboardingFunnel {
            from: date_of_day(f.from).to_string(),
            to: date_of_day(f.to).to_string(),
            joined: f.joined,
            steps: f
                .steps
                .into_iter()
                .map(|(s, n)| FunnelStep {
                    step: s.key(),
                    label: s.label(),
                    members: n,
                })
                .collect(),
            completed_all: f.completed_all,
        }
    }
}

/// Of the members who joined in a period, how many did each onboarding step (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/onboarding/funnel", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path), FunnelQuery), responses((status = 200, body = OnboardingFunnel), (status = 403), (status = 404), (status = 422)))]
pub async fn funnel(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<FunnelQuery>,
) -> Result<Json<OnboardingFunnel>, ApiError> {
    let f = state
        .app
        .onboarding_funnel(ctx.actor()?, &slug, q.from.as_deref(), q.to.as_deref())
        .await?;
    Ok(Json(f.into()))
}
