//! [`Fingerprint`]: what clustering keeps of a story — a MinHash signature of its body's word
//! shingles, the number of distinct shingles, and its headline's token set.

use crate::hash::{FNV_OFFSET, combine, fnv_bytes, mix64, permutation_constants};
use crate::normalize::{for_each_token, is_title_stopword, strip_site_suffix, strip_wire_prefixes};
use thiserror::Error;

/// Number of MinHash values in a body signature.
pub const SIGNATURE_LEN: usize = 128;
/// Words per body shingle.
pub const SHINGLE_WORDS: usize = 4;
/// Signature rows per LSH band: 42 bands of 3 rows cover 126 of the 128 values.
pub const BAND_ROWS: usize = 3;
/// Number of LSH bands over the body signature.
pub const BANDS: usize = SIGNATURE_LEN / BAND_ROWS;
/// Headline tokens kept (after stopwords); longer headlines keep their first ones.
pub const MAX_TITLE_TOKENS: usize = 32;
/// Distinct figures kept per body; bodies with more are not compared on figures.
pub const MAX_NUMBERS: usize = 48;
/// Version byte written by [`Fingerprint::to_bytes`]. Fingerprints and band keys of different
/// versions must not be compared: re-fingerprint stored stories when it changes.
pub const FORMAT_VERSION: u8 = 2;

const PERMUTATION_SEED: u64 = 0x6e65_7773_6465_736b; // "newsdesk"
const PERMUTATIONS: ([u64; SIGNATURE_LEN], [u64; SIGNATURE_LEN]) =
    permutation_constants::<SIGNATURE_LEN>(PERMUTATION_SEED);
/// Tags mixed into band keys so that body bands and title keys live in separate key spaces.
const BODY_BAND_TAG: u64 = 0x0100;
const TITLE_KEY_TAG: u64 = 0x0200;

/// A story's clustering fingerprint: compact, comparable, persistable.
///
/// Built with [`Fingerprint::of`]; stored with [`Fingerprint::to_bytes`] (about 0.6 KiB);
/// candidates are found through [`Fingerprint::band_keys`] and judged with
/// [`crate::compare`] / [`crate::decide`].
#[derive(Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// MinHash of the body's distinct shingles; `None` when the body has no tokens.
    signature: Option<Box<[u32; SIGNATURE_LEN]>>,
    /// Distinct body shingles (the set size the signature summarises).
    body_shingles: u32,
    /// Hashes of the headline's distinct tokens, sorted.
    title_tokens: Vec<u32>,
    /// Hashes of the headline's figures (a subset of `title_tokens`), sorted.
    title_numbers: Vec<u32>,
    /// Hashes of the body's distinct figures (tokens with a digit), sorted; empty when the body
    /// has more than [`MAX_NUMBERS`] of them (the set would be a sample, not the set).
    numbers: Vec<u32>,
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fingerprint")
            .field("body_shingles", &self.body_shingles)
            .field("title_tokens", &self.title_tokens.len())
            .finish_non_exhaustive()
    }
}

