//! Community pages: directory, creation, home, settings, joining, members and requests.

use super::{ago, form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::html::accounts::CommunityCard;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::communities::{CommunityInput, JoinOutcome};
use townsquare_app::topic_lists::TopicList;
use townsquare_domain::ranking::TopPeriod;
use townsquare_domain::{SpaceKind, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/communities", get(list))
        .get("/communities/new", get(new_form))
        .post("/communities", post(create))
        .get("/c/{slug}", get(show))
        .get("/c/{slug}/settings", get(settings_form))
        .post("/c/{slug}/settings", post(update))
        .post(
            "/c/{slug}/settings/departed-posts",
            post(set_departed_posts),
        )
        .get("/c/{slug}/join", get(join_form_page))
        .post("/c/{slug}/join", post(join))
        .post("/c/{slug}/leave", post(leave))
        .post("/c/{slug}/members/{user_id}/role", post(set_role))
        .post("/c/{slug}/requests/{user_id}/approve", post(approve))
        .post("/c/{slug}/requests/{user_id}/decline", post(decline))
}

#[derive(Template)]
#[template(path = "communities/list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<CommunityCard>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct AfterQuery {
    after: Option<String>,
}

const PAGE_SIZE: i64 = 30;

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AfterQuery>,
) -> Result<Response, HtmlError> {
    let cursor = q.after.as_deref().and_then(crate::api::decode_cursor);
    let after = cursor.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
    let rows = state
        .app
        .communities(ctx.actor.as_ref(), after, PAGE_SIZE)
        .await?;
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| {
            rows.last()
                .map(|c| crate::api::encode_cursor(&c.community.name, &c.community.id))
        })
        .flatten();
    let layout = Layout::new(&state, &ctx, "Communities").await?;
    Ok(page(
        StatusCode::OK,
        &ListPage {
            layout,
            items: rows.into_iter().map(Into::into).collect(),
            next,
        },
        false,
    ))
}

#[derive(Template)]
#[template(path = "communities/form.html")]
struct FormPage {
    layout: Layout,
    input: FormValues,
    errors: ValidationErrors,
    editing: bool,
    action: String,
    /// When editing: the rule for deleted accounts' posts (`keep` or `remove`).
    departed_posts: &'static str,
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
    guidelines: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    join_policy: String,
    #[serde(default)]
    accent_color: String,
    #[serde(default)]
    time_zone: String,
}

impl FormPage {
    fn time_zone_names(&self) -> Vec<&'static str> {
        townsquare_domain::time_zones::names().collect()
    }
}

impl From<&FormValues> for CommunityInput {
    fn from(f: &FormValues) -> Self {
        CommunityInput {
            name: f.name.clone(),
            slug: f.slug.clone(),
            description: f.description.clone(),
            guidelines: f.guidelines.clone(),
            visibility: f.visibility.clone(),
            join_policy: f.join_policy.clone(),
            accent_color: f.accent_color.clone(),
            time_zone: f.time_zone.clone(),
        }
    }
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let layout = Layout::new(&state, &ctx, "Create a community").await?;
    let input = FormValues {
        visibility: "public".into(),
        join_policy: "open".into(),
        accent_color: "#4f46e5".into(),
        time_zone: "UTC".into(),
        ..Default::default()
    };
    Ok(page(
        StatusCode::OK,
        &FormPage {
            layout,
            input,
            errors: ValidationErrors::new(),
            editing: false,
            action: "/communities".into(),
            departed_posts: "keep",
        },
        false,
    ))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<FormValues>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state.app.create_community(actor, &(&form).into()).await {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/c/{}", c.slug),
            &format!("{} is ready. Create its first spaces next.", c.name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let layout = Layout::new(&state, &ctx, "Create a community").await?;
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    layout,
                    input: form,
                    errors,
                    editing: false,
                    action: "/communities".into(),
                    departed_posts: "keep",
                },
                false,
            ))
        }
    }
}

