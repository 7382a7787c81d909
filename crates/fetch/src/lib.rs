//! The safe and polite HTTP fetcher.
//!
//! [`Fetcher::get`] fetches one URL over http or https and returns the body, or a
//! [`FetchError`] that says what went wrong. It is safe to point at URLs from untrusted feeds:
//!
//! - **No server-side request forgery.** Host names are resolved by our own resolver
//!   (`resolve.rs`), which drops loopback, private, link-local and the other special-purpose
//!   addresses (`ip.rs`) before reqwest sees them, so the address checked is the address
//!   connected to. IP-literal hosts never reach a resolver, so they are checked here before
//!   every request, redirect hops included. No proxy is used (a proxy would resolve for us).
//! - **Bounded.** Connect and total timeouts (the total covers every hop and the whole body, so
//!   a server that trickles one byte at a time is cut off); the body is read chunk by chunk
//!   after decompression and refused past the cap; redirects are followed by hand, each hop
//!   re-checked, up to a limit.
//! - **Polite.** Conditional GET with the caller's validators, `Retry-After` and
//!   `Cache-Control: max-age` reported back, a limited number of requests in flight per host.
//!
//! `fetch.allow_hosts` opens named hosts (optionally one port) to otherwise-blocked addresses;
//! requests to them go through a second client whose resolver lets those names through, so the
//! port of an allow-list entry is honoured even though a resolver never sees ports.

mod config;
mod error;
mod headers;
pub mod ip;
mod resolve;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::{Host, Url};

pub use config::FetchConfig;
pub use error::FetchError;
pub use ip::{BlockReason, classify};

use resolve::{BlockedAddress, GuardedResolver};

/// Cache validators: sent back as `If-None-Match` / `If-Modified-Since`, and returned from the
/// server's `ETag` / `Last-Modified`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` value, quotes and `W/` prefix included, as the server sent it.
    pub etag: Option<String>,
    /// The `Last-Modified` value as the server sent it.
    pub last_modified: Option<String>,
}

/// A response worth handing to a parser: 2xx with its body, or 304 Not Modified.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL of the last redirect hop, the one that answered.
    pub final_url: String,
    /// The status code (2xx or 304).
    pub status: u16,
    /// True for 304: the caller's copy is current and `body` is empty.
    pub not_modified: bool,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, decompressed, at most `max_body_bytes` long.
    pub body: Bytes,
    /// Validators for the next conditional fetch. On a 304 that omits them, the caller's are
    /// carried over.
    pub validators: Validators,
    /// `Retry-After`, when the server sent one.
    pub retry_after: Option<Duration>,
    /// Freshness from `Cache-Control` (`max-age`, or zero for `no-cache`/`no-store`).
    pub cache_max_age: Option<Duration>,
}

/// The HTTP client. Cheap to clone: clones share the connection pool and the per-host limits.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    config: FetchConfig,
    /// Every address checked by the resolver.
    client: reqwest::Client,
    /// For allow-listed host[:port] only: the resolver lets the allow-listed names through.
    /// `None` when the allow-list is empty (production).
    open_client: Option<reqwest::Client>,
    allow: AllowList,
    /// One semaphore per host; entries nobody holds are pruned when the map grows.
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Parsed `allow_hosts`: hosts in `url`'s normal form (lower-case, IPv6 in brackets).
#[derive(Debug, Default)]
struct AllowList {
    any_port: HashSet<String>,
    ports: HashSet<(String, u16)>,
}

