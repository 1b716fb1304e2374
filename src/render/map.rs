//! The map of the archive: China's provincial-level divisions, drawn at
//! build time from `data/map/` as inline SVG, with the archive's regions as
//! dots linked to their pages and the provinces that have reports shaded
//! and linked to theirs.
//!
//! The projection is the Albers equal-area conic with standard parallels
//! 25°N and 47°N and central meridian 105°E, the usual one for maps of
//! China. Like the charts, the map has no script and no inline style: the
//! theme's stylesheet colours it through classes.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::charts::{escape, n, text_width};
use super::pages::{Index, region_name, region_path};
use super::templates::relative_url;
use crate::data::geo::LonLat;
use crate::format::Lang;
use crate::model::Model;

/// Width of the map in SVG units.
const WIDTH: f64 = 800.0;
/// Margin around the drawing.
const MARGIN: f64 = 12.0;
/// Regions are named on the map when there are at most this many.
const MAX_LABELS: usize = 24;
/// Size of the labels in SVG units.
const FONT: f64 = 13.0;

/// Albers equal-area conic projection: (x, y) with y pointing south, as
/// SVG draws.
struct Albers {
    n: f64,
    c: f64,
    lon0: f64,
}

impl Albers {
    fn china() -> Albers {
        let (p1, p2) = (25f64.to_radians(), 47f64.to_radians());
        let n = (p1.sin() + p2.sin()) / 2.0;
        Albers {
            n,
            c: p1.cos().powi(2) + 2.0 * n * p1.sin(),
            lon0: 105f64.to_radians(),
        }
    }

    fn project(&self, [lon, lat]: LonLat) -> (f64, f64) {
        let rho = (self.c - 2.0 * self.n * lat.to_radians().sin())
            .max(0.0)
            .sqrt()
            / self.n;
        let theta = self.n * (lon.to_radians() - self.lon0);
        (rho * theta.sin(), rho * theta.cos())
    }
}

/// The map as a page shows it.
#[derive(Serialize)]
pub struct MapView {
    svg: String,
    /// Regions drawn (with a point) and regions of the archive.
    shown: usize,
    total: usize,
}

/// A region to mark.
struct Dot {
    name: String,
    href: String,
    articles: usize,
    at: (f64, f64),
}

/// The point of a region: its own, else its nearest ancestor's.
fn point_of(model: &Model, code: &str) -> Option<LonLat> {
    model
        .regions
        .ancestry(code)
        .find_map(|r| model.geo.points.get(&r.code).copied())
}

/// The map of the archive's regions, for a page at `root`; None when the
/// site has no map data. Its accessible name is the element with the id
/// `map-caption`, which the template writes (the map's caption).
pub fn view(model: &Model, index: &Index, lang: Lang, root: &str) -> Option<MapView> {
    let geo = &model.geo;
    if geo.provinces.is_empty() {
        return None;
    }
    let albers = Albers::china();
    // Bounds of the projected outlines.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in geo
        .provinces
        .iter()
        .flat_map(|s| s.polygons.iter().flatten().flatten())
    {
        let (x, y) = albers.project(*p);
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let scale = (WIDTH - 2.0 * MARGIN) / (x1 - x0).max(f64::EPSILON);
    let height = (y1 - y0) * scale + 2.0 * MARGIN;
    let place = |p: LonLat| {
        let (x, y) = albers.project(p);
        (MARGIN + (x - x0) * scale, MARGIN + (y - y0) * scale)
    };
    // Which provinces have reports, and the dots.
    let mut reported: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dots = Vec::new();
    for code in &model.region_codes {
        let articles = index.articles_of(code).len();
        if let Some(p) = model.regions.province_of(code) {
            *reported.entry(p.code.as_str()).or_default() += articles;
        }
        let (Some(r), Some(point)) = (model.regions.get(code), point_of(model, code)) else {
            continue;
        };
        let at = place(point);
        // Outside the outlines' frame (三沙's islands, far south): not drawn.
        if !(0.0..=WIDTH).contains(&at.0) || !(0.0..=height).contains(&at.1) {
            continue;
        }
        dots.push(Dot {
            name: region_name(r, lang),
            href: relative_url(root, &region_path(model, lang, r)),
            articles,
            at,
        });
    }
    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"map-caption\"><g class=\"provinces\">",
        w = n(WIDTH),
        h = n(height),
    );
    for shape in &geo.provinces {
        let mut d = String::new();
        for ring in shape.polygons.iter().flatten() {
            let mut last = String::new();
            for (k, p) in ring.iter().enumerate() {
                let (x, y) = place(*p);
                let xy = format!("{},{}", n(x), n(y));
                if xy != last {
                    d.push(if k == 0 { 'M' } else { 'L' });
                    d.push_str(&xy);
                    last = xy;
                }
            }
            d.push('Z');
        }
        let region = model.regions.get(&shape.code);
        let name = region.map_or(shape.code.clone(), |r| region_name(r, lang));
        match (reported.get(shape.code.as_str()), region) {
            (Some(&articles), Some(r)) => {
                let href = relative_url(root, &region_path(model, lang, r));
                let _ = write!(
                    svg,
                    "<a href=\"{}\"><path class=\"province reported\" data-code=\"{}\" d=\"{d}\">\
                     <title>{} · {}</title></path></a>",
                    escape(&href),
                    escape(&shape.code),
                    escape(&name),
                    articles_text(articles, lang),
                );
            }
            _ => {
                let _ = write!(
                    svg,
                    "<path class=\"province\" data-code=\"{}\" d=\"{d}\"><title>{}</title></path>",
                    escape(&shape.code),
                    escape(&name)
                );
            }
        }
    }
    svg.push_str("</g><g class=\"regions\">");
    let radius = match dots.len() {
        0..=50 => 5.0,
        51..=300 => 3.5,
        _ => 2.5,
    };
    for dot in &dots {
        let _ = write!(
            svg,
            "<a href=\"{}\"><circle class=\"marker\" cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{} · {}</title></circle></a>",
            escape(&dot.href),
            n(dot.at.0),
            n(dot.at.1),
            n(radius),
            escape(&dot.name),
            articles_text(dot.articles, lang),
        );
    }
    svg.push_str("</g>");
    if dots.len() <= MAX_LABELS {
        labels(&mut svg, &dots, radius, height);
    }
    svg.push_str("</svg>");
    Some(MapView {
        svg,
        shown: dots.len(),
        total: model.region_codes.len(),
    })
}

