//! Membership tier pages: the admins' tiers and members' terms (`/c/{slug}/settings/tiers`),
//! editing one tier, and a member's own tier (`/c/{slug}/membership`).

use super::{form_errors, page, redirect_with_flash, Layout};
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
use townsquare_app::membership_tiers::{AssignInput, TermView, TierInput, TierView};
use townsquare_app::AppError;
use townsquare_domain::membership_tiers::days_text;
use townsquare_domain::{markdown, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/settings/tiers", get(settings))
        .post("/c/{slug}/settings/tiers", post(create))
        .get("/c/{slug}/settings/tiers/{tier}", get(edit))
        .post("/c/{slug}/settings/tiers/{tier}", post(update))
        .post("/c/{slug}/settings/tiers/{tier}/archive", post(archive))
        .post("/c/{slug}/settings/tiers/members", post(assign))
        .post("/c/{slug}/settings/tiers/defaults", post(set_defaults))
        .post("/c/{slug}/members/{user_id}/tier/renew", post(renew))
        .post("/c/{slug}/members/{user_id}/tier/end", post(end))
        .post("/c/{slug}/members/{user_id}/tier/change", post(change))
        .post(
            "/c/{slug}/members/{user_id}/tier/change/cancel",
            post(cancel_change),
        )
        .get("/c/{slug}/membership", get(mine))
        .post("/c/{slug}/membership/request", post(request_change))
}

/// A tier as the pages list it.
pub struct TierLine {
    pub id: String,
    pub name: String,
    pub price_label: String,
    pub benefits_html: String,
    pub period: String,
    pub reminders: String,
    pub spaces: String,
    pub archived: bool,
}

fn period_text(months: Option<i64>) -> String {
    match months {
        None => "No end".into(),
        Some(1) => "1 month".into(),
        Some(12) => "1 year".into(),
        Some(m) if m % 12 == 0 => format!("{} years", m / 12),
        Some(m) => format!("{m} months"),
    }
}

impl From<&TierView> for TierLine {
    fn from(t: &TierView) -> Self {
        let days = t.reminder_days();
        TierLine {
            id: t.tier.id.clone(),
            name: t.tier.name.clone(),
            price_label: t.tier.price_label.clone(),
            benefits_html: markdown::render(&t.tier.benefits),
            period: period_text(t.tier.period_months),
            reminders: if days.is_empty() || t.tier.period_months.is_none() {
                "none".into()
            } else {
                format!("{} days before", days_text(&days))
            },
            spaces: t
                .spaces
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            archived: t.tier.archived_at.is_some(),
        }
    }
}

/// A member's term as the pages show it.
pub struct TermLine {
    pub user_id: String,
    pub display_name: String,
    pub tier: String,
    pub status: String,
    pub starts_on: String,
    pub expires_on: String,
    pub active: bool,
    pub renewable: bool,
    pub renewals: Vec<String>,
    /// "Changes to <tier> on <date>" when a change is scheduled.
    pub scheduled: Option<String>,
}

impl From<&TermView> for TermLine {
    fn from(t: &TermView) -> Self {
        TermLine {
            user_id: t.term.user_id.clone(),
            display_name: t.term.display_name.clone(),
            tier: t.term.tier_name.clone(),
            status: t.term.status.clone(),
            starts_on: t.starts_on.to_string(),
            expires_on: t
                .expires_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "no end".into()),
            active: t.term.status == "active",
            renewable: t.term.status != "ended" && t.expires_on.is_some() && t.change.is_none(),
            scheduled: t
                .change
                .as_ref()
                .map(|c| format!("Changes to {} on {}", c.tier_name, c.starts_on)),
            renewals: t
                .renewals
                .iter()
                .map(|r| {
                    let day = |m: i64| {
                        chrono::DateTime::from_timestamp_micros(m)
                            .unwrap_or_default()
                            .date_naive()
                            .to_string()
                    };
                    format!(
                        "Renewed on {} (end {} → {})",
                        day(r.renewed_at),
                        day(r.previous_expires_at),
                        day(r.new_expires_at)
                    )
                })
                .collect(),
        }
    }
}

