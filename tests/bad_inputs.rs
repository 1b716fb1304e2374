//! Bad input never breaks the archive: for each kind of bad input in
//! `tests/fixtures/bad/` (seeds in every encoding, saved and truncated
//! pages, broken content files, hostile content, names that would escape,
//! huge files, a broken site.toml or template), the exact message the user
//! sees, and the other articles still built.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::{gazetteer, project_dir, project_site, seed_site, snapshot, stderr, stdout};
use gazetteer::content::ContentFile;
use scraper::{Html, Selector};

/// The articles of the project's seeds, by slug.
const ARTICLES: [&str; 5] = [
    "danfeng-2020-10-21",
    "fangcheng-county-67111779",
    "langxi-2021-03-02",
    "neijiang-2017-03-14",
    "neixiang-2020-11-17",
];

fn fixture(rel: &str) -> PathBuf {
    project_dir().join("tests/fixtures/bad").join(rel)
}

/// The lines of some output that mention `needle`.
fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

fn page(root: &Path, lang: &str, slug: &str) -> PathBuf {
    root.join("public")
        .join(lang)
        .join("articles")
        .join(slug)
        .join("index.html")
}

/// Both pages of each article exist.
fn assert_built(root: &Path, slugs: &[&str]) {
    for slug in slugs {
        for lang in ["zh", "en"] {
            let p = page(root, lang, slug);
            assert!(p.is_file(), "{} was not built", p.display());
        }
    }
}

fn build(root: &Path) -> Output {
    gazetteer(root, &["build"])
}

/// A site with the project's content, built once: the previous archive.
fn built_project_site() -> tempfile::TempDir {
    let site = project_site();
    let out = build(site.path());
    assert!(out.status.success(), "{}", stderr(&out));
    site
}

/// The project's seeds ingested as they are, for comparison.
fn reference() -> &'static Path {
    static SITE: OnceLock<tempfile::TempDir> = OnceLock::new();
    SITE.get_or_init(|| {
        let site = seed_site();
        let out = gazetteer(site.path(), &["ingest"]);
        assert!(out.status.success(), "{}", stderr(&out));
        site
    })
    .path()
}

fn zh_file(root: &Path, slug: &str) -> ContentFile {
    ContentFile::read(&root.join("content").join(format!("{slug}.md"))).unwrap()
}

/// A seed site with one of its seeds (by prefix) replaced by a fixture.
fn site_with_seed(replaces: &str, fixture_name: &str) -> tempfile::TempDir {
    let site = seed_site();
    for entry in std::fs::read_dir(site.path().join("seeds")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(&format!("{replaces}_")) {
            std::fs::remove_file(&path).unwrap();
        }
    }
    std::fs::copy(
        fixture(&format!("seeds/{fixture_name}")),
        site.path().join("seeds").join(fixture_name),
    )
    .unwrap();
    site
}

/// Ingests and builds a seed site with the original seed `replaces`
/// swapped for a fixture in another encoding or format; the article must
/// come out as the UTF-8 text seed's (title, body, region, every figure),
/// with no message about the fixture, and every article must be built.
fn ingests_like_the_text_seed(replaces: &str, fixture_name: &str, slug: &str) {
    let site = site_with_seed(replaces, fixture_name);
    let out = build(site.path());
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    // The warnings of the text seed, if any, and no other.
    let original = std::fs::read_dir(project_dir().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(&format!("{replaces}_")))
        .unwrap();
    let mut warnings = vec![];
    if replaces == "001" {
        warnings.push(format!(
            "warning: {}: no publication date found",
            site.path().join("seeds").join(fixture_name).display()
        ));
    }
    assert_eq!(
        lines_with(&stderr(&out), fixture_name),
        warnings,
        "the fixture gets the warnings of {original}"
    );
    let written = site.path().join(format!("content/{slug}.md"));
    assert!(
        stdout(&out).contains(&format!("wrote {}\n", written.display())),
        "{}",
        stdout(&out)
    );
    let got = zh_file(site.path(), slug);
    let want = zh_file(reference(), slug);
    assert_eq!(got.front.title, want.front.title);
    assert_eq!(got.front.date, want.front.date);
    assert_eq!(got.front.source, want.front.source);
    assert_eq!(got.front.region, want.front.region);
    assert_eq!(got.body, want.body);
    assert_eq!(got.front.figures, want.front.figures);
    assert_eq!(got.front.seed.unwrap().file, fixture_name);
    assert_built(site.path(), &ARTICLES);
}

