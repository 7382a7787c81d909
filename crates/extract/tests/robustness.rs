//! Hostile and broken inputs: each gives a clear error or a sane result, never a panic, a stack
//! overflow or unbounded memory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use newsdesk_extract::{ExtractError, ExtractOptions, WarningCode, extract_html, extract_text};

fn story_paragraph(i: usize) -> String {
    format!(
        "<p>Paragraph {i} of the story explains in plain words what the central bank decided \
         today, why markets moved, and what traders expect to happen next week.</p>"
    )
}

#[test]
fn fifty_megabyte_page_is_extracted() {
    let mut html =
        String::from("<html><head><title>Big page</title></head><body><article><h1>Big page</h1>");
    let mut i = 0;
    while html.len() < 50 * 1024 * 1024 {
        html.push_str(&story_paragraph(i));
        i += 1;
    }
    html.push_str("</article></body></html>");
    let article = extract_html(html.as_bytes(), &ExtractOptions::default()).expect("extracts");
    assert!(
        article.word_count() > 1_000_000,
        "words: {}",
        article.word_count()
    );
}

#[test]
fn input_over_the_limit_is_refused_with_sizes() {
    let opts = ExtractOptions {
        max_input_bytes: 1000,
        ..ExtractOptions::default()
    };
    let html = "<p>x</p>".repeat(200);
    match extract_html(html.as_bytes(), &opts) {
        Err(ExtractError::TooLarge { size, limit }) => {
            assert_eq!((size, limit), (1600, 1000));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn ten_thousand_deep_nesting_does_not_overflow() {
    let depth = 10_000;
    let mut html = String::from("<html><body>");
    for _ in 0..depth {
        html.push_str("<div>");
    }
    html.push_str(&story_paragraph(0));
    html.push_str(&story_paragraph(1));
    for _ in 0..depth {
        html.push_str("</div>");
    }
    // Mixed inline nesting too (b/i/span are handled differently by the tree builder).
    for _ in 0..depth {
        html.push_str("<span><b>");
    }
    html.push_str("deep inline text");
    html.push_str("</body></html>");
    // Run on a thread with a small stack, as request handlers and workers have.
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || extract_html(html.as_bytes(), &ExtractOptions::default()))
        .expect("spawn");
    let article = handle
        .join()
        .expect("no panic or overflow")
        .expect("extracts");
    assert!(article.body_text().contains("central bank decided"));
}

#[test]
fn deep_nesting_in_text_flattener_and_text_mode() {
    let mut html = String::new();
    for _ in 0..10_000 {
        html.push_str("<div>");
    }
    html.push_str("hello");
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || newsdesk_extract::flatten::flatten_html(&html))
        .expect("spawn");
    let text = handle.join().expect("no overflow");
    assert!(text.contains("hello"));
}

#[test]
fn invalid_utf8_is_replaced_and_reported() {
    let mut bytes =
        b"<html><head><meta charset=utf-8><title>Broken bytes</title></head><body><article>"
            .to_vec();
    for i in 0..20 {
        bytes.extend_from_slice(story_paragraph(i).as_bytes());
    }
    bytes.extend_from_slice(b"<p>bad \xff\xfe bytes here in a long enough paragraph to be kept by any extractor.</p></article></body></html>");
    let article = extract_html(&bytes, &ExtractOptions::default()).expect("extracts");
    assert!(
        article
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::EncodingReplaced)
    );
    assert!(article.body_text().contains('\u{fffd}'));
}

#[test]
fn latin1_page_without_declaration() {
    let page = format!(
        "<html><body><article><h1>Zürich café</h1>{}<p>Die Börse in Zürich schloss höher, und der Franken blieb stabil gegenüber dem Euro — ein ruhiger Tag für Händler.</p></article></body></html>",
        story_paragraph(0)
    );
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    let article = extract_html(&bytes, &ExtractOptions::default()).expect("extracts");
    assert!(
        article.body_text().contains("Die Börse in Zürich"),
        "{}",
        article.body_text()
    );
}

#[test]
fn shift_jis_page_with_meta() {
    let page = "<html><head><meta charset=\"Shift_JIS\"><title>日経平均が続伸</title></head><body><article><h1>日経平均が続伸</h1><p>東京株式市場で日経平均株価は続伸した。半導体関連株に買いが入り、取引終了にかけて上げ幅を広げた。市場関係者は米国の金融政策の行方に注目している。</p><p>外国為替市場では円相場が小幅に下落した。輸出関連株には追い風となった。</p></article></body></html>";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(page);
    let article = extract_html(&bytes, &ExtractOptions::default()).expect("extracts");
    assert!(
        article.body_text().contains("日経平均株価は続伸した"),
        "{}",
        article.body_text()
    );
    assert_eq!(article.language.as_deref(), Some("ja"));
}

#[test]
fn empty_and_whitespace_inputs_are_errors() {
    for input in [&b""[..], b"   \n\t  "] {
        assert!(matches!(
            extract_html(input, &ExtractOptions::default()),
            Err(ExtractError::Empty)
        ));
        assert!(matches!(
            extract_text(input, &ExtractOptions::default()),
            Err(ExtractError::Empty)
        ));
    }
}

#[test]
fn binary_inputs_are_errors() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert!(matches!(
        extract_html(png, &ExtractOptions::default()),
        Err(ExtractError::Binary(_))
    ));
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(extract_text(&noise, &ExtractOptions::default()).is_err());
}

#[test]
fn markup_soup_gives_a_sane_result() {
    let soup = "<<<>>><p<<p>></div></div></table><td>x<tr><li><script>alert(1)</scr<p>Unclosed paragraph about markets";
    let article = extract_html(soup.as_bytes(), &ExtractOptions::default()).expect("extracts");
    assert!(!article.body_text().contains("alert(1)"));
}

#[test]
fn gzip_bomb_is_capped() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..200 {
        enc.write_all(&chunk).expect("write");
    }
    let bomb = enc.finish().expect("finish");
    assert!(bomb.len() < 1024 * 1024);
    let err = newsdesk_extract::decode::gunzip_capped(&bomb, 64 * 1024 * 1024).unwrap_err();
    assert!(matches!(err, ExtractError::TooLarge { limit, .. } if limit == 64 * 1024 * 1024));
}
