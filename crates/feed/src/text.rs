//! Feed text → plain text. Feed titles, summaries, author and category names arrive as "text"
//! that is really HTML about half the time (RSS has no type attribute, Atom's `type` is often
//! wrong, some feeds escape twice). We treat every such field as an HTML fragment: tags are
//! dropped (with the contents of `script`, `style`, `svg`, `math`, `template`, `iframe`,
//! `object`, `noscript` and `head`), character references are decoded, whitespace collapsed.
//!
//! A `<` that cannot start a tag (`a < b`, `<3`) stays text, as in HTML.

/// Elements whose content is never text a reader sees.
const DROPPED_CONTENT: &[&str] = &[
    "script", "style", "svg", "math", "template", "iframe", "object", "noscript", "head",
];

use sha2::{Digest, Sha256};

/// Plain text of an HTML fragment: tags dropped, references decoded, whitespace collapsed and
/// trimmed. Runs a second pass when the first one revealed markup (a twice-escaped title), so a
/// `&lt;script&gt;` in a title disappears like a `<script>`.
pub fn plain_text(html: &str) -> String {
    let once = strip_and_decode(html);
    if looks_like_markup(&once) {
        strip_and_decode(&once)
    } else {
        once
    }
}

/// Collapses runs of whitespace (including no-break spaces and line separators) to one space
/// and trims both ends. Control characters other than whitespace are dropped.
pub fn collapse_whitespace(s: &str) -> String {
    let mut sink = TextSink::new(String::with_capacity(s.len()));
    sink.push_text(s);
    sink.out
}

/// Where a [`TextSink`] writes: a `String`, or straight into a hash ([`TextDigest`]).
trait TextOut {
    fn put(&mut self, run: &str);
}

impl TextOut for String {
    fn put(&mut self, run: &str) {
        self.push_str(run);
    }
}

/// What [`digest_plain_text`] saw of the plain text it hashed without building it.
#[derive(Debug, Clone)]
pub(crate) struct TextDigest {
    /// Characters of plain text.
    pub chars: usize,
    /// The end of the plain text: at least its last [`TAIL_BYTES`] bytes (from a character
    /// boundary), or all of it.
    pub tail: String,
}

/// How much of the end of the text [`TextDigest`] keeps: enough for the teaser check, which
/// reads the last 60 characters (at most 240 bytes).
const TAIL_BYTES: usize = 256;

/// Bytes of text gathered before they go to the hash: [`Sha256::update`] costs the same for a
/// word as for a block, so small runs are batched.
const HASH_BUF: usize = 4096;

/// [`TextOut`] that hashes the text in blocks and keeps its end.
struct HashOut {
    hasher: Sha256,
    buf: Vec<u8>,
    /// The last [`TAIL_BYTES`] bytes hashed before `buf` (fewer when the text is short).
    before: Vec<u8>,
    bytes: usize,
}

impl HashOut {
    fn new(hasher: Sha256) -> Self {
        HashOut {
            hasher,
            buf: Vec::with_capacity(HASH_BUF),
            before: Vec::new(),
            bytes: 0,
        }
    }

    fn flush(&mut self) {
        let buf = &self.buf[..];
        self.hasher.update(buf);
        if buf.len() >= TAIL_BYTES {
            self.before.clear();
            self.before
                .extend_from_slice(&buf[buf.len() - TAIL_BYTES..]);
        } else {
            self.before.extend_from_slice(buf);
            let extra = self.before.len().saturating_sub(TAIL_BYTES);
            self.before.drain(..extra);
        }
        self.buf.clear();
    }

    /// Hashes what is buffered; returns the hasher and the end of the text.
    fn finish(mut self) -> (Sha256, String) {
        let mut end = std::mem::take(&mut self.before);
        end.extend_from_slice(&self.buf);
        self.hasher.update(&self.buf);
        let mut start = end.len().saturating_sub(TAIL_BYTES);
        while start < end.len() && (end[start] & 0xC0) == 0x80 {
            start += 1;
        }
        let tail = match std::str::from_utf8(&end[start..]) {
            Ok(t) => t.to_string(),
            Err(_) => String::from_utf8_lossy(&end[start..]).into_owned(),
        };
        (self.hasher, tail)
    }
}

