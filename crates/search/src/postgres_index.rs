//! The scale-out [`SearchIndex`]: PostgreSQL full-text search (`tsvector` + GIN).
//!
//! # Tables
//!
//! The search crate owns two tables, created idempotently by [`PgSearchIndex::new`] in one
//! transaction holding an advisory lock (processes starting together create them once); they
//! live beside the store's tables when both use the same database, and share nothing with them
//! (the index stays derived state: `newsdesk reindex` rebuilds it from the store).
//!
//! ```sql
//! search_docs(id BIGINT PRIMARY KEY, title, body, source, source_name, instruments TEXT[],
//!             symbols TEXT, sort_at BIGINT,
//!             tsv TSVECTOR GENERATED ALWAYS AS (title 'A' || symbols 'B' || body 'B'
//!                                               || source_name 'C') STORED)
//!   GIN (tsv), GIN (instruments), btree (sort_at DESC, id DESC),
//!   btree (source, sort_at DESC, id DESC)
//! search_state(singleton, applied_seq)
//! ```
//!
//! Text search uses the `english` configuration (Snowball stemmer and stop words), like the
//! tantivy analyzer; it does not fold accents (tantivy does).
//!
//! # Queries
//!
//! The query text is parsed by [`crate::query`] like on tantivy, and each clause becomes a
//! `phraseto_tsquery('english', clause)` combined with `&&` (groups), `||` (OR-members) and
//! `!!` (exclusions). We do not hand the user's string to `websearch_to_tsquery`: its `or` binds
//! *looser* than the implicit AND (`a b or c d` is `(a & b) | (c & d)`), where our language, on
//! both backends, reads `a (b | c) d`; quoting every clause ourselves also keeps a word such as
//! `or` inside a phrase from becoming an operator. The combined `tsquery` is normalised in a
//! first round trip and then bound as a constant, so the planner can use the GIN index; a query
//! whose clauses are all stop words or punctuation (no lexemes) matches everything, as on
//! tantivy. Relevance is `ts_rank_cd` (ties: newer first, then higher id); date order is a
//! keyset over (`sort_at`, `id`). Snippets come from `ts_headline` with U+E000/U+E001 as
//! start/stop markers, turned into byte ranges (those two private-use characters are replaced
//! by spaces in stored bodies so they cannot be confused with markers). `total` is exact.
//!
//! # The applied seq and concurrent catch-ups
//!
//! [`SearchIndex::apply`] runs in one transaction under a transaction-scoped advisory lock (so
//! applies never deadlock on row locks and the state row is updated in commit order), and sets
//! `applied_seq` to exactly the batch's `seq` — like the tantivy commit payload — not
//! `GREATEST(current, seq)`. Two processes catching up at once replay overlapping ranges, and
//! applying is idempotent, but a slow process may commit documents it read *before* a faster
//! process applied newer versions of them. With `GREATEST`, its stale documents would stay under
//! a seq that claims they are current, and nothing would ever replay the newer change. Setting
//! the seq exactly moves it back in that case, and the next catch-up replays the stretch and
//! repairs the documents: `applied_seq` may move backwards, which only costs a replay, and the
//! invariant "every change up to `applied_seq` is reflected" always holds.

use std::str::FromStr;

use async_trait::async_trait;
use jiff::Timestamp;
use newsdesk_store::PgPoolSettings;
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row};

use crate::plan::{self, Plan};
use crate::query::ParsedQuery;
use crate::{
    Id, IndexDoc, Result, SearchError, SearchHit, SearchIndex, SearchPage, SearchQuery, Snippet,
    SortOrder,
};

/// Advisory lock key serialising schema creation ("nd-searc" in ASCII).
const SCHEMA_LOCK: i64 = 0x6e64_2d73_6561_7263;
/// Advisory lock key serialising `apply`/`clear` ("nd-apply").
const APPLY_LOCK: i64 = 0x6e64_2d61_7070_6c79;

/// Highlight markers for `ts_headline` (private-use characters, never in stored bodies).
const START_SEL: char = '\u{E000}';
const STOP_SEL: char = '\u{E001}';

