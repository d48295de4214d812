//! Markdown rendering: never a panic; no tag in the output is a script, has
//! an event handler or points at a `javascript:` URL (text that merely
//! says so is escaped, and fine); mentions stay within their bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = tandem_core::markdown::render(text).to_ascii_lowercase();
    // Escaped text holds no `<`: every `<` opens a real tag.
    for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
        assert!(!tag.starts_with("script") && !tag.starts_with("iframe"), "<{tag}> in {html}");
        assert!(!tag.contains("javascript:"), "javascript: URL in <{tag}>");
        for attr in tag.split_whitespace().skip(1) {
            assert!(!(attr.starts_with("on") && attr.contains('=')), "event handler in <{tag}>");
        }
    }
    assert!(tandem_core::markdown::mentions(text).len() <= tandem_core::markdown::MAX_MENTIONS);
});
