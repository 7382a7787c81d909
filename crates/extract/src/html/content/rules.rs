//! What tags, attributes and class/id names tell us before any text is counted.
//!
//! Three kinds of signal:
//! - **tags**: `script`, `nav`, `iframe` … never hold the story ([`Drop::Hard`]); `aside`,
//!   `header`, `footer`, `form` usually do not, but some sites wrap the whole page in one, so
//!   they are only [`Drop::Soft`] (dropped unless the element turns out to hold the story);
//! - **visibility**: the `hidden` attribute and inline `display:none` hide an element
//!   ([`Drop::Hard`]);
//! - **names**: class and id are split into lower-case words (`article-body__share` → `article`,
//!   `body`, `share`). Words such as `comment`, `share`, `related`, `newsletter`, `sidebar` mark
//!   boilerplate ([`Drop::Soft`]); words such as `article`, `story`, `content` raise the
//!   element's weight as a story container.
//!
//! Names are matched word by word rather than by substring so that `shadow` is not `ad` and
//! `address` is not `ads`.

use crate::dom::NodeRef;

/// The tags content detection distinguishes. Everything else is a generic block or inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    /// `<p>`.
    P,
    /// `<h1>`…`<h6>` with the level.
    Heading(u8),
    /// `<ul>`/`<ol>` (true when ordered).
    List(bool),
    /// `<li>`.
    Li,
    /// `<dl>`.
    Dl,
    /// `<blockquote>`.
    Quote,
    /// `<pre>`.
    Pre,
    /// `<table>`.
    Table,
    /// `<figure>`.
    Figure,
    /// `<figcaption>`.
    Figcaption,
    /// `<img>`.
    Img,
    /// `<picture>`, `<source>`: image wrappers.
    Picture,
    /// `<br>`.
    Br,
    /// `<hr>`.
    Hr,
    /// `<a>`.
    A,
    /// `<html>`, `<body>`, `<main>`, `<article>`: never dropped for their class names.
    Root,
    /// Elements that never hold story text (`script`, `nav`, `iframe`, …).
    Never,
    /// Elements that usually hold no story text (`aside`, `header`, `footer`, `form`).
    Unlikely,
    /// Any other block-level element (`div`, `section`, `td`, unknown custom elements…).
    Block,
    /// Inline elements (`span`, `em`, `strong`, …).
    Inline,
}

impl Tag {
    /// Classifies an element name (lower case, as html5ever gives it).
    pub fn of(name: &str) -> Tag {
        match name {
            "p" => Tag::P,
            "h1" => Tag::Heading(1),
            "h2" => Tag::Heading(2),
            "h3" => Tag::Heading(3),
            "h4" => Tag::Heading(4),
            "h5" => Tag::Heading(5),
            "h6" => Tag::Heading(6),
            "ul" | "menu" => Tag::List(false),
            "ol" => Tag::List(true),
            "li" => Tag::Li,
            "dl" => Tag::Dl,
            "blockquote" => Tag::Quote,
            "pre" | "listing" | "xmp" => Tag::Pre,
            "table" => Tag::Table,
            "figure" => Tag::Figure,
            "figcaption" => Tag::Figcaption,
            "img" | "amp-img" => Tag::Img,
            "picture" | "source" => Tag::Picture,
            "br" => Tag::Br,
            "hr" => Tag::Hr,
            "a" => Tag::A,
            "html" | "body" | "main" | "article" => Tag::Root,
            "script" | "style" | "noscript" | "template" | "head" | "title" | "meta" | "link"
            | "iframe" | "frame" | "frameset" | "svg" | "canvas" | "button" | "select"
            | "input" | "textarea" | "option" | "optgroup" | "object" | "embed" | "video"
            | "audio" | "map" | "nav" | "math" | "dialog" | "label" | "param" | "track" => {
                Tag::Never
            }
            "aside" | "header" | "footer" | "form" | "fieldset" => Tag::Unlikely,
            "span" | "em" | "strong" | "b" | "i" | "u" | "s" | "small" | "big" | "sup" | "sub"
            | "font" | "time" | "abbr" | "acronym" | "cite" | "code" | "mark" | "q" | "del"
            | "ins" | "strike" | "tt" | "kbd" | "var" | "dfn" | "bdi" | "bdo" | "wbr" | "data"
            | "nobr" | "samp" | "rt" | "rp" | "ruby" => Tag::Inline,
            _ => Tag::Block,
        }
    }

    /// True for elements that start a new block of text (a line break before and after).
    pub fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::Inline | Tag::A | Tag::Img | Tag::Picture | Tag::Br | Tag::Never
        )
    }

    /// True for `<h1>`…`<h6>`.
    pub fn is_heading(self) -> bool {
        matches!(self, Tag::Heading(_))
    }
}

/// Whether an element is dropped before scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Drop {
    /// Kept.
    Keep,
    /// Dropped unless it holds most of the story (see the density guard in `mod.rs`).
    Soft,
    /// Always dropped.
    Hard,
}

/// What an element's attributes say.
#[derive(Debug, Clone, Copy)]
pub(super) struct AttrSignals {
    /// Drop decision from tag, visibility and names.
    pub drop: Drop,
    /// Story-container weight from names: −1, 0, +1, or +2 for `itemprop=articleBody`.
    pub weight: i8,
}

/// Name words that mark boilerplate, matched exactly.
const NEGATIVE_EXACT: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "adunit",
    "advert",
    "banner",
    "bio",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "bylines",
    "comment",
    "comments",
    "commentlist",
    "community",
    "consent",
    "cookie",
    "cookies",
    "disqus",
    "footer",
    "gallery",
    "slideshow",
    "carousel",
    "footnote",
    "masthead",
    "menu",
    "meta",
    "modal",
    "more",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "pagination",
    "pager",
    "popup",
    "popular",
    "promo",
    "related",
    "recirc",
    "recommended",
    "share",
    "sharing",
    "shares",
    "sidebar",
    "signup",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "taboola",
    "tag",
    "tags",
    "toolbar",
    "tools",
    "trending",
    "widget",
    "author",
    "offscreen",
    "print",
    "skip",
    "login",
    "tooltip",
];

