//! The price-file parser: layouts, formats, null markers, errors, and never panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::civil::date;
use newsdesk_market::{
    DateOrder, Layout, ParseOptions, Price, PriceErrorKind, PriceParseError, parse_prices,
};
use proptest::prelude::*;

fn opts() -> ParseOptions {
    ParseOptions::new("prices.csv")
}

fn p(s: &str) -> Price {
    Price::parse(s).unwrap()
}

#[test]
fn yahoo_ohlcv_with_adj_close_and_null_rows() {
    let csv = "Date,Open,High,Low,Close,Adj Close,Volume\n\
               2023-05-08,1.5,2,1,1.75,1.70,1000\n\
               2023-05-09,null,null,null,null,null,null\n\
               2023-05-10,1.8,2.1,1.7,2.00,1.95,\n";
    let r = parse_prices(csv.as_bytes(), &opts().with_symbol("AAPL")).unwrap();
    assert_eq!(r.layout, Layout::Columns);
    assert_eq!((r.rows, r.skipped_nulls, r.bar_count()), (3, 1, 2));
    let s = &r.series[0];
    assert_eq!(s.symbol.as_deref(), Some("AAPL"));
    let b = s.daily[0];
    assert_eq!(b.date, date(2023, 5, 8));
    assert_eq!(
        (b.open, b.high, b.low),
        (Some(p("1.5")), Some(p("2")), Some(p("1")))
    );
    assert_eq!(
        (b.close, b.adj_close, b.volume),
        (p("1.75"), Some(p("1.70")), Some(1000))
    );
    assert_eq!(s.daily[1].volume, None);
}

