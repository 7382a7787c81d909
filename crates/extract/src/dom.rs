//! A compact arena DOM, built directly by html5ever through a [`TreeSink`].
//!
//! # Layout
//!
//! - **Nodes** live in one `Vec<Node>` and point at each other with `u32` indices (parent, first
//!   and last child, previous and next sibling; [`NONE`] for "no node"). A node is 40 bytes: an
//!   element's name is an html5ever [`LocalName`] atom, its namespace one byte, and two `u32`s
//!   say where its attributes are (elements) or where its text is (text nodes).
//! - **Attributes** of every element live in one shared `Vec`: the name as an atom and the value
//!   as a range into one shared `String` of attribute values. An element's attributes are a
//!   contiguous run of that `Vec`, sorted by name (the order scraper gave, which the extractor's
//!   "first attribute wins" loops rely on).
//! - **Text** of every text node is a range into one shared `String`. html5ever delivers text in
//!   pieces and asks the sink to merge adjacent text; when the text being extended ends the
//!   buffer it grows in place, otherwise it is copied to the end first and the old bytes become
//!   garbage. Garbage is compacted away when it outgrows the live text, so pathological pages
//!   (foster-parented table text interleaved with cell text) stay linear.
//! - Comments, the doctype and template contents are nodes without payload (their text is never
//!   read). A `<template>`'s contents are a [`NodeKind::Fragment`] node that is the template's
//!   only child, so walks over the tree see template text the way they did with scraper.
//!
//! # Why
//!
//! scraper's tree costs ~170 bytes per node (a `QualName`, attribute `Vec`, cached class and id
//! cells, tendrils). Extraction only needs traversal, attribute lookup and text, and big pages
//! have hundreds of thousands of nodes, so the arena cuts peak memory by several times and
//! makes walks cache-friendly. Nothing here recurses: traversal follows links with a loop, and
//! dropping the tree drops a few flat `Vec`s, so 10,000-deep pages are harmless.

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};
use std::borrow::Cow;
use std::cell::RefCell;

/// Index of a node in a [`Dom`].
pub type NodeId = u32;

/// "No node" in a link.
pub const NONE: NodeId = u32::MAX;

/// The document node's id.
pub const DOCUMENT: NodeId = 0;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// The document root.
    Document,
    /// A document fragment: a `<template>`'s contents.
    Fragment,
    /// The `<!DOCTYPE>`.
    Doctype,
    /// A comment (or processing instruction); its text is not kept.
    Comment,
    /// Text.
    Text,
    /// An element.
    Element,
}

/// An element's namespace, as one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Html,
    Svg,
    MathMl,
    /// No namespace (never produced by the HTML parser for elements; kept for completeness).
    None,
}

static NS_HTML: Namespace = ns!(html);
static NS_SVG: Namespace = ns!(svg);
static NS_MATHML: Namespace = ns!(mathml);
static NS_NONE: Namespace = ns!();

impl Ns {
    fn of(ns: &Namespace) -> Ns {
        if *ns == ns!(html) {
            Ns::Html
        } else if *ns == ns!(svg) {
            Ns::Svg
        } else if *ns == ns!(mathml) {
            Ns::MathMl
        } else {
            Ns::None
        }
    }

    fn atom(self) -> &'static Namespace {
        match self {
            Ns::Html => &NS_HTML,
            Ns::Svg => &NS_SVG,
            Ns::MathMl => &NS_MATHML,
            Ns::None => &NS_NONE,
        }
    }
}

/// Element flag: a MathML `annotation-xml` that is an HTML integration point.
const FLAG_ANNOTATION_XML: u8 = 1;
/// Element flag: a `<template>` (its first child is its contents fragment).
const FLAG_TEMPLATE: u8 = 2;

/// One node. `a`/`b` are the attribute run (start, count) of an element or the text range
/// (start, length) of a text node.
#[derive(Debug, Clone)]
struct Node {
    name: Option<LocalName>,
    parent: NodeId,
    first_child: NodeId,
    last_child: NodeId,
    prev: NodeId,
    next: NodeId,
    a: u32,
    b: u32,
    kind: NodeKind,
    ns: Ns,
    flags: u8,
}

impl Node {
    fn new(kind: NodeKind) -> Node {
        Node {
            name: None,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev: NONE,
            next: NONE,
            a: 0,
            b: 0,
            kind,
            ns: Ns::Html,
            flags: 0,
        }
    }
}

