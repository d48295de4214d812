//! `tandem`: the one binary. Each subcommand calls the library crates; no
//! logic lives here beyond reading arguments and printing results.

mod backup;
mod logging;
mod schedule;
mod serve;
mod settings;

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use tandem_app::ops::interchange::ImportFormat;
use tandem_core::Role;
use tandem_server::{AppState, Config};
use tandem_store::Store;

#[derive(Parser, Debug)]
#[command(name = "tandem", version, about = "Product and project management in one system")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The configuration file (TOML); without it, tandem.toml in the
    /// working directory when there is one. Flags and environment
    /// variables win over it.
    #[arg(long, global = true, env = "TANDEM_CONFIG")]
    config: Option<String>,
    /// How log lines are written to stderr: text (for people) or json
    /// (one object per line, for log collectors).
    #[arg(long, global = true, env = "TANDEM_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: logging::Format,
    /// Which log lines are written: a level (info, debug) or per-module
    /// directives (info,tandem_app=debug).
    #[arg(long, global = true, env = "RUST_LOG", default_value = "info,sqlx=warn")]
    log_filter: String,
}

#[derive(Args, Debug, Clone)]
pub struct DbArg {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB.
    #[arg(
        id = "db",
        long = "db",
        env = "TANDEM_DATABASE_URL",
        default_value = "sqlite://tandem.db",
        hide_env_values = true
    )]
    pub url: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web app and API.
    Serve {
        #[command(flatten)]
        args: serve::ServeArgs,
        /// Seed the demo workspace (once) and print its users.
        #[arg(long)]
        demo: bool,
    },
    /// Check the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
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
        /// List what would be applied, and change nothing.
        #[arg(long)]
        dry_run: bool,
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
enum ConfigCommand {
    /// Print the effective configuration (file, environment and flags, with
    /// secrets hidden) and check that a server could start with it.
    Check {
        #[command(flatten)]
        args: serve::ServeArgs,
    },
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
    let parsed = match parse() {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::FAILURE;
        }
    };
    match run(parsed).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// The command line, read over the configuration file's values.
struct Parsed {
    cli: Cli,
    cmd: clap::Command,
    matches: clap::ArgMatches,
    layers: settings::Layers,
}

fn parse() -> Result<Parsed, String> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cmd = Cli::command();
    let file = match settings::config_path(&args) {
        Some((path, _)) => settings::FileSettings::read(&path, &settings::known_keys(&cmd))?,
        None => settings::FileSettings::default(),
    };
    let (mut cmd, layers) = settings::apply(cmd, file)?;
    // Help, the version and usage errors print as clap words them.
    let matches = cmd.try_get_matches_from_mut(args).unwrap_or_else(|e| e.exit());
    let cli = Cli::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    Ok(Parsed { cli, cmd, matches, layers })
}

async fn open(db: &DbArg) -> Result<Store, String> {
    Store::open(&db.url).await.map_err(|e| format!("cannot open {}: {e}", tandem_store::redact(&db.url)))
}

async fn run(parsed: Parsed) -> Result<(), String> {
    let Parsed { cli, cmd, matches, layers } = parsed;
    let metrics = std::sync::Arc::new(tandem_app::metrics::Metrics::new());
    let timed = matches!(&cli.command, Command::Serve { args, .. } if args.options.metrics);
    logging::init(cli.log_format, &cli.log_filter, timed.then(|| metrics.clone()))?;
    match cli.command {
        Command::Serve { args, demo } => {
            let serve::ServeArgs { db, bind, options } = args;
            let store = open(&db).await?;
            let config = options.config(&layers)?;
            if config.metrics.as_ref().is_some_and(|m| m.token.is_none()) {
                tracing::warn!(
                    "/metrics answers anyone who reaches this server: set a metrics token or keep it private"
                );
            }
            let mut state = AppState::new(store, config);
            state.app.metrics = metrics;
            serve::bootstrap(&state, &layers, demo).await?;
            let listener =
                tokio::net::TcpListener::bind(&bind).await.map_err(|e| format!("cannot listen on {bind}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("Tandem listening on http://{addr} ({})", state.store.backend().name());
            // `serve` closes the database's connections once stopped.
            tandem_server::serve(listener, state.clone(), serve::shutdown_signal()).await.map_err(|e| e.to_string())?;
            tracing::info!("stopped");
            Ok(())
        }
        Command::Config { command: ConfigCommand::Check { args } } => {
            let check = cmd.find_subcommand("config").and_then(|c| c.find_subcommand("check"));
            let m = matches.subcommand_matches("config").and_then(|m| m.subcommand_matches("check"));
            match (check, m) {
                (Some(c), Some(m)) => serve::check(args, c, m, &layers),
                _ => Err("config check: arguments not found".to_owned()),
            }
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
        Command::Migrate { db, dry_run } => migrate(&db, dry_run).await,
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

/// `tandem migrate [--dry-run]`: what runs (or would), by version and name.
async fn migrate(db: &DbArg, dry_run: bool) -> Result<(), String> {
    let fresh = db
        .url
        .strip_prefix("sqlite://")
        .is_some_and(|f| !f.contains(":memory:") && !std::path::Path::new(f.split('?').next().unwrap_or(f)).exists());
    if dry_run && fresh {
        println!("no database at {} yet: every migration would run", db.url);
        return Ok(());
    }
    let store =
        Store::connect(&db.url).await.map_err(|e| format!("cannot open {}: {e}", tandem_store::redact(&db.url)))?;
    let plan = store.migration_plan().await.map_err(|e| e.to_string())?;
    if !plan.unknown.is_empty() {
        return Err(tandem_store::StoreError::NewerSchema(plan.unknown).to_string());
    }
    if let Some(v) = plan.failed.first() {
        return Err(format!(
            "migration {v} failed part-way on an earlier run: restore the backup taken before the upgrade"
        ));
    }
    let list = |verb: &str| {
        println!("{verb} {} migration{}:", plan.pending.len(), if plan.pending.len() == 1 { "" } else { "s" });
        for m in &plan.pending {
            println!("  {:04} {}", m.version, m.name);
        }
    };
    if plan.pending.is_empty() {
        println!("database is up to date");
    } else if dry_run {
        list("would apply");
    } else {
        store.migrate().await.map_err(|e| e.to_string())?;
        list("applied");
    }
    store.close().await;
    Ok(())
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
