//! Configuration: an optional TOML file, then `TOWNSQUARE_*` environment variables, then
//! command-line flags — each later source wins.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub base_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
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
        Ok(Config {
            bind,
            data_dir,
            database_url,
            base_url,
            smtp_url,
            mail_from,
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
        };
        assert_eq!(c.database_url_for_logs(), "postgres://ts:***@db:5432/ts");
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
