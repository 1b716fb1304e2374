//! The offline search index: made at build time, loaded by plain script
//! tags (no fetch, no modules, no WebAssembly), so search works from
//! file:// as well as from any static host.
//!
//! Each language has its own index under `search/{zh,en}/`:
//! - `index.js` says how many documents and shards there are;
//! - `t{k}.js` holds a shard of the term dictionary: token → the ids of the
//!   documents that contain it (gaps between ids, base 36);
//! - `d{k}.js` holds a shard of documents: title, path, where (region or
//!   province), kind and plain text (for snippets).
//!
//! A query loads only the term shards of its tokens and the document shards
//! of its best results, so the first result comes as fast for 10,000
//! articles as for ten.
//!
//! Tokens: Chinese text has no spaces, so every run of Han characters is
//! indexed as its overlapping character bigrams (a lone character as
//! itself); a query is cut the same way and matches documents having most
//! of its bigrams, so 易地搬迁 finds 易地扶贫搬迁. Latin letters and digits
//! form words, lower-cased, matched by prefix (relocation finds
//! relocations). `themes/default/static/search.js` cuts queries with the
//! same rules: the two must change together.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::deps::Globals;
use super::pages::Index;
use crate::format::Lang;
use crate::model::Model;

/// Documents per document shard.
pub const DOCS_PER_SHARD: usize = 8;
/// Longest word indexed (longer runs are cut).
const MAX_WORD: usize = 32;

/// One searchable page.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub title: String,
    /// Folder path of the page from the site root (`zh/regions/neixiang/`).
    pub path: String,
    /// Where it belongs: an article's region, a region's province.
    pub context: String,
    pub kind: DocKind,
    /// Text searched and shown in snippets.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DocKind {
    #[serde(rename = "r")]
    Region,
    #[serde(rename = "a")]
    Article,
    #[serde(rename = "i")]
    Indicator,
    #[serde(rename = "g")]
    Term,
}

/// The script the search page loads first, from the site root.
pub fn index_script(lang: Lang) -> String {
    format!("search/{}/index.js", lang.code())
}

/// Documents per block: the term dictionary is cut by block too, so that a
/// change of one article rewrites only its block's term shards.
pub const BLOCK: usize = 1024;

/// Term shards per block: a power of two, at most 256, about four
/// documents' tokens per shard in small sites.
fn term_shards(docs: usize) -> usize {
    docs.min(BLOCK)
        .div_ceil(4)
        .next_power_of_two()
        .clamp(1, 256)
}

/// The files of a language's index, relative to the output folder, each
/// with the part of the index it holds and its fingerprint: what it is made
/// from (a term shard: the documents of its block; a document shard: its
/// documents), so that an edit rewrites only what it can change.
pub fn files(
    model: &Model,
    index: &Index,
    globals: &Globals,
    lang: Lang,
) -> Vec<(String, Part, u128)> {
    let docs = doc_count(model);
    let dir = format!("search/{}", lang.code());
    let shards = term_shards(docs);
    let doc_hashes: Vec<u128> = (0..docs)
        .into_par_iter()
        .map(|id| doc_hash(model, index, lang, id))
        .collect();
    let group = |part: &[u8], ids: std::ops::Range<usize>| {
        let mut h = Xxh3::new();
        h.update(lang.code().as_bytes());
        h.update(part);
        for g in [globals.site, globals.data] {
            h.update(&g.to_le_bytes());
        }
        h.update(&(docs as u64).to_le_bytes());
        for d in &doc_hashes[ids] {
            h.update(&d.to_le_bytes());
        }
        h.digest128()
    };
    let mut out = vec![(index_script(lang), Part::Meta, group(b"meta", 0..0))];
    for b in 0..docs.div_ceil(BLOCK) {
        let block = group(b"terms", b * BLOCK..((b + 1) * BLOCK).min(docs));
        out.extend((0..shards).map(|k| {
            let mut h = Xxh3::new();
            h.update(&block.to_le_bytes());
            h.update(&(k as u64).to_le_bytes());
            (
                format!("{dir}/t{k}-{b}.js"),
                Part::Terms(k, b),
                h.digest128(),
            )
        }));
    }
    out.extend((0..docs.div_ceil(DOCS_PER_SHARD)).map(|k| {
        let ids = k * DOCS_PER_SHARD..((k + 1) * DOCS_PER_SHARD).min(docs);
        let mut h = Xxh3::new();
        h.update(&group(b"docs", ids).to_le_bytes());
        h.update(&(k as u64).to_le_bytes());
        (format!("{dir}/d{k}.js"), Part::Docs(k), h.digest128())
    }));
    out
}

