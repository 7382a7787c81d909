//! The date formats news sites print, read through the public `parse_date`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_extract::dates::{DateContext, parse_date};

fn ctx() -> DateContext {
    DateContext::default()
}

fn in_zone(name: &str) -> DateContext {
    DateContext {
        zone: Some(TimeZone::get(name).unwrap()),
        ..DateContext::default()
    }
}

fn at(now: &str) -> DateContext {
    DateContext {
        now: Some(now.parse().unwrap()),
        ..DateContext::default()
    }
}

/// Parses and renders as RFC 3339 in the source's offset, plus the zone and whether it was assumed.
fn read(s: &str, c: &DateContext) -> (String, String, bool) {
    let p = parse_date(s, c).unwrap_or_else(|| panic!("could not read {s:?}"));
    (p.time.to_rfc3339(), p.time.zone, p.time.zone_assumed)
}

fn rfc(s: &str, c: &DateContext) -> String {
    read(s, c).0
}

#[test]
fn rfc3339_variants() {
    assert_eq!(rfc("2023-05-09T10:57:00Z", &ctx()), "2023-05-09T10:57:00Z");
    assert_eq!(rfc("2023-05-09T10:57Z", &ctx()), "2023-05-09T10:57:00Z");
    assert_eq!(
        rfc("2023-05-09T10:57:00.123+02:00", &ctx()),
        "2023-05-09T10:57:00.123+02:00"
    );
    assert_eq!(
        rfc("2023-05-09T10:57:00-0400", &ctx()),
        "2023-05-09T10:57:00-04:00"
    );
    assert_eq!(
        rfc("2023-05-09 10:57:00 -04:00", &ctx()),
        "2023-05-09T10:57:00-04:00"
    );
    assert_eq!(
        rfc("2023-05-09T10:57:00+00:00", &ctx()),
        "2023-05-09T10:57:00Z"
    );
    assert_eq!(
        rfc("2023-05-09T10:57:00-04:00[America/New_York]", &ctx()),
        "2023-05-09T10:57:00-04:00"
    );
}

#[test]
fn iso_without_offset_is_read_in_context_zone() {
    let (t, zone, assumed) = read("2023-05-09T10:57:00", &in_zone("Europe/Berlin"));
    assert_eq!(t, "2023-05-09T10:57:00+02:00");
    assert_eq!(zone, "Europe/Berlin");
    assert!(!assumed);
    let (t, zone, assumed) = read("2023-05-09T10:57", &ctx());
    assert_eq!(t, "2023-05-09T10:57:00Z");
    assert_eq!(zone, "UTC");
    assert!(assumed);
}

#[test]
fn date_only() {
    let p = parse_date("2023-05-09", &ctx()).unwrap();
    assert!(!p.has_time);
    assert_eq!(p.time.to_rfc3339(), "2023-05-09T00:00:00Z");
    assert!(p.time.zone_assumed);
    assert_eq!(rfc("20230509", &ctx()), "2023-05-09T00:00:00Z");
}

#[test]
fn rfc2822() {
    assert_eq!(
        rfc("Tue, 09 May 2023 10:57:00 +0900", &ctx()),
        "2023-05-09T10:57:00+09:00"
    );
    assert_eq!(
        rfc("Tue, 9 May 2023 10:57:00 GMT", &ctx()),
        "2023-05-09T10:57:00Z"
    );
}

#[test]
fn epoch_seconds_and_millis() {
    assert_eq!(rfc("1683629820", &ctx()), "2023-05-09T10:57:00Z");
    assert_eq!(rfc("1683629820000", &ctx()), "2023-05-09T10:57:00Z");
    // Epoch numbers name an instant: nothing was assumed.
    assert!(!read("1683629820", &ctx()).2);
}

#[test]
fn us_numeric_with_am_pm() {
    assert_eq!(
        rfc("05/09/2023, 10:57 AM", &in_zone("America/New_York")),
        "2023-05-09T10:57:00-04:00"
    );
    assert_eq!(rfc("05/09/2023 10:57 PM", &ctx()), "2023-05-09T22:57:00Z");
    assert_eq!(rfc("5/9/23 12:05 AM", &ctx()), "2023-05-09T00:05:00Z");
}

