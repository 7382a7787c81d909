//! The user's query language, parsed once and shared by both backends.
//!
//! Web-search syntax, forgiving by design (a query is never an error):
//!
//! - `word word` — every word must match (AND);
//! - `"exact phrase"` — the words in this order (an unclosed quote runs to the end);
//! - `-word`, `-"a phrase"` — documents containing it are dropped;
//! - `a OR b` — either; `OR` binds tighter than the implicit AND, so `fed rate OR rates cut` is
//!   `fed AND (rate OR rates) AND cut` (as in PostgreSQL's `websearch_to_tsquery`). `OR` is
//!   recognised in any letter case, also like `websearch_to_tsquery`; a dangling `OR` (first,
//!   last, doubled, or next to an excluded term) is ignored.
//!
//! Control characters count as spaces, a lone `-` is ignored, and huge inputs are cut to
//! [`MAX_CLAUSES`] clauses of at most [`MAX_CLAUSE_CHARS`] characters, so a pasted article cannot
//! build a query that takes seconds. What a clause's text means (tokens, stemming, stop words) is
//! up to each backend's analyzer; a clause whose text yields no tokens (punctuation, a stop word)
//! constrains nothing.

/// Most clauses (words or phrases, included or excluded) a query keeps; the rest is ignored.
pub const MAX_CLAUSES: usize = 32;

/// Most characters of one clause's text kept (a longer phrase is cut).
pub const MAX_CLAUSE_CHARS: usize = 256;

/// A parsed query: an AND of OR-groups, minus the excluded clauses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Every group must match; a group matches when any of its clauses does.
    pub groups: Vec<Vec<Clause>>,
    /// Documents matching any of these are dropped.
    pub excluded: Vec<Clause>,
}

/// One word or quoted phrase, as the user typed it (without quotes). Backends analyse the text;
/// several tokens mean "these tokens in this order".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The text (never empty, never contains `"`).
    pub text: String,
    /// Whether the user quoted it.
    pub quoted: bool,
}

/// A lexical token of the query string.
#[derive(Debug, PartialEq)]
enum Lexeme {
    /// A word or phrase, possibly negated.
    Clause { clause: Clause, negated: bool },
    /// The `OR` operator.
    Or,
}

impl ParsedQuery {
    /// Parses `text`; never fails.
    pub fn parse(text: &str) -> ParsedQuery {
        let lexemes = lex(text);
        let mut parsed = ParsedQuery::default();
        let mut pending_or = false;
        // An OR joins two included clauses only; next to an excluded one it is ignored.
        let mut last_included = false;
        let mut clauses = 0usize;
        for lexeme in lexemes {
            if clauses >= MAX_CLAUSES {
                break;
            }
            match lexeme {
                Lexeme::Or => pending_or = last_included,
                Lexeme::Clause {
                    clause,
                    negated: true,
                } => {
                    parsed.excluded.push(clause);
                    clauses += 1;
                    pending_or = false;
                    last_included = false;
                }
                Lexeme::Clause {
                    clause,
                    negated: false,
                } => {
                    clauses += 1;
                    match parsed.groups.last_mut() {
                        Some(group) if pending_or => group.push(clause),
                        _ => parsed.groups.push(vec![clause]),
                    }
                    pending_or = false;
                    last_included = true;
                }
            }
        }
        parsed
    }

    /// True when the query constrains nothing (matches every document).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }

    /// The clauses whose matches should be highlighted (all but the excluded ones).
    pub fn positive_clauses(&self) -> impl Iterator<Item = &Clause> {
        self.groups.iter().flatten()
    }

    /// This query in `websearch_to_tsquery` syntax, normalised so PostgreSQL reads exactly the
    /// structure we parsed: every clause quoted (so a word `or` stays a word), groups joined by
    /// spaces, members of a group by ` or `, exclusions as `-"…"`.
    pub fn to_websearch(&self) -> String {
        let mut out = String::new();
        for group in &self.groups {
            if !out.is_empty() {
                out.push(' ');
            }
            for (i, clause) in group.iter().enumerate() {
                if i > 0 {
                    out.push_str(" or ");
                }
                push_quoted(&mut out, &clause.text);
            }
        }
        for clause in &self.excluded {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push('-');
            push_quoted(&mut out, &clause.text);
        }
        out
    }
}

fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    out.push_str(text);
    out.push('"');
}

