//! End-to-end tests in a real browser: Chromium driven over the DevTools
//! protocol (`headless_chrome`, without its `fetch` feature: we never
//! download a browser).
//!
//! The project site is built once into a temporary folder; its `public/` is
//! then read the two ways the archive is published: opened from disk
//! (file://) and served over HTTP under a sub-path (`/archive/`). A reader's
//! path is followed by clicking links, the language switch and the header
//! search form; only the start page (and one `search/index.html?q=` link) is
//! loaded by URL.
//!
//! Every test fails on a console error, an uncaught exception, a failed or
//! 4xx/5xx load, and on any request that leaves the archive (file:// outside
//! public/, or HTTP outside `http://127.0.0.1:PORT/archive/`).
//!
//! Chromium is `$CHROME`, else `chromium`, `chromium-browser` or
//! `google-chrome` on PATH. Without one the tests print "skipped: ..." and
//! pass, unless `GAZETTEER_BROWSER_TESTS=require` (as in .ci/run).
//! Screenshots go to `target/browser-screenshots/`.
//!
//! The search tests (`search_*`) follow the search page's contract: a page
//! per language at `{zh,en}/search/index.html` with `#search-input`,
//! `#search-status` and `ol#search-results > li.result` (a title link and a
//! snippet with the match in `<mark>`), `?q=` runs a query on load, and
//! every page's header has `form.site-search` with an input `name="q"`.

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Input, Log as CdpLog, Network, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};

/// How long a page, an element or a search result may take to appear.
const WAIT: Duration = Duration::from_secs(15);
/// The desktop viewport of every screenshot but the mobile one.
const DESKTOP: (u32, u32) = (1280, 900);
/// The mobile viewport (CSS pixels, device scale 1).
const MOBILE: (u32, u32) = (390, 844);

// ---------------------------------------------------------------------------
// The tests

#[test]
fn navigation_zh_from_disk() {
    navigation(Origin::Disk, &ZH);
}

#[test]
fn navigation_en_from_disk() {
    navigation(Origin::Disk, &EN);
}

#[test]
fn navigation_zh_over_http() {
    navigation(Origin::Http, &ZH);
}

#[test]
fn navigation_en_over_http() {
    navigation(Origin::Http, &EN);
}

#[test]
fn search_zh_from_disk() {
    search(Origin::Disk, &ZH);
}

#[test]
fn search_en_from_disk() {
    search(Origin::Disk, &EN);
}

#[test]
fn search_zh_over_http() {
    search(Origin::Http, &ZH);
}

#[test]
fn search_en_over_http() {
    search(Origin::Http, &EN);
}

#[test]
fn pictures_and_sorting_zh_from_disk() {
    pictures_and_sorting(Origin::Disk, &ZH);
}

#[test]
fn pictures_and_sorting_en_over_http() {
    pictures_and_sorting(Origin::Http, &EN);
}

// ---------------------------------------------------------------------------
// What a reader sees, per language

struct Texts {
    code: &'static str,
    /// `lang` of the landing page's section in this language.
    html_lang: &'static str,
    /// The landing page's button into this language's archive.
    enter: &'static str,
    regions: &'static str,
    neixiang: &'static str,
    /// Neixiang's people lifted out of poverty: the region table's link text.
    people: &'static str,
    /// The same figure as highlighted in the article text.
    people_mark: &'static str,
    /// A word every page about Neixiang shows in this language.
    neixiang_word: &'static str,
    /// Search queries: (query, ascii name for the screenshot, how it is entered).
    searches: &'static [(&'static str, &'static str, Entry)],
}

#[derive(Clone, Copy, PartialEq)]
enum Entry {
    /// Typed into the header's search form on the current page, then Enter.
    HeaderForm,
    /// A link to `search/index.html?q=...` loaded directly.
    QueryUrl,
}

const ZH: Texts = Texts {
    code: "zh",
    html_lang: "zh-CN",
    enter: "进入中文版",
    regions: "地区",
    neixiang: "内乡县",
    people: "42991人",
    people_mark: "42991人",
    neixiang_word: "内乡",
    searches: &[
        ("易地扶贫搬迁", "relocation", Entry::HeaderForm),
        ("光伏", "solar", Entry::HeaderForm),
        ("内乡", "neixiang", Entry::QueryUrl),
    ],
};

const EN: Texts = Texts {
    code: "en",
    html_lang: "en",
    enter: "Enter the English archive",
    regions: "Regions",
    neixiang: "Neixiang County",
    people: "42,991 people",
    people_mark: "42,991",
    neixiang_word: "Neixiang",
    searches: &[
        ("relocation", "relocation", Entry::HeaderForm),
        ("Neixiang", "neixiang", Entry::QueryUrl),
    ],
};

