//! Rate limits on sign-in, sign-up and resets, counted in the database so that they hold
//! across instances.

use crate::clock::{MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    LoginFromIp,
    LoginToAccount,
    SignUp,
    PasswordReset,
    /// Invitation e-mails sent for one community (counted per address).
    Invitations,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::LoginFromIp => "login-ip",
            Action::LoginToAccount => "login-account",
            Action::SignUp => "signup-ip",
            Action::PasswordReset => "reset-ip",
            Action::Invitations => "invitations-community",
        }
    }

    pub fn bucket(self, key: &str) -> String {
        format!("{}:{key}", self.name())
    }

    fn message(self, minutes: u64) -> String {
        let wait = if minutes <= 1 {
            "a minute".to_string()
        } else {
            format!("{minutes} minutes")
        };
        match self {
            Action::LoginFromIp | Action::LoginToAccount => {
                format!("Too many sign-in attempts. Try again in {wait}, or reset your password.")
            }
            Action::SignUp => format!("Too many sign-ups from your network. Try again in {wait}."),
            Action::PasswordReset => format!("Too many reset requests. Try again in {wait}."),
            Action::Invitations => format!(
                "This community has sent as many invitations as it may for now. Try again in {wait}."
            ),
        }
    }
}

/// How many hits each action allows per window.
#[derive(Debug, Clone)]
pub struct Limits {
    pub login_per_ip: i64,
    pub login_per_account: i64,
    pub signup_per_ip: i64,
    pub reset_per_ip: i64,
    /// Invitation e-mails per community per window.
    pub invitations_per_community: i64,
    pub window: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_per_ip: 30,
            login_per_account: 10,
            signup_per_ip: 20,
            reset_per_ip: 10,
            invitations_per_community: 300,
            window: 15 * MICROS_PER_MINUTE,
        }
    }
}

impl Limits {
    fn allowed(&self, action: Action) -> i64 {
        match action {
            Action::LoginFromIp => self.login_per_ip,
            Action::LoginToAccount => self.login_per_account,
            Action::SignUp => self.signup_per_ip,
            Action::PasswordReset => self.reset_per_ip,
            Action::Invitations => self.invitations_per_community,
        }
    }
}

impl App {
    /// Counts one attempt and refuses it once the window's allowance is used up.
    pub async fn check_rate_limit(&self, action: Action, key: &str) -> AppResult<()> {
        self.check_rate_limit_by(action, key, 1).await
    }

    /// Counts `n` hits at once (a bulk action) and refuses them all if they would pass the
    /// window's allowance.
    pub async fn check_rate_limit_by(&self, action: Action, key: &str, n: i64) -> AppResult<()> {
        let limits = &self.settings().rate_limits;
        let now = self.now();
        let window_start = now - now.rem_euclid(limits.window);
        let mut tx = self.db().begin().await?;
        let hits =
            townsquare_store::rate_limits::hit_by(&mut tx, &action.bucket(key), window_start, n)
                .await?;
        self.commit(tx).await?;
        if hits > limits.allowed(action) {
            let retry_after =
                ((window_start + limits.window - now) / MICROS_PER_SECOND).max(1) as u64;
            return Err(AppError::RateLimited {
                message: action.message(retry_after.div_ceil(60)),
                retry_after_secs: retry_after,
            });
        }
        Ok(())
    }

    /// Forgets windows that have ended (run by the maintenance job).
    pub async fn prune_rate_limits(&self) -> AppResult<u64> {
        let mut tx = self.db().begin().await?;
        let n = townsquare_store::rate_limits::delete_older_than(
            &mut tx,
            self.now() - 2 * MICROS_PER_HOUR,
        )
        .await?;
        self.commit(tx).await?;
        Ok(n)
    }
}
