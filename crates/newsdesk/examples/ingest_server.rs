//! A local news site for the end-to-end ingest benchmark (`scripts/bench-ingest`):
//! `ingest_server FEEDS ITEMS OPML [MAX_SECS]` serves FEEDS RSS feeds of ITEMS items each on
//! 127.0.0.1 (a port the system picks), writes their subscription list to the OPML path,
//! prints `addr=127.0.0.1:PORT`, and stops by itself after MAX_SECS (default 1800).
//!
//! Items carry only a one-sentence summary, so ingestion fetches every item's page
//! (`/a/FEED/ITEM`) and extracts it. Pages are article HTML as news sites write it: navigation,
//! a headline, a byline, a date, 6–12 paragraphs of varied text (company names among them, so
//! the tagger works), a related-links box and a footer. Everything is generated from the feed
//! and item numbers (SplitMix64): the same URL always gives the same bytes.

use std::fmt::Write as _;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(Clone, Copy)]
struct Site {
    feeds: u64,
    items: u64,
}

/// SplitMix64: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(a: u64, b: u64) -> Self {
        Rng(a.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            ^ 0x5DEE_CE66)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "market",
    "shares",
    "rose",
    "fell",
    "investors",
    "central",
    "bank",
    "rates",
    "inflation",
    "quarter",
    "earnings",
    "guidance",
    "analysts",
    "expected",
    "percent",
    "yield",
    "bond",
    "treasury",
    "dollar",
    "euro",
    "oil",
    "prices",
    "supply",
    "demand",
    "company",
    "said",
    "revenue",
    "profit",
    "margin",
    "forecast",
    "growth",
    "economy",
    "policy",
    "officials",
    "trading",
    "session",
    "index",
    "futures",
    "volatility",
    "sector",
    "technology",
    "energy",
    "banks",
    "lenders",
    "credit",
    "spreads",
    "outlook",
    "week",
    "month",
    "year",
    "higher",
    "lower",
    "steady",
    "despite",
    "after",
    "before",
    "while",
    "amid",
    "data",
    "showed",
    "regulators",
    "merger",
    "deal",
    "buyback",
    "dividend",
    "tariffs",
    "exports",
    "imports",
    "payrolls",
    "consumer",
    "spending",
    "factory",
    "orders",
    "housing",
    "mortgage",
    "wages",
];
const FILLER: &[&str] = &[
    "the", "a", "of", "to", "in", "and", "on", "for", "as", "by", "with",
];
const COMPANIES: &[&str] = &[
    "Apple",
    "Microsoft",
    "Nvidia",
    "Amazon",
    "Alphabet",
    "Tesla",
    "JPMorgan Chase",
    "Goldman Sachs",
    "Exxon Mobil",
    "Siemens",
    "Toyota",
    "Nestlé",
    "Shell",
    "HSBC",
];
const NAMES: &[&str] = &[
    "Mara Quint",
    "Tomasz Reed",
    "Ines Okafor",
    "Liu Wen",
    "Sofia Marchetti",
    "Dev Patel",
    "Hannah Berg",
    "Kwame Mensah",
    "Ana Lima",
    "Jonas Keller",
];
const SECTIONS: &[&str] = &[
    "Markets",
    "Companies",
    "Economy",
    "Energy",
    "Technology",
    "Rates",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for w in 0..words {
        if w > 0 {
            s.push(' ');
        }
        let word = match rng.below(10) {
            0 => rng.pick(COMPANIES),
            1..=3 => rng.pick(FILLER),
            _ => rng.pick(WORDS),
        };
        if w == 0 {
            let mut c = word.chars();
            if let Some(first) = c.next() {
                s.extend(first.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(word);
        }
        if w + 1 < words && rng.below(12) == 0 {
            s.push(',');
        }
    }
    s.push('.');
    s
}

fn headline(feed: u64, item: u64) -> String {
    let mut rng = Rng::new(feed, item);
    let mut h = sentence(&mut rng, 9);
    h.pop();
    format!("{h} ({feed}-{item})")
}

/// 2026-01-01T00:00:00Z minus a few minutes per item: distinct, in the past.
fn published(feed: u64, item: u64) -> jiff::Timestamp {
    let base = jiff::Timestamp::from_second(1_767_225_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let minutes = i64::try_from(feed * 1_000 + item * 7).unwrap_or(0);
    base.checked_sub(jiff::SignedDuration::from_mins(minutes))
        .unwrap_or(base)
}

fn summary(feed: u64, item: u64) -> String {
    let mut rng = Rng::new(feed ^ 0xABCD, item);
    sentence(&mut rng, 18)
}

fn page(site: Site, addr: &str, feed: u64, item: u64) -> String {
    let mut rng = Rng::new(feed.wrapping_add(7), item.wrapping_mul(31));
    let title = headline(feed, item);
    let author = rng.pick(NAMES);
    let section = rng.pick(SECTIONS);
    let when = published(feed, item);
    let mut h = String::with_capacity(12_000);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} | Desk {feed}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"description\" content=\"{desc}\">\
         <meta property=\"og:type\" content=\"article\"><meta property=\"og:title\" content=\"{title}\">\
         <link rel=\"canonical\" href=\"http://{addr}/a/{feed}/{item}\">\
         <link rel=\"stylesheet\" href=\"/static/site.css\"><script>window.dataLayer=[];</script>\
         </head><body><header class=\"site\"><a class=\"logo\" href=\"/\">Desk {feed}</a><nav>",
        desc = summary(feed, item),
    );
    for s in SECTIONS {
        let _ = write!(h, "<a href=\"/section/{}\">{s}</a> ", s.to_lowercase());
    }
    let _ = write!(
        h,
        "</nav><form action=\"/search\"><input name=\"q\" placeholder=\"Search\"></form></header>\
         <main><article><p class=\"kicker\">{section}</p><h1>{title}</h1>\
         <p class=\"byline\">By <a rel=\"author\" href=\"/author/{slug}\">{author}</a></p>\
         <time datetime=\"{iso}\">{human}</time><div class=\"article-body\">",
        slug = author.to_lowercase().replace(' ', "-"),
        iso = when,
        human = when.strftime("%B %-d, %Y %H:%M UTC"),
    );
    let paragraphs = rng.range(6, 12);
    for p in 0..paragraphs {
        h.push_str("<p>");
        for s in 0..rng.range(3, 6) {
            if s > 0 {
                h.push(' ');
            }
            let n = rng.range(8, 22);
            let text = sentence(&mut rng, n);
            if rng.below(9) == 0 {
                let _ = write!(
                    h,
                    "<a href=\"/a/{}/{}\">{text}</a>",
                    rng.below(site.feeds as usize),
                    rng.below(site.items as usize)
                );
            } else if rng.below(11) == 0 {
                let _ = write!(h, "<strong>{text}</strong>");
            } else {
                h.push_str(&text);
            }
        }
        h.push_str("</p>\n");
        if p == 2 && rng.below(2) == 0 {
            let quote = sentence(&mut rng, 14);
            let _ = writeln!(h, "<blockquote><p>“{quote}”</p></blockquote>");
        }
        if p == 1 {
            h.push_str("<div class=\"ad\" aria-hidden=\"true\">Advertisement</div>\n");
        }
    }
    h.push_str("</div></article><aside class=\"related\"><h2>More from the desk</h2><ul>");
    for _ in 0..5 {
        let (f, i) = (
            rng.below(site.feeds as usize),
            rng.below(site.items as usize),
        );
        let _ = write!(
            h,
            "<li><a href=\"/a/{f}/{i}\">{}</a></li>",
            headline(f as u64, i as u64)
        );
    }
    let _ = writeln!(
        h,
        "</ul></aside></main><footer><p>© 2026 Desk {feed}. All rights reserved.</p>\
         <a href=\"/privacy\">Privacy</a> <a href=\"/terms\">Terms</a></footer></body></html>"
    );
    h
}

fn feed_xml(site: Site, addr: &str, feed: u64) -> String {
    let mut x = String::with_capacity(40_000);
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Desk {feed}</title><link>http://{addr}/</link>\
         <description>Markets and companies from desk {feed}</description><language>en</language>\n"
    );
    for item in 0..site.items {
        let _ = writeln!(
            x,
            "<item><title>{title}</title><link>http://{addr}/a/{feed}/{item}</link>\
             <guid isPermaLink=\"false\">desk-{feed}-{item}</guid><pubDate>{date}</pubDate>\
             <description>{summary}</description></item>",
            title = headline(feed, item),
            date = published(feed, item).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            summary = summary(feed, item),
        );
    }
    x.push_str("</channel></rss>\n");
    x
}

