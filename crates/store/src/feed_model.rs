//! The values the feeds part of the [`Store`](crate::Store) exchanges: subscriptions, the
//! result of one poll, and items to store exactly once.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{Id, NewArticle, UpsertOutcome};

/// When to fetch an item's linked page for its full text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FullText {
    /// Only when the feed carries a summary or teaser rather than the article.
    #[default]
    Auto,
    /// Always fetch the page, whatever the feed carries.
    Always,
    /// Never fetch pages: store what the feed carries.
    Never,
}

impl FullText {
    /// The stored form (`auto`, `always`, `never`).
    pub fn as_str(self) -> &'static str {
        match self {
            FullText::Auto => "auto",
            FullText::Always => "always",
            FullText::Never => "never",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(FullText::Auto),
            "always" => Some(FullText::Always),
            "never" => Some(FullText::Never),
            _ => None,
        }
    }
}

/// A subscription to add (or whose settings to replace, keyed by URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    /// The feed's URL (`http`/`https`).
    pub url: String,
    /// The source its stories are filed under.
    pub source_id: Id,
    /// When to fetch linked pages.
    pub full_text: FullText,
    /// Zone for feed dates printed without an offset (IANA name or `±HH:MM`).
    pub zone: String,
    /// Seconds between polls (at least 60).
    pub interval_s: i64,
}

/// A stored subscription with its polling state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feed {
    /// Id, never reused.
    pub id: Id,
    /// The URL polled.
    pub url: String,
    /// The feed's own title, from the last successful poll.
    pub title: Option<String>,
    /// The source its stories are filed under.
    pub source_id: Id,
    /// When to fetch linked pages.
    pub full_text: FullText,
    /// Zone for dates printed without an offset.
    pub zone: String,
    /// Seconds between polls.
    pub interval_s: i64,
    /// `ETag` of the last 200 response, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` of the last 200 response, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// When the feed was last fetched (successfully or not).
    pub last_fetch_at: Option<Timestamp>,
    /// When the feed is next due.
    pub next_due_at: Timestamp,
    /// Consecutive failed polls (0 after a success).
    pub failures: i64,
    /// Why polling stopped (410 Gone, too many failures); `None` while active.
    pub paused_reason: Option<String>,
    /// The error of the last failed poll, kept until a poll succeeds.
    pub last_error: Option<String>,
    /// When the subscription was added.
    pub created_at: Timestamp,
    /// Items stored from this feed.
    pub items: i64,
}

/// What one poll of a feed came to, for [`Store::record_feed_poll`](crate::Store::record_feed_poll).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedPoll {
    /// A 200 response that parsed: validators and title are replaced, failures reset.
    Fetched {
        /// New `ETag`.
        etag: Option<String>,
        /// New `Last-Modified`.
        last_modified: Option<String>,
        /// The feed's title, when it has one.
        title: Option<String>,
        /// When to poll next.
        next_due_at: Timestamp,
    },
    /// 304 Not Modified: validators kept, failures reset.
    NotModified {
        /// When to poll next.
        next_due_at: Timestamp,
    },
    /// The poll failed; `failures` grows and at `pause_after` consecutive failures the feed is
    /// paused with the error as the reason.
    Failed {
        /// One line saying what went wrong.
        error: String,
        /// When to try again (backoff, or the server's `Retry-After`).
        next_due_at: Timestamp,
        /// Consecutive failures that pause the feed.
        pause_after: i64,
    },
    /// The feed must not be polled again (410 Gone): it is paused with this reason.
    Stop {
        /// Why.
        reason: String,
    },
}

/// One feed item to store: its key within the feed and the article built from it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeedItem {
    /// `g:<guid>`, else `u:<url>`, else `h:<content hash>`; unique within its feed.
    pub item_key: String,
    /// The feed's content hash of the item (hex): a different hash means the item changed.
    pub content_hash: String,
    /// The article (source, content, fetch time, links).
    pub article: NewArticle,
}

/// What storing one feed item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum FeedItemOutcome {
    /// The item was stored before with the same content hash: nothing was written.
    Seen {
        /// Its article.
        article_id: Id,
    },
    /// The item was new to this feed, or changed: its article was upserted.
    Stored {
        /// What the article upsert did (a changed item is usually `Revised`; a removed
        /// article stays `Removed`).
        upsert: UpsertOutcome,
    },
}
