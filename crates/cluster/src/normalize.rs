//! Text normalisation: the same story must give the same tokens whatever the site did to it.
//!
//! - Case is folded, Latin diacritics are removed (`é` → `e`, `ß` → `ss`, `Œ` → `oe`) and
//!   combining marks are dropped, so decomposed and precomposed input agree.
//! - Anything that is not a letter or digit separates tokens, except apostrophes (`company's`
//!   and `company’s` both become `companys`) and a `,` or `.` between two digits
//!   (`3,614,000` is one token, as is `37.5`), so number formatting does not split figures.
//! - Titles lose wire prefixes such as `UPDATE 2-`, `(CORRECTED)-` and `RPT-`, which say
//!   something about the copy, not about the story.

/// Calls `f` with each normalised token of `text`, in order.
pub(crate) fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let mut token = String::with_capacity(32);
    let mut chars = text.chars().peekable();
    let mut prev_digit = false;
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            prev_digit = c.is_ascii_digit();
            push_folded(&mut token, c);
            continue;
        }
        if is_combining_mark(c) || c == '\'' || c == '\u{2019}' {
            // Part of the word: skip without ending the token.
            continue;
        }
        if (c == ',' || c == '.')
            && prev_digit
            && chars.peek().is_some_and(|next| next.is_ascii_digit())
        {
            continue;
        }
        prev_digit = false;
        if !token.is_empty() {
            f(&token);
            token.clear();
        }
    }
    if !token.is_empty() {
        f(&token);
    }
}

/// Appends the lowercase, diacritic-free form of one alphanumeric character.
fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if let Some(base) = fold_latin(c) {
        out.push_str(base);
        return;
    }
    out.extend(c.to_lowercase());
}

/// Combining diacritical marks (U+0300–U+036F): dropped, so NFD text folds like NFC text.
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// Base letters for Latin-1 Supplement and Latin Extended-A, the accented letters of Western,
/// Central and Northern European languages that news sources actually print.
fn fold_latin(c: char) -> Option<&'static str> {
    let s = match u32::from(c) {
        0xc0..=0xc5 | 0xe0..=0xe5 | 0x100..=0x105 => "a",
        0xc6 | 0xe6 => "ae",
        0xc7 | 0xe7 | 0x106..=0x10d => "c",
        0xc8..=0xcb | 0xe8..=0xeb | 0x112..=0x11b => "e",
        0xcc..=0xcf | 0xec..=0xef | 0x128..=0x131 => "i",
        0xd0 | 0xf0 | 0x10e..=0x111 => "d",
        0xd1 | 0xf1 | 0x143..=0x14b => "n",
        0xd2..=0xd6 | 0xd8 | 0xf2..=0xf6 | 0xf8 | 0x14c..=0x151 => "o",
        0xd9..=0xdc | 0xf9..=0xfc | 0x168..=0x173 => "u",
        0xdd | 0xfd | 0xff | 0x176..=0x178 => "y",
        0xde | 0xfe => "th",
        0xdf => "ss",
        0x11c..=0x123 => "g",
        0x124..=0x127 => "h",
        0x132 | 0x133 => "ij",
        0x134 | 0x135 => "j",
        0x136..=0x138 => "k",
        0x139..=0x142 => "l",
        0x152 | 0x153 => "oe",
        0x154..=0x159 => "r",
        0x15a..=0x161 | 0x17f => "s",
        0x162..=0x167 => "t",
        0x174 | 0x175 => "w",
        0x179..=0x17e => "z",
        _ => return None,
    };
    Some(s)
}

/// Words that say what kind of copy this is rather than what happened.
const WIRE_PREFIXES: &[&str] = &[
    "update",
    "corrected",
    "correction",
    "refile",
    "rpt",
    "repeat",
    "wrapup",
    "urgent",
    "breaking",
    "exclusive",
    "flash",
];

/// The title without leading wire prefixes: `UPDATE 2-`, `(CORRECTED)-`, `RPT-`, `Breaking:`.
///
/// A prefix is only removed when it is followed by `-`, `:` or `)`, so a headline that merely
/// starts with one of the words ("Update on talks") keeps it.
pub(crate) fn strip_wire_prefixes(title: &str) -> &str {
    let mut rest = title.trim_start();
    loop {
        let Some(after) = strip_one_prefix(rest) else {
            return rest;
        };
        rest = after.trim_start();
    }
}

