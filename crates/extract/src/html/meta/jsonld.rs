//! JSON-LD (`<script type="application/ld+json">`): tolerant reading and the walk to the
//! article node.
//!
//! Pages ship broken JSON-LD often enough that strict parsing loses real metadata: trailing
//! commas, raw newlines inside strings, HTML comments or CDATA around the object, `//` comments,
//! several objects back to back. [`parse_lenient`] repairs those and skips what it still cannot
//! read. The walk over the parsed values is bounded in depth and node count, so a hostile page
//! cannot make it recurse or loop without end.

use serde_json::{Map, Value};

/// Deepest nesting of properties we follow (arrays and `@graph` do not count).
const MAX_DEPTH: usize = 12;
/// Most objects we collect from one page.
const MAX_NODES: usize = 1000;
/// Largest script we try to read, in bytes.
const MAX_SCRIPT_BYTES: usize = 4 * 1024 * 1024;

/// `@type`s that mean "this node is the story".
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicnewsarticle",
    "satiricalarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "claimreview",
    "videoobject",
];

/// Parses one script's text, repairing common breakage. Returns every value it could read.
pub fn parse_lenient(text: &str) -> Vec<Value> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Vec::new();
    }
    let stripped = strip_wrappers(text);
    if let Ok(v) = serde_json::from_str::<Value>(stripped) {
        return vec![v];
    }
    let repaired = repair(stripped);
    if let Ok(v) = serde_json::from_str::<Value>(&repaired) {
        return vec![v];
    }
    // Several values back to back (`{…}{…}` or `{…},{…}`): read as many as parse.
    let mut out = Vec::new();
    let mut rest = repaired.as_str();
    while !rest.is_empty() && out.len() < 32 {
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                out.push(v);
                let used = stream.byte_offset();
                rest = rest
                    .get(used..)
                    .unwrap_or("")
                    .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
            }
            _ => break,
        }
    }
    out
}

