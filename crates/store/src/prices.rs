//! Values exchanged by the market-data part of the [`Store`](crate::Store): instruments, import
//! outcomes, corrections, and the stored form of dates.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use newsdesk_market::{Bar, IntradayBar, Price};

use crate::error::{Result, StoreError};

/// An instrument we keep prices for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Instrument {
    /// The symbol, as the tagger links it (`US500`, `VIX`, `AAPL`).
    pub symbol: String,
    /// A readable name (`S&P 500`).
    pub name: String,
    /// What it is: `index`, `equity`, `rate`, `volatility`, ….
    pub kind: String,
    /// ISO 4217 currency of its prices, or `pts` for index levels and `%` for yields.
    pub currency: String,
    /// IANA zone of its exchange (`America/New_York`).
    pub exchange_tz: String,
    /// The exchange's local regular close.
    pub session_close: Time,
    /// The benchmark of the market model, when one is set.
    pub benchmark_symbol: Option<String>,
}

/// A stored daily bar with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBar {
    /// The bar.
    pub bar: Bar,
    /// The source named when it was imported.
    pub source: String,
    /// When its source published these values.
    pub as_of: Timestamp,
}

/// A stored intraday print (a quote) with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTick {
    /// The print; `at` is the instant of its price.
    pub tick: IntradayBar,
    /// The source named when it was stored (the quote provider).
    pub source: String,
    /// When its source published it.
    pub as_of: Timestamp,
}

/// An entry of the price change log: `symbol`'s stored prices changed (bars inserted or
/// corrected, or quotes stored) in the transaction that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChange {
    /// Position in the log; increases in commit order.
    pub seq: i64,
    /// The instrument whose prices changed.
    pub symbol: String,
    /// When (the `now` of the writer).
    pub at: Timestamp,
}

/// A daily close that a later import changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceCorrection {
    /// The instrument.
    pub symbol: String,
    /// The trading day.
    pub date: Date,
    /// The close before the import.
    pub old_close: Price,
    /// The close the import brought.
    pub new_close: Price,
    /// The source of the old value.
    pub old_source: String,
    /// The source of the new value.
    pub new_source: String,
    /// When the import ran.
    pub corrected_at: Timestamp,
}

/// What [`Store::import_bars`](crate::Store::import_bars) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Days that were not stored before.
    pub inserted: u64,
    /// Days whose stored bar was identical (values; the source and as-of time are not compared).
    pub unchanged: u64,
    /// Days whose bar changed: replaced, and the old close kept in `price_corrections`.
    pub corrected: u64,
}

impl std::ops::AddAssign for ImportOutcome {
    fn add_assign(&mut self, o: ImportOutcome) {
        self.inserted += o.inserted;
        self.unchanged += o.unchanged;
        self.corrected += o.corrected;
    }
}

/// Days since 1970-01-01 of a civil date (the stored `day` column); proleptic Gregorian.
pub fn date_to_day(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let (m, d) = (i64::from(date.month()), i64::from(date.day()));
    let y = i64::from(date.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `day` days after 1970-01-01 (inverse of [`date_to_day`]).
pub fn day_to_date(day: i64) -> Result<Date> {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let bad = || StoreError::Corrupt {
        what: "price date",
        detail: format!("day {day} is out of range"),
    };
    let y = i16::try_from(y).map_err(|_| bad())?;
    // m is 1..=12 and d 1..=31 by construction.
    Date::new(y, m as i8, d as i8).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_match_jiff() {
        let epoch = Date::constant(1970, 1, 1);
        for (y, m, d) in [
            (1970, 1, 1),
            (1969, 12, 31),
            (2000, 2, 29),
            (1900, 3, 1),
            (2017, 11, 10),
            (1871, 1, 1),
            (2100, 12, 31),
        ] {
            let date = Date::constant(y, m, d);
            let day = date_to_day(date);
            let expected = epoch.until(date).unwrap().get_days() as i64;
            assert_eq!(day, expected, "{date}");
            assert_eq!(day_to_date(day).unwrap(), date);
        }
    }
}
