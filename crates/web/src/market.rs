//! The price part of instrument chips: each (story, instrument) pair's move since publication and
//! abnormal move, computed with `newsdesk-market` from the store's bars.
//!
//! A page asks [`PriceBook::load`] for the symbols it shows; every symbol's prices (and its
//! benchmark's) come from the process-wide [`SeriesCache`], read from the store only on a miss,
//! then [`PriceBook::move_for`] is pure arithmetic per chip. Where a figure cannot be given, the
//! result says why in words ("no prices after 2017-11-10", "no prices for VIX"), never a bare
//! dash.
//!
//! The cache holds a symbol's daily bars (since the earliest day a page asked for: a list of
//! recent stories needs a year or so, a chart the whole history), its quotes after the last
//! close, its instrument row, and the fact that there is none of these (so a chip without data
//! costs no query either). The change-log poller drops the symbols the price change log names (bar
//! imports and corrections, stored quotes, changed instrument rows), on every node, as it drops
//! cached pages; the same epoch rule as [`crate::cache`] keeps a read that raced an
//! invalidation from being cached.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_market::{
    Bar, ExchangeClock, IntradayBar, Move, MoveConfig, PriceHistory, compute_move,
};
use newsdesk_store::{Instrument, Store};

use crate::error::AppError;
use crate::state::AppState;

/// One symbol's prices as read from the store.
#[derive(Debug)]
pub struct Series {
    instrument: Option<Instrument>,
    /// The first day read (`None`: the whole history).
    since: Option<jiff::civil::Date>,
    /// The daily bars since `since`, oldest first; when all are older, the last one alone (so
    /// the chip can say how old the prices are).
    bars: Vec<Bar>,
    /// Quotes (price ticks) after the last bar's close, oldest first.
    ticks: Vec<IntradayBar>,
    /// Source and as-of time of the latest price (the newest tick when there is one).
    source: String,
    as_of: Timestamp,
}

impl Series {
    /// Reads `symbol`'s instrument row, its daily bars dated `since` or later (`None`: all)
    /// and the quotes after its last close.
    pub async fn read(
        store: &dyn Store,
        symbol: &str,
        since: Option<jiff::civil::Date>,
    ) -> Result<Series, AppError> {
        let instrument = store.get_instrument(symbol).await?;
        let last = store.last_bar(symbol).await?;
        let (bars, mut source, mut as_of) = match last {
            Some(l) => {
                let mut bars = store.bars(symbol, since, None).await?;
                if bars.is_empty() {
                    // Every price is older than the page needs: the last one still says how
                    // old ("no prices after 2017-11-10").
                    bars.push(l.bar);
                }
                (bars, l.source, l.as_of)
            }
            None => (Vec::new(), String::new(), Timestamp::UNIX_EPOCH),
        };
        // Quotes newer than the last daily close make the latest price.
        let mut ticks = Vec::new();
        let last_close = match (bars.last(), instrument.as_ref().and_then(clock_of)) {
            (Some(b), Some(clock)) => Some(clock.close_at(b.date)),
            _ => None,
        };
        if let Some(close) = last_close
            && let Some(t) = store.last_tick(symbol).await?
            && t.tick.at > close
        {
            ticks = store.ticks(symbol, Some(close), MAX_TICKS).await?;
            source = t.source;
            as_of = t.as_of;
        }
        Ok(Series {
            instrument,
            since,
            bars,
            ticks,
            source,
            as_of,
        })
    }

    /// True when the series holds every bar dated `since` or later.
    fn covers(&self, since: Option<jiff::civil::Date>) -> bool {
        match (self.since, since) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(have), Some(want)) => have <= want,
        }
    }

    /// What the series costs the cache: its bars and quotes, and one for the rest.
    fn weight(&self) -> usize {
        self.bars.len() + self.ticks.len() + 1
    }
}

/// At most this many quotes after the last daily close are read per symbol (a trading day of
/// one-minute quotes is ~400).
pub const MAX_TICKS: u32 = 2_000;

/// Calendar days of bars read before the earliest publication on a page: 120 estimation sessions
/// plus the window need about 180 calendar days; 400 leaves room for long holidays and for
/// benchmarks on other calendars.
pub const HISTORY_DAYS: i64 = 400;

/// Symbols' prices shared by all requests of a process (see the module docs): an
/// [`crate::cache::Lru`] weighted by bars and quotes; an eviction drops the least recently used
/// symbols until a quarter of the budget is free, so a full cache does not evict on every insert.
#[derive(Debug)]
pub struct SeriesCache(crate::cache::Lru<String, Arc<Series>>);

