//! A client that behaves like a browser: it keeps cookies, reads the CSRF token from the
//! last page it loaded, and submits forms as `application/x-www-form-urlencoded`.

use regex::Regex;
use std::sync::{Arc, Mutex};

pub struct Browser {
    base: String,
    client: reqwest::Client,
    csrf: Arc<Mutex<String>>,
    /// The sign-up form's signed stamp, sent back like the hidden field it is.
    form_stamp: Arc<Mutex<String>>,
}

/// A loaded page: status, final URL (after redirects) and HTML.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub url: String,
    pub html: String,
}

impl Page {
    /// The page's text with tags removed and whitespace collapsed, for "the user sees X".
    pub fn text(&self) -> String {
        let no_tags = Regex::new(r"(?s)<[^>]*>")
            .unwrap()
            .replace_all(&self.html, " ");
        let decoded = no_tags
            .replace("&#38;", "&")
            .replace("&#34;", "\"")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
        decoded.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn path(&self) -> String {
        reqwest::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_default()
    }
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        Browser {
            base: base.to_string(),
            client,
            csrf: Arc::new(Mutex::new(String::new())),
            form_stamp: Arc::new(Mutex::new(String::new())),
        }
    }

    fn remember_csrf(&self, html: &str) {
        let re = Regex::new(r#"name="csrf_token" value="([^"]+)""#).unwrap();
        if let Some(c) = re.captures(html) {
            *self.csrf.lock().unwrap() = c[1].to_string();
        }
        let stamp = Regex::new(r#"name="form_stamp" value="([^"]+)""#).unwrap();
        *self.form_stamp.lock().unwrap() = stamp
            .captures(html)
            .map(|c| c[1].to_string())
            .unwrap_or_default();
    }

    /// The signed stamp of the sign-up form last loaded, if the last page had one.
    pub fn form_stamp(&self) -> String {
        self.form_stamp.lock().unwrap().clone()
    }

    pub fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = res.status().as_u16();
        let url = res.url().to_string();
        let html = res.text().await.unwrap_or_default();
        self.remember_csrf(&html);
        Page { status, url, html }
    }

    /// Submits a form with the CSRF token of the last page loaded (load the form first, as a
    /// person would).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let stamp = self.form_stamp();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        if !stamp.is_empty() && !fields.iter().any(|(k, _)| *k == "form_stamp") {
            all.push(("form_stamp", stamp.as_str()));
        }
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Submits exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let url = res.url().to_string();
        let html = res.text().await.unwrap_or_default();
        self.remember_csrf(&html);
        Page { status, url, html }
    }

    /// Submits a `multipart/form-data` form (as a file upload form does) with the CSRF token
    /// of the last page loaded; `file` is (part name, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Page {
        const BOUNDARY: &str = "----townsquare-test-7d1f0c2a";
        let mut body: Vec<u8> = Vec::new();
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let url = res.url().to_string();
        let html = res.text().await.unwrap_or_default();
        self.remember_csrf(&html);
        Page { status, url, html }
    }

    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Page {
        self.get("/signup").await;
        let page = self
            .post(
                "/signup",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            200,
            "sign-up of {email} failed: {}",
            page.text()
        );
        assert!(
            page.text().contains(name),
            "after sign-up the header shows the name"
        );
        page
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post(
            "/login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}
