//! The article model: what newsdesk knows about one story, independent of where it came from.
//!
//! Extraction produces an [`Article`]; storage, search, tagging and the web read it. The model is
//! pure data (serde, no IO) so every crate can depend on it without pulling anything else in.
//!
//! Design notes:
//! - Timestamps are [`SourceTime`]: a UTC instant plus the time zone the source printed it in,
//!   and whether that zone was *assumed* (pasted text often carries no zone at all).
//! - The body is structured [`Block`]s; the plain text is derived from them
//!   ([`Article::body_text`]) so the two can never disagree.
//! - Anything the extractor had to guess or drop is recorded in [`Article::warnings`].

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// One extracted story.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Canonical URL (`<link rel=canonical>`, `og:url`, JSON-LD `url`, else the URL it was fetched from).
    pub url: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Publisher or site name as the reader knows it ("Reuters", "The Verge").
    pub source: Option<String>,
    /// Wire agency the story came from, when it is a wire copy ("Reuters", "AP", "AFP").
    pub agency: Option<String>,
    /// Bylines, in page order, without "By".
    pub authors: Vec<String>,
    /// Wire dateline at the head of the body ("WASHINGTON (Reuters) -").
    pub dateline: Option<Dateline>,
    /// First publication time.
    pub published: Option<SourceTime>,
    /// Last update time, when the page shows one that differs from `published`.
    pub updated: Option<SourceTime>,
    /// BCP 47 primary language subtag ("en", "ja"), from markup or detected from the text.
    pub language: Option<String>,
    /// Section or category ("Politics", "Stock Markets").
    pub section: Option<String>,
    /// Lead image and inline images with captions and credits.
    pub images: Vec<Image>,
    /// Instrument symbols printed on the page itself (quote chips such as `JP225`), in page order.
    pub printed_instruments: Vec<String>,
    /// The body as structured blocks, in reading order.
    pub blocks: Vec<Block>,
    /// What the extractor guessed, dropped or could not read.
    pub warnings: Vec<Warning>,
}

impl Article {
    /// The body as plain text: one block per paragraph, blocks separated by a blank line,
    /// list items on their own lines.
    pub fn body_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            let text = block.plain_text();
            if text.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&text);
        }
        out
    }

    /// Number of words in the body (Unicode whitespace separated), a cheap size measure.
    pub fn word_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| b.plain_text().split_whitespace().count())
            .sum()
    }

    /// Records a warning.
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning {
            code,
            message: message.into(),
        });
    }
}

/// A wire dateline: "WASHINGTON (Reuters) -" is place `WASHINGTON`, agency `Reuters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dateline {
    /// The place as printed ("WASHINGTON", "NASHVILLE, Tenn.").
    pub place: Option<String>,
    /// The agency as printed ("Reuters"), if the dateline names one.
    pub agency: Option<String>,
}

/// A point in time as a source printed it: the UTC instant plus the source's time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceTime {
    /// The instant, exact to the second the source gave.
    pub instant: Timestamp,
    /// The zone the source's wall-clock time is in: an IANA name ("America/New_York") or a fixed
    /// offset ("+09:00").
    pub zone: String,
    /// True when the source did not say which zone it meant and `zone` is our assumption.
    pub zone_assumed: bool,
}

impl SourceTime {
    /// Builds a time from an instant and a zone.
    pub fn new(instant: Timestamp, zone: TimeZone, zone_assumed: bool) -> Self {
        Self {
            instant,
            zone: zone_name(&zone),
            zone_assumed,
        }
    }

    /// The time zone, parsed back from its name (UTC when the name no longer resolves).
    pub fn time_zone(&self) -> TimeZone {
        parse_zone(&self.zone).unwrap_or(TimeZone::UTC)
    }

    /// RFC 3339 with the source's own offset, e.g. `2023-05-09T10:57:00-04:00`.
    pub fn to_rfc3339(&self) -> String {
        let offset = self.time_zone().to_offset(self.instant);
        if offset == jiff::tz::Offset::UTC {
            // `Z` for UTC, as RFC 3339 prefers.
            return self.instant.to_string();
        }
        self.instant.display_with_offset(offset).to_string()
    }
}

/// The name we store for a zone: its IANA name, or its fixed offset as `±HH:MM`.
pub fn zone_name(zone: &TimeZone) -> String {
    match zone.iana_name() {
        Some(name) => name.to_string(),
        None => {
            let offset = zone.to_offset(Timestamp::UNIX_EPOCH);
            if offset == jiff::tz::Offset::UTC {
                "UTC".to_string()
            } else {
                let secs = offset.seconds();
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.unsigned_abs();
                format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
            }
        }
    }
}

