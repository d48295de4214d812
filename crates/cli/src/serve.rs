//! `tandem serve` and `tandem config check`: the server's settings from
//! flags, environment and `tandem.toml`, the first start, and the signal
//! that stops it.

use clap::Args;
use tandem_app::ops::sso::OidcSettings;
use tandem_app::outbound::mail::{SmtpSecurity, SmtpSettings};
use tandem_server::config::MetricsAccess;
use tandem_server::{AppState, Config};

use crate::DbArg;
use crate::settings::{self, Layers};

/// Where and on which database `serve` runs, and how.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "TANDEM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub options: ServeOptions,
}

/// What `serve` takes beyond where and which database.
#[derive(Args, Debug, Clone)]
pub struct ServeOptions {
    /// Mark the session cookie Secure (when served over HTTPS).
    #[arg(long, env = "TANDEM_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Largest request body in bytes.
    #[arg(long, env = "TANDEM_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Requests one analytics ingest key may send a minute.
    #[arg(long, env = "TANDEM_INGEST_PER_MINUTE", default_value_t = 1200,
            value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
    ingest_per_minute: i64,
    /// Writes (creating, changing, deleting) one API token or signed-in
    /// person may make a minute; past it 429 with Retry-After. 0: no limit.
    #[arg(long, env = "TANDEM_WRITES_PER_MINUTE", default_value_t = 600,
            value_parser = clap::value_parser!(i64).range(0..=1_000_000))]
    writes_per_minute: i64,
    /// Sign-in and password-reset attempts one client address may make a
    /// minute. 0: no limit.
    #[arg(long, env = "TANDEM_SIGN_INS_PER_MINUTE", default_value_t = 30,
            value_parser = clap::value_parser!(i64).range(0..=1_000_000))]
    sign_ins_per_minute: i64,
    /// Analytics batches one client address may send a minute (each
    /// ingest key has its own limit besides). 0: no limit.
    #[arg(long, env = "TANDEM_INGEST_PER_ADDRESS_PER_MINUTE", default_value_t = 600,
            value_parser = clap::value_parser!(i64).range(0..=1_000_000))]
    ingest_per_address_per_minute: i64,
    /// Reverse proxies whose X-Forwarded-For names the client
    /// (`127.0.0.1, 10.0.0.0/8`); a request from elsewhere is counted by
    /// its own address.
    #[arg(long, env = "TANDEM_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    /// Days raw analytics events are kept (the daily figures stay).
    #[arg(long, env = "TANDEM_ANALYTICS_RAW_DAYS", default_value_t = 400,
            value_parser = clap::value_parser!(i32).range(1..=3650))]
    analytics_raw_days: i32,
    /// The address people reach this server at (https://tandem.example),
    /// for links in calendar feeds, chat messages and mail.
    #[arg(long, env = "TANDEM_PUBLIC_URL", value_parser = public_url)]
    public_url: Option<String>,
    /// Let webhooks call loopback, private and link-local addresses
    /// (refused by default: they reach inside the server's network).
    #[arg(long, env = "TANDEM_WEBHOOKS_ALLOW_PRIVATE")]
    webhooks_allow_private: bool,
    /// Seconds one webhook delivery may take.
    #[arg(long, env = "TANDEM_WEBHOOK_TIMEOUT_SECS", default_value_t = 10,
            value_parser = clap::value_parser!(u64).range(1..=60))]
    webhook_timeout_secs: u64,
    /// The mail server's host; without it no mail is sent. Its password
    /// is read from TANDEM_SMTP_PASSWORD (the environment only).
    #[arg(long, env = "TANDEM_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "TANDEM_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// none, starttls (required) or tls (from the first byte, port 465).
    #[arg(long, env = "TANDEM_SMTP_SECURITY", default_value = "starttls", value_parser = ["none", "starttls", "tls"])]
    smtp_security: String,
    #[arg(long, env = "TANDEM_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// The sender of Tandem's mail: `Tandem <tandem@example.com>`.
    #[arg(long, env = "TANDEM_MAIL_FROM")]
    mail_from: Option<String>,
    /// The hour (UTC, 0–23) daily digests go out.
    #[arg(long, env = "TANDEM_DIGEST_HOUR", default_value_t = 7, value_parser = clap::value_parser!(u8).range(0..=23))]
    digest_hour: u8,
    /// The OpenID provider's issuer address; with it people sign in with
    /// single sign-on. The client's secret is read from
    /// TANDEM_OIDC_CLIENT_SECRET (the environment only).
    #[arg(long, env = "TANDEM_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    #[arg(long, env = "TANDEM_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// The sign-in button's words: "Sign in with <label>".
    #[arg(long, env = "TANDEM_OIDC_LABEL", default_value = "single sign-on")]
    oidc_label: String,
    /// Make an account for someone the provider vouches for who has none.
    #[arg(long, env = "TANDEM_OIDC_CREATE_USERS")]
    oidc_create_users: bool,
    /// The ID token claim listing a person's groups, for workspaces that
    /// give groups roles.
    #[arg(long, env = "TANDEM_OIDC_GROUPS_CLAIM")]
    oidc_groups_claim: Option<String>,
    /// Refuse password sign-in (single sign-on and API tokens only).
    #[arg(long, env = "TANDEM_DISABLE_PASSWORD_LOGIN")]
    disable_password_login: bool,
    /// Serve Prometheus metrics at /metrics; with TANDEM_METRICS_TOKEN set,
    /// only to `Authorization: Bearer <token>`.
    #[arg(long, env = "TANDEM_METRICS")]
    pub metrics: bool,
    /// Seconds a stopping server waits for requests in flight.
    #[arg(long, env = "TANDEM_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30,
            value_parser = clap::value_parser!(u64).range(1..=3600))]
    shutdown_timeout_secs: u64,
}

