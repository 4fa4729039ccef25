//! Browsing events: the community's events page and an events space's page as a list or a
//! month calendar on the community's clock, narrowed by format, showing only what the viewer
//! may see; and the same in the API.

use crate::events::{create, event_body, events_guild};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

/// The HTML of the calendar cell for `date` (YYYY-MM-DD).
fn cell(html: &str, date: &str) -> String {
    let start = html
        .find(&format!("data-date=\"{date}\""))
        .unwrap_or_else(|| panic!("no cell for {date}"));
    let end = html[start..].find("</td>").unwrap() + start;
    html[start..end].to_string()
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}

async fn berlin(t: &TestApp, owner: &str) {
    let (status, body) = t
        .api(
            "PATCH",
            "/api/v1/communities/guild",
            Some(owner),
            Some(json!({"time_zone": "Europe/Berlin"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

fn at(title: &str, format: &str, start: &str, end: &str) -> Value {
    let mut b = event_body(None);
    b["title"] = json!(title);
    b["format"] = json!(format);
    b["starts_at"] = json!(start);
    b["ends_at"] = json!(end);
    b
}

#[tokio::test]
async fn the_month_grid_puts_an_event_on_its_local_start_day() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    berlin(&t, &owner).await;
    // 00:30 in Berlin (UTC+1) on 10 March is 23:30 UTC on 9 March.
    let owls = create(
        &t,
        &owner,
        at(
            "Night owls",
            "networking",
            "2027-03-10T00:30",
            "2027-03-10T01:30",
        ),
    )
    .await;
    assert_eq!(owls["starts_at"], "2027-03-09T23:30:00Z");
    // 00:30 in Berlin (UTC+2 by then) on 1 April is still 31 March in UTC.
    create(
        &t,
        &owner,
        at(
            "April fools",
            "meetup",
            "2027-04-01T00:30",
            "2027-04-01T02:00",
        ),
    )
    .await;

    let mia = t.signed_up("mia@example.org", "Mia Member").await;
    mia.get("/c/guild").await;
    mia.post("/c/guild/join", &[]).await;
    let page = mia.get("/c/guild/events?view=month&month=2027-03").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = &page.html;
    assert!(
        html.contains("<h2 id=\"month-heading\">March 2027</h2>"),
        "{html}"
    );
    assert!(html.contains("<th scope=\"col\"><abbr title=\"Monday\">Mon</abbr></th>"));
    assert!(cell(html, "2027-03-10").contains("Night owls"));
    assert!(!cell(html, "2027-03-09").contains("Night owls"));
    assert!(cell(html, "2027-03-10")
        .contains(&format!("/c/guild/events/{}", owls["id"].as_str().unwrap())));
    assert!(cell(html, "2027-03-10").contains("00:30"));
    // The last week runs into April: its 1st shows the April event, 31 March does not.
    assert!(cell(html, "2027-04-01").contains("April fools"));
    assert!(!cell(html, "2027-03-31").contains("April fools"));
    // Five Monday-first weeks: 1 March 2027 is a Monday.
    assert_eq!(html.matches("<tr>").count(), 1 + 5);
    assert!(html.contains("month=2027-02") && html.contains("month=2027-04"));

    // The events space's own page shows the same calendar.
    let page = mia.get("/c/guild/s/meetups?view=month&month=2027-03").await;
    assert_eq!(page.status, 200);
    assert!(cell(&page.html, "2027-03-10").contains("Night owls"));

    // The API reads the month on the community's clock too.
    let (status, march) = t
        .api(
            "GET",
            "/api/v1/communities/guild/events?month=2027-03",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{march}");
    assert_eq!(march["time_zone"], "Europe/Berlin");
    assert_eq!(titles(&march["events"]), ["Night owls"]);
    let (_, april) = t
        .api(
            "GET",
            "/api/v1/communities/guild/events?month=2027-04",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(titles(&april["events"]), ["April fools"]);
    let (status, problem) = t
        .api(
            "GET",
            "/api/v1/communities/guild/events?month=March",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "month");

    // Without a month, the current one on the community's clock, with today marked.
    let page = mia.get("/c/guild/events?view=month").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.html.matches("aria-current=\"date\"").count(), 1);
    // A month that does not read is said so, and this month is shown.
    let page = mia.get("/c/guild/events?view=month&month=2027-13").await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("is not a month such as 2027-03."));
}

#[tokio::test]
async fn the_format_filter_narrows_lists_calendars_and_the_api_to_what_the_viewer_may_see() {
    let t = TestApp::spawn().await;
    let owner = events_guild(&t).await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces",
            Some(&owner),
            Some(json!({"name": "Staff room", "slug": "staff", "kind": "events", "visibility": "moderators"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    create(
        &t,
        &owner,
        at(
            "Rust webinar",
            "webinar",
            "2027-05-04T18:00",
            "2027-05-04T19:00",
        ),
    )
    .await;
    create(
        &t,
        &owner,
        at(
            "Ask me anything",
            "ama",
            "2027-05-05T18:00",
            "2027-05-05T19:00",
        ),
    )
    .await;
    let (status, staff) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/staff/events",
            Some(&owner),
            Some(at(
                "Staff webinar",
                "webinar",
                "2027-05-06T18:00",
                "2027-05-06T19:00",
            )),
        )
        .await;
    assert_eq!(status, 201, "{staff}");
    let member = crate::discussions::member(&t, "mia@example.org", "Mia Member").await;

    let (status, lists) = t
        .api(
            "GET",
            "/api/v1/communities/guild/spaces/meetups/events?format=webinar",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(titles(&lists["upcoming"]), ["Rust webinar"]);
    let (status, problem) = t
        .api(
            "GET",
            "/api/v1/communities/guild/spaces/meetups/events?format=party",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "format");

    // The community's events: the member never sees the staff room's event; the owner does.
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/events?format=webinar",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(titles(&mine["events"]), ["Rust webinar"]);
    let (_, owners) = t
        .api(
            "GET",
            "/api/v1/communities/guild/events?format=webinar",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(titles(&owners["events"]), ["Rust webinar", "Staff webinar"]);
    let (_, all) = t
        .api(
            "GET",
            "/api/v1/communities/guild/events",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(titles(&all["events"]), ["Rust webinar", "Ask me anything"]);

    let mia = t.browser();
    mia.log_in("mia@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mia.get("/c/guild/events?format=ama").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Ask me anything"), "{text}");
    assert!(!text.contains("Rust webinar") && !text.contains("Staff webinar"));
    assert!(page.html.contains("<option value=\"ama\" selected>"));
    let page = mia
        .get("/c/guild/events?view=month&month=2027-05&format=webinar")
        .await;
    assert!(cell(&page.html, "2027-05-04").contains("Rust webinar"));
    assert!(!cell(&page.html, "2027-05-05").contains("Ask me anything"));
    assert!(!cell(&page.html, "2027-05-06").contains("Staff webinar"));
    // The filter survives moving between months.
    let hrefs = page.html.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        hrefs.contains("?view=month&month=2027-06&format=webinar"),
        "{hrefs}"
    );
    let page = mia.get("/c/guild/s/meetups?format=webinar").await;
    assert!(page.text().contains("Rust webinar") && !page.text().contains("Ask me anything"));
    let page = mia.get("/c/guild/events?format=party").await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Choose a format"));
    // The staff room itself is not there for a member.
    assert_eq!(
        mia.get("/c/guild/s/staff?view=month&month=2027-05")
            .await
            .status,
        404
    );
}
