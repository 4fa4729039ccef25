//! Around an event: reminders (once each, at their time, through a restart, to a real SMTP
//! server), check-in by hosts and by QR code, and calendars (a member's private feed, a
//! community's public feed) read by an independent parser.

use crate::discussions::member;
use crate::events::{create, event_body, events_guild, parse_ics, register};
use crate::process::Server;
use crate::smtp::SmtpReceiver;
use serde_json::{json, Value};
use std::time::Duration;
use townsquare_testkit::{TestApp, PASSWORD};

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A UTC wall-clock time as the event form takes it.
fn utc_local(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// An event in UTC starting at `start` (an hour long), with the given reminders.
fn body_at(start: i64, reminders: Option<&str>) -> Value {
    let mut body = event_body(None);
    body["starts_at"] = json!(utc_local(start));
    body["ends_at"] = json!(utc_local(start + HOUR));
    body["time_zone"] = json!("UTC");
    if let Some(r) = reminders {
        body["reminders"] = json!(r);
    }
    body
}

fn advance_to(t: &TestApp, at: i64) {
    let now = t.app.now();
    assert!(at > now, "the clock only moves forward");
    t.app.clock().advance(at - now);
}

async fn reminders_to(t: &TestApp, email: &str) -> Vec<String> {
    let mut subjects: Vec<(i64, String)> = t
        .app
        .mail_to(email)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with("Reminder:"))
        .map(|m| (m.created_at, m.subject))
        .collect();
    subjects.sort();
    subjects.into_iter().map(|(_, s)| s).collect()
}

