//! Bytes → UTF-8 text a parser can trust: the encoding is decided and the bytes transcoded,
//! the XML declaration is rewritten to say UTF-8 (feed-rs would otherwise decode our UTF-8 a
//! second time with the declared legacy encoding), and any `<!DOCTYPE …>` is removed so no
//! entity declared in it can ever be expanded or fetched, whatever the parser underneath does.
//!
//! The encoding decision, in order: a byte-order mark; UTF-16 recognised from `<?` as 16-bit
//! units (the XML spec's autodetection); bytes that are valid UTF-8 (whatever is declared: a
//! feed that says ISO-8859-1 but is valid UTF-8 beyond ASCII is mislabelled, not Latin-1);
//! the HTTP `Content-Type` charset; the XML declaration's `encoding`; windows-1252.
//!
//! Not `newsdesk_extract::charset`: that module decides the way browsers do for HTML (the
//! header beats the bytes, `<meta>` is consulted), and depending on it would bring the HTML
//! stack into this crate. Feeds need the bytes-first order above.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::borrow::Cow;

/// Where the encoding decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark.
    Bom,
    /// UTF-16 recognised from the first characters without a BOM.
    Autodetected,
    /// The bytes are valid UTF-8 (or very nearly so).
    Utf8Check,
    /// The HTTP `Content-Type` charset.
    Header,
    /// The XML declaration.
    XmlDeclaration,
    /// Nothing usable said anything; windows-1252 was assumed.
    Default,
}

/// The input as UTF-8 with the encoding decision.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text. Borrowed when the input was valid UTF-8 without a BOM.
    pub text: Cow<'a, str>,
    /// The encoding the bytes were read in.
    pub encoding: &'static Encoding,
    /// Why that encoding.
    pub source: EncodingSource,
    /// Warnings about the decision (mislabelled input, replaced bytes).
    pub warnings: Vec<String>,
}

/// Decides the encoding of `bytes` and decodes them. `content_type` is the HTTP header value.
pub fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    let mut warnings = Vec::new();
    let header = content_type.and_then(charset_from_content_type);
    let declared = xml_declared_encoding(bytes);

    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], enc, EncodingSource::Bom, warnings);
    }
    if bytes.starts_with(&[b'<', 0, b'?', 0]) {
        return finish(bytes, UTF_16LE, EncodingSource::Autodetected, warnings);
    }
    if bytes.starts_with(&[0, b'<', 0, b'?']) {
        return finish(bytes, UTF_16BE, EncodingSource::Autodetected, warnings);
    }
    // The whole feed is validated here; SIMD validation is several times std's speed on text
    // with many non-ASCII characters.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        for (label, enc) in [("HTTP header", header), ("XML declaration", declared)] {
            if let Some(enc) = enc
                && enc != UTF_8
                && !bytes.is_ascii()
            {
                warnings.push(format!(
                    "the {label} says {} but the bytes are valid UTF-8; read as UTF-8",
                    enc.name()
                ));
            }
        }
        // Already valid: borrow it rather than have encoding_rs validate it a second time.
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            source: EncodingSource::Utf8Check,
            warnings,
        };
    }
    // A declared legacy encoding is believed over a declared UTF-8 that the bytes just
    // disproved; the header comes first (RFC 7303), UTF-16 labels on 8-bit text are false.
    let legacy = |enc: Option<&'static Encoding>| {
        enc.filter(|e| *e != UTF_8 && *e != UTF_16LE && *e != UTF_16BE)
    };
    if let Some(enc) = legacy(header) {
        return finish(bytes, enc, EncodingSource::Header, warnings);
    }
    if let Some(enc) = legacy(declared) {
        return finish(bytes, enc, EncodingSource::XmlDeclaration, warnings);
    }
    // Mostly UTF-8 with a few bad bytes (a corrupted byte, a truncated sequence) is UTF-8.
    let invalid = count_invalid_utf8(bytes);
    if invalid * 200 < bytes.len() && has_multibyte_utf8(bytes) {
        warnings.push(format!(
            "{invalid} invalid UTF-8 sequence(s) replaced with U+FFFD"
        ));
        return finish(bytes, UTF_8, EncodingSource::Utf8Check, warnings);
    }
    if header == Some(UTF_8) || declared == Some(UTF_8) {
        warnings
            .push("declared UTF-8 but the bytes are not UTF-8; read as windows-1252".to_string());
    } else {
        warnings.push("no usable encoding declared; read as windows-1252".to_string());
    }
    finish(bytes, WINDOWS_1252, EncodingSource::Default, warnings)
}

fn finish<'a>(
    bytes: &'a [u8],
    enc: &'static Encoding,
    source: EncodingSource,
    mut warnings: Vec<String>,
) -> Decoded<'a> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors && enc != UTF_8 {
        warnings.push(format!(
            "some bytes were not valid {} and were replaced with U+FFFD",
            enc.name()
        ));
    }
    Decoded {
        text,
        encoding: enc,
        source,
        warnings,
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

/// The `encoding` pseudo-attribute of an ASCII-compatible XML declaration at the start.
fn xml_declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = rest.iter().take(512).position(|&b| b == b'>')?;
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    pseudo_attribute(decl, "encoding").and_then(|v| Encoding::for_label(v.as_bytes()))
}

