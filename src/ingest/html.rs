//! Saved HTML pages to text: what a reader sees of the page, one line per
//! block (paragraph, heading, list item, table row), the way a browser's
//! "copy all text" gives it. The text then goes through the same cleaning
//! as a text seed (chrome lines, title, date, source), so HTML and text
//! seeds of the same article give the same content.
//!
//! Parsing is html5ever's (through `scraper`): broken and truncated markup
//! is repaired the way browsers repair it. Scripts, styles, forms and
//! embedded objects give no text.

use ego_tree::NodeRef;
use scraper::{Html, Node};

/// Whether decoded seed text is an HTML page rather than plain text.
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml") && head.contains("<html")
        || (head.starts_with('<') && (head.contains("<body") || head.contains("<head")))
}

/// Elements whose content is never text a reader sees.
const SKIPPED: [&str; 12] = [
    "script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "embed",
    "select", "button",
];

/// Elements that start a new line.
const BLOCKS: [&str; 30] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "form",
    "address",
    "hr",
];

/// The visible text of a page: the `<title>` on the first line (the
/// cleaner takes the title from the body when the page repeats it), then
/// one line per block.
pub fn to_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::with_capacity(html.len() / 2);
    let title = doc
        .select(&scraper::Selector::parse("title").expect("a valid selector"))
        .next()
        .map(|t| t.text().collect::<String>())
        .unwrap_or_default();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut body = String::new();
    walk(doc.tree.root(), &mut body);
    let body = tidy(&body);
    // A page title usually repeats the headline with the site's name
    // ("标题_某某网"); it is kept only when the body has no headline of its own.
    if !title.is_empty() && !body.contains(title.as_str()) {
        let short = title
            .split(['_', '|', '-', '—'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if !short.is_empty() && !body.contains(short.as_str()) {
            out.push_str(&short);
            out.push('\n');
        }
    }
    out.push_str(&body);
    out
}

fn walk(node: NodeRef<Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                if name == "br" {
                    out.push('\n');
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.push('\n');
                }
                if name == "td" || name == "th" {
                    out.push(' ');
                }
                walk(child, out);
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// Collapses runs of spaces inside lines and drops empty lines, keeping a
/// blank line between blocks the way text seeds have them.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line
            .split(|c: char| c.is_whitespace() && c != '\u{3000}')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let line = line.trim_matches(|c: char| c.is_whitespace());
        if !line.is_empty() {
            out.push_str(line);
            out.push_str("\n\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_pages() {
        assert!(looks_like_html(
            "<!DOCTYPE html><html><body>x</body></html>"
        ));
        assert!(looks_like_html("\u{feff}  <html lang=zh>"));
        assert!(looks_like_html("<meta charset=gbk><head></head><body>"));
        assert!(!looks_like_html("内乡县位于南阳盆地西缘 <b>不是</b>"));
    }

    #[test]
    fn keeps_what_a_reader_sees_a_line_per_block() {
        let text = to_text(
            "<html><head><title>内乡脱贫_某某网</title><style>p{}</style></head><body>\
             <nav><a href=/>首页</a></nav><h1>党报重磅析解内乡脱贫攻坚</h1>\
             <p>内乡县<b>97个</b>贫困村<br>全部脱贫。</p><script>alert(1)</script>\
             <table><tr><td>2019年</td><td>15万元</td></tr></table><p>未闭合的段落",
        );
        assert!(text.contains("党报重磅析解内乡脱贫攻坚\n"), "{text}");
        assert!(text.contains("内乡县97个贫困村\n"), "{text}");
        assert!(text.contains("2019年 15万元"), "{text}");
        assert!(text.contains("未闭合的段落"), "{text}");
        assert!(!text.contains("alert") && !text.contains("p{}"), "{text}");
        // The page title is not repeated when the body has the headline.
        assert!(!text.contains("某某网"), "{text}");
    }

    #[test]
    fn a_page_without_a_headline_gets_its_title() {
        let text = to_text("<title>郎溪县脱贫攻坚综述 | 宣城</title><p>正文。</p>");
        assert!(text.starts_with("郎溪县脱贫攻坚综述\n"), "{text}");
    }
}
