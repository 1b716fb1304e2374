//! The pages of the archive and what each template is given. Every value a
//! template shows is prepared here in the page's language (numbers, dates,
//! names), so that templates only lay things out.
//!
//! Pages are listed as [`PageSpec`]s first and their contexts are made on
//! demand, so that a build renders and writes each page without keeping the
//! others in memory, and an incremental build makes only the contexts of the
//! pages it re-renders. Listing pages (home, indices, glossary) are bounded:
//! they summarise and link, so that their size does not grow with the
//! number of articles.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::downloads;
use super::graphics;
use super::map;
use super::markdown::{self, Mark, TermLinker};
use crate::data::Region;
use crate::extract::Figure;
use crate::format::{self, Lang};
use crate::ingest::clean::unescape_markdown;
use crate::model::{Article, Model};
use crate::summary::{self, SummaryInput};

/// Articles per page of the article list.
pub const ARTICLES_PER_PAGE: usize = 50;
/// Figures per indicator shown on a region page, newest first.
const FIGURES_PER_INDICATOR: usize = 8;
/// Articles listed per glossary term.
const ARTICLES_PER_TERM: usize = 5;
/// Regions in the home page's headline chart.
const HEADLINE_REGIONS: usize = 12;
/// Regions in each language's overview chart on the landing page.
const LANDING_REGIONS: usize = 8;

/// What a page is: the unit of rendering and of dependency tracking.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKind {
    Landing,
    NotFound,
    Home,
    /// Page `n` (from 1) of the article list.
    Articles(usize),
    Regions,
    Indicators,
    Glossary,
    /// Index into `Model::articles`.
    Article(usize),
    Region(String),
    Province(String),
    Indicator(String),
    /// The search page of a language (its index is made by `search`).
    Search,
    /// sitemap.xml (only with a base_url).
    Sitemap,
    /// The Atom feed of a language (only with a base_url).
    Feed,
    /// robots.txt.
    Robots,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageSpec {
    pub lang: Lang,
    pub kind: PageKind,
}

#[derive(Serialize, Clone)]
pub(super) struct Link {
    pub(super) name: String,
    pub(super) path: String,
}

#[derive(Serialize, Clone)]
pub(super) struct FigureView {
    key: String,
    label: String,
    pub(super) value: String,
    pub(super) year: String,
    qualifier: String,
    quote: String,
    /// Where the figure's sentence is: article path with the anchor.
    pub(super) href: String,
    anchor: String,
    article: Link,
    date: String,
    pub(super) region: Option<Link>,
    /// A target or plan, not a result.
    target: bool,
    /// Why the value looks impossible ("" when it does not).
    doubt: String,
}

#[derive(Serialize, Clone)]
struct ArticleView {
    slug: String,
    path: String,
    title: String,
    subtitle: String,
    date: String,
    source: String,
    publisher: String,
    author: String,
    region: Option<Link>,
    province: Option<Link>,
    figure_count: usize,
    translated: bool,
}

#[derive(Serialize)]
struct IndicatorGroup {
    key: String,
    label: String,
    path: String,
    figures: Vec<FigureView>,
    /// Figures of this indicator not shown on the page.
    more: usize,
}

#[derive(Serialize)]
struct RegionView {
    code: String,
    name: String,
    name_zh: String,
    name_en: String,
    path: String,
    parents: Vec<String>,
    province: Option<Link>,
    article_count: usize,
    figure_count: usize,
}

#[derive(Serialize)]
struct ProvinceView {
    name: String,
    path: String,
    region_count: usize,
    article_count: usize,
    regions: Vec<RegionView>,
}

#[derive(Serialize)]
struct Totals {
    articles: usize,
    regions: usize,
    indicators: usize,
    indicators_reported: usize,
    figures: usize,
}

/// What is derived from one article alone, kept between rebuilds in
/// `serve` while the article's content is unchanged.
pub struct Derived {
    hash: u128,
    /// Hash of what other pages show of the article (titles, date, source,
    /// region, figures, where the translation marks them): a change of the
    /// body alone leaves it the same.
    summary: u128,
    /// Taxonomy position of each figure's indicator (u32::MAX if unknown).
    keys: Vec<u32>,
    /// Where its figures are marked in the English translation.
    en_marks: Vec<Option<Mark>>,
    /// Glossary terms its Chinese text uses.
    terms: Vec<usize>,
}

/// Everything computed once per build and shared by the pages.
pub struct Index {
    /// Region code → indices of its articles, newest first.
    pub(crate) by_region: BTreeMap<String, Vec<usize>>,
    /// Indicator key → (article index, figure index), newest article first.
    pub(crate) by_indicator: BTreeMap<String, Vec<(usize, usize)>>,
    /// Hash of every article's slug and summary, in order: what the pages
    /// that summarise the whole archive depend on.
    pub(crate) all_hash: u128,
    /// The same with the glossary terms each article uses.
    pub(crate) glossary_hash: u128,
    /// Per article, in model order.
    derived: Vec<Arc<Derived>>,
    /// The same by slug, for reuse.
    by_slug: HashMap<String, Arc<Derived>>,
    /// Per glossary term: how many articles use it, and the first few.
    term_articles: Vec<(usize, Vec<usize>)>,
    /// Glossary linkers for article pages (all at the same depth), per language.
    linkers: Arc<BTreeMap<Lang, TermLinker>>,
    finder: Arc<TermFinder>,
    /// Indicator key → the newest result of each region (article, figure,
    /// region code), largest value first.
    ranking: BTreeMap<String, Vec<(usize, usize, String)>>,
    totals: Totals,
}