/// Why bytes could not be read back as a [`Fingerprint`].
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FingerprintError {
    /// The bytes were written by another format version (or are not a fingerprint at all).
    #[error("fingerprint format version {found}, this build reads version {FORMAT_VERSION}")]
    Version {
        /// The version byte found.
        found: u8,
    },
    /// The length does not match what the header announces.
    #[error("fingerprint is {found} bytes, its header announces {expected}")]
    Length {
        /// Bytes expected from the header.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// A header field is out of range.
    #[error("malformed fingerprint: {0}")]
    Malformed(&'static str),
}

impl Fingerprint {
    /// Fingerprints a story from its headline and plain-text body.
    ///
    /// Either may be empty: a headline-only item has no body signature and is matched on its
    /// headline alone (under a stricter threshold, see [`crate::ClusterConfig`]).
    pub fn of(title: &str, body: &str) -> Fingerprint {
        let (shingles, numbers) = shingle_hashes(body);
        let (title_tokens, title_numbers) = title_tokens(title);
        Fingerprint {
            numbers,
            title_numbers,
            signature: min_hash(&shingles),
            // A body of more than 4 billion distinct shingles is not a news story.
            body_shingles: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
            title_tokens,
        }
    }

    /// True when the body had at least one token.
    pub fn has_body(&self) -> bool {
        self.signature.is_some()
    }

    /// Number of distinct word shingles in the body (0 for an empty body).
    pub fn body_shingles(&self) -> u32 {
        self.body_shingles
    }

    /// Number of distinct headline tokens kept (stopwords and wire prefixes removed).
    pub fn title_len(&self) -> usize {
        self.title_tokens.len()
    }

    pub(crate) fn signature(&self) -> Option<&[u32; SIGNATURE_LEN]> {
        self.signature.as_deref()
    }

    pub(crate) fn title_tokens(&self) -> &[u32] {
        &self.title_tokens
    }

    pub(crate) fn numbers(&self) -> &[u32] {
        &self.numbers
    }

    pub(crate) fn title_numbers(&self) -> &[u32] {
        &self.title_numbers
    }

    /// Locality-sensitive keys: two stories that share any key are clustering candidates.
    ///
    /// One key per LSH band of the body signature ([`BANDS`] bands of [`BAND_ROWS`] rows:
    /// a pair with body Jaccard 0.5 shares a band with probability 0.996, 0.3 → 0.68,
    /// 0.1 → 0.04) plus one key for the exact headline token set, so that headline-only items
    /// and short items find the full story. A database stores these in an indexed
    /// `(key, story_row)` table and fetches candidates with `key IN (...)`. Keys are stable for
    /// a given [`FORMAT_VERSION`].
    pub fn band_keys(&self) -> Vec<u64> {
        let mut keys = Vec::with_capacity(BANDS + 1);
        if let Some(sig) = &self.signature {
            for (band, rows) in sig.chunks_exact(BAND_ROWS).enumerate() {
                let mut h = combine(BODY_BAND_TAG, band as u64);
                for &v in rows {
                    h = combine(h, u64::from(v));
                }
                keys.push(h);
            }
        }
        if !self.title_tokens.is_empty() {
            let mut h = TITLE_KEY_TAG;
            for &t in &self.title_tokens {
                h = combine(h, u64::from(t));
            }
            keys.push(h);
        }
        keys
    }

    /// Serialises the fingerprint: version byte, flags, shingle count, headline tokens, which
    /// headline tokens are figures, the body's figures, the signature (omitted for an empty
    /// body). 512 bytes of signature plus 4 per headline token and figure: about 0.6 KiB.
    pub fn to_bytes(&self) -> Vec<u8> {
        let sig_len = if self.signature.is_some() {
            SIGNATURE_LEN * 4
        } else {
            0
        };
        let mut out = Vec::with_capacity(HEADER_LEN + self.title_tokens.len() * 4 + sig_len);
        out.push(FORMAT_VERSION);
        out.push(u8::from(self.signature.is_some()));
        out.extend_from_slice(&self.body_shingles.to_le_bytes());
        // `title_tokens` never holds more than MAX_TITLE_TOKENS (32) entries.
        out.push(self.title_tokens.len().min(MAX_TITLE_TOKENS) as u8);
        for t in self.title_tokens.iter().take(MAX_TITLE_TOKENS) {
            out.extend_from_slice(&t.to_le_bytes());
        }
        // Which headline tokens are figures: one bit per token (MAX_TITLE_TOKENS = 32).
        let mut mask = 0u32;
        for (i, t) in self.title_tokens.iter().take(MAX_TITLE_TOKENS).enumerate() {
            if self.title_numbers.binary_search(t).is_ok() {
                mask |= 1 << i;
            }
        }
        out.extend_from_slice(&mask.to_le_bytes());
        // `numbers` never holds more than MAX_NUMBERS (48) entries.
        out.push(self.numbers.len().min(MAX_NUMBERS) as u8);
        for n in self.numbers.iter().take(MAX_NUMBERS) {
            out.extend_from_slice(&n.to_le_bytes());
        }
        if let Some(sig) = &self.signature {
            for v in sig.iter() {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Reads bytes written by [`Fingerprint::to_bytes`] of the same [`FORMAT_VERSION`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Fingerprint, FingerprintError> {
        let Some(&version) = bytes.first() else {
            return Err(FingerprintError::Length {
                expected: HEADER_LEN,
                found: 0,
            });
        };
        if version != FORMAT_VERSION {
            return Err(FingerprintError::Version { found: version });
        }
        if bytes.len() < HEADER_LEN {
            return Err(FingerprintError::Length {
                expected: HEADER_LEN,
                found: bytes.len(),
            });
        }
        let has_body = match bytes[1] {
            0 => false,
            1 => true,
            _ => return Err(FingerprintError::Malformed("unknown flags")),
        };
        let body_shingles = u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
        let n_title = usize::from(bytes[6]);
        if n_title > MAX_TITLE_TOKENS {
            return Err(FingerprintError::Malformed("too many headline tokens"));
        }
        let mask_at = HEADER_LEN + n_title * 4;
        let numbers_at = mask_at + 4;
        let Some(&n_numbers) = bytes.get(numbers_at) else {
            return Err(FingerprintError::Length {
                expected: numbers_at + 1,
                found: bytes.len(),
            });
        };
        let n_numbers = usize::from(n_numbers);
        if n_numbers > MAX_NUMBERS {
            return Err(FingerprintError::Malformed("too many figures"));
        }
        let sig_at = numbers_at + 1 + n_numbers * 4;
        let expected = sig_at + if has_body { SIGNATURE_LEN * 4 } else { 0 };
        if bytes.len() != expected {
            return Err(FingerprintError::Length {
                expected,
                found: bytes.len(),
            });
        }
        if has_body == (body_shingles == 0) {
            return Err(FingerprintError::Malformed(
                "shingle count disagrees with flags",
            ));
        }
        let words = |from: usize, to: usize| -> Vec<u32> {
            bytes[from..to]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let title_tokens = words(HEADER_LEN, mask_at);
        let mask = words(mask_at, numbers_at).first().copied().unwrap_or(0);
        if n_title < 32 && mask >> n_title != 0 {
            return Err(FingerprintError::Malformed(
                "figure mask beyond the headline",
            ));
        }
        let title_numbers: Vec<u32> = title_tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, &t)| t)
            .collect();
        let numbers = words(numbers_at + 1, sig_at);
        if title_tokens.windows(2).any(|w| w[0] >= w[1]) || numbers.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(FingerprintError::Malformed("token hashes not sorted"));
        }
        let signature = if has_body {
            let mut sig = Box::new([0u32; SIGNATURE_LEN]);
            for (slot, v) in sig.iter_mut().zip(words(sig_at, bytes.len())) {
                *slot = v;
            }
            Some(sig)
        } else {
            None
        };
        Ok(Fingerprint {
            signature,
            body_shingles,
            title_tokens,
            title_numbers,
            numbers,
        })
    }
}

/// Version, flags, shingle count (u32), headline token count; then the headline tokens, the
/// figure count and figures, the signature.
const HEADER_LEN: usize = 7;

fn token_hash(token: &str) -> u64 {
    mix64(fnv_bytes(FNV_OFFSET, token.as_bytes()))
}

/// Distinct shingle hashes of a body, sorted (bodies shorter than one shingle give one
/// shingle of all their words), and the distinct figures' hashes, sorted, or none when there
/// are more than [`MAX_NUMBERS`].
fn shingle_hashes(body: &str) -> (Vec<u64>, Vec<u32>) {
    let mut tokens = Vec::with_capacity(body.len() / 5);
    let mut numbers = Vec::new();
    for_each_token(body, |t| {
        let h = token_hash(t);
        if t.bytes().any(|b| b.is_ascii_digit()) {
            numbers.push((h >> 32) as u32);
        }
        tokens.push(h);
    });
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.len() > MAX_NUMBERS {
        numbers.clear();
    }
    let mut shingles: Vec<u64> = if tokens.len() < SHINGLE_WORDS {
        if tokens.is_empty() {
            Vec::new()
        } else {
            vec![tokens.iter().fold(FNV_OFFSET, |h, &t| combine(h, t))]
        }
    } else {
        tokens
            .windows(SHINGLE_WORDS)
            .map(|w| w.iter().fold(FNV_OFFSET, |h, &t| combine(h, t)))
            .collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    (shingles, numbers)
}

fn min_hash(shingles: &[u64]) -> Option<Box<[u32; SIGNATURE_LEN]>> {
    if shingles.is_empty() {
        return None;
    }
    let (a, b) = &PERMUTATIONS;
    let mut sig = Box::new([u32::MAX; SIGNATURE_LEN]);
    for &h in shingles {
        for ((slot, &ai), &bi) in sig.iter_mut().zip(a.iter()).zip(b.iter()) {
            // Multiply-add-shift: a cheap universal hash family, one per signature row.
            let v = (h.wrapping_mul(ai).wrapping_add(bi) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    Some(sig)
}

/// The headline's distinct token hashes and, among them, its figures', both sorted.
fn title_tokens(title: &str) -> (Vec<u32>, Vec<u32>) {
    let mut out = Vec::new();
    let mut numbers = Vec::new();
    for_each_token(strip_site_suffix(strip_wire_prefixes(title)), |t| {
        if out.len() < MAX_TITLE_TOKENS && !is_title_stopword(t) {
            let h = (token_hash(t) >> 32) as u32;
            out.push(h);
            if t.bytes().any(|b| b.is_ascii_digit()) {
                numbers.push(h);
            }
        }
    });
    out.sort_unstable();
    out.dedup();
    numbers.sort_unstable();
    numbers.dedup();
    (out, numbers)
}
