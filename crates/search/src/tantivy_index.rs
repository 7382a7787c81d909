//! The embedded [`SearchIndex`]: a tantivy index in `DATA_DIR/search`.
//!
//! # Schema
//!
//! | field | kind | why |
//! |---|---|---|
//! | `id` | i64, indexed + fast + stored | delete-by-id, tie-breaks, the hit's id |
//! | `title` | text (`newsdesk_en`), positions | searched, boosted ×2 |
//! | `body` | text (`newsdesk_en`), positions, stored | searched; snippets are cut from the stored text |
//! | `source` | raw string | exact source filter |
//! | `source_name` | text (`newsdesk_en`) | searched |
//! | `instruments` | raw string, multi-valued | exact instrument filter |
//! | `symbols` | text (`newsdesk_en`) | the same symbols, searched, so `JP225` finds its stories |
//! | `sort_at` | i64 micros, indexed + fast | date order and date ranges |
//!
//! `newsdesk_en` splits on non-alphanumerics, drops tokens over 40 bytes, lowercases, folds
//! accents to ASCII, drops the 33 Lucene English stop words (positions are kept, so phrases
//! across a stop word still line up) and applies the Snowball English stemmer.
//!
//! # Several processes, one directory
//!
//! tantivy allows one `IndexWriter` per directory (a file lock). `newsdesk serve` and
//! `newsdesk add` may both index into the same data directory, so no process keeps the writer:
//! [`SearchIndex::apply`] and [`SearchIndex::clear`] take our own writer lock (retrying while
//! another process holds it, up to [`TantivyOptions::lock_timeout`]), open the index afresh (so
//! tantivy's list of its files is the last writer's; see [`Inner::writer`]), take the writer,
//! commit once with the applied `seq` as the commit payload, wait for the merges that commit
//! started, and drop both. Readers reload when
//! `meta.json` changed since their last look (one `stat` per search), so commits from other
//! processes are visible to the next search; within the process, `apply` reloads before it
//! returns.
//!
//! # Queries
//!
//! The user's text is parsed by [`crate::query`] and built into a tantivy `BooleanQuery` here
//! (never through tantivy's query parser, whose syntax errors users must not see). Each clause
//! becomes a term query (one token) or a phrase query (several) over title, body, source name
//! and symbols; groups are MUST, OR-members SHOULD, exclusions MUST_NOT; filters are
//! constant-score term and fast-field range queries under MUST. Collection is done by two small
//! collectors over fast fields: (score, `sort_at`, `id`) for relevance and (`sort_at`, `id`) for
//! date order, both counting every match; only the returned hits load their stored body, for
//! the snippet.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use jiff::Timestamp;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::directory::error::LockError;
use tantivy::directory::{DirectoryLock, Lock, MmapDirectory};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyScorer, EnableScoring, Explanation,
    Occur, PhraseQuery, Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Score,
    Searcher, SegmentOrdinal, SegmentReader, TERMINATED, TantivyDocument, TantivyError, Term,
};

use crate::plan::{self, Plan};
use crate::query::Clause;
use crate::{
    Id, IndexDoc, Result, SearchError, SearchHit, SearchIndex, SearchPage, SearchQuery, Snippet,
    SortOrder,
};

/// Name of our text analyzer in the index's tokenizer manager (part of the schema).
const ANALYZER: &str = "newsdesk_en";

/// The Lucene English stop words (what tantivy's `StopWordFilter::new(English)` uses).
const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Most tokens one clause contributes (a longer phrase is cut).
const MAX_CLAUSE_TOKENS: usize = 32;

/// Title matches count this much more than body matches.
const TITLE_BOOST: Score = 2.0;

/// Serialises index creation between processes opening a fresh directory together.
const CREATE_LOCK: &str = ".newsdesk-create.lock";

/// Held (across processes) by whoever writes, from before its `Index` is opened until its
/// writer is dropped (see [`Inner::writer`]).
const WRITE_LOCK: &str = ".newsdesk-writer.lock";

