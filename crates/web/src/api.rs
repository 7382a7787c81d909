//! The JSON API under `/api/v1/` (described by `/api/v1/openapi.json`), plus `/healthz` and
//! `/metrics`. Errors use the shared [`AppError`]; the edge middleware writes them as
//! `{"error": {"code", "message"}}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use newsdesk_article::{Article, SourceTime};
use newsdesk_store::{ArticleFilter, ArticleSummary, InstrumentLink, LinkRole, Source};
use serde::Serialize;

use jiff::Timestamp;

use crate::error::AppError;
use crate::market::PriceBook;
use crate::metrics::Gauges;
use crate::pages::hydrate;
use crate::params::{ListParams, Params, SearchParams, nonempty, parse_cursor, parse_id};
use crate::state::AppState;
use crate::views::score_decimal;

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `{"slug", "name"}`.
#[derive(Debug, Serialize)]
pub struct SourceRef {
    slug: String,
    name: String,
}

fn source_ref(s: Option<&Source>) -> Option<SourceRef> {
    s.map(|s| SourceRef {
        slug: s.slug.clone(),
        name: s.name.clone(),
    })
}

/// An instrument link.
#[derive(Debug, Serialize)]
pub struct InstrumentJson {
    symbol: String,
    kind: String,
    role: LinkRole,
    /// Exact decimal (`score_bp / 10000`) as a string.
    score: String,
    /// The move since publication and the abnormal move, with source and as-of time; `null`
    /// when unavailable, with the reason in `move_unavailable`.
    #[serde(rename = "move")]
    movement: Option<newsdesk_market::Move>,
    /// Why `move` is null ("no prices after 2017-11-10").
    #[serde(skip_serializing_if = "Option::is_none")]
    move_unavailable: Option<String>,
}

fn instruments(
    links: &[InstrumentLink],
    book: &PriceBook,
    published: Option<&SourceTime>,
    now: Timestamp,
) -> Vec<InstrumentJson> {
    links
        .iter()
        .map(|l| {
            let m = book.move_for(&l.symbol, published.map(|p| p.instant), now);
            let (movement, move_unavailable) = match m {
                Ok(m) => (Some(m), None),
                Err(why) => (None, Some(why)),
            };
            InstrumentJson {
                symbol: l.symbol.clone(),
                kind: l.kind.clone(),
                role: l.role,
                score: score_decimal(l.score_bp),
                movement,
                move_unavailable,
            }
        })
        .collect()
}

/// The prices of every instrument linked to `summaries`, read once.
async fn book_for<'a>(
    st: &AppState,
    summaries: impl IntoIterator<Item = &'a ArticleSummary>,
) -> Result<PriceBook, AppError> {
    let summaries: Vec<&ArticleSummary> = summaries.into_iter().collect();
    let symbols = PriceBook::symbols_of(summaries.iter().copied());
    let since = PriceBook::since_for(summaries.iter().copied());
    PriceBook::load(st.store.as_ref(), &st.series, symbols, since).await
}

/// A story in a list.
#[derive(Debug, Serialize)]
pub struct ArticleItem {
    id: i64,
    title: Option<String>,
    /// The original's canonical URL.
    url: Option<String>,
    /// This story's page on this site.
    path: String,
    source: Option<SourceRef>,
    published: Option<SourceTime>,
    updated: Option<SourceTime>,
    updated_is_fetch_time: bool,
    revision: i64,
    instruments: Vec<InstrumentJson>,
}

fn item(
    s: &ArticleSummary,
    source: Option<&Source>,
    book: &PriceBook,
    now: Timestamp,
) -> ArticleItem {
    ArticleItem {
        id: s.id,
        title: s.title.clone(),
        url: s.canonical_url.clone(),
        path: format!("/news/{}", s.id),
        source: source_ref(source),
        published: s.published.clone(),
        updated: s.updated.clone(),
        updated_is_fetch_time: s.updated_is_fetch_time,
        revision: s.revision,
        instruments: instruments(&s.instruments, book, s.published.as_ref(), now),
    }
}

/// `GET /api/v1/articles`.
pub async fn articles(
    State(st): State<AppState>,
    Params(p): Params<ListParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    let mut filter = ArticleFilter::default();
    if let Some(slug) = nonempty(&p.source) {
        let src = st
            .source_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("there is no source {slug:?}")))?;
        filter.source_id = Some(src.id);
    }
    filter.instrument = nonempty(&p.instrument).map(str::to_string);
    let limit = p.limit.unwrap_or(st.config.page_size).clamp(1, 100);
    let cursor = parse_cursor(&p.cursor)?;
    let page = st.list(filter, cursor, limit).await?;
    let mut sources = st.sources();
    if page
        .articles
        .iter()
        .any(|a| sources.get(a.source_id).is_none())
    {
        sources = st.reload_sources().await?;
    }
    let book = book_for(&st, &page.articles).await?;
    let now = Timestamp::now();
    let articles: Vec<ArticleItem> = page
        .articles
        .iter()
        .map(|a| item(a, sources.get(a.source_id), &book, now))
        .collect();
    Ok(Json(serde_json::json!({
        "articles": articles,
        "next_cursor": page.next.map(|c| c.to_string()),
    })))
}

