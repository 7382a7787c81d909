//! Search speed on a synthetic corpus: indexing rate and p50/p99/max latency of top-10 queries.
//!
//! `cargo bench -p newsdesk-search --bench search_speed` (release). Printed figures, not a
//! pass/fail test; the target is p99 <= 20 ms per scenario on 1,000,000 articles.
//!
//! Settings (environment):
//! - `NEWSDESK_SEARCH_BENCH_DOCS`: corpus size (default 1,000,000);
//! - `NEWSDESK_SEARCH_BENCH_BATCH`: documents per `apply` (default 500, the indexer's batch);
//! - `NEWSDESK_SEARCH_BENCH_QUERIES`: queries per scenario (default 500);
//! - `NEWSDESK_SEARCH_BENCH_DIR`: keep the tantivy index here and reuse it when it already holds
//!   the corpus (default: a temporary directory, removed afterwards);
//! - `NEWSDESK_SEARCH_BENCH_PG=1` with `NEWSDESK_TEST_DATABASE_URL`: also run on PostgreSQL, in
//!   a fresh database, with `NEWSDESK_SEARCH_BENCH_PG_DOCS` documents (default 100,000);
//!   `NEWSDESK_SEARCH_BENCH_PG_DB` names a database to keep and reuse instead.
//!
//! The corpus is deterministic (own PRNG): a Zipf-distributed vocabulary of ~3,000 words whose
//! most frequent ranks are English function words (as in real text; the analyzer drops most of
//! them), market words among the frequent ranks, 50 sources, 500 instrument symbols with 1–3 per
//! article (Zipf-skewed, so a few are very common), titles of ~10 words, bodies of ~150 words,
//! `sort_at` rising over five years with a day of jitter. Query words are drawn Zipf-like from
//! the content words, so common (expensive) words come up often.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use newsdesk_search::{IndexDoc, SearchIndex, SearchQuery, SortOrder, TantivyIndex};

const SOURCES: usize = 50;
const SYMBOLS: usize = 500;
const START: i64 = 1_600_000_000; // 2020-09-13
const SPAN_SECS: i64 = 5 * 365 * 86_400;

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws ranks 0..n with probability ~ 1/(rank+1)^s.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut acc = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                acc += 1.0 / ((r + 1) as f64).powf(s);
                acc
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap();
        let x = rng.unit() * total;
        self.cumulative.partition_point(|&c| c < x)
    }
}

const FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "for", "is", "on", "that", "by", "with", "as", "at",
    "from", "it", "was", "be", "are", "its", "has", "an", "will", "said", "have", "this", "but",
    "not", "were", "after", "they", "which", "their", "more",
];

const MARKET_WORDS: &[&str] = &[
    "stocks",
    "shares",
    "market",
    "markets",
    "investors",
    "prices",
    "percent",
    "index",
    "bank",
    "rates",
    "inflation",
    "earnings",
    "growth",
    "bonds",
    "yields",
    "dollar",
    "yen",
    "euro",
    "trading",
    "traders",
    "oil",
    "gold",
    "economy",
    "central",
    "policy",
    "quarter",
    "profit",
    "revenue",
    "forecast",
    "demand",
    "supply",
    "rally",
    "slump",
    "gains",
    "losses",
    "futures",
    "equities",
    "volatility",
    "interest",
    "debt",
    "credit",
    "currency",
    "exports",
    "imports",
    "tariffs",
    "semiconductor",
    "chip",
    "banks",
    "lenders",
    "fund",
    "funds",
    "analysts",
    "outlook",
    "guidance",
    "dividend",
    "buyback",
    "merger",
    "acquisition",
    "regulators",
    "nikkei",
    "tokyo",
    "china",
    "fed",
    "ecb",
    "treasury",
    "crude",
    "copper",
    "commodities",
    "housing",
    "jobs",
    "payrolls",
    "unemployment",
    "consumer",
    "retail",
    "sales",
    "manufacturing",
    "recession",
    "stimulus",
    "budget",
    "deficit",
    "yield",
    "hedge",
    "benchmark",
    "sector",
];

