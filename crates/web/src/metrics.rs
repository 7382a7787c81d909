//! A tiny Prometheus registry on atomics: request counts by route and status class, a latency
//! histogram per route, and the article page cache's hits and renders. Written by hand because
//! the set is fixed and small; no allocation on the request path.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The route labels we count; anything else is `other` (404s, probes).
pub const ROUTES: &[&str] = &[
    "/",
    "/news/{id}",
    "/search",
    "/source/{slug}",
    "/instrument/{symbol}",
    "/rss",
    "/atom",
    "/static/site.css",
    "/healthz",
    "/metrics",
    "/api/v1/articles",
    "/api/v1/articles/{id}",
    "/api/v1/search",
    "/api/v1/sources",
    "/api/v1/openapi.json",
    "other",
];

/// Latency bucket upper bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default)]
struct RouteStats {
    /// By status class 1xx..5xx.
    by_class: [AtomicU64; 5],
    /// Non-cumulative bucket counts; the last slot is `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// Sum of latencies in microseconds.
    sum_micros: AtomicU64,
}

/// The process's counters.
#[derive(Debug)]
pub struct Metrics {
    routes: Vec<RouteStats>,
    /// Article pages answered from the page cache (including 304s).
    pub cache_hits: AtomicU64,
    /// Article pages rendered (cache misses).
    pub renders: AtomicU64,
    /// Failed change-log polls (catch-up or invalidation).
    pub poll_errors: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            routes: ROUTES.iter().map(|_| RouteStats::default()).collect(),
            cache_hits: AtomicU64::new(0),
            renders: AtomicU64::new(0),
            poll_errors: AtomicU64::new(0),
        }
    }
}

/// Values read at scrape time from the store and the index.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// The store's last change-log seq.
    pub store_seq: Option<i64>,
    /// The index's applied seq.
    pub index_seq: Option<i64>,
    /// Documents in the index.
    pub index_docs: Option<u64>,
    /// Pages in the article cache and their bytes.
    pub cached_pages: u64,
    /// Bytes held by the article cache.
    pub cached_bytes: u64,
}

impl Metrics {
    /// The slot of a matched route pattern (`None` when nothing matched: `other`).
    pub fn route_index(route: Option<&str>) -> usize {
        route
            .and_then(|r| ROUTES.iter().position(|x| *x == r))
            .unwrap_or(ROUTES.len() - 1)
    }

    /// Records one request against a slot from [`Metrics::route_index`].
    pub fn record(&self, route: usize, status: u16, elapsed: Duration) {
        let Some(stats) = self.routes.get(route) else {
            return;
        };
        let class = usize::from((status / 100).clamp(1, 5) - 1);
        stats.by_class[class].fetch_add(1, Relaxed);
        let secs = elapsed.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(BUCKETS.len());
        stats.buckets[b].fetch_add(1, Relaxed);
        stats.sum_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Relaxed,
        );
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self, g: &Gauges) -> String {
        let mut o = String::with_capacity(8 * 1024);
        o.push_str(
            "# HELP newsdesk_http_requests_total HTTP requests by route and status class.\n",
        );
        o.push_str("# TYPE newsdesk_http_requests_total counter\n");
        for (route, s) in ROUTES.iter().zip(&self.routes) {
            for (i, c) in s.by_class.iter().enumerate() {
                let n = c.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        o,
                        "newsdesk_http_requests_total{{route=\"{route}\",status=\"{}xx\"}} {n}",
                        i + 1
                    );
                }
            }
        }
        o.push_str("# HELP newsdesk_http_request_duration_seconds Time to answer, by route.\n");
        o.push_str("# TYPE newsdesk_http_request_duration_seconds histogram\n");
        for (route, s) in ROUTES.iter().zip(&self.routes) {
            let counts: Vec<u64> = s.buckets.iter().map(|b| b.load(Relaxed)).collect();
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            let mut cum = 0;
            for (le, n) in BUCKETS.iter().zip(&counts) {
                cum += n;
                let _ = writeln!(
                    o,
                    "newsdesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cum}"
                );
            }
            let _ = writeln!(
                o,
                "newsdesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {total}"
            );
            let sum = s.sum_micros.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(
                o,
                "newsdesk_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                o,
                "newsdesk_http_request_duration_seconds_count{{route=\"{route}\"}} {total}"
            );
        }
        let counter = |o: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let gauge = |o: &mut String, name: &str, help: &str, v: Option<String>| {
            if let Some(v) = v {
                let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            }
        };
        counter(
            &mut o,
            "newsdesk_article_pages_cached_total",
            "Article pages served from the page cache (including 304 answers).",
            self.cache_hits.load(Relaxed),
        );
        counter(
            &mut o,
            "newsdesk_article_pages_rendered_total",
            "Article pages rendered because they were not cached.",
            self.renders.load(Relaxed),
        );
        counter(
            &mut o,
            "newsdesk_change_poll_errors_total",
            "Change-log polls (index catch-up or cache invalidation) that failed.",
            self.poll_errors.load(Relaxed),
        );
        gauge(
            &mut o,
            "newsdesk_store_change_seq",
            "Last change-log seq in the store.",
            g.store_seq.map(|v| v.to_string()),
        );
        gauge(
            &mut o,
            "newsdesk_search_applied_seq",
            "Last change-log seq applied to the search index.",
            g.index_seq.map(|v| v.to_string()),
        );
        let lag = match (g.store_seq, g.index_seq) {
            (Some(s), Some(i)) => Some((s - i).max(0).to_string()),
            _ => None,
        };
        gauge(
            &mut o,
            "newsdesk_search_lag_changes",
            "Change-log entries the search index is behind the store.",
            lag,
        );
        gauge(
            &mut o,
            "newsdesk_search_documents",
            "Documents in the search index.",
            g.index_docs.map(|v| v.to_string()),
        );
        gauge(
            &mut o,
            "newsdesk_article_cache_pages",
            "Rendered article pages held in memory.",
            Some(g.cached_pages.to_string()),
        );
        gauge(
            &mut o,
            "newsdesk_article_cache_bytes",
            "Bytes of rendered article pages held in memory.",
            Some(g.cached_bytes.to_string()),
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_histogram_render() {
        let m = Metrics::default();
        let news = Metrics::route_index(Some("/news/{id}"));
        m.record(news, 200, Duration::from_micros(300));
        m.record(news, 304, Duration::from_millis(3));
        m.record(Metrics::route_index(None), 404, Duration::from_secs(9));
        assert_eq!(Metrics::route_index(Some("/made/up")), ROUTES.len() - 1);
        let text = m.render(&Gauges {
            store_seq: Some(10),
            index_seq: Some(7),
            ..Gauges::default()
        });
        assert!(
            text.contains("newsdesk_http_requests_total{route=\"/news/{id}\",status=\"2xx\"} 1")
        );
        assert!(
            text.contains("newsdesk_http_requests_total{route=\"/news/{id}\",status=\"3xx\"} 1")
        );
        assert!(text.contains("newsdesk_http_requests_total{route=\"other\",status=\"4xx\"} 1"));
        assert!(text.contains(
            "newsdesk_http_request_duration_seconds_bucket{route=\"/news/{id}\",le=\"0.0005\"} 1"
        ));
        assert!(text.contains(
            "newsdesk_http_request_duration_seconds_bucket{route=\"/news/{id}\",le=\"0.005\"} 2"
        ));
        assert!(text.contains(
            "newsdesk_http_request_duration_seconds_bucket{route=\"other\",le=\"+Inf\"} 1"
        ));
        assert!(text.contains("newsdesk_search_lag_changes 3"));
    }
}
