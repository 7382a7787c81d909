//! Page metadata: JSON-LD (`NewsArticle` and kin), OpenGraph, Twitter cards, Dublin Core,
//! `itemprop`, publisher `<meta>` conventions (parse.ly, Sailthru, `byl`), `<link rel=canonical>`,
//! `<html lang>`, `<time>` elements and visible bylines and "Published …" lines.
//!
//! One walk over the document collects every candidate ([`Collected`]); the choice between
//! sources is made afterwards, field by field, from the most specific source to the least:
//! JSON-LD, then OpenGraph / `article:*`, then other `<meta>` conventions, then markup the reader
//! sees (`<h1>`, `<time>`, bylines). Nothing here fails: what cannot be read is skipped.

mod byline;
mod jsonld;
mod url;

pub use byline::{agency_of, split_names};
pub use url::resolve as resolve_url;

use crate::clean::collapse_ws;
use crate::dates::{DateContext, ParsedDate, parse_date};
use crate::dom::{self, Dom, NodeKind, NodeRef};
use newsdesk_article::Image;
use serde_json::Value;

/// Everything the page says about itself outside the body text.
#[derive(Debug, Default, Clone)]
pub struct PageMeta {
    /// Headline.
    pub title: Option<String>,
    /// Publisher / site name.
    pub site_name: Option<String>,
    /// Canonical URL (absolute).
    pub canonical_url: Option<String>,
    /// Bylines.
    pub authors: Vec<String>,
    /// Publication time.
    pub published: Option<ParsedDate>,
    /// Modification time.
    pub updated: Option<ParsedDate>,
    /// True if a date came from a relative expression.
    pub relative_date: bool,
    /// Language (primary subtag).
    pub language: Option<String>,
    /// Section / category.
    pub section: Option<String>,
    /// Description / standfirst.
    pub description: Option<String>,
    /// Lead image.
    pub lead_image: Option<Image>,
    /// Wire agency named in metadata.
    pub agency: Option<String>,
    /// JSON-LD `articleBody`, when the page embeds one: whitespace collapsed within paragraphs,
    /// paragraphs separated by a blank line.
    pub json_ld_body: Option<String>,
}

/// Most candidates of one kind we keep from a page (bounds work on pathological pages).
const MAX_CANDIDATES: usize = 24;
/// Longest visible text we consider for a byline or a date line, in bytes.
const MAX_SHORT_TEXT: usize = 200;

/// `<meta>` keys for the publication time, most specific first.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "timestamp",
    "displaydate",
    "og:pubdate",
];

/// `<meta>` keys for the modification time.
const UPDATED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:article:modified_time",
    "article:modified",
    "og:updated_time",
    "modified_time",
    "datemodified",
    "article.updated",
    "last-modified",
    "lastmod",
    "dc.date.modified",
    "dcterms.modified",
    "parsely-updated-date",
];

/// `<meta>` keys naming the author.
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "og:article:author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "cxenseparse:author",
    "article.author",
];

/// What one walk over the document finds.
#[derive(Debug, Default)]
struct Collected {
    /// `<meta>` key (lower case) → content, in page order.
    metas: Vec<(String, String)>,
    canonical: Option<String>,
    base_href: Option<String>,
    image_src: Option<String>,
    json_ld: Vec<String>,
    title: Option<String>,
    lang: Option<String>,
    /// `<h1>` texts with their element index.
    h1: Vec<(usize, String)>,
    /// `<time>` elements: index, `datetime` attribute, text, says "updated".
    times: Vec<(usize, Option<String>, String, bool)>,
    /// `itemprop` values: (name, value).
    itemprops: Vec<(String, String)>,
    /// Byline-like texts: (strength, text). Strength 0 = `itemprop=author`, 1 = `rel=author`,
    /// 2 = class/id says byline/author.
    bylines: Vec<(u8, String)>,
    /// Visible date lines: index, text.
    date_texts: Vec<(usize, String)>,
}

