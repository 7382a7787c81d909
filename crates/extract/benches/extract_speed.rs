//! Extraction throughput on the article-extraction benchmark pages, one thread, against
//! trafilatura measured in the same run on the same pages.
//!
//! `cargo bench -p newsdesk-extract --bench extract_speed`
//!
//! Method: pages are read and decompressed before any clock starts; both sides extract from
//! memory on one thread. A *round* extracts every page once. Rounds of ours and of the peer are
//! interleaved (ours, peer, ours, peer, …) so both see the same machine conditions, and each
//! side's rate is taken from its best round — the least disturbed by other processes. Medians are
//! printed too.
//!
//! The pages live in `../shared` (evaluation data, never copied into the repository); set
//! `NEWSDESK_AEB_DIR` to point elsewhere. `BENCH_ROUNDS` (default 5) sets the number of rounds.
//! Without the pages, or without Python's trafilatura, the bench says so and exits 0.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use newsdesk_extract::{ExtractOptions, extract_html};

const TARGET_RATIO: f64 = 15.0;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let dir = std::env::var_os("NEWSDESK_AEB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/article-extraction-benchmark/html"));
    let pages = match load(&dir) {
        Ok(p) if !p.is_empty() => p,
        _ => {
            println!(
                "extract_speed: no benchmark pages at {} — skipped",
                dir.display()
            );
            return;
        }
    };
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let opts = ExtractOptions {
        now: Some(jiff::Timestamp::UNIX_EPOCH),
        ..ExtractOptions::default()
    };
    // Warm-up (page cache, allocator, lazy statics).
    let words: usize = pages
        .iter()
        .map(|p| extract_html(p, &opts).map(|a| a.word_count()).unwrap_or(0))
        .sum();

    let script = root.join("scripts/peer_extract.py");
    let mut ours = Vec::with_capacity(rounds);
    let mut peer = Vec::with_capacity(rounds);
    let mut peer_error = None;
    for _ in 0..rounds {
        let start = Instant::now();
        for p in &pages {
            std::hint::black_box(extract_html(p, &opts).ok());
        }
        ours.push(start.elapsed().as_secs_f64());
        if peer_error.is_none() {
            match peer_round(&script, &dir) {
                Ok(secs) => peer.push(secs),
                Err(e) => peer_error = Some(e),
            }
        }
    }
    let n = pages.len() as f64;
    let best = min(&ours);
    println!(
        "newsdesk:    {} pages x {rounds} rounds; best {:.1} pages/s, median {:.1} pages/s ({:.1} MB/s; {words} words)",
        pages.len(),
        n / best,
        n / median(&ours),
        bytes as f64 / best / 1e6,
    );
    if let Some(e) = peer_error {
        println!("trafilatura: not measured ({e})");
        return;
    }
    let ratio = (n / best) / (n / min(&peer));
    println!(
        "trafilatura: best {:.1} pages/s, median {:.1} pages/s",
        n / min(&peer),
        n / median(&peer)
    );
    println!(
        "ratio:       {ratio:.1}x trafilatura, best rounds (median rounds {:.1}x; target >= {TARGET_RATIO}x: {})",
        median(&peer) / median(&ours),
        if ratio >= TARGET_RATIO {
            "met"
        } else {
            "NOT met"
        }
    );
    let summary = serde_json::json!({
        "pages": pages.len(), "rounds": rounds,
        "newsdesk_round_seconds": ours, "trafilatura_round_seconds": peer,
        "newsdesk_best_pages_per_second": n / best,
        "trafilatura_best_pages_per_second": n / min(&peer), "ratio": ratio,
    });
    let out_dir = root.join("target/bench");
    let _ = std::fs::create_dir_all(&out_dir);
    let _ = std::fs::write(out_dir.join("extract_speed.json"), summary.to_string());
}

/// One round of trafilatura over the same pages, in its own process (import time excluded).
fn peer_round(script: &Path, dir: &Path) -> Result<f64, String> {
    let out = Command::new("python3")
        .arg(script)
        .args(["--time", "trafilatura"])
        .arg(dir)
        .arg("1")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("bad peer output: {e}"))?;
    v["round_seconds"][0]
        .as_f64()
        .ok_or_else(|| "peer output has no round_seconds".to_string())
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn load(dir: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    names.sort();
    let mut pages = Vec::with_capacity(names.len());
    for name in names {
        let raw = std::fs::read(&name)?;
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut html)?;
        pages.push(html);
    }
    Ok(pages)
}
