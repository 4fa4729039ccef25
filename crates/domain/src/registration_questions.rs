//! Registration questions: what a host asks members who register for an event (at most five;
//! a short text or one choice among options, required or not), and the checks on answers.
//!
//! Form fields are numbered from 1 (`question_1_prompt`, `question_1_kind`,
//! `question_1_required`, `question_1_options`); answers are keyed by question id
//! (`answer_<id>`), in the HTML form and in the API's errors alike.

use crate::ValidationErrors;

pub const MAX_QUESTIONS: usize = 5;
pub const MAX_PROMPT: usize = 200;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_OPTION: usize = 80;
pub const MAX_ANSWER: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// A short text answer.
    Text,
    /// One of the host's options.
    Choice,
}

impl QuestionKind {
    pub fn parse(s: &str) -> Option<QuestionKind> {
        match s.trim() {
            "text" | "" => Some(QuestionKind::Text),
            "choice" => Some(QuestionKind::Choice),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Text => "text",
            QuestionKind::Choice => "choice",
        }
    }
}

/// A question as the host typed it; `options` one per line (or as a list from the API).
#[derive(Debug, Clone, Default)]
pub struct QuestionDraft {
    pub prompt: String,
    pub kind: String,
    pub required: bool,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub options: Vec<String>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a host's questions. Rows with an empty prompt and no options are skipped (the
/// form's blank rows); errors name `question_<n>_<part>` with `n` the row's number.
pub fn validate_questions(drafts: &[QuestionDraft]) -> Result<Vec<Question>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut questions = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let n = i + 1;
        let prompt = squash(&d.prompt);
        let options_given = d.options.iter().any(|o| !o.trim().is_empty());
        if prompt.is_empty() && !options_given {
            continue;
        }
        if prompt.is_empty() {
            errors.add(&format!("question_{n}_prompt"), "Write the question.");
        } else if prompt.chars().count() > MAX_PROMPT {
            errors.add(
                &format!("question_{n}_prompt"),
                format!("Keep the question to {MAX_PROMPT} characters."),
            );
        }
        let Some(kind) = QuestionKind::parse(&d.kind) else {
            errors.add(
                &format!("question_{n}_kind"),
                "Choose a kind of answer: text or choice.",
            );
            continue;
        };
        let mut options: Vec<String> = Vec::new();
        if kind == QuestionKind::Choice {
            for raw in d.options.iter().flat_map(|o| o.split('\n')) {
                let option = squash(raw);
                if option.is_empty()
                    || options
                        .iter()
                        .any(|o| o.to_lowercase() == option.to_lowercase())
                {
                    continue;
                }
                if option.chars().count() > MAX_OPTION {
                    errors.add(
                        &format!("question_{n}_options"),
                        format!("Keep each option to {MAX_OPTION} characters."),
                    );
                    break;
                }
                options.push(option);
            }
            if options.len() < 2 {
                errors.add(
                    &format!("question_{n}_options"),
                    "Give at least two options, one per line.",
                );
            } else if options.len() > MAX_OPTIONS {
                errors.add(
                    &format!("question_{n}_options"),
                    format!("Give at most {MAX_OPTIONS} options."),
                );
            }
        }
        questions.push(Question {
            prompt,
            kind,
            required: d.required,
            options,
        });
    }
    if questions.len() > MAX_QUESTIONS {
        errors.add(
            "questions",
            format!("Ask at most {MAX_QUESTIONS} questions."),
        );
    }
    errors.finish(questions)
}

/// Checks a member's answer to one question: the text to store, or `None` for an optional
/// question left empty. A choice is matched whatever its case and stored as the host wrote it.
pub fn check_answer(question: &Question, given: Option<&str>) -> Result<Option<String>, String> {
    let given = squash(given.unwrap_or(""));
    if given.is_empty() {
        return if question.required {
            Err(format!("Answer “{}”: it is required.", question.prompt))
        } else {
            Ok(None)
        };
    }
    match question.kind {
        QuestionKind::Text => {
            if given.chars().count() > MAX_ANSWER {
                Err(format!("Keep your answer to {MAX_ANSWER} characters."))
            } else {
                Ok(Some(given))
            }
        }
        QuestionKind::Choice => question
            .options
            .iter()
            .find(|o| o.to_lowercase() == given.to_lowercase())
            .cloned()
            .map(Some)
            .ok_or_else(|| format!("Choose one of the options for “{}”.", question.prompt)),
    }
}

/// Checks every answer; `answer_for(i)` gives what was typed for the `i`th question, whose
/// error goes under `field(i)`. Returns the answers to store, by question index.
pub fn check_answers<'a>(
    questions: &[Question],
    answer_for: impl Fn(usize) -> Option<&'a str>,
    field: impl Fn(usize) -> String,
) -> Result<Vec<(usize, String)>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut answers = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        match check_answer(q, answer_for(i)) {
            Ok(Some(a)) => answers.push((i, a)),
            Ok(None) => {}
            Err(m) => errors.add(&field(i), m),
        }
    }
    errors.finish(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(prompt: &str, kind: &str, required: bool, options: &[&str]) -> QuestionDraft {
        QuestionDraft {
            prompt: prompt.into(),
            kind: kind.into(),
            required,
            options: options.iter().map(|o| o.to_string()).collect(),
        }
    }

    #[test]
    fn blank_rows_are_skipped_and_bad_ones_named() {
        let q = validate_questions(&[
            draft("  Dietary   needs? ", "text", false, &[]),
            draft("", "text", false, &[]),
            draft("T-shirt size", "choice", true, &["S\nM", "m", "L"]),
        ])
        .unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].prompt, "Dietary needs?");
        assert_eq!(q[1].options, ["S", "M", "L"]);
        let e = validate_questions(&[
            draft("Pick one", "choice", true, &["Only"]),
            draft("", "text", false, &["stray"]),
            draft("Odd", "number", false, &[]),
        ])
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["question_1_options", "question_2_prompt", "question_3_kind"]
        );
        let six: Vec<_> = (0..6)
            .map(|i| draft(&format!("Q{i}"), "text", false, &[]))
            .collect();
        assert_eq!(
            validate_questions(&six).unwrap_err().0[0].field,
            "questions"
        );
    }

    #[test]
    fn answers_must_be_given_when_required_and_match_an_option() {
        let qs = validate_questions(&[
            draft("Size", "choice", true, &["S", "M"]),
            draft("Anything else?", "text", false, &[]),
        ])
        .unwrap();
        assert_eq!(check_answer(&qs[0], Some("m")), Ok(Some("M".into())));
        assert!(check_answer(&qs[0], Some("XL")).is_err());
        assert!(check_answer(&qs[0], Some("  ")).is_err());
        assert_eq!(check_answer(&qs[1], None), Ok(None));
        let long = "x".repeat(MAX_ANSWER + 1);
        assert!(check_answer(&qs[1], Some(&long)).is_err());
        let e = check_answers(&qs, |_| None, |i| format!("answer_{i}")).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "answer_0");
    }
}
