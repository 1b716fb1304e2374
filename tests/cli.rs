//! The command line as a user meets it: help, extract and eval.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{project_dir, stdout};

fn run_with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazetteer"))
        .args(args)
        .current_dir(project_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn every_command_has_help() {
    for cmd in ["ingest", "extract", "eval", "build"] {
        let out = Command::new(env!("CARGO_BIN_EXE_gazetteer"))
            .args([cmd, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd} --help");
        assert!(
            stdout(&out).contains("Usage: gazetteer"),
            "{cmd}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn extract_prints_figures_of_plain_text_as_json() {
    let text = "截至2019年底,全县累计脱贫23152户81644人,贫困发生率由43.74%降至1%。\n";
    let out = run_with_stdin(&["extract", "-", "--format", "json"], text);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let find = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {rows:?}"))
    };
    assert_eq!(find("people_lifted")["value"], 81644.0);
    assert_eq!(find("people_lifted")["unit"], "people");
    assert_eq!(find("households_lifted")["value"], 23152.0);
    assert_eq!(find("poverty_rate_start")["value"], 43.74);
    assert_eq!(find("poverty_rate_end")["value"], 1.0);
    for r in &rows {
        for field in ["key", "value", "unit", "year", "qualifier", "quote"] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
        assert!(text.contains(r["quote"].as_str().unwrap()));
    }
    assert_eq!(find("people_lifted")["year"], "2019");
}

#[test]
fn extract_reads_a_seed_page_and_keeps_qualifiers() {
    let out = Command::new(env!("CARGO_BIN_EXE_gazetteer"))
        .args(["extract", "seeds/000_fae75b793b086aa3.txt"])
        .current_dir(project_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let workshops = rows
        .iter()
        .find(|r| r["key"] == "poverty_workshops")
        .unwrap();
    assert_eq!(workshops["value"], 120.0);
    assert_eq!(workshops["qualifier"], "余");
    // Context numbers are not figures: 总人口73万人, 总面积2465平方公里.
    assert!(
        !rows
            .iter()
            .any(|r| r["value"] == 730000.0 || r["value"] == 2465.0),
        "{rows:?}"
    );
}

#[test]
fn eval_reports_precision_recall_and_misses() {
    let gold = project_dir().join("../shared/gold/gold_seeds.json");
    if !gold.exists() {
        eprintln!("skipped: {} is not here", gold.display());
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gazetteer"))
        .arg("eval")
        .arg(&gold)
        .current_dir(project_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    let overall = text
        .lines()
        .find(|l| l.starts_with("overall"))
        .expect("overall line");
    let number = |label: &str| -> f64 {
        let rest = overall.split(label).nth(1).unwrap().trim_start();
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    assert!(number(" P ") >= 0.8 && number(" R ") >= 0.8, "{overall}");
    assert!(text.contains("000_fae75b793b086aa3.txt"), "per-seed lines");
    assert!(text.contains("misses"), "{text}");
}