/// Settings of a [`TantivyIndex`]. Every setting has a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TantivyOptions {
    /// Memory the writer may buffer before flushing a segment (default 50 MB; `apply` batches are
    /// small, so this is rarely reached).
    pub writer_memory_bytes: usize,
    /// Indexing threads of the writer (default 1).
    pub writer_threads: usize,
    /// How long `apply`/`clear` wait for another process's writer before failing (default 30 s).
    pub lock_timeout: Duration,
}

impl Default for TantivyOptions {
    fn default() -> Self {
        TantivyOptions {
            writer_memory_bytes: 50_000_000,
            writer_threads: 1,
            lock_timeout: Duration::from_secs(30),
        }
    }
}

/// The tantivy [`SearchIndex`]. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct TantivyIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    body: Field,
    source: Field,
    source_name: Field,
    instruments: Field,
    symbols: Field,
    sort_at: Field,
}

struct Inner {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    analyzer: TextAnalyzer,
    options: TantivyOptions,
    /// `meta.json` as last loaded by `reader` (see [`Inner::searcher`]).
    loaded: Mutex<Option<MetaStamp>>,
    /// Serialises this process's writers, so they queue here instead of polling the file lock.
    writing: Mutex<()>,
}

/// Identity of one version of `meta.json`: tantivy replaces the file atomically (write + rename)
/// on every commit, so its inode, size or mtime changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MetaStamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

fn meta_stamp(dir: &Path) -> Option<MetaStamp> {
    let md = std::fs::metadata(dir.join("meta.json")).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&md);
    #[cfg(not(unix))]
    let inode = 0;
    Some(MetaStamp {
        len: md.len(),
        modified: md.modified().ok(),
        inode,
    })
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these guards leaves no broken state behind: carry on.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| (*w).to_string()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let raw = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone().set_stored()),
        source: b.add_text_field("source", raw.clone()),
        source_name: b.add_text_field("source_name", text.clone()),
        instruments: b.add_text_field("instruments", raw),
        symbols: b.add_text_field("symbols", text),
        sort_at: b.add_i64_field("sort_at", INDEXED | FAST),
    };
    (b.build(), fields)
}

fn unreadable(dir: &Path, e: impl std::fmt::Display) -> SearchError {
    SearchError::Backend(format!(
        "the search index in {} is unreadable ({e}); rebuild it with `newsdesk reindex`",
        dir.display()
    ))
}

fn failed(what: &str, dir: &Path, e: impl std::fmt::Display) -> SearchError {
    SearchError::Backend(format!("{what} the search index in {}: {e}", dir.display()))
}

impl TantivyIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if there is none.
    /// An unreadable index, or one written with a different schema, is
    /// [`SearchError::Backend`] naming `newsdesk reindex` (see [`TantivyIndex::recreate`]).
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with(dir, TantivyOptions::default())
    }

    /// [`TantivyIndex::open`] with explicit settings.
    pub fn open_with(dir: &Path, options: TantivyOptions) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| failed("creating", dir, e))?;
        let (schema, fields) = schema();
        let directory = MmapDirectory::open(dir).map_err(|e| unreadable(dir, e))?;
        let index = {
            // Two processes opening a fresh directory at once must not both create it.
            let _creating = tantivy::Directory::acquire_lock(
                &directory,
                &Lock {
                    filepath: PathBuf::from(CREATE_LOCK),
                    is_blocking: true,
                },
            )
            .map_err(|e| failed("locking", dir, e))?;
            if Index::exists(&directory).map_err(|e| unreadable(dir, e))? {
                let index = Index::open(directory).map_err(|e| unreadable(dir, e))?;
                if index.schema() != schema {
                    return Err(unreadable(
                        dir,
                        "it was written by another version of newsdesk (schema differs)",
                    ));
                }
                index
            } else {
                Index::create(directory, schema, IndexSettings::default())
                    .map_err(|e| failed("creating", dir, e))?
            }
        };
        let analyzer = analyzer();
        index.tokenizers().register(ANALYZER, analyzer.clone());
        let stamp = meta_stamp(dir);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| unreadable(dir, e))?;
        Ok(TantivyIndex {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                index,
                reader,
                fields,
                analyzer,
                options,
                loaded: Mutex::new(stamp),
                writing: Mutex::new(()),
            }),
        })
    }

    /// Deletes whatever is in `dir` and creates an empty index there: for `newsdesk reindex` when
    /// [`TantivyIndex::open`] reports an unreadable index. Other processes must not use the
    /// directory meanwhile.
    pub fn recreate(dir: &Path) -> Result<Self> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| failed("removing", dir, e))?;
        }
        Self::open(dir)
    }

    /// The directory this index lives in.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    async fn blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(|e| SearchError::Backend(format!("search task failed: {e}")))?
    }
}

