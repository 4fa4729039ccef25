//! Automatic protection, configured per community by its admins: keyword and pattern rules
//! that block, hold or flag posts, limits on new members' posts, and per-member rate limits.
//! Patterns run on the `regex` crate's linear-time engine with a compiled-size limit, so no
//! pattern an admin saves can make matching slow.

use crate::roles::text_enum;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// Longest pattern or keyword accepted.
pub const MAX_PATTERN_CHARS: usize = 500;
/// Largest compiled program a pattern may become (bytes); beyond it the pattern is refused.
pub const MAX_COMPILED_BYTES: usize = 256 * 1024;
/// Longest message shown to a member whose post a rule blocks.
pub const MAX_MESSAGE_CHARS: usize = 300;
/// Rules a community may have.
pub const MAX_RULES: usize = 200;

text_enum! {
    /// How a rule matches: a keyword (case-insensitive, whole word) or a regular expression.
    RuleKind {
        Keyword => "keyword",
        Pattern => "pattern",
    }
}

text_enum! {
    /// What a matching rule does: refuse the post with the rule's message, save it but hold it
    /// for a moderator's approval, or publish it with an automatic flag. Mildest last.
    RuleAction {
        Block => "block",
        Hold => "hold",
        Flag => "flag",
    }
}

impl RuleAction {
    pub fn label(self) -> &'static str {
        match self {
            RuleAction::Block => "Block with a message",
            RuleAction::Hold => "Hold for approval",
            RuleAction::Flag => "Publish and flag",
        }
    }

    /// Higher is stronger: when several rules match, the strongest action wins.
    fn weight(self) -> u8 {
        match self {
            RuleAction::Block => 3,
            RuleAction::Hold => 2,
            RuleAction::Flag => 1,
        }
    }
}

/// Compiles what an admin typed into the matcher used on posts, or says what is wrong.
pub fn compile(kind: RuleKind, pattern: &str) -> Result<Regex, String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err(match kind {
            RuleKind::Keyword => "Type the keyword to look for.".into(),
            RuleKind::Pattern => "Type the regular expression to look for.".into(),
        });
    }
    let n = pattern.chars().count();
    if n > MAX_PATTERN_CHARS {
        return Err(format!(
            "Keep it under {MAX_PATTERN_CHARS} characters (this one has {n})."
        ));
    }
    let source = match kind {
        // Whole word: not preceded or followed by a letter, digit or underscore. `\b` where
        // the keyword starts or ends with a word character (cheap to compile, since posts
        // run every rule), an explicit non-word character or the text's edge otherwise.
        RuleKind::Keyword => {
            let is_word = |c: char| c.is_alphanumeric() || c == '_';
            let start = if pattern.chars().next().is_some_and(is_word) {
                r"\b"
            } else {
                r"(?:^|[^\w])"
            };
            let end = if pattern.chars().next_back().is_some_and(is_word) {
                r"\b"
            } else {
                r"(?:[^\w]|$)"
            };
            format!("{start}{}{end}", regex::escape(pattern))
        }
        RuleKind::Pattern => pattern.to_string(),
    };
    RegexBuilder::new(&source)
        .case_insensitive(true)
        .size_limit(MAX_COMPILED_BYTES)
        .dfa_size_limit(4 * MAX_COMPILED_BYTES)
        .nest_limit(64)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!(
                "This pattern is too complex: it would need more than {} KiB to run. \
                 Simplify it (fewer or smaller repetitions such as {{1000}}), or split it \
                 into several rules.",
                limit / 1024
            ),
            regex::Error::Syntax(detail) => {
                let detail = detail
                    .lines()
                    .rev()
                    .find(|l| l.starts_with("error:"))
                    .map(|l| l.trim_start_matches("error:").trim().to_string())
                    .unwrap_or(detail);
                format!("This is not a valid regular expression: {detail}.")
            }
            other => format!("This pattern cannot be used: {other}."),
        })
}

/// Checks the message shown when a rule blocks a post (needed for blocking rules).
pub fn check_message(action: RuleAction, message: &str) -> Result<String, String> {
    let message = message.trim();
    if action == RuleAction::Block && message.is_empty() {
        return Err(
            "Write the message members see when this rule blocks their post: say what to change."
                .into(),
        );
    }
    let n = message.chars().count();
    if n > MAX_MESSAGE_CHARS {
        return Err(format!(
            "Keep the message under {MAX_MESSAGE_CHARS} characters (this one has {n})."
        ));
    }
    Ok(message.to_string())
}

/// A compiled rule, ready to run on posts.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub id: String,
    /// What the rule looks for, as the admin typed it (named in flags and the log).
    pub pattern: String,
    pub kind: RuleKind,
    pub action: RuleAction,
    pub message: String,
    pub regex: Regex,
}

impl CompiledRule {
    /// "keyword “casino”" or "pattern “bit\.ly/\w+”".
    pub fn describe(&self) -> String {
        format!("{} “{}”", self.kind.as_str(), self.pattern)
    }
}

/// What the rules decide about a text: the strongest action among the rules that match, and
/// every rule that matched.
#[derive(Debug, Clone, Default)]
pub struct Verdict<'a> {
    pub matched: Vec<&'a CompiledRule>,
}

impl<'a> Verdict<'a> {
    pub fn action(&self) -> Option<RuleAction> {
        self.matched
            .iter()
            .map(|r| r.action)
            .max_by_key(|a| a.weight())
    }

    /// The first matching rule with the strongest action.
    pub fn deciding(&self) -> Option<&'a CompiledRule> {
        let action = self.action()?;
        self.matched.iter().copied().find(|r| r.action == action)
    }
}

