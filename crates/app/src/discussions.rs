//! Discussions: topics, replies, edits with history, reactions, questions with accepted
//! answers, moderators' pin and lock, and search.

use crate::auto_moderation::PostKind;
use crate::communities::CommunityView;
use crate::spaces::{kind_of, SpaceView};
use crate::{activity, notifications, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::discussions::{parse_tags, reaction_emoji};
use townsquare_domain::values::required_text;
use townsquare_domain::{markdown, new_id, policy, SpaceKind, ValidationErrors};
use townsquare_store::discussions::{
    self as store, ListedTopic, PostRow, ReactionTally, RevisionRow, ShownPost, TopicRow,
};
use townsquare_store::search;

const MAX_TITLE: usize = 140;
const MAX_BODY: usize = 50_000;
pub const POSTS_PER_PAGE: i64 = 50;

#[derive(Debug, Clone, Default)]
pub struct TopicInput {
    pub title: String,
    pub body: String,
    pub tags: String,
    pub is_question: bool,
}

/// A new topic that passed its checks, ready to be written (see `App::prepare_topic`).
pub(crate) struct PreparedTopic {
    space: SpaceView,
    screening: crate::auto_moderation::Screening,
    title: String,
    body: String,
    tags: Vec<String>,
    is_question: bool,
}

/// A topic as one reader sees it: the topic, where it lives, and what the reader may do.
#[derive(Debug, Clone)]
pub struct TopicView {
    pub space: SpaceView,
    pub topic: TopicRow,
    pub can_reply: bool,
    pub can_moderate: bool,
    pub can_accept: bool,
}

/// One page of a topic's posts, with reaction tallies.
#[derive(Debug, Clone)]
pub struct TopicPage {
    pub view: TopicView,
    pub posts: Vec<ShownPost>,
    pub reactions: Vec<ReactionTally>,
    /// Whether more posts follow the last one shown.
    pub more: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicAction {
    Pin,
    Unpin,
    Lock,
    Unlock,
}

impl TopicAction {
    pub fn parse(s: &str) -> Result<TopicAction, String> {
        match s {
            "pin" => Ok(TopicAction::Pin),
            "unpin" => Ok(TopicAction::Unpin),
            "lock" => Ok(TopicAction::Lock),
            "unlock" => Ok(TopicAction::Unlock),
            other => Err(format!(
                "\"{other}\" is not one of: pin, unpin, lock, unlock."
            )),
        }
    }

    fn verb(self) -> &'static str {
        match self {
            TopicAction::Pin => "topic_pinned",
            TopicAction::Unpin => "topic_unpinned",
            TopicAction::Lock => "topic_locked",
            TopicAction::Unlock => "topic_unlocked",
        }
    }
}

pub(crate) fn check_body(body: &str) -> Result<String, String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Err("Write something first.".into());
    }
    let n = trimmed.chars().count();
    if n > MAX_BODY {
        return Err(format!(
            "A post can have at most {MAX_BODY} characters (this one has {n})."
        ));
    }
    Ok(trimmed.to_string())
}

fn is_member(view: &CommunityView) -> bool {
    view.role().is_some()
}

impl App {
    /// Loads a topic for a reader; hidden topics (private space, deleted) are not found.
    pub async fn topic(&self, actor: Option<&Actor>, topic_id: &str) -> AppResult<TopicView> {
        let topic = store::topic_by_id(self.db(), topic_id)
            .await?
            .filter(|t| t.deleted_at.is_none())
            .ok_or(AppError::NotFound("topic"))?;
        let community = self
            .community_by_id(actor, &topic.community_id)
            .await
            .map_err(|_| AppError::NotFound("topic"))?;
        let space = townsquare_store::spaces::space_by_id(self.db(), &topic.space_id)
            .await?
            .ok_or(AppError::NotFound("topic"))?;
        let space = self
            .space(actor, &community.community.slug, &space.slug)
            .await
            .map_err(|_| AppError::NotFound("topic"))?;
        let member = is_member(&space.community);
        let can_moderate = policy::can_moderate(&space.community.viewer);
        let is_author = actor.is_some_and(|a| a.user_id == topic.author_id);
        // A topic held for approval exists only for its author and the moderators.
        if topic.held_at.is_some() && !is_author && !can_moderate {
            return Err(AppError::NotFound("topic"));
        }
        Ok(TopicView {
            can_reply: member
                && space.community.sanction.is_none()
                && (!topic.locked || can_moderate),
            can_accept: topic.is_question && member && (is_author || can_moderate),
            can_moderate,
            space,
            topic,
        })
    }

