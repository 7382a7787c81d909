//! Reading the response headers that tell a polite client when to come back.

use std::time::{Duration, SystemTime};

use reqwest::header::{CACHE_CONTROL, HeaderMap, RETRY_AFTER};

/// `Retry-After`: delay-seconds or an HTTP date (a date in the past means "now").
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long numbers saturate rather than being ignored.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How long the response may be reused, from `Cache-Control`: `max-age=N`, or zero for
/// `no-store`/`no-cache`. `None` when the header says nothing about freshness.
pub(crate) fn cache_max_age(headers: &HeaderMap) -> Option<Duration> {
    let mut age: Option<u64> = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let (name, arg) = match directive.split_once('=') {
                Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            let seconds =
                if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                    Some(0)
                } else if name.eq_ignore_ascii_case("max-age") {
                    arg.filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
                        .map(|a| a.parse().unwrap_or(u64::MAX))
                } else {
                    None
                };
            if let Some(s) = seconds {
                age = Some(age.map_or(s, |a| a.min(s)));
            }
        }
    }
    age.map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(name: reqwest::header::HeaderName, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let ra = |v: &str| retry_after(&headers(RETRY_AFTER, &[v]), now);
        assert_eq!(ra("120"), Some(Duration::from_secs(120)));
        assert_eq!(ra(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            ra("Sun, 06 Nov 1994 08:51:37 GMT"),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            ra("Sunday, 06-Nov-94 08:50:37 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(ra("Sun, 06 Nov 1994 08:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(ra("soon"), None);
        assert_eq!(ra("-5"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn cache_control_max_age() {
        let cc = |v: &[&str]| cache_max_age(&headers(CACHE_CONTROL, v));
        assert_eq!(cc(&["public, max-age=300"]), Some(Duration::from_secs(300)));
        assert_eq!(cc(&["Max-Age=\"60\""]), Some(Duration::from_secs(60)));
        assert_eq!(cc(&["max-age=300", "no-cache"]), Some(Duration::ZERO));
        assert_eq!(cc(&["no-store"]), Some(Duration::ZERO));
        assert_eq!(cc(&["public"]), None);
        assert_eq!(cc(&["max-age=abc"]), None);
        assert_eq!(cache_max_age(&HeaderMap::new()), None);
    }
}