/// Drops HTML comment and CDATA wrappers and a trailing semicolon.
fn strip_wrappers(text: &str) -> &str {
    let mut s = text.trim();
    loop {
        let before = s.len();
        for prefix in ["<!--", "//<![CDATA[", "<![CDATA[", "/*<![CDATA[*/"] {
            if let Some(r) = s.strip_prefix(prefix) {
                s = r.trim_start();
            }
        }
        for suffix in ["-->", "//]]>", "]]>", "/*]]>*/", ";"] {
            if let Some(r) = s.strip_suffix(suffix) {
                s = r.trim_end();
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Repairs JSON the way browsers' JavaScript would have read it: raw control characters inside
/// strings are escaped, invalid escapes lose their backslash, trailing commas and `//`/`/* */`
/// comments outside strings are removed.
fn repair(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\\' => match chars.next() {
                    Some(e @ ('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u')) => {
                        out.push('\\');
                        out.push(e);
                    }
                    Some(other) => out.push(other),
                    None => {}
                },
                '\n' => out.push_str("\\n"),
                '\r' => {}
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {}
                c => out.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            ',' => {
                // Trailing comma: the next non-space character closes the container.
                let mut look = chars.clone();
                while look.peek().is_some_and(|c| c.is_whitespace()) {
                    look.next();
                }
                if !matches!(look.peek(), Some('}' | ']')) {
                    out.push(c);
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Every JSON object in the values, in document order, with its property depth. Arrays and
/// `@graph` do not add depth, so a `@graph` member counts as top level.
pub fn collect_nodes(values: &[Value]) -> Vec<(&Map<String, Value>, usize)> {
    let mut out = Vec::new();
    for v in values {
        walk(v, 0, &mut out);
    }
    out
}

fn walk<'a>(v: &'a Value, depth: usize, out: &mut Vec<(&'a Map<String, Value>, usize)>) {
    if depth > MAX_DEPTH || out.len() >= MAX_NODES {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items.iter().take(MAX_NODES) {
                // Arrays count towards depth only a little, so hostile [[[[…]]]] still stops.
                walk(
                    item,
                    depth + usize::from(matches!(item, Value::Array(_))),
                    out,
                );
            }
        }
        Value::Object(map) => {
            out.push((map, depth));
            for (k, child) in map {
                if matches!(child, Value::Object(_) | Value::Array(_)) {
                    let d = if k == "@graph" { depth } else { depth + 1 };
                    walk(child, d, out);
                }
            }
        }
        _ => {}
    }
}

/// True when the node's `@type` (a string or an array of strings) is one of `types`.
pub fn has_type(node: &Map<String, Value>, types: &[&str]) -> bool {
    let matches = |t: &Value| {
        t.as_str().is_some_and(|s| {
            let s = s
                .rsplit(['/', ':'])
                .next()
                .unwrap_or(s)
                .to_ascii_lowercase();
            types.contains(&s.as_str())
        })
    };
    match node.get("@type") {
        Some(Value::Array(ts)) => ts.iter().any(matches),
        Some(t) => matches(t),
        None => false,
    }
}

/// The node that describes the story: the shallowest, earliest article-typed node that has a
/// headline or a publication date; failing that, any node with a headline and a date.
pub fn article_node<'a>(
    nodes: &[(&'a Map<String, Value>, usize)],
) -> Option<&'a Map<String, Value>> {
    let useful = |n: &Map<String, Value>| {
        n.contains_key("headline")
            || n.contains_key("datePublished")
            || n.contains_key("articleBody")
    };
    let best = nodes
        .iter()
        .filter(|(n, _)| has_type(n, ARTICLE_TYPES) && useful(n))
        .min_by_key(|(n, d)| (*d, usize::from(!n.contains_key("headline"))))
        .map(|(n, _)| *n);
    best.or_else(|| {
        nodes
            .iter()
            .filter(|(n, _)| n.contains_key("headline") && n.contains_key("datePublished"))
            .min_by_key(|(_, d)| *d)
            .map(|(n, _)| *n)
    })
}

/// Plain text of a value: a string, a number, the first text of an array, or an object's
/// `name` / `@value`.
pub fn text(v: &Value) -> Option<String> {
    text_depth(v, 0)
}

fn text_depth(v: &Value, depth: usize) -> Option<String> {
    if depth > 3 {
        return None;
    }
    match v {
        Value::String(s) => {
            Some(crate::clean::collapse_ws(&decode_entities(s))).filter(|s| !s.is_empty())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items.iter().take(16).find_map(|i| text_depth(i, depth + 1)),
        Value::Object(m) => m
            .get("name")
            .or_else(|| m.get("@value"))
            .and_then(|x| text_depth(x, depth + 1)),
        _ => None,
    }
}

/// A few HTML entities survive into JSON-LD strings on some sites (`&amp;`, `&#39;`).
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let ch = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    }?;
                    char::from_u32(code)
                }
            }?;
            Some((ch, e + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
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

/// A person or organisation named by a value: `(name, is_organization)`. Strings, objects with
/// `name`, `@id` references resolved against `nodes`, and arrays of those.
pub fn names(v: &Value, nodes: &[(&Map<String, Value>, usize)]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().take(20).collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::String(s) => out.push((crate::clean::collapse_ws(&decode_entities(s)), false)),
            Value::Object(m) => {
                let m = resolve_ref(m, nodes);
                let org = has_type(m, &["organization", "newsmediaorganization", "corporation"]);
                if let Some(name) = m.get("name").and_then(text) {
                    out.push((name, org));
                }
            }
            _ => {}
        }
    }
    out.retain(|(n, _)| !n.is_empty());
    out
}

/// The full node an `{"@id": …}` stub refers to, or the map itself.
pub fn resolve_ref<'a>(
    m: &'a Map<String, Value>,
    nodes: &[(&'a Map<String, Value>, usize)],
) -> &'a Map<String, Value> {
    if m.contains_key("name") {
        return m;
    }
    let Some(id) = m.get("@id").and_then(Value::as_str) else {
        return m;
    };
    nodes
        .iter()
        .find(|(n, _)| {
            n.len() > 1
                && n.get("@id").and_then(Value::as_str) == Some(id)
                && n.contains_key("name")
        })
        .map_or(m, |(n, _)| *n)
}

/// An image value: `(url, caption, credit)`. A URL string, an `ImageObject`, or an array (the
/// first usable entry).
pub fn image(
    v: &Value,
    nodes: &[(&Map<String, Value>, usize)],
) -> Option<(String, Option<String>, Option<String>)> {
    match v {
        Value::String(s) => {
            Some((s.trim().to_string(), None, None)).filter(|(u, ..)| !u.is_empty())
        }
        Value::Array(a) => a.iter().take(10).find_map(|i| image(i, nodes)),
        Value::Object(m) => {
            let m = resolve_ref(m, nodes);
            let url = ["url", "contentUrl", "@id"]
                .iter()
                .find_map(|k| m.get(*k).and_then(Value::as_str))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())?;
            let caption = m.get("caption").and_then(text);
            let credit = ["creditText", "copyrightHolder", "author", "creator"]
                .iter()
                .find_map(|k| m.get(*k).and_then(text));
            Some((url, caption, credit))
        }
        _ => None,
    }
}

/// A URL value: a string or an object's `@id` / `url`.
pub fn url(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(m) => m
            .get("@id")
            .or_else(|| m.get("url"))
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string()),
        Value::Array(a) => a.first().and_then(url),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_common_breakage() {
        let broken = "<!--\n{\"@type\": \"NewsArticle\", \"headline\": \"Line one\nline two\",\n \"k\": [1, 2,],}\n-->";
        let v = parse_lenient(broken);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0]["headline"], "Line one\nline two");
        let cdata = "//<![CDATA[\n{\"a\": \"b\\'c\"} // note\n//]]>";
        assert_eq!(parse_lenient(cdata)[0]["a"], "b'c");
        let two = r#"{"a": 1}
        {"b": 2}"#;
        assert_eq!(parse_lenient(two).len(), 2);
        assert!(parse_lenient("not json at all").is_empty());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let v = parse_lenient(&deep);
        let _ = collect_nodes(&v);
        let objs = format!("{}1{}", "{\"a\":".repeat(100), "}".repeat(100));
        let v = parse_lenient(&objs);
        assert!(collect_nodes(&v).len() <= MAX_DEPTH + 1);
    }

    #[test]
    fn entities_in_strings() {
        assert_eq!(
            decode_entities("A &amp; B &#39;x&#x27; &bogus"),
            "A & B 'x' &bogus"
        );
    }
}
