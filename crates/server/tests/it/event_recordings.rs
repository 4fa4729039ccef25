//! Uploaded event recordings: the type decided from the bytes, the size limit refused while
//! the body is read, access for whoever may see the event (and nobody else, through the
//! files address too), byte ranges for players, counted plays, and the player on the page.

use crate::discussions::member;
use crate::events::{create, event_body, events_guild};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

/// A tiny file that starts as an MP4 does (an `ftyp` box), then numbered bytes.
fn mp4_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    while bytes.len() < len {
        bytes.push((bytes.len() % 251) as u8);
    }
    bytes
}

/// `PUT /api/v1/events/{id}/recording/file` with one `file` part.
async fn upload(
    t: &TestApp,
    token: Option<&str>,
    event: &str,
    filename: &str,
    declared: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let b = "townsquare-recording";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: {declared}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let mut req = reqwest::Client::new()
        .put(t.url(&format!("/api/v1/events/{event}/recording/file")))
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// GET with an optional bearer token and Range header: status, headers, body.
async fn fetch(
    t: &TestApp,
    path: &str,
    token: Option<&str>,
    range: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(t.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(range) = range {
        req = req.header("range", range);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

async fn plays(t: &TestApp, event: &str) -> usize {
    let c = t.app.community(None, "guild").await.unwrap();
    townsquare_app::store::activity::recent_in_community(t.app.db(), &c.community.id, None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.activity.verb == "event_recording_viewed" && r.activity.object_id == event)
        .count()
}

#[tokio::test]
async fn hosts_upload_a_recording_that_plays_with_ranges_for_those_who_see_the_event() {
    let t = TestApp::spawn_with(|s| s.files.max_recording_bytes = 64 * 1024).await;
    let owner = events_guild(&t).await;
    // An events space for the community's members only.
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces",
            Some(&owner),
            Some(json!({"name": "Inner", "slug": "backstage", "kind": "events", "visibility": "members"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, e) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/backstage/events",
            Some(&owner),
            Some(event_body(None)),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    let id = e["id"].as_str().unwrap().to_string();
    let ann = member(&t, "ann@example.org", "Ann").await;
    let outsider = t.api_user("out@example.org", "Outsider").await;

    // Members who are not hosts may not upload; the type comes from the bytes, not the name.
    let video = mp4_bytes(3000);
    let (status, _) = upload(&t, Some(&ann), &id, "talk.mp4", "video/mp4", &video).await;
    assert_eq!(status, 403);
    let (status, problem) = upload(
        &t,
        Some(&owner),
        &id,
        "talk.mp4",
        "video/mp4",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("video or audio"), "{problem}");
    let (status, followup) = upload(
        &t,
        Some(&owner),
        &id,
        "recording.bin",
        "application/octet-stream",
        &video,
    )
    .await;
    assert_eq!(status, 200, "{followup}");
    let file = &followup["recording_file"];
    assert_eq!(file["content_type"], "video/mp4", "{followup}");
    assert_eq!(file["size_bytes"], 3000);
    let media = format!("/c/guild/events/{id}/recording/media");
    assert_eq!(file["media_url"], t.url(&media));

    // Too large: refused with the limit named, and the recording stays as it was.
    let (status, problem) = upload(
        &t,
        Some(&owner),
        &id,
        "long.mp4",
        "video/mp4",
        &mp4_bytes(100 * 1024),
    )
    .await;
    assert_eq!(status, 413, "{problem}");
    assert!(problem.to_string().contains("at most 64 KiB"), "{problem}");
    let followup = t
        .api(
            "GET",
            &format!("/api/v1/events/{id}/followup"),
            Some(&ann),
            None,
        )
        .await
        .1;
    assert_eq!(followup["recording_file"]["size_bytes"], 3000, "{followup}");

    // A member plays it: the whole file, then a seek answered with 206.
    let (status, headers, body) = fetch(&t, &media, Some(&ann), None).await;
    assert_eq!(status, 200);
    assert_eq!(body, video);
    assert_eq!(headers["accept-ranges"], "bytes");
    assert_eq!(headers["content-type"], "video/mp4");
    let (status, headers, body) = fetch(&t, &media, Some(&ann), Some("bytes=100-199")).await;
    assert_eq!(status, 206);
    assert_eq!(headers["content-range"], "bytes 100-199/3000");
    assert_eq!(headers["content-length"], "100");
    assert_eq!(body, &video[100..200]);
    let (status, _, body) = fetch(&t, &media, Some(&ann), Some("bytes=-10")).await;
    assert_eq!(status, 206);
    assert_eq!(body, &video[2990..]);
    let (status, headers, _) = fetch(&t, &media, Some(&ann), Some("bytes=5000-")).await;
    assert_eq!(status, 416);
    assert_eq!(headers["content-range"], "bytes */3000");
    // Starting to play counts; seeking does not.
    assert_eq!(plays(&t, &id).await, 1);
    fetch(&t, &media, Some(&ann), Some("bytes=0-")).await;
    assert_eq!(plays(&t, &id).await, 2);

    // The stored file's own address (where the counting link leads: a third view) answers
    // ranges too, with the same rule about who.
    let file_url = followup_file_url(&t, &ann, &id).await;
    assert_eq!(plays(&t, &id).await, 3);
    let (status, _, body) = fetch(&t, &file_url, Some(&ann), Some("bytes=0-9")).await;
    assert_eq!(status, 206);
    assert_eq!(body, &video[..10]);
    for token in [Some(outsider.as_str()), None] {
        assert_eq!(fetch(&t, &media, token, None).await.0, 404);
        assert_eq!(fetch(&t, &file_url, token, None).await.0, 404);
    }
    assert_eq!(plays(&t, &id).await, 3);

    // The event page plays it.
    let browser = t.browser();
    browser
        .log_in("ann@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser.get(&format!("/c/guild/events/{id}")).await;
    assert!(
        page.html
            .contains(&format!("<source src=\"{media}\" type=\"video/mp4\">")),
        "{}",
        page.html
    );
    assert!(page.html.contains("<video"), "{}", page.html);

    // A link in its place removes the uploaded file.
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/events/{id}/recording"),
            Some(&owner),
            Some(json!({"url": "https://video.example.org/talk"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetch(&t, &file_url, Some(&owner), None).await.0, 404);
    assert_eq!(fetch(&t, &media, Some(&ann), None).await.0, 404);
}

/// The uploaded recording's `/files/...` address, through the counting redirect.
async fn followup_file_url(t: &TestApp, token: &str, event: &str) -> String {
    let (status, headers, _) = fetch(
        t,
        &format!("/c/guild/events/{event}/recording"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, 303);
    headers["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_followup_page_uploads_audio_and_says_what_is_wrong() {
    let t = TestApp::spawn_with(|s| s.files.max_recording_bytes = 16 * 1024).await;
    let owner = events_guild(&t).await;
    let e = create(&t, &owner, event_body(None)).await;
    let id = e["id"].as_str().unwrap().to_string();
    let host = t.browser();
    host.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let path = format!("/c/guild/events/{id}/recording/upload");
    host.get(&format!("/c/guild/events/{id}/followup")).await;
    let page = host
        .post_multipart(
            &path,
            &[],
            Some(("recording", "notes.mp3", b"just text".as_slice())),
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("A recording is a video or audio file"),
        "{}",
        page.html
    );
    let mut big = b"ID3".to_vec();
    big.resize(20 * 1024, 7);
    let page = host
        .post_multipart(&path, &[], Some(("recording", "long.mp3", big.as_slice())))
        .await;
    assert_eq!(page.status, 422);
    assert!(page.html.contains("at most 16 KiB"), "{}", page.html);
    let mut mp3 = b"ID3".to_vec();
    mp3.resize(4 * 1024, 1);
    let page = host
        .post_multipart(&path, &[], Some(("recording", "talk.mp3", mp3.as_slice())))
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Recording uploaded."), "{}", page.html);
    let event_page = host.get(&format!("/c/guild/events/{id}")).await;
    assert!(event_page.html.contains("<audio"), "{}", event_page.html);
}
