//! Which figures become which chart, in a page's language.
//!
//! - A region page: a before/after chart for each start/end pair of the
//!   taxonomy (poverty incidence from 6.9% to 0.31%) the region reports,
//!   and a time series for each indicator it reports for two or more
//!   single years.
//! - An indicator page: bars comparing the regions' newest results.
//! - The landing and home pages: the regions with the most people lifted
//!   out of poverty.
//!
//! Targets and doubtful values are left out of charts (they stay in the
//! tables). Each chart comes with the rows of its table, the text
//! alternative the template shows under it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{self, Chart, Mark};
use super::pages::{FigureView, Index, fig, indicator_label, is_target, ranking};
use super::templates::relative_url;
use crate::data::Side;
use crate::format::{self, Lang};
use crate::model::Model;

/// Bars on an indicator page.
pub const INDICATOR_BARS: usize = 30;
/// The indicator of the overview.
pub const OVERVIEW_KEY: &str = "people_lifted";

/// A chart with its table.
#[derive(Serialize)]
pub struct ChartView {
    /// Unique on the page.
    id: String,
    /// "bars" (regions), "pair" (before/after) or "series" (by year).
    kind: &'static str,
    /// The language of its labels (the landing page has both).
    lang: &'static str,
    title: String,
    svg: String,
    rows: Vec<ChartRow>,
    /// Bars shown and regions there are (the chart may show the largest only).
    shown: usize,
    total: usize,
}

/// One row of a chart's table: a bar or a point.
#[derive(Serialize)]
struct ChartRow {
    label: String,
    value: String,
    year: String,
    /// Site path of the figure's sentence.
    href: String,
}

/// An axis label: the number in the language, % for percentages.
fn tick(unit: &str, lang: Lang) -> impl Fn(f64) -> String + '_ {
    move |v| {
        let n = format::number(v, lang);
        if unit == "percent" {
            format!("{n}%")
        } else {
            n
        }
    }
}

/// Width of the charts of region pages (two side by side).
const NARROW: f64 = 480.0;
/// Width of the charts that have the page's width.
const WIDE: f64 = 640.0;

/// A chart of marks made from figure views.
#[allow(clippy::too_many_arguments)]
fn view(
    id: String,
    kind: &'static str,
    width: f64,
    title: String,
    unit: &str,
    lang: Lang,
    marks: Vec<(Mark, FigureView)>,
    years: Option<&[f64]>,
    total: usize,
) -> ChartView {
    let tick = tick(unit, lang);
    let (marks, views): (Vec<Mark>, Vec<FigureView>) = marks.into_iter().unzip();
    let chart = Chart {
        id: &id,
        title: &title,
        width,
        marks: &marks,
        tick: &tick,
    };
    let svg = match years {
        Some(years) => charts::series(&chart, years),
        None => charts::bars(&chart),
    };
    let rows = marks
        .iter()
        .zip(views)
        .map(|(m, f)| ChartRow {
            label: m.label.clone(),
            value: f.value,
            year: f.year,
            href: f.href,
        })
        .collect();
    ChartView {
        shown: marks.len(),
        id,
        kind,
        lang: lang.code(),
        title,
        svg,
        rows,
        total,
    }
}

/// A mark for a figure view: links from the page at `root`.
fn mark(label: String, value: f64, f: &FigureView, root: &str, class: &'static str) -> Mark {
    Mark {
        label,
        value,
        text: f.value.clone(),
        note: f.year.clone(),
        href: relative_url(root, &f.href),
        class,
    }
}

/// A mark whose label is already its year: no year after the value.
fn plain(mut m: Mark) -> Mark {
    m.note.clear();
    m
}

/// Bars of the regions' newest results of an indicator, largest first.
#[allow(clippy::too_many_arguments)]
fn region_bars(
    model: &Model,
    index: &Index,
    lang: Lang,
    key: &str,
    root: &str,
    id: String,
    limit: usize,
    width: f64,
) -> Option<ChartView> {
    let ind = model.taxonomy.get(key)?;
    let ranked = ranking(index, key);
    if ranked.is_empty() {
        return None;
    }
    let marks = ranked
        .iter()
        .take(limit)
        .filter_map(|(i, j, _)| {
            let f = fig(model, index, lang, *i, *j);
            let name = f.region.as_ref()?.name.clone();
            let value = model.articles[*i].figures()[*j].value;
            Some((mark(name, value, &f, root, ""), f))
        })
        .collect();
    Some(view(
        id,
        "bars",
        width,
        indicator_label(model, lang, key),
        &ind.unit,
        lang,
        marks,
        None,
        ranked.len(),
    ))
}

/// The chart of an indicator page.
pub fn indicator_chart(
    model: &Model,
    index: &Index,
    lang: Lang,
    key: &str,
    root: &str,
) -> Option<ChartView> {
    let id = format!("chart-{key}");
    region_bars(model, index, lang, key, root, id, INDICATOR_BARS, WIDE)
}

