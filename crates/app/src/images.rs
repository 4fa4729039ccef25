//! Pictures people upload (avatars, event covers): the format is decided from the bytes, never
//! from the file name or the declared type; only PNG, JPEG, WebP and GIF (its first frame) are
//! taken; the size in bytes and the dimensions are checked before anything is decoded (a small
//! file can claim a huge picture); the picture is decoded, cropped to the shape it is shown in,
//! scaled, and encoded again as PNG — which leaves every piece of metadata (EXIF with its GPS
//! position, comments, ICC profiles) behind.
//!
//! Pure computation, no I/O: callers run it on a blocking thread (`App::process_image`).

use crate::{App, AppError, AppResult};
use image::imageops::FilterType;
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The most bytes an uploaded picture may have: 5 MiB.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// The widest and tallest picture accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// The most memory a decoder may allocate: a 4096×4096 picture at 16 bits per RGBA channel,
/// with some room.
const MAX_DECODE_ALLOC: u64 = 160 * 1024 * 1024;

/// The type every processed picture is stored and served as.
pub const PROCESSED_TYPE: &str = "image/png";

/// What a processed picture becomes: cropped to this aspect ratio (from the centre) and
/// scaled to exactly this size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageShape {
    pub width: u32,
    pub height: u32,
    /// The stored file's name.
    pub filename: &'static str,
}

/// A member's picture: a square.
pub const AVATAR: ImageShape = ImageShape {
    width: 256,
    height: 256,
    filename: "avatar.png",
};

/// An event's cover: a wide banner.
pub const EVENT_COVER: ImageShape = ImageShape {
    width: 1200,
    height: 600,
    filename: "cover.png",
};

/// Why a picture was refused; `message` says it in words for a field error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRejection {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large")]
    TooLarge,
    #[error("not a picture")]
    NotAnImage,
    #[error("unsupported format {0}")]
    Unsupported(String),
    #[error("too many pixels: {width}×{height}")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the picture could not be read")]
    Unreadable,
}

impl ImageRejection {
    pub fn message(&self) -> String {
        match self {
            ImageRejection::Empty => "Choose a picture to upload.".into(),
            ImageRejection::TooLarge => format!(
                "Pictures can be at most {} MB.",
                MAX_IMAGE_BYTES / (1024 * 1024)
            ),
            ImageRejection::NotAnImage => {
                "This file is not a picture: upload a PNG, JPEG, WebP or GIF image.".into()
            }
            ImageRejection::Unsupported(format) => format!(
                "{format} pictures are not supported: upload a PNG, JPEG, WebP or GIF image."
            ),
            ImageRejection::TooManyPixels { width, height } => format!(
                "This picture is {width}×{height} pixels; pictures can be at most \
                 {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE}."
            ),
            ImageRejection::Unreadable => {
                "This picture is damaged or incomplete and could not be read.".into()
            }
        }
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// The format of a picture we accept, from its first bytes.
pub fn accepted_format(bytes: &[u8]) -> Result<ImageFormat, ImageRejection> {
    let format = image::guess_format(bytes).map_err(|_| ImageRejection::NotAnImage)?;
    match format {
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif => Ok(format),
        other => Err(ImageRejection::Unsupported(
            other
                .extensions_str()
                .first()
                .map(|e| e.to_ascii_uppercase())
                .unwrap_or_else(|| format!("{other:?}")),
        )),
    }
}

/// Checks, decodes, crops and scales a picture to `shape`, and returns it as PNG bytes.
pub fn process(bytes: &[u8], shape: ImageShape) -> Result<Vec<u8>, ImageRejection> {
    if bytes.is_empty() {
        return Err(ImageRejection::Empty);
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageRejection::TooLarge);
    }
    let format = accepted_format(bytes)?;
    // The dimensions from the header alone, before a pixel is decoded.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    let mut header_limits = Limits::default();
    header_limits.max_alloc = Some(MAX_DECODE_ALLOC);
    header.limits(header_limits);
    let (width, height) = header
        .into_dimensions()
        .map_err(|_| ImageRejection::Unreadable)?;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(ImageRejection::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(ImageRejection::Unreadable);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageRejection::TooManyPixels { width, height },
        _ => ImageRejection::Unreadable,
    })?;
    let fitted = decoded.resize_to_fill(shape.width, shape.height, FilterType::Lanczos3);
    encode_png(&fitted)
}

/// A picture as PNG bytes (the demo draws its pictures and stores them this way).
pub fn encode_png(picture: &image::DynamicImage) -> Result<Vec<u8>, ImageRejection> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(picture.to_rgba8())
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| ImageRejection::Unreadable)?;
    Ok(out.into_inner())
}

impl App {
    /// `process` on a blocking thread; a refusal is a field error on `field`.
    pub async fn process_image(
        &self,
        field: &str,
        bytes: Vec<u8>,
        shape: ImageShape,
    ) -> AppResult<Vec<u8>> {
        let done = tokio::task::spawn_blocking(move || process(&bytes, shape))
            .await
            .map_err(|e| AppError::Internal(format!("processing a picture: {e}")))?;
        done.map_err(|r| AppError::invalid(field, r.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Rgb, RgbImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn pictures_are_cropped_and_scaled_to_the_shape() {
        let png = process(&jpeg(300, 120), AVATAR).unwrap();
        assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
        let back = image::load_from_memory(&png).unwrap();
        assert_eq!((back.width(), back.height()), (256, 256));
        let cover = process(&jpeg(100, 100), EVENT_COVER).unwrap();
        let back = image::load_from_memory(&cover).unwrap();
        assert_eq!((back.width(), back.height()), (1200, 600));
    }

    #[test]
    fn what_is_not_a_picture_is_refused() {
        assert_eq!(process(b"hello", AVATAR), Err(ImageRejection::NotAnImage));
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(process(svg, AVATAR), Err(ImageRejection::NotAnImage));
        assert_eq!(process(b"", AVATAR), Err(ImageRejection::Empty));
        let bmp = b"BM\x3e\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0";
        assert!(matches!(
            process(bmp, AVATAR),
            Err(ImageRejection::Unsupported(_))
        ));
        // A PNG signature with nothing behind it.
        assert_eq!(
            process(b"\x89PNG\r\n\x1a\nnothing", AVATAR),
            Err(ImageRejection::Unreadable)
        );
    }

    #[test]
    fn huge_dimensions_are_refused_before_decoding() {
        assert_eq!(
            process(&jpeg(4100, 8), AVATAR),
            Err(ImageRejection::TooManyPixels {
                width: 4100,
                height: 8
            })
        );
    }
}
