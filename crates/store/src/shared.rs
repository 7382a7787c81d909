// The `Store` implementation shared by both backends, included with `include!` into `sqlite.rs`
// and `postgres.rs`. Each of them defines, before the `include!`:
//
// - `type Db` (the sqlx database) and `type This` (the store struct),
// - `This::write_pool()` / `This::read_pool()`,
// - `This::begin_write()` — `BEGIN IMMEDIATE` on SQLite, a plain `BEGIN` on PostgreSQL,
// - `lock_change_log(&mut conn)` — takes the change-log lock on PostgreSQL, nothing on SQLite,
// - `notify(&mut conn, channel)` — `pg_notify` on PostgreSQL (delivered on commit), nothing on
//   SQLite; `This::subscribe_channel(channel)` — a `LISTEN`ing `Wakeup`, or one that never fires,
// - `CLAIM_LOCK` — the row-locking suffix of the job claim query,
// - `BACKEND` — the backend name,
// - `ANONYMOUS_PARAMS` — whether long parameter lists use `?` (see `convert::row_placeholders`).
//
// Why `include!` and not generics: sqlx code generic over the database needs long `where`
// clauses on every function (executor, encode and decode bounds per type); including the same
// text into two modules compiles it once per concrete backend with none of that, and keeps one
// copy of every query so the backends cannot drift apart. The SQL is portable: `$n`
// placeholders, `RETURNING`, `ON CONFLICT`, row-value comparisons, no backend functions.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use newsdesk_article::{Article, SourceTime};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Row};

use crate::convert;
use crate::error::{Context, Result, StoreError};
use crate::identity;
use crate::model::{
    ArticleFilter, ArticlePage, ArticleSummary, Change, ChangeKind, Cursor, EnqueueOutcome,
    FailOutcome, Id, InstrumentLink, Job, JobState, Lease, NewArticle, NewJob, NewSource, Removal,
    Revision, Source, StoredArticle, StoryAssignment, StoryCandidate, StoryMember, UpsertOutcome,
};
use crate::store::Store;
use crate::wake::{WakeChannel, Wakeup};

type DbRow = <Db as sqlx::Database>::Row;
type DbConn = <Db as sqlx::Database>::Connection;

/// How often an upsert or enqueue retries after losing a race to a concurrent writer.
const RACE_RETRIES: usize = 8;

/// Ids per statement in [`Store::get_articles`].
const GET_MANY_CHUNK: usize = 500;

/// Rows per multi-row `INSERT` (at most 6 parameters a row: far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters).
const MULTI_ROW_CHUNK: usize = 400;

macro_rules! summary_cols {
    () => {
        "a.id, a.source_id, a.canonical_url, a.title, a.published_at, a.published_zone, \
         a.published_zone_assumed, a.updated_at, a.updated_zone, a.updated_zone_assumed, \
         a.updated_is_fetch_time, a.sort_at, a.current_revision, a.first_seen_at"
    };
}

macro_rules! job_cols {
    () => {
        "id, kind, payload, state, dedupe_key, run_at, attempts, max_attempts, last_error, \
         lease_owner, due_at"
    };
}

fn source_from_row(row: &DbRow) -> Result<Source> {
    let get = || -> std::result::Result<Source, sqlx::Error> {
        Ok(Source {
            id: row.try_get("id")?,
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            homepage_url: row.try_get("homepage_url")?,
            time_zone: row.try_get("time_zone")?,
        })
    };
    get().context("reading a source row")
}

fn summary_from_row(row: &DbRow) -> Result<ArticleSummary> {
    let ctx = "reading an article row";
    let published = convert::source_time(
        row.try_get("published_at").context(ctx)?,
        row.try_get("published_zone").context(ctx)?,
        row.try_get("published_zone_assumed").context(ctx)?,
        "published time",
    )?;
    let updated = convert::source_time(
        row.try_get("updated_at").context(ctx)?,
        row.try_get("updated_zone").context(ctx)?,
        row.try_get("updated_zone_assumed").context(ctx)?,
        "updated time",
    )?;
    Ok(ArticleSummary {
        id: row.try_get("id").context(ctx)?,
        source_id: row.try_get("source_id").context(ctx)?,
        canonical_url: row.try_get("canonical_url").context(ctx)?,
        title: row.try_get("title").context(ctx)?,
        published,
        updated,
        updated_is_fetch_time: row.try_get("updated_is_fetch_time").context(ctx)?,
        sort_at: convert::ts(row.try_get("sort_at").context(ctx)?, "sort time")?,
        revision: row.try_get("current_revision").context(ctx)?,
        first_seen_at: convert::ts(row.try_get("first_seen_at").context(ctx)?, "first seen")?,
        instruments: Vec::new(),
    })
}

fn link_from_row(row: &DbRow) -> Result<(Id, InstrumentLink)> {
    let ctx = "reading an instrument link row";
    let role: String = row.try_get("role").context(ctx)?;
    let reasons: Json<Value> = row.try_get("reasons").context(ctx)?;
    Ok((
        row.try_get("article_id").context(ctx)?,
        InstrumentLink {
            symbol: row.try_get("symbol").context(ctx)?,
            kind: row.try_get("kind").context(ctx)?,
            role: convert::role(&role)?,
            score_bp: row.try_get("score_bp").context(ctx)?,
            reasons: reasons.0,
        },
    ))
}

fn job_from_row(row: &DbRow) -> Result<Job> {
    let ctx = "reading a job row";
    let id: Id = row.try_get("id").context(ctx)?;
    let state = convert::job_state(&row.try_get::<String, _>("state").context(ctx)?)?;
    let attempts: i64 = row.try_get("attempts").context(ctx)?;
    let owner: Option<String> = row.try_get("lease_owner").context(ctx)?;
    let due_at = convert::ts(row.try_get("due_at").context(ctx)?, "job due time")?;
    let lease = match (state, owner) {
        (JobState::Running, Some(worker_id)) => Some(Lease {
            job_id: id,
            worker_id,
            attempt: attempts,
            expires_at: due_at,
        }),
        _ => None,
    };
    let payload: Json<Value> = row.try_get("payload").context(ctx)?;
    Ok(Job {
        id,
        kind: row.try_get("kind").context(ctx)?,
        payload: payload.0,
        state,
        dedupe_key: row.try_get("dedupe_key").context(ctx)?,
        run_at: convert::ts(row.try_get("run_at").context(ctx)?, "job run time")?,
        attempts,
        max_attempts: row.try_get("max_attempts").context(ctx)?,
        last_error: row.try_get("last_error").context(ctx)?,
        lease,
    })
}

