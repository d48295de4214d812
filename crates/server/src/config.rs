//! Server settings, assembled by the CLI from flags, environment and
//! defaults.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark the session cookie `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest plan file `POST /projects/{id}/import` accepts, in bytes.
    pub max_import_bytes: usize,
    /// How long a session lives after sign-in.
    pub session_ttl: Duration,
    /// Failed logins allowed per account and client in `login_window`.
    pub login_attempts_per_client: i64,
    /// Failed logins allowed per account from all clients in `login_window`.
    pub login_attempts_per_account: i64,
    pub login_window: Duration,
    /// How long an invitation link stays valid.
    pub invitation_ttl: Duration,
    /// Requests one analytics ingest key may send a minute (then 429).
    pub ingest_per_minute: i64,
    /// Writes one API token or person may make a minute (0: no limit).
    pub writes_per_minute: i64,
    /// Sign-in attempts one client address may make a minute (0: no limit).
    pub sign_ins_per_minute: i64,
    /// Analytics batches one client address may send a minute (0: no limit).
    pub ingest_per_address_per_minute: i64,
    /// Proxies whose `X-Forwarded-For` names the client: a request from
    /// one is counted by the address it forwards for.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Largest batch of analytics events, in bytes.
    pub max_ingest_bytes: usize,
    /// Days raw analytics events are kept (the daily figures stay).
    pub analytics_raw_days: i32,
    /// The address people reach this server at, for links in feeds,
    /// chat messages and mail (else the request's host).
    pub public_url: Option<String>,
    /// Webhooks may call loopback, private and link-local addresses.
    pub webhooks_allow_private: bool,
    /// The longest one webhook delivery may take.
    pub webhook_timeout: Duration,
    /// How often the background workers look for due work.
    pub outbox_poll: Duration,
    /// The mail server; none: no mail is sent.
    pub smtp: Option<tandem_app::outbound::mail::SmtpSettings>,
    /// The hour (UTC) daily digests go out.
    pub digest_hour: u8,
    /// Single sign-on with an OpenID provider; none: off.
    pub oidc: Option<tandem_app::ops::sso::OidcSettings>,
    /// Whether people may sign in with a password.
    pub password_login: bool,
    /// `GET /metrics`; none: off (404).
    pub metrics: Option<MetricsAccess>,
    /// How long a stopping server waits for requests in flight.
    pub shutdown_timeout: Duration,
}

/// Who may scrape `GET /metrics`.
#[derive(Clone)]
pub struct MetricsAccess {
    /// Required as `Authorization: Bearer …`; none: anyone who can reach
    /// the server (keep it on a private network then).
    pub token: Option<String>,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsAccess").field("token", &self.token.as_ref().map(|_| "***")).finish()
    }
}

impl Config {
    /// The largest body a request to `path` may send: plan files (the
    /// API's import and the import page's form, with its few fields) are
    /// larger than any form or JSON body.
    pub fn body_limit(&self, path: &str) -> usize {
        if path.starts_with("/api/v1/ingest/") {
            self.max_ingest_bytes
        } else if path.ends_with("/import") {
            self.max_import_bytes.saturating_add(self.max_body_bytes)
        } else {
            self.max_body_bytes
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            max_body_bytes: 1024 * 1024,
            max_import_bytes: 64 * 1024 * 1024,
            session_ttl: Duration::from_secs(14 * 24 * 3600),
            login_attempts_per_client: 5,
            login_attempts_per_account: 20,
            login_window: Duration::from_secs(60),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            ingest_per_minute: 1200,
            writes_per_minute: 600,
            sign_ins_per_minute: 30,
            ingest_per_address_per_minute: 600,
            trusted_proxies: Vec::new(),
            max_ingest_bytes: 8 * 1024 * 1024,
            analytics_raw_days: 400,
            public_url: None,
            webhooks_allow_private: false,
            webhook_timeout: Duration::from_secs(10),
            outbox_poll: Duration::from_secs(1),
            smtp: None,
            digest_hour: 7,
            oidc: None,
            password_login: true,
            metrics: None,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}
