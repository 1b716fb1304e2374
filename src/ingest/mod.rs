//! Ingest: raw seed pages in `seeds/` become front-mattered Markdown in
//! `content/`. Each stage has its module: `decode` (bytes to text), `clean`
//! (chrome, title, metadata, structure), `region` (which county or city).
//! Figures come from `crate::extract`, the English summary from
//! `crate::summary`.
//!
//! Ingest never destroys a person's work: it records the hash of every file
//! it writes in `content/ingest-manifest.json`, and leaves alone any file
//! whose bytes no longer match (a hand edit, a translation), unless forced.

pub mod clean;
pub mod decode;
pub mod html;
pub mod region;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

pub use clean::{Block, CleanArticle};

use crate::config::Site;
use crate::content::{
    self, ContentFile, FrontMatter, Manifest, ManifestEntry, RegionRef, SeedRef, Translation,
};
use crate::data::{Regions, Taxonomy};
use crate::extract::{self, Figure};
use crate::summary::{self, SummaryInput};

/// File endings ingest reads from `seeds/`.
pub const SEED_EXTENSIONS: [&str; 4] = ["txt", "html", "htm", "md"];

/// The largest seed file ingest reads (16 MiB): a saved page with its
/// scripts, styles and inline images fits many times over; a bigger file
/// is skipped without being read, so memory stays bounded.
pub const MAX_SEED_BYTES: u64 = 16 << 20;

/// The most article text (the cleaned body, 256 KiB: some 85,000 Chinese
/// characters, several times the longest news report) ingest extracts
/// figures from; a longer text is several articles in one file, or not an
/// article, and is skipped.
pub const MAX_ARTICLE_BYTES: usize = 256 << 10;

/// `12.3 MB`, `256 KB`: a size for messages.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1 << 10))
    }
}

/// Reads a seed file, refusing one over [`MAX_SEED_BYTES`] before reading
/// it (and never reading more than the limit, should it grow meanwhile).
/// Errors do not name the file: the caller does.
pub fn read_seed(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).context("cannot read the file")?;
    let len = file.metadata().context("cannot read the file")?.len();
    let too_big = |len: u64| {
        anyhow::anyhow!(
            "the file is {}, over the limit of {} for a seed; it is skipped (split it, or save only the article's page)",
            human_size(len),
            human_size(MAX_SEED_BYTES)
        )
    };
    if len > MAX_SEED_BYTES {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_SEED_BYTES + 1)
        .read_to_end(&mut bytes)
        .context("cannot read the file")?;
    if bytes.len() as u64 > MAX_SEED_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads, decodes and cleans one seed file.
pub fn clean_seed_file(path: &Path) -> Result<CleanArticle> {
    let bytes = read_seed(path).with_context(|| path.display().to_string())?;
    Ok(clean_seed_bytes(&bytes).0)
}

/// The article of a seed's bytes, with notes for the user about what was
/// wrong with them (bytes not valid in their encoding, a truncated page).
fn clean_seed_bytes(bytes: &[u8]) -> (CleanArticle, Vec<String>) {
    let decoded = decode::decode(bytes);
    let mut notes = Vec::new();
    if decoded.had_errors {
        notes.push(format!(
            "some bytes are not valid {} text and show as � (U+FFFD): the file may be damaged or in a mix of encodings; save it again as UTF-8",
            decoded.encoding
        ));
    }
    let article = if html::looks_like_html(&decoded.text) {
        if html::looks_truncated(&decoded.text) {
            notes.push(
                "the page ends before </html> (cut off while saving or downloading?): the text up to where it stops is ingested; save the complete page to get the rest".into(),
            );
        }
        clean::clean_text(&html::to_text(&decoded.text))
    } else {
        clean::clean_text(&decoded.text)
    };
    (article, notes)
}

