//! `gazetteer serve`: a preview server that rebuilds on change.
//!
//! The archive is built into a private folder (never `public/`), served on
//! 127.0.0.1, and rebuilt when a file under seeds/, content/, data/, the
//! theme or site.toml changes: only the pages whose fingerprint changed are
//! rendered again, and open pages reload over a WebSocket. A change that
//! does not build (bad front matter, a template error) is shown in the
//! terminal and over the page; the last good pages stay served until it is
//! fixed. The reload script is added to HTML responses here, so it never
//! reaches a built archive.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rayon::prelude::*;
use tokio::sync::broadcast;

use crate::config::Site;
use crate::model::{ContentCache, Data, Model, hash_bytes};
use crate::render::{Output, Renderer, Theme, hash_tree};

const LIVERELOAD_JS: &str = include_str!("livereload.js");
const SOCKET_PATH: &str = "/__gazetteer/livereload";
const SCRIPT_PATH: &str = "/__gazetteer/livereload.js";

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub interface: IpAddr,
    pub port: u16,
    pub open: bool,
}

/// State the HTTP handlers share with the rebuild thread.
struct Shared {
    out_dir: PathBuf,
    events: broadcast::Sender<String>,
    /// The last status message, sent to every new connection.
    status: Mutex<String>,
}

impl Shared {
    fn announce(&self, message: String, sticky: bool) {
        if sticky {
            *self.status.lock().unwrap_or_else(|e| e.into_inner()) = message.clone();
        }
        let _ = self.events.send(message);
    }
}

fn message(kind: &str, fields: serde_json::Value) -> String {
    let mut m = serde_json::json!({ "type": kind });
    if let (Some(obj), Some(extra)) = (m.as_object_mut(), fields.as_object()) {
        obj.extend(extra.clone());
    }
    m.to_string()
}

/// The rebuild state: the last good render and what it wrote.
struct Live {
    site: Site,
    cache: ContentCache,
    renderer: Renderer,
    data_hash: u128,
    /// Output file → (fingerprint, hash of bytes).
    stamps: BTreeMap<String, (u128, u128)>,
    /// Problems of the last good build, by text.
    problems: BTreeSet<String>,
    /// The outputs of the last rebuild while its search index is not yet
    /// written.
    unfinished: Option<BTreeMap<String, Output>>,
}

/// What a set of changed paths touches.
#[derive(Debug, Default)]
struct Touched {
    site: bool,
    seeds: bool,
    theme: bool,
    data: bool,
    content: bool,
}

fn touched(site: &Site, paths: &[PathBuf]) -> Touched {
    let mut t = Touched::default();
    let theme_dir = site.theme_dir();
    for p in paths {
        if p.file_name().is_some_and(|n| n == crate::config::SITE_FILE)
            && p.parent() == Some(site.root.as_path())
        {
            t.site = true;
        } else if p.starts_with(&site.seeds_dir) {
            t.seeds = true;
        } else if p.starts_with(&theme_dir) || p.starts_with(&site.templates_dir) {
            t.theme = true;
        } else if p.starts_with(&site.data_dir) {
            t.data = true;
        } else if p.starts_with(&site.content_dir) {
            t.content = true;
        }
    }
    t
}

impl Live {
    /// The first build: everything into the served folder.
    fn start(site: Site) -> Result<(Live, usize)> {
        let mut cache = ContentCache::new();
        let data_hash = hash_tree(&site.data_dir)?;
        let theme = Theme::load(&site)?;
        let data = Data::load(&site)?;
        let model = Model::load_with(site.clone(), data, &mut cache)?;
        let renderer = Renderer::assemble(theme, model, data_hash, None);
        let problems = renderer
            .model
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect();
        let mut live = Live {
            site,
            cache,
            renderer,
            data_hash,
            stamps: BTreeMap::new(),
            problems,
            unfinished: None,
        };
        std::fs::create_dir_all(&live.site.output_dir)?;
        let outputs = live.renderer.outputs()?;
        let written = live.apply(&outputs, None, Files::All)?;
        Ok((live, written))
    }

