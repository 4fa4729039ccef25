//! Discussion pages: new topic, the topic with its replies, editing with history, reactions,
//! accepted answers, moderators' switches and search.

use super::{ago, date, form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use townsquare_app::discussions::{TopicAction, TopicInput};
use townsquare_app::search::SearchInput;
use townsquare_app::store::search::{SearchOrder, MARK_END, MARK_START};
use townsquare_app::AppError;
use townsquare_domain::discussions::REACTIONS;
use townsquare_domain::{markdown, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/s/{space}/new-topic", get(new_topic_form))
        .post("/c/{slug}/s/{space}/topics", post(create_topic))
        .get("/c/{slug}/t/{topic}", get(show_topic))
        .post("/c/{slug}/t/{topic}/replies", post(reply))
        .post("/c/{slug}/t/{topic}/accept", post(accept))
        .post("/c/{slug}/t/{topic}/moderate", post(moderate))
        .get("/c/{slug}/posts/{post}/edit", get(edit_form))
        .post("/c/{slug}/posts/{post}/edit", post(edit))
        .post("/c/{slug}/posts/{post}/delete", post(delete))
        .post("/c/{slug}/posts/{post}/react", post(react))
        .get("/c/{slug}/search", get(search))
        .post("/c/{slug}/t/{topic}/subscription", post(subscription))
        .post("/c/{slug}/posts/{post}/bookmark", post(bookmark))
        .get("/bookmarks", get(bookmarks))
        .post("/c/{slug}/t/{topic}/move", post(move_topic))
        .post("/c/{slug}/t/{topic}/merge", post(merge_topic))
}

#[derive(Template)]
#[template(path = "discussions/new_topic.html")]
struct NewTopicPage {
    layout: Layout,
    community_slug: String,
    space_slug: String,
    space_name: String,
    title: String,
    body: String,
    tags: String,
    is_question: bool,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
struct TopicForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    is_question: Option<String>,
}

async fn new_topic_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    space: &str,
    form: TopicForm,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let view = state.app.space(ctx.actor.as_ref(), slug, space).await?;
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(state, ctx, "New topic").await?.in_community(
        &view.community,
        &spaces,
        Some(space),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = NewTopicPage {
        layout,
        community_slug: slug.to_string(),
        space_slug: view.space.slug.clone(),
        space_name: view.space.name.clone(),
        title: form.title,
        body: form.body,
        tags: form.tags,
        is_question: form.is_question.is_some(),
        errors,
    };
    Ok(page(status, &body, false))
}

async fn new_topic_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    new_topic_page(
        &state,
        &ctx,
        &slug,
        &space,
        TopicForm::default(),
        ValidationErrors::new(),
    )
    .await
}

/// What a member reads when automatic protection holds their post.
const HELD_MESSAGE: &str = "Your post is awaiting a moderator's approval: until then only you and the moderators can see it. You will be told when it is decided.";

async fn create_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<TopicForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let input = TopicInput {
        title: form.title.clone(),
        body: form.body.clone(),
        tags: form.tags.clone(),
        is_question: form.is_question.is_some(),
    };
    match state.app.create_topic(actor, &slug, &space, &input).await {
        Ok(topic) => Ok(redirect_with_flash(
            &format!("/c/{slug}/t/{}", topic.id),
            if topic.held_at.is_some() {
                HELD_MESSAGE
            } else {
                "Your topic is posted."
            },
        )),
        Err(e) => new_topic_page(&state, &ctx, &slug, &space, form, form_errors(e)?).await,
    }
}

pub struct ReactionButton {
    pub name: &'static str,
    pub emoji: &'static str,
    pub count: i64,
    pub mine: bool,
}

pub struct PostItem {
    pub id: String,
    pub author_name: String,
    pub initials: String,
    pub avatar_file_id: Option<String>,
    pub iso: String,
    pub ago: String,
    pub edited: bool,
    pub deleted: bool,
    /// Hidden by a moderator; `body_html` is empty unless the viewer may still read it.
    pub hidden: bool,
    /// Held for approval by automatic protection.
    pub held: bool,
    pub is_first: bool,
    pub accepted: bool,
    /// The shout-out line when a moderator featured the post.
    pub featured: Option<String>,
    pub mine: bool,
    pub bookmarked: bool,
    pub body_html: String,
    /// (post id, author name) of the post this one answers.
    pub reply_to: Option<(String, String)>,
    pub reactions: Vec<ReactionButton>,
}

