//! The instrument chip's move since publication, and the abnormal move against a benchmark.
//!
//! **Change.** `from` is the last price at or before publication: the close of the last
//! session that closed at or before the publication instant (in the exchange's zone, see
//! [`ExchangeClock`]) or, when intraday bars are given, a later intraday price at or before
//! publication. `to` is the latest price known at `now`, or for an old story the close
//! [`MoveConfig::old_story_sessions`] sessions after the `from` session. The change is
//! `(to − from) / from × 100`, computed exactly in decimals and rounded half away from zero to
//! two places.
//!
//! **Abnormal move (market model).** Day 0 of the event is the first session that closes after
//! publication. Daily simple returns `R = P_t / P_{t−1} − 1` (adjusted closes when both bars
//! have them, closes otherwise) of the instrument are regressed by OLS on the benchmark's over
//! the [`MoveConfig::estimation_sessions`] sessions that end just before the event window,
//! using only days where the benchmark has bars on both the day and the instrument's previous
//! session. The abnormal return is the **sum of daily abnormal returns** over the window
//! (`CAR = Σ (R_t − α − β·R_m,t)`, MacKinlay 1997), where the benchmark's return over a window
//! day runs between its closes at or before the instrument's two session dates (so a benchmark
//! holiday inside the window counts as a zero return rather than shifting the window).
//! Floats are used inside the regression only; the result is rounded to two decimals.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::{Bar, ExchangeClock, IntradayBar, Price, PricePoint};

/// The prices of one instrument as the chip needs them.
#[derive(Debug, Clone, Copy)]
pub struct PriceHistory<'a> {
    /// Daily bars, ascending by date, one per date.
    pub daily: &'a [Bar],
    /// Intraday bars, ascending by instant (may be empty).
    pub intraday: &'a [IntradayBar],
    /// The exchange's zone and close.
    pub clock: &'a ExchangeClock,
    /// Where the prices come from (shown on the chip).
    pub source: &'a str,
    /// When the prices were last updated (shown on the chip).
    pub as_of: Timestamp,
}

/// Settings of [`compute_move`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveConfig {
    /// Event window in sessions relative to day 0 (the first session after publication),
    /// both ends included. Default `(0, 1)`.
    pub event_window: (i32, i32),
    /// Sessions of returns in the estimation period. Default 120.
    pub estimation_sessions: usize,
    /// Fewest overlapping sessions the regression accepts. Default 60.
    pub min_estimation_sessions: usize,
    /// A story is old when this many sessions have closed after the `from` session; its `to`
    /// is then that session's close instead of the latest price. `None`: always the latest.
    /// Default `Some(5)` (a trading week).
    pub old_story_sessions: Option<usize>,
}

impl Default for MoveConfig {
    fn default() -> MoveConfig {
        MoveConfig {
            event_window: (0, 1),
            estimation_sessions: 120,
            min_estimation_sessions: 60,
            old_story_sessions: Some(5),
        }
    }
}

/// The chip's move. Serialises as
/// `{change_percent, abnormal_percent, from: {price, at}, to: {price, at}, source, as_of, …}`
/// with `abnormal_percent: null` and `abnormal_reason` when the abnormal move is unavailable.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// The latest price known at `now` (the chip's "last price").
    pub last: PricePoint,
    /// The last price at or before publication.
    pub from: PricePoint,
    /// The latest price, or the close `old_story_sessions` sessions later for an old story.
    pub to: PricePoint,
    /// True when `to` is the old-story session close rather than the latest price.
    pub to_is_horizon_close: bool,
    /// `to − from` in the instrument's unit, exact (for a yield quoted in percent, percentage
    /// points: `0.14` is 14 basis points).
    pub change: Decimal,
    /// `(to − from) / from × 100`, rounded half away from zero to 2 places (always 2 decimals).
    pub change_percent: Decimal,
    /// The same before rounding (28 significant digits).
    pub change_percent_unrounded: Decimal,
    /// The abnormal move, or why there is none.
    pub abnormal: Result<AbnormalMove, NoMove>,
    /// The price source.
    pub source: String,
    /// When the prices were last updated.
    pub as_of: Timestamp,
}

