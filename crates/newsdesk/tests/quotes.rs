//! Live quotes against a real HTTP server on 127.0.0.1 (port 0) and a real SQLite store: good
//! quotes become price ticks; malformed JSON, HTTP 500, float-looking prices, stale or foreign
//! quotes store nothing and say why; the poller runs from the configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::civil::time;
use jiff::{SignedDuration, Timestamp};
use newsdesk::quotes::{HttpQuotes, QuotesConfig, poll_quotes};
use newsdesk_store::{Instrument, SqliteStore, Store};

/// Answers every request with the current (status, body) and remembers the request paths.
#[derive(Clone, Default)]
struct Server {
    addr: String,
    reply: Arc<Mutex<(u16, String)>>,
    paths: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server {
            addr: listener.local_addr().unwrap().to_string(),
            ..Server::default()
        };
        let s = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                s.paths.lock().unwrap().push(path);
                let (status, body) = s.reply.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        server
    }

    fn answer(&self, status: u16, body: &str) {
        *self.reply.lock().unwrap() = (status, body.to_string());
    }

    fn url(&self) -> String {
        format!("http://{}/v1/quotes?symbols={{symbols}}", self.addr)
    }
}

fn fetcher() -> newsdesk_fetch::Fetcher {
    newsdesk_fetch::Fetcher::new(newsdesk_fetch::FetchConfig {
        allow_hosts: vec!["127.0.0.1".into()],
        total_timeout_secs: 5,
        ..newsdesk_fetch::FetchConfig::default()
    })
    .unwrap()
}

async fn store_with_instruments(dir: &std::path::Path) -> Arc<SqliteStore> {
    let store = Arc::new(SqliteStore::open(dir).await.unwrap());
    for (symbol, currency, tz) in [
        ("AAPL", "USD", "America/New_York"),
        ("JP225", "pts", "Asia/Tokyo"),
    ] {
        store
            .upsert_instrument(&Instrument {
                symbol: symbol.into(),
                name: symbol.into(),
                kind: "index".into(),
                currency: currency.into(),
                exchange_tz: tz.into(),
                session_close: time(16, 0, 0, 0),
                benchmark_symbol: None,
            })
            .await
            .unwrap();
    }
    store
}

/// Whole seconds before `now` (the Tokyo string below is written to the second).
fn ago(now: Timestamp, secs: i64) -> Timestamp {
    Timestamp::from_second(now.as_second() - secs).unwrap()
}

