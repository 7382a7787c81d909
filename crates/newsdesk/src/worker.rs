//! Ingest jobs and the worker loop.
//!
//! - `fetch_feed` (payload `{"feed_id"}`, dedupe key the feed id): conditional GET of the feed
//!   through the guarded fetcher, parse, store new and changed items exactly once
//!   ([`Store::ingest_items`]), and enqueue `fetch_page` for items that carry only a summary.
//!   The poll's outcome goes on the feed: validators, next due time (interval, backoff with
//!   jitter after a failure, or the server's `Retry-After` for 429/503), failures, and a pause
//!   after [`WorkerSettings::pause_after`] consecutive failures or on 410 Gone.
//! - `fetch_page` (payload feed id, item key, content hash, URL and the summary article): fetch
//!   the linked page, extract it, store it as the item's article. A page that cannot be had
//!   for good (or on the last attempt) stores the summary article instead.
//!
//! Both handlers are idempotent: re-running one stores nothing new (the item keys say what is
//! stored). Workers claim with a lease, heartbeat while a job runs, and fail with exponential
//! backoff plus jitter; a killed worker's job is taken over when its lease expires. On a stop
//! (SIGTERM) workers claim nothing new, give running jobs [`WorkerSettings::shutdown_grace`] to
//! finish, then drop the rest and queue them again at once, so a stop is quick and loses nothing.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use newsdesk_article::Article;
use newsdesk_fetch::{FetchError, Fetcher, Validators};
use newsdesk_store::{
    Feed, FeedItemOutcome, FeedPoll, FullText, Id, Job, NewArticle, NewFeedItem, NewJob, Store,
    UpsertOutcome, WakeChannel, Wakeup,
};
use serde::{Deserialize, Serialize};

use crate::feed_article;

/// Job kind: poll one feed.
pub const FETCH_FEED: &str = "fetch_feed";
/// Job kind: fetch one item's linked page for its full text.
pub const FETCH_PAGE: &str = "fetch_page";
/// Items per store transaction.
const ITEM_BATCH: usize = 200;

/// How workers behave. Every field has a default.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Concurrent jobs in this process (default 4).
    pub workers: usize,
    /// Lease on a claimed job; a heartbeat renews it every third of it (default 60 s).
    pub lease: SignedDuration,
    /// Consecutive failed polls that pause a feed (default 5).
    pub pause_after: i64,
    /// Attempts of a job before it is failed for good (default 5).
    pub max_attempts: i64,
    /// First retry delay; doubled per attempt up to `max_backoff` (default 30 s).
    pub base_backoff: SignedDuration,
    /// Longest retry delay (default 6 h).
    pub max_backoff: SignedDuration,
    /// How long an idle worker sleeps before looking for jobs again (default 1 s). On
    /// PostgreSQL an enqueue wakes idle workers at once (`LISTEN`/`NOTIFY`); this poll is the
    /// fallback for missed notifications and for jobs whose retry time has come.
    pub idle: Duration,
    /// After a stop, how long running jobs may go on before they are dropped and queued again
    /// (default 5 s: well inside the 10 s a container runtime waits before SIGKILL).
    pub shutdown_grace: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            workers: 4,
            lease: SignedDuration::from_secs(60),
            pause_after: 5,
            max_attempts: 5,
            base_backoff: SignedDuration::from_secs(30),
            max_backoff: SignedDuration::from_hours(6),
            idle: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// What the jobs of a run did, for `feeds refresh`'s summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Feeds polled.
    pub feeds: u64,
    /// New articles.
    pub new: u64,
    /// Articles revised by a changed item.
    pub updated: u64,
    /// Items already stored unchanged (and 304 responses count their feed once).
    pub unchanged: u64,
    /// Failed polls and pages.
    pub failed: u64,
}

/// The `fetch_page` payload.
#[derive(Debug, Serialize, Deserialize)]
struct PagePayload {
    feed_id: Id,
    item_key: String,
    content_hash: String,
    url: String,
    /// The article the item carries by itself, stored when the page cannot be had.
    fallback: Article,
}

