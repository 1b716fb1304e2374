//! Cleaning a scraped page: strips the chrome the scraper kept (menus,
//! breadcrumbs, widgets, share and comment boxes, disclaimers), finds the
//! title and the metadata lines, and keeps the article's structure as
//! paragraphs and section headings.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// A block of the cleaned article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading, level 2 or 3 (the title is level 1).
    Heading(u8, String),
    Paragraph(String),
}

/// The article found in a page, before figures are extracted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanArticle {
    pub title: String,
    pub subtitle: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Publication time, `HH:MM` or `HH:MM:SS`, when the page gives one.
    pub time: Option<String>,
    /// The source the page credits (来源).
    pub source: Option<String>,
    /// The site or account that published the page.
    pub publisher: Option<String>,
    /// Author, reporter or editor lines, as the page writes them.
    pub author: Option<String>,
    pub blocks: Vec<Block>,
}

impl CleanArticle {
    /// The body as Markdown: headings as `##`/`###`, paragraphs separated by
    /// a blank line, text escaped so that nothing in it is read as Markdown
    /// syntax or HTML.
    pub fn body_markdown(&self) -> String {
        let mut out = String::new();
        for (i, block) in self.blocks.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            match block {
                Block::Heading(level, text) => {
                    out.push_str(&"#".repeat(*level as usize));
                    out.push(' ');
                    out.push_str(&escape_markdown(text));
                }
                Block::Paragraph(text) => out.push_str(&escape_markdown(text)),
            }
        }
        out.push('\n');
        out
    }
}

/// Escapes text so that CommonMark reads it as plain text: ASCII punctuation
/// that can start markup is backslash-escaped, and so are the characters
/// that would open a list, a heading or a block quote at the start of a line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let at_start = i == 0;
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~'
        ) || (at_start && matches!(c, '#' | '-' | '+' | '=' | '!'));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    // "1. text" or "1) text" at the start would be an ordered list.
    if let Some(pos) = out.find(|c: char| !c.is_ascii_digit())
        && pos > 0
        && out[pos..].starts_with(['.', ')'])
    {
        out.insert(pos, '\\');
    }
    out
}

/// Undoes [`escape_markdown`], for showing a quote taken from a body.
pub fn unescape_markdown(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Lines that are page chrome wherever they stand.
static CHROME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:",
        r"关闭|举报|提交|购物车|分享|打赏捐赠|返回顶部|推荐|评论|取消|确定|订阅|发送|打印|收藏|纠错|",
        r"OA办公|繁體版|简体版|智能问答|无障碍|长辈版|关怀版|English|登录|注册|",
        r"\d{1,3}|",
        r"【?字体(?:大小)?[::]?.*|【?\s*(?:大|中|小)\s*】?(?:\s*【?(?:大|中|小)\s*】?)*|",
        r"[!!]?我要举报.*|声明\s.*|.*本文如涉及侵权.*|.*版权所有.*|.*未经授权.*转载.*|",
        r"扫一扫在手机(?:上)?打开(?:当前页)?.*|.*手机扫码.*|.*分享到[::]?.*|",
        r"\d+条评论|\*?正文[::].*|验证码[::].*|网友评论列表|暂无网友评论|暂没有评论.*|",
        r"取消\s*写评论\s*发送|确定\s*取消订阅|.*取消订阅|写评论|发表评论|查看评论|",
        r"上一篇.*|下一篇.*|责任编辑[::]?\s*$|【打印】|【关闭】|【打印本页】|【关闭窗口】",
        r")$"
    ))
    .expect("chrome pattern")
});

/// Lines after which nothing belongs to the article any more (related news,
/// comment boxes, share widgets, disclaimers).
static TAIL_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:新闻推荐|相关新闻|相关阅读|相关链接|延伸阅读|热点推荐|推荐阅读|猜你喜欢|",
        r"网友评论.*|\d+条评论|打赏捐赠|分享|扫一扫在手机打开当前页|[!!]?我要举报.*|",
        r"声明\s.*|.*本文如涉及侵权.*|推荐|评论|暂没有评论.*)$"
    ))
    .expect("tail pattern")
});