/// The market-model result.
#[derive(Debug, Clone, PartialEq)]
pub struct AbnormalMove {
    /// Cumulative abnormal return × 100, rounded half away from zero to 2 places.
    pub abnormal_percent: Decimal,
    /// Cumulative abnormal return as a fraction, unrounded.
    pub car: f64,
    /// OLS slope on the benchmark.
    pub beta: f64,
    /// OLS intercept (daily).
    pub alpha: f64,
    /// Returns in the regression.
    pub estimation_sample: usize,
    /// Day 0: the first session after publication.
    pub day0: Date,
    /// First and last session of the event window.
    pub window: (Date, Date),
}

/// Why the chip has no move (or no abnormal move). Display gives the reason to show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoMove {
    /// No bars at all (up to `now`).
    NoPrices,
    /// Published after `now`.
    PublishedInFuture,
    /// The first price is after publication.
    NoPricesBeforePublication {
        /// Date of the first price.
        first: Date,
    },
    /// Nothing newer than the `from` price.
    NoPricesAfter {
        /// Exchange-local date of the last price.
        last: Date,
    },
    /// The `from` price is zero or negative, so there is no percentage.
    NonPositivePrice {
        /// That price.
        price: Price,
    },
    /// No benchmark was given.
    NoBenchmark,
    /// The event window needs sessions that have not closed yet.
    WindowIncomplete {
        /// The window.
        window: (i32, i32),
        /// Last session available.
        last: Date,
    },
    /// The benchmark's prices stop before the event window ends.
    BenchmarkStale {
        /// Last benchmark date.
        last: Date,
    },
    /// Too few sessions where both series have returns before the window.
    TooFewEstimationSessions {
        /// Overlapping sessions found.
        have: usize,
        /// Sessions required.
        need: usize,
    },
    /// The benchmark did not move during the estimation period (or a value was not finite).
    DegenerateRegression,
}

impl fmt::Display for NoMove {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoMove::NoPrices => write!(f, "no prices for this instrument"),
            NoMove::PublishedInFuture => write!(f, "published after the current time"),
            NoMove::NoPricesBeforePublication { first } => {
                write!(f, "no prices before publication (first price {first})")
            }
            NoMove::NoPricesAfter { last } => write!(f, "no prices after {last}"),
            NoMove::NonPositivePrice { price } => {
                write!(f, "price before publication is {price}, not positive")
            }
            NoMove::NoBenchmark => write!(f, "no benchmark for this instrument"),
            NoMove::WindowIncomplete { window, last } => write!(
                f,
                "event window [{}, {}] not complete: no prices after {last}",
                signed(window.0),
                signed(window.1)
            ),
            NoMove::BenchmarkStale { last } => {
                write!(f, "benchmark has no prices after {last}")
            }
            NoMove::TooFewEstimationSessions { have, need } => write!(
                f,
                "benchmark has fewer than {need} overlapping sessions ({have})"
            ),
            NoMove::DegenerateRegression => {
                write!(f, "benchmark did not move in the estimation period")
            }
        }
    }
}

impl std::error::Error for NoMove {}

impl serde::Serialize for NoMove {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for Move {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Move", 13)?;
        st.serialize_field("change", &self.change)?;
        st.serialize_field("change_percent", &self.change_percent)?;
        let ab = self.abnormal.as_ref().ok();
        st.serialize_field("abnormal_percent", &ab.map(|a| a.abnormal_percent))?;
        st.serialize_field("abnormal_reason", &self.abnormal.as_ref().err())?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("to", &self.to)?;
        st.serialize_field("last", &self.last)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("as_of", &self.as_of)?;
        st.serialize_field("beta", &ab.map(|a| a.beta))?;
        st.serialize_field("alpha", &ab.map(|a| a.alpha))?;
        st.serialize_field("estimation_sample", &ab.map(|a| a.estimation_sample))?;
        st.serialize_field("window", &ab.map(|a| a.window))?;
        st.end()
    }
}

/// A session offset as the issue writes it: `0`, `+1`, `-1`.
fn signed(i: i32) -> String {
    if i == 0 { "0".into() } else { format!("{i:+}") }
}

