//! The instance superadmin's page: health at a glance and who else is a superadmin.

use super::{ago, form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::admin::InstanceOverview;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/admin", get(overview))
        .post("/admin/superadmins", post(set_superadmin))
}

pub struct CommunityLine {
    pub slug: String,
    pub name: String,
    pub visibility: String,
    pub join_policy: String,
    pub members: i64,
    pub last_activity: String,
}

pub struct UserLine {
    pub email: String,
    pub name: String,
    pub superadmin: bool,
    pub joined: String,
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    layout: Layout,
    o: InstanceOverview,
    communities: Vec<CommunityLine>,
    newest: Vec<UserLine>,
    superadmins: Vec<UserLine>,
    email: String,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
struct SuperadminForm {
    #[serde(default)]
    email: String,
    /// `grant` or `revoke`.
    #[serde(default)]
    action: String,
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    email: String,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let o = state.app.instance_overview(actor).await?;
    let now = state.app.now();
    let communities = o
        .communities
        .iter()
        .map(|c| CommunityLine {
            slug: c.slug.clone(),
            name: c.name.clone(),
            visibility: c.visibility.clone(),
            join_policy: c.join_policy.clone(),
            members: c.member_count,
            last_activity: c
                .last_activity_at
                .map(|t| ago(t, now))
                .unwrap_or_else(|| "never".into()),
        })
        .collect();
    let line = |u: &townsquare_app::store::admin::UserSummary| UserLine {
        email: u.email.clone(),
        name: u.display_name.clone(),
        superadmin: u.is_superadmin,
        joined: ago(u.created_at, now),
    };
    let newest = o.newest_users.iter().map(line).collect();
    let superadmins = o.superadmins.iter().map(line).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = OverviewPage {
        layout: Layout::new(state, ctx, "Instance").await?,
        o,
        communities,
        newest,
        superadmins,
        email,
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn overview(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    overview_page(&state, &ctx, String::new(), ValidationErrors::new()).await
}

async fn set_superadmin(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SuperadminForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let grant = match form.action.as_str() {
        "grant" => true,
        "revoke" => false,
        _ => {
            let mut errors = ValidationErrors::new();
            errors.add("email", "Choose to grant or to revoke superadmin.");
            return overview_page(&state, &ctx, form.email, errors).await;
        }
    };
    match state.app.set_superadmin(actor, &form.email, grant).await {
        Ok(name) => Ok(redirect_with_flash(
            "/admin",
            &if grant {
                format!("{name} is a superadmin.")
            } else {
                format!("{name} is no longer a superadmin.")
            },
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            overview_page(&state, &ctx, form.email, errors).await
        }
    }
}
