//! The indicator taxonomy (`data/indicators.yaml`).
//!
//! The file is either a plain list of indicators, or a mapping with
//! `indicators:` (that list) and `rules:` (word lists shared by all
//! indicators). Besides its labels and unit, each indicator carries the cue
//! words the figure extractor (`crate::extract`) uses to recognise it, so
//! that adding an indicator is an edit to `data/`, not to code.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// Where an indicator's subject noun must stand relative to the number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectAt {
    /// Right before the number (贫困村89个, 建档立卡人口24036户) or right
    /// after its unit (97个贫困村, 2000余名贫困群众), with only filler words
    /// (有, 共, 累计, 达, 的, a year ...) between.
    Adjacent,
    /// Right before the number only (有贫困村89个, 贫困村由301个…).
    Before,
    /// Right after the unit only (220个扶贫基地).
    After,
    /// Anywhere in the clause, as long as it belongs to this quantity and
    /// not to a nearer one.
    #[default]
    Clause,
}

/// The side of a before/after pair (由X降至Y) an indicator reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Start,
    End,
}

/// One indicator of the taxonomy.
#[derive(Debug, Clone, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub unit: String,
    #[serde(default)]
    pub phrasings: String,
    /// Unit classes of the quantities that can report this indicator
    /// (people, households, yuan, percent, count, km); see
    /// `crate::extract::quantity::Quantity::unit`. Defaults to the classes
    /// named by `unit`.
    #[serde(default)]
    pub units: Vec<String>,
    /// Nouns naming what is counted; when the list is not empty one of them
    /// must be found where `subject_at` says.
    #[serde(default)]
    pub subjects: Vec<String>,
    #[serde(default)]
    pub subject_at: SubjectAt,
    /// Cue words (mostly verbs: 脱贫, 出列, 带动); when the list is not
    /// empty one of them must be in the clause and belong to the quantity.
    #[serde(default)]
    pub cues: Vec<String>,
    /// Words that rule the indicator out when they are in the clause.
    #[serde(default)]
    pub negative: Vec<String>,
    /// For before/after pairs: a `start` indicator never takes the value
    /// after 降至/增至, an `end` indicator never takes the value after 由/从
    /// and needs no cue for a value after a change verb.
    #[serde(default)]
    pub side: Option<Side>,
    /// Higher wins when several indicators fit one quantity.
    #[serde(default)]
    pub priority: i32,
    /// Sanity bounds: a value below `min` or above `max` is impossible for
    /// this indicator (a rate over 100%); the figure is kept but flagged.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Whether the value must be a whole number (a count of people,
    /// households, villages ...). Default: true when every unit class the
    /// indicator accepts is people, households or count.
    #[serde(default)]
    pub whole: Option<bool>,
    /// Keys of indicators this one cannot exceed: the other side of the
    /// same before/after pair when there is one, else the largest figure of
    /// that indicator in the same article (people lifted ≤ registered poor).
    #[serde(default)]
    pub at_most: Vec<String>,
    /// On the `end` indicator of a before/after pair: the name of the
    /// pair's chart (贫困发生率 for poverty incidence at start and at end).
    #[serde(default)]
    pub pair_label_zh: Option<String>,
    #[serde(default)]
    pub pair_label_en: Option<String>,
}

impl Indicator {
    /// The unit classes this indicator accepts (`units`, or the classes of
    /// `unit` when `units` is empty).
    pub fn accepted_units(&self) -> Vec<String> {
        if !self.units.is_empty() {
            return self.units.clone();
        }
        self.unit
            .split('|')
            .map(|u| match u {
                "villages" | "sites" | "counties" => "count".to_string(),
                other => other.to_string(),
            })
            .collect()
    }

    /// Whether values must be whole numbers (`whole`, or from the units).
    pub fn whole_numbers(&self) -> bool {
        self.whole.unwrap_or_else(|| {
            self.accepted_units()
                .iter()
                .all(|u| matches!(u.as_str(), "people" | "households" | "count"))
        })
    }
}

/// Word lists the extractor applies to every indicator.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Phrases that contain cue words without meaning them (脱贫攻坚 holds
    /// 脱贫, 脱贫标准 is a standard, not a result): a cue inside one of them
    /// is ignored.
    #[serde(default)]
    pub neutral: Vec<String>,
    /// Words showing that a sentence reports on somewhere else (全国,
    /// 复制到 ...): its numbers are not the region's figures.
    #[serde(default)]
    pub foreign_scope: Vec<String>,
    /// Words showing that a sentence states a target, not a result.
    #[serde(default)]
    pub target_cues: Vec<String>,
    /// Keep targets as figures labelled `target` (default: leave them out).
    #[serde(default)]
    pub keep_targets: bool,
    /// Words that, written before a target word in its clause, say the
    /// target was met (超额完成…目标任务, 已完成计划): no target.
    #[serde(default)]
    pub target_done: Vec<String>,
    /// Words that make a percentage a share of something (占比, 比重).
    #[serde(default)]
    pub share_cues: Vec<String>,
    /// Regular expressions marking the people or households counted after
    /// them in the clause as a sub-group (符合…条件的).
    #[serde(default)]
    pub subset_patterns: Vec<String>,
    /// Generic words ending in 村/镇/乡 that are not place names (贫困村,
    /// 行政村 ...); see `place_suffixes`.
    #[serde(default)]
    pub generic_places: Vec<String>,
    /// Suffixes of named places below the region (狮湾村, 梅渚镇): a sentence
    /// naming one describes that place, and its numbers are not the
    /// region's figures. Empty: the check is off.
    #[serde(default)]
    pub place_suffixes: Vec<String>,
    /// Suffixes of named places of the region's own level (县): the one an
    /// article names most often is its region; a sentence naming another one
    /// describes that other place.
    #[serde(default)]
    pub region_suffixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    List(Vec<Indicator>),
    Map {
        #[serde(default)]
        rules: Box<Rules>,
        indicators: Vec<Indicator>,
    },
}

