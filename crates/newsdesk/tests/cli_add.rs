//! `newsdesk add`, `reindex` and `config print` as a user runs them: the real binary on a real
//! data directory (SQLite + tantivy), including SIGKILL in the middle of a bulk add.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Server, bin, rt, run, stdout};

use newsdesk_article::{Article, Block};
use newsdesk_search::{SearchIndex, SearchQuery, SortOrder};
use newsdesk_store::{ArticleFilter, Store};

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../extract/tests/fixtures/text/investing-nato-liaison.txt")
}

async fn open(
    data: &Path,
) -> (
    newsdesk_store::SqliteStore,
    newsdesk_search::tantivy_index::TantivyIndex,
) {
    let store = newsdesk_store::SqliteStore::open(data).await.unwrap();
    let index = newsdesk_search::tantivy_index::TantivyIndex::open(&data.join("search")).unwrap();
    (store, index)
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        sort: SortOrder::Relevance,
        limit: 10,
        ..SearchQuery::default()
    }
}

#[test]
fn seed_is_stored_once_with_its_chip_and_found_by_search() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(bin(&data)
        .args(["add", "--tz", "America/New_York"])
        .arg(seed()));
    assert!(stdout(&out).contains("1 new"), "{}", stdout(&out));
    // The same input again adds nothing.
    let out = run(bin(&data)
        .args(["add", "--tz", "America/New_York"])
        .arg(seed()));
    assert!(
        stdout(&out).contains("0 new, 0 revised, 1 unchanged"),
        "{}",
        stdout(&out)
    );

    rt().block_on(async {
        let (store, index) = open(&data).await;
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 1);
        let s = &page.articles[0];
        assert_eq!(
            s.title.as_deref(),
            Some("Japan working towards opening of NATO liaison office in Tokyo")
        );
        // The chip the page printed, first and primary; the linker may add mentions, never an
        // equity (the story names no company).
        assert_eq!(s.instruments[0].symbol, "JP225", "{:?}", s.instruments);
        assert_eq!(s.instruments[0].role, newsdesk_store::LinkRole::Primary);
        assert!(
            s.instruments.iter().all(|l| l.kind != "equity"),
            "{:?}",
            s.instruments
        );
        assert_eq!(s.published.as_ref().unwrap().zone, "America/New_York");
        let stored = store.get_article(s.id).await.unwrap().unwrap();
        let d = stored.article.dateline.as_ref().unwrap();
        assert_eq!(d.place.as_deref(), Some("WASHINGTON"));
        let hits = index.search(&query("NATO liaison Tokyo")).await.unwrap();
        assert_eq!(hits.hits.first().map(|h| h.id), Some(s.id));
        let by_chip = index
            .search(&SearchQuery {
                instrument: Some("JP225".into()),
                sort: SortOrder::Date,
                limit: 10,
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(by_chip.hits.len(), 1);
    });
}

fn story(url: &str, title: &str, paragraphs: &[&str]) -> Article {
    Article {
        url: Some(url.into()),
        title: Some(title.into()),
        published: Some(newsdesk_article::SourceTime::new(
            "2026-11-20T14:00:00Z".parse().unwrap(),
            jiff::tz::TimeZone::UTC,
            false,
        )),
        blocks: paragraphs.iter().map(|p| Block::paragraph(*p)).collect(),
        ..Article::default()
    }
}

fn write_lines(path: &Path, articles: &[Article]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for a in articles {
        serde_json::to_writer(&mut f, a).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

#[test]
fn changed_content_becomes_a_revision_with_updated_set() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let v1 = dir.path().join("v1.jsonl");
    let v2 = dir.path().join("v2.jsonl");
    write_lines(
        &v1,
        &[story(
            "https://wire.example/a",
            "Yen slides",
            &["The yen fell against the dollar on Monday."],
        )],
    );
    write_lines(
        &v2,
        &[story(
            "https://wire.example/a",
            "Yen slides to a two-year low",
            &["The yen fell to a two-year low against the dollar on Monday."],
        )],
    );
    run(bin(&data)
        .args(["add", "--now", "2026-11-20T15:00:00Z"])
        .arg(&v1));
    let out = run(bin(&data)
        .args(["add", "--now", "2026-11-20T16:30:00Z"])
        .arg(&v2));
    assert!(
        stdout(&out).contains("0 new, 1 revised"),
        "{}",
        stdout(&out)
    );
    rt().block_on(async {
        let (store, index) = open(&data).await;
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 1);
        let s = &page.articles[0];
        assert_eq!(s.revision, 2);
        assert!(s.updated_is_fetch_time);
        assert_eq!(
            s.updated.as_ref().unwrap().instant,
            "2026-11-20T16:30:00Z".parse().unwrap()
        );
        assert_eq!(store.list_revisions(s.id).await.unwrap().len(), 2);
        // Search sees the new text, not the old.
        assert_eq!(
            index
                .search(&query("two-year low"))
                .await
                .unwrap()
                .hits
                .len(),
            1
        );
        assert_eq!(
            index
                .search(&query("\"yen slides\" -two-year"))
                .await
                .unwrap()
                .hits
                .len(),
            0
        );
    });
    // The source came from the URL's host.
    let out = run(bin(&data).args(["config", "print"]));
    assert!(stdout(&out).contains("data_dir"), "{}", stdout(&out));
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines = dir.path().join("mixed.jsonl");
    let good = serde_json::to_string(&story(
        "https://wire.example/ok",
        "Gold steadies",
        &["Gold held near its record."],
    ))
    .unwrap();
    std::fs::write(&lines, format!("{good}\n{{not json\n\n[1,2]\n")).unwrap();
    let out = bin(&data)
        .arg("add")
        .arg(&lines)
        .arg(dir.path().join("missing.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mixed.jsonl:2"), "{err}");
    assert!(err.contains("mixed.jsonl:4"), "{err}");
    assert!(err.contains("missing.html"), "{err}");
    assert!(stdout(&out).contains("1 new"), "{}", stdout(&out));
}

