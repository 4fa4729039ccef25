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
use townsquare_app::applications::{QuestionInput, MAX_HELP, MAX_PROMPT, MAX_QUESTIONS};
use townsquare_app::store::applications::QuestionRow;
use townsquare_domain::{JoinPolicy, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/settings/application", get(manage))
        .post("/c/{slug}/settings/application", post(add))
        .post(
            "/c/{slug}/settings/application/{application_question}",
            post(edit),
        )
        .post(
            "/c/{slug}/settings/application/{application_question}/move",
            post(move_question),
        )
        .post(
            "/c/{slug}/settings/application/{application_question}/delete",
            post(delete),
        )
}

/// A question being edited, as the admin typed it (shown again with its errors).
struct Editing {
    id: String,
    prompt: String,
    help: String,
    required: bool,
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
    max_help: usize,
    prompt: String,
    help: String,
    required: bool,
    errors: ValidationErrors,
    /// The question whose edit was refused, with the errors in `edit_errors`.
    editing: Option<Editing>,
    edit_errors: ValidationErrors,
}

impl ApplicationPage {
    /// The values an edit form shows: what was typed after a refused edit, else the question.
    fn edit_values(&self, q: &QuestionRow) -> (String, String, bool) {
        match &self.editing {
            Some(e) if e.id == q.id => (e.prompt.clone(), e.help.clone(), e.required),
            _ => (q.prompt.clone(), q.help.clone(), q.required),
        }
    }

    fn is_editing(&self, q: &QuestionRow) -> bool {
        self.editing.as_ref().is_some_and(|e| e.id == q.id)
    }
}

struct Rendering {
    input: QuestionInput,
    errors: ValidationErrors,
    editing: Option<Editing>,
    edit_errors: ValidationErrors,
}

impl Rendering {
    fn blank() -> Rendering {
        Rendering {
            input: QuestionInput::default(),
            errors: ValidationErrors::new(),
            editing: None,
            edit_errors: ValidationErrors::new(),
        }
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    r: Rendering,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.managed_community(actor, slug).await?;
    let (_, questions) = state.app.application_questions(Some(actor), slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Application questions")
        .await?
        .in_community(&view, &spaces, None);
    let status = if r.errors.is_empty() && r.edit_errors.is_empty() {
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
            max_help: MAX_HELP,
            prompt: r.input.prompt,
            help: r.input.help,
            required: r.input.required,
            errors: r.errors,
            editing: r.editing,
            edit_errors: r.edit_errors,
        },
        ctx.flash.is_some(),
    ))
}

async fn manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    render(&state, &ctx, &slug, Rendering::blank()).await
}

#[derive(Deserialize)]
struct QuestionForm {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    help: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    required: Option<String>,
}

impl QuestionForm {
    fn input(&self) -> QuestionInput {
        QuestionInput {
            prompt: self.prompt.clone(),
            help: self.help.clone(),
            required: self.required.is_some(),
        }
    }
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> Result<Response, HtmlError> {
    let input = form.input();
    match state
        .app
        .add_application_question(ctx.actor()?, &slug, &input)
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/application"),
            "Question added.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let r = Rendering {
                input,
                errors,
                ..Rendering::blank()
            };
            render(&state, &ctx, &slug, r).await
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, question_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> Result<Response, HtmlError> {
    let input = form.input();
    match state
        .app
        .update_application_question(ctx.actor()?, &slug, &question_id, &input)
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/application"),
            "Question saved. Requests already sent keep the answers to the question as it was asked.",
        )),
        Err(e) => {
            let edit_errors = form_errors(e)?;
            let r = Rendering {
                editing: Some(Editing {
                    id: question_id,
                    prompt: input.prompt,
                    help: input.help,
                    required: input.required,
                }),
                edit_errors,
                ..Rendering::blank()
            };
            render(&state, &ctx, &slug, r).await
        }
    }
}

#[derive(Deserialize)]
struct MoveForm {
    /// `up` or `down`.
    #[serde(default)]
    direction: String,
}

async fn move_question(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, question_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, HtmlError> {
    let up = match form.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => {
            return Err(townsquare_app::AppError::invalid(
                "direction",
                "Move a question “up” or “down”.",
            )
            .into())
        }
    };
    state
        .app
        .move_application_question(ctx.actor()?, &slug, &question_id, up)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/settings/application"),
        if up {
            "Question moved up."
        } else {
            "Question moved down."
        },
    ))
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
