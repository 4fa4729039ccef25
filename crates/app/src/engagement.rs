//! What community managers do to keep conversations going: feature members' posts, schedule
//! discussion prompts, and welcome newcomers in the introductions space.

use crate::clock::{MICROS_PER_DAY, MICROS_PER_MINUTE};
use crate::communities::CommunityView;
use crate::discussions::validate_topic;
use crate::spaces::kind_of;
use crate::{activity, notifications, Actor, App, AppError, AppResult};
use serde_json::{json, Value};
use townsquare_domain::values::optional_text;
use townsquare_domain::{new_id, policy, SpaceKind};
use townsquare_store::discussions::ListedTopic;
use townsquare_store::engagement::{self as store, FeaturedPost, NewcomerRow, PromptRow};
use townsquare_store::Tx;

/// Posts a scheduled prompt as a topic when it is due.
pub const POST_PROMPT: &str = "discussions.post_prompt";

/// How far back the "to welcome" list looks.
pub const WELCOME_WINDOW: i64 = 7 * MICROS_PER_DAY;

#[derive(Debug, Clone, Default)]
pub struct PromptInput {
    pub space: String,
    pub title: String,
    pub body: String,
    /// When to post it, microseconds since the epoch (UTC).
    pub run_at: Option<i64>,
}

impl App {
    async fn discussion_spaces_visible(&self, view: &CommunityView) -> AppResult<Vec<String>> {
        Ok(self
            .visible_spaces(view)
            .await?
            .into_iter()
            .filter(|s| kind_of(s) == SpaceKind::Discussion)
            .map(|s| s.id)
            .collect())
    }

