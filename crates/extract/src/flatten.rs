//! HTML → the text a browser gives for "select all, copy" on the rendered page.
//!
//! Block elements start new lines, `<br>` breaks lines, paragraphs are separated by a blank line,
//! hidden content (`<script>`, `<style>`, `hidden`, `display:none`) is skipped. The result is what
//! users paste into `newsdesk extract --as text`; we use it to build text fixtures from HTML.

use scraper::{Html, Node};

/// Flattens a parsed document to select-all text.
pub fn flatten_document(doc: &Html) -> String {
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        if let Node::Text(t) = node.value() {
            let hidden = node.ancestors().any(|a| {
                a.value().as_element().is_some_and(|e| {
                    matches!(
                        e.name(),
                        "script" | "style" | "noscript" | "template" | "head"
                    )
                })
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
    flatten_document(&Html::parse_document(html))
}
