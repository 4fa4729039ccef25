//! Ticket types: each with its own seats and first-come-first-served waitlist, under the
//! event's capacity; quantities never passed, even by many registrations at once (and, on
//! PostgreSQL, through two instances on one database).

use crate::discussions::member;
use crate::events::{create, event_body, events_guild, register};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

async fn register_for(t: &TestApp, token: &str, id: &str, ticket: &str) -> (u16, Value) {
    t.api(
        "POST",
        &format!("/api/v1/events/{id}/registration"),
        Some(token),
        Some(json!({"ticket_type_id": ticket})),
    )
    .await
}

async fn seen(t: &TestApp, token: &str, id: &str) -> Value {
    let (status, e) = t
        .api("GET", &format!("/api/v1/events/{id}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{e}");
    e
}

async fn cancel(t: &TestApp, token: &str, id: &str) {
    let (status, body) = t
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}/registration"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

async fn edit(t: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    t.api(
        "PUT",
        &format!("/api/v1/events/{id}"),
        Some(token),
        Some(body),
    )
    .await
}

/// (name, taken, waitlisted) of each type, as the API shows them.
fn tallies(e: &Value) -> Vec<(String, i64, i64)> {
    e["ticket_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["taken"].as_i64().unwrap(),
                t["waitlisted"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_ticket_type_has_its_seats_and_its_own_waitlist() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;

    // An event scheduled without types offers "General admission" without a limit of its
    // own, and registering needs no choice.
    let plain = create(&t, &owner, event_body(Some(5))).await;
    assert_eq!(
        plain["ticket_types"].as_array().unwrap().len(),
        1,
        "{plain}"
    );
    assert_eq!(plain["ticket_types"][0]["name"], "General admission");
    assert!(plain["ticket_types"][0]["quantity"].is_null());

    // Bad ticket types are refused, each naming its row.
    for (types, field) in [
        (json!([]), "ticket_types"),
        (json!([{"name": "", "quantity": 3}]), "ticket_type_1_name"),
        (
            json!([{"name": "A"}, {"name": "B", "quantity": 0}]),
            "ticket_type_2_quantity",
        ),
        (
            json!([{"name": "Seat"}, {"name": "seat"}]),
            "ticket_type_2_name",
        ),
    ] {
        let mut body = event_body(None);
        body["ticket_types"] = types;
        let (status, problem) = t
            .api(
                "POST",
                "/api/v1/communities/guild/spaces/meetups/events",
                Some(&owner),
                Some(body),
            )
            .await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    let mut body = event_body(None);
    body["ticket_types"] = json!([
        {"name": "Maintainer seat", "price_label": "Free", "quantity": 2},
        {"name": "Observer", "price_label": "€0 — sponsored", "quantity": 1,
         "description": "Follow along."},
    ]);
    let e = create(&t, &owner, body).await;
    let id = e["id"].as_str().unwrap().to_string();
    let maintainer = e["ticket_types"][0]["id"].as_str().unwrap().to_string();
    let observer = e["ticket_types"][1]["id"].as_str().unwrap().to_string();
    assert_eq!(e["ticket_types"][1]["price_label"], "€0 — sponsored");
    assert_eq!(e["ticket_types"][0]["available"], 2);

    let mut m = Vec::new();
    for i in 1..=6 {
        m.push(member(&t, &format!("m{i}@example.org"), &format!("Member {i}")).await);
    }
    // With two types, one must be chosen, and it must be this event's.
    let (status, problem) = register(&t, &m[0], &id).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "ticket_type");
    let (status, problem) = register_for(&t, &m[0], &id, "nonsense").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "ticket_type");

    let status_of = |v: &Value| v["my_status"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        status_of(&register_for(&t, &m[0], &id, &maintainer).await.1),
        "registered"
    );
    assert_eq!(
        status_of(&register_for(&t, &m[1], &id, &maintainer).await.1),
        "registered"
    );
    // Maintainer seats are sold out: the waitlist for that type.
    let (_, third) = register_for(&t, &m[2], &id, &maintainer).await;
    assert_eq!(status_of(&third), "waitlisted", "{third}");
    assert_eq!(third["my_ticket_type_id"], maintainer.as_str());
    assert_eq!(third["waitlist_position"], 1);
    // Observers still have a seat.
    assert_eq!(
        status_of(&register_for(&t, &m[3], &id, &observer).await.1),
        "registered"
    );
    let (_, fifth) = register_for(&t, &m[4], &id, &observer).await;
    assert_eq!(status_of(&fifth), "waitlisted");
    assert_eq!(fifth["waitlist_position"], 1, "each type has its own queue");
    assert_eq!(
        tallies(&fifth),
        vec![
            ("Maintainer seat".to_string(), 2, 1),
            ("Observer".to_string(), 1, 1)
        ]
    );
    assert_eq!(fifth["registered"], 3);

    // An observer cancels: the seat goes to the first waiting for an observer seat, not to
    // the maintainer who queued earlier.
    cancel(&t, &m[3], &id).await;
    assert_eq!(seen(&t, &m[4], &id).await["my_status"], "registered");
    assert_eq!(seen(&t, &m[2], &id).await["my_status"], "waitlisted");
    let mails = t.app.mail_to("m5@example.org").await.unwrap();
    assert!(
        mails
            .iter()
            .any(|m| m.subject.starts_with("You have a seat")),
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(t.app.mail_to("m3@example.org").await.unwrap().is_empty());
    // A maintainer cancels: the maintainer waiting gets it.
    cancel(&t, &m[0], &id).await;
    assert_eq!(seen(&t, &m[2], &id).await["my_status"], "registered");

    // A quantity below the seats taken is refused with the reason; so is removing a type
    // members hold.
    let mut shrink = event_body(None);
    shrink["ticket_types"] = json!([
        {"id": maintainer, "name": "Maintainer seat", "quantity": 1},
        {"id": observer, "name": "Observer", "quantity": 1},
    ]);
    let (status, problem) = edit(&t, &owner, &id, shrink).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "ticket_type_1_quantity");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2 tickets of “Maintainer seat” are taken"),
        "{problem}"
    );
    let mut drop_observer = event_body(None);
    drop_observer["ticket_types"] =
        json!([{"id": maintainer, "name": "Maintainer seat", "quantity": 2}]);
    let (status, problem) = edit(&t, &owner, &id, drop_observer).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "ticket_types");

    // More observer seats and a new type; the event's capacity (3 taken, capacity 3) still
    // holds over all types: an observer seat is free, but the event is full.
    let mut grow = event_body(Some(3));
    grow["ticket_types"] = json!([
        {"id": maintainer, "name": "Maintainer seat", "price_label": "Free", "quantity": 2},
        {"id": observer, "name": "Observer", "quantity": 2},
        {"name": "Late comer", "quantity": 5},
    ]);
    let (status, grown) = edit(&t, &owner, &id, grow).await;
    assert_eq!(status, 200, "{grown}");
    assert_eq!(grown["ticket_types"].as_array().unwrap().len(), 3);
    assert_eq!(
        grown["ticket_types"][0]["id"],
        maintainer.as_str(),
        "kept in place"
    );
    assert_eq!(grown["ticket_types"][1]["available"], 1);
    let (_, sixth) = register_for(&t, &m[5], &id, &observer).await;
    assert_eq!(status_of(&sixth), "waitlisted", "{sixth}");
    assert_eq!(sixth["registered"], 3);
    // Raising the capacity lets them in, from their type's waitlist.
    let mut raise = event_body(Some(10));
    raise.as_object_mut().unwrap().remove("ticket_types");
    let (status, raised) = edit(&t, &owner, &id, raise).await;
    assert_eq!(status, 200, "{raised}");
    assert_eq!(raised["registered"], 4);
    assert_eq!(seen(&t, &m[5], &id).await["my_status"], "registered");
    assert_eq!(
        raised["ticket_types"].as_array().unwrap().len(),
        3,
        "unchanged"
    );

    // The attendance list and the CSV show each registrant's type.
    let (status, attendance) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}/attendance"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{attendance}");
    let mut types: Vec<(String, String)> = attendance["registrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["display_name"].as_str().unwrap().to_string(),
                r["ticket_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    types.sort();
    assert_eq!(
        types,
        vec![
            ("Member 2".to_string(), "Maintainer seat".to_string()),
            ("Member 3".to_string(), "Maintainer seat".to_string()),
            ("Member 5".to_string(), "Observer".to_string()),
            ("Member 6".to_string(), "Observer".to_string()),
        ]
    );
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let csv = host
        .get(&format!("/c/guild/events/{id}/registrants.csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.html.starts_with("name,status,ticket_type,"),
        "{}",
        csv.html
    );
    assert!(
        csv.html.contains("Member 6,registered,Observer,"),
        "{}",
        csv.html
    );
    let page = host.get(&format!("/c/guild/events/{id}/attendance")).await;
    assert!(
        page.text().contains("Member 6 Registered Observer"),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn the_event_page_and_form_offer_ticket_types() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    member(&t, "mia@example.org", "Mia Member").await;
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let form = host.get("/c/guild/s/meetups/events/new").await;
    assert!(
        form.html.contains("value=\"General admission\""),
        "the first row is filled in"
    );
    let fields = [
        ("title", "Docs sprint"),
        ("format", "workshop"),
        ("starts_at", "2027-03-29T09:00"),
        ("ends_at", "2027-03-29T11:00"),
        ("time_zone", "Europe/Berlin"),
        ("venue", "The library"),
        ("reminders", "24h"),
        ("ticket_type_1_name", "Writer"),
        ("ticket_type_1_quantity", "1"),
        ("ticket_type_1_price_label", "Free"),
        ("ticket_type_2_name", "Reviewer"),
        ("ticket_type_2_quantity", "lots"),
    ];
    let page = host.post("/c/guild/s/meetups/events", &fields).await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("id=\"ticket_type_2_quantity-error\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("value=\"Reviewer\""),
        "the rows are kept"
    );
    let mut fixed = fields.to_vec();
    fixed.pop();
    fixed.push(("ticket_type_2_quantity", "3"));
    let page = host.post("/c/guild/s/meetups/events", &fixed).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let id = page.path().rsplit('/').next().unwrap().to_string();
    let (_, e) = t
        .api("GET", &format!("/api/v1/events/{id}"), None, None)
        .await;
    assert_eq!(
        tallies(&e),
        vec![("Writer".to_string(), 0, 0), ("Reviewer".to_string(), 0, 0)]
    );
    let writer = e["ticket_types"][0]["id"].as_str().unwrap().to_string();

    // A member picks a type on the event page; without a choice the page says so.
    let mia = t.browser();
    mia.log_in("mia@example.org", townsquare_testkit::PASSWORD)
        .await;
    let show = mia.get(&format!("/c/guild/events/{id}")).await;
    assert!(
        show.text().contains("Writer Free · 1 of 1 left"),
        "{}",
        show.text()
    );
    let page = mia
        .post(&format!("/c/guild/events/{id}/register"), &[])
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("Choose a ticket type."),
        "{}",
        page.text()
    );
    let page = mia
        .post(
            &format!("/c/guild/events/{id}/register"),
            &[("ticket_type_id", writer.as_str())],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("You are registered (Writer)."),
        "{}",
        page.text()
    );

    // The edit form keeps the types' ids and refuses a quantity below what is taken.
    let edit = host.get(&format!("/c/guild/events/{id}/edit")).await;
    assert!(edit.html.contains(&format!("value=\"{writer}\"")));
    let mut shrink: Vec<(&str, &str)> = fixed
        .iter()
        .copied()
        .filter(|(k, _)| *k != "ticket_type_1_quantity")
        .collect();
    shrink.push(("ticket_type_1_id", writer.as_str()));
    let reviewer = e["ticket_types"][1]["id"].as_str().unwrap().to_string();
    shrink.push(("ticket_type_2_id", reviewer.as_str()));
    shrink.push(("ticket_type_1_quantity", "0"));
    let page = host
        .post(&format!("/c/guild/events/{id}/edit"), &shrink)
        .await;
    assert_eq!(page.status, 422);
    shrink.pop();
    shrink.push(("ticket_type_1_quantity", "4"));
    let page = host
        .post(&format!("/c/guild/events/{id}/edit"), &shrink)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let (_, e) = t
        .api("GET", &format!("/api/v1/events/{id}"), None, None)
        .await;
    assert_eq!(e["ticket_types"][0]["id"], writer.as_str());
    assert_eq!(e["ticket_types"][0]["quantity"], 4);
    assert_eq!(e["ticket_types"][0]["taken"], 1);
    let _ = owner;
}

/// Thirty members ask for the last five seats of a type at once (on PostgreSQL through two
/// instances on one database): exactly five get one, the rest wait, and the counters agree
/// with the registrations.
#[tokio::test]
async fn a_ticket_quantity_holds_when_many_register_at_once() {
    let t = TestApp::spawn_with(|s| s.rate_limits.signup_per_ip = 1000).await;
    let second = match townsquare_testkit::postgres_url() {
        Some(_) => Some(
            t.another_instance(|s| s.rate_limits.signup_per_ip = 1000)
                .await,
        ),
        None => None,
    };
    let owner = events_guild(&t).await;
    let mut body = event_body(None);
    body["ticket_types"] = json!([
        {"name": "Early bird", "quantity": 8},
        {"name": "Standard", "quantity": 50},
    ]);
    let e = create(&t, &owner, body).await;
    let id = e["id"].as_str().unwrap().to_string();
    let early = e["ticket_types"][0]["id"].as_str().unwrap().to_string();
    let t = &t;
    let signups = (0..33)
        .map(|i| async move { member(t, &format!("m{i}@example.org"), &format!("M{i}")).await });
    let tokens = futures::future::join_all(signups).await;
    // Three seats go first, leaving five.
    for tok in &tokens[..3] {
        assert_eq!(
            register_for(t, tok, &id, &early).await.1["my_status"],
            "registered"
        );
    }
    let bases: Vec<String> = match &second {
        Some(b) => vec![t.base_url.clone(), b.base_url.clone()],
        None => vec![t.base_url.clone()],
    };
    let tasks: Vec<_> = tokens[3..]
        .iter()
        .enumerate()
        .map(|(i, tok)| {
            let url = format!("{}/api/v1/events/{id}/registration", bases[i % bases.len()]);
            let tok = tok.clone();
            let early = early.clone();
            tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(url)
                    .bearer_auth(tok)
                    .json(&json!({"ticket_type_id": early}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut registered = 0;
    let mut waitlisted = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        match body["my_status"].as_str() {
            Some("registered") => registered += 1,
            Some("waitlisted") => waitlisted += 1,
            other => panic!("unexpected {other:?}: {body}"),
        }
    }
    assert_eq!((registered, waitlisted), (5, 25));
    let after = seen(t, &owner, &id).await;
    assert_eq!(
        tallies(&after),
        vec![
            ("Early bird".to_string(), 8, 25),
            ("Standard".to_string(), 0, 0)
        ]
    );
    assert_eq!(after["registered"], 8);
    let counted = townsquare_app::store::events::counts(t.app.db(), &id)
        .await
        .unwrap();
    assert_eq!(counted, (8, 25));

    // Five cancel at once: exactly five promoted from the early-bird waitlist.
    let path = format!("/api/v1/events/{id}/registration");
    let cancels = tokens[..3]
        .iter()
        .map(|tok| t.api("DELETE", &path, Some(tok), None));
    for (status, _) in futures::future::join_all(cancels).await {
        assert_eq!(status, 204);
    }
    let after = seen(t, &owner, &id).await;
    assert_eq!(tallies(&after)[0], ("Early bird".to_string(), 8, 22));
    if let Some(b) = second {
        b.stop().await;
    }
}
