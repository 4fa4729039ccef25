//! Validated values: parse once at the edge, then carry types that cannot be invalid.

use serde::Serialize;
use std::fmt;

/// One problem with one input field, in words a member understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// All the problems found in one submitted form or request body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Turns "no errors" into `Ok(value)`, so a validator can end with `errors.finish(value)`.
    pub fn finish<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Records the error of a fallible parse under `field` and returns the value if it parsed.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// An e-mail address, trimmed and lower-cased so that uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, String> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter your e-mail address.".into());
        }
        if s.len() > 254 {
            return Err("An e-mail address can have at most 254 characters.".into());
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(format!(
                "\"{}\" is not an e-mail address: it has no @.",
                input.trim()
            ));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c.is_control());
        if !domain_ok || !local_ok {
            return Err(format!(
                "\"{}\" is not a valid e-mail address.",
                input.trim()
            ));
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A URL path segment chosen by a person: lower-case letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Slug(String);

/// Slugs that would shadow routes of our own.
const RESERVED_SLUGS: &[&str] = &[
    "new", "api", "admin", "settings", "static", "login", "logout", "signup",
];

impl Slug {
    pub fn parse(input: &str) -> Result<Slug, String> {
        let s = input.trim();
        if s.len() < 2 || s.len() > 48 {
            return Err("A slug has 2 to 48 characters.".into());
        }
        let valid = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !valid {
            return Err(
                "Use lower-case letters, digits and single hyphens (like \"product-feedback\")."
                    .into(),
            );
        }
        if RESERVED_SLUGS.contains(&s) {
            return Err(format!("\"{s}\" is reserved; choose another slug."));
        }
        Ok(Slug(s.to_string()))
    }

    /// A slug suggestion made from a name, for forms that leave the slug empty.
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.trim().to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-').chars().take(48).collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a required human-readable text (a name, a title) for length after trimming.
pub fn required_text(input: &str, what: &str, max_chars: usize) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    optional_text(s, what, max_chars)
}

/// Checks an optional text for length; the empty string is fine.
pub fn optional_text(input: &str, what: &str, max_chars: usize) -> Result<String, String> {
    let s = input.trim();
    let n = s.chars().count();
    if n > max_chars {
        return Err(format!(
            "The {what} can have at most {max_chars} characters (this one has {n})."
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(format!("The {what} contains control characters."));
    }
    Ok(s.to_string())
}

/// Password rules: long enough to resist guessing, short enough that hashing stays cheap.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("Use at least 10 characters for your password.".into());
    }
    if password.len() > 256 {
        return Err("A password can have at most 256 bytes.".into());
    }
    Ok(())
}

/// A member's handle for @mentions: 2 to 30 lower-case letters, digits and underscores.
pub fn parse_handle(input: &str) -> Result<String, String> {
    let h = input.trim().trim_start_matches('@').to_lowercase();
    let valid = (2..=30).contains(&h.len())
        && h.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(h)
    } else {
        Err(
            "Use 2 to 30 letters, digits or underscores for your handle (like ada_lovelace)."
                .into(),
        )
    }
}

/// A handle suggestion from a display name: "Zoë O'Brien" → "zoe_obrien".
pub fn suggest_handle(display_name: &str) -> String {
    let mut out = String::new();
    for c in display_name.trim().chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_whitespace() && !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out: String = out.trim_end_matches('_').chars().take(24).collect();
    if out.len() < 2 {
        "member".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ada@Example.ORG ").unwrap().as_str(),
            "ada@example.org"
        );
        assert!(Email::parse("ada").is_err());
        assert!(Email::parse("ada@localhost").is_err());
        assert!(Email::parse("a b@example.org").is_err());
        assert!(Email::parse("ada@exa..mple.org").is_err());
    }

    #[test]
    fn slugs_are_checked_and_suggested() {
        assert!(Slug::parse("rust-berlin").is_ok());
        assert!(Slug::parse("Rust").is_err());
        assert!(Slug::parse("a").is_err());
        assert!(Slug::parse("new").is_err());
        assert!(Slug::parse("a--b").is_err());
        assert_eq!(
            Slug::suggest("Rust Berlin: Meetups & More!"),
            "rust-berlin-meetups-more"
        );
    }

    #[test]
    fn text_limits_count_characters() {
        assert!(required_text("   ", "name", 10).is_err());
        assert_eq!(required_text(" Zoë ", "name", 3).unwrap(), "Zoë");
        assert!(required_text("abcd", "name", 3).is_err());
    }
}
