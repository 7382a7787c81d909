//! Quote chips: the small instrument widgets market sites print beside a story, which a copy
//! turns into a symbol line followed by a change line ("JP225" / "-", "AAPL" / "+1.2%",
//! "EUR/USD" / "1.0712" / "-0.0021 (-0.20%)"), or a single "SYMBOL +0.5%" line.

use regex::Regex;
use std::sync::LazyLock;

static SYMBOL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^[A-Z0-9^][A-Z0-9.^=:/\-]{0,14}$").expect("symbol regex compiles")
});

static CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"^(?:[+\-−–]|[+\-−–]?\d[\d,]*(?:\.\d+)?%|[+\-−–]?\d[\d,]*(?:\.\d+)?\s*\(\s*[+\-−–]?\d[\d,]*(?:\.\d+)?%\s*\))$",
    )
    .expect("change regex compiles")
});

static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^\d[\d,]*(?:\.\d+)?$").expect("price regex compiles")
});

/// True for a line that looks like a ticker or index code: upper-case letters and digits with a
/// few separators, at least one letter, at most 15 characters.
pub(crate) fn is_symbol(s: &str) -> bool {
    s.len() <= 15 && SYMBOL.is_match(s) && s.chars().any(|c| c.is_ascii_uppercase())
}

/// True for a price-change line: "-", "+0.5%", "-1.23 (-0.4%)".
pub(crate) fn is_change(s: &str) -> bool {
    s.len() <= 40 && CHANGE.is_match(s)
}

/// True for a bare price ("29,242.82").
pub(crate) fn is_price(s: &str) -> bool {
    s.len() <= 24 && PRICE.is_match(s)
}

/// If a chip starts at `i`, the symbol and how many lines the chip spans.
pub(crate) fn chip_at(lines: &[&str], i: usize) -> Option<(String, usize)> {
    let first = *lines.get(i)?;
    if let Some((sym, change)) = first.split_once(' ')
        && is_symbol(sym)
        && is_change(change.trim())
        && sym
            .chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return Some((sym.to_string(), 1));
    }
    if !is_symbol(first) {
        return None;
    }
    let next = *lines.get(i + 1)?;
    if is_change(next) {
        return Some((first.to_string(), 2));
    }
    if is_price(next) && lines.get(i + 2).is_some_and(|l| is_change(l)) {
        return Some((first.to_string(), 3));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_and_change_lines() {
        let lines = ["JP225", "-", "WASHINGTON (Reuters) - Japan is working"];
        assert_eq!(chip_at(&lines, 0), Some(("JP225".to_string(), 2)));
        assert_eq!(chip_at(&lines, 1), None);
        let fx = ["EUR/USD", "1.0712", "-0.0021 (-0.20%)"];
        assert_eq!(chip_at(&fx, 0), Some(("EUR/USD".to_string(), 3)));
        assert_eq!(chip_at(&["AAPL +1.25%"], 0), Some(("AAPL".to_string(), 1)));
    }

    #[test]
    fn words_and_sentences_are_not_chips() {
        assert_eq!(chip_at(&["WASHINGTON", "The city said."], 0), None);
        assert_eq!(chip_at(&["Markets", "-"], 0), None);
        assert!(!is_change("- said the minister"));
    }
}
