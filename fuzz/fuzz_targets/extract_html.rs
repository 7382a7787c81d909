//! Any bytes as an HTML page: extraction must return Ok or a clean error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdesk_extract::{ExtractOptions, extract_html};

fuzz_target!(|data: &[u8]| {
    let opts = ExtractOptions {
        now: Some(jiff::Timestamp::UNIX_EPOCH),
        ..ExtractOptions::default()
    };
    if let Ok(article) = extract_html(data, &opts) {
        // The derived views must be computable for whatever came out.
        let _ = article.body_text();
        let _ = article.published.as_ref().map(|t| t.to_rfc3339());
    }
});
