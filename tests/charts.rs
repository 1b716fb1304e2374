//! Charts, the map and the data downloads of the built project site, read
//! as a reader's browser or an analyst's tools would: every bar or point
//! carries the value it stands for and links to that figure's sentence,
//! the map marks each region inside its province, and the CSV and JSON
//! hold every figure with values that read back exactly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::built_project_site;
use gazetteer::config::Site;
use gazetteer::model::Model;
use scraper::{ElementRef, Html, Selector};

/// The slugs of the seed articles' regions.
const REGIONS: [&str; 5] = [
    "neixiang",
    "fangcheng-county",
    "danfeng",
    "langxi",
    "neijiang",
];

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn page(rel: &str) -> Html {
    let path = built_project_site().join("public").join(rel);
    Html::parse_document(&std::fs::read_to_string(&path).unwrap())
}

fn text_of(el: ElementRef) -> String {
    el.text().collect::<String>().trim().to_string()
}

fn attr_f64(el: ElementRef, name: &str) -> f64 {
    el.value()
        .attr(name)
        .unwrap_or_else(|| panic!("{name} on {:?}", el.value()))
        .parse()
        .unwrap()
}

/// (article slug, figure index) → value, from the content as the model
/// loads it: the ground truth.
fn figure_values() -> BTreeMap<(String, usize), f64> {
    let model = Model::load(Site::load(built_project_site()).unwrap()).unwrap();
    model
        .articles
        .iter()
        .flat_map(|a| {
            a.figures()
                .iter()
                .enumerate()
                .map(|(j, f)| ((a.slug.clone(), j), f.value))
        })
        .collect()
}

/// The (slug, figure) a link to a figure's sentence points at.
fn figure_of(href: &str) -> (String, usize) {
    let (path, anchor) = href.split_once("#fig-").expect("a link to a figure");
    let slug = path
        .trim_end_matches("/index.html")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    (slug, anchor.parse().unwrap())
}

/// The marks of a chart: (the mark, its link).
fn marks(svg: ElementRef) -> Vec<(ElementRef, String)> {
    svg.select(&sel("a"))
        .filter_map(|a| {
            let mark = a.select(&sel("rect.bar, circle.point")).next()?;
            Some((mark, a.value().attr("href").unwrap().to_string()))
        })
        .collect()
}

