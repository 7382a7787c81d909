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
//! The crate is pure: it reads only the bytes and values handed to it (zone rules come from
//! jiff's time-zone database).

mod bar;
mod error;
mod moves;
mod parse;
mod price;
mod session;

pub use bar::{Bar, Correction, IntradayBar, MergeOutcome, PricePoint, merge_daily};
pub use error::{PriceError, PriceErrorKind};
pub use moves::{AbnormalMove, Move, MoveConfig, NoMove, PriceHistory, compute_move};
pub use parse::{DateOrder, Layout, ParseOptions, ParsedPrices, Series, parse_prices};
pub use price::{PRICE_SCALE, Price, PriceParseError};
pub use session::ExchangeClock;
