//! Parsing speed: generates 10 million OHLCV bars as ten 1,000,000-row CSV files (100 symbols
//! × 10,000 days each, Yahoo layout with a symbol column) and times `parse_prices` on them.
//!
//! `cargo run --release -p newsdesk-market --example bench_parse [-- BARS]`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failure report

use std::fmt::Write;
use std::time::Instant;

use newsdesk_market::{ParseOptions, parse_prices};

fn file(index: usize, symbols: usize, days: usize) -> Vec<u8> {
    let mut s = String::with_capacity(symbols * days * 72);
    s.push_str("Symbol,Date,Open,High,Low,Close,Adj Close,Volume\n");
    let start = jiff::civil::date(1980, 1, 1);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ index as u64;
    for sym in 0..symbols {
        let mut price: i64 = 10_000 + (sym as i64) * 37; // cents
        let mut day = start;
        for _ in 0..days {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            price = (price + (seed % 201) as i64 - 100).max(100);
            let (o, h, l, c) = (price - 3, price + 25, price - 40, price);
            writeln!(
                s,
                "S{index}X{sym},{day},{}.{:02},{}.{:02},{}.{:02},{}.{:02},{}.{:04},{}",
                o / 100,
                o % 100,
                h / 100,
                h % 100,
                l / 100,
                l % 100,
                c / 100,
                c % 100,
                c / 100,
                (c % 100) * 97 % 10_000,
                seed % 50_000_000
            )
            .unwrap();
            day = day.tomorrow().unwrap();
        }
    }
    s.into_bytes()
}

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .map_or(10_000_000, |a| a.parse().unwrap());
    let (symbols, days) = (100, 10_000);
    let files = total.div_ceil(symbols * days);
    let mut parsed = 0usize;
    let mut bytes = 0usize;
    let mut secs = 0f64;
    for i in 0..files {
        let data = file(i, symbols, days);
        bytes += data.len();
        let t = Instant::now();
        let r = parse_prices(&data, &ParseOptions::new(format!("gen{i}.csv"))).unwrap();
        secs += t.elapsed().as_secs_f64();
        parsed += r.bar_count();
    }
    println!(
        "parsed {parsed} bars ({:.0} MB) in {secs:.2} s: {:.0} bars/s, {:.0} MB/s (one core)",
        bytes as f64 / 1e6,
        parsed as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}
