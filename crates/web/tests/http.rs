//! The web crate end to end: a real SQLite store and a real tantivy index in a temporary data
//! directory, the server bound to 127.0.0.1:0 through `Application::build`, plain HTTP requests.

// The helpers below are not `#[test]` fns, which clippy's `allow-unwrap-in-tests` does not cover.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_article::{Article, Block, Dateline, Image, SourceTime};
use newsdesk_search::{SearchIndex, TantivyIndex};
use newsdesk_store::{InstrumentLink, LinkRole, NewSource, Source, SqliteStore, Store};
use newsdesk_web::{Application, WebConfig};
use serde_json::{Value, json};
use tokio::sync::oneshot;

struct TestApp {
    base: String,
    store: Arc<SqliteStore>,
    client: reqwest::Client,
    source: Source,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn spawn_app() -> TestApp {
    spawn_app_with(
        WebConfig {
            change_poll_ms: 50,
            ..WebConfig::default()
        },
        Vec::new(),
    )
    .await
}

/// Opens a store and an index in a fresh directory, stores `preload` (article, fetch time) before
/// the application is built, then builds and runs the application.
async fn spawn_app_with(config: WebConfig, preload: Vec<(Article, &str)>) -> TestApp {
    // reqwest is built with rustls but no default crypto provider (the fetcher installs ring when
    // it starts); the test client needs one installed too.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let source = store
        .upsert_source(&NewSource {
            slug: "reuters".into(),
            name: "Reuters".into(),
            homepage_url: Some("https://www.reuters.com".into()),
            time_zone: "America/New_York".into(),
        })
        .await
        .unwrap();
    for (article, fetched) in preload {
        let id = store
            .upsert_article(source.id, &article, fetched.parse().unwrap())
            .await
            .unwrap()
            .id();
        if article.printed_instruments.iter().any(|s| s == "JP225") {
            store
                .set_instrument_links(id, &[jp225()], Timestamp::now())
                .await
                .unwrap();
        }
    }
    let index: Arc<dyn SearchIndex> =
        Arc::new(TantivyIndex::open(&dir.path().join("index")).unwrap());
    let app = Application::build(config, "127.0.0.1:0".parse().unwrap(), store.clone(), index)
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    TestApp {
        base,
        store,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        source,
        stop: Some(tx),
        server: Some(server),
        _dir: dir,
    }
}

fn jp225() -> InstrumentLink {
    InstrumentLink {
        symbol: "JP225".into(),
        kind: "index".into(),
        role: LinkRole::Primary,
        score_bp: 9200,
        reasons: json!({"printed": true}),
    }
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl TestApp {
    async fn get(&self, path: &str) -> Resp {
        self.get_with(path, &[]).await
    }

    async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.client.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        Resp {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    async fn json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let v = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{path}: {e}: {}", r.body));
        (r.status, v)
    }

    async fn add(&self, article: &Article, fetched: &str) -> i64 {
        self.store
            .upsert_article(self.source.id, article, fetched.parse().unwrap())
            .await
            .unwrap()
            .id()
    }

    async fn link(&self, id: i64, symbol: &str, role: LinkRole, score_bp: i64, reasons: Value) {
        let mut links = self.store.instrument_links(id).await.unwrap();
        links.push(InstrumentLink {
            symbol: symbol.into(),
            kind: "index".into(),
            role,
            score_bp,
            reasons,
        });
        self.store
            .set_instrument_links(id, &links, Timestamp::now())
            .await
            .unwrap();
    }

    /// Polls `path` until `pred` holds (the change-log poller runs every 50 ms here).
    async fn eventually(&self, path: &str, pred: impl Fn(&Resp) -> bool) -> Resp {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let r = self.get(path).await;
            if pred(&r) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never satisfied the condition:\n{}",
                r.body
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn ny_time(s: &str, assumed: bool) -> SourceTime {
    let tz = TimeZone::get("America/New_York").unwrap();
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    let instant = dt.to_zoned_datetime(tz.clone()).unwrap().timestamp();
    SourceTime::new(instant, tz, assumed)
}

const CAPTION: &str = "FILE PHOTO: U.S. President Joe Biden is seen through a window being embraced by Japan's Ambassador to the U.S. Tomita Koji.";

/// The seed story (a scraped investing.com page of a Reuters wire story).
fn seed() -> Article {
    Article {
        url: Some("https://www.investing.com/news/world-news/japan-working-towards-opening-of-nato-liaison-office-in-tokyo-3071633".into()),
        title: Some("Japan working towards opening of NATO liaison office in Tokyo".into()),
        source: Some("Investing.com".into()),
        agency: Some("Reuters".into()),
        authors: vec!["Reuters staff".into()],
        dateline: Some(Dateline { place: Some("WASHINGTON".into()), agency: Some("Reuters".into()) }),
        published: Some(ny_time("2023-05-09T10:57", false)),
        updated: Some(ny_time("2023-05-09T11:02", false)),
        language: Some("en".into()),
        section: Some("World News".into()),
        images: vec![Image {
            url: Some("https://i-invdn-com.investing.com/news/LYNXMPEB1P0JD_L.jpg".into()),
            caption: Some(CAPTION.into()),
            credit: Some("REUTERS/Kevin Lamarque/File Photo".into()),
        }],
        printed_instruments: vec!["JP225".into()],
        blocks: vec![
            Block::paragraph("Japan is working towards the opening of a NATO liaison office in Tokyo, Japan's ambassador to the U.S. Koji Tomita said on Tuesday."),
            Block::paragraph("Tomita made the comment at an event hosted by the National Press Club in Washington."),
            Block::paragraph("NATO has not confirmed the Nikkei report, saying it would not go into details of NATO allies' ongoing deliberations."),
        ],
        warnings: vec![],
    }
}

fn story(title: &str, url: &str, published: &str, body: &str) -> Article {
    Article {
        url: Some(url.into()),
        title: Some(title.into()),
        published: Some(ny_time(published, false)),
        blocks: vec![Block::paragraph(body)],
        ..Article::default()
    }
}

async fn add_seed(app: &TestApp) -> i64 {
    let id = app.add(&seed(), "2023-05-09T15:10:00Z").await;
    app.link(
        id,
        "JP225",
        LinkRole::Primary,
        9200,
        json!({"printed": true}),
    )
    .await;
    id
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_page_of_the_seed_story_shows_headline_times_chip_dateline_body_and_footer() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let r = app.get(&format!("/news/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    let b = &r.body;
    assert!(
        b.contains("<h1>Japan working towards opening of NATO liaison office in Tokyo</h1>"),
        "{b}"
    );
    assert!(
        b.contains(r#"Published <time datetime="2023-05-09T10:57:00-04:00""#),
        "{b}"
    );
    assert!(b.contains(">May 09, 2023 10:57 AM EDT</time>"), "{b}");
    assert!(
        b.contains(r#"Updated <time datetime="2023-05-09T11:02:00-04:00""#),
        "{b}"
    );
    assert!(b.contains(">May 09, 2023 11:02 AM EDT</time>"), "{b}");
    assert!(!b.contains("zone assumed"));
    // the chip, with role/score/reasons in its tooltip and accessible name
    assert!(b.contains(r#"href="/instrument/JP225""#));
    assert!(
        b.contains(r#"title="primary · score 0.92 · printed on the page""#),
        "{b}"
    );
    assert!(
        b.contains(r#"aria-label="JP225: primary instrument, score 0.92, printed on the page""#)
    );
    // dateline in bold leading the first paragraph, like wire copy
    assert!(b.contains(r#"<p><strong class="dateline">WASHINGTON (Reuters) -</strong> Japan is working towards"#), "{b}");
    assert!(b.contains("NATO has not confirmed the Nikkei report"));
    // lead image with caption and credit
    assert!(b.contains(r#"<img src="https://i-invdn-com.investing.com/news/LYNXMPEB1P0JD_L.jpg""#));
    assert!(b.contains("<figcaption>FILE PHOTO: U.S. President Joe Biden"));
    assert!(
        b.contains(r#"<span class="credit">REUTERS/Kevin Lamarque/File Photo</span></figcaption>"#)
    );
    assert!(b.contains("By Reuters staff"));
    assert!(b.contains("<p class=\"section\">World News</p>"));
    // source link and footer
    assert!(b.contains(r#"<a href="https://www.investing.com/news/world-news/japan-working-towards-opening-of-nato-liaison-office-in-tokyo-3071633" rel="noopener noreferrer nofollow">"#));
    assert!(b.contains(
        "<strong>Risk disclosure:</strong> Market information on this site is indicative only"
    ));
    // accessible skeleton
    assert!(
        b.contains(r#"<html lang="en">"#)
            && b.contains(r#"<article class="story-page" lang="en">"#)
    );
    assert!(
        b.contains(r##"<a class="skip-link" href="#main">"##) && b.contains(r#"<main id="main""#)
    );
    assert_eq!(count(b, "<h1"), 1);
    assert!(!b.contains("What changed"), "one revision: no history");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assumed_zones_are_marked_and_display_zone_converts() {
    let config = WebConfig {
        change_poll_ms: 50,
        display_zone: Some("Asia/Tokyo".into()),
        ..WebConfig::default()
    };
    let app = spawn_app_with(config, Vec::new()).await;
    let mut a = story(
        "Zone story",
        "https://example.com/zone",
        "2023-05-09T10:57",
        "Body.",
    );
    a.published = Some(SourceTime::new(
        "2023-05-09T10:57:00Z".parse().unwrap(),
        TimeZone::UTC,
        true,
    ));
    let id = app.add(&a, "2023-05-09T11:00:00Z").await;
    let b = app.get(&format!("/news/{id}")).await.body;
    assert!(b.contains(">May 09, 2023 07:57 PM JST</time>"), "{b}");
    assert!(b.contains(r#"datetime="2023-05-09T19:57:00+09:00""#), "{b}");
    assert!(b.contains("(zone assumed)"), "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_page_lists_stories_with_source_relative_time_and_chips() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let recent = Timestamp::now() - jiff::SignedDuration::from_hours(3);
    let mut a = story(
        "Fresh story",
        "https://example.com/fresh",
        "2023-05-09T10:00",
        "Fresh.",
    );
    a.published = Some(SourceTime::new(recent, TimeZone::UTC, false));
    app.add(&a, "2023-05-10T00:00:00Z").await;
    let r = app.get("/").await;
    assert_eq!(r.status, 200);
    let b = &r.body;
    assert!(b.contains(&format!(r#"<a href="/news/{id}">Japan working towards opening of NATO liaison office in Tokyo</a>"#)), "{b}");
    assert!(b.contains(r#"<a href="/source/reuters">Reuters</a>"#));
    assert!(b.contains(">3 hours ago</time>"), "{b}");
    assert!(
        b.contains(r#"title="May 09, 2023 10:57 AM EDT">May 9, 2023</time>"#),
        "{b}"
    );
    assert!(b.contains(r#"href="/instrument/JP225""#));
    assert!(
        b.find("Fresh story") < b.find("Japan working"),
        "newest first"
    );
    // feeds advertised in the head
    assert!(b.contains(r#"<link rel="alternate" type="application/rss+xml" title="Latest stories (RSS)" href="/?format=rss">"#), "{b}");
    assert!(b.contains(r#"type="application/atom+xml""#));
    // filters
    let b = app.get("/?instrument=JP225").await.body;
    assert!(
        b.contains("Japan working") && !b.contains("Fresh story"),
        "{b}"
    );
    assert!(b.contains("Latest stories on JP225"));
    let b = app.get("/?source=reuters").await.body;
    assert!(b.contains("Japan working") && b.contains("Fresh story"));
    assert_eq!(app.get("/?source=nobody").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_and_instrument_pages() {
    let app = spawn_app().await;
    add_seed(&app).await;
    let r = app.get("/source/reuters").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("<h1>Stories from Reuters</h1>") && r.body.contains("Japan working"),
        "{}",
        r.body
    );
    let r = app.get("/source/unknown").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("<h1>Page not found</h1>"));
    let r = app.get("/instrument/JP225").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<h1>Stories on JP225</h1>") && r.body.contains("Japan working"));
    let r = app.get("/instrument/NOSUCH").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("No stories linked to NOSUCH yet.") && !r.body.contains("Japan working")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revisions_show_what_changed_paragraph_by_paragraph() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let mut v2 = seed();
    v2.title = Some("Japan works towards NATO liaison office in Tokyo, envoy says".into());
    v2.blocks[1] =
        Block::paragraph("Tomita spoke at the National Press Club in Washington on Tuesday.");
    v2.blocks.remove(2);
    v2.blocks.push(Block::paragraph(
        "After the Nikkei Asia report, China said high vigilance was needed.",
    ));
    v2.updated = Some(ny_time("2023-05-09T12:30", false));
    app.store
        .upsert_article(app.source.id, &v2, "2023-05-09T16:40:00Z".parse().unwrap())
        .await
        .unwrap();
    let b = app
        .eventually(&format!("/news/{id}"), |r| r.body.contains("What changed"))
        .await
        .body;
    assert!(b.contains("<h1>Japan works towards NATO liaison office in Tokyo, envoy says</h1>"));
    assert!(b.contains("Revision 2"), "{b}");
    assert!(
        b.contains(r#"<time datetime="2023-05-09T12:40:00-04:00""#),
        "fetch time in the source's zone: {b}"
    );
    assert!(b.contains("Revision 1"));
    assert!(b.contains("<del><span class=\"visually-hidden\">was: </span>Japan working towards opening of NATO liaison office in Tokyo</del>"), "{b}");
    // one changed, one removed-then-added pair is reported as a change, nothing else
    assert!(b.contains("<del><span class=\"visually-hidden\">was: </span>Tomita made the comment at an event hosted by the National Press Club in Washington.</del> <ins><span class=\"visually-hidden\">now: </span>Tomita spoke at the National Press Club in Washington on Tuesday.</ins>"), "{b}");
    assert!(
        b.contains("NATO has not confirmed the Nikkei report"),
        "the removed paragraph is shown as removed/changed"
    );
    assert!(b.contains("China said high vigilance was needed."));
    assert!(!b.contains("<li class=\"diff-changed\"><span class=\"label\">Changed</span> <del><span class=\"visually-hidden\">was: </span>Japan is working"), "unchanged paragraphs are not in the diff");
    // the API carries both revisions
    let (status, v) = app.json(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(status, 200);
    let revs = v["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[1]["number"], 2);
    assert_eq!(
        revs[0]["article"]["title"],
        "Japan working towards opening of NATO liaison office in Tokyo"
    );
    assert_eq!(revs[1]["fetched_at"], "2023-05-09T16:40:00Z");
    assert_eq!(revs[1]["content_hash"].as_str().unwrap().len(), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_has_no_duplicates_or_gaps() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..75 {
        // groups of five share a publication time
        let minute = 10 + i / 5;
        let a = story(
            &format!("Story number {i}"),
            &format!("https://example.com/s/{i}"),
            &format!("2023-05-09T10:{minute:02}"),
            "Body.",
        );
        ids.push(app.add(&a, "2023-05-09T20:00:00Z").await);
    }
    // HTML: follow "Older stories"
    let mut seen = Vec::new();
    let mut path = "/".to_string();
    let mut pages = 0;
    loop {
        let b = app.get(&path).await.body;
        pages += 1;
        for part in b.split("<a href=\"/news/").skip(1) {
            let id: i64 = part[..part.find('"').unwrap()].parse().unwrap();
            seen.push(id);
        }
        match b
            .split("rel=\"next\"")
            .next()
            .and_then(|h| h.rsplit("<a href=\"").next())
        {
            Some(href) if b.contains("Older stories") => {
                path = href.trim_end_matches("\" ").replace("&amp;", "&");
            }
            _ => break,
        }
        assert!(pages < 10, "pager does not end");
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "duplicates across pages");
    let mut all = ids.clone();
    all.sort_unstable();
    assert_eq!(sorted, all, "gaps across pages");
    // API: limit 7
    let mut api_seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/articles?limit=7&cursor={c}"),
            None => "/api/v1/articles?limit=7".into(),
        };
        let (status, v) = app.json(&path).await;
        assert_eq!(status, 200);
        let arts = v["articles"].as_array().unwrap();
        assert!(arts.len() <= 7);
        api_seen.extend(arts.iter().map(|a| a["id"].as_i64().unwrap()));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(api_seen, seen, "API and pages list the same order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_proper_pages_and_json_with_the_right_status() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let gone = app
        .add(
            &story("Gone", "https://example.com/gone", "2023-05-09T10:00", "x"),
            "2023-05-09T15:00:00Z",
        )
        .await;
    app.store
        .remove_article(gone, "takedown request", Timestamp::now())
        .await
        .unwrap();

    for (path, status, heading) in [
        ("/news/abc", 400, "Bad request"),
        ("/news/0", 400, "Bad request"),
        ("/news/999999", 404, "Page not found"),
        ("/nowhere", 404, "Page not found"),
        ("/?cursor=garbage", 400, "Bad request"),
        ("/search?q=x&from=yesterday", 400, "Bad request"),
        ("/search?q=x&to=2023-02-30", 400, "Bad request"),
        ("/search?q=x&sort=random", 400, "Bad request"),
        ("/?format=pdf", 400, "Bad request"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, status, "{path}");
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            r.body.starts_with("<!DOCTYPE html>")
                && r.body.contains(&format!("<h1>{heading}</h1>")),
            "{path}: {}",
            r.body
        );
        assert!(
            r.body.contains("Risk disclosure"),
            "{path}: footer on error pages"
        );
    }
    let r = app.get(&format!("/news/{gone}")).await;
    assert_eq!(r.status, 410);
    assert!(
        r.body.contains("<h1>Story removed</h1>") && r.body.contains("This story was removed on"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("takedown"), "operator notes stay private");

    for (path, status, code) in [
        ("/api/v1/articles/999999", 404, "not_found"),
        ("/api/v1/articles/x", 400, "bad_request"),
        (&format!("/api/v1/articles/{gone}") as &str, 410, "gone"),
        ("/api/v1/articles?cursor=zzz", 400, "bad_request"),
        ("/api/v1/articles?limit=many", 400, "bad_request"),
        ("/api/v1/search?q=x&from=never", 400, "bad_request"),
        ("/api/v1/nothing", 404, "not_found"),
    ] {
        let (s, v) = app.json(path).await;
        assert_eq!(s, status, "{path}");
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().len() > 3, "{path}");
    }

    // only GET/HEAD; bodies are not accepted
    let r = app
        .client
        .post(format!("{}/news/{id}", app.base))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, HEAD");
    let r = app
        .client
        .delete(format!("{}/api/v1/articles/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "method_not_allowed");
    let r = app
        .client
        .head(format!("{}/news/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // query strings over 4 KiB
    let r = app.get(&format!("/search?q={}", "a".repeat(5000))).await;
    assert_eq!(r.status, 414);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_api_shapes() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let (s, v) = app.json("/api/v1/articles").await;
    assert_eq!(s, 200);
    let a = &v["articles"][0];
    assert_eq!(a["id"], id);
    assert_eq!(
        a["title"],
        "Japan working towards opening of NATO liaison office in Tokyo"
    );
    assert!(
        a["url"]
            .as_str()
            .unwrap()
            .starts_with("https://www.investing.com/news/")
    );
    assert_eq!(a["path"], format!("/news/{id}"));
    assert_eq!(a["source"], json!({"slug": "reuters", "name": "Reuters"}));
    assert_eq!(
        a["published"],
        json!({"at": "2023-05-09T10:57:00-04:00", "zone": "America/New_York", "zone_assumed": false})
    );
    assert_eq!(a["updated"]["at"], "2023-05-09T11:02:00-04:00");
    assert_eq!(
        a["instruments"],
        json!([{"symbol": "JP225", "kind": "index", "role": "primary", "score": "0.92",
                 "move": null, "move_unavailable": "no prices for JP225"}])
    );
    assert!(v["next_cursor"].is_null());
    let (_, v) = app.json("/api/v1/articles?instrument=NONE").await;
    assert_eq!(v["articles"], json!([]));
    assert_eq!(app.json("/api/v1/articles?source=nobody").await.0, 404);

    let (s, v) = app.json(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        v["title"],
        "Japan working towards opening of NATO liaison office in Tokyo"
    );
    assert_eq!(v["authors"], json!(["Reuters staff"]));
    assert_eq!(
        v["dateline"],
        json!({"place": "WASHINGTON", "agency": "Reuters"})
    );
    assert_eq!(
        v["images"][0]["credit"],
        "REUTERS/Kevin Lamarque/File Photo"
    );
    assert_eq!(v["blocks"][0]["kind"], "paragraph");
    assert_eq!(v["language"], "en");
    assert_eq!(v["section"], "World News");
    assert_eq!(v["published"]["zone"], "America/New_York");
    assert_eq!(v["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(v["revisions"][0]["number"], 1);

    let (s, v) = app.json("/api/v1/sources").await;
    assert_eq!(s, 200);
    assert_eq!(v["sources"][0]["slug"], "reuters");
    assert_eq!(v["sources"][0]["time_zone"], "America/New_York");

    app.eventually("/api/v1/search?q=liaison", |r| {
        r.body.contains("\"total\":1")
    })
    .await;
    let (s, v) = app.json("/api/v1/search?q=liaison").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total"], 1);
    let hit = &v["results"][0];
    assert_eq!(hit["id"], id);
    assert_eq!(hit["source"]["slug"], "reuters");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let snippet = hit["snippet"].as_str().unwrap();
    let hl = hit["highlights"].as_array().unwrap();
    assert!(!hl.is_empty(), "{v}");
    let (s0, e0) = (
        hl[0][0].as_u64().unwrap() as usize,
        hl[0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(snippet[s0..e0].to_lowercase(), "liaison");
    assert_eq!(hit["published"]["at"], "2023-05-09T10:57:00-04:00");
    assert!(hit["url"].as_str().unwrap().starts_with("https://"));
    assert!(v.get("next_cursor").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_openapi_path_answers() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let (s, doc) = app.json("/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/articles",
        "/api/v1/articles/{id}",
        "/api/v1/search",
        "/api/v1/sources",
        "/api/v1/instruments/{symbol}",
    ] {
        assert!(paths.contains_key(p), "{p} undocumented");
    }
    for (path, ops) in paths {
        assert!(ops.get("get").is_some(), "{path}");
        let concrete = path
            .replace("{id}", &id.to_string())
            .replace("{symbol}", "JP225");
        let r = app.get(&concrete).await;
        assert_eq!(r.status, 200, "{concrete}: {}", r.body);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let _: Value = serde_json::from_str(&r.body).unwrap();
    }
}

fn nasty(i: usize) -> String {
    format!("Stocks <script>alert({i})</script> & bonds ]]> rally\u{1}\u{8}\u{b} ok")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_parse_and_round_trip() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    let id2 = app
        .add(
            &story(
                &nasty(2),
                "https://example.com/n",
                "2023-05-09T12:00",
                "Rally body",
            ),
            "2023-05-09T17:00:00Z",
        )
        .await;
    app.link(id2, "JP225", LinkRole::Mentioned, 5000, json!(null))
        .await;
    let expect_title = "Stocks <script>alert(2)</script> & bonds ]]> rally ok";
    app.eventually("/search?q=rally", |r| r.body.contains("1 result"))
        .await;
    for path in [
        "/rss",
        "/atom",
        "/?format=rss",
        "/?format=atom&instrument=JP225",
        "/source/reuters?format=rss",
        "/instrument/JP225?format=atom",
        "/search?q=rally&format=rss",
        "/search?q=rally&format=atom",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        let ct = r.headers["content-type"].to_str().unwrap().to_string();
        assert!(
            ct.starts_with("application/rss+xml") || ct.starts_with("application/atom+xml"),
            "{path}: {ct}"
        );
        assert!(!r.body.contains("<script"), "{path}");
        let feed = feed_rs::parser::parse(r.body.as_bytes())
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", r.body));
        assert!(feed.title.unwrap().content.contains("newsdesk"));
        assert!(
            r.body.contains(&format!(
                "rel=\"self\" type=\"{}\" href=\"{}",
                &ct[..ct.find(';').unwrap()],
                app.base
            )),
            "{path}: self link"
        );
        let nasty_entry = feed
            .entries
            .iter()
            .find(|e| {
                e.links
                    .iter()
                    .any(|l| l.href == format!("{}/news/{id2}", app.base))
            })
            .unwrap_or_else(|| panic!("{path}: {}", r.body));
        assert_eq!(
            nasty_entry.title.as_ref().unwrap().content,
            expect_title,
            "{path}"
        );
        let published = nasty_entry
            .published
            .unwrap_or_else(|| panic!("{path}: no published"));
        assert_eq!(
            published.to_rfc3339(),
            "2023-05-09T16:00:00+00:00",
            "{path}"
        );
        assert!(
            nasty_entry.id.contains(&format!("/news/{id2}")),
            "{path}: {}",
            nasty_entry.id
        );
        if !path.starts_with("/search") {
            let seed_entry = feed
                .entries
                .iter()
                .find(|e| e.id.ends_with(&format!("/news/{id}")));
            if !path.contains("rally") {
                assert!(seed_entry.is_some(), "{path}");
            }
        }
    }
}

/// A crude tag scanner: every tag is from a known set, every attribute name is known (no event
/// handlers), and every href/src is relative or http(s).
fn assert_markup_is_inert(page: &str, what: &str) {
    const TAGS: &[&str] = &[
        "html",
        "head",
        "meta",
        "title",
        "link",
        "body",
        "a",
        "header",
        "nav",
        "ul",
        "ol",
        "li",
        "form",
        "label",
        "input",
        "button",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "time",
        "span",
        "strong",
        "figure",
        "img",
        "figcaption",
        "div",
        "blockquote",
        "pre",
        "section",
        "del",
        "ins",
        "footer",
        "select",
        "option",
        "mark",
        "article",
        // the /feeds table
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
        "small",
        "code",
    ];
    const ATTRS: &[&str] = &[
        "lang",
        "charset",
        "name",
        "content",
        "rel",
        "href",
        "type",
        "title",
        "class",
        "id",
        "aria-label",
        "aria-labelledby",
        "aria-hidden",
        "role",
        "action",
        "method",
        "for",
        "value",
        "placeholder",
        "tabindex",
        "datetime",
        "src",
        "alt",
        "loading",
        "selected",
        "inputmode",
    ];
    assert!(
        !page.to_ascii_lowercase().contains("<script"),
        "{what}: script tag"
    );
    let bytes = page.as_bytes();
    let mut i = 0;
    while let Some(off) = page[i..].find('<') {
        let start = i + off + 1;
        let mut j = start;
        if bytes.get(j) == Some(&b'/') || bytes.get(j) == Some(&b'!') {
            i = j;
            continue;
        }
        while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
            j += 1;
        }
        let tag = page[start..j].to_ascii_lowercase();
        assert!(
            TAGS.contains(&tag.as_str()),
            "{what}: unexpected tag <{tag}> near {:?}",
            &page[start.saturating_sub(40)..(j + 40).min(page.len())]
        );
        // attributes until '>'
        loop {
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let name_start = j;
            while j < bytes.len() && !b" =>\t\n".contains(&bytes[j]) {
                j += 1;
            }
            let name = page[name_start..j].to_ascii_lowercase();
            assert!(
                ATTRS.contains(&name.as_str()),
                "{what}: attribute {name:?} on <{tag}>"
            );
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                assert_eq!(
                    bytes.get(j),
                    Some(&b'"'),
                    "{what}: unquoted attribute {name}"
                );
                let end = j + 1 + page[j + 1..].find('"').unwrap();
                let value = &page[j + 1..end];
                assert!(!value.contains('<'), "{what}: raw < in attribute");
                if name == "href" || name == "src" || name == "action" {
                    let v = value.to_ascii_lowercase();
                    assert!(
                        v.starts_with('/')
                            || v.starts_with("https://")
                            || v.starts_with("http://")
                            || v.starts_with('#'),
                        "{what}: {name}={value:?}"
                    );
                }
                j = end + 1;
            }
        }
        i = j;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xss_payloads_in_every_field_stay_inert() {
    let app = spawn_app().await;
    let x = |s: &str| format!("{s}\"'><script>alert(1)</script><img src=x onerror=alert(2)>");
    let evil_source = app
        .store
        .upsert_source(&NewSource {
            slug: "evil".into(),
            name: x("Evil <b>Source</b>"),
            homepage_url: Some("javascript:alert(3)".into()),
            time_zone: "UTC".into(),
        })
        .await
        .unwrap();
    let a = Article {
        url: Some("javascript:alert(4)//https://example.com/x".into()),
        title: Some(x("Title")),
        source: Some(x("Src")),
        agency: Some(x("Agency")),
        authors: vec![x("Author"), x("Second")],
        dateline: Some(Dateline {
            place: Some(x("PLACE")),
            agency: Some(x("AG")),
        }),
        published: Some(ny_time("2023-05-09T10:57", false)),
        updated: None,
        language: Some("en\" onload=\"alert(5)".into()),
        section: Some(x("Section")),
        images: vec![Image {
            url: Some("javascript:alert(6)".into()),
            caption: Some(x("Caption")),
            credit: Some(x("Credit")),
        }],
        printed_instruments: vec![x("SYM")],
        blocks: vec![
            Block::paragraph(x("Para payload")),
            Block::Heading {
                level: 1,
                text: x("Heading"),
            },
            Block::List {
                ordered: true,
                items: vec![x("Item")],
            },
            Block::Quote { text: x("Quote") },
            Block::Preformatted { text: x("Pre") },
        ],
        warnings: vec![],
    };
    let id = app
        .store
        .upsert_article(evil_source.id, &a, "2023-05-09T15:00:00Z".parse().unwrap())
        .await
        .unwrap()
        .id();
    let sym = x("SYM");
    app.store
        .set_instrument_links(
            id,
            &[InstrumentLink {
                symbol: sym.clone(),
                kind: x("kind"),
                role: LinkRole::Primary,
                score_bp: 10_000,
                reasons: json!({"why": x("reason")}),
            }],
            Timestamp::now(),
        )
        .await
        .unwrap();
    // a second revision so "what changed" renders payloads too
    let mut a2 = a.clone();
    a2.blocks.push(Block::paragraph(x("Added")));
    a2.title = Some(x("Title two"));
    app.store
        .upsert_article(evil_source.id, &a2, "2023-05-09T16:00:00Z".parse().unwrap())
        .await
        .unwrap();
    let sym_enc: String = sym
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();

    app.eventually("/search?q=payload", |r| r.body.contains("1 result"))
        .await;
    for path in [
        format!("/news/{id}"),
        "/".to_string(),
        "/source/evil".to_string(),
        format!("/instrument/{sym_enc}"),
        "/search?q=payload".to_string(),
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E".to_string(),
        "/news/%3Cscript%3E".to_string(),
        "/nope/%22%3E%3Cscript%3E".to_string(),
    ] {
        let r = app.get(&path).await;
        assert!(r.status == 200 || r.status >= 400, "{path}");
        assert_markup_is_inert(&r.body, &path);
        if r.status == 200
            && path != "/search?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E"
            && !path.starts_with("/nope")
        {
            assert!(
                r.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                    || r.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{path}: payload shown as text: {}",
                r.body
            );
        }
    }
    let page = app.get(&format!("/news/{id}")).await.body;
    assert!(!page.contains("href=\"javascript"), "canonical link");
    assert!(!page.contains("<img src=\"javascript"), "image");
    assert!(
        page.contains(r#"<article class="story-page" lang="en">"#),
        "bad language tag falls back"
    );
    for path in [
        "/rss",
        "/atom",
        "/source/evil?format=rss",
        "/search?q=payload&format=atom",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(!r.body.to_ascii_lowercase().contains("<script"), "{path}");
        assert!(!r.body.contains("<img"), "{path}");
        feed_rs::parser::parse(r.body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_every_response() {
    let app = spawn_app().await;
    let id = add_seed(&app).await;
    for path in [
        "/".to_string(),
        format!("/news/{id}"),
        "/news/999999".into(),
        "/api/v1/articles".into(),
        "/rss".into(),
        "/healthz".into(),
        "/static/site.css".into(),
        "/nowhere".into(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(
            r.headers["content-security-policy"],
            "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
        assert!(r.headers.contains_key("referrer-policy"), "{path}");
        assert!(r.headers.contains_key("x-request-id"), "{path}");
    }
    let r = app.get_with("/", &[("x-request-id", "abc-123")]).await;
    assert_eq!(r.headers["x-request-id"], "abc-123");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stylesheet_is_versioned_and_long_cached() {
    let app = spawn_app().await;
    let page = app.get("/").await.body;
    let href = page
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap();
    let href = &href[..href.find('"').unwrap()];
    assert!(href.starts_with("/static/site.css?v="), "{href}");
    let r = app.get(href).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        r.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(r.body.contains(":focus-visible"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_page_highlights_counts_filters_and_empty_states() {
    let app = spawn_app().await;
    let seed_id = add_seed(&app).await;
    app.add(
        &story(
            "Yen slips as Nikkei climbs",
            "https://example.com/yen",
            "2023-05-10T09:00",
            "The yen slipped while the Nikkei climbed in Tokyo.",
        ),
        "2023-05-10T14:00:00Z",
    )
    .await;
    app.add(
        &story(
            "Oil steady",
            "https://example.com/oil",
            "2023-05-11T09:00",
            "Oil prices held steady.",
        ),
        "2023-05-11T14:00:00Z",
    )
    .await;
    app.eventually("/search?q=tokyo", |r| r.body.contains("2 results"))
        .await;

    let b = app.get("/search").await.body;
    assert!(
        b.contains("<h1>Search</h1>") && b.contains("Type words to search"),
        "{b}"
    );
    assert!(b.contains(r#"<form class="search-form" action="/search" method="get">"#));
    let b = app.get("/search?q=liaison").await.body;
    assert!(b.contains("1 result for “liaison”"), "{b}");
    assert!(
        b.contains("<mark>liaison</mark>") || b.contains("<mark>Liaison</mark>"),
        "{b}"
    );
    assert!(b.contains(&format!("/news/{seed_id}")));
    assert!(b.contains(r#"value="liaison""#));
    let b = app.get("/search?q=zzzqqq").await.body;
    assert!(
        b.contains("0 results") && b.contains("No stories match"),
        "{b}"
    );
    // filters
    let b = app.get("/search?q=tokyo&instrument=JP225").await.body;
    assert!(b.contains("1 result") && b.contains("NATO"), "{b}");
    let b = app.get("/search?q=tokyo&from=2023-05-10").await.body;
    assert!(b.contains("1 result") && b.contains("Yen slips"), "{b}");
    let b = app.get("/search?q=tokyo&to=2023-05-09").await.body;
    assert!(
        b.contains("1 result") && b.contains("NATO"),
        "to includes its day: {b}"
    );
    let b = app
        .get("/search?q=tokyo&to=2023-05-09T14:00:00Z")
        .await
        .body;
    assert!(b.contains("0 results"), "{b}");
    let b = app.get("/search?sort=date&source=reuters").await.body;
    assert!(b.contains("3 results"), "{b}");
    let (oil, yen, nato) = (
        b.find("Oil steady").unwrap(),
        b.find("Yen slips").unwrap(),
        b.find("NATO liaison").unwrap(),
    );
    assert!(oil < yen && yen < nato, "date order");
    assert!(
        b.contains(r#"<option value="reuters" selected>Reuters</option>"#),
        "{b}"
    );
    let b = app.get("/search?q=tokyo&source=nobody").await.body;
    assert!(b.contains("0 results"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_stored_before_start_are_indexed_at_build_before_serving() {
    // The poller is effectively off: only the start-up catch-up can index these.
    let config = WebConfig {
        change_poll_ms: 3_600_000,
        ..WebConfig::default()
    };
    let crashed = story(
        "Committed before the crash",
        "https://example.com/crash",
        "2023-05-09T10:00",
        "Quarterly ballast figures.",
    );
    let app = spawn_app_with(config, vec![(crashed, "2023-05-09T15:00:00Z")]).await;
    let (s, v) = app.json("/api/v1/search?q=ballast").await;
    assert_eq!(s, 200);
    assert_eq!(v["total"], 1, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_articles_become_searchable_and_revisions_invalidate_the_cached_page() {
    let app = spawn_app().await;
    let (_, v) = app.json("/api/v1/search?q=zebra").await;
    assert_eq!(v["total"], 0);
    // written by "another process": straight into the store after the server started
    let id = app
        .add(
            &story(
                "Zebra bonds rally",
                "https://example.com/zebra",
                "2023-05-09T10:00",
                "Zebra bonds rallied.",
            ),
            "2023-05-09T15:00:00Z",
        )
        .await;
    app.eventually("/search?q=zebra", |r| r.body.contains("1 result"))
        .await;

    let first = app.get(&format!("/news/{id}")).await;
    assert!(first.body.contains("<h1>Zebra bonds rally</h1>"));
    let etag = first.headers["etag"].to_str().unwrap().to_string();
    let again = app
        .get_with(&format!("/news/{id}"), &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let mut v2 = story(
        "Zebra bonds rally further",
        "https://example.com/zebra",
        "2023-05-09T10:00",
        "Zebra bonds rallied further.",
    );
    v2.updated = Some(ny_time("2023-05-09T12:00", false));
    app.store
        .upsert_article(app.source.id, &v2, "2023-05-09T16:00:00Z".parse().unwrap())
        .await
        .unwrap();
    let fresh = app
        .eventually(&format!("/news/{id}"), |r| {
            r.body.contains("<h1>Zebra bonds rally further</h1>")
        })
        .await;
    assert_ne!(fresh.headers["etag"], etag.as_str());
    let r = app
        .get_with(&format!("/news/{id}"), &[("if-none-match", &etag)])
        .await;
    assert_eq!(r.status, 200, "old etag no longer matches");
    app.eventually("/search?q=further", |r| r.body.contains("1 result"))
        .await;
    // removal: 410 after the poller sees it
    app.store
        .remove_article(id, "test", Timestamp::now())
        .await
        .unwrap();
    app.eventually(&format!("/news/{id}"), |r| r.status == 410)
        .await;
    app.eventually("/search?q=zebra", |r| r.body.contains("0 results"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics() {
    // Stored before start-up, so no poller invalidation can race the cache counts below.
    let config = WebConfig {
        change_poll_ms: 50,
        ..WebConfig::default()
    };
    let app = spawn_app_with(config, vec![(seed(), "2023-05-09T15:10:00Z")]).await;
    let id = 1;
    let (s, v) = app.json("/healthz").await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"status": "ok", "store": "sqlite", "search": "tantivy"})
    );
    app.get(&format!("/news/{id}")).await;
    app.get(&format!("/news/{id}")).await;
    app.get("/news/999999").await;
    app.eventually("/metrics", |r| {
        r.body.contains("newsdesk_search_lag_changes 0")
    })
    .await;
    let m = app.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(
        m.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let b = &m.body;
    assert!(
        b.contains("newsdesk_http_requests_total{route=\"/news/{id}\",status=\"2xx\"} 2"),
        "{b}"
    );
    assert!(
        b.contains("newsdesk_http_requests_total{route=\"/news/{id}\",status=\"4xx\"} 1"),
        "{b}"
    );
    assert!(
        b.contains(
            "newsdesk_http_request_duration_seconds_bucket{route=\"/news/{id}\",le=\"+Inf\"} 3"
        ),
        "{b}"
    );
    assert!(b.contains("newsdesk_article_pages_rendered_total 1"), "{b}");
    assert!(b.contains("newsdesk_article_pages_cached_total 1"), "{b}");
    assert!(b.contains("newsdesk_search_applied_seq"), "{b}");
    assert!(b.contains("newsdesk_store_change_seq 2"), "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_graceful_and_stops_listening() {
    let mut app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    app.stop.take().unwrap().send(()).unwrap();
    let server = app.server.take().unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), server).await;
    assert!(
        matches!(result, Ok(Ok(Ok(())))),
        "run_until_stopped returned {result:?}"
    );
    let after = app.client.get(format!("{}/healthz", app.base)).send().await;
    assert!(after.is_err(), "still answering after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_page_lists_sources_and_the_configured_credits_escaped() {
    let app = spawn_app_with(
        WebConfig {
            credits: Some("Text from Wikinews, CC BY 2.5.\n\nSecond <b>paragraph</b>.".into()),
            ..WebConfig::default()
        },
        Vec::new(),
    )
    .await;
    let r = app.get("/about").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("<a href=\"/source/reuters\">Reuters</a>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("https://www.reuters.com"), "{}", r.body);
    assert!(
        r.body.contains("<p>Text from Wikinews, CC BY 2.5.</p>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Second &#60;b&#62;paragraph&#60;/b&#62;.") && !r.body.contains("<b>"),
        "{}",
        r.body
    );
    // Every page links to it from the footer.
    assert!(app.get("/").await.body.contains("href=\"/about\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_from_other_sources_show_as_also_reported_by_and_in_the_api() {
    let app = spawn_app().await;
    let body = "The Bank of Japan kept its yield curve control unchanged on Tuesday, surprising \
        some investors who had bet on a tweak. Governor Kazuo Ueda said the bank would \
        patiently maintain ultra-loose policy until wages rise. The yen weakened past 150 per \
        dollar after the decision, and the Nikkei 225 rose 1.2% as exporters gained.";
    let a = app
        .add(
            &story(
                "BOJ holds policy steady",
                "https://wire.example/boj",
                "2024-01-23T03:00",
                body,
            ),
            "2024-01-23T09:00:00Z",
        )
        .await;
    // Rendered (and cached) before the copy arrives.
    let first = app.get(&format!("/news/{a}")).await;
    assert!(!first.body.contains("Also reported by"));

    let ap = app
        .store
        .upsert_source(&NewSource {
            slug: "ap".into(),
            name: "<b>AP</b> News".into(),
            homepage_url: None,
            time_zone: "America/New_York".into(),
        })
        .await
        .unwrap();
    let b = app
        .store
        .upsert_article(
            ap.id,
            &story(
                "Yen slides as Bank of Japan stands pat",
                "https://ap.example/boj",
                "2024-01-23T04:00",
                body,
            ),
            "2024-01-23T09:30:00Z".parse().unwrap(),
        )
        .await
        .unwrap()
        .id();
    let page = app
        .eventually(&format!("/news/{a}"), |r| {
            r.body.contains("Also reported by")
        })
        .await;
    assert!(
        page.body.contains(&format!("href=\"/news/{b}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Yen slides as Bank of Japan stands pat"));
    let also_html = &page.body[page.body.find("also-reported").unwrap()..];
    assert!(
        also_html.contains("AP") && !also_html.contains("<b>AP"),
        "{also_html}"
    );
    let other = app.get(&format!("/news/{b}")).await;
    assert!(other.body.contains(&format!("href=\"/news/{a}\"")));

    let (s, v) = app.json(&format!("/api/v1/articles/{b}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        v["story"]["id"], a,
        "the first article founds the story: {v}"
    );
    let also = v["story"]["also_reported_by"].as_array().unwrap();
    assert_eq!(also.len(), 1);
    assert_eq!(also[0]["id"], a);
    assert_eq!(also[0]["source"]["slug"], "reuters");
    assert_eq!(
        also[0]["reason"],
        serde_json::Value::Null,
        "the founder joined nobody"
    );
    let (_, va) = app.json(&format!("/api/v1/articles/{a}")).await;
    assert_eq!(va["story"]["also_reported_by"][0]["id"], b);
    assert!(va["story"]["also_reported_by"][0]["reason"].is_string());
}

/// The `n` weekdays up to and including `end`, oldest first.
fn weekdays_back(end: jiff::civil::Date, n: usize) -> Vec<jiff::civil::Date> {
    let mut out = Vec::new();
    let mut d = end;
    while out.len() < n {
        if d.weekday().to_monday_one_offset() <= 5 {
            out.push(d);
        }
        d = d.yesterday().unwrap();
    }
    out.reverse();
    out
}

/// Stores JP225 (Tokyo, benchmark BENCH) whose returns take two values for 150 sessions up to
/// 2023-05-09, then +5 % and +1 % on 05-10 and 05-11 while the benchmark stays flat; OLD, whose
/// prices end on 2017-11-10. Returns the abnormal move the market model must give, computed here
/// independently (two distinct return pairs: OLS is the line through them).
async fn store_prices(app: &TestApp) -> String {
    use jiff::civil::{date, time};
    use newsdesk_market::{Bar, Price};
    use newsdesk_store::Instrument;
    let store = &app.store;
    for (symbol, tz, close, bench) in [
        ("JP225", "Asia/Tokyo", time(15, 0, 0, 0), Some("BENCH")),
        ("OLD", "America/New_York", time(16, 0, 0, 0), None),
    ] {
        store
            .upsert_instrument(&Instrument {
                symbol: symbol.into(),
                name: symbol.into(),
                kind: "index".into(),
                currency: "pts".into(),
                exchange_tz: tz.into(),
                session_close: close,
                benchmark_symbol: bench.map(str::to_string),
            })
            .await
            .unwrap();
    }
    let days = weekdays_back(date(2023, 5, 9), 150);
    let n = days.len();
    let p = |s: &str| Price::parse(s).unwrap();
    let mut inst: Vec<Bar> = Vec::new();
    let mut bench: Vec<Bar> = Vec::new();
    for (i, d) in days.iter().enumerate() {
        let even = (n - 1 - i).is_multiple_of(2);
        inst.push(Bar::close_only(*d, p(if even { "100" } else { "102" })));
        bench.push(Bar::close_only(*d, p(if even { "1000" } else { "1010" })));
    }
    for (d, c) in [(date(2023, 5, 10), "105"), (date(2023, 5, 11), "106.05")] {
        inst.push(Bar::close_only(d, p(c)));
        bench.push(Bar::close_only(d, p("1000")));
    }
    let as_of: Timestamp = "2023-05-11T09:00:00Z".parse().unwrap();
    store
        .import_bars("JP225", &inst, "test-feed", as_of, as_of)
        .await
        .unwrap();
    store
        .import_bars("BENCH", &bench, "test-feed", as_of, as_of)
        .await
        .unwrap();
    let old = [
        Bar::close_only(date(2017, 11, 9), p("10")),
        Bar::close_only(date(2017, 11, 10), p("11")),
    ];
    store
        .import_bars("OLD", &old, "test-feed", as_of, as_of)
        .await
        .unwrap();
    let (x1, y1) = (0.01f64, 0.02f64); // 1000 -> 1010, 100 -> 102
    let (x2, y2) = (1000.0 / 1010.0 - 1.0, 100.0 / 102.0 - 1.0);
    let beta = (y1 - y2) / (x1 - x2);
    let alpha = y1 - beta * x1;
    let car = (0.05 - alpha) + (0.01 - alpha);
    format!("{:.2}", car * 100.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chips_show_moves_computed_from_stored_bars() {
    let app = spawn_app().await;
    let expected_abn = store_prices(&app).await;
    let id = add_seed(&app).await;
    let other = app
        .add(
            &story(
                "Old index story",
                "https://example.com/old",
                "2023-05-09T09:00",
                "Text.",
            ),
            "2023-05-09T15:10:00Z",
        )
        .await;
    app.link(
        other,
        "OLD",
        LinkRole::Primary,
        9000,
        json!({"printed": true}),
    )
    .await;

    // API: the seed story (10:57 New York = 23:57 Tokyo, after Tokyo's close of 05-09).
    let (s, v) = app.json(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(s, 200);
    let m = &v["instruments"][0]["move"];
    assert_eq!(m["change_percent"], "6.05", "{m}");
    assert_eq!(m["abnormal_percent"], expected_abn.as_str(), "{m}");
    assert_eq!(
        m["from"],
        json!({"price": "100", "at": "2023-05-09T06:00:00Z"})
    );
    assert_eq!(
        m["to"],
        json!({"price": "106.05", "at": "2023-05-11T06:00:00Z"})
    );
    assert_eq!(m["source"], "test-feed");
    assert_eq!(m["as_of"], "2023-05-11T09:00:00Z");
    assert!(v["instruments"][0].get("move_unavailable").is_none());

    // Lists carry the same move, and the reason where there is none.
    let (_, v) = app.json("/api/v1/articles").await;
    let by_title = |t: &str| {
        v["articles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == t)
            .unwrap()
            .clone()
    };
    let old = by_title("Old index story");
    assert_eq!(old["instruments"][0]["move"], Value::Null);
    assert_eq!(
        old["instruments"][0]["move_unavailable"],
        "no prices after 2017-11-10"
    );
    let seed = by_title("Japan working towards opening of NATO liaison office in Tokyo");
    assert_eq!(seed["instruments"][0]["move"]["change_percent"], "6.05");

    // Pages: the chip figure with its details, and the reason for the other story.
    let abn_text = if expected_abn.starts_with('-') {
        expected_abn.clone()
    } else {
        format!("+{expected_abn}")
    };
    let b = app.get(&format!("/news/{id}")).await.body;
    assert!(
        b.contains(&format!(">+6.05% (abn {abn_text}%)</span>")),
        "{b}"
    );
    assert!(
        b.contains("100 at 2023-05-09T06:00:00Z → 106.05 at 2023-05-11T06:00:00Z"),
        "{b}"
    );
    assert!(
        b.contains("source test-feed, as of 2023-05-11T09:00:00Z"),
        "{b}"
    );
    let b = app.get("/").await.body;
    assert!(b.contains(&format!("+6.05% (abn {abn_text}%)")), "{b}");
    assert!(b.contains(">no prices after 2017-11-10</span>"), "{b}");

    // The instrument page: chart, a marker linking the story, changes, source and as-of.
    let r = app.get("/instrument/JP225").await;
    assert_eq!(r.status, 200);
    let b = r.body;
    assert!(b.contains("<svg class=\"chart\""), "{b}");
    assert!(b.contains(&format!("<a class=\"chart-marker\" href=\"/news/{id}\"><title>Japan working towards opening of NATO liaison office in Tokyo (2023-05-09T14:57:00Z)</title>")), "{b}");
    assert!(
        b.contains(
            "<dt>1D</dt><dd title=\"from 105 on 2023-05-10 to 106.05 on 2023-05-11\">+1.00%</dd>"
        ),
        "{b}"
    );
    assert!(
        b.contains("Source: test-feed, as of 2023-05-11T09:00:00Z."),
        "{b}"
    );
    assert!(
        b.contains("52-week range: 100 (2022-10-13) – 106.05 (2023-05-11)"),
        "{b}"
    );
    assert!(!b.contains("style="), "the CSP forbids inline styles");
    let (s, v) = app.json("/api/v1/instruments/JP225").await;
    assert_eq!(s, 200);
    assert_eq!(v["prices"]["source"], "test-feed");
    assert_eq!(v["prices"]["stats"]["changes"][0]["period"], "1D");
    assert_eq!(v["prices"]["stats"]["changes"][0]["change_percent"], "1.00");
    assert_eq!(v["instrument"]["exchange_tz"], "Asia/Tokyo");
    assert_eq!(
        v["stories"][0]["instruments"][0]["move"]["change_percent"],
        "6.05"
    );
    assert_eq!(app.json("/api/v1/instruments/NOSUCH").await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_article_pages_follow_new_prices_and_quotes() {
    use jiff::civil::date;
    use newsdesk_market::{Bar, IntradayBar, Price};
    let app = spawn_app().await;
    store_prices(&app).await;
    let id = add_seed(&app).await;
    let path = format!("/news/{id}");
    // Rendered once the poller has seen the article, then served from the page cache.
    let first = app
        .eventually(&path, |r| r.body.contains(">+6.05% (abn "))
        .await;
    let etag = first.headers["etag"].to_str().unwrap().to_string();
    assert_eq!(app.get(&path).await.headers["etag"], etag.as_str());
    let (_, v) = app.json(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(v["instruments"][0]["move"]["change_percent"], "6.05", "{v}");

    // A later import brings 2023-05-12 (close 110): the cached page must not keep +6.05 %.
    let as_of: Timestamp = "2023-05-12T09:00:00Z".parse().unwrap();
    let p = |s: &str| Price::parse(s).unwrap();
    let out = app
        .store
        .import_bars(
            "JP225",
            &[Bar::close_only(date(2023, 5, 12), p("110"))],
            "later-feed",
            as_of,
            as_of,
        )
        .await
        .unwrap();
    assert_eq!(out.inserted, 1);
    let fresh = app
        .eventually(&path, |r| r.body.contains(">+10.00% (abn "))
        .await;
    // The JSON API (never page-cached) reads the same process-wide price cache: it follows too.
    let (_, v) = app.json(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(
        v["instruments"][0]["move"]["change_percent"], "10.00",
        "{v}"
    );
    assert_eq!(v["instruments"][0]["move"]["source"], "later-feed", "{v}");
    assert!(
        fresh
            .body
            .contains("source later-feed, as of 2023-05-12T09:00:00Z"),
        "{}",
        fresh.body
    );
    assert_ne!(fresh.headers["etag"], etag.as_str());

    // A quote after the last close is the newest price: the chip moves to it, with its source.
    let at: Timestamp = "2023-05-15T01:30:00Z".parse().unwrap();
    let stored = app
        .store
        .store_ticks(
            "JP225",
            &[IntradayBar {
                at,
                open: None,
                high: None,
                low: None,
                close: p("111.5"),
                volume: None,
            }],
            "quotes-test",
            at,
            at,
        )
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let quoted = app.eventually(&path, |r| r.body.contains(">+11.50%")).await;
    assert!(
        quoted.body.contains("111.5 at 2023-05-15T01:30:00Z"),
        "{}",
        quoted.body
    );
    assert!(
        quoted
            .body
            .contains("source quotes-test, as of 2023-05-15T01:30:00Z"),
        "{}",
        quoted.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_page_lists_status_errors_and_pauses_with_hostile_text_escaped() {
    use newsdesk_store::{FeedPoll, FullText, NewFeed};
    let app = spawn_app().await;
    let r = app.get("/feeds").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("No feeds yet"), "{}", r.body);

    let now = Timestamp::now();
    let add = |url: &str| NewFeed {
        url: url.to_string(),
        source_id: app.source.id,
        full_text: FullText::Auto,
        zone: "UTC".into(),
        interval_s: 1800,
    };
    let wire = app
        .store
        .add_feed(&add("https://wire.example/rss"), now)
        .await
        .unwrap();
    app.store
        .record_feed_poll(
            wire.id,
            &FeedPoll::Fetched {
                etag: None,
                last_modified: None,
                title: Some(
                    "<script>alert(1)</script>Wire <img src=x onerror=alert(2)> \"quoted\"".into(),
                ),
                next_due_at: now,
            },
            now,
        )
        .await
        .unwrap();
    let failing = app
        .store
        .add_feed(
            &add("https://evil.example/feed?q=\"><script>alert(3)</script>"),
            now,
        )
        .await
        .unwrap();
    app.store
        .record_feed_poll(
            failing.id,
            &FeedPoll::Failed {
                error: "HTTP error: <img src=x onerror=alert(4)>".into(),
                next_due_at: now,
                pause_after: 5,
            },
            now,
        )
        .await
        .unwrap();
    let gone = app
        .store
        .add_feed(&add("https://gone.example/rss"), now)
        .await
        .unwrap();
    app.store
        .record_feed_poll(
            gone.id,
            &FeedPoll::Stop {
                reason: "gone: the server answered 410, polling stopped".into(),
            },
            now,
        )
        .await
        .unwrap();
    app.store
        .add_feed(&add("https://quiet.example/rss"), now)
        .await
        .unwrap();

    let r = app.get("/feeds").await;
    assert_eq!(r.status, 200);
    assert_markup_is_inert(&r.body, "/feeds");
    let body = &r.body;
    for expected in [
        // the hostile title, shown as text
        "&#60;script&#62;alert(1)&#60;/script&#62;Wire &#60;img src=x onerror=alert(2)&#62;",
        "https://wire.example/rss",
        // the hostile URL and error, as text
        "&#60;script&#62;alert(3)&#60;/script&#62;",
        "error: HTTP error: &#60;img src=x onerror=alert(4)&#62;",
        // the pause reason
        "paused: gone: the server answered 410, polling stopped",
        // never polled
        "https://quiet.example/rss",
        "never",
    ] {
        assert!(body.contains(expected), "{expected:?} missing from {body}");
    }
    assert_eq!(
        count(body, "<tr>"),
        5,
        "a header row and four feeds: {body}"
    );
    assert!(count(body, ">ok</td>") >= 2, "{body}");
}