/// One attribute: name atom and value range. `plain` is false for namespaced attributes
/// (`xlink:href` in SVG), which name lookups skip, as the DOM's `getAttribute` would for a
/// null-namespace query.
#[derive(Debug, Clone)]
struct Attr {
    name: LocalName,
    start: u32,
    len: u32,
    plain: bool,
}

/// A parsed document (or fragment). Build one with [`parse`] or [`parse_fragment`].
#[derive(Debug, Clone)]
pub struct Dom {
    nodes: Vec<Node>,
    attrs: Vec<Attr>,
    values: String,
    text: String,
    /// Bytes of `text` no node points at any more (see the module docs).
    garbage: usize,
    quirks: QuirksMode,
}

/// Text garbage is compacted once it exceeds the live text and this many bytes.
const COMPACT_MIN: usize = 1 << 20;

/// Input is fed to html5ever in pieces of this size, so the parser never holds a second full
/// copy of the page (a one-shot parse copies the whole input into one buffer first).
const CHUNK: usize = 64 * 1024;

/// Parses an HTML document.
pub fn parse(html: &str) -> Dom {
    let parser =
        html5ever::driver::parse_document(Sink::default(), html5ever::ParseOpts::default());
    feed(parser, html)
}

/// Parses an HTML fragment as the contents of a `<body>` (what `innerHTML` would do). The
/// nodes hang under an `<html>` element below the document node.
pub fn parse_fragment(html: &str) -> Dom {
    let parser = html5ever::driver::parse_fragment(
        Sink::default(),
        html5ever::ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("body")),
        Vec::new(),
        false,
    );
    feed(parser, html)
}

fn feed(mut parser: html5ever::driver::Parser<Sink>, html: &str) -> Dom {
    let mut rest = html;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(chunk));
        rest = tail;
    }
    parser.finish()
}

impl Default for Dom {
    fn default() -> Self {
        Dom {
            nodes: vec![Node::new(NodeKind::Document)],
            attrs: Vec::new(),
            values: String::new(),
            text: String::new(),
            garbage: 0,
            quirks: QuirksMode::NoQuirks,
        }
    }
}

