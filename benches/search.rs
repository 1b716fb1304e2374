//! Search benchmark: the size of each language's search index and the time
//! from opening the search page with a query to the first results shown,
//! measured inside headless Chromium from file://.
//!
//!     cargo bench --bench search -- public /dev/shm/c10k/public
//!
//! Each argument is a built archive (default: ./public). The time is what
//! search.js records on `#search[data-ms]`: from starting the query (after
//! the page and the index's first file loaded) to the results being in the
//! page, including loading the term and document shards they need. Each
//! query runs 5 times in a fresh tab; the first run is cold (nothing of the
//! index loaded yet in that browser), the median is over all five.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use headless_chrome::{Browser, LaunchOptions};

const QUERIES: &[(&str, &str)] = &[
    ("zh", "易地扶贫搬迁"),
    ("zh", "易地搬迁"),
    ("zh", "内乡"),
    ("zh", "贫困发生率"),
    ("zh", "光伏"),
    ("en", "relocation"),
    ("en", "Neixiang"),
    ("en", "poverty rate"),
];
const RUNS: usize = 5;

fn main() {
    let mut archives: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if archives.is_empty() {
        archives.push(PathBuf::from("public"));
    }
    let chrome = std::env::var_os("CHROME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let profile = tempfile::tempdir().expect("a temporary profile");
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(chrome))
            .sandbox(false)
            .user_data_dir(Some(profile.path().to_path_buf()))
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .expect("launch options"),
    )
    .expect("Chromium starts");
    println!("| archive | index (zh / en) | query | first run | median of {RUNS} |");
    println!("|---|---|---|---|---|");
    for archive in &archives {
        let archive = archive.canonicalize().expect("the archive exists");
        let size = |lang: &str| index_size(&archive.join("search").join(lang));
        let (zh, en) = (size("zh"), size("en"));
        for (lang, query) in QUERIES {
            let mut times = Vec::new();
            for _ in 0..RUNS {
                times.push(first_result_ms(&browser, &archive, lang, query));
            }
            let first = times[0];
            times.sort_by(f64::total_cmp);
            println!(
                "| {} | {} files, {:.1} MB / {} files, {:.1} MB | {query} | {first:.0} ms | {:.0} ms |",
                archive.display(),
                zh.0,
                zh.1 as f64 / 1e6,
                en.0,
                en.1 as f64 / 1e6,
                times[RUNS / 2]
            );
        }
    }
}

/// Files and bytes of a language's index.
fn index_size(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for entry in std::fs::read_dir(dir).expect("the archive has a search index") {
        let meta = entry.expect("readable").metadata().expect("metadata");
        files += 1;
        bytes += meta.len();
    }
    (files, bytes)
}

fn first_result_ms(browser: &Browser, archive: &Path, lang: &str, query: &str) -> f64 {
    let tab = browser.new_tab().expect("a tab");
    let url = format!(
        "file://{}/{lang}/search/index.html?q={}",
        archive.display(),
        percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC)
    );
    let started = Instant::now();
    tab.navigate_to(&url).expect("navigates");
    loop {
        let ms = tab
            .evaluate("document.getElementById('search').dataset.ms || ''", false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().and_then(|s| s.parse::<f64>().ok()));
        if let Some(ms) = ms {
            let _ = tab.close(false);
            return ms;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no results for {query} in {}",
            archive.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
