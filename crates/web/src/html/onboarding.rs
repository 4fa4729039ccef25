//! Onboarding pages: a member's checklist (also a card on the community home) and the admins'
//! settings with the funnel.

use super::{form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::onboarding::{Checklist, Funnel};
use townsquare_domain::analytics::date_of_day;
use townsquare_domain::onboarding::Step;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/onboarding", get(mine))
        .post("/c/{slug}/onboarding/opt-out", post(opt_out))
        .get("/c/{slug}/settings/onboarding", get(settings))
        .post("/c/{slug}/settings/onboarding", post(save))
}

pub struct ChecklistLine {
    pub label: &'static str,
    pub link: String,
    pub done: bool,
}

/// The checklist as the card on the community home and the member's page show it.
pub struct ChecklistCard {
    pub slug: String,
    pub items: Vec<ChecklistLine>,
    pub done: usize,
    pub total: usize,
    pub opted_out: bool,
}

impl From<Checklist> for ChecklistCard {
    fn from(c: Checklist) -> ChecklistCard {
        ChecklistCard {
            slug: c.community_slug.clone(),
            done: c.done(),
            total: c.items.len(),
            opted_out: c.opted_out,
            items: c
                .items
                .into_iter()
                .map(|i| ChecklistLine {
                    label: i.step.label(),
                    link: i.link,
                    done: i.done,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "onboarding/mine.html")]
struct MinePage {
    layout: Layout,
    card: ChecklistCard,
}

async fn mine(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.community(Some(actor), &slug).await?;
    let Some(checklist) = state.app.onboarding_checklist(actor, &slug).await? else {
        return Err(townsquare_app::AppError::Forbidden(
            "Only members have an onboarding checklist.".into(),
        )
        .into());
    };
    let card = ChecklistCard::from(checklist);
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(&state, &ctx, "Your first steps")
        .await?
        .in_community(&view, &spaces, None);
    Ok(page(
        StatusCode::OK,
        &MinePage { layout, card },
        ctx.flash.is_some(),
    ))
}

#[derive(Deserialize)]
struct Empty {}

async fn opt_out(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state.app.opt_out_of_onboarding(ctx.actor()?, &slug).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}"),
        "Checklist hidden: no more reminders will come.",
    ))
}

pub struct StepChoice {
    pub key: &'static str,
    pub label: &'static str,
    pub chosen: bool,
}

pub struct FunnelLine {
    pub label: &'static str,
    pub count: i64,
    pub percent: String,
}

pub struct FunnelTable {
    pub joined: i64,
    pub steps: Vec<FunnelLine>,
    pub completed_all: i64,
    pub completed_percent: String,
}

fn percent(n: i64, of: i64) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{}%", (n * 100 + of / 2) / of)
    }
}

impl From<&Funnel> for FunnelTable {
    fn from(f: &Funnel) -> FunnelTable {
        FunnelTable {
            joined: f.joined,
            steps: f
                .steps
                .iter()
                .map(|(s, n)| FunnelLine {
                    label: s.label(),
                    count: *n,
                    percent: percent(*n, f.joined),
                })
                .collect(),
            completed_all: f.completed_all,
            completed_percent: percent(f.completed_all, f.joined),
        }
    }
}

#[derive(Template)]
#[template(path = "onboarding/settings.html")]
struct SettingsPage {
    layout: Layout,
    slug: String,
    steps: Vec<StepChoice>,
    welcome_message: String,
    nudge_days: String,
    funnel: Option<FunnelTable>,
    funnel_from: String,
    funnel_to: String,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
struct FunnelQuery {
    from: Option<String>,
    to: Option<String>,
}

/// What the settings form shows: the saved values, or what was submitted when it failed.
struct Submitted {
    steps: Vec<String>,
    welcome_message: String,
    nudge_days: String,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    q: FunnelQuery,
    submitted: Option<Submitted>,
    mut errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let s = state.app.onboarding_settings(actor, slug).await?;
    let funnel = match state
        .app
        .onboarding_funnel(actor, slug, q.from.as_deref(), q.to.as_deref())
        .await
    {
        Ok(f) => Some(f),
        Err(e) => {
            errors.0.extend(form_errors(e)?.0);
            None
        }
    };
    let spaces = state.app.visible_spaces(&s.view).await?;
    let layout = Layout::new(state, ctx, "Onboarding")
        .await?
        .in_community(&s.view, &spaces, None);
    let submitted = submitted.unwrap_or_else(|| Submitted {
        steps: s
            .onboarding
            .steps
            .iter()
            .map(|s| s.key().to_string())
            .collect(),
        welcome_message: s.onboarding.welcome_message.clone(),
        nudge_days: s.onboarding.nudge_days_text(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = SettingsPage {
        layout,
        slug: slug.to_string(),
        steps: Step::ALL
            .iter()
            .map(|step| StepChoice {
                key: step.key(),
                label: step.label(),
                chosen: submitted.steps.iter().any(|k| k == step.key()),
            })
            .collect(),
        welcome_message: submitted.welcome_message,
        nudge_days: submitted.nudge_days,
        funnel_from: funnel
            .as_ref()
            .map(|f| date_of_day(f.from).to_string())
            .or(q.from)
            .unwrap_or_default(),
        funnel_to: funnel
            .as_ref()
            .map(|f| date_of_day(f.to).to_string())
            .or(q.to)
            .unwrap_or_default(),
        funnel: funnel.as_ref().map(FunnelTable::from),
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<FunnelQuery>,
) -> Result<Response, HtmlError> {
    settings_page(&state, &ctx, &slug, q, None, ValidationErrors::new()).await
}

/// The form arrives as pairs, since `steps` repeats once per ticked box.
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let submitted = Submitted {
        steps: pairs
            .iter()
            .filter(|(k, _)| k == "steps")
            .map(|(_, v)| v.clone())
            .collect(),
        welcome_message: value("welcome_message"),
        nudge_days: value("nudge_days"),
    };
    match state
        .app
        .save_onboarding(
            ctx.actor()?,
            &slug,
            &submitted.steps,
            &submitted.welcome_message,
            &submitted.nudge_days,
        )
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/onboarding"),
            "Onboarding saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            settings_page(
                &state,
                &ctx,
                &slug,
                FunnelQuery::default(),
                Some(submitted),
                errors,
            )
            .await
        }
    }
}
