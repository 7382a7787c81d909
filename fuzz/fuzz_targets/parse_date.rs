//! Any string as a date, with and without a zone and a clock: never panic, and whatever is
//! returned must format as RFC 3339 and parse back to the same instant.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdesk_extract::dates::{DateContext, parse_date};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let contexts = [
        DateContext::default(),
        DateContext {
            zone: jiff::tz::TimeZone::get("Asia/Tokyo").ok(),
            now: Some(jiff::Timestamp::UNIX_EPOCH),
            day_first: Some(true),
        },
    ];
    for ctx in &contexts {
        if let Some(parsed) = parse_date(s, ctx) {
            let printed = parsed.time.to_rfc3339();
            let back: jiff::Timestamp = printed.parse().expect("our own RFC 3339 parses");
            assert_eq!(back, parsed.time.instant);
        }
    }
});
