//! Our feed model: what ingestion needs from a feed, independent of the parser underneath.
//! Every text field is plain text except [`FeedItem::content_html`]; every URL is absolute
//! `http`/`https`; every time is an instant.

use jiff::Timestamp;
use url::Url;

/// The syndication format a feed was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// RSS 0.9x, 1.0 (RDF) or 2.0.
    Rss,
    /// Atom 1.0.
    Atom,
    /// JSON Feed 1.x.
    Json,
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    /// The format.
    pub kind: FeedKind,
    /// The feed's title, plain text (empty when it has none).
    pub title: String,
    /// The site the feed belongs to (RSS channel link, Atom `alternate` link, JSON `home_page_url`).
    pub site_url: Option<Url>,
    /// The feed's description or subtitle, plain text.
    pub description: Option<String>,
    /// The declared language tag, lower-cased (`en-us`).
    pub language: Option<String>,
    /// RSS `<ttl>`: how many minutes the publisher asks readers to cache the feed.
    pub ttl_minutes: Option<u32>,
    /// The items in document order (usually newest first), at most `ParseLimits::max_items`.
    pub items: Vec<FeedItem>,
    /// Things that were dropped, repaired or assumed, one sentence each.
    pub warnings: Vec<String>,
}

/// One item (RSS `<item>`, Atom `<entry>`, JSON Feed item).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// The publisher's identifier (RSS `guid`, Atom `id`, JSON `id`), trimmed; `None` when the
    /// feed gives none. Not unique in practice: the caller dedups (see `ParsedFeed::warnings`).
    /// Identifiers over `ParseLimits::max_guid_bytes` are replaced by `sha256:` and their hex
    /// digest, so identity survives the cap.
    pub guid: Option<String>,
    /// The item's link, absolute, `http` or `https` only.
    pub url: Option<Url>,
    /// The title as plain text: tags (and script/style/svg contents) removed, references
    /// decoded, whitespace collapsed, capped. Empty when the item has none.
    pub title: String,
    /// The summary (RSS `description`, Atom `summary`, JSON `summary`) as plain text, capped.
    pub summary: Option<String>,
    /// The full content (RSS `content:encoded`, Atom `content`, JSON `content_html`, or
    /// JSON `content_text` escaped) as the feed gave it. Not sanitised: the caller must.
    pub content_html: Option<String>,
    /// When the item was first published.
    pub published: Option<Timestamp>,
    /// When the item was last updated.
    pub updated: Option<Timestamp>,
    /// Author names, plain text, without duplicates; the feed's authors when the item names none.
    pub authors: Vec<String>,
    /// Category names, plain text, without duplicates.
    pub categories: Vec<String>,
    /// A representative image: media thumbnail, image enclosure, or the first `<img>` of the
    /// content.
    pub image_url: Option<Url>,
    /// SHA-256 of the normalised title, URL and body text (plain text of the content, else the
    /// summary), each followed by a newline. Markup and whitespace changes do not change it; a
    /// changed word does. For identity when there is no GUID, and change detection when there is.
    pub content_hash: [u8; 32],
    /// [`FeedItem::has_full_text`], decided while parsing from the same plain-text pass that
    /// fed the hash (so the content is not read twice).
    pub(crate) full_text: bool,
}

/// Below this many characters of plain text, content is taken for a teaser.
pub const FULL_TEXT_MIN_CHARS: usize = 500;

/// Above this many characters, content is full text even if it ends like a teaser.
const FULL_TEXT_SURE_CHARS: usize = 2500;

impl FeedItem {
    /// Whether the item carries the article itself, so the caller need not fetch the linked
    /// page. True when the content's plain text is at least [`FULL_TEXT_MIN_CHARS`] characters
    /// and does not end like a teaser (`…`, `[…]`, "Read more", "Continue reading") — unless it
    /// is long enough that the ending does not matter. A summary alone is never full text.
    pub fn has_full_text(&self) -> bool {
        self.full_text
    }

    /// [`FeedItem::content_hash`] as 64 lower-case hex digits.
    pub fn content_hash_hex(&self) -> String {
        hex(&self.content_hash)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// The full-text verdict for content whose plain text has `chars` characters and ends with
/// `tail` (at least its last 60 characters).
pub(crate) fn is_full_text(chars: usize, tail: &str) -> bool {
    if chars < FULL_TEXT_MIN_CHARS {
        return false;
    }
    chars >= FULL_TEXT_SURE_CHARS || !ends_like_teaser(tail)
}

fn ends_like_teaser(text: &str) -> bool {
    let tail: String = text
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    let tail = tail.trim_end_matches(|c: char| c.is_whitespace() || c == '.' || c == '»');
    tail.ends_with('…')
        || tail.ends_with("[…]")
        || tail.ends_with("[...]")
        || text.trim_end().ends_with("...")
        || [
            "read more",
            "continue reading",
            "read the full story",
            "read the full article",
            "read full article",
            "full story",
        ]
        .iter()
        .any(|p| tail.ends_with(p) || tail.contains(p))
}
