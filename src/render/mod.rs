//! Render: the model becomes the static archive.
//!
//! `pages` lists the pages and makes their contexts, `templates` loads the
//! theme, `markdown` turns bodies into HTML, `deps` fingerprints each page
//! by the inputs it is made from, `output` writes the archive atomically
//! and keeps the build cache. A build renders (in parallel, with rayon)
//! only the pages whose fingerprint changed, and writes only the files
//! whose bytes changed.

pub mod charts;
pub mod deps;
pub mod downloads;
pub mod graphics;
pub mod map;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod search;
pub mod templates;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::Site;
use crate::format::Lang;
use crate::model::{ContentCache, Data, Model, Problem, hash_bytes};
use deps::Globals;
use output::{BuildCache, CACHE_VERSION, Staging, Stamp};
use pages::{Index, PageSpec};

pub use templates::Theme;

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub output_dir: PathBuf,
    /// Pages of the archive.
    /// Pages (HTML, feeds, sitemap) in the archive.
    pub pages: usize,
    /// Files in the archive: pages, theme files, search index.
    pub files: usize,
    /// Pages rendered (the others were unchanged).
    pub rendered: usize,
    /// Files written because their bytes changed.
    pub written: usize,
    pub articles: usize,
    /// True when nothing had changed since the last build.
    pub unchanged: bool,
    pub problems: Vec<Problem>,
}

/// Phase times, printed to stderr when GAZETTEER_TIMINGS is set: where a
/// build spends its time.
pub struct Timer {
    on: bool,
    last: std::time::Instant,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            on: std::env::var_os("GAZETTEER_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    pub fn lap(&mut self, what: &str) {
        if self.on {
            eprintln!(
                "timing: {what:<14} {:>8.1} ms",
                self.last.elapsed().as_secs_f64() * 1e3
            );
        }
        self.last = std::time::Instant::now();
    }
}

/// Time spent per template (making contexts, rendering them), summed over
/// threads; printed with the phase times.
pub struct PageTimes {
    on: bool,
    sums: std::sync::Mutex<BTreeMap<&'static str, (usize, Duration, Duration)>>,
}

static PAGE_TIMES: std::sync::LazyLock<PageTimes> = std::sync::LazyLock::new(|| PageTimes {
    on: std::env::var_os("GAZETTEER_TIMINGS").is_some(),
    sums: Default::default(),
});

impl PageTimes {
    fn add(&self, template: &'static str, context: Duration, render: Duration) {
        if self.on {
            let mut sums = self.sums.lock().unwrap_or_else(|e| e.into_inner());
            let e = sums.entry(template).or_default();
            e.0 += 1;
            e.1 += context;
            e.2 += render;
        }
    }

    /// Prints and clears the sums.
    pub fn report() {
        let t = &*PAGE_TIMES;
        if !t.on {
            return;
        }
        let mut sums = t.sums.lock().unwrap_or_else(|e| e.into_inner());
        for (name, (n, c, r)) in sums.iter() {
            eprintln!(
                "timing:   {name:<22} {n:>6} pages, context {:>8.1} ms, template {:>8.1} ms (thread time)",
                c.as_secs_f64() * 1e3,
                r.as_secs_f64() * 1e3
            );
        }
        sums.clear();
    }
}

impl Default for Timer {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything a render needs, loaded once and updated in place by `serve`.
pub struct Renderer {
    pub theme: Theme,
    pub model: Model,
    pub index: Index,
    pub globals: Globals,
    /// The search index's term shards per language and block.
    search_terms: BTreeMap<(Lang, usize), BlockTerms>,
}

/// The term shards of a block of the search index: made when the first of
/// them is rendered, dropped when the last one has been.
#[derive(Default)]
struct BlockTerms {
    shards: Mutex<Option<Arc<Vec<String>>>>,
    left: AtomicUsize,
}

/// One output file of the archive, before it is written.
pub enum Output {
    /// A page: its spec and fingerprint.
    Page(PageSpec, u128),
    /// A theme file copied as it is.
    Static(PathBuf, u128),
    /// A file of a language's search index.
    Search(Lang, search::Part, u128),
    /// A data download (CSV or JSON).
    Download(downloads::Scope, downloads::Format, u128),
}

impl Renderer {
    /// Loads the theme, the data and the content of a site.
    pub fn load(site: Site, cache: &mut ContentCache) -> Result<Renderer> {
        let mut timer = Timer::new();
        let theme = Theme::load(&site)?;
        let data = Data::load(&site)?;
        let data_hash = hash_tree(&site.data_dir)?;
        timer.lap("  theme+data");
        let model = Model::load_with(site, data, cache)?;
        timer.lap("  content");
        let renderer = Renderer::assemble(theme, model, data_hash, None);
        timer.lap("  index");
        Ok(renderer)
    }