impl TextOut for HashOut {
    fn put(&mut self, run: &str) {
        let b = run.as_bytes();
        self.bytes += b.len();
        if self.buf.len() + b.len() > HASH_BUF {
            self.flush();
            if b.len() > HASH_BUF {
                self.hasher.update(b);
                self.before.clear();
                self.before.extend_from_slice(&b[b.len() - TAIL_BYTES..]);
                return;
            }
        }
        self.buf.extend_from_slice(b);
    }
}

/// Feeds the plain text of `html` (exactly what [`plain_text`] returns) into `hasher` without
/// building it as a string, and returns what the full-text check needs: its length in
/// characters and its end. One pass over the HTML in the common case; when the first pass
/// reveals a `<` (a twice-escaped fragment, or text like `a < b`), [`plain_text`] itself is
/// run so the result is the same whichever way it went.
pub(crate) fn digest_plain_text(html: &str, hasher: &mut Sha256) -> TextDigest {
    let mut sink = TextSink::new(HashOut::new(hasher.clone()));
    strip_and_decode_into(html, &mut sink);
    if !sink.revealed_lt {
        let chars = sink.out.bytes - sink.continuation_bytes;
        let (done, tail) = sink.out.finish();
        *hasher = done;
        return TextDigest { chars, tail };
    }
    let text = plain_text(html);
    hasher.update(text.as_bytes());
    let mut start = text.len().saturating_sub(TAIL_BYTES);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    TextDigest {
        chars: text.chars().count(),
        tail: text[start..].to_string(),
    }
}

/// Output buffer that collapses whitespace as text is appended: runs of ordinary characters
/// are copied in bulk, so the common case costs one scan and one copy.
struct TextSink<O> {
    out: O,
    /// Something was written (a boundary then needs a space before what follows).
    wrote: bool,
    pending_space: bool,
    /// A `<` reached the output (a `<` that starts no tag, or a decoded `&lt;`): only then can
    /// the output look like markup and need [`plain_text`]'s second pass.
    revealed_lt: bool,
    /// UTF-8 continuation bytes written, so characters = bytes - continuation bytes.
    continuation_bytes: usize,
}

/// The length of the non-ASCII character that starts at `i`, and whether it is text (not
/// whitespace, a control or the byte-order mark). Lead bytes of ranges that hold none of those
/// (Latin letters, most scripts, CJK) are answered without decoding.
#[inline]
fn non_ascii_at(s: &str, i: usize) -> (usize, bool) {
    let lead = s.as_bytes()[i];
    match lead {
        0xC3..=0xDF => (2, true),
        0xE4..=0xEE => (3, true),
        0xF0..=0xF4 => (4, true),
        _ => {
            let ch = s[i..].chars().next().unwrap_or('\u{FFFD}');
            let text = !(ch.is_whitespace() || ch.is_control() || ch == '\u{FEFF}');
            (ch.len_utf8(), text)
        }
    }
}

/// Bytes that are copied as they are: printable ASCII other than the space.
#[inline]
fn ordinary(c: u8) -> bool {
    (0x21..0x7F).contains(&c)
}

