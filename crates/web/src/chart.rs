//! The instrument page's figures: a server-rendered SVG line chart of closes with a marker per
//! story (each a link to it), and the 1D/1W/1M/YTD/1Y changes and 52-week range.
//!
//! The SVG uses presentation attributes and classes from the site stylesheet only (the CSP
//! allows no inline styles or scripts); every text in it goes through [`escape::html`].

use std::fmt::Write as _;

use jiff::civil::Date;
use jiff::{Span, Timestamp, ToSpan};
use newsdesk_market::{Bar, ExchangeClock, Price};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::escape;

/// Chart width in SVG user units.
const W: f64 = 720.0;
/// Chart height in SVG user units.
const H: f64 = 240.0;
/// Padding around the plot.
const PAD: f64 = 12.0;

/// A change over a period: from the last close at or before the period's start to the last
/// close.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodChange {
    /// `1D`, `1W`, `1M`, `YTD`, `1Y`.
    pub period: &'static str,
    /// Percent, rounded half away from zero to two places (`"-1.25"`), or `None` with `reason`.
    pub change_percent: Option<String>,
    /// The close the change is measured from.
    pub from: Option<(Date, Price)>,
    /// Why there is no figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The 52-week range of closes.
#[derive(Debug, Clone, Serialize)]
pub struct Range52w {
    /// Lowest close and its date.
    pub low: (Date, Price),
    /// Highest close and its date.
    pub high: (Date, Price),
}

/// Figures of an instrument as of its last bar.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The last close and its date.
    pub last: (Date, Price),
    /// Changes over the standard periods.
    pub changes: Vec<PeriodChange>,
    /// The 52-week range.
    pub range_52w: Range52w,
}

/// `(to − from) / from × 100`, rounded half away from zero to two places.
pub fn percent(from: Price, to: Price) -> Option<String> {
    if !from.is_positive() {
        return None;
    }
    let d = (to.to_decimal() - from.to_decimal()) / from.to_decimal() * Decimal::from(100);
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    r.rescale(2);
    Some(r.to_string())
}

/// The index of the last bar dated on or before `date`.
fn at_or_before(bars: &[Bar], date: Date) -> Option<usize> {
    bars.partition_point(|b| b.date <= date).checked_sub(1)
}

/// Figures of `bars` (sorted, one per date); `None` when there are none.
pub fn stats(bars: &[Bar]) -> Option<Stats> {
    let last = bars.last()?;
    let back = |span: Span| last.date.checked_sub(span).ok();
    let starts: [(&'static str, Option<Date>); 5] = [
        ("1D", bars.len().checked_sub(2).map(|i| bars[i].date)),
        ("1W", back(1.week())),
        ("1M", back(1.month())),
        ("YTD", last.date.first_of_year().yesterday().ok()),
        ("1Y", back(1.year())),
    ];
    let first = bars[0].date;
    let changes = starts
        .into_iter()
        .map(|(period, start)| {
            let from = start.and_then(|d| at_or_before(bars, d)).map(|i| bars[i]);
            match from {
                Some(f) => PeriodChange {
                    period,
                    change_percent: percent(f.close, last.close),
                    from: Some((f.date, f.close)),
                    reason: (!f.close.is_positive())
                        .then(|| "price at the start is not positive".to_string()),
                },
                None => PeriodChange {
                    period,
                    change_percent: None,
                    from: None,
                    reason: Some(format!("no prices before {first}")),
                },
            }
        })
        .collect();
    let year_ago = back(1.year()).unwrap_or(first);
    let window = &bars[bars.partition_point(|b| b.date <= year_ago)..];
    let window = if window.is_empty() {
        &bars[bars.len() - 1..]
    } else {
        window
    };
    let lo = window.iter().min_by_key(|b| b.close)?;
    let hi = window.iter().max_by_key(|b| b.close)?;
    Some(Stats {
        last: (last.date, last.close),
        changes,
        range_52w: Range52w {
            low: (lo.date, lo.close),
            high: (hi.date, hi.close),
        },
    })
}

/// A story to mark on the chart.
#[derive(Debug, Clone)]
pub struct Marker {
    /// `/news/{id}`.
    pub href: String,
    /// Headline (plain text; escaped here).
    pub title: String,
    /// Publication instant.
    pub at: Timestamp,
}

/// HTML-escaped text (control characters dropped).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape::html(&escape::clean_text(s), &mut out);
    out
}

/// Days since the epoch as a float, for the time axis.
fn day_number(d: Date) -> f64 {
    newsdesk_store::date_to_day(d) as f64
}

