//! `gazetteer serve` as a person uses it: edit a file and the open page
//! reloads; break a file and the error shows while the last good pages stay
//! served; fix it and everything recovers without a restart. In Chromium
//! too, under the pages' Content-Security-Policy.
//!
//! And as a server on a developer's machine: it listens on loopback only,
//! serves nothing outside its folder whatever the request path, and answers
//! a burst of concurrent requests with the right bytes.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use common::{gazetteer, project_site, stderr, stdout};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazetteer"))
        .arg("--root")
        .arg(root)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(i) = line.find("http://") {
                let addr = line[i + 7..].split('/').next().unwrap().to_string();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("serve prints its address");
    Server { child, addr }
}

/// A GET over plain TCP: (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let (status, body) = get_bytes(addr, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A GET of a request target written as is (no encoding, no
/// normalization), on a connection of its own: (status, body bytes). The
/// body is checked against Content-Length.
fn get_bytes(addr: &str, target: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("GET {target}: {e}"));
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("GET {target}: no header end in {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    if let Some(length) = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().unwrap())
    }) {
        assert_eq!(body.len(), length, "GET {target}: body length\n{head}");
    }
    (status, body)
}

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

fn connect(addr: &str) -> Socket {
    let (mut ws, _) = tungstenite::connect(format!("ws://{addr}/__gazetteer/livereload")).unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_mut() {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    }
    ws
}

/// The next message of a type, skipping others.
fn next(ws: &mut Socket, kind: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let msg = ws.read().expect("a message before the timeout");
        if let tungstenite::Message::Text(t) = msg {
            let v: serde_json::Value = serde_json::from_str(&t).unwrap();
            if v["type"] == kind {
                return v;
            }
        }
    }
    panic!("no {kind} message");
}

#[test]
fn serve_reloads_on_edit_and_recovers_from_broken_files() {
    let site = project_site();
    let root = site.path();
    let server = start(root);
    let page = "/zh/articles/neixiang-2020-11-17/";

    let (status, body) = get(&server.addr, page);
    assert_eq!(status, 200);
    assert!(
        body.contains("/__gazetteer/livereload.js"),
        "the reload script is injected in serve"
    );
    assert!(body.contains("历史悠久"));
    let mut ws = connect(&server.addr);
    assert_eq!(next(&mut ws, "ok")["type"], "ok");

    // An edit reloads the page with the new text.
    let content = root.join("content/neixiang-2020-11-17.md");
    let original = std::fs::read_to_string(&content).unwrap();
    std::fs::write(&content, original.replace("历史悠久", "历史十分悠久")).unwrap();
    next(&mut ws, "reload");
    assert!(get(&server.addr, page).1.contains("历史十分悠久"));

    // Broken front matter: an error, and the last good page is still served.
    std::fs::write(&content, original.replacen("title: ", "title: [", 1)).unwrap();
    let err = next(&mut ws, "error");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("neixiang-2020-11-17.md"),
        "{err}"
    );
    let (status, body) = get(&server.addr, page);
    assert_eq!(status, 200);
    assert!(body.contains("历史十分悠久"));

    // Fixed: the overlay goes and the page reloads.
    std::fs::write(&content, &original).unwrap();
    next(&mut ws, "ok");
    next(&mut ws, "reload");
    assert!(get(&server.addr, page).1.contains("历史悠久"));

    // A template syntax error names the template; fixing it recovers.
    let template = root.join("themes/default/templates/article.html");
    let good = std::fs::read_to_string(&template).unwrap();
    std::fs::write(
        &template,
        good.replacen("{{ article.title }}", "{{ article.title }", 1),
    )
    .unwrap();
    let err = next(&mut ws, "error");
    assert!(
        err["message"].as_str().unwrap().contains("article.html"),
        "{err}"
    );
    assert_eq!(get(&server.addr, page).0, 200);
    std::fs::write(&template, &good).unwrap();
    next(&mut ws, "reload");

    // Nothing outside the served folder is reachable.
    assert_eq!(get(&server.addr, "/../site.toml").0, 404);
    assert_eq!(get(&server.addr, "/%2e%2e/site.toml").0, 404);
    // The built archive on disk never gets the reload script.
    assert!(
        !root.join("public").exists()
            || !std::fs::read_to_string(root.join("public/index.html"))
                .unwrap()
                .contains("livereload")
    );
}

