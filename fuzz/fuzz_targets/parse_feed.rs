//! Any bytes as a feed: never panic, and whatever is returned keeps the model's promises
//! (http(s) URLs only, plain-text titles within the cap, items within the cap).
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdesk_feed::{FeedHint, ParseLimits, parse_feed_with};

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts before any unwinding, which would defeat the containment
    // of feed-rs panics in `parse_feed_with` (reported as `FeedError::Malformed`). A panic
    // anywhere else still reaches libfuzzer-sys's own catch and aborts the run.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let hint = FeedHint {
        url: url::Url::parse("https://fuzz.example/feed").ok(),
        content_type: Some("application/rss+xml; charset=iso-8859-1".into()),
        ..FeedHint::default()
    };
    let limits = ParseLimits {
        max_items: 50,
        ..ParseLimits::default()
    };
    if let Ok(feed) = parse_feed_with(data, &hint, &limits) {
        assert!(feed.items.len() <= 50);
        for item in &feed.items {
            if let Some(u) = &item.url {
                assert!(matches!(u.scheme(), "http" | "https"));
            }
            assert!(item.title.chars().count() <= limits.max_title_chars);
            assert_eq!(item.title.trim(), item.title);
            let _ = item.has_full_text();
        }
    }
});