#[test]
fn gbk_seed_without_a_declaration() {
    ingests_like_the_text_seed(
        "001",
        "gbk_671117794530faa5.txt",
        "fangcheng-county-67111779",
    );
}

#[test]
fn gb18030_page_with_meta_charset() {
    ingests_like_the_text_seed("002", "gb18030_38eac78cca20699a.html", "langxi-2021-03-02");
}

#[test]
fn utf16le_seed_with_bom() {
    ingests_like_the_text_seed("004", "utf16le_befd111a20e1a564.txt", "neijiang-2017-03-14");
}

#[test]
fn utf8_seed_with_bom() {
    ingests_like_the_text_seed("000", "utf8bom_fae75b793b086aa3.txt", "neixiang-2020-11-17");
}

#[test]
fn saved_html_page_gives_the_text_seeds_title_and_figures() {
    ingests_like_the_text_seed("000", "page_fae75b793b086aa3.html", "neixiang-2020-11-17");
}

#[test]
fn big5_seed_in_traditional_characters() {
    let name = "big5_c08d4a0241938a28.txt";
    let site = site_with_seed("003", name);
    let out = build(site.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines_with(&stderr(&out), name), Vec::<&str>::new());
    // The region is found from 丹鳳縣, so the slug is the text seed's.
    let slug = "danfeng-2020-10-21";
    let got = zh_file(site.path(), slug);
    let want = zh_file(reference(), slug);
    assert_eq!(got.front.title, "8.1萬人脫貧!丹鳳亮出脫貧攻堅“成績單”");
    assert_eq!(got.front.region, want.front.region);
    assert_eq!(got.front.date, want.front.date);
    assert!(
        got.body
            .contains("建檔立卡人口24036戶83546人,貧困發生率43.74%。"),
        "{}",
        got.body
    );
    // The same figures, quoted in traditional characters.
    type Facts = Vec<(String, f64, String, Option<String>, Option<String>)>;
    let facts = |f: &ContentFile| -> Facts {
        f.front
            .figures
            .iter()
            .map(|x| {
                (
                    x.key.clone(),
                    x.value,
                    x.unit.clone(),
                    x.year.clone(),
                    x.qualifier.clone(),
                )
            })
            .collect()
    };
    assert_eq!(facts(&got), facts(&want));
    assert!(
        got.front
            .figures
            .iter()
            .any(|f| f.quote == "建檔立卡人口24036戶83546人"),
        "{:?}",
        got.front.figures
    );
    assert_built(site.path(), &ARTICLES);
}

#[test]
fn truncated_html_page_ingests_what_it_has_with_a_warning() {
    let name = "truncated_fae75b793b086aa3.html";
    let site = site_with_seed("000", name);
    let out = build(site.path());
    // A warning, not a failure: the article is built from the text it has.
    assert!(out.status.success(), "{}", stderr(&out));
    let path = site.path().join("seeds").join(name);
    assert_eq!(
        lines_with(&stderr(&out), name),
        [format!(
            "warning: {}: the page ends before </html> (cut off while saving or downloading?): the text up to where it stops is ingested; save the complete page to get the rest",
            path.display()
        )]
    );
    let slug = "neixiang-2020-11-17";
    let got = zh_file(site.path(), slug);
    let want = zh_file(reference(), slug);
    assert_eq!(got.front.title, want.front.title);
    assert!(got.body.len() < want.body.len() * 3 / 4);
    assert!(want.body.starts_with(got.body.trim_end()));
    let n = got.front.figures.len();
    assert!(n >= 10, "{n} figures");
    assert_eq!(got.front.figures, want.front.figures[..n]);
    assert_built(site.path(), &ARTICLES);
}

