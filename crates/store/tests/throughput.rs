//! A rough throughput probe, not a pass/fail test: how many articles per second one writer
//! stores (upsert + instrument links), on each backend. Run with
//! `cargo test -p newsdesk-store --release --test throughput -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use std::time::Instant;

use jiff::Timestamp;
use newsdesk_article::{Article, Block};
use newsdesk_store::{InstrumentLink, LinkRole, NewArticle, NewSource, Store};

const N: usize = 2000;

async fn probe(store: &dyn Store) {
    let src = store
        .upsert_source(&NewSource {
            slug: "bench".into(),
            name: "Bench".into(),
            homepage_url: None,
            time_zone: "UTC".into(),
        })
        .await
        .unwrap()
        .id;
    let body: Vec<Block> = (0..12)
        .map(|i| Block::paragraph(format!("Paragraph {i} of a typical market story. ").repeat(6)))
        .collect();
    let links = [InstrumentLink {
        symbol: "JP225".into(),
        kind: "index".into(),
        role: LinkRole::Primary,
        score_bp: 9000,
        reasons: serde_json::json!({"alias": "Nikkei"}),
    }];
    let now = Timestamp::now();
    let start = Instant::now();
    for i in 0..N {
        let a = Article {
            url: Some(format!("https://bench.example/{i}")),
            title: Some(format!("Story {i}")),
            blocks: body.clone(),
            ..Article::default()
        };
        let id = store.upsert_article(src, &a, now).await.unwrap().id();
        store.set_instrument_links(id, &links, now).await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{}: one call per article: {N} articles in {secs:.2} s = {:.0} articles/s",
        store.backend(),
        N as f64 / secs
    );

    let start = Instant::now();
    for chunk in (0..N).collect::<Vec<_>>().chunks(200) {
        let batch: Vec<NewArticle> = chunk
            .iter()
            .map(|i| NewArticle {
                source_id: src,
                article: Article {
                    url: Some(format!("https://bench.example/batch/{i}")),
                    title: Some(format!("Story {i}")),
                    blocks: body.clone(),
                    ..Article::default()
                },
                fetched_at: now,
                links: Some(links.to_vec()),
            })
            .collect();
        store.upsert_articles(&batch).await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{}: batches of 200: {N} articles in {secs:.2} s = {:.0} articles/s",
        store.backend(),
        N as f64 / secs
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput probe; run explicitly"]
async fn sequential_ingest_rate() {
    harness::on_sqlite(|env| async move { probe(&*env.store).await }).await;
    harness::on_postgres(|env| async move { probe(&*env.store).await }).await;
}
