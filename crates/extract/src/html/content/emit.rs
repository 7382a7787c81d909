//! Turning the chosen subtrees into blocks and images, in reading order.
//!
//! The walk is a loop over the flat tree's index range with an explicit stack of open blocks:
//! text accumulates into the current paragraph, and a paragraph ends wherever a block element
//! opens or closes (or at `<br>`). Headings, lists, quotes, `<pre>` and figures are read whole
//! and the walk jumps past them.

use super::Hints;
use super::dom::{FlatDom, Kind};
use super::rules::{Tag, name_words};
use crate::clean::collapse_ws;
use crate::dom::NodeRef;
use newsdesk_article::{Block, Image};
use regex::Regex;
use std::sync::LazyLock;

/// One emitted block with what trimming needs to know about it.
#[derive(Debug, Clone)]
pub(super) struct Piece {
    /// The block.
    pub block: Block,
    /// Visible characters.
    pub chars: u32,
    /// Of those, characters inside links.
    pub link_chars: u32,
}

impl Piece {
    /// Share of the text inside links.
    pub fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// Walks the chosen subtrees and returns their blocks and images.
pub(super) fn emit(
    dom: &FlatDom<'_>,
    roots: &[usize],
    hints: &Hints<'_>,
) -> (Vec<Piece>, Vec<Image>) {
    let mut w = Walker {
        dom,
        hints,
        pieces: Vec::new(),
        images: Vec::new(),
        buf: String::new(),
        buf_chars: 0,
        buf_link: 0,
    };
    for &root in roots {
        w.walk(root);
    }
    (w.pieces, w.images)
}

struct Walker<'d, 'a, 'h> {
    dom: &'d FlatDom<'a>,
    hints: &'d Hints<'h>,
    pieces: Vec<Piece>,
    images: Vec<Image>,
    buf: String,
    buf_chars: u32,
    buf_link: u32,
}

/// What a class/id name says about an element's role next to an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaptionRole {
    None,
    Caption,
    Credit,
}

fn caption_role(el: &NodeRef<'_>) -> CaptionRole {
    let mut role = CaptionRole::None;
    for (name, value) in el.attrs() {
        if name != "class" && name != "id" {
            continue;
        }
        for w in name_words(value) {
            if w.starts_with("credit") || w == "copyright" || w.starts_with("photographer") {
                return CaptionRole::Credit;
            }
            if w.starts_with("caption") || w == "figcaption" {
                role = CaptionRole::Caption;
            }
        }
    }
    role
}

