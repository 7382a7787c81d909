//! Command-line interface: one binary, one subcommand per role.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// newsdesk — a self-hosted market-news desk.
#[derive(Debug, Parser)]
#[command(name = "newsdesk", version, about, propagate_version = true)]
pub struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `newsdesk=debug`
    /// [config: log; env: NEWSDESK_LOG].
    #[arg(long, global = true)]
    pub log: Option<String>,
    /// Configuration file (TOML). Default: `./newsdesk.toml` when it exists [env: NEWSDESK_CONFIG].
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Data directory of the embedded install (SQLite database and search index)
    /// [config: data_dir; env: NEWSDESK_DATA_DIR; default: ./newsdesk-data].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL; selects the PostgreSQL backend instead of the data directory
    /// [config: database_url; env: NEWSDESK_DATABASE_URL].
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract articles from HTML pages or pasted text and print them.
    Extract(ExtractArgs),
    /// Print the text a browser's "select all, copy" gives for an HTML page.
    Flatten(FlattenArgs),
    /// Extract pages, pasted text or pre-extracted articles and store them (new stories or new
    /// revisions), then update the search index.
    Add(AddArgs),
    /// Run the web site and JSON API.
    Serve(ServeArgs),
    /// Rebuild the search index from the store.
    Reindex,
    /// Link texts to instruments: reads lines `{"id","title"?,"text"}`, prints one tagging line
    /// per input line (countries, instruments with role, score and reasons).
    Tag {
        /// Input JSON-lines file, or `-` for stdin.
        #[arg(long)]
        input: PathBuf,
    },
    /// Tag every stored story again (after a knowledge-base import) and update its links.
    Retag,
    /// The instrument knowledge base.
    Kb {
        /// What to do.
        #[command(subcommand)]
        action: KbAction,
    },
    /// Feed subscriptions: add, list, remove, OPML import/export, refresh, status.
    Feeds {
        /// What to do.
        #[command(subcommand)]
        action: FeedsAction,
    },
    /// Run the ingest workers and scheduler (feed polls, full-text pages) until SIGTERM.
    Worker(IngestArgs),
    /// Copy an embedded install (`--from sqlite://DATA_DIR`) into an empty PostgreSQL database
    /// (`--to postgres://…`), verify every table (row counts and SHA-256 digests, exit 1 on a
    /// difference) and build the PostgreSQL search index.
    MigrateData(crate::migrate_cmd::MigrateDataArgs),
    /// Market data: import price files.
    Prices {
        /// What to do.
        #[command(subcommand)]
        action: PricesAction,
    },
    /// Inspect the configuration.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `newsdesk kb` subcommands.
#[derive(Debug, Subcommand)]
pub enum KbAction {
    /// Add instruments and aliases from a CSV (`symbol,kind[,name,aliases,country,mic,ric,yahoo,
    /// cik,ambiguous]`) or JSON file; kept in the data directory and used from then on.
    Import {
        /// The file.
        file: PathBuf,
    },
}

/// `newsdesk feeds` subcommands.
#[derive(Debug, Subcommand)]
pub enum FeedsAction {
    /// Subscribe to a feed (RSS, Atom or JSON Feed), or change the settings of a subscription.
    Add {
        /// The feed URL (`http`/`https`).
        url: String,
        /// When to fetch an item's linked page for the full text [default: auto].
        #[arg(long, value_enum)]
        full_text: Option<FullTextArg>,
        /// Zone for feed dates printed without an offset (IANA name or offset) [default: UTC].
        #[arg(long)]
        zone: Option<String>,
        /// Minutes between polls [default: 30].
        #[arg(long)]
        interval: Option<u64>,
        /// File the feed's stories under this source slug. Default: the feed URL's host.
        #[arg(long)]
        source: Option<String>,
    },
    /// List subscriptions.
    List,
    /// Unsubscribe (by id or URL); stored stories stay.
    Remove {
        /// Feed id or URL.
        feed: String,
    },
    /// Subscribe to every feed of an OPML file.
    Import {
        /// The OPML file.
        file: PathBuf,
    },
    /// Print the subscriptions as OPML.
    Export,
    /// Poll every due feed now (every feed with `--all`) and wait for its jobs, then print a
    /// summary and update the search index.
    Refresh {
        /// Poll every feed that is not paused, due or not.
        #[arg(long)]
        all: bool,
        /// Worker settings.
        #[command(flatten)]
        ingest: IngestArgs,
    },
    /// A table of feeds: last fetch, next due, items, last error, paused.
    Status,
}

/// `--full-text` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FullTextArg {
    /// Fetch the page when the feed carries only a summary or teaser.
    Auto,
    /// Always fetch the page.
    Always,
    /// Never fetch pages.
    Never,
}

