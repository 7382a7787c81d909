//! The demo's price history (`demo/prices/`, openly licensed, see its `ATTRIBUTION.md`): VIX
//! daily, the S&P 500 and the US 10-year yield as monthly averages, stored under the symbols the
//! tagger links (VIX, US500, US10Y), and daily closes (adjusted for splits and dividends, to
//! 2017-11-10) of the six US stocks that demo stories published before 2017-11-10 link and the
//! CC0 Kaggle "Huge Stock Market Dataset" covers: AAPL, CSCO, GOOGL, IBM, INTC, MSFT. The stock
//! files are the dataset's own files, gzipped. None has a benchmark: the only bundled US index
//! is monthly, so their chips give the change and say why there is no abnormal move. Loading is
//! idempotent: fixed as-of and import times, so a second load finds every bar unchanged and
//! writes nothing.

use std::io::Read;

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::time;
use newsdesk_market::{ParseOptions, parse_prices};
use newsdesk_store::{ImportOutcome, Instrument, Store};

/// The credit line of the bundled price files (details in `demo/prices/ATTRIBUTION.md`).
pub const ATTRIBUTION: &str = "Prices: Cboe VIX daily (datasets/finance-vix, ODC-PDDL); S&P 500 \
monthly averages by Robert Shiller (datasets/s-and-p-500, ODC-PDDL); US 10-year Treasury yield \
monthly averages, Federal Reserve H.15 (public domain); adjusted daily closes of AAPL, CSCO, \
GOOGL, IBM, INTC and MSFT to 2017-11-10 from Boris Marjanovic's \"Huge Stock Market Dataset\" \
on Kaggle (CC0).";

/// The source named on the chips of the bundled stocks.
const STOCK_SOURCE: &str = "Huge Stock Market Dataset (B. Marjanovic, Kaggle, CC0): daily \
closes adjusted for splits and dividends";

/// The stock files' last close: 2017-11-10 16:00 in New York (EST).
const STOCK_AS_OF: &str = "2017-11-10T21:00:00Z";

/// One bundled series.
struct DemoSeries {
    /// The file name in `demo/prices/`; a name ending `.gz` is gzipped.
    file: &'static str,
    bytes: &'static [u8],
    /// The series to take from the file (its column), `None` for a one-series file.
    column: Option<&'static str>,
    /// Symbol, name, kind and currency.
    instrument: (&'static str, &'static str, &'static str, &'static str),
    source: &'static str,
    as_of: &'static str,
}

const SERIES: [DemoSeries; 9] = [
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
    DemoSeries {
        file: "aapl.us.txt.gz",
        bytes: include_bytes!("../demo/prices/aapl.us.txt.gz"),
        column: None,
        instrument: ("AAPL", "Apple Inc.", "equity", "USD"),
        source: STOCK_SOURCE,
        as_of: STOCK_AS_OF,
    },
    DemoSeries {
        file: "csco.us.txt.gz",
        bytes: include_bytes!("../demo/prices/csco.us.txt.gz"),
        column: None,
        instrument: ("CSCO", "Cisco Systems, Inc.", "equity", "USD"),
        source: STOCK_SOURCE,
        as_of: STOCK_AS_OF,
    },
    DemoSeries {
        file: "googl.us.txt.gz",
        bytes: include_bytes!("../demo/prices/googl.us.txt.gz"),
        column: None,
        instrument: (
            "GOOGL",
            "Alphabet Inc. Class A (Google Inc. until 2015)",
            "equity",
            "USD",
        ),
        source: STOCK_SOURCE,
        as_of: STOCK_AS_OF,
    },
    DemoSeries {
        file: "ibm.us.txt.gz",
        bytes: include_bytes!("../demo/prices/ibm.us.txt.gz"),
        column: None,
        instrument: (
            "IBM",
            "International Business Machines Corporation",
            "equity",
            "USD",
        ),
        source: STOCK_SOURCE,
        as_of: STOCK_AS_OF,
    },
    DemoSeries {
        file: "intc.us.txt.gz",
        bytes: include_bytes!("../demo/prices/intc.us.txt.gz"),
        column: None,
        instrument: ("INTC", "Intel Corporation", "equity", "USD"),
        source: STOCK_SOURCE,
        as_of: STOCK_AS_OF,
    },
    DemoSeries {
        file: "msft.us.txt.gz",
        bytes: include_bytes!("../demo/prices/msft.us.txt.gz"),
        column: None,
        instrument: ("MSFT", "Microsoft Corporation", "equity", "USD"),
        source: STOCK_SOURCE,
        as_of: STOCK_AS_OF,
    },
];

