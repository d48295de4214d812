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

#[cfg(test)]
mod tests {
    #[test]
    fn money_groups_thousands_and_names_its_currency() {
        assert_eq!(super::money_text(1_250_050, "EUR"), "12\u{202f}500.50 EUR");
        assert_eq!(super::money_text(-30_000, "USD"), "−300.00 USD");
        assert_eq!(super::money_text(5, "GBP"), "0.05 GBP");
    }
}
