//! Member profiles in the API: the caller's profile, a community's custom profile fields
//! (admins define them), the caller's answers in a community, a member's profile as the
//! caller may see it, and the member directory.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use townsquare_app::profiles::{Answer as AppAnswer, Field};
use townsquare_domain::profiles::{FieldDefinitionInput, ProfileDetails, ProfileInput};
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me/profile", get(my_profile))
        .put("/api/v1/me/profile", put(update_my_profile))
        .put(
            "/api/v1/me/avatar",
            put(set_avatar).layer(crate::picture_upload::body_limit()),
        )
        .delete("/api/v1/me/avatar", delete(remove_avatar))
        .get(
            "/api/v1/communities/{slug}/profile-fields",
            get(list_fields),
        )
        .post(
            "/api/v1/communities/{slug}/profile-fields",
            post(create_field),
        )
        .get(
            "/api/v1/communities/{slug}/joining-fields",
            get(joining_fields),
        )
        .put(
            "/api/v1/communities/{slug}/profile-fields/{field_id}",
            put(update_field),
        )
        .delete(
            "/api/v1/communities/{slug}/profile-fields/{field_id}",
            delete(delete_field),
        )
        .get(
            "/api/v1/communities/{slug}/profile-answers",
            get(my_answers),
        )
        .put(
            "/api/v1/communities/{slug}/profile-answers",
            put(save_answers),
        )
        .get(
            "/api/v1/communities/{slug}/members/{user_id}/profile",
            get(member_profile),
        )
        .get("/api/v1/communities/{slug}/directory", get(directory))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Profile {
    #[serde(default)]
    headline: String,
    /// Markdown.
    #[serde(default)]
    bio: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    job_title: String,
    /// Up to 5 http(s) addresses.
    #[serde(default)]
    links: Vec<String>,
    /// Up to 10 tags; stored in lower case.
    #[serde(default)]
    interests: Vec<String>,
    /// Show your e-mail to members of your communities (off by default).
    #[serde(default)]
    show_email: bool,
    /// Show location, company and title, links and interests to members (on by default).
    #[serde(default = "yes")]
    show_details: bool,
}

fn yes() -> bool {
    true
}

impl From<ProfileDetails> for Profile {
    fn from(d: ProfileDetails) -> Self {
        Profile {
            headline: d.headline,
            bio: d.bio,
            location: d.location,
            company: d.company,
            job_title: d.job_title,
            links: d.links,
            interests: d.interests,
            show_email: d.show_email,
            show_details: d.show_details,
        }
    }
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "members",
    responses((status = 200, body = Profile), (status = 401)))]
pub async fn my_profile(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<Json<Profile>, ApiError> {
    let mine = state.app.my_profile(ctx.actor()?).await?;
    Ok(Json(mine.details.into()))
}

/// The caller's picture.
#[derive(Serialize, ToSchema)]
pub struct Avatar {
    file_id: String,
    /// Where it is served (`GET /files/{id}`): a PNG of 256×256 pixels.
    url: String,
}

/// The form of a picture upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PictureUpload {
    /// The picture (PNG, JPEG, WebP or GIF, at most 5 MB and 4096×4096 pixels).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Set the caller's picture: `multipart/form-data` with the picture in a part named `file`.
/// Its format is read from its content; it is cropped to a square, scaled to 256×256 and
/// stored as PNG without any of the original's metadata.
#[utoipa::path(put, path = "/api/v1/me/avatar", tag = "members",
    request_body(content = PictureUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Avatar), (status = 401), (status = 422, description = "Not a picture, too large, or too many pixels (on `file`)")))]
pub async fn set_avatar(
    State(state): State<AppState>,
    ctx: ApiCtx,
    req: axum::extract::Request,
) -> Result<Json<Avatar>, ApiError> {
    let actor = ctx.actor()?.clone();
    let form = crate::picture_upload::read(req, &state, "file").await?;
    let file_id = state
        .app
        .set_my_avatar(&actor, "file", form.picture("file")?)
        .await?;
    Ok(Json(Avatar {
        url: format!("/files/{file_id}"),
        file_id,
    }))
}

/// Remove the caller's picture (their initials show instead).
#[utoipa::path(delete, path = "/api/v1/me/avatar", tag = "members",
    responses((status = 204), (status = 401)))]
