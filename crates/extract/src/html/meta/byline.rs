//! Bylines: "By Jane Doe and John Roe, Reuters" → names, with job titles, dates and agency
//! credits taken out.

use crate::wire;

/// Words that open a byline and are not part of a name.
const PREFIXES: &[&str] = &[
    "written by",
    "words by",
    "reporting by",
    "story by",
    "posted by",
    "published by",
    "by",
    "von",
    "par",
    "por",
    "di",
    "door",
    "text",
    "texto",
    "testo",
    "author",
    "authors",
    "autor",
    "auteur",
];

/// Words that mark a job title or a team rather than a person.
const NOT_A_NAME: &[&str] = &[
    "staff",
    "editor",
    "editors",
    "reporter",
    "reporters",
    "correspondent",
    "writer",
    "writers",
    "contributor",
    "contributors",
    "columnist",
    "analyst",
    "producer",
    "bureau",
    "chief",
    "senior",
    "managing",
    "desk",
    "team",
    "newsroom",
    "editorial",
    "updated",
    "published",
    "posted",
    "min",
    "read",
    "share",
    "follow",
    "email",
    "twitter",
    "facebook",
    "comments",
    "photo",
    "photos",
    "video",
    "opinion",
    "contributing",
    "associate",
    "deputy",
    "news",
    "more",
    "about",
    "view",
    "profile",
    "articles",
    "stories",
    "getty",
    "images",
    "business",
    "media",
    "online",
    "magazine",
    "journal",
    "daily",
    "press",
    "agency",
    "inc",
    "ltd",
    "group",
    "network",
    "international",
    "tv",
    "radio",
    "company",
    "wire",
    "newsletter",
];

/// Words that split one byline into several names.
const JOINERS: &[&str] = &[
    " and ", " & ", " und ", " et ", " y ", " e ", " en ", ";", ",", "/",
];

/// The agency a name stands for: "Reuters", "Reuters Staff", "The Associated Press",
/// "Thomson Reuters", "Bloomberg News", "AFP".
pub fn agency_of(name: &str) -> Option<&'static str> {
    let mut n = crate::clean::collapse_ws(name).to_lowercase();
    n = n.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    for prefix in ["by ", "the ", "thomson "] {
        if let Some(r) = n.strip_prefix(prefix) {
            n = r.to_string();
        }
    }
    for suffix in [
        " staff",
        " newswires",
        " newswire",
        " news",
        " wire",
        " reporters",
    ] {
        if let Some(r) = n.strip_suffix(suffix) {
            n = r.to_string();
        }
    }
    if n == "associated press" || n == "ap" {
        return Some("AP");
    }
    if n == "agence france-presse" || n == "agence france presse" {
        return Some("AFP");
    }
    wire::canonical_agency(&n).filter(|_| n.len() > 1)
}

/// True when the text opens with a byline prefix ("By", "Von", …).
pub fn has_prefix(text: &str) -> bool {
    let t = text.trim();
    strip_prefix(t).len() < t.len() || PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(t))
}

fn strip_prefix(text: &str) -> &str {
    let t = text.trim_start();
    for p in PREFIXES {
        if let Some(head) = t.get(..p.len())
            && head.eq_ignore_ascii_case(p)
        {
            let rest = &t[p.len()..];
            if rest.starts_with([' ', ':', '\u{a0}']) {
                return rest.trim_start_matches([' ', ':', '\u{a0}']);
            }
        }
    }
    t
}

