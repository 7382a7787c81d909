//! Any bytes as pasted text: extraction must return Ok or a clean error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdesk_extract::{ExtractOptions, extract_text};

fuzz_target!(|data: &[u8]| {
    let opts = ExtractOptions {
        zone: jiff::tz::TimeZone::get("America/New_York").ok(),
        now: Some(jiff::Timestamp::UNIX_EPOCH),
        ..ExtractOptions::default()
    };
    if let Ok(article) = extract_text(data, &opts) {
        let _ = article.body_text();
        let _ = article.updated.as_ref().map(|t| t.to_rfc3339());
    }
});