impl ServeOptions {
    /// The server's settings; secrets come from `layers` (never flags).
    pub fn config(self, layers: &Layers) -> Result<Config, String> {
        // An empty secret (a blank file, `key = ""`) is a mistake, never "none".
        let secret = |key: &str| -> Result<Option<String>, String> {
            match layers.value(key)? {
                Some((v, origin)) if v.trim().is_empty() => Err(format!("{key} is empty ({origin})")),
                found => Ok(found.map(|(v, _)| v)),
            }
        };
        let smtp = match self.smtp_host {
            None => None,
            Some(host) => {
                let from = self.mail_from.ok_or("set --mail-from (TANDEM_MAIL_FROM), the sender of Tandem's mail")?;
                let s = SmtpSettings {
                    host,
                    port: self.smtp_port,
                    security: SmtpSecurity::parse(&self.smtp_security).unwrap_or(SmtpSecurity::StartTls),
                    username: self.smtp_username,
                    password: secret("smtp_password")?,
                    from,
                };
                tandem_app::outbound::mail::check(&s)?;
                Some(s)
            }
        };
        let oidc = match (self.oidc_issuer, self.oidc_client_id) {
            (None, None) => None,
            (Some(issuer), Some(client_id)) => Some(OidcSettings {
                issuer,
                client_id,
                client_secret: secret("oidc_client_secret")?,
                label: self.oidc_label,
                create_users: self.oidc_create_users,
                groups_claim: self.oidc_groups_claim.filter(|c| !c.is_empty()),
            }),
            _ => return Err("single sign-on needs both --oidc-issuer and --oidc-client-id".to_owned()),
        };
        if self.disable_password_login && oidc.is_none() {
            return Err(
                "--disable-password-login needs single sign-on (--oidc-issuer), or no one could sign in".to_owned()
            );
        }
        let metrics =
            self.metrics.then(|| Ok::<_, String>(MetricsAccess { token: secret("metrics_token")? })).transpose()?;
        let trusted_proxies = match self.trusted_proxies.as_deref() {
            Some(list) => tandem_server::limits::parse_proxies(list).map_err(|e| format!("--trusted-proxies: {e}"))?,
            None => Vec::new(),
        };
        Ok(Config {
            metrics,
            trusted_proxies,
            writes_per_minute: self.writes_per_minute,
            sign_ins_per_minute: self.sign_ins_per_minute,
            ingest_per_address_per_minute: self.ingest_per_address_per_minute,
            shutdown_timeout: std::time::Duration::from_secs(self.shutdown_timeout_secs),
            oidc,
            password_login: !self.disable_password_login,
            smtp,
            digest_hour: self.digest_hour,
            secure_cookies: self.secure_cookies,
            max_body_bytes: self.max_body_bytes,
            ingest_per_minute: self.ingest_per_minute,
            analytics_raw_days: self.analytics_raw_days,
            public_url: self.public_url,
            webhooks_allow_private: self.webhooks_allow_private,
            webhook_timeout: std::time::Duration::from_secs(self.webhook_timeout_secs),
            ..Config::default()
        })
    }
}