/// Change-log entries a transaction will append, written by [`flush_changes`] as its last
/// statements before commit.
type Pending = Vec<(Id, ChangeKind, Timestamp)>;

/// Appends `pending` to the change log. Called last in a writing transaction, right before
/// commit, so the change-log lock (PostgreSQL) is held as briefly as possible and is always the
/// last lock a transaction takes (row locks come first), which rules out lock-order deadlocks
/// between single writes and batches.
async fn flush_changes(conn: &mut DbConn, pending: Pending) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    lock_change_log(conn).await?;
    // Multi-row inserts: one statement per few hundred entries, in order, so `seq` follows the
    // order the transaction made the changes in.
    for chunk in pending.chunks(MULTI_ROW_CHUNK) {
        let sql = format!(
            "INSERT INTO changes (article_id, kind, at) VALUES {}",
            convert::row_placeholders(3, chunk.len(), ANONYMOUS_PARAMS)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (article_id, kind, at) in chunk {
            q = q
                .bind(*article_id)
                .bind(kind.as_str())
                .bind(at.as_microsecond());
        }
        q.execute(&mut *conn)
            .await
            .context("appending to the change log")?;
    }
    // Serving processes re-read the change log as soon as this commits.
    notify(conn, WakeChannel::Changes).await?;
    Ok(())
}

/// Inserts instrument links of articles that have none (just inserted, or just cleared by
/// [`set_links_in`]), many rows per statement.
async fn insert_links(conn: &mut DbConn, links: &[(Id, &InstrumentLink)]) -> Result<()> {
    for chunk in links.chunks(MULTI_ROW_CHUNK) {
        let sql = format!(
            "INSERT INTO article_instruments (article_id, symbol, kind, role, score_bp, reasons) \
             VALUES {}",
            convert::row_placeholders(6, chunk.len(), ANONYMOUS_PARAMS)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (article_id, link) in chunk {
            q = q
                .bind(*article_id)
                .bind(&link.symbol)
                .bind(&link.kind)
                .bind(link.role.as_str())
                .bind(link.score_bp)
                .bind(Json(&link.reasons));
        }
        q.execute(&mut *conn)
            .await
            .context("inserting instrument links")?;
    }
    Ok(())
}

/// Loads the instrument links of `ids`, grouped per article in display order.
async fn links_for(
    pool: &sqlx::Pool<Db>,
    ids: &[Id],
) -> Result<std::collections::HashMap<Id, Vec<InstrumentLink>>> {
    let mut out: std::collections::HashMap<Id, Vec<InstrumentLink>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT article_id, symbol, kind, role, score_bp, reasons FROM article_instruments \
         WHERE article_id IN ({}) \
         ORDER BY article_id, CASE role WHEN 'primary' THEN 0 ELSE 1 END, score_bp DESC, symbol",
        convert::list_placeholders(1, ids.len(), ANONYMOUS_PARAMS)
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q
        .fetch_all(pool)
        .await
        .context("loading instrument links")?;
    for row in &rows {
        let (id, link) = link_from_row(row)?;
        out.entry(id).or_default().push(link);
    }
    Ok(out)
}

/// What an article row holds that the upsert decision needs.
struct Existing {
    id: Id,
    content_hash: String,
    revision: i64,
    removed: bool,
    first_seen_at: i64,
    published: Option<SourceTime>,
}

/// Looks an article up by identity. With `lock`, inside a write transaction, the row is locked
/// until commit (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already excludes other
/// writers), so the revision decided from it cannot be overtaken.
async fn find_by_identity<'e, E>(exec: E, identity: &str, lock: bool) -> Result<Option<Existing>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let ctx = "looking up an article by identity";
    let sql = format!(
        "SELECT id, content_hash, current_revision, removed_at, first_seen_at, published_at, \
         published_zone, published_zone_assumed FROM articles WHERE identity = $1{}",
        if lock { ROW_LOCK } else { "" }
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(identity)
        .fetch_optional(exec)
        .await
        .context(ctx)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Existing {
        id: row.try_get("id").context(ctx)?,
        content_hash: row.try_get("content_hash").context(ctx)?,
        revision: row.try_get("current_revision").context(ctx)?,
        removed: row
            .try_get::<Option<i64>, _>("removed_at")
            .context(ctx)?
            .is_some(),
        first_seen_at: row.try_get("first_seen_at").context(ctx)?,
        published: convert::source_time(
            row.try_get("published_at").context(ctx)?,
            row.try_get("published_zone").context(ctx)?,
            row.try_get("published_zone_assumed").context(ctx)?,
            "published time",
        )?,
    }))
}

async fn insert_revision(
    conn: &mut DbConn,
    article_id: Id,
    revision: i64,
    hash: &str,
    fetched_at: i64,
    content: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO article_revisions (article_id, revision, content_hash, fetched_at, content) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(article_id)
    .bind(revision)
    .bind(hash)
    .bind(fetched_at)
    .bind(content)
    .execute(&mut *conn)
    .await
    .context("inserting a revision")?;
    Ok(())
}

fn check_links(links: &[InstrumentLink]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for link in links {
        let bad = |detail: String| StoreError::Invalid {
            what: "instrument link",
            detail,
        };
        if link.symbol.trim().is_empty() {
            return Err(bad("empty symbol".into()));
        }
        if !(0..=10_000).contains(&link.score_bp) {
            return Err(bad(format!(
                "{}: score {} bp is outside 0..=10000",
                link.symbol, link.score_bp
            )));
        }
        if !seen.insert(link.symbol.as_str()) {
            return Err(bad(format!("{} is linked twice", link.symbol)));
        }
    }
    Ok(())
}

/// An article ready to be written: identity, hash and JSON computed before any lock is taken.
struct Prepared<'a> {
    source_id: Id,
    article: &'a Article,
    fetched_at: Timestamp,
    identity: String,
    hash: String,
    content: String,
    canonical_url: Option<String>,
}

impl<'a> Prepared<'a> {
    fn new(source_id: Id, article: &'a Article, fetched_at: Timestamp) -> Result<Self> {
        Ok(Prepared {
            source_id,
            article,
            fetched_at,
            identity: identity::identity(source_id, article)?,
            hash: identity::content_hash(article)?,
            content: serde_json::to_string(article).map_err(|e| StoreError::Invalid {
                what: "article",
                detail: format!("cannot serialise: {e}"),
            })?,
            canonical_url: article.url.as_deref().and_then(identity::normalize_url),
        })
    }
}

