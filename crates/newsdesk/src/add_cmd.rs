//! `newsdesk add`: extract inputs and store them as articles (new stories, or new revisions of
//! known ones), then bring the search index up to date.
//!
//! Inputs are HTML pages, pasted text, or `.jsonl` files of articles already extracted
//! (`newsdesk extract --format article`). Articles are stored in batches, each batch one store
//! transaction, so a crash (even SIGKILL) leaves every article either completely stored or not at
//! all. The index is caught up from the store's change log after the batches; the catch-up
//! replays everything since the index's last commit, so an earlier add that died before its
//! catch-up is repaired by the next `add` (or by `serve`, which catches up before serving), and
//! search never loses a stored article.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jiff::Timestamp;
use newsdesk_article::Article;
use newsdesk_extract::ExtractOptions;
use newsdesk_store::{Id, InstrumentLink, LinkRole, NewArticle, NewSource, Store, UpsertOutcome};

use crate::backends::Backends;
use crate::cli::AddArgs;
use crate::inputs::{self, Input};

/// Counts of what an add did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddSummary {
    /// New stories.
    pub inserted: u64,
    /// Known stories with changed content (a new revision).
    pub revised: u64,
    /// Known stories with the same content (nothing written).
    pub unchanged: u64,
    /// Stories removed earlier (tombstoned; not re-added).
    pub removed: u64,
    /// Inputs or lines that could not be read or extracted.
    pub failed: u64,
}

impl AddSummary {
    fn count(&mut self, outcome: &UpsertOutcome) {
        match outcome {
            UpsertOutcome::Inserted { .. } => self.inserted += 1,
            UpsertOutcome::Revised { .. } => self.revised += 1,
            UpsertOutcome::Unchanged { .. } => self.unchanged += 1,
            UpsertOutcome::Removed { .. } => self.removed += 1,
        }
    }
}

/// The instrument links an article carries by itself: the chips its page printed, named and
/// typed as `kb` knows them (a printed `.N225` is the index `JP225`), one per symbol. The tagger
/// (a later stage) adds links with reasons of its own.
pub fn printed_links(article: &Article, kb: Option<&newsdesk_tag::Kb>) -> Vec<InstrumentLink> {
    let mut seen = std::collections::HashSet::new();
    article
        .printed_instruments
        .iter()
        .filter(|s| !s.is_empty())
        .map(|printed| match kb.and_then(|kb| kb.instrument(printed)) {
            Some(known) => (known.symbol.clone(), known.kind.as_str(), printed),
            None => (printed.clone(), "unknown", printed),
        })
        .filter(|(symbol, _, _)| seen.insert(symbol.to_ascii_uppercase()))
        .map(|(symbol, kind, printed)| InstrumentLink {
            symbol,
            kind: kind.into(),
            role: LinkRole::Primary,
            score_bp: 10_000,
            reasons: serde_json::json!({
                "explain": "printed on the source page",
                "evidence": [{ "rule": "printed", "text": printed }],
            }),
        })
        .collect()
}

/// Where a story is filed when the command line names no source: the canonical URL's host
/// (without `www.`), else `local`.
pub fn source_for(article: &Article, zone: &str) -> NewSource {
    let host = article
        .url
        .as_deref()
        .and_then(|u| u.split_once("://").map(|(_, rest)| rest))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .map(|h| h.rsplit('@').next().unwrap_or(h))
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
        .map(|h| h.strip_prefix("www.").map(str::to_string).unwrap_or(h))
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        });
    match host {
        Some(h) => NewSource {
            slug: h.replace('.', "-"),
            name: article
                .source
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(h.clone()),
            homepage_url: Some(format!("https://{h}/")),
            time_zone: zone.to_string(),
        },
        // Without a URL the article's own source line is often the wire agency ("Reuters"), not
        // the publisher: file it under one neutral source rather than name it after the first.
        None => NewSource {
            slug: "local".into(),
            name: "Local files".into(),
            homepage_url: None,
            time_zone: zone.to_string(),
        },
    }
}

/// A batch being written by a background task.
type Writing = tokio::task::JoinHandle<newsdesk_store::Result<Vec<UpsertOutcome>>>;

/// Stores articles in batches and remembers source ids.
///
/// A full batch is written by a background task while the caller reads, extracts and tags the
/// next one, so input work and the database's work overlap; at most one batch is in flight, so
/// memory stays bounded and outcomes are counted in order.
pub struct Ingest<'a> {
    store: Arc<dyn Store>,
    tagger: Option<newsdesk_tag::Tagger<'a>>,
    batch: Vec<NewArticle>,
    batch_size: usize,
    sources: HashMap<String, Id>,
    writing: Option<Writing>,
    /// What happened so far (batches still being written are counted by [`Ingest::finish`]).
    pub summary: AddSummary,
}

