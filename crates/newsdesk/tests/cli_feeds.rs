//! `newsdesk feeds …` as a user runs it: the real binary on a real data directory, polling a
//! local HTTP server on 127.0.0.1 (port 0) opened with `--allow-host`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{Server, bin, count_articles, rt, run, stdout};
use newsdesk_store::{ArticleFilter, Store};

const PARA: &str = "The central bank held its policy rate steady on Thursday and said it would keep watching inflation data closely before its next meeting, while markets priced a cut next year.";

fn long_html(marker: &str) -> String {
    format!("<p>{marker} {PARA}</p><p>{PARA}</p><p>{PARA}</p><p>{PARA}</p>")
}

fn rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire RSS</title><link>https://wire.example/</link>"#,
    );
    for (guid, title, marker) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><link>{base}/story/{guid}</link><title>{title}</title><pubDate>Sun, 29 Nov 2026 10:00:00 +0000</pubDate><content:encoded><![CDATA[{}]]></content:encoded></item>",
            long_html(marker)
        ));
    }
    s.push_str("</channel></rss>");
    s
}

#[test]
fn rss_atom_and_json_feeds_are_stored_once_revised_and_polled_conditionally() {
    let server = Server::start();
    let base = server.url("");
    server.put(
        "/rss",
        "application/rss+xml",
        rss(
            &base,
            &[("r1", "Rates held", "alpha"), ("r2", "Oil rises", "beta")],
        ),
        Some("\"rss-v1\""),
    );
    let atom = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire Atom</title><id>urn:atom</id><updated>2026-11-29T10:00:00Z</updated>
        <entry><id>urn:a1</id><title>Yen weakens</title><link href="{base}/story/a1"/><updated>2026-11-29T09:00:00Z</updated><content type="html">{}</content></entry></feed>"#,
        long_html("gamma").replace('<', "&lt;").replace('>', "&gt;")
    );
    server.put("/atom", "application/atom+xml", atom, None);
    let json = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wire JSON",
        "items": [{"id": "j1", "url": format!("{base}/story/j1"), "title": "Gold steady",
                   "content_html": long_html("delta"), "date_published": "2026-11-29T08:00:00Z"}]
    });
    server.put("/json", "application/feed+json", json.to_string(), None);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for path in ["/rss", "/atom", "/json"] {
        run(bin(&data)
            .args(["feeds", "add", "--zone", "Europe/London"])
            .arg(server.url(path)));
    }
    let allow = ["--allow-host", server.addr.as_str()];
    let out = run(bin(&data).args(["feeds", "refresh"]).args(allow));
    assert!(
        stdout(&out).contains("refresh: 3 feeds, 4 new, 0 updated"),
        "{}",
        stdout(&out)
    );
    // Nothing is due now; --all polls again and adds nothing. The RSS feed answers 304.
    let out = run(bin(&data).args(["feeds", "refresh"]).args(allow));
    assert!(
        stdout(&out).contains("refresh: 0 feeds"),
        "{}",
        stdout(&out)
    );
    let out = run(bin(&data).args(["feeds", "refresh", "--all"]).args(allow));
    assert!(
        stdout(&out).contains("refresh: 3 feeds, 0 new, 0 updated"),
        "{}",
        stdout(&out)
    );
    assert_eq!(server.not_modified.load(Ordering::SeqCst), 1);
    // A changed item becomes revision 2 with "updated" set.
    server.put(
        "/rss",
        "application/rss+xml",
        rss(
            &base,
            &[
                ("r1", "Rates held, bank says", "alpha"),
                ("r2", "Oil rises", "beta"),
            ],
        ),
        Some("\"rss-v2\""),
    );
    let out = run(bin(&data).args(["feeds", "refresh", "--all"]).args(allow));
    assert!(
        stdout(&out).contains("0 new, 1 updated"),
        "{}",
        stdout(&out)
    );
    rt().block_on(async {
        let (n, feeds) = count_articles(&data).await;
        assert_eq!(n, 4);
        assert_eq!(feeds.iter().map(|f| f.items).sum::<i64>(), 4);
        let store = newsdesk_store::SqliteStore::open(&data).await.unwrap();
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        let revised = page
            .articles
            .iter()
            .find(|a| a.title.as_deref() == Some("Rates held, bank says"))
            .unwrap();
        assert_eq!(revised.revision, 2);
        assert!(revised.updated.is_some());
        let stored = store.get_article(revised.id).await.unwrap().unwrap();
        assert!(stored.article.body_text().contains("alpha"));
        assert_eq!(
            stored.article.published.as_ref().unwrap().zone,
            "Europe/London"
        );
        assert_eq!(feeds[0].etag.as_deref(), Some("\"rss-v2\""));
    });
    let out = run(bin(&data).args(["feeds", "status"]));
    assert!(
        stdout(&out).contains(&server.url("/rss")),
        "{}",
        stdout(&out)
    );
    // Export and re-import round-trip the subscriptions.
    let out = run(bin(&data).args(["feeds", "export"]));
    let opml = dir.path().join("subs.opml");
    std::fs::write(&opml, &out.stdout).unwrap();
    let data2 = dir.path().join("data2");
    let out = run(bin(&data2).args(["feeds", "import"]).arg(&opml));
    assert!(
        stdout(&out).contains("imported 3 feeds"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn summary_items_get_their_linked_page() {
    let server = Server::start();
    let base = server.url("");
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><guid>p1</guid><link>{base}/page/p1</link><title>Teaser title</title><description>Short teaser…</description></item>
        </channel></rss>"#
    );
    server.put("/rss", "application/rss+xml", feed, None);
    server.put(
        "/page/p1",
        "text/html; charset=utf-8",
        format!("<!doctype html><html lang=en><head><title>Page</title></head><body><article><h1>Teaser title</h1>{}</article></body></html>", long_html("fullpage")),
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(bin(&data).args(["feeds", "add"]).arg(server.url("/rss")));
    let out = run(bin(&data).args(["feeds", "refresh", "--allow-host", &server.addr]));
    assert!(stdout(&out).contains("1 new"), "{}", stdout(&out));
    rt().block_on(async {
        let store = newsdesk_store::SqliteStore::open(&data).await.unwrap();
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 1);
        let a = store
            .get_article(page.articles[0].id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            a.article.body_text().contains("fullpage"),
            "{:?}",
            a.article
        );
        assert_eq!(a.article.url, Some(server.url("/page/p1")));
    });
}

#[test]
fn blocked_addresses_fail_with_the_reason_in_status() {
    let server = Server::start();
    server.put(
        "/rss",
        "application/rss+xml",
        rss("https://x.example", &[("a", "A", "a")]),
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let urls = [
        server.url("/rss"), // loopback, not allowed
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::ffff:127.0.0.1]/rss".to_string(),
        "http://0x7f000001/rss".to_string(),
    ];
    for u in &urls {
        run(bin(&data).args(["feeds", "add", u]));
    }
    // file: is refused when subscribing.
    let out = bin(&data)
        .args(["feeds", "add", "file:///etc/passwd"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = bin(&data).args(["feeds", "refresh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("4 feeds, 0 new, 0 updated, 0 unchanged, 4 failed"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "the server was contacted"
    );
    let status = stdout(&run(bin(&data).args(["feeds", "status"])));
    let blocked = status.lines().filter(|l| l.contains("blocked")).count();
    assert_eq!(blocked, 4, "{status}");
    rt().block_on(async {
        let (n, _) = count_articles(&data).await;
        assert_eq!(n, 0);
    });
}

#[test]
fn hostile_titles_and_content_are_stored_as_plain_text() {
    let server = Server::start();
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
        <item><guid>h1</guid><link>javascript:alert(1)</link><title>&lt;script&gt;alert(1)&lt;/script&gt;&lt;svg onload=x()&gt;Bad &lt;img src=x onerror=alert(2)&gt;title</title>
        <content:encoded><![CDATA[<p onclick="steal()">{PARA}<script>steal()</script></p><svg><script>x()</script></svg><p><a href="javascript:alert(3)">click</a> {PARA} {PARA} {PARA}</p>]]></content:encoded></item>
        </channel></rss>"#
    );
    server.put("/rss", "application/rss+xml", feed, None);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(bin(&data).args(["feeds", "add"]).arg(server.url("/rss")));
    run(bin(&data).args(["feeds", "refresh", "--allow-host", &server.addr]));
    rt().block_on(async {
        let store = newsdesk_store::SqliteStore::open(&data).await.unwrap();
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 1);
        let a = store
            .get_article(page.articles[0].id)
            .await
            .unwrap()
            .unwrap();
        let json = serde_json::to_string(&a.article).unwrap();
        for bad in [
            "<script",
            "<svg",
            "onerror",
            "onclick",
            "onload",
            "javascript:",
            "steal()",
        ] {
            assert!(!json.contains(bad), "{bad} in {json}");
        }
        assert_eq!(a.article.url, None, "a javascript: link is no identity");
        // The unclosed `<svg` swallows the rest of the title as SVG content, which the feed
        // crate drops: whatever is left is plain text.
        assert!(
            a.article.title.as_deref().is_none_or(|t| !t.contains('<')),
            "{:?}",
            a.article.title
        );
    });
}

#[test]
fn ten_thousand_items_and_one_shared_guid() {
    let server = Server::start();
    let base = server.url("");
    let mut big =
        String::from(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>"#);
    for i in 0..10_000 {
        big.push_str(&format!(
            "<item><guid>same-guid</guid><link>{base}/s/{i}</link><title>Item {i}</title><description>Body {i} with a bad date.</description><pubDate>not a date {i}</pubDate></item>"
        ));
    }
    big.push_str("</channel></rss>");
    server.put("/big", "application/rss+xml; charset=iso-8859-1", big, None);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(bin(&data)
        .args(["feeds", "add", "--full-text", "never"])
        .arg(server.url("/big")));
    let out = run(bin(&data).args(["feeds", "refresh", "--allow-host", &server.addr]));
    assert!(stdout(&out).contains("10000 new"), "{}", stdout(&out));
    let out = run(bin(&data).args(["feeds", "refresh", "--all", "--allow-host", &server.addr]));
    assert!(
        stdout(&out).contains("0 new, 0 updated, 10000 unchanged"),
        "{}",
        stdout(&out)
    );
    rt().block_on(async {
        let (n, feeds) = count_articles(&data).await;
        assert_eq!(n, 10_000);
        assert_eq!(feeds[0].items, 10_000);
    });
}

/// SIGKILLs `feeds refresh` mid-ingest 20 times against 100 feeds × 100 items; after a final
/// uninterrupted refresh every item exists exactly once.
#[cfg(unix)]
#[test]
fn sigkill_mid_refresh_leaves_every_item_exactly_once() {
    let server = Server::start();
    let base = server.url("");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut opml = String::from(
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>"#,
    );
    for f in 0..100 {
        let items: Vec<(String, String, String)> = (0..100)
            .map(|i| {
                (
                    format!("f{f}i{i}"),
                    format!("Feed {f} item {i}"),
                    format!("m{f}x{i}"),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        server.put(
            &format!("/f/{f}"),
            "application/rss+xml",
            rss(&base, &refs),
            None,
        );
        opml.push_str(&format!(
            r#"<outline type="rss" text="f{f}" xmlUrl="{base}/f/{f}"/>"#
        ));
    }
    opml.push_str("</body></opml>");
    let opml_path = dir.path().join("subs.opml");
    std::fs::write(&opml_path, opml).unwrap();
    run(bin(&data).args(["feeds", "import"]).arg(&opml_path));
    let mut killed_mid_run = 0;
    for round in 0..20u64 {
        let mut child = bin(&data)
            .args([
                "feeds",
                "refresh",
                "--all",
                "--lease",
                "1",
                "--allow-host",
                &server.addr,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300 + (round * 97) % 900));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    // Leases of killed runs expire; the last refresh finishes the rest.
    std::thread::sleep(Duration::from_millis(1500));
    run(bin(&data).args([
        "feeds",
        "refresh",
        "--all",
        "--lease",
        "1",
        "--allow-host",
        &server.addr,
    ]));
    rt().block_on(async {
        let (n, feeds) = count_articles(&data).await;
        assert_eq!(n, 10_000, "every item exactly once");
        assert_eq!(feeds.len(), 100);
        assert!(
            feeds.iter().all(|f| f.items == 100),
            "{:?}",
            feeds.iter().map(|f| f.items).collect::<Vec<_>>()
        );
    });
    assert!(
        killed_mid_run >= 10,
        "only {killed_mid_run} of 20 kills landed mid-run"
    );
}