/// Text of an element, whitespace collapsed, if it is at most `max` bytes long.
fn short_text(e: NodeRef<'_>, max: usize) -> Option<String> {
    let mut out = String::new();
    for t in e.texts() {
        out.push_str(t);
        out.push(' ');
        if out.len() > max * 4 {
            return None;
        }
    }
    let t = collapse_ws(&out);
    (!t.is_empty() && t.len() <= max).then_some(t)
}

fn attr_has(e: &NodeRef<'_>, names: &[&str], words: &[&str]) -> bool {
    names.iter().any(|n| {
        e.attr(n).is_some_and(|v| {
            words
                .iter()
                .any(|w| crate::clean::contains_ignore_ascii_case(v, w))
        })
    })
}

fn is_dated_label(t: &str) -> bool {
    let lower = t.to_lowercase();
    [
        "published",
        "updated",
        "posted",
        "last updated",
        "last modified",
        "veröffentlicht",
        "aktualisiert",
        "publié",
        "mis à jour",
        "publicado",
        "actualizado",
        "atualizado",
        "pubblicato",
        "aggiornato",
        "gepubliceerd",
        "bijgewerkt",
    ]
    .iter()
    .any(|l| lower.starts_with(l))
}

fn says_updated(t: &str) -> bool {
    let lower = t.to_lowercase();
    [
        "updat",
        "modif",
        "aktualisiert",
        "mis à jour",
        "actualiz",
        "atualiz",
        "aggiornat",
        "bijgewerkt",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn collect(doc: &Dom) -> Collected {
    let mut c = Collected::default();
    let mut index = 0usize;
    for node in doc.root().descendants() {
        match node.kind() {
            NodeKind::Text => {
                let s = node.as_text().unwrap_or("").trim();
                if s.len() < 120
                    && c.date_texts.len() < MAX_CANDIDATES
                    && (is_dated_label(s) || byline::has_prefix(s))
                    && s.chars()
                        .any(|ch| ch.is_ascii_digit() || ch.is_alphabetic())
                {
                    // The label alone ("Published") is completed by its parent's text.
                    let text = node
                        .parent()
                        .filter(NodeRef::is_element)
                        .and_then(|p| short_text(p, MAX_SHORT_TEXT))
                        .unwrap_or_else(|| collapse_ws(s));
                    c.date_texts.push((index, text));
                }
            }
            NodeKind::Element => {
                index += 1;
                collect_element(&mut c, node, index);
            }
            _ => {}
        }
    }
    c
}

fn collect_element(c: &mut Collected, e: NodeRef<'_>, index: usize) {
    let el = &e;
    match el.name() {
        "html" if c.lang.is_none() => {
            c.lang = el
                .attr("lang")
                .or_else(|| el.attr("xml:lang"))
                .map(str::to_string);
        }
        "meta" => {
            if c.metas.len() >= 1000 {
                return;
            }
            let content = el.attr("content").or_else(|| el.attr("value"));
            if let Some(content) = content {
                for key_attr in ["property", "name", "itemprop", "http-equiv"] {
                    if let Some(k) = el.attr(key_attr) {
                        c.metas
                            .push((k.trim().to_ascii_lowercase(), content.to_string()));
                    }
                }
            }
        }
        "link" => {
            let rel = el.attr("rel").unwrap_or("").to_ascii_lowercase();
            let href = el.attr("href");
            if rel.split_whitespace().any(|r| r == "canonical") && c.canonical.is_none() {
                c.canonical = href.map(str::to_string);
            } else if rel.split_whitespace().any(|r| r == "image_src") && c.image_src.is_none() {
                c.image_src = href.map(str::to_string);
            }
        }
        "base" if c.base_href.is_none() => {
            c.base_href = el.attr("href").map(str::to_string);
        }
        "script" => {
            let ty = el.attr("type").unwrap_or("").to_ascii_lowercase();
            if ty.contains("ld+json") && c.json_ld.len() < 32 {
                c.json_ld.push(e.text_content());
            }
        }
        "title" if c.title.is_none() && e.is_html_element() => {
            c.title = Some(collapse_ws(&e.text_content())).filter(|t| !t.is_empty());
        }
        "h1" => {
            if c.h1.len() < 8
                && let Some(t) = short_text(e, 400)
            {
                c.h1.push((index, t));
            }
        }
        "time" if c.times.len() < MAX_CANDIDATES && !in_aside(e) => {
            let text = short_text(e, MAX_SHORT_TEXT).unwrap_or_default();
            let updated = attr_has(el, &["class", "itemprop", "id"], &["updat", "modif"])
                || says_updated(&text)
                || e.prev_siblings()
                    .take(2)
                    .filter_map(|n| n.as_text().map(str::to_string))
                    .any(|t| says_updated(&t))
                || e.parent()
                    .filter(NodeRef::is_element)
                    .is_some_and(|p| attr_has(&p, &["class"], &["updat", "modif"]));
            c.times.push((
                index,
                el.attr("datetime").map(str::to_string),
                text,
                updated,
            ));
        }
        _ => {}
    }
    if let Some(prop) = el.attr("itemprop") {
        let prop = prop.to_ascii_lowercase();
        if c.itemprops.len() < 200 && el.name() != "meta" {
            let value = el
                .attr("content")
                .or_else(|| el.attr("datetime"))
                .map(str::to_string)
                .or_else(|| {
                    if prop == "author" || prop == "creator" {
                        // <span itemprop=author><span itemprop=name>Jane</span></span>
                        e.descendants()
                            .filter(NodeRef::is_element)
                            .find(|d| d.attr("itemprop") == Some("name"))
                            .and_then(|d| {
                                d.attr("content")
                                    .map(str::to_string)
                                    .or_else(|| short_text(d, MAX_SHORT_TEXT))
                            })
                            .or_else(|| short_text(e, MAX_SHORT_TEXT))
                    } else {
                        short_text(e, 400)
                    }
                });
            if let Some(v) = value {
                if prop == "author" || prop == "creator" {
                    push_byline(c, 0, v.clone());
                }
                c.itemprops.push((prop, v));
            }
        }
    }
    if el.name() == "a"
        && el.attr("rel").is_some_and(|r| {
            r.to_ascii_lowercase()
                .split_whitespace()
                .any(|r| r == "author")
        })
        && let Some(t) = short_text(e, MAX_SHORT_TEXT)
    {
        push_byline(c, 1, t);
    }
    if !matches!(
        el.name(),
        "html" | "body" | "main" | "article" | "meta" | "link" | "script" | "img"
    ) && attr_has(
        el,
        &["class", "id"],
        &["byline", "author", "writer", "reporter"],
    ) && !attr_has(
        el,
        &["class", "id"],
        &[
            "bio", "avatar", "image", "img", "photo", "desc", "about", "social", "follow", "more",
            "related", "comment", "list", "card", "box",
        ],
    ) && let Some(t) = short_text(e, MAX_SHORT_TEXT)
    {
        push_byline(c, 2, t);
    }
    if !matches!(
        el.name(),
        "html" | "body" | "main" | "article" | "meta" | "link" | "script" | "time"
    ) && c.date_texts.len() < MAX_CANDIDATES
        && attr_has(
            el,
            &["class", "id"],
            &[
                "date",
                "time",
                "publish",
                "updated",
                "posted",
                "timestamp",
                "dateline",
            ],
        )
        && !attr_has(
            el,
            &["class", "id"],
            &["update-", "runtime", "timeline", "times-"],
        )
        && let Some(t) = [
            "datetime",
            "content",
            "value",
            "data-date",
            "data-timestamp",
        ]
        .iter()
        .find_map(|a| el.attr(a).map(collapse_ws))
        .filter(|v| !v.is_empty())
        .or_else(|| short_text(e, MAX_SHORT_TEXT))
        && t.chars().any(|ch| ch.is_ascii_digit())
    {
        c.date_texts.push((index, t));
    }
}

/// True when an element sits in navigation, a sidebar or a list of other stories, whose dates
/// and names are not this story's.
fn in_aside(e: NodeRef<'_>) -> bool {
    e.ancestors().take(12).filter(NodeRef::is_element).any(|a| {
        let el = &a;
        matches!(el.name(), "nav" | "aside" | "footer")
            || attr_has(
                el,
                &["class", "id"],
                &[
                    "related",
                    "recommend",
                    "promo",
                    "teaser",
                    "sidebar",
                    "trending",
                    "popular",
                    "most-read",
                    "more-stories",
                    "comment",
                ],
            )
    })
}

fn push_byline(c: &mut Collected, strength: u8, text: String) {
    if c.bylines.len() < MAX_CANDIDATES && !c.bylines.iter().any(|(_, t)| *t == text) {
        c.bylines.push((strength, text));
    }
}

impl Collected {
    /// The first non-empty content for any of `keys`, trying keys in order.
    fn meta(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| {
            self.metas
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| collapse_ws(&jsonld::decode_entities(v)))
                .find(|v| !v.is_empty())
        })
    }

    fn itemprop(&self, name: &str) -> Option<String> {
        self.itemprops
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| collapse_ws(v))
    }
}

