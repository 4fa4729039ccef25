//! Markdown as members write it, rendered once at write time to HTML that is safe to show:
//! pulldown-cmark renders, then ammonia removes anything that could run script.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};

/// Renders Markdown to sanitized HTML. Raw HTML in the source is kept only as far as the
/// sanitizer allows (formatting, never script, styles or event handlers); links get
/// `rel="nofollow ugc noopener"` and only http, https and mailto URLs survive.
pub fn render(markdown: &str) -> String {
    render_with_mentions(markdown, &HashSet::new())
}

/// Like `render`, and marks `@handle` (for handles in `known`) as a mention.
pub fn render_with_mentions(markdown: &str, known: &HashSet<String>) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let mut in_code_or_link = 0usize;
    let events = Parser::new_ext(markdown, options).flat_map(|event| -> Vec<Event<'_>> {
        match &event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => in_code_or_link += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Link) => {
                in_code_or_link = in_code_or_link.saturating_sub(1)
            }
            Event::Text(text)
                if in_code_or_link == 0 && !known.is_empty() && text.contains('@') =>
            {
                return mark_mentions(text, known);
            }
            _ => {}
        }
        vec![event]
    });
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .link_rel(Some("nofollow ugc noopener"))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .allowed_classes(HashMap::from([("span", HashSet::from(["mention"]))]))
        .clean(&unsafe_html)
        .to_string()
}

/// Splits a text run into text and mention markup. Handles are `[a-z0-9_]`, so the markup
/// needs no escaping; the surrounding text stays a Text event and is escaped as usual.
fn mark_mentions<'a>(text: &str, known: &HashSet<String>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((before, handle, after)) = next_mention(rest) {
        if known.contains(&handle) {
            out.push(Event::Text(CowStr::from(before.to_string())));
            out.push(Event::InlineHtml(CowStr::from(format!(
                r#"<span class="mention">@{handle}</span>"#
            ))));
        } else {
            out.push(Event::Text(CowStr::from(format!("{before}@{handle}"))));
        }
        rest = after;
    }
    out.push(Event::Text(CowStr::from(rest.to_string())));
    out
}

/// Finds the next `@handle` that starts a word: (text before, handle, text after).
fn next_mention(text: &str) -> Option<(&str, String, &str)> {
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find('@') {
        let at = search_from + offset;
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let len = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .count();
        let handle = text[at + 1..at + 1 + len].to_lowercase();
        if starts_word && (2..=30).contains(&len) {
            return Some((&text[..at], handle, &text[at + 1 + len..]));
        }
        search_from = at + 1;
    }
    None
}

/// The handles a post mentions (outside code and links), lower-cased, without repeats.
pub fn mentions(markdown: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut in_code_or_link = 0usize;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => in_code_or_link += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Link) => {
                in_code_or_link = in_code_or_link.saturating_sub(1)
            }
            Event::Text(text) if in_code_or_link == 0 => {
                let mut rest: &str = &text;
                while let Some((_, handle, after)) = next_mention(rest) {
                    if !found.contains(&handle) {
                        found.push(handle);
                    }
                    rest = after;
                }
            }
            _ => {}
        }
    }
    found
}

/// The text of a post without Markdown punctuation, for search documents and excerpts.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock,
            ) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of a post's text, cut at a word, for previews and notifications.
pub fn excerpt(markdown: &str, max: usize) -> String {
    let text = plain_text(markdown);
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown_and_marks_links() {
        let html = render("**Hi** [docs](https://example.org)");
        assert!(html.contains("<strong>Hi</strong>"));
        assert!(html.contains(r#"rel="nofollow ugc noopener""#), "{html}");
    }

    #[test]
    fn removes_everything_that_could_run() {
        let corpus = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<<script>alert(1);//<</script>",
            "<details open ontoggle=alert(1)>",
        ];
        for payload in corpus {
            let html = render(payload).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "ontoggle",
                "javascript:",
                "<iframe",
                "style=",
                "data:text",
            ] {
                assert!(!html.contains(bad), "{payload:?} rendered as {html:?}");
            }
        }
    }

    #[test]
    fn mentions_are_found_and_marked_outside_code() {
        let md =
            "Thanks @Ada and @bob_2! Not me@example.org, not `@code`, not [@link](https://x.org).";
        assert_eq!(mentions(md), ["ada", "bob_2"]);
        let known = HashSet::from(["ada".to_string()]);
        let html = render_with_mentions(md, &known);
        assert!(
            html.contains(r#"<span class="mention">@ada</span>"#),
            "{html}"
        );
        assert!(html.contains("@bob_2"), "unknown handles stay text");
        assert!(!html.contains(r#"mention">@code"#));
        let forged = render(r#"<span class="mention" onclick="x()">@ada</span>"#);
        assert!(!forged.contains("onclick"));
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(
            plain_text("# Title\n\nSome *text* here."),
            "Title Some text here."
        );
        assert_eq!(excerpt("one two three four five", 12), "one two…");
    }
}
