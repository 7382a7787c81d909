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
            let progress = crate::progress::bar(opml.feeds.len() as u64, "feeds import");
            let mut added = 0;
            for f in &opml.feeds {
                progress.set_message(f.xml_url.to_string());
                add_one(store, f.xml_url.as_str(), None, None, None, None, now).await?;
                added += 1;
                progress.inc(1);
            }
            progress.finish_and_clear();
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
            // Feed polls enqueue page fetches as they go, so the bar's length grows with them.
            let progress = crate::progress::bar(0, "feeds refresh");
            let ticker = {
                let (ingester, progress) = (ingester.clone(), progress.clone());
                tokio::spawn(async move {
                    loop {
                        let (done, queued) = ingester.progress();
                        let t = ingester.totals();
                        progress.set_length(queued as u64);
                        progress.set_position(done as u64);
                        progress.set_message(format!(
                            "{} feeds, {} new, {} failed",
                            t.feeds, t.new, t.failed
                        ));
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                })
            };
            let (_tx, rx) = tokio::sync::watch::channel(false);
            let ran = ingester.run(true, None, rx).await;
            ticker.abort();
            progress.finish_and_clear();
            ran?;
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
            let feeds = store.list_feeds().await?;
            print!("{}", status_table(&feeds));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Longest feed title shown in the status table; longer ones are cut with `…`.
const STATUS_TITLE_CHARS: usize = 32;

/// `feeds status`: one row per feed, columns padded to their widest cell.
fn status_table(feeds: &[Feed]) -> String {
    let header = [
        "ID",
        "FEED",
        "TITLE",
        "LAST FETCH",
        "NEXT DUE",
        "ITEMS",
        "FAILS",
        "STATUS",
        "LAST ERROR",
    ];
    let rows: Vec<[String; 9]> = feeds
        .iter()
        .map(|f| {
            let mut title = f
                .title
                .as_deref()
                .unwrap_or("-")
                .replace(['\n', '\r', '\t'], " ");
            if title.chars().count() > STATUS_TITLE_CHARS {
                title = title.chars().take(STATUS_TITLE_CHARS - 1).collect();
                title.push('…');
            }
            [
                f.id.to_string(),
                f.url.clone(),
                title,
                f.last_fetch_at.map_or("never".into(), short_time),
                short_time(f.next_due_at),
                f.items.to_string(),
                f.failures.to_string(),
                if f.paused_reason.is_some() {
                    "paused".into()
                } else if f.last_error.is_some() {
                    "failing".into()
                } else {
                    "ok".into()
                },
                status_error(f),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Numbers align right; the last column is not padded.
    let right = [true, false, false, false, false, true, true, false, false];
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else if right[i] {
                out.push_str(&format!("{cell:>w$}  ", w = widths[i]));
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(id: i64, url: &str, title: Option<&str>) -> Feed {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        Feed {
            id,
            url: url.into(),
            title: title.map(Into::into),
            source_id: 1,
            full_text: FullText::Auto,
            zone: "UTC".into(),
            interval_s: 1800,
            etag: None,
            last_modified: None,
            last_fetch_at: None,
            next_due_at: t,
            failures: 0,
            paused_reason: None,
            last_error: None,
            created_at: t,
            items: 0,
        }
    }

    #[test]
    fn status_is_an_aligned_table() {
        let mut failing = feed(
            12,
            "https://a-much-longer-host.example.com/feeds/all.xml",
            None,
        );
        failing.failures = 3;
        failing.last_error = Some("HTTP 503\nService Unavailable".into());
        failing.items = 1234;
        let mut paused = feed(7, "https://x.example/rss", Some(&"Long title ".repeat(10)));
        paused.paused_reason = Some("gone: the server answered 410".into());
        let table = status_table(&[
            feed(1, "https://b.example/feed", Some("B")),
            failing,
            paused,
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        // Every column starts where its header starts.
        for header in [
            "FEED",
            "TITLE",
            "LAST FETCH",
            "NEXT DUE",
            "STATUS",
            "LAST ERROR",
        ] {
            let col = lines[0].find(header).unwrap();
            for line in &lines[1..] {
                let before = &line[..line.char_indices().nth(col).unwrap().0];
                assert!(before.ends_with("  "), "{header} in {line:?}\n{table}");
            }
        }
        // Right-aligned numbers end where their header ends.
        let items_end = lines[0].find("ITEMS").unwrap() + "ITEMS".len();
        assert_eq!(&lines[2][items_end - 4..items_end], "1234", "{table}");
        assert!(lines[2].contains("failing") && lines[2].ends_with("HTTP 503 Service Unavailable"));
        assert!(lines[3].contains("paused") && lines[3].contains("…"));
        assert!(lines[1].contains(" ok ") && lines[1].contains("never"));
    }
}