#[test]
fn headerless_date_close_in_any_date_format() {
    let csv = "20230508,10\n05/09/2023,11.5\r\n\n2023/05/10 , 12\n11.05.2023,13\n";
    let r = parse_prices(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(r.layout, Layout::Headerless);
    let d: Vec<_> = r.series[0]
        .daily
        .iter()
        .map(|b| (b.date, b.close))
        .collect();
    assert_eq!(
        d,
        vec![
            (date(2023, 5, 8), p("10")),
            (date(2023, 5, 9), p("11.5")),
            (date(2023, 5, 10), p("12")),
            (date(2023, 5, 11), p("13")),
        ]
    );
    let day_first = ParseOptions {
        date_order: DateOrder::DayFirst,
        ..opts()
    };
    let r = parse_prices(b"05/09/2023,1\n", &day_first).unwrap();
    assert_eq!(r.series[0].daily[0].date, date(2023, 9, 5));
}

#[test]
fn symbol_column_splits_series_and_sorts_descending_files() {
    let csv = "ticker;date;price\nB;2023-05-10;2\nA;2023-05-10;1,5\n";
    // A decimal comma is refused, not read as 15.
    let e = parse_prices(csv.as_bytes(), &opts()).unwrap_err();
    assert_eq!(e.line, 3);
    assert_eq!(e.field.as_deref(), Some("price"));
    assert!(
        e.to_string()
            .starts_with("prices.csv:3: price: \"1,5\" is not a price"),
        "{e}"
    );

    let csv = "Symbol,Date,Close\nB,2023-05-10,2\nA,2023-05-10,1\nB,2023-05-09,3\nB,2023-05-08,4\n\"A\",\"2023-05-09\",\"1,000.5\"\n";
    let r = parse_prices(csv.as_bytes(), &opts()).unwrap();
    let syms: Vec<_> = r.series.iter().map(|s| s.symbol.clone().unwrap()).collect();
    assert_eq!(syms, ["B", "A"]);
    let b: Vec<_> = r.series[0].daily.iter().map(|b| b.close).collect();
    assert_eq!(b, [p("4"), p("3"), p("2")]);
    assert_eq!(r.series[1].daily[0].close, p("1000.5"));
    assert_eq!(r.series[1].daily[0].date, date(2023, 5, 9));
}

#[test]
fn wide_file_one_series_per_column() {
    let csv = "Date,AAPL,^N225\n1962-01-02,,9927\n1962-01-03,0.5,9947.5\n";
    let r = parse_prices(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(r.layout, Layout::Wide);
    assert_eq!(r.rows, 2);
    assert_eq!(r.skipped_nulls, 1);
    assert_eq!(r.series[0].symbol.as_deref(), Some("AAPL"));
    assert_eq!(r.series[0].daily.len(), 1);
    assert_eq!(r.series[1].symbol.as_deref(), Some("^N225"));
    assert_eq!(r.series[1].daily[1].close, p("9947.5"));
    // Single letters are tickers in a wide file (V is Visa), roles in an abbreviated header.
    let r = parse_prices(b"Date,V,C\n2015-12-31,77.55,51.61\n", &opts()).unwrap();
    assert_eq!(r.layout, Layout::Wide);
    assert_eq!(r.series[0].symbol.as_deref(), Some("V"));
    let r = parse_prices(b"t,o,h,l,c,v\n1683590400,1,2,0.5,1.5,10\n", &opts()).unwrap();
    assert_eq!(r.layout, Layout::Columns);
    let b = r.series[0].daily[0];
    assert_eq!(
        (b.date, b.close, b.volume),
        (date(2023, 5, 9), p("1.5"), Some(10))
    );
}

#[test]
fn intraday_rows_need_a_zone_and_midnight_is_a_day() {
    let csv = "Datetime,Close\n2023-05-09 00:00:00,1\n2023-05-09T10:57:00-04:00,2\n2023-05-09 15:00:00Z,3\n";
    let r = parse_prices(csv.as_bytes(), &opts()).unwrap();
    let s = &r.series[0];
    assert_eq!(s.daily.len(), 1);
    let at: Vec<_> = s.intraday.iter().map(|b| b.at.to_string()).collect();
    assert_eq!(at, ["2023-05-09T14:57:00Z", "2023-05-09T15:00:00Z"]);

    let naive = "Date,Time,Close\n2023-05-09,10:57,2\n";
    let e = parse_prices(naive.as_bytes(), &opts()).unwrap_err();
    assert!(matches!(e.kind, PriceErrorKind::NaiveTime { .. }), "{e}");
    let ny = ParseOptions {
        time_zone: Some(jiff::tz::TimeZone::get("America/New_York").unwrap()),
        ..opts()
    };
    let r = parse_prices(naive.as_bytes(), &ny).unwrap();
    assert_eq!(
        r.series[0].intraday[0].at.to_string(),
        "2023-05-09T14:57:00Z"
    );

    // Unix seconds (TradingView) and Stooq's <DATE>,<TIME> columns.
    let r = parse_prices(b"time,open,high,low,close\n1683644220,1,1,1,1\n", &opts()).unwrap();
    assert_eq!(
        r.series[0].intraday[0].at.to_string(),
        "2023-05-09T14:57:00Z"
    );
    let stooq = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\nAAPL.US,D,20230509,000000,1,2,0.5,1.5,100,0\n";
    let r = parse_prices(stooq.as_bytes(), &opts()).unwrap();
    assert_eq!(r.series[0].symbol.as_deref(), Some("AAPL.US"));
    assert_eq!(r.series[0].daily[0].volume, Some(100));
}

#[test]
fn duplicates_are_dropped_and_conflicts_name_both_lines() {
    let csv = "Date,Close\n2023-05-08,1\n2023-05-09,2\n2023-05-08,1\n";
    let r = parse_prices(csv.as_bytes(), &opts()).unwrap();
    assert_eq!((r.duplicates, r.series[0].daily.len()), (1, 2));
    let csv = "Date,Close\n2023-05-08,1\n2023-05-09,2\n2023-05-08,1.01\n";
    let e = parse_prices(csv.as_bytes(), &opts()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "prices.csv:4: 2023-05-08 appears again with different values (first on line 2)"
    );
}

#[test]
fn errors_name_file_line_and_field() {
    let cases: &[(&str, &str)] = &[
        ("", "prices.csv: no price rows"),
        ("Date,Close\n", "prices.csv: no price rows"),
        ("Open,Close\n1,2\n", "prices.csv:1: no date column"),
        (
            "Date,Volume\n2023-01-02,5\n",
            "prices.csv:1: no close column",
        ),
        (
            "Date,Close\n2023-02-30,1\n",
            "prices.csv:2: Date: \"2023-02-30\" is not a date",
        ),
        (
            "Date,Close\n2023-02-03,1.123456789\n",
            "prices.csv:2: Close: \"1.123456789\" is not a price (more than 8 decimal places)",
        ),
        (
            "Date,Close,Volume\n2023-02-03,1,-5\n",
            "prices.csv:2: Volume: \"-5\" is not a volume",
        ),
        (
            "Date,Close\n2023-02-03\n",
            "prices.csv:2: Close: missing value",
        ),
        ("Date,Close\n,1\n", "prices.csv:2: Date: missing value"),
        (
            "Date,Close\n\"2023-02-03,1\n",
            "prices.csv:2: quoted field is not closed",
        ),
        (
            "2023-02-03,1,2\n",
            "prices.csv:1: no header, and rows have 3 fields",
        ),
        (
            "Symbol,Date,Close\n,2023-02-03,1\n",
            "prices.csv:2: Symbol: empty symbol",
        ),
    ];
    for (input, want) in cases {
        let e = parse_prices(input.as_bytes(), &opts()).unwrap_err();
        assert!(e.to_string().starts_with(want), "{input:?}: {e}");
    }
    let e = parse_prices(b"Date,Close\n2023-02-03,1e3\n", &opts()).unwrap_err();
    assert_eq!(
        e.kind,
        PriceErrorKind::BadPrice {
            value: "1e3".into(),
            reason: PriceParseError::Invalid
        }
    );
}

#[test]
fn json_rows_and_objects_by_symbol() {
    let json = r#"[
      {"date": "2023-05-08", "close": 174.67, "volume": 25130494},
      {"Date": "2023-05-09", "Close": "175.25", "Adj Close": null, "symbol": "AAPL"}
    ]"#;
    let r = parse_prices(json.as_bytes(), &ParseOptions::new("p.json")).unwrap();
    assert_eq!(r.layout, Layout::Json);
    assert_eq!(r.series.len(), 2);
    assert_eq!(r.series[0].daily[0].close, p("174.67"));
    assert_eq!(r.series[0].daily[0].volume, Some(25130494));
    assert_eq!(r.series[1].symbol.as_deref(), Some("AAPL"));

    let json = r#"{"^N225": [{"date": "2023-05-09", "close": 29242.82}],
                   "SPX": [{"date": "20230509", "close": 4119.17}, {"date": "2023-05-10", "close": 4137.64}]}"#;
    let r = parse_prices(json.as_bytes(), &ParseOptions::new("p.json")).unwrap();
    assert_eq!(r.series[0].symbol.as_deref(), Some("^N225"));
    assert_eq!(r.series[0].daily[0].close, p("29242.82"));
    assert_eq!(r.series[1].daily.len(), 2);

    let e = parse_prices(
        b"[{\"date\": \"2023-05-09\",\n \"close\": 1.5e3}]",
        &ParseOptions::new("p.json"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "p.json:1: close: \"1.5e3\" is not a price (not a decimal number)"
    );
    let e = parse_prices(
        b"[{\"date\": \"2023-05-09\"},\n{]",
        &ParseOptions::new("p.json"),
    )
    .unwrap_err();
    assert!(matches!(e.kind, PriceErrorKind::Json { .. }), "{e}");
    let e = parse_prices(
        b"[\n{\"date\": \"2023-05-09\"}]",
        &ParseOptions::new("p.json"),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "p.json:2: close: missing value");
}

/// The real files in ../shared (not copied into the repo: research/GPL terms).
#[test]
fn reads_the_shared_real_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let kaggle = root.join("kaggle-us-stocks-ohlcv/aapl.us.txt");
    let nikkei = root.join("qrmdata-daily-close/NIKKEI.csv");
    let dj = root.join("qrmdata-daily-close/DJ_const.csv");
    let vix = root.join("vix-daily/vix-daily.csv");
    if !kaggle.exists() || !nikkei.exists() {
        eprintln!("skipping: ../shared/data is not there");
        return;
    }
    let r = parse_prices(
        &std::fs::read(&kaggle).unwrap(),
        &ParseOptions::new("aapl.us.txt").with_symbol("AAPL"),
    )
    .unwrap();
    let s = &r.series[0];
    assert_eq!(s.daily.len(), 8364);
    assert_eq!(s.daily[0].date, date(1984, 9, 7));
    assert_eq!(s.daily.last().unwrap().close, p("174.67"));
    assert_eq!(s.daily.last().unwrap().volume, Some(25130494));

    let r = parse_prices(
        &std::fs::read(&nikkei).unwrap(),
        &ParseOptions::new("NIKKEI.csv"),
    )
    .unwrap();
    assert_eq!(r.layout, Layout::Wide);
    assert_eq!(r.series[0].symbol.as_deref(), Some("^N225"));
    assert_eq!(r.series[0].daily.len(), 7880);
    assert_eq!(r.series[0].daily[0].close, p("9927"));

    let r = parse_prices(
        &std::fs::read(&dj).unwrap(),
        &ParseOptions::new("DJ_const.csv"),
    )
    .unwrap();
    assert_eq!(r.series.len(), 30);
    assert_eq!(r.rows, 13595);
    let ibm = r
        .series
        .iter()
        .find(|s| s.symbol.as_deref() == Some("IBM"))
        .unwrap();
    assert_eq!(ibm.daily[0].date, date(1962, 1, 2));

    if vix.exists() {
        let r = parse_prices(
            &std::fs::read(&vix).unwrap(),
            &ParseOptions::new("vix-daily.csv"),
        )
        .unwrap();
        assert_eq!(r.series[0].daily[0].close, p("17.24"));
    }
}

