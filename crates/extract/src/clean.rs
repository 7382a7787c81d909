//! Small text utilities shared by the HTML and text pipelines.

/// Collapses every run of whitespace (including no-break and zero-width spaces) to one space
/// and trims both ends.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.chars() {
        if is_space(ch) {
            pending_space = !out.is_empty();
        } else if is_invisible(ch) {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// Whitespace as readers see it: Unicode white space plus the no-break spaces.
pub fn is_space(ch: char) -> bool {
    ch.is_whitespace() || ch == '\u{a0}' || ch == '\u{202f}' || ch == '\u{2007}'
}

/// Characters that render as nothing (zero-width space/joiners, soft hyphen, BOM).
pub fn is_invisible(ch: char) -> bool {
    matches!(
        ch,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    )
}

/// Number of words (runs of alphanumeric characters).
pub fn word_count(s: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for ch in s.chars() {
        let w = ch.is_alphanumeric();
        if w && !in_word {
            n += 1;
        }
        in_word = w;
    }
    n
}

/// Size of a text in words, fair to scripts written without spaces: a run of Latin/Cyrillic/…
/// letters is one word; Chinese, Japanese and Korean characters count two to a word (the usual
/// characters-per-word ratio for news text).
pub fn reading_words(s: &str) -> usize {
    let mut words = 0;
    let mut cjk = 0;
    let mut in_word = false;
    for ch in s.chars() {
        if is_cjk(ch) {
            cjk += 1;
            in_word = false;
            continue;
        }
        let w = ch.is_alphanumeric();
        if w && !in_word {
            words += 1;
        }
        in_word = w;
    }
    words + cjk / 2
}

/// Han ideographs, kana and Hangul syllables.
pub fn is_cjk(ch: char) -> bool {
    matches!(ch as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// True when `hay` contains `needle` ignoring ASCII case (`needle` given in lower case), without
/// allocating a lower-cased copy of `hay`.
pub fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    if h.len() < n.len() {
        return false;
    }
    // Scan for the first byte (either case), then compare the rest: this runs for every
    // class/id on every page, so it avoids a full comparison at each position.
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last = h.len() - n.len();
    let mut i = 0;
    while i <= last {
        match h[i..=last].iter().position(|&b| b == lo || b == up) {
            None => return false,
            Some(p) => {
                i += p;
                if h[i + 1..i + n.len()].eq_ignore_ascii_case(rest) {
                    return true;
                }
                i += 1;
            }
        }
    }
    false
}

/// True when the text ends like a sentence (., !, ?, a closing quote after one, …).
pub fn ends_like_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '”', '’', ')', '»']);
    t.ends_with(['.', '!', '?', '…', ':', '。', '！', '？'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_all_kinds_of_space() {
        assert_eq!(collapse_ws("  a\u{a0}\u{a0}b\n\tc\u{200b}d  "), "a b cd");
        assert_eq!(collapse_ws(""), "");
    }

    #[test]
    fn counts_words() {
        assert_eq!(word_count("U.S.-led alliance, 19-21"), 6);
        assert_eq!(reading_words("日経平均が続伸"), 3);
        assert!(contains_ignore_ascii_case("Article-UPDATED-time", "updat"));
        assert!(!contains_ignore_ascii_case("upda", "updat"));
        assert!(contains_ignore_ascii_case("uuUpdat", "updat"));
        assert!(contains_ignore_ascii_case("x", ""));
        assert!(!contains_ignore_ascii_case("ab", "b c"));
        assert_eq!(reading_words("Nikkei 225 日経平均"), 4);
    }

    #[test]
    fn sentence_endings() {
        assert!(ends_like_sentence("He said \"yes.\""));
        assert!(!ends_like_sentence("Latest comments"));
    }

    proptest::proptest! {
        #[test]
        fn contains_ignore_case_agrees_with_lowercase_contains(
            hay in "[a-cA-C -]{0,24}",
            needle in "[a-c -]{0,4}",
        ) {
            proptest::prop_assert_eq!(
                contains_ignore_ascii_case(&hay, &needle),
                hay.to_ascii_lowercase().contains(&needle)
            );
        }
    }
}
