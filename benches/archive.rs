//! The archive benchmark of issue 5: ingest throughput, full builds at
//! 1,000 and 10,000 generated articles, a no-op rebuild, a one-article-edit
//! rebuild and a one-article edit seen through `serve`'s live reload.
//!
//! It drives the `gazetteer` binary through its command line only (the one
//! Cargo builds for this bench), times each command by wall clock, and takes
//! each child's peak memory from `wait4`'s rusage. It prints a Markdown table
//! on stdout; progress and failures go to stderr.
//!
//!     cargo bench --bench archive
//!     GAZETTEER_BENCH_SIZES=1000 cargo bench --bench archive     # quick
//!
//! Environment:
//! - `GAZETTEER_BENCH_SIZES`: comma-separated corpus sizes (default
//!   `1000,10000`); the no-op, edit and serve rows use the largest.
//! - `GAZETTEER_BENCH_INGEST_FILES`: seed files for the ingest row (default
//!   2000, about 20 MB); `0` skips it.
//! - `GAZETTEER_BENCH_DIR`: where to put the corpora (default /dev/shm when
//!   it exists, else the system temp folder).
//! - `GAZETTEER_BENCH_KEEP=1`: keep the corpora and the children's logs.
//! - `GAZETTEER_BENCH_BIN`: benchmark this gazetteer binary instead of the
//!   one Cargo built (to compare two builds).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, anyhow, bail};

/// The binary under test: the one Cargo built for this bench, unless
/// GAZETTEER_BENCH_BIN names another (to compare builds).
fn bin() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var_os("GAZETTEER_BENCH_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_gazetteer")))
    })
}
const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// How long one command may take before the bench gives up on it.
const SERVE_START_TIMEOUT: Duration = Duration::from_secs(600);
const RELOAD_TIMEOUT: Duration = Duration::from_secs(60);
const SERVE_EDITS: usize = 5;

