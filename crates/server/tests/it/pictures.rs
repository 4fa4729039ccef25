//! Members' pictures (and event covers, which go through the same checks): the format is
//! read from the bytes, not the name; what is not a PNG, JPEG, WebP or GIF is refused with a
//! field error, and so are files over 5 MB and pictures over 4096×4096; a picture is stored
//! cropped, scaled and re-encoded as PNG without the original's metadata, and served with its
//! type, `nosniff` and a long cache lifetime.

use crate::discussions::{guild, member};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use std::io::Cursor;
use townsquare_testkit::TestApp;

/// A marker hidden in a picture's EXIF block: it must not survive the upload.
const EXIF_MARKER: &[u8] = b"GPS 51.5007N 0.1246W secret-camera-serial-4711";

fn encoded(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn gradient(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    }))
}

/// A real JPEG (from a camera, say) with an EXIF APP1 segment right after its start marker.
pub(crate) fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let jpeg = encoded(gradient(width, height), ImageFormat::Jpeg);
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0".to_vec();
    payload.extend_from_slice(EXIF_MARKER);
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(crate) async fn put_picture(
    t: &TestApp,
    token: &str,
    path: &str,
    filename: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let part = Part::bytes(bytes)
        .file_name(filename.to_string())
        .mime_str(mime)
        .unwrap();
    let res = reqwest::Client::new()
        .put(t.url(path))
        .bearer_auth(token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The message of the field error on `field` in a problem+json body.
pub(crate) fn field_error(body: &Value, field: &str) -> String {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error on {field} in {body}"))
        .to_string()
}

#[tokio::test]
async fn what_is_not_a_picture_is_refused_with_a_field_error() {
    let t = TestApp::spawn().await;
    let ada = t.api_user("ada@example.org", "Ada Lovelace").await;
    let refused = [
        (
            "avatar.png",
            "image/png",
            b"just some text, not a picture".to_vec(),
        ),
        (
            "avatar.svg",
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
        ),
        // A BMP (its header) is a picture, but not one we take.
        (
            "avatar.bmp",
            "image/bmp",
            b"BM\x3e\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x04\0\0\0".to_vec(),
        ),
    ];
    for (name, mime, bytes) in refused {
        let (status, body) = put_picture(&t, &ada, "/api/v1/me/avatar", name, mime, bytes).await;
        assert_eq!(status, 422, "{name}: {body}");
        let message = field_error(&body, "file");
        assert!(
            message.contains("PNG, JPEG, WebP or GIF"),
            "{name}: {message}"
        );
    }

    // Over 5 MB: refused while reading, whatever the bytes are.
    let mut big = encoded(gradient(8, 8), ImageFormat::Png);
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, body) =
        put_picture(&t, &ada, "/api/v1/me/avatar", "big.png", "image/png", big).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        field_error(&body, "file").contains("at most 5 MB"),
        "{body}"
    );

    // A small file that claims a huge picture: refused from its header.
    let wide = encoded(gradient(5000, 2), ImageFormat::Png);
    assert!(wide.len() < 200_000);
    let (status, body) =
        put_picture(&t, &ada, "/api/v1/me/avatar", "wide.png", "image/png", wide).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_error(&body, "file").contains("5000×2"), "{body}");

    t.stop().await;
}

