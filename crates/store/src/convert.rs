//! Conversions between stored column values and domain values, shared by both backends.

use jiff::Timestamp;
use newsdesk_article::{SourceTime, parse_zone};

use crate::error::{Result, StoreError};
use crate::model::{ChangeKind, JobState, LinkRole};

/// Stored microseconds back to an instant.
pub(crate) fn ts(micros: i64, what: &'static str) -> Result<Timestamp> {
    Timestamp::from_microsecond(micros).map_err(|e| StoreError::Corrupt {
        what,
        detail: format!("{micros} µs is not a valid instant: {e}"),
    })
}

/// Stored (instant, zone, assumed) columns back to a [`SourceTime`].
pub(crate) fn source_time(
    micros: Option<i64>,
    zone: Option<String>,
    assumed: Option<bool>,
    what: &'static str,
) -> Result<Option<SourceTime>> {
    let Some(micros) = micros else {
        return Ok(None);
    };
    Ok(Some(SourceTime {
        instant: ts(micros, what)?,
        zone: zone.unwrap_or_else(|| "UTC".to_string()),
        zone_assumed: assumed.unwrap_or(false),
    }))
}

/// Checks a zone name before it is stored.
pub(crate) fn check_zone(zone: &str) -> Result<()> {
    match parse_zone(zone) {
        Some(_) => Ok(()),
        None => Err(StoreError::Invalid {
            what: "time zone",
            detail: format!("{zone:?} is neither an IANA zone nor a ±HH:MM offset"),
        }),
    }
}

pub(crate) fn role(s: &str) -> Result<LinkRole> {
    LinkRole::parse(s).ok_or_else(|| StoreError::Corrupt {
        what: "link role",
        detail: format!("{s:?}"),
    })
}

pub(crate) fn change_kind(s: &str) -> Result<ChangeKind> {
    ChangeKind::parse(s).ok_or_else(|| StoreError::Corrupt {
        what: "change kind",
        detail: format!("{s:?}"),
    })
}

pub(crate) fn job_state(s: &str) -> Result<JobState> {
    JobState::parse(s).ok_or_else(|| StoreError::Corrupt {
        what: "job state",
        detail: format!("{s:?}"),
    })
}

pub(crate) fn article_json(s: &str) -> Result<newsdesk_article::Article> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what: "revision content",
        detail: e.to_string(),
    })
}

/// `$first, $first+1, …` placeholders for an `IN (…)` list of `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, $3), ($4, $5, $6), …`: `rows` groups of `width` placeholders for a multi-row
/// `VALUES` list.
pub(crate) fn row_placeholders(width: usize, rows: usize) -> String {
    row_placeholders_from(1, width, rows)
}

/// [`row_placeholders`] starting at `$first` (when the statement binds other values first).
pub(crate) fn row_placeholders_from(first: usize, width: usize, rows: usize) -> String {
    let mut out = String::with_capacity(rows * (width * 6 + 4));
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        out.push_str(&placeholders(first + r * width, width));
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_placeholders_number_every_parameter_once() {
        assert_eq!(row_placeholders(3, 2), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(row_placeholders(1, 1), "($1)");
        assert_eq!(row_placeholders(2, 0), "");
        assert_eq!(row_placeholders_from(4, 2, 2), "($4, $5), ($6, $7)");
    }
}
