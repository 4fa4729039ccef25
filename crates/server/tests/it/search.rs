//! Search filters (space, author, tag, dates, topics only), the order, searches without words,
//! bad filters, and visibility: filters never widen what a reader may see.

use serde_json::{json, Value};
use townsquare_testkit::TestApp;

const DAY: i64 = 86_400_000_000;

/// A public community "guild" with public spaces "help" and "lounge" and a members-only
/// space "inner"; returns the owner's token.
async fn guild(t: &TestApp) -> String {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Guild", "slug": "guild"})),
        )
        .await;
    assert_eq!(status, 201);
    for (name, slug, visibility) in [
        ("Help", "help", "everyone"),
        ("Lounge", "lounge", "everyone"),
        ("Inner circle", "inner", "members"),
    ] {
        let body =
            json!({"name": name, "slug": slug, "kind": "discussion", "visibility": visibility});
        let (status, _) = t
            .api(
                "POST",
                "/api/v1/communities/guild/spaces",
                Some(&owner),
                Some(body),
            )
            .await;
        assert_eq!(status, 201);
    }
    owner
}

async fn member(t: &TestApp, email: &str, name: &str) -> String {
    let token = t.api_user(email, name).await;
    let (_, joined) = t
        .api("POST", "/api/v1/communities/guild/join", Some(&token), None)
        .await;
    assert_eq!(joined["outcome"], "joined");
    token
}

async fn topic(
    t: &TestApp,
    token: &str,
    space: &str,
    title: &str,
    body: &str,
    tags: &[&str],
) -> Value {
    let (status, topic) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/spaces/{space}/topics"),
            Some(token),
            Some(json!({"title": title, "body": body, "tags": tags})),
        )
        .await;
    assert_eq!(status, 201, "{topic}");
    topic
}

async fn reply(t: &TestApp, token: &str, topic: &Value, body: &str) -> Value {
    let (status, post) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{}/posts", topic["id"].as_str().unwrap()),
            Some(token),
            Some(json!({"body": body})),
        )
        .await;
    assert_eq!(status, 201, "{post}");
    post
}

