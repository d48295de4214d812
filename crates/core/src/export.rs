//! Rules for data leaving Tandem as files.

/// Neutralises a CSV cell that a spreadsheet would run as a formula: a
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading apostrophe, which spreadsheets show as text and do not evaluate.
pub fn csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_neutralised() {
        for f in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            let out = csv_cell(f);
            assert!(out.starts_with('\''), "{f}");
            assert_eq!(&out[1..], f);
        }
        assert_eq!(csv_cell("plain text"), "plain text");
        assert_eq!(csv_cell("a=b"), "a=b");
        assert_eq!(csv_cell(""), "");
    }
}