/// Hash of what pages other than its own show of an article.
fn summary_hash(a: &Article, en_marks: &[Option<Mark>]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut field = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(a.slug.as_bytes());
    for front in std::iter::once(&a.zh.front).chain(a.en.as_ref().map(|e| &e.front)) {
        field(front.title.as_bytes());
        field(front.subtitle.as_deref().unwrap_or("").as_bytes());
        field(front.date.as_deref().unwrap_or("").as_bytes());
        field(front.source.as_deref().unwrap_or("").as_bytes());
        field(front.publisher.as_deref().unwrap_or("").as_bytes());
        field(front.author.as_deref().unwrap_or("").as_bytes());
    }
    field(a.region.as_deref().unwrap_or("").as_bytes());
    field(&[a.has_translation() as u8]);
    for (j, f) in a.figures().iter().enumerate() {
        field(f.key.as_bytes());
        field(&f.value.to_le_bytes());
        field(f.unit.as_bytes());
        field(f.year.as_deref().unwrap_or("").as_bytes());
        field(f.qualifier.as_deref().unwrap_or("").as_bytes());
        field(f.quote.as_bytes());
        field(&[
            f.target as u8,
            en_marks.get(j).is_some_and(Option::is_some) as u8,
        ]);
        field(f.doubt.as_deref().unwrap_or("").as_bytes());
    }
    h.digest128()
}

/// Finds the glossary terms in a text.
struct TermFinder {
    matcher: Option<aho_corasick::AhoCorasick>,
    owner: Vec<usize>,
    terms: usize,
}

impl TermFinder {
    fn new(model: &Model) -> TermFinder {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (t, term) in model.glossary.terms.iter().enumerate() {
            for s in std::iter::once(&term.term)
                .chain(term.aliases.iter())
                .filter(|s| !s.is_empty())
            {
                patterns.push(s.clone());
                owner.push(t);
            }
        }
        TermFinder {
            matcher: aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&patterns)
                .ok(),
            owner,
            terms: model.glossary.terms.len(),
        }
    }

    fn find(&self, text: &str) -> Vec<usize> {
        let Some(m) = &self.matcher else {
            return Vec::new();
        };
        let mut seen = vec![false; self.terms];
        for hit in m.find_overlapping_iter(text) {
            seen[self.owner[hit.pattern().as_usize()]] = true;
        }
        (0..self.terms).filter(|&t| seen[t]).collect()
    }
}

impl Index {
    pub fn new(model: &Model) -> Index {
        Index::reusing(model, None)
    }

