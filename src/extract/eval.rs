//! Scoring the extractor against a gold file.
//!
//! Two formats are read, told apart by their JSON:
//!
//! * seed gold (`../shared/gold/gold_seeds.json`): a list of hand-labelled
//!   figures: `file`, `key`, `value`, `unit`, `year`, `qualifier`, `quote`,
//!   `note`; [`evaluate`] cleans every seed file the gold names;
//! * labelled texts (`tests/fixtures/heldout/heldout.json`): a list of items,
//!   or `{"items": [...]}`, each with `id`, `source`, `text` (a sentence or
//!   a short paragraph) and `figures` (`key`, `value`, `unit`, `year`,
//!   `qualifier`, `target`, `doubt`); an item without figures says that
//!   none of its numbers is a figure.
//!
//! The figures extracted from each text are matched with the gold: a
//! prediction matches a gold figure when the key agrees and the value agrees
//! within a relative 1e-6; each gold figure is matched at most once.
//! Precision and recall count those matches; the report adds how often the
//! matched figures also agree on year, qualifier, target and doubt.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::{Figure, extract_figures};
use crate::data::Taxonomy;

/// One hand-labelled figure.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldFigure {
    /// The seed file, or the id of the labelled text.
    #[serde(default)]
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
    /// Whether the figure is a target (None: not labelled).
    #[serde(default)]
    pub target: Option<bool>,
    /// Whether the value is impossible for its indicator (None: not labelled).
    #[serde(default)]
    pub doubt: Option<bool>,
}

/// One labelled text of the second format: a sentence or short paragraph
/// with all the figures it reports.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledText {
    #[serde(default)]
    pub id: String,
    /// Where the text comes from (a report, or written for the test).
    #[serde(default)]
    pub source: String,
    pub text: String,
    /// Its figures; `target` and `doubt` default to false.
    #[serde(default)]
    pub figures: Vec<GoldFigure>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The contents of a gold file, in one of the two formats.
#[derive(Debug, Clone)]
pub enum Gold {
    /// Figures of seed files.
    Seeds(Vec<GoldFigure>),
    /// Labelled texts.
    Texts(Vec<LabelledText>),
}

/// Reads a gold file of either format.
pub fn load(path: &Path) -> Result<Gold> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the gold file {}", path.display()))?;
    parse(&text).with_context(|| format!("in the gold file {}", path.display()))
}

/// Parses gold JSON of either format: a list of figures with `file`, or a
/// list of items with `text` (also as `{"items": [...]}`).
pub fn parse(text: &str) -> Result<Gold> {
    let value: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    let (list, wrapped) = match &value {
        serde_json::Value::Array(list) => (list, false),
        serde_json::Value::Object(map) => match map.get("items") {
            Some(serde_json::Value::Array(list)) => (list, true),
            _ => anyhow::bail!("expected a list, or an object with a list `items`"),
        },
        _ => anyhow::bail!("expected a list of gold figures or of labelled texts"),
    };
    let texts = wrapped || list.first().is_some_and(|v| v.get("text").is_some());
    if texts {
        let mut items: Vec<LabelledText> =
            serde_json::from_value(serde_json::Value::Array(list.clone()))
                .context("not a list of labelled texts (id, source, text, figures)")?;
        for (n, it) in items.iter_mut().enumerate() {
            if it.id.is_empty() {
                it.id = format!("item {}", n + 1);
            }
            for f in &mut it.figures {
                f.file = it.id.clone();
                if f.quote.is_empty() {
                    f.quote = it.text.clone();
                }
                f.target.get_or_insert(false);
                f.doubt.get_or_insert(false);
            }
        }
        Ok(Gold::Texts(items))
    } else {
        let figures: Vec<GoldFigure> = serde_json::from_value(value)
            .context("not a list of gold figures (file, key, value ...)")?;
        if let Some(g) = figures.iter().find(|g| g.file.is_empty()) {
            anyhow::bail!("the gold figure {} = {} names no `file`", g.key, g.value);
        }
        Ok(Gold::Seeds(figures))
    }
}

/// Reads a gold file of seed figures.
pub fn load_gold(path: &Path) -> Result<Vec<GoldFigure>> {
    match load(path)? {
        Gold::Seeds(figures) => Ok(figures),
        Gold::Texts(_) => anyhow::bail!(
            "{} holds labelled texts, not figures of seed files",
            path.display()
        ),
    }
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

/// How many matched figures agree with the gold on one attribute, of how
/// many whose gold labels it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Agreement {
    pub agree: usize,
    pub labelled: usize,
}

impl Agreement {
    fn add(&mut self, same: Option<bool>) {
        if let Some(same) = same {
            self.labelled += 1;
            self.agree += usize::from(same);
        }
    }

    /// The share that agrees (1 when nothing is labelled).
    pub fn rate(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.agree as f64 / self.labelled as f64
        }
    }
}

