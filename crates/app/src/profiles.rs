//! Member profiles: a member's own details (the same in every community), the custom fields
//! each community's admins define, members' answers to them, and what a viewer may see of a
//! member: answers by the field's visibility, e-mail and optional details by the member's own
//! choice.

use crate::communities::{role_of, CommunityView};
use crate::images::{AVATAR, PROCESSED_TYPE};
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::policy::{self, Viewer};
use townsquare_domain::profiles::{
    parse_field_answer, FieldDefinitionInput, FieldKind, FieldVisibility, ProfileDetails,
    ProfileInput, MAX_FIELDS,
};
use townsquare_domain::{new_id, Visibility};
use townsquare_store::files::{self as files_store, FileRow};
use townsquare_store::profiles::{self as store, FieldRow, ProfileRow};

/// A custom profile field, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<String>,
    pub required: bool,
    pub visibility: FieldVisibility,
}

impl Field {
    fn from_row(r: FieldRow) -> Field {
        Field {
            options: serde_json::from_str(&r.options).unwrap_or_default(),
            kind: FieldKind::parse(&r.kind).unwrap_or(FieldKind::Text),
            visibility: FieldVisibility::parse(&r.visibility).unwrap_or(FieldVisibility::Admins),
            id: r.id,
            label: r.label,
            required: r.required,
        }
    }

    /// Whether its answers are words worth searching (not web addresses).
    pub fn searchable(&self) -> bool {
        self.kind != FieldKind::Url
    }
}

/// A field with one member's answer (empty when not answered).
#[derive(Debug, Clone)]
pub struct Answer {
    pub field: Field,
    pub values: Vec<String>,
}

/// Answers given while joining, checked (see `App::check_joining_answers`).
pub(crate) struct JoiningAnswers(Vec<(Field, Vec<String>)>);

/// A member's own profile, as they edit it.
#[derive(Debug, Clone, Default)]
pub struct MyProfile {
    pub details: ProfileDetails,
    pub avatar_file_id: Option<String>,
}

/// What a viewer may see of a member in one community.
#[derive(Debug, Clone)]
pub struct VisibleProfile {
    pub headline: String,
    pub avatar_file_id: Option<String>,
    /// Markdown source; `None` when the viewer is not a member (bios are for members).
    pub bio: Option<String>,
    /// Shown to members when the member chose to.
    pub email: Option<String>,
    /// Location, company, title, links, interests: shown to members unless the member hid them.
    pub details: Option<ProfileDetails>,
    /// Answered fields the viewer may see, in the community's order.
    pub answers: Vec<Answer>,
    /// For the member themselves: required fields they have not answered.
    pub missing_required: Vec<String>,
}

pub(crate) fn details_of(row: &ProfileRow) -> ProfileDetails {
    ProfileDetails {
        headline: row.headline.clone(),
        bio: row.bio.clone(),
        location: row.location.clone(),
        company: row.company.clone(),
        job_title: row.job_title.clone(),
        links: serde_json::from_str(&row.links).unwrap_or_default(),
        interests: serde_json::from_str(&row.interests).unwrap_or_default(),
        show_email: row.show_email,
        show_details: row.show_details,
    }
}

fn default_details() -> ProfileDetails {
    ProfileDetails {
        show_details: true,
        ..ProfileDetails::default()
    }
}

/// The fields of a community a viewer may see answers to.
pub fn visible_fields(fields: Vec<Field>, viewer: &Viewer) -> Vec<Field> {
    fields
        .into_iter()
        .filter(|f| f.visibility.visible_to(viewer))
        .collect()
}

impl App {
    pub async fn my_profile(&self, actor: &Actor) -> AppResult<MyProfile> {
        Ok(match store::profile(self.db(), &actor.user_id).await? {
            Some(row) => MyProfile {
                details: details_of(&row),
                avatar_file_id: row.avatar_file_id,
            },
            None => MyProfile {
                details: default_details(),
                avatar_file_id: None,
            },
        })
    }

