//! Sign-up, sign-in, sessions, password changes and resets, personal API tokens.

use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::secrets::{hash_password, hash_token, new_token, verify_password};
use crate::{activity, mail, rate_limit, Actor, App, AppError, AppResult};
use townsquare_domain::values::{check_password, parse_handle, required_text, suggest_handle};
use townsquare_domain::{new_id, time_zones, Email, ValidationErrors};
use townsquare_store::accounts::{self as store, ApiTokenRow, SessionRow, UserRow};

pub const SESSION_LIFETIME: i64 = 30 * MICROS_PER_DAY;
const RESET_LIFETIME: i64 = MICROS_PER_HOUR;
const MAX_NAME: usize = 80;

/// A session just made: the token goes into the cookie, the CSRF token into forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SignupInput {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

impl From<UserRow> for Actor {
    fn from(u: UserRow) -> Self {
        Actor {
            user_id: u.id,
            email: u.email,
            display_name: u.display_name,
            handle: u.handle,
            superadmin: u.is_superadmin,
            time_zone: u.time_zone,
        }
    }
}

/// Checks sign-up input; all problems at once, so a form shows them together.
fn validate_signup(input: &SignupInput) -> Result<(Email, String), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let name = errors.check(
        "display_name",
        required_text(&input.display_name, "display name", MAX_NAME),
    );
    errors.check("password", check_password(&input.password));
    match (email, name) {
        (Some(email), Some(name)) if errors.is_empty() => Ok((email, name)),
        _ => Err(errors),
    }
}

