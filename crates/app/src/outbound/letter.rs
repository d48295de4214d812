//! A mail's content as paragraphs of text and links, written out twice:
//! as plain text, and as Markdown (names escaped, so a task called
//! `[click](…)` stays words) that the pages' sanitiser turns into HTML.
//! Then the message itself, with one-line headers and the unsubscribe
//! headers of RFC 2369 and RFC 8058.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use tandem_core::mail::{MAX_SUBJECT_CHARS, header_text};

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Link { text: String, url: String },
}

/// A mail before it is a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub paragraphs: Vec<Vec<Piece>>,
    /// Small print under a rule: why this mail came and how to stop it.
    pub footer: Vec<Vec<Piece>>,
    /// The one-click unsubscribe address, when the mail is about a reason
    /// one can stop.
    pub unsubscribe: Option<String>,
}

impl Letter {
    pub fn new(subject: &str) -> Letter {
        Letter { subject: subject.to_owned(), paragraphs: Vec::new(), footer: Vec::new(), unsubscribe: None }
    }

    pub fn text(&self) -> String {
        let para = |p: &Vec<Piece>| {
            p.iter()
                .map(|x| match x {
                    Piece::Text(t) => t.clone(),
                    Piece::Link { text, url } => format!("{text} <{url}>"),
                })
                .collect::<String>()
        };
        let mut out: Vec<String> = self.paragraphs.iter().map(para).collect();
        if !self.footer.is_empty() {
            out.push("--".to_owned());
            out.extend(self.footer.iter().map(para));
        }
        out.join("\n\n") + "\n"
    }

    pub fn markdown(&self) -> String {
        let para = |p: &Vec<Piece>| {
            p.iter()
                .map(|x| match x {
                    Piece::Text(t) => escape(t),
                    Piece::Link { text, url } => format!("[{}](<{}>)", escape(text), url.replace(['<', '>', ' '], "")),
                })
                .collect::<String>()
        };
        let mut out: Vec<String> = self.paragraphs.iter().map(para).collect();
        if !self.footer.is_empty() {
            out.push("---".to_owned());
            out.extend(self.footer.iter().map(|p| format!("<small>{}</small>", para(p))));
        }
        out.join("\n\n") + "\n"
    }

    /// The HTML part: the Markdown through the pages' sanitiser, in a
    /// plain page.
    pub fn html(&self) -> String {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">{}</body></html>",
            html_escape(&header_text(&self.subject, MAX_SUBJECT_CHARS)),
            tandem_core::markdown::render(&self.markdown())
        )
    }

    /// The message from `from` to `to`, with `message_id`.
    pub fn message(&self, from: &Mailbox, to: Mailbox, message_id: &str) -> Result<Message, String> {
        let mut b = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(header_text(&self.subject, MAX_SUBJECT_CHARS))
            .message_id(Some(message_id.to_owned()))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()));
        if let Some(u) = &self.unsubscribe {
            let u = header_text(u, 2000);
            b = b
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{u}>")))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        b.multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(self.text()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(self.html())),
        )
        .map_err(|e| format!("cannot build the message: {e}"))
    }
}

/// Text that Markdown reads as itself.
fn escape(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 8);
    for c in t.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '('
                | ')'
                | '#'
                | '+'
                | '-'
                | '.'
                | '!'
                | '|'
                | '<'
                | '>'
                | '~'
                | '&'
                | '@'
        ) {
            out.push('\\');
        }
        // A line break would end the paragraph (or start a list).
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

fn html_escape(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        let mut l = Letter::new("ACME-3 [click](https://evil.example)\r\nBcc: victim@example.com");
        l.paragraphs.push(vec![
            Piece::Text("ACME-3 <script>alert(1)</script> *bold* [x](javascript:alert(1)) awaits ".into()),
            Piece::Link { text: "Open".into(), url: "https://tandem.example/tasks/3".into() },
        ]);
        l.footer
            .push(vec![Piece::Link { text: "Stop these".into(), url: "https://tandem.example/unsubscribe/u".into() }]);
        l.unsubscribe = Some("https://tandem.example/unsubscribe/u".into());
        l
    }

    #[test]
    fn names_stay_words_in_html() {
        let html = letter().html();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("<em>") && !html.contains("href=\"https://evil"), "{html}");
        assert!(html.contains("href=\"https://tandem.example/tasks/3\""), "{html}");
        let text = letter().text();
        assert!(text.contains("*bold*") && text.contains("Open <https://tandem.example/tasks/3>"), "{text}");
    }

    #[test]
    fn a_subject_cannot_add_a_header() {
        let from: Mailbox = "Tandem <tandem@tandem.example>".parse().unwrap();
        let to: Mailbox = "ada@example.com".parse().unwrap();
        let m = letter().message(&from, to, "<x.1@tandem.example>").unwrap().formatted();
        let head = String::from_utf8_lossy(&m);
        let head = head.split("\r\n\r\n").next().unwrap_or("");
        assert!(!head.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc:")), "{head}");
        assert!(head.contains("List-Unsubscribe: <https://tandem.example/unsubscribe/u>"), "{head}");
        assert!(head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{head}");
        assert!(head.contains("Message-ID: <x.1@tandem.example>"), "{head}");
    }
}
