//! Files: upload through the API, download from `/files/{id}` with safe headers, on the
//! default local store and on an S3-compatible server (moto) on loopback.

use futures::TryStreamExt;
use reqwest::multipart::{Form, Part};
use townsquare_app::communities::CommunityInput;
use townsquare_app::files::object_store::path::Path as BlobPath;
use townsquare_app::files::S3Settings;
use townsquare_app::Actor;
use townsquare_testkit::{TestApp, PASSWORD};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x02, 0x01, 0xa5, 0xf2, 0xd6, 0xa4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn user_with_token(t: &TestApp, email: &str, name: &str) -> (Actor, String) {
    let actor = t
        .app
        .create_user(email, name, PASSWORD, false)
        .await
        .expect("user");
    let (_, token) = t
        .app
        .create_api_token(&actor, "tests")
        .await
        .expect("token");
    (actor, token)
}

async fn upload(
    t: &TestApp,
    token: &str,
    community: Option<&str>,
    filename: &str,
    mime: &str,
    bytes: &[u8],
) -> (u16, String, serde_json::Value) {
    let mut part = Part::bytes(bytes.to_vec()).file_name(filename.to_string());
    if !mime.is_empty() {
        part = part.mime_str(mime).expect("mime");
    }
    let mut form = Form::new().part("file", part);
    if let Some(c) = community {
        form = form.text("community", c.to_string());
    }
    let res = reqwest::Client::new()
        .post(t.url("/api/v1/files"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let content_type = header(&res, "content-type");
    let text = res.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, content_type, json)
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn download(t: &TestApp, token: Option<&str>, id: &str) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(t.url(&format!("/files/{id}")));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("download")
}

async fn private_community(t: &TestApp, owner: &Actor, slug: &str) {
    t.app
        .create_community(
            owner,
            &CommunityInput {
                name: "Council".into(),
                slug: slug.into(),
                visibility: "private".into(),
                join_policy: "invite".into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .expect("community");
}

#[tokio::test]
async fn files_round_trip_on_the_local_store_with_safe_headers() {
    let t = TestApp::spawn().await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;

    let (status, _, body) = upload(&t, &token, None, "../../pixel.png", "text/html", PNG).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    assert_eq!(body["filename"], "pixel.png", "no path survives");
    assert_eq!(body["content_type"], "image/png", "typed by content");
    assert_eq!(body["size_bytes"], PNG.len());
    assert_eq!(body["url"], t.url(&format!("/files/{id}")));
    // The bytes sit under the server's key in the data directory.
    let on_disk = t.data_dir.join("blobs").join("files").join(&id);
    assert_eq!(std::fs::read(&on_disk).expect("blob on disk"), PNG);

    let res = download(&t, Some(&token), &id).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(
        header(&res, "content-disposition"),
        "inline; filename=\"pixel.png\"; filename*=UTF-8''pixel.png"
    );
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&res, "cache-control"),
        "private, max-age=31536000, immutable"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // Text keeps its UTF-8 name, offered as an attachment.
    let text = "Grüße aus Berlin\n".as_bytes();
    let (status, _, body) = upload(&t, &token, None, "Grüße.txt", "text/plain", text).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["content_type"], "text/plain; charset=utf-8");
    let res = download(&t, Some(&token), body["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"Gr__e.txt\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), text);

    // Uploads may be far larger than the 256 KiB other requests are held to.
    let big: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let (status, _, body) = upload(&t, &token, None, "big.bin", "", &big).await;
    assert_eq!(status, 201, "{body}");
    let res = download(&t, Some(&token), body["id"].as_str().unwrap()).await;
    assert_eq!(header(&res, "content-type"), "application/octet-stream");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &big[..]);

    // Both routes are in the OpenAPI document.
    let doc = reqwest::get(t.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(doc.contains("\"/api/v1/files\"") && doc.contains("\"/files/{id}\""));

    // Files outside a community are for signed-in people; unknown and malformed ids are 404.
    assert_eq!(download(&t, None, &id).await.status(), 404);
    let unknown = townsquare_app::domain::new_id();
    assert_eq!(download(&t, Some(&token), &unknown).await.status(), 404);
    assert_eq!(
        download(&t, Some(&token), "..%2F..%2Fetc%2Fpasswd")
            .await
            .status(),
        404
    );

    t.stop().await;
}

#[tokio::test]
async fn html_and_svg_are_served_as_octet_stream_attachments() {
    let t = TestApp::spawn().await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;
    let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    for (name, mime, bytes) in [
        ("page.html", "text/html", &html[..]),
        ("logo.svg", "image/svg+xml", &svg[..]),
        ("page.png", "image/png", &html[..]),
    ] {
        let (status, _, body) = upload(&t, &token, None, name, mime, bytes).await;
        assert_eq!(status, 201, "{name}: {body}");
        assert_eq!(body["content_type"], "application/octet-stream", "{name}");
        let res = download(&t, Some(&token), body["id"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "content-type"), "application/octet-stream");
        assert!(
            header(&res, "content-disposition").starts_with("attachment;"),
            "{name}"
        );
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes);
    }
    t.stop().await;
}

