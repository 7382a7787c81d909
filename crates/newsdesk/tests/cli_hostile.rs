//! Hostile feeds and servers against the real `newsdesk` binary: entity bombs and external
//! entities, compression bombs and endless bodies, trickling servers, redirects to forbidden
//! places, 410/429/500 answers, unsafe links and markup, and SIGTERM during a job. Every server
//! is local (127.0.0.1, port 0), opened with `--allow-host` where the test means it to be
//! reachable; each test says what must happen and checks that nothing unsafe was stored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Server, bin, count_articles, get, rt, run, stdout};
use newsdesk_store::{ArticleFilter, Feed, Store};

const PARA: &str = "The central bank held its policy rate steady on Thursday and said it would keep watching inflation data closely before its next meeting, while markets priced a cut next year.";

/// An RSS feed of `items` (guid, title); links under `base`, full text in `content:encoded`.
fn rss(base: &str, items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title><link>https://wire.example/</link>"#,
    );
    for (guid, title) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><link>{base}/story/{guid}</link><title>{title}</title><content:encoded><![CDATA[<p>{guid} {PARA}</p><p>{PARA}</p><p>{PARA}</p>]]></content:encoded></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// The `feeds status` line of the feed at `url`.
fn status_line(data: &Path, url: &str) -> String {
    let status = stdout(&run(bin(data).args(["feeds", "status"])));
    status
        .lines()
        .find(|l| l.contains(&format!(" {url} ")))
        .unwrap_or_else(|| panic!("no status line for {url} in\n{status}"))
        .to_string()
}

/// The stored subscription at `url`.
fn feed(data: &Path, url: &str) -> Feed {
    rt().block_on(async {
        let store = newsdesk_store::SqliteStore::open(data).await.unwrap();
        store.get_feed_by_url(url).await.unwrap().unwrap()
    })
}

/// Every stored article as JSON, for checks that nothing unsafe was kept.
fn stored_articles(data: &Path) -> Vec<(i64, newsdesk_article::Article)> {
    rt().block_on(async {
        let store = newsdesk_store::SqliteStore::open(data).await.unwrap();
        let page = store
            .list_articles(&ArticleFilter::default(), None, 1000)
            .await
            .unwrap();
        let mut out = Vec::new();
        for a in page.articles {
            let stored = store.get_article(a.id).await.unwrap().unwrap();
            out.push((a.id, stored.article));
        }
        out
    })
}

/// `feeds add --full-text never URL`.
fn subscribe(data: &Path, url: &str) {
    run(bin(data)
        .args(["feeds", "add", "--full-text", "never"])
        .arg(url));
}

/// `feeds refresh` with `args`; returns its exit code, stdout and how long it took.
fn refresh(data: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut c = bin(data);
    c.args(["feeds", "refresh"]).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (out.status.code(), stdout(&out), started.elapsed())
}

// --- 1. entities ---

