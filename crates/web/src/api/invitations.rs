//! Invitations in the API: invite links and e-mail invitations for a community's admins;
//! looking up and accepting an invitation for whoever holds its token.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::communities::JoinOutcome;
use townsquare_app::invitations::{EmailInput, InvitationState, LinkInput};
use townsquare_app::store::invitations::InvitationRow;
use townsquare_app::AppError;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/invitations",
        get(list_invitations),
    )
    .post("/api/v1/communities/{slug}/invitations", post(create_link))
    .post(
        "/api/v1/communities/{slug}/invitations/email",
        post(invite_by_email),
    )
    .delete(
        "/api/v1/communities/{slug}/invitations/{id}",
        delete(revoke_invitation),
    )
    .get("/api/v1/invitations/{token}", get(show_invitation))
    .post(
        "/api/v1/invitations/{token}/accept",
        post(accept_invitation),
    )
}

#[derive(Serialize, ToSchema)]
pub struct Invitation {
    id: String,
    /// `link` (shareable) or `email` (personal, one use).
    kind: String,
    /// The link to share (invite links only; e-mail invitations' links are in the e-mail).
    url: Option<String>,
    /// The invited address (e-mail invitations only).
    email: Option<String>,
    source: String,
    campaign: String,
    max_uses: Option<i64>,
    use_count: i64,
    expires_at: Option<String>,
    revoked_at: Option<String>,
    /// `valid`, `expired`, `used_up` or `revoked`.
    state: String,
    created_at: String,
}

