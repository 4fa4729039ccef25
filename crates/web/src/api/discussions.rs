//! Discussions in the API: topics, posts, reactions, accepted answers, moderation, search.

use super::{cursor_param, decode_time_cursor, encode_time_cursor, limit_param, ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::discussions::{TopicAction, TopicInput};
use townsquare_app::search::SearchInput;
use townsquare_app::store::discussions::{PostRow, TopicRow};
use townsquare_app::AppError;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/spaces/{space}/topics",
        get(list_topics),
    )
    .post(
        "/api/v1/communities/{slug}/spaces/{space}/topics",
        post(create_topic),
    )
    .get("/api/v1/topics/{id}", get(show_topic))
    .post("/api/v1/topics/{id}/posts", post(reply))
    .put("/api/v1/topics/{id}/accepted", put(accept))
    .post("/api/v1/topics/{id}/moderation", post(moderate))
    .patch("/api/v1/posts/{id}", patch(edit_post))
    .delete("/api/v1/posts/{id}", delete(delete_post))
    .get("/api/v1/posts/{id}/revisions", get(revisions))
    .get("/api/v1/posts/{id}/reactions", get(reactions))
    .put("/api/v1/posts/{id}/reactions/{reaction}", put(add_reaction))
    .delete(
        "/api/v1/posts/{id}/reactions/{reaction}",
        delete(remove_reaction),
    )
    .get("/api/v1/communities/{slug}/search", get(search))
    .post("/api/v1/topics/{id}/move", post(move_topic))
    .post("/api/v1/topics/{id}/merge", post(merge_topic))
}

#[derive(Serialize, ToSchema)]
pub struct Topic {
    id: String,
    community_id: String,
    space_id: String,
    author_id: String,
    title: String,
    tags: Vec<String>,
    is_question: bool,
    accepted_post_id: Option<String>,
    pinned: bool,
    locked: bool,
    reply_count: i64,
    reaction_count: i64,
    last_post_at: String,
    /// Who wrote the latest shown post (the starter when no reply is left).
    last_poster_id: Option<String>,
    created_at: String,
    /// Held for a moderator's approval: only its author and moderators see it until then.
    held: bool,
}