fn main() {
    if let Err(e) = real_main() {
        eprintln!("archive bench: error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    let sizes = env_sizes()?;
    let ingest_files: usize = match std::env::var("GAZETTEER_BENCH_INGEST_FILES") {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("GAZETTEER_BENCH_INGEST_FILES={v:?} is not a number"))?,
        Err(_) => 2000,
    };
    let keep = std::env::var_os("GAZETTEER_BENCH_KEEP").is_some_and(|v| v != "0");
    let (parent, on_tmpfs) = bench_parent()?;
    let work = tempfile::Builder::new()
        .prefix("gazetteer-bench-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot make a folder in {}", parent.display()))?;
    let mut bench = Bench {
        work: work.path().to_path_buf(),
        logs: work.path().join("logs"),
        log_seq: 0,
        rows: Vec::new(),
        phases: Vec::new(),
        notes: Vec::new(),
    };
    fs::create_dir_all(&bench.logs)?;
    let load_before = loadavg();
    progress(&format!(
        "working in {} ({}); sizes {:?}",
        bench.work.display(),
        if on_tmpfs { "tmpfs" } else { "not tmpfs" },
        sizes
    ));

    if ingest_files > 0 {
        let r = bench.ingest(ingest_files);
        bench.row_or_fail("Ingest throughput", r);
    }
    let largest = sizes.iter().copied().max();
    for &n in &sizes {
        let dir = bench.work.join(format!("corpus-{n}"));
        if let Err(e) = bench.gen_corpus(n, &dir) {
            bench.fail(&format!("Corpus of {} articles", thousands(n)), e);
            continue;
        }
        let r = bench.full_build(n, &dir);
        bench.row_or_fail(&format!("Full build, {} articles", thousands(n)), r);
        let r = bench.noop_rebuild(n, &dir);
        bench.row_or_fail(&format!("No-op rebuild, {} articles", thousands(n)), r);
        let r = bench.edit_rebuild(n, &dir);
        bench.row_or_fail(
            &format!("One-article edit, `build`, {} articles", thousands(n)),
            r,
        );
        if Some(n) == largest {
            bench.serve(n, &dir);
        }
        if !keep {
            // Free the tmpfs before the next, larger corpus.
            let _ = fs::remove_dir_all(&dir);
            let _ = fs::remove_dir_all(bench.work.join(format!("check-{n}")));
        }
    }
    let load_after = loadavg();

    print_report(&bench, on_tmpfs, &parent, &load_before, &load_after);
    if keep {
        let path = work.keep();
        println!(
            "\nKept the corpora and the children's logs in {}.",
            path.display()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The measurements
// ---------------------------------------------------------------------------

struct Row {
    what: String,
    figure: String,
    how: String,
}

struct Bench {
    work: PathBuf,
    logs: PathBuf,
    log_seq: usize,
    rows: Vec<Row>,
    /// (measurement, phase times in ms: median over its runs)
    phases: Vec<(String, Vec<(String, f64)>)>,
    notes: Vec<String>,
}

impl Bench {
    fn row(&mut self, what: &str, figure: String, how: String) {
        progress(&format!("{what}: {figure}"));
        self.rows.push(Row {
            what: what.to_string(),
            figure,
            how,
        });
    }

    fn fail(&mut self, what: &str, e: anyhow::Error) {
        progress(&format!("{what}: FAILED: {e:#}"));
        let msg = format!("{e:#}").replace('\n', " ").replace('|', "\\|");
        let msg: String = msg.chars().take(300).collect();
        self.rows.push(Row {
            what: what.to_string(),
            figure: "failed".into(),
            how: msg,
        });
    }

    fn row_or_fail(&mut self, what: &str, r: Result<(String, String)>) {
        match r {
            Ok((figure, how)) => self.row(what, figure, how),
            Err(e) => self.fail(what, e),
        }
    }

    /// Runs `gazetteer ARGS` to completion with its output in log files.
    fn run(&mut self, label: &str, args: &[OsString], env: &[(&str, &str)]) -> Result<Run> {
        self.log_seq += 1;
        let stem = format!("{:03}-{}", self.log_seq, label.replace([' ', '/'], "_"));
        let out_path = self.logs.join(format!("{stem}.out"));
        let err_path = self.logs.join(format!("{stem}.err"));
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out_path)?)
            .stderr(fs::File::create(&err_path)?);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot run {}", bin().display()))?;
        let (status, maxrss_kib) = wait_rusage(&child)?;
        let wall = started.elapsed().as_secs_f64();
        let run = Run {
            status,
            wall,
            maxrss_kib,
            stdout: fs::read_to_string(&out_path).unwrap_or_default(),
            stderr: fs::read_to_string(&err_path).unwrap_or_default(),
        };
        // Exit code 1 means "done, with warnings"; anything else failed.
        if !matches!(run.status.code(), Some(0) | Some(1)) {
            bail!(
                "`gazetteer {}` failed ({}): {}",
                args_text(args),
                run.status,
                tail(&run.stderr, 5)
            );
        }
        Ok(run)
    }

    fn build(&mut self, label: &str, dir: &Path) -> Result<Build> {
        let args = ["--root".into(), dir.as_os_str().to_owned(), "build".into()];
        let run = self.run(label, &args, &[("GAZETTEER_TIMINGS", "1")])?;
        let built = parse_built(&run.stdout);
        let warnings = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .count();
        Ok(Build {
            phases: parse_timings(&run.stderr),
            run,
            built,
            warnings,
        })
    }

    fn ingest(&mut self, files: usize) -> Result<(String, String)> {
        let dir = self.work.join("ingest");
        progress(&format!("making an ingest site of {files} seed files"));
        fs::create_dir_all(dir.join("seeds"))?;
        let project = Path::new(PROJECT);
        fs::copy(project.join("site.toml"), dir.join("site.toml"))?;
        copy_tree(&project.join("data"), &dir.join("data"))?;
        copy_tree(&project.join("themes"), &dir.join("themes"))?;
        let mut seeds: Vec<PathBuf> = fs::read_dir(project.join("seeds"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        seeds.sort();
        if seeds.is_empty() {
            bail!("no seeds/*.txt in {PROJECT}");
        }
        let mut bytes = 0u64;
        for i in 0..files {
            let src = &seeds[i % seeds.len()];
            let name = format!(
                "c{:05}_{}",
                i / seeds.len(),
                src.file_name().unwrap().to_string_lossy()
            );
            fs::copy(src, dir.join("seeds").join(name))?;
            bytes += fs::metadata(src)?.len();
        }
        let original = top_level(&dir)?;
        let mut walls = Vec::new();
        let mut rss = 0;
        let mut ingested = String::new();
        let runs = 3;
        for i in 0..runs {
            clean(&dir, &original)?;
            let args = ["--root".into(), dir.as_os_str().to_owned(), "ingest".into()];
            let run = self.run(&format!("ingest-{i}"), &args, &[])?;
            ingested = run
                .stdout
                .lines()
                .find(|l| l.starts_with("ingested "))
                .unwrap_or("")
                .to_string();
            walls.push(run.wall);
            rss = rss.max(run.maxrss_kib);
        }
        if !keep_dirs() {
            let _ = fs::remove_dir_all(&dir);
        }
        let wall = median(&walls);
        let mb = bytes as f64 / 1e6;
        let n_seeds = seeds.len();
        Ok((
            format!(
                "**{:.1} MB/s** ({mb:.1} MB in {wall:.2} s; peak {})",
                mb / wall,
                mib(rss)
            ),
            format!(
                "`ingest` of {} files (the project's {n_seeds} seeds/*.txt copied under new names) into an empty content/; wall clock of the whole command, median of {runs} runs ({}); MB = 10^6 bytes of raw seed text; it printed \"{}\"",
                thousands(files),
                secs_list(&walls),
                ingested.trim()
            ),
        ))
    }

    fn gen_corpus(&mut self, n: usize, dir: &Path) -> Result<()> {
        progress(&format!("generating a corpus of {n} articles"));
        let args = [
            "--root".into(),
            PROJECT.into(),
            "gen-corpus".into(),
            "--articles".into(),
            n.to_string().into(),
            "--out".into(),
            dir.as_os_str().to_owned(),
        ];
        let run = self.run(&format!("gen-corpus-{n}"), &args, &[])?;
        self.notes.push(format!(
            "Corpus of {} articles: `gazetteer gen-corpus --articles {n}` (default --regions 500 --seed 1) took {:.1} s and printed \"{}\".",
            thousands(n),
            run.wall,
            run.stdout.lines().next().unwrap_or("").trim()
        ));
        Ok(())
    }

    fn full_build(&mut self, n: usize, dir: &Path) -> Result<(String, String)> {
        let original = top_level(dir)?;
        let runs = if n >= 5000 { 2 } else { 3 };
        let mut builds = Vec::new();
        for i in 0..runs {
            clean(dir, &original)?;
            progress(&format!("full build {} of {runs}, {n} articles", i + 1));
            builds.push(self.build(&format!("full-{n}-{i}"), dir)?);
        }
        let walls: Vec<f64> = builds.iter().map(|b| b.run.wall).collect();
        let wall = median(&walls);
        let last = builds.last().unwrap();
        let warnings = last.warnings;
        let (pages, articles) = last.built.ok_or_else(|| {
            anyhow!(
                "no \"built N pages from M articles\" line in the output of build: {}",
                tail(&last.run.stdout, 3)
            )
        })?;
        let rss = builds.iter().map(|b| b.run.maxrss_kib).max().unwrap_or(0);
        self.record_phases(&format!("Full build, {}", thousands(n)), &builds);
        Ok((
            format!(
                "**{wall:.2} s**, {:.0} pages/s, peak **{}**",
                pages as f64 / wall,
                mib(rss)
            ),
            format!(
                "`build` from a clean state (public/, .gazetteer/ and any other build leftovers removed first); wall clock, median of {runs} runs ({}); {} pages from {} articles (parsed from its \"built N pages\" line){}; peak = largest ru_maxrss of the child (wait4) over the runs",
                secs_list(&walls),
                thousands(pages),
                thousands(articles),
                if warnings > 0 {
                    format!(", {warnings} warnings")
                } else {
                    String::new()
                }
            ),
        ))
    }

    fn noop_rebuild(&mut self, n: usize, dir: &Path) -> Result<(String, String)> {
        if !dir.join("public").is_dir() {
            bail!("no public/ from the full build to rebuild");
        }
        let runs = 3;
        let mut builds = Vec::new();
        let mut rewritten = Vec::new();
        for i in 0..runs {
            let before = snapshot(&dir.join("public"))?;
            builds.push(self.build(&format!("noop-{n}-{i}"), dir)?);
            let after = snapshot(&dir.join("public"))?;
            rewritten.push(changed_files(&before, &after));
        }
        let walls: Vec<f64> = builds.iter().map(|b| b.run.wall).collect();
        let wall = median(&walls);
        let rss = builds.iter().map(|b| b.run.maxrss_kib).max().unwrap_or(0);
        self.record_phases(&format!("No-op rebuild, {}", thousands(n)), &builds);
        let said = first_line(&builds.last().unwrap().run.stdout);
        Ok((
            format!(
                "**{wall:.3} s**, peak **{}**; {}",
                mib(rss),
                files(*rewritten.iter().max().unwrap_or(&0), "rewritten")
            ),
            format!(
                "`build` again right after a full build, nothing changed; wall clock, median of {runs} runs ({}); files rewritten = files of public/ whose size, mtime or inode changed or that appeared or vanished (most over the runs); it printed \"{said}\"",
                secs_list(&walls)
            ),
        ))
    }

    fn edit_rebuild(&mut self, n: usize, dir: &Path) -> Result<(String, String)> {
        let target = EditTarget::first(dir)?;
        let page = dir.join(&target.page);
        if !page.is_file() {
            bail!(
                "the edited article's page {} is not in public/",
                target.page
            );
        }
        let runs = 3;
        let mut builds = Vec::new();
        let mut rewritten = Vec::new();
        let mut visible = 0;
        for i in 1..=runs {
            let marker = format!("GZBENCH-BUILD-EDIT-{i}");
            let before = snapshot(&dir.join("public"))?;
            target.write(&marker)?;
            builds.push(self.build(&format!("edit-{n}-{i}"), dir)?);
            let after = snapshot(&dir.join("public"))?;
            rewritten.push(changed_files(&before, &after));
            if fs::read_to_string(&page)
                .unwrap_or_default()
                .contains(&marker)
            {
                visible += 1;
            }
        }
        let walls: Vec<f64> = builds.iter().map(|b| b.run.wall).collect();
        let wall = median(&walls);
        let rss = builds.iter().map(|b| b.run.maxrss_kib).max().unwrap_or(0);
        self.record_phases(
            &format!("One-article edit (build), {}", thousands(n)),
            &builds,
        );
        let same = self.compare_with_clean(n, dir, &dir.join("public"), "public/");
        rewritten.sort();
        Ok((
            format!(
                "**{wall:.3} s**, peak **{}**; {}; edit visible {visible}/{runs}",
                mib(rss),
                files(rewritten[rewritten.len() / 2], "rewritten")
            ),
            format!(
                "append a marker word to the last paragraph of content/{} (the first zh article; its figures are unchanged), then `build`; wall clock, median of {runs} edits ({}); visible = the marker is in {}; files rewritten (as for the no-op row): median; {same}",
                target.file,
                secs_list(&walls),
                target.page
            ),
        ))
    }

    /// Builds a copy of the site's inputs from scratch and says whether its
    /// public/ equals the incrementally built one, byte for byte.
    fn compare_with_clean(&mut self, n: usize, dir: &Path, output: &Path, name: &str) -> String {
        let check = self.work.join(format!("check-{n}"));
        let r = (|| -> Result<String> {
            if check.exists() {
                fs::remove_dir_all(&check)?;
            }
            fs::create_dir_all(&check)?;
            for name in ["site.toml", "content", "data", "themes", "seeds"] {
                let src = dir.join(name);
                if src.is_dir() {
                    copy_tree(&src, &check.join(name))?;
                } else if src.is_file() {
                    fs::copy(&src, check.join(name))?;
                }
            }
            progress("clean build of a copy, to compare with the incremental result");
            self.build(&format!("check-{n}"), &check)?;
            let diff = compare_trees(output, &check.join("public"))?;
            Ok(if diff.is_empty() {
                format!(
                    "after the edits {name} is byte-identical to a clean build of the same inputs"
                )
            } else {
                format!(
                    "after the edits {name} DIFFERS from a clean build of the same inputs in {} files (e.g. {})",
                    diff.len(),
                    diff.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                )
            })
        })();
        if !keep_dirs() {
            let _ = fs::remove_dir_all(&check);
        }
        r.unwrap_or_else(|e| format!("comparison with a clean build failed: {e:#}"))
    }

    fn serve(&mut self, n: usize, dir: &Path) {
        let what = format!("One-article edit in `serve`, {} articles", thousands(n));
        // Is there a serve command at all? (clap rejects an unknown one.)
        let help = Command::new(bin())
            .args(["serve", "--help"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !help.is_ok_and(|s| s.success()) {
            progress("serve: not available");
            self.rows.push(Row {
                what,
                figure: "serve: not available".into(),
                how: "`gazetteer serve --help` fails: this binary has no serve command yet".into(),
            });
            return;
        }
        match self.serve_edits(n, dir) {
            Ok(rows) => {
                for (w, figure, how) in rows {
                    self.row(&w, figure, how);
                }
            }
            Err(e) => self.fail(&what, e),
        }
    }

    fn serve_edits(&mut self, n: usize, dir: &Path) -> Result<Vec<(String, String, String)>> {
        let target = EditTarget::first(dir)?;
        self.log_seq += 1;
        let stem = format!("{:03}-serve-{n}", self.log_seq);
        let err_path = self.logs.join(format!("{stem}.err"));
        let out_path = self.logs.join(format!("{stem}.out"));
        progress(&format!("starting serve on {n} articles"));
        // serve's scratch files (it may keep its output under TMPDIR) go
        // to the bench's folder: on tmpfs like the corpora, and removed with
        // them even if serve has to be killed.
        let tmp = self.work.join(format!("serve-tmp-{n}"));
        fs::create_dir_all(&tmp)?;
        let started = Instant::now();
        let mut child = Command::new(bin())
            .arg("--root")
            .arg(dir)
            .args(["serve", "--port", "0"])
            .env("GAZETTEER_TIMINGS", "1")
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&err_path)?)
            .spawn()
            .with_context(|| format!("cannot run {}", bin().display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = Server {
            child: Some(child),
            err_path,
        };
        // A thread copies the server's stdout to a log (so it never blocks
        // on a full pipe) and hands each line to us.
        let (tx, lines) = mpsc::channel::<String>();
        let mut out_log = fs::File::create(&out_path)?;
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(out_log, "{line}");
                let _ = tx.send(line);
            }
        });
        let port = loop {
            match lines.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    if let Some(port) = parse_port(&line) {
                        break port;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if started.elapsed() > SERVE_START_TIMEOUT {
                        bail!(
                            "serve printed no http://127.0.0.1:PORT/ line in {} s",
                            SERVE_START_TIMEOUT.as_secs()
                        );
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let (status, _) = server.stop()?;
                    bail!(
                        "serve exited ({status}) before printing its URL: {}",
                        server.stderr_tail()
                    );
                }
            }
        };
        let startup = started.elapsed().as_secs_f64();
        progress(&format!(
            "serve listens on port {port} after {startup:.1} s"
        ));

        let url = format!("ws://127.0.0.1:{port}/__gazetteer/livereload");
        let stream = TcpStream::connect(("127.0.0.1", port))
            .with_context(|| format!("cannot connect to 127.0.0.1:{port}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_nodelay(true)?;
        let (mut ws, _) = tungstenite::client(url.as_str(), stream)
            .map_err(|e| anyhow!("websocket handshake with {url} failed: {e}"))?;
        // Let the watcher settle (events from the initial build, if any).
        let early = drain(&mut ws, Duration::from_millis(1500))?;

        let http_path = format!(
            "/{}",
            target.page.strip_prefix("public/").unwrap_or(&target.page)
        );
        let mut latencies = Vec::new();
        let mut server_ms = Vec::new();
        let mut failures = Vec::new();
        let mut visible = 0;
        for k in 1..=SERVE_EDITS {
            std::thread::sleep(Duration::from_millis(1000));
            drain(&mut ws, Duration::from_millis(20))?;
            let marker = format!("GZBENCH-SERVE-EDIT-{k}");
            let text = target.edited(&marker)?;
            let t0 = Instant::now();
            fs::write(&target.path, text.as_bytes())?;
            let deadline = t0 + RELOAD_TIMEOUT;
            let outcome: Result<f64, String> = loop {
                match read_frame(&mut ws, deadline)? {
                    None => break Err(format!("no reload in {} s", RELOAD_TIMEOUT.as_secs())),
                    Some(tungstenite::Message::Text(t)) => {
                        let elapsed = t0.elapsed().as_secs_f64() * 1e3;
                        let v: serde_json::Value =
                            serde_json::from_str(t.as_str()).unwrap_or_default();
                        match v["type"].as_str() {
                            Some("reload") => {
                                if let Some(ms) = v["ms"].as_f64() {
                                    server_ms.push(ms);
                                }
                                break Ok(elapsed);
                            }
                            Some("error") => {
                                break Err(format!(
                                    "error frame: {}",
                                    v["message"].as_str().unwrap_or(t.as_str())
                                ));
                            }
                            _ => {}
                        }
                    }
                    Some(tungstenite::Message::Close(_)) => {
                        bail!("the server closed the websocket")
                    }
                    Some(_) => {}
                }
            };
            match outcome {
                Ok(ms) => {
                    progress(&format!("serve edit {k}: reload after {ms:.1} ms"));
                    latencies.push(ms);
                }
                Err(why) => {
                    progress(&format!("serve edit {k}: {why}"));
                    failures.push(format!("edit {k}: {why}"));
                }
            }
            match http_get(port, &http_path) {
                Ok((200, body)) if contains(&body, marker.as_bytes()) => visible += 1,
                Ok((status, _)) => failures.push(format!(
                    "edit {k}: GET {http_path} gave {status} without the edit"
                )),
                Err(e) => failures.push(format!("edit {k}: GET {http_path}: {e:#}")),
            }
        }
        // The pages serve wrote, if it keeps them in a folder under TMPDIR:
        // are they what a clean build of the edited inputs gives?
        let served_dir = fs::read_dir(&tmp)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.join("index.html").is_file());
        let same = match served_dir {
            Some(out) => self.compare_with_clean(n, dir, &out, "serve's output folder"),
            None => {
                "serve's output folder not found under its TMPDIR: not compared with a clean build"
                    .into()
            }
        };
        let _ = ws.close(None);
        let (status, rss) = server.stop()?;
        let mut rows = Vec::new();
        let mut sorted = latencies.clone();
        sorted.sort_by(f64::total_cmp);
        let figure = if latencies.is_empty() {
            "failed: no reload frame".to_string()
        } else {
            format!(
                "**median {:.0} ms**, max {:.0} ms ({}/{SERVE_EDITS} reloads; edit visible over HTTP {visible}/{SERVE_EDITS})",
                median(&latencies),
                sorted.last().unwrap(),
                latencies.len()
            )
        };
        rows.push((
            format!("One-article edit in `serve`, {} articles", thousands(n)),
            figure,
            format!(
                "`serve --port 0`, websocket on /__gazetteer/livereload; time from just before writing content/{} (marker word appended to its last paragraph, in place) to the receipt of the {{\"type\":\"reload\"}} frame; {SERVE_EDITS} edits 1 s apart ({} ms; the server's own rebuild times in the frames: {} ms); after each, GET {http_path} and look for the marker; {same}{}{}",
                target.file,
                ms_list(&latencies),
                if server_ms.is_empty() { "-".to_string() } else { ms_list(&server_ms) },
                if failures.is_empty() {
                    String::new()
                } else {
                    format!("; problems: {}", failures.join("; ").replace('|', "\\|"))
                },
                if early.is_empty() {
                    String::new()
                } else {
                    format!("; frames on connecting: {}", early.join(" ").replace('|', "\\|"))
                }
            ),
        ));
        rows.push((
            format!("`serve` start and memory, {} articles", thousands(n)),
            format!("listening after **{startup:.2} s**, peak **{}**", mib(rss)),
            format!(
                "from spawning `serve --port 0` to its line with the URL (includes the initial build); peak = ru_maxrss of the serve process over the whole session (wait4 after SIGINT; it {})",
                match status.signal() {
                    Some(libc::SIGKILL) => "ignored SIGINT for 5 s and was killed".to_string(),
                    Some(sig) => format!("died of signal {sig}"),
                    None => format!("exited with {}", status.code().unwrap_or(-1)),
                }
            ),
        ));
        Ok(rows)
    }

    fn record_phases(&mut self, what: &str, builds: &[Build]) {
        let mut by_phase: Vec<(String, Vec<f64>)> = Vec::new();
        for b in builds {
            for (phase, ms) in &b.phases {
                match by_phase.iter_mut().find(|(p, _)| p == phase) {
                    Some((_, v)) => v.push(*ms),
                    None => by_phase.push((phase.clone(), vec![*ms])),
                }
            }
        }
        let phases = by_phase.into_iter().map(|(p, v)| (p, median(&v))).collect();
        self.phases.push((what.to_string(), phases));
    }
}

struct Run {
    status: ExitStatus,
    wall: f64,
    maxrss_kib: u64,
    stdout: String,
    stderr: String,
}

struct Build {
    run: Run,
    /// (pages, articles) from its "built N pages from M articles" line.
    built: Option<(usize, usize)>,
    warnings: usize,
    phases: Vec<(String, f64)>,
}

/// A running `serve`, killed when dropped.
struct Server {
    child: Option<Child>,
    err_path: PathBuf,
}

impl Server {
    /// Stops the server (Ctrl-C, then SIGKILL after a grace period) and
    /// reaps it: its exit status and peak memory.
    fn stop(&mut self) -> Result<(ExitStatus, u64)> {
        let child = self
            .child
            .take()
            .ok_or_else(|| anyhow!("serve already stopped"))?;
        let pid = child.id() as libc::pid_t;
        // The child is not reaped until wait4 below, so the pid is still ours.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Some(done) = try_wait_rusage(&child)? {
                return Ok(done);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        unsafe { libc::kill(pid, libc::SIGKILL) };
        wait_rusage(&child)
    }

    fn stderr_tail(&self) -> String {
        tail(&fs::read_to_string(&self.err_path).unwrap_or_default(), 5)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.stop();
        }
    }
}

type Ws = tungstenite::WebSocket<TcpStream>;

/// The next frame, or None when the deadline passes first.
fn read_frame(ws: &mut Ws, deadline: Instant) -> Result<Option<tungstenite::Message>> {
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        let wait = (deadline - now).max(Duration::from_millis(1));
        ws.get_mut().set_read_timeout(Some(wait))?;
        match ws.read() {
            Ok(m) => return Ok(Some(m)),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => return Err(anyhow!("websocket: {e}")),
        }
    }
}

/// Reads and discards frames for a while; returns the text ones.
fn drain(ws: &mut Ws, how_long: Duration) -> Result<Vec<String>> {
    let deadline = Instant::now() + how_long;
    let mut texts = Vec::new();
    while let Some(m) = read_frame(ws, deadline)? {
        if let tungstenite::Message::Text(t) = m {
            texts.push(t.as_str().to_string());
        }
    }
    Ok(texts)
}

/// A minimal HTTP/1.1 GET: the status and the raw body (not de-chunked,
/// which is enough to look for a word in it).
fn http_get(port: u16, path: &str) -> Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("no HTTP header in the response"))?;
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line: {}", head.lines().next().unwrap_or("")))?;
    Ok((status, buf[head_end + 4..].to_vec()))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The port of the first `http://127.0.0.1:PORT/` in a line.
