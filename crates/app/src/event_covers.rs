//! An event's cover picture: uploaded by its hosts, checked and re-encoded like members'
//! pictures (see `images`), cropped to a wide banner (1200×600), stored as a file of the
//! event's community (so it is readable by those who can see the community), shown on the
//! event page and in event lists.

use crate::images::{ImageShape, EVENT_COVER, PROCESSED_TYPE};
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_store::event_covers as store;
use townsquare_store::files as files_store;

impl App {
    /// Sets an event's cover from an upload (its hosts); a refused picture is a field error on
    /// `field`. The previous cover's file goes.
    pub async fn set_event_cover(
        &self,
        actor: &Actor,
        event_id: &str,
        field: &str,
        bytes: Vec<u8>,
    ) -> AppResult<String> {
        let view = self.event(Some(actor), event_id).await?;
        if !view.can_host() {
            return Err(AppError::Forbidden(
                "Only the event's hosts can change its cover.".into(),
            ));
        }
        let png = self.process_image(field, bytes, EVENT_COVER).await?;
        self.store_event_cover(
            Some(&actor.user_id),
            &view.event.community_id,
            event_id,
            EVENT_COVER,
            png,
        )
        .await
    }

    /// Stores a processed cover (the demo draws its own) and records it, in one transaction.
    pub(crate) async fn store_event_cover(
        &self,
        actor_id: Option<&str>,
        community_id: &str,
        event_id: &str,
        shape: ImageShape,
        png: Vec<u8>,
    ) -> AppResult<String> {
        let row = self
            .stage_processed(
                actor_id,
                Some(community_id),
                shape.filename,
                PROCESSED_TYPE,
                png,
            )
            .await?;
        let now = self.now();
        let saved: AppResult<Option<files_store::FileRow>> = async {
            let mut tx = self.db().begin().await?;
            let previous = match store::cover(&mut tx, event_id).await? {
                Some(id) => files_store::file_by_id(&mut tx, &id).await?,
                None => None,
            };
            files_store::insert_file(&mut tx, &row).await?;
            store::set_cover(&mut tx, event_id, &row.id, now).await?;
            if let Some(old) = &previous {
                files_store::delete_file(&mut tx, &old.id).await?;
            }
            activity::record(
                &mut tx,
                Some(community_id),
                actor_id,
                "event_cover_set",
                "event",
                event_id,
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

    /// Removes an event's cover (its hosts).
    pub async fn remove_event_cover(&self, actor: &Actor, event_id: &str) -> AppResult<()> {
        let view = self.event(Some(actor), event_id).await?;
        if !view.can_host() {
            return Err(AppError::Forbidden(
                "Only the event's hosts can change its cover.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some(file_id) = store::cover(&mut tx, event_id).await? else {
            return Ok(());
        };
        let file = files_store::file_by_id(&mut tx, &file_id).await?;
        store::remove_cover(&mut tx, event_id).await?;
        files_store::delete_file(&mut tx, &file_id).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_cover_removed",
            "event",
            event_id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        if let Some(file) = file {
            self.forget_blob(&file.storage_key).await;
        }
        Ok(())
    }

    /// The cover's file id of an event the caller has already been allowed to see.
    pub async fn event_cover(&self, event_id: &str) -> AppResult<Option<String>> {
        Ok(store::cover(self.db(), event_id).await?)
    }

    /// Event id → cover file id, for a list of events the caller may see.
    pub async fn event_covers(&self, event_ids: &[String]) -> AppResult<HashMap<String, String>> {
        Ok(store::covers(self.db(), event_ids)
            .await?
            .into_iter()
            .collect())
    }
}
