//! The demo's pictures, drawn at seed time with the `image` crate: simple coloured shapes as
//! avatars for about half of the members (the rest show their initials), and wide banners as
//! covers for most events. Each is stored as a real file, as an upload would be.

use crate::images::{encode_png, ImageShape, AVATAR, EVENT_COVER, PROCESSED_TYPE};
use crate::{App, AppError, AppResult};
use image::{DynamicImage, Rgba, RgbaImage};
use townsquare_store::accounts::UserRow;

/// Background and foreground colour pairs.
const PALETTE: &[([u8; 3], [u8; 3])] = &[
    ([0x2b, 0x6c, 0xb0], [0xf6, 0xc3, 0x44]),
    ([0x1f, 0x8a, 0x70], [0xf4, 0xf1, 0xde]),
    ([0x8e, 0x44, 0xad], [0xf3, 0x9c, 0x12]),
    ([0xc0, 0x39, 0x2b], [0xfd, 0xeb, 0xd0]),
    ([0x34, 0x49, 0x5e], [0x1a, 0xbc, 0x9c]),
    ([0xd3, 0x54, 0x00], [0xff, 0xf3, 0xe0]),
    ([0x16, 0xa0, 0x85], [0x2c, 0x3e, 0x50]),
    ([0x7f, 0x8c, 0x8d], [0xe7, 0x4c, 0x3c]),
];

/// Shape `variant` (circle, ring, diagonal band, or stacked blocks) in colours `colours`.
fn draw(width: u32, height: u32, colours: usize, variant: usize) -> DynamicImage {
    let (bg, fg) = PALETTE[colours % PALETTE.len()];
    let (bg, fg) = (
        Rgba([bg[0], bg[1], bg[2], 255]),
        Rgba([fg[0], fg[1], fg[2], 255]),
    );
    let (w, h) = (width as f32, height as f32);
    let (cx, cy, r) = (w * 0.5, h * 0.5, h.min(w) * 0.32);
    let img = RgbaImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let d = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt();
        let on = match variant % 4 {
            0 => d < r,
            1 => d < r && d > r * 0.6,
            2 => ((fx / w) - (fy / h)).abs() < 0.18,
            _ => (x * 4 / width + y * 4 / height).is_multiple_of(2),
        };
        if on {
            fg
        } else {
            bg
        }
    });
    DynamicImage::ImageRgba8(img)
}

fn png(shape: ImageShape, colours: usize, variant: usize) -> AppResult<Vec<u8>> {
    encode_png(&draw(shape.width, shape.height, colours, variant))
        .map_err(|e| AppError::Internal(format!("drawing a demo picture: {e}")))
}

impl App {
    /// Avatars for about half of the people, covers for two events in three.
    pub(super) async fn seed_demo_pictures(&self, users: &[UserRow]) -> AppResult<()> {
        let now = self.now();
        let mut avatars = Vec::new();
        for (i, u) in users.iter().enumerate() {
            // The first demo login keeps its initials, to show both.
            if i == 0 || i % 2 == 1 {
                continue;
            }
            let bytes = png(AVATAR, i / 3, i / 7)?;
            let row = self
                .stage_processed(Some(&u.id), None, AVATAR.filename, PROCESSED_TYPE, bytes)
                .await?;
            avatars.push((u.id.clone(), row));
        }
        let events = townsquare_store::event_covers::all_events(self.db()).await?;
        let mut covers = Vec::new();
        for (i, (event_id, community_id, created_by)) in events.into_iter().enumerate() {
            if i % 3 == 2 {
                continue;
            }
            let bytes = png(EVENT_COVER, i + 3, i + 2)?;
            let row = self
                .stage_processed(
                    Some(&created_by),
                    Some(&community_id),
                    EVENT_COVER.filename,
                    PROCESSED_TYPE,
                    bytes,
                )
                .await?;
            covers.push((event_id, row));
        }
        let mut tx = self.db().begin().await?;
        for (user_id, row) in &avatars {
            townsquare_store::files::insert_file(&mut tx, row).await?;
            townsquare_store::profiles::set_avatar(&mut tx, user_id, Some(&row.id), now).await?;
        }
        for (event_id, row) in &covers {
            townsquare_store::files::insert_file(&mut tx, row).await?;
            townsquare_store::event_covers::set_cover(&mut tx, event_id, &row.id, now).await?;
        }
        self.commit(tx).await
    }
}
