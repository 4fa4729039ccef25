//! Significant terms in topic titles (docs/metrics.md, "Trending"): the words of the titles
//! of the recent days whose share of topics most exceeds their share in the baseline days.
//! Titles are short, so a term counts once per topic; common English words and words shorter
//! than three letters carry no subject and are left out.

use super::lists::trend_lift;
use std::collections::{BTreeSet, HashMap};

/// A term needs this many recent topics to trend: words are noisier than tags.
pub const TERM_MIN_TOPICS: i64 = 3;

const STOP_WORDS: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "best", "but", "can", "could",
    "did", "does", "doing", "for", "from", "get", "getting", "got", "had", "has", "have", "help",
    "here", "how", "into", "its", "just", "like", "make", "more", "most", "need", "new", "not",
    "now", "off", "one", "our", "out", "over", "should", "some", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "too", "two", "use", "using", "via",
    "want", "was", "way", "what", "when", "where", "which", "who", "why", "will", "with",
    "without", "would", "you", "your",
];

/// The distinct terms of a title, lower-cased.
pub fn title_terms(title: &str) -> BTreeSet<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3)
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct TermTrend {
    pub term: String,
    /// Recent topics whose title holds the term, and baseline ones.
    pub recent: i64,
    pub baseline: i64,
    pub lift: f64,
}

/// The terms of `recent` titles that trend against `baseline` titles, by lift, then recent
/// count, then the term; at most `limit`.
pub fn significant_terms(recent: &[&str], baseline: &[&str], limit: usize) -> Vec<TermTrend> {
    let count = |titles: &[&str]| {
        let mut counts: HashMap<String, i64> = HashMap::new();
        for t in titles {
            for term in title_terms(t) {
                *counts.entry(term).or_default() += 1;
            }
        }
        counts
    };
    let (now, before) = (count(recent), count(baseline));
    let (recent_total, baseline_total) = (recent.len() as i64, baseline.len() as i64);
    let mut out: Vec<TermTrend> = now
        .into_iter()
        .filter(|(_, n)| *n >= TERM_MIN_TOPICS)
        .map(|(term, n)| {
            let b = before.get(&term).copied().unwrap_or(0);
            TermTrend {
                lift: trend_lift(n, recent_total, b, baseline_total),
                term,
                recent: n,
                baseline: b,
            }
        })
        .filter(|t| t.lift > 0.0)
        .collect();
    out.sort_by(|a, b| {
        b.lift
            .partial_cmp(&a.lift)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| b.recent.cmp(&a.recent))
            .then_with(|| a.term.cmp(&b.term))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_give_their_subject_words_once_each() {
        let terms: Vec<String> =
            title_terms("How do we sign releases? Sigstore, sigstore & 2FA in CI 2026")
                .into_iter()
                .collect();
        assert_eq!(terms, ["2fa", "releases", "sign", "sigstore"]);
    }

    #[test]
    fn a_term_trends_when_its_share_of_recent_topics_grows() {
        let recent = [
            "Sigstore for our releases",
            "Is sigstore worth it?",
            "Sigstore keyless signing in CI",
            "Meetup photos",
        ];
        let baseline = [
            "Release notes format",
            "Meetup in Berlin",
            "Meetup venues",
            "Docs",
        ];
        let trends = significant_terms(&recent, &baseline, 5);
        assert_eq!(trends.len(), 1, "{trends:?}");
        assert_eq!(trends[0].term, "sigstore");
        assert_eq!((trends[0].recent, trends[0].baseline), (3, 0));
        assert!((trends[0].lift - 0.75).abs() < 1e-9);
        // Two recent topics are not enough, and a steady word does not trend.
        let steady = ["Meetup a", "Meetup b", "Meetup c", "Other"];
        assert!(
            significant_terms(&steady, &["Meetup x", "Meetup y", "Meetup z", "Else"], 5).is_empty()
        );
    }
}