impl AllowList {
    fn parse(entries: &[String]) -> Result<Self, FetchError> {
        let mut list = AllowList::default();
        for entry in entries {
            let entry = entry.trim();
            let bad = || FetchError::Config(format!("bad allow_hosts entry {entry:?}"));
            // "HOST:PORT" and "[V6]:PORT" carry a port; a bare IPv6 address has colons but none.
            let (host, port) = match entry.rsplit_once(':') {
                Some((h, p)) if !h.is_empty() && (h.ends_with(']') || !h.contains(':')) => {
                    (h, Some(p.parse::<u16>().map_err(|_| bad())?))
                }
                _ => (entry, None),
            };
            let host = if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]")
            } else {
                host.to_owned()
            };
            let host = Host::parse(&host).map_err(|_| bad())?.to_string();
            match port {
                Some(port) => list.ports.insert((host, port)),
                None => list.any_port.insert(host),
            };
        }
        Ok(list)
    }

    fn is_empty(&self) -> bool {
        self.any_port.is_empty() && self.ports.is_empty()
    }

    fn allows(&self, host: &str, port: u16) -> bool {
        self.any_port.contains(host) || self.ports.contains(&(host.to_owned(), port))
    }

    /// Domain names (not IP literals) the open client's resolver lets through.
    fn names(&self) -> HashSet<String> {
        self.any_port
            .iter()
            .chain(self.ports.iter().map(|(h, _)| h))
            .filter(|h| matches!(Host::parse(h), Ok(Host::Domain(_))))
            .cloned()
            .collect()
    }
}

/// One request's outcome inside the redirect loop.
enum Hop {
    Done(Fetched),
    Redirect(Url),
}

