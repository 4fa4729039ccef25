//! After an event, on their own: the feedback request a delay after the end and an AMA's
//! archive at its end, each once — through repeated runs, a second instance running jobs at
//! the same time, a host pressing the button first, a move and a cancellation.

use crate::discussions::member;
use crate::events::{create, event_body, events_guild, register};
use crate::smtp::SmtpReceiver;
use serde_json::{json, Value};
use std::time::Duration;
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

async fn ok(t: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, value) = t.api(method, path, Some(token), body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {value}"
    );
    value
}

async fn check_in(t: &TestApp, owner: &str, event: &str, token: &str) {
    let uid = t.user_id(token).await;
    ok(
        t,
        "PUT",
        &format!("/api/v1/events/{event}/attendance/{uid}"),
        owner,
        Some(json!({"present": true})),
    )
    .await;
}

/// How many times the community's log has `verb` for the event.
async fn verb_count(t: &TestApp, event: &str, verb: &str) -> usize {
    let c = t.app.community(None, "guild").await.unwrap();
    townsquare_app::store::activity::recent_in_community(t.app.db(), &c.community.id, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.activity.verb == verb && r.activity.object_id == event)
        .count()
}

/// Runs due jobs on this instance and, at the same time, on the other one if there is one.
async fn run_everywhere(t: &TestApp, other: Option<&TestApp>) {
    match other {
        Some(other) => {
            other.app.clock().advance(t.app.now() - other.app.now());
            let (a, b) = tokio::join!(t.app.run_due_jobs(), other.app.run_due_jobs());
            a.unwrap();
            b.unwrap();
        }
        None => {
            t.app.run_due_jobs().await.unwrap();
        }
    }
}

async fn feedback_mail(t: &TestApp, email: &str) -> usize {
    t.app
        .mail_to(email)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with("How was"))
        .count()
}

#[tokio::test]
async fn feedback_and_the_ama_archive_go_out_on_their_own_once() {
    let smtp = SmtpReceiver::start();
    let smtp_url = smtp.url();
    let t = TestApp::spawn_with(|s| s.smtp_url = Some(smtp_url)).await;
    // On PostgreSQL, a second instance on the same database runs jobs at the same time
    // (SQLite is one instance by design).
    let other = match townsquare_testkit::postgres_url() {
        Some(_) => Some(t.another_instance(|_| {}).await),
        None => None,
    };
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * HOUR;
    let e = create(&t, &owner, body_at("ama", start)).await;
    let id = e["id"].as_str().unwrap().to_string();
    for token in [&ann, &ben, &cat] {
        register(&t, token, &id).await;
    }
    let settings = format!("/api/v1/events/{id}/followup-settings");
    let current = ok(&t, "GET", &settings, &owner, None).await;
    assert_eq!(current["feedback_delay_minutes"], 60, "an hour by default");
    let (status, problem) = t
        .api(
            "PUT",
            &settings,
            Some(&owner),
            Some(json!({"archive_space": "nowhere"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let saved = ok(
        &t,
        "PUT",
        &settings,
        &owner,
        Some(json!({"archive_space": "help"})),
    )
    .await;
    assert_eq!(
        saved,
        json!({"feedback_delay_minutes": 60, "archive_space": "help"})
    );
    let (status, _) = t.api("GET", &settings, Some(&ann), None).await;
    assert_eq!(status, 403, "hosts only");

    let (_, board) = t
        .api(
            "POST",
            &format!("/api/v1/events/{id}/questions"),
            Some(&ann),
            Some(json!({"body": "How did the project start?"})),
        )
        .await;
    let q = board["questions"][0]["id"].as_str().unwrap().to_string();
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{id}/questions/{q}/answer"),
        &owner,
        Some(json!({"answered": true, "answer": "In a garage."})),
    )
    .await;
    advance_to(&t, start - 10 * MINUTE);
    check_in(&t, &owner, &id, &ann).await;
    check_in(&t, &owner, &id, &ben).await;

    // Before the end nothing runs.
    t.app.run_due_jobs().await.unwrap();
    assert_eq!(verb_count(&t, &id, "event_questions_archived").await, 0);

    // At the end: the archive, once, whichever instance claims it.
    advance_to(&t, start + HOUR + MINUTE);
    run_everywhere(&t, other.as_ref()).await;
    let followup = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/followup"),
        &ben,
        None,
    )
    .await;
    let topic_id = followup["archive_topic_id"]
        .as_str()
        .expect("archived")
        .to_string();
    let topic = ok(&t, "GET", &format!("/api/v1/topics/{topic_id}"), &ben, None).await;
    assert_eq!(topic["topic"]["title"], "AMA archive: Office hours");
    assert!(topic["posts"][0]["body_markdown"]
        .as_str()
        .unwrap()
        .contains("In a garage."));
    assert_eq!(feedback_mail(&t, "ann@example.org").await, 0, "not yet");

    // An hour after the end: the feedback request, to the attendees only, over SMTP.
    advance_to(&t, start + 2 * HOUR + MINUTE);
    run_everywhere(&t, other.as_ref()).await;
    t.app.deliver_due_mail().await.unwrap();
    let asked = smtp
        .wait_for(2, Duration::from_secs(10), |m| {
            m.data.contains("How was Office hours?")
        })
        .await;
    let mut to: Vec<String> = asked.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["ann@example.org", "ben@example.org"]);
    let summary = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/feedback"),
        &owner,
        None,
    )
    .await;
    assert!(summary["requested_at"].is_string(), "{summary}");

    // Again, later, and by hand: nothing more.
    advance_to(&t, start + 5 * HOUR);
    run_everywhere(&t, other.as_ref()).await;
    run_everywhere(&t, other.as_ref()).await;
    t.app.deliver_due_mail().await.unwrap();
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/events/{id}/feedback-request"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/events/{id}/ama-archive"),
            Some(&owner),
            Some(json!({"space": "help"})),
        )
        .await;
    assert_eq!(status, 409);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = smtp.received();
    assert_eq!(
        again
            .iter()
            .filter(|m| m.data.contains("How was Office hours?"))
            .count(),
        2,
        "one e-mail per attendee"
    );
    assert_eq!(verb_count(&t, &id, "event_questions_archived").await, 1);
    assert_eq!(verb_count(&t, &id, "event_feedback_requested").await, 1);
    if let Some(other) = other {
        other.stop().await;
    }
}

