//! The member directory: search by name, handle and the answers the viewer may see; filters by
//! field value, interest, role, trust level (moderators) and join date; three sorts with
//! keyset pages; members only.

use crate::discussions::{guild, member};
use crate::member_profiles::{answer, field, user_id};
use serde_json::{json, Value};
use townsquare_app::domain::profiles::value_key;
use townsquare_app::store::directory::{self, DirectoryQuery, DirectorySort, SearchTuning};
use townsquare_testkit::TestApp;

async fn names(t: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (status, page) = directory(t, token, query).await;
    assert_eq!(status, 200, "{query}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap().to_string())
        .collect()
}

async fn directory(t: &TestApp, token: &str, query: &str) -> (u16, Value) {
    t.api(
        "GET",
        &format!("/api/v1/communities/guild/directory?{query}"),
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn search_matches_names_handles_and_only_answers_the_viewer_may_see() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let grace = member(&t, "grace@example.org", "Grace Hopper").await;
    let _alan = member(&t, "alan@example.org", "Alan Turing").await;
    let (status, _) = t
        .api(
            "PATCH",
            "/api/v1/me",
            Some(&grace),
            Some(json!({"handle": "amazing_grace"})),
        )
        .await;
    assert!(status == 200 || status == 204, "{status}");
    let team = field(
        &t,
        &owner,
        "guild",
        json!({"label": "Team", "kind": "text", "visibility": "members"}),
    )
    .await;
    let secret = field(
        &t,
        &owner,
        "guild",
        json!({"label": "Badge", "kind": "text", "visibility": "admins"}),
    )
    .await;
    answer(
        &t,
        &ada,
        "guild",
        json!({ &team: ["Compiler club"], &secret: ["Zebra"] }),
    )
    .await;

    assert_eq!(names(&t, &grace, "q=ada").await, ["Ada Lovelace"]);
    assert_eq!(
        names(&t, &grace, "q=LOVE").await,
        ["Ada Lovelace"],
        "any word, any case"
    );
    assert_eq!(
        names(&t, &ada, "q=amazing").await,
        ["Grace Hopper"],
        "by handle"
    );
    assert_eq!(
        names(&t, &ada, "q=a").await,
        ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    );
    assert_eq!(
        names(&t, &ada, "q=ada+hopper").await,
        Vec::<String>::new(),
        "every word"
    );
    assert_eq!(
        names(&t, &grace, "q=compiler").await,
        ["Ada Lovelace"],
        "a members' field"
    );
    assert!(
        names(&t, &grace, "q=zebra").await.is_empty(),
        "admins-only answers stay hidden"
    );
    assert_eq!(names(&t, &owner, "q=zebra").await, ["Ada Lovelace"]);

    // Non-members cannot search at all, even in a public community; the page agrees.
    let outsider = t.api_user("dan@example.org", "Dan Outside").await;
    let (status, _) = directory(&t, &outsider, "q=compiler").await;
    assert_eq!(status, 403);
    let page = t.browser().get("/c/guild/members?q=ada").await;
    assert_eq!(page.status, 403);

    // The page shows the search and its result.
    let browser = t.signed_up("eve@example.org", "Eve Member").await;
    assert_eq!(browser.post("/c/guild/join", &[]).await.status, 200);
    let page = browser.get("/c/guild/members?q=compiler").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Ada Lovelace"));
    assert!(page.text().contains("Team: Compiler club"));
    assert!(!page.text().contains("Alan Turing"));
}

#[tokio::test]
async fn filters_narrow_the_directory_and_respect_privacy_and_roles() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let grace = member(&t, "grace@example.org", "Grace Hopper").await;
    let alan = member(&t, "alan@example.org", "Alan Turing").await;
    let size = field(&t, &owner, "guild", json!({"label": "Company size", "kind": "single_select", "options": ["1-10", "11-50"], "visibility": "members"})).await;
    let langs = field(&t, &owner, "guild", json!({"label": "Languages", "kind": "multi_select", "options": ["Rust", "Cobol"], "visibility": "members"})).await;
    let private = field(&t, &owner, "guild", json!({"label": "Salary band", "kind": "single_select", "options": ["A", "B"], "visibility": "admins"})).await;
    answer(
        &t,
        &ada,
        "guild",
        json!({ &size: ["11-50"], &langs: ["Rust"], &private: ["A"] }),
    )
    .await;
    answer(
        &t,
        &grace,
        "guild",
        json!({ &size: ["11-50"], &langs: ["Cobol", "Rust"] }),
    )
    .await;
    answer(&t, &alan, "guild", json!({ &size: ["1-10"] })).await;

    assert_eq!(
        names(&t, &ada, &format!("f.{size}=11-50")).await,
        ["Ada Lovelace", "Grace Hopper"]
    );
    assert_eq!(
        names(&t, &ada, &format!("f.{langs}=cobol")).await,
        ["Grace Hopper"]
    );
    assert_eq!(
        names(&t, &ada, &format!("f.{size}=11-50&f.{langs}=rust")).await,
        ["Ada Lovelace", "Grace Hopper"]
    );
    // A field the viewer may not see cannot be filtered by: as if it did not exist.
    let (status, problem) = directory(&t, &grace, &format!("f.{private}=A")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        names(&t, &owner, &format!("f.{private}=A")).await,
        ["Ada Lovelace"]
    );

    // Interests count for members who show their details.
    for (token, interests, show) in [(&ada, "Poetry, Engines", true), (&grace, "engines", false)] {
        let (status, _) = t
            .api(
                "PUT",
                "/api/v1/me/profile",
                Some(token),
                Some(json!({"interests": [interests], "show_details": show})),
            )
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(names(&t, &alan, "interest=Engines").await, ["Ada Lovelace"]);

    // Roles; trust levels are for moderators.
    let alan_id = user_id(&t, &alan).await;
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/guild/members/{alan_id}/role"),
            Some(&owner),
            Some(json!({"role": "moderator"})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(names(&t, &ada, "role=moderator").await, ["Alan Turing"]);
    assert_eq!(names(&t, &ada, "role=owner").await, ["Olga Owner"]);
    let (status, _) = directory(&t, &ada, "trust_level=0").await;
    assert_eq!(status, 403);
    let (status, page) = directory(&t, &alan, "trust_level=0&q=grace").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"][0]["trust_level"], 0, "{page}");
    let (_, page) = directory(&t, &ada, "q=grace").await;
    assert!(
        page["items"][0]["trust_level"].is_null(),
        "hidden from members"
    );

    // Bad input is a 422 naming the parameter.
    for (query, param) in [
        ("sort=age", "sort"),
        ("cursor=nonsense", "cursor"),
        ("role=king", "role"),
        ("joined_from=yesterday", "joined_from"),
        ("limit=lots", "limit"),
    ] {
        let (status, problem) = directory(&t, &ada, query).await;
        assert_eq!(status, 422, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["field"], param, "{problem}");
    }
}

#[tokio::test]
async fn sorts_page_through_every_member_once_with_cursors() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let day = 86_400_000_000;
    let mut tokens = Vec::new();
    for name in ["Mia Stone", "Ben Ash", "Zoe Park", "Ada Byrne", "Lea Moss"] {
        t.app.clock().advance(2 * day);
        let email = format!(
            "{}@example.org",
            name.split(' ').next().unwrap().to_lowercase()
        );
        tokens.push(member(&t, &email, name).await);
    }
    // Ben posts something later than everyone joined: the most recently active.
    t.app.clock().advance(day);
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/help/topics",
            Some(&tokens[1]),
            Some(json!({"title": "Hello all", "body": "Glad to be here."})),
        )
        .await;
    assert_eq!(status, 201);

    let walk = |sort: &'static str| {
        let t = &t;
        let owner = owner.clone();
        async move {
            let mut seen = Vec::new();
            let mut cursor = String::new();
            loop {
                let (status, page) =
                    directory(t, &owner, &format!("sort={sort}&limit=2&cursor={cursor}")).await;
                assert_eq!(status, 200, "{page}");
                let items = page["items"].as_array().unwrap();
                assert!(items.len() <= 2);
                seen.extend(
                    items
                        .iter()
                        .map(|m| m["display_name"].as_str().unwrap().to_string()),
                );
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = c.to_string(),
                    None => break,
                }
            }
            seen
        }
    };
    assert_eq!(
        walk("name").await,
        [
            "Ada Byrne",
            "Ben Ash",
            "Lea Moss",
            "Mia Stone",
            "Olga Owner",
            "Zoe Park"
        ]
    );
    assert_eq!(
        walk("joined").await,
        [
            "Lea Moss",
            "Ada Byrne",
            "Zoe Park",
            "Ben Ash",
            "Mia Stone",
            "Olga Owner"
        ]
    );
    assert_eq!(walk("active").await[0], "Ben Ash");

    // A name cursor does not continue another sort.
    let (_, page) = directory(&t, &owner, "sort=name&limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let (status, _) = directory(&t, &owner, &format!("sort=joined&cursor={cursor}")).await;
    assert_eq!(status, 422);

    // Join dates filter by day on the community's clock.
    let (_, all) = directory(&t, &owner, "sort=joined&limit=100").await;
    let zoe_joined = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "Zoe Park")
        .unwrap()["joined_at"]
        .as_str()
        .unwrap()[..10]
        .to_string();
    assert_eq!(
        names(&t, &owner, &format!("sort=joined&joined_from={zoe_joined}")).await,
        ["Lea Moss", "Ada Byrne", "Zoe Park"]
    );
    assert_eq!(
        names(
            &t,
            &owner,
            &format!("sort=joined&joined_before={zoe_joined}")
        )
        .await,
        ["Ben Ash", "Mia Stone", "Olga Owner"]
    );

    // The page links to the next page, keeping the search.
    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser.get("/c/guild/members?sort=name&limit=2").await;
    assert_eq!(page.status, 200);
    let next = page
        .html
        .split("href=\"/c/guild/members?")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next-page link")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(
        next.contains("sort=name") && next.contains("limit=2"),
        "{next}"
    );
    let page = browser.get(&format!("/c/guild/members?{next}")).await;
    assert!(page.text().contains("Lea Moss"), "{}", page.text());
    assert!(!page.text().contains("Ada Byrne"), "{}", page.text());
}