/// Ordinary bytes that may run on in the single pass over HTML: not `<` or `&`, which start
/// markup and references.
#[inline]
fn ordinary_text(c: u8) -> bool {
    ordinary(c) && c != b'<' && c != b'&'
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Per-byte flags (the top bit of each byte) of the zero bytes of `y`, whose bytes are all
/// below 0x80. Exact: no carry crosses a byte.
#[inline]
fn zero_bytes(y: u64) -> u64 {
    !(((y & !HI).wrapping_add(!HI)) | y) & HI
}

/// Eight bytes (little-endian) at `i` of `b` that all stay in the current run: printable ASCII
/// (no `<` or `&` either when `markup`), every space inside the word between two non-spaces
/// — or first, after a byte of the run (`i > run_start`), or last, before an ordinary byte.
/// Prose then advances a word at a time instead of a byte at a time.
#[inline]
fn run_word(b: &[u8], i: usize, run_start: usize, markup: bool) -> bool {
    let Some(word) = b.get(i..i + 8) else {
        return false;
    };
    let mut w = [0u8; 8];
    w.copy_from_slice(word);
    let x = u64::from_le_bytes(w);
    // Any byte >= 0x80, == 0x7F (adding 1 carries into the top bit) or < 0x20?
    if (x | x.wrapping_add(LO) | (x.wrapping_sub(LO * 0x20) & !x)) & HI != 0 {
        return false;
    }
    if markup
        && (zero_bytes(x ^ (LO * u64::from(b'<'))) | zero_bytes(x ^ (LO * u64::from(b'&')))) != 0
    {
        return false;
    }
    let spaces = zero_bytes(x ^ (LO * 0x20));
    if spaces == 0 {
        return true;
    }
    let next_ok = |n: &u8| {
        if markup {
            ordinary_text(*n)
        } else {
            ordinary(*n)
        }
    };
    spaces & (spaces >> 8) == 0
        && (spaces & 0x80 == 0 || i > run_start)
        && (spaces & (0x80 << 56) == 0 || b.get(i + 8).is_some_and(next_ok))
}

impl<O: TextOut> TextSink<O> {
    fn new(out: O) -> Self {
        TextSink {
            out,
            wrote: false,
            pending_space: false,
            revealed_lt: false,
            continuation_bytes: 0,
        }
    }

    /// A word boundary (a tag): a space if anything follows.
    fn boundary(&mut self) {
        self.pending_space = self.wrote;
    }

    fn push_run(&mut self, run: &str) {
        if run.is_empty() {
            return;
        }
        if self.pending_space {
            self.out.put(" ");
            self.pending_space = false;
        }
        self.out.put(run);
        self.wrote = true;
    }

    fn push_text(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut run_start = 0;
        let mut i = 0;
        while i < b.len() {
            // Eight bytes at a time through prose: letters, digits, punctuation and single
            // spaces between them all stay in the run.
            if run_word(b, i, run_start, false) {
                i += 8;
                continue;
            }
            let c = b[i];
            if ordinary(c) {
                i += 1;
                continue;
            }
            // A single space between two ordinary characters stays inside the run, so plain
            // prose is copied in one piece.
            if c == b' ' && i > run_start && b.get(i + 1).is_some_and(|n| ordinary(*n)) {
                i += 1;
                continue;
            }
            if c < 0x80 {
                // ASCII whitespace or control.
                self.push_run(&s[run_start..i]);
                if c.is_ascii_whitespace() || c == 0x0B {
                    self.pending_space = self.wrote;
                }
                i += 1;
                run_start = i;
                continue;
            }
            let (len, text) = non_ascii_at(s, i);
            if text {
                self.continuation_bytes += len - 1;
            } else {
                self.push_run(&s[run_start..i]);
                if s[i..].starts_with(char::is_whitespace) {
                    self.pending_space = self.wrote;
                }
                run_start = i + len;
            }
            i += len;
        }
        self.push_run(&s[run_start..]);
    }

    /// Appends the reference at the start of `s` (which starts with `&`) decoded, or the `&`
    /// itself when none is there; returns the bytes used.
    fn push_reference(&mut self, s: &str) -> usize {
        match decode_one(s) {
            Some((Decoded::Char(c), used)) => {
                self.revealed_lt |= c == '<';
                let mut buf = [0u8; 4];
                self.push_text(c.encode_utf8(&mut buf));
                used
            }
            Some((Decoded::Str(v), used)) => {
                self.revealed_lt |= v.contains('<');
                self.push_text(v);
                used
            }
            None => {
                self.push_run("&");
                1
            }
        }
    }
}

/// Cuts `s` to at most `max_chars` characters (the `…` it appends included), preferring the
/// last word boundary in the final fifth. Returns whether it cut.
pub fn cap_chars(s: &mut String, max_chars: usize) -> bool {
    if s.char_indices().nth(max_chars).is_none() {
        return false;
    }
    let cut = s
        .char_indices()
        .nth(max_chars.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    let keep_min = cut - cut / 5;
    let cut_at = s[..cut]
        .rfind(' ')
        .filter(|&sp| sp >= keep_min && sp > 0)
        .unwrap_or(cut);
    s.truncate(cut_at);
    let trimmed = s.trim_end().len();
    s.truncate(trimmed);
    s.push('…');
    true
}

/// Cuts `s` to at most `max_bytes` bytes on a character boundary. Returns whether it cut.
pub fn cap_bytes(s: &mut String, max_bytes: usize) -> bool {
    if s.len() <= max_bytes {
        return false;
    }
    let mut cut = max_bytes;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    true
}

/// Whether `s` holds a `<` that starts a tag and is followed somewhere by a `>`. Linear: one
/// reverse search for the last `>`, then memchr jumps between `<`s before it.
fn looks_like_markup(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(last_gt) = s.rfind('>') else {
        return false;
    };
    let mut from = 0;
    while let Some(p) = s[from..last_gt].find('<') {
        let at = from + p;
        if b.get(at + 1)
            .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'/')
        {
            return true;
        }
        from = at + 1;
    }
    false
}

fn strip_and_decode(html: &str) -> String {
    let mut sink = TextSink::new(String::with_capacity(html.len()));
    strip_and_decode_into(html, &mut sink);
    sink.out
}

/// The one pass over an HTML fragment: ordinary text runs on (a word at a time), a `<` that
/// starts a tag ends the run and becomes a word boundary, a `&` is decoded, whitespace
/// collapses. Equivalent to splitting at tags, then at references, then collapsing whitespace
/// in each piece, without scanning the text three times.
fn strip_and_decode_into<O: TextOut>(html: &str, sink: &mut TextSink<O>) {
    let b = html.as_bytes();
    let mut i = 0;
    let mut run_start = 0;
    while i < b.len() {
        if run_word(b, i, run_start, true) {
            i += 8;
            continue;
        }
        let c = b[i];
        match c {
            b'<' => {
                let Some(tag) = read_tag(html, i) else {
                    // This `<` stays text.
                    sink.revealed_lt = true;
                    i += 1;
                    continue;
                };
                sink.push_run(&html[run_start..i]);
                // Tags become word boundaries so words on either side do not merge.
                sink.boundary();
                i = tag.end;
                if !tag.closing
                    && !tag.self_closing
                    && let Some(name) = DROPPED_CONTENT
                        .iter()
                        .find(|n| n.eq_ignore_ascii_case(tag.name))
                {
                    i = skip_past_close(html, i, name);
                }
                run_start = i;
            }
            b'&' => {
                sink.push_run(&html[run_start..i]);
                i += sink.push_reference(&html[i..]);
                run_start = i;
            }
            // A single space between two ordinary characters stays inside the run.
            b' ' if i > run_start && b.get(i + 1).is_some_and(|n| ordinary_text(*n)) => i += 1,
            _ if ordinary(c) => i += 1,
            _ if c < 0x80 => {
                // ASCII whitespace or control.
                sink.push_run(&html[run_start..i]);
                if c.is_ascii_whitespace() || c == 0x0B {
                    sink.pending_space = sink.wrote;
                }
                i += 1;
                run_start = i;
            }
            _ => {
                let (len, text) = non_ascii_at(html, i);
                if text {
                    sink.continuation_bytes += len - 1;
                } else {
                    sink.push_run(&html[run_start..i]);
                    if html[i..].starts_with(char::is_whitespace) {
                        sink.pending_space = sink.wrote;
                    }
                    run_start = i + len;
                }
                i += len;
            }
        }
    }
    sink.push_run(&html[run_start..]);
}

struct Tag<'a> {
    name: &'a str,
    end: usize,
    closing: bool,
    self_closing: bool,
}