const SYLLABLES: &[&str] = &[
    "ka", "to", "ri", "mon", "sa", "ven", "lo", "dar", "pe", "qui", "nor", "ta", "bel", "fi",
    "gra", "hu", "mi", "zen", "ost", "ple", "ran", "cor", "vi", "dus", "el", "ba", "tre", "kor",
];

struct Corpus {
    words: Vec<String>,
    word_zipf: Zipf,
    symbols: Vec<String>,
    symbol_zipf: Zipf,
}

impl Corpus {
    fn new() -> Corpus {
        let mut rng = Rng(7);
        let mut words: Vec<String> = FUNCTION_WORDS.iter().map(|w| w.to_string()).collect();
        // Market words sit among the frequent ranks, interleaved with invented words.
        let mut market = MARKET_WORDS.iter();
        let mut seen = std::collections::HashSet::new();
        while words.len() < 3_000 {
            if words.len().is_multiple_of(3)
                && let Some(w) = market.next()
            {
                words.push(w.to_string());
                continue;
            }
            let n = 2 + rng.below(3);
            let w: String = (0..n)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            if seen.insert(w.clone()) && !MARKET_WORDS.contains(&w.as_str()) {
                words.push(w);
            }
        }
        let symbols = (0..SYMBOLS)
            .map(|i| match i % 4 {
                0 => format!("{:04}.T", 1000 + i * 13),
                1 => format!("JP{}", 100 + i),
                2 => format!("{}{}X", (b'A' + (i % 26) as u8) as char, i),
                _ => format!("US{:03}", i),
            })
            .collect();
        Corpus {
            word_zipf: Zipf::new(words.len(), 1.0),
            words,
            symbols,
            symbol_zipf: Zipf::new(SYMBOLS, 0.8),
        }
    }

