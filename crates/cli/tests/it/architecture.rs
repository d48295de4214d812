//! The invariants of ARCHITECTURE.md that a reading of the sources can
//! hold: which crate may depend on which, who compares roles, which
//! modules may import which.

use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `[dependencies]` table of a crate's manifest, one name per entry.
fn dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml")).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && let Some((name, _)) = line.split_once('=') {
            out.push(name.trim().trim_end_matches(".workspace").to_owned());
        }
    }
    out
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a source file without its unit-test module and comments.
fn code(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Only a `#[cfg(test)]` that opens a module ends the code: one on a
    // single test helper does not hide what follows it.
    let end = (0..lines.len())
        .find(|&i| {
            lines[i].trim() == "#[cfg(test)]" && lines.get(i + 1).is_some_and(|n| n.trim_start().starts_with("mod "))
        })
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, (*l).to_owned()))
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(crates_dir()).unwrap_or(path).display().to_string()
}

#[test]
fn the_application_layer_names_no_http() {
    let http = ["axum", "axum-extra", "tower", "tower-http", "http", "hyper", "askama", "utoipa-axum", "cookie"];
    let deps = dependencies("app");
    assert!(deps.contains(&"tandem-store".to_owned()), "read the manifest: {deps:?}");
    for d in &deps {
        assert!(!http.contains(&d.as_str()), "crates/app depends on {d}: the application layer must not know HTTP");
    }
    for f in rust_files(&crates_dir().join("app/src")) {
        for (n, line) in code(&f) {
            assert!(!line.contains("axum"), "{}:{n} names axum", relative(&f));
        }
    }
}

#[test]
fn the_bottom_layers_stay_pure() {
    let io = ["tokio", "sqlx", "reqwest", "axum", "tandem-store", "tandem-app", "tandem-server"];
    for krate in ["core", "sched", "formats"] {
        for d in dependencies(krate) {
            assert!(!io.contains(&d.as_str()), "crates/{krate} depends on {d}: it must do no I/O");
        }
    }
    assert!(dependencies("sched").iter().all(|d| !d.starts_with("tandem")), "the engine imports nothing of Tandem");
    assert!(
        dependencies("formats").iter().all(|d| !d.starts_with("tandem") || d == "tandem-sched"),
        "formats imports only the engine"
    );
    assert!(!dependencies("store").iter().any(|d| d == "tandem-app" || d == "tandem-server" || d == "axum"));
    assert!(dependencies("core").iter().all(|d| !d.starts_with("tandem")), "core imports nothing of Tandem");
    assert!(!dependencies("app").iter().any(|d| d == "tandem-server"), "app does not know the server");
    assert!(!dependencies("server").iter().any(|d| d == "tandem-sched" || d == "tandem-formats"),);
}

/// A line that compares a role: `== Role::`, `!= Role::`, `matches!(…
/// Role::…)`, `contains(&Role::…)` or a match arm `Some(Role::…) =>`.
fn compares_a_role(line: &str) -> bool {
    let Some(at) = line.find("Role::") else { return false };
    let before = &line[..at];
    let after = &line[at..];
    let before_some = before.trim_end().strip_suffix("Some(").unwrap_or(before).trim_end();
    before_some.ends_with("==")
        || before_some.ends_with("!=")
        || (before.trim().is_empty() && after.contains("=>"))
        || after
            .split_once(' ')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with("==") || rest.trim_start().starts_with("!="))
        || before.contains("matches!(")
        || before.ends_with("contains(&")
        || (before.trim_end().ends_with("Some(") && after.contains("=>"))
}

