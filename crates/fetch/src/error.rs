//! What can go wrong while fetching.

use std::net::IpAddr;
use std::time::Duration;

use crate::ip::BlockReason;

/// A fetch that produced no usable response. Exhaustive on purpose: the HTTP boundary maps each
/// variant to a stable code, and a new variant should fail to compile there.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL (or a redirect's `Location`) does not parse, has no host, or carries credentials.
    #[error("invalid URL {0}")]
    InvalidUrl(String),
    /// Only `http` and `https` are fetched; the value is the scheme that was refused.
    #[error("scheme {0:?} is not allowed (only http and https)")]
    SchemeNotAllowed(String),
    /// The host is, or resolved to, an address the fetcher must not reach (server-side request
    /// forgery protection). Add the host to `fetch.allow_hosts` to open it deliberately.
    #[error("{host} is blocked: {addr} is a {reason}")]
    Blocked {
        /// The host as written in the URL.
        host: String,
        /// The address that was refused.
        addr: IpAddr,
        /// Why that address is refused.
        reason: BlockReason,
    },
    /// More redirects than `fetch.max_redirects`.
    #[error("too many redirects (more than {limit})")]
    TooManyRedirects {
        /// The configured limit.
        limit: u32,
    },
    /// The body, after decompression, exceeded `fetch.max_body_bytes`.
    #[error("response body larger than {limit} bytes")]
    TooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },
    /// Connecting took longer than `connect_timeout_secs`, or the whole fetch longer than
    /// `total_timeout_secs`.
    #[error("timed out")]
    Timeout,
    /// The server answered with an error status (or a redirect without a usable `Location`).
    /// For 429 and 503 `retry_after` carries the server's `Retry-After`, when given.
    #[error("HTTP status {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// How long the server asked us to wait.
        retry_after: Option<Duration>,
    },
    /// 410 Gone: the resource was removed for good; stop asking.
    #[error("HTTP status 410: gone for good")]
    Gone,
    /// The fetcher could not be built: a bad `allow_hosts` entry or a TLS set-up failure.
    #[error("fetcher configuration: {0}")]
    Config(String),
    /// Any other transport error (connection refused, TLS failure, corrupt compression…).
    #[error("HTTP error: {}", chain(.0))]
    Http(#[source] reqwest::Error),
}

/// The error and its causes on one line: reqwest's own message rarely says what went wrong.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}
