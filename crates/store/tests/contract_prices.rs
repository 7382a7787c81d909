//! The `Store` contract for market data (instruments, bars, corrections), on SQLite always and on
//! PostgreSQL when `NEWSDESK_TEST_DATABASE_URL` is set — the same harness as `contract.rs`, in its
//! own file so the market-data cases can grow without touching the article cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

contract!(
    instruments_upsert_by_symbol,
    import_is_idempotent_and_keeps_corrections,
    bars_by_range_and_last_bar,
    import_rejects_unsorted_bars_and_writes_nothing,
    large_import_spans_many_statements,
    ticks_are_stored_once_and_read_newest_last,
    price_change_log_names_symbols_whose_prices_changed,
    price_change_log_names_instruments_whose_row_changed,
);

mod cases {
    use jiff::Timestamp;
    use jiff::civil::{Date, date, time};
    use newsdesk_market::{Bar, Price};
    use newsdesk_store::{ImportOutcome, Instrument, StoreError};

    use crate::harness::Env;

    fn p(s: &str) -> Price {
        Price::parse(s).unwrap()
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn bar(d: Date, close: &str) -> Bar {
        Bar::close_only(d, p(close))
    }

    fn full(d: Date, o: &str, h: &str, l: &str, c: &str, v: u64) -> Bar {
        Bar {
            date: d,
            open: Some(p(o)),
            high: Some(p(h)),
            low: Some(p(l)),
            close: p(c),
            adj_close: Some(p(c)),
            volume: Some(v),
        }
    }

    fn spx() -> Instrument {
        Instrument {
            symbol: "US500".into(),
            name: "S&P 500".into(),
            kind: "index".into(),
            currency: "pts".into(),
            exchange_tz: "America/New_York".into(),
            session_close: time(16, 0, 0, 0),
            benchmark_symbol: None,
        }
    }

    pub async fn instruments_upsert_by_symbol(env: Env) {
        let store = &*env.store;
        store.upsert_instrument(&spx()).await.unwrap();
        let mut aapl = Instrument {
            symbol: "AAPL".into(),
            name: "Apple".into(),
            kind: "equity".into(),
            currency: "USD".into(),
            exchange_tz: "America/New_York".into(),
            session_close: time(16, 0, 0, 0),
            benchmark_symbol: Some("US500".into()),
        };
        store.upsert_instrument(&aapl).await.unwrap();
        aapl.name = "Apple Inc.".into();
        aapl.session_close = time(15, 30, 0, 0);
        store.upsert_instrument(&aapl).await.unwrap();
        assert_eq!(
            store.get_instrument("AAPL").await.unwrap(),
            Some(aapl.clone())
        );
        assert_eq!(store.get_instrument("MSFT").await.unwrap(), None);
        let all = store.list_instruments().await.unwrap();
        assert_eq!(all, vec![aapl, spx()], "by symbol, one row per symbol");
        let mut bad = spx();
        bad.exchange_tz = "Mars/Olympus".into();
        assert!(matches!(
            store.upsert_instrument(&bad).await,
            Err(StoreError::Invalid { .. })
        ));
    }

    pub async fn import_is_idempotent_and_keeps_corrections(env: Env) {
        let store = &*env.store;
        let as_of = t("2023-05-11T00:00:00Z");
        let bars = vec![
            full(
                date(2023, 5, 8),
                "4100.5",
                "4130",
                "4098.25",
                "4123.34",
                3_500_000_000,
            ),
            full(
                date(2023, 5, 9),
                "4110",
                "4120",
                "4100",
                "4119.17",
                3_000_000_000,
            ),
            bar(date(2023, 5, 10), "4137.64"),
        ];
        let first = store
            .import_bars("US500", &bars, "stooq", as_of, t("2023-05-11T01:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            first,
            ImportOutcome {
                inserted: 3,
                unchanged: 0,
                corrected: 0
            }
        );
        let again = store
            .import_bars("US500", &bars, "stooq", as_of, t("2023-05-11T02:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            again,
            ImportOutcome {
                inserted: 0,
                unchanged: 3,
                corrected: 0
            }
        );
        assert_eq!(store.bars("US500", None, None).await.unwrap(), bars);
        assert!(store.price_corrections("US500").await.unwrap().is_empty());

        // A second source revises 05-09 and adds 05-11.
        let revised = vec![
            full(
                date(2023, 5, 9),
                "4110",
                "4120",
                "4100",
                "4119.18",
                3_000_000_000,
            ),
            bar(date(2023, 5, 10), "4137.64"),
            bar(date(2023, 5, 11), "4130.62"),
        ];
        let now = t("2023-05-12T09:00:00Z");
        let third = store
            .import_bars("US500", &revised, "fred", t("2023-05-12T00:00:00Z"), now)
            .await
            .unwrap();
        assert_eq!(
            third,
            ImportOutcome {
                inserted: 1,
                unchanged: 1,
                corrected: 1
            }
        );
        let stored = store.bars("US500", None, None).await.unwrap();
        assert_eq!(stored.len(), 4);
        assert_eq!(stored[1], revised[0], "the new value replaced the old");
        let corrections = store.price_corrections("US500").await.unwrap();
        assert_eq!(corrections.len(), 1);
        let c = &corrections[0];
        assert_eq!(c.date, date(2023, 5, 9));
        assert_eq!(c.old_close.to_string(), "4119.17");
        assert_eq!(c.new_close.to_string(), "4119.18");
        assert_eq!(
            (c.old_source.as_str(), c.new_source.as_str()),
            ("stooq", "fred")
        );
        assert_eq!(c.corrected_at, now);
        let last = store.last_bar("US500").await.unwrap().unwrap();
        assert_eq!(last.bar, revised[2]);
        assert_eq!(last.source, "fred");
        assert_eq!(last.as_of, t("2023-05-12T00:00:00Z"));
        // Other symbols are untouched by all of this.
        assert!(store.bars("AAPL", None, None).await.unwrap().is_empty());
        assert_eq!(store.last_bar("AAPL").await.unwrap(), None);
    }

    pub async fn bars_by_range_and_last_bar(env: Env) {
        let store = &*env.store;
        // Across the epoch and a leap day, to exercise the stored day numbers.
        let days = [
            date(1969, 12, 31),
            date(1970, 1, 1),
            date(2000, 2, 28),
            date(2000, 2, 29),
            date(2000, 3, 1),
            date(2024, 12, 31),
        ];
        let bars: Vec<Bar> = days
            .iter()
            .enumerate()
            .map(|(i, d)| bar(*d, &format!("{}.12345678", i + 1)))
            .collect();
        store
            .import_bars(
                "X",
                &bars,
                "test",
                t("2025-01-01T00:00:00Z"),
                t("2025-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let mid = store
            .bars("X", Some(date(2000, 2, 29)), Some(date(2000, 3, 1)))
            .await
            .unwrap();
        assert_eq!(mid, bars[3..5].to_vec());
        let upto = store.bars("X", None, Some(date(1970, 1, 1))).await.unwrap();
        assert_eq!(upto, bars[..2].to_vec());
        let from = store.bars("X", Some(date(2001, 1, 1)), None).await.unwrap();
        assert_eq!(from, bars[5..].to_vec());
        assert_eq!(from[0].close.raw(), 612_345_678, "exact to 1e-8");
        let none = store
            .bars("X", Some(date(2010, 1, 1)), Some(date(2011, 1, 1)))
            .await
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(store.last_bar("X").await.unwrap().unwrap().bar, bars[5]);
    }

    pub async fn import_rejects_unsorted_bars_and_writes_nothing(env: Env) {
        let store = &*env.store;
        let now = t("2025-01-01T00:00:00Z");
        let unsorted = [bar(date(2020, 1, 3), "2"), bar(date(2020, 1, 2), "1")];
        assert!(matches!(
            store.import_bars("X", &unsorted, "s", now, now).await,
            Err(StoreError::Invalid { .. })
        ));
        let dup = [bar(date(2020, 1, 2), "2"), bar(date(2020, 1, 2), "1")];
        assert!(store.import_bars("X", &dup, "s", now, now).await.is_err());
        assert!(store.bars("X", None, None).await.unwrap().is_empty());
        assert_eq!(
            store.import_bars("X", &[], "s", now, now).await.unwrap(),
            ImportOutcome::default()
        );
    }

    pub async fn large_import_spans_many_statements(env: Env) {
        let store = &*env.store;
        let now = t("2025-01-01T00:00:00Z");
        let start = date(1990, 1, 1);
        let bars: Vec<Bar> = (0..10_001i64)
            .map(|i| {
                let d = start.checked_add(jiff::Span::new().days(i)).unwrap();
                Bar::close_only(d, Price::from_raw(100_000_000 + i * 7))
            })
            .collect();
        let out = store
            .import_bars("BIG", &bars, "gen", now, now)
            .await
            .unwrap();
        assert_eq!(out.inserted, 10_001);
        let back = store.bars("BIG", None, None).await.unwrap();
        assert_eq!(back, bars);
        let out = store
            .import_bars("BIG", &bars, "gen", now, now)
            .await
            .unwrap();
        assert_eq!(out.unchanged, 10_001);
    }

    fn tick(at: &str, close: &str) -> newsdesk_market::IntradayBar {
        newsdesk_market::IntradayBar {
            at: t(at),
            open: None,
            high: None,
            low: None,
            close: p(close),
            volume: None,
        }
    }

    pub async fn ticks_are_stored_once_and_read_newest_last(env: Env) {
        let store = &*env.store;
        let now = t("2024-06-19T20:00:00Z");
        assert_eq!(store.last_tick("AAPL").await.unwrap(), None);
        let batch = [
            tick("2024-06-19T19:20:00Z", "189.9"),
            tick("2024-06-19T19:21:00Z", "189.91"),
        ];
        let n = store
            .store_ticks("AAPL", &batch, "quotes-a", t("2024-06-19T19:21:30Z"), now)
            .await
            .unwrap();
        assert_eq!(n, 2);
        // The same instant again (another provider, another price): the first print stays.
        let again = [
            tick("2024-06-19T19:21:00Z", "190"),
            tick("2024-06-19T19:22:00Z", "189.95"),
        ];
        let n = store
            .store_ticks("AAPL", &again, "quotes-b", t("2024-06-19T19:22:10Z"), now)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let all = store.ticks("AAPL", None, 100).await.unwrap();
        assert_eq!(all, vec![batch[0], batch[1], again[1]]);
        let after = store
            .ticks("AAPL", Some(t("2024-06-19T19:20:00Z")), 1)
            .await
            .unwrap();
        assert_eq!(after, vec![again[1]], "the newest one after the instant");
        let last = store.last_tick("AAPL").await.unwrap().unwrap();
        assert_eq!(last.tick, again[1]);
        assert_eq!(last.source, "quotes-b");
        assert_eq!(last.as_of, t("2024-06-19T19:22:10Z"));
        assert!(store.ticks("MSFT", None, 10).await.unwrap().is_empty());
        assert!(matches!(
            store.store_ticks(" ", &batch, "q", now, now).await,
            Err(StoreError::Invalid { .. })
        ));
    }

    pub async fn price_change_log_names_symbols_whose_prices_changed(env: Env) {
        let store = &*env.store;
        assert_eq!(store.last_price_change_seq().await.unwrap(), 0);
        let now = t("2024-06-20T00:00:00Z");
        let bars = [bar(date(2024, 6, 18), "10"), bar(date(2024, 6, 19), "11")];
        store.import_bars("A", &bars, "s", now, now).await.unwrap();
        // Unchanged: no entry.
        store.import_bars("A", &bars, "s", now, now).await.unwrap();
        store
            .store_ticks("B", &[tick("2024-06-19T19:00:00Z", "5")], "q", now, now)
            .await
            .unwrap();
        // A tick already stored: no entry.
        store
            .store_ticks("B", &[tick("2024-06-19T19:00:00Z", "5")], "q", now, now)
            .await
            .unwrap();
        // A correction: an entry.
        store
            .import_bars("A", &[bar(date(2024, 6, 19), "11.5")], "s2", now, now)
            .await
            .unwrap();
        let log = store.price_changes_since(0, 100).await.unwrap();
        let names: Vec<_> = log.iter().map(|c| c.symbol.as_str()).collect();
        assert_eq!(names, ["A", "B", "A"]);
        assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(log[0].at, now);
        assert_eq!(store.last_price_change_seq().await.unwrap(), log[2].seq);
        let rest = store.price_changes_since(log[0].seq, 100).await.unwrap();
        assert_eq!(rest, log[1..].to_vec());
    }

    pub async fn price_change_log_names_instruments_whose_row_changed(env: Env) {
        let store = &*env.store;
        let logged = || async {
            store
                .price_changes_since(0, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.symbol)
                .collect::<Vec<_>>()
        };
        let mut spx = spx();
        store.upsert_instrument(&spx).await.unwrap();
        assert_eq!(logged().await, ["US500"], "a new instrument");
        store.upsert_instrument(&spx).await.unwrap();
        assert_eq!(
            logged().await,
            ["US500"],
            "stated again unchanged: no entry"
        );
        spx.benchmark_symbol = Some("VIX".into());
        store.upsert_instrument(&spx).await.unwrap();
        spx.session_close = time(16, 15, 0, 0);
        store.upsert_instrument(&spx).await.unwrap();
        spx.benchmark_symbol = None;
        store.upsert_instrument(&spx).await.unwrap();
        assert_eq!(
            logged().await,
            ["US500", "US500", "US500", "US500"],
            "benchmark set, close moved, benchmark cleared: an entry each"
        );
        assert_eq!(store.get_instrument("US500").await.unwrap(), Some(spx));
    }
}
