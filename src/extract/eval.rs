//! Scoring the extractor against a gold file.
//!
//! The gold file (`../shared/gold/gold_seeds.json`) is a JSON list of
//! hand-labelled figures: `file`, `key`, `value`, `unit`, `year`,
//! `qualifier`, `quote`, `note`. [`evaluate`] cleans every seed file the gold
//! names, extracts its figures and matches them with the gold: a prediction
//! matches a gold figure when the key agrees and the value agrees within a
//! relative 1e-6; each gold figure is matched at most once.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::{Figure, extract_figures};
use crate::data::Taxonomy;

/// One hand-labelled figure.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldFigure {
    pub file: String,
    pub key: String,
    pub value: f64,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub qualifier: Option<String>,
    #[serde(default)]
    pub quote: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Reads a gold file.
pub fn load_gold(path: &Path) -> Result<Vec<GoldFigure>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the gold file {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a list of gold figures", path.display()))
}

/// Counts and scores of one seed file, or of all of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Score {
    fn new(gold: usize, predicted: usize, matched: usize) -> Score {
        let precision = if predicted == 0 {
            if gold == 0 { 1.0 } else { 0.0 }
        } else {
            matched as f64 / predicted as f64
        };
        let recall = if gold == 0 {
            1.0
        } else {
            matched as f64 / gold as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Score {
            gold,
            predicted,
            matched,
            precision,
            recall,
            f1,
        }
    }
}

/// A gold figure the extractor did not find.
#[derive(Debug, Clone)]
pub struct Miss {
    pub file: String,
    pub gold: GoldFigure,
    /// Whether the gold quote's number appears in the cleaned body at all
    /// (it may sit in the title, or the cleaning may have dropped it).
    pub in_body: bool,
}

/// A figure the extractor found that the gold does not have.
#[derive(Debug, Clone)]
pub struct FalsePositive {
    pub file: String,
    pub figure: Figure,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// All files together.
    pub overall: Score,
    /// Per seed file, in the order of the gold file.
    pub files: Vec<(String, Score)>,
    pub misses: Vec<Miss>,
    pub false_positives: Vec<FalsePositive>,
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

/// Matches predictions with gold figures of one file; returns, for each
/// gold figure, the index of the prediction that matched it.
pub fn match_figures(gold: &[&GoldFigure], predicted: &[Figure]) -> Vec<Option<usize>> {
    let mut used = vec![false; predicted.len()];
    let mut out = vec![None; gold.len()];
    // Prefer a prediction whose quote overlaps the gold quote, then any.
    for pass in 0..2 {
        for (g, gf) in gold.iter().enumerate() {
            if out[g].is_some() {
                continue;
            }
            let found = predicted.iter().enumerate().find(|(p, f)| {
                !used[*p]
                    && f.key == gf.key
                    && same_value(f.value, gf.value)
                    && (pass == 1 || quotes_overlap(&f.quote, &gf.quote))
            });
            if let Some((p, _)) = found {
                used[p] = true;
                out[g] = Some(p);
            }
        }
    }
    out
}

fn quotes_overlap(a: &str, b: &str) -> bool {
    let a = crate::ingest::clean::unescape_markdown(a);
    a.contains(b) || b.contains(a.as_str())
}

/// Scores the extractor on the seed files named in a gold file.
pub fn evaluate(gold: &Path, seeds_dir: &Path, taxonomy: &Taxonomy) -> Result<EvalReport> {
    let gold_figures = load_gold(gold)?;
    let mut files: Vec<String> = Vec::new();
    for g in &gold_figures {
        if !files.contains(&g.file) {
            files.push(g.file.clone());
        }
    }
    let mut report = EvalReport::default();
    let (mut n_gold, mut n_pred, mut n_match) = (0, 0, 0);
    for file in &files {
        let path = seeds_dir.join(file);
        let article = crate::ingest::clean_seed_file(&path)
            .with_context(|| format!("cannot clean the seed {}", path.display()))?;
        let body = article.body_markdown();
        let plain = crate::ingest::clean::unescape_markdown(&body);
        let predicted = extract_figures(&body, taxonomy);
        let gold_here: Vec<&GoldFigure> = gold_figures.iter().filter(|g| &g.file == file).collect();
        let matches = match_figures(&gold_here, &predicted);
        let matched = matches.iter().filter(|m| m.is_some()).count();
        for (g, m) in gold_here.iter().zip(&matches) {
            if m.is_none() {
                report.misses.push(Miss {
                    file: file.clone(),
                    gold: (*g).clone(),
                    in_body: plain.contains(g.quote.as_str()),
                });
            }
        }
        let used: Vec<usize> = matches.iter().flatten().copied().collect();
        for (p, f) in predicted.iter().enumerate() {
            if !used.contains(&p) {
                report.false_positives.push(FalsePositive {
                    file: file.clone(),
                    figure: f.clone(),
                });
            }
        }
        n_gold += gold_here.len();
        n_pred += predicted.len();
        n_match += matched;
        report.files.push((
            file.clone(),
            Score::new(gold_here.len(), predicted.len(), matched),
        ));
    }
    report.overall = Score::new(n_gold, n_pred, n_match);
    report.precision = report.overall.precision;
    report.recall = report.overall.recall;
    report.f1 = report.overall.f1;
    Ok(report)
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, name: &str, s: &Score| {
            writeln!(
                f,
                "{name:<28} P {:.3}  R {:.3}  F1 {:.3}   (gold {}, predicted {}, matched {})",
                s.precision, s.recall, s.f1, s.gold, s.predicted, s.matched
            )
        };
        line(f, "overall", &self.overall)?;
        for (file, s) in &self.files {
            line(f, file, s)?;
        }
        writeln!(f, "\nmisses ({}):", self.misses.len())?;
        for m in &self.misses {
            let where_ = if m.in_body {
                ""
            } else {
                " [quote not in the cleaned body]"
            };
            writeln!(
                f,
                "  {} {} = {}{}  «{}»",
                m.file,
                m.gold.key,
                fmt_value(m.gold.value),
                where_,
                m.gold.quote
            )?;
        }
        writeln!(f, "\nfalse positives ({}):", self.false_positives.len())?;
        for p in &self.false_positives {
            let fig = &p.figure;
            let q = crate::ingest::clean::unescape_markdown(&fig.quote);
            writeln!(
                f,
                "  {} {} = {}  «{}»",
                p.file,
                fig.key,
                fmt_value(fig.value),
                q
            )?;
        }
        Ok(())
    }
}