/// Checks what every chart of a page shows against the content, and
/// returns how many marks it checked.
fn check_charts(rel: &str, values: &BTreeMap<(String, usize), f64>) -> usize {
    let doc = page(rel);
    let mut checked = 0;
    for fig in doc.select(&sel("figure.chart-figure")) {
        let svg = fig.select(&sel("svg.chart")).next().expect("an svg");
        let marks = marks(svg);
        let rows: Vec<ElementRef> = fig.select(&sel("table.chart-table tbody tr")).collect();
        assert!(!marks.is_empty(), "{rel}: a chart without marks");
        assert_eq!(marks.len(), rows.len(), "{rel}: a table row per mark");
        // The scale: bars from a common origin, points from the bottom.
        let bars = svg.value().classes().any(|c| c == "chart-bars");
        let size = |m: ElementRef| {
            if bars {
                attr_f64(m, "width")
            } else {
                -attr_f64(m, "cy")
            }
        };
        let (big, big_value) = marks
            .iter()
            .map(|(m, _)| (size(*m), attr_f64(*m, "data-value")))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        let (small, small_value) = marks
            .iter()
            .map(|(m, _)| (size(*m), attr_f64(*m, "data-value")))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        for ((mark, href), row) in marks.iter().zip(&rows) {
            let value = attr_f64(*mark, "data-value");
            // It is the value of the figure it links to.
            let figure = figure_of(href);
            assert_eq!(values.get(&figure), Some(&value), "{rel}: {href}");
            // Its title and its table row write that value.
            let title = text_of(mark.select(&sel("title")).next().unwrap());
            let cell = text_of(row.select(&sel("td.num")).next().unwrap());
            assert!(
                title.contains(&cell),
                "{rel}: title {title:?} vs row {cell:?}"
            );
            // The row links to the same sentence.
            let row_href = row
                .select(&sel("a"))
                .next()
                .unwrap()
                .value()
                .attr("href")
                .unwrap();
            assert_eq!(figure_of(row_href), figure, "{rel}");
            // Its length (bars) or height (points) is proportional to it.
            let drawn = size(*mark);
            if bars {
                if big_value > 0.0 {
                    let want = value / big_value * big;
                    assert!(
                        (drawn - want).abs() <= 0.15,
                        "{rel}: bar {value} is {drawn}, want {want}"
                    );
                }
            } else if big_value > small_value {
                // Heights are linear in the value: y = a + b·value.
                let want =
                    small + (value - small_value) / (big_value - small_value) * (big - small);
                assert!(
                    (drawn - want).abs() <= 0.15,
                    "{rel}: point {value} at {drawn}, want {want}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn region_pages_chart_before_after_and_time_series() {
    let values = figure_values();
    for lang in ["zh", "en"] {
        let rel = format!("{lang}/regions/neixiang/index.html");
        let doc = page(&rel);
        let kinds: Vec<String> = doc
            .select(&sel("svg.chart"))
            .map(|s| s.value().attr("class").unwrap().to_string())
            .collect();
        assert!(
            kinds.iter().any(|k| k.contains("chart-bars"))
                && kinds.iter().any(|k| k.contains("chart-series")),
            "{rel}: a before/after pair and a time series: {kinds:?}"
        );
        // Poverty incidence fell from 6.9% to 0.31%.
        let pair = doc
            .select(&sel("#chart-poverty_rate_end-pair svg"))
            .next()
            .expect("the poverty-incidence pair");
        let shown: Vec<f64> = marks(pair)
            .iter()
            .map(|(m, _)| attr_f64(*m, "data-value"))
            .collect();
        assert_eq!(shown, vec![6.9, 0.31], "{rel}");
        let labels: Vec<String> = pair.select(&sel("text.label")).map(text_of).collect();
        let want = if lang == "zh" {
            ["2016年", "2020年"]
        } else {
            ["2016", "2020"]
        };
        assert_eq!(labels, want, "{rel}: the bars are named by their years");
        assert!(check_charts(&rel, &values) >= 4, "{rel}");
    }
    let mut total = 0;
    for slug in REGIONS {
        for lang in ["zh", "en"] {
            total += check_charts(&format!("{lang}/regions/{slug}/index.html"), &values);
        }
    }
    assert!(total >= 10, "{total} marks checked");
}

#[test]
fn indicator_pages_compare_regions_largest_first() {
    let values = figure_values();
    for lang in ["zh", "en"] {
        let rel = format!("{lang}/indicators/people_lifted/index.html");
        assert_eq!(check_charts(&rel, &values), 5, "{rel}: the five regions");
        let doc = page(&rel);
        let svg = doc.select(&sel("svg.chart")).next().unwrap();
        let shown: Vec<f64> = marks(svg)
            .iter()
            .map(|(m, _)| attr_f64(*m, "data-value"))
            .collect();
        let mut sorted = shown.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(shown, sorted, "{rel}: largest first");
        // The bars are the comparison table's rows, in its order.
        let table: Vec<f64> = doc
            .select(&sel("table.sortable tbody td.num"))
            .map(|td| attr_f64(td, "data-sort-value"))
            .collect();
        assert_eq!(shown, table, "{rel}");
        // Labels are region names in the page's language.
        let labels: Vec<String> = svg.select(&sel("text.label")).map(text_of).collect();
        let neixiang = if lang == "zh" {
            "内乡县"
        } else {
            "Neixiang County"
        };
        assert!(labels.iter().any(|l| l == neixiang), "{rel}: {labels:?}");
        // Axis labels in the page's language: 万 in Chinese, digit groups in English.
        let ticks: Vec<String> = svg.select(&sel(".axis text")).map(text_of).collect();
        if lang == "zh" {
            assert!(ticks.iter().any(|t| t.ends_with('万')), "{ticks:?}");
        } else {
            assert!(ticks.iter().any(|t| t.contains(",000")), "{ticks:?}");
        }
    }
}

#[test]
fn landing_and_home_show_the_overview() {
    let values = figure_values();
    assert!(
        check_charts("index.html", &values) >= 10,
        "two overviews on the landing page"
    );
    for lang in ["zh", "en"] {
        assert_eq!(check_charts(&format!("{lang}/index.html"), &values), 5);
    }
    // Ids stay unique with two charts on one page.
    let landing = page("index.html");
    let ids: Vec<&str> = landing
        .select(&sel("[id]"))
        .map(|e| e.value().attr("id").unwrap())
        .collect();
    let unique: BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
}

#[test]
fn charts_have_no_style_or_script_and_no_external_reference() {
    for rel in [
        "zh/regions/neixiang/index.html",
        "en/indicators/people_lifted/index.html",
        "en/regions/index.html",
    ] {
        let doc = page(rel);
        for svg in doc.select(&sel("svg")) {
            for el in svg.descendants().filter_map(ElementRef::wrap) {
                let v = el.value();
                assert!(
                    !matches!(v.name(), "script" | "style" | "foreignObject" | "image"),
                    "{rel}"
                );
                assert!(v.attr("style").is_none(), "{rel}: style attribute");
                for (name, value) in v.attrs() {
                    assert!(!name.starts_with("on"), "{rel}: {name}");
                    if name == "href" {
                        assert!(
                            !value.contains("://") && value.contains("index.html"),
                            "{rel}: {value}"
                        );
                    }
                }
            }
        }
    }
}

/// The rings of an SVG path's d attribute (M…L…Z), as points.
fn path_rings(d: &str) -> Vec<Vec<(f64, f64)>> {
    d.split('M')
        .filter(|r| !r.is_empty())
        .map(|ring| {
            let numbers: Vec<f64> = ring
                .split(|c: char| c.is_ascii_alphabetic() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            numbers.chunks(2).map(|c| (c[0], c[1])).collect()
        })
        .collect()
}

/// Whether a point is inside a shape (even-odd rule over all its rings).
fn inside(rings: &[Vec<(f64, f64)>], p: (f64, f64)) -> bool {
    let mut crossings = 0;
    for ring in rings {
        for (i, &a) in ring.iter().enumerate() {
            let b = ring[(i + 1) % ring.len()];
            if (a.1 > p.1) != (b.1 > p.1) && a.0 + (p.1 - a.1) / (b.1 - a.1) * (b.0 - a.0) > p.0 {
                crossings += 1;
            }
        }
    }
    crossings % 2 == 1
}

#[test]
fn the_map_marks_each_region_inside_its_province() {
    for (lang, henan, neixiang) in [
        ("zh", "河南省", "内乡县"),
        ("en", "Henan Province", "Neixiang County"),
    ] {
        let rel = format!("{lang}/regions/index.html");
        let doc = page(&rel);
        let map = doc.select(&sel("svg.map")).next().expect("a map");
        let provinces: BTreeMap<String, Vec<Vec<(f64, f64)>>> = map
            .select(&sel("path.province"))
            .map(|p| {
                (
                    p.value().attr("data-code").unwrap().to_string(),
                    path_rings(p.value().attr("d").unwrap()),
                )
            })
            .collect();
        assert_eq!(
            provinces.len(),
            34,
            "{rel}: every provincial-level division"
        );
        // The provinces with reports are shaded and link to their pages.
        let reported: Vec<(String, String)> = map
            .select(&sel("a"))
            .filter_map(|a| {
                let p = a.select(&sel("path.province.reported")).next()?;
                Some((
                    p.value().attr("data-code").unwrap().to_string(),
                    text_of(p.select(&sel("title")).next().unwrap()),
                ))
            })
            .collect();
        let codes: BTreeSet<&str> = reported.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            codes,
            BTreeSet::from(["340000", "410000", "510000", "610000"]),
            "{rel}"
        );
        assert!(
            reported.iter().any(|r| r.1.starts_with(henan)),
            "{rel}: {reported:?}"
        );
        // A dot per region, inside its province, linking to its page.
        let site = built_project_site()
            .join("public")
            .join(format!("{lang}/regions"));
        let dots: Vec<(String, f64, f64, String)> = map
            .select(&sel("a"))
            .filter_map(|a| {
                let c = a.select(&sel("circle.marker")).next()?;
                Some((
                    a.value().attr("href").unwrap().to_string(),
                    attr_f64(c, "cx"),
                    attr_f64(c, "cy"),
                    text_of(c.select(&sel("title")).next().unwrap()),
                ))
            })
            .collect();
        assert_eq!(dots.len(), 5, "{rel}");
        let province_of = |href: &str| match href.rsplit('/').nth(1).unwrap() {
            "neixiang" | "fangcheng-county" => "410000",
            "langxi" => "340000",
            "danfeng" => "610000",
            "neijiang" => "510000",
            other => panic!("unexpected dot {other}"),
        };
        for (href, x, y, _) in &dots {
            assert!(site.join(href).is_file(), "{rel}: {href}");
            let outline = &provinces[province_of(href)];
            assert!(
                inside(outline, (*x, *y)),
                "{rel}: {href} at ({x}, {y}) is not inside its province"
            );
        }
        assert!(dots.iter().any(|d| d.3.starts_with(neixiang)), "{rel}");
        // The dots are named on the map.
        let labels: Vec<String> = map.select(&sel(".labels text")).map(text_of).collect();
        assert!(
            labels.len() >= 3 && labels.contains(&neixiang.to_string()),
            "{rel}: {labels:?}"
        );
    }
}

/// Runs Python's csv and json modules over a download and returns what
/// they read: the header, then per row [article, link, value as Python's
/// repr of the float].
fn python_read(csv_path: &Path, json_path: &Path) -> serde_json::Value {
    let script = r#"
import csv, json, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xef\xbb\xbf'), 'no UTF-8 byte order mark'
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    reader = csv.DictReader(f)
    rows = list(reader)
    header = reader.fieldnames
data = json.load(open(sys.argv[2], encoding='utf-8'))
assert len(data) == len(rows), (len(data), len(rows))
for r, d in zip(rows, data):
    assert list(d.keys()) == header, (list(d.keys()), header)
    for k in header:
        if k == 'value':
            assert float(r[k]) == float(d[k]), (r[k], d[k])
        elif k == 'target':
            assert r[k] in ('true', 'false') and (r[k] == 'true') == d[k], (r[k], d[k])
        else:
            assert r[k] == d[k], (k, r[k], d[k])
print(json.dumps({'header': header, 'rows': [[r['article'], r['link'], repr(float(r['value'])), r['region_code'], r['quote']] for r in rows]}))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(csv_path)
        .arg(json_path)
        .output()
        .expect("python3 runs (it is on every machine the tests run on)");
    assert!(
        out.status.success(),
        "python3 could not read {}: {}",
        csv_path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn downloads_hold_every_figure_and_read_back_exactly() {
    let values = figure_values();
    let model = Model::load(Site::load(built_project_site()).unwrap()).unwrap();
    let public = built_project_site().join("public");
    let read = python_read(
        &public.join("downloads/figures.csv"),
        &public.join("downloads/figures.json"),
    );
    let header: Vec<&str> = read["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    for column in [
        "region_code",
        "region_zh",
        "region_en",
        "indicator",
        "indicator_zh",
        "indicator_en",
        "value",
        "unit",
        "year",
        "qualifier",
        "article",
        "quote",
    ] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let rows = read["rows"].as_array().unwrap();
    assert_eq!(rows.len(), values.len(), "one row per figure");
    let mut seen = BTreeSet::new();
    for row in rows {
        let article = row[0].as_str().unwrap();
        let link = row[1].as_str().unwrap();
        let (slug, j) = figure_of(link);
        assert_eq!(slug, article);
        // Python's float is the model's f64, bit for bit.
        let value: f64 = row[2].as_str().unwrap().parse().unwrap();
        assert_eq!(
            values[&(slug.clone(), j)].to_bits(),
            value.to_bits(),
            "{link}"
        );
        // The link leads to the figure's sentence, and the quote is the figure's.
        let page = public.join(link.split('#').next().unwrap());
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains(&format!("id=\"fig-{j}\"")), "{link}");
        let a = model.articles.iter().find(|a| a.slug == slug).unwrap();
        let quote = row[4].as_str().unwrap();
        assert!(!quote.is_empty());
        assert_eq!(a.figures()[j].quote.replace('\\', ""), quote, "{link}");
        assert!(seen.insert((slug, j)), "each figure once");
    }
    // The page of indicators and the home page of figures link to them.
    for lang in ["zh", "en"] {
        let doc = page(&format!("{lang}/indicators/index.html"));
        let hrefs: Vec<&str> = doc
            .select(&sel(".downloads a"))
            .map(|a| a.value().attr("href").unwrap())
            .collect();
        assert_eq!(
            hrefs,
            [
                "../../downloads/figures.csv",
                "../../downloads/figures.json"
            ]
        );
    }
    // Per region: the region's figures, and together every figure with a region.
    let mut per_region = 0;
    for slug in REGIONS {
        let read = python_read(
            &public.join(format!("downloads/regions/{slug}.csv")),
            &public.join(format!("downloads/regions/{slug}.json")),
        );
        let rows = read["rows"].as_array().unwrap();
        let codes: BTreeSet<&str> = rows.iter().map(|r| r[3].as_str().unwrap()).collect();
        assert_eq!(codes.len(), 1, "{slug}: one region");
        per_region += rows.len();
        let doc = page(&format!("en/regions/{slug}/index.html"));
        let hrefs: Vec<&str> = doc
            .select(&sel(".downloads a"))
            .map(|a| a.value().attr("href").unwrap())
            .collect();
        assert_eq!(hrefs[0], format!("../../../downloads/regions/{slug}.csv"));
    }
    let with_region = model
        .articles
        .iter()
        .filter(|a| a.region.is_some())
        .map(|a| a.figures().len())
        .sum::<usize>();
    assert_eq!(per_region, with_region);
}
