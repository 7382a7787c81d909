//! OPML reading, writing and the round trip between them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use newsdesk_feed::{OpmlError, OpmlFeed, parse_opml, write_opml};
use proptest::prelude::*;
use url::Url;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn nested_outlines_become_subscriptions_with_category_paths() {
    let o = parse_opml(&fixture("subscriptions.opml")).unwrap();
    assert_eq!(o.title.as_deref(), Some("Desk subscriptions & more"));
    let got: Vec<(String, Vec<String>, Option<String>, String)> = o
        .feeds
        .iter()
        .map(|f| {
            (
                f.xml_url.to_string(),
                f.category.clone(),
                f.html_url.as_ref().map(Url::to_string),
                f.title.clone(),
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        [
            (
                "https://ledger.example.com/rss".to_string(),
                s(&["Markets", "Metals"]),
                Some("https://ledger.example.com/".to_string()),
                "Harbour Ledger".to_string()
            ),
            (
                "https://quay.example.net/feed.json".to_string(),
                s(&["Markets"]),
                None,
                "Quay Street Wire".to_string()
            ),
            (
                "http://research.example.org/atom.xml".to_string(),
                s(&["Research"]),
                None,
                "Northwind".to_string()
            ),
            (
                "http://mill.example.com/rss".to_string(),
                vec![],
                None,
                "Top level".to_string()
            ),
        ]
    );
    let w = o.warnings.join("\n");
    assert!(
        w.contains("\"Quay Street Wire\": htmlUrl \"javascript:alert(1)\""),
        "{w}"
    );
    assert!(
        w.contains("\"Local file\": xmlUrl \"file:///etc/passwd\""),
        "{w}"
    );
    assert!(w.contains("\"Broken\": xmlUrl \"http://\""), "{w}");
}

#[test]
fn entities_in_opml_are_not_expanded() {
    let doc = r#"<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<opml version="2.0"><head><title>&xxe;&lol2;</title></head><body>
<outline text="&lol2;" xmlUrl="https://a.example/rss"/>
</body></opml>"#;
    let o = parse_opml(doc.as_bytes()).unwrap();
    assert_eq!(o.feeds.len(), 1);
    assert!(!o.feeds[0].title.contains("lollol"), "{}", o.feeds[0].title);
    assert!(
        o.title
            .as_deref()
            .is_none_or(|t| !t.contains("root:") && !t.contains("lollol"))
    );
    assert!(o.warnings.iter().any(|w| w.contains("DOCTYPE")));
}

#[test]
fn not_opml_and_broken_opml() {
    assert_eq!(parse_opml(b""), Err(OpmlError::Empty));
    assert!(matches!(
        parse_opml(b"<rss version=\"2.0\"/>"),
        Err(OpmlError::NotOpml(_))
    ));
    assert!(matches!(
        parse_opml(b"<!doctype html><html></html>"),
        Err(OpmlError::NotOpml(_))
    ));
    assert!(matches!(parse_opml(b"{}"), Err(OpmlError::NotOpml(_))));
    let truncated =
        b"<opml version=\"2.0\"><body><outline text=\"a\"><outline xmlUrl=\"https://a.example/\"/>";
    assert!(matches!(
        parse_opml(truncated),
        Err(OpmlError::Malformed(_))
    ));
    let mismatched = b"<opml><body></head></opml>";
    assert!(matches!(
        parse_opml(mismatched),
        Err(OpmlError::Malformed(_))
    ));
}

#[test]
fn deep_nesting_does_not_recurse() {
    let depth = 20_000;
    let mut doc = String::from("<opml><body>");
    for i in 0..depth {
        doc.push_str(&format!("<outline text=\"c{i}\">"));
    }
    doc.push_str("<outline text=\"deep\" xmlUrl=\"https://deep.example/rss\"/>");
    for _ in 0..depth {
        doc.push_str("</outline>");
    }
    doc.push_str("</body></opml>");
    let o = parse_opml(doc.as_bytes()).unwrap();
    assert_eq!(o.feeds.len(), 1);
    assert_eq!(o.feeds[0].category.len(), 16);
    assert_eq!(o.feeds[0].category[0], "c0");

    // Writing deep category paths does not recurse either.
    let feed = OpmlFeed {
        xml_url: Url::parse("https://deep.example/rss").unwrap(),
        html_url: None,
        title: "deep".into(),
        category: (0..depth).map(|i| format!("c{i}")).collect(),
    };
    let text = write_opml(&[feed], "deep");
    assert_eq!(text.matches("</outline>").count(), depth);
}

#[test]
fn writer_escapes_everything() {
    let feed = OpmlFeed {
        xml_url: Url::parse("https://a.example/rss?x=1&y=\"2\"").unwrap(),
        html_url: Some(Url::parse("https://a.example/").unwrap()),
        title: "A \"quoted\" <b>bold</b> & 'apostrophe'".into(),
        category: vec!["News & <Views>".into()],
    };
    let text = write_opml(std::slice::from_ref(&feed), "Mine & <yours>");
    assert!(!text.contains("<b>"));
    assert!(text.contains("Mine &amp; &lt;yours&gt;"));
    let back = parse_opml(text.as_bytes()).unwrap();
    assert_eq!(back.title.as_deref(), Some("Mine & <yours>"));
    assert_eq!(back.feeds, [feed]);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        })
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect()
}

fn arb_url() -> impl Strategy<Value = Url> {
    (
        prop_oneof![Just("http"), Just("https")],
        "[a-z]{1,10}(\\.[a-z]{2,5}){1,2}",
        "(/[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,12}){0,3}",
        proptest::option::of("[a-z]{1,5}=[a-zA-Z0-9&\"<>' ]{0,8}"),
    )
        .prop_map(|(scheme, host, path, query)| {
            let mut s = format!("{scheme}://{host}{path}");
            if let Some(q) = query {
                s.push('?');
                s.push_str(&q);
            }
            Url::parse(&s).unwrap()
        })
}

fn arb_feed() -> impl Strategy<Value = OpmlFeed> {
    (
        arb_url(),
        proptest::option::of(arb_url()),
        any::<String>(),
        proptest::collection::vec("[\\PC&&[^\\s]]{1,3}[\\PC ]{0,8}", 0..4),
    )
        .prop_map(|(xml_url, html_url, title, category)| OpmlFeed {
            xml_url,
            html_url,
            title: title.chars().take(100).collect(),
            category,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn write_then_parse_round_trips(feeds in proptest::collection::vec(arb_feed(), 0..12), title in any::<String>()) {
        let text = write_opml(&feeds, &title);
        let back = parse_opml(text.as_bytes()).unwrap();
        let expected_title = collapse(&xml_safe(&title));
        prop_assert_eq!(back.title.unwrap_or_default(), expected_title);
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        // The writer groups by category, so compare as sorted lists.
        let normalise = |f: &OpmlFeed| {
            let category: Vec<String> = f
                .category
                .iter()
                .map(|c| collapse(&xml_safe(c)))
                .filter(|c| !c.is_empty())
                .collect();
            (f.xml_url.to_string(), f.html_url.as_ref().map(Url::to_string), collapse(&xml_safe(&f.title)), category)
        };
        let mut want: Vec<_> = feeds.iter().map(normalise).collect();
        let mut got: Vec<_> = back.feeds.iter().map(normalise).collect();
        want.sort();
        got.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn parse_opml_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_opml(&bytes);
    }
}
