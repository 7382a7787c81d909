//! Peak memory of extracting one large page: builds a page of `SIZE_MB` megabytes (default 10),
//! extracts it once and prints the process's peak resident set size (VmHWM, Linux).
//!
//! `cargo run --release -p newsdesk-extract --example peak_mem [SIZE_MB] [typical|dense]`
//!
//! - `typical` (default): the byte mix measured on the article-extraction benchmark's real pages
//!   — 30 % inline script, 29 % inline style, 4 % inline SVG, the rest markup and text
//!   (navigation, an article, comments).
//! - `dense`: nothing but article markup (a paragraph with a link and bold text every ~190
//!   bytes): the worst case for the DOM's size.

use newsdesk_extract::{ExtractOptions, extract_html};

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dense = std::env::args().nth(2).as_deref() == Some("dense");
    let target = mb * 1024 * 1024;
    let mut html = String::with_capacity(target + 4096);
    html.push_str("<!doctype html><html lang=en><head><title>Markets wrap</title>");
    html.push_str("<style>body{font-family:serif}.nav a{color:#333}</style></head><body>");
    html.push_str("<nav class=menu><ul>");
    for i in 0..200 {
        html.push_str(&format!("<li><a href=/s/{i}>Section {i}</a></li>"));
    }
    html.push_str("</ul></nav><article><h1>Markets wrap</h1>");
    let mut i = 0usize;
    while html.len() < target * 9 / 10 {
        html.push_str(&format!(
            "<p>Paragraph {i}: stocks in Tokyo rose as the yen weakened and exporters gained; \
             <a href=/q/{i}>the Nikkei</a> closed higher for a <b>third</b> day.</p>"
        ));
        if !dense && i.is_multiple_of(4) {
            // Per ~740 bytes of markup, the benchmark's pages carry ~600 bytes of script,
            // ~580 of style and ~80 of SVG.
            html.push_str("<script>window.dataLayer=window.dataLayer||[];");
            html.push_str(&"dataLayer.push({event:'view',slot:'mid',n:1});".repeat(12));
            html.push_str("</script><style>");
            html.push_str(&".story p{margin:0 0 1em;line-height:1.5;color:#222}".repeat(11));
            html.push_str(
                "</style><svg viewBox='0 0 24 24'><path d='M12 2L2 7l10 5 10-5-10-5z'/></svg>",
            );
        }
        i += 1;
    }
    html.push_str("</article><section class=comments>");
    while html.len() < target {
        html.push_str("<div class=comment><span>reader</span><p>Great article, thanks.</p></div>");
    }
    html.push_str("</section></body></html>");
    let before = vm_hwm_kb();
    let article = extract_html(html.as_bytes(), &ExtractOptions::default());
    let words = article.as_ref().map(|a| a.word_count()).unwrap_or(0);
    drop(html);
    let after = vm_hwm_kb();
    println!(
        "{} page {:.1} MB: {words} words; peak RSS {:.1} MB (before extraction {:.1} MB, input buffer included)",
        if dense { "dense" } else { "typical" },
        target as f64 / 1048576.0,
        after as f64 / 1024.0,
        before as f64 / 1024.0
    );
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
