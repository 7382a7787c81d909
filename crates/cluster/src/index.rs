//! [`ClusterIndex`]: clustering in memory, the reference for what a database integration does
//! with band keys and [`ClusterConfig::decide`].

use crate::decide::{Candidate, ClusterConfig, Match, StoryId};
use crate::fingerprint::Fingerprint;
use jiff::Timestamp;
use std::collections::HashMap;

/// The outcome of [`ClusterIndex::assign`].
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The story the article now belongs to.
    pub story: StoryId,
    /// The stored article it matched and why; `None` when it started a new story.
    pub matched: Option<(u64, Match)>,
    /// Candidates fetched through shared band keys (before the time window and the decision).
    pub candidates: usize,
}

struct Entry {
    id: u64,
    published: Timestamp,
    story: StoryId,
    fingerprint: Fingerprint,
}

/// An in-memory story index: articles go in one at a time (ideally in publication order) and
/// each joins the story of its best-matching earlier article, or starts a new one.
///
/// The procedure is the one a database integration follows: look up the new fingerprint's
/// [`Fingerprint::band_keys`], keep candidates inside [`ClusterConfig::window`], call
/// [`ClusterConfig::decide`] on each, take the highest-scoring match.
pub struct ClusterIndex {
    config: ClusterConfig,
    entries: Vec<Entry>,
    by_id: HashMap<u64, usize>,
    postings: HashMap<u64, Vec<u32>>,
    members: HashMap<StoryId, Vec<u64>>,
    next_story: u64,
}

impl ClusterIndex {
    /// An empty index with the given settings.
    pub fn new(config: ClusterConfig) -> Self {
        ClusterIndex {
            config,
            entries: Vec::new(),
            by_id: HashMap::new(),
            postings: HashMap::new(),
            members: HashMap::new(),
            next_story: 1,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Number of articles assigned.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing has been assigned.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Assigns article `id` (published at `published`) to a story and stores it.
    ///
    /// Assigning an id again returns its existing story unchanged (idempotent, like a
    /// re-delivered job).
    pub fn assign(
        &mut self,
        id: u64,
        published: Timestamp,
        fingerprint: Fingerprint,
    ) -> Assignment {
        if let Some(&at) = self.by_id.get(&id) {
            return Assignment {
                story: self.entries[at].story,
                matched: None,
                candidates: 0,
            };
        }
        let keys = fingerprint.band_keys();
        let mut candidates: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.postings.get(k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();

        let mut best: Option<(u64, Match)> = None;
        for &at in &candidates {
            let entry = &self.entries[at as usize];
            let candidate = Candidate {
                fingerprint: &entry.fingerprint,
                published: entry.published,
                story: entry.story,
            };
            if let Some(m) = self.config.decide(&candidate, &fingerprint, published)
                && best.as_ref().is_none_or(|(_, b)| m.score > b.score)
            {
                best = Some((entry.id, m));
            }
        }
        let story = match &best {
            Some((_, m)) => m.story,
            None => {
                let s = StoryId(self.next_story);
                self.next_story += 1;
                s
            }
        };

        // Entries are addressed by u32 in the postings: 4 billion articles per index.
        let at = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        for k in keys {
            self.postings.entry(k).or_default().push(at);
        }
        self.by_id.insert(id, self.entries.len());
        self.members.entry(story).or_default().push(id);
        self.entries.push(Entry {
            id,
            published,
            story,
            fingerprint,
        });
        Assignment {
            story,
            matched: best,
            candidates: candidates.len(),
        }
    }

    /// The story of an assigned article.
    pub fn story_of(&self, id: u64) -> Option<StoryId> {
        self.by_id.get(&id).map(|&at| self.entries[at].story)
    }

    /// The articles of a story, in assignment order ("Also reported by …" lists the others).
    pub fn members(&self, story: StoryId) -> &[u64] {
        self.members.get(&story).map_or(&[], Vec::as_slice)
    }
}

impl Default for ClusterIndex {
    fn default() -> Self {
        ClusterIndex::new(ClusterConfig::default())
    }
}
