//! Copying an embedded (SQLite) database into PostgreSQL, with a per-table verification.
//!
//! [`copy_sqlite_to_postgres`] moves every table of the schema ([`TABLES`], in foreign-key
//! order) row by row, ids included, inside **one PostgreSQL transaction**: a failure leaves the
//! target as it was. The SQLite side is read inside one read transaction, so the copy is a
//! consistent snapshot even while another process writes to the data directory. Identity
//! sequences are moved past the copied ids, so new rows never collide with copied ones.
//!
//! [`table_digests`] computes, for one database, each table's row count and a SHA-256 over its
//! rows in primary-key order (text keys in byte order on both backends), with every value
//! encoded by its column's type: integers as 8 big-endian bytes, booleans as one byte, text and
//! bytes length-prefixed, JSON re-serialised canonically (keys sorted) because PostgreSQL's
//! `JSONB` does not keep the bytes SQLite kept. The same code runs on both sides, so equal
//! digests mean equal data.
//!
//! Search documents are not copied: they are derived, and the caller rebuilds them
//! (`newsdesk reindex`) afterwards.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use futures_util::TryStreamExt as _;
use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row, SqliteConnection};

use crate::error::{Context, Result, StoreError};
use crate::{PostgresStore, SqliteStore};

/// Every table of the schema (migrations 0001–0005), parents before children, with the columns
/// that order its rows (its primary key; all columns where it has none).
pub const TABLES: [(&str, &[&str]); 16] = [
    ("sources", &["id"]),
    ("articles", &["id"]),
    ("article_revisions", &["article_id", "revision"]),
    ("article_instruments", &["article_id", "symbol"]),
    ("changes", &["seq"]),
    ("jobs", &["id"]),
    ("feeds", &["id"]),
    ("feed_items", &["feed_id", "item_key"]),
    ("stories", &["article_id"]),
    ("story_keys", &["key", "published", "article_id"]),
    ("story_cursor", &["id"]),
    ("instruments", &["symbol"]),
    ("price_bars", &["symbol", "day"]),
    ("price_ticks", &["symbol", "at"]),
    (
        "price_corrections",
        &[
            "symbol",
            "day",
            "corrected_at",
            "old_close",
            "new_close",
            "old_source",
            "new_source",
        ],
    ),
    ("price_changes", &["seq"]),
];

/// Tables that are not copied: sqlx's migration bookkeeping (each side has its own) and the
/// PostgreSQL full-text index (derived; rebuilt after the copy).
const NOT_COPIED: [&str; 3] = ["_sqlx_migrations", "search_docs", "search_state"];

/// Bound parameters per `INSERT` statement (PostgreSQL allows 65,535).
const PARAMS_PER_STATEMENT: usize = 20_000;

/// Row count and content digest of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    /// The table.
    pub table: &'static str,
    /// Rows in it.
    pub rows: u64,
    /// SHA-256 over its rows in key order, lowercase hex.
    pub sha256: String,
}

/// What [`copy_sqlite_to_postgres`] did.
#[derive(Debug, Clone)]
pub struct CopyReport {
    /// Digests of the source tables, taken from the snapshot that was copied.
    pub source: Vec<TableDigest>,
    /// Tables that had rows in the target and were emptied first (`replace`).
    pub replaced: Vec<&'static str>,
}

/// The type of a column, as PostgreSQL declares it; SQLite values are read as the same type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColType {
    Int8,
    Int4,
    Text,
    Bool,
    Json,
    Bytes,
}

impl ColType {
    fn from_pg(data_type: &str) -> Result<Self> {
        Ok(match data_type {
            "bigint" => ColType::Int8,
            "integer" => ColType::Int4,
            "text" => ColType::Text,
            "boolean" => ColType::Bool,
            "jsonb" | "json" => ColType::Json,
            "bytea" => ColType::Bytes,
            other => {
                return Err(StoreError::Invalid {
                    what: "schema",
                    detail: format!("column type {other} is not handled by the copy"),
                });
            }
        })
    }

    /// The cast that makes a bound parameter the column's type.
    fn cast(self) -> &'static str {
        match self {
            ColType::Int8 => "bigint",
            ColType::Int4 => "integer",
            ColType::Text => "text",
            ColType::Bool => "boolean",
            ColType::Json => "jsonb",
            ColType::Bytes => "bytea",
        }
    }
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    ty: ColType,
    identity: bool,
}