/// "3 articles" / "3篇文章".
fn articles_text(count: usize, lang: Lang) -> String {
    match (lang, count) {
        (Lang::Zh, c) => format!("{c}篇文章"),
        (Lang::En, 1) => "1 article".to_string(),
        (Lang::En, c) => format!("{c} articles"),
    }
}

/// Names beside the dots, each where it overlaps no other name: right of
/// its dot, else left, above or below; a name with no free place is left
/// out (its dot still has its title and link).
fn labels(svg: &mut String, dots: &[Dot], radius: f64, height: f64) {
    let mut taken: Vec<(f64, f64, f64, f64)> = dots
        .iter()
        .map(|d| {
            (
                d.at.0 - radius,
                d.at.1 - radius,
                d.at.0 + radius,
                d.at.1 + radius,
            )
        })
        .collect();
    let overlaps = |a: &(f64, f64, f64, f64), b: &(f64, f64, f64, f64)| {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    };
    svg.push_str("<g class=\"labels\" aria-hidden=\"true\">");
    for dot in dots {
        let w = text_width(&dot.name);
        let (x, y) = dot.at;
        let gap = radius + 3.0;
        // (left edge, baseline) of each candidate place.
        let candidates = [
            (x + gap, y + FONT * 0.35),
            (x - gap - w, y + FONT * 0.35),
            (x - w / 2.0, y - gap),
            (x - w / 2.0, y + gap + FONT * 0.8),
        ];
        for (lx, base) in candidates {
            let bx = (lx, base - FONT * 0.85, lx + w, base + FONT * 0.2);
            let inside = bx.0 >= 0.0 && bx.2 <= WIDTH && bx.1 >= 0.0 && bx.3 <= height;
            if inside && !taken.iter().any(|t| overlaps(t, &bx)) {
                let _ = write!(
                    svg,
                    "<text x=\"{}\" y=\"{}\">{}</text>",
                    n(lx),
                    n(base),
                    escape(&dot.name)
                );
                taken.push(bx);
                break;
            }
        }
    }
    svg.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn albers_keeps_east_right_and_north_up() {
        let a = Albers::china();
        let (bx, by) = a.project([116.4, 39.9]); // Beijing
        let (gx, gy) = a.project([113.3, 23.1]); // Guangzhou
        let (ux, _) = a.project([87.6, 43.8]); // Urumqi
        assert!(by < gy, "Beijing is north of Guangzhou (smaller y)");
        assert!(ux < bx && ux < gx, "Urumqi is west");
        let (cx, _) = a.project([105.0, 35.0]);
        assert!(cx.abs() < 1e-12, "the central meridian is x = 0");
    }
}
