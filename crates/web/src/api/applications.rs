//! Application questions in the API: listed for whoever may see the community (the join body
//! answers them by id), added and removed by its admins.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::Json;
use serde::{Deserialize, Serialize};
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
    .delete(
        "/api/v1/communities/{slug}/application-questions/{application_question}",
        delete(delete_question),
    )
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationQuestion {
    id: String,
    prompt: String,
    required: bool,
}

impl From<QuestionRow> for ApplicationQuestion {
    fn from(q: QuestionRow) -> Self {
        ApplicationQuestion {
            id: q.id,
            prompt: q.prompt,
            required: q.required,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuestion {
    /// 1 to 300 characters.
    prompt: String,
    #[serde(default)]
    required: bool,
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
        .add_application_question(ctx.actor()?, &slug, &b.prompt, b.required)
        .await?;
    Ok((StatusCode::CREATED, Json(q.into())))
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
