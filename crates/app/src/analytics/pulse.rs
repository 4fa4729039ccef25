//! The pulse check: a manager's morning view of the last 24 hours, each item a link to act
//! on. Moderators and admins see all of it: every card lists something moderators already
//! act on (the welcome list, the moderation queue, held posts) or that members see anyway
//! (unanswered questions, events), and every list keeps to the spaces the viewer can see.

use crate::clock::MICROS_PER_DAY;
use crate::communities::CommunityView;
use crate::moderation::Attention;
use crate::spaces::kind_of;
use crate::{Actor, App, AppError, AppResult};
use townsquare_domain::analytics::{self as rules, Day};
use townsquare_domain::{policy, time_zones, SpaceKind};
use townsquare_store::analytics::pulse::{self as store, ActiveConversation};
use townsquare_store::discussions::ListedTopic;
use townsquare_store::engagement::{self as engagement_store, NewcomerRow};
use townsquare_store::events::{self as events_store, EventRow};
use townsquare_store::spaces::SpaceRow;

/// The window the pulse check looks back over.
pub const PULSE_WINDOW: i64 = MICROS_PER_DAY;

/// How many items each list shows at most.
const LIST_LIMIT: i64 = 10;

#[derive(Debug, Clone)]
pub struct Pulse {
    pub view: CommunityView,
    pub time_zone: String,
    /// The start of the window (UTC microseconds) and the community-local day it ends on.
    pub since: i64,
    pub today: Day,
    /// Members who joined in the window, newest first, with their welcome status.
    pub newcomers: Vec<NewcomerRow>,
    /// The introductions space, if one is chosen and visible, where welcomes go.
    pub introductions: Option<SpaceRow>,
    pub conversations: Vec<ActiveConversation>,
    pub attention: Attention,
    /// Questions without any reply, waiting longest first.
    pub unanswered: Vec<ListedTopic>,
    /// Events starting on today's community-local date (called-off ones left out).
    pub events_today: Vec<EventRow>,
    /// The spaces the viewer can see (for the space of each item).
    pub spaces: Vec<SpaceRow>,
}

impl App {
    /// The pulse check of a community (moderators and admins).
    pub async fn pulse(&self, actor: &Actor, slug: &str) -> AppResult<Pulse> {
        let view = self.community(Some(actor), slug).await?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::Forbidden(
                "The pulse check is for the community's moderators and admins.".into(),
            ));
        }
        let now = self.now();
        let since = now - PULSE_WINDOW;
        let tz = time_zones::parse_or_utc(&view.community.time_zone);
        let today = rules::local_day(now, tz);
        let id = view.community.id.clone();
        let spaces = self.visible_spaces(&view).await?;
        let of_kind = |k: SpaceKind| -> Vec<String> {
            spaces
                .iter()
                .filter(|s| kind_of(s) == k)
                .map(|s| s.id.clone())
                .collect()
        };
        let introductions = self.introductions_space(&view).await?;
        let intro_id = introductions.as_ref().map_or("", |s| s.id.as_str());
        let newcomers = engagement_store::newcomers(self.db(), &id, intro_id, since).await?;
        let conversations = store::active_conversations(
            self.db(),
            &id,
            &of_kind(SpaceKind::Discussion),
            since,
            LIST_LIMIT,
        )
        .await?;
        let attention = self.attention(&view).await?.unwrap_or_default();
        let unanswered = self.unanswered_questions(&view, LIST_LIMIT).await?;
        let (day_start, day_end) = (
            rules::day_start_utc(today, tz),
            rules::day_start_utc(today + 1, tz),
        );
        let events_today = events_store::events_in_spaces(
            self.db(),
            &of_kind(SpaceKind::Events),
            day_start,
            None,
            200,
        )
        .await?
        .into_iter()
        .filter(|e| e.starts_at < day_end && e.cancelled_at.is_none())
        .collect();
        Ok(Pulse {
            time_zone: tz.name().to_string(),
            view,
            since,
            today,
            newcomers,
            introductions,
            conversations,
            attention,
            unanswered,
            events_today,
            spaces,
        })
    }
}
