//! HTML pages and their feeds: the front page, source and instrument lists, search, the article
//! page (served from the page cache), and the stylesheet.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use jiff::Timestamp;
use newsdesk_search::SearchHit;
use newsdesk_store::{ArticleFilter, ArticleSummary, Source};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use crate::cache::CachedPage;
use crate::error::AppError;
use crate::escape::{self, clean_text, with_query};
use crate::feeds::{self, FeedItem, FeedMeta};
use crate::params::{
    Format, ListParams, Params, SearchParams, nonempty, parse_cursor, parse_format, parse_id,
};
use crate::state::{AppState, SITE_CSS};
use crate::views::{self, Head, ListPage, SearchPageView, SourceOption, StoryRow};

const HTML: &str = "text/html; charset=utf-8";

/// An HTML response from a rendered template.
pub fn html(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(HTML))],
        body,
    )
        .into_response()
}

/// The absolute base URL for feeds: `base_url`, else `http://` + a well-formed `Host`.
pub fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(b) = &st.config.base_url {
        return b.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Sources for a set of summaries, reloading once if one is unknown (added by another process).
async fn sources_for(
    st: &AppState,
    summaries: &[&ArticleSummary],
) -> Result<Arc<crate::state::Sources>, AppError> {
    let sources = st.sources();
    if summaries.iter().all(|s| sources.get(s.source_id).is_some()) {
        return Ok(sources);
    }
    st.reload_sources().await
}

/// What a list page is about.
struct ListSpec<'a> {
    path: String,
    heading: String,
    intro: Option<String>,
    empty_text: String,
    /// Filters that pager and feed links must keep.
    keep: Vec<(&'a str, Option<&'a str>)>,
    /// The instrument whose chart and figures head the list (`/instrument/{symbol}`).
    instrument: Option<String>,
}

async fn list_response(
    st: &AppState,
    headers: &HeaderMap,
    spec: ListSpec<'_>,
    filter: ArticleFilter,
    p: &ListParams,
) -> Result<Response, AppError> {
    let format = parse_format(&p.format)?;
    let cursor = parse_cursor(&p.cursor)?;
    let page = st.list(filter, cursor, st.config.page_size).await?;
    let refs: Vec<&ArticleSummary> = page.articles.iter().collect();
    let sources = sources_for(st, &refs).await?;
    if format != Format::Html {
        let items: Vec<FeedItem> = page
            .articles
            .iter()
            .map(|s| feed_item(st, headers, s, sources.get(s.source_id), None))
            .collect();
        return Ok(feed_response(
            st,
            headers,
            format,
            &spec.heading,
            &spec.path,
            &spec.keep,
            items,
        ));
    }
    let now = Timestamp::now();
    let mut symbols = crate::market::PriceBook::symbols_of(&page.articles);
    symbols.extend(spec.instrument.clone());
    // The instrument page charts the whole history; other lists need recent bars only.
    let since = match spec.instrument {
        Some(_) => None,
        None => crate::market::PriceBook::since_for(&page.articles),
    };
    let book =
        crate::market::PriceBook::load(st.store.as_ref(), &st.series, symbols, since).await?;
    let market = spec.instrument.as_deref().map(|symbol| {
        let markers: Vec<crate::chart::Marker> = page
            .articles
            .iter()
            .filter_map(|a| {
                Some(crate::chart::Marker {
                    href: format!("/news/{}", a.id),
                    title: views::headline(a.title.as_deref()),
                    at: a.published.as_ref()?.instant,
                })
            })
            .collect();
        views::instrument_view(&book, symbol, &markers)
    });
    let stories: Vec<StoryRow> = page
        .articles
        .iter()
        .map(|s| {
            let mut row =
                views::story_row(s, sources.get(s.source_id), now, st.display_zone.as_ref());
            views::attach_moves(
                &mut row.chips,
                &book,
                s.published.as_ref().map(|p| p.instant),
                now,
            );
            row
        })
        .collect();
    let next = page.next.map(|c| c.to_string());
    let mut older = spec.keep.clone();
    older.push(("cursor", next.as_deref()));
    let title = if spec.path == "/" && spec.keep.iter().all(|(_, v)| v.is_none()) {
        String::new()
    } else {
        spec.heading.clone()
    };
    let view = ListPage {
        chrome: &st.chrome,
        head: Head::new(title, &st.chrome.site_name).with_feeds(
            &spec.heading,
            &spec.path,
            &spec.keep,
        ),
        heading: spec.heading.clone(),
        intro: spec.intro,
        stories,
        empty_text: spec.empty_text,
        older_href: next.as_ref().map(|_| with_query(&spec.path, &older)),
        newest_href: cursor.map(|_| with_query(&spec.path, &spec.keep)),
        market,
    };
    Ok(html(view.render()?))
}

