//! `gazetteer serve` as a person uses it: edit a file and the open page
//! reloads; break a file and the error shows while the last good pages stay
//! served; fix it and everything recovers without a restart.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::project_site;

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
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
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
