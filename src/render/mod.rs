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
    let theme = Theme::load(&site)?;
    let model = Model::load(site)?;
    let pages = pages::pages(&model);
    let rendered: Vec<(String, Vec<u8>)> = pages
        .par_iter()
        .map(|p| {
            theme
                .render(p.template, &p.context)
                .map(|html| (p.output.clone(), html.into_bytes()))
                .with_context(|| format!("while rendering {}", p.output))
        })
        .collect::<Result<_>>()?;
    let mut files = rendered;
    for (rel, path) in &theme.static_files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        files.push((format!("static/{rel}"), bytes));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let output_dir = model.site.output_dir.clone();
    write_output(&output_dir, &files)?;
    Ok(BuildReport {
        output_dir,
        pages: pages.len(),
        files: files.len(),
        articles: model.articles.len(),
        problems: model.problems,
    })
}

/// Writes all files to a staging folder beside the output folder, then
/// swaps it in. The previous archive stays intact until the swap.
fn write_output(output_dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
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
    let staging = parent.join(format!(".{name}.staging"));
    let old = parent.join(format!(".{name}.old"));
    for dir in [&staging, &old] {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot remove {}", dir.display()))?;
        }
    }
    files
        .par_iter()
        .try_for_each(|(rel, bytes)| -> Result<()> {
            let path = staging.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
        })?;
    if output_dir.exists() {
        std::fs::rename(output_dir, &old)
            .with_context(|| format!("cannot move the previous {} aside", output_dir.display()))?;
    }
    std::fs::rename(&staging, output_dir)
        .with_context(|| format!("cannot move the new archive to {}", output_dir.display()))?;
    if old.exists() {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove {}", old.display()))?;
    }
    Ok(())
}