impl Inner {
    /// A searcher on the latest commit of any process.
    fn searcher(&self) -> Result<Searcher> {
        let now = meta_stamp(&self.dir);
        let mut loaded = lock(&self.loaded);
        if *loaded != now {
            // Stat before reloading: a commit landing in between is picked up next time.
            self.reader.reload().map_err(|e| unreadable(&self.dir, e))?;
            *loaded = now;
        }
        Ok(self.reader.searcher())
    }

    /// Takes the writer, waiting (up to the lock timeout) for another process to drop its own.
    ///
    /// The writer belongs to a freshly opened `Index`, under our own cross-process lock: tantivy
    /// lists the files it created in `managed.json`, read once when an `Index` is opened, and
    /// garbage-collects only the files on its list. A writer working from a list read before
    /// another process last wrote would forget that process's files (and rewrite the list
    /// without them), so segments merged away later would stay on disk for good. Opening the
    /// index after taking the lock means each writer starts from the last writer's list.
    fn writer(&self) -> Result<(DirectoryLock, IndexWriter<TantivyDocument>)> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match self.try_writer()? {
                Some(writer) => return Ok(writer),
                None if started.elapsed() < self.options.lock_timeout => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(250));
                }
                None => {
                    return Err(SearchError::Backend(format!(
                        "the search index in {} has been locked by another writer for over {} s \
                         (another newsdesk process indexing?); try again later",
                        self.dir.display(),
                        self.options.lock_timeout.as_secs()
                    )));
                }
            }
        }
    }

    /// One attempt at [`Inner::writer`]; `None` when another writer holds a lock.
    fn try_writer(&self) -> Result<Option<(DirectoryLock, IndexWriter<TantivyDocument>)>> {
        let directory = MmapDirectory::open(&self.dir).map_err(|e| unreadable(&self.dir, e))?;
        let lock = match tantivy::Directory::acquire_lock(
            &directory,
            &Lock {
                filepath: PathBuf::from(WRITE_LOCK),
                is_blocking: false,
            },
        ) {
            Ok(lock) => lock,
            Err(LockError::LockBusy) => return Ok(None),
            Err(e) => return Err(failed("locking", &self.dir, e)),
        };
        let index = Index::open(directory).map_err(|e| unreadable(&self.dir, e))?;
        index.tokenizers().register(ANALYZER, self.analyzer.clone());
        match index.writer_with_num_threads(
            self.options.writer_threads.max(1),
            self.options.writer_memory_bytes,
        ) {
            Ok(writer) => Ok(Some((lock, writer))),
            // Someone holding tantivy's own lock without ours (another tool): wait as well.
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => Ok(None),
            Err(e) => Err(failed("opening a writer on", &self.dir, e)),
        }
    }

    /// Commits with `seq` as payload, lets the merges that commit started finish, releases the
    /// writer and reloads this process's reader.
    fn commit(&self, mut writer: IndexWriter<TantivyDocument>, seq: i64) -> Result<()> {
        let mut prepared = writer
            .prepare_commit()
            .map_err(|e| failed("committing to", &self.dir, e))?;
        prepared.set_payload(&seq.to_string());
        prepared
            .commit()
            .map_err(|e| failed("committing to", &self.dir, e))?;
        writer
            .wait_merging_threads()
            .map_err(|e| failed("merging segments of", &self.dir, e))?;
        let now = meta_stamp(&self.dir);
        let mut loaded = lock(&self.loaded);
        self.reader.reload().map_err(|e| unreadable(&self.dir, e))?;
        *loaded = now;
        Ok(())
    }

    fn apply(&self, docs: &[IndexDoc], deletes: &[Id], seq: i64) -> Result<()> {
        let _writing = lock(&self.writing);
        let (_locked, writer) = self.writer()?;
        let f = self.fields;
        for &id in deletes {
            writer.delete_term(Term::from_field_i64(f.id, id));
        }
        // Delete then add, per document: a delete only hits documents added before it, so a
        // batch naming one id twice keeps the last version.
        for doc in docs {
            writer.delete_term(Term::from_field_i64(f.id, doc.id));
            writer
                .add_document(self.to_document(doc))
                .map_err(|e| failed("adding to", &self.dir, e))?;
        }
        self.commit(writer, seq)
    }

    fn clear(&self) -> Result<()> {
        let _writing = lock(&self.writing);
        let (_locked, writer) = self.writer()?;
        writer
            .delete_all_documents()
            .map_err(|e| failed("clearing", &self.dir, e))?;
        self.commit(writer, 0)
    }

    fn applied_seq(&self) -> Result<i64> {
        let metas = self
            .index
            .load_metas()
            .map_err(|e| unreadable(&self.dir, e))?;
        match metas.payload.as_deref() {
            None | Some("") => Ok(0),
            Some(p) => p.trim().parse::<i64>().map_err(|_| {
                unreadable(
                    &self.dir,
                    format!("commit payload {p:?} is not a change-log seq"),
                )
            }),
        }
    }

    fn to_document(&self, doc: &IndexDoc) -> TantivyDocument {
        let f = self.fields;
        let mut d = TantivyDocument::new();
        d.add_i64(f.id, doc.id);
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, &doc.body);
        d.add_text(f.source, &doc.source);
        d.add_text(f.source_name, &doc.source_name);
        for symbol in &doc.instruments {
            d.add_text(f.instruments, symbol);
        }
        d.add_text(f.symbols, doc.instruments.join(" "));
        d.add_i64(f.sort_at, doc.sort_at.as_microsecond());
        d
    }

    /// Tokens of `text` as the index analysed them, with positions relative to the first.
    fn analyse(&self, text: &str) -> Vec<(usize, String)> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out: Vec<(usize, String)> = Vec::new();
        while stream.advance() && out.len() < MAX_CLAUSE_TOKENS {
            let token = stream.token();
            out.push((token.position, token.text.clone()));
        }
        if let Some(first) = out.first().map(|t| t.0) {
            for t in &mut out {
                t.0 -= first;
            }
        }
        out
    }

    /// One clause over the searched fields; `None` when its text has no tokens.
    fn clause_query(&self, clause: &Clause) -> Option<Box<dyn Query>> {
        let tokens = self.analyse(&clause.text);
        if tokens.is_empty() {
            return None;
        }
        let f = self.fields;
        let per_field: Vec<(Occur, Box<dyn Query>)> = [
            (f.title, TITLE_BOOST),
            (f.body, 1.0),
            (f.source_name, 1.0),
            (f.symbols, 1.0),
        ]
        .into_iter()
        .map(|(field, boost)| {
            let q: Box<dyn Query> = if let [(_, token)] = tokens.as_slice() {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, token),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(Guarded(PhraseQuery::new_with_offset(
                    tokens
                        .iter()
                        .map(|(pos, token)| (*pos, Term::from_field_text(field, token)))
                        .collect(),
                )))
            };
            let q: Box<dyn Query> = if boost == 1.0 {
                q
            } else {
                Box::new(BoostQuery::new(q, boost))
            };
            (Occur::Should, q)
        })
        .collect();
        Some(Box::new(BooleanQuery::new(per_field)))
    }

    fn build_query(&self, plan: &Plan) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &plan.parsed.groups {
            let members: Vec<Box<dyn Query>> = group
                .iter()
                .filter_map(|clause| self.clause_query(clause))
                .collect();
            match members.len() {
                0 => {}
                1 => clauses.extend(members.into_iter().map(|q| (Occur::Must, q))),
                _ => clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(
                        members.into_iter().map(|q| (Occur::Should, q)).collect(),
                    )),
                )),
            }
        }
        let filter = |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
        };
        if let Some(symbol) = &plan.instrument {
            clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_text(f.instruments, symbol),
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(source) = &plan.source {
            clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_text(f.source, source),
                IndexRecordOption::Basic,
            ))));
        }
        if plan.from.is_some() || plan.to.is_some() {
            let lower = plan.from.map_or(Bound::Unbounded, |v| {
                Bound::Included(Term::from_field_i64(f.sort_at, v))
            });
            let upper = plan.to.map_or(Bound::Unbounded, |v| {
                Bound::Excluded(Term::from_field_i64(f.sort_at, v))
            });
            clauses.push(filter(Box::new(RangeQuery::new(lower, upper))));
        }
        let excluded: Vec<Box<dyn Query>> = plan
            .parsed
            .excluded
            .iter()
            .filter_map(|clause| self.clause_query(clause))
            .collect();
        if clauses.is_empty() {
            if excluded.is_empty() {
                return Box::new(AllQuery);
            }
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        clauses.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
        Box::new(BooleanQuery::new(clauses))
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let plan = Plan::new(query)?;
        let searcher = self.searcher()?;
        let tq = self.build_query(&plan);
        let err = |e: TantivyError| failed("searching", &self.dir, e);
        // (score, sort_at, id, address) of the page's hits, the total, and the next cursor.
        let (hits, total, next_cursor) = match plan.sort {
            SortOrder::Date => {
                let collector = DateTop {
                    k: plan.limit,
                    after: plan.after,
                };
                let top = searcher.search(&*tq, &collector).map_err(err)?;
                let next = match top.hits.last() {
                    Some(last) if top.after_cursor > top.hits.len() as u64 => {
                        Some(Plan::date_cursor(last.0, last.1))
                    }
                    _ => None,
                };
                let hits: Vec<(Score, i64, i64, DocAddress)> = top
                    .hits
                    .into_iter()
                    .map(|(at, id, addr)| (0.0, at, id, addr))
                    .collect();
                (hits, top.total, next)
            }
            SortOrder::Relevance => {
                let collector = RelevanceTop {
                    k: plan.offset + plan.limit,
                };
                let top = searcher.search(&*tq, &collector).map_err(err)?;
                let hits: Vec<(Score, i64, i64, DocAddress)> = top
                    .hits
                    .into_iter()
                    .skip(plan.offset)
                    .map(|(key, addr)| (key.score, key.sort_at, key.id, addr))
                    .collect();
                let end = plan.offset + hits.len();
                let next = if hits.len() == plan.limit && (end as u64) < top.total {
                    Plan::offset_cursor(end)
                } else {
                    None
                };
                (hits, top.total, next)
            }
        };
        let snippets = self.snippet_generator(&searcher, &plan);
        let mut out = Vec::with_capacity(hits.len());
        for (score, at, id, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let body = doc
                .get_first(self.fields.body)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            out.push(SearchHit {
                id,
                score,
                sort_at: Timestamp::from_microsecond(at)
                    .map_err(|e| unreadable(&self.dir, format!("document {id}: {e}")))?,
                snippet: snippet(snippets.as_ref(), body),
            });
        }
        Ok(SearchPage {
            hits: out,
            next_cursor,
            total,
        })
    }

    /// A snippet generator for the query's included terms, `None` when none occurs in a body.
    fn snippet_generator(&self, searcher: &Searcher, plan: &Plan) -> Option<SnippetGenerator> {
        let mut terms: BTreeMap<String, Score> = BTreeMap::new();
        for clause in plan.parsed.positive_clauses() {
            for (_, token) in self.analyse(&clause.text) {
                let term = Term::from_field_text(self.fields.body, &token);
                let df = searcher.doc_freq(&term).unwrap_or(0);
                if df > 0 {
                    // Rarer terms make better snippets.
                    terms.insert(token, 1.0 / (1.0 + df as Score));
                }
            }
        }
        (!terms.is_empty()).then(|| {
            SnippetGenerator::new(
                terms,
                self.analyzer.clone(),
                self.fields.body,
                plan::SNIPPET_BYTES,
            )
        })
    }
}

