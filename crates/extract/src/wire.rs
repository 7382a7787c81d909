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
        r"^(?P<place>[A-Z][A-Z .'’\-]{1,40}(?:, [A-Z][A-Za-z. ]{1,20}?)?)(?:,\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2})?\s*(?:\((?P<agency>[A-Za-z .]{2,30})\))?\s*[-–—]+\s+(?P<rest>\S.*)$",
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

/// A photo caption split into its text and its credit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptionParts {
    /// The caption without copyright prefix or credit (may be empty for a bare credit line).
    pub caption: String,
    /// The photographer/agency credit ("REUTERS/Kevin Lamarque", "AP Photo/Evan Vucci").
    pub credit: Option<String>,
    /// The agency named by a leading copyright ("© Reuters.") or by the credit, canonicalised.
    pub agency: Option<String>,
    /// True when the line began with a copyright sign ("© Reuters. …"), i.e. the agency is
    /// the holder of the whole item rather than only of the photo.
    pub copyright: bool,
}

static CREDIT_PAREN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)\s*[\(\[]\s*(?P<credit>(?:[A-Z][\w.&-]*\s+){0,3}(?:photo(?:graph)?s?|image|picture|pic|credit|file)\b\s*(?:/|:|by|-|–)\s*[^()\[\]]{2,80}|[^()\[\]]{0,60}getty images[^()\[\]]{0,30})\s*[\)\]]\s*$",
    )
    .expect("credit regex compiles")
});

static CREDIT_SLASH: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?:^|[\s.])(?P<credit>(?:REUTERS|AFP|AP|EPA|XINHUA|BLOOMBERG|Reuters|Bloomberg)(?:\s+via\s+[\w ]+)?/[\p{Lu}][^/\n]{1,50}(?:/[^/\n]{1,30}){0,2})\s*$",
    )
    .expect("slash credit regex compiles")
});

static CREDIT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)(?:^|[\s.])(?P<credit>(?:photo(?:graph)?s?|image|picture|credit)\s*(?::|by)\s*[^:.]{2,80}|[^.]{0,60}getty images[^.]{0,20})\.?\s*$",
    )
    .expect("label credit regex compiles")
});

/// Reads a photo caption: a leading copyright ("© Reuters."), the caption, and a trailing
/// credit in one of the common shapes — "REUTERS/Kevin Lamarque[/File Photo]", "(AP Photo/Evan
/// Vucci)", "(Photo by Jane Doe/Getty Images)", "Photo: Jane Doe", "AFP via Getty Images".
///
/// Returns `None` unless the line carries a copyright prefix or a credit, so ordinary sentences
/// are left alone. Copyright footers ("© 2024 Example Ltd. All rights reserved.") are not captions.
pub fn split_caption(line: &str) -> Option<CaptionParts> {
    let line = line.trim();
    if line.is_empty() || line.len() > 2000 {
        return None;
    }
    let lower = line.to_lowercase();
    if lower.contains("all rights reserved") || lower.contains("rights reserved") {
        return None;
    }
    let mut rest = line;
    let mut agency = None;
    let mut has_copyright = false;
    if let Some(after) = rest.strip_prefix('©') {
        let after = after.trim_start();
        // "© Reuters. FILE PHOTO: …": the holder runs to the first full stop, in a few words.
        let (holder, tail) = match after.split_once(". ") {
            Some((h, t)) => (h, t),
            None => (after.trim_end_matches('.'), ""),
        };
        let early_year = holder
            .split_whitespace()
            .next()
            .is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()));
        if early_year {
            // "© 2024 Example Ltd": a copyright footer, not a caption.
            return None;
        }
        has_copyright = true;
        if holder.split_whitespace().count() <= 4 {
            agency = canonical_agency(holder).map(str::to_string);
            if agency.is_none() && !holder.is_empty() {
                agency = Some(holder.trim().to_string());
            }
            rest = tail.trim();
        } else {
            // "© Jane Doe Crowds gather …": the credit runs into the caption; keep it whole.
            rest = after.trim();
        }
    }
    let mut credit = None;
    for re in [&*CREDIT_PAREN, &*CREDIT_SLASH, &*CREDIT_LABEL] {
        if let Some(caps) = re.captures(rest)
            && let Some(c) = caps.name("credit")
        {
            credit = Some(clean_credit(c.as_str()));
            rest = rest[..c.start()]
                .trim_end_matches(|ch: char| ch.is_whitespace() || ch == '(' || ch == '[');
            break;
        }
    }
    if credit.is_none() && !has_copyright {
        return None;
    }
    if agency.is_none() {
        agency = credit.as_deref().and_then(credit_agency);
    }
    Some(CaptionParts {
        caption: rest.trim().to_string(),
        credit,
        agency,
        copyright: has_copyright,
    })
}

