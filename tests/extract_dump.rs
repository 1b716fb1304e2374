#[test]
#[ignore]
fn dump_decisions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tax = gazetteer::data::Taxonomy::load(&root.join("data/indicators.yaml")).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(root.join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let all = std::env::var("ALL").is_ok();
    for p in entries {
        let a = gazetteer::ingest::clean_seed_file(&p).unwrap();
        let body = a.body_markdown();
        println!("=== {}", p.display());
        for d in gazetteer::extract::explain(&body, &tax) {
            match &d.figure {
                Some(f) => println!(
                    "  + {} {} = {} {} y={:?} q={:?} [{}] «{}»",
                    d.text, f.key, f.value, f.unit, f.year, f.qualifier, d.reason, f.quote
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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tax = gazetteer::data::Taxonomy::load(&root.join("data/indicators.yaml")).unwrap();
    let text = std::env::var("TEXT").unwrap();
    for d in gazetteer::extract::explain(&text, &tax) {
        println!(
            "{} -> {:?} [{}]",
            d.text,
            d.figure
                .as_ref()
                .map(|f| (&f.key, f.value, &f.year, &f.qualifier)),
            d.reason
        );
    }
}

#[test]
#[ignore]
fn time_extraction() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tax = gazetteer::data::Taxonomy::load(&root.join("data/indicators.yaml")).unwrap();
    let a = gazetteer::ingest::clean_seed_file(&root.join("seeds/000_fae75b793b086aa3.txt")).unwrap();
    let body = a.body_markdown();
    let t = std::time::Instant::now();
    let n = 200;
    for _ in 0..n {
        std::hint::black_box(gazetteer::extract::extract_figures(&body, &tax));
    }
    println!("{:?} per article of {} chars", t.elapsed() / n, body.chars().count());
}