/// One value, as both backends agree on it.
#[derive(Debug, Clone)]
enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Json(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Val {
    /// Appends the value's digest encoding (see the module docs).
    fn encode(&self, out: &mut Vec<u8>) {
        fn bytes(out: &mut Vec<u8>, tag: u8, b: &[u8]) {
            out.push(tag);
            out.extend_from_slice(&(b.len() as u64).to_be_bytes());
            out.extend_from_slice(b);
        }
        match self {
            Val::Int(None) | Val::Text(None) | Val::Bool(None) | Val::Json(None) => out.push(b'N'),
            Val::Bytes(None) => out.push(b'N'),
            Val::Int(Some(v)) => {
                out.push(b'I');
                out.extend_from_slice(&v.to_be_bytes());
            }
            Val::Bool(Some(v)) => {
                out.push(b'B');
                out.push(u8::from(*v));
            }
            Val::Text(Some(s)) => bytes(out, b'T', s.as_bytes()),
            Val::Json(Some(s)) => bytes(out, b'J', canonical_json(s).as_bytes()),
            Val::Bytes(Some(b)) => bytes(out, b'X', b),
        }
    }
}

/// JSON with object keys sorted at every level and no insignificant whitespace; text that is
/// not JSON is kept as it is (so a bad value shows up as a mismatch, not a failure).
fn canonical_json(s: &str) -> String {
    fn sort(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let sorted: BTreeMap<String, serde_json::Value> =
                    map.into_iter().map(|(k, v)| (k, sort(v))).collect();
                serde_json::Value::Object(sorted.into_iter().collect())
            }
            serde_json::Value::Array(a) => {
                serde_json::Value::Array(a.into_iter().map(sort).collect())
            }
            other => other,
        }
    }
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(v) => sort(v).to_string(),
        Err(_) => s.to_string(),
    }
}

fn sqlite_val(row: &SqliteRow, i: usize, ty: ColType) -> Result<Val> {
    let ctx = "reading a SQLite row";
    Ok(match ty {
        ColType::Int8 | ColType::Int4 => Val::Int(row.try_get(i).context(ctx)?),
        ColType::Text => Val::Text(row.try_get(i).context(ctx)?),
        ColType::Bool => Val::Bool(row.try_get(i).context(ctx)?),
        ColType::Json => Val::Json(row.try_get(i).context(ctx)?),
        ColType::Bytes => Val::Bytes(row.try_get(i).context(ctx)?),
    })
}

fn pg_val(row: &PgRow, i: usize, ty: ColType) -> Result<Val> {
    let ctx = "reading a PostgreSQL row";
    Ok(match ty {
        ColType::Int8 => Val::Int(row.try_get(i).context(ctx)?),
        ColType::Int4 => Val::Int(
            row.try_get::<Option<i32>, _>(i)
                .context(ctx)?
                .map(i64::from),
        ),
        ColType::Text => Val::Text(row.try_get(i).context(ctx)?),
        ColType::Bool => Val::Bool(row.try_get(i).context(ctx)?),
        // Selected as `col::text`.
        ColType::Json => Val::Json(row.try_get(i).context(ctx)?),
        ColType::Bytes => Val::Bytes(row.try_get(i).context(ctx)?),
    })
}

/// The columns of `table` as PostgreSQL declares them, in order.
async fn pg_columns(conn: &mut PgConnection, table: &str) -> Result<Vec<Column>> {
    let rows = sqlx::query(
        "SELECT column_name::text AS name, data_type::text AS ty, is_identity::text AS ident \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .context("reading the PostgreSQL schema")?;
    if rows.is_empty() {
        return Err(StoreError::Invalid {
            what: "schema",
            detail: format!("table {table} is missing in PostgreSQL"),
        });
    }
    rows.iter()
        .map(|r| {
            let ctx = "reading the PostgreSQL schema";
            let ty: String = r.try_get("ty").context(ctx)?;
            let ident: String = r.try_get("ident").context(ctx)?;
            Ok(Column {
                name: r.try_get("name").context(ctx)?,
                ty: ColType::from_pg(&ty)?,
                identity: ident == "YES",
            })
        })
        .collect()
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `SELECT cols FROM table ORDER BY key` for either backend.
fn select_sql(table: &str, cols: &[Column], order: &[&str], postgres: bool) -> String {
    let list: Vec<String> = cols
        .iter()
        .map(|c| {
            if postgres && c.ty == ColType::Json {
                format!("{}::text", quoted(&c.name))
            } else {
                quoted(&c.name)
            }
        })
        .collect();
    let order: Vec<String> = order
        .iter()
        .map(|o| {
            let text = cols.iter().any(|c| c.name == *o && c.ty == ColType::Text);
            // SQLite compares text bytewise (BINARY); make PostgreSQL do the same.
            if postgres && text {
                format!("{} COLLATE \"C\"", quoted(o))
            } else {
                quoted(o)
            }
        })
        .collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        list.join(", "),
        quoted(table),
        order.join(", ")
    )
}

/// A running digest of one table.
struct Hasher {
    rows: u64,
    sha: Sha256,
    buf: Vec<u8>,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            rows: 0,
            sha: Sha256::new(),
            buf: Vec::new(),
        }
    }

    fn row(&mut self, vals: &[Val]) {
        self.buf.clear();
        for v in vals {
            v.encode(&mut self.buf);
        }
        self.buf.push(b'\n');
        self.sha.update(&self.buf);
        self.rows += 1;
    }

    fn finish(self, table: &'static str) -> TableDigest {
        let mut hex = String::with_capacity(64);
        for b in self.sha.finalize() {
            let _ = write!(hex, "{b:02x}");
        }
        TableDigest {
            table,
            rows: self.rows,
            sha256: hex,
        }
    }
}