/// "REUTERS/Kevin Lamarque/File Photo" → "REUTERS/Kevin Lamarque"; "Photo: X" → "X".
fn clean_credit(raw: &str) -> String {
    let mut c = raw.trim().trim_end_matches('.').trim().to_string();
    for suffix in [
        "/File Photo",
        "/File",
        "/Pool",
        "/file photo",
        "/FILE PHOTO",
    ] {
        if let Some(stripped) = c.strip_suffix(suffix) {
            c = stripped.trim_end().to_string();
        }
    }
    let lower = c.to_lowercase();
    for label in [
        "photograph:",
        "photos:",
        "photo:",
        "image:",
        "picture:",
        "credit:",
    ] {
        if lower.starts_with(label) {
            c = c[label.len()..].trim().to_string();
            break;
        }
    }
    c
}

/// The agency a credit names ("REUTERS/…" → Reuters, "AP Photo/…" → AP).
fn credit_agency(credit: &str) -> Option<String> {
    let head = credit.split(['/', ' ']).next().unwrap_or_default().trim();
    canonical_agency(head).map(str::to_string)
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
    fn copyright_caption_with_reuters_credit() {
        let c = split_caption(
            "© Reuters. FILE PHOTO: A man walks past a bank in Tokyo, Japan, May 1, 2023. REUTERS/Jane Roe/File Photo",
        )
        .unwrap();
        assert_eq!(
            c.caption,
            "FILE PHOTO: A man walks past a bank in Tokyo, Japan, May 1, 2023."
        );
        assert_eq!(c.credit.as_deref(), Some("REUTERS/Jane Roe"));
        assert_eq!(c.agency.as_deref(), Some("Reuters"));
    }

    #[test]
    fn ap_and_getty_credits() {
        let c = split_caption(
            "Crowds gather on the quay, Monday, June 3, 2024. (AP Photo/John Q. Public)",
        )
        .unwrap();
        assert_eq!(
            c.caption,
            "Crowds gather on the quay, Monday, June 3, 2024."
        );
        assert_eq!(c.credit.as_deref(), Some("AP Photo/John Q. Public"));
        assert_eq!(c.agency.as_deref(), Some("AP"));
        let g = split_caption("Traders work on the floor. Spencer Platt/Getty Images").unwrap();
        assert_eq!(g.caption, "Traders work on the floor.");
        assert_eq!(g.credit.as_deref(), Some("Spencer Platt/Getty Images"));
        let p = split_caption("The harbour at dawn. Photo: Jane Doe").unwrap();
        assert_eq!(p.credit.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn sentences_and_footers_are_not_captions() {
        assert!(split_caption("The company said profits rose 5% in the quarter.").is_none());
        assert!(
            split_caption("© 2007-2024 - Fusion Media Limited. All Rights Reserved.").is_none()
        );
    }

    #[test]
    fn dateline_with_date_and_state() {
        let (d, rest) =
            split_dateline("ROTTERDAM, May 14 (Reuters) - A port operator said on Tuesday")
                .unwrap();
        assert_eq!(d.place.as_deref(), Some("ROTTERDAM"));
        assert_eq!(d.agency.as_deref(), Some("Reuters"));
        assert_eq!(rest, "A port operator said on Tuesday");
        let (d, _) = split_dateline("SPRINGFIELD, Ill. (AP) — Thousands of visitors came").unwrap();
        assert_eq!(d.place.as_deref(), Some("SPRINGFIELD, Ill."));
        assert_eq!(d.agency.as_deref(), Some("AP"));
    }

    #[test]
    fn ordinary_sentence_is_not_a_dateline() {
        assert!(split_dateline("The point - he said - is this.").is_none());
    }
}