/// Separates instrument symbols inside one text parameter of the bulk insert.
const SYMBOL_SEP: char = '\u{1F}';

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS search_docs (
        id BIGINT PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        source TEXT NOT NULL,
        source_name TEXT NOT NULL,
        instruments TEXT[] NOT NULL,
        symbols TEXT NOT NULL,
        sort_at BIGINT NOT NULL,
        tsv TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, title), 'A')
            || setweight(to_tsvector('english'::regconfig, symbols), 'B')
            || setweight(to_tsvector('english'::regconfig, body), 'B')
            || setweight(to_tsvector('english'::regconfig, source_name), 'C')
        ) STORED
    )",
    "CREATE INDEX IF NOT EXISTS search_docs_tsv ON search_docs USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS search_docs_instruments ON search_docs USING GIN (instruments)",
    "CREATE INDEX IF NOT EXISTS search_docs_sort ON search_docs (sort_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS search_docs_source_sort
        ON search_docs (source, sort_at DESC, id DESC)",
    "CREATE TABLE IF NOT EXISTS search_state (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        applied_seq BIGINT NOT NULL
    )",
    "INSERT INTO search_state (singleton, applied_seq) VALUES (TRUE, 0)
        ON CONFLICT (singleton) DO NOTHING",
];

/// The PostgreSQL [`SearchIndex`]. Cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct PgSearchIndex {
    pool: PgPool,
}

fn db(context: &str) -> impl FnOnce(sqlx::Error) -> SearchError + '_ {
    move |e| SearchError::Backend(format!("{context}: {e}"))
}

impl PgSearchIndex {
    /// Uses `pool` (e.g. the store's) and creates the search tables if they are missing.
    pub async fn new(pool: PgPool) -> Result<Self> {
        let mut tx = pool.begin().await.map_err(db("creating search tables"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEMA_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db("creating search tables"))?;
        for statement in SCHEMA {
            sqlx::query(*statement)
                .execute(&mut *tx)
                .await
                .map_err(db("creating search tables"))?;
        }
        tx.commit().await.map_err(db("creating search tables"))?;
        Ok(PgSearchIndex { pool })
    }

    /// Connects to `url` with its own pool and creates the search tables if they are missing.
    /// The URL is never logged or put in errors.
    pub async fn connect(url: &str, settings: &PgPoolSettings) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| SearchError::Backend(format!("search database URL: {e}")))?;
        Self::connect_with(options, settings).await
    }

    /// [`PgSearchIndex::connect`] with already-parsed options.
    pub async fn connect_with(
        options: PgConnectOptions,
        settings: &PgPoolSettings,
    ) -> Result<Self> {
        let options = options.application_name("newsdesk-search");
        let pool = settings
            .pool_options()
            .connect_with(options)
            .await
            .map_err(db("connecting to the search database"))?;
        Self::new(pool).await
    }

    /// The pool this index uses.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Text PostgreSQL can store: NUL is not allowed in `text`.
fn pg_text(s: &str) -> String {
    s.replace('\0', " ")
}

/// A body that cannot contain the headline markers.
fn pg_body(s: &str) -> String {
    s.replace(['\0', START_SEL, STOP_SEL], " ")
}

/// Parameters of a dynamically built statement, bound in order.
enum Param {
    Text(String),
    Int(i64),
}

/// Builds the `tsquery` expression for a parsed query, pushing one text parameter per clause.
fn tsquery_sql(parsed: &ParsedQuery, params: &mut Vec<Param>) -> String {
    let clause = |text: &str, params: &mut Vec<Param>| {
        params.push(Param::Text(pg_text(text)));
        format!("phraseto_tsquery('english', ${})", params.len())
    };
    let mut parts: Vec<String> = Vec::new();
    for group in &parsed.groups {
        let members: Vec<String> = group.iter().map(|c| clause(&c.text, params)).collect();
        if members.len() == 1 {
            parts.extend(members);
        } else {
            parts.push(format!("({})", members.join(" || ")));
        }
    }
    for c in &parsed.excluded {
        parts.push(format!("!!{}", clause(&c.text, params)));
    }
    parts.join(" && ")
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    params: &'q [Param],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    for p in params {
        q = match p {
            Param::Text(s) => q.bind(s.as_str()),
            Param::Int(i) => q.bind(*i),
        };
    }
    q
}

