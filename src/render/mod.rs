//! Render: the model becomes the static archive. Pages are rendered in
//! parallel (rayon) through the theme's Tera templates into memory, written
//! to a staging folder, and swapped into place, so that a failed build never
//! leaves a half-written `public/`.

pub mod markdown;
pub mod pages;
pub mod templates;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::Site;
use crate::model::{Model, Problem};

pub use templates::Theme;

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub output_dir: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub articles: usize,
    pub problems: Vec<Problem>,
}

/// Builds the archive of a site into its output folder.
pub fn build(site: Site) -> Result<BuildReport> {
    let mut timer = Timer::new();
    let theme = Theme::load(&site)?;
    timer.lap("theme");
    let model = Model::load(site)?;
    timer.lap("model");
    let index = pages::Index::new(&model);
    let specs = pages::specs(&model);
    timer.lap("index");
    let output_dir = model.site.output_dir.clone();
    let staging = Staging::new(&output_dir)?;
    // Each page is rendered and written at once: nothing is kept in memory.
    specs.par_iter().try_for_each(|spec| -> Result<()> {
        let output = spec.output(&model);
        let html = theme
            .render(spec.template(), &spec.context(&model, &index))
            .with_context(|| format!("while rendering {output}"))?;
        staging.write(&output, html.as_bytes())
    })?;
    for (rel, path) in &theme.static_files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        staging.write(&format!("static/{rel}"), &bytes)?;
    }
    timer.lap("render+write");
    staging.commit()?;
    timer.lap("commit");
    Ok(BuildReport {
        output_dir,
        pages: specs.len(),
        files: specs.len() + theme.static_files.len(),
        articles: model.articles.len(),
        problems: model.problems,
    })
}

/// Phase times, printed to stderr when GAZETTEER_TIMINGS is set: where a
/// build spends its time.
pub struct Timer {
    on: bool,
    last: std::time::Instant,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            on: std::env::var_os("GAZETTEER_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    pub fn lap(&mut self, what: &str) {
        if self.on {
            eprintln!(
                "timing: {what:<14} {:>8.1} ms",
                self.last.elapsed().as_secs_f64() * 1e3
            );
        }
        self.last = std::time::Instant::now();
    }
}

impl Default for Timer {
    fn default() -> Self {
        Self::new()
    }
}

/// A new archive being written beside the old one; `commit` swaps it in.
/// Dropped without a commit, it is removed and the old archive stays.
struct Staging {
    output_dir: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    committed: bool,
}

impl Staging {
    fn new(output_dir: &Path) -> Result<Staging> {
        let parent = output_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = output_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("public");
        let dir = parent.join(format!(".{name}.staging"));
        let old = parent.join(format!(".{name}.old"));
        // Left over from an interrupted build: a staging folder is incomplete;
        // an old folder without the output is the last good archive.
        if old.exists() && !output_dir.exists() {
            std::fs::rename(&old, output_dir)
                .with_context(|| format!("cannot restore {}", output_dir.display()))?;
        }
        for d in [&dir, &old] {
            if d.exists() {
                std::fs::remove_dir_all(d)
                    .with_context(|| format!("cannot remove {}", d.display()))?;
            }
        }
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging {
            output_dir: output_dir.to_path_buf(),
            dir,
            old,
            committed: false,
        })
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    fn commit(mut self) -> Result<()> {
        if self.output_dir.exists() {
            std::fs::rename(&self.output_dir, &self.old).with_context(|| {
                format!(
                    "cannot move the previous {} aside",
                    self.output_dir.display()
                )
            })?;
        }
        std::fs::rename(&self.dir, &self.output_dir).with_context(|| {
            format!(
                "cannot move the new archive to {}",
                self.output_dir.display()
            )
        })?;
        self.committed = true;
        if self.old.exists() {
            std::fs::remove_dir_all(&self.old)
                .with_context(|| format!("cannot remove {}", self.old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
