//! Wire-service conventions shared by the HTML and text pipelines: the dateline at the head of a
//! story ("WASHINGTON (Reuters) -"), agency names, and photo credits ("REUTERS/Kevin Lamarque").

use newsdesk_article::Dateline;
use regex::Regex;
use std::sync::LazyLock;

/// Wire agencies we recognise, as printed → canonical name.
pub const AGENCIES: &[(&str, &str)] = &[
    ("Reuters", "Reuters"),
    ("REUTERS", "Reuters"),
    ("AP", "AP"),
    ("Associated Press", "AP"),
    ("AFP", "AFP"),
    ("Bloomberg", "Bloomberg"),
    ("Dow Jones", "Dow Jones"),
    ("Kyodo", "Kyodo"),
    ("Xinhua", "Xinhua"),
    ("dpa", "dpa"),
    ("IANS", "IANS"),
    ("PTI", "PTI"),
    ("ANSA", "ANSA"),
    ("EFE", "EFE"),
    ("Yonhap", "Yonhap"),
    ("UPI", "UPI"),
];

/// The canonical name of an agency as printed, if we know it.
pub fn canonical_agency(printed: &str) -> Option<&'static str> {
    let p = printed.trim();
    AGENCIES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(p))
        .map(|(_, v)| *v)
}

static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"^(?P<place>[A-Z][A-Z .'’\-]{1,40}(?:, [A-Z][A-Za-z. ]{1,20})?)\s*(?:\((?P<agency>[A-Za-z .]{2,30})\))?\s*[-–—]+\s+(?P<rest>\S.*)$",
    )
    .expect("dateline regex compiles")
});

/// Splits a leading dateline off the first paragraph of a story.
///
/// Returns the dateline and the rest of the paragraph. Only upper-case places are taken
/// ("WASHINGTON", "NASHVILLE, Tenn."), so ordinary sentences with a dash are left alone.
pub fn split_dateline(paragraph: &str) -> Option<(Dateline, String)> {
    let caps = DATELINE.captures(paragraph.trim())?;
    let place = caps.name("place")?.as_str().trim().to_string();
    let agency = caps.name("agency").map(|m| {
        canonical_agency(m.as_str()).map_or_else(|| m.as_str().trim().to_string(), str::to_string)
    });
    // A place needs at least one upper-case word of two letters or more.
    if !place
        .split_whitespace()
        .any(|w| w.len() >= 2 && w.chars().all(|c| !c.is_lowercase()))
    {
        return None;
    }
    let rest = caps.name("rest")?.as_str().to_string();
    Some((
        Dateline {
            place: Some(place),
            agency,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuters_dateline() {
        let (d, rest) =
            split_dateline("WASHINGTON (Reuters) - Japan is working towards the opening").unwrap();
        assert_eq!(d.place.as_deref(), Some("WASHINGTON"));
        assert_eq!(d.agency.as_deref(), Some("Reuters"));
        assert_eq!(rest, "Japan is working towards the opening");
    }

    #[test]
    fn ordinary_sentence_is_not_a_dateline() {
        assert!(split_dateline("The point - he said - is this.").is_none());
    }
}