/// What the JSON-LD says about the story.
#[derive(Debug, Default)]
struct LdFacts {
    headline: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    authors: Vec<(String, bool)>,
    publisher: Option<String>,
    url: Option<String>,
    image: Option<(String, Option<String>, Option<String>)>,
    section: Option<String>,
    language: Option<String>,
    description: Option<String>,
    body: Option<String>,
}

fn read_json_ld(scripts: &[String]) -> LdFacts {
    let values: Vec<Value> = scripts
        .iter()
        .flat_map(|s| jsonld::parse_lenient(s))
        .collect();
    let nodes = jsonld::collect_nodes(&values);
    let mut f = LdFacts::default();
    let Some(article) = jsonld::article_node(&nodes) else {
        // No article: the shallowest node with a date (a WebPage, an Event page) still says
        // when the page was published.
        if let Some((page, _)) = nodes
            .iter()
            .filter(|(n, _)| n.contains_key("datePublished"))
            .min_by_key(|(_, d)| *d)
        {
            f.published = page.get("datePublished").and_then(jsonld::text);
            f.modified = page.get("dateModified").and_then(jsonld::text);
        }
        f.publisher = nodes
            .iter()
            .find(|(n, _)| jsonld::has_type(n, &["newsmediaorganization", "organization"]))
            .and_then(|(n, _)| n.get("name").and_then(jsonld::text));
        return f;
    };
    let get = |k: &str| article.get(k);
    f.headline = get("headline")
        .or_else(|| get("name"))
        .and_then(jsonld::text);
    f.published = get("datePublished")
        .or_else(|| get("dateCreated"))
        .or_else(|| get("uploadDate"))
        .and_then(jsonld::text);
    f.modified = get("dateModified").and_then(jsonld::text);
    if let Some(a) = get("author").or_else(|| get("creator")) {
        f.authors = jsonld::names(a, &nodes);
    }
    f.publisher = get("publisher")
        .and_then(|p| jsonld::names(p, &nodes).into_iter().next())
        .map(|(n, _)| n);
    f.url = get("url")
        .or_else(|| get("mainEntityOfPage"))
        .and_then(jsonld::url);
    f.image = get("image")
        .or_else(|| get("thumbnailUrl"))
        .and_then(|v| jsonld::image(v, &nodes));
    f.section = get("articleSection").and_then(jsonld::text);
    f.language = get("inLanguage").and_then(|v| match v {
        Value::Object(m) => m
            .get("alternateName")
            .or_else(|| m.get("name"))
            .and_then(jsonld::text),
        other => jsonld::text(other),
    });
    f.description = get("description").and_then(jsonld::text);
    f.body = get("articleBody")
        .and_then(Value::as_str)
        .map(normalise_body)
        .filter(|b| !b.is_empty());
    f
}

