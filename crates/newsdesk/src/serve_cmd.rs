//! `newsdesk serve`: the web site and JSON API, optionally with the bundled demo loaded first.

use std::process::ExitCode;

use anyhow::Context;

use crate::backends::Backends;
use crate::cli::ServeArgs;
use crate::config::Config;

/// Runs `newsdesk serve` until SIGINT or SIGTERM.
pub async fn run_serve(
    args: &ServeArgs,
    config: &Config,
    backends: &Backends,
) -> anyhow::Result<ExitCode> {
    if args.demo {
        let kb = crate::tagging::load_kb(config)?;
        let s = crate::demo::load(std::sync::Arc::clone(&backends.store), &kb).await?;
        tracing::info!(
            inserted = s.inserted,
            unchanged = s.unchanged,
            "demo corpus loaded"
        );
        let p = crate::demo_prices::load(backends.store.as_ref()).await?;
        tracing::info!(
            inserted = p.inserted,
            unchanged = p.unchanged,
            "demo prices loaded"
        );
    }
    // The application catches the index up before it serves its first request.
    let mut web = config.web.clone();
    if args.demo && web.credits.is_none() {
        web.credits = Some(format!(
            "{} {}",
            crate::demo::ATTRIBUTION,
            crate::demo_prices::ATTRIBUTION
        ));
    }
    let app = newsdesk_web::Application::build(
        web,
        config.listen,
        backends.store.clone(),
        backends.index.clone(),
    )
    .await
    .context("starting the web server")?;
    let addr = app.local_addr();
    println!("listening on http://{addr}");
    // Feed polling in-process; the web's own poller keeps the index caught up. With no feeds
    // (the offline demo) the scheduler finds nothing to fetch.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ingest = if args.no_ingest {
        None
    } else {
        let ingester = crate::feeds_cmd::ingester(config, backends, &args.ingest)?;
        Some(tokio::spawn(crate::feeds_cmd::run_ingest(
            ingester,
            backends.clone(),
            stop_rx.clone(),
            false,
        )))
    };
    let quotes = crate::quotes::spawn_if_configured(config, backends.store.clone(), stop_rx)?;
    app.run_until_stopped(shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    if let Some(task) = quotes {
        let _ = task.await;
    }
    if let Some(task) = ingest {
        match task.await {
            Ok(Err(e)) => tracing::warn!(error = %format!("{e:#}"), "ingest workers"),
            Err(e) => tracing::warn!(error = %e, "ingest workers"),
            Ok(Ok(())) => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (also used by `newsdesk worker`).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
