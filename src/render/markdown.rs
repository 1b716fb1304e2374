//! Article bodies to HTML: Markdown through pulldown-cmark, with every
//! figure's span marked and anchored, glossary terms linked on their first
//! appearance, and anything that could run or load something neutralised.
//!
//! Raw HTML in a body is shown as text, except a few harmless inline tags
//! (`<sup>`, `<sub>`, `<br>`, `<abbr title>`, `<small>`), which pass
//! through ammonia with no other attribute, and are closed by the end of
//! the paragraph (or emphasis, link ...) they were opened in.

use std::fmt::Write;
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// A span of the body to mark as a figure.
#[derive(Debug, Clone)]
pub struct Mark {
    /// Byte range in the body.
    pub range: Range<usize>,
    /// Element id, the anchor links point at.
    pub id: String,
    /// Tooltip: indicator and value.
    pub title: String,
}

/// Glossary terms to link, with their URLs.
pub struct TermLinker {
    matcher: Option<AhoCorasick>,
    /// For each pattern: (index of the term, URL, tooltip).
    targets: Vec<(usize, String, String)>,
}

impl TermLinker {
    /// `terms` are (spellings, URL, tooltip) for each term.
    pub fn new(terms: &[(Vec<String>, String, String)]) -> TermLinker {
        let mut patterns = Vec::new();
        let mut targets = Vec::new();
        for (i, (spellings, url, tip)) in terms.iter().enumerate() {
            for s in spellings.iter().filter(|s| !s.is_empty()) {
                patterns.push(s.clone());
                targets.push((i, url.clone(), tip.clone()));
            }
        }
        let matcher = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&patterns)
                .ok()
        };
        TermLinker { matcher, targets }
    }

    pub fn empty() -> TermLinker {
        TermLinker {
            matcher: None,
            targets: Vec::new(),
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out
}

/// Byte offset of each character offset (plus one past the end).
pub fn char_to_byte(s: &str) -> Vec<usize> {
    let mut v: Vec<usize> = s.char_indices().map(|(b, _)| b).collect();
    v.push(s.len());
    v
}

/// Whether a link target is safe to keep: relative, fragment, http(s), mailto.
fn safe_url(url: &str) -> bool {
    let lower: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _))
            if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') =>
        {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// The inline tags a body may use.
const INLINE_TAGS: [&str; 5] = ["sup", "sub", "br", "abbr", "small"];

/// ammonia, allowing the inline tags and `title` on `<abbr>`, nothing else.
static INLINE_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags(INLINE_TAGS)
        .add_tag_attributes("abbr", ["title"])
        .link_rel(None)
        .strip_comments(true);
    b
});

