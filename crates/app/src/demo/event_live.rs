//! Demo of what happens during and after events: Q&A questions with upvotes (some answered),
//! polls with ballots, recordings and resources, recap and AMA archive topics, feedback from
//! attendees, and an upcoming AMA collecting questions; all with their activity records.

use super::record_with;
use crate::clock::{MICROS_PER_DAY, MICROS_PER_MINUTE};
use crate::AppResult;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use townsquare_domain::{markdown, new_id};
use townsquare_store::accounts::UserRow;
use townsquare_store::communities::CommunityRow;
use townsquare_store::discussions::{self as topics, PostRow, TopicRow};
use townsquare_store::event_followups::{self as followups, FeedbackRow, MaterialRow};
use townsquare_store::event_live::{self as live, PollRow, QuestionRow};
use townsquare_store::events::EventRow;
use townsquare_store::{search, Tx};

/// What one demo event gets, by title.
struct LiveSeed {
    title: &'static str,
    /// (question, the host's answer: None unanswered, Some("") answered aloud).
    questions: &'static [(&'static str, Option<&'static str>)],
    /// (question, options, multiple choice).
    poll: Option<(&'static str, &'static [&'static str], bool)>,
    recording: Option<&'static str>,
    resources: &'static [(&'static str, &'static str)],
    /// Markdown recap published in the community's main discussion space.
    recap: Option<&'static str>,
    /// Archive the answered questions as a topic (AMAs).
    archive: bool,
}

const SEEDS: &[LiveSeed] = &[
    LiveSeed {
        title: "Maintainer office hours: triaging a flood of issues",
        questions: &[
            ("How do you decide which issues to close without a reply?", None),
            ("Do stale bots help or just annoy contributors?", None),
            ("What goes into a good issue template for a small library?", None),
            ("How do you hand triage over to new co-maintainers?", None),
        ],
        poll: None,
        recording: None,
        resources: &[],
        recap: None,
        archive: false,
    },
    LiveSeed {
        title: "Webinar: sustainable funding for open source",
        questions: &[
            ("Did dual licensing cost you contributors?", Some("A few at first. Being upfront in the README about *why* brought most of them back.")),
            ("Which grant programmes are open to individuals?", Some("Several foundations fund individuals; the slides list the ones our speakers used, with deadlines.")),
            ("How do you price a support contract?", Some("")),
            ("Is GitHub Sponsors enough for a full-time maintainer?", None),
            ("How much time does grant reporting take?", None),
        ],
        poll: Some(("How is your project funded today?", &["Not at all", "Donations and sponsors", "Grants", "An employer pays me", "Support contracts"], true)),
        recording: Some("https://video.demo.townsquare.test/funding-webinar"),
        resources: &[
            ("Slides: four ways to fund a project", "https://slides.demo.townsquare.test/funding"),
            ("Spreadsheet: our sponsorship numbers", "https://sheets.demo.townsquare.test/funding-numbers"),
        ],
        recap: Some("Thanks to the **64 people** who joined! The short version:\n\n\
            - Sponsorships grow slowly; tie them to something visible (a roadmap, office hours).\n\
            - Grants fund *projects*, not maintenance: frame maintenance as a project.\n\
            - Support contracts pay best, and cost the most time.\n\n\
            The recording and slides are on the event page."),
        archive: false,
    },
    LiveSeed {
        title: "AMA: moving a project to a foundation",
        questions: &[
            ("Who owns the trademark after the move?", Some("The foundation does; we kept a say through the project's technical committee.")),
            ("How long did the whole process take?", Some("Eight months from the first call to the announcement, mostly waiting for lawyers.")),
            ("Did you have to change the licence?", Some("No. The foundation accepted our Apache-2.0 licence as it was.")),
            ("Would you do it again?", Some("")),
            ("What does the foundation charge?", None),
        ],
        poll: Some(("Would your project join a foundation?", &["Yes, soon", "Some day", "No"], false)),
        recording: Some("https://video.demo.townsquare.test/foundation-ama"),
        resources: &[("Checklist: before you talk to a foundation", "https://notes.demo.townsquare.test/foundation-checklist")],
        recap: None,
        archive: true,
    },
    LiveSeed {
        title: "Q4 customer roundtable",
        questions: &[
            ("When does audit logging reach the EU region?", Some("In the first quarter; the roadmap slide has the date.")),
            ("Can SSO be enforced per team?", Some("")),
            ("Will the API get webhooks for user changes?", None),
        ],
        poll: Some(("What should we build first next year?", &["Audit log export", "Webhooks", "Custom roles"], false)),
        recording: None,
        resources: &[("Roadmap slides, Q4", "https://slides.demo.townsquare.test/roadmap-q4")],
        recap: Some("Seventeen customers came to Chicago. **Audit log export** won the vote for next \
            year's first feature, ahead of webhooks.\n\nThanks for the candid feedback on SSO \
            roll-outs: we will run a dedicated workshop."),
        archive: false,
    },
];

const FEEDBACK_COMMENTS: &[&str] = &[
    "Very practical, thank you.",
    "Great speakers; the Q&A could have been longer.",
    "Would love the slides before the session next time.",
    "Exactly the level of detail I needed.",
    "The audio dropped a couple of times, otherwise excellent.",
];

/// Where the recap and archive topics go.
pub(super) struct TopicSpaces<'a> {
    pub recap: Option<&'a str>,
    pub archive: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    e: &EventRow,
    host: &UserRow,
    registrants: &[(&UserRow, bool)],
    spaces: &TopicSpaces<'_>,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let Some(s) = SEEDS.iter().find(|s| s.title == e.title) else {
        return Ok(());
    };
    let over = e.ends_at < now;
    // Who could take part: attendees of a past event, registrants of an upcoming AMA.
    let people: Vec<&UserRow> = registrants
        .iter()
        .filter(|(_, attended)| *attended || !over)
        .map(|(u, _)| *u)
        .collect();
    if people.is_empty() {
        return Ok(());
    }
    // Questions: asked before the start (AMA) or during the event, upvoted by others.
    let (asked_from, asked_until) = if over {
        (e.starts_at, e.ends_at - 10 * MICROS_PER_MINUTE)
    } else {
        (now - 3 * MICROS_PER_DAY, now - MICROS_PER_MINUTE)
    };
    for (i, (text, answer)) in s.questions.iter().enumerate() {
        let author = people[i % people.len()];
        let at = rng.gen_range(asked_from..asked_until.max(asked_from + 1));
        let q = QuestionRow {
            id: new_id(),
            event_id: e.id.clone(),
            author_id: author.id.clone(),
            body: text.to_string(),
            vote_count: 0,
            answer: String::new(),
            answered_at: None,
            answered_by: None,
            hidden_at: None,
            created_at: at,
        };
        live::insert_question(tx, &q).await?;
        record(
            tx,
            c,
            &author.id,
            "event_question_asked",
            e,
            json!({"question_id": q.id}),
            at,
        )
        .await?;
        let voters = rng.gen_range(0..people.len().min(12) + 1);
        for voter in people.choose_multiple(rng, voters) {
            if voter.id == author.id {
                continue;
            }
            let voted_at = (at + rng.gen_range(1..30) * MICROS_PER_MINUTE).min(now - 1);
            if live::add_vote(tx, &q.id, &voter.id, voted_at).await? {
                record(
                    tx,
                    c,
                    &voter.id,
                    "event_question_upvoted",
                    e,
                    json!({"question_id": q.id}),
                    voted_at,
                )
                .await?;
            }
        }
        if let (Some(answer), true) = (answer, over) {
            let at = e.starts_at + (i as i64 + 1) * 8 * MICROS_PER_MINUTE;
            live::set_answer(tx, &q.id, answer, Some(at), Some(&host.id)).await?;
        }
    }

