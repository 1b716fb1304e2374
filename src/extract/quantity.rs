//! Numbers as Chinese news text writes them.
//!
//! [`parse_number`] reads one number (Arabic or Chinese numerals, 万/亿
//! multipliers, decimals, thousands separators, percentages);
//! [`parse_quantity`] reads one whole quantity with its unit and qualifier;
//! [`scan`] finds every quantity in a text with its character span.
//!
//! The scanner works on [`Normalized`] text: full-width forms are folded to
//! ASCII (１２３，％ → 123,%) and Markdown backslash escapes are dropped, with
//! a map back to the character offsets of the original text.

use std::sync::LazyLock;

/// Text prepared for scanning.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// The folded characters.
    pub chars: Vec<char>,
    /// `map[i]` is the character offset in the original text of `chars[i]`.
    pub map: Vec<usize>,
    /// Number of characters of the original text.
    pub original_len: usize,
}

impl Normalized {
    /// Character span in the original text of the span `start..end` of the
    /// folded characters.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.map.get(start).copied().unwrap_or(self.original_len);
        let e = if end == 0 {
            s
        } else {
            self.map.get(end - 1).map_or(self.original_len, |&m| m + 1)
        };
        (s, e.max(s))
    }

    /// The folded characters `start..end` as a string.
    pub fn slice(&self, start: usize, end: usize) -> String {
        self.chars[start.min(self.chars.len())..end.min(self.chars.len())]
            .iter()
            .collect()
    }
}

/// Folds full-width ASCII forms and the ideographic space to ASCII and drops
/// the backslash of Markdown escapes (`\*`, `\.`), keeping a map to the
/// original character offsets.
pub fn normalize(text: &str) -> Normalized {
    let orig: Vec<char> = text.chars().collect();
    let mut chars = Vec::with_capacity(orig.len());
    let mut map = Vec::with_capacity(orig.len());
    let mut i = 0;
    while i < orig.len() {
        let c = orig[i];
        if c == '\\' && orig.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) {
            chars.push(orig[i + 1]);
            map.push(i + 1);
            i += 2;
            continue;
        }
        chars.push(fold(c));
        map.push(i);
        i += 1;
    }
    Normalized {
        chars,
        map,
        original_len: orig.len(),
    }
}

/// Full-width ASCII variant (！ … ～) to ASCII, ideographic space to space,
/// and the traditional characters of the poverty-alleviation vocabulary to
/// simplified ones (貧→贫, 戶→户, 萬→万), so that pages decoded from Big5
/// match the taxonomy's words.
pub fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c if (c as u32) < 0x4E00 => c,
        c => TRADITIONAL
            .binary_search_by(|&(t, _)| t.cmp(&c))
            .map_or(c, |i| TRADITIONAL[i].1),
    }
}

/// Traditional → simplified, sorted by the traditional character.
static TRADITIONAL: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
    let chars: Vec<char> = TRADITIONAL_PAIRS.chars().collect();
    let mut v: Vec<(char, char)> = chars.chunks(2).map(|p| (p[0], p[1])).collect();
    v.sort_unstable();
    v
});

/// Pairs of characters: traditional, simplified.
const TRADITIONAL_PAIRS: &str = "併并倉仓個个們们傳传債债傷伤價价億亿優优儲储兩两劃划動动務务勞劳勵励區区協协厲厉參参員员問问啟启喪丧單单國国圍围堅坚報报場场塊块壓压壩坝壯壮婦妇學学實实寧宁對对導导層层屬属島岛崗岗嶺岭師师帶带幫帮幹干廠厂廣广廬庐彈弹徑径從从應应戰战戶户撥拨擔担據据擴扩攜携攝摄攤摊敵敌數数斷断於于時时晉晋書书會会東东條条棄弃業业極极榮荣構构樓楼標标樣样橋桥機机檔档權权歡欢歲岁歷历歸归氣气決决減减測测準准滿满漁渔漲涨潔洁澤泽濟济灣湾災灾為为無无熱热營营狀状猶犹獎奖獨独獲获現现瑪玛環环產产畝亩畫画疊叠療疗發发盡尽監监眾众碼码礎础礦矿禍祸禮礼稅税稱称積积穩稳窮穷競竞範范築筑簽签糧粮紀纪約约紅红納纳級级細细終终組组結结絕绝絡络給给統统經经綜综綠绿維维網网緊紧線线緣缘練练縣县縮缩總总績绩織织繼继續续聞闻聯联職职聽听脈脉脫脱腳脚臨临臺台與与興兴舉举舊旧艦舰艱艰莊庄華华萬万蓋盖薦荐藝艺蘇苏處处號号蟲虫衆众術术衛卫補补裝装製制複复襲袭見见規规視视親亲覽览觀观訂订計计訓训記记訪访設设許许診诊評评該该認认誤误說说課课調调談谈請请論论諾诺謀谋講讲證证識识議议護护變变讓让豐丰貝贝負负財财貧贫貨货貫贯責责貸贷費费貼贴貿贸資资賣卖質质購购賽赛贈赠趕赶蹤踪車车軌轨軍军較较載载輔辅輕轻輛辆輸输轄辖轉转辦办辭辞農农這这進进運运過过達达遞递遠远適适遷迁選选還还邊边郵邮鄉乡鄭郑鄰邻醫医釋释錢钱鎖锁鎮镇鐵铁長长門门閉闭開开間间閱阅關关陣阵陰阴陸陆陽阳隊队際际隨随險险隱隐雙双雜杂雞鸡離离難难雲云電电靈灵項项順顺須须預预頒颁領领頭头頻频題题額额類类顧顾顯显風风飛飞飯饭飲饮養养餘余館馆馬马駐驻驅驱驗验體体髮发鬧闹魚鱼鮮鲜鳳凤麗丽黃黄點点黨党齊齐齒齿齡龄龍龙並并來来傾倾償偿兌兑創创劉刘勝胜勢势嚴严圖图執执壘垒審审寫写將将張张強强後后徹彻態态慣惯掛挂揮挥搶抢暫暂樹树檢检沒没爐炉爭争確确籌筹編编繫系義义習习肅肃話话賬账踐践輟辍連连遊游銜衔銳锐銷销鏈链閒闲陝陕階阶鞏巩響响饋馈";

