//! Fixture sites for the integration tests: a temporary copy of the
//! project's site (site.toml, seeds/, data/, themes/) and a way to run the
//! `gazetteer` binary on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A fresh site folder with the project's seeds, data and theme, and no
/// content/ or public/ yet.
pub fn seed_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = project_dir();
    std::fs::copy(root.join("site.toml"), dir.path().join("site.toml")).unwrap();
    for sub in ["seeds", "data", "themes"] {
        if root.join(sub).exists() {
            copy_tree(&root.join(sub), &dir.path().join(sub));
        }
    }
    dir
}

/// A copy of the project's site as committed: seeds, data, theme and the
/// curated content/ (with its human translations).
pub fn project_site() -> tempfile::TempDir {
    let dir = seed_site();
    copy_tree(&project_dir().join("content"), &dir.path().join("content"));
    dir
}

/// Runs the binary with `--root DIR` and the arguments.
pub fn gazetteer(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazetteer"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("gazetteer runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below a folder with its bytes, by relative path.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut map = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            map.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    map
}

/// The project's site built once per test binary, for tests that only
/// read it: its folder (the archive is `public/` in it).
pub fn built_project_site() -> &'static Path {
    static SITE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let site = project_site();
        let out = gazetteer(site.path(), &["build"]);
        assert!(
            out.status.success(),
            "build failed: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        site
    })
    .path()
}
