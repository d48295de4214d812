//! A refused form comes back to the page it was sent from, with the reason
//! beside the field and what was typed still in it; a saved one comes back
//! with a short "Saved." (`static/app.js` draws both).
//!
//! Pages without a script keep the plain path: a refusal is a page saying
//! what was wrong, a success is the page itself.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Why a form was refused, attached to the error page's response so that
/// [`form_outcome`] can send the reader back instead.
#[derive(Debug, Clone)]
pub struct Refused {
    pub field: Option<String>,
    pub message: String,
    /// When one save refused several fields: each, with its reason.
    pub more: Vec<(String, String)>,
}

/// The cookie app.js sets to say it will show refusals itself.
const SCRIPT_COOKIE: &str = "tandem_js";
/// The refusal, for the page the reader is sent back to (read once).
pub const REFUSAL_COOKIE: &str = "tandem_refusal";
/// "Saved.", for the page a saved form comes back to (read once).
pub const SAVED_COOKIE: &str = "tandem_saved";

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The path and query of a same-origin `Referer`, where the form was.
fn referer_path(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let (h, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !h.eq_ignore_ascii_case(host) {
        return None;
    }
    let path = format!("/{}", path.split('#').next().unwrap_or(""));
    super::safe_next(Some(&path)).eq(&path).then_some(path)
}

fn short_cookie(name: &str, value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age=60; SameSite=Strict")).ok()
}

/// Sends a refused form post back to its page, and marks a saved one.
pub async fn form_outcome(req: Request, next: Next) -> Response {
    let scripted = req.method() == Method::POST && cookie(req.headers(), SCRIPT_COOKIE).as_deref() == Some("1");
    let back = if scripted { referer_path(req.headers()) } else { None };
    let action = req.uri().path().to_owned();
    let resp = next.run(req).await;
    let Some(back) = back else { return resp };
    if let Some(r) = resp.extensions().get::<Refused>() {
        let message: String = r.message.chars().take(500).collect();
        // A cookie holds about 4 KiB: a few fields, each reason cut short.
        let more: Vec<_> = r
            .more
            .iter()
            .take(8)
            .map(|(f, m)| serde_json::json!({"field": f, "message": m.chars().take(160).collect::<String>()}))
            .collect();
        let note = serde_json::json!({"action": action, "field": r.field, "message": message, "more": more});
        let value = super::form_urlencoded_component(&note.to_string());
        let mut out = Redirect::to(&back).into_response();
        if let Some(v) = short_cookie(REFUSAL_COOKIE, &value) {
            out.headers_mut().append(header::SET_COOKIE, v);
        }
        return out;
    }
    // Saved, and back on the same page: say so there.
    let path_of = |u: &str| u.split(['#', '?']).next().unwrap_or_default().to_owned();
    let to_same_page = matches!(resp.status(), StatusCode::SEE_OTHER | StatusCode::FOUND)
        && resp.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).map(path_of) == Some(path_of(&back));
    let mut resp = resp;
    if to_same_page && let Some(v) = short_cookie(SAVED_COOKIE, "1") {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_same_origin_pages_are_returned_to() {
        let h = headers(&[("host", "tandem.example"), ("referer", "https://tandem.example/projects/3/risks?x=1#new")]);
        assert_eq!(referer_path(&h).as_deref(), Some("/projects/3/risks?x=1"));
        let h = headers(&[("host", "tandem.example"), ("referer", "https://evil.example/projects/3")]);
        assert_eq!(referer_path(&h), None);
        let h = headers(&[("host", "tandem.example")]);
        assert_eq!(referer_path(&h), None);
    }

    #[test]
    fn cookies_are_read_by_name() {
        let h = headers(&[("cookie", "a=1; tandem_js=1"), ("cookie", "b=2")]);
        assert_eq!(cookie(&h, "tandem_js").as_deref(), Some("1"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
