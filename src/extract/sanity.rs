//! Sanity checks: values that are impossible for their indicator.
//!
//! A figure that fails a check is kept, with a short English reason in
//! [`Figure::doubt`], so that pages can show it as doubtful instead of
//! silently trusting or dropping it. The bounds live in the taxonomy
//! (`data/indicators.yaml`):
//!
//! * `min` / `max`: a poverty rate over 100% (or under 0);
//! * `whole`: a count of people, households or villages that is not a whole
//!   number (by default, every indicator counted in people, households or
//!   count units);
//! * `at_most`: a value above the other side of its before/after pair (a
//!   poverty rate that "falls" from 3.2% to 5.4%), or, outside a pair, above
//!   the largest figure of the named indicator in the same article (more
//!   people lifted than the registered poor population).
//!
//! One check needs no data: a compound X户Y人 with more households than
//! people.

use super::Figure;
use crate::data::Taxonomy;

/// Flags the doubtful figures of one article. `pairs` holds the indices
/// (start, end) of the figures that are the two values of one
/// before/after pair (由X降至Y).
pub fn check(figures: &mut [Figure], pairs: &[(usize, usize)], taxonomy: &Taxonomy) {
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); figures.len()];
    let partner_of = |i: usize| -> Option<usize> {
        pairs.iter().find_map(|&(a, b)| {
            if a == i {
                Some(b)
            } else if b == i {
                Some(a)
            } else {
                None
            }
        })
    };
    for (i, f) in figures.iter().enumerate() {
        let Some(ind) = taxonomy.get(&f.key) else {
            continue;
        };
        let percent = f.unit == "percent";
        if let Some(max) = ind.max
            && f.value > max
        {
            reasons[i].push(if percent {
                format!("{}% is over {}%", num(f.value), num(max))
            } else {
                format!("{} is above the maximum {}", num(f.value), num(max))
            });
        }
        if let Some(min) = ind.min
            && f.value < min
        {
            reasons[i].push(if percent {
                format!("{}% is under {}%", num(f.value), num(min))
            } else {
                format!("{} is below the minimum {}", num(f.value), num(min))
            });
        }
        if ind.whole_numbers() && (f.value - f.value.round()).abs() > 1e-6 {
            reasons[i].push(format!(
                "{} is not a whole number of {}",
                num(f.value),
                f.unit
            ));
        }
        if ind.at_most.is_empty() {
            continue;
        }
        let label = |key: &str| -> String {
            taxonomy
                .get(key)
                .map_or_else(|| key.to_string(), |j| j.label_en.clone())
        };
        match partner_of(i) {
            Some(p) if ind.at_most.contains(&figures[p].key) => {
                let other = &figures[p];
                if f.value > other.value {
                    reasons[i].push(format!(
                        "above the {} of the same change ({})",
                        label(&other.key),
                        num(other.value)
                    ));
                    reasons[p].push(format!(
                        "below the {} of the same change ({})",
                        label(&f.key),
                        num(f.value)
                    ));
                }
            }
            _ => {
                // The largest stated figure of each bounding indicator.
                for key in &ind.at_most {
                    let largest = figures
                        .iter()
                        .filter(|g| &g.key == key)
                        .map(|g| g.value)
                        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
                    if let Some(bound) = largest
                        && f.value > bound
                    {
                        reasons[i].push(format!(
                            "more than the {} in the same article ({})",
                            label(key),
                            num(bound)
                        ));
                    }
                }
            }
        }
    }
    // X户Y人 (or Y人X户) written together: households cannot outnumber people.
    for i in 0..figures.len().saturating_sub(1) {
        let (a, b) = (&figures[i], &figures[i + 1]);
        if a.quote != b.quote || b.start < a.end || b.start - a.end > 1 {
            continue;
        }
        let (h, p) = match (a.unit.as_str(), b.unit.as_str()) {
            ("households", "people") => (a.value, b.value),
            ("people", "households") => (b.value, a.value),
            _ => continue,
        };
        if h > p {
            let why = format!("more households ({}) than people ({})", num(h), num(p));
            reasons[i].push(why.clone());
            reasons[i + 1].push(why);
        }
    }
    for (f, r) in figures.iter_mut().zip(reasons) {
        if !r.is_empty() {
            f.doubt = Some(r.join("; "));
        }
    }
}