/// Runs every rule on `text`.
pub fn judge<'a>(rules: &'a [CompiledRule], text: &str) -> Verdict<'a> {
    Verdict {
        matched: rules.iter().filter(|r| r.regex.is_match(text)).collect(),
    }
}

/// The community's limits, with safe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A new member's first N posts wait for approval (0: off).
    pub hold_first_posts: i64,
    /// How long a member counts as new, in days.
    pub new_member_days: i64,
    /// Links a new member may put in one post.
    pub new_member_links: i64,
    /// Mentions a new member may put in one post.
    pub new_member_mentions: i64,
    pub posts_per_minute: i64,
    pub topics_per_day: i64,
    pub flags_per_day: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            hold_first_posts: 0,
            new_member_days: 3,
            new_member_links: 2,
            new_member_mentions: 3,
            posts_per_minute: 6,
            topics_per_day: 10,
            flags_per_day: 20,
        }
    }
}

impl Limits {
    /// Checks every limit is in range, all problems at once (field name, message).
    pub fn validate(&self) -> Result<(), Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let ranges: [(&'static str, i64, i64, i64, &str); 7] = [
            (
                "hold_first_posts",
                self.hold_first_posts,
                0,
                100,
                "held first posts",
            ),
            (
                "new_member_days",
                self.new_member_days,
                0,
                365,
                "days a member counts as new",
            ),
            (
                "new_member_links",
                self.new_member_links,
                0,
                1000,
                "links per post",
            ),
            (
                "new_member_mentions",
                self.new_member_mentions,
                0,
                1000,
                "mentions per post",
            ),
            (
                "posts_per_minute",
                self.posts_per_minute,
                1,
                1000,
                "posts per minute",
            ),
            (
                "topics_per_day",
                self.topics_per_day,
                1,
                10_000,
                "topics per day",
            ),
            (
                "flags_per_day",
                self.flags_per_day,
                1,
                10_000,
                "flags per day",
            ),
        ];
        for (field, value, min, max, what) in ranges {
            if !(min..=max).contains(&value) {
                errors.push((
                    field,
                    format!("The number of {what} must be between {min} and {max}."),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Links in a post: Markdown links and bare http(s) addresses outside code.
pub fn count_links(markdown: &str) -> usize {
    let mut n = 0;
    let mut in_link = 0usize;
    let mut in_code = 0usize;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Link { .. }) => {
                n += 1;
                in_link += 1;
            }
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(t) if in_link == 0 && in_code == 0 => {
                let lower = t.to_lowercase();
                n += lower.matches("http://").count() + lower.matches("https://").count();
            }
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind, pattern: &str, action: RuleAction) -> CompiledRule {
        CompiledRule {
            id: pattern.into(),
            pattern: pattern.into(),
            kind,
            action,
            message: String::new(),
            regex: compile(kind, pattern).unwrap(),
        }
    }

    #[test]
    fn keywords_match_whole_words_in_any_case() {
        let r = rule(RuleKind::Keyword, "casino", RuleAction::Hold);
        assert!(r.regex.is_match("Best CASINO in town"));
        assert!(r.regex.is_match("casino!"));
        assert!(!r.regex.is_match("casinos"));
        assert!(!r.regex.is_match("mycasino"));
        let dotted = rule(RuleKind::Keyword, "c++", RuleAction::Flag);
        assert!(dotted.regex.is_match("I like C++ a lot"));
        assert!(!dotted.regex.is_match("I like c a lot"));
        let accented = rule(RuleKind::Keyword, "café", RuleAction::Flag);
        assert!(accented.regex.is_match("Rendez-vous au CAFÉ!"));
        assert!(!accented.regex.is_match("deux cafés"));
    }

    #[test]
    fn invalid_and_pathological_patterns_are_refused_with_a_reason() {
        let e = compile(RuleKind::Pattern, "(unclosed").unwrap_err();
        assert!(e.contains("not a valid regular expression"), "{e}");
        assert!(e.contains("unclosed group"), "{e}");
        let e = compile(RuleKind::Pattern, r"(\w{1000}){1000}").unwrap_err();
        assert!(e.contains("too complex"), "{e}");
        let e = compile(RuleKind::Pattern, &"a".repeat(600)).unwrap_err();
        assert!(e.contains("under 500"), "{e}");
        assert!(compile(RuleKind::Pattern, "  ").is_err());
    }

    #[test]
    fn the_strongest_action_decides() {
        let rules = vec![
            rule(RuleKind::Keyword, "free", RuleAction::Flag),
            rule(RuleKind::Pattern, r"bit\.ly/\w+", RuleAction::Block),
            rule(RuleKind::Keyword, "casino", RuleAction::Hold),
        ];
        let v = judge(&rules, "free casino at bit.ly/abc");
        assert_eq!(v.matched.len(), 3);
        assert_eq!(v.action(), Some(RuleAction::Block));
        assert_eq!(v.deciding().unwrap().pattern, r"bit\.ly/\w+");
        assert_eq!(
            judge(&rules, "free casino").action(),
            Some(RuleAction::Hold)
        );
        assert_eq!(judge(&rules, "nothing here").action(), None);
    }

    #[test]
    fn links_are_counted_outside_code() {
        assert_eq!(
            count_links("see [a](https://a.example) and https://b.example"),
            2
        );
        assert_eq!(count_links("<https://a.example>"), 1);
        assert_eq!(count_links("```\nhttps://code.example\n```"), 0);
        assert_eq!(count_links("no links"), 0);
    }

    #[test]
    fn defaults_are_valid_and_ranges_are_checked() {
        assert!(Limits::default().validate().is_ok());
        let bad = Limits {
            posts_per_minute: 0,
            ..Limits::default()
        };
        assert_eq!(bad.validate().unwrap_err()[0].0, "posts_per_minute");
    }
}
