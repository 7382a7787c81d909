//! The fetcher against real HTTP servers on 127.0.0.1 (port 0): normal responses, hostile
//! servers, and attempts to reach internal addresses. Nothing here touches the internet: every
//! request either goes to a local server or is refused before connecting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use newsdesk_fetch::{BlockReason, FetchConfig, FetchError, Fetcher, Validators};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the test server received.
struct Request {
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the test server sends back.
enum Reply {
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// 200, no length, zeros forever.
    Endless,
    /// 200, `Content-Length: 1000`, one byte every 300 ms.
    Trickle,
    /// 200 after a pause (to observe concurrency).
    Slow,
    /// Reads the request and never answers.
    Stall,
}

fn ok(body: &str) -> Reply {
    Reply::Full {
        status: 200,
        headers: vec![("Content-Type", "text/html; charset=utf-8".into())],
        body: body.into(),
    }
}

fn status(status: u16, headers: Vec<(&'static str, String)>) -> Reply {
    Reply::Full {
        status,
        headers,
        body: Vec::new(),
    }
}

fn redirect(to: impl Into<String>) -> Reply {
    status(302, vec![("Location", to.into())])
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// 64 MiB of zeros, gzipped (about 64 KiB on the wire).
fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    })
}

/// 64 MiB of zeros, brotli-compressed (a few hundred bytes on the wire).
fn brotli_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut out = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..64 {
                writer.write_all(&zeros).unwrap();
            }
        }
        out
    })
}

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static MAX_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The routes every test server answers. `port` is the server's own port.
fn routes(request: &Request, port: u16) -> Reply {
    match request.path.as_str() {
        "/" => ok("<p>hello</p>"),
        "/ua" => ok(request.header("user-agent").unwrap_or("")),
        "/gzip" => Reply::Full {
            status: 200,
            headers: vec![
                ("Content-Encoding", "gzip".into()),
                ("Content-Type", "text/plain".into()),
            ],
            body: gzip("hello gzip ".repeat(100).as_bytes()),
        },
        "/gzip-bomb" => Reply::Full {
            status: 200,
            headers: vec![("Content-Encoding", "gzip".into())],
            body: gzip_bomb().to_vec(),
        },
        "/br-bomb" => Reply::Full {
            status: 200,
            headers: vec![("Content-Encoding", "br".into())],
            body: brotli_bomb().to_vec(),
        },
        "/big" => ok(&"x".repeat(2 << 20)),
        "/endless" => Reply::Endless,
        "/trickle" => Reply::Trickle,
        "/slow" => Reply::Slow,
        "/stall" => Reply::Stall,
        "/multiple" => status(300, vec![("Location", "/".into())]),
        "/feed" => {
            if request.header("if-none-match") == Some("\"v1\"") {
                status(304, vec![("Cache-Control", "max-age=60".into())])
            } else {
                Reply::Full {
                    status: 200,
                    headers: vec![
                        ("Content-Type", "application/rss+xml".into()),
                        ("ETag", "\"v1\"".into()),
                        ("Last-Modified", "Sun, 29 Nov 2026 10:00:00 GMT".into()),
                        ("Cache-Control", "public, max-age=300".into()),
                    ],
                    body: b"<rss/>".to_vec(),
                }
            }
        }
        "/since" => match request.header("if-modified-since") {
            Some("Sun, 29 Nov 2026 10:00:00 GMT") => status(304, vec![]),
            _ => ok("fresh"),
        },
        "/gone" => status(410, vec![]),
        "/busy" => status(429, vec![("Retry-After", "120".into())]),
        "/down" => status(
            503,
            vec![("Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT".into())],
        ),
        "/missing" => status(404, vec![]),
        "/no-location" => status(302, vec![]),
        "/to-metadata" => redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-mapped" => redirect("http://[::ffff:127.0.0.1]/"),
        "/to-hex" => redirect("http://0x7f000001/"),
        "/to-file" => redirect("file:///etc/passwd"),
        "/to-javascript" => redirect("javascript:alert(1)"),
        "/to-localhost" => redirect(format!("http://localhost:{port}/")),
        "/to-absolute" => redirect(format!("http://127.0.0.1:{port}/")),
        path => match path
            .strip_prefix("/hops/")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Some(0) => ok("arrived"),
            // Relative Location, resolved against the current URL.
            Some(n) => status(301, vec![("Location", format!("{}", n - 1))]),
            None => status(404, vec![]),
        },
    }
}

