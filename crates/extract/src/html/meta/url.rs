//! Resolving links against the page URL (RFC 3986 §5.2, for http and https only).
//!
//! Written here rather than pulling in the `url` crate (and its IDNA/Unicode tables) because
//! metadata only needs "make this href absolute": no host normalisation, no punycode.

/// A split absolute URL: `scheme://authority` and the path (with query).
struct Base<'a> {
    origin: &'a str,
    path: &'a str,
    scheme: &'a str,
}

fn split_base(base: &str) -> Option<Base<'_>> {
    let (scheme, rest) = base.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or("");
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    if path_start == 0 {
        return None;
    }
    let origin_len = scheme.len() + 3 + path_start;
    Some(Base {
        origin: base.get(..origin_len)?,
        path: rest.get(path_start..)?,
        scheme,
    })
}

/// True when `s` starts with a URL scheme (`http:`, `javascript:`, …).
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Removes `.` and `..` segments from a path (the query, if any, is left alone).
fn remove_dots(path_and_query: &str) -> String {
    let (path, query) = match path_and_query.find('?') {
        Some(i) => path_and_query.split_at(i),
        None => (path_and_query, ""),
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let mut joined = out.join("/");
    if !joined.starts_with('/') {
        joined.insert(0, '/');
    }
    joined + query
}

/// Makes `href` absolute against `base`. Returns `None` for non-http(s) links (`javascript:`,
/// `data:`, `mailto:`), for empty links, and for relative links without a usable base.
pub fn resolve(base: Option<&str>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > 4096 || href.chars().any(|c| c.is_control()) {
        return None;
    }
    if has_scheme(href) {
        let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
        return (lower.starts_with("http://") || lower.starts_with("https://"))
            .then(|| href.to_string());
    }
    if let Some(rest) = href.strip_prefix("//") {
        // Protocol-relative: the page's scheme, https when the page's URL is unknown.
        let scheme = base.and_then(split_base).map_or("https", |b| b.scheme);
        return (!rest.is_empty()).then(|| format!("{scheme}://{rest}"));
    }
    let base = split_base(base?)?;
    if href.starts_with('/') {
        return Some(format!("{}{}", base.origin, remove_dots(href)));
    }
    if href.starts_with('#') {
        return Some(format!("{}{}{href}", base.origin, base.path));
    }
    let base_path = base.path.split('?').next().unwrap_or("");
    if href.starts_with('?') {
        return Some(format!("{}{}{href}", base.origin, base_path));
    }
    let dir = base_path.rfind('/').map_or("/", |i| &base_path[..=i]);
    Some(format!(
        "{}{}",
        base.origin,
        remove_dots(&format!("{dir}{href}"))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://example.com/news/2023/story.html?ref=home#top";

    #[test]
    fn resolves_the_usual_forms() {
        let r = |h| resolve(Some(BASE), h);
        assert_eq!(
            r("https://other.org/a").as_deref(),
            Some("https://other.org/a")
        );
        assert_eq!(
            r("//cdn.example.com/i.jpg").as_deref(),
            Some("https://cdn.example.com/i.jpg")
        );
        assert_eq!(
            r("/world/x").as_deref(),
            Some("https://example.com/world/x")
        );
        assert_eq!(
            r("other.html").as_deref(),
            Some("https://example.com/news/2023/other.html")
        );
        assert_eq!(
            r("../2022/old.html").as_deref(),
            Some("https://example.com/news/2022/old.html")
        );
        assert_eq!(
            r("../../../../up").as_deref(),
            Some("https://example.com/up")
        );
        assert_eq!(
            r("?page=2").as_deref(),
            Some("https://example.com/news/2023/story.html?page=2")
        );
        assert_eq!(r("javascript:void(0)"), None);
        assert_eq!(r("  "), None);
    }

    #[test]
    fn relative_without_base_is_dropped() {
        assert_eq!(resolve(None, "/a"), None);
        assert_eq!(
            resolve(None, "http://x.org/a").as_deref(),
            Some("http://x.org/a")
        );
        assert_eq!(
            resolve(Some("https://example.com"), "a").as_deref(),
            Some("https://example.com/a")
        );
    }
}
