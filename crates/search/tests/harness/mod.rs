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
    use super::*;

    pub async fn open(_admin_url: &str, _database: &str) -> Arc<dyn SearchIndex> {
        unreachable!("the PostgreSQL backend is not implemented yet")
    }

    pub async fn open_fresh(_admin_url: &str, _database: &str) -> Arc<dyn SearchIndex> {
        unreachable!("the PostgreSQL backend is not implemented yet")
    }

    pub async fn run<F, Fut>(_case: F)
    where
        F: FnOnce(Env) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        eprintln!("PostgreSQL search backend not implemented yet: case not run");
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
