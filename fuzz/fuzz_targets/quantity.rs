//! The number parser on arbitrary text: `scan` finds quantities with spans
//! inside the text; `parse_number` and `parse_quantity` read a whole string.
#![no_main]

use gazetteer::extract::quantity::{parse_number, parse_quantity, scan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let len = text.chars().count();
    let qs = scan(text);
    for (i, q) in qs.iter().enumerate() {
        assert!(q.start <= q.end && q.end <= len, "{q:?} in {len} chars");
        if let Some(first) = q.compound {
            assert!(first <= i, "{q:?} at {i}");
        }
    }
    let _ = parse_number(text);
    if let Some(q) = parse_quantity(text) {
        assert_eq!((q.start, q.end), (0, text.trim().chars().count()), "{q:?}");
    }
});
