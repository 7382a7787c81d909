//! The values the store takes and returns: sources, stored articles and revisions, instrument
//! links, the change log, jobs. Plain data; validation happens in the constructors and in the
//! store before anything is written.

use jiff::{SignedDuration, Timestamp};
use newsdesk_article::{Article, SourceTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};

/// Database row id. Ids are `BIGINT` on both backends and never reused.
pub type Id = i64;

/// A publisher we store articles for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Row id.
    pub id: Id,
    /// Short stable name used in URLs and configuration (`reuters`).
    pub slug: String,
    /// Display name (`Reuters`).
    pub name: String,
    /// The publisher's home page.
    pub homepage_url: Option<String>,
    /// The zone the publisher prints times in (IANA name or `±HH:MM`); also the display zone of
    /// times we made up ourselves, such as fetch times.
    pub time_zone: String,
}

/// What [`Store::upsert_source`](crate::Store::upsert_source) needs: a source keyed by its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    /// See [`Source::slug`]; must be non-empty.
    pub slug: String,
    /// See [`Source::name`].
    pub name: String,
    /// See [`Source::homepage_url`].
    pub homepage_url: Option<String>,
    /// See [`Source::time_zone`]; must parse with [`newsdesk_article::parse_zone`].
    pub time_zone: String,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UpsertOutcome {
    /// A new article with revision 1.
    Inserted {
        /// The new article.
        id: Id,
    },
    /// The content changed: a new revision was added and "updated" was set.
    Revised {
        /// The article.
        id: Id,
        /// The new revision number (2, 3, …).
        revision: i64,
    },
    /// The content is the same as the current revision: nothing was written.
    Unchanged {
        /// The article.
        id: Id,
    },
    /// The identity belongs to a removed article (a tombstone): nothing was written, and the
    /// article stays removed.
    Removed {
        /// The removed article.
        id: Id,
    },
}

impl UpsertOutcome {
    /// The article the outcome is about.
    pub fn id(&self) -> Id {
        match *self {
            UpsertOutcome::Inserted { id }
            | UpsertOutcome::Revised { id, .. }
            | UpsertOutcome::Unchanged { id }
            | UpsertOutcome::Removed { id } => id,
        }
    }
}

/// One item of a batch upsert ([`Store::upsert_articles`](crate::Store::upsert_articles)).
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    /// The source it belongs to.
    pub source_id: Id,
    /// The extracted article.
    pub article: Article,
    /// When it was fetched.
    pub fetched_at: Timestamp,
    /// When given, replaces the article's instrument links in the same transaction (skipped for
    /// removed articles).
    pub links: Option<Vec<InstrumentLink>>,
}

/// The list view of an article: enough for a headline row with chips, no body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// Row id.
    pub id: Id,
    /// The source it belongs to.
    pub source_id: Id,
    /// The normalised canonical URL, when the article had one.
    pub canonical_url: Option<String>,
    /// Headline of the current revision.
    pub title: Option<String>,
    /// First publication time as printed by the source.
    pub published: Option<SourceTime>,
    /// When the story was last updated: the source's printed update time, or our fetch time when
    /// the content changed without one (see [`ArticleSummary::updated_is_fetch_time`]).
    pub updated: Option<SourceTime>,
    /// True when `updated` is the time we noticed a change, not a time the source printed.
    pub updated_is_fetch_time: bool,
    /// The list sort key: `published`, else the time we first saw the article.
    pub sort_at: Timestamp,
    /// The current revision number (1 for a never-revised article).
    pub revision: i64,
    /// When we first stored it.
    pub first_seen_at: Timestamp,
    /// Linked instruments, primary first, then by score.
    pub instruments: Vec<InstrumentLink>,
}

impl ArticleSummary {
    /// The keyset cursor that continues a listing after this article.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            sort_at: self.sort_at,
            id: self.id,
        }
    }
}

/// A stored article with the content of its current revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredArticle {
    /// The list view, including instrument links.
    pub summary: ArticleSummary,
    /// The content of the current revision, exactly as it was upserted.
    pub article: Article,
}

/// One revision of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// 1 for the first version, then 2, 3, …
    pub revision: i64,
    /// When we fetched this version.
    pub fetched_at: Timestamp,
    /// The content hash this revision was compared by (hex SHA-256).
    pub content_hash: String,
    /// The content as upserted.
    pub article: Article,
}

/// A removed article's tombstone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// The article.
    pub id: Id,
    /// When it was removed.
    pub removed_at: Timestamp,
    /// Why (free text for operators, e.g. "takedown request").
    pub reason: String,
}

