//! Atom and RSS feeds, read back with feedparser (the parser many feed readers are built on),
//! and the rule that a feed shows only what an anonymous visitor may read.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use townsquare_testkit::TestApp;

/// Parses a feed with Python's feedparser and returns what a reader would see.
/// feedparser is required: without it this fails, saying how to install it.
fn feedparser(xml: &str) -> Value {
    const SCRIPT: &str = r#"
import json, sys
try:
    import feedparser
except ImportError:
    print("feedparser is not installed: python3 -m pip install feedparser==6.0.14", file=sys.stderr)
    sys.exit(3)
d = feedparser.parse(sys.stdin.read())
print(json.dumps({
    "bozo": int(bool(d.bozo)),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "link": d.feed.get("link"),
    "entries": [{
        "title": e.get("title"),
        "link": e.get("link"),
        "id": e.get("id"),
        "author": e.get("author"),
        "published": e.get("published"),
        "updated": e.get("updated"),
        "content": [c.get("value") for c in e.get("content", [])],
        "tags": [t.get("term") for t in e.get("tags", [])],
    } for e in d.entries],
}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to run feedparser on our feeds");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "feedparser failed ({}): {}\n(install it with: python3 -m pip install feedparser==6.0.14)",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("feedparser's JSON")
}

/// GET without cookies or tokens, as a feed reader: status, content type, body.
async fn fetch(t: &TestApp, path: &str) -> (u16, String, String) {
    let res = reqwest::get(t.url(path)).await.expect("request");
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, content_type, res.text().await.unwrap_or_default())
}

async fn ok(t: &TestApp, token: &str, method: &str, path: &str, body: Value) -> Value {
    let (status, value) = t.api(method, path, Some(token), Some(body)).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {value}"
    );
    value
}

/// A public community "guild" with a public space "help" and a members-only space "inner".
async fn guild(t: &TestApp) -> String {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    ok(
        t,
        &owner,
        "POST",
        "/api/v1/communities",
        json!({"name": "Guild", "slug": "guild"}),
    )
    .await;
    for (name, slug, visibility) in [("Help", "help", "everyone"), ("Inner", "inner", "members")] {
        ok(
            t,
            &owner,
            "POST",
            "/api/v1/communities/guild/spaces",
            json!({"name": name, "slug": slug, "kind": "discussion", "visibility": visibility, "description": "Questions & answers"}),
        )
        .await;
    }
    owner
}

async fn topic(t: &TestApp, token: &str, space: &str, title: &str, body: &str) -> String {
    let topic = ok(
        t,
        token,
        "POST",
        &format!("/api/v1/communities/guild/spaces/{space}/topics"),
        json!({"title": title, "body": body, "tags": ["rust"]}),
    )
    .await;
    topic["id"].as_str().unwrap().to_string()
}

const SCRIPT_BODY: &str = "Before <script>window.__xss=1</script> \
     <img src=x onerror=\"window.__xss=1\"> [click](javascript:window.__xss=1) after.";

