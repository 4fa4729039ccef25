//! Demo application questions: the council (which approves its members) asks three, and each
//! pending request carries believable answers.

use crate::AppResult;
use townsquare_store::applications::{self as store, QuestionRow};
use townsquare_store::communities::CommunityRow;
use townsquare_store::Tx;

const QUESTIONS: [(&str, &str, bool); 3] = [
    (
        "Which Acme products does your team use, and for how long?",
        "Rough numbers are fine: products, seats, years.",
        true,
    ),
    (
        "What would you most like to influence on the roadmap?",
        "",
        true,
    ),
    ("Anything else we should know? (optional)", "", false),
];

/// Answers, one set per pending request (taken in turn).
const ANSWERS: [[&str; 3]; 4] = [
    [
        "Acme Analytics and Acme Sync, about three years; 40 seats in our data team.",
        "Better audit logs and exports we can feed to our warehouse.",
        "Happy to host a roundtable in Chicago.",
    ],
    [
        "Acme Sync since last spring, rolled out to two regional offices.",
        "Offline mode for field staff.",
        "",
    ],
    [
        "Acme Analytics, since 2021. I'm the admin for our whole account.",
        "Role-based access that matches how our departments are organised.",
        "We were part of the beta programme for dashboards.",
    ],
    [
        "Evaluating Acme Sync in a pilot with 12 people.",
        "Pricing for non-profits, and SSO on the smaller plans.",
        "",
    ],
];

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    pending: &[(String, i64)],
) -> AppResult<()> {
    for (position, (prompt, help, required)) in QUESTIONS.iter().enumerate() {
        store::insert_question(
            tx,
            &QuestionRow {
                id: townsquare_domain::new_id(),
                community_id: c.id.clone(),
                prompt: prompt.to_string(),
                help: help.to_string(),
                required: *required,
                position: position as i64,
                created_at: c.created_at,
            },
        )
        .await?;
    }
    for (i, (user_id, requested_at)) in pending.iter().enumerate() {
        let answers: Vec<(String, String)> = QUESTIONS
            .iter()
            .zip(ANSWERS[i % ANSWERS.len()])
            .filter(|(_, a)| !a.is_empty())
            .map(|((q, _, _), a)| (q.to_string(), a.to_string()))
            .collect();
        store::replace_answers(tx, &c.id, user_id, &answers, *requested_at).await?;
    }
    Ok(())
}
