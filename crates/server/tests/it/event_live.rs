//! During and after an event: the Q&A board (one upvote each, registrants only, hosts
//! answer and hide), polls (result visibility, single and multiple choice, exact counts under
//! concurrent ballots), the recap and AMA archive topics, the recording's counted views,
//! feedback from attendees only, and the attendance and participation figures.

use crate::discussions::member;
use crate::events::{create, event_body, events_guild, register};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

fn utc_local(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// An event of `format` in UTC starting at `start`, an hour long.
fn body_at(format: &str, start: i64) -> Value {
    let mut body = event_body(None);
    body["format"] = json!(format);
    body["starts_at"] = json!(utc_local(start));
    body["ends_at"] = json!(utc_local(start + HOUR));
    body["time_zone"] = json!("UTC");
    body
}

fn advance_to(t: &TestApp, at: i64) {
    let now = t.app.now();
    assert!(at > now, "the clock only moves forward");
    t.app.clock().advance(at - now);
}

async fn call(
    t: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    t.api(method, path, Some(token), body).await
}

async fn ok(t: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, value) = call(t, method, path, token, body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {value}"
    );
    value
}

async fn user_id(t: &TestApp, token: &str) -> String {
    ok(t, "GET", "/api/v1/me", token, None).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn ask(t: &TestApp, token: &str, event: &str, body: &str) -> (u16, Value) {
    call(
        t,
        "POST",
        &format!("/api/v1/events/{event}/questions"),
        token,
        Some(json!({ "body": body })),
    )
    .await
}

fn question_id(board: &Value, body: &str) -> String {
    board["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["body"] == body)
        .unwrap_or_else(|| panic!("{body:?} not on the board: {board}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn bodies(board: &Value) -> Vec<String> {
    board["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["body"].as_str().unwrap().to_string())
        .collect()
}

/// Verbs of the community's activity log about events' live parts, oldest first.
async fn live_verbs(t: &TestApp) -> Vec<String> {
    let c = t.app.community(None, "guild").await.unwrap();
    let mut rows = townsquare_app::store::activity::recent_in_community(
        t.app.db(),
        &c.community.id,
        None,
        500,
    )
    .await
    .unwrap();
    rows.reverse();
    rows.into_iter()
        .map(|r| r.activity.verb)
        .filter(|v| {
            v.starts_with("event_question")
                || v.starts_with("event_poll_voted")
                || v.starts_with("event_feedback")
                || v.starts_with("event_recording_viewed")
        })
        .collect()
}

#[tokio::test]
async fn questions_take_one_upvote_each_from_registrants_and_hosts_answer_them() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    // An AMA next spring: its board takes questions from now on.
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    register(&t, &ann, &id).await;
    register(&t, &ben, &id).await;

    let (status, problem) = ask(&t, &ann, &id, " Hi ").await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("body"), "{problem}");
    let (status, problem) = ask(&t, &ann, &id, &"why? ".repeat(120)).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(ask(&t, &ann, &id, "What is on the roadmap?").await.0, 201);
    let (status, board) = ask(&t, &ben, &id, "Will there be a beta?").await;
    assert_eq!(status, 201, "{board}");
    let roadmap = question_id(&board, "What is on the roadmap?");
    let beta = question_id(&board, "Will there be a beta?");

    // Cat did not register: no asking, voting or reading the board.
    assert_eq!(ask(&t, &cat, &id, "Can I ask too?").await.0, 403);
    let vote_path = |q: &str| format!("/api/v1/events/{id}/questions/{q}/vote");
    assert_eq!(
        call(&t, "PUT", &vote_path(&roadmap), &cat, None).await.0,
        403
    );
    assert_eq!(
        call(
            &t,
            "GET",
            &format!("/api/v1/events/{id}/questions"),
            &cat,
            None
        )
        .await
        .0,
        403
    );

    // One upvote each, however often it is sent; taking it back twice takes one.
    for _ in 0..3 {
        ok(&t, "PUT", &vote_path(&roadmap), &ben, None).await;
    }
    let board = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/questions"),
        &ben,
        None,
    )
    .await;
    assert_eq!(bodies(&board)[0], "What is on the roadmap?");
    assert_eq!(board["questions"][0]["votes"], 1);
    assert_eq!(board["questions"][0]["voted"], true);
    ok(&t, "DELETE", &vote_path(&roadmap), &ben, None).await;
    let board = ok(&t, "DELETE", &vote_path(&roadmap), &ben, None).await;
    assert_eq!(board["questions"][0]["votes"], 0, "{board}");
    // Most votes first, then oldest first: two votes lift the later question.
    ok(&t, "PUT", &vote_path(&beta), &ann, None).await;
    let board = ok(&t, "PUT", &vote_path(&beta), &owner, None).await;
    assert_eq!(
        bodies(&board),
        ["Will there be a beta?", "What is on the roadmap?"]
    );
    assert_eq!(board["questions"][0]["votes"], 2);

    // Only hosts answer and hide.
    let answer_path = format!("/api/v1/events/{id}/questions/{roadmap}/answer");
    let answer = json!({"answered": true, "answer": "A **public** roadmap by June."});
    assert_eq!(
        call(&t, "PUT", &answer_path, &ann, Some(answer.clone()))
            .await
            .0,
        403
    );
    ok(&t, "PUT", &answer_path, &owner, Some(answer)).await;
    let hide_path = format!("/api/v1/events/{id}/questions/{beta}/hidden");
    assert_eq!(
        call(&t, "PUT", &hide_path, &ben, Some(json!({"hidden": true})))
            .await
            .0,
        403
    );
    ok(&t, "PUT", &hide_path, &owner, Some(json!({"hidden": true}))).await;
    let seen_by_ann = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/questions"),
        &ann,
        None,
    )
    .await;
    assert_eq!(bodies(&seen_by_ann), ["What is on the roadmap?"]);
    assert!(seen_by_ann["questions"][0]["answered_at"].is_string());
    assert_eq!(
        seen_by_ann["questions"][0]["answer"],
        "A **public** roadmap by June."
    );
    let seen_by_host = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/questions"),
        &owner,
        None,
    )
    .await;
    assert_eq!(seen_by_host["questions"].as_array().unwrap().len(), 2);
    // A hidden question takes no more votes.
    assert_eq!(call(&t, "PUT", &vote_path(&beta), &ann, None).await.0, 404);

    // Other formats open the board 15 minutes before the start.
    let webinar = create(&t, &owner, body_at("webinar", t.app.now() + 2 * HOUR)).await;
    let webinar_id = webinar["id"].as_str().unwrap().to_string();
    register(&t, &ann, &webinar_id).await;
    let (status, problem) = ask(&t, &ann, &webinar_id, "Is it recorded?").await;
    assert_eq!(status, 422, "{problem}");
    advance_to(&t, t.app.now() + 2 * HOUR - 14 * MINUTE);
    assert_eq!(ask(&t, &ann, &webinar_id, "Is it recorded?").await.0, 201);

    assert_eq!(
        live_verbs(&t).await,
        [
            "event_question_asked",
            "event_question_asked",
            "event_question_upvoted",
            "event_question_vote_withdrawn",
            "event_question_upvoted",
            "event_question_upvoted",
            "event_question_answered",
            "event_question_hidden",
            "event_question_asked",
        ]
    );
}

