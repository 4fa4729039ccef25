//! Events: scheduling in a named time zone, registration with a capacity and a waitlist,
//! the online link for registrants only, and the `.ics` download read by another parser.

use crate::discussions::{guild, member};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use townsquare_testkit::TestApp;

/// The guild (see `discussions::guild`) with an events space `meetups`; returns the owner.
pub(crate) async fn events_guild(t: &TestApp) -> String {
    let owner = guild(t).await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces",
            Some(&owner),
            Some(json!({"name": "Meetups", "slug": "meetups", "kind": "events"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    owner
}

/// A valid event body: 09:00–10:30 Europe/Berlin on the Monday after the 2027 DST change.
pub(crate) fn event_body(capacity: Option<i64>) -> Value {
    json!({
        "title": "Office hours",
        "description": "Bring your **questions**.<script>alert(1)</script>",
        "format": "ama",
        "starts_at": "2027-03-29T09:00",
        "ends_at": "2027-03-29T10:30",
        "time_zone": "Europe/Berlin",
        "online_url": "https://meet.example.org/office-hours",
        "capacity": capacity,
    })
}

pub(crate) async fn create(t: &TestApp, token: &str, body: Value) -> Value {
    let (status, event) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/meetups/events",
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    event
}

pub(crate) async fn register(t: &TestApp, token: &str, id: &str) -> (u16, Value) {
    t.api(
        "POST",
        &format!("/api/v1/events/{id}/registration"),
        Some(token),
        None,
    )
    .await
}

async fn verbs(t: &TestApp) -> Vec<String> {
    let c = t.app.community(None, "guild").await.unwrap();
    let mut rows = townsquare_app::store::activity::recent_in_community(
        t.app.db(),
        &c.community.id,
        None,
        200,
    )
    .await
    .unwrap();
    rows.reverse();
    rows.into_iter()
        .map(|r| r.activity.verb)
        .filter(|v| v.starts_with("event_"))
        .collect()
}

#[tokio::test]
async fn hosts_schedule_on_the_wall_clock_and_bad_input_is_refused() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let m = member(&t, "mia@example.org", "Mia Member").await;

    // 09:00 in Berlin the day after the clocks go forward is 07:00 UTC.
    let e = create(&t, &owner, event_body(Some(10))).await;
    assert_eq!(e["starts_at"], "2027-03-29T07:00:00Z");
    assert_eq!(e["ends_at"], "2027-03-29T08:30:00Z");
    assert_eq!(e["starts_at_local"], "2027-03-29T09:00");
    assert_eq!(e["time_zone"], "Europe/Berlin");
    assert_eq!(e["sequence"], 0);

    // Members do not host.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/meetups/events",
            Some(&m),
            Some(event_body(None)),
        )
        .await;
    assert_eq!(status, 403);
    // Only in an events space.
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/help/events",
            Some(&owner),
            Some(event_body(None)),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    for (field, value, expected) in [
        ("ends_at", json!("2027-03-29T08:00"), "ends_at"),
        ("format", json!("party"), "format"),
        ("capacity", json!(0), "capacity"),
        ("online_url", json!("javascript:alert(1)"), "online_url"),
        ("time_zone", json!("Mars/Olympus"), "time_zone"),
        ("starts_at", json!("next tuesday"), "starts_at"),
        (
            "registration_deadline",
            json!("2027-03-29T09:30"),
            "registration_deadline",
        ),
        ("title", json!("   "), "title"),
    ] {
        let mut body = event_body(None);
        body[field] = value;
        let (status, problem) = t
            .api(
                "POST",
                "/api/v1/communities/guild/spaces/meetups/events",
                Some(&owner),
                Some(body),
            )
            .await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert_eq!(problem["errors"][0]["field"], expected, "{problem}");
    }
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/meetups/events",
            Some(&owner),
            Some(json!("not an object")),
        )
        .await;
    assert!((400..500).contains(&status), "{status}");

    // Editing bumps SEQUENCE; capacity cannot drop below the seats taken.
    let id = e["id"].as_str().unwrap();
    assert_eq!(register(&t, &m, id).await.0, 200);
    let mut edit = event_body(Some(10));
    edit["title"] = json!("Office hours with the maintainers");
    let (status, edited) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(edit),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["sequence"], 1);
    assert_eq!(edited["title"], "Office hours with the maintainers");
    let mut shrink = event_body(Some(1));
    shrink["capacity"] = json!(1);
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(shrink)
        )
        .await
        .0,
        200
    );
    let m2 = member(&t, "max@example.org", "Max Member").await;
    assert_eq!(register(&t, &m2, id).await.1["my_status"], "waitlisted");
    let (status, problem) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(event_body(Some(0))),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    // Raising the capacity lets the waitlist in.
    let (_, raised) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(event_body(Some(5))),
        )
        .await;
    assert_eq!(raised["registered"], 2, "{raised}");
    let (_, seen) = t
        .api("GET", &format!("/api/v1/events/{id}"), Some(&m2), None)
        .await;
    assert_eq!(seen["my_status"], "registered");
    assert!(t.app.mail_to("max@example.org").await.unwrap().len() == 1);

    // The description is rendered and sanitized on the page.
    let b = t.browser();
    let page = b.get(&format!("/c/guild/events/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("<strong>questions</strong>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>alert"), "{}", page.html);
    assert!(
        page.text()
            .contains("Mon 29 Mar 2027, 09:00 (Europe/Berlin)"),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn a_freed_seat_goes_to_the_first_in_line_with_an_email() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let e = create(&t, &owner, event_body(Some(2))).await;
    let id = e["id"].as_str().unwrap().to_string();
    let mut tokens = Vec::new();
    for (email, name) in [
        ("ann@example.org", "Ann"),
        ("ben@example.org", "Ben"),
        ("cat@example.org", "Cat"),
        ("dan@example.org", "Dan"),
    ] {
        tokens.push(member(&t, email, name).await);
    }
    let statuses: Vec<Value> = {
        let mut v = Vec::new();
        for tok in &tokens {
            let (status, body) = register(&t, tok, &id).await;
            assert_eq!(status, 200, "{body}");
            v.push(body["my_status"].clone());
        }
        v
    };
    assert_eq!(
        statuses,
        vec![
            json!("registered"),
            json!("registered"),
            json!("waitlisted"),
            json!("waitlisted")
        ]
    );
    // A second registration is refused; waitlist positions are shown.
    let (status, problem) = register(&t, &tokens[0], &id).await;
    assert_eq!(status, 409, "{problem}");
    let (_, dan) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}"),
            Some(&tokens[3]),
            None,
        )
        .await;
    assert_eq!(dan["waitlist_position"], 2);
    assert_eq!(dan["waitlisted"], 2);

    // The link is for registrants only: not for the waitlisted, outsiders or visitors.
    assert!(dan["online_url"].is_null(), "{dan}");
    assert_eq!(dan["online"], true);
    let (_, ann) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}"),
            Some(&tokens[0]),
            None,
        )
        .await;
    assert_eq!(ann["online_url"], "https://meet.example.org/office-hours");
    let (_, anon) = t
        .api("GET", &format!("/api/v1/events/{id}"), None, None)
        .await;
    assert!(anon["online_url"].is_null());
    let page = t.browser().get(&format!("/c/guild/events/{id}")).await;
    assert!(!page.html.contains("meet.example.org"));
    assert!(page
        .text()
        .contains("The online link is shown to registrants."));
    let ics = reqwest::get(t.url(&format!("/c/guild/events/{id}/event.ics")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!ics.contains("meet.example.org"), "{ics}");

    // Ben cancels: Cat (first in line) gets the seat and an e-mail; Dan moves up.
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}/registration"),
            Some(&tokens[1]),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, cat) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}"),
            Some(&tokens[2]),
            None,
        )
        .await;
    assert_eq!(cat["my_status"], "registered");
    assert_eq!(cat["registered"], 2);
    let (_, dan) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}"),
            Some(&tokens[3]),
            None,
        )
        .await;
    assert_eq!(dan["waitlist_position"], 1);
    let mails = t.app.mail_to("cat@example.org").await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "You have a seat: Office hours");
    assert!(mails[0]
        .body_text
        .contains("Mon 29 Mar 2027, 09:00 (Europe/Berlin)"));
    assert!(t.app.mail_to("dan@example.org").await.unwrap().is_empty());

    // Cancelling twice is a conflict; a waitlisted member can leave the line.
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}/registration"),
            Some(&tokens[1]),
            None,
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/events/{id}/registration"),
            Some(&tokens[3]),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        verbs(&t).await,
        vec![
            "event_created",
            "event_registered",
            "event_registered",
            "event_waitlisted",
            "event_waitlisted",
            "event_cancelled",
            "event_promoted",
            "event_cancelled",
        ]
    );
}

