//! OPML subscription lists: [`parse_opml`] reads nested outlines into flat subscriptions with
//! their category path; [`write_opml`] writes them back, grouped by category.
//!
//! Reading uses quick-xml directly (the version feed-rs uses), after the same encoding and
//! prolog handling as feeds: the doctype is removed, so no entity is ever expanded or fetched,
//! and quick-xml itself resolves only the five predefined entities and character references.
//! A subscription whose `xmlUrl` is missing, invalid or not `http(s)` is reported and skipped;
//! the rest of the file still counts.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use url::Url;

use crate::prepare::{self, Shape};
use crate::text::{cap_chars, collapse_whitespace};
use crate::warn::Warnings;

/// One subscription.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpmlFeed {
    /// The feed's URL (`xmlUrl`), absolute `http`/`https`.
    pub xml_url: Url,
    /// The site's URL (`htmlUrl`), when given and usable.
    pub html_url: Option<Url>,
    /// The outline's `title` (else its `text`), whitespace collapsed. May be empty.
    pub title: String,
    /// Names of the enclosing category outlines, outermost first.
    pub category: Vec<String>,
}

/// A parsed OPML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opml {
    /// `<head><title>`, when present and not empty.
    pub title: Option<String>,
    /// Subscriptions in document order.
    pub feeds: Vec<OpmlFeed>,
    /// Skipped outlines and repaired values, one sentence each.
    pub warnings: Vec<String>,
}

/// Why bytes yielded no OPML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpmlError {
    /// No bytes, or only whitespace.
    #[error("empty input")]
    Empty,
    /// Over [`MAX_OPML_BYTES`].
    #[error("OPML is {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// The input's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Readable, but the root element is not `<opml>` (or it is not XML at all).
    #[error("not OPML: {0}")]
    NotOpml(String),
    /// Broken or truncated XML.
    #[error("malformed OPML: {0}")]
    Malformed(String),
}

/// The largest OPML file we read (16 MiB: far beyond any real subscription list).
pub const MAX_OPML_BYTES: usize = 16 * 1024 * 1024;

/// Category nesting deeper than this is flattened into the deepest kept level.
const MAX_CATEGORY_DEPTH: usize = 16;

/// Titles and category names are cut to this many characters.
const MAX_TITLE_CHARS: usize = 500;

/// At most this many subscriptions are read.
const MAX_FEEDS: usize = 100_000;

/// Reads an OPML document.
pub fn parse_opml(bytes: &[u8]) -> Result<Opml, OpmlError> {
    if bytes.len() > MAX_OPML_BYTES {
        return Err(OpmlError::TooLarge {
            size: bytes.len(),
            max: MAX_OPML_BYTES,
        });
    }
    let mut warnings = Warnings::new(100);
    let decoded = prepare::decode(bytes, None);
    for w in decoded.warnings {
        warnings.push(w);
    }
    let prepared = prepare::prepare(decoded.text)
        .map_err(|_| OpmlError::Malformed("the DOCTYPE declaration never ends".into()))?;
    match prepared.shape {
        Shape::Empty => return Err(OpmlError::Empty),
        Shape::Html => return Err(OpmlError::NotOpml("an HTML page".into())),
        Shape::Json | Shape::Other => return Err(OpmlError::NotOpml("not XML".into())),
        Shape::Xml => {}
    }
    if prepared.doctype.is_some() {
        warnings.push("DOCTYPE declaration removed; nothing was expanded or fetched".into());
    }

    let mut reader = quick_xml::Reader::from_str(&prepared.text);
    reader.config_mut().check_end_names = true;

    let mut depth = 0usize;
    let mut saw_root = false;
    let mut in_head = false;
    let mut title_text: Option<String> = None;
    let mut in_title = false;
    // One entry per open <outline>: Some(name) for a category, None for anything else.
    let mut outlines: Vec<Option<String>> = Vec::new();
    let mut feeds = Vec::new();

    loop {
        let event = reader.read_event().map_err(|e| {
            OpmlError::Malformed(format!("at byte {}: {e}", reader.error_position()))
        })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref();
                if depth == 0 {
                    if !name.eq_ignore_ascii_case("opml") {
                        return Err(OpmlError::NotOpml(format!(
                            "the root element is <{}>",
                            name.chars().take(40).collect::<String>()
                        )));
                    }
                    saw_root = true;
                } else if name == "head" && depth == 1 {
                    in_head = !is_empty;
                } else if name == "title" && in_head {
                    in_title = !is_empty;
                } else if name == "outline" {
                    let frame = outline(e, &outlines, &mut feeds, &mut warnings);
                    if !is_empty {
                        outlines.push(frame);
                    }
                }
                if !is_empty {
                    depth += 1;
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    "outline" => {
                        outlines.pop();
                    }
                    "head" => in_head = false,
                    "title" => in_title = false,
                    _ => {}
                }
            }
            Event::Text(ref t) if in_title => {
                title_text
                    .get_or_insert_with(String::new)
                    .push_str(&t.xml10_content());
            }
            Event::CData(ref t) if in_title => {
                title_text
                    .get_or_insert_with(String::new)
                    .push_str(&t.xml10_content());
            }
            Event::GeneralRef(ref r) if in_title => {
                let s = title_text.get_or_insert_with(String::new);
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    s.push(c);
                } else if let Some(v) = quick_xml::escape::resolve_predefined_entity(r) {
                    s.push_str(v);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if feeds.len() >= MAX_FEEDS {
            warnings.push(format!(
                "more than {MAX_FEEDS} subscriptions; the rest skipped"
            ));
            break;
        }
    }
    if !saw_root {
        return Err(OpmlError::NotOpml("no <opml> root element".into()));
    }
    if depth > 0 && feeds.len() < MAX_FEEDS {
        return Err(OpmlError::Malformed(
            "the document ends inside an open element (truncated?)".into(),
        ));
    }
    let title = title_text.map(|t| clean_name(&t)).filter(|t| !t.is_empty());
    Ok(Opml {
        title,
        feeds,
        warnings: warnings.finish(),
    })
}

