//! The [`Store`] trait: the one seam between newsdesk and its database.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use newsdesk_article::Article;
use newsdesk_market::{Bar, IntradayBar};

use crate::error::Result;
use crate::feed_model::{Feed, FeedItemOutcome, FeedPoll, NewFeed, NewFeedItem};
use crate::model::{
    ArticleFilter, ArticlePage, Change, Cursor, EnqueueOutcome, FailOutcome, Id, InstrumentLink,
    Job, Lease, NewArticle, NewJob, NewSource, Removal, Revision, Source, StoredArticle,
    StoryAssignment, StoryCandidate, StoryMember, UpsertOutcome,
};
use crate::prices::{
    ImportOutcome, Instrument, PriceChange, PriceCorrection, StoredBar, StoredTick,
};
use crate::wake::{WakeChannel, Wakeup};

/// Storage for sources, articles with revisions, instrument links, the change log and jobs.
///
/// Object safe (through `async_trait`), so the application holds an `Arc<dyn Store>` chosen at
/// start-up from `--data-dir` or `--database-url`. Every method is one transaction: it either
/// happens completely or not at all, whatever happens to the process.
///
/// Times come in as arguments (`now`, `fetched_at`) rather than from the clock, so callers and
/// tests control them; they are stored as UTC microseconds.
///
/// Room for users and comments: they will be a further set of methods (or a supertrait) over new
/// tables keyed by `BIGINT` ids; comments reference `articles(id)`, which removal keeps as a
/// tombstone so such references never dangle.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which backend this is (`"sqlite"` or `"postgres"`), for logs and `/healthz`.
    fn backend(&self) -> &'static str;

    /// Wake-ups for `channel`: on PostgreSQL each committed enqueue of a due job
    /// ([`WakeChannel::Jobs`]) or change-log append ([`WakeChannel::Changes`]), from any process,
    /// through `LISTEN`/`NOTIFY` (one pooled connection per subscription, held until the last
    /// clone of the [`Wakeup`] is dropped). On SQLite the `Wakeup` never fires. Wake-ups can be
    /// missed: callers keep polling as a fallback ([`crate::wake`]).
    async fn subscribe(&self, channel: WakeChannel) -> Result<Wakeup>;

    // --- sources ---

    /// Inserts a source, or updates name, homepage and zone of the source with the same slug.
    async fn upsert_source(&self, source: &NewSource) -> Result<Source>;

    /// The source with this id.
    async fn get_source(&self, id: Id) -> Result<Option<Source>>;

    /// The source with this slug.
    async fn get_source_by_slug(&self, slug: &str) -> Result<Option<Source>>;

    /// All sources, by slug.
    async fn list_sources(&self) -> Result<Vec<Source>>;

    // --- articles ---

    /// Stores an extracted article for `source_id`, fetched at `fetched_at`.
    ///
    /// Identity is the canonical URL, else a fingerprint of title and body within the source
    /// ([`crate::identity`]). A new identity is inserted as revision 1. A known identity with the
    /// same content hash is [`UpsertOutcome::Unchanged`] and writes nothing. Changed content adds
    /// the next revision and sets "updated" to the source's printed update time, or to
    /// `fetched_at` when it printed none. A removed identity stays removed.
    async fn upsert_article(
        &self,
        source_id: Id,
        article: &Article,
        fetched_at: Timestamp,
    ) -> Result<UpsertOutcome>;

    /// [`Store::upsert_article`] for many articles in one transaction, each followed by its
    /// link replacement when it carries links: all are stored or none is. For bulk loads, where
    /// one commit per article would dominate; keep batches to a few hundred items, since on
    /// SQLite the batch holds the write lock throughout. Outcomes are in input order.
    async fn upsert_articles(&self, items: &[NewArticle]) -> Result<Vec<UpsertOutcome>>;

    /// A live article with its current revision and instrument links; `None` when it does not
    /// exist or was removed (see [`Store::get_removal`]).
    async fn get_article(&self, id: Id) -> Result<Option<StoredArticle>>;

    /// The live articles among `ids` (as [`Store::get_article`] returns them), in id order,
    /// each once; ids that do not exist or were removed are left out. One round trip per few
    /// hundred ids rather than per article: for index catch-up and result lists.
    async fn get_articles(&self, ids: &[Id]) -> Result<Vec<StoredArticle>>;

    /// Every revision of a live article, oldest first; empty when it does not exist or was
    /// removed.
    async fn list_revisions(&self, id: Id) -> Result<Vec<Revision>>;

    /// Live articles matching `filter`, newest first (sort time desc, id desc), starting strictly
    /// after `after`. Keyset pagination: no duplicates or gaps between pages even when many
    /// articles share a timestamp. `limit` is clamped to 1..=1000.
    async fn list_articles(
        &self,
        filter: &ArticleFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<ArticlePage>;

    /// Removes an article: its revisions and links are deleted, a tombstone keeps its id and
    /// identity so the same story is never re-added, and a `removed` change is logged. Removing a
    /// removed article is a no-op; an unknown id is [`crate::StoreError::NotFound`].
    async fn remove_article(&self, id: Id, reason: &str, now: Timestamp) -> Result<()>;

    /// The tombstone of a removed article (so the web can answer 410 Gone rather than 404).
    async fn get_removal(&self, id: Id) -> Result<Option<Removal>>;

    // --- instrument links ---

    /// Replaces all instrument links of a live article with `links` (symbols must be unique) and
    /// logs a `links` change.
    async fn set_instrument_links(
        &self,
        article_id: Id,
        links: &[InstrumentLink],
        now: Timestamp,
    ) -> Result<()>;

    /// The instrument links of an article, primary first, then by score desc, then symbol.
    async fn instrument_links(&self, article_id: Id) -> Result<Vec<InstrumentLink>>;

    // --- market data ---

    /// Inserts an instrument, or replaces name, kind, currency, zone, close and benchmark of the
    /// one with the same symbol.
    async fn upsert_instrument(&self, instrument: &Instrument) -> Result<()>;

    /// The instrument with this symbol.
    async fn get_instrument(&self, symbol: &str) -> Result<Option<Instrument>>;

    /// All instruments, by symbol.
    async fn list_instruments(&self) -> Result<Vec<Instrument>>;

    /// Stores daily `bars` of `symbol` (sorted by date, one per date) from `source`, published
    /// at `as_of`, in one transaction. A new date is inserted; an identical bar is left alone
    /// (so importing the same file twice writes nothing); a changed bar replaces the stored one
    /// and the old close is kept in the corrections with both sources, at `now`. Many rows per
    /// statement: callers importing millions of bars pass slices of a few tens of thousands.
    async fn import_bars(
        &self,
        symbol: &str,
        bars: &[Bar],
        source: &str,
        as_of: Timestamp,
        now: Timestamp,
    ) -> Result<ImportOutcome>;

    /// Daily bars of `symbol` dated `from..=to` (either end open when `None`), oldest first.
    async fn bars(&self, symbol: &str, from: Option<Date>, to: Option<Date>) -> Result<Vec<Bar>>;

    /// The latest daily bar of `symbol` with its source and as-of time.
    async fn last_bar(&self, symbol: &str) -> Result<Option<StoredBar>>;

    /// Corrections recorded for `symbol`, by date then time of correction.
    async fn price_corrections(&self, symbol: &str) -> Result<Vec<PriceCorrection>>;

    /// Stores intraday prints (quotes) of `symbol` from `source`: a print at an instant already
    /// stored for the symbol is left alone (the first one stays). Returns how many were new;
    /// when any were, `symbol` is appended to the price change log at `now`.
    async fn store_ticks(
        &self,
        symbol: &str,
        ticks: &[IntradayBar],
        source: &str,
        as_of: Timestamp,
        now: Timestamp,
    ) -> Result<u64>;

    /// Intraday prints of `symbol` after `after` (all when `None`), at most the newest `limit`
    /// (clamped to 1..=100,000), oldest first.
    async fn ticks(
        &self,
        symbol: &str,
        after: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<IntradayBar>>;

    /// The newest intraday print of `symbol` with its source and as-of time.
    async fn last_tick(&self, symbol: &str) -> Result<Option<StoredTick>>;

    /// Price change-log entries with `seq > after`, in `seq` order, at most `limit` (clamped to
    /// 1..=10,000). Like the article change log, replaying from a saved `seq` misses nothing.
    async fn price_changes_since(&self, after: i64, limit: u32) -> Result<Vec<PriceChange>>;

    /// The newest price change-log `seq`, 0 when empty.
    async fn last_price_change_seq(&self) -> Result<i64>;

    // --- change log ---

    /// Change-log entries with `seq > after`, in `seq` order, at most `limit` (clamped to
    /// 1..=10,000). Replaying from a saved `seq` never misses a committed change (see the crate
    /// docs for how PostgreSQL keeps commit order and `seq` order the same).
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>>;

    /// The highest `seq` in the change log (0 when empty): lets a consumer tell it is behind.
    async fn last_change_seq(&self) -> Result<i64>;

    // --- stories (clustering; derived from the change log by `crate::stories`) ---

    /// The change-log `seq` story assignment has applied (0 initially).
    async fn story_seq(&self) -> Result<i64>;

    /// Clustering records of live articles that share at least one of `keys` and were
    /// published within `from..=to`, each once; per key only the latest few dozen sharers
    /// (a key shared by thousands of articles is boilerplate, not evidence).
    async fn story_candidates(
        &self,
        keys: &[i64],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StoryCandidate>>;

    /// Writes `assignments` and moves the story cursor from `from_seq` to `to_seq`, in one
    /// transaction. [`crate::StoreError::Contended`] when the cursor is no longer at
    /// `from_seq` (another process applied those changes first): nothing is written.
    async fn save_stories(
        &self,
        assignments: &[StoryAssignment],
        from_seq: i64,
        to_seq: i64,
    ) -> Result<()>;

    /// The story of a live article and the other live articles in it, oldest first (at most
    /// `limit`); `None` when the article has no story yet.
    async fn story_members(
        &self,
        article_id: Id,
        limit: u32,
    ) -> Result<Option<(Id, Vec<StoryMember>)>>;

    // --- jobs ---

    /// Adds a job, or returns the queued-or-running job with the same kind and dedupe key.
    async fn enqueue(&self, job: &NewJob, now: Timestamp) -> Result<EnqueueOutcome>;

    /// Claims the next due job of one of `kinds` (any kind when empty) for `lease` from `now`:
    /// a queued job whose `run_at` has come, or a running job whose lease has expired (its
    /// worker is presumed dead). Each claim counts an attempt. A job is never held by two live
    /// leases: PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, SQLite inside `BEGIN IMMEDIATE`.
    /// An expired job with no attempts left is marked failed instead of being claimed.
    async fn claim(
        &self,
        worker_id: &str,
        kinds: &[&str],
        lease: SignedDuration,
        now: Timestamp,
    ) -> Result<Option<Job>>;

    /// Pushes a held lease's expiry to `until` (a heartbeat for long jobs).
    async fn extend_lease(&self, lease: &Lease, until: Timestamp, now: Timestamp) -> Result<Lease>;

    /// Marks a claimed job done. [`crate::StoreError::LeaseLost`] if the lease is no longer held.
    async fn complete(&self, lease: &Lease, now: Timestamp) -> Result<()>;

    /// Records a failed attempt. With `retry_at` and attempts left the job is queued again for
    /// then; otherwise it is failed for good. [`crate::StoreError::LeaseLost`] if the lease is no
    /// longer held.
    async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<FailOutcome>;

    /// A job by id, in whatever state.
    async fn get_job(&self, id: Id) -> Result<Option<Job>>;

    // --- feeds ---

    /// Subscribes to a feed, or replaces the settings of the subscription with the same URL.
    /// Adding resumes a paused feed (failures reset) and makes it due at `now`.
    async fn add_feed(&self, feed: &NewFeed, now: Timestamp) -> Result<Feed>;

    /// A subscription by id.
    async fn get_feed(&self, id: Id) -> Result<Option<Feed>>;

    /// A subscription by URL (as added).
    async fn get_feed_by_url(&self, url: &str) -> Result<Option<Feed>>;

    /// Every subscription, by id.
    async fn list_feeds(&self) -> Result<Vec<Feed>>;

    /// Unsubscribes: the feed and its item keys go; the articles stay. False when unknown.
    async fn remove_feed(&self, id: Id) -> Result<bool>;

    /// Feeds not paused whose `next_due_at` has come, most overdue first, at most `limit`.
    async fn due_feeds(&self, now: Timestamp, limit: u32) -> Result<Vec<Feed>>;

    /// Records the outcome of one poll (validators, next due time, failures, pause).
    async fn record_feed_poll(&self, id: Id, poll: &FeedPoll, now: Timestamp) -> Result<Feed>;

    /// The item keys stored for a feed with their content hashes, so a poller can skip items
    /// it has already stored unchanged without building their articles.
    async fn feed_item_hashes(&self, feed_id: Id) -> Result<HashMap<String, String>>;

    /// The content hash stored for one item of a feed, if the item is stored: a page job
    /// checks it before fetching, so a page another job has just stored is not fetched again.
    async fn feed_item_hash(&self, feed_id: Id, item_key: &str) -> Result<Option<String>>;

    /// Stores feed items exactly once, in one transaction: an item whose key is stored with the
    /// same content hash is [`FeedItemOutcome::Seen`] (nothing written); a new or changed item
    /// upserts its article (a changed one becomes a revision, a removed one stays removed) and
    /// records its key and hash in the same transaction, so a crash leaves either both or
    /// neither. Repeated keys within `items` count once (the first). Outcomes in input order.
    async fn ingest_items(
        &self,
        feed_id: Id,
        items: &[NewFeedItem],
        now: Timestamp,
    ) -> Result<Vec<FeedItemOutcome>>;
}