fn pseudo_attribute<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let pos = decl.find(name)?;
    let rest = decl[pos + name.len()..].trim_start().strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    rest.find(quote).map(|e| &rest[..e])
}

fn count_invalid_utf8(mut bytes: &[u8]) -> usize {
    let mut invalid = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return invalid,
            Err(e) => {
                invalid += 1;
                let bad = e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bytes = &bytes[(e.valid_up_to() + bad).min(bytes.len())..];
            }
        }
    }
}

fn has_multibyte_utf8(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| (0xC2..=0xF4).contains(&w[0]) && (0x80..=0xBF).contains(&w[1]))
}

/// What the start of the document looks like, after the prolog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An XML document whose first element is not `html`.
    Xml,
    /// A JSON object.
    Json,
    /// An HTML page (doctype `html` or an `<html>` root).
    Html,
    /// Nothing but whitespace.
    Empty,
    /// Something else (plain text, binary).
    Other,
}

/// The text handed to a parser, and what was done to get it.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The document: UTF-8, declaration rewritten, doctype removed.
    pub text: Cow<'a, str>,
    /// Its shape.
    pub shape: Shape,
    /// Whether a `<!DOCTYPE>` was removed (and whether it declared entities).
    pub doctype: Option<DoctypeInfo>,
}

/// What the removed doctype held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoctypeInfo {
    /// It had an internal subset with `<!ENTITY` declarations.
    pub declared_entities: bool,
    /// It referred to something external (`SYSTEM` or `PUBLIC`).
    pub external: bool,
}

/// Error from [`prepare`]: a doctype that never ends is not a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnterminatedDoctype;

