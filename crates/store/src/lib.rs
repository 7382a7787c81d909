//! newsdesk's storage seam: the [`Store`] trait, its SQLite ([`SqliteStore`]) and PostgreSQL
//! ([`PostgresStore`]) implementations, and the values they exchange.
//!
//! The application holds an `Arc<dyn Store>`; which backend it is comes from configuration
//! (`--data-dir` for the embedded SQLite file, `--database-url` for PostgreSQL). One contract test
//! suite (`tests/contract.rs`) runs against both, so they behave the same.
//!
//! # Schema
//!
//! Both backends have the same tables and columns (`migrations/sqlite`, `migrations/postgres`):
//!
//! | table | what |
//! |---|---|
//! | `sources` | publishers: slug, name, homepage, time zone |
//! | `articles` | one row per story: identity, current title and times, sort key, current revision, content hash, tombstone |
//! | `article_revisions` | every version of a story: revision number, fetch time, content hash, the [`Article`](newsdesk_article::Article) as JSON |
//! | `article_instruments` | instrument links: symbol, kind, role, score (basis points), reasons (JSON) |
//! | `changes` | the change log: `seq`, article id, kind, time |
//! | `jobs` | the job queue: kind, payload, state, run/due times, attempts, lease owner, dedupe key |
//! | `feeds` | subscriptions: URL, source, full-text mode, zone, interval, validators, due time, failures, pause |
//! | `feed_items` | items seen per feed: key (GUID, else URL, else content hash), article, content hash |
//! | `instruments` | instruments with prices: name, kind, currency, exchange zone and close, benchmark |
//! | `price_bars` | daily bars: fixed-point prices (1e-8), day number, source, as-of time |
//! | `price_ticks` | intraday prints keyed by instant |
//! | `price_corrections` | closes a later import changed, with both sources |
//!
//! Times are `BIGINT` UTC microseconds, with the source's zone name (IANA or `±HH:MM`) and a
//! zone-assumed flag in separate columns, so they sort and compare as integers on both backends
//! and the printed wall-clock time can be rebuilt. Numbers are fixed point (`score_bp`). Ids are
//! `BIGINT` and never reused.
//!
//! # Identity and revisions
//!
//! An upserted article is the same story as a stored one when its canonical URL (normalised:
//! scheme and host lowercased, fragment dropped) matches; without a URL, when the SHA-256 of its
//! normalised title and body matches within the same source ([`identity`]). Whether it *changed*
//! is decided by a content hash over what a reader sees, not over extractor warnings
//! ([`identity::content_hash`]). Unchanged content writes nothing; changed content adds revision
//! n+1 and sets "updated" (the printed update time, else the fetch time, flagged as such).
//! Removing an article deletes its revisions and links but keeps the row as a tombstone: the
//! identity stays taken, so the same story fetched again stays removed.
//!
//! # The change log
//!
//! Every write that affects derived state (upsert that inserts or revises, link replacement,
//! removal) appends `(seq, article_id, kind)` to `changes` in the same transaction. A consumer
//! (the search indexer) stores the last `seq` it applied and calls [`Store::changes_since`] after
//! a crash; applying a change means "re-read this article and index it, or drop it if gone", so
//! replaying an entry twice is harmless.
//!
//! Replay must never *skip* an entry. On SQLite there is one writer at a time, so `seq` order is
//! commit order. On PostgreSQL, sequence values are handed out when rows are inserted, not when
//! transactions commit: transaction A could take `seq` 10, B take 11 and commit first, a reader
//! see 11, save it, and never see 10. We prevent that by serialising the append: each writing
//! transaction takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`) immediately
//! before inserting its change row, as its last statement, and holds it until commit. So `seq`
//! n+1 is only allocated after the transaction holding n has committed (or rolled back, leaving a
//! harmless gap), and any snapshot that shows n+1 also shows n. The cost is that the final
//! instant of concurrent article writes is serialised; everything before it (reads, revision
//! inserts) still runs in parallel. Because the change-log lock is always the *last* lock a
//! transaction takes (entries are collected and appended just before commit), it cannot take
//! part in a lock-order deadlock; batches ([`Store::upsert_articles`]) additionally walk their
//! items in identity order so two overlapping batches lock article rows in the same order.
//!
//! # Jobs and leases
//!
//! Jobs are rows. A claim picks the oldest due row — a queued job whose `run_at` has come, or a
//! running job whose lease expired because its worker died — sets it running with a lease
//! (`lease_owner`, expiry in `due_at`) and counts an attempt; on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, on SQLite inside `BEGIN IMMEDIATE`. A [`Lease`] names the job,
//! worker and attempt; completing, failing or extending with a lease that has been taken over is
//! rejected with [`StoreError::LeaseLost`], so a slow worker cannot overwrite its successor's
//! result. Failed attempts are re-queued for a caller-chosen time ([`backoff`] helps) until
//! `max_attempts`; then the job is failed. A dedupe key allows at most one queued-or-running job
//! per (kind, key), enforced by a partial unique index.
//!
//! # Wake-ups
//!
//! On PostgreSQL, enqueueing a due job and appending to the change log `NOTIFY` a channel inside
//! the writing transaction (delivered on commit); [`Store::subscribe`] returns a [`Wakeup`] that
//! fires on them, so idle workers claim at once and serving processes re-read the change log at
//! once. Notifications can be lost, so every consumer keeps its poll as a fallback; SQLite's
//! `Wakeup` never fires ([`wake`]).

pub mod copy;
pub mod identity;
pub mod postgres;
pub mod sqlite;
pub mod stories;
pub mod wake;

mod convert;
mod error;
mod feed_model;
mod model;
mod prices;
mod store;

pub use error::{Result, StoreError};
pub use feed_model::{Feed, FeedItemOutcome, FeedPoll, FullText, NewFeed, NewFeedItem};
pub use model::{
    ArticleFilter, ArticlePage, ArticleSummary, Change, ChangeKind, Cursor, EnqueueOutcome,
    FailOutcome, Id, InstrumentLink, Job, JobState, Lease, LinkRole, NewArticle, NewJob, NewSource,
    Removal, Revision, Source, StoredArticle, StoryAssignment, StoryCandidate, StoryMember,
    UpsertOutcome, backoff,
};
pub use postgres::{PgPoolSettings, PostgresStore};
pub use prices::{
    ImportOutcome, Instrument, PriceChange, PriceCorrection, StoredBar, StoredTick, date_to_day,
    day_to_date,
};
pub use sqlite::SqliteStore;
pub use store::Store;
pub use wake::{WakeChannel, Wakeup};
