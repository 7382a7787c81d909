//! The `Store` contract: every case runs on SQLite (always, in a temporary data directory) and on
//! PostgreSQL (when `NEWSDESK_TEST_DATABASE_URL` is set; each case gets its own database).
//!
//! `cargo test -p newsdesk-store` runs the SQLite half;
//! `NEWSDESK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p newsdesk-store`
//! runs both.

// The cases are plain async fns called from generated `#[tokio::test]`s, which clippy's
// `allow-unwrap-in-tests` does not see as tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

contract!(
    sources_upsert_by_slug_and_validate_zones,
    upsert_inserts_then_unchanged_then_revises,
    identity_is_canonical_url_else_fingerprint,
    removed_articles_stay_removed,
    get_articles_returns_live_ones_in_id_order_with_links,
    stories_group_copies_across_sources_within_the_window,
    batch_upsert_is_all_or_nothing,
    overlapping_batches_and_single_writes_do_not_deadlock,
    keyset_pages_have_no_duplicates_or_gaps,
    filters_by_source_instrument_and_time,
    instrument_links_replace_all_and_list_by_symbol,
    change_log_is_ordered_and_skips_unchanged,
    change_log_replay_misses_nothing_under_concurrent_writers,
    concurrent_upserts_of_one_story_make_one_article,
    claims_are_exclusive_under_concurrency,
    expired_lease_is_taken_over_and_old_lease_is_rejected,
    failed_jobs_retry_with_backoff_until_out_of_attempts,
    expired_lease_on_last_attempt_fails_the_job,
    dedupe_key_allows_one_live_job,
    claim_respects_run_at_and_kinds,
    cancelled_writes_leave_no_partial_article,
    killed_writer_loses_nothing_committed,
    data_survives_reopen,
);

/// The child half of `killed_writer_loses_nothing_committed`: does nothing unless the parent
/// started this test binary with `NEWSDESK_CRASH_CHILD` set, in which case it writes articles
/// until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child_writer() {
    if let Ok(location) = std::env::var(cases::CRASH_CHILD_VAR) {
        cases::crash_child(harness::Location::decode(&location)).await;
    }
}

mod cases {
    use std::collections::{BTreeSet, HashMap, HashSet};
    use std::sync::Arc;
    use std::time::Duration;

    use jiff::{SignedDuration, Timestamp};
    use newsdesk_article::{Article, Block, SourceTime, WarningCode};
    use newsdesk_store::{
        ArticleFilter, ChangeKind, Cursor, EnqueueOutcome, FailOutcome, Id, InstrumentLink,
        JobState, LinkRole, NewArticle, NewJob, NewSource, Store, StoreError, UpsertOutcome,
        backoff,
    };
    use serde_json::json;

    use crate::harness::{Env, Location};

    pub const CRASH_CHILD_VAR: &str = "NEWSDESK_CRASH_CHILD";

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    fn time(s: &str, zone: &str) -> SourceTime {
        SourceTime {
            instant: t(s),
            zone: zone.into(),
            zone_assumed: false,
        }
    }

    fn story(url: Option<&str>, title: &str, body: &str) -> Article {
        Article {
            url: url.map(str::to_string),
            title: Some(title.into()),
            blocks: vec![Block::paragraph(body)],
            ..Article::default()
        }
    }

    fn published(mut a: Article, when: Timestamp) -> Article {
        a.published = Some(SourceTime {
            instant: when,
            zone: "Asia/Tokyo".into(),
            zone_assumed: false,
        });
        a
    }

    async fn source(store: &dyn Store, slug: &str) -> Id {
        store
            .upsert_source(&NewSource {
                slug: slug.into(),
                name: slug.to_uppercase(),
                homepage_url: Some(format!("https://{slug}.example/")),
                time_zone: "America/New_York".into(),
            })
            .await
            .unwrap()
            .id
    }

    fn link(symbol: &str, role: LinkRole, score_bp: i64) -> InstrumentLink {
        InstrumentLink {
            symbol: symbol.into(),
            kind: "index".into(),
            role,
            score_bp,
            reasons: json!({"alias": symbol, "where": ["title"]}),
        }
    }

    /// Checks the invariants a crash must never break: every live article has exactly its
    /// revisions 1..=n, its current content loads, and the change log mentions it.
    async fn assert_consistent(store: &dyn Store) -> usize {
        let logged: HashSet<Id> = store
            .changes_since(0, 10_000)
            .await
            .unwrap()
            .iter()
            .map(|c| c.article_id)
            .collect();
        let mut n = 0;
        let mut after = None;
        loop {
            let page = store
                .list_articles(&ArticleFilter::default(), after, 100)
                .await
                .unwrap();
            for summary in &page.articles {
                let full = store.get_article(summary.id).await.unwrap();
                assert!(full.is_some(), "article {} has no content", summary.id);
                let revisions = store.list_revisions(summary.id).await.unwrap();
                let numbers: Vec<i64> = revisions.iter().map(|r| r.revision).collect();
                assert_eq!(numbers, (1..=summary.revision).collect::<Vec<_>>());
                assert!(
                    logged.contains(&summary.id),
                    "{} not in change log",
                    summary.id
                );
                n += 1;
            }
            match page.next {
                Some(c) => after = Some(c),
                None => return n,
            }
        }
    }

