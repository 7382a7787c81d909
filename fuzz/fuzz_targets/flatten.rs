//! Any string as HTML for the select-all flattener: never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let _ = newsdesk_extract::flatten::flatten_html(&html);
});
