//! Numbers, quantities and dates written the way each language writes them:
//! zh 4.3万人, 2020年11月17日; en 43,000 people, 17 Nov 2020.

use serde::{Deserialize, Serialize};

/// A language of the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>` and hreflang.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A decimal with at most `max_decimals` digits after the point, trailing
/// zeros removed.
fn decimal(value: f64, max_decimals: usize) -> String {
    // Whole numbers are the common case and need no float formatting.
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return (value as i64).to_string();
    }
    let s = format!("{value:.max_decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Groups the integer part in thousands: 42991 → 42,991; 3675.95 → 3,675.95.
fn grouped(value: f64, max_decimals: usize) -> String {
    let s = decimal(value, max_decimals);
    let (sign, s) = s
        .strip_prefix('-')
        .map(|r| ("-", r))
        .unwrap_or(("", s.as_str()));
    let (int, frac) = s
        .split_once('.')
        .map(|(i, f)| (i, Some(f)))
        .unwrap_or((s, None));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// A plain number in a language: zh uses 万 and 亿 for large round values
/// (43000 → 4.3万, 14800000000 → 148亿, 42991 stays), en groups thousands and uses
/// million/billion from ten million up (14800000000 → 14.8 billion).
pub fn number(value: f64, lang: Lang) -> String {
    let abs = value.abs();
    match lang {
        Lang::Zh => {
            // The largest of 亿 and 万 that needs at most two decimals, as
            // Chinese reports write round numbers (4.3万, 148亿); exact
            // counts stay in digits (42991).
            for (scale, unit) in [(1e8, "亿"), (1e4, "万")] {
                let scaled = value / scale;
                if abs >= scale && ((scaled * 100.0).round() - scaled * 100.0).abs() < 1e-6 {
                    return format!("{}{unit}", decimal(scaled, 2));
                }
            }
            decimal(value, 4)
        }
        Lang::En => {
            if abs >= 1e9 {
                format!("{} billion", decimal(value / 1e9, 3))
            } else if abs >= 1e7 {
                format!("{} million", decimal(value / 1e6, 3))
            } else {
                grouped(value, 4)
            }
        }
    }
}

/// The unit word after a number (zh) or the noun (en) for a taxonomy unit.
pub fn unit_word(unit: &str, lang: Lang) -> &'static str {
    match (unit, lang) {
        ("people", Lang::Zh) => "人",
        ("households", Lang::Zh) => "户",
        ("villages", Lang::Zh) => "个村",
        ("counties", Lang::Zh) => "个县",
        ("sites", Lang::Zh) => "个",
        ("yuan", Lang::Zh) => "元",
        ("km", Lang::Zh) => "公里",
        ("percent", _) => "%",
        ("count" | "count|people", Lang::Zh) => "个",
        ("people", Lang::En) => "people",
        ("households", Lang::En) => "households",
        ("villages", Lang::En) => "villages",
        ("counties", Lang::En) => "counties",
        ("sites", Lang::En) => "sites",
        ("yuan", Lang::En) => "yuan",
        ("km", Lang::En) => "km",
        _ => "",
    }
}

/// A figure's value with its unit and qualifier: zh 4.2991万人, 120余个,
/// 近2亿元, 4000元以上; en 42,991 people, over 120, nearly 200 million yuan.
pub fn quantity(value: f64, unit: &str, qualifier: Option<&str>, lang: Lang) -> String {
    let n = number(value, lang);
    let u = unit_word(unit, lang);
    match lang {
        Lang::Zh => match qualifier {
            Some(q @ ("余" | "多")) => {
                // 余/多 stand between the number and the unit: 120余个, 10多亿元.
                match n.strip_suffix('万').or_else(|| n.strip_suffix('亿')) {
                    Some(stem) => format!("{stem}{q}{}{u}", &n[stem.len()..]),
                    None => format!("{n}{q}{u}"),
                }
            }
            Some(q @ ("近" | "约" | "超过" | "逾" | "达")) => format!("{q}{n}{u}"),
            Some(q) => format!("{n}{u}{q}"),
            None => format!("{n}{u}"),
        },
        Lang::En => {
            let body = match u {
                "" => n,
                "%" => format!("{n}%"),
                "km" => format!("{n} km"),
                _ => format!("{n} {u}"),
            };
            match qualifier.and_then(qualifier_en) {
                Some(q) => format!("{q} {body}"),
                None => body,
            }
        }
    }
}

/// English for a Chinese approximation word.
pub fn qualifier_en(q: &str) -> Option<&'static str> {
    Some(match q {
        "余" | "多" | "超过" | "逾" | "以上" | "过" => "over",
        "近" | "将近" | "接近" => "nearly",
        "约" | "左右" | "大约" | "上下" => "about",
        "以下" | "不足" | "不到" => "under",
        "达" => "",
        _ => return None,
    })
    .filter(|s: &&str| !s.is_empty())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date from front matter (`2020-11-17` or RFC 3339) in a language:
/// zh 2020年11月17日, en 17 Nov 2020. None when it is not a date.
pub fn date(value: &str, lang: Lang) -> Option<String> {
    let ymd = value.get(..10)?;
    let d = chrono::NaiveDate::parse_from_str(ymd, "%Y-%m-%d").ok()?;
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    Some(match lang {
        Lang::Zh => format!("{y}年{m}月{day}日"),
        Lang::En => format!("{day} {} {y}", MONTHS[(m - 1) as usize]),
    })
}

/// The side of a before/after pair when its year is not known.
pub fn side_word(side: crate::data::Side, lang: Lang) -> &'static str {
    use crate::data::Side;
    match (side, lang) {
        (Side::Start, Lang::Zh) => "此前",
        (Side::End, Lang::Zh) => "此后",
        (Side::Start, Lang::En) => "Before",
        (Side::End, Lang::En) => "After",
    }
}

