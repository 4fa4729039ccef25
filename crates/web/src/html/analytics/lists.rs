//! The dashboard's lists, formatted for the page: support, top content, trending tags,
//! champions, quiet experts and members at risk.

use townsquare_app::analytics::lists::Lists;
use townsquare_app::store::spaces::SpaceRow;
use townsquare_domain::analytics::date_of_day;

pub struct Person {
    pub user_id: String,
    pub name: String,
    /// What they did, in words.
    pub detail: String,
    pub figure: String,
}

pub struct ContentLine {
    pub topic_id: String,
    /// `#post-…` for a post, empty for a topic.
    pub anchor: String,
    pub title: String,
    pub detail: String,
}

pub struct TagLine {
    pub tag: String,
    pub detail: String,
    pub examples: Vec<(String, String)>,
}

/// One of the people lists, with what the page says about it.
pub struct PeopleList {
    pub id: &'static str,
    pub title: &'static str,
    pub hint: String,
    pub empty: &'static str,
    /// The `list` of the CSV export.
    pub list: &'static str,
    pub rows: Vec<Person>,
}

pub struct ListsView {
    pub space_name: Option<String>,
    /// `&space=…` for the CSV links (empty without a filter).
    pub space_query: String,
    pub questions: i64,
    pub deflection_rate: String,
    pub median_response: String,
    pub responded: i64,
    pub top_topics: Vec<ContentLine>,
    pub top_posts: Vec<ContentLine>,
    pub trending_window: String,
    pub trending: Vec<TagLine>,
    /// Significant words in titles, shown like tags.
    pub trending_terms: Vec<TagLine>,
    pub people: Vec<PeopleList>,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "3 h 20 min", "12 min", "2 d 4 h".
pub fn duration(secs: i64) -> String {
    let mins = secs / 60;
    match mins {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), (m / 60) % 24),
    }
}

impl ListsView {
    pub fn of(l: &Lists, spaces: &[SpaceRow]) -> ListsView {
        let space_of = |id: &str| {
            spaces
                .iter()
                .find(|s| s.id == id)
                .map_or(String::new(), |s| s.name.clone())
        };
        let d = &l.deflection;
        let date = |day: i64| date_of_day(day).format("%-d %b %Y").to_string();
        ListsView {
            space_name: l.space.as_ref().map(|s| s.name.clone()),
            space_query: l
                .space
                .as_ref()
                .map_or(String::new(), |s| format!("&space={}", s.slug)),
            questions: d.questions,
            deflection_rate: format!("{:.1}%", d.rate * 100.0),
            median_response: d
                .median_first_response_secs
                .map_or("—".into(), duration),
            responded: d.responded,
            top_topics: l
                .top_topics
                .iter()
                .map(|t| ContentLine {
                    topic_id: t.topic_id.clone(),
                    anchor: String::new(),
                    title: t.title.clone(),
                    detail: format!(
                        "in {} · {}, {}, {}",
                        space_of(&t.space_id),
                        plural(t.replies, "reply", "replies"),
                        plural(t.reactions, "reaction", "reactions"),
                        plural(t.participants, "participant", "participants")
                    ),
                })
                .collect(),
            top_posts: l
                .top_posts
                .iter()
                .map(|p| ContentLine {
                    topic_id: p.topic_id.clone(),
                    anchor: format!("#post-{}", p.post_id),
                    title: p.topic_title.clone(),
                    detail: format!(
                        "by {} · {}, {}",
                        p.author_name,
                        plural(p.reactions, "reaction", "reactions"),
                        plural(p.replies, "direct reply", "direct replies")
                    ),
                })
                .collect(),
            trending_window: format!(
                "New topics of {} – {} against {} – {}",
                date(l.trending_recent.0),
                date(l.trending_recent.1),
                date(l.trending_baseline.0),
                date(l.trending_baseline.1)
            ),
            trending_terms: l
                .trending_terms
                .iter()
                .map(|t| TagLine {
                    tag: t.trend.term.clone(),
                    detail: format!(
                        "in {} title{} this week, {} before",
                        t.trend.recent,
                        if t.trend.recent == 1 { "" } else { "s" },
                        t.trend.baseline
                    ),
                    examples: t
                        .examples
                        .iter()
                        .map(|e| (e.topic_id.clone(), e.title.clone()))
                        .collect(),
                })
                .collect(),
            trending: l
                .trending
                .iter()
                .map(|t| TagLine {
                    tag: t.tag.clone(),
                    detail: format!(
                        "{} this week ({:.0}% of new topics), {:.0}% before",
                        plural(t.recent, "topic", "topics"),
                        t.recent_share * 100.0,
                        t.baseline_share * 100.0
                    ),
                    examples: t
                        .examples
                        .iter()
                        .map(|e| (e.topic_id.clone(), e.title.clone()))
                        .collect(),
                })
                .collect(),
            people: vec![
                PeopleList {
                    id: "champions",
                    title: "Champions",
                    hint: "Score: 3 × accepted answers + replies others reacted to + welcomes in the introductions space.".into(),
                    empty: "Nobody helped others in this period yet.",
                    list: "champions",
                    rows: l
                .champions
                .iter()
                .map(|c| Person {
                    user_id: c.help.user_id.clone(),
                    name: c.help.display_name.clone(),
                    detail: format!(
                        "{}, {} others reacted to, {}",
                        plural(c.help.accepted_answers, "accepted answer", "accepted answers"),
                        plural(c.help.helpful_replies, "reply", "replies"),
                        plural(c.help.welcomes, "welcome", "welcomes")
                    ),
                    figure: c.score.to_string(),
                })
                .collect(),
                },
                PeopleList {
                    id: "quiet-experts",
                    title: "Quiet experts",
                    hint: "2 to 5 posts in the period, with an accepted answer for every 4 posts or 2 reactions from others a post.".into(),
                    empty: "No quiet expert in this period.",
                    list: "quiet_experts",
                    rows: l
                .quiet_experts
                .iter()
                .map(|q| Person {
                    user_id: q.posting.user_id.clone(),
                    name: q.posting.display_name.clone(),
                    detail: format!(
                        "{}, {}, {}",
                        plural(q.posting.posts, "post", "posts"),
                        plural(q.posting.accepted_answers, "accepted answer", "accepted answers"),
                        plural(q.posting.reactions_received, "reaction", "reactions")
                    ),
                    figure: format!("{:.1} reactions/post", q.reactions_per_post),
                })
                .collect(),
                },
                PeopleList {
                    id: "at-risk",
                    title: "At risk",
                    empty: "Nobody regular has gone quiet.",
                    list: "at_risk",
                    hint: format!(
                "Active in each month from {} to {}, nothing since {}.",
                townsquare_domain::analytics::month_label(l.at_risk_months.0),
                townsquare_domain::analytics::month_label(l.at_risk_months.1),
                date(l.silent_since)
            ),
                    rows: l
                .at_risk
                .iter()
                .map(|a| Person {
                    user_id: a.member.user_id.clone(),
                    name: a.member.display_name.clone(),
                    detail: format!("last active {}", date(a.member.last_active_day)),
                    figure: format!("{} days silent", a.days_silent),
                })
                .collect(),
                },
            ],
        }
    }
}
