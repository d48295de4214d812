//! `tandem schedule`: the JSON contract, errors, Monte Carlo.

use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn tandem(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_follows_the_contract() {
    let (code, out, err) = tandem(&["schedule", &fixture("estimates.xml"), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["project"]["start"], "2026-03-02T08:00:00");
    assert_eq!(v["project"]["finish"], "2026-03-20T17:00:00");
    let build = v["tasks"].as_array().unwrap().iter().find(|t| t["uid"] == 2).unwrap();
    for key in [
        "uid",
        "id",
        "name",
        "summary",
        "milestone",
        "start",
        "finish",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_slack_minutes",
        "free_slack_minutes",
        "critical",
    ] {
        assert!(build.get(key).is_some(), "{key} missing");
    }
    assert_eq!(build["start"], "2026-03-09T08:00:00");
    assert_eq!(build["critical"], true);
    let docs = v["tasks"].as_array().unwrap().iter().find(|t| t["uid"] == 3).unwrap();
    assert_eq!(docs["total_slack_minutes"], 8 * 480);
    assert_eq!(v["tasks"][0]["summary"], true);
    assert!(v.get("monte_carlo").is_none());
}

#[test]
fn monte_carlo_is_reproducible_and_reports_criticality() {
    let args = [
        "schedule",
        &fixture("estimates.xml"),
        "--format",
        "json",
        "--monte-carlo",
        "2000",
        "--seed",
        "9",
        "--distribution",
        "pert",
    ];
    let (code, out, err) = tandem(&args);
    assert_eq!(code, 0, "{err}");
    let (_, again, _) = tandem(&args);
    assert_eq!(out, again, "same seed, same answer");
    let v: Value = serde_json::from_str(&out).unwrap();
    let mc = &v["monte_carlo"];
    let dates: Vec<&str> = ["p10", "p50", "p80", "p90"].iter().map(|k| mc[k].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    assert!(dates[0] >= "2026-03-18", "{dates:?}");
    assert_eq!(mc["estimated_tasks"], 2);
    let crit = |uid: i64| {
        mc["criticality"].as_array().unwrap().iter().find(|c| c["uid"] == uid).unwrap()["criticality"].as_f64().unwrap()
    };
    assert_eq!(crit(2), 1.0);
    assert_eq!(crit(3), 0.0);
    let total: u64 = mc["histogram"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 2000);
    let (_, other, _) =
        tandem(&["schedule", &fixture("estimates.xml"), "--format", "json", "--monte-carlo", "2000", "--seed", "10"]);
    assert_ne!(out, other);
}

#[test]
fn bad_input_is_one_line_on_stderr() {
    let dir = std::env::temp_dir().join(format!("tandem-sched-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cycle = dir.join("cycle.xml");
    std::fs::write(
        &cycle,
        r#"<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2026-03-02T08:00:00</StartDate><Tasks>
        <Task><UID>1</UID><Duration>PT8H0M0S</Duration><PredecessorLink><PredecessorUID>2</PredecessorUID></PredecessorLink></Task>
        <Task><UID>2</UID><Duration>PT8H0M0S</Duration><PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink></Task>
        </Tasks></Project>"#,
    )
    .unwrap();
    let truncated = dir.join("truncated.xml");
    std::fs::write(&truncated, "<Project xmlns=\"http://schemas.microsoft.com/project\"><Tasks><Task><UID>1</UI")
        .unwrap();
    let cases: [(Vec<String>, &str); 5] = [
        (vec![cycle.display().to_string()], "dependency cycle between task UIDs"),
        (vec![truncated.display().to_string()], "line 1"),
        (vec!["/no/such/file.xml".into()], "cannot open"),
        (vec![fixture("estimates.xml"), "--status-date".into(), "yesterday".into()], "--status-date"),
        (vec![fixture("README.md")], "not an MS Project XML file"),
    ];
    for (args, expected) in cases {
        let mut full = vec!["schedule".to_owned()];
        full.extend(args);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let (code, out, err) = tandem(&refs);
        assert_eq!(code, 1, "{full:?}: {err}");
        assert!(out.is_empty(), "{full:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{full:?}: {err}");
        assert!(err.contains(expected), "{full:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn levelling_moves_the_task_with_slack_and_says_so() {
    let (code, out, err) = tandem(&["schedule", &fixture("level.xml"), "--format", "json", "--level"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let l = &v["leveling"];
    assert_eq!(l["moved"].as_array().unwrap().len(), 1);
    assert_eq!(l["moved"][0]["uid"], 2);
    assert_eq!(l["moved"][0]["delay_minutes"], 2400);
    assert_eq!(l["finish_before"], "2026-03-06T17:00:00");
    assert_eq!(l["finish_after"], "2026-03-10T17:00:00");
    let short = v["tasks"].as_array().unwrap().iter().find(|t| t["uid"] == 2).unwrap();
    assert_eq!(short["start"], "2026-03-09T08:00:00");
    assert_eq!(l["unresolved"], serde_json::json!([]));
    // Ana at 150 % on the long task can never fit: it stays, says so, and
    // the short task still waits for it.
    let over = std::fs::read_to_string(fixture("level.xml")).unwrap().replacen(
        "<TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>",
        "<TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1.5</Units>",
        1,
    );
    let path = std::env::temp_dir().join(format!("tandem-level-{}.xml", std::process::id()));
    std::fs::write(&path, over).unwrap();
    let (code, out, err) = tandem(&["schedule", path.to_str().unwrap(), "--level"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Not levelled (they need more of a resource than it has at all): UID 1"), "{out}");
    assert!(out.contains("Levelling moved 1 tasks"), "{out}");
    std::fs::remove_file(&path).unwrap();
    // Without --level nothing moves.
    let (_, out, _) = tandem(&["schedule", &fixture("level.xml"), "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("leveling").is_none());
    assert_eq!(v["project"]["finish"], "2026-03-06T17:00:00");
}

#[test]
fn a_file_that_does_not_honour_constraint_dates_lets_links_win() {
    // B must start Tuesday, but A (two days) only lets it start Wednesday.
    let plan = |honor: u8| {
        format!(
            r#"<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2026-03-02T08:00:00</StartDate>
            <HonorConstraints>{honor}</HonorConstraints><Tasks>
            <Task><UID>1</UID><Name>A</Name><Duration>PT16H0M0S</Duration></Task>
            <Task><UID>2</UID><Name>B</Name><Duration>PT8H0M0S</Duration><ConstraintType>2</ConstraintType>
            <ConstraintDate>2026-03-03T08:00:00</ConstraintDate>
            <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>
            </Tasks></Project>"#
        )
    };
    let dir = std::env::temp_dir().join(format!("tandem-honor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let b_of = |honor: u8| {
        let path = dir.join(format!("honor{honor}.xml"));
        std::fs::write(&path, plan(honor)).unwrap();
        let (code, out, err) = tandem(&["schedule", path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        v["tasks"].as_array().unwrap().iter().find(|t| t["uid"] == 2).unwrap().clone()
    };
    let kept = b_of(1);
    assert_eq!(kept["start"], "2026-03-03T08:00:00");
    let moved = b_of(0);
    assert_eq!(moved["start"], "2026-03-04T08:00:00");
    assert_eq!(moved["total_slack_minutes"], -480);
    assert_eq!(moved["critical"], true);
    std::fs::remove_dir_all(&dir).unwrap();
}