/// Handles one `<outline>`: records a subscription, and returns what the outline contributes
/// to the category path of the outlines inside it.
fn outline(
    e: &BytesStart<'_>,
    open: &[Option<String>],
    feeds: &mut Vec<OpmlFeed>,
    warnings: &mut Warnings,
) -> Option<String> {
    let mut text = None;
    let mut title = None;
    let mut xml_url = None;
    let mut html_url = None;
    for attr in e.attributes().with_checks(false).flatten() {
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| attr.value.to_string());
        let key = attr.key.local_name();
        let key = key.as_ref();
        if key.eq_ignore_ascii_case("text") {
            text = Some(value);
        } else if key.eq_ignore_ascii_case("title") {
            title = Some(value);
        } else if key.eq_ignore_ascii_case("xmlurl") {
            xml_url = Some(value);
        } else if key.eq_ignore_ascii_case("htmlurl") {
            html_url = Some(value);
        }
    }
    let name = clean_name(
        title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or(text.as_deref())
            .unwrap_or(""),
    );
    let Some(raw_xml) = xml_url.filter(|u| !u.trim().is_empty()) else {
        // No feed URL: a category (folder), named or not.
        return Some(name);
    };
    let label = if name.is_empty() {
        raw_xml.chars().take(80).collect::<String>()
    } else {
        name.clone()
    };
    let Some(xml) = feed_url(&raw_xml) else {
        warnings.push(format!(
            "outline {label:?}: xmlUrl {:?} is not an http(s) URL; skipped",
            raw_xml.chars().take(80).collect::<String>()
        ));
        return None;
    };
    let html = html_url.filter(|u| !u.trim().is_empty()).and_then(|raw| {
        let u = feed_url(&raw);
        if u.is_none() {
            warnings.push(format!(
                "outline {label:?}: htmlUrl {:?} is not an http(s) URL; dropped",
                raw.chars().take(80).collect::<String>()
            ));
        }
        u
    });
    let category: Vec<String> = open
        .iter()
        .flatten()
        .filter(|n| !n.is_empty())
        .take(MAX_CATEGORY_DEPTH)
        .cloned()
        .collect();
    feeds.push(OpmlFeed {
        xml_url: xml,
        html_url: html,
        title: name,
        category,
    });
    None
}

