//! An event's cover picture page (`/c/{slug}/events/{event}/cover`), for its hosts: the
//! current cover, an upload form (`multipart/form-data`) and a remove button. Linked from the
//! event page and its edit form.

use super::events::event_in;
use super::{form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use townsquare_app::AppError;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/events/{event}/cover", get(show))
        .post(
            "/c/{slug}/events/{event}/cover",
            post(upload).layer(crate::picture_upload::body_limit()),
        )
        .post("/c/{slug}/events/{event}/cover/delete", post(remove))
}

#[derive(Template)]
#[template(path = "events/cover.html")]
struct CoverPage {
    layout: Layout,
    slug: String,
    id: String,
    title: String,
    cover: Option<String>,
    errors: ValidationErrors,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    event: &str,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(state, ctx, slug, event).await?;
    if !view.can_host() {
        return Err(
            AppError::Forbidden("Only the event's hosts can change its cover.".into()).into(),
        );
    }
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(state, ctx, "Cover picture")
        .await?
        .in_community(&view.community, &spaces, Some(&view.space.slug));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = CoverPage {
        layout,
        slug: slug.to_string(),
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        cover: state.app.event_cover(&view.event.id).await?,
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    render(&state, &ctx, &slug, &event, ValidationErrors::new()).await
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    req: Request,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?.clone();
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let saved = async {
        let form = crate::picture_upload::read(req, &state, "cover").await?;
        ctx.check_csrf(Some(&form.csrf_token))?;
        let bytes = form.picture("cover")?;
        state
            .app
            .set_event_cover(&actor, &view.event.id, "cover", bytes)
            .await
    }
    .await;
    match saved {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{event}"),
            "The cover picture is saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            render(&state, &ctx, &slug, &event, errors).await
        }
    }
}

async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    state.app.remove_event_cover(actor, &view.event.id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}"),
        "The cover picture is removed.",
    ))
}