/// Parses a zone name as stored by [`zone_name`]: an IANA name, `UTC`, or a `±HH:MM` offset.
pub fn parse_zone(name: &str) -> Option<TimeZone> {
    if name.eq_ignore_ascii_case("utc") || name == "Z" {
        return Some(TimeZone::UTC);
    }
    if let Ok(tz) = TimeZone::get(name) {
        return Some(tz);
    }
    parse_offset(name).map(TimeZone::fixed)
}

/// Parses a `±HH:MM`, `±HHMM` or `±HH` UTC offset.
pub fn parse_offset(s: &str) -> Option<jiff::tz::Offset> {
    let s = s.trim();
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    if h > 18 || m > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

impl Serialize for SourceTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SourceTime", 3)?;
        st.serialize_field("at", &self.to_rfc3339())?;
        st.serialize_field("zone", &self.zone)?;
        st.serialize_field("zone_assumed", &self.zone_assumed)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for SourceTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            at: String,
            zone: String,
            #[serde(default)]
            zone_assumed: bool,
        }
        let raw = Raw::deserialize(d)?;
        let instant: Timestamp = raw.at.parse().map_err(serde::de::Error::custom)?;
        if parse_zone(&raw.zone).is_none() {
            return Err(serde::de::Error::custom(format!(
                "unknown time zone {:?}",
                raw.zone
            )));
        }
        Ok(SourceTime {
            instant,
            zone: raw.zone,
            zone_assumed: raw.zone_assumed,
        })
    }
}

/// One structural block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of running text.
    Paragraph {
        /// The paragraph's text, whitespace collapsed.
        text: String,
    },
    /// A sub-heading inside the body.
    Heading {
        /// 1–6 as in HTML (`h2` → 2); pasted text uses 2.
        level: u8,
        /// The heading's text.
        text: String,
    },
    /// A bulleted or numbered list.
    List {
        /// True for numbered lists.
        ordered: bool,
        /// One string per item.
        items: Vec<String>,
    },
    /// A block quotation.
    Quote {
        /// The quoted text.
        text: String,
    },
    /// Preformatted text (code, tables flattened to text), kept verbatim.
    Preformatted {
        /// The text with its line breaks.
        text: String,
    },
}

impl Block {
    /// The block as plain text (list items one per line).
    pub fn plain_text(&self) -> String {
        match self {
            Block::Paragraph { text }
            | Block::Heading { text, .. }
            | Block::Quote { text }
            | Block::Preformatted { text } => text.clone(),
            Block::List { items, .. } => items.join("\n"),
        }
    }

    /// A paragraph block.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::Paragraph { text: text.into() }
    }
}

/// An image with its caption and credit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// Absolute URL, when known (pasted text has none).
    pub url: Option<String>,
    /// Caption without the credit.
    pub caption: Option<String>,
    /// Credit line ("REUTERS/Kevin Lamarque", "Photo: AP").
    pub credit: Option<String>,
}

/// Something the extractor guessed, dropped or could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable machine-readable code.
    pub code: WarningCode,
    /// Human-readable detail.
    pub message: String,
}

/// Stable warning codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// No time zone was given or printed; the zone in the timestamps is assumed.
    TimezoneAssumed,
    /// A date was present but could not be read.
    UnparsedDate,
    /// The page's character encoding was unknown or wrong; some characters were replaced.
    EncodingReplaced,
    /// The input was larger than the limit and was cut.
    Truncated,
    /// No headline could be found.
    NoTitle,
    /// The body is empty or very short: the page may not be an article.
    ThinBody,
    /// The page's markup nests deeper than we follow; the deepest parts were flattened.
    DeepNesting,
    /// A relative date ("2 hours ago") was resolved against the current time.
    RelativeDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_text_joins_blocks_with_blank_lines() {
        let a = Article {
            blocks: vec![
                Block::paragraph("One."),
                Block::Heading {
                    level: 2,
                    text: "Two".into(),
                },
                Block::List {
                    ordered: false,
                    items: vec!["a".into(), "b".into()],
                },
                Block::paragraph(""),
            ],
            ..Article::default()
        };
        assert_eq!(a.body_text(), "One.\n\nTwo\n\na\nb");
        assert_eq!(a.word_count(), 4);
    }

    #[test]
    fn source_time_round_trips_with_zone() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let instant: Timestamp = "2023-05-09T14:57:00Z".parse().unwrap();
        let t = SourceTime::new(instant, tz, false);
        assert_eq!(t.to_rfc3339(), "2023-05-09T10:57:00-04:00");
        let json = serde_json::to_string(&t).unwrap();
        let back: SourceTime = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn fixed_offsets_are_named_and_parsed() {
        let tz = TimeZone::fixed(jiff::tz::offset(9));
        assert_eq!(zone_name(&tz), "+09:00");
        assert!(parse_zone("+09:00").is_some());
        assert!(parse_zone("Mars/Olympus").is_none());
    }
}