async fn new_poll(t: &TestApp, token: &str, event: &str, body: Value) -> (u16, Value) {
    call(
        t,
        "POST",
        &format!("/api/v1/events/{event}/polls"),
        token,
        Some(body),
    )
    .await
}

fn option_ids(poll: &Value) -> Vec<String> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

async fn ballot(
    t: &TestApp,
    token: &str,
    event: &str,
    poll: &str,
    options: &[&str],
) -> (u16, Value) {
    call(
        t,
        "POST",
        &format!("/api/v1/events/{event}/polls/{poll}/ballot"),
        token,
        Some(json!({ "option_ids": options })),
    )
    .await
}

async fn poll_as(t: &TestApp, token: &str, event: &str, poll: &str) -> Value {
    let polls = ok(
        t,
        "GET",
        &format!("/api/v1/events/{event}/polls"),
        token,
        None,
    )
    .await;
    polls
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == poll)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn poll_results_show_by_their_rule_and_ballots_are_checked() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    register(&t, &ann, &id).await;
    register(&t, &ben, &id).await;

    // 2 to 10 different options; only hosts add polls.
    for options in [
        json!(["Only one"]),
        json!(["Same", "same"]),
        json!((0..11).map(|i| format!("Option {i}")).collect::<Vec<_>>()),
    ] {
        let (status, problem) = new_poll(
            &t,
            &owner,
            &id,
            json!({"question": "Which?", "options": options}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
    }
    let (status, problem) = new_poll(
        &t,
        &owner,
        &id,
        json!({"question": "Which?", "options": ["A", "B"], "choice": "ranked"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let single = json!({"question": "Which day?", "options": ["Monday", "Tuesday", "Friday"], "choice": "single", "results": "after_vote", "open": true});
    assert_eq!(new_poll(&t, &ann, &id, single.clone()).await.0, 403);
    let (status, day) = new_poll(&t, &owner, &id, single).await;
    assert_eq!(status, 201, "{day}");
    let day_id = day["id"].as_str().unwrap().to_string();
    let days = option_ids(&day);
    // The host sees the (empty) tally; Ann, before voting, sees none.
    assert_eq!(day["results_visible"], true);
    let before = poll_as(&t, &ann, &id, &day_id).await;
    assert_eq!(before["results_visible"], false);
    assert!(before["options"][0]["votes"].is_null(), "{before}");

    // Single choice: one option, from this poll, once.
    assert_eq!(
        ballot(&t, &ann, &id, &day_id, &[&days[0], &days[1]])
            .await
            .0,
        422
    );
    assert_eq!(ballot(&t, &ann, &id, &day_id, &[]).await.0, 422);
    assert_eq!(
        ballot(&t, &ann, &id, &day_id, &["not-an-option"]).await.0,
        422
    );
    assert_eq!(ballot(&t, &cat, &id, &day_id, &[&days[0]]).await.0, 403);
    let (status, after) = ballot(&t, &ann, &id, &day_id, &[&days[1]]).await;
    assert_eq!(status, 201, "{after}");
    assert_eq!(after["results_visible"], true);
    assert_eq!(after["options"][1]["votes"], 1);
    assert_eq!(after["options"][1]["chosen"], true);
    assert_eq!(after["ballots"], 1);
    assert_eq!(ballot(&t, &ann, &id, &day_id, &[&days[0]]).await.0, 409);
    // Ben has not voted: still no tally for him.
    assert!(poll_as(&t, &ben, &id, &day_id).await["ballots"].is_null());

    // Multiple choice, results after closing: voters wait for the close.
    let (status, topics) = new_poll(&t, &owner, &id, json!({"question": "Which topics?", "options": ["Rust", "SQL", "CSS"], "choice": "multiple", "results": "after_close", "open": true})).await;
    assert_eq!(status, 201, "{topics}");
    let topics_id = topics["id"].as_str().unwrap().to_string();
    let subjects = option_ids(&topics);
    let (status, voted) = ballot(&t, &ann, &id, &topics_id, &[&subjects[0], &subjects[1]]).await;
    assert_eq!(status, 201, "{voted}");
    assert_eq!(voted["results_visible"], false);
    assert!(voted["options"][0]["votes"].is_null());
    assert_eq!(voted["voted"], true);
    assert_eq!(
        ballot(&t, &ben, &id, &topics_id, &[&subjects[1]]).await.0,
        201
    );
    let host = poll_as(&t, &owner, &id, &topics_id).await;
    assert_eq!(host["options"][1]["votes"], 2, "{host}");
    assert_eq!(host["ballots"], 2);
    let close = format!("/api/v1/events/{id}/polls/{topics_id}/status");
    assert_eq!(
        call(&t, "PUT", &close, &ann, Some(json!({"status": "closed"})))
            .await
            .0,
        403
    );
    ok(&t, "PUT", &close, &owner, Some(json!({"status": "closed"}))).await;
    let closed = poll_as(&t, &ann, &id, &topics_id).await;
    assert_eq!(closed["results_visible"], true);
    let votes: Vec<i64> = closed["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].as_i64().unwrap())
        .collect();
    assert_eq!(votes, [1, 2, 0]);
    let (status, problem) = ballot(&t, &owner, &id, &topics_id, &[&subjects[2]]).await;
    assert_eq!(status, 422, "a closed poll takes no ballots: {problem}");

    // Drafts are the hosts' own until opened.
    let (_, draft) = new_poll(
        &t,
        &owner,
        &id,
        json!({"question": "Next time?", "options": ["Yes", "No"]}),
    )
    .await;
    let draft_id = draft["id"].as_str().unwrap().to_string();
    assert_eq!(draft["status"], "draft");
    assert!(poll_as(&t, &ann, &id, &draft_id).await.is_null());
    let yes = option_ids(&draft)[0].clone();
    assert_eq!(ballot(&t, &ann, &id, &draft_id, &[&yes]).await.0, 404);

    assert_eq!(
        live_verbs(&t).await,
        ["event_poll_voted", "event_poll_voted", "event_poll_voted"]
    );
}

#[tokio::test]
async fn concurrent_ballots_are_counted_exactly_once_each() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    let mut voters = Vec::new();
    for i in 0..12 {
        let token = member(&t, &format!("v{i}@example.org"), &format!("Voter {i}")).await;
        register(&t, &token, &id).await;
        voters.push(token);
    }
    let (_, poll) = new_poll(
        &t,
        &owner,
        &id,
        json!({"question": "Tea or coffee?", "options": ["Tea", "Coffee"], "open": true}),
    )
    .await;
    let poll_id = poll["id"].as_str().unwrap().to_string();
    let options = option_ids(&poll);
    // Every voter sends the same ballot three times at once.
    let attempts = voters.iter().enumerate().flat_map(|(i, token)| {
        let choice = options[i % 2].clone();
        let (t, id, poll_id) = (&t, &id, &poll_id);
        (0..3).map(move |_| {
            let choice = choice.clone();
            async move { ballot(t, token, id, poll_id, &[&choice]).await.0 }
        })
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        12,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        24,
        "{statuses:?}"
    );
    let tally = poll_as(&t, &owner, &id, &poll_id).await;
    assert_eq!(tally["ballots"], 12);
    assert_eq!(tally["options"][0]["votes"], 6);
    assert_eq!(tally["options"][1]["votes"], 6);
}

#[tokio::test]
async fn materials_and_the_recap_follow_the_event() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();

    let (status, problem) = call(
        &t,
        "PUT",
        &format!("/api/v1/events/{id}/recording"),
        &owner,
        Some(json!({"url": "javascript:alert(1)"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        call(
            &t,
            "PUT",
            &format!("/api/v1/events/{id}/recording"),
            &ann,
            Some(json!({"url": "https://video.example.org/1"}))
        )
        .await
        .0,
        403
    );
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{id}/recording"),
        &owner,
        Some(json!({"url": "https://video.example.org/office-hours"})),
    )
    .await;
    let (status, problem) = call(
        &t,
        "POST",
        &format!("/api/v1/events/{id}/resources"),
        &owner,
        Some(json!({"title": "", "url": "https://slides.example.org/1"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let followup = ok(
        &t,
        "POST",
        &format!("/api/v1/events/{id}/resources"),
        &owner,
        Some(json!({"title": "Slides", "url": "https://slides.example.org/office-hours"})),
    )
    .await;
    assert_eq!(followup["resources"][0]["title"], "Slides");
    let recording_url = followup["recording_url"].as_str().unwrap().to_string();
    assert!(
        recording_url.ends_with(&format!("/c/guild/events/{id}/recording")),
        "{recording_url}"
    );

    // Opening the recording (here without an account: the space is public) is counted and
    // redirected to the recording itself.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .get(t.url(&format!("/c/guild/events/{id}/recording")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"],
        "https://video.example.org/office-hours"
    );
    assert_eq!(live_verbs(&t).await, ["event_recording_viewed"]);

    // The recap: a topic in the chosen discussion space, linked from the event, once.
    let recap = json!({"space": "help", "body": "We covered **the roadmap**. Thanks all!"});
    assert_eq!(
        call(
            &t,
            "POST",
            &format!("/api/v1/events/{id}/recap"),
            &ann,
            Some(recap.clone())
        )
        .await
        .0,
        403
    );
    let (status, problem) = call(
        &t,
        "POST",
        &format!("/api/v1/events/{id}/recap"),
        &owner,
        Some(json!({"space": "meetups", "body": "x"})),
    )
    .await;
    assert_eq!(status, 422, "not in an events space: {problem}");
    let (status, created) = call(
        &t,
        "POST",
        &format!("/api/v1/events/{id}/recap"),
        &owner,
        Some(recap.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["held"], false);
    let topic_id = created["topic_id"].as_str().unwrap();
    let topic = ok(&t, "GET", &format!("/api/v1/topics/{topic_id}"), &ann, None).await;
    assert_eq!(topic["topic"]["title"], "Recap: Office hours");
    let body = topic["posts"][0]["body_markdown"].as_str().unwrap();
    assert!(
        body.starts_with("We covered **the roadmap**. Thanks all!"),
        "{body}"
    );
    assert!(body.contains(&format!("/c/guild/events/{id}")), "{body}");
    let followup = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/followup"),
        &ann,
        None,
    )
    .await;
    assert_eq!(followup["recap_topic_id"], topic_id);
    assert_eq!(
        call(
            &t,
            "POST",
            &format!("/api/v1/events/{id}/recap"),
            &owner,
            Some(recap)
        )
        .await
        .0,
        409
    );
    // The help space lists it like any topic.
    let listed = ok(
        &t,
        "GET",
        "/api/v1/communities/guild/spaces/help/topics",
        &ann,
        None,
    )
    .await;
    assert!(
        listed.to_string().contains("Recap: Office hours"),
        "{listed}"
    );
}

#[tokio::test]
async fn feedback_comes_once_from_each_attendee_and_figures_count_participants() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 3 * HOUR;
    let e = create(&t, &owner, body_at("workshop", start)).await;
    let id = e["id"].as_str().unwrap().to_string();
    for token in [&ann, &ben, &cat] {
        register(&t, token, &id).await;
    }
    advance_to(&t, start - 10 * MINUTE);
    for token in [&ann, &ben] {
        let uid = user_id(&t, token).await;
        ok(
            &t,
            "PUT",
            &format!("/api/v1/events/{id}/attendance/{uid}"),
            &owner,
            Some(json!({"present": true})),
        )
        .await;
    }
    // Ann asks, Ben votes in a poll; Cat (registered, never checked in) votes too but did
    // not attend, so she is not a participant.
    assert_eq!(ask(&t, &ann, &id, "Which editor do you use?").await.0, 201);
    let (_, poll) = new_poll(
        &t,
        &owner,
        &id,
        json!({"question": "Level?", "options": ["New", "Seasoned"], "open": true}),
    )
    .await;
    let poll_id = poll["id"].as_str().unwrap().to_string();
    let first = option_ids(&poll)[0].clone();
    assert_eq!(ballot(&t, &ben, &id, &poll_id, &[&first]).await.0, 201);
    assert_eq!(ballot(&t, &cat, &id, &poll_id, &[&first]).await.0, 201);

    // Not before the end.
    let feedback = format!("/api/v1/events/{id}/feedback");
    let request = format!("/api/v1/events/{id}/feedback-request");
    assert_eq!(
        call(&t, "PUT", &feedback, &ann, Some(json!({"rating": 5})))
            .await
            .0,
        422
    );
    assert_eq!(call(&t, "POST", &request, &owner, None).await.0, 422);

    advance_to(&t, start + HOUR + MINUTE);
    assert_eq!(call(&t, "POST", &request, &ann, None).await.0, 403);
    let asked = ok(&t, "POST", &request, &owner, None).await;
    assert_eq!(asked["asked"], 2);
    assert_eq!(
        call(&t, "POST", &request, &owner, None).await.0,
        409,
        "sent once"
    );
    for (email, expected) in [
        ("ann@example.org", 1),
        ("ben@example.org", 1),
        ("cat@example.org", 0),
    ] {
        let mails: Vec<_> = t
            .app
            .mail_to(email)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject == "How was Office hours?")
            .collect();
        assert_eq!(mails.len(), expected, "{email}");
        if let Some(m) = mails.first() {
            assert!(
                m.body_text
                    .contains(&format!("/c/guild/events/{id}/feedback")),
                "{}",
                m.body_text
            );
        }
    }

    // Attendees only; 1 to 5; once each, editable.
    assert_eq!(
        call(&t, "PUT", &feedback, &cat, Some(json!({"rating": 5})))
            .await
            .0,
        403
    );
    let (status, problem) = call(&t, "PUT", &feedback, &ann, Some(json!({"rating": 6}))).await;
    assert_eq!(status, 422, "{problem}");
    ok(
        &t,
        "PUT",
        &feedback,
        &ann,
        Some(json!({"rating": 4, "comment": "Good pace."})),
    )
    .await;
    let changed = ok(
        &t,
        "PUT",
        &feedback,
        &ann,
        Some(json!({"rating": 5, "comment": "Great pace."})),
    )
    .await;
    assert_eq!(changed["rating"], 5);
    ok(&t, "PUT", &feedback, &ben, Some(json!({"rating": 2}))).await;
    assert_eq!(call(&t, "GET", &feedback, &ann, None).await.0, 403);
    let summary = ok(&t, "GET", &feedback, &owner, None).await;
    assert_eq!(summary["count"], 2, "{summary}");
    assert_eq!(summary["average"], 3.5);
    assert_eq!(summary["distribution"], json!([0, 1, 0, 0, 1]));
    assert!(summary.to_string().contains("Great pace."));
    assert!(!summary.to_string().contains("Good pace."));

    // 2 of 3 attended; both attendees took part (Cat's ballot does not count).
    let figures = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/attendance"),
        &owner,
        None,
    )
    .await;
    assert_eq!(figures["registered"], 3);
    assert_eq!(figures["checked_in"], 2);
    assert_eq!(figures["attendance_rate_percent"], 67);
    assert_eq!(figures["participants"], 2);
    assert_eq!(figures["participation_rate_percent"], 100);

    let verbs = live_verbs(&t).await;
    assert_eq!(
        verbs
            .iter()
            .filter(|v| *v == "event_feedback_given")
            .count(),
        3
    );
    assert_eq!(verbs.iter().filter(|v| *v == "event_poll_voted").count(), 2);
}

#[tokio::test]
async fn an_ama_archives_its_answered_questions_as_one_topic() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * HOUR;
    let e = create(&t, &owner, body_at("ama", start)).await;
    let id = e["id"].as_str().unwrap().to_string();
    register(&t, &ann, &id).await;
    register(&t, &ben, &id).await;
    ask(&t, &ann, &id, "How did the project start?").await;
    ask(&t, &ben, &id, "What was the hardest bug?").await;
    let (_, board) = ask(&t, &ann, &id, "Any plans for a mobile app?").await;
    let start_q = question_id(&board, "How did the project start?");
    let bug_q = question_id(&board, "What was the hardest bug?");
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{id}/questions/{bug_q}/vote"),
        &ann,
        None,
    )
    .await;
    let answer = |q: &str| format!("/api/v1/events/{id}/questions/{q}/answer");
    ok(
        &t,
        "PUT",
        &answer(&start_q),
        &owner,
        Some(json!({"answered": true, "answer": "In a garage, in **2019**."})),
    )
    .await;
    ok(
        &t,
        "PUT",
        &answer(&bug_q),
        &owner,
        Some(json!({"answered": true})),
    )
    .await;

    let archive = format!("/api/v1/events/{id}/ama-archive");
    let (status, problem) =
        call(&t, "POST", &archive, &owner, Some(json!({"space": "help"}))).await;
    assert_eq!(status, 422, "not before its end: {problem}");
    advance_to(&t, start + HOUR + MINUTE);
    assert_eq!(
        call(&t, "POST", &archive, &ann, Some(json!({"space": "help"})))
            .await
            .0,
        403
    );
    let (status, created) =
        call(&t, "POST", &archive, &owner, Some(json!({"space": "help"}))).await;
    assert_eq!(status, 201, "{created}");
    let topic_id = created["topic_id"].as_str().unwrap();
    let topic = ok(&t, "GET", &format!("/api/v1/topics/{topic_id}"), &ben, None).await;
    assert_eq!(topic["topic"]["title"], "AMA archive: Office hours");
    let body = topic["posts"][0]["body_markdown"].as_str().unwrap();
    // Answered questions, most upvoted first, each with its answer; the unanswered one not.
    let bug_at = body.find("> What was the hardest bug?").expect(body);
    let start_at = body.find("> How did the project start?").expect(body);
    assert!(bug_at < start_at, "{body}");
    assert!(body.contains("**Ben asked** (1 upvote)"), "{body}");
    assert!(body.contains("_Answered live._"), "{body}");
    assert!(body.contains("In a garage, in **2019**."), "{body}");
    assert!(!body.contains("mobile app"), "{body}");
    let html = topic["posts"][0]["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>2019</strong>"), "{html}");
    assert_eq!(
        call(&t, "POST", &archive, &owner, Some(json!({"space": "help"})))
            .await
            .0,
        409
    );
    let followup = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/followup"),
        &ben,
        None,
    )
    .await;
    assert_eq!(followup["archive_topic_id"], topic_id);

    // Only an AMA is archived this way.
    let workshop = create(&t, &owner, body_at("workshop", t.app.now() - 2 * HOUR)).await;
    let (status, problem) = call(
        &t,
        "POST",
        &format!(
            "/api/v1/events/{}/ama-archive",
            workshop["id"].as_str().unwrap()
        ),
        &owner,
        Some(json!({"space": "help"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
}

#[tokio::test]
async fn the_live_page_works_without_javascript() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    let live = format!("/c/guild/events/{id}/live");
    let dee = t.signed_up("dee@example.org", "Dee").await;
    dee.get("/c/guild").await;
    dee.post("/c/guild/join", &[("note", "")]).await;
    assert_eq!(dee.get(&live).await.status, 403, "not registered yet");
    dee.get(&format!("/c/guild/events/{id}")).await;
    assert_eq!(
        dee.post(&format!("/c/guild/events/{id}/register"), &[])
            .await
            .status,
        200
    );
    let page = dee.get(&format!("/c/guild/events/{id}")).await;
    assert!(
        page.html.contains(&format!("href=\"{live}\"")),
        "the event page links the board"
    );

    dee.get(&live).await;
    let page = dee
        .post(
            &format!("/c/guild/events/{id}/questions"),
            &[("body", "Is <b>HTML</b> escaped here?")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.path(), live);
    assert!(
        page.text().contains("Is <b>HTML</b> escaped here?"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<b>HTML</b>"));
    assert!(page
        .html
        .contains(&format!("data-live-topic=\"event:{id}\"")));
    let question = regex::Regex::new(r#"id="q-([^"]+)""#)
        .unwrap()
        .captures(&page.html)
        .expect("the question on the page")[1]
        .to_string();
    let page = dee
        .post(
            &format!("/c/guild/events/{id}/questions/{question}/vote"),
            &[],
        )
        .await;
    assert!(page.text().contains("Upvoted."), "{}", page.text());
    assert!(page.html.contains("aria-pressed=\"true\""));
    let page = dee
        .post(&format!("/c/guild/events/{id}/questions"), &[("body", "?")])
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("at least 5 characters"),
        "{}",
        page.text()
    );

    // A host runs a poll from the same page.
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    host.get(&live).await;
    let page = host
        .post(
            &format!("/c/guild/events/{id}/polls"),
            &[
                ("question", "Pizza or pasta?"),
                ("option", "Pizza"),
                ("option", "Pasta"),
                ("option", ""),
                ("choice", "single"),
                ("results", "after_vote"),
                ("open", "1"),
            ],
        )
        .await;
    assert!(page.text().contains("Poll opened."), "{}", page.text());
    let page = dee.get(&live).await;
    let pasta = regex::Regex::new(r#"name="option" value="([^"]+)"> Pasta"#)
        .unwrap()
        .captures(&page.html)
        .expect("the poll's options")[1]
        .to_string();
    let page = dee
        .post(
            &format!("/c/guild/events/{id}/polls/{}/vote", poll_id_in(&page.html)),
            &[("option", &pasta)],
        )
        .await;
    assert!(page.text().contains("Vote counted."), "{}", page.text());
    assert!(page.text().contains("Pasta Your vote"), "{}", page.text());
}

fn poll_id_in(html: &str) -> String {
    regex::Regex::new(r#"id="poll-([^"]+)""#)
        .unwrap()
        .captures(html)
        .expect("a poll on the page")[1]
        .to_string()
}

#[tokio::test]
async fn the_demo_has_questions_polls_recordings_recaps_and_feedback() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let lists = ok(
        &t,
        "GET",
        "/api/v1/communities/open-source-guild/spaces/events/events",
        &maya,
        None,
    )
    .await;
    let find = |list: &str, title: &str| {
        lists[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["title"].as_str().unwrap().starts_with(title))
            .unwrap_or_else(|| panic!("{title} in {list}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // A past webinar: answered questions, a closed poll with votes, recording, recap, feedback.
    let webinar = find("past", "Webinar: sustainable funding");
    let board = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{webinar}/questions"),
        &maya,
        None,
    )
    .await;
    let answered = board["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["answered_at"].is_string())
        .count();
    assert!(answered >= 2, "{board}");
    let polls = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{webinar}/polls"),
        &maya,
        None,
    )
    .await;
    assert_eq!(polls[0]["status"], "closed");
    assert!(polls[0]["ballots"].as_i64().unwrap() > 0, "{polls}");
    let followup = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{webinar}/followup"),
        &maya,
        None,
    )
    .await;
    assert!(followup["recording_url"].is_string(), "{followup}");
    assert!(!followup["resources"].as_array().unwrap().is_empty());
    let recap = followup["recap_topic_id"].as_str().expect("a recap");
    let topic = ok(&t, "GET", &format!("/api/v1/topics/{recap}"), &maya, None).await;
    assert!(topic["topic"]["title"]
        .as_str()
        .unwrap()
        .starts_with("Recap:"));
    let feedback = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{webinar}/feedback"),
        &maya,
        None,
    )
    .await;
    assert!(feedback["count"].as_i64().unwrap() > 0, "{feedback}");
    let figures = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{webinar}/attendance"),
        &maya,
        None,
    )
    .await;
    assert!(figures["participants"].as_i64().unwrap() > 0, "{figures}");

    // A past AMA archived as a topic; an upcoming one collecting questions.
    let past_ama = find("past", "AMA: moving a project");
    let followup = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{past_ama}/followup"),
        &maya,
        None,
    )
    .await;
    assert!(followup["archive_topic_id"].is_string(), "{followup}");
    let upcoming_ama = find("upcoming", "Maintainer office hours");
    let board = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{upcoming_ama}/questions"),
        &maya,
        None,
    )
    .await;
    assert_eq!(board["open"], true);
    assert_eq!(board["questions"].as_array().unwrap().len(), 4, "{board}");
}

#[tokio::test]
async fn open_boards_hear_of_new_questions_and_lose_them_with_the_registration() {
    use crate::realtime::{connect, next_json, subscribe};
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    register(&t, &ann, &id).await;
    let topic = format!("event:{id}");
    let mut ann_ws = connect(&t.base_url, &ann).await;
    assert_eq!(subscribe(&mut ann_ws, &topic).await["type"], "subscribed");
    let mut cat_ws = connect(&t.base_url, &cat).await;
    assert_eq!(
        subscribe(&mut cat_ws, &topic).await["type"],
        "error",
        "not registered"
    );

    let (status, board) = ask(&t, &owner, &id, "Who is speaking first?").await;
    assert_eq!(status, 201, "{board}");
    let notice = next_json(&mut ann_ws).await;
    assert_eq!(notice["type"], "event", "{notice}");
    assert_eq!(notice["data"]["kind"], "question_asked");
    assert_eq!(
        notice["data"]["id"],
        question_id(&board, "Who is speaking first?")
    );

    // Cancelling the registration ends the feed at the next notice.
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}/registration"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(status, 204);
    ask(&t, &owner, &id, "And who closes the session?").await;
    let notice = next_json(&mut ann_ws).await;
    assert_eq!(notice["type"], "unsubscribed", "{notice}");
}

#[tokio::test]
async fn attendees_rate_the_event_in_a_form_and_hosts_read_the_summary() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * HOUR;
    let e = create(&t, &owner, body_at("workshop", start)).await;
    let id = e["id"].as_str().unwrap().to_string();
    let event_page = format!("/c/guild/events/{id}");
    let ann = t.signed_up("ann@example.org", "Ann").await;
    ann.get("/c/guild").await;
    ann.post("/c/guild/join", &[("note", "")]).await;
    ann.get(&event_page).await;
    ann.post(&format!("{event_page}/register"), &[]).await;
    let attendance = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/attendance"),
        &owner,
        None,
    )
    .await;
    let ann_id = attendance["registrants"][0]["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    advance_to(&t, start - 10 * MINUTE);
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{id}/attendance/{ann_id}"),
        &owner,
        Some(json!({"present": true})),
    )
    .await;
    assert!(
        !ann.get(&event_page)
            .await
            .text()
            .contains("Rate this event"),
        "not before the end"
    );

    advance_to(&t, start + HOUR + MINUTE);
    let page = ann.get(&event_page).await;
    assert!(
        page.html
            .contains(&format!("href=\"{event_page}/feedback\"")),
        "{}",
        page.text()
    );
    ann.get(&format!("{event_page}/feedback")).await;
    let refused = ann
        .post(
            &format!("{event_page}/feedback"),
            &[("comment", "No stars?")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text().contains("Rate the event from 1 to 5."),
        "{}",
        refused.text()
    );
    assert!(refused.html.contains("No stars?"), "the comment is kept");
    let thanked = ann
        .post(
            &format!("{event_page}/feedback"),
            &[
                ("rating", "4"),
                ("comment", "Loved the <b>hands-on</b> part."),
            ],
        )
        .await;
    assert_eq!(thanked.path(), event_page);
    assert!(
        thanked.text().contains("Thank you for your feedback."),
        "{}",
        thanked.text()
    );
    let again = ann.get(&format!("{event_page}/feedback")).await;
    assert!(
        again.text().contains("You gave feedback already"),
        "{}",
        again.text()
    );
    assert!(
        again.html.contains("value=\"4\" checked"),
        "the saved rating is shown"
    );

    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let summary = host.get(&format!("{event_page}/followup")).await;
    assert_eq!(summary.status, 200);
    let text = summary.text();
    assert!(text.contains("4.0 out of 5 from 1 attendee"), "{text}");
    assert!(text.contains("Loved the <b>hands-on</b> part."), "{text}");
    assert!(
        !summary.html.contains("<b>hands-on</b>"),
        "comments are escaped"
    );
    // The attendance page shows both rates.
    let figures = host.get(&format!("{event_page}/attendance")).await.text();
    assert!(
        figures.contains("1 of 1 registered checked in (100%)"),
        "{figures}"
    );
    assert!(figures.contains("0 of 1 attendees took part"), "{figures}");
}
