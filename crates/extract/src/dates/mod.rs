//! Dates as news sites print them.
//!
//! Machine formats (ISO 8601 / RFC 3339 with or without seconds, fractions and offset, date
//! only, RFC 2822, Unix epoch seconds and milliseconds) and human ones ("05/09/2023, 10:57 AM",
//! "Tuesday, May 9, 2023 at 10:57 a.m. EDT", "9 May 2023 10:57 BST", "2023年5月9日",
//! "09.05.2023 10:57", "Updated 3 hours ago", "yesterday"), with month names in en, de, fr, es,
//! it, pt and nl. Zone abbreviations map to IANA zones ([`zones`]), so "ET" follows daylight
//! saving. A wall-clock time with no zone is read in [`DateContext::zone`]; when that is `None`
//! it is read as UTC and the result says the zone was assumed. Relative dates need
//! [`DateContext::now`].
//!
//! Nonsense is refused rather than guessed at: month 13, day 32, 25:00, years outside
//! [`MIN_YEAR`]..=[`MAX_YEAR`], strings longer than [`MAX_INPUT_LEN`].

mod human;
mod relative;
pub mod words;
pub mod zones;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use newsdesk_article::SourceTime;
/// What a date string is read against.
#[derive(Debug, Clone, Default)]
pub struct DateContext {
    /// Zone for wall-clock times without one. `None`: assume UTC (and say so).
    pub zone: Option<TimeZone>,
    /// The current time, for "2 hours ago". `None`: relative dates are not resolved.
    pub now: Option<Timestamp>,
    /// Whether `05/09/2023` is 5 September (`Some(true)`) or 9 May (`Some(false)`).
    /// `None`: month first unless the first number is over 12.
    pub day_first: Option<bool>,
}

/// A date that was read.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDate {
    /// The instant and the zone it was printed in.
    pub time: SourceTime,
    /// True when it came from a relative expression ("1 day ago").
    pub relative: bool,
    /// False when the string gave only a calendar date (time set to midnight).
    pub has_time: bool,
}

/// Earliest year we accept: older "publication" dates are placeholders or misreadings.
pub const MIN_YEAR: i16 = 1900;
/// Latest year we accept.
pub const MAX_YEAR: i16 = 2100;
/// Longest string we try to read as a date, in bytes.
pub const MAX_INPUT_LEN: usize = 256;

/// Reads a date string. Returns `None` when nothing date-like is found or it is not a real date.
pub fn parse_date(input: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let s = input.trim();
    if s.is_empty() || s.len() > MAX_INPUT_LEN {
        return None;
    }
    let parsed = parse_machine(s, ctx)
        .or_else(|| relative::parse(s, ctx))
        .or_else(|| parse_human(s, ctx))?;
    let year = parsed.time.instant.to_zoned_datetime(TimeZone::UTC).year();
    (MIN_YEAR..=MAX_YEAR).contains(&year).then_some(parsed)
}

/// Formats with one exact spelling: epoch numbers, RFC 3339 / ISO 8601, RFC 2822.
fn parse_machine(s: &str, ctx: &DateContext) -> Option<ParsedDate> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_digits(s, ctx);
    }
    if s.contains('[')
        && let Ok(z) = s.parse::<jiff::ZonedDateTime>()
    {
        return Some(absolute(z.timestamp(), z.time_zone().clone(), false, true));
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        // RFC 3339 / ISO 8601 with an offset: keep the printed offset as the zone.
        let zone = printed_offset(s).unwrap_or(TimeZone::UTC);
        return Some(absolute(ts, zone, false, true));
    }
    // RFC 2822 reads unknown zone names as -0000; leave those ("BST", "CEST") to the human
    // reader, which knows them.
    let last = s.rsplit(' ').next().unwrap_or("");
    let numeric_or_utc = last.starts_with(['+', '-']) || ["GMT", "UT", "UTC", "Z"].contains(&last);
    if let Some(zoned) = numeric_or_utc
        .then(|| jiff::fmt::rfc2822::parse(s).ok())
        .flatten()
    {
        return Some(absolute(
            zoned.timestamp(),
            zoned.time_zone().clone(),
            false,
            true,
        ));
    }
    if s.len() >= 10 && s.as_bytes().get(4) == Some(&b'-') {
        if s.len() == 10
            && let Ok(d) = s.parse::<Date>()
        {
            return localize(d.to_datetime(Time::midnight()), ctx, false);
        }
        if let Ok(dt) = s.parse::<DateTime>() {
            return localize(dt, ctx, true);
        }
    }
    None
}