#[tokio::test]
async fn a_photo_is_stored_square_without_its_metadata_and_served_with_safe_headers() {
    let t = TestApp::spawn().await;
    let _owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    let photo = jpeg_with_exif(640, 480);
    assert!(contains(&photo, EXIF_MARKER));
    assert!(
        image::load_from_memory(&photo).is_ok(),
        "the test photo is a real JPEG"
    );
    // The name says text: the content decides.
    let (status, avatar) = put_picture(
        &t,
        &ada,
        "/api/v1/me/avatar",
        "notes.txt",
        "text/plain",
        photo,
    )
    .await;
    assert_eq!(status, 200, "{avatar}");
    let url = avatar["url"].as_str().unwrap().to_string();

    let res = reqwest::get(t.url(&url)).await.unwrap();
    assert_eq!(
        res.status(),
        200,
        "anyone who sees the member sees the picture"
    );
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(
        header("cache-control").contains("max-age=31536000"),
        "{}",
        header("cache-control")
    );
    let stored = res.bytes().await.unwrap();
    assert_eq!(image::guess_format(&stored).unwrap(), ImageFormat::Png);
    let back = image::load_from_memory(&stored).unwrap();
    assert_eq!((back.width(), back.height()), (256, 256));
    assert!(!contains(&stored, EXIF_MARKER), "the EXIF block is gone");
    assert!(!contains(&stored, b"Exif"), "no EXIF chunk at all");

    // The profile and the directory show it.
    let (_, profile) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{ada_id}/profile"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(profile["avatar_url"], url.as_str(), "{profile}");
    let bob = t.signed_up("bob@example.org", "Bob Babbage").await;
    assert_eq!(bob.post("/c/guild/join", &[]).await.status, 200);
    let directory = bob.get("/c/guild/members").await;
    assert!(
        directory.html.contains(&format!("src=\"{url}\"")),
        "{}",
        directory.html
    );
    // Her posts show it too.
    let topic = crate::discussions::topic(&t, &ada, "help", "A picture", "Hello.", false).await;
    let page = bob
        .get(&format!("/c/guild/t/{}", topic["id"].as_str().unwrap()))
        .await;
    assert!(
        page.html
            .contains(&format!("<img class=\"avatar\" src=\"{url}\"")),
        "{}",
        page.html
    );

    // A new picture replaces the old one, whose file is gone.
    let (status, second) = put_picture(
        &t,
        &ada,
        "/api/v1/me/avatar",
        "a.gif",
        "image/gif",
        encoded(gradient(50, 90), ImageFormat::Gif),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["url"], url.as_str());
    assert_eq!(reqwest::get(t.url(&url)).await.unwrap().status(), 404);

    // Removing it: the initials show again, the file is gone.
    let (status, _) = t.api("DELETE", "/api/v1/me/avatar", Some(&ada), None).await;
    assert_eq!(status, 204);
    let (_, profile) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{ada_id}/profile"),
            Some(&ada),
            None,
        )
        .await;
    assert!(profile["avatar_url"].is_null(), "{profile}");
    let second_url = second["url"].as_str().unwrap();
    assert_eq!(reqwest::get(t.url(second_url)).await.unwrap().status(), 404);
    let page = bob.get(&format!("/c/guild/members/{ada_id}")).await;
    assert!(page.html.contains(">AL</span>"), "{}", page.html);
    t.stop().await;
}

