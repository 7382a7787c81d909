//! In-memory caches invalidated by the change-log poller.
//!
//! - [`PageCache`]: rendered article pages (`Bytes`) by article id, bounded by a page count and a
//!   byte budget, evicting the least recently used. An article is rendered at most once per
//!   change: the poller drops its entry when the change log names it.
//! - [`Lru`]: the mechanism under [`PageCache`] and the price-series cache
//!   (`crate::market::SeriesCache`): weighted entries, least recently used evicted first.
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

/// Entries with a weight, evicted least recently used first, under the epoch rule of the module
/// docs: the mechanism of [`PageCache`] and of the web node's price-series cache.
#[derive(Debug)]
pub struct Lru<K, V> {
    map: RwLock<HashMap<K, LruSlot<V>>>,
    /// Total weight held; changed under the map's write lock.
    weight: AtomicU64,
    clock: AtomicU64,
    epoch: AtomicU64,
    max_entries: usize,
    max_weight: u64,
    /// An eviction drops at least one in this many entries (0: no minimum)…
    evict_share: usize,
    /// …and more until the weight is at most this (and the entries at most `max_entries`).
    evict_to_weight: u64,
}

#[derive(Debug)]
struct LruSlot<V> {
    value: V,
    weight: u64,
    last_used: AtomicU64,
}

impl<K: Eq + Hash + Clone, V: Clone> Lru<K, V> {
    /// At most `max_entries` entries and `max_weight` weight. When either is exceeded, the least
    /// recently used entries go: at least one in `evict_share` (0: none beyond the excess), and
    /// more until both bounds hold and the weight is at most `evict_to_weight`.
    pub fn new(
        max_entries: usize,
        max_weight: u64,
        evict_share: usize,
        evict_to_weight: u64,
    ) -> Self {
        Lru {
            map: RwLock::new(HashMap::new()),
            weight: AtomicU64::new(0),
            clock: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            max_entries: max_entries.max(1),
            max_weight,
            evict_share,
            evict_to_weight: evict_to_weight.min(max_weight),
        }
    }

    /// The current epoch; read it before reading the store, pass it to [`Lru::insert`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The entry for `key`, marking it used.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let slot = map.get(key)?;
        slot.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Some(slot.value.clone())
    }

    /// Keeps `value`, computed from data read at `epoch`; skipped when an invalidation happened
    /// since (it may be stale) or its weight alone exceeds the budget.
    pub fn insert(&self, key: K, value: V, weight: u64, epoch: u64) {
        if weight > self.max_weight {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let slot = LruSlot {
            value,
            weight,
            last_used: AtomicU64::new(tick),
        };
        if let Some(old) = map.insert(key, slot) {
            self.weight.fetch_sub(old.weight, Ordering::Relaxed);
        }
        let total = self.weight.fetch_add(weight, Ordering::Relaxed) + weight;
        if map.len() > self.max_entries || total > self.max_weight {
            self.evict(&mut map);
        }
    }

    /// Drops the least recently used entries as [`Lru::new`] says. A scan per eviction keeps
    /// reads lock-light (no LRU list to update).
    fn evict(&self, map: &mut HashMap<K, LruSlot<V>>) {
        let mut by_age: Vec<(u64, K)> = map
            .iter()
            .map(|(k, s)| (s.last_used.load(Ordering::Relaxed), k.clone()))
            .collect();
        by_age.sort_unstable_by_key(|(age, _)| *age);
        let mut drop_at_least = match self.evict_share {
            0 => 0,
            n => (map.len() / n).max(1),
        };
        for (_, key) in by_age {
            let over = map.len() > self.max_entries
                || self.weight.load(Ordering::Relaxed) > self.evict_to_weight;
            if drop_at_least == 0 && !over {
                break;
            }
            if let Some(old) = map.remove(&key) {
                self.weight.fetch_sub(old.weight, Ordering::Relaxed);
            }
            drop_at_least = drop_at_least.saturating_sub(1);
        }
    }

    /// Drops the entries `drop` says, starting a new epoch; returns how many.
    pub fn remove_where(&self, mut drop: impl FnMut(&K, &V) -> bool) -> usize {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let before = map.len();
        let mut freed = 0;
        map.retain(|k, slot| {
            let keep = !drop(k, &slot.value);
            if !keep {
                freed += slot.weight;
            }
            keep
        });
        self.weight.fetch_sub(freed, Ordering::Relaxed);
        before - map.len()
    }

    /// Drops the entries of `keys`, starting a new epoch; returns how many were held.
    pub fn remove<'a, Q>(&self, keys: impl IntoIterator<Item = &'a Q>) -> usize
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized + 'a,
    {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let mut dropped = 0;
        for key in keys {
            if let Some(old) = map.remove(key) {
                self.weight.fetch_sub(old.weight, Ordering::Relaxed);
                dropped += 1;
            }
        }
        dropped
    }

    /// Drops everything, starting a new epoch.
    pub fn clear(&self) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        map.clear();
        self.weight.store(0, Ordering::Relaxed);
    }

    /// Entries held and their total weight.
    pub fn stats(&self) -> (u64, u64) {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        (map.len() as u64, self.weight.load(Ordering::Relaxed))
    }
}

/// A cached page and the symbols whose prices its chips show.
type PageSlot = (CachedPage, Arc<[String]>);

/// Rendered article pages by id (see the module docs): the page count and byte budget bound an
/// [`Lru`] weighted by page size; an eviction drops at least an eighth of the pages.
#[derive(Debug)]
pub struct PageCache(Lru<i64, PageSlot>);

impl PageCache {
    /// A cache holding at most `max_pages` pages and about `max_bytes` bytes.
    pub fn new(max_pages: usize, max_bytes: u64) -> Self {
        PageCache(Lru::new(max_pages, max_bytes, 8, max_bytes))
    }

    /// The current epoch; pass it to [`PageCache::insert`].
    pub fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    /// The cached page, marking it used.
    pub fn get(&self, id: i64) -> Option<CachedPage> {
        self.0.get(&id).map(|(page, _)| page)
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
        self.0.insert(id, (page, Arc::from(prices)), len, epoch);
    }

    /// Drops the pages of these articles.
    pub fn invalidate(&self, ids: &[i64]) {
        self.0.remove(ids);
    }

    /// Drops the pages showing prices of any of `symbols`; returns how many.
    pub fn invalidate_prices(&self, symbols: &std::collections::HashSet<String>) -> usize {
        if symbols.is_empty() {
            return 0;
        }
        self.0
            .remove_where(|_, (_, prices)| prices.iter().any(|s| symbols.contains(s)))
    }

    /// Drops every page.
    pub fn clear(&self) {
        self.0.clear();
    }

    /// Pages held and their total bytes.
    pub fn stats(&self) -> (u64, u64) {
        self.0.stats()
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