    /// Renders what changed and writes it. Pages are rendered into a
    /// pending folder first (one at a time, so memory stays small) and moved
    /// into place only when all of them rendered: on any error nothing in
    /// the served folder changes. Returns the number of files written.
    fn apply(
        &mut self,
        outputs: &BTreeMap<String, Output>,
        renderer: Option<&Renderer>,
        files: Files,
    ) -> Result<usize> {
        let renderer = renderer.unwrap_or(&self.renderer);
        let out_dir = self.site.output_dir.clone();
        let pending = out_dir.join(".pending");
        let _ = std::fs::remove_dir_all(&pending);
        let todo: Vec<(&String, &Output)> = outputs
            .iter()
            .filter(|(_, o)| files.wants(o))
            .filter(|(rel, o)| self.stamps.get(*rel).is_none_or(|s| s.0 != o.fingerprint()))
            .collect();
        let results: Result<Vec<(String, u128, u128, bool)>> = todo
            .par_iter()
            .map(|(rel, o)| -> Result<(String, u128, u128, bool)> {
                let bytes = renderer.render(rel, o)?;
                let hash = hash_bytes(&bytes);
                let same = self.stamps.get(*rel).is_some_and(|s| s.1 == hash);
                if !same {
                    crate::content::write_atomic(&pending.join(rel), &bytes)?;
                }
                Ok(((*rel).clone(), o.fingerprint(), hash, !same))
            })
            .collect();
        let results = match results {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&pending);
                return Err(e);
            }
        };
        for (rel, _, _, write) in &results {
            if *write {
                let to = out_dir.join(rel);
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(pending.join(rel), &to)
                    .with_context(|| format!("cannot move {rel} into place"))?;
            }
        }
        let _ = std::fs::remove_dir_all(&pending);
        let written = results.iter().filter(|r| r.3).count();
        for (rel, fp, hash, _) in results {
            self.stamps.insert(rel, (fp, hash));
        }
        // Files of pages that are gone.
        let stale: Vec<String> = self
            .stamps
            .keys()
            .filter(|k| !outputs.contains_key(*k))
            .cloned()
            .collect();
        for rel in stale {
            let _ = std::fs::remove_file(out_dir.join(&rel));
            self.stamps.remove(&rel);
        }
        Ok(written)
    }

    /// Rebuilds after a change. On error the last good state is kept.
    fn rebuild(&mut self, paths: &[PathBuf]) -> Result<(usize, usize)> {
        let mut timer = crate::render::Timer::new();
        let t = touched(&self.site, paths);
        let mut changed: Vec<PathBuf> = paths.to_vec();
        let mut site = self.site.clone();
        if t.site {
            let output_dir = site.output_dir.clone();
            site = Site::load(&site.root)?;
            site.output_dir = output_dir;
        }
        if t.seeds {
            let report = crate::ingest::run(&site, crate::ingest::IngestOptions::default())?;
            if let Some((path, why)) = report.failed.first() {
                anyhow::bail!("{}: {why}", path.display());
            }
            changed.extend(report.written);
            changed.extend(report.removed);
        }
        let theme = if t.theme || t.site {
            Theme::load(&site)?
        } else {
            self.renderer.theme.clone()
        };
        let (data, data_hash) = if t.data || t.site {
            (Data::load(&site)?, hash_tree(&site.data_dir)?)
        } else {
            let m = &self.renderer.model;
            (
                Data {
                    taxonomy: m.taxonomy.clone(),
                    regions: m.regions.clone(),
                    glossary: m.glossary.clone(),
                    geo: Arc::clone(&m.geo),
                },
                self.data_hash,
            )
        };
        timer.lap("theme+data");
        let model = if t.site || t.data {
            // Folders or data changed: everything is read and checked again.
            self.cache = ContentCache::new();
            Model::load_with(site.clone(), data, &mut self.cache)?
        } else {
            self.renderer
                .model
                .update(site.clone(), data, &mut self.cache, &changed)?
        };
        timer.lap("model");
        let problems: BTreeSet<String> = model.problems.iter().map(|p| p.to_string()).collect();
        let new: Vec<&String> = problems.difference(&self.problems).collect();
        if !new.is_empty() {
            anyhow::bail!(
                "{}",
                new.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        let reuse = if t.data || t.site {
            None
        } else {
            Some(&self.renderer.index)
        };
        let renderer = Renderer::assemble(theme, model, data_hash, reuse);
        timer.lap("index");
        let outputs = renderer.outputs()?;
        timer.lap("fingerprints");
        let before = self.stamps.len();
        let changed = outputs
            .iter()
            .filter(|(rel, o)| self.stamps.get(*rel).is_none_or(|s| s.0 != o.fingerprint()))
            .count();
        // Pages now; the search index after the reload (see `finish`).
        let written = self.apply(&outputs, Some(&renderer), Files::Pages)?;
        timer.lap("render+write");
        let _ = before;
        self.unfinished = Some(outputs);
        self.renderer = renderer;
        self.site = site;
        self.data_hash = data_hash;
        self.problems = problems;
        Ok((changed, written))
    }
}

/// Which outputs an `apply` renders.
#[derive(Clone, Copy)]
enum Files {
    All,
    /// Everything but the search index.
    Pages,
    /// The search index only.
    Search,
}

impl Files {
    fn wants(self, o: &Output) -> bool {
        match self {
            Files::All => true,
            Files::Pages => !matches!(o, Output::Search(..)),
            Files::Search => matches!(o, Output::Search(..)),
        }
    }
}

impl Live {
    /// Brings the search index up to date after a rebuild that announced
    /// its pages: an open page reloads without waiting for it, and a search
    /// made meanwhile uses the previous index. Returns the files written.
    fn finish(&mut self) -> Result<usize> {
        match self.unfinished.take() {
            Some(outputs) => self.apply(&outputs, None, Files::Search),
            None => Ok(0),
        }
    }
}

/// Serves a site until Ctrl-C.
pub fn run(site: Site, options: ServeOptions) -> Result<()> {
    let out_dir = std::env::temp_dir().join(format!("gazetteer-serve-{}", std::process::id()));
    if out_dir.exists() {
        std::fs::remove_dir_all(&out_dir)?;
    }
    let mut site = site;
    site.output_dir = out_dir.clone();
    let result = serve(site, options, &out_dir);
    let _ = std::fs::remove_dir_all(&out_dir);
    result
}

fn serve(site: Site, options: ServeOptions, out_dir: &Path) -> Result<()> {
    if let Some(why) = crate::ingest::needs_ingest(&site)? {
        println!("content/ {why}: ingesting seeds/ first");
        crate::ingest::run(&site, crate::ingest::IngestOptions::default())?;
    }
    let started = Instant::now();
    let (live, written) = Live::start(site.clone())?;
    for p in &live.problems {
        eprintln!("warning: {p}");
    }
    println!(
        "built {written} files in {} ms",
        started.elapsed().as_millis()
    );

    let (events, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        out_dir: out_dir.to_path_buf(),
        events,
        status: Mutex::new(message("ok", serde_json::json!({}))),
    });

    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(Duration::from_millis(20), None, tx)
        .context("cannot watch the site's files")?;
    {
        use notify::RecursiveMode;
        for dir in [
            &site.seeds_dir,
            &site.content_dir,
            &site.data_dir,
            &site.theme_dir(),
            &site.templates_dir,
        ] {
            if dir.is_dir() {
                debouncer
                    .watch(dir, RecursiveMode::Recursive)
                    .with_context(|| format!("cannot watch {}", dir.display()))?;
            }
        }
        debouncer
            .watch(&site.root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {}", site.root.display()))?;
    }
    let rebuild_shared = Arc::clone(&shared);
    std::thread::spawn(move || watch_loop(live, rx, rebuild_shared));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(options.interface, options.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        let url = format!("http://{local}/");
        println!("serving {} at {url} (Ctrl-C to stop)", site.root.display());
        if options.open
            && let Err(e) = opener::open(&url)
        {
            eprintln!("warning: cannot open a browser: {e}");
        }
        let app = Router::new()
            .route(SOCKET_PATH, get(socket))
            .route(
                SCRIPT_PATH,
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                        LIVERELOAD_JS,
                    )
                }),
            )
            .fallback(file)
            .with_state(shared);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped")
    })?;
    drop(debouncer);
    Ok(())
}

