//! The four formats read from fixtures into our model.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::Timestamp;
use newsdesk_feed::{FeedHint, FeedKind, ParsedFeed, parse_feed};
use url::Url;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn hint(url: &str) -> FeedHint {
    FeedHint {
        now: Some("2024-03-12T00:00:00Z".parse().unwrap()),
        ..FeedHint::for_url(Url::parse(url).unwrap())
    }
}

fn ts(s: &str) -> Option<Timestamp> {
    Some(s.parse().unwrap())
}

fn parse(name: &str, url: &str) -> ParsedFeed {
    parse_feed(&fixture(name), &hint(url)).unwrap()
}

#[test]
fn rss2_channel_and_items() {
    let f = parse("rss2.xml", "https://ledger.example.com/feed/rss");
    assert_eq!(f.kind, FeedKind::Rss);
    assert_eq!(f.title, "Harbour Ledger & Markets");
    assert_eq!(f.site_url.unwrap().as_str(), "https://ledger.example.com/");
    assert_eq!(
        f.description.as_deref(),
        Some("Daily market notes from the harbour desk.")
    );
    assert_eq!(f.language.as_deref(), Some("en-gb"));
    assert_eq!(f.ttl_minutes, Some(30));
    assert_eq!(f.items.len(), 3);

    let a = &f.items[0];
    assert_eq!(a.guid.as_deref(), Some("ledger-2024-0311-copper"));
    // Relative link resolved against the feed URL.
    assert_eq!(
        a.url.as_ref().unwrap().as_str(),
        "https://ledger.example.com/markets/copper-climbs"
    );
    assert_eq!(a.title, "Copper climbs as port strike drags on");
    assert_eq!(
        a.summary.as_deref(),
        Some("Copper rose for a third session.")
    );
    assert!(
        a.content_html
            .as_deref()
            .unwrap()
            .starts_with("<p>Copper rose for a third session on Monday")
    );
    assert_eq!(a.published, ts("2024-03-11T08:15:00Z"));
    assert_eq!(a.authors, ["Mara Quint"]);
    // Case-insensitive duplicates collapse.
    assert_eq!(a.categories, ["Commodities", "Metals"]);
    assert_eq!(
        a.image_url.as_ref().unwrap().as_str(),
        "https://ledger.example.com/img/copper.jpg"
    );
    assert!(
        a.has_full_text(),
        "four paragraphs of content are full text"
    );

    let b = &f.items[1];
    assert_eq!(b.published, ts("2024-03-10T17:40:00Z"));
    assert_eq!(
        b.summary.as_deref(),
        Some("Gilts held steady ahead of Tuesday’s auction… Read more")
    );
    assert_eq!(b.content_html, None);
    assert!(!b.has_full_text());
    assert_eq!(
        b.image_url.as_ref().unwrap().as_str(),
        "https://cdn.example.com/gilts.png"
    );
    assert_eq!(b.authors, ["Ines Vale"]);

    let c = &f.items[2];
    // No <link>: the permalink guid is the URL. EST is UTC-5.
    assert_eq!(
        c.url.as_ref().unwrap().as_str(),
        "https://ledger.example.com/notes/42"
    );
    assert_eq!(c.published, ts("2024-03-09T14:00:00Z"));
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

#[test]
fn atom_feed_and_entries() {
    let f = parse("atom.xml", "https://research.example.org/atom.xml");
    assert_eq!(f.kind, FeedKind::Atom);
    assert_eq!(f.title, "Northwind Equity Research");
    // The self link is not the site.
    assert_eq!(
        f.site_url.unwrap().as_str(),
        "https://research.example.org/"
    );
    assert_eq!(f.description.as_deref(), Some("Notes & models"));
    let a = &f.items[0];
    assert_eq!(
        a.guid.as_deref(),
        Some("tag:research.example.org,2024:q4-review")
    );
    assert_eq!(
        a.url.as_ref().unwrap().as_str(),
        "https://research.example.org/posts/q4-review"
    );
    assert_eq!(a.title, "Q4 review: margins widen");
    assert_eq!(a.published, ts("2024-03-11T08:30:00Z"));
    assert_eq!(a.updated, ts("2024-03-11T09:00:00Z"));
    assert_eq!(a.authors, ["Olu Barra"]);
    assert_eq!(a.categories, ["Earnings"]);
    assert_eq!(a.content_html.as_deref(), Some("<p>Margins widened.</p>"));
    assert!(!a.has_full_text());

    let b = &f.items[1];
    // Feed author inherited; offset-less date read in the fallback zone (UTC here).
    assert_eq!(b.authors, ["Northwind Research Desk"]);
    assert_eq!(b.updated, ts("2024-03-10T08:00:00Z"));
    let html = b.content_html.as_deref().unwrap();
    assert!(html.contains("<b>XHTML</b>"), "{html}");
}

#[test]
fn fallback_zone_applies_to_offsetless_dates() {
    let mut h = hint("https://research.example.org/atom.xml");
    h.zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let f = parse_feed(&fixture("atom.xml"), &h).unwrap();
    assert_eq!(f.items[1].updated, ts("2024-03-10T07:00:00Z"));
    // Dates with an offset do not move.
    assert_eq!(f.items[0].published, ts("2024-03-11T08:30:00Z"));
}

#[test]
fn json_feed_items() {
    let f = parse("jsonfeed.json", "https://quay.example.net/feed.json");
    assert_eq!(f.kind, FeedKind::Json);
    assert_eq!(f.title, "Quay Street Wire");
    assert_eq!(f.site_url.unwrap().as_str(), "https://quay.example.net/");
    let a = &f.items[0];
    assert_eq!(a.guid.as_deref(), Some("qsw-1001"));
    assert_eq!(a.published, ts("2024-03-11T11:00:00Z"));
    assert_eq!(a.updated, ts("2024-03-11T12:00:00Z"));
    assert_eq!(a.summary.as_deref(), Some("Dry-bulk rates slid."));
    assert_eq!(a.categories, ["Shipping", "Indices"]);
    assert_eq!(a.authors, ["Quay Wire Staff"]);

    let b = &f.items[1];
    assert_eq!(b.url, None, "javascript: URL must be dropped");
    assert_eq!(b.published, None);
    assert_eq!(
        b.content_html.as_deref(),
        Some("<p>Line one &amp; &lt;two&gt;.</p><p>Second paragraph.</p>")
    );
    let w = f.warnings.join("\n");
    assert!(w.contains("scheme \"javascript\""), "{w}");
    assert!(
        w.contains("item 1: published date \"not a date\" unreadable"),
        "{w}"
    );
}

#[test]
fn rss1_and_rss091() {
    let f = parse("rss1.rdf", "https://almanac.example.edu/rss");
    assert_eq!(f.kind, FeedKind::Rss);
    assert_eq!(f.title, "Almanac Bulletins");
    assert_eq!(f.items.len(), 2);
    assert_eq!(f.items[0].published, ts("2024-03-08T12:00:00Z"));
    assert_eq!(f.items[0].authors, ["Office of Tides"]);
    assert_eq!(f.items[1].published, ts("2024-03-01T00:00:00Z"));
    assert_eq!(
        f.items[1].url.as_ref().unwrap().as_str(),
        "https://almanac.example.edu/b/6"
    );

    let old = parse("rss091.xml", "http://mill.example.com/rss");
    assert_eq!(old.kind, FeedKind::Rss);
    assert_eq!(old.items.len(), 1);
    assert_eq!(old.items[0].guid, None, "no identifier is invented");
    assert_eq!(old.items[0].title, "Grain prices");
}

#[test]
fn content_hash_ignores_markup_but_not_words() {
    let feed = |title: &str, body: &str| {
        format!(
            r#"<rss version="2.0"><channel><title>t</title><item><title>{title}</title><link>https://x.example/a</link><description>{body}</description></item></channel></rss>"#
        )
    };
    let h = |t: &str, b: &str| {
        parse_feed(feed(t, b).as_bytes(), &FeedHint::default())
            .unwrap()
            .items[0]
            .content_hash
    };
    let base = h("Oil rises", "Brent gained 2%.");
    assert_eq!(
        base,
        h("Oil   rises", "&lt;b&gt;Brent&lt;/b&gt;  gained 2%.")
    );
    assert_ne!(base, h("Oil rises", "Brent gained 3%."));
    assert_ne!(base, h("Oil falls", "Brent gained 2%."));
    let item = &parse_feed(feed("a", "b").as_bytes(), &FeedHint::default())
        .unwrap()
        .items[0];
    assert_eq!(item.content_hash_hex().len(), 64);
}
