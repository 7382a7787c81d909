//! The price part of instrument chips: each (story, instrument) pair's move since publication and
//! abnormal move, computed with `newsdesk-market` from the store's bars.
//!
//! A page asks [`PriceBook::load`] for the symbols it shows; every symbol's bars (and its
//! benchmark's) are read once per request, then [`PriceBook::move_for`] is pure arithmetic per
//! chip. Where a figure cannot be given, the result says why in words
//! ("no prices after 2017-11-10", "no prices for VIX"), never a bare dash.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::Ordering;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_market::{
    Bar, ExchangeClock, IntradayBar, Move, MoveConfig, PriceHistory, compute_move,
};
use newsdesk_store::{Instrument, Store};

use crate::error::AppError;
use crate::state::AppState;

/// One symbol's prices as loaded for a request.
#[derive(Debug)]
struct Loaded {
    instrument: Option<Instrument>,
    bars: Vec<Bar>,
    /// Quotes (price ticks) after the last bar's close, oldest first.
    ticks: Vec<IntradayBar>,
    /// Source and as-of time of the latest price (the newest tick when there is one).
    source: String,
    as_of: Timestamp,
}

/// At most this many quotes after the last daily close are read per symbol (a trading day of
/// one-minute quotes is ~400).
pub const MAX_TICKS: u32 = 2_000;

/// Calendar days of bars read before the earliest publication on a page: 120 estimation sessions
/// plus the window need about 180 calendar days; 400 leaves room for long holidays and for
/// benchmarks on other calendars.
pub const HISTORY_DAYS: i64 = 400;

/// The prices a page needs, read once per request.
#[derive(Debug, Default)]
pub struct PriceBook {
    series: HashMap<String, Loaded>,
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

    /// Reads instrument rows and all daily bars of `symbols` and of their benchmarks.
    /// Bars dated before `since` are not read (`None`: the whole history, for charts).
    pub async fn load(
        store: &dyn Store,
        symbols: BTreeSet<String>,
        since: Option<jiff::civil::Date>,
    ) -> Result<PriceBook, AppError> {
        let mut book = PriceBook::default();
        let mut wanted = symbols;
        // Two rounds: the symbols, then benchmarks they name that are not loaded yet.
        for _ in 0..2 {
            let mut next = BTreeSet::new();
            for symbol in std::mem::take(&mut wanted) {
                if book.series.contains_key(&symbol) {
                    continue;
                }
                let instrument = store.get_instrument(&symbol).await?;
                if let Some(b) = instrument.as_ref().and_then(|i| i.benchmark_symbol.clone()) {
                    next.insert(b);
                }
                let last = store.last_bar(&symbol).await?;
                let (bars, mut source, mut as_of) = match last {
                    Some(l) => {
                        let mut bars = store.bars(&symbol, since, None).await?;
                        if bars.is_empty() {
                            // Every price is older than the page needs: the last one still
                            // says how old ("no prices after 2017-11-10").
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
                    && let Some(t) = store.last_tick(&symbol).await?
                    && t.tick.at > close
                {
                    ticks = store.ticks(&symbol, Some(close), MAX_TICKS).await?;
                    source = t.source;
                    as_of = t.as_of;
                }
                book.series.insert(
                    symbol,
                    Loaded {
                        instrument,
                        bars,
                        ticks,
                        source,
                        as_of,
                    },
                );
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

/// Drops cached article pages whose chips show instruments named in the price change log since
/// the last call (bar imports, stored quotes), so a page never keeps an old figure. Called by the
/// change-log poller.
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
        tracing::debug!(symbols = symbols.len(), dropped, "prices changed");
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
pub fn chip_text(m: &Move) -> String {
    let sign = |d: &rust_decimal::Decimal| {
        if d.is_sign_negative() || d.is_zero() {
            d.to_string()
        } else {
            format!("+{d}")
        }
    };
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