/// Adds a content fixture to a built copy of the project and builds again.
fn build_with_content(files: &[&str]) -> (tempfile::TempDir, Output) {
    let site = built_project_site();
    for f in files {
        std::fs::copy(
            fixture(&format!("content/{f}")),
            site.path().join("content").join(f),
        )
        .unwrap();
    }
    let out = build(site.path());
    (site, out)
}

#[test]
fn broken_yaml_front_matter_names_file_and_line() {
    let (site, out) = build_with_content(&["broken-yaml.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let path = site.path().join("content/broken-yaml.md");
    assert_eq!(
        lines_with(&stderr(&out), "broken-yaml"),
        [format!(
            "warning: {}:4: front matter: mapping values are not allowed in this context (a value holding `: ` must be in quotes); the article is skipped until the file is fixed",
            path.display()
        )]
    );
    assert!(!page(site.path(), "zh", "broken-yaml").exists());
    assert_built(site.path(), &ARTICLES);
}

#[test]
fn unknown_indicator_key_leaves_the_figure_out() {
    let (site, out) = build_with_content(&["unknown-indicator.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let path = site.path().join("content/unknown-indicator.md");
    assert_eq!(
        lines_with(&stderr(&out), "unknown-indicator"),
        [format!(
            "warning: {}:14: figure key `poeple_lifted_out` is not in data/indicators.yaml; the figure is left out (add the indicator or fix the key)",
            path.display()
        )]
    );
    // The article is built with its other figure.
    let html = std::fs::read_to_string(page(site.path(), "zh", "unknown-indicator")).unwrap();
    assert!(html.contains("id=\"fig-0\""), "the known figure is shown");
    assert!(!html.contains("poeple_lifted_out"));
    assert_built(site.path(), &ARTICLES);
}

#[test]
fn duplicate_slug_keeps_the_first_file() {
    let (site, out) = build_with_content(&["Dup_Slug.md", "dup-slug.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        lines_with(&stderr(&out), "dup-slug.md"),
        [format!(
            "warning: {}: its page would be `dup-slug`, the page of {} (file names that differ only in case or punctuation make the same page); it is skipped: rename one of them",
            site.path().join("content/dup-slug.md").display(),
            site.path().join("content/Dup_Slug.md").display()
        )]
    );
    let html = std::fs::read_to_string(page(site.path(), "zh", "dup-slug")).unwrap();
    assert!(html.contains("内乡县脱贫攻坚第一篇"));
    assert_built(site.path(), &ARTICLES);
}

#[test]
fn region_code_not_in_the_table() {
    let (site, out) = build_with_content(&["bad-region.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        lines_with(&stderr(&out), "bad-region"),
        [format!(
            "warning: {}:5: region code 999999 (乌有县) is not in data/regions.tsv; the article is listed without a region",
            site.path().join("content/bad-region.md").display()
        )]
    );
    assert!(page(site.path(), "zh", "bad-region").is_file());
    assert_built(site.path(), &ARTICLES);
}

/// A site.toml or template error stops the build before anything is
/// written: the previous archive stays as it was, every article in it.
fn fails_keeping_the_archive(site: &Path) -> String {
    let before = snapshot(&site.join("public"));
    let out = build(site);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(before == snapshot(&site.join("public")), "public/ changed");
    assert_built(site, &ARTICLES);
    stderr(&out)
}

#[test]
fn unknown_site_toml_key() {
    let site = built_project_site();
    std::fs::copy(
        fixture("site/unknown-key.toml"),
        site.path().join("site.toml"),
    )
    .unwrap();
    let err = fails_keeping_the_archive(site.path());
    assert_eq!(
        err,
        format!(
            "error: {}: line 11: unknown field `base_ulr`, expected one of `title`, `description`, `base_url`, `languages`, `theme`, `folders`\n",
            site.path().join("site.toml").display()
        )
    );
}

#[test]
fn template_syntax_error_names_the_template_and_line() {
    let site = built_project_site();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::copy(
        fixture("templates/article.html"),
        site.path().join("templates/article.html"),
    )
    .unwrap();
    let err = fails_keeping_the_archive(site.path());
    assert_eq!(
        lines_with(&err, "error: ")[0],
        format!(
            "error: {}:6:77: template error: Unknown tag",
            site.path().join("templates/article.html").display()
        )
    );
}

/// Every element and attribute of a page that could run or load something.
fn active_content(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    for el in doc.select(&Selector::parse("*").unwrap()) {
        let v = el.value();
        let name = v.name();
        match name {
            "script" => {
                // The theme's scripts: a local file, no inline code.
                let src = v.attr("src").unwrap_or("");
                let local = src.ends_with(".js")
                    && !src.contains(':')
                    && !src.starts_with("//")
                    && el.text().all(|t| t.trim().is_empty());
                if !local {
                    found.push(el.html());
                }
            }
            "style" | "iframe" | "object" | "embed" | "frame" | "frameset" | "img" | "svg"
            | "form" | "base" | "meta" | "link"
                if el.html().contains("XSS") || name == "iframe" || name == "style" =>
            {
                found.push(el.html())
            }
            _ => {}
        }
        for (attr, value) in v.attrs() {
            let squeezed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if attr.starts_with("on")
                || squeezed.starts_with("javascript:")
                || squeezed.starts_with("data:")
                || squeezed.starts_with("vbscript:")
                || (attr == "style" && value.contains("XSS"))
                || (attr == "srcdoc")
            {
                found.push(format!("<{name} {attr}=\"{value}\">"));
            }
        }
    }
    found
}

#[test]
fn hostile_content_never_reaches_a_page_as_markup() {
    let (site, out) = build_with_content(&["hostile.md", "hostile.en.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines_with(&stderr(&out), "hostile"), Vec::<&str>::new());
    assert_built(site.path(), &ARTICLES);
    assert_built(site.path(), &["hostile"]);
    let mut pages = 0;
    let mut with_payload = 0;
    for (rel, bytes) in snapshot(&site.path().join("public")) {
        if !rel.ends_with(".html") && !rel.ends_with(".xml") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        with_payload += usize::from(html.contains("XSS"));
        let active = active_content(&html);
        assert!(active.is_empty(), "{rel}: {active:#?}");
    }
    assert!(
        pages > 50 && with_payload >= 4,
        "{pages} pages, {with_payload} with the payload"
    );
    // The payloads are shown as text, where they were written.
    let zh =
        Html::parse_document(&std::fs::read_to_string(page(site.path(), "zh", "hostile")).unwrap());
    let text = |sel: &str| -> String {
        zh.select(&Selector::parse(sel).unwrap())
            .flat_map(|e| e.text())
            .collect()
    };
    assert!(
        text("h1").starts_with("<script>alert('XSS-title')</script>内乡县<img"),
        "{}",
        text("h1")
    );
    let facts = text("dl.facts");
    for shown in [
        "<script>alert('XSS-source')</script>",
        "<a href=\"javascript:alert('XSS-author')\"",
    ] {
        assert!(facts.contains(shown), "{facts}");
    }
    let body = text(".body");
    for shown in [
        "<script>alert('XSS-body')</script>",
        "<img src=x onerror=\"alert('XSS-onerror')\">",
        "<style>body { background: url(javascript:alert('XSS-style')) }</style>",
        "<iframe src=\"https://example.org/XSS-iframe\"></iframe>",
    ] {
        assert!(body.contains(shown), "{shown} not in {body}");
    }
    // The harmless inline subset passes, without its attributes.
    let body_html: String = zh
        .select(&Selector::parse(".body").unwrap())
        .map(|e| e.inner_html())
        .collect();
    assert!(body_html.contains("上标<sup>2</sup>与<abbr title=\"建档立卡\">建档</abbr>"));
    let en = std::fs::read_to_string(page(site.path(), "en", "hostile")).unwrap();
    assert!(en.contains("&lt;script&gt;alert(&#39;XSS-en-body&#39;)&lt;/script&gt;"));
}

/// A text seed that names no region: its slug comes from its file name.
const PLAIN_SEED: &str = "某村脱贫攻坚工作总结报告\n\n2020-06-01\n\n2020年,全村128户456人全部脱贫,贫困发生率由12.5%降至0。\n\n村里发展了食用菌产业,带动200户增收。\n";

#[test]
fn seed_names_that_would_escape_or_name_a_windows_device() {
    let site = seed_site();
    // Not committed as fixtures: a checkout on Windows could not hold them.
    let names = [
        "CON.txt",
        "nul.txt",
        "Com1.txt",
        "lpt9.html",
        "aux.md",
        "-..-..-etc-passwd.txt",
        "%2E%2E%2Fetc%2Fshadow.txt",
    ];
    for n in names {
        let text = if n.ends_with(".html") {
            format!(
                "<html><body>{}</body></html>",
                PLAIN_SEED
                    .lines()
                    .map(|l| format!("<p>{l}</p>"))
                    .collect::<String>()
            )
        } else {
            PLAIN_SEED.to_string()
        };
        std::fs::write(site.path().join("seeds").join(n), text).unwrap();
    }
    // A seed that is a link to a file outside seeds/ is not followed.
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", site.path().join("seeds/passwd.txt")).unwrap();
    let out = build(site.path());
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let slugs = [
        "con-page",
        "nul-page",
        "com1-page",
        "lpt9-page",
        "aux-page",
        "etc-passwd",
        "2e-2e-2fetc-2fshadow",
    ];
    for slug in slugs {
        assert!(
            site.path().join(format!("content/{slug}.md")).is_file(),
            "{slug}: {}",
            stdout(&out)
        );
    }
    assert_built(site.path(), &slugs);
    assert_built(site.path(), &ARTICLES);
    assert!(!stdout(&out).contains("passwd.txt"), "{}", stdout(&out));
    // No file or folder anywhere is named like a device, and nothing was
    // written outside the site's folders.
    for entry in walkdir::WalkDir::new(site.path()) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.depth() > 0 && entry.path().starts_with(site.path().join("seeds")) {
            continue;
        }
        assert!(
            !gazetteer::content::is_windows_device_name(&name),
            "{}",
            entry.path().display()
        );
    }
    let mut top: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        [
            ".gazetteer",
            "content",
            "data",
            "public",
            "seeds",
            "site.toml",
            "themes"
        ]
    );
}

#[test]
fn content_files_named_like_devices_or_pointing_outside_get_safe_pages() {
    let site = built_project_site();
    for (name, title) in [
        ("nul.md", "第一篇"),
        ("COM3.md", "第二篇"),
        ("_.md", "第三篇"),
    ] {
        std::fs::write(
            site.path().join("content").join(name),
            format!("---\ntitle: 内乡县工作简报{title}\ndate: 2020-06-01\n---\n\n正文。\n"),
        )
        .unwrap();
    }
    // Front matter that names paths outside the site steers nothing.
    let escape = site.path().join("content/escape.md");
    std::fs::write(
        &escape,
        "---\ntitle: 内乡县工作简报第四篇\nseed:\n  file: ../../../../etc/passwd\n  sha256: '00'\nregion:\n  code: ../../../../tmp/x\n  name: /etc\n---\n\n正文。\n",
    )
    .unwrap();
    let out = build(site.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        lines_with(&stderr(&out), "content/"),
        [format!(
            "warning: {}:7: region code ../../../../tmp/x (/etc) is not in data/regions.tsv; the article is listed without a region",
            escape.display()
        )]
    );
    assert_built(site.path(), &["nul-page", "com3-page", "article", "escape"]);
    assert_built(site.path(), &ARTICLES);
    let mut top: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        [
            ".gazetteer",
            "content",
            "data",
            "public",
            "seeds",
            "site.toml",
            "themes"
        ]
    );
}

/// Runs the binary and returns its output and its peak resident memory in
/// MiB (from wait4, for this child alone).
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // waited for with wait4, for its rusage
fn run_measured(root: &Path, args: &[&str]) -> (Output, f64) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazetteer"))
        .arg("--root")
        .arg(root)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        out_pipe.read_to_end(&mut v).unwrap();
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        err_pipe.read_to_end(&mut v).unwrap();
        v
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    use std::os::unix::process::ExitStatusExt;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    };
    (output, usage.ru_maxrss as f64 / 1024.0)
}

#[cfg(target_os = "linux")]
#[test]
fn a_50_mb_seed_is_refused_unread_and_the_others_ingest() {
    let site = seed_site();
    let path = site.path().join("seeds/zz_huge.txt");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let para = "“十三五”期间,内乡县97个贫困村15316户42991人全部脱贫,综合贫困发生率由6.9%降至0.31%。\n\n";
        while f.get_ref().metadata().unwrap().len() < 50 << 20 {
            for _ in 0..1000 {
                f.write_all(para.as_bytes()).unwrap();
            }
            f.flush().unwrap();
        }
        f.get_ref().set_len(50 << 20).unwrap();
    }
    let (out, peak_mib) = run_measured(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        lines_with(&stderr(&out), "zz_huge"),
        [format!(
            "error: {}: the file is 50.0 MB, over the limit of 16.0 MB for a seed; it is skipped (split it, or save only the article's page)",
            path.display()
        )]
    );
    assert!(
        stdout(&out).contains("ingested 5 of 6 seeds"),
        "{}",
        stdout(&out)
    );
    assert_built(site.path(), &ARTICLES);
    // Never read: the build takes the memory it takes without the file.
    let (_, baseline_mib) = run_measured(seed_site().path(), &["build"]);
    assert!(
        peak_mib < baseline_mib + 16.0,
        "peak {peak_mib:.1} MiB, {baseline_mib:.1} MiB without the 50 MB seed"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_1_mb_line_of_text_is_refused_with_the_limit() {
    let site = seed_site();
    let path = site.path().join("seeds/zz_one_line.txt");
    let para = "“十三五”期间,内乡县97个贫困村15316户42991人全部脱贫,综合贫困发生率由6.9%降至0.31%,脱贫攻坚的整体及单项工作均走在全市、全省乃至全国前列。";
    let line = para.repeat((1 << 20) / para.len() + 1);
    std::fs::write(
        &path,
        format!("内乡县脱贫攻坚长文报道汇编\n\n2020-11-17 12:43:20\n\n{line}\n"),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let (out, peak_mib) = run_measured(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        lines_with(&stderr(&out), "zz_one_line"),
        [format!(
            "error: {}: the article text is 1.0 MB, over the limit of 256 KB for one article; it is skipped (is it several articles in one file? split it into one seed per article)",
            path.display()
        )]
    );
    assert_built(site.path(), &ARTICLES);
    assert!(peak_mib < 150.0, "peak {peak_mib:.1} MiB");
    assert!(started.elapsed().as_secs() < 20);
}

#[cfg(target_os = "linux")]
#[test]
fn a_1_mb_line_of_minified_html_ingests() {
    // A saved page on one line: 1 MB of inline script and style around
    // the article, which is short.
    let site = site_with_seed("000", "page_fae75b793b086aa3.html");
    let name = "page_fae75b793b086aa3.html";
    let page_text = std::fs::read_to_string(fixture(&format!("seeds/{name}"))).unwrap();
    let filler = format!(
        "<script>var data = \"{}\";</script><style>.x{{background:url(data:image/png;base64,{})}}</style>",
        "x".repeat(512 << 10),
        "A".repeat(512 << 10)
    );
    let one_line = page_text
        .replace('\n', "")
        .replace("</body>", &format!("{filler}</body>"));
    assert!(one_line.len() > 1 << 20 && !one_line.contains('\n'));
    std::fs::write(site.path().join("seeds").join(name), &one_line).unwrap();
    let (out, peak_mib) = run_measured(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines_with(&stderr(&out), name), Vec::<&str>::new());
    let got = zh_file(site.path(), "neixiang-2020-11-17");
    let want = zh_file(reference(), "neixiang-2020-11-17");
    assert_eq!(got.front.title, want.front.title);
    assert_eq!(got.front.figures, want.front.figures);
    assert_built(site.path(), &ARTICLES);
    assert!(peak_mib < 150.0, "peak {peak_mib:.1} MiB");
}

#[test]
fn a_content_file_over_the_limit_is_skipped_unread() {
    let site = built_project_site();
    let path = site.path().join("content/zz-huge.md");
    let body = "内乡县97个贫困村全部脱贫。\n\n".repeat((5 << 20) / 40);
    std::fs::write(&path, format!("---\ntitle: 很长的文章\n---\n\n{body}")).unwrap();
    let out = build(site.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let len = std::fs::metadata(&path).unwrap().len();
    assert_eq!(
        lines_with(&stderr(&out), "zz-huge"),
        [format!(
            "warning: {}: the file is {:.1} MB, over the limit of 4.0 MB for a content file; it is not read (split the article, or shorten its body or figures); the article is skipped until the file is fixed",
            path.display(),
            len as f64 / (1 << 20) as f64
        )]
    );
    assert!(!page(site.path(), "zh", "zz-huge").exists());
    assert_built(site.path(), &ARTICLES);
}

#[test]
fn a_bad_article_is_a_warning_the_rest_builds_and_the_exit_code_is_1() {
    let (site, out) = build_with_content(&["broken-yaml.md", "bad-region.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines_with(&stderr(&out), "warning: ").len(),
        3,
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("built "), "{}", stdout(&out));
    assert_built(site.path(), &ARTICLES);
    assert_built(site.path(), &["bad-region"]);
    // The next build has nothing to do, and still reports the problems.
    let again = build(site.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stdout(&again).contains("nothing changed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(stderr(&again), stderr(&out));
}

#[test]
fn strict_build_fails_on_a_problem_and_writes_nothing() {
    let site = built_project_site();
    let before = snapshot(&site.path().join("public"));
    let cache = std::fs::read(site.path().join(".gazetteer/build.json")).unwrap();
    std::fs::copy(
        fixture("content/bad-region.md"),
        site.path().join("content/bad-region.md"),
    )
    .unwrap();
    let out = gazetteer(site.path(), &["build", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let public = site.path().join("public");
    assert_eq!(
        lines_with(&stderr(&out), "error: "),
        [
            format!(
                "error: {}:5: region code 999999 (乌有县) is not in data/regions.tsv; the article is listed without a region",
                site.path().join("content/bad-region.md").display()
            ),
            format!(
                "error: --strict: 1 problem in the content; nothing was written ({} is as it was)",
                public.display()
            )
        ]
    );
    assert!(!stdout(&out).contains("built "), "{}", stdout(&out));
    assert!(before == snapshot(&public), "public/ changed");
    assert_eq!(
        cache,
        std::fs::read(site.path().join(".gazetteer/build.json")).unwrap()
    );
    // Without --strict the same site builds, with a warning.
    let out = build(site.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(page(site.path(), "zh", "bad-region").is_file());
    // A clean site builds the same with --strict.
    std::fs::remove_file(site.path().join("content/bad-region.md")).unwrap();
    let out = gazetteer(site.path(), &["build", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        before == snapshot(&public),
        "a clean strict build gives the first archive"
    );
}

#[test]
fn strict_build_fails_on_a_seed_that_does_not_ingest_and_writes_nothing() {
    let site = seed_site();
    let out = build(site.path());
    assert!(out.status.success());
    let before = snapshot(&site.path().join("public"));
    let content = snapshot(&site.path().join("content"));
    let path = site.path().join("seeds/zz_empty.txt");
    std::fs::write(&path, "关闭\n举报\n首页 > 正文\n").unwrap();
    // A changed seed, so that ingest would write something.
    let seed = site.path().join("seeds/003_c08d4a0241938a28.txt");
    let text = std::fs::read_to_string(&seed).unwrap();
    std::fs::remove_file(&seed).unwrap();
    std::fs::write(
        &seed,
        format!("{text}\n\n丹凤县又一段新的正文,用于测试严格模式。\n"),
    )
    .unwrap();
    let out = gazetteer(site.path(), &["build", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines_with(&stderr(&out), "error: "),
        [
            format!(
                "error: {}: no article text found (the page holds only navigation or is empty)",
                path.display()
            ),
            format!(
                "error: --strict: a seed did not ingest; nothing was written ({} and {} are as they were)",
                site.path().join("content").display(),
                site.path().join("public").display()
            )
        ]
    );
    assert!(before == snapshot(&site.path().join("public")));
    assert!(content == snapshot(&site.path().join("content")));
}