/// One quantity found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The value with multipliers applied (2.7779万 → 27779; 6.9% → 6.9).
    /// For a range, the low end.
    pub value: f64,
    /// The high end of a range (3-5万元 → 50000).
    pub max: Option<f64>,
    /// Unit class: people, households, yuan, percent, count, km, area,
    /// person_times, times, time, pp (percentage points), rank, other, or
    /// "" when the number has no unit.
    pub unit: String,
    /// The unit as written, with the multiplier: 万元, 户, %, 个.
    pub unit_text: String,
    /// Approximation or bound kept from the text: 余, 多, 近, 约, 超过, 以上 ...
    pub qualifier: Option<String>,
    /// Character offset of the quantity's text (qualifiers included).
    pub start: usize,
    /// Character offset just past the quantity's text.
    pub end: usize,
    /// Written with Chinese numerals (三千余人).
    pub chinese: bool,
    /// The number carries a 万/亿 multiplier.
    pub multiplier: bool,
    /// A bound used as a condition rather than a result: 20户以上自然村,
    /// 500人以上的乡镇, 不低于100元的补助.
    pub threshold: bool,
    /// Index (in the scan result) of the first part of a compound such as
    /// 15316户42991人 or 5300人1334户; None when not part of a compound.
    pub compound: Option<usize>,
}

/// Chinese digit characters and their values.
fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '兩' | '贰' | '貳' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// Small Chinese multipliers (十百千) and their values.
fn cn_small_mult(c: char) -> Option<u64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// Large Chinese multipliers (万亿) and their values.
fn cn_big_mult(c: char) -> Option<f64> {
    Some(match c {
        '万' | '萬' => 1e4,
        '亿' | '億' => 1e8,
        _ => return None,
    })
}

fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || cn_small_mult(c).is_some() || cn_big_mult(c).is_some()
}

/// Parses a run of Chinese numerals strictly: 十三 → 13, 两百 → 200,
/// 三千零五 → 3005, 两百五 → 250, 一萬 → 10000, 三亿五千万 → 350000000,
/// 二〇二〇 → 2020. Malformed runs such as 十三五 or 三五 give None.
fn parse_cn_int(s: &[char]) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    // Digit-by-digit (二〇二〇): only digits, at least two, one of them 〇/零.
    if s.len() >= 2
        && s.iter().all(|&c| cn_digit(c).is_some())
        && s.iter().any(|&c| c == '〇' || c == '零')
    {
        let mut v = 0u64;
        for &c in s {
            v = v * 10 + cn_digit(c)?;
        }
        return Some(v as f64);
    }
    let mut yi_part = 0f64; // amount up to the last 亿
    let mut wan_part = 0f64; // amount of the 万 section after the last 亿
    let mut wan_seen = false;
    let mut section = 0u64; // below 万
    let mut digit: Option<u64> = None;
    let mut last_small = u64::MAX; // last small multiplier in the section
    let mut last_big = 0u8; // 0 none, 1 万, 2 亿
    let mut zero_before_digit = false;
    for &c in s {
        if let Some(d) = cn_digit(c) {
            if digit.is_some() {
                return None; // two digits in a row: 三五, 十三五
            }
            if d == 0 {
                zero_before_digit = true;
                continue;
            }
            digit = Some(d);
        } else if let Some(m) = cn_small_mult(c) {
            if m >= last_small {
                return None; // 十十, 百千
            }
            let d = match digit.take() {
                Some(d) => d,
                None if m == 10 => 1, // 十三 = 13, 一百十 = 110
                None => return None,
            };
            section += d * m;
            last_small = m;
            zero_before_digit = false;
        } else if c == '万' || c == '萬' {
            let part = section + digit.take().unwrap_or(0);
            if part == 0 || wan_seen {
                return None;
            }
            wan_part = part as f64 * 1e4;
            wan_seen = true;
            section = 0;
            last_small = u64::MAX;
            last_big = 1;
            zero_before_digit = false;
        } else if c == '亿' || c == '億' {
            let part = wan_part + (section + digit.take().unwrap_or(0)) as f64;
            if part == 0.0 && yi_part == 0.0 {
                return None;
            }
            yi_part = (yi_part + part) * 1e8;
            wan_part = 0.0;
            wan_seen = false;
            section = 0;
            last_small = u64::MAX;
            last_big = 2;
            zero_before_digit = false;
        } else {
            return None;
        }
    }
    let mut tail = section as f64;
    if let Some(d) = digit {
        // A trailing digit right after a multiplier is one order lower:
        // 两百五 = 250, 一万二 = 12000; after 零 it is units: 三千零五 = 3005.
        tail += if zero_before_digit {
            d as f64
        } else if last_small != u64::MAX && last_small >= 100 && section > 0 {
            (d * (last_small / 10)) as f64
        } else if section == 0 && last_big == 1 {
            d as f64 * 1000.0
        } else if section == 0 && last_big == 2 {
            d as f64 * 1e7
        } else {
            d as f64
        };
    }
    Some(yi_part + wan_part + tail)
}

