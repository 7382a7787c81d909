//! newsdesk: a self-hosted market-news desk.
//!
//! The binary is thin; every command lives here so tests can call it directly.
//! - [`cli`]: the command line (clap) and dispatch to commands.
//! - [`config`]: settings from defaults, file, environment and flags.
//! - [`backends`]: opening the store and search index the configuration names.
//! - [`extract_cmd`]: `newsdesk extract` and `newsdesk flatten` — files in, articles out.
//! - [`add_cmd`]: `newsdesk add` — inputs into the store, then the search index.
//! - [`serve_cmd`]: `newsdesk serve` — the web site.
//! - [`tagging`]: the instrument tagger in the pipeline; `tag`, `retag`, `kb import`.
//! - [`demo`]: the bundled, openly licensed demo corpus.
//! - [`feeds_cmd`]: `newsdesk feeds` — subscriptions, OPML, refresh and status.
//! - [`worker`]: the ingest jobs (`fetch_feed`, `fetch_page`), their worker loop and scheduler.
//! - [`feed_article`]: feed items into item keys and articles.
//! - [`prices_cmd`]: `newsdesk prices import` — price files into the store.
//! - [`quotes`]: live quotes from a provider, stored as price ticks (`serve`, `worker`).
//! - [`demo_prices`]: the bundled, openly licensed demo price history.
//! - [`progress`]: progress bars on stderr when it is a terminal.
//! - [`inputs`]: reading inputs safely (directories, stdin, gzip with a cap, size limits).

pub mod add_cmd;
pub mod backends;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_prices;
pub mod extract_cmd;
pub mod feed_article;
pub mod feeds_cmd;
pub mod inputs;
pub mod instruments_cmd;
pub mod migrate_cmd;
pub mod prices_cmd;
pub mod progress;
pub mod quotes;
pub mod serve_cmd;
pub mod tagging;
pub mod worker;
