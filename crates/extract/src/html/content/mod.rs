//! Main-content detection: which part of the page is the story, as ordered [`Block`]s plus the
//! story's images.
//!
//! # The algorithm
//!
//! 1. **Flatten** ([`dom`]): the parsed tree becomes a pre-order `Vec` where a subtree is an
//!    index range. Everything after this is a handful of linear passes over that vector; nothing
//!    recurses, so absurdly deep pages cannot overflow the stack.
//! 2. **Drop what never holds a story** ([`rules`]): `script`, `nav`, `iframe`, hidden elements
//!    go at once. Elements whose tag or class/id *suggests* boilerplate (`aside`, `footer`,
//!    `comments`, `share`, `related`, `newsletter`, …) are only candidates for dropping: after
//!    counting text, a candidate that holds most of the page's prose is kept, because some sites
//!    put the whole page inside a `<form>` or a `div.has-comments`.
//! 3. **Count** ([`dom::FlatDom::compute_totals`]): text characters, link characters and commas
//!    per block, summed bottom-up once. A *paragraph* is a block whose own text is at least 25
//!    characters and at most half links.
//! 4. **Score and choose** ([`select`]): every paragraph gives points (more for length and
//!    commas) to its parent, half to its grandparent and less further up. Story paragraphs
//!    share one parent, so points pile up on the story container; comments and teasers each
//!    have their own wrapper and spread their points thin. Scores are scaled down by link
//!    density and nudged by class names (`article-body` up, `promo` down). The best element
//!    wins; its siblings join when they score close to it or read like story paragraphs, and
//!    short pieces between joined siblings (sub-headings, figures) come along.
//! 5. **Emit** ([`emit`]): walk the chosen subtrees in order and turn them into paragraphs,
//!    headings, lists, quotes and preformatted blocks; figures and captions become [`Image`]s
//!    (with the credit split off the caption), not body text. Link-dense containers inside
//!    the story (related-link boxes without a telling class) are skipped.
//! 6. **Trim** ([`trim`]): drop link-heavy paragraphs, stand-alone boilerplate lines
//!    ("Advertisement", "Read more", "Sign up for…"), the headline and what precedes it, and
//!    short non-sentence lines (bylines, dates, share prompts) at the start and end.
//!
//! Why not readability's loop of "score, and if too little text, retry with fewer removals"?
//! Each retry re-walks the page; the density guard in step 2 gets the same robustness in one
//! pass.

mod dom;
mod emit;
mod rules;
mod select;
mod trim;

use crate::dom::Dom;
use dom::FlatDom;
use newsdesk_article::{Block, Image};
use rules::Drop;

/// What the metadata tells content detection.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hints<'a> {
    /// The headline from metadata (helps find where the story starts).
    pub title: Option<&'a str>,
    /// JSON-LD `articleBody`, when the page has one (a strong hint of what the body is).
    pub json_ld_body: Option<&'a str>,
    /// Base URL for resolving image links.
    pub base_url: Option<&'a str>,
}

/// The story's content.
#[derive(Debug, Default, Clone)]
pub struct Content {
    /// Body blocks in reading order.
    pub blocks: Vec<Block>,
    /// Images inside the story with captions and credits.
    pub images: Vec<Image>,
    /// Instrument chips printed inside or next to the story.
    pub printed_instruments: Vec<String>,
}

/// A soft-dropped element is kept when it holds at least this share of the page's prose.
const KEEP_SOFT_SHARE: f32 = 0.6;

/// Finds the main content of a parsed page.
pub fn extract_content(doc: &Dom, hints: &Hints<'_>) -> Content {
    let mut dom = FlatDom::build(doc);
    if dom.len() == 0 {
        return Content::default();
    }
    // Pass 1: hard removals only, to learn where the prose is.
    dom.mark_removed(|n| n.drop == Drop::Hard);
    dom.compute_totals();
    let page_good = dom.nodes[0].good as f32;
    // Soft removals, except where the element holds most of the prose (the density guard).
    let keep_soft: Vec<bool> = dom
        .nodes
        .iter()
        .map(|n| {
            n.drop == Drop::Soft && page_good > 0.0 && n.good as f32 >= KEEP_SOFT_SHARE * page_good
        })
        .collect();
    for (n, keep) in dom.nodes.iter_mut().zip(&keep_soft) {
        if *keep {
            n.drop = Drop::Keep;
        }
    }
    dom.mark_removed(|n| n.drop != Drop::Keep);
    dom.compute_totals();

    let roots = select::choose(&mut dom);
    let (pieces, images) = emit::emit(&dom, &roots, hints);
    let blocks = trim::trim(pieces, hints);
    let mut content = Content {
        blocks,
        images,
        printed_instruments: Vec::new(),
    };
    if content.blocks.is_empty()
        && let Some(body) = hints.json_ld_body
    {
        content.blocks = json_ld_blocks(body);
    }
    content
}

/// The JSON-LD `articleBody` as paragraphs: the fallback when the DOM yields nothing.
fn json_ld_blocks(body: &str) -> Vec<Block> {
    body.split("\n\n")
        .flat_map(|p| p.split('\n'))
        .map(crate::clean::collapse_ws)
        .filter(|p| !p.is_empty())
        .map(Block::paragraph)
        .collect()
}

#[cfg(test)]
mod tests;
