//! Reading state: unread replies, following and muting topics, bookmarks.

use crate::communities::CommunityView;
use crate::{Actor, App, AppError, AppResult};
use std::collections::HashMap;
use townsquare_store::discussions::ListedTopic;
use townsquare_store::reading::{self as store, BookmarkRow};

/// How closely a member follows a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicLevel {
    /// Notified of every reply.
    Following,
    /// The default: notified of replies to one's own topic and posts.
    Normal,
    /// Notified of nothing but mentions.
    Muted,
}

impl TopicLevel {
    pub fn parse(s: &str) -> Result<TopicLevel, String> {
        match s {
            "following" => Ok(TopicLevel::Following),
            "normal" => Ok(TopicLevel::Normal),
            "muted" => Ok(TopicLevel::Muted),
            other => Err(format!(
                "\"{other}\" is not one of: following, normal, muted."
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TopicLevel::Following => "following",
            TopicLevel::Normal => "normal",
            TopicLevel::Muted => "muted",
        }
    }
}

impl App {
    /// Replies the member had seen, per topic of a list (topics never opened are absent).
    pub async fn read_marks(
        &self,
        actor: Option<&Actor>,
        topics: &[ListedTopic],
    ) -> AppResult<HashMap<String, i64>> {
        let Some(actor) = actor else {
            return Ok(HashMap::new());
        };
        let ids: Vec<String> = topics.iter().map(|t| t.topic.id.clone()).collect();
        Ok(store::read_marks(self.db(), &actor.user_id, &ids)
            .await?
            .into_iter()
            .collect())
    }

    /// Remembers that the member has now seen the topic as it is.
    pub(crate) async fn mark_topic_read(
        &self,
        actor: &Actor,
        topic_id: &str,
        replies: i64,
    ) -> AppResult<()> {
        // Most views change nothing: read first, so they do not queue for the writer.
        let seen = store::read_marks(self.db(), &actor.user_id, &[topic_id.to_string()]).await?;
        if seen.first().is_some_and(|(_, n)| *n == replies) {
            return Ok(());
        }
        let mut tx = self.db().begin().await?;
        store::mark_read(&mut tx, &actor.user_id, topic_id, replies, self.now()).await?;
        self.commit(tx).await
    }

    pub async fn topic_level(&self, actor: &Actor, topic_id: &str) -> AppResult<TopicLevel> {
        let level = store::subscription(self.db(), &actor.user_id, topic_id).await?;
        Ok(level
            .as_deref()
            .and_then(|l| TopicLevel::parse(l).ok())
            .unwrap_or(TopicLevel::Normal))
    }

    /// Follows, mutes or goes back to normal for a topic (members of its community).
    pub async fn set_topic_level(
        &self,
        actor: &Actor,
        topic_id: &str,
        level: TopicLevel,
    ) -> AppResult<()> {
        let view = self.topic(Some(actor), topic_id).await?;
        if view.space.community.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to follow its topics.".into(),
            ));
        }
        let stored = match level {
            TopicLevel::Normal => None,
            other => Some(other.as_str()),
        };
        let mut tx = self.db().begin().await?;
        store::set_subscription(&mut tx, &actor.user_id, topic_id, stored, self.now()).await?;
        self.commit(tx).await
    }

    /// Bookmarks (`true`) or un-bookmarks a post the member can read.
    pub async fn set_bookmark(&self, actor: &Actor, post_id: &str, on: bool) -> AppResult<()> {
        let post = townsquare_store::discussions::post_by_id(self.db(), post_id)
            .await?
            .filter(|p| p.deleted_at.is_none())
            .ok_or(AppError::NotFound("post"))?;
        self.topic(Some(actor), &post.topic_id)
            .await
            .map_err(|_| AppError::NotFound("post"))?;
        let mut tx = self.db().begin().await?;
        if on {
            store::add_bookmark(&mut tx, &actor.user_id, post_id, self.now()).await?;
        } else {
            store::remove_bookmark(&mut tx, &actor.user_id, post_id).await?;
        }
        self.commit(tx).await
    }

    /// Toggles a bookmark; returns whether the post is now bookmarked.
    pub async fn toggle_bookmark(
        &self,
        actor: &Actor,
        post_id: &str,
        topic_id: &str,
    ) -> AppResult<bool> {
        let marked = store::bookmarked_in_topic(self.db(), &actor.user_id, topic_id)
            .await?
            .iter()
            .any(|p| p == post_id);
        self.set_bookmark(actor, post_id, !marked).await?;
        Ok(!marked)
    }

    pub async fn bookmarked_in_topic(
        &self,
        actor: Option<&Actor>,
        topic_id: &str,
    ) -> AppResult<Vec<String>> {
        match actor {
            Some(a) => Ok(store::bookmarked_in_topic(self.db(), &a.user_id, topic_id).await?),
            None => Ok(Vec::new()),
        }
    }

    /// The member's bookmarks that they can still read, newest first.
    pub async fn bookmarks(&self, actor: &Actor) -> AppResult<Vec<BookmarkRow>> {
        let rows = store::bookmarks_of(self.db(), &actor.user_id, 200).await?;
        // Access may have changed since bookmarking: check once per community and space.
        let mut readable: HashMap<String, Option<Vec<String>>> = HashMap::new();
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows {
            if !readable.contains_key(&row.community_id) {
                let spaces = match self.community_by_id(Some(actor), &row.community_id).await {
                    Ok(view) => Some(self.readable_space_ids(&view).await?),
                    Err(_) => None,
                };
                readable.insert(row.community_id.clone(), spaces);
            }
            if readable[&row.community_id]
                .as_ref()
                .is_some_and(|s| s.contains(&row.space_id))
            {
                kept.push(row);
            }
        }
        Ok(kept)
    }

    async fn readable_space_ids(&self, view: &CommunityView) -> AppResult<Vec<String>> {
        Ok(self
            .visible_spaces(view)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect())
    }
}
