//! Space pages: creation, the space itself, settings, joining and leaving.

use super::{form_errors, page, redirect_with_flash, Layout};
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
use townsquare_app::spaces::{kind_of, visibility_of, SpaceInput};
use townsquare_domain::{time_zones, SpaceKind, SpaceVisibility, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/spaces/new", get(new_form))
        .post("/c/{slug}/spaces", post(create))
        .get("/c/{slug}/s/{space}", get(show))
        .get("/c/{slug}/s/{space}/settings", get(settings_form))
        .post("/c/{slug}/s/{space}/settings", post(update))
        .post("/c/{slug}/s/{space}/join", post(join))
        .post("/c/{slug}/s/{space}/leave", post(leave))
        .post("/c/{slug}/s/{space}/subscription", post(subscription))
}

#[derive(Deserialize, Default, Clone)]
struct FormValues {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    visibility: String,
}

impl From<&FormValues> for SpaceInput {
    fn from(f: &FormValues) -> Self {
        SpaceInput {
            name: f.name.clone(),
            slug: f.slug.clone(),
            description: f.description.clone(),
            kind: f.kind.clone(),
            visibility: f.visibility.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "spaces/form.html")]
struct FormPage {
    layout: Layout,
    community_name: String,
    input: FormValues,
    errors: ValidationErrors,
    editing: bool,
    action: String,
    kinds: Vec<(&'static str, &'static str)>,
    visibilities: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn new(
        layout: Layout,
        community_name: String,
        input: FormValues,
        errors: ValidationErrors,
        editing: bool,
        action: String,
    ) -> FormPage {
        FormPage {
            layout,
            community_name,
            input,
            errors,
            editing,
            action,
            kinds: SpaceKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            visibilities: SpaceVisibility::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
        }
    }
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.managed_community(actor, &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(&state, &ctx, "New space")
        .await?
        .in_community(&view, &spaces, None);
    let input = FormValues {
        kind: "discussion".into(),
        visibility: "everyone".into(),
        ..Default::default()
    };
    let body = FormPage::new(
        layout,
        view.community.name.clone(),
        input,
        ValidationErrors::new(),
        false,
        format!("/c/{slug}/spaces"),
    );
    Ok(page(StatusCode::OK, &body, false))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<FormValues>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state.app.create_space(actor, &slug, &(&form).into()).await {
        Ok(space) => Ok(redirect_with_flash(
            &format!("/c/{slug}/s/{}", space.slug),
            &format!("The space {} is ready.", space.name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let view = state.app.managed_community(actor, &slug).await?;
            let spaces = state.app.visible_spaces(&view).await?;
            let layout = Layout::new(&state, &ctx, "New space")
                .await?
                .in_community(&view, &spaces, None);
            let body = FormPage::new(
                layout,
                view.community.name.clone(),
                form,
                errors,
                false,
                format!("/c/{slug}/spaces"),
            );
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &body, false))
        }
    }
}

/// A topic in a space's list.
pub struct TopicItem {
    pub id: String,
    pub title: String,
    pub author_name: String,
    pub tags: Vec<String>,
    pub pinned: bool,
    pub locked: bool,
    pub is_question: bool,
    pub answered: bool,
    pub reply_count: i64,
    /// Who wrote the latest shown reply (none when there is no reply).
    pub last_poster_name: Option<String>,
    pub last_iso: String,
    pub last_ago: String,
    /// Replies the signed-in member has not seen yet.
    pub unread: i64,
    /// A recent topic the signed-in member has never opened.
    pub is_new: bool,
}

/// What the signed-in reader has seen of each listed topic (empty for visitors).
pub struct ReadMarks {
    pub signed_in: bool,
    pub seen: std::collections::HashMap<String, i64>,
}

impl ReadMarks {
    pub async fn of(
        state: &crate::AppState,
        actor: Option<&townsquare_app::Actor>,
        topics: &[townsquare_app::store::discussions::ListedTopic],
    ) -> Result<ReadMarks, townsquare_app::AppError> {
        Ok(ReadMarks {
            signed_in: actor.is_some(),
            seen: state.app.read_marks(actor, topics).await?,
        })
    }
}

impl TopicItem {
    pub fn from_listed(
        listed: townsquare_app::store::discussions::ListedTopic,
        now: i64,
        marks: &ReadMarks,
    ) -> TopicItem {
        let t = listed.topic;
        let seen = marks.seen.get(&t.id).copied();
        TopicItem {
            unread: seen.map(|n| (t.reply_count - n).max(0)).unwrap_or(0),
            is_new: marks.signed_in
                && seen.is_none()
                && now - t.created_at < townsquare_app::topic_lists::NEW_FOR,
            tags: t.tags.split_whitespace().map(str::to_string).collect(),
            answered: t.accepted_post_id.is_some(),
            last_iso: super::format::iso(t.last_post_at),
            last_ago: super::ago(t.last_post_at, now),
            id: t.id,
            title: t.title,
            author_name: listed.author_name,
            last_poster_name: listed.last_poster_name.filter(|_| t.reply_count > 0),
            pinned: t.pinned,
            locked: t.locked,
            is_question: t.is_question,
            reply_count: t.reply_count,
        }
    }
}

#[derive(Template)]
#[template(path = "spaces/show.html")]
struct ShowPage {
    layout: Layout,
    is_events: bool,
    can_host: bool,
    /// An events space's list or month calendar.
    browse: super::event_calendar::Browse,
    community_slug: String,
    slug: String,
    name: String,
    description: String,
    kind_label: &'static str,
    visibility_label: String,
    member_count: i64,
    joined: bool,
    is_community_member: bool,
    can_manage: bool,
    can_post: bool,
    is_discussion: bool,
    topics: Vec<TopicItem>,
    next: Option<String>,
    empty_hint: &'static str,
    /// The space's Atom feed, when anonymous visitors may read it.
    feed_url: Option<String>,
    /// following, normal or muted, for members of a discussion space's community.
    level: Option<&'static str>,
}

#[derive(Deserialize)]
struct BeforeQuery {
    before: Option<String>,
    /// An events space's list or month view and its filter.
    #[serde(flatten)]
    browse: super::event_calendar::BrowseQuery,
}

const TOPICS_PER_PAGE: i64 = 30;

/// Topic list cursors: "pinned|time|id", base64url-wrapped like the API's.
fn decode_topic_cursor(raw: &str) -> Option<(bool, i64, String)> {
    let (head, id) = crate::api::decode_cursor(raw)?;
    let (pinned, time) = head.split_once('|')?;
    Some((pinned == "1", time.parse().ok()?, id))
}

pub(crate) fn encode_topic_cursor(t: &townsquare_app::store::discussions::TopicRow) -> String {
    crate::api::encode_cursor(
        &format!("{}|{}", if t.pinned { 1 } else { 0 }, t.last_post_at),
        &t.id,
    )
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    Query(q): Query<BeforeQuery>,
) -> Result<Response, HtmlError> {
    let view = state.app.space(ctx.actor.as_ref(), &slug, &space).await?;
    let spaces = state.app.visible_spaces(&view.community).await?;
    let s = &view.space;
    let kind = kind_of(s);
    let is_discussion = kind == SpaceKind::Discussion;
    let (topics, next) = if is_discussion {
        let cursor = q.before.as_deref().and_then(decode_topic_cursor);
        let rows = state
            .app
            .topics(
                &view,
                cursor.as_ref().map(|(p, t, id)| (*p, *t, id.as_str())),
                TOPICS_PER_PAGE,
            )
            .await?;
        let next = (rows.len() as i64 == TOPICS_PER_PAGE)
            .then(|| rows.last().map(|t| encode_topic_cursor(&t.topic)))
            .flatten();
        let now = state.app.now();
        let marks = ReadMarks::of(&state, ctx.actor.as_ref(), &rows).await?;
        (
            rows.into_iter()
                .map(|t| TopicItem::from_listed(t, now, &marks))
                .collect(),
            next,
        )
    } else {
        (Vec::new(), None)
    };
    let level = match &ctx.actor {
        Some(a) if is_discussion && view.community.role().is_some() => Some(
            state
                .app
                .space_level(a, &view.community, &s.id)
                .await?
                .as_str(),
        ),
        _ => None,
    };
    let layout = Layout::new(&state, &ctx, &s.name).await?.in_community(
        &view.community,
        &spaces,
        Some(&s.slug),
    );
    let is_events = kind == SpaceKind::Events;
    let can_host = is_events && townsquare_domain::policy::can_host_events(&view.community.viewer);
    let browse = if is_events {
        let tz = time_zones::parse_or_utc(&view.community.community.time_zone);
        let mut b = super::event_calendar::browse(
            &state,
            &slug,
            &format!("/c/{slug}/s/{}", s.slug),
            std::slice::from_ref(&s.id),
            tz,
            &q.browse,
            Some(&view),
        )
        .await?;
        b.new_event_href = can_host.then(|| format!("/c/{slug}/s/{}/events/new", s.slug));
        b
    } else {
        Default::default()
    };
    let status = if browse.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = ShowPage {
        is_events,
        can_host,
        browse,
        level,
        community_slug: slug.clone(),
        slug: s.slug.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        kind_label: kind.label(),
        visibility_label: visibility_of(s).label().to_lowercase(),
        member_count: s.member_count,
        joined: view.joined,
        is_community_member: view.community.role().is_some(),
        can_manage: view.community.can_manage(),
        can_post: is_discussion && view.community.role().is_some(),
        is_discussion,
        topics,
        next,
        empty_hint: match kind {
            SpaceKind::Discussion => "",
            SpaceKind::Chat => "Real-time chat for this space is on its way.",
            SpaceKind::Events => "No events are scheduled yet.",
            SpaceKind::Resources => "Shared files and links will be collected here.",
        },
        feed_url: townsquare_app::feeds::has_feed(&view)
            .then(|| crate::feeds::space_atom_path(&slug, &s.slug)),
        layout,
    };
    let had_flash = ctx.flash.is_some();
    Ok(page(status, &body, had_flash))
}

async fn settings_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.space(Some(actor), &slug, &space).await?;
    if !view.community.can_manage() {
        return Err(townsquare_app::AppError::Forbidden(
            "Only the community's admins can change spaces.".into(),
        )
        .into());
    }
    let spaces = state.app.visible_spaces(&view.community).await?;
    let s = &view.space;
    let input = FormValues {
        name: s.name.clone(),
        slug: s.slug.clone(),
        description: s.description.clone(),
        kind: s.kind.clone(),
        visibility: s.visibility.clone(),
    };
    let layout = Layout::new(&state, &ctx, "Space settings")
        .await?
        .in_community(&view.community, &spaces, Some(&s.slug));
    let body = FormPage::new(
        layout,
        view.community.community.name.clone(),
        input,
        ValidationErrors::new(),
        true,
        format!("/c/{slug}/s/{space}/settings"),
    );
    Ok(page(StatusCode::OK, &body, false))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FormValues>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state
        .app
        .update_space(actor, &slug, &space, &(&form).into())
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/s/{space}"),
            "Space saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let view = state.app.space(Some(actor), &slug, &space).await?;
            let spaces = state.app.visible_spaces(&view.community).await?;
            let layout = Layout::new(&state, &ctx, "Space settings")
                .await?
                .in_community(&view.community, &spaces, Some(&space));
            let body = FormPage::new(
                layout,
                view.community.community.name.clone(),
                form,
                errors,
                true,
                format!("/c/{slug}/s/{space}/settings"),
            );
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &body, false))
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state.app.join_space(ctx.actor()?, &slug, &space).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/s/{space}"),
        "You joined the space.",
    ))
}

async fn leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state.app.leave_space(ctx.actor()?, &slug, &space).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/s/{space}"),
        "You left the space.",
    ))
}

#[derive(Deserialize)]
struct LevelForm {
    #[serde(default)]
    level: String,
}

async fn subscription(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, space)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<LevelForm>,
) -> Result<Response, HtmlError> {
    use townsquare_app::topic_lists::SpaceLevel;
    let actor = ctx.actor()?;
    let level = SpaceLevel::parse(&form.level)
        .map_err(|m| townsquare_app::AppError::invalid("level", m))?;
    state
        .app
        .set_space_level(actor, &slug, &space, level)
        .await?;
    let message = match level {
        SpaceLevel::Following => "You follow this space: every new topic will reach you.",
        SpaceLevel::Normal => "You hear about replies to your own posts in this space.",
        SpaceLevel::Muted => {
            "Space muted: its topics leave your community lists, and only mentions reach you."
        }
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/s/{space}"),
        message,
    ))
}
