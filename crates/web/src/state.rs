//! [`AppState`]: what every handler shares — configuration, the store and the index, the caches,
//! the metrics, and the page chrome (site name, stylesheet URL, footer).

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};

use jiff::tz::TimeZone;
use newsdesk_search::SearchIndex;
use newsdesk_store::{ArticleFilter, ArticlePage, Cursor, Id, Source, Store};

use crate::cache::{ListCache, PageCache};
use crate::config::{ConfigError, WebConfig};
use crate::error::AppError;
use crate::metrics::Metrics;

/// The stylesheet, served at `/static/site.css`.
pub const SITE_CSS: &str = include_str!("../static/site.css");

/// At most this many rendered article pages are cached…
const CACHE_PAGES: usize = 4_096;
/// …and at most this many bytes of them.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Distinct list queries kept between changes.
const LIST_ENTRIES: usize = 512;
/// Daily bars and quotes of instruments kept for chips and charts (~100 bytes each): 40 years
/// of daily bars for 100 instruments, or a year of them for 4,000.
const CACHE_BARS: usize = 1_000_000;

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Site name.
    pub site_name: String,
    /// Stylesheet URL with its content hash (`/static/site.css?v=…`).
    pub css_href: String,
    /// Footer text.
    pub risk_disclosure: String,
}

/// Key of a cached list query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    /// Source filter.
    pub source_id: Option<Id>,
    /// Instrument filter.
    pub instrument: Option<String>,
    /// Page start.
    pub cursor: Option<(i64, Id)>,
    /// Page size.
    pub limit: u32,
}

/// Sources by id and slug, reloaded from the store when a lookup misses.
#[derive(Debug, Default)]
pub struct Sources {
    by_id: HashMap<Id, Source>,
    by_slug: HashMap<String, Id>,
    /// All sources by slug.
    pub list: Vec<Source>,
}

impl Sources {
    fn new(list: Vec<Source>) -> Self {
        let by_id = list.iter().map(|s| (s.id, s.clone())).collect();
        let by_slug = list.iter().map(|s| (s.slug.clone(), s.id)).collect();
        Sources {
            by_id,
            by_slug,
            list,
        }
    }

    /// A source by id.
    pub fn get(&self, id: Id) -> Option<&Source> {
        self.by_id.get(&id)
    }

    /// A source by slug.
    pub fn by_slug(&self, slug: &str) -> Option<&Source> {
        self.by_slug.get(slug).and_then(|id| self.by_id.get(id))
    }
}

/// Shared state of the web application (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

/// The shared parts behind [`AppState`].
#[derive(Debug)]
pub struct Inner {
    /// Settings.
    pub config: WebConfig,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The search index.
    pub index: Arc<dyn SearchIndex>,
    /// Rendered article pages.
    pub pages: PageCache,
    /// Recent list queries.
    pub lists: ListCache<ListKey, ArticlePage>,
    /// Instruments' prices, for chips and charts.
    pub series: crate::market::SeriesCache,
    /// Sources.
    sources: RwLock<Arc<Sources>>,
    /// Counters.
    pub metrics: Metrics,
    /// Page chrome.
    pub chrome: Chrome,
    /// `display_zone`, parsed.
    pub display_zone: Option<TimeZone>,
    /// Changes with every build and every setting that affects rendering; part of ETags.
    pub render_version: String,
    /// Request id counter.
    pub request_ids: AtomicU64,
    /// The last price change-log `seq` whose pages were dropped from [`Inner::pages`].
    pub prices_seen: std::sync::atomic::AtomicI64,
    /// The story cursor (`Store::story_seq`) whose newly filed articles' pages were dropped.
    pub stories_seen: std::sync::atomic::AtomicI64,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// FNV-1a, 64 bit: content hashes for the stylesheet URL and ETags (not security relevant).
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl AppState {
    /// State for `config` over a store and an index. Fails on invalid settings.
    pub fn new(
        config: WebConfig,
        store: Arc<dyn Store>,
        index: Arc<dyn SearchIndex>,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let display_zone = match &config.display_zone {
            Some(z) => Some(TimeZone::get(z).map_err(|_| ConfigError::DisplayZone(z.clone()))?),
            None => None,
        };
        let css_hash = fnv64(&[SITE_CSS.as_bytes()]);
        let render_version = format!(
            "{:x}",
            fnv64(&[
                env!("CARGO_PKG_VERSION").as_bytes(),
                SITE_CSS.as_bytes(),
                config.site_name.as_bytes(),
                config.risk_disclosure.as_bytes(),
                config.display_zone.as_deref().unwrap_or("").as_bytes(),
            ])
        );
        let chrome = Chrome {
            site_name: config.site_name.clone(),
            css_href: format!("/static/site.css?v={:012x}", css_hash & 0xffff_ffff_ffff),
            risk_disclosure: config.risk_disclosure.clone(),
        };
        Ok(AppState(Arc::new(Inner {
            config,
            store,
            index,
            pages: PageCache::new(CACHE_PAGES, CACHE_BYTES),
            lists: ListCache::new(LIST_ENTRIES),
            series: crate::market::SeriesCache::new(CACHE_BARS),
            sources: RwLock::new(Arc::new(Sources::default())),
            metrics: Metrics::default(),
            chrome,
            display_zone,
            render_version: render_version.chars().take(8).collect(),
            request_ids: AtomicU64::new(0),
            prices_seen: std::sync::atomic::AtomicI64::new(0),
            stories_seen: std::sync::atomic::AtomicI64::new(0),
        })))
    }

    /// The cached sources (possibly empty before the first reload).
    pub fn sources(&self) -> Arc<Sources> {
        self.sources
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reloads the sources from the store.
    pub async fn reload_sources(&self) -> Result<Arc<Sources>, AppError> {
        let fresh = Arc::new(Sources::new(self.store.list_sources().await?));
        *self.sources.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
        Ok(fresh)
    }

    /// A source by id, reloading the list once on a miss (a source added by another process).
    pub async fn source(&self, id: Id) -> Result<Option<Source>, AppError> {
        if let Some(s) = self.sources().get(id) {
            return Ok(Some(s.clone()));
        }
        Ok(self.reload_sources().await?.get(id).cloned())
    }

    /// A source by slug, reloading the list once on a miss.
    pub async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>, AppError> {
        if let Some(s) = self.sources().by_slug(slug) {
            return Ok(Some(s.clone()));
        }
        Ok(self.reload_sources().await?.by_slug(slug).cloned())
    }

    /// A page of the listing, from the list cache when possible.
    pub async fn list(
        &self,
        filter: ArticleFilter,
        cursor: Option<Cursor>,
        limit: u32,
    ) -> Result<Arc<ArticlePage>, AppError> {
        let key = ListKey {
            source_id: filter.source_id,
            instrument: filter.instrument.clone(),
            cursor: cursor.map(|c| (c.sort_at.as_microsecond(), c.id)),
            limit,
        };
        let cacheable = filter.from.is_none() && filter.to.is_none();
        if cacheable && let Some(hit) = self.lists.get(&key) {
            return Ok(hit);
        }
        let epoch = self.lists.epoch();
        let page = Arc::new(self.store.list_articles(&filter, cursor, limit).await?);
        if cacheable {
            self.lists.insert(key, page.clone(), epoch);
        }
        Ok(page)
    }
}