fn arb_price() -> impl Strategy<Value = Price> {
    (-10_000_000_000_000i64..10_000_000_000_000).prop_map(Price::from_raw)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_prices(&bytes, &opts());
    }

    #[test]
    fn never_panics_on_csv_like_text(s in "[DdCcOoSs0-9,;\t.:/ \"\\n\\r\\-+TZnul]{0,200}") {
        let _ = parse_prices(s.as_bytes(), &opts());
    }

    /// Generated OHLCV CSV reads back exactly, whatever the row order.
    #[test]
    fn generated_csv_round_trips(
        rows in proptest::collection::btree_map(0i32..20_000, (arb_price(), proptest::option::of(arb_price()), proptest::option::of(0u64..u64::MAX)), 1..40),
        reverse in any::<bool>(),
        delim in prop_oneof![Just(','), Just(';'), Just('\t')],
    ) {
        let start = date(1970, 1, 1);
        let mut lines: Vec<String> = rows.iter().map(|(d, (c, o, v))| {
            let day = start.checked_add(jiff::Span::new().days(*d)).unwrap();
            let o = o.map(|o| o.to_string()).unwrap_or_else(|| "null".into());
            let v = v.map(|v| v.to_string()).unwrap_or_default();
            format!("{day}{delim}{o}{delim}{c}{delim}{v}")
        }).collect();
        if reverse { lines.reverse(); }
        let csv = format!("Date{delim}Open{delim}Close{delim}Volume\n{}\n", lines.join("\n"));
        let r = parse_prices(csv.as_bytes(), &opts()).unwrap();
        let got: Vec<_> = r.series[0].daily.iter().map(|b| (b.close, b.open, b.volume)).collect();
        let want: Vec<_> = rows.values().copied().collect();
        prop_assert_eq!(got, want);
    }
}