    /// Saves the member's details and their interest rows in one transaction.
    pub async fn update_my_profile(
        &self,
        actor: &Actor,
        input: ProfileInput,
    ) -> AppResult<ProfileDetails> {
        let details = input.parse()?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::upsert_profile(
            &mut tx,
            &ProfileRow {
                user_id: actor.user_id.clone(),
                headline: details.headline.clone(),
                bio: details.bio.clone(),
                location: details.location.clone(),
                company: details.company.clone(),
                job_title: details.job_title.clone(),
                links: json!(details.links).to_string(),
                interests: json!(details.interests).to_string(),
                avatar_file_id: None,
                show_email: details.show_email,
                show_details: details.show_details,
                updated_at: now,
            },
        )
        .await?;
        store::set_interests(&mut tx, &actor.user_id, &details.interests).await?;
        activity::record(
            &mut tx,
            None,
            Some(&actor.user_id),
            "profile_updated",
            "user",
            &actor.user_id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(details)
    }

    /// Replaces the member's picture with an uploaded one: checked and re-encoded (see
    /// `images`), stored, and set on the profile in one transaction with the activity record;
    /// the previous picture's file goes. A refused picture is a field error on `field` (the
    /// form's or the request's name for the file).
    pub async fn set_my_avatar(
        &self,
        actor: &Actor,
        field: &str,
        bytes: Vec<u8>,
    ) -> AppResult<String> {
        let png = self.process_image(field, bytes, AVATAR).await?;
        self.store_avatar(&actor.user_id, png).await
    }

    /// Stores an already processed picture as the member's avatar (the demo draws its own).
    pub(crate) async fn store_avatar(&self, user_id: &str, png: Vec<u8>) -> AppResult<String> {
        let row = self
            .stage_processed(Some(user_id), None, AVATAR.filename, PROCESSED_TYPE, png)
            .await?;
        let now = self.now();
        let saved: AppResult<Option<FileRow>> = async {
            let mut tx = self.db().begin().await?;
            let previous = self.previous_avatar(&mut tx, user_id).await?;
            files_store::insert_file(&mut tx, &row).await?;
            store::set_avatar(&mut tx, user_id, Some(&row.id), now).await?;
            if let Some(old) = &previous {
                files_store::delete_file(&mut tx, &old.id).await?;
            }
            activity::record(
                &mut tx,
                None,
                Some(user_id),
                "avatar_changed",
                "user",
                user_id,
                json!({"file_id": row.id}),
                now,
            )
            .await?;
            self.commit(tx).await?;
            Ok(previous)
        }
        .await;
        self.settle_replacement(saved, &row).await
    }

    /// Removes the member's picture (their initials show instead); nothing to do without one.
    pub async fn remove_my_avatar(&self, actor: &Actor) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some(old) = self.previous_avatar(&mut tx, &actor.user_id).await? else {
            return Ok(());
        };
        store::set_avatar(&mut tx, &actor.user_id, None, now).await?;
        files_store::delete_file(&mut tx, &old.id).await?;
        activity::record(
            &mut tx,
            None,
            Some(&actor.user_id),
            "avatar_removed",
            "user",
            &actor.user_id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.forget_blob(&old.storage_key).await;
        Ok(())
    }

    /// The member's current picture's file, read inside a write transaction.
    pub(crate) async fn previous_avatar(
        &self,
        tx: &mut townsquare_store::Tx,
        user_id: &str,
    ) -> AppResult<Option<FileRow>> {
        let Some(file_id) = store::profile(&mut *tx, user_id)
            .await?
            .and_then(|p| p.avatar_file_id)
        else {
            return Ok(None);
        };
        Ok(files_store::file_by_id(&mut *tx, &file_id).await?)
    }

    /// Every custom field of a community (for its admins' settings page).
    pub async fn profile_fields_to_manage(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<Field>)> {
        let view = self.community(Some(actor), slug).await?;
        require_manage(&view)?;
        let fields = self.fields_of(&view.community.id).await?;
        Ok((view, fields))
    }

    /// The fields of a community whose answers the viewer may see.
    pub async fn profile_fields(
        &self,
        actor: Option<&Actor>,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<Field>)> {
        let view = self.community(actor, slug).await?;
        let fields = visible_fields(self.fields_of(&view.community.id).await?, &view.viewer);
        Ok((view, fields))
    }

    pub(crate) async fn fields_of(&self, community_id: &str) -> AppResult<Vec<Field>> {
        Ok(store::fields(self.db(), community_id)
            .await?
            .into_iter()
            .map(Field::from_row)
            .collect())
    }

    pub async fn create_profile_field(
        &self,
        actor: &Actor,
        slug: &str,
        input: FieldDefinitionInput,
    ) -> AppResult<Field> {
        let view = self.community(Some(actor), slug).await?;
        require_manage(&view)?;
        let def = input.parse()?;
        if self.fields_of(&view.community.id).await?.len() >= MAX_FIELDS {
            return Err(AppError::invalid(
                "label",
                format!("A community has at most {MAX_FIELDS} profile fields."),
            ));
        }
        let now = self.now();
        let row = FieldRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            label: def.label,
            kind: def.kind.as_str().into(),
            options: json!(def.options).to_string(),
            required: def.required,
            visibility: def.visibility.as_str().into(),
            sort_order: 0,
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_field(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "profile_field_created",
            "profile_field",
            &row.id,
            json!({"label": row.label, "kind": row.kind, "visibility": row.visibility}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(Field::from_row(row))
    }

    /// Changes a field's label, choices, requirement or visibility. Its kind stays what it
    /// was (answers were checked against it); answers to choices that were removed go.
    pub async fn update_profile_field(
        &self,
        actor: &Actor,
        slug: &str,
        field_id: &str,
        mut input: FieldDefinitionInput,
    ) -> AppResult<Field> {
        let view = self.community(Some(actor), slug).await?;
        require_manage(&view)?;
        let existing = self
            .fields_of(&view.community.id)
            .await?
            .into_iter()
            .find(|f| f.id == field_id)
            .ok_or(AppError::NotFound("profile field"))?;
        if !input.kind.trim().is_empty() && input.kind.trim() != existing.kind.as_str() {
            return Err(AppError::invalid(
                "kind",
                "A field's kind cannot change; add a new field instead.",
            ));
        }
        input.kind = existing.kind.as_str().into();
        let def = input.parse()?;
        let now = self.now();
        let row = FieldRow {
            id: existing.id.clone(),
            community_id: view.community.id.clone(),
            label: def.label,
            kind: def.kind.as_str().into(),
            options: json!(def.options).to_string(),
            required: def.required,
            visibility: def.visibility.as_str().into(),
            sort_order: 0,
            created_at: 0,
        };
        let mut tx = self.db().begin().await?;
        store::update_field(&mut tx, &row).await?;
        if def.kind.has_options() {
            let keys: Vec<String> = def
                .options
                .iter()
                .map(|o| townsquare_domain::profiles::value_key(o))
                .collect();
            store::drop_values_not_in(&mut tx, &row.id, &keys).await?;
        }
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "profile_field_updated",
            "profile_field",
            &row.id,
            json!({"label": row.label, "visibility": row.visibility}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(Field::from_row(row))
    }

    pub async fn delete_profile_field(
        &self,
        actor: &Actor,
        slug: &str,
        field_id: &str,
    ) -> AppResult<()> {
        let view = self.community(Some(actor), slug).await?;
        require_manage(&view)?;
        if !self
            .fields_of(&view.community.id)
            .await?
            .iter()
            .any(|f| f.id == field_id)
        {
            return Err(AppError::NotFound("profile field"));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::delete_field(&mut tx, &view.community.id, field_id).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "profile_field_deleted",
            "profile_field",
            field_id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// The member's own answers in a community: every field, whatever its visibility (they
    /// gave the answers).
    pub async fn my_answers(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<Answer>)> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to fill in its profile fields.".into(),
            ));
        }
        let answers = self
            .answers(
                &view.community.id,
                &actor.user_id,
                self.fields_of(&view.community.id).await?,
            )
            .await?;
        Ok((view, answers))
    }

    async fn answers(
        &self,
        community_id: &str,
        user_id: &str,
        fields: Vec<Field>,
    ) -> AppResult<Vec<Answer>> {
        let mut by_field: HashMap<String, Vec<String>> = HashMap::new();
        for v in store::values_of(self.db(), community_id, user_id).await? {
            by_field.entry(v.field_id).or_default().push(v.value);
        }
        Ok(fields
            .into_iter()
            .map(|field| Answer {
                values: by_field.remove(&field.id).unwrap_or_default(),
                field,
            })
            .collect())
    }

    /// Saves the member's answers to every field of the community at once: each is checked
    /// against its kind and choices, required ones must be given; one transaction.
    /// `given` maps field ids to values; a field left out counts as unanswered.
    pub async fn save_my_answers(
        &self,
        actor: &Actor,
        slug: &str,
        given: &HashMap<String, Vec<String>>,
    ) -> AppResult<()> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to fill in its profile fields.".into(),
            ));
        }
        let fields = self.fields_of(&view.community.id).await?;
        let mut errors = townsquare_domain::ValidationErrors::new();
        for id in given.keys() {
            if !fields.iter().any(|f| &f.id == id) {
                errors.add(&format!("fields.{id}"), "There is no such profile field.");
            }
        }
        let mut parsed = Vec::new();
        for f in &fields {
            let values = given.get(&f.id).map(Vec::as_slice).unwrap_or(&[]);
            match parse_field_answer(f.kind, &f.options, f.required, &f.label, values) {
                Ok(v) => parsed.push((f, v)),
                Err(message) => errors.add(&format!("fields.{}", f.id), message),
            }
        }
        errors.finish(())?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        for (f, values) in parsed {
            store::replace_values(
                &mut tx,
                &view.community.id,
                &f.id,
                &actor.user_id,
                &values,
                f.searchable(),
            )
            .await?;
        }
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "profile_answers_updated",
            "user",
            &actor.user_id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// The profile fields joining a community asks, for whoever can see the community (the
    /// question is public; who sees the answers is the field's visibility).
    pub async fn joining_fields_of(
        &self,
        actor: Option<&Actor>,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<Field>)> {
        let view = self.community(actor, slug).await?;
        let fields = self.joining_fields(&view.community.id).await?;
        Ok((view, fields))
    }

    /// The fields the join form asks: the community's required ones (optional fields are
    /// filled in later, on the member's profile page).
    pub async fn joining_fields(&self, community_id: &str) -> AppResult<Vec<Field>> {
        Ok(self
            .fields_of(community_id)
            .await?
            .into_iter()
            .filter(|f| f.required)
            .collect())
    }

    /// Checks the answers given while joining (field id -> values) inside the joining
    /// transaction: every required field must be answered, unless the person already answered
    /// it (someone who left and comes back), and any other field given is checked by its kind.
    /// Errors are named `fields.<field id>`, with the field's label in the message.
    pub(crate) async fn check_joining_answers(
        &self,
        tx: &mut townsquare_store::Tx,
        community_id: &str,
        user_id: &str,
        given: &HashMap<String, Vec<String>>,
    ) -> AppResult<JoiningAnswers> {
        let fields: Vec<Field> = store::fields(&mut *tx, community_id)
            .await?
            .into_iter()
            .map(Field::from_row)
            .collect();
        let answered: Vec<String> = store::values_of(&mut *tx, community_id, user_id)
            .await?
            .into_iter()
            .map(|v| v.field_id)
            .collect();
        let mut errors = townsquare_domain::ValidationErrors::new();
        for id in given.keys() {
            if !fields.iter().any(|f| &f.id == id) {
                errors.add(&format!("fields.{id}"), "There is no such profile field.");
            }
        }
        let mut parsed = Vec::new();
        for f in fields {
            let values = given.get(&f.id).map(Vec::as_slice).unwrap_or(&[]);
            let empty = values.iter().all(|v| v.trim().is_empty());
            if empty && (!f.required || answered.contains(&f.id)) {
                continue;
            }
            match parse_field_answer(f.kind, &f.options, f.required, &f.label, values) {
                Ok(v) => parsed.push((f, v)),
                Err(message) => errors.add(&format!("fields.{}", f.id), message),
            }
        }
        errors.finish(())?;
        Ok(JoiningAnswers(parsed))
    }

    /// Saves checked joining answers in the joining transaction.
    pub(crate) async fn save_joining_answers(
        &self,
        tx: &mut townsquare_store::Tx,
        community_id: &str,
        user_id: &str,
        answers: JoiningAnswers,
    ) -> AppResult<()> {
        for (f, values) in answers.0 {
            store::replace_values(tx, community_id, &f.id, user_id, &values, f.searchable())
                .await?;
        }
        Ok(())
    }

    /// Removes a person's answers in a community (a declined applicant's).
    pub(crate) async fn drop_answers(
        &self,
        tx: &mut townsquare_store::Tx,
        community_id: &str,
        user_id: &str,
    ) -> AppResult<()> {
        for f in store::fields(&mut *tx, community_id).await? {
            store::replace_values(tx, community_id, &f.id, user_id, &[], false).await?;
        }
        Ok(())
    }

    /// What the viewer of `view` may see of one of its members (the caller has checked that
    /// the viewer may see the member at all).
    pub async fn visible_profile(
        &self,
        actor: Option<&Actor>,
        view: &CommunityView,
        user_id: &str,
        email: &str,
    ) -> AppResult<VisibleProfile> {
        let is_self = actor.is_some_and(|a| a.user_id == user_id);
        let is_member_viewer = policy::can_see_member_list(&view.viewer);
        let row = store::profile(self.db(), user_id).await?;
        let details = row.as_ref().map(details_of).unwrap_or_else(default_details);
        let all_fields = self.fields_of(&view.community.id).await?;
        let missing_required = if is_self {
            let answers = self
                .answers(&view.community.id, user_id, all_fields.clone())
                .await?;
            answers
                .into_iter()
                .filter(|a| a.field.required && a.values.is_empty())
                .map(|a| a.field.label)
                .collect()
        } else {
            Vec::new()
        };
        // The member sees all their own answers; others what the field's visibility allows.
        let fields = if is_self {
            all_fields
        } else {
            visible_fields(all_fields, &view.viewer)
        };
        let answers = self
            .answers(&view.community.id, user_id, fields)
            .await?
            .into_iter()
            .filter(|a| !a.values.is_empty())
            .collect();
        let members_see = |shown: bool| is_self || (is_member_viewer && shown);
        Ok(VisibleProfile {
            headline: details.headline.clone(),
            avatar_file_id: row.as_ref().and_then(|r| r.avatar_file_id.clone()),
            bio: members_see(true).then(|| details.bio.clone()),
            email: members_see(details.show_email).then(|| email.to_string()),
            details: members_see(details.show_details).then_some(details),
            answers,
            missing_required,
        })
    }
}

fn require_manage(view: &CommunityView) -> AppResult<()> {
    if view.can_manage() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the community's admins can change its profile fields.".into(),
        ))
    }
}

/// Whether the viewer may open a member's profile in this community: members see each
/// other; in a public community anyone may see a member's public card.
pub(crate) fn can_see_profile(view: &CommunityView) -> bool {
    policy::can_see_member_list(&view.viewer) || view.visibility() == Visibility::Public
}

/// Whether a membership row is an active member (whose profile can be shown).
pub(crate) fn is_active(m: &townsquare_store::communities::MembershipRow) -> bool {
    role_of(m).is_some()
}
