//! Opening the store and the search index the configuration names: embedded (SQLite + tantivy
//! in `data_dir`) or PostgreSQL (store and full-text search in one database). Everything above
//! this module sees only `Arc<dyn Store>` and `Arc<dyn SearchIndex>`.

use std::sync::Arc;

use anyhow::Context;
use newsdesk_search::SearchIndex;
use newsdesk_search::indexer::{self, CatchUp};
use newsdesk_search::tantivy_index::TantivyIndex;
use newsdesk_store::Store;

use crate::config::Config;

/// The data layer of one process.
#[derive(Debug, Clone)]
pub struct Backends {
    /// Articles, sources, links, change log, jobs.
    pub store: Arc<dyn Store>,
    /// Full-text search, derived from the store.
    pub index: Arc<dyn SearchIndex>,
}

impl Backends {
    /// Opens (creating and migrating when needed) the store and index of `config`.
    pub async fn open(config: &Config) -> anyhow::Result<Backends> {
        Self::open_inner(config, false).await
    }

    /// Like [`Backends::open`], for `newsdesk reindex`: an embedded index that cannot be opened
    /// (corrupt, half-deleted) is wiped and recreated empty, since reindexing rebuilds it anyway.
    pub async fn open_for_reindex(config: &Config) -> anyhow::Result<Backends> {
        Self::open_inner(config, true).await
    }

    async fn open_inner(config: &Config, recreate_broken_index: bool) -> anyhow::Result<Backends> {
        match &config.database_url {
            Some(url) => {
                let pool = config.postgres.pool();
                let store = newsdesk_store::PostgresStore::connect(url.expose(), &pool)
                    .await
                    .with_context(|| format!("opening the PostgreSQL store at {url}"))?;
                let index = pg_index(&store)
                    .await
                    .with_context(|| format!("opening PostgreSQL full-text search at {url}"))?;
                Ok(Backends {
                    store: Arc::new(store),
                    index,
                })
            }
            None => {
                let dir = &config.data_dir;
                let store = newsdesk_store::SqliteStore::open(dir)
                    .await
                    .with_context(|| format!("opening the store in {}", dir.display()))?;
                let index_dir = dir.join("search");
                let index = match TantivyIndex::open(&index_dir) {
                    Ok(index) => index,
                    Err(e) if recreate_broken_index => {
                        tracing::warn!(error = %e, "the search index cannot be opened; recreating it empty");
                        TantivyIndex::recreate(&index_dir).with_context(|| {
                            format!("recreating the search index in {}", index_dir.display())
                        })?
                    }
                    Err(e) => {
                        return Err(anyhow::Error::new(e).context(format!(
                            "opening the search index in {}",
                            index_dir.display()
                        )));
                    }
                };
                Ok(Backends {
                    store: Arc::new(store),
                    index: Arc::new(index),
                })
            }
        }
    }

    /// Brings the search index up to the store's change log (after a crash between a store
    /// commit and an index commit, or after another process wrote).
    pub async fn catch_up(&self) -> anyhow::Result<CatchUp> {
        // Two independent consumers of the change log: the index's work is mostly tantivy's,
        // the stories' mostly the database's, so they overlap well.
        let store = Arc::clone(&self.store);
        let stories = tokio::spawn(async move { catch_up_stories(store.as_ref()).await });
        let index = indexer::catch_up(
            self.store.as_ref(),
            self.index.as_ref(),
            indexer::DEFAULT_BATCH,
        )
        .await
        .context("bringing the search index up to date");
        stories.await.context("the story filing task stopped")??;
        index
    }

    /// Files new and revised articles into stories (clustering), from the change log.
    pub async fn catch_up_stories(&self) -> anyhow::Result<newsdesk_store::stories::StoryCatchUp> {
        catch_up_stories(self.store.as_ref()).await
    }
}

async fn catch_up_stories(
    store: &dyn newsdesk_store::Store,
) -> anyhow::Result<newsdesk_store::stories::StoryCatchUp> {
    newsdesk_store::stories::catch_up_default(store)
        .await
        .context("filing articles into stories")
}

/// The full-text index that lives beside a PostgreSQL store, sharing its connection pool.
async fn pg_index(store: &newsdesk_store::PostgresStore) -> anyhow::Result<Arc<dyn SearchIndex>> {
    let index = newsdesk_search::postgres_index::PgSearchIndex::new(store.pool().clone()).await?;
    Ok(Arc::new(index))
}