#[test]
fn day_first_numeric() {
    assert_eq!(rfc("09.05.2023 10:57", &ctx()), "2023-05-09T10:57:00Z");
    assert_eq!(rfc("09-05-2023", &ctx()), "2023-05-09T00:00:00Z");
    assert_eq!(rfc("25/12/2023", &ctx()), "2023-12-25T00:00:00Z");
    let uk = DateContext {
        day_first: Some(true),
        ..DateContext::default()
    };
    assert_eq!(rfc("05/09/2023", &uk), "2023-09-05T00:00:00Z");
}

#[test]
fn month_names_with_us_zones_follow_dst() {
    let (t, zone, assumed) = read("May 9, 2023 10:57 AM ET", &ctx());
    assert_eq!(t, "2023-05-09T10:57:00-04:00");
    assert_eq!(zone, "America/New_York");
    assert!(!assumed);
    assert_eq!(
        rfc("Jan 9, 2023 10:57 AM ET", &ctx()),
        "2023-01-09T10:57:00-05:00"
    );
    assert_eq!(
        rfc("Tuesday, May 9, 2023 at 10:57 a.m. EDT", &ctx()),
        "2023-05-09T10:57:00-04:00"
    );
    assert_eq!(
        rfc("May 9th, 2023 3:05 p.m. PT", &ctx()),
        "2023-05-09T15:05:00-07:00"
    );
    assert_eq!(
        rfc("Sept. 9, 2023 10 AM CT", &ctx()),
        "2023-09-09T10:00:00-05:00"
    );
}

#[test]
fn day_month_year_with_european_and_asian_zones() {
    let (t, zone, _) = read("9 May 2023 10:57 BST", &ctx());
    assert_eq!(t, "2023-05-09T10:57:00+01:00");
    assert_eq!(zone, "Europe/London");
    assert_eq!(
        rfc("9 May 2023 10:57 CEST", &ctx()),
        "2023-05-09T10:57:00+02:00"
    );
    assert_eq!(
        rfc("9 May 2023 10:57 JST", &ctx()),
        "2023-05-09T10:57:00+09:00"
    );
    assert_eq!(
        rfc("09 May 2023 10:57 HKT", &ctx()),
        "2023-05-09T10:57:00+08:00"
    );
    assert_eq!(
        rfc("9 May 2023 10:57 IST", &ctx()),
        "2023-05-09T10:57:00+05:30"
    );
    assert_eq!(
        rfc("9 May 2023 10:57 AEST", &ctx()),
        "2023-05-09T10:57:00+10:00"
    );
    assert_eq!(
        rfc("May 9, 2023 10:57 GMT+8", &ctx()),
        "2023-05-09T10:57:00+08:00"
    );
    assert_eq!(rfc("9 May 2023 10:57 UTC", &ctx()), "2023-05-09T10:57:00Z");
}

#[test]
fn cjk() {
    assert_eq!(rfc("2023年5月9日", &ctx()), "2023-05-09T00:00:00Z");
    assert_eq!(
        rfc("2023年5月9日 10:57", &in_zone("Asia/Tokyo")),
        "2023-05-09T10:57:00+09:00"
    );
    assert_eq!(
        rfc("2023年5月9日 午後3時5分", &ctx()),
        "2023-05-09T15:05:00Z"
    );
    assert_eq!(rfc("2023년 5월 9일", &ctx()), "2023-05-09T00:00:00Z");
}

#[test]
fn other_languages() {
    assert_eq!(
        rfc("9. Mai 2023, 10:57 Uhr", &ctx()),
        "2023-05-09T10:57:00Z"
    );
    assert_eq!(
        rfc("Dienstag, 9. März 2023", &ctx()),
        "2023-03-09T00:00:00Z"
    );
    assert_eq!(rfc("le 9 mai 2023 à 10h57", &ctx()), "2023-05-09T10:57:00Z");
    assert_eq!(rfc("9 août 2023", &ctx()), "2023-08-09T00:00:00Z");
    assert_eq!(rfc("9 de mayo de 2023", &ctx()), "2023-05-09T00:00:00Z");
    assert_eq!(
        rfc("9 dicembre 2023 ore 10:57", &ctx()),
        "2023-12-09T10:57:00Z"
    );
    assert_eq!(rfc("9 de março de 2023", &ctx()), "2023-03-09T00:00:00Z");
    assert_eq!(rfc("9 oktober 2023", &ctx()), "2023-10-09T00:00:00Z");
    assert_eq!(rfc("9 mrt. 2023", &ctx()), "2023-03-09T00:00:00Z");
}

