//! Co-hosts and speakers: the creator adds a member as co-host, who may then edit the event,
//! check registrants in and read their answers, as a non-host may not; speakers show on the
//! event page.

use crate::discussions::member;
use crate::events::{create, event_body, events_guild, register};
use serde_json::json;
use townsquare_testkit::{TestApp, PASSWORD};

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

async fn user_id(t: &TestApp, token: &str) -> String {
    t.api("GET", "/api/v1/me", Some(token), None).await.1["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn set_handle(t: &TestApp, token: &str, handle: &str) {
    let (status, body) = t
        .api(
            "PATCH",
            "/api/v1/me",
            Some(token),
            Some(json!({"handle": handle})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_cohost_can_check_in_and_edit_and_a_non_host_cannot() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let cora = member(&t, "cora@example.org", "Cora Cohost").await;
    let ned = member(&t, "ned@example.org", "Ned Nonhost").await;
    let ann = member(&t, "ann@example.org", "Ann Attendee").await;
    set_handle(&t, &cora, "cora").await;
    let outsider = t.api_user("out@example.org", "Outsider").await;
    set_handle(&t, &outsider, "outsider").await;

    // Starts in three hours, on the UTC clock.
    let start = (t.app.now() / MINUTE) * MINUTE + 3 * HOUR;
    let at = |m: i64| {
        chrono::DateTime::from_timestamp_micros(m)
            .unwrap()
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let mut body = event_body(None);
    body["starts_at"] = json!(at(start));
    body["ends_at"] = json!(at(start + HOUR));
    body["time_zone"] = json!("UTC");
    let e = create(&t, &owner, body.clone()).await;
    let id = e["id"].as_str().unwrap().to_string();
    assert_eq!(register(&t, &ann, &id).await.0, 200);
    let ann_id = user_id(&t, &ann).await;
    let cora_id = user_id(&t, &cora).await;
    t.app.clock().advance(3 * HOUR - 10 * MINUTE);

    let check_in = |token: String| {
        let path = format!("/api/v1/events/{id}/attendance/{ann_id}");
        let t = &t;
        async move {
            t.api("PUT", &path, Some(&token), Some(json!({"present": true})))
                .await
                .0
        }
    };
    // Before being made a co-host, Cora is a member like Ned.
    assert_eq!(check_in(cora.clone()).await, 403);
    // Only the creator (or an admin) adds co-hosts; not a member, not a non-member.
    let path = format!("/api/v1/events/{id}/hosts/{cora_id}");
    assert_eq!(t.api("PUT", &path, Some(&ned), None).await.0, 403);
    let out_id = user_id(&t, &outsider).await;
    let (status, problem) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}/hosts/{out_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "handle");
    let (status, people) = t.api("PUT", &path, Some(&owner), None).await;
    assert_eq!(status, 200, "{people}");
    assert_eq!(people["cohosts"][0]["display_name"], "Cora Cohost");

    // Now Cora checks Ann in, sees the list and edits the event; Ned still cannot.
    assert_eq!(check_in(ned.clone()).await, 403);
    assert_eq!(check_in(cora.clone()).await, 200);
    let (status, list) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}/attendance"),
            Some(&cora),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["checked_in"], 1);
    let mut edited = body.clone();
    edited["title"] = json!("Office hours, with Cora");
    let (status, e2) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&cora),
            Some(edited.clone()),
        )
        .await;
    assert_eq!(status, 200, "{e2}");
    assert_eq!(e2["title"], "Office hours, with Cora");
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&ned),
            Some(edited)
        )
        .await
        .0,
        403
    );
    // A co-host does not appoint co-hosts.
    let ned_id = user_id(&t, &ned).await;
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/events/{id}/hosts/{ned_id}"),
            Some(&cora),
            None
        )
        .await
        .0,
        403
    );

    // In the browser: the co-host reaches the attendance page, the non-host does not.
    let cora_b = t.browser();
    cora_b.log_in("cora@example.org", PASSWORD).await;
    assert_eq!(
        cora_b
            .get(&format!("/c/guild/events/{id}/attendance"))
            .await
            .status,
        200
    );
    let ned_b = t.browser();
    ned_b.log_in("ned@example.org", PASSWORD).await;
    assert_eq!(
        ned_b
            .get(&format!("/c/guild/events/{id}/attendance"))
            .await
            .status,
        403
    );
    assert_eq!(
        ned_b
            .get(&format!("/c/guild/events/{id}/people"))
            .await
            .status,
        403
    );

    // Removing her takes the rights away.
    assert_eq!(t.api("DELETE", &path, Some(&owner), None).await.0, 204);
    assert_eq!(
        cora_b
            .get(&format!("/c/guild/events/{id}/attendance"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn hosts_list_speakers_shown_on_the_event_page() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let sam = member(&t, "sam@example.org", "Sam Speaker").await;
    set_handle(&t, &sam, "sam").await;
    let cora = member(&t, "cora@example.org", "Cora Cohost").await;
    set_handle(&t, &cora, "cora").await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();

    let host = t.browser();
    host.log_in("owner@example.org", PASSWORD).await;
    let page = host.get(&format!("/c/guild/events/{id}/people")).await;
    assert_eq!(page.status, 200);
    // Bad input comes back on the form.
    let page = host
        .post(
            &format!("/c/guild/events/{id}/speakers"),
            &[("name", " "), ("handle", "@nobody_at_all"), ("bio", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Enter a name."), "{}", page.text());
    let page = host
        .post(
            &format!("/c/guild/events/{id}/speakers"),
            &[
                ("name", "Sam Speaker"),
                ("handle", "@sam"),
                ("bio", "Maintains the <b>parser</b>."),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Sam Speaker is listed as a speaker."));
    let page = host
        .post(
            &format!("/c/guild/events/{id}/speakers"),
            &[("name", "Grace Guest"), ("bio", "")],
        )
        .await;
    assert_eq!(page.status, 200);
    let page = host
        .post(
            &format!("/c/guild/events/{id}/hosts"),
            &[("handle", "@cora")],
        )
        .await;
    assert!(
        page.text().contains("Cora Cohost co-hosts this event now."),
        "{}",
        page.text()
    );
    let page = host
        .post(
            &format!("/c/guild/events/{id}/hosts"),
            &[("handle", "@ghost")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("There is no member with that handle."));

    // Anyone who sees the event sees who runs it; the bio is text, not markup.
    let visitor = t.browser();
    let page = visitor.get(&format!("/c/guild/events/{id}")).await;
    let text = page.text();
    assert!(
        text.contains("Hosted by Olga Owner and Cora Cohost"),
        "{text}"
    );
    assert!(
        text.contains("Sam Speaker Maintains the <b>parser</b>."),
        "{text}"
    );
    assert!(text.contains("Grace Guest"));
    let (_, people) = t
        .api("GET", &format!("/api/v1/events/{id}/people"), None, None)
        .await;
    assert_eq!(people["speakers"][0]["handle"], "sam");
    // The speaker's name leads to their profile, which the visitor can open.
    let profile = format!(
        "/c/guild/members/{}",
        people["speakers"][0]["user_id"].as_str().unwrap()
    );
    assert!(
        page.html.contains(&format!("href=\"{profile}\"")),
        "{}",
        page.html
    );
    let profile_page = visitor.get(&profile).await;
    assert_eq!(profile_page.status, 200);
    assert!(profile_page.text().contains("Sam Speaker"));
    assert_eq!(people["speakers"][1]["user_id"], serde_json::Value::Null);
    // A member who does not host cannot add speakers.
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/events/{id}/speakers"),
            Some(&sam),
            Some(json!({"name": "Me"})),
        )
        .await;
    assert_eq!(status, 403);
    let speaker_id = people["speakers"][1]["id"].as_str().unwrap();
    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/events/{id}/speakers/{speaker_id}"),
            Some(&cora),
            None
        )
        .await
        .0,
        204
    );
}

#[tokio::test]
async fn the_demo_has_questions_answers_cohosts_speakers_and_a_busy_month() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    // This month and the next hold every upcoming Guild event (all within four weeks).
    let c = t.app.community(None, "open-source-guild").await.unwrap();
    let tz = townsquare_domain::time_zones::parse_or_utc(&c.community.time_zone);
    let month = townsquare_domain::event_calendar::Month::containing(t.app.now(), tz);
    let mut in_months = Vec::new();
    for m in [month, month.next()] {
        let (status, body) = t
            .api(
                "GET",
                &format!(
                    "/api/v1/communities/open-source-guild/events?month={}",
                    m.as_param()
                ),
                None,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        in_months.extend(body["events"].as_array().unwrap().clone());
    }
    let (_, upcoming) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/events",
            None,
            None,
        )
        .await;
    let upcoming = upcoming["events"].as_array().unwrap();
    assert!(upcoming.len() >= 7, "{upcoming:?}");
    // The one-off events fall in these two months (the recurring series run on beyond).
    for e in upcoming.iter().filter(|e| e["series_id"].is_null()) {
        assert!(in_months.iter().any(|m| m["id"] == e["id"]), "{e}");
    }
    assert!(upcoming
        .iter()
        .any(|e| e["title"] == "Weekly office hours" && e["series_id"].is_string()));
    let page = t
        .browser()
        .get(&format!(
            "/c/open-source-guild/events?view=month&month={}",
            month.next().as_param()
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("class=\"day-events\""));

    let find = |title: &str| {
        upcoming
            .iter()
            .find(|e| e["title"] == title)
            .unwrap_or_else(|| panic!("{title}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The security workshop asks two required questions, answered by every registrant.
    let workshop = find("Workshop: writing a security policy that people follow");
    let (_, e) = t
        .api("GET", &format!("/api/v1/events/{workshop}"), None, None)
        .await;
    assert_eq!(e["questions"].as_array().unwrap().len(), 2);
    let (status, list) = t
        .api(
            "GET",
            &format!("/api/v1/events/{workshop}/attendance"),
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let registrants = list["registrants"].as_array().unwrap();
    assert!(!registrants.is_empty());
    for r in registrants {
        assert_eq!(r["answers"].as_object().unwrap().len(), 2, "{r}");
    }
    // Co-hosts and speakers, one of them a member.
    let office = find("Maintainer office hours: triaging a flood of issues");
    let (_, people) = t
        .api(
            "GET",
            &format!("/api/v1/events/{office}/people"),
            None,
            None,
        )
        .await;
    assert_eq!(
        people["cohosts"][0]["display_name"], "Jonas Weber",
        "{people}"
    );
    assert_eq!(people["speakers"][0]["name"], "Jonas Weber");
    assert!(people["speakers"][0]["user_id"].is_string());
    let page = t
        .browser()
        .get(&format!("/c/open-source-guild/events/{office}"))
        .await;
    assert!(
        page.text()
            .contains("Hosted by Maya Lindqvist and Jonas Weber"),
        "{}",
        page.text()
    );
}
