//! Its own test binary because it observes process-wide state: after `Fetcher::new`, other
//! reqwest clients in the process build (reqwest has no crypto provider of its own here).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use newsdesk_fetch::{FetchConfig, Fetcher};

#[test]
fn other_reqwest_clients_build_once_a_fetcher_exists() {
    Fetcher::new(FetchConfig::default()).unwrap();
    reqwest::Client::builder().build().unwrap();
}