/// Reads Arabic digits at `i`: thousands separators (1,234) and a decimal
/// part; returns the value and the end.
fn read_arabic(c: &[char], i: usize) -> Option<(f64, usize, i32)> {
    let mut j = i;
    while j < c.len() && c[j].is_ascii_digit() {
        j += 1;
    }
    if j == i {
        return None;
    }
    let mut text: String = c[i..j].iter().collect();
    // Thousands separators: 1,234 or 12,345,678 (groups of exactly three).
    if j - i <= 3 && !text.starts_with('0') {
        let mut k = j;
        let mut groups = String::new();
        while k + 3 < c.len() + 1
            && c.get(k) == Some(&',')
            && c[k + 1..].len() >= 3
            && c[k + 1..k + 4].iter().all(|d| d.is_ascii_digit())
            && !c.get(k + 4).is_some_and(|d| d.is_ascii_digit())
        {
            groups.extend(&c[k + 1..k + 4]);
            k += 4;
        }
        if !groups.is_empty() {
            text.push_str(&groups);
            j = k;
        }
    }
    let mut decimals = 0;
    if c.get(j) == Some(&'.') && c.get(j + 1).is_some_and(|d| d.is_ascii_digit()) {
        let mut k = j + 1;
        while k < c.len() && c[k].is_ascii_digit() {
            k += 1;
        }
        text.push('.');
        text.extend(&c[j + 1..k]);
        decimals = (k - j - 1) as i32;
        j = k;
    }
    text.parse::<f64>().ok().map(|v| (v, j, decimals))
}

/// Reads Chinese numerals at `i`, with a decimal part after 点 (十点二).
fn read_chinese(c: &[char], i: usize) -> Option<(f64, usize, i32)> {
    let first = *c.get(i)?;
    // A run must start with a digit or 十: bare 百/千/万 are words (百花齐放, 万村通).
    if cn_digit(first).is_none() && cn_small_mult(first) != Some(10) {
        return None;
    }
    let mut j = i;
    while j < c.len() && is_cn_numeral(c[j]) {
        j += 1;
    }
    // Keep a trailing 万/亿 for the multiplier reader when the rest parses alone
    // (三千万 is read whole; that is fine either way).
    let mut v = parse_cn_int(&c[i..j])?;
    let mut decimals = 0;
    if c.get(j) == Some(&'点') && c.get(j + 1).and_then(|&d| cn_digit(d)).is_some() {
        let mut k = j + 1;
        let mut frac = String::from("0.");
        while k < c.len() {
            match cn_digit(c[k]) {
                Some(d) => frac.push(char::from(b'0' + d as u8)),
                None => break,
            }
            k += 1;
        }
        v += frac.parse::<f64>().ok()?;
        decimals = (frac.len() - 2) as i32;
        j = k;
    }
    Some((v, j, decimals))
}

/// A bare number: Arabic or Chinese, with 万/亿 (and 千/百 after Arabic
/// digits) multipliers and an inner 余/多 (6140余万, 10多亿, 3万余).
struct Num {
    value: f64,
    end: usize,
    chinese: bool,
    multiplier: bool,
    mult_text: String,
    inner_qualifier: Option<String>,
}

