//! A community's topic lists: latest, unread, trending and top per period, leaving out the
//! spaces a member muted; and following or muting whole spaces.

use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::communities::CommunityView;
use crate::spaces::kind_of;
use crate::{Actor, App, AppError, AppResult};
use townsquare_domain::ranking::TopPeriod;
use townsquare_domain::SpaceKind;
use townsquare_store::discussions::{self as discussions_store, ListedTopic};
use townsquare_store::topic_lists as store;
use townsquare_store::Tx;

/// Recomputes every community's top topics, hourly.
pub const RANK_TOP: &str = "discussions.rank_top";
/// How many top topics are kept per community and period (lists show fewer; the rest make
/// up for topics in spaces a reader cannot see).
const TOP_KEPT: i64 = 50;
/// A topic never opened counts as new for this long after it was started.
pub const NEW_FOR: i64 = 14 * MICROS_PER_DAY;
/// Unread lists look at topics active within this window, so they stay cheap.
const UNREAD_WINDOW: i64 = 60 * MICROS_PER_DAY;

/// Which list of a community's topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicList {
    Latest,
    Unread,
    Trending,
    Top(TopPeriod),
}

impl TopicList {
    /// Parses the `list` and `period` query parameters (`top` needs a period; it defaults
    /// to the week).
    pub fn parse(list: &str, period: Option<&str>) -> Result<TopicList, AppError> {
        match list {
            "latest" | "" => Ok(TopicList::Latest),
            "unread" => Ok(TopicList::Unread),
            "trending" => Ok(TopicList::Trending),
            "top" => match period.filter(|p| !p.is_empty()) {
                None => Ok(TopicList::Top(TopPeriod::Week)),
                Some(p) => TopPeriod::parse(p)
                    .map(TopicList::Top)
                    .map_err(|m| AppError::invalid("period", m)),
            },
            other => Err(AppError::invalid(
                "list",
                format!("\"{other}\" is not one of: latest, unread, trending, top."),
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TopicList::Latest => "latest",
            TopicList::Unread => "unread",
            TopicList::Trending => "trending",
            TopicList::Top(_) => "top",
        }
    }
}

/// How a member follows a whole space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceLevel {
    /// Notified of every new topic.
    Following,
    /// The default.
    Normal,
    /// Left out of the community's topic lists; no notifications but mentions.
    Muted,
}

impl SpaceLevel {
    pub fn parse(s: &str) -> Result<SpaceLevel, String> {
        match s {
            "following" => Ok(SpaceLevel::Following),
            "normal" => Ok(SpaceLevel::Normal),
            "muted" => Ok(SpaceLevel::Muted),
            other => Err(format!(
                "\"{other}\" is not one of: following, normal, muted."
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SpaceLevel::Following => "following",
            SpaceLevel::Normal => "normal",
            SpaceLevel::Muted => "muted",
        }
    }
}

/// A member's count of what changed since they last read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnreadSummary {
    pub new_topics: i64,
    pub updated_topics: i64,
}

impl App {
    /// The discussion spaces whose topics a community's lists show this reader: those they
    /// can see, minus those they muted.
    async fn listed_spaces(
        &self,
        actor: Option<&Actor>,
        view: &CommunityView,
    ) -> AppResult<Vec<String>> {
        let muted: Vec<String> = match actor {
            Some(a) => store::space_levels(self.db(), &a.user_id, &view.community.id)
                .await?
                .into_iter()
                .filter(|(_, level)| level == SpaceLevel::Muted.as_str())
                .map(|(space, _)| space)
                .collect(),
            None => Vec::new(),
        };
        Ok(self
            .visible_spaces(view)
            .await?
            .into_iter()
            .filter(|s| kind_of(s) == SpaceKind::Discussion && !muted.contains(&s.id))
            .map(|s| s.id)
            .collect())
    }

    /// One of the community's topic lists, with the interactions counted for top lists.
    pub async fn topic_list(
        &self,
        actor: Option<&Actor>,
        view: &CommunityView,
        list: TopicList,
        limit: i64,
    ) -> AppResult<Vec<(ListedTopic, Option<i64>)>> {
        let limit = limit.clamp(1, 100);
        let spaces = self.listed_spaces(actor, view).await?;
        let community = &view.community.id;
        let plain = |rows: Vec<ListedTopic>| rows.into_iter().map(|t| (t, None)).collect();
        Ok(match list {
            TopicList::Latest => plain(
                discussions_store::latest_in_spaces(self.db(), community, &spaces, limit).await?,
            ),
            TopicList::Trending => {
                plain(store::trending_in_spaces(self.db(), community, &spaces, limit).await?)
            }
            TopicList::Top(period) => {
                store::top_in_spaces(self.db(), community, period, &spaces, limit)
                    .await?
                    .into_iter()
                    .map(|t| (t.listed, Some(t.interactions)))
                    .collect()
            }
            TopicList::Unread => {
                let Some(actor) = actor else {
                    return Err(AppError::Unauthenticated);
                };
                let (new_since, active_since) = self.unread_bounds(view);
                plain(
                    store::unread_in_spaces(
                        self.db(),
                        &actor.user_id,
                        community,
                        &spaces,
                        new_since,
                        active_since,
                        limit,
                    )
                    .await?,
                )
            }
        })
    }