impl Walker<'_, '_, '_> {
    fn walk(&mut self, root: usize) {
        let dom = self.dom;
        let stop = dom.subtree_end(root);
        // Blocks opened and not yet closed: their end indices.
        let mut open: Vec<usize> = Vec::new();
        let mut i = root;
        while i < stop {
            while open.last().is_some_and(|&end| end <= i) {
                open.pop();
                self.flush();
            }
            let n = &dom.nodes[i];
            let end = dom.skip(i);
            if n.removed {
                i = end;
                continue;
            }
            match n.kind {
                Kind::Text(t) => {
                    let (chars, _) = super::dom::count_text(t);
                    self.buf.push_str(t);
                    self.buf_chars += chars;
                    if n.in_link {
                        self.buf_link += chars;
                    }
                    i += 1;
                }
                Kind::Other => i += 1,
                Kind::Element(el, tag) => {
                    if i != root && tag.is_block() && self.is_junk_container(i, tag) {
                        self.flush();
                        i = end;
                        continue;
                    }
                    let small = n.chars <= 500 && i != root;
                    if small && (tag.is_block() || matches!(tag, Tag::Inline)) {
                        match caption_role(&el) {
                            CaptionRole::Caption => {
                                self.flush();
                                let (text, _, _) = self.gather(i);
                                self.caption(Some(text), None);
                                i = end;
                                continue;
                            }
                            CaptionRole::Credit => {
                                self.flush();
                                let (text, _, _) = self.gather(i);
                                self.caption(None, Some(text));
                                i = end;
                                continue;
                            }
                            CaptionRole::None => {}
                        }
                    }
                    match tag {
                        Tag::Heading(level) => {
                            self.flush();
                            let (text, chars, link) = self.gather(i);
                            self.push(Block::Heading { level, text }, chars, link);
                            i = end;
                        }
                        Tag::List(ordered) => {
                            self.flush();
                            self.list(i, ordered);
                            i = end;
                        }
                        Tag::Quote => {
                            self.flush();
                            let (text, chars, link) = self.gather(i);
                            self.push(Block::Quote { text }, chars, link);
                            i = end;
                        }
                        Tag::Pre => {
                            self.flush();
                            let text = self.raw_text(i);
                            let (chars, _) = super::dom::count_text(&text);
                            self.push(Block::Preformatted { text }, chars, 0);
                            i = end;
                        }
                        Tag::Figure if n.good < 300 => {
                            self.flush();
                            self.figure(i);
                            i = end;
                        }
                        Tag::Figcaption => {
                            self.flush();
                            let (text, _, _) = self.gather(i);
                            self.caption(Some(text), None);
                            i = end;
                        }
                        Tag::Img => {
                            if let Some(url) = self.image_url(&el) {
                                self.images.push(Image {
                                    url: Some(url),
                                    caption: None,
                                    credit: None,
                                });
                            }
                            i = end;
                        }
                        Tag::Br | Tag::Hr => {
                            self.flush();
                            i = end;
                        }
                        Tag::Never => i = end,
                        _ if tag.is_block() => {
                            self.flush();
                            open.push(end);
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
            }
        }
        self.flush();
    }

    /// A container inside the story that is mostly links (a related-links box, a tag list).
    fn is_junk_container(&self, i: usize, tag: Tag) -> bool {
        if !matches!(tag, Tag::Block | Tag::Table | Tag::Unlikely | Tag::Dl) {
            return false;
        }
        let n = &self.dom.nodes[i];
        let ld = self.dom.link_density(i);
        ld > 0.5 || (ld > 0.3 && n.chars - n.link_chars < 200)
    }

    fn push(&mut self, block: Block, chars: u32, link_chars: u32) {
        if block.plain_text().is_empty() {
            return;
        }
        self.pieces.push(Piece {
            block,
            chars,
            link_chars,
        });
    }

    /// Ends the current paragraph.
    fn flush(&mut self) {
        if self.buf_chars > 0 {
            let text = collapse_ws(&self.buf);
            let (chars, link) = (self.buf_chars, self.buf_link);
            self.push(Block::Paragraph { text }, chars, link);
        }
        self.buf.clear();
        self.buf_chars = 0;
        self.buf_link = 0;
    }

    /// All text of a subtree (removed parts skipped), whitespace collapsed, blocks separated by
    /// a space; with its character and link-character counts.
    fn gather(&self, i: usize) -> (String, u32, u32) {
        let dom = self.dom;
        let stop = dom.subtree_end(i);
        let mut s = String::new();
        let (mut chars, mut link) = (0u32, 0u32);
        let mut j = i;
        while j < stop {
            let n = &dom.nodes[j];
            if n.removed {
                j = dom.skip(j);
                continue;
            }
            match n.kind {
                Kind::Text(t) => {
                    let (c, _) = super::dom::count_text(t);
                    chars += c;
                    if n.in_link {
                        link += c;
                    }
                    s.push_str(t);
                }
                Kind::Element(_, tag) if tag.is_block() || tag == Tag::Br => s.push(' '),
                _ => {}
            }
            j += 1;
        }
        (collapse_ws(&s), chars, link)
    }

    /// Text of a `<pre>` with its line breaks, trimmed of blank lines at either end.
    fn raw_text(&self, i: usize) -> String {
        let dom = self.dom;
        let stop = dom.subtree_end(i);
        let mut s = String::new();
        for n in &dom.nodes[i..stop] {
            match n.kind {
                Kind::Text(t) if !n.removed => s.push_str(t),
                Kind::Element(_, Tag::Br) => s.push('\n'),
                _ => {}
            }
        }
        s.trim_matches(|c: char| c == '\n' || c == '\r')
            .trim_end()
            .to_string()
    }

    /// A list: one item per `<li>` (nested lists fold into their item's text).
    fn list(&mut self, i: usize, ordered: bool) {
        let dom = self.dom;
        let stop = dom.subtree_end(i);
        let mut items = Vec::new();
        let (mut chars, mut link) = (0u32, 0u32);
        let mut j = i + 1;
        while j < stop {
            let n = &dom.nodes[j];
            let end = dom.skip(j);
            if n.removed {
                j = end;
                continue;
            }
            match n.kind {
                Kind::Element(_, Tag::Li) => {
                    let (text, c, l) = self.gather(j);
                    chars += c;
                    link += l;
                    if !text.is_empty() {
                        items.push(text);
                    }
                    j = end;
                }
                Kind::Text(t) => {
                    let (c, _) = super::dom::count_text(t);
                    if c > 0 {
                        items.push(collapse_ws(t));
                        chars += c;
                    }
                    j += 1;
                }
                _ => j += 1,
            }
        }
        if !items.is_empty() {
            self.push(Block::List { ordered, items }, chars, link);
        }
    }

    /// A `<figure>`: its first image, caption and credit. Text that is not a caption (a figure
    /// used as a quote box) is dropped, like the caption, from the body.
    fn figure(&mut self, i: usize) {
        let dom = self.dom;
        let stop = dom.subtree_end(i);
        let mut url = None;
        let mut caption = None;
        let mut credit = None;
        let mut j = i + 1;
        while j < stop {
            let n = &dom.nodes[j];
            let end = dom.skip(j);
            if n.removed {
                j = end;
                continue;
            }
            if let Kind::Element(el, tag) = n.kind {
                match (tag, caption_role(&el)) {
                    (Tag::Img, _) if url.is_none() => url = self.image_url(&el),
                    (Tag::Picture, _) if url.is_none() => {
                        url = el
                            .attr("srcset")
                            .and_then(first_srcset)
                            .and_then(|u| self.resolve(u));
                    }
                    (_, CaptionRole::Credit) => {
                        let (t, _, _) = self.gather(j);
                        if !t.is_empty() {
                            credit = Some(t);
                        }
                        j = end;
                        continue;
                    }
                    (Tag::Figcaption, _) | (_, CaptionRole::Caption) => {
                        if caption.is_none() {
                            let (t, _, _) = self.gather_without_credit(j);
                            if !t.is_empty() {
                                caption = Some(t);
                            }
                        }
                        if credit.is_none() {
                            credit = self.credit_inside(j);
                        }
                        j = end;
                        continue;
                    }
                    _ => {}
                }
            }
            j += 1;
        }
        let (caption, found) = match caption {
            Some(c) => split_credit(&c),
            None => (None, None),
        };
        let credit = credit.or(found);
        if url.is_some() || caption.is_some() || credit.is_some() {
            self.images.push(Image {
                url,
                caption,
                credit,
            });
        }
    }

    /// Text of a caption without any credit element inside it.
    fn gather_without_credit(&self, i: usize) -> (String, u32, u32) {
        let dom = self.dom;
        let stop = dom.subtree_end(i);
        let mut s = String::new();
        let mut j = i;
        while j < stop {
            let n = &dom.nodes[j];
            let end = dom.skip(j);
            if n.removed {
                j = end;
                continue;
            }
            match n.kind {
                Kind::Element(el, _) if j != i && caption_role(&el) == CaptionRole::Credit => {
                    j = end;
                    continue;
                }
                Kind::Text(t) => s.push_str(t),
                Kind::Element(_, tag) if tag.is_block() || tag == Tag::Br => s.push(' '),
                _ => {}
            }
            j += 1;
        }
        (collapse_ws(&s), 0, 0)
    }

    /// The text of a credit element inside `i`, if any.
    fn credit_inside(&self, i: usize) -> Option<String> {
        let dom = self.dom;
        let stop = dom.subtree_end(i);
        (i + 1..stop).find_map(|j| match dom.nodes[j].kind {
            Kind::Element(el, _)
                if !dom.nodes[j].removed && caption_role(&el) == CaptionRole::Credit =>
            {
                Some(self.gather(j).0).filter(|t| !t.is_empty())
            }
            _ => None,
        })
    }

    /// A caption or credit outside a `<figure>`: it belongs to the last image when that one has
    /// none yet, else it stands for an image we did not see.
    fn caption(&mut self, caption: Option<String>, credit: Option<String>) {
        let (caption, found) = match caption.filter(|c| !c.is_empty()) {
            Some(c) => split_credit(&c),
            None => (None, None),
        };
        let credit = credit.filter(|c| !c.is_empty()).or(found);
        if caption.is_none() && credit.is_none() {
            return;
        }
        if let Some(last) = self.images.last_mut() {
            let fits = (caption.is_none() || last.caption.is_none())
                && (credit.is_none() || last.credit.is_none());
            if fits {
                if caption.is_some() {
                    last.caption = caption;
                }
                if credit.is_some() {
                    last.credit = credit;
                }
                return;
            }
        }
        self.images.push(Image {
            url: None,
            caption,
            credit,
        });
    }

    /// The URL an `<img>` shows, lazy-loading attributes first, resolved against the base URL.
    /// Inline `data:` images and 1×1 tracking pixels are ignored.
    fn image_url(&self, el: &NodeRef<'_>) -> Option<String> {
        let mut src = None;
        let mut lazy = None;
        let mut srcset = None;
        for (name, value) in el.attrs() {
            match name {
                "src" => src = Some(value),
                "data-src" | "data-lazy-src" | "data-original" | "data-url" => lazy = Some(value),
                "srcset" | "data-srcset" => srcset = Some(value),
                "width" | "height" if value.trim() == "1" || value.trim() == "0" => return None,
                _ => {}
            }
        }
        let pick = [lazy, src, srcset.and_then(first_srcset)]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|u| !u.is_empty() && !u.starts_with("data:"))?;
        self.resolve(pick)
    }

    fn resolve(&self, url: &str) -> Option<String> {
        resolve_url(self.hints.base_url, url)
    }
}

/// The first URL of a `srcset` value.
fn first_srcset(srcset: &str) -> Option<&str> {
    srcset
        .split(',')
        .next()?
        .split_whitespace()
        .next()
        .filter(|u| !u.is_empty())
}

/// Resolves a link against a base URL (absolute, scheme-relative, root-relative and relative
/// forms). Without a base, only absolute URLs are returned. A URL with any other scheme
/// (`javascript:`, `data:`, `file:`…) is dropped, not mistaken for a relative path.
pub(super) fn resolve_url(base: Option<&str>, url: &str) -> Option<String> {
    let url = url.trim();
    if let Some((scheme, _)) = url.split_once(':') {
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
            return web.then(|| url.to_string());
        }
    }
    let base = base?;
    let (scheme, rest) = base.split_once("://")?;
    if let Some(r) = url.strip_prefix("//") {
        return Some(format!("{scheme}://{r}"));
    }
    let host_end = rest.find('/').unwrap_or(rest.len());
    let origin = &base[..scheme.len() + 3 + host_end];
    if url.starts_with('/') {
        return Some(format!("{origin}{url}"));
    }
    let path = &rest[host_end..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = match path.rfind('/') {
        Some(k) => &path[..=k],
        None => "/",
    };
    Some(format!("{origin}{dir}{url}"))
}

static CREDIT_LABELLED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[\s(\[|–—-]*\b(?:photo(?:graph)?s?|images?|pictures?|pic|credit|illustration|video)\s*(?:by|:|credit\s*:?)\s*([^()\[\]]{2,80}?)\s*[)\]]?\s*$",
    )
    .ok()
});

