//! Invitations: invite links with tags, expiry, use limits and withdrawal; e-mail
//! invitations single and bulk; joining through them whatever the join policy; attribution
//! kept on the membership and in the activity log.

use serde_json::{json, Value};
use townsquare_app::communities::CommunityInput;
use townsquare_app::Actor;
use townsquare_testkit::{TestApp, PASSWORD};

async fn owner_and_community(
    t: &TestApp,
    slug: &str,
    visibility: &str,
    join_policy: &str,
) -> (Actor, String) {
    let owner = t
        .app
        .create_user("owner@example.org", "Olga Owner", PASSWORD, false)
        .await
        .unwrap();
    t.app
        .create_community(
            &owner,
            &CommunityInput {
                name: "Night Owls".into(),
                slug: slug.into(),
                description: "Astronomers who stay up late.".into(),
                visibility: visibility.into(),
                join_policy: join_policy.into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (_, token) = t.app.create_api_token(&owner, "tests").await.unwrap();
    (owner, token)
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

/// The `joined` activity record of a community's newest member.
async fn joined_detail(t: &TestApp, owner: &Actor, slug: &str, user_id: &str) -> Value {
    let view = t.app.community(Some(owner), slug).await.unwrap();
    let log = townsquare_app::store::activity::recent_in_community(
        t.app.db(),
        &view.community.id,
        None,
        50,
    )
    .await
    .unwrap();
    let joined = log
        .iter()
        .find(|a| a.activity.verb == "joined" && a.activity.actor_id.as_deref() == Some(user_id))
        .expect("a joined record");
    serde_json::from_str(&joined.activity.detail).unwrap()
}

#[tokio::test]
async fn invite_links_open_an_invite_only_community_and_record_the_campaign() {
    let t = TestApp::spawn().await;
    let (owner, owner_token) = owner_and_community(&t, "owls", "private", "invite").await;

    // Without an invitation there is no way in.
    let stranger = t.api_user("sam@example.org", "Sam").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/owls/join",
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(status, 404, "a private community is invisible to outsiders");

    // The owner makes a link for the spring campaign: two uses, a week.
    let (status, link) = t
        .api(
            "POST",
            "/api/v1/communities/owls/invitations",
            Some(&owner_token),
            Some(json!({"source": "newsletter", "campaign": "spring-2027", "expires_in_days": 7, "max_uses": 2})),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["state"], "valid");
    let url = link["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&t.url("/invite/")));
    let token = token_of(&url);

    // A visitor opens it: the community's name shows, and signing up comes back to it.
    let browser = t.browser();
    let page = browser.get(&format!("/invite/{token}")).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Night Owls") && text.contains("Astronomers who stay up late."));
    assert!(page.html.contains(&format!("/signup?next=/invite/{token}")));
    browser.get(&format!("/signup?next=/invite/{token}")).await;
    let page = browser
        .post(
            "/signup",
            &[
                ("email", "ada@example.org"),
                ("display_name", "Ada"),
                ("password", PASSWORD),
                ("next", &format!("/invite/{token}")),
            ],
        )
        .await;
    assert_eq!(
        page.path(),
        format!("/invite/{token}"),
        "back at the invitation"
    );
    assert!(page.text().contains("Join Night Owls"));
    let page = browser.post(&format!("/invite/{token}"), &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.path(), "/c/owls");
    assert!(page.text().contains("Welcome to Night Owls!"));

    // A second person joins through the API; then the link is used up.
    let (status, body) = t
        .api(
            "POST",
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "joined");
    // Accepting again as a member uses nothing up.
    let (_, body) = t
        .api(
            "POST",
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(body["outcome"], "already_member");
    let late = t.api_user("late@example.org", "Late").await;
    let (status, body) = t
        .api(
            "POST",
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&late),
            None,
        )
        .await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["type"], "https://townsquare.dev/problems/gone");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("used as many times"));
    let page = t.browser().get(&format!("/invite/{token}")).await;
    assert_eq!(page.status, 410);
    assert!(page.text().contains("used as many times as it allows"));

    // The managers see the uses and the members per source and campaign.
    let (status, list) = t
        .api(
            "GET",
            "/api/v1/communities/owls/invitations",
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["links"][0]["use_count"], 2);
    assert_eq!(list["links"][0]["state"], "used_up");
    assert_eq!(
        list["acquisition"],
        json!([{"source": "newsletter", "campaign": "spring-2027", "members": 2}])
    );
    // ... and the join records the invitation, source and campaign.
    let ada = townsquare_app::store::accounts::user_by_email(t.app.db(), "ada@example.org")
        .await
        .unwrap()
        .unwrap();
    let detail = joined_detail(&t, &owner, "owls", &ada.id).await;
    assert_eq!(detail["invitation_id"], link["id"]);
    assert_eq!(detail["source"], "newsletter");
    assert_eq!(detail["campaign"], "spring-2027");
    assert_eq!(detail["via"], "link");
    let page = {
        let b = t.browser();
        b.log_in("owner@example.org", PASSWORD).await;
        b.get("/c/owls/invitations").await
    };
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("newsletter · spring-2027 2 of 2"), "{text}");
    t.stop().await;
}

#[tokio::test]
async fn expired_and_withdrawn_links_say_so_and_invitations_skip_approval() {
    let t = TestApp::spawn().await;
    let (_, owner_token) = owner_and_community(&t, "owls", "public", "approval").await;
    let make = |days: Option<i64>| {
        let t = &t;
        let owner_token = owner_token.clone();
        async move {
            let (status, link) = t
                .api(
                    "POST",
                    "/api/v1/communities/owls/invitations",
                    Some(&owner_token),
                    Some(json!({"expires_in_days": days})),
                )
                .await;
            assert_eq!(status, 201, "{link}");
            link
        }
    };
    let short = make(Some(1)).await;
    let withdrawn = make(None).await;
    let good = make(None).await;

    let (status, _) = t
        .api(
            "DELETE",
            &format!(
                "/api/v1/communities/owls/invitations/{}",
                withdrawn["id"].as_str().unwrap()
            ),
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    t.app.clock().advance(2 * 86_400_000_000);

    let sam = t.api_user("sam@example.org", "Sam").await;
    for (link, words) in [
        (&short, "This invitation has expired"),
        (&withdrawn, "withdrawn by the community's admins"),
    ] {
        let token = token_of(link["url"].as_str().unwrap());
        let (status, body) = t
            .api(
                "POST",
                &format!("/api/v1/invitations/{token}/accept"),
                Some(&sam),
                None,
            )
            .await;
        assert_eq!(status, 410, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(words), "{body}");
        let (status, preview) = t
            .api("GET", &format!("/api/v1/invitations/{token}"), None, None)
            .await;
        assert_eq!(status, 200);
        assert!(preview["message"].as_str().unwrap().contains(words));
    }
    let (status, _) = t
        .api("GET", "/api/v1/invitations/no-such-token", None, None)
        .await;
    assert_eq!(status, 404);
    let page = t.browser().get("/invite/no-such-token").await;
    assert_eq!(page.status, 404);
    assert!(page.text().contains("This invitation link is not valid"));

    // Sam had asked to join (approval policy); the invitation lets him in at once.
    let (_, preview) = t
        .api(
            "GET",
            &format!(
                "/api/v1/invitations/{}",
                token_of(good["url"].as_str().unwrap())
            ),
            None,
            None,
        )
        .await;
    assert_eq!(preview["community_name"], "Night Owls");
    let sam_actor = t.app.authenticate_api_token(&sam).await.unwrap().unwrap();
    let asked = t
        .app
        .join_community(&sam_actor, "owls", "Let me in", true)
        .await;
    assert_eq!(
        asked.unwrap(),
        townsquare_app::communities::JoinOutcome::Requested
    );
    let (status, body) = t
        .api(
            "POST",
            &format!(
                "/api/v1/invitations/{}/accept",
                token_of(good["url"].as_str().unwrap())
            ),
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "joined");
    let (_, community) = t
        .api("GET", "/api/v1/communities/owls", Some(&sam), None)
        .await;
    assert_eq!(community["my_status"], "active");
    t.stop().await;
}

#[tokio::test]
async fn bulk_email_invitations_report_each_address_and_send_personal_links() {
    let t = TestApp::spawn_with(|s| s.rate_limits.invitations_per_community = 5).await;
    let (_, owner_token) = owner_and_community(&t, "owls", "private", "invite").await;
    let owner = t.browser();
    owner.log_in("owner@example.org", PASSWORD).await;
    owner.get("/c/owls/invitations").await;

    // An invalid address refuses the whole list, naming it; nothing is sent.
    let page = owner
        .post(
            "/c/owls/invitations/email",
            &[
                ("emails", "ana@example.org\nnot-an-address, ben@example.org"),
                ("source", "meetup"),
                ("campaign", "autumn"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    let text = page.text();
    assert!(
        text.contains("1 is not an e-mail address: not-an-address"),
        "{text}"
    );
    assert!(text.contains("nobody was invited"), "{text}");
    assert!(
        page.html.contains("not-an-address, ben@example.org"),
        "the list is kept"
    );
    assert!(t.app.mail_to("ana@example.org").await.unwrap().is_empty());

    // Duplicates and members are reported and skipped.
    let page = owner
        .post(
            "/c/owls/invitations/email",
            &[
                (
                    "emails",
                    "ana@example.org\nBen@Example.org; ana@example.org, owner@example.org",
                ),
                ("source", "meetup"),
                ("campaign", "autumn"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("Invited 2: ana@example.org, ben@example.org."),
        "{text}"
    );
    assert!(
        text.contains("Already members, not invited: owner@example.org."),
        "{text}"
    );
    assert!(
        text.contains("Listed more than once, invited once: ana@example.org."),
        "{text}"
    );

    // Asking again does not send a second e-mail.
    let (status, report) = t
        .api(
            "POST",
            "/api/v1/communities/owls/invitations/email",
            Some(&owner_token),
            Some(json!({"emails": ["ana@example.org", "cy@example.org"]})),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["invited"], json!(["cy@example.org"]));
    assert_eq!(report["already_invited"], json!(["ana@example.org"]));
    assert_eq!(t.app.mail_to("ana@example.org").await.unwrap().len(), 1);

    // Ana follows her personal link; it works once.
    let mail = &t.app.mail_to("ana@example.org").await.unwrap()[0];
    assert_eq!(mail.subject, "Olga Owner invited you to Night Owls");
    let link = mail
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/invite/"))
        .unwrap()
        .to_string();
    let token = token_of(&link);
    let ana = t.api_user("ana@example.org", "Ana").await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let someone = t.api_user("someone@example.org", "Someone").await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&someone),
            None,
        )
        .await;
    assert_eq!(status, 410, "a personal invitation works once");
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/owls/invitations",
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(
        list["acquisition"],
        json!([{"source": "meetup", "campaign": "autumn", "members": 1}])
    );

    // Three e-mails went out; five are allowed per window: three more are refused, whole.
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/owls/invitations/email",
            Some(&owner_token),
            Some(json!({"emails": ["d@example.org", "e@example.org", "f@example.org"]})),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert!(t.app.mail_to("d@example.org").await.unwrap().is_empty());
    // An entry holding two addresses is not one address.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/owls/invitations/email",
            Some(&owner_token),
            Some(json!({"emails": ["g@example.org, h@example.org"]})),
        )
        .await;
    assert_eq!(status, 422);
    t.stop().await;
}

#[tokio::test]
async fn the_demo_council_has_a_campaign_with_members_who_came_through_it() {
    use townsquare_app::invitations::InvitationState;
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let (maya, _) = t
        .app
        .log_in(
            townsquare_app::demo::DEMO_LOGINS[1].0,
            townsquare_app::demo::DEMO_PASSWORD,
            "192.0.2.1",
            townsquare_app::accounts::CredentialKind::Session,
        )
        .await
        .expect("maya logs in");
    let o = t
        .app
        .invitations(&maya, "acme-customer-council")
        .await
        .unwrap();
    let now = t.app.now();
    let states: Vec<InvitationState> = o
        .links
        .iter()
        .map(|l| InvitationState::of(l, now))
        .collect();
    assert!(states.contains(&InvitationState::Valid));
    assert!(
        states.contains(&InvitationState::Expired) || states.contains(&InvitationState::UsedUp)
    );
    assert!(states.contains(&InvitationState::Revoked));
    assert!(o.emails.len() >= 5);
    let launch: i64 = o
        .acquisition
        .iter()
        .filter(|a| a.campaign == "launch-2026")
        .map(|a| a.members)
        .sum();
    assert!(launch >= 5, "{:?}", o.acquisition);
    // The counts on the links agree with the memberships.
    let uses: i64 = o.links.iter().chain(&o.emails).map(|l| l.use_count).sum();
    let members: i64 = o.acquisition.iter().map(|a| a.members).sum();
    assert_eq!(uses, members);
    t.stop().await;
}