/// `GET /`: the latest stories, optionally filtered by `?source=` and `?instrument=`.
pub async fn front(
    State(st): State<AppState>,
    headers: HeaderMap,
    Params(p): Params<ListParams>,
) -> Result<Response, AppError> {
    let mut filter = ArticleFilter::default();
    let mut heading = "Latest stories".to_string();
    let source_slug = nonempty(&p.source);
    if let Some(slug) = source_slug {
        let src = st
            .source_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("there is no source {:?}", slug)))?;
        filter.source_id = Some(src.id);
        heading = format!("Latest stories from {}", clean_text(&src.name));
    }
    let instrument = nonempty(&p.instrument);
    if let Some(sym) = instrument {
        filter.instrument = Some(sym.to_string());
        heading.push_str(&format!(" on {}", clean_text(sym)));
    }
    let spec = ListSpec {
        path: "/".into(),
        heading,
        intro: None,
        empty_text: "No stories yet.".into(),
        keep: vec![("source", source_slug), ("instrument", instrument)],
        instrument: None,
    };
    list_response(&st, &headers, spec, filter, &p).await
}

/// `GET /source/{slug}`: one source's stories; 404 for an unknown source.
pub async fn source(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Params(p): Params<ListParams>,
) -> Result<Response, AppError> {
    let src: Source = st.source_by_slug(&slug).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "there is no source {:?}",
            slug.chars().take(60).collect::<String>()
        ))
    })?;
    let name = clean_text(&src.name).into_owned();
    let spec = ListSpec {
        path: format!("/source/{}", escape::encode(&src.slug)),
        heading: format!("Stories from {name}"),
        intro: st
            .display_zone
            .is_none()
            .then(|| format!("Times are shown in the zone {name} printed them in.")),
        empty_text: format!("No stories from {name} yet."),
        keep: Vec::new(),
        instrument: None,
    };
    let filter = ArticleFilter {
        source_id: Some(src.id),
        ..ArticleFilter::default()
    };
    list_response(&st, &headers, spec, filter, &p).await
}

/// `GET /instrument/{symbol}`: stories linked to an instrument (an empty list when none).
pub async fn instrument(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(symbol): Path<String>,
    Params(p): Params<ListParams>,
) -> Result<Response, AppError> {
    if symbol.is_empty() || symbol.len() > 64 {
        return Err(AppError::BadRequest(
            "an instrument symbol has 1 to 64 characters".into(),
        ));
    }
    let shown = clean_text(&symbol).into_owned();
    let spec = ListSpec {
        path: format!("/instrument/{}", escape::encode(&symbol)),
        heading: format!("Stories on {shown}"),
        intro: None,
        empty_text: format!("No stories linked to {shown} yet."),
        keep: Vec::new(),
        instrument: Some(symbol.clone()),
    };
    let filter = ArticleFilter {
        instrument: Some(symbol.clone()),
        ..ArticleFilter::default()
    };
    list_response(&st, &headers, spec, filter, &p).await
}

