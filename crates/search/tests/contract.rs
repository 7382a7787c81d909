//! The `SearchIndex` contract: every case runs on tantivy (always, in a temporary directory) and
//! on PostgreSQL (when `NEWSDESK_TEST_DATABASE_URL` is set; each case gets its own database).
//!
//! `cargo test -p newsdesk-search` runs the tantivy half;
//! `NEWSDESK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p newsdesk-search`
//! runs both.

// The cases are plain async fns called from generated `#[tokio::test]`s, which clippy's
// `allow-unwrap-in-tests` does not see as tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

contract!(
    words_must_all_match_across_fields,
    quoted_phrase_matches_words_in_order,
    excluded_words_drop_documents,
    or_matches_either_side,
    instrument_filter_is_exact,
    source_filter_is_exact,
    date_range_is_from_inclusive_to_exclusive,
    filters_combine_with_each_other_and_the_text,
    instrument_symbols_are_searchable_as_words,
    relevance_puts_the_title_match_first,
    empty_query_lists_everything_newest_first,
    date_pages_have_no_duplicates_or_gaps_across_equal_timestamps,
    relevance_pages_have_no_duplicates_or_gaps,
    limit_is_clamped,
    apply_replaces_a_document_by_id,
    deletes_remove_documents,
    reapplying_a_batch_is_idempotent,
    applied_seq_is_recorded_exactly_and_survives_reopen,
    clear_removes_everything_and_resets_seq,
    another_handle_sees_commits,
    snippets_highlight_query_words_on_char_boundaries,
    snippet_is_the_lead_when_the_body_does_not_match,
    hostile_queries_return_results_or_nothing,
    invalid_cursor_and_range_are_invalid,
    catch_up_follows_a_sqlite_store,
    catch_up_repairs_a_lagging_or_empty_index,
);

mod cases {
    use std::collections::HashSet;

    use jiff::Timestamp;
    use newsdesk_article::{Article, Block};
    use newsdesk_search::indexer;
    use newsdesk_search::{
        Id, IndexDoc, SearchError, SearchIndex, SearchPage, SearchQuery, SortOrder,
    };
    use newsdesk_store::{InstrumentLink, LinkRole, NewSource, SqliteStore, Store};
    use serde_json::json;

    use crate::harness::Env;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    /// A document from source `wire`, dated `id` seconds after the epoch of these tests.
    fn doc(id: Id, title: &str, body: &str) -> IndexDoc {
        IndexDoc {
            id,
            title: title.into(),
            body: body.into(),
            source: "wire".into(),
            source_name: "Wire Service".into(),
            instruments: vec![],
            sort_at: at(id),
        }
    }

