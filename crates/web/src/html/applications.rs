//! The admins' page for a community's application questions (asked on the join form when the
//! community approves its members).

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
use townsquare_app::applications::{MAX_PROMPT, MAX_QUESTIONS};
use townsquare_app::store::applications::QuestionRow;
use townsquare_domain::{JoinPolicy, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/settings/application", get(manage))
        .post("/c/{slug}/settings/application", post(add))
        .post(
            "/c/{slug}/settings/application/{application_question}/delete",
            post(delete),
        )
}

#[derive(Template)]
#[template(path = "communities/application.html")]
struct ApplicationPage {
    layout: Layout,
    slug: String,
    approval: bool,
    questions: Vec<QuestionRow>,
    max_questions: usize,
    max_prompt: usize,
    prompt: String,
    required: bool,
    errors: ValidationErrors,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    prompt: String,
    required: bool,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.managed_community(actor, slug).await?;
    let (_, questions) = state.app.application_questions(Some(actor), slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Application questions")
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(
        status,
        &ApplicationPage {
            layout,
            slug: slug.to_string(),
            approval: view.join_policy() == JoinPolicy::Approval,
            questions,
            max_questions: MAX_QUESTIONS,
            max_prompt: MAX_PROMPT,
            prompt,
            required,
            errors,
        },
        ctx.flash.is_some(),
    ))
}

async fn manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    render(
        &state,
        &ctx,
        &slug,
        String::new(),
        false,
        ValidationErrors::new(),
    )
    .await
}

#[derive(Deserialize)]
struct QuestionForm {
    #[serde(default)]
    prompt: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    required: Option<String>,
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> Result<Response, HtmlError> {
    let required = form.required.is_some();
    match state
        .app
        .add_application_question(ctx.actor()?, &slug, &form.prompt, required)
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/application"),
            "Question added.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            render(&state, &ctx, &slug, form.prompt, required, errors).await
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, question_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state
        .app
        .delete_application_question(ctx.actor()?, &slug, &question_id)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/settings/application"),
        "Question removed.",
    ))
}
