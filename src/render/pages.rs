//! The pages of the archive and what each template is given. Every value a
//! template shows is prepared here in the page's language (numbers, dates,
//! names), so that templates only lay things out.

use std::collections::BTreeMap;

use serde::Serialize;

use super::markdown::{self, Mark, TermLinker};
use crate::data::Region;
use crate::extract::Figure;
use crate::format::{self, Lang};
use crate::ingest::clean::unescape_markdown;
use crate::model::{Article, Model};
use crate::summary::{self, SummaryInput};

/// A page to render: where it goes, with which template and context.
pub struct Page {
    /// Output path relative to public/, e.g. `zh/regions/neixiang/index.html`.
    pub output: String,
    pub template: &'static str,
    pub context: tera::Context,
}

#[derive(Serialize, Clone)]
struct Link {
    name: String,
    path: String,
}

#[derive(Serialize, Clone)]
struct FigureView {
    key: String,
    label: String,
    value: String,
    year: String,
    qualifier: String,
    quote: String,
    /// Where the figure's sentence is: article path with the anchor.
    href: String,
    anchor: String,
    article: Link,
    date: String,
    region: Option<Link>,
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

/// Paths of the pages (folder paths; links add index.html).
pub fn article_path(lang: Lang, slug: &str) -> String {
    format!("{}/articles/{slug}/", lang.code())
}

fn region_path(model: &Model, lang: Lang, r: &Region) -> String {
    format!("{}/regions/{}/", lang.code(), model.regions.slug(r))
}

pub fn indicator_path(lang: Lang, key: &str) -> String {
    format!("{}/indicators/{key}/", lang.code())
}

fn depth(path: &str) -> usize {
    path.trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .count()
}

/// The context every page has.
fn base(model: &Model, lang: Lang, path: &str, counterpart: &str, kind: &str) -> tera::Context {
    let mut c = tera::Context::new();
    c.insert("lang", lang.code());
    c.insert("html_lang", lang.html_lang());
    c.insert("other_lang", lang.other().code());
    c.insert("other_html_lang", lang.other().html_lang());
    c.insert("path_to_root", &"../".repeat(depth(path)));
    c.insert("page_path", path);
    c.insert("counterpart", counterpart);
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

fn region_name(r: &Region, lang: Lang) -> String {
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
fn indicator_label(model: &Model, lang: Lang, key: &str) -> String {
    match (model.taxonomy.get(key), lang) {
        (Some(i), Lang::Zh) => i.label_zh.clone(),
        (Some(i), Lang::En) => crate::summary::capitalize(&i.label_en),
        (None, _) => key.to_string(),
    }
}

fn figure_view(
    model: &Model,
    lang: Lang,
    a: &Article,
    index: usize,
    f: &Figure,
    en_marked: &[bool],
) -> FigureView {
    let label = indicator_label(model, lang, &f.key);
    let anchor = format!("fig-{index}");
    // English pages link to the figure in the translation when it is marked
    // there, else to the Chinese sentence.
    let target_lang = if lang == Lang::En && en_marked.get(index).copied().unwrap_or(false) {
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

/// Everything computed once per build and shared by the pages.
struct Shared {
    /// Per article: which figures are marked in the English translation, and where.
    en_marks: BTreeMap<String, Vec<Option<Mark>>>,
}

impl Shared {
    fn en_marked(&self, slug: &str) -> Vec<bool> {
        self.en_marks
            .get(slug)
            .map(|v| v.iter().map(Option::is_some).collect())
            .unwrap_or_default()
    }
}

/// All pages of the archive, in a stable order.
pub fn pages(model: &Model) -> Vec<Page> {
    let shared = Shared {
        en_marks: model
            .articles
            .iter()
            .filter(|a| a.has_translation())
            .map(|a| (a.slug.clone(), en_marks(a)))
            .collect(),
    };
    let mut pages = vec![landing(model), not_found(model)];
    for lang in Lang::ALL {
        pages.push(home(model, lang, &shared));
        pages.push(article_index(model, lang));
        pages.push(region_index(model, lang));
        pages.push(indicator_index(model, lang, &shared));
        pages.push(glossary(model, lang));
        for a in &model.articles {
            pages.push(article_page(model, lang, a, &shared));
        }
        for code in &model.region_codes {
            pages.push(region_page(model, lang, code, &shared));
        }
        for code in model.provinces.keys() {
            if !model.region_codes.contains(code) {
                pages.push(province_page(model, lang, code));
            }
        }
        for ind in &model.taxonomy.indicators {
            pages.push(indicator_page(model, lang, &ind.key, &shared));
        }
    }
    pages
}

fn page(path: &str, template: &'static str, context: tera::Context) -> Page {
    Page {
        output: format!("{path}index.html"),
        template,
        context,
    }
}

fn swap_lang(path: &str, lang: Lang) -> String {
    format!("{}{}", lang.other().code(), &path[2..])
}

fn totals(model: &Model) -> Totals {
    let reported: std::collections::BTreeSet<&str> =
        model.figures().map(|(_, _, f)| f.key.as_str()).collect();
    Totals {
        articles: model.articles.len(),
        regions: model.region_codes.len(),
        indicators: model.taxonomy.indicators.len(),
        indicators_reported: reported.len(),
        figures: model.figures().count(),
    }
}

fn provinces_view(model: &Model, lang: Lang) -> Vec<ProvinceView> {
    model
        .provinces
        .iter()
        .filter_map(|(pcode, codes)| {
            let p = model.regions.get(pcode)?;
            let mut regions: Vec<RegionView> = codes
                .iter()
                .filter_map(|c| region_view(model, lang, c))
                .collect();
            if model.region_codes.contains(pcode) {
                regions.insert(0, region_view(model, lang, pcode)?);
            }
            Some(ProvinceView {
                name: region_name(p, lang),
                path: region_path(model, lang, p),
                regions,
            })
        })
        .collect()
}

fn region_view(model: &Model, lang: Lang, code: &str) -> Option<RegionView> {
    let r = model.regions.get(code)?;
    let mut parents = Vec::new();
    let mut parent = r.parent.as_deref();
    while let Some(p) = parent.and_then(|c| model.regions.get(c)) {
        parents.push(region_name(p, lang));
        parent = p.parent.as_deref();
    }
    Some(RegionView {
        code: r.code.clone(),
        name: region_name(r, lang),
        name_zh: r.name_zh.clone(),
        name_en: r.name_en.clone(),
        path: region_path(model, lang, r),
        parents,
        province: province_link(model, lang, code),
        article_count: model.articles_of(code).count(),
        figure_count: model.articles_of(code).map(|a| a.figures().len()).sum(),
    })
}

fn landing(model: &Model) -> Page {
    let mut c = base(model, Lang::Zh, "", "", "landing");
    c.insert("totals", &totals(model));
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
    c.insert("provinces_zh", &provinces_view(model, Lang::Zh));
    c.insert("provinces_en", &provinces_view(model, Lang::En));
    Page {
        output: "index.html".into(),
        template: "landing.html",
        context: c,
    }
}

fn not_found(model: &Model) -> Page {
    let mut c = base(model, Lang::Zh, "", "", "404");
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
    Page {
        output: "404.html".into(),
        template: "404.html",
        context: c,
    }
}

fn home(model: &Model, lang: Lang, shared: &Shared) -> Page {
    let path = format!("{}/", lang.code());
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "home");
    c.insert("totals", &totals(model));
    let latest: Vec<ArticleView> = model
        .articles
        .iter()
        .take(10)
        .map(|a| article_view(model, lang, a))
        .collect();
    c.insert("latest", &latest);
    c.insert("provinces", &provinces_view(model, lang));
    // Headline: people lifted out of poverty, per region.
    let headline: Vec<FigureView> = model
        .region_codes
        .iter()
        .filter_map(|code| {
            model.articles_of(code).find_map(|a| {
                a.figures()
                    .iter()
                    .position(|f| f.key == "people_lifted")
                    .map(|i| {
                        figure_view(
                            model,
                            lang,
                            a,
                            i,
                            &a.figures()[i],
                            &shared.en_marked(&a.slug),
                        )
                    })
            })
        })
        .collect();
    c.insert("headline", &headline);
    page(&path, "home.html", c)
}

fn article_index(model: &Model, lang: Lang) -> Page {
    let path = format!("{}/articles/", lang.code());
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "articles");
    let articles: Vec<ArticleView> = model
        .articles
        .iter()
        .map(|a| article_view(model, lang, a))
        .collect();
    c.insert("articles", &articles);
    page(&path, "articles.html", c)
}

fn region_index(model: &Model, lang: Lang) -> Page {
    let path = format!("{}/regions/", lang.code());
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "regions");
    c.insert("provinces", &provinces_view(model, lang));
    page(&path, "regions.html", c)
}

fn province_page(model: &Model, lang: Lang, code: &str) -> Page {
    let p = model.regions.get(code).expect("province in table");
    let path = region_path(model, lang, p);
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "province");
    let view = provinces_view(model, lang)
        .into_iter()
        .find(|v| v.path == path);
    c.insert("province", &view);
    page(&path, "province.html", c)
}

fn groups(
    model: &Model,
    lang: Lang,
    figures: Vec<(&Article, usize, &Figure)>,
    shared: &Shared,
) -> Vec<IndicatorGroup> {
    let mut out = Vec::new();
    for ind in &model.taxonomy.indicators {
        let figs: Vec<FigureView> = figures
            .iter()
            .filter(|(_, _, f)| f.key == ind.key)
            .map(|(a, i, f)| figure_view(model, lang, a, *i, f, &shared.en_marked(&a.slug)))
            .collect();
        if !figs.is_empty() {
            out.push(IndicatorGroup {
                key: ind.key.clone(),
                label: indicator_label(model, lang, &ind.key),
                path: indicator_path(lang, &ind.key),
                figures: figs,
            });
        }
    }
    out
}

fn region_page(model: &Model, lang: Lang, code: &str, shared: &Shared) -> Page {
    let r = model.regions.get(code).expect("region in table");
    let path = region_path(model, lang, r);
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "region");
    c.insert("region", &region_view(model, lang, code));
    let articles: Vec<&Article> = model.articles_of(code).collect();
    let figures: Vec<(&Article, usize, &Figure)> = articles
        .iter()
        .flat_map(|a| a.figures().iter().enumerate().map(move |(i, f)| (*a, i, f)))
        .collect();
    c.insert("groups", &groups(model, lang, figures, shared));
    let views: Vec<ArticleView> = articles
        .iter()
        .map(|a| article_view(model, lang, a))
        .collect();
    c.insert("articles", &views);
    page(&path, "region.html", c)
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
    v.push(en.clone());
    let plain = format::number(f.value, Lang::Zh);
    if !plain.contains(['万', '亿']) {
        v.push(plain);
    }
    // 14.8 billion may be written 14.80 billion or as "148 yi" never; keep simple forms.
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

fn article_page(model: &Model, lang: Lang, a: &Article, shared: &Shared) -> Page {
    let path = article_path(lang, &a.slug);
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "article");
    let root = "../".repeat(depth(&path));
    c.insert("article", &article_view(model, lang, a));
    let en_marked = shared.en_marked(&a.slug);
    let figures: Vec<FigureView> = a
        .figures()
        .iter()
        .enumerate()
        .map(|(i, f)| figure_view(model, lang, a, i, f, &en_marked))
        .collect();
    c.insert("figures", &figures);
    let linker = term_linker(model, lang, &root);
    let (body_html, summary) = match lang {
        Lang::Zh => {
            let chars = markdown::char_to_byte(&a.zh.body);
            let marks: Vec<Mark> = a
                .figures()
                .iter()
                .enumerate()
                .filter(|(_, f)| f.start < f.end && f.end < chars.len())
                .map(|(i, f)| Mark {
                    range: chars[f.start]..chars[f.end],
                    id: format!("fig-{i}"),
                    title: figures[i].label.clone() + ": " + &figures[i].value,
                })
                .collect();
            (
                markdown::render(&a.zh.body, &non_overlapping(marks), &linker),
                String::new(),
            )
        }
        Lang::En if a.has_translation() => {
            let en = a.en.as_ref().expect("translated");
            let marks: Vec<Mark> = shared
                .en_marks
                .get(&a.slug)
                .map(|v| {
                    v.iter()
                        .enumerate()
                        .filter_map(|(i, m)| {
                            m.clone().map(|mut m| {
                                m.title = figures[i].label.clone() + ": " + &figures[i].value;
                                m
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                markdown::render(&en.body, &non_overlapping(marks), &linker),
                String::new(),
            )
        }
        Lang::En => {
            let region_en = a
                .region
                .as_deref()
                .and_then(|c| crate::ingest::region_en_path(&model.regions, c));
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
    c.insert("body_html", &body_html);
    c.insert("summary", &summary);
    page(&path, "article.html", c)
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
    regions: Vec<IndicatorRow>,
}

#[derive(Serialize)]
struct IndicatorRow {
    region: Link,
    figures: Vec<FigureView>,
}

fn indicator_view(model: &Model, lang: Lang, key: &str, shared: &Shared) -> IndicatorView {
    let ind = model.taxonomy.get(key).expect("indicator in taxonomy");
    let (label, label_other) = (
        indicator_label(model, lang, key),
        indicator_label(model, lang.other(), key),
    );
    let mut rows = Vec::new();
    for code in &model.region_codes {
        let figs: Vec<FigureView> = model
            .articles_of(code)
            .flat_map(|a| {
                a.figures()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.key == key)
                    .map(move |(i, f)| (a, i, f))
            })
            .map(|(a, i, f)| figure_view(model, lang, a, i, f, &shared.en_marked(&a.slug)))
            .collect();
        if let (false, Some(region)) = (figs.is_empty(), region_link(model, lang, code)) {
            rows.push(IndicatorRow {
                region,
                figures: figs,
            });
        }
    }
    let unit = ind
        .unit
        .split('|')
        .map(|u| format::unit_word(u, lang))
        .filter(|u| !u.is_empty())
        .collect::<Vec<_>>();
    IndicatorView {
        key: key.to_string(),
        label,
        label_other,
        unit: unit.join(" / "),
        path: indicator_path(lang, key),
        regions: rows,
    }
}

fn indicator_index(model: &Model, lang: Lang, shared: &Shared) -> Page {
    let path = format!("{}/indicators/", lang.code());
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "indicators");
    let views: Vec<IndicatorView> = model
        .taxonomy
        .indicators
        .iter()
        .map(|i| indicator_view(model, lang, &i.key, shared))
        .collect();
    c.insert("indicators", &views);
    page(&path, "indicators.html", c)
}

fn indicator_page(model: &Model, lang: Lang, key: &str, shared: &Shared) -> Page {
    let path = indicator_path(lang, key);
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "indicator");
    c.insert("indicator", &indicator_view(model, lang, key, shared));
    page(&path, "indicator.html", c)
}

#[derive(Serialize)]
struct TermView {
    term: String,
    en: String,
    anchor: String,
    note: String,
    articles: Vec<Link>,
}

fn glossary(model: &Model, lang: Lang) -> Page {
    let path = format!("{}/glossary/", lang.code());
    let mut c = base(model, lang, &path, &swap_lang(&path, lang), "glossary");
    let terms: Vec<TermView> = model
        .glossary
        .terms
        .iter()
        .map(|t| TermView {
            term: t.term.clone(),
            en: t.en.clone(),
            anchor: t.anchor(),
            note: match lang {
                Lang::Zh => t.note_zh.clone(),
                Lang::En => t.note_en.clone(),
            },
            articles: model
                .articles
                .iter()
                .filter(|a| {
                    std::iter::once(&t.term)
                        .chain(t.aliases.iter())
                        .any(|s| a.zh.body.contains(s.as_str()))
                })
                .map(|a| Link {
                    name: a.title(lang).to_string(),
                    path: article_path(lang, &a.slug),
                })
                .collect(),
        })
        .collect();
    c.insert("terms", &terms);
    page(&path, "glossary.html", c)
}
