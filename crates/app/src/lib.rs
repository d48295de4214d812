//! Tandem's application layer: every use case of the API and the pages,
//! between HTTP (`tandem-server`) and persistence (`tandem-store`).
//!
//! A use case takes the [`App`], the caller's proof of access (from
//! [`access`]) and checked input, and answers a record or an [`AppError`].
//! It never names HTTP: the server maps errors to statuses in one place.

pub mod access;
pub mod clock;
pub mod error;
pub mod export;
pub mod figures;
pub mod forecast;
pub mod interchange;
pub mod limits;
pub mod links;
pub mod live;
pub mod measure;
pub mod metrics;
pub mod ops;
pub mod outbound;
pub mod plan;
pub mod schedules;
pub mod secrets;
pub mod seed;
pub mod zone;

use std::sync::Arc;
use std::time::Duration;

use tandem_store::Store;

pub use clock::Clock;
pub use error::{AppError, AppResult};
pub use figures::FigureCache;
pub use schedules::ScheduleCache;
/// Files as text and the problems that refuse them, for the server to
/// show.
pub use tandem_formats::text as file_text;

/// Settings the use cases need (the server's own, like cookie flags and
/// body limits, stay in the server).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long an invitation link stays valid.
    pub invitation_ttl: Duration,
    /// How long a session lives after sign-in.
    pub session_ttl: Duration,
    /// Failed sign-ins allowed per account and client in `login_window`.
    pub login_attempts_per_client: i64,
    /// Failed sign-ins allowed per account from all clients in `login_window`.
    pub login_attempts_per_account: i64,
    pub login_window: Duration,
    /// Requests one ingest key may send a minute (then 429).
    pub ingest_per_minute: i64,
    /// Writes one API token or person may make a minute (0: no limit).
    pub writes_per_minute: i64,
    /// Sign-in attempts one client address may make a minute (0: no limit).
    pub sign_ins_per_minute: i64,
    /// Analytics batches one client address may send a minute (0: no limit).
    pub ingest_per_address_per_minute: i64,
    /// Days raw analytics events are kept; the daily figures stay.
    pub analytics_raw_days: i32,
    /// The address people reach this server at (`https://tandem.example`),
    /// for links in calendar feeds, chat messages and mail; without it
    /// links are made from the request's host where there is one.
    pub public_url: Option<String>,
    /// Webhooks may call loopback, private and link-local addresses.
    pub webhooks_allow_private: bool,
    /// The longest one webhook delivery may take.
    pub webhook_timeout: Duration,
    /// How often the background workers look for due deliveries.
    pub outbox_poll: Duration,
    /// The mail server; none: no mail is sent (queued mail fails at once).
    pub smtp: Option<outbound::mail::SmtpSettings>,
    /// The hour (UTC) daily digests go out.
    pub digest_hour: u8,
    /// Single sign-on with an OpenID provider; none: off.
    pub oidc: Option<ops::sso::OidcSettings>,
    /// Whether people may sign in with a password (API tokens work either way).
    pub password_login: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            session_ttl: Duration::from_secs(14 * 24 * 3600),
            login_attempts_per_client: 5,
            login_attempts_per_account: 20,
            login_window: Duration::from_secs(60),
            ingest_per_minute: 1200,
            writes_per_minute: 600,
            sign_ins_per_minute: 30,
            ingest_per_address_per_minute: 600,
            analytics_raw_days: 400,
            public_url: None,
            webhooks_allow_private: false,
            webhook_timeout: Duration::from_secs(10),
            outbox_poll: Duration::from_secs(1),
            smtp: None,
            digest_hour: 7,
            oidc: None,
            password_login: true,
        }
    }
}

/// What every use case can reach. Holds nothing two server processes could
/// disagree on: everything lives in the database, and the caches are keyed
/// by the database's revisions.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub schedules: Arc<ScheduleCache>,
    /// Project dashboards per (plan revision, data revision, day).
    pub dashboards: Arc<FigureCache<ops::outlook::ProjectDashboard>>,
    pub settings: Arc<Settings>,
    /// This server's fan-out of changes to open event streams.
    pub live: Arc<live::Hub>,
    /// What `GET /metrics` reports.
    pub metrics: Arc<metrics::Metrics>,
}

impl App {
    pub fn new(store: Store, settings: Settings) -> App {
        outbound::tls();
        App {
            store,
            clock: clock::system(),
            schedules: Arc::default(),
            dashboards: Arc::default(),
            settings: Arc::new(settings),
            live: Arc::default(),
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}