    /// Puts a renderer together; `previous` lends what it derived from
    /// articles that did not change (not to be used after a data change).
    pub fn assemble(
        theme: Theme,
        model: Model,
        data_hash: u128,
        previous: Option<&Index>,
    ) -> Renderer {
        let index = Index::reusing(&model, previous);
        let s = &model.site;
        let site_hash = hash_bytes(
            format!(
                "{:?}",
                (
                    &s.title,
                    &s.description,
                    &s.base_url,
                    &s.languages,
                    program_stamp()
                )
            )
            .as_bytes(),
        );
        let globals = Globals {
            site: site_hash,
            data: data_hash,
            strings: theme.strings_hash,
            templates: theme.template_hashes.clone(),
        };
        let search_terms = Lang::ALL
            .iter()
            .flat_map(|&lang| {
                (0..search::blocks(&model)).map(move |b| ((lang, b), BlockTerms::default()))
            })
            .collect();
        Renderer {
            theme,
            model,
            index,
            globals,
            search_terms,
        }
    }

    /// Every output file of the archive with its fingerprint, by path.
    pub fn outputs(&self) -> Result<BTreeMap<String, Output>> {
        let specs = pages::specs(&self.model);
        let mut out: BTreeMap<String, Output> = specs
            .into_par_iter()
            .map(|spec| {
                let fp = deps::fingerprint(&spec, &self.model, &self.index, &self.globals);
                (spec.output(&self.model), Output::Page(spec, fp))
            })
            .collect();
        for lang in Lang::ALL {
            for (rel, part, fp) in search::files(&self.model, &self.index, &self.globals, lang) {
                out.insert(rel, Output::Search(lang, part, fp));
            }
        }
        for (rel, scope, format, fp) in downloads::files(&self.model, &self.index, &self.globals) {
            out.insert(rel, Output::Download(scope, format, fp));
        }
        for (rel, path) in &self.theme.static_files {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            out.insert(
                format!("static/{rel}"),
                Output::Static(path.clone(), hash_bytes(&bytes)),
            );
        }
        Ok(out)
    }

    /// The bytes of one output file.
    pub fn render(&self, rel: &str, output: &Output) -> Result<Vec<u8>> {
        match output {
            Output::Page(spec, _) => {
                let started = std::time::Instant::now();
                let context = spec.context(&self.model, &self.index);
                let contexted = std::time::Instant::now();
                let bytes = self
                    .theme
                    .render_bytes(spec.template(), &context)
                    .with_context(|| format!("while rendering {rel}"))?;
                drop(context);
                PAGE_TIMES.add(spec.template(), contexted - started, contexted.elapsed());
                Ok(bytes)
            }
            Output::Static(path, _) => {
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
            }
            Output::Search(lang, search::Part::Terms(k, b), _) => {
                let block = self
                    .search_terms
                    .get(&(*lang, *b))
                    .expect("a lock per block of the index");
                let shards = {
                    let mut made = block.shards.lock().unwrap_or_else(|e| e.into_inner());
                    Arc::clone(made.get_or_insert_with(|| {
                        let shards = search::block_terms(&self.model, &self.index, *lang, *b);
                        block.left.store(shards.len(), Ordering::SeqCst);
                        Arc::new(shards)
                    }))
                };
                let bytes = search::term_shard(*k, *b, &shards);
                if block.left.fetch_sub(1, Ordering::SeqCst) == 1 {
                    *block.shards.lock().unwrap_or_else(|e| e.into_inner()) = None;
                }
                Ok(bytes)
            }
            Output::Search(lang, part, _) => {
                Ok(search::render(&self.model, &self.index, *lang, *part))
            }
            Output::Download(scope, format, _) => {
                downloads::render(&self.model, &self.index, scope, *format)
                    .with_context(|| format!("while writing {rel}"))
            }
        }
    }
}

impl Output {
    pub fn fingerprint(&self) -> u128 {
        match self {
            Output::Page(_, fp)
            | Output::Static(_, fp)
            | Output::Search(_, _, fp)
            | Output::Download(_, _, fp) => *fp,
        }
    }
}

/// Hash of every file below a folder (names and bytes), sorted.
pub fn hash_tree(dir: &Path) -> Result<u128> {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if entry.file_type().is_file() {
                h.update(entry.path().to_string_lossy().as_bytes());
                let bytes = std::fs::read(entry.path())
                    .with_context(|| format!("cannot read {}", entry.path().display()))?;
                h.update(&hash_bytes(&bytes).to_le_bytes());
            }
        }
    }
    Ok(h.digest128())
}

/// Size and modification time of the running program.
pub fn program_stamp() -> (u64, i128) {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| (m.len(), output::mtime_ns(&m)))
        .unwrap_or((0, 0))
}