/// Settings of the ingest workers (`worker`, `feeds refresh`, `serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct IngestArgs {
    /// Jobs run at once in this process.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Seconds a claimed job is leased; a heartbeat renews it, and a dead worker's job is
    /// taken over after it.
    #[arg(long = "lease", default_value_t = 60)]
    pub lease_secs: u64,
    /// Let URLs on this host (`HOST` or `HOST:PORT`) through the guard against private and
    /// loopback addresses; repeatable [config: fetch.allow_hosts].
    #[arg(long = "allow-host")]
    pub allow_hosts: Vec<String>,
}

/// `newsdesk prices` subcommands.
#[derive(Debug, Subcommand)]
pub enum PricesAction {
    /// Import daily bars from CSV (OHLCV, `date,close`, symbol column, wide `Date,<symbol>…`,
    /// header-less) or JSON files. Idempotent; changed values are kept as corrections.
    Import(crate::prices_cmd::PricesImportArgs),
    /// Set an instrument's name, kind, currency, exchange zone, session close and benchmark
    /// (what its chips need besides bars). Omitted values keep the stored row's, else come from
    /// the knowledge base and the exchange of the instrument's country.
    Instrument(crate::instruments_cmd::InstrumentArgs),
}

/// `newsdesk config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the effective configuration (defaults, file, environment, flags) as TOML, with
    /// secrets redacted.
    Print,
}

/// Arguments of `newsdesk add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// `http(s)://` URLs (fetched safely), files (.html, .htm, .txt, optionally .gz), `.jsonl`
    /// files of extracted articles (`extract --format article`), directories (walked), or `-` for
    /// stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// File the stories under this source slug (created when new). Default: the canonical URL's
    /// host, else `local`.
    #[arg(long)]
    pub source: Option<String>,
    /// Display name for a new source. Default: the site name the page gives, else its host.
    #[arg(long)]
    pub source_name: Option<String>,
    /// The URL the input came from (base for relative links; fallback canonical URL).
    #[arg(long)]
    pub url: Option<String>,
    /// Time zone for times printed without one (IANA name or offset); also a new source's zone.
    #[arg(long, value_parser = parse_zone)]
    pub tz: Option<TimeZone>,
    /// The current time (fetch time, and the clock for relative dates), RFC 3339.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<Timestamp>,
    /// Read inputs as this kind instead of deciding by file name / content.
    #[arg(long = "as", value_enum)]
    pub as_kind: Option<InputKind>,
    /// Refuse inputs larger than this many bytes (after decompression).
    #[arg(long, default_value_t = newsdesk_extract::DEFAULT_MAX_INPUT_BYTES)]
    pub max_bytes: usize,
    /// Articles per store transaction.
    #[arg(long, default_value_t = 200)]
    pub batch: usize,
    /// Let URLs on this host (`HOST` or `HOST:PORT`) through the guard against private and
    /// loopback addresses; repeatable [config: fetch.allow_hosts].
    #[arg(long = "allow-host")]
    pub allow_hosts: Vec<String>,
}

/// Arguments of `newsdesk serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. `127.0.0.1:8080`; port 0 picks a free port
    /// [config: listen; env: NEWSDESK_LISTEN; default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// Load the bundled demo corpus (300 openly licensed stories) before serving. Loading twice
    /// adds nothing.
    #[arg(long)]
    pub demo: bool,
    /// Do not run feed polling and page fetching in this process.
    #[arg(long)]
    pub no_ingest: bool,
    /// Ingest worker settings (unless `--no-ingest`).
    #[command(flatten)]
    pub ingest: IngestArgs,
}

/// Output formats of `newsdesk extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON document: an object for a single input, an array for several.
    Json,
    /// One JSON object per line, per input.
    Jsonl,
    /// Human-readable text.
    Text,
    /// One JSON object per line: the article model itself, as `newsdesk add` reads from
    /// `.jsonl` files (extract once, store many times).
    Article,
}

/// How to read an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputKind {
    /// An HTML page.
    Html,
    /// Text copied from a rendered page.
    Text,
}

/// Arguments of `newsdesk extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Files (.html, .htm, .html.gz, .txt), directories (walked recursively) or `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// The URL the page came from (base for relative links; fallback canonical URL).
    #[arg(long)]
    pub url: Option<String>,
    /// Time zone for times printed without one: an IANA name (`America/New_York`) or an offset
    /// (`+09:00`). Without it such times are read as UTC and the output says so.
    #[arg(long, value_parser = parse_zone)]
    pub tz: Option<TimeZone>,
    /// The current time for relative dates ("1 day ago"), RFC 3339. Default: the system clock.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<Timestamp>,
    /// Read every input as this kind instead of deciding by file extension / content.
    #[arg(long = "as", value_enum)]
    pub as_kind: Option<InputKind>,
    /// Refuse inputs larger than this many bytes (after decompression).
    #[arg(long, default_value_t = newsdesk_extract::DEFAULT_MAX_INPUT_BYTES)]
    pub max_bytes: usize,
}

