//! `gazetteer build` on a copy of the seed site: what a reader sees in the
//! archive, checked by parsing the HTML.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{gazetteer, project_site, seed_site, snapshot, stderr, stdout};
use scraper::{Html, Selector};

/// One built copy of the seed site, shared by the read-only tests.
fn built() -> &'static Path {
    common::built_project_site()
}

fn public() -> PathBuf {
    built().join("public")
}

fn page(rel: &str) -> Html {
    let path = public().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text_of(el: scraper::ElementRef) -> String {
    el.text().collect::<String>()
}

/// Resolves a relative href from a page to a file and fragment.
fn resolve(from: &Path, href: &str) -> (PathBuf, Option<String>) {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let target = if path.is_empty() {
        from.to_path_buf()
    } else {
        from.parent().unwrap().join(path)
    };
    (normalize(&target), fragment)
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn ids_of(file: &Path) -> Vec<String> {
    let html = Html::parse_document(&std::fs::read_to_string(file).unwrap());
    html.select(&sel("[id]"))
        .filter_map(|e| e.value().attr("id").map(String::from))
        .collect()
}

/// The figure rows of a region page: indicator label → [(value text, href)].
fn figure_rows(doc: &Html) -> BTreeMap<String, Vec<(String, String)>> {
    let mut rows: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current = String::new();
    for tr in doc.select(&sel("table.figures tbody tr")) {
        if let Some(th) = tr.select(&sel("th")).next() {
            current = text_of(th).trim().to_string();
        }
        let a = tr.select(&sel("td.num a")).next().expect("value link");
        rows.entry(current.clone())
            .or_default()
            .push((text_of(a), a.value().attr("href").unwrap().to_string()));
    }
    rows
}

/// Follows a figure link and returns the text of the element it points at.
fn anchored_text(from_rel: &str, href: &str) -> String {
    let from = public().join(from_rel);
    let (file, fragment) = resolve(&from, href);
    assert!(
        file.is_file(),
        "{href} from {from_rel} does not resolve to a file ({})",
        file.display()
    );
    let fragment = fragment.expect("figure links carry an anchor");
    let doc = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
    let el = doc
        .select(&sel(&format!("[id=\"{fragment}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no #{fragment} in {}", file.display()));
    text_of(el)
}

#[test]
fn neixiang_zh_page_shows_people_lifted_and_rates_linked_to_their_quotes() {
    let rel = "zh/regions/neixiang/index.html";
    let doc = page(rel);
    let h1 = text_of(doc.select(&sel("h1")).next().unwrap());
    assert!(h1.contains("内乡县"), "{h1}");
    let rows = figure_rows(&doc);

    let people = &rows["脱贫人口/减贫人数"];
    let (value, href) = people
        .iter()
        .find(|(v, _)| v.contains("42991"))
        .expect("42991 people lifted");
    assert_eq!(value, "42991人");
    assert_eq!(anchored_text(rel, href), "42991人");
    // The anchor sits inside the sentence the figure came from.
    let (file, _) = resolve(&public().join(rel), href);
    let article = std::fs::read_to_string(file).unwrap();
    assert!(
        article.contains("15316户</mark>"),
        "the sentence is highlighted"
    );

    let (start, start_href) = &rows["贫困发生率(起/基线)"][0];
    let (end, end_href) = &rows["贫困发生率(止)"][0];
    assert_eq!((start.as_str(), end.as_str()), ("6.9%", "0.31%"));
    assert_eq!(anchored_text(rel, start_href), "6.9%");
    assert_eq!(anchored_text(rel, end_href), "0.31%");
}

#[test]
fn neixiang_en_counterpart_shows_the_same_figures_in_english() {
    let rel = "en/regions/neixiang/index.html";
    let doc = page(rel);
    assert_eq!(doc.root_element().value().attr("lang"), Some("en"));
    let h1 = text_of(doc.select(&sel("h1")).next().unwrap());
    assert!(h1.contains("Neixiang County"), "{h1}");
    let rows = figure_rows(&doc);
    let people = &rows["People lifted out of poverty"];
    let (value, href) = people
        .iter()
        .find(|(v, _)| v.contains("42,991"))
        .expect("42,991 people lifted");
    assert_eq!(value, "42,991 people");
    assert!(anchored_text(rel, href).contains("42,991"));
    assert_eq!(rows["Poverty incidence at start/baseline"][0].0, "6.9%");
    assert_eq!(rows["Poverty incidence at end"][0].0, "0.31%");
    // The language switch leads to the zh page and back.
    let switch = doc.select(&sel("a.lang-switch")).next().unwrap();
    assert_eq!(
        switch.value().attr("href"),
        Some("../../../zh/regions/neixiang/index.html")
    );
}

#[test]
fn every_href_and_src_resolves_to_a_file() {
    let root = public();
    let mut checked = 0;
    for (rel, bytes) in snapshot(&root) {
        if !rel.ends_with(".html") {
            continue;
        }
        let from = root.join(&rel);
        let doc = Html::parse_document(std::str::from_utf8(&bytes).unwrap());
        for el in doc.select(&sel("[href], [src]")) {
            let attr = el
                .value()
                .attr("href")
                .or_else(|| el.value().attr("src"))
                .unwrap();
            if attr.starts_with("http://")
                || attr.starts_with("https://")
                || attr.starts_with("mailto:")
            {
                // Only the canonical link and the 404 page's base may be absolute.
                assert!(
                    el.value().name() == "link" && el.value().attr("rel") == Some("canonical")
                        || rel == "404.html",
                    "{rel}: absolute link {attr}"
                );
                continue;
            }
            if rel == "404.html" {
                continue; // resolved against <base>, checked below
            }
            assert!(
                !attr.starts_with('/'),
                "{rel}: root-relative link {attr} breaks under a sub-path"
            );
            let (file, fragment) = resolve(&from, attr);
            assert!(
                file.is_file(),
                "{rel}: {attr} does not resolve ({})",
                file.display()
            );
            if !attr.starts_with('#') && el.value().name() == "a" {
                assert!(
                    attr.contains("index.html") || attr.ends_with(".css") || attr.contains('.'),
                    "{rel}: {attr} names no file"
                );
            }
            if let Some(f) = fragment
                && file.extension().is_some_and(|e| e == "html")
            {
                assert!(
                    ids_of(&file).contains(&f),
                    "{rel}: {attr}: no element with id {f}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

#[test]
fn landing_page_links_to_both_languages() {
    let doc = page("index.html");
    let hrefs: Vec<&str> = doc
        .select(&sel("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&"zh/index.html"), "{hrefs:?}");
    assert!(hrefs.contains(&"en/index.html"), "{hrefs:?}");
    let text = text_of(doc.root_element());
    assert!(
        text.contains("脱贫攻坚县域报告档案")
            && text.contains("County Poverty-Alleviation Report Archive")
    );
}

#[test]
fn every_page_has_its_counterpart_and_hreflang() {
    let root = public();
    for rel in snapshot(&root).keys() {
        let Some(rest) = rel.strip_prefix("zh/").or_else(|| rel.strip_prefix("en/")) else {
            continue;
        };
        let other = if rel.starts_with("zh/") { "en" } else { "zh" };
        assert!(
            root.join(other).join(rest).is_file(),
            "{rel} has no {other} counterpart"
        );
        let doc = page(rel);
        let lang = doc.root_element().value().attr("lang").unwrap();
        assert_eq!(
            lang,
            if rel.starts_with("zh/") {
                "zh-CN"
            } else {
                "en"
            },
            "{rel}"
        );
        let alternates = doc.select(&sel("link[rel=alternate][hreflang]")).count();
        assert_eq!(alternates, 2, "{rel}: hreflang alternates");
    }
}

#[test]
fn pages_for_regions_provinces_articles_indicators_and_glossary() {
    for (zh, en) in [
        ("zh/regions/fangcheng-county/index.html", "Fangcheng County"),
        ("zh/regions/langxi/index.html", "Langxi County"),
        ("zh/regions/danfeng/index.html", "Danfeng County"),
        ("zh/regions/neijiang/index.html", "Neijiang City"),
    ] {
        assert!(public().join(zh).is_file(), "{zh}");
        let en_doc = page(&zh.replacen("zh/", "en/", 1));
        assert!(text_of(en_doc.select(&sel("h1")).next().unwrap()).contains(en));
    }
    // Regions are grouped under their provinces.
    let henan = page("zh/regions/henan-province/index.html");
    let names: Vec<String> = henan.select(&sel("main a.title")).map(text_of).collect();
    assert!(
        names.contains(&"内乡县".to_string()) && names.contains(&"方城县".to_string()),
        "{names:?}"
    );
    // The index of indicators lists every indicator of the taxonomy.
    let taxonomy = gazetteer::data::Taxonomy::load(&built().join("data/indicators.yaml")).unwrap();
    let index = page("en/indicators/index.html");
    let rows = index.select(&sel("table.indicators tbody tr")).count();
    assert_eq!(rows, taxonomy.indicators.len());
    // The glossary renders 两不愁三保障 and articles link to it.
    let glossary = page("zh/glossary/index.html");
    assert!(text_of(glossary.root_element()).contains("两不愁三保障"));
    let article =
        std::fs::read_to_string(public().join("zh/articles/neixiang-2020-11-17/index.html"))
            .unwrap();
    assert!(
        article.contains("class=\"term\" href=\"../../../zh/glossary/index.html#"),
        "glossary links in articles"
    );
    assert!(public().join("404.html").is_file());
}

#[test]
fn dates_and_numbers_per_language() {
    let zh = text_of(page("zh/articles/neixiang-2020-11-17/index.html").root_element());
    assert!(zh.contains("2020年11月17日"));
    assert!(zh.contains("148亿元"));
    let en = text_of(page("en/articles/neixiang-2020-11-17/index.html").root_element());
    assert!(en.contains("17 Nov 2020"));
    assert!(en.contains("14.8 billion yuan"));
}

#[test]
fn builds_are_byte_identical_across_runs_and_thread_counts() {
    let site = seed_site();
    let run = |threads: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gazetteer"))
            .args(["--root"])
            .arg(site.path())
            .arg("build")
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        snapshot(&site.path().join("public"))
    };
    let one = run("1");
    let four = run("4");
    let again = run("4");
    assert!(one.len() > 100);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        four.keys().collect::<Vec<_>>()
    );
    for (k, v) in &one {
        assert!(four[k] == *v, "{k} differs between 1 and 4 threads");
        assert!(again[k] == *v, "{k} differs between two runs");
    }
}

#[test]
fn template_error_names_the_template_and_line() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["build"]).status.success());
    let before = snapshot(&site.path().join("public"));
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/region.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ region.name }</h1>\n{% endblock content %}\n",
    )
    .unwrap();
    let out = gazetteer(site.path(), &["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("templates/region.html:3:"), "{err}");
    // The previous archive is intact.
    assert_eq!(before, snapshot(&site.path().join("public")));
}

#[test]
fn site_templates_override_the_theme() {
    let site = seed_site();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/glossary.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>OVERRIDDEN {{ t(key='glossary.title') }}</h1>{% endblock content %}",
    )
    .unwrap();
    assert!(gazetteer(site.path(), &["build"]).status.success());
    let text = std::fs::read_to_string(site.path().join("public/en/glossary/index.html")).unwrap();
    assert!(text.contains("OVERRIDDEN Glossary of policy terms"));
}

#[test]
fn unknown_site_key_is_named() {
    let site = seed_site();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        format!("titel = \"x\"\n{toml}"),
    )
    .unwrap();
    let out = gazetteer(site.path(), &["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("site.toml") && err.contains("titel") && err.contains("line 1"),
        "{err}"
    );
}

#[test]
fn build_ingests_first_on_a_fresh_site_and_says_where_the_archive_is() {
    let site = seed_site();
    assert!(!site.path().join("content").exists());
    let out = gazetteer(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ingesting seeds/ first"), "{text}");
    assert!(text.contains("public/index.html"), "{text}");
    assert!(site.path().join("content/neixiang-2020-11-17.md").is_file());
    // A second build has nothing to ingest.
    let again = stdout(&gazetteer(site.path(), &["build"]));
    assert!(!again.contains("ingesting"), "{again}");
}

#[test]
fn base_url_flag_gives_canonical_links_and_an_absolute_404() {
    let site = project_site();
    let out = gazetteer(
        site.path(),
        &[
            "build",
            "--base-url",
            "https://example.org/archive/",
            "--output-dir",
        ],
    );
    assert!(!out.status.success(), "--output-dir needs a value");
    let dest = site.path().join("site-out");
    let out = gazetteer(
        site.path(),
        &[
            "build",
            "--base-url",
            "https://example.org/archive/",
            "--output-dir",
            dest.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dest.join("zh/regions/neixiang/index.html")).unwrap();
    assert!(
        text.contains("<link rel=\"canonical\" href=\"https://example.org/archive/zh/regions/neixiang/index.html\">"),
        "canonical link"
    );
    let not_found = std::fs::read_to_string(dest.join("404.html")).unwrap();
    assert!(not_found.contains("<base href=\"https://example.org/archive/\">"));
    assert!(
        !site.path().join("public").exists(),
        "--output-dir replaces public/"
    );
}

#[test]
fn figures_stay_anchored_after_a_hand_edit_moves_the_text() {
    let site = project_site();
    let content = site.path().join("content/neixiang-2020-11-17.md");
    let text = std::fs::read_to_string(&content).unwrap();
    // A sentence added at the top shifts every recorded character offset.
    let edited = text.replacen("\n---\n\n", "\n---\n\n编者按:本文为手工补充的说明。\n\n", 1);
    assert_ne!(edited, text);
    std::fs::write(&content, edited).unwrap();
    assert!(gazetteer(site.path(), &["build"]).status.success());
    let rel = "zh/articles/neixiang-2020-11-17/index.html";
    let doc = Html::parse_document(
        &std::fs::read_to_string(site.path().join("public").join(rel)).unwrap(),
    );
    let marked: Vec<String> = doc.select(&sel("mark.fig")).map(text_of).collect();
    assert!(marked.contains(&"42991人".to_string()), "{marked:?}");
    assert!(marked.contains(&"6.9%".to_string()), "{marked:?}");
}
