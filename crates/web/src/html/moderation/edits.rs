//! A moderator's edit of someone else's post, from the post's edit page.

use super::super::redirect_with_flash;
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post(
        "/c/{slug}/posts/{post}/moderator-edit",
        post(moderator_edit),
    )
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    reason: String,
}

async fn moderator_edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, HtmlError> {
    let post = state
        .app
        .moderator_edit_post(ctx.actor()?, &post_id, &form.body, &form.reason)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{}#post-{post_id}", post.topic_id),
        "Edited. The author is told why, and the earlier text is kept.",
    ))
}
