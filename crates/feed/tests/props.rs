//! Properties over arbitrary input: no panics, and the plain-text guarantees hold.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use newsdesk_feed::text::plain_text;
use newsdesk_feed::{FeedHint, parse_feed};
use proptest::prelude::*;

fn feedish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<rss version=\"2.0\">".to_string()),
        Just("<channel>".to_string()),
        Just("<item>".to_string()),
        Just("</item>".to_string()),
        Just("<title>".to_string()),
        Just("</title>".to_string()),
        Just("<link>".to_string()),
        Just("</link>".to_string()),
        Just("<pubDate>".to_string()),
        Just("</pubDate>".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        Just("<!DOCTYPE x [<!ENTITY a \"b\">]>".to_string()),
        Just("&amp;&lt;&#x3c;&#0;&a;".to_string()),
        Just("<feed xmlns=\"http://www.w3.org/2005/Atom\">".to_string()),
        Just("<entry>".to_string()),
        Just("{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[".to_string()),
        "[^<&]{0,20}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parse_feed_never_panics_on_feedish_text(doc in feedish()) {
        let _ = parse_feed(doc.as_bytes(), &FeedHint::default());
    }

    #[test]
    fn parse_feed_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = parse_feed(&bytes, &FeedHint::default());
    }

    #[test]
    fn plain_text_has_no_tags_and_no_runs_of_whitespace(s in "([<>&/a-z =\"';#0-9]|script|svg|&lt;|&amp;| ){0,80}") {
        let t = plain_text(&s);
        prop_assert_eq!(t.trim(), t.as_str());
        prop_assert!(!t.contains("  "));
        // No complete script or svg tag survives (a lone "<script" with no ">" is text).
        let lower = t.to_ascii_lowercase();
        for tag in ["<script", "<svg"] {
            if let Some(p) = lower.find(tag) {
                prop_assert!(!lower[p..].contains('>'), "{}", t);
            }
        }
    }
}