fn parse_port(line: &str) -> Option<u16> {
    let at = line.find("http://127.0.0.1:")? + "http://127.0.0.1:".len();
    let digits: String = line[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// The article that the edit rows change: the first zh content file.
struct EditTarget {
    path: PathBuf,
    /// Its name in content/.
    file: String,
    /// Its zh page, relative to the site folder.
    page: String,
    original: String,
}

impl EditTarget {
    fn first(dir: &Path) -> Result<EditTarget> {
        let content = dir.join("content");
        let mut names: Vec<String> = fs::read_dir(&content)
            .with_context(|| format!("cannot read {}", content.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".md") && !n.ends_with(".en.md") && !n.starts_with('.'))
            .collect();
        names.sort();
        let file = names
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no zh article in {}", content.display()))?;
        let path = content.join(&file);
        let stem = file.trim_end_matches(".md");
        Ok(EditTarget {
            original: fs::read_to_string(&path)?,
            page: format!("public/zh/articles/{stem}/index.html"),
            path,
            file,
        })
    }

    /// The original text with ` MARKER` appended to the last paragraph of
    /// the body: the figures' positions and the front matter are unchanged.
    fn edited(&self, marker: &str) -> Result<String> {
        let text = &self.original;
        let body_start = text
            .strip_prefix("---\n")
            .and_then(|rest| rest.find("\n---\n"))
            .map(|i| 4 + i + 5)
            .ok_or_else(|| anyhow!("{}: no front matter", self.file))?;
        let mut offset = body_start;
        let mut end_of_last = None;
        for line in text[body_start..].split_inclusive('\n') {
            let t = line.trim();
            let listy = t.starts_with(['#', '>', '-', '*', '+', '|', '!', '<', '[', '`', '='])
                || t.split_once(['.', ')'])
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !t.is_empty() && !listy {
                end_of_last = Some(offset + line.trim_end().len());
            }
            offset += line.len();
        }
        let at = end_of_last.ok_or_else(|| anyhow!("{}: no paragraph to edit", self.file))?;
        Ok(format!("{} {marker}{}", &text[..at], &text[at..]))
    }

    fn write(&self, marker: &str) -> Result<()> {
        fs::write(&self.path, self.edited(marker)?)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

// ---------------------------------------------------------------------------
// Processes, files and numbers
// ---------------------------------------------------------------------------

/// Waits for a child with wait4: its exit status and its peak resident set
/// (ru_maxrss, KiB on Linux).
fn wait_rusage(child: &Child) -> Result<(ExitStatus, u64)> {
    Ok(wait4(child, 0)?.expect("wait4 without WNOHANG returns the child"))
}

/// Like wait_rusage, but None at once if the child still runs.
fn try_wait_rusage(child: &Child) -> Result<Option<(ExitStatus, u64)>> {
    wait4(child, libc::WNOHANG)
}

fn wait4(child: &Child, options: libc::c_int) -> Result<Option<(ExitStatus, u64)>> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, options, &mut usage) };
        if r == pid {
            break;
        }
        if r == 0 {
            return Ok(None);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e).context("wait4");
        }
    }
    Ok(Some((
        ExitStatus::from_raw(status),
        usage.ru_maxrss.max(0) as u64,
    )))
}

