//! Content files as people edit them: any text either parses or gives an
//! error (never a panic), and what parses writes back to a file that parses
//! to the same thing.
#![no_main]

use std::path::Path;

use gazetteer::content::ContentFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let path = Path::new("content/fuzz.md");
    if let Ok(file) = ContentFile::parse(path, text) {
        let written = file.to_text();
        let again = ContentFile::parse(path, &written)
            .unwrap_or_else(|e| panic!("{e}\n--- written:\n{written}"));
        assert_eq!(again.to_text(), written);
    }
});