#[tokio::test]
async fn capacity_holds_when_many_register_at_once() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let e = create(&t, &owner, event_body(Some(3))).await;
    let id = e["id"].as_str().unwrap().to_string();
    let mut tokens = Vec::new();
    for i in 0..16 {
        tokens.push(member(&t, &format!("m{i}@example.org"), &format!("Member {i}")).await);
    }
    let calls = tokens.iter().map(|tok| register(&t, tok, &id));
    let results = futures::future::join_all(calls).await;
    let mut registered = 0;
    let mut waitlisted = 0;
    for (status, body) in &results {
        assert_eq!(*status, 200, "{body}");
        match body["my_status"].as_str() {
            Some("registered") => registered += 1,
            Some("waitlisted") => waitlisted += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((registered, waitlisted), (3, 13));
    let (_, seen) = t
        .api("GET", &format!("/api/v1/events/{id}"), Some(&owner), None)
        .await;
    assert_eq!(seen["registered"], 3);
    assert_eq!(seen["waitlisted"], 13);
    let counted = townsquare_app::store::events::counts(t.app.db(), &id)
        .await
        .unwrap();
    assert_eq!(counted, (3, 13));

    // Three cancel at once: three promoted, never more than capacity.
    let registered_tokens: Vec<&String> = tokens
        .iter()
        .zip(&results)
        .filter(|(_, (_, b))| b["my_status"] == "registered")
        .map(|(tok, _)| tok)
        .collect();
    let path = format!("/api/v1/events/{id}/registration");
    let cancels = registered_tokens
        .iter()
        .map(|tok| t.api("DELETE", &path, Some(tok), None));
    for (status, _) in futures::future::join_all(cancels).await {
        assert_eq!(status, 204);
    }
    let counted = townsquare_app::store::events::counts(t.app.db(), &id)
        .await
        .unwrap();
    assert_eq!(counted, (3, 10));
}

#[tokio::test]
async fn registration_closes_at_the_deadline_and_after_the_event() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let m = member(&t, "mia@example.org", "Mia Member").await;
    let mut closed = event_body(None);
    // A deadline already passed (the event itself is still ahead).
    closed["registration_deadline"] = json!("2020-01-01T00:00");
    closed["starts_at"] = json!("2027-03-29T09:00");
    let e = create(&t, &owner, closed).await;
    let (status, problem) = register(&t, &m, e["id"].as_str().unwrap()).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("closed"), "{problem}");

    let mut past = event_body(None);
    past["starts_at"] = json!("2021-05-01T18:00");
    past["ends_at"] = json!("2021-05-01T20:00");
    let p = create(&t, &owner, past).await;
    let (status, problem) = register(&t, &m, p["id"].as_str().unwrap()).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("over"), "{problem}");

    // The space lists upcoming events, and past ones below.
    let (_, lists) = t
        .api(
            "GET",
            "/api/v1/communities/guild/spaces/meetups/events",
            None,
            None,
        )
        .await;
    assert_eq!(lists["upcoming"].as_array().unwrap().len(), 1);
    assert_eq!(lists["past"][0]["id"], p["id"]);
    let page = t.browser().get("/c/guild/s/meetups").await;
    let text = page.text();
    let up = text.find("Upcoming events").unwrap();
    let past_at = text.find("Past events").unwrap();
    assert!(up < past_at, "{text}");
    assert!(text.contains("Office hours"), "{text}");
}

