//! Sent e-mail keeps no text of removed posts or of deleted accounts, and no body past the
//! retention period (docs/member-360.md, "Mail").

use crate::discussions::{guild, member, reply, topic};
use crate::smtp::SmtpReceiver;
use serde_json::json;
use std::time::Duration;
use townsquare_testkit::{TestApp, PASSWORD};

const DAY: i64 = 24 * 60 * 60 * 1_000_000;

/// Rows of the outbox whose address, subject or body contains `needle`.
async fn mails_with(t: &TestApp, needle: &str) -> i64 {
    t.db_count(
        "SELECT COUNT(*) FROM outbox
         WHERE to_address LIKE $1 OR subject LIKE $1 OR body_text LIKE $1",
        &format!("%{needle}%"),
    )
    .await
}

/// Ana (who gets replies by e-mail) starts a topic in the guild; returns her token and the
/// topic id.
async fn ana_asks(t: &TestApp) -> (String, String) {
    guild(t).await;
    let ana = member(t, "ana@example.org", "Ana Asker").await;
    let b = t.browser();
    b.log_in("ana@example.org", PASSWORD).await;
    let saved = b
        .post("/settings/notifications", &[("reply", "email")])
        .await;
    assert!(saved.text().contains("Notification settings saved"));
    let asked = topic(t, &ana, "help", "Where is the key?", "I lost it.", false).await;
    (ana, asked["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_removed_reply_leaves_no_text_in_the_mail_that_quoted_it() {
    let smtp = SmtpReceiver::start();
    let url = smtp.url();
    let t = TestApp::spawn_with(|s| s.smtp_url = Some(url)).await;
    let (_, topic_id) = ana_asks(&t).await;
    let bob = member(&t, "bob@example.org", "Bob Helper").await;
    let answer = reply(&t, &bob, &topic_id, "Under the zanzibar doormat.", None).await;
    t.app.deliver_due_mail().await.unwrap();
    let got = smtp
        .wait_for(1, Duration::from_secs(10), |m| m.data.contains("zanzibar"))
        .await;
    assert_eq!(got.len(), 1, "the reply notification was delivered");
    assert_eq!(got[0].to, ["ana@example.org"]);
    assert_eq!(mails_with(&t, "zanzibar").await, 1);

    // Bob deletes his reply: the stored e-mail no longer holds its text.
    let id = answer["id"].as_str().unwrap();
    let (status, _) = t
        .api("DELETE", &format!("/api/v1/posts/{id}"), Some(&bob), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(mails_with(&t, "zanzibar").await, 0);
    assert_eq!(mails_with(&t, "quoted a post that was removed").await, 1);
    t.stop().await;
}

#[tokio::test]
async fn a_deleted_account_leaves_no_address_or_text_in_the_outbox() {
    let t = TestApp::spawn().await;
    let (ana, topic_id) = ana_asks(&t).await;
    let bob = member(&t, "bob@example.org", "Bob Helper").await;
    reply(&t, &bob, &topic_id, "Under the doormat.", None).await;
    t.app.deliver_due_mail().await.unwrap();
    // A second one waits unsent.
    reply(&t, &bob, &topic_id, "Or the flowerpot.", None).await;
    assert_eq!(mails_with(&t, "ana@example.org").await, 2);
    assert_eq!(mails_with(&t, "Ana Asker").await, 2);

    let (status, body) = t
        .api(
            "POST",
            "/api/v1/me/delete",
            Some(&ana),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    for needle in ["ana@example.org", "Ana Asker", "doormat", "flowerpot"] {
        assert_eq!(mails_with(&t, needle).await, 0, "{needle}");
    }
    // The unsent one is cancelled, not sent later.
    assert_eq!(
        t.db_count("SELECT COUNT(*) FROM outbox WHERE status = $1", "cancelled")
            .await,
        1
    );
    assert_eq!(t.app.deliver_due_mail().await.unwrap(), 0);
    t.stop().await;
}

#[tokio::test]
async fn sent_bodies_are_erased_after_the_retention_period() {
    let t = TestApp::spawn_with(|s| s.mail_body_retention_days = 30).await;
    let (_, topic_id) = ana_asks(&t).await;
    let bob = member(&t, "bob@example.org", "Bob Helper").await;
    reply(
        &t,
        &bob,
        &topic_id,
        "An old answer about lighthouses.",
        None,
    )
    .await;
    t.app.deliver_due_mail().await.unwrap();
    t.app.clock().advance(31 * DAY);
    reply(&t, &bob, &topic_id, "A new answer about harbours.", None).await;
    t.app.deliver_due_mail().await.unwrap();

    assert_eq!(t.app.erase_old_mail_bodies().await.unwrap(), 1);
    assert_eq!(t.app.erase_old_mail_bodies().await.unwrap(), 0);
    assert_eq!(mails_with(&t, "lighthouses").await, 0);
    assert_eq!(mails_with(&t, "harbours").await, 1);
    // The old one is still there to count, with its address.
    assert_eq!(mails_with(&t, "ana@example.org").await, 2);
    t.stop().await;
}
