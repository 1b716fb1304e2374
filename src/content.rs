//! Content files: front-mattered Markdown between ingest and build.
