//! The model of the archive, built from site.toml, data/ and content/:
//! articles with their figures, the regions they are about grouped under
//! provinces, the indicators and who reports them, the glossary.
//!
//! Everything is sorted, so that rendering is a pure function of the inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::Site;
use crate::content::{ContentFile, Translation};
use crate::data::{Glossary, Regions, Taxonomy};
use crate::extract::Figure;
use crate::format::Lang;

/// One article in both languages.
#[derive(Debug, Clone)]
pub struct Article {
    pub slug: String,
    pub zh: ContentFile,
    /// The English file; None when there is none yet (the page then shows a
    /// summary generated at build time).
    pub en: Option<ContentFile>,
    /// GB/T code of the region, when the region is in the table.
    pub region: Option<String>,
    pub zh_path: PathBuf,
}

impl Article {
    pub fn figures(&self) -> &[Figure] {
        &self.zh.front.figures
    }

    pub fn date(&self) -> Option<&str> {
        self.zh.front.date.as_deref()
    }

    /// Whether the English page shows a human translation.
    pub fn has_translation(&self) -> bool {
        self.en.as_ref().is_some_and(|e| {
            e.front.translation == Some(Translation::Human) && !e.body.trim().is_empty()
        })
    }

    pub fn title(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) => &en.front.title,
            _ => &self.zh.front.title,
        }
    }
}

/// A problem found while loading: the article it concerns is skipped.
#[derive(Debug, Clone)]
pub struct Problem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    fn new(path: &Path, message: String) -> Problem {
        Problem {
            path: path.to_path_buf(),
            line: None,
            message,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Reads a content file; any failure becomes a problem naming the file and line.
fn read_content(path: &Path) -> Result<ContentFile, Problem> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Problem::new(path, format!("cannot read the file: {e}")))?;
    ContentFile::parse(path, &text).map_err(|e| Problem {
        path: e.path,
        line: e.line,
        message: e.message,
    })
}

/// The whole archive.
#[derive(Debug)]
pub struct Model {
    pub site: Site,
    pub taxonomy: Taxonomy,
    pub regions: Regions,
    pub glossary: Glossary,
    /// Newest first, then by slug.
    pub articles: Vec<Article>,
    /// Codes of the regions that have articles, sorted by code.
    pub region_codes: Vec<String>,
    /// Province code → codes of its regions with articles.
    pub provinces: BTreeMap<String, Vec<String>>,
    pub problems: Vec<Problem>,
}

impl Model {
    /// Loads the site's data and content. Bad content files are recorded as
    /// problems and skipped; bad data files are errors.
    pub fn load(site: Site) -> Result<Model> {
        let taxonomy = Taxonomy::load(&site.data_dir.join("indicators.yaml"))?;
        let regions = Regions::load(&site.data_dir)?;
        let glossary = Glossary::load(&site.data_dir.join("glossary.yaml"))?;
        let (mut articles, mut problems) = load_articles(&site.content_dir)?;

        for a in &mut articles {
            if let Some(r) = &a.zh.front.region {
                if regions.get(&r.code).is_some() {
                    a.region = Some(r.code.clone());
                } else {
                    problems.push(Problem::new(
                        &a.zh_path,
                        format!(
                            "region code {} ({}) is not in data/regions.tsv; the article is listed without a region",
                            r.code, r.name
                        ),
                    ));
                }
            }
            let known: Vec<&Figure> =
                a.zh.front
                    .figures
                    .iter()
                    .filter(|f| taxonomy.get(&f.key).is_some())
                    .collect();
            if known.len() != a.zh.front.figures.len() {
                for f in
                    a.zh.front
                        .figures
                        .iter()
                        .filter(|f| taxonomy.get(&f.key).is_none())
                {
                    problems.push(Problem::new(
                        &a.zh_path,
                        format!(
                            "figure key `{}` is not in data/indicators.yaml; the figure is left out (add the indicator or fix the key)",
                            f.key
                        ),
                    ));
                }
                a.zh.front
                    .figures
                    .retain(|f| taxonomy.get(&f.key).is_some());
            }
        }
        articles.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.slug.cmp(&b.slug)));

        let region_codes: BTreeSet<String> =
            articles.iter().filter_map(|a| a.region.clone()).collect();
        let mut provinces: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for code in &region_codes {
            let province = regions
                .province_of(code)
                .map(|p| p.code.clone())
                .unwrap_or_else(|| code.clone());
            if &province != code {
                provinces.entry(province).or_default().push(code.clone());
            } else {
                provinces.entry(province).or_default();
            }
        }
        Ok(Model {
            site,
            taxonomy,
            regions,
            glossary,
            articles,
            region_codes: region_codes.into_iter().collect(),
            provinces,
            problems,
        })
    }

    /// Articles about a region, newest first.
    pub fn articles_of<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Article> + 'a {
        self.articles
            .iter()
            .filter(move |a| a.region.as_deref() == Some(code))
    }

    /// Every figure of the archive with its article, in article order.
    pub fn figures(&self) -> impl Iterator<Item = (&Article, usize, &Figure)> {
        self.articles
            .iter()
            .flat_map(|a| a.figures().iter().enumerate().map(move |(i, f)| (a, i, f)))
    }
}

/// Reads every content file: `slug.md` and `slug.en.md` pairs.
fn load_articles(content_dir: &Path) -> Result<(Vec<Article>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let mut zh: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut en: BTreeMap<String, PathBuf> = BTreeMap::new();
    if !content_dir.exists() {
        return Ok((Vec::new(), problems));
    }
    for entry in walkdir::WalkDir::new(content_dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot list {}", content_dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_file() || name.starts_with('.') || !name.ends_with(".md") {
            continue;
        }
        let (slug, is_en) = match name.strip_suffix(".en.md") {
            Some(s) => (s.to_string(), true),
            None => (name.trim_end_matches(".md").to_string(), false),
        };
        let slug = crate::ingest::sanitize_slug(&slug);
        let map = if is_en { &mut en } else { &mut zh };
        if let Some(prev) = map.insert(slug.clone(), entry.path().to_path_buf()) {
            problems.push(Problem::new(
                entry.path(),
                format!(
                    "the slug `{slug}` is also used by {}; rename one of them",
                    prev.display()
                ),
            ));
        }
    }
    let mut articles = Vec::new();
    for (slug, zh_path) in zh {
        let zh_file = match read_content(&zh_path) {
            Ok(f) => f,
            Err(mut p) => {
                p.message.push_str("; the article is skipped");
                problems.push(p);
                continue;
            }
        };
        let en_file = match en.remove(&slug) {
            Some(path) => match read_content(&path) {
                Ok(f) => Some(f),
                Err(mut p) => {
                    p.message
                        .push_str("; the English page shows the generated summary instead");
                    problems.push(p);
                    None
                }
            },
            None => None,
        };
        articles.push(Article {
            slug,
            zh: zh_file,
            en: en_file,
            region: None,
            zh_path,
        });
    }
    for (slug, path) in en {
        problems.push(Problem::new(
            &path,
            format!("an English file without its Chinese original `{slug}.md`; it is left out"),
        ));
    }
    Ok((articles, problems))
}
