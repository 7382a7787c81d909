//! The chip's move on small hand-built series, the session mapping across zones, and the
//! reasons given when there is no move.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::civil::{Date, Time, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use newsdesk_market::{
    Bar, ExchangeClock, IntradayBar, MoveConfig, NoMove, Price, PriceHistory, compute_move,
};
use rust_decimal::Decimal;

fn p(s: &str) -> Price {
    Price::parse(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn series(start: Date, closes: &[&str]) -> Vec<Bar> {
    // Consecutive weekdays from `start`.
    let mut d = start;
    let mut out = Vec::new();
    for c in closes {
        while matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            d = d.tomorrow().unwrap();
        }
        out.push(Bar::close_only(d, p(c)));
        d = d.tomorrow().unwrap();
    }
    out
}

fn ny(y: i16, m: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    date(y, m, d)
        .at(h, mi, 0, 0)
        .in_tz("America/New_York")
        .unwrap()
        .timestamp()
}

fn history<'a>(bars: &'a [Bar], clock: &'a ExchangeClock) -> PriceHistory<'a> {
    PriceHistory {
        daily: bars,
        intraday: &[],
        clock,
        source: "test",
        as_of: Timestamp::UNIX_EPOCH,
    }
}

/// Benchmark returns +1 %, −1 %, +2 %, −2 %, then +1 %, +1 % in the event window; the
/// instrument's are exactly twice the benchmark's before the event, then +5 % and +1 %.
/// So β = 2, α = 0, AR(day 0) = 5 % − 2 % = 3 %, AR(day 1) = 1 % − 2 % = −1 %.
fn hand_series() -> (Vec<Bar>, Vec<Bar>) {
    let start = date(2023, 5, 1); // Monday
    let bench = series(
        start,
        &[
            "10000",
            "10100",
            "9999",
            "10198.98",
            "9995.0004",
            "10094.950404",
            "10195.89990804",
        ],
    );
    let inst = series(
        start,
        &[
            "1000",
            "1020",
            "999.6",
            "1039.584",
            "998.00064",
            "1047.900672",
            "1058.37967872",
        ],
    );
    (inst, bench)
}

fn small_config() -> MoveConfig {
    MoveConfig {
        estimation_sessions: 4,
        min_estimation_sessions: 3,
        ..MoveConfig::default()
    }
}

#[test]
fn hand_computed_change_and_abnormal_move() {
    let (inst, bench) = hand_series();
    let clock = ExchangeClock::for_mic("XNYS").unwrap();
    // Friday 2023-05-05 after the close: from = Friday's close, day 0 = Monday 05-08.
    let published = ny(2023, 5, 5, 18, 0);
    let now = ny(2023, 5, 10, 8, 0);
    let m = compute_move(
        &history(&inst, &clock),
        Some(&bench),
        published,
        now,
        &small_config(),
    )
    .unwrap();
    assert_eq!(m.from.price, p("998.00064"));
    assert_eq!(m.from.at, ny(2023, 5, 5, 16, 0));
    assert_eq!(m.to.price, p("1058.37967872"));
    assert_eq!(m.to.at, ny(2023, 5, 9, 16, 0));
    assert_eq!(m.last, m.to);
    // (1058.37967872 − 998.00064) / 998.00064 = 1.05 × 1.01 − 1 exactly.
    assert_eq!(m.change_percent_unrounded, dec("6.05"));
    assert_eq!(m.change_percent.to_string(), "6.05");
    let a = m.abnormal.clone().unwrap();
    assert!((a.beta - 2.0).abs() < 1e-9, "{}", a.beta);
    assert!(a.alpha.abs() < 1e-9, "{}", a.alpha);
    assert_eq!(a.estimation_sample, 4);
    assert_eq!(a.day0, date(2023, 5, 8));
    assert_eq!(a.window, (date(2023, 5, 8), date(2023, 5, 9)));
    // Sum of daily ARs: 3 % − 1 % = 2.00 (compounding both legs would give 2.03).
    assert!((a.car - 0.02).abs() < 1e-12, "{}", a.car);
    assert_eq!(a.abnormal_percent.to_string(), "2.00");

    // Window [0, 0]: only day 0.
    let cfg = MoveConfig {
        event_window: (0, 0),
        ..small_config()
    };
    let m = compute_move(&history(&inst, &clock), Some(&bench), published, now, &cfg).unwrap();
    assert_eq!(m.abnormal.unwrap().abnormal_percent.to_string(), "3.00");

    let json = serde_json::to_value(
        compute_move(
            &history(&inst, &clock),
            Some(&bench),
            published,
            now,
            &small_config(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(json["change_percent"], "6.05");
    assert_eq!(json["abnormal_percent"], "2.00");
    assert_eq!(json["from"]["price"], "998.00064");
    assert_eq!(json["from"]["at"], "2023-05-05T20:00:00Z");
    assert_eq!(json["to"]["price"], "1058.37967872");
    assert_eq!(json["source"], "test");
    assert!(json["abnormal_reason"].is_null());
}

#[test]
fn benchmark_holiday_in_the_window_is_a_zero_return() {
    let (inst, mut bench) = hand_series();
    let clock = ExchangeClock::for_mic("XNYS").unwrap();
    // The benchmark is closed on 05-09 (its last close stays 05-08's) and trades on 05-10.
    let last = bench.pop().unwrap();
    bench.push(Bar::close_only(date(2023, 5, 10), last.close));
    let m = compute_move(
        &history(&inst, &clock),
        Some(&bench),
        ny(2023, 5, 5, 18, 0),
        ny(2023, 5, 10, 8, 0),
        &small_config(),
    )
    .unwrap();
    // AR(day 1) = 1 % − 2 × 0 = 1 %, so CAR = 4 %.
    assert_eq!(m.abnormal.unwrap().abnormal_percent.to_string(), "4.00");

    // A benchmark that stops before the window ends says so.
    bench.truncate(5);
    let m = compute_move(
        &history(&inst, &clock),
        Some(&bench),
        ny(2023, 5, 5, 18, 0),
        ny(2023, 5, 10, 8, 0),
        &small_config(),
    )
    .unwrap();
    assert_eq!(
        m.abnormal.unwrap_err().to_string(),
        "benchmark has no prices after 2023-05-05"
    );
}

#[test]
fn rounding_is_half_away_from_zero_with_two_places() {
    let clock = ExchangeClock::for_mic("XNYS").unwrap();
    for (from, to, want) in [
        ("3", "4", "33.33"),
        ("8", "7.9996", "-0.01"), // −0.005 exactly
        ("8", "8.0004", "0.01"),  // +0.005 exactly
        ("8", "7.9999", "0.00"),  // −0.00125: no negative zero
        ("100", "150", "50.00"),
    ] {
        let bars = series(date(2023, 5, 1), &[from, to]);
        let m = compute_move(
            &history(&bars, &clock),
            None,
            ny(2023, 5, 1, 17, 0),
            ny(2023, 5, 3, 0, 0),
            &MoveConfig::default(),
        )
        .unwrap();
        assert_eq!(m.change_percent.to_string(), want, "{from} → {to}");
        assert_eq!(m.abnormal, Err(NoMove::NoBenchmark));
    }
}

/// The example: a story at 10:57 in New York on 2023-05-09 comes after Tokyo's close
/// that day (15:00 JST = 06:00 UTC), so a Tokyo instrument's `from` is 05-09's close and its
/// event window starts on 05-10; a New York instrument's `from` is 05-08's close and its
/// window starts on 05-09 (the story is during its session).
#[test]
fn new_york_story_maps_to_the_right_tokyo_session() {
    let tokyo = ExchangeClock::new(
        TimeZone::get("Asia/Tokyo").unwrap(),
        Time::constant(15, 0, 0, 0),
    );
    let nyse = ExchangeClock::for_mic("XNYS").unwrap();
    let published = ny(2023, 5, 9, 10, 57);
    assert_eq!(published.to_string(), "2023-05-09T14:57:00Z");
    // Real-looking levels; the values are not the point, the dates are.
    let n = 100;
    let mk = |base: i64, k: i64| -> Vec<Bar> {
        let mut d = date(2023, 1, 2);
        (0..n)
            .map(|i| {
                while matches!(
                    d.weekday(),
                    jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                ) {
                    d = d.tomorrow().unwrap();
                }
                let b = Bar::close_only(
                    d,
                    Price::from_raw((base + (i * k) % 97 * 3 + i) * 1_000_000),
                );
                d = d.tomorrow().unwrap();
                b
            })
            .collect()
    };
    let (inst, bench) = (mk(2_900_000, 13), mk(2_800_000, 7));
    let now = ny(2023, 6, 1, 0, 0);
    let cfg = MoveConfig {
        min_estimation_sessions: 30,
        ..MoveConfig::default()
    };
    let m = compute_move(&history(&inst, &tokyo), Some(&bench), published, now, &cfg).unwrap();
    assert_eq!(m.from.at.to_string(), "2023-05-09T06:00:00Z");
    assert_eq!(
        m.from.price,
        inst.iter()
            .find(|b| b.date == date(2023, 5, 9))
            .unwrap()
            .close
    );
    let a = m.abnormal.unwrap();
    assert_eq!(a.day0, date(2023, 5, 10));
    assert_eq!(a.window, (date(2023, 5, 10), date(2023, 5, 11)));
    // Old story: `to` is the close five sessions after 05-09.
    assert!(m.to_is_horizon_close);
    assert_eq!(m.to.at.to_string(), "2023-05-16T06:00:00Z");

    let m = compute_move(&history(&inst, &nyse), Some(&bench), published, now, &cfg).unwrap();
    assert_eq!(m.from.at.to_string(), "2023-05-08T20:00:00Z");
    assert_eq!(m.abnormal.unwrap().day0, date(2023, 5, 9));
}

#[test]
fn intraday_prices_refine_from_and_last() {
    let clock = ExchangeClock::for_mic("XNYS").unwrap();
    let bars = series(date(2023, 5, 8), &["100", "110"]);
    let intra = [
        IntradayBar {
            at: ny(2023, 5, 10, 10, 0),
            open: None,
            high: None,
            low: None,
            close: p("111"),
            volume: None,
        },
        IntradayBar {
            at: ny(2023, 5, 10, 11, 0),
            open: None,
            high: None,
            low: None,
            close: p("121"),
            volume: None,
        },
        IntradayBar {
            at: ny(2023, 5, 10, 12, 0),
            open: None,
            high: None,
            low: None,
            close: p("999"),
            volume: None,
        },
    ];
    let h = PriceHistory {
        intraday: &intra,
        ..history(&bars, &clock)
    };
    // Published 10:30 on 05-10: from = the 10:00 print, to = the latest print before `now`.
    let m = compute_move(
        &h,
        None,
        ny(2023, 5, 10, 10, 30),
        ny(2023, 5, 10, 11, 30),
        &MoveConfig::default(),
    )
    .unwrap();
    assert_eq!((m.from.price, m.to.price), (p("111"), p("121")));
    assert_eq!(m.change_percent.to_string(), "9.01");
    // Published the evening before: from = 05-09's close.
    let m = compute_move(
        &h,
        None,
        ny(2023, 5, 9, 20, 0),
        ny(2023, 5, 10, 11, 30),
        &MoveConfig::default(),
    )
    .unwrap();
    assert_eq!((m.from.price, m.to.price), (p("110"), p("121")));
}

#[test]
fn reasons_instead_of_a_dash() {
    let clock = ExchangeClock::for_mic("XNYS").unwrap();
    let bars = series(date(2017, 11, 6), &["10", "11", "12", "13", "14"]); // to Fri 2017-11-10
    let h = history(&bars, &clock);
    let cfg = MoveConfig::default();
    let late = ny(2017, 11, 20, 0, 0);
    let reason = |published, now| {
        compute_move(&h, None, published, now, &cfg)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        reason(ny(2017, 11, 10, 18, 0), late),
        "no prices after 2017-11-10"
    );
    assert_eq!(
        reason(ny(2017, 11, 6, 9, 0), late),
        "no prices before publication (first price 2017-11-06)"
    );
    assert_eq!(
        reason(late, ny(2017, 11, 19, 0, 0)),
        "published after the current time"
    );
    // `now` bounds the data: seen from 2017-11-08 noon, the last close is 11-07's.
    assert_eq!(
        reason(ny(2017, 11, 7, 17, 0), ny(2017, 11, 8, 12, 0)),
        "no prices after 2017-11-07"
    );
    assert_eq!(
        compute_move(&history(&[], &clock), None, late, late, &cfg).unwrap_err(),
        NoMove::NoPrices
    );
    let zero = series(date(2020, 4, 20), &["0", "10"]);
    assert_eq!(
        compute_move(
            &history(&zero, &clock),
            None,
            ny(2020, 4, 20, 17, 0),
            ny(2020, 4, 22, 0, 0),
            &cfg
        )
        .unwrap_err()
        .to_string(),
        "price before publication is 0, not positive"
    );

    // Abnormal-move reasons ride along with a change.
    let (inst, bench) = hand_series();
    let m = compute_move(
        &history(&inst, &clock),
        Some(&bench),
        ny(2023, 5, 5, 18, 0),
        ny(2023, 5, 10, 8, 0),
        &cfg,
    )
    .unwrap();
    assert_eq!(
        m.abnormal.unwrap_err().to_string(),
        "benchmark has fewer than 60 overlapping sessions (4)"
    );
    let m = compute_move(
        &history(&inst, &clock),
        Some(&bench),
        ny(2023, 5, 8, 18, 0),
        ny(2023, 5, 10, 8, 0),
        &small_config(),
    )
    .unwrap();
    assert_eq!(
        m.abnormal.unwrap_err().to_string(),
        "event window [0, +1] not complete: no prices after 2023-05-09"
    );
    let flat = series(date(2023, 5, 1), &["5"; 7]);
    let m = compute_move(
        &history(&inst, &clock),
        Some(&flat),
        ny(2023, 5, 5, 18, 0),
        ny(2023, 5, 10, 8, 0),
        &small_config(),
    )
    .unwrap();
    assert_eq!(m.abnormal, Err(NoMove::DegenerateRegression));
    let _ = SignedDuration::ZERO;
}