/// Reads a tag, comment, doctype or processing instruction starting at `start` (a `<`).
/// Returns `None` when the `<` cannot start markup (then it is text).
fn read_tag(html: &str, start: usize) -> Option<Tag<'_>> {
    let b = html.as_bytes();
    let next = *b.get(start + 1)?;
    if html[start..].starts_with("<!--") {
        let end = html[start + 4..]
            .find("-->")
            .map_or(html.len(), |e| start + 4 + e + 3);
        return Some(Tag {
            name: "",
            end,
            closing: true,
            self_closing: true,
        });
    }
    if next == b'!' || next == b'?' {
        let end = html[start..]
            .find('>')
            .map_or(html.len(), |e| start + e + 1);
        return Some(Tag {
            name: "",
            end,
            closing: true,
            self_closing: true,
        });
    }
    let (closing, name_start) = if next == b'/' {
        (true, start + 2)
    } else {
        (false, start + 1)
    };
    if !b.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = b[name_start..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b':'))
        .map_or(b.len(), |p| name_start + p);
    // Find the closing '>' outside quoted attribute values.
    let mut quote = None;
    let mut j = name_end;
    while j < b.len() {
        match (quote, b[j]) {
            (None, b'"' | b'\'') => quote = Some(b[j]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => break,
            _ => {}
        }
        j += 1;
    }
    let end = (j + 1).min(b.len());
    let self_closing = j > 0 && j <= b.len() && b.get(j.wrapping_sub(1)) == Some(&b'/');
    Some(Tag {
        name: &html[name_start..name_end],
        end,
        closing,
        self_closing,
    })
}

