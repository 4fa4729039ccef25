//! Accounts in the API: sign-up, tokens, the caller's account, password reset.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::accounts::{CredentialKind, SignupInput};
use townsquare_app::Actor;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/auth/signup", post(signup))
        .post("/api/v1/auth/token", post(token))
        .post("/api/v1/auth/password-reset", post(request_reset))
        .post("/api/v1/auth/password-reset/confirm", post(confirm_reset))
        .get("/api/v1/me", get(me))
        .get("/api/v1/me/export", get(export))
        .patch("/api/v1/me", patch(update_me))
        .post("/api/v1/me/password", post(change_password))
        .post("/api/v1/me/delete", post(delete_me))
        .get("/api/v1/me/tokens", get(list_tokens))
        .post("/api/v1/me/tokens", post(create_token))
        .delete("/api/v1/me/tokens/{id}", delete(revoke_token))
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub handle: String,
    pub superadmin: bool,
    pub time_zone: String,
}

impl From<&Actor> for User {
    fn from(a: &Actor) -> Self {
        User {
            id: a.user_id.clone(),
            email: a.email.clone(),
            display_name: a.display_name.clone(),
            handle: a.handle.clone(),
            superadmin: a.superadmin,
            time_zone: a.time_zone.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    email: String,
    display_name: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    user: User,
    /// Send as `Authorization: Bearer <token>`. Shown once; store it safely.
    token: String,
}

/// Create an account and get an API token for it.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts", request_body = SignupRequest,
    responses((status = 201, body = TokenResponse), (status = 409, description = "E-mail taken"), (status = 422, description = "Invalid input"), (status = 429, description = "Too many sign-ups")))]
pub async fn signup(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<SignupRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let input = SignupInput {
        email: body.email,
        display_name: body.display_name,
        password: body.password,
    };
    let kind = CredentialKind::ApiToken {
        name: "API sign-up",
    };
    let (actor, credential) = state.app.sign_up(input, &ctx.0.ip, kind).await?;
    let token = credential.into_api_token()?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            user: (&actor).into(),
            token,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
    /// A name to recognise the token by in account settings.
    #[serde(default)]
    name: Option<String>,
}

/// Exchange e-mail and password for a new API token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = TokenResponse), (status = 422, description = "Wrong e-mail or password"), (status = 429, description = "Too many attempts")))]
pub async fn token(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<TokenRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let name = body.name.unwrap_or_else(|| "API client".into());
    let kind = CredentialKind::ApiToken { name: &name };
    let (actor, credential) = state
        .app
        .log_in(&body.email, &body.password, &ctx.0.ip, kind)
        .await?;
    let token = credential.into_api_token()?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            user: (&actor).into(),
            token,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    email: String,
}

/// Ask for a password-reset e-mail. Answers 202 whether or not the address has an account.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = ResetRequest,
    responses((status = 202, description = "If the account exists, a mail is on its way")))]
pub async fn request_reset(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<ResetRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .request_password_reset(&body.email, &ctx.0.ip)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct ResetConfirm {
    /// The token from the reset link.
    token: String,
    password: String,
}

/// Set a new password with the token from a reset e-mail; ends every session.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "accounts", request_body = ResetConfirm,
    responses((status = 204), (status = 422, description = "Expired or used token, or weak password")))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ResetConfirm>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .reset_password(&body.token, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401)))]
pub async fn me(ctx: ApiCtx) -> Result<Json<User>, ApiError> {
    Ok(Json(ctx.actor()?.into()))
}

/// Everything the platform holds about the caller, as one JSON document: account,
/// memberships, posts, event registrations and the activity log's records of what they did.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401)))]
pub async fn export(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ctx: ApiCtx,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(state.app.export_my_data(ctx.actor()?).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateMe {
    email: Option<String>,
    display_name: Option<String>,
    /// What others type after @ to mention you.
    handle: Option<String>,
    /// IANA name, e.g. Europe/Berlin: the daily digest arrives at 08:00 on this clock.
    time_zone: Option<String>,
}

/// Change the caller's e-mail, display name, handle or time zone.
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), request_body = UpdateMe,
    responses((status = 200, body = User), (status = 409), (status = 422)))]
pub async fn update_me(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<UpdateMe>,
) -> Result<Json<User>, ApiError> {
    let actor = ctx.actor()?;
    let email = body.email.unwrap_or_else(|| actor.email.clone());
    let name = body
        .display_name
        .unwrap_or_else(|| actor.display_name.clone());
    let handle = body.handle.unwrap_or_else(|| actor.handle.clone());
    let zone = body.time_zone.unwrap_or_else(|| actor.time_zone.clone());
    let updated = state
        .app
        .update_account(actor, &email, &name, &handle, &zone)
        .await?;
    Ok(Json((&updated).into()))
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteAccount {
    /// The caller's password, to confirm.
    password: String,
}

/// Delete the caller's account: the profile and personal data go, memberships end, posts are
/// kept (as by "Deleted member") or removed as each community decides, and every session and
/// token stops working. The only owner of a community must hand it over first (409).
#[utoipa::path(post, path = "/api/v1/me/delete", tag = "accounts", security(("bearer" = [])), request_body = DeleteAccount,
    responses((status = 204), (status = 401), (status = 409, description = "The only owner of a community"), (status = 422, description = "Wrong password")))]
pub async fn delete_me(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<DeleteAccount>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_my_account(ctx.actor()?, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Change the caller's password; browser sessions are signed out.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 422)))]
pub async fn change_password(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let actor = ctx.actor()?;
    state
        .app
        .change_password(
            actor,
            &body.current_password,
            &body.new_password,
            ctx.0.session_token.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ApiToken {
    id: String,
    name: String,
    created_at: String,
}

/// The caller's API tokens (never their secret values).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiToken>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    let tokens = state.app.api_tokens(ctx.actor()?).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| ApiToken {
                id: t.id,
                name: t.name,
                created_at: iso(t.created_at),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    id: String,
    name: String,
    token: String,
}

/// Create another API token.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])), request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422)))]
pub async fn create_token(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<NewToken>,
) -> Result<impl IntoResponse, ApiError> {
    let (row, token) = state.app.create_api_token(ctx.actor()?, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: row.id,
            name: row.name,
            token,
        }),
    ))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.revoke_api_token(ctx.actor()?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