fn watch_loop(
    mut live: Live,
    rx: std::sync::mpsc::Receiver<notify_debouncer_full::DebounceEventResult>,
    shared: Arc<Shared>,
) {
    let out_dir = shared.out_dir.clone();
    while let Ok(result) = rx.recv() {
        let started = Instant::now();
        let mut paths: Vec<PathBuf> = match result {
            Ok(events) => changed_paths(events),
            Err(e) => {
                eprintln!("warning: watching files: {e:?}");
                continue;
            }
        };
        // Batch what arrived meanwhile.
        while let Ok(Ok(more)) = rx.try_recv() {
            paths.extend(changed_paths(more));
        }
        paths.retain(|p| !p.starts_with(&out_dir) && !is_noise(p));
        paths.sort();
        paths.dedup();
        if paths.is_empty() {
            continue;
        }
        let names: Vec<String> = paths
            .iter()
            .map(|p| {
                p.strip_prefix(&live.site.root)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect();
        match live.rebuild(&paths) {
            Ok((rendered, written)) => {
                let ms = started.elapsed().as_secs_f64() * 1e3;
                println!(
                    "rebuilt {rendered} pages, wrote {written} files in {ms:.0} ms ({})",
                    names.join(", ")
                );
                shared.announce(message("ok", serde_json::json!({})), true);
                shared.announce(
                    message("reload", serde_json::json!({ "pages": rendered, "ms": ms })),
                    false,
                );
                match live.finish() {
                    Ok(n) if n > 0 => println!(
                        "updated the search index: {n} files in {:.0} ms",
                        started.elapsed().as_secs_f64() * 1e3 - ms
                    ),
                    Ok(_) => {}
                    Err(e) => eprintln!("error: search index: {e:#}"),
                }
            }
            Err(e) => {
                let text = format!("{e:#}");
                eprintln!(
                    "error: {text}\n(the last good pages are still served; fix the file to rebuild)"
                );
                shared.announce(
                    message("error", serde_json::json!({ "message": text })),
                    true,
                );
            }
        }
    }
}

/// The paths of events that change something (reading a file is not).
fn changed_paths(events: Vec<notify_debouncer_full::DebouncedEvent>) -> Vec<PathBuf> {
    events
        .into_iter()
        .filter(|e| !matches!(e.event.kind, notify::EventKind::Access(_)))
        .flat_map(|e| e.event.paths)
        .collect()
}

/// Editor backups and temporary files.
fn is_noise(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp")
}

async fn socket(ws: WebSocketUpgrade, State(shared): State<Arc<Shared>>) -> Response {
    ws.on_upgrade(move |socket| forward(socket, shared))
}

async fn forward(mut socket: WebSocket, shared: Arc<Shared>) {
    let mut rx = shared.events.subscribe();
    let status = shared
        .status
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if socket.send(Message::Text(status.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Ok(text) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(_)) => continue,
                _ => return,
            },
        }
    }
}

