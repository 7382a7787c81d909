//! `newsdesk migrate-data --from sqlite://DIR --to postgres://…`: moves an embedded install
//! into PostgreSQL (scale-out), verifies it table by table, and builds the PostgreSQL search
//! index.
//!
//! The copy itself is `newsdesk_store::copy` (one PostgreSQL transaction, ids kept, sequences
//! moved past them). A target that already holds data is refused unless `--replace`. After the
//! commit both sides are digested the same way (row count and SHA-256 per table) and printed;
//! any difference exits 1. Jobs are copied as they are: a job that was running in the embedded
//! install is taken over by a PostgreSQL worker when its lease runs out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use newsdesk_store::copy::{self, TableDigest};
use newsdesk_store::{PostgresStore, SqliteStore};

use crate::config::{Config, redact_url};

/// Arguments of `newsdesk migrate-data`.
#[derive(Debug, clap::Args)]
pub struct MigrateDataArgs {
    /// The embedded install to copy from: `sqlite://DATA_DIR` (or the directory itself). It
    /// must hold a `newsdesk.db`; it is read, never changed (except that an older schema is
    /// migrated first).
    #[arg(long)]
    pub from: String,
    /// The PostgreSQL database to copy into, `postgres://user@host:port/db`.
    #[arg(long)]
    pub to: String,
    /// Replace the target's data when it already holds some (its tables are emptied in the same
    /// transaction as the copy). Without it a non-empty target is refused.
    #[arg(long, alias = "force")]
    pub replace: bool,
}

/// Runs `newsdesk migrate-data`.
pub fn run(args: &MigrateDataArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(migrate(args, config))
}

fn source_dir(from: &str) -> anyhow::Result<PathBuf> {
    let path = from
        .strip_prefix("sqlite://")
        .or_else(|| from.strip_prefix("sqlite:"))
        .unwrap_or(from);
    if path.is_empty() {
        anyhow::bail!("--from wants sqlite://DATA_DIR");
    }
    let dir = PathBuf::from(path);
    let db = dir.join(newsdesk_store::sqlite::DB_FILE);
    if !db.is_file() {
        anyhow::bail!(
            "{} has no {}: not an embedded newsdesk data directory",
            dir.display(),
            newsdesk_store::sqlite::DB_FILE
        );
    }
    Ok(dir)
}

async fn migrate(args: &MigrateDataArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let dir = source_dir(&args.from)?;
    if !(args.to.starts_with("postgres://") || args.to.starts_with("postgresql://")) {
        anyhow::bail!("--to wants a postgres:// URL");
    }
    let shown = redact_url(&args.to);
    let sqlite = SqliteStore::open(&dir)
        .await
        .with_context(|| format!("opening the store in {}", dir.display()))?;
    let pg = PostgresStore::connect(&args.to, &config.postgres.pool())
        .await
        .with_context(|| format!("opening the PostgreSQL store at {shown}"))?;
    eprintln!("copying {} into {shown} …", dir.display());
    let report = copy::copy_sqlite_to_postgres(&sqlite, &pg, args.replace)
        .await
        .context("copying")?;
    if !report.replaced.is_empty() {
        eprintln!(
            "replaced the target's previous data in: {}",
            report.replaced.join(", ")
        );
    }
    let target = copy::postgres_digests(&pg)
        .await
        .context("verifying the copy")?;
    let ok = print_table(&report.source, &target);

    // The full-text index is derived: rebuild it from the copied change log.
    let index = newsdesk_search::postgres_index::PgSearchIndex::new(pg.pool().clone())
        .await
        .context("opening PostgreSQL full-text search")?;
    let done =
        newsdesk_search::indexer::reindex(&pg, &index, newsdesk_search::indexer::DEFAULT_BATCH)
            .await
            .context("building the PostgreSQL search index")?;
    println!(
        "search index: {} documents, {} removed, at change {}",
        done.indexed, done.deleted, done.seq
    );
    let kb = dir.join("kb");
    if kb.is_dir() {
        eprintln!(
            "note: {} holds knowledge-base imports; they are files, not tables: copy them to the \
             data directory of every process that tags (or re-run `newsdesk kb import` there)",
            kb.display()
        );
    }
    sqlite.close().await;
    pg.close().await;
    if ok {
        println!("migrate-data: every table matches");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("newsdesk: migrate-data: the copy differs from the source (see the table)");
        Ok(ExitCode::from(1))
    }
}

/// Prints counts and digests side by side; true when every table matches.
fn print_table(source: &[TableDigest], target: &[TableDigest]) -> bool {
    println!(
        "{:<20} {:>12} {:>12}  {:<16}  {:<16}  RESULT",
        "TABLE", "SQLITE ROWS", "PG ROWS", "SQLITE SHA-256", "PG SHA-256"
    );
    let mut ok = source.len() == target.len();
    for s in source {
        let t = target.iter().find(|t| t.table == s.table);
        let same = t.is_some_and(|t| t == s);
        ok &= same;
        println!(
            "{:<20} {:>12} {:>12}  {:<16}  {:<16}  {}",
            s.table,
            s.rows,
            t.map_or("-".into(), |t| t.rows.to_string()),
            &s.sha256[..16],
            t.map_or("-", |t| &t.sha256[..16]),
            if same { "ok" } else { "MISMATCH" }
        );
    }
    ok
}
