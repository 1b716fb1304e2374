//! Saved HTML pages to text: what a reader sees of the page, one line per
//! block (paragraph, heading, list item, table row), the way a browser's
//! "copy all text" gives it. The text then goes through the same cleaning
//! as a text seed (chrome lines, title, date, source), so HTML and text
//! seeds of the same article give the same content.
//!
//! Parsing is html5ever's (through `scraper`): broken and truncated markup
//! is repaired the way browsers repair it. Scripts, styles, forms and
//! embedded objects give no text.

use std::collections::HashSet;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
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

/// Whether a page stops before its end: no `</html>` nor `</body>` in its
/// last 4 KiB (browsers save both; a download cut short has neither).
pub fn looks_truncated(text: &str) -> bool {
    let mut from = text.len().saturating_sub(4096);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let tail = text[from..].to_ascii_lowercase();
    !tail.contains("</html") && !tail.contains("</body")
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

/// The visible text of a page: the `<title>` on the first line when the
/// body shows it as a headline or has no headline of its own, then one line
/// per block. Blocks made only of links (menus, link bars, lists of other
/// articles) are left out.
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
    // ("标题_某某网"). When the body has that headline as a line of its own,
    // it goes first, so that no menu above it is taken for the title; when
    // the body has no headline, the title is the headline.
    let site_cut = title.split(['_', '|']).next().unwrap_or("").trim();
    let short = site_cut.split(['-', '—']).next().unwrap_or("").trim();
    let headline = [title.as_str(), site_cut, short]
        .into_iter()
        .find(|t| !t.is_empty() && body.lines().any(|l| l == *t));
    if let Some(headline) = headline {
        out.push_str(headline);
        out.push('\n');
    } else if !title.is_empty()
        && !body.contains(title.as_str())
        && !short.is_empty()
        && !body.contains(short)
    {
        out.push_str(short);
        out.push('\n');
    }
    out.push_str(&body);
    out
}

