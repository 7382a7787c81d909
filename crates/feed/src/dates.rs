//! Feed dates → instants. Feeds use RFC 3339 (Atom, JSON Feed, many RSS feeds) and RFC 822/2822
//! (RSS), both with every deviation seen in the wild: no offset, `+0100` without a colon, a
//! space instead of `T`, wrong or localised weekday names, long month names, month before day,
//! single-digit hours, zone abbreviations (`EST`, `CEST`, `UTC`), two-digit years.
//!
//! A date with no offset is read in the caller's fallback zone. A date before 1980 is taken as a
//! placeholder (`0001-01-01`, the Unix epoch) and rejected as implausible.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

/// Why a date string gave no instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a date format we read.
    Unreadable,
    /// A real date, but before 1980: a placeholder, not a publication time.
    Implausible,
}

/// The earliest year we accept as a real publication date.
const MIN_YEAR: i16 = 1980;

/// Parses a feed date. `zone` is used when the text carries no offset.
pub fn parse(text: &str, zone: &TimeZone) -> Result<Timestamp, DateProblem> {
    let s = text.trim();
    if s.is_empty() || s.len() > 100 {
        return Err(DateProblem::Unreadable);
    }
    let b = s.as_bytes();
    let ts = if b[0].is_ascii_digit() && matches!(b.get(4), Some(b'-' | b'/')) {
        parse_iso(s, zone)
    } else if s.len() >= 9 && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<i64>()
            .ok()
            .and_then(|n| Timestamp::from_second(n).ok())
    } else {
        parse_rfc822(s, zone)
    }
    .ok_or(DateProblem::Unreadable)?;
    if ts.to_zoned_datetime(TimeZone::UTC).year() < MIN_YEAR {
        return Err(DateProblem::Implausible);
    }
    Ok(ts)
}

fn parse_iso(s: &str, zone: &TimeZone) -> Option<Timestamp> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    let fixed = normalise_iso(s);
    if let Ok(ts) = fixed.parse::<Timestamp>() {
        return Some(ts);
    }
    if let Ok(dt) = fixed.parse::<DateTime>() {
        return zone.to_timestamp(dt).ok();
    }
    if let Ok(d) = fixed.parse::<Date>() {
        return zone.to_timestamp(d.to_datetime(Time::midnight())).ok();
    }
    None
}

/// `2024/01/15 10:00:00 +0100` → `2024-01-15T10:00:00+01:00`; lower-case `t`/`z` upper-cased.
fn normalise_iso(s: &str) -> String {
    let mut out: String = s
        .chars()
        .enumerate()
        .map(|(i, c)| match c {
            '/' if i < 8 => '-',
            't' => 'T',
            'z' => 'Z',
            _ => c,
        })
        .collect();
    // A space or 'T' between date and time.
    if out.len() > 10 && out.as_bytes()[10] == b' ' {
        out.replace_range(10..11, "T");
    }
    // A space before the offset or a zone name.
    if let Some(sp) = out.rfind(' ') {
        let tail = out[sp + 1..].to_string();
        if let Some(off) = zone_offset_seconds(&tail) {
            out.truncate(sp);
            out.push_str(&format_offset(off));
        }
    }
    // A trailing ±HHMM without a colon.
    let b = out.as_bytes();
    let n = b.len();
    if n > 16
        && matches!(b[n - 5], b'+' | b'-')
        && b[n - 4..].iter().all(u8::is_ascii_digit)
        && out[..n - 5].contains('T')
    {
        out.insert(n - 2, ':');
    }
    out
}

fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// RFC 822 and its relatives, token by token: weekday names are ignored, the day, month
/// (English name, any length), year, time and zone may come in the usual orders.
fn parse_rfc822(s: &str, zone: &TimeZone) -> Option<Timestamp> {
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut offset = None;
    for token in s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        if token.contains(':') && time.is_none() && token.as_bytes()[0].is_ascii_digit() {
            // `10:57:00` possibly glued to an offset: `10:57:00+0100` / `10:57:00Z`.
            let split = token
                .find(|c: char| c == '+' || c == '-' || c.is_ascii_alphabetic())
                .unwrap_or(token.len());
            time = Some(parse_time(&token[..split])?);
            if split < token.len() {
                offset = Some(zone_offset_seconds(&token[split..])?);
            }
        } else if let Some(m) = month_number(token) {
            month = Some(m);
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            let n: i32 = token.parse().ok()?;
            match token.len() {
                1 | 2 if day.is_none() => day = Some(n),
                4 => year = Some(n),
                2 if year.is_none() => year = Some(if n < 70 { 2000 + n } else { 1900 + n }),
                _ => return None,
            }
        } else if let Some(off) = zone_offset_seconds(token) {
            offset = Some(off);
        } else if token.bytes().all(|b| b.is_ascii_alphabetic() || b == b'.') {
            // Weekday names (any language, any length) and unknown zone names.
            continue;
        } else {
            return None;
        }
    }
    let date = Date::new(i16::try_from(year?).ok()?, month?, i8::try_from(day?).ok()?).ok()?;
    let dt = date.to_datetime(time.unwrap_or(Time::midnight()));
    match offset {
        Some(secs) => Offset::from_seconds(secs).ok()?.to_timestamp(dt).ok(),
        None => zone.to_timestamp(dt).ok(),
    }
}

fn parse_time(s: &str) -> Option<Time> {
    let mut parts = s.split(':');
    let h: i8 = parts.next()?.parse().ok()?;
    let m: i8 = parts.next()?.parse().ok()?;
    let sec_text = parts.next().unwrap_or("0");
    let (whole, _frac) = sec_text.split_once('.').unwrap_or((sec_text, ""));
    let sec: i8 = whole.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    // "24:00" means midnight at the start of the day in some feeds.
    let h = if h == 24 && m == 0 && sec == 0 { 0 } else { h };
    Time::new(h, m, sec.min(59), 0).ok()
}

