//! The router, the edge middleware every request passes, and [`Application`]: bind, catch the
//! index up, serve until told to stop, and poll the change log meanwhile.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use newsdesk_search::SearchIndex;
use newsdesk_search::indexer::{self, DEFAULT_BATCH};
use newsdesk_store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::WebConfig;
use crate::error::{AppError, ErrorInfo};
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::{api, pages};

/// Longest query string accepted (bytes); longer is 414.
pub const MAX_QUERY: usize = 4096;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The router over `state`: every route, the fallback, and the edge middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::front))
        .route("/news/{id}", get(pages::article))
        .route("/search", get(pages::search))
        .route("/source/{slug}", get(pages::source))
        .route("/instrument/{symbol}", get(pages::instrument))
        .route("/about", get(pages::about))
        .route("/feeds", get(pages::feeds_page))
        .route("/rss", get(pages::rss))
        .route("/atom", get(pages::atom))
        .route("/static/site.css", get(pages::stylesheet))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/api/v1/articles", get(api::articles))
        .route("/api/v1/articles/{id}", get(api::article))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/instruments/{symbol}", get(api::instrument))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/openapi.json", get(api::openapi))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::NotFound("there is nothing at this address".into())
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every request: GET/HEAD only, a bounded query string, metrics, security headers, a request
/// id, and error bodies (HTML, or JSON under `/api/`) written in this one place.
async fn edge(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = Metrics::route_index(req.extensions().get::<MatchedPath>().map(|m| m.as_str()));
    let is_api = req.uri().path().starts_with("/api/");
    let request_id = req
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|v| {
            v.len() <= 64
                && v.to_str()
                    .is_ok_and(|s| s.bytes().all(|b| b.is_ascii_graphic()))
        })
        .cloned()
        .unwrap_or_else(|| HeaderValue::from(st.request_ids.fetch_add(1, Relaxed) + 1));

    let mut resp = if req.method() != Method::GET && req.method() != Method::HEAD {
        AppError::MethodNotAllowed.into_response()
    } else if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        AppError::UriTooLong(MAX_QUERY).into_response()
    } else {
        next.run(req).await
    };

    if let Some(info) = resp.extensions_mut().remove::<ErrorInfo>() {
        resp = render_error(&st, resp.status(), info.code, &info.message, is_api, resp);
    } else if resp.status().is_client_error() || resp.status().is_server_error() {
        // A rejection written by axum itself (plain text): give it our error body.
        let plain = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
        if plain {
            let status = resp.status();
            let code = match status.as_u16() {
                400 => "bad_request",
                404 => "not_found",
                _ if status.is_server_error() => "internal",
                _ => "error",
            };
            let msg = status.canonical_reason().unwrap_or("Error").to_string() + ".";
            resp = render_error(&st, status, code, &msg, is_api, resp);
        }
    }

    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(X_REQUEST_ID.clone(), request_id);
    let elapsed = started.elapsed();
    st.metrics.record(route, resp.status().as_u16(), elapsed);
    tracing::debug!(
        route = crate::metrics::ROUTES
            .get(route)
            .copied()
            .unwrap_or("other"),
        status = resp.status().as_u16(),
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    resp
}