    /// A page of a topic's posts after the cursor `(created_at, id)`.
    pub async fn topic_page(
        &self,
        actor: Option<&Actor>,
        topic_id: &str,
        after: Option<(i64, &str)>,
    ) -> AppResult<TopicPage> {
        let view = self.topic(actor, topic_id).await?;
        if let Some(a) = actor {
            self.mark_topic_read(a, topic_id, view.topic.reply_count)
                .await?;
        }
        let mut posts =
            store::posts_of_topic(self.db(), topic_id, after, POSTS_PER_PAGE + 1).await?;
        let more = posts.len() as i64 > POSTS_PER_PAGE;
        posts.truncate(POSTS_PER_PAGE as usize);
        let viewer_id = actor.map(|a| a.user_id.as_str()).unwrap_or("");
        // A held post is there only for its author and moderators.
        posts.retain(|p| {
            p.post.held_at.is_none() || view.can_moderate || p.post.author_id == viewer_id
        });
        // A hidden post stays readable for its author and moderators; others see it is hidden.
        for shown in posts.iter_mut() {
            let p = &mut shown.post;
            if p.hidden_at.is_some() && !view.can_moderate && p.author_id != viewer_id {
                p.body_html.clear();
                p.body_markdown.clear();
            }
        }
        let reactions = store::reaction_tallies(self.db(), topic_id, viewer_id).await?;
        Ok(TopicPage {
            view,
            posts,
            reactions,
            more,
        })
    }

    /// The topics of a discussion space, pinned first, then by latest activity.
    pub async fn topics(
        &self,
        space: &SpaceView,
        before: Option<(bool, i64, &str)>,
        limit: i64,
    ) -> AppResult<Vec<ListedTopic>> {
        Ok(store::list_topics(self.db(), &space.space.id, before, limit.clamp(1, 100)).await?)
    }

    /// The latest topics across the spaces of a community the viewer can see.
    pub async fn latest_topics(
        &self,
        view: &CommunityView,
        limit: i64,
    ) -> AppResult<Vec<ListedTopic>> {
        let spaces: Vec<String> = self
            .visible_spaces(view)
            .await?
            .into_iter()
            .filter(|s| kind_of(s) == SpaceKind::Discussion)
            .map(|s| s.id)
            .collect();
        Ok(
            store::latest_in_spaces(self.db(), &view.community.id, &spaces, limit.clamp(1, 100))
                .await?,
        )
    }

    pub async fn create_topic(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
        input: &TopicInput,
    ) -> AppResult<TopicRow> {
        let prepared = self
            .prepare_topic(actor, community_slug, space_slug, input)
            .await?;
        let mut tx = self.db().begin().await?;
        let topic = self.write_prepared_topic(&mut tx, actor, prepared).await?;
        self.commit(tx).await?;
        Ok(topic)
    }

    /// Checks a new topic (where, who, what, and the community's automatic rules) before
    /// any write, so that other use cases can start a topic inside their own transaction
    /// (an event's recap, an AMA's archive) under the same rules.
    pub(crate) async fn prepare_topic(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
        input: &TopicInput,
    ) -> AppResult<PreparedTopic> {
        let space = self.space(Some(actor), community_slug, space_slug).await?;
        if kind_of(&space.space) != SpaceKind::Discussion {
            return Err(AppError::invalid(
                "space",
                "Topics live in discussion spaces; this space is of another kind.",
            ));
        }
        crate::moderation::ensure_can_post(&space.community)?;
        if !is_member(&space.community) {
            return Err(AppError::Forbidden(
                "Join the community to start a topic.".into(),
            ));
        }
        let (title, body, tags) = validate_topic(&input.title, &input.body, &input.tags)?;
        let screening = self
            .screen_post(
                &space.community,
                actor,
                PostKind::Topic,
                &format!("{title}\n{body}"),
                &body,
            )
            .await?;
        Ok(PreparedTopic {
            space,
            screening,
            title,
            body,
            tags,
            is_question: input.is_question,
        })
    }