fn month_number(token: &str) -> Option<i8> {
    if token.len() < 3 || !token.bytes().all(|b| b.is_ascii_alphabetic() || b == b'.') {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = token.trim_end_matches('.').to_ascii_lowercase();
    if lower == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&lower) && lower.len() >= 3)
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// Offset in seconds for `+0100`, `-05:00`, `+01`, `Z`, `GMT`, `UTC`, `EST`, `CEST`, `GMT+2`…
fn zone_offset_seconds(token: &str) -> Option<i32> {
    let t = token.trim_matches(|c| c == '(' || c == ')');
    if let Some(rest) = t.strip_prefix(['+', '-']) {
        let sign = if t.starts_with('-') { -1 } else { 1 };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            4 => (
                digits[..2].parse::<i32>().ok()?,
                digits[2..].parse::<i32>().ok()?,
            ),
            _ => return None,
        };
        if h > 14 || m > 59 {
            return None;
        }
        return Some(sign * (h * 3600 + m * 60));
    }
    let upper = t.to_ascii_uppercase();
    for prefix in ["GMT", "UTC", "UT"] {
        if let Some(rest) = upper.strip_prefix(prefix)
            && !rest.is_empty()
            && rest.starts_with(['+', '-'])
        {
            return zone_offset_seconds(rest);
        }
    }
    let hours = |h: i32| Some(h * 3600);
    match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => hours(0),
        "EST" => hours(-5),
        "EDT" => hours(-4),
        "CST" => hours(-6),
        "CDT" => hours(-5),
        "MST" => hours(-7),
        "MDT" => hours(-6),
        "PST" => hours(-8),
        "PDT" => hours(-7),
        "AKST" => hours(-9),
        "AKDT" => hours(-8),
        "HST" => hours(-10),
        "BST" | "CET" | "WEST" => hours(1),
        "CEST" | "EET" | "SAST" => hours(2),
        "EEST" | "MSK" => hours(3),
        "IST" => Some(5 * 3600 + 1800),
        "HKT" | "SGT" | "AWST" => hours(8),
        "JST" | "KST" => hours(9),
        "AEST" => hours(10),
        "AEDT" => hours(11),
        "NZST" => hours(12),
        "NZDT" => hours(13),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> String {
        parse(s, &TimeZone::UTC)
            .map(|t| t.to_string())
            .unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn rfc3339_and_variants() {
        assert_eq!(utc("2024-03-05T14:30:00Z"), "2024-03-05T14:30:00Z");
        assert_eq!(utc("2024-03-05T14:30:00+01:00"), "2024-03-05T13:30:00Z");
        assert_eq!(utc("2024-03-05T14:30:00+0100"), "2024-03-05T13:30:00Z");
        assert_eq!(utc("2024-03-05 14:30:00 +0100"), "2024-03-05T13:30:00Z");
        assert_eq!(utc("2024-03-05 14:30:00 EST"), "2024-03-05T19:30:00Z");
        assert_eq!(utc("2024-03-05t14:30:00.250z"), "2024-03-05T14:30:00.25Z");
        assert_eq!(utc("2024/03/05 14:30"), "2024-03-05T14:30:00Z");
    }

    #[test]
    fn rfc822_and_variants() {
        assert_eq!(utc("Tue, 05 Mar 2024 14:30:00 GMT"), "2024-03-05T14:30:00Z");
        assert_eq!(
            utc("Tue, 05 Mar 2024 14:30:00 -0500"),
            "2024-03-05T19:30:00Z"
        );
        // Wrong weekday, long names, single-digit hour, no seconds, UTC.
        assert_eq!(utc("Sunday, 5 March 2024 9:30 UTC"), "2024-03-05T09:30:00Z");
        assert_eq!(
            utc("Thurs, 05 Mar 2024 14:30:00 CEST"),
            "2024-03-05T12:30:00Z"
        );
        // Month before day.
        assert_eq!(utc("Mar 5 2024 14:30:00 +0000"), "2024-03-05T14:30:00Z");
        assert_eq!(utc("05 Mar 24 14:30 Z"), "2024-03-05T14:30:00Z");
        assert_eq!(
            utc("Tue, 05 Mar 2024 14:30:00 GMT+2"),
            "2024-03-05T12:30:00Z"
        );
    }

    #[test]
    fn no_offset_uses_fallback_zone() {
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(
            parse("2024-07-01T09:00:00", &ny).unwrap().to_string(),
            "2024-07-01T13:00:00Z"
        );
        assert_eq!(
            parse("Mon, 01 Jul 2024 09:00:00", &ny).unwrap().to_string(),
            "2024-07-01T13:00:00Z"
        );
        assert_eq!(
            parse("2024-01-15", &ny).unwrap().to_string(),
            "2024-01-15T05:00:00Z"
        );
    }

    #[test]
    fn garbage_and_placeholders() {
        assert_eq!(utc("yesterday-ish"), "Unreadable");
        assert_eq!(utc(""), "Unreadable");
        assert_eq!(utc("32 Mar 2024 10:00 GMT"), "Unreadable");
        assert_eq!(utc("Tue, 05 Mar 2024 25:00:00 GMT"), "Unreadable");
        assert_eq!(utc("0001-01-01T00:00:00Z"), "Implausible");
        assert_eq!(utc("Thu, 01 Jan 1970 00:00:00 GMT"), "Implausible");
    }
}