pub struct SpaceCard {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind_label: &'static str,
    pub member_count: i64,
}

pub struct FeaturedItem {
    pub post_id: String,
    pub topic_id: String,
    pub topic_title: String,
    pub author_name: String,
    pub excerpt: String,
    pub shout_out: String,
}

pub struct ActivityLine {
    pub who: String,
    pub what: String,
    pub iso: String,
    pub ago: String,
}

#[derive(Template)]
#[template(path = "communities/home.html")]
struct HomePage {
    layout: Layout,
    slug: String,
    name: String,
    description: String,
    /// Sanitized HTML of the guidelines' Markdown (empty if none).
    guidelines_html: String,
    member_count: i64,
    visibility_label: &'static str,
    join_label: &'static str,
    join_policy: String,
    role_label: Option<&'static str>,
    is_member: bool,
    is_owner: bool,
    is_pending: bool,
    can_manage: bool,
    /// The application questions the join form asks (approval communities, non-members).
    join_questions: Vec<QuestionItem>,
    /// The required profile fields the join form asks (non-members).
    join_fields: Vec<crate::html::profiles::AnswerItem>,
    join_note: String,
    join_error: Option<String>,
    spaces: Vec<SpaceCard>,
    topics: Vec<ListedItem>,
    /// Latest, unread, trending, top: the tabs above the topic list.
    tabs: Vec<ListTab>,
    list_name: &'static str,
    empty_list: &'static str,
    unread: Option<townsquare_app::topic_lists::UnreadSummary>,
    featured: Vec<FeaturedItem>,
    unanswered: Vec<crate::html::spaces::TopicItem>,
    can_moderate: bool,
    newcomers_waiting: usize,
    /// Moderators' pulse check: open flags and how long the oldest has waited.
    open_flags: i64,
    oldest_flag_ago: Option<String>,
    open_appeals: i64,
    held_posts: i64,
    /// Why and until when the viewer is muted, suspended or banned here.
    sanction_notice: Option<String>,
    recent: Vec<ActivityLine>,
    /// The member's onboarding checklist, until it is done or they hid it.
    onboarding: Option<crate::html::onboarding::ChecklistCard>,
}

/// A topic of the home's list, with its interactions when the list is a top list.
struct ListedItem {
    topic: crate::html::spaces::TopicItem,
    interactions: Option<i64>,
}

struct ListTab {
    href: String,
    label: &'static str,
    current: bool,
}

#[derive(Deserialize, Default)]
struct HomeQuery {
    #[serde(default)]
    list: String,
    period: Option<String>,
}

