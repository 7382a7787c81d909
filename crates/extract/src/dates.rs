//! Dates as news sites print them.
//!
//! Machine formats (ISO 8601 / RFC 3339, RFC 2822) and human ones ("05/09/2023, 10:57 AM",
//! "May 9, 2023 10:57 AM ET", "9 May 2023", "Updated 3 hours ago"). A wall-clock time with no
//! zone is read in [`DateContext::zone`]; when that is `None` it is read as UTC and the result
//! says the zone was assumed. Relative dates need [`DateContext::now`].

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

/// Reads a date string. Returns `None` when nothing date-like is found.
pub fn parse_date(input: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let s = input.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        // RFC 3339 / ISO 8601 with an offset: keep the printed offset as the zone.
        let zone = printed_offset(s).unwrap_or(TimeZone::UTC);
        return Some(absolute(ts, zone, false, true));
    }
    if let Ok(zoned) = jiff::fmt::rfc2822::parse(s) {
        return Some(absolute(zoned.timestamp(), zoned.time_zone().clone(), false, true));
    }
    if let Some(p) = parse_relative(s, ctx) {
        return Some(p);
    }
    parse_civil(s, ctx)
}

fn absolute(instant: Timestamp, zone: TimeZone, assumed: bool, has_time: bool) -> ParsedDate {
    ParsedDate {
        time: SourceTime::new(instant, zone, assumed),
        relative: false,
        has_time,
    }
}

fn printed_offset(s: &str) -> Option<TimeZone> {
    if s.ends_with('Z') || s.ends_with('z') {
        return Some(TimeZone::UTC);
    }
    let tail = s.get(s.len().checked_sub(6)?..)?;
    newsdesk_article::parse_offset(tail).map(TimeZone::fixed)
}

/// Wall-clock time in the context zone.
fn localize(dt: DateTime, ctx: &DateContext, has_time: bool) -> Option<ParsedDate> {
    let (zone, assumed) = match &ctx.zone {
        Some(z) => (z.clone(), false),
        None => (TimeZone::UTC, true),
    };
    let zoned = zone.to_ambiguous_zoned_datetime(dt).compatible().ok()?;
    Some(absolute(zoned.timestamp(), zone, assumed, has_time))
}

fn parse_relative(s: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let lower = s.to_ascii_lowercase();
    let lower = lower
        .trim_start_matches("updated")
        .trim_start_matches("published")
        .trim();
    let rest = lower.strip_suffix("ago")?.trim();
    let mut parts = rest.split_whitespace();
    let n_str = parts.next()?;
    let n: i64 = match n_str {
        "a" | "an" | "one" => 1,
        other => other.parse().ok()?,
    };
    let unit = parts.next()?.trim_end_matches('s');
    let secs = match unit {
        "second" | "sec" => 1,
        "minute" | "min" => 60,
        "hour" | "hr" | "h" => 3600,
        "day" | "d" => 86_400,
        "week" | "wk" => 7 * 86_400,
        _ => return None,
    };
    let now = ctx.now?;
    let instant = now.checked_sub(jiff::SignedDuration::from_secs(n.checked_mul(secs)?)).ok()?;
    let (zone, assumed) = match &ctx.zone {
        Some(z) => (z.clone(), false),
        None => (TimeZone::UTC, true),
    };
    Some(ParsedDate {
        time: SourceTime::new(instant, zone, assumed),
        relative: true,
        has_time: secs < 86_400,
    })
}

/// `MM/DD/YYYY[, HH:MM[ AM|PM]]` and `YYYY-MM-DD HH:MM` without zone.
fn parse_civil(s: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let (date_part, time_part) = match s.split_once([',', ' ', 'T']) {
        Some((d, t)) => (d.trim(), Some(t.trim())),
        None => (s, None),
    };
    let date = parse_numeric_date(date_part, ctx)?;
    let time = match time_part {
        Some(t) if !t.is_empty() => Some(parse_clock(t)?),
        _ => None,
    };
    localize(
        date.to_datetime(time.unwrap_or(Time::midnight())),
        ctx,
        time.is_some(),
    )
}

fn parse_numeric_date(s: &str, ctx: &DateContext) -> Option<Date> {
    let nums: Vec<i64> = s
        .split(['/', '-', '.'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = nums[..] else { return None };
    if a > 999 {
        return Date::new(a as i16, b as i8, c as i8).ok();
    }
    let year = if c < 100 { 2000 + c } else { c };
    let day_first = ctx.day_first.unwrap_or(a > 12);
    let (m, d) = if day_first { (b, a) } else { (a, b) };
    Date::new(year as i16, m as i8, d as i8).ok()
}

fn parse_clock(s: &str) -> Option<Time> {
    let lower = s.to_ascii_lowercase();
    let (clock, pm) = if let Some(c) = lower.strip_suffix("pm") {
        (c.trim(), Some(true))
    } else if let Some(c) = lower.strip_suffix("am") {
        (c.trim(), Some(false))
    } else {
        (lower.trim(), None)
    };
    let mut it = clock.split(':');
    let h: i8 = it.next()?.trim().parse().ok()?;
    let m: i8 = it.next()?.trim().parse().ok()?;
    let sec: i8 = match it.next() {
        Some(x) => x.trim().parse().ok()?,
        None => 0,
    };
    let h = match pm {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    Time::new(h, m, sec, 0).ok()
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
