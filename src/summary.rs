//! English summaries generated from an article's figures, for articles that
//! have no human translation yet. The summary only states what the figures
//! say; it never guesses at the rest of the article.

use crate::data::Taxonomy;
use crate::extract::Figure;
use crate::format::{self, Lang};

/// What the summary is written from.
pub struct SummaryInput<'a> {
    /// English name of the region, with its parents ("Neixiang County,
    /// Nanyang City, Henan Province").
    pub region_en: Option<&'a str>,
    /// Publication date from front matter.
    pub date: Option<&'a str>,
    pub figures: &'a [Figure],
}

/// At most this many sentences of figures; the rest are counted.
const MAX_SENTENCES: usize = 10;

/// Writes the summary: one sentence on the report, then one per indicator
/// (a before/after pair in one sentence), in taxonomy order.
pub fn summarize(input: &SummaryInput, taxonomy: &Taxonomy) -> String {
    let mut out = String::from("This report");
    if let Some(region) = input.region_en {
        out.push_str(&format!(" on {region}"));
    }
    if let Some(date) = input.date.and_then(|d| format::date(d, Lang::En)) {
        out.push_str(&format!(", published {date},"));
    }
    let n = input.figures.len();
    match n {
        0 => {
            out.push_str(" states no figures that Gazetteer recognises.");
            return out;
        }
        1 => out.push_str(" states one figure."),
        _ => out.push_str(&format!(" states {n} figures.")),
    }

    // Results first; targets are plans and are named as such.
    let results: Vec<Figure> = input
        .figures
        .iter()
        .filter(|f| !f.target)
        .cloned()
        .collect();
    let targets: Vec<Figure> = input.figures.iter().filter(|f| f.target).cloned().collect();
    let sentences = sentences(&results, taxonomy);
    let shown = sentences.len().min(MAX_SENTENCES);
    for s in &sentences[..shown] {
        out.push(' ');
        out.push_str(s);
    }
    if sentences.len() > shown {
        out.push_str(&format!(
            " {} more are listed with the article.",
            sentences.len() - shown
        ));
    }
    if !targets.is_empty() {
        let clauses: Vec<String> = targets
            .iter()
            .map(|f| {
                let label = taxonomy
                    .get(&f.key)
                    .map(|i| i.label_en.as_str())
                    .unwrap_or(&f.key);
                format!("{label}: {}", value_clause(f))
            })
            .collect();
        out.push_str(&format!(
            " Targets it sets (plans, not results): {}.",
            clauses.join("; ")
        ));
    }
    out
}

/// One sentence per indicator, in taxonomy order.
fn sentences(figures: &[Figure], taxonomy: &Taxonomy) -> Vec<String> {
    let mut out = Vec::new();
    let mut used = vec![false; figures.len()];
    for ind in &taxonomy.indicators {
        // A start/end pair of indicators (poverty_rate_start + _end) from one quote.
        if let Some(base) = ind.key.strip_suffix("_start") {
            let end_key = format!("{base}_end");
            for (i, f) in figures.iter().enumerate() {
                if used[i] || f.key != ind.key {
                    continue;
                }
                if let Some(j) = figures
                    .iter()
                    .position(|g| g.key == end_key && g.quote == f.quote)
                {
                    used[i] = true;
                    used[j] = true;
                    let label = capitalize(base_label(&ind.label_en));
                    out.push(change_sentence(&label, f, &figures[j]));
                }
            }
        }
        let idx: Vec<usize> = (0..figures.len())
            .filter(|&i| !used[i] && figures[i].key == ind.key)
            .collect();
        if idx.is_empty() {
            continue;
        }
        let label = capitalize(&ind.label_en);
        let mut parts = Vec::new();
        let mut k = 0;
        while k < idx.len() {
            let f = &figures[idx[k]];
            // Two values of one indicator in one quote with different years: a change.
            if let Some(&next) = idx.get(k + 1) {
                let g = &figures[next];
                if g.quote == f.quote && g.year != f.year && f.year.is_some() && g.year.is_some() {
                    parts.push(change_clause(f, g));
                    k += 2;
                    continue;
                }
            }
            parts.push(value_clause(f));
            k += 1;
        }
        for i in &idx {
            used[*i] = true;
        }
        out.push(format!("{label}: {}.", parts.join("; ")));
    }
    out
}

