//! Data downloads: every figure of the archive as CSV and as JSON, and the
//! figures of each region, for analysts' own tools.
//!
//! One row per figure, the same columns in both formats. The CSV starts
//! with a UTF-8 byte order mark, so that Excel reads the Chinese text as
//! UTF-8. `value` is the plain number written so that it reads back to the
//! same number (6.9, 14800000000); `link` is the figure's sentence in the
//! Chinese article, relative to the archive's root, or absolute when the
//! site has a base_url.

use anyhow::Result;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::deps::Globals;
use super::pages::{Index, article_path};
use crate::format::Lang;
use crate::ingest::clean::unescape_markdown;
use crate::model::Model;

/// The folder of the downloads in the archive.
pub const DIR: &str = "downloads";

/// The columns, in order.
pub const COLUMNS: [&str; 19] = [
    "region_code",
    "region_zh",
    "region_en",
    "province_code",
    "province_zh",
    "province_en",
    "indicator",
    "indicator_zh",
    "indicator_en",
    "value",
    "unit",
    "year",
    "qualifier",
    "target",
    "doubt",
    "article",
    "date",
    "link",
    "quote",
];

/// Which figures a download holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    All,
    /// The figures of a region's articles (region code).
    Region(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The file of a download, relative to the archive's root.
pub fn path(model: &Model, scope: &Scope, format: Format) -> String {
    let ext = format.extension();
    match scope {
        Scope::All => format!("{DIR}/figures.{ext}"),
        Scope::Region(code) => {
            let slug = model
                .regions
                .get(code)
                .map(|r| model.regions.slug(r))
                .unwrap_or_else(|| code.clone());
            format!("{DIR}/regions/{slug}.{ext}")
        }
    }
}

/// The articles a download draws on, in the order of its rows: by region
/// code (articles without a region last), newest article first.
fn articles(model: &Model, index: &Index, scope: &Scope) -> Vec<usize> {
    match scope {
        Scope::Region(code) => index.articles_of(code).to_vec(),
        Scope::All => {
            let mut out: Vec<usize> = index.by_region.values().flatten().copied().collect();
            out.extend(
                model
                    .articles
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| {
                        a.region
                            .as_deref()
                            .is_none_or(|c| index.articles_of(c).is_empty())
                    })
                    .map(|(i, _)| i),
            );
            out
        }
    }
}

/// Every download of the archive with its fingerprint: what it holds
/// changes exactly when the site settings, the data or what other pages
/// show of its articles (their figures among it) change.
pub fn files(
    model: &Model,
    index: &Index,
    globals: &Globals,
) -> Vec<(String, Scope, Format, u128)> {
    let scopes = std::iter::once(Scope::All).chain(
        index
            .by_region
            .keys()
            .map(|code| Scope::Region(code.clone())),
    );
    let mut out = Vec::new();
    for scope in scopes {
        let mut h = Xxh3::new();
        h.update(&globals.site.to_le_bytes());
        h.update(&globals.data.to_le_bytes());
        for i in articles(model, index, &scope) {
            h.update(model.articles[i].slug.as_bytes());
            h.update(&index.summary(i).to_le_bytes());
        }
        let fp = h.digest128();
        for format in [Format::Csv, Format::Json] {
            let rel = path(model, &scope, format);
            let mut fh = Xxh3::new();
            fh.update(&fp.to_le_bytes());
            fh.update(rel.as_bytes());
            out.push((rel, scope.clone(), format, fh.digest128()));
        }
    }
    out
}

/// How many figures a download holds.
pub fn row_count(model: &Model, index: &Index, scope: &Scope) -> usize {
    articles(model, index, scope)
        .iter()
        .map(|&i| model.articles[i].figures().len())
        .sum()
}

/// One figure, as a row of the downloads.
#[derive(Serialize)]
struct Row<'a> {
    region_code: &'a str,
    region_zh: &'a str,
    region_en: &'a str,
    province_code: &'a str,
    province_zh: &'a str,
    province_en: &'a str,
    indicator: &'a str,
    indicator_zh: &'a str,
    indicator_en: &'a str,
    /// Written with Rust's shortest round-trip form, never an exponent.
    #[serde(serialize_with = "plain_number")]
    value: f64,
    unit: &'a str,
    year: &'a str,
    qualifier: &'a str,
    target: bool,
    doubt: &'a str,
    article: &'a str,
    date: &'a str,
    link: String,
    quote: String,
}

