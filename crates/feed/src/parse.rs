//! `parse_feed`: bytes → [`ParsedFeed`]. The encoding and prolog are handled by
//! [`crate::prepare`], the syntax by feed-rs, and everything feed-rs hands back is converted
//! to our model here: URLs resolved and scheme-checked, text made plain and capped, dates read
//! by [`crate::dates`] (through feed-rs's pluggable timestamp parser), GUIDs checked for
//! repeats, caps applied.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use feed_rs::model as fr;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use url::Url;

use crate::dates::{self, DateProblem};
use crate::model::{FeedItem, FeedKind, ParsedFeed, hex, is_full_text};
use crate::prepare::{self, Shape};
use crate::text::{cap_bytes, cap_chars, collapse_whitespace, digest_plain_text, plain_text};
use crate::warn::Warnings;

/// What the caller knows about where the bytes came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedHint {
    /// The URL the feed was fetched from: the base for relative links.
    pub url: Option<Url>,
    /// The HTTP `Content-Type` header, which may carry a `charset`.
    pub content_type: Option<String>,
    /// The zone for dates printed without an offset.
    pub zone: TimeZone,
    /// "Now" for the future-date check; the system clock when `None`. Tests set it.
    pub now: Option<Timestamp>,
}

impl Default for FeedHint {
    fn default() -> Self {
        FeedHint {
            url: None,
            content_type: None,
            zone: TimeZone::UTC,
            now: None,
        }
    }
}

impl FeedHint {
    /// A hint with the feed's URL, no content type, UTC as the fallback zone.
    pub fn for_url(url: Url) -> Self {
        FeedHint {
            url: Some(url),
            ..FeedHint::default()
        }
    }
}

/// Caps on what one feed may cost. Past a cap the rest is dropped with a warning; only
/// `max_input_bytes` is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLimits {
    /// Larger inputs are refused ([`FeedError::TooLarge`]). Default 32 MiB.
    pub max_input_bytes: usize,
    /// Items past this many are dropped. Default 10,000.
    pub max_items: usize,
    /// Titles (feed and item) are cut to this many characters. Default 1,000.
    pub max_title_chars: usize,
    /// Summaries and the feed description are cut to this many characters. Default 20,000.
    pub max_summary_chars: usize,
    /// `content_html` is cut to this many bytes. Default 2 MiB.
    pub max_content_bytes: usize,
    /// Author and category names are cut to this many characters. Default 200.
    pub max_name_chars: usize,
    /// At most this many authors and this many categories per item. Default 50.
    pub max_names: usize,
    /// Longer GUIDs are replaced by `sha256:<hex>`. Default 1,024.
    pub max_guid_bytes: usize,
    /// At most this many warnings are kept; a last one counts the rest. Default 100.
    pub max_warnings: usize,
    /// Dates more than this far ahead of now are dropped. Default one day.
    pub max_future: SignedDuration,
}

impl ParseLimits {
    /// The default item cap.
    pub const DEFAULT_MAX_ITEMS: usize = 10_000;
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_input_bytes: 32 * 1024 * 1024,
            max_items: Self::DEFAULT_MAX_ITEMS,
            max_title_chars: 1_000,
            max_summary_chars: 20_000,
            max_content_bytes: 2 * 1024 * 1024,
            max_name_chars: 200,
            max_names: 50,
            max_guid_bytes: 1_024,
            max_warnings: 100,
            max_future: SignedDuration::from_hours(24),
        }
    }
}

/// Why bytes yielded no feed at all. Problems inside a feed are warnings, not errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// No bytes, or only whitespace.
    #[error("empty input")]
    Empty,
    /// More bytes than `ParseLimits::max_input_bytes`.
    #[error("feed is {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// The input's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The input is readable but is not a feed (an HTML page, a JSON document that is not a
    /// JSON Feed, XML with another root, plain text).
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// The input looks like a feed but cannot be read (broken or truncated XML or JSON).
    #[error("malformed feed: {0}")]
    Malformed(String),
}

/// Parses RSS 0.9x/1.0/2.0, Atom or JSON Feed bytes with the default [`ParseLimits`].
pub fn parse_feed(bytes: &[u8], hint: &FeedHint) -> Result<ParsedFeed, FeedError> {
    parse_feed_with(bytes, hint, &ParseLimits::default())
}

