//! `newsdesk migrate-data`: an embedded install (articles from `add`, a feed polled from a local
//! HTTP server, prices) copied into a fresh PostgreSQL database, verified, and served from there
//! with the same articles, pages and search results. Needs `NEWSDESK_TEST_DATABASE_URL` (an admin
//! URL); without it the test returns at once with a note. The database is created and dropped
//! here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::str::FromStr;

use sqlx::{AssertSqlSafe, Connection};

use common::{get, json};

const PG_URL_VAR: &str = "NEWSDESK_TEST_DATABASE_URL";

fn newsdesk() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    c.env_remove("NEWSDESK_DATABASE_URL")
        .env_remove("NEWSDESK_DATA_DIR")
        .env_remove("NEWSDESK_CONFIG");
    c
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A fresh database on the test server, dropped when this is dropped.
struct TestDb {
    admin: String,
    name: String,
    url: String,
}

impl TestDb {
    fn create(admin: &str, prefix: &str) -> TestDb {
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_micros()
                % 1_000_000_000
        );
        block_on(async {
            let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut c)
                .await
                .unwrap();
        });
        let options = sqlx::postgres::PgConnectOptions::from_str(admin).unwrap();
        let url = format!(
            "postgres://{}@{}:{}/{name}",
            options.get_username(),
            options.get_host(),
            options.get_port()
        );
        TestDb {
            admin: admin.to_string(),
            name,
            url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        block_on(async move {
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut c)
                .await;
            }
        });
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Serves one RSS document at `/rss` forever (a thread per connection).
fn feed_server(body: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let body = body.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    addr
}

const PARA: &str = "The central bank held its policy rate steady on Thursday and said it would keep watching inflation data closely before its next meeting, while markets priced a cut next year.";

fn page(n: usize, word: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>Story {n}</title>
<link rel="canonical" href="https://news.example/story-{n}">
<meta property="article:published_time" content="2026-11-2{n}T09:00:00Z"></head>
<body><article><h1>Story {n} about {word}</h1><p>{word} {PARA}</p><p>{PARA}</p><p>{PARA}</p></article></body></html>"#
    )
}

