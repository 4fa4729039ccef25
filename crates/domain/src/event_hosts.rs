//! Who runs an event besides the community's admins: co-hosts (members the creator adds,
//! with the same rights over the event as its hosts) and speakers (a name, a short bio and,
//! optionally, the member they are).

use crate::values::{optional_text, parse_handle, required_text};
use crate::ValidationErrors;

pub const MAX_COHOSTS: usize = 10;
pub const MAX_SPEAKERS: usize = 20;
pub const MAX_SPEAKER_NAME: usize = 80;
pub const MAX_SPEAKER_BIO: usize = 500;

/// A speaker as a host typed them.
#[derive(Debug, Clone, Default)]
pub struct SpeakerDraft {
    pub name: String,
    /// The member's @handle, or empty for someone from outside.
    pub handle: String,
    pub bio: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaker {
    pub name: String,
    pub handle: Option<String>,
    pub bio: String,
}

/// Reads a member's @handle as a host types it ("@leo" or "leo").
pub fn parse_member_handle(input: &str) -> Result<String, String> {
    if input.trim().is_empty() {
        return Err("Give the member's @handle.".into());
    }
    parse_handle(input).map_err(|_| {
        format!(
            "\"{}\" is not an @handle such as @ada_lovelace.",
            input.trim()
        )
    })
}

pub fn validate_speaker(d: &SpeakerDraft) -> Result<Speaker, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let name = e.check("name", required_text(&d.name, "name", MAX_SPEAKER_NAME));
    let bio = e.check("bio", optional_text(&d.bio, "bio", MAX_SPEAKER_BIO));
    let handle = if d.handle.trim().is_empty() {
        Some(None)
    } else {
        e.check("handle", parse_member_handle(&d.handle).map(Some))
    };
    match (name, bio, handle) {
        (Some(name), Some(bio), Some(handle)) => e.finish(Speaker { name, handle, bio }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speaker_needs_a_name_and_a_handle_that_reads() {
        let s = validate_speaker(&SpeakerDraft {
            name: " Ada Lovelace ".into(),
            handle: "@Ada_L".into(),
            bio: "Wrote the first program.".into(),
        })
        .unwrap();
        assert_eq!(s.name, "Ada Lovelace");
        assert_eq!(s.handle.as_deref(), Some("ada_l"));
        let e = validate_speaker(&SpeakerDraft {
            name: " ".into(),
            handle: "not a handle".into(),
            bio: "x".repeat(MAX_SPEAKER_BIO + 1),
        })
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "bio", "handle"]);
    }
}