/// A test server on 127.0.0.1:0 and how many requests it has seen.
struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
}

async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let _ = handle(stream, port, &counter).await;
            });
        }
    });
    Server { port, hits }
}

async fn handle(mut stream: TcpStream, port: u16, hits: &AtomicUsize) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    hits.fetch_add(1, Ordering::SeqCst);
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .unwrap_or("")
        .split(' ')
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let request = Request { path, headers };
    match routes(&request, port) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Reply::Endless => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                .await?;
            let zeros = vec![0u8; 64 * 1024];
            loop {
                stream.write_all(&zeros).await?;
            }
        }
        Reply::Trickle => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")
                .await?;
            loop {
                stream.write_all(b"x").await?;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
        Reply::Stall => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Reply::Slow => {
            let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
            MAX_IN_FLIGHT.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(200)).await;
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .await?;
        }
    }
    stream.shutdown().await
}

/// A fetcher that may reach `127.0.0.1:port`, with small limits so hostile cases end quickly.
fn allowed(port: u16) -> Fetcher {
    Fetcher::new(FetchConfig {
        allow_hosts: vec![format!("127.0.0.1:{port}")],
        total_timeout_secs: 2,
        max_body_bytes: 1 << 20,
        ..FetchConfig::default()
    })
    .unwrap()
}

fn strict() -> Fetcher {
    Fetcher::new(FetchConfig {
        total_timeout_secs: 2,
        ..FetchConfig::default()
    })
    .unwrap()
}

fn assert_blocked(result: Result<newsdesk_fetch::Fetched, FetchError>, reason: BlockReason) {
    match result {
        Err(FetchError::Blocked { reason: r, .. }) => assert_eq!(r, reason),
        other => panic!("expected Blocked({reason}), got {other:?}"),
    }
}

fn assert_blocked_embedding(result: Result<newsdesk_fetch::Fetched, FetchError>) {
    match result {
        Err(FetchError::Blocked {
            reason: BlockReason::EmbeddedIpv4 { .. },
            ..
        }) => {}
        other => panic!("expected Blocked(embedded IPv4), got {other:?}"),
    }
}

// ---- ordinary responses (127.0.0.1:port allow-listed) ----

#[tokio::test]
async fn body_and_content_type() {
    let s = server().await;
    let url = format!("http://127.0.0.1:{}/", s.port);
    let got = allowed(s.port).get(&url, None).await.unwrap();
    assert_eq!(got.status, 200);
    assert!(!got.not_modified);
    assert_eq!(&got.body[..], b"<p>hello</p>");
    assert_eq!(
        got.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(got.final_url, url);
    assert_eq!(got.retry_after, None);
    assert_eq!(got.cache_max_age, None);
}

#[tokio::test]
async fn sends_the_configured_user_agent() {
    let s = server().await;
    let got = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/ua", s.port), None)
        .await
        .unwrap();
    let ua = String::from_utf8(got.body.to_vec()).unwrap();
    assert!(
        ua.starts_with("newsdesk/") && ua.ends_with("(+self-hosted news reader)"),
        "{ua}"
    );
}

#[tokio::test]
async fn gzip_body_is_decompressed() {
    let s = server().await;
    let got = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/gzip", s.port), None)
        .await
        .unwrap();
    assert_eq!(got.body, "hello gzip ".repeat(100).as_bytes());
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_cap() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/gzip-bomb", s.port), None)
        .await;
    assert!(
        matches!(err, Err(FetchError::TooLarge { limit: 1_048_576 })),
        "{err:?}"
    );
}

#[tokio::test]
async fn brotli_bomb_stops_at_the_cap() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/br-bomb", s.port), None)
        .await;
    assert!(matches!(err, Err(FetchError::TooLarge { .. })), "{err:?}");
}

#[tokio::test]
async fn declared_length_over_the_cap_is_refused() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/big", s.port), None)
        .await;
    assert!(matches!(err, Err(FetchError::TooLarge { .. })), "{err:?}");
}

#[tokio::test]
async fn endless_body_stops_at_the_cap() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/endless", s.port), None)
        .await;
    assert!(matches!(err, Err(FetchError::TooLarge { .. })), "{err:?}");
}

#[tokio::test]
async fn trickling_server_times_out() {
    let s = server().await;
    let started = std::time::Instant::now();
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/trickle", s.port), None)
        .await;
    assert!(matches!(err, Err(FetchError::Timeout)), "{err:?}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/stall", s.port), None)
        .await;
    assert!(matches!(err, Err(FetchError::Timeout)), "{err:?}");
}