/// The `articleBody` as paragraphs: HTML tags removed if any, whitespace collapsed within
/// paragraphs, paragraphs joined by a blank line.
fn normalise_body(raw: &str) -> String {
    let text = if raw.contains('<') && raw.contains('>') {
        let frag = dom::parse_fragment(raw);
        let mut out = String::new();
        for node in frag.root().descendants() {
            match node.kind() {
                NodeKind::Text => out.push_str(node.as_text().unwrap_or("")),
                NodeKind::Element
                    if matches!(
                        node.name(),
                        "p" | "br" | "div" | "h2" | "h3" | "li" | "blockquote"
                    ) =>
                {
                    out.push('\n');
                }
                _ => {}
            }
        }
        out
    } else {
        jsonld::decode_entities(raw).into_owned()
    };
    text.split(['\n', '\r'])
        .map(collapse_ws)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Reads the page's metadata.
pub fn extract_meta(doc: &Dom, ctx: &DateContext, base_url: Option<&str>) -> PageMeta {
    let c = collect(doc);
    let ld = read_json_ld(&c.json_ld);
    let base_owned = c
        .base_href
        .as_deref()
        .and_then(|b| url::resolve(base_url, b))
        .or_else(|| base_url.map(str::to_string));
    let base = base_owned.as_deref();

    let mut m = PageMeta {
        site_name: c
            .meta(&[
                "og:site_name",
                "application-name",
                "apple-mobile-web-app-title",
            ])
            .or_else(|| ld.publisher.clone()),
        ..PageMeta::default()
    };

    m.canonical_url = canonical(&c, &ld, base);
    m.language = language(&c, &ld);
    m.title = title(
        &c,
        &ld,
        m.site_name.as_deref(),
        m.canonical_url.as_deref().or(base),
    );
    m.description = c
        .meta(&[
            "og:description",
            "description",
            "twitter:description",
            "dc.description",
        ])
        .or(ld.description.clone());
    m.section = c
        .meta(&[
            "article:section",
            "og:article:section",
            "parsely-section",
            "section",
            "sailthru.section",
            "article.section",
            "category",
        ])
        .or(ld.section.clone())
        .or_else(|| c.itemprop("articlesection"));
    m.lead_image = lead_image(&c, &ld, base);
    m.json_ld_body = ld.body.clone();

    let (authors, agency) = authors(&c, &ld);
    m.authors = authors;
    m.agency = agency;

    // Visible text is read with the page's own date order: "05/09/2023" on a British or German
    // page is 5 September.
    let mut text_ctx = ctx.clone();
    if text_ctx.day_first.is_none() {
        let lang = c.lang.as_deref().unwrap_or("").to_ascii_lowercase();
        let month_first = lang.is_empty()
            || lang == "en"
            || lang.starts_with("en-us")
            || lang.starts_with("en_us");
        if !month_first {
            text_ctx.day_first = Some(true);
        }
    }
    let (published, updated) = dates(&c, &ld, ctx, &text_ctx);
    m.relative_date = published.as_ref().is_some_and(|p| p.relative)
        || updated.as_ref().is_some_and(|p| p.relative);
    m.published = published;
    m.updated = updated;
    m
}

fn canonical(c: &Collected, ld: &LdFacts, base: Option<&str>) -> Option<String> {
    let candidates = [
        c.canonical.clone(),
        c.meta(&["og:url"]),
        ld.url.clone(),
        c.meta(&["twitter:url", "parsely-link", "sailthru.url"]),
    ];
    let resolved: Vec<String> = candidates
        .into_iter()
        .flatten()
        .filter_map(|u| url::resolve(base, &u))
        .collect();
    // A canonical that points at the site's home page while the page itself is deeper is a
    // template mistake; prefer a candidate with a path.
    let is_home = |u: &str| {
        u.split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'))
            .is_some_and(|rest| !rest.contains('/'))
    };
    resolved
        .iter()
        .find(|u| !is_home(u))
        .or(resolved.first())
        .cloned()
}

fn language(c: &Collected, ld: &LdFacts) -> Option<String> {
    [
        c.lang.clone(),
        c.meta(&["content-language"]),
        c.meta(&["og:locale"]),
        ld.language.clone(),
        c.meta(&["language", "lang", "dc.language", "dcterms.language"]),
    ]
    .into_iter()
    .flatten()
    .find_map(|l| primary_subtag(&l))
}

fn primary_subtag(tag: &str) -> Option<String> {
    let first = tag.split([',', ';']).next()?.trim();
    let primary = first.split(['-', '_']).next()?.to_ascii_lowercase();
    if (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(primary);
    }
    // "English", "Deutsch": the few full names pages put in <meta name=language>.
    match primary.as_str() {
        "english" => Some("en".into()),
        "deutsch" | "german" => Some("de".into()),
        "french" | "français" => Some("fr".into()),
        "spanish" | "español" => Some("es".into()),
        _ => None,
    }
}

/// Lower-case letters and digits only: "The Verge" and "theverge.com" compare equal-ish.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Separators between a headline and a site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " // ", " • ",
];

