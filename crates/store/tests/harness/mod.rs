//! Runs one contract case against a fresh database of each backend.
//!
//! - SQLite: a new temporary data directory per test, removed afterwards.
//! - PostgreSQL (only when `NEWSDESK_TEST_DATABASE_URL` is set): a new database with a random name
//!   per test, created through that URL and dropped afterwards, also when the case panics.

#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use newsdesk_store::{PgPoolSettings, PostgresStore, SqliteStore, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The environment variable naming an admin URL of a PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "NEWSDESK_TEST_DATABASE_URL";

/// Where a test's database lives, so a case can open a second handle or hand it to a child
/// process.
#[derive(Debug, Clone)]
pub enum Location {
    /// A SQLite data directory.
    Sqlite(PathBuf),
    /// A PostgreSQL admin URL and the test database's name.
    Postgres { admin_url: String, database: String },
}

impl Location {
    /// Opens another store on the same database (a new process would do the same).
    pub async fn open(&self) -> Arc<dyn Store> {
        match self {
            Location::Sqlite(dir) => Arc::new(SqliteStore::open(dir).await.unwrap()),
            Location::Postgres {
                admin_url,
                database,
            } => {
                let options = PgConnectOptions::from_str(admin_url)
                    .unwrap()
                    .database(database);
                Arc::new(
                    PostgresStore::connect_with(options, &PgPoolSettings::default())
                        .await
                        .unwrap(),
                )
            }
        }
    }

    /// Encodes the location for an environment variable.
    pub fn encode(&self) -> String {
        match self {
            Location::Sqlite(dir) => format!("sqlite\n{}", dir.display()),
            Location::Postgres {
                admin_url,
                database,
            } => format!("postgres\n{admin_url}\n{database}"),
        }
    }

    /// Decodes [`Location::encode`].
    pub fn decode(s: &str) -> Location {
        let parts: Vec<&str> = s.split('\n').collect();
        match parts.as_slice() {
            ["sqlite", dir] => Location::Sqlite(PathBuf::from(dir)),
            ["postgres", url, db] => Location::Postgres {
                admin_url: url.to_string(),
                database: db.to_string(),
            },
            _ => panic!("bad location {s:?}"),
        }
    }
}

/// What a case gets: the store and where it lives.
pub struct Env {
    /// The store under test.
    pub store: Arc<dyn Store>,
    /// Its database.
    pub location: Location,
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}_{:x}_{n}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// Runs `case` on a fresh SQLite data directory.
pub async fn on_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().to_path_buf());
    let store = location.open().await;
    assert_eq!(store.backend(), "sqlite");
    assert!(dir.path().join("newsdesk.db").exists());
    let result = tokio::spawn(case(Env { store, location })).await;
    drop(dir);
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Runs `case` on a fresh PostgreSQL database, or does nothing (with a note) when no server is
/// configured.
pub async fn on_postgres<F, Fut>(case: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(admin_url) = std::env::var(PG_URL_VAR) else {
        eprintln!("{PG_URL_VAR} is not set: PostgreSQL case not run");
        return;
    };
    let database = format!("newsdesk_test_{}", unique_suffix());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    let location = Location::Postgres {
        admin_url: admin_url.clone(),
        database: database.clone(),
    };
    let store = location.open().await;
    assert_eq!(store.backend(), "postgres");
    let result = tokio::spawn(case(Env { store, location })).await;
    // FORCE ends the connections the case's pools still hold.
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Instantiates each named case in `cases` once per backend: `sqlite::<case>` always and
/// `postgres::<case>` (a no-op without a server).
#[macro_export]
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    $crate::harness::on_sqlite($crate::cases::$case).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    $crate::harness::on_postgres($crate::cases::$case).await;
                }
            )*
        }
    };
}
