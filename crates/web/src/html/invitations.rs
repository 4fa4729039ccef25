//! Invitations: the admins' page (invite links, e-mail invitations, members per source and
//! campaign) and the page someone opens from an invitation.

use super::{ago, date, form_errors, page, redirect_with_flash, Layout};
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
use townsquare_app::communities::JoinOutcome;
use townsquare_app::invitations::{EmailInput, EmailReport, InvitationState, LinkInput};
use townsquare_app::store::invitations::{AcquisitionCount, InvitationRow};
use townsquare_app::AppError;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/invitations", get(invitations))
        .post("/c/{slug}/invitations", post(create_link))
        .post("/c/{slug}/invitations/email", post(invite_by_email))
        .post("/c/{slug}/invitations/{id}/revoke", post(revoke))
        .get("/invite/{token}", get(show_invitation))
        .post("/invite/{token}", post(accept))
}

pub struct InvitationLine {
    pub id: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub tags: String,
    pub uses: String,
    pub expires: String,
    pub state: &'static str,
    pub valid: bool,
    pub created: String,
}

#[derive(Deserialize, Default, Clone)]
struct LinkForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    campaign: String,
    /// Days, or empty for never.
    #[serde(default)]
    expires_in_days: String,
    /// A number, or empty for no limit.
    #[serde(default)]
    max_uses: String,
}

#[derive(Deserialize, Default, Clone)]
struct EmailForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    campaign: String,
}

#[derive(Template)]
#[template(path = "invitations/manage.html")]
struct ManagePage {
    layout: Layout,
    slug: String,
    name: String,
    links: Vec<InvitationLine>,
    emails: Vec<InvitationLine>,
    acquisition: Vec<AcquisitionCount>,
    link: LinkForm,
    link_errors: ValidationErrors,
    email: EmailForm,
    email_errors: ValidationErrors,
    report: Option<EmailReport>,
}

fn line(state: &AppState, row: &InvitationRow, now: i64) -> InvitationLine {
    let s = InvitationState::of(row, now);
    let tags = [row.source.as_str(), row.campaign.as_str()]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ");
    InvitationLine {
        id: row.id.clone(),
        url: row
            .link_token
            .as_deref()
            .map(|t| state.app.invitation_url(t)),
        email: row.email.clone(),
        tags: if tags.is_empty() { "—".into() } else { tags },
        uses: match row.max_uses {
            Some(m) => format!("{} of {m}", row.use_count),
            None => row.use_count.to_string(),
        },
        expires: row.expires_at.map(date).unwrap_or_else(|| "never".into()),
        state: match s {
            InvitationState::Valid => "Active",
            InvitationState::Expired => "Expired",
            InvitationState::UsedUp if row.kind == "email" => "Joined",
            InvitationState::UsedUp => "Used up",
            InvitationState::Revoked => "Withdrawn",
        },
        valid: s == InvitationState::Valid,
        created: ago(row.created_at, now),
    }
}

#[allow(clippy::too_many_arguments)]
async fn manage_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    link: LinkForm,
    link_errors: ValidationErrors,
    email: EmailForm,
    email_errors: ValidationErrors,
    report: Option<EmailReport>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let o = state.app.invitations(actor, slug).await?;
    let spaces = state.app.visible_spaces(&o.view).await?;
    let now = state.app.now();
    let status = if link_errors.is_empty() && email_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = ManagePage {
        layout: Layout::new(state, ctx, "Invitations")
            .await?
            .in_community(&o.view, &spaces, None),
        slug: slug.to_string(),
        name: o.view.community.name.clone(),
        links: o.links.iter().map(|r| line(state, r, now)).collect(),
        emails: o.emails.iter().map(|r| line(state, r, now)).collect(),
        acquisition: o.acquisition,
        link,
        link_errors,
        email,
        email_errors,
        report,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn invitations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    manage_page(
        &state,
        &ctx,
        &slug,
        LinkForm::default(),
        ValidationErrors::new(),
        EmailForm::default(),
        ValidationErrors::new(),
        None,
    )
    .await
}

/// An optional whole number from a form field; `None` for empty.
fn number(raw: &str, field: &str, what: &str, errors: &mut ValidationErrors) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, format!("{what} is a whole number, or empty."));
            None
        }
    }
}

