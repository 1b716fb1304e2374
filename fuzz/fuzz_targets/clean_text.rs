//! The page cleaner on arbitrary text, and the Markdown escaping of what it
//! keeps: every paragraph escapes and unescapes back to itself.
#![no_main]

use gazetteer::ingest::clean::{Block, clean_text, escape_markdown, unescape_markdown};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let article = clean_text(text);
    let _ = article.body_markdown();
    for block in &article.blocks {
        let (Block::Heading(_, t) | Block::Paragraph(t)) = block;
        assert_eq!(&unescape_markdown(&escape_markdown(t)), t);
    }
});
