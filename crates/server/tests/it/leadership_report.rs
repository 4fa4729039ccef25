//! The analytics of events (attendance and participation per period, docs/metrics.md) and the
//! monthly leadership report: the manager's notes, their checks, the print page, and the
//! e-mail that goes to the configured list once per month.

use crate::analytics::{close, ok};
use crate::discussions::member;
use crate::events::{create, event_body, events_guild, register};
use serde_json::{json, Value};
use townsquare_app::domain::analytics::{local_day, month_label, month_of_day};
use townsquare_testkit::{TestApp, PASSWORD};

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

fn utc_local(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// An hour-long event in UTC starting at `start`.
fn at(start: i64, title: &str) -> Value {
    let mut body = event_body(None);
    body["title"] = json!(title);
    body["starts_at"] = json!(utc_local(start));
    body["ends_at"] = json!(utc_local(start + HOUR));
    body["time_zone"] = json!("UTC");
    body
}

async fn check_in(t: &TestApp, host: &str, event: &str, member: &str) {
    let who = t.user_id(member).await;
    ok(
        t,
        "PUT",
        &format!("/api/v1/events/{event}/attendance/{who}"),
        host,
        Some(json!({"present": true})),
    )
    .await;
}

#[tokio::test]
async fn the_dashboard_counts_attendance_and_participation_of_the_periods_events() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let ben = member(&t, "ben@example.org", "Ben").await;
    let cat = member(&t, "cat@example.org", "Cat").await;
    // Two hours from now, rounded to the minute; the period asked for is the day(s) the
    // events start on (UTC, the community's zone).
    let start = (t.app.now() / MINUTE) * MINUTE + 2 * HOUR;
    let (first, last) = (
        utc_local(start)[..10].to_string(),
        utc_local(start + 2 * HOUR)[..10].to_string(),
    );
    let workshop = create(&t, &owner, at(start, "=Workshop, with a comma")).await;
    let workshop = workshop["id"].as_str().unwrap().to_string();
    let social = create(&t, &owner, at(start + HOUR, "Social")).await;
    let social = social["id"].as_str().unwrap().to_string();
    let called_off = create(&t, &owner, at(start + 2 * HOUR, "Called off")).await;
    let called_off = called_off["id"].as_str().unwrap().to_string();
    for who in [&ann, &ben, &cat] {
        assert_eq!(register(&t, who, &workshop).await.0, 200);
    }
    assert_eq!(register(&t, &ann, &social).await.0, 200);
    assert_eq!(register(&t, &ben, &called_off).await.0, 200);
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{called_off}/cancel"),
        &owner,
        Some(json!({"reason": "Venue flooded"})),
    )
    .await;

    // Doors open an hour before: Ann and Ben come to the workshop, Ann asks a question.
    t.app.clock().advance(start - HOUR + MINUTE - t.app.now());
    check_in(&t, &owner, &workshop, &ann).await;
    check_in(&t, &owner, &workshop, &ben).await;
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{workshop}/questions"),
        &ann,
        Some(json!({"body": "Will the slides be shared?"})),
    )
    .await;

    let query = format!("period=custom&from={first}&to={last}");
    let a = ok(
        &t,
        "GET",
        &format!("/api/v1/communities/guild/analytics?{query}"),
        &owner,
        None,
    )
    .await;
    let totals = &a["events"]["totals"];
    assert_eq!(totals["events"], 2, "the cancelled event is left out: {a}");
    assert_eq!(totals["registered"], 4);
    assert_eq!(totals["checked_in"], 2);
    assert_eq!(totals["participants"], 1);
    assert!(close(&totals["attendance_rate"], 0.5), "{totals}");
    assert!(close(&totals["participation_rate"], 0.5), "{totals}");
    let per_event = a["events"]["per_event"].as_array().unwrap();
    assert_eq!(per_event.len(), 2);
    assert_eq!(per_event[0]["title"], "=Workshop, with a comma");
    assert_eq!(per_event[0]["registered"], 3);
    assert_eq!(per_event[0]["checked_in"], 2);
    assert_eq!(per_event[0]["participants"], 1);
    assert_eq!(per_event[1]["title"], "Social");
    assert!(close(&per_event[1]["attendance_rate"], 0.0));

    // The CSV: one line per event, the title defused and quoted.
    let res = reqwest::Client::new()
        .get(t.url(&format!(
            "/api/v1/communities/guild/analytics/events.csv?{query}"
        )))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "event_id,title,format,starts_at,registered,checked_in,participants,attendance_rate,participation_rate");
    assert!(
        lines[1].starts_with(&format!("{workshop},\"'=Workshop, with a comma\",ama,")),
        "{csv}"
    );
    assert!(lines[1].ends_with(",3,2,1,0.6667,0.5000"), "{csv}");
    assert_eq!(lines.len(), 3, "{csv}");

    // The page shows the same: the cards and the table.
    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    let page = admin.get(&format!("/c/guild/analytics?{query}")).await;
    let text = page.text();
    assert!(text.contains("Event attendance rate 50.0%"), "{text}");
    assert!(
        text.contains(
            "2 events: 2 of 4 registrants checked in, and 1 of them asked, upvoted or voted."
        ),
        "{text}"
    );
}

