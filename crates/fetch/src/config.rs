//! Fetcher settings (`[fetch]` in the configuration file).

use serde::{Deserialize, Serialize};

/// How the fetcher behaves. Every field has a default, so an empty `[fetch]` table is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    /// Seconds allowed to establish a TCP (and TLS) connection. Default 10.
    pub connect_timeout_secs: u64,
    /// Seconds allowed for a whole fetch: every redirect hop and the full body. A server that
    /// trickles a byte every few seconds is cut off here. Default 30.
    pub total_timeout_secs: u64,
    /// Largest body accepted, in bytes, counted after decompression (so a gzip or brotli bomb
    /// stops here). Default 16 MiB.
    pub max_body_bytes: u64,
    /// Redirects followed before giving up; each hop is re-checked. Default 5.
    pub max_redirects: u32,
    /// The `User-Agent` header. Default `newsdesk/<version> (+self-hosted news reader)`.
    pub user_agent: String,
    /// Hosts that may be fetched even though they resolve to addresses that are otherwise
    /// blocked (loopback, private networks…): `"HOST"` for every port or `"HOST:PORT"` for one,
    /// e.g. `"127.0.0.1:8080"` for tests or `"intranet.example"` for a feed inside your network.
    /// Empty by default.
    pub allow_hosts: Vec<String>,
    /// Requests in flight at once to one host; further requests wait. Default 2.
    pub per_host_concurrency: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout_secs: 10,
            total_timeout_secs: 30,
            max_body_bytes: 16 * 1024 * 1024,
            max_redirects: 5,
            user_agent: concat!(
                "newsdesk/",
                env!("CARGO_PKG_VERSION"),
                " (+self-hosted news reader)"
            )
            .to_owned(),
            allow_hosts: Vec::new(),
            per_host_concurrency: 2,
        }
    }
}