    if let Some((question, options, multiple)) = s.poll {
        let opened = e.starts_at + 5 * MICROS_PER_MINUTE;
        let poll = PollRow {
            id: new_id(),
            event_id: e.id.clone(),
            question: question.into(),
            choice: if multiple { "multiple" } else { "single" }.into(),
            results: "after_vote".into(),
            status: "draft".into(),
            created_by: host.id.clone(),
            created_at: e.starts_at - MICROS_PER_DAY,
            opened_at: None,
            closed_at: None,
        };
        let option_rows: Vec<(String, String)> =
            options.iter().map(|o| (new_id(), o.to_string())).collect();
        live::insert_poll(tx, &poll, &option_rows).await?;
        live::set_poll_status(tx, &poll.id, "open", opened).await?;
        for voter in &people {
            if !rng.gen_bool(0.8) {
                continue;
            }
            // Earlier options are likelier: polls are rarely even.
            let first = rng
                .gen_range(0..option_rows.len())
                .min(rng.gen_range(0..option_rows.len()));
            let mut chosen = vec![option_rows[first].0.clone()];
            if multiple && rng.gen_bool(0.4) {
                let other = rng.gen_range(0..option_rows.len());
                if other != first {
                    chosen.push(option_rows[other].0.clone());
                }
            }
            let at = opened + rng.gen_range(1..10) * MICROS_PER_MINUTE;
            live::cast_ballot(tx, &poll.id, &voter.id, &chosen, at).await?;
            record(
                tx,
                c,
                &voter.id,
                "event_poll_voted",
                e,
                json!({"poll_id": poll.id}),
                at,
            )
            .await?;
        }
        live::set_poll_status(tx, &poll.id, "closed", opened + 15 * MICROS_PER_MINUTE).await?;
    }

