//! Reference data loaded from the site's `data/` folder: the indicator
//! taxonomy, the table of administrative divisions and the glossary.

pub mod glossary;
pub mod regions;
pub mod taxonomy;

pub use glossary::{Glossary, Term};
pub use regions::{Region, RegionLevel, Regions};
pub use taxonomy::{Indicator, Taxonomy};
