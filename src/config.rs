//! Site settings (`site.toml`), validated: unknown keys are errors that name
//! the key, and the folders are resolved against the site root.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

/// The raw file, as written by the user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Titles,
    #[serde(default)]
    description: Option<Titles>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default = "default_languages")]
    languages: Vec<String>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    folders: RawFolders,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Titles {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFolders {
    seeds: Option<PathBuf>,
    content: Option<PathBuf>,
    data: Option<PathBuf>,
    themes: Option<PathBuf>,
    templates: Option<PathBuf>,
    output: Option<PathBuf>,
}

fn default_languages() -> Vec<String> {
    vec!["zh".into(), "en".into()]
}

fn default_theme() -> String {
    "default".into()
}

/// Validated site settings with absolute folders.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub title: Titles,
    pub description: Option<Titles>,
    /// Absolute URL the archive is published at, without a trailing slash.
    pub base_url: Option<String>,
    pub languages: Vec<String>,
    pub theme: String,
    pub seeds_dir: PathBuf,
    pub content_dir: PathBuf,
    pub data_dir: PathBuf,
    pub themes_dir: PathBuf,
    /// The site's own templates, overriding the theme's files of the same name.
    pub templates_dir: PathBuf,
    pub output_dir: PathBuf,
}

pub const SITE_FILE: &str = "site.toml";

impl Site {
    /// Loads `site.toml` from a site root.
    pub fn load(root: &Path) -> Result<Site> {
        let path = root.join(SITE_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (is {} a Gazetteer site folder?)",
                path.display(),
                root.display()
            )
        })?;
        Self::parse(root, &text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    pub fn parse(root: &Path, text: &str) -> Result<Site> {
        let raw: RawSite = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let line = unknown_key_line(text, &msg)
                .or_else(|| e.span().map(|s| text[..s.start].lines().count().max(1)));
            match line {
                Some(l) => anyhow::anyhow!("line {l}: {msg}"),
                None => anyhow::anyhow!("{msg}"),
            }
        })?;
        for lang in &raw.languages {
            anyhow::ensure!(
                lang == "zh" || lang == "en",
                "languages: `{lang}` is not supported (zh, en)"
            );
        }
        anyhow::ensure!(
            raw.languages.iter().any(|l| l == "zh"),
            "languages: zh is the source language and is required"
        );
        let base_url = raw
            .base_url
            .as_deref()
            .map(check_base_url)
            .transpose()?
            .flatten();
        let root = root.to_path_buf();
        let at = |p: Option<PathBuf>, default: &str| {
            root.join(p.unwrap_or_else(|| PathBuf::from(default)))
        };
        let f = raw.folders;
        Ok(Site {
            title: raw.title,
            description: raw.description,
            base_url,
            languages: raw.languages,
            theme: raw.theme,
            seeds_dir: at(f.seeds, "seeds"),
            content_dir: at(f.content, "content"),
            data_dir: at(f.data, "data"),
            themes_dir: at(f.themes, "themes"),
            templates_dir: at(f.templates, "templates"),
            output_dir: at(f.output, "public"),
            root,
        })
    }

    /// Replaces the base URL (the `--base-url` flag).
    pub fn set_base_url(&mut self, url: &str) -> Result<()> {
        self.base_url = check_base_url(url)?;
        Ok(())
    }

    pub fn theme_dir(&self) -> PathBuf {
        self.themes_dir.join(&self.theme)
    }
}

/// The line of the key an "unknown field `key`" error names: serde reports
/// the span of the whole table, the user wants the line of the key.
fn unknown_key_line(text: &str, message: &str) -> Option<usize> {
    let key = message.strip_prefix("unknown field `")?.split('`').next()?;
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// An absolute http(s) URL without a trailing slash; empty means none.
fn check_base_url(url: &str) -> Result<Option<String>> {
    let url = url.trim().trim_end_matches('/');
    if url.is_empty() {
        return Ok(None);
    }
    anyhow::ensure!(
        url.starts_with("http://") || url.starts_with("https://"),
        "base_url `{url}` must be an absolute http(s) URL such as https://example.org/archive"
    );
    Ok(Some(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let err = Site::parse(
            Path::new("."),
            "languages = [\"zh\"]\nbase_ulr = \"x\"\n[title]\nzh = \"a\"\nen = \"b\"\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("base_ulr"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn defaults_and_folders() {
        let s = Site::parse(
            Path::new("/site"),
            "base_url = \"https://example.org/archive/\"\n[title]\nzh = \"甲\"\nen = \"A\"\n",
        )
        .unwrap();
        assert_eq!(s.base_url.as_deref(), Some("https://example.org/archive"));
        assert_eq!(s.content_dir, Path::new("/site/content"));
        assert_eq!(s.languages, ["zh", "en"]);
    }
}