/// A feed entry for a stored summary.
fn feed_item(
    st: &AppState,
    headers: &HeaderMap,
    s: &ArticleSummary,
    source: Option<&Source>,
    snippet: Option<&str>,
) -> FeedItem {
    let source_name = source.map(|s| s.name.clone()).unwrap_or_default();
    let symbols: Vec<String> = s.instruments.iter().map(|l| l.symbol.clone()).collect();
    let summary = match snippet {
        Some(t) => t.to_string(),
        None if symbols.is_empty() => source_name.clone(),
        None => format!("{source_name} · {}", symbols.join(", ")),
    };
    FeedItem {
        title: views::headline(s.title.as_deref()),
        link: format!("{}/news/{}", base_url(st, headers), s.id),
        source: source_name,
        published: s.published.as_ref().map(|p| p.instant),
        updated: s.updated.as_ref().map(|u| u.instant).unwrap_or(s.sort_at),
        summary,
        categories: symbols,
    }
}

fn feed_response(
    st: &AppState,
    headers: &HeaderMap,
    format: Format,
    heading: &str,
    path: &str,
    keep: &[(&str, Option<&str>)],
    items: Vec<FeedItem>,
) -> Response {
    let base = base_url(st, headers);
    let fmt = if format == Format::Rss { "rss" } else { "atom" };
    let mut self_pairs = keep.to_vec();
    self_pairs.push(("format", Some(fmt)));
    let meta = FeedMeta {
        title: format!("{} · {}", heading, st.config.site_name),
        description: format!("{} on {}", heading, st.config.site_name),
        html_url: format!("{base}{}", with_query(path, keep)),
        self_url: format!("{base}{}", with_query(path, &self_pairs)),
        updated: items
            .iter()
            .map(|i| i.updated)
            .max()
            .unwrap_or_else(Timestamp::now),
    };
    let (body, mime) = match format {
        Format::Rss => (
            feeds::rss(&meta, &items),
            "application/rss+xml; charset=utf-8",
        ),
        _ => (
            feeds::atom(&meta, &items),
            "application/atom+xml; charset=utf-8",
        ),
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
        body,
    )
        .into_response()
}

/// `GET /rss`: the front page as RSS.
pub async fn rss(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let p = ListParams {
        format: Some("rss".into()),
        ..ListParams::default()
    };
    front(State(st), headers, Params(p)).await
}

/// `GET /atom`: the front page as Atom.
pub async fn atom(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let p = ListParams {
        format: Some("atom".into()),
        ..ListParams::default()
    };
    front(State(st), headers, Params(p)).await
}

/// Search hits with their stored summaries; hits whose article is gone are dropped.
pub async fn hydrate(
    st: &AppState,
    hits: Vec<SearchHit>,
) -> Result<Vec<(SearchHit, ArticleSummary)>, AppError> {
    let ids: Vec<_> = hits.iter().map(|h| h.id).collect();
    let mut found: std::collections::HashMap<_, _> = st
        .store
        .get_articles(&ids)
        .await?
        .into_iter()
        .map(|s| (s.summary.id, s.summary))
        .collect();
    // Hits keep the index's order.
    Ok(hits
        .into_iter()
        .filter_map(|hit| found.remove(&hit.id).map(|s| (hit, s)))
        .collect())
}

