//! Content detection never panics, whatever the markup: generated tag soup through the public API.

use newsdesk_extract::html::content::{Hints, extract_content};
use proptest::prelude::*;

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<figure><img src='/a.jpg'><figcaption>Cap. REUTERS/A B".to_string()),
        Just("</figcaption></figure>".to_string()),
        Just("<ul><li>".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("<a href='/x'>".to_string()),
        Just("</a>".to_string()),
        Just("<br>".to_string()),
        Just("<h2>".to_string()),
        Just("<pre>".to_string()),
        Just("<blockquote>".to_string()),
        Just("<div class='comments hide'>".to_string()),
        Just("<form>".to_string()),
        "[a-zA-Z ,.]{0,80}",
    ]
}

proptest! {
    #[test]
    fn never_panics(parts in proptest::collection::vec(piece(), 0..200)) {
        let html = parts.concat();
        let doc = newsdesk_extract::dom::parse(&html);
        let hints = Hints { title: Some("A title"), json_ld_body: None, base_url: Some("https://x.example/a/b") };
        let c = extract_content(&doc, &hints);
        for b in &c.blocks {
            prop_assert!(!b.plain_text().is_empty());
        }
    }
}