/// The snippets of a search's hits, in order (each names its post uniquely in these tests).
async fn search(t: &TestApp, who: Option<&str>, query: &str) -> Vec<String> {
    let (status, hits) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/search?{query}"),
            who,
            None,
        )
        .await;
    assert_eq!(status, 200, "{query}: {hits}");
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            h["snippet_html"]
                .as_str()
                .unwrap()
                .replace("<mark>", "")
                .replace("</mark>", "")
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn each_filter_narrows_results_and_newest_first_orders_them() {
    let t = TestApp::spawn().await;
    let _owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let bo = member(&t, "bo@example.org", "Bo Li").await;

    // Oldest: a topic about zeppelins in its title and body, by Ada in Help, tagged rust.
    let museum = topic(
        &t,
        &ada,
        "help",
        "Zeppelin museum",
        "The zeppelin museum keeps a zeppelin hangar.",
        &["rust"],
    )
    .await;
    t.app.clock().advance(10 * DAY);
    let soup = topic(
        &t,
        &bo,
        "lounge",
        "Soup evening",
        "A soup named after the zeppelin.",
        &["cooking"],
    )
    .await;
    t.app.clock().advance(DAY);
    let salt = reply(&t, &ada, &soup, "That zeppelin soup needs salt.").await;

    let museum_text = "The zeppelin museum keeps a zeppelin hangar.";
    let soup_text = "A soup named after the zeppelin.";
    let salt_text = "That zeppelin soup needs salt.";

    let all = search(&t, None, "q=zeppelin").await;
    assert_eq!(
        sorted(all.clone()),
        sorted(strings(&[museum_text, soup_text, salt_text]))
    );
    assert_eq!(
        all[0], museum_text,
        "best match first: the word in the title and twice in the body"
    );
    assert_eq!(
        search(&t, None, "q=zeppelin&sort=newest").await,
        strings(&[salt_text, soup_text, museum_text])
    );
    assert_eq!(
        sorted(search(&t, None, "q=zeppelin&space=lounge").await),
        sorted(strings(&[soup_text, salt_text]))
    );
    assert_eq!(
        sorted(search(&t, None, "q=zeppelin&author=%40ada_lovelace").await),
        sorted(strings(&[museum_text, salt_text]))
    );
    assert_eq!(
        sorted(search(&t, None, "q=zeppelin&author=Ada_Lovelace").await),
        sorted(strings(&[museum_text, salt_text])),
        "the @ is optional and handles are case-insensitive"
    );
    assert_eq!(
        search(&t, None, "q=zeppelin&tag=rust").await,
        strings(&[museum_text])
    );
    assert_eq!(
        sorted(search(&t, None, "q=zeppelin&tag=%23Cooking").await),
        sorted(strings(&[soup_text, salt_text]))
    );
    assert_eq!(
        sorted(search(&t, None, "q=zeppelin&type=topics").await),
        sorted(strings(&[museum_text, soup_text]))
    );

    // Dates are days; `to` includes its day.
    let day_of = |v: &Value| v["created_at"].as_str().unwrap()[..10].to_string();
    let (museum_day, soup_day, salt_day) = (day_of(&museum), day_of(&soup), day_of(&salt));
    assert_eq!(
        search(&t, None, &format!("q=zeppelin&to={museum_day}")).await,
        strings(&[museum_text])
    );
    assert_eq!(
        sorted(search(&t, None, &format!("q=zeppelin&from={soup_day}")).await),
        sorted(strings(&[soup_text, salt_text]))
    );
    assert_eq!(
        search(
            &t,
            None,
            &format!("q=zeppelin&from={salt_day}&to={salt_day}")
        )
        .await,
        strings(&[salt_text])
    );
    // Days are the reader's days: with the offset JavaScript reports, the day of the museum
    // post starts a minute before it (found) or a minute after it (not found).
    let at = museum["created_at"].as_str().unwrap();
    let minute_of_day: i64 =
        at[11..13].parse::<i64>().unwrap() * 60 + at[14..16].parse::<i64>().unwrap();
    let day = |offset: i64| {
        format!("q=zeppelin&from={museum_day}&to={museum_day}&tz_offset_minutes={offset}")
    };
    assert_eq!(
        search(&t, None, &day(minute_of_day - 1)).await,
        strings(&[museum_text])
    );
    assert!(search(&t, None, &day(minute_of_day + 1)).await.is_empty());

    // Filters combine.
    assert_eq!(
        search(&t, None, "q=zeppelin&author=ada_lovelace&space=lounge").await,
        strings(&[salt_text])
    );
    assert!(search(&t, None, "q=zeppelin&author=bo_li&tag=rust")
        .await
        .is_empty());

    // Without words: everything the filters match, newest first, as plain text.
    let (_, by_ada) = t
        .api(
            "GET",
            "/api/v1/communities/guild/search?author=ada_lovelace",
            None,
            None,
        )
        .await;
    let snippets: Vec<&str> = by_ada
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["snippet_html"].as_str().unwrap())
        .collect();
    assert_eq!(snippets, [salt_text, museum_text]);
    assert_eq!(by_ada[0]["post_id"], salt["id"]);
    assert_eq!(by_ada[0]["author_handle"], "ada_lovelace");
    assert_eq!(by_ada[1]["is_topic"], true);
    assert_eq!(by_ada[0]["is_topic"], false);
    assert_eq!(
        search(&t, None, "space=help").await,
        strings(&[museum_text])
    );
    assert!(
        search(&t, None, "q=").await.is_empty(),
        "no words and no filters: no search"
    );

    // The page: a filter form that works without JavaScript, filters kept in the URL.
    let page = t
        .browser()
        .get("/c/guild/search?q=zeppelin&space=lounge&author=%40ada_lovelace&sort=newest")
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("1 result, newest first"),
        "{}",
        page.text()
    );
    assert!(page.html.contains("<mark>zeppelin</mark> soup needs salt"));
    assert!(page
        .html
        .contains(r#"<option value="lounge" selected>Lounge</option>"#));
    assert!(page.html.contains(r#"value="@ada_lovelace""#));
    assert!(page
        .text()
        .contains("Reply by Ada Lovelace (@ada_lovelace) in Lounge"));
}

#[tokio::test]
async fn bad_filters_are_input_errors_naming_the_field() {
    let t = TestApp::spawn().await;
    let _owner = guild(&t).await;
    for (query, field, says) in [
        ("q=x&space=nowhere", "space", "no space “nowhere”"),
        ("q=x&author=%40nobody", "author", "@nobody"),
        ("q=x&from=2026-13-01", "from", "YYYY-MM-DD"),
        ("q=x&to=yesterday", "to", "YYYY-MM-DD"),
        (
            "q=x&from=2026-03-02&to=2026-03-01",
            "to",
            "before the start",
        ),
        ("q=x&tag=a", "tag", "not a tag"),
        ("q=x&tag=one+two", "tag", "one tag"),
        ("q=x&type=pictures", "type", "pictures"),
        ("q=x&sort=random", "sort", "random"),
        (
            "q=x&tz_offset_minutes=CET",
            "tz_offset_minutes",
            "whole number",
        ),
    ] {
        let (status, problem) = t
            .api(
                "GET",
                &format!("/api/v1/communities/guild/search?{query}"),
                None,
                None,
            )
            .await;
        assert_eq!(status, 422, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{query}: {problem}"
        );
    }
    let page = t
        .browser()
        .get("/c/guild/search?q=x&author=%40nobody&from=2026-03-02&to=2026-03-01")
        .await;
    assert_eq!(page.status, 422);
    let text = page.text();
    assert!(text.contains("No member has the handle @nobody."), "{text}");
    assert!(text.contains("The end date is before the start date."));
    assert!(page
        .html
        .contains(r#"id="author" name="author" value="@nobody""#));
    assert!(page
        .html
        .contains(r#"aria-invalid="true" aria-describedby="to-error""#));
}

#[tokio::test]
async fn filters_never_reveal_a_private_space() {
    let t = TestApp::spawn().await;
    let _owner = guild(&t).await;
    let insider = member(&t, "in@example.org", "Ina Insider").await;
    let outsider = t.api_user("out@example.org", "Otto Outsider").await;
    topic(
        &t,
        &insider,
        "inner",
        "Secret roadmap",
        "The zeppelin launches in March.",
        &["roadmap"],
    )
    .await;
    topic(
        &t,
        &insider,
        "help",
        "Public question",
        "Where is the zeppelin museum?",
        &["museum"],
    )
    .await;
    let secret = "The zeppelin launches in March.";
    let public = "Where is the zeppelin museum?";

    assert_eq!(
        search(&t, Some(&insider), "q=zeppelin&space=inner").await,
        strings(&[secret]),
        "members find it"
    );
    for who in [None, Some(outsider.as_str())] {
        let (status, problem) = t
            .api(
                "GET",
                "/api/v1/communities/guild/search?q=zeppelin&space=inner",
                who,
                None,
            )
            .await;
        assert_eq!(status, 422, "{who:?}");
        assert_eq!(
            problem["errors"][0]["message"], "There is no space “inner” here to search.",
            "the same answer as for a space that does not exist"
        );
        assert_eq!(
            search(&t, who, "q=zeppelin&author=ina_insider").await,
            strings(&[public])
        );
        assert_eq!(
            search(&t, who, "author=ina_insider").await,
            strings(&[public])
        );
        assert!(search(&t, who, "q=zeppelin&tag=roadmap").await.is_empty());
        assert!(search(&t, who, "tag=roadmap").await.is_empty());
        assert_eq!(
            search(&t, who, "q=launches+march&sort=newest&type=topics").await,
            Vec::<String>::new()
        );
    }
    let page = t.browser().get("/c/guild/search?author=ina_insider").await;
    assert!(page.text().contains("Public question"));
    assert!(!page.text().contains("Secret roadmap"));
    assert!(
        !page.html.contains(r#"value="inner""#),
        "the space list offers only spaces the reader may see"
    );
}
