//! A byte-level pass before parsing that drops what can never be article text: the contents of
//! `<script>` (except JSON-LD, which metadata reads), `<style>` and inline `<svg>`.
//!
//! Why: on real news pages more than half the bytes are inline scripts and styles (measured on
//! the article-extraction benchmark: 30 % script, 29 % style). The HTML tokenizer would walk every
//! one of those bytes and the tree builder would store them, only for extraction to throw them
//! away. Skipping them here roughly halves parse time and memory.
//!
//! The scan follows the tokenizer's rules closely enough to be safe: comments are skipped as a
//! whole (a `<script>` inside a comment is not a script), a raw-text element ends at the first
//! `</name` followed by a delimiter, and tag names are matched case-insensitively at a tag start.

use std::borrow::Cow;

/// Elements whose whole content is dropped.
const DROPPED: &[&[u8]] = &[b"script", b"style", b"svg"];

/// Returns `html` without the contents of non-JSON-LD scripts, styles and SVGs. The elements
/// themselves stay (empty), so the document's structure is unchanged.
pub fn strip_non_content(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied_to = 0;
    let mut i = 0;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            // Skip the comment whole: a `<script>` inside it is not a tag.
            i = match find(&bytes[lt + 4..], b"-->") {
                Some(end) => lt + 4 + end + 3,
                None => bytes.len(),
            };
            continue;
        }
        let Some(name) = DROPPED.iter().find(|n| tag_named(rest, n)) else {
            i = lt + 1;
            continue;
        };
        // End of the start tag.
        let Some(gt) = memchr(b'>', rest) else { break };
        let content_start = lt + 1 + gt + 1;
        let start_tag = &bytes[lt..content_start];
        let Some(close) = find_close(&bytes[content_start..], name) else {
            break;
        };
        let content_end = content_start + close;
        if *name == b"script" && is_json_ld(start_tag) {
            i = content_end;
            continue;
        }
        if content_end > content_start {
            let buf = out.get_or_insert_with(|| String::with_capacity(html.len() / 2));
            buf.push_str(&html[copied_to..content_start]);
            copied_to = content_end;
        }
        i = content_end;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut buf) => {
            buf.push_str(&html[copied_to..]);
            Cow::Owned(buf)
        }
    }
}

/// True when `rest` (the bytes after `<`) starts with tag `name` followed by a delimiter.
fn tag_named(rest: &[u8], name: &[u8]) -> bool {
    rest.len() > name.len()
        && rest[..name.len()].eq_ignore_ascii_case(name)
        && matches!(
            rest[name.len()],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>' | b'/'
        )
}

/// Offset of the `<` of the closing tag `</name` (followed by a delimiter) in `hay`.
fn find_close(hay: &[u8], name: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(off) = find(&hay[i..], b"</") {
        let at = i + off;
        if tag_named(&hay[at + 2..], name) {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

fn is_json_ld(start_tag: &[u8]) -> bool {
    let lower = start_tag.to_ascii_lowercase();
    find(&lower, b"ld+json").is_some()
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while let Some(off) = memchr(first, &hay[i..]) {
        let at = i + off;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_scripts_styles_svg_but_keeps_json_ld() {
        let html = r#"<p>a</p><SCRIPT src=x>var s = "</div>";</SCRIPT ><style>p{}</style><svg><path d="M0"/></svg><script type="application/ld+json">{"a":1}</script><p>b</p>"#;
        let out = strip_non_content(html);
        assert_eq!(
            out,
            r#"<p>a</p><SCRIPT src=x></SCRIPT ><style></style><svg></svg><script type="application/ld+json">{"a":1}</script><p>b</p>"#
        );
    }

    #[test]
    fn script_in_comment_is_not_a_script() {
        let html = "<!-- <script> --><p>kept</p><script>x</script>";
        assert_eq!(
            strip_non_content(html),
            "<!-- <script> --><p>kept</p><script></script>"
        );
    }

    #[test]
    fn prefix_names_are_not_matched() {
        let html = "<scripted>x</scripted><styles>y</styles>";
        assert_eq!(strip_non_content(html), html);
    }

    #[test]
    fn unterminated_script_leaves_the_rest_alone() {
        let html = "<p>a</p><script>never closed <p>b</p>";
        assert_eq!(strip_non_content(html), html);
    }

    #[test]
    fn multibyte_text_is_preserved() {
        let html = "<p>日本</p><style>é</style><p>ü</p>";
        assert_eq!(
            strip_non_content(html),
            "<p>日本</p><style></style><p>ü</p>"
        );
    }
}
