//! Comparing two fingerprints ([`compare`]) and deciding whether a new story joins a
//! candidate's story ([`ClusterConfig::decide`]).

use crate::fingerprint::{Fingerprint, SIGNATURE_LEN};
use jiff::{SignedDuration, Timestamp};

/// How alike two fingerprints are. Each measure is `None` when one side has nothing to
/// measure (no body, no headline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Estimated Jaccard similarity of the two bodies' shingle sets: the share of MinHash rows
    /// that agree (standard error about 0.04 at 0.5 with 128 rows).
    pub body_jaccard_estimate: Option<f32>,
    /// Estimated share of the *smaller* body's shingles that also occur in the larger one,
    /// derived from the Jaccard estimate and both set sizes: |A∩B| = J·(|A|+|B|)/(1+J).
    /// Near 1 for a trimmed copy or an update with paragraphs added.
    pub body_containment: Option<f32>,
    /// Jaccard similarity of the two headlines' token sets (exact, not estimated).
    pub title_similarity: Option<f32>,
    /// Share of the figures (tokens with a digit: amounts, percentages, dates) of the body
    /// with fewer figures that also occur in the other body. `None` unless both bodies have
    /// at least two figures and at most [`crate::MAX_NUMBERS`]. Copies of one story report
    /// the same figures; template items (dividends, earnings, money-market operations) differ
    /// in little else.
    pub figure_overlap: Option<f32>,
    /// True when both headlines carry figures and share none ("… FELL ON MARCH 27" against
    /// "… ROSE ON MARCH 30"): the mark of a recurring report's next edition.
    pub title_figures_differ: bool,
    /// Distinct shingles in the smaller body (0 when either body is empty): how much evidence
    /// the body measures rest on.
    pub smaller_body_shingles: u32,
}

/// Measures how alike two fingerprints are.
pub fn compare(a: &Fingerprint, b: &Fingerprint) -> Similarity {
    let (jaccard, containment, smaller) = match (a.signature(), b.signature()) {
        (Some(sa), Some(sb)) => {
            let agree = sa.iter().zip(sb.iter()).filter(|(x, y)| x == y).count();
            let j = agree as f32 / SIGNATURE_LEN as f32;
            let (na, nb) = (a.body_shingles() as f32, b.body_shingles() as f32);
            let smaller = na.min(nb);
            let intersection = j * (na + nb) / (1.0 + j);
            let c = if smaller > 0.0 {
                (intersection / smaller).min(1.0)
            } else {
                0.0
            };
            (Some(j), Some(c), a.body_shingles().min(b.body_shingles()))
        }
        _ => (None, None, 0),
    };
    Similarity {
        body_jaccard_estimate: jaccard,
        body_containment: containment,
        title_similarity: title_jaccard(a.title_tokens(), b.title_tokens()),
        figure_overlap: figure_overlap(a.numbers(), b.numbers()),
        title_figures_differ: !a.title_numbers().is_empty()
            && !b.title_numbers().is_empty()
            && intersection_len(a.title_numbers(), b.title_numbers()) == 0,
        smaller_body_shingles: smaller,
    }
}

fn intersection_len(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

fn figure_overlap(a: &[u32], b: &[u32]) -> Option<f32> {
    let smaller = a.len().min(b.len());
    if smaller < 2 {
        return None;
    }
    Some(intersection_len(a, b) as f32 / smaller as f32)
}

/// Jaccard similarity of two sorted, deduplicated token lists.
fn title_jaccard(a: &[u32], b: &[u32]) -> Option<f32> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let common = intersection_len(a, b);
    Some(common as f32 / (a.len() + b.len() - common) as f32)
}

/// A story identifier. The in-memory [`crate::ClusterIndex`] numbers stories from 1; a
/// database uses its own story ids and hands them back through [`Candidate::story`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoryId(pub u64);

/// A stored story member fetched as a candidate (typically through a shared band key).
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The stored article's fingerprint.
    pub fingerprint: &'a Fingerprint,
    /// When the stored article was published.
    pub published: Timestamp,
    /// The story the stored article belongs to.
    pub story: StoryId,
}

/// Which rule joined two articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchReason {
    /// Bodies are near-identical (wire copy, re-wrapped copy, new headline).
    NearDuplicate,
    /// Most of the smaller body is inside the larger one (trimmed copy, update with
    /// paragraphs added).
    Contained,
    /// Headlines agree and the bodies overlap substantially (rewrite).
    Rewrite,
    /// One side has little or no body; the headlines are (nearly) the same.
    Headline,
}

impl MatchReason {
    /// A stable lower-case name for logs and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchReason::NearDuplicate => "near_duplicate",
            MatchReason::Contained => "contained",
            MatchReason::Rewrite => "rewrite",
            MatchReason::Headline => "headline",
        }
    }
}

