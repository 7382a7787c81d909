//! The embedded backend: one SQLite file (`newsdesk.db`) in the data directory.
//!
//! - **WAL** journal, `synchronous = NORMAL` (a commit survives a process crash; a power loss may
//!   lose the last commits but never corrupts), foreign keys on, a busy timeout so a second
//!   process on the same directory (`newsdesk add` while `serve` runs) waits instead of failing.
//! - **Two pools**: one writer connection and several readers. SQLite allows one writer at a time
//!   anyway; queueing writers in the pool (async) is cheaper than letting them spin in SQLite's
//!   busy handler, and readers never wait for writers under WAL.
//! - **`BEGIN IMMEDIATE`** for every read-then-write transaction (upserts, claims): the write lock
//!   is taken at `BEGIN`, so two processes can never both read "job 7 is free" and both claim it,
//!   and a transaction never fails half-way by upgrading a read lock to a write lock.
//! - Migrations run on open, before the store is handed out.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, SqlSafeStr, Sqlite, Transaction};

/// The file name of the database inside the data directory.
pub const DB_FILE: &str = "newsdesk.db";

/// Readers in the read pool.
const READERS: u32 = 4;

type Db = Sqlite;
type This = SqliteStore;

/// sqlx binds `$n` parameters by a linear name lookup each; long lists use `?`.
const ANONYMOUS_PARAMS: bool = true;

const BACKEND: &str = "sqlite";
/// No row locks in SQLite: `BEGIN IMMEDIATE` already excludes other writers.
const ROW_LOCK: &str = "";
/// SQLite has no row locks; `BEGIN IMMEDIATE` already excludes other writers.
const CLAIM_LOCK: &str = "";

/// The [`Store`] on an embedded SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    path: PathBuf,
    write: Pool<Sqlite>,
    read: Pool<Sqlite>,
}

impl SqliteStore {
    /// Opens (creating if needed) `newsdesk.db` in `data_dir`, which is created if missing, and
    /// brings its schema up to date.
    pub async fn open(data_dir: impl AsRef<Path>) -> Result<Self> {
        let dir = data_dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(StoreError::Connect)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // SQLite's default page cache is 2 MB per connection: a bulk load into indexes with
            // random keys (story band keys, identities) then re-reads pages through `pread` for
            // most of its time. 64 MB of cache and memory-mapped reads keep them in memory.
            .pragma("cache_size", "-65536")
            .pragma("mmap_size", "268435456")
            // Statement journals (multi-row inserts inside a transaction) in memory, not in a
            // temporary file.
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(StoreError::Connect)?;
        migrator().run(&write).await.map_err(StoreError::Migrate)?;
        let read = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.read_only(true))
            .await
            .map_err(StoreError::Connect)?;
        tracing::info!(path = %path.display(), "opened SQLite store");
        Ok(SqliteStore { path, write, read })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes both pools, waiting for connections in use to be returned; the WAL is
    /// checkpointed when the last connection closes.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// The read-only pool, for the copy to PostgreSQL ([`crate::copy`]).
    pub(crate) fn reader(&self) -> &Pool<Sqlite> {
        &self.read
    }

    fn write_pool(&self) -> &Pool<Sqlite> {
        &self.write
    }

    fn read_pool(&self) -> &Pool<Sqlite> {
        &self.read
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        self.write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("beginning a write transaction")
    }
}

impl SqliteStore {
    /// SQLite has no notifications: the subscription never fires and callers poll.
    async fn subscribe_channel(&self, _channel: WakeChannel) -> Result<Wakeup> {
        Ok(Wakeup::never())
    }
}

/// Nothing to do: SQLite has no notifications (subscribers poll).
async fn notify(_conn: &mut sqlx::SqliteConnection, _channel: WakeChannel) -> Result<()> {
    Ok(())
}

/// Nothing to do: SQLite has one writer at a time, so `seq` order is commit order already.
async fn lock_change_log(_conn: &mut sqlx::SqliteConnection) -> Result<()> {
    Ok(())
}

/// The SQLite migrations, embedded in the binary.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "init".into(),
            MigrationType::Simple,
            include_str!("../migrations/sqlite/0001_init.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "prices".into(),
            MigrationType::Simple,
            include_str!("../migrations/sqlite/0002_prices.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "feeds".into(),
            MigrationType::Simple,
            include_str!("../migrations/sqlite/0003_feeds.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            "stories".into(),
            MigrationType::Simple,
            include_str!("../migrations/sqlite/0004_stories.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            5,
            "price changes".into(),
            MigrationType::Simple,
            include_str!("../migrations/sqlite/0005_price_changes.sql").into_sql_str(),
            false,
        ),
    ])
}

include!("shared.rs");
include!("shared_feeds.rs");
include!("shared_prices.rs");