fn other(t: &Texts) -> &'static Texts {
    if t.code == "zh" { &EN } else { &ZH }
}

// ---------------------------------------------------------------------------
// The reader's paths

/// Landing page → regions list → Neixiang's region page → its article (by
/// the article list, and by a figure link to the highlighted figure),
/// switching language and back on every page.
fn navigation(origin: Origin, t: &Texts) {
    let Some(mut s) = Session::open(origin) else {
        return;
    };
    let o = other(t);
    let lang = t.code;

    s.start("index.html");
    s.expect_text("section.landing-lang h1", "脱贫攻坚县域报告档案");
    s.expect_text(
        "section.landing-lang[lang=en] h1",
        "County Poverty-Alleviation Report Archive",
    );
    s.screenshot("landing");

    // The landing page's link to this language's regions list.
    s.click_xpath(&format!(
        "//section[@lang='{}']//a[normalize-space(.)='{}']",
        t.html_lang, t.regions
    ));
    s.expect_page(&format!("{lang}/regions/index.html"));
    s.expect_h1(t.regions);
    s.expect_text("main", t.neixiang);
    s.screenshot(&format!("{lang}-regions"));
    s.switch_language(&format!("{}/regions/index.html", o.code), o.regions);
    s.expect_text("main", o.neixiang);
    s.screenshot(&format!("{}-regions", o.code));
    s.switch_language(&format!("{lang}/regions/index.html"), t.regions);

    // Neixiang in the list.
    let region = format!("{lang}/regions/neixiang/index.html");
    s.click_xpath(&format!("//main//a[normalize-space(.)='{}']", t.neixiang));
    s.expect_page(&region);
    s.expect_h1(t.neixiang);
    s.expect_text("table.figures", t.people);
    s.screenshot(&format!("{lang}-region-neixiang"));
    s.mobile_screenshot(&format!("{lang}-region-neixiang-mobile"));
    s.switch_language(
        &format!("{}/regions/neixiang/index.html", o.code),
        o.neixiang,
    );
    s.expect_text("table.figures", o.people);
    s.screenshot(&format!("{}-region-neixiang", o.code));
    s.switch_language(&region, t.neixiang);

    // Its article, from the region's article list.
    let title = s.text("main ul.article-list a.title");
    assert!(!title.is_empty(), "the region page lists no article");
    let article = format!("{lang}/articles/neixiang-2020-11-17/index.html");
    s.click("main ul.article-list a.title");
    s.expect_page(&article);
    s.expect_h1(&title);
    s.expect_text("article", t.people_mark);
    s.screenshot(&format!("{lang}-article-neixiang"));
    s.switch_language(
        &format!("{}/articles/neixiang-2020-11-17/index.html", o.code),
        o.neixiang_word,
    );
    s.expect_text("article", o.people_mark);
    s.screenshot(&format!("{}-article-neixiang", o.code));
    s.switch_language(&article, t.neixiang_word);

    // Back to the region by the article's region link, then its figure link.
    s.click_xpath(&format!(
        "//dl[contains(@class,'facts')]//a[normalize-space(.)='{}']",
        t.neixiang
    ));
    s.expect_page(&region);
    s.click_xpath(&format!(
        "//table[contains(@class,'figures')]//a[contains(@class,'figure') and normalize-space(.)='{}']",
        t.people
    ));
    s.expect_page(&article);
    s.expect_highlighted_figure(t.people_mark);
    s.screenshot(&format!("{lang}-article-neixiang-figure"));

    s.finish();
}

/// The search contract: queries typed in the header form (and Enter) and one
/// loaded as `search/index.html?q=`; each gives results whose first snippet
/// marks (part of) the query, and the first result's page shows the query.
fn search(origin: Origin, t: &Texts) {
    let Some(mut s) = Session::open(origin) else {
        return;
    };
    let lang = t.code;

    s.start("index.html");
    s.click_xpath(&format!(
        "//section[@lang='{}']//a[normalize-space(.)='{}']",
        t.html_lang, t.enter
    ));
    s.expect_page(&format!("{lang}/index.html"));

    for &(query, name, entry) in t.searches {
        match entry {
            Entry::HeaderForm => s.search_in_header(query),
            Entry::QueryUrl => s.start(&format!(
                "{lang}/search/index.html?q={}",
                utf8_percent_encode(query, NON_ALPHANUMERIC)
            )),
        }
        s.expect_page(&format!("{lang}/search/index.html"));
        s.expect_results(query);
        s.screenshot(&format!("{lang}-search-{name}"));

        // The first result leads to a page that shows the query.
        s.click("#search-results li.result a");
        let href = s.wait_for(
            "!/\\/search\\/index\\.html$/.test(location.pathname) && document.readyState === 'complete' \
             && document.fonts.status === 'loaded' && location.href",
            "the first search result's page",
        );
        s.note_page(href.as_str().unwrap());
        let body = s.text("body");
        assert!(
            body.to_lowercase().contains(&query.to_lowercase()),
            "the first result for {query:?} leads to {} which does not show {query:?}",
            s.url()
        );
        s.screenshot(&format!("{lang}-search-{name}-first"));
    }

    s.finish();
}