fn read_num(c: &[char], i: usize) -> Option<Num> {
    let (mut value, mut j, decimals, chinese) = if c[i].is_ascii_digit() {
        let (v, j, d) = read_arabic(c, i)?;
        (v, j, d, false)
    } else {
        let (v, j, d) = read_chinese(c, i)?;
        (v, j, d, true)
    };
    let mut inner: Option<String> = None;
    let mut mult_text = String::new();
    let mut multiplier = chinese && c[i..j].iter().any(|&x| cn_big_mult(x).is_some());
    // 余/多 before the multiplier: 6140余万元, 10多亿元.
    if matches!(c.get(j), Some('余' | '多'))
        && c.get(j + 1)
            .is_some_and(|&m| cn_big_mult(m).is_some() || (!chinese && cn_small_mult(m).is_some()))
    {
        inner = Some(c[j].to_string());
        j += 1;
    }
    // Multipliers: 万, 亿, 千万, 百万, 3千 (after Arabic digits only).
    loop {
        match c.get(j) {
            Some(&m) if cn_big_mult(m).is_some() => {
                value *= cn_big_mult(m).unwrap_or(1.0);
                mult_text.push(m);
                multiplier = true;
                j += 1;
            }
            Some(&m)
                if !chinese
                    && mult_text.is_empty()
                    && cn_small_mult(m).is_some()
                    && c.get(j + 1)
                        .is_none_or(|&n| !is_cn_numeral(n) || cn_big_mult(n).is_some()) =>
            {
                value *= cn_small_mult(m).unwrap_or(1) as f64;
                mult_text.push(m);
                j += 1;
            }
            _ => break,
        }
    }
    // 2.7779 × 10^4 is 27778.999999999996 in floating point: round to the
    // decimals the text carries.
    if !mult_text.is_empty() {
        let exp = mult_text
            .chars()
            .map(|m| {
                cn_big_mult(m)
                    .unwrap_or_else(|| cn_small_mult(m).unwrap_or(1) as f64)
                    .log10()
                    .round() as i32
            })
            .sum::<i32>();
        value = round_decimals(value, (decimals - exp).max(0));
    }
    // 余/多 after the multiplier: 3万余人, 一萬多名.
    if inner.is_none() && matches!(c.get(j), Some('余' | '多')) {
        inner = Some(c[j].to_string());
        j += 1;
    }
    Some(Num {
        value,
        end: j,
        chinese,
        multiplier,
        mult_text,
        inner_qualifier: inner,
    })
}

/// Unit words after a number, longest first, with their unit class.
const UNITS: &[(&str, &str)] = &[
    ("个百分点", "pp"),
    ("百分点", "pp"),
    ("平方公里", "area"),
    ("平方千米", "area"),
    ("平方米", "area"),
    ("立方米", "other"),
    ("公顷", "area"),
    ("亩", "area"),
    ("公里", "km"),
    ("千米", "km"),
    ("km", "km"),
    ("米", "m"),
    ("人次", "person_times"),
    ("户次", "times"),
    ("批次", "times"),
    ("次", "times"),
    ("个月", "time"),
    ("小时", "time"),
    ("分钟", "time"),
    ("年度", "time"),
    ("年", "time"),
    ("月", "time"),
    ("日", "time"),
    ("天", "time"),
    ("周", "time"),
    ("岁", "age"),
    ("倍", "ratio"),
    ("元", "yuan"),
    ("%", "percent"),
    ("人", "people"),
    ("名", "people"),
    ("位", "people"),
    ("户", "households"),
    ("戶", "households"),
    ("个", "count"),
    ("個", "count"),
    ("家", "count"),
    ("处", "count"),
    ("座", "count"),
    ("所", "count"),
    ("项", "count"),
    ("条", "count"),
    ("张", "count"),
    ("台", "count"),
    ("场", "count"),
    ("套", "count"),
    ("间", "count"),
    ("辆", "count"),
    ("宗", "count"),
    ("株", "count"),
    ("眼", "count"),
    ("公斤", "weight"),
    ("千克", "weight"),
    ("吨", "weight"),
    ("斤", "weight"),
    ("头", "head"),
    ("只", "head"),
    ("千瓦", "power"),
    ("兆瓦", "power"),
];

/// Nouns that give a bare 万/亿 number its unit: 2.7779万贫困人口, 37万群众.
const BARE_NOUNS: &[(&str, &str)] = &[
    ("贫困人口", "people"),
    ("人口", "people"),
    ("贫困群众", "people"),
    ("群众", "people"),
    ("农民", "people"),
    ("居民", "people"),
    ("贫困户", "households"),
    ("农户", "households"),
];

/// Qualifiers written before a number, longest first.
const PREFIX_QUALIFIERS: &[&str] = &[
    "不少于",
    "不低于",
    "将近",
    "接近",
    "大约",
    "超过",
    "多达",
    "不足",
    "不到",
    "至少",
    "近",
    "约",
    "逾",
    "超",
];

/// Qualifiers written after the unit.
const SUFFIX_QUALIFIERS: &[&str] = &["以上", "以下", "以内", "左右"];

/// Range connectors: 3-5万元, 1至3名, 一到两个.
const RANGE_MARKS: &[char] = &['-', '—', '–', '~', '至', '到'];

fn starts_with_at(c: &[char], i: usize, s: &str) -> bool {
    (i..).zip(s.chars()).all(|(k, x)| c.get(k) == Some(&x))
}

fn ends_with_at(c: &[char], end: usize, s: &str) -> bool {
    let n = s.chars().count();
    end >= n && starts_with_at(c, end - n, s)
}