/// Row counts and digests of every table in a PostgreSQL database.
pub async fn postgres_digests(store: &PostgresStore) -> Result<Vec<TableDigest>> {
    let mut conn = store
        .pool()
        .acquire()
        .await
        .context("connecting for a digest")?;
    // One snapshot for all tables.
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .context("starting a read transaction")?;
    let mut out = Vec::new();
    for (table, order) in TABLES {
        let cols = pg_columns(&mut tx, table).await?;
        let sql = select_sql(table, &cols, order, true);
        let mut h = Hasher::new();
        let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await.context("reading rows for a digest")? {
            let vals = cols
                .iter()
                .enumerate()
                .map(|(i, c)| pg_val(&row, i, c.ty))
                .collect::<Result<Vec<_>>>()?;
            h.row(&vals);
        }
        drop(rows);
        out.push(h.finish(table));
    }
    tx.rollback().await.context("ending a read transaction")?;
    Ok(out)
}

/// Row counts and digests of every table in a SQLite database, read with PostgreSQL's column
/// types (`pg` supplies the schema).
pub async fn sqlite_digests(sqlite: &SqliteStore, pg: &PostgresStore) -> Result<Vec<TableDigest>> {
    let mut pg_conn = pg.pool().acquire().await.context("connecting")?;
    let mut lite = sqlite.reader().acquire().await.context("opening SQLite")?;
    let mut tx = lite.begin().await.context("starting a read transaction")?;
    let mut out = Vec::new();
    for (table, order) in TABLES {
        let cols = pg_columns(&mut pg_conn, table).await?;
        out.push(sqlite_table(&mut tx, table, order, &cols, None).await?);
    }
    tx.rollback().await.context("ending a read transaction")?;
    Ok(out)
}

/// Reads one SQLite table in key order, digesting it, and (with `sink`) inserting its rows into
/// PostgreSQL.
async fn sqlite_table(
    lite: &mut SqliteConnection,
    table: &'static str,
    order: &[&str],
    cols: &[Column],
    mut sink: Option<&mut PgConnection>,
) -> Result<TableDigest> {
    let sql = select_sql(table, cols, order, false);
    let per_statement = (PARAMS_PER_STATEMENT / cols.len().max(1)).max(1);
    let mut h = Hasher::new();
    let mut pending: Vec<Vec<Val>> = Vec::with_capacity(per_statement);
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *lite);
    while let Some(row) = rows.try_next().await.context("reading SQLite rows")? {
        let vals = cols
            .iter()
            .enumerate()
            .map(|(i, c)| sqlite_val(&row, i, c.ty))
            .collect::<Result<Vec<_>>>()?;
        h.row(&vals);
        if let Some(pg) = sink.as_deref_mut() {
            pending.push(vals);
            if pending.len() >= per_statement {
                insert_rows(pg, table, cols, &pending).await?;
                pending.clear();
            }
        }
    }
    drop(rows);
    if let Some(pg) = sink
        && !pending.is_empty()
    {
        insert_rows(pg, table, cols, &pending).await?;
    }
    Ok(h.finish(table))
}

async fn insert_rows(
    pg: &mut PgConnection,
    table: &str,
    cols: &[Column],
    rows: &[Vec<Val>],
) -> Result<()> {
    let names: Vec<String> = cols.iter().map(|c| quoted(&c.name)).collect();
    let overriding = if cols.iter().any(|c| c.identity) {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let mut sql = format!(
        "INSERT INTO {} ({}){overriding} VALUES ",
        quoted(table),
        names.join(", ")
    );
    let mut n = 0;
    for (r, _) in rows.iter().enumerate() {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            n += 1;
            let _ = write!(sql, "${n}::{}", c.ty.cast());
        }
        sql.push(')');
    }
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for v in row {
            q = match v {
                Val::Int(x) => q.bind(*x),
                Val::Text(x) | Val::Json(x) => q.bind(x.clone()),
                Val::Bool(x) => q.bind(*x),
                Val::Bytes(x) => q.bind(x.clone()),
            };
        }
    }
    q.execute(&mut *pg).await.context("inserting copied rows")?;
    Ok(())
}

