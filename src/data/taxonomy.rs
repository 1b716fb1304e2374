//! The indicator taxonomy (`data/indicators.yaml`).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// One indicator of the taxonomy.
#[derive(Debug, Clone, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub unit: String,
    #[serde(default)]
    pub phrasings: String,
}

/// All indicators, in the order of the taxonomy file.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub indicators: Vec<Indicator>,
}

impl Taxonomy {
    /// Reads and validates a taxonomy file.
    pub fn load(path: &Path) -> Result<Taxonomy> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the taxonomy {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Taxonomy> {
        let indicators: Vec<Indicator> = serde_yaml::from_str(text)?;
        let mut seen = std::collections::HashSet::new();
        for i in &indicators {
            anyhow::ensure!(seen.insert(i.key.as_str()), "indicator key `{}` appears twice", i.key);
        }
        Ok(Taxonomy { indicators })
    }

    pub fn get(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }
}