/// One revision.
#[derive(Debug, Serialize)]
struct RevisionJson {
    number: i64,
    fetched_at: String,
    content_hash: String,
    article: Article,
}

/// The full article.
#[derive(Debug, Serialize)]
struct ArticleJson {
    id: i64,
    title: Option<String>,
    url: Option<String>,
    path: String,
    source: Option<SourceRef>,
    authors: Vec<String>,
    agency: Option<String>,
    dateline: Option<newsdesk_article::Dateline>,
    images: Vec<newsdesk_article::Image>,
    blocks: Vec<newsdesk_article::Block>,
    published: Option<SourceTime>,
    updated: Option<SourceTime>,
    updated_is_fetch_time: bool,
    language: Option<String>,
    section: Option<String>,
    revision: i64,
    first_seen_at: String,
    instruments: Vec<InstrumentJson>,
    story: Option<StoryJson>,
    revisions: Vec<RevisionJson>,
}

/// The story an article belongs to.
#[derive(Debug, Serialize)]
struct StoryJson {
    id: i64,
    also_reported_by: Vec<StoryMemberJson>,
}

/// Another article of the story.
#[derive(Debug, Serialize)]
struct StoryMemberJson {
    id: i64,
    title: Option<String>,
    path: String,
    source: Option<SourceRef>,
    published: String,
    reason: Option<String>,
}

/// `GET /api/v1/articles/{id}`.
pub async fn article(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let Some(stored) = st.store.get_article(id).await? else {
        return Err(match st.store.get_removal(id).await? {
            Some(r) => AppError::Gone {
                removed_at: r.removed_at,
            },
            None => AppError::NotFound(format!("there is no story {id}")),
        });
    };
    let revisions = st.store.list_revisions(id).await?;
    let source = st.source(stored.summary.source_id).await?;
    let story = match st
        .store
        .story_members(id, crate::pages::ALSO_REPORTED_MAX)
        .await?
    {
        Some((story_id, members)) => {
            let mut also = Vec::with_capacity(members.len());
            for m in members {
                let src = st.source(m.summary.source_id).await?;
                also.push(StoryMemberJson {
                    id: m.summary.id,
                    title: m.summary.title,
                    path: format!("/news/{}", m.summary.id),
                    source: source_ref(src.as_ref()),
                    published: m.summary.sort_at.to_string(),
                    reason: m.reason,
                });
            }
            Some(StoryJson {
                id: story_id,
                also_reported_by: also,
            })
        }
        None => None,
    };
    let book = book_for(&st, [&stored.summary]).await?;
    let s = stored.summary;
    let a = stored.article;
    let instruments_json = instruments(
        &s.instruments,
        &book,
        s.published.as_ref(),
        Timestamp::now(),
    );
    let body = ArticleJson {
        id,
        title: s.title.clone().or(a.title.clone()),
        url: s.canonical_url.clone().or(a.url.clone()),
        path: format!("/news/{id}"),
        source: source_ref(source.as_ref()),
        authors: a.authors,
        agency: a.agency,
        dateline: a.dateline,
        images: a.images,
        blocks: a.blocks,
        published: s.published,
        updated: s.updated,
        updated_is_fetch_time: s.updated_is_fetch_time,
        language: a.language,
        section: a.section,
        revision: s.revision,
        first_seen_at: s.first_seen_at.to_string(),
        instruments: instruments_json,
        story,
        revisions: revisions
            .into_iter()
            .map(|r| RevisionJson {
                number: r.revision,
                fetched_at: r.fetched_at.to_string(),
                content_hash: r.content_hash,
                article: r.article,
            })
            .collect(),
    };
    Ok(Json(body).into_response())
}

/// A search result.
#[derive(Debug, Serialize)]
struct ResultJson {
    id: i64,
    title: Option<String>,
    snippet: String,
    highlights: Vec<(usize, usize)>,
    score: f32,
    published: Option<SourceTime>,
    source: Option<SourceRef>,
    url: Option<String>,
    path: String,
    instruments: Vec<InstrumentJson>,
}

