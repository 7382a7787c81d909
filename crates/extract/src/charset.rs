//! Bytes → text. Which encoding a page is in, decided the way browsers do:
//! byte-order mark, then the HTTP `Content-Type` charset, then `<meta charset>` /
//! `<meta http-equiv="Content-Type">` in the first 4 KiB of the page (64 KiB when the bytes are
//! not UTF-8), then a UTF-8 validity check,
//! and finally windows-1252 (the web's de-facto default for unlabelled legacy pages).

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Where the encoding decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    /// A byte-order mark.
    Bom,
    /// The HTTP `Content-Type` header.
    Header,
    /// A `<meta>` declaration in the page.
    Meta,
    /// The bytes are valid UTF-8.
    Sniffed,
    /// Nothing said; the legacy default was used.
    Default,
}

/// Decoded text and how it was decoded.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, with undecodable bytes replaced by U+FFFD. Borrowed from the input when the
    /// input is already valid UTF-8 (no copy of a 10 MB page), owned otherwise.
    pub text: Cow<'a, str>,
    /// The encoding used.
    pub encoding: &'static Encoding,
    /// Where that choice came from.
    pub source: CharsetSource,
    /// True when some bytes were malformed for the encoding and were replaced.
    pub had_errors: bool,
}

/// How far into a page we look for a `<meta>` charset declaration (browsers use 1024 bytes;
/// we allow more because real pages put long `<script>`s and comments first).
const META_SCAN_BYTES: usize = 4096;

/// How far we look when the first [`META_SCAN_BYTES`] say nothing and the bytes are not UTF-8:
/// a late declaration is better evidence than the windows-1252 default.
const META_SCAN_BYTES_LEGACY: usize = 64 * 1024;

/// Decodes an HTML page.
pub fn decode_html<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], enc, CharsetSource::Bom);
    }
    if let Some(enc) = content_type.and_then(charset_from_content_type) {
        return finish(bytes, enc, CharsetSource::Header);
    }
    let declared = meta_charset(&bytes[..bytes.len().min(META_SCAN_BYTES)]).or_else(|| {
        (bytes.len() > META_SCAN_BYTES && std::str::from_utf8(bytes).is_err())
            .then(|| meta_charset(&bytes[..bytes.len().min(META_SCAN_BYTES_LEGACY)]))
            .flatten()
    });
    if let Some(enc) = declared {
        // A page that declares a legacy charset but is valid UTF-8 beyond ASCII is almost always
        // mislabelled (CMS templates keep old declarations); browsers would show mojibake, we
        // prefer the bytes' own evidence.
        if enc != UTF_8 && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
            return finish(bytes, UTF_8, CharsetSource::Sniffed);
        }
        return finish(bytes, enc, CharsetSource::Meta);
    }
    sniff(bytes)
}

/// Decodes pasted text: BOM, else UTF-8 if valid, else windows-1252.
pub fn decode_text(bytes: &[u8]) -> Decoded<'_> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], enc, CharsetSource::Bom);
    }
    sniff(bytes)
}

fn sniff(bytes: &[u8]) -> Decoded<'_> {
    if std::str::from_utf8(bytes).is_ok() {
        return finish(bytes, UTF_8, CharsetSource::Sniffed);
    }
    // Mostly-UTF-8 with a few bad bytes (a truncated download, a corrupted byte) is still UTF-8.
    let invalid = count_invalid_utf8(bytes);
    if invalid * 200 < bytes.len().max(1) && has_multibyte_utf8(bytes) {
        return finish(bytes, UTF_8, CharsetSource::Sniffed);
    }
    finish(bytes, WINDOWS_1252, CharsetSource::Default)
}

fn finish<'a>(bytes: &'a [u8], enc: &'static Encoding, source: CharsetSource) -> Decoded<'a> {
    // UTF-16 labels inside a page's own markup cannot be true (the markup was readable as ASCII).
    let enc = if source == CharsetSource::Meta && (enc.name().starts_with("UTF-16")) {
        UTF_8
    } else {
        enc
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text,
        encoding: enc,
        source,
        had_errors,
    }
}

