//! [`PriceError`]: why a price file was refused, naming the file, the line and the field.

use std::fmt;

/// A price file that could not be read. Display gives one line:
/// `prices.csv:12: Close: "12,5" is not a price (not a decimal number)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct PriceError {
    /// The file name given in [`crate::ParseOptions::file_name`].
    pub file: String,
    /// 1-based line number; 0 when the problem is the file as a whole.
    pub line: usize,
    /// The field (column name as written in the file, or JSON key), when one is to blame.
    pub field: Option<String>,
    /// What is wrong.
    pub kind: PriceErrorKind,
}

/// What is wrong with a price file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PriceErrorKind {
    /// No rows at all.
    Empty,
    /// Bytes that are not UTF-8 where text was needed (header, symbol).
    NotUtf8,
    /// A quoted field that never closes on its line.
    UnterminatedQuote,
    /// The header names no date column (`Date`, `Timestamp`, `Datetime`, `Time`).
    NoDateColumn,
    /// The header names no close column (`Close`, `Price`, `Last`) and is not a wide
    /// `Date,<symbol>,<symbol>…` file either.
    NoCloseColumn,
    /// A header-less file whose rows are not `date,close`.
    HeaderlessLayout {
        /// Fields found in the first row.
        fields: usize,
    },
    /// The row has no value for a required field.
    Missing,
    /// A date or time that no supported format reads.
    BadDate {
        /// The text, cut to 40 characters.
        value: String,
    },
    /// A date-time without zone or offset, and no zone given for the file.
    NaiveTime {
        /// The text, cut to 40 characters.
        value: String,
    },
    /// A value that is not an exact price.
    BadPrice {
        /// The text, cut to 40 characters.
        value: String,
        /// Why.
        reason: crate::PriceParseError,
    },
    /// A volume that is not a non-negative whole number.
    BadVolume {
        /// The text, cut to 40 characters.
        value: String,
    },
    /// An empty symbol in a symbol column.
    EmptySymbol,
    /// The same date (or instant) twice for one symbol with different values.
    Conflict {
        /// The symbol, if the file has one.
        symbol: Option<String>,
        /// The date or instant, as text.
        when: String,
        /// The line of the other row.
        other_line: usize,
    },
    /// JSON that is not an array of objects or an object of arrays, or not JSON at all.
    Json {
        /// serde_json's message or ours.
        message: String,
    },
}

impl PriceError {
    fn render(&self) -> String {
        let mut s = self.file.clone();
        if self.line > 0 {
            s.push_str(&format!(":{}", self.line));
        }
        s.push_str(": ");
        if let Some(f) = &self.field {
            s.push_str(f);
            s.push_str(": ");
        }
        s.push_str(&self.kind.to_string());
        s
    }
}

impl fmt::Display for PriceErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PriceErrorKind::*;
        match self {
            Empty => write!(f, "no price rows"),
            NotUtf8 => write!(f, "text is not UTF-8"),
            UnterminatedQuote => write!(f, "quoted field is not closed on this line"),
            NoDateColumn => write!(
                f,
                "no date column in the header (expected Date, Timestamp, Datetime or Time)"
            ),
            NoCloseColumn => write!(
                f,
                "no close column in the header (expected Close, Price or Last, or Date followed by one column per symbol)"
            ),
            HeaderlessLayout { fields } => write!(
                f,
                "no header, and rows have {fields} fields: without a header only date,close is understood"
            ),
            Missing => write!(f, "missing value"),
            BadDate { value } => write!(
                f,
                "{value:?} is not a date (YYYY-MM-DD, YYYYMMDD, M/D/YYYY, D.M.YYYY, with optional time and offset, or Unix seconds)"
            ),
            NaiveTime { value } => write!(
                f,
                "{value:?} has a time but no zone or offset, and no time zone was given for the file"
            ),
            BadPrice { value, reason } => write!(f, "{value:?} is not a price ({reason})"),
            BadVolume { value } => write!(f, "{value:?} is not a volume (a whole number)"),
            EmptySymbol => write!(f, "empty symbol"),
            Conflict {
                symbol,
                when,
                other_line,
            } => {
                write!(f, "{when}")?;
                if let Some(s) = symbol {
                    write!(f, " for {s}")?;
                }
                write!(
                    f,
                    " appears again with different values (first on line {other_line})"
                )
            }
            Json { message } => write!(f, "not a price JSON document: {message}"),
        }
    }
}

/// Text of a value for an error message: lossy UTF-8, at most 40 characters.
pub(crate) fn shown(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    } else {
        s.into_owned()
    }
}