impl Dom {
    /// Number of nodes (including the document node and detached nodes).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the document has no node besides the document node.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The document node.
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef {
            dom: self,
            id: DOCUMENT,
        }
    }

    /// The first element child of the document (`<html>`), if any.
    pub fn document_element(&self) -> Option<NodeRef<'_>> {
        self.root().children().find(|n| n.is_element())
    }

    /// The node with this id, if it exists.
    pub fn get(&self, id: NodeId) -> Option<NodeRef<'_>> {
        ((id as usize) < self.nodes.len()).then_some(NodeRef { dom: self, id })
    }

    /// The quirks mode the parser chose.
    pub fn quirks_mode(&self) -> QuirksMode {
        self.quirks
    }

    /// Every element in the document named `tag` (lower case), in document order.
    pub fn elements_by_tag<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        self.root()
            .descendants()
            .filter(move |n| n.is_element() && n.name() == tag)
    }

    // ----- building (used by the sink) -----

    fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        self.nodes.get_mut(id as usize)
    }

    /// Adds a detached node; on (absurd) overflow of the id space returns [`NONE`], which every
    /// linking operation ignores.
    fn push(&mut self, node: Node) -> NodeId {
        let id = self.nodes.len();
        if id >= NONE as usize {
            return NONE;
        }
        self.nodes.push(node);
        id as NodeId
    }

    /// Stores a string in the attribute value buffer.
    fn push_value(&mut self, value: &str) -> Option<(u32, u32)> {
        let start = u32::try_from(self.values.len()).ok()?;
        let len = u32::try_from(value.len()).ok()?;
        start.checked_add(len)?;
        self.values.push_str(value);
        Some((start, len))
    }

    fn new_element(
        &mut self,
        name: QualName,
        mut attrs: Vec<Attribute>,
        flags: ElementFlags,
    ) -> NodeId {
        // Sorted by qualified name: the order scraper kept, which attribute loops rely on.
        attrs.sort_unstable_by(|x, y| x.name.cmp(&y.name));
        let start = self.attrs.len();
        for attr in attrs {
            if let Some((vs, vl)) = self.push_value(&attr.value) {
                self.attrs.push(Attr {
                    plain: attr.name.prefix.is_none() && attr.name.ns == ns!(),
                    name: attr.name.local,
                    start: vs,
                    len: vl,
                });
            }
        }
        let (Ok(a), Ok(b)) = (
            u32::try_from(start),
            u32::try_from(self.attrs.len() - start),
        ) else {
            return NONE;
        };
        let template = name.ns == ns!(html) && name.local == local_name!("template");
        let mut node = Node::new(NodeKind::Element);
        node.ns = Ns::of(&name.ns);
        node.name = Some(name.local);
        node.a = a;
        node.b = b;
        if flags.mathml_annotation_xml_integration_point {
            node.flags |= FLAG_ANNOTATION_XML;
        }
        if template {
            node.flags |= FLAG_TEMPLATE;
        }
        let id = self.push(node);
        if template && id != NONE {
            let contents = self.push(Node::new(NodeKind::Fragment));
            self.append_child(id, contents);
        }
        id
    }

    /// Unlinks a node from its parent and siblings (no-op when detached).
    fn detach(&mut self, id: NodeId) {
        let Some(n) = self.node(id) else { return };
        let (parent, prev, next) = (n.parent, n.prev, n.next);
        if parent == NONE {
            return;
        }
        match self.node_mut(prev) {
            Some(p) => p.next = next,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.first_child = next;
                }
            }
        }
        match self.node_mut(next) {
            Some(nx) => nx.prev = prev,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.last_child = prev;
                }
            }
        }
        if let Some(n) = self.node_mut(id) {
            n.parent = NONE;
            n.prev = NONE;
            n.next = NONE;
        }
    }

    /// Makes `child` the last child of `parent`, detaching it from any old parent first.
    fn append_child(&mut self, parent: NodeId, child: NodeId) {
        // The document node is never a child, and a node is never its own parent: refusing
        // these keeps every walk finite whatever the tree builder asks.
        if child == DOCUMENT
            || child == parent
            || self.node(parent).is_none()
            || self.node(child).is_none()
        {
            return;
        }
        self.detach(child);
        let last = self.nodes[parent as usize].last_child;
        if let Some(l) = self.node_mut(last) {
            l.next = child;
        } else if let Some(p) = self.node_mut(parent) {
            p.first_child = child;
        }
        if let Some(p) = self.node_mut(parent) {
            p.last_child = child;
        }
        if let Some(c) = self.node_mut(child) {
            c.parent = parent;
            c.prev = last;
            c.next = NONE;
        }
    }

    /// Inserts `child` just before `sibling` (which must have a parent).
    fn insert_before(&mut self, sibling: NodeId, child: NodeId) {
        if child == DOCUMENT || child == sibling || self.node(child).is_none() {
            return;
        }
        self.detach(child);
        let Some(s) = self.node(sibling) else { return };
        let (parent, prev) = (s.parent, s.prev);
        if parent == NONE || parent == child {
            return;
        }
        match self.node_mut(prev) {
            Some(p) => p.next = child,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.first_child = child;
                }
            }
        }
        if let Some(s) = self.node_mut(sibling) {
            s.prev = child;
        }
        if let Some(c) = self.node_mut(child) {
            c.parent = parent;
            c.prev = prev;
            c.next = sibling;
        }
    }

    /// A new detached text node holding `text`.
    fn new_text(&mut self, text: &str) -> NodeId {
        let (Ok(start), Ok(len)) = (u32::try_from(self.text.len()), u32::try_from(text.len()))
        else {
            return NONE;
        };
        if start.checked_add(len).is_none() {
            return NONE;
        }
        self.text.push_str(text);
        let mut node = Node::new(NodeKind::Text);
        node.a = start;
        node.b = len;
        self.push(node)
    }

    /// Appends `more` to text node `id`: in place when its text ends the buffer, else by copying
    /// it to the end first.
    fn extend_text(&mut self, id: NodeId, more: &str) {
        let Some(n) = self.node(id) else { return };
        let (start, len) = (n.a as usize, n.b as usize);
        let at_end = start + len == self.text.len();
        let new_len = len + more.len();
        let new_start = if at_end { start } else { self.text.len() };
        if u32::try_from(new_start + new_len).is_err() {
            return;
        }
        if !at_end {
            self.text.extend_from_within(start..start + len);
            self.garbage += len;
        }
        self.text.push_str(more);
        if let Some(n) = self.node_mut(id) {
            n.a = new_start as u32;
            n.b = new_len as u32;
        }
        if self.garbage > COMPACT_MIN && self.garbage > self.text.len() - self.garbage {
            self.compact_text();
        }
    }

    /// Rewrites the text buffer with only the text nodes still point at.
    fn compact_text(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.garbage);
        for n in &mut self.nodes {
            if n.kind == NodeKind::Text {
                let (start, len) = (n.a as usize, n.b as usize);
                n.a = text.len() as u32;
                text.push_str(self.text.get(start..start + len).unwrap_or(""));
            }
        }
        self.text = text;
        self.garbage = 0;
    }

    fn is_text(&self, id: NodeId) -> bool {
        self.node(id).is_some_and(|n| n.kind == NodeKind::Text)
    }

    /// Adds the attributes an element lacks (a second `<html>` or `<body>` tag's attributes).
    fn add_attrs(&mut self, id: NodeId, attrs: Vec<Attribute>) {
        let Some(n) = self.node(id) else { return };
        if n.kind != NodeKind::Element {
            return;
        }
        let (start, count) = (n.a as usize, n.b as usize);
        let mut merged: Vec<Attr> = self.attrs.get(start..start + count).unwrap_or(&[]).to_vec();
        let before = merged.len();
        for attr in attrs {
            let plain = attr.name.prefix.is_none() && attr.name.ns == ns!();
            if merged
                .iter()
                .any(|a| a.plain == plain && a.name == attr.name.local)
            {
                continue;
            }
            if let Some((vs, vl)) = self.push_value(&attr.value) {
                merged.push(Attr {
                    name: attr.name.local,
                    start: vs,
                    len: vl,
                    plain,
                });
            }
        }
        if merged.len() == before {
            return;
        }
        // Plain attributes first, by name; namespaced ones after, in their order (the order of
        // qualified names for everything the tree builder can add here).
        merged.sort_by(|x, y| match (x.plain, y.plain) {
            (true, true) => (*x.name).cmp(&*y.name),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => std::cmp::Ordering::Equal,
        });
        let (Ok(a), Ok(b)) = (u32::try_from(self.attrs.len()), u32::try_from(merged.len())) else {
            return;
        };
        self.attrs.extend(merged);
        if let Some(n) = self.node_mut(id) {
            n.a = a;
            n.b = b;
        }
    }

    /// Moves every child of `from` to the end of `to`'s children, in order.
    fn reparent(&mut self, from: NodeId, to: NodeId) {
        if from == to || self.node(to).is_none() {
            return;
        }
        let Some(f) = self.node(from) else { return };
        let (first, last) = (f.first_child, f.last_child);
        if first == NONE {
            return;
        }
        let mut c = first;
        while let Some(n) = self.node_mut(c) {
            n.parent = to;
            c = n.next;
        }
        let to_last = self.nodes[to as usize].last_child;
        match self.node_mut(to_last) {
            Some(l) => l.next = first,
            None => self.nodes[to as usize].first_child = first,
        }
        if let Some(f) = self.node_mut(first) {
            f.prev = to_last;
        }
        self.nodes[to as usize].last_child = last;
        if let Some(f) = self.node_mut(from) {
            f.first_child = NONE;
            f.last_child = NONE;
        }
    }
}

