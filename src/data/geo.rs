//! Map data (`data/map/`): simplified boundaries of China's provincial-level
//! divisions (`provinces.geojson`) and a point for each region code
//! (`region_points.tsv`), both in longitude/latitude degrees. The region
//! pages' map is drawn from them at build time (`crate::render::map`).
//! Both files are optional: without them there is no map.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// A point: longitude, latitude in degrees.
pub type LonLat = [f64; 2];

/// A province's shape: polygons, each an outer ring and its holes.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Six-digit GB/T 2260 code of the province.
    pub code: String,
    pub polygons: Vec<Vec<Vec<LonLat>>>,
}

/// The map data of a site.
#[derive(Debug, Clone, Default)]
pub struct Geo {
    /// Sorted by code.
    pub provinces: Vec<Shape>,
    /// Region code → its point.
    pub points: HashMap<String, LonLat>,
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    code: String,
}

/// The two geometry types a province can have (RFC 7946).
#[derive(Deserialize)]
#[serde(tag = "type")]
enum Geometry {
    Polygon { coordinates: Vec<Vec<LonLat>> },
    MultiPolygon { coordinates: Vec<Vec<Vec<LonLat>>> },
}

pub const PROVINCES_FILE: &str = "map/provinces.geojson";
pub const POINTS_FILE: &str = "map/region_points.tsv";

impl Geo {
    /// Loads `data/map/`; a missing file gives no shapes or no points.
    pub fn load(data_dir: &Path) -> Result<Geo> {
        let mut geo = Geo::default();
        let shapes = data_dir.join(PROVINCES_FILE);
        if shapes.is_file() {
            let text = std::fs::read_to_string(&shapes)
                .with_context(|| format!("cannot read {}", shapes.display()))?;
            geo.provinces = parse_shapes(&text)
                .with_context(|| format!("{}: not a usable GeoJSON file", shapes.display()))?;
        }
        let points = data_dir.join(POINTS_FILE);
        if points.is_file() {
            let text = std::fs::read_to_string(&points)
                .with_context(|| format!("cannot read {}", points.display()))?;
            geo.points = parse_points(&text)
                .map_err(|(line, e)| anyhow::anyhow!("{}:{line}: {e}", points.display()))?;
        }
        Ok(geo)
    }
}

/// Province shapes from a GeoJSON FeatureCollection.
fn parse_shapes(text: &str) -> Result<Vec<Shape>> {
    let fc: FeatureCollection = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "line {}, column {}: {e} (each feature needs properties.code and a Polygon or MultiPolygon)",
            e.line(),
            e.column()
        )
    })?;
    let mut out = Vec::with_capacity(fc.features.len());
    for f in fc.features {
        let polygons = match f.geometry {
            Geometry::Polygon { coordinates } => vec![coordinates],
            Geometry::MultiPolygon { coordinates } => coordinates,
        };
        for ring in polygons.iter().flatten() {
            if ring.iter().flatten().any(|v| !v.is_finite()) {
                bail!(
                    "province {}: a coordinate is not a number",
                    f.properties.code
                );
            }
        }
        out.push(Shape {
            code: f.properties.code,
            polygons,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// Points from `code<TAB>longitude<TAB>latitude` lines after a header.
fn parse_points(text: &str) -> std::result::Result<HashMap<String, LonLat>, (usize, String)> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(code), Some(lon), Some(lat)) = (cols.next(), cols.next(), cols.next()) else {
            return Err((
                n + 1,
                "expected code, longitude and latitude separated by tabs".into(),
            ));
        };
        let number = |s: &str, what: &str, range: f64| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.abs() <= range)
                .ok_or((n + 1, format!("{what} `{s}` is not a number of degrees")))
        };
        out.insert(
            code.trim().to_string(),
            [
                number(lon, "longitude", 180.0)?,
                number(lat, "latitude", 90.0)?,
            ],
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_polygons_and_multipolygons() {
        let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"410000","name":"Henan"},"geometry":{"type":"Polygon","coordinates":[[[110,32],[116,32],[116,36],[110,32]]]}},
{"type":"Feature","properties":{"code":"110000"},"geometry":{"type":"MultiPolygon","coordinates":[[[[116,39],[117,39],[117,40],[116,39]]]]}}]}"#;
        let shapes = parse_shapes(text).unwrap();
        assert_eq!(shapes[0].code, "110000", "sorted by code");
        assert_eq!(shapes[1].polygons[0][0].len(), 4);
    }

    #[test]
    fn bad_files_say_where() {
        let err = parse_shapes("{\"features\": [{\"properties\": {}}]}").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = parse_points("code\tlongitude\tlatitude\n411325\t111.8\n").unwrap_err();
        assert_eq!(err.0, 2);
        let err = parse_points("code\tlongitude\tlatitude\n411325\t999\t33\n").unwrap_err();
        assert!(err.1.contains("longitude"), "{err:?}");
        let ok = parse_points("code\tlongitude\tlatitude\n411325\t111.849\t33.045\n").unwrap();
        assert_eq!(ok["411325"], [111.849, 33.045]);
    }
}
