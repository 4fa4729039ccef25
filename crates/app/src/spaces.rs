//! Spaces: the rooms of a community (discussion, chat, events, resources).

use crate::communities::CommunityView;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::policy;
use townsquare_domain::values::{optional_text, required_text};
use townsquare_domain::{new_id, Slug, SpaceKind, SpaceVisibility, ValidationErrors};
use townsquare_store::spaces::{self as store, SpaceRow};

#[derive(Debug, Clone, Default)]
pub struct SpaceInput {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub kind: String,
    pub visibility: String,
}

/// A space as one viewer sees it.
#[derive(Debug, Clone)]
pub struct SpaceView {
    pub community: CommunityView,
    pub space: SpaceRow,
    pub joined: bool,
}

pub fn kind_of(space: &SpaceRow) -> SpaceKind {
    SpaceKind::parse(&space.kind).unwrap_or(SpaceKind::Discussion)
}

pub fn visibility_of(space: &SpaceRow) -> SpaceVisibility {
    // An unknown value must not widen access: fall back to the narrowest.
    SpaceVisibility::parse(&space.visibility).unwrap_or(SpaceVisibility::Admins)
}

/// Whether the viewer may see a space and read (and, as a member, post in) what is in it: its
/// visibility, and for a space a membership tier unlocks, an active tier or a staff role.
/// Every read of a space's contents goes through here (via `space`, `visible_spaces`).
pub fn can_see(view: &CommunityView, space: &SpaceRow) -> bool {
    policy::can_see_space(&view.viewer, view.visibility(), visibility_of(space))
        && policy::can_enter_tier_space(
            &view.viewer,
            view.tier_locks.contains_key(&space.id),
            view.tier_locks.get(&space.id).copied().unwrap_or(false),
        )
}

/// Whether a membership tier unlocks the space (only its holders and staff read it).
pub fn is_tier_space(view: &CommunityView, space: &SpaceRow) -> bool {
    view.tier_locks.contains_key(&space.id)
}

impl App {
    pub async fn create_space(
        &self,
        actor: &Actor,
        community_slug: &str,
        input: &SpaceInput,
    ) -> AppResult<SpaceRow> {
        let view = self.managed_community(actor, community_slug).await?;
        let mut e = ValidationErrors::new();
        let name = e.check("name", required_text(&input.name, "space name", 60));
        let slug_text = if input.slug.trim().is_empty() {
            Slug::suggest(&input.name)
        } else {
            input.slug.clone()
        };
        let slug = e.check("slug", Slug::parse(&slug_text));
        let description = e.check(
            "description",
            optional_text(&input.description, "description", 500),
        );
        let kind = e.check("kind", SpaceKind::parse(input.kind.trim()));
        let visibility = e.check(
            "visibility",
            SpaceVisibility::parse(input.visibility.trim()),
        );
        let (Some(name), Some(slug), Some(description), Some(kind), Some(visibility)) =
            (name, slug, description, kind, visibility)
        else {
            return Err(e.into());
        };
        let now = self.now();
        let mut row = SpaceRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            slug: slug.to_string(),
            name,
            description,
            kind: kind.to_string(),
            visibility: visibility.to_string(),
            position: 0,
            member_count: 0,
            created_by: actor.user_id.clone(),
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        row.position = store::insert_space(&mut tx, &row).await.map_err(|e| {
            if e.is_conflict_on("slug") {
                AppError::conflict(
                    "slug",
                    format!("This community already has a space at /s/{}.", row.slug),
                )
            } else {
                e.into()
            }
        })?;
        if store::join_space(&mut tx, &row.id, &actor.user_id, now).await? {
            row.member_count = 1;
        }
        activity::record(
            &mut tx,
            Some(&row.community_id),
            Some(&actor.user_id),
            "space_created",
            "space",
            &row.id,
            json!({"name": row.name, "kind": row.kind}),
            now,
        )
        .await?;
        tx.notify(
            &format!("community:{}", row.community_id),
            &json!({"kind": "space_created", "space_id": row.id}).to_string(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// The spaces of a community that its viewer may see, in navigation order.
    pub async fn visible_spaces(&self, view: &CommunityView) -> AppResult<Vec<SpaceRow>> {
        let all = store::spaces_of(self.db(), &view.community.id).await?;
        Ok(all.into_iter().filter(|s| can_see(view, s)).collect())
    }

    pub async fn space(
        &self,
        actor: Option<&Actor>,
        community_slug: &str,
        space_slug: &str,
    ) -> AppResult<SpaceView> {
        let community = self.community(actor, community_slug).await?;
        let space = store::space_by_slug(self.db(), &community.community.id, space_slug)
            .await?
            .filter(|s| can_see(&community, s))
            .ok_or(AppError::NotFound("space"))?;
        let joined = match actor {
            Some(a) => store::joined_space_ids(self.db(), &community.community.id, &a.user_id)
                .await?
                .contains(&space.id),
            None => false,
        };
        Ok(SpaceView {
            community,
            space,
            joined,
        })
    }

    pub async fn update_space(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
        input: &SpaceInput,
    ) -> AppResult<SpaceRow> {
        let view = self.space(Some(actor), community_slug, space_slug).await?;
        if !view.community.can_manage() {
            return Err(AppError::Forbidden(
                "Only the community's admins can change spaces.".into(),
            ));
        }
        let mut e = ValidationErrors::new();
        let name = e.check("name", required_text(&input.name, "space name", 60));
        let description = e.check(
            "description",
            optional_text(&input.description, "description", 500),
        );
        let visibility = e.check(
            "visibility",
            SpaceVisibility::parse(input.visibility.trim()),
        );
        let (Some(name), Some(description), Some(visibility)) = (name, description, visibility)
        else {
            return Err(e.into());
        };
        let row = SpaceRow {
            name,
            description,
            visibility: visibility.to_string(),
            ..view.space
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::update_space(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&row.community_id),
            Some(&actor.user_id),
            "space_updated",
            "space",
            &row.id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Joins a space; only members of the community can, and only spaces they can see.
    pub async fn join_space(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
    ) -> AppResult<()> {
        let view = self.space(Some(actor), community_slug, space_slug).await?;
        if view.community.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community first, then its spaces.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if store::join_space(&mut tx, &view.space.id, &actor.user_id, now).await? {
            activity::record(
                &mut tx,
                Some(&view.space.community_id),
                Some(&actor.user_id),
                "space_joined",
                "space",
                &view.space.id,
                json!({}),
                now,
            )
            .await?;
        }
        self.commit(tx).await
    }

    pub async fn leave_space(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
    ) -> AppResult<()> {
        let view = self.space(Some(actor), community_slug, space_slug).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if store::leave_space(&mut tx, &view.space.id, &actor.user_id).await? {
            activity::record(
                &mut tx,
                Some(&view.space.community_id),
                Some(&actor.user_id),
                "space_left",
                "space",
                &view.space.id,
                json!({}),
                now,
            )
            .await?;
        }
        self.commit(tx).await
    }
}
