//! `newsdesk feeds …` (subscriptions, OPML, refresh, status) and `newsdesk worker`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use newsdesk_article::Article;
use newsdesk_store::{Feed, FullText, NewFeed, Store};

use crate::backends::Backends;
use crate::cli::{FeedsAction, FullTextArg, IngestArgs};
use crate::config::Config;
use crate::worker::{Ingester, WorkerSettings};

/// Default polling interval, minutes.
pub const DEFAULT_INTERVAL_MINUTES: u64 = 30;

/// Runs `newsdesk feeds ACTION`.
pub async fn run_feeds(
    action: &FeedsAction,
    config: &Config,
    backends: &Backends,
) -> anyhow::Result<ExitCode> {
    let store = backends.store.as_ref();
    let now = Timestamp::now();
    match action {
        FeedsAction::Add {
            url,
            full_text,
            zone,
            interval,
            source,
        } => {
            let feed = add_one(
                store,
                url,
                *full_text,
                zone.as_deref(),
                *interval,
                source.as_deref(),
                now,
            )
            .await?;
            println!(
                "feed {}: {} (source {}, next poll now)",
                feed.id, feed.url, feed.source_id
            );
        }
        FeedsAction::List => {
            for f in store.list_feeds().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}m\t{}",
                    f.id,
                    f.url,
                    f.title.as_deref().unwrap_or("-"),
                    f.full_text.as_str(),
                    f.interval_s / 60,
                    f.zone
                );
            }
        }
        FeedsAction::Remove { feed } => {
            let Some(f) = find(store, feed).await? else {
                anyhow::bail!("no feed {feed:?}");
            };
            store.remove_feed(f.id).await?;
            println!("removed feed {}: {} (its stories stay)", f.id, f.url);
        }
        FeedsAction::Import { file } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let opml = newsdesk_feed::parse_opml(&bytes)
                .with_context(|| format!("reading {} as OPML", file.display()))?;
            for w in &opml.warnings {
                eprintln!("newsdesk: {}: {w}", file.display());
            }
            let mut added = 0;
            for f in &opml.feeds {
                add_one(store, f.xml_url.as_str(), None, None, None, None, now).await?;
                added += 1;
            }
            println!("imported {added} feeds");
        }
        FeedsAction::Export => {
            let feeds: Vec<newsdesk_feed::OpmlFeed> = store
                .list_feeds()
                .await?
                .into_iter()
                .filter_map(|f| {
                    Some(newsdesk_feed::OpmlFeed {
                        xml_url: url::Url::parse(&f.url).ok()?,
                        html_url: None,
                        title: f.title.unwrap_or_default(),
                        category: Vec::new(),
                    })
                })
                .collect();
            print!(
                "{}",
                newsdesk_feed::write_opml(&feeds, "newsdesk subscriptions")
            );
        }
        FeedsAction::Refresh { all, ingest } => {
            let ingester = ingester(config, backends, ingest)?;
            ingester.schedule(*all, now).await?;
            let (_tx, rx) = tokio::sync::watch::channel(false);
            ingester.run(true, None, rx).await?;
            let indexed = backends.catch_up().await?;
            let t = ingester.totals();
            println!(
                "refresh: {} feeds, {} new, {} updated, {} unchanged, {} failed; search index at change {}",
                t.feeds, t.new, t.updated, t.unchanged, t.failed, indexed.seq
            );
            return Ok(if t.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        FeedsAction::Status => {
            println!(
                "{:<4} {:<40} {:<20} {:<20} {:>6}  {:<8} LAST ERROR",
                "ID", "FEED", "LAST FETCH", "NEXT DUE", "ITEMS", "PAUSED"
            );
            for f in store.list_feeds().await? {
                println!(
                    "{:<4} {:<40} {:<20} {:<20} {:>6}  {:<8} {}",
                    f.id,
                    f.url,
                    f.last_fetch_at.map_or("never".into(), short_time),
                    short_time(f.next_due_at),
                    f.items,
                    f.paused_reason.as_deref().map_or("no", |_| "yes"),
                    status_error(&f),
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The error column: why the feed is paused, else its last error.
fn status_error(f: &Feed) -> String {
    let text = f
        .paused_reason
        .as_deref()
        .or(f.last_error.as_deref())
        .unwrap_or("-");
    // One line, whatever the server sent.
    text.replace(['\n', '\r', '\t'], " ")
}

fn short_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

async fn find(store: &dyn Store, feed: &str) -> anyhow::Result<Option<Feed>> {
    if let Ok(id) = feed.parse::<i64>() {
        return Ok(store.get_feed(id).await?);
    }
    Ok(store.get_feed_by_url(feed).await?)
}

async fn add_one(
    store: &dyn Store,
    url: &str,
    full_text: Option<FullTextArg>,
    zone: Option<&str>,
    interval: Option<u64>,
    source: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<Feed> {
    let zone = zone.unwrap_or("UTC");
    let tz = newsdesk_article::parse_zone(zone)
        .with_context(|| format!("unknown time zone {zone:?}"))?;
    let zone = newsdesk_article::zone_name(&tz);
    let probe = Article {
        url: Some(url.to_string()),
        ..Article::default()
    };
    let mut new_source = crate::add_cmd::source_for(&probe, &zone);
    if let Some(slug) = source {
        new_source.slug = slug.to_string();
        new_source.name = slug.to_string();
    }
    let source_id = match store.get_source_by_slug(&new_source.slug).await? {
        Some(s) => s.id,
        None => store.upsert_source(&new_source).await?.id,
    };
    let minutes = interval.unwrap_or(DEFAULT_INTERVAL_MINUTES);
    let feed = NewFeed {
        url: url.to_string(),
        source_id,
        full_text: match full_text.unwrap_or(FullTextArg::Auto) {
            FullTextArg::Auto => FullText::Auto,
            FullTextArg::Always => FullText::Always,
            FullTextArg::Never => FullText::Never,
        },
        zone,
        interval_s: i64::try_from(minutes.saturating_mul(60)).unwrap_or(i64::MAX),
    };
    store
        .add_feed(&feed, now)
        .await
        .with_context(|| format!("adding feed {url}"))
}

/// The ingester a command line asks for: the configured fetcher plus `--allow-host`, the
/// tagger's knowledge base, and the worker settings.
pub fn ingester(
    config: &Config,
    backends: &Backends,
    args: &IngestArgs,
) -> anyhow::Result<Arc<Ingester>> {
    let mut fetch = config.fetch.clone();
    fetch.allow_hosts.extend(args.allow_hosts.iter().cloned());
    let fetcher = newsdesk_fetch::Fetcher::new(fetch).context("setting up the HTTP client")?;
    let kb = crate::tagging::load_kb(config)?;
    let settings = WorkerSettings {
        workers: args.workers.max(1),
        lease: SignedDuration::from_secs(i64::try_from(args.lease_secs.max(1)).unwrap_or(60)),
        ..WorkerSettings::default()
    };
    Ok(Arc::new(Ingester::new(
        backends.store.clone(),
        fetcher,
        Some(Arc::new(kb)),
        settings,
    )))
}

/// Runs the ingest workers and scheduler until `stop` says so, catching the search index up
/// every few seconds. Used by `newsdesk worker` and, in-process, by `serve`.
pub async fn run_ingest(
    ingester: Arc<Ingester>,
    backends: Backends,
    stop: tokio::sync::watch::Receiver<bool>,
    catch_up: bool,
) -> anyhow::Result<()> {
    let mut stop_index = stop.clone();
    let indexer = tokio::spawn(async move {
        if !catch_up {
            return;
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop_index.changed() => {}
            }
            if let Err(e) = backends.catch_up().await {
                tracing::warn!(error = %format!("{e:#}"), "search index catch-up");
            }
            if *stop_index.borrow() {
                return;
            }
        }
    });
    let res = ingester
        .run(false, Some(Duration::from_secs(30)), stop)
        .await;
    let _ = indexer.await;
    res
}

/// Runs `newsdesk worker` until SIGINT or SIGTERM.
pub async fn run_worker(
    args: &IngestArgs,
    config: &Config,
    backends: &Backends,
) -> anyhow::Result<ExitCode> {
    let ingester = ingester(config, backends, args)?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let quotes = crate::quotes::spawn_if_configured(config, backends.store.clone(), rx.clone())?;
    let task = tokio::spawn(run_ingest(ingester, backends.clone(), rx, true));
    crate::serve_cmd::shutdown_signal().await;
    let _ = tx.send(true);
    if let Some(q) = quotes {
        let _ = q.await;
    }
    task.await.context("worker task")??;
    Ok(ExitCode::SUCCESS)
}
