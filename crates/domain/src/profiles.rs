//! Member profiles: the person's own details (headline, bio, links, interests, ...), the custom
//! profile fields a community's admins define, the values members give them, and who may see
//! what. Pure rules; the store keeps the values and the app applies the rules.

use crate::policy::Viewer;
use crate::roles::CommunityRole;
use crate::values::ValidationErrors;

pub const MAX_HEADLINE: usize = 120;
pub const MAX_BIO: usize = 5_000;
pub const MAX_SHORT_TEXT: usize = 100;
pub const MAX_LINKS: usize = 5;
pub const MAX_URL: usize = 500;
pub const MAX_INTERESTS: usize = 10;
pub const MAX_INTEREST: usize = 30;
pub const MAX_FIELD_LABEL: usize = 60;
pub const MAX_FIELD_OPTIONS: usize = 30;
pub const MAX_FIELD_OPTION: usize = 60;
pub const MAX_FIELD_TEXT: usize = 200;
/// Fields per community: enough for a useful directory, few enough to fill in.
pub const MAX_FIELDS: usize = 20;

/// What a member says about themselves, the same in every community they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileDetails {
    pub headline: String,
    /// Markdown; rendered through `markdown::render`.
    pub bio: String,
    pub location: String,
    pub company: String,
    pub job_title: String,
    pub links: Vec<String>,
    /// Normalised: lower case, single spaces, unique, in the order given.
    pub interests: Vec<String>,
    /// Whether members of the communities they share see their e-mail (off unless chosen).
    pub show_email: bool,
    /// Whether members see location, company and title, links and interests.
    pub show_details: bool,
}

/// The raw form or JSON input of a profile.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub headline: String,
    pub bio: String,
    pub location: String,
    pub company: String,
    pub job_title: String,
    pub links: Vec<String>,
    pub interests: Vec<String>,
    pub show_email: bool,
    pub show_details: bool,
}

impl ProfileInput {
    /// Parses every part, reporting each bad one under its own field name.
    pub fn parse(self) -> Result<ProfileDetails, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let headline = errors.check(
            "headline",
            short_text(&self.headline, MAX_HEADLINE, "headline"),
        );
        let bio = errors.check("bio", long_text(&self.bio, MAX_BIO, "bio"));
        let location = errors.check(
            "location",
            short_text(&self.location, MAX_SHORT_TEXT, "location"),
        );
        let company = errors.check(
            "company",
            short_text(&self.company, MAX_SHORT_TEXT, "company name"),
        );
        let job_title = errors.check(
            "job_title",
            short_text(&self.job_title, MAX_SHORT_TEXT, "job title"),
        );
        let links = errors.check("links", parse_links(&self.links));
        let interests = errors.check("interests", parse_interests(&self.interests));
        errors.finish(())?;
        Ok(ProfileDetails {
            headline: headline.unwrap_or_default(),
            bio: bio.unwrap_or_default(),
            location: location.unwrap_or_default(),
            company: company.unwrap_or_default(),
            job_title: job_title.unwrap_or_default(),
            links: links.unwrap_or_default(),
            interests: interests.unwrap_or_default(),
            show_email: self.show_email,
            show_details: self.show_details,
        })
    }
}

/// One line of text: trimmed, inner whitespace collapsed, no longer than `max` characters.
fn short_text(input: &str, max: usize, what: &str) -> Result<String, String> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > max {
        return Err(format!("Keep the {what} to {max} characters."));
    }
    Ok(s)
}

fn long_text(input: &str, max: usize, what: &str) -> Result<String, String> {
    let s = input.trim().replace("\r\n", "\n");
    if s.chars().count() > max {
        return Err(format!("Keep the {what} to {max} characters."));
    }
    Ok(s)
}

/// A web address people can follow: http or https, with a host, no spaces.
pub fn parse_web_url(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.chars().count() > MAX_URL {
        return Err(format!("Keep web addresses to {MAX_URL} characters."));
    }
    let parsed = url::Url::parse(s)
        .map_err(|_| format!("“{s}” is not a web address; start it with https://."))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "“{s}” is not a web address; only http:// and https:// links are allowed."
        ));
    }
    Ok(parsed.to_string())
}

fn parse_links(input: &[String]) -> Result<Vec<String>, String> {
    let given: Vec<&str> = input
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if given.len() > MAX_LINKS {
        return Err(format!("Give at most {MAX_LINKS} links."));
    }
    let mut links = Vec::new();
    for link in given {
        let url = parse_web_url(link)?;
        if !links.contains(&url) {
            links.push(url);
        }
    }
    Ok(links)
}

