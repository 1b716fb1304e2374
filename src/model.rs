//! The model of the archive, built from site.toml, data/ and content/:
//! articles with their figures, the regions they are about grouped under
//! provinces, the indicators and who reports them, the glossary.
//!
//! Everything is sorted, so that rendering is a pure function of the inputs.
//! Parsed content files are kept in a [`ContentCache`] keyed by path, size
//! and modification time, so that a long-running `serve` re-reads only the
//! files that changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::Site;
use crate::content::{ContentFile, Translation};
use crate::data::{Geo, Glossary, Regions, Taxonomy};
use crate::extract::Figure;
use crate::format::Lang;

/// One article in both languages.
#[derive(Debug, Clone)]
pub struct Article {
    pub slug: String,
    pub zh: Arc<ContentFile>,
    /// The English file; None when there is none yet (the page then shows a
    /// summary generated at build time).
    pub en: Option<Arc<ContentFile>>,
    /// GB/T code of the region, when the region is in the table.
    pub region: Option<String>,
    pub zh_path: PathBuf,
    /// Hash of the bytes of both files: what the pages of the article depend on.
    pub hash: u128,
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

/// A problem found while loading: the article it concerns is skipped, or
/// shown without the faulty part.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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

    /// A problem on the first line of the file that starts with `key:` and
    /// holds `value` (a front matter entry), when there is one.
    fn at(path: &Path, key: &str, value: &str, message: String) -> Problem {
        let line = std::fs::read_to_string(path).ok().and_then(|text| {
            text.lines()
                .position(|l| {
                    let l = l.trim_start().trim_start_matches("- ");
                    l.strip_prefix(key)
                        .is_some_and(|rest| rest.starts_with(':') && rest.contains(value))
                })
                .map(|i| i + 1)
        });
        Problem {
            path: path.to_path_buf(),
            line,
            message,
        }
    }
}

/// The largest content file a build reads (4 MiB; ingest writes at most
/// some 1.5 MB for the longest article it accepts). A bigger file is a
/// problem and its article is skipped, unread.
pub const MAX_CONTENT_BYTES: u64 = 4 << 20;

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// A parsed content file and what it was parsed from.
#[derive(Debug, Clone)]
struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    hash: u128,
    parsed: Result<Arc<ContentFile>, Problem>,
}

/// Parsed content files by path; a file is parsed again only when its size
/// or modification time changed.
#[derive(Debug, Default)]
pub struct ContentCache {
    files: HashMap<PathBuf, Cached>,
}

impl ContentCache {
    pub fn new() -> ContentCache {
        ContentCache::default()
    }

    /// Forgets a file, so that it is read again (for editors that keep the
    /// size and the modification time).
    pub fn forget(&mut self, path: &Path) {
        self.files.remove(path);
    }
}

/// The whole archive.
#[derive(Debug)]
pub struct Model {
    pub site: Site,
    pub taxonomy: Taxonomy,
    pub regions: Regions,
    pub glossary: Glossary,
    /// Province outlines and region points for the map (empty without map data).
    pub geo: Arc<Geo>,
    /// Newest first, then by slug.
    pub articles: Vec<Article>,
    /// Codes of the regions that have articles, sorted by code.
    pub region_codes: Vec<String>,
    /// Province code → codes of its regions with articles.
    pub provinces: BTreeMap<String, Vec<String>>,
    pub problems: Vec<Problem>,
}

/// Reference data of a site: taxonomy, regions, glossary, map data.
pub struct Data {
    pub taxonomy: Taxonomy,
    pub regions: Regions,
    pub glossary: Glossary,
    pub geo: Arc<Geo>,
}

impl Data {
    pub fn load(site: &Site) -> Result<Data> {
        Ok(Data {
            taxonomy: Taxonomy::load(&site.data_dir.join("indicators.yaml"))?,
            regions: Regions::load(&site.data_dir)?,
            glossary: Glossary::load(&site.data_dir.join("glossary.yaml"))?,
            geo: Arc::new(Geo::load(&site.data_dir)?),
        })
    }
}

impl Model {
    /// Loads the site's data and content. Bad content files are recorded as
    /// problems and skipped; bad data files are errors.
    pub fn load(site: Site) -> Result<Model> {
        let data = Data::load(&site)?;
        Model::load_with(site, data, &mut ContentCache::new())
    }

    /// Loads the content with a cache of parsed files.
    pub fn load_with(site: Site, data: Data, cache: &mut ContentCache) -> Result<Model> {
        let (articles, problems) = load_articles(&site.content_dir, cache)?;
        Ok(Model::assemble(site, data, articles, problems, None))
    }