/// What an inline HTML event of a body becomes.
#[derive(Debug, PartialEq)]
enum InlineTag {
    /// An allowed opening tag, sanitized: the tag name and its HTML.
    Open(&'static str, String),
    /// `<br>`.
    Void(String),
    /// The closing tag of an allowed tag.
    Close(&'static str),
}

/// An allowed inline tag, or None (the raw HTML is then shown as text).
/// ammonia runs only here, when a body has inline HTML.
fn inline_tag(raw: &str) -> Option<InlineTag> {
    let raw = raw.trim();
    let allowed = |name: &str| {
        INLINE_TAGS
            .iter()
            .copied()
            .find(|t| t.eq_ignore_ascii_case(name))
    };
    if let Some(rest) = raw.strip_prefix("</") {
        let name = rest.strip_suffix('>')?.trim_end();
        return allowed(name).filter(|&t| t != "br").map(InlineTag::Close);
    }
    let rest = raw.strip_prefix('<')?;
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = allowed(&rest[..end])?;
    if !matches!(
        rest[end..].chars().next(),
        Some('>' | '/') | Some(' ' | '\t' | '\n' | '\r')
    ) {
        return None;
    }
    let clean = INLINE_SANITIZER.clean(raw).to_string();
    if name == "br" {
        return (clean == "<br>").then_some(InlineTag::Void(clean));
    }
    let open = clean.strip_suffix(&format!("</{name}>"))?;
    (open.starts_with(&format!("<{name}")) && open.ends_with('>'))
        .then(|| InlineTag::Open(name, open.to_string()))
}

/// Renders a body to HTML. `marks` must not overlap; `linker` links the
/// first appearance of each glossary term outside headings and links.
pub fn render(body: &str, marks: &[Mark], linker: &TermLinker) -> String {
    render_knowing(body, marks, linker, None)
}

/// [`render`] for a body known to contain `terms_present` distinct terms
/// of the linker: the search for terms stops once they are all linked.
pub fn render_knowing(
    body: &str,
    marks: &[Mark],
    linker: &TermLinker,
    terms_present: Option<usize>,
) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(body, options);
    let mut linked = Linked {
        done: vec![false; linker.targets.iter().map(|t| t.0 + 1).max().unwrap_or(0)],
        left: terms_present.unwrap_or(usize::MAX),
    };
    let mut in_heading = false;
    let mut in_link = 0usize;
    let mut events: Vec<Event> = Vec::new();
    // Nesting of Markdown elements, and the inline tags open at each depth.
    let mut depth = 0usize;
    let mut open_tags: Vec<(&'static str, usize)> = Vec::new();
    for (event, range) in parser.into_offset_iter() {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                while let Some(&(name, d)) = open_tags.last()
                    && d == depth
                {
                    events.push(Event::Html(CowStr::from(format!("</{name}>"))));
                    open_tags.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        match event {
            Event::Text(text) => {
                let html = text_html(
                    body,
                    &text,
                    range,
                    marks,
                    linker,
                    &mut linked,
                    !in_heading && in_link == 0,
                );
                events.push(Event::Html(CowStr::from(html)));
            }
            // Raw HTML in content is shown as text, never passed through,
            // but for the small inline set.
            Event::Html(raw) => events.push(Event::Text(raw)),
            Event::InlineHtml(raw) => match inline_tag(&raw) {
                Some(InlineTag::Open(name, html)) => {
                    open_tags.push((name, depth));
                    events.push(Event::Html(CowStr::from(html)));
                }
                Some(InlineTag::Void(html)) => events.push(Event::Html(CowStr::from(html))),
                Some(InlineTag::Close(name)) if open_tags.last() == Some(&(name, depth)) => {
                    open_tags.pop();
                    events.push(Event::Html(CowStr::from(format!("</{name}>"))));
                }
                _ => events.push(Event::Text(raw)),
            },
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = true;
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: vec![],
                    attrs: vec![],
                }));
            }
            Event::End(TagEnd::Heading(l)) => {
                in_heading = false;
                events.push(Event::End(TagEnd::Heading(l)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                in_link += 1;
                let dest_url = if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::from("#")
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                events.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // Images would load something; content has none, so show the alt text.
                let _ = (link_type, dest_url, title, id);
                in_link += 1;
                events.push(Event::Start(Tag::Emphasis));
            }
            Event::End(TagEnd::Image) => {
                in_link = in_link.saturating_sub(1);
                events.push(Event::End(TagEnd::Emphasis));
            }
            other => events.push(other),
        }
    }
    while let Some((name, _)) = open_tags.pop() {
        events.push(Event::Html(CowStr::from(format!("</{name}>"))));
    }
    let mut out = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    // A mark that found no place in the text still gets its anchor, at the
    // top, so that links to it land on the article.
    let mut lost = String::new();
    for m in marks {
        if !out.contains(&format!("id=\"{}\"", escape(&m.id))) {
            let _ = write!(
                lost,
                "<span class=\"fig-lost\" id=\"{}\"></span>",
                escape(&m.id)
            );
        }
    }
    if !lost.is_empty() {
        out.insert_str(0, &lost);
    }
    out
}

/// The HTML of one text event: marks for the figures inside it, glossary
/// links in what is left.
fn text_html(
    body: &str,
    text: &str,
    range: Range<usize>,
    marks: &[Mark],
    linker: &TermLinker,
    linked: &mut Linked,
    link_terms: bool,
) -> String {
    // Where each mark falls inside `text`.
    let mut spans: Vec<(Range<usize>, &Mark)> = Vec::new();
    let verbatim = body.get(range.clone()) == Some(text);
    for m in marks {
        if m.range.start >= range.start && m.range.end <= range.end {
            if verbatim {
                spans.push((m.range.start - range.start..m.range.end - range.start, m));
            } else if let Some(needle) = body.get(m.range.clone()) {
                // Escapes shifted the text: find the figure's own text.
                if let Some(pos) = text.find(needle) {
                    spans.push((pos..pos + needle.len(), m));
                }
            }
        }
    }
    spans.sort_by_key(|(r, _)| r.start);
    let mut out = String::new();
    let mut at = 0;
    for (r, m) in spans {
        if r.start < at {
            continue;
        }
        out.push_str(&link_terms_in(
            &text[at..r.start],
            linker,
            linked,
            link_terms,
        ));
        let _ = write!(
            out,
            "<mark class=\"fig\" id=\"{}\" title=\"{}\">{}</mark>",
            escape(&m.id),
            escape(&m.title),
            escape(&text[r.clone()])
        );
        at = r.end;
    }
    out.push_str(&link_terms_in(&text[at..], linker, linked, link_terms));
    out
}

/// Which terms a text has linked already, and how many are left to link.
struct Linked {
    done: Vec<bool>,
    left: usize,
}

fn link_terms_in(text: &str, linker: &TermLinker, linked: &mut Linked, enabled: bool) -> String {
    let Some(matcher) = linker
        .matcher
        .as_ref()
        .filter(|_| enabled && linked.left > 0)
    else {
        return escape(text);
    };
    let mut out = String::new();
    let mut at = 0;
    for m in matcher.find_iter(text) {
        let (term, url, tip) = &linker.targets[m.pattern().as_usize()];
        if linked.done[*term] || !on_word_boundary(text, m.start(), m.end()) {
            continue;
        }
        linked.done[*term] = true;
        linked.left = linked.left.saturating_sub(1);
        out.push_str(&escape(&text[at..m.start()]));
        let _ = write!(
            out,
            "<a class=\"term\" href=\"{}\" title=\"{}\">{}</a>",
            escape(url),
            escape(tip),
            escape(&text[m.start()..m.end()])
        );
        at = m.end();
        if linked.left == 0 {
            break;
        }
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// For Latin-script terms, a match must not sit inside a longer word.
fn on_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    if !first.is_some_and(|c| c.is_ascii_alphabetic()) {
        return true;
    }
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_figures_and_escapes() {
        let body = "## 标题\n\n内乡县97个贫困村15316户42991人全部脱贫,\\<script\\>x\\</script\\>\n";
        let start = body.find("42991人").unwrap();
        let marks = vec![Mark {
            range: start..start + "42991人".len(),
            id: "fig-0".into(),
            title: "people".into(),
        }];
        let html = render(body, &marks, &TermLinker::empty());
        assert!(
            html.contains(
                "<mark class=\"fig\" id=\"fig-0\" title=\"people\">42991人</mark>全部脱贫"
            ),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("<h2>标题</h2>"));
    }

    #[test]
    fn raw_html_and_bad_links_are_neutralised() {
        let html = render(
            "<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) ![p](http://x/y.png)\n",
            &[],
            &TermLinker::empty(),
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;img"), "{html}");
    }

    #[test]
    fn a_small_inline_subset_passes_sanitized() {
        let html = render(
            "面积2465平方公里<sup>2</sup>,H<sub>2</sub>O<br>第二行<br/>\
             <abbr title=\"建档立卡\" onclick=\"alert(1)\">建档</abbr>\
             <small style=\"color:red\">注</small><SUP>3</SUP>\n",
            &[],
            &TermLinker::empty(),
        );
        assert!(
            html.contains("公里<sup>2</sup>,H<sub>2</sub>O<br>第二行<br>"),
            "{html}"
        );
        assert!(
            html.contains("<abbr title=\"建档立卡\">建档</abbr>"),
            "{html}"
        );
        assert!(html.contains("<small>注</small>"), "{html}");
        assert!(html.contains("<sup>3</sup>"), "{html}");
        assert!(
            !html.contains("onclick") && !html.contains("style"),
            "{html}"
        );
    }

    #[test]
    fn other_html_stays_text_and_inline_tags_stay_balanced() {
        let body = "<p style=\"x\">块</p>\n\n\
            文字<script>alert(1)</script><img src=x onerror=alert(2)>\
            <span>s</span><a href=\"javascript:alert(3)\">a</a><iframe src=x></iframe>\
            <abbr title=\"x\" >未闭合 *强调<sup>上*</sup>\n\n\
            </small>孤立的结束标签<br onclick=x><sup\n";
        let html = render(body, &[], &TermLinker::empty());
        let doc = scraper::Html::parse_fragment(&html);
        for el in doc.root_element().descendent_elements().skip(1) {
            let name = el.value().name();
            assert!(
                ["p", "em", "abbr", "sup", "br"].contains(&name),
                "<{name}> in {html}"
            );
            for (attr, _) in el.value().attrs() {
                assert!(name == "abbr" && attr == "title", "{name} {attr} in {html}");
            }
        }
        assert!(html.contains("&lt;p style=\"x\"&gt;块&lt;/p&gt;"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        // Tags left open are closed where their element ends; a closing tag
        // that closes nothing is text.
        assert!(
            html.contains(
                "<abbr title=\"x\">未闭合 <em>强调<sup>上</sup></em>&lt;/sup&gt;</abbr></p>"
            ),
            "{html}"
        );
        assert!(html.contains("&lt;/small&gt;孤立的结束标签<br>"), "{html}");
        assert_eq!(
            html.matches("<abbr").count(),
            html.matches("</abbr>").count()
        );
    }

    #[test]
    fn inline_tag_parsing() {
        assert_eq!(inline_tag("<br />"), Some(InlineTag::Void("<br>".into())));
        assert_eq!(inline_tag("</SUB>"), Some(InlineTag::Close("sub")));
        assert_eq!(inline_tag("<subscript>"), None);
        assert_eq!(
            inline_tag("<abbr\ntitle='a\"b'>"),
            Some(InlineTag::Open("abbr", "<abbr title=\"a&quot;b\">".into()))
        );
        assert_eq!(inline_tag("<!-- <sup> -->"), None);
        assert_eq!(inline_tag("</br>"), None);
    }

    #[test]
    fn knowing_the_terms_present_links_the_same() {
        let linker = TermLinker::new(&[
            (vec!["精准扶贫".into()], "#a".into(), "a".into()),
            (vec!["易地扶贫搬迁".into()], "#b".into(), "b".into()),
        ]);
        let body = "## 精准扶贫\n\n坚持精准扶贫,推进易地扶贫搬迁。\n\n再说精准扶贫。\n";
        let all = render(body, &[], &linker);
        assert_eq!(all.matches("<a class=\"term\"").count(), 2, "{all}");
        assert_eq!(render_knowing(body, &[], &linker, Some(2)), all);
        // Told one term is present, it stops after linking one.
        let one = render_knowing(body, &[], &linker, Some(1));
        assert_eq!(one.matches("<a class=\"term\"").count(), 1, "{one}");
    }

    #[test]
    fn links_first_term_once() {
        let linker = TermLinker::new(&[(
            vec!["两不愁三保障".into()],
            "../glossary/index.html#two".into(),
            "Two Assurances".into(),
        )]);
        let html = render("围绕“两不愁三保障”,落实两不愁三保障。\n", &[], &linker);
        assert_eq!(html.matches("<a class=\"term\"").count(), 1, "{html}");
        let linker = TermLinker::new(&[(vec!["relocation".into()], "#r".into(), "r".into())]);
        let html = render("No relocations; a relocation.\n", &[], &linker);
        assert!(
            html.contains("a <a class=\"term\" href=\"#r\" title=\"r\">relocation</a>."),
            "{html}"
        );
    }
}
