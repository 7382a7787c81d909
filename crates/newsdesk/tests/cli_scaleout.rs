//! Scale-out on PostgreSQL with real processes: two `serve --no-ingest` web nodes and two
//! `worker`s on one database, 100 feeds × 20 items from a local HTTP server. One worker is
//! SIGKILLed while items are being stored and a replacement is started; at the end every item
//! is stored exactly once, and both web nodes serve identical article pages, lists and search
//! results. Needs `NEWSDESK_TEST_DATABASE_URL` (an admin URL; the test creates and drops its own
//! database); without it the test returns at once with a note.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection};

use common::{get, json};

const PG_URL_VAR: &str = "NEWSDESK_TEST_DATABASE_URL";
const FEEDS: usize = 100;
const ITEMS: usize = 20;
/// Each feed response is held this long, so the run lasts long enough to kill a worker in it.
const FEED_DELAY: Duration = Duration::from_millis(150);

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

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A fresh database on the test server, dropped (with its connections) when this is dropped.
struct TestDb {
    admin: String,
    name: String,
    url: String,
}

impl TestDb {
    fn create(admin: &str) -> TestDb {
        let name = format!(
            "newsdesk_scaleout_{}_{}",
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
        let o = sqlx::postgres::PgConnectOptions::from_str(admin).unwrap();
        let url = format!(
            "postgres://{}@{}:{}/{name}",
            o.get_username(),
            o.get_host(),
            o.get_port()
        );
        TestDb {
            admin: admin.to_string(),
            name,
            url,
        }
    }

    fn scalar(&self, sql: &str) -> i64 {
        let sql = sql.to_string();
        block_on(async {
            let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
            let v: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
            v
        })
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

/// Kills the processes still running when the test ends, pass or fail.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

const PARA: &str = "The central bank held its policy rate steady on Thursday and said it would keep watching inflation data closely before its next meeting, while markets priced a cut next year.";

fn feed_xml(f: usize) -> String {
    let mut s = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire {f}</title><link>https://wire{f}.example/</link>"#
    );
    for i in 0..ITEMS {
        s.push_str(&format!(
            "<item><guid>wire{f}-{i}</guid><link>https://wire{f}.example/item/{i}</link><title>Copper report {i} from desk{f}</title><pubDate>Sun, 29 Nov 2026 10:{i:02}:00 +0000</pubDate><content:encoded><![CDATA[<p>copper desk{f} {PARA}</p><p>{PARA}</p><p>{PARA}</p>]]></content:encoded></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// Serves `/feed/N` for N < FEEDS, each after `FEED_DELAY`.
fn feed_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let feed = path
                    .strip_prefix("/feed/")
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| *n < FEEDS);
                std::thread::sleep(FEED_DELAY);
                let _ = match feed {
                    Some(f) => {
                        let body = feed_xml(f);
                        write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                    }
                    None => write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    ),
                };
            });
        }
    });
    addr
}

