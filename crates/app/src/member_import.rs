//! Importing members from a CSV file (community admins): a dry run reports every row (invalid
//! e-mail, invalid value for a field, duplicate within the file, already a member, already
//! invited, will be invited or added) and writes nothing; the real run checks the same way and
//! writes everything in one transaction, or nothing at all when any row has a problem.
//!
//! The admin chooses the mode: `invite` sends each new person a personal e-mail invitation
//! (source `import`, with the admin's campaign); `add` makes them members at once, creating a
//! password-less account for an address without one (its owner gets an e-mail with a link to
//! choose a password), with their name, interests and answers to the community's custom
//! profile fields. Answers are written for every added person; name and interests only for
//! accounts the import creates (a person's own profile is theirs to edit).

use crate::clock::MICROS_PER_DAY;
use crate::communities::{CommunityView, ACTIVE};
use crate::rate_limit::Action;
use crate::{accounts, activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use townsquare_domain::member_import::{
    parse_file, ColumnNote, FileError, ImportField, ParsedRow, ProblemKind, RowProblem,
};
use townsquare_domain::values::optional_text;
use townsquare_store::member_import as store;
use townsquare_store::profiles::{self as profiles_store, ProfileRow};
use townsquare_store::Tx;

pub use townsquare_domain::member_import::{MAX_IMPORT_BYTES, MAX_IMPORT_ROWS};

/// The source recorded on invitations and memberships made by an import.
pub const SOURCE: &str = "import";
/// How long the link to choose a password, sent to people added with a new account, works.
const PASSWORD_LINK_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Send each new person an e-mail invitation.
    Invite,
    /// Make each new person a member at once.
    Add,
}

impl ImportMode {
    pub fn parse(s: &str) -> Option<ImportMode> {
        match s.trim() {
            "invite" => Some(ImportMode::Invite),
            "add" => Some(ImportMode::Add),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Invite => "invite",
            ImportMode::Add => "add",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `invite` or `add`.
    pub mode: String,
    pub campaign: String,
    pub dry_run: bool,
}

/// What happens (or happened) to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    WillBeInvited,
    WillBeAdded,
    Invited,
    Added,
    /// Skipped: already an active member.
    AlreadyMember,
    /// Skipped (invite mode): holds an invitation that can still be used.
    AlreadyInvited,
    /// Not importable; nothing is written while any row is.
    Invalid(ProblemKind),
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::WillBeInvited => "will_be_invited",
            RowStatus::WillBeAdded => "will_be_added",
            RowStatus::Invited => "invited",
            RowStatus::Added => "added",
            RowStatus::AlreadyMember => "already_member",
            RowStatus::AlreadyInvited => "already_invited",
            RowStatus::Invalid(k) => k.as_str(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RowStatus::WillBeInvited => "Will be invited",
            RowStatus::WillBeAdded => "Will be added",
            RowStatus::Invited => "Invited",
            RowStatus::Added => "Added",
            RowStatus::AlreadyMember => "Already a member (skipped)",
            RowStatus::AlreadyInvited => "Already invited (skipped)",
            RowStatus::Invalid(ProblemKind::InvalidEmail) => "Invalid e-mail",
            RowStatus::Invalid(ProblemKind::InvalidValue) => "Invalid value",
            RowStatus::Invalid(ProblemKind::Duplicate) => "Duplicate e-mail",
            RowStatus::Invalid(ProblemKind::WrongCellCount) => "Wrong number of cells",
        }
    }

    pub fn is_invalid(self) -> bool {
        matches!(self, RowStatus::Invalid(_))
    }
}

#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// As written in the file.
    pub email: String,
    pub name: String,
    pub status: RowStatus,
    /// Every problem of an invalid row, by column.
    pub problems: Vec<RowProblem>,
    /// Add mode: no account has this address yet (one is created).
    pub new_account: bool,
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub mode: ImportMode,
    pub campaign: String,
    pub dry_run: bool,
    /// True once the people were written (a real run with no invalid row).
    pub imported: bool,
    pub columns: Vec<String>,
    /// Columns that are skipped, and why.
    pub notes: Vec<ColumnNote>,
    pub rows: Vec<ImportRow>,
}

impl ImportReport {
    fn count(&self, f: impl Fn(RowStatus) -> bool) -> usize {
        self.rows.iter().filter(|r| f(r.status)).count()
    }

    pub fn invalid(&self) -> usize {
        self.count(RowStatus::is_invalid)
    }

    pub fn to_invite(&self) -> usize {
        self.count(|s| matches!(s, RowStatus::WillBeInvited | RowStatus::Invited))
    }

    pub fn to_add(&self) -> usize {
        self.count(|s| matches!(s, RowStatus::WillBeAdded | RowStatus::Added))
    }