/// The map, the charts and the sortable tables: a dot on the map leads to
/// its region, a bar of a region's chart to the figure's sentence; a click
/// on a column heading of an indicator's table sorts it, a second click
/// reverses it (the script works from file:// under the pages' CSP).
fn pictures_and_sorting(origin: Origin, t: &Texts) {
    let Some(mut s) = Session::open(origin) else {
        return;
    };
    let lang = t.code;

    s.start(&format!("{lang}/regions/index.html"));
    let drawn = s.eval(
        "(() => { const m = document.querySelector('svg.map'); if (!m) return 0; \
         const r = m.getBoundingClientRect(); return r.width * r.height; })()",
    );
    assert!(
        drawn.as_f64().unwrap_or(0.0) > 100_000.0,
        "the map is drawn: {drawn}"
    );
    s.screenshot(&format!("{lang}-map"));
    s.click("svg.map a[href$='regions/neixiang/index.html'] circle.marker");
    s.expect_page(&format!("{lang}/regions/neixiang/index.html"));
    s.expect_h1(t.neixiang);
    s.screenshot(&format!("{lang}-region-charts"));

    // The before/after chart's second bar: poverty incidence at the end.
    s.click("#chart-poverty_rate_end-pair svg a:nth-of-type(2) rect.bar");
    let href = s.wait_for(
        "location.hash === '#fig-4' && document.readyState === 'complete' && location.href",
        "the sentence of the bar's figure",
    );
    s.note_page(href.as_str().unwrap());
    s.expect_highlighted_figure(if lang == "zh" { "0.31%" } else { "0.31" });

    s.start(&format!("{lang}/indicators/people_lifted/index.html"));
    let order = |s: &Session| -> Vec<f64> {
        let v = s.eval(
            "JSON.stringify([...document.querySelectorAll('table.sortable tbody td.num')]\
             .map(td => parseFloat(td.dataset.sortValue)))",
        );
        serde_json::from_str(v.as_str().unwrap()).unwrap()
    };
    let built = order(&s);
    let mut ascending = built.clone();
    ascending.sort_by(f64::total_cmp);
    let mut descending = ascending.clone();
    descending.reverse();
    assert_eq!(built, descending, "the table comes largest first");
    let value_heading = "table.sortable thead th:nth-child(2) button.sort";
    s.click(value_heading);
    s.wait_for(
        "document.querySelector('table.sortable thead th:nth-child(2)').getAttribute('aria-sort') === 'ascending'",
        "the value column sorted ascending",
    );
    assert_eq!(order(&s), ascending, "one click sorts smallest first");
    s.click(value_heading);
    s.wait_for(
        "document.querySelector('table.sortable thead th:nth-child(2)').getAttribute('aria-sort') === 'descending'",
        "the value column sorted descending",
    );
    assert_eq!(order(&s), descending, "a second click reverses");
    s.click("table.sortable thead th:nth-child(1) button.sort");
    let names = s.eval(
        "JSON.stringify([...document.querySelectorAll('table.sortable tbody th')].map(th => th.innerText.trim()))",
    );
    let names: Vec<String> = serde_json::from_str(names.as_str().unwrap()).unwrap();
    let mut sorted = names.clone();
    if lang == "en" {
        sorted.sort();
        assert_eq!(names, sorted, "regions sorted by name");
    }
    assert_eq!(names.len(), built.len());
    s.screenshot(&format!("{lang}-indicator-sorted"));
    s.finish();
}

// ---------------------------------------------------------------------------
// The archive: built once, read from disk or over HTTP

/// `public/` of the project site, built once for all the tests of this file.
fn public() -> &'static Path {
    static PUBLIC: OnceLock<PathBuf> = OnceLock::new();
    PUBLIC.get_or_init(|| {
        common::built_project_site()
            .join("public")
            .canonicalize()
            .unwrap()
    })
}

#[derive(Clone, Copy)]
enum Origin {
    Disk,
    Http,
}