impl Fetcher {
    /// Builds the fetcher: rustls on ring with the platform's certificate verifier, our
    /// resolver, no proxy, no automatic redirects.
    ///
    /// It also installs ring as the process-wide rustls provider if none is installed yet:
    /// reqwest is built with `rustls-no-provider` (so no aws-lc), and any other reqwest client
    /// in the same process would otherwise panic when built.
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        // Err only means another provider is already installed, which is fine: ours is explicit.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let allow = AllowList::parse(&config.allow_hosts)?;
        let client = build_client(&config, GuardedResolver::default())?;
        let open_client = if allow.is_empty() {
            None
        } else {
            let resolver = GuardedResolver {
                open_names: Arc::new(allow.names()),
            };
            Some(build_client(&config, resolver)?)
        };
        Ok(Fetcher {
            inner: Arc::new(Inner {
                config,
                client,
                open_client,
                allow,
                hosts: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The settings this fetcher was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// GETs `url`, following redirects, with `conditional`'s validators if given.
    ///
    /// Returns the 2xx body or a 304; every other outcome is a [`FetchError`]: 410 is
    /// [`FetchError::Gone`], other error statuses (and 3xx other than 301/302/303/307/308, or
    /// without `Location`) [`FetchError::Status`] with `Retry-After`.
    #[tracing::instrument(level = "debug", skip(self, conditional), err(level = "debug"))]
    pub async fn get(
        &self,
        url: &str,
        conditional: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let config = &self.inner.config;
        let mut url = parse_url(url)?;
        // Time spent waiting for a per-host slot is not the server's fault, so only time spent
        // on the network counts against the total.
        let mut budget = Duration::from_secs(config.total_timeout_secs);
        let mut redirects = 0u32;
        loop {
            let (client, host) = self.route(&url)?;
            let _permit = self.permit(&host).await;
            let started = Instant::now();
            let hop = tokio::time::timeout(budget, self.hop(client, &url, conditional))
                .await
                .map_err(|_| FetchError::Timeout)??;
            budget = budget.saturating_sub(started.elapsed());
            match hop {
                Hop::Done(fetched) => return Ok(fetched),
                Hop::Redirect(next) => {
                    redirects += 1;
                    if redirects > config.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            limit: config.max_redirects,
                        });
                    }
                    tracing::debug!(from = %url, to = %next, "following redirect");
                    url = next;
                }
            }
        }
    }

    /// Picks the client for `url` and refuses blocked IP literals (which no resolver sees).
    fn route(&self, url: &Url) -> Result<(&reqwest::Client, String), FetchError> {
        let inner = &*self.inner;
        let host = url
            .host()
            .ok_or_else(|| FetchError::InvalidUrl(url.to_string()))?;
        let host_str = host.to_string();
        let port = url.port_or_known_default().unwrap_or(0);
        if inner.allow.allows(&host_str, port)
            && let Some(open) = &inner.open_client
        {
            return Ok((open, host_str));
        }
        let literal = match host {
            Host::Ipv4(v4) => Some(v4.into()),
            Host::Ipv6(v6) => Some(v6.into()),
            Host::Domain(_) => None,
        };
        if let Some(addr) = literal
            && let Some(reason) = classify(addr)
        {
            return Err(FetchError::Blocked {
                host: host_str,
                addr,
                reason,
            });
        }
        Ok((&inner.client, host_str))
    }

    /// Waits for a slot on `host`.
    async fn permit(&self, host: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut hosts = self
                .inner
                .hosts
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            if hosts.len() >= 1024 && !hosts.contains_key(host) {
                hosts.retain(|_, s| Arc::strong_count(s) > 1);
            }
            let limit = self.inner.config.per_host_concurrency.max(1);
            hosts
                .entry(host.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(limit)))
                .clone()
        };
        // The semaphore is never closed, so this only fails in theory; then go unthrottled.
        semaphore.acquire_owned().await.ok()
    }

    /// One request: a redirect to follow, or the final answer.
    async fn hop(
        &self,
        client: &reqwest::Client,
        url: &Url,
        conditional: Option<&Validators>,
    ) -> Result<Hop, FetchError> {
        let mut request = client.get(url.clone());
        if let Some(v) = conditional {
            if let Some(etag) = v
                .etag
                .as_deref()
                .and_then(|e| HeaderValue::from_str(e).ok())
            {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = v
                .last_modified
                .as_deref()
                .and_then(|l| HeaderValue::from_str(l).ok())
            {
                request = request.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers();
        let retry_after = headers::retry_after(headers, SystemTime::now());

        let followed = [301, 302, 303, 307, 308];
        if followed.contains(&status.as_u16()) {
            let location = headers.get(LOCATION).and_then(|l| l.to_str().ok());
            if let Some(location) = location {
                let next = url.join(location.trim()).map_err(|e| {
                    FetchError::InvalidUrl(format!("redirect to {location:?}: {e}"))
                })?;
                return Ok(Hop::Redirect(check_url(next)?));
            }
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after,
            });
        }
        if status == StatusCode::GONE {
            return Err(FetchError::Gone);
        }
        if !status.is_success() && status != StatusCode::NOT_MODIFIED {
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after,
            });
        }

        let header = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let content_type = header(CONTENT_TYPE);
        let cache_max_age = headers::cache_max_age(headers);
        let not_modified = status == StatusCode::NOT_MODIFIED;
        let body = if not_modified {
            if let Some(previous) = conditional {
                validators.etag = validators.etag.or_else(|| previous.etag.clone());
                validators.last_modified = validators
                    .last_modified
                    .or_else(|| previous.last_modified.clone());
            }
            Bytes::new()
        } else {
            self.read_body(&mut response).await?
        };
        Ok(Hop::Done(Fetched {
            final_url: url.to_string(),
            status: status.as_u16(),
            not_modified,
            content_type,
            body,
            validators,
            retry_after,
            cache_max_age,
        }))
    }

    /// Reads the (already decompressed) body chunk by chunk, refusing it past the cap.
    async fn read_body(&self, response: &mut reqwest::Response) -> Result<Bytes, FetchError> {
        let limit = self.inner.config.max_body_bytes;
        let too_large = FetchError::TooLarge { limit };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large);
        }
        let initial = response
            .content_length()
            .unwrap_or(0)
            .min(limit)
            .min(1 << 20);
        let mut body = BytesMut::with_capacity(usize::try_from(initial).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

fn build_client(
    config: &FetchConfig,
    resolver: GuardedResolver,
) -> Result<reqwest::Client, FetchError> {
    let tls_error = |e: &dyn std::fmt::Display| FetchError::Config(format!("TLS set-up: {e}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| tls_error(&e))?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(&e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .dns_resolver(resolver)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
        .user_agent(config.user_agent.as_str())
        .build()
        .map_err(|e| FetchError::Config(e.to_string()))
}

/// Parses and checks a URL given by the caller.
fn parse_url(raw: &str) -> Result<Url, FetchError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| FetchError::InvalidUrl(format!("{raw:?}: {e}")))?;
    check_url(url)
}

/// http/https only, a host, no credentials.
fn check_url(url: Url) -> Result<Url, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::SchemeNotAllowed(url.scheme().to_owned()));
    }
    if url.host().is_none() {
        return Err(FetchError::InvalidUrl(format!("{url}: no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::InvalidUrl(format!(
            "{}: credentials in URLs are not allowed",
            url.host_str().unwrap_or_default()
        )));
    }
    Ok(url)
}

