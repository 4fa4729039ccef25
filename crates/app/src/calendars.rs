//! Calendars: a member's own (the events they registered for, in the app and as a private
//! feed address for their calendar program) and a community's public feed.
//!
//! The private feed address carries a random token of which only the hash is kept, as with
//! sessions; the member sees the address once when they make it and can replace it, which
//! retires the old one.

use crate::events::EventView;
use crate::secrets::{hash_token, new_token};
use crate::{Actor, App, AppError, AppResult};
use std::collections::HashMap;
use townsquare_domain::SpaceKind;
use townsquare_store::events::{self as store, EventRow};

/// How far back a calendar reaches: a feed keeps last month's events so that calendar
/// programs do not drop them the moment they end.
const PAST_DAYS: i64 = 31;
const FEED_LIMIT: i64 = 500;

/// An event with what the calendar needs to show it to this person.
#[derive(Debug, Clone)]
pub struct CalendarEntry {
    pub community_name: String,
    pub community_slug: String,
    pub event: EventRow,
    /// Whether the online link may be shown (registrants and hosts).
    pub show_online_url: bool,
}

impl App {
    /// The events the actor is registered for, in communities and spaces they can still see.
    pub async fn my_calendar(
        &self,
        actor: &Actor,
        upcoming_only: bool,
    ) -> AppResult<Vec<CalendarEntry>> {
        let since = if upcoming_only {
            self.now()
        } else {
            self.now() - PAST_DAYS * crate::clock::MICROS_PER_DAY
        };
        let events =
            store::my_registered_events(self.db(), &actor.user_id, since, FEED_LIMIT).await?;
        // One community and space check per distinct community and space, not per event.
        let mut communities = HashMap::new();
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            if !communities.contains_key(&event.community_id) {
                let view = self
                    .community_by_id(Some(actor), &event.community_id)
                    .await
                    .ok();
                let spaces = match &view {
                    Some(v) => self.visible_spaces(v).await?,
                    None => Vec::new(),
                };
                communities.insert(event.community_id.clone(), (view, spaces));
            }
            let Some((Some(view), spaces)) = communities.get(&event.community_id) else {
                continue;
            };
            if !spaces.iter().any(|s| s.id == event.space_id) {
                continue;
            }
            entries.push(CalendarEntry {
                community_name: view.community.name.clone(),
                community_slug: view.community.slug.clone(),
                show_online_url: true,
                event,
            });
        }
        Ok(entries)
    }

    /// Makes (or replaces) the actor's private feed token and returns it: shown once.
    pub async fn reset_calendar_feed(&self, actor: &Actor) -> AppResult<String> {
        let token = new_token();
        let mut tx = self.db().begin().await?;
        store::replace_calendar_feed(&mut tx, &actor.user_id, &hash_token(&token), self.now())
            .await?;
        crate::activity::record(
            &mut tx,
            None,
            Some(&actor.user_id),
            "calendar_feed_reset",
            "user",
            &actor.user_id,
            serde_json::json!({}),
            self.now(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(token)
    }

    /// When the actor's current feed address was made, if they have one.
    pub async fn calendar_feed_created(&self, actor: &Actor) -> AppResult<Option<i64>> {
        Ok(store::calendar_feed_created(self.db(), &actor.user_id).await?)
    }

    /// The private feed behind a token: its owner's calendar (past month included).
    pub async fn calendar_feed(&self, token: &str) -> AppResult<(Actor, Vec<CalendarEntry>)> {
        let user_id = store::calendar_feed_owner(self.db(), &hash_token(token))
            .await?
            .ok_or(AppError::NotFound("calendar"))?;
        let user = townsquare_store::accounts::user_by_id(self.db(), &user_id)
            .await?
            .ok_or(AppError::NotFound("calendar"))?;
        let actor = Actor::from(user);
        let entries = self.my_calendar(&actor, false).await?;
        Ok((actor, entries))
    }

    /// A community's public calendar: events in events spaces that anyone may see, from the
    /// past month on. Empty for a community that is not public.
    pub async fn community_calendar(&self, slug: &str) -> AppResult<(String, Vec<CalendarEntry>)> {
        // Seen as an anonymous visitor: only what anyone may see.
        let view = self.community(None, slug).await?;
        let public_spaces: Vec<String> = self
            .visible_spaces(&view)
            .await?
            .into_iter()
            .filter(|s| crate::spaces::kind_of(s) == SpaceKind::Events)
            .map(|s| s.id)
            .collect();
        let since = self.now() - PAST_DAYS * crate::clock::MICROS_PER_DAY;
        let events =
            store::events_in_spaces(self.db(), &public_spaces, since, None, FEED_LIMIT).await?;
        let entries = events
            .into_iter()
            .map(|event| CalendarEntry {
                community_name: view.community.name.clone(),
                community_slug: view.community.slug.clone(),
                show_online_url: false,
                event,
            })
            .collect();
        Ok((view.community.name.clone(), entries))
    }
}

impl CalendarEntry {
    /// The entry for one event page's own `.ics`.
    pub fn of_view(view: &EventView) -> CalendarEntry {
        CalendarEntry {
            community_name: view.community.community.name.clone(),
            community_slug: view.community.community.slug.clone(),
            show_online_url: view.online_url().is_some(),
            event: view.event.clone(),
        }
    }
}
