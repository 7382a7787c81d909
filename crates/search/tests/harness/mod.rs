//! Runs one contract case against a fresh index of each backend.
//!
//! - tantivy: a new temporary directory per test, removed afterwards.
//! - PostgreSQL (only when `NEWSDESK_TEST_DATABASE_URL` is set): a new database with a random
//!   name per test, created through that URL and dropped afterwards, also when the case panics.

#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use newsdesk_search::{SearchIndex, TantivyIndex};

/// The environment variable naming an admin URL of a PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "NEWSDESK_TEST_DATABASE_URL";

/// Where a test's index lives, so a case can open a second handle (as another process would)
/// or a fresh, empty index of the same backend.
#[derive(Debug, Clone)]
pub enum Location {
    /// A tantivy index directory, inside a temporary directory that holds spares too.
    Tantivy { root: PathBuf, dir: PathBuf },
    /// A PostgreSQL admin URL and the test database's name.
    Postgres { admin_url: String, database: String },
}

impl Location {
    /// Opens another handle on the same index.
    pub async fn open(&self) -> Arc<dyn SearchIndex> {
        match self {
            Location::Tantivy { dir, .. } => Arc::new(TantivyIndex::open(dir).unwrap()),
            Location::Postgres {
                admin_url,
                database,
            } => postgres::open(admin_url, database).await,
        }
    }

    /// Opens a new, empty index of the same backend (a second directory, or a second schema).
    pub async fn fresh(&self) -> Arc<dyn SearchIndex> {
        match self {
            Location::Tantivy { root, .. } => {
                let dir = root.join(format!("fresh-{}", unique_suffix()));
                Arc::new(TantivyIndex::open(&dir).unwrap())
            }
            Location::Postgres {
                admin_url,
                database,
            } => postgres::open_fresh(admin_url, database).await,
        }
    }
}

/// What a case gets: the index and where it lives.
pub struct Env {
    /// The index under test.
    pub index: Arc<dyn SearchIndex>,
    /// Where it lives.
    pub location: Location,
}

pub fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}_{:x}_{n}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// Runs `case` on a fresh tantivy index.
pub async fn on_tantivy<F, Fut>(case: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let tmp = tempfile::tempdir().unwrap();
    let location = Location::Tantivy {
        root: tmp.path().to_path_buf(),
        dir: tmp.path().join("search"),
    };
    let index = location.open().await;
    assert_eq!(index.backend(), "tantivy");
    let result = tokio::spawn(case(Env { index, location })).await;
    drop(tmp);
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
    postgres::run(case).await
}

mod postgres {
    use std::str::FromStr;
    use std::sync::Mutex;

    use newsdesk_search::PgSearchIndex;
    use newsdesk_store::PgPoolSettings;
    use sqlx::postgres::PgConnectOptions;
    use sqlx::{AssertSqlSafe, Connection, PgConnection};

    use super::*;

    /// Databases made by `Location::fresh`, dropped with the case's own.
    static EXTRA: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub async fn open(admin_url: &str, database: &str) -> Arc<dyn SearchIndex> {
        let options = PgConnectOptions::from_str(admin_url)
            .unwrap()
            .database(database);
        let settings = PgPoolSettings {
            max_connections: 4,
            ..PgPoolSettings::default()
        };
        Arc::new(
            PgSearchIndex::connect_with(options, &settings)
                .await
                .unwrap(),
        )
    }

    async fn create(admin: &mut PgConnection, database: &str) {
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
            .execute(admin)
            .await
            .unwrap();
    }

    async fn drop_database(admin: &mut PgConnection, database: &str) {
        // FORCE ends the connections the case's pools still hold.
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
        )))
        .execute(admin)
        .await
        .unwrap();
    }

    pub async fn open_fresh(admin_url: &str, database: &str) -> Arc<dyn SearchIndex> {
        let fresh = format!("{database}_f{}", EXTRA.lock().unwrap().len());
        let mut admin = PgConnection::connect(admin_url).await.unwrap();
        create(&mut admin, &fresh).await;
        admin.close().await.unwrap();
        EXTRA.lock().unwrap().push(fresh.clone());
        open(admin_url, &fresh).await
    }

    pub async fn run<F, Fut>(case: F)
    where
        F: FnOnce(Env) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Ok(admin_url) = std::env::var(PG_URL_VAR) else {
            eprintln!("{PG_URL_VAR} is not set: PostgreSQL case not run");
            return;
        };
        let database = format!("newsdesk_search_test_{}", unique_suffix());
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        create(&mut admin, &database).await;
        let location = Location::Postgres {
            admin_url: admin_url.clone(),
            database: database.clone(),
        };
        let index = location.open().await;
        assert_eq!(index.backend(), "postgres");
        let result = tokio::spawn(case(Env { index, location })).await;
        drop_database(&mut admin, &database).await;
        let extra: Vec<String> = EXTRA
            .lock()
            .unwrap()
            .iter()
            .filter(|d| d.starts_with(&database))
            .cloned()
            .collect();
        for d in extra {
            drop_database(&mut admin, &d).await;
        }
        admin.close().await.unwrap();
        if let Err(e) = result {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

/// Instantiates each named case in `cases` once per backend: `tantivy::<case>` always and
/// `postgres::<case>` (a no-op without a server).
#[macro_export]
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod tantivy {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    $crate::harness::on_tantivy($crate::cases::$case).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    $crate::harness::on_postgres($crate::cases::$case).await;
                }
            )*
        }
    };
}