/// The tabs of the home's topic list; `Unread` only for members.
fn list_tabs(slug: &str, current: TopicList, is_member: bool) -> Vec<ListTab> {
    let mut lists = vec![(TopicList::Latest, "Latest")];
    if is_member {
        lists.push((TopicList::Unread, "Unread"));
    }
    lists.push((TopicList::Trending, "Trending"));
    for period in TopPeriod::ALL {
        let label = match period {
            TopPeriod::Week => "Top this week",
            TopPeriod::Month => "Top this month",
            TopPeriod::Year => "Top this year",
        };
        lists.push((TopicList::Top(period), label));
    }
    lists
        .into_iter()
        .map(|(list, label)| ListTab {
            href: match list {
                TopicList::Latest => format!("/c/{slug}#conversations-h"),
                TopicList::Top(p) => {
                    format!("/c/{slug}?list=top&period={}#conversations-h", p.as_str())
                }
                other => format!("/c/{slug}?list={}#conversations-h", other.name()),
            },
            label,
            current: list == current,
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HomeQuery>,
) -> Result<Response, HtmlError> {
    let list = TopicList::parse(&q.list, q.period.as_deref())?;
    let view = state.app.community(ctx.actor.as_ref(), &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let recent = if view.role().is_some() {
        let now = state.app.now();
        state
            .app
            .recent_activity(&view, 8)
            .await?
            .into_iter()
            .map(|(a, who)| ActivityLine {
                who,
                what: describe(&a.verb),
                iso: super::format::iso(a.created_at),
                ago: ago(a.created_at, now),
            })
            .collect()
    } else {
        Vec::new()
    };
    let now = state.app.now();
    let is_member = view.role().is_some();
    let list_rows = state
        .app
        .topic_list(ctx.actor.as_ref(), &view, list, 10)
        .await?;
    let unanswered_rows = state.app.unanswered_questions(&view, 5).await?;
    let listed: Vec<_> = list_rows
        .iter()
        .map(|(t, _)| t)
        .chain(&unanswered_rows)
        .cloned()
        .collect();
    let marks = crate::html::spaces::ReadMarks::of(&state, ctx.actor.as_ref(), &listed).await?;
    let item = |t| crate::html::spaces::TopicItem::from_listed(t, now, &marks);
    let topics = list_rows
        .into_iter()
        .map(|(t, interactions)| ListedItem {
            topic: item(t),
            interactions,
        })
        .collect();
    let unanswered = unanswered_rows.into_iter().map(item).collect();
    let unread = match &ctx.actor {
        Some(a) if is_member => Some(state.app.unread_summary(a, &view).await?),
        _ => None,
    };
    let featured = state
        .app
        .featured_posts(&view, 3)
        .await?
        .into_iter()
        .map(|f| FeaturedItem {
            excerpt: townsquare_domain::markdown::excerpt(&f.body_markdown, 160),
            post_id: f.post_id,
            topic_id: f.topic_id,
            topic_title: f.topic_title,
            author_name: f.author_name,
            shout_out: f.shout_out,
        })
        .collect();
    let can_moderate = townsquare_domain::policy::can_moderate(&view.viewer);
    let newcomers_waiting = match (&ctx.actor, can_moderate) {
        (Some(a), true) => state
            .app
            .newcomers(a, &slug)
            .await?
            .2
            .iter()
            .filter(|n| !n.greeted)
            .count(),
        _ => 0,
    };
    let attention = state.app.attention(&view).await?.unwrap_or_default();
    let onboarding = match &ctx.actor {
        // Staff set the checklist up; the card is for the members it is meant for.
        Some(a) if view.role() == Some(townsquare_domain::CommunityRole::Member) => state
            .app
            .onboarding_checklist(a, &slug)
            .await?
            .filter(|c| !c.opted_out && !c.is_complete())
            .map(crate::html::onboarding::ChecklistCard::from),
        _ => None,
    };
    let join = if ctx.actor.is_some() && view.membership.is_none() {
        join_form(&state, &view, &[], &ValidationErrors::new()).await?
    } else {
        JoinForm::default()
    };
    let c = &view.community;
    let layout = Layout::new(&state, &ctx, &c.name)
        .await?
        .in_community(&view, &spaces, None);
    let home = HomePage {
        join_questions: join.questions,
        join_fields: join.fields,
        join_note: join.note,
        join_error: None,
        slug: c.slug.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        guidelines_html: guidelines_html(&c.guidelines),
        member_count: c.member_count,
        visibility_label: if c.visibility == "public" {
            "Public"
        } else {
            "Private"
        },
        join_label: view.join_policy().label(),
        join_policy: c.join_policy.clone(),
        role_label: view.role().map(|r| match r {
            townsquare_domain::CommunityRole::Owner => "an owner",
            townsquare_domain::CommunityRole::Admin => "an admin",
            townsquare_domain::CommunityRole::Moderator => "a moderator",
            townsquare_domain::CommunityRole::Member => "a member",
        }),
        is_member: view.role().is_some(),
        is_owner: view.role() == Some(townsquare_domain::CommunityRole::Owner),
        is_pending: view.is_pending(),
        can_manage: view.can_manage(),
        spaces: spaces
            .iter()
            .map(|s| SpaceCard {
                slug: s.slug.clone(),
                name: s.name.clone(),
                description: s.description.clone(),
                kind_label: SpaceKind::parse(&s.kind)
                    .map(|k| k.label())
                    .unwrap_or("Space"),
                member_count: s.member_count,
            })
            .collect(),
        topics,
        tabs: list_tabs(&c.slug, list, is_member),
        list_name: list.name(),
        empty_list: match list {
            TopicList::Latest => "No conversations yet.",
            TopicList::Unread => "You are all caught up: nothing new since you last read.",
            TopicList::Trending => "Nothing is trending yet.",
            TopicList::Top(_) => {
                "No replies or reactions in this period yet (top lists are counted every hour)."
            }
        },
        unread,
        featured,
        unanswered,
        can_moderate,
        newcomers_waiting,
        sanction_notice: view
            .sanction
            .as_ref()
            .map(|s| townsquare_app::moderation::sanction_message(&view, s)),
        open_flags: attention.open_flags,
        open_appeals: attention.open_appeals,
        held_posts: attention.held_posts,
        oldest_flag_ago: attention.oldest_flag_at.map(|t| ago(t, now)),
        recent,
        onboarding,
        layout,
    };
    let had_flash = ctx.flash.is_some();
    Ok(page(StatusCode::OK, &home, had_flash))
}

/// Activity verbs in words, for the community home's recent activity.
pub(crate) fn describe(verb: &str) -> String {
    match verb {
        "joined" => "joined the community",
        "community_created" => "created the community",
        "space_created" => "created a space",
        "space_joined" => "joined a space",
        "visited" => "dropped by",
        "role_changed" => "changed a member's role",
        "tier_started" => "gave a member a membership tier",
        "tier_renewed" => "renewed a member's membership tier",
        "tier_changed" => "changed a member's membership tier",
        "tier_ended" => "ended a member's membership tier",
        "tier_expired" => "saw a membership tier expire",
        "tier_change_requested" => "asked for another membership tier",
        "join_approved" => "approved a request to join",
        "join_declined" => "declined a request to join",
        "tier_change_scheduled" => "scheduled a change of a member's membership tier",
        "tier_change_cancelled" => "cancelled a scheduled membership tier change",
        "community_updated" => "updated the settings",
        "join_requested" => "asked to join",
        "topic_created" => "started a topic",
        "post_created" => "replied to a topic",
        "post_edited" => "edited a post",
        "reaction_added" => "reacted to a post",
        "answer_accepted" => "accepted an answer",
        "topic_pinned" => "pinned a topic",
        "topic_locked" => "locked a topic",
        "left" => "left the community",
        "guidelines_accepted" => "accepted the guidelines",
        "reaction_removed" => "took back a reaction",
        "post_deleted" => "deleted a post",
        "flag_raised" => "flagged something",
        "appeal_made" => "appealed a moderation decision",
        "event_registered" => "registered for an event",
        "event_waitlisted" => "joined an event's waitlist",
        "event_cancelled" => "cancelled a registration",
        "event_checked_in" => "was checked in at an event",
        "event_question_asked" => "asked a question at an event",
        "event_question_upvoted" => "upvoted an event question",
        "event_poll_voted" => "voted in an event poll",
        "event_recording_viewed" => "watched an event recording",
        "event_feedback_given" => "rated an event",
        "profile_answers_updated" => "updated their profile answers",
        "onboarding_opted_out" => "hid the onboarding checklist",
        other => other,
    }
    .to_string()
}

async fn settings_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = state.app.managed_community(actor, &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let c = &view.community;
    let input = FormValues {
        name: c.name.clone(),
        slug: c.slug.clone(),
        description: c.description.clone(),
        guidelines: c.guidelines.clone(),
        visibility: c.visibility.clone(),
        join_policy: c.join_policy.clone(),
        accent_color: c.accent_color.clone(),
        time_zone: c.time_zone.clone(),
    };
    let departed_posts = state
        .app
        .departed_posts(ctx.actor()?, &slug)
        .await?
        .as_str();
    let layout = Layout::new(&state, &ctx, "Community settings")
        .await?
        .in_community(&view, &spaces, None);
    Ok(page(
        StatusCode::OK,
        &FormPage {
            layout,
            input,
            errors: ValidationErrors::new(),
            editing: true,
            action: format!("/c/{slug}/settings"),
            departed_posts,
        },
        false,
    ))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<FormValues>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state
        .app
        .update_community(actor, &slug, &(&form).into())
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}"),
            "Settings saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let view = state.app.managed_community(actor, &slug).await?;
            let spaces = state.app.visible_spaces(&view).await?;
            let departed_posts = state.app.departed_posts(actor, &slug).await?.as_str();
            let layout = Layout::new(&state, &ctx, "Community settings")
                .await?
                .in_community(&view, &spaces, None);
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    layout,
                    input: form,
                    errors,
                    editing: true,
                    action: format!("/c/{slug}/settings"),
                    departed_posts,
                },
                false,
            ))
        }
    }
}