/// Tables of the target that hold rows (the migration's own `story_cursor` row at 0 does not
/// count).
pub async fn nonempty_tables(pg: &PostgresStore) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for (table, _) in TABLES {
        let sql = if table == "story_cursor" {
            "SELECT EXISTS (SELECT 1 FROM story_cursor WHERE seq <> 0)".to_string()
        } else {
            format!("SELECT EXISTS (SELECT 1 FROM {})", quoted(table))
        };
        let any: bool = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(pg.pool())
            .await
            .context("checking the target is empty")?;
        if any {
            out.push(table);
        }
    }
    Ok(out)
}

/// Refuses to copy when either database has a table this module does not know (a newer
/// migration): copying would silently leave it behind.
async fn check_tables_known(sqlite: &SqliteStore, pg: &PostgresStore) -> Result<()> {
    let known = |t: &str| TABLES.iter().any(|(k, _)| *k == t) || NOT_COPIED.contains(&t);
    let lite: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(sqlite.reader())
    .await
    .context("listing SQLite tables")?;
    let post: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pg.pool())
    .await
    .context("listing PostgreSQL tables")?;
    let unknown: Vec<String> = lite.into_iter().chain(post).filter(|t| !known(t)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            what: "schema",
            detail: format!(
                "tables the copy does not know: {} (add them to newsdesk_store::copy::TABLES)",
                unknown.join(", ")
            ),
        })
    }
}

/// Copies every table of `sqlite` into `pg` in one PostgreSQL transaction (see the module
/// docs). A target with data is refused ([`StoreError::Invalid`] naming the tables) unless
/// `replace`, which empties those tables first, in the same transaction.
pub async fn copy_sqlite_to_postgres(
    sqlite: &SqliteStore,
    pg: &PostgresStore,
    replace: bool,
) -> Result<CopyReport> {
    check_tables_known(sqlite, pg).await?;
    let nonempty = nonempty_tables(pg).await?;
    if !nonempty.is_empty() && !replace {
        return Err(StoreError::Invalid {
            what: "target database",
            detail: format!(
                "it already holds data (tables: {}); copy into an empty database, or replace its contents on purpose",
                nonempty.join(", ")
            ),
        });
    }
    let mut pg_conn = pg
        .pool()
        .acquire()
        .await
        .context("connecting to the target")?;
    let mut tx = pg_conn
        .begin()
        .await
        .context("starting the copy transaction")?;
    // Empty every table (the migration's story cursor row too), children first via CASCADE;
    // the search tables are derived from these and are rebuilt by the caller.
    let all: Vec<String> = TABLES.iter().map(|(t, _)| quoted(t)).collect();
    sqlx::query(AssertSqlSafe(format!(
        "TRUNCATE {} RESTART IDENTITY CASCADE",
        all.join(", ")
    )))
    .execute(&mut *tx)
    .await
    .context("emptying the target tables")?;

    let mut lite = sqlite.reader().acquire().await.context("opening SQLite")?;
    // One read transaction: every table from the same snapshot.
    let mut snapshot = lite.begin().await.context("starting a read transaction")?;
    let mut source = Vec::new();
    for (table, order) in TABLES {
        let cols = pg_columns(&mut tx, table).await?;
        let digest = sqlite_table(&mut snapshot, table, order, &cols, Some(&mut *tx)).await?;
        tracing::info!(table, rows = digest.rows, "copied");
        for c in cols.iter().filter(|c| c.identity) {
            // The next generated id follows the largest copied one (1 for an empty table).
            sqlx::query(AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                 COALESCE((SELECT MAX({col}) FROM {tbl}), 0) + 1, false)",
                col = quoted(&c.name),
                tbl = quoted(table)
            )))
            .bind(table)
            .bind(&c.name)
            .execute(&mut *tx)
            .await
            .context("resetting an identity sequence")?;
        }
        source.push(digest);
    }
    snapshot
        .rollback()
        .await
        .context("ending the read transaction")?;
    tx.commit().await.context("committing the copy")?;
    Ok(CopyReport {
        source,
        replaced: nonempty,
    })
}