    pub async fn sources_upsert_by_slug_and_validate_zones(env: Env) {
        let store = &*env.store;
        let id = source(store, "reuters").await;
        let again = store
            .upsert_source(&NewSource {
                slug: "reuters".into(),
                name: "Reuters (renamed)".into(),
                homepage_url: None,
                time_zone: "+09:00".into(),
            })
            .await
            .unwrap();
        assert_eq!(again.id, id, "same slug is the same source");
        assert_eq!(again.name, "Reuters (renamed)");
        assert_eq!(again.time_zone, "+09:00");
        assert_eq!(store.get_source(id).await.unwrap(), Some(again.clone()));
        assert_eq!(
            store.get_source_by_slug("reuters").await.unwrap(),
            Some(again)
        );
        assert_eq!(store.get_source_by_slug("nope").await.unwrap(), None);
        let bad = store
            .upsert_source(&NewSource {
                slug: "x".into(),
                name: "X".into(),
                homepage_url: None,
                time_zone: "Mars/Olympus".into(),
            })
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid { .. })), "{bad:?}");
        source(store, "ap").await;
        let slugs: Vec<String> = store
            .list_sources()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.slug)
            .collect();
        assert_eq!(slugs, ["ap", "reuters"]);
        // Articles need an existing source.
        let missing = store
            .upsert_article(9999, &story(None, "T", "B"), at(0))
            .await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
    }

    pub async fn upsert_inserts_then_unchanged_then_revises(env: Env) {
        let store = &*env.store;
        let src = source(store, "reuters").await;
        let url = "https://reuters.example/markets/nikkei";
        let mut v1 = published(
            story(Some(url), "Nikkei rises", "Tokyo stocks rose."),
            at(0),
        );
        v1.authors = vec!["Jane Doe".into()];
        let id = match store.upsert_article(src, &v1, at(60)).await.unwrap() {
            UpsertOutcome::Inserted { id } => id,
            other => panic!("expected insert, got {other:?}"),
        };

        // The same content again, even with different warnings, writes nothing.
        let seq = store.last_change_seq().await.unwrap();
        let mut same = v1.clone();
        same.warn(WarningCode::ThinBody, "short");
        assert_eq!(
            store.upsert_article(src, &same, at(120)).await.unwrap(),
            UpsertOutcome::Unchanged { id }
        );
        assert_eq!(store.list_revisions(id).await.unwrap().len(), 1);
        assert_eq!(store.last_change_seq().await.unwrap(), seq);
        let first = store.get_article(id).await.unwrap().unwrap();
        assert_eq!(first.summary.revision, 1);
        assert_eq!(first.summary.updated, None, "never updated yet");
        assert_eq!(first.article, v1, "content round-trips exactly");
        assert_eq!(first.summary.published, v1.published);
        assert_eq!(
            first.summary.canonical_url.as_deref(),
            Some(url),
            "canonical URL kept"
        );

        // Changed body without a printed update time: updated = fetch time.
        let mut v2 = v1.clone();
        v2.blocks.push(Block::paragraph("The yen weakened."));
        assert_eq!(
            store.upsert_article(src, &v2, at(600)).await.unwrap(),
            UpsertOutcome::Revised { id, revision: 2 }
        );
        let second = store.get_article(id).await.unwrap().unwrap();
        assert_eq!(second.summary.revision, 2);
        assert_eq!(second.article, v2);
        let updated = second.summary.updated.clone().unwrap();
        assert_eq!(updated.instant, at(600));
        assert_eq!(updated.zone, "Asia/Tokyo", "shown in the story's own zone");
        assert!(second.summary.updated_is_fetch_time);

        // Changed title with a printed update time: that time wins.
        let mut v3 = v2.clone();
        v3.title = Some("Nikkei hits record".into());
        v3.updated = Some(time("2023-11-14T23:00:00Z", "Asia/Tokyo"));
        assert_eq!(
            store.upsert_article(src, &v3, at(900)).await.unwrap(),
            UpsertOutcome::Revised { id, revision: 3 }
        );
        let third = store.get_article(id).await.unwrap().unwrap();
        assert_eq!(third.summary.updated, v3.updated);
        assert!(!third.summary.updated_is_fetch_time);
        assert_eq!(third.summary.title.as_deref(), Some("Nikkei hits record"));
        assert_eq!(third.summary.first_seen_at, at(60));

        let revisions = store.list_revisions(id).await.unwrap();
        let got: Vec<(i64, Timestamp, &Article)> = revisions
            .iter()
            .map(|r| (r.revision, r.fetched_at, &r.article))
            .collect();
        assert_eq!(
            got,
            vec![(1, at(60), &v1), (2, at(600), &v2), (3, at(900), &v3)]
        );
        assert_ne!(revisions[0].content_hash, revisions[1].content_hash);
        assert_eq!(store.get_article(id + 1000).await.unwrap(), None);
    }

    pub async fn identity_is_canonical_url_else_fingerprint(env: Env) {
        let store = &*env.store;
        let a = source(store, "a").await;
        let b = source(store, "b").await;

        // URL identity: normalised, and global across sources.
        let one = story(Some("https://News.Example/Story?id=1"), "T", "Body");
        let id = store.upsert_article(a, &one, at(0)).await.unwrap().id();
        let variant = story(
            Some("https://news.example/Story?id=1#comments"),
            "T",
            "Body",
        );
        assert_eq!(
            store.upsert_article(b, &variant, at(1)).await.unwrap(),
            UpsertOutcome::Unchanged { id }
        );
        let other_path = story(Some("https://news.example/story?id=1"), "T", "Body");
        assert!(matches!(
            store.upsert_article(a, &other_path, at(2)).await.unwrap(),
            UpsertOutcome::Inserted { .. }
        ));

        // Fingerprint identity: whitespace and case do not matter, the source does. (The
        // re-cased copy is the same story, but its text differs, so it is a revision.)
        let pasted = story(None, "Yen slides", "The yen fell\n against the dollar.");
        let fp = store.upsert_article(a, &pasted, at(3)).await.unwrap();
        assert!(matches!(fp, UpsertOutcome::Inserted { .. }));
        assert_eq!(
            store.upsert_article(a, &pasted, at(4)).await.unwrap(),
            UpsertOutcome::Unchanged { id: fp.id() }
        );
        let respaced = story(None, "yen  SLIDES", "the yen fell against the dollar.");
        assert_eq!(
            store.upsert_article(a, &respaced, at(4)).await.unwrap(),
            UpsertOutcome::Revised {
                id: fp.id(),
                revision: 2
            }
        );
        let elsewhere = store.upsert_article(b, &pasted, at(5)).await.unwrap();
        assert!(matches!(elsewhere, UpsertOutcome::Inserted { .. }));
        assert_ne!(elsewhere.id(), fp.id());
        // Without a URL, changed text is a different story.
        let changed = story(None, "Yen slides", "The yen fell sharply.");
        assert!(matches!(
            store.upsert_article(a, &changed, at(6)).await.unwrap(),
            UpsertOutcome::Inserted { .. }
        ));
        // Nothing to identify it by.
        let empty = store.upsert_article(a, &Article::default(), at(7)).await;
        assert!(
            matches!(empty, Err(StoreError::Invalid { .. })),
            "{empty:?}"
        );
        assert_eq!(assert_consistent(store).await, 5);
    }

    pub async fn removed_articles_stay_removed(env: Env) {
        let store = &*env.store;
        let src = source(store, "s").await;
        let keep = store
            .upsert_article(src, &story(Some("https://x.example/keep"), "K", "k"), at(0))
            .await
            .unwrap()
            .id();
        let gone_story = story(Some("https://x.example/gone"), "G", "g");
        let gone = store
            .upsert_article(src, &gone_story, at(1))
            .await
            .unwrap()
            .id();
        store
            .set_instrument_links(gone, &[link("JP225", LinkRole::Primary, 9000)], at(2))
            .await
            .unwrap();

        store
            .remove_article(gone, "takedown", at(10))
            .await
            .unwrap();
        assert_eq!(store.get_article(gone).await.unwrap(), None);
        assert!(store.list_revisions(gone).await.unwrap().is_empty());
        assert!(store.instrument_links(gone).await.unwrap().is_empty());
        let removal = store.get_removal(gone).await.unwrap().unwrap();
        assert_eq!(
            (removal.removed_at, removal.reason.as_str()),
            (at(10), "takedown")
        );
        assert_eq!(store.get_removal(keep).await.unwrap(), None);

        // Same identity again, even with new content: stays removed.
        let mut revised = gone_story.clone();
        revised.title = Some("G2".into());
        assert_eq!(
            store.upsert_article(src, &revised, at(20)).await.unwrap(),
            UpsertOutcome::Removed { id: gone }
        );
        assert_eq!(store.get_article(gone).await.unwrap(), None);
        let listed: Vec<Id> = store
            .list_articles(&ArticleFilter::default(), None, 10)
            .await
            .unwrap()
            .articles
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(listed, [keep]);
        let by_symbol = ArticleFilter {
            instrument: Some("JP225".into()),
            ..ArticleFilter::default()
        };
        assert!(
            store
                .list_articles(&by_symbol, None, 10)
                .await
                .unwrap()
                .articles
                .is_empty()
        );
        let relink = store.set_instrument_links(gone, &[], at(21)).await;
        assert!(
            matches!(relink, Err(StoreError::NotFound { .. })),
            "{relink:?}"
        );

        // Removing twice is a no-op; an unknown id is not found.
        store.remove_article(gone, "again", at(30)).await.unwrap();
        assert_eq!(
            store.get_removal(gone).await.unwrap().unwrap().reason,
            "takedown"
        );
        let unknown = store.remove_article(gone + 100, "x", at(31)).await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound { .. })),
            "{unknown:?}"
        );

        let last = store.changes_since(0, 100).await.unwrap();
        let removals: Vec<Id> = last
            .iter()
            .filter(|c| c.kind == ChangeKind::Removed)
            .map(|c| c.article_id)
            .collect();
        assert_eq!(removals, [gone], "one removal logged");
    }

    pub async fn get_articles_returns_live_ones_in_id_order_with_links(env: Env) {
        let store = &*env.store;
        let src = source(store, "s").await;
        let mut ids = Vec::new();
        // More than one statement's worth of ids, so the chunking is exercised too.
        let items: Vec<NewArticle> = (0..1203)
            .map(|i| NewArticle {
                source_id: src,
                article: story(
                    Some(&format!("https://x.example/{i}")),
                    &format!("T{i}"),
                    &format!("body {i}"),
                ),
                fetched_at: at(i),
                links: (i % 2 == 0).then(|| {
                    vec![
                        link("SPX", LinkRole::Mentioned, 4000),
                        link("JP225", LinkRole::Primary, 9000),
                    ]
                }),
            })
            .collect();
        for chunk in items.chunks(400) {
            for o in store.upsert_articles(chunk).await.unwrap() {
                ids.push(o.id());
            }
        }
        // A revised article comes back at its current revision.
        let mut revised = items[7].article.clone();
        revised.title = Some("T7 updated".into());
        store.upsert_article(src, &revised, at(5000)).await.unwrap();
        store
            .remove_article(ids[3], "takedown", at(5001))
            .await
            .unwrap();

        // Asked in reverse with duplicates and unknown ids.
        let mut ask: Vec<Id> = ids.iter().rev().copied().collect();
        ask.push(ids[10]);
        ask.push(ids.iter().max().unwrap() + 1000);
        let got = store.get_articles(&ask).await.unwrap();
        let got_ids: Vec<Id> = got.iter().map(|s| s.summary.id).collect();
        let mut want: Vec<Id> = ids.iter().copied().filter(|&id| id != ids[3]).collect();
        want.sort_unstable();
        assert_eq!(got_ids, want, "live ids, each once, in id order");
        for stored in &got {
            let single = store.get_article(stored.summary.id).await.unwrap().unwrap();
            assert_eq!(
                stored, &single,
                "same as get_article for {}",
                stored.summary.id
            );
        }
        let seven = got.iter().find(|s| s.summary.id == ids[7]).unwrap();
        assert_eq!(seven.summary.revision, 2);
        assert_eq!(seven.article.title.as_deref(), Some("T7 updated"));
        let eight = got.iter().find(|s| s.summary.id == ids[8]).unwrap();
        let symbols: Vec<&str> = eight
            .summary
            .instruments
            .iter()
            .map(|l| l.symbol.as_str())
            .collect();
        assert_eq!(symbols, ["JP225", "SPX"], "links in display order");
        assert!(store.get_articles(&[]).await.unwrap().is_empty());
    }

    pub async fn stories_group_copies_across_sources_within_the_window(env: Env) {
        let store = &*env.store;
        let wire = source(store, "wire").await;
        let paper = source(store, "paper").await;
        let body = "The Bank of Japan kept its yield curve control unchanged on Tuesday, \
            surprising some investors who had bet on a tweak. Governor Kazuo Ueda said the \
            bank would patiently maintain ultra-loose policy until wages rise. The yen \
            weakened past 150 per dollar after the decision, and the Nikkei 225 rose 1.2% \
            as exporters gained. Analysts said a change could come in April.";
        let other = "Apple shares fell 3% after the company reported weaker iPhone sales in \
            China for the third straight quarter. Chief executive Tim Cook said demand \
            remained resilient in emerging markets and services revenue hit a record. The \
            stock has lost 12% this year, trailing the Nasdaq 100 by a wide margin.";
        let t0 = t("2024-01-23T03:00:00Z");
        let hour = SignedDuration::from_hours(1);
        let a = store
            .upsert_article(
                wire,
                &published(
                    story(
                        Some("https://wire.example/boj"),
                        "BOJ holds policy steady",
                        body,
                    ),
                    t0,
                ),
                t0,
            )
            .await
            .unwrap()
            .id();
        let b = store
            .upsert_article(
                paper,
                &published(
                    story(
                        Some("https://paper.example/boj"),
                        "Yen slides as Bank of Japan stands pat",
                        body,
                    ),
                    t0 + hour,
                ),
                t0 + hour,
            )
            .await
            .unwrap()
            .id();
        let c = store
            .upsert_article(
                wire,
                &published(
                    story(
                        Some("https://wire.example/apple"),
                        "Apple falls on China sales",
                        other,
                    ),
                    t0,
                ),
                t0,
            )
            .await
            .unwrap()
            .id();
        // The same text ten days later is outside the window: a new story.
        let d = store
            .upsert_article(
                paper,
                &published(
                    story(
                        Some("https://paper.example/boj-again"),
                        "BOJ holds policy steady",
                        body,
                    ),
                    t0 + SignedDuration::from_hours(240),
                ),
                t0,
            )
            .await
            .unwrap()
            .id();
        assert_eq!(
            store.story_members(a, 10).await.unwrap(),
            None,
            "nothing filed yet"
        );

        let config = newsdesk_cluster::ClusterConfig::default();
        let done = newsdesk_store::stories::catch_up(store, &config, 2)
            .await
            .unwrap();
        assert_eq!((done.assigned, done.joined), (4, 1), "{done:?}");
        assert_eq!(done.seq, store.last_change_seq().await.unwrap());
        let (story_a, members_a) = store.story_members(a, 10).await.unwrap().unwrap();
        assert_eq!(story_a, a, "the first article founds the story");
        let ids: Vec<Id> = members_a.iter().map(|m| m.summary.id).collect();
        assert_eq!(ids, [b]);
        assert!(members_a[0].reason.is_some(), "a joined member says why");
        let (story_b, members_b) = store.story_members(b, 10).await.unwrap().unwrap();
        assert_eq!(story_b, a);
        assert_eq!(
            members_b.iter().map(|m| m.summary.id).collect::<Vec<_>>(),
            [a]
        );
        assert_eq!(members_b[0].reason, None, "the founder joined nobody");
        for lone in [c, d] {
            let (story, members) = store.story_members(lone, 10).await.unwrap().unwrap();
            assert_eq!(story, lone);
            assert!(members.is_empty(), "{lone} stands alone");
        }

        // Caught up: nothing to do; a revision keeps its story.
        let again = newsdesk_store::stories::catch_up(store, &config, 500)
            .await
            .unwrap();
        assert_eq!(again.assigned, 0);
        let mut revised = published(
            story(
                Some("https://paper.example/boj"),
                "Yen slides as Bank of Japan stands pat (updated)",
                body,
            ),
            t0 + hour,
        );
        revised
            .blocks
            .push(Block::paragraph("Updated with market reaction."));
        store
            .upsert_article(paper, &revised, t0 + hour + hour)
            .await
            .unwrap();
        let after = newsdesk_store::stories::catch_up(store, &config, 500)
            .await
            .unwrap();
        assert_eq!(after.assigned, 1);
        assert_eq!(store.story_members(b, 10).await.unwrap().unwrap().0, a);

        // A removed member leaves the story; a stale cursor writes nothing.
        store
            .remove_article(b, "takedown", t0 + hour * 3)
            .await
            .unwrap();
        assert!(
            store
                .story_members(a, 10)
                .await
                .unwrap()
                .unwrap()
                .1
                .is_empty()
        );
        assert_eq!(store.story_members(b, 10).await.unwrap(), None);
        let stale = store.save_stories(&[], 0, 1).await;
        assert!(matches!(stale, Err(StoreError::Contended(_))), "{stale:?}");
    }

    pub async fn batch_upsert_is_all_or_nothing(env: Env) {
        let store = &*env.store;
        let src = source(store, "s").await;
        let item = |n: u32, links: Option<Vec<InstrumentLink>>| NewArticle {
            source_id: src,
            article: story(
                Some(&format!("https://x.example/{n}")),
                &format!("S{n}"),
                "b",
            ),
            fetched_at: at(i64::from(n)),
            links,
        };
        let jp = vec![link("JP225", LinkRole::Primary, 9000)];
        let batch = vec![
            item(1, Some(jp.clone())),
            item(2, None),
            item(3, Some(vec![])),
        ];
        let outcomes = store.upsert_articles(&batch).await.unwrap();
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, UpsertOutcome::Inserted { .. })),
            "{outcomes:?}"
        );
        let ids: Vec<Id> = outcomes.iter().map(UpsertOutcome::id).collect();
        assert_eq!(store.instrument_links(ids[0]).await.unwrap(), jp);
        assert!(store.instrument_links(ids[1]).await.unwrap().is_empty());

        // Again, with one story revised, one duplicated inside the batch, one removed.
        store.remove_article(ids[2], "x", at(10)).await.unwrap();
        let mut revised = item(2, None);
        revised.article.title = Some("S2 revised".into());
        let again = vec![
            item(1, None),
            revised,
            item(1, None),
            item(3, Some(jp.clone())),
        ];
        assert_eq!(
            store.upsert_articles(&again).await.unwrap(),
            vec![
                UpsertOutcome::Unchanged { id: ids[0] },
                UpsertOutcome::Revised {
                    id: ids[1],
                    revision: 2
                },
                UpsertOutcome::Unchanged { id: ids[0] },
                UpsertOutcome::Removed { id: ids[2] },
            ]
        );
        assert_eq!(store.get_article(ids[2]).await.unwrap(), None);

        // One bad item (unknown source) fails the batch: the good new items are not stored.
        let seq = store.last_change_seq().await.unwrap();
        let mut bad = item(9, None);
        bad.source_id = src + 1000;
        let failing = vec![item(7, Some(jp.clone())), item(8, None), bad];
        let err = store.upsert_articles(&failing).await;
        assert!(
            matches!(err, Err(StoreError::NotFound { what: "source", .. })),
            "{err:?}"
        );
        let listed = store
            .list_articles(&ArticleFilter::default(), None, 100)
            .await
            .unwrap();
        assert_eq!(
            listed.articles.len(),
            2,
            "nothing of the failed batch is stored"
        );
        assert_eq!(store.last_change_seq().await.unwrap(), seq);
        assert!(store.upsert_articles(&[]).await.unwrap().is_empty());
        assert_consistent(store).await;
    }

    pub async fn overlapping_batches_and_single_writes_do_not_deadlock(env: Env) {
        // Batches over the same 30 stories in different orders, plus single upserts and link
        // replacements, all at once: every call succeeds and the result is consistent.
        let store = env.store.clone();
        let src = source(&*store, "s").await;
        let mut tasks = Vec::new();
        for w in 0..6u32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..4u32 {
                    let mut batch: Vec<NewArticle> = (0..30u32)
                        .map(|n| NewArticle {
                            source_id: src,
                            article: story(
                                Some(&format!("https://x.example/{n}")),
                                "T",
                                &format!("v{}", (n + w + round) % 4),
                            ),
                            fetched_at: at(i64::from(round)),
                            links: Some(vec![link("JP225", LinkRole::Primary, i64::from(w))]),
                        })
                        .collect();
                    // Different input order per worker and round.
                    batch.rotate_left(((w * 7 + round * 11) % 30) as usize);
                    if w % 2 == 1 {
                        batch.reverse();
                    }
                    if w < 4 {
                        let outcomes = store.upsert_articles(&batch).await.unwrap();
                        assert_eq!(outcomes.len(), 30);
                    } else {
                        for item in &batch {
                            let id = store
                                .upsert_article(src, &item.article, item.fetched_at)
                                .await
                                .unwrap()
                                .id();
                            store
                                .set_instrument_links(id, item.links.as_deref().unwrap(), at(0))
                                .await
                                .unwrap();
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(assert_consistent(&*store).await, 30);
    }

    pub async fn keyset_pages_have_no_duplicates_or_gaps(env: Env) {
        let store = &*env.store;
        let src = source(store, "s").await;
        // 57 articles, published in groups of 5 sharing a timestamp, inserted in scrambled order;
        // 3 have no published time and sort by first-seen time.
        let mut expected: Vec<(Timestamp, Id)> = Vec::new();
        for i in 0..57i64 {
            let k = (i * 23) % 57;
            let url = format!("https://x.example/{k}");
            let mut a = story(Some(&url), &format!("story {k}"), "body");
            let seen = at(10_000 + k);
            if k % 19 != 0 {
                a = published(a, at(k / 5 * 60));
            }
            let id = store.upsert_article(src, &a, seen).await.unwrap().id();
            let sort = a.published.as_ref().map_or(seen, |p| p.instant);
            expected.push((sort, id));
        }
        expected.sort_by(|x, y| y.cmp(x));

        for page_size in [1u32, 7, 10, 57, 100] {
            let mut seen: Vec<(Timestamp, Id)> = Vec::new();
            let mut cursor: Option<Cursor> = None;
            let mut pages = 0;
            loop {
                let page = store
                    .list_articles(&ArticleFilter::default(), cursor, page_size)
                    .await
                    .unwrap();
                pages += 1;
                assert!(page.articles.len() <= page_size as usize);
                seen.extend(page.articles.iter().map(|a| (a.sort_at, a.id)));
                match page.next {
                    // The cursor survives its string form, as it would in a URL.
                    Some(c) => cursor = Some(Cursor::parse(&c.to_string()).unwrap()),
                    None => break,
                }
                assert!(pages < 100, "pagination does not terminate");
            }
            assert_eq!(seen, expected, "page size {page_size}");
            assert_eq!(pages, 57usize.div_ceil(page_size as usize).max(1));
        }
    }

    pub async fn filters_by_source_instrument_and_time(env: Env) {
        let store = &*env.store;
        let a = source(store, "a").await;
        let b = source(store, "b").await;
        let mut ids = HashMap::new();
        for (name, src, minute, symbols) in [
            ("a1", a, 1, vec!["JP225"]),
            ("a2", a, 2, vec!["JP225", "USDJPY"]),
            ("a3", a, 3, vec![]),
            ("b1", b, 1, vec!["USDJPY"]),
            ("b2", b, 4, vec!["JP225"]),
        ] {
            let url = format!("https://x.example/{name}");
            let art = published(story(Some(&url), name, name), at(minute * 60));
            let id = store.upsert_article(src, &art, at(0)).await.unwrap().id();
            let links: Vec<InstrumentLink> = symbols
                .iter()
                .map(|s| link(s, LinkRole::Mentioned, 5000))
                .collect();
            store.set_instrument_links(id, &links, at(0)).await.unwrap();
            ids.insert(name, id);
        }
        let names = |page: newsdesk_store::ArticlePage| -> Vec<String> {
            page.articles
                .iter()
                .map(|a| a.title.clone().unwrap())
                .collect()
        };
        let list =
            |f: ArticleFilter| async move { store.list_articles(&f, None, 50).await.unwrap() };

        assert_eq!(
            names(list(ArticleFilter::default()).await),
            ["b2", "a3", "a2", "b1", "a1"],
            "equal times: higher id first"
        );
        let by_source = ArticleFilter {
            source_id: Some(a),
            ..Default::default()
        };
        assert_eq!(names(list(by_source).await), ["a3", "a2", "a1"]);
        let by_symbol = ArticleFilter {
            instrument: Some("JP225".into()),
            ..Default::default()
        };
        let page = list(by_symbol).await;
        assert_eq!(page.articles[0].instruments[0].symbol, "JP225");
        assert_eq!(names(page), ["b2", "a2", "a1"]);
        let range = ArticleFilter {
            from: Some(at(2 * 60)),
            to: Some(at(4 * 60)),
            ..Default::default()
        };
        assert_eq!(
            names(list(range).await),
            ["a3", "a2"],
            "from inclusive, to exclusive"
        );
        let all = ArticleFilter {
            source_id: Some(a),
            instrument: Some("USDJPY".into()),
            from: Some(at(60)),
            to: Some(at(10 * 60)),
        };
        assert_eq!(names(list(all).await), ["a2"]);
        let none = ArticleFilter {
            instrument: Some("NOPE".into()),
            ..Default::default()
        };
        assert!(list(none).await.articles.is_empty());
    }

    pub async fn instrument_links_replace_all_and_list_by_symbol(env: Env) {
        let store = &*env.store;
        let src = source(store, "s").await;
        let id = store
            .upsert_article(src, &story(Some("https://x.example/1"), "T", "B"), at(0))
            .await
            .unwrap()
            .id();
        store
            .set_instrument_links(
                id,
                &[
                    link("USDJPY", LinkRole::Mentioned, 4000),
                    link("JP225", LinkRole::Primary, 9500),
                ],
                at(1),
            )
            .await
            .unwrap();
        let got = store.instrument_links(id).await.unwrap();
        assert_eq!(
            got.iter().map(|l| l.symbol.as_str()).collect::<Vec<_>>(),
            ["JP225", "USDJPY"],
            "primary first"
        );
        assert_eq!(got[0].score_bp, 9500);
        assert_eq!(
            got[0].reasons,
            json!({"alias": "JP225", "where": ["title"]})
        );

        // Replace-all: USDJPY goes, NKY comes, JP225 changes.
        let replacement = [
            link("JP225", LinkRole::Mentioned, 3000),
            link("NKY", LinkRole::Mentioned, 7000),
        ];
        store
            .set_instrument_links(id, &replacement, at(2))
            .await
            .unwrap();
        let got = store.instrument_links(id).await.unwrap();
        assert_eq!(got, vec![replacement[1].clone(), replacement[0].clone()]);
        let listed = |symbol: &'static str| async move {
            let f = ArticleFilter {
                instrument: Some(symbol.into()),
                ..Default::default()
            };
            store
                .list_articles(&f, None, 10)
                .await
                .unwrap()
                .articles
                .len()
        };
        assert_eq!(listed("USDJPY").await, 0);
        assert_eq!(listed("NKY").await, 1);

        // Invalid input changes nothing.
        let dup = store
            .set_instrument_links(
                id,
                &[
                    link("A", LinkRole::Primary, 1),
                    link("A", LinkRole::Mentioned, 2),
                ],
                at(3),
            )
            .await;
        assert!(matches!(dup, Err(StoreError::Invalid { .. })), "{dup:?}");
        let range = store
            .set_instrument_links(id, &[link("A", LinkRole::Primary, 10_001)], at(3))
            .await;
        assert!(
            matches!(range, Err(StoreError::Invalid { .. })),
            "{range:?}"
        );
        assert_eq!(store.instrument_links(id).await.unwrap().len(), 2);

        // Clearing.
        store.set_instrument_links(id, &[], at(4)).await.unwrap();
        assert!(store.instrument_links(id).await.unwrap().is_empty());
        let missing = store.set_instrument_links(id + 1, &[], at(5)).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
    }

    pub async fn change_log_is_ordered_and_skips_unchanged(env: Env) {
        let store = &*env.store;
        assert_eq!(store.last_change_seq().await.unwrap(), 0);
        assert!(store.changes_since(0, 10).await.unwrap().is_empty());
        let src = source(store, "s").await;
        let s1 = story(Some("https://x.example/1"), "One", "1");
        let one = store.upsert_article(src, &s1, at(1)).await.unwrap().id();
        let two = store
            .upsert_article(src, &story(Some("https://x.example/2"), "Two", "2"), at(2))
            .await
            .unwrap()
            .id();
        store.upsert_article(src, &s1, at(3)).await.unwrap(); // unchanged: no entry
        let mut s1b = s1.clone();
        s1b.title = Some("One, revised".into());
        store.upsert_article(src, &s1b, at(4)).await.unwrap();
        store
            .set_instrument_links(two, &[link("X", LinkRole::Primary, 1)], at(5))
            .await
            .unwrap();
        store.remove_article(one, "dup", at(6)).await.unwrap();

        let all = store.changes_since(0, 100).await.unwrap();
        let got: Vec<(Id, ChangeKind, Timestamp)> =
            all.iter().map(|c| (c.article_id, c.kind, c.at)).collect();
        assert_eq!(
            got,
            vec![
                (one, ChangeKind::Upserted, at(1)),
                (two, ChangeKind::Upserted, at(2)),
                (one, ChangeKind::Upserted, at(4)),
                (two, ChangeKind::Links, at(5)),
                (one, ChangeKind::Removed, at(6)),
            ]
        );
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(store.last_change_seq().await.unwrap(), all[4].seq);

        // Paging through the log by seq gives the same entries.
        let mut paged = Vec::new();
        let mut after = 0;
        loop {
            let batch = store.changes_since(after, 2).await.unwrap();
            let Some(last) = batch.last() else { break };
            after = last.seq;
            paged.extend(batch);
        }
        assert_eq!(paged, all);
        assert!(
            store
                .changes_since(all[4].seq, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    pub async fn change_log_replay_misses_nothing_under_concurrent_writers(env: Env) {
        // Writers commit concurrently while a reader replays the log from its own watermark, as
        // a search indexer does. Every committed article must reach the reader, even when
        // transactions commit in a different order than they started.
        let store = env.store.clone();
        let src = source(&*store, "s").await;
        let writers = 8;
        let per_writer = 30;
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let store = store.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut seen = HashSet::new();
                let mut watermark = 0;
                let mut last_seq = 0;
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let batch = store.changes_since(watermark, 7).await.unwrap();
                    for c in &batch {
                        assert!(c.seq > last_seq, "seq went backwards");
                        last_seq = c.seq;
                        seen.insert(c.article_id);
                    }
                    match batch.last() {
                        Some(c) => watermark = c.seq,
                        None if finished => return seen,
                        None => tokio::task::yield_now().await,
                    }
                }
            })
        };
        let mut tasks = Vec::new();
        for w in 0..writers {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..per_writer {
                    let url = format!("https://x.example/{w}/{i}");
                    let a = story(Some(&url), &url, "body");
                    ids.push(store.upsert_article(src, &a, at(i)).await.unwrap().id());
                }
                ids
            }));
        }
        let mut written = HashSet::new();
        for t in tasks {
            written.extend(t.await.unwrap());
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = reader.await.unwrap();
        assert_eq!(written.len(), writers * per_writer as usize);
        let missed: Vec<&Id> = written.difference(&seen).collect();
        assert!(missed.is_empty(), "replay missed {} articles", missed.len());
    }

    pub async fn concurrent_upserts_of_one_story_make_one_article(env: Env) {
        // Several workers fetch the same story at once, some with new content: one article, no
        // duplicate revision numbers, no errors.
        let store = env.store.clone();
        let src = source(&*store, "s").await;
        let mut tasks = Vec::new();
        for w in 0..8i64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for round in 0..5i64 {
                    let body = format!("version {}", (w + round) % 3);
                    let a = story(Some("https://x.example/hot"), "Hot", &body);
                    outcomes.push(store.upsert_article(src, &a, at(round)).await.unwrap());
                }
                outcomes
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.extend(t.await.unwrap());
        }
        let ids: BTreeSet<Id> = outcomes.iter().map(UpsertOutcome::id).collect();
        assert_eq!(ids.len(), 1, "one story, one article");
        let inserted = outcomes
            .iter()
            .filter(|o| matches!(o, UpsertOutcome::Inserted { .. }))
            .count();
        assert_eq!(inserted, 1);
        let revised: Vec<i64> = outcomes
            .iter()
            .filter_map(|o| match o {
                UpsertOutcome::Revised { revision, .. } => Some(*revision),
                _ => None,
            })
            .collect();
        let unique: BTreeSet<i64> = revised.iter().copied().collect();
        assert_eq!(unique.len(), revised.len(), "revision numbers are unique");
        let id = *ids.first().unwrap();
        let revisions = store.list_revisions(id).await.unwrap();
        assert_eq!(revisions.len(), 1 + revised.len());
        assert_consistent(&*store).await;
    }

    pub async fn claims_are_exclusive_under_concurrency(env: Env) {
        let store = env.store.clone();
        let mut enqueued = BTreeSet::new();
        for i in 0..100 {
            let job = NewJob::new("fetch", json!({"n": i}), at(0));
            enqueued.insert(store.enqueue(&job, at(0)).await.unwrap().id());
        }
        assert_eq!(enqueued.len(), 100);
        let mut workers = Vec::new();
        for w in 0..8 {
            let store = store.clone();
            workers.push(tokio::spawn(async move {
                let worker = format!("worker-{w}");
                let mut claimed = Vec::new();
                while let Some(job) = store
                    .claim(&worker, &["fetch"], SignedDuration::from_secs(60), at(1))
                    .await
                    .unwrap()
                {
                    let lease = job.lease.clone().unwrap();
                    assert_eq!(lease.worker_id, worker);
                    assert_eq!(job.attempts, 1);
                    claimed.push(job.id);
                    store.complete(&lease, at(2)).await.unwrap();
                }
                claimed
            }));
        }
        let mut counts: HashMap<Id, usize> = HashMap::new();
        let mut per_worker = Vec::new();
        for w in workers {
            let claimed = w.await.unwrap();
            per_worker.push(claimed.len());
            for id in claimed {
                *counts.entry(id).or_default() += 1;
            }
        }
        assert_eq!(counts.len(), 100, "every job claimed");
        assert!(counts.values().all(|&n| n == 1), "no job claimed twice");
        assert_eq!(counts.keys().copied().collect::<BTreeSet<_>>(), enqueued);
        for id in enqueued {
            assert_eq!(
                store.get_job(id).await.unwrap().unwrap().state,
                JobState::Done
            );
        }
        assert_eq!(per_worker.iter().sum::<usize>(), 100);
    }

    pub async fn expired_lease_is_taken_over_and_old_lease_is_rejected(env: Env) {
        let store = &*env.store;
        let lease_len = SignedDuration::from_secs(30);
        let id = store
            .enqueue(&NewJob::new("index", json!({"a": 1}), at(0)), at(0))
            .await
            .unwrap()
            .id();
        let first = store
            .claim("w1", &[], lease_len, at(0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.id, id);
        assert_eq!(first.payload, json!({"a": 1}));
        let lease1 = first.lease.unwrap();
        assert_eq!(lease1.expires_at, at(30));
        // Still leased: nobody else gets it.
        assert!(
            store
                .claim("w2", &[], lease_len, at(29))
                .await
                .unwrap()
                .is_none()
        );
        // w1 dies; after expiry w2 takes over as attempt 2.
        let second = store
            .claim("w2", &[], lease_len, at(31))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((second.id, second.attempts), (id, 2));
        let lease2 = second.lease.unwrap();
        assert_eq!(lease2.worker_id, "w2");
        // The old lease can no longer complete, fail or extend the job.
        let late = store.complete(&lease1, at(32)).await;
        assert!(
            matches!(late, Err(StoreError::LeaseLost { .. })),
            "{late:?}"
        );
        let late = store.fail(&lease1, "boom", Some(at(40)), at(32)).await;
        assert!(
            matches!(late, Err(StoreError::LeaseLost { .. })),
            "{late:?}"
        );
        let late = store.extend_lease(&lease1, at(100), at(32)).await;
        assert!(
            matches!(late, Err(StoreError::LeaseLost { .. })),
            "{late:?}"
        );
        // A heartbeat keeps the job from being taken over.
        let lease2 = store.extend_lease(&lease2, at(200), at(50)).await.unwrap();
        assert!(
            store
                .claim("w3", &[], lease_len, at(150))
                .await
                .unwrap()
                .is_none()
        );
        store.complete(&lease2, at(160)).await.unwrap();
        let job = store.get_job(id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Done);
        assert_eq!(job.lease, None);
        // Completed jobs are not claimable, even long after.
        assert!(
            store
                .claim("w3", &[], lease_len, at(10_000))
                .await
                .unwrap()
                .is_none()
        );
        let twice = store.complete(&lease2, at(161)).await;
        assert!(
            matches!(twice, Err(StoreError::LeaseLost { .. })),
            "{twice:?}"
        );
    }

    pub async fn failed_jobs_retry_with_backoff_until_out_of_attempts(env: Env) {
        let store = &*env.store;
        let lease_len = SignedDuration::from_secs(60);
        let base = SignedDuration::from_secs(10);
        let cap = SignedDuration::from_secs(3600);
        let job = NewJob::new("fetch", json!(null), at(0)).max_attempts(3);
        let id = store.enqueue(&job, at(0)).await.unwrap().id();

        let mut now = at(0);
        for attempt in 1..=3 {
            let claimed = store
                .claim("w", &[], lease_len, now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!((claimed.id, claimed.attempts), (id, attempt));
            let retry_at = now + backoff(attempt, base, cap);
            let outcome = store
                .fail(
                    &claimed.lease.unwrap(),
                    &format!("error {attempt}"),
                    Some(retry_at),
                    now,
                )
                .await
                .unwrap();
            if attempt < 3 {
                assert_eq!(outcome, FailOutcome::Retrying { at: retry_at });
                // Not before the retry time.
                let early = retry_at - SignedDuration::from_secs(1);
                assert!(
                    store
                        .claim("w", &[], lease_len, early)
                        .await
                        .unwrap()
                        .is_none()
                );
                let queued = store.get_job(id).await.unwrap().unwrap();
                assert_eq!(queued.state, JobState::Queued);
                assert_eq!(queued.run_at, retry_at);
                now = retry_at;
            } else {
                assert_eq!(outcome, FailOutcome::Failed);
            }
        }
        assert_eq!(now, at(10 + 20), "backoff doubled");
        let failed = store.get_job(id).await.unwrap().unwrap();
        assert_eq!(failed.state, JobState::Failed);
        assert_eq!(failed.last_error.as_deref(), Some("error 3"));
        assert!(
            store
                .claim("w", &[], lease_len, at(100_000))
                .await
                .unwrap()
                .is_none()
        );

        // Failing without a retry time fails for good at once.
        let other = store
            .enqueue(&NewJob::new("fetch", json!(1), at(0)), at(0))
            .await
            .unwrap()
            .id();
        let claimed = store
            .claim("w", &[], lease_len, at(0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.id, other);
        let outcome = store
            .fail(&claimed.lease.unwrap(), "permanent", None, at(1))
            .await
            .unwrap();
        assert_eq!(outcome, FailOutcome::Failed);
        assert_eq!(
            store.get_job(other).await.unwrap().unwrap().state,
            JobState::Failed
        );
    }

    pub async fn expired_lease_on_last_attempt_fails_the_job(env: Env) {
        let store = &*env.store;
        let lease_len = SignedDuration::from_secs(30);
        let poison = store
            .enqueue(&NewJob::new("x", json!(0), at(0)).max_attempts(1), at(0))
            .await
            .unwrap()
            .id();
        let healthy = store
            .enqueue(&NewJob::new("x", json!(1), at(5)), at(0))
            .await
            .unwrap()
            .id();
        let c = store
            .claim("w1", &[], lease_len, at(0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.id, poison);
        // The worker died on the only attempt: a claim retires the job instead of handing it
        // out, and moves on to the next due job.
        let next = store
            .claim("w2", &[], lease_len, at(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            next.id, healthy,
            "due at 5, before the poison's lease expiry at 30"
        );
        assert!(
            store
                .claim("w2", &[], lease_len, at(61))
                .await
                .unwrap()
                .is_none()
        );
        let job = store.get_job(poison).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Failed);
        assert!(job.last_error.unwrap().contains("lease expired"));
        assert_eq!(job.attempts, 1);
    }

    pub async fn dedupe_key_allows_one_live_job(env: Env) {
        let store = &*env.store;
        let job = NewJob::new("fetch_feed", json!({"feed": 7}), at(0)).dedupe("feed:7");
        let first = store.enqueue(&job, at(0)).await.unwrap();
        let EnqueueOutcome::Enqueued { id } = first else {
            panic!("{first:?}")
        };
        assert_eq!(
            store.enqueue(&job, at(1)).await.unwrap(),
            EnqueueOutcome::Duplicate { id }
        );
        // Same key, other kind: independent.
        let other_kind = NewJob::new("tag", json!({}), at(0)).dedupe("feed:7");
        assert!(matches!(
            store.enqueue(&other_kind, at(1)).await.unwrap(),
            EnqueueOutcome::Enqueued { .. }
        ));
        // Still a duplicate while running.
        let claimed = store
            .claim("w", &["fetch_feed"], SignedDuration::from_secs(60), at(2))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.id, id);
        assert_eq!(claimed.dedupe_key.as_deref(), Some("feed:7"));
        assert_eq!(
            store.enqueue(&job, at(3)).await.unwrap(),
            EnqueueOutcome::Duplicate { id }
        );
        // Done: the key is free again.
        store
            .complete(&claimed.lease.unwrap(), at(4))
            .await
            .unwrap();
        let again = store.enqueue(&job, at(5)).await.unwrap();
        assert!(
            matches!(again, EnqueueOutcome::Enqueued { id: new } if new != id),
            "{again:?}"
        );
        // Jobs without a key never collide.
        let plain = NewJob::new("fetch_feed", json!({}), at(0));
        let a = store.enqueue(&plain, at(6)).await.unwrap();
        let b = store.enqueue(&plain, at(6)).await.unwrap();
        assert!(matches!(a, EnqueueOutcome::Enqueued { .. }));
        assert!(matches!(b, EnqueueOutcome::Enqueued { .. }));
        assert_ne!(a.id(), b.id());
        let bad = store
            .enqueue(&NewJob::new("x", json!(0), at(0)).max_attempts(0), at(0))
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid { .. })), "{bad:?}");
    }

    pub async fn claim_respects_run_at_and_kinds(env: Env) {
        let store = &*env.store;
        let lease = SignedDuration::from_secs(60);
        let later = store
            .enqueue(&NewJob::new("fetch", json!(0), at(100)), at(0))
            .await
            .unwrap()
            .id();
        let tag = store
            .enqueue(&NewJob::new("tag", json!(0), at(50)), at(0))
            .await
            .unwrap()
            .id();
        let early = store
            .enqueue(&NewJob::new("fetch", json!(0), at(10)), at(0))
            .await
            .unwrap()
            .id();
        assert!(
            store
                .claim("w", &["fetch"], lease, at(5))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .claim("w", &["index"], lease, at(500))
                .await
                .unwrap()
                .is_none()
        );
        let got = |j: Option<newsdesk_store::Job>| j.unwrap().id;
        assert_eq!(
            got(store.claim("w", &["fetch"], lease, at(200)).await.unwrap()),
            early
        );
        assert_eq!(
            got(store.claim("w", &["fetch"], lease, at(200)).await.unwrap()),
            later
        );
        assert!(
            store
                .claim("w", &["fetch"], lease, at(200))
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            got(store
                .claim("w", &["fetch", "tag"], lease, at(200))
                .await
                .unwrap()),
            tag
        );
    }

    pub async fn cancelled_writes_leave_no_partial_article(env: Env) {
        // Abandon upserts, link replacements and removals at arbitrary points (the future is
        // dropped mid-transaction, as when a request is cancelled): each write is all or nothing.
        let store = env.store.clone();
        let src = source(&*store, "s").await;
        let mut stories = Vec::new();
        for i in 0..40u64 {
            let url = format!("https://x.example/{i}");
            let a = story(Some(&url), &url, &format!("body {i}"));
            let budget = Duration::from_micros(i * 150);
            let _ = tokio::time::timeout(budget, store.upsert_article(src, &a, at(0))).await;
            stories.push(a);
        }
        let mut ids = Vec::new();
        for (i, a) in stories.iter_mut().enumerate() {
            // Finish everything; an article that claims to be there must be complete.
            let outcome = store.upsert_article(src, a, at(1)).await.unwrap();
            if let UpsertOutcome::Unchanged { id } = outcome {
                assert!(store.get_article(id).await.unwrap().is_some());
            }
            ids.push(outcome.id());
            a.blocks.push(Block::paragraph("more"));
            let budget = Duration::from_micros(i as u64 * 150);
            let _ = tokio::time::timeout(budget, store.upsert_article(src, a, at(2))).await;
            let links = [
                link("A", LinkRole::Primary, 1),
                link("B", LinkRole::Mentioned, 2),
            ];
            let _ = tokio::time::timeout(
                budget,
                store.set_instrument_links(outcome.id(), &links, at(3)),
            )
            .await;
            let n = store.instrument_links(outcome.id()).await.unwrap().len();
            assert!(n == 0 || n == 2, "partial link replacement: {n} links");
        }
        assert_eq!(assert_consistent(&*store).await, 40);
        for (i, id) in ids.iter().enumerate().take(10) {
            let budget = Duration::from_micros(i as u64 * 200);
            let _ = tokio::time::timeout(budget, store.remove_article(*id, "x", at(4))).await;
            // On PostgreSQL a cancelled COMMIT may still be in flight and land between two
            // reads, so read in an order where that cannot produce a false alarm: a visible
            // tombstone means no live article; no live article means a tombstone.
            let removed = store.get_removal(*id).await.unwrap().is_some();
            let live = store.get_article(*id).await.unwrap().is_some();
            if removed {
                assert!(!live, "article {id} is tombstoned and live");
            }
            if !live {
                assert!(
                    store.get_removal(*id).await.unwrap().is_some(),
                    "article {id} lost its content without a tombstone"
                );
            }
        }
        assert_consistent(&*store).await;
    }

    /// Started as a child process by `killed_writer_loses_nothing_committed`: writes articles
    /// (each with revisions and links) until killed.
    pub async fn crash_child(location: Location) {
        let store = location.open().await;
        let src = source(&*store, "crash").await;
        for i in 0u64.. {
            let url = format!("https://crash.example/{}/{i}", std::process::id());
            let mut a = story(Some(&url), &url, "first");
            let id = store.upsert_article(src, &a, at(0)).await.unwrap().id();
            a.blocks.push(Block::paragraph("second"));
            store.upsert_article(src, &a, at(1)).await.unwrap();
            let links = [
                link("A", LinkRole::Primary, 1),
                link("B", LinkRole::Mentioned, 2),
            ];
            store.set_instrument_links(id, &links, at(2)).await.unwrap();
        }
    }

    pub async fn killed_writer_loses_nothing_committed(env: Env) {
        // SIGKILL a process in the middle of writing, three times; after each, reopen the
        // database as a restarted process would: everything committed is there and whole.
        let exe = std::env::current_exe().unwrap();
        let mut before = 0;
        for round in 0..3 {
            let mut child = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "crash_child_writer",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CRASH_CHILD_VAR, env.location.encode())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            // Wait until the child has committed some writes, then kill it mid-stream.
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            loop {
                let seq = env.store.last_change_seq().await.unwrap();
                if seq >= before + 30 {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "child made no progress"
                );
                assert!(child.try_wait().unwrap().is_none(), "child exited early");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            child.kill().unwrap();
            child.wait().unwrap();
            let reopened = env.location.open().await;
            let n = assert_consistent(&*reopened).await;
            assert!(n > 0, "round {round}: nothing survived");
            // Every article has both revisions or was caught between them; links are all or none.
            let mut after = None;
            loop {
                let page = reopened
                    .list_articles(&ArticleFilter::default(), after, 200)
                    .await
                    .unwrap();
                for a in &page.articles {
                    assert!(a.revision == 1 || a.revision == 2);
                    assert!(a.instruments.is_empty() || a.instruments.len() == 2);
                }
                match page.next {
                    Some(c) => after = Some(c),
                    None => break,
                }
            }
            before = reopened.last_change_seq().await.unwrap();
        }
    }

    pub async fn data_survives_reopen(env: Env) {
        let src = source(&*env.store, "s").await;
        let a = published(story(Some("https://x.example/1"), "T", "B"), at(0));
        let id = env.store.upsert_article(src, &a, at(1)).await.unwrap().id();
        let job = env
            .store
            .enqueue(&NewJob::new("k", json!({"x": [1, 2]}), at(0)), at(0))
            .await
            .unwrap()
            .id();
        // A second handle (a second process, or a restart) runs migrations again harmlessly and
        // sees the same data.
        let other = env.location.open().await;
        assert_eq!(other.get_article(id).await.unwrap().unwrap().article, a);
        assert_eq!(
            other.get_job(job).await.unwrap().unwrap().payload,
            json!({"x": [1, 2]})
        );
        assert_eq!(
            other.upsert_article(src, &a, at(2)).await.unwrap(),
            UpsertOutcome::Unchanged { id }
        );
    }
}