#[tokio::test]
async fn a_private_communitys_events_are_invisible_to_outsiders() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let (status, _) = t
        .api(
            "PATCH",
            "/api/v1/communities/guild",
            Some(&owner),
            Some(json!({"visibility": "private"})),
        )
        .await;
    assert_eq!(status, 200);
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap();
    let outsider = t.api_user("out@example.org", "Outsider").await;
    for token in [Some(outsider.as_str()), None] {
        assert_eq!(
            t.api("GET", &format!("/api/v1/events/{id}"), token, None)
                .await
                .0,
            404
        );
        assert_eq!(
            t.api(
                "GET",
                "/api/v1/communities/guild/spaces/meetups/events",
                token,
                None
            )
            .await
            .0,
            404
        );
    }
    assert_eq!(register(&t, &outsider, id).await.0, 404);
    let b = t.signed_up("out2@example.org", "Other Outsider").await;
    assert_eq!(b.get(&format!("/c/guild/events/{id}")).await.status, 404);
    assert_eq!(
        b.get(&format!("/c/guild/events/{id}/event.ics"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_event_form_reshows_errors_and_registration_works_in_the_browser() {
    let t = TestApp::spawn().await;
    let owner_token = events_guild(&t).await;
    let _ = owner_token;
    let owner = t.browser();
    owner
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let form = owner.get("/c/guild/s/meetups/events/new").await;
    assert_eq!(form.status, 200);
    let fields = [
        ("title", "Rust meetup"),
        ("format", "meetup"),
        ("description", "Talks and pizza."),
        ("starts_at", "2027-06-10T18:30"),
        ("ends_at", "2027-06-10T18:00"),
        ("time_zone", "Europe/Berlin"),
        ("venue", "Café Central, Berlin"),
        ("online_url", ""),
        ("capacity", "1"),
        ("registration_deadline", ""),
    ];
    let page = owner.post("/c/guild/s/meetups/events", &fields).await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("The event must end after it starts."));
    assert!(page.html.contains("Café Central, Berlin"), "kept input");
    let mut fixed = fields;
    fixed[4] = ("ends_at", "2027-06-10T21:00");
    let page = owner.post("/c/guild/s/meetups/events", &fixed).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.path().starts_with("/c/guild/events/"), "{}", page.url);
    let event_path = page.path();

    let mia = t.signed_up("mia@example.org", "Mia Member").await;
    mia.get("/c/guild").await;
    mia.post("/c/guild/join", &[]).await;
    let p = mia.get(&event_path).await;
    assert!(
        p.text().contains("1 registered") || p.text().contains("0 of 1 seats taken"),
        "{}",
        p.text()
    );
    let p = mia.post(&format!("{event_path}/register"), &[]).await;
    assert!(p.text().contains("You are registered."), "{}", p.text());
    let leo = t.signed_up("leo@example.org", "Leo Member").await;
    leo.get("/c/guild").await;
    leo.post("/c/guild/join", &[]).await;
    leo.get(&event_path).await;
    let p = leo.post(&format!("{event_path}/register"), &[]).await;
    assert!(p.text().contains("number 1 in line"), "{}", p.text());
    let p = mia.post(&format!("{event_path}/cancel"), &[]).await;
    assert!(
        p.text().contains("Your registration is cancelled."),
        "{}",
        p.text()
    );
    let p = leo.get(&event_path).await;
    assert!(p.text().contains("You are registered."), "{}", p.text());
}

/// Runs Python's `icalendar` over our calendar and returns what it read, as JSON.
pub(crate) fn parse_ics(ics: &str) -> Value {
    const SCRIPT: &str = r#"
import json, sys
try:
    import icalendar
except ImportError:
    print("icalendar is not installed: python3 -m pip install icalendar==6.1.3", file=sys.stderr)
    sys.exit(3)
cal = icalendar.Calendar.from_ical(sys.stdin.read())
events = []
for e in cal.walk("VEVENT"):
    events.append({
        "uid": str(e.get("UID")),
        "summary": str(e.get("SUMMARY")),
        "sequence": int(e.get("SEQUENCE")),
        "start": e.decoded("DTSTART").isoformat(),
        "end": e.decoded("DTEND").isoformat(),
        "location": str(e.get("LOCATION")),
        "description": str(e.get("DESCRIPTION")),
        "url": str(e.get("URL")),
    })
print(json.dumps({"version": str(cal.get("VERSION")), "method": str(cal.get("METHOD")), "events": events}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to parse our calendars");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar failed ({}): {}\n(install it with: python3 -m pip install icalendar==6.1.3)",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parser's JSON")
}

#[tokio::test]
async fn the_ics_download_reads_in_an_independent_parser() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let m = member(&t, "mia@example.org", "Mia Member").await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap();
    register(&t, &m, id).await;
    let fetch = |token: Option<String>| {
        let url = t.url(&format!("/c/guild/events/{id}/event.ics"));
        async move {
            let client = reqwest::Client::new();
            let mut req = client.get(url);
            if let Some(tok) = token {
                req = req.bearer_auth(tok);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200);
            assert!(res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar"));
            res.text().await.unwrap()
        }
    };
    let anonymous = parse_ics(&fetch(None).await);
    assert_eq!(anonymous["version"], "2.0");
    assert_eq!(anonymous["method"], "PUBLISH");
    let ev = &anonymous["events"][0];
    assert_eq!(ev["summary"], "Office hours");
    assert_eq!(ev["start"], "2027-03-29T07:00:00+00:00");
    assert_eq!(ev["end"], "2027-03-29T08:30:00+00:00");
    assert_eq!(ev["sequence"], 0);
    assert!(ev["uid"].as_str().unwrap().starts_with(id), "{ev}");
    assert!(ev["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/c/guild/events/{id}")));
    assert!(!ev["description"]
        .as_str()
        .unwrap()
        .contains("meet.example.org"));
    assert!(!ev["description"].as_str().unwrap().contains("<script"));

    // A registrant's copy carries the link; after an edit the UID stays and SEQUENCE grows.
    let mine = parse_ics(&fetch(Some(m.clone())).await);
    assert!(
        mine["events"][0]["description"]
            .as_str()
            .unwrap()
            .contains("https://meet.example.org/office-hours"),
        "{mine}"
    );
    let mut later = event_body(None);
    later["starts_at"] = json!("2027-03-29T10:00");
    later["ends_at"] = json!("2027-03-29T11:00");
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(later)
        )
        .await
        .0,
        200
    );
    let after = parse_ics(&fetch(None).await);
    assert_eq!(after["events"][0]["uid"], ev["uid"]);
    assert_eq!(after["events"][0]["sequence"], 1);
    assert_eq!(after["events"][0]["start"], "2027-03-29T08:00:00+00:00");
}

