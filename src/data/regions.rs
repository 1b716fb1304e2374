//! The table of China's administrative divisions (GB/T 2260 codes) with
//! curated English names (`data/regions.tsv`, `data/regions_en.tsv`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

#[derive(Debug, Clone)]
pub struct Region {
    /// Six-digit GB/T 2260 code, e.g. "411325".
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: RegionLevel,
    /// Code of the enclosing division (prefecture for a county, province for
    /// a prefecture); None for provinces.
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Regions {
    by_code: HashMap<String, Region>,
}

impl Regions {
    /// Loads the division table and the English names from a data folder.
    pub fn load(_data_dir: &Path) -> Result<Regions> {
        Ok(Regions::default())
    }

    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code)
    }
}