#[tokio::test]
async fn reminders_go_out_once_each_at_their_time() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * DAY;
    let e = create(&t, &owner, body_at(start, None)).await;
    assert_eq!(e["reminder_minutes"], json!([1440, 60]), "{e}");
    let id = e["id"].as_str().unwrap().to_string();
    register(&t, &ann, &id).await;
    register(&t, &ben, &id).await;
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}/registration"),
            Some(&ben),
            None,
        )
        .await;
    assert_eq!(status, 204);

    // Five minutes early: nothing yet.
    advance_to(&t, start - DAY - 5 * MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    assert!(reminders_to(&t, "ann@example.org").await.is_empty());

    advance_to(&t, start - DAY + MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    assert_eq!(
        reminders_to(&t, "ann@example.org").await,
        ["Reminder: Office hours starts tomorrow"]
    );
    // More sweeps in the same window send nothing more.
    for _ in 0..3 {
        t.app.clock().advance(2 * MINUTE);
        t.app.send_due_event_reminders().await.unwrap();
    }
    assert_eq!(reminders_to(&t, "ann@example.org").await.len(), 1);

    // Cat registers 23 hours before: too late for "tomorrow", in time for the hour before.
    advance_to(&t, start - 23 * HOUR);
    register(&t, &cat, &id).await;
    t.app.send_due_event_reminders().await.unwrap();
    assert!(reminders_to(&t, "cat@example.org").await.is_empty());

    advance_to(&t, start - HOUR + MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    t.app.clock().advance(3 * MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    assert_eq!(
        reminders_to(&t, "ann@example.org").await,
        [
            "Reminder: Office hours starts tomorrow",
            "Reminder: Office hours starts in an hour"
        ]
    );
    assert_eq!(
        reminders_to(&t, "cat@example.org").await,
        ["Reminder: Office hours starts in an hour"]
    );
    // Ben cancelled: no reminders for him.
    assert!(reminders_to(&t, "ben@example.org").await.is_empty());
    let mail = t.app.mail_to("cat@example.org").await.unwrap();
    let hour = mail
        .iter()
        .find(|m| m.subject.ends_with("in an hour"))
        .unwrap();
    assert!(
        hour.body_text
            .contains("https://meet.example.org/office-hours"),
        "registrants get the link: {}",
        hour.body_text
    );

    // Moved to the next day: the new time gets its own reminders.
    let mut moved = body_at(start + DAY, None);
    moved.as_object_mut().unwrap().remove("reminders");
    let (status, after) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(moved),
        )
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(
        after["reminder_minutes"],
        json!([1440, 60]),
        "kept: {after}"
    );
    advance_to(&t, start + MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    assert_eq!(reminders_to(&t, "ann@example.org").await.len(), 3);
    assert_eq!(
        reminders_to(&t, "cat@example.org").await,
        [
            "Reminder: Office hours starts in an hour",
            "Reminder: Office hours starts tomorrow"
        ]
    );
}

#[tokio::test]
async fn reminder_times_are_the_hosts_choice() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 3 * HOUR;

    for bad in ["2 weeks", "1m", "1h,2h,3h,4h", "soon"] {
        let (status, problem) = t
            .api(
                "POST",
                "/api/v1/communities/guild/spaces/meetups/events",
                Some(&owner),
                Some(body_at(start, Some(bad))),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(
            problem["errors"][0]["field"], "reminders",
            "{bad}: {problem}"
        );
    }

    let quiet = create(&t, &owner, body_at(start, Some("none"))).await;
    assert_eq!(quiet["reminder_minutes"], json!([]));
    let soon = create(&t, &owner, body_at(start, Some("30m"))).await;
    assert_eq!(soon["reminder_minutes"], json!([30]));
    for e in [&quiet, &soon] {
        register(&t, &ann, e["id"].as_str().unwrap()).await;
    }
    advance_to(&t, start - 30 * MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    assert_eq!(
        reminders_to(&t, "ann@example.org").await,
        ["Reminder: Office hours starts in 30 minutes"]
    );

    // The HTML form shows the default and refuses nonsense with the field marked.
    let host = t.browser();
    host.log_in("owner@example.org", PASSWORD).await;
    let form = host.get("/c/guild/s/meetups/events/new").await;
    assert!(form.html.contains("value=\"24h, 1h\""), "{}", form.html);
}

#[tokio::test]
async fn hosts_check_in_registrants_and_attendance_is_counted() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann Attendee").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat Waiting").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 3 * HOUR;
    let mut body = body_at(start, None);
    body["capacity"] = json!(2);
    let e = create(&t, &owner, body).await;
    let id = e["id"].as_str().unwrap().to_string();
    for who in [&ann, &ben, &cat] {
        register(&t, who, &id).await;
    }
    let ann_id = t.api("GET", "/api/v1/me", Some(&ann), None).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cat_id = t.api("GET", "/api/v1/me", Some(&cat), None).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mark = |who: String, token: String, present: bool| {
        let path = format!("/api/v1/events/{id}/attendance/{who}");
        let t = &t;
        async move {
            t.api(
                "PUT",
                &path,
                Some(&token),
                Some(json!({"present": present})),
            )
            .await
        }
    };

    // Too early: doors open an hour before.
    let (status, problem) = mark(ann_id.clone(), owner.clone(), true).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("an hour before"), "{problem}");
    advance_to(&t, start - 10 * MINUTE);

    // Members see neither the list nor the switch.
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}/attendance"),
            Some(&ben),
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(mark(ann_id.clone(), ben.clone(), true).await.0, 403);
    // Only registrants can be checked in.
    let (status, problem) = mark(cat_id.clone(), owner.clone(), true).await;
    assert_eq!(status, 422, "waitlisted: {problem}");

    let (status, a) = mark(ann_id.clone(), owner.clone(), true).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        (a["registered"].as_i64(), a["checked_in"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(a["attendance_rate_percent"], 50);
    let row = a["registrants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == ann_id.as_str())
        .unwrap()
        .clone();
    assert!(row["checked_in_at"].is_string(), "{a}");
    // Twice is once.
    let (_, again) = mark(ann_id.clone(), owner.clone(), true).await;
    assert_eq!(again["checked_in"], 1);

    // The attendance is Ann's, in the activity log.
    let c = t.app.community(None, "guild").await.unwrap();
    let rows = townsquare_app::store::activity::recent_in_community(
        t.app.db(),
        &c.community.id,
        None,
        100,
    )
    .await
    .unwrap();
    let checked: Vec<_> = rows
        .iter()
        .filter(|r| r.activity.verb == "event_checked_in")
        .collect();
    assert_eq!(checked.len(), 1);
    assert_eq!(
        checked[0].activity.actor_id.as_deref(),
        Some(ann_id.as_str())
    );

    // Ben's QR code: his event page shows it; a host opens its address and checks him in.
    let ben_browser = t.browser();
    ben_browser.log_in("ben@example.org", PASSWORD).await;
    let page = ben_browser.get(&format!("/c/guild/events/{id}")).await;
    assert!(
        page.html.contains("aria-label=\"Check-in QR code\""),
        "{}",
        page.html
    );
    let ben_id = t.api("GET", "/api/v1/me", Some(&ben), None).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = townsquare_app::store::events::registration(t.app.db(), &id, &ben_id)
        .await
        .unwrap()
        .unwrap()
        .checkin_code
        .unwrap();
    let scan = format!("/c/guild/events/{id}/check-in/{code}");
    // Not for members (Ben himself included), and a made-up code finds nothing.
    assert_eq!(ben_browser.get(&scan).await.status, 403);
    let host = t.browser();
    host.log_in("owner@example.org", PASSWORD).await;
    assert_eq!(
        host.get(&format!("/c/guild/events/{id}/check-in/not-a-code"))
            .await
            .status,
        404
    );
    let confirm = host.get(&scan).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.text().contains("Check in Ben"),
        "{}",
        confirm.text()
    );
    let done = host.post(&scan, &[]).await;
    assert!(
        done.text().contains("Ben is checked in."),
        "{}",
        done.text()
    );
    assert!(
        done.text().contains("2 of 2 registered checked in (100%)"),
        "{}",
        done.text()
    );

    // Taking it back.
    let (_, undone) = mark(ann_id, owner.clone(), false).await;
    assert_eq!(undone["checked_in"], 1);
}

#[tokio::test]
async fn my_calendar_and_the_feeds_read_in_an_independent_parser() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    // A members-only events space: its events are in Ann's feed, not in the public one.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces",
            Some(&owner),
            Some(json!({"name": "Members' meetups", "slug": "inner-meetups", "kind": "events", "visibility": "members"})),
        )
        .await;
    assert_eq!(status, 201);
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * DAY;
    let public = create(&t, &owner, body_at(start, None)).await;
    let mut inner_body = body_at(start + DAY, None);
    inner_body["title"] = json!("Members' dinner");
    let (status, inner) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/inner-meetups/events",
            Some(&owner),
            Some(inner_body),
        )
        .await;
    assert_eq!(status, 201, "{inner}");
    let mut other_body = body_at(start + 2 * DAY, None);
    other_body["title"] = json!("Not for Ann");
    create(&t, &owner, other_body).await;
    for e in [&public, &inner] {
        register(&t, &ann, e["id"].as_str().unwrap()).await;
    }

    let browser = t.browser();
    browser.log_in("ann@example.org", PASSWORD).await;
    let mine = browser.get("/calendar").await;
    assert_eq!(mine.status, 200);
    let text = mine.text();
    assert!(
        text.contains("Office hours") && text.contains("Members' dinner"),
        "{text}"
    );
    assert!(!text.contains("Not for Ann"), "{text}");

    // The private address is shown once, works without cookies, and a new one retires it.
    let made = browser.post("/calendar/feed", &[]).await;
    let url = made
        .html
        .split("value=\"")
        .find_map(|rest| {
            let v = rest.split('"').next()?;
            v.contains("/calendar/").then(|| v.to_string())
        })
        .expect("the new address is on the page");
    let fetch = |url: String| async move {
        let res = reqwest::get(&url).await.unwrap();
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, kind, res.text().await.unwrap())
    };
    let (status, kind, ics) = fetch(url.clone()).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/calendar"), "{kind}");
    let feed = parse_ics(&ics);
    let titles: Vec<&str> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Office hours", "Members' dinner"]);
    assert!(feed["events"][0]["uid"]
        .as_str()
        .unwrap()
        .starts_with(public["id"].as_str().unwrap()));
    assert!(
        feed["events"][0]["description"]
            .as_str()
            .unwrap()
            .contains("https://meet.example.org/office-hours"),
        "a registrant's feed has the link: {feed}"
    );
    browser.get("/calendar").await;
    browser.post("/calendar/feed", &[]).await;
    assert_eq!(fetch(url).await.0, 404, "the old address stops working");

    // The community's public feed: public events only, and no online links.
    let (status, _, public_ics) = fetch(t.url("/c/guild/calendar.ics")).await;
    assert_eq!(status, 200);
    let public_feed = parse_ics(&public_ics);
    let titles: Vec<&str> = public_feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Office hours", "Not for Ann"]);
    assert!(!public_ics.contains("meet.example.org"), "{public_ics}");
}

