//! Markdown as users write it, HTML as pages show it: CommonMark with
//! tables and strikethrough, then an allow-list sanitiser, so that script
//! tags, `javascript:` links and event attributes never reach a browser.

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

/// The longest Markdown text Tandem stores in one field.
pub const MAX_MARKDOWN_CHARS: usize = 100_000;

/// Renders Markdown to sanitised HTML.
pub fn render(source: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    // A task-list box is named by its state, so that screen readers (and
    // axe) read "done" or "to do" rather than an unlabelled checkbox.
    let events = Parser::new_ext(source, opts).map(|e| match e {
        Event::TaskListMarker(done) => Event::InlineHtml(
            if done {
                r#"<input type="checkbox" disabled checked aria-label="done"> "#
            } else {
                r#"<input type="checkbox" disabled aria-label="to do"> "#
            }
            .into(),
        ),
        other => other,
    });
    html::push_html(&mut raw, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"])
        .clean(&raw)
        .to_string()
}

/// The words of a Markdown text without its marks, on one line: for
/// places that show a summary, such as the activity feed.
pub fn plain(source: &str) -> String {
    let mut out = String::new();
    for e in Parser::new(source) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // Blocks and line breaks part words; inline marks do not.
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) if !out.is_empty() && !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

/// At most this many people are notified from one text.
pub const MAX_MENTIONS: usize = 20;

/// The `@handle`s in a text, lower-cased, first occurrence first: an `@`
/// at the start or after a space or bracket, then letters, digits and
/// `._+-@` (so `@ana` and `@ana@acme.example` both work); a trailing dot
/// ends the sentence, not the handle. Addresses such as `ana@acme.example`
/// are not mentions.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let handle_char = |c: char| c.is_alphanumeric() || "._+-@".contains(c);
    let mut i = 0;
    while i < chars.len() && out.len() < MAX_MENTIONS {
        let starts = chars[i] == '@' && (i == 0 || chars[i - 1].is_whitespace() || "([{>,;".contains(chars[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && handle_char(chars[j]) {
            j += 1;
        }
        let h: String = chars[i + 1..j].iter().collect::<String>().trim_end_matches(['.', '-', '@']).to_lowercase();
        if !h.is_empty() && !out.contains(&h) {
            out.push(h);
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{mentions, render};

    #[test]
    fn mentions_are_handles_after_an_at() {
        assert_eq!(
            mentions("@pm please check, cc @PdM@demo.example. Mail ana@acme.example (@dev) @pm"),
            ["pm", "pdm@demo.example", "dev"]
        );
        assert!(mentions("no one @ all").is_empty());
    }

    #[test]
    fn plain_words_of_markdown() {
        assert_eq!(super::plain("Overall **amber**.\n\n- one\n- `two`"), "Overall amber. one two");
    }

    #[test]
    fn renders_common_markdown() {
        let html = render("# Goal\n\n- **fast** checkout\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h1>Goal</h1>"), "{html}");
        assert!(html.contains("<strong>fast</strong>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("checked") && html.contains(r#"aria-label="done""#), "{html}");
    }

    #[test]
    fn hostile_markup_comes_back_harmless() {
        for evil in [
            "<script>alert(1)</script>",
            "[click](javascript:alert(1))",
            "<img src=x onerror=alert(1)>",
            "<a href=\"jAvAsCrIpT:alert(1)\">x</a>",
            "<iframe src=https://evil.example></iframe>",
            "<svg onload=alert(1)>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<form action=https://evil.example><button>go</button></form>",
        ] {
            let html = render(evil).to_lowercase();
            for bad in ["<script", "javascript:", "onerror", "onload", "<iframe", "data:text", "style=", "<form"] {
                assert!(!html.contains(bad), "{evil} → {html}");
            }
        }
        let link = render("[site](https://example.com)");
        assert!(link.contains("href=\"https://example.com\""), "{link}");
        assert!(link.contains("noopener"), "{link}");
    }
}
