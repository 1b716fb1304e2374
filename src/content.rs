//! Content files: front-mattered Markdown between ingest and build.
//!
//! One file per article and language: `slug.md` (Chinese, with the
//! figures) and `slug.en.md` (English: a human translation, or a summary
//! generated from the figures). Front matter is YAML between `---` lines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::extract::Figure;

/// How the English body of an article came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Translation {
    /// A translation written by a person.
    Human,
    /// No translation: the page shows the summary generated from the figures.
    Summary,
}

/// The region an article is about, as written in front matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionRef {
    /// GB/T 2260 code.
    pub code: String,
    /// Chinese name, for people reading the file.
    pub name: String,
}

/// The seed an article was ingested from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRef {
    pub file: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// `YYYY-MM-DD` or RFC 3339 (`2020-11-17T12:43:20+08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<SeedRef>,
    /// English files only: whether the body is a human translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<Translation>,
    /// English files only: the summary generated from the figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Chinese files only: the figures of the article.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
}

/// A parsed content file.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentFile {
    pub front: FrontMatter,
    pub body: String,
}

/// An error in a content file, with the line it is on when known.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ContentError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl ContentFile {
    /// Parses the text of a content file. `path` is only used in errors.
    pub fn parse(path: &Path, text: &str) -> Result<ContentFile, ContentError> {
        let err = |line: Option<usize>, message: String| ContentError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let rest = text
            .strip_prefix("---\n")
            .or_else(|| text.strip_prefix("---\r\n"))
            .ok_or_else(|| {
                err(
                    Some(1),
                    "the file must start with a `---` line opening the front matter".into(),
                )
            })?;
        let (yaml, body) = split_front(rest).ok_or_else(|| {
            err(
                None,
                "the front matter is not closed: add a `---` line after it".into(),
            )
        })?;
        let front: FrontMatter = serde_yaml::from_str(yaml).map_err(|e| {
            // +1 for the opening `---` line.
            let line = e.location().map(|l| l.line() + 1);
            err(line, yaml_message(&e))
        })?;
        Ok(ContentFile {
            front,
            body: body.trim_start_matches(['\n', '\r']).to_string(),
        })
    }

    /// Reads and parses a content file.
    pub fn read(path: &Path) -> Result<ContentFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Self::parse(path, &text)?)
    }

    /// The file's text: front matter, a blank line, the body.
    pub fn to_text(&self) -> String {
        let yaml = serde_yaml::to_string(&self.front).expect("front matter serializes");
        let mut out = String::with_capacity(yaml.len() + self.body.len() + 16);
        out.push_str("---\n");
        out.push_str(&yaml);
        out.push_str("---\n");
        if !self.body.is_empty() {
            out.push('\n');
            out.push_str(&self.body);
            if !self.body.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// A YAML error for a user: without serde_yaml's "at line 3 column 7" (the
/// line of the file is given before it, counted from the file's start),
/// with a hint for the usual mistakes.
fn yaml_message(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => text[..i].to_string(),
        _ => text,
    };
    let hint = if text.contains("mapping values are not allowed") {
        " (a value holding `: ` must be in quotes)"
    } else if text.contains("did not find expected") || text.contains("could not find expected") {
        " (check the indentation and the quotes of this line and the one before)"
    } else if text.contains("unknown field") {
        " (fix the name of the key, or remove it)"
    } else {
        ""
    };
    format!("front matter: {text}{hint}")
}

/// Splits after the opening `---`: the YAML and what follows the closing line.
fn split_front(rest: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// A slug for a content file or an anchor: lower-case ASCII letters, digits
/// and single dashes, so never a path (`..`, `/`, NUL are dashes or gone).
/// A name Windows reserves for a device (`con`, `nul`, `com1` ...) gets
/// `-page` appended: a folder of that name cannot be made or copied there.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        out.push_str("article");
    }
    if is_windows_device_name(&out) {
        out.push_str("-page");
    }
    out
}

