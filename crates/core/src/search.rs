//! Search as people type it: the kinds of object it finds, a query read
//! into words (each matched as the start of a word, so `vau` finds
//! "vault"), and the snippet that shows where a body matched. The store
//! turns the words into its database's full-text query.

use crate::str_enum;
use crate::validate::Invalid;

str_enum! {
    /// What a search finds.
    pub enum SearchKind {
        Feature = "feature",
        Feedback = "feedback",
        Task = "task",
        Risk = "risk",
        Defect = "defect",
        ChangeRequest = "change_request",
        Release = "release",
        Objective = "objective",
        Comment = "comment",
        Decision = "decision",
    }
}

/// The longest query read, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a query may hold; each one narrows the result.
pub const MAX_TERMS: usize = 12;
/// Answers per search when the caller names no limit, and the most.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 50;

/// A query read into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Lower-case runs of letters and digits, in the order typed, without
    /// repeats. Empty when the text holds none (a search for "-" finds
    /// nothing rather than everything).
    pub terms: Vec<String>,
    /// The text as a key would be written (`CKT-12`), upper case, so an
    /// exact key ranks first.
    pub key: String,
}

impl Query {
    /// Reads what was typed. Blank text, text over [`MAX_QUERY_CHARS`] or
    /// over [`MAX_TERMS`] words are refused on `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Query, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new(field, "type a word or a key to search for"));
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(Invalid::new(field, format!("at most {MAX_QUERY_CHARS} characters")));
        }
        let mut terms: Vec<String> = Vec::new();
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let word = word.to_lowercase();
            if !terms.contains(&word) {
                terms.push(word);
            }
        }
        if terms.len() > MAX_TERMS {
            return Err(Invalid::new(field, format!("at most {MAX_TERMS} words")));
        }
        Ok(Query { terms, key: text.to_uppercase() })
    }

    /// SQLite FTS5: every word as a quoted prefix, all required. The
    /// words hold only letters and digits, so nothing in them is syntax.
    pub fn fts5(&self) -> String {
        self.terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ")
    }

    /// PostgreSQL `to_tsquery`: every word as a prefix, all required.
    pub fn tsquery(&self) -> String {
        self.terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & ")
    }
}

/// Marks a page never shows as typed: Markdown's emphasis, headings,
/// quotes, code and link brackets.
fn plain(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if matches!(c, '*' | '_' | '#' | '>' | '`' | '[' | ']' | '|') { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters of `text` as plain words, cut at a word
/// boundary with an ellipsis: a title for an object that has none.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = plain(text);
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > max / 2 => &cut[..at],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// About `width` characters of `body` as plain words around the first
/// word that starts with one of `terms` (the start of the body when none
/// does), with ellipses where it was cut.
pub fn snippet(body: &str, terms: &[String], width: usize) -> String {
    let text = plain(body);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let hit = words.iter().position(|w| {
        let w = w.to_lowercase();
        let w = w.trim_start_matches(|c: char| !c.is_alphanumeric());
        terms.iter().any(|t| w.starts_with(t.as_str()))
    });
    let first = match hit {
        // A few words of context before the match.
        Some(at) => {
            let mut start = at;
            let mut before = 0;
            while start > 0 && before + words[start - 1].chars().count() < width / 3 {
                start -= 1;
                before += words[start].chars().count() + 1;
            }
            start
        }
        None => 0,
    };
    let mut out = String::new();
    let mut last = first;
    for (i, w) in words.iter().enumerate().skip(first) {
        if !out.is_empty() && out.chars().count() + w.chars().count() + 1 > width {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        last = i + 1;
    }
    if out.is_empty() {
        return excerpt(&text, width);
    }
    let lead = if first > 0 { "…" } else { "" };
    let tail = if last < words.len() { "…" } else { "" };
    format!("{lead}{out}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_words_matched_as_prefixes() {
        let q = Query::parse("q", "  CKT-12 card   Vault vault ").unwrap();
        assert_eq!(q.terms, vec!["ckt", "12", "card", "vault"]);
        assert_eq!(q.key, "CKT-12 CARD   VAULT VAULT");
        assert_eq!(q.fts5(), "\"ckt\"* \"12\"* \"card\"* \"vault\"*");
        assert_eq!(q.tsquery(), "ckt:* & 12:* & card:* & vault:*");
        // Syntax of either database is only a separator here.
        let q = Query::parse("q", "a\" OR b* & !c:* NOT d").unwrap();
        assert_eq!(q.terms, vec!["a", "or", "b", "c", "not", "d"]);
        assert_eq!(Query::parse("q", "Über-Straße").unwrap().terms, vec!["über", "straße"]);
        assert!(Query::parse("q", "--").unwrap().terms.is_empty());
    }

    #[test]
    fn blank_long_and_wordy_queries_are_refused() {
        assert_eq!(Query::parse("q", "  ").unwrap_err().field, "q");
        assert!(Query::parse("q", &"x".repeat(MAX_QUERY_CHARS + 1)).is_err());
        assert!(Query::parse("q", &"x".repeat(MAX_QUERY_CHARS)).is_ok());
        let words: Vec<String> = (0..=MAX_TERMS).map(|i| format!("w{i}")).collect();
        assert!(Query::parse("q", &words.join(" ")).unwrap_err().message.contains("words"));
    }

    #[test]
    fn a_snippet_shows_the_match_in_plain_words() {
        let body = "The **first** part talks about nothing in particular at all, and then the card vault \
                    is mentioned and # headings and `code` go away, with more words after it that run on and on.";
        let s = snippet(body, &["vau".into()], 60);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("card vault"), "{s}");
        assert!(s.chars().count() <= 62, "{s}");
        assert!(!s.contains('*') && !s.contains('#'), "{s}");
        // No match: the start.
        assert!(snippet(body, &["zebra".into()], 30).starts_with("The first part"));
        assert_eq!(snippet("short", &["s".into()], 30), "short");
        assert_eq!(snippet("", &["s".into()], 30), "");
    }

    #[test]
    fn an_excerpt_cuts_at_a_word() {
        assert_eq!(excerpt("Checkout fails on **Safari** when paying by card", 30), "Checkout fails on Safari when…");
        assert_eq!(excerpt("short", 30), "short");
    }
}
