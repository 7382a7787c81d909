//! Story clustering for newsdesk: wire copies, rewrites, trimmed copies and updates of one
//! story, published by different sources, are grouped under one story id.
//!
//! The crate is pure (no IO) and built so that a database can do the clustering:
//!
//! 1. [`Fingerprint::of`]`(title, body)` normalises the text (case, punctuation, Latin
//!    diacritics, wire prefixes such as `UPDATE 1-`, a trailing site name), takes 4-word
//!    shingles of the body and keeps a 128-value MinHash signature, the number of distinct
//!    shingles, the headline's token set and the figures (tokens with digits) of headline and
//!    body. [`Fingerprint::to_bytes`] stores it in about 0.6 KiB, versioned.
//! 2. [`Fingerprint::band_keys`] gives locality-sensitive keys (42 body bands + one headline
//!    key). Stories sharing a key are candidates; a database indexes the keys.
//! 3. [`ClusterConfig::decide`] (or [`decide`] with defaults) judges one candidate inside the
//!    time window from [`compare`]'s [`Similarity`]: body Jaccard, containment of the smaller
//!    body in the larger, headline similarity, figure agreement, with a headline rule for
//!    short and headline-only items.
//! 4. [`ClusterIndex`] does all of this in memory; the evaluation and the tests use it, and it
//!    is the reference for a storage integration.
//!
//! Method, thresholds, the evaluation and known weaknesses: `crates/cluster/README.md`.

mod decide;
mod fingerprint;
mod hash;
mod index;
mod normalize;

pub use decide::{
    Candidate, ClusterConfig, Match, MatchReason, Similarity, StoryId, compare, decide,
};
pub use fingerprint::{
    BAND_ROWS, BANDS, FORMAT_VERSION, Fingerprint, FingerprintError, MAX_NUMBERS, MAX_TITLE_TOKENS,
    SHINGLE_WORDS, SIGNATURE_LEN,
};
pub use index::{Assignment, ClusterIndex};