    /// Builds the index, reusing what a previous index derived from
    /// articles whose content has not changed. A change of the glossary
    /// must not reuse (the terms found would be stale).
    pub fn reusing(model: &Model, previous: Option<&Index>) -> Index {
        // The glossary is the same when a previous index is lent.
        let finder = match previous {
            Some(p) => Arc::clone(&p.finder),
            None => Arc::new(TermFinder::new(model)),
        };
        let position: HashMap<&str, usize> = model
            .taxonomy
            .indicators
            .iter()
            .enumerate()
            .map(|(n, i)| (i.key.as_str(), n))
            .collect();
        let derived: Vec<Arc<Derived>> = model
            .articles
            .par_iter()
            .map(|a| {
                if let Some(d) = previous
                    .and_then(|p| p.by_slug.get(&a.slug))
                    .filter(|d| d.hash == a.hash)
                {
                    return Arc::clone(d);
                }
                let en_marks = if a.has_translation() {
                    en_marks(a)
                } else {
                    Vec::new()
                };
                Arc::new(Derived {
                    hash: a.hash,
                    summary: summary_hash(a, &en_marks),
                    keys: a
                        .figures()
                        .iter()
                        .map(|f| position.get(f.key.as_str()).map_or(u32::MAX, |&n| n as u32))
                        .collect(),
                    en_marks,
                    terms: finder.find(&a.zh.body),
                })
            })
            .collect();
        // Articles per region and figures per indicator, by position: no
        // string is hashed or cloned per figure.
        let region_pos: Vec<Option<usize>> = model
            .articles
            .iter()
            .map(|a| a.region.as_deref().and_then(|c| model.regions.index_of(c)))
            .collect();
        let mut per_region: Vec<Vec<usize>> = vec![Vec::new(); model.regions.len()];
        let mut per_key: Vec<Vec<(usize, usize)>> =
            vec![Vec::new(); model.taxonomy.indicators.len()];
        for (i, d) in derived.iter().enumerate() {
            if let Some(r) = region_pos[i] {
                per_region[r].push(i);
            }
            for (j, &k) in d.keys.iter().enumerate() {
                if let Some(v) = per_key.get_mut(k as usize) {
                    v.push((i, j));
                }
            }
        }
        let by_region: BTreeMap<String, Vec<usize>> = per_region
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(r, v)| (model.regions.at(r).code.clone(), v))
            .collect();
        let ranking = per_key
            .par_iter()
            .zip(&model.taxonomy.indicators)
            .filter(|(v, _)| !v.is_empty())
            .map(|(v, ind)| (ind.key.clone(), rank(model, v, &region_pos)))
            .collect();
        let by_indicator: BTreeMap<String, Vec<(usize, usize)>> = model
            .taxonomy
            .indicators
            .iter()
            .zip(per_key)
            .filter(|(_, v)| !v.is_empty())
            .map(|(ind, v)| (ind.key.clone(), v))
            .collect();
        let by_slug = model
            .articles
            .iter()
            .zip(&derived)
            .map(|(a, d)| (a.slug.clone(), Arc::clone(d)))
            .collect();
        let mut term_articles = vec![(0usize, Vec::new()); model.glossary.terms.len()];
        for (i, d) in derived.iter().enumerate() {
            for &t in &d.terms {
                if let Some(entry) = term_articles.get_mut(t) {
                    entry.0 += 1;
                    if entry.1.len() < ARTICLES_PER_TERM {
                        entry.1.push(i);
                    }
                }
            }
        }
        let depth = super::pages::depth(&article_path(Lang::Zh, "x"));
        let root = "../".repeat(depth);
        let linkers = match previous {
            Some(p) => Arc::clone(&p.linkers),
            None => Arc::new(
                Lang::ALL
                    .iter()
                    .map(|&l| (l, term_linker(model, l, &root)))
                    .collect(),
            ),
        };
        let totals = Totals {
            articles: model.articles.len(),
            regions: model.region_codes.len(),
            indicators: model.taxonomy.indicators.len(),
            indicators_reported: by_indicator.len(),
            figures: by_indicator.values().map(Vec::len).sum(),
        };
        let mut all = xxhash_rust::xxh3::Xxh3::new();
        let mut glossary = xxhash_rust::xxh3::Xxh3::new();
        for (a, d) in model.articles.iter().zip(&derived) {
            all.update(a.slug.as_bytes());
            all.update(&d.summary.to_le_bytes());
            glossary.update(&d.summary.to_le_bytes());
            for t in &d.terms {
                glossary.update(&(*t as u64).to_le_bytes());
            }
            glossary.update(b"|");
        }
        Index {
            by_region,
            by_indicator,
            all_hash: all.digest128(),
            glossary_hash: glossary.digest128(),
            derived,
            by_slug,
            term_articles,
            linkers,
            finder,
            ranking,
            totals,
        }
    }

    fn en_marked(&self, article: usize) -> &[Option<Mark>] {
        &self.derived[article].en_marks
    }

    /// The summary hash of an article (see [`Derived`]).
    pub(crate) fn summary(&self, article: usize) -> u128 {
        self.derived[article].summary
    }

    pub(crate) fn articles_of(&self, code: &str) -> &[usize] {
        self.by_region.get(code).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Paths of the pages (folder paths; links add index.html).
pub fn article_path(lang: Lang, slug: &str) -> String {
    format!("{}/articles/{slug}/", lang.code())
}

fn articles_page_path(lang: Lang, n: usize) -> String {
    if n <= 1 {
        format!("{}/articles/", lang.code())
    } else {
        format!("{}/articles/page/{n}/", lang.code())
    }
}

pub(super) fn region_path(model: &Model, lang: Lang, r: &Region) -> String {
    format!("{}/regions/{}/", lang.code(), model.regions.slug(r))
}

pub fn indicator_path(lang: Lang, key: &str) -> String {
    format!("{}/indicators/{key}/", lang.code())
}

pub(crate) fn depth(path: &str) -> usize {
    path.trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .count()
}

impl PageSpec {
    /// The folder path of the page (`zh/regions/neixiang/`), or the file for
    /// the root pages.
    pub fn path(&self, model: &Model) -> String {
        let lang = self.lang;
        match &self.kind {
            PageKind::Landing | PageKind::NotFound | PageKind::Sitemap | PageKind::Robots => {
                String::new()
            }
            PageKind::Search => format!("{}/search/", lang.code()),
            PageKind::Feed => format!("{}/", lang.code()),
            PageKind::Home => format!("{}/", lang.code()),
            PageKind::Articles(n) => articles_page_path(lang, *n),
            PageKind::Regions => format!("{}/regions/", lang.code()),
            PageKind::Indicators => format!("{}/indicators/", lang.code()),
            PageKind::Glossary => format!("{}/glossary/", lang.code()),
            PageKind::Article(i) => article_path(lang, &model.articles[*i].slug),
            PageKind::Region(code) | PageKind::Province(code) => model
                .regions
                .get(code)
                .map(|r| region_path(model, lang, r))
                .unwrap_or_default(),
            PageKind::Indicator(key) => indicator_path(lang, key),
        }
    }

    /// The file the page is written to, relative to the output folder.
    pub fn output(&self, model: &Model) -> String {
        match self.kind {
            PageKind::Landing => "index.html".into(),
            PageKind::NotFound => "404.html".into(),
            PageKind::Sitemap => "sitemap.xml".into(),
            PageKind::Robots => "robots.txt".into(),
            PageKind::Feed => format!("{}/atom.xml", self.lang.code()),
            _ => format!("{}index.html", self.path(model)),
        }
    }

    pub fn template(&self) -> &'static str {
        match self.kind {
            PageKind::Landing => "landing.html",
            PageKind::NotFound => "404.html",
            PageKind::Home => "home.html",
            PageKind::Articles(_) => "articles.html",
            PageKind::Regions => "regions.html",
            PageKind::Indicators => "indicators.html",
            PageKind::Glossary => "glossary.html",
            PageKind::Article(_) => "article.html",
            PageKind::Region(_) => "region.html",
            PageKind::Province(_) => "province.html",
            PageKind::Indicator(_) => "indicator.html",
            PageKind::Search => "search.html",
            PageKind::Sitemap => "sitemap.xml",
            PageKind::Feed => "atom.xml",
            PageKind::Robots => "robots.txt",
        }
    }

    /// The context the template is rendered with.
    pub fn context(&self, model: &Model, index: &Index) -> tera::Context {
        let lang = self.lang;
        match &self.kind {
            PageKind::Landing => landing(model, index),
            PageKind::NotFound => not_found(model),
            PageKind::Home => home(model, index, lang),
            PageKind::Articles(n) => article_list(model, lang, *n),
            PageKind::Regions => region_index(model, index, lang),
            PageKind::Indicators => indicator_index(model, index, lang),
            PageKind::Glossary => glossary(model, index, lang),
            PageKind::Article(i) => article_page(model, index, lang, *i),
            PageKind::Region(code) => region_page(model, index, lang, code),
            PageKind::Province(code) => province_page(model, index, lang, code),
            PageKind::Indicator(key) => indicator_page(model, index, lang, key),
            PageKind::Search => search_page(model, lang),
            PageKind::Sitemap => sitemap(model, index),
            PageKind::Feed => feed(model, lang),
            PageKind::Robots => robots(model),
        }
    }
}

/// Every page of the archive, in a stable order.
pub fn specs(model: &Model) -> Vec<PageSpec> {
    let mut out = vec![
        PageSpec {
            lang: Lang::Zh,
            kind: PageKind::Landing,
        },
        PageSpec {
            lang: Lang::Zh,
            kind: PageKind::NotFound,
        },
        PageSpec {
            lang: Lang::Zh,
            kind: PageKind::Robots,
        },
    ];
    // Sitemaps and feeds need absolute URLs: without a base_url there are
    // none (the build says so).
    if model.site.base_url.is_some() {
        out.push(PageSpec {
            lang: Lang::Zh,
            kind: PageKind::Sitemap,
        });
        for lang in Lang::ALL {
            out.push(PageSpec {
                lang,
                kind: PageKind::Feed,
            });
        }
    }
    let article_pages = model.articles.len().div_ceil(ARTICLES_PER_PAGE).max(1);
    for lang in Lang::ALL {
        let mut add = |kind| out.push(PageSpec { lang, kind });
        add(PageKind::Home);
        for n in 1..=article_pages {
            add(PageKind::Articles(n));
        }
        add(PageKind::Regions);
        add(PageKind::Indicators);
        add(PageKind::Glossary);
        add(PageKind::Search);
        for i in 0..model.articles.len() {
            add(PageKind::Article(i));
        }
        for code in &model.region_codes {
            add(PageKind::Region(code.clone()));
        }
        for code in model.provinces.keys() {
            if !model.region_codes.contains(code) {
                add(PageKind::Province(code.clone()));
            }
        }
        for ind in &model.taxonomy.indicators {
            add(PageKind::Indicator(ind.key.clone()));
        }
    }
    out
}