#[test]
fn reindex_rebuilds_a_lost_index() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines = dir.path().join("a.jsonl");
    let arts: Vec<Article> = (0..50)
        .map(|i| {
            story(
                &format!("https://wire.example/{i}"),
                &format!("Story number {i}"),
                &[&format!("Body of story {i} mentions token{i}.")],
            )
        })
        .collect();
    write_lines(&lines, &arts);
    run(bin(&data).arg("add").arg(&lines));
    std::fs::remove_dir_all(data.join("search")).unwrap();
    let out = run(bin(&data).arg("reindex"));
    assert!(stdout(&out).contains("50 documents"), "{}", stdout(&out));
    // A corrupt index: other commands refuse it with a clear message, reindex repairs it.
    std::fs::write(data.join("search").join("meta.json"), b"{ not json").unwrap();
    let out = bin(&data).arg("add").arg(&lines).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reindex"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(bin(&data).arg("reindex"));
    assert!(stdout(&out).contains("50 documents"), "{}", stdout(&out));
    rt().block_on(async {
        let (_store, index) = open(&data).await;
        assert_eq!(index.count().await.unwrap(), 50);
        assert_eq!(index.search(&query("token17")).await.unwrap().hits.len(), 1);
    });
}

/// Kills a bulk add with SIGKILL at varying moments, 20 times. After each kill a new add (the
/// restart) runs; then no stored article may be partial — its content and links are exactly what
/// was given — and search finds every stored article.
#[cfg(unix)]
#[test]
fn sigkill_mid_batch_never_leaves_partial_articles_or_unsearchable_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let n = 4000;
    let arts: Vec<Article> = (0..n)
        .map(|i| {
            let mut a = story(
                &format!("https://wire.example/bulk/{i}"),
                &format!("Bulk story {i}"),
                &[
                    &format!("Marker m{i}x appears once."),
                    "Stocks were mixed in thin trading as investors awaited data.",
                ],
            );
            a.printed_instruments = vec![format!("SYM{}", i % 7)];
            a
        })
        .collect();
    let lines = dir.path().join("bulk.jsonl");
    write_lines(&lines, &arts);
    let small = dir.path().join("small.jsonl");
    write_lines(
        &small,
        &[story(
            "https://wire.example/restart",
            "Restart marker",
            &["Restarted."],
        )],
    );
    // Initialise the data directory once so kills land in the ingest, not in schema creation.
    run(bin(&data).arg("add").arg(&small));

    let mut killed_mid_run = 0;
    for round in 0..20u64 {
        let mut child = bin(&data)
            .args(["add", "--batch", "100"])
            .arg(&lines)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 + (round * 37) % 400));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill(); // SIGKILL on unix
        let _ = child.wait();
        // The restart: the next command catches the index up before doing its own work.
        run(bin(&data).arg("add").arg(&small));
        rt().block_on(async {
            let (store, index) = open(&data).await;
            let mut cursor = None;
            let mut live = 0u64;
            let mut stored_ids = std::collections::HashMap::new();
            loop {
                let page = store
                    .list_articles(&ArticleFilter::default(), cursor, 1000)
                    .await
                    .unwrap();
                for s in &page.articles {
                    live += 1;
                    let stored = store
                        .get_article(s.id)
                        .await
                        .unwrap()
                        .expect("listed article readable");
                    let url = stored.article.url.clone().unwrap();
                    if let Some(i) = url.strip_prefix("https://wire.example/bulk/") {
                        let i: usize = i.parse().unwrap();
                        stored_ids.insert(i, s.id);
                        assert_eq!(
                            stored.article, arts[i],
                            "round {round}: article {i} differs from its input"
                        );
                        assert_eq!(
                            s.instruments.len(),
                            1,
                            "round {round}: article {i} lost its link"
                        );
                        assert_eq!(s.instruments[0].symbol, format!("SYM{}", i % 7));
                    }
                }
                match page.next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(
                index.count().await.unwrap(),
                live,
                "round {round}: index and store disagree"
            );
            // Every stored article is findable by its unique marker; unstored ones are not.
            for i in (0..n).step_by(97).chain([n - 1]) {
                let hits = index.search(&query(&format!("m{i}x"))).await.unwrap().hits;
                match stored_ids.get(&i) {
                    Some(id) => assert_eq!(
                        hits.iter().map(|h| h.id).collect::<Vec<_>>(),
                        [*id],
                        "round {round}: {i}"
                    ),
                    None => assert!(hits.is_empty(), "round {round}: unstored {i} found"),
                }
            }
        });
    }
    assert!(
        killed_mid_run >= 10,
        "only {killed_mid_run} of 20 kills landed mid-run; the test did not test much"
    );
}

