//! Finding the region an article is about.
//!
//! Every name of a division in the title and body is found (full names such
//! as 内乡县, aliases such as 丰宁县 for 丰宁满族自治县, short names such as
//! 内乡), each mention is resolved to one division, and the divisions are
//! scored:
//!
//! * a full name counts 2 in the body and 6 in the title, a short name 1 and 4;
//! * a name shared by several divisions (市中区, 朝阳, 城关区) goes to the one
//!   whose prefecture or province the text also names (left unresolved when
//!   nothing tells them apart);
//! * weak names count only when the division is also named in full or its
//!   parent (prefecture, or province for a division directly under one) is
//!   named: shared names, short names that are common words (富裕, 合作, 资源,
//!   江山 ...), short names of districts, and two-character full names (和县,
//!   成县), which turn up inside ordinary words (省市和县, 完成县级);
//! * any other short name without such support counts half, and only when it
//!   occurs twice or in the title (确定边缘户 holds 定边 once);
//! * a prefecture or province that only qualifies the next name (南阳市内乡县)
//!   counts a quarter;
//! * a prefecture named in its own right gets half the score of its counties
//!   and districts when the text names two or more of them;
//! * the words 全县/县委, 全市/我市, 全区 ... tell which kind of division the text
//!   speaks from, and raise the score of divisions of that kind by up to half.
//!
//! The best county- or prefecture-level division (or municipality) wins if it
//! scores at least 3 and a province does not score more than twice as much
//! (then the article is about the province, which is not a result).

use std::collections::HashMap;

use crate::data::regions::{NameKind, NameMatch};
use crate::data::{RegionLevel, Regions};

/// Short names that are also ordinary words or parts of common phrases; they
/// count only when the text also names the division's prefecture or
/// province, or the division in full.
const COMMON_WORDS: &[&str] = &[
    "大名", "兴隆", "大城", "大同", "平定", "长治", "长子", "和顺", "交口", "孝义", "新民", "灯塔",
    "盘山", "榆树", "磐石", "梨树", "临江", "龙井", "方正", "木兰", "延寿", "龙江", "泰来", "富裕",
    "友谊", "东海", "滨海", "长兴", "开化", "江山", "天台", "临海", "无为", "太湖", "天长", "清流",
    "大田", "永安", "东山", "平和", "光泽", "连城", "莲花", "修水", "湖口", "新干", "万安", "铜鼓",
    "樟树", "万年", "高密", "平原", "惠民", "新安", "博爱", "台前", "民权", "商城", "大悟", "公安",
    "洞口", "桃源", "中方", "会同", "双峰", "凤凰", "龙门", "和平", "阳春", "新兴", "全州", "资源",
    "兴业", "凌云", "乐业", "东方", "大英", "南部", "大方", "富民", "安宁", "大关", "威信", "定日",
    "比如", "延长", "清水", "康乐", "合作", "同仁", "共和", "同德", "久治", "乌兰", "同心", "温泉",
    "新星", "白杨", "日照", "安康", "白银", "大庆", "中山", "三明", "白山", "四平", "普洱", "阿里",
    "山南", "武威", "来宾", "河源", "开封", "大厂", "青龙", "长白", "通道", "互助", "大通", "三江",
    "沿河", "石林", "澜沧", "河口", "石柱", "武功", "白水", "金沙", "赤水", "江口", "南华", "建水",
    "红河", "祥云", "亚东", "吉隆", "改则", "三原", "甘泉", "景泰", "高台", "山丹", "灵台", "杂多",
    "盐池", "黄山", "长寿", "安居", "乐业", "永和", "太和", "宁国", "新化", "新田", "东乡", "民和",
    "玉龙", "白沙", "长宁", "长乐", "安国", "兴国", "新建", "开阳", "从江", "玉树", "海西", "海北",
    "和政", "康保", "定边", "东明", "和龙", "和静", "和硕", "平安", "安定", "振兴", "解放", "光明",
    "金安", "城关",
];