/// The context every page has.
fn base(model: &Model, lang: Lang, path: &str, kind: &str) -> tera::Context {
    let counterpart = if path.len() >= 2 {
        format!("{}{}", lang.other().code(), &path[2..])
    } else {
        String::new()
    };
    let mut c = tera::Context::new();
    c.insert("lang", lang.code());
    c.insert("html_lang", lang.html_lang());
    c.insert("other_lang", lang.other().code());
    c.insert("other_html_lang", lang.other().html_lang());
    c.insert("path_to_root", &"../".repeat(depth(path)));
    c.insert("page_path", path);
    c.insert("counterpart", &counterpart);
    c.insert("kind", kind);
    let site = &model.site;
    let (title, description) = match lang {
        Lang::Zh => (
            &site.title.zh,
            site.description.as_ref().map(|d| d.zh.as_str()),
        ),
        Lang::En => (
            &site.title.en,
            site.description.as_ref().map(|d| d.en.as_str()),
        ),
    };
    c.insert("site_title", title);
    c.insert("feed_link", &site.base_url.is_some());
    c.insert("site_description", description.unwrap_or(""));
    c.insert(
        "canonical",
        &site
            .base_url
            .as_ref()
            .map(|b| format!("{b}/{path}"))
            .unwrap_or_default(),
    );
    c
}

pub(super) fn region_name(r: &Region, lang: Lang) -> String {
    match lang {
        Lang::Zh => r.name_zh.clone(),
        Lang::En => r.name_en.clone(),
    }
}

fn region_link(model: &Model, lang: Lang, code: &str) -> Option<Link> {
    let r = model.regions.get(code)?;
    Some(Link {
        name: region_name(r, lang),
        path: region_path(model, lang, r),
    })
}

fn province_link(model: &Model, lang: Lang, code: &str) -> Option<Link> {
    let p = model.regions.province_of(code)?;
    if p.code == code {
        return None;
    }
    Some(Link {
        name: region_name(p, lang),
        path: region_path(model, lang, p),
    })
}

fn article_view(model: &Model, lang: Lang, a: &Article) -> ArticleView {
    let front = match (lang, &a.en) {
        (Lang::En, Some(en)) => &en.front,
        _ => &a.zh.front,
    };
    ArticleView {
        slug: a.slug.clone(),
        path: article_path(lang, &a.slug),
        title: a.title(lang).to_string(),
        subtitle: front.subtitle.clone().unwrap_or_default(),
        date: a
            .date()
            .and_then(|d| format::date(d, lang))
            .unwrap_or_default(),
        source: a.zh.front.source.clone().unwrap_or_default(),
        publisher: a.zh.front.publisher.clone().unwrap_or_default(),
        author: a.zh.front.author.clone().unwrap_or_default(),
        region: a
            .region
            .as_deref()
            .and_then(|c| region_link(model, lang, c)),
        province: a
            .region
            .as_deref()
            .and_then(|c| province_link(model, lang, c)),
        figure_count: a.figures().len(),
        translated: a.has_translation(),
    }
}

/// An indicator's label in a language, capitalised as a heading.
pub(super) fn indicator_label(model: &Model, lang: Lang, key: &str) -> String {
    match (model.taxonomy.get(key), lang) {
        (Some(i), Lang::Zh) => i.label_zh.clone(),
        (Some(i), Lang::En) => crate::summary::capitalize(&i.label_en),
        (None, _) => key.to_string(),
    }
}

/// What all figure views of one article share.
struct ArticleParts {
    article: Link,
    date: String,
    region: Option<Link>,
}

fn article_parts(model: &Model, lang: Lang, a: &Article) -> ArticleParts {
    ArticleParts {
        article: Link {
            name: a.title(lang).to_string(),
            path: article_path(lang, &a.slug),
        },
        date: a
            .date()
            .and_then(|d| format::date(d, lang))
            .unwrap_or_default(),
        region: a
            .region
            .as_deref()
            .and_then(|c| region_link(model, lang, c)),
    }
}

fn figure_view(
    model: &Model,
    lang: Lang,
    a: &Article,
    index: usize,
    f: &Figure,
    en_marked: &[Option<Mark>],
    parts: &ArticleParts,
) -> FigureView {
    let label = indicator_label(model, lang, &f.key);
    let anchor = format!("fig-{index}");
    // English pages link to the figure in the translation when it is marked
    // there, else to the Chinese sentence.
    let target_lang = if lang == Lang::En && en_marked.get(index).is_some_and(Option::is_some) {
        Lang::En
    } else {
        Lang::Zh
    };
    FigureView {
        key: f.key.clone(),
        label,
        value: format::quantity(f.value, &f.unit, f.qualifier.as_deref(), lang),
        year: f
            .year
            .as_deref()
            .map(|y| format::period(y, lang))
            .unwrap_or_default(),
        qualifier: f.qualifier.clone().unwrap_or_default(),
        quote: unescape_markdown(&f.quote),
        href: format!("{}#{anchor}", article_path(target_lang, &a.slug)),
        anchor,
        article: parts.article.clone(),
        date: parts.date.clone(),
        region: parts.region.clone(),
        target: f.target,
        doubt: f.doubt.clone().unwrap_or_default(),
    }
}

/// All figure views of one article.
fn figures_of(model: &Model, index: &Index, lang: Lang, article: usize) -> Vec<FigureView> {
    let a = &model.articles[article];
    let parts = article_parts(model, lang, a);
    a.figures()
        .iter()
        .enumerate()
        .map(|(j, f)| figure_view(model, lang, a, j, f, index.en_marked(article), &parts))
        .collect()
}