    /// New topics and topics with new replies for a member, across the community.
    pub async fn unread_summary(
        &self,
        actor: &Actor,
        view: &CommunityView,
    ) -> AppResult<UnreadSummary> {
        let spaces = self.listed_spaces(Some(actor), view).await?;
        let (new_since, active_since) = self.unread_bounds(view);
        let (new_topics, updated_topics) = store::unread_counts(
            self.db(),
            &actor.user_id,
            &view.community.id,
            &spaces,
            new_since,
            active_since,
        )
        .await?;
        Ok(UnreadSummary {
            new_topics,
            updated_topics,
        })
    }

    /// Topics started before the member joined are not news to them, nor older than NEW_FOR.
    fn unread_bounds(&self, view: &CommunityView) -> (i64, i64) {
        let now = self.now();
        let joined = view.membership.as_ref().map(|m| m.joined_at).unwrap_or(now);
        ((now - NEW_FOR).max(joined), now - UNREAD_WINDOW)
    }

    /// The member's level for a space.
    pub async fn space_level(
        &self,
        actor: &Actor,
        view: &CommunityView,
        space_id: &str,
    ) -> AppResult<SpaceLevel> {
        let levels = store::space_levels(self.db(), &actor.user_id, &view.community.id).await?;
        Ok(levels
            .into_iter()
            .find(|(s, _)| s == space_id)
            .and_then(|(_, l)| SpaceLevel::parse(&l).ok())
            .unwrap_or(SpaceLevel::Normal))
    }

    /// Follows, mutes or resets a discussion space the member can see.
    pub async fn set_space_level(
        &self,
        actor: &Actor,
        community_slug: &str,
        space_slug: &str,
        level: SpaceLevel,
    ) -> AppResult<()> {
        let space = self.space(Some(actor), community_slug, space_slug).await?;
        if space.community.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to follow its spaces.".into(),
            ));
        }
        if kind_of(&space.space) != SpaceKind::Discussion {
            return Err(AppError::invalid(
                "level",
                "Only discussion spaces can be followed or muted.",
            ));
        }
        let mut tx = self.db().begin().await?;
        let stored = (level != SpaceLevel::Normal).then(|| level.as_str());
        store::set_space_subscription(&mut tx, &actor.user_id, &space.space.id, stored, self.now())
            .await?;
        self.commit(tx).await
    }

    /// Makes sure this hour's top-topics ranking is queued (the job id is the hour, so
    /// several instances queue it once).
    pub async fn schedule_top_ranking(&self) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        self.enqueue_top_ranking(&mut tx, self.now()).await?;
        self.commit(tx).await
    }

    async fn enqueue_top_ranking(&self, tx: &mut Tx, run_at: i64) -> AppResult<()> {
        let hour = chrono::DateTime::from_timestamp_micros(run_at)
            .map(|d| d.format("%Y-%m-%dT%H").to_string())
            .unwrap_or_default();
        let id = format!("{RANK_TOP}:{hour}");
        let job = townsquare_store::jobs::NewJob {
            id: &id,
            kind: RANK_TOP,
            payload: "{}",
            run_at,
            max_attempts: 3,
            now: self.now(),
        };
        townsquare_store::jobs::enqueue_once(tx, &job).await?;
        Ok(())
    }

    /// The job: ranks every community's top topics per period, then queues the next hour's run.
    pub(crate) async fn rank_top_topics(&self, tx: &mut Tx) -> AppResult<()> {
        let now = self.now();
        self.rank_top_topics_now(tx, now).await?;
        let next_hour = now - now.rem_euclid(MICROS_PER_HOUR) + MICROS_PER_HOUR;
        self.enqueue_top_ranking(tx, next_hour).await
    }

    /// Ranks every community's top topics as of `now` (also used by the demo seed).
    pub(crate) async fn rank_top_topics_now(&self, tx: &mut Tx, now: i64) -> AppResult<()> {
        // Counting reads through the reader pool, so the writer is held only for the swap.
        for community in store::communities_with_topics(self.db()).await? {
            for period in TopPeriod::ALL {
                let rows = store::count_interactions(
                    self.db(),
                    &community,
                    now - period.micros(),
                    TOP_KEPT,
                )
                .await?;
                store::replace_top(tx, &community, period, &rows, now).await?;
            }
        }
        Ok(())
    }
}