/// A matched figure whose target or doubt label differs from the gold.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub file: String,
    pub gold: GoldFigure,
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
    /// Attributes of the matched figures: year, qualifier, target, doubt.
    pub year: Agreement,
    pub qualifier: Agreement,
    pub target: Agreement,
    pub doubt: Agreement,
    /// Matched figures labelled differently as target or doubtful.
    pub disagreements: Vec<Disagreement>,
    /// Labelled texts (not seed files) were scored: the per-text lines only
    /// list the texts with an error.
    pub texts: bool,
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

/// Scores the extractor on a gold file of either format: the seed files
/// it names (found in `seeds_dir`), or its labelled texts.
pub fn evaluate(gold: &Path, seeds_dir: &Path, taxonomy: &Taxonomy) -> Result<EvalReport> {
    match load(gold)? {
        Gold::Seeds(figures) => evaluate_seeds(&figures, seeds_dir, taxonomy),
        Gold::Texts(items) => Ok(evaluate_texts(&items, taxonomy)),
    }
}

/// Scores the extractor on the seed files named by gold figures.
pub fn evaluate_seeds(
    gold_figures: &[GoldFigure],
    seeds_dir: &Path,
    taxonomy: &Taxonomy,
) -> Result<EvalReport> {
    let mut files: Vec<String> = Vec::new();
    for g in gold_figures {
        if !files.contains(&g.file) {
            files.push(g.file.clone());
        }
    }
    let mut report = EvalReport::default();
    let mut totals = (0, 0, 0);
    for file in &files {
        let path = seeds_dir.join(file);
        let article = crate::ingest::clean_seed_file(&path)
            .with_context(|| format!("cannot clean the seed {}", path.display()))?;
        let body = article.body_markdown();
        let gold_here: Vec<&GoldFigure> = gold_figures.iter().filter(|g| &g.file == file).collect();
        score_text(&mut report, &mut totals, file, &body, &gold_here, taxonomy);
    }
    report.finish(totals);
    Ok(report)
}

/// Scores the extractor on labelled texts.
pub fn evaluate_texts(items: &[LabelledText], taxonomy: &Taxonomy) -> EvalReport {
    let mut report = EvalReport {
        texts: true,
        ..EvalReport::default()
    };
    let mut totals = (0, 0, 0);
    for it in items {
        let body = text_body(&it.text);
        let gold_here: Vec<&GoldFigure> = it.figures.iter().collect();
        score_text(
            &mut report,
            &mut totals,
            &it.id,
            &body,
            &gold_here,
            taxonomy,
        );
    }
    report.finish(totals);
    report
}

/// A plain text as a cleaned body: one Markdown paragraph per line.
fn text_body(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(crate::ingest::clean::escape_markdown)
        .collect();
    paragraphs.join("\n\n") + "\n"
}

/// Extracts the figures of one body and adds its score to the report.
fn score_text(
    report: &mut EvalReport,
    totals: &mut (usize, usize, usize),
    name: &str,
    body: &str,
    gold_here: &[&GoldFigure],
    taxonomy: &Taxonomy,
) {
    let plain = crate::ingest::clean::unescape_markdown(body);
    let predicted = extract_figures(body, taxonomy);
    let matches = match_figures(gold_here, &predicted);
    let matched = matches.iter().filter(|m| m.is_some()).count();
    for (g, m) in gold_here.iter().zip(&matches) {
        let Some(p) = *m else {
            report.misses.push(Miss {
                file: name.to_string(),
                gold: (*g).clone(),
                in_body: report.texts || plain.contains(g.quote.as_str()),
            });
            continue;
        };
        let f = &predicted[p];
        report.year.add(Some(f.year == g.year));
        report.qualifier.add(Some(f.qualifier == g.qualifier));
        let target = g.target.map(|t| t == f.target);
        let doubt = g.doubt.map(|d| d == f.doubt.is_some());
        report.target.add(target);
        report.doubt.add(doubt);
        if target == Some(false) || doubt == Some(false) {
            report.disagreements.push(Disagreement {
                file: name.to_string(),
                gold: (*g).clone(),
                figure: f.clone(),
            });
        }
    }
    let used: Vec<usize> = matches.iter().flatten().copied().collect();
    for (p, f) in predicted.iter().enumerate() {
        if !used.contains(&p) {
            report.false_positives.push(FalsePositive {
                file: name.to_string(),
                figure: f.clone(),
            });
        }
    }
    totals.0 += gold_here.len();
    totals.1 += predicted.len();
    totals.2 += matched;
    report.files.push((
        name.to_string(),
        Score::new(gold_here.len(), predicted.len(), matched),
    ));
}

