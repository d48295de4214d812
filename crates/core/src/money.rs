//! Amounts of money as people read them.

/// Money as people read it: `12 500.00 EUR`, `−300.00 EUR` (thin spaces
/// group the thousands, whatever the reader's language).
pub fn money_text(minor: i64, currency: &str) -> String {
    let neg = minor < 0;
    let m = minor.unsigned_abs();
    let units = (m / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{:02} {currency}", if neg { "−" } else { "" }, m % 100)
}

/// `€ 12`, `12 EUR`, `USD 12` → `12`: a currency sign or three-letter code
/// at either end goes; any other letter stays (and fails).
fn without_currency(typed: &str) -> &str {
    let sign = |c: char| "€$£¥₹".contains(c);
    let mut s = typed.trim().trim_matches(sign).trim();
    let code = |t: &str| t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic());
    if let Some((head, _)) = s.rsplit_once(' ').filter(|(_, t)| code(t)) {
        s = head.trim();
    } else if s.len() > 3 && s.is_char_boundary(s.len() - 3) && code(&s[s.len() - 3..]) {
        s = s[..s.len() - 3].trim();
    }
    if let Some((_, tail)) = s.split_once(' ').filter(|(h, _)| code(h)) {
        s = tail.trim();
    } else if s.len() > 3 && s.is_char_boundary(3) && code(&s[..3]) {
        s = s[3..].trim();
    }
    s.trim_matches(sign).trim()
}

/// The largest amount a form accepts: ten trillion in major units.
const MAX_MAJOR: f64 = 1e13;

/// An amount as people type it, in minor units: `310000`, `310,000`,
/// `310 000.50`, `€310,000`, `310.000,50` (marks as
/// [`crate::numbers::split_number`] reads them). A currency sign or code at
/// either end is ignored; more than two decimals and negative amounts are
/// refused.
pub fn parse_money(field: &'static str, text: &str) -> Result<i64, crate::validate::Invalid> {
    use crate::validate::Invalid;
    let typed = text.trim();
    let bad = || Invalid::new(field, format!("“{typed}” is not an amount; type it like 310,000 or 1250.50"));
    if typed.starts_with(['-', '−']) {
        return Err(Invalid::new(field, "must not be negative"));
    }
    let bare = without_currency(typed);
    let (whole, cents) = crate::numbers::split_number(bare).ok_or_else(bad)?;
    if cents.len() > 2 {
        return Err(bad());
    }
    let major: f64 = if whole.is_empty() { 0.0 } else { whole.parse().map_err(|_| bad())? };
    if major >= MAX_MAJOR {
        return Err(Invalid::new(field, "is too large"));
    }
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
    Ok(major as i64 * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::parse_money;

    #[test]
    fn amounts_read_as_typed() {
        for (typed, minor) in [
            ("310000", 31_000_000),
            ("310,000", 31_000_000),
            ("310 000", 31_000_000),
            ("€310,000.50", 31_000_050),
            ("310.000,50", 31_000_050),
            ("1,250,000", 125_000_000),
            ("12,5", 1_250),
            ("12.50 EUR", 1_250),
            ("0.05", 5),
            ("1'000", 100_000),
            (".5", 50),
            ("EUR 12", 1_200),
            ("12eur", 1_200),
            ("$ 1,000", 100_000),
        ] {
            assert_eq!(parse_money("budget", typed), Ok(minor), "{typed}");
        }
        for typed in ["", "abc", "12.5k", "1,2345", "1,00,000", "12.345", "1.2.3,4", "12.505", "--1"] {
            let e = parse_money("budget", typed).unwrap_err();
            assert_eq!(e.field, "budget", "{typed}");
        }
        assert_eq!(parse_money("budget", "-5").unwrap_err().message, "must not be negative");
        assert_eq!(parse_money("budget", "99999999999999").unwrap_err().message, "is too large");
    }
    #[test]
    fn money_groups_thousands_and_names_its_currency() {
        assert_eq!(super::money_text(1_250_050, "EUR"), "12\u{202f}500.50 EUR");
        assert_eq!(super::money_text(-30_000, "USD"), "−300.00 USD");
        assert_eq!(super::money_text(5, "GBP"), "0.05 GBP");
    }
}
