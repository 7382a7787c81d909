//! Words, keys and offsets: the tokenizer shared by the knowledge base (to index aliases) and the
//! linker (to read stories), so both cut text the same way.
//!
//! A token is a maximal run of alphanumeric characters; everything else separates tokens. A key
//! is the tokens lower-cased, common accents folded, joined by single spaces ("S&P 500" →
//! "s p 500", "Coca-Cola" → "coca cola", "Nestlé" → "nestle").

use std::hash::{BuildHasherDefault, Hasher};

/// A word of the text: byte offsets `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub start: u32,
    pub end: u32,
}

impl Tok {
    pub fn as_str<'a>(&self, s: &'a str) -> &'a str {
        s.get(self.start as usize..self.end as usize).unwrap_or("")
    }
}

const WORD_BYTE: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    t
};

/// Splits `s` into tokens (appended to `out`).
pub(crate) fn tokenize(s: &str, out: &mut Vec<Tok>) {
    let bytes = s.as_bytes();
    let n = bytes.len();
    if s.is_ascii() {
        // Fast path without branches on the text (word boundaries are unpredictable): every
        // byte writes a candidate token, and the length only advances where a word ends.
        let base = out.len();
        out.resize(base + n / 2 + 2, Tok { start: 0, end: 0 });
        let mut len = base;
        let mut in_word = false;
        let mut start = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            let w = WORD_BYTE[(b & 0x7f) as usize];
            let begins = w & !in_word;
            start = if begins { i as u32 } else { start };
            out[len] = Tok {
                start,
                end: i as u32,
            };
            len += usize::from(in_word & !w);
            in_word = w;
        }
        if in_word {
            out[len] = Tok {
                start,
                end: n as u32,
            };
            len += 1;
        }
        out.truncate(len);
        return;
    }
    let char_at = |i: usize| s.get(i..).and_then(|r| r.chars().next());
    let is_word_at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 0x80 {
            return (WORD_BYTE[b as usize], 1);
        }
        match char_at(i) {
            Some(c) => (c.is_alphanumeric(), c.len_utf8()),
            None => (false, 1),
        }
    };
    let mut i = 0;
    while i < n {
        // Skip separators.
        loop {
            if i >= n {
                return;
            }
            let b = bytes[i];
            if b < 0x80 {
                if WORD_BYTE[b as usize] {
                    break;
                }
                i += 1;
            } else {
                let (w, len) = is_word_at(i);
                if w {
                    break;
                }
                i += len;
            }
        }
        let start = i;
        // Scripts written without spaces (Chinese, Japanese): every character is a word, so
        // that "日経平均" is found inside "日経平均は続伸".
        if let Some(c) = char_at(i).filter(|&c| is_unspaced_script(c)) {
            i += c.len_utf8();
            out.push(Tok {
                start: start as u32,
                end: i as u32,
            });
            continue;
        }
        while i < n {
            let b = bytes[i];
            if b < 0x80 {
                if !WORD_BYTE[b as usize] {
                    break;
                }
                i += 1;
            } else {
                let (w, len) = is_word_at(i);
                if !w || char_at(i).is_some_and(is_unspaced_script) {
                    break;
                }
                i += len;
            }
        }
        out.push(Tok {
            start: start as u32,
            end: i as u32,
        });
    }
}

/// Han ideographs, kana and their iteration marks: scripts that do not separate words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007 | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F | 0x20000..=0x2FFFF)
}

/// Appends the key form of one token (lower case, accents folded) to `buf`.
pub(crate) fn push_key(buf: &mut String, word: &str) {
    if word.is_ascii() {
        let start = buf.len();
        buf.push_str(word);
        if let Some(tail) = buf.get_mut(start..) {
            tail.make_ascii_lowercase();
        }
        return;
    }
    for c in word.chars() {
        match fold_char(c) {
            Some(f) => buf.push(f),
            None => buf.extend(c.to_lowercase()),
        }
    }
}

fn fold_char(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => return None,
    })
}

/// [`push_key`] into a byte buffer (the linker's hot path: no UTF-8 bookkeeping).
#[inline]
pub(crate) fn push_key_bytes(buf: &mut Vec<u8>, word: &str) {
    if word.is_ascii() {
        buf.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        let mut s = String::with_capacity(word.len());
        push_key(&mut s, word);
        buf.extend_from_slice(s.as_bytes());
    }
}

/// The key of a whole phrase (tokens joined by one space).
pub(crate) fn key_of(phrase: &str) -> String {
    let mut toks = Vec::new();
    tokenize(phrase, &mut toks);
    let mut key = String::with_capacity(phrase.len());
    for (n, t) in toks.iter().enumerate() {
        if n > 0 {
            key.push(' ');
        }
        push_key(&mut key, t.as_str(phrase));
    }
    key
}