/// The bytes of a bundled file, gunzipped when its name ends `.gz`.
fn contents(s: &DemoSeries) -> anyhow::Result<std::borrow::Cow<'static, [u8]>> {
    if !s.file.ends_with(".gz") {
        return Ok(s.bytes.into());
    }
    let mut out = Vec::with_capacity(s.bytes.len() * 4);
    flate2::read::GzDecoder::new(s.bytes)
        .read_to_end(&mut out)
        .with_context(|| format!("gunzipping the demo prices {}", s.file))?;
    Ok(out.into())
}

/// The series `s` bundles (its column of the file, or the file's one series).
fn series_of(s: &DemoSeries) -> anyhow::Result<newsdesk_market::Series> {
    let parsed = parse_prices(
        &contents(s)?,
        &ParseOptions::new(s.file).with_symbol(s.instrument.0),
    )
    .with_context(|| format!("reading the demo prices {}", s.file))?;
    parsed
        .series
        .into_iter()
        .find(|x| s.column.is_none() || x.symbol.as_deref() == s.column)
        .with_context(|| format!("{}: no series {:?}", s.file, s.column))
}

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
        let series = series_of(s)?;
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
            let series = series_of(s).unwrap();
            assert!(
                series.daily.len() > 800,
                "{}: {}",
                s.file,
                series.daily.len()
            );
        }
    }

    #[test]
    fn bundled_stocks_are_the_kaggle_files_whole_and_end_at_their_as_of() {
        // Rows of each file as the dataset's SOURCE.md counts them (all end 2017-11-10).
        let rows = [
            ("AAPL", 8364, "1984-09-07"),
            ("CSCO", 6964, "1990-03-26"),
            ("GOOGL", 3333, "2004-08-19"),
            ("IBM", 14059, "1962-01-02"),
            ("INTC", 11556, "1972-01-07"),
            ("MSFT", 7983, "1986-03-13"),
        ];
        let as_of: Timestamp = STOCK_AS_OF.parse().unwrap();
        let ny = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let clock = newsdesk_market::ExchangeClock::new(ny, time(16, 0, 0, 0));
        assert_eq!(as_of, clock.close_at(jiff::civil::date(2017, 11, 10)));
        for (symbol, n, first) in rows {
            let s = SERIES
                .iter()
                .find(|s| s.instrument.0 == symbol)
                .unwrap_or_else(|| panic!("{symbol} not bundled"));
            assert_eq!((s.instrument.2, s.instrument.3), ("equity", "USD"));
            assert!(s.source.contains("CC0") && s.source.contains("adjusted"));
            let series = series_of(s).unwrap();
            assert_eq!(series.daily.len(), n, "{symbol}");
            assert_eq!(series.daily[0].date.to_string(), first, "{symbol}");
            assert_eq!(
                series.daily.last().unwrap().date.to_string(),
                "2017-11-10",
                "{symbol}"
            );
            // The `Close` column (already adjusted) is the close; there is no separate one.
            assert!(series.daily.iter().all(|b| b.adj_close.is_none()));
        }
        let aapl = series_of(SERIES.iter().find(|s| s.instrument.0 == "AAPL").unwrap()).unwrap();
        let last = aapl.daily.last().unwrap();
        assert_eq!(last.close.to_string(), "174.67");
        assert_eq!(last.volume, Some(25_130_494));
    }
}
