//! Rate limits: how many writes one caller, and how many sign-in attempts
//! and analytics batches one client address, may make a minute. Past the limit the request is
//! refused with how long to wait; on PostgreSQL every server counts
//! together (`Store::rate_hit`).

use tandem_core::Id;

use crate::App;
use crate::error::AppError;

/// The window every limit counts in.
const WINDOW_MS: i64 = 60_000;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Creating, changing or deleting anything.
    Write,
    /// Signing in and asking for a password reset.
    SignIn,
    /// Analytics events sent from one address (each key has its own
    /// limit besides, counted with its batches).
    Ingest,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Write => "write",
            Scope::SignIn => "sign-in",
            Scope::Ingest => "ingest",
        }
    }
}

/// Who is counted: an API token, a signed-in person (all their sessions
/// together) or, for someone not signed in, the client's address.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// By the token's hash.
    Token(&'a str),
    User(Id),
    Address(&'a str),
}

/// Counts one request of `caller` against `scope`'s limit; refuses it with
/// the seconds until the window ends when past the limit.
pub async fn check(app: &App, scope: Scope, caller: Caller<'_>) -> Result<(), AppError> {
    let limit = match scope {
        Scope::Write => app.settings.writes_per_minute,
        Scope::SignIn => app.settings.sign_ins_per_minute,
        Scope::Ingest => app.settings.ingest_per_address_per_minute,
    };
    if limit <= 0 {
        return Ok(());
    }
    let bucket = match caller {
        Caller::Token(hash) => format!("{}:token:{hash}", scope.label()),
        Caller::User(id) => format!("{}:user:{id}", scope.label()),
        Caller::Address(a) => format!("{}:addr:{a}", scope.label()),
    };
    let now = app.clock.now();
    let w = app.store.rate_hit(&bucket, now, WINDOW_MS).await?;
    if w.hits <= limit {
        return Ok(());
    }
    app.metrics.rate_limited(scope.label());
    let left_ms = (w.start.0 + WINDOW_MS - now.0).max(1000);
    Err(AppError::RateLimited { retry_after: u64::try_from((left_ms + 999) / 1000).unwrap_or(60) })
}

/// Forgets windows long over (PostgreSQL keeps one row per bucket).
pub async fn prune(app: &App) -> Result<(), AppError> {
    app.store.prune_rates(tandem_core::Millis(app.clock.now().0 - 2 * WINDOW_MS)).await?;
    Ok(())
}