/// A year or period as front matter writes it ("2019", "2016-2020",
/// "2016-") in a language: zh 2016—2020年, 2016年以来; en 2016–2020, since 2016.
pub fn period(value: &str, lang: Lang) -> String {
    match (value.split_once('-'), lang) {
        (Some((a, "")), Lang::Zh) => format!("{a}年以来"),
        (Some((a, "")), Lang::En) => format!("since {a}"),
        (Some((a, b)), Lang::Zh) => format!("{a}—{b}年"),
        (Some((a, b)), Lang::En) => format!("{a}–{b}"),
        (None, Lang::Zh) => format!("{value}年"),
        (None, Lang::En) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_language() {
        assert_eq!(quantity(43000.0, "people", None, Lang::Zh), "4.3万人");
        assert_eq!(quantity(43000.0, "people", None, Lang::En), "43,000 people");
        assert_eq!(quantity(42991.0, "people", None, Lang::En), "42,991 people");
        assert_eq!(
            quantity(14_800_000_000.0, "yuan", None, Lang::Zh),
            "148亿元"
        );
        assert_eq!(
            quantity(14_800_000_000.0, "yuan", None, Lang::En),
            "14.8 billion yuan"
        );
        assert_eq!(quantity(3675.95, "yuan", None, Lang::En), "3,675.95 yuan");
        assert_eq!(quantity(6.9, "percent", None, Lang::En), "6.9%");
        assert_eq!(quantity(0.31, "percent", None, Lang::Zh), "0.31%");
        assert_eq!(quantity(120.0, "count", Some("余"), Lang::Zh), "120余个");
        assert_eq!(quantity(1e9, "yuan", Some("多"), Lang::Zh), "10多亿元");
        assert_eq!(
            quantity(2e8, "yuan", Some("近"), Lang::En),
            "nearly 200 million yuan"
        );
        assert_eq!(
            quantity(4000.0, "yuan", Some("以上"), Lang::Zh),
            "4000元以上"
        );
        assert_eq!(
            quantity(4000.0, "yuan", Some("以上"), Lang::En),
            "over 4,000 yuan"
        );
        assert_eq!(
            quantity(10_309_500.0, "yuan", None, Lang::Zh),
            "1030.95万元"
        );
        assert_eq!(quantity(42991.0, "people", None, Lang::Zh), "42991人");
        assert_eq!(
            quantity(195_281_000.0, "yuan", None, Lang::Zh),
            "19528.1万元"
        );
        assert_eq!(
            quantity(5_473_000_000.0, "yuan", None, Lang::Zh),
            "54.73亿元"
        );
        assert_eq!(quantity(702_800.0, "yuan", None, Lang::En), "702,800 yuan");
    }

    #[test]
    fn dates_per_language() {
        assert_eq!(
            date("2020-11-17T12:43:20+08:00", Lang::Zh).unwrap(),
            "2020年11月17日"
        );
        assert_eq!(date("2020-11-17", Lang::En).unwrap(), "17 Nov 2020");
        assert_eq!(date("soon", Lang::En), None);
        assert_eq!(period("2016-2020", Lang::En), "2016–2020");
        assert_eq!(period("2016-", Lang::Zh), "2016年以来");
    }
}