fn base_label(label: &str) -> &str {
    label.split(" at ").next().unwrap_or(label)
}

/// The text with its first letter upper-cased.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn value_clause(f: &Figure) -> String {
    let q = format::quantity(f.value, &f.unit, f.qualifier.as_deref(), Lang::En);
    let q = match &f.year {
        Some(y) => format!("{q} ({})", format::period(y, Lang::En)),
        None => q,
    };
    if f.doubt.is_some() {
        format!("{q} [doubtful]")
    } else {
        q
    }
}

fn change_clause(from: &Figure, to: &Figure) -> String {
    let verb = if to.value < from.value {
        "fell"
    } else {
        "rose"
    };
    format!("{verb} from {} to {}", value_clause(from), value_clause(to))
}

fn change_sentence(label: &str, from: &Figure, to: &Figure) -> String {
    format!("{label} {}.", change_clause(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(key: &str, value: f64, unit: &str, year: Option<&str>, quote: &str) -> Figure {
        Figure {
            key: key.into(),
            value,
            unit: unit.into(),
            year: year.map(Into::into),
            qualifier: None,
            quote: quote.into(),
            start: 0,
            end: 0,
            target: false,
            doubt: None,
        }
    }

    fn taxonomy() -> Taxonomy {
        Taxonomy::parse(
            "- {key: people_lifted, label_zh: 脱贫人口, label_en: people lifted out of poverty, unit: people}\n\
             - {key: poverty_rate_start, label_zh: 起, label_en: poverty incidence at start/baseline, unit: percent}\n\
             - {key: poverty_rate_end, label_zh: 止, label_en: poverty incidence at end, unit: percent}\n\
             - {key: gdp, label_zh: GDP, label_en: GDP, unit: yuan}\n",
        )
        .unwrap()
    }

    #[test]
    fn states_figures_in_english() {
        let q = "综合贫困发生率由6.9%降至0.31%";
        let g = "GDP总量从2015年底的148亿元增至2019年底的245亿元";
        let figures = vec![
            fig(
                "people_lifted",
                42991.0,
                "people",
                Some("2016-2020"),
                "42991人全部脱贫",
            ),
            fig("poverty_rate_start", 6.9, "percent", None, q),
            fig("poverty_rate_end", 0.31, "percent", None, q),
            fig("gdp", 14.8e9, "yuan", Some("2015"), g),
            fig("gdp", 24.5e9, "yuan", Some("2019"), g),
        ];
        let s = summarize(
            &SummaryInput {
                region_en: Some("Neixiang County"),
                date: Some("2020-11-17"),
                figures: &figures,
            },
            &taxonomy(),
        );
        assert!(
            s.starts_with(
                "This report on Neixiang County, published 17 Nov 2020, states 5 figures."
            ),
            "{s}"
        );
        assert!(
            s.contains("People lifted out of poverty: 42,991 people (2016–2020)."),
            "{s}"
        );
        assert!(
            s.contains("Poverty incidence fell from 6.9% to 0.31%."),
            "{s}"
        );
        assert!(
            s.contains("GDP: rose from 14.8 billion yuan (2015) to 24.5 billion yuan (2019)."),
            "{s}"
        );
    }

    #[test]
    fn no_figures() {
        let s = summarize(
            &SummaryInput {
                region_en: None,
                date: None,
                figures: &[],
            },
            &taxonomy(),
        );
        assert_eq!(
            s,
            "This report states no figures that Gazetteer recognises."
        );
    }
}
