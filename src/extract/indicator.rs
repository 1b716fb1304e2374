//! Assigning quantities to indicators.
//!
//! The body is split into sentences (at 。!?; and line ends; a year context
//! runs to the next 。!?) and clauses (at , and :). Each quantity found by
//! [`quantity::scan_chars`] is first checked against generic rules that say
//! it is no figure at all: dates and durations, ordinals and ranks,
//! thresholds (20户以上自然村), numbers in quotes or book titles (“七改一增”,
//! 《…10个扶贫专项方案》) or in parentheses, shares (占比89.74%), counts
//! led by 等 (方城县等33个贫困县), sub-groups (符合…条件的), small counts
//! in Chinese numerals (四个不摘, 五支队伍), sentences about another place.
//! Figures of a clause stating a target (计划, 力争, 确保 …, or a clause
//! pointing back: …,这是我市2017年的目标任务) are kept with `target` set
//! (or left out when the taxonomy's `keep_targets` is false). The words of
//! the taxonomy (`data/indicators.yaml`) then decide the indicator:
//!
//! * a word inside a longer listed word only counts as the longer one;
//! * a cue belongs to the nearest quantity whose unit its indicators accept,
//!   and is shared along a chain of quantities written together
//!   (97个贫困村15316户42991人全部脱贫), by both parts of a compound
//!   (X户Y人) and by both values of a before/after pair (由X降至Y);
//! * an indicator fits when the unit, side, subject and cue conditions of
//!   its entry hold and none of its negative words is in the clause; of
//!   several, the highest priority and then the longest matched words win.
//!
//! The year comes from the pair (从2015年底的X增至2019年底的Y), else the
//! clause, else a time adverbial earlier in the sentence (“十三五”期间,
//! 截至2019年底, 2016年以来, 2016至2019年), else the previous pair of the
//! paragraph; 今年/去年 leave it unknown. The end of a pair without a year
//! of its own (由2014年的X降至Y) takes the clause's or sentence's year.
//! Last, [`super::sanity`] flags values impossible for their indicator.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Figure;
use super::quantity::{self, Normalized, Quantity};
use crate::data::taxonomy::{Side, SubjectAt, Taxonomy};

/// Extracts the figures of a cleaned body (Markdown), sorted by position,
/// with targets labelled and impossible values flagged ([`super::sanity`]).
pub fn extract_figures(body: &str, taxonomy: &Taxonomy) -> Vec<Figure> {
    explain(body, taxonomy)
        .into_iter()
        .filter_map(|d| d.figure)
        .collect()
}

/// What the extractor decided about one quantity of a body.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The quantity's text.
    pub text: String,
    /// Character span of the quantity in the body.
    pub start: usize,
    pub end: usize,
    /// The figure, when the quantity reports one.
    pub figure: Option<Figure>,
    /// Why: the rule that discarded it, or the words that chose the indicator.
    pub reason: String,
    /// For a value of a before/after pair (由X降至Y): the span of the
    /// other value.
    pub partner: Option<(usize, usize)>,
}

/// Like [`extract_figures`], but returns a decision for every quantity, with
/// the reason; for finding out why a number was or was not taken.
pub fn explain(body: &str, taxonomy: &Taxonomy) -> Vec<Decision> {
    let compiled = Compiled::new(taxonomy);
    let doc = Doc::new(body);
    let mut out = doc.run(&compiled);
    out.sort_by_key(|d| (d.start, d.end));
    // Sanity checks over the figures, with the pairs they form.
    let with_fig: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].figure.is_some())
        .collect();
    let mut pairs = Vec::new();
    for (fi, &i) in with_fig.iter().enumerate() {
        if let Some(span) = out[i].partner
            && let Some(fj) = with_fig
                .iter()
                .position(|&j| (out[j].start, out[j].end) == span)
            && fi < fj
        {
            pairs.push((fi, fj));
        }
    }
    let mut figs: Vec<Figure> = with_fig
        .iter()
        .filter_map(|&i| out[i].figure.clone())
        .collect();
    super::sanity::check(&mut figs, &pairs, taxonomy);
    for (f, &i) in figs.into_iter().zip(&with_fig) {
        out[i].figure = Some(f);
    }
    out
}

// ---------------------------------------------------------------------------
// Compiled taxonomy words

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Subject,
    Cue,
    Negative,
}

/// One listed word (for `A&B` words, the anchor `A`).
#[derive(Debug)]
struct Term {
    text: String,
    chars: Vec<char>,
    len: usize,
    neutral: bool,
    /// (indicator, role, other words that must be in the clause too).
    uses: Vec<(usize, Role, Vec<String>)>,
    /// Unit classes of the indicators using it as subject or cue.
    units: Vec<String>,
}

struct Compiled<'t> {
    tax: &'t Taxonomy,
    terms: Vec<Term>,
    /// Terms by their first character.
    by_first: HashMap<char, Vec<usize>>,
    units: Vec<Vec<String>>,
    subsets: Vec<Regex>,
    foreign: Vec<String>,
    targets: Vec<String>,
    targets_done: Vec<String>,
    neutral: Vec<String>,
    shares: Vec<String>,
    generic_places: Vec<Vec<char>>,
    place_suffixes: Vec<char>,
    region_suffixes: Vec<char>,
}

/// Regular expressions of the taxonomy, compiled once per pattern.
fn cached_regex(pattern: &str) -> Option<Regex> {
    static CACHE: LazyLock<std::sync::Mutex<HashMap<String, Option<Regex>>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(pattern.to_string())
        .or_insert_with(|| Regex::new(pattern).ok())
        .clone()
}

fn norm_str(s: &str) -> String {
    quantity::normalize(s).chars.into_iter().collect()
}

