//! A moderator's edit of someone else's post: a reason is required, the earlier text is kept
//! as a revision with that reason, the author is told, and the audit log gets a row.

use crate::communities::role_of;
use crate::notifications::Notice;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::moderation::{check_action_reason, TargetKind};
use townsquare_domain::{markdown, new_id, policy};
use townsquare_store::discussions::{self as discussions_store, PostRow};
use townsquare_store::moderation::{self as store, ActionRow};
use townsquare_store::search;

impl App {
    /// Edits another member's post with a reason (moderators; admins' and owners' posts only
    /// by someone ranked above them). Authors edit their own posts with `edit_post`.
    pub async fn moderator_edit_post(
        &self,
        actor: &Actor,
        post_id: &str,
        body: &str,
        reason: &str,
    ) -> AppResult<PostRow> {
        let (view, post) = self.readable_post(actor, post_id).await?;
        let community = &view.space.community;
        if !policy::can_moderate(&community.viewer) {
            return Err(AppError::Forbidden(
                "Only moderators can edit other members' posts.".into(),
            ));
        }
        if post.author_id == actor.user_id {
            return Err(AppError::invalid(
                "body",
                "This is your own post: edit it from its edit page.",
            ));
        }
        let author_role = townsquare_store::communities::membership(
            self.db(),
            &post.community_id,
            &post.author_id,
        )
        .await?
        .as_ref()
        .and_then(role_of);
        if !policy::can_act_against(&community.viewer, author_role) {
            return Err(AppError::Forbidden(
                "Admins and owners are moderated by someone ranked above them.".into(),
            ));
        }
        let body =
            crate::discussions::check_body(body).map_err(|m| AppError::invalid("body", m))?;
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        if body == post.body_markdown {
            return Err(AppError::invalid(
                "body",
                "The text is unchanged: there is nothing to save.",
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let (html, _) = self.render_post(&mut tx, &body).await?;
        store::members::insert_moderated_revision(
            &mut tx,
            &new_id(),
            &post.id,
            &actor.user_id,
            &post.body_markdown,
            &reason,
            now,
        )
        .await?;
        discussions_store::update_post_body(&mut tx, &post.id, &body, &html, now).await?;
        if post.hidden_at.is_none() {
            search::index_post(
                &mut tx,
                &post.id,
                &view.topic.title,
                &markdown::plain_text(&body),
            )
            .await?;
        }
        store::insert_action(
            &mut tx,
            &ActionRow {
                id: new_id(),
                community_id: post.community_id.clone(),
                actor_id: actor.user_id.clone(),
                action: "edit".into(),
                target_kind: TargetKind::Post.as_str().into(),
                target_id: post.id.clone(),
                subject_user_id: Some(post.author_id.clone()),
                reason: reason.clone(),
                detail: json!({"topic_id": post.topic_id}).to_string(),
                created_at: now,
            },
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&post.community_id),
            Some(&actor.user_id),
            "moderation_action",
            "post",
            &post.id,
            json!({"action": "edit", "subject_user_id": post.author_id}),
            now,
        )
        .await?;
        let excerpt = format!("A moderator edited your post: {reason}");
        let notice = Notice {
            user_id: &post.author_id,
            community_id: &post.community_id,
            kind: "moderation",
            actor_id: &actor.user_id,
            topic_id: Some(&post.topic_id),
            post_id: Some(&post.id),
            excerpt: &excerpt,
        };
        self.notify(&mut tx, notice, now).await?;
        self.commit(tx).await?;
        Ok(PostRow {
            body_markdown: body,
            body_html: html,
            edited_at: Some(now),
            ..post
        })
    }
}