/// Index just past `</name ...>` at or after `from`, or the end of input when it never closes.
fn skip_past_close(html: &str, from: usize, name: &str) -> usize {
    let b = html.as_bytes();
    let mut i = from;
    while let Some(p) = html[i..].find("</") {
        let at = i + p;
        let name_start = at + 2;
        let name_end = name_start + name.len();
        if name_end <= b.len()
            && b[name_start..name_end].eq_ignore_ascii_case(name.as_bytes())
            && b.get(name_end)
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'-'))
        {
            return html[name_end..]
                .find('>')
                .map_or(b.len(), |e| name_end + e + 1);
        }
        i = at + 2;
    }
    b.len()
}

/// Decodes HTML character references: numeric (`&#38;`, `&#x26;`) and the named ones that
/// occur in feeds. Unknown names stay as written (`&lol9;` is not expanded by anyone).
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one(rest) {
            Some((Decoded::Char(c), used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            Some((Decoded::Str(v), used)) => {
                out.push_str(v);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

enum Decoded {
    Char(char),
    Str(&'static str),
}

/// Decodes one reference at the start of `s` (which starts with `&`); returns it and the bytes
/// used. The `;` is required except for the few legacy names browsers also accept without it.
fn decode_one(s: &str) -> Option<(Decoded, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (hex, digits_start) = match b.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits = b[digits_start..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let text = &s[digits_start..digits_start + digits];
        let n = u32::from_str_radix(text, if hex { 16 } else { 10 }).ok()?;
        let mut used = digits_start + digits;
        if b.get(used) == Some(&b';') {
            used += 1;
        }
        let c = match n {
            0 => '\u{FFFD}',
            // The C1 range is windows-1252 in practice (as browsers read it).
            0x80..=0x9F => {
                let byte = [u8::try_from(n).ok()?];
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&byte)
                    .0
                    .chars()
                    .next()?
            }
            _ => char::from_u32(n).unwrap_or('\u{FFFD}'),
        };
        return Some((Decoded::Char(c), used));
    }
    let name_len = b[1..]
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &s[1..1 + name_len];
    let has_semicolon = b.get(1 + name_len) == Some(&b';');
    let value = named_entity(name)?;
    if has_semicolon {
        Some((Decoded::Str(value), name_len + 2))
    } else if matches!(name, "amp" | "lt" | "gt" | "quot" | "nbsp" | "copy" | "reg") {
        Some((Decoded::Str(value), name_len + 1))
    } else {
        None
    }
}

fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" | "AMP" => "&",
        "lt" | "LT" => "<",
        "gt" | "GT" => ">",
        "quot" | "QUOT" => "\"",
        "apos" => "'",
        "nbsp" => "\u{A0}",
        "ensp" => "\u{2002}",
        "emsp" => "\u{2003}",
        "thinsp" => "\u{2009}",
        "shy" => "",
        "zwj" | "zwnj" => "",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "lsquo" => "‘",
        "rsquo" => "’",
        "sbquo" => "‚",
        "ldquo" => "“",
        "rdquo" => "”",
        "bdquo" => "„",
        "laquo" => "«",
        "raquo" => "»",
        "lsaquo" => "‹",
        "rsaquo" => "›",
        "bull" => "•",
        "middot" => "·",
        "prime" => "′",
        "Prime" => "″",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "euro" => "€",
        "pound" => "£",
        "yen" => "¥",
        "cent" => "¢",
        "curren" => "¤",
        "sect" => "§",
        "para" => "¶",
        "deg" => "°",
        "plusmn" => "±",
        "times" => "×",
        "divide" => "÷",
        "minus" => "−",
        "frac12" => "½",
        "frac14" => "¼",
        "frac34" => "¾",
        "permil" => "‰",
        "micro" => "µ",
        "iexcl" => "¡",
        "iquest" => "¿",
        "dagger" => "†",
        "Dagger" => "‡",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "auml" => "ä",
        "ouml" => "ö",
        "uuml" => "ü",
        "Auml" => "Ä",
        "Ouml" => "Ö",
        "Uuml" => "Ü",
        "szlig" => "ß",
        "eacute" => "é",
        "egrave" => "è",
        "ecirc" => "ê",
        "Eacute" => "É",
        "aacute" => "á",
        "agrave" => "à",
        "acirc" => "â",
        "iacute" => "í",
        "oacute" => "ó",
        "uacute" => "ú",
        "ntilde" => "ñ",
        "Ntilde" => "Ñ",
        "ccedil" => "ç",
        "Ccedil" => "Ç",
        "aring" => "å",
        "Aring" => "Å",
        "oslash" => "ø",
        "Oslash" => "Ø",
        "aelig" => "æ",
        "AElig" => "Æ",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_vanish_and_script_content_with_them() {
        assert_eq!(
            plain_text("<b>Fed</b> holds <script>alert(1)</script>rates"),
            "Fed holds rates"
        );
        assert_eq!(
            plain_text("<svg onload=alert(1)><circle/></svg>Oil <img src=x onerror=alert(2)>up"),
            "Oil up"
        );
    }

    #[test]
    fn twice_escaped_markup_is_stripped_too() {
        // What an XML parser hands us for `&lt;script&gt;…` is `<script>…`; one level more:
        assert_eq!(
            plain_text("&lt;script&gt;alert(1)&lt;/script&gt;Yields fall"),
            "Yields fall"
        );
    }

    #[test]
    fn lone_angle_brackets_and_ampersands_are_text() {
        assert_eq!(
            plain_text("AT&T < 5% & S&P > 4,000"),
            "AT&T < 5% & S&P > 4,000"
        );
        assert_eq!(plain_text("a <3 b"), "a <3 b");
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            plain_text("Caf&eacute; &amp; cr&#232;me &#x2014; &euro;5&nbsp;bn &bogus; &#150;"),
            "Café & crème — €5 bn &bogus; –"
        );
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(plain_text("  a\n\t b <p>c</p>\u{A0}d  "), "a b c d");
    }

    #[test]
    fn caps_cut_on_words_with_ellipsis() {
        let mut s = "alpha beta gamma delta".to_string();
        assert!(cap_chars(&mut s, 13));
        assert_eq!(s, "alpha beta…");
        let mut short = "short".to_string();
        assert!(!cap_chars(&mut short, 10));
        let mut multi = "ééééé".to_string();
        assert!(cap_bytes(&mut multi, 5));
        assert_eq!(multi, "éé");
    }

    #[test]
    fn markup_check_is_linear_on_hostile_input() {
        // Regression: the check used to search for '>' after every '<a', O(n²).
        let hostile = format!("{}>", "<a".repeat(200_000));
        let started = std::time::Instant::now();
        assert!(looks_like_markup(&hostile));
        assert!(!looks_like_markup(&"<a".repeat(200_000)));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    /// Whitespace collapsing as first written, one character at a time: the reference the
    /// word-at-a-time scan must agree with.
    fn collapse_reference(s: &str) -> String {
        let mut out = String::new();
        let mut pending = false;
        for c in s.chars() {
            if c.is_whitespace() {
                pending = !out.is_empty();
            } else if c.is_control() || c == '\u{FEFF}' {
            } else {
                if pending {
                    out.push(' ');
                    pending = false;
                }
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn word_scan_agrees_with_the_character_scan() {
        for s in [
            "Shares rose 3% on Tuesday, analysts said.",
            " leading space and  double  spaces here ",
            "tabs\tand\nnewlines in the middle of a longer run",
            "exactly8 12345678 a b c d e f g h i j",
            "caf\u{e9} cr\u{e8}me\u{a0}br\u{fb}l\u{e9}e and more words after it",
            "ctrl\u{1}chars\u{7f}dropped\u{feff}here and there",
            "x",
            "",
        ] {
            assert_eq!(collapse_whitespace(s), collapse_reference(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn word_scan_agrees_on_any_text(s in "[a-e .,\t\n\u{1}\u{7f}\u{a0}\u{e9}\u{2003}]{0,80}") {
            proptest::prop_assert_eq!(collapse_whitespace(&s), collapse_reference(&s));
        }

        #[test]
        fn digest_equals_hashing_the_plain_text(
            s in "([a-z ]{0,30}|<p>|</p>|<b>|<script>x</script>|&amp;|&lt;|&gt;|&#60;|&#x3c;|<|>|&|\n| {2}|<!-- c -->|\u{e9}|…|b/){0,40}"
        ) {
            let text = plain_text(&s);
            let mut hasher = Sha256::new();
            hasher.update(b"prefix");
            let digest = digest_plain_text(&s, &mut hasher);
            let mut expected = Sha256::new();
            expected.update(b"prefix");
            expected.update(text.as_bytes());
            proptest::prop_assert_eq!(hasher.finalize(), expected.finalize());
            proptest::prop_assert_eq!(digest.chars, text.chars().count());
            let tail = digest.tail.as_str();
            proptest::prop_assert!(text.ends_with(tail));
            proptest::prop_assert!(tail.chars().count() >= text.chars().count().min(60));
        }
    }

    #[test]
    fn digest_keeps_the_tail_of_long_text() {
        let html: String = (0..400)
            .map(|i| format!("<p>paragraph {i} with some words in it</p>\n"))
            .collect();
        let text = plain_text(&html);
        let mut hasher = Sha256::new();
        let digest = digest_plain_text(&html, &mut hasher);
        assert_eq!(hasher.finalize()[..], Sha256::digest(text.as_bytes())[..]);
        assert_eq!(digest.chars, text.chars().count());
        assert!(digest.tail.as_str().chars().count() >= 60);
        assert!(text.ends_with(digest.tail.as_str()));
    }

    #[test]
    fn unclosed_script_drops_the_rest() {
        assert_eq!(plain_text("Title<script>never closed"), "Title");
    }
}
