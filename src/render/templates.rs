//! The theme: Tera templates (a site's own `templates/` overrides the theme
//! file of the same name), UI strings from `i18n/{zh,en}.toml`, and the
//! template functions `t` (a UI string in the page's language) and `url`
//! (a relative link that works from disk and under any sub-path).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use tera::{Error as TeraError, ErrorKind, Kwargs, State, Tera};

use crate::config::Site;
use crate::format::Lang;

/// UI strings of one language: dotted key → text.
pub type Strings = BTreeMap<String, String>;

#[derive(Clone)]
pub struct Theme {
    pub tera: Tera,
    /// Template name → file it was loaded from, for error messages.
    pub files: BTreeMap<String, PathBuf>,
    pub strings: Arc<BTreeMap<Lang, Strings>>,
    /// Template name → hash of it and everything it extends or includes.
    pub template_hashes: BTreeMap<String, u128>,
    /// Hash of the UI strings of both languages.
    pub strings_hash: u128,
    /// Files of the theme's static/ folder, relative path → absolute path.
    pub static_files: Vec<(String, PathBuf)>,
}

impl Theme {
    pub fn load(site: &Site) -> Result<Theme> {
        let theme_dir = site.theme_dir();
        anyhow::ensure!(
            theme_dir.is_dir(),
            "the theme `{}` is not at {} (site.toml: theme)",
            site.theme,
            theme_dir.display()
        );
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        for dir in [theme_dir.join("templates"), site.templates_dir.clone()] {
            for (name, path) in list_files(&dir)? {
                if name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".txt") {
                    files.insert(name, path); // the site's file replaces the theme's
                }
            }
        }
        let mut strings = BTreeMap::new();
        let mut strings_hash = xxhash_rust::xxh3::Xxh3::new();
        for lang in Lang::ALL {
            let path = theme_dir.join("i18n").join(format!("{}.toml", lang.code()));
            let (table, hash) = load_strings(&path)?;
            strings.insert(lang, table);
            strings_hash.update(&hash.to_le_bytes());
        }
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for (name, path) in &files {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the template {}", path.display()))?;
            sources.insert(name.clone(), text);
        }
        check_same_keys(&strings, &theme_dir)?;
        let strings = Arc::new(strings);

        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        let s = Arc::clone(&strings);
        tera.register_function(
            "t",
            move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
                let key: &str = kwargs.must_get("key")?;
                let lang: Option<String> = state.get("lang")?;
                let lang = lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::Zh);
                let lang = match kwargs.get::<&str>("lang")? {
                    Some(l) => Lang::parse(l).unwrap_or(lang),
                    None => lang,
                };
                s.get(&lang)
                    .and_then(|m| m.get(key))
                    .cloned()
                    .ok_or_else(|| {
                        TeraError::message(format!(
                            "no UI string `{key}` in i18n/{}.toml",
                            lang.code()
                        ))
                    })
            },
        );
        tera.register_function(
            "url",
            |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
                let path: &str = kwargs.must_get("path")?;
                let root: Option<String> = state.get("path_to_root")?;
                Ok(relative_url(root.as_deref().unwrap_or(""), path))
            },
        );
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&e, &files))?;
        let template_hashes = super::deps::template_hashes(&sources);
        let static_files = list_files(&theme_dir.join("static"))?;
        Ok(Theme {
            tera,
            files,
            strings,
            template_hashes,
            strings_hash: strings_hash.digest128(),
            static_files,
        })
    }

    /// Renders a template; errors name the template file and line.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(template, context)
            .map_err(|e| template_error(&e, &self.files))
    }

    /// Renders a template to bytes (no UTF-8 check of Tera's output).
    pub fn render_bytes(&self, template: &str, context: &tera::Context) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| template_error(&e, &self.files))?;
        Ok(out)
    }
}

/// A link from a page to a site path: `path_to_root` + path, with
/// `index.html` added to folder paths.
pub fn relative_url(path_to_root: &str, path: &str) -> String {
    if path.starts_with('#') || path.contains("://") {
        return path.to_string();
    }
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (path, String::new()),
    };
    let path = path.trim_start_matches('/');
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    format!("{path_to_root}{file}{fragment}")
}

fn template_error(e: &TeraError, files: &BTreeMap<String, PathBuf>) -> anyhow::Error {
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let file = files
                .get(r.filename())
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| r.filename().to_string());
            anyhow::anyhow!(
                "{file}:{}:{}: template error: {}\n{e}",
                r.span().start_line,
                r.span().start_col + 1,
                r.message()
            )
        }
        _ => anyhow::anyhow!("template error: {e}"),
    }
}

/// Files below a folder, by `/`-separated relative path, sorted.
fn list_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_file() && !entry.file_name().to_string_lossy().starts_with('.') {
            let rel = entry.path().strip_prefix(dir).expect("below dir");
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, entry.into_path()));
        }
    }
    Ok(out)
}

fn load_strings(path: &Path) -> Result<(Strings, u128)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the UI strings {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(":{}", text[..s.start].lines().count().max(1)))
            .unwrap_or_default();
        anyhow::anyhow!("{}{line}: {}", path.display(), e.message())
    })?;
    let mut out = Strings::new();
    flatten("", &table, &mut out, path)?;
    Ok((out, crate::model::hash_bytes(text.as_bytes())))
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Strings, path: &Path) -> Result<()> {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out, path)?,
            _ => anyhow::bail!("{}: `{key}` must be a string", path.display()),
        }
    }
    Ok(())
}

fn check_same_keys(strings: &BTreeMap<Lang, Strings>, theme_dir: &Path) -> Result<()> {
    let zh = &strings[&Lang::Zh];
    let en = &strings[&Lang::En];
    let missing_en: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    let missing_zh: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    anyhow::ensure!(
        missing_en.is_empty() && missing_zh.is_empty(),
        "{}: UI strings missing in en.toml: {missing_en:?}; in zh.toml: {missing_zh:?}",
        theme_dir.join("i18n").display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::relative_url;

    #[test]
    fn relative_urls_name_index_html() {
        assert_eq!(
            relative_url("../../", "zh/regions/neixiang/"),
            "../../zh/regions/neixiang/index.html"
        );
        assert_eq!(relative_url("", "/en/"), "en/index.html");
        assert_eq!(relative_url("../", ""), "../index.html");
        assert_eq!(
            relative_url("../", "static/style.css"),
            "../static/style.css"
        );
        assert_eq!(
            relative_url("../../", "zh/articles/a/#fig-2"),
            "../../zh/articles/a/index.html#fig-2"
        );
    }
}
