//! Charts as inline SVG, drawn at build time: no script, the same bytes
//! on every build, readable offline and in print.
//!
//! Two kinds: horizontal bars (regions compared on one indicator, a
//! before/after pair) and a time series (one point per year, joined by a
//! line). Every mark carries the number it stands for in `data-value` (the
//! plain value, as written in the data downloads) and a `<title>` with the
//! value as the page writes it, and links to the sentence it came from.
//! Colours come from the theme's stylesheet through classes, so light and
//! dark mode follow the page; there is no `style` attribute or element
//! (the pages' Content-Security-Policy forbids inline styles).

use std::fmt::Write;

pub use super::markdown::escape;

/// Font size of labels in SVG units (the stylesheet uses the same).
const FONT: f64 = 13.0;
/// Height of one bar's row.
const ROW: f64 = 26.0;
/// Thickness of a bar.
const BAR: f64 = 16.0;
/// Height of the value axis under the bars.
const AXIS: f64 = 24.0;
/// Height of the plot of a time series.
const SERIES_HEIGHT: f64 = 200.0;

/// One bar or point.
#[derive(Debug, Clone)]
pub struct Mark {
    /// What it is: a region's name, a year.
    pub label: String,
    /// The value as a plain number.
    pub value: f64,
    /// The value as the page writes it (4.3万人, 43,000 people).
    pub text: String,
    /// Year or period of the value, as the page writes it ("" if none).
    pub note: String,
    /// Relative link to the sentence the value comes from ("" for none).
    pub href: String,
    /// Extra class of the mark: "before", "after" or "".
    pub class: &'static str,
}

/// What a chart shows and how its axis labels are written.
pub struct Chart<'a> {
    /// Unique on the page: the ids of the SVG's title and description.
    pub id: &'a str,
    pub title: &'a str,
    /// Width in SVG units: the chart scales to its box, so this sets how
    /// large the labels come out (about 480 for half a page, 640 for all of it).
    pub width: f64,
    pub marks: &'a [Mark],
    /// An axis tick's label (the number in the page's language, with the
    /// unit where it is short, like %).
    pub tick: &'a dyn Fn(f64) -> String,
}

/// A number for an SVG attribute: one decimal, no trailing ".0".
pub fn n(x: f64) -> String {
    let s = format!("{:.1}", x);
    match s.strip_suffix(".0") {
        Some("-0") => "0".to_string(),
        Some(t) => t.to_string(),
        None => s,
    }
}

/// Roughly how wide a text is in SVG units at the label size: CJK
/// characters are square, others about half as wide.
pub fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if is_wide(c) { FONT } else { FONT * 0.58 })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFF60)
}

/// A text shortened with an ellipsis to fit a width.
fn fit(s: &str, width: f64) -> String {
    if text_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = text_width("…");
    for c in s.chars() {
        w += text_width(c.encode_utf8(&mut [0; 4]));
        if w > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Axis ticks from 0 to a round number at or above `max`: 0, step, 2·step…
/// with a step of 1, 2, 2.5 or 5 times a power of ten, about four steps.
pub fn ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0, 1.0];
    }
    let rough = max / 4.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    let count = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// The opening of a chart's SVG with its accessible name.
fn open(out: &mut String, class: &str, chart: &Chart, height: f64) {
    let id = escape(chart.id);
    // Wide charts keep a readable size on small screens (they scroll).
    let class = if chart.width > 560.0 {
        format!("{class} wide")
    } else {
        class.to_string()
    };
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {class}\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{title}</title>",
        w = n(chart.width),
        h = n(height),
        title = escape(chart.title),
    );
}

/// A mark's tooltip: "label: value (year)".
fn tooltip(m: &Mark) -> String {
    if m.note.is_empty() {
        format!("{}: {}", m.label, m.text)
    } else {
        format!("{}: {} ({})", m.label, m.text, m.note)
    }
}

/// Wraps a mark's shapes in its link, when it has one.
fn linked(out: &mut String, m: &Mark, shapes: &str) {
    if m.href.is_empty() {
        out.push_str(shapes);
    } else {
        let _ = write!(out, "<a href=\"{}\">{shapes}</a>", escape(&m.href));
    }
}