/// Turns `ts_headline` output into a snippet: markers removed, their positions as byte ranges.
fn headline_snippet(headline: &str) -> Snippet {
    let mut text = String::with_capacity(headline.len());
    let mut highlights = Vec::new();
    let mut open: Option<usize> = None;
    for c in headline.chars() {
        match c {
            START_SEL => open = Some(text.len()),
            STOP_SEL => {
                if let Some(start) = open.take() {
                    highlights.push((start, text.len()));
                }
            }
            c => text.push(c),
        }
    }
    let leading = text.len() - text.trim_start().len();
    let text = text.trim().to_string();
    let highlights = highlights
        .into_iter()
        .filter_map(|(s, e)| Some((s.checked_sub(leading)?, e.checked_sub(leading)?)))
        .collect();
    let highlights = plan::clean_highlights(&text, highlights);
    Snippet { text, highlights }
}

impl PgSearchIndex {
    async fn search_page(&self, plan: &Plan) -> Result<SearchPage> {
        let mut tx = self.pool.begin().await.map_err(db("searching"))?;
        // One snapshot for the count and the page; and no NOTICE for queries of stop words
        // only, whatever pool (e.g. the store's) this index was given.
        sqlx::raw_sql(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
             SET LOCAL client_min_messages = warning",
        )
        .execute(&mut *tx)
        .await
        .map_err(db("searching"))?;

        // 1. The tsquery, normalised (None: the text constrains nothing).
        let tsquery: Option<String> = if plan.parsed.is_empty() {
            None
        } else {
            let mut params = Vec::new();
            let expr = tsquery_sql(&plan.parsed, &mut params);
            let sql = format!("SELECT q::text, numnode(q) FROM (SELECT {expr} AS q) s");
            let row = bind_all(sqlx::query(AssertSqlSafe(sql)), &params)
                .fetch_one(&mut *tx)
                .await
                .map_err(db("parsing the query"))?;
            let nodes: i32 = row.try_get(1).map_err(db("parsing the query"))?;
            if nodes > 0 {
                Some(row.try_get(0).map_err(db("parsing the query"))?)
            } else {
                None
            }
        };

        // 2. Filters shared by the page and the count ($1 is the tsquery when there is one).
        let mut params: Vec<Param> = Vec::new();
        let mut conds: Vec<String> = Vec::new();
        if let Some(tsq) = &tsquery {
            params.push(Param::Text(tsq.clone()));
            conds.push("d.tsv @@ $1::tsquery".into());
        }
        if let Some(symbol) = &plan.instrument {
            params.push(Param::Text(pg_text(symbol)));
            conds.push(format!("d.instruments @> ARRAY[${}]::text[]", params.len()));
        }
        if let Some(source) = &plan.source {
            params.push(Param::Text(pg_text(source)));
            conds.push(format!("d.source = ${}", params.len()));
        }
        if let Some(from) = plan.from {
            params.push(Param::Int(from));
            conds.push(format!("d.sort_at >= ${}", params.len()));
        }
        if let Some(to) = plan.to {
            params.push(Param::Int(to));
            conds.push(format!("d.sort_at < ${}", params.len()));
        }
        let filters = if conds.is_empty() {
            "TRUE".to_string()
        } else {
            conds.join(" AND ")
        };

        let count_sql = format!("SELECT count(*) FROM search_docs d WHERE {filters}");
        let total: i64 = bind_all(sqlx::query(AssertSqlSafe(count_sql)), &params)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("counting matches"))?
            .try_get(0)
            .map_err(db("counting matches"))?;