#[derive(Template)]
#[template(path = "discussions/topic.html")]
struct TopicPageView {
    layout: Layout,
    community_slug: String,
    space_slug: String,
    space_name: String,
    id: String,
    title: String,
    tags: Vec<String>,
    pinned: bool,
    locked: bool,
    is_question: bool,
    accepted_post_id: Option<String>,
    reply_count: i64,
    posts: Vec<PostItem>,
    next: Option<String>,
    can_reply: bool,
    can_react: bool,
    can_accept: bool,
    can_moderate: bool,
    /// following, normal or muted, for a signed-in member of the community.
    level: Option<&'static str>,
    /// (slug, name) of the discussion spaces a moderator may move the topic to.
    move_targets: Vec<(String, String)>,
    /// (post id, author name, excerpt) when replying to one post.
    replying_to: Option<(String, String, String)>,
    reply_body: String,
    reply_error: Option<String>,
}

#[derive(Deserialize, Default)]
struct TopicQuery {
    after: Option<String>,
    reply_to: Option<String>,
}

async fn topic_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    topic_id: &str,
    q: TopicQuery,
    reply_body: String,
    reply_error: Option<String>,
) -> Result<Response, HtmlError> {
    let cursor = q.after.as_deref().and_then(crate::api::decode_time_cursor);
    let data = state
        .app
        .topic_page(
            ctx.actor.as_ref(),
            topic_id,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
        )
        .await?;
    let view = &data.view;
    if view.space.community.community.slug != slug {
        return Err(AppError::NotFound("topic").into());
    }
    let now = state.app.now();
    let me = ctx.actor.as_ref().map(|a| a.user_id.as_str()).unwrap_or("");
    let mut tallies: HashMap<(&str, &str), (i64, bool)> = HashMap::new();
    for r in &data.reactions {
        tallies.insert(
            (r.post_id.as_str(), r.emoji.as_str()),
            (r.count, r.mine > 0),
        );
    }
    let accepted = view.topic.accepted_post_id.clone();
    let bookmarked = state
        .app
        .bookmarked_in_topic(ctx.actor.as_ref(), topic_id)
        .await?;
    let level = match &ctx.actor {
        Some(a) if view.space.community.role().is_some() => {
            Some(state.app.topic_level(a, topic_id).await?.as_str())
        }
        _ => None,
    };
    let featured: HashMap<String, String> = state
        .app
        .featured_in_topic(topic_id)
        .await?
        .into_iter()
        .collect();
    let mut posts: Vec<PostItem> = data
        .posts
        .iter()
        .map(|p| PostItem {
            id: p.post.id.clone(),
            author_name: p.author_name.clone(),
            initials: super::format::initials(&p.author_name),
            avatar_file_id: p.author_avatar_file_id.clone(),
            iso: super::format::iso(p.post.created_at),
            ago: ago(p.post.created_at, now),
            edited: p.post.edited_at.is_some(),
            deleted: p.post.deleted_at.is_some(),
            hidden: p.post.hidden_at.is_some(),
            held: p.post.held_at.is_some(),
            is_first: p.post.is_first,
            accepted: accepted.as_deref() == Some(p.post.id.as_str()),
            featured: featured.get(&p.post.id).cloned(),
            mine: p.post.author_id == me,
            bookmarked: bookmarked.contains(&p.post.id),
            body_html: p.post.body_html.clone(),
            reply_to: p
                .post
                .reply_to_id
                .clone()
                .zip(p.reply_to_author_name.clone()),
            reactions: REACTIONS
                .iter()
                .map(|(name, emoji)| {
                    let (count, mine) = tallies
                        .get(&(p.post.id.as_str(), *name))
                        .copied()
                        .unwrap_or((0, false));
                    ReactionButton {
                        name,
                        emoji,
                        count,
                        mine,
                    }
                })
                .collect(),
        })
        .collect();
    // The accepted answer is shown right after the question.
    if let Some(i) = posts.iter().position(|p| p.accepted) {
        let answer = posts.remove(i);
        let at = posts
            .iter()
            .position(|p| p.is_first)
            .map(|f| f + 1)
            .unwrap_or(0);
        posts.insert(at, answer);
    }
    let next = data
        .more
        .then(|| {
            data.posts
                .last()
                .map(|p| crate::api::encode_time_cursor(p.post.created_at, &p.post.id))
        })
        .flatten();
    let replying_to = match q.reply_to.as_deref() {
        Some(id) => data
            .posts
            .iter()
            .find(|p| p.post.id == id && p.post.deleted_at.is_none())
            .map(|p| {
                (
                    p.post.id.clone(),
                    p.author_name.clone(),
                    markdown::excerpt(&p.post.body_markdown, 280),
                )
            }),
        None => None,
    };
    let spaces = state.app.visible_spaces(&view.space.community).await?;
    let move_targets: Vec<(String, String)> = if view.can_moderate {
        spaces
            .iter()
            .filter(|s| {
                townsquare_app::spaces::kind_of(s) == townsquare_domain::SpaceKind::Discussion
                    && s.id != view.topic.space_id
            })
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let layout = Layout::new(state, ctx, &view.topic.title)
        .await?
        .in_community(&view.space.community, &spaces, Some(&view.space.space.slug));
    let body = TopicPageView {
        layout,
        community_slug: slug.to_string(),
        space_slug: view.space.space.slug.clone(),
        space_name: view.space.space.name.clone(),
        id: view.topic.id.clone(),
        title: view.topic.title.clone(),
        tags: view
            .topic
            .tags
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        pinned: view.topic.pinned,
        locked: view.topic.locked,
        is_question: view.topic.is_question,
        accepted_post_id: accepted,
        reply_count: view.topic.reply_count,
        posts,
        next,
        can_reply: view.can_reply,
        can_react: view.space.community.role().is_some(),
        can_accept: view.can_accept,
        can_moderate: view.can_moderate,
        level,
        move_targets,
        replying_to,
        reply_error: reply_error.clone(),
        reply_body,
    };
    let status = if reply_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn show_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    Query(q): Query<TopicQuery>,
) -> Result<Response, HtmlError> {
    topic_page(&state, &ctx, &slug, &topic, q, String::new(), None).await
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    reply_to: String,
}

async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state
        .app
        .reply(actor, &topic, &form.body, Some(&form.reply_to))
        .await
    {
        Ok(post) => Ok(redirect_with_flash(
            &format!("/c/{slug}/t/{topic}#post-{}", post.id),
            if post.held_at.is_some() {
                HELD_MESSAGE
            } else {
                "Your reply is posted."
            },
        )),
        Err(AppError::Invalid(e)) => {
            let message =
                e.0.iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join(" ");
            let q = TopicQuery {
                after: None,
                reply_to: Some(form.reply_to).filter(|r| !r.is_empty()),
            };
            topic_page(&state, &ctx, &slug, &topic, q, form.body, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    post_id: String,
}

async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state
        .app
        .accept_answer(actor, &topic, Some(&form.post_id))
        .await?;
    let message = if form.post_id.is_empty() {
        "The answer is no longer accepted."
    } else {
        "Answer accepted. Thank you for closing the loop!"
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{topic}"),
        message,
    ))
}

#[derive(Deserialize)]
struct ModerateForm {
    #[serde(default)]
    action: String,
}

async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let action = TopicAction::parse(&form.action).map_err(|m| AppError::invalid("action", m))?;
    state.app.moderate_topic(actor, &topic, action).await?;
    let message = match action {
        TopicAction::Pin => "Topic pinned to the top of its space.",
        TopicAction::Unpin => "Topic unpinned.",
        TopicAction::Lock => "Topic locked: no new replies.",
        TopicAction::Unlock => "Topic unlocked.",
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{topic}"),
        message,
    ))
}

