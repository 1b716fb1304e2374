//! The dependency graph from inputs to pages, as fingerprints.
//!
//! Each page's fingerprint hashes exactly the inputs it is made from: the
//! site settings, the data files, the UI strings, the templates it uses
//! (its template with everything it extends and includes), and the content
//! of the articles it shows. A page whose fingerprint is unchanged since the
//! last build is not rendered again.
//!
//! | page | articles it depends on |
//! |---|---|
//! | article | the article (both files, body included) |
//! | region, province | what they show of the region's articles |
//! | indicator | what it shows of the articles reporting the indicator |
//! | article list page n | the articles on the page, and the number of pages |
//! | landing, home, indices | what they show of all articles |
//! | glossary | the same, and the terms each article uses |
//!
//! "What they show" is an article's summary hash: titles, date, source,
//! region and figures, not its body, so that editing a paragraph re-renders
//! the article's own pages and, if its glossary terms change, the glossary.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use xxhash_rust::xxh3::Xxh3;

use super::pages::{ARTICLES_PER_PAGE, Index, PageKind, PageSpec};
use crate::model::{Model, hash_bytes};

/// The inputs every page shares, hashed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Globals {
    /// site.toml settings that reach pages.
    pub site: u128,
    /// data/ files.
    pub data: u128,
    /// i18n/{zh,en}.toml.
    pub strings: u128,
    /// Template name → hash of the template and all it extends or includes.
    pub templates: BTreeMap<String, u128>,
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\{%-?\s*(?:extends|include)\s+["']([^"']+)["']"#).expect("reference pattern")
});

/// Hashes each template together with the templates it extends or
/// includes, transitively. Templates that define components are part of
/// every template's closure (components are global in Tera).
pub fn template_hashes(sources: &BTreeMap<String, String>) -> BTreeMap<String, u128> {
    let refs: BTreeMap<&str, Vec<String>> = sources
        .iter()
        .map(|(name, text)| {
            (
                name.as_str(),
                REFERENCE
                    .captures_iter(text)
                    .map(|c| c[1].to_string())
                    .collect(),
            )
        })
        .collect();
    let components: Vec<&str> = sources
        .iter()
        .filter(|(_, t)| t.contains("{% component"))
        .map(|(n, _)| n.as_str())
        .collect();
    sources
        .keys()
        .map(|name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut stack: Vec<&str> = vec![name.as_str()];
            stack.extend(components.iter().copied());
            while let Some(n) = stack.pop() {
                if seen.insert(n) {
                    stack.extend(refs.get(n).into_iter().flatten().map(String::as_str));
                }
            }
            let mut h = Xxh3::new();
            for n in &seen {
                h.update(n.as_bytes());
                h.update(
                    &hash_bytes(sources.get(*n).map(String::as_bytes).unwrap_or_default())
                        .to_le_bytes(),
                );
            }
            (name.clone(), h.digest128())
        })
        .collect()
}

/// The fingerprint of a page: changes exactly when something it shows may.
pub fn fingerprint(spec: &PageSpec, model: &Model, index: &Index, globals: &Globals) -> u128 {
    let mut h = Xxh3::new();
    h.update(spec.lang.code().as_bytes());
    h.update(spec.output(model).as_bytes());
    for part in [globals.site, globals.data, globals.strings] {
        h.update(&part.to_le_bytes());
    }
    h.update(
        &globals
            .templates
            .get(spec.template())
            .copied()
            .unwrap_or(0)
            .to_le_bytes(),
    );
    // What other pages show of an article: not its body.
    let article = |h: &mut Xxh3, i: usize| {
        h.update(model.articles[i].slug.as_bytes());
        h.update(&index.summary(i).to_le_bytes());
    };
    match &spec.kind {
        PageKind::NotFound | PageKind::Search | PageKind::Robots => {}
        PageKind::Landing
        | PageKind::Home
        | PageKind::Regions
        | PageKind::Indicators
        | PageKind::Sitemap
        | PageKind::Feed => {
            h.update(&index.all_hash.to_le_bytes());
        }
        PageKind::Glossary => h.update(&index.glossary_hash.to_le_bytes()),
        PageKind::Articles(n) => {
            let pages = model.articles.len().div_ceil(ARTICLES_PER_PAGE).max(1);
            h.update(&(pages as u64).to_le_bytes());
            let start = (n - 1) * ARTICLES_PER_PAGE;
            for i in start..(start + ARTICLES_PER_PAGE).min(model.articles.len()) {
                article(&mut h, i);
            }
        }
        PageKind::Article(i) => {
            // Its own page shows everything, the body included.
            let a = &model.articles[*i];
            h.update(a.slug.as_bytes());
            h.update(&a.hash.to_le_bytes());
            h.update(&index.summary(*i).to_le_bytes());
        }
        PageKind::Region(code) => {
            for &i in index.articles_of(code) {
                article(&mut h, i);
            }
        }
        PageKind::Province(code) => {
            for region in model.provinces.get(code).into_iter().flatten() {
                h.update(region.as_bytes());
                for &i in index.articles_of(region) {
                    article(&mut h, i);
                }
            }
        }
        PageKind::Indicator(key) => {
            let mut last = usize::MAX;
            for &(i, _) in index.by_indicator.get(key).into_iter().flatten() {
                if i != last {
                    article(&mut h, i);
                    last = i;
                }
            }
        }
    }
    h.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_hash_follows_extends_and_includes() {
        let mut t: BTreeMap<String, String> = BTreeMap::new();
        t.insert(
            "base.html".into(),
            "<html>{% block content %}{% endblock content %}</html>".into(),
        );
        t.insert("list.html".into(), "<ul></ul>".into());
        t.insert(
            "region.html".into(),
            "{% extends \"base.html\" %}{% include 'list.html' %}".into(),
        );
        t.insert("article.html".into(), "{% extends \"base.html\" %}".into());
        let before = template_hashes(&t);
        t.insert("list.html".into(), "<ol></ol>".into());
        let after = template_hashes(&t);
        assert_ne!(
            before["region.html"], after["region.html"],
            "includes count"
        );
        assert_eq!(
            before["article.html"], after["article.html"],
            "unrelated templates do not"
        );
        t.insert("base.html".into(), "<html lang=zh></html>".into());
        let again = template_hashes(&t);
        assert_ne!(
            after["article.html"], again["article.html"],
            "extends counts"
        );
    }
}