#[test]
fn entity_bombs_and_external_entities_are_neither_expanded_nor_fetched() {
    let server = Server::start();
    let base = server.url("");
    // The targets of the external entities: reachable (allow-listed) but never to be asked.
    let evil = Server::start();
    evil.put("/secret", "text/plain", "LEAKED-SECRET", None);
    evil.put(
        "/evil.dtd",
        "application/xml-dtd",
        "<!ENTITY leak \"LEAKED-DTD\">",
        None,
    );

    let mut laughs = String::from("<!ENTITY lol \"lol\">\n");
    laughs.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        laughs.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    let bomb = format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE rss [
{laughs}]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
<item><guid>lol-1</guid><link>{base}/story/lol</link><title>Laugh &lol9;</title><description>&lol9;&lol9; {PARA}</description></item>
</channel></rss>"#
    );
    let xxe = format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "{evil_secret}">
  <!ENTITY % dtd SYSTEM "{evil_dtd}">
  %dtd;
]>
<rss version="2.0"><channel><title>XXE &xxe;</title>
<item><guid>xxe-1</guid><link>{base}/story/xxe</link><title>Secret: &xxe; &remote; &leak;</title><description>Body &xxe; &remote; &leak; {PARA}</description></item>
</channel></rss>"#,
        evil_secret = evil.url("/secret"),
        evil_dtd = evil.url("/evil.dtd"),
    );
    server.put("/bomb", "application/rss+xml", bomb, None);
    server.put("/xxe", "application/rss+xml", xxe, None);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    subscribe(&data, &server.url("/bomb"));
    subscribe(&data, &server.url("/xxe"));
    let allow = ["--allow-host", &server.addr, "--allow-host", &evil.addr];
    let (code, out, took) = refresh(&data, &allow, &[]);
    // Both parse, with the doctype removed: nothing expanded, nothing fetched.
    assert_eq!(code, Some(0), "{out}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(
        evil.requests.load(Ordering::SeqCst),
        0,
        "an entity was fetched"
    );
    for url in [server.url("/bomb"), server.url("/xxe")] {
        let f = feed(&data, &url);
        assert_eq!(f.items, 1, "{f:?}");
        assert_eq!(f.last_error, None, "{f:?}");
        assert!(f.title.as_deref().is_none_or(|t| t.len() < 100), "{f:?}");
        let line = status_line(&data, &url);
        assert!(line.trim_end().ends_with(" -"), "no error expected: {line}");
    }
    let stored = stored_articles(&data);
    assert_eq!(stored.len(), 2);
    for (_, a) in &stored {
        let json = serde_json::to_string(a).unwrap();
        assert!(json.len() < 10_000, "expanded: {} bytes", json.len());
        for bad in ["lollol", "root:", "LEAKED"] {
            assert!(!json.contains(bad), "{bad} in {json}");
        }
    }
}

// --- 2. bombs and endless bodies ---

/// `zeros` bytes of zeros, gzipped, built cheaply: a fully flushed deflate block of 1 MiB of
/// zeros is byte-aligned and refers to nothing before it, so the stream is that block repeated,
/// a final empty block and the gzip trailer (CRC-32 and length of the whole).
fn gzip_zeros(mib: u32) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let mut block = Vec::with_capacity(1 << 16);
    deflate
        .compress_vec(&zeros, &mut block, flate2::FlushCompress::Full)
        .unwrap();
    assert_eq!(deflate.total_in(), 1 << 20);
    let mut end = Vec::with_capacity(64);
    deflate
        .compress_vec(&[], &mut end, flate2::FlushCompress::Finish)
        .unwrap();
    let mut one = flate2::Crc::new();
    one.update(&zeros);
    let mut crc = flate2::Crc::new();
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for _ in 0..mib {
        out.extend_from_slice(&block);
        crc.combine(&one);
    }
    out.extend_from_slice(&end);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}

/// `mib` MiB of zeros, brotli-compressed at quality 1 (fast; 1 GiB becomes about 190 kB).
fn brotli_zeros(mib: u32) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 1 << 16, 1, 24);
        for _ in 0..mib {
            w.write_all(&zeros).unwrap();
        }
    }
    out
}

#[test]
fn the_bomb_builders_make_valid_streams() {
    let mut zeros = Vec::new();
    flate2::read::GzDecoder::new(&gzip_zeros(3)[..])
        .read_to_end(&mut zeros)
        .unwrap();
    assert_eq!(zeros.len(), 3 << 20);
    assert!(zeros.iter().all(|&b| b == 0));
    let mut zeros = Vec::new();
    brotli::Decompressor::new(&brotli_zeros(3)[..], 4096)
        .read_to_end(&mut zeros)
        .unwrap();
    assert_eq!(zeros.len(), 3 << 20);
}

/// Serves `body` with `Content-Encoding: encoding` (and its compressed length).
fn serve_encoded(server: &Server, path: &str, encoding: &'static str, body: Vec<u8>) {
    let body = Arc::new(body);
    server.handle(path, move |_, s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: {encoding}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(&body);
    });
}