pub struct RevisionItem {
    pub editor: String,
    pub iso: String,
    pub body: String,
    /// A moderator's reason for the edit.
    pub reason: Option<String>,
}

#[derive(Template)]
#[template(path = "discussions/edit.html")]
struct EditPage {
    layout: Layout,
    community_slug: String,
    topic_id: String,
    post_id: String,
    body: String,
    can_edit: bool,
    /// A moderator looking at someone else's post: may edit it with a reason.
    can_moderator_edit: bool,
    error: Option<String>,
    revisions: Vec<RevisionItem>,
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    post_id: &str,
    body: Option<String>,
    error: Option<String>,
) -> Result<Response, HtmlError> {
    let (post, revisions) = state
        .app
        .post_revisions(ctx.actor.as_ref(), post_id)
        .await?;
    let view = state.app.topic(ctx.actor.as_ref(), &post.topic_id).await?;
    if view.space.community.community.slug != slug {
        return Err(AppError::NotFound("post").into());
    }
    let spaces = state.app.visible_spaces(&view.space.community).await?;
    let layout = Layout::new(state, ctx, "Edit post").await?.in_community(
        &view.space.community,
        &spaces,
        Some(&view.space.space.slug),
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page_body = EditPage {
        layout,
        community_slug: slug.to_string(),
        topic_id: post.topic_id.clone(),
        post_id: post.id.clone(),
        can_edit: ctx
            .actor
            .as_ref()
            .is_some_and(|a| a.user_id == post.author_id)
            && post.deleted_at.is_none(),
        can_moderator_edit: townsquare_domain::policy::can_moderate(&view.space.community.viewer)
            && ctx
                .actor
                .as_ref()
                .is_some_and(|a| a.user_id != post.author_id)
            && post.deleted_at.is_none(),
        body: body.unwrap_or(post.body_markdown),
        error,
        revisions: revisions
            .into_iter()
            .map(|r| RevisionItem {
                editor: r.editor_name,
                iso: super::format::iso(r.created_at),
                body: r.body_markdown,
                reason: r.reason,
            })
            .collect(),
    };
    Ok(page(status, &page_body, false))
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    edit_page(&state, &ctx, &slug, &post, None, None).await
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    body: String,
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state.app.edit_post(actor, &post_id, &form.body).await {
        Ok(post) => Ok(redirect_with_flash(
            &format!("/c/{slug}/t/{}#post-{}", post.topic_id, post.id),
            if post.held_at.is_some() {
                HELD_MESSAGE
            } else {
                "Your post is updated."
            },
        )),
        Err(AppError::Invalid(e)) => {
            let message =
                e.0.iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join(" ");
            edit_page(
                &state,
                &ctx,
                &slug,
                &post_id,
                Some(form.body),
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let post = state.app.delete_post(actor, &post_id).await?;
    if post.is_first {
        Ok(redirect_with_flash(
            &format!("/c/{slug}"),
            "The topic is deleted.",
        ))
    } else {
        Ok(redirect_with_flash(
            &format!("/c/{slug}/t/{}", post.topic_id),
            "The post is deleted.",
        ))
    }
}

#[derive(Deserialize)]
struct ReactForm {
    #[serde(default)]
    reaction: String,
}

/// Toggles the actor's reaction, as the buttons show it.
async fn react(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReactForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (post, _) = state
        .app
        .react(actor, &post_id, &form.reaction, None)
        .await?;
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to(&format!("/c/{slug}/t/{}#post-{post_id}", post.topic_id)),
    ))
}

pub struct HitItem {
    pub post_id: String,
    pub topic_id: String,
    pub title: String,
    pub snippet_html: String,
    pub author_name: String,
    pub author_handle: String,
    pub space_name: String,
    pub is_first: bool,
    pub date: String,
}

#[derive(Template)]
#[template(path = "discussions/search.html")]
struct SearchPage {
    layout: Layout,
    community_slug: String,
    community_name: String,
    form: SearchQuery,
    /// Discussion spaces the reader may filter by: (slug, name).
    spaces: Vec<(String, String)>,
    newest: bool,
    searched: bool,
    hits: Vec<HitItem>,
    errors: ValidationErrors,
}

/// The search form's fields, kept in the URL.
#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    space: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Filled in by app.js from the browser's zone; UTC without JavaScript.
    #[serde(default)]
    tz: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    sort: String,
}

impl SearchQuery {
    fn input(&self) -> SearchInput {
        SearchInput {
            q: self.q.clone(),
            space: self.space.clone(),
            author: self.author.clone(),
            tag: self.tag.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            tz_offset_minutes: self.tz.trim().parse().unwrap_or(0),
            kind: self.kind.clone(),
            sort: self.sort.clone(),
        }
    }

    fn has_filters(&self) -> bool {
        self.input().has_filters()
    }
}

/// Escapes a snippet, then turns the database's highlight markers into `<mark>`.
pub fn snippet_html(snippet: &str) -> String {
    let escaped = snippet
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    escaped
        .replace(MARK_START, "<mark>")
        .replace(MARK_END, "</mark>")
}

async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(form): Query<SearchQuery>,
) -> Result<Response, HtmlError> {
    let (view, results, errors) = match state
        .app
        .search(ctx.actor.as_ref(), &slug, &form.input())
        .await
    {
        Ok((view, results)) => (view, Some(results), ValidationErrors::new()),
        Err(e @ AppError::Invalid(_)) => (
            state.app.community(ctx.actor.as_ref(), &slug).await?,
            None,
            form_errors(e)?,
        ),
        Err(e) => return Err(e.into()),
    };
    let spaces = state.app.visible_spaces(&view).await?;
    let names: HashMap<String, String> = spaces
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = Layout::new(&state, &ctx, "Search")
        .await?
        .in_community(&view, &spaces, None);
    let (hits, newest, searched) = match results {
        Some(r) => (
            r.hits
                .into_iter()
                .map(|h| HitItem {
                    snippet_html: snippet_html(&h.snippet),
                    space_name: names.get(&h.space_id).cloned().unwrap_or_default(),
                    post_id: h.post_id,
                    topic_id: h.topic_id,
                    title: h.title,
                    author_name: h.author_name,
                    author_handle: h.author_handle,
                    is_first: h.is_first,
                    date: date(h.created_at),
                })
                .collect(),
            r.order == SearchOrder::Newest,
            r.searched,
        ),
        None => (Vec::new(), form.sort == "newest", false),
    };
    let body = SearchPage {
        layout,
        community_slug: slug.clone(),
        community_name: view.community.name.clone(),
        spaces: spaces
            .iter()
            .filter(|s| s.kind == "discussion")
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect(),
        newest,
        searched,
        hits,
        errors,
        form,
    };
    Ok(page(status, &body, false))
}