/// A node of a [`Dom`], with read access to its neighbours, name, attributes and text.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    dom: &'a Dom,
    id: NodeId,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeRef")
            .field("id", &self.id)
            .field("kind", &self.kind())
            .field("name", &self.name())
            .finish()
    }
}

impl PartialEq for NodeRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.dom, other.dom) && self.id == other.id
    }
}

impl Eq for NodeRef<'_> {}

/// One event of [`NodeRef::walk`].
#[derive(Clone, Copy)]
pub enum Step<'a> {
    /// Entering a node (before its children).
    Open(NodeRef<'a>),
    /// Leaving a node that was descended into (after its children).
    Close(NodeRef<'a>),
}

impl<'a> NodeRef<'a> {
    fn raw(&self) -> &'a Node {
        // `NodeRef`s are only made for ids that exist.
        &self.dom.nodes[self.id as usize]
    }

    fn link(&self, id: NodeId) -> Option<NodeRef<'a>> {
        self.dom.get(id)
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The document this node belongs to.
    pub fn dom(&self) -> &'a Dom {
        self.dom
    }

    /// What the node is.
    pub fn kind(&self) -> NodeKind {
        self.raw().kind
    }

    /// True for elements.
    pub fn is_element(&self) -> bool {
        self.raw().kind == NodeKind::Element
    }

    /// True for text nodes.
    pub fn is_text(&self) -> bool {
        self.raw().kind == NodeKind::Text
    }

    /// The parent node.
    pub fn parent(&self) -> Option<NodeRef<'a>> {
        self.link(self.raw().parent)
    }

    /// The first child.
    pub fn first_child(&self) -> Option<NodeRef<'a>> {
        self.link(self.raw().first_child)
    }

    /// The last child.
    pub fn last_child(&self) -> Option<NodeRef<'a>> {
        self.link(self.raw().last_child)
    }

    /// The next sibling.
    pub fn next_sibling(&self) -> Option<NodeRef<'a>> {
        self.link(self.raw().next)
    }

    /// The previous sibling.
    pub fn prev_sibling(&self) -> Option<NodeRef<'a>> {
        self.link(self.raw().prev)
    }

    /// The children, first to last.
    pub fn children(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.first_child(), NodeRef::next_sibling)
    }

    /// The previous siblings, nearest first.
    pub fn prev_siblings(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.prev_sibling(), NodeRef::prev_sibling)
    }

    /// The ancestors, parent first.
    pub fn ancestors(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.parent(), NodeRef::parent)
    }

    /// Walks this subtree depth-first without recursion: `visit(Step::Open(n))` for each node in
    /// document order — its answer says whether to descend into `n` — and `visit(Step::Close(n))`
    /// after the subtree of every node that was descended into (this node included). Walks that
    /// need both ends of an element (the select-all flattener, content detection's flat copy)
    /// share this instead of each climbing the links by hand.
    pub fn walk(&self, mut visit: impl FnMut(Step<'a>) -> bool) {
        let root = *self;
        let mut node = root;
        'walk: loop {
            if visit(Step::Open(node)) {
                if let Some(child) = node.first_child() {
                    node = child;
                    continue;
                }
                visit(Step::Close(node));
            }
            // Climb until a next sibling exists, closing the nodes we leave.
            loop {
                if node.id() == root.id() {
                    break 'walk;
                }
                if let Some(next) = node.next_sibling() {
                    node = next;
                    continue 'walk;
                }
                match node.parent() {
                    Some(parent) => {
                        node = parent;
                        visit(Step::Close(node));
                    }
                    None => break 'walk,
                }
            }
        }
    }

    /// This node and everything below it, in document (pre-)order. Iterative: follows links.
    pub fn descendants(&self) -> Descendants<'a> {
        Descendants {
            root: *self,
            next: Some(*self),
        }
    }

    /// The element's local name (lower case for HTML); empty for other nodes.
    pub fn name(&self) -> &'a str {
        self.raw().name.as_deref().unwrap_or("")
    }

    /// The element's local name as an atom.
    pub fn local_name(&self) -> Option<&'a LocalName> {
        self.raw().name.as_ref()
    }

    /// The element's namespace (`None` for other nodes).
    pub fn namespace(&self) -> Option<&'static Namespace> {
        self.is_element().then(|| self.raw().ns.atom())
    }

    /// True for an element in the HTML namespace.
    pub fn is_html_element(&self) -> bool {
        self.is_element() && self.raw().ns == Ns::Html
    }

    fn attr_slice(&self) -> &'a [Attr] {
        let n = self.raw();
        if n.kind != NodeKind::Element {
            return &[];
        }
        let (start, count) = (n.a as usize, n.b as usize);
        self.dom.attrs.get(start..start + count).unwrap_or(&[])
    }

    fn value(&self, a: &Attr) -> &'a str {
        let start = a.start as usize;
        self.dom
            .values
            .get(start..start + a.len as usize)
            .unwrap_or("")
    }

    /// The value of the (non-namespaced) attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attr_slice()
            .iter()
            .find(|a| a.plain && &*a.name == name)
            .map(|a| self.value(a))
    }

    /// Every attribute as (local name, value), sorted by name.
    pub fn attrs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let this = *self;
        self.attr_slice()
            .iter()
            .map(move |a| (&*a.name, this.value(a)))
    }

    /// True when attribute `name` equals `value`.
    pub fn attr_is(&self, name: &str, value: &str) -> bool {
        self.attr(name) == Some(value)
    }

    /// True when attribute `name`, read as a whitespace-separated list (like `class` or `rel`),
    /// contains `word`, ignoring ASCII case.
    pub fn attr_has_word(&self, name: &str, word: &str) -> bool {
        self.attr(name).is_some_and(|v| {
            v.split_ascii_whitespace()
                .any(|w| w.eq_ignore_ascii_case(word))
        })
    }

    /// The text of a text node (`None` for other nodes).
    pub fn as_text(&self) -> Option<&'a str> {
        let n = self.raw();
        if n.kind != NodeKind::Text {
            return None;
        }
        let start = n.a as usize;
        Some(self.dom.text.get(start..start + n.b as usize).unwrap_or(""))
    }

    /// The text nodes of this subtree, in document order.
    pub fn texts(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.descendants().filter_map(|n| n.as_text())
    }

    /// All the text of this subtree, concatenated.
    pub fn text_content(&self) -> String {
        self.texts().collect()
    }
}