/// A positive decision: the new article belongs to `story`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The candidate's story.
    pub story: StoryId,
    /// The rule that fired.
    pub reason: MatchReason,
    /// Strength of the evidence in [0, 1.25], for choosing between several matching
    /// candidates (highest wins).
    pub score: f32,
    /// The measures the decision was made on.
    pub similarity: Similarity,
}

/// Clustering settings: the time window and the decision thresholds.
///
/// The defaults were chosen on the first half of the Reuters-21578 evaluation described in the
/// crate README (and checked on the second half).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    /// Articles further apart in publication time than this never join (default 3 days).
    pub window: SignedDuration,
    /// Body Jaccard at or above which two substantial bodies are the same story whatever their
    /// headlines say: a copy under a new headline (default 0.8).
    pub near_duplicate_any_title: f32,
    /// Body Jaccard at or above which two substantial bodies are the same story when the
    /// headlines share at least [`ClusterConfig::title_support`] (default 0.5).
    pub near_duplicate: f32,
    /// Containment at or above which the smaller body is a cut or an earlier version of the
    /// larger one, with [`ClusterConfig::title_support`] (default 0.8).
    pub containment: f32,
    /// Headline similarity the two rules above need. Two unrelated short items wrapped in the
    /// same site's furniture share most of their shingles; their headlines do not (default 0.3).
    pub title_support: f32,
    /// Headline similarity that, with [`ClusterConfig::rewrite_body`], marks a rewrite
    /// (default 0.5).
    pub rewrite_title: f32,
    /// Body Jaccard a rewrite must still share (default 0.2).
    pub rewrite_body: f32,
    /// Bodies with fewer distinct shingles than this are *short*: too little text for the
    /// body rules, so the headline must carry the match (default 20, about a sentence).
    pub short_body_shingles: u32,
    /// Headline similarity for the headline rule: one side has no body, or the headlines
    /// agree and the smaller body is mostly inside the other (default 0.8).
    pub headline: f32,
    /// Containment the headline rule needs when both sides have a body (default 0.5).
    pub headline_containment: f32,
    /// Below this [`Similarity::figure_overlap`] the two bodies report different figures and
    /// no rule matches (default 0.5).
    pub min_figure_overlap: f32,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            window: SignedDuration::from_hours(72),
            near_duplicate_any_title: 0.8,
            near_duplicate: 0.5,
            containment: 0.8,
            title_support: 0.3,
            rewrite_title: 0.5,
            rewrite_body: 0.2,
            short_body_shingles: 20,
            headline: 0.8,
            headline_containment: 0.5,
            min_figure_overlap: 0.5,
        }
    }
}

impl ClusterConfig {
    /// Decides whether a new article (`new`, published at `new_published`) belongs to the
    /// candidate's story. Pure: a database calls this for each candidate row it fetched by
    /// band key, and keeps the match with the highest [`Match::score`].
    pub fn decide(
        &self,
        candidate: &Candidate<'_>,
        new: &Fingerprint,
        new_published: Timestamp,
    ) -> Option<Match> {
        let gap = new_published.duration_since(candidate.published).abs();
        if gap > self.window {
            return None;
        }
        let similarity = compare(candidate.fingerprint, new);
        self.judge(&similarity).map(|(reason, score)| Match {
            story: candidate.story,
            reason,
            score,
            similarity,
        })
    }

    /// The decision rules on measured similarity, without the time window.
    pub fn judge(&self, s: &Similarity) -> Option<(MatchReason, f32)> {
        let title = s.title_similarity.unwrap_or(0.0);
        if s.title_figures_differ
            && s.body_jaccard_estimate
                .is_none_or(|j| j < self.near_duplicate_any_title)
        {
            return None;
        }
        let (Some(jaccard), Some(containment)) = (s.body_jaccard_estimate, s.body_containment)
        else {
            // At least one side is headline-only.
            return (title >= self.headline).then_some((MatchReason::Headline, 0.5 * title));
        };
        if s.figure_overlap
            .is_some_and(|f| f < self.min_figure_overlap)
        {
            return None;
        }
        let score = jaccard.max(containment) + 0.25 * title;
        if s.smaller_body_shingles >= self.short_body_shingles {
            if jaccard >= self.near_duplicate_any_title
                || (jaccard >= self.near_duplicate && title >= self.title_support)
            {
                return Some((MatchReason::NearDuplicate, score));
            }
            if containment >= self.containment && title >= self.title_support {
                return Some((MatchReason::Contained, score));
            }
            if title >= self.rewrite_title && jaccard >= self.rewrite_body {
                return Some((MatchReason::Rewrite, score));
            }
        }
        (title >= self.headline && containment >= self.headline_containment)
            .then_some((MatchReason::Headline, score))
    }
}

/// [`ClusterConfig::decide`] with the default configuration.
pub fn decide(
    candidate: &Candidate<'_>,
    new: &Fingerprint,
    new_published: Timestamp,
) -> Option<Match> {
    ClusterConfig::default().decide(candidate, new, new_published)
}
