//! `tandem.toml`: layered under the environment and the flags, unknown keys
//! refused by name, secrets from files, `tandem config check`.

use std::process::Stdio;

use tokio::process::Command;

/// Runs `tandem` in `dir` with `env`; exit code, stdout, stderr.
async fn tandem_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .current_dir(dir)
        .env_remove("TANDEM_DATABASE_URL")
        .env_remove("TANDEM_CONFIG")
        .env_remove("TANDEM_SMTP_PASSWORD")
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn dir(name: &str) -> std::path::PathBuf {
    crate::support::scratch_dir(&format!("config-{name}"))
}

/// The line of `key` in `config check`'s output.
fn line<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines().find(|l| l.starts_with(&format!("{key} = "))).unwrap_or_else(|| panic!("no {key} in {out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_sits_under_environment_and_flags_and_hides_secrets() {
    let d = dir("layers");
    std::fs::write(d.join("smtp-password"), "from a file\n").unwrap();
    std::fs::write(
        d.join("tandem.toml"),
        format!(
            "db = \"postgres://tandem:dbsecret@db.internal/tandem\"\nbind = \"0.0.0.0:9000\"\n\
             digest_hour = 5\npublic_url = \"https://tandem.example\"\nmail_from = \"Tandem <t@example.com>\"\n\
             [smtp]\nhost = \"mail.example\"\nport = 2525\npassword_file = \"{}\"\n",
            d.join("smtp-password").display()
        ),
    )
    .unwrap();
    // tandem.toml in the working directory is read without being named.
    let (code, out, err) =
        tandem_in(&d, &["config", "check", "--digest-hour", "9"], &[("TANDEM_SMTP_PORT", "465")]).await;
    assert_eq!(code, 0, "{err}");
    assert!(line(&out, "bind").contains("\"0.0.0.0:9000\"") && line(&out, "bind").contains("tandem.toml"), "{out}");
    assert!(line(&out, "digest_hour").starts_with("digest_hour = 9") && line(&out, "digest_hour").ends_with("# flag"));
    assert!(line(&out, "smtp_port").starts_with("smtp_port = 465"), "environment over file: {out}");
    assert!(line(&out, "smtp_port").contains("TANDEM_SMTP_PORT"));
    assert_eq!(line(&out, "smtp_host"), "smtp_host = \"mail.example\"  # file: tandem.toml (smtp_host)");
    assert!(line(&out, "smtp_password").contains("(hidden)"), "{out}");
    assert!(line(&out, "db").contains("tandem:***@db.internal"), "{out}");
    assert!(!out.contains("dbsecret") && !out.contains("from a file"), "a secret was printed: {out}");
    assert!(out.contains("# the configuration is valid"));

    // A secret from TANDEM_…_FILE wins over the file's value.
    std::fs::write(d.join("other"), "x").unwrap();
    let other = d.join("other").display().to_string();
    let (code, out, _) = tandem_in(&d, &["config", "check"], &[("TANDEM_SMTP_PASSWORD_FILE", &other)]).await;
    assert_eq!(code, 0);
    assert!(line(&out, "smtp_password").contains("TANDEM_SMTP_PASSWORD_FILE"), "{out}");

    // A file named by --config; settings that cannot make a server are refused.
    std::fs::write(d.join("broken.toml"), "[smtp]\nhost = \"mail.example\"\n").unwrap();
    let (code, _, err) = tandem_in(&d, &["config", "check", "--config", "broken.toml"], &[]).await;
    assert_eq!(code, 1);
    assert_eq!(err.trim(), "error: set --mail-from (TANDEM_MAIL_FROM), the sender of Tandem's mail");
    let _ = std::fs::remove_dir_all(&d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_and_bad_files_are_refused_with_one_line() {
    let d = dir("refused");
    let cases: [(&str, &str); 4] = [
        ("[smtp]\nhots = \"mail.example\"\n", "error: bad.toml: unknown key `smtp.hots`"),
        ("bnid = \"0.0.0.0:80\"\n", "error: bad.toml: unknown key `bnid`"),
        (
            "bind = [1, 2]\n",
            "error: bad.toml: `bind` must be a string, a whole number, true/false or a list of strings",
        ),
        ("bind = \"unterminated\n", "error: bad.toml: "),
    ];
    for (text, expected) in cases {
        std::fs::write(d.join("bad.toml"), text).unwrap();
        let (code, out, err) = tandem_in(&d, &["migrate", "--config", "bad.toml"], &[]).await;
        assert_eq!(code, 1, "{text}: {out}{err}");
        assert!(err.starts_with(expected), "{text}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!d.join("tandem.db").exists(), "nothing may run on a refused configuration");
    }
    let (code, _, err) = tandem_in(&d, &["migrate"], &[("TANDEM_CONFIG", "missing.toml")]).await;
    assert_eq!(code, 1);
    assert!(err.starts_with("error: cannot read missing.toml"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_from_files_never_show_and_empty_ones_are_refused() {
    let d = dir("secrets");
    std::fs::write(d.join("db-url"), "postgres://tandem:hunter22@db.internal/tandem?sslmode=disable\n").unwrap();
    let db_file = d.join("db-url").display().to_string();
    std::fs::write(
        d.join("t.toml"),
        "metrics = true\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nmetrics_token_file = \"empty\"\n",
    )
    .unwrap();
    std::fs::write(d.join("empty"), "\n").unwrap();
    // --config=FILE; an empty secret is a mistake, said with where it came from.
    let env = [("TANDEM_DATABASE_URL_FILE", db_file.as_str())];
    let (code, _, err) = tandem_in(&d, &["config", "check", "--config=t.toml"], &env).await;
    assert_eq!(code, 1);
    assert!(err.starts_with("error: metrics_token is empty (file: t.toml (metrics_token))"), "{err}");

    std::fs::write(d.join("empty"), "s3cret-token\n").unwrap();
    let (code, out, err) = tandem_in(&d, &["config", "check", "--config=t.toml"], &env).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        line(&out, "db"),
        "db = \"postgres://tandem:***@db.internal/tandem?sslmode=disable\"  # environment: TANDEM_DATABASE_URL_FILE"
    );
    assert_eq!(line(&out, "metrics"), "metrics = true  # file: t.toml (metrics)");
    assert!(line(&out, "trusted_proxies").starts_with("trusted_proxies = \"10.0.0.0/8, ::1\""), "{out}");
    assert!(!out.contains("hunter22") && !out.contains("s3cret-token"), "{out}");
    // Nor does --help show a value a file gave.
    let (_, help, _) = tandem_in(&d, &["serve", "--help", "--config=t.toml"], &env).await;
    assert!(!help.contains("hunter22") && help.contains("--db"), "{help}");

    // Only settings belong in the file: one run's choices are refused.
    std::fs::write(d.join("t.toml"), "dry_run = true\n").unwrap();
    let (code, _, err) = tandem_in(&d, &["migrate", "--config", "t.toml"], &[]).await;
    assert_eq!(code, 1);
    assert!(err.starts_with("error: t.toml: unknown key `dry_run`"), "{err}");
    // A syntax error says its line.
    std::fs::write(d.join("t.toml"), "bind = \"127.0.0.1:8080\"\n\nbind = 2\n").unwrap();
    let (code, _, err) = tandem_in(&d, &["migrate", "--config", "t.toml"], &[]).await;
    assert_eq!(code, 1);
    assert!(err.starts_with("error: t.toml: line 3: "), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
