//! The line model: pasted text split into lines, each with the cheap features the other stages
//! read (size, sentence shape, blank lines around it).

use crate::clean;

/// One non-empty line of the pasted text.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// The line, whitespace collapsed.
    pub text: String,
    /// A blank line precedes it (paragraph and heading boundaries in browser copies).
    pub blank_before: bool,
    /// A blank line follows it.
    pub blank_after: bool,
    /// Size in "words": space-separated words plus half the CJK characters, so Japanese or
    /// Chinese lines (which have no spaces) weigh like their English counterparts.
    pub units: usize,
    /// Ends like a sentence (".", "!", "?", "。", a closing quote after one …).
    pub sentence: bool,
}

/// Lines longer than this (in bytes) are cut for pattern tests; they are kept whole in the output.
pub(crate) const PATTERN_WINDOW: usize = 400;

impl Line {
    fn new(text: String, blank_before: bool) -> Self {
        let units = units(&text);
        let sentence = clean::ends_like_sentence(&text);
        Line {
            text,
            blank_before,
            blank_after: false,
            units,
            sentence,
        }
    }

    /// The first [`PATTERN_WINDOW`] bytes (on a char boundary), for pattern tests.
    pub fn head(&self) -> &str {
        prefix(&self.text, PATTERN_WINDOW)
    }
}

/// Longest prefix of `s` of at most `max` bytes ending on a char boundary.
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Splits text into non-empty lines (`\n`, `\r\n` or `\r`), whitespace collapsed.
pub(crate) fn split_lines(text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut blank = false;
    // `lines` handles "\n" and "\r\n"; a lone "\r" (old Mac files) also ends a line.
    for raw in text.lines().flat_map(|l| l.split('\r')) {
        let t = clean::collapse_ws(raw);
        if t.is_empty() {
            if lines.last().is_some() {
                blank = true;
            }
            continue;
        }
        if blank && let Some(prev) = lines.last_mut() {
            prev.blank_after = true;
        }
        lines.push(Line::new(t, blank));
        blank = false;
    }
    lines
}

/// Size of a text in word units (see [`Line::units`]).
pub(crate) fn units(s: &str) -> usize {
    let cjk = s.chars().filter(|c| is_cjk(*c)).count();
    clean::word_count(s) + cjk / 2
}

/// Han, kana and Hangul characters: scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF
        | 0xFF66..=0xFF9F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_recorded_on_both_sides() {
        let lines = split_lines("Title\r\n\r\nFirst para.\nSecond line\n\n\nEnd.");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Title", "First para.", "Second line", "End."]);
        assert!(lines[0].blank_after && lines[1].blank_before);
        assert!(!lines[1].blank_after && !lines[2].blank_before);
        assert!(lines[2].blank_after && lines[3].blank_before);
    }

    #[test]
    fn cjk_text_has_weight() {
        assert!(units("日本政府は東京に事務所を開設する方向で調整している。") >= 10);
        assert_eq!(units("three small words"), 3);
    }

    #[test]
    fn prefix_respects_char_boundaries() {
        assert_eq!(prefix("日本", 4), "日");
        assert_eq!(prefix("abc", 10), "abc");
    }
}
