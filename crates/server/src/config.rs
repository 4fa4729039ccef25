//! Configuration: an optional TOML file, then `TOWNSQUARE_*` environment variables, then
//! command-line flags — each later source wins.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use townsquare_app::files::S3Settings;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub base_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub signup_min_fill_seconds: Option<i64>,
    pub mail_body_retention_days: Option<i64>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Uploads go to this S3-compatible bucket when set, else under `DATA_DIR/blobs`.
    pub s3: Option<S3Settings>,
    /// The sign-up form is refused when sent back sooner than this (3 by default).
    pub signup_min_fill_seconds: i64,
    /// Sent e-mails' bodies are erased this many days after sending (30 by default).
    pub mail_body_retention_days: i64,
}

/// Values given on the command line (None when not given).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn load(file: Option<&Path>, flags: &Overrides) -> anyhow::Result<Config> {
        let file_config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("parsing {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let bind = flags
            .bind
            .clone()
            .or_else(|| env("TOWNSQUARE_BIND"))
            .or(file_config.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env("TOWNSQUARE_DATA_DIR").map(PathBuf::from))
            .or(file_config.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = flags
            .database_url
            .clone()
            .or_else(|| env("TOWNSQUARE_DATABASE_URL"))
            .or(file_config.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("townsquare.db").display()));
        let base_url = env("TOWNSQUARE_BASE_URL")
            .or(file_config.base_url)
            .unwrap_or_else(|| format!("http://{bind}"));
        let smtp_url = env("TOWNSQUARE_SMTP_URL").or(file_config.smtp_url);
        let mail_from = env("TOWNSQUARE_MAIL_FROM")
            .or(file_config.mail_from)
            .unwrap_or_else(|| "Townsquare <no-reply@townsquare.local>".into());
        let s3 = s3_settings(S3Settings {
            bucket: env("TOWNSQUARE_S3_BUCKET")
                .or(file_config.s3_bucket)
                .unwrap_or_default(),
            endpoint: env("TOWNSQUARE_S3_ENDPOINT").or(file_config.s3_endpoint),
            region: env("TOWNSQUARE_S3_REGION").or(file_config.s3_region),
            access_key_id: env("TOWNSQUARE_S3_ACCESS_KEY_ID").or(file_config.s3_access_key_id),
            secret_access_key: env("TOWNSQUARE_S3_SECRET_ACCESS_KEY")
                .or(file_config.s3_secret_access_key),
        })?;
        let signup_min_fill_seconds = match env("TOWNSQUARE_SIGNUP_MIN_FILL_SECONDS") {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=600).contains(n))
                .with_context(|| {
                    format!(
                        "TOWNSQUARE_SIGNUP_MIN_FILL_SECONDS must be 0 to 600 seconds, not {v:?}"
                    )
                })?,
            None => file_config.signup_min_fill_seconds.unwrap_or(3),
        };
        let mail_body_retention_days = match env("TOWNSQUARE_MAIL_BODY_RETENTION_DAYS") {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=3650).contains(n))
                .with_context(|| {
                    format!("TOWNSQUARE_MAIL_BODY_RETENTION_DAYS must be 0 to 3650 days, not {v:?}")
                })?,
            None => file_config.mail_body_retention_days.unwrap_or(30),
        };
        Ok(Config {
            bind,
            data_dir,
            database_url,
            base_url,
            smtp_url,
            mail_from,
            s3,
            signup_min_fill_seconds,
            mail_body_retention_days,
        })
    }

    /// The database URL with any password hidden, for logs.
    pub fn database_url_for_logs(&self) -> String {
        match url_password_span(&self.database_url) {
            Some((start, end)) => format!(
                "{}***{}",
                &self.database_url[..start],
                &self.database_url[end..]
            ),
            None => self.database_url.clone(),
        }
    }
}

/// S3 settings only count with a bucket; the other S3 keys without one are a mistake worth
/// stopping for (files would silently go to the local disk).
fn s3_settings(s3: S3Settings) -> anyhow::Result<Option<S3Settings>> {
    let bucket = s3.bucket.trim().to_string();
    if bucket.is_empty() {
        let partial = s3.endpoint.is_some()
            || s3.region.is_some()
            || s3.access_key_id.is_some()
            || s3.secret_access_key.is_some();
        anyhow::ensure!(
            !partial,
            "S3 settings are given without a bucket: set TOWNSQUARE_S3_BUCKET (or s3_bucket)"
        );
        return Ok(None);
    }
    Ok(Some(S3Settings { bucket, ..s3 }))
}

fn url_password_span(url: &str) -> Option<(usize, usize)> {
    let scheme_end = url.find("://")? + 3;
    let at = url[scheme_end..].find('@')? + scheme_end;
    let colon = url[scheme_end..at].find(':')? + scheme_end;
    Some((colon + 1, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file() {
        let dir = std::env::temp_dir().join(format!("ts-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("townsquare.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\ndata_dir = \"/srv/ts\"\n").unwrap();
        let from_file = Config::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(from_file.data_dir, PathBuf::from("/srv/ts"));
        assert_eq!(from_file.database_url, "sqlite:///srv/ts/townsquare.db");
        let flags = Overrides {
            bind: Some("127.0.0.1:1234".into()),
            ..Default::default()
        };
        let with_flags = Config::load(Some(&path), &flags).unwrap();
        assert_eq!(with_flags.bind, "127.0.0.1:1234");
    }

    #[test]
    fn passwords_are_hidden_in_logs() {
        let c = Config {
            bind: String::new(),
            data_dir: PathBuf::new(),
            database_url: "postgres://ts:s3cret@db:5432/ts".into(),
            base_url: String::new(),
            smtp_url: None,
            mail_from: String::new(),
            s3: None,
            signup_min_fill_seconds: 3,
            mail_body_retention_days: 30,
        };
        assert_eq!(c.database_url_for_logs(), "postgres://ts:***@db:5432/ts");
    }

    #[test]
    fn s3_settings_come_from_the_file_and_need_a_bucket() {
        let dir = std::env::temp_dir().join(format!("ts-config-s3-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s3.toml");
        std::fs::write(
            &path,
            "s3_bucket = \"uploads\"\ns3_endpoint = \"http://127.0.0.1:9000\"\ns3_secret_access_key = \"x\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), &Overrides::default()).unwrap();
        let s3 = c.s3.expect("s3 settings");
        assert_eq!(s3.bucket, "uploads");
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(
            !format!("{s3:?}").contains("\"x\""),
            "secrets stay out of Debug"
        );
        std::fs::write(&path, "s3_region = \"eu-west-1\"\n").unwrap();
        assert!(Config::load(Some(&path), &Overrides::default()).is_err());
    }

    #[test]
    fn unknown_file_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("ts-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "bnid = \"x\"\n").unwrap();
        assert!(Config::load(Some(&path), &Overrides::default()).is_err());
    }
}