/// `GET /api/v1/search`.
pub async fn search(
    State(st): State<AppState>,
    Params(p): Params<SearchParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    let query = p.to_query(p.limit.unwrap_or(st.config.page_size))?;
    let page = st.index.search(&query).await?;
    let hits = hydrate(&st, page.hits).await?;
    let mut sources = st.sources();
    if hits.iter().any(|(_, s)| sources.get(s.source_id).is_none()) {
        sources = st.reload_sources().await?;
    }
    let book = book_for(&st, hits.iter().map(|(_, s)| s)).await?;
    let now = Timestamp::now();
    let results: Vec<ResultJson> = hits
        .into_iter()
        .map(|(h, s)| ResultJson {
            id: s.id,
            title: s.title.clone(),
            snippet: h.snippet.text,
            highlights: h.snippet.highlights,
            score: h.score,
            published: s.published.clone(),
            source: source_ref(sources.get(s.source_id)),
            url: s.canonical_url.clone(),
            path: format!("/news/{}", s.id),
            instruments: instruments(&s.instruments, &book, s.published.as_ref(), now),
        })
        .collect();
    Ok(Json(serde_json::json!({
        "results": results,
        "total": page.total,
        "next_cursor": page.next_cursor,
    })))
}

/// `GET /api/v1/sources`.
pub async fn sources(State(st): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    let sources = st.reload_sources().await?;
    let list: Vec<serde_json::Value> = sources
        .list
        .iter()
        .map(|s| {
            serde_json::json!({
                "slug": s.slug,
                "name": s.name,
                "homepage_url": s.homepage_url,
                "time_zone": s.time_zone,
                "path": format!("/source/{}", crate::escape::encode(&s.slug)),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "sources": list })))
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

/// `GET /healthz`: 200 when the store answers, 503 when it does not.
pub async fn healthz(State(st): State<AppState>) -> Response {
    let store_ok = st.store.last_change_seq().await;
    let body = serde_json::json!({
        "status": if store_ok.is_ok() { "ok" } else { "unavailable" },
        "store": st.store.backend(),
        "search": st.index.backend(),
    });
    let status = if store_ok.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    if let Err(e) = store_ok {
        tracing::warn!(error = %e, "health check: store unreadable");
    }
    (status, Json(body)).into_response()
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(st): State<AppState>) -> Response {
    let (cached_pages, cached_bytes) = st.pages.stats();
    let g = Gauges {
        store_seq: st.store.last_change_seq().await.ok(),
        index_seq: st.index.applied_seq().await.ok(),
        index_docs: st.index.count().await.ok(),
        cached_pages,
        cached_bytes,
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        st.metrics.render(&g),
    )
        .into_response()
}

/// `GET /api/v1/instruments/{symbol}`: the instrument, its last close, 1D/1W/1M/YTD/1Y changes,
/// 52-week range, each with the source and as-of time of the prices, its daily closes over the
/// last year and its latest stories (each with its move).
pub async fn instrument(
    State(st): State<AppState>,
    Path(symbol): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    if symbol.is_empty() || symbol.len() > 64 {
        return Err(AppError::BadRequest(
            "an instrument symbol has 1 to 64 characters".into(),
        ));
    }
    let filter = ArticleFilter {
        instrument: Some(symbol.clone()),
        ..ArticleFilter::default()
    };
    let page = st.list(filter, None, st.config.page_size).await?;
    let mut symbols = PriceBook::symbols_of(&page.articles);
    symbols.insert(symbol.clone());
    let book = PriceBook::load(st.store.as_ref(), &st.series, symbols, None).await?;
    let (bars, instrument, source, as_of) = book
        .series(&symbol)
        .map(|(b, i, s, a)| (b, i.cloned(), s.to_string(), a))
        .unwrap_or((&[], None, String::new(), Timestamp::UNIX_EPOCH));
    if bars.is_empty() && instrument.is_none() && page.articles.is_empty() {
        return Err(AppError::NotFound(format!(
            "there is no instrument {symbol:?} (no prices and no stories)"
        )));
    }
    let stats = crate::chart::stats(bars);
    let year: Vec<(String, newsdesk_market::Price)> = match bars.last() {
        Some(last) => {
            let from = last.date.saturating_sub(jiff::Span::new().years(1));
            bars.iter()
                .filter(|b| b.date > from)
                .map(|b| (b.date.to_string(), b.close))
                .collect()
        }
        None => Vec::new(),
    };
    let mut sources = st.sources();
    if page
        .articles
        .iter()
        .any(|a| sources.get(a.source_id).is_none())
    {
        sources = st.reload_sources().await?;
    }
    let now = Timestamp::now();
    let stories: Vec<ArticleItem> = page
        .articles
        .iter()
        .map(|a| item(a, sources.get(a.source_id), &book, now))
        .collect();
    Ok(Json(serde_json::json!({
        "symbol": symbol,
        "instrument": instrument,
        "prices": if bars.is_empty() { serde_json::Value::Null } else { serde_json::json!({
            "source": source,
            "as_of": as_of,
            "first_date": bars.first().map(|b| b.date),
            "stats": stats,
            "closes_last_year": year,
        }) },
        "prices_unavailable": bars.is_empty().then(|| format!("no prices for {symbol}")),
        "stories": stories,
        "path": format!("/instrument/{}", crate::escape::encode(&symbol)),
    })))
}
