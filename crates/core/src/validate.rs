//! Validation of user-supplied values. Each function returns the cleaned
//! value or a message that names the problem.

use std::borrow::Cow;

use thiserror::Error;

/// A value a user sent that Tandem cannot accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    /// The field as the request names it; a custom field's is
    /// `custom_fields.<key>`, hence not always a literal.
    pub field: Cow<'static, str>,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid { field: Cow::Borrowed(field), message: message.into() }
    }

    /// A refusal of a field whose name is only known at run time.
    pub fn named(field: String, message: impl Into<String>) -> Self {
        Invalid { field: Cow::Owned(field), message: message.into() }
    }
}

/// Names and titles: as long as a Jira summary, so an export always fits.
pub const MAX_NAME_CHARS: usize = 255;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A trimmed, non-empty name without control characters.
pub fn name(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    if s.chars().count() > MAX_NAME_CHARS {
        return Err(Invalid::new(field, format!("must be at most {MAX_NAME_CHARS} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(s.to_owned())
}

/// An e-mail address, lower-cased. Deliberately loose: one `@`, something
/// on each side, a dot in the domain; delivery is the real test.
pub fn email(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_lowercase();
    let bad = || Invalid::new("email", "must be an e-mail address like name@example.com");
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(s)
}

/// A password long enough to resist guessing and short enough to hash.
pub fn password(raw: &str) -> Result<(), Invalid> {
    let n = raw.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Invalid::new("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Invalid::new("password", format!("must be at most {MAX_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// A workspace or product key: 2–10 upper-case letters or digits, starting
/// with a letter (`WEB`, `CHK2`).
pub fn key(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_uppercase();
    let ok = (2..=10).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok { Ok(s) } else { Err(Invalid::new(field, "must be 2 to 10 letters or digits, starting with a letter")) }
}

/// A long text such as Markdown or feedback: at most `MAX_TEXT_CHARS`,
/// no control characters but line breaks and tabs. Trailing white space
/// is trimmed; empty is allowed.
pub fn long_text(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim_end();
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(Invalid::new(field, format!("must be at most {MAX_TEXT_CHARS} characters")));
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(s.to_owned())
}

/// Like [`long_text`], but must say something.
pub fn required_text(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = long_text(field, raw)?;
    if s.trim().is_empty() { Err(Invalid::new(field, "must not be empty")) } else { Ok(s) }
}

/// An optional short name: absent or blank means none.
pub fn optional_name(field: &'static str, raw: Option<&str>) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => name(field, s).map(Some),
    }
}

/// An OKR period: a year (`2026`), a half (`2026-H1`), a quarter
/// (`2026-Q3`) or a month (`2026-07`).
pub fn period(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_uppercase();
    let bad = || Invalid::new("period", "must be a year, half, quarter or month: 2026, 2026-H1, 2026-Q3, 2026-07");
    let (year, rest) = s.split_at_checked(4).ok_or_else(bad)?;
    if !year.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let ok = match rest.strip_prefix('-') {
        None => rest.is_empty(),
        Some("H1" | "H2" | "Q1" | "Q2" | "Q3" | "Q4") => true,
        Some(m) => m.len() == 2 && m.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m)),
    };
    if ok { Ok(s) } else { Err(bad()) }
}

/// A finite number (JSON has no NaN, but arithmetic can overflow).
pub fn finite(field: &'static str, v: f64) -> Result<f64, Invalid> {
    if v.is_finite() { Ok(v) } else { Err(Invalid::new(field, "must be a finite number")) }
}

pub const MAX_TEXT_CHARS: usize = crate::markdown::MAX_MARKDOWN_CHARS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("name", "  Acme  ").unwrap(), "Acme");
        assert!(name("name", "   ").is_err());
        assert!(name("name", "a\u{0}b").is_err());
        assert!(name("name", &"x".repeat(256)).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in ["", "ann", "ann@", "@x.com", "a@b", "a b@c.com", "a@@b.com", "a@.com"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_and_periods() {
        assert_eq!(long_text("d", "# A\n\n- b\t \n").unwrap(), "# A\n\n- b");
        assert!(long_text("d", "a\u{7}b").is_err());
        assert!(long_text("d", &"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert!(required_text("text", " \n ").is_err());
        assert_eq!(optional_name("c", Some("  ")).unwrap(), None);
        for ok in ["2026", "2026-q1", "2026-H2", "2026-07"] {
            assert!(period(ok).is_ok(), "{ok}");
        }
        for bad in ["26", "2026-Q5", "2026-13", "2026Q1", "Q1-2026", "", "2026-"] {
            assert!(period(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_and_keys() {
        assert!(password("short").is_err());
        assert!(password("long enough").is_ok());
        assert_eq!(key("key", "web").unwrap(), "WEB");
        assert!(key("key", "1AB").is_err());
        assert!(key("key", "A").is_err());
    }
}