pub async fn remove_avatar(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<StatusCode, ApiError> {
    state.app.remove_my_avatar(ctx.actor()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace the caller's profile (every part; leave one out to clear it).
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "members", request_body = Profile,
    responses((status = 200, body = Profile), (status = 401), (status = 422, description = "Invalid input, per field")))]
pub async fn update_my_profile(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(body): JsonBody<Profile>,
) -> Result<Json<Profile>, ApiError> {
    let input = ProfileInput {
        headline: body.headline,
        bio: body.bio,
        location: body.location,
        company: body.company,
        job_title: body.job_title,
        links: body.links,
        interests: body.interests,
        show_email: body.show_email,
        show_details: body.show_details,
    };
    let saved = state.app.update_my_profile(ctx.actor()?, input).await?;
    Ok(Json(saved.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ProfileField {
    id: String,
    label: String,
    /// text, single_select, multi_select or url.
    kind: String,
    /// The choices of a select.
    options: Vec<String>,
    required: bool,
    /// everyone, members or admins.
    visibility: String,
}

impl From<Field> for ProfileField {
    fn from(f: Field) -> Self {
        ProfileField {
            id: f.id,
            label: f.label,
            kind: f.kind.as_str().into(),
            options: f.options,
            required: f.required,
            visibility: f.visibility.as_str().into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProfileFieldList {
    items: Vec<ProfileField>,
}

/// The community's profile fields whose answers the caller may see (admins: all).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/profile-fields", tag = "members", params(("slug" = String, Path)),
    responses((status = 200, body = ProfileFieldList), (status = 404)))]
pub async fn list_fields(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<ProfileFieldList>, ApiError> {
    let (_, fields) = state
        .app
        .profile_fields(ctx.0.actor.as_ref(), &slug)
        .await?;
    Ok(Json(ProfileFieldList {
        items: fields.into_iter().map(ProfileField::from).collect(),
    }))
}

/// The profile fields joining the community asks: its required ones, to answer in the join
/// request's `fields` (anyone who can see the community).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/joining-fields", tag = "members", params(("slug" = String, Path)),
    responses((status = 200, body = ProfileFieldList), (status = 404)))]
pub async fn joining_fields(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<ProfileFieldList>, ApiError> {
    let (_, fields) = state
        .app
        .joining_fields_of(ctx.0.actor.as_ref(), &slug)
        .await?;
    Ok(Json(ProfileFieldList {
        items: fields.into_iter().map(ProfileField::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileFieldRequest {
    label: String,
    /// text, single_select, multi_select or url. Cannot change once created.
    #[serde(default)]
    kind: String,
    /// Two or more choices, for the select kinds.
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    required: bool,
    /// everyone, members or admins.
    visibility: String,
}

impl From<ProfileFieldRequest> for FieldDefinitionInput {
    fn from(b: ProfileFieldRequest) -> Self {
        FieldDefinitionInput {
            label: b.label,
            kind: b.kind,
            options: b.options,
            required: b.required,
            visibility: b.visibility,
        }
    }
}

/// Define a profile field (admins).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/profile-fields", tag = "members", params(("slug" = String, Path)),
    request_body = ProfileFieldRequest,
    responses((status = 201, body = ProfileField), (status = 403), (status = 404), (status = 422)))]
pub async fn create_field(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<ProfileFieldRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let f = state
        .app
        .create_profile_field(ctx.actor()?, &slug, body.into())
        .await?;
    Ok((StatusCode::CREATED, Json(ProfileField::from(f))))
}

/// Change a profile field's label, choices, requirement or visibility (admins).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/profile-fields/{field_id}", tag = "members",
    params(("slug" = String, Path), ("field_id" = String, Path)), request_body = ProfileFieldRequest,
    responses((status = 200, body = ProfileField), (status = 403), (status = 404), (status = 422)))]
pub async fn update_field(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, field_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ProfileFieldRequest>,
) -> Result<Json<ProfileField>, ApiError> {
    let f = state
        .app
        .update_profile_field(ctx.actor()?, &slug, &field_id, body.into())
        .await?;
    Ok(Json(f.into()))
}

/// Delete a profile field and everyone's answers to it (admins).
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/profile-fields/{field_id}", tag = "members",
    params(("slug" = String, Path), ("field_id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete_field(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, field_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_profile_field(ctx.actor()?, &slug, &field_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Answer {
    field: ProfileField,
    /// Empty when not answered; several for a multi select.
    values: Vec<String>,
}

impl From<AppAnswer> for Answer {
    fn from(a: AppAnswer) -> Self {
        Answer {
            field: a.field.into(),
            values: a.values,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnswerList {
    items: Vec<Answer>,
}

/// The caller's answers to the community's profile fields (every field).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/profile-answers", tag = "members", params(("slug" = String, Path)),
    responses((status = 200, body = AnswerList), (status = 401), (status = 403), (status = 404)))]
pub async fn my_answers(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<AnswerList>, ApiError> {
    let (_, answers) = state.app.my_answers(ctx.actor()?, &slug).await?;
    Ok(Json(AnswerList {
        items: answers.into_iter().map(Answer::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswersRequest {
    /// Field id → values (one for text, url and single select; any number for a multi
    /// select). A field left out is unanswered, which a required field refuses.
    answers: HashMap<String, Vec<String>>,
}

/// Replace the caller's answers to the community's profile fields.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/profile-answers", tag = "members", params(("slug" = String, Path)),
    request_body = AnswersRequest,
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422, description = "Per field, as `fields.<id>`")))]
pub async fn save_answers(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<AnswersRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .save_my_answers(ctx.actor()?, &slug, &body.answers)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MemberProfile {
    user_id: String,
    display_name: String,
    handle: String,
    role: String,
    joined_at: String,
    headline: String,
    /// Members only.
    bio: Option<String>,
    /// Only when the member chose to show it to members.
    email: Option<String>,
    /// Location, company, links, interests: members only, unless the member hid them.
    details: Option<Profile>,
    avatar_url: Option<String>,
    /// Answers to fields the caller may see.
    answers: Vec<Answer>,
    /// Moderators only.
    trust_level: Option<i64>,
}

/// A member's profile, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members/{user_id}/profile", tag = "members",
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = MemberProfile), (status = 404)))]
pub async fn member_profile(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Json<MemberProfile>, ApiError> {
    let actor = ctx.0.actor.as_ref();
    let (view, p) = state.app.member_profile(actor, &slug, &user_id).await?;
    let shown = state
        .app
        .visible_profile(actor, &view, &p.user_id, &p.email)
        .await?;
    Ok(Json(MemberProfile {
        user_id: p.user_id,
        display_name: p.display_name,
        handle: p.handle,
        role: p.membership.role,
        joined_at: iso(p.membership.joined_at),
        headline: shown.headline,
        bio: shown.bio,
        email: shown.email,
        details: shown.details.map(Profile::from),
        avatar_url: shown.avatar_file_id.map(|f| format!("/files/{f}")),
        answers: shown.answers.into_iter().map(Answer::from).collect(),
        trust_level: p.trust_level,
    }))
}

#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query; the handler reads the pairs (`f.<id>` is open-ended).
pub struct DirectoryParams {
    /// Words matched against the start of the words of names, handles and answers the caller
    /// may see; all must match.
    q: Option<String>,
    /// `f.<field id>=<value>`: members whose answer includes the value (repeatable).
    #[serde(rename = "f.{field_id}")]
    field: Option<String>,
    interest: Option<String>,
    /// member, moderator, admin or owner.
    role: Option<String>,
    /// 0–4; moderators only.
    trust_level: Option<String>,
    /// YYYY-MM-DD (community's clock): joined on or after that day.
    joined_from: Option<String>,
    /// YYYY-MM-DD: joined before that day.
    joined_before: Option<String>,
    /// name (default, A–Z), joined (newest first) or active (recently active first).
    sort: Option<String>,
    cursor: Option<String>,
    /// 1–100, default 30.
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryMember {
    user_id: String,
    display_name: String,
    handle: String,
    role: String,
    joined_at: String,
    headline: String,
    avatar_url: Option<String>,
    /// Moderators only.
    trust_level: Option<i64>,
    /// Answers to fields the caller may see: label → values.
    answers: Vec<DirectoryAnswer>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryAnswer {
    label: String,
    values: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryPage {
    items: Vec<DirectoryMember>,
    next_cursor: Option<String>,
}

/// Search and filter the community's members (members only).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/directory", tag = "members", params(("slug" = String, Path), DirectoryParams),
    responses((status = 200, body = DirectoryPage), (status = 403), (status = 404), (status = 422)))]
pub async fn directory(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<DirectoryPage>, ApiError> {
    let mut req = crate::html::directory::directory_request(&pairs);
    let raw_limit = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "limit")
        .map(|(_, v)| v.as_str());
    req.limit = super::limit_param(raw_limit, townsquare_app::directory::DEFAULT_PAGE)?;
    let page = state
        .app
        .directory(ctx.0.actor.as_ref(), &slug, &req)
        .await?;
    Ok(Json(DirectoryPage {
        items: page
            .entries
            .into_iter()
            .map(|e| DirectoryMember {
                user_id: e.row.user_id,
                display_name: e.row.display_name,
                handle: e.row.handle,
                role: e.row.role,
                joined_at: iso(e.row.joined_at),
                headline: e.row.headline.unwrap_or_default(),
                avatar_url: e.row.avatar_file_id.map(|f| format!("/files/{f}")),
                trust_level: e.trust_level,
                answers: e
                    .answers
                    .into_iter()
                    .map(|(label, values)| DirectoryAnswer { label, values })
                    .collect(),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}
