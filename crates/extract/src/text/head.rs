//! The story's head: date lines ("Published 05/09/2023, 10:57 AM", "Updated 3 hours ago",
//! "May 9, 2023"), bylines ("By Jane Doe and John Roe, Reuters") and the headline before them.

use crate::dates::{DateContext, ParsedDate, parse_date};
use crate::wire;

/// Which date a date line gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateRole {
    /// First publication ("Published …", "Posted …", or a bare date).
    Published,
    /// Last update ("Updated …", "Last updated …", "Modified …").
    Updated,
}

/// What a head line says.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeadInfo {
    /// Dates the line gives, with their role.
    pub dates: Vec<(DateRole, ParsedDate)>,
    /// Authors named in a byline.
    pub authors: Vec<String>,
    /// An agency named in the byline ("By Jane Doe, Reuters").
    pub agency: Option<String>,
    /// A labelled date ("Published …") whose date could not be read.
    pub unparsed_date: bool,
}

impl HeadInfo {
    /// True when the line is a date or byline line.
    pub fn is_meta(&self) -> bool {
        !self.dates.is_empty()
            || !self.authors.is_empty()
            || self.agency.is_some()
            || self.unparsed_date
    }
}

const UPDATED: &[&str] = &[
    "last updated",
    "last modified",
    "updated",
    "modified",
    "edited",
];
const PUBLISHED: &[&str] = &[
    "first published",
    "originally published",
    "published",
    "posted",
    "released",
    "release date",
    "date",
];

/// Reads a line of the head zone (dates, byline); lines over 40 words are never head lines.
pub(crate) fn read_head_line(line: &str, units: usize, ctx: &DateContext) -> HeadInfo {
    let mut info = HeadInfo::default();
    if units > 40 || line.len() > 400 {
        return info;
    }
    // "By Jane Doe | May 9, 2023 | 4 min read": each part on its own.
    for part in line.split(['|', '•', '·']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match read_date(part, ctx) {
            DateRead::Parsed(d) => {
                info.dates.push(d);
                continue;
            }
            DateRead::Unparsed => {
                info.unparsed_date = true;
                continue;
            }
            DateRead::None => {}
        }
        // "Posted by Jane Doe on November 19, 2019, 6:21 AM EST"
        let (byline, date) = match part.split_once(" on ") {
            Some((b, d)) if starts_with_any(b, &["Posted by ", "Published by ", "Written by "]) => {
                (b, Some(d))
            }
            _ => (part, None),
        };
        if let Some(d) = date.and_then(|d| parse_date(d, ctx)) {
            info.dates.push((DateRole::Published, d));
        }
        let byline = byline
            .strip_prefix("Posted by ")
            .or_else(|| byline.strip_prefix("Published by "))
            .map_or_else(|| byline.to_string(), |rest| format!("By {rest}"));
        if let Some((authors, agency)) = read_byline(&byline) {
            info.authors.extend(authors);
            if info.agency.is_none() {
                info.agency = agency;
            }
        }
    }
    info
}

fn starts_with_any(s: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| s.starts_with(p))
}

/// A short line that reads as a date even when [`parse_date`] cannot resolve it ("Tuesday
/// November 19, 2019", "19 Nov 2019 | 14:05"): a year or clock time with a month or weekday name,
/// few other words and no sentence ending.
pub(crate) fn looks_like_date(line: &str, units: usize) -> bool {
    if units > 10
        || line.len() > 120
        || line.ends_with('.') && !line.ends_with("a.m.") && !line.ends_with("p.m.")
    {
        return false;
    }
    let lower = line.to_lowercase();
    let has_year = lower.as_bytes().windows(4).enumerate().any(|(i, w)| {
        (w.starts_with(b"19") || w.starts_with(b"20"))
            && w.iter().all(u8::is_ascii_digit)
            && !lower.as_bytes().get(i + 4).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && lower.as_bytes()[i - 1].is_ascii_digit())
    });
    let has_clock = lower
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    const NAMES: &[&str] = &[
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let has_name = lower
        .split(|c: char| !c.is_alphabetic())
        .any(|w| NAMES.iter().any(|n| w.starts_with(n) && w.len() <= 9));
    let digits_only = lower
        .chars()
        .all(|c| c.is_ascii_digit() || "/-.:, ".contains(c));
    // "2024年6月10日 15時30分": Japanese/Chinese dates carry their units as characters.
    let cjk_date = lower.contains('年') && lower.contains('月') && lower.contains('日');
    ((has_year || has_clock) && (has_name || digits_only)) || has_year && cjk_date
}

enum DateRead {
    Parsed((DateRole, ParsedDate)),
    /// A date label with digits after it that [`parse_date`] cannot read.
    Unparsed,
    None,
}