    /// Features a post on the community home with a shout-out line (moderators).
    pub async fn feature_post(
        &self,
        actor: &Actor,
        post_id: &str,
        shout_out: &str,
    ) -> AppResult<()> {
        let post = townsquare_store::discussions::post_by_id(self.db(), post_id)
            .await?
            .filter(|p| p.deleted_at.is_none())
            .ok_or(AppError::NotFound("post"))?;
        let view = self
            .topic(Some(actor), &post.topic_id)
            .await
            .map_err(|_| AppError::NotFound("post"))?;
        if !view.can_moderate {
            return Err(AppError::Forbidden(
                "Only moderators can feature posts.".into(),
            ));
        }
        let shout_out = optional_text(shout_out, "shout-out", 200)
            .map_err(|m| AppError::invalid("shout_out", m))?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::feature_post(
            &mut tx,
            &post.id,
            &post.community_id,
            &actor.user_id,
            &shout_out,
            now,
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&post.community_id),
            Some(&actor.user_id),
            "post_featured",
            "post",
            &post.id,
            json!({"post_author_id": post.author_id}),
            now,
        )
        .await?;
        if post.author_id != actor.user_id {
            let line = if shout_out.is_empty() {
                view.topic.title.clone()
            } else {
                shout_out.clone()
            };
            self.notify(
                &mut tx,
                notifications::Notice {
                    user_id: &post.author_id,
                    community_id: &post.community_id,
                    kind: "featured",
                    actor_id: &actor.user_id,
                    topic_id: Some(&post.topic_id),
                    post_id: Some(&post.id),
                    excerpt: &line,
                },
                now,
            )
            .await?;
        }
        self.commit(tx).await
    }

    pub async fn unfeature_post(&self, actor: &Actor, post_id: &str) -> AppResult<()> {
        let post = townsquare_store::discussions::post_by_id(self.db(), post_id)
            .await?
            .ok_or(AppError::NotFound("post"))?;
        let view = self
            .topic(Some(actor), &post.topic_id)
            .await
            .map_err(|_| AppError::NotFound("post"))?;
        if !view.can_moderate {
            return Err(AppError::Forbidden(
                "Only moderators can feature posts.".into(),
            ));
        }
        let mut tx = self.db().begin().await?;
        if store::unfeature_post(&mut tx, post_id).await? {
            activity::record(
                &mut tx,
                Some(&post.community_id),
                Some(&actor.user_id),
                "post_unfeatured",
                "post",
                post_id,
                json!({}),
                self.now(),
            )
            .await?;
        }
        self.commit(tx).await
    }

    /// Featured posts the viewer may read, newest first.
    pub async fn featured_posts(
        &self,
        view: &CommunityView,
        limit: i64,
    ) -> AppResult<Vec<FeaturedPost>> {
        let spaces = self.discussion_spaces_visible(view).await?;
        Ok(store::featured(self.db(), &view.community.id, &spaces, limit.clamp(1, 50)).await?)
    }

    /// The featured posts of one topic, as (post id, shout-out).
    pub async fn featured_in_topic(&self, topic_id: &str) -> AppResult<Vec<(String, String)>> {
        Ok(store::featured_among(self.db(), topic_id).await?)
    }

    /// Questions without any reply yet, waiting longest first.
    pub async fn unanswered_questions(
        &self,
        view: &CommunityView,
        limit: i64,
    ) -> AppResult<Vec<ListedTopic>> {
        let spaces = self.discussion_spaces_visible(view).await?;
        Ok(store::unanswered(self.db(), &view.community.id, &spaces, limit.clamp(1, 50)).await?)
    }

    /// Schedules a discussion prompt (admins); the job queue posts it at `run_at`.
    pub async fn schedule_prompt(
        &self,
        actor: &Actor,
        community_slug: &str,
        input: &PromptInput,
    ) -> AppResult<PromptRow> {
        let view = self.managed_community(actor, community_slug).await?;
        let space = self
            .space(Some(actor), community_slug, input.space.trim())
            .await
            .map_err(|_| {
                AppError::invalid("space", "Choose one of the community's discussion spaces.")
            })?;
        let mut errors = match validate_topic(&input.title, &input.body, "") {
            Ok(_) => townsquare_domain::ValidationErrors::new(),
            Err(e) => e,
        };
        if kind_of(&space.space) != SpaceKind::Discussion {
            errors.add("space", "Prompts are posted in discussion spaces.");
        }
        let now = self.now();
        match input.run_at {
            None => errors.add("run_at", "Choose when to post it."),
            Some(t) if t < now + MICROS_PER_MINUTE => {
                errors.add("run_at", "Choose a time at least a minute from now.")
            }
            Some(t) if t > now + 400 * MICROS_PER_DAY => {
                errors.add("run_at", "Schedule at most 400 days ahead.")
            }
            Some(_) => {}
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let run_at = input.run_at.expect("checked above");
        let prompt = PromptRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            space_id: space.space.id.clone(),
            author_id: actor.user_id.clone(),
            title: input.title.trim().to_string(),
            body: input.body.trim().to_string(),
            run_at,
            status: "scheduled".into(),
            topic_id: None,
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_prompt(&mut tx, &prompt).await?;
        self.enqueue_job_in(
            &mut tx,
            POST_PROMPT,
            &json!({"prompt_id": prompt.id}),
            run_at,
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&prompt.community_id),
            Some(&actor.user_id),
            "prompt_scheduled",
            "prompt",
            &prompt.id,
            json!({"run_at": run_at, "space_id": prompt.space_id}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(prompt)
    }

    pub async fn cancel_prompt(
        &self,
        actor: &Actor,
        community_slug: &str,
        prompt_id: &str,
    ) -> AppResult<()> {
        let view = self.managed_community(actor, community_slug).await?;
        let mut tx = self.db().begin().await?;
        let prompt = store::prompt_by_id(&mut tx, prompt_id)
            .await?
            .filter(|p| p.community_id == view.community.id)
            .ok_or(AppError::NotFound("prompt"))?;
        if !store::finish_prompt(&mut tx, &prompt.id, "cancelled", None).await? {
            return Err(AppError::invalid(
                "prompt",
                "This prompt was already posted or cancelled.",
            ));
        }
        activity::record(
            &mut tx,
            Some(&prompt.community_id),
            Some(&actor.user_id),
            "prompt_cancelled",
            "prompt",
            &prompt.id,
            json!({}),
            self.now(),
        )
        .await?;
        self.commit(tx).await
    }

    /// The community's prompts (admins), upcoming first.
    pub async fn prompts(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(CommunityView, Vec<PromptRow>)> {
        let view = self.managed_community(actor, community_slug).await?;
        let prompts = store::prompts_of(self.db(), &view.community.id).await?;
        Ok((view, prompts))
    }

    /// The job: posts a due prompt as a topic by its author, once.
    pub(crate) async fn post_prompt(&self, tx: &mut Tx, payload: &Value) -> AppResult<()> {
        let id = payload["prompt_id"]
            .as_str()
            .ok_or_else(|| AppError::Internal("payload lacks prompt_id".into()))?;
        let Some(prompt) = store::prompt_by_id(&mut *tx, id).await? else {
            return Ok(());
        };
        if prompt.status != "scheduled" {
            return Ok(()); // cancelled, or posted by an earlier run
        }
        let Some(space) = townsquare_store::spaces::space_by_id(&mut *tx, &prompt.space_id).await?
        else {
            store::finish_prompt(tx, &prompt.id, "cancelled", None).await?;
            return Ok(());
        };
        let now = self.now();
        let topic = self
            .write_topic(
                tx,
                &space,
                &prompt.author_id,
                prompt.title.clone(),
                prompt.body.clone(),
                Vec::new(),
                false,
                now,
            )
            .await?;
        store::finish_prompt(tx, &prompt.id, "posted", Some(&topic.id)).await?;
        activity::record(
            tx,
            Some(&prompt.community_id),
            Some(&prompt.author_id),
            "prompt_posted",
            "topic",
            &topic.id,
            json!({"prompt_id": prompt.id}),
            now,
        )
        .await?;
        Ok(())
    }

    /// Chooses the space where newcomers introduce themselves (admins); empty clears it.
    pub async fn set_introductions_space(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
    ) -> AppResult<()> {
        let view = self.managed_community(actor, community_slug).await?;
        let space_id = if space_slug.trim().is_empty() {
            None
        } else {
            let space = self
                .space(Some(actor), community_slug, space_slug.trim())
                .await
                .map_err(|_| AppError::invalid("space", "Choose one of the community's spaces."))?;
            if kind_of(&space.space) != SpaceKind::Discussion {
                return Err(AppError::invalid(
                    "space",
                    "Introductions need a discussion space.",
                ));
            }
            Some(space.space.id)
        };
        let mut tx = self.db().begin().await?;
        store::set_introductions_space(&mut tx, &view.community.id, space_id.as_deref()).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "introductions_space_set",
            "space",
            space_id.as_deref().unwrap_or(""),
            json!({}),
            self.now(),
        )
        .await?;
        self.commit(tx).await
    }

    /// The introductions space of a community, if one is chosen and the viewer can see it.
    pub async fn introductions_space(
        &self,
        view: &CommunityView,
    ) -> AppResult<Option<townsquare_store::spaces::SpaceRow>> {
        let Some(id) = store::introductions_space_id(self.db(), &view.community.id).await? else {
            return Ok(None);
        };
        Ok(self
            .visible_spaces(view)
            .await?
            .into_iter()
            .find(|s| s.id == id))
    }

    /// Members who joined in the last 7 days and whether they introduced themselves, posted
    /// and were greeted (moderators).
    pub async fn newcomers(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(
        CommunityView,
        Option<townsquare_store::spaces::SpaceRow>,
        Vec<NewcomerRow>,
    )> {
        let view = self.community(Some(actor), community_slug).await?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::Forbidden(
                "Only moderators and admins see the welcome list.".into(),
            ));
        }
        let intro = self.introductions_space(&view).await?;
        let intro_id = intro.as_ref().map(|s| s.id.as_str()).unwrap_or("");
        let rows = store::newcomers(
            self.db(),
            &view.community.id,
            intro_id,
            self.now() - WELCOME_WINDOW,
        )
        .await?;
        Ok((view, intro, rows))
    }
}