/// Whether the gap between two tokens of one phrase may sit inside a name: a few spaces (at
/// most one line break, as wire copy wraps lines) and at most two joining marks (`&`, `-`, `.`,
/// `'`, `/`, `,`, `+`). Brackets, quotes and paragraph breaks end a name.
pub(crate) fn joinable_gap(gap: &str) -> bool {
    if gap.len() > 6 {
        return false;
    }
    let mut marks = 0;
    let mut newlines = 0;
    for c in gap.chars() {
        match c {
            ' ' | '\t' | '\u{a0}' => {}
            '\n' | '\r' => newlines += 1,
            '&' | '-' | '.' | '\'' | '’' | '/' | ',' | '+' | '–' => marks += 1,
            _ => return false,
        }
    }
    marks <= 2 && newlines <= 1
}

/// Letter case of a token, read from its first letter and from all letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// Starts with a digit ("500").
    Digit,
    /// All letters upper case ("AAPL", "NEW").
    Upper,
    /// First letter upper case, others not all upper ("Apple", "McDonald").
    Title,
    /// Starts lower case ("apple", "iPhone").
    Lower,
}

pub(crate) fn case_of(word: &str) -> Case {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return Case::Lower;
    };
    if first.is_numeric() {
        return Case::Digit;
    }
    if !first.is_uppercase() {
        return Case::Lower;
    }
    let mut lower = false;
    for c in chars {
        if c.is_lowercase() {
            lower = true;
            break;
        }
    }
    if lower { Case::Title } else { Case::Upper }
}

/// Maps byte offsets of one string to character offsets (what the output contract counts).
pub(crate) struct CharIndex<'a> {
    s: &'a str,
    ascii: bool,
    /// Characters before each multiple of [`CHECKPOINT`] bytes (non-ASCII text only), so a
    /// lookup counts at most one block.
    checkpoints: Vec<usize>,
}

const CHECKPOINT: usize = 4096;

fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&x| (x & 0xC0) != 0x80).count()
}

impl<'a> CharIndex<'a> {
    pub fn new(s: &'a str) -> Self {
        let ascii = s.is_ascii();
        let mut checkpoints = Vec::new();
        if !ascii {
            let mut n = 0;
            checkpoints.push(0);
            for block in s.as_bytes().chunks(CHECKPOINT) {
                n += count_chars(block);
                checkpoints.push(n);
            }
        }
        CharIndex {
            s,
            ascii,
            checkpoints,
        }
    }

    /// Character offset of byte offset `b` (which must be a char boundary; otherwise the count
    /// of characters starting before it).
    pub fn char_at(&self, b: usize) -> usize {
        let b = b.min(self.s.len());
        if self.ascii {
            return b;
        }
        let block = b / CHECKPOINT;
        let base = self.checkpoints.get(block).copied().unwrap_or(0);
        base + count_chars(&self.s.as_bytes()[block * CHECKPOINT..b])
    }
}

/// FxHash (the rustc hasher): a multiply-rotate hash, much faster than SipHash on the short
/// keys looked up for every word. Keys come from our own knowledge base, so hash flooding is not
/// a concern.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut v = 0u64;
            for (i, &b) in c.iter().enumerate() {
                v |= u64::from(b) << (8 * i);
            }
            self.add(v);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Assembled byte by byte: a variable-length copy would be a call to memcpy.
            let mut v = 0u64;
            for (i, &b) in rest.iter().enumerate() {
                v |= u64::from(b) << (8 * i);
            }
            self.add(v);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits (the bucket index) depending only on the first bytes
        // of a key; fold the high bits down so that words sharing a prefix spread out.
        let h = self.hash;
        (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key_of("S&P 500"), "s p 500");
        assert_eq!(key_of("Coca-Cola"), "coca cola");
        assert_eq!(key_of("Nestlé SA"), "nestle sa");
        assert_eq!(key_of("  McDonald's "), "mcdonald s");
        assert_eq!(key_of("日経平均"), "日 経 平 均");
        assert_eq!(key_of("トヨタ自動車ABC"), "ト ヨ タ 自 動 車 abc");
    }

    #[test]
    fn gaps() {
        assert!(joinable_gap(" "));
        assert!(joinable_gap(" & "));
        assert!(joinable_gap("\n"));
        assert!(!joinable_gap(". (\""));
        assert!(!joinable_gap("\n\n"));
    }

    #[test]
    fn char_offsets() {
        let s = "é a";
        let ci = CharIndex::new(s);
        assert_eq!(ci.char_at(2), 1);
        assert_eq!(ci.char_at(4), 3);
        let long = "é".repeat(5000) + "x";
        let ci = CharIndex::new(&long);
        for b in [0, 2, 4096, 8190, 10_000] {
            assert_eq!(ci.char_at(b), long[..b].chars().count());
        }
    }
}
