//! Registration questions: hosts ask, members answer when registering (a missing required
//! answer or an unknown option leaves no registration), hosts read the answers on the
//! attendance list, in the API and in a formula-safe CSV; members see only their own.

use crate::discussions::member;
use crate::events::{create, event_body, events_guild, register};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

fn with_questions(questions: Value) -> Value {
    let mut b = event_body(None);
    b["questions"] = questions;
    b
}

#[tokio::test]
async fn a_required_answer_is_needed_and_answers_are_for_hosts_and_their_author() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;

    // Bad questions are named by their row.
    for (questions, field) in [
        (
            json!([{"prompt": "Size", "kind": "choice", "options": ["M"]}]),
            "question_1_options",
        ),
        (
            json!([{"prompt": "Fine"}, {"prompt": "Odd", "kind": "number"}]),
            "question_2_kind",
        ),
        (
            json!((1..=6)
                .map(|i| json!({"prompt": format!("Q{i}")}))
                .collect::<Vec<_>>()),
            "questions",
        ),
    ] {
        let (status, problem) = t
            .api(
                "POST",
                "/api/v1/communities/guild/spaces/meetups/events",
                Some(&owner),
                Some(with_questions(questions)),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    let e = create(
        &t,
        &owner,
        with_questions(json!([
            {"prompt": "Dietary needs?", "kind": "text"},
            {"prompt": "T-shirt size", "kind": "choice", "required": true, "options": ["S", "M", "L"]},
        ])),
    )
    .await;
    let id = e["id"].as_str().unwrap();
    assert_eq!(e["questions"].as_array().unwrap().len(), 2);
    let diet = e["questions"][0]["id"].as_str().unwrap().to_string();
    let size = e["questions"][1]["id"].as_str().unwrap().to_string();
    assert_eq!(e["questions"][1]["options"], json!(["S", "M", "L"]));

    let mia = member(&t, "mia@example.org", "Mia Member").await;
    // Nothing answered: the required question is named, and there is no registration.
    let (status, problem) = register(&t, &mia, id).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], format!("answer_{size}"));
    let (_, seen) = t
        .api("GET", &format!("/api/v1/events/{id}"), Some(&mia), None)
        .await;
    assert_eq!(seen["my_status"], Value::Null);
    assert_eq!(seen["registered"], 0);
    // An option that is not offered.
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/events/{id}/registration"),
            Some(&mia),
            Some(json!({"answers": {size.clone(): "XL"}})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], format!("answer_{size}"));

    let (status, mine) = t
        .api(
            "POST",
            &format!("/api/v1/events/{id}/registration"),
            Some(&mia),
            Some(json!({"answers": {size.clone(): "m", diet.clone(): "=HYPERLINK(\"http://evil\")"}})),
        )
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["my_status"], "registered");
    assert_eq!(
        mine["my_answers"],
        json!([
            {"prompt": "Dietary needs?", "answer": "=HYPERLINK(\"http://evil\")"},
            {"prompt": "T-shirt size", "answer": "M"},
        ])
    );

    // Another member sees neither the list nor Mia's answers.
    let leo = member(&t, "leo@example.org", "Leo Member").await;
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/events/{id}/attendance"),
            Some(&leo),
            None
        )
        .await
        .0,
        403
    );
    let (_, leos) = t
        .api("GET", &format!("/api/v1/events/{id}"), Some(&leo), None)
        .await;
    assert_eq!(leos["my_answers"], json!([]));

    // The host does.
    let (status, list) = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}/attendance"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["registrants"][0]["display_name"], "Mia Member");
    assert_eq!(list["registrants"][0]["answers"][&size], "M");

    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = host.get(&format!("/c/guild/events/{id}/attendance")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("<th scope=\"col\">T-shirt size</th>"),
        "{}",
        page.html
    );
    assert!(page.text().contains("Mia Member Registered"));
    let csv = host
        .get(&format!("/c/guild/events/{id}/registrants.csv"))
        .await;
    assert_eq!(csv.status, 200);
    let mut lines = csv.html.lines();
    assert_eq!(
        lines.next().unwrap(),
        "name,status,ticket_type,registered_at,checked_in_at,Dietary needs?,T-shirt size"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("Mia Member,registered,General admission,20"),
        "{row}"
    );
    // The formula is defused with a leading apostrophe.
    assert!(
        row.ends_with(",\"'=HYPERLINK(\"\"http://evil\"\")\",M"),
        "{row}"
    );

    let leo_browser = t.browser();
    leo_browser
        .log_in("leo@example.org", townsquare_testkit::PASSWORD)
        .await;
    assert_eq!(
        leo_browser
            .get(&format!("/c/guild/events/{id}/registrants.csv"))
            .await
            .status,
        403
    );
    let mia_browser = t.browser();
    mia_browser
        .log_in("mia@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mia_browser.get(&format!("/c/guild/events/{id}")).await;
    assert!(
        page.text()
            .contains("Your answers Dietary needs? =HYPERLINK(\"http://evil\") T-shirt size M"),
        "{}",
        page.text()
    );
    assert!(!leo_browser
        .get(&format!("/c/guild/events/{id}"))
        .await
        .text()
        .contains("Your answers"));

    // Rewording a question drops the answers given to the old wording; an unchanged one
    // keeps its id and answers even when its options change.
    let (status, edited) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(with_questions(json!([
                {"prompt": "Any allergies?"},
                {"prompt": "T-shirt size", "kind": "choice", "required": true, "options": ["S", "M", "L", "XL"]},
            ]))),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["questions"][1]["id"], size.as_str());
    assert_ne!(edited["questions"][0]["id"], diet.as_str());
    let (_, seen) = t
        .api("GET", &format!("/api/v1/events/{id}"), Some(&mia), None)
        .await;
    assert_eq!(
        seen["my_answers"],
        json!([{"prompt": "T-shirt size", "answer": "M"}])
    );
    // Leaving questions out of an edit keeps them; [] removes them.
    let (_, kept) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(event_body(None)),
        )
        .await;
    assert_eq!(kept["questions"].as_array().unwrap().len(), 2);
    let (_, none) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&owner),
            Some(with_questions(json!([]))),
        )
        .await;
    assert_eq!(none["questions"], json!([]));
}