#[test]
fn only_core_access_compares_roles() {
    assert!(compares_a_role("if role == Role::Admin {"));
    assert!(compares_a_role("a.role != Role::Stakeholder"));
    assert!(compares_a_role("matches!(role, Role::Admin | Role::ProjectManager)"));
    assert!(compares_a_role("required.contains(&Role::Admin)"));
    assert!(compares_a_role("Some(Role::ProjectManager | Role::Admin) => Ok(()),"));
    assert!(compares_a_role("if role == Some(Role::Admin) {"));
    assert!(compares_a_role("        Role::Admin => true,"));
    assert!(!compares_a_role("users.get(&Role::ProjectManager)"));
    // The rules, and the role's own definition (its words and labels).
    let allowed = [crates_dir().join("core/src/access.rs"), crates_dir().join("core/src/role.rs")];
    let mut found = Vec::new();
    for krate in ["core", "store", "app", "server", "cli"] {
        for f in rust_files(&crates_dir().join(krate).join("src")) {
            if allowed.contains(&f) {
                continue;
            }
            for (n, line) in code(&f) {
                if compares_a_role(&line) {
                    found.push(format!("{}:{n}: {}", relative(&f), line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "roles are compared only in core::access; found:\n{}", found.join("\n"));
}

#[test]
fn api_and_pages_never_import_each_other() {
    let server = crates_dir().join("server/src");
    let mut found = Vec::new();
    for (dir, other) in [("api", "web"), ("web", "api")] {
        for f in rust_files(&server.join(dir)) {
            for (n, line) in code(&f) {
                let via_super =
                    line.contains(&format!("super::{other}")) || line.contains(&format!("super::super::{other}"));
                let in_braces = line.contains("crate::{") && line.contains(&format!(" {other}"));
                if line.contains(&format!("crate::{other}")) || via_super || in_braces {
                    found.push(format!("{}:{n}: {}", relative(&f), line.trim()));
                }
            }
        }
    }
    for f in rust_files(&server) {
        let inside = f.starts_with(server.join("api")) || f.starts_with(server.join("web"));
        if inside || f.ends_with("lib.rs") {
            continue;
        }
        for (n, line) in code(&f) {
            if line.contains("crate::api") || line.contains("crate::web") {
                found.push(format!("{}:{n}: {}", relative(&f), line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "api/ and web/ stand side by side over the shared modules; found:\n{}", found.join("\n"));
}

/// A store method that changes data, by its name.
fn is_store_write(line: &str) -> Option<String> {
    const WRITES: [&str; 20] = [
        "create_", "update_", "delete_", "set_", "add_", "remove_", "mark_", "link_", "unlink_", "move_", "record_",
        "revoke_", "clear_", "accept_", "decide_", "route_", "log_", "import_", "apply_", "edit_",
    ];
    let mut rest = line;
    while let Some(at) = rest.find("store.") {
        let name: String = rest[at + 6..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if WRITES.iter().any(|w| name.starts_with(w)) {
            return Some(name);
        }
        rest = &rest[at + 6..];
    }
    None
}

#[test]
fn every_write_goes_through_the_application_layer() {
    assert_eq!(is_store_write("state.store.delete_task(a, b, now)"), Some("delete_task".into()));
    assert_eq!(is_store_write("state.store.tasks(p)"), None);
    let mut found = Vec::new();
    for f in rust_files(&crates_dir().join("server/src")) {
        // A method chain split over lines (`state\n.store\n.update_…(`)
        // is read as one line.
        let mut joined: Vec<(usize, String)> = Vec::new();
        for (n, line) in code(&f) {
            match joined.last_mut() {
                Some((_, prev)) if line.trim_start().starts_with('.') => prev.push_str(line.trim()),
                _ => joined.push((n, line)),
            }
        }
        for (n, line) in joined {
            if let Some(name) = is_store_write(&line) {
                found.push(format!("{}:{n}: {name}", relative(&f)));
            }
        }
    }
    assert!(found.is_empty(), "the server writes only through tandem-app; found:\n{}", found.join("\n"));
}

#[test]
fn no_source_file_is_over_six_hundred_lines() {
    let mut found = Vec::new();
    for krate in ["core", "sched", "formats", "store", "app", "server", "cli"] {
        for f in rust_files(&crates_dir().join(krate).join("src")) {
            let n = std::fs::read_to_string(&f).unwrap().lines().count();
            if n > 600 {
                found.push(format!("{}: {n} lines", relative(&f)));
            }
        }
    }
    assert!(found.is_empty(), "split these by area (ARCHITECTURE.md):\n{}", found.join("\n"));
}
