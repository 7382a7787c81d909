//! Live prices: a [`QuoteProvider`] is asked for the latest quotes of the instruments we keep,
//! on an interval, and every accepted quote is stored as a price tick, so chips and instrument
//! pages show it as the latest price (and the web server drops cached pages that showed an older
//! one). Runs in `serve` and `worker` only when `quotes.url` is configured; nothing else depends on
//! reaching a provider.
//!
//! [`HttpQuotes`] is the provider for any HTTP endpoint that answers with the JSON documented in
//! `newsdesk_market::parse_quotes` (`{"quotes": [{"symbol", "price", "currency", "as_of"}]}`):
//! `quotes.url` holds a `{symbols}` placeholder that is replaced with the comma-separated symbols
//! asked for. It fetches through [`newsdesk_fetch::Fetcher`], so the private-address guard, size
//! cap and timeouts of every other fetch apply.
//!
//! A quote is refused — logged, not stored — when its price is not exact, its symbol was not
//! asked for, its currency differs from the instrument's, or it is stale (`as_of` older than
//! `quotes.max_age_secs`) or from the future. A failed request (HTTP 500, timeout, malformed JSON)
//! stores nothing and is logged with the URL and the reason; the next interval tries again.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use newsdesk_market::{IntradayBar, ParsedQuotes, Quote, parse_quotes};
use newsdesk_store::Store;
use serde::{Deserialize, Serialize};

/// Symbols per provider request.
pub const SYMBOLS_PER_REQUEST: usize = 50;

/// How far in the future a quote's `as_of` may be (clock skew) before it is refused.
pub const FUTURE_SKEW: SignedDuration = SignedDuration::from_secs(300);

/// The `quotes` section of the configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct QuotesConfig {
    /// Quote endpoint with a `{symbols}` placeholder, e.g.
    /// `https://quotes.example.com/v1/latest?symbols={symbols}`. Unset (the default): no live
    /// quotes are fetched.
    pub url: Option<String>,
    /// Seconds between polls. Default 60.
    pub interval_secs: u64,
    /// Symbols to ask for. Default (empty): every instrument in the store.
    pub symbols: Vec<String>,
    /// Quotes older than this many seconds are refused as stale. Default 3600.
    pub max_age_secs: u64,
    /// Source recorded with the stored quotes. Default: the URL's host.
    pub source: Option<String>,
}

impl Default for QuotesConfig {
    fn default() -> Self {
        QuotesConfig {
            url: None,
            interval_secs: 60,
            symbols: Vec::new(),
            max_age_secs: 3600,
            source: None,
        }
    }
}

/// Something that answers "what are the latest prices of these symbols".
pub trait QuoteProvider: Send + Sync {
    /// The source name recorded with stored quotes.
    fn source(&self) -> &str;

    /// The latest quotes of `symbols` (it may answer for fewer). An error means nothing usable
    /// came back.
    fn fetch(
        &self,
        symbols: &[String],
    ) -> impl Future<Output = anyhow::Result<ParsedQuotes>> + Send;
}

/// A [`QuoteProvider`] over HTTP JSON (see the module docs).
#[derive(Debug, Clone)]
pub struct HttpQuotes {
    fetcher: newsdesk_fetch::Fetcher,
    url: String,
    source: String,
}

impl HttpQuotes {
    /// A provider for `url` (with a `{symbols}` placeholder), fetching through `fetcher`.
    pub fn new(
        fetcher: newsdesk_fetch::Fetcher,
        url: &str,
        source: Option<String>,
    ) -> anyhow::Result<Self> {
        if !url.contains("{symbols}") {
            anyhow::bail!("quotes.url {url:?} has no {{symbols}} placeholder");
        }
        let parsed = url::Url::parse(&url.replace("{symbols}", "X"))
            .with_context(|| format!("quotes.url {url:?} is not a URL"))?;
        let source = source
            .or_else(|| parsed.host_str().map(str::to_string))
            .unwrap_or_else(|| "quotes".into());
        Ok(HttpQuotes {
            fetcher,
            url: url.to_string(),
            source,
        })
    }

    /// The URL asked for `symbols`.
    pub fn url_for(&self, symbols: &[String]) -> String {
        let list: Vec<String> = symbols
            .iter()
            .map(|s| url::form_urlencoded::byte_serialize(s.as_bytes()).collect())
            .collect();
        self.url.replace("{symbols}", &list.join(","))
    }
}

impl QuoteProvider for HttpQuotes {
    fn source(&self) -> &str {
        &self.source
    }