#[derive(Deserialize)]
struct DepartedPostsForm {
    #[serde(default)]
    departed_posts: String,
}

/// Admins choose what happens to a deleted account's posts.
async fn set_departed_posts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<DepartedPostsForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let saved = state
        .app
        .set_departed_posts(actor, &slug, &form.departed_posts)
        .await?;
    let message = match saved {
        townsquare_app::account_deletion::DepartedPosts::Keep => {
            "Posts of deleted accounts are kept, shown as by “Deleted member”."
        }
        townsquare_app::account_deletion::DepartedPosts::Remove => {
            "Posts of deleted accounts are removed."
        }
    };
    Ok(redirect_with_flash(&format!("/c/{slug}/settings"), message))
}

/// A community's guidelines as sanitized HTML (empty if it has none).
pub(crate) fn guidelines_html(guidelines: &str) -> String {
    if guidelines.trim().is_empty() {
        String::new()
    } else {
        townsquare_domain::markdown::render(guidelines)
    }
}

/// An application question as the join form shows it.
pub struct QuestionItem {
    pub id: String,
    pub prompt: String,
    pub help: String,
    pub required: bool,
    pub value: String,
    pub error: Option<String>,
}

/// What a join form asks, filled with what was typed after a refused join.
#[derive(Default)]
struct JoinForm {
    questions: Vec<QuestionItem>,
    fields: Vec<crate::html::profiles::AnswerItem>,
    note: String,
}

