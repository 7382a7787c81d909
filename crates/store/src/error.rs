//! The storage error type: one documented enum for both backends, with the step that failed.

use std::path::PathBuf;

/// Everything a [`Store`](crate::Store) operation can fail with.
///
/// Database errors carry a short description of the step that failed (`"inserting a revision"`),
/// so a log line says what was being done, not only what the driver reported. Connection URLs
/// are never included: they may carry passwords.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory could not be created or read.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory we tried to use.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// Connecting to the database (or opening the SQLite file) failed.
    #[error("connecting to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// Applying the schema migrations failed; nothing is served on a half-migrated schema.
    #[error("migrating the database schema: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("{context}: {source}")]
    Database {
        /// The step that failed, e.g. `"inserting a revision"`.
        context: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The referenced row does not exist (or, for articles, was removed).
    #[error("{what} {id} not found")]
    NotFound {
        /// What kind of row: `"article"`, `"source"`, `"job"`.
        what: &'static str,
        /// The id that was looked up.
        id: i64,
    },
    /// An argument was rejected before touching the database.
    #[error("invalid {what}: {detail}")]
    Invalid {
        /// Which argument: `"time zone"`, `"cursor"`, `"article"`.
        what: &'static str,
        /// Why it was rejected.
        detail: String,
    },
    /// The job's lease is no longer held by this claim: it expired and another worker took the
    /// job over, or the job was already completed or failed. The caller must drop its result.
    #[error("job {job_id}: lease for attempt {attempt} is no longer held")]
    LeaseLost {
        /// The job.
        job_id: i64,
        /// The attempt the caller's lease was for.
        attempt: i64,
    },
    /// Concurrent writers kept changing the same row; the operation gave up after retrying.
    #[error("{0}: too many concurrent changes, gave up")]
    Contended(&'static str),
    /// A stored value could not be read back (bad JSON, impossible timestamp).
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
}

/// Shorthand for results of storage operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Adds the failing step to a driver error.
pub(crate) trait Context<T> {
    /// Wraps the error as [`StoreError::Database`] with `context`.
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| StoreError::Database { context, source })
    }
}
