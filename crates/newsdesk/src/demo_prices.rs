//! The demo's price history (`demo/prices/`, openly licensed, see its `ATTRIBUTION.md`): VIX
//! daily, the S&P 500 and the US 10-year yield as monthly averages, stored under the symbols the
//! tagger links (VIX, US500, US10Y). Loading is idempotent: fixed as-of and import times, so a
//! second load finds every bar unchanged and writes nothing.

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::time;
use newsdesk_market::{ParseOptions, parse_prices};
use newsdesk_store::{ImportOutcome, Instrument, Store};

/// The credit line of the bundled price files (details in `demo/prices/ATTRIBUTION.md`).
pub const ATTRIBUTION: &str = "Prices: Cboe VIX daily (datasets/finance-vix, ODC-PDDL); S&P 500 \
monthly averages by Robert Shiller (datasets/s-and-p-500, ODC-PDDL); US 10-year Treasury yield \
monthly averages, Federal Reserve H.15 (public domain).";

/// One bundled series.
struct DemoSeries {
    file: &'static str,
    bytes: &'static [u8],
    /// The series to take from the file (its column), `None` for a one-series file.
    column: Option<&'static str>,
    instrument: (&'static str, &'static str, &'static str, &'static str),
    source: &'static str,
    as_of: &'static str,
}

const SERIES: [DemoSeries; 3] = [
    DemoSeries {
        file: "vix-daily.csv",
        bytes: include_bytes!("../demo/prices/vix-daily.csv"),
        column: None,
        instrument: ("VIX", "Cboe Volatility Index", "index", "pts"),
        source: "Cboe VIX daily closes (datasets/finance-vix, PDDL)",
        as_of: "2026-07-24T00:00:00Z",
    },
    DemoSeries {
        file: "sp500-monthly-shiller.csv",
        bytes: include_bytes!("../demo/prices/sp500-monthly-shiller.csv"),
        column: Some("SP500"),
        instrument: ("US500", "S&P 500", "index", "pts"),
        source: "S&P 500 monthly averages (R. Shiller via datasets/s-and-p-500, PDDL)",
        as_of: "2026-07-01T00:00:00Z",
    },
    DemoSeries {
        file: "us10y-monthly.csv",
        bytes: include_bytes!("../demo/prices/us10y-monthly.csv"),
        column: None,
        instrument: ("US10Y", "US 10-year Treasury yield", "rate", "%"),
        source: "US 10-year yield monthly averages (Federal Reserve H.15 via datasets/bond-yields-us-10y)",
        as_of: "2026-08-01T00:00:00Z",
    },
];

/// Stores the demo instruments and their bars.
pub async fn load(store: &dyn Store) -> anyhow::Result<ImportOutcome> {
    // Corrections (none expected) are stamped with the demo's fixed load time.
    let now: Timestamp = "2026-11-01T00:00:00Z".parse().context("demo load time")?;
    let mut total = ImportOutcome::default();
    for s in &SERIES {
        let (symbol, name, kind, currency) = s.instrument;
        store
            .upsert_instrument(&Instrument {
                symbol: symbol.into(),
                name: name.into(),
                kind: kind.into(),
                currency: currency.into(),
                exchange_tz: "America/New_York".into(),
                session_close: time(16, 0, 0, 0),
                benchmark_symbol: None,
            })
            .await?;
        let parsed = parse_prices(s.bytes, &ParseOptions::new(s.file).with_symbol(symbol))
            .with_context(|| format!("reading the demo prices {}", s.file))?;
        let series = parsed
            .series
            .iter()
            .find(|x| s.column.is_none() || x.symbol.as_deref() == s.column)
            .with_context(|| format!("{}: no series {:?}", s.file, s.column))?;
        let as_of: Timestamp = s.as_of.parse().context("demo as-of time")?;
        total += store
            .import_bars(symbol, &series.daily, s.source, as_of, now)
            .await?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_file_parses_into_the_series_we_store() {
        for s in &SERIES {
            let parsed =
                parse_prices(s.bytes, &ParseOptions::new(s.file).with_symbol("X")).unwrap();
            let series = parsed
                .series
                .iter()
                .find(|x| s.column.is_none() || x.symbol.as_deref() == s.column)
                .unwrap();
            assert!(
                series.daily.len() > 800,
                "{}: {}",
                s.file,
                series.daily.len()
            );
        }
    }
}