/// Rounds a percentage half away from zero to exactly two decimals (no negative zero).
pub(crate) fn round_percent(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    r.rescale(2);
    r
}

/// Computes the chip's move for one instrument.
///
/// `now` bounds the data (bars whose session has not closed by `now` and intraday bars after
/// it are ignored), so results are reproducible for any past `now`. `benchmark` is the daily
/// bars of the instrument's benchmark index, aligned by trading date.
///
/// Errors only when there is no change at all; an available change with an unavailable
/// abnormal move is `Ok` with [`Move::abnormal`] set to the reason.
pub fn compute_move(
    instrument: &PriceHistory<'_>,
    benchmark: Option<&[Bar]>,
    published: Timestamp,
    now: Timestamp,
    config: &MoveConfig,
) -> Result<Move, NoMove> {
    if published > now {
        return Err(NoMove::PublishedInFuture);
    }
    let clock = instrument.clock;
    let n_closed = clock
        .last_close_at_or_before(instrument.daily, now)
        .map_or(0, |i| i + 1);
    let bars = &instrument.daily[..n_closed];
    let intraday = &instrument.intraday[..instrument.intraday.partition_point(|b| b.at <= now)];
    if bars.is_empty() && intraday.is_empty() {
        return Err(NoMove::NoPrices);
    }
    let close_point = |i: usize| PricePoint {
        price: bars[i].close,
        at: clock.close_at(bars[i].date),
    };
    let intraday_point = |b: &IntradayBar| PricePoint {
        price: b.close,
        at: b.at,
    };
    let later = |a: Option<PricePoint>, b: Option<PricePoint>| match (a, b) {
        (Some(x), Some(y)) => Some(if y.at > x.at { y } else { x }),
        (x, y) => x.or(y),
    };

    let p = clock.last_close_at_or_before(bars, published);
    let from_intraday = intraday[..intraday.partition_point(|b| b.at <= published)]
        .last()
        .map(intraday_point);
    let Some(from) = later(p.map(close_point), from_intraday) else {
        let first = match (bars.first(), intraday.first()) {
            (Some(b), _) => b.date,
            (None, Some(i)) => clock.local_date(i.at),
            (None, None) => return Err(NoMove::NoPrices),
        };
        return Err(NoMove::NoPricesBeforePublication { first });
    };
    let last = later(
        bars.len().checked_sub(1).map(close_point),
        intraday.last().map(intraday_point),
    )
    .unwrap_or(from);
    if last.at <= from.at {
        return Err(NoMove::NoPricesAfter {
            last: clock.local_date(last.at),
        });
    }
    let horizon = match (config.old_story_sessions, p) {
        (Some(n), Some(p)) if n > 0 && p + n < bars.len() => Some(close_point(p + n)),
        _ => None,
    };
    let to = horizon.unwrap_or(last);
    if !from.price.is_positive() {
        return Err(NoMove::NonPositivePrice { price: from.price });
    }
    let (f, t) = (from.price.to_decimal(), to.price.to_decimal());
    let change = (t - f)
        .checked_div(f)
        .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
        .unwrap_or(Decimal::ZERO);

    let abnormal = match (benchmark, p) {
        (None, _) => Err(NoMove::NoBenchmark),
        (Some(_), None) => Err(NoMove::NoPricesBeforePublication {
            first: bars.first().map_or(clock.local_date(from.at), |b| b.date),
        }),
        (Some(bench), Some(p)) => abnormal_move(bars, bench, p, config),
    };
    Ok(Move {
        last,
        from,
        to,
        to_is_horizon_close: horizon.is_some(),
        change: (t - f).normalize(),
        change_percent: round_percent(change),
        change_percent_unrounded: change,
        abnormal,
        source: instrument.source.to_owned(),
        as_of: instrument.as_of,
    })
}

/// Simple return between two bars: adjusted closes when both have one, closes otherwise.
fn simple_return(prev: &Bar, cur: &Bar) -> Option<f64> {
    let (a, b) = match (prev.adj_close, cur.adj_close) {
        (Some(a), Some(b)) => (a, b),
        _ => (prev.close, cur.close),
    };
    if a.raw() <= 0 {
        return None;
    }
    Some(b.raw() as f64 / a.raw() as f64 - 1.0)
}

