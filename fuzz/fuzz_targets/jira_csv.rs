//! Arbitrary bytes into the Jira CSV reader: never a panic; what reads
//! stays within the limits and every issue has a key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_formats::jira;

fuzz_target!(|data: &[u8]| {
    let limits = jira::Limits { max_issues: 500, max_columns: 200, max_field_bytes: 4096 };
    if let Ok(issues) = jira::read(data, &limits) {
        assert!(issues.len() <= limits.max_issues);
        for i in &issues {
            assert!(!i.key.is_empty() && i.key.len() <= limits.max_field_bytes);
            assert!(i.original_estimate_seconds.is_none_or(|s| s >= 0));
            assert!(i.story_points.is_none_or(|p| p.is_finite() && p >= 0.0));
        }
    }
});