fn snippet(generator: Option<&SnippetGenerator>, body: &str) -> Snippet {
    if let Some(generator) = generator {
        let s = generator.snippet(body);
        if !s.highlighted().is_empty() {
            let text = s.fragment().to_string();
            let ranges = s.highlighted().iter().map(|r| (r.start, r.end)).collect();
            let highlights = plan::clean_highlights(&text, ranges);
            return Snippet { text, highlights };
        }
    }
    Snippet {
        text: plan::lead(body),
        highlights: Vec::new(),
    }
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    fn backend(&self) -> &'static str {
        "tantivy"
    }

    async fn apply(&self, docs: &[IndexDoc], deletes: &[Id], seq: i64) -> Result<()> {
        let (docs, deletes) = (docs.to_vec(), deletes.to_vec());
        self.blocking(move |inner| inner.apply(&docs, &deletes, seq))
            .await
    }

    async fn applied_seq(&self) -> Result<i64> {
        self.blocking(|inner| inner.applied_seq()).await
    }

    async fn clear(&self) -> Result<()> {
        self.blocking(|inner| inner.clear()).await
    }

    async fn count(&self) -> Result<u64> {
        self.blocking(|inner| Ok(inner.searcher()?.num_docs()))
            .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let query = query.clone();
        self.blocking(move |inner| inner.search(&query)).await
    }
}

