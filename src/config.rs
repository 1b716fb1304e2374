//! Site settings (`site.toml`).
