//! Profile pages: editing one's own profile, one's answers to a community's profile fields,
//! and the admins' page that defines those fields.

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
use std::collections::HashMap;
use townsquare_app::profiles::{Answer, Field};
use townsquare_domain::profiles::{
    FieldDefinitionInput, FieldKind, FieldVisibility, ProfileDetails, ProfileInput, MAX_LINKS,
};
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/settings/profile", get(edit_profile))
        .post("/settings/profile", post(save_profile))
        .post(
            "/settings/profile/avatar",
            post(save_avatar).layer(crate::picture_upload::body_limit()),
        )
        .post("/settings/profile/avatar/delete", post(remove_avatar))
        .get("/c/{slug}/profile", get(edit_answers))
        .post("/c/{slug}/profile", post(save_answers))
        .get("/c/{slug}/settings/profile-fields", get(manage_fields))
        .post("/c/{slug}/settings/profile-fields", post(create_field))
        .post(
            "/c/{slug}/settings/profile-fields/{field_id}",
            post(update_field),
        )
        .post(
            "/c/{slug}/settings/profile-fields/{field_id}/delete",
            post(delete_field),
        )
}

/// Reads a form's pairs: the last value of a name.
fn one(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn all(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn checked(pairs: &[(String, String)], name: &str) -> bool {
    pairs.iter().any(|(k, v)| k == name && !v.is_empty())
}

#[derive(Template)]
#[template(path = "members/edit_profile.html")]
struct EditProfilePage {
    layout: Layout,
    p: ProfileDetails,
    /// Always MAX_LINKS inputs, the unused ones empty.
    links: Vec<String>,
    interests: String,
    communities: Vec<(String, String)>,
    errors: ValidationErrors,
    avatar_file_id: Option<String>,
    initials: String,
}

async fn profile_page(
    state: &AppState,
    ctx: &Ctx,
    p: ProfileDetails,
    interests: String,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let avatar_file_id = state.app.my_profile(actor).await?.avatar_file_id;
    let communities = state
        .app
        .my_communities(actor)
        .await?
        .into_iter()
        .map(|c| (c.community.slug, c.community.name))
        .collect();
    let mut links = p.links.clone();
    links.resize(MAX_LINKS.max(links.len()), String::new());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = EditProfilePage {
        layout: Layout::new(state, ctx, "Your profile").await?,
        p,
        links,
        interests,
        communities,
        errors,
        avatar_file_id,
        initials: super::format::initials(&actor.display_name),
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn edit_profile(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let mine = state.app.my_profile(ctx.actor()?).await?;
    let interests = mine.details.interests.join(", ");
    profile_page(
        &state,
        &ctx,
        mine.details,
        interests,
        ValidationErrors::new(),
    )
    .await
}

async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let input = ProfileInput {
        headline: one(&form, "headline"),
        bio: one(&form, "bio"),
        location: one(&form, "location"),
        company: one(&form, "company"),
        job_title: one(&form, "job_title"),
        links: all(&form, "link"),
        interests: vec![one(&form, "interests")],
        show_email: checked(&form, "show_email"),
        show_details: checked(&form, "show_details"),
    };
    let echo = ProfileDetails {
        headline: input.headline.clone(),
        bio: input.bio.clone(),
        location: input.location.clone(),
        company: input.company.clone(),
        job_title: input.job_title.clone(),
        links: input.links.clone(),
        interests: Vec::new(),
        show_email: input.show_email,
        show_details: input.show_details,
    };
    match state.app.update_my_profile(ctx.actor()?, input).await {
        Ok(_) => Ok(redirect_with_flash(
            "/settings/profile",
            "Your profile is saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            profile_page(&state, &ctx, echo, one(&form, "interests"), errors).await
        }
    }
}

/// Uploads a new picture (a `multipart/form-data` form with an `avatar` file part): refused
/// pictures re-render the page with the reason on the field.
async fn save_avatar(
    State(state): State<AppState>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?.clone();
    let saved = async {
        let form = crate::picture_upload::read(req, &state, "avatar").await?;
        ctx.check_csrf(Some(&form.csrf_token))?;
        let bytes = form.picture("avatar")?;
        state.app.set_my_avatar(&actor, "avatar", bytes).await
    }
    .await;
    match saved {
        Ok(_) => Ok(redirect_with_flash(
            "/settings/profile",
            "Your picture is saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let mine = state.app.my_profile(&actor).await?;
            let interests = mine.details.interests.join(", ");
            profile_page(&state, &ctx, mine.details, interests, errors).await
        }
    }
}

async fn remove_avatar(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    state.app.remove_my_avatar(ctx.actor()?).await?;
    Ok(redirect_with_flash(
        "/settings/profile",
        "Your picture is removed.",
    ))
}

/// A field as the answer form shows it.
pub struct AnswerItem {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub options: Vec<String>,
    pub required: bool,
    pub visibility: &'static str,
    pub values: Vec<String>,
    pub error: Option<String>,
}

impl AnswerItem {
    pub(crate) fn text(&self) -> &str {
        self.values.first().map(String::as_str).unwrap_or("")
    }

    pub(crate) fn has(&self, option: &str) -> bool {
        self.values.iter().any(|v| v == option)
    }
}

#[derive(Template)]
#[template(path = "members/edit_answers.html")]
struct AnswersPage {
    layout: Layout,
    slug: String,
    community: String,
    items: Vec<AnswerItem>,
}

/// The fields a join form asks, with what was typed (after a refused join) and the errors.
pub(crate) fn joining_items(
    fields: Vec<Field>,
    given: &HashMap<String, Vec<String>>,
    errors: &ValidationErrors,
) -> Vec<AnswerItem> {
    let answers = fields
        .into_iter()
        .map(|field| Answer {
            values: given.get(&field.id).cloned().unwrap_or_default(),
            field,
        })
        .collect();
    answer_items(answers, errors)
}

pub(crate) fn answer_items(answers: Vec<Answer>, errors: &ValidationErrors) -> Vec<AnswerItem> {
    answers
        .into_iter()
        .map(|a| AnswerItem {
            error: errors
                .for_field(&format!("fields.{}", a.field.id))
                .map(str::to_string),
            id: a.field.id,
            label: a.field.label,
            kind: a.field.kind.as_str(),
            options: a.field.options,
            required: a.field.required,
            visibility: a.field.visibility.label(),
            values: a.values,
        })
        .collect()
}

async fn answers_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    given: Option<&HashMap<String, Vec<String>>>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, mut answers) = state.app.my_answers(actor, slug).await?;
    if let Some(given) = given {
        for a in &mut answers {
            a.values = given.get(&a.field.id).cloned().unwrap_or_default();
        }
    }
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Your profile here")
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = AnswersPage {
        layout,
        slug: slug.to_string(),
        community: view.community.name.clone(),
        items: answer_items(answers, &errors),
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn edit_answers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    answers_page(&state, &ctx, &slug, None, ValidationErrors::new()).await
}

/// Form fields are named `f.<field id>` (repeated for a multi select).
pub(crate) fn given_answers(form: &[(String, String)]) -> HashMap<String, Vec<String>> {
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form {
        if let Some(id) = k.strip_prefix("f.") {
            given.entry(id.to_string()).or_default().push(v.clone());
        }
    }
    given
}

async fn save_answers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let given = given_answers(&form);
    match state.app.save_my_answers(actor, &slug, &given).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/c/{slug}/members/{}", actor.user_id),
            "Your profile here is saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            answers_page(&state, &ctx, &slug, Some(&given), errors).await
        }
    }
}

pub struct FieldItem {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub options: String,
    pub required: bool,
    pub visibility: &'static str,
}

impl From<Field> for FieldItem {
    fn from(f: Field) -> Self {
        FieldItem {
            id: f.id,
            label: f.label,
            kind: f.kind.as_str(),
            kind_label: f.kind.label(),
            options: f.options.join("\n"),
            required: f.required,
            visibility: f.visibility.as_str(),
        }
    }
}

#[derive(Template)]
#[template(path = "members/fields.html")]
struct FieldsPage {
    layout: Layout,
    slug: String,
    fields: Vec<FieldItem>,
    kinds: Vec<(&'static str, &'static str)>,
    visibilities: Vec<(&'static str, &'static str)>,
    /// The new-field form's values when it was refused.
    draft: FieldItem,
    errors: ValidationErrors,
}

async fn fields_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    draft: Option<FieldItem>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, fields) = state.app.profile_fields_to_manage(actor, slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Profile fields")
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = FieldsPage {
        layout,
        slug: slug.to_string(),
        fields: fields.into_iter().map(FieldItem::from).collect(),
        kinds: FieldKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        visibilities: FieldVisibility::ALL
            .iter()
            .map(|v| (v.as_str(), v.label()))
            .collect(),
        draft: draft.unwrap_or(FieldItem {
            id: String::new(),
            label: String::new(),
            kind: "text",
            kind_label: "",
            options: String::new(),
            required: false,
            visibility: "members",
        }),
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn manage_fields(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    fields_page(&state, &ctx, &slug, None, ValidationErrors::new()).await
}

fn definition(form: &[(String, String)]) -> FieldDefinitionInput {
    FieldDefinitionInput {
        label: one(form, "label"),
        kind: one(form, "kind"),
        options: vec![one(form, "options")],
        required: checked(form, "required"),
        visibility: one(form, "visibility"),
    }
}

async fn create_field(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let input = definition(&form);
    match state
        .app
        .create_profile_field(ctx.actor()?, &slug, input.clone())
        .await
    {
        Ok(f) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/profile-fields"),
            &format!(
                "“{}” added. Members can fill it in on their profile.",
                f.label
            ),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let draft = FieldItem {
                id: String::new(),
                label: input.label,
                kind: FieldKind::parse(&input.kind).map_or("text", FieldKind::as_str),
                kind_label: "",
                options: input.options.join("\n"),
                required: input.required,
                visibility: FieldVisibility::parse(&input.visibility)
                    .map_or("members", FieldVisibility::as_str),
            };
            fields_page(&state, &ctx, &slug, Some(draft), errors).await
        }
    }
}

async fn update_field(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, field_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    match state
        .app
        .update_profile_field(ctx.actor()?, &slug, &field_id, definition(&form))
        .await
    {
        Ok(f) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/profile-fields"),
            &format!("“{}” saved.", f.label),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            fields_page(&state, &ctx, &slug, None, errors).await
        }
    }
}

async fn delete_field(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, field_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    state
        .app
        .delete_profile_field(ctx.actor()?, &slug, &field_id)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/settings/profile-fields"),
        "Field deleted, with everyone's answers to it.",
    ))
}
