//! The W3C Nu HTML Checker (vnu.jar from npm, run with Java) over a set of pages.

use super::browser::repo_file;
use std::process::Command;

/// Checks every (name, html) page in one run of the checker; returns its errors, one per line.
pub fn html_errors(pages: &[(String, String)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = pages
        .iter()
        .map(|(name, html)| {
            assert!(html.starts_with("<!DOCTYPE html>"), "{name} is a full page");
            let file = dir.path().join(format!("{name}.html"));
            std::fs::write(&file, html).unwrap();
            file.display().to_string()
        })
        .collect();
    let vnu = repo_file("node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(vnu.exists(), "{} is missing: run `npm ci` (scripts/test does)", vnu.display());
    let out = Command::new("java")
        .args(["-jar", &vnu.display().to_string(), "--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .expect("java runs the Nu HTML Checker");
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|_| panic!("checker output: {}", String::from_utf8_lossy(&out.stderr)));
    report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} line {}: {}",
                m["url"].as_str().unwrap_or("?").rsplit('/').next().unwrap(),
                m["lastLine"],
                m["message"]
            )
        })
        .collect()
}