// ---------------------------------------------------------------------------------------------
// Collectors over fast fields.

fn fast_i64(segment: &SegmentReader, name: &str) -> tantivy::Result<Arc<dyn ColumnValues<i64>>> {
    segment.fast_fields().column_first_or_default::<i64>(name)
}

/// Top `k` documents by (`sort_at` desc, `id` desc), only those strictly after `after`.
struct DateTop {
    k: usize,
    after: Option<(i64, i64)>,
}

struct DateFruit {
    /// (sort_at, id, address), best first.
    hits: Vec<(i64, i64, DocAddress)>,
    /// All matches.
    total: u64,
    /// Matches after the cursor (all matches without one).
    after_cursor: u64,
}

struct DateSegment {
    segment: SegmentOrdinal,
    sort_at: Arc<dyn ColumnValues<i64>>,
    ids: Arc<dyn ColumnValues<i64>>,
    k: usize,
    after: Option<(i64, i64)>,
    heap: BinaryHeap<Reverse<(i64, i64, DocId)>>,
    total: u64,
    after_cursor: u64,
}

impl Collector for DateTop {
    type Fruit = DateFruit;
    type Child = DateSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DateSegment> {
        Ok(DateSegment {
            segment,
            sort_at: fast_i64(reader, "sort_at")?,
            ids: fast_i64(reader, "id")?,
            k: self.k,
            after: self.after,
            heap: BinaryHeap::with_capacity(self.k + 1),
            total: 0,
            after_cursor: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(i64, i64, DocAddress)>, u64, u64)>,
    ) -> tantivy::Result<DateFruit> {
        let mut hits = Vec::new();
        let (mut total, mut after_cursor) = (0, 0);
        for (h, t, a) in fruits {
            hits.extend(h);
            total += t;
            after_cursor += a;
        }
        hits.sort_unstable_by_key(|h| Reverse((h.0, h.1)));
        hits.truncate(self.k);
        Ok(DateFruit {
            hits,
            total,
            after_cursor,
        })
    }
}

impl SegmentCollector for DateSegment {
    type Fruit = (Vec<(i64, i64, DocAddress)>, u64, u64);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        let at = self.sort_at.get_val(doc);
        let mut id = None;
        if let Some((a_at, a_id)) = self.after {
            if at > a_at {
                return;
            }
            if at == a_at {
                let i = self.ids.get_val(doc);
                if i >= a_id {
                    return;
                }
                id = Some(i);
            }
        }
        self.after_cursor += 1;
        if self.heap.len() >= self.k {
            match self.heap.peek() {
                Some(Reverse((min_at, _, _))) if at < *min_at => return,
                _ => {}
            }
        }
        let id = id.unwrap_or_else(|| self.ids.get_val(doc));
        if self.heap.len() < self.k {
            self.heap.push(Reverse((at, id, doc)));
        } else if let Some(mut min) = self.heap.peek_mut()
            && (at, id) > (min.0.0, min.0.1)
        {
            *min = Reverse((at, id, doc));
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        let hits = self
            .heap
            .into_iter()
            .map(|Reverse((at, id, doc))| (at, id, DocAddress::new(segment, doc)))
            .collect();
        (hits, self.total, self.after_cursor)
    }
}

/// Rank key of relevance order: score desc, then newer, then higher id.
#[derive(Debug, Clone, Copy)]
struct RankKey {
    score: Score,
    sort_at: i64,
    id: i64,
}

impl PartialEq for RankKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RankKey {}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.sort_at.cmp(&other.sort_at))
            .then(self.id.cmp(&other.id))
    }
}