/// Appends the text of the nodes below `root`. The tree is walked with
/// ego_tree's iterator, not by recursion: a hostile page can nest elements
/// deeper than the stack holds frames.
fn walk(root: NodeRef<Node>, out: &mut String) {
    let link_only = links_only(root);
    // The element whose subtree gives no text, until it closes.
    let mut skip = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) if skip.is_none() && node.id() != root.id() => match node.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    let name = e.name();
                    let block = BLOCKS.contains(&name);
                    if SKIPPED.contains(&name)
                        || (block && !name.starts_with('h') && link_only.contains(&node.id()))
                    {
                        skip = Some(node.id());
                    } else if name == "br" {
                        out.push('\n');
                    } else {
                        if block {
                            out.push('\n');
                        }
                        if name == "td" || name == "th" {
                            out.push(' ');
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) if skip == Some(node.id()) => skip = None,
            Edge::Close(node) if skip.is_none() && node.id() != root.id() => {
                if let Node::Element(e) = node.value()
                    && BLOCKS.contains(&e.name())
                {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// The elements below `root` all of whose text is the text of links (with
/// separators between them): menus, link bars, lists of other articles.
/// Text counts as a link's for an element when an `a` below the element
/// holds it. One pass over the tree, bottom-up, so that deeply nested pages
/// take linear time and no stack.
fn links_only(root: NodeRef<Node>) -> HashSet<NodeId> {
    struct Open {
        id: NodeId,
        is_link: bool,
        link_text: bool,
        other_text: bool,
    }
    let mut found = HashSet::new();
    let mut open = vec![Open {
        id: root.id(),
        is_link: false,
        link_text: false,
        other_text: false,
    }];
    // The skipped element the current node is in.
    let mut skip = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) if skip.is_none() && n.id() != root.id() => match n.value() {
                Node::Text(t) => {
                    let visible = t.chars().any(|c| {
                        !c.is_whitespace()
                            && !matches!(
                                c,
                                '|' | '/'
                                    | '>'
                                    | '»'
                                    | '›'
                                    | '·'
                                    | '•'
                                    | '-'
                                    | '—'
                                    | '、'
                                    | ','
                                    | '['
                                    | ']'
                                    | '【'
                                    | '】'
                            )
                    });
                    if visible && let Some(parent) = open.last_mut() {
                        parent.other_text = true;
                    }
                }
                Node::Element(e) if SKIPPED.contains(&e.name()) => skip = Some(n.id()),
                Node::Element(e) => open.push(Open {
                    id: n.id(),
                    is_link: e.name() == "a",
                    link_text: false,
                    other_text: false,
                }),
                _ => {}
            },
            Edge::Close(n) if skip == Some(n.id()) => skip = None,
            Edge::Close(n)
                if skip.is_none()
                    && open.len() > 1
                    && open.last().is_some_and(|o| o.id == n.id()) =>
            {
                let done = open.pop().expect("an open element");
                if done.link_text && !done.other_text {
                    found.insert(done.id);
                }
                if let Some(parent) = open.last_mut() {
                    // What a link holds is link text for the elements above it.
                    parent.link_text |= done.link_text || (done.is_link && done.other_text);
                    parent.other_text |= done.other_text && !done.is_link;
                }
            }
            _ => {}
        }
    }
    found
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
    fn menus_are_left_out_and_the_headline_goes_first() {
        let text = to_text(
            "<html><head><title>党报重磅析解内乡脱贫攻坚_某某网</title></head><body>\
             <div class=top><a href=/>首页</a> | <a href=/n/>新闻中心</a></div>\
             <ul><li><a href=/>首页</a></li><li><a href=/z/>政务公开</a></li></ul>\
             <h1><a href=/a.html>党报重磅析解内乡脱贫攻坚</a></h1>\
             <p>来源:<a href=/>内乡宣传</a></p><p>内乡县97个贫困村全部脱贫。</p></body></html>",
        );
        assert!(text.starts_with("党报重磅析解内乡脱贫攻坚\n"), "{text}");
        assert!(
            !text.contains("新闻中心") && !text.contains("政务公开"),
            "{text}"
        );
        assert!(text.contains("来源:内乡宣传"), "{text}");
    }

    #[test]
    fn truncated_pages_are_noticed() {
        assert!(looks_truncated("<html><body><p>正文"));
        assert!(!looks_truncated("<html><body><p>正文</p></body></html>\n"));
        assert!(!looks_truncated("<p>正文</p></BODY>"));
        let long = format!("<html><body>{}", "内乡".repeat(3000));
        assert!(looks_truncated(&long));
    }

    #[test]
    fn deeply_nested_pages_do_not_overflow_the_stack() {
        // Deeper than a test thread's 2 MiB stack held frames of the
        // recursive walk; links_only goes through the whole depth too.
        let depth = 200_000;
        let html = format!(
            "<html><body><div>{}<p>内乡县97个贫困村全部脱贫。</p>{}</div><p>第二段。</p></body></html>",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        let text = to_text(&html);
        assert!(text.contains("内乡县97个贫困村全部脱贫。\n"), "{text}");
        assert!(text.contains("第二段。"), "{text}");
        let menu = format!(
            "<div>{}<a href=/>首页</a>{}</div><p>正文。</p>",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        assert_eq!(to_text(&menu), "正文。\n\n");
    }

    #[test]
    fn deeply_nested_blocks_take_linear_time() {
        // Each block asked whether it holds only links went through all of
        // its subtree: 20,000 nested tables (80,000 elements deep, 40,000
        // of them blocks) took minutes. Nested tables, because html5ever
        // itself parses them in linear time (nested divs it does not).
        let depth = 20_000;
        let html = format!(
            "<html><body>{}<p>内乡县97个贫困村全部脱贫。</p><div><a href=/>首页</a></div>{}</body></html>",
            "<table><tr><td>".repeat(depth),
            "</td></tr></table>".repeat(depth)
        );
        let started = std::time::Instant::now();
        let text = to_text(&html);
        assert!(text.contains("内乡县97个贫困村全部脱贫。"), "{text}");
        assert!(!text.contains("首页"), "{text}");
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn a_page_without_a_headline_gets_its_title() {
        let text = to_text("<title>郎溪县脱贫攻坚综述 | 宣城</title><p>正文。</p>");
        assert!(text.starts_with("郎溪县脱贫攻坚综述\n"), "{text}");
    }
}