    pub fn skipped(&self) -> usize {
        self.count(|s| matches!(s, RowStatus::AlreadyMember | RowStatus::AlreadyInvited))
    }

    /// One sentence on the outcome, for the page and the API.
    pub fn summary(&self) -> String {
        let invalid = self.invalid();
        let people = |n: usize| {
            if n == 1 {
                "1 person".to_string()
            } else {
                format!("{n} people")
            }
        };
        if invalid > 0 {
            let rows = if invalid == 1 {
                "1 row has a problem".to_string()
            } else {
                format!("{invalid} rows have problems")
            };
            return if self.dry_run {
                format!("{rows}: correct the file and check it again. Nothing is imported while any row has a problem.")
            } else {
                format!("Nothing was imported: {rows}. Correct the file and try again.")
            };
        }
        let (n, verb) = match self.mode {
            ImportMode::Invite => (self.to_invite(), "invited"),
            ImportMode::Add => (self.to_add(), "added"),
        };
        let skipped = match self.skipped() {
            0 => String::new(),
            s => format!(" ({s} skipped: already members or invited)"),
        };
        if self.imported {
            format!("{} {verb}{skipped}.", people(n))
        } else {
            format!("Every row is fine: {} will be {verb}{skipped}.", people(n))
        }
    }
}

fn file_error(e: FileError) -> AppError {
    match e {
        FileError::TooLarge => AppError::TooLarge(e.message()),
        other => AppError::invalid("file", other.message()),
    }
}

/// The name for a new account when the file gives none: the address's local part.
fn fallback_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_string()
}

