//! English summaries generated from an article's figures.
