//! Request inputs: the query-string extractor whose failures are [`AppError::BadRequest`], and
//! the parsers for ids, cursors, dates and sort orders shared by pages, feeds and the API.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use jiff::Timestamp;
use newsdesk_search::{SearchQuery, SortOrder};
use newsdesk_store::{Cursor, Id};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::timefmt;

/// The query string deserialized into `T`; a malformed one is a 400 through [`AppError`].
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| Params(v))
            .map_err(|e| AppError::BadRequest(format!("bad query string: {}", e.body_text())))
    }
}

/// The value if present and not blank (forms submit empty fields).
pub fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An article id from a path: a positive integer.
pub fn parse_id(s: &str) -> Result<Id, AppError> {
    match s.parse::<Id>() {
        Ok(id) if id > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(AppError::BadRequest(format!(
            "{:?} is not a story id",
            truncate(s, 40)
        ))),
    }
}

/// A listing cursor, when given.
pub fn parse_cursor(v: &Option<String>) -> Result<Option<Cursor>, AppError> {
    match nonempty(v) {
        None => Ok(None),
        Some(s) => Cursor::parse(s).map(Some).map_err(|_| {
            AppError::BadRequest(format!("{:?} is not a valid cursor", truncate(s, 40)))
        }),
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// List and feed parameters: `?cursor=&source=&instrument=&format=`.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// Page start.
    pub cursor: Option<String>,
    /// Source slug filter (front page only).
    pub source: Option<String>,
    /// Instrument filter (front page only).
    pub instrument: Option<String>,
    /// `rss` or `atom` for a feed of the page.
    pub format: Option<String>,
    /// Page size (API only; pages use the configured size).
    pub limit: Option<u32>,
}

/// What to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The HTML page.
    Html,
    /// RSS 2.0.
    Rss,
    /// Atom 1.0.
    Atom,
}

/// `?format=`: absent for HTML, `rss` or `atom`.
pub fn parse_format(v: &Option<String>) -> Result<Format, AppError> {
    match nonempty(v) {
        None | Some("html") => Ok(Format::Html),
        Some("rss") => Ok(Format::Rss),
        Some("atom") => Ok(Format::Atom),
        Some(other) => Err(AppError::BadRequest(format!(
            "unknown format {:?} (use rss or atom)",
            truncate(other, 20)
        ))),
    }
}

/// Search parameters: `?q=&instrument=&source=&from=&to=&sort=&cursor=&format=&limit=`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    /// Query text.
    pub q: Option<String>,
    /// Instrument symbol.
    pub instrument: Option<String>,
    /// Source slug.
    pub source: Option<String>,
    /// Lower bound (`YYYY-MM-DD` or RFC 3339).
    pub from: Option<String>,
    /// Upper bound (`YYYY-MM-DD` includes the day, or RFC 3339).
    pub to: Option<String>,
    /// `relevance` or `date`.
    pub sort: Option<String>,
    /// Next page.
    pub cursor: Option<String>,
    /// `rss`/`atom` (pages only).
    pub format: Option<String>,
    /// Page size (API only).
    pub limit: Option<u32>,
}

impl SearchParams {
    /// True when nothing was asked (show the form only).
    pub fn is_blank(&self) -> bool {
        [
            &self.q,
            &self.instrument,
            &self.source,
            &self.from,
            &self.to,
        ]
        .iter()
        .all(|v| nonempty(v).is_none())
    }

    /// The backend query. An empty text sorts by date (there is nothing to rank by).
    pub fn to_query(&self, limit: u32) -> Result<SearchQuery, AppError> {
        let text = nonempty(&self.q).unwrap_or("").to_string();
        if text.chars().count() > 500 {
            return Err(AppError::BadRequest(
                "the query is longer than 500 characters".into(),
            ));
        }
        let sort = match nonempty(&self.sort) {
            None => {
                if text.is_empty() {
                    SortOrder::Date
                } else {
                    SortOrder::Relevance
                }
            }
            Some("relevance") if text.is_empty() => SortOrder::Date,
            Some("relevance") => SortOrder::Relevance,
            Some("date") => SortOrder::Date,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "unknown sort {:?} (use relevance or date)",
                    truncate(other, 20)
                )));
            }
        };
        let bound =
            |v: &Option<String>, is_to: bool, name: &str| -> Result<Option<Timestamp>, AppError> {
                match nonempty(v) {
                    None => Ok(None),
                    Some(s) => timefmt::parse_bound(s, is_to).map(Some).ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "{name} {:?} is not a date (use YYYY-MM-DD or RFC 3339)",
                            truncate(s, 40)
                        ))
                    }),
                }
            };
        let from = bound(&self.from, false, "from")?;
        let to = bound(&self.to, true, "to")?;
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(AppError::BadRequest("from must be before to".into()));
        }
        Ok(SearchQuery {
            text,
            instrument: nonempty(&self.instrument).map(str::to_string),
            source: nonempty(&self.source).map(str::to_string),
            from,
            to,
            sort,
            limit: limit.clamp(1, 100),
            cursor: nonempty(&self.cursor).map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(parse_id("42").unwrap(), 42);
        for bad in ["0", "-1", "+1", "x", "", "99999999999999999999", "1.0"] {
            assert!(parse_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_params_validate() {
        let p = SearchParams {
            q: Some("nato".into()),
            ..Default::default()
        };
        assert_eq!(p.to_query(30).unwrap().sort, SortOrder::Relevance);
        let p = SearchParams {
            instrument: Some("JP225".into()),
            ..Default::default()
        };
        assert_eq!(p.to_query(30).unwrap().sort, SortOrder::Date);
        let p = SearchParams {
            sort: Some("random".into()),
            ..Default::default()
        };
        assert!(p.to_query(30).is_err());
        let p = SearchParams {
            from: Some("2023-05-10".into()),
            to: Some("2023-05-09".into()),
            ..Default::default()
        };
        assert!(p.to_query(30).is_err());
        let p = SearchParams {
            from: Some("2023-05-09".into()),
            to: Some("2023-05-09".into()),
            ..Default::default()
        };
        let q = p.to_query(500).unwrap();
        assert_eq!(q.limit, 100);
        assert_eq!(
            q.to.unwrap().as_second() - q.from.unwrap().as_second(),
            86_400
        );
    }
}
