//! All chips of a front page, the way a request computes them: 30 stories of the last month with
//! 1–3 instruments each (60 links over 45 instruments, two benchmarks), 10 years of daily bars per
//! instrument in a real SQLite store. Per page: `PriceBook::load` (every symbol's and
//! benchmark's prices since 400 days before the oldest story, from the process's `SeriesCache`)
//! and then `move_for` for every (story, instrument) pair. Timed three ways: warm (the cache
//! holds the prices, as for every page after the first since the last price change), cold (a
//! cache that keeps nothing, so instrument rows, bars and quotes are read from SQLite for every
//! page), and the computing alone. Issue target: all chips of a page ≤ 1 ms.
//!
//! `cargo run --release -p newsdesk-web --example bench_chips`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failure report

use std::collections::BTreeSet;
use std::time::Instant;

use jiff::civil::{Date, date, time};
use jiff::{SignedDuration, Timestamp};
use newsdesk_market::{Bar, Price};
use newsdesk_store::{Instrument, SqliteStore, Store};
use newsdesk_web::market::{HISTORY_DAYS, PriceBook, SeriesCache};

const STORIES: usize = 30;
const INSTRUMENTS: usize = 45;
const YEARS: i64 = 10;

fn weekdays(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        if d.weekday().to_monday_zero_offset() < 5 {
            out.push(d);
        }
        d = d.tomorrow().unwrap();
    }
    out
}

fn series(seed: u64, days: &[Date]) -> Vec<Bar> {
    let mut s = seed | 1;
    let mut price: i64 = 100_000_000 * 50;
    days.iter()
        .map(|d| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            price = (price + (s % 2_000_001) as i64 - 1_000_000).max(1_000_000);
            let p = Price::from_raw(price);
            Bar {
                date: *d,
                open: Some(p),
                high: Some(p),
                low: Some(p),
                close: p,
                adj_close: Some(p),
                volume: Some(1_000_000 + (s % 1000)),
            }
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let end = date(2026, 11, 27);
    let days = weekdays(
        end.checked_sub(jiff::Span::new().years(YEARS)).unwrap(),
        end,
    );
    let as_of: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
    let mut symbols = Vec::new();
    for (i, bench) in ["BENCH_US", "BENCH_EU"].iter().enumerate() {
        store
            .upsert_instrument(&instrument(bench, None, i))
            .await
            .unwrap();
        store
            .import_bars(bench, &series(7 + i as u64, &days), "bench", as_of, as_of)
            .await
            .unwrap();
    }
    for i in 0..INSTRUMENTS {
        let sym = format!("S{i:02}");
        let bench = if i % 3 == 0 { "BENCH_EU" } else { "BENCH_US" };
        store
            .upsert_instrument(&instrument(&sym, Some(bench), i % 2))
            .await
            .unwrap();
        store
            .import_bars(&sym, &series(100 + i as u64, &days), "bench", as_of, as_of)
            .await
            .unwrap();
        symbols.push(sym);
    }
    // 30 stories over the last month, 1-3 instruments each (60 links in all).
    let last_close: Timestamp = "2026-11-27T21:00:00Z".parse().unwrap();
    let stories: Vec<(Timestamp, Vec<String>)> = (0..STORIES)
        .map(|k| {
            let published = last_close - SignedDuration::from_hours((k * 23 + 5) as i64);
            let n = 1 + k % 3;
            let links = (0..n)
                .map(|j| symbols[(k * 3 + j * 7) % INSTRUMENTS].clone())
                .collect();
            (published, links)
        })
        .collect();
    let links: usize = stories.iter().map(|s| s.1.len()).sum();
    let oldest = stories.iter().map(|s| s.0).min().unwrap();
    let since = jiff::tz::TimeZone::UTC
        .to_datetime(oldest)
        .date()
        .checked_sub(jiff::Span::new().days(HISTORY_DAYS))
        .unwrap();
    let wanted: BTreeSet<String> = stories.iter().flat_map(|s| s.1.iter().cloned()).collect();
    let now = last_close + SignedDuration::from_hours(2);

    // (chips with a move, chips with an abnormal move too)
    let chips = |book: &PriceBook| {
        let (mut moves, mut abnormal) = (0, 0);
        for (published, links) in &stories {
            for s in links {
                if let Ok(m) = book.move_for(s, Some(*published), now) {
                    moves += 1;
                    abnormal += usize::from(m.abnormal.is_ok());
                }
            }
        }
        (moves, abnormal)
    };

    // Warm up (SQLite's page cache, the allocator, the series cache), then time whole pages.
    let cache = SeriesCache::new(1_000_000);
    let book = PriceBook::load(&store, &cache, wanted.clone(), Some(since))
        .await
        .unwrap();
    let (moves, abnormal) = chips(&book);
    assert_eq!(moves, links, "every chip has a move");
    // The newest stories' event window [0, +1] is not complete yet: no abnormal move for them.
    assert!(
        abnormal + 4 >= links,
        "{abnormal} of {links} chips have an abnormal move"
    );
    let rounds = 2_000;
    let t = Instant::now();
    for _ in 0..rounds {
        let book = PriceBook::load(&store, &cache, wanted.clone(), Some(since))
            .await
            .unwrap();
        std::hint::black_box(chips(&book));
    }
    let warm = t.elapsed().as_secs_f64() / f64::from(rounds);
    let nothing_kept = SeriesCache::new(0);
    let cold_rounds = 50;
    let t = Instant::now();
    for _ in 0..cold_rounds {
        let book = PriceBook::load(&store, &nothing_kept, wanted.clone(), Some(since))
            .await
            .unwrap();
        std::hint::black_box(chips(&book));
    }
    let cold = t.elapsed().as_secs_f64() / f64::from(cold_rounds);
    let t = Instant::now();
    let compute_rounds = 2_000;
    for _ in 0..compute_rounds {
        std::hint::black_box(chips(std::hint::black_box(&book)));
    }
    let compute = t.elapsed().as_secs_f64() / f64::from(compute_rounds);
    println!(
        "chips of a page ({STORIES} stories, {links} chips ({abnormal} with an abnormal move), {} instruments + 2 benchmarks, {} daily bars each in SQLite, {} needed per symbol): prices cached {:.0} µs a page (load + compute), prices read from SQLite {:.1} ms a page, compute only {:.0} µs a page ({:.1} µs a chip); target: all chips of a page ≤ 1 ms",
        wanted.len(),
        days.len(),
        days.iter().filter(|d| **d >= since).count(),
        warm * 1e6,
        cold * 1e3,
        compute * 1e6,
        compute * 1e6 / links as f64,
    );
}

fn instrument(symbol: &str, benchmark: Option<&str>, zone: usize) -> Instrument {
    let (tz, close) = if zone == 0 {
        ("America/New_York", time(16, 0, 0, 0))
    } else {
        ("Europe/London", time(16, 30, 0, 0))
    };
    Instrument {
        symbol: symbol.into(),
        name: symbol.into(),
        kind: "equity".into(),
        currency: "USD".into(),
        exchange_tz: tz.into(),
        session_close: close,
        benchmark_symbol: benchmark.map(str::to_string),
    }
}