impl<'a> Ingest<'a> {
    /// A new ingest into `store`, committing every `batch_size` articles, tagging each article
    /// with `kb` when given.
    pub fn new(store: Arc<dyn Store>, kb: Option<&'a newsdesk_tag::Kb>, batch_size: usize) -> Self {
        Ingest {
            store,
            tagger: kb.map(newsdesk_tag::Tagger::new),
            batch: Vec::new(),
            batch_size: batch_size.clamp(1, 1000),
            sources: HashMap::new(),
            writing: None,
            summary: AddSummary::default(),
        }
    }

    /// The id of `source`, created when its slug is new. An existing source keeps its name and
    /// zone: configuration, not each input, decides those.
    pub async fn source_id(&mut self, source: &NewSource) -> anyhow::Result<Id> {
        if let Some(id) = self.sources.get(&source.slug) {
            return Ok(*id);
        }
        let id = match self.store.get_source_by_slug(&source.slug).await? {
            Some(s) => s.id,
            None => self.store.upsert_source(source).await?.id,
        };
        self.sources.insert(source.slug.clone(), id);
        Ok(id)
    }

    /// Queues one article; hands the batch to the writer when it is full.
    pub async fn push(
        &mut self,
        source_id: Id,
        article: Article,
        fetched_at: Timestamp,
    ) -> anyhow::Result<()> {
        let links = crate::tagging::links_for(&article, self.tagger.as_mut());
        self.batch.push(NewArticle {
            source_id,
            article,
            fetched_at,
            links: (!links.is_empty()).then_some(links),
        });
        if self.batch.len() >= self.batch_size {
            self.flush().await?;
        }
        Ok(())
    }

    /// Hands the queued articles to the writer (one transaction), after the previous batch
    /// has been committed.
    pub async fn flush(&mut self) -> anyhow::Result<()> {
        self.wait().await?;
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let store = Arc::clone(&self.store);
        self.writing = Some(tokio::spawn(
            async move { store.upsert_articles(&batch).await },
        ));
        Ok(())
    }

    /// Commits everything queued and waits for it; afterwards [`Ingest::summary`] is complete.
    pub async fn finish(&mut self) -> anyhow::Result<AddSummary> {
        self.flush().await?;
        self.wait().await?;
        Ok(self.summary)
    }

    /// Waits for the batch in flight, if any, and counts its outcomes.
    async fn wait(&mut self) -> anyhow::Result<()> {
        let Some(writing) = self.writing.take() else {
            return Ok(());
        };
        let outcomes = writing
            .await
            .context("the batch writer stopped")?
            .context("storing a batch of articles")?;
        for o in &outcomes {
            self.summary.count(o);
        }
        Ok(())
    }
}

