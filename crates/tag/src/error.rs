//! Errors of the tagging crate: loading or importing knowledge, reading tag input.

use thiserror::Error;

/// Why knowledge could not be loaded or imported.
#[derive(Debug, Error)]
pub enum KbError {
    /// A bundled data file is malformed (a build defect, caught by the crate's tests).
    #[error("bundled knowledge file {file}, line {line}: malformed row")]
    Bundled {
        /// File name under `crates/tag/data/`.
        file: &'static str,
        /// 1-based line.
        line: usize,
    },
    /// Import bytes are not UTF-8.
    #[error("import file is not UTF-8")]
    NotUtf8,
    /// Import JSON could not be parsed.
    #[error("import JSON: {0}")]
    Json(String),
    /// Import CSV could not be parsed.
    #[error("import CSV: {0}")]
    Csv(String),
    /// One import record is invalid.
    #[error("import record {record}: {reason}")]
    Record {
        /// 1-based record number (data rows, header excluded).
        record: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Why a `newsdesk tag` run stopped.
#[derive(Debug, Error)]
pub enum TagError {
    /// Reading input or writing output failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// Writing a JSON line failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}