/// Whether an instrument is what the story is about or only mentioned in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkRole {
    /// The story is about this instrument.
    Primary,
    /// The instrument is mentioned.
    Mentioned,
}

impl LinkRole {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkRole::Primary => "primary",
            LinkRole::Mentioned => "mentioned",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "primary" => Some(LinkRole::Primary),
            "mentioned" => Some(LinkRole::Mentioned),
            _ => None,
        }
    }
}

/// A link from an article to an instrument, as the tagger decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentLink {
    /// The instrument's symbol (`JP225`, `AAPL`); unique per article.
    pub symbol: String,
    /// What kind of instrument (`index`, `equity`, `fx`, …), as the knowledge base names it.
    pub kind: String,
    /// Primary or mentioned.
    pub role: LinkRole,
    /// Confidence in basis points (0–10,000), fixed point so it sorts and sums exactly.
    pub score_bp: i64,
    /// Why the tagger linked it (JSON, e.g. the matched aliases and where).
    pub reasons: Value,
}

/// A position in an article listing: continue strictly after (`sort_at`, `id`) in
/// (`sort_at` desc, `id` desc) order. Its string form (`Display`/[`Cursor::parse`]) is opaque to
/// clients and safe in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// Sort key of the last article seen.
    pub sort_at: Timestamp,
    /// Id of the last article seen (breaks ties between equal times).
    pub id: Id,
}

impl Cursor {
    /// Parses the string form `"<sort_at micros>_<id>"`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || StoreError::Invalid {
            what: "cursor",
            detail: format!("{s:?} is not <micros>_<id>"),
        };
        let (at, id) = s.split_once('_').ok_or_else(bad)?;
        let at: i64 = at.parse().map_err(|_| bad())?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        let sort_at = Timestamp::from_microsecond(at).map_err(|_| bad())?;
        Ok(Cursor { sort_at, id })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.sort_at.as_microsecond(), self.id)
    }
}

/// Which articles to list. All filters combine with AND; `Default` lists everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    /// Only this source.
    pub source_id: Option<Id>,
    /// Only articles linked to this instrument symbol (any role).
    pub instrument: Option<String>,
    /// Only articles whose sort time (published, else first seen) is at or after this.
    pub from: Option<Timestamp>,
    /// Only articles whose sort time is strictly before this.
    pub to: Option<Timestamp>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticlePage {
    /// Articles, newest first.
    pub articles: Vec<ArticleSummary>,
    /// Where the next page starts, or `None` when this page is the last.
    pub next: Option<Cursor>,
}

/// What happened to an article, as recorded in the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Inserted or revised.
    Upserted,
    /// Instrument links replaced.
    Links,
    /// Removed (tombstoned): drop it from derived state.
    Removed,
}

impl ChangeKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Upserted => "upserted",
            ChangeKind::Links => "links",
            ChangeKind::Removed => "removed",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upserted" => Some(ChangeKind::Upserted),
            "links" => Some(ChangeKind::Links),
            "removed" => Some(ChangeKind::Removed),
            _ => None,
        }
    }
}

/// One entry of the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the log: strictly increasing in commit order (see the crate docs).
    pub seq: i64,
    /// The article that changed.
    pub article_id: Id,
    /// What happened (informational: a consumer re-reads the article either way).
    pub kind: ChangeKind,
    /// When the change was committed (the caller's clock).
    pub at: Timestamp,
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The handler that runs it (`fetch_feed`, `tag_article`, …).
    pub kind: String,
    /// The handler's input.
    pub payload: Value,
    /// Not before this time.
    pub run_at: Timestamp,
    /// At most one queued-or-running job per (`kind`, `dedupe_key`): enqueueing a duplicate
    /// returns the existing job. Once that job is done or failed the key is free again.
    pub dedupe_key: Option<String>,
    /// How many claims the job gets before it is marked failed (at least 1).
    pub max_attempts: i64,
}

impl NewJob {
    /// A job due at `run_at` with 5 attempts and no dedupe key.
    pub fn new(kind: impl Into<String>, payload: Value, run_at: Timestamp) -> Self {
        NewJob {
            kind: kind.into(),
            payload,
            run_at,
            dedupe_key: None,
            max_attempts: 5,
        }
    }

    /// Sets the dedupe key.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// Sets the number of attempts.
    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n;
        self
    }
}

/// What [`Store::enqueue`](crate::Store::enqueue) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EnqueueOutcome {
    /// A new job row.
    Enqueued {
        /// The new job.
        id: Id,
    },
    /// A queued or running job with the same kind and dedupe key exists; nothing was added.
    Duplicate {
        /// The existing job.
        id: Id,
    },
}