fn parse_built(stdout: &str) -> Option<(usize, usize)> {
    for line in stdout.lines() {
        let Some(rest) = line.trim().strip_prefix("built ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let pages = words.next()?.replace(',', "").parse().ok()?;
        let mut articles = None;
        while let Some(w) = words.next() {
            if w == "from" {
                articles = words.next().and_then(|a| a.replace(',', "").parse().ok());
                break;
            }
        }
        return Some((pages, articles?));
    }
    None
}

/// `timing: <phase> <ms> ms` lines, in order; a phase seen twice is summed.
fn parse_timings(stderr: &str) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.trim().strip_prefix("timing:") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words.len() < 3 || words[words.len() - 1] != "ms" {
            continue;
        }
        let Ok(ms) = words[words.len() - 2].parse::<f64>() else {
            continue;
        };
        let phase = words[..words.len() - 2].join(" ");
        match out.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, v)) => *v += ms,
            None => out.push((phase, ms)),
        }
    }
    out
}

type Snapshot = BTreeMap<PathBuf, (u64, SystemTime, u64)>;

/// Size, mtime and inode of every file under a folder.
fn snapshot(dir: &Path) -> Result<Snapshot> {
    use std::os::unix::fs::MetadataExt;
    let mut out = Snapshot::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))? {
            let e = e?;
            let m = e.metadata()?;
            if m.is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir)?.to_path_buf();
                out.insert(rel, (m.len(), m.modified()?, m.ino()));
            }
        }
    }
    Ok(out)
}