    /// The model after some content files changed (as a file watcher reports
    /// them): only the articles of those files are read again; everything
    /// else is taken from this model.
    pub fn update(
        &self,
        site: Site,
        data: Data,
        cache: &mut ContentCache,
        changed: &[PathBuf],
    ) -> Result<Model> {
        let content_dir = &site.content_dir;
        // The zh file of each article a changed file belongs to.
        let mut touched: BTreeMap<String, PathBuf> = BTreeMap::new();
        for p in changed.iter().filter(|p| p.starts_with(content_dir)) {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || !name.ends_with(".md") {
                continue;
            }
            let stem = name
                .strip_suffix(".en.md")
                .unwrap_or(name.trim_end_matches(".md"));
            let zh_path = p.with_file_name(format!("{stem}.md"));
            touched.insert(crate::content::slug(stem), zh_path);
        }
        let touched_paths: BTreeSet<PathBuf> = touched
            .values()
            .flat_map(|zh| [zh.clone(), zh.with_extension("en.md")])
            .chain(
                self.articles
                    .iter()
                    .filter(|a| touched.contains_key(&a.slug))
                    .map(|a| a.zh_path.clone()),
            )
            .collect();
        let mut articles: Vec<Article> = self
            .articles
            .iter()
            .filter(|a| !touched.contains_key(&a.slug))
            .cloned()
            .collect();
        let mut problems: Vec<Problem> = self
            .problems
            .iter()
            .filter(|p| {
                !touched_paths.contains(&p.path)
                    && !touched_paths.contains(&p.path.with_extension("md"))
            })
            .cloned()
            .collect();
        let mut fresh = Vec::new();
        for (slug, zh_path) in &touched {
            for path in [zh_path.clone(), zh_path.with_extension("en.md")] {
                cache.forget(&path);
                if path.is_file() {
                    let c = parse_cached(&path, &cache.files);
                    cache.files.insert(path.clone(), c);
                }
            }
            if let Some(a) = pair(
                slug,
                zh_path,
                &zh_path.with_extension("en.md"),
                cache,
                &mut problems,
            ) {
                fresh.push(a);
            }
        }
        articles.extend(fresh.iter().cloned());
        let fresh_slugs: BTreeSet<&str> = fresh.iter().map(|a| a.slug.as_str()).collect();
        Ok(Model::assemble(
            site,
            data,
            articles,
            problems,
            Some(&fresh_slugs),
        ))
    }

    /// Checks the articles against the data (only `only` when given: the
    /// others were checked before), sorts them and groups the regions.
    fn assemble(
        site: Site,
        data: Data,
        mut articles: Vec<Article>,
        mut problems: Vec<Problem>,
        only: Option<&BTreeSet<&str>>,
    ) -> Model {
        let Data {
            taxonomy,
            regions,
            glossary,
            geo,
        } = data;
        for a in articles
            .iter_mut()
            .filter(|a| only.is_none_or(|o| o.contains(a.slug.as_str())))
        {
            if let Some(r) = &a.zh.front.region {
                if regions.get(&r.code).is_some() {
                    a.region = Some(r.code.clone());
                } else {
                    problems.push(Problem::at(
                        &a.zh_path,
                        "code",
                        &r.code,
                        format!(
                            "region code {} ({}) is not in data/regions.tsv; the article is listed without a region",
                            r.code, r.name
                        ),
                    ));
                }
            }
            if a.zh
                .front
                .figures
                .iter()
                .any(|f| taxonomy.get(&f.key).is_none())
            {
                for f in
                    a.zh.front
                        .figures
                        .iter()
                        .filter(|f| taxonomy.get(&f.key).is_none())
                {
                    problems.push(Problem::at(
                        &a.zh_path,
                        "key",
                        &f.key,
                        format!(
                            "figure key `{}` is not in data/indicators.yaml; the figure is left out (add the indicator or fix the key)",
                            f.key
                        ),
                    ));
                }
                Arc::make_mut(&mut a.zh)
                    .front
                    .figures
                    .retain(|f| taxonomy.get(&f.key).is_some());
            }
        }
        articles.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.slug.cmp(&b.slug)));
        problems.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));

        let region_codes: BTreeSet<String> =
            articles.iter().filter_map(|a| a.region.clone()).collect();
        let mut provinces: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for code in &region_codes {
            let province = regions
                .province_of(code)
                .map(|p| p.code.clone())
                .unwrap_or_else(|| code.clone());
            let entry = provinces.entry(province.clone()).or_default();
            if &province != code {
                entry.push(code.clone());
            }
        }
        Model {
            site,
            taxonomy,
            regions,
            glossary,
            geo,
            articles,
            region_codes: region_codes.into_iter().collect(),
            provinces,
            problems,
        }
    }
}