/// Top `k` documents by [`RankKey`].
struct RelevanceTop {
    k: usize,
}

struct RelevanceFruit {
    hits: Vec<(RankKey, DocAddress)>,
    total: u64,
}

struct RelevanceSegment {
    segment: SegmentOrdinal,
    sort_at: Arc<dyn ColumnValues<i64>>,
    ids: Arc<dyn ColumnValues<i64>>,
    k: usize,
    heap: BinaryHeap<Reverse<(RankKey, DocId)>>,
    total: u64,
}

impl Collector for RelevanceTop {
    type Fruit = RelevanceFruit;
    type Child = RelevanceSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<RelevanceSegment> {
        Ok(RelevanceSegment {
            segment,
            sort_at: fast_i64(reader, "sort_at")?,
            ids: fast_i64(reader, "id")?,
            k: self.k,
            heap: BinaryHeap::with_capacity(self.k + 1),
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(RankKey, DocAddress)>, u64)>,
    ) -> tantivy::Result<RelevanceFruit> {
        let mut hits = Vec::new();
        let mut total = 0;
        for (h, t) in fruits {
            hits.extend(h);
            total += t;
        }
        hits.sort_unstable_by_key(|h| Reverse(h.0));
        hits.truncate(self.k);
        Ok(RelevanceFruit { hits, total })
    }
}

impl SegmentCollector for RelevanceSegment {
    type Fruit = (Vec<(RankKey, DocAddress)>, u64);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        if self.heap.len() >= self.k {
            match self.heap.peek() {
                Some(Reverse((min, _))) if score < min.score => return,
                _ => {}
            }
        }
        let key = RankKey {
            score,
            sort_at: self.sort_at.get_val(doc),
            id: self.ids.get_val(doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(Reverse((key, doc)));
        } else if let Some(mut min) = self.heap.peek_mut()
            && key > min.0.0
        {
            *min = Reverse((key, doc));
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        let hits = self
            .heap
            .into_iter()
            .map(|Reverse((key, doc))| (key, DocAddress::new(segment, doc)))
            .collect();
        (hits, self.total)
    }
}

// ---------------------------------------------------------------------------------------------
// A guard around phrase queries.

/// A phrase query whose scorer never has `seek_danger` called below its current document.
///
/// tantivy 0.27's phrase scorer asserts (in debug builds) that `seek_danger` targets are not
/// behind it, but an exclusion (`-"a phrase"`) probes its freshly created scorer with the first
/// candidate document, which can be. Release builds answer correctly either way; this wrapper
/// routes `seek_danger` through the default implementation (which seeks only forward), so debug
/// builds and tests do not panic either. Costs one indirection per phrase-scorer call.
#[derive(Debug, Clone)]
struct Guarded(PhraseQuery);

impl Query for Guarded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardedWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct GuardedWeight(Box<dyn Weight>);

impl Weight for GuardedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.0.scorer(reader, boost)?;
        if inner.doc() == TERMINATED {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(GuardedScorer(inner)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct GuardedScorer(Box<dyn Scorer>);

impl DocSet for GuardedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.0.doc() >= target {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for GuardedScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
