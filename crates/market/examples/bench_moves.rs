//! Chip speed: all chips of a page (30 instruments with 10,000 daily bars each, against a
//! 10,000-bar benchmark, default market model), computed 2,000 times.
//!
//! `cargo run --release -p newsdesk-market --example bench_moves`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failure report

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use newsdesk_market::{Bar, ExchangeClock, MoveConfig, Price, PriceHistory, compute_move};

fn series(seed: u64, n: usize) -> Vec<Bar> {
    let mut s = seed | 1;
    let mut price: i64 = 100_000_000 * 50;
    let mut d = jiff::civil::date(1980, 1, 1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            price = (price + (s % 2_000_001) as i64 - 1_000_000).max(1_000_000);
            while d.weekday().to_monday_zero_offset() >= 5 {
                d = d.tomorrow().unwrap();
            }
            let b = Bar::close_only(d, Price::from_raw(price));
            d = d.tomorrow().unwrap();
            b
        })
        .collect()
}

fn main() {
    let chips = 30;
    let bench = series(7, 10_000);
    let insts: Vec<Vec<Bar>> = (0..chips).map(|i| series(100 + i as u64, 10_000)).collect();
    let clock = ExchangeClock::for_mic("XNYS").unwrap();
    let cfg = MoveConfig::default();
    let last = clock.close_at(bench.last().unwrap().date);
    let now = last + SignedDuration::from_hours(1);
    let rounds = 2_000;
    let mut ok = 0usize;
    let t = Instant::now();
    for r in 0..rounds {
        for (i, bars) in insts.iter().enumerate() {
            // Publications spread over the last twenty years, at varied times of day.
            let back = SignedDuration::from_hours(((r * 31 + i * 977) % 175_000) as i64);
            let published: Timestamp = last - back;
            let h = PriceHistory {
                daily: bars,
                intraday: &[],
                clock: &clock,
                source: "bench",
                as_of: now,
            };
            if let Ok(m) = compute_move(&h, Some(&bench), published, now, &cfg)
                && m.abnormal.is_ok()
            {
                ok += 1;
            }
        }
    }
    let per_page = t.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "{chips} chips a page: {:.1} µs a page ({:.2} µs a chip); {ok} of {} with an abnormal move",
        per_page * 1e6,
        per_page * 1e6 / chips as f64,
        rounds * chips
    );
}
