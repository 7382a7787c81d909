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
    let mut sink = TextSink::with_capacity(s.len());
    sink.push_text(s);
    sink.out
}

/// Output buffer that collapses whitespace as text is appended: runs of ordinary characters
/// are copied in bulk, so the common case costs one scan and one copy.
struct TextSink {
    out: String,
    pending_space: bool,
}

impl TextSink {
    fn with_capacity(n: usize) -> Self {
        TextSink {
            out: String::with_capacity(n),
            pending_space: false,
        }
    }

    /// A word boundary (a tag): a space if anything follows.
    fn boundary(&mut self) {
        self.pending_space = !self.out.is_empty();
    }

    fn push_run(&mut self, run: &str) {
        if run.is_empty() {
            return;
        }
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push_str(run);
    }

    fn push_text(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut run_start = 0;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if (0x21..0x7F).contains(&c) {
                i += 1;
                continue;
            }
            // A single space between two ordinary characters stays inside the run, so plain
            // prose is copied in one piece.
            if c == b' ' && i > run_start && b.get(i + 1).is_some_and(|n| (0x21..0x7F).contains(n))
            {
                i += 1;
                continue;
            }
            if c < 0x80 {
                // ASCII whitespace or control.
                self.push_run(&s[run_start..i]);
                if c.is_ascii_whitespace() || c == 0x0B {
                    self.pending_space = !self.out.is_empty();
                }
                i += 1;
                run_start = i;
                continue;
            }
            let ch = s[i..].chars().next().unwrap_or('\u{FFFD}');
            let len = ch.len_utf8();
            if ch.is_whitespace() || ch.is_control() || ch == '\u{FEFF}' {
                self.push_run(&s[run_start..i]);
                if ch.is_whitespace() {
                    self.pending_space = !self.out.is_empty();
                }
                run_start = i + len;
            }
            i += len;
        }
        self.push_run(&s[run_start..]);
    }

    /// Appends text whose character references still need decoding.
    fn push_encoded(&mut self, s: &str) {
        let mut rest = s;
        while let Some(amp) = rest.find('&') {
            self.push_text(&rest[..amp]);
            rest = &rest[amp..];
            match decode_one(rest) {
                Some((Decoded::Char(c), used)) => {
                    let mut buf = [0u8; 4];
                    self.push_text(c.encode_utf8(&mut buf));
                    rest = &rest[used..];
                }
                Some((Decoded::Str(v), used)) => {
                    self.push_text(v);
                    rest = &rest[used..];
                }
                None => {
                    self.push_run("&");
                    rest = &rest[1..];
                }
            }
        }
        self.push_text(rest);
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
    // Fast path: nothing to strip or decode.
    if !html.contains(['<', '&']) {
        return collapse_whitespace(html);
    }
    let mut sink = TextSink::with_capacity(html.len());
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        // `find` on a char uses memchr: text between tags is skipped in bulk.
        match html[i..].find('<') {
            Some(p) => i += p,
            None => break,
        }
        let Some(tag) = read_tag(html, i) else {
            i += 1;
            continue;
        };
        sink.push_encoded(&html[text_start..i]);
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
        text_start = i;
    }
    sink.push_encoded(&html[text_start..]);
    sink.out
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

    #[test]
    fn unclosed_script_drops_the_rest() {
        assert_eq!(plain_text("Title<script>never closed"), "Title");
    }
}
