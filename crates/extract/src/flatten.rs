//! HTML → the text a browser gives for "select all, copy" on the rendered page.
//!
//! This is a small, dependency-free model of `innerText` / Chrome's plain-text copy, good enough
//! to turn an HTML page into the kind of text a user pastes into `newsdesk extract --as text`:
//!
//! - Block-level elements (`p`, `div`, `h1`–`h6`, `li`, `tr`, `section`, `figure`, …) start and
//!   end on their own line. Like Chrome, `<p>` and headings are followed by one blank line.
//!   Line breaks requested by nested blocks collapse: `<div><p>a</p></div>` gives one break, not
//!   three.
//! - `<br>` is a literal newline; table cells in a row are separated by a tab.
//! - Inline whitespace collapses to one space and disappears at line starts and ends; inside
//!   `<pre>` (and `<textarea>`, `<listing>`, `<xmp>`, `<plaintext>`) it is kept verbatim.
//! - Content the user cannot see or select is skipped: `<script>`, `<style>`, `<noscript>`
//!   (browsers run scripts), `<template>`, `<head>`, embedded objects and SVG, anything with the
//!   `hidden` attribute or an inline `display:none` / `visibility:hidden` style. `aria-hidden`
//!   content *is* copied by browsers, so it is kept. Images contribute nothing (their `alt` is not
//!   copied).
//!
//! The walk follows first-child / next-sibling / parent links with no recursion (a page nested
//! 10,000 levels deep cannot overflow the stack) and visits every node a constant number of times.

use crate::dom::{Dom, NodeKind, NodeRef, Step};

/// Flattens a parsed document to select-all text.
pub fn flatten_document(doc: &Dom) -> String {
    let mut w = Writer::default();
    let mut pre_depth = 0usize;
    doc.root().walk(|step| match step {
        // Open a node; descend unless it is hidden (or text, which has no children).
        Step::Open(node) => match node.kind() {
            NodeKind::Text => {
                let t = node.as_text().unwrap_or_default();
                if pre_depth > 0 {
                    w.push_pre(t);
                } else {
                    w.push_text(t);
                }
                false
            }
            NodeKind::Element if !is_hidden(&node) => {
                let name = node.name();
                if is_preformatted(name) {
                    pre_depth += 1;
                }
                open_element(&mut w, name);
                true
            }
            NodeKind::Document | NodeKind::Fragment => true,
            _ => false,
        },
        Step::Close(node) => {
            close(&mut w, &node, &mut pre_depth);
            false
        }
    });
    w.finish()
}

fn close(w: &mut Writer, node: &NodeRef<'_>, pre_depth: &mut usize) {
    if node.is_element() {
        let name = node.name();
        if is_preformatted(name) {
            *pre_depth = pre_depth.saturating_sub(1);
        }
        close_element(w, name);
    }
}

/// Parses and flattens an HTML string.
pub fn flatten_html(html: &str) -> String {
    flatten_document(&crate::dom::parse(html))
}

fn open_element(w: &mut Writer, name: &str) {
    match name {
        "br" => w.newline(),
        "tr" => {
            w.cell_pending = false;
            w.require_breaks(1);
        }
        "td" | "th" if w.cell_pending => {
            w.tab_pending = true;
        }
        "hr" => w.require_breaks(1),
        _ if is_block(name) => w.require_breaks(1),
        _ => {}
    }
}

fn close_element(w: &mut Writer, name: &str) {
    match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => w.require_breaks(2),
        "td" | "th" => w.cell_pending = true,
        "tr" => {
            w.cell_pending = false;
            w.tab_pending = false;
            w.require_breaks(1);
        }
        _ if is_block(name) => w.require_breaks(1),
        _ => {}
    }
}

fn is_preformatted(name: &str) -> bool {
    matches!(name, "pre" | "textarea" | "listing" | "xmp" | "plaintext")
}

/// Elements rendered as blocks by browsers' default style sheet (plus table parts and list items).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "ul"
            | "xmp"
            | "video"
            | "audio"
            | "canvas"
            | "textarea"
    )
}

/// Elements whose content is never rendered as selectable text, or that the author hid.
fn is_hidden(e: &NodeRef<'_>) -> bool {
    if matches!(
        e.name(),
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "select"
            | "datalist"
            | "noframes"
            | "input"
            | "img"
    ) {
        return true;
    }
    if e.attr("hidden").is_some() {
        return true;
    }
    e.attr("style").is_some_and(style_hides)
}

/// True when an inline style sets `display: none` or `visibility: hidden` (or `collapse`).
fn style_hides(style: &str) -> bool {
    style.split(';').any(|decl| {
        let Some((prop, value)) = decl.split_once(':') else {
            return false;
        };
        let prop = prop.trim().to_ascii_lowercase();
        let value = value
            .trim()
            .trim_end_matches("!important")
            .trim()
            .to_ascii_lowercase();
        (prop == "display" && value == "none")
            || (prop == "visibility" && (value == "hidden" || value == "collapse"))
    })
}

/// Accumulates output, collapsing whitespace and merging requested line breaks.
#[derive(Default)]
struct Writer {
    out: String,
    /// Line breaks requested by block boundaries since the last text (the largest request wins).
    breaks: usize,
    /// Collapsible whitespace seen since the last text on this line.
    space: bool,
    /// A cell ended in the current row: the next cell's text is preceded by a tab.
    cell_pending: bool,
    /// Emit a tab before the next text.
    tab_pending: bool,
}

