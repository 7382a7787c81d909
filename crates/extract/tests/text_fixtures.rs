//! Pasted-text fixtures checked against hand-written expectations.
//!
//! Each `tests/fixtures/text/NAME.txt` (text as a browser's select-all copy gives it) has a
//! `NAME.json` beside it saying what a reader sees on the page: headline, dates, bylines, where
//! the body starts and ends, what must not be in it (menus, promos, captions, comments, legal
//! text), images, chips. Only the keys present in the JSON are checked.
//!
//! Dates: `published` is compared exactly. When the page prints its date in a form the date
//! parser does not read yet, the JSON also gives `published_printed`; the check is then skipped
//! (with a note) until `dates::parse_date` reads that string, and runs from then on.

// Helpers of a test binary: a malformed fixture should fail loudly.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use newsdesk_extract::{Article, Block, ExtractOptions, WarningCode, dates, text};
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text")
}

fn options(expect: &Value) -> ExtractOptions {
    ExtractOptions {
        zone: expect["tz"].as_str().map(zone),
        now: expect["now"].as_str().map(|n| n.parse().unwrap()),
        ..ExtractOptions::default()
    }
}

fn zone(name: &str) -> jiff::tz::TimeZone {
    newsdesk_article::parse_zone(name).unwrap()
}

fn check(name: &str, article: &Article, expect: &Value, opts: &ExtractOptions) -> Vec<String> {
    let mut errors = Vec::new();
    let mut fail = |msg: String| errors.push(format!("{name}: {msg}"));
    let body = article.body_text();

    if let Some(title) = expect.get("title")
        && article.title.as_deref() != title.as_str()
    {
        fail(format!("title {:?}, expected {title}", article.title));
    }
    if let Some(published) = expect.get("published") {
        let readable = match expect["published_printed"].as_str() {
            Some(printed) => dates::parse_date(printed, &opts.date_context()).is_some(),
            None => true,
        };
        let got = article.published.as_ref().map(|t| t.to_rfc3339());
        if readable {
            if got.as_deref() != published.as_str() {
                fail(format!("published {got:?}, expected {published}"));
            }
        } else {
            eprintln!(
                "{name}: dates::parse_date cannot read {:?} yet; published not checked (got {got:?})",
                expect["published_printed"]
            );
        }
    }
    if let Some(updated) = expect.get("updated") {
        let got = article.updated.as_ref().map(|t| t.to_rfc3339());
        if got.as_deref() != updated.as_str() {
            fail(format!("updated {got:?}, expected {updated}"));
        }
    }
    for (key, got) in [
        ("source", &article.source),
        ("agency", &article.agency),
        ("language", &article.language),
    ] {
        if let Some(want) = expect.get(key)
            && got.as_deref() != want.as_str()
        {
            fail(format!("{key} {got:?}, expected {want}"));
        }
    }
    if let Some(want) = expect.get("dateline") {
        let got = article.dateline.as_ref();
        let ok = match (got, want.as_object()) {
            (None, None) => true,
            (Some(d), Some(w)) => {
                d.place.as_deref() == w["place"].as_str()
                    && d.agency.as_deref() == w["agency"].as_str()
            }
            _ => false,
        };
        if !ok {
            fail(format!("dateline {got:?}, expected {want}"));
        }
    }
    if let Some(want) = expect.get("authors") {
        let want: Vec<&str> = want
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if article.authors != want {
            fail(format!("authors {:?}, expected {want:?}", article.authors));
        }
    }
    if let Some(want) = expect.get("printed_instruments") {
        let want: Vec<&str> = want
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if article.printed_instruments != want {
            fail(format!(
                "instruments {:?}, expected {want:?}",
                article.printed_instruments
            ));
        }
    }
    if let Some(want) = expect.get("images") {
        let want = want.as_array().unwrap();
        let got: Vec<(Option<&str>, Option<&str>)> = article
            .images
            .iter()
            .map(|i| (i.caption.as_deref(), i.credit.as_deref()))
            .collect();
        let want: Vec<(Option<&str>, Option<&str>)> = want
            .iter()
            .map(|i| (i["caption"].as_str(), i["credit"].as_str()))
            .collect();
        if got != want {
            fail(format!("images {got:?}, expected {want:?}"));
        }
        if article.images.iter().any(|i| i.url.is_some()) {
            fail("pasted text has no image URLs".to_string());
        }
    }
    if let Some(start) = expect["body_starts"].as_str()
        && !body.starts_with(start)
    {
        fail(format!(
            "body starts {:?}",
            body.chars().take(120).collect::<String>()
        ));
    }
    if let Some(end) = expect["body_ends"].as_str()
        && !body.ends_with(end)
    {
        let tail: String = body
            .chars()
            .rev()
            .take(120)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        fail(format!("body ends {tail:?}"));
    }
    for bad in expect["body_excludes"].as_array().into_iter().flatten() {
        let bad = bad.as_str().unwrap();
        if body.contains(bad) {
            fail(format!("body contains {bad:?}"));
        }
    }
    if let Some(n) = expect["paragraphs"].as_u64() {
        let got = article
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::Paragraph { .. }))
            .count();
        if got as u64 != n {
            fail(format!("{got} paragraphs, expected {n}"));
        }
    }
    if let Some(lists) = expect["lists"].as_array() {
        let got: Vec<Vec<String>> = article
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List { items, .. } => Some(items.clone()),
                _ => None,
            })
            .collect();
        let want: Vec<Vec<String>> = lists
            .iter()
            .map(|l| {
                l.as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect()
            })
            .collect();
        if got != want {
            fail(format!("lists {got:?}, expected {want:?}"));
        }
    }
    if let Some(headings) = expect["headings"].as_array() {
        let got: Vec<&str> = article
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let want: Vec<&str> = headings.iter().filter_map(Value::as_str).collect();
        if got != want {
            fail(format!("headings {got:?}, expected {want:?}"));
        }
    }
    errors
}

#[test]
fn every_text_fixture_matches_its_expectation() {
    let mut checked = 0;
    let mut errors = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for json in entries {
        let name = json.file_stem().unwrap().to_string_lossy().to_string();
        let expect: Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
        let input = fs::read(json.with_extension("txt")).unwrap();
        let opts = options(&expect);
        let article = newsdesk_extract::extract_text(&input, &opts).unwrap();
        errors.extend(check(&name, &article, &expect, &opts));
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixtures found");
    assert!(
        errors.is_empty(),
        "fixture mismatches:\n{}",
        errors.join("\n")
    );
}

#[test]
fn seed_without_zone_is_read_as_utc_and_says_so() {
    let input = fs::read_to_string(fixture_dir().join("investing-nato-liaison.txt")).unwrap();
    let article = text::extract(&input, &ExtractOptions::default());
    let published = article.published.as_ref().unwrap();
    assert_eq!(published.to_rfc3339(), "2023-05-09T10:57:00Z");
    assert!(published.zone_assumed);
    assert_eq!(
        article.updated.as_ref().unwrap().to_rfc3339(),
        "2023-05-09T11:02:00Z"
    );
    assert!(
        article
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::TimezoneAssumed)
    );
}

#[test]
fn caption_is_kept_once_and_never_in_the_body() {
    let input = fs::read_to_string(fixture_dir().join("investing-nato-liaison.txt")).unwrap();
    let article = text::extract(&input, &ExtractOptions::default());
    assert_eq!(article.images.len(), 1);
    let body = article.body_text();
    assert!(!body.contains("Tomita Koji before signing"));
    assert!(!body.contains("© Reuters"));
}