/// Breadcrumb trails: 首页 > 通知公告 > 正文, 首页 >> 河南日报 >> 内容,
/// 您现在位置: 网站首页 > 资讯中心 > 部门动态.
static BREADCRUMB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:您(?:现在)?的?(?:当前)?位置[::]\s*)?(?:网站)?首页\s*(?:>>?|›|»|/|->)\s*(.+)$")
        .expect("breadcrumb pattern")
});

static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?\s*(?:(\d{1,2}:\d{2}(?::\d{2})?))?",
    )
    .expect("date pattern")
});

static SOURCE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来源|出处|稿源)\s*[::]\s*([^\s::]+(?:\s[^\s::]+)*?)\s*(?:$|\s{2,}|\s*(?:浏览|作者|编辑|责任编辑|发布时间|点击|阅读)[::次]?)")
        .expect("source pattern")
});

static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(信息发布者|发布者|作者|编辑|责任编辑|责编|记者|通讯员)\s*[::]\s*([^\s]+(?:\s[^\s::]+)*)",
    )
    .expect("field pattern")
});

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$").unwrap()
});

/// A byline such as "商洛新闻网-张矛 小编" or "□本报记者孟向东本报通讯员张中坡".
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[□■]\s*)?(?:本报记者|本报通讯员|记者|通讯员).+$|^(\S+?网)\s*[-—]\s*(\S+)\s*(?:小编|编辑|记者)$")
        .unwrap()
});

/// A photo caption left without its photo: "独树镇光伏产业扶贫权兆阳摄".
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^。,,;;]{2,40}(?:摄|摄影|供图|/摄)\s*$|^(?:图为|图片来源|\(图片).{0,60}$")
        .unwrap()
});

/// Cleans a decoded page (plain text as scraped) into an article.
pub fn clean_text(raw: &str) -> CleanArticle {
    let lines = normalize_lines(raw);
    let mut article = CleanArticle::default();

    // The article ends at the first tail marker after some body text.
    let mut kept: Vec<String> = Vec::new();
    let mut seen_paragraph = false;
    for line in lines {
        if seen_paragraph && TAIL_MARKER.is_match(&line) {
            break;
        }
        if is_paragraph_like(&line) {
            seen_paragraph = true;
        }
        kept.push(line);
    }

    // The title is the first line that is neither chrome nor metadata;
    // short credit lines before the first paragraph are header material.
    let mut body_start = kept.len();
    let mut credits: Vec<String> = Vec::new();
    for (i, line) in kept.iter().enumerate() {
        if take_metadata(line, &mut article) || CHROME_LINE.is_match(line) || CAPTION.is_match(line)
        {
            continue;
        }
        if article.title.is_empty() {
            if (6..=64).contains(&char_len(line)) {
                article.title = collapse_spaces(line);
            } else if char_len(line) < 6 {
                credits.push(line.clone());
            }
            continue;
        }
        if line.starts_with("——") || line.starts_with("--") {
            article.subtitle = Some(line.trim_start_matches(['—', '-', ' ']).trim().to_string());
            continue;
        }
        if is_paragraph_like(line) {
            body_start = i;
            break;
        }
        if collapse_spaces(line) != article.title {
            credits.push(line.clone());
        }
    }
    for line in credits {
        if char_len(&line) <= 10 && article.source.is_none() {
            article.source = Some(line);
        }
    }

    // Body zone.
    let mut seen: HashSet<String> = HashSet::new();
    let mut blocks: Vec<Block> = Vec::new();
    let body_lines = &kept[body_start..];
    for (i, line) in body_lines.iter().enumerate() {
        if CHROME_LINE.is_match(line) || CAPTION.is_match(line) {
            continue;
        }
        if take_metadata(line, &mut article) {
            continue;
        }
        if line == &article.title || Some(line) == article.subtitle.as_ref() {
            continue;
        }
        if is_heading_like(line) && body_lines[i + 1..].iter().any(|l| is_paragraph_like(l)) {
            let text = collapse_spaces(line);
            let level = match blocks.last() {
                Some(Block::Heading(2, _)) => 3,
                _ => 2,
            };
            blocks.push(Block::Heading(level, text));
            continue;
        }
        let text = join_cjk(line);
        // A lead paragraph the page repeats is kept once.
        if !seen.insert(text.clone()) {
            continue;
        }
        blocks.push(Block::Paragraph(text));
    }
    // A heading left at the end with nothing under it is not a section.
    while matches!(blocks.last(), Some(Block::Heading(..))) {
        blocks.pop();
    }
    article.blocks = blocks;
    article
}

