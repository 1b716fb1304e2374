//! Which way of cutting Chinese text finds the right seed articles: the
//! character bigrams the search index uses, or jieba's word segmentation.
//!
//! Each query has the phrases that make an article relevant to it (the
//! query itself and the ways the seeds write the same thing: 易地搬迁 is
//! written 易地扶贫搬迁). An article is relevant when its text has one of
//! them. Both methods then match a query the way search.js does: an
//! article matches when it has the query's tokens (all of them for one or
//! two tokens, 60% for more). Run with `--nocapture` to see the table.

use std::collections::BTreeSet;
use std::path::Path;

use gazetteer::content::ContentFile;
use gazetteer::render::search::{plain_text, tokens};

const QUERIES: &[(&str, &[&str])] = &[
    ("易地搬迁", &["易地扶贫搬迁", "易地搬迁"]),
    ("内乡", &["内乡"]),
    ("贫困发生率", &["贫困发生率"]),
    ("光伏", &["光伏"]),
    ("产业扶贫", &["产业扶贫"]),
    ("危房改造", &["危房改造"]),
    ("建档立卡", &["建档立卡"]),
    ("两不愁三保障", &["两不愁三保障", "两不愁、三保障"]),
    ("村集体经济", &["村集体经济"]),
    ("扶贫车间", &["扶贫车间", "扶贫就业车间"]),
    ("健康扶贫", &["健康扶贫"]),
    ("教育扶贫", &["教育扶贫"]),
    ("脱贫摘帽", &["脱贫摘帽"]),
    ("小额信贷", &["小额信贷"]),
    ("电商扶贫", &["电商扶贫"]),
    ("饮水安全", &["饮水安全", "安全饮水"]),
    ("人均纯收入", &["人均纯收入"]),
    ("贫困村出列", &["贫困村出列"]),
    ("驻村工作队", &["驻村工作队"]),
    ("集中安置", &["集中安置"]),
    ("方城县", &["方城县"]),
    ("郎溪", &["郎溪"]),
    ("金融扶贫", &["金融扶贫"]),
    ("社会保障兜底", &["社会保障兜底", "兜底保障"]),
];

fn articles() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") && !name.ends_with(".en.md") {
            let file = ContentFile::read(&path).unwrap();
            let text = format!("{}\n{}", file.front.title, plain_text(&file.body));
            out.push((name, text));
        }
    }
    out.sort();
    out
}

fn needed(n: usize) -> usize {
    if n <= 2 { n } else { (n * 6).div_ceil(10) }
}

/// Articles a method matches for a query, given the query's tokens and
/// each article's token set.
fn matches(query: &[String], docs: &[BTreeSet<String>]) -> BTreeSet<usize> {
    let query: BTreeSet<&String> = query.iter().collect();
    let need = needed(query.len());
    (0..docs.len())
        .filter(|&d| query.iter().filter(|t| docs[d].contains(**t)).count() >= need && need > 0)
        .collect()
}

struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

#[test]
fn bigrams_find_the_seed_articles_at_least_as_well_as_jieba() {
    let docs = articles();
    assert!(docs.len() >= 5, "the seed articles are in content/");
    let jieba = jieba_rs::Jieba::new();
    let bigram_docs: Vec<BTreeSet<String>> = docs
        .iter()
        .map(|(_, t)| {
            tokens(t)
                .into_iter()
                .filter(|t| t.chars().count() >= 2)
                .collect()
        })
        .collect();
    let jieba_words = |text: &str| -> Vec<String> {
        jieba
            .cut_for_search(text, true)
            .into_iter()
            .map(|t| t.word.trim().to_string())
            .filter(|w| !w.is_empty() && w.chars().any(char::is_alphanumeric))
            .collect()
    };
    let jieba_docs: Vec<BTreeSet<String>> = docs
        .iter()
        .map(|(_, t)| jieba_words(t).into_iter().collect())
        .collect();
    let mut bigram = Score {
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    let mut words = Score {
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    println!("| query | relevant | bigrams found | jieba found |");
    println!("|---|---|---|---|");
    for (query, phrases) in QUERIES {
        let relevant: BTreeSet<usize> = (0..docs.len())
            .filter(|&d| phrases.iter().any(|p| docs[d].1.contains(p)))
            .collect();
        let q_bigrams: Vec<String> = tokens(query)
            .into_iter()
            .filter(|t| t.chars().count() >= 2)
            .collect();
        let by_bigrams = matches(&q_bigrams, &bigram_docs);
        let by_jieba = matches(&jieba_words(query), &jieba_docs);
        for (found, score) in [(&by_bigrams, &mut bigram), (&by_jieba, &mut words)] {
            score.tp += found.intersection(&relevant).count();
            score.fp += found.difference(&relevant).count();
            score.fn_ += relevant.difference(found).count();
        }
        println!(
            "| {query} | {} | {} | {} |",
            relevant.len(),
            by_bigrams.len(),
            by_jieba.len()
        );
    }
    println!(
        "bigrams: P {:.3} R {:.3} ({} tp, {} fp, {} fn); jieba: P {:.3} R {:.3} ({} tp, {} fp, {} fn)",
        bigram.precision(),
        bigram.recall(),
        bigram.tp,
        bigram.fp,
        bigram.fn_,
        words.precision(),
        words.recall(),
        words.tp,
        words.fp,
        words.fn_
    );
    // Why the index uses bigrams: they miss nothing relevant, and they
    // find no more irrelevant articles than jieba's words. (Partial
    // matches, the false positives of both, rank below full ones.)
    assert_eq!(bigram.fn_, 0, "bigrams missed a relevant article");
    assert!(bigram.recall() >= words.recall());
    assert!(bigram.precision() >= words.precision());
}
