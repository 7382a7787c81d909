//! `newsdesk prices import FILE…`: price files (CSV layouts and JSON, read by
//! `newsdesk-market`) into the store.
//!
//! - **Idempotent**: the store compares each bar with what it holds; importing the same file
//!   twice writes nothing, a changed value replaces the stored one and is kept as a correction
//!   with both sources ([`newsdesk_store::Store::import_bars`]).
//! - **Fast**: the next file is parsed on a blocking thread while the current one is written, and
//!   bars go to the store in slices of [`IMPORT_SLICE`] (one transaction each, many rows per
//!   statement).
//! - **Clear errors**: a refused file is reported with its line and field (`prices.csv:3:
//!   Close: "1,5" is not a price …`), the other files are still imported, and the exit status is
//!   1.
//! - **Progress**: a bar on stderr when it is a terminal (files done, bars stored), then one
//!   summary line on stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use jiff::Timestamp;
use newsdesk_market::{DateOrder, ParseOptions, ParsedPrices, parse_prices};
use newsdesk_store::{ImportOutcome, Store};

/// Bars per store transaction.
pub const IMPORT_SLICE: usize = 50_000;

/// Arguments of `newsdesk prices import`.
#[derive(Debug, Clone, clap::Args)]
pub struct PricesImportArgs {
    /// CSV or JSON price files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Symbol of files without a symbol column. Default: the file name up to its first dot,
    /// upper-cased (`aapl.us.txt` → `AAPL`).
    #[arg(long)]
    pub symbol: Option<String>,
    /// Source recorded with every bar (and named in corrections). Default: the file name.
    #[arg(long)]
    pub source: Option<String>,
    /// When the source published these values, RFC 3339. Default: the file's modification time.
    #[arg(long)]
    pub as_of: Option<Timestamp>,
    /// Zone of date-times written without an offset (intraday rows), IANA name or offset.
    #[arg(long)]
    pub tz: Option<String>,
    /// Read slashed dates with the year last as day/month/year rather than month/day/year.
    #[arg(long)]
    pub day_first: bool,
}

/// Totals of one `prices import` run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Files imported.
    pub files: usize,
    /// Files refused (reported on stderr).
    pub failed: usize,
    /// Series (symbols) written.
    pub series: usize,
    /// Bars inserted, unchanged and corrected.
    pub outcome: ImportOutcome,
    /// Intraday rows read but not stored (daily bars only for now).
    pub intraday_skipped: usize,
    /// The symbols written.
    pub symbols: std::collections::BTreeSet<String>,
}

impl ImportSummary {
    /// Bars looked at.
    pub fn bars(&self) -> u64 {
        self.outcome.inserted + self.outcome.unchanged + self.outcome.corrected
    }
}

/// One parsed file on its way to the store.
struct Parsed {
    path: PathBuf,
    source: String,
    as_of: Timestamp,
    result: anyhow::Result<ParsedPrices>,
}

/// The symbol a file without a symbol column gets by default.
pub fn symbol_from_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.split('.').next()?.trim();
    (!stem.is_empty()).then(|| stem.to_uppercase())
}

fn parse_one(path: &Path, args: &PricesImportArgs) -> Parsed {
    let name = path.display().to_string();
    let source = args.source.clone().unwrap_or_else(|| {
        path.file_name()
            .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned())
    });
    let meta = std::fs::metadata(path).ok();
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| Timestamp::try_from(t).ok());
    let as_of = args.as_of.or(mtime).unwrap_or_else(Timestamp::now);
    let result = (|| {
        let bytes = std::fs::read(path).with_context(|| format!("{name}: reading"))?;
        let mut opts = ParseOptions::new(name.clone());
        opts.default_symbol = args.symbol.clone().or_else(|| symbol_from_file_name(path));
        if args.day_first {
            opts.date_order = DateOrder::DayFirst;
        }
        if let Some(tz) = &args.tz {
            opts.time_zone = Some(
                newsdesk_article::parse_zone(tz)
                    .with_context(|| format!("--tz: unknown time zone {tz:?}"))?,
            );
        }
        Ok(parse_prices(&bytes, &opts)?)
    })();
    Parsed {
        path: path.to_path_buf(),
        source,
        as_of,
        result,
    }
}

