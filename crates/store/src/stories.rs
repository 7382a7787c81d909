//! Story clustering as derived state: replays the change log, fingerprints each new or revised
//! article ([`newsdesk_cluster`]) and files it under the story of the best-matching earlier
//! article published within the time window, or under a new story of its own.
//!
//! Like the search index, assignments trail the store and are caught up by whoever runs
//! [`catch_up`] (`newsdesk add` after its batches, `serve`'s change poller, workers). The cursor
//! moves in the same transaction as the assignments it covers, and only from the value the
//! batch was computed from, so two processes catching up at once never file one article twice:
//! the loser's batch is discarded and recomputed from the new cursor.
//!
//! Candidates come from the band keys ([`newsdesk_cluster::Fingerprint::band_keys`]) the store
//! indexes with each article's publication time; articles of the same batch are candidates for
//! each other in change-log order. An article that already has a story keeps it (story ids are
//! the founding article's id and stay stable); a revision only refreshes its fingerprint.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use newsdesk_cluster::{Candidate, ClusterConfig, Fingerprint, StoryId};

use crate::error::{Result, StoreError};
use crate::model::{ChangeKind, Id, StoryAssignment};
use crate::store::Store;

/// Earlier articles per band key an article is compared with (the latest ones), here and in
/// [`Store::story_candidates`]: boilerplate shared by many items of one site makes keys that
/// thousands of articles share.
pub const KEY_FANOUT: usize = 32;

/// Change-log entries per assignment batch.
pub const DEFAULT_BATCH: u32 = 500;

/// What a catch-up did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryCatchUp {
    /// Articles fingerprinted and filed.
    pub assigned: u64,
    /// Of those, articles that joined an existing story.
    pub joined: u64,
    /// The story cursor afterwards.
    pub seq: i64,
}

/// One filed article of the batch being computed.
struct Filed {
    id: Id,
    story: Id,
    published: Timestamp,
    fingerprint: Fingerprint,
}

/// [`catch_up`] with the default clustering configuration and batch size: what `add`, `serve`
/// and workers run.
pub async fn catch_up_default(store: &dyn Store) -> Result<StoryCatchUp> {
    catch_up(store, &ClusterConfig::default(), DEFAULT_BATCH).await
}

/// Applies every change after the story cursor, in batches of at most `batch` entries, until
/// the cursor reaches the change log as it was when the call started.
pub async fn catch_up(
    store: &dyn Store,
    config: &ClusterConfig,
    batch: u32,
) -> Result<StoryCatchUp> {
    let batch = batch.clamp(1, 10_000);
    let target = store.last_change_seq().await?;
    let mut done = StoryCatchUp::default();
    let mut contended = 0;
    loop {
        let from = store.story_seq().await?;
        done.seq = from;
        if from >= target {
            return Ok(done);
        }
        let changes = store.changes_since(from, batch).await?;
        let Some(last) = changes.last() else {
            return Ok(done);
        };
        let to = last.seq;
        let mut ids: Vec<Id> = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Upserted)
            .map(|c| c.article_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let (assignments, joined) = assign(store, config, &ids).await?;
        match store.save_stories(&assignments, from, to).await {
            Ok(()) => {
                done.assigned += assignments.len() as u64;
                done.joined += joined;
                done.seq = to;
            }
            // Another process applied this range first: start again from its cursor.
            Err(StoreError::Contended(_)) if contended < 100 => contended += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Computes the assignments of the live articles among `ids` (in id order, which is the order
/// they were first stored in).
async fn assign(
    store: &dyn Store,
    config: &ClusterConfig,
    ids: &[Id],
) -> Result<(Vec<StoryAssignment>, u64)> {
    let stored = store.get_articles(ids).await?;
    if stored.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let prints: Vec<(Id, Timestamp, Fingerprint, Vec<i64>)> = stored
        .iter()
        .map(|s| {
            let fp = Fingerprint::of(
                s.summary.title.as_deref().unwrap_or_default(),
                &s.article.body_text(),
            );
            let mut keys: Vec<i64> = fp.band_keys().into_iter().map(key_i64).collect();
            // Keys are a set: (key, published, article) is the table's primary key.
            keys.sort_unstable();
            keys.dedup();
            (s.summary.id, s.summary.sort_at, fp, keys)
        })
        .collect();
    let all_keys: Vec<i64> = prints.iter().flat_map(|p| p.3.iter().copied()).collect();
    let earliest = prints.iter().map(|p| p.1).min().unwrap_or_default();
    let latest = prints.iter().map(|p| p.1).max().unwrap_or_default();
    let from = earliest
        .saturating_sub(config.window)
        .unwrap_or(Timestamp::MIN);
    let to = latest
        .saturating_add(config.window)
        .unwrap_or(Timestamp::MAX);
    let rows = store.story_candidates(&all_keys, from, to).await?;

    // Stored candidates, by key.
    let mut existing_story: HashMap<Id, Id> = HashMap::new();
    let mut stored_filed: Vec<Filed> = Vec::with_capacity(rows.len());
    for row in rows {
        existing_story.insert(row.article_id, row.story_id);
        // A record written by an incompatible fingerprint version is simply not a candidate;
        // the article itself is re-filed when it next changes.
        if let Ok(fingerprint) = Fingerprint::from_bytes(&row.fingerprint) {
            stored_filed.push(Filed {
                id: row.article_id,
                story: row.story_id,
                published: row.published,
                fingerprint,
            });
        }
    }
    let mut by_key: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, f) in stored_filed.iter().enumerate() {
        for key in f.fingerprint.band_keys() {
            by_key.entry(key_i64(key)).or_default().push(i);
        }
    }

    let mut filed = stored_filed;
    let mut assignments = Vec::with_capacity(prints.len());
    let mut joined = 0;
    for (id, published, fingerprint, keys) in prints {
        let mut reason = None;
        let story = match existing_story.get(&id) {
            // Already filed (a revision): keeps its story.
            Some(story) => *story,
            None => {
                let mut best: Option<(f32, Id, &'static str)> = None;
                let mut tried = HashSet::new();
                for key in &keys {
                    // The latest sharers of each key only, as in `Store::story_candidates`.
                    let sharers = by_key.get(key).map(Vec::as_slice).unwrap_or_default();
                    for &i in sharers.iter().rev().take(KEY_FANOUT) {
                        let other = &filed[i];
                        // Never against itself, nor against later articles of this batch.
                        if other.id == id || !tried.insert(i) {
                            continue;
                        }
                        let candidate = Candidate {
                            fingerprint: &other.fingerprint,
                            published: other.published,
                            story: StoryId(other.story.unsigned_abs()),
                        };
                        if let Some(m) = config.decide(&candidate, &fingerprint, published)
                            && best.is_none_or(|(score, _, _)| m.score > score)
                        {
                            best = Some((m.score, other.story, m.reason.as_str()));
                        }
                    }
                }
                match best {
                    Some((_, story, why)) => {
                        joined += 1;
                        reason = Some(why.to_string());
                        story
                    }
                    None => id,
                }
            }
        };
        assignments.push(StoryAssignment {
            article_id: id,
            story_id: story,
            published,
            fingerprint: fingerprint.to_bytes(),
            keys: keys.clone(),
            reason,
        });
        let index = filed.len();
        filed.push(Filed {
            id,
            story,
            published,
            fingerprint,
        });
        for key in keys {
            by_key.entry(key).or_default().push(index);
        }
    }
    Ok((assignments, joined))
}

/// A band key as the database's signed 64-bit integer (same bits).
fn key_i64(key: u64) -> i64 {
    i64::from_ne_bytes(key.to_ne_bytes())
}
