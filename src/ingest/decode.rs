//! Decoding raw seed bytes to text: byte-order marks, a charset declared by
//! an HTML page, and a statistical detector for everything else.

use encoding_rs::{Encoding, UTF_8};

/// Text decoded from a seed, with the encoding that was used.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// True when some bytes were not valid in that encoding and were replaced.
    pub had_errors: bool,
}

/// Decodes seed bytes. Order of evidence: a BOM, a `<meta charset>` or
/// `content="text/html; charset=..."` declaration in the first 4 KiB, valid
/// UTF-8, then the chardetng detector (tuned for Chinese top-level domain).
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return run(enc, &bytes[bom_len..]);
    }
    if let Some(enc) = declared_charset(bytes) {
        return run(enc, bytes);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return run(UTF_8, bytes);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let enc = detector.guess(None, chardetng::Utf8Detection::Allow);
    run(enc, bytes)
}

fn run(enc: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        had_errors,
    }
}

/// Finds a charset declared in an HTML head (`<meta charset="gbk">` or the
/// http-equiv form). Only the first 4 KiB are looked at, as browsers do for
/// the prescan. UTF-16 declarations are ignored (they cannot be true for a
/// file that is readable as ASCII).
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut i = from + pos + b"charset".len();
        while i < lower.len() && matches!(lower[i], b' ' | b'\t') {
            i += 1;
        }
        if i < lower.len() && lower[i] == b'=' {
            i += 1;
            while i < lower.len() && matches!(lower[i], b' ' | b'"' | b'\'') {
                i += 1;
            }
            let start = i;
            while i < lower.len()
                && (lower[i].is_ascii_alphanumeric() || matches!(lower[i], b'-' | b'_'))
            {
                i += 1;
            }
            if let Some(enc) = Encoding::for_label(&lower[start..i])
                && enc != encoding_rs::UTF_16LE
                && enc != encoding_rs::UTF_16BE
            {
                return Some(enc);
            }
        }
        from += pos + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("内乡县".as_bytes()).text, "内乡县");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("内乡县".as_bytes());
        let d = decode(&b);
        assert_eq!(d.text, "内乡县");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "脱贫攻坚".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&b).text, "脱贫攻坚");
    }

    #[test]
    fn gbk_detected_without_declaration() {
        let text = "内乡县97个贫困村15316户42991人全部脱贫,综合贫困发生率由6.9%降至0.31%。";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&bytes);
        assert_eq!(d.text, text);
        assert!(
            d.encoding == "GBK" || d.encoding == "gb18030",
            "{}",
            d.encoding
        );
    }

    #[test]
    fn big5_detected() {
        let text = "丹鳳縣累計脫貧23152戶81644人,貧困發生率降至1%,歷史性地實現了貧困縣摘帽。";
        let (bytes, _, _) = encoding_rs::BIG5.encode(text);
        assert_eq!(decode(&bytes).text, text);
    }

    #[test]
    fn declared_charset_wins() {
        let html = "<html><head><meta charset=\"gb2312\"><title>方城县</title></head></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let d = decode(&bytes);
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains("方城县"));
    }
}
