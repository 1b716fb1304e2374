//! Saved HTML pages to text, then through the cleaner as ingest does.
#![no_main]

use gazetteer::ingest::clean::clean_text;
use gazetteer::ingest::html::{looks_like_html, to_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    let _ = looks_like_html(html);
    let text = to_text(html);
    let _ = clean_text(&text);
});