fn opml(site: Site, addr: &str) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\"><head><title>bench</title></head><body>\n",
    );
    for feed in 0..site.feeds {
        let _ = writeln!(
            o,
            "<outline type=\"rss\" text=\"Desk {feed}\" xmlUrl=\"http://{addr}/feed/{feed}\"/>"
        );
    }
    o.push_str("</body></opml>\n");
    o
}

#[derive(Clone)]
struct App {
    site: Site,
    addr: String,
}

async fn feed_handler(State(app): State<App>, Path(feed): Path<u64>) -> Response {
    if feed >= app.site.feeds {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = feed_xml(app.site, &app.addr, feed);
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn page_handler(State(app): State<App>, Path((feed, item)): Path<(u64, u64)>) -> Response {
    if feed >= app.site.feeds || item >= app.site.items {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = page(app.site, &app.addr, feed, item);
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn arg(args: &[String], i: usize, default: u64) -> u64 {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(opml_path) = args.get(2).cloned() else {
        eprintln!("usage: ingest_server FEEDS ITEMS OPML [MAX_SECS]");
        std::process::exit(2);
    };
    let site = Site {
        feeds: arg(&args, 0, 100).max(1),
        items: arg(&args, 1, 100).max(1),
    };
    let max_secs = arg(&args, 3, 1800);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    std::fs::write(&opml_path, opml(site, &addr))?;
    let app = App {
        site,
        addr: addr.clone(),
    };
    let router = Router::new()
        .route("/feed/{feed}", get(feed_handler))
        .route("/a/{feed}/{item}", get(page_handler))
        .with_state(app);
    println!("addr={addr}");
    use std::io::Write as _;
    std::io::stdout().flush()?;
    // Bounded in time: the server stops by itself even if nobody stops it.
    let serve = axum::serve(listener, router);
    match tokio::time::timeout(Duration::from_secs(max_secs), serve).await {
        Ok(res) => res,
        Err(_) => Ok(()),
    }
}