/// A public address: `http://` or `https://` and a host, without a
/// trailing slash.
fn public_url(raw: &str) -> Result<String, String> {
    let u = raw.trim().trim_end_matches('/');
    let host = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(u.to_owned()),
        _ => Err("give the address people open, e.g. https://tandem.example".to_owned()),
    }
}

/// `tandem config check`: every setting's effective value and where it
/// came from, secrets hidden; then whether the settings make a server.
pub fn check(args: ServeArgs, cmd: &clap::Command, matches: &clap::ArgMatches, layers: &Layers) -> Result<(), String> {
    use std::fmt::Write;
    let mut out = String::new();
    let from = layers.file.path.as_ref().map_or("no configuration file".to_owned(), |p| p.display().to_string());
    let _ = writeln!(out, "# Tandem's effective configuration ({from}; environment and flags win over it)");
    let mut shown = Vec::new();
    // Setting a default from the file moves an argument last: show them
    // in the order `--help` does.
    let mut all: Vec<&clap::Arg> = cmd.get_arguments().collect();
    all.sort_by_key(|a| a.get_display_order());
    for a in all {
        let id = a.get_id().as_str();
        if a.get_long().is_none() || ["help", "version", "config"].contains(&id) || shown.contains(&id) {
            continue;
        }
        shown.push(id);
        let env = a.get_env().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        let origin = layers.origin(matches, id, &env);
        let raw: Vec<String> =
            matches.get_raw(id).map(|vs| vs.map(|v| v.to_string_lossy().into_owned()).collect()).unwrap_or_default();
        match raw.first() {
            None => {
                let _ = writeln!(out, "# {id}: not set");
            }
            Some(v) => {
                let v = if id == "db" { tandem_store::redact(v) } else { v.clone() };
                let _ = writeln!(out, "{id} = {}  # {origin}", toml_value(&v));
            }
        }
    }
    for (key, _) in settings::SECRETS.iter().chain(settings::PLAIN) {
        let hidden = settings::SECRETS.iter().any(|(k, _)| k == key);
        match layers.value(key)? {
            Some((v, origin)) => {
                let v = if hidden { "\"(hidden)\"".to_owned() } else { toml_value(&v) };
                let _ = writeln!(out, "{key} = {v}  # {origin}");
            }
            None => {
                let _ = writeln!(out, "# {key}: not set");
            }
        }
    }
    let config = args.options.config(layers)?;
    if config.metrics.as_ref().is_some_and(|m| m.token.is_none()) {
        out.push_str("# note: /metrics answers anyone who reaches this server: set metrics_token, or keep it off public addresses\n");
    }
    out.push_str("# the configuration is valid\n");
    // Written, not printed: `tandem config check | head` must not panic.
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes()).map_err(|e| format!("cannot write: {e}"))
}

/// A value as TOML writes it: numbers and true/false bare, the rest quoted.
fn toml_value(v: &str) -> String {
    if v.parse::<i64>().is_ok() || v == "true" || v == "false" {
        v.to_owned()
    } else {
        toml::Value::String(v.to_owned()).to_string()
    }
}

/// The first admin (from `admin_email` and `admin_password`) and the demo.
pub async fn bootstrap(state: &AppState, layers: &Layers, demo: bool) -> Result<(), String> {
    let value = |key: &str| -> Result<Option<String>, String> { Ok(layers.value(key)?.map(|(v, _)| v)) };
    if let (Some(email), Some(password)) = (value("admin_email")?, value("admin_password")?) {
        let ws = value("workspace_name")?.unwrap_or_else(|| "Tandem".to_owned());
        if tandem_app::seed::first_admin(state, &email, &password, &ws)
            .await
            .map_err(|e| format!("first admin: {e}"))?
        {
            println!("created admin {email} and workspace {ws}");
        }
    }
    if demo {
        let created = tandem_app::seed::demo(state).await.map_err(|e| format!("demo: {e}"))?;
        println!("{} demo workspace. Sign in as:", if created { "Created the" } else { "Using the existing" });
        for u in &tandem_app::seed::DEMO_USERS {
            println!("  {:<16} {:<28} password: {}", u.role.as_str(), u.email, u.password);
        }
    }
    Ok(())
}

/// SIGTERM (service managers) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
