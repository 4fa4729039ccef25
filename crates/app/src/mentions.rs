//! @mentions: marked in the rendered post for members who exist, and notified to those of
//! them who can read the post.

use crate::communities::role_of;
use crate::notifications::Notice;
use crate::{activity, App, AppResult};
use serde_json::json;
use std::collections::HashSet;
use townsquare_domain::policy::{self, Viewer};
use townsquare_domain::{markdown, SpaceVisibility, Visibility};
use townsquare_store::accounts::{self, UserRow};
use townsquare_store::communities::CommunityRow;
use townsquare_store::discussions::PostRow;
use townsquare_store::spaces::SpaceRow;
use townsquare_store::Tx;

/// More mentions than this in one post are ignored (no mass pinging).
const MAX_MENTIONS: usize = 10;

impl App {
    /// Renders a post body, marking mentions of existing members; returns the HTML and the
    /// members mentioned.
    pub(crate) async fn render_post(
        &self,
        tx: &mut Tx,
        body: &str,
    ) -> AppResult<(String, Vec<UserRow>)> {
        let handles: Vec<String> = markdown::mentions(body)
            .into_iter()
            .take(MAX_MENTIONS)
            .collect();
        let users = accounts::users_by_handles(&mut *tx, &handles).await?;
        let known: HashSet<String> = users.iter().map(|u| u.handle.clone()).collect();
        Ok((markdown::render_with_mentions(body, &known), users))
    }

    /// Notifies the mentioned members who can read the post (never its author, nor anyone
    /// in `already_told`); returns who was told.
    pub(crate) async fn notify_mentions(
        &self,
        tx: &mut Tx,
        mentioned: &[UserRow],
        post: &PostRow,
        already_told: &[String],
        now: i64,
    ) -> AppResult<Vec<String>> {
        if mentioned.is_empty() {
            return Ok(Vec::new());
        }
        let Some(community) =
            townsquare_store::communities::community_by_id(&mut *tx, &post.community_id).await?
        else {
            return Ok(Vec::new());
        };
        let Some(space) = townsquare_store::spaces::space_by_id(&mut *tx, &post.space_id).await?
        else {
            return Ok(Vec::new());
        };
        let excerpt = markdown::excerpt(&post.body_markdown, 140);
        let mut told = Vec::new();
        for user in mentioned {
            if user.id == post.author_id || already_told.contains(&user.id) {
                continue;
            }
            if !can_read_space(tx, user, &community, &space, now).await? {
                continue; // a mention must not reveal a post to someone who cannot read it
            }
            activity::record(
                tx,
                Some(&post.community_id),
                Some(&post.author_id),
                "mention",
                "user",
                &user.id,
                json!({"post_id": post.id, "topic_id": post.topic_id}),
                now,
            )
            .await?;
            let notice = Notice {
                user_id: &user.id,
                community_id: &post.community_id,
                kind: "mention",
                actor_id: &post.author_id,
                topic_id: Some(&post.topic_id),
                post_id: Some(&post.id),
                excerpt: &excerpt,
            };
            self.notify(tx, notice, now).await?;
            told.push(user.id.clone());
        }
        Ok(told)
    }
}

/// Whether `user` may read what is posted in `space` now: notifications must never reveal
/// a post to someone who cannot open it.
pub(crate) async fn can_read_space(
    tx: &mut Tx,
    user: &UserRow,
    community: &CommunityRow,
    space: &SpaceRow,
    now: i64,
) -> AppResult<bool> {
    let membership =
        townsquare_store::communities::membership(&mut *tx, &community.id, &user.id).await?;
    let viewer = Viewer {
        signed_in: true,
        superadmin: user.is_superadmin,
        role: membership.as_ref().and_then(role_of),
    };
    if !policy::can_see_space(
        &viewer,
        Visibility::parse(&community.visibility).unwrap_or(Visibility::Private),
        SpaceVisibility::parse(&space.visibility).unwrap_or(SpaceVisibility::Admins),
    ) {
        return Ok(false);
    }
    // A space a membership tier unlocks: only its holders (and staff) read it.
    let locks =
        townsquare_store::membership_tiers::space_locks(&mut *tx, &community.id, &user.id, now)
            .await?;
    let lock = locks.iter().find(|(id, _)| *id == space.id);
    Ok(policy::can_enter_tier_space(
        &viewer,
        lock.is_some(),
        lock.is_some_and(|(_, held)| *held == 1),
    ))
}