    if !over {
        return Ok(());
    }
    let after = e.ends_at + 2 * 60 * MICROS_PER_MINUTE;
    if let Some(url) = s.recording {
        material(
            tx,
            e,
            host,
            "recording",
            &format!("Recording: {}", e.title),
            url,
            after,
        )
        .await?;
        for viewer in registrants.iter().map(|(u, _)| *u) {
            if rng.gen_bool(0.45) {
                let at = rng.gen_range(after..now.max(after + 1));
                record(
                    tx,
                    c,
                    &viewer.id,
                    "event_recording_viewed",
                    e,
                    json!({}),
                    at,
                )
                .await?;
            }
        }
    }
    for (title, url) in s.resources {
        material(tx, e, host, "resource", title, url, after).await?;
    }
    followups::lock_followup(tx, &e.id).await?;
    if let (Some(body), Some(space)) = (s.recap, spaces.recap) {
        let topic = publish(
            tx,
            c,
            space,
            host,
            &format!("Recap: {}", e.title),
            body,
            "recap",
            after,
        )
        .await?;
        followups::set_recap_topic(tx, &e.id, &topic).await?;
    }
    // The AMA's archive and feedback request are left to the jobs, as on a real server: the
    // hosts chose where the archive goes, and the jobs (due since the end) run when the demo
    // is seeded.
    let by_jobs = s.archive && spaces.archive.is_some();
    if let (true, Some(space)) = (s.archive, spaces.archive) {
        followups::set_followup_settings(
            tx,
            &e.id,
            Some(followups::DEFAULT_FEEDBACK_DELAY_MINUTES),
            Some(space),
        )
        .await?;
        crate::event_followups::schedule_followups(tx, e, now).await?;
    }

    // Feedback: the request went out the morning after; most attendees answered.
    let asked = e.ends_at + 16 * 60 * MICROS_PER_MINUTE;
    if asked < now {
        if !by_jobs {
            followups::set_feedback_requested(tx, &e.id, asked).await?;
        }
        for attendee in &people {
            if !rng.gen_bool(0.6) {
                continue;
            }
            let rating = *[3, 4, 4, 5, 5, 5].choose(rng).unwrap_or(&4);
            let comment = if rng.gen_bool(0.4) {
                FEEDBACK_COMMENTS.choose(rng).copied().unwrap_or_default()
            } else {
                ""
            };
            let at = rng.gen_range(asked..(asked + 2 * MICROS_PER_DAY).min(now).max(asked + 1));
            followups::upsert_feedback(
                tx,
                &FeedbackRow {
                    event_id: e.id.clone(),
                    user_id: attendee.id.clone(),
                    rating,
                    comment: comment.into(),
                    created_at: at,
                    updated_at: at,
                },
            )
            .await?;
            record(
                tx,
                c,
                &attendee.id,
                "event_feedback_given",
                e,
                json!({"rating": rating, "first": true}),
                at,
            )
            .await?;
        }
    }
    Ok(())
}

async fn record(
    tx: &mut Tx,
    c: &CommunityRow,
    actor: &str,
    verb: &str,
    e: &EventRow,
    detail: serde_json::Value,
    at: i64,
) -> AppResult<()> {
    record_with(tx, c, actor, verb, "event", &e.id, at, detail).await
}

async fn material(
    tx: &mut Tx,
    e: &EventRow,
    host: &UserRow,
    kind: &str,
    title: &str,
    url: &str,
    at: i64,
) -> AppResult<()> {
    followups::insert_material(
        tx,
        &MaterialRow {
            id: new_id(),
            event_id: e.id.clone(),
            kind: kind.into(),
            title: title.into(),
            url: url.into(),
            created_by: host.id.clone(),
            created_at: at,
            file_id: None,
        },
    )
    .await?;
    Ok(())
}

/// A topic by the host, as the recap and archive use cases would write it.
#[allow(clippy::too_many_arguments)]
async fn publish(
    tx: &mut Tx,
    c: &CommunityRow,
    space_id: &str,
    host: &UserRow,
    title: &str,
    body: &str,
    tag: &str,
    at: i64,
) -> AppResult<String> {
    let topic = TopicRow {
        id: new_id(),
        community_id: c.id.clone(),
        space_id: space_id.to_string(),
        author_id: host.id.clone(),
        title: title.to_string(),
        tags: tag.to_string(),
        is_question: false,
        accepted_post_id: None,
        pinned: false,
        locked: false,
        reply_count: 0,
        reaction_count: 0,
        last_post_at: at,
        last_poster_id: Some(host.id.clone()),
        created_at: at,
        deleted_at: None,
        held_at: None,
    };
    topics::insert_topic(tx, &topic).await?;
    let post = PostRow {
        id: new_id(),
        topic_id: topic.id.clone(),
        community_id: c.id.clone(),
        space_id: space_id.to_string(),
        author_id: host.id.clone(),
        reply_to_id: None,
        is_first: true,
        body_markdown: body.to_string(),
        body_html: markdown::render(body),
        reaction_count: 0,
        created_at: at,
        edited_at: None,
        deleted_at: None,
        hidden_at: None,
        held_at: None,
    };
    topics::insert_post(tx, &post).await?;
    search::index_post(tx, &post.id, title, &markdown::plain_text(body)).await?;
    record_with(
        tx,
        c,
        &host.id,
        "topic_created",
        "topic",
        &topic.id,
        at,
        json!({"demo": true}),
    )
    .await?;
    Ok(topic.id)
}
