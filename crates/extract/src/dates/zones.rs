//! Time-zone abbreviations as news sites print them, mapped to IANA zones.
//!
//! An abbreviation names a *region*, not a fixed offset: "ET" and "EST" both map to
//! `America/New_York`, so a wall-clock time is read with the offset in force on that date. Sites
//! often print "EST" all year round; reading it as the region's local time is right far more
//! often than reading it as a literal UTC−5 in July.

use jiff::tz::TimeZone;

/// Abbreviation (lower case) → IANA zone name. `UTC` stands for the UTC zone itself.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("utc", "UTC"),
    ("gmt", "UTC"),
    ("z", "UTC"),
    ("zulu", "UTC"),
    ("et", "America/New_York"),
    ("est", "America/New_York"),
    ("edt", "America/New_York"),
    ("ct", "America/Chicago"),
    ("cst", "America/Chicago"),
    ("cdt", "America/Chicago"),
    ("mt", "America/Denver"),
    ("mst", "America/Denver"),
    ("mdt", "America/Denver"),
    ("pt", "America/Los_Angeles"),
    ("pst", "America/Los_Angeles"),
    ("pdt", "America/Los_Angeles"),
    ("akst", "America/Anchorage"),
    ("akdt", "America/Anchorage"),
    ("hst", "Pacific/Honolulu"),
    ("ast", "America/Halifax"),
    ("adt", "America/Halifax"),
    ("brt", "America/Sao_Paulo"),
    ("art", "America/Argentina/Buenos_Aires"),
    ("bst", "Europe/London"),
    ("ist", "Asia/Kolkata"),
    ("wet", "Europe/Lisbon"),
    ("west", "Europe/Lisbon"),
    ("cet", "Europe/Paris"),
    ("cest", "Europe/Paris"),
    ("mez", "Europe/Berlin"),
    ("mesz", "Europe/Berlin"),
    ("eet", "Europe/Athens"),
    ("eest", "Europe/Athens"),
    ("msk", "Europe/Moscow"),
    ("sast", "Africa/Johannesburg"),
    ("gst", "Asia/Dubai"),
    ("pkt", "Asia/Karachi"),
    ("ict", "Asia/Bangkok"),
    ("wib", "Asia/Jakarta"),
    ("sgt", "Asia/Singapore"),
    ("hkt", "Asia/Hong_Kong"),
    ("pht", "Asia/Manila"),
    ("jst", "Asia/Tokyo"),
    ("kst", "Asia/Seoul"),
    ("awst", "Australia/Perth"),
    ("acst", "Australia/Adelaide"),
    ("acdt", "Australia/Adelaide"),
    ("aest", "Australia/Sydney"),
    ("aedt", "Australia/Sydney"),
    ("nzst", "Pacific/Auckland"),
    ("nzdt", "Pacific/Auckland"),
];

/// The zone an abbreviation stands for (`word` in lower case), if we know it.
pub fn zone_for_abbreviation(word: &str) -> Option<TimeZone> {
    let name = ABBREVIATIONS
        .iter()
        .find(|(abbr, _)| *abbr == word)
        .map(|(_, zone)| *zone)?;
    if name == "UTC" {
        return Some(TimeZone::UTC);
    }
    TimeZone::get(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_abbreviation_resolves() {
        for (abbr, zone) in ABBREVIATIONS {
            assert!(zone_for_abbreviation(abbr).is_some(), "{abbr} → {zone}");
        }
        assert!(zone_for_abbreviation("xyz").is_none());
    }
}