pub(super) fn fig(
    model: &Model,
    index: &Index,
    lang: Lang,
    article: usize,
    figure: usize,
) -> FigureView {
    let a = &model.articles[article];
    let parts = article_parts(model, lang, a);
    figure_view(
        model,
        lang,
        a,
        figure,
        &a.figures()[figure],
        index.en_marked(article),
        &parts,
    )
}

fn provinces_view(
    model: &Model,
    index: &Index,
    lang: Lang,
    with_regions: bool,
) -> Vec<ProvinceView> {
    model
        .provinces
        .iter()
        .filter_map(|(pcode, codes)| {
            let p = model.regions.get(pcode)?;
            let mut all: Vec<&String> = codes.iter().collect();
            if model.region_codes.contains(pcode) {
                all.insert(0, pcode);
            }
            let regions: Vec<RegionView> = if with_regions {
                all.iter()
                    .filter_map(|c| region_view(model, index, lang, c))
                    .collect()
            } else {
                Vec::new()
            };
            Some(ProvinceView {
                name: region_name(p, lang),
                path: region_path(model, lang, p),
                region_count: all.len(),
                article_count: all.iter().map(|c| index.articles_of(c).len()).sum(),
                regions,
            })
        })
        .collect()
}

fn region_view(model: &Model, index: &Index, lang: Lang, code: &str) -> Option<RegionView> {
    let r = model.regions.get(code)?;
    let parents = model
        .regions
        .ancestry(code)
        .skip(1)
        .map(|p| region_name(p, lang))
        .collect();
    let articles = index.articles_of(code);
    Some(RegionView {
        code: r.code.clone(),
        name: region_name(r, lang),
        name_zh: r.name_zh.clone(),
        name_en: r.name_en.clone(),
        path: region_path(model, lang, r),
        parents,
        province: province_link(model, lang, code),
        article_count: articles.len(),
        figure_count: articles
            .iter()
            .map(|&i| model.articles[i].figures().len())
            .sum(),
    })
}

fn landing(model: &Model, index: &Index) -> tera::Context {
    let mut c = base(model, Lang::Zh, "", "landing");
    c.insert("totals", &index.totals);
    c.insert("site_title_zh", &model.site.title.zh);
    c.insert("site_title_en", &model.site.title.en);
    let (dzh, den) = model
        .site
        .description
        .as_ref()
        .map(|d| (d.zh.as_str(), d.en.as_str()))
        .unwrap_or(("", ""));
    c.insert("site_description_zh", dzh);
    c.insert("site_description_en", den);
    c.insert(
        "provinces_zh",
        &provinces_view(model, index, Lang::Zh, false),
    );
    c.insert(
        "provinces_en",
        &provinces_view(model, index, Lang::En, false),
    );
    c.insert(
        "overview_zh",
        &graphics::overview_chart(model, index, Lang::Zh, "", LANDING_REGIONS),
    );
    c.insert(
        "overview_en",
        &graphics::overview_chart(model, index, Lang::En, "", LANDING_REGIONS),
    );
    c
}

fn not_found(model: &Model) -> tera::Context {
    let mut c = base(model, Lang::Zh, "", "404");
    // A 404 page is served at any depth: with a base_url its links are absolute.
    c.insert(
        "base_href",
        &model
            .site
            .base_url
            .as_ref()
            .map(|b| format!("{b}/"))
            .unwrap_or_default(),
    );
    c
}

fn search_page(model: &Model, lang: Lang) -> tera::Context {
    let path = format!("{}/search/", lang.code());
    let mut c = base(model, lang, &path, "search");
    c.insert("search_script", &super::search::index_script(lang));
    c
}

/// A page of the sitemap: its absolute URL and its counterpart's.
#[derive(Serialize)]
struct SitemapEntry {
    url: String,
    alternates: Vec<Alternate>,
    lastmod: String,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    url: String,
}

fn sitemap(model: &Model, _index: &Index) -> tera::Context {
    let mut c = base(model, Lang::Zh, "", "sitemap");
    let base_url = model.site.base_url.clone().unwrap_or_default();
    let absolute = |path: &str| {
        if path.is_empty() {
            format!("{base_url}/index.html")
        } else {
            format!("{base_url}/{path}index.html")
        }
    };
    let mut entries = Vec::new();
    for spec in specs(model) {
        if !spec.template().ends_with(".html") || spec.kind == PageKind::NotFound {
            continue;
        }
        let path = spec.path(model);
        let alternates = if spec.kind == PageKind::Landing {
            Vec::new()
        } else {
            let other = format!("{}{}", spec.lang.other().code(), &path[2..]);
            vec![
                Alternate {
                    hreflang: spec.lang.html_lang().to_string(),
                    url: absolute(&path),
                },
                Alternate {
                    hreflang: spec.lang.other().html_lang().to_string(),
                    url: absolute(&other),
                },
            ]
        };
        let lastmod = match spec.kind {
            PageKind::Article(i) => model.articles[i]
                .date()
                .and_then(|d| d.get(..10))
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        };
        entries.push(SitemapEntry {
            url: absolute(&path),
            alternates,
            lastmod,
        });
    }
    c.insert("entries", &entries);
    c
}

/// Articles in a feed.
const FEED_ENTRIES: usize = 50;

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    id: String,
    updated: String,
    summary: String,
    region: String,
}

/// An RFC 3339 time for a content date (`YYYY-MM-DD` is taken as midnight
/// in China, where the reports were published).
fn rfc3339(date: &str) -> Option<String> {
    if chrono::DateTime::parse_from_rfc3339(date).is_ok() {
        return Some(date.to_string());
    }
    chrono::NaiveDate::parse_from_str(date.get(..10)?, "%Y-%m-%d")
        .ok()
        .map(|d| format!("{}T00:00:00+08:00", d.format("%Y-%m-%d")))
}