impl App {
    /// Checks a CSV file of people and, unless `dry_run`, imports it (all or nothing). Row
    /// problems come back in the report (`imported` false); file problems (size, encoding,
    /// header, mode) are errors.
    pub async fn import_members(
        &self,
        actor: &Actor,
        slug: &str,
        file: &[u8],
        options: &ImportOptions,
    ) -> AppResult<(CommunityView, ImportReport)> {
        let view = self.managed_community(actor, slug).await?;
        let mut errors = townsquare_domain::ValidationErrors::new();
        let mode = ImportMode::parse(&options.mode);
        if mode.is_none() {
            errors.add(
                "mode",
                "Choose whether to invite the people by e-mail (invite) or add them as members (add).",
            );
        }
        let campaign = match optional_text(&options.campaign, "campaign", 60) {
            Ok(c) => c,
            Err(m) => {
                errors.add("campaign", m);
                String::new()
            }
        };
        errors.finish(())?;
        let mode = mode.unwrap_or(ImportMode::Invite);
        let fields = self.fields_of(&view.community.id).await?;
        let import_fields: Vec<ImportField> = fields
            .iter()
            .map(|f| ImportField {
                id: f.id.clone(),
                label: f.label.clone(),
                kind: f.kind,
                options: f.options.clone(),
            })
            .collect();
        let parsed = parse_file(file, &import_fields).map_err(file_error)?;
        let mut report = ImportReport {
            mode,
            campaign: campaign.clone(),
            dry_run: options.dry_run,
            imported: false,
            columns: parsed.columns.iter().map(|(c, _)| c.clone()).collect(),
            notes: parsed.notes,
            rows: Vec::new(),
        };
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        self.classify(&mut tx, &c.id, mode, &parsed.rows, &mut report, now)
            .await?;
        if options.dry_run || report.invalid() > 0 {
            return Ok((view, report));
        }
        drop(tx);
        let sending = report.to_invite() as i64;
        if sending > 0 {
            self.check_rate_limit_by(Action::Invitations, &c.id, sending)
                .await?;
        }
        // Written from a fresh look in the writing transaction, so that what changed since the
        // check (someone joined meanwhile) is skipped rather than written twice.
        let mut tx = self.db().begin().await?;
        report.rows.clear();
        let known = self
            .classify(&mut tx, &c.id, mode, &parsed.rows, &mut report, now)
            .await?;
        for (row, parsed_row) in report.rows.iter_mut().zip(&parsed.rows) {
            let Some(email) = parsed_row.email.as_deref() else {
                continue;
            };
            match row.status {
                RowStatus::WillBeInvited => {
                    self.send_email_invitation(&mut tx, c, actor, email, SOURCE, &campaign, now)
                        .await?;
                    row.status = RowStatus::Invited;
                }
                RowStatus::WillBeAdded => {
                    let user_id = match known.get(email) {
                        Some(id) => id.clone(),
                        None => {
                            self.create_imported_account(
                                &mut tx, &view, actor, parsed_row, email, now,
                            )
                            .await?
                        }
                    };
                    self.add_member(
                        &mut tx,
                        c,
                        &user_id,
                        now,
                        json!({"via": SOURCE, "source": SOURCE, "campaign": campaign, "imported_by": actor.user_id}),
                    )
                    .await?;
                    store::set_import_attribution(&mut tx, &c.id, &user_id, &campaign).await?;
                    for (i, values) in &parsed_row.answers {
                        let f = &fields[*i];
                        profiles_store::replace_values(
                            &mut tx,
                            &c.id,
                            &f.id,
                            &user_id,
                            values,
                            f.searchable(),
                        )
                        .await?;
                    }
                    row.status = RowStatus::Added;
                }
                _ => {}
            }
        }
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "members_imported",
            "community",
            &c.id,
            json!({
                "mode": mode.as_str(),
                "campaign": campaign,
                "rows": report.rows.len(),
                "invited": report.to_invite(),
                "added": report.to_add(),
                "new_accounts": report.rows.iter().filter(|r| r.new_account).count(),
                "skipped": report.skipped(),
            }),
            now,
        )
        .await?;
        self.commit(tx).await?;
        report.imported = true;
        Ok((view, report))
    }

    /// Decides each row's status from what the database holds now (two batched reads); fills
    /// `report.rows` and returns the ids of the accounts found, by e-mail.
    async fn classify(
        &self,
        tx: &mut Tx,
        community_id: &str,
        mode: ImportMode,
        rows: &[ParsedRow],
        report: &mut ImportReport,
        now: i64,
    ) -> AppResult<HashMap<String, String>> {
        let emails: Vec<String> = rows
            .iter()
            .filter(|r| r.is_valid())
            .filter_map(|r| r.email.clone())
            .collect();
        let known = store::known_people(tx, community_id, &emails).await?;
        let members: HashSet<&str> = known
            .iter()
            .filter(|k| k.membership_status.as_deref() == Some(ACTIVE))
            .map(|k| k.email.as_str())
            .collect();
        let invited: HashSet<String> = match mode {
            ImportMode::Invite => store::open_invitations(tx, community_id, &emails, now)
                .await?
                .into_iter()
                .collect(),
            ImportMode::Add => HashSet::new(),
        };
        let accounts: HashMap<String, String> = known
            .iter()
            .map(|k| (k.email.clone(), k.user_id.clone()))
            .collect();
        for r in rows {
            let status = match (r.problems.first(), r.email.as_deref()) {
                (Some(p), _) => RowStatus::Invalid(p.kind),
                (None, Some(e)) if members.contains(e) => RowStatus::AlreadyMember,
                (None, Some(e)) if invited.contains(e) => RowStatus::AlreadyInvited,
                (None, _) => match mode {
                    ImportMode::Invite => RowStatus::WillBeInvited,
                    ImportMode::Add => RowStatus::WillBeAdded,
                },
            };
            report.rows.push(ImportRow {
                line: r.line,
                email: r.raw_email.clone(),
                name: r.name.clone(),
                status,
                problems: r.problems.clone(),
                new_account: status == RowStatus::WillBeAdded
                    && r.email.as_ref().is_some_and(|e| !accounts.contains_key(e)),
            });
        }
        Ok(accounts)
    }

    /// A password-less account for someone added by an import, with the name and interests
    /// from the file, and an e-mail with a link to choose a password.
    async fn create_imported_account(
        &self,
        tx: &mut Tx,
        view: &CommunityView,
        actor: &Actor,
        row: &ParsedRow,
        email: &str,
        now: i64,
    ) -> AppResult<String> {
        let name = if row.name.is_empty() {
            fallback_name(email)
        } else {
            row.name.clone()
        };
        let user = accounts::insert_passwordless_account(tx, email, &name, SOURCE, now).await?;
        if !row.interests.is_empty() {
            profiles_store::upsert_profile(
                tx,
                &ProfileRow {
                    user_id: user.id.clone(),
                    links: "[]".into(),
                    interests: json!(row.interests).to_string(),
                    show_details: true,
                    updated_at: now,
                    ..Default::default()
                },
            )
            .await?;
            profiles_store::set_interests(tx, &user.id, &row.interests).await?;
        }
        let link = accounts::password_link(
            tx,
            &self.settings().base_url,
            &user.id,
            PASSWORD_LINK_DAYS * MICROS_PER_DAY,
            now,
        )
        .await?;
        let c = &view.community;
        let body = format!(
            "Hello {name},\n\n{admin} added you to {community} on Townsquare, with an account \
             for this address.\n\nTo sign in, choose a password (the link works for \
             {PASSWORD_LINK_DAYS} days; after that, use “Forgot your password?” on the log-in \
             page):\n\n{link}\n\nThen visit {base}/c/{slug}.\n",
            admin = actor.display_name,
            community = c.name,
            base = self.settings().base_url,
            slug = c.slug,
        );
        mail::enqueue(
            tx,
            email,
            &format!("You were added to {} on Townsquare", c.name),
            &body,
            now,
        )
        .await?;
        Ok(user.id)
    }
}