pub(crate) fn topic(t: TopicRow) -> Topic {
    Topic {
        held: t.held_at.is_some(),
        tags: t.tags.split_whitespace().map(str::to_string).collect(),
        id: t.id,
        community_id: t.community_id,
        space_id: t.space_id,
        author_id: t.author_id,
        title: t.title,
        is_question: t.is_question,
        accepted_post_id: t.accepted_post_id,
        pinned: t.pinned,
        locked: t.locked,
        reply_count: t.reply_count,
        reaction_count: t.reaction_count,
        last_post_at: iso(t.last_post_at),
        last_poster_id: t.last_poster_id,
        created_at: iso(t.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Post {
    id: String,
    topic_id: String,
    author_id: String,
    author_name: Option<String>,
    reply_to_id: Option<String>,
    is_first: bool,
    /// The Markdown as written.
    body_markdown: String,
    /// Sanitized HTML, safe to insert into a page.
    body_html: String,
    reaction_count: i64,
    created_at: String,
    edited_at: Option<String>,
    deleted: bool,
    /// Held for a moderator's approval: only its author and moderators see it until then.
    held: bool,
}

pub(crate) fn post_json(p: PostRow, author_name: Option<String>) -> Post {
    let deleted = p.deleted_at.is_some();
    Post {
        held: p.held_at.is_some(),
        id: p.id,
        topic_id: p.topic_id,
        author_id: p.author_id,
        author_name,
        reply_to_id: p.reply_to_id,
        is_first: p.is_first,
        body_markdown: if deleted {
            String::new()
        } else {
            p.body_markdown
        },
        body_html: if deleted { String::new() } else { p.body_html },
        reaction_count: p.reaction_count,
        created_at: iso(p.created_at),
        edited_at: p.edited_at.map(iso),
        deleted,
    }
}

#[derive(Serialize, ToSchema)]
pub struct TopicPage {
    items: Vec<Topic>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    cursor: Option<String>,
    /// 1 to 100.
    limit: Option<String>,
}

fn decode_topic_cursor(raw: &str) -> Option<(bool, i64, String)> {
    let (head, id) = super::decode_cursor(raw)?;
    let (pinned, time) = head.split_once('|')?;
    Some((pinned == "1", time.parse().ok()?, id))
}

/// A discussion space's topics: pinned first, then by latest activity.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/spaces/{space}/topics", tag = "discussions",
    params(("slug" = String, Path), ("space" = String, Path), PageQuery), responses((status = 200, body = TopicPage), (status = 404)))]
pub async fn list_topics(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Json<TopicPage>, ApiError> {
    let view = state.app.space(ctx.0.actor.as_ref(), &slug, &space).await?;
    let cursor = cursor_param(q.cursor.as_deref(), decode_topic_cursor)?;
    let limit = limit_param(q.limit.as_deref(), 30)?;
    let rows = state
        .app
        .topics(
            &view,
            cursor.as_ref().map(|(p, t, id)| (*p, *t, id.as_str())),
            limit,
        )
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|t| crate::html::spaces::encode_topic_cursor(&t.topic))
        })
        .flatten();
    Ok(Json(TopicPage {
        items: rows.into_iter().map(|t| topic(t.topic)).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTopic {
    title: String,
    /// Markdown.
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    is_question: bool,
}

/// Start a topic in a discussion space (members).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/spaces/{space}/topics", tag = "discussions", security(("bearer" = [])),
    params(("slug" = String, Path), ("space" = String, Path)), request_body = NewTopic,
    responses((status = 201, body = Topic), (status = 403), (status = 404), (status = 422)))]
pub async fn create_topic(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space)): Path<(String, String)>,
    JsonBody(b): JsonBody<NewTopic>,
) -> Result<impl IntoResponse, ApiError> {
    let input = TopicInput {
        title: b.title,
        body: b.body,
        tags: b.tags.join(" "),
        is_question: b.is_question,
    };
    let row = state
        .app
        .create_topic(ctx.actor()?, &slug, &space, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(topic(row))))
}

#[derive(Serialize, ToSchema)]
pub struct Reaction {
    post_id: String,
    /// One of like, heart, celebrate, laugh, thinking, eyes.
    reaction: String,
    count: i64,
    /// Whether the caller gave it.
    mine: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TopicWithPosts {
    topic: Topic,
    posts: Vec<Post>,
    reactions: Vec<Reaction>,
    /// Pass as `cursor` for the next posts; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct CursorQuery {
    cursor: Option<String>,
}

/// A topic with a page of its posts (50 at a time, oldest first).
#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "discussions", params(("id" = String, Path), CursorQuery),
    responses((status = 200, body = TopicWithPosts), (status = 404)))]