// ---------------------------------------------------------------------------
// The server on a developer's machine

#[test]
fn serve_listens_on_loopback_only() {
    let site = project_site();
    let server = start(site.path());
    let addr: SocketAddr = server.addr.parse().expect("serve prints ip:port");
    assert_eq!(
        addr.ip(),
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        "serve listens on 127.0.0.1 unless told otherwise"
    );
    assert_eq!(get(&server.addr, "/zh/").0, 200);
    // The machine's other addresses do not answer on that port.
    let others = interface_addresses();
    for ip in &others {
        let at = SocketAddr::new(*ip, addr.port());
        assert!(
            TcpStream::connect_timeout(&at, Duration::from_secs(2)).is_err(),
            "serve answers on {at}, an address other machines can reach"
        );
    }
    if others.is_empty() {
        // Straight to stderr: libtest would swallow an eprintln! of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "serve_listens_on_loopback_only: this machine has no address but loopback; \
             checked the bound address only"
        );
    }
}

/// The addresses of this machine's interfaces other than loopback (IPv6
/// link-local ones left out: they need a scope to connect to).
#[cfg(unix)]
fn interface_addresses() -> Vec<IpAddr> {
    let mut found = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list that freeifaddrs
    // releases; each node's ifa_addr is null or points to a sockaddr of the
    // family it names.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            return found;
        }
        let mut node = list;
        while !node.is_null() {
            let addr = (*node).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let a = &*(addr as *const libc::sockaddr_in);
                        found.push(IpAddr::from(u32::from_be(a.sin_addr.s_addr).to_be_bytes()));
                    }
                    libc::AF_INET6 => {
                        let a = &*(addr as *const libc::sockaddr_in6);
                        found.push(IpAddr::from(a.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            node = (*node).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    found.retain(|ip| match ip {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_unspecified(),
        IpAddr::V6(v6) => {
            !v6.is_loopback() && !v6.is_unspecified() && (v6.segments()[0] & 0xffc0) != 0xfe80
        }
    });
    found.sort();
    found.dedup();
    found
}

/// The address this machine would reach the Internet from, if any.
#[cfg(not(unix))]
fn interface_addresses() -> Vec<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    match socket
        .connect("192.0.2.1:9")
        .and_then(|()| socket.local_addr())
    {
        Ok(a) if !a.ip().is_loopback() && !a.ip().is_unspecified() => vec![a.ip()],
        _ => Vec::new(),
    }
}

#[test]
fn serve_never_serves_a_file_outside_its_folder() {
    let site = project_site();
    let root = site.path();
    // Files beside the served folder's parent that a traversal would reach.
    const SECRET: &str = "gazetteer-serve-secret-4f1c";
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    let mut toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    toml.push_str(&format!("\n# {SECRET}\n"));
    std::fs::write(root.join("site.toml"), toml).unwrap();
    let server = start(root);

    // The served folder is a temporary folder: `..` from it is the
    // temporary folder that also holds this site, so these name real files.
    let name = root.file_name().unwrap().to_str().unwrap();
    assert!(
        std::env::temp_dir().join(name).join("secret.txt").is_file(),
        "the site is in the temporary folder, beside the served folder"
    );
    let abs = root.to_str().unwrap().trim_start_matches('/');
    let addr = &server.addr;
    let targets = [
        format!("/../{name}/secret.txt"),
        format!("/../../../../../../../../{abs}/secret.txt"),
        format!("/zh/../../{name}/secret.txt"),
        format!("/zh/articles/../../../{name}/site.toml"),
        format!("/./../{name}/secret.txt"),
        format!("/%2e%2e/{name}/secret.txt"),
        format!("/%2E%2E/{name}/secret.txt"),
        format!("/.%2e/{name}/secret.txt"),
        format!("/%2e%2e%2f{name}%2fsecret.txt"),
        format!("/%2E%2E%2F{name}%2Fsite.toml"),
        format!("/..%2f{name}%2fsecret.txt"),
        format!("/zh%2f..%2f..%2f{name}%2fsecret.txt"),
        format!("/..%5c{name}%5csecret.txt"),
        format!("/..%5C..%5C{name}%5Csecret.txt"),
        format!("/..\\{name}\\secret.txt"),
        format!("/%252e%252e/{name}/secret.txt"),
        format!("/%252e%252e%252f{name}%252fsecret.txt"),
        format!("/%25252e%25252e/{name}/secret.txt"),
        format!("/%c0%ae%c0%ae/{name}/secret.txt"),
        format!("/..%c0%af{name}%c0%afsecret.txt"),
        format!("/%u002e%u002e/{name}/secret.txt"),
        format!("/..;/{name}/secret.txt"),
        format!("//{abs}/secret.txt"),
        format!("/{abs}/secret.txt"),
        format!("/%2f{abs}%2fsecret.txt"),
        format!("/%2F%2F{abs}%2Fsite.toml"),
        format!("http://{addr}/../{name}/secret.txt"),
        format!("http://{addr}/%2e%2e/{name}/secret.txt"),
        format!("/{name}/../../{name}/secret.txt"),
        "/etc/passwd".to_string(),
        "//etc/passwd".to_string(),
        "/../../../../../../../../../../etc/passwd".to_string(),
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_string(),
        "/..%5c..%5c..%5c..%5c..%5c..%5cetc%5cpasswd".to_string(),
        "/%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fpasswd".to_string(),
        "/%2fetc%2fpasswd".to_string(),
        "/C:/Windows/win.ini".to_string(),
        "/C:%5cWindows%5cwin.ini".to_string(),
        "/zh/index.html%00".to_string(),
        "/zh/index.html%00.png".to_string(),
        "/%00/../site.toml".to_string(),
        "/zh%00/../../site.toml".to_string(),
        "/%00".to_string(),
    ];
    for target in &targets {
        let (status, body) = get_bytes(addr, target);
        let text = String::from_utf8_lossy(&body);
        assert!(
            status == 400 || status == 404,
            "GET {target} gives {status}, not 400 or 404"
        );
        assert!(
            !text.contains(SECRET) && !text.contains("root:x:0:0") && !text.contains("[title]"),
            "GET {target} gives a file outside the served folder:\n{text}"
        );
    }
    // What is inside stays reachable, encoded or not.
    for target in [
        "/zh/index.html",
        "/zh/",
        "/zh",
        "/%7a%68/index.html",
        "/zh/./index.html",
        "/zh/index.html?x=../../site.toml",
    ] {
        let (status, body) = get_bytes(addr, target);
        assert_eq!(status, 200, "GET {target}");
        assert!(
            String::from_utf8_lossy(&body).contains("</html>"),
            "GET {target}"
        );
    }
}

/// A built page as `serve` sends it: the policy lets the reload script
/// connect to the server, and the script is added before `</body>`.
fn as_served(built: &[u8]) -> Vec<u8> {
    let mut page = built.to_vec();
    let (from, to) = (b"connect-src 'none'", b"connect-src 'self'");
    if let Some(at) = page.windows(from.len()).position(|w| w == from) {
        page[at..at + to.len()].copy_from_slice(to);
    }
    let tag = b"<script src=\"/__gazetteer/livereload.js\"></script>";
    let at = page
        .windows(7)
        .rposition(|w| w == b"</body>")
        .expect("a page ends its body");
    page.splice(at..at, tag.iter().copied());
    page
}

#[test]
fn serve_answers_a_burst_of_concurrent_requests() {
    let site = project_site();
    let root = site.path();
    // The same site built to disk: what serve sends, but for the reload script.
    let out = gazetteer(root, &["build"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let public = root.join("public");
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&public)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&public).unwrap();
            let url = format!("/{}", rel.to_str().unwrap().replace('\\', "/"));
            let bytes = std::fs::read(e.path()).unwrap();
            let bytes = if url.ends_with(".html") {
                as_served(&bytes)
            } else {
                bytes
            };
            (url, bytes)
        })
        .collect();
    // Pages, the stylesheet, the search scripts; the 404 page is served with 404.
    files.retain(|(url, _)| url != "/404.html");
    assert!(files.len() >= 50, "{} files", files.len());
    let server = start(root);

    const THREADS: usize = 50;
    const EACH: usize = 4;
    let files = Arc::new(files);
    let barrier = Arc::new(Barrier::new(THREADS));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (files, barrier, failures) = (
                Arc::clone(&files),
                Arc::clone(&barrier),
                Arc::clone(&failures),
            );
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                barrier.wait();
                for k in 0..EACH {
                    // Spread over the files, several threads on each.
                    let (url, expected) = &files[(t * EACH + k) * 7 % files.len()];
                    // The index.html of a folder is asked for by the folder.
                    let target = match url.strip_suffix("index.html") {
                        Some(dir) if k % 2 == 0 => dir.to_string(),
                        _ => url.clone(),
                    };
                    let (status, body) = get_bytes(&addr, &target);
                    if status != 200 || &body != expected {
                        failures.lock().unwrap().push(format!(
                            "GET {target}: {status}, {} bytes, expected 200 and {} bytes",
                            body.len(),
                            expected.len()
                        ));
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed:\n{}",
        failures.len(),
        THREADS * EACH,
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// In Chromium, under the pages' Content-Security-Policy

/// `$CHROME`, else chromium, chromium-browser or google-chrome on PATH.
fn find_chromium() -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let on_path = |name: &std::ffi::OsStr| {
        let candidate = Path::new(name);
        if candidate.components().count() > 1 {
            return executable(candidate).then(|| candidate.to_path_buf());
        }
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(name))
            .find(|p| executable(p))
    };
    if let Some(chrome) = std::env::var_os("CHROME").filter(|c| !c.is_empty()) {
        return Some(on_path(&chrome).unwrap_or_else(|| {
            panic!(
                "CHROME={} is not an executable file",
                chrome.to_string_lossy()
            )
        }));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| on_path(std::ffi::OsStr::new(name)))
}