/// The value a mark is drawn at: negative and non-finite values draw as 0.
fn drawn(v: f64) -> f64 {
    if v.is_finite() { v.max(0.0) } else { 0.0 }
}

/// Horizontal bars, one row per mark in the given order: the label on the
/// left, the bar, its value (and year) at its end, a value axis below.
pub fn bars(chart: &Chart) -> String {
    let marks = chart.marks;
    let max = marks.iter().map(|m| drawn(m.value)).fold(0.0, f64::max);
    let ticks = ticks(max);
    let top = *ticks.last().unwrap_or(&1.0);
    let label_w = marks
        .iter()
        .map(|m| text_width(&m.label))
        .fold(0.0, f64::max)
        .min(chart.width * 0.26)
        + 8.0;
    let value_w = marks
        .iter()
        .map(|m| text_width(&value_label(m)))
        .fold(0.0, f64::max)
        .min(chart.width * 0.42)
        + 8.0;
    let x0 = label_w;
    let plot = (chart.width - x0 - value_w).max(chart.width * 0.3);
    let scale = |v: f64| drawn(v) / top * plot;
    let height = marks.len() as f64 * ROW + AXIS + 4.0;
    let mut out = String::with_capacity(512 + marks.len() * 400);
    open(&mut out, "chart-bars", chart, height);
    // Grid lines and tick labels.
    let bottom = marks.len() as f64 * ROW;
    out.push_str("<g class=\"axis\">");
    for t in &ticks {
        let x = x0 + scale(*t);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{b}\"/>\
             <text x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\">{}</text>",
            escape(&(chart.tick)(*t)),
            x = n(x),
            b = n(bottom),
            ty = n(bottom + FONT + 4.0),
        );
    }
    out.push_str("</g>");
    for (i, m) in marks.iter().enumerate() {
        let y = i as f64 * ROW;
        let w = scale(m.value);
        let bar_y = y + (ROW - BAR) / 2.0;
        let text_y = y + ROW / 2.0 + FONT * 0.35;
        let class = if m.class.is_empty() {
            "bar".to_string()
        } else {
            format!("bar {}", m.class)
        };
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(x0 - 6.0),
            n(text_y),
            escape(&fit(&m.label, label_w - 8.0)),
        );
        let shapes = format!(
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" data-value=\"{}\">\
             <title>{}</title></rect><text class=\"value\" x=\"{}\" y=\"{}\">{}</text>",
            n(x0),
            n(bar_y),
            n(w),
            n(BAR),
            m.value,
            escape(&tooltip(m)),
            n(x0 + w + 4.0),
            n(text_y),
            escape(&fit(&value_label(m), value_w - 6.0)),
        );
        linked(&mut out, m, &shapes);
    }
    out.push_str("</svg>");
    out
}

/// What is written at the end of a bar: the value, and its year.
fn value_label(m: &Mark) -> String {
    if m.note.is_empty() {
        m.text.clone()
    } else {
        format!("{} · {}", m.text, m.note)
    }
}

