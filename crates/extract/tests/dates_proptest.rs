//! Property tests for `parse_date`: arbitrary strings never panic, and an instant formatted in
//! any of the formats we claim to read parses back to the same instant.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_extract::dates::{DateContext, parse_date};
use proptest::prelude::*;

/// Zones without daylight saving, so every printed wall-clock time names exactly one instant.
const ZONES: &[&str] = &["UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Singapore"];

fn instant() -> impl Strategy<Value = Timestamp> {
    // 2001-09-09 (epoch seconds have ten digits from then on; eight-digit numbers are read as
    // YYYYMMDD) .. 2099-12-31, whole minutes (the human formats print no seconds).
    (1_000_000_000i64 / 60 + 1..4_102_358_400i64 / 60)
        .prop_map(|m| Timestamp::from_second(m * 60).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,300}") {
        let now: Timestamp = "2023-05-09T12:00:00Z".parse().unwrap();
        let ctx = DateContext { now: Some(now), ..DateContext::default() };
        let _ = parse_date(&s, &ctx);
        let _ = parse_date(&s, &DateContext::default());
    }

    #[test]
    fn date_like_strings_never_panic(
        s in "[0-9 :./,+\\-TZapmAPMyearsgoMayJuneDecET年月日時分]{0,60}"
    ) {
        let now: Timestamp = "2023-05-09T12:00:00Z".parse().unwrap();
        let ctx = DateContext { now: Some(now), day_first: Some(true), ..DateContext::default() };
        let _ = parse_date(&s, &ctx);
    }

    #[test]
    fn formatted_instants_parse_back(ts in instant(), zi in 0..ZONES.len()) {
        let zone = TimeZone::get(ZONES[zi]).unwrap();
        let zoned = ts.to_zoned_datetime(zone.clone());
        let ctx = DateContext { zone: Some(zone), ..DateContext::default() };
        let utc = DateContext::default();
        let offset = zoned.strftime("%:z").to_string();
        let cases = [
            (zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), &utc),
            (zoned.strftime("%Y-%m-%d %H:%M:%S %z").to_string(), &utc),
            (jiff::fmt::rfc2822::to_string(&zoned).unwrap(), &utc),
            (ts.as_second().to_string(), &utc),
            (ts.as_millisecond().to_string(), &utc),
            (zoned.strftime("%Y-%m-%dT%H:%M").to_string(), &ctx),
            (zoned.strftime("%m/%d/%Y, %I:%M %p").to_string(), &ctx),
            (zoned.strftime("%B %-d, %Y %-I:%M %p").to_string(), &ctx),
            (zoned.strftime("%A, %B %-d, %Y at %-I:%M %P").to_string(), &ctx),
            (zoned.strftime("%-d %b %Y %H:%M").to_string(), &ctx),
            (zoned.strftime("%d.%m.%Y %H:%M").to_string(), &ctx),
            (zoned.strftime("%Y年%-m月%-d日 %H:%M").to_string(), &ctx),
            (format!("{} GMT{offset}", zoned.strftime("%b %-d, %Y %H:%M")), &utc),
            (format!("Published: {}", zoned.strftime("%-d %B %Y, %H:%M")), &ctx),
        ];
        for (text, c) in cases {
            let parsed = parse_date(&text, c);
            prop_assert!(parsed.is_some(), "{text:?} did not parse");
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.time.instant, ts, "{:?}", text);
        }
    }
}
