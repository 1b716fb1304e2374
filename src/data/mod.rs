//! Reference data loaded from the site's `data/` folder: the indicator
//! taxonomy, the table of administrative divisions, the glossary and the
//! map data.

pub mod geo;
pub mod glossary;
pub mod regions;
pub mod taxonomy;

pub use geo::Geo;
pub use glossary::{Glossary, Term};
pub use regions::{Region, RegionLevel, Regions};
pub use taxonomy::{Indicator, Side, Taxonomy};