        // 3. The page.
        let mut page_conds = filters;
        let (rank, order, limit, offset) = match plan.sort {
            SortOrder::Date => {
                if let Some((at, id)) = plan.after {
                    params.push(Param::Int(at));
                    params.push(Param::Int(id));
                    page_conds.push_str(&format!(
                        " AND (d.sort_at, d.id) < (${}, ${})",
                        params.len() - 1,
                        params.len()
                    ));
                }
                // One extra row tells whether a next page exists.
                ("0::real", "sort_at DESC, id DESC", plan.limit + 1, 0)
            }
            SortOrder::Relevance => {
                let rank = if tsquery.is_some() {
                    "ts_rank_cd(d.tsv, $1::tsquery)"
                } else {
                    "0::real"
                };
                (
                    rank,
                    "rank DESC, sort_at DESC, id DESC",
                    plan.limit,
                    plan.offset,
                )
            }
        };
        params.push(Param::Int(limit as i64));
        let limit_param = params.len();
        params.push(Param::Int(offset as i64));
        let offset_param = params.len();
        let headline = if tsquery.is_some() {
            params.push(Param::Text(format!(
                "StartSel={START_SEL}, StopSel={STOP_SEL}, MaxWords=30, MinWords=12, \
                 ShortWord=2, MaxFragments=0"
            )));
            format!(
                "ts_headline('english', body, $1::tsquery, ${})",
                params.len()
            )
        } else {
            "NULL::text".into()
        };
        let page_sql = format!(
            "SELECT id, sort_at, rank, left(body, 300) AS lead, {headline} AS headline
             FROM (SELECT d.id, d.sort_at, d.body, {rank} AS rank
                   FROM search_docs d WHERE {page_conds}
                   ORDER BY {order} LIMIT ${limit_param} OFFSET ${offset_param}) p
             ORDER BY {order}"
        );
        let rows: Vec<PgRow> = bind_all(sqlx::query(AssertSqlSafe(page_sql)), &params)
            .fetch_all(&mut *tx)
            .await
            .map_err(db("searching"))?;
        tx.commit().await.map_err(db("searching"))?;

        let mut hits = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id").map_err(db("reading hits"))?;
            let at: i64 = row.try_get("sort_at").map_err(db("reading hits"))?;
            let score: f32 = row.try_get("rank").map_err(db("reading hits"))?;
            let lead: String = row.try_get("lead").map_err(db("reading hits"))?;
            let headline: Option<String> = row.try_get("headline").map_err(db("reading hits"))?;
            let snippet = match headline.map(|h| headline_snippet(&h)) {
                Some(s) if !s.highlights.is_empty() => s,
                _ => Snippet {
                    text: plan::lead(&lead),
                    highlights: Vec::new(),
                },
            };
            hits.push(SearchHit {
                id,
                score: if plan.sort == SortOrder::Date {
                    0.0
                } else {
                    score
                },
                sort_at: Timestamp::from_microsecond(at).map_err(|e| {
                    SearchError::Backend(format!("search document {id}: bad sort_at: {e}"))
                })?,
                snippet,
            });
        }

        let total = total.max(0) as u64;
        let next_cursor = match plan.sort {
            SortOrder::Date => {
                if hits.len() > plan.limit {
                    hits.truncate(plan.limit);
                    hits.last()
                        .map(|h| Plan::date_cursor(h.sort_at.as_microsecond(), h.id))
                } else {
                    None
                }
            }
            SortOrder::Relevance => {
                let end = plan.offset + hits.len();
                if hits.len() == plan.limit && (end as u64) < total {
                    Plan::offset_cursor(end)
                } else {
                    None
                }
            }
        };
        Ok(SearchPage {
            hits,
            next_cursor,
            total,
        })
    }
}

#[async_trait]
impl SearchIndex for PgSearchIndex {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn apply(&self, docs: &[IndexDoc], deletes: &[Id], seq: i64) -> Result<()> {
        // One row per id, the batch's last version winning (as on tantivy); an upsert cannot
        // touch the same row twice in one statement.
        let mut last: std::collections::BTreeMap<Id, &IndexDoc> = Default::default();
        for d in docs {
            last.insert(d.id, d);
        }
        let ids: Vec<i64> = last.keys().copied().collect();
        let titles: Vec<String> = last.values().map(|d| pg_text(&d.title)).collect();
        let bodies: Vec<String> = last.values().map(|d| pg_body(&d.body)).collect();
        let sources: Vec<String> = last.values().map(|d| pg_text(&d.source)).collect();
        let names: Vec<String> = last.values().map(|d| pg_text(&d.source_name)).collect();
        let instruments: Vec<String> = last
            .values()
            .map(|d| {
                d.instruments
                    .iter()
                    .map(|s| pg_text(s).replace(SYMBOL_SEP, " "))
                    .collect::<Vec<_>>()
                    .join(&SYMBOL_SEP.to_string())
            })
            .collect();
        let sort_ats: Vec<i64> = last.values().map(|d| d.sort_at.as_microsecond()).collect();
        let mut deletes: Vec<i64> = deletes.to_vec();
        deletes.sort_unstable();
        deletes.dedup();

