//! Co-hosts and speakers. The event's creator (and the community's admins) add co-hosts
//! from the community's members; a co-host then has every host right over that event (see
//! `EventView::can_host`). Hosts list speakers, shown on the event page.

use crate::events::EventView;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::event_hosts::{self as rules, SpeakerDraft, MAX_COHOSTS, MAX_SPEAKERS};
use townsquare_domain::new_id;
use townsquare_store::event_hosts::{self as store, HostRow, SpeakerRow};

/// Who runs an event, as its page shows them.
#[derive(Debug, Clone)]
pub struct EventPeople {
    /// The member who created the event: (user id, name, handle).
    pub creator: Option<HostRow>,
    pub cohosts: Vec<HostRow>,
    pub speakers: Vec<SpeakerRow>,
}

impl App {
    /// The creator, co-hosts and speakers (whoever may see the event).
    pub async fn event_people(&self, view: &EventView) -> AppResult<EventPeople> {
        let creator = store::host(self.db(), &view.event.created_by).await?;
        Ok(EventPeople {
            creator,
            cohosts: store::cohosts(self.db(), &view.event.id).await?,
            speakers: store::speakers(self.db(), &view.event.id).await?,
        })
    }

    /// Adds an active member of the community as a co-host (the creator and admins).
    pub async fn add_cohost(
        &self,
        actor: &Actor,
        view: &EventView,
        user_id: &str,
    ) -> AppResult<HostRow> {
        if !view.can_manage_hosts() {
            return Err(AppError::Forbidden(
                "Only the event's creator and the community's admins can add co-hosts.".into(),
            ));
        }
        let user = townsquare_store::accounts::user_by_id(self.db(), user_id)
            .await?
            .ok_or_else(|| AppError::invalid("handle", "There is no member with that handle."))?;
        let member = townsquare_store::communities::membership(
            self.db(),
            &view.event.community_id,
            &user.id,
        )
        .await?
        .is_some_and(|m| m.status == "active");
        if !member {
            return Err(AppError::invalid(
                "handle",
                format!("{} is not a member of this community.", user.display_name),
            ));
        }
        if user.id == view.event.created_by {
            return Err(AppError::invalid(
                "handle",
                "The event's creator hosts it already.",
            ));
        }
        let host = HostRow {
            user_id: user.id.clone(),
            display_name: user.display_name.clone(),
            handle: user.handle.clone(),
            deleted: false,
        };
        let current = store::cohosts(self.db(), &view.event.id).await?;
        if current.iter().any(|h| h.user_id == user.id) {
            // Already a co-host: nothing to do (adding is idempotent).
            return Ok(host);
        }
        if current.len() >= MAX_COHOSTS {
            return Err(AppError::invalid(
                "handle",
                format!("An event can have at most {MAX_COHOSTS} co-hosts."),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::add_cohost(&mut tx, &view.event.id, &user.id, &actor.user_id, now).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_cohost_added",
            "event",
            &view.event.id,
            json!({"user_id": user.id}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(host)
    }

    /// Adds a co-host by @handle, as the HTML form asks for them.
    pub async fn add_cohost_by_handle(
        &self,
        actor: &Actor,
        view: &EventView,
        handle: &str,
    ) -> AppResult<HostRow> {
        if !view.can_manage_hosts() {
            return Err(AppError::Forbidden(
                "Only the event's creator and the community's admins can add co-hosts.".into(),
            ));
        }
        let handle =
            rules::parse_member_handle(handle).map_err(|m| AppError::invalid("handle", m))?;
        let user = townsquare_store::accounts::users_by_handles(self.db(), &[handle])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::invalid("handle", "There is no member with that handle."))?;
        self.add_cohost(actor, view, &user.id).await
    }

    /// Takes a co-host's rights away (the creator and admins); nothing to do if they are not
    /// one.
    pub async fn remove_cohost(
        &self,
        actor: &Actor,
        view: &EventView,
        user_id: &str,
    ) -> AppResult<()> {
        if !view.can_manage_hosts() {
            return Err(AppError::Forbidden(
                "Only the event's creator and the community's admins can remove co-hosts.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if !store::remove_cohost(&mut tx, &view.event.id, user_id).await? {
            // Not (or no longer) a co-host: removing is idempotent.
            return Ok(());
        }
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_cohost_removed",
            "event",
            &view.event.id,
            json!({"user_id": user_id}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Adds a speaker (hosts). A handle must be a member of the community.
    pub async fn add_speaker(
        &self,
        actor: &Actor,
        view: &EventView,
        draft: &SpeakerDraft,
    ) -> AppResult<SpeakerRow> {
        require_host(view)?;
        let speaker = rules::validate_speaker(draft).map_err(AppError::Invalid)?;
        let user = match &speaker.handle {
            None => None,
            Some(h) => {
                let user = townsquare_store::accounts::users_by_handles(
                    self.db(),
                    std::slice::from_ref(h),
                )
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    AppError::invalid("handle", "There is no member with that handle.")
                })?;
                let member = townsquare_store::communities::membership(
                    self.db(),
                    &view.event.community_id,
                    &user.id,
                )
                .await?
                .is_some_and(|m| m.status == "active");
                if !member {
                    return Err(AppError::invalid(
                        "handle",
                        format!("{} is not a member of this community.", user.display_name),
                    ));
                }
                Some(user)
            }
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        // Counted under the event's lock, so two hosts adding at once cannot pass the limit.
        townsquare_store::events::lock_event(&mut tx, &view.event.id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        if store::speakers(&mut tx, &view.event.id).await?.len() >= MAX_SPEAKERS {
            return Err(AppError::invalid(
                "name",
                format!("An event can list at most {MAX_SPEAKERS} speakers."),
            ));
        }
        let row = SpeakerRow {
            id: new_id(),
            event_id: view.event.id.clone(),
            position: 0,
            name: speaker.name,
            user_id: user.as_ref().map(|u| u.id.clone()),
            handle: user.map(|u| u.handle),
            bio: speaker.bio,
            deleted: false,
        };
        store::insert_speaker(&mut tx, &row, now).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_speaker_added",
            "event",
            &view.event.id,
            json!({"speaker_id": row.id, "name": row.name}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Removes a speaker (hosts); nothing to do if there is no such speaker.
    pub async fn remove_speaker(
        &self,
        actor: &Actor,
        view: &EventView,
        speaker_id: &str,
    ) -> AppResult<()> {
        require_host(view)?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if !store::delete_speaker(&mut tx, &view.event.id, speaker_id).await? {
            // Already gone: removing is idempotent.
            return Ok(());
        }
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_speaker_removed",
            "event",
            &view.event.id,
            json!({"speaker_id": speaker_id}),
            now,
        )
        .await?;
        self.commit(tx).await
    }
}

fn require_host(view: &EventView) -> AppResult<()> {
    if view.can_host() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the event's hosts can change its speakers.".into(),
        ))
    }
}
