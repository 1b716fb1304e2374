//! `gazetteer check`: validates a built archive before it is published.
//!
//! It reads only the output folder, the way a reader, a static host or a
//! crawler meets the archive, and checks that:
//!
//! - every internal href, src and form action resolves to a file inside the
//!   output folder (never a bare folder, never above the folder), and every
//!   `#fragment` to an id of the target page; external links carry
//!   `rel="external"` and nothing is loaded from the network;
//! - every page under `zh/` has its counterpart under `en/` and the reverse,
//!   and links to it with `<link rel="alternate" hreflang>`;
//! - every figure listed beside an article quotes text of the Chinese
//!   article's body;
//! - every page parses without HTML parse errors (html5ever, the parser of
//!   browsers' specification), has a doctype, one `<title>`, one `<h1>` (one
//!   per language on a bilingual page) and a `lang` on `<html>`.
//!
//! Each problem is one line `path[:line]: what is wrong`, the path relative to
//! the output folder; the lines are sorted, so two runs print the same.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use scraper::{ElementRef, Html, Node, Selector};

/// The language folders of an archive; the first is the source language,
/// whose article text the figures quote.
const LANGS: [&str; 2] = ["zh", "en"];

/// Parse errors reported per page; locating one costs a few parses of the page.
const MAX_PARSE_ERRORS: usize = 5;

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// HTML pages parsed.
    pub pages: usize,
    /// URLs followed (href, src, action), internal and external.
    pub links: usize,
    /// Distinct figures listed beside the articles (a figure shown in both
    /// languages counts once).
    pub figures: usize,
    /// One line per problem, `path[:line]: what is wrong`, sorted.
    pub problems: Vec<String>,
}

/// Checks the archive built in `output_dir`.
pub fn check(output_dir: &Path) -> Result<CheckReport> {
    let archive = Archive::scan(output_dir)?;
    let selectors = Selectors::new();

    // Pages are checked in parallel; the zh and en pages of an article
    // together, as the figures of both quote the zh article's body.
    let mut units: Vec<Vec<usize>> = Vec::new();
    let mut articles: HashMap<&str, usize> = HashMap::new();
    for (i, rel) in archive.files.iter().enumerate() {
        if !rel.ends_with(".html") {
            continue;
        }
        match article_slug(rel) {
            Some(slug) => {
                let unit = *articles.entry(slug).or_insert_with(|| {
                    units.push(Vec::new());
                    units.len() - 1
                });
                units[unit].push(i);
            }
            None => units.push(vec![i]),
        }
    }
    let results: Vec<UnitResult> = units
        .par_iter()
        .map(|pages| check_unit(&archive, &selectors, pages))
        .collect();

    let mut report = CheckReport {
        pages: 0,
        links: 0,
        figures: 0,
        problems: Vec::new(),
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut ids: HashMap<usize, HashSet<Box<str>>> = HashMap::new();
    let mut pending: Vec<(usize, Pending)> = Vec::new();
    for unit in results {
        report.figures += unit.figures;
        for page in unit.pages {
            report.pages += 1;
            report.links += page.links;
            problems.extend(page.problems);
            pending.extend(page.pending.into_iter().map(|p| (page.file, p)));
            ids.insert(page.file, page.ids);
        }
    }
    // Fragments of links to other pages, now that every page's ids are known.
    for (from, p) in pending {
        if !ids
            .get(&p.target)
            .is_some_and(|ids| ids.contains(p.fragment.as_str()))
        {
            problems.push(Problem {
                path: archive.files[from].clone(),
                line: p.line,
                message: format!(
                    "link {}: no id \"{}\" in {}",
                    quoted(&p.href),
                    p.fragment,
                    archive.files[p.target]
                ),
            });
        }
    }
    problems.sort();
    problems.dedup();
    report.problems = problems.iter().map(Problem::to_string).collect();
    Ok(report)
}

/// One problem; sorts by file, then line (numerically), then message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Problem {
    path: String,
    line: Option<usize>,
    message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// The files and folders of the output folder, by path relative to it
/// (`/`-separated; the folder itself is "").
struct Archive {
    root: std::path::PathBuf,
    files: Vec<String>,
    index: HashMap<String, usize>,
    dirs: HashSet<String>,
}

impl Archive {
    fn scan(root: &Path) -> Result<Archive> {
        if !root.is_dir() {
            bail!(
                "no archive at {}: build it first with `gazetteer build`",
                root.display()
            );
        }
        let mut files = Vec::new();
        let mut dirs = HashSet::new();
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", root.display()))?;
            let rel = entry
                .path()
                .strip_prefix(root)
                .expect("walkdir stays below its root")
                .to_string_lossy()
                .replace('\\', "/");
            if entry.path().is_dir() {
                dirs.insert(rel);
            } else {
                files.push(rel);
            }
        }
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i))
            .collect();
        Ok(Archive {
            root: root.to_path_buf(),
            files,
            index,
            dirs,
        })
    }
}