/// Removes a site-name suffix (or prefix) from a title: " | Reuters", " - The Verge".
/// With `aggressive`, a short last segment after " | " is removed even when it does not match
/// the site name (for `<title>`, which nearly always ends with the brand).
pub fn strip_site_suffix(
    title: &str,
    site: Option<&str>,
    host: Option<&str>,
    aggressive: bool,
) -> String {
    let t = collapse_ws(title);
    let site_sq = site.map(squash).filter(|s| !s.is_empty());
    let host_sq = host.map(|h| {
        let h = h.trim_start_matches("www.");
        squash(h.split('.').next().unwrap_or(h))
    });
    let matches_brand = |seg: &str| {
        let s = squash(seg);
        !s.is_empty()
            && (site_sq.as_deref().is_some_and(|site| {
                s == site || s == format!("the{site}") || format!("the{s}") == site
            }) || host_sq.as_deref().is_some_and(|h| {
                !h.is_empty() && (s == h || s.starts_with(h) || h.starts_with(&s) && s.len() >= 4)
            }))
    };
    for sep in TITLE_SEPARATORS {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            let short_tail = tail.split_whitespace().count() <= 4;
            if !head.trim().is_empty()
                && (matches_brand(tail) || (aggressive && *sep == " | " && short_tail))
            {
                return strip_site_suffix(head, site, host, aggressive);
            }
        }
        if let Some(i) = t.find(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            if !tail.trim().is_empty() && matches_brand(head) {
                return tail.trim().to_string();
            }
        }
    }
    t
}