fn serve(db: &TestDb, data: &str) -> (Child, String) {
    let mut child = newsdesk()
        .args(["--data-dir", data, "--database-url", &db.url])
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

fn worker(db: &TestDb, data: &str, feeds: &str) -> Child {
    newsdesk()
        .args(["--data-dir", data, "--database-url", &db.url])
        .args([
            "worker",
            "--workers",
            "4",
            "--lease",
            "3",
            "--allow-host",
            feeds,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, deadline: Instant, mut done: impl FnMut() -> bool) {
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn two_web_nodes_and_two_workers_one_killed_store_every_item_once() {
    let Ok(admin) = std::env::var(PG_URL_VAR) else {
        eprintln!("{PG_URL_VAR} is not set: scale-out test not run");
        return;
    };
    let started = Instant::now();
    let db = TestDb::create(&admin);
    let dir = tempfile::tempdir().unwrap();
    let data = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let feeds = feed_server();

    // Subscribe to the 100 feeds in one go (OPML), migrating the database on the way.
    let mut opml = String::from(
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>"#,
    );
    for f in 0..FEEDS {
        opml.push_str(&format!(
            r#"<outline type="rss" text="wire {f}" xmlUrl="http://{feeds}/feed/{f}"/>"#
        ));
    }
    opml.push_str("</body></opml>");
    let opml_file = dir.path().join("feeds.opml");
    std::fs::write(&opml_file, opml).unwrap();
    let out = ok(newsdesk()
        .args(["--data-dir", &data("admin"), "--database-url", &db.url])
        .args(["feeds", "import"])
        .arg(&opml_file)
        .output()
        .unwrap());
    assert!(out.contains(&format!("imported {FEEDS} feeds")), "{out}");

    let mut procs = Procs(Vec::new());
    let (web1, addr1) = serve(&db, &data("web1"));
    procs.0.push(web1);
    let (web2, addr2) = serve(&db, &data("web2"));
    procs.0.push(web2);
    let mut victim = worker(&db, &data("worker1"), &feeds);
    procs.0.push(worker(&db, &data("worker2"), &feeds));

    // Kill the first worker once some items are stored but far from all.
    let total = (FEEDS * ITEMS) as i64;
    let deadline = Instant::now() + Duration::from_secs(60);
    wait_for("the first items", deadline, || {
        db.scalar("SELECT COUNT(*) FROM feed_items") >= 100
    });
    victim.kill().unwrap();
    victim.wait().unwrap();
    let at_kill = db.scalar("SELECT COUNT(*) FROM feed_items");
    assert!(
        at_kill < total,
        "the run was over before the kill ({at_kill} items)"
    );
    // A replacement joins; the survivors take the dead worker's jobs over when its leases run
    // out.
    procs.0.push(worker(&db, &data("worker3"), &feeds));

    wait_for("every item", deadline, || {
        db.scalar("SELECT COUNT(*) FROM feed_items") == total
            && db.scalar("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')") == 0
    });
    // Exactly once: one key row per item, one article per item, 20 per feed.
    assert_eq!(db.scalar("SELECT COUNT(*) FROM feed_items"), total);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM articles"), total);
    assert_eq!(
        db.scalar("SELECT COUNT(DISTINCT article_id) FROM feed_items"),
        total
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM article_revisions"),
        total,
        "no item was stored as a second revision"
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT feed_id FROM feed_items GROUP BY feed_id \
             HAVING COUNT(*) <> {ITEMS}) t"
        )),
        0
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'failed'"),
        0
    );

    // Both web nodes see everything (their pollers are woken by NOTIFY), and agree.
    let deadline = Instant::now() + Duration::from_secs(30);
    for addr in [&addr1, &addr2] {
        wait_for("search to cover every item", deadline, || {
            json(addr, "/api/v1/search?q=copper&limit=1")["total"].as_i64() == Some(total)
        });
    }
    // Stories are filed by whichever process catches up first; every node must then drop its
    // cached pages whose "Also reported by" changed.
    wait_for("every article to be filed into a story", deadline, || {
        db.scalar("SELECT seq FROM story_cursor") == db.scalar("SELECT MAX(seq) FROM changes")
    });
    let list1 = json(&addr1, "/api/v1/articles?limit=100");
    let list2 = json(&addr2, "/api/v1/articles?limit=100");
    assert_eq!(list1["articles"], list2["articles"]);
    let ids: Vec<i64> = list1["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 100);
    let max_id = db.scalar("SELECT MAX(id) FROM articles");
    let sample: Vec<i64> = ids
        .iter()
        .step_by(10)
        .copied()
        .chain([1, max_id / 2, max_id])
        .collect();
    for id in sample {
        // The filing's NOTIFY wakes both pollers, which drop the pages it changed: the nodes
        // agree within a poll (a page cached before the filing may be served until then).
        let agree_by = Instant::now() + Duration::from_secs(5);
        let (s1, p1, s2, p2) = loop {
            let (s1, p1) = get(&addr1, &format!("/news/{id}"));
            let (s2, p2) = get(&addr2, &format!("/news/{id}"));
            if p1 == p2 || Instant::now() > agree_by {
                break (s1, p1, s2, p2);
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!((s1, s2), (200, 200), "article {id}");
        assert_eq!(p1, p2, "page of article {id} differs between the web nodes");
    }
    for q in ["copper", "desk7", "desk42", "report"] {
        let path = format!("/api/v1/search?q={q}&limit=50");
        let a = json(&addr1, &path);
        let b = json(&addr2, &path);
        assert_eq!(a, b, "search {q} differs between the web nodes");
        assert!(a["total"].as_i64().unwrap() >= ITEMS as i64, "{q}: {a}");
    }
    assert_eq!(
        json(&addr1, "/api/v1/search?q=desk7&limit=50")["total"].as_i64(),
        Some(ITEMS as i64)
    );
    drop(procs);
    eprintln!(
        "scale-out run: {total} items, worker killed at {at_kill}, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
