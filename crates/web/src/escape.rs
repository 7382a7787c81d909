//! Escaping for the places we write markup by hand (highlighted snippets, feeds), URL
//! encoding for links we build, and the one gate every `href`/`src` goes through.
//!
//! Templates escape by themselves (askama); these helpers are for text we assemble in Rust.

use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// True for characters XML 1.0 allows in a document (`Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids
/// (C0 controls other than tab/newline/CR, U+FFFE, U+FFFF). `]]>` needs no special care: `>`
/// is always escaped.
pub fn xml(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Removes characters that have no business in displayed text (C0/C1 controls other than
/// whitespace, and non-characters), so pages and feeds show the same text.
pub fn clean_text(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| !xml_char(c) || ('\u{7F}'..='\u{9F}').contains(&c);
    if s.chars().any(bad) {
        std::borrow::Cow::Owned(s.chars().filter(|c| !bad(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The URL if it is an absolute `http`/`https` URL with nothing that could confuse a browser or
/// an attribute parser (no whitespace, controls, quotes or angle brackets); `None` otherwise.
/// Every stored URL put into `href`/`src` goes through here, so `javascript:` and friends never
/// reach a page.
pub fn safe_url(url: &str) -> Option<&str> {
    let lower_start: String = url.chars().take(8).collect::<String>().to_ascii_lowercase();
    let rest = if lower_start.starts_with("https://") {
        &url[8..]
    } else if lower_start.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    if rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\') {
        return None;
    }
    let bad = |c: char| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
    };
    if url.chars().any(bad) {
        return None;
    }
    Some(url)
}

/// Percent-encodes a path segment or query value (everything but RFC 3986 unreserved bytes).
pub fn url_component(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// [`url_component`] into a new string.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    url_component(s, &mut out);
    out
}

/// Builds `path?k=v&…` from the pairs whose value is present and non-empty.
pub fn with_query(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = path.to_string();
    let mut first = true;
    for (k, v) in pairs {
        let Some(v) = v.filter(|v| !v.is_empty()) else {
            continue;
        };
        out.push(if first { '?' } else { '&' });
        first = false;
        out.push_str(k);
        out.push('=');
        url_component(v, &mut out);
    }
    out
}

/// HTML for a snippet: `text` escaped, with the byte ranges in `highlights` wrapped in `<mark>`.
/// Ranges that are out of order, overlapping, out of bounds or not on char boundaries are
/// skipped, so a backend bug can cost a highlight but never produce broken markup.
pub fn highlighted(text: &str, highlights: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + highlights.len() * 13);
    let mut pos = 0;
    for &(start, end) in highlights {
        if start < pos
            || end <= start
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        html(&clean_text(&text[pos..start]), &mut out);
        out.push_str("<mark>");
        html(&clean_text(&text[start..end]), &mut out);
        out.push_str("</mark>");
        pos = end;
    }
    html(&clean_text(&text[pos..]), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_xml_escape_everything_that_matters() {
        let mut h = String::new();
        html(r#"<a href="x" onclick='y'>&</a>"#, &mut h);
        assert_eq!(
            h,
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        let mut x = String::new();
        xml("a]]>b\u{1}\u{0}c\u{FFFE}<", &mut x);
        assert_eq!(x, "a]]&gt;bc&lt;");
    }

    #[test]
    fn only_plain_http_urls_pass() {
        assert_eq!(
            safe_url("https://example.com/a?b=c"),
            Some("https://example.com/a?b=c")
        );
        assert_eq!(safe_url("HTTP://Example.com"), Some("HTTP://Example.com"));
        for bad in [
            "javascript:alert(1)",
            " javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "https://",
            "https:///x",
            "https://a.example/\"onmouseover=\"x",
            "https://a.example/ x",
            "https://a.example/\u{0}",
            "ftp://a.example",
            "",
        ] {
            assert_eq!(safe_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn query_building_encodes_and_skips_empty() {
        assert_eq!(
            with_query(
                "/",
                &[
                    ("source", Some("a b&c")),
                    ("instrument", None),
                    ("q", Some(""))
                ]
            ),
            "/?source=a%20b%26c"
        );
        assert_eq!(encode("BRK.B/é"), "BRK.B%2F%C3%A9");
    }

    #[test]
    fn highlights_wrap_marks_and_survive_bad_ranges() {
        assert_eq!(
            highlighted("a <b> c", &[(2, 5)]),
            "a <mark>&lt;b&gt;</mark> c"
        );
        // overlapping, reversed, out of bounds and mid-char ranges are skipped
        assert_eq!(
            highlighted("héllo", &[(0, 1), (0, 2), (2, 1), (9, 12), (1, 2)]),
            "<mark>h</mark>éllo"
        );
    }
}
