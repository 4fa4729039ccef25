//! A member deletes their account. In one transaction: their sessions and API tokens go,
//! their profile, answers, picture and other personal rows go, their memberships end (the
//! analytics stints close as a leave would), their posts are kept or removed as each
//! community's rule says (removed posts lose their text, topics they started lose their
//! title, and topics they replied in show their latest remaining poster), event speaker
//! entries naming them become "Deleted member", and the user row is made anonymous rather
//! than deleted — analytics rollups refer to it and keep their anonymous counts. The last
//! owner of a community must hand it over first.

use crate::accounts::verify_off_thread;
use crate::communities::ACTIVE;
use crate::{activity, rate_limit, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::BTreeSet;
use townsquare_domain::roles::CommunityRole;
use townsquare_domain::ValidationErrors;
use townsquare_store::account_deletion as store;
use townsquare_store::communities as communities_store;

/// What happens to a deleted account's posts in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepartedPosts {
    /// Kept, shown as by "Deleted member".
    Keep,
    /// Removed (as if their author had deleted them).
    Remove,
}

impl DepartedPosts {
    pub fn parse(s: &str) -> Result<DepartedPosts, String> {
        match s.trim() {
            "keep" => Ok(DepartedPosts::Keep),
            "remove" => Ok(DepartedPosts::Remove),
            _ => Err("Choose \"keep\" or \"remove\".".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DepartedPosts::Keep => "keep",
            DepartedPosts::Remove => "remove",
        }
    }
}

/// The display name every deleted account has.
pub const DELETED_MEMBER: &str = "Deleted member";

impl App {
    /// The community's rule for deleted accounts' posts (its admins).
    pub async fn departed_posts(&self, actor: &Actor, slug: &str) -> AppResult<DepartedPosts> {
        let view = self.community(Some(actor), slug).await?;
        require_admin(&view)?;
        let policy = store::departed_posts(self.db(), &view.community.id).await?;
        Ok(DepartedPosts::parse(&policy).unwrap_or(DepartedPosts::Keep))
    }

    /// Sets the community's rule for deleted accounts' posts (its admins).
    pub async fn set_departed_posts(
        &self,
        actor: &Actor,
        slug: &str,
        policy: &str,
    ) -> AppResult<DepartedPosts> {
        let view = self.community(Some(actor), slug).await?;
        require_admin(&view)?;
        let policy =
            DepartedPosts::parse(policy).map_err(|m| AppError::invalid("departed_posts", m))?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::set_departed_posts(&mut tx, &view.community.id, policy.as_str(), now).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "departed_posts_set",
            "community",
            &view.community.id,
            json!({"departed_posts": policy.as_str()}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(policy)
    }

    /// Deletes the actor's account after checking their password (see the module's notes).
    pub async fn delete_my_account(&self, actor: &Actor, password: &str) -> AppResult<()> {
        let user = townsquare_store::accounts::user_by_id(self.db(), &actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        self.check_rate_limit(rate_limit::Action::LoginToAccount, &user.email)
            .await?;
        if !verify_off_thread(password.to_string(), user.password_hash.clone()).await {
            return Err(AppError::invalid(
                "password",
                "Your password is not correct.",
            ));
        }
        let user_id = user.id.as_str();
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let avatar = self.previous_avatar(&mut tx, user_id).await?;

        let memberships = store::memberships_of(&mut tx, user_id).await?;
        for m in &memberships {
            if m.status == ACTIVE
                && m.role == CommunityRole::Owner.as_str()
                && communities_store::count_owners(&mut tx, &m.community_id).await? <= 1
            {
                let name = communities_store::community_by_id(&mut tx, &m.community_id)
                    .await?
                    .map(|c| c.name)
                    .unwrap_or_default();
                let mut errors = ValidationErrors::new();
                errors.add(
                    "account",
                    format!(
                        "You are the only owner of {name}. Make someone else an owner of it \
                         before you delete your account."
                    ),
                );
                return Err(AppError::Conflict(errors));
            }
        }
        let mut communities_left = 0;
        for m in &memberships {
            communities_store::delete_membership(&mut tx, &m.community_id, user_id).await?;
            if m.status == ACTIVE {
                communities_left += 1;
                communities_store::add_to_member_count(&mut tx, &m.community_id, -1).await?;
                townsquare_store::spaces::leave_all_spaces(&mut tx, &m.community_id, user_id)
                    .await?;
                // Recorded as a leave, which closes the member's analytics stint.
                activity::record(
                    &mut tx,
                    Some(&m.community_id),
                    Some(user_id),
                    "left",
                    "community",
                    &m.community_id,
                    json!({"account_deleted": true}),
                    now,
                )
                .await?;
            }
        }

        // Removed posts lose their text (not only hidden); topics they started are removed
        // with their titles; topics they replied in name their latest remaining poster.
        let mut posts_removed = 0;
        let mut topics_removed = BTreeSet::new();
        for community_id in store::communities_with_posts(&mut tx, user_id).await? {
            let policy = store::departed_posts(&mut tx, &community_id).await?;
            if DepartedPosts::parse(&policy) != Ok(DepartedPosts::Remove) {
                continue;
            }
            for post in store::posts_in(&mut tx, user_id, &community_id).await? {
                townsquare_store::discussions::delete_post(&mut tx, &post.id, now).await?;
                store::erase_post_text(&mut tx, &post.id).await?;
                crate::mail::forget_post(&mut tx, &post.id, now).await?;
                if post.is_first {
                    townsquare_store::discussions::delete_topic(&mut tx, &post.topic_id, now)
                        .await?;
                    topics_removed.insert(post.topic_id.clone());
                } else {
                    townsquare_store::discussions::reply_removed(
                        &mut tx,
                        &post.topic_id,
                        post.counted,
                    )
                    .await?;
                }
                posts_removed += 1;
            }
        }
        for topic_id in &topics_removed {
            store::erase_topic_text(&mut tx, topic_id, user_id).await?;
        }
        store::anonymise_speakers(&mut tx, user_id).await?;

        if let Some(file) = &avatar {
            townsquare_store::profiles::set_avatar(&mut tx, user_id, None, now).await?;
            townsquare_store::files::delete_file(&mut tx, &file.id).await?;
        }
        store::delete_personal_rows(&mut tx, user_id).await?;
        // Mail to the account's address keeps no address or text; unsent mail is cancelled.
        townsquare_store::outbox::erase_addressed_to(&mut tx, &user.email, now).await?;
        store::anonymise_user(&mut tx, user_id, now).await?;
        // No personal data: the (now anonymous) account's id and counts.
        activity::record(
            &mut tx,
            None,
            Some(user_id),
            "account_deleted",
            "user",
            user_id,
            json!({"communities_left": communities_left, "posts_removed": posts_removed}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        if let Some(file) = avatar {
            self.forget_blob(&file.storage_key).await;
        }
        Ok(())
    }
}

fn require_admin(view: &crate::communities::CommunityView) -> AppResult<()> {
    if view.can_manage() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the community's admins can change this.".into(),
        ))
    }
}