/// Peak resident memory (kB) of a running process, from `/proc`.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[test]
fn compression_bombs_and_endless_bodies_stop_at_the_body_cap() {
    let server = Server::start();
    let gz = gzip_zeros(1024);
    assert!(gz.len() < 2 << 20, "{} bytes on the wire", gz.len());
    let br = brotli_zeros(1024);
    assert!(br.len() < 2 << 20, "{} bytes on the wire", br.len());
    serve_encoded(&server, "/gzip", "gzip", gz);
    serve_encoded(&server, "/brotli", "br", br);
    // Chunked and never finished: 64 KiB chunks until the client hangs up.
    server.handle("/endless", |_, s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        let data = "<item>".repeat(65_536 / 6 + 1);
        let chunk = format!("10000\r\n{}\r\n", &data[..65_536]);
        while s.write_all(chunk.as_bytes()).is_ok() {}
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let urls = [
        server.url("/gzip"),
        server.url("/brotli"),
        server.url("/endless"),
    ];
    for u in &urls {
        subscribe(&data, u);
    }
    let started = Instant::now();
    let mut child = bin(&data)
        .args(["feeds", "refresh", "--allow-host", &server.addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut peak = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        peak = peak.max(peak_rss_kb(child.id()).unwrap_or(0));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "refresh still running after a minute"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{out}");
    // 1 GiB decompressed would need 1 GiB of memory; the cap is 16 MiB.
    assert!(peak < 400 * 1024, "peak resident memory {peak} kB");
    for u in &urls {
        let line = status_line(&data, u);
        assert!(
            line.contains("response body larger than 16777216 bytes"),
            "{line}"
        );
        assert_eq!(feed(&data, u).items, 0);
    }
    rt().block_on(async { assert_eq!(count_articles(&data).await.0, 0) });
}

// --- 3. slow servers ---

#[test]
fn trickling_and_silent_servers_time_out() {
    let server = Server::start();
    // One byte every 10 s of a body that claims 100 kB.
    server.handle("/trickle", |_, s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"
        );
        while s.write_all(b"<").and_then(|()| s.flush()).is_ok() {
            std::thread::sleep(Duration::from_secs(10));
        }
    });
    // Reads the request and never answers.
    server.handle("/silent", |_, _| {
        std::thread::sleep(Duration::from_secs(30))
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    subscribe(&data, &server.url("/trickle"));
    subscribe(&data, &server.url("/silent"));
    let (code, out, took) = refresh(
        &data,
        &["--allow-host", &server.addr],
        &[("NEWSDESK_FETCH__TOTAL_TIMEOUT_SECS", "2")],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "took {took:?}"
    );
    for path in ["/trickle", "/silent"] {
        let line = status_line(&data, &server.url(path));
        assert!(line.contains("timed out"), "{line}");
    }
}

// --- 4. redirects ---

#[test]
fn redirects_to_forbidden_places_are_refused_and_never_reached() {
    let allowed = Server::start();
    // Another port on loopback, not allow-listed: a feed that must never be fetched.
    let forbidden = Server::start();
    forbidden.put(
        "/feed",
        "application/rss+xml",
        rss("https://wire.example", &[("stolen", "Stolen")]),
        None,
    );
    let port = forbidden.addr.rsplit_once(':').unwrap().1.to_string();
    allowed.redirect("/to-port", &forbidden.url("/feed"));
    allowed.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
    allowed.redirect(
        "/to-mapped",
        &format!("http://[::ffff:127.0.0.1]:{port}/feed"),
    );
    allowed.redirect("/to-hex", "http://0x7f000001/");
    allowed.redirect("/to-hex-port", &format!("http://0x7f000001:{port}/feed"));
    allowed.redirect("/to-file", "file:///etc/passwd");
    // Six hops are one too many; five are fine.
    for i in 0..6 {
        allowed.redirect(&format!("/six{i}"), &format!("/six{}", i + 1));
    }
    for i in 0..4 {
        allowed.redirect(&format!("/five{i}"), &format!("/five{}", i + 1));
    }
    allowed.redirect("/five4", "/ok");
    allowed.put(
        "/six6",
        "application/rss+xml",
        rss(&allowed.url(""), &[("six", "Six")]),
        None,
    );
    allowed.put(
        "/ok",
        "application/rss+xml",
        rss(&allowed.url(""), &[("five", "Five")]),
        None,
    );
    let cases = [
        ("/to-port", "loopback address"),
        ("/to-metadata", "169.254.169.254 is a link-local address"),
        ("/to-mapped", "IPv4-mapped IPv6 address embedding 127.0.0.1"),
        ("/to-hex", "127.0.0.1 is a loopback address"),
        ("/to-hex-port", "127.0.0.1 is a loopback address"),
        ("/to-file", "scheme \"file\" is not allowed"),
        ("/six0", "too many redirects (more than 5)"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (path, _) in &cases {
        subscribe(&data, &allowed.url(path));
    }
    subscribe(&data, &allowed.url("/five0"));
    let (code, out, _) = refresh(&data, &["--allow-host", &allowed.addr], &[]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        forbidden.requests.load(Ordering::SeqCst),
        0,
        "a redirect reached the forbidden port"
    );
    for (path, error) in &cases {
        let line = status_line(&data, &allowed.url(path));
        assert!(line.contains(error), "{path}: expected {error:?} in {line}");
        assert_eq!(feed(&data, &allowed.url(path)).items, 0, "{path}");
    }
    assert_eq!(allowed.hits("/six5"), 1, "the sixth hop was not followed");
    assert_eq!(allowed.hits("/six6"), 0);
    assert_eq!(feed(&data, &allowed.url("/five0")).items, 1);
    let stored = stored_articles(&data);
    assert_eq!(stored.len(), 1, "only the five-hop feed's item");
    assert_eq!(stored[0].1.title.as_deref(), Some("Five"));
}

// --- 5. polite failures ---

#[test]
fn gone_mutes_retry_after_is_honoured_and_repeated_failures_pause() {
    let server = Server::start();
    server.status("/gone", "410 Gone", &[]);
    server.status("/busy", "429 Too Many Requests", &[("Retry-After", "3600")]);
    server.status("/broken", "500 Internal Server Error", &[]);
    let allow = ["--allow-host", server.addr.as_str()];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (gone, busy) = (server.url("/gone"), server.url("/busy"));
    subscribe(&data, &gone);
    subscribe(&data, &busy);
    let before = jiff::Timestamp::now();
    let (code, out, _) = refresh(&data, &allow, &[]);
    assert_eq!(code, Some(1), "{out}");
    let after = jiff::Timestamp::now();

    // 410: paused with the reason, never asked again, even by --all.
    let line = status_line(&data, &gone);
    assert!(line.contains(" paused "), "{line}");
    assert!(line.contains("gone: the server answered 410"), "{line}");
    assert!(feed(&data, &gone).paused_reason.is_some());
    // 429: due again when the server said, not before.
    let f = feed(&data, &busy);
    assert_eq!(f.paused_reason, None);
    assert!(
        f.next_due_at >= before + jiff::SignedDuration::from_secs(3600)
            && f.next_due_at <= after + jiff::SignedDuration::from_secs(3600),
        "next due {} (polled between {before} and {after})",
        f.next_due_at
    );
    assert!(
        status_line(&data, &busy).contains("HTTP status 429 (retry after 3600s)"),
        "{}",
        status_line(&data, &busy)
    );
    let (code, out, _) = refresh(&data, &allow, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(server.hits("/busy"), 1, "polled before Retry-After");
    let (_, out, _) = refresh(&data, &["--all", allow[0], allow[1]], &[]);
    assert_eq!(
        server.hits("/gone"),
        1,
        "a gone feed was polled again: {out}"
    );

    // 500 five times in a row: paused with the error as the reason.
    let broken = server.url("/broken");
    subscribe(&data, &broken);
    for attempt in 1..=5 {
        let f = feed(&data, &broken);
        assert_eq!(f.paused_reason, None, "paused before attempt {attempt}");
        let (code, out, _) = refresh(&data, &["--all", allow[0], allow[1]], &[]);
        assert_eq!(code, Some(1), "{out}");
        assert_eq!(feed(&data, &broken).failures, attempt);
    }
    assert_eq!(server.hits("/broken"), 5);
    let line = status_line(&data, &broken);
    assert!(line.contains(" paused "), "{line}");
    assert!(line.contains("HTTP status 500"), "{line}");
    let (_, out, _) = refresh(&data, &["--all", allow[0], allow[1]], &[]);
    assert_eq!(server.hits("/broken"), 5, "a paused feed was polled: {out}");
    // Subscribing again resumes it.
    subscribe(&data, &broken);
    assert_eq!(feed(&data, &broken).paused_reason, None);
}

// --- 6. unsafe links and markup, stored and served ---

/// Starts `newsdesk serve --no-ingest` on port 0; returns the child and its address.
fn serve(data: &Path) -> (Child, String) {
    let mut child = bin(data)
        .args(["serve", "--no-ingest", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("serve printed nothing").unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    (child, addr)
}

/// SIGTERM, then wait (at most `limit`) for the exit status.
fn terminate(mut child: Child, limit: Duration) -> (std::process::ExitStatus, Duration) {
    let started = Instant::now();
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, started.elapsed());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running {limit:?} after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Markup in `text` is inert: no active elements, no handler attributes, no `javascript:` or
/// `data:` URL in any attribute.
fn assert_inert(text: &str, what: &str) {
    let lower = text.to_ascii_lowercase();
    for bad in [
        "<script",
        "<svg",
        "<iframe",
        "<object",
        "<embed",
        "onload",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "data:text",
        "data:image",
    ] {
        assert!(!lower.contains(bad), "{what}: {bad} in {text}");
    }
}

#[test]
fn data_and_javascript_links_and_active_markup_are_neither_stored_nor_served() {
    let server = Server::start();
    let feed_xml = format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>&lt;script&gt;alert('feed')&lt;/script&gt;Hostile &lt;img src=x onerror=alert(0)&gt;wire</title>
<link>javascript:alert('home')</link>
<item><guid>d1</guid><link>data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==</link>
<title><![CDATA[<svg onload="alert(1)">Data <b>link</b> <img src=x onerror=alert(2)>story]]></title>
<content:encoded><![CDATA[<p>{PARA}</p><p><a href="data:text/html,<script>alert(3)</script>">data link</a> <img src="data:image/svg+xml,<svg onload=alert(4)>"> <iframe src="javascript:alert(5)"></iframe><object data="data:text/html,x"></object><embed src="javascript:alert(6)"> {PARA}</p><p onmouseover="alert(7)"><a href="javascript:alert(8)">js link</a> {PARA}</p>]]></content:encoded></item>
<item><guid>d2</guid><link>{base}/story/d2</link><title>Plain &lt;svg/onload=alert(9)&gt;title</title>
<content:encoded><![CDATA[<p>{PARA}</p><p>{PARA}</p><p><img src="javascript:alert(10)" onerror="alert(11)"> {PARA}</p>]]></content:encoded></item>
</channel></rss>"#,
        base = server.url("")
    );
    server.put("/rss", "application/rss+xml", feed_xml, None);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    subscribe(&data, &server.url("/rss"));
    let (code, out, _) = refresh(&data, &["--allow-host", &server.addr], &[]);
    assert_eq!(code, Some(0), "{out}");
    let stored = stored_articles(&data);
    assert_eq!(stored.len(), 2);
    for (_, a) in &stored {
        assert_inert(&serde_json::to_string(a).unwrap(), "stored article");
    }
    let data_item = stored
        .iter()
        .find(|(_, a)| a.url.is_none())
        .expect("the data: link is no identity");
    assert!(
        data_item
            .1
            .title
            .as_deref()
            .is_none_or(|t| !t.contains('<')),
        "{:?}",
        data_item.1.title
    );
    let f = feed(&data, &server.url("/rss"));
    assert_inert(&format!("{:?}", f.title), "feed title");

    let (child, addr) = serve(&data);
    let mut paths: Vec<String> = stored.iter().map(|(id, _)| format!("/news/{id}")).collect();
    paths.extend(["/".to_string(), "/feeds".to_string()]);
    for path in &paths {
        let (status, body) = get(&addr, path);
        assert_eq!(status, 200, "{path}");
        assert_inert(&body, path);
    }
    let (_, feeds_page) = get(&addr, "/feeds");
    assert!(feeds_page.contains("wire"), "{feeds_page}");
    let (status, _) = terminate(child, Duration::from_secs(20));
    assert!(status.success(), "serve exited with {status}");
}

// --- 7. SIGTERM during a job ---

#[cfg(unix)]
#[test]
fn sigterm_stops_the_worker_quickly_and_loses_no_job() {
    const ITEMS: usize = 12;
    const SLOW: usize = 7;
    let server = Server::start();
    let base = server.url("");
    let mut feed_xml =
        String::from(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>"#);
    for i in 0..ITEMS {
        feed_xml.push_str(&format!(
            "<item><guid>t{i}</guid><link>{base}/page/{i}</link><title>Teaser {i}</title><description>Short teaser {i}…</description></item>"
        ));
        let page = format!(
            "<!doctype html><html lang=en><head><title>Story {i}</title></head><body><article><h1>Teaser {i}</h1><p>fullpage{i} {PARA}</p><p>{PARA}</p><p>{PARA}</p></article></body></html>"
        );
        if i == SLOW {
            // The first request hangs far longer than the worker's shutdown grace; later ones
            // are answered at once.
            let calls = AtomicUsize::new(0);
            server.handle(&format!("/page/{i}"), move |_, s| {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::thread::sleep(Duration::from_secs(25));
                }
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
            });
        } else {
            server.put(
                &format!("/page/{i}"),
                "text/html; charset=utf-8",
                page,
                None,
            );
        }
    }
    feed_xml.push_str("</channel></rss>");
    server.put("/rss", "application/rss+xml", feed_xml, None);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(bin(&data).args(["feeds", "add"]).arg(server.url("/rss")));

    let mut worker = bin(&data)
        .args(["worker", "--allow-host", &server.addr])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let slow = format!("/page/{SLOW}");
    let started = Instant::now();
    while server.hits(&slow) == 0 {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = worker.kill();
            panic!("the worker never asked for the slow page");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let (status, took) = terminate(worker, Duration::from_secs(20));
    assert!(status.success(), "worker exited with {status}");
    // The grace is 5 s; the slow page would hold it for 25.
    assert!(took < Duration::from_secs(10), "took {took:?} to stop");

    run(bin(&data).args(["feeds", "refresh", "--all", "--allow-host", &server.addr]));
    let stored = stored_articles(&data);
    assert_eq!(stored.len(), ITEMS, "every item exactly once");
    rt().block_on(async {
        let (n, feeds) = count_articles(&data).await;
        assert_eq!(n, ITEMS);
        assert_eq!(feeds[0].items, ITEMS as i64);
    });
    for i in 0..ITEMS {
        let title = format!("Teaser {i}");
        let hits: Vec<_> = stored
            .iter()
            .filter(|(_, a)| a.title.as_deref() == Some(title.as_str()))
            .collect();
        assert_eq!(hits.len(), 1, "{title}");
        assert!(
            hits[0].1.body_text().contains(&format!("fullpage{i}")),
            "{title} has no full text: the page job was lost"
        );
    }
    assert_eq!(server.hits(&slow), 2, "the dropped page job ran again once");
}