/// Maps a reqwest error, recognising our resolver's refusal anywhere in its causes.
fn transport_error(error: reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(cause) = source {
        if let Some(blocked) = cause.downcast_ref::<BlockedAddress>() {
            return FetchError::Blocked {
                host: blocked.host.clone(),
                addr: blocked.addr,
                reason: blocked.reason,
            };
        }
        source = cause.source();
    }
    if error.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Http(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(raw: &str) -> Result<Host<String>, FetchError> {
        parse_url(raw).map(|u| u.host().unwrap().to_owned())
    }

    #[test]
    fn odd_ipv4_spellings_are_normalised_to_loopback() {
        for raw in [
            "http://0x7f000001/",
            "http://2130706433/",
            "http://127.1/",
            "http://0177.0.0.1/",
            "http://0x7f.0.0.1/",
            "http://127.0.0.1./",
            "http://127.000.000.001/",
        ] {
            assert_eq!(
                host_of(raw).unwrap(),
                Host::<String>::Ipv4([127, 0, 0, 1].into()),
                "{raw}"
            );
        }
    }

    #[test]
    fn literal_blocked_ips_are_refused_before_sending() {
        let fetcher = Fetcher::new(FetchConfig::default()).unwrap();
        for raw in [
            "http://0x7f000001/",
            "http://127.1:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/",
            "http://[fe80::1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
        ] {
            let url = parse_url(raw).unwrap();
            assert!(
                matches!(fetcher.route(&url), Err(FetchError::Blocked { .. })),
                "{raw}"
            );
        }
        let url = parse_url("http://93.184.215.14/").unwrap();
        assert!(fetcher.route(&url).is_ok());
    }

    #[test]
    fn only_http_and_https_without_credentials() {
        for (raw, scheme) in [
            ("file:///etc/passwd", "file"),
            ("data:text/plain,hi", "data"),
            ("javascript:alert(1)", "javascript"),
            ("ftp://example.com/", "ftp"),
            ("gopher://example.com/", "gopher"),
        ] {
            match parse_url(raw) {
                Err(FetchError::SchemeNotAllowed(s)) => assert_eq!(s, scheme),
                other => panic!("{raw}: {other:?}"),
            }
        }
        assert!(matches!(
            parse_url("http://user:pw@example.com/"),
            Err(FetchError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_url("not a url"),
            Err(FetchError::InvalidUrl(_))
        ));
        assert!(parse_url("HTTPS://Example.COM/feed").is_ok());
    }

    #[test]
    fn allow_list_entries_with_and_without_ports() {
        let list = AllowList::parse(&[
            "127.0.0.1:8080".into(),
            "LocalHost".into(),
            "[::1]:9000".into(),
            "::1".into(),
            "0x7f000002".into(),
        ])
        .unwrap();
        assert!(list.allows("127.0.0.1", 8080));
        assert!(!list.allows("127.0.0.1", 8081));
        assert!(list.allows("localhost", 1));
        assert!(list.allows("[::1]", 9000));
        assert!(list.allows("[::1]", 1));
        assert!(list.allows("127.0.0.2", 80));
        assert_eq!(
            list.names(),
            ["localhost".to_owned()]
                .into_iter()
                .collect::<HashSet<String>>()
        );
        for bad in ["host:port", "a b", "127.0.0.1:99999"] {
            assert!(AllowList::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_defaults_and_serde() {
        let config: FetchConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, FetchConfig::default());
        assert_eq!(config.max_body_bytes, 16 * 1024 * 1024);
        assert!(config.user_agent.starts_with("newsdesk/0."));
        assert!(serde_json::from_str::<FetchConfig>(r#"{"nope": 1}"#).is_err());
    }
}