/// A file of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// index.js: counts.
    Meta,
    /// Term shard k of block b.
    Terms(usize, usize),
    /// Document shard k.
    Docs(usize),
}

/// Blocks of the index (the same for both languages).
pub fn blocks(model: &Model) -> usize {
    doc_count(model).div_ceil(BLOCK)
}

fn doc_count(model: &Model) -> usize {
    model.region_codes.len()
        + model.taxonomy.indicators.len()
        + model.glossary.terms.len()
        + model.articles.len()
}

/// What a document is: regions, indicators, glossary terms, articles, in
/// id order.
enum DocRef<'a> {
    Region(&'a str),
    Indicator(usize),
    Term(usize),
    Article(usize),
}

fn doc_ref(model: &Model, id: usize) -> DocRef<'_> {
    let mut id = id;
    let regions = model.region_codes.len();
    if id < regions {
        return DocRef::Region(&model.region_codes[id]);
    }
    id -= regions;
    if id < model.taxonomy.indicators.len() {
        return DocRef::Indicator(id);
    }
    id -= model.taxonomy.indicators.len();
    if id < model.glossary.terms.len() {
        return DocRef::Term(id);
    }
    DocRef::Article(id - model.glossary.terms.len())
}

/// Hash of what document `id` of a language is made from (data and site
/// are hashed by the caller): for an article, its text in that language.
fn doc_hash(model: &Model, index: &Index, lang: Lang, id: usize) -> u128 {
    let mut h = Xxh3::new();
    h.update(&(id as u64).to_le_bytes());
    match doc_ref(model, id) {
        DocRef::Region(code) => {
            h.update(code.as_bytes());
            for &i in index.articles_of(code) {
                h.update(model.articles[i].title(lang).as_bytes());
                h.update(b"\0");
            }
        }
        DocRef::Indicator(_) | DocRef::Term(_) => {}
        DocRef::Article(i) => {
            let a = &model.articles[i];
            h.update(a.slug.as_bytes());
            h.update(b"\0");
            h.update(a.title(lang).as_bytes());
            h.update(b"\0");
            if let Some(r) = &a.region {
                h.update(r.as_bytes());
            }
            h.update(b"\0");
            match lang {
                Lang::Zh => h.update(a.zh.body.as_bytes()),
                Lang::En => {
                    if let Some(en) = &a.en {
                        h.update(&[a.has_translation() as u8]);
                        h.update(en.body.as_bytes());
                        h.update(en.front.summary.as_deref().unwrap_or("").as_bytes());
                    }
                }
            }
        }
    }
    h.digest128()
}