pub struct SpaceChoice {
    pub slug: String,
    pub name: String,
    pub chosen: bool,
}

/// The tier form's values: the saved tier, or what was submitted when it failed.
#[derive(Deserialize, Default, Clone)]
struct TierForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    price_label: String,
    #[serde(default)]
    benefits: String,
    #[serde(default)]
    period_months: String,
    #[serde(default)]
    reminder_days: String,
    #[serde(default)]
    spaces: Vec<String>,
}

impl TierForm {
    fn from_pairs(pairs: &[(String, String)]) -> TierForm {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        TierForm {
            name: value("name"),
            price_label: value("price_label"),
            benefits: value("benefits"),
            period_months: value("period_months"),
            reminder_days: value("reminder_days"),
            spaces: pairs
                .iter()
                .filter(|(k, _)| k == "spaces")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    fn of(t: &TierView) -> TierForm {
        TierForm {
            name: t.tier.name.clone(),
            price_label: t.tier.price_label.clone(),
            benefits: t.tier.benefits.clone(),
            period_months: t
                .tier
                .period_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            reminder_days: days_text(&t.reminder_days()),
            spaces: t.spaces.iter().map(|s| s.slug.clone()).collect(),
        }
    }

    fn input(&self) -> TierInput {
        TierInput {
            name: self.name.clone(),
            price_label: self.price_label.clone(),
            benefits: self.benefits.clone(),
            period_months: self.period_months.clone(),
            reminder_days: self.reminder_days.clone(),
            spaces: self.spaces.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "membership_tiers/settings.html")]
struct SettingsPage {
    layout: Layout,
    slug: String,
    tiers: Vec<TierLine>,
    terms: Vec<TermLine>,
    /// The new-tier form.
    form: TierFormView,
    /// The give-a-tier form.
    assign: AssignForm,
    /// The community's default reminder days for new tiers ("14, 3").
    default_days: String,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
struct DefaultsForm {
    #[serde(default)]
    reminder_days: String,
}

/// Admins set the reminder days new tiers start with.
async fn set_defaults(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<DefaultsForm>,
) -> Result<Response, HtmlError> {
    match state
        .app
        .set_tier_defaults(ctx.actor()?, &slug, &form.reminder_days)
        .await
    {
        Ok(days) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &if days.is_empty() {
                "New tiers send no reminders unless you give them days.".to_string()
            } else {
                format!(
                    "New tiers remind holders {} days before their end.",
                    days_text(&days)
                )
            },
        )),
        Err(e) => {
            let mut errors = ValidationErrors::new();
            for fe in form_errors(e)?.0 {
                errors.add("default_reminder_days", fe.message);
            }
            settings_page(&state, &ctx, &slug, None, None, errors).await
        }
    }
}

pub struct TierFormView {
    pub name: String,
    pub price_label: String,
    pub benefits: String,
    pub period_months: String,
    pub reminder_days: String,
    pub spaces: Vec<SpaceChoice>,
}

#[derive(Deserialize, Default, Clone)]
pub struct AssignForm {
    #[serde(default)]
    pub member: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub expires_on: String,
}

async fn form_view(
    state: &AppState,
    view: &townsquare_app::communities::CommunityView,
    f: &TierForm,
) -> Result<TierFormView, HtmlError> {
    let spaces = state.app.visible_spaces(view).await?;
    Ok(TierFormView {
        name: f.name.clone(),
        price_label: f.price_label.clone(),
        benefits: f.benefits.clone(),
        period_months: f.period_months.clone(),
        reminder_days: f.reminder_days.clone(),
        spaces: spaces
            .into_iter()
            .map(|s| SpaceChoice {
                chosen: f.spaces.contains(&s.slug),
                slug: s.slug,
                name: s.name,
            })
            .collect(),
    })
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    form: Option<TierForm>,
    assign: Option<AssignForm>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, tiers) = state.app.membership_tiers(actor, slug).await?;
    let (_, terms) = state.app.tier_terms(actor, slug).await?;
    let default_days = days_text(&state.app.default_reminder_days(&view).await?);
    let form = form.unwrap_or_else(|| TierForm {
        period_months: "12".into(),
        reminder_days: default_days.clone(),
        ..Default::default()
    });
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Membership tiers")
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = SettingsPage {
        layout,
        slug: slug.to_string(),
        tiers: tiers.iter().map(TierLine::from).collect(),
        terms: terms.iter().map(TermLine::from).collect(),
        form: form_view(state, &view, &form).await?,
        assign: assign.unwrap_or_default(),
        default_days,
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    settings_page(&state, &ctx, &slug, None, None, ValidationErrors::new()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let form = TierForm::from_pairs(&pairs);
    match state
        .app
        .create_tier(ctx.actor()?, &slug, &form.input())
        .await
    {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &format!("Tier “{}” created.", t.tier.name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            settings_page(&state, &ctx, &slug, Some(form), None, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "membership_tiers/edit.html")]
struct EditPage {
    layout: Layout,
    slug: String,
    tier_id: String,
    archived: bool,
    form: TierFormView,
    errors: ValidationErrors,
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    tier_id: &str,
    form: Option<TierForm>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let (view, tier) = state
        .app
        .membership_tier(ctx.actor()?, slug, tier_id)
        .await?;
    let form = form.unwrap_or_else(|| TierForm::of(&tier));
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, &format!("Tier: {}", tier.tier.name))
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = EditPage {
        layout,
        slug: slug.to_string(),
        tier_id: tier.tier.id.clone(),
        archived: tier.tier.archived_at.is_some(),
        form: form_view(state, &view, &form).await?,
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, tier)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    edit_page(&state, &ctx, &slug, &tier, None, ValidationErrors::new()).await
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, tier)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let form = TierForm::from_pairs(&pairs);
    match state
        .app
        .update_tier(ctx.actor()?, &slug, &tier, &form.input())
        .await
    {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &format!("Tier “{}” saved.", t.tier.name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            edit_page(&state, &ctx, &slug, &tier, Some(form), errors).await
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, tier)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let t = state.app.archive_tier(ctx.actor()?, &slug, &tier).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/settings/tiers"),
        &format!(
            "Tier “{}” archived: members who hold it keep it until their term ends.",
            t.tier.name
        ),
    ))
}

/// Gives a member (found by e-mail address) a tier.
async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let user = townsquare_app::store::accounts::user_by_email(
        state.app.db(),
        &form.member.trim().to_lowercase(),
    )
    .await
    .map_err(AppError::from)?;
    let result = match user {
        None => Err(AppError::invalid(
            "member",
            "No member has this e-mail address.",
        )),
        Some(u) => state
            .app
            .assign_tier(
                actor,
                &slug,
                &u.id,
                &AssignInput {
                    tier: form.tier.clone(),
                    starts_on: form.starts_on.clone(),
                    expires_on: form.expires_on.clone(),
                },
            )
            .await
            .map_err(|e| match e {
                AppError::NotFound("member") => {
                    AppError::invalid("member", "This person is not a member of the community.")
                }
                other => other,
            }),
    };
    match result {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &format!("{} now holds {}.", t.term.display_name, t.term.tier_name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            settings_page(&state, &ctx, &slug, None, Some(form), errors).await
        }
    }
}

#[derive(Deserialize, Default)]
struct RenewForm {
    #[serde(default)]
    expires_on: String,
}

async fn renew(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RenewForm>,
) -> Result<Response, HtmlError> {
    match state
        .app
        .renew_tier(ctx.actor()?, &slug, &user_id, &form.expires_on)
        .await
    {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &format!(
                "Renewal recorded: {}’s {} now ends on {}.",
                t.term.display_name,
                t.term.tier_name,
                t.expires_on.map(|d| d.to_string()).unwrap_or_default()
            ),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            settings_page(&state, &ctx, &slug, None, None, errors).await
        }
    }
}