fn host_of(u: Option<&str>) -> Option<&str> {
    let rest = u?.split_once("://")?.1;
    rest.split(['/', '?', '#', ':']).next()
}

fn title(
    c: &Collected,
    ld: &LdFacts,
    site: Option<&str>,
    page_url: Option<&str>,
) -> Option<String> {
    let host = host_of(page_url);
    let clean = |t: &str| strip_site_suffix(t, site, host, false);
    let og = c.meta(&["og:title"]).map(|t| clean(&t));
    let ld_headline = ld.headline.as_deref().map(clean);
    let html_title = c
        .title
        .as_deref()
        .map(|t| strip_site_suffix(t, site, host, true));
    // The h1 that is the headline: one the other sources agree with, else the first.
    let agree = |h: &str| {
        let hs = squash(h);
        hs.len() >= 8
            && [&og, &ld_headline, &html_title]
                .into_iter()
                .flatten()
                .any(|t| squash(t).contains(&hs) || hs.contains(&squash(t)))
    };
    let h1 =
        c.h1.iter()
            .map(|(_, t)| t.as_str())
            .find(|t| agree(t))
            .or_else(|| {
                c.h1.first()
                    .map(|(_, t)| t.as_str())
                    .filter(|t| t.split_whitespace().count() >= 3)
            })
            .map(str::to_string);
    // JSON-LD headlines are sometimes cut at 110 characters with an ellipsis; a longer source
    // that starts the same way wins.
    let truncated = |t: &str| t.ends_with('…') || t.ends_with("...");
    let ld_headline = ld_headline.map(|ldh| {
        if truncated(&ldh) {
            let stem = ldh.trim_end_matches(['…', '.']).trim_end();
            [&og, &h1]
                .into_iter()
                .flatten()
                .find(|t| t.starts_with(stem) && t.len() > stem.len())
                .cloned()
                .unwrap_or(ldh)
        } else {
            ldh
        }
    });
    [
        ld_headline,
        og,
        h1,
        c.itemprop("headline"),
        c.meta(&[
            "twitter:title",
            "parsely-title",
            "sailthru.title",
            "dc.title",
            "dcterms.title",
            "headline",
        ])
        .map(|t| clean(&t)),
        html_title,
    ]
    .into_iter()
    .flatten()
    .find(|t| !t.is_empty())
}

