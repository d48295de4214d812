//! Request extractors whose failures speak the API's error format.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tandem_core::Id;
use utoipa::IntoParams;

use crate::error::ApiError;

/// JSON body; malformed → 400, wrong shape → 422, too large → 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    match e {
        JsonRejection::JsonDataError(e) => ApiError::Unprocessable(e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::Malformed(e.body_text()),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::UnsupportedMedia("send the body as JSON with `Content-Type: application/json`".into())
        }
        JsonRejection::BytesRejection(b) if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::TooLarge { limit: 0 }
        }
        other => ApiError::Malformed(other.body_text()),
    }
}

/// A URL-encoded form body (pages); errors as for JSON, and a value that
/// does not fit its field (a word where a number goes) names the field.
pub struct ApiForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = form_body(req, state).await?;
        parse_form(&body).map(ApiForm)
    }
}

/// A form whose custom-field inputs (`cf.<key>`, `cf.<key>.<n>` for each
/// option of a multi select) come apart from its other fields, which are
/// read as [`ApiForm`] reads them.
pub struct ApiFormCustom<T>(pub T, pub Vec<(String, String)>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiFormCustom<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = form_body(req, state).await?;
        let (custom, rest): (Vec<_>, Vec<_>) = form_urlencoded::parse(&body).partition(|(k, _)| k.starts_with("cf."));
        let custom = custom.into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let rest = form_urlencoded::Serializer::new(String::new()).extend_pairs(rest).finish();
        Ok(ApiFormCustom(parse_form(rest.as_bytes())?, custom))
    }
}

/// A form as its pairs, repeated names kept (a list's checked boxes).
pub struct ApiPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for ApiPairs {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = form_body(req, state).await?;
        Ok(ApiPairs(form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

async fn form_body<S: Send + Sync>(req: Request, state: &S) -> Result<axum::body::Bytes, ApiError> {
    let is_form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(ApiError::UnsupportedMedia(
            "send the body as a form with `Content-Type: application/x-www-form-urlencoded`".into(),
        ));
    }
    axum::body::Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge { limit: 0 }
        } else {
            ApiError::Malformed(e.body_text())
        }
    })
}

fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let (field, message) = field_refusal(&field, &e.inner().to_string());
        ApiError::FormField { field, message }
    })
}

/// A form field's refusal in words: which field, and what it must hold.
/// serde names the field in the path, or in the message when it is
/// missing.
fn field_refusal(path: &str, serde_message: &str) -> (String, String) {
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if let Some(rest) = serde_message.strip_prefix("missing field ") {
        return (quoted(rest).unwrap_or_default(), "must be filled in".into());
    }
    let field = if path == "." { String::new() } else { path.to_owned() };
    let message = if serde_message.contains("invalid digit") || serde_message.contains("integer") {
        "must be a whole number"
    } else if serde_message.contains("float") {
        "must be a number"
    } else if serde_message.starts_with("unknown variant") {
        "is not one of the choices"
    } else if serde_message.contains("bool") {
        "must be yes or no"
    } else {
        serde_message
    };
    (field, message.to_owned())
}

/// Query parameters; unknown values → 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::BadQuery(e.body_text())),
            Err(e) => Err(ApiError::BadQuery(e.body_text())),
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 50;

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=tandem_store::MAX_PAGE).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::BadQuery(format!("limit must be between 1 and {}", tandem_store::MAX_PAGE))),
        }
    }
    pub fn cursor(&self) -> Result<Option<Id>, ApiError> {
        self.cursor
            .as_deref()
            .map(|c| c.parse::<Id>().map_err(|_| ApiError::BadQuery("cursor is not one this server issued".into())))
            .transpose()
    }
}

/// The version a PATCH is based on: from the body, else from `If-Match`.
pub fn expected_version(body: Option<i64>, headers: &axum::http::HeaderMap) -> Result<i64, ApiError> {
    if let Some(v) = body {
        return Ok(v);
    }
    let raw = headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::invalid("version", "send the object's version in the body or in If-Match"))?;
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| ApiError::invalid("version", "If-Match must hold the object's version number"))
}

/// The `{id}` of an object's path (other parameters, like `{ws}`, are read
/// by the guard).
#[derive(Debug, Deserialize)]
pub struct IdPath {
    id: String,
}

impl IdPath {
    /// A malformed id names no object: 404.
    pub fn id(&self) -> Result<Id, ApiError> {
        self.id.parse().map_err(|_| ApiError::NotFound)
    }
}

/// The origin the reader reached this server at (`https://host`), from
/// the proxy's forwarded headers or the request's host, for links made
/// when no public address is configured.
pub fn origin(headers: &axum::http::HeaderMap) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let host = header("x-forwarded-host").or_else(|| header("host")).unwrap_or_else(|| "localhost:8080".into());
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".into());
    format!("{scheme}://{host}")
}