/// One document of a language.
pub fn doc(model: &Model, index: &Index, lang: Lang, id: usize) -> Doc {
    let code = lang.code();
    let name = |r: &crate::data::Region| match lang {
        Lang::Zh => r.name_zh.clone(),
        Lang::En => r.name_en.clone(),
    };
    match doc_ref(model, id) {
        DocRef::Region(rc) => {
            let r = model
                .regions
                .get(rc)
                .expect("regions of the model are known");
            let province = model
                .regions
                .province_of(rc)
                .filter(|p| p.code != r.code)
                .map(name)
                .unwrap_or_default();
            // A region is found by its names in both languages and by the
            // titles of its reports.
            let mut text = format!("{} · {} · {}", name(r), r.name_zh, r.name_en);
            for &i in index.articles_of(rc) {
                text.push('\n');
                text.push_str(model.articles[i].title(lang));
            }
            Doc {
                title: name(r),
                path: format!("{code}/regions/{}/", model.regions.slug(r)),
                context: province,
                kind: DocKind::Region,
                text,
            }
        }
        DocRef::Indicator(n) => {
            let ind = &model.taxonomy.indicators[n];
            let (label, other) = match lang {
                Lang::Zh => (&ind.label_zh, &ind.label_en),
                Lang::En => (&ind.label_en, &ind.label_zh),
            };
            Doc {
                title: crate::summary::capitalize(label),
                path: format!("{code}/indicators/{}/", ind.key),
                context: String::new(),
                kind: DocKind::Indicator,
                text: format!("{label} · {other}"),
            }
        }
        DocRef::Term(n) => {
            let t = &model.glossary.terms[n];
            let mut text = format!("{} · {}", t.term, t.en);
            for alias in &t.aliases {
                text.push_str(" · ");
                text.push_str(alias);
            }
            Doc {
                title: match lang {
                    Lang::Zh => t.term.clone(),
                    Lang::En => t.en.clone(),
                },
                path: format!("{code}/glossary/#{}", t.anchor()),
                context: String::new(),
                kind: DocKind::Term,
                text,
            }
        }
        DocRef::Article(i) => {
            let a = &model.articles[i];
            let text = match (lang, &a.en) {
                (Lang::Zh, _) => plain_text(&a.zh.body),
                (Lang::En, Some(en)) if a.has_translation() => plain_text(&en.body),
                (Lang::En, Some(en)) => en.front.summary.clone().unwrap_or_default(),
                (Lang::En, None) => String::new(),
            };
            Doc {
                title: a.title(lang).to_string(),
                path: format!("{code}/articles/{}/", a.slug),
                context: a
                    .region
                    .as_deref()
                    .and_then(|c| model.regions.get(c))
                    .map(name)
                    .unwrap_or_default(),
                kind: DocKind::Article,
                text,
            }
        }
    }
}

/// The text of a Markdown body, paragraphs on their own lines, without
/// markup (escapes resolved, links reduced to their text).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push('\n'),
            Event::Start(Tag::Item) => {}
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// A character as the tokenizer sees it: ASCII letters lower-cased and
/// full-width forms (Ａ１，) turned into their ASCII counterparts.
fn normalize(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// The tokens of a text, in order, with repeats.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |t| {
        out.push(match t {
            Token::Han(a, '\0') => a.to_string(),
            Token::Han(a, b) => [a, b].iter().collect(),
            Token::Word(w) => w.to_string(),
        })
    });
    out
}

/// The term shard of a token: from its first two characters, so that all
/// words sharing a two-letter prefix are in one shard.
pub fn shard_of(token: &str, shards: usize) -> usize {
    let mut chars = token.chars();
    let c1 = chars.next().map_or(0, |c| c as u64);
    let c2 = chars.next().map_or(0, |c| c as u64);
    ((c1 * 31 + c2) % shards as u64) as usize
}

/// Gaps between sorted ids, base 36, comma-separated.
fn encode_postings(ids: &[u32]) -> String {
    let mut out = String::with_capacity(ids.len() * 2);
    let mut last = 0u32;
    for (n, &id) in ids.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let mut gap = id - last;
        last = id;
        let mut digits = [0u8; 8];
        let mut len = 0;
        loop {
            digits[len] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(gap % 36) as usize];
            len += 1;
            gap /= 36;
            if gap == 0 {
                break;
            }
        }
        out.extend(digits[..len].iter().rev().map(|&b| b as char));
    }
    out
}