/// All indicators, in the order of the taxonomy file, with the shared rules.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub indicators: Vec<Indicator>,
    pub rules: Rules,
    /// Key → position in `indicators`, for `get`.
    positions: std::collections::HashMap<String, usize>,
}

impl Taxonomy {
    /// Reads and validates a taxonomy file.
    pub fn load(path: &Path) -> Result<Taxonomy> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the taxonomy {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Taxonomy> {
        let (indicators, rules) = match serde_yaml::from_str::<File>(text) {
            Ok(File::List(list)) => (list, Rules::default()),
            Ok(File::Map { rules, indicators }) => (indicators, *rules),
            Err(e) => {
                // The untagged error says little; report the shape's own error.
                let detail = match serde_yaml::from_str::<serde_yaml::Value>(text) {
                    Ok(serde_yaml::Value::Sequence(_)) => {
                        serde_yaml::from_str::<Vec<Indicator>>(text)
                            .err()
                            .map_or(e.to_string(), |e| e.to_string())
                    }
                    Ok(serde_yaml::Value::Mapping(_)) => {
                        #[derive(Deserialize)]
                        #[allow(dead_code)]
                        struct Strict {
                            #[serde(default)]
                            rules: Rules,
                            indicators: Vec<Indicator>,
                        }
                        serde_yaml::from_str::<Strict>(text)
                            .err()
                            .map_or(e.to_string(), |e| e.to_string())
                    }
                    Ok(_) => {
                        "expected a list of indicators or a mapping with `indicators:`".to_string()
                    }
                    Err(e) => e.to_string(),
                };
                anyhow::bail!("{detail}");
            }
        };
        let mut seen = std::collections::HashSet::new();
        for i in &indicators {
            anyhow::ensure!(
                seen.insert(i.key.as_str()),
                "indicator key `{}` appears twice",
                i.key
            );
        }
        for i in &indicators {
            for k in &i.at_most {
                anyhow::ensure!(
                    indicators.iter().any(|j| &j.key == k),
                    "indicator `{}`: at_most names `{k}`, which is no indicator",
                    i.key
                );
            }
            if let (Some(lo), Some(hi)) = (i.min, i.max) {
                anyhow::ensure!(lo <= hi, "indicator `{}`: min {lo} > max {hi}", i.key);
            }
        }
        for p in &rules.subset_patterns {
            regex::Regex::new(p).with_context(|| {
                format!("subset pattern `{p}` is not a valid regular expression")
            })?;
        }
        let positions = indicators
            .iter()
            .enumerate()
            .map(|(n, i)| (i.key.clone(), n))
            .collect();
        Ok(Taxonomy {
            indicators,
            rules,
            positions,
        })
    }

    pub fn get(&self, key: &str) -> Option<&Indicator> {
        self.positions.get(key).map(|&n| &self.indicators[n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_plain_list() {
        let t =
            Taxonomy::parse("- {key: gdp, label_zh: GDP, label_en: GDP, unit: yuan}\n").unwrap();
        assert_eq!(t.indicators.len(), 1);
        assert_eq!(t.indicators[0].accepted_units(), vec!["yuan"]);
        assert!(t.rules.neutral.is_empty());
    }

    #[test]
    fn reads_rules_and_cues() {
        let t = Taxonomy::parse(
            "rules:\n  neutral: [脱贫攻坚]\nindicators:\n  - key: people_lifted\n    label_zh: 脱贫人口\n    label_en: people lifted\n    unit: people\n    cues: [脱贫]\n    side: end\n",
        )
        .unwrap();
        assert_eq!(t.rules.neutral, vec!["脱贫攻坚"]);
        assert_eq!(t.indicators[0].cues, vec!["脱贫"]);
        assert_eq!(t.indicators[0].side, Some(Side::End));
        assert_eq!(t.indicators[0].subject_at, SubjectAt::Clause);
    }

    #[test]
    fn names_the_problem() {
        let err = Taxonomy::parse("- {key: a, label_zh: A, label_en: A, unit: people}\n- {key: a, label_zh: A, label_en: A, unit: people}\n")
            .unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
        let err =
            Taxonomy::parse("indicators:\n  - {key: a, label_zh: A, unit: people}\n").unwrap_err();
        assert!(format!("{err:#}").contains("label_en"), "{err:#}");
        let err =
            Taxonomy::parse("rules:\n  subset_patterns: ['(']\nindicators: []\n").unwrap_err();
        assert!(format!("{err:#}").contains("subset pattern"), "{err:#}");
    }

    #[test]
    fn the_site_taxonomy_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/indicators.yaml");
        let t = Taxonomy::load(&path).unwrap();
        assert!(t.get("people_lifted").is_some());
        for i in &t.indicators {
            assert!(!i.accepted_units().is_empty(), "{}", i.key);
        }
    }
}