#[tokio::test]
async fn the_profile_page_uploads_and_removes_a_picture() {
    let t = TestApp::spawn().await;
    let ada = t.signed_up("ada@example.org", "Ada Lovelace").await;
    let page = ada.get("/settings/profile").await;
    assert!(page.html.contains("enctype=\"multipart/form-data\""));

    // A text file named like a picture: the form comes back with the reason on the field.
    let page = ada
        .post_multipart(
            "/settings/profile/avatar",
            &[],
            Some(("avatar", "me.png", b"hello, I am text".as_slice())),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(page.html.contains("id=\"avatar-error\""), "{}", page.html);
    assert!(page.text().contains("This file is not a picture"));

    // Without the form's token nothing happens.
    let other = t.browser();
    let page = other
        .post_multipart(
            "/settings/profile/avatar",
            &[],
            Some(("avatar", "me.jpg", &jpeg_with_exif(64, 64))),
        )
        .await;
    assert!(
        page.status == 403 || page.path() == "/login",
        "{} {}",
        page.status,
        page.url
    );

    let page = ada
        .post_multipart(
            "/settings/profile/avatar",
            &[],
            Some(("avatar", "me.jpg", &jpeg_with_exif(300, 200))),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.path(), "/settings/profile");
    assert!(page.text().contains("Your picture is saved."));
    assert!(page
        .html
        .contains("<img class=\"avatar avatar-large\" src=\"/files/"));

    let page = ada.post("/settings/profile/avatar/delete", &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Your picture is removed."));
    assert!(!page.html.contains("<img class=\"avatar avatar-large\""));
    t.stop().await;
}

#[tokio::test]
async fn hosts_give_an_event_a_wide_cover_shown_on_its_page_and_in_lists() {
    use crate::events::{create, event_body, events_guild};
    let t = TestApp::spawn().await;
    let olga = events_guild(&t).await;
    let event = create(&t, &olga, event_body(None)).await;
    let id = event["id"].as_str().unwrap().to_string();
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let path = format!("/api/v1/events/{id}/cover");

    // Only hosts; only pictures.
    let (status, _) = put_picture(
        &t,
        &ada,
        &path,
        "c.jpg",
        "image/jpeg",
        jpeg_with_exif(80, 40),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = put_picture(
        &t,
        &olga,
        &path,
        "cover.png",
        "image/png",
        b"<svg onload=alert(1)>".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(field_error(&body, "file").contains("not a picture"));
    assert_eq!(t.api("GET", &path, Some(&ada), None).await.0, 404);

    let (status, cover) = put_picture(
        &t,
        &olga,
        &path,
        "cover.jpg",
        "image/jpeg",
        jpeg_with_exif(800, 300),
    )
    .await;
    assert_eq!(status, 200, "{cover}");
    let url = cover["url"].as_str().unwrap().to_string();
    let (status, shown) = t.api("GET", &path, Some(&ada), None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["url"], url.as_str());
    let res = reqwest::Client::new()
        .get(t.url(&url))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let stored = res.bytes().await.unwrap();
    assert!(!contains(&stored, EXIF_MARKER));
    let back = image::load_from_memory(&stored).unwrap();
    assert_eq!((back.width(), back.height()), (1200, 600));

    // The event page and the events list show it.
    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser.get(&format!("/c/guild/events/{id}")).await;
    assert!(
        page.html
            .contains(&format!("<img class=\"event-cover\" src=\"{url}\"")),
        "{}",
        page.html
    );
    let list = browser.get("/c/guild/events").await;
    assert!(
        list.html
            .contains(&format!("<img class=\"event-thumb\" src=\"{url}\"")),
        "{}",
        list.html
    );

    // The host's cover page refuses a non-picture with a field error, then removes the cover.
    let form = browser.get(&format!("/c/guild/events/{id}/cover")).await;
    assert_eq!(form.status, 200);
    let page = browser
        .post_multipart(
            &format!("/c/guild/events/{id}/cover"),
            &[],
            Some(("cover", "cover.png", b"plain text".as_slice())),
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.html.contains("id=\"cover-error\""));
    let page = browser
        .post(&format!("/c/guild/events/{id}/cover/delete"), &[])
        .await;
    assert!(
        page.text().contains("The cover picture is removed."),
        "{}",
        page.text()
    );
    assert_eq!(t.api("GET", &path, Some(&ada), None).await.0, 404);
    let res = reqwest::Client::new()
        .get(t.url(&url))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    t.stop().await;
}

#[tokio::test]
async fn the_demo_has_drawn_avatars_and_event_covers() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let (status, directory) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/directory?limit=100",
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{directory}");
    let items = directory["items"].as_array().expect("items");
    let with = items.iter().filter(|m| m["avatar_url"].is_string()).count();
    assert!(
        with * 4 >= items.len() && with < items.len(),
        "{with} of {}",
        items.len()
    );
    let url = items
        .iter()
        .find_map(|m| m["avatar_url"].as_str())
        .unwrap()
        .to_string();
    let res = reqwest::get(t.url(&url)).await.unwrap();
    assert_eq!(res.status(), 200);
    let back = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((back.width(), back.height()), (256, 256));

    let browser = t.browser();
    browser
        .log_in(
            "maya@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let list = browser.get("/c/open-source-guild/events").await;
    assert_eq!(list.status, 200);
    assert!(
        list.html.contains("<img class=\"event-thumb\""),
        "{}",
        list.html
    );
    t.stop().await;
}
