//! Arbitrary bytes, in an encoding picked by the first byte, into the Jira
//! CSV reader: never a panic; what reads stays within the limits, every
//! issue has a key, and nothing kept holds a NUL or exceeds its length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_formats::jira;
use tandem_formats::text::{self, Encoding, MAX_NAME_CHARS};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let encoding = Encoding::ALL[usize::from(pick) % Encoding::ALL.len()];
    let Ok(csv) = text::decode(bytes, encoding) else { return };
    let limits = jira::Limits { max_issues: 500, max_columns: 200, max_field_bytes: 4096 };
    match jira::read(&csv, &limits) {
        Ok(issues) => {
            assert!(issues.len() <= limits.max_issues);
            for i in &issues {
                assert!(!i.key.is_empty() && i.key.chars().count() <= MAX_NAME_CHARS);
                assert!(i.summary.chars().count() <= MAX_NAME_CHARS && !i.summary.contains('\0'));
                assert!(i.description.as_ref().is_none_or(|d| d.len() <= 4096 && !d.contains('\0')));
                assert!(i.original_estimate_seconds.is_none_or(|s| s >= 0));
                assert!(i.story_points.is_none_or(|p| p.is_finite() && p >= 0.0));
            }
        }
        // A refusal always says where.
        Err(r) => assert!(!r.problems.is_empty()),
    }
});
