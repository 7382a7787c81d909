// The feeds part of the `Store`, shared by both backends like `shared.rs` and included right
// after it (so it sees the same `Db`, `This`, `begin_write`, `flush_changes`, `upsert_in`…).
// The trait methods in `shared.rs` delegate to the inherent methods here.

use crate::feed_model::{Feed, FeedItemOutcome, FeedPoll, FullText, NewFeed, NewFeedItem};

macro_rules! feed_cols {
    () => {
        "f.id, f.url, f.title, f.source_id, f.full_text, f.zone, f.interval_s, f.etag, \
         f.last_modified, f.last_fetch_at, f.next_due_at, f.failures, f.paused_reason, \
         f.last_error, f.created_at, \
         (SELECT COUNT(*) FROM feed_items i WHERE i.feed_id = f.id) AS items"
    };
}

/// Shortest polling interval accepted, in seconds.
const MIN_FEED_INTERVAL_S: i64 = 60;

/// A feed looked up by id or by URL.
enum FeedKey<'a> {
    Id(Id),
    Url(&'a str),
}

fn feed_from_row(row: &DbRow) -> Result<Feed> {
    let ctx = "reading a feed row";
    let full_text: String = row.try_get("full_text").context(ctx)?;
    let last_fetch: Option<i64> = row.try_get("last_fetch_at").context(ctx)?;
    Ok(Feed {
        id: row.try_get("id").context(ctx)?,
        url: row.try_get("url").context(ctx)?,
        title: row.try_get("title").context(ctx)?,
        source_id: row.try_get("source_id").context(ctx)?,
        full_text: FullText::parse(&full_text).ok_or_else(|| StoreError::Invalid {
            what: "feed",
            detail: format!("unknown full_text {full_text:?}"),
        })?,
        zone: row.try_get("zone").context(ctx)?,
        interval_s: row.try_get("interval_s").context(ctx)?,
        etag: row.try_get("etag").context(ctx)?,
        last_modified: row.try_get("last_modified").context(ctx)?,
        last_fetch_at: last_fetch
            .map(|t| convert::ts(t, "feed fetch time"))
            .transpose()?,
        next_due_at: convert::ts(row.try_get("next_due_at").context(ctx)?, "feed due time")?,
        failures: row.try_get("failures").context(ctx)?,
        paused_reason: row.try_get("paused_reason").context(ctx)?,
        last_error: row.try_get("last_error").context(ctx)?,
        created_at: convert::ts(row.try_get("created_at").context(ctx)?, "feed creation")?,
        items: row.try_get("items").context(ctx)?,
    })
}