#[tokio::test]
async fn hosts_ask_on_the_form_and_the_register_form_reshows_a_missing_answer() {
    let t = TestApp::spawn().await;
    events_guild(&t).await;
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let form = host.get("/c/guild/s/meetups/events/new").await;
    assert!(form.html.contains("name=\"question_5_prompt\""));
    let mut fields = vec![
        ("title", "Rust meetup"),
        ("format", "meetup"),
        ("starts_at", "2027-06-10T18:30"),
        ("ends_at", "2027-06-10T21:00"),
        ("time_zone", "Europe/Berlin"),
        ("venue", "Café Central, Berlin"),
        ("reminders", "24h"),
        ("question_1_prompt", "T-shirt size"),
        ("question_1_kind", "choice"),
        ("question_1_options", "S"),
        ("question_1_required", "1"),
        ("question_2_prompt", "Anything we should know?"),
        ("question_2_kind", "text"),
    ];
    let page = host.post("/c/guild/s/meetups/events", &fields).await;
    assert_eq!(page.status, 422);
    assert!(page
        .text()
        .contains("Give at least two options, one per line."));
    assert!(
        page.html.contains("value=\"Anything we should know?\""),
        "kept input"
    );
    fields[9] = ("question_1_options", "S\nM\nL");
    let page = host.post("/c/guild/s/meetups/events", &fields).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let event_path = page.path();
    let edit = host.get(&format!("{event_path}/edit")).await;
    assert!(edit.html.contains("value=\"T-shirt size\""));
    assert!(edit.html.contains(">S\nM\nL</textarea>"), "{}", edit.html);

    let mia = t.signed_up("mia@example.org", "Mia Member").await;
    mia.get("/c/guild").await;
    mia.post("/c/guild/join", &[]).await;
    let page = mia.get(&event_path).await;
    assert!(page.text().contains("T-shirt size (required)"));
    let start = page.html.find("name=\"answer_").unwrap() + "name=\"".len();
    let end = page.html[start..].find('"').unwrap() + start;
    let size_field = page.html[start..end].to_string();
    let page = mia.post(&format!("{event_path}/register"), &[]).await;
    assert_eq!(page.status, 422);
    assert!(
        page.text()
            .contains("Answer “T-shirt size”: it is required."),
        "{}",
        page.text()
    );
    assert!(page.html.contains("aria-invalid=\"true\""));
    let page = mia.get(&event_path).await;
    assert!(page.text().contains("0 registered") || page.text().contains("Register"));
    assert!(!page.text().contains("You are registered."));
    let page = mia
        .post(
            &format!("{event_path}/register"),
            &[(size_field.as_str(), "L")],
        )
        .await;
    assert!(
        page.text().contains("You are registered."),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Your answers T-shirt size L"));
}