/// Pre-order iterator over a subtree; see [`NodeRef::descendants`].
#[derive(Debug, Clone)]
pub struct Descendants<'a> {
    root: NodeRef<'a>,
    next: Option<NodeRef<'a>>,
}

impl<'a> Iterator for Descendants<'a> {
    type Item = NodeRef<'a>;

    fn next(&mut self) -> Option<NodeRef<'a>> {
        let node = self.next?;
        self.next = node.first_child().or_else(|| {
            // Climb until a node with a next sibling, stopping at the subtree root.
            let mut up = node;
            loop {
                if up.id == self.root.id {
                    return None;
                }
                if let Some(s) = up.next_sibling() {
                    return Some(s);
                }
                up = up.parent()?;
            }
        });
        Some(node)
    }
}

/// The html5ever sink that builds a [`Dom`]. Interior mutability because html5ever calls the
/// sink through `&self`.
#[derive(Debug, Default)]
pub struct Sink {
    dom: RefCell<Dom>,
}

/// An element's name as the tree builder asks for it: owned atoms (cloning a static atom is a
/// copy), so no borrow of the arena outlives the call.
#[derive(Debug)]
pub struct ElementName {
    ns: &'static Namespace,
    local: LocalName,
}

impl html5ever::tree_builder::ElemName for ElementName {
    fn ns(&self) -> &Namespace {
        self.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.local
    }
}

