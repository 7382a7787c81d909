//! RSS 2.0 and Atom 1.0, written by hand: every text goes through [`escape::xml`] (which also
//! drops characters XML 1.0 forbids), every link is absolute, dates are RFC 822 for RSS and
//! RFC 3339 for Atom, and item ids are the story's permanent URL on this site.

use jiff::Timestamp;

use crate::escape::xml;
use crate::timefmt;

/// The feed as a whole.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    /// Feed title.
    pub title: String,
    /// Feed description (RSS) / subtitle (Atom).
    pub description: String,
    /// The HTML page this feed mirrors (absolute).
    pub html_url: String,
    /// This feed's own URL (absolute).
    pub self_url: String,
    /// Newest update among the items (or now when empty).
    pub updated: Timestamp,
}

/// One entry.
#[derive(Debug, Clone)]
pub struct FeedItem {
    /// Headline.
    pub title: String,
    /// The story's page on this site (absolute); also its id/guid.
    pub link: String,
    /// Source name.
    pub source: String,
    /// Publication time.
    pub published: Option<Timestamp>,
    /// Last update (published, else first seen, when the source printed none).
    pub updated: Timestamp,
    /// Summary text (plain).
    pub summary: String,
    /// Instrument symbols.
    pub categories: Vec<String>,
}

fn el(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    xml(text, out);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// RSS 2.0 with an `atom:link rel="self"`.
pub fn rss(meta: &FeedMeta, items: &[FeedItem]) -> String {
    let mut o = String::with_capacity(1024 + items.len() * 512);
    o.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    o.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    el(&mut o, "title", &meta.title);
    el(&mut o, "link", &meta.html_url);
    el(&mut o, "description", &meta.description);
    o.push_str("<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
    xml(&meta.self_url, &mut o);
    o.push_str("\"/>\n");
    el(&mut o, "lastBuildDate", &timefmt::rfc822(meta.updated));
    el(&mut o, "generator", "newsdesk");
    for it in items {
        o.push_str("<item>\n");
        el(&mut o, "title", &it.title);
        el(&mut o, "link", &it.link);
        o.push_str("<guid isPermaLink=\"true\">");
        xml(&it.link, &mut o);
        o.push_str("</guid>\n");
        el(
            &mut o,
            "pubDate",
            &timefmt::rfc822(it.published.unwrap_or(it.updated)),
        );
        if !it.summary.is_empty() {
            el(&mut o, "description", &it.summary);
        }
        for c in &it.categories {
            el(&mut o, "category", c);
        }
        o.push_str("</item>\n");
    }
    o.push_str("</channel>\n</rss>\n");
    o
}

/// Atom 1.0.
pub fn atom(meta: &FeedMeta, items: &[FeedItem]) -> String {
    let utc = jiff::tz::TimeZone::UTC;
    let mut o = String::with_capacity(1024 + items.len() * 640);
    o.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    o.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    el(&mut o, "title", &meta.title);
    el(&mut o, "subtitle", &meta.description);
    el(&mut o, "id", &meta.self_url);
    o.push_str("<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    xml(&meta.self_url, &mut o);
    o.push_str("\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    xml(&meta.html_url, &mut o);
    o.push_str("\"/>\n");
    el(&mut o, "updated", &timefmt::rfc3339(meta.updated, &utc));
    el(&mut o, "generator", "newsdesk");
    for it in items {
        o.push_str("<entry>\n");
        el(&mut o, "title", &it.title);
        el(&mut o, "id", &it.link);
        o.push_str("<link rel=\"alternate\" type=\"text/html\" href=\"");
        xml(&it.link, &mut o);
        o.push_str("\"/>\n");
        if let Some(p) = it.published {
            el(&mut o, "published", &timefmt::rfc3339(p, &utc));
        }
        el(&mut o, "updated", &timefmt::rfc3339(it.updated, &utc));
        o.push_str("<author>\n");
        el(
            &mut o,
            "name",
            if it.source.is_empty() {
                "newsdesk"
            } else {
                &it.source
            },
        );
        o.push_str("</author>\n");
        if !it.summary.is_empty() {
            o.push_str("<summary type=\"text\">");
            xml(&it.summary, &mut o);
            o.push_str("</summary>\n");
        }
        for c in &it.categories {
            o.push_str("<category term=\"");
            xml(c, &mut o);
            o.push_str("\"/>\n");
        }
        o.push_str("</entry>\n");
    }
    o.push_str("</feed>\n");
    o
}
