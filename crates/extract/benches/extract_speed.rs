//! Extraction throughput on the article-extraction benchmark pages, one thread, against
//! trafilatura measured in the same run on the same pages.
//!
//! `cargo bench -p newsdesk-extract --bench extract_speed`
//!
//! Pages are read and decompressed before either clock starts; both sides extract from memory.
//! The pages live in `../shared` (evaluation data, never copied into the repository); set
//! `NEWSDESK_AEB_DIR` to point elsewhere. Without the pages or without Python's trafilatura the
//! bench says so and exits 0 (only our own rate is printed when the peer is missing).

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
        .unwrap_or(5);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let opts = ExtractOptions {
        now: Some(jiff::Timestamp::UNIX_EPOCH),
        ..ExtractOptions::default()
    };

    // Warm-up (page cache, allocator, lazy statics).
    let mut words = 0usize;
    for p in &pages {
        words += extract_html(p, &opts).map(|a| a.word_count()).unwrap_or(0);
    }
    let start = Instant::now();
    for _ in 0..rounds {
        for p in &pages {
            let a = extract_html(p, &opts);
            std::hint::black_box(&a);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = pages.len() * rounds;
    let ours = n as f64 / secs;
    println!(
        "newsdesk:    {n} pages in {secs:.3} s = {ours:.1} pages/s ({:.1} MB/s, {words} words per pass)",
        (bytes * rounds) as f64 / secs / 1e6
    );

    let script = root.join("scripts/peer_extract.py");
    let peer_rounds = std::env::var("PEER_ROUNDS").unwrap_or_else(|_| "1".into());
    let out = Command::new("python3")
        .arg(&script)
        .args(["--time", "trafilatura"])
        .arg(&dir)
        .arg(&peer_rounds)
        .output();
    let peer: Option<f64> = match out {
        Ok(o) if o.status.success() => {
            let line = String::from_utf8_lossy(&o.stdout);
            serde_json::from_str::<serde_json::Value>(line.trim())
                .ok()
                .and_then(|v| v["pages_per_second"].as_f64())
        }
        Ok(o) => {
            println!(
                "trafilatura: not measured ({})",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            println!("trafilatura: not measured ({e})");
            None
        }
    };
    if let Some(peer) = peer {
        let ratio = ours / peer;
        println!("trafilatura: {peer:.1} pages/s");
        println!(
            "ratio:       {ratio:.1}x trafilatura (target >= {TARGET_RATIO}x: {})",
            if ratio >= TARGET_RATIO {
                "met"
            } else {
                "NOT met"
            }
        );
        let summary = serde_json::json!({
            "pages": pages.len(), "rounds": rounds, "newsdesk_pages_per_second": ours,
            "trafilatura_pages_per_second": peer, "ratio": ratio,
        });
        let out_dir = root.join("target/bench");
        let _ = std::fs::create_dir_all(&out_dir);
        let _ = std::fs::write(out_dir.join("extract_speed.json"), summary.to_string());
    }
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
