//! Instrument tagging for newsdesk: which instruments a story moves, and why.
//!
//! - [`Kb`] is the knowledge base: SEC-listed equities, ISO 10383 exchanges, hand-written
//!   indices, currencies, commodities, rates and crypto, countries (names, adjectives, cities →
//!   benchmark index and currency), central banks and other institutions, places. It is bundled
//!   ([`Kb::bundled`]) and extensible ([`Kb::import`], CSV or JSON).
//! - [`tag`] links one story (title + text) to instruments with a role, a score in [0, 1] and
//!   the reasons (character spans and rule names), and names the countries the story is about.
//! - [`cli::run_tag`] implements the `newsdesk tag --input IN.jsonl` line protocol.
//!
//! The crate is pure: it parses only the strings and bytes handed to it.

pub mod cli;
mod error;
mod kb;
mod link;
mod text;

pub use error::{KbError, TagError};
pub use kb::{ImportStats, Instrument, Kb, Kind, Mic};
pub use link::{CountryFocus, Field, Link, Reason, Role, Tagger, Tagging, tag};