/// Splits into trimmed, non-empty lines; bullets and odd spaces removed.
fn normalize_lines(raw: &str) -> Vec<String> {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(|l| {
            let l = l.replace(['\u{a0}', '\u{3000}', '\t', '\u{200b}', '\u{feff}'], " ");
            let l = l.trim();
            let l = l
                .strip_prefix('•')
                .or_else(|| l.strip_prefix('·'))
                .unwrap_or(l);
            l.trim().to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

fn ends_sentence(s: &str) -> bool {
    s.ends_with(['。', '!', '!', '?', '?', ';', ';', '…', ')', ')', '”', '"'])
        && (s.contains(['。', '!', '!', '?', '?', ';', ';', ',', ',']) || char_len(s) > 30)
}

/// A line that reads as running text (long, or ending a sentence).
fn is_paragraph_like(line: &str) -> bool {
    let n = char_len(line);
    let cjk = line.chars().filter(|c| is_cjk(*c)).count();
    if cjk * 2 < n || CHROME_LINE.is_match(line) || BREADCRUMB.is_match(line) {
        return false;
    }
    n > 40 || (n >= 6 && ends_sentence(line)) || line.ends_with("——") && n > 10
}

/// A short line without sentence punctuation: a section heading.
fn is_heading_like(line: &str) -> bool {
    let n = char_len(line);
    let cjk = line.chars().filter(|c| is_cjk(*c)).count();
    (4..=32).contains(&n)
        && cjk * 2 >= n
        && !line.contains(['。', '!', '!', '?', '?', ';', ';'])
        && !line.ends_with([',', ',', ':', ':', '、', '—', '…'])
        && line.matches([',', ',']).count() <= 1
}

/// Removes the stray spaces that scraping leaves between Chinese characters
/// ("习 近平") and folds other runs of spaces.
fn join_cjk(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let prev = out.chars().last();
            let next = chars.get(j).copied();
            let drop = match (prev, next) {
                (Some(p), Some(n)) => is_cjk_or_punct(p) && is_cjk_or_punct(n),
                _ => true,
            };
            if !drop {
                out.push(' ');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn is_cjk_or_punct(c: char) -> bool {
    is_cjk(c)
        || matches!(
            c,
            '“' | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '、'
                | '。'
                | ','
                | ';'
                | ':'
                | '('
                | ')'
                | '—'
        )
}

fn collapse_spaces(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads metadata out of a line; true when the line is metadata only.
fn take_metadata(line: &str, a: &mut CleanArticle) -> bool {
    if let Some(c) = BREADCRUMB.captures(line) {
        // The crumb before the last names the channel, often the paper.
        let crumbs: Vec<&str> = c[1]
            .split(['>', '›', '»', '/'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if crumbs.len() >= 2 {
            let channel = crumbs[crumbs.len() - 2];
            if channel.ends_with("报") || channel.ends_with("网") {
                a.source.get_or_insert_with(|| channel.to_string());
            }
        }
        return true;
    }
    let mut consumed = false;
    if let Some(c) = DATE_TIME.captures(line) {
        // Only a line that is mostly a date (with labels around it) is metadata.
        let rest = DATE_TIME.replace(line, "");
        if char_len(&rest) <= 60 && !ends_sentence(line) && !is_paragraph_like(line) {
            if a.date.is_none() {
                let (y, m, d) = (
                    &c[1],
                    c[2].parse::<u32>().unwrap_or(0),
                    c[3].parse::<u32>().unwrap_or(0),
                );
                if (1..=12).contains(&m) && (1..=31).contains(&d) {
                    a.date = Some(format!("{y}-{m:02}-{d:02}"));
                    a.time = c.get(4).map(|t| t.as_str().to_string());
                }
            }
            consumed = true;
        }
    }
    if let Some(c) = SOURCE_FIELD.captures(line)
        && !is_paragraph_like(line)
    {
        a.source = Some(c[1].trim().to_string());
        consumed = true;
    }
    for c in FIELD.captures_iter(line) {
        if is_paragraph_like(line) {
            break;
        }
        let value = c[2].trim().trim_end_matches(['。', ' ']).to_string();
        match &c[1] {
            "信息发布者" | "发布者" => a.publisher = Some(value),
            label => {
                let entry = format!("{label}:{value}");
                a.author = Some(match a.author.take() {
                    Some(prev) => format!("{prev}; {entry}"),
                    None => entry,
                });
            }
        }
        consumed = true;
    }
    if let Some(c) = BYLINE.captures(line) {
        if let (Some(site), Some(name)) = (c.get(1), c.get(2)) {
            a.publisher.get_or_insert_with(|| site.as_str().to_string());
            a.author.get_or_insert_with(|| name.as_str().to_string());
        } else {
            let text = line.trim_start_matches(['□', '■', ' ']);
            let text = text.replacen("本报通讯员", " 本报通讯员", 1);
            a.author.get_or_insert_with(|| text.trim().to_string());
        }
        return true;
    }
    if consumed {
        // Whatever else the line holds is a site address or a label.
        for part in line.split_whitespace() {
            if URL.is_match(part) && a.publisher.is_none() {
                a.publisher = Some(
                    part.trim_start_matches("http://")
                        .trim_start_matches("https://")
                        .to_string(),
                );
            }
        }
        return true;
    }
    if URL.is_match(line) {
        return true;
    }
    // A site name standing alone above the title ("商洛新闻网").
    if char_len(line) <= 10
        && (line.ends_with("网") || line.ends_with("在线"))
        && !line.contains(' ')
    {
        a.publisher.get_or_insert_with(|| line.to_string());
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_syntax() {
        assert_eq!(
            escape_markdown("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(escape_markdown("# 不是标题"), "\\# 不是标题");
        assert_eq!(escape_markdown("1. 不是列表"), "1\\. 不是列表");
        assert_eq!(escape_markdown("党委政府+龙头企业"), "党委政府+龙头企业");
        let s = "a*b_[c]<d>&e";
        assert_eq!(unescape_markdown(&escape_markdown(s)), s);
    }

    #[test]
    fn joins_stray_spaces_inside_names() {
        assert_eq!(
            join_cjk("深入贯彻落实习 近平新时代"),
            "深入贯彻落实习近平新时代"
        );
        assert_eq!(
            join_cjk("发放小额扶贫贷款4436 户"),
            "发放小额扶贫贷款4436 户"
        );
    }

    #[test]
    fn finds_title_metadata_and_headings() {
        let raw = "关闭\n举报\n  • 提交\n首页 > 通知公告 > 正文\n购物车\n0\n\
            党报重磅析解内乡脱贫攻坚“成色”怎样?\n信息发布者:内乡农村e网天地\n2020-11-17 12:43:20   转载\n内乡宣传\n\
            内乡县位于南阳盆地西缘,历史悠久,文化底蕴厚重,总面积2465平方公里,耕地73万亩,辖16个乡镇。\n\
            坚持基本方略 全面发力跨越发展\n\
            党中央全面打响脱贫攻坚战后,内乡县深入贯彻落实习 近平新时代中国特色社会主义思想。\n\
            来源:内乡宣传编辑室 \n打赏捐赠\n0\n声明 本文由村网通注册会员上传并发布,本文如涉及侵权请及时联系我们\n";
        let a = clean_text(raw);
        assert_eq!(a.title, "党报重磅析解内乡脱贫攻坚“成色”怎样?");
        assert_eq!(a.date.as_deref(), Some("2020-11-17"));
        assert_eq!(a.time.as_deref(), Some("12:43:20"));
        assert_eq!(a.publisher.as_deref(), Some("内乡农村e网天地"));
        assert_eq!(a.source.as_deref(), Some("内乡宣传编辑室"));
        assert_eq!(a.blocks.len(), 3);
        assert_eq!(
            a.blocks[1],
            Block::Heading(2, "坚持基本方略 全面发力跨越发展".into())
        );
        let body = a.body_markdown();
        assert!(body.contains("习近平新时代"));
        for chrome in ["关闭", "举报", "购物车", "首页", "打赏", "侵权"] {
            assert!(!body.contains(chrome), "{chrome} left in {body}");
        }
    }
}