fn feed(model: &Model, lang: Lang) -> tera::Context {
    let path = format!("{}/", lang.code());
    let mut c = base(model, lang, &path, "feed");
    let base_url = model.site.base_url.clone().unwrap_or_default();
    let mut dated: Vec<(String, &Article)> = model
        .articles
        .iter()
        .filter_map(|a| Some((rfc3339(a.date()?)?, a)))
        .collect();
    // Newest first; the slug keeps equal dates in a stable order.
    dated.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.slug.cmp(&y.1.slug)));
    let entries: Vec<FeedEntry> = dated
        .iter()
        .take(FEED_ENTRIES)
        .map(|(updated, a)| {
            let url = format!("{base_url}/{}index.html", article_path(lang, &a.slug));
            let region = a
                .region
                .as_deref()
                .and_then(|code| model.regions.get(code))
                .map(|r| region_name(r, lang))
                .unwrap_or_default();
            let summary = match lang {
                Lang::Zh => a.zh.front.subtitle.clone().unwrap_or_default(),
                Lang::En => {
                    a.en.as_ref()
                        .and_then(|e| e.front.summary.clone())
                        .unwrap_or_default()
                }
            };
            FeedEntry {
                title: a.title(lang).to_string(),
                id: url.clone(),
                url,
                updated: updated.clone(),
                summary,
                region,
            }
        })
        .collect();
    c.insert(
        "feed_updated",
        &dated
            .first()
            .map(|d| d.0.clone())
            .unwrap_or_else(|| "2000-01-01T00:00:00Z".to_string()),
    );
    c.insert("feed_url", &format!("{base_url}/{}atom.xml", path));
    c.insert("home_url", &format!("{base_url}/{path}index.html"));
    c.insert("entries", &entries);
    c
}

fn robots(model: &Model) -> tera::Context {
    let mut c = base(model, Lang::Zh, "", "robots");
    c.insert(
        "sitemap_url",
        &model
            .site
            .base_url
            .as_ref()
            .map(|b| format!("{b}/sitemap.xml"))
            .unwrap_or_default(),
    );
    c
}

/// The newest result (not a target, not doubtful) of an indicator for each
/// region, largest value first.
fn rank(
    model: &Model,
    figures: &[(usize, usize)],
    region_pos: &[Option<usize>],
) -> Vec<(usize, usize, String)> {
    let mut newest: Vec<Option<(usize, usize)>> = vec![None; model.regions.len()];
    for &(i, j) in figures {
        if let Some(r) = region_pos[i]
            && newest[r].is_none()
            && !is_target(&model.articles[i].figures()[j])
        {
            newest[r] = Some((i, j));
        }
    }
    let mut out: Vec<(usize, usize, String)> = newest
        .into_iter()
        .enumerate()
        .filter_map(|(r, x)| x.map(|(i, j)| (i, j, model.regions.at(r).code.clone())))
        .collect();
    out.sort_by(|a, b| {
        let fa = model.articles[a.0].figures()[a.1].value;
        let fb = model.articles[b.0].figures()[b.1].value;
        fb.total_cmp(&fa).then_with(|| a.2.cmp(&b.2))
    });
    out
}

pub(super) fn ranking<'a>(index: &'a Index, key: &str) -> &'a [(usize, usize, String)] {
    index.ranking.get(key).map(Vec::as_slice).unwrap_or(&[])
}

/// Whether a figure is a plan or doubtful rather than a reported result.
pub(super) fn is_target(f: &Figure) -> bool {
    f.target || f.doubt.is_some()
}

fn home(model: &Model, index: &Index, lang: Lang) -> tera::Context {
    let path = format!("{}/", lang.code());
    let mut c = base(model, lang, &path, "home");
    c.insert("totals", &index.totals);
    let latest: Vec<ArticleView> = model
        .articles
        .iter()
        .take(10)
        .map(|a| article_view(model, lang, a))
        .collect();
    c.insert("latest", &latest);
    c.insert("provinces", &provinces_view(model, index, lang, false));
    c.insert("map", &map::view(model, index, lang, "../"));
    // Headline: the regions with the most people lifted out of poverty.
    c.insert(
        "overview",
        &graphics::overview_chart(model, index, lang, "../", HEADLINE_REGIONS),
    );
    c
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev: String,
    next: String,
}

fn article_list(model: &Model, lang: Lang, n: usize) -> tera::Context {
    let path = articles_page_path(lang, n);
    let mut c = base(model, lang, &path, "articles");
    let total = model.articles.len().div_ceil(ARTICLES_PER_PAGE).max(1);
    let articles: Vec<ArticleView> = model
        .articles
        .iter()
        .skip((n - 1) * ARTICLES_PER_PAGE)
        .take(ARTICLES_PER_PAGE)
        .map(|a| article_view(model, lang, a))
        .collect();
    c.insert("articles", &articles);
    c.insert(
        "pagination",
        &Pagination {
            current: n,
            total,
            prev: if n > 1 {
                articles_page_path(lang, n - 1)
            } else {
                String::new()
            },
            next: if n < total {
                articles_page_path(lang, n + 1)
            } else {
                String::new()
            },
        },
    );
    c
}

fn region_index(model: &Model, index: &Index, lang: Lang) -> tera::Context {
    let path = format!("{}/regions/", lang.code());
    let mut c = base(model, lang, &path, "regions");
    c.insert("provinces", &provinces_view(model, index, lang, true));
    c.insert("map", &map::view(model, index, lang, "../../"));
    c
}

fn province_page(model: &Model, index: &Index, lang: Lang, code: &str) -> tera::Context {
    let p = model.regions.get(code).expect("province in table");
    let path = region_path(model, lang, p);
    let mut c = base(model, lang, &path, "province");
    let view = model.provinces.get(code).map(|codes| ProvinceView {
        name: region_name(p, lang),
        path: path.clone(),
        region_count: codes.len(),
        article_count: codes.iter().map(|c| index.articles_of(c).len()).sum(),
        regions: codes
            .iter()
            .filter_map(|c| region_view(model, index, lang, c))
            .collect(),
    });
    c.insert("province", &view);
    c
}

