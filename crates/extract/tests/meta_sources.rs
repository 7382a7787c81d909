//! Page metadata from each source, read through the public `extract_meta`, plus the end-to-end
//! path through `extract_html`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::tz::TimeZone;
use newsdesk_extract::dates::DateContext;
use newsdesk_extract::html::meta::{PageMeta, extract_meta, strip_site_suffix};
use newsdesk_extract::{ExtractOptions, extract_html};

fn meta(html: &str, url: Option<&str>) -> PageMeta {
    extract_meta(
        &newsdesk_extract::dom::parse(html),
        &DateContext::default(),
        url,
    )
}

fn rfc(p: &Option<newsdesk_extract::dates::ParsedDate>) -> String {
    p.as_ref().expect("a date").time.to_rfc3339()
}

const GRAPH_PAGE: &str = r#"<!doctype html><html lang="en-GB"><head>
<title>Rates rise again | Example News</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://news.example/#site", "name": "Example News"},
  {"@type": "Person", "@id": "https://news.example/#jane", "name": "Jane Doe"},
  {"@type": ["NewsArticle"], "headline": "Rates rise again",
   "datePublished": "2023-05-09T10:57:00+01:00", "dateModified": "2023-05-09T12:00:00+01:00",
   "author": [{"@id": "https://news.example/#jane"}, {"@type": "Person", "name": "John Roe"}],
   "publisher": {"@type": "NewsMediaOrganization", "name": "Example News"},
   "image": {"@type": "ImageObject", "url": "/img/lead.jpg", "caption": "The central bank.", "creditText": "Photo: A. Snapper"},
   "articleSection": ["Markets", "Economy"],
   "mainEntityOfPage": {"@id": "https://news.example/markets/rates-rise"},
   "articleBody": "First  paragraph\n\nSecond\tparagraph."}
]}
</script></head><body><h1>Rates rise again</h1></body></html>"#;

