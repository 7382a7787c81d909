//! The two migration sets must describe the same schema: same tables, same columns, same
//! nullability. Runs when `NEWSDESK_TEST_DATABASE_URL` is set (it needs both backends).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use std::collections::BTreeMap;

use sqlx::{Connection, Row, SqliteConnection};

type Columns = BTreeMap<String, Vec<(String, bool)>>;

const TABLES: [&str; 16] = [
    "sources",
    "articles",
    "article_revisions",
    "article_instruments",
    "changes",
    "jobs",
    "feeds",
    "feed_items",
    "stories",
    "story_keys",
    "story_cursor",
    "instruments",
    "price_bars",
    "price_ticks",
    "price_corrections",
    "price_changes",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = newsdesk_store::SqliteStore::open(dir.path()).await.unwrap();
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", sqlite.path().display()))
        .await
        .unwrap();
    let mut lite = Columns::new();
    for table in TABLES {
        let rows = sqlx::query(
            "SELECT name, \"notnull\" AS nn, pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let cols = rows
            .iter()
            .map(|r| {
                let not_null: i64 = r.get("nn");
                let pk: i64 = r.get("pk");
                (r.get::<String, _>("name"), not_null == 1 || pk > 0)
            })
            .collect();
        lite.insert(table.to_string(), cols);
    }
    assert!(lite.values().all(|c| !c.is_empty()), "{lite:?}");

    harness::on_postgres(move |env| async move {
        let harness::Location::Postgres {
            admin_url,
            database,
        } = &env.location
        else {
            unreachable!()
        };
        let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(admin_url)
            .unwrap()
            .database(database);
        let mut pg = sqlx::PgConnection::connect_with(&options).await.unwrap();
        let mut post = Columns::new();
        for table in TABLES {
            let rows = sqlx::query(
                "SELECT column_name::text AS name, is_nullable::text AS nullable \
                 FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut pg)
            .await
            .unwrap();
            let cols = rows
                .iter()
                .map(|r| {
                    let nullable: String = r.get("nullable");
                    (r.get::<String, _>("name"), nullable == "NO")
                })
                .collect();
            post.insert(table.to_string(), cols);
        }
        assert_eq!(
            lite, post,
            "migrations/sqlite and migrations/postgres differ"
        );
    })
    .await;
}

/// The bundled SQLite is the one STYLE asks for: ≥ 3.51 with FTS5 compiled in.
#[tokio::test]
async fn bundled_sqlite_is_current_and_has_fts5() {
    let dir = tempfile::tempdir().unwrap();
    let store = newsdesk_store::SqliteStore::open(dir.path()).await.unwrap();
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", store.path().display()))
        .await
        .unwrap();
    let version: String = sqlx::query("SELECT sqlite_version() AS v")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("v");
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(parts[0] == 3 && parts[1] >= 51, "SQLite {version}");
    sqlx::query("CREATE VIRTUAL TABLE temp.probe USING fts5(body)")
        .execute(&mut conn)
        .await
        .unwrap();
}
