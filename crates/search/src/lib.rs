//! newsdesk's search seam: the [`SearchIndex`] trait, the values it exchanges, its tantivy
//! implementation for the embedded install ([`TantivyIndex`]), its PostgreSQL full-text
//! implementation for scale-out ([`PgSearchIndex`]), and the indexer that keeps an index in step
//! with the store's change log ([`indexer`]).
//!
//! Both backends read the user's query the same way ([`query`]: words, `"phrases"`, `-excluded`,
//! `OR`; never an error) and share request checking, cursors and snippet helpers ([`plan`]).
//!
//! The index is derived state. The store is the truth; the index remembers the last change-log
//! `seq` it applied (committed atomically with the documents), and [`SearchIndex::apply`] is
//! idempotent, so catching up after a crash is "replay the change log from `applied_seq`", and
//! `newsdesk reindex` is "clear, then replay from 0".

pub mod indexer;
pub mod plan;
pub mod postgres_index;
pub mod query;
pub mod tantivy_index;

pub use postgres_index::PgSearchIndex;
pub use tantivy_index::{TantivyIndex, TantivyOptions};

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Article id, the store's [`newsdesk_store::Id`].
pub type Id = i64;

/// Errors of a search backend.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query or a filter could not be understood (a client error: HTTP 400).
    #[error("invalid {what}: {detail}")]
    Invalid {
        /// Which input (`query`, `cursor`, `date range`, …).
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// The backend failed (IO, corruption, database); the message says where.
    #[error("search backend: {0}")]
    Backend(String),
    /// Reading the store while catching up failed.
    #[error(transparent)]
    Store(#[from] newsdesk_store::StoreError),
}

/// Result alias for this crate.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// One article as the index sees it: the searchable text and the filter/sort fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDoc {
    /// Article id (unique key: indexing the same id again replaces the document).
    pub id: Id,
    /// Headline (searched, boosted).
    pub title: String,
    /// Body plain text (searched; snippets come from here).
    pub body: String,
    /// Source slug (filter, exact).
    pub source: String,
    /// Source display name (searched).
    pub source_name: String,
    /// Linked instrument symbols (filter, exact; also searched so `JP225` finds its stories).
    pub instruments: Vec<String>,
    /// The list sort key (published, else first seen): date sort and date-range filter.
    pub sort_at: Timestamp,
}

/// How to order results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first (ties: newer first).
    #[default]
    Relevance,
    /// Newest first (`sort_at` desc, id desc).
    Date,
}

/// A search request. All filters combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// The user's query in web-search syntax: words (all must match), `"phrases"`, `-excluded`,
    /// `OR`. An empty query with `SortOrder::Date` lists the filtered documents newest first.
    pub text: String,
    /// Only documents linked to this instrument symbol.
    pub instrument: Option<String>,
    /// Only documents of this source slug.
    pub source: Option<String>,
    /// Only documents with `sort_at >= from`.
    pub from: Option<Timestamp>,
    /// Only documents with `sort_at < to`.
    pub to: Option<Timestamp>,
    /// Result order.
    pub sort: SortOrder,
    /// Page size, clamped to 1..=100.
    pub limit: u32,
    /// Continue after this page (the `next_cursor` of the previous page; opaque).
    pub cursor: Option<String>,
}

/// A highlighted fragment of the body: `text` with byte ranges of the matched terms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// The fragment, plain text (not escaped; the renderer escapes it).
    pub text: String,
    /// Byte ranges into `text` to highlight, ascending and non-overlapping, on char boundaries.
    pub highlights: Vec<(usize, usize)>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// Article id.
    pub id: Id,
    /// Backend relevance score (higher is better; comparable only within one result list).
    pub score: f32,
    /// The document's sort key.
    pub sort_at: Timestamp,
    /// Best-matching body fragment (the body's start when only the title matched or the query is
    /// empty).
    pub snippet: Snippet,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    /// Hits in the requested order.
    pub hits: Vec<SearchHit>,
    /// Cursor for the next page, `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many documents match in all (exact, or a lower bound when the backend stops counting).
    pub total: u64,
}

/// A full-text index of articles with filters, two sort orders and snippets.
///
/// Object safe: the application holds an `Arc<dyn SearchIndex>`. Implementations: tantivy
/// (embedded) and PostgreSQL full-text search. Both pass the same contract suite.
#[async_trait]
pub trait SearchIndex: Send + Sync + std::fmt::Debug {
    /// Which backend this is (`"tantivy"` or `"postgres"`).
    fn backend(&self) -> &'static str;

    /// Adds or replaces `docs` (by id), removes `deletes`, and records `seq` as the last applied
    /// change-log position — all in one commit, visible to searches when this returns. Applying
    /// the same batch twice leaves the same index.
    async fn apply(&self, docs: &[IndexDoc], deletes: &[Id], seq: i64) -> Result<()>;

    /// The last change-log `seq` committed by [`SearchIndex::apply`] (0 for a new index).
    async fn applied_seq(&self) -> Result<i64>;

    /// Removes every document and resets the applied seq to 0 (for `newsdesk reindex`).
    async fn clear(&self) -> Result<()>;

    /// Number of documents in the index.
    async fn count(&self) -> Result<u64>;

    /// Runs a query.
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage>;
}