/// An interest tag in its one spelling: lower case, words separated by single spaces.
pub fn normalize_interest(input: &str) -> String {
    input
        .trim()
        .trim_start_matches('#')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_interests(input: &[String]) -> Result<Vec<String>, String> {
    let mut interests: Vec<String> = Vec::new();
    for raw in input.iter().flat_map(|s| s.split(',')) {
        let tag = normalize_interest(raw);
        if tag.is_empty() || interests.contains(&tag) {
            continue;
        }
        if tag.chars().count() > MAX_INTEREST {
            return Err(format!(
                "Keep each interest to {MAX_INTEREST} characters (“{tag}” is longer)."
            ));
        }
        if !tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '+' | '.' | '#'))
        {
            return Err(format!(
                "Interests are words: letters, digits, spaces, - + . # (not “{tag}”)."
            ));
        }
        interests.push(tag);
    }
    if interests.len() > MAX_INTERESTS {
        return Err(format!("Choose at most {MAX_INTERESTS} interests."));
    }
    Ok(interests)
}

/// What kind of answer a custom field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    SingleSelect,
    MultiSelect,
    Url,
}

impl FieldKind {
    pub const ALL: [FieldKind; 4] = [
        FieldKind::Text,
        FieldKind::SingleSelect,
        FieldKind::MultiSelect,
        FieldKind::Url,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::SingleSelect => "single_select",
            FieldKind::MultiSelect => "multi_select",
            FieldKind::Url => "url",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "Text",
            FieldKind::SingleSelect => "One choice",
            FieldKind::MultiSelect => "Several choices",
            FieldKind::Url => "Web address",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::SingleSelect | FieldKind::MultiSelect)
    }
}

/// Who sees a custom field's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldVisibility {
    /// Anyone who can see the member's profile (in a public community, also non-members).
    Everyone,
    /// Members of the community.
    Members,
    /// The community's admins (and owner), and the member who gave the answer.
    Admins,
}

impl FieldVisibility {
    pub const ALL: [FieldVisibility; 3] = [
        FieldVisibility::Everyone,
        FieldVisibility::Members,
        FieldVisibility::Admins,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldVisibility::Everyone => "everyone",
            FieldVisibility::Members => "members",
            FieldVisibility::Admins => "admins",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldVisibility::Everyone => "Everyone who can see the profile",
            FieldVisibility::Members => "Members",
            FieldVisibility::Admins => "Admins only",
        }
    }

    pub fn parse(s: &str) -> Option<FieldVisibility> {
        FieldVisibility::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether `viewer` (in the field's community) may see answers with this visibility.
    pub fn visible_to(self, viewer: &Viewer) -> bool {
        match self {
            FieldVisibility::Everyone => true,
            FieldVisibility::Members => viewer.superadmin || viewer.role.is_some(),
            FieldVisibility::Admins => {
                viewer.superadmin || viewer.role.is_some_and(|r| r >= CommunityRole::Admin)
            }
        }
    }
}

/// A custom field's definition, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDefinition {
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<String>,
    pub required: bool,
    pub visibility: FieldVisibility,
}

#[derive(Debug, Clone, Default)]
pub struct FieldDefinitionInput {
    pub label: String,
    pub kind: String,
    pub options: Vec<String>,
    pub required: bool,
    pub visibility: String,
}

impl FieldDefinitionInput {
    pub fn parse(self) -> Result<FieldDefinition, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let label = self.label.split_whitespace().collect::<Vec<_>>().join(" ");
        if label.is_empty() {
            errors.add("label", "Give the field a label.");
        } else if label.chars().count() > MAX_FIELD_LABEL {
            errors.add(
                "label",
                format!("Keep the label to {MAX_FIELD_LABEL} characters."),
            );
        }
        let kind = FieldKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add(
                "kind",
                "Choose a kind: text, single_select, multi_select or url.",
            );
        }
        let visibility = FieldVisibility::parse(self.visibility.trim());
        if visibility.is_none() {
            errors.add(
                "visibility",
                "Choose who sees the answers: everyone, members or admins.",
            );
        }
        let mut options: Vec<String> = Vec::new();
        for raw in self.options.iter().flat_map(|o| o.split('\n')) {
            let option = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            if option.is_empty()
                || options
                    .iter()
                    .any(|o| o.to_lowercase() == option.to_lowercase())
            {
                continue;
            }
            if option.chars().count() > MAX_FIELD_OPTION {
                errors.add(
                    "options",
                    format!("Keep each choice to {MAX_FIELD_OPTION} characters."),
                );
                break;
            }
            options.push(option);
        }
        match kind {
            Some(k) if k.has_options() => {
                if options.len() < 2 {
                    errors.add("options", "Give at least two choices, one per line.");
                } else if options.len() > MAX_FIELD_OPTIONS {
                    errors.add(
                        "options",
                        format!("Give at most {MAX_FIELD_OPTIONS} choices."),
                    );
                }
            }
            Some(_) => options.clear(),
            None => {}
        }
        errors.finish(())?;
        Ok(FieldDefinition {
            label,
            kind: kind.unwrap_or(FieldKind::Text),
            options,
            required: self.required,
            visibility: visibility.unwrap_or(FieldVisibility::Members),
        })
    }
}

