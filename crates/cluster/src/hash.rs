//! A small, fixed, platform-independent 64-bit hash.
//!
//! Fingerprints are persisted and their band keys are indexed by a database, so every value must
//! be the same on every machine and every build: no `RandomState`, no `std::hash::Hasher`
//! (whose output may change between Rust releases). FNV-1a over bytes gives a cheap streaming
//! hash; the SplitMix64 finaliser spreads its bits so that the low and high halves are both
//! usable.

/// FNV-1a offset basis.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Feeds one byte into an FNV-1a state.
#[inline]
pub(crate) fn fnv_byte(state: u64, byte: u8) -> u64 {
    (state ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// Feeds a byte string into an FNV-1a state.
#[inline]
pub(crate) fn fnv_bytes(mut state: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        state = fnv_byte(state, b);
    }
    state
}

/// The SplitMix64 finaliser: a bijection on `u64` with good avalanche.
#[inline]
pub(crate) const fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Order-sensitive combination of a running hash with one more value.
#[inline]
pub(crate) fn combine(h: u64, v: u64) -> u64 {
    mix64(h.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ v)
}

/// `n` pseudo-random odd 64-bit multipliers and additive constants from a fixed seed, for the
/// MinHash permutations (`h * a + b`, high 32 bits).
pub(crate) const fn permutation_constants<const N: usize>(seed: u64) -> ([u64; N], [u64; N]) {
    let mut a = [0u64; N];
    let mut b = [0u64; N];
    let mut state = seed;
    let mut i = 0;
    while i < N {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        a[i] = mix64(state) | 1;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        b[i] = mix64(state);
        i += 1;
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_fixed_values() {
        // Persisted fingerprints depend on these exact values: a change here is a format change.
        assert_eq!(fnv_bytes(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(mix64(0), 0);
        assert_ne!(mix64(1), 1);
    }

    #[test]
    fn permutation_multipliers_are_odd_and_distinct() {
        let (a, b) = permutation_constants::<64>(7);
        assert!(a.iter().all(|x| x % 2 == 1));
        let mut sorted = a.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 64);
        assert_ne!(a, b);
    }
}