#[tokio::test]
async fn oversized_uploads_are_413_problems() {
    let t = TestApp::spawn_with(|s| s.files.max_upload_bytes = 1024).await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;
    let (status, content_type, body) = upload(
        &t,
        &token,
        None,
        "big.bin",
        "application/octet-stream",
        &[7u8; 4096],
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "https://townsquare.dev/problems/too-large");
    // Within the limit it works, and nothing of the refused upload was kept.
    let (status, _, body) = upload(&t, &token, None, "ok.bin", "", &[7u8; 1000]).await;
    assert_eq!(status, 201, "{body}");
    let blobs = t.app.blobs().unwrap().object_store();
    let stored: Vec<_> = blobs.list(None).try_collect().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        staged_files(&t),
        0,
        "no half-written upload is left in the staging directory"
    );
    t.stop().await;
}

#[tokio::test]
async fn non_members_cannot_upload_to_or_read_a_private_communitys_files() {
    let t = TestApp::spawn().await;
    let (owner, owner_token) = user_with_token(&t, "owner@example.org", "Owner").await;
    let (_, outsider_token) = user_with_token(&t, "out@example.org", "Outsider").await;
    private_community(&t, &owner, "council").await;

    let (status, _, body) = upload(
        &t,
        &owner_token,
        Some("council"),
        "minutes.txt",
        "text/plain",
        b"Minutes",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(download(&t, Some(&owner_token), &id).await.status(), 200);
    // The upload is in the community's activity log.
    let view = t.app.community(Some(&owner), "council").await.unwrap();
    let log = townsquare_app::store::activity::recent_in_community(
        t.app.db(),
        &view.community.id,
        None,
        10,
    )
    .await
    .unwrap();
    assert!(log
        .iter()
        .any(|a| a.activity.verb == "file_uploaded" && a.activity.object_id == id));

    assert_eq!(download(&t, Some(&outsider_token), &id).await.status(), 404);
    assert_eq!(download(&t, None, &id).await.status(), 404);
    let (status, content_type, _) = upload(
        &t,
        &outsider_token,
        Some("council"),
        "x.txt",
        "text/plain",
        b"x",
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(content_type, "application/problem+json");
    // The file part came before the community part, so it was streamed to the store before
    // the membership check; it is gone again.
    assert_eq!(
        stored_keys(&t).await.len(),
        1,
        "only the owner's file is stored"
    );

    // Anonymous uploads are refused before the body is read.
    let res = reqwest::Client::new()
        .post(t.url("/api/v1/files"))
        .multipart(Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    t.stop().await;
}

/// The keys in the blob store under `files/`.
async fn stored_keys(t: &TestApp) -> Vec<String> {
    let listed: Vec<_> = t
        .app
        .blobs()
        .unwrap()
        .object_store()
        .list(Some(&BlobPath::from("files")))
        .try_collect()
        .await
        .expect("list the blob store");
    listed.iter().map(|m| m.location.to_string()).collect()
}

/// How many uploads sit half-written in the local store's staging directory.
fn staged_files(t: &TestApp) -> usize {
    std::fs::read_dir(t.data_dir.join("tmp").join("uploads"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// A file larger than anything an upload keeps in memory (the 8 KiB type sniff on the local
/// store; two 5 MiB parts in flight plus one buffered on S3), with bytes that show any
/// reordering or loss.
fn large_file() -> Vec<u8> {
    let len = 3 * townsquare_app::files::S3_PART_BYTES + 12345;
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// Streams a large file through the API, downloads it, and checks every byte and the size.
async fn large_upload_round_trips(t: &TestApp, token: &str) -> String {
    let big = large_file();
    let (status, _, body) = upload(t, token, None, "recording.bin", "", &big).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["size_bytes"], big.len());
    assert_eq!(body["content_type"], "application/octet-stream");
    let id = body["id"].as_str().unwrap().to_string();
    let res = download(t, Some(token), &id).await;
    assert_eq!(res.status(), 200);
    let got = res.bytes().await.unwrap();
    assert_eq!(got.len(), big.len());
    assert!(
        got.as_ref() == &big[..],
        "the downloaded bytes equal the uploaded ones"
    );
    id
}

/// An orphan (a blob with no row) older than the grace period is removed by the daily sweep
/// job; a blob with a row stays, and so does a fresh orphan until it is old enough.
async fn orphans_are_swept(t: &TestApp, token: &str) {
    let (status, _, body) = upload(t, token, None, "kept.png", "image/png", PNG).await;
    assert_eq!(status, 201, "{body}");
    let kept = format!("files/{}", body["id"].as_str().unwrap());
    let orphan = format!("files/{}", townsquare_app::domain::new_id());
    t.app
        .blobs()
        .unwrap()
        .put(&orphan, b"half an upload".to_vec().into())
        .await
        .expect("write an orphan");
    t.app.schedule_orphan_sweep().await.unwrap();

    // Within the grace period the orphan may still be an upload about to commit.
    assert_eq!(t.app.sweep_orphan_blobs().await.unwrap(), 0);
    assert!(stored_keys(t).await.contains(&orphan));

    t.app.clock().advance(25 * 3600 * 1_000_000);
    assert!(
        t.app.run_due_jobs().await.unwrap() >= 1,
        "the sweep job ran"
    );
    let keys = stored_keys(t).await;
    assert!(!keys.contains(&orphan), "the orphan is gone: {keys:?}");
    assert!(keys.contains(&kept), "the referenced blob stays: {keys:?}");
    let res = download(t, Some(token), kept.trim_start_matches("files/")).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    // The sweep queued the next day's run, which takes the next orphan.
    let orphan = format!("files/{}", townsquare_app::domain::new_id());
    t.app
        .blobs()
        .unwrap()
        .put(&orphan, b"another".to_vec().into())
        .await
        .unwrap();
    t.app.clock().advance(25 * 3600 * 1_000_000);
    assert!(
        t.app.run_due_jobs().await.unwrap() >= 1,
        "the next sweep ran"
    );
    assert!(!stored_keys(t).await.contains(&orphan));
}

#[tokio::test]
async fn large_uploads_stream_to_disk_and_orphans_are_swept() {
    let t = TestApp::spawn().await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;
    let id = large_upload_round_trips(&t, &token).await;
    let on_disk = t.data_dir.join("blobs").join("files").join(&id);
    assert_eq!(std::fs::read(&on_disk).unwrap(), large_file());
    assert_eq!(
        staged_files(&t),
        0,
        "the staging file was renamed into place"
    );

    // A staged upload abandoned by a crash is swept with the orphans.
    std::fs::write(
        t.data_dir.join("tmp").join("uploads").join("crashed.part"),
        b"partial",
    )
    .unwrap();
    orphans_are_swept(&t, &token).await;
    assert_eq!(staged_files(&t), 0);
    t.stop().await;
}

/// A moto S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "the S3 test needs moto_server on PATH ({e}); install it with \
                 `python3 -m pip install 'moto[server]==5.2.5'`"
            )
        });
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(&moto.endpoint).send().await.is_ok() {
            return moto;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!(
        "moto_server did not answer on {} within 20 s",
        moto.endpoint
    );
}

/// A test app storing files in a fresh bucket on `moto`.
async fn spawn_on_s3(moto: &Moto, max_upload_bytes: Option<usize>) -> TestApp {
    let bucket = "townsquare-uploads";
    let res = reqwest::Client::new()
        .put(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .expect("create bucket");
    assert!(res.status().is_success(), "create bucket: {}", res.status());
    let endpoint = moto.endpoint.clone();
    TestApp::spawn_with(move |s| {
        s.files.s3 = Some(S3Settings {
            bucket: bucket.into(),
            endpoint: Some(endpoint),
            region: Some("us-east-1".into()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
        });
        if let Some(max) = max_upload_bytes {
            s.files.max_upload_bytes = max;
        }
    })
    .await
}

#[tokio::test]
async fn large_uploads_stream_to_s3_in_parts_and_orphans_are_swept() {
    let moto = start_moto().await;
    let t = spawn_on_s3(&moto, None).await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;
    large_upload_round_trips(&t, &token).await;
    orphans_are_swept(&t, &token).await;
    t.stop().await;
}

#[tokio::test]
async fn oversized_uploads_to_s3_leave_nothing_behind() {
    let moto = start_moto().await;
    // Past the limit only after a multipart upload has started.
    let t = spawn_on_s3(&moto, Some(2 * townsquare_app::files::S3_PART_BYTES)).await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;
    let (status, content_type, body) = upload(&t, &token, None, "big.bin", "", &large_file()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(stored_keys(&t).await, Vec::<String>::new());
    t.stop().await;
}

#[tokio::test]
async fn files_round_trip_through_an_s3_compatible_bucket() {
    let moto = start_moto().await;
    let bucket = "townsquare-uploads";
    let res = reqwest::Client::new()
        .put(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .expect("create bucket");
    assert!(res.status().is_success(), "create bucket: {}", res.status());

    let endpoint = moto.endpoint.clone();
    let t = TestApp::spawn_with(move |s| {
        s.files.s3 = Some(S3Settings {
            bucket: bucket.into(),
            endpoint: Some(endpoint),
            region: Some("us-east-1".into()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
        })
    })
    .await;
    let (_, token) = user_with_token(&t, "maya@example.org", "Maya").await;
    let (status, _, body) = upload(&t, &token, None, "pixel.png", "image/png", PNG).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();

    let res = download(&t, Some(&token), &id).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // The object is in the bucket under the server's key, and nothing went to the local disk.
    let blobs = t.app.blobs().unwrap();
    assert_eq!(blobs.description, format!("s3://{bucket}"));
    let listed: Vec<_> = blobs
        .object_store()
        .list(Some(&BlobPath::from("files")))
        .try_collect()
        .await
        .expect("list the bucket");
    let keys: Vec<String> = listed.iter().map(|m| m.location.to_string()).collect();
    assert_eq!(keys, [format!("files/{id}")]);
    assert_eq!(listed[0].size, PNG.len() as u64);
    assert!(!t.data_dir.join("blobs").join("files").exists());
    t.stop().await;
}
