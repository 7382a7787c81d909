//! newsdesk's web site and JSON API.
//!
//! Server-rendered pages (askama templates, no JavaScript), RSS and Atom feeds, full-text search
//! over the [`SearchIndex`](newsdesk_search::SearchIndex), a JSON API with an OpenAPI document,
//! `/healthz` and Prometheus `/metrics`, over an `Arc<dyn Store>`.
//!
//! - [`app`]: the router, the edge middleware (method and size limits, security headers,
//!   request ids, metrics, error bodies) and [`Application`] (bind, start-up catch-up, serve,
//!   change-log poller).
//! - [`pages`], [`api`]: handlers. [`views`] turns store values into template data;
//!   [`feeds`] writes RSS/Atom; [`escape`] is every hand-written escape and the URL gate.
//! - [`chart`]: the instrument page's SVG chart, period changes and 52-week range.
//! - [`market`]: prices for chips: each instrument's move since publication and abnormal move.
//! - [`cache`]: rendered article pages and list data, invalidated by the poller.
//! - [`error`]: [`AppError`], the one error of the HTTP boundary.
//!
//! Routes: `/`, `/news/{id}`, `/search`, `/source/{slug}`, `/instrument/{symbol}`, `/rss`,
//! `/atom`, `/static/site.css`, `/healthz`, `/metrics`, `/api/v1/articles`,
//! `/api/v1/articles/{id}`, `/api/v1/search`, `/api/v1/sources`, `/api/v1/openapi.json`.

pub mod api;
pub mod app;
pub mod cache;
pub mod chart;
pub mod config;
pub mod diff;
pub mod error;
pub mod escape;
pub mod feeds;
pub mod market;
pub mod metrics;
pub mod pages;
pub mod params;
pub mod state;
pub mod timefmt;
pub mod views;

pub use app::{Application, router};
pub use config::{ConfigError, DEFAULT_RISK_DISCLOSURE, WebConfig};
pub use error::AppError;
pub use state::AppState;