impl EvalReport {
    fn finish(&mut self, (gold, predicted, matched): (usize, usize, usize)) {
        self.overall = Score::new(gold, predicted, matched);
        self.precision = self.overall.precision;
        self.recall = self.overall.recall;
        self.f1 = self.overall.f1;
    }
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
        let agreement = |a: &Agreement| format!("{}/{}", a.agree, a.labelled);
        writeln!(
            f,
            "{:<28} year {}  qualifier {}  target {}  doubt {}",
            "matched with the same",
            agreement(&self.year),
            agreement(&self.qualifier),
            agreement(&self.target),
            agreement(&self.doubt),
        )?;
        let shown: Vec<&(String, Score)> = self
            .files
            .iter()
            .filter(|(_, s)| !self.texts || s.matched < s.gold.max(s.predicted))
            .collect();
        if self.texts {
            writeln!(
                f,
                "texts: {}, all right: {}; the others:",
                self.files.len(),
                self.files.len() - shown.len()
            )?;
        }
        for (file, s) in shown {
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
        if !self.disagreements.is_empty() {
            writeln!(
                f,
                "\ntarget or doubt labelled differently ({}):",
                self.disagreements.len()
            )?;
            for d in &self.disagreements {
                let label = |target: bool, doubt: bool| {
                    let mut v = Vec::new();
                    if target {
                        v.push("target");
                    }
                    if doubt {
                        v.push("doubtful");
                    }
                    if v.is_empty() {
                        "plain".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                writeln!(
                    f,
                    "  {} {} = {}: gold {}, extracted {}{}  «{}»",
                    d.file,
                    d.gold.key,
                    fmt_value(d.gold.value),
                    label(d.gold.target == Some(true), d.gold.doubt == Some(true)),
                    label(d.figure.target, d.figure.doubt.is_some()),
                    d.figure
                        .doubt
                        .as_ref()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default(),
                    crate::ingest::clean::unescape_markdown(&d.figure.quote)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/indicators.yaml"),
        )
        .unwrap()
    }

    #[test]
    fn tells_the_two_formats_apart() {
        let seeds =
            r#"[{"file": "a.txt", "key": "people_lifted", "value": 5000, "quote": "脱贫5000人"}]"#;
        match parse(seeds).unwrap() {
            Gold::Seeds(f) => {
                assert_eq!(f[0].file, "a.txt");
                assert_eq!(f[0].target, None, "seed gold does not label targets");
            }
            Gold::Texts(_) => panic!("seed gold read as texts"),
        }
        let texts = r#"[{"id": "t1", "source": "written for this test", "text": "全县累计脱贫5000人。",
                         "figures": [{"key": "people_lifted", "value": 5000, "unit": "people"}]},
                        {"source": "x", "text": "总人口56万人。"}]"#;
        let Gold::Texts(items) = parse(texts).unwrap() else {
            panic!("texts read as seed gold")
        };
        assert_eq!(items[0].figures[0].file, "t1");
        assert_eq!(items[0].figures[0].target, Some(false));
        assert_eq!(items[0].figures[0].doubt, Some(false));
        assert_eq!(items[1].id, "item 2");
        assert!(items[1].figures.is_empty());
        let wrapped = format!(r#"{{"description": "d", "items": {texts}}}"#);
        assert!(matches!(parse(&wrapped).unwrap(), Gold::Texts(v) if v.len() == 2));
        assert!(matches!(parse("[]").unwrap(), Gold::Seeds(v) if v.is_empty()));
    }

    #[test]
    fn names_what_is_wrong() {
        assert!(parse("{").is_err());
        assert!(parse(r#"{"figures": []}"#).is_err());
        let err = parse(r#"[{"key": "people_lifted", "value": 1}]"#).unwrap_err();
        assert!(format!("{err:#}").contains("file"), "{err:#}");
        let err = parse(r#"[{"text": "x", "figures": [{"key": "k"}]}]"#).unwrap_err();
        assert!(format!("{err:#}").contains("labelled texts"), "{err:#}");
    }

    #[test]
    fn scores_texts_with_their_attributes() {
        let texts = r#"[
          {"id": "a", "source": "s", "text": "2019年全县脱贫2316户7458人,2020年计划脱贫1800户。",
           "figures": [{"key": "households_lifted", "value": 2316, "year": "2019"},
                       {"key": "people_lifted", "value": 7458, "year": "2019"},
                       {"key": "households_lifted", "value": 1800, "year": "2020", "target": true}]},
          {"id": "b", "source": "s", "text": "全县总面积1850平方公里,总人口56万人。"},
          {"id": "c", "source": "s", "text": "全县累计脱贫8652人。", "figures": [{"key": "gdp", "value": 8652}]}
        ]"#;
        let Gold::Texts(items) = parse(texts).unwrap() else {
            panic!()
        };
        let r = evaluate_texts(&items, &taxonomy());
        assert_eq!(
            (r.overall.gold, r.overall.predicted, r.overall.matched),
            (4, 4, 3)
        );
        assert_eq!(
            r.target,
            Agreement {
                agree: 3,
                labelled: 3
            }
        );
        assert_eq!(
            r.year,
            Agreement {
                agree: 3,
                labelled: 3
            }
        );
        assert!(r.disagreements.is_empty());
        assert_eq!(r.misses.len(), 1);
        assert_eq!(r.false_positives.len(), 1);
        let text = r.to_string();
        assert!(text.contains("texts: 3, all right: 2"), "{text}");
        assert!(text.contains("\n  c gdp = 8652"), "{text}");
        assert!(
            !text.contains("\na "),
            "perfect texts are not listed: {text}"
        );
    }
}