impl TreeSink for Sink {
    type Handle = NodeId;
    type Output = Dom;
    type ElemName<'a> = ElementName;

    fn finish(self) -> Dom {
        let mut dom = self.dom.into_inner();
        if dom.garbage > 0 {
            dom.compact_text();
        }
        dom
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        DOCUMENT
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> ElementName {
        let dom = self.dom.borrow();
        match dom.node(*target) {
            Some(Node {
                name: Some(local),
                ns,
                ..
            }) => ElementName {
                ns: ns.atom(),
                local: local.clone(),
            },
            _ => ElementName {
                ns: &NS_HTML,
                local: local_name!(""),
            },
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.dom.borrow_mut().new_element(name, attrs, flags)
    }

    fn create_comment(&self, _text: StrTendril) -> NodeId {
        self.dom.borrow_mut().push(Node::new(NodeKind::Comment))
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> NodeId {
        self.dom.borrow_mut().push(Node::new(NodeKind::Comment))
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        let mut dom = self.dom.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => dom.append_child(*parent, id),
            NodeOrText::AppendText(text) => {
                let Some(p) = dom.node(*parent) else { return };
                let last = p.last_child;
                if dom.is_text(last) {
                    dom.extend_text(last, &text);
                } else {
                    let id = dom.new_text(&text);
                    dom.append_child(*parent, id);
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        // Foster parenting: before the table when it is in the tree, else into the element
        // that was open before it.
        let has_parent = self
            .dom
            .borrow()
            .node(*element)
            .is_some_and(|n| n.parent != NONE);
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        _name: StrTendril,
        _public: StrTendril,
        _system: StrTendril,
    ) {
        let mut dom = self.dom.borrow_mut();
        let id = dom.push(Node::new(NodeKind::Doctype));
        dom.append_child(DOCUMENT, id);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        let dom = self.dom.borrow();
        match dom.node(*target) {
            Some(n) if n.flags & FLAG_TEMPLATE != 0 && n.first_child != NONE => n.first_child,
            _ => *target,
        }
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.dom.borrow_mut().quirks = mode;
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        let mut dom = self.dom.borrow_mut();
        match new_node {
            NodeOrText::AppendNode(id) => {
                dom.detach(id);
                dom.insert_before(*sibling, id);
            }
            NodeOrText::AppendText(text) => {
                let Some(s) = dom.node(*sibling) else { return };
                if s.parent == NONE {
                    return;
                }
                let prev = s.prev;
                if dom.is_text(prev) {
                    dom.extend_text(prev, &text);
                } else {
                    let id = dom.new_text(&text);
                    dom.insert_before(*sibling, id);
                }
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.dom.borrow_mut().add_attrs(*target, attrs);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.dom.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.dom.borrow_mut().reparent(*node, *new_parent);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.dom
            .borrow()
            .node(*handle)
            .is_some_and(|n| n.flags & FLAG_ANNOTATION_XML != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact rendering of the tree for assertions: elements as `<name attrs>children</name>`,
    /// text quoted, comments as `#c`, template contents as `#frag[...]`.
    fn render(dom: &Dom) -> String {
        let mut out = String::new();
        // Iterative: (node, closing?) stack.
        let mut stack: Vec<(NodeRef<'_>, bool)> =
            dom.root().children().map(|c| (c, false)).collect();
        stack.reverse();
        while let Some((n, closing)) = stack.pop() {
            if closing {
                match n.kind() {
                    NodeKind::Element => out.push_str(&format!("</{}>", n.name())),
                    _ => out.push(']'),
                }
                continue;
            }
            match n.kind() {
                NodeKind::Text => out.push_str(&format!("{:?}", n.as_text().unwrap_or(""))),
                NodeKind::Comment => out.push_str("#c"),
                NodeKind::Doctype => out.push_str("#doctype"),
                NodeKind::Document => {}
                NodeKind::Fragment | NodeKind::Element => {
                    if n.kind() == NodeKind::Fragment {
                        out.push_str("#frag[");
                    } else {
                        out.push('<');
                        out.push_str(n.name());
                        for (k, v) in n.attrs() {
                            out.push_str(&format!(" {k}={v}"));
                        }
                        out.push('>');
                    }
                    stack.push((n, true));
                    let mut kids: Vec<_> = n.children().collect();
                    kids.reverse();
                    stack.extend(kids.into_iter().map(|k| (k, false)));
                }
            }
        }
        out
    }

    fn body(html: &str) -> String {
        let r = render(&parse(html));
        let start = r.find("<body>").map_or(0, |i| i + 6);
        let end = r.rfind("</body>").unwrap_or(r.len());
        r[start..end].to_string()
    }

    #[test]
    fn misnested_formatting_is_repaired() {
        assert_eq!(
            body("<b>1<p>2</b>3</p>"),
            r#"<b>"1"</b><p><b>"2"</b>"3"</p>"#
        );
    }

    #[test]
    fn stray_table_text_is_foster_parented() {
        assert_eq!(
            body("<table>x<tr><td>a</td></tr>y</table>"),
            r#""xy"<table><tbody><tr><td>"a"</td></tr></tbody></table>"#
        );
        // Foster text interleaved with cell text merges into the text before the table (no doctype:
        // quirks mode, so `<table>` does not close the `<p>`).
        assert_eq!(
            body("<p>p<table>x<td>a</td>y<td>b</td>z</table>"),
            r#"<p>"pxyz"<table><tbody><tr><td>"a"</td><td>"b"</td></tr></tbody></table></p>"#
        );
    }

    #[test]
    fn template_contents_are_a_fragment_child() {
        assert_eq!(
            body("<body><template><p>hidden</p></template><p>shown</p>"),
            r#"<template>#frag[<p>"hidden"</p>]</template><p>"shown"</p>"#
        );
    }

    #[test]
    fn duplicate_html_and_body_attributes_are_merged() {
        let dom = parse(
            r#"<html lang=en><body class=a><p>x</p><body id=b class=c><html lang=fr dir=rtl>"#,
        );
        let html = dom.document_element().expect("html");
        assert_eq!(html.attr("lang"), Some("en"));
        assert_eq!(html.attr("dir"), Some("rtl"));
        let body = dom.elements_by_tag("body").next().expect("body");
        assert_eq!(
            body.attrs().collect::<Vec<_>>(),
            [("class", "a"), ("id", "b")]
        );
    }

    #[test]
    fn adjacent_text_is_merged() {
        let dom = parse("<p>a&amp;b<!-- c -->d</p>");
        let p = dom.elements_by_tag("p").next().expect("p");
        let texts: Vec<_> = p.children().filter_map(|c| c.as_text()).collect();
        assert_eq!(texts, ["a&b", "d"]);
        assert_eq!(p.text_content(), "a&bd");
        // Chunk boundaries do not split text nodes.
        let long = format!("<p>{}</p>", "word ".repeat(40_000));
        let dom = parse(&long);
        let p = dom.elements_by_tag("p").next().expect("p");
        assert_eq!(p.children().count(), 1);
        assert_eq!(p.text_content().len(), 200_000);
    }

    #[test]
    fn interleaved_text_growth_is_compacted() {
        // Every `x` extends the text before the table while cell text is appended after it.
        let html = format!("<table>{}</table>", "xxxxxxxxxx<td>a</td>".repeat(50_000));
        let dom = parse(&html);
        assert!(dom.text.len() < 4 * 1024 * 1024, "{}", dom.text.len());
        let body = dom.elements_by_tag("body").next().expect("body");
        assert_eq!(
            body.first_child().and_then(|t| t.as_text()).map(str::len),
            Some(500_000)
        );
    }

    #[test]
    fn attributes_are_sorted_and_looked_up() {
        let dom = parse(
            r##"<a rel="Author nofollow" href="/x" class="b a">t</a><svg><use xlink:href="#i"/></svg>"##,
        );
        let a = dom.elements_by_tag("a").next().expect("a");
        assert_eq!(
            a.attrs().map(|(k, _)| k).collect::<Vec<_>>(),
            ["class", "href", "rel"]
        );
        assert!(a.attr_has_word("rel", "author"));
        assert!(a.attr_is("href", "/x"));
        let use_ = dom.elements_by_tag("use").next().expect("use");
        assert_eq!(use_.attr("href"), None);
        assert_eq!(use_.attrs().count(), 1);
        assert_eq!(use_.namespace(), Some(&ns!(svg)));
    }

    #[test]
    fn mathml_annotation_xml_integration_point() {
        let dom = parse(
            r#"<math><annotation-xml encoding="text/html"><div>x</div></annotation-xml></math>"#,
        );
        let div = dom.elements_by_tag("div").next().expect("div");
        assert!(div.is_html_element());
    }

    #[test]
    fn fragments_parse_into_an_html_root() {
        let dom = parse_fragment("<p>a</p>b<td>c");
        assert_eq!(render(&dom), r#"<html><p>"a"</p>"bc"</html>"#);
    }

    #[test]
    fn deep_nesting_on_a_small_stack() {
        let run = || {
            let html = "<div>".repeat(10_000) + "deep" + &"</div>".repeat(10_000);
            let dom = parse(&html);
            let deepest = dom.root().descendants().filter(|n| n.is_text()).count();
            assert_eq!(deepest, 1);
            assert_eq!(dom.root().text_content(), "deep");
            drop(dom);
            let html = "<span><b><i>".repeat(4_000) + "x";
            let dom = parse(&html);
            assert_eq!(dom.root().text_content(), "x");
        };
        let t = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(run)
            .expect("spawn");
        assert!(t.join().is_ok());
    }

    #[test]
    fn detached_and_reparented_nodes() {
        // The adoption agency reparents and detaches; text must stay in order.
        assert_eq!(
            body("<a>1<div>2<a>3</a>4</div>5"),
            r#"<a>"1"</a><div><a>"2"</a><a>"3"</a>"4"</div>"5""#
        );
        assert_eq!(
            body("<p><b><i>x</b>y</i>z</p>"),
            r#"<p><b><i>"x"</i></b><i>"y"</i>"z"</p>"#
        );
    }
}
