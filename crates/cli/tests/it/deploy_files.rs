//! The files in `deploy/` are what their tools accept: the systemd unit
//! (`systemd-analyze verify`), the nginx site (`nginx -t`), the Caddyfile
//! (`caddy validate`) and the example `tandem.toml` (`tandem config
//! check`). The tools come from Debian's packages (`systemd`, `nginx-light`,
//! `caddy`, `openssl`); without them a check prints `skipped`, and
//! `TANDEM_REQUIRE_DEPLOY_TOOLS=1` (CI) turns that into a failure.

use std::path::{Path, PathBuf};

use tokio::process::Command;

const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy");

fn tool(test: &str, exe: &str) -> Option<PathBuf> {
    let package = match exe {
        "systemd-analyze" => "systemd",
        "nginx" => "nginx-light",
        other => other,
    };
    crate::support::installed_tool(test, exe, package, "TANDEM_REQUIRE_DEPLOY_TOOLS")
}

async fn run(exe: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(exe).args(args).output().await.unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn scratch(name: &str) -> PathBuf {
    crate::support::scratch_dir(&format!("deploy-{name}"))
}

#[tokio::test]
async fn the_systemd_unit_verifies() {
    let Some(analyze) = tool("the_systemd_unit_verifies", "systemd-analyze") else {
        return;
    };
    let d = scratch("systemd");
    // The unit as installed, but starting the binary under test.
    let unit = std::fs::read_to_string(format!("{DEPLOY}/tandem.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/tandem serve"));
    let unit = unit.replace("/usr/local/bin/tandem", env!("CARGO_BIN_EXE_tandem"));
    let file = d.join("tandem.service");
    std::fs::write(&file, unit).unwrap();
    let (ok, out) = run(&analyze, &["verify", file.to_str().unwrap()]).await;
    assert!(ok && out.trim().is_empty(), "systemd-analyze verify: {out}");
    let _ = std::fs::remove_dir_all(&d);
}

#[tokio::test]
async fn the_nginx_site_passes_nginx_t() {
    let test = "the_nginx_site_passes_nginx_t";
    let (Some(nginx), Some(openssl)) = (tool(test, "nginx"), tool(test, "openssl")) else {
        return;
    };
    let d = scratch("nginx");
    let (cert, key) = (d.join("cert.pem"), d.join("key.pem"));
    let (ok, out) = run(
        &openssl,
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tandem.example.com"]
            .iter()
            .copied()
            .chain(["-keyout", key.to_str().unwrap(), "-out", cert.to_str().unwrap()])
            .collect::<Vec<_>>(),
    )
    .await;
    assert!(ok, "{out}");
    let site = std::fs::read_to_string(format!("{DEPLOY}/nginx.conf"))
        .unwrap()
        .replace("/etc/letsencrypt/live/tandem.example.com/fullchain.pem", cert.to_str().unwrap())
        .replace("/etc/letsencrypt/live/tandem.example.com/privkey.pem", key.to_str().unwrap());
    std::fs::write(d.join("tandem.conf"), site).unwrap();
    // As conf.d includes it, inside the http block of a minimal main file.
    let main = format!(
        "pid {0}/nginx.pid;\nerror_log {0}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  include {0}/tandem.conf;\n}}\n",
        d.display()
    );
    std::fs::write(d.join("nginx.conf"), main).unwrap();
    let conf = d.join("nginx.conf");
    let (ok, out) = run(&nginx, &["-t", "-c", conf.to_str().unwrap(), "-p", d.to_str().unwrap()]).await;
    assert!(ok, "nginx -t: {out}");
    let _ = std::fs::remove_dir_all(&d);
}

#[tokio::test]
async fn the_caddyfile_validates() {
    let Some(caddy) = tool("the_caddyfile_validates", "caddy") else {
        return;
    };
    let d = scratch("caddy");
    // Caddy keeps its state under HOME; the test's own.
    let out = Command::new(caddy)
        .args(["validate", "--adapter", "caddyfile", "--config", &format!("{DEPLOY}/Caddyfile")])
        .env("HOME", &d)
        .env("XDG_DATA_HOME", &d)
        .env("XDG_CONFIG_HOME", &d)
        .output()
        .await
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("Valid configuration"), "caddy validate: {text}");
    let _ = std::fs::remove_dir_all(&d);
}

#[tokio::test]
async fn the_example_configuration_checks() {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["config", "check", "--config", &format!("{DEPLOY}/tandem.toml")])
        .env_remove("TANDEM_DATABASE_URL")
        .env_remove("TANDEM_CONFIG")
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("trusted_proxies = \"127.0.0.1/32, ::1/128\""), "{text}");
    assert!(text.trim_end().ends_with("# the configuration is valid"));
}
