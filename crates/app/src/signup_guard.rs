//! Sign-up spam protection for the HTML form: a honeypot field that people never see (and
//! bots fill in), and a minimum time between showing the form and submitting it. The time
//! the form was shown travels in the form, signed with an instance-wide key (HMAC-SHA256),
//! so a bot cannot claim it loaded the form earlier than it did. The API takes neither: its
//! callers are programs with their own credentials, still limited per IP.

use crate::clock::{MICROS_PER_DAY, MICROS_PER_SECOND};
use crate::{App, AppError, AppResult};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const KEY_NAME: &str = "signup_form_key";
/// A form older than this is stale; reloading the page gives a fresh one.
const MAX_FORM_AGE: i64 = MICROS_PER_DAY;

/// What the form carried besides the member's details.
#[derive(Debug, Clone, Default)]
pub struct FormProof {
    /// The signed time the form was shown.
    pub stamp: String,
    /// The hidden field; anything in it means a bot filled it.
    pub honeypot: String,
}

impl App {
    async fn signup_key(&self) -> AppResult<&str> {
        let key = self
            .inner
            .signup_key
            .get_or_try_init(|| async {
                townsquare_store::instance_secrets::get_or_create(
                    self.db(),
                    KEY_NAME,
                    &crate::secrets::new_token(),
                    self.now(),
                )
                .await
            })
            .await?;
        Ok(key.as_str())
    }

    fn sign(key: &str, issued_at: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
        mac.update(format!("signup-form:{issued_at}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The stamp for a sign-up form shown now.
    pub async fn signup_form_stamp(&self) -> AppResult<String> {
        let now = self.now();
        let key = self.signup_key().await?;
        Ok(format!("{now}.{}", Self::sign(key, now)))
    }

    /// Refuses a submission that a bot made: the honeypot filled, a stamp missing or forged,
    /// or the form sent back sooner than `signup_min_fill_seconds` after it was shown.
    pub async fn check_signup_form(&self, proof: &FormProof) -> AppResult<()> {
        let refuse = |message: &str| Err(AppError::invalid("form", message));
        if !proof.honeypot.trim().is_empty() {
            return refuse(
                "We could not create the account. If you are a person, leave the field marked \
                 \"leave this empty\" empty and try again.",
            );
        }
        let Some((issued, signature)) = proof.stamp.split_once('.') else {
            return refuse("This form is incomplete. Reload the page and try again.");
        };
        let Ok(issued_at) = issued.parse::<i64>() else {
            return refuse("This form is incomplete. Reload the page and try again.");
        };
        let key = self.signup_key().await?;
        if !crate::secrets::constant_time_eq(&Self::sign(key, issued_at), signature) {
            return refuse("This form is incomplete. Reload the page and try again.");
        }
        let age = self.now() - issued_at;
        if age > MAX_FORM_AGE {
            return refuse("This form has expired. Check your details and send it again.");
        }
        let minimum = self.settings().signup_min_fill_seconds * MICROS_PER_SECOND;
        if age < minimum {
            return refuse(
                "That was faster than a person types. Check your details and send the form again.",
            );
        }
        Ok(())
    }
}