impl<'t> Compiled<'t> {
    fn new(tax: &'t Taxonomy) -> Self {
        let mut terms: Vec<Term> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut add = |terms: &mut Vec<Term>, word: &str| -> usize {
            let word = norm_str(word);
            *index.entry(word.clone()).or_insert_with(|| {
                terms.push(Term {
                    len: word.chars().count(),
                    chars: word.chars().collect(),
                    text: word,
                    neutral: false,
                    uses: Vec::new(),
                    units: Vec::new(),
                });
                terms.len() - 1
            })
        };
        let units: Vec<Vec<String>> = tax.indicators.iter().map(|i| i.accepted_units()).collect();
        for (k, ind) in tax.indicators.iter().enumerate() {
            let lists = [
                (Role::Subject, &ind.subjects),
                (Role::Cue, &ind.cues),
                (Role::Negative, &ind.negative),
            ];
            for (role, list) in lists {
                for w in list {
                    let mut parts = w.split('&').map(str::trim).filter(|p| !p.is_empty());
                    let Some(anchor) = parts.next() else { continue };
                    let extras: Vec<String> = parts.map(norm_str).collect();
                    let t = add(&mut terms, anchor);
                    terms[t].uses.push((k, role, extras));
                    if role != Role::Negative {
                        for u in &units[k] {
                            if !terms[t].units.contains(u) {
                                terms[t].units.push(u.clone());
                            }
                        }
                    }
                }
            }
        }
        for w in &tax.rules.neutral {
            let t = add(&mut terms, w);
            terms[t].neutral = true;
        }
        terms.retain(|t| t.len > 0);
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            by_first.entry(t.chars[0]).or_default().push(i);
        }
        let r = &tax.rules;
        let chars_of = |v: &Vec<String>| -> Vec<char> {
            v.iter()
                .filter_map(|s| norm_str(s).chars().next())
                .collect()
        };
        Compiled {
            tax,
            terms,
            by_first,
            units,
            subsets: r
                .subset_patterns
                .iter()
                .filter_map(|p| cached_regex(p))
                .collect(),
            foreign: r.foreign_scope.iter().map(|s| norm_str(s)).collect(),
            targets: r.target_cues.iter().map(|s| norm_str(s)).collect(),
            targets_done: r.target_done.iter().map(|s| norm_str(s)).collect(),
            neutral: r.neutral.iter().map(|s| norm_str(s)).collect(),
            shares: r.share_cues.iter().map(|s| norm_str(s)).collect(),
            generic_places: r
                .generic_places
                .iter()
                .map(|s| norm_str(s).chars().collect())
                .collect(),
            place_suffixes: chars_of(&r.place_suffixes),
            region_suffixes: chars_of(&r.region_suffixes),
        }
    }
}

// ---------------------------------------------------------------------------
// The document

/// A run of text: a sentence (to 。!?; or a line end) or a clause.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
struct YearExpr {
    start: usize,
    end: usize,
    /// None for 今年/去年 ...: the year is known to the writer only.
    period: Option<String>,
}

/// An occurrence of a listed word.
#[derive(Debug, Clone, Copy)]
struct Occ {
    term: usize,
    start: usize,
    end: usize,
}

struct Doc {
    norm: Normalized,
    /// Original characters of the body (for quotes).
    orig: Vec<char>,
    text: String,
    /// Char offset of every byte offset of `text` (for regex matches).
    b2c: Vec<usize>,
    /// Inside 《》.
    in_title: Vec<bool>,
}

const SENTENCE_END: &[char] = &['。', '!', '?', ';', '\n', '…'];
const BIG_SENTENCE_END: &[char] = &['。', '!', '?', '\n', '…'];
const CLAUSE_END: &[char] = &[',', ':'];

static YEAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年?\s*(?:-|—|–|~|至|到)\s*(\d{4})\s*年(?:底|末|初|年底|年末|度)?")
        .unwrap()
});
static YEAR_SINCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年?\s*(?:以来|来)").unwrap());
static YEAR_SINGLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年(?:年底|年末|年初|底|末|初|度)?").unwrap());
static FIVE_YEAR_PLAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"“?十([一二三四])五”?(?:期间|时期|以来)?").unwrap());
static RELATIVE_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"今年|去年|当年|本年|明年|同年|上年|前年").unwrap());
/// Gap between 由/从 and the first value, or between a value and its year:
/// years, dates, 的, spaces.
static GAP_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}\s*年(?:年底|年末|年初|底|末|初|度)?|\d{1,2}月(?:底|末|份)?|的|\s|期间|时|现在|目前|当前|年底|年末")
        .unwrap()
});
/// What stands between the two values of a before/after pair.
static PAIR_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:下降|减少|降低|缩小|增加|增长|提高|提升|上升|扩大|攀升|跃升|降|减|增|升|涨)(?:到|至|为|成)?|到|至|变为|变成)了?$").unwrap()
});
/// A change verb right before a value: the value is an end value.
static END_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:下降|减少|降低|缩小|增加|增长|提高|提升|上升|扩大|攀升|跃升|降|减|增|升)(?:到|至|为)了?$").unwrap()
});

/// Filler words allowed between a subject and its number: 贫困村89个,
/// 有贫困村89个, 边缘户共1013户, 贫困村由301个.
const FILLERS_BEFORE: &[&str] = &[
    "中已有",
    "中有",
    "中",
    "累计达",
    "共计",
    "累计",
    "总计",
    "合计",
    "共有",
    "分别为",
    "分别",
    "已达",
    "达到",
    "总数",
    "总量",
    "数量",
    "人数",
    "户数",
    "仅剩",
    "还有",
    "尚有",
    "共",
    "有",
    "达",
    "为",
    "计",
    "已",
    "仅",
    "由",
    "从",
    "数",
    "的",
    "是",
];
/// Filler words allowed between a unit and its subject: 220个扶贫基地.
const FILLERS_AFTER: &[&str] = &["的", "各类"];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Whether `gap` is made of filler words only.
fn only_fillers(gap: &str, fillers: &[&str]) -> bool {
    let mut rest = gap;
    'outer: while !rest.is_empty() {
        for f in fillers {
            if let Some(r) = rest.strip_prefix(f) {
                rest = r;
                continue 'outer;
            }
        }
        return false;
    }
    true
}

impl Doc {
    fn new(body: &str) -> Doc {
        let norm = quantity::normalize(body);
        let text: String = norm.chars.iter().collect();
        let mut b2c = vec![0; text.len() + 1];
        for (ci, (bi, ch)) in text.char_indices().enumerate() {
            for k in 0..ch.len_utf8() {
                b2c[bi + k] = ci;
            }
        }
        b2c[text.len()] = norm.chars.len();
        let mut in_title = vec![false; norm.chars.len()];
        let mut depth = 0i32;
        for (i, &c) in norm.chars.iter().enumerate() {
            if c == '《' {
                depth += 1;
            }
            in_title[i] = depth > 0;
            if c == '》' {
                depth = (depth - 1).max(0);
            }
            if c == '\n' {
                depth = 0;
            }
        }
        Doc {
            orig: body.chars().collect(),
            norm,
            text,
            b2c,
            in_title,
        }
    }

    fn c(&self) -> &[char] {
        &self.norm.chars
    }

    fn slice(&self, s: usize, e: usize) -> String {
        self.norm.slice(s, e)
    }

    /// Sentences (to 。!?; or a line end), with their clauses, and the index
    /// of the big sentence (to 。!?) each belongs to.
    fn sentences(&self, qs: &[Quantity]) -> Vec<(Span, Vec<Span>, usize)> {
        let c = self.c();
        // Commas inside a number (1,234) split nothing.
        let mut inside = vec![false; c.len()];
        for q in qs {
            inside[q.start..q.end].fill(true);
        }
        let mut out = Vec::new();
        let mut start = 0;
        let mut big = 0;
        let mut i = 0;
        while i <= c.len() {
            let at_end = i == c.len();
            if at_end || SENTENCE_END.contains(&c[i]) {
                if i > start {
                    let mut clauses = Vec::new();
                    let mut cs = start;
                    for k in start..i {
                        if CLAUSE_END.contains(&c[k]) && !inside[k] {
                            clauses.push(Span { start: cs, end: k });
                            cs = k + 1;
                        }
                    }
                    clauses.push(Span { start: cs, end: i });
                    out.push((Span { start, end: i }, clauses, big));
                }
                if !at_end && BIG_SENTENCE_END.contains(&c[i]) {
                    big += 1;
                }
                start = i + 1;
            }
            i += 1;
        }
        out
    }