/// The SVG chart of `bars` (at most the last `max_days` days of them) with `markers` placed at
/// their publication times on the exchange's local date. Empty string when there are no bars.
pub fn svg(bars: &[Bar], markers: &[Marker], clock: Option<&ExchangeClock>, label: &str) -> String {
    let Some(last) = bars.last() else {
        return String::new();
    };
    let (x0, x1) = (
        day_number(bars[0].date),
        day_number(last.date).max(day_number(bars[0].date) + 1.0),
    );
    let lo = bars
        .iter()
        .map(|b| b.close.to_f64())
        .fold(f64::INFINITY, f64::min);
    let hi = bars
        .iter()
        .map(|b| b.close.to_f64())
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let x = |d: f64| PAD + (d - x0) / (x1 - x0) * (W - 2.0 * PAD);
    let y = |p: f64| H - PAD - (p - lo) / (hi - lo) * (H - 2.0 * PAD);
    let mut out = String::with_capacity(bars.len() * 16 + 512);
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">{}</title>",
        esc(label)
    );
    out.push_str("<polyline class=\"chart-line\" fill=\"none\" points=\"");
    // At most ~2 points per horizontal unit: long histories are thinned to the last close of
    // each step, which keeps the page small without changing the line's shape on screen.
    let step = (bars.len() / (2 * W as usize)).max(1);
    for (i, b) in bars.iter().enumerate() {
        if i % step == 0 || i + 1 == bars.len() {
            let _ = write!(
                out,
                "{:.1},{:.1} ",
                x(day_number(b.date)),
                y(b.close.to_f64())
            );
        }
    }
    out.push_str("\"/>");
    for m in markers {
        let date = match clock {
            Some(c) => c.local_date(m.at),
            None => jiff::tz::TimeZone::UTC.to_datetime(m.at).date(),
        };
        let d = day_number(date);
        if d < x0 || d > x1 {
            continue;
        }
        let price = at_or_before(bars, date).map_or(bars[0].close, |i| bars[i].close);
        let _ = write!(
            out,
            "<a class=\"chart-marker\" href=\"{}\"><title>{} ({})</title><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/></a>",
            esc(&m.href),
            esc(&m.title),
            m.at,
            x(d),
            y(price.to_f64())
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn p(s: &str) -> Price {
        Price::parse(s).unwrap()
    }

    #[test]
    fn stats_measure_from_the_last_close_at_or_before_each_start() {
        let bars = vec![
            Bar::close_only(date(2022, 5, 10), p("80")),
            Bar::close_only(date(2022, 12, 30), p("90")),
            Bar::close_only(date(2023, 4, 10), p("95")),
            Bar::close_only(date(2023, 5, 2), p("98")),
            Bar::close_only(date(2023, 5, 9), p("100")),
            Bar::close_only(date(2023, 5, 10), p("101.5")),
        ];
        let s = stats(&bars).unwrap();
        let get = |k: &str| s.changes.iter().find(|c| c.period == k).unwrap().clone();
        assert_eq!(get("1D").change_percent.as_deref(), Some("1.50"));
        // 1W: 2023-05-03 → last close on or before is 05-02 (98).
        assert_eq!(get("1W").from.unwrap().0, date(2023, 5, 2));
        assert_eq!(get("1W").change_percent.as_deref(), Some("3.57"));
        assert_eq!(get("1M").from.unwrap().0, date(2023, 4, 10));
        assert_eq!(get("YTD").change_percent.as_deref(), Some("12.78"));
        assert_eq!(get("1Y").change_percent.as_deref(), Some("26.88"));
        assert_eq!(s.range_52w.low, (date(2022, 12, 30), p("90")));
        assert_eq!(s.range_52w.high, (date(2023, 5, 10), p("101.5")));
        let short = stats(&bars[4..]).unwrap();
        let ytd = short.changes.iter().find(|c| c.period == "YTD").unwrap();
        assert_eq!(ytd.reason.as_deref(), Some("no prices before 2023-05-09"));
    }

    #[test]
    fn svg_escapes_titles_and_links_markers() {
        let bars = vec![
            Bar::close_only(date(2023, 5, 8), p("100")),
            Bar::close_only(date(2023, 5, 9), p("101")),
        ];
        let m = Marker {
            href: "/news/7".into(),
            title: "<b>\"Rates\" & more</b>".into(),
            at: "2023-05-09T12:00:00Z".parse().unwrap(),
        };
        let s = svg(&bars, &[m], None, "X & Y");
        assert!(
            s.contains("<a class=\"chart-marker\" href=\"/news/7\">"),
            "{s}"
        );
        assert!(
            s.contains("&lt;b&gt;&quot;Rates&quot; &amp; more&lt;/b&gt;"),
            "{s}"
        );
        assert!(s.contains("X &amp; Y"));
        assert!(!s.contains("<b>"));
        assert!(!s.contains("style="));
        assert_eq!(svg(&[], &[], None, "x"), "");
    }
}
