//! Bars (daily and intraday), a priced point in time, and merging a re-import into a series.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::Price;

/// One trading day of an instrument. The day's session close is `close`; a day with a bar is a
/// trading day (the session calendar is derived from the bars themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Bar {
    /// The exchange-local trading date.
    pub date: Date,
    /// Opening price, when the source has one.
    pub open: Option<Price>,
    /// High of the day, when the source has one.
    pub high: Option<Price>,
    /// Low of the day, when the source has one.
    pub low: Option<Price>,
    /// The session's closing price (the only required value).
    pub close: Price,
    /// Close adjusted for splits and dividends, when the source has one.
    pub adj_close: Option<Price>,
    /// Traded volume, when the source has one.
    pub volume: Option<u64>,
}

impl Bar {
    /// A bar with only a date and a close.
    pub fn close_only(date: Date, close: Price) -> Bar {
        Bar {
            date,
            open: None,
            high: None,
            low: None,
            close,
            adj_close: None,
            volume: None,
        }
    }

    /// The price used for returns: the adjusted close when present, else the close.
    pub fn return_price(&self) -> Price {
        self.adj_close.unwrap_or(self.close)
    }
}

/// One intraday bar. `at` is read as the instant of its `close` (the end of the interval): a
/// source that stamps bars by their start should be shifted by the interval when imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IntradayBar {
    /// The instant of the close.
    pub at: Timestamp,
    /// Opening price of the interval, when present.
    pub open: Option<Price>,
    /// High of the interval, when present.
    pub high: Option<Price>,
    /// Low of the interval, when present.
    pub low: Option<Price>,
    /// The last price of the interval.
    pub close: Price,
    /// Volume of the interval, when present.
    pub volume: Option<u64>,
}

/// A price at an instant: the chip's `from` and `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PricePoint {
    /// The exact price.
    pub price: Price,
    /// When that price was the price: a session's close instant or an intraday bar's time.
    pub at: Timestamp,
}

/// A value that changed between an earlier import and a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The bar as it was.
    pub old: Bar,
    /// The bar as the new source gives it.
    pub new: Bar,
}

/// What [`merge_daily`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// Dates that were not there before.
    pub inserted: usize,
    /// Dates whose bar was identical (re-importing the same file changes nothing).
    pub unchanged: usize,
    /// Dates whose bar changed; the new bar replaced the old, and the caller records the old
    /// one as a correction with the new source.
    pub corrections: Vec<Correction>,
}

/// Merges `incoming` into `existing` (both sorted by date, one bar per date): new dates are
/// inserted, identical bars are left alone, changed bars are replaced and reported. This is
/// the idempotency rule of `prices import`, kept here so that every storage backend shares it.
pub fn merge_daily(existing: &mut Vec<Bar>, incoming: &[Bar]) -> MergeOutcome {
    let mut out = MergeOutcome::default();
    let mut merged = Vec::with_capacity(existing.len() + incoming.len());
    let (mut i, mut j) = (0, 0);
    while i < existing.len() || j < incoming.len() {
        match (existing.get(i), incoming.get(j)) {
            (Some(a), Some(b)) if a.date == b.date => {
                if a == b {
                    out.unchanged += 1;
                } else {
                    out.corrections.push(Correction { old: *a, new: *b });
                }
                merged.push(*b);
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.date < b.date => {
                merged.push(*a);
                i += 1;
            }
            (Some(a), None) => {
                merged.push(*a);
                i += 1;
            }
            (_, Some(b)) => {
                out.inserted += 1;
                merged.push(*b);
                j += 1;
            }
            (None, None) => break,
        }
    }
    *existing = merged;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn b(d: i8, c: i32) -> Bar {
        Bar::close_only(date(2024, 1, d), Price::from_units(c))
    }

    #[test]
    fn merge_is_idempotent_and_reports_corrections() {
        let mut s = vec![b(2, 10), b(3, 11), b(5, 12)];
        let again = s.clone();
        let o = merge_daily(&mut s, &again);
        assert_eq!((o.inserted, o.unchanged, o.corrections.len()), (0, 3, 0));
        let o = merge_daily(&mut s, &[b(1, 9), b(3, 13), b(4, 14)]);
        assert_eq!((o.inserted, o.unchanged), (2, 0));
        assert_eq!(
            o.corrections,
            vec![Correction {
                old: b(3, 11),
                new: b(3, 13)
            }]
        );
        assert_eq!(s, vec![b(1, 9), b(2, 10), b(3, 13), b(4, 14), b(5, 12)]);
    }
}
