//! Application questions in the API: listed for whoever may see the community (the join body
//! answers them by id), added and removed by its admins.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::applications::QuestionInput;
use townsquare_app::store::applications::QuestionRow;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/application-questions",
        get(list_questions),
    )
    .post(
        "/api/v1/communities/{slug}/application-questions",
        axum::routing::post(add_question),
    )
    .put(
        "/api/v1/communities/{slug}/application-questions/{application_question}",
        put(update_question),
    )
    .delete(
        "/api/v1/communities/{slug}/application-questions/{application_question}",
        delete(delete_question),
    )
    .put(
        "/api/v1/communities/{slug}/application-question-order",
        put(reorder_questions),
    )
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationQuestion {
    id: String,
    prompt: String,
    /// Shown under the question (may be empty).
    help: String,
    required: bool,
}

impl From<QuestionRow> for ApplicationQuestion {
    fn from(q: QuestionRow) -> Self {
        ApplicationQuestion {
            id: q.id,
            prompt: q.prompt,
            help: q.help,
            required: q.required,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuestion {
    /// 1 to 300 characters.
    prompt: String,
    /// Up to 500 characters, shown under the question.
    #[serde(default)]
    help: String,
    #[serde(default)]
    required: bool,
}

impl NewQuestion {
    fn input(self) -> QuestionInput {
        QuestionInput {
            prompt: self.prompt,
            help: self.help,
            required: self.required,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionOrder {
    /// Every question's id once, in the new order.
    ids: Vec<String>,
}

/// The questions asked when asking to join (anyone who can see the community; asked only
/// when its join policy is `approval`).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/application-questions", tag = "communities",
    params(("slug" = String, Path)), responses((status = 200, body = Vec<ApplicationQuestion>), (status = 404)))]
pub async fn list_questions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ApplicationQuestion>>, ApiError> {
    let (_, questions) = state
        .app
        .application_questions(ctx.0.actor.as_ref(), &slug)
        .await?;
    Ok(Json(questions.into_iter().map(Into::into).collect()))
}

/// Add a question at the end (admins; at most 10).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/application-questions", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = NewQuestion,
    responses((status = 201, body = ApplicationQuestion), (status = 403), (status = 404), (status = 422)))]
pub async fn add_question(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<NewQuestion>,
) -> Result<(StatusCode, Json<ApplicationQuestion>), ApiError> {
    let q = state
        .app
        .add_application_question(ctx.actor()?, &slug, &b.input())
        .await?;
    Ok((StatusCode::CREATED, Json(q.into())))
}

/// Change a question's text, help and requirement (admins). Requests already sent keep their
/// answers to the question as it was asked.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/application-questions/{application_question}", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path), ("application_question" = String, Path)), request_body = NewQuestion,
    responses((status = 200, body = ApplicationQuestion), (status = 403), (status = 404), (status = 422)))]
pub async fn update_question(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, question_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<NewQuestion>,
) -> Result<Json<ApplicationQuestion>, ApiError> {
    let q = state
        .app
        .update_application_question(ctx.actor()?, &slug, &question_id, &b.input())
        .await?;
    Ok(Json(q.into()))
}

/// Set the order the questions are asked in (admins): every question's id once.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/application-question-order", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = QuestionOrder,
    responses((status = 200, body = Vec<ApplicationQuestion>), (status = 403), (status = 404), (status = 422)))]
pub async fn reorder_questions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<QuestionOrder>,
) -> Result<Json<Vec<ApplicationQuestion>>, ApiError> {
    let questions = state
        .app
        .reorder_application_questions(ctx.actor()?, &slug, &b.ids)
        .await?;
    Ok(Json(questions.into_iter().map(Into::into).collect()))
}

/// Remove a question (admins); answers already given keep its text.
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/application-questions/{application_question}", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path), ("application_question" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete_question(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, question_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_application_question(ctx.actor()?, &slug, &question_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