#[tokio::test]
async fn the_demo_directory_has_profiles_fields_and_answers() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let priya = t.browser();
    priya
        .log_in(
            "priya@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let page = priya.get("/c/open-source-guild/members").await;
    assert_eq!(page.status, 200);
    for label in ["Company size", "Languages"] {
        assert!(page.text().contains(label), "{label}");
    }
    assert!(!page.text().contains("Open to mentoring"), "admins only");
    let rust = page
        .html
        .split("name=\"f.")
        .find(|part| part.contains(">Rust<"))
        .and_then(|part| part.split('"').next())
        .map(|id| id.to_string())
        .expect("the Languages filter");
    let page = priya
        .get(&format!("/c/open-source-guild/members?f.{rust}=Rust"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Languages: "), "{}", page.text());
    let page = priya.get("/c/open-source-guild/members?q=fuzzing").await;
    assert!(page.text().contains("Favourite topic: Fuzzing parsers"));

    // Maya shows her e-mail and details; her profile says so.
    let page = priya.get("/c/open-source-guild/members?q=maya").await;
    let maya = page
        .html
        .split("href=\"/c/open-source-guild/members/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("Maya in the directory")
        .to_string();
    let page = priya
        .get(&format!("/c/open-source-guild/members/{maya}"))
        .await;
    assert!(page.text().contains("maya@demo.townsquare.test"));
    assert!(page.text().contains("Interests"));
}

#[tokio::test]
async fn admins_export_the_filtered_directory_as_csv_that_spreadsheets_will_not_run() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    member(
        &t,
        "grace@example.org",
        "=HYPERLINK(\"http://evil.example\")",
    )
    .await;
    member(&t, "alan@example.org", "Alan Turing").await;
    let size = field(&t, &owner, "guild", json!({"label": "Company size", "kind": "single_select", "options": ["1-10", "11-50"], "visibility": "members"})).await;
    answer(&t, &ada, "guild", json!({ &size: ["11-50"] })).await;

    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser.get("/c/guild/members").await;
    assert!(
        page.html.contains(r#"href="/c/guild/members.csv""#),
        "{}",
        page.html
    );

    let all = browser.get("/c/guild/members.csv?sort=name").await;
    assert_eq!(all.status, 200);
    let mut reader = csv::Reader::from_reader(all.html.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "name",
            "handle",
            "role",
            "joined",
            "last_active",
            "trust_level",
            "headline",
            "Company size"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example\")",
            "Ada Lovelace",
            "Alan Turing",
            "Olga Owner"
        ]
    );
    let row = |name: &str| rows.iter().find(|r| r[0] == name).unwrap();
    assert_eq!(row("Ada Lovelace")[7], "11-50");
    assert_eq!(row("Olga Owner")[2], "owner");

    // The same filters as the page.
    let filtered = browser
        .get(&format!("/c/guild/members.csv?f.{size}=11-50"))
        .await;
    let mut reader = csv::Reader::from_reader(filtered.html.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(names, ["Ada Lovelace"]);

    // Members may browse the directory but not export it.
    let member_browser = t.browser();
    member_browser
        .log_in("ada@example.org", townsquare_testkit::PASSWORD)
        .await;
    assert_eq!(member_browser.get("/c/guild/members.csv").await.status, 403);
}

/// Every member matching `query` in `sort`, paging `limit` at a time with the cursors.
async fn all_pages(t: &TestApp, token: &str, query: &str, sort: &str, limit: i64) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = t
            .api(
                "GET",
                &format!(
                    "/api/v1/communities/open-source-guild/directory?{query}&sort={sort}&limit={limit}&cursor={cursor}"
                ),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() as i64 <= limit);
        ids.extend(
            items
                .iter()
                .map(|m| m["user_id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return ids,
        }
    }
}

/// Searches whose matches are rare or common in the demo community: paged or in one page, in
/// any order, the same members, each once.
#[tokio::test]
async fn rare_and_common_matches_page_the_same_members_in_every_order() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    for query in [
        "q=priya",
        "q=o",
        "interest=open%20data",
        "q=rust&interest=security",
    ] {
        let whole = all_pages(&t, &maya, query, "name", 100).await;
        assert!(!whole.is_empty(), "{query}");
        let mut unique = whole.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), whole.len(), "{query}: a member listed twice");
        assert_eq!(
            all_pages(&t, &maya, query, "name", 7).await,
            whole,
            "{query}"
        );
        for sort in ["joined", "active"] {
            let mut other = all_pages(&t, &maya, query, sort, 9).await;
            other.sort();
            assert_eq!(other, unique, "{query} by {sort}");
        }
    }
    t.stop().await;
}