/// The overview of the landing and home pages: the `limit` regions with
/// the most people lifted out of poverty.
pub fn overview_chart(
    model: &Model,
    index: &Index,
    lang: Lang,
    root: &str,
    limit: usize,
) -> Option<ChartView> {
    // Two overviews share the landing page: the id names the language.
    let id = format!("overview-{}", lang.code());
    region_bars(model, index, lang, OVERVIEW_KEY, root, id, limit, NARROW)
}

/// The year of a figure when it is one year (not a period).
fn single_year(year: Option<&str>) -> Option<u32> {
    let y = year?;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .then(|| y.parse().ok())
        .flatten()
}

/// The first and last year of a period ("2016-2020" → 2016, 2020).
fn period_ends(year: Option<&str>) -> (Option<&str>, Option<&str>) {
    match year {
        Some(y) => match y.split_once('-') {
            Some((a, b)) => (
                Some(a).filter(|a| !a.is_empty()),
                Some(b).filter(|b| !b.is_empty()),
            ),
            None => (Some(y), Some(y)),
        },
        None => (None, None),
    }
}

/// The charts of a region page, in taxonomy order: the pairs, then the
/// time series.
pub fn region_charts(
    model: &Model,
    index: &Index,
    lang: Lang,
    code: &str,
    root: &str,
) -> Vec<ChartView> {
    let articles = index.articles_of(code);
    // Key → (article, figure) of the region's results, newest article first.
    let mut results: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for &i in articles {
        for (j, f) in model.articles[i].figures().iter().enumerate() {
            if !is_target(f) {
                results.entry(f.key.as_str()).or_default().push((i, j));
            }
        }
    }
    let mut out = Vec::new();
    for end in &model.taxonomy.indicators {
        if end.side != Some(Side::End) {
            continue;
        }
        let Some(start) = end
            .at_most
            .iter()
            .filter_map(|k| model.taxonomy.get(k))
            .find(|s| s.side == Some(Side::Start))
        else {
            continue;
        };
        let (Some(starts), Some(ends)) = (
            results.get(start.key.as_str()),
            results.get(end.key.as_str()),
        ) else {
            continue;
        };
        // Both from one article when one has both, else the newest of each.
        let pair = ends
            .iter()
            .find_map(|&(i, j)| starts.iter().find(|s| s.0 == i).map(|&s| (s, (i, j))))
            .unwrap_or((starts[0], ends[0]));
        let (s, e) = pair;
        let (sf, ef) = (
            &model.articles[s.0].figures()[s.1],
            &model.articles[e.0].figures()[e.1],
        );
        // 由6.9%降至0.31% over 2016-2020: the start is the period's first year.
        let (period_start, period_end) = period_ends(ef.year.as_deref());
        let start_year = period_ends(sf.year.as_deref()).1.or(period_start);
        let name = |year: Option<&str>, side: Side| match year {
            Some(y) => format::period(y, lang),
            None => format::side_word(side, lang).to_string(),
        };
        let (sv, ev) = (
            fig(model, index, lang, s.0, s.1),
            fig(model, index, lang, e.0, e.1),
        );
        let marks = vec![
            (
                plain(mark(
                    name(start_year, Side::Start),
                    sf.value,
                    &sv,
                    root,
                    "before",
                )),
                sv,
            ),
            (
                plain(mark(
                    name(period_end, Side::End),
                    ef.value,
                    &ev,
                    root,
                    "after",
                )),
                ev,
            ),
        ];
        let title = match lang {
            Lang::Zh => end.pair_label_zh.clone(),
            Lang::En => end.pair_label_en.as_deref().map(crate::summary::capitalize),
        }
        .unwrap_or_else(|| indicator_label(model, lang, &end.key));
        out.push(view(
            format!("chart-{}-pair", end.key),
            "pair",
            NARROW,
            title,
            &end.unit,
            lang,
            marks,
            None,
            2,
        ));
    }
    for ind in &model.taxonomy.indicators {
        let Some(found) = results.get(ind.key.as_str()) else {
            continue;
        };
        // The newest article's value for each single year.
        let mut by_year: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        for &(i, j) in found {
            if let Some(y) = single_year(model.articles[i].figures()[j].year.as_deref()) {
                by_year.entry(y).or_insert((i, j));
            }
        }
        if by_year.len() < 2 {
            continue;
        }
        let years: Vec<f64> = by_year.keys().map(|&y| y as f64).collect();
        let marks = by_year
            .values()
            .map(|&(i, j)| {
                let f = fig(model, index, lang, i, j);
                let value = model.articles[i].figures()[j].value;
                (plain(mark(f.year.clone(), value, &f, root, "")), f)
            })
            .collect();
        out.push(view(
            format!("chart-{}-series", ind.key),
            "series",
            NARROW,
            indicator_label(model, lang, &ind.key),
            &ind.unit,
            lang,
            marks,
            Some(&years),
            years.len(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_give_their_ends() {
        assert_eq!(period_ends(Some("2016-2020")), (Some("2016"), Some("2020")));
        assert_eq!(period_ends(Some("2016-")), (Some("2016"), None));
        assert_eq!(period_ends(Some("2019")), (Some("2019"), Some("2019")));
        assert_eq!(single_year(Some("2019")), Some(2019));
        assert_eq!(single_year(Some("2016-2020")), None);
    }
}