impl Origin {
    fn name(self) -> &'static str {
        match self {
            Origin::Disk => "file",
            Origin::Http => "http",
        }
    }

    /// The URL of `public/`, ending in `/`: every request must start with it.
    fn root(self) -> String {
        match self {
            Origin::Disk => {
                const PATH: &AsciiSet = &CONTROLS
                    .add(b' ')
                    .add(b'"')
                    .add(b'#')
                    .add(b'%')
                    .add(b'<')
                    .add(b'>')
                    .add(b'?');
                let path = public().to_str().expect("a UTF-8 temp path");
                format!("file://{}/", utf8_percent_encode(path, PATH))
            }
            Origin::Http => format!("http://127.0.0.1:{}/archive/", server_port()),
        }
    }
}

/// A static file server for `public/` under `/archive/`: files only, 404
/// otherwise, a folder redirects to its slash form and serves index.html.
fn server_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let public = public().to_path_buf();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let public = public.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &public);
                });
            }
        });
        port
    })
}

fn serve(mut stream: TcpStream, public: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let path = target.split(['?', '#']).next().unwrap_or("");

    let respond = |stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]| {
        let mut head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if method != "HEAD" {
            stream.write_all(body)?;
        }
        stream.flush()
    };
    let not_found = |stream: &mut TcpStream| {
        respond(
            stream,
            "404 Not Found",
            &[("Content-Type", "text/plain; charset=utf-8")],
            b"not found\n",
        )
    };

    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            &[("Allow", "GET, HEAD")],
            b"",
        );
    }
    if path == "/archive" {
        return respond(
            &mut stream,
            "301 Moved Permanently",
            &[("Location", "/archive/")],
            b"",
        );
    }
    let Some(rel) = path.strip_prefix("/archive/") else {
        return not_found(&mut stream);
    };
    let Ok(rel) = percent_encoding::percent_decode_str(rel).decode_utf8() else {
        return not_found(&mut stream);
    };
    if rel
        .split('/')
        .any(|c| c == ".." || c == "." || c.contains('\\'))
    {
        return not_found(&mut stream);
    }
    let mut file = public.join(rel.as_ref());
    if file.is_dir() {
        if !path.ends_with('/') {
            let location = format!("{path}/");
            return respond(
                &mut stream,
                "301 Moved Permanently",
                &[("Location", &location)],
                b"",
            );
        }
        file = file.join("index.html");
    }
    match file.canonicalize() {
        Ok(real) if real.starts_with(public) && real.is_file() => {
            let body = std::fs::read(&real)?;
            let mime = mime_guess::from_path(&real).first_or_octet_stream();
            let content_type = if mime.type_() == "text"
                || mime.subtype() == "javascript"
                || mime.subtype() == "json"
            {
                format!("{mime}; charset=utf-8")
            } else {
                mime.to_string()
            };
            respond(
                &mut stream,
                "200 OK",
                &[
                    ("Content-Type", &content_type),
                    ("Cache-Control", "no-store"),
                ],
                &body,
            )
        }
        _ => not_found(&mut stream),
    }
}

// ---------------------------------------------------------------------------
// Chromium