/// Hash of some bytes for change detection (xxh3, 128 bits).
pub fn hash_bytes(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Reads (or takes from the cache) and parses one content file.
fn parse_cached(path: &Path, cache: &HashMap<PathBuf, Cached>) -> Cached {
    let meta = std::fs::metadata(path).ok();
    let len = meta.as_ref().map(|m| m.len()).unwrap_or(0);
    let modified = meta.as_ref().and_then(|m| m.modified().ok());
    if let Some(c) = cache.get(path)
        && c.len == len
        && c.modified == modified
        && modified.is_some()
    {
        return c.clone();
    }
    if len > MAX_CONTENT_BYTES {
        return Cached {
            len,
            modified,
            hash: 0,
            parsed: Err(Problem::new(
                path,
                format!(
                    "the file is {}, over the limit of {} for a content file; it is not read (split the article, or shorten its body or figures)",
                    crate::ingest::human_size(len),
                    crate::ingest::human_size(MAX_CONTENT_BYTES)
                ),
            )),
        };
    }
    let (hash, parsed) = match std::fs::read(path) {
        Ok(bytes) => {
            let hash = hash_bytes(&bytes);
            let parsed = match std::str::from_utf8(&bytes) {
                Ok(text) => ContentFile::parse(path, text)
                    .map(Arc::new)
                    .map_err(|e| Problem {
                        path: e.path,
                        line: e.line,
                        message: e.message,
                    }),
                Err(e) => Err(Problem::new(
                    path,
                    format!(
                        "is not UTF-8 text (byte {}); save it as UTF-8",
                        e.valid_up_to()
                    ),
                )),
            };
            (hash, parsed)
        }
        Err(e) => (
            0,
            Err(Problem::new(path, format!("cannot read the file: {e}"))),
        ),
    };
    Cached {
        len,
        modified,
        hash,
        parsed,
    }
}

/// The article of a zh file and its en counterpart, from the cache; a file
/// that does not parse becomes a problem.
fn pair(
    slug: &str,
    zh_path: &Path,
    en_path: &Path,
    cache: &ContentCache,
    problems: &mut Vec<Problem>,
) -> Option<Article> {
    let z = cache.files.get(zh_path)?;
    let zh_file = match &z.parsed {
        Ok(f) => Arc::clone(f),
        Err(p) => {
            let mut p = p.clone();
            p.message
                .push_str("; the article is skipped until the file is fixed");
            problems.push(p);
            return None;
        }
    };
    let mut hash = z.hash;
    let en_file = match cache.files.get(en_path) {
        Some(e) => {
            hash ^= e.hash.rotate_left(1);
            match &e.parsed {
                Ok(f) => Some(Arc::clone(f)),
                Err(p) => {
                    let mut p = p.clone();
                    p.message
                        .push_str("; the English page shows the generated summary instead");
                    problems.push(p);
                    None
                }
            }
        }
        None => None,
    };
    Some(Article {
        slug: slug.to_string(),
        zh: zh_file,
        en: en_file,
        region: None,
        zh_path: zh_path.to_path_buf(),
        hash,
    })
}

/// Reads every content file: `slug.md` and `slug.en.md` pairs.
fn load_articles(
    content_dir: &Path,
    cache: &mut ContentCache,
) -> Result<(Vec<Article>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let mut zh: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut en: BTreeMap<String, PathBuf> = BTreeMap::new();
    if !content_dir.exists() {
        cache.files.clear();
        return Ok((Vec::new(), problems));
    }
    let is_content = |p: &Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        !name.starts_with('.') && name.ends_with(".md")
    };
    let mut listing = Vec::new();
    for entry in walkdir::WalkDir::new(content_dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot list {}", content_dir.display()))?;
        if entry.file_type().is_file() && is_content(entry.path()) {
            listing.push(entry.into_path());
        }
    }
    for path in &listing {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (slug, is_en) = match name.strip_suffix(".en.md") {
            Some(s) => (s.to_string(), true),
            None => (name.trim_end_matches(".md").to_string(), false),
        };
        let slug = crate::content::slug(&slug);
        let map = if is_en { &mut en } else { &mut zh };
        // The first file (by name) keeps the slug; the other is skipped.
        if let Some(first) = map.get(&slug) {
            problems.push(Problem::new(
                path,
                format!(
                    "its page would be `{slug}`, the page of {} (file names that differ only in case or punctuation make the same page); it is skipped: rename one of them",
                    first.display()
                ),
            ));
        } else {
            map.insert(slug, path.clone());
        }
    }
    // Parse what changed, in parallel.
    let paths: Vec<&PathBuf> = zh.values().chain(en.values()).collect();
    let parsed: Vec<(PathBuf, Cached)> = paths
        .par_iter()
        .map(|p| ((*p).clone(), parse_cached(p, &cache.files)))
        .collect();
    cache.files = parsed.into_iter().collect();

    let mut articles = Vec::new();
    for (slug, zh_path) in zh {
        let en_path = en
            .remove(&slug)
            .unwrap_or_else(|| zh_path.with_extension("en.md"));
        if let Some(a) = pair(&slug, &zh_path, &en_path, cache, &mut problems) {
            articles.push(a);
        }
    }
    for (slug, path) in en {
        problems.push(Problem::new(
            &path,
            format!("an English file without its Chinese original `{slug}.md`; it is left out"),
        ));
    }
    Ok((articles, problems))
}
