//! Live quotes: the JSON a quote provider answers with, read exactly.
//!
//! The shape (a bare array of the same objects is accepted too):
//!
//! ```json
//! {"quotes": [
//!   {"symbol": "AAPL", "price": "189.91", "currency": "USD", "as_of": "2024-06-19T15:22:45-04:00"},
//!   {"symbol": "JP225", "price": 38633.02, "currency": "JPY",
//!    "as_of": "2024-06-20T15:00:00+09:00[Asia/Tokyo]"}
//! ]}
//! ```
//!
//! - `symbol`: required, non-empty.
//! - `price`: a decimal string or a JSON number, read from its text (never through `f64`) into a
//!   [`Price`]: `0.30000000000000004` (a float sum printed in full) is refused rather than
//!   rounded, `1e3` too; a price must be positive.
//! - `currency`: optional ISO 4217 code (or `pts` for index levels).
//! - `as_of`: required, RFC 3339 with a UTC offset (`Z`, `-04:00`), optionally followed by an
//!   IANA zone in brackets; a time without an offset is refused (it names no instant).
//!
//! A malformed document is one [`QuoteError`]; a bad entry in a good document is refused on its
//! own ([`ParsedQuotes::refused`]) and the others are kept.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::price::Price;

/// One quote: the price of `symbol` at `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The instrument.
    pub symbol: String,
    /// The price, exact.
    pub price: Price,
    /// Its currency, when the provider says.
    pub currency: Option<String>,
    /// When the price was current.
    pub as_of: Timestamp,
}

/// A document that is not the quote JSON at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quotes: {0}")]
pub struct QuoteError(pub String);

/// What [`parse_quotes`] read: the good quotes and, per refused entry, why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuotes {
    /// Quotes in document order.
    pub quotes: Vec<Quote>,
    /// `entry N (SYMBOL): reason` for every entry that was refused.
    pub refused: Vec<String>,
}

#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    quotes: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    symbol: Option<String>,
    #[serde(borrow)]
    price: Option<&'a RawValue>,
    currency: Option<String>,
    as_of: Option<String>,
}

/// Reads a quote provider's answer (see the module docs for the shape).
pub fn parse_quotes(bytes: &[u8]) -> Result<ParsedQuotes, QuoteError> {
    let text = std::str::from_utf8(bytes).map_err(|e| QuoteError(format!("not UTF-8: {e}")))?;
    let shape = |e: serde_json::Error| {
        QuoteError(format!(
            "not the quote JSON ({{\"quotes\": [{{\"symbol\", \"price\", \"currency\", \"as_of\"}}]}}): {e}"
        ))
    };
    // Not an untagged enum: serde buffers those, which loses the raw number text.
    let entries: Vec<&RawValue> = if text.trim_start().starts_with('[') {
        serde_json::from_str(text).map_err(shape)?
    } else {
        serde_json::from_str::<Wrapped<'_>>(text)
            .map_err(shape)?
            .quotes
    };
    let mut out = ParsedQuotes::default();
    for (i, raw) in entries.iter().enumerate() {
        match entry(raw) {
            Ok(q) => out.quotes.push(q),
            Err((symbol, why)) => out.refused.push(match symbol {
                Some(s) => format!("entry {} ({s}): {why}", i + 1),
                None => format!("entry {}: {why}", i + 1),
            }),
        }
    }
    Ok(out)
}

fn entry(raw: &RawValue) -> Result<Quote, (Option<String>, String)> {
    let e: Entry<'_> =
        serde_json::from_str(raw.get()).map_err(|e| (None, format!("not a quote object: {e}")))?;
    let symbol = e
        .symbol
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or((None, "no symbol".to_string()))?;
    let fail = |why: String| (Some(symbol.clone()), why);
    let price = e.price.ok_or_else(|| fail("no price".into()))?;
    let text = price.get().trim();
    let digits = if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(|e| fail(format!("price: {e}")))?
    } else {
        text.to_string()
    };
    let price = Price::parse(digits.trim())
        .map_err(|e| fail(format!("price {digits:?} is not an exact price: {e}")))?;
    if price.raw() <= 0 {
        return Err(fail(format!("price {price} is not positive")));
    }
    let currency = e
        .currency
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let as_of = e.as_of.ok_or_else(|| fail("no as_of time".into()))?;
    let as_of = parse_instant(&as_of).map_err(|why| fail(format!("as_of {as_of:?}: {why}")))?;
    Ok(Quote {
        symbol,
        price,
        currency,
        as_of,
    })
}

