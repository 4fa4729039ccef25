//! Markdown as members write it, rendered once at write time to HTML that is safe to show:
//! pulldown-cmark renders, then ammonia removes anything that could run script.

use pulldown_cmark::{html, Options, Parser};
use std::collections::HashSet;

/// Renders Markdown to sanitized HTML. Raw HTML in the source is kept only as far as the
/// sanitizer allows (formatting, never script, styles or event handlers); links get
/// `rel="nofollow ugc noopener"` and only http, https and mailto URLs survive.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("nofollow ugc noopener"))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .clean(&unsafe_html)
        .to_string()
}

/// The text of a post without Markdown punctuation, for search documents and excerpts.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
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
    fn excerpts_cut_at_words() {
        assert_eq!(
            plain_text("# Title\n\nSome *text* here."),
            "Title Some text here."
        );
        assert_eq!(excerpt("one two three four five", 12), "one two…");
    }
}