#[test]
fn json_ld_graph_with_references() {
    let m = meta(
        GRAPH_PAGE,
        Some("https://news.example/markets/rates-rise?utm=x"),
    );
    assert_eq!(m.title.as_deref(), Some("Rates rise again"));
    assert_eq!(m.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00+01:00");
    assert_eq!(rfc(&m.updated), "2023-05-09T12:00:00+01:00");
    assert_eq!(m.site_name.as_deref(), Some("Example News"));
    assert_eq!(m.section.as_deref(), Some("Markets"));
    assert_eq!(m.language.as_deref(), Some("en"));
    assert_eq!(
        m.canonical_url.as_deref(),
        Some("https://news.example/markets/rates-rise")
    );
    let img = m.lead_image.unwrap();
    assert_eq!(
        img.url.as_deref(),
        Some("https://news.example/img/lead.jpg")
    );
    assert_eq!(img.caption.as_deref(), Some("The central bank."));
    assert_eq!(img.credit.as_deref(), Some("Photo: A. Snapper"));
    assert_eq!(
        m.json_ld_body.as_deref(),
        Some("First paragraph\n\nSecond paragraph.")
    );
    assert_eq!(m.agency, None);
}

#[test]
fn malformed_json_ld_is_repaired_or_skipped() {
    let html = "<html><head>
<script type=\"application/ld+json\">{ this is not json </script>
<script type=\"application/ld+json\"><!--
{\"@type\": \"NewsArticle\", \"headline\": \"Broken but \nreadable\",
 \"datePublished\": \"2023-05-09\", \"author\": \"By Jane Doe\",}
--></script></head><body></body></html>";
    let m = meta(html, None);
    assert_eq!(m.title.as_deref(), Some("Broken but readable"));
    assert_eq!(m.authors, ["Jane Doe"]);
    assert_eq!(rfc(&m.published), "2023-05-09T00:00:00Z");
}

#[test]
fn hostile_json_ld_nesting_does_not_overflow() {
    let deep = format!(
        "<script type=\"application/ld+json\">{}{}</script>",
        "{\"@type\":\"NewsArticle\",\"a\":".repeat(5000),
        "1".to_string() + &"}".repeat(5000)
    );
    let m = meta(&deep, None);
    assert!(m.title.is_none());
}

#[test]
fn opengraph_and_article_meta() {
    let html = r#"<html><head>
<meta property="og:title" content="Oil slips on demand worries">
<meta property="og:site_name" content="Wire Desk">
<meta property="og:url" content="https://wire.example/oil">
<meta property="og:image" content="//cdn.wire.example/oil.jpg">
<meta property="og:description" content="Prices fell.">
<meta property="og:locale" content="fr_FR">
<meta property="article:published_time" content="2023-05-09T10:57:00-04:00">
<meta property="article:modified_time" content="2023-05-09T11:30:00-04:00">
<meta property="article:section" content="Commodities">
<meta name="author" content="Reuters Staff">
</head><body><h1>Something else entirely</h1></body></html>"#;
    let m = meta(html, None);
    assert_eq!(m.title.as_deref(), Some("Oil slips on demand worries"));
    assert_eq!(m.site_name.as_deref(), Some("Wire Desk"));
    assert_eq!(m.canonical_url.as_deref(), Some("https://wire.example/oil"));
    assert_eq!(
        m.lead_image.unwrap().url.as_deref(),
        Some("https://cdn.wire.example/oil.jpg")
    );
    assert_eq!(m.description.as_deref(), Some("Prices fell."));
    assert_eq!(m.language.as_deref(), Some("fr"));
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00-04:00");
    assert_eq!(rfc(&m.updated), "2023-05-09T11:30:00-04:00");
    assert_eq!(m.section.as_deref(), Some("Commodities"));
    assert!(m.authors.is_empty(), "{:?}", m.authors);
    assert_eq!(m.agency.as_deref(), Some("Reuters"));
}

#[test]
fn publisher_meta_conventions() {
    let html = r#"<html><head>
<meta name="parsely-author" content="Jane Doe">
<meta name="parsely-author" content="John Roe">
<meta name="sailthru.date" content="Tue, 09 May 2023 10:57:00 -0400">
<meta name="parsely-section" content="Tech">
<meta http-equiv="content-language" content="de-AT">
<title>A headline - Techsite</title>
<link rel="canonical" href="/tech/a-headline/">
</head><body></body></html>"#;
    let m = meta(
        html,
        Some("https://www.techsite.com/tech/a-headline/?ref=rss"),
    );
    assert_eq!(m.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00-04:00");
    assert_eq!(m.section.as_deref(), Some("Tech"));
    assert_eq!(m.language.as_deref(), Some("de"));
    assert_eq!(m.title.as_deref(), Some("A headline"));
    assert_eq!(
        m.canonical_url.as_deref(),
        Some("https://www.techsite.com/tech/a-headline/")
    );
}

#[test]
fn epoch_timestamp_in_meta() {
    let m = meta(
        r#"<meta name="timestamp" content="1683629820"><title>x</title>"#,
        None,
    );
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00Z");
}

#[test]
fn visible_byline_and_time_near_the_headline() {
    let html = r#"<html lang="en-US"><body>
<header><time datetime="2020-01-01T00:00:00Z">Jan 1 2020</time></header>
<article>
<h1>Stocks close higher</h1>
<div class="article-byline">By <a rel="author" href="/jane">Jane Doe</a> and John Roe, Senior Markets Editor</div>
<p class="date">Published May 9, 2023 10:57 AM ET | Updated May 9, 2023 1:05 PM ET</p>
<ul class="related"><li><time datetime="2019-03-03T00:00:00Z">old</time></li></ul>
</article></body></html>"#;
    let m = meta(html, None);
    assert_eq!(m.title.as_deref(), Some("Stocks close higher"));
    assert_eq!(
        m.authors,
        ["Jane Doe"],
        "rel=author is the strongest visible source"
    );
    // The masthead <time> is before the headline, the related-story one in a list of other
    // stories: the "Published" line under the headline wins.
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00-04:00");
    assert_eq!(rfc(&m.updated), "2023-05-09T13:05:00-04:00");
}

#[test]
fn published_and_updated_lines_without_time_elements() {
    let html = r#"<html lang="en-US"><body>
<h1>Stocks close higher</h1>
<div class="byline">By Jane Doe and John Roe, Senior Markets Editor</div>
<p class="date">Published May 9, 2023 10:57 AM ET | Updated May 9, 2023 1:05 PM ET</p>
</body></html>"#;
    let m = meta(html, None);
    assert_eq!(m.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00-04:00");
    assert_eq!(rfc(&m.updated), "2023-05-09T13:05:00-04:00");
}

#[test]
fn itemprop_microdata() {
    let html = r#"<html><body><article itemscope itemtype="https://schema.org/NewsArticle">
<h1 itemprop="headline">Microdata headline</h1>
<span itemprop="author" itemscope><span itemprop="name">Ann Lee</span></span>
<meta itemprop="datePublished" content="2023-05-09T10:57:00Z">
</article></body></html>"#;
    let m = meta(html, None);
    assert_eq!(m.title.as_deref(), Some("Microdata headline"));
    assert_eq!(m.authors, ["Ann Lee"]);
    assert_eq!(rfc(&m.published), "2023-05-09T10:57:00Z");
}

#[test]
fn day_first_pages_read_visible_dates_day_first() {
    let html = r#"<html lang="de"><body><h1>Schlagzeile hier</h1>
<span class="publish-date">05/09/2023 10:57</span></body></html>"#;
    let ctx = DateContext {
        zone: Some(TimeZone::get("Europe/Berlin").unwrap()),
        ..DateContext::default()
    };
    let m = extract_meta(&newsdesk_extract::dom::parse(html), &ctx, None);
    assert_eq!(rfc(&m.published), "2023-09-05T10:57:00+02:00");
}

#[test]
fn title_suffixes() {
    assert_eq!(
        strip_site_suffix("Oil falls | Reuters", Some("Reuters"), None, false),
        "Oil falls"
    );
    assert_eq!(
        strip_site_suffix(
            "Apple's new thing - The Verge",
            None,
            Some("www.theverge.com"),
            false
        ),
        "Apple's new thing"
    );
    assert_eq!(
        strip_site_suffix("Well - being at work", None, Some("example.com"), false),
        "Well - being at work"
    );
    assert_eq!(
        strip_site_suffix("Oil falls | Markets | Daily Planet", None, None, true),
        "Oil falls"
    );
}

#[test]
fn agency_from_json_ld_author_organisation() {
    let html = r#"<script type="application/ld+json">
[{"@type": "ReportageNewsArticle", "headline": "Quake hits",
  "author": {"@type": "Organization", "name": "The Associated Press"}}]
</script>"#;
    let m = meta(html, None);
    assert_eq!(m.agency.as_deref(), Some("AP"));
    assert!(m.authors.is_empty());
}

#[test]
fn relative_canonical_without_base_is_dropped_and_title_only_source() {
    let m = meta(
        r#"<link rel="canonical" href="/a"><title>Just a title — Site Name</title>"#,
        None,
    );
    assert_eq!(m.canonical_url, None);
    assert_eq!(m.title.as_deref(), Some("Just a title — Site Name"));
}

#[test]
fn end_to_end_article_carries_metadata() {
    let opts = ExtractOptions {
        url: Some("https://news.example/markets/rates-rise".into()),
        ..ExtractOptions::default()
    };
    let a = extract_html(GRAPH_PAGE.as_bytes(), &opts).unwrap();
    assert_eq!(a.title.as_deref(), Some("Rates rise again"));
    assert_eq!(a.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(a.source.as_deref(), Some("Example News"));
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2023-05-09T10:57:00+01:00"
    );
    assert_eq!(a.images[0].caption.as_deref(), Some("The central bank."));
}

#[test]
fn date_in_a_byline_line_and_in_hidden_inputs() {
    let byline = r#"<html lang="en-US"><body><h1>Tariffs explained</h1>
<div>By <a href="/staff/ann">Ann Lee</a> on Monday, November 18th, 2019 at 11:04 a.m.</div>
</body></html>"#;
    assert_eq!(rfc(&meta(byline, None).published), "2019-11-18T11:04:00Z");
    let hidden = r#"<h1>Plumes on Europa</h1>
<input class="published_date" type="hidden" value="2019-11-18 23:41:18">"#;
    assert_eq!(rfc(&meta(hidden, None).published), "2019-11-18T23:41:18Z");
}

#[test]
fn agency_only_json_ld_author_stops_visible_fallbacks() {
    let html = r#"<script type="application/ld+json">
{"@type": "NewsArticle", "headline": "Talks stall", "author": "PTI"}</script>
<h1>Talks stall</h1><span class="author">Washington</span>"#;
    let m = meta(html, None);
    assert_eq!(m.agency.as_deref(), Some("PTI"));
    assert!(m.authors.is_empty(), "{:?}", m.authors);
}