/// The unit at `j` (one optional space before it): (class, text, end).
fn read_unit(c: &[char], j: usize) -> Option<(&'static str, &'static str, usize)> {
    let k = if c.get(j) == Some(&' ') { j + 1 } else { j };
    for &(word, class) in UNITS {
        if starts_with_at(c, k, word) {
            return Some((class, word, k + word.chars().count()));
        }
    }
    None
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Reads one quantity whose number starts at `i`; `start_min` is the
/// earliest offset a prefix qualifier may start at.
fn read_quantity(c: &[char], i: usize, start_min: usize) -> Option<(Quantity, usize)> {
    // 百分之十点二
    let (percent_prefix, num_start) = if starts_with_at(c, i, "百分之") {
        (true, i + 3)
    } else {
        (false, i)
    };
    if num_start >= c.len() {
        return None;
    }
    if !c[num_start].is_ascii_digit() && !is_cn_numeral(c[num_start]) {
        return None;
    }
    let num = read_num(c, num_start)?;
    let mut value = num.value;
    let mut end = num.end;
    let mut max = None;
    let mut unit: &str = "";
    let mut unit_text = num.mult_text.clone();
    let mut qualifier = num.inner_qualifier.clone();
    let mut chinese = num.chinese;
    let mut multiplier = num.multiplier;

    if percent_prefix {
        unit = "percent";
        unit_text = "百分之".into();
    } else if let Some((class, word, e)) = read_unit(c, end) {
        unit = class;
        unit_text.push_str(word);
        end = e;
        // A rate unit: 1030.95万元/年, 5000元/人.
        if class == "yuan"
            && c.get(end) == Some(&'/')
            && let Some(&per) = c.get(end + 1).filter(|&&p| "年月人户亩".contains(p))
        {
            unit_text.push('/');
            unit_text.push(per);
            end += 2;
        }
    }

    // A range: 3-5万元, 1至3名, 10%-20%.
    if let Some(&mark) = c.get(end)
        && RANGE_MARKS.contains(&mark)
        && qualifier.is_none()
    {
        let k = end + 1;
        if c.get(k)
            .is_some_and(|&d| d.is_ascii_digit() || (num.chinese && is_cn_numeral(d)))
            && let Some(hi) = read_num(c, k)
            && (hi.chinese == num.chinese || !num.chinese)
        {
            let (hclass, hword, hend) = match read_unit(c, hi.end) {
                Some((cl, w, e)) => (cl, w, e),
                None => ("", "", hi.end),
            };
            // 从9.5万人到7.1万人 is a change, not a range: 到/至 join
            // two numbers only when the first has no unit.
            let word_mark = mark == '至' || mark == '到';
            let same_unit = unit.is_empty() || (!word_mark && unit == hclass);
            if same_unit && !hclass.is_empty() && !percent_prefix {
                let mut lo = value;
                if num.mult_text.is_empty() && !hi.mult_text.is_empty() {
                    lo = round_decimals(lo * strip_mult(&hi), 6);
                }
                value = lo;
                max = Some(hi.value);
                unit = hclass;
                unit_text = format!("{}{}", hi.mult_text, hword);
                end = hend;
                qualifier = hi.inner_qualifier.clone();
                chinese = chinese || hi.chinese;
                multiplier = multiplier || hi.multiplier;
            }
        }
    }

    // A bare 万/亿 number names its unit by the noun after it, maybe after a
    // short modifier: 2.7779万贫困人口, 38.6万农村贫困人口.
    if unit.is_empty() && multiplier {
        'found: for k in end..(end + 5).min(c.len()) {
            if !is_han(c[k]) {
                break;
            }
            for &(noun, class) in BARE_NOUNS {
                if starts_with_at(c, k, noun) {
                    unit = class;
                    break 'found;
                }
            }
        }
    }

    // 前3名, 后3名: ranks.
    let mut start = i;
    if unit == "people"
        && unit_text.ends_with('名')
        && i > 0
        && matches!(c[i - 1], '前' | '后' | '第')
    {
        unit = "rank";
    }
    // Prefix qualifier.
    for &q in PREFIX_QUALIFIERS {
        let n = q.chars().count();
        if i >= start_min + n && ends_with_at(c, i, q) {
            // 超 only when not part of a longer word ending there (超过 is listed first).
            qualifier = Some(match qualifier {
                Some(inner) => format!("{q}{inner}"),
                None => q.to_string(),
            });
            start = i - n;
            break;
        }
    }
    // Suffix qualifier.
    let mut threshold = false;
    if !unit.is_empty() {
        for &q in SUFFIX_QUALIFIERS {
            if starts_with_at(c, end, q) {
                end += q.chars().count();
                if qualifier.is_none() {
                    qualifier = Some(q.to_string());
                }
                if q != "左右" {
                    // A bound followed by 的 or a noun is a condition: 20户以上自然村.
                    threshold = c.get(end).is_some_and(|&n| n == '的' || is_han(n));
                }
                break;
            }
        }
        if let Some(q) = &qualifier
            && matches!(
                q.as_str(),
                "不少于" | "不低于" | "至少" | "不足" | "不到" | "超过" | "超" | "逾"
            )
            && c.get(end) == Some(&'的')
        {
            threshold = true;
        }
    }
    let q = Quantity {
        value,
        max,
        unit: unit.to_string(),
        unit_text,
        qualifier,
        start,
        end,
        chinese,
        multiplier,
        threshold,
        compound: None,
    };
    Some((q, end))
}

fn round_decimals(v: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (v * f).round() / f
}

