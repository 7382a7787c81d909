//! tantivy-only behaviour: several processes on one directory, a writer killed mid-stream,
//! unreadable directories, a writer lock held too long, and random query strings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use newsdesk_search::{
    IndexDoc, SearchError, SearchIndex, SearchQuery, SortOrder, TantivyIndex, TantivyOptions,
};

const CHILD_VAR: &str = "NEWSDESK_SEARCH_CHILD_DIR";

fn doc(id: i64, title: &str, body: &str) -> IndexDoc {
    IndexDoc {
        id,
        title: title.into(),
        body: body.into(),
        source: "wire".into(),
        source_name: "Wire".into(),
        instruments: vec!["JP225".into()],
        sort_at: Timestamp::from_second(1_700_000_000 + id).unwrap(),
    }
}

fn all_by_date() -> SearchQuery {
    SearchQuery {
        sort: SortOrder::Date,
        limit: 100,
        ..SearchQuery::default()
    }
}

/// The child half of the multi-process tests: with `NEWSDESK_SEARCH_CHILD_DIR` set, applies one
/// document per commit (`id` = `seq` = 1, 2, …) into that directory until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_writer() {
    let Ok(dir) = std::env::var(CHILD_VAR) else {
        return;
    };
    let index = TantivyIndex::open(Path::new(&dir)).unwrap();
    let start = index.applied_seq().await.unwrap() + 1;
    for seq in start.. {
        let d = doc(
            seq,
            "Child story",
            &format!("written by the child, number {seq}"),
        );
        index.apply(&[d], &[], seq).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn spawn_child(dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_writes_and_is_killed_mid_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("search");
    let ours = TantivyIndex::open(&dir).unwrap();
    for round in 0..3 {
        let mut child = spawn_child(&dir);
        // Our reader sees the other process's commits as they land, while we write too.
        let started = Instant::now();
        let target = ours.applied_seq().await.unwrap() + 5;
        loop {
            let seen = ours.applied_seq().await.unwrap();
            let page = ours.search(&all_by_date()).await.unwrap();
            if seen >= target && page.total > 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "round {round}: child made no progress (seq {seen})"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // SIGKILL: whatever it was doing (adding, committing, merging) stops dead.
        child.kill().unwrap();
        child.wait().unwrap();

        // A fresh handle opens the index; every committed seq has its document.
        let reopened = TantivyIndex::open(&dir).unwrap();
        let seq = reopened.applied_seq().await.unwrap();
        let count = reopened.count().await.unwrap();
        assert!(seq >= target, "round {round}");
        assert!(
            count >= seq as u64,
            "round {round}: seq {seq} committed but only {count} documents"
        );
        // The dead writer's lock died with it: we can write at once.
        let ours_id = 1_000_000 + round;
        reopened
            .apply(&[doc(ours_id, "Parent story", "ours")], &[], seq)
            .await
            .unwrap();
        let page = ours
            .search(&SearchQuery {
                text: "parent".into(),
                ..all_by_date()
            })
            .await
            .unwrap();
        assert!(page.hits.iter().any(|h| h.id == ours_id), "round {round}");
    }
}

#[tokio::test]
async fn unreadable_index_names_reindex_and_recreate_fixes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("search");
    {
        let index = TantivyIndex::open(&dir).unwrap();
        index
            .apply(&[doc(1, "A story", "text")], &[], 1)
            .await
            .unwrap();
    }
    std::fs::write(dir.join("meta.json"), b"{ this is not json").unwrap();
    let err = TantivyIndex::open(&dir).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, SearchError::Backend(_)), "{err:?}");
    assert!(msg.contains("newsdesk reindex"), "{msg}");
    assert!(msg.contains(&dir.display().to_string()), "{msg}");

    // A segment file gone missing is reported the same way.
    let index = TantivyIndex::recreate(&dir).unwrap();
    assert_eq!(index.count().await.unwrap(), 0);
    assert_eq!(index.applied_seq().await.unwrap(), 0);
    index
        .apply(&[doc(2, "Another story", "text")], &[], 2)
        .await
        .unwrap();
    drop(index);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx" || e == "store") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let err = TantivyIndex::open(&dir).unwrap_err();
    assert!(err.to_string().contains("newsdesk reindex"), "{err}");

    // A directory holding something else entirely.
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    assert!(matches!(
        TantivyIndex::open(&file),
        Err(SearchError::Backend(_))
    ));
}

#[tokio::test]
async fn a_writer_held_too_long_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("search");
    let options = TantivyOptions {
        lock_timeout: Duration::from_millis(300),
        ..TantivyOptions::default()
    };
    let index = TantivyIndex::open_with(&dir, options).unwrap();
    // Another "process" holding tantivy's writer lock.
    let other = tantivy::Index::open_in_dir(&dir).unwrap();
    let writer: tantivy::IndexWriter = other.writer_with_num_threads(1, 15_000_000).unwrap();
    let started = Instant::now();
    let err = index.apply(&[doc(1, "A", "b")], &[], 1).await.unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        err.to_string().contains("locked by another writer"),
        "{err}"
    );
    // Released shortly after: the retry loop gets it.
    let release = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(writer);
    });
    index.apply(&[doc(1, "A", "b")], &[], 1).await.unwrap();
    release.await.unwrap();
    assert_eq!(index.applied_seq().await.unwrap(), 1);
}