/// The join form of a community: its application questions (approval communities) and its
/// required profile fields, with `pairs` (the submitted form) and `errors` filled in.
async fn join_form(
    state: &AppState,
    view: &townsquare_app::communities::CommunityView,
    pairs: &[(String, String)],
    errors: &ValidationErrors,
) -> Result<JoinForm, HtmlError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let questions = if view.join_policy() == townsquare_domain::JoinPolicy::Approval {
        state
            .app
            .application_questions_of(view)
            .await?
            .into_iter()
            .map(|q| QuestionItem {
                value: value(&format!("answer_{}", q.id)),
                error: errors
                    .for_field(&format!("answers.{}", q.id))
                    .map(str::to_string),
                id: q.id,
                prompt: q.prompt,
                help: q.help,
                required: q.required,
            })
            .collect()
    } else {
        Vec::new()
    };
    let fields = state.app.joining_fields(&view.community.id).await?;
    let given = crate::html::profiles::given_answers(pairs);
    Ok(JoinForm {
        questions,
        fields: crate::html::profiles::joining_items(fields, &given, errors),
        note: value("note"),
    })
}

#[derive(Template)]
#[template(path = "communities/join.html")]
struct JoinPage {
    layout: Layout,
    slug: String,
    name: String,
    description: String,
    guidelines_html: String,
    join_policy: String,
    join_questions: Vec<QuestionItem>,
    join_fields: Vec<crate::html::profiles::AnswerItem>,
    join_note: String,
    join_error: Option<String>,
}