#[tokio::test]
async fn public_space_feeds_parse_as_atom_and_rss() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let writer = t.api_user("wren@example.org", "Wren <Writer>").await;
    ok(
        &t,
        &writer,
        "POST",
        "/api/v1/communities/guild/join",
        json!({}),
    )
    .await;

    let first = topic(
        &t,
        &owner,
        "help",
        "Pins & locks",
        "Use **pins** for [rules](https://example.org/rules).",
    )
    .await;
    let second = topic(&t, &writer, "help", "A careful post", SCRIPT_BODY).await;
    let hidden = topic(&t, &owner, "inner", "Members only plans", "Secret.").await;
    ok(
        &t,
        &writer,
        "POST",
        &format!("/api/v1/topics/{first}/posts"),
        json!({"body": "A reply is not an entry."}),
    )
    .await;

    for (path, content_type, version) in [
        (
            "/c/guild/s/help/feed.atom",
            "application/atom+xml; charset=utf-8",
            "atom10",
        ),
        (
            "/c/guild/s/help/feed.rss",
            "application/rss+xml; charset=utf-8",
            "rss20",
        ),
    ] {
        let (status, got_type, xml) = fetch(&t, path).await;
        assert_eq!(status, 200, "{path}: {xml}");
        assert_eq!(got_type, content_type, "{path}");
        let d = feedparser(&xml);
        assert_eq!(d["bozo"], 0, "{path} is not well-formed: {d}");
        assert_eq!(d["version"], version, "{path}");
        assert_eq!(d["title"], "Help · Guild", "{path}");
        assert_eq!(d["link"], t.url("/c/guild/s/help"), "{path}");
        let entries = d["entries"].as_array().unwrap();
        let titles: Vec<&str> = entries
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["A careful post", "Pins & locks"], "{path}");
        let (newest, oldest) = (&entries[0], &entries[1]);
        assert_eq!(newest["link"], t.url(&format!("/c/guild/t/{second}")));
        assert_eq!(oldest["link"], t.url(&format!("/c/guild/t/{first}")));
        assert_eq!(oldest["id"], t.url(&format!("/c/guild/t/{first}")));
        assert_eq!(newest["author"], "Wren <Writer>", "{path}");
        assert_eq!(oldest["author"], "Olga Owner", "{path}");
        assert!(oldest["published"].as_str().is_some(), "{path}: {oldest}");
        assert_eq!(oldest["tags"], json!(["rust"]), "{path}");
        let content = oldest["content"][0].as_str().unwrap();
        assert!(
            content.contains("<strong>pins</strong>")
                && content.contains(r#"href="https://example.org/rules""#),
            "{path}: {content}"
        );
        let careful = newest["content"][0].as_str().unwrap();
        assert!(
            careful.contains("Before") && careful.contains("after."),
            "{path}: {careful}"
        );

        // feedparser sanitizes on its own, so look at the XML itself: the payload was removed
        // when the post was written, not merely escaped on the way out.
        for needle in [
            "<script",
            "&lt;script",
            "onerror",
            "javascript:",
            "Members only plans",
            "Secret.",
            "A reply is not an entry",
        ] {
            assert!(!xml.contains(needle), "{path} contains {needle:?}:\n{xml}");
        }
        assert!(!xml.contains(&hidden), "{path} mentions the hidden topic");
    }

    // The community's feed: the public space's topics, not the members-only space's.
    let (status, got_type, xml) = fetch(&t, "/c/guild/feed.atom").await;
    assert_eq!(status, 200, "{xml}");
    assert_eq!(got_type, "application/atom+xml; charset=utf-8");
    let d = feedparser(&xml);
    assert_eq!(d["bozo"], 0, "{d}");
    assert_eq!(d["title"], "Guild");
    let titles: Vec<&str> = d["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["A careful post", "Pins & locks"]);
    assert!(!xml.contains("Members only plans"));

    // The space page points feed readers at its feed.
    let (_, _, html) = fetch(&t, "/c/guild/s/help").await;
    assert!(
        html.contains(r#"<link rel="alternate" type="application/atom+xml""#)
            && html.contains(r#"href="/c/guild/s/help/feed.atom""#),
        "no feed link in the space page's head"
    );
    t.stop().await;
}

#[tokio::test]
async fn private_spaces_and_communities_have_no_feeds() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    topic(&t, &owner, "inner", "Members only plans", "Secret.").await;
    ok(
        &t,
        &owner,
        "POST",
        "/api/v1/communities",
        json!({"name": "Hideout", "slug": "hideout", "visibility": "private"}),
    )
    .await;
    ok(
        &t,
        &owner,
        "POST",
        "/api/v1/communities/hideout/spaces",
        json!({"name": "Open door", "slug": "open", "kind": "discussion", "visibility": "everyone"}),
    )
    .await;
    for path in [
        "/c/guild/s/inner/feed.atom",
        "/c/guild/s/inner/feed.rss",
        "/c/hideout/feed.atom",
        "/c/hideout/s/open/feed.atom",
        "/c/hideout/s/open/feed.rss",
        "/c/nowhere/feed.atom",
        "/c/guild/s/nowhere/feed.rss",
    ] {
        let (status, _, body) = fetch(&t, path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains("Members only plans") && !body.contains("Hideout"));
        // A member's credentials change nothing: feeds are for anonymous readers.
        let (status, _) = t.api("GET", path, Some(&owner), None).await;
        assert_eq!(status, 404, "{path} with the owner's token");
    }
    // A space that turns private loses its feed at once.
    assert_eq!(fetch(&t, "/c/guild/s/help/feed.atom").await.0, 200);
    ok(
        &t,
        &owner,
        "PATCH",
        "/api/v1/communities/guild/spaces/help",
        json!({"visibility": "members"}),
    )
    .await;
    assert_eq!(fetch(&t, "/c/guild/s/help/feed.atom").await.0, 404);
    assert_eq!(fetch(&t, "/c/guild/s/help/feed.rss").await.0, 404);
    t.stop().await;
}
