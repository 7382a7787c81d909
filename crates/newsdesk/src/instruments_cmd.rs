//! Instrument rows (name, kind, currency, exchange zone and session close, benchmark): what a
//! chip needs besides bars. `newsdesk prices instrument SYMBOL …` sets one; `prices import`
//! creates a missing one from the knowledge base and the exchange of its country, so imported
//! bars give chips without a second step, and says so.

use std::collections::BTreeSet;

use anyhow::Context;
use jiff::civil::Time;
use newsdesk_store::{Instrument, Store};
use newsdesk_tag::Kb;

/// Arguments of `newsdesk prices instrument`.
#[derive(Debug, Clone, clap::Args)]
pub struct InstrumentArgs {
    /// The symbol (`JP225`, `AAPL`); a Reuters code the knowledge base knows (`.N225`) is taken
    /// as its symbol.
    pub symbol: String,
    /// Exchange time zone, IANA name (`Asia/Tokyo`). Default: the stored row's, else the
    /// exchange of the instrument's country.
    #[arg(long)]
    pub zone: Option<String>,
    /// Local time of the session close, `HH:MM` (`15:30`). Default as for `--zone`.
    #[arg(long)]
    pub close: Option<jiff::civil::Time>,
    /// Display name. Default: the stored row's, else the knowledge base's, else the symbol.
    #[arg(long)]
    pub name: Option<String>,
    /// `index`, `equity`, `rate`, `currency`, `commodity`, … Default as for `--name`.
    #[arg(long)]
    pub kind: Option<String>,
    /// Unit of the prices (`JPY`, `USD`, `pts` for an index, `%` for a rate).
    #[arg(long)]
    pub currency: Option<String>,
    /// Benchmark of the market model (abnormal move); `none` clears it.
    #[arg(long)]
    pub benchmark: Option<String>,
}

/// The main exchange of a country: zone, session close (local) and currency. Closes are the
/// current cash-market closes (Tokyo moved to 15:30 on 2024-11-05).
fn exchange_of(country: &str) -> Option<(&'static str, Time, &'static str)> {
    let t = |h, m| jiff::civil::time(h, m, 0, 0);
    Some(match country {
        "US" => ("America/New_York", t(16, 0), "USD"),
        "CA" => ("America/Toronto", t(16, 0), "CAD"),
        "BR" => ("America/Sao_Paulo", t(17, 0), "BRL"),
        "GB" => ("Europe/London", t(16, 30), "GBP"),
        "DE" => ("Europe/Berlin", t(17, 30), "EUR"),
        "FR" => ("Europe/Paris", t(17, 30), "EUR"),
        "EU" => ("Europe/Berlin", t(17, 30), "EUR"),
        "IT" => ("Europe/Rome", t(17, 30), "EUR"),
        "ES" => ("Europe/Madrid", t(17, 30), "EUR"),
        "NL" => ("Europe/Amsterdam", t(17, 30), "EUR"),
        "CH" => ("Europe/Zurich", t(17, 30), "CHF"),
        "JP" => ("Asia/Tokyo", t(15, 30), "JPY"),
        "CN" => ("Asia/Shanghai", t(15, 0), "CNY"),
        "HK" => ("Asia/Hong_Kong", t(16, 0), "HKD"),
        "KR" => ("Asia/Seoul", t(15, 30), "KRW"),
        "TW" => ("Asia/Taipei", t(13, 30), "TWD"),
        "IN" => ("Asia/Kolkata", t(15, 30), "INR"),
        "SG" => ("Asia/Singapore", t(17, 0), "SGD"),
        "AU" => ("Australia/Sydney", t(16, 0), "AUD"),
        _ => return None,
    })
}

/// A row for `symbol` from the knowledge base: its name and kind, and the zone, close and
/// currency of its country's exchange (`pts` for an index, `%` for a rate). `None` when the
/// knowledge base does not know the symbol or its country's exchange.
pub fn default_instrument(kb: &Kb, symbol: &str) -> Option<Instrument> {
    let known = kb.instrument(symbol)?;
    let (zone, close, money) = exchange_of(known.country.as_deref()?)?;
    let kind = known.kind.as_str();
    let currency = match kind {
        "index" => "pts",
        "rate" => "%",
        _ => money,
    };
    Some(Instrument {
        symbol: known.symbol.clone(),
        name: known.name.clone(),
        kind: kind.to_string(),
        currency: currency.to_string(),
        exchange_tz: zone.to_string(),
        session_close: close,
        benchmark_symbol: None,
    })
}