static CREDIT_WIRE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"[\s(\[|–—-]*\b((?:[A-Z][A-Z.&-]+(?:\s[A-Z][A-Z.&-]+)?(?:\sPhoto)?|[A-Z][a-z]+\sPhoto)\s?/\s?[A-Z][^()\[\]/]{1,60}?)\s*[)\]]?\s*$",
    )
    .ok()
});

static CREDIT_AGENCY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\s*[(\[]([^()\[\]]{0,40}\b(?:Getty Images|Shutterstock|iStock\w*|AFP|AP|EPA|Reuters|REUTERS|Alamy|Bloomberg|Xinhua)\b[^()\[\]]{0,30})[)\]]\s*$",
    )
    .ok()
});

/// Splits a trailing photo credit off a caption: "Troops at the border. REUTERS/Jane Doe",
/// "… (Photo by Jane Doe/Getty Images)", "… Photo: AP". Returns (caption, credit).
pub(super) fn split_credit(caption: &str) -> (Option<String>, Option<String>) {
    let caption = caption.trim();
    for re in [&*CREDIT_LABELLED, &*CREDIT_WIRE, &*CREDIT_AGENCY]
        .into_iter()
        .flatten()
    {
        if let Some(caps) = re.captures(caption) {
            let (Some(all), Some(credit)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let rest = caption[..all.start()].trim();
            let credit = credit.as_str().trim().to_string();
            if credit.is_empty() {
                continue;
            }
            let rest = (!rest.is_empty()).then(|| rest.to_string());
            return (rest, Some(credit));
        }
    }
    ((!caption.is_empty()).then(|| caption.to_string()), None)
}