fn render_error(
    st: &AppState,
    status: StatusCode,
    code: &str,
    message: &str,
    is_api: bool,
    old: Response,
) -> Response {
    let mut resp = if is_api {
        let body = serde_json::json!({ "error": { "code": code, "message": message } });
        (status, axum::Json(body)).into_response()
    } else {
        pages::error_page(st, status, message)
    };
    if let Some(allow) = old.headers().get(header::ALLOW) {
        resp.headers_mut().insert(header::ALLOW, allow.clone());
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The web server: bound, caught up, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
}

impl Application {
    /// Validates `config`, binds `listen` (port 0 picks a free port), and brings the search index
    /// up to date with the store's change log before anything is served (an article committed
    /// to the store before a crash and never indexed is indexed now). A failing catch-up is
    /// logged, not fatal: the poller retries.
    pub async fn build(
        config: WebConfig,
        listen: SocketAddr,
        store: Arc<dyn Store>,
        index: Arc<dyn SearchIndex>,
    ) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let state = AppState::new(config, store, index).context("web configuration")?;
        match indexer::catch_up(state.store.as_ref(), state.index.as_ref(), DEFAULT_BATCH).await {
            Ok(c) if c.indexed + c.deleted > 0 => tracing::info!(
                indexed = c.indexed,
                deleted = c.deleted,
                seq = c.seq,
                "search index caught up with the store"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "search index catch-up at start-up failed; will retry")
            }
        }
        if let Err(e) = catch_up_stories(&state).await {
            tracing::error!(error = %e, "story catch-up at start-up failed; will retry");
        }
        match state.store.story_seq().await {
            Ok(seq) => state.stories_seen.store(seq, Relaxed),
            Err(e) => tracing::warn!(error = %e, "could not read the story cursor"),
        }
        match state.store.last_price_change_seq().await {
            Ok(seq) => state.prices_seen.store(seq, Relaxed),
            Err(e) => tracing::warn!(error = %e, "could not read the price change log"),
        }
        if let Err(e) = state.reload_sources().await {
            tracing::warn!(error = %e, "could not load sources at start-up");
        }
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        Ok(Application {
            listener,
            addr,
            state,
        })
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (for embedding and tests).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then stops accepting, finishes in-flight requests and
    /// stops the change-log poller.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let start_seq = self.state.store.last_change_seq().await.unwrap_or(0);
        let poller = tokio::spawn(poll_changes(self.state.clone(), start_seq, stop_rx));
        tracing::info!(addr = %self.addr, "serving");
        let served = axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop_tx.send(true);
            })
            .await;
        poller.abort();
        let _ = poller.await;
        served.map_err(anyhow::Error::from)
    }
}

/// Every `change_poll_ms`, and at once when another process commits changes (PostgreSQL
/// `NOTIFY`): catch the index up, then drop cached pages of changed articles (and
/// all cached lists) named by change-log entries after `last_seen`. Errors are counted and
/// logged (the first of a streak, then every 100th), never fatal.
async fn poll_changes(st: AppState, mut last_seen: i64, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_millis(st.config.change_poll_ms);
    let mut wake = change_wakeups(&st).await;
    let mut streak: u64 = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            () = wake.wait() => {
                // A burst of commits (a feed's items) is read in one poll.
                tokio::time::sleep(WAKE_COALESCE).await;
            }
            _ = stop.changed() => return,
        }
        let result = poll_once(&st, &mut last_seen).await;
        match result {
            Ok(()) => {
                if streak > 0 {
                    tracing::info!(failures = streak, "change-log polling recovered");
                }
                streak = 0;
            }
            Err(e) => {
                st.metrics.poll_errors.fetch_add(1, Relaxed);
                if streak.is_multiple_of(100) {
                    tracing::error!(error = %e, "change-log poll failed");
                }
                streak += 1;
            }
        }
    }
}

/// How long the poller waits after a wake-up before reading the change log.
const WAKE_COALESCE: Duration = Duration::from_millis(20);

/// Wake-ups on change-log commits (PostgreSQL `LISTEN`), so the poller evicts and catches up at
/// once instead of after `change_poll_ms`; the timer stays as the fallback (notifications can be
/// missed). SQLite's subscription never fires.
async fn change_wakeups(st: &AppState) -> newsdesk_store::Wakeup {
    match st
        .store
        .subscribe(newsdesk_store::WakeChannel::Changes)
        .await
    {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "no change notifications; polling only");
            newsdesk_store::Wakeup::never()
        }
    }
}

