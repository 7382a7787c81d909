//! A flat, pre-order copy of the parsed tree with the numbers content detection needs.
//!
//! Every node of the parsed tree (elements and text) becomes one entry of a `Vec`, in document
//! order. A node's subtree is the index range `i..end`, its parent is an index, and children
//! always come after their parent. That layout gives us three things without any recursion:
//! - a subtree can be skipped by jumping to `end` (so dropping a sidebar costs nothing),
//! - totals over subtrees are one backwards pass (each node adds itself into its parent),
//! - document order is just index order.
//!
//! The tree is walked iteratively along the arena DOM's links, so a page nested 10,000 deep
//! costs a deep `Vec`, not a deep call stack.

use super::rules::{self, Drop, Tag};
use crate::dom::{Dom, NodeKind, NodeRef, Step};

/// Sentinel for "no parent".
pub(super) const NONE: u32 = u32::MAX;

/// What a flat node is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind<'a> {
    /// An element, with its classified tag.
    Element(NodeRef<'a>, Tag),
    /// A text node.
    Text(&'a str),
    /// Anything else (document root, comments, doctype): no content of its own.
    Other,
}

/// One node of the flat tree.
#[derive(Debug, Clone)]
pub(super) struct FlatNode<'a> {
    /// Element, text or other.
    pub kind: Kind<'a>,
    /// Parent index, or [`NONE`].
    pub parent: u32,
    /// One past the last index of this node's subtree.
    pub end: u32,
    /// Why this element would be dropped, decided from tag and attributes alone.
    pub drop: Drop,
    /// Class/id weight: positive for story-like names, negative for boilerplate-like names.
    pub weight: i8,
    /// True when this node or an ancestor is an `<a>`.
    pub in_link: bool,
    /// For text: the nearest block-level ancestor (its "paragraph"). For elements: unused.
    pub block: u32,
    /// Removed: this node or an ancestor is dropped. Filled by [`FlatDom::mark_removed`].
    pub removed: bool,
    /// Visible text characters (non-whitespace) in the subtree, removed parts excluded.
    pub chars: u32,
    /// Of `chars`, those inside links.
    pub link_chars: u32,
    /// Text characters that sit directly in this block (not inside a nested block).
    pub inline_chars: u32,
    /// Of `inline_chars`, those inside links.
    pub inline_link_chars: u32,
    /// Commas in the inline text (a cheap "this is prose" signal).
    pub inline_commas: u32,
    /// Characters of qualifying paragraphs in the subtree (see [`FlatDom::is_paragraph`]).
    pub good: u32,
    /// Number of qualifying paragraphs in the subtree.
    pub paragraphs: u32,
    /// Number of links (`<a>` with text) in the subtree.
    pub links: u32,
    /// Content score propagated up from paragraphs.
    pub score: f32,
    /// Best container score anywhere in the subtree (see `select`).
    pub best_within: f32,
}

/// The flat tree.
#[derive(Debug)]
pub(super) struct FlatDom<'a> {
    /// Nodes in document (pre-)order; index 0 is the document root.
    pub nodes: Vec<FlatNode<'a>>,
}

impl<'a> FlatDom<'a> {
    /// Flattens a parsed document.
    pub fn build(doc: &'a Dom) -> Self {
        let mut nodes: Vec<FlatNode<'a>> = Vec::with_capacity(doc.len());
        // Open elements: (index, nearest block index for its content).
        let mut stack: Vec<(u32, u32)> = Vec::new();
        let mut names = rules::NameCache::default();
        // Pre-order walk (iterative, see `NodeRef::walk`): a node's subtree is the index range
        // from its own index to `end`, which is set when the walk leaves it.
        doc.root().walk(|step| match step {
            Step::Open(node) => {
                let idx = nodes.len() as u32;
                let (parent, parent_block) = stack.last().copied().unwrap_or((NONE, NONE));
                let parent_in_link = nodes
                    .get(parent as usize)
                    .is_some_and(|p| p.in_link || matches!(p.kind, Kind::Element(_, Tag::A)));
                let mut flat = FlatNode {
                    kind: Kind::Other,
                    parent,
                    end: idx + 1,
                    drop: Drop::Keep,
                    weight: 0,
                    in_link: parent_in_link,
                    block: parent_block,
                    removed: false,
                    chars: 0,
                    link_chars: 0,
                    inline_chars: 0,
                    inline_link_chars: 0,
                    inline_commas: 0,
                    good: 0,
                    paragraphs: 0,
                    links: 0,
                    score: 0.0,
                    best_within: 0.0,
                };
                let mut block = parent_block;
                match node.kind() {
                    NodeKind::Element => {
                        let tag = Tag::of(node.name());
                        let attrs = rules::classify_attrs(&node, tag, &mut names);
                        flat.kind = Kind::Element(node, tag);
                        flat.drop = attrs.drop;
                        flat.weight = attrs.weight;
                        if tag.is_block() {
                            block = idx;
                        }
                    }
                    NodeKind::Text => flat.kind = Kind::Text(node.as_text().unwrap_or("")),
                    _ => {}
                }
                nodes.push(flat);
                stack.push((idx, block));
                true
            }
            Step::Close(_) => {
                if let Some((open, _)) = stack.pop() {
                    let end = nodes.len() as u32;
                    if let Some(n) = nodes.get_mut(open as usize) {
                        n.end = end;
                    }
                }
                false
            }
        });
        FlatDom { nodes }
    }

