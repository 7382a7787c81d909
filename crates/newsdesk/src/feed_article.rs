//! Feed items into articles: item keys (exactly-once identity within a feed) and the
//! [`Article`] built from an item's own fields, never from raw HTML for display.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_article::{Article, Block, SourceTime};
use newsdesk_extract::ExtractOptions;
use newsdesk_feed::FeedItem;

/// The key of every item in `items`, in order: `g:<guid>` when the GUID is unique in this
/// document, else `u:<url>` when the URL is, else `h:<content hash>`. A feed that gives every
/// item the same GUID so still stores each distinct item once; exact repeats share a key and
/// the store keeps the first.
pub fn item_keys(items: &[FeedItem]) -> Vec<String> {
    let mut guids: HashMap<&str, usize> = HashMap::new();
    let mut urls: HashMap<&str, usize> = HashMap::new();
    for item in items {
        if let Some(g) = item.guid.as_deref().filter(|g| !g.is_empty()) {
            *guids.entry(g).or_default() += 1;
        }
        if let Some(u) = &item.url {
            *urls.entry(u.as_str()).or_default() += 1;
        }
    }
    items
        .iter()
        .map(|item| {
            if let Some(g) = item.guid.as_deref().filter(|g| guids.get(g) == Some(&1)) {
                return format!("g:{g}");
            }
            if let Some(u) = item
                .url
                .as_ref()
                .filter(|u| urls.get(u.as_str()) == Some(&1))
            {
                return format!("u:{u}");
            }
            format!("h:{}", item.content_hash_hex())
        })
        .collect()
}

/// A time the feed gave, shown in the feed's zone.
fn source_time(t: Timestamp, zone: &str) -> SourceTime {
    SourceTime {
        instant: t,
        zone: zone.to_string(),
        zone_assumed: false,
    }
}

/// The article an item carries by itself: title, link, times in the feed's zone, authors,
/// and body blocks from the content HTML (through the HTML extractor, which keeps only text
/// structure) or, failing that, the plain-text summary.
pub fn article_from_item(item: &FeedItem, zone: &TimeZone, now: Timestamp) -> Article {
    let zone_name = newsdesk_article::zone_name(zone);
    let mut article = item
        .content_html
        .as_deref()
        .and_then(|html| {
            let page = format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><article>{html}</article></body></html>"
            );
            let opts = ExtractOptions {
                url: item.url.as_ref().map(|u| u.to_string()),
                zone: Some(zone.clone()),
                now: Some(now),
                content_type: Some("text/html; charset=utf-8".into()),
                max_input_bytes: newsdesk_extract::DEFAULT_MAX_INPUT_BYTES,
            };
            newsdesk_extract::extract_html(page.as_bytes(), &opts).ok()
        })
        .unwrap_or_default();
    if article.blocks.is_empty() {
        let text = item
            .content_html
            .as_deref()
            .map(newsdesk_feed::text::plain_text)
            .filter(|t| !t.trim().is_empty())
            .or_else(|| item.summary.clone())
            .unwrap_or_default();
        if !text.trim().is_empty() {
            article.blocks = vec![Block::paragraph(text.trim())];
        }
    }
    apply_item_fields(&mut article, item, &zone_name);
    article
}

/// Overrides what the feed states authoritatively about an item: its link (the story's
/// identity), plain-text title, times (in the feed's zone) and, when missing, authors.
pub fn apply_item_fields(article: &mut Article, item: &FeedItem, zone_name: &str) {
    article.url = item.url.as_ref().map(|u| u.to_string());
    if !item.title.trim().is_empty() {
        article.title = Some(item.title.clone());
    }
    if let Some(p) = item.published.or(item.updated) {
        article.published = Some(source_time(p, zone_name));
    }
    article.updated = item
        .updated
        .filter(|u| Some(*u) != item.published && item.published.is_some())
        .map(|u| source_time(u, zone_name));
    if article.authors.is_empty() {
        article.authors = item.authors.clone();
    }
    if article.section.is_none() {
        article.section = item.categories.first().cloned();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn feed(xml: &str) -> Vec<FeedItem> {
        newsdesk_feed::parse_feed(xml.as_bytes(), &newsdesk_feed::FeedHint::default())
            .unwrap()
            .items
    }

    #[test]
    fn keys_fall_back_when_guids_repeat() {
        let items = feed(
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><guid>same</guid><link>https://a.example/1</link><title>One</title></item>
            <item><guid>same</guid><link>https://a.example/2</link><title>Two</title></item>
            <item><guid>own</guid><link>https://a.example/3</link><title>Three</title></item>
            <item><title>No id</title></item>
            </channel></rss>"#,
        );
        let keys = item_keys(&items);
        assert_eq!(keys[0], "u:https://a.example/1");
        assert_eq!(keys[1], "u:https://a.example/2");
        assert_eq!(keys[2], "g:own");
        assert!(keys[3].starts_with("h:"));
    }

    #[test]
    fn scripts_and_handlers_never_reach_the_article() {
        let items = feed(
            r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
            <item><guid>x</guid><link>https://a.example/x</link>
            <title>&lt;script&gt;alert(1)&lt;/script&gt;Rates &lt;b onmouseover="x()"&gt;held&lt;/b&gt;</title>
            <content:encoded><![CDATA[<p onclick="evil()">The bank held rates.<script>steal()</script><svg onload="x()"><text>svg</text></svg></p><p><a href="javascript:alert(1)">more</a></p>]]></content:encoded>
            </item></channel></rss>"#,
        );
        let a = article_from_item(&items[0], &TimeZone::UTC, Timestamp::UNIX_EPOCH);
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("<script"), "{json}");
        assert!(!json.contains("steal()"), "{json}");
        assert!(!json.contains("onclick"), "{json}");
        assert!(!json.contains("javascript:"), "{json}");
        assert_eq!(a.title.as_deref(), Some("Rates held"));
        assert!(a.body_text().contains("The bank held rates."), "{json}");
    }
}
