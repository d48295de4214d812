//! What a use case can answer instead of its result. The server maps each
//! kind to an HTTP status and code in one place (`server/src/error.rs`);
//! nothing here knows HTTP.

use tandem_core::validate::Invalid;
use tandem_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such object, or one in a workspace the caller is not in (so ids
    /// do not leak).
    #[error("not found")]
    NotFound,
    /// The caller is known there, but its role or ownership does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// E-mail and password (or the current password) do not match.
    #[error("wrong e-mail or password")]
    BadCredentials,
    /// Password sign-in is switched off on this server.
    #[error("password sign-in is switched off here; sign in with single sign-on")]
    PasswordLoginOff,
    /// The identity provider's answer does not sign anyone in: why, for
    /// the person to read.
    #[error("{0}")]
    SignInRefused(String),
    /// A value is unacceptable; names the field.
    #[error("{}", .0.message)]
    Invalid(Invalid),
    /// A file that cannot be imported faithfully: its problems, each
    /// with where it is and what to do.
    #[error("{0}")]
    File(tandem_formats::text::Refusal),
    /// Too many attempts; try again after the given seconds.
    #[error("too many attempts; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// A listing or report option is not one of the accepted values.
    #[error("{0}")]
    BadOption(String),
    /// The caller's version is stale; nothing was changed.
    #[error("the object changed since you read it (current version {current})")]
    Stale { current: i64 },
    /// The change conflicts with stored data.
    #[error("{0}")]
    Conflict(String),
    /// The database does not answer.
    #[error("the database is unavailable")]
    Unavailable,
    /// A fault of ours; the cause is for the log, never for the caller.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(Invalid::new(field, message))
    }
}

impl From<tandem_formats::text::Refusal> for AppError {
    fn from(r: tandem_formats::text::Refusal) -> Self {
        AppError::File(r)
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::Invalid(i)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Stale { current } => AppError::Stale { current },
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::Db(sqlx_err) if is_unavailable(&sqlx_err) => AppError::Unavailable,
            other => AppError::Internal(other.to_string()),
        }
    }
}

fn is_unavailable(e: &tandem_store::SqlxError) -> bool {
    matches!(
        e,
        tandem_store::SqlxError::PoolTimedOut | tandem_store::SqlxError::PoolClosed | tandem_store::SqlxError::Io(_)
    )
}

pub type AppResult<T> = Result<T, AppError>;
