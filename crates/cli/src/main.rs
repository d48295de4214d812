//! `tandem`: the one binary. Each subcommand calls the library crates; no
//! logic lives here beyond reading arguments and printing results.

mod backup;
mod schedule;

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tandem_app::ops::interchange::ImportFormat;
use tandem_app::ops::sso::OidcSettings;
use tandem_app::outbound::mail::{SmtpSecurity, SmtpSettings};
use tandem_core::Role;
use tandem_server::{AppState, Config};
use tandem_store::Store;

#[derive(Parser, Debug)]
#[command(name = "tandem", version, about = "Product and project management in one system")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct DbArg {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB.
    #[arg(long = "db", env = "TANDEM_DATABASE_URL", default_value = "sqlite://tandem.db")]
    url: String,
}

/// What `serve` takes beyond where and which database.
#[derive(Args, Debug, Clone)]
struct ServeOptions {
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
}

impl ServeOptions {
    fn config(self) -> Result<Config, String> {
        let smtp = match self.smtp_host {
            None => None,
            Some(host) => {
                let from = self.mail_from.ok_or("set --mail-from (TANDEM_MAIL_FROM), the sender of Tandem's mail")?;
                let s = SmtpSettings {
                    host,
                    port: self.smtp_port,
                    security: SmtpSecurity::parse(&self.smtp_security).unwrap_or(SmtpSecurity::StartTls),
                    username: self.smtp_username,
                    password: std::env::var("TANDEM_SMTP_PASSWORD").ok().filter(|p| !p.is_empty()),
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
                client_secret: std::env::var("TANDEM_OIDC_CLIENT_SECRET").ok().filter(|s| !s.is_empty()),
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
        Ok(Config {
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

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web app and API.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, env = "TANDEM_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed the demo workspace (once) and print its users.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        options: ServeOptions,
    },
    /// Schedule an MS Project XML (MSPDI) file and print the result.
    Schedule {
        /// The MSPDI file.
        file: String,
        #[arg(long, value_enum, default_value = "table")]
        format: schedule::Format,
        /// Schedule remaining work after this date (2026-03-02 or 2026-03-02T08:00).
        #[arg(long)]
        status_date: Option<String>,
        /// Run a Monte Carlo simulation with this many iterations.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        monte_carlo: Option<u32>,
        /// Seed of the simulation: the same seed gives the same answer.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How durations are drawn from three-point estimates.
        #[arg(long, value_enum, default_value = "triangular")]
        distribution: schedule::Dist,
        /// Report the chance of finishing by this date.
        #[arg(long)]
        target: Option<String>,
        /// Level over-allocated resources first, and say what moved.
        #[arg(long)]
        level: bool,
    },
    /// Reads an MS Project XML (MSPDI) file, a Jira CSV export or a Trello
    /// board export into an empty project.
    Import {
        file: String,
        /// The file's format: mspdi, jira-csv or trello-json; without it,
        /// from its extension (.csv Jira, .json Trello, else MSPDI).
        #[arg(long, value_parser = import_format)]
        format: Option<ImportFormat>,
        /// A CSV or JSON file's encoding: utf-8 (default), windows-1252,
        /// utf-16le or utf-16be (a byte-order mark decides by itself).
        #[arg(long)]
        encoding: Option<String>,
        /// The project's key.
        #[arg(long)]
        project: String,
        /// The workspace's key, when several have a project with that key.
        #[arg(long)]
        workspace: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Writes a project out: MS Project XML, tasks CSV or milestones iCalendar.
    Export {
        #[arg(long)]
        project: String,
        #[arg(long, value_enum, default_value = "mspdi")]
        format: ExportArg,
        #[arg(long)]
        workspace: Option<String>,
        /// Write here instead of stdout.
        #[arg(long, short)]
        output: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Write the whole database to FILE in Tandem's portable backup format
    /// (the same for SQLite and PostgreSQL).
    Backup {
        file: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Restore FILE, a backup, into an empty database (migrated first), e.g.
    /// to move from SQLite to PostgreSQL.
    Restore {
        file: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

fn import_format(s: &str) -> Result<ImportFormat, String> {
    ImportFormat::parse(s).ok_or_else(|| format!("one of {}", ImportFormat::words()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportArg {
    Mspdi,
    Csv,
    Ics,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create a user in a workspace; the password is read from stdin.
    Add {
        #[arg(long)]
        email: String,
        /// admin, product_manager, project_manager, contributor or stakeholder.
        #[arg(long)]
        role: Role,
        /// The workspace's key or id.
        #[arg(long)]
        workspace: String,
        #[command(flatten)]
        db: DbArg,
    },
}

fn main() -> ExitCode {
    // Tasks woken by SQLite's connection threads (every query's answer)
    // wait in the runtime's global queue, which a busy worker looks at only
    // once in 61 tasks by default, after the sockets' tasks. Under load a
    // write transaction then holds SQLite's one writer for several queue
    // waits per statement, and writes pile up behind it. Looking at the
    // global queue every other task keeps database round trips prompt
    // (mixed load p90 43 → 12 ms on two cores; see BENCHMARKS.md).
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().global_queue_interval(2).build();
    match runtime {
        Ok(rt) => rt.block_on(start()),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

async fn open(db: &DbArg) -> Result<Store, String> {
    Store::open(&db.url).await.map_err(|e| format!("cannot open {}: {e}", tandem_store::redact(&db.url)))
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { db, bind, demo, options } => {
            let store = open(&db).await?;
            let config = options.config()?;
            let state = AppState::new(store, config);
            bootstrap(&state, demo).await?;
            let listener =
                tokio::net::TcpListener::bind(&bind).await.map_err(|e| format!("cannot listen on {bind}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("Tandem listening on http://{addr} ({})", state.store.backend().name());
            tandem_server::serve(listener, state.clone(), shutdown_signal()).await.map_err(|e| e.to_string())?;
            state.store.close().await;
            Ok(())
        }
        Command::Schedule { file, format, status_date, monte_carlo, seed, distribution, target, level } => {
            let options = tandem_formats::mspdi::Options {
                status_date: schedule::parse_date("--status-date", status_date.as_deref())?,
                default_start: Some(schedule::today_at_eight()),
                level,
            };
            let target = schedule::parse_date("--target", target.as_deref())?;
            let bytes = schedule::read_file(&file)?;
            // The file's bytes go once read: a large plan needs the room.
            let doc = tandem_formats::mspdi::read(&bytes).map_err(|e| format!("{file}: {e}"))?;
            drop(bytes);
            let report = schedule::run(doc, &options, monte_carlo, seed, distribution, target)
                .map_err(|e| format!("{file}: {e}"))?;
            schedule::print(&report, format)
        }
        Command::Import { file, format, encoding, project, workspace, db } => {
            use tandem_app::ops::interchange;
            let bytes = schedule::read_file(&file)?;
            let state = AppState::new(open(&db).await?, Config::default());
            let p = find_project(&state, workspace.as_deref(), &project).await?;
            let format = format.unwrap_or_else(|| ImportFormat::of_file_name(&file));
            let encoding = interchange::encoding(encoding.as_deref()).map_err(|e| e.to_string())?;
            let upload = interchange::Upload { format, encoding, bytes: &bytes };
            let r =
                interchange::import(&state, p.manager_id, p.id, upload).await.map_err(|e| format!("{file}: {e}"))?;
            println!(
                "imported {} tasks, {} dependencies, {} calendars into {} ({} resources created, {} matched)",
                r.tasks, r.dependencies, r.calendars, p.key, r.resources_created, r.resources_matched
            );
            for n in &r.notes {
                println!("note: {n}");
            }
            Ok(())
        }
        Command::Export { project, format, workspace, output, db } => {
            use tandem_app::ops::interchange::ExportFormat;
            let state = AppState::new(open(&db).await?, Config::default());
            let p = find_project(&state, workspace.as_deref(), &project).await?;
            let f = match format {
                ExportArg::Mspdi => ExportFormat::Mspdi,
                ExportArg::Csv => ExportFormat::Csv,
                ExportArg::Ics => ExportFormat::Ics,
            };
            let d = tandem_app::ops::interchange::export(&state, p.id, f).await.map_err(|e| e.to_string())?;
            match output {
                Some(path) => std::fs::write(&path, &d.body).map_err(|e| format!("cannot write {path}: {e}"))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&d.body).map_err(|e| format!("cannot write: {e}"))?;
                }
            }
            Ok(())
        }
        Command::Migrate { db } => {
            open(&db).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Backup { file, db } => {
            let store = open(&db).await?;
            let c = backup::backup(&store, &file).await?;
            println!("backed up {} rows of {} tables to {file}", c.rows, c.tables);
            Ok(())
        }
        Command::Restore { file, db } => {
            let store = open(&db).await?;
            let c = backup::restore(&store, &file).await?;
            println!("restored {} rows of {} tables from {file}", c.rows, c.tables);
            Ok(())
        }
        Command::User { command: UserCommand::Add { email, role, workspace, db } } => {
            let password = read_password()?;
            let state = AppState::new(open(&db).await?, Config::default());
            let m = tandem_app::seed::add_user(&state, &email, &password, role, &workspace)
                .await
                .map_err(|e| e.to_string())?;
            println!("created {} as {} in workspace {}", m.email, m.role, workspace);
            Ok(())
        }
    }
}

/// The project with `key`, in the workspace with key `ws` when given.
async fn find_project(state: &AppState, ws: Option<&str>, key: &str) -> Result<tandem_core::project::Project, String> {
    let ws_id = match ws {
        Some(k) => Some(
            state
                .store
                .workspace_by_key(&k.trim().to_uppercase())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no workspace with key {k}"))?
                .id,
        ),
        None => None,
    };
    let mut found = state.store.projects_by_key(ws_id, key).await.map_err(|e| e.to_string())?;
    match found.len() {
        0 => Err(format!("no project with key {key}")),
        1 => Ok(found.remove(0)),
        n => Err(format!("{n} workspaces have a project {key}: name one with --workspace")),
    }
}

async fn bootstrap(state: &AppState, demo: bool) -> Result<(), String> {
    if let (Ok(email), Ok(password)) = (std::env::var("TANDEM_ADMIN_EMAIL"), std::env::var("TANDEM_ADMIN_PASSWORD")) {
        let ws = std::env::var("TANDEM_WORKSPACE_NAME").unwrap_or_else(|_| "Tandem".to_owned());
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

/// The password: the first line of stdin (prompted for on a terminal).
fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    if pw.is_empty() {
        return Err("no password on stdin: pipe it in, e.g. `echo 'secret pass' | tandem user add …`".into());
    }
    Ok(pw)
}

async fn shutdown_signal() {
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