/// Size and modification time of every input file of a site, by path
/// relative to its root: what a no-op build compares.
pub fn stat_inputs(site: &Site) -> Result<BTreeMap<String, (u64, i128)>> {
    let mut out = BTreeMap::new();
    let dirs = [
        &site.content_dir,
        &site.data_dir,
        &site.seeds_dir,
        &site.templates_dir,
        &site.theme_dir(),
    ];
    for dir in dirs {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if entry.file_type().is_file() {
                let meta = entry
                    .metadata()
                    .with_context(|| format!("cannot read {}", entry.path().display()))?;
                let rel = entry
                    .path()
                    .strip_prefix(&site.root)
                    .unwrap_or(entry.path());
                out.insert(
                    rel.to_string_lossy().into_owned(),
                    (meta.len(), output::mtime_ns(&meta)),
                );
            }
        }
    }
    // A new build of gazetteer may render differently: it is an input too.
    let (len, mtime) = program_stamp();
    out.insert("(gazetteer program)".to_string(), (len, mtime));
    let toml = site.root.join(crate::config::SITE_FILE);
    if let Ok(meta) = std::fs::metadata(&toml) {
        out.insert(
            crate::config::SITE_FILE.to_string(),
            (meta.len(), output::mtime_ns(&meta)),
        );
    }
    Ok(out)
}

/// Builds the archive of a site into its output folder, redoing only what
/// changed since the last build.
pub fn build(site: Site) -> Result<BuildReport> {
    let mut timer = Timer::new();
    let root = site.root.clone();
    let output_dir = site.output_dir.clone();
    output::recover(&output_dir)?;
    let old = BuildCache::load(&root);
    let inputs = stat_inputs(&site)?;
    let same_target = old.output_dir == output_dir && old.version == CACHE_VERSION;
    if same_target && old.inputs == inputs && old.outputs_intact(&output_dir) {
        timer.lap("check");
        return Ok(BuildReport {
            output_dir,
            files: old.outputs.len(),
            unchanged: true,
            problems: old.problems,
            ..Default::default()
        });
    }
    timer.lap("check");
    let renderer = Renderer::load(site, &mut ContentCache::new())?;
    timer.lap("load");
    let outputs = renderer.outputs()?;
    timer.lap("fingerprint");
    let previous = if same_target {
        old.outputs
    } else {
        BTreeMap::new()
    };
    let staging = Staging::new(&output_dir)?;
    let one = |&(rel, out): &(&String, &Output)| -> Result<(String, Stamp, bool, bool)> {
        let fp = out.fingerprint();
        let prev = previous
            .get(rel)
            .filter(|s| output::unchanged(&output_dir.join(rel), s));
        if let Some(stamp) = prev.filter(|s| s.fingerprint == fp) {
            staging.keep(rel)?;
            return Ok((rel.clone(), *stamp, false, false));
        }
        if let Output::Download(scope @ downloads::Scope::All, format, _) = out {
            // As large as all the figures: written as it is made.
            let stamp = staging.write_with(rel, fp, |w| {
                downloads::write(&renderer.model, &renderer.index, scope, *format, w)
                    .with_context(|| format!("while writing {rel}"))
            })?;
            return Ok((rel.clone(), stamp, true, true));
        }
        let bytes = renderer.render(rel, out)?;
        let hash = hash_bytes(&bytes);
        if let Some(stamp) = prev.filter(|s| s.hash == hash) {
            staging.keep(rel)?;
            return Ok((
                rel.clone(),
                Stamp {
                    fingerprint: fp,
                    ..*stamp
                },
                true,
                false,
            ));
        }
        let stamp = staging.write(rel, &bytes, fp, hash)?;
        Ok((rel.clone(), stamp, true, true))
    };
    // Pages first, then the downloads of all figures one at a time (each
    // is as large as the archive's figures), then the search index: none
    // of them holds its memory while another does.
    let (search_files, rest): (Vec<_>, Vec<_>) = outputs
        .iter()
        .partition(|(_, o)| matches!(o, Output::Search(..)));
    let (whole, pages): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|(_, o)| matches!(o, Output::Download(downloads::Scope::All, ..)));
    let mut results: Vec<(String, Stamp, bool, bool)> =
        pages.par_iter().map(one).collect::<Result<_>>()?;
    results.extend(whole.iter().map(one).collect::<Result<Vec<_>>>()?);
    results.extend(
        search_files
            .par_iter()
            .map(one)
            .collect::<Result<Vec<_>>>()?,
    );
    timer.lap("render+write");
    PageTimes::report();
    staging.commit()?;
    timer.lap("commit");
    let report = BuildReport {
        output_dir: output_dir.clone(),
        pages: outputs
            .values()
            .filter(|o| matches!(o, Output::Page(..)))
            .count(),
        files: outputs.len(),
        rendered: results.iter().filter(|r| r.2).count(),
        written: results.iter().filter(|r| r.3).count(),
        articles: renderer.model.articles.len(),
        unchanged: false,
        problems: renderer.model.problems.clone(),
    };
    let cache = BuildCache {
        version: CACHE_VERSION,
        output_dir,
        // Taken before the build: a file changed meanwhile is seen next time.
        inputs,
        outputs: results
            .into_iter()
            .map(|(rel, stamp, _, _)| (rel, stamp))
            .collect(),
        problems: report.problems.clone(),
    };
    cache.save(&root)?;
    timer.lap("cache");
    Ok(report)
}