fn shared_index() -> &'static (tokio::runtime::Runtime, TantivyIndex, tempfile::TempDir) {
    static SHARED: OnceLock<(tokio::runtime::Runtime, TantivyIndex, tempfile::TempDir)> =
        OnceLock::new();
    SHARED.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let index = TantivyIndex::open(&tmp.path().join("search")).unwrap();
        let docs: Vec<IndexDoc> = (1..=40)
            .map(|i| {
                doc(
                    i,
                    &format!("Fed rates story {i} «Zürich» OR and NOT"),
                    "The central bank held rates; yen \"quoted\" -dash- 株価 上昇 ölpreis.",
                )
            })
            .collect();
        rt.block_on(index.apply(&docs, &[], 1)).unwrap();
        (rt, index, tmp)
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Any string is a query: results or nothing, never an error or a panic.
    #[test]
    fn random_query_strings_never_fail(
        text in proptest::string::string_regex(
            r#"([a-zA-Z0-9 "\-()*:^~!&|<>\\'\t\n\x00-\x1fäöüß株価€😀]|OR |or |AND |NOT ){0,40}"#
        ).unwrap(),
        sort in proptest::prop_oneof![
            proptest::strategy::Just(SortOrder::Relevance),
            proptest::strategy::Just(SortOrder::Date),
        ],
        limit in 0u32..150,
    ) {
        let (rt, index, _) = shared_index();
        let query = SearchQuery { text, sort, limit, ..SearchQuery::default() };
        let page = rt.block_on(index.search(&query));
        let page = page.map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{query:?}: {e}")))?;
        proptest::prop_assert!(page.hits.len() as u64 <= page.total);
        for hit in &page.hits {
            for &(s, e) in &hit.snippet.highlights {
                proptest::prop_assert!(hit.snippet.text.get(s..e).is_some());
            }
        }
    }

    /// Arbitrary cursors are either accepted or `Invalid`, never another error or a panic.
    #[test]
    fn random_cursors_are_accepted_or_invalid(
        cursor in proptest::string::string_regex(r"[dr]?-?[0-9]{0,20}(_-?[0-9]{0,20})?|.{0,10}").unwrap(),
        date in proptest::bool::ANY,
    ) {
        let (rt, index, _) = shared_index();
        let sort = if date { SortOrder::Date } else { SortOrder::Relevance };
        let query = SearchQuery { text: "rates".into(), sort, limit: 5, cursor: Some(cursor), ..SearchQuery::default() };
        match rt.block_on(index.search(&query)) {
            Ok(_) | Err(SearchError::Invalid { .. }) => {}
            Err(e) => proptest::prop_assert!(false, "{query:?}: {e}"),
        }
    }
}

/// Segment ids named by `meta.json`, and segment ids that have files in the directory.
fn segments_in_meta_and_on_disk(dir: &Path) -> (Vec<String>, Vec<String>) {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    let mut in_meta: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    in_meta.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let (stem, _ext) = name.split_once('.')?;
            (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| stem.to_string())
        })
        .collect();
    on_disk.sort();
    on_disk.dedup();
    (in_meta, on_disk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alternating_writers_leave_no_orphan_segment_files() {
    // Two handles stand for two processes that take turns writing. tantivy remembers which files
    // it created in `managed.json`, read when an index is opened; a writer working from a stale
    // copy would forget the other process's files, and merged-away segments would stay on disk
    // for good.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("search");
    let a = TantivyIndex::open(&dir).unwrap();
    let b = TantivyIndex::open(&dir).unwrap();
    for i in 1..=60 {
        let ix = if i % 2 == 0 { &a } else { &b };
        ix.apply(&[doc(i, "Alternating", "writers")], &[i - 10], i)
            .await
            .unwrap();
    }
    // `b` writes a few segments and exits; `a` goes on long enough to merge them away.
    for i in 61..=66 {
        b.apply(&[doc(i, "Alternating", "writers")], &[], i)
            .await
            .unwrap();
    }
    drop(b);
    for i in 67..=90 {
        a.apply(&[doc(i, "Alternating", "writers")], &[], i)
            .await
            .unwrap();
    }
    drop(a);
    // One more commit from a third handle runs garbage collection after the last merges.
    let c = TantivyIndex::open(&dir).unwrap();
    c.apply(&[doc(100, "Last", "one")], &[], 91).await.unwrap();
    let (in_meta, on_disk) = segments_in_meta_and_on_disk(&dir);
    assert_eq!(
        on_disk, in_meta,
        "segment files not in meta.json were left behind"
    );
    assert_eq!(c.count().await.unwrap(), 41);
}
