//! Atom and RSS feeds of public discussion spaces (and of a public community's spaces).
//!
//! Feed readers fetch without cookies, so these handlers take no session: the app builds each
//! feed for an anonymous visitor, and anything such a visitor may not read is not found.
//! The XML is written by `atom_syndication` and `rss`, which escape every value; the entries'
//! content is the first post's HTML as sanitized when it was written.

use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use townsquare_app::feeds::Feed;
use townsquare_app::AppError;

pub const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";
pub const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/s/{space}/feed.atom", get(space_atom))
        .get("/c/{slug}/s/{space}/feed.rss", get(space_rss))
        .get("/c/{slug}/feed.atom", get(community_atom))
}

/// The path of a space's Atom feed, for `<link rel="alternate">`.
pub fn space_atom_path(community_slug: &str, space_slug: &str) -> String {
    format!("/c/{community_slug}/s/{space_slug}/feed.atom")
}

async fn space_atom(
    State(state): State<AppState>,
    Path((slug, space)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let feed = state.app.space_feed(&slug, &space).await?;
    let base = &state.app.settings().base_url;
    let self_url = format!("{base}{}", space_atom_path(&slug, &space));
    xml(ATOM_TYPE, atom(&feed, base, &self_url)?)
}

async fn space_rss(
    State(state): State<AppState>,
    Path((slug, space)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let feed = state.app.space_feed(&slug, &space).await?;
    let base = &state.app.settings().base_url;
    let self_url = format!("{base}/c/{slug}/s/{space}/feed.rss");
    xml(RSS_TYPE, rss(&feed, base, &self_url)?)
}

async fn community_atom(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let feed = state.app.community_feed(&slug).await?;
    let base = &state.app.settings().base_url;
    let self_url = format!("{base}/c/{slug}/feed.atom");
    xml(ATOM_TYPE, atom(&feed, base, &self_url)?)
}

fn xml(content_type: &'static str, body: String) -> Result<Response, HtmlError> {
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(res)
}

fn time(micros: i64) -> DateTime<FixedOffset> {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .fixed_offset()
}

fn title_of(feed: &Feed) -> String {
    match &feed.space {
        Some(space) => format!("{} · {}", space.name, feed.community.name),
        None => feed.community.name.clone(),
    }
}

fn subtitle_of(feed: &Feed) -> String {
    let description = match &feed.space {
        Some(space) => space.description.trim(),
        None => feed.community.description.trim(),
    };
    if description.is_empty() {
        format!("The latest topics of {}.", title_of(feed))
    } else {
        description.to_string()
    }
}

/// The page a feed stands for: the space, or the community's home.
fn page_url(feed: &Feed, base: &str) -> String {
    let c = &feed.community.slug;
    match &feed.space {
        Some(space) => format!("{base}/c/{c}/s/{}", space.slug),
        None => format!("{base}/c/{c}"),
    }
}

fn topic_url(feed: &Feed, base: &str, topic_id: &str) -> String {
    format!("{base}/c/{}/t/{topic_id}", feed.community.slug)
}

fn internal(e: impl std::fmt::Display) -> HtmlError {
    AppError::Internal(format!("feed: {e}")).into()
}

fn atom(feed: &Feed, base: &str, self_url: &str) -> Result<String, HtmlError> {
    use atom_syndication::{Category, Content, Entry, Link, Person, Text};
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Default::default()
    };
    let entries = feed
        .entries
        .iter()
        .map(|e| {
            let url = topic_url(feed, base, &e.topic_id);
            Entry {
                title: Text::plain(e.title.clone()),
                id: url.clone(),
                updated: time(e.updated_at),
                published: Some(time(e.published_at)),
                authors: vec![Person {
                    name: e.author_name.clone(),
                    ..Default::default()
                }],
                categories: e
                    .tags
                    .iter()
                    .map(|t| Category {
                        term: t.clone(),
                        ..Default::default()
                    })
                    .collect(),
                links: vec![link(url, "alternate", Some("text/html"))],
                content: Some(Content {
                    value: Some(e.content_html.clone()),
                    content_type: Some("html".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let doc = atom_syndication::Feed {
        title: Text::plain(title_of(feed)),
        subtitle: Some(Text::plain(subtitle_of(feed))),
        id: self_url.to_string(),
        updated: time(feed.updated_at),
        links: vec![
            link(self_url.to_string(), "self", Some("application/atom+xml")),
            link(page_url(feed, base), "alternate", Some("text/html")),
        ],
        generator: Some(atom_syndication::Generator {
            value: "Townsquare".into(),
            ..Default::default()
        }),
        entries,
        ..Default::default()
    };
    let bytes = doc.write_to(Vec::new()).map_err(internal)?;
    String::from_utf8(bytes).map_err(internal)
}

fn rss(feed: &Feed, base: &str, self_url: &str) -> Result<String, HtmlError> {
    use rss::extension::atom::AtomExtension;
    use rss::extension::dublincore::DublinCoreExtension;
    use rss::{Category, Channel, Guid, Item};
    let items = feed
        .entries
        .iter()
        .map(|e| {
            let url = topic_url(feed, base, &e.topic_id);
            Item {
                title: Some(e.title.clone()),
                link: Some(url.clone()),
                guid: Some(Guid {
                    value: url,
                    permalink: true,
                }),
                pub_date: Some(time(e.published_at).to_rfc2822()),
                // RSS's own <author> is an e-mail address; the name goes in dc:creator.
                dublin_core_ext: Some(DublinCoreExtension {
                    creators: vec![e.author_name.clone()],
                    ..Default::default()
                }),
                categories: e
                    .tags
                    .iter()
                    .map(|t| Category {
                        name: t.clone(),
                        domain: None,
                    })
                    .collect(),
                content: Some(e.content_html.clone()),
                ..Default::default()
            }
        })
        .collect();
    let channel = Channel {
        title: title_of(feed),
        link: page_url(feed, base),
        description: subtitle_of(feed),
        last_build_date: Some(time(feed.updated_at).to_rfc2822()),
        generator: Some("Townsquare".into()),
        atom_ext: Some(AtomExtension {
            links: vec![atom_syndication::Link {
                href: self_url.to_string(),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }],
        }),
        items,
        ..Default::default()
    };
    let bytes = channel.write_to(Vec::new()).map_err(internal)?;
    String::from_utf8(bytes).map_err(internal)
}