/// The selectors used on every page, parsed once.
struct Selectors {
    base: Selector,
    figure_rows: Selector,
    link: Selector,
    quote: Selector,
    body: Selector,
}

impl Selectors {
    fn new() -> Selectors {
        let s = |css: &str| Selector::parse(css).expect("valid selector");
        Selectors {
            base: s("base[href]"),
            figure_rows: s("aside.figure-list li"),
            link: s("a[href]"),
            quote: s("q"),
            body: s("div.body"),
        }
    }
}

/// The slug of an article page, `{lang}/articles/<slug>/index.html`.
fn article_slug(rel: &str) -> Option<&str> {
    let rest = LANGS
        .iter()
        .find_map(|l| rel.strip_prefix(l)?.strip_prefix('/'))?;
    let slug = rest
        .strip_prefix("articles/")?
        .strip_suffix("/index.html")?;
    (!slug.is_empty() && !slug.contains('/')).then_some(slug)
}

struct UnitResult {
    pages: Vec<PageResult>,
    figures: usize,
}

struct PageResult {
    file: usize,
    links: usize,
    problems: Vec<Problem>,
    ids: HashSet<Box<str>>,
    /// Links with a fragment into another page, checked once all ids are known.
    pending: Vec<Pending>,
}

struct Pending {
    line: Option<usize>,
    href: String,
    target: usize,
    fragment: String,
}

/// A row of an article's figure list.
struct FigureRow {
    line: Option<usize>,
    href: Option<String>,
    fragment: Option<String>,
    quote: Option<String>,
}

/// Checks the pages of one unit: a page, or the language versions of one
/// article (the figure quotes of each checked against the zh body).
fn check_unit(archive: &Archive, sel: &Selectors, pages: &[usize]) -> UnitResult {
    let mut results = Vec::new();
    let mut rows_by_page = Vec::new();
    let mut source_body: Option<String> = None;
    let mut source_page: Option<usize> = None;
    for &file in pages {
        let rel = archive.files[file].as_str();
        let (result, rows, body) = check_page(archive, sel, file);
        if rel
            .strip_prefix(LANGS[0])
            .is_some_and(|r| r.starts_with('/'))
        {
            source_body = body;
            source_page = Some(file);
        }
        results.push(result);
        rows_by_page.push(rows);
    }
    let mut figures = BTreeSet::new();
    for (result, rows) in results.iter_mut().zip(rows_by_page) {
        let rel = &archive.files[result.file];
        for row in rows {
            let problem = |message: String| Problem {
                path: rel.clone(),
                line: row.line,
                message,
            };
            let fig = match (&row.href, &row.fragment) {
                (Some(_), Some(f)) if f.starts_with("fig-") => f.clone(),
                (Some(href), _) => {
                    result.problems.push(problem(format!(
                        "figure link {} has no #fig- anchor",
                        quoted(href)
                    )));
                    continue;
                }
                (None, _) => {
                    result
                        .problems
                        .push(problem("figure row has no link to its figure".into()));
                    continue;
                }
            };
            figures.insert(fig.clone());
            let Some(quote) = &row.quote else {
                result
                    .problems
                    .push(problem(format!("figure {fig} has no <q> quote")));
                continue;
            };
            if quote.is_empty() {
                result
                    .problems
                    .push(problem(format!("figure {fig} has an empty quote")));
                continue;
            }
            let Some(source) = source_page else {
                continue; // the missing counterpart is reported on its own
            };
            match &source_body {
                None => result.problems.push(problem(format!(
                    "figure {fig}: {} has no div.body to find its quote in",
                    archive.files[source]
                ))),
                Some(body) if !body.contains(quote.as_str()) => {
                    result.problems.push(problem(format!(
                        "figure {fig}: quote {} is not in the text of {}",
                        quoted(quote),
                        archive.files[source]
                    )))
                }
                Some(_) => {}
            }
        }
    }
    UnitResult {
        pages: results,
        figures: figures.len(),
    }
}

