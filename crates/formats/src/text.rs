//! An exported file's bytes as text, and the problems that refuse a file.
//!
//! Every reader of a user's export (Jira CSV, Trello JSON) starts here: a
//! byte-order mark is dropped, a file in another encoding is read only when
//! the user names it, and what cannot be read faithfully is refused with
//! where it is and what to do about it, never repaired silently.

use std::borrow::Cow;
use std::fmt;

/// Names and titles: as long as a Jira summary.
pub const MAX_NAME_CHARS: usize = 255;
/// Descriptions and other long text, in characters (64 Ki: a Jira
/// description, 32,767 characters, always fits).
pub const MAX_TEXT_CHARS: usize = 64 * 1024;
/// Columns of a CSV file: far wider than any real export.
pub const MAX_COLUMNS: usize = 1024;
/// Nesting of a JSON document: arrays and objects inside each other.
pub const MAX_DEPTH: usize = 128;
/// Problems listed one by one; past this they are counted.
pub const MAX_LISTED: usize = 100;

/// The encodings a user may say their file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    /// What Excel on Windows writes as "CSV": Western European.
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub const ALL: [Encoding; 4] = [Encoding::Utf8, Encoding::Windows1252, Encoding::Utf16Le, Encoding::Utf16Be];

    /// The name a request gives (`utf-8`, `windows-1252`, `utf-16le`,
    /// `utf-16be`; also `cp1252`, `utf-16` for little-endian).
    pub fn parse(label: &str) -> Option<Encoding> {
        match label.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" => Some(Encoding::Windows1252),
            "utf-16le" | "utf-16" | "utf16" => Some(Encoding::Utf16Le),
            "utf-16be" => Some(Encoding::Utf16Be),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252 (Excel on Windows)",
            Encoding::Utf16Le => "UTF-16, little-endian",
            Encoding::Utf16Be => "UTF-16, big-endian",
        }
    }
}

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The whole file.
    File,
    /// A line of text (from 1), and the column's header when known.
    Line { line: u64, column: Option<String> },
    /// A JSON pointer (RFC 6901): `/cards/2/name`.
    Pointer(String),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::File => f.write_str("the file"),
            At::Line { line, column: None } => write!(f, "line {line}"),
            At::Line { line, column: Some(c) } => write!(f, "line {line}, column `{c}`"),
            At::Pointer(p) if p.is_empty() => f.write_str("the document"),
            At::Pointer(p) => write!(f, "`{p}`"),
        }
    }
}

/// One reason a file is refused: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: At,
    pub message: String,
}

impl Problem {
    pub fn new(at: At, message: impl Into<String>) -> Problem {
        Problem { at, message: message.into() }
    }

    pub fn line(line: u64, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem::new(At::Line { line, column: column.map(str::to_owned) }, message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            At::File => f.write_str(&self.message),
            _ => write!(f, "{}: {}", self.at, self.message),
        }
    }
}

/// Why a file is not imported: its problems, each listed up to
/// [`MAX_LISTED`], the rest counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub problems: Vec<Problem>,
    /// Problems found past those listed.
    pub more: usize,
}

impl Refusal {
    pub fn one(p: Problem) -> Refusal {
        Refusal { problems: vec![p], more: 0 }
    }