/// Checks a member's answer to a field: returns the values to store (one per chosen option for
/// a multi select; none for an empty optional answer).
pub fn parse_field_answer(
    kind: FieldKind,
    options: &[String],
    required: bool,
    label: &str,
    given: &[String],
) -> Result<Vec<String>, String> {
    let given: Vec<&str> = given
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .collect();
    if given.is_empty() {
        return if required {
            Err(format!("“{label}” is required."))
        } else {
            Ok(Vec::new())
        };
    }
    let choose = |g: &str| {
        options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(g) || o.to_lowercase() == g.to_lowercase())
            .cloned()
            .ok_or_else(|| format!("“{g}” is not one of the choices for “{label}”."))
    };
    match kind {
        FieldKind::Text => {
            if given.len() > 1 {
                return Err(format!("“{label}” takes one answer."));
            }
            let text = short_text(given[0], MAX_FIELD_TEXT, "answer")?;
            Ok(vec![text])
        }
        FieldKind::Url => {
            if given.len() > 1 {
                return Err(format!("“{label}” takes one web address."));
            }
            Ok(vec![parse_web_url(given[0])?])
        }
        FieldKind::SingleSelect => {
            if given.len() > 1 {
                return Err(format!("Choose one answer for “{label}”."));
            }
            Ok(vec![choose(given[0])?])
        }
        FieldKind::MultiSelect => {
            let mut chosen: Vec<String> = Vec::new();
            for g in given {
                let option = choose(g)?;
                if !chosen.contains(&option) {
                    chosen.push(option);
                }
            }
            Ok(chosen)
        }
    }
}

/// The key a value is filtered and sorted by: lower case, single spaces.
pub fn value_key(value: &str) -> String {
    value
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words a directory search matches by prefix: lower case, split on anything that is not
/// a letter or digit, at most 40 characters each, unique.
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word: String = word.chars().take(40).collect();
        if !terms.contains(&word) {
            terms.push(word);
        }
    }
    terms
}

/// A search box's words, at most five (more narrows nothing in practice and costs a join each).
pub fn query_terms(query: &str) -> Vec<String> {
    search_terms(query).into_iter().take(5).collect()
}

/// The exclusive upper bound of a prefix range: every string starting with `prefix` sorts at
/// or after `prefix` and before this (byte order, which both backends use for these columns).
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// The key the directory sorts names by.
pub fn name_key(display_name: &str) -> String {
    value_key(display_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProfileInput {
        ProfileInput {
            headline: "  Maker of   things ".into(),
            links: vec!["https://example.org/me".into(), "".into()],
            interests: vec!["Rust, Gardening".into(), "rust".into()],
            show_details: true,
            ..Default::default()
        }
    }

    #[test]
    fn profile_is_normalised() {
        let p = input().parse().unwrap();
        assert_eq!(p.headline, "Maker of things");
        assert_eq!(p.links, vec!["https://example.org/me"]);
        assert_eq!(p.interests, vec!["rust", "gardening"]);
    }

    #[test]
    fn bad_links_and_too_many_interests_are_refused_by_field() {
        let mut i = input();
        i.links = vec!["javascript:alert(1)".into()];
        i.interests = (0..11).map(|n| format!("topic {n}")).collect();
        let e = i.parse().unwrap_err();
        assert!(e.for_field("links").is_some());
        assert!(e.for_field("interests").is_some());
        let mut i = input();
        i.links = (0..6).map(|n| format!("https://e.org/{n}")).collect();
        assert!(i.parse().unwrap_err().for_field("links").is_some());
    }

    #[test]
    fn answers_are_checked_by_kind() {
        let options = vec!["1-10".to_string(), "11-50".to_string()];
        let multi = FieldKind::MultiSelect;
        assert_eq!(
            parse_field_answer(multi, &options, false, "Size", &["11-50".into()]).unwrap(),
            vec!["11-50"]
        );
        assert!(parse_field_answer(multi, &options, false, "Size", &["huge".into()]).is_err());
        assert!(parse_field_answer(FieldKind::Text, &[], true, "Topic", &[]).is_err());
        assert!(
            parse_field_answer(FieldKind::Url, &[], false, "Site", &["ftp://x".into()]).is_err()
        );
        assert_eq!(
            parse_field_answer(FieldKind::Url, &[], false, "Site", &[]).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn visibility_levels() {
        let member = Viewer {
            signed_in: true,
            superadmin: false,
            role: Some(CommunityRole::Member),
        };
        let admin = Viewer {
            role: Some(CommunityRole::Admin),
            ..member
        };
        let outsider = Viewer {
            role: None,
            ..member
        };
        assert!(FieldVisibility::Everyone.visible_to(&outsider));
        assert!(!FieldVisibility::Members.visible_to(&outsider));
        assert!(FieldVisibility::Members.visible_to(&member));
        assert!(!FieldVisibility::Admins.visible_to(&member));
        assert!(FieldVisibility::Admins.visible_to(&admin));
    }

    #[test]
    fn search_terms_split_words() {
        assert_eq!(
            search_terms("Ada Lovelace-Byron"),
            vec!["ada", "lovelace", "byron"]
        );
        assert!(prefix_end("ada").as_str() > "ada lovelace");
    }
}