/// Runs ingest jobs against one store.
#[derive(Debug)]
pub struct Ingester {
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    kb: Option<Arc<newsdesk_tag::Kb>>,
    settings: WorkerSettings,
    totals: Mutex<Totals>,
    /// Jobs this ingester enqueued and jobs it ran to an outcome, for progress bars.
    enqueued: AtomicUsize,
    finished: AtomicUsize,
}

impl Ingester {
    /// An ingester over `store`, fetching through `fetcher`, tagging with `kb` when given.
    pub fn new(
        store: Arc<dyn Store>,
        fetcher: Fetcher,
        kb: Option<Arc<newsdesk_tag::Kb>>,
        settings: WorkerSettings,
    ) -> Self {
        Ingester {
            store,
            fetcher,
            kb,
            settings,
            totals: Mutex::new(Totals::default()),
            enqueued: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
        }
    }

    /// What the jobs run so far did.
    pub fn totals(&self) -> Totals {
        self.totals.lock().map(|t| *t).unwrap_or_default()
    }

    /// Jobs run to an outcome (done, failed, or put back for a retry) and jobs enqueued by
    /// this ingester so far: `feeds refresh` draws its progress bar from these.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.finished.load(Ordering::Relaxed),
            self.enqueued.load(Ordering::Relaxed),
        )
    }

    fn add(&self, f: impl FnOnce(&mut Totals)) {
        if let Ok(mut t) = self.totals.lock() {
            f(&mut t);
        }
    }

    /// Enqueues a `fetch_feed` job for every due feed (or every feed not paused, with `all`).
    /// A feed with a job already queued or running gets no second one. Returns the feeds seen.
    pub async fn schedule(&self, all: bool, now: Timestamp) -> anyhow::Result<usize> {
        let feeds = if all {
            self.store
                .list_feeds()
                .await?
                .into_iter()
                .filter(|f| f.paused_reason.is_none())
                .collect()
        } else {
            self.store.due_feeds(now, 100_000).await?
        };
        for feed in &feeds {
            let job = NewJob::new(FETCH_FEED, serde_json::json!({ "feed_id": feed.id }), now)
                .dedupe(feed.id.to_string())
                .max_attempts(self.settings.max_attempts);
            self.store.enqueue(&job, now).await?;
            self.enqueued.fetch_add(1, Ordering::Relaxed);
        }
        Ok(feeds.len())
    }

    /// Runs `settings.workers` workers until no job is left to claim now (with `drain`), or
    /// until `stop` resolves. With `schedule_every`, due feeds are enqueued that often.
    pub async fn run(
        self: &Arc<Self>,
        drain: bool,
        schedule_every: Option<Duration>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let in_flight = Arc::new(AtomicUsize::new(0));
        // One LISTEN connection for the process; each worker task waits on its own clone.
        let wake = match self.store.subscribe(WakeChannel::Jobs).await {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, "no job notifications; polling only");
                Wakeup::never()
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..self.settings.workers.max(1) {
            let me = self.clone();
            let in_flight = in_flight.clone();
            let stop = stop.clone();
            let wake = wake.clone();
            let worker_id = format!("pid{}-w{n}", std::process::id());
            tasks.spawn(async move {
                me.worker_loop(worker_id, drain, in_flight, stop, wake)
                    .await
            });
        }
        drop(wake);
        if let Some(every) = schedule_every {
            let me = self.clone();
            let mut stop = stop.clone();
            tasks.spawn(async move {
                loop {
                    if let Err(e) = me.schedule(false, Timestamp::now()).await {
                        tracing::warn!(error = %format!("{e:#}"), "scheduling due feeds");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        _ = stop.changed() => return Ok(()),
                    }
                }
            });
        }
        while let Some(res) = tasks.join_next().await {
            res.context("worker task")??;
        }
        Ok(())
    }

    async fn worker_loop(
        self: Arc<Self>,
        worker_id: String,
        drain: bool,
        in_flight: Arc<AtomicUsize>,
        mut stop: tokio::sync::watch::Receiver<bool>,
        mut wake: Wakeup,
    ) -> anyhow::Result<()> {
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            let now = Timestamp::now();
            let job = self
                .store
                .claim(
                    &worker_id,
                    &[FETCH_FEED, FETCH_PAGE],
                    self.settings.lease,
                    now,
                )
                .await?;
            let Some(job) = job else {
                if drain && in_flight.load(Ordering::SeqCst) == 0 {
                    return Ok(());
                }
                let idle = if drain {
                    Duration::from_millis(50)
                } else {
                    self.settings.idle
                };
                tokio::select! {
                    _ = tokio::time::sleep(idle) => {}
                    () = wake.wait() => {}
                    _ = stop.changed() => {}
                }
                continue;
            };
            in_flight.fetch_add(1, Ordering::SeqCst);
            let res = self.run_job(&job, stop.clone()).await;
            self.finished.fetch_add(1, Ordering::Relaxed);
            in_flight.fetch_sub(1, Ordering::SeqCst);
            res?;
        }
    }

    /// Runs one claimed job with a heartbeat, then completes or fails it. A job still running
    /// `shutdown_grace` after `stop` is dropped and queued again for now (handlers are
    /// idempotent, and an interrupted store transaction rolls back).
    async fn run_job(
        &self,
        job: &Job,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let Some(lease) = job.lease.clone() else {
            return Ok(());
        };
        let store = self.store.clone();
        let every = self.settings.lease.unsigned_abs() / 3;
        let period = self.settings.lease;
        let beat_lease = lease.clone();
        let heartbeat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every.max(Duration::from_millis(100))).await;
                let now = Timestamp::now();
                let Ok(until) = now.checked_add(period) else {
                    return;
                };
                if store.extend_lease(&beat_lease, until, now).await.is_err() {
                    return;
                }
            }
        });
        let work = async {
            match job.kind.as_str() {
                FETCH_FEED => self.fetch_feed(job).await,
                FETCH_PAGE => self.fetch_page(job).await,
                other => Err(JobError::Permanent(format!("unknown job kind {other:?}"))),
            }
        };
        let result = tokio::select! {
            result = work => result,
            () = grace_over(stop, self.settings.shutdown_grace) => {
                heartbeat.abort();
                let now = Timestamp::now();
                tracing::info!(job = job.id, "stopping: job dropped and queued again");
                self.store
                    .fail(&lease, "worker stopped before the job finished", Some(now), now)
                    .await?;
                return Ok(());
            }
        };
        heartbeat.abort();
        let now = Timestamp::now();
        match result {
            Ok(()) => self.store.complete(&lease, now).await?,
            Err(JobError::Permanent(e)) => {
                tracing::warn!(job = job.id, error = %e, "job failed for good");
                self.store.fail(&lease, &e, None, now).await?;
            }
            Err(JobError::Retry { error, after }) => {
                let delay = after.unwrap_or_else(|| self.backoff(job.attempts));
                let at = now.checked_add(delay).unwrap_or(now);
                tracing::info!(job = job.id, error = %error, "job will be retried");
                self.store.fail(&lease, &error, Some(at), now).await?;
            }
        }
        Ok(())
    }

    /// Exponential backoff for `attempt` with up to 50 % jitter, so that many feeds failing
    /// together do not retry together.
    fn backoff(&self, attempt: i64) -> SignedDuration {
        let base = newsdesk_store::backoff(
            attempt,
            self.settings.base_backoff,
            self.settings.max_backoff,
        );
        let jitter = base.as_secs_f64() * 0.5 * jitter_fraction();
        base.checked_add(SignedDuration::from_secs_f64(jitter))
            .unwrap_or(base)
    }

    async fn fetch_feed(&self, job: &Job) -> Result<(), JobError> {
        let feed_id = job
            .payload
            .get("feed_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| JobError::Permanent("payload without feed_id".into()))?;
        let Some(feed) = self
            .store
            .get_feed(feed_id)
            .await
            .map_err(JobError::store)?
        else {
            return Ok(()); // unsubscribed since
        };
        if feed.paused_reason.is_some() {
            return Ok(());
        }
        self.add(|t| t.feeds += 1);
        let now = Timestamp::now();
        let validators = Validators {
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
        };
        let interval = SignedDuration::from_secs(feed.interval_s);
        let next = now.checked_add(interval).unwrap_or(now);
        let fetched = match self.fetcher.get(&feed.url, Some(&validators)).await {
            Ok(f) => f,
            Err(e) => return self.feed_failed(&feed, e, now).await,
        };
        if fetched.not_modified {
            self.add(|t| t.unchanged += 1);
            self.record(&feed, FeedPoll::NotModified { next_due_at: next }, now)
                .await?;
            return Ok(());
        }
        let zone = newsdesk_article::parse_zone(&feed.zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let hint = newsdesk_feed::FeedHint {
            url: url::Url::parse(&fetched.final_url).ok(),
            content_type: fetched.content_type.clone(),
            zone: zone.clone(),
            now: Some(now),
        };
        let body = fetched.body.clone();
        let parsed = tokio::task::spawn_blocking(move || newsdesk_feed::parse_feed(&body, &hint))
            .await
            .map_err(|e| JobError::Permanent(format!("parser task: {e}")))?;
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                self.add(|t| t.failed += 1);
                let failures = feed.failures + 1;
                let poll = FeedPoll::Failed {
                    error: format!("not a usable feed: {e}"),
                    next_due_at: now
                        .checked_add(self.backoff(failures).max(interval))
                        .unwrap_or(now),
                    pause_after: self.settings.pause_after,
                };
                self.record(&feed, poll, now).await?;
                return Ok(());
            }
        };
        let keys = feed_article::item_keys(&parsed.items);
        let known = self
            .store
            .feed_item_hashes(feed.id)
            .await
            .map_err(JobError::store)?;
        let mut batch = Vec::new();
        let mut seen_keys = std::collections::HashSet::new();
        for (item, key) in parsed.items.iter().zip(keys) {
            let hash = item.content_hash_hex();
            if !seen_keys.insert(key.clone()) || known.get(&key) == Some(&hash) {
                self.add(|t| t.unchanged += 1);
                continue;
            }
            let article = feed_article::article_from_item(item, &zone, now);
            let wants_page = match feed.full_text {
                FullText::Always => true,
                FullText::Auto => !item.has_full_text(),
                FullText::Never => false,
            };
            if let (true, Some(url)) = (wants_page, &item.url) {
                let payload = PagePayload {
                    feed_id: feed.id,
                    item_key: key.clone(),
                    content_hash: hash,
                    url: url.to_string(),
                    fallback: article,
                };
                let payload = serde_json::to_value(&payload)
                    .map_err(|e| JobError::Permanent(format!("page payload: {e}")))?;
                let job = NewJob::new(FETCH_PAGE, payload, now)
                    .dedupe(format!("{}:{key}", feed.id))
                    .max_attempts(self.settings.max_attempts);
                self.store
                    .enqueue(&job, now)
                    .await
                    .map_err(JobError::store)?;
                self.enqueued.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            batch.push((key, hash, article));
        }
        for chunk in batch.chunks(ITEM_BATCH) {
            self.store_items(&feed, chunk.to_vec(), now).await?;
        }
        let title = Some(parsed.title.clone()).filter(|t| !t.trim().is_empty());
        let poll = FeedPoll::Fetched {
            etag: fetched.validators.etag.clone(),
            last_modified: fetched.validators.last_modified.clone(),
            title,
            next_due_at: next,
        };
        self.record(&feed, poll, now).await
    }

    async fn feed_failed(
        &self,
        feed: &Feed,
        e: FetchError,
        now: Timestamp,
    ) -> Result<(), JobError> {
        self.add(|t| t.failed += 1);
        let interval = SignedDuration::from_secs(feed.interval_s);
        let poll = match &e {
            FetchError::Gone => FeedPoll::Stop {
                reason: "gone: the server answered 410, polling stopped".into(),
            },
            FetchError::Status {
                status: 429 | 503,
                retry_after,
            } => {
                let wait = retry_after
                    .and_then(|d| SignedDuration::try_from(d).ok())
                    .unwrap_or_else(|| self.backoff(feed.failures + 1));
                FeedPoll::Failed {
                    error: e.to_string(),
                    next_due_at: now.checked_add(wait).unwrap_or(now),
                    pause_after: self.settings.pause_after,
                }
            }
            _ => FeedPoll::Failed {
                error: e.to_string(),
                next_due_at: now
                    .checked_add(
                        self.backoff(feed.failures + 1)
                            .min(interval.max(self.settings.base_backoff)),
                    )
                    .unwrap_or(now),
                pause_after: self.settings.pause_after,
            },
        };
        tracing::info!(feed = %feed.url, error = %e, "feed fetch failed");
        self.record(feed, poll, now).await
    }

    async fn record(&self, feed: &Feed, poll: FeedPoll, now: Timestamp) -> Result<(), JobError> {
        self.store
            .record_feed_poll(feed.id, &poll, now)
            .await
            .map_err(JobError::store)?;
        Ok(())
    }

    /// Tags and stores `(key, hash, article)` items of `feed` in one transaction.
    async fn store_items(
        &self,
        feed: &Feed,
        items: Vec<(String, String, Article)>,
        now: Timestamp,
    ) -> Result<(), JobError> {
        let mut tagger = self.kb.as_deref().map(newsdesk_tag::Tagger::new);
        let batch: Vec<NewFeedItem> = items
            .into_iter()
            .map(|(item_key, content_hash, article)| {
                let links = crate::tagging::links_for(&article, tagger.as_mut());
                NewFeedItem {
                    item_key,
                    content_hash,
                    article: NewArticle {
                        source_id: feed.source_id,
                        article,
                        fetched_at: now,
                        links: (!links.is_empty()).then_some(links),
                    },
                }
            })
            .collect();
        let outcomes = self
            .store
            .ingest_items(feed.id, &batch, now)
            .await
            .map_err(JobError::store)?;
        self.add(|t| {
            for o in &outcomes {
                match o {
                    FeedItemOutcome::Stored {
                        upsert: UpsertOutcome::Inserted { .. },
                    } => t.new += 1,
                    FeedItemOutcome::Stored {
                        upsert: UpsertOutcome::Revised { .. },
                    } => t.updated += 1,
                    _ => t.unchanged += 1,
                }
            }
        });
        Ok(())
    }

    async fn fetch_page(&self, job: &Job) -> Result<(), JobError> {
        let p: PagePayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("bad fetch_page payload: {e}")))?;
        let Some(feed) = self
            .store
            .get_feed(p.feed_id)
            .await
            .map_err(JobError::store)?
        else {
            return Ok(());
        };
        // A feed poll that read the stored hashes while another job for this item was running
        // enqueues it again once that job is done (dedupe covers queued and running jobs only):
        // the item is then stored with this very content, and fetching the page again would
        // only repeat the work.
        if self
            .store
            .feed_item_hash(p.feed_id, &p.item_key)
            .await
            .map_err(JobError::store)?
            .is_some_and(|h| h == p.content_hash)
        {
            self.add(|t| t.unchanged += 1);
            return Ok(());
        }
        let now = Timestamp::now();
        let zone = newsdesk_article::parse_zone(&feed.zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let article = match self.fetcher.get(&p.url, None).await {
            Ok(page) => {
                let opts = newsdesk_extract::ExtractOptions {
                    url: Some(page.final_url.clone()),
                    zone: Some(zone),
                    now: Some(now),
                    content_type: page.content_type.clone(),
                    max_input_bytes: newsdesk_extract::DEFAULT_MAX_INPUT_BYTES,
                };
                let body = page.body;
                let extracted = tokio::task::spawn_blocking(move || {
                    newsdesk_extract::extract_html(&body, &opts)
                })
                .await
                .map_err(|e| JobError::Permanent(format!("extraction task: {e}")))?;
                match extracted {
                    Ok(mut a) if !a.blocks.is_empty() => {
                        // The feed's link stays the identity; the feed's title and times win.
                        let f = &p.fallback;
                        a.url = f.url.clone();
                        a.title = f.title.clone().or(a.title);
                        a.published = f.published.clone().or(a.published);
                        a.updated = f.updated.clone().or(a.updated);
                        if a.authors.is_empty() {
                            a.authors = f.authors.clone();
                        }
                        a
                    }
                    _ => p.fallback.clone(),
                }
            }
            Err(e) => {
                let transient = matches!(
                    e,
                    FetchError::Timeout
                        | FetchError::Http(_)
                        | FetchError::Status {
                            status: 429 | 500..=599,
                            ..
                        }
                );
                if transient && job.attempts < job.max_attempts {
                    let after = match &e {
                        FetchError::Status { retry_after, .. } => {
                            retry_after.and_then(|d| SignedDuration::try_from(d).ok())
                        }
                        _ => None,
                    };
                    return Err(JobError::Retry {
                        error: e.to_string(),
                        after,
                    });
                }
                tracing::info!(url = %p.url, error = %e, "page unavailable; storing the feed's summary");
                self.add(|t| t.failed += 1);
                p.fallback.clone()
            }
        };
        self.store_items(&feed, vec![(p.item_key, p.content_hash, article)], now)
            .await
    }
}

