//! Incremental builds give exactly what a clean build gives, after any
//! sequence of edits, additions and deletions; unchanged files are not
//! rewritten; a failed build leaves the previous archive untouched.

mod common;

use std::path::Path;

use common::{project_dir, snapshot};
use gazetteer::config::Site;
use gazetteer::corpus::{CorpusOptions, generate};
use proptest::prelude::*;

/// A small generated corpus (articles recombined from the seeds).
fn corpus(articles: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let project = Site::load(&project_dir()).unwrap();
    generate(
        &project,
        &dir.path().join("site"),
        CorpusOptions {
            articles,
            regions: 6,
            seed: 7,
        },
    )
    .unwrap();
    dir
}

fn build(root: &Path) -> gazetteer::render::BuildReport {
    gazetteer::render::build(Site::load(root).unwrap()).unwrap()
}

/// A clean build of the same inputs in a fresh copy, without any cache.
fn clean_build(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let fresh = tempfile::tempdir().unwrap();
    for sub in ["content", "data", "themes"] {
        gazetteer::corpus::copy_dir(&root.join(sub), &fresh.path().join(sub)).unwrap();
    }
    std::fs::copy(root.join("site.toml"), fresh.path().join("site.toml")).unwrap();
    build(fresh.path());
    snapshot(&fresh.path().join("public"))
}

#[derive(Debug, Clone)]
enum Edit {
    /// Change a sentence in the body of the n-th article.
    Body(usize),
    /// Change the value of a figure in the n-th article's front matter.
    Figure(usize),
    /// Move the n-th article to another region.
    Region(usize),
    /// Change the English title of the n-th article.
    Translation(usize),
    /// Add a copy of the n-th article under a new name.
    Add(usize),
    /// Delete the n-th article (both files).
    Delete(usize),
    /// Change a template that only region pages use.
    Template,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..50usize).prop_map(Edit::Body),
        (0..50usize).prop_map(Edit::Figure),
        (0..50usize).prop_map(Edit::Region),
        (0..50usize).prop_map(Edit::Translation),
        (0..50usize).prop_map(Edit::Add),
        (0..50usize).prop_map(Edit::Delete),
        Just(Edit::Template),
    ]
}

/// The zh content files, sorted.
fn articles(root: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md") && !p.to_string_lossy().ends_with(".en.md")
        })
        .collect();
    v.sort();
    v
}

fn apply(root: &Path, edit: &Edit, step: usize) {
    let list = articles(root);
    if list.is_empty() {
        return;
    }
    let pick = |n: usize| list[n % list.len()].clone();
    let en_of = |p: &Path| p.with_extension("en.md");
    match edit {
        Edit::Body(n) => {
            let p = pick(*n);
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("{text}\n第{step}次修改的段落。\n")).unwrap();
        }
        Edit::Figure(n) => {
            let p = pick(*n);
            let text = std::fs::read_to_string(&p).unwrap();
            let text = match text.find("  value: ") {
                Some(i) => format!(
                    "{}  value: {}.5{}",
                    &text[..i],
                    step,
                    &text[i + text[i..].find('\n').unwrap()..]
                ),
                None => text,
            };
            std::fs::write(&p, text).unwrap();
        }
        Edit::Region(n) => {
            let p = pick(*n);
            let text = std::fs::read_to_string(&p).unwrap();
            let re = regex::Regex::new(r"code: '(\d{6})'\n  name: (\S+)").unwrap();
            let text = re
                .replace(&text, "code: '411325'\n  name: 内乡县")
                .into_owned();
            std::fs::write(&p, text).unwrap();
        }
        Edit::Translation(n) => {
            let p = en_of(&pick(*n));
            if let Ok(text) = std::fs::read_to_string(&p) {
                std::fs::write(
                    &p,
                    text.replacen("title: ", &format!("title: Edit {step}: "), 1),
                )
                .unwrap();
            }
        }
        Edit::Add(n) => {
            let p = pick(*n);
            let stem = p.file_stem().unwrap().to_string_lossy();
            let new = p.with_file_name(format!("{stem}-copy{step}.md"));
            std::fs::copy(&p, &new).unwrap();
            if en_of(&p).exists() {
                std::fs::copy(en_of(&p), new.with_extension("en.md")).unwrap();
            }
        }
        Edit::Delete(n) => {
            if list.len() > 2 {
                let p = pick(*n);
                let _ = std::fs::remove_file(en_of(&p));
                std::fs::remove_file(&p).unwrap();
            }
        }
        Edit::Template => {
            let p = root.join("themes/default/templates/region.html");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(
                &p,
                text.replacen(
                    "{% block content %}",
                    &format!("{{% block content %}}<!-- {step} -->"),
                    1,
                ),
            )
            .unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, max_shrink_iters: 16, .. ProptestConfig::default() })]

    #[test]
    fn incremental_equals_clean_after_random_edits(edits in proptest::collection::vec(edit_strategy(), 1..5)) {
        let dir = corpus(10);
        let root = dir.path().join("site");
        build(&root);
        for (step, edit) in edits.iter().enumerate() {
            apply(&root, edit, step);
            build(&root);
            let incremental = snapshot(&root.join("public"));
            let clean = clean_build(&root);
            prop_assert_eq!(incremental.keys().collect::<Vec<_>>(), clean.keys().collect::<Vec<_>>(), "after {:?}", edit);
            for (path, bytes) in &clean {
                prop_assert!(incremental[path] == *bytes, "{} differs after {:?}", path, edit);
            }
        }
    }
}