/// Whether Windows reserves a name (of any case, with any extension) for a
/// device: CON, PRN, AUX, NUL, COM0-9 and LPT0-9.
pub fn is_windows_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let lower = stem.to_ascii_lowercase();
    match lower.as_str() {
        "con" | "prn" | "aux" | "nul" | "conin$" | "conout$" => true,
        _ => {
            let (prefix, digit) = (lower.get(..3), lower.get(3..).unwrap_or(""));
            matches!(prefix, Some("com" | "lpt"))
                && matches!(
                    digit,
                    "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
                )
        }
    }
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What ingest generated, so that it can tell a hand edit from its own
/// output: the hash of each file it wrote, by path relative to content/.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub sha256: String,
    pub seed: String,
}

pub const MANIFEST_FILE: &str = "ingest-manifest.json";

impl Manifest {
    pub fn load(content_dir: &Path) -> Result<Manifest> {
        let path = content_dir.join(MANIFEST_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("{} is not a valid manifest", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }
}

/// Writes a file atomically: a temporary file beside it, then a rename, so
/// that an interrupted write never leaves half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ContentFile {
        ContentFile {
            front: FrontMatter {
                title: "党报重磅析解内乡脱贫攻坚“成色”怎样?".into(),
                subtitle: None,
                date: Some("2020-11-17T12:43:20+08:00".into()),
                source: Some("内乡宣传编辑室".into()),
                publisher: None,
                author: None,
                region: Some(RegionRef {
                    code: "411325".into(),
                    name: "内乡县".into(),
                }),
                seed: Some(SeedRef {
                    file: "000.txt".into(),
                    sha256: "ab".into(),
                }),
                translation: None,
                summary: None,
                figures: vec![Figure {
                    key: "people_lifted".into(),
                    value: 42991.0,
                    unit: "people".into(),
                    year: Some("2016-2020".into()),
                    qualifier: None,
                    quote: "97个贫困村15316户42991人全部脱贫".into(),
                    start: 10,
                    end: 16,
                    target: false,
                    doubt: None,
                }],
            },
            body: "## 标题\n\n正文。\n".into(),
        }
    }

    #[test]
    fn round_trips() {
        let f = sample();
        let text = f.to_text();
        assert!(text.starts_with("---\ntitle:"));
        let back = ContentFile::parse(Path::new("a.md"), &text).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn yaml_error_names_file_and_line() {
        let text = "---\ntitle: ok\ndate: [unclosed\n---\nbody\n";
        let e = ContentFile::parse(Path::new("content/a.md"), text).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("content/a.md:"), "{msg}");
        assert!(e.line.is_some(), "{msg}");
    }

    #[test]
    fn unknown_front_matter_key_is_an_error() {
        let e =
            ContentFile::parse(Path::new("a.md"), "---\ntitle: x\ntitel: y\n---\n").unwrap_err();
        assert!(e.to_string().contains("titel"), "{e}");
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn slugs_never_escape_nor_name_a_windows_device() {
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("/absolute/path"), "absolute-path");
        assert_eq!(slug("a\0b"), "a-b");
        assert_eq!(slug(".."), "article");
        assert_eq!(slug("\0"), "article");
        for name in [
            "CON", "con", "Nul", "PRN", "aux", "COM1", "com9", "LPT1", "lpt0",
        ] {
            let s = slug(name);
            assert_eq!(s, format!("{}-page", name.to_ascii_lowercase()));
            assert!(!is_windows_device_name(&s), "{s}");
        }
        assert_eq!(slug("console"), "console");
        assert_eq!(slug("com10"), "com10");
        assert_eq!(slug("nul-2"), "nul-2");
        assert!(is_windows_device_name("con.txt"));
        assert!(is_windows_device_name("COM1.html"));
        assert!(!is_windows_device_name("icon"));
        assert!(!is_windows_device_name("ab日"));
    }

    #[test]
    fn missing_front_matter() {
        let e = ContentFile::parse(Path::new("a.md"), "just text").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
