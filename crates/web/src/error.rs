//! The one application error of the HTTP boundary: [`AppError`], mapped to a status and a stable
//! machine code in one place ([`AppError::status`], [`AppError::code`]). Handlers return it; the
//! edge middleware ([`crate::app`]) turns it into an HTML error page or, under `/api/`, a JSON
//! body `{"error": {"code", "message"}}`. Causes of internal errors are logged once, here.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use newsdesk_search::SearchError;
use newsdesk_store::StoreError;

/// Boxed cause of an internal error.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed (bad id, cursor, date, query parameter): 400.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing here: 404.
    #[error("{0}")]
    NotFound(String),
    /// The story existed and was removed: 410.
    #[error("this story was removed")]
    Gone {
        /// When it was removed.
        removed_at: Timestamp,
    },
    /// Only GET and HEAD are served: 405.
    #[error("only GET and HEAD are supported")]
    MethodNotAllowed,
    /// The query string is over the limit: 414.
    #[error("the query string is longer than {0} bytes")]
    UriTooLong(usize),
    /// Something on our side failed: 500. The cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] Cause),
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Gone { .. } => StatusCode::GONE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine code of the JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound(_) => "not_found",
            AppError::Gone { .. } => "gone",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::UriTooLong(_) => "uri_too_long",
            AppError::Internal(_) => "internal",
        }
    }

    /// What the client is told (internal causes stay in the log).
    pub fn public_message(&self) -> String {
        match self {
            AppError::Gone { removed_at } => format!(
                "This story was removed on {}.",
                removed_at.strftime("%B %-d, %Y")
            ),
            AppError::Internal(_) => {
                "Something went wrong on our side. Please try again later.".into()
            }
            other => {
                let mut s = other.to_string();
                if let Some(first) = s.get(0..1) {
                    let up = first.to_uppercase();
                    s.replace_range(0..1, &up);
                }
                if !s.ends_with('.') {
                    s.push('.');
                }
                s
            }
        }
    }

    /// An internal error from any error value.
    pub fn internal(e: impl Into<Cause>) -> Self {
        AppError::Internal(e.into())
    }
}

/// What the edge middleware needs to render an error response; attached to the response as an
/// extension by [`AppError::into_response`].
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Machine code.
    pub code: &'static str,
    /// Message for the client.
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            // The one place causes are logged: with the whole source chain.
            let mut chain = cause.to_string();
            let mut src = cause.source();
            while let Some(s) = src {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                src = s.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
        let mut resp = self.status().into_response();
        if matches!(self, AppError::MethodNotAllowed) {
            resp.headers_mut().insert(
                axum::http::header::ALLOW,
                axum::http::HeaderValue::from_static("GET, HEAD"),
            );
        }
        resp.extensions_mut().insert(ErrorInfo {
            code: self.code(),
            message: self.public_message(),
        });
        resp
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid { what, detail } => {
                AppError::BadRequest(format!("invalid {what}: {detail}"))
            }
            StoreError::NotFound { what, id } => {
                AppError::NotFound(format!("{what} {id} not found"))
            }
            other => AppError::internal(other),
        }
    }
}

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Invalid { what, detail } => {
                AppError::BadRequest(format!("invalid {what}: {detail}"))
            }
            SearchError::Store(s) => s.into(),
            other => AppError::internal(other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let cases: Vec<(AppError, u16, &str)> = vec![
            (
                AppError::BadRequest("bad cursor".into()),
                400,
                "bad_request",
            ),
            (AppError::NotFound("no such story".into()), 404, "not_found"),
            (
                AppError::Gone {
                    removed_at: Timestamp::UNIX_EPOCH,
                },
                410,
                "gone",
            ),
            (AppError::MethodNotAllowed, 405, "method_not_allowed"),
            (AppError::UriTooLong(4096), 414, "uri_too_long"),
            (AppError::internal("disk on fire"), 500, "internal"),
        ];
        for (e, status, code) in cases {
            assert_eq!(e.status().as_u16(), status);
            assert_eq!(e.code(), code);
        }
        assert!(
            !AppError::internal("disk on fire")
                .public_message()
                .contains("disk")
        );
        assert_eq!(
            AppError::BadRequest("bad cursor".into()).public_message(),
            "Bad cursor."
        );
        let se = StoreError::Invalid {
            what: "cursor",
            detail: "x".into(),
        };
        assert_eq!(AppError::from(se).status(), StatusCode::BAD_REQUEST);
    }
}