#[derive(Deserialize)]
struct LevelForm {
    #[serde(default)]
    level: String,
}

async fn subscription(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<LevelForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let level = townsquare_app::reading::TopicLevel::parse(&form.level)
        .map_err(|m| AppError::invalid("level", m))?;
    state.app.set_topic_level(actor, &topic, level).await?;
    let message = match level {
        townsquare_app::reading::TopicLevel::Following => {
            "You follow this topic: every reply will reach you."
        }
        townsquare_app::reading::TopicLevel::Normal => {
            "You hear about replies to your own posts here."
        }
        townsquare_app::reading::TopicLevel::Muted => "Topic muted: only mentions will reach you.",
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{topic}"),
        message,
    ))
}

#[derive(Deserialize)]
struct BookmarkForm {
    #[serde(default)]
    topic_id: String,
}

async fn bookmark(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BookmarkForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let on = state
        .app
        .toggle_bookmark(actor, &post_id, &form.topic_id)
        .await?;
    let message = if on {
        "Bookmarked. Find it again under Bookmarks."
    } else {
        "Bookmark removed."
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{}#post-{post_id}", form.topic_id),
        message,
    ))
}

pub struct BookmarkItem {
    pub link: String,
    pub topic_title: String,
    pub author_name: String,
    pub excerpt: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "discussions/bookmarks.html")]
struct BookmarksPage {
    layout: Layout,
    items: Vec<BookmarkItem>,
}

async fn bookmarks(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let items = state
        .app
        .bookmarks(actor)
        .await?
        .into_iter()
        .map(|b| BookmarkItem {
            link: format!(
                "/c/{}/t/{}#post-{}",
                b.community_slug, b.topic_id, b.post_id
            ),
            topic_title: b.topic_title,
            author_name: b.author_name,
            excerpt: markdown::excerpt(&b.body_markdown, 200),
            date: date(b.bookmarked_at),
        })
        .collect();
    let layout = Layout::new(&state, &ctx, "Bookmarks").await?;
    Ok(page(
        StatusCode::OK,
        &BookmarksPage { layout, items },
        ctx.flash.is_some(),
    ))
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    space: String,
}

async fn move_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state.app.move_topic(actor, &topic, &form.space).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{topic}"),
        "Topic moved.",
    ))
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    into: String,
}

async fn merge_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, topic)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let into = state.app.merge_topic(actor, &topic, &form.into).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/t/{}", into.id),
        "Topics merged: the posts are now replies here.",
    ))
}
