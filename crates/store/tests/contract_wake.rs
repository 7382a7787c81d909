//! Wake-ups (LISTEN/NOTIFY) and the PostgreSQL job claim's row locking, on both backends
//! (SQLite: the subscription exists and never fires; claims still work).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

contract!(
    enqueue_from_another_connection_wakes_subscribers,
    a_claim_skips_a_row_another_transaction_holds,
);

mod cases {
    use std::str::FromStr;
    use std::time::Duration;

    use jiff::{SignedDuration, Timestamp};
    use newsdesk_article::{Article, Block};
    use newsdesk_store::{NewArticle, NewJob, NewSource, WakeChannel};
    use serde_json::json;
    use sqlx::Connection;

    use crate::harness::{Env, Location};

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    const WAIT: Duration = Duration::from_secs(10);
    const QUIET: Duration = Duration::from_millis(400);

    pub async fn enqueue_from_another_connection_wakes_subscribers(env: Env) {
        let listener_side = env.store.clone();
        let mut jobs = listener_side.subscribe(WakeChannel::Jobs).await.unwrap();
        let mut changes = listener_side.subscribe(WakeChannel::Changes).await.unwrap();
        if matches!(env.location, Location::Sqlite(_)) {
            // No notifications on SQLite: the handle says so, and waiting never resolves.
            assert!(!jobs.is_live() && !changes.is_live());
            env.store
                .enqueue(&NewJob::new("fetch", json!({}), at(0)), at(0))
                .await
                .unwrap();
            assert!(tokio::time::timeout(QUIET, jobs.wait()).await.is_err());
            return;
        }
        assert!(jobs.is_live() && changes.is_live());
        // Another process: its own pool, its own connections.
        let other = env.location.open().await;

        // Nothing yet.
        assert!(tokio::time::timeout(QUIET, jobs.wait()).await.is_err());

        // A job enqueued to run later wakes nobody; one due now does.
        other
            .enqueue(&NewJob::new("fetch", json!({"n": 0}), at(3_600)), at(0))
            .await
            .unwrap();
        assert!(
            tokio::time::timeout(QUIET, jobs.wait()).await.is_err(),
            "a job due later must not wake workers"
        );
        other
            .enqueue(&NewJob::new("fetch", json!({"n": 1}), at(0)), at(0))
            .await
            .unwrap();
        tokio::time::timeout(WAIT, jobs.wait())
            .await
            .expect("an enqueue on another connection wakes the jobs subscriber");
        // Each clone tracks what it has seen: a clone made now has nothing pending.
        let mut clone = jobs.clone();
        assert!(tokio::time::timeout(QUIET, clone.wait()).await.is_err());
        // A job write is not an article change.
        assert!(tokio::time::timeout(QUIET, changes.wait()).await.is_err());

        // An article committed by the other process wakes the changes subscriber, and every
        // clone of the jobs subscription stays quiet.
        let source = other
            .upsert_source(&NewSource {
                slug: "wire".into(),
                name: "Wire".into(),
                homepage_url: None,
                time_zone: "UTC".into(),
            })
            .await
            .unwrap();
        let article = Article {
            url: Some("https://example.com/wake".into()),
            title: Some("Wake up".into()),
            blocks: vec![Block::Paragraph {
                text: "Notified on commit.".into(),
            }],
            ..Article::default()
        };
        other
            .upsert_articles(&[NewArticle {
                source_id: source.id,
                article,
                fetched_at: at(1),
                links: None,
            }])
            .await
            .unwrap();
        tokio::time::timeout(WAIT, changes.wait())
            .await
            .expect("an article commit on another connection wakes the changes subscriber");
        assert!(tokio::time::timeout(QUIET, clone.wait()).await.is_err());

        // A rolled-back transaction notifies nobody: a notification is sent on commit only.
        let Location::Postgres {
            admin_url,
            database,
        } = &env.location
        else {
            unreachable!()
        };
        let options = sqlx::postgres::PgConnectOptions::from_str(admin_url)
            .unwrap()
            .database(database);
        let mut raw = sqlx::PgConnection::connect_with(&options).await.unwrap();
        let mut tx = raw.begin().await.unwrap();
        sqlx::query("SELECT pg_notify('newsdesk_jobs', '')")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert!(tokio::time::timeout(QUIET, jobs.wait()).await.is_err());
        raw.close().await.unwrap();
    }

    pub async fn a_claim_skips_a_row_another_transaction_holds(env: Env) {
        let store = env.store.clone();
        let first = store
            .enqueue(&NewJob::new("fetch", json!({"n": 1}), at(0)), at(0))
            .await
            .unwrap()
            .id();
        let second = store
            .enqueue(&NewJob::new("fetch", json!({"n": 2}), at(0)), at(0))
            .await
            .unwrap()
            .id();
        let Location::Postgres {
            admin_url,
            database,
        } = &env.location
        else {
            // SQLite serialises claims with BEGIN IMMEDIATE instead; the oldest comes first.
            let job = store
                .claim("w", &[], SignedDuration::from_secs(60), at(1))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(job.id, first);
            return;
        };
        // Another session locks the oldest due row (as a claimer mid-transaction would).
        let options = sqlx::postgres::PgConnectOptions::from_str(admin_url)
            .unwrap()
            .database(database);
        let mut raw = sqlx::PgConnection::connect_with(&options).await.unwrap();
        let mut tx = raw.begin().await.unwrap();
        sqlx::query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE")
            .bind(first)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        // The claim neither waits for that lock nor takes the locked row: SKIP LOCKED.
        let job = tokio::time::timeout(
            Duration::from_secs(5),
            store.claim("w", &[], SignedDuration::from_secs(60), at(1)),
        )
        .await
        .expect("a claim must not wait for a row another transaction holds")
        .unwrap()
        .unwrap();
        assert_eq!(job.id, second);
        // With every due row locked or leased, there is nothing to claim, at once.
        let none = tokio::time::timeout(
            Duration::from_secs(5),
            store.claim("w2", &[], SignedDuration::from_secs(60), at(1)),
        )
        .await
        .expect("no wait")
        .unwrap();
        assert!(none.is_none());
        tx.rollback().await.unwrap();
        // Released: the first job is claimable again.
        let job = store
            .claim("w2", &[], SignedDuration::from_secs(60), at(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.id, first);
        raw.close().await.unwrap();
    }
}