async fn hash_off_thread(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

pub(crate) async fn verify_off_thread(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// What a successful sign-up or log-in should hand out.
#[derive(Debug, Clone, Copy)]
pub enum CredentialKind<'a> {
    /// A browser session (cookie and CSRF token).
    Session,
    /// A personal API token with this name.
    ApiToken { name: &'a str },
}

/// What was handed out.
#[derive(Debug, Clone)]
pub enum Credential {
    Session(NewSession),
    ApiToken(String),
}

impl Credential {
    pub fn into_session(self) -> AppResult<NewSession> {
        match self {
            Credential::Session(s) => Ok(s),
            Credential::ApiToken(_) => Err(AppError::Internal("expected a session".into())),
        }
    }

    pub fn into_api_token(self) -> AppResult<String> {
        match self {
            Credential::ApiToken(t) => Ok(t),
            Credential::Session(_) => Err(AppError::Internal("expected an API token".into())),
        }
    }
}

impl App {
    /// Creates an account and signs it in, all in one transaction.
    pub async fn sign_up(
        &self,
        input: SignupInput,
        ip: &str,
        kind: CredentialKind<'_>,
    ) -> AppResult<(Actor, Credential)> {
        let (email, display_name) = validate_signup(&input)?;
        self.check_rate_limit(rate_limit::Action::SignUp, ip)
            .await?;
        let (actor, credential) = self
            .create_account(
                email,
                display_name,
                input.password,
                false,
                "web",
                Some(kind),
            )
            .await?;
        Ok((actor, credential.expect("a credential was asked for")))
    }

    /// Creates a user from the command line (no rate limit, may be a superadmin).
    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password: &str,
        superadmin: bool,
    ) -> AppResult<Actor> {
        let input = SignupInput {
            email: email.into(),
            display_name: display_name.into(),
            password: password.into(),
        };
        let (email, display_name) = validate_signup(&input)?;
        let (actor, _) = self
            .create_account(email, display_name, input.password, superadmin, "cli", None)
            .await?;
        Ok(actor)
    }

    async fn create_account(
        &self,
        email: Email,
        display_name: String,
        password: String,
        superadmin: bool,
        via: &str,
        issue: Option<CredentialKind<'_>>,
    ) -> AppResult<(Actor, Option<Credential>)> {
        // Checked before hashing, so a taken address answers fast; the unique index below
        // still decides races.
        if store::user_by_email(self.db(), email.as_str())
            .await?
            .is_some()
        {
            return Err(email_taken());
        }
        let hash = hash_off_thread(password).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let handle = free_handle(&mut tx, &suggest_handle(&display_name)).await?;
        let user = UserRow {
            id: new_id(),
            email: email.as_str().to_string(),
            handle,
            display_name,
            password_hash: hash,
            is_superadmin: superadmin,
            time_zone: "UTC".into(),
            created_at: now,
            updated_at: now,
        };
        store::insert_user(&mut tx, &user).await.map_err(|e| {
            if e.is_conflict_on("email") {
                email_taken()
            } else {
                e.into()
            }
        })?;
        activity::record(
            &mut tx,
            None,
            Some(&user.id),
            "signed_up",
            "user",
            &user.id,
            serde_json::json!({ "via": via }),
            now,
        )
        .await?;
        let credential = match issue {
            Some(kind) => Some(issue_credential(&mut tx, &user.id, kind, now).await?),
            None => None,
        };
        self.commit(tx).await?;
        Ok((user.into(), credential))
    }

    /// Checks an e-mail and password and hands out a session or an API token. Failures are
    /// counted per IP and per account, and the answer never says which of the two was wrong.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        ip: &str,
        kind: CredentialKind<'_>,
    ) -> AppResult<(Actor, Credential)> {
        let email_key = email.trim().to_lowercase();
        self.check_rate_limit(rate_limit::Action::LoginFromIp, ip)
            .await?;
        self.check_rate_limit(rate_limit::Action::LoginToAccount, &email_key)
            .await?;
        let user = store::user_by_email(self.db(), &email_key).await?;
        let valid = match &user {
            Some(u) => verify_off_thread(password.to_string(), u.password_hash.clone()).await,
            None => {
                // Spend the same time as a real check, so timing does not reveal accounts.
                let _ = hash_off_thread(password.to_string()).await;
                false
            }
        };
        let Some(user) = user.filter(|_| valid) else {
            return Err(AppError::invalid(
                "password",
                "That e-mail and password do not match an account.",
            ));
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        townsquare_store::rate_limits::clear(
            &mut tx,
            &rate_limit::Action::LoginToAccount.bucket(&email_key),
        )
        .await?;
        let credential = issue_credential(&mut tx, &user.id, kind, now).await?;
        self.commit(tx).await?;
        Ok((user.into(), credential))
    }

    pub async fn log_out(&self, session_token: &str) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        store::delete_session(&mut tx, &hash_token(session_token)).await?;
        self.commit(tx).await
    }

    /// The person behind a session cookie, with the session's CSRF token.
    pub async fn authenticate_session(&self, token: &str) -> AppResult<Option<(Actor, String)>> {
        let found = store::session_with_user(self.db(), &hash_token(token), self.now()).await?;
        Ok(found.map(|(session, user)| (user.into(), session.csrf_token)))
    }

    /// The person behind a bearer token.
    pub async fn authenticate_api_token(&self, token: &str) -> AppResult<Option<Actor>> {
        Ok(store::user_by_api_token(self.db(), &hash_token(token))
            .await?
            .map(Actor::from))
    }

    pub async fn update_account(
        &self,
        actor: &Actor,
        email: &str,
        display_name: &str,
        handle: &str,
        time_zone: &str,
    ) -> AppResult<Actor> {
        let mut errors = ValidationErrors::new();
        let email = errors.check("email", Email::parse(email));
        let name = errors.check(
            "display_name",
            required_text(display_name, "display name", MAX_NAME),
        );
        let handle = errors.check("handle", parse_handle(handle));
        // An empty time zone keeps the current one (forms and clients that predate it).
        let zone = if time_zone.trim().is_empty() {
            Some(actor.time_zone.clone())
        } else {
            errors.check(
                "time_zone",
                time_zones::parse(time_zone).map(|tz| tz.name().to_string()),
            )
        };
        let (Some(email), Some(name), Some(handle), Some(zone)) = (email, name, handle, zone)
        else {
            return Err(errors.into());
        };
        let mut tx = self.db().begin().await?;
        if store::handle_taken(&mut tx, &handle, &actor.user_id).await? {
            return Err(AppError::conflict(
                "handle",
                format!("@{handle} is taken; choose another handle."),
            ));
        }
        store::update_handle(&mut tx, &actor.user_id, &handle)
            .await
            .map_err(|e| {
                if e.is_conflict_on("handle") {
                    AppError::conflict(
                        "handle",
                        format!("@{handle} is taken; choose another handle."),
                    )
                } else {
                    e.into()
                }
            })?;
        store::set_time_zone(&mut tx, &actor.user_id, &zone).await?;
        let now = self.now();
        store::update_profile(&mut tx, &actor.user_id, email.as_str(), &name, now)
            .await
            .map_err(|e| {
                if e.is_conflict_on("email") {
                    email_taken()
                } else {
                    e.into()
                }
            })?;
        activity::record(
            &mut tx,
            None,
            Some(&actor.user_id),
            "account_updated",
            "user",
            &actor.user_id,
            serde_json::json!({}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(Actor {
            email: email.as_str().to_string(),
            display_name: name,
            handle,
            time_zone: zone,
            ..actor.clone()
        })
    }

    /// Changes the password after checking the current one; other sessions are signed out.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session_token: Option<&str>,
    ) -> AppResult<()> {
        let user = store::user_by_id(self.db(), &actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if !verify_off_thread(current.to_string(), user.password_hash.clone()).await {
            return Err(AppError::invalid(
                "current_password",
                "Your current password is not correct.",
            ));
        }
        check_password(new).map_err(|m| AppError::invalid("new_password", m))?;
        let hash = hash_off_thread(new.to_string()).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::update_password(&mut tx, &user.id, &hash, now).await?;
        let keep = keep_session_token.map(hash_token);
        store::delete_other_sessions(&mut tx, &user.id, keep.as_deref()).await?;
        activity::record(
            &mut tx,
            None,
            Some(&user.id),
            "password_changed",
            "user",
            &user.id,
            serde_json::json!({}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Mails a reset link if the address has an account; answers the same either way.
    pub async fn request_password_reset(&self, email: &str, ip: &str) -> AppResult<()> {
        self.check_rate_limit(rate_limit::Action::PasswordReset, ip)
            .await?;
        let email = Email::parse(email).map_err(|m| AppError::invalid("email", m))?;
        let Some(user) = store::user_by_email(self.db(), email.as_str()).await? else {
            return Ok(());
        };
        let token = new_token();
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::insert_password_reset(
            &mut tx,
            &hash_token(&token),
            &user.id,
            now,
            now + RESET_LIFETIME,
        )
        .await?;
        let link = format!("{}/password/reset/{token}", self.settings().base_url);
        let body = format!(
            "Hello {name},\n\nSomeone asked to reset the password of your Townsquare account.\n\
             To choose a new password, open this link within the next hour:\n\n{link}\n\n\
             If it was not you, ignore this message: your password stays as it is.\n",
            name = user.display_name
        );
        mail::enqueue(
            &mut tx,
            &user.email,
            "Reset your Townsquare password",
            &body,
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Sets a new password from a reset link; the link works once, and all sessions end.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> AppResult<()> {
        check_password(new_password).map_err(|m| AppError::invalid("password", m))?;
        let hash = hash_off_thread(new_password.to_string()).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some(user_id) = store::consume_password_reset(&mut tx, &hash_token(token), now).await?
        else {
            return Err(AppError::invalid(
                "token",
                "This reset link has expired or was already used. Ask for a new one.",
            ));
        };
        store::update_password(&mut tx, &user_id, &hash, now).await?;
        store::delete_other_sessions(&mut tx, &user_id, None).await?;
        activity::record(
            &mut tx,
            None,
            Some(&user_id),
            "password_reset",
            "user",
            &user_id,
            serde_json::json!({}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Makes a personal API token; the token text is returned once and stored only hashed.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
    ) -> AppResult<(ApiTokenRow, String)> {
        let mut tx = self.db().begin().await?;
        let created = insert_api_token(&mut tx, &actor.user_id, name, self.now()).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiTokenRow>> {
        Ok(store::api_tokens_of(self.db(), &actor.user_id).await?)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        if !store::delete_api_token(&mut tx, &actor.user_id, id).await? {
            return Err(AppError::NotFound("API token"));
        }
        self.commit(tx).await
    }
}

fn email_taken() -> AppError {
    AppError::conflict(
        "email",
        "An account with this e-mail address already exists. Log in, or reset your password.",
    )
}

async fn issue_credential(
    tx: &mut townsquare_store::Tx,
    user_id: &str,
    kind: CredentialKind<'_>,
    now: i64,
) -> AppResult<Credential> {
    Ok(match kind {
        CredentialKind::Session => Credential::Session(create_session(tx, user_id, now).await?),
        CredentialKind::ApiToken { name } => {
            Credential::ApiToken(insert_api_token(tx, user_id, name, now).await?.1)
        }
    })
}

async fn insert_api_token(
    tx: &mut townsquare_store::Tx,
    user_id: &str,
    name: &str,
    now: i64,
) -> AppResult<(ApiTokenRow, String)> {
    let name = required_text(name, "token name", 80).map_err(|m| AppError::invalid("name", m))?;
    let token = format!("ts_{}", new_token());
    let row = ApiTokenRow {
        id: new_id(),
        user_id: user_id.to_string(),
        name,
        token_hash: hash_token(&token),
        created_at: now,
        last_used_at: None,
    };
    store::insert_api_token(tx, &row).await?;
    Ok((row, token))
}

async fn create_session(
    tx: &mut townsquare_store::Tx,
    user_id: &str,
    now: i64,
) -> AppResult<NewSession> {
    let session = NewSession {
        token: new_token(),
        csrf_token: new_token(),
        expires_at: now + SESSION_LIFETIME,
    };
    store::insert_session(
        tx,
        &SessionRow {
            token_hash: hash_token(&session.token),
            user_id: user_id.to_string(),
            csrf_token: session.csrf_token.clone(),
            created_at: now,
            expires_at: session.expires_at,
        },
    )
    .await?;
    Ok(session)
}

/// For the web layer's anonymous CSRF cookie.
pub fn new_csrf_token() -> String {
    new_token()
}

pub use crate::secrets::constant_time_eq;

/// Creates an account without a password inside the caller's transaction (someone a
/// community admin imported): nobody can log in to it until its owner chooses a password
/// through a link from `password_link`. Records `signed_up` with `via`.
pub(crate) async fn insert_passwordless_account(
    tx: &mut townsquare_store::Tx,
    email: &str,
    display_name: &str,
    via: &str,
    now: i64,
) -> AppResult<UserRow> {
    let handle = free_handle(tx, &suggest_handle(display_name)).await?;
    let user = UserRow {
        id: new_id(),
        email: email.to_string(),
        handle,
        display_name: display_name.to_string(),
        // Not a hash any password verifies against.
        password_hash: String::new(),
        is_superadmin: false,
        time_zone: "UTC".into(),
        created_at: now,
        updated_at: now,
    };
    store::insert_user(tx, &user).await.map_err(|e| {
        if e.is_conflict_on("email") {
            email_taken()
        } else {
            e.into()
        }
    })?;
    activity::record(
        tx,
        None,
        Some(&user.id),
        "signed_up",
        "user",
        &user.id,
        serde_json::json!({ "via": via }),
        now,
    )
    .await?;
    Ok(user)
}

/// A password-reset link valid for `lifetime` microseconds, for an account's owner to choose a
/// password with (the same page as a forgotten password).
pub(crate) async fn password_link(
    tx: &mut townsquare_store::Tx,
    base_url: &str,
    user_id: &str,
    lifetime: i64,
    now: i64,
) -> AppResult<String> {
    let token = new_token();
    store::insert_password_reset(tx, &hash_token(&token), user_id, now, now + lifetime).await?;
    Ok(format!("{base_url}/password/reset/{token}"))
}

/// The first free handle among `base`, `base2`, `base3`, ...
async fn free_handle(tx: &mut townsquare_store::Tx, base: &str) -> AppResult<String> {
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base}{n}")
        };
        if !store::handle_taken(&mut *tx, &candidate, "").await? {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}_{}", &new_id()[24..]))
}