        let mut tx = self.pool.begin().await.map_err(db("applying"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPLY_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db("locking the search index"))?;
        if !deletes.is_empty() {
            sqlx::query("DELETE FROM search_docs WHERE id = ANY($1)")
                .bind(&deletes)
                .execute(&mut *tx)
                .await
                .map_err(db("deleting search documents"))?;
        }
        if !ids.is_empty() {
            sqlx::query(
                "INSERT INTO search_docs
                    (id, title, body, source, source_name, instruments, symbols, sort_at)
                 SELECT u.id, u.title, u.body, u.source, u.source_name,
                        CASE WHEN u.instruments = '' THEN '{}'::text[]
                             ELSE string_to_array(u.instruments, chr(31)) END,
                        replace(u.instruments, chr(31), ' '),
                        u.sort_at
                 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::bigint[])
                      AS u(id, title, body, source, source_name, instruments, sort_at)
                 ORDER BY u.id
                 ON CONFLICT (id) DO UPDATE SET
                    title = EXCLUDED.title, body = EXCLUDED.body, source = EXCLUDED.source,
                    source_name = EXCLUDED.source_name, instruments = EXCLUDED.instruments,
                    symbols = EXCLUDED.symbols, sort_at = EXCLUDED.sort_at",
            )
            .bind(&ids)
            .bind(&titles)
            .bind(&bodies)
            .bind(&sources)
            .bind(&names)
            .bind(&instruments)
            .bind(&sort_ats)
            .execute(&mut *tx)
            .await
            .map_err(db("writing search documents"))?;
        }
        // Exactly `seq`, not GREATEST: see the module docs.
        sqlx::query("UPDATE search_state SET applied_seq = $1")
            .bind(seq)
            .execute(&mut *tx)
            .await
            .map_err(db("recording the applied seq"))?;
        tx.commit()
            .await
            .map_err(db("committing search documents"))?;
        Ok(())
    }

    async fn applied_seq(&self) -> Result<i64> {
        sqlx::query("SELECT applied_seq FROM search_state")
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading the applied seq"))?
            .map_or(Ok(0), |row| row.try_get(0))
            .map_err(db("reading the applied seq"))
    }

    async fn clear(&self) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db("clearing"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPLY_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db("locking the search index"))?;
        // TRUNCATE: instant on any size (readers wait for the commit, which follows at once).
        sqlx::query("TRUNCATE search_docs")
            .execute(&mut *tx)
            .await
            .map_err(db("clearing search documents"))?;
        sqlx::query("UPDATE search_state SET applied_seq = 0")
            .execute(&mut *tx)
            .await
            .map_err(db("resetting the applied seq"))?;
        tx.commit().await.map_err(db("clearing"))?;
        Ok(())
    }

    async fn count(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT count(*) FROM search_docs")
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting search documents"))?
            .try_get(0)
            .map_err(db("counting search documents"))?;
        Ok(n.max(0) as u64)
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let plan = Plan::new(query)?;
        self.search_page(&plan).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_markers_become_byte_ranges() {
        let s = headline_snippet(" In «\u{E000}Zürich\u{E001}» der \u{E000}Ölpreis\u{E001}.");
        assert_eq!(s.text, "In «Zürich» der Ölpreis.");
        let words: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
        assert_eq!(words, vec!["Zürich", "Ölpreis"]);
        let s = headline_snippet("no markers");
        assert!(s.highlights.is_empty());
    }

    #[test]
    fn tsquery_sql_nests_or_groups_inside_and() {
        let mut params = Vec::new();
        let parsed = ParsedQuery::parse(r#"fed yen OR euro -"crypto winter""#);
        let sql = tsquery_sql(&parsed, &mut params);
        assert_eq!(
            sql,
            "phraseto_tsquery('english', $1) && (phraseto_tsquery('english', $2) || \
             phraseto_tsquery('english', $3)) && !!phraseto_tsquery('english', $4)"
        );
        assert_eq!(params.len(), 4);
    }
}