    fn years(&self) -> Vec<YearExpr> {
        let mut out: Vec<YearExpr> = Vec::new();
        let mut taken = vec![false; self.c().len() + 1];
        let valid = |y: &str| y.parse::<u32>().is_ok_and(|y| (1949..=2100).contains(&y));
        let mut push = |out: &mut Vec<YearExpr>, s: usize, e: usize, period: Option<String>| {
            if (s..e).any(|k| taken[k]) || self.in_title.get(s).copied().unwrap_or(false) {
                return;
            }
            taken[s..e].fill(true);
            out.push(YearExpr {
                start: s,
                end: e,
                period,
            });
        };
        for m in YEAR_RANGE.captures_iter(&self.text) {
            let (a, b) = (&m[1], &m[2]);
            if valid(a) && valid(b) {
                let all = m.get(0).unwrap();
                push(
                    &mut out,
                    self.b2c[all.start()],
                    self.b2c[all.end()],
                    Some(format!("{a}-{b}")),
                );
            }
        }
        for m in YEAR_SINCE.captures_iter(&self.text) {
            if valid(&m[1]) {
                let all = m.get(0).unwrap();
                push(
                    &mut out,
                    self.b2c[all.start()],
                    self.b2c[all.end()],
                    Some(format!("{}-", &m[1])),
                );
            }
        }
        for m in YEAR_SINGLE.captures_iter(&self.text) {
            if valid(&m[1]) {
                let all = m.get(0).unwrap();
                push(
                    &mut out,
                    self.b2c[all.start()],
                    self.b2c[all.end()],
                    Some(m[1].to_string()),
                );
            }
        }
        for m in FIVE_YEAR_PLAN.captures_iter(&self.text) {
            let base = match &m[1] {
                "一" => 2006,
                "二" => 2011,
                "三" => 2016,
                _ => 2021,
            };
            let all = m.get(0).unwrap();
            // A plan's name right before 规划/脱贫攻坚规划 is a title, not a period.
            let after = &self.text[all.end()..];
            if after.starts_with("规划") || after.starts_with("脱贫攻坚规划") {
                continue;
            }
            push(
                &mut out,
                self.b2c[all.start()],
                self.b2c[all.end()],
                Some(format!("{}-{}", base, base + 4)),
            );
        }
        for m in RELATIVE_YEAR.find_iter(&self.text) {
            push(&mut out, self.b2c[m.start()], self.b2c[m.end()], None);
        }
        out.sort_by_key(|y| y.start);
        out
    }

    /// Every occurrence of a listed word, minus those inside a longer one.
    fn occurrences(&self, comp: &Compiled) -> Vec<Occ> {
        let c = self.c();
        let mut occ = Vec::new();
        for (s, ch) in c.iter().enumerate() {
            let Some(list) = comp.by_first.get(ch) else {
                continue;
            };
            for &t in list {
                let w = &comp.terms[t].chars;
                if c.len() - s >= w.len() && c[s..s + w.len()] == w[..] {
                    occ.push(Occ {
                        term: t,
                        start: s,
                        end: s + w.len(),
                    });
                }
            }
        }
        // Sorted by start, longer first: an occurrence is inside a longer one
        // exactly when an earlier one reaches as far (two words never share
        // a span, the list holds each word once).
        occ.sort_by_key(|o| (o.start, std::cmp::Reverse(o.end)));
        let mut reach = 0;
        let masked: Vec<bool> = occ
            .iter()
            .map(|o| {
                let inside = reach >= o.end;
                reach = reach.max(o.end);
                inside
            })
            .collect();
        occ.into_iter()
            .zip(masked)
            .filter(|(o, m)| !m && !comp.terms[o.term].uses.is_empty())
            .map(|(o, _)| o)
            .collect()
    }