impl SeriesCache {
    /// A cache of about `max_bars` bars and quotes (0: nothing is kept).
    pub fn new(max_bars: usize) -> SeriesCache {
        let max = max_bars as u64;
        SeriesCache(crate::cache::Lru::new(usize::MAX, max, 0, max - max / 4))
    }

    /// The current epoch; read it before reading the store, pass it to [`SeriesCache::insert`].
    pub fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    /// The cached series of `symbol`, marking it used.
    pub fn get(&self, symbol: &str) -> Option<Arc<Series>> {
        self.0.get(symbol)
    }

    /// Keeps `series`, read from the store after [`SeriesCache::epoch`] gave `epoch`; skipped
    /// when an invalidation happened since (it may be stale) or it alone exceeds the budget.
    pub fn insert(&self, symbol: &str, series: Arc<Series>, epoch: u64) {
        let weight = series.weight() as u64;
        self.0.insert(symbol.to_string(), series, weight, epoch);
    }

    /// Drops `symbols`; returns how many were held.
    pub fn invalidate(&self, symbols: &HashSet<String>) -> usize {
        if symbols.is_empty() {
            return 0;
        }
        self.0.remove(symbols.iter().map(String::as_str))
    }

    /// Symbols held, and their bars and quotes.
    pub fn held(&self) -> (usize, u64) {
        let (n, weight) = self.0.stats();
        (n as usize, weight)
    }
}

/// The prices a page needs.
#[derive(Debug, Default)]
pub struct PriceBook {
    series: HashMap<String, Arc<Series>>,
}

/// A chip's move, or why there is none.
pub type MoveResult = Result<Move, String>;

impl PriceBook {
    /// The distinct symbols linked to `summaries`.
    pub fn symbols_of<'a>(
        summaries: impl IntoIterator<Item = &'a newsdesk_store::ArticleSummary>,
    ) -> BTreeSet<String> {
        summaries
            .into_iter()
            .flat_map(|s| s.instruments.iter().map(|l| l.symbol.clone()))
            .collect()
    }

    /// The earliest day a page's chips need bars from: [`HISTORY_DAYS`] before the earliest
    /// publication among `summaries` (the estimation period plus the window), so a list of
    /// recent stories reads a year or so of bars per symbol rather than its whole history.
    pub fn since_for<'a>(
        summaries: impl IntoIterator<Item = &'a newsdesk_store::ArticleSummary>,
    ) -> Option<jiff::civil::Date> {
        let first = summaries
            .into_iter()
            .filter_map(|s| s.published.as_ref().map(|p| p.instant))
            .min()?;
        let date = TimeZone::UTC.to_datetime(first).date();
        date.checked_sub(jiff::Span::new().days(HISTORY_DAYS)).ok()
    }

    /// The prices of `symbols` and of the benchmarks they name, with the bars dated `since` or
    /// later (`None`: all, for charts), from `cache` or, for a symbol it does not hold that far
    /// back, from the store (and then kept).
    pub async fn load(
        store: &dyn Store,
        cache: &SeriesCache,
        symbols: BTreeSet<String>,
        since: Option<jiff::civil::Date>,
    ) -> Result<PriceBook, AppError> {
        let mut book = PriceBook::default();
        let mut wanted = symbols;
        let epoch = cache.epoch();
        // Two rounds: the symbols, then benchmarks they name that are not loaded yet.
        for _ in 0..2 {
            let mut next = BTreeSet::new();
            for symbol in std::mem::take(&mut wanted) {
                if book.series.contains_key(&symbol) {
                    continue;
                }
                let series = match cache.get(&symbol).filter(|s| s.covers(since)) {
                    Some(s) => s,
                    None => {
                        let s = Arc::new(Series::read(store, &symbol, since).await?);
                        cache.insert(&symbol, s.clone(), epoch);
                        s
                    }
                };
                if let Some(b) = series
                    .instrument
                    .as_ref()
                    .and_then(|i| i.benchmark_symbol.clone())
                {
                    next.insert(b);
                }
                book.series.insert(symbol, series);
            }
            wanted = next;
        }
        Ok(book)
    }

    /// The move of `symbol` for a story published at `published`, as seen at `now`.
    pub fn move_for(
        &self,
        symbol: &str,
        published: Option<Timestamp>,
        now: Timestamp,
    ) -> MoveResult {
        let Some(loaded) = self.series.get(symbol) else {
            return Err(format!("no prices for {symbol}"));
        };
        if loaded.bars.is_empty() {
            return Err(format!("no prices for {symbol}"));
        }
        let Some(published) = published else {
            return Err("the story has no publication time".into());
        };
        let Some(clock) = loaded.instrument.as_ref().and_then(clock_of) else {
            return Err(format!("no exchange time zone for {symbol}"));
        };
        let benchmark = loaded
            .instrument
            .as_ref()
            .and_then(|i| i.benchmark_symbol.as_deref())
            .filter(|b| *b != symbol)
            .and_then(|b| self.series.get(b))
            .map(|l| l.bars.as_slice());
        let history = PriceHistory {
            daily: &loaded.bars,
            intraday: &loaded.ticks,
            clock: &clock,
            source: &loaded.source,
            as_of: loaded.as_of,
        };
        compute_move(&history, benchmark, published, now, &MoveConfig::default())
            .map_err(|why| why.to_string())
    }

    /// The stored kind of `symbol`'s instrument (`index`, `equity`, `rate`, …).
    pub fn kind(&self, symbol: &str) -> Option<&str> {
        self.series
            .get(symbol)
            .and_then(|s| s.instrument.as_ref())
            .map(|i| i.kind.as_str())
    }

    /// Every symbol loaded (the page's instruments and their benchmarks): the prices its chips
    /// depend on.
    pub fn symbols(&self) -> impl Iterator<Item = String> + '_ {
        self.series.keys().cloned()
    }

    /// The bars, instrument, source and as-of time loaded for `symbol`.
    pub fn series(&self, symbol: &str) -> Option<(&[Bar], Option<&Instrument>, &str, Timestamp)> {
        self.series.get(symbol).map(|l| {
            (
                l.bars.as_slice(),
                l.instrument.as_ref(),
                l.source.as_str(),
                l.as_of,
            )
        })
    }
}

