//! Recurring events: a weekly COUNT rule and a monthly UNTIL rule expanded on the series'
//! clock across the European clock changes, unsupported rules refused, editing the series
//! versus one date, and cancelling the series.

use crate::discussions::member;
use crate::events::{events_guild, register};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

/// Office hours 09:00–10:30 in Berlin from `start` (a date), repeating by `rule`.
fn series_body(start: &str, rule: &str) -> Value {
    json!({
        "title": "Weekly office hours",
        "description": "Drop in with questions.",
        "format": "ama",
        "starts_at": format!("{start}T09:00"),
        "ends_at": format!("{start}T10:30"),
        "time_zone": "Europe/Berlin",
        "online_url": "https://meet.example.org/office-hours",
        "capacity": 5,
        "recurrence": rule,
    })
}

async fn schedule(t: &TestApp, token: &str, body: Value) -> (u16, Value) {
    t.api(
        "POST",
        "/api/v1/communities/guild/spaces/meetups/events",
        Some(token),
        Some(body),
    )
    .await
}

fn starts(first: &Value) -> Vec<(String, String)> {
    first["series"]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["starts_at"].as_str().unwrap().to_string(),
                o["starts_at_local"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(first: &Value) -> Vec<String> {
    first["series"]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

async fn event(t: &TestApp, id: &str) -> Value {
    let (status, e) = t
        .api("GET", &format!("/api/v1/events/{id}"), None, None)
        .await;
    assert_eq!(status, 200, "{e}");
    e
}

#[tokio::test]
async fn weekly_and_monthly_rules_keep_the_wall_clock_across_the_clock_changes() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;

    // Every Tuesday for 8 weeks from 16 March 2027: Berlin moves to summer time on 28 March,
    // so 09:00 there is 08:00 UTC twice, then 07:00 UTC.
    let (status, first) = schedule(
        &t,
        &owner,
        series_body("2027-03-16", "FREQ=WEEKLY;BYDAY=TU;COUNT=8"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        first["series"]["description"],
        "every week on Tuesday, 8 times"
    );
    let s = starts(&first);
    assert_eq!(s.len(), 8);
    assert_eq!(s[0].0, "2027-03-16T08:00:00Z");
    assert_eq!(s[1].0, "2027-03-23T08:00:00Z");
    assert_eq!(s[2].0, "2027-03-30T07:00:00Z");
    assert_eq!(s[7].0, "2027-05-04T07:00:00Z");
    assert!(
        s.iter().all(|(_, local)| local.ends_with("T09:00")),
        "{s:?}"
    );
    // Each date is an event of its own: registration, its own UID in its .ics.
    let ids = ids(&first);
    let third = event(&t, &ids[2]).await;
    assert_eq!(third["starts_at"], "2027-03-30T07:00:00Z");
    assert_eq!(third["ends_at"], "2027-03-30T08:30:00Z");
    assert_eq!(third["recurrence_id"], "2027-03-30T07:00:00Z");
    assert_eq!(third["series_id"], first["series"]["id"]);
    assert_eq!(third["ticket_types"][0]["name"], "General admission");
    let m = member(&t, "mia@example.org", "Mia Member").await;
    assert_eq!(register(&t, &m, &ids[2]).await.1["my_status"], "registered");
    let ics = |id: String| {
        let url = t.url(&format!("/c/guild/events/{id}/event.ics"));
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let uid = |ics: &str| {
        ics.lines()
            .find(|l| l.starts_with("UID:"))
            .unwrap()
            .to_string()
    };
    let (a, b) = (ics(ids[0].clone()).await, ics(ids[2].clone()).await);
    assert_ne!(uid(&a), uid(&b));
    assert!(b.contains("DTSTART:20270330T070000Z"), "{b}");

    // The first Thursday of each month until the end of 2027, from September: summer time
    // ends on 31 October, so 09:00 is 07:00 UTC, then 08:00 UTC.
    let mut monthly = series_body("2027-09-02", "FREQ=MONTHLY;BYDAY=1TH;UNTIL=20271231");
    monthly["title"] = json!("Monthly community call");
    let (status, first) = schedule(&t, &owner, monthly).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        first["series"]["description"],
        "every month on the first Thursday, until 31 Dec 2027"
    );
    assert_eq!(
        starts(&first)
            .into_iter()
            .map(|(utc, _)| utc)
            .collect::<Vec<_>>(),
        [
            "2027-09-02T07:00:00Z",
            "2027-10-07T07:00:00Z",
            "2027-11-04T08:00:00Z",
            "2027-12-02T08:00:00Z"
        ]
    );

    // The event page says how it repeats and links the other dates.
    let page = t
        .browser()
        .get(&format!(
            "/c/guild/events/{}",
            first["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        page.text()
            .contains("Repeats every month on the first Thursday, until 31 Dec 2027"),
        "{}",
        page.text()
    );
    let later = first["series"]["occurrences"][3]["id"].as_str().unwrap();
    assert!(page.html.contains(&format!("/c/guild/events/{later}\"")));
}

#[tokio::test]
async fn unsupported_rules_are_refused_with_a_field_error() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    for (rule, says) in [
        ("FREQ=DAILY;COUNT=5", "weekly or monthly"),
        ("FREQ=YEARLY;COUNT=2", "weekly or monthly"),
        ("FREQ=WEEKLY", "COUNT"),
        ("FREQ=WEEKLY;COUNT=60", "at most 52"),
        ("FREQ=WEEKLY;BYHOUR=9;COUNT=3", "not supported"),
    ] {
        let (status, problem) = schedule(&t, &owner, series_body("2027-03-16", rule)).await;
        assert_eq!(status, 422, "{rule}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "recurrence", "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{rule}: {problem}"
        );
    }
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/spaces/meetups/events",
            None,
            None,
        )
        .await;
    assert_eq!(
        list["upcoming"].as_array().unwrap().len(),
        0,
        "nothing made"
    );

    // The form shows the message beside the field.
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    host.get("/c/guild/s/meetups/events/new").await;
    let page = host
        .post(
            "/c/guild/s/meetups/events",
            &[
                ("title", "Standup"),
                ("format", "meetup"),
                ("starts_at", "2027-03-16T09:00"),
                ("ends_at", "2027-03-16T09:15"),
                ("time_zone", "Europe/Berlin"),
                ("venue", "Room 1"),
                ("recurrence", "FREQ=DAILY;COUNT=5"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("id=\"recurrence-error\""),
        "{}",
        page.html
    );
    let page = host
        .post(
            "/c/guild/s/meetups/events",
            &[
                ("title", "Standup"),
                ("format", "meetup"),
                ("starts_at", "2027-03-16T09:00"),
                ("ends_at", "2027-03-16T09:15"),
                ("time_zone", "Europe/Berlin"),
                ("venue", "Room 1"),
                ("recurrence", "FREQ=WEEKLY;COUNT=3"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Series scheduled: 3 dates."),
        "{}",
        page.text()
    );

    // Or by the simple choices: monthly on the same weekday, a number of dates or a last day.
    let simple = |repeat: &'static str, count: &'static str, until: &'static str| {
        vec![
            ("title", "Community call"),
            ("format", "webinar"),
            ("starts_at", "2027-09-02T18:00"),
            ("ends_at", "2027-09-02T19:00"),
            ("time_zone", "Europe/Berlin"),
            ("online_url", "https://meet.example.org/call"),
            ("repeat", repeat),
            ("repeat_count", count),
            ("repeat_until", until),
        ]
    };
    host.get("/c/guild/s/meetups/events/new").await;
    let page = host
        .post("/c/guild/s/meetups/events", &simple("monthly", "", ""))
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("id=\"repeat_count-error\""),
        "{}",
        page.html
    );
    let page = host
        .post(
            "/c/guild/s/meetups/events",
            &simple("monthly", "", "2027-12-31"),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(
        page.text()
            .contains("Repeats every month on the first Thursday, until 31 Dec 2027"),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn editing_the_series_changes_its_dates_not_one_edited_alone_and_cancelling_calls_them_off() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let (_, first) = schedule(&t, &owner, series_body("2027-03-16", "FREQ=WEEKLY;COUNT=4")).await;
    let series = first["series"]["id"].as_str().unwrap().to_string();
    let ids = ids(&first);
    let m = member(&t, "mia@example.org", "Mia Member").await;
    assert_eq!(register(&t, &m, &ids[2]).await.1["my_status"], "registered");

    // The second date is edited alone: it becomes an exception.
    let mut special = series_body("2027-03-23", "");
    special.as_object_mut().unwrap().remove("recurrence");
    special["title"] = json!("Office hours: release special");
    let (status, edited) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{}", ids[1]),
            Some(&owner),
            Some(special),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["edited_alone"], true);

    // A capacity below the seats taken on some date is refused.
    let mut too_small = series_body("2027-03-16", "");
    too_small["capacity"] = json!(0);
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/event-series/{series}"),
            Some(&owner),
            Some(too_small),
        )
        .await;
    assert_eq!(status, 422);

    // The series moves to 10:00 and gets a new title: each date keeps its day.
    let mut moved = series_body("2027-03-16", "");
    moved["title"] = json!("Office hours in the new room");
    moved["starts_at"] = json!("2027-03-16T10:00");
    moved["ends_at"] = json!("2027-03-16T11:00");
    let (status, after) = t
        .api(
            "PUT",
            &format!("/api/v1/event-series/{series}"),
            Some(&owner),
            Some(moved),
        )
        .await;
    assert_eq!(status, 200, "{after}");
    let local: Vec<&str> = after["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["starts_at_local"].as_str().unwrap())
        .collect();
    assert_eq!(
        local,
        [
            "2027-03-16T10:00",
            "2027-03-23T09:00",
            "2027-03-30T10:00",
            "2027-04-06T10:00"
        ]
    );
    let third = event(&t, &ids[2]).await;
    assert_eq!(third["title"], "Office hours in the new room");
    assert_eq!(third["starts_at"], "2027-03-30T08:00:00Z");
    assert_eq!(third["ends_at"], "2027-03-30T09:00:00Z");
    assert_eq!(third["sequence"], 1);
    assert_eq!(third["registered"], 1, "registrations stay");
    assert_eq!(
        event(&t, &ids[1]).await["title"],
        "Office hours: release special"
    );
    let mails = t.app.mail_to("mia@example.org").await.unwrap();
    assert!(
        mails
            .iter()
            .any(|m| m.subject == "New time: Office hours in the new room"),
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );

    // The edit form of a date offers the choice; "series" there edits the series.
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let form = host.get(&format!("/c/guild/events/{}/edit", ids[3])).await;
    assert!(
        form.text()
            .contains("This date is part of a series (every week, 4 times)"),
        "{}",
        form.text()
    );

    // Cancelling needs a reason; then every future date is called off and registrants told.
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/event-series/{series}/cancel"),
            Some(&owner),
            Some(json!({"reason": " "})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/event-series/{series}/cancel"),
            Some(&m),
            Some(json!({"reason": "No"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, cancelled) = t
        .api(
            "POST",
            &format!("/api/v1/event-series/{series}/cancel"),
            Some(&owner),
            Some(json!({"reason": "The maintainers are at a conference."})),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert!(cancelled["cancelled_at"].is_string());
    assert!(cancelled["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["cancelled"] == true));
    let mails = t.app.mail_to("mia@example.org").await.unwrap();
    assert!(
        mails
            .iter()
            .any(|m| m.subject == "Cancelled: Office hours in the new room"),
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/event-series/{series}"),
            Some(&owner),
            Some(series_body("2027-03-16", "")),
        )
        .await;
    assert_eq!(status, 409);
}

fn type_named<'a>(e: &'a Value, name: &str) -> &'a Value {
    e["ticket_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no {name:?} in {e}"))
}

fn type_names(e: &Value) -> Vec<String> {
    e["ticket_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn editing_the_series_carries_ticket_types_and_questions_to_its_future_dates() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let mut body = series_body("2027-03-16", "FREQ=WEEKLY;COUNT=4");
    body["ticket_types"] = json!([
        {"name": "Seat", "price_label": "Free", "quantity": 3},
        {"name": "Observer", "price_label": "Free", "quantity": 2},
    ]);
    let (status, first) = schedule(&t, &owner, body).await;
    assert_eq!(status, 201, "{first}");
    let series = first["series"]["id"].as_str().unwrap().to_string();
    let ids = ids(&first);
    let seat = type_named(&first, "Seat")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let observer = type_named(&first, "Observer")["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The second date is edited alone; on the third, Mia holds an Observer ticket.
    let mut special = series_body("2027-03-23", "");
    special.as_object_mut().unwrap().remove("recurrence");
    special["title"] = json!("Office hours: release special");
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{}", ids[1]),
            Some(&owner),
            Some(special),
        )
        .await;
    assert_eq!(status, 200);
    let mia = member(&t, "mia@example.org", "Mia Member").await;
    let third = event(&t, &ids[2]).await;
    let third_observer = type_named(&third, "Observer")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, reg) = t
        .api(
            "POST",
            &format!("/api/v1/events/{}/registration", ids[2]),
            Some(&mia),
            Some(json!({"ticket_type_id": third_observer})),
        )
        .await;
    assert_eq!(status, 200, "{reg}");
    assert_eq!(reg["my_ticket_type_id"], third_observer.as_str());
    let max = member(&t, "max@example.org", "Max Member").await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/events/{}/registration", ids[2]),
            Some(&max),
            Some(json!({"ticket_type_id": third_observer})),
        )
        .await;
    assert_eq!(status, 200);

    let edit = |types: Value| {
        let mut b = series_body("2027-03-16", "");
        b.as_object_mut().unwrap().remove("recurrence");
        b["ticket_types"] = types;
        b["questions"] = json!([{"prompt": "What would you like to ask?", "kind": "text"}]);
        b
    };
    let put = |b: Value| {
        let path = format!("/api/v1/event-series/{series}");
        let t = &t;
        let owner = owner.clone();
        async move { t.api("PUT", &path, Some(&owner), Some(b)).await }
    };
    // Dropping the type Mia and Max hold, or cutting it below the two taken, is refused with
    // the date named; nothing changes on any date.
    for types in [
        json!([{"id": seat, "name": "Seat", "quantity": 3}]),
        json!([{"id": seat, "name": "Seat", "quantity": 3},
               {"id": observer, "name": "Observer", "quantity": 1}]),
    ] {
        let (status, problem) = put(edit(types)).await;
        assert_eq!(status, 422, "{problem}");
        let text = problem.to_string();
        assert!(text.contains("On Tue 30 Mar 2027"), "{text}");
        assert!(text.contains("Observer"), "{text}");
    }
    let (status, problem) = put(edit(json!([{"id": "not-ours", "name": "Seat"}]))).await;
    assert_eq!(status, 422, "{problem}");
    for id in &ids {
        let e = event(&t, id).await;
        assert_eq!(type_names(&e), ["Seat", "Observer"], "{e}");
        assert_eq!(e["questions"].as_array().map_or(0, Vec::len), 0, "{e}");
    }

    // A valid edit: Seat grows, Observer shrinks to what is taken, Remote is new, and a
    // question is asked, on every future date but the one edited alone.
    let (status, after) = put(edit(json!([
        {"id": seat, "name": "Seat", "price_label": "Free", "quantity": 4},
        {"id": observer, "name": "Observer (back row)", "price_label": "Free", "quantity": 2},
        {"name": "Remote", "price_label": "Free"},
    ])))
    .await;
    assert_eq!(status, 200, "{after}");
    for (i, id) in ids.iter().enumerate() {
        let e = event(&t, id).await;
        if i == 1 {
            assert_eq!(type_names(&e), ["Seat", "Observer"], "edited alone: {e}");
            assert_eq!(e["questions"].as_array().map_or(0, Vec::len), 0, "{e}");
            continue;
        }
        assert_eq!(
            type_names(&e),
            ["Seat", "Observer (back row)", "Remote"],
            "{e}"
        );
        assert_eq!(type_named(&e, "Seat")["quantity"], 4);
        assert_eq!(type_named(&e, "Observer (back row)")["quantity"], 2);
        assert_eq!(
            e["questions"][0]["prompt"], "What would you like to ask?",
            "{e}"
        );
    }
    // Mia and Max keep their tickets: the type was changed, not replaced.
    let third = event(&t, &ids[2]).await;
    let kept = type_named(&third, "Observer (back row)");
    assert_eq!(kept["id"], third_observer.as_str());
    assert_eq!(kept["available"], 0, "{third}");
}

/// Reads a calendar with Python's `icalendar` and expands its recurring events as a calendar
/// program does: `dateutil`'s RRULE expansion from DTSTART (on its TZID's clock), less the
/// EXDATEs, each instance replaced by the event whose RECURRENCE-ID names it. Returns per UID
/// the VEVENTs without RECURRENCE-ID, and per recurring UID its rule, DTSTART and instances
/// (UTC, RFC 3339 with `Z`).
fn expand_ics(ics: &str) -> Value {
    const SCRIPT: &str = r#"
import json, sys
from datetime import timezone
import icalendar
from dateutil.rrule import rrulestr

def z(d):
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

cal = icalendar.Calendar.from_ical(sys.stdin.read())
masters, overrides = {}, {}
for e in cal.walk("VEVENT"):
    uid = str(e.get("UID"))
    if e.get("RECURRENCE-ID") is None:
        masters.setdefault(uid, []).append(e)
    else:
        overrides.setdefault(uid, []).append(e)
out = {"masters": {u: len(v) for u, v in masters.items()}, "series": {},
       "zones": [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")]}
for uid, ms in masters.items():
    m = ms[0]
    if m.get("RRULE") is None:
        continue
    start = m.decoded("DTSTART")
    length = m.decoded("DTEND") - start
    rule = m.get("RRULE").to_ical().decode()
    excluded = set()
    ex = m.get("EXDATE")
    for group in (ex if isinstance(ex, list) else ([ex] if ex is not None else [])):
        for d in group.dts:
            excluded.add(d.dt)
    by_rid = {o.decoded("RECURRENCE-ID"): o for o in overrides.get(uid, [])}
    instances = []
    for i in rrulestr(rule, dtstart=start):
        if i in excluded:
            continue
        o = by_rid.pop(i, None)
        if o is None:
            instances.append({"start": z(i), "end": z(i + length), "summary": str(m.get("SUMMARY"))})
        else:
            instances.append({"start": z(o.decoded("DTSTART")), "end": z(o.decoded("DTEND")),
                              "summary": str(o.get("SUMMARY")), "sequence": int(o.get("SEQUENCE"))})
    instances.sort(key=lambda i: i["start"])
    out["series"][uid] = {
        "rule": rule,
        "dtstart": m["DTSTART"].to_ical().decode(),
        "tzid": m["DTSTART"].params.get("TZID"),
        "sequence": int(m.get("SEQUENCE")),
        "excluded": sorted(z(d) for d in excluded),
        "instances": instances,
        "overrides_without_instance": len(by_rid),
    }
print(json.dumps(out))
"#;
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is needed to read our calendars");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar failed ({}): {}\n(install it with: python3 -m pip install icalendar==6.1.3)\n{ics}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parser's JSON")
}

/// The series' dates as the API lists them, not cancelled: (start, end), UTC.
async fn api_dates(t: &TestApp, series: &str) -> Vec<(String, String)> {
    let (status, s) = t
        .api("GET", &format!("/api/v1/event-series/{series}"), None, None)
        .await;
    assert_eq!(status, 200, "{s}");
    s["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["cancelled"] == false)
        .map(|o| {
            (
                o["starts_at"].as_str().unwrap().to_string(),
                o["ends_at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expanded_dates(series: &Value) -> Vec<(String, String)> {
    series["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["start"].as_str().unwrap().to_string(),
                i["end"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_public_feed_shows_a_series_as_one_recurring_event_with_its_exceptions() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    // Tuesdays 09:00 in Berlin from 16 March 2027, six times: the clocks change on 28 March.
    let (status, first) = schedule(
        &t,
        &owner,
        series_body("2027-03-16", "FREQ=WEEKLY;BYDAY=TU;COUNT=6"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let series = first["series"]["id"].as_str().unwrap().to_string();
    let ids = ids(&first);
    // The second date moves alone to Wednesday afternoon; the fourth is called off.
    let mut moved = series_body("2027-03-24", "");
    moved.as_object_mut().unwrap().remove("recurrence");
    moved["title"] = json!("Office hours on Wednesday");
    moved["starts_at"] = json!("2027-03-24T14:00");
    moved["ends_at"] = json!("2027-03-24T15:00");
    let (status, edited) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{}", ids[1]),
            Some(&owner),
            Some(moved),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let (status, cancelled) = t
        .api(
            "POST",
            &format!("/api/v1/events/{}/cancel", ids[3]),
            Some(&owner),
            Some(json!({"reason": "Public holiday week."})),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    let mut single = series_body("2027-03-17", "");
    single.as_object_mut().unwrap().remove("recurrence");
    single["title"] = json!("Release party");
    let (status, party) = schedule(&t, &owner, single).await;
    assert_eq!(status, 201, "{party}");

    let feed = || async {
        let res = reqwest::get(t.url("/c/guild/calendar.ics")).await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        res.text().await.unwrap()
    };
    let ics = feed().await;
    let read = expand_ics(&ics);
    let uid = read["series"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .expect("a recurring event")
        .clone();
    assert!(uid.starts_with(&format!("series-{series}@")), "{uid}");
    // One VEVENT without RECURRENCE-ID per UID: the series once, the party once, no date alone.
    let masters = read["masters"].as_object().unwrap();
    assert!(masters.values().all(|n| n == 1), "{read}");
    assert_eq!(masters.len(), 2, "{read}");
    assert!(masters
        .keys()
        .any(|u| u.starts_with(party["id"].as_str().unwrap())));
    for id in &ids {
        assert!(!ics.contains(&format!("UID:{id}@")), "{ics}");
    }
    let s = &read["series"][&uid];
    // The rule as the series was made with it.
    assert!(
        ics.contains("\r\nRRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=6\r\n"),
        "{ics}"
    );
    assert_eq!(s["tzid"], "Europe/Berlin");
    assert_eq!(s["dtstart"], "20270316T090000");
    assert!(read["zones"]
        .as_array()
        .unwrap()
        .contains(&json!("Europe/Berlin")));
    assert_eq!(s["excluded"], json!(["2027-04-06T07:00:00Z"]));
    assert_eq!(s["overrides_without_instance"], 0);
    // The rule, less the EXDATE, with the override: exactly the app's dates, across the change.
    let dates = api_dates(&t, &series).await;
    assert_eq!(dates.len(), 5);
    assert_eq!(expanded_dates(s), dates);
    assert_eq!(
        dates[1],
        (
            "2027-03-24T13:00:00Z".to_string(),
            "2027-03-24T14:00:00Z".to_string()
        )
    );
    assert_eq!(dates[2].0, "2027-03-30T07:00:00Z", "summer time");
    assert_eq!(s["instances"][1]["summary"], "Office hours on Wednesday");
    assert_eq!(s["instances"][1]["sequence"], 1);
    assert_eq!(s["instances"][0]["summary"], "Weekly office hours");
    let sequence = s["sequence"].as_i64().unwrap();

    // The series moves to 10:00: the rule now starts at 10:00, SEQUENCE grows, and the
    // expansion is still exactly the app's dates.
    let mut later = series_body("2027-03-16", "");
    later.as_object_mut().unwrap().remove("recurrence");
    later["starts_at"] = json!("2027-03-16T10:00");
    later["ends_at"] = json!("2027-03-16T11:00");
    let (status, after) = t
        .api(
            "PUT",
            &format!("/api/v1/event-series/{series}"),
            Some(&owner),
            Some(later),
        )
        .await;
    assert_eq!(status, 200, "{after}");
    let read = expand_ics(&feed().await);
    let s = &read["series"][&uid];
    assert_eq!(s["dtstart"], "20270316T100000");
    assert!(s["sequence"].as_i64().unwrap() > sequence, "{s}");
    assert_eq!(expanded_dates(s), api_dates(&t, &series).await);
    assert_eq!(s["instances"][2]["start"], "2027-03-30T08:00:00Z");

    // One date's own .ics stays a single event with its own UID.
    let one = reqwest::get(t.url(&format!("/c/guild/events/{}/event.ics", ids[2])))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!one.contains("RRULE"), "{one}");
    assert!(one.contains(&format!("UID:{}@", ids[2])), "{one}");
}
