//! Believable post text from a word list and a seeded RNG: common words are common (a
//! Zipf-like pick), so a search for one finds many posts, and a rare marker word appears in
//! a known fraction of posts.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A word in nearly every post (first in the list, so the skewed pick favours it): the
/// worst case for ranking.
pub const VERY_COMMON_WORD: &str = "release";
/// A common word, in roughly one post in ten (near the end of the list).
pub const COMMON_WORD: &str = "garden";
/// Appears in one post out of `MARKER_EVERY` (and nowhere else).
pub const MARKER_WORD: &str = "quokkaformat";
pub const MARKER_EVERY: u64 = 1000;

const WORDS: &[&str] = &[
    "release",
    "the",
    "project",
    "build",
    "we",
    "it",
    "maintainers",
    "issue",
    "tests",
    "version",
    "users",
    "docs",
    "community",
    "library",
    "update",
    "change",
    "contributors",
    "review",
    "merge",
    "branch",
    "support",
    "feature",
    "bug",
    "fix",
    "question",
    "answer",
    "server",
    "client",
    "config",
    "database",
    "migration",
    "deploy",
    "pipeline",
    "license",
    "governance",
    "security",
    "policy",
    "meeting",
    "roadmap",
    "plan",
    "idea",
    "proposal",
    "discussion",
    "thread",
    "reply",
    "topic",
    "schedule",
    "team",
    "volunteer",
    "funding",
    "sponsor",
    "conference",
    "talk",
    "workshop",
    "tutorial",
    "example",
    "guide",
    "template",
    "package",
    "registry",
    "crate",
    "module",
    "compiler",
    "runtime",
    "memory",
    "performance",
    "latency",
    "cache",
    "index",
    "query",
    "search",
    "storage",
    "backup",
    "upgrade",
    "breaking",
    "deprecation",
    "changelog",
    "milestone",
    "label",
    "triage",
    "backlog",
    "sprint",
    "week",
    "month",
    "year",
    "today",
    "tomorrow",
    "yesterday",
    "always",
    "never",
    "sometimes",
    "usually",
    "really",
    "quite",
    "very",
    "just",
    "also",
    "still",
    "already",
    "maybe",
    "probably",
    "definitely",
    "good",
    "great",
    "small",
    "large",
    "simple",
    "hard",
    "easy",
    "slow",
    "fast",
    "stable",
    "flaky",
    "broken",
    "working",
    "ready",
    "done",
    "open",
    "closed",
    "new",
    "old",
    "first",
    "last",
    "next",
    "previous",
    "better",
    "worse",
    "clear",
    "unclear",
    "helpful",
    "friendly",
    "patient",
    "busy",
    "tired",
    "happy",
    "curious",
    "careful",
    "thanks",
    "please",
    "sorry",
    "welcome",
    "agree",
    "disagree",
    "think",
    "believe",
    "know",
    "see",
    "try",
    "use",
    "need",
    "want",
    "like",
    "prefer",
    "suggest",
    "recommend",
    "ask",
    "share",
    "write",
    "read",
    "test",
    "ship",
    "tag",
    "publish",
    "announce",
    "document",
    "explain",
    "measure",
    "profile",
    "benchmark",
    "refactor",
    "rename",
    "remove",
    "add",
    "keep",
    "drop",
    "move",
    "split",
    "combine",
    "handle",
    "report",
    "reproduce",
    "debug",
    "log",
    "trace",
    "metric",
    "dashboard",
    "alert",
    "incident",
    "outage",
    "recovery",
    "mentor",
    "newcomer",
    "onboarding",
    "handbook",
    "charter",
    "vote",
    "consensus",
    "decision",
    "council",
    "steward",
    "owner",
    "reviewer",
    "committer",
    "maintainer",
    "fork",
    "patch",
    "commit",
    "diff",
    "conflict",
    "rebase",
    "history",
    "archive",
    "garden",
    "coffee",
    "weekend",
    "travel",
    "music",
    "book",
    "game",
    "city",
    "river",
];

/// A word: heavily skewed towards the start of the list.
fn word(rng: &mut ChaCha8Rng) -> &'static str {
    let u: f64 = rng.gen();
    let i = (u.powf(2.2) * WORDS.len() as f64) as usize;
    WORDS[i.min(WORDS.len() - 1)]
}

fn sentence(rng: &mut ChaCha8Rng, out: &mut String) {
    let n = rng.gen_range(6..15);
    for i in 0..n {
        let w = word(rng);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.extend(f.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(w);
        }
        if i > 2 && i + 1 < n && rng.gen_ratio(1, 12) {
            out.push(',');
        }
    }
    out.push(if rng.gen_ratio(1, 6) { '?' } else { '.' });
}

/// A topic title: a short capitalised phrase.
pub fn title(rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    let n = rng.gen_range(3..9);
    for i in 0..n {
        let w = word(rng);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    if rng.gen_ratio(1, 3) {
        s.push('?');
    }
    s
}

/// A post: one to three paragraphs of plain sentences (valid Markdown with no markup).
/// Returns (markdown, html, plain text) — the HTML and plain text are what
/// `markdown::render` and `markdown::plain_text` make of it (checked on a sample by the fill).
pub fn post(rng: &mut ChaCha8Rng, marker: bool) -> (String, String, String) {
    let paragraphs = rng.gen_range(1..4);
    let mut paras: Vec<String> = Vec::with_capacity(paragraphs);
    for p in 0..paragraphs {
        let mut s = String::new();
        let n = rng.gen_range(1..4);
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            sentence(rng, &mut s);
        }
        if marker && p == 0 {
            s.push_str(" Try the ");
            s.push_str(MARKER_WORD);
            s.push_str(" tool.");
        }
        paras.push(s);
    }
    let markdown = paras.join("\n\n");
    let mut html = String::with_capacity(markdown.len() + 16);
    for p in &paras {
        html.push_str("<p>");
        html.push_str(p);
        html.push_str("</p>\n");
    }
    let plain = paras.join(" ");
    (markdown, html, plain)
}

/// Tags a topic may carry.
pub const TAGS: &[&str] = &[
    "help",
    "release",
    "ci",
    "docs",
    "governance",
    "security",
    "rust",
    "meta",
];

/// A short reply for the create-reply scenario.
pub fn reply(rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    sentence(rng, &mut s);
    s
}
