//! Command-line arguments (clap) and what each command prints.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use gazetteer::config::Site;
use gazetteer::data::Taxonomy;
use gazetteer::extract::{self, eval};
use gazetteer::ingest::{self, IngestOptions};

#[derive(Parser, Debug)]
#[command(
    name = "gazetteer",
    version,
    about = "Turns scraped Chinese county poverty-alleviation reports into a bilingual static archive"
)]
struct Cli {
    /// The site folder: it holds site.toml, seeds/, content/, data/ and themes/.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Turn the raw pages in seeds/ into Markdown in content/ (zh and en), with their figures.
    ///
    /// Files edited by hand since ingest wrote them are left alone (and named).
    Ingest {
        /// Overwrite files edited by hand (a human translation keeps its title and body).
        #[arg(long)]
        force: bool,
    },
    /// Print the figures of one article, a content file or plain text.
    Extract {
        /// A seed page, a content file, or `-` for standard input.
        #[arg(default_value = "-", value_name = "FILE|-")]
        input: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Treat the input as plain text even if it looks like a scraped page.
        #[arg(long)]
        plain: bool,
    },
    /// Score the extractor against a gold file of hand-labelled figures.
    Eval {
        /// Gold file, in the format of gold_seeds.json.
        gold: PathBuf,
        /// Folder of the seed files the gold file names [default: the site's seeds/].
        #[arg(long, value_name = "DIR")]
        seeds: Option<PathBuf>,
    },
    /// Preview the archive: build it, serve it on 127.0.0.1, rebuild what a change affects and reload the page.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        interface: std::net::IpAddr,
        /// Open the archive in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Write a benchmark site: N articles recombined from this site's content, across real regions.
    GenCorpus {
        /// Number of articles (each has a zh and an en file).
        #[arg(long)]
        articles: usize,
        /// The new site folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Number of county-level regions to spread the articles over.
        #[arg(long, default_value_t = 500)]
        regions: usize,
        /// Seed of the generator: the same seed gives the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Build the static archive in public/ (ingests first when content/ is missing or older than seeds/).
    Build {
        /// Write the archive here instead of the site's output folder.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
        /// Publish at this URL (for canonical links); overrides site.toml's base_url.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Treat every problem (a seed that does not ingest, a content file that does not
        /// load, an unknown figure key or region) as fatal: exit with 1 and write nothing,
        /// leaving content/ and the previous archive as they were.
        ///
        /// Without it, a bad article is reported, left out, and the rest is built (exit code 1).
        #[arg(long)]
        strict: bool,
    },
    /// Check a built archive before publishing it: links and anchors, zh/en counterparts,
    /// figure quotes, and well-formed HTML.
    ///
    /// Prints one line per problem (`path[:line]: what is wrong`) and exits with 1 if it finds any.
    Check {
        /// Check this folder instead of the site's output folder.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Text,
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Ingest { force } => cmd_ingest(&cli.root, force),
        Command::Extract {
            input,
            format,
            plain,
        } => cmd_extract(&cli.root, &input, format, plain),
        Command::Eval { gold, seeds } => cmd_eval(&cli.root, &gold, seeds),
        Command::Serve {
            port,
            interface,
            open,
        } => {
            // Watched paths arrive absolute: so must the site's folders be.
            let root = cli
                .root
                .canonicalize()
                .with_context(|| format!("no site folder at {}", cli.root.display()))?;
            let site = Site::load(&root)?;
            gazetteer::serve::run(
                site,
                gazetteer::serve::ServeOptions {
                    interface,
                    port,
                    open,
                },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::GenCorpus {
            articles,
            out,
            regions,
            seed,
        } => {
            let site = Site::load(&cli.root)?;
            let started = std::time::Instant::now();
            let options = gazetteer::corpus::CorpusOptions {
                articles,
                regions,
                seed,
            };
            let r = gazetteer::corpus::generate(&site, &out, options)?;
            println!(
                "wrote {} articles ({:.1} MB of content) across {} regions to {} in {:.1} s; build it with `gazetteer --root {} build`",
                r.articles,
                r.bytes as f64 / 1e6,
                r.regions,
                out.display(),
                started.elapsed().as_secs_f64(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Build {
            output_dir,
            base_url,
            strict,
        } => cmd_build(&cli.root, output_dir, base_url, strict),
        Command::Check { output_dir } => cmd_check(&cli.root, output_dir),
    }
}

fn cmd_ingest(root: &Path, force: bool) -> Result<ExitCode> {
    let site = Site::load(root)?;
    ingest_and_report(
        &site,
        IngestOptions {
            force,
            strict: false,
        },
    )
}

fn cmd_build(
    root: &Path,
    output_dir: Option<PathBuf>,
    base_url: Option<String>,
    strict: bool,
) -> Result<ExitCode> {
    let mut site = Site::load(root)?;
    if let Some(dir) = output_dir {
        site.output_dir = if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir()?.join(dir)
        };
    }
    if let Some(url) = base_url {
        site.set_base_url(&url)?;
    }
    let mut clean = true;
    if let Some(why) = ingest::needs_ingest(&site)? {
        println!("content/ {why}: ingesting seeds/ first");
        let options = IngestOptions {
            force: false,
            strict,
        };
        clean &= ingest_and_report(&site, options)? == ExitCode::SUCCESS;
        if strict && !clean {
            eprintln!(
                "error: --strict: a seed did not ingest; nothing was written ({} and {} are as they were)",
                site.content_dir.display(),
                site.output_dir.display()
            );
            return Ok(ExitCode::from(1));
        }
    }
    if site.base_url.is_none() {
        eprintln!(
            "warning: site.toml has no base_url: sitemap.xml and the Atom feeds need absolute URLs and are left out (set base_url or pass --base-url https://example.org/archive)"
        );
    }
    if strict {
        // Every problem is known once the content is loaded, before
        // anything is rendered: a strict build stops there.
        let model = gazetteer::model::Model::load(site.clone())?;
        if !model.problems.is_empty() {
            for p in &model.problems {
                eprintln!("error: {p}");
            }
            let n = model.problems.len();
            eprintln!(
                "error: --strict: {n} problem{} in the content; nothing was written ({} is as it was)",
                if n == 1 { "" } else { "s" },
                site.output_dir.display()
            );
            return Ok(ExitCode::from(1));
        }
    }
    let started = std::time::Instant::now();
    let report = gazetteer::render::build(site)?;
    for p in &report.problems {
        eprintln!("warning: {p}");
    }
    let index = report.output_dir.join("index.html");
    let index = index.canonicalize().unwrap_or(index);
    if report.unchanged {
        println!(
            "nothing changed since the last build: {} files in {} ({:.2} s)",
            report.files,
            report.output_dir.display(),
            started.elapsed().as_secs_f64()
        );
    } else {
        println!(
            "built {} pages ({} files with theme, search index and data downloads) from {} articles into {} in {:.2} s ({} rendered, {} written)",
            report.pages,
            report.files,
            report.articles,
            report.output_dir.display(),
            started.elapsed().as_secs_f64(),
            report.rendered,
            report.written
        );
    }
    println!(
        "open file://{} in a browser (it works from disk), or publish the folder to any static host",
        index.display()
    );
    clean &= report.problems.is_empty();
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_check(root: &Path, output_dir: Option<PathBuf>) -> Result<ExitCode> {
    let output_dir = match output_dir {
        Some(dir) => dir,
        None => Site::load(root)?.output_dir,
    };
    let report = gazetteer::check::check(&output_dir)?;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for problem in &report.problems {
        writeln!(out, "{problem}")?;
    }
    let verdict = match report.problems.len() {
        0 => "no problems".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{} problems", thousands(n)),
    };
    writeln!(
        out,
        "checked {} pages, {} links, {} figures: {verdict}",
        thousands(report.pages),
        thousands(report.links),
        thousands(report.figures)
    )?;
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// 12345 -> "12,345".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ingest_and_report(site: &Site, options: IngestOptions) -> Result<ExitCode> {
    let report = ingest::run(site, options)?;
    for (path, why) in &report.warnings {
        eprintln!("warning: {}: {why}", path.display());
    }
    for (path, why) in &report.kept {
        eprintln!("kept {}: {why}", path.display());
    }
    for (path, why) in &report.failed {
        eprintln!("error: {}: {why}", path.display());
    }
    for path in &report.written {
        println!("wrote {}", path.display());
    }
    for path in &report.removed {
        println!("removed {} (its seed is gone)", path.display());
    }
    if options.strict && !report.failed.is_empty() {
        println!(
            "{} of {} seeds did not ingest: nothing was written to {}",
            report.failed.len(),
            report.seeds,
            site.content_dir.display()
        );
        return Ok(ExitCode::from(1));
    }
    println!(
        "ingested {} of {} seeds into {}: {} written, {} unchanged, {} kept, {} removed",
        report.seeds - report.failed.len(),
        report.seeds,
        site.content_dir.display(),
        report.written.len(),
        report.unchanged,
        report.kept.len(),
        report.removed.len()
    );
    if !report.translations.is_empty() {
        println!(
            "{} English files hold a human translation and were left as they are (--force refreshes their front matter)",
            report.translations.len()
        );
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The taxonomy of the site if there is one, else of the folder the
/// program was built from (so `extract` works outside a site).
fn load_taxonomy(root: &Path) -> Result<Taxonomy> {
    let site_data = Site::load(root)
        .map(|s| s.data_dir)
        .unwrap_or_else(|_| root.join("data"));
    let path = site_data.join("indicators.yaml");
    if path.exists() {
        return Taxonomy::load(&path);
    }
    Taxonomy::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/indicators.yaml"))
        .with_context(|| format!("no taxonomy at {}", path.display()))
}

fn cmd_extract(root: &Path, input: &str, format: Format, plain: bool) -> Result<ExitCode> {
    let taxonomy = load_taxonomy(root)?;
    let bytes = if input == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        buf
    } else {
        std::fs::read(input).with_context(|| format!("cannot read {input}"))?
    };
    let text = ingest::decode::decode(&bytes).text;
    let body = article_body(input, &text, plain)?;
    let figures = extract::extract_figures(&body, &taxonomy);
    let mut out = String::new();
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = figures
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "key": f.key, "value": f.value, "unit": f.unit, "year": f.year,
                        "qualifier": f.qualifier, "quote": ingest::clean::unescape_markdown(&f.quote),
                        "start": f.start, "end": f.end, "target": f.target, "doubt": f.doubt,
                    })
                })
                .collect();
            out.push_str(&serde_json::to_string_pretty(&rows)?);
            out.push('\n');
        }
        Format::Text => {
            for f in &figures {
                let flag = match (f.target, &f.doubt) {
                    (true, _) => "target".to_string(),
                    (_, Some(d)) => format!("doubtful: {d}"),
                    _ => String::new(),
                };
                out.push_str(&format!(
                    "{:<28} {:>16} {:<10} {:<10} {:<4} {} {}\n",
                    f.key,
                    gazetteer::format::number(f.value, gazetteer::format::Lang::En),
                    f.unit,
                    f.year.as_deref().unwrap_or("-"),
                    f.qualifier.as_deref().unwrap_or(""),
                    ingest::clean::unescape_markdown(&f.quote),
                    flag
                ));
            }
        }
    }
    // A closed pipe (`| head`) is not an error.
    use std::io::Write;
    match std::io::stdout().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The text to extract from: a content file's body, a cleaned page, or the
/// text itself (each line a paragraph).
fn article_body(name: &str, text: &str, plain: bool) -> Result<String> {
    if text.starts_with("---\n") || text.starts_with("---\r\n") {
        let file = gazetteer::content::ContentFile::parse(Path::new(name), text)?;
        return Ok(file.body);
    }
    if !plain {
        let cleaned = ingest::clean::clean_text(text);
        if !cleaned.title.is_empty() && !cleaned.blocks.is_empty() {
            return Ok(cleaned.body_markdown());
        }
    }
    let paragraphs: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(ingest::clean::escape_markdown)
        .collect();
    Ok(paragraphs.join("\n\n") + "\n")
}

fn cmd_eval(root: &Path, gold: &Path, seeds: Option<PathBuf>) -> Result<ExitCode> {
    let taxonomy = load_taxonomy(root)?;
    let seeds = match seeds {
        Some(s) => s,
        None => Site::load(root)
            .map(|s| s.seeds_dir)
            .unwrap_or_else(|_| root.join("seeds")),
    };
    let report = eval::evaluate(gold, &seeds, &taxonomy)?;
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}
