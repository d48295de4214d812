//! Numbers as people type them into forms: `1,250.5`, `1 250,5`, `12,5`.
//! One reader for every number field, so a value accepted on one page is
//! accepted on all of them.

use crate::validate::Invalid;

/// At most this many characters in a typed number.
const MAX_CHARS: usize = 40;

/// The whole and fractional digits of an unsigned number with grouping
/// marks (commas, dots, spaces, apostrophes). The decimal mark is the last
/// comma or dot when both appear, a lone comma followed by one or two
/// digits (`12,5`), or a lone dot (`12.50`); grouping marks stand only
/// between groups of three digits (`1,250,000`). `None` when it is not such
/// a number.
pub fn split_number(text: &str) -> Option<(String, String)> {
    if text.chars().count() > MAX_CHARS {
        return None;
    }
    let s: String = text.trim().chars().filter(|c| !(c.is_whitespace() || *c == '\'')).collect();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return None;
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 0) => None,
        _ if commas > 0 && dots > 0 => s.rfind([',', '.']),
        (1, 0) => s.find(',').filter(|i| s.len() - i - 1 <= 2),
        (0, 1) => s.find('.'),
        _ => None,
    };
    let (whole, fraction) = match decimal {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s.as_str(), ""),
    };
    let groups: Vec<&str> = whole.split([',', '.']).collect();
    let grouped_right = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    (grouped_right && digits(fraction) && (!whole.is_empty() || !fraction.is_empty()))
        .then(|| (groups.concat(), fraction.to_owned()))
}

/// A number typed in a form, as [`split_number`] reads it, with an
/// optional sign.
pub fn parse_decimal(field: &'static str, text: &str) -> Result<f64, Invalid> {
    let typed = text.trim();
    let bad = || Invalid::new(field, format!("“{typed}” is not a number"));
    let (negative, rest) = match typed.strip_prefix(['-', '−']) {
        Some(r) => (true, r),
        None => (false, typed.strip_prefix('+').unwrap_or(typed)),
    };
    let (whole, fraction) = split_number(rest).ok_or_else(bad)?;
    let v: f64 = format!("0{whole}.{fraction}0").parse().map_err(|_| bad())?;
    if !v.is_finite() {
        return Err(bad());
    }
    Ok(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        for (typed, v) in [
            ("3", 3.0),
            ("1.5", 1.5),
            ("1,5", 1.5),
            ("1,250", 1250.0),
            ("1 250,75", 1250.75),
            ("1,250.75", 1250.75),
            ("1.250,75", 1250.75),
            ("-2", -2.0),
            ("+2.5", 2.5),
            (".5", 0.5),
        ] {
            assert_eq!(parse_decimal("n", typed), Ok(v), "{typed}");
        }
        for typed in ["", "abc", "1,2345", "1,00,000", "1.2.3,4", "--1", "1e5", "NaN", "inf"] {
            assert_eq!(parse_decimal("n", typed).unwrap_err().field, "n", "{typed}");
        }
    }
}