/// The reminder is due while the server is down: when it comes back it sends it, once, over
/// SMTP to a real server on loopback, with the headers a mail client needs.
#[tokio::test]
async fn a_reminder_due_while_the_server_was_down_is_sent_once_over_smtp() {
    let smtp = SmtpReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let database_url = townsquare_testkit::fresh_database_url(dir.path()).await;
    let smtp_url = smtp.url();
    let env = [("TOWNSQUARE_SMTP_URL", smtp_url.as_str())];
    let mut server = Server::start_with_env(dir.path(), &database_url, &env).await;
    let base = server.base_url.clone();
    let client = reqwest::Client::new();
    let call = |method: &str, path: &str, token: Option<&str>, body: Value| {
        let mut req = client.request(method.parse().unwrap(), format!("{base}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.json(&body).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let signup = |email: &'static str, name: &'static str| {
        call(
            "POST",
            "/api/v1/auth/signup",
            None,
            json!({"email": email, "display_name": name, "password": PASSWORD}),
        )
    };
    let owner = signup("host@example.org", "Hana Host").await.1["token"]
        .as_str()
        .unwrap()
        .to_string();
    let ann = signup("ann@example.org", "Ann").await.1["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            json!({"name": "Guild", "slug": "guild"})
        )
        .await
        .0,
        201
    );
    assert_eq!(
        call(
            "POST",
            "/api/v1/communities/guild/spaces",
            Some(&owner),
            json!({"name": "Meetups", "slug": "meetups", "kind": "events"})
        )
        .await
        .0,
        201
    );
    let (status, joined) = call(
        "POST",
        "/api/v1/communities/guild/join",
        Some(&ann),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{joined}");
    // Starts in an hour and six seconds, with a reminder an hour before: due in six seconds.
    let start = chrono::Utc::now().timestamp_micros() + HOUR + 6_000_000;
    let (status, event) = call(
        "POST",
        "/api/v1/communities/guild/spaces/meetups/events",
        Some(&owner),
        body_at(start, Some("1h")),
    )
    .await;
    assert_eq!(status, 201, "{event}");
    let id = event["id"].as_str().unwrap().to_string();
    let (status, _) = call(
        "POST",
        &format!("/api/v1/events/{id}/registration"),
        Some(&ann),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);

    // Down before the reminder is due, back after.
    server.kill();
    let due = start - HOUR;
    let wait = (due - chrono::Utc::now().timestamp_micros()).max(0) as u64 + 1_500_000;
    tokio::time::sleep(Duration::from_micros(wait)).await;
    let is_reminder = |m: &crate::smtp::Received| {
        m.header("Subject")
            .is_some_and(|s| s.starts_with("Reminder:"))
    };
    assert!(
        smtp.received().iter().all(|m| !is_reminder(m)),
        "nothing while down"
    );
    let mut server = Server::start_with_env(dir.path(), &database_url, &env).await;
    let got = smtp.wait_for(1, Duration::from_secs(30), is_reminder).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let mail = &got[0];
    assert_eq!(mail.to, ["ann@example.org"]);
    assert!(mail.from.contains('@'), "envelope sender: {}", mail.from);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Reminder: Office hours starts in an hour")
    );
    assert!(mail.header("To").unwrap().contains("ann@example.org"));
    assert!(mail.header("From").is_some());
    assert!(mail.header("Message-ID").unwrap().ends_with("@townsquare>"));
    assert!(mail
        .header("Content-Type")
        .unwrap()
        .starts_with("text/plain"));
    assert!(mail.header("Date").is_some());

    // Another restart and some sweeps later: still once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.kill();
    let _server = Server::start_with_env(dir.path(), &database_url, &env).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all: Vec<_> = smtp.received().into_iter().filter(is_reminder).collect();
    assert_eq!(all.len(), 1, "{all:?}");
}

async fn subjects_to(t: &TestApp, email: &str, prefix: &str) -> Vec<(String, String)> {
    t.app
        .mail_to(email)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with(prefix))
        .map(|m| (m.subject, m.body_text))
        .collect()
}