/// All digits: Unix seconds (9–10 digits), milliseconds (12–13) or a compact `YYYYMMDD`.
fn parse_digits(s: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let n: i64 = s.parse().ok()?;
    let ts = match s.len() {
        8 => {
            let d = Date::new(
                i16::try_from(n / 10_000).ok()?,
                i8::try_from(n / 100 % 100).ok()?,
                i8::try_from(n % 100).ok()?,
            )
            .ok()?;
            return localize(d.to_datetime(Time::midnight()), ctx, false);
        }
        9 | 10 => Timestamp::from_second(n).ok()?,
        12 | 13 => Timestamp::from_millisecond(n).ok()?,
        _ => return None,
    };
    Some(absolute(ts, TimeZone::UTC, false, true))
}

/// Human-printed dates, via [`human::read`].
fn parse_human(s: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let mut parts = human::read(s, None, ctx.day_first)?;
    if parts.year.is_none() && parts.month.is_some() && parts.day.is_some() {
        // "May 9": the most recent May 9 that is not in the future (needs a clock).
        let now = ctx.now?;
        let zone = parts
            .zone
            .clone()
            .or_else(|| ctx.zone.clone())
            .unwrap_or(TimeZone::UTC);
        let today = now.to_zoned_datetime(zone).date();
        let mut year = today.year();
        parts.year = Some(year);
        if parts
            .date()
            .is_some_and(|d| d > today.tomorrow().unwrap_or(today))
        {
            year -= 1;
            parts.year = Some(year);
        }
    }
    let date = parts.date()?;
    let has_time = parts.time.is_some();
    let dt = date.to_datetime(parts.time.unwrap_or(Time::midnight()));
    match parts.zone {
        Some(zone) => {
            let ts = zone.to_ambiguous_timestamp(dt).compatible().ok()?;
            Some(absolute(ts, zone, false, has_time))
        }
        None => localize(dt, ctx, has_time),
    }
}

fn absolute(instant: Timestamp, zone: TimeZone, assumed: bool, has_time: bool) -> ParsedDate {
    ParsedDate {
        time: SourceTime::new(instant, zone, assumed),
        relative: false,
        has_time,
    }
}

/// The offset printed at the end of an RFC 3339 string (`Z`, `+09:00`, `-0400`).
fn printed_offset(s: &str) -> Option<TimeZone> {
    if s.ends_with(['Z', 'z']) {
        return Some(TimeZone::UTC);
    }
    // The offset starts at the last sign after the date (whose own '-'s are in the first 10).
    let tail_start = s.get(10..)?.rfind(['+', '-'])? + 10;
    let offset = newsdesk_article::parse_offset(s.get(tail_start..)?)?;
    if offset == jiff::tz::Offset::UTC {
        return Some(TimeZone::UTC);
    }
    Some(TimeZone::fixed(offset))
}

/// The zone for a wall-clock time that printed none: the context's, else UTC (assumed).
fn context_zone(ctx: &DateContext) -> (TimeZone, bool) {
    match &ctx.zone {
        Some(z) => (z.clone(), false),
        None => (TimeZone::UTC, true),
    }
}

/// Wall-clock time in the context zone.
fn localize(dt: DateTime, ctx: &DateContext, has_time: bool) -> Option<ParsedDate> {
    let (zone, assumed) = context_zone(ctx);
    let ts = zone.to_ambiguous_timestamp(dt).compatible().ok()?;
    Some(absolute(ts, zone, assumed, has_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> DateContext {
        DateContext {
            zone: Some(TimeZone::get("America/New_York").unwrap()),
            ..DateContext::default()
        }
    }

    #[test]
    fn investing_com_format_in_given_zone() {
        let p = parse_date("05/09/2023, 10:57 AM", &ny()).unwrap();
        assert_eq!(p.time.to_rfc3339(), "2023-05-09T10:57:00-04:00");
        assert!(!p.time.zone_assumed);
    }

    #[test]
    fn no_zone_means_utc_assumed() {
        let p = parse_date("05/09/2023, 11:02 AM", &DateContext::default()).unwrap();
        assert_eq!(p.time.to_rfc3339(), "2023-05-09T11:02:00Z");
        assert!(p.time.zone_assumed);
    }

    #[test]
    fn rfc3339_keeps_offset() {
        let p = parse_date("2019-11-19T08:29:00+09:00", &ny()).unwrap();
        assert_eq!(p.time.to_rfc3339(), "2019-11-19T08:29:00+09:00");
    }

    #[test]
    fn relative_against_now() {
        let ctx = DateContext {
            now: Some("2026-11-29T12:00:00Z".parse().unwrap()),
            ..DateContext::default()
        };
        let p = parse_date("1 day ago", &ctx).unwrap();
        assert!(p.relative);
        assert_eq!(p.time.instant.to_string(), "2026-11-28T12:00:00Z");
        assert!(parse_date("1 day ago", &DateContext::default()).is_none());
    }
}