/// A date with an optional "Published"/"Updated" label.
fn read_date(part: &str, ctx: &DateContext) -> DateRead {
    let lower = part.to_lowercase();
    for (labels, role) in [
        (UPDATED, DateRole::Updated),
        (PUBLISHED, DateRole::Published),
    ] {
        for label in labels {
            if let Some(rest) = lower.strip_prefix(label) {
                if rest.trim_start().starts_with("by ") {
                    // "Posted by Jane Doe on …" is a byline; the caller splits it.
                    return DateRead::None;
                }
                // Lower-casing can change byte lengths outside ASCII: fall back to the
                // lower-cased rest when the offsets do not line up.
                let rest_orig = part
                    .len()
                    .checked_sub(rest.len())
                    .and_then(|at| part.get(at..))
                    .unwrap_or(rest);
                let rest_orig = rest_orig
                    .trim_start_matches([':', ' ', '-', '–'])
                    .trim_start_matches("on ")
                    .trim_start_matches("On ")
                    .trim();
                if rest_orig.is_empty() {
                    return DateRead::None;
                }
                return match parse_date(rest_orig, ctx) {
                    Some(d) => DateRead::Parsed((role, d)),
                    None if rest_orig.chars().any(|c| c.is_ascii_digit())
                        && rest_orig.split_whitespace().count() <= 12 =>
                    {
                        DateRead::Unparsed
                    }
                    None => DateRead::None,
                };
            }
        }
    }
    // A bare date: short, with a digit, and not a sentence.
    if part.split_whitespace().count() <= 8
        && part.chars().any(|c| c.is_ascii_digit())
        && !part.ends_with('.')
        && let Some(d) = parse_date(part, ctx)
    {
        return DateRead::Parsed((DateRole::Published, d));
    }
    DateRead::None
}

/// "By Jane Doe and John Roe, Reuters" → (["Jane Doe", "John Roe"], Some("Reuters")).
pub(crate) fn read_byline(part: &str) -> Option<(Vec<String>, Option<String>)> {
    let rest = ["By ", "BY ", "by ", "Written by ", "Words by ", "Story by "]
        .iter()
        .find_map(|p| part.strip_prefix(p))?
        .trim();
    if rest.is_empty()
        || rest.split_whitespace().count() > 14
        || rest.ends_with('.') && rest.len() > 60
    {
        return None;
    }
    let mut authors = Vec::new();
    let mut agency = None;
    let normalized = rest
        .replace(" and ", ",")
        .replace(" & ", ",")
        .replace(" AND ", ",");
    for name in normalized.split([',', ';']) {
        let name = name.trim().trim_end_matches('.').trim();
        if name.is_empty() {
            continue;
        }
        if let Some(a) = wire::canonical_agency(name) {
            agency.get_or_insert_with(|| a.to_string());
            continue;
        }
        // Names start with a capital and are a few words long; roles ("staff writer") are not.
        let first = name.chars().next().unwrap_or(' ');
        let words = name.split_whitespace().count();
        if (first.is_uppercase() || !first.is_ascii()) && (1..=5).contains(&words) {
            authors.push(name.to_string());
        }
    }
    if authors.is_empty() && agency.is_none() {
        return None;
    }
    Some((authors, agency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_dates() {
        let ctx = DateContext::default();
        let p = read_head_line("Published 05/09/2023, 10:57 AM", 5, &ctx);
        assert_eq!(p.dates.len(), 1);
        assert_eq!(p.dates[0].0, DateRole::Published);
        assert_eq!(p.dates[0].1.time.to_rfc3339(), "2023-05-09T10:57:00Z");
        let u = read_head_line("Updated: 05/09/2023, 11:02 AM", 5, &ctx);
        assert_eq!(u.dates[0].0, DateRole::Updated);
    }

    #[test]
    fn bylines() {
        let (a, ag) = read_byline("By Jane Doe and John Roe, Reuters").unwrap();
        assert_eq!(a, ["Jane Doe", "John Roe"]);
        assert_eq!(ag.as_deref(), Some("Reuters"));
        assert!(read_byline("Byzantine rules apply").is_none());
        assert!(read_byline("by the way, this is lower case").is_none());
    }

    #[test]
    fn byline_and_date_on_one_line() {
        let info = read_head_line("By Jane Doe | 2023-05-09 10:57", 6, &DateContext::default());
        assert_eq!(info.authors, ["Jane Doe"]);
        assert_eq!(info.dates.len(), 1);
    }

    #[test]
    fn posted_by_with_date() {
        let info = read_head_line(
            "Posted by Jane Doe on 2019-11-19 06:21",
            8,
            &DateContext::default(),
        );
        assert_eq!(info.authors, ["Jane Doe"]);
        assert_eq!(info.dates.len(), 1);
    }

    #[test]
    fn date_shapes() {
        assert!(looks_like_date("Tuesday November 19, 2019", 4));
        assert!(looks_like_date("19 Nov 2019 | 14:05", 5));
        assert!(!looks_like_date("The 2019 season ended in November.", 6));
        assert!(!looks_like_date("Top 10 gadgets", 3));
        assert!(looks_like_date("2024年6月10日 15時30分", 6));
    }

    #[test]
    fn sentences_are_not_head_lines() {
        let info = read_head_line(
            "The bank said on 05/09/2023 that it would raise rates by a quarter point.",
            15,
            &DateContext::default(),
        );
        assert!(!info.is_meta());
    }
}