/// `$CHROME`, else the first of chromium, chromium-browser, google-chrome on PATH.
fn find_chromium() -> Option<PathBuf> {
    let on_path = |name: &OsStr| -> Option<PathBuf> {
        let candidate = Path::new(name);
        if candidate.components().count() > 1 {
            return is_executable(candidate).then(|| candidate.to_path_buf());
        }
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    };
    if let Some(chrome) = std::env::var_os("CHROME").filter(|c| !c.is_empty()) {
        let found = on_path(&chrome);
        assert!(
            found.is_some(),
            "CHROME={} is not an executable file",
            chrome.to_string_lossy()
        );
        return found;
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| on_path(OsStr::new(name)))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What the browser reported that the tests check at the end.
#[derive(Default, Clone)]
struct Reports {
    /// Every URL the page requested, in order.
    requests: Vec<String>,
    urls_by_id: HashMap<String, String>,
    /// Console errors, uncaught exceptions, failed loads, HTTP errors.
    problems: Vec<String>,
}

/// One browser with one tab, reading the archive from one origin.
///
/// headless_chrome answers each protocol call in about 100 ms (its reader
/// thread holds the WebSocket while it waits on a 100 ms read timeout), so
/// the helpers below make few calls: waits poll inside the page, and a click
/// is one call to find the element and two mouse events.
struct Session {
    tab: Arc<Tab>,
    _browser: Browser,
    _profile: Profile,
    origin: Origin,
    root: String,
    reports: Arc<Mutex<Reports>>,
    /// The pages reached, each of which must show up among the requests.
    pages: Vec<String>,
    started: Instant,
    test: String,
}

impl Session {
    /// A fresh headless Chromium, or None (after saying so) when there is
    /// none and GAZETTEER_BROWSER_TESTS is not `require`.
    fn open(origin: Origin) -> Option<Session> {
        let test = std::thread::current()
            .name()
            .unwrap_or("browser")
            .to_string();
        let Some(chrome) = find_chromium() else {
            if std::env::var("GAZETTEER_BROWSER_TESTS").as_deref() == Ok("require") {
                panic!(
                    "GAZETTEER_BROWSER_TESTS=require but no Chromium was found: \
                     set CHROME=/path/to/chromium or put chromium on PATH"
                );
            }
            // Straight to stderr: libtest would swallow an eprintln! of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: skipped: no Chromium found (set CHROME=/path/to/chromium)"
            );
            return None;
        };
        let started = Instant::now();
        let root = origin.root();

        let profile = Profile(
            tempfile::Builder::new()
                .prefix("gazetteer-chromium-")
                .tempdir()
                .unwrap()
                .keep(),
        );
        let args: Vec<&OsStr> = [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--mute-audio",
            "--force-color-profile=srgb",
            "--password-store=basic",
            "--use-mock-keychain",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        // headless_chrome adds --headless, --no-sandbox --disable-setuid-sandbox,
        // --disable-gpu, --no-first-run, --user-data-dir and the debugging port.
        let options = LaunchOptions {
            path: Some(chrome.clone()),
            headless: true,
            sandbox: false,
            enable_gpu: false,
            ignore_certificate_errors: false,
            window_size: Some(DESKTOP),
            user_data_dir: Some(profile.0.clone()),
            disable_default_args: true,
            args,
            idle_browser_timeout: Duration::from_secs(120),
            ..LaunchOptions::default()
        };
        let browser = Browser::new(options)
            .unwrap_or_else(|e| panic!("cannot start {}: {e:#}", chrome.display()));
        let tab = browser.new_tab().expect("a new tab");
        tab.set_default_timeout(WAIT);

        let reports = Arc::new(Mutex::new(Reports::default()));
        let sink = Arc::clone(&reports);
        tab.add_event_listener(Arc::new(move |event: &Event| record(&sink, event)))
            .unwrap();
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .unwrap();
        tab.enable_runtime().unwrap();
        tab.call_method(CdpLog::Enable(None)).unwrap();

        let session = Session {
            tab,
            _browser: browser,
            _profile: profile,
            origin,
            root,
            reports,
            pages: Vec::new(),
            started,
            test,
        };
        session.set_viewport(DESKTOP, false);
        session.self_test();
        Some(session)
    }

    fn reports(&self) -> std::sync::MutexGuard<'_, Reports> {
        self.reports.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes sure this Chromium's console and exception events reach us
    /// (an event the protocol crate cannot parse would be dropped silently).
    fn self_test(&self) {
        self.eval(
            "console.error('gazetteer self-test'); \
             setTimeout(() => { throw new Error('gazetteer self-test') }, 0); true",
        );
        let deadline = Instant::now() + WAIT;
        loop {
            {
                let mut reports = self.reports();
                let seen = |what: &str| {
                    reports
                        .problems
                        .iter()
                        .any(|p| p.starts_with(what) && p.contains("gazetteer self-test"))
                };
                if seen("console.error") && seen("uncaught exception") {
                    reports.problems.clear();
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "Chromium's console and exception events do not reach the test: {:?}",
                    reports.problems
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn url(&self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Evaluates an expression with a primitive value (null on an error,
    /// e.g. while the tab is between two documents).
    fn eval(&self, js: &str) -> serde_json::Value {
        self.eval_with(js, false)
    }

    fn eval_with(&self, js: &str, await_promise: bool) -> serde_json::Value {
        match self.tab.evaluate(js, await_promise) {
            Ok(object) => object.value.unwrap_or(serde_json::Value::Null),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// Waits until a JavaScript expression (with a primitive value) is
    /// truthy and returns its value. The page polls it itself; a navigation
    /// ends that evaluation and the next document is asked again.
    fn wait_for(&self, expr: &str, what: &str) -> serde_json::Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let js = format!(
                "new Promise(resolve => {{
                    const until = performance.now() + {};
                    const poll = () => {{
                        let value = null;
                        try {{ value = ({expr}); }} catch (e) {{}}
                        if (value) resolve(value);
                        else if (performance.now() > until) resolve(null);
                        else setTimeout(poll, 20);
                    }};
                    poll();
                }})",
                left.as_millis()
            );
            let value = self.eval_with(&js, true);
            if !matches!(
                value,
                serde_json::Value::Null | serde_json::Value::Bool(false)
            ) {
                return value;
            }
            if Instant::now() >= deadline {
                panic!(
                    "{}: timed out after {WAIT:?} waiting for {what}\n  at {}\n  problems: {:#?}",
                    self.test,
                    self.url(),
                    self.reports().problems
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Loads a page of the archive by URL: only the start of a path.
    fn start(&mut self, rel: &str) {
        let url = format!("{}{rel}", self.root);
        self.tab
            .navigate_to(&url)
            .unwrap_or_else(|e| panic!("cannot load {url}: {e:#}"));
        let path = rel.split(['?', '#']).next().unwrap();
        self.expect_page(path);
    }

    /// Waits until the tab shows this page of the archive, loaded, fonts
    /// included (CJK fonts are large), and notes it.
    fn expect_page(&mut self, rel: &str) {
        let expected = format!("{}{rel}", self.root);
        let href = self.wait_for(
            &format!(
                "location.href.split(/[?#]/)[0] === {} && document.readyState === 'complete' \
                 && document.fonts.status === 'loaded' && location.href",
                js_string(&expected)
            ),
            &format!("page {rel}"),
        );
        self.note_page(href.as_str().unwrap());
    }

    fn note_page(&mut self, href: &str) {
        self.pages.push(href.split('#').next().unwrap().to_string());
    }

    /// Clicks an element the way a reader does (mouse press and release at
    /// its first line box, scrolled into view), once it is there and not
    /// covered by another element.
    fn click_element(&self, find: &str, what: &str) {
        let js = format!(
            "(() => {{
                const el = {find};
                if (!el) return null;
                el.scrollIntoView({{block: 'center', inline: 'nearest', behavior: 'instant'}});
                const r = el.getClientRects()[0];
                if (!r || r.width === 0 || r.height === 0) return null;
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const hit = document.elementFromPoint(x, y);
                if (!hit || !(hit === el || el.contains(hit))) return null;
                return JSON.stringify([x, y]);
            }})()"
        );
        let at = self.wait_for(&js, &format!("a clickable {what}"));
        let (x, y): (f64, f64) = serde_json::from_str(at.as_str().unwrap()).unwrap();
        for kind in [
            Input::DispatchMouseEventTypeOption::MousePressed,
            Input::DispatchMouseEventTypeOption::MouseReleased,
        ] {
            self.tab
                .call_method(Input::DispatchMouseEvent {
                    Type: kind,
                    x,
                    y,
                    modifiers: None,
                    timestamp: None,
                    button: Some(Input::MouseButton::Left),
                    buttons: None,
                    click_count: Some(1),
                    force: None,
                    tangential_pressure: None,
                    tilt_x: None,
                    tilt_y: None,
                    twist: None,
                    delta_x: None,
                    delta_y: None,
                    pointer_Type: None,
                })
                .unwrap_or_else(|e| panic!("{}: cannot click {what}: {e:#}", self.test));
        }
    }

    fn click(&self, selector: &str) {
        self.click_element(
            &format!("document.querySelector({})", js_string(selector)),
            selector,
        );
    }

    fn click_xpath(&self, xpath: &str) {
        let find = format!(
            "document.evaluate({}, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue",
            js_string(xpath)
        );
        self.click_element(&find, xpath);
    }

    /// The rendered text (innerText) of the first element matching a selector.
    fn text(&self, selector: &str) -> String {
        let js = format!(
            "document.querySelector({})?.innerText ?? null",
            js_string(selector)
        );
        match self.eval(&js) {
            serde_json::Value::String(s) => s.trim().to_string(),
            _ => panic!("{}: no {selector} on {}", self.test, self.url()),
        }
    }

    fn expect_text(&self, selector: &str, needle: &str) {
        let text = self.text(selector);
        assert!(
            text.contains(needle),
            "{}: {selector} on {} does not show {needle:?}; it shows:\n{}",
            self.test,
            self.url(),
            text.chars().take(600).collect::<String>()
        );
    }

    fn expect_h1(&self, needle: &str) {
        self.expect_text("h1", needle);
    }

    /// Follows `a.lang-switch` to the counterpart page and checks its h1.
    fn switch_language(&mut self, to: &str, h1: &str) {
        self.click("a.lang-switch");
        self.expect_page(to);
        self.expect_h1(h1);
    }

    /// The page was reached by a figure link: the element its fragment names
    /// is a highlighted `mark.fig` with the figure, scrolled into view.
    fn expect_highlighted_figure(&self, figure: &str) {
        let js = r#"(() => {
            const el = document.querySelector(':target');
            if (!el) return null;
            const r = el.getBoundingClientRect();
            if (!(r.top >= 0 && r.bottom <= innerHeight && r.height > 0)) return null;
            const style = getComputedStyle(el);
            return JSON.stringify({
                id: el.id,
                tag: el.tagName.toLowerCase(),
                fig: el.classList.contains('fig'),
                text: el.textContent,
                outline: style.outlineStyle,
                background: style.backgroundColor,
            });
        })()"#;
        let found = self.wait_for(js, "the element the figure link names (:target), in view");
        let found: serde_json::Value = serde_json::from_str(found.as_str().unwrap()).unwrap();
        assert_eq!(found["tag"], "mark", "the figure link lands on {found}");
        assert_eq!(found["fig"], true, "the figure link lands on {found}");
        assert!(
            found["text"].as_str().unwrap().contains(figure),
            "the figure link lands on {found}, not on {figure:?}"
        );
        assert!(
            found["outline"] != "none" || found["background"] != "rgba(0, 0, 0, 0)",
            "the targeted figure is not highlighted: {found}"
        );
    }

    /// Types a query into the header's search form and presses Enter.
    fn search_in_header(&self, query: &str) {
        let input = "header form.site-search[role=search] input[name=q]";
        self.eval(&format!(
            "document.querySelector({}) && (document.querySelector({0}).value = '')",
            js_string(input)
        ));
        self.click(input);
        // One insertText, as an input method commits Chinese text.
        self.tab
            .call_method(Input::InsertText {
                text: query.to_string(),
            })
            .unwrap();
        self.tab.press_key("Enter").unwrap();
    }

    /// The search page shows results for the query in the URL: the first
    /// result has a title link and a snippet marking (part of) the query.
    fn expect_results(&self, query: &str) {
        let js = format!(
            r#"new URLSearchParams(location.search).get('q') === {}
               && document.querySelector('#search-input[type=search][name=q]')
               && document.querySelector('#search-status')
               && document.querySelector('ol#search-results li.result')
               && (() => {{
                   const li = document.querySelector('ol#search-results li.result');
                   const a = li.querySelector('a');
                   return JSON.stringify({{
                       title: a ? a.textContent.trim() : null,
                       href: a ? a.getAttribute('href') : null,
                       marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
                       text: li.innerText,
                       status: document.querySelector('#search-status').innerText,
                       count: document.querySelectorAll('ol#search-results li.result').length,
                   }});
               }})()"#,
            js_string(query)
        );
        let first = self.wait_for(&js, &format!("search results for {query:?}"));
        let first: serde_json::Value = serde_json::from_str(first.as_str().unwrap()).unwrap();
        let q = query.to_lowercase();
        assert!(
            first["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{}: the first result for {query:?} has no title link: {first}",
            self.test
        );
        let marks: Vec<String> = first["marks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().trim().to_lowercase())
            .collect();
        assert!(
            marks
                .iter()
                .any(|m| !m.is_empty() && (q.contains(m.as_str()) || m.contains(&q))),
            "{}: the first result for {query:?} marks none of the query: {first}",
            self.test
        );
        assert!(
            !first["status"].as_str().unwrap_or("").trim().is_empty(),
            "{}: #search-status is empty after a search: {first}",
            self.test
        );
        eprintln!(
            "{}: {query:?}: {} results, status {:?}, first {:?} marks {marks:?}",
            self.test, first["count"], first["status"], first["title"]
        );
    }

    fn set_viewport(&self, (width, height): (u32, u32), mobile: bool) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .unwrap();
        // Two frames: the new layout is painted.
        self.eval_with(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
            true,
        );
    }

    /// Saves the viewport as target/browser-screenshots/{file,http}-NAME.png.
    fn screenshot(&self, name: &str) {
        self.save_screenshot(name, DESKTOP);
    }

    fn mobile_screenshot(&self, name: &str) {
        self.set_viewport(MOBILE, true);
        let width = self.eval("document.documentElement.scrollWidth");
        if width.as_u64().is_some_and(|w| w > u64::from(MOBILE.0)) {
            eprintln!(
                "{}: note: {} is {width} px wide in a {} px mobile viewport",
                self.test,
                self.url(),
                MOBILE.0
            );
        }
        self.save_screenshot(name, MOBILE);
        self.set_viewport(DESKTOP, false);
    }

    fn save_screenshot(&self, name: &str, (width, height): (u32, u32)) {
        let png = self
            .tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        assert_eq!(
            (size(16), size(20)),
            (width, height),
            "screenshot {name} has the wrong size"
        );
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        // Tests run in parallel and may save the same page: write, then rename.
        let file = dir.join(format!("{}-{name}.png", self.origin.name()));
        let partial = dir.join(format!(
            ".{}-{name}.{}.png",
            self.origin.name(),
            std::process::id()
        ));
        std::fs::write(&partial, png).unwrap();
        std::fs::rename(&partial, &file).unwrap();
    }

    /// No console error, exception or failed load; every request inside the
    /// archive; every page reached was seen as a request (so requests were
    /// really recorded).
    fn finish(self) {
        let reports = self.reports().clone();
        let mut failures = Vec::new();
        if !reports.problems.is_empty() {
            failures.push(format!(
                "errors in the browser:\n  {}",
                reports.problems.join("\n  ")
            ));
        }
        let outside: Vec<&str> = reports
            .requests
            .iter()
            .map(String::as_str)
            .filter(|url| !url.starts_with(&self.root) && !url.starts_with("data:"))
            .collect();
        if !outside.is_empty() {
            failures.push(format!(
                "requests that leave the archive ({}):\n  {}",
                self.root,
                outside.join("\n  ")
            ));
        }
        let unseen: Vec<&String> = self
            .pages
            .iter()
            .filter(|page| {
                !reports
                    .requests
                    .iter()
                    .any(|r| r.split('#').next() == Some(page.as_str()))
            })
            .collect();
        if !unseen.is_empty() {
            failures.push(format!(
                "pages reached without a recorded request (are Network events lost?): {unseen:?}"
            ));
        }
        let stylesheet = format!("{}static/style.css", self.root);
        if !reports.requests.contains(&stylesheet) {
            failures.push(format!("{stylesheet} was never requested"));
        }
        assert!(
            failures.is_empty(),
            "{}:\n{}",
            self.test,
            failures.join("\n")
        );
        eprintln!(
            "{}: {} pages, {} requests, all inside {}, no errors, {:.1} s",
            self.test,
            self.pages.len(),
            reports.requests.len(),
            self.root,
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// Chromium's temporary user-data-dir. Removed after the browser (a later
/// field of Session) is gone; its helper processes may still be writing for
/// a moment, hence the retries.
struct Profile(PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        for _ in 0..40 {
            if std::fs::remove_dir_all(&self.0).is_ok() || !self.0.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Records the events the tests check (runs on the tab's event thread).
fn record(reports: &Mutex<Reports>, event: &Event) {
    let mut reports = reports.lock().unwrap_or_else(|e| e.into_inner());
    match event {
        Event::NetworkRequestWillBeSent(e) => {
            let url = e.params.request.url.clone();
            reports
                .urls_by_id
                .insert(e.params.request_id.clone(), url.clone());
            reports.requests.push(url);
        }
        Event::NetworkResponseReceived(e) if e.params.response.status >= 400 => {
            let r = &e.params.response;
            reports
                .problems
                .push(format!("HTTP {} {}: {}", r.status, r.status_text, r.url));
        }
        Event::NetworkLoadingFailed(e) if e.params.canceled != Some(true) => {
            let url = reports
                .urls_by_id
                .get(&e.params.request_id)
                .cloned()
                .unwrap_or_default();
            reports
                .problems
                .push(format!("failed load: {} {url}", e.params.error_text));
        }
        Event::RuntimeExceptionThrown(e) => {
            let d = &e.params.exception_details;
            let description = d
                .exception
                .as_ref()
                .and_then(|x| x.description.clone())
                .unwrap_or_default();
            reports.problems.push(format!(
                "uncaught exception: {} {description} at {}:{}",
                d.text,
                d.url.clone().unwrap_or_default(),
                d.line_number
            ));
        }
        Event::RuntimeConsoleAPICalled(e)
            if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
        {
            let args: Vec<String> = e
                .params
                .args
                .iter()
                .map(|a| match &a.value {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => a.description.clone().unwrap_or_default(),
                })
                .collect();
            reports
                .problems
                .push(format!("console.error: {}", args.join(" ")));
        }
        Event::LogEntryAdded(e) if e.params.entry.level == CdpLog::LogEntryLevel::Error => {
            let entry = &e.params.entry;
            reports.problems.push(format!(
                "console error ({:?}): {} {}",
                entry.source,
                entry.text,
                entry.url.clone().unwrap_or_default()
            ));
        }
        _ => {}
    }
}

fn screenshot_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is target/tmp: the screenshots go beside it.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("browser-screenshots")
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}
