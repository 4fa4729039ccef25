//! Helpers that run the real `townsquare` binary as a child process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub base_url: String,
}

impl Server {
    /// Starts `townsquare serve` on a free port and waits until it answers /healthz.
    pub async fn start(data_dir: &std::path::Path, database_url: &str) -> Server {
        Self::start_with_env(data_dir, database_url, &[]).await
    }

    /// Starts with extra environment variables (an SMTP URL, ...).
    pub async fn start_with_env(
        data_dir: &std::path::Path,
        database_url: &str,
        env: &[(&str, &str)],
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_townsquare"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--database-url", database_url])
            .env("TOWNSQUARE_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start townsquare");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Townsquare is listening on ") {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let _ = tx.send(url);
                }
            }
        });
        let base_url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        let server = Server { child, base_url };
        for _ in 0..100 {
            if let Ok(r) = reqwest::get(format!("{}/healthz", server.base_url)).await {
                if r.status() == 200 {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server at {} never became healthy", server.base_url);
    }

    /// SIGKILL: no graceful shutdown, no flushing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
