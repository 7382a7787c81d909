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
}
