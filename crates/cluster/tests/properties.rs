//! Properties over arbitrary input: fingerprinting and reading bytes never panic, bytes round
//! trip, and the measures stay in range and symmetric.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use newsdesk_cluster::{Fingerprint, compare};
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_text_fingerprints_and_round_trips(title in "\\PC{0,80}", body in "\\PC{0,400}") {
        let fp = Fingerprint::of(&title, &body);
        let back = Fingerprint::from_bytes(&fp.to_bytes()).unwrap();
        prop_assert_eq!(&back, &fp);
        let s = compare(&fp, &fp);
        if fp.has_body() {
            prop_assert_eq!(s.body_jaccard_estimate, Some(1.0));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let _ = Fingerprint::from_bytes(&bytes);
    }

    #[test]
    fn damaged_valid_bytes_never_panic(body in "[a-z0-9 ,.]{0,300}", at in 0usize..700, v in any::<u8>()) {
        let mut bytes = Fingerprint::of("A headline 12", &body).to_bytes();
        let i = at % bytes.len();
        bytes[i] = v;
        let _ = Fingerprint::from_bytes(&bytes);
    }

    #[test]
    fn measures_are_symmetric_and_in_range(a in "[a-e ]{0,200}", b in "[a-e ]{0,200}", ta in "[a-c ]{0,20}", tb in "[a-c ]{0,20}") {
        let (fa, fb) = (Fingerprint::of(&ta, &a), Fingerprint::of(&tb, &b));
        let (x, y) = (compare(&fa, &fb), compare(&fb, &fa));
        prop_assert_eq!(x, y);
        for m in [x.body_jaccard_estimate, x.body_containment, x.title_similarity, x.figure_overlap].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&m));
        }
    }
}