#[tokio::test]
async fn a_cancelled_event_tells_everyone_and_calendars_and_closes() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * DAY;
    let mut body = body_at(start, None);
    body["capacity"] = json!(1);
    let e = create(&t, &owner, body).await;
    let id = e["id"].as_str().unwrap().to_string();
    assert_eq!(register(&t, &ann, &id).await.1["my_status"], "registered");
    assert_eq!(register(&t, &ben, &id).await.1["my_status"], "waitlisted");
    let cancel = |token: String, reason: &'static str| {
        let path = format!("/api/v1/events/{id}/cancel");
        let t = &t;
        async move {
            t.api("POST", &path, Some(&token), Some(json!({"reason": reason})))
                .await
        }
    };

    assert_eq!(cancel(ann.clone(), "I am bored").await.0, 403);
    let (status, problem) = cancel(owner.clone(), "  ").await;
    assert_eq!(status, 422, "{problem}");
    let (status, cancelled) = cancel(owner.clone(), "The venue flooded").await;
    assert_eq!(status, 200, "{cancelled}");
    assert!(cancelled["cancelled_at"].is_string(), "{cancelled}");
    assert_eq!(cancelled["cancel_reason"], "The venue flooded");
    assert_eq!(cancelled["sequence"], 1);
    assert_eq!(cancel(owner.clone(), "Again").await.0, 409);

    // Registrant and waitlist alike are told why.
    for email in ["ann@example.org", "ben@example.org"] {
        let mail = subjects_to(&t, email, "Cancelled:").await;
        assert_eq!(mail.len(), 1, "{email}: {mail:?}");
        assert_eq!(mail[0].0, "Cancelled: Office hours");
        assert!(mail[0].1.contains("The venue flooded"), "{}", mail[0].1);
    }
    assert!(subjects_to(&t, "cat@example.org", "Cancelled:")
        .await
        .is_empty());

    // Closed to registration and edits; calendars see it cancelled; no reminders.
    let (status, problem) = register(&t, &cat, &id).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("cancelled"), "{problem}");
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(body_at(start, None)),
        )
        .await;
    assert_eq!(status, 409);
    let ics = reqwest::get(t.url(&format!("/c/guild/events/{id}/event.ics")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    assert_eq!(parse_ics(&ics)["events"][0]["sequence"], 1);
    advance_to(&t, start - DAY + MINUTE);
    t.app.send_due_event_reminders().await.unwrap();
    assert!(reminders_to(&t, "ann@example.org").await.is_empty());

    // The page says so, with the reason, and offers no registration.
    let page = t.browser().get(&format!("/c/guild/events/{id}")).await;
    let text = page.text();
    assert!(
        text.contains("This event is cancelled. The venue flooded"),
        "{text}"
    );
}

#[tokio::test]
async fn moving_an_event_tells_registrants_the_new_time() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * DAY;
    let e = create(&t, &owner, body_at(start, None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    register(&t, &ann, &id).await;

    // A new title alone is not news.
    let mut retitled = body_at(start, None);
    retitled["title"] = json!("Office hours (AMA)");
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(retitled),
        )
        .await;
    assert_eq!(status, 200);
    assert!(subjects_to(&t, "ann@example.org", "New time:")
        .await
        .is_empty());

    let mut moved = body_at(start + 3 * HOUR, None);
    moved["title"] = json!("Office hours (AMA)");
    let (status, after) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(moved),
        )
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["sequence"], 2);
    let mail = subjects_to(&t, "ann@example.org", "New time:").await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, "New time: Office hours (AMA)");
    let new_start = chrono::DateTime::from_timestamp_micros(start + 3 * HOUR)
        .unwrap()
        .format("%H:%M")
        .to_string();
    let now_line = mail[0]
        .1
        .lines()
        .find(|l| l.starts_with("Now: "))
        .unwrap_or_default();
    assert!(now_line.contains(&new_start), "{}", mail[0].1);
}
