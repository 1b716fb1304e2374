//! The glossary of policy terms (`data/glossary.yaml`).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The term as Chinese texts write it.
    pub term: String,
    /// Its English rendering.
    pub en: String,
    /// Other spellings found in texts.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub note_en: String,
    #[serde(default)]
    pub note_zh: String,
}

impl Term {
    /// An ASCII anchor for the term, from its English rendering.
    pub fn anchor(&self) -> String {
        crate::content::slug(&self.en)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
}

impl Glossary {
    pub fn load(path: &Path) -> Result<Glossary> {
        if !path.exists() {
            return Ok(Glossary::default());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let terms: Vec<Term> = serde_yaml::from_str(&text).map_err(|e| {
            let line = e
                .location()
                .map(|l| format!(":{}", l.line()))
                .unwrap_or_default();
            anyhow::anyhow!("{}{line}: {e}", path.display())
        })?;
        let mut seen = std::collections::HashSet::new();
        for t in &terms {
            anyhow::ensure!(
                seen.insert(t.term.clone()),
                "{}: the term {} appears twice",
                path.display(),
                t.term
            );
        }
        Ok(Glossary { terms })
    }
}
