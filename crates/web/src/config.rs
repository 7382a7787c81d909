//! [`WebConfig`]: every setting of the web site, each with a default.

use serde::{Deserialize, Serialize};

/// Settings of the web site. Every field has a default (`WebConfig::default()`), so a config
/// file only names what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebConfig {
    /// The site's name, shown in the header, page titles and feed titles. Default `newsdesk`.
    pub site_name: String,
    /// The site's public absolute URL (`https://news.example.com`), used for absolute links in
    /// feeds (item links, guids, self links). When unset, feeds build links from the request's
    /// `Host` header over plain `http`; set it behind a proxy so feed ids stay stable.
    pub base_url: Option<String>,
    /// Footer text shown on every page (the risk disclosure). The default says that market data
    /// is indicative and delayed, that nothing here is advice, and that sources and as-of times
    /// are shown with each story.
    pub risk_disclosure: String,
    /// Stories per list page and search results page (1–100). Default 30.
    pub page_size: u32,
    /// How often, in milliseconds, the site polls the store's change log: to bring the search
    /// index up to date (articles added by another process become searchable) and to drop cached
    /// pages of changed articles. Default 500.
    pub change_poll_ms: u64,
    /// An IANA zone (`Europe/London`) to show all times in. Default: unset, so each time is
    /// shown in the zone its source printed it in.
    pub display_zone: Option<String>,
    /// Credits and licence notices shown on the About page (`/about`), e.g. the attribution that
    /// openly licensed content requires. Plain text; blank lines separate paragraphs. Default:
    /// unset (`serve --demo` fills in the demo corpus's attribution).
    pub credits: Option<String>,
}

/// The default footer text; ours, kept short and plain.
pub const DEFAULT_RISK_DISCLOSURE: &str = "Market information on this site is indicative only: \
prices, quotes and figures may be delayed, incomplete or wrong, and are not suitable for trading \
decisions. Nothing here is investment, financial or trading advice. Every story links to its \
source and shows when it was published and updated; check the source and a live data provider \
before acting on anything you read here.";

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "newsdesk".to_string(),
            base_url: None,
            risk_disclosure: DEFAULT_RISK_DISCLOSURE.to_string(),
            page_size: 30,
            change_poll_ms: 500,
            display_zone: None,
            credits: None,
        }
    }
}

/// A problem with a [`WebConfig`] value, found when the application is built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `base_url` is not an absolute `http(s)` URL.
    #[error("base_url {0:?} is not an absolute http(s) URL")]
    BaseUrl(String),
    /// `display_zone` is not a known time zone.
    #[error("display_zone {0:?} is not a known time zone")]
    DisplayZone(String),
    /// `page_size` is outside 1–100.
    #[error("page_size {0} is outside 1-100")]
    PageSize(u32),
    /// `change_poll_ms` is 0.
    #[error("change_poll_ms must be at least 1")]
    PollInterval,
}

impl WebConfig {
    /// Checks the values that can be wrong.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(base) = &self.base_url {
            let lower = base.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            let ok = matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/'))
                && crate::escape::safe_url(base).is_some();
            if !ok {
                return Err(ConfigError::BaseUrl(base.clone()));
            }
        }
        if let Some(zone) = &self.display_zone
            && jiff::tz::TimeZone::get(zone).is_err()
        {
            return Err(ConfigError::DisplayZone(zone.clone()));
        }
        if !(1..=100).contains(&self.page_size) {
            return Err(ConfigError::PageSize(self.page_size));
        }
        if self.change_poll_ms == 0 {
            return Err(ConfigError::PollInterval);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_partial_files_fill_in() {
        assert_eq!(WebConfig::default().validate(), Ok(()));
        let c: WebConfig = serde_json::from_str(r#"{"site_name":"desk"}"#).unwrap();
        assert_eq!(c.site_name, "desk");
        assert_eq!(c.page_size, 30);
        assert_eq!(c.change_poll_ms, 500);
    }

    #[test]
    fn bad_values_are_rejected() {
        let bad = |f: fn(&mut WebConfig)| {
            let mut c = WebConfig::default();
            f(&mut c);
            c.validate().is_err()
        };
        assert!(bad(|c| c.base_url = Some("javascript:alert(1)".into())));
        assert!(bad(|c| c.base_url = Some("https://".into())));
        assert!(bad(|c| c.display_zone = Some("Mars/Olympus".into())));
        assert!(bad(|c| c.page_size = 0));
        assert!(bad(|c| c.change_poll_ms = 0));
        assert!(!bad(
            |c| c.base_url = Some("https://news.example.com".into())
        ));
    }
}
