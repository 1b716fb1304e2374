//! Ingest: raw seed pages in `seeds/` become front-mattered Markdown in
//! `content/`. Each stage has its module: `decode` (bytes to text), `clean`
//! (chrome, title, metadata, structure), `region` (which county or city).
//! Figures come from `crate::extract`.

pub mod clean;
pub mod decode;
pub mod region;

use std::path::Path;

use anyhow::{Context, Result};

pub use clean::{Block, CleanArticle};

/// Reads, decodes and cleans one seed file.
pub fn clean_seed_file(path: &Path) -> Result<CleanArticle> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let decoded = decode::decode(&bytes);
    Ok(clean::clean_text(&decoded.text))
}