/// The bytes of one file of the index.
pub fn render(model: &Model, index: &Index, lang: Lang, part: Part) -> Vec<u8> {
    let docs = doc_count(model);
    match part {
        Part::Meta => {
            let meta = serde_json::json!({
                "lang": lang.code(),
                "docs": docs,
                "docsPerShard": DOCS_PER_SHARD,
                "block": BLOCK,
                "termShards": term_shards(docs),
            });
            format!("gazetteerSearch.init({meta});\n").into_bytes()
        }
        // The renderer makes a block's shards once for all its files; this
        // is for a caller that wants just one.
        Part::Terms(k, b) => term_shard(k, b, &block_terms(model, index, lang, b)),
        Part::Docs(k) => {
            let rows: Vec<Doc> = (k * DOCS_PER_SHARD..((k + 1) * DOCS_PER_SHARD).min(docs))
                .map(|id| doc(model, index, lang, id))
                .collect();
            doc_shard(k, &rows)
        }
    }
}

/// The bytes of term shard `k` of block `b`, from the block's shards.
pub fn term_shard(k: usize, b: usize, shards: &[String]) -> Vec<u8> {
    format!("gazetteerSearch.terms({k},{b},{});\n", shards[k]).into_bytes()
}

fn doc_shard(k: usize, rows: &[Doc]) -> Vec<u8> {
    let rows: Vec<(&str, &str, &str, DocKind, &str)> = rows
        .iter()
        .map(|d| {
            (
                d.title.as_str(),
                d.path.as_str(),
                d.context.as_str(),
                d.kind,
                d.text.as_str(),
            )
        })
        .collect();
    let json = serde_json::to_string(&rows).expect("strings serialize");
    format!("gazetteerSearch.docs({k},{json});\n").into_bytes()
}

/// The term shards of block `b` as JSON objects (token → postings), one
/// per shard. Sequential: it runs inside the parallel page loop.
pub fn block_terms(model: &Model, index: &Index, lang: Lang, b: usize) -> Vec<String> {
    let docs = doc_count(model);
    let range = b * BLOCK..((b + 1) * BLOCK).min(docs);
    // One document at a time: a block's texts are never all in memory.
    terms_of(
        range.clone().map(|id| doc(model, index, lang, id)),
        range.start,
        term_shards(docs),
    )
}

fn terms_of(docs: impl IntoIterator<Item = Doc>, first_id: usize, shards: usize) -> Vec<String> {
    // Han tokens are kept as their two code points (no string per
    // occurrence); words as strings. A document's id is added to a token
    // once: ids only grow, so a repeat is the last id of the list.
    let mut han: FxHashMap<(char, char), Vec<u32>> = FxHashMap::default();
    let mut words: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    for (n, d) in docs.into_iter().enumerate() {
        let id = (first_id + n) as u32;
        for text in [d.title.as_str(), d.text.as_str()] {
            each_token(text, |t| {
                let list = match t {
                    Token::Han(a, b) => han.entry((a, b)).or_default(),
                    Token::Word(w) => match words.get_mut(w) {
                        Some(list) => list,
                        None => words.entry(w.to_string()).or_default(),
                    },
                };
                if list.last() != Some(&id) {
                    list.push(id);
                }
            });
        }
    }
    let mut per_shard: Vec<Vec<(String, &[u32])>> = vec![Vec::new(); shards];
    for ((a, b), ids) in &han {
        let token: String = if *b == '\0' {
            a.to_string()
        } else {
            [*a, *b].iter().collect()
        };
        per_shard[shard_of(&token, shards)].push((token, ids));
    }
    for (w, ids) in &words {
        per_shard[shard_of(w, shards)].push((w.clone(), ids));
    }
    per_shard
        .into_iter()
        .map(|mut list| {
            list.sort_unstable_by(|x, y| x.0.cmp(&y.0));
            let encoded: BTreeMap<&str, String> = list
                .iter()
                .map(|(t, ids)| (t.as_str(), encode_postings(ids)))
                .collect();
            serde_json::to_string(&encoded).expect("strings serialize")
        })
        .collect()
}

/// A token as [`each_token`] gives it: a Han bigram (or a lone character,
/// with `\0` second), or a word.
enum Token<'a> {
    Han(char, char),
    Word(&'a str),
}

