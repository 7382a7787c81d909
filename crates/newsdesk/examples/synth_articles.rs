//! Prints N synthetic, pre-extracted articles as JSON lines (the `newsdesk add` input format),
//! deterministic for a given N and seed: `cargo run --release --example synth_articles -- 20000`.
//! Used by the bulk-add benchmark (scripts/bench-add); the text is a mix of market vocabulary so
//! the search index does real work.

use std::io::{BufWriter, Write};

use newsdesk_article::{Article, Block, SourceTime};

const WORDS: &[&str] = &[
    "stocks",
    "bonds",
    "yields",
    "rates",
    "inflation",
    "central",
    "bank",
    "policy",
    "dollar",
    "yen",
    "euro",
    "oil",
    "gold",
    "futures",
    "index",
    "shares",
    "earnings",
    "guidance",
    "quarter",
    "revenue",
    "growth",
    "slowdown",
    "recession",
    "tariffs",
    "trade",
    "exports",
    "imports",
    "jobs",
    "payrolls",
    "unemployment",
    "consumer",
    "spending",
    "housing",
    "credit",
    "spreads",
    "volatility",
    "traders",
    "investors",
    "analysts",
    "outlook",
    "forecast",
    "rally",
    "selloff",
    "record",
    "low",
    "high",
    "Tokyo",
    "London",
    "Frankfurt",
    "Washington",
    "Beijing",
    "Nikkei",
    "Treasury",
    "Fed",
    "ECB",
    "merger",
    "acquisition",
    "deal",
    "chipmaker",
    "automaker",
    "airline",
    "lender",
    "insurer",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic and good enough for synthetic text.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            // Skewed towards the first words, like real text.
            let a = self.below(WORDS.len());
            let b = self.below(WORDS.len());
            s.push_str(WORDS[a.min(b)]);
        }
        s
    }
}

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7);
    let mut rng = Rng(seed.max(1));
    let base = jiff::Timestamp::from_second(1_767_225_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    for i in 0..n {
        let published = base
            .checked_add(jiff::SignedDuration::from_secs(i as i64 * 37))
            .unwrap_or(base);
        let mut blocks = Vec::new();
        for _ in 0..8 {
            let len = 25 + rng.below(30);
            blocks.push(Block::paragraph(format!("{}.", rng.words(len))));
        }
        let article = Article {
            url: Some(format!("https://synthetic.example/news/{seed}/{i}")),
            title: Some(format!("{} {}", rng.words(6), i)),
            source: Some("Synthetic Wire".into()),
            published: Some(SourceTime::new(published, jiff::tz::TimeZone::UTC, false)),
            language: Some("en".into()),
            printed_instruments: vec![format!("SYN{}", rng.below(50))],
            blocks,
            ..Article::default()
        };
        serde_json::to_writer(&mut out, &article)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