/// `GET /search`: the search form, results with highlighted snippets, and their feeds.
pub async fn search(
    State(st): State<AppState>,
    headers: HeaderMap,
    Params(p): Params<SearchParams>,
) -> Result<Response, AppError> {
    let format = parse_format(&p.format)?;
    let query = p.to_query(st.config.page_size)?;
    let keep: Vec<(&str, Option<&str>)> = vec![
        ("q", nonempty(&p.q)),
        ("instrument", nonempty(&p.instrument)),
        ("source", nonempty(&p.source)),
        ("from", nonempty(&p.from)),
        ("to", nonempty(&p.to)),
        ("sort", nonempty(&p.sort)),
    ];
    let (results, total, next) = if p.is_blank() {
        (Vec::new(), 0, None)
    } else {
        let page = st.index.search(&query).await?;
        (hydrate(&st, page.hits).await?, page.total, page.next_cursor)
    };
    let refs: Vec<&ArticleSummary> = results.iter().map(|(_, s)| s).collect();
    let sources = sources_for(&st, &refs).await?;
    let heading = match nonempty(&p.q) {
        Some(q) => format!("Search: {}", clean_text(q)),
        None => "Search".to_string(),
    };
    if format != Format::Html {
        let items = results
            .iter()
            .map(|(h, s)| {
                feed_item(
                    &st,
                    &headers,
                    s,
                    sources.get(s.source_id),
                    Some(&h.snippet.text),
                )
            })
            .collect();
        return Ok(feed_response(
            &st, &headers, format, &heading, "/search", &keep, items,
        ));
    }
    let now = Timestamp::now();
    let stories: Vec<StoryRow> = results
        .iter()
        .map(|(h, s)| {
            let mut row =
                views::story_row(s, sources.get(s.source_id), now, st.display_zone.as_ref());
            if !h.snippet.text.is_empty() {
                row.snippet_html =
                    Some(escape::highlighted(&h.snippet.text, &h.snippet.highlights));
            }
            row
        })
        .collect();
    let q = nonempty(&p.q).unwrap_or("").to_string();
    let count_text = (!p.is_blank()).then(|| {
        let n = if total == 1 {
            "1 result".to_string()
        } else {
            format!("{total} results")
        };
        if q.is_empty() {
            n
        } else {
            format!("{n} for “{}”", clean_text(&q))
        }
    });
    let empty_text = if p.is_blank() {
        "Type words to search headlines and story text, or pick an instrument, a source or dates."
            .to_string()
    } else {
        "No stories match. Try fewer or different words, or remove a filter.".to_string()
    };
    let mut older = keep.clone();
    older.push(("cursor", next.as_deref()));
    let selected = nonempty(&p.source);
    let mut head = Head::new(heading.clone(), &st.chrome.site_name);
    if !p.is_blank() {
        head = head.with_feeds(&heading, "/search", &keep);
    }
    head.q = q.clone();
    let view = SearchPageView {
        chrome: &st.chrome,
        head,
        q,
        instrument: nonempty(&p.instrument).unwrap_or("").to_string(),
        from: nonempty(&p.from).unwrap_or("").to_string(),
        to: nonempty(&p.to).unwrap_or("").to_string(),
        sort_date: query.sort == newsdesk_search::SortOrder::Date
            && nonempty(&p.sort) == Some("date"),
        sources: st
            .sources()
            .list
            .iter()
            .map(|s| SourceOption {
                slug: s.slug.clone(),
                name: clean_text(&s.name).into_owned(),
                selected: Some(s.slug.as_str()) == selected,
            })
            .collect(),
        count_text,
        stories,
        empty_text,
        older_href: next.as_ref().map(|_| with_query("/search", &older)),
        newest_href: nonempty(&p.cursor).map(|_| with_query("/search", &keep)),
    };
    Ok(html(view.render()?))
}

/// True when `If-None-Match` lists `etag` (or `*`).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let Some(v) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    v.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
}