/// The upsert decision and writes, inside the caller's write transaction. `None` means a
/// concurrent writer changed the same story after we looked (PostgreSQL only): the caller rolls
/// back and tries again.
async fn upsert_in(
    conn: &mut DbConn,
    p: &Prepared<'_>,
    pending: &mut Pending,
) -> Result<UpsertOutcome> {
    // A lost race writes nothing, and under READ COMMITTED the next statement sees the winner's
    // committed row, so trying again inside the same transaction is safe.
    for _ in 0..RACE_RETRIES {
        if let Some(outcome) = try_upsert_in(conn, p, pending).await? {
            return Ok(outcome);
        }
    }
    Err(StoreError::Contended("upserting an article"))
}

/// One attempt of [`upsert_in`]; `None` when a concurrent insert of the same identity won.
async fn try_upsert_in(
    conn: &mut DbConn,
    p: &Prepared<'_>,
    pending: &mut Pending,
) -> Result<Option<UpsertOutcome>> {
    let article = p.article;
    let fetched = p.fetched_at.as_microsecond();
    let existing = find_by_identity(&mut *conn, &p.identity, true).await?;
    match existing {
        None => {
            let published = article.published.as_ref();
            let updated = article.updated.as_ref();
            let sort_at = published.map_or(fetched, |t| t.instant.as_microsecond());
            let row = sqlx::query(
                "INSERT INTO articles (source_id, identity, canonical_url, title, \
                 published_at, published_zone, published_zone_assumed, \
                 updated_at, updated_zone, updated_zone_assumed, updated_is_fetch_time, \
                 sort_at, current_revision, content_hash, first_seen_at, last_changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $14) \
                 ON CONFLICT (identity) DO NOTHING RETURNING id",
            )
            .bind(p.source_id)
            .bind(&p.identity)
            .bind(&p.canonical_url)
            .bind(&article.title)
            .bind(published.map(|t| t.instant.as_microsecond()))
            .bind(published.map(|t| t.zone.clone()))
            .bind(published.map(|t| t.zone_assumed))
            .bind(updated.map(|t| t.instant.as_microsecond()))
            .bind(updated.map(|t| t.zone.clone()))
            .bind(updated.map(|t| t.zone_assumed))
            .bind(false)
            .bind(sort_at)
            .bind(&p.hash)
            .bind(fetched)
            .fetch_optional(&mut *conn)
            .await;
            let row = match row {
                Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                    return Err(StoreError::NotFound {
                        what: "source",
                        id: p.source_id,
                    });
                }
                other => other.context("inserting an article")?,
            };
            // Lost a race with a concurrent insert of the same identity: look again.
            let Some(row) = row else { return Ok(None) };
            let id: Id = row.try_get("id").context("inserting an article")?;
            insert_revision(conn, id, 1, &p.hash, fetched, &p.content).await?;
            pending.push((id, ChangeKind::Upserted, p.fetched_at));
            Ok(Some(UpsertOutcome::Inserted { id }))
        }
        Some(existing) if existing.removed => Ok(Some(UpsertOutcome::Removed { id: existing.id })),
        Some(existing) if existing.content_hash == p.hash => {
            Ok(Some(UpsertOutcome::Unchanged { id: existing.id }))
        }
        Some(existing) => {
            let published = article.published.clone().or(existing.published);
            let sort_at = published
                .as_ref()
                .map_or(existing.first_seen_at, |t| t.instant.as_microsecond());
            let (updated, from_fetch) = match &article.updated {
                Some(u) => (u.clone(), false),
                None => {
                    // Shown in the story's own zone, else the source's.
                    let zone = match &published {
                        Some(t) => t.zone.clone(),
                        None => source_zone(&mut *conn, p.source_id).await?,
                    };
                    let at = SourceTime {
                        instant: p.fetched_at,
                        zone,
                        zone_assumed: false,
                    };
                    (at, true)
                }
            };
            // Optimistic: only succeeds if nobody revised or removed it since we read it (on
            // PostgreSQL a concurrent writer makes this match no row).
            let row = sqlx::query(
                "UPDATE articles SET canonical_url = $1, title = $2, published_at = $3, \
                 published_zone = $4, published_zone_assumed = $5, updated_at = $6, \
                 updated_zone = $7, updated_zone_assumed = $8, updated_is_fetch_time = $9, \
                 sort_at = $10, current_revision = current_revision + 1, \
                 content_hash = $11, last_changed_at = $12 \
                 WHERE id = $13 AND current_revision = $14 AND removed_at IS NULL \
                 RETURNING current_revision",
            )
            .bind(&p.canonical_url)
            .bind(&article.title)
            .bind(published.as_ref().map(|t| t.instant.as_microsecond()))
            .bind(published.as_ref().map(|t| t.zone.clone()))
            .bind(published.as_ref().map(|t| t.zone_assumed))
            .bind(updated.instant.as_microsecond())
            .bind(&updated.zone)
            .bind(updated.zone_assumed)
            .bind(from_fetch)
            .bind(sort_at)
            .bind(&p.hash)
            .bind(fetched)
            .bind(existing.id)
            .bind(existing.revision)
            .fetch_optional(&mut *conn)
            .await
            .context("revising an article")?;
            let Some(row) = row else { return Ok(None) };
            let revision: i64 = row
                .try_get("current_revision")
                .context("revising an article")?;
            insert_revision(conn, existing.id, revision, &p.hash, fetched, &p.content).await?;
            pending.push((existing.id, ChangeKind::Upserted, p.fetched_at));
            Ok(Some(UpsertOutcome::Revised {
                id: existing.id,
                revision,
            }))
        }
    }
}

/// The zone a source prints times in.
async fn source_zone(conn: &mut DbConn, source_id: Id) -> Result<String> {
    let row = sqlx::query("SELECT time_zone FROM sources WHERE id = $1")
        .bind(source_id)
        .fetch_optional(&mut *conn)
        .await
        .context("loading a source's zone")?
        .ok_or(StoreError::NotFound {
            what: "source",
            id: source_id,
        })?;
    row.try_get("time_zone").context("loading a source's zone")
}