    /// A problem of the whole file.
    pub fn file(message: impl Into<String>) -> Refusal {
        Refusal::one(Problem::new(At::File, message))
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(first) = self.problems.first() else { return f.write_str("the file cannot be read") };
        write!(f, "{first}")?;
        let others = self.problems.len() - 1 + self.more;
        if others > 0 {
            write!(f, " (and {others} more problem{})", if others == 1 { "" } else { "s" })?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// Problems gathered while reading, listed up to [`MAX_LISTED`].
#[derive(Debug, Default)]
pub struct Gathered(Vec<Problem>, usize);

impl Gathered {
    pub fn push(&mut self, p: Problem) {
        if self.0.len() < MAX_LISTED { self.0.push(p) } else { self.1 += 1 }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was found.
    pub fn or<T>(self, value: T) -> Result<T, Refusal> {
        if self.0.is_empty() { Ok(value) } else { Err(Refusal { problems: self.0, more: self.1 }) }
    }
}

/// What to say when a file is not UTF-8.
const CHOOSE_ENCODING: &str = "choose the file's encoding (Windows-1252 for a CSV saved by Excel on Windows, \
                               or UTF-16) and import it again";

/// The file as text. A byte-order mark tells the encoding and is dropped;
/// without one the file is read in `chosen` (UTF-8 unless the user named
/// another). Bytes that are not text in that encoding are refused with
/// their line; nothing is replaced.
pub fn decode(bytes: &[u8], chosen: Encoding) -> Result<Cow<'_, str>, Refusal> {
    decode_as(bytes, chosen).map(|(text, _)| text)
}

/// [`decode`], and the encoding the file was read in (a byte-order mark's
/// over the one chosen).
pub fn decode_as(bytes: &[u8], chosen: Encoding) -> Result<(Cow<'_, str>, Encoding), Refusal> {
    let (encoding, body) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (Encoding::Utf8, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (Encoding::Utf16Le, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (Encoding::Utf16Be, rest)
    } else {
        (chosen, bytes)
    };
    let text = match encoding {
        Encoding::Utf8 => std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| {
            let good = body.get(..e.valid_up_to()).unwrap_or_default();
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count() as u64;
            Refusal::one(Problem::line(line, None, format!("is not UTF-8: {CHOOSE_ENCODING}")))
        }),
        Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(body).0),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let codec = if encoding == Encoding::Utf16Le { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
            codec.decode_without_bom_handling_and_without_replacement(body).ok_or_else(|| {
                Refusal::file(format!("the file is not {}: choose the encoding it was saved in", encoding.label()))
            })
        }
    }?;
    Ok((text, encoding))
}

/// A problem with a name-like value (a title, a key, a person): empty is
/// allowed, more than [`MAX_NAME_CHARS`] characters or a NUL is not.
pub fn name_problem(value: &str) -> Option<String> {
    let n = value.chars().count();
    if n > MAX_NAME_CHARS {
        return Some(format!(
            "{n} characters where a name or title may have {MAX_NAME_CHARS}: shorten it and import the file again"
        ));
    }
    nul_problem(value)
}

/// A problem with a long text (a description): more than
/// [`MAX_TEXT_CHARS`] characters, or a NUL.
pub fn text_problem(value: &str) -> Option<String> {
    // Bytes bound characters from above: count only when it may matter.
    if value.len() > MAX_TEXT_CHARS {
        let n = value.chars().count();
        if n > MAX_TEXT_CHARS {
            return Some(format!(
                "{n} characters where a description may have {MAX_TEXT_CHARS}: shorten it (or attach the text \
                 elsewhere) and import the file again"
            ));
        }
    }
    nul_problem(value)
}

fn nul_problem(value: &str) -> Option<String> {
    value.contains('\0').then(|| {
        "holds a NUL character (code 0), which no text can keep: remove it, or if the whole file is UTF-16, \
         choose that encoding"
            .to_owned()
    })
}

/// The deepest nesting of arrays and objects in a JSON text, refused past
/// [`MAX_DEPTH`] wherever it is (in fields a reader would skip too), with
/// its line and column. Linear, no recursion.
pub fn json_depth(text: &str) -> Result<(), Refusal> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut line, mut column) = (1u64, 0u64);
    for b in text.bytes() {
        column += 1;
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                // The JSON reader stops at this depth itself; say why first.
                if depth >= MAX_DEPTH {
                    return Err(Refusal::one(Problem::new(
                        At::Line { line, column: None },
                        format!(
                            "at byte {column} of the line, arrays and objects nest {MAX_DEPTH} deep or more, which no \
                             board export does: export the board again from Trello"
                        ),
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                column = 0;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_and_chosen_encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFSummary", Encoding::Utf8).unwrap(), "Summary");
        assert_eq!(decode(b"\xFF\xFEA\0b\0", Encoding::Utf8).unwrap(), "Ab");
        assert_eq!(decode_as(b"\xFF\xFEA\0", Encoding::Windows1252).unwrap().1, Encoding::Utf16Le, "the mark decides");
        assert_eq!(decode(b"\xFE\xFF\0A\0b", Encoding::Utf8).unwrap(), "Ab");
        assert_eq!(decode(b"R\xe9sum\xe9 \x80 100", Encoding::Windows1252).unwrap(), "Résumé € 100");
        let e = decode(b"a\nb\nR\xe9sum\xe9", Encoding::Utf8).unwrap_err();
        assert_eq!(e.problems[0].at, At::Line { line: 3, column: None });
        assert!(e.to_string().contains("not UTF-8") && e.to_string().contains("Windows-1252"), "{e}");
        assert!(decode(b"\xFF\xFE\x00\xD8", Encoding::Utf8).is_err(), "a lone surrogate is not UTF-16");
        assert_eq!(Encoding::parse("CP1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("ebcdic"), None);
    }

    #[test]
    fn limits_of_names_texts_and_nesting() {
        assert!(name_problem(&"é".repeat(255)).is_none());
        assert!(name_problem(&"é".repeat(256)).unwrap().contains("256 characters"));
        assert!(name_problem("a\0b").unwrap().contains("NUL"));
        assert!(text_problem(&"b".repeat(MAX_TEXT_CHARS)).is_none());
        assert!(text_problem(&"語".repeat(40_000)).is_none(), "characters, not bytes");
        assert!(text_problem(&"b".repeat(MAX_TEXT_CHARS + 1)).unwrap().contains("65537 characters"));
        assert!(json_depth(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
        let deep = format!("{{\"x\": \"[[[\",\n \"y\": {}", "[".repeat(127));
        let e = json_depth(&deep).unwrap_err();
        assert_eq!(e.problems[0].at, At::Line { line: 2, column: None });
        assert!(e.to_string().contains("128 deep or more"), "{e}");
        assert!(json_depth(r#"{"a": "\"[[[[", "b": []}"#).is_ok(), "brackets in strings do not count");
    }

    #[test]
    fn a_refusal_reads_as_its_first_problem_and_a_count() {
        let mut g = Gathered::default();
        for line in 0..(MAX_LISTED as u64 + 3) {
            g.push(Problem::line(line + 2, Some("Summary"), "is empty"));
        }
        let r = g.or(()).unwrap_err();
        assert_eq!((r.problems.len(), r.more), (MAX_LISTED, 3));
        assert_eq!(r.to_string(), "line 2, column `Summary`: is empty (and 102 more problems)");
    }
}