/// One poll (see [`poll_changes`]).
pub(crate) async fn poll_once(st: &AppState, last_seen: &mut i64) -> Result<(), String> {
    let mut first_err = None;
    if let Err(e) = indexer::catch_up(st.store.as_ref(), st.index.as_ref(), DEFAULT_BATCH).await {
        first_err = Some(format!("search catch-up: {e}"));
    }
    if let Err(e) = catch_up_stories(st).await {
        first_err.get_or_insert_with(|| format!("story catch-up: {e}"));
    }
    // Pages of articles whose story gained a member show a new "Also reported by": dropped by
    // following the story cursor, whether this process or another one did the filing.
    if let Err(e) = drop_pages_of_new_story_members(st).await {
        first_err.get_or_insert(e);
    }
    loop {
        let changes = match st.store.changes_since(*last_seen, 10_000).await {
            Ok(c) => c,
            Err(e) => {
                return Err(first_err.unwrap_or_else(|| format!("reading the change log: {e}")));
            }
        };
        let Some(last) = changes.last() else { break };
        let ids: Vec<i64> = changes.iter().map(|c| c.article_id).collect();
        st.pages.invalidate(&ids);
        st.lists.clear();
        *last_seen = last.seq;
        if changes.len() < 10_000 {
            break;
        }
    }
    // Pages whose chips show instruments with new prices (imports, quotes).
    if let Err(e) = crate::market::drop_pages_with_changed_prices(st).await {
        first_err.get_or_insert(e);
    }
    first_err.map_or(Ok(()), Err)
}

/// Above this many newly filed articles in one poll, every cached page is dropped instead of
/// looking up each one's story.
const STORY_DROP_EXACT_MAX: usize = 500;

/// Follows the story cursor, whoever moved it: for each article filed since the last poll,
/// drops the cached pages of its story's members (their "Also reported by" lists it) and its
/// own. The catch-up above only reports what *this* process filed; on a PostgreSQL install the
/// filing may have been done by another web node or a worker, and every node must drop its
/// copies. The cursor moves in the same transaction as the assignments, so the articles up to
/// it are filed.
async fn drop_pages_of_new_story_members(st: &AppState) -> Result<(), String> {
    const BATCH: u32 = 10_000;
    let seen = st.stories_seen.load(Acquire);
    let now = st
        .store
        .story_seq()
        .await
        .map_err(|e| format!("reading the story cursor: {e}"))?;
    if now <= seen {
        return Ok(());
    }
    let mut filed = Vec::new();
    let mut after = seen;
    'read: loop {
        let changes = st
            .store
            .changes_since(after, BATCH)
            .await
            .map_err(|e| format!("reading the change log: {e}"))?;
        for c in &changes {
            if c.seq > now {
                break 'read;
            }
            filed.push(c.article_id);
            after = c.seq;
        }
        if changes.len() < BATCH as usize || filed.len() > STORY_DROP_EXACT_MAX {
            break;
        }
    }
    filed.sort_unstable();
    filed.dedup();
    if filed.len() > STORY_DROP_EXACT_MAX {
        st.pages.clear();
    } else {
        let mut drop = filed.clone();
        for id in filed {
            // One more than a page lists: the pages that could show this article.
            let members = st
                .store
                .story_members(id, crate::pages::ALSO_REPORTED_MAX + 1)
                .await
                .map_err(|e| format!("loading the story of article {id}: {e}"))?;
            if let Some((_, members)) = members {
                drop.extend(members.iter().map(|m| m.summary.id));
            }
        }
        st.pages.invalidate(&drop);
    }
    st.stories_seen.store(now, Release);
    Ok(())
}

/// Files new and revised articles into stories (see `newsdesk_store::stories`).
pub(crate) async fn catch_up_stories(
    st: &AppState,
) -> Result<newsdesk_store::stories::StoryCatchUp, newsdesk_store::StoreError> {
    newsdesk_store::stories::catch_up_default(st.store.as_ref()).await
}
