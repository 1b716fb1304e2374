//! Scores the figure extractor against the hand-labelled gold figures of the
//! seed articles (`../shared/gold/gold_seeds.json`).

use std::path::Path;

use gazetteer::data::Taxonomy;
use gazetteer::extract::evaluate;

#[test]
fn extractor_meets_the_quality_bar_on_the_gold_seeds() {
    let gold = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/gold/gold_seeds.json"
    ));
    if !gold.exists() {
        println!("skipped: no gold file at {}", gold.display());
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let taxonomy = Taxonomy::load(&root.join("data/indicators.yaml")).unwrap();
    let report = evaluate(gold, &root.join("seeds"), &taxonomy).unwrap();
    println!("{report}");
    assert!(
        report.precision >= 0.95,
        "precision {:.3} < 0.95\n{report}",
        report.precision
    );
    assert!(
        report.recall >= 0.90,
        "recall {:.3} < 0.90\n{report}",
        report.recall
    );
}