/// An absolute http(s) URL; `feed://host/…` and `feed:https://…` (old reader conventions) are
/// read as the http(s) URL they stand for.
fn feed_url(raw: &str) -> Option<Url> {
    let raw = raw.trim();
    let rewritten;
    let raw = if let Some(rest) = raw.strip_prefix("feed:") {
        if rest.starts_with("http://") || rest.starts_with("https://") {
            rest
        } else {
            rewritten = format!("http:{rest}");
            &rewritten
        }
    } else {
        raw
    };
    let u = Url::parse(raw).ok()?;
    (matches!(u.scheme(), "http" | "https") && u.host().is_some()).then_some(u)
}

fn clean_name(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|&c| is_xml_char(c) || c.is_whitespace())
        .collect();
    let mut name = collapse_whitespace(&kept);
    cap_chars(&mut name, MAX_TITLE_CHARS);
    name
}

/// Writes subscriptions as an OPML 2.0 document titled `title`, feeds grouped into nested
/// category outlines (categories in order of first appearance). Every value is escaped;
/// characters XML 1.0 cannot carry (most control characters) are left out; whitespace in
/// names is written as character references so it survives attribute normalisation.
/// [`parse_opml`] reads the result back to the same subscriptions, titles and category names
/// with their whitespace collapsed.
pub fn write_opml(feeds: &[OpmlFeed], title: &str) -> String {
    // The category tree as an arena (index 0 is the root): no recursive types, so neither
    // building, writing nor dropping it can exhaust the stack on deep paths.
    let mut nodes: Vec<Node<'_>> = vec![Node::default()];
    for feed in feeds {
        let mut at = 0;
        for cat in feed
            .category
            .iter()
            .map(|c| collapse_whitespace(c))
            .filter(|c| !c.is_empty())
        {
            let existing = nodes[at]
                .children
                .iter()
                .copied()
                .find(|&child| nodes[child].name == cat);
            at = match existing {
                Some(child) => child,
                None => {
                    nodes.push(Node {
                        name: cat,
                        ..Node::default()
                    });
                    let child = nodes.len() - 1;
                    nodes[at].children.push(child);
                    child
                }
            };
        }
        nodes[at].feeds.push(feed);
    }
    let mut out = String::with_capacity(128 + feeds.len() * 160);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>",
    );
    escape_into(&mut out, title);
    out.push_str("</title>\n  </head>\n  <body>\n");
    write_nodes(&mut out, &nodes, 2);
    out.push_str("  </body>\n</opml>\n");
    out
}

#[derive(Default)]
struct Node<'a> {
    name: String,
    feeds: Vec<&'a OpmlFeed>,
    children: Vec<usize>,
}

/// Writes the arena depth-first with an explicit stack.
fn write_nodes(out: &mut String, nodes: &[Node<'_>], base_indent: usize) {
    enum Step {
        Open(usize, usize),
        Body(usize, usize),
        Close(usize),
    }
    let mut stack = vec![Step::Body(0, base_indent)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Open(node, indent) => {
                let name = &nodes[node].name;
                push_indent(out, indent);
                out.push_str("<outline text=\"");
                escape_into(out, name);
                out.push_str("\" title=\"");
                escape_into(out, name);
                out.push_str("\">\n");
            }
            Step::Close(indent) => {
                push_indent(out, indent);
                out.push_str("</outline>\n");
            }
            Step::Body(node, indent) => {
                for feed in &nodes[node].feeds {
                    push_indent(out, indent);
                    out.push_str("<outline type=\"rss\" text=\"");
                    escape_into(out, &feed.title);
                    out.push_str("\" title=\"");
                    escape_into(out, &feed.title);
                    out.push_str("\" xmlUrl=\"");
                    escape_into(out, feed.xml_url.as_str());
                    out.push('"');
                    if let Some(h) = &feed.html_url {
                        out.push_str(" htmlUrl=\"");
                        escape_into(out, h.as_str());
                        out.push('"');
                    }
                    out.push_str("/>\n");
                }
                // Last pushed runs first: push children in reverse, each as open/body/close.
                for &child in nodes[node].children.iter().rev() {
                    stack.push(Step::Close(indent));
                    stack.push(Step::Body(child, indent + 1));
                    stack.push(Step::Open(child, indent));
                }
            }
        }
    }
}

/// Indents by `level`, up to 24 levels: deeper nesting is written flush so that output size
/// stays linear in the input (20,000 nested categories would otherwise be 800 MB of spaces).
fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level.min(24) {
        out.push_str("  ");
    }
}

/// Escapes text for an attribute value or element content.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