/// Runs `newsdesk add`.
pub async fn run_add(
    args: &AddArgs,
    backends: &Backends,
    kb: &newsdesk_tag::Kb,
    fetch: newsdesk_fetch::FetchConfig,
) -> anyhow::Result<ExitCode> {
    let now = args.now.unwrap_or_else(Timestamp::now);
    let zone_name = args
        .tz
        .as_ref()
        .map_or_else(|| "UTC".to_string(), newsdesk_article::zone_name);
    let opts = ExtractOptions {
        url: args.url.clone(),
        zone: args.tz.clone(),
        now: Some(now),
        content_type: None,
        max_input_bytes: args.max_bytes,
    };
    let mut ingest = Ingest::new(Arc::clone(&backends.store), Some(kb), args.batch);
    let stderr = std::io::stderr();
    let mut fetcher: Option<newsdesk_fetch::Fetcher> = None;
    let mut fetch = fetch;
    fetch.max_body_bytes = fetch.max_body_bytes.min(args.max_bytes as u64);
    for arg in &args.inputs {
        let text = arg.to_string_lossy();
        if is_url(&text) {
            if fetcher.is_none() {
                fetcher = Some(
                    newsdesk_fetch::Fetcher::new(fetch.clone())
                        .context("setting up the HTTP client")?,
                );
            }
            let Some(f) = fetcher.as_ref() else { continue };
            match fetch_article(f, &text, &opts).await {
                Ok(article) => {
                    let source = named_source(args, &article, &zone_name);
                    let sid = ingest.source_id(&source).await?;
                    ingest.push(sid, article, now).await?;
                }
                Err(e) => {
                    let _ = writeln!(stderr.lock(), "newsdesk: {text}: {e:#}");
                    ingest.summary.failed += 1;
                }
            }
            continue;
        }
        add_paths(
            std::slice::from_ref(arg),
            args,
            &opts,
            &zone_name,
            now,
            &mut ingest,
        )
        .await?;
    }
    let s = ingest.finish().await?;
    let indexed = backends.catch_up().await?;
    println!(
        "added: {} new, {} revised, {} unchanged, {} removed earlier, {} failed; search index at change {} ({} documents updated)",
        s.inserted, s.revised, s.unchanged, s.removed, s.failed, indexed.seq, indexed.indexed
    );
    Ok(if s.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// True for arguments that name a web page rather than a file.
fn is_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Fetches one page through the guarded fetcher and extracts it, with the final URL (after
/// redirects) as base and fallback canonical URL and the response's charset.
async fn fetch_article(
    fetcher: &newsdesk_fetch::Fetcher,
    url: &str,
    opts: &ExtractOptions,
) -> anyhow::Result<Article> {
    let page = fetcher.get(url, None).await?;
    let mut opts = opts.clone();
    opts.url = Some(page.final_url.clone());
    opts.content_type = page.content_type.clone();
    let is_text = page
        .content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/plain"));
    let body = page.body;
    let article = tokio::task::spawn_blocking(move || {
        if is_text {
            newsdesk_extract::extract_text(&body, &opts)
        } else {
            newsdesk_extract::extract_html(&body, &opts)
        }
    })
    .await
    .context("extraction task")??;
    Ok(article)
}

async fn add_paths(
    paths: &[std::path::PathBuf],
    args: &AddArgs,
    opts: &ExtractOptions,
    zone_name: &str,
    now: Timestamp,
    ingest: &mut Ingest<'_>,
) -> anyhow::Result<()> {
    let stderr = std::io::stderr();
    for entry in inputs::expand(paths) {
        let input = match entry {
            Ok(i) => i,
            Err((path, e)) => {
                let _ = writeln!(stderr.lock(), "newsdesk: {path}: {e:#}");
                ingest.summary.failed += 1;
                continue;
            }
        };
        if input.is_article_lines() {
            add_article_lines(&input, args, zone_name, now, ingest).await?;
            continue;
        }
        let article = inputs::read(&input, args.max_bytes).and_then(|bytes| {
            let kind = inputs::kind(&input, &bytes, args.as_kind);
            crate::extract_cmd::extract_bytes(&bytes, kind, opts).map_err(anyhow::Error::from)
        });
        match article {
            Ok(article) => {
                let source = named_source(args, &article, zone_name);
                let sid = ingest.source_id(&source).await?;
                ingest.push(sid, article, now).await?;
            }
            Err(e) => {
                let _ = writeln!(stderr.lock(), "newsdesk: {}: {e:#}", input.display());
                ingest.summary.failed += 1;
            }
        }
    }
    Ok(())
}

fn named_source(args: &AddArgs, article: &Article, zone: &str) -> NewSource {
    let mut source = source_for(article, zone);
    if let Some(slug) = &args.source {
        source.slug = slug.clone();
        if source.homepage_url.is_none() && args.source_name.is_none() && article.source.is_none() {
            source.name = slug.clone();
        }
    }
    if let Some(name) = &args.source_name {
        source.name = name.clone();
    }
    source
}

async fn add_article_lines(
    input: &Input,
    args: &AddArgs,
    zone: &str,
    now: Timestamp,
    ingest: &mut Ingest<'_>,
) -> anyhow::Result<()> {
    let bytes = match inputs::read(input, args.max_bytes) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("newsdesk: {}: {e:#}", input.display());
            ingest.summary.failed += 1;
            return Ok(());
        }
    };
    for (n, line) in bytes.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("newsdesk: {}:{}: {e}", input.display(), n + 1);
                ingest.summary.failed += 1;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Article>(&line) {
            Ok(article) => {
                let source = named_source(args, &article, zone);
                let sid = ingest.source_id(&source).await?;
                ingest.push(sid, article, now).await?;
            }
            Err(e) => {
                eprintln!(
                    "newsdesk: {}:{}: not an article: {e}",
                    input.display(),
                    n + 1
                );
                ingest.summary.failed += 1;
            }
        }
    }
    Ok(())
}
