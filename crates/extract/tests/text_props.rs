//! Property tests: pasted-text extraction and flattening never panic and keep their invariants
//! on arbitrary input (including the characters the line model treats specially).

use newsdesk_extract::{ExtractOptions, flatten, text};
use proptest::prelude::*;

/// Text made of the pieces pages are made of: words, bullets, dates, credits, CJK, blank lines.
fn pasted() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Za-z]{1,12}",
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("• ".to_string()),
        Just("© Reuters. ".to_string()),
        Just("REUTERS/".to_string()),
        Just("(AP Photo/".to_string()),
        Just("Published 05/09/2023, 10:57 AM".to_string()),
        Just("By ".to_string()),
        Just("JP225\n-\n".to_string()),
        Just("Latest comments\n".to_string()),
        Just("日本語の文章。".to_string()),
        Just("...".to_string()),
        Just("…".to_string()),
        Just(". ".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..200).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn extract_never_panics_and_body_comes_from_the_input(input in pasted()) {
        let article = text::extract(&input, &ExtractOptions::default());
        // Every body word was in the input (nothing invented).
        let collapsed = newsdesk_extract::clean::collapse_ws(&input);
        for block in &article.blocks {
            for word in block.plain_text().split_whitespace().take(5) {
                prop_assert!(collapsed.contains(word), "{word:?} not in input");
            }
        }
    }

    #[test]
    fn flatten_never_panics(input in "[<>/a-z \"=!-]{0,300}") {
        let out = flatten::flatten_html(&input);
        prop_assert!(!out.starts_with('\n'));
    }
}
