//! Application questions: admins define them, the join form asks them, a required one left
//! unanswered sends no request, the answers wait with the request where only admins see them,
//! and the message of a decision reaches the applicant by e-mail and in the app.

use serde_json::{json, Value};
use townsquare_testkit::{TestApp, PASSWORD};

/// A public community `guild` that approves its members, with a required and an optional
/// question, and a member Mia. Returns the owner's token and the questions' ids.
async fn guild(t: &TestApp) -> (String, String, String) {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Makers Guild", "slug": "guild", "join_policy": "approval"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut ids = Vec::new();
    for (prompt, required) in [
        ("What do you build?", true),
        ("Where did you hear about us?", false),
    ] {
        let (status, q) = t
            .api(
                "POST",
                "/api/v1/communities/guild/application-questions",
                Some(&owner),
                Some(json!({"prompt": prompt, "required": required})),
            )
            .await;
        assert_eq!(status, 201, "{q}");
        ids.push(q["id"].as_str().unwrap().to_string());
    }
    (owner, ids[0].clone(), ids[1].clone())
}

async fn pending(t: &TestApp, token: &str) -> (u16, Value) {
    t.api(
        "GET",
        "/api/v1/communities/guild/members?status=pending",
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn a_required_answer_is_needed_and_answers_are_shown_to_admins_only() {
    let t = TestApp::spawn().await;
    let (owner, build_q, heard_q) = guild(&t).await;
    let sam = t.api_user("sam@example.org", "Sam Smith").await;

    // The applicant sees the questions in order.
    let (status, questions) = t
        .api(
            "GET",
            "/api/v1/communities/guild/application-questions",
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(questions[0]["prompt"], "What do you build?");
    assert_eq!(questions[0]["required"], true);
    assert_eq!(questions[1]["required"], false);
    // Only admins add questions.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/application-questions",
            Some(&sam),
            Some(json!({"prompt": "Sneaky?"})),
        )
        .await;
    assert_eq!(status, 403);

    // Without the required answer: 422 naming the question, and no request.
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&sam),
            Some(json!({"answers": {heard_q.clone(): "A friend"}})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], format!("answers.{build_q}"));
    let (_, list) = pending(&t, &owner).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");

    // The same on the page: the request is not sent and the person is told why.
    let browser = t.signed_up("kim@example.org", "Kim Lee").await;
    browser.get("/c/guild").await;
    let page = browser.post("/c/guild/join", &[("note", "Hi")]).await;
    assert!(
        page.text().contains("Your request was not sent"),
        "{}",
        page.text()
    );
    let (_, list) = pending(&t, &owner).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    // Answered on the page, it goes through.
    let page = browser.get("/c/guild").await;
    assert!(page.text().contains("What do you build?"));
    let field = format!("answer_{build_q}");
    let page = browser
        .post("/c/guild/join", &[("note", "Hi"), (&field, "Furniture")])
        .await;
    assert!(
        page.text().contains("Your request is sent"),
        "{}",
        page.text()
    );

    // With it: requested, and the admins see the answers with the request.
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&sam),
            Some(json!({"note": "Hello", "answers": {build_q.clone(): "Robots", heard_q.clone(): "A friend"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "requested");
    let (status, list) = pending(&t, &owner).await;
    assert_eq!(status, 200);
    let sam_request = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "Sam Smith")
        .expect("Sam's request")
        .clone();
    assert_eq!(
        sam_request["answers"],
        json!([
            {"question": "What do you build?", "answer": "Robots"},
            {"question": "Where did you hear about us?", "answer": "A friend"}
        ])
    );
    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    let page = admin.get("/c/guild/members").await;
    assert!(
        page.text().contains("What do you build? Robots"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Furniture"));

    // A member who is not an admin sees neither the requests nor their answers.
    let (owner_id, sam_id) = (t.user_id(&owner).await, t.user_id(&sam).await);
    assert_ne!(owner_id, sam_id);
    let mia = t.api_user("mia@example.org", "Mia").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&mia),
            Some(json!({"answers": {build_q.clone(): "Boats"}})),
        )
        .await;
    assert_eq!(status, 200);
    let mia_id = t.user_id(&mia).await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/requests/{mia_id}/approve"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = pending(&t, &mia).await;
    assert_eq!(status, 403);
    let mia_browser = t.browser();
    mia_browser.log_in("mia@example.org", PASSWORD).await;
    let page = mia_browser.get("/c/guild/members").await;
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("Robots"));

    // At most ten questions.
    for n in 3..=10 {
        let (status, _) = t
            .api(
                "POST",
                "/api/v1/communities/guild/application-questions",
                Some(&owner),
                Some(json!({"prompt": format!("Question {n}?")})),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/guild/application-questions",
            Some(&owner),
            Some(json!({"prompt": "One too many?"})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(problem.to_string().contains("at most 10"), "{problem}");
}

#[tokio::test]
async fn the_decision_message_reaches_the_applicant() {
    let t = TestApp::spawn().await;
    let (owner, build_q, _) = guild(&t).await;
    let sam = t.api_user("sam@example.org", "Sam Smith").await;
    let sam_id = t.user_id(&sam).await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&sam),
            Some(json!({"answers": {build_q.clone(): "Robots"}})),
        )
        .await;
    assert_eq!(status, 200);

    // Declined on the page, with a message.
    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    admin.get("/c/guild/members").await;
    let page = admin
        .post(
            &format!("/c/guild/requests/{sam_id}/decline"),
            &[(
                "message",
                "We are full until spring; please ask again then.",
            )],
        )
        .await;
    assert!(page.text().contains("Request declined."));
    let mail = t.app.mail_to("sam@example.org").await.unwrap();
    let declined = mail
        .iter()
        .find(|m| m.subject == "Your request to join Makers Guild")
        .expect("an e-mail about the decision");
    assert!(declined
        .body_text
        .contains("We are full until spring; please ask again then."));
    assert!(declined.body_text.contains("declined your request"));
    let inbox = t.inbox(&sam).await;
    assert_eq!(inbox[0]["kind"], "join_declined");
    assert_eq!(
        inbox[0]["excerpt"],
        "We are full until spring; please ask again then."
    );
    let (_, list) = pending(&t, &owner).await;
    assert!(list["items"].as_array().unwrap().is_empty());

    // Asked again and approved through the API with a message.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&sam),
            Some(json!({"answers": {build_q: "Robots, still"}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/requests/{sam_id}/approve"),
            Some(&owner),
            Some(json!({"message": "Welcome aboard, Sam!"})),
        )
        .await;
    assert_eq!(status, 204);
    let mail = t.app.mail_to("sam@example.org").await.unwrap();
    assert!(mail
        .iter()
        .any(|m| m.subject.contains("your request was approved")
            && m.body_text.contains("Welcome aboard, Sam!")));
    let inbox = t.inbox(&sam).await;
    assert_eq!(inbox[0]["kind"], "join_approved");
    // A message that is too long is refused, naming it.
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/requests/{sam_id}/decline"),
            Some(&owner),
            Some(json!({"message": "x".repeat(2001)})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "message");
}

#[tokio::test]
async fn the_demo_council_asks_questions_and_its_requests_have_answers() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.unwrap();
    let council =
        townsquare_app::store::communities::community_by_slug(t.app.db(), "acme-customer-council")
            .await
            .unwrap()
            .unwrap();
    let questions = townsquare_app::store::applications::questions(t.app.db(), &council.id)
        .await
        .unwrap();
    assert_eq!(questions.len(), 3);
    let pending = townsquare_app::store::communities::list_members(
        t.app.db(),
        &council.id,
        "pending",
        None,
        100,
    )
    .await
    .unwrap();
    assert!(!pending.is_empty());
    let ids: Vec<String> = pending.iter().map(|m| m.user_id.clone()).collect();
    let answers = t.app.application_answers(&council.id, &ids).await.unwrap();
    assert_eq!(answers.len(), pending.len(), "every request is answered");
}

/// The questions' prompts in the order the API lists them.
async fn prompts(t: &TestApp, token: &str) -> Vec<String> {
    let (status, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/application-questions",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|q| q["prompt"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn admins_edit_and_reorder_questions_and_pending_answers_keep_their_questions() {
    let t = TestApp::spawn().await;
    let (owner, build_q, heard_q) = guild(&t).await;
    let sam = t.api_user("sam@example.org", "Sam Smith").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&sam),
            Some(json!({"answers": {build_q.clone(): "Robots", heard_q.clone(): "A friend"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Edit in the API: text, help and requirement; checked; admins only.
    let edit = format!("/api/v1/communities/guild/application-questions/{build_q}");
    let (status, problem) = t
        .api("PUT", &edit, Some(&owner), Some(json!({"prompt": "  "})))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "prompt");
    let (status, _) = t
        .api(
            "PUT",
            &edit,
            Some(&sam),
            Some(json!({"prompt": "Mine now"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, q) = t
        .api(
            "PUT",
            &edit,
            Some(&owner),
            Some(json!({"prompt": "What do you make?", "help": "Furniture, robots, code: anything counts.", "required": false})),
        )
        .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["prompt"], "What do you make?");
    assert_eq!(q["help"], "Furniture, robots, code: anything counts.");
    assert_eq!(q["required"], false);

    // Reorder in the API: every question once, or 422.
    let order = "/api/v1/communities/guild/application-question-order";
    for bad in [
        json!({"ids": [heard_q.clone()]}),
        json!({"ids": [heard_q.clone(), heard_q.clone()]}),
        json!({"ids": [heard_q.clone(), "no-such-question"]}),
    ] {
        let (status, problem) = t.api("PUT", order, Some(&owner), Some(bad)).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "ids");
    }
    let (status, _) = t
        .api(
            "PUT",
            order,
            Some(&sam),
            Some(json!({"ids": [heard_q.clone(), build_q.clone()]})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, list) = t
        .api(
            "PUT",
            order,
            Some(&owner),
            Some(json!({"ids": [heard_q.clone(), build_q.clone()]})),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        prompts(&t, &sam).await,
        ["Where did you hear about us?", "What do you make?"]
    );

    // Sam's pending request still shows each answer with the question it answered.
    let (_, list) = pending(&t, &owner).await;
    assert_eq!(
        list["items"][0]["answers"],
        json!([
            {"question": "What do you build?", "answer": "Robots"},
            {"question": "Where did you hear about us?", "answer": "A friend"}
        ]),
        "{list}"
    );

    // The edited question is optional now: a request without it goes through.
    let kim = t.api_user("kim@example.org", "Kim Lee").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&kim),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "requested");
    t.stop().await;
}

#[tokio::test]
async fn the_admin_page_edits_and_moves_questions() {
    let t = TestApp::spawn().await;
    let (_owner, build_q, heard_q) = guild(&t).await;
    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    let page = admin.get("/c/guild/settings/application").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Move down"), "{}", page.text());

    // An edit without text is refused on the question's own form, which stays open.
    let action = format!("/c/guild/settings/application/{build_q}");
    let page = admin
        .post(&action, &[("prompt", ""), ("help", "Anything")])
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html
            .contains(&format!("id=\"prompt-{build_q}-error\"")),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("value=\"Anything\""),
        "what was typed is kept"
    );
    let page = admin
        .post(
            &action,
            &[
                ("prompt", "What do you make?"),
                ("help", "Anything counts."),
                ("required", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Question saved."), "{}", page.text());

    // Move the second question up: the join form asks it first, with the edited one's help.
    let page = admin
        .post(
            &format!("/c/guild/settings/application/{heard_q}/move"),
            &[("direction", "up")],
        )
        .await;
    assert!(
        page.text().contains("Question moved up."),
        "{}",
        page.text()
    );
    let kim = t.signed_up("kim@example.org", "Kim Lee").await;
    let form = kim.get("/c/guild/join").await;
    assert_eq!(form.status, 200);
    let text = form.text();
    let heard = text.find("Where did you hear about us?").expect("asked");
    let make = text.find("What do you make?").expect("asked");
    assert!(heard < make, "{text}");
    assert!(text.contains("Anything counts."));
    // Moving the first question up leaves the order as it is.
    let page = admin
        .post(
            &format!("/c/guild/settings/application/{heard_q}/move"),
            &[("direction", "up")],
        )
        .await;
    assert_eq!(page.status, 200);
    let token = t.token_for("kim@example.org", PASSWORD).await;
    assert_eq!(
        prompts(&t, &token).await,
        ["Where did you hear about us?", "What do you make?"]
    );
    t.stop().await;
}