async fn end(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state.app.end_tier(ctx.actor()?, &slug, &user_id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/settings/tiers"),
        "Tier ended: its spaces are closed to the member now.",
    ))
}

#[derive(Deserialize, Default)]
struct ChangeForm {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    expires_on: String,
}

/// An admin changes a member's tier (the form under each active term). A refused change is
/// said at the table (`change_tier`), with the reason.
async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, HtmlError> {
    let input = AssignInput {
        tier: form.tier,
        starts_on: form.starts_on,
        expires_on: form.expires_on,
    };
    match state
        .app
        .change_tier(ctx.actor()?, &slug, &user_id, &input)
        .await
    {
        Ok(t) if t.change.is_some() => {
            let c = t.change.as_ref().expect("scheduled");
            Ok(redirect_with_flash(
                &format!("/c/{slug}/settings/tiers"),
                &format!(
                    "{} keeps {} until {}, then changes to {}.",
                    t.term.display_name, t.term.tier_name, c.starts_on, c.tier_name
                ),
            ))
        }
        Ok(t) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &format!(
                "{} now holds {}{}; the previous tier ended on {}.",
                t.term.display_name,
                t.term.tier_name,
                t.expires_on
                    .map(|d| format!(" until {d}"))
                    .unwrap_or_default(),
                t.starts_on
            ),
        )),
        Err(e) => {
            let mut errors = ValidationErrors::new();
            for fe in form_errors(e)?.0 {
                errors.add("change_tier", fe.message);
            }
            settings_page(&state, &ctx, &slug, None, None, errors).await
        }
    }
}

