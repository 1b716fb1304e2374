//! `gazetteer check` on a built copy of the project's site: the archive
//! checks clean, and each kind of damage to a copy of it is named with its
//! file and what is wrong.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{gazetteer, stderr, stdout};

/// One built copy of the project's site, shared by the tests (read only).
fn built() -> &'static Path {
    common::built_project_site()
}

fn public() -> PathBuf {
    built().join("public")
}

/// Copies the built archive, lets `damage` change the copy, and checks it.
fn check_damaged(damage: impl FnOnce(&Path)) -> (Output, String) {
    let copy = tempfile::tempdir().unwrap();
    let from = public();
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let dest = copy.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    damage(copy.path());
    let out = gazetteer(
        built(),
        &["check", "--output-dir", copy.path().to_str().unwrap()],
    );
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a damaged archive must fail the check:\n{text}\n{}",
        stderr(&out)
    );
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with("checked ")
                && (l.ends_with(" problems") || l.ends_with(" 1 problem"))),
        "summary line:\n{text}"
    );
    (out, text)
}

/// Replaces the first occurrence of `from` in a page of the archive.
fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The problem lines about one file.
fn problems_of<'a>(report: &'a str, rel: &str) -> Vec<&'a str> {
    report
        .lines()
        .filter(|l| {
            l.strip_prefix(rel)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .collect()
}

/// Whether a problem line names a line number (`path:12: ...`).
fn has_line_number(problem: &str, rel: &str) -> bool {
    problem[rel.len() + 1..]
        .split(':')
        .next()
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn the_built_archive_checks_clean() {
    let out = gazetteer(built(), &["check"]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "check failed on the built archive:\n{text}\n{}",
        stderr(&out)
    );
    let summary = text.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("checked ") && summary.ends_with(": no problems"),
        "{text}"
    );
    assert!(
        summary.contains(" pages, ")
            && summary.contains(" links, ")
            && summary.contains(" figures"),
        "{summary}"
    );
    // The seed site has 110 figures: each counted once, though both
    // languages list them.
    assert!(summary.contains(" 110 figures"), "{summary}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn the_same_archive_checks_the_same_through_output_dir() {
    let out = gazetteer(
        built(),
        &["check", "--output-dir", public().to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(stdout(&out), stdout(&gazetteer(built(), &["check"])));
}

#[test]
fn a_missing_archive_is_an_error_not_a_report() {
    let out = gazetteer(
        built(),
        &["check", "--output-dir", "/nonexistent/gazetteer"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("gazetteer build"), "{}", stderr(&out));
}

#[test]
fn a_link_to_a_missing_page_is_named() {
    let rel = "zh/articles/neixiang-2020-11-17/index.html";
    let (_, report) = check_damaged(|root| {
        edit(
            root,
            rel,
            "zh/regions/neixiang/index.html\"",
            "zh/regions/nowhere/index.html\"",
        )
    });
    let problems = problems_of(&report, rel);
    assert!(
        problems.iter().any(
            |p| p.contains("zh/regions/nowhere/index.html does not exist")
                && has_line_number(p, rel)
        ),
        "{report}"
    );
}

#[test]
fn a_missing_anchor_is_named() {
    let rel = "zh/regions/neixiang/index.html";
    let (_, report) = check_damaged(|root| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        // The first figure link of the region page, pointed at a figure
        // that does not exist.
        let at = text.find("#fig-").expect("a figure link") + "#fig-".len();
        let end = at + text[at..].find('"').unwrap();
        std::fs::write(&path, format!("{}999{}", &text[..at], &text[end..])).unwrap();
    });
    let problems = problems_of(&report, rel);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no id \"fig-999\" in zh/articles/") && has_line_number(p, rel)),
        "{report}"
    );
}

#[test]
fn a_deleted_counterpart_is_named() {
    let (_, report) = check_damaged(|root| {
        std::fs::remove_file(root.join("en/regions/langxi/index.html")).unwrap();
    });
    assert!(
        report.lines().any(|l| l
            == "zh/regions/langxi/index.html: no en counterpart: en/regions/langxi/index.html is missing"),
        "{report}"
    );
    // The hreflang link to it is broken too.
    assert!(
        problems_of(&report, "zh/regions/langxi/index.html")
            .iter()
            .any(|p| p.contains("en/regions/langxi/index.html does not exist")),
        "{report}"
    );
}

#[test]
fn an_altered_figure_quote_is_named() {
    let rel = "zh/articles/neixiang-2020-11-17/index.html";
    let (_, report) = check_damaged(|root| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let aside = text.find("class=\"figure-list\"").expect("a figure list");
        let q = aside + text[aside..].find("<q").expect("a quote");
        let inside = q + text[q..].find('>').unwrap() + 1;
        std::fs::write(&path, format!("{}伪造{}", &text[..inside], &text[inside..])).unwrap();
    });
    let problems = problems_of(&report, rel);
    assert!(
        problems.iter().any(|p| p.contains("figure fig-")
            && p.contains("\"伪造")
            && p.ends_with(&format!("is not in the text of {rel}"))),
        "{report}"
    );
}