/// Replaces the links of a live article inside the caller's write transaction.
async fn set_links_in(
    conn: &mut DbConn,
    article_id: Id,
    links: &[InstrumentLink],
    now: Timestamp,
    pending: &mut Pending,
) -> Result<()> {
    // Locks the article row, so concurrent replacements of one article's links serialise.
    let row = sqlx::query(
        "UPDATE articles SET last_changed_at = $1 WHERE id = $2 AND removed_at IS NULL \
         RETURNING id",
    )
    .bind(now.as_microsecond())
    .bind(article_id)
    .fetch_optional(&mut *conn)
    .await
    .context("locking an article")?;
    if row.is_none() {
        return Err(StoreError::NotFound {
            what: "article",
            id: article_id,
        });
    }
    sqlx::query("DELETE FROM article_instruments WHERE article_id = $1")
        .bind(article_id)
        .execute(&mut *conn)
        .await
        .context("deleting instrument links")?;
    let rows: Vec<(Id, &InstrumentLink)> = links.iter().map(|l| (article_id, l)).collect();
    insert_links(conn, &rows).await?;
    pending.push((article_id, ChangeKind::Links, now));
    Ok(())
}

#[async_trait]
impl Store for This {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn subscribe(&self, channel: WakeChannel) -> Result<Wakeup> {
        self.subscribe_channel(channel).await
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn upsert_source(&self, source: &NewSource) -> Result<Source> {
        if source.slug.trim().is_empty() {
            return Err(StoreError::Invalid {
                what: "source",
                detail: "empty slug".into(),
            });
        }
        convert::check_zone(&source.time_zone)?;
        let row = sqlx::query(
            "INSERT INTO sources (slug, name, homepage_url, time_zone, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, \
             homepage_url = excluded.homepage_url, time_zone = excluded.time_zone \
             RETURNING id, slug, name, homepage_url, time_zone",
        )
        .bind(&source.slug)
        .bind(&source.name)
        .bind(&source.homepage_url)
        .bind(&source.time_zone)
        .bind(Timestamp::now().as_microsecond())
        .fetch_one(self.write_pool())
        .await
        .context("upserting a source")?;
        source_from_row(&row)
    }