/// Splits the query into clauses and `OR`s.
fn lex(text: &str) -> Vec<Lexeme> {
    // Control characters (NUL included: PostgreSQL text cannot hold it) are spaces.
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = Vec::new();
    let mut rest = cleaned.as_str();
    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else {
            break;
        };
        let mut negated = false;
        if first == '-' {
            let after = &rest[1..];
            match after.chars().next() {
                // A lone `-` (or `-` before a space) means nothing.
                None => break,
                Some(c) if c.is_whitespace() => {
                    rest = after;
                    continue;
                }
                Some(_) => {
                    negated = true;
                    rest = after;
                }
            }
        }
        if let Some(body) = rest.strip_prefix('"') {
            // A phrase runs to the closing quote, or to the end when there is none.
            let (phrase, next) = match body.find('"') {
                Some(end) => (&body[..end], &body[end + 1..]),
                None => (body, ""),
            };
            rest = next;
            if let Some(clause) = clause(phrase, true) {
                out.push(Lexeme::Clause { clause, negated });
            }
            continue;
        }
        // A word runs to whitespace or a quote.
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if !negated && word.eq_ignore_ascii_case("or") {
            out.push(Lexeme::Or);
            continue;
        }
        // `--x`, `-` then a quote with nothing: strip further dashes, they mean nothing more.
        let word = word.trim_start_matches('-');
        if let Some(clause) = clause(word, false) {
            out.push(Lexeme::Clause { clause, negated });
        }
    }
    out
}

/// A clause from trimmed text, cut to [`MAX_CLAUSE_CHARS`]; `None` when nothing is left.
fn clause(text: &str, quoted: bool) -> Option<Clause> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(MAX_CLAUSE_CHARS).collect();
    let text = text.trim();
    (!text.is_empty()).then(|| Clause {
        text: text.to_string(),
        quoted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Clause {
        Clause {
            text: s.into(),
            quoted: false,
        }
    }

    fn p(s: &str) -> Clause {
        Clause {
            text: s.into(),
            quoted: true,
        }
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        let q = ParsedQuery::parse(r#"fed "rate cut" -bitcoin -"crypto winter" yen OR euro"#);
        assert_eq!(
            q.groups,
            vec![
                vec![w("fed")],
                vec![p("rate cut")],
                vec![w("yen"), w("euro")]
            ]
        );
        assert_eq!(q.excluded, vec![w("bitcoin"), p("crypto winter")]);
        assert_eq!(
            q.to_websearch(),
            r#""fed" "rate cut" "yen" or "euro" -"bitcoin" -"crypto winter""#
        );
    }

    #[test]
    fn dangling_operators_and_odd_text_are_ignored() {
        assert!(ParsedQuery::parse("").is_empty());
        assert!(ParsedQuery::parse("   -  - OR OR or \u{0} \t").is_empty());
        assert_eq!(ParsedQuery::parse("OR a OR").groups, vec![vec![w("a")]]);
        assert_eq!(
            ParsedQuery::parse("a OR OR b").groups,
            vec![vec![w("a"), w("b")]]
        );
        let q = ParsedQuery::parse("-a OR b");
        assert_eq!(q.groups, vec![vec![w("b")]]);
        assert_eq!(q.excluded, vec![w("a")]);
        let q = ParsedQuery::parse("a -x OR b");
        assert_eq!(q.groups, vec![vec![w("a")], vec![w("b")]]);
        assert_eq!(q.excluded, vec![w("x")]);
        assert_eq!(
            ParsedQuery::parse(r#"say "hello world"#).groups,
            vec![vec![w("say")], vec![p("hello world")]]
        );
        assert_eq!(
            ParsedQuery::parse(r#"a""b"#).groups,
            vec![vec![w("a")], vec![w("b")]]
        );
        assert_eq!(
            ParsedQuery::parse("x\u{7}y").groups,
            vec![vec![w("x")], vec![w("y")]]
        );
    }

    #[test]
    fn huge_input_is_capped() {
        let text = "word ".repeat(5_000);
        let q = ParsedQuery::parse(&text);
        assert_eq!(q.groups.len(), MAX_CLAUSES);
        let phrase = format!("\"{}\"", "long ".repeat(1_000));
        let q = ParsedQuery::parse(&phrase);
        assert!(q.groups[0][0].text.chars().count() <= MAX_CLAUSE_CHARS);
    }
}