/// The multiplier factor of a number (value / value without multiplier).
fn strip_mult(n: &Num) -> f64 {
    let mut f = 1.0;
    for m in n.mult_text.chars() {
        f *= cn_big_mult(m).unwrap_or_else(|| cn_small_mult(m).unwrap_or(1) as f64);
    }
    f
}

/// Finds the quantities of already normalized characters; spans index `c`.
///
/// Numbers after 第 (ordinals) are skipped; a number must not be glued to
/// Latin letters or other digits. Compounds (X户Y人, Y人X户) are linked
/// through [`Quantity::compound`].
pub fn scan_chars(c: &[char]) -> Vec<Quantity> {
    let mut out: Vec<Quantity> = Vec::new();
    let mut i = 0;
    let mut last_end = 0;
    while i < c.len() {
        let ch = c[i];
        let arabic = ch.is_ascii_digit();
        let percent = starts_with_at(c, i, "百分之");
        let chinese = !arabic && !percent && is_cn_numeral(ch);
        if !(arabic || percent || chinese) {
            i += 1;
            continue;
        }
        let prev = if i > 0 { Some(c[i - 1]) } else { None };
        if arabic && prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.' || p == '_') {
            // Skip the rest of this token (V2.0, A4, 1.2.3).
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '.') {
                i += 1;
            }
            continue;
        }
        if prev == Some('第') {
            // Ordinal: 第3名, 第一书记.
            i += 1;
            while i < c.len() && (c[i].is_ascii_digit() || is_cn_numeral(c[i])) {
                i += 1;
            }
            continue;
        }
        match read_quantity(c, i, last_end) {
            Some((q, end)) if end > i => {
                last_end = end;
                i = end;
                out.push(q);
            }
            _ => {
                // Skip the whole numeral run so that 十三五 is not read as 三五.
                i += 1;
                while i < c.len() && (c[i].is_ascii_digit() || (chinese && is_cn_numeral(c[i]))) {
                    i += 1;
                }
            }
        }
    }
    link_compounds(c, &mut out);
    out
}

/// Links X户Y人 and Y人X户 written without a gap (a space is allowed).
fn link_compounds(c: &[char], qs: &mut [Quantity]) {
    for k in 1..qs.len() {
        let (a, b) = (&qs[k - 1], &qs[k]);
        let gap_ok = b.start == a.end || (b.start == a.end + 1 && c.get(a.end) == Some(&' '));
        let pair = matches!(
            (a.unit.as_str(), b.unit.as_str()),
            ("households", "people") | ("people", "households")
        );
        if gap_ok
            && pair
            && a.qualifier
                .as_deref()
                .is_none_or(|q| q == "余" || q == "多")
        {
            let first = a.compound.unwrap_or(k - 1);
            qs[k - 1].compound = Some(first);
            qs[k].compound = Some(first);
        }
    }
}

/// Finds the quantities of a text; spans are character offsets of `text`.
pub fn scan(text: &str) -> Vec<Quantity> {
    let n = normalize(text);
    let mut qs = scan_chars(&n.chars);
    for q in &mut qs {
        let (s, e) = n.original_span(q.start, q.end);
        q.start = s;
        q.end = e;
    }
    qs
}

/// Parses a number written alone: `42991`, `1,234`, `2.7779万`, `148亿`,
/// `6140余万` (the 余 is dropped), `三千`, `一萬`, `两百`, `十三`,
/// `百分之十点二` (10.2), `6.9%` (6.9), `１２３`. Surrounding whitespace is
/// ignored; anything else left over gives None.
pub fn parse_number(s: &str) -> Option<f64> {
    let n = normalize(s.trim());
    let c = &n.chars;
    if c.is_empty() {
        return None;
    }
    let (percent, i) = if starts_with_at(c, 0, "百分之") {
        (true, 3)
    } else {
        (false, 0)
    };
    if i >= c.len() || !(c[i].is_ascii_digit() || is_cn_numeral(c[i])) {
        return None;
    }
    let num = read_num(c, i)?;
    let mut end = num.end;
    if !percent && c.get(end) == Some(&'%') {
        end += 1;
    }
    (end == c.len()).then_some(num.value)
}