/// A time series: marks are (year, value), placed by year from left to
/// right and joined by a line; each point labelled with its value, the
/// years written under the axis.
pub fn series(chart: &Chart, years: &[f64]) -> String {
    let marks = chart.marks;
    let max = marks.iter().map(|m| drawn(m.value)).fold(0.0, f64::max);
    let ticks = ticks(max);
    let top = *ticks.last().unwrap_or(&1.0);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&(chart.tick)(*t)))
        .fold(0.0, f64::max);
    let left = tick_w + 10.0;
    let right = 48.0;
    let plot_top = FONT + 10.0;
    let plot_h = SERIES_HEIGHT - plot_top;
    let (lo, hi) = years
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &y| (a.min(y), b.max(y)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let pad = 36.0;
    let width = chart.width;
    let x_of = |year: f64| {
        if hi > lo {
            left + pad + (year - lo) / span * (width - left - right - 2.0 * pad)
        } else {
            (left + width - right) / 2.0
        }
    };
    let y_of = |v: f64| plot_top + plot_h - drawn(v) / top * plot_h;
    let height = SERIES_HEIGHT + AXIS;
    let mut out = String::with_capacity(1024 + marks.len() * 400);
    open(&mut out, "chart-series", chart, height);
    out.push_str("<g class=\"axis\">");
    for t in &ticks {
        let y = y_of(*t);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\"/>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{}</text>",
            escape(&(chart.tick)(*t)),
            l = n(left),
            r = n(chart.width - right),
            y = n(y),
            tx = n(left - 6.0),
            ty = n(y + FONT * 0.35),
        );
    }
    for (m, &year) in marks.iter().zip(years) {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(x_of(year)),
            n(SERIES_HEIGHT + FONT + 4.0),
            escape(&m.label),
        );
    }
    out.push_str("</g>");
    let mut points: Vec<(f64, f64)> = marks
        .iter()
        .zip(years)
        .map(|(m, &year)| (x_of(year), y_of(m.value)))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points.len() > 1 {
        let d: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{},{}", if i == 0 { "M" } else { "L" }, n(*x), n(*y)))
            .collect();
        let _ = write!(out, "<path class=\"line\" d=\"{}\"/>", d.join(""));
    }
    for (m, &year) in marks.iter().zip(years) {
        let (x, y) = (x_of(year), y_of(m.value));
        let shapes = format!(
            "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"5\" data-value=\"{}\"><title>{}</title></circle>\
             <text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(x),
            n(y),
            m.value,
            escape(&tooltip(m)),
            n(x),
            n(y - 9.0),
            escape(&m.text),
        );
        linked(&mut out, m, &shapes);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(label: &str, value: f64) -> Mark {
        Mark {
            label: label.into(),
            value,
            text: format!("{value} people"),
            note: "2020".into(),
            href: "../a/index.html#fig-1".into(),
            class: "",
        }
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(6.9), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(43000.0), vec![0.0, 20000.0, 40000.0, 60000.0]);
        assert_eq!(ticks(100.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(ticks(f64::NAN), vec![0.0, 1.0]);
    }

    #[test]
    fn bars_are_proportional_to_their_values_and_escaped() {
        let marks = vec![mark("<b>A&B</b>", 40.0), mark("乙县", 10.0)];
        let tick = |v: f64| format!("{v}");
        let svg = bars(&Chart {
            id: "c1",
            title: "t\"x",
            width: 640.0,
            marks: &marks,
            tick: &tick,
        });
        assert!(svg.contains("&lt;b&gt;A&amp;B&lt;/b&gt;"), "{svg}");
        assert!(svg.contains("<title id=\"c1-title\">t&quot;x</title>"));
        let widths: Vec<f64> = svg
            .split("<rect ")
            .skip(1)
            .map(|rect| {
                let rest = &rect[rect.find(" width=\"").unwrap() + 8..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert_eq!(widths.len(), 2);
        assert!((widths[0] / widths[1] - 4.0).abs() < 0.05, "{widths:?}");
        assert!(svg.contains("data-value=\"40\""));
        assert!(svg.contains("<a href=\"../a/index.html#fig-1\">"));
    }

    #[test]
    fn negative_values_draw_as_nothing() {
        let marks = vec![mark("a", -5.0), mark("b", 5.0)];
        let tick = |v: f64| format!("{v}");
        let svg = bars(&Chart {
            id: "c",
            title: "t",
            width: 480.0,
            marks: &marks,
            tick: &tick,
        });
        assert!(svg.contains("width=\"0\""), "{svg}");
        assert!(svg.contains("data-value=\"-5\""));
    }

    #[test]
    fn series_places_years_left_to_right() {
        let marks = vec![mark("2019", 30.0), mark("2016", 10.0)];
        let tick = |v: f64| format!("{v}");
        let svg = series(
            &Chart {
                id: "s",
                title: "t",
                width: 480.0,
                marks: &marks,
                tick: &tick,
            },
            &[2019.0, 2016.0],
        );
        let cx: Vec<f64> = svg
            .match_indices("cx=\"")
            .map(|(i, m)| {
                let rest = &svg[i + m.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert!(cx[0] > cx[1], "2019 right of 2016: {cx:?}");
        assert!(svg.contains("<path class=\"line\""));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(fit("short", 200.0), "short");
        let long = fit("Xinjiang Production and Construction Corps", 100.0);
        assert!(
            long.ends_with('…') && text_width(&long) <= 100.0 + FONT,
            "{long}"
        );
    }
}
