//! Extraction of figures from a cleaned article body.
//!
//! `quantity` finds and parses the numbers (Arabic and Chinese numerals,
//! 万/亿 multipliers, percentages, compounds, ranges, qualifiers);
//! `indicator` decides which indicator of the taxonomy each quantity
//! reports, if any, and with which year; `eval` scores the result against a
//! hand-labelled gold file (or a file of labelled sentences); `sanity`
//! flags values that are impossible for their indicator.

pub mod eval;
pub mod indicator;
pub mod quantity;
pub mod sanity;

use serde::{Deserialize, Serialize};

/// A figure reported by an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Indicator key from the taxonomy.
    pub key: String,
    /// The value as a plain number (万/亿 multiplied out, percent as 6.9).
    pub value: f64,
    /// Unit of the value (people, households, yuan, percent, ...).
    pub unit: String,
    /// Year or period the figure belongs to ("2019", "2016-2020", "2016-").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<String>,
    /// Approximation kept from the text: 余, 多, 近, 约, 超过, 以上 ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The clause or sentence of the body the figure comes from.
    pub quote: String,
    /// Character (not byte) offset of the quantity's text in the body.
    pub start: usize,
    /// Character offset just past the quantity's text.
    pub end: usize,
    /// A target or plan (计划, 力争, 确保…, …这是…目标任务), not a result.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub target: bool,
    /// Why the value looks impossible for its indicator (a rate over 100%,
    /// more people lifted than registered poor), in a few English words;
    /// None when it passed every check of [`sanity`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doubt: Option<String>,
}

pub use eval::{EvalReport, evaluate};
pub use indicator::{Decision, explain, extract_figures};
pub use quantity::{Quantity, parse_number, parse_quantity};
