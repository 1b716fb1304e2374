//! Developer helpers for tuning `data/indicators.yaml` (ignored by default):
//!
//! ```text
//! cargo test --test extract_dump dump_decisions -- --ignored --nocapture        # figures of the seeds
//! ALL=1 cargo test --test extract_dump dump_decisions -- --ignored --nocapture  # and every rejected number
//! TEXT='全县累计脱贫5000人。' cargo test --test extract_dump explain_text -- --ignored --nocapture
//! ```

use std::path::Path;

use gazetteer::data::Taxonomy;
use gazetteer::extract::explain;

fn taxonomy() -> Taxonomy {
    Taxonomy::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/indicators.yaml")).unwrap()
}

#[test]
#[ignore]
fn dump_decisions() {
    let tax = taxonomy();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut entries: Vec<_> = std::fs::read_dir(root.join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let all = std::env::var("ALL").is_ok();
    for p in entries {
        let Ok(article) = gazetteer::ingest::clean_seed_file(&p) else {
            continue;
        };
        println!("=== {}", p.display());
        for d in explain(&article.body_markdown(), &tax) {
            match &d.figure {
                Some(f) => println!(
                    "  + {} {} = {} {} year={:?} qualifier={:?}{}{} [{}] «{}»",
                    d.text,
                    f.key,
                    f.value,
                    f.unit,
                    f.year,
                    f.qualifier,
                    if f.target { " TARGET" } else { "" },
                    f.doubt
                        .as_ref()
                        .map(|w| format!(" DOUBT({w})"))
                        .unwrap_or_default(),
                    d.reason,
                    f.quote
                ),
                None if all => println!("  - {} ({})", d.text, d.reason),
                None => {}
            }
        }
    }
}

#[test]
#[ignore]
fn explain_text() {
    let text = std::env::var("TEXT").unwrap_or_default();
    for d in explain(&text, &taxonomy()) {
        let fig = d
            .figure
            .as_ref()
            .map(|f| (&f.key, f.value, &f.year, &f.qualifier, f.target, &f.doubt));
        println!("{} -> {:?} [{}]", d.text, fig, d.reason);
    }
}
