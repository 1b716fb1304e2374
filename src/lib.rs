//! Gazetteer: turns scraped Chinese news reports on county-level poverty
//! alleviation into a bilingual static report archive.
//!
//! The pipeline flows one way, and the modules are named after its stages:
//!
//! ```text
//! seeds/  --ingest (decode, clean, meta, region) + extract (quantity, indicator)-->  content/
//! content/ --model--> articles, regions, figures --render--> public/
//! ```
//!
//! `config` holds the validated site settings, `data` the reference tables in
//! `data/` (regions, indicator taxonomy, glossary), `content` the front-mattered
//! Markdown files that sit between ingest and build.

pub mod check;
pub mod config;
pub mod content;
pub mod corpus;
pub mod data;
pub mod extract;
pub mod format;
pub mod ingest;
pub mod model;
pub mod render;
pub mod serve;
pub mod summary;
