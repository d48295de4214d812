//! The configuration file, `tandem.toml`, layered under the environment
//! and the flags: flags win over environment variables, which win over the
//! file, which wins over the defaults.
//!
//! The file's keys are the flags' long names in snake_case (`public_url`),
//! either at the top or in a table named after their first word
//! (`[smtp] host` is `smtp_host`). Each value the file sets becomes that
//! flag's default before the command line is read, so clap applies the one
//! order everywhere. Any key may instead be read from a file, by
//! `KEY_file` in `tandem.toml` or `TANDEM_…_FILE` in the environment (for
//! secrets mounted by Docker, Kubernetes or systemd credentials).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Command;
use clap::parser::ValueSource;

/// The largest configuration or secret file read.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Values read from the environment only or from the file, never as
/// flags: a flag's value shows in the process list.
pub const SECRETS: &[(&str, &str)] = &[
    ("smtp_password", "TANDEM_SMTP_PASSWORD"),
    ("oidc_client_secret", "TANDEM_OIDC_CLIENT_SECRET"),
    ("metrics_token", "TANDEM_METRICS_TOKEN"),
    ("admin_password", "TANDEM_ADMIN_PASSWORD"),
];

/// Settings of the first start, read like secrets (no flag), but shown.
pub const PLAIN: &[(&str, &str)] =
    &[("admin_email", "TANDEM_ADMIN_EMAIL"), ("workspace_name", "TANDEM_WORKSPACE_NAME")];

/// Arguments that are not settings: the file may not set them.
const NOT_SETTINGS: &[&str] = &["help", "version", "config", "demo"];

/// Where a value came from, for `tandem config check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(String),
    Environment(String),
    Flag,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(k) => write!(f, "file: {k}"),
            Origin::Environment(v) => write!(f, "environment: {v}"),
            Origin::Flag => f.write_str("flag"),
        }
    }
}

/// The configuration file as read: its path (none: no file) and its
/// values by key.
#[derive(Debug, Default)]
pub struct FileSettings {
    pub path: Option<PathBuf>,
    values: BTreeMap<String, String>,
}

/// The layers below the flags, applied to the command line's parser.
#[derive(Debug, Default)]
pub struct Layers {
    pub file: FileSettings,
    /// Defaults set from the file or from `TANDEM_…_FILE`: where each came from.
    pub origins: BTreeMap<String, Origin>,
}

/// The configuration file named by `--config FILE` or `TANDEM_CONFIG`, else
/// `tandem.toml` in the working directory when there is one.
pub fn config_path(args: &[std::ffi::OsString]) -> Option<(PathBuf, bool)> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        if a == "--config" {
            return it.next().map(|p| (PathBuf::from(p), true));
        }
        if let Some(p) = a.strip_prefix("--config=") {
            return Some((PathBuf::from(p), true));
        }
    }
    if let Some(p) = std::env::var_os("TANDEM_CONFIG").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    let local = PathBuf::from("tandem.toml");
    local.is_file().then_some((local, false))
}

/// Reads a file of at most a megabyte as text.
fn read_small(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut text = String::new();
    f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{}: larger than {MAX_FILE_BYTES} bytes", path.display()));
    }
    Ok(text)
}

/// A secret's file: its text without the line end editors and `echo` add.
pub fn read_secret_file(path: &Path) -> Result<String, String> {
    Ok(read_small(path)?.trim_end_matches(['\r', '\n']).to_owned())
}

impl FileSettings {
    /// Reads and checks `path`: every key must name a setting.
    pub fn read(path: &Path, known: &[String]) -> Result<FileSettings, String> {
        let text = read_small(path)?;
        let name = path.display().to_string();
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e.span().and_then(|s| text.get(..s.start)).map_or(1, |t| t.matches('\n').count() + 1);
            let what = e.message().lines().next().unwrap_or("not valid TOML");
            format!("{name}: line {line}: {what}")
        })?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            match value {
                toml::Value::Table(inner) => {
                    for (k, v) in inner {
                        let flat = format!("{key}_{k}");
                        let shown = format!("{key}.{k}");
                        values.insert(checked_key(&name, &flat, &shown, known)?, scalar(&name, &shown, v)?);
                    }
                }
                v => {
                    let k = checked_key(&name, &key, &key, known)?;
                    values.insert(k, scalar(&name, &key, v)?);
                }
            }
        }
        Ok(FileSettings { path: Some(path.to_owned()), values })
    }

    /// The file's value for `key`, read from `key_file` when that is set.
    pub fn get(&self, key: &str) -> Result<Option<String>, String> {
        if let Some(v) = self.values.get(key) {
            return Ok(Some(v.clone()));
        }
        match self.values.get(&format!("{key}_file")) {
            Some(p) => read_secret_file(Path::new(p)).map(Some),
            None => Ok(None),
        }
    }
}

fn checked_key(file: &str, key: &str, shown: &str, known: &[String]) -> Result<String, String> {
    let base = key.strip_suffix("_file").unwrap_or(key);
    if known.iter().any(|k| k == key || k == base) {
        Ok(key.to_owned())
    } else {
        Err(format!("{file}: unknown key `{shown}` (the keys are the flags of `tandem serve --help` in snake_case)"))
    }
}