/// Failed date strings, shared with the timestamp closure handed to feed-rs.
type DateFailures = Arc<Mutex<Vec<(String, DateProblem)>>>;

/// feed-rs's timestamp hook can only say "a time" or "none", and "none" is also what an absent
/// date gives. To tell an unreadable date from a missing one, failures are returned as a
/// sentinel instant far before any accepted date, its seconds encoding the failure's index.
const SENTINEL_BASE_SECS: i64 = -100_000_000_000;

/// Parses a feed with explicit limits.
pub fn parse_feed_with(
    bytes: &[u8],
    hint: &FeedHint,
    limits: &ParseLimits,
) -> Result<ParsedFeed, FeedError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(FeedError::TooLarge {
            size: bytes.len(),
            max: limits.max_input_bytes,
        });
    }
    let mut warnings = Warnings::new(limits.max_warnings);
    let decoded = prepare::decode(bytes, hint.content_type.as_deref());
    for w in decoded.warnings {
        warnings.push(w);
    }
    let prepared = prepare::prepare(decoded.text)
        .map_err(|_| FeedError::Malformed("the DOCTYPE declaration never ends".into()))?;
    match prepared.shape {
        Shape::Empty => return Err(FeedError::Empty),
        Shape::Html => return Err(FeedError::NotAFeed("an HTML page".into())),
        Shape::Other => {
            return Err(FeedError::NotAFeed("neither XML nor JSON".into()));
        }
        Shape::Xml | Shape::Json => {}
    }
    if let Some(doctype) = prepared.doctype {
        if doctype.declared_entities || doctype.external {
            warnings.push(
                "DOCTYPE with entity declarations or external references removed; nothing was expanded or fetched"
                    .to_string(),
            );
        } else {
            warnings.push("DOCTYPE declaration removed".to_string());
        }
    }

    let failures: DateFailures = Arc::new(Mutex::new(Vec::new()));
    let parser = build_parser(hint, &failures);
    // feed-rs 3.0 can panic on hostile text (it slices an author string one byte beside an
    // e-mail address, which may fall inside a multi-byte character; found by fuzzing). A
    // panic there is contained and reported as a malformed feed, so one hostile feed cannot
    // take a worker down with it.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parser.parse(prepared.text.as_bytes())
    }))
    .map_err(|_| FeedError::Malformed("the feed parser failed on this input".to_string()))?;
    let feed = parsed.map_err(|e| map_error(e, prepared.shape))?;
    let failures = failures.lock().map(|f| f.clone()).unwrap_or_default();
    Ok(convert(feed, hint, limits, &failures, warnings))
}

fn build_parser(hint: &FeedHint, failures: &DateFailures) -> feed_rs::parser::Parser {
    let zone = hint.zone.clone();
    let failures = Arc::clone(failures);
    feed_rs::parser::Builder::new()
        .base_uri(hint.url.as_ref().map(Url::as_str))
        .sanitize_content(false)
        // No invented identifiers: an item without one gets `guid: None`.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(move |text| match dates::parse(text, &zone) {
            Ok(ts) => chrono::DateTime::from_timestamp(
                ts.as_second(),
                ts.subsec_nanosecond().unsigned_abs(),
            ),
            Err(problem) => {
                let mut list = failures.lock().ok()?;
                let index = i64::try_from(list.len()).ok()?;
                list.push((text.chars().take(80).collect(), problem));
                chrono::DateTime::from_timestamp(SENTINEL_BASE_SECS + index, 0)
            }
        })
        .build()
}

fn map_error(e: feed_rs::parser::ParseFeedError, shape: Shape) -> FeedError {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError as E};
    match e {
        E::ParseError(ParseErrorKind::NoFeedRoot) => {
            FeedError::NotAFeed("no RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom root element".to_string())
        }
        E::JsonUnsupportedVersion(v) => FeedError::NotAFeed(format!(
            "JSON with version {:?}, not a JSON Feed",
            v.chars().take(80).collect::<String>()
        )),
        E::JsonSerde(e) if e.is_data() => {
            FeedError::NotAFeed(format!("JSON but not a JSON Feed: {e}"))
        }
        E::JsonSerde(e) if e.is_eof() => FeedError::Malformed(format!("truncated JSON: {e}")),
        E::JsonSerde(e) => FeedError::Malformed(format!("invalid JSON: {e}")),
        E::XmlReader(e) => FeedError::Malformed(format!("invalid or truncated XML: {e}")),
        other if shape == Shape::Json => FeedError::Malformed(format!("JSON Feed: {other}")),
        other => FeedError::Malformed(other.to_string()),
    }
}