    /// One past the last index of `i`'s subtree, clamped to the vector.
    pub fn subtree_end(&self, i: usize) -> usize {
        self.nodes
            .get(i)
            .map_or(i, |n| (n.end as usize).min(self.nodes.len()))
    }

    /// The index after `i`'s subtree: where a walk goes to skip it (always past `i`).
    pub fn skip(&self, i: usize) -> usize {
        self.nodes
            .get(i)
            .map_or(i + 1, |n| (n.end as usize).max(i + 1))
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The element and tag at `i`, if `i` is an element.
    pub fn element(&self, i: usize) -> Option<(NodeRef<'a>, Tag)> {
        match self.nodes.get(i)?.kind {
            Kind::Element(el, tag) => Some((el, tag)),
            _ => None,
        }
    }

    /// The tag at `i` (`None` for text and other nodes).
    pub fn tag(&self, i: usize) -> Option<Tag> {
        self.element(i).map(|(_, t)| t)
    }

    /// Marks every node inside a dropped element as removed; `dropped(i)` says which elements
    /// are dropped. One forward pass: parents come before children.
    pub fn mark_removed(&mut self, dropped: impl Fn(&FlatNode<'a>) -> bool) {
        for i in 0..self.nodes.len() {
            let parent_removed = self
                .nodes
                .get(self.nodes[i].parent as usize)
                .is_some_and(|p| p.removed);
            let own = dropped(&self.nodes[i]);
            self.nodes[i].removed = parent_removed || own;
        }
    }

    /// Recomputes every text total over the nodes that are not removed. One forward pass gives
    /// each text node's characters to its block, one backward pass sums subtrees.
    pub fn compute_totals(&mut self) {
        for n in &mut self.nodes {
            n.chars = 0;
            n.link_chars = 0;
            n.inline_chars = 0;
            n.inline_link_chars = 0;
            n.inline_commas = 0;
            n.good = 0;
            n.paragraphs = 0;
            n.links = 0;
            n.score = 0.0;
        }
        for i in 0..self.nodes.len() {
            let n = &self.nodes[i];
            if n.removed {
                continue;
            }
            let Kind::Text(text) = n.kind else { continue };
            let (chars, commas) = count_text(text);
            if chars == 0 {
                continue;
            }
            let link = if n.in_link { chars } else { 0 };
            let block = n.block as usize;
            self.nodes[i].chars = chars;
            self.nodes[i].link_chars = link;
            if let Some(b) = self.nodes.get_mut(block) {
                b.inline_chars += chars;
                b.inline_link_chars += link;
                b.inline_commas += commas;
            }
        }
        for i in (0..self.nodes.len()).rev() {
            if self.nodes[i].removed {
                continue;
            }
            if self.is_paragraph(i) {
                self.nodes[i].good += self.nodes[i].inline_chars;
                self.nodes[i].paragraphs += 1;
            }
            if matches!(self.nodes[i].kind, Kind::Element(_, Tag::A)) && self.nodes[i].chars > 0 {
                self.nodes[i].links += 1;
            }
            let n = &self.nodes[i];
            let (chars, link, good, paras, links) =
                (n.chars, n.link_chars, n.good, n.paragraphs, n.links);
            let parent = n.parent as usize;
            if let Some(p) = self.nodes.get_mut(parent) {
                p.chars += chars;
                p.link_chars += link;
                p.good += good;
                p.paragraphs += paras;
                p.links += links;
            }
        }
    }

    /// A qualifying paragraph: a block whose own inline text is long enough to be prose and
    /// is not mostly links.
    pub fn is_paragraph(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        match n.kind {
            Kind::Element(_, tag) if tag.is_block() && !tag.is_heading() => {
                n.inline_chars >= 25 && n.inline_link_chars * 2 <= n.inline_chars
            }
            _ => false,
        }
    }

    /// Share of the subtree's text that is inside links.
    pub fn link_density(&self, i: usize) -> f32 {
        let n = &self.nodes[i];
        if n.chars == 0 {
            0.0
        } else {
            n.link_chars as f32 / n.chars as f32
        }
    }
}

/// Visible characters (not whitespace, not invisible) and commas in a text.
pub(super) fn count_text(text: &str) -> (u32, u32) {
    let mut chars = 0u32;
    let mut commas = 0u32;
    for ch in text.chars() {
        if crate::clean::is_space(ch) || crate::clean::is_invisible(ch) {
            continue;
        }
        chars += 1;
        if matches!(ch, ',' | '،' | '，' | '、') {
            commas += 1;
        }
    }
    (chars, commas)
}
