//! Rules of discussions that need no IO: tags and the reaction set.

/// The fixed reaction set: (stored name, emoji).
pub const REACTIONS: &[(&str, &str)] = &[
    ("like", "👍"),
    ("heart", "❤️"),
    ("celebrate", "🎉"),
    ("laugh", "😄"),
    ("thinking", "🤔"),
    ("eyes", "👀"),
];

pub fn reaction_emoji(name: &str) -> Option<&'static str> {
    REACTIONS.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

pub const MAX_TAGS: usize = 5;

/// Parses "Rust, async tokio" into ["rust", "async", "tokio"]: lower-case letters, digits and
/// hyphens, 2 to 24 characters, at most five, without repeats.
pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let tag = raw.trim_start_matches('#').to_lowercase();
        let valid = (2..=24).contains(&tag.chars().count())
            && tag.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !valid {
            return Err(format!(
                "\"{raw}\" is not a tag: use 2 to 24 letters, digits or hyphens."
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("Use at most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            parse_tags("Rust, #async  tokio rust").unwrap(),
            ["rust", "async", "tokio"]
        );
        assert!(parse_tags("a").is_err());
        assert!(parse_tags("<script>").is_err());
        assert!(parse_tags("a1 b2 c3 d4 e5 f6").is_err());
    }

    #[test]
    fn reactions_are_a_fixed_set() {
        assert_eq!(reaction_emoji("heart"), Some("❤️"));
        assert_eq!(reaction_emoji("poop"), None);
    }
}