    async fn get_source(&self, id: Id) -> Result<Option<Source>> {
        let row = sqlx::query(
            "SELECT id, slug, name, homepage_url, time_zone FROM sources WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.read_pool())
        .await
        .context("loading a source")?;
        row.as_ref().map(source_from_row).transpose()
    }

    async fn get_source_by_slug(&self, slug: &str) -> Result<Option<Source>> {
        let row = sqlx::query(
            "SELECT id, slug, name, homepage_url, time_zone FROM sources WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(self.read_pool())
        .await
        .context("loading a source by slug")?;
        row.as_ref().map(source_from_row).transpose()
    }

    async fn list_sources(&self) -> Result<Vec<Source>> {
        let rows = sqlx::query(
            "SELECT id, slug, name, homepage_url, time_zone FROM sources ORDER BY slug",
        )
        .fetch_all(self.read_pool())
        .await
        .context("listing sources")?;
        rows.iter().map(source_from_row).collect()
    }

    #[tracing::instrument(level = "debug", skip(self, article), fields(url = ?article.url), err)]
    async fn upsert_article(
        &self,
        source_id: Id,
        article: &Article,
        fetched_at: Timestamp,
    ) -> Result<UpsertOutcome> {
        let prepared = Prepared::new(source_id, article, fetched_at)?;

        // Fast path without the write lock: most re-fetches are unchanged.
        if let Some(existing) =
            find_by_identity(self.read_pool(), &prepared.identity, false).await?
        {
            if existing.removed {
                return Ok(UpsertOutcome::Removed { id: existing.id });
            }
            if existing.content_hash == prepared.hash {
                return Ok(UpsertOutcome::Unchanged { id: existing.id });
            }
        }
        let mut tx = self.begin_write().await?;
        let mut pending = Pending::new();
        let outcome = upsert_in(&mut tx, &prepared, &mut pending).await?;
        flush_changes(&mut tx, pending).await?;
        tx.commit().await.context("committing an article")?;
        Ok(outcome)
    }

    #[tracing::instrument(level = "debug", skip(self, items), fields(n = items.len()), err)]
    async fn upsert_articles(&self, items: &[NewArticle]) -> Result<Vec<UpsertOutcome>> {
        let prepared = items
            .iter()
            .map(|item| {
                if let Some(links) = &item.links {
                    check_links(links)?;
                }
                Prepared::new(item.source_id, &item.article, item.fetched_at)
            })
            .collect::<Result<Vec<_>>>()?;
        // Work through the batch in identity order, so that two batches touching the same
        // stories lock their rows in the same order and cannot deadlock on PostgreSQL. The
        // sort is stable: repeats of one story keep their input order.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| prepared[a].identity.cmp(&prepared[b].identity));
        let mut tx = self.begin_write().await?;
        let mut outcomes: Vec<Option<UpsertOutcome>> = vec![None; items.len()];
        let mut pending = Pending::new();
        // Links of articles inserted by this batch: they have none to replace, so they are
        // written together after the loop instead of locked, cleared and inserted one by one.
        let mut new_links: Vec<(Id, &InstrumentLink)> = Vec::new();
        for &i in &order {
            let item = &items[i];
            let outcome = upsert_in(&mut tx, &prepared[i], &mut pending).await?;
            match (&item.links, &outcome) {
                (Some(_), UpsertOutcome::Removed { .. }) | (None, _) => {}
                (Some(links), UpsertOutcome::Inserted { id }) => {
                    new_links.extend(links.iter().map(|l| (*id, l)));
                    pending.push((*id, ChangeKind::Links, item.fetched_at));
                }
                (Some(links), _) => {
                    // The same story earlier in this batch may still have links waiting: they
                    // must land before these replace them.
                    insert_links(&mut tx, &new_links).await?;
                    new_links.clear();
                    set_links_in(&mut tx, outcome.id(), links, item.fetched_at, &mut pending)
                        .await?;
                }
            }
            outcomes[i] = Some(outcome);
        }
        insert_links(&mut tx, &new_links).await?;
        flush_changes(&mut tx, pending).await?;
        tx.commit()
            .await
            .context("committing a batch of articles")?;
        Ok(outcomes.into_iter().flatten().collect())
    }

    async fn get_article(&self, id: Id) -> Result<Option<StoredArticle>> {
        let ctx = "loading an article";
        let row = sqlx::query(concat!(
            "SELECT ",
            summary_cols!(),
            ", r.content FROM articles a JOIN article_revisions r \
             ON r.article_id = a.id AND r.revision = a.current_revision \
             WHERE a.id = $1 AND a.removed_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(self.read_pool())
        .await
        .context(ctx)?;
        let Some(row) = row else { return Ok(None) };
        let mut summary = summary_from_row(&row)?;
        let content: String = row.try_get("content").context(ctx)?;
        let article = convert::article_json(&content)?;
        summary.instruments = links_for(self.read_pool(), &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(Some(StoredArticle { summary, article }))
    }

    async fn get_articles(&self, ids: &[Id]) -> Result<Vec<StoredArticle>> {
        let ctx = "loading articles";
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        // Chunks keep every statement well inside both engines' bind-parameter limits.
        for chunk in ids.chunks(GET_MANY_CHUNK) {
            let sql = format!(
                concat!(
                    "SELECT ",
                    summary_cols!(),
                    ", r.content FROM articles a JOIN article_revisions r \
                     ON r.article_id = a.id AND r.revision = a.current_revision \
                     WHERE a.id IN ({}) AND a.removed_at IS NULL ORDER BY a.id"
                ),
                convert::list_placeholders(1, chunk.len(), ANONYMOUS_PARAMS)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            let rows = q.fetch_all(self.read_pool()).await.context(ctx)?;
            let mut found = Vec::with_capacity(rows.len());
            for row in &rows {
                let summary = summary_from_row(row)?;
                let content: String = row.try_get("content").context(ctx)?;
                found.push(StoredArticle {
                    summary,
                    article: convert::article_json(&content)?,
                });
            }
            let found_ids: Vec<Id> = found.iter().map(|s| s.summary.id).collect();
            let mut links = links_for(self.read_pool(), &found_ids).await?;
            for mut stored in found {
                stored.summary.instruments = links.remove(&stored.summary.id).unwrap_or_default();
                out.push(stored);
            }
        }
        Ok(out)
    }

    async fn list_revisions(&self, id: Id) -> Result<Vec<Revision>> {
        let ctx = "listing revisions";
        let rows = sqlx::query(
            "SELECT r.revision, r.fetched_at, r.content_hash, r.content \
             FROM article_revisions r JOIN articles a ON a.id = r.article_id \
             WHERE r.article_id = $1 AND a.removed_at IS NULL ORDER BY r.revision",
        )
        .bind(id)
        .fetch_all(self.read_pool())
        .await
        .context(ctx)?;
        rows.iter()
            .map(|row| {
                let content: String = row.try_get("content").context(ctx)?;
                Ok(Revision {
                    revision: row.try_get("revision").context(ctx)?,
                    fetched_at: convert::ts(row.try_get("fetched_at").context(ctx)?, "fetch time")?,
                    content_hash: row.try_get("content_hash").context(ctx)?,
                    article: convert::article_json(&content)?,
                })
            })
            .collect()
    }

    async fn list_articles(
        &self,
        filter: &ArticleFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<ArticlePage> {
        let limit = i64::from(limit.clamp(1, 1000));
        let mut sql = String::from(concat!(
            "SELECT ",
            summary_cols!(),
            " FROM articles a WHERE a.removed_at IS NULL"
        ));
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if filter.source_id.is_some() {
            sql.push_str(&format!(" AND a.source_id = ${}", next()));
        }
        if filter.instrument.is_some() {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM article_instruments ai \
                 WHERE ai.article_id = a.id AND ai.symbol = ${})",
                next()
            ));
        }
        if filter.from.is_some() {
            sql.push_str(&format!(" AND a.sort_at >= ${}", next()));
        }
        if filter.to.is_some() {
            sql.push_str(&format!(" AND a.sort_at < ${}", next()));
        }
        if after.is_some() {
            let (p, q) = (next(), next());
            sql.push_str(&format!(" AND (a.sort_at, a.id) < (${p}, ${q})"));
        }
        sql.push_str(&format!(
            " ORDER BY a.sort_at DESC, a.id DESC LIMIT ${}",
            next()
        ));

        let mut q = sqlx::query(AssertSqlSafe(sql));
        if let Some(source_id) = filter.source_id {
            q = q.bind(source_id);
        }
        if let Some(symbol) = &filter.instrument {
            q = q.bind(symbol.clone());
        }
        if let Some(from) = filter.from {
            q = q.bind(from.as_microsecond());
        }
        if let Some(to) = filter.to {
            q = q.bind(to.as_microsecond());
        }
        if let Some(c) = after {
            q = q.bind(c.sort_at.as_microsecond()).bind(c.id);
        }
        // One extra row tells whether a next page exists.
        q = q.bind(limit + 1);
        let rows = q
            .fetch_all(self.read_pool())
            .await
            .context("listing articles")?;
        let mut articles = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        let more = articles.len() as i64 > limit;
        articles.truncate(limit as usize);
        let ids: Vec<Id> = articles.iter().map(|a| a.id).collect();
        let mut links = links_for(self.read_pool(), &ids).await?;
        for a in &mut articles {
            a.instruments = links.remove(&a.id).unwrap_or_default();
        }
        let next = if more {
            articles.last().map(ArticleSummary::cursor)
        } else {
            None
        };
        Ok(ArticlePage { articles, next })
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn remove_article(&self, id: Id, reason: &str, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // Lock the row first: a concurrent revision either finished before (and its revision is
        // deleted below) or sees `removed_at` set and stops.
        let row = sqlx::query(
            "UPDATE articles SET removed_at = $1, removed_reason = $2, title = NULL, \
             last_changed_at = $1 WHERE id = $3 AND removed_at IS NULL RETURNING id",
        )
        .bind(now.as_microsecond())
        .bind(reason)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .context("tombstoning an article")?;
        if row.is_none() {
            let exists = sqlx::query("SELECT id FROM articles WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .context("looking up an article")?;
            return match exists {
                Some(_) => Ok(()),
                None => Err(StoreError::NotFound {
                    what: "article",
                    id,
                }),
            };
        }
        sqlx::query("DELETE FROM article_instruments WHERE article_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting instrument links")?;
        sqlx::query("DELETE FROM article_revisions WHERE article_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting revisions")?;
        flush_changes(&mut tx, vec![(id, ChangeKind::Removed, now)]).await?;
        tx.commit().await.context("committing a removal")?;
        Ok(())
    }

    async fn get_removal(&self, id: Id) -> Result<Option<Removal>> {
        let ctx = "loading a tombstone";
        let row = sqlx::query(
            "SELECT removed_at, removed_reason FROM articles \
             WHERE id = $1 AND removed_at IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(self.read_pool())
        .await
        .context(ctx)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Removal {
            id,
            removed_at: convert::ts(row.try_get("removed_at").context(ctx)?, "removal time")?,
            reason: row
                .try_get::<Option<String>, _>("removed_reason")
                .context(ctx)?
                .unwrap_or_default(),
        }))
    }

    #[tracing::instrument(level = "debug", skip(self, links), fields(n = links.len()), err)]
    async fn set_instrument_links(
        &self,
        article_id: Id,
        links: &[InstrumentLink],
        now: Timestamp,
    ) -> Result<()> {
        check_links(links)?;
        let mut tx = self.begin_write().await?;
        let mut pending = Pending::new();
        set_links_in(&mut tx, article_id, links, now, &mut pending).await?;
        flush_changes(&mut tx, pending).await?;
        tx.commit().await.context("committing instrument links")?;
        Ok(())
    }

    async fn instrument_links(&self, article_id: Id) -> Result<Vec<InstrumentLink>> {
        Ok(links_for(self.read_pool(), &[article_id])
            .await?
            .remove(&article_id)
            .unwrap_or_default())
    }

    // --- market data: implemented in shared_prices.rs ---

    async fn upsert_instrument(&self, instrument: &crate::Instrument) -> Result<()> {
        self.prices_upsert_instrument(instrument).await
    }

    async fn get_instrument(&self, symbol: &str) -> Result<Option<crate::Instrument>> {
        self.prices_get_instrument(symbol).await
    }

    async fn list_instruments(&self) -> Result<Vec<crate::Instrument>> {
        self.prices_list_instruments().await
    }

    async fn import_bars(
        &self,
        symbol: &str,
        bars: &[newsdesk_market::Bar],
        source: &str,
        as_of: Timestamp,
        now: Timestamp,
    ) -> Result<crate::ImportOutcome> {
        self.prices_import_bars(symbol, bars, source, as_of, now)
            .await
    }

    async fn bars(
        &self,
        symbol: &str,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
    ) -> Result<Vec<newsdesk_market::Bar>> {
        self.prices_bars(symbol, from, to).await
    }

    async fn last_bar(&self, symbol: &str) -> Result<Option<crate::StoredBar>> {
        self.prices_last_bar(symbol).await
    }

    async fn price_corrections(&self, symbol: &str) -> Result<Vec<crate::PriceCorrection>> {
        self.prices_corrections(symbol).await
    }

    async fn store_ticks(
        &self,
        symbol: &str,
        ticks: &[newsdesk_market::IntradayBar],
        source: &str,
        as_of: Timestamp,
        now: Timestamp,
    ) -> Result<u64> {
        self.prices_store_ticks(symbol, ticks, source, as_of, now)
            .await
    }

    async fn ticks(
        &self,
        symbol: &str,
        after: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<newsdesk_market::IntradayBar>> {
        self.prices_ticks(symbol, after, limit).await
    }

    async fn last_tick(&self, symbol: &str) -> Result<Option<crate::StoredTick>> {
        self.prices_last_tick(symbol).await
    }

    async fn price_changes_since(&self, after: i64, limit: u32) -> Result<Vec<crate::PriceChange>> {
        self.prices_changes_since(after, limit).await
    }

    async fn last_price_change_seq(&self) -> Result<i64> {
        self.prices_last_change_seq().await
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>> {
        let ctx = "reading the change log";
        let rows = sqlx::query(
            "SELECT seq, article_id, kind, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(self.read_pool())
        .await
        .context(ctx)?;
        rows.iter()
            .map(|row| {
                Ok(Change {
                    seq: row.try_get("seq").context(ctx)?,
                    article_id: row.try_get("article_id").context(ctx)?,
                    kind: convert::change_kind(&row.try_get::<String, _>("kind").context(ctx)?)?,
                    at: convert::ts(row.try_get("at").context(ctx)?, "change time")?,
                })
            })
            .collect()
    }

    async fn last_change_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM changes")
            .fetch_one(self.read_pool())
            .await
            .context("reading the change log")?;
        row.try_get("seq").context("reading the change log")
    }

    async fn story_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT seq FROM story_cursor WHERE id = 1")
            .fetch_optional(self.read_pool())
            .await
            .context("reading the story cursor")?;
        match row {
            Some(row) => row.try_get("seq").context("reading the story cursor"),
            None => Ok(0),
        }
    }

    async fn story_candidates(
        &self,
        keys: &[i64],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StoryCandidate>> {
        let ctx = "loading story candidates";
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for chunk in keys.chunks(GET_MANY_CHUNK) {
            // Time bounds first, then the keys: with anonymous parameters the order of
            // appearance is the order of binding.
            // At most the latest `stories::KEY_FANOUT` articles per key: boilerplate shared by
            // thousands of a site's items makes "hot" keys, and comparing against all of them
            // would make filing quadratic. A copy is published close to its original, so the
            // latest sharers are the ones that matter.
            let sql = format!(
                "SELECT s.article_id, s.story_id, s.published, s.fingerprint FROM \
                 (SELECT k.article_id, ROW_NUMBER() OVER \
                   (PARTITION BY k.key ORDER BY k.published DESC, k.article_id DESC) AS rn \
                  FROM story_keys k \
                  WHERE k.published >= {} AND k.published <= {} AND k.key IN ({})) t \
                 JOIN stories s ON s.article_id = t.article_id \
                 JOIN articles a ON a.id = t.article_id AND a.removed_at IS NULL \
                 WHERE t.rn <= {}",
                if ANONYMOUS_PARAMS { "?" } else { "$1" },
                if ANONYMOUS_PARAMS { "?" } else { "$2" },
                convert::list_placeholders(3, chunk.len(), ANONYMOUS_PARAMS),
                crate::stories::KEY_FANOUT,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(from.as_microsecond())
                .bind(to.as_microsecond());
            for key in chunk {
                q = q.bind(*key);
            }
            for row in q.fetch_all(self.read_pool()).await.context(ctx)? {
                let article_id: Id = row.try_get("article_id").context(ctx)?;
                if !seen.insert(article_id) {
                    continue;
                }
                out.push(StoryCandidate {
                    article_id,
                    story_id: row.try_get("story_id").context(ctx)?,
                    published: convert::ts(row.try_get("published").context(ctx)?, "published")?,
                    fingerprint: row.try_get("fingerprint").context(ctx)?,
                });
            }
        }
        Ok(out)
    }

    async fn save_stories(
        &self,
        assignments: &[StoryAssignment],
        from_seq: i64,
        to_seq: i64,
    ) -> Result<()> {
        let ctx = "saving story assignments";
        let mut tx = self.begin_write().await?;
        let moved = sqlx::query("UPDATE story_cursor SET seq = $1 WHERE id = 1 AND seq = $2")
            .bind(to_seq)
            .bind(from_seq)
            .execute(&mut *tx)
            .await
            .context(ctx)?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Contended("assigning stories"));
        }
        // Many rows per statement: a bulk load files hundreds of articles with ~40 keys each.
        for chunk in assignments.chunks(MULTI_ROW_CHUNK) {
            // An article keeps the story it already has; its fingerprint follows its content.
            let sql = format!(
                "INSERT INTO stories (article_id, story_id, published, fingerprint, reason) \
                 VALUES {} ON CONFLICT (article_id) DO UPDATE SET \
                 published = excluded.published, fingerprint = excluded.fingerprint",
                convert::row_placeholders(5, chunk.len(), ANONYMOUS_PARAMS)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for a in chunk {
                q = q
                    .bind(a.article_id)
                    .bind(a.story_id)
                    .bind(a.published.as_microsecond())
                    .bind(&a.fingerprint)
                    .bind(&a.reason);
            }
            q.execute(&mut *tx).await.context(ctx)?;
            let sql = format!(
                "DELETE FROM story_keys WHERE article_id IN ({})",
                convert::list_placeholders(1, chunk.len(), ANONYMOUS_PARAMS)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for a in chunk {
                q = q.bind(a.article_id);
            }
            q.execute(&mut *tx).await.context(ctx)?;
        }
        let mut keys: Vec<(i64, Id, i64)> = assignments
            .iter()
            .flat_map(|a| {
                a.keys
                    .iter()
                    .map(move |k| (*k, a.article_id, a.published.as_microsecond()))
            })
            .collect();
        // In key order, so consecutive rows land on neighbouring index pages.
        keys.sort_unstable();
        for chunk in keys.chunks(MULTI_ROW_CHUNK) {
            let sql = format!(
                "INSERT INTO story_keys (key, article_id, published) VALUES {}",
                convert::row_placeholders(3, chunk.len(), ANONYMOUS_PARAMS)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (key, article_id, published) in chunk {
                q = q.bind(*key).bind(*article_id).bind(*published);
            }
            q.execute(&mut *tx).await.context(ctx)?;
        }
        // Serving processes show "Also reported by": they drop pages of the new members.
        notify(&mut tx, WakeChannel::Changes).await?;
        tx.commit().await.context(ctx)?;
        Ok(())
    }

    async fn story_members(
        &self,
        article_id: Id,
        limit: u32,
    ) -> Result<Option<(Id, Vec<StoryMember>)>> {
        let ctx = "loading a story";
        let row = sqlx::query(
            "SELECT s.story_id FROM stories s JOIN articles a ON a.id = s.article_id \
             WHERE s.article_id = $1 AND a.removed_at IS NULL",
        )
        .bind(article_id)
        .fetch_optional(self.read_pool())
        .await
        .context(ctx)?;
        let Some(row) = row else { return Ok(None) };
        let story_id: Id = row.try_get("story_id").context(ctx)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            summary_cols!(),
            ", s.reason FROM stories s JOIN articles a ON a.id = s.article_id \
             WHERE s.story_id = $1 AND s.article_id <> $2 AND a.removed_at IS NULL \
             ORDER BY a.sort_at, a.id LIMIT $3"
        ))
        .bind(story_id)
        .bind(article_id)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(self.read_pool())
        .await
        .context(ctx)?;
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            members.push(StoryMember {
                summary: summary_from_row(row)?,
                reason: row.try_get("reason").context(ctx)?,
            });
        }
        let ids: Vec<Id> = members.iter().map(|m| m.summary.id).collect();
        let mut links = links_for(self.read_pool(), &ids).await?;
        for m in &mut members {
            m.summary.instruments = links.remove(&m.summary.id).unwrap_or_default();
        }
        Ok(Some((story_id, members)))
    }

    #[tracing::instrument(level = "debug", skip(self, job), fields(kind = %job.kind), err)]
    async fn enqueue(&self, job: &NewJob, now: Timestamp) -> Result<EnqueueOutcome> {
        if job.kind.trim().is_empty() {
            return Err(StoreError::Invalid {
                what: "job",
                detail: "empty kind".into(),
            });
        }
        if job.max_attempts < 1 {
            return Err(StoreError::Invalid {
                what: "job",
                detail: format!("max_attempts {} < 1", job.max_attempts),
            });
        }
        for _ in 0..RACE_RETRIES {
            let mut tx = self.begin_write().await?;
            let row = sqlx::query(
                "INSERT INTO jobs (kind, payload, state, dedupe_key, run_at, due_at, attempts, \
                 max_attempts, created_at, updated_at) \
                 VALUES ($1, $2, 'queued', $3, $4, $4, 0, $5, $6, $6) \
                 ON CONFLICT (kind, dedupe_key) \
                 WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING \
                 RETURNING id",
            )
            .bind(&job.kind)
            .bind(Json(&job.payload))
            .bind(&job.dedupe_key)
            .bind(job.run_at.as_microsecond())
            .bind(job.max_attempts)
            .bind(now.as_microsecond())
            .fetch_optional(&mut *tx)
            .await
            .context("enqueueing a job")?;
            if let Some(row) = row {
                let id: Id = row.try_get("id").context("enqueueing a job")?;
                if job.run_at <= now {
                    // Idle workers claim it as soon as this commits.
                    notify(&mut tx, WakeChannel::Jobs).await?;
                }
                tx.commit().await.context("committing a job")?;
                return Ok(EnqueueOutcome::Enqueued { id });
            }
            let existing = sqlx::query(
                "SELECT id FROM jobs WHERE kind = $1 AND dedupe_key = $2 \
                 AND state IN ('queued', 'running')",
            )
            .bind(&job.kind)
            .bind(&job.dedupe_key)
            .fetch_optional(&mut *tx)
            .await
            .context("finding a duplicate job")?;
            // None: the duplicate finished between our insert and this look-up; try again.
            if let Some(row) = existing {
                let id: Id = row.try_get("id").context("finding a duplicate job")?;
                return Ok(EnqueueOutcome::Duplicate { id });
            }
        }
        Err(StoreError::Contended("enqueueing a job"))
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn claim(
        &self,
        worker_id: &str,
        kinds: &[&str],
        lease: SignedDuration,
        now: Timestamp,
    ) -> Result<Option<Job>> {
        let now_us = now.as_microsecond();
        let expires = now
            .checked_add(lease)
            .map_err(|e| StoreError::Invalid {
                what: "lease",
                detail: e.to_string(),
            })?
            .as_microsecond();
        let mut sql = String::from(
            "SELECT id, attempts, max_attempts FROM jobs \
             WHERE state IN ('queued', 'running') AND due_at <= $1",
        );
        if !kinds.is_empty() {
            sql.push_str(&format!(
                " AND kind IN ({})",
                convert::placeholders(2, kinds.len())
            ));
        }
        sql.push_str(" ORDER BY due_at, id LIMIT 1");
        sql.push_str(CLAIM_LOCK);

        let mut tx = self.begin_write().await?;
        // Each round either claims a job or retires one expired job that is out of attempts,
        // so the loop is bounded by the number of such jobs; cap it to keep one call short.
        for _ in 0..100 {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(now_us);
            for kind in kinds {
                q = q.bind(*kind);
            }
            let Some(row) = q
                .fetch_optional(&mut *tx)
                .await
                .context("finding a due job")?
            else {
                break;
            };
            let ctx = "claiming a job";
            let id: Id = row.try_get("id").context(ctx)?;
            let attempts: i64 = row.try_get("attempts").context(ctx)?;
            let max_attempts: i64 = row.try_get("max_attempts").context(ctx)?;
            if attempts >= max_attempts {
                sqlx::query(
                    "UPDATE jobs SET state = 'failed', lease_owner = NULL, updated_at = $1, \
                     last_error = 'lease expired on the final attempt' WHERE id = $2",
                )
                .bind(now_us)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("retiring an exhausted job")?;
                continue;
            }
            let row = sqlx::query(concat!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, \
                 due_at = $2, updated_at = $3 WHERE id = $4 RETURNING ",
                job_cols!()
            ))
            .bind(worker_id)
            .bind(expires)
            .bind(now_us)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .context(ctx)?;
            let job = job_from_row(&row)?;
            tx.commit().await.context("committing a claim")?;
            return Ok(Some(job));
        }
        tx.commit().await.context("committing retired jobs")?;
        Ok(None)
    }

    async fn extend_lease(&self, lease: &Lease, until: Timestamp, now: Timestamp) -> Result<Lease> {
        let res = sqlx::query(
            "UPDATE jobs SET due_at = $1, updated_at = $2 \
             WHERE id = $3 AND state = 'running' AND lease_owner = $4 AND attempts = $5",
        )
        .bind(until.as_microsecond())
        .bind(now.as_microsecond())
        .bind(lease.job_id)
        .bind(&lease.worker_id)
        .bind(lease.attempt)
        .execute(self.write_pool())
        .await
        .context("extending a lease")?;
        lease_held(res.rows_affected(), lease)?;
        Ok(Lease {
            expires_at: until,
            ..lease.clone()
        })
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn complete(&self, lease: &Lease, now: Timestamp) -> Result<()> {
        let res = sqlx::query(
            "UPDATE jobs SET state = 'done', lease_owner = NULL, updated_at = $1 \
             WHERE id = $2 AND state = 'running' AND lease_owner = $3 AND attempts = $4",
        )
        .bind(now.as_microsecond())
        .bind(lease.job_id)
        .bind(&lease.worker_id)
        .bind(lease.attempt)
        .execute(self.write_pool())
        .await
        .context("completing a job")?;
        lease_held(res.rows_affected(), lease)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<FailOutcome> {
        let ctx = "failing a job";
        let retry = retry_at.map(|t| t.as_microsecond());
        let row = sqlx::query(
            "UPDATE jobs SET \
             state = CASE WHEN $1 IS NOT NULL AND attempts < max_attempts \
                     THEN 'queued' ELSE 'failed' END, \
             run_at = COALESCE($1, run_at), due_at = COALESCE($1, due_at), \
             last_error = $2, lease_owner = NULL, updated_at = $3 \
             WHERE id = $4 AND state = 'running' AND lease_owner = $5 AND attempts = $6 \
             RETURNING state, run_at",
        )
        .bind(retry)
        .bind(error)
        .bind(now.as_microsecond())
        .bind(lease.job_id)
        .bind(&lease.worker_id)
        .bind(lease.attempt)
        .fetch_optional(self.write_pool())
        .await
        .context(ctx)?;
        let Some(row) = row else {
            return Err(StoreError::LeaseLost {
                job_id: lease.job_id,
                attempt: lease.attempt,
            });
        };
        let state = convert::job_state(&row.try_get::<String, _>("state").context(ctx)?)?;
        Ok(match state {
            JobState::Queued => FailOutcome::Retrying {
                at: convert::ts(row.try_get("run_at").context(ctx)?, "job run time")?,
            },
            _ => FailOutcome::Failed,
        })
    }

    async fn get_job(&self, id: Id) -> Result<Option<Job>> {
        let row = sqlx::query(concat!("SELECT ", job_cols!(), " FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .context("loading a job")?;
        row.as_ref().map(job_from_row).transpose()
    }

    // --- feeds: implemented in shared_feeds.rs ---

    async fn add_feed(&self, feed: &NewFeed, now: Timestamp) -> Result<Feed> {
        self.feeds_add(feed, now).await
    }

    async fn get_feed(&self, id: Id) -> Result<Option<Feed>> {
        self.feeds_get("id = $1", FeedKey::Id(id)).await
    }

    async fn get_feed_by_url(&self, url: &str) -> Result<Option<Feed>> {
        self.feeds_get("url = $1", FeedKey::Url(url)).await
    }

    async fn list_feeds(&self) -> Result<Vec<Feed>> {
        self.feeds_list().await
    }

    async fn remove_feed(&self, id: Id) -> Result<bool> {
        self.feeds_remove(id).await
    }

    async fn due_feeds(&self, now: Timestamp, limit: u32) -> Result<Vec<Feed>> {
        self.feeds_due(now, limit).await
    }

    async fn record_feed_poll(&self, id: Id, poll: &FeedPoll, now: Timestamp) -> Result<Feed> {
        self.feeds_record_poll(id, poll, now).await
    }

    async fn feed_item_hashes(
        &self,
        feed_id: Id,
    ) -> Result<std::collections::HashMap<String, String>> {
        self.feeds_item_hashes(feed_id).await
    }

    async fn feed_item_hash(&self, feed_id: Id, item_key: &str) -> Result<Option<String>> {
        self.feeds_item_hash(feed_id, item_key).await
    }

    async fn ingest_items(
        &self,
        feed_id: Id,
        items: &[NewFeedItem],
        now: Timestamp,
    ) -> Result<Vec<FeedItemOutcome>> {
        self.feeds_ingest_items(feed_id, items, now).await
    }
}

/// A lease-guarded update that touched no row means another worker took the job over (the
/// lease expired and the job was re-claimed with a new attempt): the caller's lease is lost.
fn lease_held(rows_affected: u64, lease: &Lease) -> Result<()> {
    if rows_affected == 0 {
        return Err(StoreError::LeaseLost {
            job_id: lease.job_id,
            attempt: lease.attempt,
        });
    }
    Ok(())
}
