//! `newsdesk extract` as a user runs it: the real binary, real files, real exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("newsdesk-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn page(title: &str) -> String {
    let para = "Shares rose on Tuesday after the central bank held rates steady and signalled \
                that it would wait for more data before moving again, traders said.";
    format!(
        "<!doctype html><html lang=en><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{para}</p><p>{para}</p><p>{para}</p></article></body></html>"
    )
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, data).unwrap();
    p
}

#[test]
fn directory_walk_jsonl_one_line_per_input_in_sorted_order() {
    let dir = tempdir("walk");
    write(&dir, "b.html", page("Second story").as_bytes());
    write(&dir, "a.html.gz", &gz(page("First story").as_bytes()));
    write(&dir, "sub/c.htm", page("Third story").as_bytes());
    write(&dir, "notes.md", b"# not an input");
    let out = bin()
        .args(["extract", "--format", "jsonl"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = lines(&out);
    let ids: Vec<_> = recs
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(recs[0]["title"], "First story");
    for key in [
        "path",
        "url",
        "published",
        "updated",
        "timezone",
        "authors",
        "source",
        "dateline",
        "body",
        "blocks",
        "images",
        "printed_instruments",
        "language",
        "warnings",
    ] {
        assert!(recs[0].get(key).is_some(), "missing key {key}");
    }
    assert!(
        recs[0]["body"]
            .as_str()
            .unwrap()
            .contains("central bank held rates")
    );
    assert_eq!(recs[0]["language"], "en");
}

#[test]
fn failing_inputs_are_reported_one_line_each_and_the_rest_go_on() {
    let dir = tempdir("fail");
    let good = write(&dir, "good.html", page("Good story").as_bytes());
    let empty = write(&dir, "empty.html", b"");
    let binary = write(&dir, "pic.html", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    let fake_gz = write(&dir, "fake.html.gz", b"<p>not gzip</p>");
    let missing = dir.join("missing.html");
    let out = bin()
        .args(["extract", "--format", "jsonl"])
        .args([&empty, &good, &binary, &fake_gz, &missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "good");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let errs: Vec<&str> = stderr.lines().collect();
    assert_eq!(errs.len(), 4, "{stderr}");
    assert!(
        errs[0].contains("empty.html") && errs[0].contains("empty"),
        "{}",
        errs[0]
    );
    assert!(
        errs[1].contains("pic.html") && errs[1].contains("PNG"),
        "{}",
        errs[1]
    );
    assert!(
        errs[2].contains("fake.html.gz") && errs[2].contains("not gzip"),
        "{}",
        errs[2]
    );
    assert!(errs[3].contains("missing.html"), "{}", errs[3]);
}

#[test]
fn gzip_bomb_is_refused_not_inflated() {
    let dir = tempdir("bomb");
    let bomb = gz(&vec![b'<'; 8 * 1024 * 1024]);
    let path = write(&dir, "bomb.html.gz", &bomb);
    let out = bin()
        .args(["extract", "--format", "jsonl", "--max-bytes", "1000000"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("bomb.html.gz") && stderr.contains("limit"),
        "{stderr}"
    );
}

#[test]
fn stdin_is_read_and_sniffed() {
    let mut child = bin()
        .args(["extract", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page("From stdin").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rec["id"], "-");
    assert_eq!(rec["title"], "From stdin");
}

#[test]
fn json_format_is_an_array_for_several_inputs() {
    let dir = tempdir("array");
    let a = write(&dir, "a.html", page("A story").as_bytes());
    let b = write(&dir, "b.html", page("B story").as_bytes());
    let out = bin()
        .args(["extract", "--format", "json"])
        .args([&a, &b])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[test]
fn bad_time_zone_is_a_usage_error() {
    let out = bin()
        .args(["extract", "--tz", "Mars/Olympus_Mons", "x.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown time zone"));
}

#[test]
fn text_format_prints_title_and_body() {
    let dir = tempdir("text");
    let p = write(&dir, "s.html", page("Plain story").as_bytes());
    let out = bin()
        .args(["extract", "--format", "text"])
        .arg(&p)
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("Plain story\n"), "{s}");
    assert!(s.contains("central bank held rates"));
}

/// The seed: text copied off an investing.com story, with promo, truncated caption, quote chip,
/// comments header and risk disclosure around the story.
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../extract/tests/fixtures/text/investing-nato-liaison.txt"
);

fn extract_seed(extra: &[&str]) -> serde_json::Value {
    let out = bin()
        .args(["extract", "--format", "jsonl"])
        .args(extra)
        .arg(SEED)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out).remove(0)
}

#[test]
fn seed_page_is_extracted_clean_with_the_given_zone() {
    let r = extract_seed(&["--tz", "America/New_York"]);
    assert_eq!(r["id"], "investing-nato-liaison");
    assert_eq!(
        r["title"],
        "Japan working towards opening of NATO liaison office in Tokyo"
    );
    assert_eq!(r["published"], "2023-05-09T10:57:00-04:00");
    assert_eq!(r["updated"], "2023-05-09T11:02:00-04:00");
    assert_eq!(r["timezone"], "America/New_York");
    assert_eq!(r["timezone_assumed"], false);
    assert_eq!(r["source"], "Reuters");
    assert_eq!(r["dateline"]["place"], "WASHINGTON");
    assert_eq!(r["dateline"]["agency"], "Reuters");
    assert_eq!(r["printed_instruments"], serde_json::json!(["JP225"]));
    let body = r["body"].as_str().unwrap();
    assert!(
        body.starts_with("Japan is working towards the opening"),
        "{body}"
    );
    assert!(body.ends_with("NATO's \"eastward expansion.\""), "{body}");
    for furniture in [
        "Fair Value",
        "FILE PHOTO",
        "JP225",
        "Latest comments",
        "Risk Disclosure",
        "Fusion Media",
        "WASHINGTON (Reuters)",
    ] {
        assert!(!body.contains(furniture), "body contains {furniture:?}");
    }
    let images = r["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{images:?}");
    let caption = images[0]["caption"].as_str().unwrap();
    assert!(
        caption.contains("during a visit to the ambassador's residence in Washington"),
        "{caption}"
    );
    assert_eq!(images[0]["credit"], "REUTERS/Kevin Lamarque");
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["code"] != "timezone_assumed")
    );
}

#[test]
fn pasted_text_takes_the_url_given() {
    let r = extract_seed(&["--url", "https://news.example/japan-nato"]);
    assert_eq!(r["url"], "https://news.example/japan-nato");
}

#[test]
fn seed_without_zone_says_utc_was_assumed() {
    let r = extract_seed(&[]);
    assert_eq!(r["published"], "2023-05-09T10:57:00Z");
    assert_eq!(r["timezone"], "UTC");
    assert_eq!(r["timezone_assumed"], true);
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "timezone_assumed")
    );
}