/// The conversion state for one feed.
struct Ctx<'a> {
    base: Option<&'a Url>,
    limits: &'a ParseLimits,
    failures: &'a [(String, DateProblem)],
    latest_allowed: Timestamp,
    warnings: Warnings,
}

fn convert(
    mut feed: fr::Feed,
    hint: &FeedHint,
    limits: &ParseLimits,
    failures: &[(String, DateProblem)],
    warnings: Warnings,
) -> ParsedFeed {
    let now = hint.now.unwrap_or_else(Timestamp::now);
    let mut cx = Ctx {
        base: hint.url.as_ref(),
        limits,
        failures,
        latest_allowed: now.saturating_add(limits.max_future).unwrap_or(now),
        warnings,
    };
    let kind = match feed.feed_type {
        fr::FeedType::Atom => FeedKind::Atom,
        fr::FeedType::JSON => FeedKind::Json,
        fr::FeedType::RSS0 | fr::FeedType::RSS1 | fr::FeedType::RSS2 => FeedKind::Rss,
    };
    let mut title = feed
        .title
        .as_ref()
        .map(|t| plain_text(&t.content))
        .unwrap_or_default();
    if cap_chars(&mut title, limits.max_title_chars) {
        cx.warnings
            .push("feed title cut to the length limit".to_string());
    }
    let site_url = feed
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .find_map(|l| cx.url(&l.href, "feed link"));
    let description = feed.description.as_ref().and_then(|t| {
        let mut d = plain_text(&t.content);
        cap_chars(&mut d, limits.max_summary_chars);
        (!d.is_empty()).then_some(d)
    });
    let language = feed
        .language
        .as_deref()
        .map(|l| collapse_whitespace(l).to_ascii_lowercase())
        .filter(|l| !l.is_empty() && l.len() <= 35);
    let feed_authors = names(
        feed.authors.iter().filter_map(|p| p.name.as_deref()),
        limits,
    );

    if feed.entries.len() > limits.max_items {
        cx.warnings.push(format!(
            "feed has {} items; kept the first {}",
            feed.entries.len(),
            limits.max_items
        ));
        feed.entries.truncate(limits.max_items);
    }
    let mut items = Vec::with_capacity(feed.entries.len());
    for (index, entry) in feed.entries.into_iter().enumerate() {
        items.push(cx.item(index, entry, &feed_authors));
    }
    check_repeated_guids(&items, &mut cx.warnings);

    ParsedFeed {
        kind,
        title,
        site_url,
        description,
        language,
        ttl_minutes: feed.ttl,
        items,
        warnings: cx.warnings.finish(),
    }
}