/// The seed files of a folder, sorted by name.
pub fn seed_files(seeds_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(seeds_dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.with_context(|| format!("cannot list {}", seeds_dir.display()))?;
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || name.starts_with('.') {
            continue;
        }
        let ext = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if SEED_EXTENSIONS.contains(&ext.as_str()) {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Why content/ must be ingested before a build, if it must: it is missing,
/// or a seed is new or changed since ingest last wrote its content files.
pub fn needs_ingest(site: &Site) -> Result<Option<String>> {
    // A site without seeds is made of content alone.
    if !site.seeds_dir.is_dir() || seed_files(&site.seeds_dir)?.is_empty() {
        return Ok(None);
    }
    if !site.content_dir.is_dir() {
        return Ok(Some("is missing".into()));
    }
    if !site.content_dir.join(content::MANIFEST_FILE).exists() {
        return Ok(Some("has no ingest manifest".into()));
    }
    let manifest = Manifest::load(&site.content_dir)?;
    let recorded: std::collections::HashMap<&str, &str> = manifest
        .files
        .iter()
        .filter(|(k, _)| !k.ends_with(".en.md"))
        .map(|(k, e)| (e.seed.as_str(), k.as_str()))
        .collect();
    for seed in seed_files(&site.seeds_dir)? {
        let name = seed
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(rel) = recorded.get(name.as_str()) else {
            return Ok(Some(format!("has nothing from the new seed {name}")));
        };
        // A seed that cannot be read (or grew over the limit) is ingested
        // again, which names the problem.
        let Ok(bytes) = read_seed(&seed) else {
            return Ok(Some(format!("cannot read seed {name}")));
        };
        let sha = content::sha256_hex(&bytes);
        let current = ContentFile::read(&site.content_dir.join(rel))
            .ok()
            .and_then(|f| f.front.seed)
            .map(|s| s.sha256);
        if current.as_deref() != Some(sha.as_str()) {
            return Ok(Some(format!("is older than seed {name}")));
        }
    }
    Ok(None)
}

/// One seed, cleaned and measured, before it gets a slug.
struct Draft {
    seed_name: String,
    seed_sha: String,
    article: CleanArticle,
    body: String,
    figures: Vec<Figure>,
    region: Option<String>,
    /// What the user should know about the seed's bytes.
    notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    /// Overwrite files edited since ingest wrote them.
    pub force: bool,
    /// All or nothing: when a seed fails, write nothing at all (`build --strict`).
    pub strict: bool,
}

/// What an ingest run did, for the command line to print.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub seeds: usize,
    pub written: Vec<PathBuf>,
    pub unchanged: usize,
    pub removed: Vec<PathBuf>,
    /// Files left alone, with the reason.
    pub kept: Vec<(PathBuf, String)>,
    /// English files left alone because they hold a human translation.
    pub translations: Vec<PathBuf>,
    /// Seeds that could not be ingested, with the error.
    pub failed: Vec<(PathBuf, String)>,
    /// Warnings about an ingested seed (no date, no region ...).
    pub warnings: Vec<(PathBuf, String)>,
}

/// Ingests every seed of the site into its content folder.
pub fn run(site: &Site, options: IngestOptions) -> Result<IngestReport> {
    let taxonomy = Taxonomy::load(&site.data_dir.join("indicators.yaml"))?;
    let regions = Regions::load(&site.data_dir)?;
    let seeds = seed_files(&site.seeds_dir)?;
    let mut report = IngestReport {
        seeds: seeds.len(),
        ..Default::default()
    };

    let drafts: Vec<(PathBuf, Result<Draft>)> = seeds
        .par_iter()
        .map(|path| (path.clone(), draft(path, &taxonomy, &regions)))
        .collect();

    let mut slugs: HashSet<String> = HashSet::new();
    let mut files: Vec<(String, String, ContentFile)> = Vec::new(); // (relative path, seed, file)
    for (path, result) in drafts {
        let d = match result {
            Ok(d) => d,
            Err(e) => {
                report.failed.push((path, format!("{e:#}")));
                continue;
            }
        };
        for note in &d.notes {
            report.warnings.push((path.clone(), note.clone()));
        }
        if d.article.title.is_empty() {
            report.warnings.push((
                path.clone(),
                "no title found; the first line of the body is used".into(),
            ));
        }
        if d.article.date.is_none() {
            report
                .warnings
                .push((path.clone(), "no publication date found".into()));
        }
        if d.region.is_none() {
            report.warnings.push((
                path.clone(),
                "no county or city of data/regions.tsv is named in the article".into(),
            ));
        }
        let slug = unique_slug(&d, &regions, &mut slugs);
        let (zh, en) = content_files(&d, &regions, &taxonomy);
        files.push((format!("{slug}.md"), d.seed_name.clone(), zh));
        files.push((format!("{slug}.en.md"), d.seed_name.clone(), en));
    }

    if options.strict && !report.failed.is_empty() {
        return Ok(report);
    }
    let mut manifest = Manifest::load(&site.content_dir)?;
    let mut next = Manifest::default();
    for (rel, seed, file) in &files {
        let path = site.content_dir.join(rel);
        let text = file.to_text();
        let sha = content::sha256_hex(text.as_bytes());
        let entry = ManifestEntry {
            sha256: sha.clone(),
            seed: seed.clone(),
        };
        match std::fs::read(&path) {
            Ok(existing) => {
                let existing_sha = content::sha256_hex(&existing);
                let generated_before = manifest
                    .files
                    .get(rel)
                    .is_some_and(|e| e.sha256 == existing_sha);
                if existing_sha == sha {
                    report.unchanged += 1;
                    next.files.insert(rel.clone(), entry);
                } else if generated_before || options.force {
                    // A human translation survives --force: its title and body stay.
                    let text = match human_translation(&existing) {
                        Some(human) if !generated_before => keep_translation(file, human).to_text(),
                        _ => text,
                    };
                    let sha = content::sha256_hex(text.as_bytes());
                    if sha != existing_sha {
                        content::write_atomic(&path, text.as_bytes())?;
                        report.written.push(path);
                    } else {
                        report.unchanged += 1;
                    }
                    next.files.insert(
                        rel.clone(),
                        ManifestEntry {
                            sha256: sha,
                            seed: seed.clone(),
                        },
                    );
                } else {
                    if human_translation(&existing).is_some() {
                        report.translations.push(path);
                    } else {
                        report.kept.push((
                            path,
                            "edited by hand since ingest wrote it (--force overwrites it)".into(),
                        ));
                    }
                    // Keep the old record: the file stays a hand edit.
                    if let Some(old) = manifest.files.remove(rel) {
                        next.files.insert(rel.clone(), old);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                content::write_atomic(&path, text.as_bytes())?;
                report.written.push(path);
                next.files.insert(rel.clone(), entry);
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    // Generated files whose seed is gone are removed, unless edited by hand.
    let produced: HashSet<&str> = files.iter().map(|(rel, _, _)| rel.as_str()).collect();
    for (rel, old) in &manifest.files {
        if produced.contains(rel.as_str()) {
            continue;
        }
        let path = site.content_dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) if content::sha256_hex(&bytes) == old.sha256 => {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                report.removed.push(path);
            }
            Ok(_) => {
                report
                    .kept
                    .push((path, "its seed is gone, but it was edited by hand".into()));
                next.files.insert(rel.clone(), old.clone());
            }
            Err(_) => {}
        }
    }
    if next != manifest || !site.content_dir.join(content::MANIFEST_FILE).exists() {
        content::write_atomic(
            &site.content_dir.join(content::MANIFEST_FILE),
            next.to_text().as_bytes(),
        )?;
    }
    Ok(report)
}

/// The content file in `bytes` if it is an English file with a human translation.
fn human_translation(bytes: &[u8]) -> Option<ContentFile> {
    let text = std::str::from_utf8(bytes).ok()?;
    ContentFile::parse(Path::new(""), text)
        .ok()
        .filter(|f| f.front.translation == Some(Translation::Human))
}

/// A generated English file with the person's title, subtitle and body.
fn keep_translation(generated: &ContentFile, human: ContentFile) -> ContentFile {
    let mut merged = generated.clone();
    merged.front.title = human.front.title;
    merged.front.subtitle = human.front.subtitle;
    merged.front.translation = Some(Translation::Human);
    merged.body = human.body;
    merged
}

/// A seed's draft; errors do not repeat the path (the report names it).
fn draft(path: &Path, taxonomy: &Taxonomy, regions: &Regions) -> Result<Draft> {
    let bytes = read_seed(path)?;
    let seed_sha = content::sha256_hex(&bytes);
    let (article, notes) = clean_seed_bytes(&bytes);
    drop(bytes);
    anyhow::ensure!(
        !article.blocks.is_empty(),
        "no article text found (the page holds only navigation or is empty)"
    );
    let body = article.body_markdown();
    anyhow::ensure!(
        body.len() <= MAX_ARTICLE_BYTES,
        "the article text is {}, over the limit of {} for one article; it is skipped (is it several articles in one file? split it into one seed per article)",
        human_size(body.len() as u64),
        human_size(MAX_ARTICLE_BYTES as u64)
    );
    let figures = extract::extract_figures(&body, taxonomy);
    // Region names are in simplified characters: a page in traditional
    // ones (from Big5) names 丹鳳縣 for 丹凤县.
    let simplified = |s: &str| -> String { s.chars().map(extract::quantity::fold).collect() };
    let region = region::detect(&simplified(&article.title), &simplified(&body), regions);
    Ok(Draft {
        seed_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        seed_sha,
        article,
        body,
        figures,
        region,
        notes,
    })
}

/// `neixiang-2020-11-17`: the region's slug and the date, or the seed's
/// name when either is missing; `-2`, `-3` ... on collisions.
fn unique_slug(d: &Draft, regions: &Regions, taken: &mut HashSet<String>) -> String {
    let region = d
        .region
        .as_deref()
        .and_then(|c| regions.get(c))
        .map(|r| regions.slug(r));
    let stem = Path::new(&d.seed_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = crate::content::slug(&stem);
    // A scraper's `000_fae75b793b086aa3` names the seed by its last part.
    let short: String = stem
        .rsplit('-')
        .next()
        .unwrap_or(&stem)
        .chars()
        .take(8)
        .collect();
    let base = match (region, &d.article.date) {
        (Some(r), Some(date)) => format!("{r}-{date}"),
        (Some(r), None) => format!("{r}-{short}"),
        (None, _) => stem,
    };
    let mut slug = base.clone();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

fn front_date(a: &CleanArticle) -> Option<String> {
    let date = a.date.as_ref()?;
    Some(match &a.time {
        Some(t) if t.len() == 5 => format!("{date}T{t}:00+08:00"),
        Some(t) if t.len() == 8 => format!("{date}T{t}+08:00"),
        Some(t) if t.len() == 4 => format!("{date}T0{t}:00+08:00"),
        _ => date.clone(),
    })
}

/// The zh and en content files of a draft.
fn content_files(d: &Draft, regions: &Regions, taxonomy: &Taxonomy) -> (ContentFile, ContentFile) {
    let region_ref = d
        .region
        .as_deref()
        .and_then(|c| regions.get(c))
        .map(|r| RegionRef {
            code: r.code.clone(),
            name: r.name_zh.clone(),
        });
    let seed = SeedRef {
        file: d.seed_name.clone(),
        sha256: d.seed_sha.clone(),
    };
    let date = front_date(&d.article);
    let zh = ContentFile {
        front: FrontMatter {
            title: if d.article.title.is_empty() {
                first_line(&d.body)
            } else {
                d.article.title.clone()
            },
            subtitle: d.article.subtitle.clone(),
            date: date.clone(),
            source: d.article.source.clone(),
            publisher: d.article.publisher.clone(),
            author: d.article.author.clone(),
            region: region_ref.clone(),
            seed: Some(seed.clone()),
            translation: None,
            summary: None,
            figures: d.figures.clone(),
        },
        body: d.body.clone(),
    };
    let region_en = d.region.as_deref().and_then(|c| regions.en_path(c));
    let summary = summary::summarize(
        &SummaryInput {
            region_en: region_en.as_deref(),
            date: date.as_deref(),
            figures: &d.figures,
        },
        taxonomy,
    );
    let short_en = d
        .region
        .as_deref()
        .and_then(|c| regions.get(c))
        .map(|r| r.name_en.clone());
    let title = match (
        &short_en,
        date.as_deref()
            .and_then(|x| crate::format::date(x, crate::format::Lang::En)),
    ) {
        (Some(r), Some(day)) => format!("{r}: report of {day}"),
        (Some(r), None) => format!("{r}: undated report"),
        (None, Some(day)) => format!("Report of {day}"),
        (None, None) => format!("Report from {}", d.seed_name),
    };
    let en = ContentFile {
        front: FrontMatter {
            title,
            subtitle: None,
            date,
            source: d.article.source.clone(),
            publisher: d.article.publisher.clone(),
            author: d.article.author.clone(),
            region: region_ref,
            seed: Some(seed),
            translation: Some(Translation::Summary),
            summary: Some(summary),
            figures: Vec::new(),
        },
        body: String::new(),
    };
    (zh, en)
}

fn first_line(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_start_matches('#')
        .trim();
    line.chars().take(40).collect()
}