fn changed_files(before: &Snapshot, after: &Snapshot) -> usize {
    let changed = after
        .iter()
        .filter(|(p, v)| before.get(*p) != Some(v))
        .count();
    let gone = before.keys().filter(|p| !after.contains_key(*p)).count();
    changed + gone
}

/// Relative paths of the files that differ between two trees.
fn compare_trees(a: &Path, b: &Path) -> Result<Vec<String>> {
    let sa = snapshot(a)?;
    let sb = snapshot(b)?;
    let mut diff = Vec::new();
    for (p, (len, _, _)) in &sa {
        let same = match sb.get(p) {
            Some((len_b, _, _)) if len_b == len => fs::read(a.join(p))? == fs::read(b.join(p))?,
            _ => false,
        };
        if !same {
            diff.push(p.display().to_string());
        }
    }
    for p in sb.keys().filter(|p| !sa.contains_key(*p)) {
        diff.push(p.display().to_string());
    }
    Ok(diff)
}

fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    fs::create_dir_all(dst)?;
    for e in fs::read_dir(src).with_context(|| format!("cannot read {}", src.display()))? {
        let e = e?;
        let to = dst.join(e.file_name());
        if fs::metadata(e.path())?.is_dir() {
            copy_tree(&e.path(), &to)?;
        } else {
            fs::copy(e.path(), &to)
                .with_context(|| format!("cannot copy {}", e.path().display()))?;
        }
    }
    Ok(())
}