/// Parses one whole quantity written alone, with unit and qualifiers:
/// `三千余人`, `19528.1万元`, `近2亿元`, `3-5万元`, `4436 户`. The span of the
/// result covers the text. None when the text is not exactly one quantity.
pub fn parse_quantity(s: &str) -> Option<Quantity> {
    let qs = scan(s.trim());
    let total = s.trim().chars().count();
    match qs.as_slice() {
        [q] if q.start == 0 && q.end == total => Some(q.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn arabic_numbers_with_multipliers() {
        assert_eq!(parse_number("42991"), Some(42991.0));
        assert!(close(parse_number("2.7779万").unwrap(), 27779.0));
        assert!(close(parse_number("148亿").unwrap(), 14_800_000_000.0));
        assert!(close(parse_number("19528.1万").unwrap(), 195_281_000.0));
        assert!(close(parse_number("3.06亿").unwrap(), 306_000_000.0));
        assert!(close(parse_number("1.2万").unwrap(), 12_000.0));
        assert!(close(parse_number("3千").unwrap(), 3_000.0));
        assert!(close(parse_number("5千万").unwrap(), 50_000_000.0));
        // Exact, not merely close: 152.3亿 is 15230000000.
        assert_eq!(parse_number("152.3亿"), Some(15_230_000_000.0));
        assert_eq!(parse_number("2.7779万"), Some(27_779.0));
        assert_eq!(parse_number("19528.1万"), Some(195_281_000.0));
    }

    #[test]
    fn thousands_separators_and_full_width() {
        assert_eq!(parse_number("1,234"), Some(1234.0));
        assert_eq!(parse_number("12,345,678"), Some(12_345_678.0));
        assert_eq!(parse_number("１２３"), Some(123.0));
        assert_eq!(parse_number("１，２３４"), Some(1234.0));
        assert_eq!(parse_number("６．９％"), Some(6.9));
        // Not a thousands group.
        assert_eq!(parse_number("12,34"), None);
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(parse_number("十三"), Some(13.0));
        assert_eq!(parse_number("两百"), Some(200.0));
        assert_eq!(parse_number("三千"), Some(3000.0));
        assert_eq!(parse_number("一萬"), Some(10_000.0));
        assert_eq!(parse_number("一万二千三百四十五"), Some(12_345.0));
        assert_eq!(parse_number("三千零五"), Some(3005.0));
        assert_eq!(parse_number("两百五"), Some(250.0));
        assert_eq!(parse_number("十万"), Some(100_000.0));
        assert_eq!(parse_number("三亿五千万"), Some(350_000_000.0));
        assert_eq!(parse_number("二〇二〇"), Some(2020.0));
        assert!(close(parse_number("百分之十点二").unwrap(), 10.2));
        assert_eq!(parse_number("百分之一百"), Some(100.0));
        assert!(close(parse_number("百分之零点四").unwrap(), 0.4));
        assert!(close(parse_number("百分之三点五").unwrap(), 3.5));
        // Slogans and malformed runs are not numbers.
        assert_eq!(parse_number("十三五"), None);
        assert_eq!(parse_number("三五"), None);
        assert_eq!(parse_number("万"), None);
        assert_eq!(parse_number("百花"), None);
    }

    #[test]
    fn quantities_with_units_and_qualifiers() {
        let q = parse_quantity("三千余人").unwrap();
        assert_eq!(
            (q.value, q.unit.as_str(), q.qualifier.as_deref()),
            (3000.0, "people", Some("余"))
        );
        let q = parse_quantity("一萬多名").unwrap();
        assert_eq!(
            (q.value, q.unit.as_str(), q.qualifier.as_deref()),
            (10_000.0, "people", Some("多"))
        );
        let q = parse_quantity("6140余万元").unwrap();
        assert!(close(q.value, 61_400_000.0));
        assert_eq!(
            (q.unit.as_str(), q.qualifier.as_deref()),
            ("yuan", Some("余"))
        );
        let q = parse_quantity("10多亿元").unwrap();
        assert!(close(q.value, 1e9));
        assert_eq!(q.qualifier.as_deref(), Some("多"));
        let q = parse_quantity("近2亿元").unwrap();
        assert!(close(q.value, 2e8));
        assert_eq!(q.qualifier.as_deref(), Some("近"));
        let q = parse_quantity("超过36万元").unwrap();
        assert!(close(q.value, 360_000.0));
        assert_eq!(q.qualifier.as_deref(), Some("超过"));
        let q = parse_quantity("4000元以上").unwrap();
        assert_eq!(
            (q.value, q.qualifier.as_deref(), q.threshold),
            (4000.0, Some("以上"), false)
        );
        let q = parse_quantity("约91.68万元").unwrap();
        assert!(close(q.value, 916_800.0));
        assert_eq!(q.qualifier.as_deref(), Some("约"));
        let q = parse_quantity("50人左右").unwrap();
        assert_eq!((q.value, q.qualifier.as_deref()), (50.0, Some("左右")));
        let q = parse_quantity("3万余人").unwrap();
        assert_eq!(
            (q.value, q.unit.as_str(), q.qualifier.as_deref()),
            (30_000.0, "people", Some("余"))
        );
    }

    #[test]
    fn units() {
        assert_eq!(parse_quantity("4436 户").unwrap().unit, "households");
        assert_eq!(parse_quantity("42991人").unwrap().unit, "people");
        assert_eq!(parse_quantity("6.9%").unwrap().unit, "percent");
        assert_eq!(parse_quantity("６．９％").unwrap().unit, "percent");
        assert_eq!(parse_quantity("百分之十点二").unwrap().unit, "percent");
        assert_eq!(parse_quantity("635公里").unwrap().unit, "km");
        assert_eq!(parse_quantity("13个百分点").unwrap().unit, "pp");
        assert_eq!(parse_quantity("24小时").unwrap().unit, "time");
        assert_eq!(parse_quantity("80余次").unwrap().unit, "times");
        assert_eq!(parse_quantity("763人次").unwrap().unit, "person_times");
        assert_eq!(parse_quantity("120余个").unwrap().unit, "count");
        assert_eq!(parse_quantity("2465平方公里").unwrap().unit, "area");
        let q = parse_quantity("1,234户").unwrap();
        assert_eq!((q.value, q.unit.as_str()), (1234.0, "households"));
        let q = parse_quantity("１２３４５人").unwrap();
        assert_eq!((q.value, q.unit.as_str()), (12345.0, "people"));
        // Traditional characters.
        let q = parse_quantity("三萬戶").unwrap();
        assert_eq!((q.value, q.unit.as_str()), (30_000.0, "households"));
        let q = parse_quantity("一萬多名").unwrap();
        assert_eq!((q.value, q.unit.as_str()), (10_000.0, "people"));
        let q = parse_quantity("1.5億元").unwrap();
        assert!(close(q.value, 1.5e8));
        assert_eq!(q.unit, "yuan");
    }

    #[test]
    fn ranges() {
        let q = parse_quantity("3-5万元").unwrap();
        assert!(close(q.value, 30_000.0));
        assert!(close(q.max.unwrap(), 50_000.0));
        assert_eq!(q.unit, "yuan");
        let q = parse_quantity("1至3名").unwrap();
        assert_eq!(
            (q.value, q.max, q.unit.as_str()),
            (1.0, Some(3.0), "people")
        );
        let q = parse_quantity("一到两个").unwrap();
        assert_eq!((q.value, q.max, q.unit.as_str()), (1.0, Some(2.0), "count"));
        let q = parse_quantity("2016-2020年").unwrap();
        assert_eq!(
            (q.value, q.max, q.unit.as_str()),
            (2016.0, Some(2020.0), "time")
        );
    }

    #[test]
    fn compounds() {
        let qs = scan("97个贫困村15316户42991人全部脱贫");
        assert_eq!(qs.len(), 3);
        assert_eq!((qs[1].value, qs[1].unit.as_str()), (15316.0, "households"));
        assert_eq!((qs[2].value, qs[2].unit.as_str()), (42991.0, "people"));
        assert_eq!(qs[1].compound, Some(1));
        assert_eq!(qs[2].compound, Some(1));
        assert_eq!(qs[0].compound, None);
        // Reversed order, and 万 inside a compound.
        let qs = scan("搬迁5300人1334户");
        assert_eq!(
            (qs[0].unit.as_str(), qs[1].unit.as_str()),
            ("people", "households")
        );
        assert_eq!(qs[0].compound, qs[1].compound);
        let qs = scan("涉及贫困户1.2万户3万余人");
        assert_eq!((qs[0].value, qs[1].value), (12_000.0, 30_000.0));
        assert_eq!(qs[1].qualifier.as_deref(), Some("余"));
        assert!(qs[0].compound.is_some());
    }

    #[test]
    fn traditional_characters_fold_to_simplified() {
        let n = normalize("全縣貧困戶１２３戶");
        assert_eq!(n.chars.iter().collect::<String>(), "全县贫困户123户");
        assert_eq!(n.map.len(), n.chars.len());
    }

    #[test]
    fn spans_are_character_offsets_of_the_original() {
        let text = "全县\\*共有１２３户，计42991人";
        let qs = scan(text);
        assert_eq!(qs.len(), 2);
        let chars: Vec<char> = text.chars().collect();
        let s: String = chars[qs[0].start..qs[0].end].iter().collect();
        assert_eq!(s, "１２３户");
        let s: String = chars[qs[1].start..qs[1].end].iter().collect();
        assert_eq!(s, "42991人");
    }

    #[test]
    fn bare_wan_takes_the_unit_of_its_noun() {
        let qs = scan("完成2.7779万贫困人口脱贫");
        assert_eq!(qs.len(), 1);
        assert!(close(qs[0].value, 27779.0));
        assert_eq!(qs[0].unit, "people");
        assert_eq!(scan("38.6万农村贫困人口全部脱贫")[0].unit, "people");
        assert_eq!(scan("12.8万农户")[0].unit, "households");
        assert_eq!(scan("3万,贫困人口")[0].unit, "");
    }

    #[test]
    fn slogans_ordinals_and_words_are_not_quantities() {
        for text in [
            "两不愁三保障",
            "十三五",
            "五级书记",
            "七改一增",
            "千方百计",
            "万村通",
            "百花齐放",
            "第一书记",
            "一村一品",
        ] {
            let qs: Vec<_> = scan(text)
                .into_iter()
                .filter(|q| !q.unit.is_empty())
                .collect();
            assert!(qs.is_empty(), "{text}: {qs:?}");
        }
        // Ranks keep a unit of their own.
        assert_eq!(scan("前3名乡镇")[0].unit, "rank");
    }

    #[test]
    fn thresholds() {
        assert!(scan("20户以上自然村")[0].threshold);
        assert!(scan("剩余贫困人口500人以上的5个乡镇")[0].threshold);
        assert!(!scan("人均收入达4000元以上。")[0].threshold);
        assert!(scan("不低于100元的参保补助")[0].threshold);
        assert!(scan("收入超过10万元的村有17个")[0].threshold);
        assert!(!scan("超过500户贫困户实现增收")[0].threshold);
    }
}
