//! Serves a throwaway site with one seed-like article, for load tests (`bench/article_vs_nginx.sh`).
//!
//! `cargo run --release -p newsdesk-web --example serve_seed -- 127.0.0.1:8081 60` serves for
//! 60 seconds, then shuts down gracefully. The article is `/news/1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use jiff::tz::TimeZone;
use newsdesk_article::{Article, Block, Dateline, Image, SourceTime};
use newsdesk_search::{SearchIndex, TantivyIndex};
use newsdesk_store::{InstrumentLink, LinkRole, NewSource, SqliteStore, Store};
use newsdesk_web::{Application, WebConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let listen = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:8081".into())
        .parse()?;
    let secs: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(60);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(dir.path()).await?);
    let source = store
        .upsert_source(&NewSource {
            slug: "reuters".into(),
            name: "Reuters".into(),
            homepage_url: Some("https://www.reuters.com".into()),
            time_zone: "America/New_York".into(),
        })
        .await?;
    let tz = TimeZone::get("America/New_York")?;
    let at = |s: &str| -> SourceTime {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        SourceTime::new(
            dt.to_zoned_datetime(tz.clone()).unwrap().timestamp(),
            tz.clone(),
            false,
        )
    };
    let para = "Tomita made the comment at an event hosted by the National Press Club in \
        Washington when asked about a report in the Nikkei Asia this month saying that the \
        U.S.-led alliance was planning to open such an office, its first in Asia.";
    let article = Article {
        url: Some("https://www.investing.com/news/world-news/japan-nato-3071633".into()),
        title: Some("Japan working towards opening of NATO liaison office in Tokyo".into()),
        agency: Some("Reuters".into()),
        dateline: Some(Dateline {
            place: Some("WASHINGTON".into()),
            agency: Some("Reuters".into()),
        }),
        published: Some(at("2023-05-09T10:57")),
        updated: Some(at("2023-05-09T11:02")),
        language: Some("en".into()),
        images: vec![Image {
            url: Some("https://i-invdn-com.investing.com/news/LYNXMPEB1P0JD_L.jpg".into()),
            caption: Some("FILE PHOTO: Japan's Ambassador to the U.S. Tomita Koji.".into()),
            credit: Some("REUTERS/Kevin Lamarque/File Photo".into()),
        }],
        printed_instruments: vec!["JP225".into()],
        blocks: (0..8).map(|_| Block::paragraph(para)).collect(),
        ..Article::default()
    };
    let id = store
        .upsert_article(source.id, &article, "2023-05-09T15:10:00Z".parse()?)
        .await?
        .id();
    store
        .set_instrument_links(
            id,
            &[InstrumentLink {
                symbol: "JP225".into(),
                kind: "index".into(),
                role: LinkRole::Primary,
                score_bp: 9200,
                reasons: serde_json::json!({"printed": true}),
            }],
            jiff::Timestamp::now(),
        )
        .await?;
    let index: Arc<dyn SearchIndex> = Arc::new(TantivyIndex::open(&dir.path().join("index"))?);
    let app = Application::build(WebConfig::default(), listen, store, index).await?;
    eprintln!("serving http://{}/news/{id} for {secs} s", app.local_addr());
    app.run_until_stopped(tokio::time::sleep(Duration::from_secs(secs)))
        .await
}