/// A value as a reader writes it: 6215, 126.5, 13287.5.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::parse(
            "- {key: registered_poor_population, label_zh: 建档立卡贫困人口, label_en: registered poor population, unit: people}\n\
             - {key: people_lifted, label_zh: 脱贫人口, label_en: people lifted out of poverty, unit: people, at_most: [registered_poor_population]}\n\
             - {key: registered_poor_households, label_zh: 建档立卡贫困户, label_en: registered poor households, unit: households}\n\
             - {key: households_lifted, label_zh: 脱贫户数, label_en: households lifted, unit: households, at_most: [registered_poor_households]}\n\
             - {key: poverty_rate_start, label_zh: 起, label_en: poverty incidence at start, unit: percent, min: 0, max: 100}\n\
             - {key: poverty_rate_end, label_zh: 止, label_en: poverty incidence at end, unit: percent, min: 0, max: 100, at_most: [poverty_rate_start]}\n\
             - {key: gdp, label_zh: GDP, label_en: GDP, unit: yuan}\n\
             - {key: relocated, label_zh: 搬迁, label_en: relocated, unit: people, whole: false}\n",
        )
        .unwrap()
    }

    fn fig(key: &str, value: f64, unit: &str, quote: &str, start: usize, end: usize) -> Figure {
        Figure {
            key: key.into(),
            value,
            unit: unit.into(),
            year: None,
            qualifier: None,
            quote: quote.into(),
            start,
            end,
            target: false,
            doubt: None,
        }
    }

    fn run(figs: &mut [Figure], pairs: &[(usize, usize)]) -> Vec<Option<String>> {
        check(figs, pairs, &taxonomy());
        figs.iter().map(|f| f.doubt.clone()).collect()
    }

    #[test]
    fn a_percent_over_100_or_under_0_is_doubtful() {
        let mut figs = [
            fig("poverty_rate_start", 126.5, "percent", "a", 0, 6),
            fig("poverty_rate_end", 2.1, "percent", "a", 10, 14),
            fig("poverty_rate_start", 100.0, "percent", "b", 20, 24),
            fig("poverty_rate_end", -1.0, "percent", "c", 30, 33),
        ];
        let d = run(&mut figs, &[]);
        assert_eq!(d[0].as_deref(), Some("126.5% is over 100%"));
        assert_eq!(d[1], None);
        assert_eq!(d[2], None, "100% is possible");
        assert_eq!(d[3].as_deref(), Some("-1% is under 0%"));
    }

    #[test]
    fn a_count_that_is_not_whole_is_doubtful() {
        let mut figs = [
            fig(
                "registered_poor_households",
                13287.5,
                "households",
                "a",
                0,
                9,
            ),
            fig("registered_poor_population", 27779.0, "people", "b", 10, 17),
            fig("gdp", 9680000000.5, "yuan", "c", 20, 26),
            fig("relocated", 0.5, "people", "d", 30, 33),
        ];
        let d = run(&mut figs, &[]);
        assert_eq!(
            d[0].as_deref(),
            Some("13287.5 is not a whole number of households")
        );
        assert_eq!(d[1], None);
        assert_eq!(d[2], None, "yuan need not be whole");
        assert_eq!(d[3], None, "whole: false in the taxonomy");
    }

    #[test]
    fn more_lifted_than_registered_in_the_article_is_doubtful() {
        let mut figs = [
            fig("registered_poor_population", 6215.0, "people", "a", 0, 5),
            fig("registered_poor_population", 5000.0, "people", "b", 10, 15),
            fig("people_lifted", 8652.0, "people", "c", 20, 25),
            fig("people_lifted", 6000.0, "people", "d", 30, 35),
            fig("households_lifted", 900.0, "households", "e", 40, 44),
        ];
        let d = run(&mut figs, &[]);
        assert_eq!(d[0], None, "the registered figure itself is not flagged");
        assert_eq!(
            d[2].as_deref(),
            Some("more than the registered poor population in the same article (6215)")
        );
        assert_eq!(d[3], None, "compared with the largest registered figure");
        assert_eq!(d[4], None, "no registered households stated: no check");
    }

    #[test]
    fn an_end_rate_above_the_start_of_its_pair_is_doubtful() {
        let mut figs = [
            fig("poverty_rate_start", 3.2, "percent", "a", 0, 4),
            fig("poverty_rate_end", 5.4, "percent", "a", 10, 14),
            fig("poverty_rate_start", 18.0, "percent", "b", 20, 23),
            fig("poverty_rate_end", 0.5, "percent", "b", 30, 34),
            // Outside a pair: against the largest start of the article.
            fig("poverty_rate_end", 7.0, "percent", "c", 40, 42),
        ];
        let d = run(&mut figs, &[(0, 1), (2, 3)]);
        assert_eq!(
            d[1].as_deref(),
            Some("above the poverty incidence at start of the same change (3.2)")
        );
        assert_eq!(
            d[0].as_deref(),
            Some("below the poverty incidence at end of the same change (5.4)")
        );
        assert_eq!((d[2].as_deref(), d[3].as_deref()), (None, None));
        assert_eq!(d[4], None, "7% < 18%, the largest start rate");
        // The pair decides, not the article: 5.4 > 3.2 even though 18 is larger.
        let mut figs = [
            fig("poverty_rate_start", 18.0, "percent", "b", 0, 3),
            fig("poverty_rate_start", 3.2, "percent", "a", 10, 14),
            fig("poverty_rate_end", 5.4, "percent", "a", 20, 24),
        ];
        let d = run(&mut figs, &[(1, 2)]);
        assert!(d[2].is_some() && d[0].is_none());
    }

    #[test]
    fn more_households_than_people_in_one_compound_is_doubtful() {
        let mut figs = [
            fig("households_lifted", 4200.0, "households", "q", 0, 5),
            fig("people_lifted", 3100.0, "people", "q", 5, 10),
            fig("people_lifted", 5300.0, "people", "r", 20, 25),
            fig("households_lifted", 1334.0, "households", "r", 25, 30),
        ];
        let d = run(&mut figs, &[]);
        let why = "more households (4200) than people (3100)";
        assert_eq!((d[0].as_deref(), d[1].as_deref()), (Some(why), Some(why)));
        assert_eq!((d[2].as_deref(), d[3].as_deref()), (None, None));
    }

    #[test]
    fn reasons_add_up_and_plain_figures_pass() {
        let mut figs = [
            fig("registered_poor_population", 100.0, "people", "a", 0, 4),
            fig("people_lifted", 200.5, "people", "b", 10, 15),
            fig("gdp", 1e9, "yuan", "c", 20, 25),
        ];
        let d = run(&mut figs, &[]);
        assert_eq!(
            d[1].as_deref(),
            Some(
                "200.5 is not a whole number of people; more than the registered poor population in the same article (100)"
            )
        );
        assert_eq!((d[0].as_deref(), d[2].as_deref()), (None, None));
        let mut none: [Figure; 0] = [];
        check(&mut none, &[], &taxonomy());
    }
}
