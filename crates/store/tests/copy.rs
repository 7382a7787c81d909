//! `newsdesk_store::copy`: a SQLite store copied into PostgreSQL has equal digests, a changed
//! row in the copy shows as a different digest for its table only, and a non-empty target is
//! refused unless replaced. Runs when `NEWSDESK_TEST_DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use jiff::Timestamp;
use newsdesk_article::{Article, Block};
use newsdesk_store::copy;
use newsdesk_store::{
    NewArticle, NewJob, NewSource, PgPoolSettings, PostgresStore, SqliteStore, Store,
};
use serde_json::json;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_verifies_and_detects_a_changed_row() {
    let dir = tempfile::tempdir().unwrap();
    let lite = SqliteStore::open(dir.path()).await.unwrap();
    let source = lite
        .upsert_source(&NewSource {
            slug: "wire".into(),
            name: "Wire".into(),
            homepage_url: None,
            time_zone: "America/New_York".into(),
        })
        .await
        .unwrap();
    let batch: Vec<NewArticle> = (0..30)
        .map(|i| NewArticle {
            source_id: source.id,
            article: Article {
                url: Some(format!("https://wire.example/{i}")),
                title: Some(format!("Story {i} — ünïcode")),
                blocks: vec![Block::Paragraph {
                    text: format!("Body {i}"),
                }],
                ..Article::default()
            },
            fetched_at: at(i),
            links: None,
        })
        .collect();
    lite.upsert_articles(&batch).await.unwrap();
    lite.enqueue(
        &NewJob::new("fetch_feed", json!({"feed_id": 3, "b": [1, 2]}), at(0)),
        at(0),
    )
    .await
    .unwrap();

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
        let pg = PostgresStore::connect_with(options, &PgPoolSettings::default())
            .await
            .unwrap();
        let report = copy::copy_sqlite_to_postgres(&lite, &pg, false)
            .await
            .unwrap();
        assert_eq!(report.source.len(), copy::TABLES.len());
        let count = |t: &str| report.source.iter().find(|d| d.table == t).unwrap().rows;
        assert_eq!((count("articles"), count("jobs")), (30, 1));
        let target = copy::postgres_digests(&pg).await.unwrap();
        assert_eq!(report.source, target);
        assert_eq!(copy::sqlite_digests(&lite, &pg).await.unwrap(), target);

        // Refused a second time; replaced on request.
        let again = copy::copy_sqlite_to_postgres(&lite, &pg, false).await;
        assert!(
            format!("{:?}", again.unwrap_err()).contains("already holds data"),
            "a non-empty target must be refused"
        );
        let replaced = copy::copy_sqlite_to_postgres(&lite, &pg, true)
            .await
            .unwrap();
        assert!(replaced.replaced.contains(&"articles"));
        assert_eq!(copy::postgres_digests(&pg).await.unwrap(), target);

        // One changed title: the articles digest differs, counts and other tables do not.
        sqlx::query("UPDATE articles SET title = 'changed' WHERE id = 7")
            .execute(pg.pool())
            .await
            .unwrap();
        let changed = copy::postgres_digests(&pg).await.unwrap();
        for (before, after) in target.iter().zip(&changed) {
            assert_eq!(before.rows, after.rows);
            assert_eq!(
                before.sha256 == after.sha256,
                before.table != "articles",
                "{}",
                before.table
            );
        }
        // New ids continue after the copied ones.
        let id = pg
            .enqueue(&NewJob::new("x", json!({}), at(0)), at(0))
            .await
            .unwrap()
            .id();
        assert_eq!(id, 2);
        pg.close().await;
    })
    .await;
}
