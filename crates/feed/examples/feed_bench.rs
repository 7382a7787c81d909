//! Parse speed: `feed_bench DIR [ROUNDS]` parses every file in DIR ROUNDS times (default 5)
//! with `parse_feed` and prints the best round's feeds/s and MB/s, plus a machine-readable
//! `feeds_per_sec=` line for `scripts/bench-feed`.

use std::path::PathBuf;
use std::time::Instant;

use newsdesk_feed::{FeedHint, parse_feed};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: feed_bench DIR [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            eprintln!("feed_bench: {dir}: {e}");
            std::process::exit(1);
        }
    };
    paths.sort();
    let files: Vec<(String, Vec<u8>)> = paths
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read(p).ok()?)))
        .collect();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let hint = FeedHint::default();

    let mut items = 0usize;
    let mut failures = 0usize;
    let mut best = f64::INFINITY;
    for round in 0..rounds.max(1) {
        let started = Instant::now();
        let mut round_items = 0;
        for (name, data) in &files {
            match parse_feed(data, &hint) {
                Ok(feed) => round_items += feed.items.len(),
                Err(e) => {
                    if round == 0 {
                        eprintln!("feed_bench: {name}: {e}");
                    }
                    failures += 1;
                }
            }
        }
        best = best.min(started.elapsed().as_secs_f64());
        items = round_items;
    }
    let feeds_per_sec = files.len() as f64 / best;
    let mb_per_sec = bytes as f64 / 1e6 / best;
    println!(
        "newsdesk-feed: {} feeds ({:.1} MB, {items} items), best of {rounds} rounds: {feeds_per_sec:.0} feeds/s, {mb_per_sec:.1} MB/s, {:.0} items/s",
        files.len(),
        bytes as f64 / 1e6,
        items as f64 / best
    );
    println!("feeds_per_sec={feeds_per_sec:.1} mb_per_sec={mb_per_sec:.2} failures={failures}");
}