/// Splits a printed byline into names. Agency credits ("Reuters", "AP Staff") are left out;
/// [`agency_of`] finds them.
pub fn split_names(raw: &str) -> Vec<String> {
    let text = crate::clean::collapse_ws(raw);
    if text.len() > 300 {
        return Vec::new();
    }
    // One segment of "By Jane Doe | May 9, 2023 | 3 min read": the one that says "By", else
    // the first.
    let segments: Vec<&str> = text
        .split(['|', '•', '·', '—', '–', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let Some(segment) = segments
        .iter()
        .find(|s| has_prefix(s))
        .or_else(|| segments.first())
    else {
        return Vec::new();
    };
    let mut body = strip_prefix(segment).to_string();
    // Cut at the first word that starts a date, a time or a place ("in London").
    let words: Vec<&str> = body.split(' ').collect();
    let mut cut = body.len();
    let mut offset = 0;
    for (i, word) in words.iter().enumerate() {
        let w = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let next_has_digit = words
            .get(i + 1)
            .is_some_and(|n| n.chars().any(|c| c.is_ascii_digit()));
        let dateish = word.chars().any(|c| c.is_ascii_digit())
            || (crate::dates::words::month(&w).is_some() && next_has_digit)
            || (i > 0 && w.len() > 3 && crate::dates::words::is_weekday(&w))
            || matches!(w.as_str(), "updated" | "published" | "posted" | "on" | "at");
        if dateish || (w == "in" && i > 0) {
            cut = offset;
            break;
        }
        offset += word.len() + 1;
    }
    body.truncate(cut.min(body.len()));
    let mut parts = vec![body];
    for joiner in JOINERS {
        parts = parts.iter().flat_map(|p| split_ci(p, joiner)).collect();
    }
    // "Finian Cunningham. Sputnik International": a full stop after a whole word (not an
    // initial as in "Sarah E. Needleman") ends the name.
    let parts: Vec<String> = parts
        .iter()
        .flat_map(|p| {
            let cut = p.match_indices(". ").find(|(i, _)| {
                let before = &p[..*i];
                before.split_whitespace().count() >= 2
                    && before
                        .rsplit(' ')
                        .next()
                        .is_some_and(|w| w.chars().count() > 2)
            });
            match cut {
                Some((i, _)) => vec![p[..i].to_string(), p[i + 2..].to_string()],
                None => vec![p.clone()],
            }
        })
        .collect();
    let mut names = Vec::new();
    for part in parts {
        let part = strip_agency_suffix(&part);
        let name = strip_prefix(&part)
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')')
            .trim_end_matches('.')
            .to_string();
        if is_name(&name) && agency_of(&name).is_none() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// "Jill Lawless Associated Press" → "Jill Lawless": an agency credit run into the name.
fn strip_agency_suffix(part: &str) -> String {
    let words: Vec<&str> = part.split_whitespace().collect();
    for take in [2, 1] {
        if words.len() > take + 1 {
            let tail = words[words.len() - take..].join(" ");
            if agency_of(&tail).is_some() {
                return words[..words.len() - take].join(" ");
            }
        }
    }
    part.to_string()
}

fn split_ci(s: &str, sep: &str) -> Vec<String> {
    let lower = s.to_lowercase();
    if lower.len() != s.len() {
        return s.split(sep).map(str::to_string).collect();
    }
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(i) = lower[start..].find(sep) {
        out.push(s[start..start + i].to_string());
        start += i + sep.len();
    }
    out.push(s[start..].to_string());
    out
}

/// Whether a cleaned string looks like a person's name.
pub fn is_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    if name.is_empty() || name.len() > 60 || words.is_empty() || words.len() > 5 {
        return false;
    }
    if name.contains(['@', '/', ':', '=', '?', '<', '>', '{'])
        || name.chars().any(|c| c.is_ascii_digit())
        || name.to_ascii_lowercase().starts_with("www")
    {
        return false;
    }
    if !name.chars().next().is_some_and(char::is_alphabetic)
        || PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(name))
    {
        return false;
    }
    let has_upper_or_non_latin = name
        .chars()
        .any(|c| c.is_uppercase() || (c.is_alphabetic() && !c.is_ascii() && !c.is_lowercase()));
    if !has_upper_or_non_latin {
        return false;
    }
    !words.iter().any(|w| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        NOT_A_NAME.contains(&w.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_cleans() {
        assert_eq!(
            split_names("By Jane Doe and John Roe"),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            split_names("By JANE DOE, Senior Editor | May 9, 2023"),
            ["JANE DOE"]
        );
        assert_eq!(
            split_names("Jane Doe, John Roe & Ann Lee"),
            ["Jane Doe", "John Roe", "Ann Lee"]
        );
        assert_eq!(split_names("By Jane Doe in London"), ["Jane Doe"]);
        assert_eq!(split_names("Reuters Staff"), Vec::<String>::new());
        assert_eq!(split_names("By Jane Doe, Reuters"), ["Jane Doe"]);
        assert_eq!(split_names("Von Anna Müller"), ["Anna Müller"]);
        assert_eq!(
            split_names("https://www.facebook.com/jane"),
            Vec::<String>::new()
        );
        assert_eq!(split_names("By Jane Doe Updated 3 hours ago"), ["Jane Doe"]);
        assert_eq!(
            split_names("By JANE DOE and JILL ROE Associated Press"),
            ["JANE DOE", "JILL ROE"]
        );
        assert_eq!(split_names("Ann Lee. Planet International"), ["Ann Lee"]);
        assert_eq!(split_names("Sarah E. Needleman"), ["Sarah E. Needleman"]);
        assert_eq!(
            split_names("By Jeff Foust Monday, November 18, 2019"),
            ["Jeff Foust"]
        );
        assert_eq!(split_names("By"), Vec::<String>::new());
        assert_eq!(split_names("Jill Doe, CNN Business"), ["Jill Doe"]);
    }

    #[test]
    fn agencies() {
        assert_eq!(agency_of("Reuters Staff"), Some("Reuters"));
        assert_eq!(agency_of("The Associated Press"), Some("AP"));
        assert_eq!(agency_of("Thomson Reuters"), Some("Reuters"));
        assert_eq!(agency_of("Bloomberg News"), Some("Bloomberg"));
        assert_eq!(agency_of("Jane Doe"), None);
    }
}
