//! Forms that carry a file (`multipart/form-data`), read whole within the
//! import limit: the pages' import form. Parts are bounded in number.

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

use crate::error::ApiError;

/// The most parts one form may have: a file and a handful of fields.
const MAX_PARTS: usize = 16;

/// One part of a form: its name, the file's name when it is a file, and
/// its bytes.
#[derive(Debug)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Bytes,
}

/// Whether the request is a form with files.
pub fn is_multipart(headers: &HeaderMap) -> bool {
    content_type(headers).is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/form-data"))
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

fn bad(what: &str) -> ApiError {
    ApiError::Malformed(format!("the form cannot be read: {what}"))
}

/// A reader of a buffered form with files, by its boundary.
fn reader(headers: &HeaderMap, body: Bytes) -> Result<multer::Multipart<'static>, ApiError> {
    let boundary = content_type(headers)
        .and_then(|c| multer::parse_boundary(c).ok())
        .ok_or_else(|| bad("no multipart boundary"))?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    Ok(multer::Multipart::new(stream, boundary))
}

/// The parts of a buffered form with files.
pub async fn parts(headers: &HeaderMap, body: Bytes) -> Result<Vec<Part>, ApiError> {
    let mut form = reader(headers, body)?;
    let mut out = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| bad(&e.to_string()))? {
        if out.len() == MAX_PARTS {
            return Err(bad("too many fields"));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field.bytes().await.map_err(|e| bad(&e.to_string()))?;
        out.push(Part { name, file_name, data });
    }
    Ok(out)
}

/// The text of the field `name` of a buffered form with files, read
/// without keeping the other parts (the CSRF check needs one short field,
/// which the pages' forms send first).
pub async fn one_field(headers: &HeaderMap, body: Bytes, name: &str) -> Result<Option<String>, ApiError> {
    let mut form = reader(headers, body)?;
    for _ in 0..MAX_PARTS {
        let Some(field) = form.next_field().await.map_err(|e| bad(&e.to_string()))? else { break };
        if field.name() == Some(name) && field.file_name().is_none() {
            let data = field.bytes().await.map_err(|e| bad(&e.to_string()))?;
            return Ok(String::from_utf8(data.to_vec()).ok());
        }
    }
    Ok(None)
}

/// The text of field `name`, if sent.
pub fn field<'a>(parts: &'a [Part], name: &str) -> Option<&'a str> {
    parts.iter().find(|p| p.name == name && p.file_name.is_none()).and_then(|p| std::str::from_utf8(&p.data).ok())
}