pub async fn show_topic(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Query(q): Query<CursorQuery>,
) -> Result<Json<TopicWithPosts>, ApiError> {
    let cursor = cursor_param(q.cursor.as_deref(), decode_time_cursor)?;
    let page = state
        .app
        .topic_page(
            ctx.0.actor.as_ref(),
            &id,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
        )
        .await?;
    let next_cursor = page
        .more
        .then(|| {
            page.posts
                .last()
                .map(|p| encode_time_cursor(p.post.created_at, &p.post.id))
        })
        .flatten();
    Ok(Json(TopicWithPosts {
        topic: topic(page.view.topic),
        posts: page
            .posts
            .into_iter()
            .map(|p| post_json(p.post, Some(p.author_name)))
            .collect(),
        reactions: page
            .reactions
            .into_iter()
            .map(|r| Reaction {
                post_id: r.post_id,
                reaction: r.emoji,
                count: r.count,
                mine: r.mine > 0,
            })
            .collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPost {
    /// Markdown.
    body: String,
    /// The post this one answers (quoted with a link back).
    reply_to_id: Option<String>,
}

/// Reply to a topic (members; not in locked topics unless a moderator).
#[utoipa::path(post, path = "/api/v1/topics/{id}/posts", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = NewPost, responses((status = 201, body = Post), (status = 403), (status = 404), (status = 422)))]
pub async fn reply(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewPost>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let row = state
        .app
        .reply(actor, &id, &b.body, b.reply_to_id.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(post_json(row, Some(actor.display_name.clone()))),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Accepted {
    /// The reply to accept as the answer; null clears it.
    post_id: Option<String>,
}

/// Accept a reply as the answer to a question (the asker or a moderator).
#[utoipa::path(put, path = "/api/v1/topics/{id}/accepted", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = Accepted, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn accept(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Accepted>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .accept_answer(ctx.actor()?, &id, b.post_id.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Moderation {
    /// pin, unpin, lock or unlock.
    action: String,
}

/// Pin, unpin, lock or unlock a topic (moderators).
#[utoipa::path(post, path = "/api/v1/topics/{id}/moderation", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = Moderation, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn moderate(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Moderation>,
) -> Result<StatusCode, ApiError> {
    let action = TopicAction::parse(&b.action).map_err(|m| AppError::invalid("action", m))?;
    state.app.moderate_topic(ctx.actor()?, &id, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PostEdit {
    body: String,
}

/// Edit one's own post; the previous text is kept as a revision.
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = PostEdit, responses((status = 200, body = Post), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_post(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PostEdit>,
) -> Result<Json<Post>, ApiError> {
    let actor = ctx.actor()?;
    let row = state.app.edit_post(actor, &id, &b.body).await?;
    Ok(Json(post_json(row, Some(actor.display_name.clone()))))
}

/// Delete a post (its author or a moderator); deleting the first post deletes the topic.
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete_post(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_post(ctx.actor()?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Revision {
    editor_id: String,
    editor_name: String,
    /// The text the post had before this edit.
    body_markdown: String,
    replaced_at: String,
    /// Why a moderator edited the post (null for the author's own edits).
    reason: Option<String>,
}

/// A post's edit history, oldest first.
#[utoipa::path(get, path = "/api/v1/posts/{id}/revisions", tag = "discussions", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Revision>), (status = 404)))]
pub async fn revisions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<Revision>>, ApiError> {
    let (_, rows) = state.app.post_revisions(ctx.0.actor.as_ref(), &id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| Revision {
                editor_id: r.editor_id,
                editor_name: r.editor_name,
                body_markdown: r.body_markdown,
                replaced_at: iso(r.created_at),
                reason: r.reason,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Reactor {
    reaction: String,
    user_id: String,
    display_name: String,
}

/// Who reacted to a post.
#[utoipa::path(get, path = "/api/v1/posts/{id}/reactions", tag = "discussions", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Reactor>), (status = 404)))]
pub async fn reactions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<Reactor>>, ApiError> {
    let rows = state.app.reactors(ctx.0.actor.as_ref(), &id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(reaction, user_id, display_name)| Reactor {
                reaction,
                user_id,
                display_name,
            })
            .collect(),
    ))
}

/// React to a post (idempotent).
#[utoipa::path(put, path = "/api/v1/posts/{id}/reactions/{reaction}", tag = "discussions", security(("bearer" = [])),
    params(("id" = String, Path), ("reaction" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn add_reaction(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, reaction)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .react(ctx.actor()?, &id, &reaction, Some(true))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a reaction back (idempotent).
#[utoipa::path(delete, path = "/api/v1/posts/{id}/reactions/{reaction}", tag = "discussions", security(("bearer" = [])),
    params(("id" = String, Path), ("reaction" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn remove_reaction(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, reaction)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .react(ctx.actor()?, &id, &reaction, Some(false))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Hit {
    post_id: String,
    topic_id: String,
    title: String,
    /// HTML: the escaped text around the match, with matches in `<mark>`.
    snippet_html: String,
    author_name: String,
    author_handle: String,
    space_id: String,
    /// Whether the post is the first post of its topic.
    is_topic: bool,
    created_at: String,
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words to look for (prefixes match). May be empty when a filter is given: then the
    /// filtered posts are listed newest first.
    #[serde(default)]
    q: String,
    /// Only this space (slug); it must be one the caller may read.
    #[serde(default)]
    space: String,
    /// Only posts by this member (handle, with or without `@`).
    #[serde(default)]
    author: String,
    /// Only posts in topics with this tag.
    #[serde(default)]
    tag: String,
    /// First day, `YYYY-MM-DD`, in the zone given by `tz_offset_minutes`.
    #[serde(default)]
    from: String,
    /// Last day (included), `YYYY-MM-DD`.
    #[serde(default)]
    to: String,
    /// Minutes to add to the caller's local time to get UTC, as JavaScript's
    /// `getTimezoneOffset()` gives it (0, the default, means the days are UTC days).
    #[serde(default)]
    #[param(value_type = Option<i64>)]
    tz_offset_minutes: String,
    /// `all` (default) or `topics` (first posts of topics only).
    #[serde(default, rename = "type")]
    #[param(rename = "type")]
    kind: String,
    /// `relevance` (default with words: best matches among the newest 2,000 matches) or
    /// `newest` (default without words).
    #[serde(default)]
    sort: String,
}

/// Search a community's topics and posts, in the spaces the caller may read, optionally
/// filtered by space, author, tag, date range and type. Bad filters (an unknown space or
/// handle, a bad date, a range ending before it starts) are 422 with the field named.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/search", tag = "discussions", params(("slug" = String, Path), SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 404), (status = 422)))]
pub async fn search(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<Hit>>, ApiError> {
    let tz_offset_minutes = match q.tz_offset_minutes.trim() {
        "" => 0,
        raw => raw.parse().map_err(|_| {
            AppError::invalid(
                "tz_offset_minutes",
                "tz_offset_minutes is a whole number of minutes, e.g. -60.",
            )
        })?,
    };
    let input = SearchInput {
        q: q.q,
        space: q.space,
        author: q.author,
        tag: q.tag,
        from: q.from,
        to: q.to,
        tz_offset_minutes,
        kind: q.kind,
        sort: q.sort,
    };
    let (_, results) = state
        .app
        .search(ctx.0.actor.as_ref(), &slug, &input)
        .await?;
    Ok(Json(
        results
            .hits
            .into_iter()
            .map(|h| Hit {
                snippet_html: crate::html::discussions::snippet_html(&h.snippet),
                post_id: h.post_id,
                topic_id: h.topic_id,
                title: h.title,
                author_name: h.author_name,
                author_handle: h.author_handle,
                space_id: h.space_id,
                is_topic: h.is_first,
                created_at: iso(h.created_at),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct MoveTo {
    /// Slug of a discussion space of the same community.
    space: String,
}

/// Move a topic to another discussion space of its community (moderators).
#[utoipa::path(post, path = "/api/v1/topics/{id}/move", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = MoveTo, responses((status = 200, body = Topic), (status = 403), (status = 404), (status = 422)))]
pub async fn move_topic(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MoveTo>,
) -> Result<Json<Topic>, ApiError> {
    let row = state.app.move_topic(ctx.actor()?, &id, &b.space).await?;
    Ok(Json(topic(row)))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeInto {
    /// The id (or link) of the topic that receives the posts.
    into: String,
}

/// Merge a topic into another of the same community (moderators); returns the receiving topic.
#[utoipa::path(post, path = "/api/v1/topics/{id}/merge", tag = "discussions", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = MergeInto, responses((status = 200, body = Topic), (status = 403), (status = 404), (status = 422)))]
pub async fn merge_topic(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MergeInto>,
) -> Result<Json<Topic>, ApiError> {
    let actor = ctx.actor()?;
    let into = state.app.merge_topic(actor, &id, &b.into).await?;
    let merged = state.app.topic(Some(actor), &into.id).await?.topic;
    Ok(Json(topic(merged)))
}
