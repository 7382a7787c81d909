//! Legacy-encoded pages end to end: bytes in an old charset → `extract_html` → the right title
//! and body text.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use newsdesk_extract::{ExtractOptions, WarningCode, extract_html};

const LATIN1_PAGE: &str = "<!doctype html><html lang=\"fr\"><head>\
<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">\
<title>Café crème à Zürich : la Bourse déçoit</title></head><body><article>\
<h1>Café crème à Zürich : la Bourse déçoit</h1>\
<p>Les marchés européens ont reculé mardi, les investisseurs s'inquiétant d'une \
hausse des taux décidée à Francfort ; le franc suisse a gagné 0,5 % face à l'euro.</p>\
</article></body></html>";

const SJIS_PAGE: &str = "<!doctype html><html><head>\
<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">\
<title>日銀、金融緩和を維持</title></head><body><article>\
<h1>日銀、金融緩和を維持</h1>\
<p>日本銀行は、九日、金融政策決定会合で、大規模な金融緩和を、維持すると、発表した。\
市場は、円安に、反応し、株価は、上昇した。</p>\
</article></body></html>";

#[test]
fn latin1_page_end_to_end() {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(LATIN1_PAGE);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    let a = extract_html(&bytes, &ExtractOptions::default()).unwrap();
    assert_eq!(
        a.title.as_deref(),
        Some("Café crème à Zürich : la Bourse déçoit")
    );
    assert!(
        a.body_text()
            .contains("le franc suisse a gagné 0,5 % face à l'euro"),
        "{}",
        a.body_text()
    );
    assert_eq!(a.language.as_deref(), Some("fr"));
    assert!(
        !a.warnings
            .iter()
            .any(|w| w.code == WarningCode::EncodingReplaced)
    );
}

#[test]
fn shift_jis_page_end_to_end() {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(SJIS_PAGE);
    assert!(!unmappable);
    let a = extract_html(&bytes, &ExtractOptions::default()).unwrap();
    assert_eq!(a.title.as_deref(), Some("日銀、金融緩和を維持"));
    assert!(
        a.body_text()
            .contains("大規模な金融緩和を、維持すると、発表した。"),
        "{}",
        a.body_text()
    );
    assert!(
        !a.warnings
            .iter()
            .any(|w| w.code == WarningCode::EncodingReplaced)
    );
}

/// A page whose `<meta charset>` comes after a long inline script: still honoured.
#[test]
fn meta_charset_after_the_first_kib() {
    let script = format!("<script>var pad = \"{}\";</script>", "x".repeat(1500));
    let page = LATIN1_PAGE.replace("<head>", &format!("<head>{script}"));
    let (bytes, ..) = encoding_rs::WINDOWS_1252.encode(&page);
    let pos = bytes.windows(7).position(|w| w == b"charset").unwrap();
    assert!(pos > 1024, "declaration at byte {pos}");
    let a = extract_html(&bytes, &ExtractOptions::default()).unwrap();
    assert_eq!(
        a.title.as_deref(),
        Some("Café crème à Zürich : la Bourse déçoit")
    );
}

/// Shift-JIS declared after 4 KiB: without the declaration the bytes would be read as
/// windows-1252 and come out as mojibake.
#[test]
fn late_shift_jis_declaration_beats_the_legacy_default() {
    let pad = format!("<!-- {} -->", "padding ".repeat(700));
    let page = SJIS_PAGE.replace("<head>", &format!("<head>{pad}"));
    let (bytes, ..) = encoding_rs::SHIFT_JIS.encode(&page);
    let pos = bytes.windows(7).position(|w| w == b"charset").unwrap();
    assert!(pos > 4096, "declaration at byte {pos}");
    let a = extract_html(&bytes, &ExtractOptions::default()).unwrap();
    assert_eq!(a.title.as_deref(), Some("日銀、金融緩和を維持"));
}
