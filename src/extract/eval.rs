//! Scoring the extractor against a gold file.