/// An admin cancels a member's scheduled tier change: the current tier keeps its end.
async fn cancel_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    match state
        .app
        .cancel_tier_change(ctx.actor()?, &slug, &user_id)
        .await
    {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/tiers"),
            &format!(
                "The scheduled change is cancelled: {} keeps {}.",
                t.term.display_name, t.term.tier_name
            ),
        )),
        Err(e) => {
            let mut errors = ValidationErrors::new();
            for fe in form_errors(e)?.0 {
                errors.add("change_tier", fe.message);
            }
            settings_page(&state, &ctx, &slug, None, None, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "membership_tiers/mine.html")]
struct MinePage {
    layout: Layout,
    slug: String,
    term: Option<TermLine>,
    /// The id of the tier the member holds now (active), if any.
    current_tier: String,
    tiers: Vec<TierLine>,
    /// The request form after a refusal.
    request: RequestForm,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
struct RequestForm {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    message: String,
}

async fn mine_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    request: RequestForm,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, tiers, term) = state.app.membership_overview(actor, slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Membership")
        .await?
        .in_community(&view, &spaces, None);
    let current_tier = term
        .as_ref()
        .filter(|t| t.term.status == "active")
        .map(|t| t.term.tier_id.clone())
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(
        status,
        &MinePage {
            layout,
            slug: slug.to_string(),
            term: term.as_ref().map(TermLine::from),
            current_tier,
            tiers: tiers.iter().map(TierLine::from).collect(),
            request,
            errors,
        },
        ctx.flash.is_some(),
    ))
}

/// A member asks the admins for another tier.
async fn request_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> Result<Response, HtmlError> {
    match state
        .app
        .request_tier_change(ctx.actor()?, &slug, &form.tier, &form.message)
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/c/{slug}/membership"),
            "Your request is sent to the community's admins.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            mine_page(&state, &ctx, &slug, form, errors).await
        }
    }
}

async fn mine(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    mine_page(
        &state,
        &ctx,
        &slug,
        RequestForm::default(),
        ValidationErrors::new(),
    )
    .await
}
