//! Rules for what happens during and after an event: when the Q&A board takes questions,
//! what a question, a poll, a material link and a feedback rating may be, and when a poll's
//! results may be shown.

use crate::events::EventFormat;
use crate::values::ValidationErrors;

const MINUTE: i64 = 60_000_000;

/// How long before the start a non-AMA event's Q&A board opens: people arrive early and ask.
pub const QUESTIONS_OPEN_MINUTES_BEFORE: i64 = 15;

pub const QUESTION_MIN_CHARS: usize = 5;
pub const QUESTION_MAX_CHARS: usize = 500;
pub const ANSWER_MAX_CHARS: usize = 5_000;
pub const POLL_MIN_OPTIONS: usize = 2;
pub const POLL_MAX_OPTIONS: usize = 10;
pub const FEEDBACK_COMMENT_MAX_CHARS: usize = 2_000;

/// Whether the Q&A board takes new questions at `now`.
///
/// An AMA collects questions from the moment people can register until it ends; any other
/// format from `QUESTIONS_OPEN_MINUTES_BEFORE` minutes before the start until the end.
/// Upvotes follow the same window. Returns the reason when closed.
pub fn questions_open(
    format: EventFormat,
    starts_at: i64,
    ends_at: i64,
    now: i64,
) -> Result<(), &'static str> {
    if now >= ends_at {
        return Err("The event is over: the Q&A board no longer takes questions.");
    }
    if format != EventFormat::Ama && now < starts_at - QUESTIONS_OPEN_MINUTES_BEFORE * MINUTE {
        return Err("The Q&A board opens 15 minutes before the event starts.");
    }
    Ok(())
}

/// A question's text, trimmed, within its length limits.
pub fn check_question(body: &str) -> Result<String, String> {
    let body = body.trim();
    let n = body.chars().count();
    if n < QUESTION_MIN_CHARS {
        return Err(format!(
            "Write your question (at least {QUESTION_MIN_CHARS} characters)."
        ));
    }
    if n > QUESTION_MAX_CHARS {
        return Err(format!(
            "Keep the question under {QUESTION_MAX_CHARS} characters (it has {n})."
        ));
    }
    Ok(body.to_string())
}

/// A host's answer to a question (Markdown; may be empty: "answered live").
pub fn check_answer(answer: &str) -> Result<String, String> {
    let answer = answer.trim();
    let n = answer.chars().count();
    if n > ANSWER_MAX_CHARS {
        return Err(format!(
            "Keep the answer under {ANSWER_MAX_CHARS} characters (it has {n})."
        ));
    }
    Ok(answer.to_string())
}

/// Single choice: one option per ballot; multiple: one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollChoice {
    Single,
    Multiple,
}