/// Creates the rows of `symbols` that have none and that the knowledge base can describe;
/// returns (created, still without a row). The stored rows are listed once, and the knowledge
/// base is loaded (`kb`) only when some symbol has no row.
pub async fn create_missing(
    store: &dyn Store,
    kb: impl FnOnce() -> anyhow::Result<Kb>,
    symbols: &BTreeSet<String>,
) -> anyhow::Result<(Vec<Instrument>, Vec<String>)> {
    let stored: BTreeSet<String> = store
        .list_instruments()
        .await?
        .into_iter()
        .map(|i| i.symbol)
        .collect();
    let without: Vec<&String> = symbols.difference(&stored).collect();
    let (mut created, mut missing) = (Vec::new(), Vec::new());
    if without.is_empty() {
        return Ok((created, missing));
    }
    let kb = kb()?;
    for symbol in without {
        match default_instrument(&kb, symbol).filter(|i| i.symbol == *symbol) {
            Some(i) => {
                store.upsert_instrument(&i).await?;
                created.push(i);
            }
            None => missing.push(symbol.clone()),
        }
    }
    Ok((created, missing))
}

/// One line describing a row.
pub fn describe(i: &Instrument) -> String {
    format!(
        "{}: {} ({}, {}), {} close {}{}",
        i.symbol,
        i.name,
        i.kind,
        i.currency,
        i.exchange_tz,
        i.session_close.strftime("%H:%M"),
        i.benchmark_symbol
            .as_deref()
            .map(|b| format!(", benchmark {b}"))
            .unwrap_or_default()
    )
}

/// Runs `newsdesk prices instrument`.
pub async fn run_instrument(
    args: &InstrumentArgs,
    store: &dyn Store,
    kb: &Kb,
) -> anyhow::Result<std::process::ExitCode> {
    let symbol = kb
        .instrument(&args.symbol)
        .map_or_else(|| args.symbol.trim().to_string(), |k| k.symbol.clone());
    let stored = store.get_instrument(&symbol).await?;
    let default = default_instrument(kb, &symbol);
    let known = kb.instrument(&symbol);
    let base = stored.or(default);
    let zone = args
        .zone
        .clone()
        .or_else(|| base.as_ref().map(|b| b.exchange_tz.clone()))
        .with_context(|| {
            format!("{symbol}: no exchange time zone known; give one with --zone (e.g. Asia/Tokyo)")
        })?;
    let close = args
        .close
        .or_else(|| base.as_ref().map(|b| b.session_close))
        .with_context(|| {
            format!("{symbol}: no session close known; give one with --close HH:MM")
        })?;
    let benchmark = match args.benchmark.as_deref() {
        Some("none") | Some("") => None,
        Some(b) => Some(
            kb.instrument(b)
                .map_or_else(|| b.to_string(), |k| k.symbol.clone()),
        ),
        None => base.as_ref().and_then(|b| b.benchmark_symbol.clone()),
    };
    let row = Instrument {
        symbol: symbol.clone(),
        name: args
            .name
            .clone()
            .or_else(|| base.as_ref().map(|b| b.name.clone()))
            .or_else(|| known.map(|k| k.name.clone()))
            .unwrap_or_else(|| symbol.clone()),
        kind: args
            .kind
            .clone()
            .or_else(|| base.as_ref().map(|b| b.kind.clone()))
            .unwrap_or_else(|| "unknown".into()),
        currency: args
            .currency
            .clone()
            .or_else(|| base.as_ref().map(|b| b.currency.clone()))
            .unwrap_or_default(),
        exchange_tz: zone,
        session_close: close,
        benchmark_symbol: benchmark,
    };
    store
        .upsert_instrument(&row)
        .await
        .with_context(|| format!("storing the instrument {symbol}"))?;
    println!("instrument {}", describe(&row));
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_symbols_get_their_country_exchange() {
        let kb = Kb::bundled().unwrap();
        let n225 = default_instrument(&kb, ".N225").unwrap();
        assert_eq!(n225.symbol, "JP225");
        assert_eq!(n225.kind, "index");
        assert_eq!(n225.currency, "pts");
        assert_eq!(n225.exchange_tz, "Asia/Tokyo");
        assert_eq!(n225.session_close, jiff::civil::time(15, 30, 0, 0));
        let aapl = default_instrument(&kb, "AAPL").unwrap();
        assert_eq!(
            (aapl.kind.as_str(), aapl.currency.as_str()),
            ("equity", "USD")
        );
        assert_eq!(aapl.exchange_tz, "America/New_York");
        assert!(default_instrument(&kb, "ZZNOTREAL").is_none());
        // Every zone in the table is a real IANA zone.
        for c in [
            "US", "CA", "BR", "GB", "DE", "FR", "EU", "IT", "ES", "NL", "CH", "JP", "CN", "HK",
            "KR", "TW", "IN", "SG", "AU",
        ] {
            let (zone, _, _) = exchange_of(c).unwrap();
            jiff::tz::TimeZone::get(zone).unwrap();
        }
    }
}