    async fn fetch(&self, symbols: &[String]) -> anyhow::Result<ParsedQuotes> {
        let url = self.url_for(symbols);
        let got = self
            .fetcher
            .get(&url, None)
            .await
            .with_context(|| format!("fetching quotes from {url}"))?;
        parse_quotes(&got.body).with_context(|| format!("reading quotes from {url}"))
    }
}

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuotePoll {
    /// Quotes stored as new price ticks.
    pub stored: u64,
    /// Quotes accepted but already stored (same symbol and instant).
    pub known: u64,
    /// Why each refused quote was refused.
    pub refused: Vec<String>,
    /// Requests that failed (nothing from them was stored).
    pub failed: Vec<String>,
}

/// Asks `provider` for `symbols` (every instrument in the store when empty) and stores the
/// acceptable quotes as ticks. Refusals and failed requests are logged and returned; only a store
/// error is an `Err`.
pub async fn poll_quotes<P: QuoteProvider>(
    provider: &P,
    store: &dyn Store,
    symbols: &[String],
    max_age: Duration,
    now: Timestamp,
) -> anyhow::Result<QuotePoll> {
    let instruments: HashMap<String, newsdesk_store::Instrument> = store
        .list_instruments()
        .await?
        .into_iter()
        .map(|i| (i.symbol.clone(), i))
        .collect();
    let symbols: Vec<String> = if symbols.is_empty() {
        let mut all: Vec<String> = instruments.keys().cloned().collect();
        all.sort();
        all
    } else {
        symbols.to_vec()
    };
    let max_age = SignedDuration::try_from(max_age).unwrap_or(SignedDuration::MAX);
    let mut poll = QuotePoll::default();
    for chunk in symbols.chunks(SYMBOLS_PER_REQUEST) {
        let parsed = match provider.fetch(chunk).await {
            Ok(p) => p,
            Err(e) => {
                let why = format!("{e:#}");
                tracing::error!(error = %why, "quote request failed; nothing stored");
                poll.failed.push(why);
                continue;
            }
        };
        poll.refused.extend(parsed.refused);
        for q in parsed.quotes {
            if let Err(why) = check(&q, chunk, &instruments, max_age, now) {
                poll.refused.push(format!("{}: {why}", q.symbol));
                continue;
            }
            let tick = IntradayBar {
                at: q.as_of,
                open: None,
                high: None,
                low: None,
                close: q.price,
                volume: None,
            };
            let n = store
                .store_ticks(&q.symbol, &[tick], provider.source(), q.as_of, now)
                .await
                .with_context(|| format!("storing the quote of {}", q.symbol))?;
            if n > 0 {
                poll.stored += n;
            } else {
                poll.known += 1;
            }
        }
    }
    for why in &poll.refused {
        tracing::warn!(reason = %why, "quote refused");
    }
    Ok(poll)
}

fn check(
    q: &Quote,
    asked: &[String],
    instruments: &HashMap<String, newsdesk_store::Instrument>,
    max_age: SignedDuration,
    now: Timestamp,
) -> Result<(), String> {
    if !asked.contains(&q.symbol) {
        return Err("not asked for".into());
    }
    let age = now.duration_since(q.as_of);
    if age > max_age {
        return Err(format!(
            "stale: as of {}, older than {} s",
            q.as_of,
            max_age.as_secs()
        ));
    }
    if age < -FUTURE_SKEW {
        return Err(format!("as of {}, in the future", q.as_of));
    }
    if let (Some(c), Some(i)) = (&q.currency, instruments.get(&q.symbol)) {
        let iso = i.currency.len() == 3 && i.currency.bytes().all(|b| b.is_ascii_uppercase());
        if iso && !c.eq_ignore_ascii_case(&i.currency) {
            return Err(format!(
                "currency {c}, but {} is priced in {}",
                q.symbol, i.currency
            ));
        }
    }
    Ok(())
}

/// Starts the quote poller when `quotes.url` is configured: a poll right away, then every
/// `quotes.interval_secs`, until `stop` says so. `None` when not configured.
pub fn spawn_if_configured(
    config: &crate::config::Config,
    store: std::sync::Arc<dyn Store>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let q = &config.quotes;
    let Some(url) = q.url.as_deref() else {
        return Ok(None);
    };
    let fetcher =
        newsdesk_fetch::Fetcher::new(config.fetch.clone()).context("setting up the HTTP client")?;
    let provider = HttpQuotes::new(fetcher, url, q.source.clone())?;
    let every = Duration::from_secs(q.interval_secs.max(1));
    let max_age = Duration::from_secs(q.max_age_secs);
    let symbols = q.symbols.clone();
    tracing::info!(url, every_secs = every.as_secs(), "polling quotes");
    Ok(Some(tokio::spawn(async move {
        loop {
            match poll_quotes(
                &provider,
                store.as_ref(),
                &symbols,
                max_age,
                Timestamp::now(),
            )
            .await
            {
                Ok(p) => tracing::info!(
                    stored = p.stored,
                    refused = p.refused.len(),
                    failed = p.failed.len(),
                    "quotes polled"
                ),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "storing quotes failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    })))
}