/// The charset parameter of a `Content-Type` value, if it names an encoding we know.
pub fn charset_from_content_type(value: &str) -> Option<&'static Encoding> {
    value.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(v.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// Finds `<meta charset=…>` or `<meta http-equiv=content-type content="…; charset=…">` in the
/// head of a page, scanning bytes (the page is not decoded yet).
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(enc) = charset_in_tag(tag) {
            return Some(enc);
        }
        from = end;
    }
    None
}

fn charset_in_tag(tag: &[u8]) -> Option<&'static Encoding> {
    let pos = find(tag, b"charset")?;
    let mut rest = &tag[pos + 7..];
    while let [b' ' | b'\t' | b'\n' | b'\r', tail @ ..] = rest {
        rest = tail;
    }
    let [b'=', tail @ ..] = rest else {
        return None;
    };
    let value: Vec<u8> = tail
        .iter()
        .copied()
        .skip_while(|b| matches!(b, b' ' | b'"' | b'\''))
        .take_while(|b| !matches!(b, b' ' | b'"' | b'\'' | b';' | b'/' | b'>'))
        .collect();
    Encoding::for_label(&value)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn count_invalid_utf8(mut bytes: &[u8]) -> usize {
    let mut invalid = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return invalid,
            Err(e) => {
                invalid += 1;
                let skip = e.valid_up_to() + e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bytes = &bytes[skip.min(bytes.len())..];
            }
        }
    }
}

fn has_multibyte_utf8(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| (0xC2..=0xF4).contains(&w[0]) && (0x80..=0xBF).contains(&w[1]))
}

/// Names the binary format when `bytes` is clearly not text (NUL bytes, image/archive magic).
pub fn sniff_binary(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF", "PDF document"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1F\x8B", "gzip data"),
        (b"\x7FELF", "ELF executable"),
        (b"RIFF", "RIFF media"),
    ];
    for (magic, name) in MAGIC {
        if bytes.starts_with(magic) {
            return Some(name);
        }
    }
    // UTF-16 text legitimately contains NULs; it starts with a BOM.
    if Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nul = head.iter().filter(|&&b| b == 0).count();
    let control = head
        .iter()
        .filter(|&&b| b < 0x09 || (0x0E..0x20).contains(&b))
        .count();
    if nul > 0 || control * 10 > head.len() {
        return Some("control bytes");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_beats_meta_and_bom_beats_header() {
        let page = "<meta charset=utf-8><p>caf\u{e9}</p>";
        let latin1 = encoding_rs::WINDOWS_1252.encode(page).0;
        let d = decode_html(&latin1, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(d.source, CharsetSource::Header);
        assert!(d.text.contains("café"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(page.as_bytes());
        let d = decode_html(&bom, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(d.source, CharsetSource::Bom);
        assert!(d.text.contains("café"));
    }

    #[test]
    fn meta_charset_shift_jis() {
        let body = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head><body><p>日本語の記事</p></body></html>";
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(body);
        let d = decode_html(&bytes, None);
        assert_eq!(d.source, CharsetSource::Meta);
        assert_eq!(d.encoding, encoding_rs::SHIFT_JIS);
        assert!(d.text.contains("日本語の記事"));
    }

    #[test]
    fn unlabelled_latin1_falls_back_to_windows_1252() {
        let bytes = b"<p>Z\xfcrich \x80 price</p>";
        let d = decode_html(bytes, None);
        assert_eq!(d.source, CharsetSource::Default);
        assert!(d.text.contains("Zürich € price"));
    }

    #[test]
    fn mislabelled_utf8_is_read_as_utf8() {
        let page = "<meta charset=iso-8859-1><p>Zürich</p>";
        let d = decode_html(page.as_bytes(), None);
        assert!(d.text.contains("Zürich"));
    }

    #[test]
    fn binary_is_recognised() {
        assert_eq!(sniff_binary(b"\x89PNG\r\n\x1a\n...."), Some("PNG image"));
        assert_eq!(sniff_binary(b"abc\0def"), Some("control bytes"));
        assert_eq!(sniff_binary(b"<html>plain</html>"), None);
    }
}