fn page_response(page: CachedPage, headers: &HeaderMap) -> Response {
    let etag = HeaderValue::from_str(&page.etag).ok();
    let mut resp = if not_modified(headers, &page.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, HeaderValue::from_static(HTML))],
            page.body,
        )
            .into_response()
    };
    let h = resp.headers_mut();
    if let Some(etag) = etag {
        h.insert(header::ETAG, etag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// At most this many other articles are listed under "Also reported by".
pub const ALSO_REPORTED_MAX: u32 = 20;

/// `GET /news/{id}`: the article page, rendered once per change and then served from memory.
pub async fn article(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    if let Some(page) = st.pages.get(id) {
        st.metrics.cache_hits.fetch_add(1, Relaxed);
        return Ok(page_response(page, &headers));
    }
    let epoch = st.pages.epoch();
    let Some(stored) = st.store.get_article(id).await? else {
        return Err(match st.store.get_removal(id).await? {
            Some(r) => AppError::Gone {
                removed_at: r.removed_at,
            },
            None => AppError::NotFound(format!("there is no story {id}")),
        });
    };
    let revisions = if stored.summary.revision > 1 {
        st.store.list_revisions(id).await?
    } else {
        Vec::new()
    };
    let source = st.source(stored.summary.source_id).await?;
    let mut view = views::article_page(
        &st.chrome,
        &stored,
        &revisions,
        source.as_ref(),
        st.display_zone.as_ref(),
    );
    if let Some((_, members)) = st.store.story_members(id, ALSO_REPORTED_MAX).await? {
        for m in &members {
            let src = st.source(m.summary.source_id).await?;
            view.also
                .push(views::also_view(m, src.as_ref(), st.display_zone.as_ref()));
        }
    }
    let symbols = crate::market::PriceBook::symbols_of([&stored.summary]);
    let since = crate::market::PriceBook::since_for([&stored.summary]);
    let book =
        crate::market::PriceBook::load(st.store.as_ref(), &st.series, symbols, since).await?;
    views::attach_moves(
        &mut view.chips,
        &book,
        stored.summary.published.as_ref().map(|p| p.instant),
        Timestamp::now(),
    );
    let body = Bytes::from(view.render()?);
    st.metrics.renders.fetch_add(1, Relaxed);
    let hash = crate::state::fnv64(&[&body]);
    let page = CachedPage {
        etag: Arc::from(format!(
            "\"{id}-r{}-{}-{:08x}\"",
            stored.summary.revision, st.render_version, hash as u32
        )),
        body,
    };
    st.pages
        .insert_showing(id, page.clone(), epoch, book.symbols().collect());
    Ok(page_response(page, &headers))
}

/// `GET /static/site.css`: the stylesheet, cacheable for a year (its URL carries its hash).
pub async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        SITE_CSS,
    )
        .into_response()
}

/// The HTML error page for a status and message.
pub fn error_page(st: &AppState, status: StatusCode, message: &str) -> Response {
    let heading = match status.as_u16() {
        400 => "Bad request",
        404 => "Page not found",
        405 => "Method not allowed",
        410 => "Story removed",
        414 => "Address too long",
        503 => "Unavailable",
        s if s >= 500 => "Something went wrong",
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    let view = views::ErrorPage {
        chrome: &st.chrome,
        head: Head::new(heading.to_string(), &st.chrome.site_name),
        status: status.as_u16(),
        heading: heading.to_string(),
        message: message.to_string(),
    };
    let body = view.render().unwrap_or_else(|_| {
        let mut s = String::from("<!DOCTYPE html><html lang=\"en\"><title>Error</title><h1>");
        escape::html(heading, &mut s);
        s.push_str("</h1></html>");
        s
    });
    (status, html(body)).into_response()
}

/// `GET /about`: the site's sources and credits (licence attributions).
pub async fn about(State(st): State<AppState>) -> Result<Response, AppError> {
    let sources = st.reload_sources().await?;
    let view = views::AboutPage {
        chrome: &st.chrome,
        head: Head::new("About".to_string(), &st.chrome.site_name),
        sources: sources
            .list
            .iter()
            .map(|s| {
                let home = s
                    .homepage_url
                    .as_deref()
                    .and_then(escape::safe_url)
                    .map(|u| u.to_string());
                (s.slug.clone(), clean_text(&s.name).into_owned(), home)
            })
            .collect(),
        credits: st
            .config
            .credits
            .as_deref()
            .unwrap_or("")
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect(),
    };
    let body = view.render().map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(html(body))
}

/// `/feeds`: every subscription with its last fetch, next poll, items, pause reason and last
/// error (all escaped by the template; errors can quote what a server sent).
pub async fn feeds_page(State(st): State<AppState>) -> Result<Response, AppError> {
    let feeds = st
        .store
        .list_feeds()
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?;
    let fmt = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let view = views::FeedsPage {
        chrome: &st.chrome,
        head: Head::new("Feeds".to_string(), &st.chrome.site_name),
        feeds: feeds
            .into_iter()
            .map(|f| views::FeedRow {
                title: f
                    .title
                    .as_deref()
                    .map(|t| clean_text(t).into_owned())
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| f.url.clone()),
                url: f.url,
                last_fetch: f.last_fetch_at.map_or_else(|| "never".to_string(), fmt),
                next_due: fmt(f.next_due_at),
                items: f.items,
                paused: f.paused_reason,
                last_error: f.last_error,
            })
            .collect(),
    };
    let body = view.render().map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(html(body))
}
