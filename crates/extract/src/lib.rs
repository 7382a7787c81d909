//! Article extraction: HTML pages and pasted text in, [`Article`] out.
//!
//! This crate is pure: it takes bytes or text and returns data. It does no file or network IO,
//! so it can be fuzzed, benchmarked and reused by the CLI, the ingester and the web alike.
//!
//! Map of the crate:
//! - [`charset`]: bytes → text (BOM, HTTP header, `<meta charset>`, sniffing) with `encoding_rs`.
//! - [`decode`]: gzip with a cap on the decompressed size (bomb-safe).
//! - [`dom`]: a compact arena DOM built by html5ever (what every HTML pass reads).
//! - [`dates`]: the date formats news sites print, including "3 hours ago" against a clock.
//! - [`html`]: the HTML pipeline — metadata ([`html::meta`]) and main content ([`html::content`]).
//! - [`text`]: text copied from a rendered page (select-all, paste), boilerplate removed.
//! - [`flatten`]: HTML → the text a browser's select-all copy gives (used to build text fixtures).
//! - [`wire`]: wire-service conventions shared by both pipelines: datelines, agencies, credits.
//! - [`clean`]: small text utilities (whitespace, punctuation) shared by everything above.

pub mod charset;
pub mod clean;
pub mod dates;
pub mod decode;
pub mod dom;
pub mod flatten;
pub mod html;
pub mod text;
pub mod wire;

use jiff::Timestamp;
use jiff::tz::TimeZone;
pub use newsdesk_article::{Article, Block, Dateline, Image, SourceTime, Warning, WarningCode};

/// Largest input we parse, in bytes (after decompression). Larger inputs are refused with
/// [`ExtractError::TooLarge`] rather than risking the process's memory.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// How to read one input.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// The URL the page was fetched from: base for relative links and fallback canonical URL.
    pub url: Option<String>,
    /// Zone for wall-clock times that carry none (`--tz`). `None` means "assume UTC and say so".
    pub zone: Option<TimeZone>,
    /// The clock for relative dates ("1 day ago"). `None` leaves relative dates unresolved.
    pub now: Option<Timestamp>,
    /// The HTTP `Content-Type` header, if the page came over HTTP (its charset wins over markup).
    pub content_type: Option<String>,
    /// Inputs larger than this are refused.
    pub max_input_bytes: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            url: None,
            zone: None,
            now: None,
            content_type: None,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
        }
    }
}

impl ExtractOptions {
    /// The date context these options imply.
    pub fn date_context(&self) -> dates::DateContext {
        dates::DateContext {
            zone: self.zone.clone(),
            now: self.now,
            day_first: None,
        }
    }
}

/// Why an input could not be extracted at all. (Partial problems are [`Warning`]s instead.)
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The input is empty or only whitespace.
    #[error("input is empty")]
    Empty,
    /// The input is larger than the configured limit.
    #[error("input is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Size seen (at least this many bytes).
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The input looks like binary data, not HTML or text.
    #[error("input looks binary ({0}), not HTML or text")]
    Binary(&'static str),
    /// A compressed input could not be decompressed.
    #[error("cannot decompress: {0}")]
    Decompress(String),
}

/// Extracts an article from an HTML page.
pub fn extract_html(bytes: &[u8], opts: &ExtractOptions) -> Result<Article, ExtractError> {
    check_input(bytes, opts)?;
    let decoded = charset::decode_html(bytes, opts.content_type.as_deref());
    let mut article = html::extract_document(&decoded.text, opts);
    if decoded.had_errors {
        article.warn(
            WarningCode::EncodingReplaced,
            format!(
                "some bytes were not valid {}; they were replaced",
                decoded.encoding.name()
            ),
        );
    }
    Ok(article)
}

/// Extracts an article from text copied off a rendered page.
pub fn extract_text(bytes: &[u8], opts: &ExtractOptions) -> Result<Article, ExtractError> {
    check_input(bytes, opts)?;
    let decoded = charset::decode_text(bytes);
    let mut article = text::extract(&decoded.text, opts);
    // Pasted text carries no link of its own: the URL the user gave is the story's URL.
    if article.url.is_none() {
        article.url.clone_from(&opts.url);
    }
    if decoded.had_errors {
        article.warn(
            WarningCode::EncodingReplaced,
            format!(
                "some bytes were not valid {}; they were replaced",
                decoded.encoding.name()
            ),
        );
    }
    Ok(article)
}

fn check_input(bytes: &[u8], opts: &ExtractOptions) -> Result<(), ExtractError> {
    if bytes.len() > opts.max_input_bytes {
        return Err(ExtractError::TooLarge {
            size: bytes.len(),
            limit: opts.max_input_bytes,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ExtractError::Empty);
    }
    if let Some(kind) = charset::sniff_binary(bytes) {
        return Err(ExtractError::Binary(kind));
    }
    Ok(())
}