#[test]
fn a_stray_end_tag_is_a_parse_error_with_its_line() {
    let rel = "zh/glossary/index.html";
    let (_, report) = check_damaged(|root| edit(root, rel, "</p>", "</p></div></div>"));
    let problems = problems_of(&report, rel);
    assert!(
        problems.iter().any(|p| p.contains("HTML parse error")
            && p.contains("</div>")
            && has_line_number(p, rel)),
        "{report}"
    );
}

#[test]
fn a_garbled_tag_is_a_parse_error_with_its_line() {
    let rel = "en/glossary/index.html";
    let (_, report) = check_damaged(|root| edit(root, rel, "<p>", "<p <p>"));
    let problems = problems_of(&report, rel);
    assert!(
        problems.iter().any(|p| p.contains("HTML parse error")
            && p.contains("<p <p>")
            && has_line_number(p, rel)),
        "{report}"
    );
}

#[test]
fn a_missing_doctype_title_and_lang_are_named() {
    let rel = "en/indicators/index.html";
    let (_, report) = check_damaged(|root| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find("<title>").unwrap();
        let end = text.find("</title>").unwrap() + "</title>".len();
        let text = format!("{}{}", &text[..start], &text[end..]);
        let text =
            text.replacen("<!DOCTYPE html>", "", 1)
                .replacen("<html lang=\"en\">", "<html>", 1);
        std::fs::write(&path, text).unwrap();
    });
    for problem in [
        "no <!DOCTYPE html>",
        "no <title>",
        "<html> has no lang attribute",
    ] {
        assert!(
            report.lines().any(|l| l == format!("{rel}: {problem}")),
            "{problem}:\n{report}"
        );
    }
}

#[test]
fn a_link_escaping_the_output_folder_is_named() {
    let rel = "zh/regions/index.html";
    let (_, report) = check_damaged(|root| {
        edit(
            root,
            rel,
            "href=\"../../static/style.css\"",
            "href=\"../../../../etc/passwd\"",
        )
    });
    let problems = problems_of(&report, rel);
    assert!(
        problems.iter().any(|p| p
            .contains("\"../../../../etc/passwd\" leads outside the output folder")
            && has_line_number(p, rel)),
        "{report}"
    );
}

#[test]
fn an_external_link_without_rel_external_is_named() {
    let rel = "en/index.html";
    let (_, report) = check_damaged(|root| {
        edit(
            root,
            rel,
            "<main",
            "<a href=\"https://example.org/\">out</a><main",
        )
    });
    assert!(
        problems_of(&report, rel)
            .iter()
            .any(|p| p.contains("external link \"https://example.org/\" has no rel=\"external\"")),
        "{report}"
    );
}

#[test]
fn problems_are_sorted_and_repeatable() {
    let damage = |root: &Path| {
        std::fs::remove_file(root.join("en/regions/neixiang/index.html")).unwrap();
        edit(root, "zh/glossary/index.html", "</p>", "</p></div>");
    };
    let (_, first) = check_damaged(damage);
    let (_, second) = check_damaged(damage);
    assert_eq!(first, second);
    let lines: Vec<&str> = first.lines().collect();
    let problems = &lines[..lines.len() - 1];
    assert!(problems.len() > 10, "{first}");
    assert!(
        lines
            .last()
            .unwrap()
            .ends_with(&format!(": {} problems", problems.len())),
        "{first}"
    );
    let mut files: Vec<&str> = problems
        .iter()
        .map(|p| p.split(':').next().unwrap())
        .collect();
    let unsorted = files.clone();
    files.sort();
    assert_eq!(files, unsorted, "problems are grouped by file in order");
}