impl EnqueueOutcome {
    /// The job id either way.
    pub fn id(&self) -> Id {
        match *self {
            EnqueueOutcome::Enqueued { id } | EnqueueOutcome::Duplicate { id } => id,
        }
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker whose lease has not been released (it may have expired).
    Running,
    /// Completed.
    Done,
    /// Out of attempts, or failed without retry.
    Failed,
}

impl JobState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(JobState::Queued),
            "running" => Some(JobState::Running),
            "done" => Some(JobState::Done),
            "failed" => Some(JobState::Failed),
            _ => None,
        }
    }
}

/// A claim on a job: proof that this worker may complete, fail or extend it. A lease is for one
/// attempt; after it expires and another worker claims the job, the old lease is rejected with
/// [`StoreError::LeaseLost`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The job.
    pub job_id: Id,
    /// The claiming worker.
    pub worker_id: String,
    /// The attempt number this lease is for (1 for the first claim).
    pub attempt: i64,
    /// When the lease runs out unless extended.
    pub expires_at: Timestamp,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Row id.
    pub id: Id,
    /// Handler name.
    pub kind: String,
    /// Handler input.
    pub payload: Value,
    /// State.
    pub state: JobState,
    /// The dedupe key it was enqueued with.
    pub dedupe_key: Option<String>,
    /// When it was (last) scheduled to run.
    pub run_at: Timestamp,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// The current lease, while running.
    pub lease: Option<Lease>,
}

/// What [`Store::fail`](crate::Store::fail) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FailOutcome {
    /// Queued again for the retry time.
    Retrying {
        /// When it may be claimed again.
        at: Timestamp,
    },
    /// Out of attempts (or no retry was asked for): the job is failed for good.
    Failed,
}

/// Exponential backoff for job retries: `base · 2^(attempt-1)`, capped at `max`.
///
/// No jitter: retries are spread by the jobs' own timing, and a deterministic schedule is easier
/// to reason about in tests and in the operator's view of the queue.
pub fn backoff(attempt: i64, base: SignedDuration, max: SignedDuration) -> SignedDuration {
    let exp = attempt.saturating_sub(1).clamp(0, 30) as u32;
    let factor = 1i32.checked_shl(exp).unwrap_or(i32::MAX);
    base.checked_mul(factor).unwrap_or(max).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            sort_at: Timestamp::from_microsecond(1_683_644_220_000_123).unwrap(),
            id: 42,
        };
        assert_eq!(c.to_string(), "1683644220000123_42");
        assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
        assert!(Cursor::parse("12").is_err());
        assert!(Cursor::parse("x_1").is_err());
        assert!(Cursor::parse("1_y").is_err());
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let s = SignedDuration::from_secs;
        assert_eq!(backoff(1, s(10), s(300)), s(10));
        assert_eq!(backoff(2, s(10), s(300)), s(20));
        assert_eq!(backoff(4, s(10), s(300)), s(80));
        assert_eq!(backoff(10, s(10), s(300)), s(300));
        assert_eq!(backoff(1000, s(10), s(300)), s(300));
    }
}

/// A stored article's clustering record, fetched as a candidate for a new article's story.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryCandidate {
    /// The stored article.
    pub article_id: Id,
    /// Its story.
    pub story_id: Id,
    /// Its publication time (the list sort time).
    pub published: Timestamp,
    /// Its fingerprint (`newsdesk_cluster::Fingerprint::to_bytes`).
    pub fingerprint: Vec<u8>,
}

/// An article's story assignment, written by [`crate::stories::catch_up`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoryAssignment {
    /// The article.
    pub article_id: Id,
    /// Its story: an earlier article's story, or its own id when it founds one. An article
    /// that already has a story keeps it (story ids are stable); only its fingerprint and keys
    /// are refreshed.
    pub story_id: Id,
    /// Its publication time.
    pub published: Timestamp,
    /// Its fingerprint bytes.
    pub fingerprint: Vec<u8>,
    /// Its band keys (the `u64` keys reinterpreted as `i64`).
    pub keys: Vec<i64>,
    /// The rule that joined it to an existing story; `None` when it founded the story.
    pub reason: Option<String>,
}

/// Another live article of the same story, for "Also reported by …".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryMember {
    /// The article.
    pub summary: ArticleSummary,
    /// The rule that joined it (`None` for the article that founded the story).
    pub reason: Option<String>,
}