/// Resolves `grace` after `stop` turns true; never, if it never does (or its sender is gone).
async fn grace_over(mut stop: tokio::sync::watch::Receiver<bool>, grace: Duration) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
    tokio::time::sleep(grace).await;
}

/// Why a job did not complete.
#[derive(Debug)]
enum JobError {
    /// Retrying cannot help.
    Permanent(String),
    /// Try again later (after `after`, else backoff).
    Retry {
        error: String,
        after: Option<SignedDuration>,
    },
}

impl JobError {
    fn store(e: newsdesk_store::StoreError) -> Self {
        JobError::Retry {
            error: format!("store: {e}"),
            after: None,
        }
    }
}

/// A number in [0, 1) that differs between calls and processes (no randomness crate needed for
/// jitter: the clock's nanoseconds mixed with a counter).
fn jitter_fraction() -> f64 {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) as u64;
    let nanos = u64::from(Timestamp::now().subsec_nanosecond().unsigned_abs());
    let mut x = nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(std::process::id());
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use newsdesk_store::{NewArticle, NewFeed, NewFeedItem, NewSource, SqliteStore};

    /// A page job whose item another job stored with the same content meanwhile (a feed poll
    /// that read the hashes before that job finished enqueues it again) fetches nothing.
    #[tokio::test]
    async fn a_page_job_for_an_item_already_stored_unchanged_fetches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
        let now = Timestamp::now();
        let src = store
            .upsert_source(&NewSource {
                slug: "wire".into(),
                name: "Wire".into(),
                homepage_url: None,
                time_zone: "UTC".into(),
            })
            .await
            .unwrap()
            .id;
        let feed = store
            .add_feed(
                &NewFeed {
                    url: "https://wire.example/rss".into(),
                    source_id: src,
                    full_text: newsdesk_store::FullText::Auto,
                    zone: "UTC".into(),
                    interval_s: 900,
                },
                now,
            )
            .await
            .unwrap();
        let article = Article {
            url: Some("https://wire.example/a".into()),
            title: Some("Alpha".into()),
            blocks: vec![newsdesk_article::Block::paragraph("Alpha in full.")],
            ..Article::default()
        };
        store
            .ingest_items(
                feed.id,
                &[NewFeedItem {
                    item_key: "g:a".into(),
                    content_hash: "h1".into(),
                    article: NewArticle {
                        source_id: src,
                        article: article.clone(),
                        fetched_at: now,
                        links: None,
                    },
                }],
                now,
            )
            .await
            .unwrap();
        // The page's URL is refused by the fetch guard (loopback): fetching it would fail and
        // count as failed.
        let job = |hash: &str| {
            let payload = PagePayload {
                feed_id: feed.id,
                item_key: "g:a".into(),
                content_hash: hash.into(),
                url: "http://127.0.0.1:9/a".into(),
                fallback: article.clone(),
            };
            NewJob::new(FETCH_PAGE, serde_json::to_value(&payload).unwrap(), now)
        };
        let ingester = Arc::new(Ingester::new(
            store.clone(),
            Fetcher::new(newsdesk_fetch::FetchConfig::default()).unwrap(),
            None,
            WorkerSettings::default(),
        ));
        let (_tx, rx) = tokio::sync::watch::channel(false);
        store.enqueue(&job("h1"), now).await.unwrap();
        ingester.run(true, None, rx.clone()).await.unwrap();
        let t = ingester.totals();
        assert_eq!((t.unchanged, t.failed), (1, 0), "{t:?}");
        // Changed content (another hash): the page is fetched, here refused (failed), and the
        // feed's own article stored instead is the one already there (unchanged).
        store.enqueue(&job("h2"), now).await.unwrap();
        ingester.run(true, None, rx).await.unwrap();
        let t = ingester.totals();
        assert_eq!((t.unchanged, t.failed), (2, 1), "{t:?}");
    }
}