/// Full names that are ordinary words (城区 "urban area", 新县城 "new county
/// town"): treated like [`COMMON_WORDS`].
const COMMON_FULL_NAMES: &[&str] = &[
    "城区",
    "郊区",
    "矿区",
    "东区",
    "西区",
    "新城区",
    "老城区",
    "新市区",
    "城中区",
    "城东区",
    "城西区",
    "城北区",
    "市中区",
    "河东区",
    "河西区",
    "江南区",
    "江北区",
    "南山区",
    "北山区",
];

/// Words by which a text speaks from a kind of division (全县, 我市 ...).
const LEVEL_WORDS: &[(Kind, &[&str])] = &[
    (
        Kind::County,
        &["全县", "我县", "本县", "该县", "县委", "县政府"],
    ),
    (
        Kind::City,
        &["全市", "我市", "本市", "该市", "市委", "市政府"],
    ),
    (
        Kind::District,
        &["全区", "我区", "本区", "该区", "区委", "区政府"],
    ),
    (
        Kind::Banner,
        &["全旗", "我旗", "本旗", "该旗", "旗委", "旗政府"],
    ),
    (
        Kind::AutonomousPrefecture,
        &["全州", "我州", "本州", "该州", "州委", "州政府"],
    ),
    (Kind::League, &["全盟", "我盟", "盟委"]),
    (Kind::Prefecture, &["全地区", "地委", "行署"]),
    (
        Kind::Province,
        &["全省", "我省", "本省", "该省", "省委", "省政府"],
    ),
];

/// The kind of division by the generic part of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    County,
    City,
    District,
    Banner,
    AutonomousPrefecture,
    League,
    Prefecture,
    Province,
}

fn kind_of(name_zh: &str) -> Kind {
    if name_zh.ends_with("自治州") {
        Kind::AutonomousPrefecture
    } else if name_zh.ends_with("地区") {
        Kind::Prefecture
    } else if name_zh.ends_with('省') || name_zh.ends_with("自治区") || name_zh.ends_with("行政区")
    {
        Kind::Province
    } else if name_zh.ends_with('县') {
        Kind::County
    } else if name_zh.ends_with('市') {
        Kind::City
    } else if name_zh.ends_with('旗') {
        Kind::Banner
    } else if name_zh.ends_with('盟') {
        Kind::League
    } else {
        Kind::District
    }
}

/// Returns the GB/T 2260 code of the county- or prefecture-level region the
/// article is mainly about, if any.
pub fn detect(title: &str, body: &str, regions: &Regions) -> Option<String> {
    let ranked = rank(title, body, regions);
    let (code, score) = ranked.iter().find(|(code, _)| eligible(regions, code))?;
    if *score < 3.0 {
        return None;
    }
    let province = ranked
        .iter()
        .filter(|(code, _)| !eligible(regions, code))
        .map(|(_, s)| *s)
        .fold(0.0, f64::max);
    if province > 2.0 * score {
        return None;
    }
    Some(code.clone())
}

/// County- and prefecture-level divisions and municipalities can be what an
/// article is about; provinces cannot.
fn eligible(regions: &Regions, code: &str) -> bool {
    regions
        .get(code)
        .is_some_and(|r| r.level != RegionLevel::Province || r.is_municipality())
}

/// One name found in the title or the body.
struct Mention<'a> {
    m: NameMatch<'a>,
    in_title: bool,
}

impl Mention<'_> {
    /// The distinct regions the name can refer to.
    fn candidates(&self) -> impl Iterator<Item = usize> + '_ {
        self.m.hits.iter().map(|h| h.index)
    }

    fn kind_for(&self, index: usize) -> NameKind {
        self.m
            .hits
            .iter()
            .find(|h| h.index == index)
            .map(|h| h.kind)
            .unwrap_or(NameKind::Short)
    }
}