impl Writer {
    fn require_breaks(&mut self, n: usize) {
        self.breaks = self.breaks.max(n);
    }

    /// A literal line break (`<br>`): always emitted, after any pending block breaks.
    fn newline(&mut self) {
        self.flush_breaks();
        if self.out.is_empty() {
            // Nothing above it: a leading break copies as nothing.
            return;
        }
        self.out.push('\n');
        self.space = false;
        self.tab_pending = false;
    }

    /// Emits pending block breaks, counting newlines already at the end of the output.
    fn flush_breaks(&mut self) {
        if self.breaks == 0 {
            return;
        }
        if !self.out.is_empty() {
            let have = self.out.bytes().rev().take_while(|b| *b == b'\n').count();
            for _ in have..self.breaks {
                self.out.push('\n');
            }
        }
        self.breaks = 0;
        self.space = false;
        self.tab_pending = false;
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn before_text(&mut self) {
        self.flush_breaks();
        if self.tab_pending {
            self.out.push('\t');
            self.tab_pending = false;
            self.space = false;
        } else if self.space && !self.at_line_start() && !self.out.ends_with('\t') {
            self.out.push(' ');
        }
        self.space = false;
    }

    /// Text in normal white-space mode.
    fn push_text(&mut self, text: &str) {
        for ch in text.chars() {
            if matches!(ch, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                self.space = true;
                continue;
            }
            if crate::clean::is_invisible(ch) && ch != '\u{ad}' {
                continue;
            }
            if ch == '\u{ad}' {
                // Soft hyphens render (and copy) as nothing unless the line breaks there.
                continue;
            }
            self.before_text();
            // Browsers copy no-break spaces as ordinary spaces.
            self.out.push(if matches!(ch, '\u{a0}' | '\u{202f}') {
                ' '
            } else {
                ch
            });
        }
    }

    /// Text inside `<pre>`: kept as is (carriage returns normalised).
    fn push_pre(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.before_text();
        for ch in text.chars() {
            if ch != '\r' {
                self.out.push(ch);
            }
        }
    }

    fn finish(mut self) -> String {
        let trimmed = self.out.trim_end_matches([' ', '\n', '\t']).len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(body: &str) -> String {
        flatten_html(&format!(
            "<!doctype html><html><head><title>T</title></head><body>{body}</body></html>"
        ))
    }

    #[test]
    fn paragraphs_and_headings_are_followed_by_a_blank_line() {
        assert_eq!(
            flat("<h1>Title</h1><p>One.</p><p>Two.</p>"),
            "Title\n\nOne.\n\nTwo.\n"
        );
    }

    #[test]
    fn divs_give_single_breaks_and_nested_blocks_collapse() {
        assert_eq!(
            flat("<div>a</div><div><div><div>b</div></div></div>c"),
            "a\nb\nc\n"
        );
        assert_eq!(flat("<div><p>a</p></div><div>b</div>"), "a\n\nb\n");
    }

    #[test]
    fn inline_whitespace_collapses() {
        assert_eq!(
            flat("<p>  Hello\n   <b>big</b>\t<i> world</i>  </p>"),
            "Hello big world\n"
        );
        assert_eq!(flat("<span>a</span><span>b</span>"), "ab\n");
        assert_eq!(flat("a&nbsp;&nbsp;b"), "a  b\n");
    }

    #[test]
    fn br_is_a_newline() {
        assert_eq!(
            flat("<p>one<br>two<br><br>three</p>"),
            "one\ntwo\n\nthree\n"
        );
    }

    #[test]
    fn table_cells_are_tab_separated() {
        assert_eq!(
            flat("<table><tr><td>a</td> <td>b</td></tr><tr><th>c</th><td>d</td></tr></table>"),
            "a\tb\nc\td\n"
        );
    }

    #[test]
    fn pre_is_kept_verbatim() {
        assert_eq!(
            flat("<p>x</p><pre>  line 1\n    line 2</pre><p>y</p>"),
            "x\n\n  line 1\n    line 2\ny\n"
        );
    }

    #[test]
    fn hidden_content_is_skipped() {
        let html = r#"<p>seen</p><script>var x = 1;</script><style>p{}</style>
            <noscript>enable js</noscript><template><p>tpl</p></template>
            <div hidden>h</div><div style="color: red; display: none">d</div>
            <span style="visibility:hidden">v</span><img src="a.png" alt="alt text">
            <div aria-hidden="true">aria</div>"#;
        assert_eq!(flat(html), "seen\n\naria\n");
    }

    #[test]
    fn list_items_are_lines() {
        assert_eq!(
            flat("<p>Intro:</p><ul><li>one</li><li>two</li></ul>"),
            "Intro:\n\none\ntwo\n"
        );
    }

    #[test]
    fn very_deep_nesting_does_not_overflow_the_stack() {
        let depth = 10_000;
        let mut html = String::from("<html><body>");
        for _ in 0..depth {
            html.push_str("<div>");
        }
        html.push_str("deep text");
        for _ in 0..depth {
            html.push_str("</div>");
        }
        html.push_str("</body></html>");
        let out = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || flatten_html(&html))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(out, "deep text\n");
    }

    #[test]
    fn empty_document_is_empty() {
        assert_eq!(flatten_html(""), "");
        assert_eq!(flat("<div> </div>"), "");
    }
}
