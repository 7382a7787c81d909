//! Page metadata: JSON-LD (`NewsArticle` and kin), OpenGraph and `<meta>` tags, `<time>`,
//! bylines, canonical URL, language.

use crate::dates::{DateContext, ParsedDate, parse_date};
use newsdesk_article::Image;
use scraper::{Html, Selector};

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
    /// JSON-LD `articleBody`, when the page embeds one.
    pub json_ld_body: Option<String>,
}

fn sel(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

fn meta_content(doc: &Html, selector: &str) -> Option<String> {
    let s = sel(selector)?;
    doc.select(&s)
        .filter_map(|e| e.value().attr("content"))
        .map(crate::clean::collapse_ws)
        .find(|v| !v.is_empty())
}

/// Reads the page's metadata.
pub fn extract_meta(doc: &Html, ctx: &DateContext, _base_url: Option<&str>) -> PageMeta {
    let mut m = PageMeta {
        title: meta_content(doc, r#"meta[property="og:title"]"#),
        site_name: meta_content(doc, r#"meta[property="og:site_name"]"#),
        canonical_url: meta_content(doc, r#"meta[property="og:url"]"#),
        description: meta_content(doc, r#"meta[name="description"]"#),
        section: meta_content(doc, r#"meta[property="article:section"]"#),
        ..PageMeta::default()
    };
    if m.title.is_none() {
        m.title = sel("title")
            .and_then(|s| doc.select(&s).next())
            .map(|e| crate::clean::collapse_ws(&e.text().collect::<String>()))
            .filter(|t| !t.is_empty());
    }
    if let Some(a) = meta_content(doc, r#"meta[name="author"]"#) {
        m.authors.push(a);
    }
    m.published = meta_content(doc, r#"meta[property="article:published_time"]"#)
        .and_then(|d| parse_date(&d, ctx));
    m.updated = meta_content(doc, r#"meta[property="article:modified_time"]"#)
        .and_then(|d| parse_date(&d, ctx));
    m.language = doc
        .root_element()
        .value()
        .attr("lang")
        .and_then(|l| l.split(['-', '_']).next())
        .map(|l| l.to_ascii_lowercase())
        .filter(|l| !l.is_empty());
    m
}
