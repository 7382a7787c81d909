//! Keeping a [`SearchIndex`] in step with the store: replay the store's change log from the
//! index's applied `seq`.
//!
//! Applying a change means "re-read the article; index it if live, drop it if gone", so replaying
//! an entry twice is harmless and a crash anywhere (between store commit and index commit, or
//! halfway through a catch-up) loses nothing: the next [`catch_up`] starts from the last `seq`
//! the index committed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use newsdesk_store::{Id, Source, Store, StoredArticle};

use crate::{IndexDoc, Result, SearchIndex};

/// How many change-log entries one [`SearchIndex::apply`] commit covers at most.
pub const DEFAULT_BATCH: u32 = 500;

/// What a catch-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Documents added or replaced.
    pub indexed: u64,
    /// Documents removed.
    pub deleted: u64,
    /// The applied `seq` afterwards.
    pub seq: i64,
}

/// The index document for a stored article of `source`.
pub fn doc_from(stored: &StoredArticle, source: &Source) -> IndexDoc {
    let s = &stored.summary;
    IndexDoc {
        id: s.id,
        title: s.title.clone().unwrap_or_default(),
        body: stored.article.body_text(),
        source: source.slug.clone(),
        source_name: source.name.clone(),
        instruments: s.instruments.iter().map(|l| l.symbol.clone()).collect(),
        sort_at: s.sort_at,
    }
}

/// Applies every change-log entry after the index's applied `seq`, in commits of at most `batch`
/// entries, until the index has caught up with the log as it was when the call started.
pub async fn catch_up(store: &dyn Store, index: &dyn SearchIndex, batch: u32) -> Result<CatchUp> {
    let batch = batch.clamp(1, 10_000);
    let mut done = CatchUp {
        seq: index.applied_seq().await?,
        ..CatchUp::default()
    };
    let target = store.last_change_seq().await?;
    let mut sources: HashMap<Id, Source> = HashMap::new();
    while done.seq < target {
        let changes = store.changes_since(done.seq, batch).await?;
        let Some(last) = changes.last() else { break };
        let last_seq = last.seq;
        let mut ids: Vec<Id> = changes.iter().map(|c| c.article_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let stored = store.get_articles(&ids).await?;
        let mut docs = Vec::with_capacity(stored.len());
        let mut deletes = Vec::new();
        // An id with no live article is deleted from the index.
        let live: std::collections::HashSet<Id> = stored.iter().map(|s| s.summary.id).collect();
        deletes.extend(ids.iter().copied().filter(|id| !live.contains(id)));
        for stored in &stored {
            let sid = stored.summary.source_id;
            if let Entry::Vacant(slot) = sources.entry(sid) {
                match store.get_source(sid).await? {
                    Some(src) => {
                        slot.insert(src);
                    }
                    None => {
                        deletes.push(stored.summary.id);
                        continue;
                    }
                }
            }
            if let Some(src) = sources.get(&sid) {
                docs.push(doc_from(stored, src));
            }
        }
        index.apply(&docs, &deletes, last_seq).await?;
        done.indexed += docs.len() as u64;
        done.deleted += deletes.len() as u64;
        done.seq = last_seq;
    }
    Ok(done)
}

/// Rebuilds the index from the store: clears it, then replays the whole change log.
pub async fn reindex(store: &dyn Store, index: &dyn SearchIndex, batch: u32) -> Result<CatchUp> {
    index.clear().await?;
    catch_up(store, index, batch).await
}