/// What Chromium reported: console errors, CSP violations (and warnings
/// about the policy), exceptions, failed loads; and the WebSocket frames
/// the page received.
#[derive(Default)]
struct Seen {
    problems: Vec<String>,
    frames: usize,
}

fn record(seen: &Mutex<Seen>, event: &headless_chrome::protocol::cdp::types::Event) {
    use headless_chrome::protocol::cdp::types::Event;
    use headless_chrome::protocol::cdp::{Log, Runtime};
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    match event {
        Event::NetworkWebSocketFrameReceived(_) => seen.frames += 1,
        Event::NetworkLoadingFailed(e) if e.params.canceled != Some(true) => seen
            .problems
            .push(format!("failed load: {}", e.params.error_text)),
        Event::NetworkResponseReceived(e) if e.params.response.status >= 400 => {
            seen.problems.push(format!(
                "HTTP {}: {}",
                e.params.response.status, e.params.response.url
            ))
        }
        Event::RuntimeExceptionThrown(e) => seen
            .problems
            .push(format!("exception: {}", e.params.exception_details.text)),
        Event::RuntimeConsoleAPICalled(e)
            if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
        {
            seen.problems
                .push(format!("console.error: {:?}", e.params.args))
        }
        Event::LogEntryAdded(e)
            if e.params.entry.level == Log::LogEntryLevel::Error
                || e.params.entry.text.contains("Content Security Policy") =>
        {
            seen.problems.push(format!(
                "console ({:?}): {}",
                e.params.entry.level, e.params.entry.text
            ))
        }
        _ => {}
    }
}