fn invitation(state: &AppState, row: InvitationRow) -> Invitation {
    let now = state.app.now();
    Invitation {
        state: InvitationState::of(&row, now).as_str().into(),
        url: row
            .link_token
            .as_deref()
            .map(|t| state.app.invitation_url(t)),
        id: row.id,
        kind: row.kind,
        email: row.email,
        source: row.source,
        campaign: row.campaign,
        max_uses: row.max_uses,
        use_count: row.use_count,
        expires_at: row.expires_at.map(iso),
        revoked_at: row.revoked_at.map(iso),
        created_at: iso(row.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Acquisition {
    source: String,
    campaign: String,
    /// Active members who joined through an invitation with this source and campaign.
    members: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Invitations {
    links: Vec<Invitation>,
    emails: Vec<Invitation>,
    acquisition: Vec<Acquisition>,
}

/// A community's invite links and e-mail invitations (newest 200 of each), with use counts,
/// and members per source and campaign (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Invitations), (status = 401), (status = 403), (status = 404)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Invitations>, ApiError> {
    let o = state.app.invitations(ctx.actor()?, &slug).await?;
    Ok(Json(Invitations {
        links: o.links.into_iter().map(|r| invitation(&state, r)).collect(),
        emails: o
            .emails
            .into_iter()
            .map(|r| invitation(&state, r))
            .collect(),
        acquisition: o
            .acquisition
            .into_iter()
            .map(|a| Acquisition {
                source: a.source,
                campaign: a.campaign,
                members: a.members,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct NewLink {
    #[serde(default)]
    source: String,
    #[serde(default)]
    campaign: String,
    /// 1 to 365; omit for a link that does not expire.
    expires_in_days: Option<i64>,
    /// 1 to 100000; omit for no limit.
    max_uses: Option<i64>,
}

/// Create a shareable invite link (admins).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = NewLink,
    responses((status = 201, body = Invitation), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_link(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<NewLink>,
) -> Result<impl IntoResponse, ApiError> {
    let input = LinkInput {
        source: b.source,
        campaign: b.campaign,
        expires_in_days: b.expires_in_days,
        max_uses: b.max_uses,
    };
    let (row, _) = state
        .app
        .create_invite_link(ctx.actor()?, &slug, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(invitation(&state, row))))
}

#[derive(Deserialize, ToSchema)]
pub struct NewEmailInvitations {
    /// The addresses (at most 200).
    emails: Vec<String>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    campaign: String,
}

#[derive(Serialize, ToSchema)]
pub struct EmailInvitationReport {
    /// Sent an invitation.
    invited: Vec<String>,
    /// Listed more than once (invited once).
    duplicates: Vec<String>,
    /// Already members: not invited.
    already_members: Vec<String>,
    /// Already hold an invitation that still works: not sent again.
    already_invited: Vec<String>,
}

/// Invite people by e-mail, each with a personal single-use link valid for 30 days (admins).
/// Any invalid address refuses the whole request (422, each named); invitation e-mails are
/// limited per community (429).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/invitations/email", tag = "invitations", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = NewEmailInvitations,
    responses((status = 200, body = EmailInvitationReport), (status = 401), (status = 403), (status = 404), (status = 422), (status = 429)))]
pub async fn invite_by_email(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<NewEmailInvitations>,
) -> Result<Json<EmailInvitationReport>, ApiError> {
    // Each address is one entry: one with a separator inside is invalid, not several.
    let invalid: Vec<&String> = b
        .emails
        .iter()
        .filter(|e| townsquare_app::invitations::split_addresses(e).len() != 1)
        .collect();
    if let Some(bad) = invalid.first() {
        return Err(ApiError(townsquare_app::AppError::invalid(
            "emails",
            format!("{bad:?} is not one e-mail address."),
        )));
    }
    let input = EmailInput {
        addresses: b.emails.join("\n"),
        source: b.source,
        campaign: b.campaign,
    };
    let r = state
        .app
        .invite_by_email(ctx.actor()?, &slug, &input)
        .await?;
    Ok(Json(EmailInvitationReport {
        invited: r.invited,
        duplicates: r.duplicates,
        already_members: r.already_members,
        already_invited: r.already_invited,
    }))
}

/// Withdraw an invitation (admins). People who joined through it stay members.
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/invitations/{id}", tag = "invitations", security(("bearer" = [])),
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .revoke_invitation(ctx.actor()?, &slug, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct InvitationPreview {
    /// The community the invitation opens (shown to whoever holds the link, even if private).
    community_slug: String,
    community_name: String,
    community_description: String,
    member_count: i64,
    /// `valid`, `expired`, `used_up` or `revoked`.
    state: String,
    /// What the state means, for people.
    message: String,
    /// Whether the caller is already a member.
    is_member: bool,
    /// The profile fields joining asks (answer them in `fields` when accepting).
    joining_fields: Vec<super::profiles::ProfileField>,
}

/// What an invitation opens, and whether it still works (anyone holding the token).
#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "invitations",
    params(("token" = String, Path)), responses((status = 200, body = InvitationPreview), (status = 404)))]
pub async fn show_invitation(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(token): Path<String>,
) -> Result<Json<InvitationPreview>, ApiError> {
    let l = state
        .app
        .invitation_by_token(ctx.0.actor.as_ref(), &token)
        .await?;
    Ok(Json(InvitationPreview {
        community_slug: l.community.slug,
        community_name: l.community.name,
        community_description: l.community.description,
        member_count: l.community.member_count,
        state: l.state.as_str().into(),
        message: l.state.message().into(),
        is_member: l.is_member,
        joining_fields: l.joining_fields.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct AcceptBody {
    /// Must be true when the community has guidelines: the caller accepts them.
    #[serde(default)]
    accept_guidelines: bool,
    /// Answers to the community's custom profile fields, by field id; every required field
    /// must be answered (422 with the error under `fields.<field id>` otherwise).
    #[serde(default)]
    fields: std::collections::HashMap<String, Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    community_slug: String,
    /// `joined` or `already_member`.
    outcome: String,
}

/// Join the community through an invitation, whatever its join policy (signed in).
/// An expired, used-up or withdrawn invitation is 410 with a message saying which.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "invitations", security(("bearer" = [])),
    params(("token" = String, Path)), request_body(content = AcceptBody, description = "Optional when the community has no guidelines"),
    responses((status = 200, body = Accepted), (status = 401), (status = 404), (status = 410), (status = 422, description = "The guidelines were not accepted, or a required profile field is missing or invalid")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Accepted>, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        AcceptBody::default()
    } else {
        serde_json::from_slice::<AcceptBody>(&body).map_err(|e| {
            AppError::invalid("body", format!("The JSON body could not be read: {e}."))
        })?
    };
    let (community, outcome) = state
        .app
        .accept_invitation(ctx.actor()?, &token, body.accept_guidelines, &body.fields)
        .await?;
    Ok(Json(Accepted {
        community_slug: community.slug,
        outcome: match outcome {
            JoinOutcome::AlreadyMember => "already_member",
            _ => "joined",
        }
        .into(),
    }))
}