fn rss() -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title><link>https://wire.example/</link>"#,
    );
    for i in 0..4 {
        s.push_str(&format!(
            "<item><guid>wire-{i}</guid><link>https://wire.example/item/{i}</link><title>Wire item {i} on copper</title><pubDate>Sun, 29 Nov 2026 1{i}:00:00 +0000</pubDate><content:encoded><![CDATA[<p>copper {PARA}</p><p>{PARA}</p><p>{PARA}</p>]]></content:encoded></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// `serve --no-ingest` on port 0; returns the child and its address.
fn serve(backend: &[&str]) -> (Child, String) {
    let mut child = newsdesk()
        .args(backend)
        .args(["serve", "--no-ingest", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("serve printed nothing").unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    (child, addr)
}

fn ids(v: &serde_json::Value, key: &str) -> Vec<i64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

/// The `TABLE  SQLITE ROWS  PG ROWS ...` lines of the report: (table, sqlite rows, pg rows).
fn report_rows(stdout: &str) -> Vec<(String, u64, u64)> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("TABLE"))
        .skip(1)
        .take_while(|l| l.ends_with(" ok") || l.ends_with("MISMATCH"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect()
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[cfg(unix)]
#[test]
fn embedded_install_moves_to_postgres_verified_and_serves_the_same() {
    let Ok(admin) = std::env::var(PG_URL_VAR) else {
        eprintln!("{PG_URL_VAR} is not set: migrate-data test not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap().to_string();

    // The embedded install: three pages, a polled feed, prices.
    let pages = dir.path().join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    for (n, word) in [(1, "zinc"), (2, "tariffs"), (3, "zinc")] {
        std::fs::write(pages.join(format!("story-{n}.html")), page(n, word)).unwrap();
    }
    ok(newsdesk()
        .args(["--data-dir", &data_arg, "add"])
        .arg(&pages)
        .output()
        .unwrap());
    let feed = feed_server(rss());
    ok(newsdesk()
        .args(["--data-dir", &data_arg, "feeds", "add"])
        .arg(format!("http://{feed}/rss"))
        .args(["--full-text", "never"])
        .output()
        .unwrap());
    ok(newsdesk()
        .args([
            "--data-dir",
            &data_arg,
            "feeds",
            "refresh",
            "--allow-host",
            &feed,
        ])
        .output()
        .unwrap());
    let prices = dir.path().join("spx.csv");
    std::fs::write(
        &prices,
        "Date,Open,High,Low,Close,Volume\n2026-11-23,100,101,99,100.5,10\n2026-11-24,100.5,102,100,101.25,12\n2026-11-25,101,103,100,102.75,9\n",
    )
    .unwrap();
    ok(newsdesk()
        .args([
            "--data-dir",
            &data_arg,
            "prices",
            "import",
            "--symbol",
            "SPX",
        ])
        .arg(&prices)
        .output()
        .unwrap());
    let fix = dir.path().join("spx-fix.csv");
    std::fs::write(&fix, "Date,Close\n2026-11-24,101.5\n").unwrap();
    ok(newsdesk()
        .args([
            "--data-dir",
            &data_arg,
            "prices",
            "import",
            "--symbol",
            "SPX",
        ])
        .arg(&fix)
        .output()
        .unwrap());

    // A source directory that is not an install is refused without touching anything.
    let db = TestDb::create(&admin, "newsdesk_migrate");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = newsdesk()
        .args(["migrate-data", "--to", &db.url])
        .arg(format!("--from=sqlite://{}", empty.display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not an embedded newsdesk data directory")
    );

    let migrate = |extra: &[&str]| {
        newsdesk()
            .args(["migrate-data", "--from"])
            .arg(format!("sqlite://{data_arg}"))
            .args(["--to", &db.url])
            .args(extra)
            .output()
            .unwrap()
    };
    let stdout = ok(migrate(&[]));
    assert!(
        stdout.contains("migrate-data: every table matches"),
        "{stdout}"
    );
    let rows = report_rows(&stdout);
    assert_eq!(rows.len(), 16, "{stdout}");
    for (table, lite, pg) in &rows {
        assert_eq!(lite, pg, "{table}: {stdout}");
    }
    let count = |t: &str| rows.iter().find(|r| r.0 == t).unwrap().1;
    assert_eq!(count("articles"), 7, "{stdout}");
    assert_eq!(count("feed_items"), 4);
    assert_eq!(count("feeds"), 1);
    assert_eq!(count("price_bars"), 3);
    assert_eq!(count("price_corrections"), 1);
    assert!(count("article_revisions") >= 7 && count("changes") >= 7);
    assert!(stdout.contains("search index: 7 documents"), "{stdout}");

    // A second run finds data in the target and refuses; --replace copies again.
    let again = migrate(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds data"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let stdout = ok(migrate(&["--replace"]));
    assert!(stdout.contains("every table matches"), "{stdout}");

    // Both installs serve the same articles, pages and search results.
    let (lite, lite_addr) = serve(&["--data-dir", &data_arg]);
    let pg_data = dir.path().join("pg-data");
    let (post, pg_addr) = serve(&[
        "--data-dir",
        pg_data.to_str().unwrap(),
        "--database-url",
        &db.url,
    ]);
    let list_lite = json(&lite_addr, "/api/v1/articles?limit=100");
    let list_pg = json(&pg_addr, "/api/v1/articles?limit=100");
    assert_eq!(list_lite["articles"], list_pg["articles"]);
    let all = ids(&list_pg, "articles");
    assert_eq!(all.len(), 7);
    for id in &all {
        let (s1, a) = get(&lite_addr, &format!("/api/v1/articles/{id}"));
        let (s2, b) = get(&pg_addr, &format!("/api/v1/articles/{id}"));
        assert_eq!((s1, s2), (200, 200));
        assert_eq!(a, b, "article {id}");
        let (s1, a) = get(&lite_addr, &format!("/news/{id}"));
        let (s2, b) = get(&pg_addr, &format!("/news/{id}"));
        assert_eq!((s1, s2), (200, 200));
        assert_eq!(a, b, "page of article {id}");
    }
    for (q, n) in [("zinc", 2), ("copper", 4), ("tariffs", 1)] {
        let mut a = ids(
            &json(&lite_addr, &format!("/api/v1/search?q={q}")),
            "results",
        );
        let mut b = ids(&json(&pg_addr, &format!("/api/v1/search?q={q}")), "results");
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a.len(), n, "{q}");
        assert_eq!(a, b, "search {q}");
    }
    stop(lite);
    stop(post);

    // New rows in PostgreSQL get ids after the copied ones (sequences were moved).
    let page4 = dir.path().join("story-4.html");
    std::fs::write(&page4, page(4, "gold")).unwrap();
    let out = ok(newsdesk()
        .args([
            "--data-dir",
            pg_data.to_str().unwrap(),
            "--database-url",
            &db.url,
            "add",
        ])
        .arg(&page4)
        .output()
        .unwrap());
    assert!(out.contains('1'), "{out}");
    let max_copied = all.iter().max().copied().unwrap();
    let new_id: i64 = block_on(async {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_scalar("SELECT MAX(id) FROM articles")
            .fetch_one(&mut c)
            .await
            .unwrap()
    });
    assert_eq!(new_id, max_copied + 1);
}