/// Every page of `query` in the search's way set by `tuning`, paging `limit` at a time.
async fn tuned_pages(
    t: &TestApp,
    query: &DirectoryQuery,
    limit: i64,
    tuning: SearchTuning,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page_query = DirectoryQuery {
        limit,
        ..query.clone()
    };
    loop {
        let page = directory::search_tuned(t.app.db(), &page_query, tuning)
            .await
            .expect("search");
        assert!(page.len() as i64 <= limit);
        ids.extend(page.iter().map(|r| r.user_id.clone()));
        match page.last() {
            Some(last) if page.len() as i64 == limit => {
                page_query.after = Some(last.cursor(query.sort))
            }
            _ => return ids,
        }
    }
}

/// The search's ways — collecting each condition's matches then reading along the order,
/// looking the matches up by id, checking conditions per member in SQL, and mixes of them —
/// list the same members in the same order as the plain SQL of the conditions (every
/// condition checked per member, in one read of the order), whatever numbers steer it, on
/// the demo community.
#[tokio::test]
async fn every_way_of_searching_lists_what_the_conditions_select_in_order() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let community =
        townsquare_app::store::communities::community_by_slug(t.app.db(), "open-source-guild")
            .await
            .expect("community")
            .expect("the demo guild");
    let fields = townsquare_app::store::profiles::fields(t.app.db(), &community.id)
        .await
        .expect("fields");
    let searchable: Vec<String> = fields
        .iter()
        .filter(|f| f.visibility != "admins")
        .map(|f| f.id.clone())
        .collect();
    let select = fields
        .iter()
        .find(|f| f.kind == "single_select")
        .expect("a select field");
    let options: Vec<String> = serde_json::from_str(&select.options).unwrap();
    let filter = (select.id.clone(), value_key(&options[0]));
    let base = DirectoryQuery {
        community_id: community.id.clone(),
        terms: Vec::new(),
        searchable_fields: searchable,
        field_filters: Vec::new(),
        interest: None,
        role: None,
        trust_level: None,
        joined_after: None,
        joined_before: None,
        sort: DirectorySort::Name,
        after: None,
        limit: 0,
    };
    let terms = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let queries = [
        DirectoryQuery {
            terms: terms(&["o"]),
            ..base.clone()
        },
        DirectoryQuery {
            terms: terms(&["ma"]),
            ..base.clone()
        },
        DirectoryQuery {
            terms: terms(&["a", "o"]),
            role: Some("member".into()),
            ..base.clone()
        },
        DirectoryQuery {
            terms: terms(&["rust"]),
            interest: Some("security".into()),
            ..base.clone()
        },
        DirectoryQuery {
            field_filters: vec![filter.clone()],
            interest: Some("open data".into()),
            ..base.clone()
        },
        DirectoryQuery {
            terms: terms(&["e"]),
            field_filters: vec![filter],
            ..base.clone()
        },
    ];
    let plain_sql = SearchTuning {
        collect_max: 0,
        first_stretch: i64::MAX / 8,
        reads_per_lookup: 1,
    };
    let ways = [
        SearchTuning::DEFAULT,
        // Reading along the order in short stretches, never looking up.
        SearchTuning {
            collect_max: usize::MAX,
            first_stretch: 2,
            reads_per_lookup: usize::MAX / 8,
        },
        // Looking every match up at once.
        SearchTuning {
            collect_max: usize::MAX,
            first_stretch: 1,
            reads_per_lookup: 0,
        },
        // A stretch or two, then looking up.
        SearchTuning {
            collect_max: usize::MAX,
            first_stretch: 3,
            reads_per_lookup: 1,
        },
        // Common conditions checked per member, the rarer ones collected.
        SearchTuning {
            collect_max: 40,
            first_stretch: 2,
            reads_per_lookup: 1,
        },
    ];
    let mut nonempty = 0;
    for query in &queries {
        for sort in [
            DirectorySort::Name,
            DirectorySort::Joined,
            DirectorySort::Active,
        ] {
            let query = DirectoryQuery {
                sort,
                ..query.clone()
            };
            let expected = tuned_pages(&t, &query, 10_000, plain_sql).await;
            if !expected.is_empty() {
                nonempty += 1;
            }
            for way in ways {
                for limit in [7, 50] {
                    assert_eq!(
                        tuned_pages(&t, &query, limit, way).await,
                        expected,
                        "{query:?} {way:?} by {limit}"
                    );
                }
            }
        }
    }
    assert!(nonempty >= 15, "most queries match someone: {nonempty}");
    t.stop().await;
}
