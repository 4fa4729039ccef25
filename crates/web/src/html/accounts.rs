//! Home page, sign-up, log-in, log-out, password reset, account settings and API tokens.

use super::{date, form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::security::SESSION_COOKIE;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::accounts::{CredentialKind, NewSession, SignupInput, SESSION_LIFETIME};
use townsquare_app::signup_guard::FormProof;
use townsquare_app::AppError;
use townsquare_domain::{JoinPolicy, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/", get(home))
        .get("/signup", get(signup_form))
        .post("/signup", post(signup))
        .get("/login", get(login_form))
        .post("/login", post(login))
        .post("/logout", post(logout))
        .get("/password/forgot", get(forgot_form))
        .post("/password/forgot", post(forgot))
        .get("/password/reset/{token}", get(reset_form))
        .post("/password/reset/{token}", post(reset))
        .get("/settings/account", get(settings))
        .get("/settings/account/export.json", get(export))
        .post("/settings/account", post(update_account))
        .post("/settings/password", post(change_password))
        .post("/settings/account/delete", post(delete_account))
        .post("/settings/tokens", post(create_token))
        .post("/settings/tokens/{id}/revoke", post(revoke_token))
}

pub struct CommunityCard {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    pub role_label: String,
    pub join_label: String,
}

impl From<townsquare_app::store::communities::ListedCommunity> for CommunityCard {
    fn from(c: townsquare_app::store::communities::ListedCommunity) -> Self {
        let role_label = match (c.my_role.as_deref(), c.my_status.as_deref()) {
            (_, Some("pending")) => "Request pending".to_string(),
            (Some(role), _) => format!("You are {role}"),
            _ => String::new(),
        };
        CommunityCard {
            join_label: JoinPolicy::parse(&c.community.join_policy)
                .map(|p| p.label())
                .unwrap_or("")
                .to_string(),
            slug: c.community.slug,
            name: c.community.name,
            description: c.community.description,
            member_count: c.community.member_count,
            role_label,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    display_name: String,
    mine: Vec<CommunityCard>,
    discover: Vec<CommunityCard>,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let layout = Layout::new(&state, &ctx, "Home").await?;
    let mine: Vec<CommunityCard> = match &ctx.actor {
        Some(a) => state
            .app
            .my_communities(a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        None => Vec::new(),
    };
    let discover = state
        .app
        .communities(ctx.actor.as_ref(), None, 24)
        .await?
        .into_iter()
        .filter(|c| c.my_status.as_deref() != Some("active"))
        .map(Into::into)
        .collect();
    let display_name = ctx
        .actor
        .as_ref()
        .map(|a| a.display_name.clone())
        .unwrap_or_default();
    Ok(page(
        StatusCode::OK,
        &HomePage {
            layout,
            display_name,
            mine,
            discover,
        },
        ctx.flash.is_some(),
    ))
}

fn session_cookie(state: &AppState, session: &NewSession) -> HeaderValue {
    let secure = if state.app.settings().base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        session.token,
        SESSION_LIFETIME / 1_000_000
    );
    HeaderValue::from_str(&cookie).expect("session tokens are URL-safe")
}

/// Only same-site paths, so a crafted `next` cannot send people elsewhere.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

#[derive(Template)]
#[template(path = "accounts/signup.html")]
struct SignupPage {
    layout: Layout,
    email: String,
    display_name: String,
    /// Where to go once the account exists (an invitation, say).
    next: String,
    errors: ValidationErrors,
    /// The signed time the form was shown (see `app::signup_guard`).
    stamp: String,
}

async fn signup_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Result<Response, HtmlError> {
    if ctx.actor.is_some() {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    let layout = Layout::new(&state, &ctx, "Create your account").await?;
    Ok(page(
        StatusCode::OK,
        &SignupPage {
            layout,
            email: String::new(),
            display_name: String::new(),
            next: safe_next(&q.next).to_string(),
            errors: ValidationErrors::new(),
            stamp: state.app.signup_form_stamp().await?,
        },
        false,
    ))
}

#[derive(Deserialize)]
struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    form_stamp: String,
    /// The honeypot: hidden from people, filled in by bots.
    #[serde(default)]
    website: String,
}

async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SignupForm>,
) -> Result<Response, HtmlError> {
    // Signed in already: as the form itself does, go on instead of making a second account.
    if ctx.actor.is_some() {
        return Ok(Redirect::to(safe_next(&form.next)).into_response());
    }
    let input = SignupInput {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password,
    };
    let proof = FormProof {
        stamp: form.form_stamp.clone(),
        honeypot: form.website.clone(),
    };
    let signed_up = match state.app.check_signup_form(&proof).await {
        Ok(()) => state
            .app
            .sign_up(input, &ctx.ip, CredentialKind::Session)
            .await
            .and_then(|(actor, credential)| Ok((actor, credential.into_session()?))),
        Err(e) => Err(e),
    };
    match signed_up {
        Ok((actor, session)) => {
            let mut res = redirect_with_flash(
                safe_next(&form.next),
                &format!("Welcome to Townsquare, {}!", actor.display_name),
            );
            res.headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &session));
            Ok(res)
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let layout = Layout::new(&state, &ctx, "Create your account").await?;
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignupPage {
                    layout,
                    email: form.email,
                    display_name: form.display_name,
                    next: safe_next(&form.next).to_string(),
                    errors,
                    // A fresh stamp: sending the corrected form again starts a new wait.
                    stamp: state.app.signup_form_stamp().await?,
                },
                false,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Result<Response, HtmlError> {
    let layout = Layout::new(&state, &ctx, "Log in").await?;
    Ok(page(
        StatusCode::OK,
        &LoginPage {
            layout,
            email: String::new(),
            next: safe_next(&q.next).to_string(),
            error: None,
        },
        ctx.flash.is_some(),
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, HtmlError> {
    let logged_in = state
        .app
        .log_in(
            &form.email,
            &form.password,
            &ctx.ip,
            CredentialKind::Session,
        )
        .await
        .and_then(|(_, credential)| credential.into_session());
    match logged_in {
        Ok(session) => {
            let mut res = Redirect::to(safe_next(&form.next)).into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &session));
            Ok(res)
        }
        Err(e @ (AppError::Invalid(_) | AppError::RateLimited { .. })) => {
            let status = crate::error::status_of(&e);
            let message = crate::error::human_message(&e);
            let layout = Layout::new(&state, &ctx, "Log in").await?;
            let mut res = page(
                status,
                &LoginPage {
                    layout,
                    email: form.email,
                    next: safe_next(&form.next).to_string(),
                    error: Some(message),
                },
                false,
            );
            if let AppError::RateLimited {
                retry_after_secs, ..
            } = e
            {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    if let Some(token) = &ctx.session_token {
        state.app.log_out(token).await?;
    }
    let mut res = redirect_with_flash("/", "You are logged out.");
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("ts_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    sent: bool,
    error: Option<String>,
}

async fn forgot_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let layout = Layout::new(&state, &ctx, "Reset your password").await?;
    Ok(page(
        StatusCode::OK,
        &ForgotPage {
            layout,
            email: String::new(),
            sent: false,
            error: None,
        },
        false,
    ))
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<Response, HtmlError> {
    let result = state.app.request_password_reset(&form.email, &ctx.ip).await;
    let layout = Layout::new(&state, &ctx, "Reset your password").await?;
    match result {
        Ok(()) => Ok(page(
            StatusCode::OK,
            &ForgotPage {
                layout,
                email: form.email,
                sent: true,
                error: None,
            },
            false,
        )),
        Err(e @ AppError::Invalid(_)) => {
            let message = crate::error::human_message(&e);
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ForgotPage {
                    layout,
                    email: form.email,
                    sent: false,
                    error: Some(message),
                },
                false,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    error: Option<String>,
}

async fn reset_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, HtmlError> {
    let layout = Layout::new(&state, &ctx, "Choose a new password").await?;
    Ok(page(
        StatusCode::OK,
        &ResetPage {
            layout,
            token,
            error: None,
        },
        false,
    ))
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, HtmlError> {
    match state.app.reset_password(&token, &form.password).await {
        Ok(()) => Ok(redirect_with_flash(
            "/login",
            "Your password is changed. Log in with the new one.",
        )),
        Err(e @ AppError::Invalid(_)) => {
            let message = crate::error::human_message(&e);
            let layout = Layout::new(&state, &ctx, "Choose a new password").await?;
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage {
                    layout,
                    token,
                    error: Some(message),
                },
                false,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct TokenItem {
    pub id: String,
    pub name: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "accounts/settings.html")]
struct SettingsPage {
    layout: Layout,
    email: String,
    display_name: String,
    handle: String,
    time_zone: String,
    errors: ValidationErrors,
    tokens: Vec<TokenItem>,
    new_token: Option<String>,
}

impl SettingsPage {
    fn time_zone_names(&self) -> Vec<&'static str> {
        townsquare_domain::time_zones::names().collect()
    }
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    errors: ValidationErrors,
    new_token: Option<String>,
    values: Option<(String, String, String, String)>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let layout = Layout::new(state, ctx, "Your account").await?;
    let tokens = state
        .app
        .api_tokens(actor)
        .await?
        .into_iter()
        .map(|t| TokenItem {
            id: t.id,
            name: t.name,
            created: date(t.created_at),
        })
        .collect();
    let (email, display_name, handle, time_zone) = values.unwrap_or_else(|| {
        (
            actor.email.clone(),
            actor.display_name.clone(),
            actor.handle.clone(),
            actor.time_zone.clone(),
        )
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let had_flash = ctx.flash.is_some();
    Ok(page(
        status,
        &SettingsPage {
            layout,
            email,
            display_name,
            handle,
            time_zone,
            errors,
            tokens,
            new_token,
        },
        had_flash,
    ))
}

async fn settings(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    settings_page(&state, &ctx, ValidationErrors::new(), None, None).await
}

#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    time_zone: String,
}

async fn update_account(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state
        .app
        .update_account(
            actor,
            &form.email,
            &form.display_name,
            &form.handle,
            &form.time_zone,
        )
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            "/settings/account",
            "Your account is saved.",
        )),
        Err(e) => {
            settings_page(
                &state,
                &ctx,
                form_errors(e)?,
                None,
                Some((form.email, form.display_name, form.handle, form.time_zone)),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state
        .app
        .change_password(
            actor,
            &form.current_password,
            &form.new_password,
            ctx.session_token.as_deref(),
        )
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            "/settings/account",
            "Your password is changed. Other sessions were signed out.",
        )),
        Err(e) => settings_page(&state, &ctx, form_errors(e)?, None, None).await,
    }
}

#[derive(Deserialize)]
struct DeleteAccountForm {
    #[serde(default)]
    password: String,
}

/// Deletes the account (password re-entered); the session goes with it.
async fn delete_account(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<DeleteAccountForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state.app.delete_my_account(actor, &form.password).await {
        Ok(()) => Ok(redirect_with_flash("/", "Your account is deleted.")),
        Err(e) => settings_page(&state, &ctx, form_errors(e)?, None, None).await,
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state.app.create_api_token(actor, &form.name).await {
        Ok((_, token)) => {
            settings_page(&state, &ctx, ValidationErrors::new(), Some(token), None).await
        }
        Err(e) => settings_page(&state, &ctx, form_errors(e)?, None, None).await,
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state.app.revoke_api_token(actor, &id).await?;
    Ok(redirect_with_flash(
        "/settings/account",
        "The token is revoked.",
    ))
}

/// The member's data archive as a download.
async fn export(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let data = state.app.export_my_data(ctx.actor()?).await?;
    let body =
        serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"townsquare-my-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}