    /// Positions from which a sentence is about another place: named
    /// villages or towns, or a county that is not the article's own.
    fn other_places(&self, comp: &Compiled) -> Vec<usize> {
        let c = self.c();
        let name_at = |p: usize, suffix: char| -> Option<String> {
            if p < 2 || !is_han(c[p - 1]) || !is_han(c[p - 2]) {
                return None;
            }
            const ONE: &str = "全该本各每到驻包进联走整一二两三四五六七八九十个的这那其外邻此某非无多在于从向对为与和及";
            if ONE.contains(c[p - 1]) {
                return None;
            }
            let next = c.get(p + 1).copied().unwrap_or(' ');
            let bad_next: &str = match suffix {
                '村' => "级民委集容组部两干务",
                '镇' => "村办级",
                '县' => "级城委域区乡直",
                _ => "",
            };
            if bad_next.contains(next) {
                return None;
            }
            let bad_prev: &str = match suffix {
                '村' => "乡镇县村",
                '镇' => "乡县城集",
                '县' => "市区省县",
                _ => "",
            };
            if bad_prev.contains(c[p - 1]) {
                return None;
            }
            for g in &comp.generic_places {
                let n = g.len();
                if p + 1 >= n && c[p + 1 - n..=p] == g[..] {
                    return None;
                }
            }
            Some(c[p - 2..=p].iter().collect())
        };
        let mut out = Vec::new();
        // Villages and towns: a name is known when written next to another
        // place name (梅渚镇周家村, 全安镇狮湾村); every mention of a known name
        // is another place.
        let all_suffixes: Vec<char> = comp
            .place_suffixes
            .iter()
            .chain(&comp.region_suffixes)
            .copied()
            .chain(['乡', '区'])
            .collect();
        let candidate = |p: usize| -> bool {
            c.get(p).is_some_and(|ch| all_suffixes.contains(ch)) && name_at(p, c[p]).is_some()
        };
        let mut known: Vec<Vec<char>> = Vec::new();
        for (p, &ch) in c.iter().enumerate() {
            if !comp.place_suffixes.contains(&ch) || self.in_title[p] || name_at(p, ch).is_none() {
                continue;
            }
            let next_to_place = (p >= 3 && candidate(p - 3)) || candidate(p + 3);
            let name = c[p - 2..=p].to_vec();
            if next_to_place && !known.contains(&name) {
                known.push(name);
            }
        }
        for name in &known {
            for p in 2..c.len() {
                if c[p - 2..=p] == name[..] && name_at(p, c[p]).is_some() && !self.in_title[p] {
                    out.push(p);
                }
            }
        }
        // Counties: all but the most named one.
        let mut counts: Vec<(String, usize, Vec<usize>)> = Vec::new();
        for (p, &ch) in c.iter().enumerate() {
            if comp.region_suffixes.contains(&ch)
                && !self.in_title[p]
                && let Some(name) = name_at(p, ch)
            {
                match counts.iter_mut().find(|(n, _, _)| *n == name) {
                    Some((_, k, ps)) => {
                        *k += 1;
                        ps.push(p);
                    }
                    None => counts.push((name, 1, vec![p])),
                }
            }
        }
        if let Some(max) = counts.iter().map(|(_, k, _)| *k).max() {
            let main = counts.iter().position(|(_, k, _)| *k == max).unwrap_or(0);
            for (i, (_, _, ps)) in counts.iter().enumerate() {
                if i != main {
                    out.extend(ps);
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn run(&self, comp: &Compiled) -> Vec<Decision> {
        let c = self.c();
        let qs = quantity::scan_chars(c);
        let years = self.years();
        let occs = self.occurrences(comp);
        let places = self.other_places(comp);
        let sentences = self.sentences(&qs);
        let mut decisions = Vec::new();
        // Years of the last before/after pair with years, per paragraph.
        let mut last_pair_years: Option<(Option<String>, Option<String>)> = None;
        let mut last_sentence_end = 0;

        for (si, (sent, clauses, big)) in sentences.iter().enumerate() {
            // A new paragraph (a blank line since the last sentence) resets the pair years.
            if c[last_sentence_end.min(sent.start)..sent.start]
                .windows(2)
                .any(|w| w == ['\n', '\n'])
            {
                last_pair_years = None;
            }
            last_sentence_end = sent.end;
            let in_sent: Vec<usize> = (0..qs.len())
                .filter(|&k| qs[k].start >= sent.start && qs[k].end <= sent.end)
                .collect();
            if in_sent.is_empty() {
                continue;
            }
            let sent_text = self.slice(sent.start, sent.end);
            // A target word marks its clause and the clauses after it (计划今年
            // 底全部脱贫 says nothing of the numbers before it), or the whole
            // sentence when its clause points back (…,这是我市2017年的目标任务).
            let mut target_from: Option<usize> = None;
            // The year of a clause pointing back (…,这是我市2017年的目标任务).
            let mut target_year: Option<String> = None;
            for t in &comp.targets {
                for (b, _) in sent_text.match_indices(t.as_str()) {
                    let pos = sent.start + sent_text[..b].chars().count();
                    let end = pos + t.chars().count();
                    // A programme's name (“雨露计划”, 《…工作计划》) is no target,
                    // nor a cue inside a neutral phrase (计划生育), nor one
                    // that is done (确保了, 超额完成…目标任务).
                    if self.in_title[pos]
                        || self.in_quotes(pos)
                        || self.inside_word(*sent, pos, end, &comp.neutral)
                        || c.get(end) == Some(&'了')
                    {
                        continue;
                    }
                    let Some(k) = clauses
                        .iter()
                        .position(|cl| pos >= cl.start && pos <= cl.end)
                    else {
                        continue;
                    };
                    let lead = self.slice(clauses[k].start, pos);
                    if comp.targets_done.iter().any(|d| lead.contains(d.as_str())) {
                        continue;
                    }
                    let points_back = ["这", "此", "以上", "上述"]
                        .iter()
                        .any(|d| lead.trim_start().starts_with(d));
                    let from = if points_back { 0 } else { k };
                    if points_back && target_year.is_none() {
                        target_year = years
                            .iter()
                            .find(|y| y.start >= clauses[k].start && y.end <= clauses[k].end)
                            .and_then(|y| y.period.clone());
                    }
                    target_from = Some(target_from.map_or(from, |f| f.min(from)));
                }
            }
            // From which clause on the sentence is about elsewhere.
            let clause_of = |pos: usize| {
                clauses
                    .iter()
                    .position(|cl| pos >= cl.start && pos <= cl.end)
            };
            let mut elsewhere_from: Option<usize> = None;
            for f in &comp.foreign {
                if let Some(b) = sent_text.find(f.as_str()) {
                    let pos = sent.start + sent_text[..b].chars().count();
                    let k = clause_of(pos).unwrap_or(0);
                    elsewhere_from = Some(elsewhere_from.map_or(k, |e| e.min(k)));
                }
            }
            for &p in &places {
                if p >= sent.start && p < sent.end {
                    let k = clause_of(p).unwrap_or(0);
                    elsewhere_from = Some(elsewhere_from.map_or(k, |e| e.min(k)));
                }
            }

            // Candidates and the rules that discard quantities.
            let mut reject: HashMap<usize, String> = HashMap::new();
            for &k in &in_sent {
                let q = &qs[k];
                let ci = clause_of(q.start).unwrap_or(0);
                let clause = clauses[ci];
                if let Some(why) = self.generic_reject(comp, q, clause) {
                    reject.insert(k, why);
                } else if elsewhere_from.is_some_and(|e| ci >= e) {
                    reject.insert(k, "about another place".into());
                } else if target_from.is_some_and(|f| ci >= f) && !comp.tax.rules.keep_targets {
                    reject.insert(k, "a target, not a result".into());
                }
            }
            let live: Vec<usize> = in_sent
                .iter()
                .copied()
                .filter(|k| !reject.contains_key(k))
                .collect();

            // Groups (compounds), pairs and chains, per clause.
            let groups = Groups::new(&qs, &live);
            let pairs = self.pairs(&qs, &groups, clauses);
            let chains = self.chains(comp, &qs, &groups, &pairs, clauses, &occs);

            let mut chosen: Vec<(usize, usize)> = Vec::new();
            for &k in &in_sent {
                let q = &qs[k];
                let (s, e) = self.norm.original_span(q.start, q.end);
                let text: String = self.orig[s..e].iter().collect();
                if let Some(why) = reject.get(&k) {
                    decisions.push(Decision {
                        text,
                        start: s,
                        end: e,
                        figure: None,
                        reason: why.clone(),
                        partner: None,
                    });
                    continue;
                }
                let ci = clause_of(q.start).unwrap_or(0);
                let side = pairs
                    .get(&k)
                    .map(|p| p.0)
                    .or_else(|| self.end_by_verb(q, clauses[ci]));
                let mut choice = self.choose(
                    comp,
                    &qs,
                    k,
                    side,
                    clauses[ci],
                    &groups,
                    &pairs,
                    &chains,
                    &occs,
                );
                // An elliptical clause (金额19528.1万元, 其中…) borrows the words
                // of the clause before it.
                let lead = self.slice(clauses[ci].start, q.start);
                let short_lead = GAP_NOISE.replace_all(&lead, "").chars().count() <= 4;
                if choice.is_none() && ci > 0 && short_lead {
                    let wider = Span {
                        start: clauses[ci - 1].start,
                        end: clauses[ci].end,
                    };
                    let others_before = live.iter().any(|&j| {
                        qs[j].start >= clauses[ci - 1].start
                            && qs[j].end <= clauses[ci - 1].end
                            && comp_accepts_any(comp, &qs[j], &qs[k])
                    });
                    if !others_before {
                        choice =
                            self.choose(comp, &qs, k, side, wider, &groups, &pairs, &chains, &occs);
                    }
                }
                // 其中… counts a part of the figure before it: a figure only
                // when its own words give the same indicator (其中县级配套1.5亿元),
                // not a sub-group of another kind (其中建档立卡贫困户7320户 after
                // relocated households).
                if lead.starts_with("其中") && ci > 0 {
                    let parent = chosen.iter().rev().find(|(j, _)| {
                        qs[*j].unit == q.unit
                            && qs[*j].start >= clauses[ci - 1].start
                            && qs[*j].end <= clauses[ci - 1].end
                    });
                    if let (Some(&(_, p)), Some((own, _))) = (parent, &choice)
                        && p != *own
                    {
                        decisions.push(Decision {
                            text,
                            start: s,
                            end: e,
                            figure: None,
                            reason: "a sub-group (其中) of another figure".into(),
                            partner: None,
                        });
                        continue;
                    }
                }
                if let Some((ind, _)) = &choice {
                    chosen.push((k, *ind));
                }
                let Some((ind, why)) = choice else {
                    decisions.push(Decision {
                        text,
                        start: s,
                        end: e,
                        figure: None,
                        reason: "no indicator fits".into(),
                        partner: None,
                    });
                    continue;
                };
                let target = target_from.is_some_and(|f| ci >= f);
                let year = self
                    .year_for(
                        &qs,
                        &groups,
                        k,
                        &pairs,
                        &years,
                        clauses,
                        ci,
                        *big,
                        &sentences,
                        si,
                        &mut last_pair_years,
                    )
                    .or_else(|| target.then(|| target_year.clone()).flatten());
                let indicator = &comp.tax.indicators[ind];
                let unit = if indicator.unit.contains('|') || indicator.unit == "count" {
                    q.unit.clone()
                } else {
                    indicator.unit.clone()
                };
                let quote = self.quote(*sent, clauses[ci]);
                let qualifier = q.qualifier.clone();
                let partner = pairs.get(&k).map(|&(_, p)| {
                    let (ps, pe) = self.norm.original_span(qs[p].start, qs[p].end);
                    (ps, pe)
                });
                decisions.push(Decision {
                    text,
                    start: s,
                    end: e,
                    figure: Some(Figure {
                        key: indicator.key.clone(),
                        value: round_value(q.value),
                        unit,
                        year,
                        qualifier,
                        quote,
                        start: s,
                        end: e,
                        target,
                        doubt: None,
                    }),
                    reason: if target {
                        format!("{why}; a target")
                    } else {
                        why
                    },
                    partner,
                });
            }
        }
        decisions
    }

    /// Generic rules under which a quantity is no figure at all.
    fn generic_reject(&self, comp: &Compiled, q: &Quantity, clause: Span) -> Option<String> {
        let c = self.c();
        if q.unit.is_empty() {
            return Some("no unit".into());
        }
        if !comp.units.iter().any(|u| u.contains(&q.unit)) {
            return Some(format!("unit `{}` reports no indicator", q.unit));
        }
        if q.threshold {
            return Some("a threshold (以上的 …)".into());
        }
        // Percentages and decimals (百分之三点五) are never slogans.
        if q.chinese
            && q.value < 10.0
            && q.max.is_none_or(|m| m < 10.0)
            && q.unit != "percent"
            && q.value.fract() == 0.0
        {
            return Some("a small count in Chinese numerals (slogan or phrase)".into());
        }
        if q.max.is_some() {
            return Some("a range".into());
        }
        if self.in_title[q.start] {
            return Some("inside a title 《》".into());
        }
        if let Some(why) = self.enclosed(q, clause) {
            return Some(why);
        }
        if q.start > 0 && c[q.start - 1] == '等' {
            return Some("a group named by example (…等N个)".into());
        }
        let clause_text = self.slice(clause.start, clause.end);
        if q.unit == "percent" && comp.shares.iter().any(|s| clause_text.contains(s.as_str())) {
            return Some("a share".into());
        }
        if matches!(q.unit.as_str(), "people" | "households") {
            let before = self.slice(clause.start, q.start);
            if comp.subsets.iter().any(|r| r.is_match(&before)) {
                return Some("a sub-group (符合…条件的)".into());
            }
        }
        None
    }

    /// Whether the span `pos..end` of sentence `sent` lies inside one of
    /// `words` written there.
    fn inside_word(&self, sent: Span, pos: usize, end: usize, words: &[String]) -> bool {
        let c = self.c();
        words.iter().any(|w| {
            let w: Vec<char> = w.chars().collect();
            let n = w.len();
            n > end - pos
                && (end.saturating_sub(n)..=pos).any(|s| {
                    s >= sent.start && s + n <= sent.end && s + n >= end && c[s..s + n] == w[..]
                })
        })
    }

    /// Whether `pos` is inside “…” on its line.
    fn in_quotes(&self, pos: usize) -> bool {
        let c = self.c();
        let mut k = pos;
        while k > 0 {
            k -= 1;
            match c[k] {
                '”' | '\n' => return false,
                '“' => return true,
                _ => {}
            }
        }
        false
    }

    /// Quantities inside a short quotation (a slogan, “七改一增”) or in
    /// parentheses (an aside) are no figures.
    fn enclosed(&self, q: &Quantity, clause: Span) -> Option<String> {
        let c = self.c();
        // Parentheses within the sentence part before the quantity.
        let mut depth = 0i32;
        let from = clause.start.saturating_sub(60);
        for &ch in &c[from..q.start] {
            match ch {
                '(' => depth += 1,
                ')' => depth = (depth - 1).max(0),
                '。' | '\n' => depth = 0,
                _ => {}
            }
        }
        if depth > 0 {
            return Some("inside parentheses".into());
        }
        // Quotes: an open “ before with no ” between, and a ” within 12 chars after.
        let mut open = None;
        for k in (q.start.saturating_sub(12)..q.start).rev() {
            match c[k] {
                '”' | '\n' => break,
                '“' | '「' | '‘' => {
                    open = Some(k);
                    break;
                }
                _ => {}
            }
        }
        if let Some(o) = open {
            let close =
                (q.end..(q.end + 12).min(c.len())).find(|&k| matches!(c[k], '”' | '」' | '’'));
            if let Some(cl) = close
                && cl - o <= 14
            {
                return Some("inside a short quotation (slogan or name)".into());
            }
        }
        None
    }

    /// Before/after pairs of a sentence: 由X降至Y, 从X增加到Y, also of
    /// compounds (由2.86万户9.87万人减少到426户1103人, part by part).
    fn pairs(
        &self,
        qs: &[Quantity],
        groups: &Groups,
        clauses: &[Span],
    ) -> HashMap<usize, (Side, usize)> {
        let c = self.c();
        let mut out = HashMap::new();
        for w in groups.list.windows(2) {
            let (ga, gb) = (&w[0], &w[1]);
            let same_clause = clauses
                .iter()
                .any(|cl| ga.start >= cl.start && gb.end <= cl.end);
            if !same_clause {
                continue;
            }
            // 由/从 before the first value, with only years and 的 between.
            let from = ga.start.saturating_sub(14);
            let Some(marker) = (from..ga.start)
                .rev()
                .find(|&k| matches!(c[k], '由' | '从'))
            else {
                continue;
            };
            let gap = self.slice(marker + 1, ga.start);
            if !GAP_NOISE.replace_all(&gap, "").is_empty() {
                continue;
            }
            let mid = self.slice(ga.end, gb.start);
            let mid = mid.trim_start_matches(['/', '年', '人', '户']);
            let mid = GAP_NOISE.replace_all(mid, "");
            if !PAIR_VERB.is_match(&mid) {
                continue;
            }
            for &a in &ga.members {
                if let Some(&b) = gb.members.iter().find(|&&b| qs[b].unit == qs[a].unit) {
                    out.insert(a, (Side::Start, b));
                    out.insert(b, (Side::End, a));
                }
            }
        }
        out
    }

    /// A value right after a change verb (贫困发生率降至1%) is an end value.
    fn end_by_verb(&self, q: &Quantity, clause: Span) -> Option<Side> {
        let before = self.slice(clause.start, q.start);
        let before = GAP_NOISE.replace_all(&before, "");
        END_VERB.is_match(&before).then_some(Side::End)
    }

    /// Chains: groups written together (no punctuation and no cue between),
    /// and the two values of a pair. Returns the chain id of every quantity.
    fn chains(
        &self,
        comp: &Compiled,
        qs: &[Quantity],
        groups: &Groups,
        pairs: &HashMap<usize, (Side, usize)>,
        clauses: &[Span],
        occs: &[Occ],
    ) -> HashMap<usize, usize> {
        let c = self.c();
        let mut chain: HashMap<usize, usize> = HashMap::new();
        let ids: Vec<usize> = groups.list.iter().map(|g| g.first).collect();
        let mut parent: HashMap<usize, usize> = ids.iter().map(|&i| (i, i)).collect();
        fn find(p: &mut HashMap<usize, usize>, x: usize) -> usize {
            let mut r = x;
            while p[&r] != r {
                r = p[&r];
            }
            p.insert(x, r);
            r
        }
        let union = |p: &mut HashMap<usize, usize>, a: usize, b: usize| {
            let (ra, rb) = (find(p, a), find(p, b));
            if ra != rb {
                p.insert(rb.max(ra), rb.min(ra));
            }
        };
        for w in groups.list.windows(2) {
            let (g1, g2) = (&w[0], &w[1]);
            let same_clause = clauses
                .iter()
                .any(|cl| g1.start >= cl.start && g2.end <= cl.end);
            if !same_clause || g2.start < g1.end || g2.start - g1.end > 8 {
                continue;
            }
            // Only quantities of different units make one statement
            // (97个贫困村15316户42991人); two of the same unit are two
            // statements (42个贫困村中已有37个出列).
            let units_of = |g: &Group| -> Vec<&str> {
                g.members.iter().map(|&m| qs[m].unit.as_str()).collect()
            };
            let (u1, u2) = (units_of(g1), units_of(g2));
            if u1.iter().any(|u| u2.contains(u)) {
                continue;
            }
            let gap = &c[g1.end..g2.start];
            // 、 joins parallel objects (带动贫困户3200户、贫困人口1.1万人).
            if gap
                .iter()
                .any(|ch| ch.is_ascii_punctuation() || ",;:“”()。".contains(*ch))
            {
                continue;
            }
            let cue_between = occs.iter().any(|o| {
                o.start >= g1.end
                    && o.end <= g2.start
                    && comp.terms[o.term]
                        .uses
                        .iter()
                        .any(|(_, r, _)| *r == Role::Cue)
            });
            if !cue_between {
                union(&mut parent, g1.first, g2.first);
            }
        }
        for (&a, &(_, b)) in pairs {
            let (ga, gb) = (groups.of(a), groups.of(b));
            if let (Some(ga), Some(gb)) = (ga, gb) {
                union(&mut parent, ga, gb);
            }
        }
        for g in &groups.list {
            let root = find(&mut parent, g.first);
            for &m in &g.members {
                chain.insert(m, root);
            }
        }
        chain
    }

    /// The group that a word occurrence belongs to: the nearest group in the
    /// clause with a unit its indicators accept (ties: the one after it).
    fn owner(
        &self,
        comp: &Compiled,
        o: &Occ,
        groups: &Groups,
        qs: &[Quantity],
        clause: Span,
    ) -> Option<usize> {
        let units = &comp.terms[o.term].units;
        let mut best: Option<(usize, bool, usize)> = None; // (distance, before-occurrence, group first)
        for g in &groups.list {
            if g.start < clause.start || g.end > clause.end {
                continue;
            }
            if !g.members.iter().any(|&m| units.contains(&qs[m].unit)) {
                continue;
            }
            let (dist, group_before) = if o.end <= g.start {
                (g.start - o.end, false)
            } else if g.end <= o.start {
                (o.start - g.end, true)
            } else {
                (0, false)
            };
            let better = match best {
                None => true,
                Some((d, gb, _)) => dist < d || (dist == d && gb && !group_before),
            };
            if better {
                best = Some((dist, group_before, g.first));
            }
        }
        best.map(|b| b.2)
    }

    /// Whether a subject occurrence stands next to the quantity's group.
    fn adjacent(&self, o: &Occ, g: &Group, at: SubjectAt) -> bool {
        let before_ok = || {
            o.end <= g.start && g.start - o.end <= 10 && {
                let gap = self.slice(o.end, g.start);
                let gap = GAP_NOISE.replace_all(&gap, "");
                only_fillers(&gap, FILLERS_BEFORE)
            }
        };
        let after_ok = || {
            o.start >= g.end && o.start - g.end <= 3 && {
                let gap = self.slice(g.end, o.start);
                only_fillers(gap.trim(), FILLERS_AFTER)
            }
        };
        // 42个贫困村中(已有37个出列): the whole of a partition is stated
        // like a subject before its number.
        let partitive = || after_ok() && self.c().get(o.end) == Some(&'中');
        match at {
            SubjectAt::Adjacent => before_ok() || after_ok(),
            SubjectAt::Before => before_ok() || partitive(),
            SubjectAt::After => after_ok(),
            SubjectAt::Clause => true,
        }
    }

    /// Chooses the indicator of quantity `k`, with the reason.
    #[allow(clippy::too_many_arguments)]
    fn choose(
        &self,
        comp: &Compiled,
        qs: &[Quantity],
        k: usize,
        side: Option<Side>,
        clause: Span,
        groups: &Groups,
        pairs: &HashMap<usize, (Side, usize)>,
        chains: &HashMap<usize, usize>,
        occs: &[Occ],
    ) -> Option<(usize, String)> {
        let q = &qs[k];
        let my_chain = chains.get(&k).copied();
        let clause_text = self.slice(clause.start, clause.end);
        let in_clause: Vec<&Occ> = occs
            .iter()
            .filter(|o| o.start >= clause.start && o.end <= clause.end)
            .collect();
        // Groups whose subjects count for this quantity: its own and its pair partner's.
        let mut my_groups: Vec<&Group> = Vec::new();
        if let Some(g) = groups.of(k).and_then(|f| groups.get(f)) {
            my_groups.push(g);
        }
        if let Some(&(_, partner)) = pairs.get(&k)
            && let Some(g) = groups.of(partner).and_then(|f| groups.get(f))
        {
            my_groups.push(g);
        }
        // Which words of the clause belong to this quantity's chain.
        let mine: Vec<(usize, usize)> = in_clause
            .iter()
            .filter(|o| match self.owner(comp, o, groups, qs, clause) {
                Some(owner) => my_chain.is_some() && chains.get(&owner).copied() == my_chain,
                None => false,
            })
            .map(|o| (o.start, o.term))
            .collect();
        let belongs = |o: &Occ| -> bool { mine.contains(&(o.start, o.term)) };
        let mut best: Option<(i32, usize, usize, String)> = None; // (priority, specificity, indicator, why)
        for (i, ind) in comp.tax.indicators.iter().enumerate() {
            // Without words an indicator cannot be recognised (a taxonomy
            // with labels only extracts nothing).
            if !comp.units[i].contains(&q.unit) || (ind.subjects.is_empty() && ind.cues.is_empty())
            {
                continue;
            }
            match (ind.side, side) {
                (Some(Side::Start), Some(Side::End)) | (Some(Side::End), Some(Side::Start)) => {
                    continue;
                }
                _ => {}
            }
            let uses_of = |o: &Occ, role: Role| -> bool {
                comp.terms[o.term].uses.iter().any(|(ii, r, extras)| {
                    *ii == i
                        && *r == role
                        && extras.iter().all(|x| clause_text.contains(x.as_str()))
                })
            };
            // Negative words.
            if in_clause.iter().any(|o| uses_of(o, Role::Negative)) {
                continue;
            }
            // Subject.
            let mut subject_len = 0;
            let mut subject_word = String::new();
            if !ind.subjects.is_empty() {
                // The longest fitting subject (the first of equals).
                let found = in_clause
                    .iter()
                    .filter(|o| uses_of(o, Role::Subject))
                    .filter(|o| {
                        if ind.subject_at == SubjectAt::Clause {
                            belongs(o)
                        } else {
                            my_groups
                                .iter()
                                .any(|g| self.adjacent(o, g, ind.subject_at))
                        }
                    })
                    .rev()
                    .max_by_key(|o| o.end - o.start);
                match found {
                    Some(o) => {
                        subject_len = o.end - o.start;
                        subject_word = comp.terms[o.term].text.clone();
                    }
                    None => continue,
                }
            }
            // Cue.
            let mut cue_len = 0;
            let mut cue_word = String::new();
            let side_end = ind.side == Some(Side::End) && side == Some(Side::End);
            if !ind.cues.is_empty() {
                let found = in_clause
                    .iter()
                    .filter(|o| uses_of(o, Role::Cue) && belongs(o))
                    .rev()
                    .max_by_key(|o| o.end - o.start);
                match found {
                    Some(o) => {
                        cue_len = o.end - o.start;
                        cue_word = comp.terms[o.term].text.clone();
                    }
                    None if side_end => {}
                    None => continue,
                }
            } else if ind.side == Some(Side::End) && side != Some(Side::End) {
                continue;
            }
            let spec = subject_len + cue_len;
            let better = match &best {
                None => true,
                Some((p, s, _, _)) => ind.priority > *p || (ind.priority == *p && spec > *s),
            };
            if better {
                let mut why = Vec::new();
                if !subject_word.is_empty() {
                    why.push(format!("subject {subject_word}"));
                }
                if !cue_word.is_empty() {
                    why.push(format!("cue {cue_word}"));
                }
                if side_end {
                    why.push("end of a change".into());
                }
                best = Some((ind.priority, spec, i, why.join(", ")));
            }
        }
        best.map(|(_, _, i, why)| (i, why))
    }

    /// The year or period of quantity `k`.
    #[allow(clippy::too_many_arguments)]
    fn year_for(
        &self,
        qs: &[Quantity],
        groups: &Groups,
        k: usize,
        pairs: &HashMap<usize, (Side, usize)>,
        years: &[YearExpr],
        clauses: &[Span],
        ci: usize,
        big: usize,
        sentences: &[(Span, Vec<Span>, usize)],
        si: usize,
        last_pair: &mut Option<(Option<String>, Option<String>)>,
    ) -> Option<String> {
        let q = &qs[k];
        let clause = clauses[ci];
        // 1. A pair: the year written with each value.
        if let Some(&(side, partner)) = pairs.get(&k) {
            let (first, second) = match side {
                Side::Start => (k, partner),
                Side::End => (partner, k),
            };
            let span_of = |m: usize| {
                groups
                    .of(m)
                    .and_then(|f| groups.get(f))
                    .map_or((qs[m].start, qs[m].end), |g| (g.start, g.end))
            };
            let (qa, qb) = (span_of(first), span_of(second));
            struct S {
                start: usize,
                end: usize,
            }
            let (qa, qb) = (
                S {
                    start: qa.0,
                    end: qa.1,
                },
                S {
                    start: qb.0,
                    end: qb.1,
                },
            );
            let y_a = years
                .iter()
                .rfind(|y| y.end <= qa.start && y.start + 14 >= qa.start && y.start >= clause.start)
                .and_then(|y| y.period.clone());
            let y_b = years
                .iter()
                .rfind(|y| y.start >= qa.end && y.end <= qb.start)
                .and_then(|y| y.period.clone());
            if y_a.is_some() || y_b.is_some() {
                if side == Side::End {
                    *last_pair = Some((y_a.clone(), y_b.clone()));
                }
                // An end without a year of its own (由2014年的X降至Y) takes
                // the context's year below (截至2019年底).
                match side {
                    Side::Start => return y_a,
                    Side::End if y_b.is_some() => return y_b,
                    Side::End => {}
                }
            } else if let Some((a, b)) = last_pair.clone() {
                // No years of its own: those of the paragraph's previous pair;
                // else the start is unknown and the end takes the context's year.
                match side {
                    Side::Start => return a,
                    Side::End if b.is_some() => return b,
                    Side::End => {}
                }
            } else if side == Side::Start {
                return None;
            }
        }

        // 2. The clause: the nearest year before the quantity, else after it.
        let in_clause: Vec<&YearExpr> = years
            .iter()
            .filter(|y| y.start >= clause.start && y.end <= clause.end)
            .filter(|y| {
                !pairs.keys().any(|&p| {
                    // A year right before a pair value (…的) belongs to it.
                    p != k && y.end <= qs[p].start && qs[p].start - y.end <= 3
                })
            })
            .collect();
        if let Some(y) = in_clause.iter().rfind(|y| y.end <= q.start) {
            return y.period.clone();
        }
        if let Some(y) = in_clause.iter().find(|y| y.start >= q.end) {
            return y.period.clone();
        }
        // 3. A time adverbial earlier in the sentence: a clause without
        //    numbers (截至2019年底, “十三五”期间, 2016年以来) or a year opening
        //    a clause (2019年每个贫困村…, “十三五”期间共建成…); in earlier
        //    sentences of the same big sentence (to 。), only the former.
        let mut k_sent = si;
        loop {
            let (s, cls, b) = &sentences[k_sent];
            if *b != big {
                break;
            }
            let limit = if k_sent == si { q.start } else { s.end };
            for cl in cls.iter().rev() {
                if cl.start >= limit {
                    continue;
                }
                let ys: Vec<&YearExpr> = years
                    .iter()
                    .filter(|y| y.start >= cl.start && y.end <= cl.end.min(limit))
                    .collect();
                if ys.is_empty() {
                    continue;
                }
                let has_numbers = qs
                    .iter()
                    .any(|x| x.start >= cl.start && x.end <= cl.end && x.unit != "time");
                let lead = self.slice(cl.start, ys[0].start);
                let opens_clause = only_fillers(
                    lead.trim(),
                    &["截至", "截止到", "截止", "到", "在", "于", "从", "自"],
                );
                // A clause with a time frame of its own (累计, 目前 …) does
                // not take the year of an earlier statement.
                let own_frame = [
                    "累计", "目前", "至今", "现在", "经过", "当前", "截至", "已有",
                ]
                .iter()
                .any(|w| self.slice(clause.start, clause.end).contains(w));
                if !has_numbers || (k_sent == si && opens_clause && !own_frame) {
                    return ys.last().and_then(|y| y.period.clone());
                }
            }
            if k_sent == 0 {
                break;
            }
            k_sent -= 1;
        }
        None
    }

    /// The quote: the sentence, or the clause when the sentence is long.
    fn quote(&self, sent: Span, clause: Span) -> String {
        let span = if sent.end - sent.start <= 80 {
            sent
        } else {
            clause
        };
        let (s, e) = self.norm.original_span(span.start, span.end);
        let text: String = self.orig[s..e].iter().collect();
        text.trim().to_string()
    }
}

/// Whether the two quantities could report the same indicator.
fn comp_accepts_any(comp: &Compiled, a: &Quantity, b: &Quantity) -> bool {
    a.unit == b.unit && comp.units.iter().any(|u| u.contains(&a.unit))
}

/// Values like 2.7779万 multiply to 27778.999999999996; round to the digits
/// the text can carry.
fn round_value(v: f64) -> f64 {
    let r = (v * 1e6).round() / 1e6;
    if (r - v).abs() < 1e-6 * v.abs().max(1.0) {
        r
    } else {
        v
    }
}

/// Compound groups (X户Y人) of the live quantities of a sentence.
struct Group {
    first: usize,
    members: Vec<usize>,
    start: usize,
    end: usize,
}

struct Groups {
    list: Vec<Group>,
}

impl Groups {
    fn new(qs: &[Quantity], live: &[usize]) -> Groups {
        let mut list: Vec<Group> = Vec::new();
        for &k in live {
            let id = qs[k].compound.unwrap_or(k);
            match list.iter_mut().find(|g| g.first == id) {
                Some(g) => {
                    g.members.push(k);
                    g.start = g.start.min(qs[k].start);
                    g.end = g.end.max(qs[k].end);
                }
                None => list.push(Group {
                    first: id,
                    members: vec![k],
                    start: qs[k].start,
                    end: qs[k].end,
                }),
            }
        }
        list.sort_by_key(|g| g.start);
        Groups { list }
    }

    fn of(&self, k: usize) -> Option<usize> {
        self.list
            .iter()
            .find(|g| g.members.contains(&k))
            .map(|g| g.first)
    }

    fn get(&self, first: usize) -> Option<&Group> {
        self.list.iter().find(|g| g.first == first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/indicators.yaml"),
        )
        .unwrap()
    }

    #[test]
    fn never_panics_and_spans_hold() {
        let tax = taxonomy();
        let alphabet: Vec<char> = "0123456789１２.,,。;:、%％万亿萬億元户戶人名个年月日以上余多近约由从降至增到“”《》()（）\\*#\n 贫困村脱贫户搬迁带动剩余其中等第前后十百千一二两三五镇县发生率".chars().collect();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..400 {
            let len = (seed % 80) as usize;
            let mut text = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let n = text.chars().count();
            for f in extract_figures(&text, &tax) {
                assert!(f.start < f.end && f.end <= n, "{text:?}: {f:?}");
                assert!(text.contains(&f.quote), "{text:?}: {f:?}");
            }
        }
    }

    #[test]
    fn empty_and_plain_bodies() {
        let tax = taxonomy();
        assert!(extract_figures("", &tax).is_empty());
        assert!(extract_figures("## 标题\n\n没有数字的段落。\n", &tax).is_empty());
        assert!(extract_figures("全县累计脱贫5000人", &Taxonomy::default()).is_empty());
        // A taxonomy of labels only (no words) recognises nothing.
        let labels_only = Taxonomy::parse(
            "- {key: people_lifted, label_zh: 脱贫人口, label_en: people lifted, unit: people}\n\
             - {key: poverty_rate_start, label_zh: 起, label_en: start, unit: percent}\n",
        )
        .unwrap();
        assert!(extract_figures("全县累计脱贫5000人,贫困发生率2.1%。", &labels_only).is_empty());
    }

    #[test]
    fn explain_gives_a_reason_for_every_quantity() {
        let d = explain("召开会议80余次,全县累计脱贫5000人。", &taxonomy());
        assert_eq!(d.len(), 2);
        assert!(d[0].figure.is_none() && !d[0].reason.is_empty());
        assert_eq!(
            d[1].figure.as_ref().map(|f| f.key.as_str()),
            Some("people_lifted")
        );
    }
}