fn top_level(dir: &Path) -> Result<Vec<OsString>> {
    let mut names: Vec<OsString> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    Ok(names)
}

/// Back to the state right after the site was made: removes public/,
/// .gazetteer/, staging folders and anything else a command added.
fn clean(dir: &Path, original: &[OsString]) -> Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        if original.contains(&e.file_name()) {
            continue;
        }
        let p = e.path();
        if e.file_type()?.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        }
        .with_context(|| format!("cannot remove {}", p.display()))?;
    }
    Ok(())
}

fn env_sizes() -> Result<Vec<usize>> {
    let Ok(v) = std::env::var("GAZETTEER_BENCH_SIZES") else {
        return Ok(vec![1000, 10000]);
    };
    let sizes = v
        .split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .replace('_', "")
                .parse::<usize>()
                .with_context(|| format!("GAZETTEER_BENCH_SIZES={v:?}: {s:?} is not a number"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(sizes)
}

/// Where the corpora go, and whether that is tmpfs.
fn bench_parent() -> Result<(PathBuf, bool)> {
    let parent = match std::env::var_os("GAZETTEER_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let shm = Path::new("/dev/shm");
            let writable = shm.is_dir()
                && tempfile::Builder::new()
                    .prefix("gazetteer-probe-")
                    .tempdir_in(shm)
                    .is_ok();
            if writable {
                shm.to_path_buf()
            } else {
                std::env::temp_dir()
            }
        }
    };
    fs::create_dir_all(&parent)?;
    let parent = parent.canonicalize()?;
    let tmpfs = fs_type(&parent).is_some_and(|t| t == "tmpfs");
    Ok((parent, tmpfs))
}

/// The file system type of the mount holding a path (from /proc/mounts).
fn fs_type(path: &Path) -> Option<String> {
    let mounts = fs::read_to_string("/proc/mounts").ok()?;
    let mut best: Option<(usize, String)> = None;
    for line in mounts.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            continue;
        }
        let point = f[1].replace("\\040", " ");
        if path.starts_with(&point) && best.as_ref().is_none_or(|(l, _)| point.len() >= *l) {
            best = Some((point.len(), f[2].to_string()));
        }
    }
    best.map(|(_, t)| t)
}