    fn text(&self, rng: &mut Rng, n: usize) -> String {
        let mut s = String::with_capacity(n * 7);
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&self.words[self.word_zipf.sample(rng)]);
            if i % 17 == 16 {
                s.push('.');
            }
        }
        s
    }

    fn doc(&self, id: i64, n_docs: i64) -> IndexDoc {
        let mut rng = Rng(id as u64 ^ 0xdead_beef);
        let title_words = 8 + rng.below(5);
        let title = self.text(&mut rng, title_words);
        let body_words = 120 + rng.below(61);
        let body = self.text(&mut rng, body_words);
        let source = rng.below(SOURCES);
        let k = 1 + rng.below(3);
        let mut instruments: Vec<String> = Vec::with_capacity(k);
        while instruments.len() < k {
            let s = &self.symbols[self.symbol_zipf.sample(&mut rng)];
            if !instruments.contains(s) {
                instruments.push(s.clone());
            }
        }
        let base = START + SPAN_SECS * id / n_docs.max(1);
        let jitter = rng.below(86_400) as i64 - 43_200;
        IndexDoc {
            id,
            title,
            body,
            source: format!("source-{source:02}"),
            source_name: format!("Source {source:02} News"),
            instruments,
            sort_at: Timestamp::from_second(base + jitter).unwrap(),
        }
    }

    /// A query word: a content word, Zipf-like (common words come up often).
    fn query_word(&self, rng: &mut Rng) -> &str {
        loop {
            let w = &self.words[self.word_zipf.sample(rng)];
            if !FUNCTION_WORDS.contains(&w.as_str()) {
                return w;
            }
        }
    }

    fn symbol(&self, rng: &mut Rng) -> String {
        self.symbols[self.symbol_zipf.sample(rng)].clone()
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

struct Scenario {
    name: &'static str,
    queries: Vec<SearchQuery>,
}

fn scenarios(corpus: &Corpus, per: usize) -> Vec<Scenario> {
    let mut rng = Rng(2024);
    let mut out = Vec::new();
    let top10 = |text: String, sort: SortOrder| SearchQuery {
        text,
        sort,
        limit: 10,
        ..SearchQuery::default()
    };
    let words = |rng: &mut Rng, n: usize| {
        (0..n)
            .map(|_| corpus.query_word(rng).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    out.push(Scenario {
        name: "(a) relevance, 1-3 words",
        queries: (0..per)
            .map(|_| {
                let n = 1 + rng.below(3);
                top10(words(&mut rng, n), SortOrder::Relevance)
            })
            .collect(),
    });
    out.push(Scenario {
        name: "(b) date, 1 word",
        queries: (0..per)
            .map(|_| top10(words(&mut rng, 1), SortOrder::Date))
            .collect(),
    });
    out.push(Scenario {
        name: "(c) relevance + instrument",
        queries: (0..per)
            .map(|_| {
                let n = 1 + rng.below(2);
                SearchQuery {
                    instrument: Some(corpus.symbol(&mut rng)),
                    ..top10(words(&mut rng, n), SortOrder::Relevance)
                }
            })
            .collect(),
    });
    out.push(Scenario {
        name: "(d) date + source + range",
        queries: (0..per)
            .map(|_| {
                let from = START + rng.below(SPAN_SECS as usize) as i64;
                let len = 86_400 * (7 + rng.below(180) as i64);
                SearchQuery {
                    source: Some(format!("source-{:02}", rng.below(SOURCES))),
                    from: Some(Timestamp::from_second(from).unwrap()),
                    to: Some(Timestamp::from_second(from + len).unwrap()),
                    ..top10(words(&mut rng, 1), SortOrder::Date)
                }
            })
            .collect(),
    });
    out.push(Scenario {
        name: "(e) empty + instrument, date",
        queries: (0..per)
            .map(|_| SearchQuery {
                instrument: Some(corpus.symbol(&mut rng)),
                ..top10(String::new(), SortOrder::Date)
            })
            .collect(),
    });
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

async fn index_corpus(index: &dyn SearchIndex, corpus: &Corpus, n: usize, batch: usize) {
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut id = 1usize;
    let mut slowest = Duration::ZERO;
    while id <= n {
        let end = (id + batch - 1).min(n);
        let docs: Vec<IndexDoc> = (id..=end).map(|i| corpus.doc(i as i64, n as i64)).collect();
        let t = Instant::now();
        index.apply(&docs, &[], end as i64).await.unwrap();
        slowest = slowest.max(t.elapsed());
        id = end + 1;
        if last_report.elapsed() > Duration::from_secs(30) {
            let rate = end as f64 / started.elapsed().as_secs_f64();
            eprintln!("  … {end} documents, {rate:.0} docs/s");
            last_report = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}: indexed {n} documents in batches of {batch} in {secs:.1} s: {:.0} docs/s \
         (slowest apply, merges included: {:.2} s)",
        index.backend(),
        n as f64 / secs,
        slowest.as_secs_f64()
    );
}

async fn run_queries(index: &dyn SearchIndex, scenarios: &[Scenario]) -> f64 {
    // Warm up: page in the index files touched by each scenario.
    for s in scenarios {
        for q in s.queries.iter().take(20) {
            index.search(q).await.unwrap();
        }
    }
    println!(
        "{:<32} {:>9} {:>9} {:>9} {:>12}",
        format!("{} scenario", index.backend()),
        "p50 ms",
        "p99 ms",
        "max ms",
        "mean hits"
    );
    let mut worst_p99: f64 = 0.0;
    for s in scenarios {
        let mut times = Vec::with_capacity(s.queries.len());
        let mut total_matches = 0u64;
        for q in &s.queries {
            let t = Instant::now();
            let page = index.search(q).await.unwrap();
            times.push(t.elapsed());
            total_matches += page.total;
        }
        times.sort_unstable();
        let p99 = percentile(&times, 0.99);
        worst_p99 = worst_p99.max(p99);
        println!(
            "{:<32} {:>9.2} {:>9.2} {:>9.2} {:>12.0}",
            s.name,
            percentile(&times, 0.5),
            p99,
            times.last().unwrap().as_secs_f64() * 1e3,
            total_matches as f64 / s.queries.len() as f64
        );
    }
    println!(
        "{} search p99 max over scenarios: {worst_p99:.1} ms (target 20)",
        index.backend()
    );
    worst_p99
}

async fn tantivy_bench(corpus: &Corpus) {
    let n = env_usize("NEWSDESK_SEARCH_BENCH_DOCS", 1_000_000);
    let batch = env_usize("NEWSDESK_SEARCH_BENCH_BATCH", 500).max(1);
    let per = env_usize("NEWSDESK_SEARCH_BENCH_QUERIES", 500).max(1);
    let (dir, _tmp) = match std::env::var("NEWSDESK_SEARCH_BENCH_DIR") {
        Ok(d) => (PathBuf::from(d), None),
        Err(_) => {
            let tmp = tempfile::tempdir().unwrap();
            (tmp.path().join("search"), Some(tmp))
        }
    };
    let index: Arc<dyn SearchIndex> = Arc::new(TantivyIndex::open(&dir).unwrap());
    if index.applied_seq().await.unwrap() == n as i64 && index.count().await.unwrap() == n as u64 {
        println!(
            "tantivy: reusing the index in {} ({n} documents)",
            dir.display()
        );
    } else {
        index.clear().await.unwrap();
        index_corpus(&*index, corpus, n, batch).await;
    }
    let scenarios = scenarios(corpus, per);
    run_queries(&*index, &scenarios).await;
}

async fn postgres_bench(corpus: &Corpus) {
    let (Ok(url), Ok("1")) = (
        std::env::var("NEWSDESK_TEST_DATABASE_URL"),
        std::env::var("NEWSDESK_SEARCH_BENCH_PG").as_deref(),
    ) else {
        println!(
            "postgres: skipped (set NEWSDESK_SEARCH_BENCH_PG=1 and NEWSDESK_TEST_DATABASE_URL)"
        );
        return;
    };
    pg::run(&url, corpus).await;
}

mod pg {
    use std::str::FromStr;

    use newsdesk_search::PgSearchIndex;
    use newsdesk_store::PgPoolSettings;
    use sqlx::postgres::PgConnectOptions;
    use sqlx::{AssertSqlSafe, Connection, PgConnection};

    use super::*;

    /// Indexes and queries a fresh database (dropped afterwards) through `url`, or the database
    /// named by `NEWSDESK_SEARCH_BENCH_PG_DB` (kept, and reused when it holds the corpus).
    pub async fn run(url: &str, corpus: &Corpus) {
        let n = env_usize("NEWSDESK_SEARCH_BENCH_PG_DOCS", 100_000);
        let batch = env_usize("NEWSDESK_SEARCH_BENCH_BATCH", 500).max(1);
        let per = env_usize("NEWSDESK_SEARCH_BENCH_QUERIES", 500).max(1);
        let kept = std::env::var("NEWSDESK_SEARCH_BENCH_PG_DB").ok();
        let database = kept
            .clone()
            .unwrap_or_else(|| format!("newsdesk_search_bench_{}", std::process::id()));
        let mut admin = PgConnection::connect(url).await.unwrap();
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&database)
                .fetch_one(&mut admin)
                .await
                .unwrap();
        if !exists {
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        let options = PgConnectOptions::from_str(url).unwrap().database(&database);
        let index = PgSearchIndex::connect_with(options, &PgPoolSettings::default())
            .await
            .unwrap();
        if index.applied_seq().await.unwrap() == n as i64
            && index.count().await.unwrap() == n as u64
        {
            println!("postgres: reusing database {database} ({n} documents)");
        } else {
            index.clear().await.unwrap();
            index_corpus(&index, corpus, n, batch).await;
            sqlx::query("VACUUM ANALYZE search_docs")
                .execute(index.pool())
                .await
                .unwrap();
        }
        let scenarios = scenarios(corpus, per);
        run_queries(&index, &scenarios).await;
        index.close().await;
        if kept.is_none() {
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .unwrap();
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing special. Only run the
    // heavy part under `cargo bench` (or when asked directly).
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("search_speed: run with `cargo bench -p newsdesk-search --bench search_speed`");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let corpus = Corpus::new();
    rt.block_on(async {
        tantivy_bench(&corpus).await;
        postgres_bench(&corpus).await;
    });
}