fn region_page(model: &Model, index: &Index, lang: Lang, code: &str) -> tera::Context {
    let r = model.regions.get(code).expect("region in table");
    let path = region_path(model, lang, r);
    let mut c = base(model, lang, &path, "region");
    c.insert("region", &region_view(model, index, lang, code));
    let articles = index.articles_of(code);
    let mut groups = Vec::new();
    for ind in &model.taxonomy.indicators {
        let all: Vec<(usize, usize)> = articles
            .iter()
            .flat_map(|&i| {
                model.articles[i]
                    .figures()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.key == ind.key)
                    .map(move |(j, _)| (i, j))
            })
            .collect();
        if all.is_empty() {
            continue;
        }
        groups.push(IndicatorGroup {
            key: ind.key.clone(),
            label: indicator_label(model, lang, &ind.key),
            path: indicator_path(lang, &ind.key),
            figures: all
                .iter()
                .take(FIGURES_PER_INDICATOR)
                .map(|&(i, j)| fig(model, index, lang, i, j))
                .collect(),
            more: all.len().saturating_sub(FIGURES_PER_INDICATOR),
        });
    }
    c.insert("groups", &groups);
    let root = "../".repeat(depth(&path));
    c.insert(
        "charts",
        &graphics::region_charts(model, index, lang, code, &root),
    );
    if !articles.is_empty() {
        c.insert(
            "downloads",
            &downloads::view(model, index, &downloads::Scope::Region(code.to_string())),
        );
    }
    let views: Vec<ArticleView> = articles
        .iter()
        .map(|&i| article_view(model, lang, &model.articles[i]))
        .collect();
    c.insert("articles", &views);
    c
}

/// Marks for the figures in an article's English translation: the first
/// occurrence of the value written the English way, searching forward from
/// the previous figure's place (translations keep the order of the text).
fn en_marks(a: &Article) -> Vec<Option<Mark>> {
    let Some(en) = &a.en else { return Vec::new() };
    let body = &en.body;
    let mut order: Vec<usize> = (0..a.figures().len()).collect();
    order.sort_by_key(|&i| a.figures()[i].start);
    let mut out: Vec<Option<Mark>> = vec![None; a.figures().len()];
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut from = 0;
    for i in order {
        let f = &a.figures()[i];
        let mut found = None;
        for needle in en_spellings(f) {
            let hit = find_number(body, &needle, from, &taken)
                .or_else(|| find_number(body, &needle, 0, &taken));
            if let Some(r) = hit {
                found = Some(r);
                break;
            }
        }
        if let Some(r) = found {
            from = r.end;
            taken.push(r.clone());
            out[i] = Some(Mark {
                range: r,
                id: format!("fig-{i}"),
                title: f.key.clone(),
            });
        }
    }
    out
}

/// How an English text may write a figure's value.
fn en_spellings(f: &Figure) -> Vec<String> {
    let en = format::number(f.value, Lang::En);
    let mut v = Vec::new();
    if f.unit == "percent" {
        v.push(format!("{en}%"));
        v.push(format!("{en} percent"));
    }
    v.push(en);
    let plain = format::number(f.value, Lang::Zh);
    if !plain.contains(['万', '亿']) {
        v.push(plain);
    }
    v
}

/// A whole-number match of `needle` at or after `from`, not inside a longer
/// number and not overlapping a taken range.
fn find_number(
    body: &str,
    needle: &str,
    from: usize,
    taken: &[std::ops::Range<usize>],
) -> Option<std::ops::Range<usize>> {
    let mut at = from.min(body.len());
    while let Some(pos) = body.get(at..)?.find(needle) {
        let start = at + pos;
        let end = start + needle.len();
        let before = body[..start].chars().next_back();
        let after = body[end..].chars().next();
        let digit_before = before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',');
        let digit_after = after.is_some_and(|c| c.is_ascii_digit())
            || (after.is_some_and(|c| c == '.' || c == ',')
                && body[end + 1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit()));
        let overlaps = taken.iter().any(|r| r.start < end && start < r.end);
        if !digit_before && !digit_after && !overlaps {
            return Some(start..end);
        }
        at = end;
    }
    None
}

fn term_linker(model: &Model, lang: Lang, path_to_root: &str) -> TermLinker {
    let terms: Vec<(Vec<String>, String, String)> = model
        .glossary
        .terms
        .iter()
        .map(|t| {
            let url = super::templates::relative_url(
                path_to_root,
                &format!("{}/glossary/#{}", lang.code(), t.anchor()),
            );
            match lang {
                Lang::Zh => {
                    let mut s = vec![t.term.clone()];
                    s.extend(t.aliases.iter().cloned());
                    (s, url, t.en.clone())
                }
                Lang::En => (vec![t.en.clone()], url, t.term.clone()),
            }
        })
        .collect();
    TermLinker::new(&terms)
}

fn article_page(model: &Model, index: &Index, lang: Lang, i: usize) -> tera::Context {
    let a = &model.articles[i];
    let path = article_path(lang, &a.slug);
    let mut c = base(model, lang, &path, "article");
    c.insert("article", &article_view(model, lang, a));
    let figures: Vec<FigureView> = figures_of(model, index, lang, i);
    let linker = &index.linkers[&lang];
    let title = |j: usize| format!("{}: {}", figures[j].label, figures[j].value);
    let (body_html, summary) = match lang {
        Lang::Zh => {
            let chars = markdown::char_to_byte(&a.zh.body);
            let marks: Vec<Mark> = a
                .figures()
                .iter()
                .enumerate()
                .map(|(j, f)| Mark {
                    range: figure_span(&a.zh.body, &chars, f),
                    id: format!("fig-{j}"),
                    title: title(j),
                })
                .collect();
            (
                markdown::render_knowing(
                    &a.zh.body,
                    &non_overlapping(marks),
                    linker,
                    Some(index.derived[i].terms.len()),
                ),
                String::new(),
            )
        }
        Lang::En if a.has_translation() => {
            let en = a.en.as_ref().expect("translated");
            let marks: Vec<Mark> = index.derived[i]
                .en_marks
                .iter()
                .enumerate()
                .filter_map(|(j, m)| {
                    m.clone().map(|mut m| {
                        m.title = title(j);
                        m
                    })
                })
                .collect();
            (
                markdown::render(&en.body, &non_overlapping(marks), linker),
                String::new(),
            )
        }
        Lang::En => {
            let region_en = a.region.as_deref().and_then(|c| model.regions.en_path(c));
            let text = summary::summarize(
                &SummaryInput {
                    region_en: region_en.as_deref(),
                    date: a.date(),
                    figures: a.figures(),
                },
                &model.taxonomy,
            );
            (String::new(), text)
        }
    };
    c.insert("figures", &figures);
    c.insert("body_html", &body_html);
    c.insert("summary", &summary);
    c
}