#[tokio::test]
async fn redirect_chain_within_the_limit() {
    let s = server().await;
    let got = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/hops/5", s.port), None)
        .await
        .unwrap();
    assert_eq!(&got.body[..], b"arrived");
    assert_eq!(got.final_url, format!("http://127.0.0.1:{}/hops/0", s.port));
}

#[tokio::test]
async fn too_many_redirects() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/hops/6", s.port), None)
        .await;
    assert!(
        matches!(err, Err(FetchError::TooManyRedirects { limit: 5 })),
        "{err:?}"
    );
    assert_eq!(
        s.hits.load(Ordering::SeqCst),
        6,
        "the seventh URL is never requested"
    );
}

#[tokio::test]
async fn redirect_without_location_is_a_status_error() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/no-location", s.port), None)
        .await;
    assert!(
        matches!(err, Err(FetchError::Status { status: 302, .. })),
        "{err:?}"
    );
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/multiple", s.port), None)
        .await;
    assert!(
        matches!(err, Err(FetchError::Status { status: 300, .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn conditional_get_with_etag_gives_304() {
    let s = server().await;
    let fetcher = allowed(s.port);
    let url = format!("http://127.0.0.1:{}/feed", s.port);
    let first = fetcher.get(&url, None).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.cache_max_age, Some(Duration::from_secs(300)));
    assert_eq!(
        first.validators,
        Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Sun, 29 Nov 2026 10:00:00 GMT".into())
        }
    );
    let second = fetcher.get(&url, Some(&first.validators)).await.unwrap();
    assert_eq!(second.status, 304);
    assert!(second.not_modified);
    assert!(second.body.is_empty());
    assert_eq!(second.cache_max_age, Some(Duration::from_secs(60)));
    // The 304 carried no validators: the caller's are handed back for next time.
    assert_eq!(second.validators, first.validators);
}

#[tokio::test]
async fn conditional_get_with_last_modified_gives_304() {
    let s = server().await;
    let url = format!("http://127.0.0.1:{}/since", s.port);
    let validators = Validators {
        etag: None,
        last_modified: Some("Sun, 29 Nov 2026 10:00:00 GMT".into()),
    };
    let got = allowed(s.port).get(&url, Some(&validators)).await.unwrap();
    assert!(got.not_modified);
    let got = allowed(s.port).get(&url, None).await.unwrap();
    assert_eq!(&got.body[..], b"fresh");
}

#[tokio::test]
async fn gone_is_gone() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/gone", s.port), None)
        .await;
    assert!(matches!(err, Err(FetchError::Gone)), "{err:?}");
}

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/busy", s.port), None)
        .await;
    match err {
        Err(FetchError::Status {
            status: 429,
            retry_after,
        }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(120)))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unavailable_with_a_retry_date() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/down", s.port), None)
        .await;
    match err {
        Err(FetchError::Status {
            status: 503,
            retry_after: Some(wait),
        }) => {
            assert!(wait > Duration::from_secs(365 * 24 * 3600))
        }
        other => panic!("{other:?}"),
    }
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/missing", s.port), None)
        .await;
    assert!(
        matches!(
            err,
            Err(FetchError::Status {
                status: 404,
                retry_after: None
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn per_host_concurrency_is_limited() {
    let s = server().await;
    let fetcher = allowed(s.port);
    let url = format!("http://127.0.0.1:{}/slow", s.port);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (fetcher, url) = (fetcher.clone(), url.clone());
            tokio::spawn(async move { fetcher.get(&url, None).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(&task.await.unwrap().unwrap().body[..], b"ok");
    }
    assert_eq!(MAX_IN_FLIGHT.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn allow_listing_a_name_goes_through_the_resolver() {
    let s = server().await;
    let fetcher = Fetcher::new(FetchConfig {
        allow_hosts: vec![format!("localhost:{}", s.port)],
        ..FetchConfig::default()
    })
    .unwrap();
    let got = fetcher
        .get(&format!("http://localhost:{}/", s.port), None)
        .await
        .unwrap();
    assert_eq!(&got.body[..], b"<p>hello</p>");
}

// ---- server-side request forgery (nothing allow-listed, or only one server) ----

#[tokio::test]
async fn loopback_literal_is_blocked() {
    let s = server().await;
    assert_blocked(
        strict()
            .get(&format!("http://127.0.0.1:{}/", s.port), None)
            .await,
        BlockReason::Loopback,
    );
    assert_eq!(s.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn localhost_is_blocked_by_the_resolver() {
    let s = server().await;
    assert_blocked(
        strict()
            .get(&format!("http://localhost:{}/", s.port), None)
            .await,
        BlockReason::Loopback,
    );
    assert_eq!(s.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn odd_spellings_of_loopback_are_blocked() {
    let s = server().await;
    for host in [
        "0x7f000001",
        "2130706433",
        "127.1",
        "0177.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::1]",
    ] {
        let result = strict()
            .get(&format!("http://{host}:{}/", s.port), None)
            .await;
        assert!(
            matches!(result, Err(FetchError::Blocked { .. })),
            "{host}: {result:?}"
        );
    }
    assert_eq!(s.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn allow_list_entry_with_a_port_opens_only_that_port() {
    let open = server().await;
    let closed = server().await;
    let fetcher = allowed(open.port);
    assert_blocked(
        fetcher
            .get(&format!("http://127.0.0.1:{}/", closed.port), None)
            .await,
        BlockReason::Loopback,
    );
    assert_eq!(closed.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn redirect_to_cloud_metadata_is_blocked() {
    let s = server().await;
    assert_blocked(
        allowed(s.port)
            .get(&format!("http://127.0.0.1:{}/to-metadata", s.port), None)
            .await,
        BlockReason::LinkLocal,
    );
}

#[tokio::test]
async fn redirect_to_ipv4_mapped_loopback_is_blocked() {
    let s = server().await;
    assert_blocked_embedding(
        allowed(s.port)
            .get(&format!("http://127.0.0.1:{}/to-mapped", s.port), None)
            .await,
    );
}

#[tokio::test]
async fn redirect_to_hex_loopback_is_blocked() {
    let s = server().await;
    assert_blocked(
        allowed(s.port)
            .get(&format!("http://127.0.0.1:{}/to-hex", s.port), None)
            .await,
        BlockReason::Loopback,
    );
}

#[tokio::test]
async fn redirect_to_file_is_refused() {
    let s = server().await;
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/to-file", s.port), None)
        .await;
    assert!(
        matches!(&err, Err(FetchError::SchemeNotAllowed(s)) if s == "file"),
        "{err:?}"
    );
    let err = allowed(s.port)
        .get(&format!("http://127.0.0.1:{}/to-javascript", s.port), None)
        .await;
    assert!(
        matches!(&err, Err(FetchError::SchemeNotAllowed(s)) if s == "javascript"),
        "{err:?}"
    );
}

#[tokio::test]
async fn redirect_to_localhost_is_blocked_by_the_resolver() {
    let s = server().await;
    assert_blocked(
        allowed(s.port)
            .get(&format!("http://127.0.0.1:{}/to-localhost", s.port), None)
            .await,
        BlockReason::Loopback,
    );
    assert_eq!(
        s.hits.load(Ordering::SeqCst),
        1,
        "only the redirecting request arrived"
    );
}

#[tokio::test]
async fn errors_read_well() {
    let s = server().await;
    let err = strict()
        .get(&format!("http://127.0.0.1:{}/", s.port), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "127.0.0.1 is blocked: 127.0.0.1 is a loopback address"
    );
    let err = strict().get("file:///etc/passwd", None).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "scheme \"file\" is not allowed (only http and https)"
    );
}

// ---- TLS ----

/// An HTTPS server with a fresh self-signed certificate for 127.0.0.1; returns its port and a
/// counter of completed handshakes.
async fn tls_server() -> (u16, Arc<AtomicUsize>) {
    use tokio_rustls::rustls;
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key.into())
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counter = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            }
        }
    });
    (port, handshakes)
}

#[tokio::test]
async fn https_with_an_untrusted_certificate_is_refused() {
    let (port, handshakes) = tls_server().await;
    let err = allowed(port)
        .get(&format!("https://127.0.0.1:{port}/"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Http(_)), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert_eq!(handshakes.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn https_to_a_blocked_address_never_connects() {
    let (port, handshakes) = tls_server().await;
    let err = strict()
        .get(&format!("https://127.0.0.1:{port}/"), None)
        .await;
    assert_blocked(err, BlockReason::Loopback);
    let err = strict()
        .get(&format!("https://localhost:{port}/"), None)
        .await;
    assert_blocked(err, BlockReason::Loopback);
    assert_eq!(handshakes.load(Ordering::SeqCst), 0);
}