#[tokio::test]
async fn a_host_first_a_move_a_cancellation_or_off_means_no_second_or_stale_send() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * HOUR;
    let mut ids = Vec::new();
    for title in ["Pressed", "Moved", "Cancelled", "Off"] {
        let mut body = body_at("workshop", start);
        body["title"] = json!(title);
        let e = create(&t, &owner, body).await;
        let id = e["id"].as_str().unwrap().to_string();
        register(&t, &ann, &id).await;
        ids.push(id);
    }
    let [pressed, moved, cancelled, off] = [&ids[0], &ids[1], &ids[2], &ids[3]];
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{off}/followup-settings"),
        &owner,
        Some(json!({"feedback_delay_minutes": null})),
    )
    .await;
    advance_to(&t, start + 5 * MINUTE);
    for id in &ids {
        check_in(&t, &owner, id, &ann).await;
    }
    // "Moved" is pushed back a day while it runs; "Cancelled" is called off.
    let mut later = body_at("workshop", start + 24 * HOUR);
    later["title"] = json!("Moved");
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{moved}"),
        &owner,
        Some(later),
    )
    .await;
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{cancelled}/cancel"),
        &owner,
        Some(json!({"reason": "The speaker is ill."})),
    )
    .await;
    // The host of "Pressed" sends the request at the end, before the job's time.
    advance_to(&t, start + HOUR + MINUTE);
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{pressed}/feedback-request"),
        &owner,
        None,
    )
    .await;
    advance_to(&t, start + 2 * HOUR + MINUTE);
    t.app.run_due_jobs().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    assert_eq!(verb_count(&t, pressed, "event_feedback_requested").await, 1);
    assert_eq!(
        verb_count(&t, moved, "event_feedback_requested").await,
        0,
        "not at the old end"
    );
    assert_eq!(
        verb_count(&t, cancelled, "event_feedback_requested").await,
        0
    );
    assert_eq!(verb_count(&t, off, "event_feedback_requested").await, 0);
    assert_eq!(feedback_mail(&t, "ann@example.org").await, 1);

    // The moved one an hour after its new end.
    advance_to(&t, start + 26 * HOUR + MINUTE);
    t.app.run_due_jobs().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    assert_eq!(verb_count(&t, moved, "event_feedback_requested").await, 1);
    assert_eq!(verb_count(&t, off, "event_feedback_requested").await, 0);
    assert_eq!(feedback_mail(&t, "ann@example.org").await, 2);
    // "Off" still lets the host send it by hand.
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{off}/feedback-request"),
        &owner,
        None,
    )
    .await;
    assert_eq!(feedback_mail(&t, "ann@example.org").await, 3);
}

#[tokio::test]
async fn hosts_choose_what_happens_after_on_the_followup_page() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = host.get(&format!("/c/guild/events/{id}/followup")).await;
    assert!(
        page.text().contains("What happens on its own"),
        "{}",
        page.text()
    );
    let bad = host
        .post(
            &format!("/c/guild/events/{id}/followup-settings"),
            &[("feedback_delay", "soon"), ("archive_space", "help")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("or \"off\""), "{}", bad.text());
    host.post(
        &format!("/c/guild/events/{id}/followup-settings"),
        &[("feedback_delay", "1440"), ("archive_space", "help")],
    )
    .await;
    let saved = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{id}/followup-settings"),
        &owner,
        None,
    )
    .await;
    assert_eq!(
        saved,
        json!({"feedback_delay_minutes": 1440, "archive_space": "help"})
    );
}