fn lead_image(c: &Collected, ld: &LdFacts, base: Option<&str>) -> Option<Image> {
    let meta_url = c.meta(&[
        "og:image:secure_url",
        "og:image:url",
        "og:image",
        "twitter:image",
        "twitter:image:src",
    ]);
    let (url, from_ld) = match (meta_url, &ld.image) {
        (Some(u), _) => (u, false),
        (None, Some((u, ..))) => (u.clone(), true),
        (None, None) => (c.image_src.clone().or_else(|| c.itemprop("image"))?, false),
    };
    let url = url::resolve(base, &url)?;
    let (caption, credit) = match &ld.image {
        Some((ld_url, caption, credit))
            if from_ld || url::resolve(base, ld_url).as_deref() == Some(url.as_str()) =>
        {
            (caption.clone(), credit.clone())
        }
        _ => (None, None),
    };
    Some(Image {
        url: Some(url),
        caption,
        credit: credit.filter(|cr| cr.len() <= 120),
    })
}

/// Bylines, most reliable source first, and the agency any source names.
fn authors(c: &Collected, ld: &LdFacts) -> (Vec<String>, Option<String>) {
    let mut agency: Option<&'static str> = None;
    let mut sources: Vec<Vec<String>> = Vec::new();
    let mut from_ld = Vec::new();
    for (name, is_org) in &ld.authors {
        note_agency(&mut agency, name);
        if !is_org {
            from_ld.extend(split_names(name));
        }
    }
    let ld_only_agency = from_ld.is_empty() && agency.is_some();
    sources.push(from_ld);
    for key in AUTHOR_KEYS {
        let values: Vec<String> = c
            .metas
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| collapse_ws(v))
            .collect();
        let mut names = Vec::new();
        for v in values {
            note_agency(&mut agency, &v);
            names.extend(split_names(&v));
        }
        sources.push(names);
    }
    if let Some(parsely) = c.meta(&["parsely-page"]) {
        for v in jsonld::parse_lenient(&parsely) {
            if let Some(a) = v.get("author") {
                let names: Vec<String> = jsonld::names(a, &[])
                    .into_iter()
                    .flat_map(|(n, _)| split_names(&n))
                    .collect();
                sources.push(names);
            }
        }
    }
    let mut by_strength: Vec<&(u8, String)> = c.bylines.iter().collect();
    by_strength.sort_by_key(|(s, _)| *s);
    for (_, text) in by_strength {
        note_agency(&mut agency, text);
        let cleaned = text
            .trim_start_matches(|ch: char| !ch.is_alphanumeric())
            .to_string();
        if let Some(a) = byline_agency(&cleaned) {
            note_agency(&mut agency, a);
        }
        sources.push(split_names(&cleaned));
    }
    if let Some(p) = &ld.publisher {
        note_agency(&mut agency, p);
    }
    // When the JSON-LD credits only an agency, that is the byline: visible fallbacks would pick
    // up datelines and section names.
    let mut names = if ld_only_agency {
        Vec::new()
    } else {
        sources
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.to_lowercase()));
    names.truncate(12);
    (names, agency.map(str::to_string))
}