/// Every division named in the text with its score, best first (ties by
/// level, county before prefecture before province, then by code).
pub fn rank(title: &str, body: &str, regions: &Regions) -> Vec<(String, f64)> {
    let mut mentions: Vec<Mention> = Vec::new();
    for (text, in_title) in [(title, true), (body, false)] {
        mentions.extend(
            regions
                .find_names(text)
                .into_iter()
                .map(|m| Mention { m, in_title }),
        );
    }
    if mentions.is_empty() {
        return Vec::new();
    }

    // How often each division is named in any form, and in full without
    // ambiguity.
    let mut named: HashMap<usize, f64> = HashMap::new();
    let mut named_in_full: HashMap<usize, f64> = HashMap::new();
    for mention in &mentions {
        for i in mention.candidates() {
            *named.entry(i).or_default() += 1.0;
        }
        if let [hit] = mention.m.hits
            && hit.kind != NameKind::Short
            && !is_weak_full(mention.m.name)
        {
            *named_in_full.entry(hit.index).or_default() += 1.0;
        }
    }
    let ancestors_of = |i: usize| ancestors(regions, i);
    // Evidence that a division is meant, besides the mention itself: it is
    // named in full, or its prefecture or province is named. `context`
    // chooses between divisions of the same name; `support`, stricter (the
    // division itself or its immediate parent), lets weak names count.
    let own = |i: usize| 2.0 * named_in_full.get(&i).copied().unwrap_or(0.0);
    let named_as = |i: usize| named.get(&i).copied().unwrap_or(0.0);
    let context =
        |i: usize| -> f64 { own(i) + ancestors_of(i).iter().map(|&a| named_as(a)).sum::<f64>() };
    let support =
        |i: usize| -> f64 { own(i) + ancestors_of(i).first().map_or(0.0, |&p| named_as(p)) };
    let mut times_named: HashMap<&str, usize> = HashMap::new();
    for mention in &mentions {
        *times_named.entry(mention.m.name).or_default() += if mention.in_title { 2 } else { 1 };
    }

    // Resolve each mention to one division.
    let resolved: Vec<Option<(usize, bool)>> = mentions
        .iter()
        .map(|mention| {
            let mut cands: Vec<usize> = mention.candidates().collect();
            cands.dedup();
            let ambiguous = cands.len() > 1;
            let chosen = if ambiguous {
                let mut scored: Vec<(f64, RegionLevel, usize)> = cands
                    .iter()
                    .map(|&i| (context(i), regions.at(i).level, i))
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let (best, second) = (scored[0], scored[1]);
                if best.0 == second.0 && best.1 == second.1 {
                    return None; // 市中区 with nothing to tell which
                }
                best.2
            } else {
                cands[0]
            };
            let weak = ambiguous || is_weak(mention, chosen, regions);
            Some((chosen, weak))
        })
        .collect();

    let mut scores: HashMap<usize, f64> = HashMap::new();
    for (n, mention) in mentions.iter().enumerate() {
        let Some((i, weak)) = resolved[n] else {
            continue;
        };
        let kind = mention.kind_for(i);
        let mut w = match (kind, mention.in_title) {
            (NameKind::Short, true) => 4.0,
            (NameKind::Short, false) => 1.0,
            (_, true) => 6.0,
            (_, false) => 2.0,
        };
        let supported = support(i) > 0.0;
        if weak && !supported {
            continue;
        }
        if kind == NameKind::Short && !supported {
            // A lone short name may be two words run together (确定边缘户
            // holds 定边): it needs a second mention or the title.
            if times_named[mention.m.name] < 2 {
                continue;
            }
            w *= 0.5;
        }
        // 南阳市内乡县: the prefecture only qualifies the county.
        if let Some(next) = mentions.get(n + 1)
            && next.in_title == mention.in_title
            && next.m.start == mention.m.end
            && let Some((j, _)) = resolved[n + 1]
            && ancestors_of(j).contains(&i)
        {
            w *= 0.25;
        }
        *scores.entry(i).or_default() += w;
    }

    // A prefecture named in its own right, with several of its divisions.
    let mut children: HashMap<usize, (usize, f64)> = HashMap::new();
    for (&i, &s) in &scores {
        if regions.at(i).level == RegionLevel::County
            && let Some(&p) = ancestors_of(i).first()
        {
            let e = children.entry(p).or_default();
            e.0 += 1;
            e.1 += s;
        }
    }
    for (p, (count, sum)) in children {
        if count >= 2
            && let Some(s) = scores.get_mut(&p)
        {
            *s += 0.5 * sum;
        }
    }

    // 全县, 我市 ...: the kind of division the text speaks from.
    let mut level_counts: HashMap<Kind, f64> = HashMap::new();
    for (kind, words) in LEVEL_WORDS {
        let n: usize = words
            .iter()
            .map(|w| title.matches(w).count() + body.matches(w).count())
            .sum();
        *level_counts.entry(*kind).or_default() += n as f64;
    }
    let total: f64 = level_counts.values().sum();
    let mut ranked: Vec<(String, f64, RegionLevel)> = scores
        .into_iter()
        .filter(|(_, s)| *s > 0.0)
        .map(|(i, s)| {
            let r = regions.at(i);
            let share = if total > 0.0 {
                level_counts
                    .get(&kind_of(&r.name_zh))
                    .copied()
                    .unwrap_or(0.0)
                    / total
            } else {
                0.0
            };
            (r.code.clone(), s * (1.0 + 0.5 * share), r.level)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    ranked.into_iter().map(|(code, s, _)| (code, s)).collect()
}

/// Positions of the enclosing divisions, innermost first.
fn ancestors(regions: &Regions, i: usize) -> Vec<usize> {
    regions
        .ancestry(&regions.at(i).code)
        .skip(1)
        .filter_map(|r| regions.index_of(&r.code))
        .collect()
}

fn is_weak_full(name: &str) -> bool {
    COMMON_FULL_NAMES.contains(&name) || name.chars().count() <= 2
}

/// Whether a mention needs other evidence before it counts.
fn is_weak(mention: &Mention, index: usize, regions: &Regions) -> bool {
    let name = mention.m.name;
    match mention.kind_for(index) {
        NameKind::Short => {
            COMMON_WORDS.contains(&name) || kind_of(&regions.at(index).name_zh) == Kind::District
        }
        NameKind::Full | NameKind::Alias => is_weak_full(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::OnceLock;

    fn regions() -> &'static Regions {
        static REGIONS: OnceLock<Regions> = OnceLock::new();
        REGIONS.get_or_init(|| {
            Regions::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap()
        })
    }

    fn seed(prefix: &str) -> std::path::PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap_or_else(|| panic!("no seed {prefix}"))
    }

    const SEEDS: &[(&str, &str)] = &[
        ("000_", "411325"),
        ("001_", "411322"),
        ("002_", "341821"),
        ("003_", "611022"),
        ("004_", "511000"),
    ];

    #[test]
    fn seeds_from_raw_text() {
        for (prefix, code) in SEEDS {
            let bytes = std::fs::read(seed(prefix)).unwrap();
            let text = crate::ingest::decode::decode(&bytes).text;
            let got = detect("", &text, regions());
            assert_eq!(
                got.as_deref(),
                Some(*code),
                "{prefix}: {:?}",
                &rank("", &text, regions())[..3]
            );
        }
    }

    #[test]
    fn seeds_from_cleaned_articles() {
        for (prefix, code) in SEEDS {
            let article = crate::ingest::clean_seed_file(&seed(prefix)).unwrap();
            let body = article.body_markdown();
            let got = detect(&article.title, &body, regions());
            assert_eq!(
                got.as_deref(),
                Some(*code),
                "{prefix}: {:?}",
                &rank(&article.title, &body, regions())[..3]
            );
        }
    }

    #[test]
    fn seed_regions_sit_in_the_right_places() {
        let r = regions();
        let place = |code: &str| {
            let chain: Vec<&str> = r.ancestry(code).map(|x| x.name_zh.as_str()).collect();
            chain.join(" ")
        };
        assert_eq!(place("411325"), "内乡县 南阳市 河南省");
        assert_eq!(place("411322"), "方城县 南阳市 河南省");
        assert_eq!(place("341821"), "郎溪县 宣城市 安徽省");
        assert_eq!(place("611022"), "丹凤县 商洛市 陕西省");
        assert_eq!(place("511000"), "内江市 四川省");
    }

    #[test]
    fn a_paired_county_does_not_win() {
        let body = "郎溪县与岳西县结对帮扶。郎溪县全县贫困人口全部脱贫，郎溪县委高度重视。岳西县来郎溪考察。";
        assert_eq!(detect("", body, regions()).as_deref(), Some("341821"));
    }

    #[test]
    fn a_city_article_naming_its_districts_is_about_the_city() {
        let body = "内江市深入推进脱贫攻坚。我市市中区、东兴区、威远县、资中县和隆昌市全面发力，全市贫困人口大幅减少。\
                    内江市委强调，威远县要继续努力。";
        assert_eq!(detect("", body, regions()).as_deref(), Some("511000"));
    }

    #[test]
    fn same_named_districts_follow_their_city() {
        let body = "乐山市市中区脱贫攻坚成效明显，市中区全区贫困村全部出列，区委区政府狠抓落实。市中区如期脱贫。";
        assert_eq!(detect("", body, regions()).as_deref(), Some("511102"));
        let body = "济南市市中区脱贫攻坚成效明显，市中区全区贫困村全部出列，区委区政府狠抓落实。市中区如期脱贫。";
        assert_eq!(detect("", body, regions()).as_deref(), Some("370103"));
        // Without its city, 市中区 cannot be placed.
        assert_eq!(
            detect("", "市中区全区贫困村全部出列。市中区如期脱贫。", regions()),
            None
        );
    }

    #[test]
    fn common_words_are_not_places() {
        let body = "全县坚持共同富裕，发展合作社，盘活资源，守住绿水青山就是金山银山，建设新县城，省市和县三级联动。";
        assert_eq!(detect("", body, regions()), None);
        // A short name in the title with its full name in the body.
        assert_eq!(
            detect(
                "丹凤亮出成绩单",
                "丹凤县是革命老区县。全县脱贫。",
                regions()
            )
            .as_deref(),
            Some("611022")
        );
        // Short names alone are enough when they are not common words.
        assert_eq!(
            detect(
                "方城“四个不摘”提质量",
                "方城坚持脱贫攻坚，全县群众满意，方城干部尽锐出战。",
                regions()
            )
            .as_deref(),
            Some("411322")
        );
    }

    #[test]
    fn a_province_article_has_no_region() {
        let body = "河南省脱贫攻坚取得决定性胜利，全省53个贫困县全部摘帽。河南省委省政府高度重视，全省上下共同努力，\
                    河南省农村贫困人口全部脱贫。方城县等33个县于2019年脱贫。";
        assert_eq!(detect("", body, regions()), None);
    }

    #[test]
    fn municipalities_their_counties_and_aliases() {
        let r = regions();
        let body = "重庆市巫山县脱贫攻坚取得胜利。巫山县全县贫困人口全部脱贫，巫山县委高度重视。";
        assert_eq!(detect("", body, r).as_deref(), Some("500237"));
        let body =
            "重庆市全市脱贫攻坚取得决定性胜利，重庆市委市政府高度重视，全市18个贫困区县全部摘帽。";
        assert_eq!(detect("", body, r).as_deref(), Some("500000"));
        let body = "延边州脱贫攻坚成效显著。全州贫困人口全部脱贫，延边州委高度重视。";
        assert_eq!(detect("", body, r).as_deref(), Some("222400"));
        let body = "马鞍山市和县脱贫攻坚成效显著。和县全县贫困人口全部脱贫，和县县委高度重视。";
        assert_eq!(detect("", body, r).as_deref(), Some("340523"));
    }

    #[test]
    fn nothing_named_nothing_found() {
        assert_eq!(detect("", "", regions()), None);
        assert_eq!(
            detect("脱贫攻坚", "全国13省57县的代表参加了会议。", regions()),
            None
        );
    }
}
