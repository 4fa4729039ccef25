//! The instance superadmin's page: health at a glance (counts, queues, communities, newest
//! accounts) and granting or revoking superadmin. Every change is in the activity log.

use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::policy::{can_administer_instance, Viewer};
use townsquare_domain::Email;
use townsquare_store::accounts::user_by_email;
use townsquare_store::admin::{self as store, CommunitySummary, InstanceCounts, UserSummary};

/// How many communities and new accounts the page lists.
pub const LISTED_COMMUNITIES: i64 = 200;
pub const LISTED_USERS: i64 = 20;

pub struct InstanceOverview {
    pub counts: InstanceCounts,
    pub communities: Vec<CommunitySummary>,
    pub newest_users: Vec<UserSummary>,
    pub superadmins: Vec<UserSummary>,
}

fn require_superadmin(actor: &Actor) -> AppResult<()> {
    let viewer = Viewer {
        signed_in: true,
        superadmin: actor.superadmin,
        role: None,
    };
    if can_administer_instance(&viewer) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the instance's superadmins can see this page.".into(),
        ))
    }
}

impl App {
    pub async fn instance_overview(&self, actor: &Actor) -> AppResult<InstanceOverview> {
        require_superadmin(actor)?;
        Ok(InstanceOverview {
            counts: store::counts(self.db()).await?,
            communities: store::communities(self.db(), LISTED_COMMUNITIES).await?,
            newest_users: store::newest_users(self.db(), LISTED_USERS).await?,
            superadmins: store::superadmins(self.db()).await?,
        })
    }

    /// Grants or revokes superadmin to the account with this e-mail. The last superadmin
    /// cannot be revoked (the instance would have nobody to run it). Returns the person's name.
    pub async fn set_superadmin(
        &self,
        actor: &Actor,
        email: &str,
        grant: bool,
    ) -> AppResult<String> {
        require_superadmin(actor)?;
        let email = Email::parse(email).map_err(|m| AppError::invalid("email", m))?;
        let mut tx = self.db().begin().await?;
        let Some(user) = user_by_email(&mut tx, email.as_str()).await? else {
            return Err(AppError::invalid(
                "email",
                format!("Nobody has an account with {}.", email.as_str()),
            ));
        };
        if user.is_superadmin == grant {
            return Ok(user.display_name); // already so: nothing to change or record
        }
        if !grant && store::count_superadmins(&mut tx).await? <= 1 {
            return Err(AppError::conflict(
                "email",
                "This is the last superadmin: grant someone else superadmin first.",
            ));
        }
        let now = self.now();
        store::set_superadmin(&mut tx, &user.id, grant, now).await?;
        activity::record(
            &mut tx,
            None,
            Some(&actor.user_id),
            if grant {
                "superadmin_granted"
            } else {
                "superadmin_revoked"
            },
            "user",
            &user.id,
            json!({"email": user.email, "display_name": user.display_name}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(user.display_name)
    }
}