fn scalar(file: &str, key: &str, v: toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(s),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        // A list (trusted_proxies = ["10.0.0.0/8", "::1"]) as the flag takes it.
        toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => {
            Ok(items.iter().filter_map(toml::Value::as_str).collect::<Vec<_>>().join(", "))
        }
        _ => Err(format!("{file}: `{key}` must be a string, a whole number, true/false or a list of strings")),
    }
}

/// Every key the file may hold: the root's settings (logging) and
/// `serve`'s, the secrets and the first-start values. Other commands'
/// options (`--dry-run`, `--format`) are choices of one run, not settings.
pub fn known_keys(cmd: &Command) -> Vec<String> {
    let mut out = Vec::new();
    let serve = cmd.find_subcommand("serve");
    for a in cmd.get_arguments().chain(serve.into_iter().flat_map(Command::get_arguments)) {
        let id = a.get_id().as_str();
        if a.get_long().is_some() && !NOT_SETTINGS.contains(&id) && !out.iter().any(|k| k == id) {
            out.push(id.to_owned());
        }
    }
    out.extend(SECRETS.iter().chain(PLAIN).map(|(k, _)| (*k).to_owned()));
    out
}

/// `cmd` with the defaults the layers give: `TANDEM_…_FILE` over the file.
/// Flags and plain environment variables still win, as clap applies them.
pub fn apply(cmd: Command, file: FileSettings) -> Result<(Command, Layers), String> {
    let mut layers = Layers { file, origins: BTreeMap::new() };
    let mut defaults: BTreeMap<String, String> = BTreeMap::new();
    let args = known_keys(&cmd).into_iter().filter(|k| !SECRETS.iter().chain(PLAIN).any(|(s, _)| s == k));
    for key in args.collect::<Vec<_>>() {
        let env = env_name(&cmd, &key);
        if let Some(v) = env.as_deref().and_then(env_file_value).transpose()? {
            defaults.insert(key.clone(), v);
            layers.origins.insert(key, Origin::Environment(format!("{}_FILE", env.unwrap_or_default())));
        } else if let Some(v) = layers.file.get(&key)? {
            defaults.insert(key.clone(), v);
            let origin = layers.file_origin(&key);
            layers.origins.insert(key, origin);
        }
    }
    Ok((with_defaults(cmd, &defaults), layers))
}

/// `TANDEM_X_FILE`'s contents when `TANDEM_X` itself is not set.
fn env_file_value(env: &str) -> Option<Result<String, String>> {
    if std::env::var_os(env).is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let path = std::env::var_os(format!("{env}_FILE")).filter(|p| !p.is_empty())?;
    Some(read_secret_file(Path::new(&path)).map_err(|e| format!("{env}_FILE: {e}")))
}

/// The environment variable of the argument `key`, wherever it is declared.
fn env_name(cmd: &Command, key: &str) -> Option<String> {
    fn find(cmd: &Command, key: &str) -> Option<String> {
        cmd.get_arguments()
            .find(|a| a.get_id().as_str() == key)
            .and_then(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned())
            .or_else(|| cmd.get_subcommands().find_map(|s| find(s, key)))
    }
    find(cmd, key)
}

fn with_defaults(mut cmd: Command, defaults: &BTreeMap<String, String>) -> Command {
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().as_str().to_owned()).collect();
    for id in ids {
        if let Some(v) = defaults.get(&id) {
            // Hidden from --help: a value from a file may hold a password.
            cmd = cmd.mut_arg(id.as_str(), |a| {
                let hide = a.get_action().takes_values();
                a.default_value(v.clone()).hide_default_value(hide)
            });
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for s in subs {
        cmd = cmd.mut_subcommand(s.as_str(), |sc| with_defaults(sc, defaults));
    }
    cmd
}

impl Layers {
    /// A value that is never a flag (a secret or a first-start setting):
    /// the environment, then `TANDEM_…_FILE`, then the file; and where it
    /// came from.
    pub fn value(&self, key: &str) -> Result<Option<(String, Origin)>, String> {
        let Some(env) = SECRETS.iter().chain(PLAIN).find(|(k, _)| *k == key).map(|(_, e)| *e) else {
            return Ok(None);
        };
        if let Some(v) = std::env::var(env).ok().filter(|v| !v.is_empty()) {
            return Ok(Some((v, Origin::Environment(env.to_owned()))));
        }
        if let Some(v) = env_file_value(env).transpose()? {
            return Ok(Some((v, Origin::Environment(format!("{env}_FILE")))));
        }
        Ok(self.file.get(key)?.map(|v| (v, self.file_origin(key))))
    }

    fn file_origin(&self, key: &str) -> Origin {
        let path = self.file.path.as_ref().map_or(String::new(), |p| p.display().to_string());
        Origin::File(format!("{path} ({key})"))
    }

    /// Where the value of argument `id` came from.
    pub fn origin(&self, matches: &clap::ArgMatches, id: &str, env: &str) -> Origin {
        match matches.value_source(id) {
            Some(ValueSource::CommandLine) => Origin::Flag,
            Some(ValueSource::EnvVariable) => Origin::Environment(env.to_owned()),
            _ => self.origins.get(id).cloned().unwrap_or(Origin::Default),
        }
    }
}
