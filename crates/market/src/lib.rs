//! Market data for newsdesk: exact prices, price files, exchange sessions, and the
//! instrument chip's move since publication.
//!
//! - [`Price`] is an exact fixed-point price (8 decimals in an `i64`, parsed from text, never
//!   from a float); arithmetic goes through `rust_decimal`.
//! - [`parse_prices`] reads CSV (layouts detected by header: OHLCV, `date,close`, a symbol
//!   column, wide `Date,<symbol>…`, header-less) and JSON into sorted [`Series`] of [`Bar`]s,
//!   with errors that name the file, line and field ([`PriceError`]).
//! - [`ExchangeClock`] maps an instant in any zone to the last session closed at or before it.
//! - [`compute_move`] computes the chip: the change since publication and the abnormal move
//!   against a benchmark (market model), or a [`NoMove`] that says why not.
//!
//! ```
//! use newsdesk_market::{ExchangeClock, MoveConfig, ParseOptions, PriceHistory, compute_move, parse_prices};
//!
//! let csv = b"Date,Close\n2023-05-08,100\n2023-05-09,104.5\n2023-05-10,103\n";
//! let parsed = parse_prices(csv, &ParseOptions::new("x.csv").with_symbol("XYZ"))?;
//! let clock = ExchangeClock::for_mic("XNYS").expect("a known exchange");
//! let history = PriceHistory {
//!     daily: &parsed.series[0].daily,
//!     intraday: &[],
//!     clock: &clock,
//!     source: "example",
//!     as_of: "2023-05-11T00:00:00Z".parse()?,
//! };
//! // 10:57 in New York on 2023-05-09: during the session, so `from` is 05-08's close.
//! let published = "2023-05-09T10:57:00-04:00".parse()?;
//! let m = compute_move(&history, None, published, history.as_of, &MoveConfig::default())?;
//! assert_eq!(m.from.price.to_string(), "100");
//! assert_eq!(m.change_percent.to_string(), "3.00");
//! assert_eq!(m.abnormal.unwrap_err().to_string(), "no benchmark for this instrument");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crate is pure: it reads only the bytes and values handed to it (zone rules come from
//! jiff's time-zone database).

mod bar;
mod error;
mod moves;
mod parse;
mod price;
mod quotes;
mod session;

pub use bar::{Bar, Correction, IntradayBar, MergeOutcome, PricePoint, merge_daily};
pub use error::{PriceError, PriceErrorKind};
pub use moves::{AbnormalMove, Move, MoveConfig, NoMove, PriceHistory, compute_move};
pub use parse::{DateOrder, Layout, ParseOptions, ParsedPrices, Series, parse_prices};
pub use price::{PRICE_SCALE, Price, PriceParseError};
pub use quotes::{ParsedQuotes, Quote, QuoteError, parse_quotes};
pub use session::ExchangeClock;
