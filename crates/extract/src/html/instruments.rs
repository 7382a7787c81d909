//! Instrument chips printed on an HTML page: the `JP225` / `AAPL +1.2%` links and badges that
//! market-news sites put next to a story.
//!
//! Two signals, both required to be symbol-shaped text (upper-case letters and digits, 1–10
//! characters, optionally with an exchange or class suffix like `.T`, `-B`, `:US`):
//! - links to quote pages (`/quote/`, `/quotes/`, `/symbol/`, `/stocks/`, `/equities/`,
//!   `/markets/companies/`, `/indices/`, `/currencies/`, `/commodities/`, `/crypto/`), and
//! - elements whose class or `data-*` attribute names a ticker/instrument/symbol.
//!
//! Navigation menus link to quote pages too ("Stocks", "Indices"): those texts are not
//! symbol-shaped, so they are not taken. This is what the page *printed*; deciding which
//! instruments a story moves is the tagger's job.

use crate::dom::{Dom, NodeRef};

/// URL path pieces of quote pages.
const QUOTE_PATHS: &[&str] = &[
    "/quote/",
    "/quotes/",
    "/symbol/",
    "/stocks/",
    "/equities/",
    "/markets/companies/",
    "/indices/",
    "/currencies/",
    "/commodities/",
    "/crypto/",
    "/etfs/",
];

/// Class or data-attribute fragments that mark an instrument chip.
const CHIP_MARKERS: &[&str] = &["ticker", "instrument", "symbol", "quote-chip", "stock-chip"];

/// Upper bound on chips we report: a page listing hundreds is a quote table, not chips.
const MAX_CHIPS: usize = 20;

/// Symbols printed as chips or quote links, in page order, without duplicates.
pub fn printed_instruments(doc: &Dom) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(root) = doc.document_element() else {
        return out;
    };
    for el in root.descendants() {
        if !el.is_element() {
            continue;
        }
        let e = &el;
        let is_quote_link = e.name() == "a"
            && e.attr("href").is_some_and(|h| {
                let h = h.to_ascii_lowercase();
                QUOTE_PATHS.iter().any(|p| h.contains(p))
            });
        let is_chip = e.attrs().any(|(name, value)| {
            let marked = |s: &str| {
                let s = s.to_ascii_lowercase();
                CHIP_MARKERS.iter().any(|m| s.contains(m))
            };
            (name == "class" && marked(value)) || (name.starts_with("data-") && marked(name))
        });
        if !is_quote_link && !is_chip {
            continue;
        }
        let text = own_text(el);
        // A chip often prints symbol and move together: "AAPL +1.2%". Take the first token.
        let Some(first) = text.split_whitespace().next() else {
            continue;
        };
        if let Some(symbol) = symbol_shaped(first)
            && !out.iter().any(|s| s == &symbol)
        {
            out.push(symbol);
            if out.len() >= MAX_CHIPS {
                break;
            }
        }
    }
    out
}

/// The element's text, capped (chips are short; a long text is not a chip).
fn own_text(el: NodeRef<'_>) -> String {
    let mut s = String::new();
    for t in el.texts() {
        s.push_str(t);
        if s.len() > 64 {
            break;
        }
    }
    s
}

/// Returns the symbol if `token` looks like one: `JP225`, `AAPL`, `7203.T`, `BRK-B`, `EUR/USD`,
/// `NASDAQ:AAPL` (the exchange prefix is kept).
pub fn symbol_shaped(token: &str) -> Option<String> {
    let t = token.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '$'));
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    let core = t.rsplit(':').next().unwrap_or(t);
    let main = core.split(['.', '-', '/']).next().unwrap_or(core);
    let letters = main.chars().filter(|c| c.is_ascii_uppercase()).count();
    let ok_chars = t.chars().all(|c| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | ':' | '^')
    });
    // At least one letter (digits-only codes such as 7203 need their suffix: 7203.T), 1–10 long.
    let main_ok = (1..=10).contains(&main.len())
        && (letters >= 1 || (core.len() > main.len() && main.chars().all(|c| c.is_ascii_digit())));
    (ok_chars && main_ok).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_links_and_chips_are_found_menus_are_not() {
        let html = crate::dom::parse(
            r#"<nav><a href="/indices/">Indices</a><a href="/stocks/">Stocks</a></nav>
            <article><h1>Story</h1>
            <a class="instrument-chip" href="/indices/japan-ni225">JP225 <span>-0.3%</span></a>
            <p>Text <a href="https://example.com/quote/AAPL">AAPL</a> and
            <span data-ticker="7203.T">7203.T</span>, again <a href="/quote/AAPL">AAPL</a>.</p>
            <a href="/quote/long">Read the full quote page here</a></article>"#,
        );
        assert_eq!(printed_instruments(&html), ["JP225", "AAPL", "7203.T"]);
    }

    #[test]
    fn symbol_shapes() {
        for ok in [
            "JP225",
            "AAPL",
            "BRK-B",
            "EUR/USD",
            "NASDAQ:AAPL",
            "7203.T",
            "^N225",
        ] {
            assert!(symbol_shaped(ok).is_some(), "{ok}");
        }
        for bad in ["Stocks", "apple", "12345", "", "VERYLONGSYMBOLNAME"] {
            assert!(symbol_shaped(bad).is_none(), "{bad}");
        }
    }
}
