//! The scale-out backend: PostgreSQL, shared by any number of `serve` and `worker` processes.
//!
//! - One connection pool ([`PgPoolSettings`]); migrations run on connect under sqlx's advisory
//!   lock, so processes starting together migrate once.
//! - Job claims use `SELECT … FOR UPDATE SKIP LOCKED`: concurrent workers each lock a different
//!   due row without waiting on each other.
//! - The change log keeps `seq` order equal to commit order with a transaction-scoped advisory
//!   lock taken just before the change row is inserted (see the crate docs).
//! - Enqueueing a due job and appending to the change log `NOTIFY` a channel (delivered on
//!   commit); [`Store::subscribe`] holds one pooled connection in `LISTEN` per subscription
//!   ([`crate::wake`]).
//! - JSON that may be queried (job payloads, link reasons) is `JSONB`; revision content is `TEXT`
//!   (read back whole, never queried inside, and stored byte for byte).

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgConnection, Pool, Postgres, SqlSafeStr, Transaction};

type Db = Postgres;
type This = PostgresStore;

/// PostgreSQL numbers its parameters `$n`.
const ANONYMOUS_PARAMS: bool = false;

const BACKEND: &str = "postgres";
/// Lock the looked-up article row until commit, so the revision decided from it stands.
const ROW_LOCK: &str = " FOR UPDATE";
/// Skip rows another claimer holds instead of waiting for them.
const CLAIM_LOCK: &str = " FOR UPDATE SKIP LOCKED";

/// Advisory lock key serialising change-log appends ("newsdesk" in ASCII, truncated).
const CHANGE_LOG_LOCK: i64 = 0x6e65_7773_6465_736b;

/// Connection pool settings for [`PostgresStore::connect`]. Every setting has a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgPoolSettings {
    /// Most connections this process opens (default 10). Size it so that all processes together
    /// stay under the server's `max_connections`.
    pub max_connections: u32,
    /// Connections kept open when idle (default 0).
    pub min_connections: u32,
    /// How long a query waits for a free connection before failing (default 30 s).
    pub acquire_timeout: Duration,
    /// Idle connections above `min_connections` are closed after this long (default 10 min).
    pub idle_timeout: Option<Duration>,
}

impl PgPoolSettings {
    /// Pool options with these settings, for every component that opens its own pool on the
    /// same database (the store, the full-text index).
    pub fn pool_options(&self) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(self.min_connections)
            .acquire_timeout(self.acquire_timeout)
            .idle_timeout(self.idle_timeout)
    }
}

impl Default for PgPoolSettings {
    fn default() -> Self {
        PgPoolSettings {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(30),
            idle_timeout: Some(Duration::from_secs(600)),
        }
    }
}

/// The [`Store`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: Pool<Postgres>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and brings the schema up to date.
    /// The URL is never logged or put in errors: it may hold a password.
    pub async fn connect(url: &str, settings: &PgPoolSettings) -> Result<Self> {
        let options = PgConnectOptions::from_str(url).map_err(StoreError::Connect)?;
        Self::connect_with(options, settings).await
    }

    /// Connects with already-parsed options (e.g. built from separate host/user/password
    /// settings) and brings the schema up to date.
    pub async fn connect_with(
        options: PgConnectOptions,
        settings: &PgPoolSettings,
    ) -> Result<Self> {
        let options = options.application_name("newsdesk");
        let pool = settings
            .pool_options()
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        migrator().run(&pool).await.map_err(StoreError::Migrate)?;
        tracing::info!("connected to PostgreSQL store");
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for components that live in the same database (PostgreSQL
    /// full-text search) and should share its connections and settings.
    pub fn pool(&self) -> &Pool<Postgres> {
        &self.pool
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn write_pool(&self) -> &Pool<Postgres> {
        &self.pool
    }

    fn read_pool(&self) -> &Pool<Postgres> {
        &self.pool
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.context("beginning a transaction")
    }
}

impl PostgresStore {
    /// Starts a task holding one pooled connection in `LISTEN channel`; every notification (and
    /// every reconnect, which may have lost some) bumps the returned [`Wakeup`]. The task ends
    /// when the last clone of the `Wakeup` is dropped or the pool is closed.
    async fn subscribe_channel(&self, channel: WakeChannel) -> Result<Wakeup> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .context("opening a notification listener")?;
        listener
            .listen(channel.channel_name())
            .await
            .context("listening for notifications")?;
        let (tx, rx) = tokio::sync::watch::channel(0u64);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tx.closed() => return,
                    got = listener.try_recv() => match got {
                        // Ok(None): the connection was lost and re-established; notifications
                        // sent meanwhile are gone, so wake the subscriber to look anyway.
                        Ok(_) => tx.send_modify(|n| *n = n.wrapping_add(1)),
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(e) => {
                            tracing::warn!(error = %e, channel = channel.channel_name(), "notification listener; retrying");
                            tx.send_modify(|n| *n = n.wrapping_add(1));
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    },
                }
            }
        });
        Ok(Wakeup::from_receiver(rx))
    }
}

/// Queues a notification on `channel`, delivered to listeners when the transaction commits
/// (and never if it rolls back). Several in one transaction are delivered once.
async fn notify(conn: &mut PgConnection, channel: WakeChannel) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(channel.channel_name())
        .execute(conn)
        .await
        .context("queueing a notification")?;
    Ok(())
}

/// Serialises change-log appends until commit, so `seq` order is commit order: a transaction
/// takes the next `seq` only after every transaction that took an earlier one has committed or
/// rolled back, and a reader can never see `seq` n+1 while n is still to come.
async fn lock_change_log(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CHANGE_LOG_LOCK)
        .execute(conn)
        .await
        .context("locking the change log")?;
    Ok(())
}

/// The PostgreSQL migrations, embedded in the binary.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "init".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0001_init.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "prices".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0002_prices.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "feeds".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0003_feeds.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            "stories".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0004_stories.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            5,
            "price changes".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0005_price_changes.sql").into_sql_str(),
            false,
        ),
    ])
}

include!("shared.rs");
include!("shared_feeds.rs");
include!("shared_prices.rs");