async fn create_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let mut errors = ValidationErrors::new();
    let input = LinkInput {
        source: form.source.clone(),
        campaign: form.campaign.clone(),
        expires_in_days: number(
            &form.expires_in_days,
            "expires_in_days",
            "The number of days",
            &mut errors,
        ),
        max_uses: number(&form.max_uses, "max_uses", "The use limit", &mut errors),
    };
    let result = if errors.is_empty() {
        state.app.create_invite_link(actor, &slug, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/invitations"),
            "Invite link created. Copy it from the list and share it.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            manage_page(
                &state,
                &ctx,
                &slug,
                form,
                errors,
                EmailForm::default(),
                ValidationErrors::new(),
                None,
            )
            .await
        }
    }
}

async fn invite_by_email(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let input = EmailInput {
        addresses: form.emails.clone(),
        source: form.source.clone(),
        campaign: form.campaign.clone(),
    };
    match state.app.invite_by_email(actor, &slug, &input).await {
        // The report is shown on the page itself: what was sent and what was skipped.
        Ok(report) => {
            manage_page(
                &state,
                &ctx,
                &slug,
                LinkForm::default(),
                ValidationErrors::new(),
                EmailForm::default(),
                ValidationErrors::new(),
                Some(report),
            )
            .await
        }
        Err(e) => {
            let errors = form_errors(e)?;
            manage_page(
                &state,
                &ctx,
                &slug,
                LinkForm::default(),
                ValidationErrors::new(),
                form,
                errors,
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state
        .app
        .revoke_invitation(ctx.actor()?, &slug, &id)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/invitations"),
        "Invitation withdrawn. People who joined through it stay members.",
    ))
}

#[derive(Template)]
#[template(path = "invitations/show.html")]
struct ShowPage {
    layout: Layout,
    token: String,
    name: String,
    slug: String,
    description: String,
    members: i64,
    valid: bool,
    message: &'static str,
    is_member: bool,
    signed_in: bool,
    /// Sanitized HTML of the guidelines to accept (empty if none).
    guidelines_html: String,
    /// The required profile fields joining asks, with what was typed after a refused join.
    join_fields: Vec<crate::html::profiles::AnswerItem>,
    /// Why a join was refused (errors without a place on the form).
    join_error: Option<String>,
}

async fn show_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, HtmlError> {
    invitation_page(&state, &ctx, token, &[], ValidationErrors::new()).await
}

async fn invitation_page(
    state: &AppState,
    ctx: &Ctx,
    token: String,
    pairs: &[(String, String)],
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let l = state
        .app
        .invitation_by_token(ctx.actor.as_ref(), &token)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => HtmlError::status(
                StatusCode::NOT_FOUND,
                "This invitation link is not valid. Check that you copied all of it, or ask for a new one.",
            ),
            other => other.into(),
        })?;
    let valid = l.state == InvitationState::Valid;
    let status = if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if valid || l.is_member {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let given = crate::html::profiles::given_answers(pairs);
    let join_fields = crate::html::profiles::joining_items(l.joining_fields, &given, &errors);
    let unplaced: Vec<&str> = errors
        .0
        .iter()
        .filter(|e| !e.field.starts_with("fields."))
        .map(|e| e.message.as_str())
        .collect();
    let join_error = (!errors.is_empty()).then(|| {
        if unplaced.is_empty() {
            "You have not joined yet. Please correct the highlighted answers.".to_string()
        } else {
            format!("You have not joined yet. {}", unplaced.join(" "))
        }
    });
    let title = format!("Join {}", l.community.name);
    let body = ShowPage {
        layout: Layout::new(state, ctx, &title).await?,
        token,
        name: l.community.name,
        slug: l.community.slug,
        description: l.community.description,
        members: l.community.member_count,
        valid,
        message: l.state.message(),
        is_member: l.is_member,
        signed_in: ctx.actor.is_some(),
        guidelines_html: super::communities::guidelines_html(&l.community.guidelines),
        join_fields,
        join_error,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

/// The form: the guidelines' checkbox `accept_guidelines` (present when ticked) and the
/// profile fields as `f.<field id>`.
async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let accepted = pairs.iter().any(|(k, _)| k == "accept_guidelines");
    let fields = crate::html::profiles::given_answers(&pairs);
    let (community, outcome) = match state
        .app
        .accept_invitation(actor, &token, accepted, &fields)
        .await
    {
        Err(e @ AppError::Invalid(_)) => {
            let errors = form_errors(e)?;
            return invitation_page(&state, &ctx, token, &pairs, errors).await;
        }
        other => other?,
    };
    let message = match outcome {
        JoinOutcome::AlreadyMember => format!("You are already a member of {}.", community.name),
        _ => format!("Welcome to {}!", community.name),
    };
    Ok(redirect_with_flash(
        &format!("/c/{}", community.slug),
        &message,
    ))
}
