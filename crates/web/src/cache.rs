//! In-memory caches invalidated by the change-log poller.
//!
//! - [`PageCache`]: rendered article pages (`Bytes`) by article id, bounded by a page count and a
//!   byte budget, evicting the least recently used. An article is rendered at most once per
//!   change: the poller drops its entry when the change log names it.
//! - [`ListCache`]: list query results (data, not HTML: list pages show relative times, rendered
//!   per request), dropped whole on any change.
//!
//! Both use an *epoch* against a lost-update race: a request that read the store before a change
//! and stores its result after the poller invalidated would otherwise cache stale data until
//! the next change. Each invalidation bumps the epoch; a result is only stored if the epoch is
//! the one read before the store was queried.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

/// A rendered article page.
#[derive(Debug, Clone)]
pub struct CachedPage {
    /// The HTML.
    pub body: Bytes,
    /// The strong ETag, quoted (`"12-r3-…"`).
    pub etag: Arc<str>,
}

#[derive(Debug)]
struct Slot {
    page: CachedPage,
    last_used: AtomicU64,
    /// Symbols whose prices the page's chips show (instruments and their benchmarks).
    prices: Box<[String]>,
}

/// Rendered article pages by id (see the module docs).
#[derive(Debug)]
pub struct PageCache {
    map: RwLock<HashMap<i64, Slot>>,
    bytes: AtomicU64,
    clock: AtomicU64,
    epoch: AtomicU64,
    max_pages: usize,
    max_bytes: u64,
}

impl PageCache {
    /// A cache holding at most `max_pages` pages and about `max_bytes` bytes.
    pub fn new(max_pages: usize, max_bytes: u64) -> Self {
        PageCache {
            map: RwLock::new(HashMap::new()),
            bytes: AtomicU64::new(0),
            clock: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            max_pages: max_pages.max(1),
            max_bytes,
        }
    }

    /// The current epoch; pass it to [`PageCache::insert`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The cached page, marking it used.
    pub fn get(&self, id: i64) -> Option<CachedPage> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let slot = map.get(&id)?;
        slot.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Some(slot.page.clone())
    }

    /// Stores a page rendered from data read at `epoch`; skipped when an invalidation happened
    /// since (the page may be stale) or the page alone exceeds the byte budget.
    pub fn insert(&self, id: i64, page: CachedPage, epoch: u64) {
        self.insert_showing(id, page, epoch, Box::default());
    }

    /// [`PageCache::insert`] for a page whose chips show the prices of `prices`: a change to
    /// any of them drops it ([`PageCache::invalidate_prices`]).
    pub fn insert_showing(&self, id: i64, page: CachedPage, epoch: u64, prices: Box<[String]>) {
        let len = page.body.len() as u64;
        if len > self.max_bytes {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        if let Some(old) = map.insert(
            id,
            Slot {
                page,
                last_used: AtomicU64::new(tick),
                prices,
            },
        ) {
            self.bytes
                .fetch_sub(old.page.body.len() as u64, Ordering::Relaxed);
        }
        let total = self.bytes.fetch_add(len, Ordering::Relaxed) + len;
        if map.len() > self.max_pages || total > self.max_bytes {
            self.evict(&mut map);
        }
    }

    /// Drops the least recently used eighth of the pages (at least one), and more until both
    /// bounds hold. A scan per eviction round keeps reads lock-light (no LRU list to update).
    fn evict(&self, map: &mut HashMap<i64, Slot>) {
        let mut by_age: Vec<(u64, i64)> = map
            .iter()
            .map(|(id, s)| (s.last_used.load(Ordering::Relaxed), *id))
            .collect();
        by_age.sort_unstable();
        let mut drop_at_least = (map.len() / 8).max(1);
        for (_, id) in by_age {
            let over =
                map.len() > self.max_pages || self.bytes.load(Ordering::Relaxed) > self.max_bytes;
            if drop_at_least == 0 && !over {
                break;
            }
            if let Some(old) = map.remove(&id) {
                self.bytes
                    .fetch_sub(old.page.body.len() as u64, Ordering::Relaxed);
            }
            drop_at_least = drop_at_least.saturating_sub(1);
        }
    }

    /// Drops the pages of these articles.
    pub fn invalidate(&self, ids: &[i64]) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        for id in ids {
            if let Some(old) = map.remove(id) {
                self.bytes
                    .fetch_sub(old.page.body.len() as u64, Ordering::Relaxed);
            }
        }
    }

    /// Drops the pages showing prices of any of `symbols`; returns how many.
    pub fn invalidate_prices(&self, symbols: &std::collections::HashSet<String>) -> usize {
        if symbols.is_empty() {
            return 0;
        }
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let before = map.len();
        let mut freed = 0;
        map.retain(|_, slot| {
            let keep = !slot.prices.iter().any(|s| symbols.contains(s));
            if !keep {
                freed += slot.page.body.len() as u64;
            }
            keep
        });
        self.bytes.fetch_sub(freed, Ordering::Relaxed);
        before - map.len()
    }

    /// Drops every page.
    pub fn clear(&self) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        map.clear();
        self.bytes.store(0, Ordering::Relaxed);
    }

    /// Pages held and their total bytes.
    pub fn stats(&self) -> (u64, u64) {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        (map.len() as u64, self.bytes.load(Ordering::Relaxed))
    }
}