/// The follow-up jobs of one event in the queue, of either kind.
async fn jobs_of(t: &TestApp, prefix: &str, event: &str) -> i64 {
    t.db_count(
        "SELECT COUNT(*) FROM jobs WHERE id LIKE $1",
        &format!("{prefix}{event}:%"),
    )
    .await
}

#[tokio::test]
async fn events_made_before_the_jobs_get_them_at_the_next_start_and_once() {
    let smtp = SmtpReceiver::start();
    let smtp_url = smtp.url();
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let now = (t.app.now() / MINUTE) * MINUTE;
    // "Over" ends long before the restart; the workshop and the AMA are still ahead then.
    let mut made = Vec::new();
    for (title, format, start) in [
        ("Over", "workshop", now + HOUR),
        ("Old workshop", "workshop", now + 6 * HOUR),
        ("Old AMA", "ama", now + 6 * HOUR),
        ("Called off", "workshop", now + 6 * HOUR),
    ] {
        let mut body = body_at(format, start);
        body["title"] = json!(title);
        let e = create(&t, &owner, body).await;
        let id = e["id"].as_str().unwrap().to_string();
        register(&t, &ann, &id).await;
        made.push(id);
    }
    let [over, workshop, ama, called_off] = [&made[0], &made[1], &made[2], &made[3]];
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{called_off}/cancel"),
        &owner,
        Some(json!({"reason": "The room is taken."})),
    )
    .await;
    // The database as a version before the follow-up jobs left it: no such jobs at all.
    assert_eq!(jobs_of(&t, "event-feedback:", workshop).await, 1);
    let removed = t
        .db_execute("DELETE FROM jobs WHERE id LIKE $1", "event-%")
        .await;
    assert!(removed >= 4, "{removed}");
    advance_to(&t, now + HOUR + 5 * MINUTE);
    check_in(&t, &owner, over, &ann).await;
    advance_to(&t, now + 6 * HOUR - 5 * MINUTE);
    check_in(&t, &owner, workshop, &ann).await;

    // The new version starts: on PostgreSQL two instances at once (SQLite is one by design).
    let restarted = t
        .another_instance(|s| s.smtp_url = Some(smtp_url.clone()))
        .await;
    let second = match townsquare_testkit::postgres_url() {
        Some(_) => Some(t.another_instance(|_| {}).await),
        None => None,
    };
    restarted
        .app
        .clock()
        .advance(t.app.now() - restarted.app.now());
    match &second {
        Some(other) => {
            other.app.clock().advance(t.app.now() - other.app.now());
            let (a, b) = tokio::join!(
                restarted.app.queue_missing_followups(),
                other.app.queue_missing_followups()
            );
            assert!(a.unwrap() + b.unwrap() >= 2);
        }
        None => assert_eq!(restarted.app.queue_missing_followups().await.unwrap(), 2),
    }
    assert_eq!(jobs_of(&t, "event-feedback:", workshop).await, 1);
    assert_eq!(jobs_of(&t, "event-feedback:", ama).await, 1);
    assert_eq!(jobs_of(&t, "event-ama-archive:", ama).await, 1);
    assert_eq!(
        jobs_of(&t, "event-feedback:", over).await,
        0,
        "its request fell due hours before the start"
    );
    assert_eq!(jobs_of(&t, "event-feedback:", called_off).await, 0);
    // Again: nothing more to queue.
    assert_eq!(restarted.app.queue_missing_followups().await.unwrap(), 0);
    assert_eq!(jobs_of(&t, "event-feedback:", workshop).await, 1);

    // An hour after the end, the request reaches the attendee once, over SMTP.
    advance_to(&restarted, now + 8 * HOUR + MINUTE);
    run_everywhere(&restarted, second.as_ref()).await;
    run_everywhere(&restarted, second.as_ref()).await;
    restarted.app.deliver_due_mail().await.unwrap();
    let asked = smtp
        .wait_for(1, Duration::from_secs(10), |m| {
            m.data.contains("How was Old workshop?")
        })
        .await;
    assert_eq!(asked[0].to, ["ann@example.org"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = smtp.received();
    assert_eq!(
        all.iter()
            .filter(|m| m.data.contains("How was Old workshop?"))
            .count(),
        1,
        "one e-mail"
    );
    assert!(!all.iter().any(|m| m.data.contains("How was Over?")));
    assert_eq!(
        verb_count(&t, workshop, "event_feedback_requested").await,
        1
    );
    assert_eq!(verb_count(&t, over, "event_feedback_requested").await, 0);
    if let Some(other) = second {
        other.stop().await;
    }
    restarted.stop().await;
}