impl This {
    async fn feeds_add(&self, feed: &NewFeed, now: Timestamp) -> Result<Feed> {
        let lower = feed.url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(StoreError::Invalid {
                what: "feed",
                detail: format!("{:?} is not an http(s) URL", feed.url),
            });
        }
        convert::check_zone(&feed.zone)?;
        if feed.interval_s < MIN_FEED_INTERVAL_S {
            return Err(StoreError::Invalid {
                what: "feed",
                detail: format!(
                    "interval {} s is shorter than {MIN_FEED_INTERVAL_S} s",
                    feed.interval_s
                ),
            });
        }
        let now_us = now.as_microsecond();
        let row = sqlx::query(
            "INSERT INTO feeds (url, source_id, full_text, zone, interval_s, next_due_at, \
             failures, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $6) \
             ON CONFLICT (url) DO UPDATE SET source_id = excluded.source_id, \
             full_text = excluded.full_text, zone = excluded.zone, \
             interval_s = excluded.interval_s, next_due_at = excluded.next_due_at, \
             failures = 0, paused_reason = NULL RETURNING id",
        )
        .bind(&feed.url)
        .bind(feed.source_id)
        .bind(feed.full_text.as_str())
        .bind(&feed.zone)
        .bind(feed.interval_s)
        .bind(now_us)
        .fetch_one(self.write_pool())
        .await;
        let row = match row {
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                return Err(StoreError::NotFound {
                    what: "source",
                    id: feed.source_id,
                });
            }
            other => other.context("adding a feed")?,
        };
        let id: Id = row.try_get("id").context("adding a feed")?;
        self.feeds_get("id = $1", FeedKey::Id(id))
            .await?
            .ok_or(StoreError::NotFound { what: "feed", id })
    }

    async fn feeds_get(&self, condition: &str, key: FeedKey<'_>) -> Result<Option<Feed>> {
        let sql = format!(
            concat!("SELECT ", feed_cols!(), " FROM feeds f WHERE f.{}"),
            condition
        );
        let q = sqlx::query(AssertSqlSafe(sql));
        let q = match key {
            FeedKey::Id(id) => q.bind(id),
            FeedKey::Url(url) => q.bind(url.to_string()),
        };
        let row = q
            .fetch_optional(self.read_pool())
            .await
            .context("loading a feed")?;
        row.as_ref().map(feed_from_row).transpose()
    }

    async fn feeds_list(&self) -> Result<Vec<Feed>> {
        let rows = sqlx::query(concat!("SELECT ", feed_cols!(), " FROM feeds f ORDER BY f.id"))
            .fetch_all(self.read_pool())
            .await
            .context("listing feeds")?;
        rows.iter().map(feed_from_row).collect()
    }

    async fn feeds_remove(&self, id: Id) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM feed_items WHERE feed_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting a feed's items")?;
        let res = sqlx::query("DELETE FROM feeds WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting a feed")?;
        tx.commit().await.context("committing a feed removal")?;
        Ok(res.rows_affected() > 0)
    }

    async fn feeds_due(&self, now: Timestamp, limit: u32) -> Result<Vec<Feed>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            feed_cols!(),
            " FROM feeds f WHERE f.paused_reason IS NULL AND f.next_due_at <= $1 \
             ORDER BY f.next_due_at, f.id LIMIT $2"
        ))
        .bind(now.as_microsecond())
        .bind(i64::from(limit.clamp(1, 100_000)))
        .fetch_all(self.read_pool())
        .await
        .context("listing due feeds")?;
        rows.iter().map(feed_from_row).collect()
    }

    async fn feeds_record_poll(&self, id: Id, poll: &FeedPoll, now: Timestamp) -> Result<Feed> {
        let now_us = now.as_microsecond();
        let res = match poll {
            FeedPoll::Fetched {
                etag,
                last_modified,
                title,
                next_due_at,
            } => sqlx::query(
                "UPDATE feeds SET etag = $1, last_modified = $2, \
                 title = COALESCE($3, title), last_fetch_at = $4, next_due_at = $5, \
                 failures = 0, last_error = NULL WHERE id = $6",
            )
            .bind(etag)
            .bind(last_modified)
            .bind(title)
            .bind(now_us)
            .bind(next_due_at.as_microsecond())
            .bind(id),
            FeedPoll::NotModified { next_due_at } => sqlx::query(
                "UPDATE feeds SET last_fetch_at = $1, next_due_at = $2, failures = 0, \
                 last_error = NULL WHERE id = $3",
            )
            .bind(now_us)
            .bind(next_due_at.as_microsecond())
            .bind(id),
            FeedPoll::Failed {
                error,
                next_due_at,
                pause_after,
            } => sqlx::query(
                "UPDATE feeds SET last_fetch_at = $1, next_due_at = $2, \
                 failures = failures + 1, last_error = $3, \
                 paused_reason = CASE WHEN failures + 1 >= $4 \
                     THEN $5 ELSE paused_reason END \
                 WHERE id = $6",
            )
            .bind(now_us)
            .bind(next_due_at.as_microsecond())
            .bind(error)
            .bind(*pause_after)
            .bind(format!("{pause_after} consecutive failures; last: {error}"))
            .bind(id),
            FeedPoll::Stop { reason } => sqlx::query(
                "UPDATE feeds SET last_fetch_at = $1, failures = failures + 1, \
                 last_error = $2, paused_reason = $2 WHERE id = $3",
            )
            .bind(now_us)
            .bind(reason)
            .bind(id),
        }
        .execute(self.write_pool())
        .await
        .context("recording a feed poll")?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "feed", id });
        }
        self.feeds_get("id = $1", FeedKey::Id(id))
            .await?
            .ok_or(StoreError::NotFound { what: "feed", id })
    }

    async fn feeds_item_hashes(
        &self,
        feed_id: Id,
    ) -> Result<std::collections::HashMap<String, String>> {
        let ctx = "loading a feed's item keys";
        let rows = sqlx::query("SELECT item_key, content_hash FROM feed_items WHERE feed_id = $1")
            .bind(feed_id)
            .fetch_all(self.read_pool())
            .await
            .context(ctx)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("item_key").context(ctx)?,
                    row.try_get("content_hash").context(ctx)?,
                ))
            })
            .collect()
    }

    async fn feeds_item_hash(&self, feed_id: Id, item_key: &str) -> Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT content_hash FROM feed_items WHERE feed_id = $1 AND item_key = $2",
        )
        .bind(feed_id)
        .bind(item_key)
        .fetch_optional(self.read_pool())
        .await
        .context("reading a feed item's hash")
    }

    async fn feeds_ingest_items(
        &self,
        feed_id: Id,
        items: &[NewFeedItem],
        now: Timestamp,
    ) -> Result<Vec<FeedItemOutcome>> {
        let prepared = items
            .iter()
            .map(|item| {
                if let Some(links) = &item.article.links {
                    check_links(links)?;
                }
                Prepared::new(
                    item.article.source_id,
                    &item.article.article,
                    item.article.fetched_at,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        // Identity order, as in `upsert_articles`: overlapping batches lock article rows in the
        // same order on PostgreSQL.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| prepared[a].identity.cmp(&prepared[b].identity));
        let mut tx = self.begin_write().await?;
        // The feed row is locked first (an UPDATE), so two pollers of one feed serialise here
        // rather than racing on its item keys.
        let locked = sqlx::query("UPDATE feeds SET last_fetch_at = last_fetch_at WHERE id = $1")
            .bind(feed_id)
            .execute(&mut *tx)
            .await
            .context("locking a feed")?;
        if locked.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "feed",
                id: feed_id,
            });
        }
        let mut outcomes: Vec<Option<FeedItemOutcome>> = vec![None; items.len()];
        let mut done: std::collections::HashMap<&str, FeedItemOutcome> = Default::default();
        let mut pending = Pending::new();
        for &i in &order {
            let item = &items[i];
            if let Some(earlier) = done.get(item.item_key.as_str()) {
                outcomes[i] = Some(match *earlier {
                    FeedItemOutcome::Seen { article_id } => FeedItemOutcome::Seen { article_id },
                    FeedItemOutcome::Stored { upsert } => FeedItemOutcome::Seen {
                        article_id: upsert.id(),
                    },
                });
                continue;
            }
            let ctx = "looking up a feed item";
            let known = sqlx::query(
                "SELECT article_id, content_hash FROM feed_items \
                 WHERE feed_id = $1 AND item_key = $2",
            )
            .bind(feed_id)
            .bind(&item.item_key)
            .fetch_optional(&mut *tx)
            .await
            .context(ctx)?;
            let known: Option<(Id, String)> = match known {
                Some(row) => Some((
                    row.try_get("article_id").context(ctx)?,
                    row.try_get("content_hash").context(ctx)?,
                )),
                None => None,
            };
            let outcome = match known {
                Some((article_id, hash)) if hash == item.content_hash => {
                    FeedItemOutcome::Seen { article_id }
                }
                _ => {
                    let upsert = upsert_in(&mut tx, &prepared[i], &mut pending).await?;
                    match (&item.article.links, &upsert) {
                        (Some(links), UpsertOutcome::Inserted { id }) => {
                            let pairs: Vec<(Id, &InstrumentLink)> =
                                links.iter().map(|l| (*id, l)).collect();
                            insert_links(&mut tx, &pairs).await?;
                            pending.push((*id, ChangeKind::Links, item.article.fetched_at));
                        }
                        (Some(links), UpsertOutcome::Revised { id, .. }) => {
                            set_links_in(&mut tx, *id, links, item.article.fetched_at, &mut pending)
                                .await?;
                        }
                        _ => {}
                    }
                    sqlx::query(
                        "INSERT INTO feed_items (feed_id, item_key, article_id, content_hash, \
                         seen_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (feed_id, item_key) DO UPDATE SET \
                         article_id = excluded.article_id, content_hash = excluded.content_hash, \
                         seen_at = excluded.seen_at",
                    )
                    .bind(feed_id)
                    .bind(&item.item_key)
                    .bind(upsert.id())
                    .bind(&item.content_hash)
                    .bind(now.as_microsecond())
                    .execute(&mut *tx)
                    .await
                    .context("recording a feed item")?;
                    FeedItemOutcome::Stored { upsert }
                }
            };
            done.insert(item.item_key.as_str(), outcome);
            outcomes[i] = Some(outcome);
        }
        flush_changes(&mut tx, pending).await?;
        tx.commit().await.context("committing feed items")?;
        Ok(outcomes.into_iter().flatten().collect())
    }
}