/// Recent query results, dropped whole on any change (see the module docs).
#[derive(Debug)]
pub struct ListCache<K, V> {
    map: Mutex<HashMap<K, Arc<V>>>,
    epoch: AtomicU64,
    max_entries: usize,
}

impl<K: Eq + Hash, V> ListCache<K, V> {
    /// A cache of at most `max_entries` results (cleared when full).
    pub fn new(max_entries: usize) -> Self {
        ListCache {
            map: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            max_entries: max_entries.max(1),
        }
    }

    /// The current epoch; pass it to [`ListCache::insert`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A cached result.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Stores a result computed from data read at `epoch` (skipped if a change came since).
    pub fn insert(&self, key: K, value: Arc<V>, epoch: u64) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if map.len() >= self.max_entries {
            map.clear();
        }
        map.insert(key, value);
    }

    /// Drops everything.
    pub fn clear(&self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> CachedPage {
        CachedPage {
            body: Bytes::from(vec![b'x'; n]),
            etag: Arc::from("\"e\""),
        }
    }

    #[test]
    fn evicts_least_recently_used_within_bounds() {
        let c = PageCache::new(4, 1_000);
        for id in 0..4 {
            c.insert(id, page(100), c.epoch());
        }
        assert!(c.get(0).is_some()); // 0 is now the most recently used
        c.insert(4, page(100), c.epoch());
        assert!(c.get(0).is_some());
        assert!(c.get(1).is_none(), "1 was least recently used");
        assert!(c.stats().0 <= 4);
        // byte budget
        c.insert(9, page(900), c.epoch());
        assert!(c.stats().1 <= 1_000, "{:?}", c.stats());
        assert!(c.get(9).is_some());
        // a page larger than the whole budget is not kept
        c.insert(10, page(2_000), c.epoch());
        assert!(c.get(10).is_none());
    }

    #[test]
    fn an_invalidation_between_read_and_insert_prevents_caching() {
        let c = PageCache::new(10, 10_000);
        let before = c.epoch();
        c.invalidate(&[1]);
        c.insert(1, page(10), before);
        assert!(c.get(1).is_none());
        c.insert(1, page(10), c.epoch());
        assert!(c.get(1).is_some());
        c.invalidate(&[1]);
        assert!(c.get(1).is_none());
        assert_eq!(c.stats(), (0, 0));

        let l: ListCache<u8, u8> = ListCache::new(2);
        let e = l.epoch();
        l.clear();
        l.insert(1, Arc::new(1), e);
        assert!(l.get(&1).is_none());
        l.insert(1, Arc::new(1), l.epoch());
        assert_eq!(l.get(&1).as_deref(), Some(&1));
    }
}