    fn q(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            limit: 100,
            ..SearchQuery::default()
        }
    }

    fn by_date(text: &str) -> SearchQuery {
        SearchQuery {
            sort: SortOrder::Date,
            ..q(text)
        }
    }

    async fn page(index: &dyn SearchIndex, query: &SearchQuery) -> SearchPage {
        index
            .search(query)
            .await
            .unwrap_or_else(|e| panic!("{query:?}: {e}"))
    }

    /// Hit ids in result order.
    async fn ids(index: &dyn SearchIndex, query: &SearchQuery) -> Vec<Id> {
        let p = page(index, query).await;
        assert_eq!(
            p.total,
            p.hits.len() as u64,
            "{query:?}: total disagrees with a single full page"
        );
        p.hits.iter().map(|h| h.id).collect()
    }

    /// Hit ids, sorted (for queries whose order is not the point).
    async fn id_set(index: &dyn SearchIndex, text: &str) -> Vec<Id> {
        let mut v = ids(index, &q(text)).await;
        v.sort_unstable();
        v
    }

    pub async fn words_must_all_match_across_fields(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                doc(1, "Copper rally in Tokyo", "Traders bought copper futures."),
                doc(2, "Copper slips", "Prices fell in London."),
                doc(3, "Tokyo stocks", "The Nikkei rose."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        assert_eq!(id_set(ix, "copper tokyo").await, vec![1]);
        assert_eq!(id_set(ix, "copper").await, vec![1, 2]);
        assert_eq!(id_set(ix, "Copper LONDON").await, vec![2], "title + body");
        assert_eq!(id_set(ix, "tokyo nikkei").await, vec![3]);
        assert_eq!(id_set(ix, "copper nikkei").await, Vec::<Id>::new());
        // The source name is searched too.
        assert_eq!(id_set(ix, "wire copper").await, vec![1, 2]);
    }

    pub async fn quoted_phrase_matches_words_in_order(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                doc(1, "Policy", "The central bank raised interest rates."),
                doc(
                    2,
                    "Offices",
                    "Rates at the bank, central office said, stayed flat.",
                ),
                doc(3, "Other", "Nothing about it."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        assert_eq!(id_set(ix, r#""central bank""#).await, vec![1]);
        assert_eq!(id_set(ix, "central bank").await, vec![1, 2]);
        assert_eq!(id_set(ix, r#""interest rates" policy"#).await, vec![1]);
        assert_eq!(id_set(ix, r#""bank central""#).await, vec![2]);
    }

    pub async fn excluded_words_drop_documents(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                doc(1, "Gold prices rise", "Bullion demand grows."),
                doc(2, "Gold prices rise", "Bitcoin fears drive bullion demand."),
                doc(3, "Silver slides", "Bitcoin steady."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        assert_eq!(id_set(ix, "gold -bitcoin").await, vec![1]);
        assert_eq!(id_set(ix, r#"gold -"bitcoin fears""#).await, vec![1]);
        assert_eq!(id_set(ix, r#"-"bitcoin steady""#).await, vec![1, 2]);
        assert_eq!(id_set(ix, "-bitcoin").await, vec![1], "exclusion alone");
        assert_eq!(id_set(ix, "bullion -silver").await, vec![1, 2]);
    }

    pub async fn or_matches_either_side(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                doc(1, "Yen weakens", "Currency moves."),
                doc(2, "Euro strengthens", "Currency moves."),
                doc(3, "Dollar flat", "Currency moves."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        assert_eq!(id_set(ix, "yen OR euro").await, vec![1, 2]);
        assert_eq!(id_set(ix, "yen OR euro weakens").await, vec![1]);
        assert_eq!(id_set(ix, "currency yen OR dollar").await, vec![1, 3]);
        assert_eq!(id_set(ix, "yen OR euro OR dollar").await, vec![1, 2, 3]);
        assert_eq!(
            id_set(ix, "yen euro").await,
            Vec::<Id>::new(),
            "AND without OR"
        );
    }

    fn with_instruments(mut d: IndexDoc, symbols: &[&str]) -> IndexDoc {
        d.instruments = symbols.iter().map(|s| s.to_string()).collect();
        d
    }

    fn from_source(mut d: IndexDoc, slug: &str, name: &str) -> IndexDoc {
        d.source = slug.into();
        d.source_name = name.into();
        d
    }

    pub async fn instrument_filter_is_exact(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                with_instruments(doc(1, "Index up", "Stocks rose."), &["JP225", "USDJPY"]),
                with_instruments(doc(2, "Index up", "Stocks rose."), &["JP2250"]),
                with_instruments(doc(3, "Index up", "Stocks rose."), &["jp225"]),
                doc(4, "Index up", "Stocks rose."),
                with_instruments(doc(5, "Yen", "Currency."), &["USDJPY"]),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        let filtered = |text: &str, symbol: &str| SearchQuery {
            instrument: Some(symbol.into()),
            ..by_date(text)
        };
        assert_eq!(ids(ix, &filtered("", "JP225")).await, vec![1]);
        assert_eq!(ids(ix, &filtered("", "USDJPY")).await, vec![5, 1]);
        assert_eq!(ids(ix, &filtered("stocks", "USDJPY")).await, vec![1]);
        assert_eq!(ids(ix, &filtered("", "JP22")).await, Vec::<Id>::new());
    }

    pub async fn source_filter_is_exact(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                from_source(doc(1, "Nikkei up", "Stocks."), "nikkei", "Nikkei"),
                from_source(doc(2, "Nikkei up", "Stocks."), "nikkei-asia", "Nikkei Asia"),
                from_source(doc(3, "Nikkei up", "Stocks."), "reuters", "Reuters"),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        let filtered = |slug: &str| SearchQuery {
            source: Some(slug.into()),
            ..by_date("nikkei")
        };
        assert_eq!(ids(ix, &filtered("nikkei")).await, vec![1]);
        assert_eq!(ids(ix, &filtered("nikkei-asia")).await, vec![2]);
        assert_eq!(ids(ix, &filtered("nikkei-")).await, Vec::<Id>::new());
        assert_eq!(ids(ix, &filtered("Reuters")).await, Vec::<Id>::new());
    }

    pub async fn date_range_is_from_inclusive_to_exclusive(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = (1..=5).map(|i| doc(i * 10, "Oil", "Crude.")).collect();
        ix.apply(&docs, &[], 1).await.unwrap();
        let range = |from: Option<i64>, to: Option<i64>| SearchQuery {
            from: from.map(at),
            to: to.map(at),
            ..by_date("oil")
        };
        assert_eq!(ids(ix, &range(Some(20), Some(40))).await, vec![30, 20]);
        assert_eq!(ids(ix, &range(Some(20), None)).await, vec![50, 40, 30, 20]);
        assert_eq!(ids(ix, &range(None, Some(20))).await, vec![10]);
        assert_eq!(ids(ix, &range(Some(21), Some(29))).await, Vec::<Id>::new());
        assert_eq!(ids(ix, &range(Some(30), Some(30))).await, Vec::<Id>::new());
        // Microsecond precision: one microsecond after the doc's time excludes it.
        let just_after = SearchQuery {
            from: Some(at(50) + jiff::SignedDuration::from_micros(1)),
            ..by_date("")
        };
        assert_eq!(ids(ix, &just_after).await, Vec::<Id>::new());
    }

    pub async fn filters_combine_with_each_other_and_the_text(env: Env) {
        let ix = &*env.index;
        let mut docs = Vec::new();
        for i in 1..=40 {
            let title = if i % 2 == 0 {
                "Chip stocks rally"
            } else {
                "Chip stocks slide"
            };
            let d = doc(i, title, "Semiconductor makers moved.");
            let d = with_instruments(
                d,
                if i % 3 == 0 {
                    &["TSM", "NVDA"]
                } else {
                    &["NVDA"]
                },
            );
            let d = if i % 5 == 0 {
                from_source(d, "nikkei", "Nikkei")
            } else {
                d
            };
            docs.push(d);
        }
        ix.apply(&docs, &[], 1).await.unwrap();
        let query = SearchQuery {
            instrument: Some("TSM".into()),
            source: Some("nikkei".into()),
            from: Some(at(10)),
            to: Some(at(40)),
            ..by_date("rally")
        };
        // Even, multiple of 3 and 5, in [10, 40): 30 only.
        assert_eq!(ids(ix, &query).await, vec![30]);
        let no_text = SearchQuery {
            text: String::new(),
            ..query.clone()
        };
        assert_eq!(ids(ix, &no_text).await, vec![30, 15]);
        let no_source = SearchQuery {
            source: None,
            ..query.clone()
        };
        assert_eq!(ids(ix, &no_source).await, vec![36, 30, 24, 18, 12]);
        let relevance = SearchQuery {
            sort: SortOrder::Relevance,
            ..no_source
        };
        let mut got = ids(ix, &relevance).await;
        got.sort_unstable();
        assert_eq!(got, vec![12, 18, 24, 30, 36]);
    }

    pub async fn instrument_symbols_are_searchable_as_words(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                with_instruments(doc(1, "Tokyo close", "Stocks rose."), &["JP225", "USDJPY"]),
                with_instruments(doc(2, "Tokyo close", "Stocks rose."), &["7203.T"]),
                doc(3, "Tokyo close", "Stocks rose."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        assert_eq!(id_set(ix, "JP225").await, vec![1]);
        assert_eq!(id_set(ix, "usdjpy tokyo").await, vec![1]);
        assert_eq!(id_set(ix, "7203.T").await, vec![2]);
    }

    pub async fn relevance_puts_the_title_match_first(env: Env) {
        let ix = &*env.index;
        let filler = "markets traded sideways while investors weighed earnings reports \
                      from several large companies and awaited central bank guidance on \
                      policy later in the week";
        ix.apply(
            &[
                doc(1, "Yen rallies sharply", filler),
                doc(
                    2,
                    "Markets wrap",
                    &format!("{filler}; the yen was little changed"),
                ),
                doc(3, "Unrelated", filler),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        let p = page(ix, &q("yen")).await;
        assert_eq!(p.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1, 2]);
        assert!(p.hits[0].score > p.hits[1].score, "{:?}", p.hits);
        assert_eq!(ids(ix, &by_date("yen")).await, vec![2, 1]);
    }

    pub async fn empty_query_lists_everything_newest_first(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = [3, 1, 5, 2, 4]
            .iter()
            .map(|&i| doc(i, "Anything", "At all."))
            .collect();
        ix.apply(&docs, &[], 1).await.unwrap();
        assert_eq!(ids(ix, &by_date("")).await, vec![5, 4, 3, 2, 1]);
        assert_eq!(ids(ix, &by_date("   ")).await, vec![5, 4, 3, 2, 1]);
        // Relevance without words: all tie, so newer first.
        assert_eq!(ids(ix, &q("")).await, vec![5, 4, 3, 2, 1]);
    }

    /// Walks every page of `query`, checking totals and that the cursor ends.
    async fn walk(ix: &dyn SearchIndex, query: &SearchQuery, expect_total: u64) -> Vec<Id> {
        let mut out = Vec::new();
        let mut cursor = None;
        for _ in 0..1_000 {
            let p = page(
                ix,
                &SearchQuery {
                    cursor: cursor.clone(),
                    ..query.clone()
                },
            )
            .await;
            assert_eq!(p.total, expect_total, "total on every page");
            assert!(p.hits.len() <= query.limit as usize);
            out.extend(p.hits.iter().map(|h| h.id));
            match p.next_cursor {
                Some(c) => {
                    assert!(!p.hits.is_empty(), "a cursor after an empty page");
                    cursor = Some(c);
                }
                None => return out,
            }
        }
        panic!("pagination did not end")
    }

    pub async fn date_pages_have_no_duplicates_or_gaps_across_equal_timestamps(env: Env) {
        let ix = &*env.index;
        // 57 documents on 5 distinct timestamps, applied in two batches (two commits).
        let docs: Vec<IndexDoc> = (1..=57)
            .map(|i| IndexDoc {
                sort_at: at(i % 5),
                ..doc(i, "Zinc output", "Smelters reported.")
            })
            .collect();
        ix.apply(&docs[..30], &[], 1).await.unwrap();
        ix.apply(&docs[30..], &[], 2).await.unwrap();
        let mut expected: Vec<(i64, Id)> = docs
            .iter()
            .map(|d| (d.sort_at.as_microsecond(), d.id))
            .collect();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        let expected: Vec<Id> = expected.into_iter().map(|(_, id)| id).collect();
        for text in ["zinc", ""] {
            let query = SearchQuery {
                limit: 7,
                ..by_date(text)
            };
            assert_eq!(walk(ix, &query, 57).await, expected, "{text:?}");
        }
        // A page size dividing the count exactly ends without an empty page.
        let query = SearchQuery {
            limit: 19,
            ..by_date("zinc")
        };
        assert_eq!(walk(ix, &query, 57).await, expected);
    }

    pub async fn relevance_pages_have_no_duplicates_or_gaps(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = (1..=35)
            .map(|i| {
                let body = format!(
                    "{} smelters reported output figures",
                    "nickel ".repeat((i % 4 + 1) as usize)
                );
                IndexDoc {
                    sort_at: at(i % 3),
                    ..doc(i, "Metals", &body)
                }
            })
            .collect();
        ix.apply(&docs, &[], 1).await.unwrap();
        let all = ids(ix, &q("nickel")).await;
        assert_eq!(all.len(), 35);
        let query = SearchQuery {
            limit: 10,
            ..q("nickel")
        };
        let walked = walk(ix, &query, 35).await;
        assert_eq!(walked, all, "pages concatenate to the single-page order");
        let unique: HashSet<Id> = walked.iter().copied().collect();
        assert_eq!(unique.len(), 35);
    }

    pub async fn limit_is_clamped(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = (1..=120).map(|i| doc(i, "Tin", "Metal.")).collect();
        ix.apply(&docs, &[], 1).await.unwrap();
        let p = page(
            ix,
            &SearchQuery {
                limit: 0,
                ..by_date("tin")
            },
        )
        .await;
        assert_eq!((p.hits.len(), p.total), (1, 120));
        assert!(p.next_cursor.is_some());
        let p = page(
            ix,
            &SearchQuery {
                limit: 1_000,
                ..q("tin")
            },
        )
        .await;
        assert_eq!((p.hits.len(), p.total), (100, 120));
        assert!(p.next_cursor.is_some());
        assert_eq!(ix.count().await.unwrap(), 120);
    }

    pub async fn apply_replaces_a_document_by_id(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                with_instruments(doc(1, "Walrus sighting", "Old text."), &["OLD"]),
                doc(2, "Other", "Unrelated."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        let replacement = IndexDoc {
            sort_at: at(100),
            ..from_source(
                with_instruments(doc(1, "Narwhal sighting", "New text."), &["NEW"]),
                "tass",
                "TASS",
            )
        };
        ix.apply(&[replacement], &[], 2).await.unwrap();
        assert_eq!(ix.count().await.unwrap(), 2);
        assert_eq!(id_set(ix, "walrus").await, Vec::<Id>::new());
        assert_eq!(id_set(ix, "narwhal").await, vec![1]);
        let by = |instrument: Option<&str>, source: Option<&str>| SearchQuery {
            instrument: instrument.map(str::to_string),
            source: source.map(str::to_string),
            ..by_date("")
        };
        assert_eq!(ids(ix, &by(Some("OLD"), None)).await, Vec::<Id>::new());
        assert_eq!(ids(ix, &by(Some("NEW"), Some("tass"))).await, vec![1]);
        assert_eq!(ids(ix, &by(None, Some("wire"))).await, vec![2]);
        let p = page(ix, &by_date("sighting")).await;
        assert_eq!(p.hits[0].sort_at, at(100));
        // The same id twice in one batch: the later version wins.
        ix.apply(
            &[doc(3, "First draft", "x."), doc(3, "Final draft", "y.")],
            &[],
            3,
        )
        .await
        .unwrap();
        assert_eq!(id_set(ix, "first").await, Vec::<Id>::new());
        assert_eq!(id_set(ix, "final").await, vec![3]);
    }

    pub async fn deletes_remove_documents(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = (1..=4)
            .map(|i| doc(i, "Lithium", "Battery metal."))
            .collect();
        ix.apply(&docs, &[], 1).await.unwrap();
        ix.apply(&[], &[2, 4, 99], 2).await.unwrap();
        assert_eq!(ix.count().await.unwrap(), 2);
        assert_eq!(ids(ix, &by_date("lithium")).await, vec![3, 1]);
        // Deleting and adding in one batch.
        ix.apply(&[doc(5, "Lithium", "Again.")], &[1], 3)
            .await
            .unwrap();
        assert_eq!(ids(ix, &by_date("lithium")).await, vec![5, 3]);
        assert_eq!(ix.applied_seq().await.unwrap(), 3);
    }

    pub async fn reapplying_a_batch_is_idempotent(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = (1..=10)
            .map(|i| with_instruments(doc(i, "Cobalt", "Mining news."), &["COB"]))
            .collect();
        ix.apply(&docs, &[11], 5).await.unwrap();
        let first = page(ix, &q("cobalt")).await;
        for _ in 0..2 {
            ix.apply(&docs, &[11], 5).await.unwrap();
        }
        assert_eq!(ix.count().await.unwrap(), 10);
        assert_eq!(ix.applied_seq().await.unwrap(), 5);
        let again = page(ix, &q("cobalt")).await;
        assert_eq!(
            again.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            first.hits.iter().map(|h| h.id).collect::<Vec<_>>()
        );
        assert_eq!(again.total, 10);
    }

    pub async fn applied_seq_is_recorded_exactly_and_survives_reopen(env: Env) {
        let ix = &*env.index;
        assert_eq!(ix.applied_seq().await.unwrap(), 0);
        ix.apply(&[doc(1, "A", "b.")], &[], 42).await.unwrap();
        assert_eq!(ix.applied_seq().await.unwrap(), 42);
        // An empty batch still records its seq (a stretch of the log with nothing to index).
        ix.apply(&[], &[], 57).await.unwrap();
        assert_eq!(ix.applied_seq().await.unwrap(), 57);
        // Exactly the given seq, also a lower one: a catch-up racing another may have written
        // older versions of documents, and replaying from its seq repairs them (see the crate
        // docs); keeping the higher seq would hide them.
        ix.apply(&[], &[], 50).await.unwrap();
        assert_eq!(ix.applied_seq().await.unwrap(), 50);
        let reopened = env.location.open().await;
        assert_eq!(reopened.applied_seq().await.unwrap(), 50);
        assert_eq!(reopened.count().await.unwrap(), 1);
        assert_eq!(
            id_set(&*reopened, "a").await,
            vec![1],
            "a stop word constrains nothing"
        );
        assert_eq!(ids(&*reopened, &by_date("")).await, vec![1]);
    }

    pub async fn clear_removes_everything_and_resets_seq(env: Env) {
        let ix = &*env.index;
        let docs: Vec<IndexDoc> = (1..=20).map(|i| doc(i, "Uranium", "Fuel.")).collect();
        ix.apply(&docs, &[], 9).await.unwrap();
        ix.clear().await.unwrap();
        assert_eq!(ix.count().await.unwrap(), 0);
        assert_eq!(ix.applied_seq().await.unwrap(), 0);
        assert_eq!(page(ix, &by_date("")).await, SearchPage::default());
        ix.apply(&[doc(7, "Uranium", "Back.")], &[], 1)
            .await
            .unwrap();
        assert_eq!(ids(ix, &by_date("uranium")).await, vec![7]);
        let reopened = env.location.open().await;
        assert_eq!(reopened.applied_seq().await.unwrap(), 1);
    }

    pub async fn another_handle_sees_commits(env: Env) {
        // A second handle stands for another process sharing the index (`serve` while `add`
        // indexes): it sees the first handle's commits, and both can write.
        let a = env.index.clone();
        let b = env.location.open().await;
        assert_eq!(b.count().await.unwrap(), 0);
        a.apply(&[doc(1, "Platinum", "One.")], &[], 1)
            .await
            .unwrap();
        assert_eq!(ids(&*b, &by_date("platinum")).await, vec![1]);
        b.apply(&[doc(2, "Platinum", "Two.")], &[], 2)
            .await
            .unwrap();
        assert_eq!(ids(&*a, &by_date("platinum")).await, vec![2, 1]);
        // Concurrent writers wait for each other instead of failing.
        let (three, four) = (
            [doc(3, "Platinum", "Three.")],
            [doc(4, "Platinum", "Four.")],
        );
        let (ra, rb) = tokio::join!(a.apply(&three, &[], 3), b.apply(&four, &[], 3));
        ra.unwrap();
        rb.unwrap();
        assert_eq!(ids(&*a, &by_date("platinum")).await, vec![4, 3, 2, 1]);
        assert_eq!(ids(&*b, &by_date("platinum")).await, vec![4, 3, 2, 1]);
        assert_eq!(b.applied_seq().await.unwrap(), 3);
    }

    fn is_word(s: &str, words: &[&str]) -> bool {
        let lower = s.to_lowercase();
        words.iter().any(|w| lower == *w)
    }

    pub async fn snippets_highlight_query_words_on_char_boundaries(env: Env) {
        let ix = &*env.index;
        let lead = "Am Montag öffnete die Börse in Frankfurt fester — Anleger kauften Aktien \
                    von Versorgern, Banken und Autobauern; der Euro notierte kaum verändert, \
                    und auch die Anleihen bewegten sich wenig. 株価は小幅に上昇した。 ";
        let body = format!(
            "{lead}In «Zürich» stiegen die Kurse deutlich, während der Ölpreis nachgab. \
             Händler in Zürich erwarten weitere Bewegungen, sagte ein Analyst. {lead}"
        );
        ix.apply(&[doc(1, "Börsenbericht", &body)], &[], 1)
            .await
            .unwrap();
        for text in [
            "zürich ölpreis",
            "Zürich",
            r#""der Ölpreis""#,
            "ZÜRICH OR nothingmatches",
        ] {
            let p = page(ix, &q(text)).await;
            assert_eq!(p.hits.len(), 1, "{text}");
            let s = &p.hits[0].snippet;
            assert!(!s.highlights.is_empty(), "{text}: {s:?}");
            assert!(
                s.text.len() <= 400,
                "{text}: snippet too long: {}",
                s.text.len()
            );
            let mut last_end = 0;
            for &(start, end) in &s.highlights {
                assert!(start >= last_end && start < end, "{text}: ranges {s:?}");
                let word = s.text.get(start..end).unwrap_or_else(|| {
                    panic!("{text}: range {start}..{end} is not on char boundaries in {s:?}")
                });
                assert!(
                    is_word(word, &["zürich", "ölpreis", "der"]),
                    "{text}: highlighted {word:?} in {s:?}"
                );
                last_end = end;
            }
            assert!(
                body.contains(s.text.trim()),
                "{text}: snippet is a piece of the body"
            );
        }
    }

    pub async fn snippet_is_the_lead_when_the_body_does_not_match(env: Env) {
        let ix = &*env.index;
        let body = "Trading was quiet across the region as investors waited for inflation \
                    figures due later in the week, with volumes well below their monthly \
                    average and most benchmarks confined to narrow ranges through the session, \
                    while bond yields barely moved.";
        assert!(body.len() > 220);
        ix.apply(&[doc(1, "Palladium steadies", body)], &[], 1)
            .await
            .unwrap();
        for query in [q("palladium"), by_date("")] {
            let p = page(ix, &query).await;
            let s = &p.hits[0].snippet;
            assert!(s.highlights.is_empty(), "{s:?}");
            assert!(body.starts_with(&s.text), "{s:?}");
            assert!(
                (100..=220).contains(&s.text.len()),
                "about 200 characters: {}",
                s.text.len()
            );
            let next = body[s.text.len()..].chars().next();
            assert!(
                next.is_none_or(|c| !c.is_alphanumeric()),
                "cut inside a word: {s:?}"
            );
        }
        // A short body is the whole body.
        ix.apply(&[doc(2, "Rhodium", "Short body.")], &[], 2)
            .await
            .unwrap();
        let p = page(ix, &q("rhodium")).await;
        assert_eq!(p.hits[0].snippet.text, "Short body.");
    }

    pub async fn hostile_queries_return_results_or_nothing(env: Env) {
        let ix = &*env.index;
        ix.apply(
            &[
                doc(1, "Fed holds rates", "The Fed kept rates unchanged."),
                doc(2, "OR gate", "A word with quotes \" and dashes - inside."),
            ],
            &[],
            1,
        )
        .await
        .unwrap();
        let long = "market ".repeat(1_500);
        let quoted_long = format!("\"{}", "rates fed ".repeat(1_200));
        let control: String = (0u8..32).map(char::from).collect();
        let hostile = [
            "\"",
            "\"\"",
            "\"fed",
            "fed\"",
            "\"fed\" \"",
            "-",
            "--",
            "- - -",
            "-\"",
            "-\"\"",
            "OR",
            "OR OR",
            "fed OR OR rates",
            "OR fed OR",
            "or",
            "AND NOT fed",
            "(((fed",
            "fed)))",
            "title:fed",
            "*:*",
            "fed*",
            "fed~2",
            "fed^10",
            "\\",
            "'",
            "''''",
            "&|!<->:*",
            "!!fed",
            "fed & rates | !cuts",
            "<-> <2>",
            "\u{0}fed\u{0}",
            &control,
            "\u{1b}[31mfed\u{1b}[0m",
            "🚀📉",
            "ارتفاع الأسهم",
            "株価 上昇",
            "\u{200b}\u{feff}",
            "%_%",
            "'; DROP TABLE search_docs; --",
            "$1 $2",
            &long,
            &quoted_long,
        ];
        for text in hostile {
            for sort in [SortOrder::Relevance, SortOrder::Date] {
                let query = SearchQuery { sort, ..q(text) };
                let p = ix.search(&query).await;
                let p = p.unwrap_or_else(|e| panic!("{:?}: {e}", &text[..text.len().min(40)]));
                assert!(p.hits.len() as u64 <= p.total);
            }
        }
        // Sanity: the index still answers normally.
        assert_eq!(id_set(ix, "fed").await, vec![1]);
    }

    pub async fn invalid_cursor_and_range_are_invalid(env: Env) {
        let ix = &*env.index;
        ix.apply(&[doc(1, "Iron ore", "Steel.")], &[], 1)
            .await
            .unwrap();
        let cases = [
            (SortOrder::Date, "garbage"),
            (SortOrder::Date, "d123"),
            (SortOrder::Date, "dx_1"),
            (SortOrder::Date, "r10"),
            (SortOrder::Relevance, "d1_2"),
            (SortOrder::Relevance, "r-1"),
            (SortOrder::Relevance, "r1000000"),
            (SortOrder::Relevance, ""),
        ];
        for (sort, cursor) in cases {
            let query = SearchQuery {
                sort,
                cursor: Some(cursor.into()),
                ..q("iron")
            };
            match ix.search(&query).await {
                Err(SearchError::Invalid { what: "cursor", .. }) => {}
                other => panic!("{sort:?} {cursor:?}: {other:?}"),
            }
        }
        let reversed = SearchQuery {
            from: Some(at(10)),
            to: Some(at(5)),
            ..q("iron")
        };
        assert!(matches!(
            ix.search(&reversed).await,
            Err(SearchError::Invalid {
                what: "date range",
                ..
            })
        ));
    }

    // --- with the real store -----------------------------------------------------------------

    fn article(url: &str, title: &str, body: &str, published: Timestamp) -> Article {
        Article {
            url: Some(url.into()),
            title: Some(title.into()),
            blocks: vec![Block::paragraph(body)],
            published: Some(newsdesk_article::SourceTime {
                instant: published,
                zone: "Asia/Tokyo".into(),
                zone_assumed: false,
            }),
            ..Article::default()
        }
    }

    fn link(symbol: &str) -> InstrumentLink {
        InstrumentLink {
            symbol: symbol.into(),
            kind: "index".into(),
            role: LinkRole::Primary,
            score_bp: 9_000,
            reasons: json!({"alias": symbol}),
        }
    }

    struct Fixture {
        store: SqliteStore,
        _dir: tempfile::TempDir,
        source: Id,
    }

    async fn store_fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let source = store
            .upsert_source(&NewSource {
                slug: "nikkei".into(),
                name: "Nikkei Asia".into(),
                homepage_url: None,
                time_zone: "Asia/Tokyo".into(),
            })
            .await
            .unwrap()
            .id;
        Fixture {
            store,
            _dir: dir,
            source,
        }
    }

    async fn add(f: &Fixture, url: &str, title: &str, body: &str, secs: i64) -> Id {
        f.store
            .upsert_article(
                f.source,
                &article(url, title, body, at(secs)),
                at(secs + 60),
            )
            .await
            .unwrap()
            .id()
    }

    pub async fn catch_up_follows_a_sqlite_store(env: Env) {
        let ix = &*env.index;
        let f = store_fixture().await;
        let store: &dyn Store = &f.store;
        let a = add(
            &f,
            "https://n.example/a",
            "Toyota profit jumps",
            "Carmaker earnings.",
            1,
        )
        .await;
        let b = add(
            &f,
            "https://n.example/b",
            "Sony shares slide",
            "Electronics maker.",
            2,
        )
        .await;
        let c = add(
            &f,
            "https://n.example/c",
            "Nikkei record",
            "Benchmark index high.",
            3,
        )
        .await;
        store
            .set_instrument_links(c, &[link("JP225")], at(10))
            .await
            .unwrap();

        let done = indexer::catch_up(store, ix, 2).await.unwrap();
        assert_eq!(done.seq, store.last_change_seq().await.unwrap());
        // Four changes (c's insert and its links share the second batch, indexed once).
        assert_eq!((done.indexed, done.deleted), (3, 0));
        assert_eq!(ix.applied_seq().await.unwrap(), done.seq);
        assert_eq!(ix.count().await.unwrap(), 3);
        assert_eq!(ids(ix, &by_date("")).await, vec![c, b, a]);
        assert_eq!(id_set(ix, "toyota earnings").await, vec![a]);
        let by_symbol = SearchQuery {
            instrument: Some("JP225".into()),
            source: Some("nikkei".into()),
            ..by_date("")
        };
        assert_eq!(ids(ix, &by_symbol).await, vec![c]);
        assert_eq!(
            id_set(ix, "asia sony").await,
            vec![b],
            "source name searched"
        );

        // Nothing new: nothing done.
        let again = indexer::catch_up(store, ix, 2).await.unwrap();
        assert_eq!((again.indexed, again.deleted, again.seq), (0, 0, done.seq));

        store.remove_article(b, "legal", at(20)).await.unwrap();
        let revised = article(
            "https://n.example/a",
            "Toyota profit forecast raised",
            "Carmaker guidance.",
            at(1),
        );
        store
            .upsert_article(f.source, &revised, at(30))
            .await
            .unwrap();
        let done = indexer::catch_up(store, ix, 500).await.unwrap();
        assert_eq!((done.indexed, done.deleted), (1, 1));
        assert_eq!(ix.count().await.unwrap(), 2);
        assert_eq!(id_set(ix, "sony").await, Vec::<Id>::new());
        assert_eq!(
            id_set(ix, "earnings").await,
            Vec::<Id>::new(),
            "old revision gone"
        );
        assert_eq!(id_set(ix, "forecast guidance").await, vec![a]);
        assert_eq!(
            ix.applied_seq().await.unwrap(),
            store.last_change_seq().await.unwrap()
        );
    }

    pub async fn catch_up_repairs_a_lagging_or_empty_index(env: Env) {
        let f = store_fixture().await;
        let store: &dyn Store = &f.store;
        let mut ids_added = Vec::new();
        for i in 0..30 {
            let url = format!("https://n.example/{i}");
            ids_added.push(add(&f, &url, &format!("Story {i} silver"), "Body text.", i).await);
        }
        indexer::catch_up(store, &*env.index, 7).await.unwrap();
        let seq_before = env.index.applied_seq().await.unwrap();

        // The store moves on, and the process "crashes" before the index commits: the index is
        // left at its last commit (a new handle on it sees exactly that).
        store
            .remove_article(ids_added[3], "dup", at(100))
            .await
            .unwrap();
        let revised = article("https://n.example/4", "Story 4 bronze", "Body text.", at(4));
        store
            .upsert_article(f.source, &revised, at(101))
            .await
            .unwrap();
        let new = add(&f, "https://n.example/new", "Story new silver", "Body.", 50).await;
        let lagging = env.location.open().await;
        assert_eq!(lagging.applied_seq().await.unwrap(), seq_before);
        assert_eq!(lagging.count().await.unwrap(), 30);

        let expected_silver: Vec<Id> = {
            let mut v: Vec<Id> = ids_added
                .iter()
                .copied()
                .filter(|&id| id != ids_added[3] && id != ids_added[4])
                .chain([new])
                .collect();
            v.sort_unstable();
            v
        };
        indexer::catch_up(store, &*lagging, 500).await.unwrap();
        assert_eq!(id_set(&*lagging, "silver").await, expected_silver);
        assert_eq!(id_set(&*lagging, "bronze").await, vec![ids_added[4]]);
        assert_eq!(lagging.count().await.unwrap(), 30);

        // An index that lost everything (a new directory, a wiped schema) is rebuilt from 0.
        let empty = env.location.fresh().await;
        assert_eq!(empty.applied_seq().await.unwrap(), 0);
        let done = indexer::catch_up(store, &*empty, 4).await.unwrap();
        assert_eq!(done.seq, store.last_change_seq().await.unwrap());
        assert_eq!(id_set(&*empty, "silver").await, expected_silver);
        assert_eq!(id_set(&*empty, "bronze").await, vec![ids_added[4]]);
        assert_eq!(empty.count().await.unwrap(), 30);

        // And `reindex` on the lagging one gives the same.
        indexer::reindex(store, &*lagging, 9).await.unwrap();
        assert_eq!(id_set(&*lagging, "silver").await, expected_silver);
        assert_eq!(lagging.count().await.unwrap(), 30);
    }
}
