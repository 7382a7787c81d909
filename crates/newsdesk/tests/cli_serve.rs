//! `newsdesk serve` as a user runs it: the real binary, port 0, the demo corpus, SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::get;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn start(data: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("NEWSDESK_DATABASE_URL")
        .env_remove("NEWSDESK_CONFIG")
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

fn stop(mut child: Child) {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "serve exited with {status} after SIGTERM");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn api_count(addr: &str) -> usize {
    let mut n = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/articles?limit=100&cursor={c}"),
            None => "/api/v1/articles?limit=100".to_string(),
        };
        let (status, body) = get(addr, &path);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value =
            serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("{e}: {body}"));
        n += v["articles"].as_array().unwrap().len();
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return n,
        }
    }
}

/// Every AAPL chip of the demo has the move the bundled file gives: `from` the last close at or
/// before publication, `to` the close 5 sessions later (the stories are old), computed here from
/// the CSV rows with the session close at 16:00 New York.
fn aapl_chips_move_by_the_bundled_closes(addr: &str) {
    use std::io::Read as _;
    let gz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/prices/aapl.us.txt.gz"
    ))
    .unwrap();
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut csv)
        .unwrap();
    let ny = jiff::tz::TimeZone::get("America/New_York").unwrap();
    // (session close instant, close as written) per row.
    let rows: Vec<(jiff::Timestamp, f64)> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let date: jiff::civil::Date = f[0].parse().unwrap();
            let close = ny.to_timestamp(date.at(16, 0, 0, 0)).unwrap();
            (close, f[4].parse().unwrap())
        })
        .collect();
    let (status, body) = get(addr, "/api/v1/articles?instrument=AAPL&limit=100");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    let mut checked = 0;
    for a in v["articles"].as_array().unwrap() {
        let published: jiff::Timestamp = a["published"]["at"].as_str().unwrap().parse().unwrap();
        let chip = a["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["symbol"] == "AAPL")
            .unwrap_or_else(|| panic!("no AAPL chip: {a}"));
        let m = &chip["move"];
        let p = rows.partition_point(|r| r.0 <= published) - 1;
        let (from, to) = (rows[p], rows[p + 5]);
        let price = |x: &serde_json::Value| x.as_str().unwrap().parse::<f64>().unwrap();
        let at = |x: &serde_json::Value| x.as_str().unwrap().parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            (at(&m["from"]["at"]), price(&m["from"]["price"])),
            from,
            "{chip}"
        );
        assert_eq!((at(&m["to"]["at"]), price(&m["to"]["price"])), to, "{chip}");
        let expected = (to.1 - from.1) / from.1 * 100.0;
        let shown = price(&m["change_percent"]);
        assert!(
            (shown - expected).abs() <= 0.005 + 1e-9,
            "{expected}: {chip}"
        );
        let source = m["source"].as_str().unwrap();
        assert!(
            source.contains("Huge Stock Market Dataset") && source.contains("CC0"),
            "{chip}"
        );
        assert_eq!(m["as_of"], "2017-11-10T21:00:00Z", "{chip}");
        assert!(m["abnormal_percent"].is_null(), "{chip}");
        assert_eq!(m["abnormal_reason"], "no benchmark for this instrument");
        checked += 1;
    }
    // The demo links AAPL 28 times, every time in a story published before the data ends.
    assert_eq!(checked, 28);
}

#[cfg(unix)]
#[test]
fn demo_site_is_populated_idempotent_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, addr) = start(&data, &["--demo"]);
    let (status, body) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(body.matches("href=\"/news/").count() >= 20, "{body}");
    assert_eq!(api_count(&addr), 300);
    let (status, body) = get(&addr, "/search?q=tariffs+steel");
    assert_eq!(status, 200);
    assert!(body.contains("<mark>"), "{body}");
    let (status, body) = get(&addr, "/about");
    assert_eq!(status, 200);
    assert!(
        body.contains("Wikinews") && body.contains("CC BY 2.5"),
        "{body}"
    );
    let (status, _) = get(&addr, "/healthz");
    assert_eq!(status, 200);
    aapl_chips_move_by_the_bundled_closes(&addr);
    stop(child);

    // Loading the demo again adds nothing; without --demo the data stays.
    let (child, addr) = start(&data, &["--demo"]);
    assert_eq!(api_count(&addr), 300);
    let (_, metrics) = get(&addr, "/metrics");
    assert!(metrics.contains("# TYPE"), "{metrics}");
    stop(child);
    let (child, addr) = start(&data, &[]);
    assert_eq!(api_count(&addr), 300);
    stop(child);
    // No story was revised by the reloads.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use newsdesk_store::Store;
        let store = newsdesk_store::SqliteStore::open(&data).await.unwrap();
        let page = store
            .list_articles(&newsdesk_store::ArticleFilter::default(), None, 1000)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 300);
        assert!(
            page.articles
                .iter()
                .all(|a| a.revision == 1 && a.updated.is_none())
        );
    });
}
