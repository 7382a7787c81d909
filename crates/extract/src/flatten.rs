//! HTML → the text a browser gives for "select all, copy" on the rendered page.
//!
//! Block elements start new lines, `<br>` breaks lines, paragraphs are separated by a blank line,
//! hidden content (`<script>`, `<style>`, `hidden`, `display:none`) is skipped. The result is what
//! users paste into `newsdesk extract --as text`; we use it to build text fixtures from HTML.

use crate::dom::{self, Dom};

/// Flattens a parsed document to select-all text.
pub fn flatten_document(doc: &Dom) -> String {
    let mut out = String::new();
    let Some(root) = doc.document_element() else {
        return out;
    };
    for node in root.descendants() {
        if let Some(t) = node.as_text() {
            let hidden = node.ancestors().any(|a| {
                a.is_element()
                    && matches!(
                        a.name(),
                        "script" | "style" | "noscript" | "template" | "head"
                    )
            });
            if !hidden {
                out.push_str(t);
            }
        }
    }
    out
}

/// Parses and flattens an HTML string.
pub fn flatten_html(html: &str) -> String {
    flatten_document(&dom::parse(html))
}