#[test]
fn only_affected_pages_are_rendered_and_unchanged_files_keep_their_inode() {
    let dir = corpus(12);
    let root = dir.path().join("site");
    let first = build(&root);
    assert_eq!(first.rendered, first.files);

    let again = build(&root);
    assert!(
        again.unchanged,
        "a second build with nothing changed is a no-op"
    );

    // One article's body: its two pages and the pages that list it change,
    // nothing else is rendered again.
    let target = articles(&root)[0].clone();
    let slug = target.file_stem().unwrap().to_string_lossy().into_owned();
    let other_page = root.join("public/zh/glossary/index.html");
    let unrelated = articles(&root)
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .find(|s| *s != slug)
        .unwrap();
    let unrelated_page = root.join(format!("public/zh/articles/{unrelated}/index.html"));
    use std::os::unix::fs::MetadataExt;
    let inode_before = std::fs::metadata(&unrelated_page).unwrap().ino();
    let text = std::fs::read_to_string(&target).unwrap();
    std::fs::write(&target, format!("{text}\n新增的一段文字。\n")).unwrap();
    let report = build(&root);
    assert!(!report.unchanged);
    assert!(
        report.rendered < report.files / 2,
        "{} of {} files rendered",
        report.rendered,
        report.files
    );
    assert!(
        report.written >= 1 && report.written <= report.rendered,
        "{report:?}"
    );
    let page = std::fs::read_to_string(root.join(format!("public/zh/articles/{slug}/index.html")))
        .unwrap();
    assert!(page.contains("新增的一段文字。"));
    // The unchanged page is the same file (hard-linked, same inode and time).
    assert_eq!(
        std::fs::metadata(&unrelated_page).unwrap().ino(),
        inode_before
    );
    assert!(other_page.exists());
}

#[test]
fn a_failed_build_leaves_the_previous_archive_untouched() {
    let dir = corpus(6);
    let root = dir.path().join("site");
    build(&root);
    let before = snapshot(&root.join("public"));
    let t = root.join("themes/default/templates/article.html");
    std::fs::write(
        &t,
        "{% extends \"base.html\" %}{% block content %}{{ article.title }{% endblock content %}",
    )
    .unwrap();
    let err = gazetteer::render::build(Site::load(&root).unwrap()).unwrap_err();
    assert!(format!("{err:#}").contains("article.html"), "{err:#}");
    assert_eq!(before, snapshot(&root.join("public")));
    assert!(
        !root.join(".public.staging").exists(),
        "the staging folder is cleaned up"
    );
}
