//! Feed and OPML parsing for ingestion. Pure: bytes in, our model out; no IO, no async.
//!
//! - [`parse_feed`] reads RSS 0.9x/1.0/2.0, Atom and JSON Feed (through feed-rs) into
//!   [`ParsedFeed`]: plain-text titles and summaries, raw content HTML for the caller to
//!   sanitise, absolute `http(s)` URLs only, instants for dates, a content hash per item, and
//!   warnings for everything dropped or repaired. Hostile input (entity bombs, external
//!   entities, wrong encodings, huge feeds, scripts in titles) is handled as the crate's
//!   README describes.
//! - [`parse_opml`] and [`write_opml`] read and write subscription lists.
//!
//! Fetching, scheduling and storing subscriptions live elsewhere; they call this crate.

pub mod dates;
pub mod model;
pub mod opml;
pub mod parse;
pub mod prepare;
pub mod text;
mod warn;

pub use model::{FULL_TEXT_MIN_CHARS, FeedItem, FeedKind, ParsedFeed};
pub use opml::{Opml, OpmlError, OpmlFeed, parse_opml, write_opml};
pub use parse::{FeedError, FeedHint, ParseLimits, parse_feed, parse_feed_with};