fn at_or_before(bench: &[Bar], d: Date) -> Option<&Bar> {
    bench[..bench.partition_point(|b| b.date <= d)].last()
}

/// The market model over `bars` (closed sessions) with the last pre-publication session `p`.
pub(crate) fn abnormal_move(
    bars: &[Bar],
    bench: &[Bar],
    p: usize,
    config: &MoveConfig,
) -> Result<AbnormalMove, NoMove> {
    let (a, b) = config.event_window;
    let (a, b) = (a.min(b), a.max(b));
    let day0 = p as i64 + 1;
    let start = day0 + i64::from(a);
    let end = day0 + i64::from(b);
    let last_date = bars.last().map(|x| x.date).ok_or(NoMove::NoPrices)?;
    if end >= bars.len() as i64 {
        return Err(NoMove::WindowIncomplete {
            window: (a, b),
            last: last_date,
        });
    }
    let need = config.min_estimation_sessions.max(2);
    if start < 1 {
        return Err(NoMove::TooFewEstimationSessions { have: 0, need });
    }
    let (start, end, day0) = (start as usize, end as usize, day0 as usize);
    let bench_last = bench
        .last()
        .map(|x| x.date)
        .ok_or(NoMove::TooFewEstimationSessions { have: 0, need })?;
    if bench_last < bars[end].date {
        return Err(NoMove::BenchmarkStale { last: bench_last });
    }

    // Estimation: the sessions just before the window, where the benchmark has both days.
    let est_from = start.saturating_sub(config.estimation_sessions).max(1);
    let (mut n, mut sx, mut sy) = (0usize, 0.0f64, 0.0f64);
    let mut pairs = Vec::with_capacity(start - est_from);
    // Walk the benchmark alongside the instrument (one binary search, then a merge) rather
    // than searching for every date: the chips of a page stay within a few microseconds.
    let mut j = bench.partition_point(|x| x.date < bars[est_from - 1].date);
    let mut prev_match: Option<&Bar> = None;
    for i in est_from - 1..start {
        let d = bars[i].date;
        while j < bench.len() && bench[j].date < d {
            j += 1;
        }
        let here = bench.get(j).filter(|x| x.date == d);
        if i >= est_from
            && let (Some(m0), Some(m1)) = (prev_match, here)
            && let (Some(x), Some(y)) =
                (simple_return(m0, m1), simple_return(&bars[i - 1], &bars[i]))
        {
            pairs.push((x, y));
            n += 1;
            sx += x;
            sy += y;
        }
        prev_match = here;
    }
    if n < need {
        return Err(NoMove::TooFewEstimationSessions { have: n, need });
    }
    let (mx, my) = (sx / n as f64, sy / n as f64);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for &(x, y) in &pairs {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
    }
    if sxx <= 0.0 || !sxx.is_finite() {
        return Err(NoMove::DegenerateRegression);
    }
    let beta = sxy / sxx;
    let alpha = my - beta * mx;

    // Event window: sum of daily abnormal returns.
    let mut car = 0.0;
    for i in start..=end {
        let (Some(m0), Some(m1)) = (
            at_or_before(bench, bars[i - 1].date),
            at_or_before(bench, bars[i].date),
        ) else {
            return Err(NoMove::TooFewEstimationSessions { have: n, need });
        };
        let (Some(x), Some(y)) = (simple_return(m0, m1), simple_return(&bars[i - 1], &bars[i]))
        else {
            return Err(NoMove::DegenerateRegression);
        };
        car += y - alpha - beta * x;
    }
    let pct = Decimal::try_from(car * 100.0).map_err(|_| NoMove::DegenerateRegression)?;
    Ok(AbnormalMove {
        abnormal_percent: round_percent(pct),
        car,
        beta,
        alpha,
        estimation_sample: n,
        day0: bars.get(day0).map_or(bars[end].date, |x| x.date),
        window: (bars[start].date, bars[end].date),
    })
}