/// Runs `newsdesk prices import`; `now` is recorded as the time of corrections.
pub async fn run_import(
    args: &PricesImportArgs,
    store: &dyn Store,
    config: &crate::config::Config,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let summary = import_files(args, store, now).await?;
    // Chips need an exchange zone and close: describe new symbols from the knowledge base.
    let (created, missing) = crate::instruments_cmd::create_missing(
        store,
        || crate::tagging::load_kb(config),
        &summary.symbols,
    )
    .await?;
    for i in &created {
        println!(
            "instrument {} (from the knowledge base; change it with `newsdesk prices instrument`)",
            crate::instruments_cmd::describe(i)
        );
    }
    const NAMED: usize = 10;
    for symbol in missing.iter().take(NAMED) {
        eprintln!(
            "newsdesk: prices import: {symbol} has no instrument row, so its chips cannot place \
             prices in sessions; set one: newsdesk prices instrument {symbol} --zone ZONE --close HH:MM"
        );
    }
    if missing.len() > NAMED {
        eprintln!(
            "newsdesk: prices import: and {} more symbols without an instrument row",
            missing.len() - NAMED
        );
    }
    let secs = started.elapsed().as_secs_f64();
    let bars = summary.bars();
    println!(
        "prices import: {} files ({} refused), {} series, {} bars: {} new, {} unchanged, {} corrected{} in {:.1} s ({:.0} bars/s)",
        summary.files,
        summary.failed,
        summary.series,
        bars,
        summary.outcome.inserted,
        summary.outcome.unchanged,
        summary.outcome.corrected,
        if summary.intraday_skipped > 0 {
            format!(
                "; {} intraday rows not stored (daily bars only)",
                summary.intraday_skipped
            )
        } else {
            String::new()
        },
        secs,
        bars as f64 / secs.max(1e-9),
    );
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Parses and stores every file of `args`, reporting refused files and progress on stderr.
pub async fn import_files(
    args: &PricesImportArgs,
    store: &dyn Store,
    now: Timestamp,
) -> anyhow::Result<ImportSummary> {
    // Parse one file ahead on a blocking thread while the current one is written.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(1);
    let parse_args = args.clone();
    let producer = tokio::task::spawn_blocking(move || {
        for path in &parse_args.files {
            if tx.blocking_send(parse_one(path, &parse_args)).is_err() {
                break;
            }
        }
    });
    let mut summary = ImportSummary::default();
    let progress = crate::progress::bar(args.files.len() as u64, "prices import");
    let stderr = std::io::stderr();
    while let Some(parsed) = rx.recv().await {
        let file = parsed.path.display().to_string();
        let prices = match parsed.result {
            Ok(p) => p,
            Err(e) => {
                progress.suspend(|| {
                    let _ = writeln!(stderr.lock(), "newsdesk: prices import: {e:#}");
                });
                summary.failed += 1;
                progress.inc(1);
                continue;
            }
        };
        let total = prices.bar_count();
        let mut done = 0usize;
        for series in &prices.series {
            summary.intraday_skipped += series.intraday.len();
            if series.daily.is_empty() {
                continue;
            }
            let Some(symbol) = series.symbol.as_deref() else {
                anyhow::bail!("{file}: no symbol column and no --symbol");
            };
            for slice in series.daily.chunks(IMPORT_SLICE) {
                let out = store
                    .import_bars(symbol, slice, &parsed.source, parsed.as_of, now)
                    .await
                    .with_context(|| format!("{file}: storing bars of {symbol}"))?;
                summary.outcome += out;
                done += slice.len();
                progress.set_message(format!(
                    "{file}: {done}/{total} bars; {} stored",
                    summary.bars()
                ));
            }
            summary.series += 1;
            summary.symbols.insert(symbol.to_string());
        }
        summary.files += 1;
        progress.inc(1);
    }
    progress.finish_and_clear();
    producer.await.context("the price-file parser stopped")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_symbol_is_the_file_stem() {
        assert_eq!(
            symbol_from_file_name(Path::new("/d/aapl.us.txt")).as_deref(),
            Some("AAPL")
        );
        assert_eq!(
            symbol_from_file_name(Path::new("vix.csv")).as_deref(),
            Some("VIX")
        );
        assert_eq!(symbol_from_file_name(Path::new(".hidden")), None);
    }
}
