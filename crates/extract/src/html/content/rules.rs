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

/// Name words that mark boilerplate, matched exactly. Sorted (binary search; a test checks).
const NEGATIVE_EXACT: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "adunit",
    "advert",
    "author",
    "banner",
    "bio",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "bylines",
    "carousel",
    "comment",
    "commentlist",
    "comments",
    "community",
    "consent",
    "cookie",
    "cookies",
    "disqus",
    "footer",
    "footnote",
    "gallery",
    "login",
    "masthead",
    "menu",
    "meta",
    "modal",
    "more",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "offscreen",
    "outbrain",
    "pager",
    "pagination",
    "popular",
    "popup",
    "print",
    "promo",
    "recirc",
    "recommended",
    "related",
    "share",
    "shares",
    "sharing",
    "sidebar",
    "signup",
    "skip",
    "slideshow",
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
    "tooltip",
    "trending",
    "widget",
];

/// Name prefixes that mark boilerplate (`advertisement`, `newsletters`, `sharebar`…).
const NEGATIVE_PREFIX: &[&str] = &[
    "adsby",
    "advert",
    "breadcrumb",
    "comment",
    "cookie",
    "newsletter",
    "outbrain",
    "promo",
    "recommend",
    "related",
    "sharebar",
    "sharing",
    "sidebar",
    "social",
    "sponsor",
    "subscri",
    "taboola",
    "trending",
    "widget",
];

/// Name words that mark a story container. Sorted (binary search; a test checks).
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "blog",
    "body",
    "content",
    "entry",
    "main",
    "post",
    "postbody",
    "prose",
    "richtext",
    "story",
    "storybody",
    "text",
];

/// Name signals already computed on this page, by class/id value. Pages repeat the same class
/// strings hundreds of times (menu items, cards, comment rows), so each distinct value is split
/// and looked up once.
pub(super) type NameCache<'a> = std::collections::HashMap<&'a str, (bool, bool)>;

/// Reads tag, visibility and class/id names of one element, with a per-page cache of name
/// signals.
pub(super) fn classify_attrs<'a>(
    el: &NodeRef<'a>,
    tag: Tag,
    names: &mut NameCache<'a>,
) -> AttrSignals {
    let mut cached_signals =
        |value: &'a str| *names.entry(value).or_insert_with(|| name_signals(value));
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
                let (neg, pos) = cached_signals(value);
                negative |= neg;
                positive |= pos;
            }
            "class" | "id" => {
                let (neg, pos) = cached_signals(value);
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
    const HIDING: &[&str] = &[
        "hide",
        "hidden",
        "is-hidden",
        "d-none",
        "invisible",
        "sr-only",
        "visually-hidden",
        "visuallyhidden",
        "screen-reader-text",
        "screen-reader-only",
        "offscreen",
        "u-hidden",
    ];
    HIDING.iter().any(|h| h.eq_ignore_ascii_case(class))
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
    let mut buf = [0u8; 32];
    for_each_name_word(value, |word| {
        // Every listed word is short and lower-case: compare a lower-cased copy on the stack.
        let Some(lower) = buf.get_mut(..word.len()) else {
            // Longer than any listed word; only the prefixes can match.
            negative |= NEGATIVE_PREFIX
                .iter()
                .any(|p| starts_with_ignore_case(word, p));
            return;
        };
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        let lower: &[u8] = lower;
        let found = |list: &[&str]| list.binary_search_by(|w| w.as_bytes().cmp(lower)).is_ok();
        if !negative
            && (found(NEGATIVE_EXACT)
                || NEGATIVE_PREFIX
                    .iter()
                    .any(|p| lower.starts_with(p.as_bytes())))
        {
            negative = true;
        }
        if !positive && found(POSITIVE) {
            positive = true;
        }
    });
    (negative, positive)
}

/// True when `word` starts with the lower-case `prefix`, ignoring ASCII case.
pub(super) fn starts_with_ignore_case(word: &str, prefix: &str) -> bool {
    word.len() >= prefix.len()
        && word.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Splits a class/id value into words at anything not alphanumeric and at lower→upper case
/// changes (`articleBody` → `article`, `Body`) and calls `f` with each word as a slice of
/// `value` (original case: compare with `eq_ignore_ascii_case`). One-letter pieces before a
/// separator (the `c-`/`l-` prefixes of BEM-style names) are skipped.
///
/// This runs for every class and id on every page, so it allocates nothing.
pub(super) fn for_each_name_word(value: &str, mut f: impl FnMut(&str)) {
    let bytes = value.as_bytes();
    let mut start = 0;
    let mut prev_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            if b.is_ascii_uppercase() && prev_lower && i > start {
                f(&value[start..i]);
                start = i;
            }
            prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        } else {
            prev_lower = false;
            if i - start > 1 {
                f(&value[start..i]);
            }
            // Non-ASCII bytes are separators too; the next word starts after this byte.
            start = i + 1;
        }
    }
    if start < bytes.len() {
        f(&value[start..]);
    }
}

/// The words of a class/id value, lower-cased (see [`for_each_name_word`]).
pub(super) fn name_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_name_word(value, |w| words.push(w.to_ascii_lowercase()));
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
    fn word_lists_are_sorted_lower_case_for_binary_search() {
        for list in [NEGATIVE_EXACT, NEGATIVE_PREFIX, POSITIVE] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            assert!(
                list.iter()
                    .all(|w| w.len() <= 32 && *w == w.to_ascii_lowercase())
            );
        }
        assert_eq!(name_signals("ArticleBody ShareBar"), (true, true));
        assert_eq!(
            name_signals("x-averyveryveryverylongwordthatisnotlisted-advertisement"),
            (true, false)
        );
    }

    #[test]
    fn one_letter_prefixes_are_skipped() {
        assert_eq!(name_words("c-article-body"), vec!["article", "body"]);
        assert_eq!(name_words("a-B x日本yz"), vec!["yz"]);
        assert_eq!(name_words("xB-yy"), vec!["x", "yy"]);
        assert_eq!(name_words("storyBody2"), vec!["story", "body2"]);
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
