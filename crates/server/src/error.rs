//! The one table that maps every error to an HTTP status and a stable code.
//! Handlers return [`ApiError`]; nothing else writes an error response.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use tandem_app::AppError;
use tandem_core::validate::Invalid;
use tandem_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read (bad JSON, bad form).
    #[error("{0}")]
    Malformed(String),
    /// 400: a query parameter is not one of the accepted values.
    #[error("{0}")]
    BadQuery(String),
    /// 401: no valid session or token.
    #[error("sign in first")]
    Unauthenticated,
    /// 401: e-mail and password do not match.
    #[error("wrong e-mail or password")]
    BadCredentials,
    /// 403: signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// 403: password sign-in is switched off.
    #[error("password sign-in is switched off here; sign in with single sign-on")]
    PasswordLoginOff,
    /// 403: the identity provider's answer signs no one in.
    #[error("{0}")]
    SignInRefused(String),
    /// 403: a cookie-authenticated unsafe request without the CSRF token or
    /// from another origin.
    #[error("missing or wrong CSRF token, or a request from another origin")]
    Csrf,
    /// 404: no such object, or one in a workspace the caller is not in.
    #[error("not found")]
    NotFound,
    /// 405
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the change conflicts with stored data.
    #[error("{0}")]
    Conflict(String),
    /// 412: the caller's version is stale; nothing was changed.
    #[error("the object changed since you read it (current version {current})")]
    Stale { current: i64 },
    /// 413: the body is larger than the limit.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// 415: the body is not JSON (or a form where forms are accepted).
    #[error("{0}")]
    UnsupportedMedia(String),
    /// 422: well-formed, but a value is unacceptable.
    #[error("{}", .0.message)]
    Invalid(Invalid),
    /// 422: a form field holds what it cannot (a word where a number
    /// goes); the field is named for the page to show the message beside.
    #[error("{message}")]
    FormField { field: String, message: String },
    /// 422: several fields of one form are unacceptable (pages gather them
    /// so one save names them all).
    #[error("{}", .0.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; "))]
    Fields(Vec<Invalid>),
    /// 422: a file that cannot be imported faithfully; every problem with
    /// its line and column or JSON pointer, and what to do.
    #[error("Not imported, nothing was stored: {0}")]
    File(tandem_app::file_text::Refusal),
    /// 422: the JSON does not match the expected shape.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many attempts; try again after the given seconds.
    #[error("too many attempts; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// 503: the database does not answer.
    #[error("the database is unavailable")]
    Unavailable,
    /// 500: a fault of ours. The cause is logged, never returned.
    #[error("internal error")]
    Internal(String),
}

/// The error body every non-2xx JSON response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code clients may branch on.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    #[schema(value_type = Object)]
    pub details: Value,
}

impl ApiError {
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            Malformed(_) => (StatusCode::BAD_REQUEST, "malformed_request"),
            BadQuery(_) => (StatusCode::BAD_REQUEST, "invalid_query"),
            Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            BadCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Csrf => (StatusCode::FORBIDDEN, "csrf_failed"),
            PasswordLoginOff => (StatusCode::FORBIDDEN, "password_login_off"),
            SignInRefused(_) => (StatusCode::FORBIDDEN, "sign_in_refused"),
            NotFound => (StatusCode::NOT_FOUND, "not_found"),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Stale { .. } => (StatusCode::PRECONDITION_FAILED, "version_mismatch"),
            TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            UnsupportedMedia(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Invalid(_) | FormField { .. } | Fields(_) | File(_) | Unprocessable(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value")
            }
            RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    pub fn details(&self) -> Value {
        match self {
            ApiError::Invalid(i) => json!({"field": i.field}),
            ApiError::FormField { field, .. } => json!({"field": field}),
            ApiError::Fields(all) => json!({
                "field": all.first().map(|i| i.field.clone()),
                "fields": all.iter().map(|i| json!({"field": i.field, "message": i.message})).collect::<Vec<_>>(),
            }),
            ApiError::File(r) => json!({
                "field": "file",
                "problems": r.problems.iter().map(problem_json).collect::<Vec<_>>(),
                "more_problems": r.more,
            }),
            ApiError::Stale { current } => json!({"current_version": current}),
            ApiError::TooLarge { limit } => json!({"limit_bytes": limit}),
            ApiError::RateLimited { retry_after } => json!({"retry_after_seconds": retry_after}),
            _ => json!({}),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid(Invalid::new(field, message))
    }

    pub fn body(&self) -> ErrorBody {
        let (_, code) = self.status_and_code();
        ErrorBody { error: ErrorDetail { code, message: self.to_string(), details: self.details() } }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let mut resp = (status, Json(self.body())).into_response();
        if let ApiError::RateLimited { retry_after } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// A file's problem as the error body lists it: `line` and `column` (the
/// column's header) for text, `pointer` for JSON, and the message.
fn problem_json(p: &tandem_app::file_text::Problem) -> Value {
    use tandem_app::file_text::At;
    match &p.at {
        At::File => json!({"message": p.message}),
        At::Line { line, column } => json!({"line": line, "column": column, "message": p.message}),
        At::Pointer(pointer) => json!({"pointer": pointer, "message": p.message}),
    }
}

/// The application's answers, as statuses: the one place they are mapped.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::NotFound,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::PasswordLoginOff => ApiError::PasswordLoginOff,
            AppError::SignInRefused(m) => ApiError::SignInRefused(m),
            AppError::BadCredentials => ApiError::BadCredentials,
            AppError::Invalid(i) => ApiError::Invalid(i),
            AppError::File(r) => ApiError::File(r),
            AppError::BadOption(m) => ApiError::BadQuery(m),
            AppError::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            AppError::Stale { current } => ApiError::Stale { current },
            AppError::Conflict(m) => ApiError::Conflict(m),
            AppError::Unavailable => ApiError::Unavailable,
            AppError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl From<Invalid> for ApiError {
    fn from(i: Invalid) -> Self {
        ApiError::Invalid(i)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