#[test]
fn tag_command_speaks_the_line_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id": "a", "title": "Apple shares jump", "text": "Apple Inc (NASDAQ:AAPL) shares rose 3% after results."}"#,
            "\n",
            r#"{"id": "b", "text": "TOKYO (Reuters) - Japan's economy grew faster than expected, the government said."}"#,
            "\n"
        ),
    )
    .unwrap();
    let out = run(bin(&dir.path().join("data"))
        .args(["tag", "--input"])
        .arg(&input));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    let a = &lines[0]["instruments"][0];
    assert_eq!(a["symbol"], "AAPL", "{}", lines[0]);
    assert_eq!(a["kind"], "equity");
    let reason = &a["reasons"][0];
    let text = "Apple Inc (NASDAQ:AAPL) shares rose 3% after results.";
    let (start, end) = (
        reason["start"].as_u64().unwrap() as usize,
        reason["end"].as_u64().unwrap() as usize,
    );
    let quoted: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(quoted, reason["text"].as_str().unwrap());
    assert_eq!(lines[1]["countries"][0], "JP", "{}", lines[1]);
}

#[test]
fn kb_import_is_kept_and_retag_applies_it_to_stored_stories() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines = dir.path().join("a.jsonl");
    write_lines(
        &lines,
        &[story(
            "https://wire.example/zq",
            "Zorblax Widgets wins a contract",
            &[
                "Zorblax Widgets said on Monday it had won a large contract, sending its shares higher.",
            ],
        )],
    );
    run(bin(&data).arg("add").arg(&lines));
    let csv = dir.path().join("extra.csv");
    std::fs::write(
        &csv,
        "symbol,kind,name,aliases,country\nZQX,equity,Zorblax Widgets Inc,Zorblax Widgets,US\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "not,a,knowledge\nbase").unwrap();
    let out = bin(&data)
        .args(["kb", "import"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(bin(&data).args(["kb", "import"]).arg(&csv));
    assert!(stdout(&out).contains("1 new"), "{}", stdout(&out));
    let out = run(bin(&data).arg("retag"));
    assert!(
        stdout(&out).contains("1 with new links"),
        "{}",
        stdout(&out)
    );
    rt().block_on(async {
        let (store, index) = open(&data).await;
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        let symbols: Vec<&str> = page.articles[0]
            .instruments
            .iter()
            .map(|l| l.symbol.as_str())
            .collect();
        assert!(symbols.contains(&"ZQX"), "{symbols:?}");
        // The index follows the new links (through the change log).
        drop(index);
    });
    run(bin(&data).arg("add").arg(&lines));
    rt().block_on(async {
        let (_store, index) = open(&data).await;
        let hits = index
            .search(&SearchQuery {
                instrument: Some("ZQX".into()),
                sort: SortOrder::Date,
                limit: 10,
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(hits.hits.len(), 1);
    });
}

#[test]
fn urls_are_fetched_through_the_guard_and_stored_under_their_host() {
    let para = "The central bank held its policy rate steady on Thursday and said it would keep watching inflation data closely before its next meeting.";
    let page = format!(
        "<!doctype html><html lang=en><head><title>Bank holds rates</title></head><body><article><h1>Bank holds rates</h1><p>{para}</p><p>{para}</p><p>{para}</p></article></body></html>"
    );
    let server = Server::start();
    server.put(
        "/markets/bank-holds-rates",
        "text/html; charset=utf-8",
        page,
        None,
    );
    let (addr, hits) = (server.addr.clone(), server.requests.clone());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = server.url("/markets/bank-holds-rates");
    // Without an allow-list, a loopback address is refused before anything is sent.
    let out = bin(&data).arg("add").arg(&url).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("blocked") || err.contains("Blocked"), "{err}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the server was contacted"
    );
    // Allowed explicitly, it is fetched, extracted and stored under the host's source.
    let out = run(bin(&data).args(["add", "--allow-host", &addr]).arg(&url));
    assert!(stdout(&out).contains("1 new"), "{}", stdout(&out));
    rt().block_on(async {
        let (store, _index) = open(&data).await;
        let page = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 1);
        let s = &page.articles[0];
        assert_eq!(s.title.as_deref(), Some("Bank holds rates"));
        assert_eq!(s.canonical_url.as_deref(), Some(url.as_str()));
        let sources = store.list_sources().await.unwrap();
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].slug, "127-0-0-1");
    });
    // A file: URL is not a URL to fetch; it is a missing file.
    let out = bin(&data)
        .arg("add")
        .arg("file:///etc/passwd")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
