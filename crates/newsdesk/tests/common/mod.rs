//! Helpers shared by the CLI tests: the real `newsdesk` binary on a temporary data directory,
//! and a tiny HTTP/1.1 server on 127.0.0.1 (port 0) to point it at.
//!
//! Each test binary uses a different subset, hence `dead_code` is allowed here.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use newsdesk_store::{ArticleFilter, Store};

/// The binary on `data`, with the environment's database URL and configuration file removed.
pub fn bin(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    c.arg("--data-dir").arg(data);
    c.env_remove("NEWSDESK_DATABASE_URL")
        .env_remove("NEWSDESK_CONFIG");
    c
}

/// Runs `c` and asserts it succeeded, printing its output if not.
pub fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}\n{}",
        c,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A single-threaded runtime for the store checks.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// How many articles `data` holds, and its feeds.
pub async fn count_articles(data: &Path) -> (usize, Vec<newsdesk_store::Feed>) {
    let store = newsdesk_store::SqliteStore::open(data).await.unwrap();
    let mut cursor = None;
    let mut n = 0;
    loop {
        let page = store
            .list_articles(&ArticleFilter::default(), cursor, 1000)
            .await
            .unwrap();
        n += page.articles.len();
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    (n, store.list_feeds().await.unwrap())
}

/// One canned response: content type, body, ETag.
#[derive(Clone)]
pub struct Resource {
    content_type: String,
    body: Vec<u8>,
    etag: Option<String>,
}

/// A handler that writes the whole response itself (hostile servers: bombs, trickles, odd
/// statuses). It gets the request head and the connection.
pub type Handler = Arc<dyn Fn(&str, &mut TcpStream) + Send + Sync>;

#[derive(Clone)]
enum Route {
    Resource(Resource),
    Handler(Handler),
}

/// A tiny HTTP/1.1 server: serves routes by path; honours `If-None-Match`; counts requests
/// (in all and per path) and 304s. One thread per connection, `Connection: close`.
#[derive(Clone)]
pub struct Server {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    /// Requests received (connections that sent anything or nothing).
    pub requests: Arc<AtomicUsize>,
    /// 304 answers given.
    pub not_modified: Arc<AtomicUsize>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Server {
    /// Binds 127.0.0.1:0 and serves in the background.
    pub fn start() -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server {
            addr: listener.local_addr().unwrap().to_string(),
            routes: Arc::default(),
            requests: Arc::default(),
            not_modified: Arc::default(),
            hits: Arc::default(),
        };
        let s = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || s.answer(stream));
            }
        });
        server
    }

    fn answer(&self, mut stream: TcpStream) {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let head = String::from_utf8_lossy(&buf).into_owned();
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        *self.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let inm = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("If-None-Match: ")
                    .or(l.strip_prefix("if-none-match: "))
            })
            .map(str::to_string);
        let route = self.routes.lock().unwrap().get(&path).cloned();
        let _ = match route {
            None => write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            Some(Route::Handler(h)) => {
                h(&head, &mut stream);
                Ok(())
            }
            Some(Route::Resource(r)) if r.etag.is_some() && inm == r.etag => {
                self.not_modified.fetch_add(1, Ordering::SeqCst);
                write!(
                    stream,
                    "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nConnection: close\r\n\r\n",
                    r.etag.unwrap()
                )
            }
            Some(Route::Resource(r)) => {
                let etag = r.etag.map(|e| format!("ETag: {e}\r\n")).unwrap_or_default();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n{etag}Connection: close\r\n\r\n",
                    r.content_type,
                    r.body.len()
                );
                stream.write_all(&r.body)
            }
        };
    }

    /// Serves `body` at `path` with 200 (or 304 when `etag` matches `If-None-Match`).
    pub fn put(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
        etag: Option<&str>,
    ) {
        self.routes.lock().unwrap().insert(
            path.to_string(),
            Route::Resource(Resource {
                content_type: content_type.into(),
                body: body.into(),
                etag: etag.map(str::to_string),
            }),
        );
    }

    /// Answers `path` with `handler`, which writes the whole response.
    pub fn handle(
        &self,
        path: &str,
        handler: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static,
    ) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), Route::Handler(Arc::new(handler)));
    }

    /// Answers `path` with `status`, extra header lines and an empty body.
    pub fn status(&self, path: &str, status: &str, headers: &[(&str, &str)]) {
        let extra: String = headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        let status = status.to_string();
        self.handle(path, move |_, s| {
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
            );
        });
    }

    /// Answers `path` with a 302 to `location`.
    pub fn redirect(&self, path: &str, location: &str) {
        self.status(path, "302 Found", &[("Location", location)]);
    }

    /// Requests received for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// `GET path` over a fresh HTTP/1.1 connection to a test server: status and body.
pub fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// `GET path` that must answer 200 with JSON.
pub fn json(addr: &str, path: &str) -> serde_json::Value {
    let (status, body) = get(addr, path);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("{e}: {body}"))
}