#[tokio::test]
async fn the_leadership_report_keeps_the_managers_notes_and_checks_them() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let ann = member(&t, "ann@example.org", "Ann").await;
    let this_month = month_label(month_of_day(local_day(t.app.now(), "UTC".parse().unwrap())));
    let notes = |month: &str, highlights: &str| json!({"month": month, "highlights": highlights, "insights": "Members ask for *more* meetups."});
    let put = |token: String, body: Value| {
        let t = &t;
        async move {
            t.api(
                "PUT",
                "/api/v1/communities/guild/analytics/report/notes",
                Some(&token),
                Some(body),
            )
            .await
        }
    };

    for (month, highlights, field) in [
        ("2026-13", "Fine", "month"),
        ("next year", "Fine", "month"),
        ("2999-01", "Fine", "month"),
        (
            this_month.as_str(),
            &"x".repeat(5_001) as &str,
            "highlights",
        ),
    ] {
        let (status, problem) = put(owner.clone(), notes(month, highlights)).await;
        assert_eq!(status, 422, "{month}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(put(ann.clone(), notes(&this_month, "Mine")).await.0, 403);
    let highlight = "We passed **100 members**. <script>alert(1)</script>";
    let (status, saved) = put(owner.clone(), notes(&this_month, highlight)).await;
    assert_eq!(status, 200, "{saved}");

    let r = ok(
        &t,
        "GET",
        &format!("/api/v1/communities/guild/analytics/report?month={this_month}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(r["month"], this_month.as_str());
    assert_eq!(r["month_is_over"], false);
    assert_eq!(r["highlights"], highlight);
    assert_eq!(r["analytics"]["period"]["kind"], "month");
    assert_eq!(r["analytics"]["figures"]["members_at_end"], 2);
    // Without a month, the report is last month's.
    let last = ok(
        &t,
        "GET",
        "/api/v1/communities/guild/analytics/report",
        &owner,
        None,
    )
    .await;
    assert_eq!(last["month_is_over"], true);
    assert_eq!(last["highlights"], "");

    // The print page renders the notes as sanitized Markdown and says the month is running.
    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    let page = admin
        .get(&format!("/c/guild/analytics/report?month={this_month}"))
        .await;
    assert!(
        page.html.contains("<strong>100 members</strong>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
    assert!(page.text().contains("This month is not over yet"));
    // A month that cannot be read shows last month, with the message at the picker.
    let page = admin.get("/c/guild/analytics/report?month=soon").await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("is not a month like 2026-11"),
        "{}",
        page.text()
    );
    // The form keeps what was typed when it is refused.
    let long = "y".repeat(5_001);
    let page = admin
        .post(
            "/c/guild/analytics/report/notes",
            &[
                ("month", this_month.as_str()),
                ("highlights", "Keep me"),
                ("insights", &long),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page
        .text()
        .contains("Keep this to 5000 characters or fewer."));
    assert!(page.html.contains("Keep me"));
}

#[tokio::test]
async fn the_report_is_mailed_once_to_the_list_when_the_month_is_over() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    member(&t, "ann@example.org", "Ann").await;
    let tz = "UTC".parse().unwrap();
    let this_month = month_of_day(local_day(t.app.now(), tz));

    let set = |recipients: Value| {
        let t = &t;
        let owner = owner.clone();
        async move {
            t.api(
                "PUT",
                "/api/v1/communities/guild/analytics/report/recipients",
                Some(&owner),
                Some(json!({ "recipients": recipients })),
            )
            .await
        }
    };
    let (status, problem) = set(json!(["lead@example.org", "not an address"])).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "recipients");
    assert!(problem.to_string().contains("not an address"), "{problem}");
    // Nothing is mailed without a list.
    assert_eq!(t.app.send_leadership_reports().await.unwrap(), 0);

    let (status, saved) = set(json!([
        " lead@example.org",
        "cfo@example.org",
        "lead@example.org"
    ]))
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["recipients"],
        json!(["lead@example.org", "cfo@example.org"])
    );

    // Last month is over: its report goes out at once, and only once.
    assert_eq!(t.app.send_leadership_reports().await.unwrap(), 1);
    assert_eq!(t.app.send_leadership_reports().await.unwrap(), 0);
    let subject = |m: i64| {
        format!(
            "Guild: community report for {}",
            townsquare_app::domain::analytics::month_name(m)
        )
    };
    for to in ["lead@example.org", "cfo@example.org"] {
        let mail = t.app.mail_to(to).await.unwrap();
        assert_eq!(mail.len(), 1, "{to}");
        assert_eq!(mail[0].subject, subject(this_month - 1));
    }

    // This month's notes are written; when the month is over, its report carries them and
    // the figures against the month before.
    ok(
        &t,
        "PUT",
        "/api/v1/communities/guild/analytics/report/notes",
        &owner,
        Some(json!({"month": month_label(this_month), "highlights": "Our first meetup.", "insights": "Members want recordings."})),
    )
    .await;
    let next = townsquare_app::domain::analytics::day_start_utc(
        townsquare_app::domain::analytics::month_first_day(this_month + 1),
        tz,
    );
    t.app.clock().advance(next + HOUR - t.app.now());
    assert_eq!(t.app.send_leadership_reports().await.unwrap(), 1);
    assert_eq!(t.app.send_leadership_reports().await.unwrap(), 0);
    let mail = t.app.mail_to("cfo@example.org").await.unwrap();
    let latest = mail
        .iter()
        .find(|m| m.subject == subject(this_month))
        .expect("this month's report");
    let body = &latest.body_text;
    assert!(body.contains("- New members: 2 (+2)"), "{body}");
    assert!(
        body.contains("- Members at the end of the month: 2 (+2)"),
        "{body}"
    );
    assert!(body.contains("Highlights\n\nOur first meetup."), "{body}");
    assert!(
        body.contains("Insights\n\nMembers want recordings."),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "/c/guild/analytics/report?month={}",
            month_label(this_month)
        )),
        "{body}"
    );
    // The report page says when it went out.
    let r = ok(
        &t,
        "GET",
        &format!(
            "/api/v1/communities/guild/analytics/report?month={}",
            month_label(this_month)
        ),
        &owner,
        None,
    )
    .await;
    assert!(r["mailed_at"].is_string(), "{r}");
}