/// The file a request path names inside the served folder, if any: percent
/// decoded, with no `..`, no absolute parts, no backslashes or NUL.
pub fn resolve(root: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(request_path)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut path = root.to_path_buf();
    for part in decoded.split('/') {
        match Path::new(part).components().next() {
            None => continue,
            Some(Component::Normal(_)) if !part.contains(':') => path.push(part),
            Some(Component::CurDir) => continue,
            _ => return None,
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    Some(path)
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let (status, path) = match resolve(&shared.out_dir, uri.path()) {
        Some(p) if p.is_file() => (StatusCode::OK, p),
        _ => (StatusCode::NOT_FOUND, shared.out_dir.join("404.html")),
    };
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let body = if is_html { inject(bytes) } else { bytes };
    let content_type = if mime.type_() == "text" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.to_string()
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// What the theme's Content-Security-Policy says of connections (built
/// pages make none), and what it says in `serve`, where the reload script
/// opens a WebSocket to this server. Both are as long, so the rewrite is in
/// place.
const CSP_CONNECT_BUILT: &[u8] = b"connect-src 'none'";
const CSP_CONNECT_SERVE: &[u8] = b"connect-src 'self'";

/// Adds the live-reload script before `</body>`. The script is a file of
/// this server, which `script-src 'self'` allows; its WebSocket needs
/// `connect-src 'self'` (which matches `ws:` to the same host and port), so
/// the page's policy is relaxed to that, in the `<head>` only, and nothing
/// else of it changes: a page that breaks the policy breaks it in `serve`
/// as it does from disk.
fn inject(mut html: Vec<u8>) -> Vec<u8> {
    let head_end = html
        .windows(7)
        .position(|w| w.eq_ignore_ascii_case(b"</head>"))
        .unwrap_or(0);
    if let Some(at) = html[..head_end]
        .windows(CSP_CONNECT_BUILT.len())
        .position(|w| w == CSP_CONNECT_BUILT)
    {
        html[at..at + CSP_CONNECT_SERVE.len()].copy_from_slice(CSP_CONNECT_SERVE);
    }
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    html.splice(at..at, tag.into_bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_inside_the_root() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("zh")).unwrap();
        std::fs::write(root.path().join("zh/index.html"), "x").unwrap();
        assert_eq!(
            resolve(root.path(), "/zh/"),
            Some(root.path().join("zh/index.html"))
        );
        assert_eq!(
            resolve(root.path(), "/zh/index.html"),
            Some(root.path().join("zh/index.html"))
        );
        for bad in [
            "/../etc/passwd",
            "/zh/../../x",
            "/%2e%2e/x",
            "/..%2fx",
            "/a%00b",
            "/a\\..\\b",
            "/C:/x",
        ] {
            assert_eq!(resolve(root.path(), bad), None, "{bad}");
        }
    }

    #[test]
    fn script_is_injected_before_body_end() {
        let html = inject(b"<html><body><p>x</p></body></html>".to_vec());
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<html><body><p>x</p><script src=\"/__gazetteer/livereload.js\"></script></body></html>"
        );
    }

    #[test]
    fn the_policy_lets_the_reload_script_connect_and_nothing_else() {
        let page = "<html><head><meta http-equiv=\"Content-Security-Policy\" \
                    content=\"default-src 'self'; connect-src 'none'; object-src 'none'\">\
                    </head><body><p>connect-src 'none'</p></body></html>";
        let html = String::from_utf8(inject(page.as_bytes().to_vec())).unwrap();
        assert_eq!(
            html,
            "<html><head><meta http-equiv=\"Content-Security-Policy\" \
             content=\"default-src 'self'; connect-src 'self'; object-src 'none'\">\
             </head><body><p>connect-src 'none'</p>\
             <script src=\"/__gazetteer/livereload.js\"></script></body></html>"
        );
        // A page without a policy (or without a head) only gets the script.
        let bare = "<p>connect-src 'none'</p>";
        assert_eq!(
            String::from_utf8(inject(bare.as_bytes().to_vec())).unwrap(),
            "<p>connect-src 'none'</p><script src=\"/__gazetteer/livereload.js\"></script>"
        );
    }
}
