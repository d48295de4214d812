//! Pictures drawn on the server as SVG: charts and the Gantt chart. No
//! client library, readable without JavaScript, and testable as text.
//! Labels are escaped; numbers are formatted here, so the output is safe
//! to embed in a page or send from the API.

pub mod charts;
pub mod gantt;

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
