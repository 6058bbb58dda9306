//! The `simulate` command: one JSON object per policy, the same output for the same inputs, a
//! readable table, and clear errors for bad scenarios and arguments. (Verdict quality itself is
//! measured by `scripts/verdict-quality`; the domain tests check the court beats a random panel.)

use std::process::Command;

/// Writes `scenario` to a temporary file and runs `xiaofating simulate` on it: (success, stdout, stderr).
fn simulate(scenario: &str, args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.json");
    std::fs::write(&path, scenario).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xiaofating"))
        .args(["simulate", "--scenario"])
        .arg(&path)
        .args(args)
        .env_remove("QUORUM")
        .env_remove("AUDIT_PERCENT")
        .env_remove("VOTING_OPENS")
        .env_remove("REESTIMATE_HOURS")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

const SMALL: &str = r#"{"jurors": 300, "categories": ["phones", "beauty", "books_media"], "warmup_cases": 100}"#;

#[test]
fn every_policy_reports_one_json_line_and_the_same_inputs_repeat_exactly() {
    let args = ["--policy", "all", "--cases", "400", "--seed", "11", "--json"];
    let (ok, first, stderr) = simulate(SMALL, &args);
    assert!(ok, "{stderr}");
    let lines: Vec<serde_json::Value> = first.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> = lines.iter().map(|l| l["policy"].as_str().unwrap()).collect();
    assert_eq!(names, ["xianyu", "taobao", "matched", "confident", "oracle"]);
    for line in &lines {
        assert_eq!(line["cases"], 400);
        assert_eq!(line["counted"], 300, "the warm-up is not counted");
        for field in ["accuracy", "buyer_error", "seller_error", "escalated"] {
            let share = line[field].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&share), "{field} {share} in {line}");
        }
        assert!(line["mean_votes"].as_f64().unwrap() >= 1.0 && line["mean_rounds"].as_f64().unwrap() >= 1.0);
    }
    assert_eq!(lines[0]["quorum"], "first_to:17:9");
    assert_eq!(lines[3]["quorum"], "confident:5:0.96:17:6", "the court's default QUORUM");
    assert_eq!(simulate(SMALL, &args).1, first, "same scenario, cases and seed: same JSON");
    assert_ne!(simulate(SMALL, &["--policy", "all", "--cases", "400", "--seed", "12", "--json"]).1, first);
}

#[test]
fn one_policy_prints_a_table_by_default() {
    let (ok, out, stderr) = simulate(SMALL, &["--policy", "matched", "--cases", "200", "--first-to", "first_to:5:3"]);
    assert!(ok, "{stderr}");
    let rows: Vec<&str> = out.lines().collect();
    assert!(rows[0].starts_with("policy") && rows[0].contains("accuracy") && rows[0].contains("votes"));
    assert!(rows[1].starts_with("matched") && rows[1].contains("first_to:5:3"));
    assert_eq!(rows.len(), 2);
}

#[test]
fn bad_input_is_refused_with_the_field_named() {
    let cases = ["--cases", "200"];
    for (scenario, args, expected) in [
        (r#"{"jurors": 300, "juror_count": 5}"#, &cases[..], "unknown field `juror_count`"),
        (r#"{"jurors": 300, "accuracy_mean": 1.2}"#, &cases[..], "`accuracy_mean` must be between 0.5 and 0.99"),
        (r#"{"jurors": 300, "no_show_rate": -0.1}"#, &cases[..], "`no_show_rate`"),
        (r#"{"jurors": 10}"#, &cases[..], "`jurors` must be between 100"),
        (r#"{"jurors": 300, "categories": []}"#, &cases[..], "`categories` must name at least one category"),
        (r#"{"jurors": 300, "categories": ["cars"]}"#, &cases[..], "'cars' is not one of"),
        (r#"{"jurors": "many"}"#, &cases[..], "`jurors`: invalid type"),
        ("not json", &cases[..], "not valid JSON"),
        (SMALL, &["--cases", "0"][..], "--cases must be at least 1"),
        (SMALL, &["--cases", "100"][..], "must be more than the scenario's warmup_cases (100)"),
        (SMALL, &["--policy", "judge"][..], "--policy must be xianyu, taobao, matched, confident, oracle or all"),
        (SMALL, &["--quorum", "first_to:17:9"][..], "--quorum must be confident"),
        (SMALL, &["--quorum", "confident:5:2:17"][..], "--quorum: confident needs"),
    ] {
        let (ok, out, stderr) = simulate(scenario, args);
        assert!(!ok && out.is_empty(), "{scenario} {args:?} was accepted: {out}");
        assert!(stderr.contains(expected), "{scenario} {args:?}: expected {expected:?} in {stderr}");
    }
    let missing = Command::new(env!("CARGO_BIN_EXE_xiaofating"))
        .args(["simulate", "--scenario", "/nonexistent/scenario.json"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the scenario /nonexistent/scenario.json"));
}