/// Rewrites the prolog of decoded text: a leading BOM or whitespace is dropped, an XML
/// declaration becomes `<?xml version="1.0" encoding="UTF-8"?>`, a doctype is removed.
/// Comments and processing instructions in the prolog are kept. Returns the text unchanged
/// (borrowed) when there is nothing to rewrite.
pub fn prepare(text: Cow<'_, str>) -> Result<Prepared<'_>, UnterminatedDoctype> {
    let s: &str = &text;
    let body_start = s
        .char_indices()
        .find(|(_, c)| !c.is_whitespace() && *c != '\u{FEFF}')
        .map_or(s.len(), |(i, _)| i);
    let mut pos = body_start;
    let mut decl_end = None;
    let mut decl_says_utf8 = true;
    if s[pos..].starts_with("<?xml") && s[pos + 5..].starts_with(|c: char| c.is_whitespace()) {
        let end = s[pos..].find("?>").map_or(s.len(), |e| pos + e + 2);
        decl_says_utf8 = pseudo_attribute(&s[pos..end], "encoding")
            .is_none_or(|e| e.eq_ignore_ascii_case("utf-8") || e.eq_ignore_ascii_case("utf8"));
        decl_end = Some(end);
        pos = end;
    }
    let mut doctype = None;
    let mut doctype_span = None;
    let mut name_is_html = false;
    loop {
        pos += s[pos..].len() - s[pos..].trim_start().len();
        let rest = &s[pos..];
        if rest.starts_with("<!--") {
            pos = rest.find("-->").map_or(s.len(), |e| pos + e + 3);
        } else if rest.starts_with("<?") {
            pos = rest.find("?>").map_or(s.len(), |e| pos + e + 2);
        } else if rest.len() >= 9 && rest.as_bytes()[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            let end = doctype_end(rest).ok_or(UnterminatedDoctype)?;
            let decl = &rest[..end];
            let upper = decl.to_ascii_uppercase();
            let name = decl[9..]
                .trim_start()
                .split(|c: char| c.is_whitespace() || c == '[' || c == '>')
                .next()
                .unwrap_or("");
            name_is_html = name.eq_ignore_ascii_case("html");
            doctype = Some(DoctypeInfo {
                declared_entities: upper.contains("<!ENTITY"),
                external: upper.contains("SYSTEM") || upper.contains("PUBLIC"),
            });
            doctype_span = Some((pos, pos + end));
            pos += end;
        } else {
            break;
        }
        if pos >= s.len() {
            break;
        }
    }
    let rest = &s[pos.min(s.len())..];
    let shape = if rest.is_empty() && doctype.is_none() && decl_end.is_none() {
        Shape::Empty
    } else if name_is_html || starts_with_element(rest, "html") {
        Shape::Html
    } else if rest.starts_with('<') {
        Shape::Xml
    } else if rest.starts_with('{') {
        Shape::Json
    } else if rest.is_empty() {
        Shape::Empty
    } else {
        Shape::Other
    };

    // Copy the document only when something must change: most feeds are UTF-8, declare it,
    // and have no doctype, and a copy of a large feed is measurable.
    let needs_rewrite = body_start > 0 || !decl_says_utf8 || doctype_span.is_some();
    if !needs_rewrite || shape == Shape::Json {
        return Ok(Prepared {
            text,
            shape,
            doctype,
        });
    }
    let mut out = String::with_capacity(s.len() + 40);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let after_decl = decl_end.unwrap_or(body_start);
    match doctype_span {
        Some((a, b)) => {
            out.push_str(&s[after_decl..a]);
            out.push_str(&s[b..]);
        }
        None => out.push_str(&s[after_decl..]),
    }
    Ok(Prepared {
        text: Cow::Owned(out),
        shape,
        doctype,
    })
}

fn starts_with_element(s: &str, name: &str) -> bool {
    let Some(rest) = s.strip_prefix('<') else {
        return false;
    };
    let b = rest.as_bytes();
    b.len() >= name.len()
        && b[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && b.get(name.len())
            .is_none_or(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
}

/// Byte length of the doctype declaration at the start of `s` (which starts `<!DOCTYPE`),
/// honouring quoted literals, comments and the bracketed internal subset.
fn doctype_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 9;
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i += 1 + s[i + 1..].find(char::from(q))?;
            }
            b'<' if s[i..].starts_with("<!--") => {
                i += 4 + s[i + 4..].find("-->")? + 2;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_beats_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<?xml version='1.0' encoding='ISO-8859-1'?><rss/>".as_bytes());
        let d = decode(&bytes, Some("text/xml; charset=windows-1251"));
        assert_eq!(d.source, EncodingSource::Bom);
        assert!(d.text.starts_with("<?xml"));
    }

    #[test]
    fn valid_utf8_beats_a_latin1_declaration() {
        let text = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><t>Zürich</t></rss>";
        let d = decode(text.as_bytes(), None);
        assert_eq!(d.encoding, UTF_8);
        assert!(d.text.contains("Zürich"));
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    }

    #[test]
    fn header_utf8_but_bytes_windows_1252() {
        let bytes = b"<rss><t>caf\xe9 \x93quoted\x94 \x80</t></rss>";
        let d = decode(bytes, Some("application/rss+xml; charset=utf-8"));
        assert_eq!(d.encoding, WINDOWS_1252);
        assert!(d.text.contains("café “quoted” €"), "{}", d.text);
        assert!(d.warnings.iter().any(|w| w.contains("declared UTF-8")));
    }

    #[test]
    fn declared_legacy_encoding_is_used_when_bytes_are_not_utf8() {
        let (bytes, _, _) = encoding_rs::KOI8_R
            .encode("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><rss><t>Рынок</t></rss>");
        let d = decode(&bytes, None);
        assert_eq!(d.source, EncodingSource::XmlDeclaration);
        assert!(d.text.contains("Рынок"));
    }

    #[test]
    fn utf16_without_bom_is_autodetected() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><t>日経</t></rss>";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let d = decode(&bytes, None);
        assert_eq!(d.source, EncodingSource::Autodetected);
        assert!(d.text.contains("日経"));
    }

    #[test]
    fn prepare_rewrites_declaration_and_drops_doctype() {
        let text = "\n<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!-- c -->\n<!DOCTYPE rss [\n<!ENTITY x \"a > b ]\">\n<!-- ] > -->\n]>\n<rss/>";
        let p = prepare(Cow::Borrowed(text)).unwrap();
        assert_eq!(p.shape, Shape::Xml);
        assert!(
            p.text
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        );
        assert!(!p.text.contains("DOCTYPE"));
        assert!(!p.text.contains("ENTITY"));
        assert!(p.text.contains("<!-- c -->"));
        assert!(p.text.ends_with("<rss/>"));
        assert_eq!(
            p.doctype,
            Some(DoctypeInfo {
                declared_entities: true,
                external: false
            })
        );
    }

    #[test]
    fn shapes() {
        let shape = |s: &'static str| prepare(Cow::Borrowed(s)).unwrap().shape;
        assert_eq!(shape(""), Shape::Empty);
        assert_eq!(shape("  \n "), Shape::Empty);
        assert_eq!(shape("<!doctype html><html><body>x"), Shape::Html);
        assert_eq!(shape("<HTML lang=en>"), Shape::Html);
        assert_eq!(shape("{\"version\":1}"), Shape::Json);
        assert_eq!(shape("hello"), Shape::Other);
        assert_eq!(shape("<rss version=\"2.0\">"), Shape::Xml);
        assert_eq!(
            prepare(Cow::Borrowed("<!DOCTYPE rss [ <!ENTITY a \"b\">")).unwrap_err(),
            UnterminatedDoctype
        );
    }

    #[test]
    fn untouched_input_is_borrowed() {
        let p = prepare(Cow::Borrowed("<rss version=\"2.0\"/>")).unwrap();
        assert!(matches!(p.text, Cow::Borrowed(_)));
        // A UTF-8 declaration needs no rewrite either; a legacy one does.
        let utf8 = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>";
        assert!(matches!(
            prepare(Cow::Borrowed(utf8)).unwrap().text,
            Cow::Borrowed(_)
        ));
        let latin = "<?xml version=\"1.0\" encoding=\"latin1\"?><rss/>";
        assert!(matches!(
            prepare(Cow::Borrowed(latin)).unwrap().text,
            Cow::Owned(_)
        ));
    }
}
