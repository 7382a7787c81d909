//! `newsdesk prices import` as a user runs it: the real binary on a fresh data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::bin;
use newsdesk_store::Store;

#[test]
fn import_is_idempotent_keeps_corrections_and_names_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = dir.path().join("aapl.us.txt");
    std::fs::write(
        &good,
        "Date,Open,High,Low,Close,Volume,OpenInt\n2017-11-09,175.11,176.095,173.14,175.88,29533086,0\n2017-11-10,175.11,175.38,174.27,174.67,25130494,0\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Date,Close\n2023-05-08,100\n2023-05-09,\"1,5\"\n").unwrap();

    let out = bin(&data)
        .args(["prices", "import", "--as-of", "2017-11-11T00:00:00Z"])
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("bad.csv:3:"), "{stderr}");
    assert!(
        stdout.contains("1 files (1 refused), 1 series, 2 bars: 2 new, 0 unchanged, 0 corrected"),
        "{stdout}"
    );

    let again = bin(&data)
        .args(["prices", "import"])
        .arg(&good)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success());
    assert!(
        stdout.contains("2 bars: 0 new, 2 unchanged, 0 corrected"),
        "{stdout}"
    );

    let fixed = dir.path().join("aapl-fix.csv");
    std::fs::write(&fixed, "Date,Close\n2017-11-10,174.68\n").unwrap();
    let out = bin(&data)
        .args([
            "prices", "import", "--symbol", "AAPL", "--source", "vendor-b",
        ])
        .arg(&fixed)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 bars: 0 new, 0 unchanged, 1 corrected")
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = newsdesk_store::SqliteStore::open(&data).await.unwrap();
        let bars = store.bars("AAPL", None, None).await.unwrap();
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].close.to_string(), "175.88");
        assert_eq!(bars[0].volume, Some(29_533_086));
        assert_eq!(bars[1].close.to_string(), "174.68");
        let c = store.price_corrections("AAPL").await.unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].old_close.to_string(), "174.67");
        assert_eq!(
            (c[0].old_source.as_str(), c[0].new_source.as_str()),
            ("aapl.us.txt", "vendor-b")
        );
    });
}

#[test]
fn demo_prices_load_once_and_reload_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = newsdesk_store::SqliteStore::open(dir.path()).await.unwrap();
        let first = newsdesk::demo_prices::load(&store).await.unwrap();
        assert!(first.inserted > 10_000, "{first:?}");
        let again = newsdesk::demo_prices::load(&store).await.unwrap();
        assert_eq!((again.inserted, again.corrected), (0, 0));
        assert_eq!(again.unchanged, first.inserted);
        let vix = store.last_bar("VIX").await.unwrap().unwrap();
        assert_eq!(vix.bar.date.to_string(), "2026-07-23");
        assert!(vix.source.contains("PDDL"));
        let spx = store.bars("US500", None, None).await.unwrap();
        assert_eq!(spx[0].date.to_string(), "1871-01-01");
        assert_eq!(spx[0].close.to_string(), "4.44");
        assert!(store.get_instrument("US10Y").await.unwrap().is_some());
        let aapl = store.get_instrument("AAPL").await.unwrap().unwrap();
        assert_eq!(
            (
                aapl.name.as_str(),
                aapl.kind.as_str(),
                aapl.currency.as_str()
            ),
            ("Apple Inc.", "equity", "USD")
        );
        assert_eq!(aapl.exchange_tz, "America/New_York");
        assert_eq!(aapl.benchmark_symbol, None);
        let last = store.last_bar("AAPL").await.unwrap().unwrap();
        assert_eq!(last.bar.date.to_string(), "2017-11-10");
        assert_eq!(last.bar.close.to_string(), "174.67");
        assert_eq!(last.as_of.to_string(), "2017-11-10T21:00:00Z");
        assert!(last.source.contains("CC0"), "{}", last.source);
    });
}

#[test]
fn imported_symbols_get_an_instrument_row_and_prices_instrument_changes_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let n225 = dir.path().join("n225.csv");
    std::fs::write(&n225, "Date,Close\n2023-05-08,29000\n2023-05-09,29200.5\n").unwrap();
    let odd = dir.path().join("zzq.csv");
    std::fs::write(&odd, "Date,Close\n2023-05-08,1\n").unwrap();
    let out = bin(&data)
        .args(["prices", "import", "--symbol", "JP225"])
        .arg(&n225)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("instrument JP225: Nikkei 225 (index, pts), Asia/Tokyo close 15:30"),
        "{stdout}"
    );
    // A symbol the knowledge base does not know (from the file name): imported, and told how
    // to give it a row.
    let out = bin(&data)
        .args(["prices", "import"])
        .arg(&odd)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("ZZQ has no instrument row")
            && stderr.contains("newsdesk prices instrument ZZQ --zone"),
        "{stderr}"
    );

    // The close before Tokyo's 2024 extension, and a benchmark; the rest is kept.
    let out = bin(&data)
        .args(["prices", "instrument", ".N225", "--close", "15:00"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin(&data)
        .args(["prices", "instrument", "ZZQ", "--close", "16:00"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ZZQ: no exchange time zone known"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin(&data)
        .args([
            "prices",
            "instrument",
            "ZZQ",
            "--zone",
            "Europe/Oslo",
            "--close",
            "16:20",
            "--kind",
            "equity",
            "--currency",
            "NOK",
            "--benchmark",
            "JP225",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = newsdesk_store::SqliteStore::open(&data).await.unwrap();
        let jp = store.get_instrument("JP225").await.unwrap().unwrap();
        assert_eq!(jp.exchange_tz, "Asia/Tokyo");
        assert_eq!(jp.session_close, jiff::civil::time(15, 0, 0, 0));
        assert_eq!(
            (jp.name.as_str(), jp.kind.as_str()),
            ("Nikkei 225", "index")
        );
        let z = store.get_instrument("ZZQ").await.unwrap().unwrap();
        assert_eq!(z.exchange_tz, "Europe/Oslo");
        assert_eq!(z.benchmark_symbol.as_deref(), Some("JP225"));
        assert_eq!(z.currency, "NOK");
    });
}