#[test]
fn labels_before_the_date_are_skipped() {
    assert_eq!(
        rfc("Published: May 9, 2023", &ctx()),
        "2023-05-09T00:00:00Z"
    );
    assert_eq!(
        rfc("Last updated on May 9, 2023 10:57 AM EDT", &ctx()),
        "2023-05-09T10:57:00-04:00"
    );
    assert_eq!(
        rfc("Published 2023-05-09T10:57:00Z", &ctx()),
        "2023-05-09T10:57:00Z"
    );
    assert_eq!(
        rfc("Veröffentlicht am 09.05.2023 um 10:57 Uhr", &ctx()),
        "2023-05-09T10:57:00Z"
    );
}

#[test]
fn first_of_two_dates_wins() {
    assert_eq!(
        rfc("May 9, 2023 10:57 AM ET Updated May 10, 2023", &ctx()),
        "2023-05-09T10:57:00-04:00"
    );
}

#[test]
fn relative_dates_need_a_clock() {
    let c = at("2023-05-09T12:00:00Z");
    let p = parse_date("Updated 3 hours ago", &c).unwrap();
    assert!(p.relative);
    assert_eq!(
        p.time.instant,
        "2023-05-09T09:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert!(
        !p.time.zone_assumed,
        "an hour count fixes the instant in any zone"
    );
    assert_eq!(
        parse_date("1 day ago", &c)
            .unwrap()
            .time
            .instant
            .to_string(),
        "2023-05-08T12:00:00Z"
    );
    assert_eq!(
        parse_date("an hour ago", &c)
            .unwrap()
            .time
            .instant
            .to_string(),
        "2023-05-09T11:00:00Z"
    );
    assert_eq!(
        parse_date("5 mins ago", &c)
            .unwrap()
            .time
            .instant
            .to_string(),
        "2023-05-09T11:55:00Z"
    );
    assert_eq!(
        parse_date("vor 2 Stunden", &c)
            .unwrap()
            .time
            .instant
            .to_string(),
        "2023-05-09T10:00:00Z"
    );
    assert_eq!(
        parse_date("il y a 2 jours", &c)
            .unwrap()
            .time
            .instant
            .to_string(),
        "2023-05-07T12:00:00Z"
    );
    assert_eq!(
        parse_date("hace 30 minutos", &c)
            .unwrap()
            .time
            .instant
            .to_string(),
        "2023-05-09T11:30:00Z"
    );
    let y = parse_date("yesterday", &c).unwrap();
    assert!(y.relative && !y.has_time);
    assert_eq!(y.time.to_rfc3339(), "2023-05-08T00:00:00Z");
    assert_eq!(rfc("Yesterday at 10:57 AM", &c), "2023-05-08T10:57:00Z");
    assert!(parse_date("3 hours ago", &ctx()).is_none());
    assert!(parse_date("yesterday", &ctx()).is_none());
}

#[test]
fn month_and_day_without_year_take_the_latest_past_year() {
    let c = at("2023-05-09T12:00:00Z");
    assert_eq!(rfc("May 9 10:57 AM ET", &c), "2023-05-09T10:57:00-04:00");
    assert_eq!(rfc("Dec 24", &c), "2022-12-24T00:00:00Z");
    assert!(parse_date("Dec 24", &ctx()).is_none());
}

#[test]
fn nonsense_is_refused() {
    for s in [
        "",
        "   ",
        "13/13/2023",
        "2023-13-01",
        "2023-02-30",
        "0000-01-01T00:00:00Z",
        "May 32, 2023",
        "May 9, 2023 25:00",
        "May 9, 2023 10:61",
        "hello world",
        "Reuters",
        "10 comments",
        "1",
        "123456789012345678901234567890",
        "May May May",
        "9 May 0",
    ] {
        assert!(parse_date(s, &ctx()).is_none(), "{s:?} should not parse");
    }
    let long = format!("May 9, 2023 {}", "x".repeat(400));
    assert!(parse_date(&long, &ctx()).is_none());
}
