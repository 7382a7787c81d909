//! Changes and abnormal moves on real series from ../shared/data (Nikkei 225, Dow stocks, US
//! stocks), compared with an independent Python computation run in the same test
//! (`tests/reference_move.py`). The data is research-only/GPL and is never copied into the
//! repository: the test reads it at run time and skips with a message when it (or python3) is
//! absent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jiff::civil::{Time, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use newsdesk_market::{
    Bar, ExchangeClock, MoveConfig, NoMove, ParseOptions, PriceHistory, compute_move, parse_prices,
};
use serde_json::{Value, json};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

struct Source {
    file: PathBuf,
    column: &'static str,
}

fn load(src: &Source, cache: &mut HashMap<(PathBuf, &'static str), Vec<Bar>>) -> Vec<Bar> {
    cache
        .entry((src.file.clone(), src.column))
        .or_insert_with(|| {
            let bytes = std::fs::read(&src.file).unwrap();
            let name = src.file.file_name().unwrap().to_string_lossy().into_owned();
            let parsed = parse_prices(&bytes, &ParseOptions::new(name)).unwrap();
            // Single-symbol files have one series; wide files one per column.
            let s = parsed
                .series
                .iter()
                .find(|s| s.symbol.as_deref() == Some(src.column))
                .unwrap_or(&parsed.series[0]);
            s.daily.clone()
        })
        .clone()
}

struct Pair {
    inst: Source,
    bench: Option<Source>,
    tz: &'static str,
    close: (i8, i8),
    window: (i32, i32),
    est: usize,
    min: usize,
    old: Option<usize>,
    /// Publication dates are spread over [from_year, to_year].
    years: (i16, i16),
}

#[test]
fn moves_match_an_independent_python_reference() {
    let d = data_dir();
    let kaggle = d.join("kaggle-us-stocks-ohlcv");
    let qrm = d.join("qrmdata-daily-close");
    if !kaggle.exists() || !qrm.exists() {
        eprintln!(
            "skipping: ../shared/data (kaggle-us-stocks-ohlcv, qrmdata-daily-close) is not there"
        );
        return;
    }
    let python_ok = Command::new("python3")
        .args([
            "-c",
            "import statistics, zoneinfo; statistics.linear_regression",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !python_ok {
        eprintln!("skipping: python3 (3.10+, with zoneinfo) is not available");
        return;
    }
    let src = |dir: &Path, f: &str, column: &'static str| Source {
        file: dir.join(f),
        column,
    };
    let ny = ("America/New_York", (16, 0));
    let pairs = [
        // A US stock (kaggle OHLCV file) against the S&P 500.
        Pair {
            inst: src(&kaggle, "aapl.us.txt", "Close"),
            bench: Some(src(&qrm, "SP500.csv", "^GSPC")),
            tz: ny.0,
            close: ny.1,
            window: (0, 1),
            est: 120,
            min: 60,
            old: Some(5),
            years: (1999, 2017),
        },
        Pair {
            inst: src(&kaggle, "msft.us.txt", "Close"),
            bench: Some(src(&qrm, "SP500.csv", "^GSPC")),
            tz: ny.0,
            close: ny.1,
            window: (-1, 1),
            est: 60,
            min: 40,
            old: None,
            years: (1995, 2015),
        },
        // Dow constituents against the Dow.
        Pair {
            inst: src(&qrm, "DJ_const.csv", "IBM"),
            bench: Some(src(&qrm, "DJ.csv", "^DJI")),
            tz: ny.0,
            close: ny.1,
            window: (0, 1),
            est: 120,
            min: 60,
            old: Some(5),
            years: (1986, 2015),
        },
        Pair {
            inst: src(&qrm, "DJ_const.csv", "JPM"),
            bench: Some(src(&qrm, "DJ.csv", "^DJI")),
            tz: ny.0,
            close: ny.1,
            window: (0, 2),
            est: 120,
            min: 60,
            old: Some(10),
            years: (1986, 2015),
        },
        Pair {
            inst: src(&qrm, "DJ_const.csv", "V"),
            bench: Some(src(&qrm, "DJ.csv", "^DJI")),
            tz: ny.0,
            close: ny.1,
            window: (0, 1),
            est: 120,
            min: 60,
            old: Some(5),
            years: (2007, 2015),
        },
        // The Nikkei 225 on Tokyo's clock against the Hang Seng (other holidays).
        Pair {
            inst: src(&qrm, "NIKKEI.csv", "^N225"),
            bench: Some(src(&qrm, "HSI.csv", "^HSI")),
            tz: "Asia/Tokyo",
            close: (15, 0),
            window: (0, 1),
            est: 120,
            min: 60,
            old: Some(5),
            years: (1987, 2015),
        },
        Pair {
            inst: src(&qrm, "NIKKEI.csv", "^N225"),
            bench: None,
            tz: "Asia/Tokyo",
            close: (15, 0),
            window: (0, 1),
            est: 120,
            min: 60,
            old: Some(5),
            years: (1984, 2016),
        },
    ];

    let mut cache = HashMap::new();
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for (pi, pair) in pairs.iter().enumerate() {
        let inst = load(&pair.inst, &mut cache);
        let bench = pair.bench.as_ref().map(|b| load(b, &mut cache));
        let clock = ExchangeClock::new(
            TimeZone::get(pair.tz).unwrap(),
            Time::constant(pair.close.0, pair.close.1, 0, 0),
        );
        let config = MoveConfig {
            event_window: pair.window,
            estimation_sessions: pair.est,
            min_estimation_sessions: pair.min,
            old_story_sessions: pair.old,
        };
        let span_days = i64::from(pair.years.1 - pair.years.0 + 1) * 365;
        for k in 0..40i64 {
            // Spread over the years, at every hour of the day (New York time), some at a close.
            let day = date(pair.years.0, 1, 3)
                .checked_add(jiff::Span::new().days((k * 7919 + pi as i64 * 131) % span_days))
                .unwrap();
            let (h, m) = if k % 10 == 3 {
                (16, 0)
            } else {
                (((k * 5 + pi as i64) % 24) as i8, (k * 13 % 60) as i8)
            };
            let published = day
                .at(h, m, 0, 0)
                .in_tz("America/New_York")
                .unwrap()
                .timestamp();
            let now = if k % 3 == 0 {
                published + SignedDuration::from_hours(50)
            } else {
                "2018-01-01T00:00:00Z".parse::<Timestamp>().unwrap()
            };
            cases.push(json!({
                "inst": {"file": pair.inst.file, "column": pair.inst.column},
                "bench": pair.bench.as_ref().map(|b| json!({"file": b.file, "column": b.column})),
                "tz": pair.tz,
                "close": format!("{:02}:{:02}", pair.close.0, pair.close.1),
                "published": published.to_string(),
                "now": now.to_string(),
                "window": [pair.window.0, pair.window.1],
                "est": pair.est, "min": pair.min, "old": pair.old,
            }));
            let h = PriceHistory {
                daily: &inst,
                intraday: &[],
                clock: &clock,
                source: "shared",
                as_of: now,
            };
            ours.push((
                clock.clone(),
                compute_move(&h, bench.as_deref(), published, now, &config),
            ));
        }
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference_move.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "reference script failed");
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), ours.len());

    let (mut changes, mut abnormals, mut reasons) = (0, 0, 0);
    for (i, ((clock, ours), theirs)) in ours.iter().zip(&theirs).enumerate() {
        let ctx = format!("case {i}: {}", cases[i]);
        match ours {
            Err(e) => {
                let want = match e {
                    NoMove::NoPrices => "no_prices",
                    NoMove::NoPricesBeforePublication { .. } => "no_prices_before",
                    NoMove::NoPricesAfter { last } => {
                        assert_eq!(theirs["last"], last.to_string(), "{ctx}");
                        "no_prices_after"
                    }
                    other => panic!("unexpected {other:?} in {ctx}"),
                };
                assert_eq!(theirs["reason"], want, "{ctx}");
                reasons += 1;
            }
            Ok(m) => {
                assert!(
                    theirs.get("reason").is_none(),
                    "{ctx}: python says {theirs}"
                );
                assert_eq!(theirs["from_price"], m.from.price.to_string(), "{ctx}");
                assert_eq!(
                    theirs["from_date"],
                    clock.local_date(m.from.at).to_string(),
                    "{ctx}"
                );
                assert_eq!(theirs["to_price"], m.to.price.to_string(), "{ctx}");
                assert_eq!(
                    theirs["to_date"],
                    clock.local_date(m.to.at).to_string(),
                    "{ctx}"
                );
                assert_eq!(
                    theirs["change_percent"],
                    m.change_percent.to_string(),
                    "{ctx}"
                );
                changes += 1;
                match &m.abnormal {
                    Ok(a) => {
                        let t = |k: &str| {
                            theirs[k]
                                .as_f64()
                                .unwrap_or_else(|| panic!("{ctx}: python has no {k}: {theirs}"))
                        };
                        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * (1.0 + y.abs());
                        assert!(
                            close(a.beta, t("beta")),
                            "{ctx}: beta {} vs {}",
                            a.beta,
                            t("beta")
                        );
                        assert!(
                            close(a.alpha, t("alpha")),
                            "{ctx}: alpha {} vs {}",
                            a.alpha,
                            t("alpha")
                        );
                        assert!(
                            close(a.car, t("car")),
                            "{ctx}: car {} vs {}",
                            a.car,
                            t("car")
                        );
                        assert_eq!(theirs["n"], a.estimation_sample, "{ctx}");
                        assert_eq!(theirs["day0"], a.day0.to_string(), "{ctx}");
                        let pct = a.car * 100.0;
                        let near_tie = ((pct * 100.0).abs().fract() - 0.5).abs() < 1e-6;
                        if !near_tie {
                            assert_eq!(
                                theirs["abnormal_percent"],
                                a.abnormal_percent.to_string(),
                                "{ctx}"
                            );
                        }
                        abnormals += 1;
                    }
                    Err(e) => {
                        let want = match e {
                            NoMove::NoBenchmark => "no_benchmark",
                            NoMove::WindowIncomplete { .. } => "window_incomplete",
                            NoMove::BenchmarkStale { .. } => "benchmark_stale",
                            NoMove::TooFewEstimationSessions { .. } => "too_few",
                            other => panic!("unexpected {other:?} in {ctx}"),
                        };
                        assert_eq!(theirs["abnormal_reason"], want, "{ctx}");
                    }
                }
            }
        }
    }
    eprintln!(
        "compared {changes} changes, {abnormals} abnormal moves, {reasons} no-move reasons with the Python reference"
    );
    assert!(
        changes >= 150 && abnormals >= 100,
        "too few comparisons: {changes} / {abnormals}"
    );
}