/// Calls `f` with each token of a text, in order: the same tokens as
/// [`tokens`], without making a string of each.
fn each_token(text: &str, mut f: impl FnMut(Token)) {
    let mut prev: Option<char> = None;
    let mut run = 0usize;
    let mut word = String::new();
    let end_han = |prev: &mut Option<char>, run: &mut usize, f: &mut dyn FnMut(Token)| {
        if *run == 1 {
            f(Token::Han(prev.expect("a run has a character"), '\0'));
        }
        *prev = None;
        *run = 0;
    };
    for c in text.chars().map(normalize) {
        if is_han(c) {
            if !word.is_empty() {
                f(Token::Word(&word));
                word.clear();
            }
            if let Some(p) = prev {
                f(Token::Han(p, c));
            }
            prev = Some(c);
            run += 1;
        } else {
            end_han(&mut prev, &mut run, &mut f);
            if c.is_ascii_alphanumeric() {
                if word.len() < MAX_WORD {
                    word.push(c);
                }
            } else if !word.is_empty() {
                f(Token::Word(&word));
                word.clear();
            }
        }
    }
    end_han(&mut prev, &mut run, &mut f);
    if !word.is_empty() {
        f(Token::Word(&word));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_cut_into_bigrams_and_latin_into_words() {
        assert_eq!(
            tokens("推进易地扶贫搬迁，Relocation 2020年"),
            vec![
                "推进",
                "进易",
                "易地",
                "地扶",
                "扶贫",
                "贫搬",
                "搬迁",
                "relocation",
                "2020",
                "年"
            ]
        );
        // Full-width letters and digits are their ASCII selves.
        assert_eq!(tokens("ＰＰＰ模式"), vec!["ppp", "模式"]);
        // A query written differently still shares most bigrams.
        let doc = tokens("易地扶贫搬迁");
        let query = tokens("易地搬迁");
        let shared = query.iter().filter(|q| doc.contains(q)).count();
        assert_eq!((shared, query.len()), (2, 3));
    }

    #[test]
    fn postings_are_gaps_in_base_36() {
        assert_eq!(encode_postings(&[0, 1, 2, 40, 1336]), "0,1,1,12,100");
    }

    #[test]
    fn words_with_a_common_prefix_share_a_shard() {
        for shards in [1, 4, 1024] {
            assert_eq!(
                shard_of("relocation", shards),
                shard_of("relocations", shards)
            );
            assert!(shard_of("易地", shards) < shards);
        }
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("## 标题\n\n一段**文字**,[链接](http://x),\\*号。\n"),
            "标题\n一段文字,链接,*号。"
        );
    }

    #[test]
    fn every_token_of_a_document_points_back_to_it() {
        let docs = vec![
            Doc {
                title: "内乡县".into(),
                path: "zh/regions/neixiang/".into(),
                context: "河南省".into(),
                kind: DocKind::Region,
                text: "内乡县 · Neixiang County".into(),
            },
            Doc {
                title: "光伏扶贫".into(),
                path: "zh/articles/a/".into(),
                context: "内乡县".into(),
                kind: DocKind::Article,
                text: "建成光伏电站".into(),
            },
        ];
        let shards = term_shards(2);
        let terms = terms_of(docs.clone(), 0, shards);
        assert_eq!(terms.len(), shards);
        let shard = |t: &str| terms[shard_of(t, shards)].clone();
        assert!(
            shard("光伏").contains("\"光伏\":\"1\""),
            "{}",
            shard("光伏")
        );
        assert!(
            shard("内乡").contains("\"内乡\":\"0\""),
            "{}",
            shard("内乡")
        );
        assert!(shard("neixiang").contains("\"neixiang\":\"0\""));
        // Ids of a later block are absolute.
        let later = terms_of(docs.clone(), 2048, shards);
        assert!(later[shard_of("光伏", shards)].contains("\"光伏\":\"1kx\""));
        let d0 = String::from_utf8(doc_shard(0, &docs)).unwrap();
        assert!(d0.starts_with(
            "gazetteerSearch.docs(0,[[\"内乡县\",\"zh/regions/neixiang/\",\"河南省\",\"r\","
        ));
    }
}