/// A number as CSV text (digits, no exponent) or as a JSON number.
fn plain_number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() && v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        // Whole numbers as integers: 42991, not 42991.0.
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// Calls `each` with every row of a download, in order, one at a time
/// (the download of all figures of a large archive is a big file: its rows
/// are never all in memory at once).
fn for_each_row(
    model: &Model,
    index: &Index,
    scope: &Scope,
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let base = model.site.base_url.as_deref();
    for i in articles(model, index, scope) {
        let a = &model.articles[i];
        let region = a.region.as_deref().and_then(|c| model.regions.get(c));
        let province = a
            .region
            .as_deref()
            .and_then(|c| model.regions.province_of(c));
        for (j, f) in a.figures().iter().enumerate() {
            let indicator = model.taxonomy.get(&f.key);
            let page = format!("{}index.html#fig-{j}", article_path(Lang::Zh, &a.slug));
            each(&Row {
                region_code: region.map_or("", |r| r.code.as_str()),
                region_zh: region.map_or("", |r| r.name_zh.as_str()),
                region_en: region.map_or("", |r| r.name_en.as_str()),
                province_code: province.map_or("", |r| r.code.as_str()),
                province_zh: province.map_or("", |r| r.name_zh.as_str()),
                province_en: province.map_or("", |r| r.name_en.as_str()),
                indicator: &f.key,
                indicator_zh: indicator.map_or("", |i| i.label_zh.as_str()),
                indicator_en: indicator.map_or("", |i| i.label_en.as_str()),
                value: f.value,
                unit: &f.unit,
                year: f.year.as_deref().unwrap_or(""),
                qualifier: f.qualifier.as_deref().unwrap_or(""),
                target: f.target,
                doubt: f.doubt.as_deref().unwrap_or(""),
                article: &a.slug,
                date: a.date().map_or("", |d| d.get(..10).unwrap_or(d)),
                link: match base {
                    Some(b) => format!("{b}/{page}"),
                    None => page,
                },
                quote: unescape_markdown(&f.quote),
            })?;
        }
    }
    Ok(())
}

/// The bytes of a download.
pub fn render(model: &Model, index: &Index, scope: &Scope, format: Format) -> Result<Vec<u8>> {
    // Room for the rows at once (about 380 bytes a row in CSV, 620 in
    // JSON): the download is not copied while it grows.
    let per_row = match format {
        Format::Csv => 400,
        Format::Json => 660,
    };
    let mut bytes = Vec::with_capacity(row_count(model, index, scope) * per_row + 256);
    write(model, index, scope, format, &mut bytes)?;
    Ok(bytes)
}

/// Writes a download, row by row.
pub fn write(
    model: &Model,
    index: &Index,
    scope: &Scope,
    format: Format,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    match format {
        Format::Csv => {
            // The byte order mark first: Excel then reads UTF-8.
            out.write_all("\u{feff}".as_bytes())?;
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out);
            w.write_record(COLUMNS)?;
            for_each_row(model, index, scope, |row| Ok(w.serialize(row)?))?;
            w.flush()?;
        }
        Format::Json => {
            // One figure per line: readable, and diffs stay small.
            out.write_all(b"[")?;
            let mut first = true;
            for_each_row(model, index, scope, |row| {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                Ok(serde_json::to_writer(&mut *out, row)?)
            })?;
            out.write_all(b"\n]\n")?;
        }
    }
    Ok(())
}

/// What a page's download links need.
#[derive(Serialize)]
pub struct DownloadsView {
    scope: &'static str,
    csv: String,
    json: String,
    csv_name: String,
    json_name: String,
    rows: usize,
}

/// The download links of a scope, for a page.
pub fn view(model: &Model, index: &Index, scope: &Scope) -> DownloadsView {
    let (csv, json) = (
        path(model, scope, Format::Csv),
        path(model, scope, Format::Json),
    );
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    DownloadsView {
        scope: match scope {
            Scope::All => "all",
            Scope::Region(_) => "region",
        },
        csv_name: name(&csv),
        json_name: name(&json),
        csv,
        json,
        rows: row_count(model, index, scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_plainly() {
        #[derive(Serialize)]
        struct V {
            #[serde(serialize_with = "plain_number")]
            v: f64,
        }
        let csv_of = |v: f64| {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(vec![]);
            w.serialize(V { v }).unwrap();
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        };
        assert_eq!(csv_of(14_800_000_000.0), "14800000000\n");
        assert_eq!(csv_of(6.9), "6.9\n");
        assert_eq!(csv_of(0.31), "0.31\n");
        assert_eq!(
            serde_json::to_string(&V { v: 42991.0 }).unwrap(),
            r#"{"v":42991}"#
        );
        assert_eq!(
            serde_json::to_string(&V { v: 3675.95 }).unwrap(),
            r#"{"v":3675.95}"#
        );
    }
}
