//! E-mail: why a person is written to, how each person chooses to hear of
//! each reason, the text of headers (one line, whatever a name holds), and
//! when a failed send is tried again.

use crate::str_enum;

str_enum! {
    /// How a person hears of one reason by e-mail.
    pub enum MailDelivery {
        Instant = "instant" => "As it happens",
        Daily = "daily" => "In a daily digest",
        Off = "off" => "Not by e-mail",
    }
}

/// A reason Tandem writes to someone, as notifications name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    pub word: &'static str,
    /// What a settings page calls it.
    pub label: &'static str,
    /// How people hear of it until they choose.
    pub default: MailDelivery,
}

/// Every reason, in the order settings pages list them.
pub const REASONS: &[Reason] = &[
    Reason { word: "decision_needed", label: "Decisions awaiting you", default: MailDelivery::Instant },
    Reason { word: "mention", label: "Mentions of you in comments", default: MailDelivery::Instant },
    Reason { word: "informed", label: "Decisions you are kept informed of", default: MailDelivery::Daily },
    Reason {
        word: "webhook_disabled",
        label: "Webhooks turned off after failing (admins)",
        default: MailDelivery::Instant,
    },
];

pub fn reason(word: &str) -> Option<&'static Reason> {
    REASONS.iter().find(|r| r.word == word)
}

/// How a reason is heard of when its person has not chosen (unknown
/// reasons: not by e-mail).
pub fn default_delivery(word: &str) -> MailDelivery {
    reason(word).map_or(MailDelivery::Off, |r| r.default)
}

/// The longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 150;

/// Text for a header: one line (line breaks and other control characters
/// become spaces, so a name cannot add a header of its own), runs of
/// spaces as one, at most `max` characters with `…` when cut.
pub fn header_text(raw: &str, max: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max * 4));
    let mut space = false;
    for c in raw.chars() {
        let c = if c.is_control() || c.is_whitespace() { ' ' } else { c };
        if c == ' ' {
            if space || out.is_empty() {
                continue;
            }
            space = true;
        } else {
            space = false;
        }
        out.push(c);
    }
    let trimmed = out.trim_end();
    if trimmed.chars().count() <= max {
        return trimmed.to_owned();
    }
    let mut cut: String = trimmed.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Waits before each retry of a failed send: 1, 5 and 15 minutes, 1, 3,
/// 6, 12 and 24 hours; then the mail fails.
const RETRY_DELAYS_MS: &[i64] = &[60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];

/// When to try again after `attempts` failed sends; none after the last.
pub fn retry_delay(attempts: i64) -> Option<i64> {
    usize::try_from(attempts).ok().and_then(|a| a.checked_sub(1)).and_then(|i| RETRY_DELAYS_MS.get(i)).copied()
}

/// How long a password reset link works.
pub const RESET_TTL_MS: i64 = 3_600_000;

/// Sent mail and its log are kept this long.
pub const KEEP_SENT_MS: i64 = 30 * 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_is_one_line() {
        assert_eq!(header_text("Launch\r\nBcc: evil@example.com", 150), "Launch Bcc: evil@example.com");
        assert_eq!(header_text("  a \t\n b  ", 150), "a b");
        assert_eq!(header_text("abcdef", 4), "abc…");
        assert_eq!(header_text("\u{0}x\u{7f}", 10), "x");
    }

    #[test]
    fn every_reason_has_a_default_and_retries_stop() {
        assert_eq!(default_delivery("informed"), MailDelivery::Daily);
        assert_eq!(default_delivery("nope"), MailDelivery::Off);
        assert_eq!(retry_delay(1), Some(60_000));
        assert_eq!(retry_delay(9), None);
    }
}