/// The join form on a page of its own (where a refused join comes back with its errors).
async fn join_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    pairs: &[(String, String)],
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = state.app.community(ctx.actor.as_ref(), slug).await?;
    if view.membership.is_some() {
        return Ok(axum::response::Redirect::to(&format!("/c/{slug}")).into_response());
    }
    let form = join_form(state, &view, pairs, &errors).await?;
    let approval = view.join_policy() == townsquare_domain::JoinPolicy::Approval;
    // Errors without a place on the form (the guidelines' checkbox, the note) are said at the top.
    let placed = |f: &str| f.starts_with("answers.") || f.starts_with("fields.");
    let unplaced: Vec<&str> = errors
        .0
        .iter()
        .filter(|e| !placed(&e.field))
        .map(|e| e.message.as_str())
        .collect();
    let join_error = (!errors.is_empty()).then(|| {
        let lead = if approval {
            "Your request was not sent."
        } else {
            "You have not joined yet."
        };
        let rest = if unplaced.is_empty() {
            "Please correct the highlighted answers.".to_string()
        } else {
            unplaced.join(" ")
        };
        format!("{lead} {rest}")
    });
    let c = &view.community;
    let layout = Layout::new(state, ctx, &format!("Join {}", c.name)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = JoinPage {
        layout,
        slug: c.slug.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        guidelines_html: guidelines_html(&c.guidelines),
        join_policy: c.join_policy.clone(),
        join_questions: form.questions,
        join_fields: form.fields,
        join_note: form.note,
        join_error,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn join_form_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    join_page(&state, &ctx, &slug, &[], ValidationErrors::new()).await
}

async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    // Answers to the application questions arrive as `answer_<question id>`, to the profile
    // fields as `f.<field id>` (repeated for a multi select).
    let answers: std::collections::HashMap<String, String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("answer_")
                .map(|id| (id.to_string(), v.clone()))
        })
        .collect();
    let fields = crate::html::profiles::given_answers(&pairs);
    let outcome = state
        .app
        .join_community_answering(
            actor,
            &slug,
            &value("note").unwrap_or_default(),
            value("accept_guidelines").is_some(),
            &answers,
            &fields,
        )
        .await;
    let outcome = match outcome {
        Err(e @ townsquare_app::AppError::Invalid(_)) => {
            let errors = form_errors(e)?;
            return join_page(&state, &ctx, &slug, &pairs, errors).await;
        }
        other => other?,
    };
    let message = match outcome {
        JoinOutcome::Joined => "Welcome! You are now a member.",
        JoinOutcome::AlreadyMember => "You are already a member.",
        JoinOutcome::Requested => "Your request is sent. An admin will review it.",
    };
    Ok(redirect_with_flash(&format!("/c/{slug}"), message))
}

#[derive(Deserialize)]
struct Empty {}

async fn leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state.app.leave_community(actor, &slug).await?;
    Ok(redirect_with_flash("/", "You left the community."))
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state
        .app
        .set_member_role(actor, &slug, &user_id, &form.role)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/members"),
        "Role updated.",
    ))
}

#[derive(Deserialize)]
struct DecisionForm {
    /// For the applicant, by e-mail and in their notifications (optional).
    #[serde(default)]
    message: String,
}

async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, HtmlError> {
    decide(state, ctx, slug, user_id, true, form.message).await
}

async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, HtmlError> {
    decide(state, ctx, slug, user_id, false, form.message).await
}

async fn decide(
    state: AppState,
    ctx: Ctx,
    slug: String,
    user_id: String,
    approve: bool,
    message: String,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state
        .app
        .decide_join_request_with_message(actor, &slug, &user_id, approve, &message)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/members"),
        if approve {
            "Request approved."
        } else {
            "Request declined."
        },
    ))
}
