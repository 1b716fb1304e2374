#[test]
#[ignore]
fn dump_bodies() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        let a = gazetteer::ingest::clean_seed_file(&p).unwrap();
        println!("=== {} | {} | {:?}", p.display(), a.title, a.date);
        for b in &a.blocks { println!("{:?}\n", b); }
    }
}