fn strip_one_prefix(s: &str) -> Option<&str> {
    let (parenthesised, s) = match s.strip_prefix('(') {
        Some(inner) => (true, inner),
        None => (false, s),
    };
    let word_end = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    let (word, rest) = s.split_at(word_end);
    if !WIRE_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(word)) {
        return None;
    }
    // An optional count: "UPDATE 2-".
    let rest = rest
        .trim_start_matches(' ')
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(' ');
    if parenthesised {
        // "(CORRECTED)-TITLE" or "(RPT) TITLE".
        let rest = rest.strip_prefix(')')?.trim_start_matches(' ');
        return Some(rest.strip_prefix('-').unwrap_or(rest));
    }
    rest.strip_prefix('-')
        .or_else(|| rest.strip_prefix(':'))
        .or_else(|| rest.strip_prefix('\u{2013}'))
}

/// The headline without a trailing site name or attribution: `… | Site Name`, `… - Site Name`
/// (also with an en or em dash), when the segment has at most four words and at least four
/// words remain. Page titles carry the site's name; wire headlines end in attributions
/// ("- DEALERS") that rewrites drop. Both copies lose the segment, so it cannot hurt a match.
pub(crate) fn strip_site_suffix(title: &str) -> &str {
    let Some((at, sep_len)) = [" | ", " - ", " \u{2013} ", " \u{2014} "]
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|at| (at, sep.len())))
        .max_by_key(|&(at, _)| at)
    else {
        return title;
    };
    let (head, tail) = (&title[..at], &title[at + sep_len..]);
    if tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 4 {
        head.trim_end()
    } else {
        title
    }
}

/// Short function words that carry no identity in a headline.
pub(crate) fn is_title_stopword(token: &str) -> bool {
    matches!(
        token,
        "a" | "an"
            | "the"
            | "of"
            | "to"
            | "in"
            | "on"
            | "for"
            | "and"
            | "at"
            | "by"
            | "with"
            | "as"
            | "is"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        for_each_token(s, |t| v.push(t.to_string()));
        v
    }

    #[test]
    fn folds_case_punctuation_and_diacritics() {
        assert_eq!(
            tokens("Société Générale's CEO: “Profits rose”!"),
            ["societe", "generales", "ceo", "profits", "rose"]
        );
        assert_eq!(tokens("Straße ŒUVRE Łódź"), ["strasse", "oeuvre", "lodz"]);
        // Decomposed input (e + combining acute) folds like the precomposed form.
        assert_eq!(tokens("Socie\u{301}te\u{301}"), ["societe"]);
    }

    #[test]
    fn keeps_numbers_whole() {
        assert_eq!(
            tokens("Net 3,614,000 vs 7,000; revs 37.5 mln. End."),
            ["net", "3614000", "vs", "7000", "revs", "375", "mln", "end"]
        );
    }

    #[test]
    fn apostrophes_do_not_split_words() {
        assert_eq!(tokens("company's"), tokens("company\u{2019}s"));
    }

    #[test]
    fn strips_a_site_suffix_after_a_bar() {
        assert_eq!(
            strip_site_suffix("Oil rises on supply fears | The Daily"),
            "Oil rises on supply fears"
        );
        assert_eq!(strip_site_suffix("Oil | The Daily"), "Oil | The Daily");
        assert_eq!(
            strip_site_suffix("OPEC WANTS 18 DLR OIL PRICE - OAPEC OFFICIAL"),
            "OPEC WANTS 18 DLR OIL PRICE"
        );
        assert_eq!(
            strip_site_suffix("Rates: what the long - and short - end say about the economy"),
            "Rates: what the long - and short - end say about the economy"
        );
    }

    #[test]
    fn strips_wire_prefixes_only_before_a_separator() {
        assert_eq!(strip_wire_prefixes("UPDATE 2-Oil rises"), "Oil rises");
        assert_eq!(
            strip_wire_prefixes("(CORRECTED)-IVORY COAST TALKS"),
            "IVORY COAST TALKS"
        );
        assert_eq!(strip_wire_prefixes("RPT-UPDATE 1-Oil rises"), "Oil rises");
        assert_eq!(strip_wire_prefixes("Breaking: Oil rises"), "Oil rises");
        assert_eq!(strip_wire_prefixes("(RPT) U.S. SAYS"), "U.S. SAYS");
        assert_eq!(strip_wire_prefixes("Update on talks"), "Update on talks");
        assert_eq!(
            strip_wire_prefixes("Updated forecasts"),
            "Updated forecasts"
        );
    }
}