/// Name prefixes that mark boilerplate (`advertisement`, `newsletters`, `sharebar`…).
const NEGATIVE_PREFIX: &[&str] = &[
    "advert",
    "adsby",
    "breadcrumb",
    "comment",
    "cookie",
    "newsletter",
    "promo",
    "related",
    "recommend",
    "sharing",
    "sharebar",
    "sidebar",
    "social",
    "sponsor",
    "subscri",
    "taboola",
    "outbrain",
    "trending",
    "widget",
];

/// Name words that mark a story container.
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "main",
    "post",
    "postbody",
    "prose",
    "story",
    "storybody",
    "text",
    "richtext",
    "blog",
];

/// Reads tag, visibility and class/id names of one element.
pub(super) fn classify_attrs(el: &NodeRef<'_>, tag: Tag) -> AttrSignals {
    let mut drop = match tag {
        Tag::Never => Drop::Hard,
        Tag::Unlikely => Drop::Soft,
        _ => Drop::Keep,
    };
    let mut weight: i8 = 0;
    let mut negative = false;
    let mut positive = false;
    for (name, value) in el.attrs() {
        match name {
            "class" if value.split_ascii_whitespace().any(is_hiding_class) => {
                drop = drop.max_with(Drop::Soft);
                let (neg, pos) = name_signals(value);
                negative |= neg;
                positive |= pos;
            }
            "class" | "id" => {
                let (neg, pos) = name_signals(value);
                negative |= neg;
                positive |= pos;
            }
            "hidden" => drop = Drop::Hard,
            "style" if hides(value) => drop = Drop::Hard,
            "role" => match value.trim() {
                "navigation" | "menu" | "menubar" | "dialog" | "alertdialog" | "search" => {
                    drop = drop.max_with(Drop::Hard)
                }
                "complementary" | "contentinfo" | "banner" => drop = drop.max_with(Drop::Soft),
                "main" | "article" => positive = true,
                _ => {}
            },
            "itemprop" if value.trim().eq_ignore_ascii_case("articlebody") => weight = 2,
            "aria-hidden" if value.trim() == "true" && tag == Tag::Block => {
                drop = drop.max_with(Drop::Soft)
            }
            _ => {}
        }
    }
    if negative && tag != Tag::Root && tag.is_block() {
        drop = drop.max_with(Drop::Soft);
    }
    if weight == 0 {
        weight = match (positive, negative) {
            (true, false) => 1,
            (false, true) => -1,
            _ => 0,
        };
    }
    AttrSignals { drop, weight }
}

impl Drop {
    fn max_with(self, other: Drop) -> Drop {
        match (self, other) {
            (Drop::Hard, _) | (_, Drop::Hard) => Drop::Hard,
            (Drop::Soft, _) | (_, Drop::Soft) => Drop::Soft,
            _ => Drop::Keep,
        }
    }
}

/// Utility classes that hide an element (whole class tokens: `hide`, `d-none`, `sr-only`…).
/// Whole tokens only: `hidden-xs` hides on small screens and shows on the desktop page.
fn is_hiding_class(class: &str) -> bool {
    matches!(
        class.to_ascii_lowercase().as_str(),
        "hide"
            | "hidden"
            | "is-hidden"
            | "d-none"
            | "invisible"
            | "sr-only"
            | "visually-hidden"
            | "visuallyhidden"
            | "screen-reader-text"
            | "screen-reader-only"
            | "offscreen"
            | "u-hidden"
    )
}

/// True when an inline style hides the element.
fn hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    compact.contains("display:none") || compact.contains("visibility:hidden")
}

/// (negative, positive) signals of a class or id value.
pub(super) fn name_signals(value: &str) -> (bool, bool) {
    let mut negative = false;
    let mut positive = false;
    for word in name_words(value) {
        if NEGATIVE_EXACT.contains(&word.as_str())
            || NEGATIVE_PREFIX.iter().any(|p| word.starts_with(p))
        {
            negative = true;
        }
        if POSITIVE.contains(&word.as_str()) {
            positive = true;
        }
    }
    (negative, positive)
}

/// Splits a class/id value into lower-case words at anything not alphanumeric and at
/// lower→upper case changes (`articleBody` → `article`, `body`). One-letter pieces (the `c-`/`l-`
/// prefixes of BEM-style names) are skipped.
pub(super) fn name_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in value.chars() {
        if ch.is_ascii_alphanumeric() {
            if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
            cur.push(ch.to_ascii_lowercase());
        } else {
            prev_lower = false;
            if cur.len() > 1 {
                words.push(std::mem::take(&mut cur));
            } else {
                cur.clear();
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_case_and_punctuation() {
        assert_eq!(
            name_words("articleBody share-bar__item sr-only"),
            vec!["article", "body", "share", "bar", "item", "sr", "only"]
        );
    }

    #[test]
    fn one_letter_prefixes_are_skipped() {
        assert_eq!(name_words("c-article-body"), vec!["article", "body"]);
    }

    #[test]
    fn names_match_by_word_not_substring() {
        assert_eq!(name_signals("shadow-box"), (false, false));
        assert_eq!(name_signals("address"), (false, false));
        assert_eq!(name_signals("article-comments"), (true, true));
        assert_eq!(name_signals("story-body"), (false, true));
        assert_eq!(name_signals("newsletter-signup"), (true, false));
    }
}
