//! Command-line interface: one binary, one subcommand per role.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// newsdesk — a self-hosted market-news desk.
#[derive(Debug, Parser)]
#[command(name = "newsdesk", version, about, propagate_version = true)]
pub struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `newsdesk=debug`.
    #[arg(
        long,
        global = true,
        env = "NEWSDESK_LOG",
        default_value = "warn,html5ever=off,selectors=off"
    )]
    pub log: String,
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
    init_logging(&cli.log);
    run(cli)
}

/// Runs a parsed command line, writing to stdout/stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Extract(args) => crate::extract_cmd::run_extract(&args),
        Command::Flatten(args) => crate::extract_cmd::run_flatten(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("newsdesk: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