/// The byte range of a figure in the body. The recorded character span is
/// checked against the figure's quote; when a hand edit has moved the text,
/// the quote is found again and the span re-anchored in it (or the whole
/// quote marked). A figure whose quote is gone gets an empty range, which
/// `markdown::render` turns into an anchor at the top, so links still land.
fn figure_span(body: &str, chars: &[usize], f: &Figure) -> std::ops::Range<usize> {
    let span = (f.start < f.end && f.end < chars.len()).then(|| chars[f.start]..chars[f.end]);
    if let Some(r) = span.clone() {
        // Still in place: the quote stands around the span.
        let text = &body[r.clone()];
        if let Some(k) = f.quote.find(text)
            && r.start >= k
            && body[r.start - k..].starts_with(f.quote.as_str())
        {
            return r;
        }
    }
    let Some(q) = body.find(f.quote.as_str()).filter(|_| !f.quote.is_empty()) else {
        return 0..0;
    };
    // Moved: find the quantity of this value inside the quote again.
    let quote_chars = crate::render::markdown::char_to_byte(&f.quote);
    let same = |v: f64| (v - f.value).abs() <= f.value.abs() * 1e-9;
    match crate::extract::quantity::scan(&f.quote)
        .into_iter()
        .find(|x| same(x.value))
    {
        Some(x) if x.end < quote_chars.len() => q + quote_chars[x.start]..q + quote_chars[x.end],
        _ => q..q + f.quote.len(),
    }
}

fn non_overlapping(mut marks: Vec<Mark>) -> Vec<Mark> {
    marks.sort_by_key(|m| (m.range.start, m.range.end));
    let mut out: Vec<Mark> = Vec::new();
    for m in marks {
        if out.last().is_none_or(|l| l.range.end <= m.range.start) {
            out.push(m);
        }
    }
    out
}

#[derive(Serialize)]
struct IndicatorView {
    key: String,
    label: String,
    label_other: String,
    unit: String,
    path: String,
    /// Regions that report the indicator.
    region_count: usize,
    figure_count: usize,
    /// One row per region: its newest result.
    regions: Vec<IndicatorRow>,
}

#[derive(Serialize)]
struct IndicatorRow {
    region: Link,
    figure: FigureView,
    /// The value and year as plain data, for sorting the table.
    number: f64,
    year: String,
}

fn indicator_view(
    model: &Model,
    index: &Index,
    lang: Lang,
    key: &str,
    rows: Option<usize>,
) -> IndicatorView {
    let ind = model.taxonomy.get(key).expect("indicator in taxonomy");
    let latest = ranking(index, key);
    let region_count = latest.len();
    let regions = latest
        .iter()
        .take(rows.unwrap_or(usize::MAX))
        .filter_map(|(i, j, code)| {
            let (i, j) = (*i, *j);
            let f = &model.articles[i].figures()[j];
            Some(IndicatorRow {
                region: region_link(model, lang, code)?,
                figure: fig(model, index, lang, i, j),
                number: f.value,
                year: f.year.clone().unwrap_or_default(),
            })
        })
        .collect();
    let unit = ind
        .unit
        .split('|')
        .map(|u| format::unit_word(u, lang))
        .filter(|u| !u.is_empty())
        .collect::<Vec<_>>();
    IndicatorView {
        key: key.to_string(),
        label: indicator_label(model, lang, key),
        label_other: indicator_label(model, lang.other(), key),
        unit: unit.join(" / "),
        path: indicator_path(lang, key),
        region_count,
        figure_count: index.by_indicator.get(key).map(Vec::len).unwrap_or(0),
        regions,
    }
}

fn indicator_index(model: &Model, index: &Index, lang: Lang) -> tera::Context {
    let path = format!("{}/indicators/", lang.code());
    let mut c = base(model, lang, &path, "indicators");
    let views: Vec<IndicatorView> = model
        .taxonomy
        .indicators
        .iter()
        .map(|i| indicator_view(model, index, lang, &i.key, Some(3)))
        .collect();
    c.insert("indicators", &views);
    c.insert(
        "downloads",
        &downloads::view(model, index, &downloads::Scope::All),
    );
    c
}

fn indicator_page(model: &Model, index: &Index, lang: Lang, key: &str) -> tera::Context {
    let path = indicator_path(lang, key);
    let mut c = base(model, lang, &path, "indicator");
    c.insert("indicator", &indicator_view(model, index, lang, key, None));
    let root = "../".repeat(depth(&path));
    c.insert(
        "chart",
        &graphics::indicator_chart(model, index, lang, key, &root),
    );
    c
}

#[derive(Serialize)]
struct TermView {
    term: String,
    en: String,
    anchor: String,
    note: String,
    article_count: usize,
    articles: Vec<Link>,
}

fn glossary(model: &Model, index: &Index, lang: Lang) -> tera::Context {
    let path = format!("{}/glossary/", lang.code());
    let mut c = base(model, lang, &path, "glossary");
    let terms: Vec<TermView> = model
        .glossary
        .terms
        .iter()
        .zip(&index.term_articles)
        .map(|(t, (count, first))| TermView {
            term: t.term.clone(),
            en: t.en.clone(),
            anchor: t.anchor(),
            note: match lang {
                Lang::Zh => t.note_zh.clone(),
                Lang::En => t.note_en.clone(),
            },
            article_count: *count,
            articles: first
                .iter()
                .map(|&i| {
                    let a = &model.articles[i];
                    Link {
                        name: a.title(lang).to_string(),
                        path: article_path(lang, &a.slug),
                    }
                })
                .collect(),
        })
        .collect();
    c.insert("terms", &terms);
    c
}