#[test]
fn serve_reloads_and_shows_errors_in_chromium_under_the_csp() {
    use headless_chrome::protocol::cdp::{Log, Network};
    use headless_chrome::{Browser, LaunchOptions};

    let Some(chrome) = find_chromium() else {
        assert!(
            std::env::var("GAZETTEER_BROWSER_TESTS").as_deref() != Ok("require"),
            "GAZETTEER_BROWSER_TESTS=require but no Chromium was found: \
             set CHROME=/path/to/chromium or put chromium on PATH"
        );
        let _ = writeln!(
            std::io::stderr(),
            "serve_reloads_and_shows_errors_in_chromium_under_the_csp: skipped: no Chromium found"
        );
        return;
    };
    let site = project_site();
    let root = site.path();
    let server = start(root);
    let page = format!("http://{}/zh/articles/neixiang-2020-11-17/", server.addr);

    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::new(LaunchOptions {
        path: Some(chrome),
        headless: true,
        sandbox: false,
        user_data_dir: Some(profile.path().to_path_buf()),
        idle_browser_timeout: Duration::from_secs(120),
        ..LaunchOptions::default()
    })
    .expect("Chromium starts");
    let tab = browser.new_tab().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sink = Arc::clone(&seen);
    tab.add_event_listener(Arc::new(move |e: &_| record(&sink, e)))
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
    tab.call_method(Log::Enable(None)).unwrap();

    let frames = || seen.lock().unwrap().frames;
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; reported: {:?}",
                seen.lock().unwrap().problems
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let eval = |js: &str| -> serde_json::Value {
        tab.evaluate(js, false)
            .ok()
            .and_then(|o| o.value)
            .unwrap_or(serde_json::Value::Null)
    };
    // A mark that a reload clears.
    let mark = || eval("window.__stay = 1; true");
    let reloaded_with = |text: &str| {
        eval(&format!(
            "!window.__stay && document.body.innerText.includes({text:?})"
        )) == true
    };

    tab.navigate_to(&page).unwrap();
    tab.wait_until_navigated().unwrap();
    // The reload script's WebSocket connects and gets the server's status.
    wait("the live-reload WebSocket", &|| frames() >= 1);
    let csp =
        eval("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content");
    assert!(
        csp.as_str()
            .is_some_and(|c| c.contains("connect-src 'self'")),
        "{csp}"
    );

    // An edit reloads the open page.
    let content = root.join("content/neixiang-2020-11-17.md");
    let original = std::fs::read_to_string(&content).unwrap();
    mark();
    let before = frames();
    std::fs::write(&content, original.replace("历史悠久", "历史十分悠久")).unwrap();
    wait("the page to reload with the edit", &|| {
        reloaded_with("历史十分悠久")
    });
    wait("the reloaded page's WebSocket", &|| frames() > before + 1);

    // Broken front matter: the error shows over the page, styled.
    std::fs::write(&content, original.replacen("title: ", "title: [", 1)).unwrap();
    wait("the error overlay", &|| {
        eval(
            "(() => { const o = document.getElementById('gazetteer-error'); \
             return !!o && o.textContent.includes('neixiang-2020-11-17.md') \
             && getComputedStyle(o).position === 'fixed'; })()",
        ) == true
    });

    // Fixed: the overlay goes and the page reloads.
    mark();
    std::fs::write(&content, &original).unwrap();
    wait("the page to reload after the fix", &|| {
        reloaded_with("历史悠久") && eval("!document.getElementById('gazetteer-error')") == true
    });

    let problems = std::mem::take(&mut seen.lock().unwrap().problems);
    assert!(
        problems.is_empty(),
        "Chromium reported problems under serve:\n{}",
        problems.join("\n")
    );

    // The policy still holds in serve: a connection anywhere but this
    // server is refused, and the refusal is reported (so the check above
    // would have seen one of the reload script's).
    eval("try { new WebSocket('ws://127.0.0.1:9/elsewhere'); } catch (e) {} true");
    wait("the refused connection to be reported", &|| {
        seen.lock()
            .unwrap()
            .problems
            .iter()
            .any(|p| p.contains("Content Security Policy") && p.contains("127.0.0.1:9"))
    });
}