fn note_agency(slot: &mut Option<&'static str>, name: &str) {
    if slot.is_none() {
        *slot = agency_of(name);
    }
}

/// An agency credited at the end of a byline: "By Jane Doe, Reuters".
fn byline_agency(text: &str) -> Option<&'static str> {
    text.rsplit([',', '|', '/'])
        .next()
        .and_then(agency_of)
        .or_else(|| agency_of(text))
}

fn dates(
    c: &Collected,
    ld: &LdFacts,
    ctx: &DateContext,
    text_ctx: &DateContext,
) -> (Option<ParsedDate>, Option<ParsedDate>) {
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| parse_date(s, ctx));
    let mut published = parse(&ld.published)
        .or_else(|| PUBLISHED_KEYS.iter().find_map(|k| parse(&c.meta(&[k]))))
        .or_else(|| parse(&c.itemprop("datepublished")))
        .or_else(|| {
            parse(
                &c.meta(&["parsely-page"])
                    .and_then(|p| parsely_field(&p, "pub_date")),
            )
        });
    let mut updated = parse(&ld.modified)
        .or_else(|| UPDATED_KEYS.iter().find_map(|k| parse(&c.meta(&[k]))))
        .or_else(|| parse(&c.itemprop("datemodified")));

    // What the reader sees: <time> elements, then "Published …" lines, nearest the headline.
    let h1 = c.h1.first().map_or(0, |(i, _)| *i);
    // Elements after the headline are bylines; before it, mastheads and kickers.
    let distance = |i: usize| if i >= h1 { i - h1 } else { (h1 - i) * 3 + 30 };
    let mut visible: Vec<(usize, bool, ParsedDate)> = Vec::new();
    for (i, datetime, text, is_updated) in &c.times {
        let p = datetime
            .as_deref()
            .and_then(|d| parse_date(d, ctx))
            .or_else(|| parse_date(text, text_ctx));
        if let Some(p) = p {
            visible.push((distance(*i), *is_updated, p));
        }
    }
    for (i, text) in &c.date_texts {
        for segment in text.split(['|', '•', '·', '\n']) {
            let segment = segment.trim();
            if let Some(p) = parse_date(segment, text_ctx) {
                // A <time> element beats a text line at the same distance.
                visible.push((distance(*i) + 20, says_updated(segment), p));
            }
        }
    }
    visible.sort_by_key(|(d, ..)| *d);
    if published.is_none() {
        published = visible.iter().find(|(_, u, _)| !u).map(|(.., p)| p.clone());
    }
    if updated.is_none() {
        updated = visible.iter().find(|(_, u, _)| *u).map(|(.., p)| p.clone());
    }
    if published.is_none() {
        // Only an "Updated …" line: it is the best publication time we have.
        published = updated.clone();
    }
    (published, updated)
}

fn parsely_field(json: &str, key: &str) -> Option<String> {
    jsonld::parse_lenient(json)
        .iter()
        .find_map(|v| v.get(key).and_then(jsonld::text))
}