impl Ctx<'_> {
    /// Resolves `href` against the base and keeps it only if it is http(s) with a host.
    fn url(&mut self, href: &str, what: &str) -> Option<Url> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        let parsed = Url::options().base_url(self.base).parse(href);
        match parsed {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            Ok(u) => {
                self.warnings.push(format!(
                    "{what} with scheme {:?} dropped",
                    u.scheme().chars().take(20).collect::<String>()
                ));
                None
            }
            Err(_) => {
                self.warnings.push(format!(
                    "{what} {:?} is not a usable URL; dropped",
                    href.chars().take(80).collect::<String>()
                ));
                None
            }
        }
    }

    fn date(
        &mut self,
        index: usize,
        which: &str,
        value: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Option<Timestamp> {
        let value = value?;
        let secs = value.timestamp();
        if secs < 0 {
            let failure = usize::try_from(secs - SENTINEL_BASE_SECS)
                .ok()
                .and_then(|i| self.failures.get(i));
            let msg = match failure {
                Some((text, DateProblem::Implausible)) => {
                    format!("item {index}: {which} date {text:?} is a placeholder; dropped")
                }
                Some((text, DateProblem::Unreadable)) => {
                    format!("item {index}: {which} date {text:?} unreadable; dropped")
                }
                None => format!("item {index}: {which} date unreadable; dropped"),
            };
            self.warnings.push(msg);
            return None;
        }
        let ts = Timestamp::new(secs, i32::try_from(value.timestamp_subsec_nanos()).ok()?).ok()?;
        if ts > self.latest_allowed {
            self.warnings.push(format!(
                "item {index}: {which} date {ts} is in the future; dropped"
            ));
            return None;
        }
        Some(ts)
    }

    fn item(&mut self, index: usize, mut entry: fr::Entry, feed_authors: &[String]) -> FeedItem {
        let limits = self.limits;
        let guid = {
            let id = entry.id.trim();
            if id.is_empty() {
                None
            } else if id.len() > limits.max_guid_bytes {
                self.warnings.push(format!(
                    "item {index}: GUID of {} bytes replaced by its SHA-256",
                    id.len()
                ));
                Some(format!("sha256:{}", hex(&Sha256::digest(id.as_bytes()))))
            } else {
                Some(id.to_string())
            }
        };

        let link = entry
            .links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .map(|l| l.href.as_str())
            .next();
        let url = match link {
            Some(href) => self.url(href, &format!("item {index}: link")),
            // RSS: a guid is a permalink unless it says otherwise; use it when it is a URL.
            None => guid
                .as_deref()
                .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
                .and_then(|g| Url::parse(g).ok()),
        };

        let mut title = entry
            .title
            .as_ref()
            .map(|t| plain_text(&t.content))
            .unwrap_or_default();
        if cap_chars(&mut title, limits.max_title_chars) {
            self.warnings
                .push(format!("item {index}: title cut to the length limit"));
        }

        let summary_raw = entry.summary.as_ref().map(|t| t.content.as_str());
        let summary = summary_raw.and_then(|raw| {
            let mut s = plain_text(raw);
            cap_chars(&mut s, limits.max_summary_chars);
            (!s.is_empty()).then_some(s)
        });

        // Moved, not copied: content is most of a feed's bytes.
        let content_html = entry.content.take().and_then(|c| {
            let body = c.body?;
            if body.trim().is_empty() {
                return None;
            }
            let is_plain = c
                .content_type
                .subty()
                .as_str()
                .eq_ignore_ascii_case("plain");
            let mut html = if is_plain {
                escape_text_as_html(&body)
            } else {
                body
            };
            if cap_bytes(&mut html, limits.max_content_bytes) {
                self.warnings
                    .push(format!("item {index}: content cut to the size limit"));
            }
            Some(html)
        });

        let published = self.date(index, "published", entry.published);
        let updated = self.date(index, "updated", entry.updated);

        let mut authors = names(
            entry.authors.iter().filter_map(|p| p.name.as_deref()),
            limits,
        );
        if authors.is_empty() {
            authors = feed_authors.to_vec();
        }
        let categories = names(
            entry
                .categories
                .iter()
                .map(|c| c.label.as_deref().unwrap_or(&c.term)),
            limits,
        );

        let image_url = self.image(index, &entry, content_html.as_deref(), summary_raw);

        let mut hasher = Sha256::new();
        hasher.update(title.as_bytes());
        hasher.update(b"\n");
        hasher.update(url.as_ref().map_or("", Url::as_str).as_bytes());
        hasher.update(b"\n");
        // The body's plain text goes into the hash as it is produced, never built as a string.
        let full_text = match &content_html {
            Some(html) => {
                let digest = digest_plain_text(html, &mut hasher);
                is_full_text(digest.chars, &digest.tail)
            }
            None => {
                hasher.update(summary.as_deref().unwrap_or("").as_bytes());
                false
            }
        };
        hasher.update(b"\n");
        let content_hash: [u8; 32] = hasher.finalize().into();

        FeedItem {
            guid,
            url,
            title,
            summary,
            content_html,
            published,
            updated,
            authors,
            categories,
            image_url,
            content_hash,
            full_text,
        }
    }

    fn image(
        &mut self,
        index: usize,
        entry: &fr::Entry,
        content: Option<&str>,
        summary: Option<&str>,
    ) -> Option<Url> {
        let what = format!("item {index}: image");
        for media in &entry.media {
            for thumb in &media.thumbnails {
                if let Some(u) = self.url(&thumb.image.uri, &what) {
                    return Some(u);
                }
            }
        }
        for media in &entry.media {
            for c in &media.content {
                let is_image = c
                    .content_type
                    .as_ref()
                    .is_some_and(|t| t.ty().as_str().eq_ignore_ascii_case("image"));
                if is_image
                    && let Some(u) = c.url.as_ref().and_then(|u| self.url(u.as_str(), &what))
                {
                    return Some(u);
                }
            }
        }
        for html in [content, summary].into_iter().flatten() {
            if let Some(src) = first_img_src(html)
                && let Some(u) = self.url(&src, &what)
            {
                return Some(u);
            }
        }
        None
    }
}

