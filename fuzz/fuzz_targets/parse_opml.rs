//! Any bytes as OPML: never panic; every subscription read is http(s), and writing what was
//! read and reading it again gives the same subscriptions.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdesk_feed::{parse_opml, write_opml};

fuzz_target!(|data: &[u8]| {
    if let Ok(opml) = parse_opml(data) {
        for f in &opml.feeds {
            assert!(matches!(f.xml_url.scheme(), "http" | "https"));
        }
        let text = write_opml(&opml.feeds, opml.title.as_deref().unwrap_or(""));
        let back = parse_opml(text.as_bytes()).expect("our own OPML parses");
        let mut a = opml.feeds.clone();
        let mut b = back.feeds;
        let key = |f: &newsdesk_feed::OpmlFeed| (f.xml_url.to_string(), f.title.clone(), f.category.clone());
        a.sort_by_key(key);
        b.sort_by_key(key);
        assert_eq!(a, b);
    }
});