/// Arguments of `newsdesk flatten`.
#[derive(Debug, clap::Args)]
pub struct FlattenArgs {
    /// An HTML file (.html, .htm, .html.gz) or `-` for stdin.
    pub path: PathBuf,
}

fn parse_zone(s: &str) -> Result<TimeZone, String> {
    newsdesk_article::parse_zone(s).ok_or_else(|| {
        format!("unknown time zone {s:?}: use an IANA name such as America/New_York or an offset such as +09:00")
    })
}

fn parse_now(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>()
        .map_err(|e| format!("--now wants an RFC 3339 time such as 2026-11-29T12:00:00Z: {e}"))
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli)
}

/// Default log filter of the offline commands.
const QUIET_LOG: &str = "warn,html5ever=off,selectors=off";

/// Runs a parsed command line, writing to stdout/stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = dispatch(cli);
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("newsdesk: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let overrides = crate::config::Overrides {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        log: cli.log.clone(),
        listen: match &cli.command {
            Command::Serve(s) => s.listen,
            _ => None,
        },
    };
    // Extraction commands work without any configuration; the others load it.
    match cli.command {
        Command::Extract(args) => {
            init_logging(cli.log.as_deref().unwrap_or(QUIET_LOG));
            return crate::extract_cmd::run_extract(&args);
        }
        Command::Flatten(args) => {
            init_logging(cli.log.as_deref().unwrap_or(QUIET_LOG));
            return crate::extract_cmd::run_flatten(&args);
        }
        _ => {}
    }
    let config = crate::config::Config::load(&overrides, std::env::vars())?;
    let default_log = match cli.command {
        Command::Serve(_) => "warn,newsdesk=info,newsdesk_web=info,html5ever=off,selectors=off",
        // Streaming whole tables trips sqlx's slow-statement warning on every large table.
        Command::MigrateData(_) => "warn,sqlx::query=error,html5ever=off,selectors=off",
        _ => QUIET_LOG,
    };
    init_logging(config.log.as_deref().unwrap_or(default_log));
    match &cli.command {
        Command::Config {
            action: ConfigAction::Print,
        } => {
            print!("{}", config.to_toml()?);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Tag { input } => return crate::tagging::run_tag(input, &config),
        Command::Kb {
            action: KbAction::Import { file },
        } => return crate::tagging::run_kb_import(file, &config),
        // Opens the two databases it names, not the configured one.
        Command::MigrateData(args) => return crate::migrate_cmd::run(args, &config),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let backends = match cli.command {
            Command::Reindex => crate::backends::Backends::open_for_reindex(&config).await?,
            _ => crate::backends::Backends::open(&config).await?,
        };
        match cli.command {
            Command::Add(args) => {
                let kb = crate::tagging::load_kb(&config)?;
                let mut fetch = config.fetch.clone();
                fetch.allow_hosts.extend(args.allow_hosts.iter().cloned());
                crate::add_cmd::run_add(&args, &backends, &kb, fetch).await
            }
            Command::Retag => {
                let kb = crate::tagging::load_kb(&config)?;
                crate::tagging::run_retag(backends.store.as_ref(), &kb).await
            }
            Command::Serve(args) => crate::serve_cmd::run_serve(&args, &config, &backends).await,
            Command::Feeds { action } => {
                crate::feeds_cmd::run_feeds(&action, &config, &backends).await
            }
            Command::Worker(args) => crate::feeds_cmd::run_worker(&args, &config, &backends).await,
            Command::Prices {
                action: PricesAction::Import(args),
            } => {
                crate::prices_cmd::run_import(
                    &args,
                    backends.store.as_ref(),
                    &config,
                    Timestamp::now(),
                )
                .await
            }
            Command::Prices {
                action: PricesAction::Instrument(args),
            } => {
                let kb = crate::tagging::load_kb(&config)?;
                crate::instruments_cmd::run_instrument(&args, backends.store.as_ref(), &kb).await
            }
            Command::Reindex => {
                let done = newsdesk_search::indexer::reindex(
                    backends.store.as_ref(),
                    backends.index.as_ref(),
                    newsdesk_search::indexer::DEFAULT_BATCH,
                )
                .await?;
                println!(
                    "reindexed: {} documents, {} removed, at change {}",
                    done.indexed, done.deleted, done.seq
                );
                Ok(ExitCode::SUCCESS)
            }
            Command::Extract(_)
            | Command::Flatten(_)
            | Command::Config { .. }
            | Command::Tag { .. }
            | Command::MigrateData(_)
            | Command::Kb { .. } => Ok(ExitCode::SUCCESS),
        }
    })
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
