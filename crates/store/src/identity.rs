//! Article identity and change detection, shared by both backends (pure functions, no IO).
//!
//! - **Identity** says whether two upserts are the same story. With a canonical URL it is
//!   `url:<normalised URL>`, global across sources (one URL is one story, whoever fetched it).
//!   Without one (pasted text) it is `fp:<source id>:<fingerprint>` where the fingerprint is the
//!   SHA-256 of the normalised title and body: the same text from the same source is the same
//!   story. A fingerprint identity cannot see *revisions* — changed text is a different
//!   fingerprint, hence a new article — which is why the URL wins whenever there is one.
//! - **Content hash** says whether an upsert changed the story: SHA-256 over what a reader sees
//!   (title, authors, dateline, times, section, images, instruments printed, body blocks). It
//!   leaves out the extractor's warnings and the detected language, which can change between
//!   extractor versions without the story changing, and it leaves out the times when they were
//!   resolved from a relative phrase ("2 hours ago"), which drift with every fetch.

use newsdesk_article::{Article, WarningCode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::model::Id;

/// Normalises a canonical URL for identity: trims it, drops the `#fragment`, lowercases the
/// scheme and host. The path and query are kept as they are (they are case-sensitive).
pub fn normalize_url(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    if url.is_empty() {
        return None;
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(url.to_string());
    };
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    Some(format!(
        "{}://{}{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
        tail
    ))
}

/// The content fingerprint: SHA-256 (hex) of the title and body text, lowercased with all
/// whitespace runs collapsed to one space, so re-wrapped or re-spaced copies match.
pub fn fingerprint(article: &Article) -> String {
    let mut text = String::new();
    text.push_str(article.title.as_deref().unwrap_or(""));
    text.push('\n');
    text.push_str(&article.body_text());
    let normalised = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    hex_sha256(normalised.as_bytes())
}

/// The identity key of an article from `source_id` (see the module docs).
pub fn identity(source_id: Id, article: &Article) -> Result<String> {
    if let Some(url) = article.url.as_deref().and_then(normalize_url) {
        return Ok(format!("url:{url}"));
    }
    let has_text = article
        .title
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
        || !article.body_text().trim().is_empty();
    if !has_text {
        return Err(StoreError::Invalid {
            what: "article",
            detail: "no canonical URL, no title and no body: nothing to identify it by".into(),
        });
    }
    Ok(format!("fp:{source_id}:{}", fingerprint(article)))
}

/// What the content hash covers; serialised to JSON (fixed field order) and hashed.
#[derive(Serialize)]
struct ContentView<'a> {
    title: &'a Option<String>,
    authors: &'a [String],
    agency: &'a Option<String>,
    dateline: &'a Option<newsdesk_article::Dateline>,
    published: Option<i64>,
    updated: Option<i64>,
    section: &'a Option<String>,
    images: &'a [newsdesk_article::Image],
    printed_instruments: &'a [String],
    blocks: &'a [newsdesk_article::Block],
}

/// The content hash (hex SHA-256) used to tell a revision from an unchanged re-fetch.
pub fn content_hash(article: &Article) -> Result<String> {
    let relative = article
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::RelativeDate);
    let time = |t: &Option<newsdesk_article::SourceTime>| {
        if relative {
            None
        } else {
            t.as_ref().map(|t| t.instant.as_microsecond())
        }
    };
    let view = ContentView {
        title: &article.title,
        authors: &article.authors,
        agency: &article.agency,
        dateline: &article.dateline,
        published: time(&article.published),
        updated: time(&article.updated),
        section: &article.section,
        images: &article.images,
        printed_instruments: &article.printed_instruments,
        blocks: &article.blocks,
    };
    let json = serde_json::to_vec(&view).map_err(|e| StoreError::Invalid {
        what: "article",
        detail: format!("cannot serialise for hashing: {e}"),
    })?;
    Ok(hex_sha256(&json))
}

fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;
    use newsdesk_article::Block;

    fn art(title: &str, body: &str) -> Article {
        Article {
            title: Some(title.into()),
            blocks: vec![Block::paragraph(body)],
            ..Article::default()
        }
    }

    #[test]
    fn urls_normalise_scheme_host_and_fragment_only() {
        assert_eq!(
            normalize_url(" HTTPS://Example.COM/Path/A?q=B#frag ").as_deref(),
            Some("https://example.com/Path/A?q=B")
        );
        assert_eq!(
            normalize_url("https://EX.com?x=1").as_deref(),
            Some("https://ex.com?x=1")
        );
        assert_eq!(normalize_url("  #x"), None);
    }

    #[test]
    fn fingerprint_ignores_spacing_and_case_but_not_words() {
        let a = art("Stocks rise", "The Nikkei  rose\n1%.");
        let b = art("stocks   RISE", "the nikkei rose 1%.");
        let c = art("Stocks rise", "The Nikkei rose 2%.");
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(fingerprint(&a).len(), 64);
    }

    #[test]
    fn identity_prefers_url_and_scopes_fingerprints_by_source() {
        let mut a = art("T", "B");
        assert!(identity(1, &a).unwrap().starts_with("fp:1:"));
        assert_ne!(identity(1, &a).unwrap(), identity(2, &a).unwrap());
        a.url = Some("https://x.com/a".into());
        assert_eq!(identity(1, &a).unwrap(), "url:https://x.com/a");
        assert_eq!(identity(1, &a).unwrap(), identity(2, &a).unwrap());
        assert!(identity(1, &Article::default()).is_err());
    }

    #[test]
    fn content_hash_ignores_warnings_but_not_text() {
        let a = art("T", "B");
        let mut b = a.clone();
        b.warn(WarningCode::ThinBody, "short");
        b.language = Some("en".into());
        assert_eq!(content_hash(&a).unwrap(), content_hash(&b).unwrap());
        let c = art("T", "B2");
        assert_ne!(content_hash(&a).unwrap(), content_hash(&c).unwrap());
    }
}