fn keep_dirs() -> bool {
    std::env::var_os("GAZETTEER_BENCH_KEEP").is_some_and(|v| v != "0")
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn secs_list(walls: &[f64]) -> String {
    let parts: Vec<String> = walls
        .iter()
        .map(|w| {
            if *w < 1.0 {
                format!("{w:.3}")
            } else {
                format!("{w:.2}")
            }
        })
        .collect();
    format!("{} s", parts.join(", "))
}

fn ms_list(v: &[f64]) -> String {
    v.iter()
        .map(|ms| format!("{ms:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn files(n: usize, what: &str) -> String {
    format!(
        "{} file{} {what}",
        thousands(n),
        if n == 1 { "" } else { "s" }
    )
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .replace('|', "\\|")
}

fn args_text(args: &[OsString]) -> String {
    args.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("timing:"))
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" / ")
}

fn progress(msg: &str) {
    eprintln!("[archive bench] {msg}");
}

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------

fn print_report(bench: &Bench, on_tmpfs: bool, parent: &Path, before: &str, after: &str) {
    let version = Command::new(bin())
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let git = git_state();
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kib| format!("{:.1} GiB RAM", kib / 1024.0 / 1024.0))
        .unwrap_or_default();
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| format!("Linux {}", s.trim()))
        .unwrap_or_default();

    println!("## Gazetteer archive benchmark\n");
    println!("- gazetteer: `{version}`{git}; binary {}", bin().display());
    println!("- machine: {nproc} CPUs (nproc), {model}, {mem}, {kernel}");
    println!(
        "- corpora and their output on {} ({})",
        parent.display(),
        if on_tmpfs { "tmpfs" } else { "not tmpfs: disk" }
    );
    println!(
        "- load average (1, 5, 15 min) before: {before}; after: {after}. Timings are wall clock on a shared machine where other work may run at the same time, so they are noisy: compare medians, and rerun before trusting a small difference."
    );
    println!();
    println!("| Measurement | Result | How it was measured |");
    println!("|---|---|---|");
    for r in &bench.rows {
        println!("| {} | {} | {} |", r.what, r.figure, r.how);
    }
    if !bench.phases.is_empty() {
        println!("\nWhere a build spends its time (GAZETTEER_TIMINGS=1, median ms per phase):\n");
        println!("| Build | Phases (ms) |");
        println!("|---|---|");
        for (what, phases) in &bench.phases {
            let text = if phases.is_empty() {
                "(no timing lines)".to_string()
            } else {
                phases
                    .iter()
                    .map(|(p, ms)| format!("{p} {ms:.1}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!("| {what} | {text} |");
        }
    }
    if !bench.notes.is_empty() {
        println!();
        for n in &bench.notes {
            println!("- {n}");
        }
    }
    println!(
        "\nReproduce: `cargo bench --bench archive` (GAZETTEER_BENCH_SIZES=1000 for a quick run; GAZETTEER_BENCH_KEEP=1 keeps the corpora and the commands' logs)."
    );
}

fn git_state() -> String {
    let rev = Command::new("git")
        .args(["-C", PROJECT, "rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let Some(rev) = rev else {
        return String::new();
    };
    let dirty = Command::new("git")
        .args([
            "-C",
            PROJECT,
            "status",
            "--porcelain",
            "--untracked-files=no",
        ])
        .output()
        .ok()
        .is_some_and(|o| !o.stdout.is_empty());
    format!(
        ", git {rev}{}",
        if dirty {
            " with uncommitted changes"
        } else {
            ""
        }
    )
}
