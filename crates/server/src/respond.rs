//! Responses built from what the application layer computed: files to
//! download and cached schedules with their entity tags.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tandem_app::export::Download;
use tandem_app::schedules::Body;

use crate::error::ApiError;

/// A file as a download response.
pub fn download(d: Download) -> Result<Response, ApiError> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", d.filename))
        .map_err(|e| ApiError::Internal(format!("header: {e}")))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(d.content_type)), (header::CONTENT_DISPOSITION, disposition)],
        d.body,
    )
        .into_response())
}

/// A schedule: `304 Not Modified` when the request's `If-None-Match` names
/// its revision, else the schedule, gzipped when accepted.
pub fn schedule(body: &Body, request: &HeaderMap) -> Response {
    let vary = HeaderValue::from_static("accept-encoding");
    let etag = body.etag.as_deref().and_then(|t| HeaderValue::from_str(t).ok());
    let mut response = if etag.as_ref().is_some_and(|tag| matches(request, tag)) {
        (StatusCode::NOT_MODIFIED, [(header::VARY, vary)]).into_response()
    } else {
        let json = HeaderValue::from_static("application/json");
        if accepts_gzip(request) {
            let gz = HeaderValue::from_static("gzip");
            ([(header::CONTENT_TYPE, json), (header::CONTENT_ENCODING, gz), (header::VARY, vary)], body.gzip.clone())
                .into_response()
        } else {
            ([(header::CONTENT_TYPE, json), (header::VARY, vary)], body.json.clone()).into_response()
        }
    };
    if let Some(tag) = etag {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

/// A large JSON document (the task sheet's), gzipped at the fastest level
/// when the client accepts it: a tenth of the bytes for a few milliseconds.
pub fn json_compressed<T: serde::Serialize>(value: &T, request: &HeaderMap) -> Result<Response, ApiError> {
    let json = serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("json: {e}")))?;
    let vary = HeaderValue::from_static("accept-encoding");
    let kind = HeaderValue::from_static("application/json");
    if !accepts_gzip(request) || json.len() < 8 * 1024 {
        return Ok(([(header::CONTENT_TYPE, kind), (header::VARY, vary)], json).into_response());
    }
    let mut z = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 8), flate2::Compression::fast());
    std::io::Write::write_all(&mut z, &json).map_err(|e| ApiError::Internal(format!("gzip: {e}")))?;
    let body = z.finish().map_err(|e| ApiError::Internal(format!("gzip: {e}")))?;
    let gz = HeaderValue::from_static("gzip");
    Ok(([(header::CONTENT_TYPE, kind), (header::CONTENT_ENCODING, gz), (header::VARY, vary)], body).into_response())
}

/// Whether `If-None-Match` names `tag` (weak comparison) or is `*`.
pub(crate) fn matches(h: &HeaderMap, tag: &HeaderValue) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let Ok(want) = tag.to_str().map(bare) else { return false };
    h.get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == want)
}

/// Whether `Accept-Encoding` names gzip (or `*`) without `q=0`.
fn accepts_gzip(h: &HeaderMap) -> bool {
    h.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_only_when_accepted() {
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            accepts_gzip(&m)
        };
        assert!(h("gzip, deflate, br") && h("br;q=1.0, GZIP;q=0.5") && h("*"));
        assert!(!h("br") && !h("gzip;q=0") && !h("identity") && !accepts_gzip(&HeaderMap::new()));
        let b = Body::new(br#"{"tasks":[]}"#.to_vec(), None).unwrap();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&b.gzip[..]), &mut back).unwrap();
        assert_eq!(back.as_bytes(), &b.json[..]);
    }

    #[test]
    fn large_json_is_gzipped_when_accepted() {
        let big: Vec<String> = (0..5000).map(|i| format!("row {i}")).collect();
        let mut gz = HeaderMap::new();
        gz.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let r = json_compressed(&big, &gz).unwrap();
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        let plain = json_compressed(&big, &HeaderMap::new()).unwrap();
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let small = json_compressed(&["one"], &gz).unwrap();
        assert!(small.headers().get(header::CONTENT_ENCODING).is_none(), "small bodies go as they are");
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists() {
        let tag = HeaderValue::from_static("W/\"r7\"");
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(header::IF_NONE_MATCH, HeaderValue::from_static(v));
            matches(&m, &tag)
        };
        assert!(h("W/\"r7\"") && h("\"r7\"") && h("\"r1\", W/\"r7\"") && h("*"));
        assert!(!h("W/\"r8\"") && !h("r7") && !matches(&HeaderMap::new(), &tag));
    }
}
