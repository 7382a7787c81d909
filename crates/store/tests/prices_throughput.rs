//! Ignored probe of `import_bars` speed on SQLite (the `prices import` target is 10 million bars
//! in 30 s with parsing): `cargo test --release -p newsdesk-store --test prices_throughput -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use jiff::civil::date;
use newsdesk_market::{Bar, Price};
use newsdesk_store::{SqliteStore, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a speed probe, not a test"]
async fn import_one_million_bars() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let start = date(1990, 1, 1);
    let days: Vec<_> = (0..10_000i64)
        .map(|i| start.checked_add(jiff::Span::new().days(i)).unwrap())
        .collect();
    let now = "2026-01-01T00:00:00Z".parse().unwrap();
    let t = Instant::now();
    let mut n = 0u64;
    for s in 0..100 {
        let bars: Vec<Bar> = days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let p = Price::from_raw(10_000_000_000 + (i as i64 * 7 + s) % 1000 * 1_000_000);
                Bar {
                    date: *d,
                    open: Some(p),
                    high: Some(p),
                    low: Some(p),
                    close: p,
                    adj_close: Some(p),
                    volume: Some(1000 + i as u64),
                }
            })
            .collect();
        n += store
            .import_bars(&format!("S{s:03}"), &bars, "bench", now, now)
            .await
            .unwrap()
            .inserted;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "import_bars (SQLite): {n} bars in {secs:.2} s = {:.0} bars/s",
        n as f64 / secs
    );
    assert_eq!(n, 1_000_000);
}
