//! The feeds part of the `Store` contract (subscriptions, polls, exactly-once items), on SQLite
//! always and on PostgreSQL when `NEWSDESK_TEST_DATABASE_URL` is set, like `contract.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

contract!(
    feeds_add_list_update_and_remove,
    polls_record_validators_failures_and_pause,
    items_are_stored_exactly_once_and_changes_revise,
    removed_articles_stay_removed_through_feeds,
    concurrent_ingest_of_one_feed_stores_each_item_once,
);

mod cases {
    use jiff::{SignedDuration, Timestamp};
    use newsdesk_article::{Article, Block};
    use newsdesk_store::{
        FeedItemOutcome, FeedPoll, FullText, Id, NewArticle, NewFeed, NewFeedItem, NewSource,
        Store, StoreError, UpsertOutcome,
    };

    use crate::harness::Env;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + secs).unwrap()
    }

    async fn source(store: &dyn Store) -> Id {
        store
            .upsert_source(&NewSource {
                slug: "wire".into(),
                name: "Wire".into(),
                homepage_url: None,
                time_zone: "UTC".into(),
            })
            .await
            .unwrap()
            .id
    }

    fn new_feed(url: &str, source_id: Id) -> NewFeed {
        NewFeed {
            url: url.into(),
            source_id,
            full_text: FullText::Auto,
            zone: "Europe/London".into(),
            interval_s: 900,
        }
    }

    fn item(key: &str, hash: &str, source_id: Id, url: &str, body: &str, t: i64) -> NewFeedItem {
        NewFeedItem {
            item_key: key.into(),
            content_hash: hash.into(),
            article: NewArticle {
                source_id,
                article: Article {
                    url: Some(url.into()),
                    title: Some(format!("Story {url}")),
                    blocks: vec![Block::paragraph(body)],
                    ..Article::default()
                },
                fetched_at: at(t),
                links: None,
            },
        }
    }

    pub async fn feeds_add_list_update_and_remove(env: Env) {
        let store = &*env.store;
        let src = source(store).await;
        let f = store
            .add_feed(&new_feed("https://wire.example/rss", src), at(0))
            .await
            .unwrap();
        assert_eq!(f.next_due_at, at(0));
        assert_eq!(f.failures, 0);
        assert_eq!(f.items, 0);
        assert_eq!(f.zone, "Europe/London");
        // Same URL again: settings replaced, same id.
        let mut changed = new_feed("https://wire.example/rss", src);
        changed.full_text = FullText::Never;
        changed.interval_s = 3600;
        let g = store.add_feed(&changed, at(5)).await.unwrap();
        assert_eq!(g.id, f.id);
        assert_eq!(g.full_text, FullText::Never);
        assert_eq!(g.interval_s, 3600);
        store
            .add_feed(&new_feed("https://other.example/atom", src), at(0))
            .await
            .unwrap();
        assert_eq!(store.list_feeds().await.unwrap().len(), 2);
        assert_eq!(
            store
                .get_feed_by_url("https://wire.example/rss")
                .await
                .unwrap()
                .map(|f| f.id),
            Some(f.id)
        );
        // Bad settings are refused.
        for bad in [
            NewFeed {
                url: "file:///etc/passwd".into(),
                ..new_feed("x", src)
            },
            NewFeed {
                zone: "Mars/Olympus".into(),
                ..new_feed("https://a.example/", src)
            },
            NewFeed {
                interval_s: 5,
                ..new_feed("https://a.example/", src)
            },
        ] {
            assert!(matches!(
                store.add_feed(&bad, at(0)).await,
                Err(StoreError::Invalid { .. })
            ));
        }
        assert!(matches!(
            store
                .add_feed(&new_feed("https://a.example/", 999_999), at(0))
                .await,
            Err(StoreError::NotFound { .. })
        ));
        // Removing keeps the articles.
        let out = store
            .ingest_items(
                f.id,
                &[item("g:1", "h1", src, "https://wire.example/1", "One.", 1)],
                at(1),
            )
            .await
            .unwrap();
        let FeedItemOutcome::Stored { upsert } = out[0] else {
            panic!("{out:?}")
        };
        assert!(store.remove_feed(f.id).await.unwrap());
        assert!(!store.remove_feed(f.id).await.unwrap());
        assert!(store.get_feed(f.id).await.unwrap().is_none());
        assert!(store.get_article(upsert.id()).await.unwrap().is_some());
    }

    pub async fn polls_record_validators_failures_and_pause(env: Env) {
        let store = &*env.store;
        let src = source(store).await;
        let f = store
            .add_feed(&new_feed("https://wire.example/rss", src), at(0))
            .await
            .unwrap();
        assert_eq!(store.due_feeds(at(0), 10).await.unwrap().len(), 1);
        let next = at(900);
        let g = store
            .record_feed_poll(
                f.id,
                &FeedPoll::Fetched {
                    etag: Some("\"v1\"".into()),
                    last_modified: Some("Sun, 29 Nov 2026 10:00:00 GMT".into()),
                    title: Some("Wire".into()),
                    next_due_at: next,
                },
                at(1),
            )
            .await
            .unwrap();
        assert_eq!(g.etag.as_deref(), Some("\"v1\""));
        assert_eq!(g.title.as_deref(), Some("Wire"));
        assert_eq!(g.last_fetch_at, Some(at(1)));
        assert!(store.due_feeds(at(899), 10).await.unwrap().is_empty());
        assert_eq!(store.due_feeds(at(900), 10).await.unwrap().len(), 1);
        // 304 keeps the validators.
        let g = store
            .record_feed_poll(
                f.id,
                &FeedPoll::NotModified {
                    next_due_at: at(1800),
                },
                at(900),
            )
            .await
            .unwrap();
        assert_eq!(g.etag.as_deref(), Some("\"v1\""));
        // Failures count up and pause at the limit; the error is kept.
        for n in 1..=3 {
            let g = store
                .record_feed_poll(
                    f.id,
                    &FeedPoll::Failed {
                        error: format!("HTTP status 500 (try {n})"),
                        next_due_at: at(2000 + n),
                        pause_after: 3,
                    },
                    at(1900 + n),
                )
                .await
                .unwrap();
            assert_eq!(g.failures, n);
            assert_eq!(g.paused_reason.is_some(), n == 3, "{g:?}");
        }
        let g = store.get_feed(f.id).await.unwrap().unwrap();
        assert!(g.paused_reason.unwrap().contains("3 consecutive failures"));
        assert!(g.last_error.unwrap().contains("try 3"));
        assert!(store.due_feeds(at(10_000), 10).await.unwrap().is_empty());
        // Adding again resumes it.
        let g = store
            .add_feed(&new_feed("https://wire.example/rss", src), at(10_000))
            .await
            .unwrap();
        assert_eq!((g.failures, g.paused_reason), (0, None));
        // Gone stops it for good.
        let g = store
            .record_feed_poll(
                f.id,
                &FeedPoll::Stop {
                    reason: "gone (HTTP 410)".into(),
                },
                at(10_001),
            )
            .await
            .unwrap();
        assert_eq!(g.paused_reason.as_deref(), Some("gone (HTTP 410)"));
        assert!(matches!(
            store
                .record_feed_poll(
                    999_999,
                    &FeedPoll::NotModified { next_due_at: at(0) },
                    at(0)
                )
                .await,
            Err(StoreError::NotFound { .. })
        ));
    }

    pub async fn items_are_stored_exactly_once_and_changes_revise(env: Env) {
        let store = &*env.store;
        let src = source(store).await;
        let f = store
            .add_feed(&new_feed("https://wire.example/rss", src), at(0))
            .await
            .unwrap();
        let batch = vec![
            item("g:a", "ha", src, "https://wire.example/a", "Alpha.", 1),
            item("g:b", "hb", src, "https://wire.example/b", "Beta.", 1),
            // The same key twice in one poll counts once.
            item("g:a", "ha2", src, "https://wire.example/a", "Alpha two.", 1),
        ];
        let out = store.ingest_items(f.id, &batch, at(1)).await.unwrap();
        assert!(matches!(
            out[0],
            FeedItemOutcome::Stored {
                upsert: UpsertOutcome::Inserted { .. }
            }
        ));
        assert!(matches!(out[2], FeedItemOutcome::Seen { .. }), "{out:?}");
        let seq = store.last_change_seq().await.unwrap();
        // Re-polling adds nothing and writes nothing.
        let again = store.ingest_items(f.id, &batch[..2], at(2)).await.unwrap();
        assert!(
            again
                .iter()
                .all(|o| matches!(o, FeedItemOutcome::Seen { .. }))
        );
        assert_eq!(store.last_change_seq().await.unwrap(), seq);
        assert_eq!(store.get_feed(f.id).await.unwrap().unwrap().items, 2);
        let hashes = store.feed_item_hashes(f.id).await.unwrap();
        assert_eq!(hashes.get("g:a").map(String::as_str), Some("ha"));
        assert_eq!(
            store.feed_item_hash(f.id, "g:a").await.unwrap().as_deref(),
            Some("ha")
        );
        assert_eq!(store.feed_item_hash(f.id, "g:none").await.unwrap(), None);
        assert_eq!(
            store.feed_item_hash(f.id + 1000, "g:a").await.unwrap(),
            None
        );
        // A changed item becomes revision 2 with "updated" set.
        let changed = item(
            "g:a",
            "ha3",
            src,
            "https://wire.example/a",
            "Alpha, revised.",
            3,
        );
        let out = store.ingest_items(f.id, &[changed], at(3)).await.unwrap();
        let FeedItemOutcome::Stored {
            upsert: UpsertOutcome::Revised { id, revision: 2 },
        } = out[0]
        else {
            panic!("{out:?}")
        };
        let a = store.get_article(id).await.unwrap().unwrap();
        assert_eq!(a.summary.revision, 2);
        assert!(a.summary.updated.is_some());
        assert_eq!(
            store
                .feed_item_hashes(f.id)
                .await
                .unwrap()
                .get("g:a")
                .map(String::as_str),
            Some("ha3")
        );
        // A second feed carrying the same story points at the same article.
        let f2 = store
            .add_feed(&new_feed("https://mirror.example/rss", src), at(0))
            .await
            .unwrap();
        let out = store
            .ingest_items(
                f2.id,
                &[item(
                    "u:x",
                    "ha3",
                    src,
                    "https://wire.example/a",
                    "Alpha, revised.",
                    4,
                )],
                at(4),
            )
            .await
            .unwrap();
        assert_eq!(
            out[0],
            FeedItemOutcome::Stored {
                upsert: UpsertOutcome::Unchanged { id }
            }
        );
        // An unknown feed is refused and writes nothing.
        assert!(matches!(
            store
                .ingest_items(
                    999_999,
                    &[item("g:z", "hz", src, "https://wire.example/z", "Z.", 5)],
                    at(5)
                )
                .await,
            Err(StoreError::NotFound { .. })
        ));
    }

    pub async fn removed_articles_stay_removed_through_feeds(env: Env) {
        let store = &*env.store;
        let src = source(store).await;
        let f = store
            .add_feed(&new_feed("https://wire.example/rss", src), at(0))
            .await
            .unwrap();
        let one = item("g:r", "h1", src, "https://wire.example/r", "Retracted.", 1);
        let out = store.ingest_items(f.id, &[one], at(1)).await.unwrap();
        let FeedItemOutcome::Stored { upsert } = out[0] else {
            panic!()
        };
        store
            .remove_article(upsert.id(), "retracted", at(2))
            .await
            .unwrap();
        // The item changes in the feed: its article stays removed.
        let changed = item(
            "g:r",
            "h2",
            src,
            "https://wire.example/r",
            "Retracted, again.",
            3,
        );
        let out = store.ingest_items(f.id, &[changed], at(3)).await.unwrap();
        assert_eq!(
            out[0],
            FeedItemOutcome::Stored {
                upsert: UpsertOutcome::Removed { id: upsert.id() }
            }
        );
        assert!(store.get_article(upsert.id()).await.unwrap().is_none());
    }

    pub async fn concurrent_ingest_of_one_feed_stores_each_item_once(env: Env) {
        let store = env.store.clone();
        let src = source(&*store).await;
        let f = store
            .add_feed(&new_feed("https://wire.example/rss", src), at(0))
            .await
            .unwrap();
        let items: Vec<NewFeedItem> = (0..40)
            .map(|i| {
                item(
                    &format!("g:{i}"),
                    &format!("h{i}"),
                    src,
                    &format!("https://wire.example/{i}"),
                    &format!("Body {i}."),
                    1,
                )
            })
            .collect();
        let mut tasks = Vec::new();
        for w in 0..4 {
            let store = store.clone();
            let mut mine = items.clone();
            mine.rotate_left(w * 10);
            tasks.push(tokio::spawn(async move {
                for chunk in mine.chunks(7) {
                    store.ingest_items(f.id, chunk, at(1)).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let feed = store.get_feed(f.id).await.unwrap().unwrap();
        assert_eq!(feed.items, 40);
        let page = store
            .list_articles(&Default::default(), None, 1000)
            .await
            .unwrap();
        assert_eq!(page.articles.len(), 40);
        let _ = SignedDuration::ZERO;
    }
}
