//! Request extractors whose failures speak the API's error format.

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
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

/// A URL-encoded form body (pages); errors as for JSON.
pub struct ApiForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(ApiForm(v)),
            Err(FormRejection::FailedToDeserializeForm(e)) => Err(ApiError::Malformed(e.body_text())),
            Err(FormRejection::FailedToDeserializeFormBody(e)) => Err(ApiError::Unprocessable(e.body_text())),
            Err(e) => Err(ApiError::Malformed(e.body_text())),
        }
    }
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