const HOUR: Duration = Duration::from_secs(3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_become_ticks_and_bad_answers_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_instruments(dir.path()).await;
    let server = Server::start();
    let provider = HttpQuotes::new(fetcher(), &server.url(), None).unwrap();
    let now = Timestamp::now();
    let t1 = ago(now, 60);
    let t2 = ago(now, 30);
    // Tokyo time with its zone annotation; a JSON number read from its text.
    let tokyo = format!(
        "{}+09:00[Asia/Tokyo]",
        jiff::tz::TimeZone::get("Asia/Tokyo")
            .unwrap()
            .to_datetime(t2)
            .strftime("%Y-%m-%dT%H:%M:%S")
    );
    server.answer(
        200,
        &format!(
            r#"{{"quotes": [
                {{"symbol": "AAPL", "price": "189.91", "currency": "USD", "as_of": "{t1}"}},
                {{"symbol": "JP225", "price": 38633.02, "currency": "JPY", "as_of": "{tokyo}"}}
            ]}}"#
        ),
    );
    let poll = poll_quotes(&provider, store.as_ref(), &[], HOUR, now)
        .await
        .unwrap();
    assert_eq!(poll.stored, 2, "{poll:?}");
    assert!(
        poll.refused.is_empty() && poll.failed.is_empty(),
        "{poll:?}"
    );
    assert_eq!(
        server.paths.lock().unwrap().last().unwrap(),
        "/v1/quotes?symbols=AAPL,JP225"
    );
    let aapl = store.last_tick("AAPL").await.unwrap().unwrap();
    assert_eq!(aapl.tick.close.to_string(), "189.91");
    assert_eq!(aapl.tick.at, t1);
    assert_eq!(aapl.source, "127.0.0.1");
    let jp = store.last_tick("JP225").await.unwrap().unwrap();
    assert_eq!(jp.tick.close.raw(), 3_863_302_000_000, "exactly 38633.02");
    assert_eq!(jp.tick.at, t2);
    let seq = store.last_price_change_seq().await.unwrap();
    assert!(seq > 0);
    // The same answer again: nothing new.
    let poll = poll_quotes(&provider, store.as_ref(), &[], HOUR, now)
        .await
        .unwrap();
    assert_eq!((poll.stored, poll.known), (0, 2));

    // Exactness: a float sum printed in full is refused, not rounded; 0.3 is exactly 0.3.
    let t3 = ago(now, 10);
    server.answer(
        200,
        &format!(
            r#"[{{"symbol": "AAPL", "price": 0.30000000000000004, "as_of": "{t3}"}},
                {{"symbol": "JP225", "price": 0.3, "as_of": "{t3}"}}]"#
        ),
    );
    let poll = poll_quotes(&provider, store.as_ref(), &[], HOUR, now)
        .await
        .unwrap();
    assert_eq!(poll.stored, 1);
    assert_eq!(poll.refused.len(), 1, "{poll:?}");
    assert!(
        poll.refused[0]
            .starts_with("entry 1 (AAPL): price \"0.30000000000000004\" is not an exact price"),
        "{}",
        poll.refused[0]
    );
    assert_eq!(store.last_tick("AAPL").await.unwrap().unwrap().tick.at, t1);
    let jp = store.last_tick("JP225").await.unwrap().unwrap();
    assert_eq!(jp.tick.close.raw(), 30_000_000);

    // Stale, future, foreign currency, not asked for: refused, nothing stored.
    let seq = store.last_price_change_seq().await.unwrap();
    let stale = ago(now, 2 * 3600);
    let future = now.checked_add(SignedDuration::from_hours(1)).unwrap();
    server.answer(
        200,
        &format!(
            r#"{{"quotes": [
                {{"symbol": "AAPL", "price": "190", "as_of": "{stale}"}},
                {{"symbol": "JP225", "price": "1", "as_of": "{future}"}},
                {{"symbol": "AAPL", "price": "191", "currency": "EUR", "as_of": "{t3}"}},
                {{"symbol": "MSFT", "price": "400", "as_of": "{t3}"}}
            ]}}"#
        ),
    );
    let poll = poll_quotes(&provider, store.as_ref(), &[], HOUR, now)
        .await
        .unwrap();
    assert_eq!(poll.stored, 0);
    let reasons = poll.refused.join("\n");
    assert_eq!(poll.refused.len(), 4, "{reasons}");
    assert!(
        reasons.contains(&format!("AAPL: stale: as of {stale}, older than 3600 s")),
        "{reasons}"
    );
    assert!(reasons.contains("JP225: as of"), "{reasons}");
    assert!(
        reasons.contains("AAPL: currency EUR, but AAPL is priced in USD"),
        "{reasons}"
    );
    assert!(reasons.contains("MSFT: not asked for"), "{reasons}");
    assert_eq!(store.last_price_change_seq().await.unwrap(), seq);

    // Malformed JSON and HTTP 500: a clear error naming the URL; nothing stored.
    for (status, body, expect) in [
        (
            200,
            r#"{"quotes": [{"symbol": "AAPL", "#,
            "not the quote JSON",
        ),
        (500, r#"{"error": "down"}"#, "500"),
    ] {
        server.answer(status, body);
        let poll = poll_quotes(&provider, store.as_ref(), &[], HOUR, now)
            .await
            .unwrap();
        assert_eq!(poll.stored, 0);
        assert_eq!(poll.failed.len(), 1, "{poll:?}");
        let why = &poll.failed[0];
        assert!(why.contains(&server.addr), "{why}");
        assert!(why.contains(expect), "{why}");
        assert_eq!(store.last_price_change_seq().await.unwrap(), seq);
    }

    // Configured symbols instead of every instrument.
    server.answer(200, "[]");
    poll_quotes(&provider, store.as_ref(), &["JP225".into()], HOUR, now)
        .await
        .unwrap();
    assert_eq!(
        server.paths.lock().unwrap().last().unwrap(),
        "/v1/quotes?symbols=JP225"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poller_runs_only_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_instruments(dir.path()).await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut config = newsdesk::config::Config::default();
    assert!(
        newsdesk::quotes::spawn_if_configured(&config, store.clone(), stop_rx.clone())
            .unwrap()
            .is_none()
    );
    let server = Server::start();
    let at = ago(Timestamp::now(), 5);
    server.answer(
        200,
        &format!(r#"[{{"symbol": "AAPL", "price": "201.5", "as_of": "{at}"}}]"#),
    );
    config.fetch.allow_hosts = vec!["127.0.0.1".into()];
    config.quotes = QuotesConfig {
        url: Some(server.url()),
        interval_secs: 1,
        symbols: vec!["AAPL".into()],
        source: Some("local-quotes".into()),
        ..QuotesConfig::default()
    };
    let task = newsdesk::quotes::spawn_if_configured(&config, store.clone(), stop_rx)
        .unwrap()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let tick = loop {
        if let Some(t) = store.last_tick("AAPL").await.unwrap() {
            break t;
        }
        assert!(std::time::Instant::now() < deadline, "no quote stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(tick.tick.close.to_string(), "201.5");
    assert_eq!(tick.source, "local-quotes");
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    // A URL without the placeholder is a configuration error, not a silent no-op.
    config.quotes.url = Some(format!("http://{}/v1/quotes", server.addr));
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let err = newsdesk::quotes::spawn_if_configured(&config, store.clone(), rx).unwrap_err();
    assert!(err.to_string().contains("{symbols}"), "{err}");
}
