//! How times are shown: absolute in the source's zone (or the configured display zone) with the
//! zone named, relative ("3 hours ago") for lists, RFC 3339 for `datetime` attributes and Atom,
//! RFC 822 for RSS.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use newsdesk_article::SourceTime;

/// A time ready for a template: `<time datetime="{datetime}" title="{title}">{text}</time>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeView {
    /// RFC 3339 with the shown offset.
    pub datetime: String,
    /// The long form for the tooltip, with the zone's full name.
    pub title: String,
    /// "May 09, 2023 10:57 AM EDT".
    pub text: String,
    /// The source printed no zone; the one shown is our assumption.
    pub assumed: bool,
}

/// The zone a time is shown in: the configured display zone, else the time's own zone.
pub fn shown_zone(time: &SourceTime, display: Option<&TimeZone>) -> TimeZone {
    match display {
        Some(tz) => tz.clone(),
        None => time.time_zone(),
    }
}

/// The short zone label at `at`: the tz database abbreviation when it is alphabetic (`EDT`,
/// `JST`, `UTC`), else the offset as `UTC+09:00`.
fn zone_label(tz: &TimeZone, at: Timestamp) -> String {
    let info = tz.to_offset_info(at);
    let abbr = info.abbreviation();
    if !abbr.is_empty() && abbr.chars().all(|c| c.is_ascii_alphabetic()) {
        return abbr.to_string();
    }
    let secs = info.offset().seconds();
    if secs == 0 {
        return "UTC".to_string();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// A human name for a zone for tooltips: the IANA name, else the label.
fn zone_long_name(tz: &TimeZone, at: Timestamp) -> String {
    match tz.iana_name() {
        Some(name) => name.to_string(),
        None => zone_label(tz, at),
    }
}

/// RFC 3339 of `at` in `tz` (whole-minute offsets; `Z` for UTC and for historic offsets with
/// seconds, which RFC 3339 cannot express).
pub fn rfc3339(at: Timestamp, tz: &TimeZone) -> String {
    let offset = tz.to_offset(at);
    if offset == jiff::tz::Offset::UTC || offset.seconds() % 60 != 0 {
        return at.to_string();
    }
    at.display_with_offset(offset).to_string()
}

/// An absolute time view of an instant in `tz`.
pub fn absolute(at: Timestamp, tz: &TimeZone, assumed: bool) -> TimeView {
    let zdt = at.to_zoned_datetime(tz.clone());
    let label = zone_label(tz, at);
    let text = format!("{} {label}", zdt.strftime("%b %d, %Y %I:%M %p"));
    let mut title = format!(
        "{} ({})",
        zdt.strftime("%A, %B %-d, %Y at %H:%M:%S"),
        zone_long_name(tz, at)
    );
    if assumed {
        title.push_str("; the source printed no time zone, this one is assumed");
    }
    TimeView {
        datetime: rfc3339(at, tz),
        title,
        text,
        assumed,
    }
}

/// An absolute view of a source time, in the display zone when one is configured.
pub fn source_time(time: &SourceTime, display: Option<&TimeZone>) -> TimeView {
    absolute(time.instant, &shown_zone(time, display), time.zone_assumed)
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago"; older than 30 days (or in the
/// future by more than a minute) the date itself.
pub fn relative(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let secs = now.duration_since(at).as_secs();
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        -60..60 => "just now".to_string(),
        60..3_600 => plural(secs / 60, "minute"),
        3_600..86_400 => plural(secs / 3_600, "hour"),
        86_400..2_592_000 => plural(secs / 86_400, "day"),
        _ => at
            .to_zoned_datetime(tz.clone())
            .strftime("%b %-d, %Y")
            .to_string(),
    }
}

/// RFC 822 (as RFC 2822 writes it) for RSS, in UTC: `Tue, 09 May 2023 14:57:00 +0000`.
pub fn rfc822(at: Timestamp) -> String {
    at.to_zoned_datetime(TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

/// Parses a `from`/`to` bound: `YYYY-MM-DD` (a UTC day: `from` is its first instant, `to` the
/// first instant of the next day, so the day is included) or an RFC 3339 instant (used as is).
pub fn parse_bound(s: &str, is_to: bool) -> Option<Timestamp> {
    let s = s.trim();
    if s.len() == 10
        && let Ok(date) = s.parse::<jiff::civil::Date>()
    {
        let date = if is_to { date.tomorrow().ok()? } else { date };
        return date
            .to_zoned_datetime(TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    // RFC 3339 needs an offset; jiff's Timestamp parser insists on one.
    s.parse::<Timestamp>().ok()
}

/// Seconds between two instants as a duration (for tests and metrics).
pub fn since(earlier: Timestamp, later: Timestamp) -> SignedDuration {
    later.duration_since(earlier)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn absolute_times_name_the_zone() {
        let ny = TimeZone::get("America/New_York").unwrap();
        let v = absolute(ts("2023-05-09T14:57:00Z"), &ny, false);
        assert_eq!(v.text, "May 09, 2023 10:57 AM EDT");
        assert_eq!(v.datetime, "2023-05-09T10:57:00-04:00");
        assert!(v.title.contains("America/New_York"), "{}", v.title);
        let fixed = TimeZone::fixed(jiff::tz::offset(9));
        let v = absolute(ts("2023-05-09T01:00:00Z"), &fixed, true);
        assert_eq!(v.text, "May 09, 2023 10:00 AM UTC+09:00");
        assert!(v.assumed && v.title.contains("assumed"));
        let v = absolute(ts("2023-05-09T01:00:00Z"), &TimeZone::UTC, false);
        assert_eq!(v.text, "May 09, 2023 01:00 AM UTC");
        assert_eq!(v.datetime, "2023-05-09T01:00:00Z");
    }

    #[test]
    fn relative_times() {
        let now = ts("2023-05-09T15:00:00Z");
        let utc = TimeZone::UTC;
        assert_eq!(relative(ts("2023-05-09T14:59:30Z"), now, &utc), "just now");
        assert_eq!(
            relative(ts("2023-05-09T14:59:00Z"), now, &utc),
            "1 minute ago"
        );
        assert_eq!(
            relative(ts("2023-05-09T12:00:00Z"), now, &utc),
            "3 hours ago"
        );
        assert_eq!(
            relative(ts("2023-05-07T12:00:00Z"), now, &utc),
            "2 days ago"
        );
        assert_eq!(
            relative(ts("2023-01-07T12:00:00Z"), now, &utc),
            "Jan 7, 2023"
        );
        assert_eq!(
            relative(ts("2023-06-07T12:00:00Z"), now, &utc),
            "Jun 7, 2023"
        );
    }

    #[test]
    fn rss_dates_and_bounds() {
        assert_eq!(
            rfc822(ts("2023-05-09T14:57:00Z")),
            "Tue, 09 May 2023 14:57:00 +0000"
        );
        assert_eq!(
            parse_bound("2023-05-09", false),
            Some(ts("2023-05-09T00:00:00Z"))
        );
        assert_eq!(
            parse_bound("2023-05-09", true),
            Some(ts("2023-05-10T00:00:00Z"))
        );
        assert_eq!(
            parse_bound("2023-05-09T10:57:00-04:00", true),
            Some(ts("2023-05-09T14:57:00Z"))
        );
        assert_eq!(parse_bound("2023-13-01", false), None);
        assert_eq!(parse_bound("yesterday", false), None);
        assert_eq!(parse_bound("2023-05-09T10:57:00", false), None);
    }
}