#[tokio::test]
async fn the_demo_has_upcoming_and_past_events_of_every_format_and_a_waitlist() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let (status, lists) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/spaces/events/events",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{lists}");
    let upcoming = lists["upcoming"].as_array().unwrap();
    let past = lists["past"].as_array().unwrap();
    assert!(upcoming.len() >= 4 && past.len() >= 2, "{lists}");
    let mut formats: Vec<&str> = upcoming
        .iter()
        .chain(past)
        .map(|e| e["format"].as_str().unwrap())
        .collect();
    formats.sort_unstable();
    formats.dedup();
    assert_eq!(
        formats,
        ["ama", "meetup", "networking", "webinar", "workshop"]
    );
    // A full workshop with people waiting, and never more seats taken than capacity.
    let mut with_waitlist = 0;
    for e in upcoming.iter().chain(past) {
        let id = e["id"].as_str().unwrap();
        let (registered, waitlisted) = townsquare_app::store::events::counts(t.app.db(), id)
            .await
            .unwrap();
        assert_eq!(e["registered"], registered, "{e}");
        if let Some(cap) = e["capacity"].as_i64() {
            assert!(registered <= cap, "{e}");
        }
        if waitlisted > 0 {
            assert_eq!(e["registered"], e["capacity"], "{e}");
            with_waitlist += 1;
        }
    }
    assert!(with_waitlist >= 1);
    let page = t.browser().get("/c/open-source-guild/s/events").await;
    assert!(page.text().contains("Upcoming events"), "{}", page.text());
    assert!(page.text().contains("waitlist open"), "{}", page.text());
    // The public calendar feed has the weekly office hours as one recurring event, with the
    // date called off excluded and the date moved alone overriding its instance.
    let ics = reqwest::get(t.url("/c/open-source-guild/calendar.ics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=8"), "{ics}");
    assert!(ics.contains("EXDATE;TZID="), "{ics}");
    assert!(ics.contains("RECURRENCE-ID;TZID="), "{ics}");
    assert!(
        ics.contains("SUMMARY:Weekly office hours: release special"),
        "{ics}"
    );
    assert_eq!(
        parse_ics(&ics)["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["summary"] == "Weekly office hours")
            .count(),
        1,
        "one recurring event, not one per date"
    );
}