/// Drops the cached prices and article pages of the instruments named in the price change log
/// since the last call (bar imports, stored quotes, changed instrument rows), so neither keeps an
/// old figure. Called by the change-log poller.
pub(crate) async fn drop_pages_with_changed_prices(st: &AppState) -> Result<(), String> {
    const BATCH: u32 = 10_000;
    loop {
        let after = st.prices_seen.load(Ordering::Acquire);
        let changes = st
            .store
            .price_changes_since(after, BATCH)
            .await
            .map_err(|e| format!("reading the price change log: {e}"))?;
        let Some(last) = changes.last() else {
            return Ok(());
        };
        let symbols: HashSet<String> = changes.iter().map(|c| c.symbol.clone()).collect();
        let dropped = st.pages.invalidate_prices(&symbols);
        let series = st.series.invalidate(&symbols);
        tracing::debug!(symbols = symbols.len(), dropped, series, "prices changed");
        st.prices_seen.store(last.seq, Ordering::Release);
        if changes.len() < BATCH as usize {
            return Ok(());
        }
    }
}

/// The exchange clock of an instrument row.
pub fn clock_of(i: &Instrument) -> Option<ExchangeClock> {
    let tz = TimeZone::get(&i.exchange_tz).ok()?;
    Some(ExchangeClock::new(tz, i.session_close))
}