impl PollChoice {
    pub fn parse(s: &str) -> Result<PollChoice, String> {
        match s.trim() {
            "" | "single" => Ok(PollChoice::Single),
            "multiple" => Ok(PollChoice::Multiple),
            other => Err(format!("Choice is single or multiple, not {other:?}.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PollChoice::Single => "single",
            PollChoice::Multiple => "multiple",
        }
    }
}

/// When voters see a poll's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollResults {
    /// As soon as they have voted (and everyone once the poll is closed).
    AfterVote,
    /// Only once the host closes the poll.
    AfterClose,
}

impl PollResults {
    pub fn parse(s: &str) -> Result<PollResults, String> {
        match s.trim() {
            "" | "after_vote" => Ok(PollResults::AfterVote),
            "after_close" => Ok(PollResults::AfterClose),
            other => Err(format!(
                "Results are shown after_vote or after_close, not {other:?}."
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PollResults::AfterVote => "after_vote",
            PollResults::AfterClose => "after_close",
        }
    }
}

pub const POLL_DRAFT: &str = "draft";
pub const POLL_OPEN: &str = "open";
pub const POLL_CLOSED: &str = "closed";

/// Whether a viewer may see a poll's tally: hosts always (they run it), everyone once it is
/// closed, and a voter after voting when the poll says so.
pub fn may_see_results(results: PollResults, status: &str, is_host: bool, has_voted: bool) -> bool {
    is_host || status == POLL_CLOSED || (results == PollResults::AfterVote && has_voted)
}

/// A poll as a host writes it.
#[derive(Debug, Clone, Default)]
pub struct PollDraft {
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub results: String,
}

#[derive(Debug, Clone)]
pub struct PollFields {
    pub question: String,
    pub options: Vec<String>,
    pub choice: PollChoice,
    pub results: PollResults,
}

pub fn validate_poll(draft: &PollDraft) -> Result<PollFields, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let question = draft.question.trim().to_string();
    if question.is_empty() || question.chars().count() > 200 {
        errors.add(
            "question",
            "Ask the poll's question in 1 to 200 characters.",
        );
    }
    let options: Vec<String> = draft
        .options
        .iter()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    if options.len() < POLL_MIN_OPTIONS || options.len() > POLL_MAX_OPTIONS {
        errors.add(
            "options",
            format!(
                "Give {POLL_MIN_OPTIONS} to {POLL_MAX_OPTIONS} options (there are {}).",
                options.len()
            ),
        );
    } else if options.iter().any(|o| o.chars().count() > 100) {
        errors.add("options", "Keep each option under 100 characters.");
    } else {
        let mut seen = std::collections::HashSet::new();
        if !options.iter().all(|o| seen.insert(o.to_lowercase())) {
            errors.add("options", "Each option must be different.");
        }
    }
    let choice = PollChoice::parse(&draft.choice).unwrap_or_else(|m| {
        errors.add("choice", m);
        PollChoice::Single
    });
    let results = PollResults::parse(&draft.results).unwrap_or_else(|m| {
        errors.add("results", m);
        PollResults::AfterVote
    });
    errors.finish(PollFields {
        question,
        options,
        choice,
        results,
    })
}

/// A ballot's chosen option ids: at least one, distinct, exactly one for single choice.
pub fn check_ballot(choice: PollChoice, chosen: &[String]) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = chosen
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    ids.sort();
    ids.dedup();
    match (choice, ids.len()) {
        (_, 0) => Err("Choose an option.".into()),
        (PollChoice::Single, n) if n > 1 => Err("This poll takes one option only.".into()),
        _ => Ok(ids),
    }
}

/// A link to a recording or resource: an http(s) address, or one of our uploaded files.
pub fn check_material_url(input: &str) -> Result<String, String> {
    let s = input.trim();
    let web = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && !s.contains(char::is_whitespace);
    let file = s.starts_with("/files/")
        && s.len() > "/files/".len()
        && s["/files/".len()..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if (web || file) && s.len() <= 2_000 {
        Ok(s.to_string())
    } else {
        Err(
            "Give a web address starting with https:// (or an uploaded file's /files/ address)."
                .into(),
        )
    }
}

pub fn check_material_title(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() || s.chars().count() > 200 {
        return Err("Give it a title of 1 to 200 characters.".into());
    }
    Ok(s.to_string())
}

/// A feedback rating (1 to 5 stars) and optional comment.
pub fn check_feedback(rating: i64, comment: &str) -> Result<(i64, String), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if !(1..=5).contains(&rating) {
        errors.add("rating", "Rate the event from 1 to 5.");
    }
    let comment = comment.trim().to_string();
    if comment.chars().count() > FEEDBACK_COMMENT_MAX_CHARS {
        errors.add(
            "comment",
            format!("Keep the comment under {FEEDBACK_COMMENT_MAX_CHARS} characters."),
        );
    }
    errors.finish((rating, comment))
}

/// `part` ÷ `whole` in whole percent, rounded; None when `whole` is zero.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 100 + whole / 2) / whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * MINUTE;

    #[test]
    fn an_ama_collects_questions_before_the_start_other_formats_from_a_quarter_before() {
        let (start, end) = (10 * HOUR, 11 * HOUR);
        assert!(questions_open(EventFormat::Ama, start, end, start - 48 * HOUR).is_ok());
        assert!(questions_open(EventFormat::Webinar, start, end, start - 16 * MINUTE).is_err());
        assert!(questions_open(EventFormat::Webinar, start, end, start - 15 * MINUTE).is_ok());
        assert!(questions_open(EventFormat::Ama, start, end, end).is_err());
    }

    #[test]
    fn polls_need_two_to_ten_distinct_options() {
        let draft = |options: &[&str]| PollDraft {
            question: "Which day?".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            choice: "single".into(),
            results: "after_close".into(),
        };
        assert!(validate_poll(&draft(&["Monday"])).is_err());
        assert!(validate_poll(&draft(&["Monday", "monday"])).is_err());
        assert!(validate_poll(&draft(&["Monday", "Tuesday", " "])).is_ok());
        let eleven: Vec<String> = (0..11).map(|i| format!("Day {i}")).collect();
        let refs: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert!(validate_poll(&draft(&refs)).is_err());
    }

    #[test]
    fn single_choice_ballots_take_one_option() {
        let two = ["a".to_string(), "b".to_string()];
        assert!(check_ballot(PollChoice::Single, &two).is_err());
        assert_eq!(check_ballot(PollChoice::Multiple, &two).unwrap().len(), 2);
        assert!(check_ballot(PollChoice::Multiple, &[]).is_err());
    }

    #[test]
    fn results_show_by_the_poll_rule() {
        use PollResults::*;
        assert!(!may_see_results(AfterVote, POLL_OPEN, false, false));
        assert!(may_see_results(AfterVote, POLL_OPEN, false, true));
        assert!(!may_see_results(AfterClose, POLL_OPEN, false, true));
        assert!(may_see_results(AfterClose, POLL_CLOSED, false, false));
        assert!(may_see_results(AfterClose, POLL_OPEN, true, false));
    }

    #[test]
    fn material_links_are_web_addresses_or_our_files() {
        assert!(check_material_url("https://video.example.org/rec/1").is_ok());
        assert!(check_material_url("/files/0190a1b2-c3d4").is_ok());
        assert!(check_material_url("javascript:alert(1)").is_err());
        assert!(check_material_url("/files/../etc").is_err());
    }
}
