//! `newsdesk-tag --input IN.jsonl [--kb-extra FILE]…`: the `newsdesk tag` line protocol as a
//! stand-alone binary, for evaluation before the main CLI wires it in. Prints timing to stderr.

use std::io::{BufReader, BufWriter};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut input = None;
    let mut extra = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--input" => input = args.next(),
            "--kb-extra" => match args.next() {
                Some(f) => extra.push(f),
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    let Some(input) = input else {
        return usage();
    };
    let t0 = Instant::now();
    let mut kb = match newsdesk_tag::Kb::bundled() {
        Ok(kb) => kb,
        Err(e) => {
            eprintln!("newsdesk-tag: knowledge base: {e}");
            return ExitCode::FAILURE;
        }
    };
    for f in &extra {
        let r = std::fs::read(f)
            .map_err(|e| e.to_string())
            .and_then(|b| kb.import(&b).map_err(|e| e.to_string()));
        if let Err(e) = r {
            eprintln!("newsdesk-tag: {f}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let load = t0.elapsed();
    let reader: Box<dyn std::io::BufRead> = if input == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        match std::fs::File::open(&input) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("newsdesk-tag: {input}: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let t1 = Instant::now();
    match newsdesk_tag::cli::run_tag(reader, out, &kb) {
        Ok(stats) => {
            let secs = t1.elapsed().as_secs_f64();
            eprintln!(
                "newsdesk-tag: kb load {:.1} ms ({} instruments); {} documents in {:.3} s ({:.0} docs/s); {} skipped",
                load.as_secs_f64() * 1e3,
                kb.len(),
                stats.documents,
                secs,
                stats.documents as f64 / secs.max(1e-9),
                stats.skipped
            );
            if let Some((line, why)) = stats.first_skip {
                eprintln!("newsdesk-tag: first skipped line {line}: {why}");
            }
            // The process ends here: freeing 30,000 small allocations one by one only costs time.
            std::mem::forget(kb);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("newsdesk-tag: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: newsdesk-tag --input IN.jsonl|- [--kb-extra FILE.csv|FILE.json]...");
    ExitCode::from(2)
}