/// Plain-text names, deduplicated (case-insensitively), capped in length and count.
fn names<'a>(raw: impl Iterator<Item = &'a str>, limits: &ParseLimits) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let mut name = plain_text(r);
        // RSS `author` is "email (Name)"; feed-rs takes the email out and leaves the brackets.
        if name.starts_with('(') && name.ends_with(')') {
            name = name[1..name.len() - 1].trim().to_string();
        }
        if name.is_empty() {
            continue;
        }
        cap_chars(&mut name, limits.max_name_chars);
        if out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            continue;
        }
        out.push(name);
        if out.len() >= limits.max_names {
            break;
        }
    }
    out
}

fn check_repeated_guids(items: &[FeedItem], warnings: &mut Warnings) {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    let mut repeats = 0usize;
    let mut example = None;
    for item in items {
        if let Some(g) = item.guid.as_deref() {
            let n = seen.entry(g).or_insert(0);
            *n += 1;
            if *n > 1 {
                repeats += 1;
                example.get_or_insert(g);
            }
        }
    }
    if let Some(g) = example {
        warnings.push(format!(
            "{repeats} item(s) repeat a GUID already used earlier in the feed (e.g. {:?}); all kept, deduplicate downstream",
            g.chars().take(80).collect::<String>()
        ));
    }
}

/// `src` of the first `<img>` in an HTML fragment, references decoded.
fn first_img_src(html: &str) -> Option<String> {
    let b = html.as_bytes();
    let mut from = 0;
    // memchr jumps between the `<`s; the iterator keeps its place, so no search restarts.
    while let Some(at) = memchr::memchr_iter(b'<', &b[from..])
        .map(|p| from + p)
        .find(|&at| {
            b.get(at + 1..at + 4)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"img"))
        })
    {
        let start = at + 4;
        let end = html[start..].find('>').map_or(html.len(), |e| start + e);
        let tag = &html[start..end];
        if let Some(v) = attr_value(tag, "src") {
            return Some(crate::text::decode_entities(v).into_owned());
        }
        from = end;
    }
    None
}

/// Case-insensitive search; jumps between occurrences of the first byte.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(p) = hay[from..]
        .iter()
        .position(|b| b.eq_ignore_ascii_case(&first))
    {
        let at = from + p;
        if hay
            .get(at + 1..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn attr_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let b = tag.as_bytes();
    let mut from = 0;
    while let Some(p) = find_ci(&b[from..], name.as_bytes()) {
        let at = from + p;
        let before_ok = at == 0 || b[at - 1].is_ascii_whitespace();
        let rest = tag[at + name.len()..].trim_start();
        if before_ok && let Some(rest) = rest.strip_prefix('=') {
            let rest = rest.trim_start();
            return Some(match rest.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &rest[1..];
                    &inner[..inner.find(q).unwrap_or(inner.len())]
                }
                _ => {
                    let end = rest
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(rest.len());
                    &rest[..end]
                }
            });
        }
        from = at + name.len();
    }
    None
}

fn escape_text_as_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        for c in para.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                _ => out.push(c),
            }
        }
        out.push_str("</p>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn img_src_is_found_in_any_quoting() {
        assert_eq!(
            first_img_src("<p>x</p><IMG alt='a' SRC=\"/a.jpg?x=1&amp;y=2\">").as_deref(),
            Some("/a.jpg?x=1&y=2")
        );
        assert_eq!(
            first_img_src("<img data-src=x src=b.png>").as_deref(),
            Some("b.png")
        );
        assert_eq!(first_img_src("<p>no image</p>"), None);
    }

    #[test]
    fn plain_text_content_is_escaped_into_paragraphs() {
        assert_eq!(
            escape_text_as_html("a < b\n\n<script>"),
            "<p>a &lt; b</p><p>&lt;script&gt;</p>"
        );
    }
}