/// RFC 3339 with an offset, optionally with a bracketed zone (which must agree with it).
fn parse_instant(s: &str) -> Result<Timestamp, String> {
    let s = s.trim();
    let (instant, zone) = match s.strip_suffix(']').and_then(|r| r.split_once('[')) {
        Some((instant, zone)) => (instant, Some(zone)),
        None => (s, None),
    };
    if let Some(zone) = zone {
        jiff::tz::TimeZone::get(zone).map_err(|e| format!("zone {zone:?}: {e}"))?;
    }
    instant.parse::<Timestamp>().map_err(|e| {
        format!("{e} (an RFC 3339 time with a UTC offset, e.g. 2024-06-19T15:22:45-04:00)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strings_and_numbers_exactly_and_refuses_bad_entries() {
        let doc = br#"{"quotes": [
            {"symbol": "AAPL", "price": "189.91", "currency": "USD", "as_of": "2024-06-19T15:22:45-04:00"},
            {"symbol": "X", "price": 0.1, "as_of": "2024-06-19T19:22:45Z"},
            {"symbol": "JP225", "price": 38633.02, "currency": "JPY", "as_of": "2024-06-20T15:00:00+09:00[Asia/Tokyo]"},
            {"symbol": "FLOAT", "price": 0.30000000000000004, "as_of": "2024-06-19T19:22:45Z"},
            {"symbol": "NOZONE", "price": "1", "as_of": "2024-06-19T15:22:45"},
            {"symbol": "EXP", "price": 1e3, "as_of": "2024-06-19T19:22:45Z"},
            {"symbol": "NEG", "price": "-1", "as_of": "2024-06-19T19:22:45Z"},
            {"price": "1", "as_of": "2024-06-19T19:22:45Z"},
            "nonsense"
        ]}"#;
        let p = parse_quotes(doc).unwrap();
        let got: Vec<_> = p
            .quotes
            .iter()
            .map(|q| (q.symbol.as_str(), q.price.to_string(), q.as_of.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("AAPL", "189.91".into(), "2024-06-19T19:22:45Z".into()),
                ("X", "0.1".into(), "2024-06-19T19:22:45Z".into()),
                ("JP225", "38633.02".into(), "2024-06-20T06:00:00Z".into()),
            ]
        );
        assert_eq!(p.quotes[1].price.raw(), 10_000_000);
        assert_eq!(p.quotes[0].currency.as_deref(), Some("USD"));
        assert_eq!(p.refused.len(), 6, "{:?}", p.refused);
        assert!(p.refused[0].starts_with("entry 4 (FLOAT): price \"0.30000000000000004\""));
        assert!(
            p.refused[1].contains("entry 5 (NOZONE): as_of"),
            "{}",
            p.refused[1]
        );
        assert!(p.refused[2].starts_with("entry 6 (EXP): price"));
        assert_eq!(p.refused[3], "entry 7 (NEG): price -1 is not positive");
        assert_eq!(p.refused[4], "entry 8: no symbol");
        assert!(p.refused[5].starts_with("entry 9: not a quote object"));
    }

    #[test]
    fn a_bare_array_works_and_malformed_documents_are_one_error() {
        let p = parse_quotes(br#"[{"symbol":"A","price":"2","as_of":"2024-01-02T03:04:05Z"}]"#)
            .unwrap();
        assert_eq!(p.quotes.len(), 1);
        for bad in [
            &b"{\"quotes\": [}"[..],
            b"",
            b"<html>",
            b"{\"data\": 1}",
            b"\xff",
        ] {
            let e = parse_quotes(bad).unwrap_err();
            assert!(e.to_string().starts_with("quotes: "), "{e}");
        }
    }
}