    /// Writes a prepared topic in the caller's transaction. A topic the rules hold for
    /// approval comes back with `held_at` set.
    pub(crate) async fn write_prepared_topic(
        &self,
        tx: &mut townsquare_store::Tx,
        actor: &Actor,
        prepared: PreparedTopic,
    ) -> AppResult<TopicRow> {
        let PreparedTopic {
            space,
            screening,
            title,
            body,
            tags,
            is_question,
        } = prepared;
        let now = self.now();
        let (topic, post, mentioned) = self
            .insert_topic_rows(
                tx,
                &space.space,
                &actor.user_id,
                title,
                body,
                tags,
                is_question,
                now,
            )
            .await?;
        let post = self
            .apply_screening(tx, &screening, actor, post, false, now)
            .await?;
        if post.held_at.is_none() {
            self.announce_topic(tx, &space.space, &topic, &post, &mentioned, now)
                .await?;
        }
        Ok(TopicRow {
            held_at: post.held_at,
            ..topic
        })
    }

    /// Replies to a topic, optionally to one post of it (shown as a quote with a link back).
    pub async fn reply(
        &self,
        actor: &Actor,
        topic_id: &str,
        body: &str,
        reply_to: Option<&str>,
    ) -> AppResult<PostRow> {
        let view = self.topic(Some(actor), topic_id).await?;
        crate::moderation::ensure_can_post(&view.space.community)?;
        if !view.can_reply {
            let why = if is_member(&view.space.community) {
                "This topic is locked: no new replies."
            } else {
                "Join the community to reply."
            };
            return Err(AppError::Forbidden(why.into()));
        }
        let body = check_body(body).map_err(|m| AppError::invalid("body", m))?;
        let screening = self
            .screen_post(&view.space.community, actor, PostKind::Reply, &body, &body)
            .await?;
        let mut tx = self.db().begin().await?;
        let parent = match reply_to.filter(|r| !r.is_empty()) {
            Some(id) => Some(
                store::post_by_id(&mut tx, id)
                    .await?
                    .filter(|p| {
                        p.topic_id == topic_id
                            && p.deleted_at.is_none()
                            && (p.held_at.is_none()
                                || view.can_moderate
                                || p.author_id == actor.user_id)
                    })
                    .ok_or_else(|| {
                        AppError::invalid("reply_to", "The post you reply to is not in this topic.")
                    })?,
            ),
            None => None,
        };
        let now = self.now();
        let (body_html, mentioned) = self.render_post(&mut tx, &body).await?;
        let post = PostRow {
            id: new_id(),
            topic_id: topic_id.to_string(),
            community_id: view.topic.community_id.clone(),
            space_id: view.topic.space_id.clone(),
            author_id: actor.user_id.clone(),
            reply_to_id: parent.as_ref().map(|p| p.id.clone()),
            is_first: false,
            body_html,
            body_markdown: body,
            reaction_count: 0,
            created_at: now,
            edited_at: None,
            deleted_at: None,
            hidden_at: None,
            held_at: None,
        };
        store::insert_post(&mut tx, &post).await?;
        let post = self
            .apply_screening(&mut tx, &screening, actor, post, false, now)
            .await?;
        if post.held_at.is_none() {
            self.announce_reply(
                &mut tx,
                &view.topic,
                &post,
                parent.as_ref(),
                &mentioned,
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(post)
    }

    /// Counts a published reply in its topic, indexes it, and tells whoever should hear of it
    /// (the post answered, the topic's author and followers, the members mentioned). Run when
    /// a reply is written, or when a moderator approves a held one.
    pub(crate) async fn announce_reply(
        &self,
        tx: &mut townsquare_store::Tx,
        topic: &TopicRow,
        post: &PostRow,
        parent: Option<&PostRow>,
        mentioned: &[townsquare_store::accounts::UserRow],
        now: i64,
    ) -> AppResult<()> {
        let topic_id = topic.id.as_str();
        let author_id = post.author_id.as_str();
        store::bump_topic(tx, topic_id, author_id, now, 1).await?;
        search::index_post(
            tx,
            &post.id,
            &topic.title,
            &markdown::plain_text(&post.body_markdown),
        )
        .await?;
        let detail = json!({"topic_id": topic_id, "reply_to": post.reply_to_id, "topic_author_id": topic.author_id});
        activity::record(
            &mut *tx,
            Some(&post.community_id),
            Some(author_id),
            "post_created",
            "post",
            &post.id,
            detail,
            now,
        )
        .await?;
        let excerpt = markdown::excerpt(&post.body_markdown, 140);
        // Who hears about the reply: the author of the post answered, the topic's author and
        // its followers; never the replier, and nobody who muted the topic.
        // Muting the space mutes its topics, except those the member follows one by one.
        let subscribers = townsquare_store::reading::subscribers(&mut *tx, topic_id).await?;
        let space_muted =
            townsquare_store::topic_lists::space_subscribers(&mut *tx, &topic.space_id)
                .await?
                .into_iter()
                .filter(|(u, level)| {
                    level == "muted" && !subscribers.iter().any(|(s, l)| s == u && l == "following")
                })
                .map(|(u, _)| u);
        let muted: Vec<String> = subscribers
            .iter()
            .filter(|(_, level)| level == "muted")
            .map(|(u, _)| u.clone())
            .chain(space_muted)
            .collect();
        let followers = subscribers
            .iter()
            .filter(|(_, level)| level == "following")
            .map(|(u, _)| u.clone());
        let mut told = vec![author_id.to_string()];
        for recipient in [
            parent.map(|p| p.author_id.clone()),
            Some(topic.author_id.clone()),
        ]
        .into_iter()
        .flatten()
        .chain(followers)
        {
            if !told.contains(&recipient) && !muted.contains(&recipient) {
                self.notify(
                    &mut *tx,
                    notifications::Notice {
                        user_id: &recipient,
                        community_id: &post.community_id,
                        kind: "reply",
                        actor_id: author_id,
                        topic_id: Some(topic_id),
                        post_id: Some(&post.id),
                        excerpt: &excerpt,
                    },
                    now,
                )
                .await?;
                told.push(recipient);
            }
        }
        self.notify_mentions(&mut *tx, mentioned, post, &told, now)
            .await?;
        tx.notify(
            &format!("topic:{topic_id}"),
            &json!({"kind": "post_created", "post_id": post.id}).to_string(),
        )
        .await?;
        Ok(())
    }

    /// A post the actor wrote, or an error saying why they cannot touch it.
    async fn own_post(&self, actor: &Actor, post_id: &str) -> AppResult<(PostRow, TopicView)> {
        let post = store::post_by_id(self.db(), post_id)
            .await?
            .filter(|p| p.deleted_at.is_none())
            .ok_or(AppError::NotFound("post"))?;
        let view = self
            .topic(Some(actor), &post.topic_id)
            .await
            .map_err(|_| AppError::NotFound("post"))?;
        if post.held_at.is_some() && post.author_id != actor.user_id && !view.can_moderate {
            return Err(AppError::NotFound("post"));
        }
        Ok((post, view))
    }

    /// Edits one's own post; the previous text is kept as a revision anyone can see.
    pub async fn edit_post(&self, actor: &Actor, post_id: &str, body: &str) -> AppResult<PostRow> {
        let (post, view) = self.own_post(actor, post_id).await?;
        if post.author_id != actor.user_id {
            return Err(AppError::Forbidden(
                "Only the author can edit a post.".into(),
            ));
        }
        crate::moderation::ensure_can_post(&view.space.community)?;
        let body = check_body(body).map_err(|m| AppError::invalid("body", m))?;
        if body == post.body_markdown {
            return Ok(post);
        }
        let text = if post.is_first {
            format!("{}\n{body}", view.topic.title)
        } else {
            body.clone()
        };
        let screening = self
            .screen_post(&view.space.community, actor, PostKind::Edit, &text, &body)
            .await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let (html, mentioned) = self.render_post(&mut tx, &body).await?;
        // Only members newly mentioned by the edit hear about it.
        let before = markdown::mentions(&post.body_markdown);
        let newly: Vec<_> = mentioned
            .into_iter()
            .filter(|u| !before.contains(&u.handle))
            .collect();
        store::insert_revision(
            &mut tx,
            &new_id(),
            &post.id,
            &actor.user_id,
            &post.body_markdown,
            now,
        )
        .await?;
        store::update_post_body(&mut tx, &post.id, &body, &html, now).await?;
        let edited = PostRow {
            body_markdown: body.clone(),
            body_html: html.clone(),
            edited_at: Some(now),
            ..post.clone()
        };
        let edited = self
            .apply_screening(&mut tx, &screening, actor, edited, true, now)
            .await?;
        if edited.held_at.is_none() {
            search::index_post(
                &mut tx,
                &post.id,
                &view.topic.title,
                &markdown::plain_text(&body),
            )
            .await?;
        }
        activity::record(
            &mut tx,
            Some(&post.community_id),
            Some(&actor.user_id),
            "post_edited",
            "post",
            &post.id,
            json!({"topic_id": post.topic_id}),
            now,
        )
        .await?;
        if edited.held_at.is_none() {
            self.notify_mentions(&mut tx, &newly, &edited, &[], now)
                .await?;
        }
        self.commit(tx).await?;
        Ok(edited)
    }

    /// The earlier versions of a post, oldest first.
    pub async fn post_revisions(
        &self,
        actor: Option<&Actor>,
        post_id: &str,
    ) -> AppResult<(PostRow, Vec<RevisionRow>)> {
        let post = store::post_by_id(self.db(), post_id)
            .await?
            .ok_or(AppError::NotFound("post"))?;
        let view = self
            .topic(actor, &post.topic_id)
            .await
            .map_err(|_| AppError::NotFound("post"))?;
        if post.held_at.is_some()
            && !view.can_moderate
            && actor.is_none_or(|a| a.user_id != post.author_id)
        {
            return Err(AppError::NotFound("post"));
        }
        let revisions = store::revisions_of(self.db(), post_id).await?;
        Ok((post, revisions))
    }

    /// Deletes a post (its author or a moderator). Deleting the first post deletes the topic.
    pub async fn delete_post(&self, actor: &Actor, post_id: &str) -> AppResult<PostRow> {
        let (post, view) = self.own_post(actor, post_id).await?;
        if post.author_id != actor.user_id && !view.can_moderate {
            return Err(AppError::Forbidden(
                "Only the author or a moderator can delete a post.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::delete_post(&mut tx, &post.id, now).await?;
        search::unindex_post(&mut tx, &post.id).await?;
        crate::mail::forget_post(&mut tx, &post.id, now).await?;
        if post.is_first {
            store::delete_topic(&mut tx, &post.topic_id, now).await?;
        } else {
            // A held reply was never counted.
            store::reply_removed(&mut tx, &post.topic_id, post.held_at.is_none()).await?;
            if view.topic.accepted_post_id.as_deref() == Some(post.id.as_str()) {
                store::set_accepted(&mut tx, &post.topic_id, None).await?;
            }
        }
        activity::record(
            &mut tx,
            Some(&post.community_id),
            Some(&actor.user_id),
            "post_deleted",
            "post",
            &post.id,
            json!({"topic_id": post.topic_id, "by_author": post.author_id == actor.user_id}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(post)
    }

    /// Adds (`Some(true)`), removes (`Some(false)`) or toggles (`None`) the actor's reaction;
    /// returns the post and whether the reaction is now given.
    pub async fn react(
        &self,
        actor: &Actor,
        post_id: &str,
        reaction: &str,
        on: Option<bool>,
    ) -> AppResult<(PostRow, bool)> {
        if reaction_emoji(reaction).is_none() {
            return Err(AppError::invalid(
                "reaction",
                format!("\"{reaction}\" is not a reaction we offer."),
            ));
        }
        let (post, view) = self.own_post(actor, post_id).await?;
        crate::moderation::ensure_can_post(&view.space.community)?;
        if !is_member(&view.space.community) {
            return Err(AppError::Forbidden("Join the community to react.".into()));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let removed = on != Some(true)
            && store::remove_reaction(&mut tx, &post, &actor.user_id, reaction).await?;
        let given = if removed {
            activity::record(
                &mut tx,
                Some(&post.community_id),
                Some(&actor.user_id),
                "reaction_removed",
                "post",
                &post.id,
                json!({"reaction": reaction}),
                now,
            )
            .await?;
            false
        } else if on == Some(false) {
            false
        } else {
            if store::add_reaction(&mut tx, &post, &actor.user_id, reaction, now).await? {
                activity::record(
                    &mut tx,
                    Some(&post.community_id),
                    Some(&actor.user_id),
                    "reaction_added",
                    "post",
                    &post.id,
                    json!({"reaction": reaction, "post_author_id": post.author_id}),
                    now,
                )
                .await?;
                if post.author_id != actor.user_id {
                    let excerpt = markdown::excerpt(&post.body_markdown, 100);
                    self.notify(
                        &mut tx,
                        notifications::Notice {
                            user_id: &post.author_id,
                            community_id: &post.community_id,
                            kind: "reaction",
                            actor_id: &actor.user_id,
                            topic_id: Some(&post.topic_id),
                            post_id: Some(&post.id),
                            excerpt: &excerpt,
                        },
                        now,
                    )
                    .await?;
                }
            }
            true
        };
        self.commit(tx).await?;
        Ok((post, given))
    }

    /// Who reacted to a post, as (reaction, user id, name).
    pub async fn reactors(
        &self,
        actor: Option<&Actor>,
        post_id: &str,
    ) -> AppResult<Vec<(String, String, String)>> {
        let post = store::post_by_id(self.db(), post_id)
            .await?
            .ok_or(AppError::NotFound("post"))?;
        self.topic(actor, &post.topic_id)
            .await
            .map_err(|_| AppError::NotFound("post"))?;
        Ok(store::reactors(self.db(), post_id).await?)
    }

    /// Accepts a reply as the answer to a question (the asker or a moderator), or clears it.
    pub async fn accept_answer(
        &self,
        actor: &Actor,
        topic_id: &str,
        post_id: Option<&str>,
    ) -> AppResult<()> {
        let view = self.topic(Some(actor), topic_id).await?;
        if !view.topic.is_question {
            return Err(AppError::invalid(
                "topic",
                "Only questions have accepted answers.",
            ));
        }
        if !view.can_accept {
            return Err(AppError::Forbidden(
                "Only the person who asked, or a moderator, can accept an answer.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let answer = match post_id.filter(|p| !p.is_empty()) {
            Some(id) => Some(
                store::post_by_id(&mut tx, id)
                    .await?
                    .filter(|p| {
                        p.topic_id == topic_id
                            && !p.is_first
                            && p.deleted_at.is_none()
                            && p.held_at.is_none()
                    })
                    .ok_or_else(|| {
                        AppError::invalid("post_id", "Choose a reply in this topic as the answer.")
                    })?,
            ),
            None => None,
        };
        store::set_accepted(&mut tx, topic_id, answer.as_ref().map(|p| p.id.as_str())).await?;
        if let Some(answer) = &answer {
            activity::record(
                &mut tx,
                Some(&answer.community_id),
                Some(&actor.user_id),
                "answer_accepted",
                "post",
                &answer.id,
                json!({"topic_id": topic_id, "answer_author_id": answer.author_id}),
                now,
            )
            .await?;
            if answer.author_id != actor.user_id {
                self.notify(
                    &mut tx,
                    notifications::Notice {
                        user_id: &answer.author_id,
                        community_id: &answer.community_id,
                        kind: "answer_accepted",
                        actor_id: &actor.user_id,
                        topic_id: Some(topic_id),
                        post_id: Some(&answer.id),
                        excerpt: &view.topic.title,
                    },
                    now,
                )
                .await?;
            }
        }
        self.commit(tx).await
    }

    /// Pins, unpins, locks or unlocks a topic (moderators).
    pub async fn moderate_topic(
        &self,
        actor: &Actor,
        topic_id: &str,
        action: TopicAction,
    ) -> AppResult<()> {
        let view = self.topic(Some(actor), topic_id).await?;
        if !view.can_moderate {
            return Err(AppError::Forbidden(
                "Only moderators can pin or lock topics.".into(),
            ));
        }
        let t = &view.topic;
        let (pinned, locked) = match action {
            TopicAction::Pin => (true, t.locked),
            TopicAction::Unpin => (false, t.locked),
            TopicAction::Lock => (t.pinned, true),
            TopicAction::Unlock => (t.pinned, false),
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::set_topic_flags(&mut tx, topic_id, pinned, locked).await?;
        activity::record(
            &mut tx,
            Some(&t.community_id),
            Some(&actor.user_id),
            action.verb(),
            "topic",
            topic_id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Moves a topic to another discussion space of its community (moderators).
    pub async fn move_topic(
        &self,
        actor: &Actor,
        topic_id: &str,
        space_slug: &str,
    ) -> AppResult<TopicRow> {
        let view = self.topic(Some(actor), topic_id).await?;
        if !view.can_moderate {
            return Err(AppError::Forbidden(
                "Only moderators can move topics.".into(),
            ));
        }
        let community_slug = view.space.community.community.slug.clone();
        let target = self
            .space(Some(actor), &community_slug, space_slug.trim())
            .await
            .map_err(|_| {
                AppError::invalid("space", "Choose one of the community's discussion spaces.")
            })?;
        if kind_of(&target.space) != SpaceKind::Discussion {
            return Err(AppError::invalid(
                "space",
                "Topics live in discussion spaces; choose one of those.",
            ));
        }
        if target.space.id == view.topic.space_id {
            return Ok(view.topic);
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::move_topic(&mut tx, topic_id, &target.space.id).await?;
        let detail = json!({"from_space_id": view.topic.space_id, "to_space_id": target.space.id});
        activity::record(
            &mut tx,
            Some(&view.topic.community_id),
            Some(&actor.user_id),
            "topic_moved",
            "topic",
            topic_id,
            detail,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(TopicRow {
            space_id: target.space.id,
            ..view.topic
        })
    }

    /// Merges a topic into another of the same community (moderators): its posts become
    /// replies there, in time order, and the merged topic is gone.
    pub async fn merge_topic(
        &self,
        actor: &Actor,
        topic_id: &str,
        into_topic_id: &str,
    ) -> AppResult<TopicRow> {
        let from = self.topic(Some(actor), topic_id).await?;
        let into_id = into_topic_id
            .trim()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .split('#')
            .next()
            .unwrap_or("");
        let into = self.topic(Some(actor), into_id).await.map_err(|_| {
            AppError::invalid(
                "into",
                "Give the link or id of a topic you can see in this community.",
            )
        })?;
        if !from.can_moderate || !into.can_moderate {
            return Err(AppError::Forbidden(
                "Only moderators can merge topics.".into(),
            ));
        }
        if into.topic.id == from.topic.id {
            return Err(AppError::invalid(
                "into",
                "A topic cannot be merged into itself.",
            ));
        }
        if into.topic.community_id != from.topic.community_id {
            return Err(AppError::invalid(
                "into",
                "Merge only topics of the same community.",
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let moved = store::merge_topics(&mut tx, &from.topic, &into.topic, now).await?;
        for post_id in &moved {
            if let Some(post) = store::post_by_id(&mut tx, post_id)
                .await?
                .filter(|p| p.deleted_at.is_none())
            {
                search::index_post(
                    &mut tx,
                    &post.id,
                    &into.topic.title,
                    &markdown::plain_text(&post.body_markdown),
                )
                .await?;
            }
        }
        let detail = json!({"into_topic_id": into.topic.id, "posts": moved.len(), "title": from.topic.title});
        activity::record(
            &mut tx,
            Some(&from.topic.community_id),
            Some(&actor.user_id),
            "topic_merged",
            "topic",
            &from.topic.id,
            detail,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(into.topic)
    }
}

/// Checks a topic's title and body, all problems at once.
pub(crate) fn validate_topic(
    title: &str,
    body: &str,
    tags: &str,
) -> Result<(String, String, Vec<String>), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let title = e.check("title", required_text(title, "title", MAX_TITLE));
    let body = e.check("body", check_body(body));
    let tags = e.check("tags", parse_tags(tags));
    match (title, body, tags) {
        (Some(t), Some(b), Some(g)) if e.is_empty() => Ok((t, b, g)),
        _ => Err(e),
    }
}

impl App {
    /// Writes a topic with its first post, search document, activity record and realtime notice,
    /// inside `tx`. Shared by members starting topics and by scheduled prompts.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_topic(
        &self,
        tx: &mut townsquare_store::Tx,
        space: &townsquare_store::spaces::SpaceRow,
        author_id: &str,
        title: String,
        body: String,
        tags: Vec<String>,
        is_question: bool,
        now: i64,
    ) -> AppResult<TopicRow> {
        let (topic, post, mentioned) = self
            .insert_topic_rows(tx, space, author_id, title, body, tags, is_question, now)
            .await?;
        self.announce_topic(tx, space, &topic, &post, &mentioned, now)
            .await?;
        Ok(topic)
    }

    /// Writes a topic and its first post, not yet announced anywhere.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_topic_rows(
        &self,
        tx: &mut townsquare_store::Tx,
        space: &townsquare_store::spaces::SpaceRow,
        author_id: &str,
        title: String,
        body: String,
        tags: Vec<String>,
        is_question: bool,
        now: i64,
    ) -> AppResult<(TopicRow, PostRow, Vec<townsquare_store::accounts::UserRow>)> {
        let topic = TopicRow {
            id: new_id(),
            community_id: space.community_id.clone(),
            space_id: space.id.clone(),
            author_id: author_id.to_string(),
            title,
            tags: tags.join(" "),
            is_question,
            accepted_post_id: None,
            pinned: false,
            locked: false,
            reply_count: 0,
            reaction_count: 0,
            last_post_at: now,
            last_poster_id: Some(author_id.to_string()),
            created_at: now,
            deleted_at: None,
            held_at: None,
        };
        let (body_html, mentioned) = self.render_post(tx, &body).await?;
        let post = PostRow {
            id: new_id(),
            topic_id: topic.id.clone(),
            community_id: topic.community_id.clone(),
            space_id: topic.space_id.clone(),
            author_id: author_id.to_string(),
            reply_to_id: None,
            is_first: true,
            body_html,
            body_markdown: body,
            reaction_count: 0,
            created_at: now,
            edited_at: None,
            deleted_at: None,
            hidden_at: None,
            held_at: None,
        };
        store::insert_topic(tx, &topic).await?;
        store::insert_post(tx, &post).await?;
        Ok((topic, post, mentioned))
    }

    /// Indexes a published topic and tells its space's followers and the members its first
    /// post mentions. Run when a topic is written, or when a moderator approves a held one.
    pub(crate) async fn announce_topic(
        &self,
        tx: &mut townsquare_store::Tx,
        space: &townsquare_store::spaces::SpaceRow,
        topic: &TopicRow,
        post: &PostRow,
        mentioned: &[townsquare_store::accounts::UserRow],
        now: i64,
    ) -> AppResult<()> {
        let tags: Vec<&str> = topic.tags.split_whitespace().collect();
        search::index_post(
            tx,
            &post.id,
            &topic.title,
            &markdown::plain_text(&post.body_markdown),
        )
        .await?;
        let detail = json!({"title": topic.title, "space_id": topic.space_id, "question": topic.is_question, "tags": tags});
        activity::record(
            tx,
            Some(&topic.community_id),
            Some(&post.author_id),
            "topic_created",
            "topic",
            &topic.id,
            detail,
            now,
        )
        .await?;
        tx.notify(
            &format!("community:{}", topic.community_id),
            &json!({"kind": "topic_created", "topic_id": topic.id, "space_id": topic.space_id})
                .to_string(),
        )
        .await?;
        let told = self.notify_mentions(tx, mentioned, post, &[], now).await?;
        self.notify_space_followers(tx, space, topic, post, &told, now)
            .await?;
        Ok(())
    }

    /// Tells the members who follow a space about a new topic in it (not its author, not
    /// those already told of it by a mention, and only those who can read the space).
    async fn notify_space_followers(
        &self,
        tx: &mut townsquare_store::Tx,
        space: &townsquare_store::spaces::SpaceRow,
        topic: &TopicRow,
        post: &PostRow,
        already_told: &[String],
        now: i64,
    ) -> AppResult<()> {
        let followers: Vec<String> =
            townsquare_store::topic_lists::space_subscribers(tx, &space.id)
                .await?
                .into_iter()
                .filter(|(user, level)| {
                    level == "following" && *user != post.author_id && !already_told.contains(user)
                })
                .map(|(user, _)| user)
                .collect();
        if followers.is_empty() {
            return Ok(());
        }
        let Some(community) =
            townsquare_store::communities::community_by_id(&mut *tx, &space.community_id).await?
        else {
            return Ok(());
        };
        let excerpt = topic.title.clone();
        for user_id in followers {
            let Some(user) = townsquare_store::accounts::user_by_id(&mut *tx, &user_id).await?
            else {
                continue;
            };
            if !crate::mentions::can_read_space(tx, &user, &community, space, now).await? {
                continue;
            }
            let notice = notifications::Notice {
                user_id: &user.id,
                community_id: &topic.community_id,
                kind: "new_topic",
                actor_id: &post.author_id,
                topic_id: Some(&topic.id),
                post_id: Some(&post.id),
                excerpt: &excerpt,
            };
            self.notify(tx, notice, now).await?;
        }
        Ok(())
    }
}
