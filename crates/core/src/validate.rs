//! Validation of user-supplied values. Each function returns the cleaned
//! value or a message that names the problem.

use thiserror::Error;

/// A value a user sent that Tandem cannot accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid { field, message: message.into() }
    }
}

pub const MAX_NAME_CHARS: usize = 200;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("name", "  Acme  ").unwrap(), "Acme");
        assert!(name("name", "   ").is_err());
        assert!(name("name", "a\u{0}b").is_err());
        assert!(name("name", &"x".repeat(201)).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in ["", "ann", "ann@", "@x.com", "a@b", "a b@c.com", "a@@b.com", "a@.com"] {
            assert!(email(bad).is_err(), "{bad}");
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
