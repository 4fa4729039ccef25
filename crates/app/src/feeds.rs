//! Feeds: the latest topics of public discussion spaces, as a feed reader fetches them.
//!
//! Feed readers come without cookies, so a feed is built for an anonymous visitor and for
//! nobody else: a private community, or a space that only members see, has no feed (it is
//! not found), whoever asks.

use crate::communities::CommunityView;
use crate::spaces::{kind_of, visibility_of, SpaceView};
use crate::{App, AppError, AppResult};
use std::collections::HashMap;
use townsquare_domain::policy::{self, Viewer};
use townsquare_domain::SpaceKind;
use townsquare_store::communities::CommunityRow;
use townsquare_store::discussions as store;
use townsquare_store::spaces::SpaceRow;

/// How many topics a feed lists.
pub const FEED_ENTRIES: i64 = 30;

/// One topic in a feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub topic_id: String,
    pub title: String,
    pub tags: Vec<String>,
    pub author_name: String,
    pub space_slug: String,
    pub space_name: String,
    /// The first post's HTML, sanitized when it was written.
    pub content_html: String,
    pub published_at: i64,
    /// The later of the topic's creation and the last edit of its first post.
    pub updated_at: i64,
}

/// A feed: a community, the space it covers (none for the whole community) and its entries,
/// newest first.
#[derive(Debug, Clone)]
pub struct Feed {
    pub community: CommunityRow,
    pub space: Option<SpaceRow>,
    pub entries: Vec<FeedEntry>,
    /// The latest `updated_at` of the entries, or when the space (community) was created.
    pub updated_at: i64,
}

/// Whether a space has a feed: a discussion space that an anonymous visitor may read.
pub fn has_feed(view: &SpaceView) -> bool {
    kind_of(&view.space) == SpaceKind::Discussion
        && !crate::spaces::is_tier_space(&view.community, &view.space)
        && policy::can_see_space(
            &Viewer::ANONYMOUS,
            view.community.visibility(),
            visibility_of(&view.space),
        )
}

/// Whether a community has a feed: one that an anonymous visitor may see.
pub fn community_has_feed(view: &CommunityView) -> bool {
    policy::can_see_community(&Viewer::ANONYMOUS, view.visibility())
}

impl App {
    /// The feed of a discussion space, as an anonymous visitor may read it.
    pub async fn space_feed(&self, community_slug: &str, space_slug: &str) -> AppResult<Feed> {
        let view = self.space(None, community_slug, space_slug).await?;
        if !has_feed(&view) {
            return Err(AppError::NotFound("feed"));
        }
        let created = view.space.created_at;
        let spaces = vec![view.space.clone()];
        self.feed_of(view.community.community, Some(view.space), spaces, created)
            .await
    }

    /// The feed of a community: the latest topics of the discussion spaces an anonymous
    /// visitor may read.
    pub async fn community_feed(&self, community_slug: &str) -> AppResult<Feed> {
        let view = self.community(None, community_slug).await?;
        if !community_has_feed(&view) {
            return Err(AppError::NotFound("feed"));
        }
        let spaces: Vec<SpaceRow> = self
            .visible_spaces(&view)
            .await?
            .into_iter()
            .filter(|s| kind_of(s) == SpaceKind::Discussion)
            .filter(|s| {
                policy::can_see_space(&Viewer::ANONYMOUS, view.visibility(), visibility_of(s))
                    && !crate::spaces::is_tier_space(&view, s)
            })
            .collect();
        let created = view.community.created_at;
        self.feed_of(view.community, None, spaces, created).await
    }

    async fn feed_of(
        &self,
        community: CommunityRow,
        space: Option<SpaceRow>,
        spaces: Vec<SpaceRow>,
        created_at: i64,
    ) -> AppResult<Feed> {
        let ids: Vec<String> = spaces.iter().map(|s| s.id.clone()).collect();
        let topics = store::newest_in_spaces(self.db(), &ids, FEED_ENTRIES).await?;
        let topic_ids: Vec<String> = topics.iter().map(|t| t.topic.id.clone()).collect();
        let mut first: HashMap<String, store::PostRow> = store::first_posts(self.db(), &topic_ids)
            .await?
            .into_iter()
            .map(|p| (p.topic_id.clone(), p))
            .collect();
        let by_id: HashMap<&str, &SpaceRow> = spaces.iter().map(|s| (s.id.as_str(), s)).collect();
        let entries: Vec<FeedEntry> = topics
            .into_iter()
            .filter_map(|listed| {
                let t = listed.topic;
                let post = first.remove(&t.id)?;
                let space = by_id.get(t.space_id.as_str())?;
                Some(FeedEntry {
                    tags: t.tags.split_whitespace().map(str::to_string).collect(),
                    author_name: listed.author_name,
                    space_slug: space.slug.clone(),
                    space_name: space.name.clone(),
                    content_html: post.body_html,
                    published_at: t.created_at,
                    updated_at: post.edited_at.unwrap_or(t.created_at).max(t.created_at),
                    topic_id: t.id,
                    title: t.title,
                })
            })
            .collect();
        let updated_at = entries
            .iter()
            .map(|e| e.updated_at)
            .max()
            .unwrap_or(created_at);
        Ok(Feed {
            community,
            space,
            entries,
            updated_at,
        })
    }
}
