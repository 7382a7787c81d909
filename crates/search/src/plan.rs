//! A [`SearchQuery`] checked and normalised once for every backend: parsed text, clamped limit,
//! decoded cursor, date range in microseconds. Also the snippet helpers both backends share.
//!
//! Cursors are opaque to callers but simple inside:
//!
//! - date order: `d<sort_at micros>_<id>` of the last hit; the next page is everything strictly
//!   after it in (`sort_at` desc, `id` desc) order (keyset: no duplicates or gaps however many
//!   documents share a timestamp, and stable while documents are added);
//! - relevance: `r<offset>`, capped at [`MAX_OFFSET`] (relevance pages deeper than that are
//!   not useful, and each page costs `offset + limit` ranked hits).

use crate::query::ParsedQuery;
use crate::{Result, SearchError, SearchQuery, SortOrder};

/// Deepest relevance offset a cursor may carry.
pub const MAX_OFFSET: usize = 1_000;

/// Most hits one page returns.
pub const MAX_LIMIT: usize = 100;

/// Target length of a snippet, in bytes (about 200 characters of Latin text).
pub const SNIPPET_BYTES: usize = 200;

/// A validated request.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The parsed text.
    pub parsed: ParsedQuery,
    /// Page size, 1..=[`MAX_LIMIT`].
    pub limit: usize,
    /// Sort order.
    pub sort: SortOrder,
    /// Date order: only documents strictly after this (`sort_at`, `id`).
    pub after: Option<(i64, i64)>,
    /// Relevance order: skip this many ranked hits.
    pub offset: usize,
    /// Instrument filter.
    pub instrument: Option<String>,
    /// Source filter.
    pub source: Option<String>,
    /// `sort_at >= from` (micros).
    pub from: Option<i64>,
    /// `sort_at < to` (micros).
    pub to: Option<i64>,
}

impl Plan {
    /// Checks `query`: a bad cursor or a range whose start is after its end is
    /// [`SearchError::Invalid`]; odd query text never is.
    pub fn new(query: &SearchQuery) -> Result<Plan> {
        let limit = (query.limit as usize).clamp(1, MAX_LIMIT);
        let (mut after, mut offset) = (None, 0);
        if let Some(cursor) = &query.cursor {
            match query.sort {
                SortOrder::Date => after = Some(decode_date_cursor(cursor)?),
                SortOrder::Relevance => offset = decode_offset_cursor(cursor)?,
            }
        }
        let from = query.from.map(|t| t.as_microsecond());
        let to = query.to.map(|t| t.as_microsecond());
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(SearchError::Invalid {
                what: "date range",
                detail: "`from` is after `to`".into(),
            });
        }
        Ok(Plan {
            parsed: ParsedQuery::parse(&query.text),
            limit,
            sort: query.sort,
            after,
            offset,
            instrument: query.instrument.clone(),
            source: query.source.clone(),
            from,
            to,
        })
    }

    /// The cursor of the page after one ending at this hit (date order).
    pub fn date_cursor(sort_at: i64, id: i64) -> String {
        format!("d{sort_at}_{id}")
    }

    /// The cursor of the page at `offset` (relevance order), `None` past [`MAX_OFFSET`].
    pub fn offset_cursor(offset: usize) -> Option<String> {
        (offset <= MAX_OFFSET).then(|| format!("r{offset}"))
    }
}

fn invalid_cursor(detail: &str) -> SearchError {
    SearchError::Invalid {
        what: "cursor",
        detail: detail.into(),
    }
}

fn decode_date_cursor(cursor: &str) -> Result<(i64, i64)> {
    let body = cursor
        .strip_prefix('d')
        .ok_or_else(|| invalid_cursor("not a date-order cursor"))?;
    let (at, id) = body
        .split_once('_')
        .ok_or_else(|| invalid_cursor("malformed date-order cursor"))?;
    let at = at
        .parse::<i64>()
        .map_err(|_| invalid_cursor("malformed date-order cursor"))?;
    let id = id
        .parse::<i64>()
        .map_err(|_| invalid_cursor("malformed date-order cursor"))?;
    Ok((at, id))
}

fn decode_offset_cursor(cursor: &str) -> Result<usize> {
    let n = cursor
        .strip_prefix('r')
        .ok_or_else(|| invalid_cursor("not a relevance-order cursor"))?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_cursor("malformed relevance-order cursor"));
    }
    match n.parse::<usize>() {
        Ok(n) if n <= MAX_OFFSET => Ok(n),
        _ => Err(invalid_cursor("relevance pages end at offset 1000")),
    }
}

/// The start of `body`, at most [`SNIPPET_BYTES`] bytes cut at a word boundary (for hits whose
/// body did not match).
pub fn lead(body: &str) -> String {
    let body = body.trim_start();
    if body.len() <= SNIPPET_BYTES {
        return body.trim_end().to_string();
    }
    let mut end = SNIPPET_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    // Back off to the last whitespace so no word is cut, unless that loses most of the text.
    let cut = body[..end]
        .rfind(char::is_whitespace)
        .filter(|&i| i >= SNIPPET_BYTES / 2)
        .unwrap_or(end);
    body[..cut].trim_end().to_string()
}

/// Sorts, merges and clips highlight ranges so they are ascending, non-overlapping, inside `text`
/// and on char boundaries (a defensive pass: backends already produce such ranges).
pub fn clean_highlights(text: &str, mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.retain(|&(s, e)| {
        s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
    });
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(
            decode_date_cursor(&Plan::date_cursor(-5, 7)).ok(),
            Some((-5, 7))
        );
        assert_eq!(decode_offset_cursor("r20").ok(), Some(20));
        for bad in [
            "", "d", "d1", "d1_", "dx_1", "r", "r-1", "r1001", "x5", "r+5",
        ] {
            assert!(decode_date_cursor(bad).is_err() || bad.starts_with('r'));
            assert!(decode_offset_cursor(bad).is_err(), "{bad}");
        }
        assert!(Plan::offset_cursor(1_001).is_none());
    }

    #[test]
    fn lead_cuts_at_a_word_boundary_on_a_char_boundary() {
        let body = "Zürich ".repeat(60);
        let l = lead(&body);
        assert!(l.len() <= SNIPPET_BYTES);
        assert!(l.ends_with("Zürich"));
        assert_eq!(lead("  short text  "), "short text");
        let cjk = "株".repeat(100);
        let l = lead(&cjk);
        assert!(l.len() <= SNIPPET_BYTES && !l.is_empty());
    }

    #[test]
    fn highlights_are_cleaned() {
        let text = "aé b";
        assert_eq!(
            clean_highlights(text, vec![(4, 5), (0, 1), (0, 3), (1, 2), (9, 10)]),
            vec![(0, 3), (4, 5)]
        );
    }
}