/// The chip text of a move: `+1.23% (abn +0.80%)`, or `+1.23%` when there is no abnormal move.
/// A rate (`kind` `rate`: a yield or policy rate quoted in percent) moves in basis points
/// (`+14 bp`): a relative change of a yield says little.
pub fn chip_text(m: &Move, kind: Option<&str>) -> String {
    let sign = |d: &rust_decimal::Decimal| {
        if d.is_sign_negative() || d.is_zero() {
            d.to_string()
        } else {
            format!("+{d}")
        }
    };
    if kind == Some("rate") {
        let bp = (m.change * rust_decimal::Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        let bp = if bp.is_zero() {
            rust_decimal::Decimal::ZERO
        } else {
            bp
        };
        return format!("{} bp", sign(&bp));
    }
    match &m.abnormal {
        Ok(a) => format!(
            "{}% (abn {}%)",
            sign(&m.change_percent),
            sign(&a.abnormal_percent)
        ),
        Err(_) => format!("{}%", sign(&m.change_percent)),
    }
}

/// The chip's tooltip: prices and times of `from` and `to`, the abnormal move or why not, the
/// source and as-of time.
pub fn chip_detail(m: &Move) -> String {
    let abn = match &m.abnormal {
        Ok(a) => format!(
            "abnormal {}% vs benchmark (β {:.2}, {} sessions, window {}..{})",
            a.abnormal_percent, a.beta, a.estimation_sample, a.window.0, a.window.1
        ),
        Err(why) => format!("abnormal move: {why}"),
    };
    format!(
        "{} at {} → {} at {}; {}; source {}, as of {}",
        m.from.price, m.from.at, m.to.price, m.to.at, abn, m.source, m.as_of
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jiff::civil::date;
    use newsdesk_market::Price;

    fn series(bars: usize) -> Arc<Series> {
        let day0 = date(2020, 1, 1);
        Arc::new(Series {
            instrument: None,
            since: None,
            bars: (0..bars)
                .map(|i| {
                    Bar::close_only(
                        day0.checked_add(jiff::Span::new().days(i as i64)).unwrap(),
                        Price::parse("1").unwrap(),
                    )
                })
                .collect(),
            ticks: Vec::new(),
            source: "test".into(),
            as_of: Timestamp::UNIX_EPOCH,
        })
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_kept() {
        let cache = SeriesCache::new(1_000);
        let before = cache.epoch();
        cache.invalidate(&HashSet::from(["A".to_string()]));
        cache.insert("A", series(3), before);
        assert!(cache.get("A").is_none());
        cache.insert("A", series(3), cache.epoch());
        assert_eq!(cache.get("A").unwrap().bars.len(), 3);
        assert_eq!(cache.held(), (1, 4));
        assert_eq!(cache.invalidate(&HashSet::from(["A".to_string()])), 1);
        assert_eq!(cache.held(), (0, 0));
    }

    #[test]
    fn the_least_recently_used_symbols_go_first_when_over_budget() {
        let cache = SeriesCache::new(100);
        for s in ["A", "B", "C"] {
            cache.insert(s, series(29), cache.epoch());
        }
        assert!(cache.get("A").is_some(), "A used last");
        cache.insert("D", series(29), cache.epoch());
        // 120 > 100: B and C (least recently used) go until at most 75 remain.
        assert!(cache.get("B").is_none() && cache.get("C").is_none());
        assert!(cache.get("A").is_some() && cache.get("D").is_some());
        assert_eq!(cache.held(), (2, 60));
        // A series over the whole budget is never kept; a budget of 0 keeps nothing.
        cache.insert("E", series(100), cache.epoch());
        assert!(cache.get("E").is_none());
        let off = SeriesCache::new(0);
        off.insert("A", series(1), off.epoch());
        assert_eq!(off.held(), (0, 0));
    }

    #[test]
    fn a_rate_moves_in_basis_points_and_a_price_in_percent() {
        let clock = ExchangeClock::new(
            TimeZone::get("America/New_York").unwrap(),
            jiff::civil::time(16, 0, 0, 0),
        );
        let bars: Vec<Bar> = [
            ("2024-06-17", "4.00"),
            ("2024-06-18", "4.145"),
            ("2024-06-19", "3.9"),
        ]
        .iter()
        .map(|(d, p)| Bar::close_only(d.parse().unwrap(), Price::parse(p).unwrap()))
        .collect();
        let history = PriceHistory {
            daily: &bars,
            intraday: &[],
            clock: &clock,
            source: "test",
            as_of: Timestamp::UNIX_EPOCH,
        };
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let config = MoveConfig {
            old_story_sessions: None,
            ..MoveConfig::default()
        };
        let published = at("2024-06-17T21:00:00Z");
        let up = compute_move(
            &history,
            None,
            published,
            at("2024-06-18T21:00:00Z"),
            &config,
        )
        .unwrap();
        assert_eq!(up.change.to_string(), "0.145");
        assert_eq!(chip_text(&up, Some("rate")), "+14.5 bp");
        assert_eq!(chip_text(&up, Some("index")), "+3.63%");
        let down = compute_move(
            &history,
            None,
            published,
            at("2024-06-19T21:00:00Z"),
            &config,
        )
        .unwrap();
        assert_eq!(chip_text(&down, Some("rate")), "-10 bp");
        assert_eq!(chip_text(&down, None), "-2.50%");
    }

    #[test]
    fn a_series_read_from_a_day_serves_only_pages_needing_that_day_or_later() {
        let d = |s: &str| Some(s.parse::<jiff::civil::Date>().unwrap());
        let mut s = Arc::try_unwrap(series(1)).unwrap();
        s.since = d("2024-01-01");
        assert!(s.covers(d("2024-01-01")) && s.covers(d("2024-06-01")));
        assert!(!s.covers(d("2023-12-31")), "a page with older stories");
        assert!(!s.covers(None), "a chart needs the whole history");
        s.since = None;
        assert!(s.covers(None) && s.covers(d("1990-01-01")));
    }
}