/// Checks one page: its markup, links, counterpart; returns its figure rows
/// and, for an article, the text of its body (whitespace collapsed).
fn check_page(
    archive: &Archive,
    sel: &Selectors,
    file: usize,
) -> (PageResult, Vec<FigureRow>, Option<String>) {
    let rel = archive.files[file].as_str();
    let mut result = PageResult {
        file,
        links: 0,
        problems: Vec::new(),
        ids: HashSet::new(),
        pending: Vec::new(),
    };
    let problem = |line: Option<usize>, message: String| Problem {
        path: rel.to_string(),
        line,
        message,
    };
    let bytes = match std::fs::read(archive.root.join(rel)) {
        Ok(b) => b,
        Err(e) => {
            result
                .problems
                .push(problem(None, format!("cannot read: {e}")));
            return (result, Vec::new(), None);
        }
    };
    let mut problems = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = Some(line_of(e.as_bytes(), e.utf8_error().valid_up_to()));
            problems.push(problem(line, "not valid UTF-8".to_string()));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let doc = Html::parse_document(&text);

    // Markup.
    for (offset, message) in parse_errors(&text, &doc) {
        let line = offset.map(|o| line_of(text.as_bytes(), o));
        let near = offset
            .map(|o| format!(", at {}", quoted(snippet(&text, o))))
            .unwrap_or_default();
        problems.push(problem(line, format!("HTML parse error: {message}{near}")));
    }
    problems.extend(structure(&doc).into_iter().map(|m| problem(None, m)));

    // Links, in document order, with the source line of each.
    let base = page_base(archive, rel, &doc, sel, &mut |m| {
        problems.push(problem(None, m))
    });
    let mut locator = Locator::new(&text);
    let mut alternates = Vec::new();
    let mut id_counts: HashMap<&str, usize> = HashMap::new();
    let mut link_lines = HashMap::new();
    let mut pending_seen = HashSet::new();
    for node in doc.root_element().descendants() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let element = el.value();
        if let Some(id) = element.id() {
            *id_counts.entry(id).or_default() += 1;
        }
        if element.name() == "a"
            && let Some(name) = element.attr("name")
        {
            result.ids.insert(name.into());
        }
        if element.name() == "base" {
            continue;
        }
        for attr in ["href", "src", "action", "poster"] {
            let Some(url) = element.attr(attr) else {
                continue;
            };
            result.links += 1;
            let line = locator.find(url);
            link_lines.insert(el.id(), line);
            let resolved = resolve(&base, url);
            if attr == "href"
                && element.name() == "link"
                && has_token(element.attr("rel"), "alternate")
                && element.attr("hreflang").is_some()
                && let Resolved::Inside { path, .. } = &resolved
            {
                alternates.push(path.clone());
            }
            match resolved {
                Resolved::External { web } => {
                    if let Some(m) = external_problem(el, attr, url, web) {
                        problems.push(problem(line, m));
                    }
                }
                Resolved::Outside => problems.push(problem(
                    line,
                    format!("{attr} {} leads outside the output folder", quoted(url)),
                )),
                Resolved::RootRelative => problems.push(problem(
                    line,
                    format!(
                        "{attr} {} is root-relative: it breaks under a sub-path and from file://; make it relative",
                        quoted(url)
                    ),
                )),
                Resolved::Inside { path, fragment } => {
                    let target = archive.index.get(&path).copied();
                    match target {
                        None if archive.dirs.contains(path.trim_end_matches('/')) => {
                            problems.push(problem(
                                line,
                                format!(
                                    "{attr} {} names {}, a folder, not a page: link its index.html",
                                    quoted(url),
                                    if path.is_empty() { "the output folder" } else { &path }
                                ),
                            ))
                        }
                        None => problems.push(problem(
                            line,
                            format!("{attr} {}: {path} does not exist", quoted(url)),
                        )),
                        Some(target) => {
                            if let Some(fragment) = fragment
                                && !fragment.is_empty()
                                && !fragment.eq_ignore_ascii_case("top")
                                && path.ends_with(".html")
                                && pending_seen.insert((target, fragment.clone()))
                            {
                                result.pending.push(Pending {
                                    line,
                                    href: url.to_string(),
                                    target,
                                    fragment,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    for (id, count) in &id_counts {
        result.ids.insert((*id).into());
        if *count > 1 {
            problems.push(problem(None, format!("id \"{id}\" is used {count} times")));
        }
    }
    // Fragments into the page itself are checked at once.
    result.pending.retain(|p| {
        if p.target != file {
            return true;
        }
        if !result.ids.contains(p.fragment.as_str()) {
            problems.push(problem(
                p.line,
                format!(
                    "link {}: no id \"{}\" on this page",
                    quoted(&p.href),
                    p.fragment
                ),
            ));
        }
        false
    });

    // The counterpart in the other language.
    if let Some((lang, rest)) = rel.split_once('/')
        && LANGS.contains(&lang)
    {
        for other in LANGS.iter().filter(|l| **l != lang) {
            let counterpart = format!("{other}/{rest}");
            if !archive.index.contains_key(&counterpart) {
                problems.push(problem(
                    None,
                    format!("no {other} counterpart: {counterpart} is missing"),
                ));
            }
            if !alternates.contains(&counterpart) {
                problems.push(problem(
                    None,
                    format!(
                        "no <link rel=\"alternate\" hreflang> to its {other} counterpart {counterpart}"
                    ),
                ));
            }
        }
    }

    // Figures and body text of an article page.
    let mut rows = Vec::new();
    let mut body = None;
    if article_slug(rel).is_some() {
        for li in doc.select(&sel.figure_rows) {
            let a = li.select(&sel.link).next();
            let href = a.and_then(|a| a.value().attr("href"));
            let fragment = href.and_then(|h| h.split_once('#')).map(|(_, f)| decode(f));
            rows.push(FigureRow {
                line: a.and_then(|a| link_lines.get(&a.id()).copied().flatten()),
                href: href.map(String::from),
                fragment,
                quote: li.select(&sel.quote).next().map(|q| collapse(q.text())),
            });
        }
        let texts: Vec<String> = if rel.starts_with(&format!("{}/", LANGS[0])) {
            doc.select(&sel.body).map(|b| collapse(b.text())).collect()
        } else {
            Vec::new()
        };
        if !texts.is_empty() {
            body = Some(texts.join(" "));
        }
    }
    result.problems = problems;
    (result, rows, body)
}

/// The parse errors of a page, each with the byte offset just past the tag
/// that raised it when it could be found.
///
/// html5ever reports errors in input order and without positions. A prefix
/// of the page raises the same first errors as the page, then those of its
/// unexpected end: the shortest prefix, cut after a tag, that raises the
/// first i+1 errors of the page locates error i. Prefixes are cut only where
/// their end raises nothing unusual (not inside a title or script), and the
/// error of elements left open at the end of the body is looked for only at
/// `</body>`, `</html>` and the end of the page.
fn parse_errors(text: &str, doc: &Html) -> Vec<(Option<usize>, String)> {
    let errors = &doc.errors;
    let mut out = Vec::new();
    if errors.is_empty() {
        return out;
    }
    let cuts = cut_points(text);
    let mut from = 0;
    for (i, message) in errors.iter().enumerate().take(MAX_PARSE_ERRORS) {
        let raises = |end: usize| {
            let prefix = Html::parse_document(&text[..end]);
            prefix.errors.len() > i && prefix.errors[..=i] == errors[..=i]
        };
        let candidates: Vec<usize> = if message.contains("at end of body") {
            cuts.iter()
                .filter(|c| {
                    let tag = text[..**c].rsplit('<').next().unwrap_or("");
                    let tag = tag.to_ascii_lowercase();
                    tag.starts_with("/body") || tag.starts_with("/html")
                })
                .copied()
                .chain([text.len()])
                .collect()
        } else {
            cuts.iter().copied().chain([text.len()]).collect()
        };
        // The first candidate at or after the previous error's place that
        // raises it (binary search: raising is monotone along the page).
        let start = candidates.partition_point(|c| *c < from);
        let candidates = &candidates[start..];
        let found = candidates.partition_point(|c| !raises(*c));
        let offset = candidates.get(found).copied();
        if let Some(o) = offset {
            from = o;
        }
        out.push((offset, message.to_string()));
    }
    if errors.len() > MAX_PARSE_ERRORS {
        out.push((
            None,
            format!("{} more HTML parse errors", errors.len() - MAX_PARSE_ERRORS),
        ));
    }
    out
}

/// The offsets just past each tag (and comment) of a page, except where the
/// parser would go on reading raw text (after `<title>`, `<script>` ...).
fn cut_points(text: &str) -> Vec<usize> {
    const RAW: [&str; 10] = [
        "title",
        "textarea",
        "script",
        "style",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "noscript",
        "plaintext",
    ];
    let mut cuts = Vec::new();
    let mut at = 0;
    while let Some(lt) = text[at..].find('<').map(|i| i + at) {
        let rest = &text[lt..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|i| lt + i + 3)
        } else {
            rest.find('>').map(|i| lt + i + 1)
        };
        let Some(end) = end else {
            break;
        };
        let name = rest[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !RAW.contains(&name.as_str()) {
            cuts.push(end);
        }
        at = end;
    }
    cuts
}

fn char_boundary_after(text: &str, mut i: usize) -> usize {
    i += 1;
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// Doctype, title, h1 and lang.
fn structure(doc: &Html) -> Vec<String> {
    let mut problems = Vec::new();
    let doctype = doc.tree.root().children().any(|n| match n.value() {
        Node::Doctype(d) => d.name().eq_ignore_ascii_case("html"),
        _ => false,
    });
    if !doctype {
        problems.push("no <!DOCTYPE html>".to_string());
    }
    let html_elements = |name: &'static str| {
        doc.root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(move |e| {
                e.value().name() == name && &*e.value().name.ns == "http://www.w3.org/1999/xhtml"
            })
    };
    let titles: Vec<ElementRef> = html_elements("title").collect();
    match titles.len() {
        0 => problems.push("no <title>".to_string()),
        1 if titles[0].text().all(|t| t.trim().is_empty()) => {
            problems.push("empty <title>".to_string())
        }
        1 => {}
        n => problems.push(format!("{n} <title> elements, expected one")),
    }
    let h1s: Vec<ElementRef> = html_elements("h1").collect();
    match h1s.len() {
        0 => problems.push("no <h1>".to_string()),
        1 => {}
        n => {
            // A bilingual page (the landing page, 404) has one per language:
            // each in its own element with a lang of its own.
            let langs: BTreeSet<Option<&str>> = h1s
                .iter()
                .map(|h| {
                    h.ancestors()
                        .filter_map(ElementRef::wrap)
                        .take_while(|a| a.value().name() != "html")
                        .find_map(|a| a.value().attr("lang"))
                })
                .collect();
            if langs.len() != n || langs.contains(&None) {
                problems.push(format!(
                    "{n} <h1> elements, expected one (or one per language section)"
                ));
            }
        }
    }
    if doc
        .root_element()
        .value()
        .attr("lang")
        .is_none_or(|l| l.trim().is_empty())
    {
        problems.push("<html> has no lang attribute".to_string());
    }
    problems
}

/// What is wrong with an external URL on this element, if anything.
fn external_problem(el: ElementRef, attr: &str, url: &str, web: bool) -> Option<String> {
    let element = el.value();
    let name = element.name();
    if !web {
        return None; // mailto:, tel:, data: ...
    }
    let loads = match name {
        "a" | "area" | "form" => false,
        "link" => [
            "stylesheet",
            "icon",
            "preload",
            "modulepreload",
            "prefetch",
            "manifest",
            "preconnect",
            "dns-prefetch",
        ]
        .iter()
        .any(|r| has_token(element.attr("rel"), r)),
        _ => true,
    };
    if loads {
        return Some(format!(
            "{attr} {} loads from the network: the archive must work offline",
            quoted(url)
        ));
    }
    if matches!(name, "a" | "area") && !has_token(element.attr("rel"), "external") {
        return Some(format!(
            "external link {} has no rel=\"external\"",
            quoted(url)
        ));
    }
    None
}

fn has_token(list: Option<&str>, token: &str) -> bool {
    list.is_some_and(|l| {
        l.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case(token))
    })
}

/// What relative links on a page resolve against.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Base {
    /// The base document, relative to the output folder: a file, or a folder
    /// ("" for the output folder itself, else ending in `/`).
    path: String,
    /// The URL path the output folder is published at, when the page has an
    /// absolute `<base href>`: root-relative links must start with it.
    prefix: Option<String>,
}

/// Where a URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolved {
    /// It has a scheme or is protocol-relative; `web` when it is http(s)
    /// or protocol-relative.
    External { web: bool },
    /// A path inside the output folder (a folder is "" or ends in `/`),
    /// percent-decoded, without its query.
    Inside {
        path: String,
        fragment: Option<String>,
    },
    /// It climbs above the output folder.
    Outside,
    /// It starts with `/` and the page gives no way to tell where the
    /// archive's root is.
    RootRelative,
}

/// The base of a page: its own path, or what its `<base href>` says.
fn page_base(
    archive: &Archive,
    rel: &str,
    doc: &Html,
    sel: &Selectors,
    problem: &mut dyn FnMut(String),
) -> Base {
    let own = Base {
        path: rel.to_string(),
        prefix: None,
    };
    let Some(href) = doc
        .select(&sel.base)
        .next()
        .and_then(|b| b.value().attr("href"))
    else {
        return own;
    };
    let href = href.trim();
    if let Some(path) = absolute_path(href) {
        return base_from_url_path(&path, &|d| d.is_empty() || archive.dirs.contains(d));
    }
    match resolve(&own, href) {
        Resolved::Inside { path, .. } => Base { path, prefix: None },
        _ => {
            problem(format!(
                "<base href> {} leads outside the output folder",
                quoted(href)
            ));
            own
        }
    }
}

/// The path of an absolute URL (`https://host/a/b`) or of a root-relative
/// one (`/a/b`), without query or fragment; None for a relative URL.
fn absolute_path(url: &str) -> Option<String> {
    let rest = if let Some(scheme_end) = scheme_len(url) {
        &url[scheme_end + 1..]
    } else if url.starts_with('/') {
        url
    } else {
        return None;
    };
    let path = match rest.strip_prefix("//") {
        Some(authority) => authority.find('/').map_or("/", |i| &authority[i..]),
        None => rest,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = decode(path);
    Some(if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    })
}

/// Maps the URL path of an absolute base into the archive. The output folder
/// is published under some prefix of that path: the shortest prefix whose
/// remainder is a folder of the archive (`https://example.org/gazetteer/`
/// is the archive's root when there is no `gazetteer/` folder in it).
fn base_from_url_path(path: &str, is_dir: &dyn Fn(&str) -> bool) -> Base {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for skip in 0..=segments.len() {
        let rest = segments[skip..].join("/");
        if is_dir(&rest) {
            let prefix = format!(
                "/{}",
                segments[..skip]
                    .iter()
                    .map(|s| format!("{s}/"))
                    .collect::<String>()
            );
            let folder = if rest.is_empty() { rest } else { rest + "/" };
            return Base {
                path: folder + file,
                prefix: Some(prefix),
            };
        }
    }
    unreachable!("the output folder itself is a folder")
}

/// The length of a URL's scheme when it has one (`https:`, `mailto:`).
fn scheme_len(url: &str) -> Option<usize> {
    let end = url.find(':')?;
    let scheme = &url[..end];
    let mut chars = scheme.chars();
    (chars.next()?.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(end)
}

/// Resolves a URL found on a page against the page's base.
fn resolve(base: &Base, url: &str) -> Resolved {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some(end) = scheme_len(url) {
        let scheme = url[..end].to_ascii_lowercase();
        return Resolved::External {
            web: matches!(scheme.as_str(), "http" | "https" | "ftp"),
        };
    }
    if url.starts_with("//") {
        return Resolved::External { web: true };
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (url, None),
    };
    let path = decode(rest.split('?').next().unwrap_or(""));
    let joined = if path.is_empty() {
        base.path.clone()
    } else if path.starts_with('/') {
        let Some(prefix) = &base.prefix else {
            return Resolved::RootRelative;
        };
        match path.strip_prefix(prefix.as_str()) {
            Some(inside) => inside.to_string(),
            None if format!("{path}/") == *prefix => String::new(),
            None => return Resolved::Outside,
        }
    } else {
        let dir = base.path.rfind('/').map_or("", |i| &base.path[..=i]);
        format!("{dir}{path}")
    };
    match normalize(&joined) {
        Some(path) => Resolved::Inside { path, fragment },
        None => Resolved::Outside,
    }
}

/// Removes `.` and `..` segments; None when `..` climbs above the start.
/// A path naming a folder keeps its trailing `/` ("" is the start itself).
fn normalize(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    let mut out: Vec<&str> = Vec::new();
    let mut folder = false;
    for (i, segment) in segments.into_iter().enumerate() {
        match segment {
            "" | "." => folder = i == last,
            ".." => {
                out.pop()?;
                folder = i == last;
            }
            s => out.push(s),
        }
    }
    let mut path = out.join("/");
    if folder && !path.is_empty() {
        path.push('/');
    }
    Some(path)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Finds the source line of attribute values, in document order.
struct Locator<'a> {
    text: &'a str,
    /// Where to look for the next value.
    cursor: usize,
    /// The line of the byte at `counted`.
    line: usize,
    counted: usize,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Self {
        Locator {
            text,
            cursor: 0,
            line: 1,
            counted: 0,
        }
    }

    /// The line of the next `="value"` (or `'value'`, or unquoted) at or
    /// after the last one found; None when it is written another way.
    fn find(&mut self, value: &str) -> Option<usize> {
        let escaped;
        let mut needles = [value, ""];
        if value.contains(['&', '"']) {
            escaped = value.replace('&', "&amp;").replace('"', "&quot;");
            needles[1] = &escaped;
        }
        for needle in needles.into_iter().filter(|n| !n.is_empty()) {
            let mut from = self.cursor;
            while let Some(i) = self.text[from..].find(needle).map(|i| i + from) {
                let before = self.text[..i].chars().next_back();
                if matches!(before, Some('"' | '\'' | '=')) {
                    self.line += self.text.as_bytes()[self.counted..i]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count();
                    self.counted = i;
                    self.cursor = i + needle.len();
                    return Some(self.line);
                }
                from = char_boundary_after(self.text, i);
                if from >= self.text.len() {
                    break;
                }
            }
        }
        None
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &[u8], offset: usize) -> usize {
    1 + text[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// Up to 40 characters of the line before a byte offset.
fn snippet(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let start = line.char_indices().rev().nth(39).map_or(0, |(i, _)| i);
    let window = &line[start..];
    // Start at a tag when there is one.
    window
        .find('<')
        .map_or(window, |i| &window[i..])
        .trim_start()
}

/// Text with every run of whitespace made one space, trimmed.
fn collapse<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut space = false;
    for part in parts {
        for c in part.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    out
}

/// A value in double quotes, shortened to 60 characters.
fn quoted(s: &str) -> String {
    let mut chars = s.chars();
    let short: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("\"{short}…\"")
    } else {
        format!("\"{short}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str) -> Base {
        Base {
            path: path.to_string(),
            prefix: None,
        }
    }

    fn inside(path: &str, fragment: Option<&str>) -> Resolved {
        Resolved::Inside {
            path: path.to_string(),
            fragment: fragment.map(String::from),
        }
    }

    #[test]
    fn relative_links_resolve_against_the_page_folder() {
        let base = page("zh/articles/a/index.html");
        assert_eq!(
            resolve(&base, "../../regions/x/index.html"),
            inside("zh/regions/x/index.html", None)
        );
        assert_eq!(
            resolve(&base, "../../../static/style.css"),
            inside("static/style.css", None)
        );
        assert_eq!(
            resolve(&base, "./index.html#fig-2"),
            inside("zh/articles/a/index.html", Some("fig-2"))
        );
        assert_eq!(
            resolve(&base, "#main"),
            inside("zh/articles/a/index.html", Some("main"))
        );
        assert_eq!(resolve(&base, ""), inside("zh/articles/a/index.html", None));
        assert_eq!(
            resolve(&page("index.html"), "zh/index.html"),
            inside("zh/index.html", None)
        );
    }

    #[test]
    fn queries_are_ignored_and_escapes_decoded() {
        let base = page("zh/search/index.html");
        assert_eq!(
            resolve(&base, "index.html?q=%E5%86%85#r"),
            inside("zh/search/index.html", Some("r"))
        );
        assert_eq!(
            resolve(&base, "../regions/%E5%86%85%E4%B9%A1/index.html#%E5%8E%BF"),
            inside("zh/regions/内乡/index.html", Some("县"))
        );
        assert_eq!(resolve(&base, "?q=x"), inside("zh/search/index.html", None));
    }

    #[test]
    fn folders_keep_their_trailing_slash() {
        let base = page("zh/articles/a/index.html");
        assert_eq!(resolve(&base, "../"), inside("zh/articles/", None));
        assert_eq!(resolve(&base, "."), inside("zh/articles/a/", None));
        assert_eq!(resolve(&base, "../../.."), inside("", None));
        assert_eq!(resolve(&base, "../b"), inside("zh/articles/b", None));
    }

    #[test]
    fn links_above_the_output_folder_are_outside() {
        let base = page("zh/articles/a/index.html");
        assert_eq!(resolve(&base, "../../../../etc/passwd"), Resolved::Outside);
        assert_eq!(resolve(&base, "../../../x/../../y"), Resolved::Outside);
        assert_eq!(resolve(&page("404.html"), ".."), Resolved::Outside);
        assert_eq!(normalize("a/../b/./c"), Some("b/c".to_string()));
        assert_eq!(normalize("a/.."), Some(String::new()));
        assert_eq!(normalize("a/../.."), None);
    }

    #[test]
    fn external_and_root_relative_urls() {
        let base = page("zh/index.html");
        for url in [
            "https://example.org/x",
            "HTTP://a",
            "//cdn.example.org/x.js",
        ] {
            assert_eq!(
                resolve(&base, url),
                Resolved::External { web: true },
                "{url}"
            );
        }
        for url in [
            "mailto:a@example.org",
            "data:image/png;base64,AA",
            "tel:+86",
        ] {
            assert_eq!(
                resolve(&base, url),
                Resolved::External { web: false },
                "{url}"
            );
        }
        assert_eq!(resolve(&base, "/zh/index.html"), Resolved::RootRelative);
        // A colon after a slash is part of a path, not a scheme.
        assert_eq!(resolve(&base, "a/b:c.html"), inside("zh/a/b:c.html", None));
    }

    #[test]
    fn an_absolute_base_maps_its_path_into_the_output_folder() {
        let dirs = ["", "zh", "zh/articles", "static"];
        let is_dir = |d: &str| dirs.contains(&d);
        let path = absolute_path("https://example.org/gazetteer/").unwrap();
        let base = base_from_url_path(&path, &is_dir);
        assert_eq!(
            base,
            Base {
                path: String::new(),
                prefix: Some("/gazetteer/".to_string())
            }
        );
        assert_eq!(
            resolve(&base, "static/style.css"),
            inside("static/style.css", None)
        );
        assert_eq!(
            resolve(&base, "/gazetteer/zh/index.html#a"),
            inside("zh/index.html", Some("a"))
        );
        assert_eq!(resolve(&base, "/elsewhere/x.html"), Resolved::Outside);
        assert_eq!(resolve(&base, "../x.html"), Resolved::Outside);

        let path = absolute_path("https://example.org/zh/articles/index.html?x#y").unwrap();
        assert_eq!(path, "/zh/articles/index.html");
        let base = base_from_url_path(&path, &is_dir);
        assert_eq!(base.path, "zh/articles/index.html");
        assert_eq!(base.prefix.as_deref(), Some("/"));
        assert_eq!(
            resolve(&base, "../index.html"),
            inside("zh/index.html", None)
        );
        assert_eq!(absolute_path("https://example.org").as_deref(), Some("/"));
        assert_eq!(absolute_path("../x/"), None);
    }

    #[test]
    fn article_slugs() {
        assert_eq!(article_slug("zh/articles/a-1/index.html"), Some("a-1"));
        assert_eq!(article_slug("en/articles/a-1/index.html"), Some("a-1"));
        assert_eq!(article_slug("zh/articles/index.html"), None);
        assert_eq!(article_slug("fr/articles/a/index.html"), None);
        assert_eq!(article_slug("zh/articles/a/b/index.html"), None);
    }

    #[test]
    fn parse_errors_are_located() {
        let text = "<!DOCTYPE html>\n<html lang=\"en\"><head><title>t</title></head>\n<body><h1>x</h1>\n<p>a</p></div>\n<p>b</p>\n</body></html>\n";
        let doc = Html::parse_document(text);
        assert!(!doc.errors.is_empty());
        let errors = parse_errors(text, &doc);
        let (offset, _) = &errors[0];
        let offset = offset.expect("located");
        assert_eq!(line_of(text.as_bytes(), offset), 4);
        assert!(
            snippet(text, offset).ends_with("</div>"),
            "{}",
            snippet(text, offset)
        );
    }

    #[test]
    fn locator_finds_values_in_order() {
        let text = "<a href=\"x.html\">x.html</a>\n<a href='x.html'>\n<a href=\"a?b=1&amp;c=2\">";
        let mut loc = Locator::new(text);
        assert_eq!(loc.find("x.html"), Some(1));
        assert_eq!(loc.find("x.html"), Some(2));
        assert_eq!(loc.find("a?b=1&c=2"), Some(3));
        assert_eq!(loc.find("nowhere"), None);
    }

    #[test]
    fn whitespace_is_collapsed_across_text_nodes() {
        assert_eq!(collapse(["a ", " b", "c\n\n d  "].into_iter()), "a bc d");
        assert_eq!(
            collapse(["内乡县", "97个", "贫困村"].into_iter()),
            "内乡县97个贫困村"
        );
    }
}
