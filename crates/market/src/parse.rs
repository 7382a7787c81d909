//! Reading price files: CSV layouts detected by their header, and JSON.
//!
//! See the crate README for the accepted layouts. The CSV reader is hand-rolled (one pass over
//! the bytes, fields split in place, prices and dates parsed from bytes without allocating) so
//! that importing ten million bars is bounded by storage, not by parsing.

use std::borrow::Cow;
use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use serde_json::value::RawValue;

use crate::error::{PriceError, PriceErrorKind, shown};
use crate::{Bar, IntradayBar, Price};

/// How to read `M/D/YYYY`-style dates (dates with `/` and the year last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// `05/09/2023` is 9 May (US exports; the default).
    #[default]
    MonthFirst,
    /// `05/09/2023` is 5 September.
    DayFirst,
}

/// Options for [`parse_prices`].
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The file's name, used in error messages only.
    pub file_name: String,
    /// The symbol of rows that have none (a file without a symbol column, e.g. `aapl.us.txt`).
    /// `None` leaves [`Series::symbol`] empty for the caller to fill.
    pub default_symbol: Option<String>,
    /// How to read slashed dates with the year last.
    pub date_order: DateOrder,
    /// Zone of date-times written without offset. Without it such a time is an error (a
    /// midnight time is always read as a plain date, see [`parse_prices`]).
    pub time_zone: Option<TimeZone>,
}

impl ParseOptions {
    /// Options with a file name and defaults for the rest.
    pub fn new(file_name: impl Into<String>) -> ParseOptions {
        ParseOptions {
            file_name: file_name.into(),
            ..ParseOptions::default()
        }
    }

    /// Sets the default symbol.
    pub fn with_symbol(mut self, symbol: impl Into<String>) -> ParseOptions {
        self.default_symbol = Some(symbol.into());
        self
    }
}

/// The layout a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// A header with a date column and named price columns (OHLCV, `date,close`, with or
    /// without a symbol column).
    Columns,
    /// No header: `date,close` rows.
    Headerless,
    /// `Date,<symbol>,<symbol>…`: one close column per symbol (the qrmdata files).
    Wide,
    /// A JSON array of objects, or an object mapping symbols to arrays.
    Json,
}

/// The prices of one symbol in a file, sorted by date (and instant), one bar per date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The symbol as written in the file (or the default symbol).
    pub symbol: Option<String>,
    /// Daily bars, ascending by date.
    pub daily: Vec<Bar>,
    /// Intraday bars, ascending by instant.
    pub intraday: Vec<IntradayBar>,
}

/// What [`parse_prices`] read.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPrices {
    /// The layout detected.
    pub layout: Layout,
    /// One series per symbol, in order of first appearance.
    pub series: Vec<Series>,
    /// Data rows read (header and blank lines excluded).
    pub rows: usize,
    /// Values skipped because the close was a null marker (`""`, `null`, `NA`, `N/A`, `.`,
    /// `-`, `NaN`, `None`), e.g. Yahoo's all-null holiday rows or a wide file's empty cells.
    pub skipped_nulls: usize,
    /// Rows identical to an earlier row for the same symbol and date, dropped.
    pub duplicates: usize,
}

impl ParsedPrices {
    /// Total number of bars (daily and intraday) over all series.
    pub fn bar_count(&self) -> usize {
        self.series
            .iter()
            .map(|s| s.daily.len() + s.intraday.len())
            .sum()
    }
}

/// Reads a price file (CSV or JSON, detected from the first non-blank byte).
///
/// CSV: the delimiter (`,`, `;` or tab) is the one most used in the first line; fields may
/// be double-quoted. Column names are matched case-insensitively ignoring spaces and
/// punctuation: date = `Date`/`Timestamp`/`Datetime`/`Time`/`Day`; `Open`, `High`, `Low`;
/// close = `Close`/`Price`/`Last`/`Close/Last`; adjusted = `Adj Close`/`AdjClose`/`Adjusted`;
/// `Volume`/`Vol`; symbol = `Symbol`/`Ticker`/`Code`/`Instrument`. Other columns are
/// ignored. A header with a date column and no price columns is a wide file (each other column
/// is a symbol's closes). A file whose first field is a date has no header and is `date,close`.
///
/// Dates: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, `M/D/YYYY` (or `D/M/YYYY`, see
/// [`DateOrder`]), `D.M.YYYY`, optionally followed by `T` or a space and `HH:MM[:SS[.f]]` and
/// `Z`/`±HH:MM`; also Unix seconds (9–10 digits) or milliseconds (12–13 digits). A time of
/// exactly midnight is read as a daily bar of the date as written (pandas writes daily data as
/// `2017-11-10 00:00:00`); any other time makes an intraday bar.
///
/// Rows whose close is a null marker are skipped and counted; a null open/high/low/adjusted/
/// volume is `None`. Each series comes out sorted; a row repeated identically is dropped, a
/// date repeated with different values is an error naming both lines.
pub fn parse_prices(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedPrices, PriceError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Err(err(opts, 0, None, PriceErrorKind::Empty)),
        Some(b'[') | Some(b'{') => parse_json(bytes, opts),
        Some(_) => parse_csv(bytes, opts),
    }
}

fn err(opts: &ParseOptions, line: usize, field: Option<&str>, kind: PriceErrorKind) -> PriceError {
    PriceError {
        file: opts.file_name.clone(),
        line,
        field: field.map(str::to_owned),
        kind,
    }
}

// ---------------------------------------------------------------------------------------------
// Column names

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Date,
    Time,
    Open,
    High,
    Low,
    Close,
    Adj,
    Volume,
    Symbol,
    Other,
}

/// The role of a column name. Single-letter names (`t,o,h,l,c,v`) are roles only when
/// `letters` is set (every name is one letter): elsewhere they are tickers (`V` is Visa in the
/// Dow constituents file).
fn role_of(name: &[u8], letters: bool) -> Role {
    let mut key = [0u8; 24];
    let mut n = 0;
    for &b in name {
        if b.is_ascii_alphanumeric() {
            if n == key.len() {
                return Role::Other;
            }
            key[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    if n == 1 && !letters {
        return Role::Other;
    }
    match &key[..n] {
        b"t" => Role::Date,
        b"date" | b"datetime" | b"timestamp" | b"day" | b"tradedate" | b"tradingdate" => Role::Date,
        b"time" => Role::Time,
        b"open" | b"o" | b"openprice" => Role::Open,
        b"high" | b"h" | b"highprice" => Role::High,
        b"low" | b"l" | b"lowprice" => Role::Low,
        b"close" | b"c" | b"price" | b"last" | b"closelast" | b"closeprice" | b"closingprice" => {
            Role::Close
        }
        b"adjclose" | b"adjustedclose" | b"adjusted" | b"adj" | b"adjcloseprice" => Role::Adj,
        b"volume" | b"vol" | b"v" => Role::Volume,
        b"symbol" | b"ticker" | b"code" | b"instrument" => Role::Symbol,
        _ => Role::Other,
    }
}

/// Column positions of a `Columns` layout.
#[derive(Debug, Clone, Default)]
struct Cols {
    date: usize,
    /// A separate time column next to the date (`<DATE>,<TIME>` in Stooq files).
    time: Option<usize>,
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: usize,
    adj: Option<usize>,
    volume: Option<usize>,
    symbol: Option<usize>,
}

// ---------------------------------------------------------------------------------------------
// Values

const NULLS: &[&[u8]] = &[
    b"", b"null", b"na", b"n/a", b".", b"-", b"nan", b"none", b"#n/a",
];

fn is_null(v: &[u8]) -> bool {
    v.len() <= 4 && NULLS.iter().any(|n| n.eq_ignore_ascii_case(v))
}

/// A parsed date field: a plain date, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Day(Date),
    At(Timestamp),
}

fn digits(s: &[u8]) -> Option<i32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    let mut v = 0i32;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i32::from(b - b'0');
    }
    Some(v)
}

fn ymd(y: i32, m: i32, d: i32) -> Option<Date> {
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// The date part; returns the date and the rest of the field.
fn parse_date_part(s: &[u8], order: DateOrder) -> Option<(Date, &[u8])> {
    // ISO-like: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD
    if s.len() >= 10 && s[..4].iter().all(u8::is_ascii_digit) && matches!(s[4], b'-' | b'/' | b'.')
    {
        let sep = s[4];
        let m_end = 5 + s[5..].iter().position(|&b| b == sep)?;
        let d_end = m_end
            + 1
            + s[m_end + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        let (m, d) = (&s[5..m_end], &s[m_end + 1..d_end]);
        if m.len() > 2 || d.len() > 2 {
            return None;
        }
        let date = ymd(digits(&s[..4])?, digits(m)?, digits(d)?)?;
        return Some((date, &s[d_end..]));
    }
    // YYYYMMDD
    let lead = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if lead == 8 {
        let date = ymd(digits(&s[..4])?, digits(&s[4..6])?, digits(&s[6..8])?)?;
        return Some((date, &s[8..]));
    }
    // M/D/YYYY, D/M/YYYY, D.M.YYYY
    if (1..=2).contains(&lead) && matches!(s.get(lead), Some(b'/') | Some(b'.')) {
        let sep = s[lead];
        let a = digits(&s[..lead])?;
        let rest = &s[lead + 1..];
        let l2 = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=2).contains(&l2) || rest.get(l2) != Some(&sep) {
            return None;
        }
        let b = digits(&rest[..l2])?;
        let rest = &rest[l2 + 1..];
        let l3 = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if l3 != 4 {
            return None;
        }
        let y = digits(&rest[..4])?;
        let (m, d) = if sep == b'.' || order == DateOrder::DayFirst {
            (b, a)
        } else {
            (a, b)
        };
        return Some((ymd(y, m, d)?, &rest[4..]));
    }
    None
}

/// `HH:MM[:SS[.fff]]`; returns the time and the rest.
fn parse_time_part(s: &[u8]) -> Option<(Time, &[u8])> {
    let two = |x: &[u8]| -> Option<i8> {
        if x.len() == 2 {
            i8::try_from(digits(x)?).ok()
        } else {
            None
        }
    };
    let h = two(s.get(..2)?)?;
    if s.get(2) != Some(&b':') {
        return None;
    }
    let mi = two(s.get(3..5)?)?;
    let mut rest = &s[5..];
    let mut sec = 0i8;
    let mut nanos = 0i32;
    if rest.first() == Some(&b':') {
        sec = two(rest.get(1..3)?)?;
        rest = &rest[3..];
        if matches!(rest.first(), Some(b'.') | Some(b',')) {
            let n = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return None;
            }
            nanos = digits(&rest[1..1 + n])? * 10i32.pow(9 - n as u32);
            rest = &rest[1 + n..];
        }
    }
    let t = Time::new(h, mi, sec, nanos).ok()?;
    Some((t, rest))
}

/// `Z`, `UTC`, `GMT`, `±HH:MM`, `±HHMM`, `±HH`.
fn parse_offset(s: &[u8]) -> Option<Offset> {
    if s.eq_ignore_ascii_case(b"z")
        || s.eq_ignore_ascii_case(b"utc")
        || s.eq_ignore_ascii_case(b"gmt")
    {
        return Some(Offset::UTC);
    }
    let sign = match s.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let r = &s[1..];
    let (h, m) = match r.len() {
        2 => (digits(r)?, 0),
        4 => (digits(&r[..2])?, digits(&r[2..])?),
        5 if r[2] == b':' => (digits(&r[..2])?, digits(&r[3..])?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

enum WhenError {
    Bad,
    Naive,
}

fn parse_when(s: &[u8], time_field: Option<&[u8]>, opts: &ParseOptions) -> Result<When, WhenError> {
    // Unix time: 9–10 digits (seconds) or 12–13 (milliseconds). Eight digits is YYYYMMDD.
    if s.iter().all(u8::is_ascii_digit)
        && matches!(s.len(), 9 | 10 | 12 | 13)
        && time_field.is_none()
    {
        let n: i64 = s.iter().fold(0i64, |a, &b| a * 10 + i64::from(b - b'0'));
        let ts = if s.len() >= 12 {
            Timestamp::from_millisecond(n)
        } else {
            Timestamp::from_second(n)
        }
        .map_err(|_| WhenError::Bad)?;
        let dt = TimeZone::UTC.to_datetime(ts);
        return Ok(if dt.time() == Time::midnight() {
            When::Day(dt.date())
        } else {
            When::At(ts)
        });
    }
    let (date, rest) = parse_date_part(s, opts.date_order).ok_or(WhenError::Bad)?;
    let mut rest = rest;
    if let Some(t) = time_field {
        if !rest.is_empty() {
            return Err(WhenError::Bad);
        }
        rest = t;
    } else if rest.is_empty() {
        return Ok(When::Day(date));
    } else if matches!(rest[0], b'T' | b't' | b' ') {
        rest = &rest[1..];
    } else {
        return Err(WhenError::Bad);
    }
    // Stooq writes times as HHMMSS.
    let (time, rest) = if rest.len() == 6 && rest.iter().all(u8::is_ascii_digit) {
        let t = Time::new(
            digits(&rest[..2])
                .and_then(|v| i8::try_from(v).ok())
                .ok_or(WhenError::Bad)?,
            digits(&rest[2..4])
                .and_then(|v| i8::try_from(v).ok())
                .ok_or(WhenError::Bad)?,
            digits(&rest[4..])
                .and_then(|v| i8::try_from(v).ok())
                .ok_or(WhenError::Bad)?,
            0,
        )
        .map_err(|_| WhenError::Bad)?;
        (t, &rest[6..])
    } else {
        parse_time_part(rest).ok_or(WhenError::Bad)?
    };
    let rest = rest.trim_ascii_start();
    let offset = if rest.is_empty() {
        None
    } else {
        Some(parse_offset(rest).ok_or(WhenError::Bad)?)
    };
    if time == Time::midnight() {
        return Ok(When::Day(date));
    }
    let dt = DateTime::from_parts(date, time);
    let ts = match (offset, &opts.time_zone) {
        (Some(o), _) => o.to_timestamp(dt).map_err(|_| WhenError::Bad)?,
        (None, Some(tz)) => tz.to_timestamp(dt).map_err(|_| WhenError::Bad)?,
        (None, None) => return Err(WhenError::Naive),
    };
    Ok(When::At(ts))
}

fn parse_volume(v: &[u8]) -> Option<u64> {
    // Whole numbers, optionally written as floats with a zero fraction ("23220030.0").
    let (int, frac) = match v.iter().position(|&b| b == b'.') {
        Some(p) => (&v[..p], &v[p + 1..]),
        None => (v, &v[v.len()..]),
    };
    if int.is_empty() || !frac.iter().all(|&b| b == b'0') {
        return None;
    }
    let mut n = 0u64;
    for &b in int {
        if b == b',' {
            continue;
        }
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

// ---------------------------------------------------------------------------------------------
// Series building (shared by CSV and JSON)

#[derive(Default)]
struct Acc {
    symbol: Option<String>,
    daily: Vec<Bar>,
    daily_lines: Vec<u32>,
    intraday: Vec<IntradayBar>,
    intraday_lines: Vec<u32>,
}

struct Builder<'o> {
    opts: &'o ParseOptions,
    acc: Vec<Acc>,
    index: HashMap<String, usize>,
    last: Option<usize>,
    rows: usize,
    skipped_nulls: usize,
    duplicates: usize,
}

/// One row's values as text (already unquoted), with the field names for errors.
struct Row<'r> {
    line: usize,
    date: (&'r [u8], &'r str),
    time: Option<&'r [u8]>,
    open: Option<(&'r [u8], &'r str)>,
    high: Option<(&'r [u8], &'r str)>,
    low: Option<(&'r [u8], &'r str)>,
    close: (&'r [u8], &'r str),
    adj: Option<(&'r [u8], &'r str)>,
    volume: Option<(&'r [u8], &'r str)>,
}

impl<'o> Builder<'o> {
    fn new(opts: &'o ParseOptions) -> Builder<'o> {
        Builder {
            opts,
            acc: Vec::new(),
            index: HashMap::new(),
            last: None,
            rows: 0,
            skipped_nulls: 0,
            duplicates: 0,
        }
    }

    fn series_for(&mut self, symbol: Option<&str>) -> usize {
        let sym = symbol.or(self.opts.default_symbol.as_deref());
        if let Some(i) = self.last
            && self.acc[i].symbol.as_deref() == sym
        {
            return i;
        }
        let key = sym.unwrap_or("");
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                let i = self.acc.len();
                self.acc.push(Acc {
                    symbol: sym.map(str::to_owned),
                    ..Acc::default()
                });
                self.index.insert(key.to_owned(), i);
                i
            }
        };
        self.last = Some(i);
        i
    }

    fn price(&self, line: usize, (v, name): (&[u8], &str)) -> Result<Option<Price>, PriceError> {
        if is_null(v) {
            return Ok(None);
        }
        Price::parse_bytes(v).map(Some).map_err(|reason| {
            err(
                self.opts,
                line,
                Some(name),
                PriceErrorKind::BadPrice {
                    value: shown(v),
                    reason,
                },
            )
        })
    }

    fn opt_price(
        &self,
        line: usize,
        f: Option<(&[u8], &str)>,
    ) -> Result<Option<Price>, PriceError> {
        match f {
            Some(f) => self.price(line, f),
            None => Ok(None),
        }
    }

    fn push(&mut self, series: usize, row: Row<'_>) -> Result<(), PriceError> {
        let line = row.line;
        self.rows += 1;
        let (dv, dname) = row.date;
        if is_null(dv) {
            return Err(err(self.opts, line, Some(dname), PriceErrorKind::Missing));
        }
        let when = parse_when(dv, row.time, self.opts).map_err(|e| {
            let value = shown(dv);
            let kind = match e {
                WhenError::Bad => PriceErrorKind::BadDate { value },
                WhenError::Naive => PriceErrorKind::NaiveTime { value },
            };
            err(self.opts, line, Some(dname), kind)
        })?;
        let Some(close) = self.price(line, row.close)? else {
            self.skipped_nulls += 1;
            return Ok(());
        };
        let open = self.opt_price(line, row.open)?;
        let high = self.opt_price(line, row.high)?;
        let low = self.opt_price(line, row.low)?;
        let adj_close = self.opt_price(line, row.adj)?;
        let volume = match row.volume {
            Some((v, name)) if !is_null(v) => Some(parse_volume(v).ok_or_else(|| {
                err(
                    self.opts,
                    line,
                    Some(name),
                    PriceErrorKind::BadVolume { value: shown(v) },
                )
            })?),
            _ => None,
        };
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        let acc = &mut self.acc[series];
        match when {
            When::Day(date) => {
                acc.daily.push(Bar {
                    date,
                    open,
                    high,
                    low,
                    close,
                    adj_close,
                    volume,
                });
                acc.daily_lines.push(line32);
            }
            When::At(at) => {
                acc.intraday.push(IntradayBar {
                    at,
                    open,
                    high,
                    low,
                    close,
                    volume,
                });
                acc.intraday_lines.push(line32);
            }
        }
        Ok(())
    }

    fn finish(self, layout: Layout) -> Result<ParsedPrices, PriceError> {
        let opts = self.opts;
        let mut duplicates = self.duplicates;
        let mut series = Vec::with_capacity(self.acc.len());
        for acc in self.acc {
            let sym = acc.symbol.clone();
            let daily = sort_dedup(acc.daily, acc.daily_lines, |b| b.date, &mut duplicates)
                .map_err(|(l1, l2, b)| conflict(opts, l1, l2, &sym, b.date.to_string()))?;
            let intraday = sort_dedup(acc.intraday, acc.intraday_lines, |b| b.at, &mut duplicates)
                .map_err(|(l1, l2, b)| conflict(opts, l1, l2, &sym, b.at.to_string()))?;
            series.push(Series {
                symbol: acc.symbol,
                daily,
                intraday,
            });
        }
        if self.rows == 0 {
            return Err(err(opts, 0, None, PriceErrorKind::Empty));
        }
        Ok(ParsedPrices {
            layout,
            series,
            rows: self.rows,
            skipped_nulls: self.skipped_nulls,
            duplicates,
        })
    }
}

fn conflict(
    opts: &ParseOptions,
    first: u32,
    second: u32,
    symbol: &Option<String>,
    when: String,
) -> PriceError {
    err(
        opts,
        second as usize,
        None,
        PriceErrorKind::Conflict {
            symbol: symbol.clone(),
            when,
            other_line: first as usize,
        },
    )
}

/// Sorts by key (stable, so file order breaks ties), drops identical repeats and reports a
/// repeated key with different values as `(first line, second line, bar)`. Files are usually
/// ascending (nothing to do) or descending (reversed).
fn sort_dedup<T: Copy + PartialEq, K: Ord + Copy>(
    mut v: Vec<T>,
    mut lines: Vec<u32>,
    key: impl Fn(&T) -> K,
    duplicates: &mut usize,
) -> Result<Vec<T>, (u32, u32, T)> {
    if v.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return Ok(v);
    }
    if v.windows(2).all(|w| key(&w[0]) > key(&w[1])) {
        v.reverse();
        return Ok(v);
    }
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by_key(|&i| (key(&v[i]), lines[i]));
    let mut out: Vec<T> = Vec::with_capacity(v.len());
    let mut out_lines: Vec<u32> = Vec::with_capacity(v.len());
    for i in idx {
        if let Some(prev) = out.last()
            && key(prev) == key(&v[i])
        {
            if *prev == v[i] {
                *duplicates += 1;
                continue;
            }
            let first = out_lines.last().copied().unwrap_or(0);
            return Err((first, lines[i], v[i]));
        }
        out.push(v[i]);
        out_lines.push(lines[i]);
    }
    v.clear();
    lines.clear();
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Splits one line into fields (trimmed; quotes removed, `""` unescaped). `Err` for an
/// unterminated quote.
fn split_fields<'a>(line: &'a [u8], delim: u8, out: &mut Vec<Cow<'a, [u8]>>) -> Result<(), ()> {
    out.clear();
    if !line.contains(&b'"') {
        out.extend(
            line.split(|&b| b == delim)
                .map(|f| Cow::Borrowed(f.trim_ascii())),
        );
        return Ok(());
    }
    let mut i = 0;
    loop {
        while i < line.len() && line[i] == b' ' {
            i += 1;
        }
        if line.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut owned: Option<Vec<u8>> = None;
            loop {
                match line[j..].iter().position(|&b| b == b'"') {
                    None => return Err(()),
                    Some(p) => {
                        let q = j + p;
                        if line.get(q + 1) == Some(&b'"') {
                            let o = owned.get_or_insert_with(Vec::new);
                            o.extend_from_slice(&line[j..=q]);
                            j = q + 2;
                        } else {
                            let field = match owned {
                                Some(mut o) => {
                                    o.extend_from_slice(&line[j..q]);
                                    Cow::Owned(o)
                                }
                                None => Cow::Borrowed(&line[start..q]),
                            };
                            out.push(match field {
                                Cow::Borrowed(b) => Cow::Borrowed(b.trim_ascii()),
                                Cow::Owned(o) => Cow::Owned(o.trim_ascii().to_vec()),
                            });
                            i = q + 1;
                            break;
                        }
                    }
                }
            }
            // Anything between the closing quote and the delimiter is ignored whitespace.
            match line[i..].iter().position(|&b| b == delim) {
                Some(p) => i += p + 1,
                None => return Ok(()),
            }
        } else {
            match line[i..].iter().position(|&b| b == delim) {
                Some(p) => {
                    out.push(Cow::Borrowed(line[i..i + p].trim_ascii()));
                    i += p + 1;
                }
                None => {
                    out.push(Cow::Borrowed(line[i..].trim_ascii()));
                    return Ok(());
                }
            }
        }
    }
}

/// Lines with their 1-based numbers, `\r` stripped, blank lines skipped.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.trim_ascii().is_empty())
}

fn pick_delimiter(line: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for c in counts.iter_mut() {
                if c.0 == b {
                    c.1 += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|c| c.1)
        .filter(|c| c.1 > 0)
        .map_or(b',', |c| c.0)
}

fn utf8<'a>(
    opts: &ParseOptions,
    line: usize,
    field: Option<&str>,
    b: &'a [u8],
) -> Result<&'a str, PriceError> {
    std::str::from_utf8(b).map_err(|_| err(opts, line, field, PriceErrorKind::NotUtf8))
}

fn parse_csv(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedPrices, PriceError> {
    let mut it = lines(bytes);
    let Some((hline, header)) = it.next() else {
        return Err(err(opts, 0, None, PriceErrorKind::Empty));
    };
    let delim = pick_delimiter(header);
    let mut fields: Vec<Cow<'_, [u8]>> = Vec::with_capacity(16);
    let quote_err = |l| err(opts, l, None, PriceErrorKind::UnterminatedQuote);
    split_fields(header, delim, &mut fields).map_err(|_| quote_err(hline))?;

    let mut b = Builder::new(opts);

    // Header-less: the first field is a date.
    if parse_when(&fields[0], None, opts).is_ok()
        || parse_date_part(&fields[0], opts.date_order).is_some()
    {
        if fields.len() != 2 {
            return Err(err(
                opts,
                hline,
                None,
                PriceErrorKind::HeaderlessLayout {
                    fields: fields.len(),
                },
            ));
        }
        let s = b.series_for(None);
        let mut rest = std::iter::once((hline, header)).chain(it);
        for (ln, line) in rest.by_ref() {
            split_fields(line, delim, &mut fields).map_err(|_| quote_err(ln))?;
            let get = |i: usize| fields.get(i).map(|c| &c[..]).unwrap_or(b"");
            if fields.len() < 2 {
                return Err(err(opts, ln, Some("close"), PriceErrorKind::Missing));
            }
            let row = Row {
                line: ln,
                date: (get(0), "date"),
                time: None,
                open: None,
                high: None,
                low: None,
                close: (get(1), "close"),
                adj: None,
                volume: None,
            };
            b.push(s, row)?;
        }
        return b.finish(Layout::Headerless);
    }

    let names: Vec<String> = fields
        .iter()
        .map(|f| utf8(opts, hline, None, f).map(str::to_owned))
        .collect::<Result<_, _>>()?;
    // Abbreviated headers (`t,o,h,l,c,v`) only when every column name is one letter.
    let letters = fields.iter().all(|f| f.len() == 1);
    let roles: Vec<Role> = fields.iter().map(|f| role_of(f, letters)).collect();
    let find = |r: Role| roles.iter().position(|&x| x == r);
    let (date, time) = match (find(Role::Date), find(Role::Time)) {
        (Some(d), t) => (d, t),
        (None, Some(t)) => (t, None),
        (None, None) => return Err(err(opts, hline, None, PriceErrorKind::NoDateColumn)),
    };
    let priced = [Role::Open, Role::High, Role::Low, Role::Close, Role::Adj]
        .iter()
        .any(|&r| find(r).is_some());

    if !priced {
        // Wide: every column other than the date (and time) is a symbol's closes.
        let cols: Vec<(usize, usize)> = (0..names.len())
            .filter(|&i| i != date && Some(i) != time && !names[i].is_empty())
            .map(|i| (i, b.series_for(Some(&names[i]))))
            .collect();
        if cols.is_empty() || find(Role::Volume).is_some() || find(Role::Symbol).is_some() {
            return Err(err(opts, hline, None, PriceErrorKind::NoCloseColumn));
        }
        for (ln, line) in it {
            split_fields(line, delim, &mut fields).map_err(|_| quote_err(ln))?;
            let get = |i: usize| fields.get(i).map(|c| &c[..]).unwrap_or(b"");
            for &(c, s) in &cols {
                let row = Row {
                    line: ln,
                    date: (get(date), &names[date]),
                    time: time.map(get),
                    open: None,
                    high: None,
                    low: None,
                    close: (get(c), &names[c]),
                    adj: None,
                    volume: None,
                };
                b.push(s, row)?;
            }
        }
        // Wide rows count once per line, not per cell.
        let per_line = cols.len().max(1);
        b.rows /= per_line;
        return b.finish(Layout::Wide);
    }

    let Some(close) = find(Role::Close) else {
        return Err(err(opts, hline, None, PriceErrorKind::NoCloseColumn));
    };
    let cols = Cols {
        date,
        time,
        open: find(Role::Open),
        high: find(Role::High),
        low: find(Role::Low),
        close,
        adj: find(Role::Adj),
        volume: find(Role::Volume),
        symbol: find(Role::Symbol),
    };
    let single = if cols.symbol.is_none() {
        Some(b.series_for(None))
    } else {
        None
    };
    for (ln, line) in it {
        split_fields(line, delim, &mut fields).map_err(|_| quote_err(ln))?;
        if fields.len() <= cols.close {
            return Err(err(
                opts,
                ln,
                Some(&names[cols.close]),
                PriceErrorKind::Missing,
            ));
        }
        let get = |i: usize| fields.get(i).map(|c| &c[..]).unwrap_or(b"");
        let named = |i: Option<usize>| i.map(|i| (get(i), names[i].as_str()));
        let s = match (single, cols.symbol) {
            (Some(s), _) => s,
            (None, Some(sc)) => {
                let sym = utf8(opts, ln, Some(&names[sc]), get(sc))?;
                if sym.is_empty() {
                    return Err(err(opts, ln, Some(&names[sc]), PriceErrorKind::EmptySymbol));
                }
                b.series_for(Some(sym))
            }
            (None, None) => 0,
        };
        let row = Row {
            line: ln,
            date: (get(cols.date), &names[cols.date]),
            time: cols.time.map(get),
            open: named(cols.open),
            high: named(cols.high),
            low: named(cols.low),
            close: (get(cols.close), &names[cols.close]),
            adj: named(cols.adj),
            volume: named(cols.volume),
        };
        b.push(s, row)?;
    }
    b.finish(Layout::Columns)
}

// ---------------------------------------------------------------------------------------------
// JSON

type Object<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

/// One JSON field's text and key, indexed by [`Role`].
type Slot<'a> = Option<(Cow<'a, [u8]>, &'a str)>;

/// An object kept as its keys and raw values (order preserved, values unparsed).
struct ObjectWrap<'a>(Object<'a>, &'a str);

impl<'de: 'a, 'a> serde::Deserialize<'de> for ObjectWrap<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        let obj: Vec<(Cow<'de, str>, &'de RawValue)> =
            serde_json::from_str::<MapAsVec<'de>>(raw.get())
                .map_err(serde::de::Error::custom)?
                .0;
        Ok(ObjectWrap(obj, raw.get()))
    }
}

struct MapAsVec<'a>(Object<'a>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for MapAsVec<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = MapAsVec<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Self::Value, M::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    v.push((k, val));
                }
                Ok(MapAsVec(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Wrapper so that an object of arrays deserializes as key/value pairs in file order.
impl<'de: 'a, 'a> serde::Deserialize<'de> for BySymbolPairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = BySymbolPairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of arrays")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Self::Value, M::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<Cow<'de, str>, Vec<ObjectWrap<'de>>>()? {
                    v.push((k, val));
                }
                Ok(BySymbolPairs(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

struct BySymbolPairs<'a>(Vec<(Cow<'a, str>, Vec<ObjectWrap<'a>>)>);

/// The text of a JSON scalar: strings unquoted (and unescaped), numbers as written, `null` as
/// empty (a null marker). `None` for arrays, objects and booleans.
fn scalar_text<'a>(v: &'a RawValue) -> Option<Cow<'a, [u8]>> {
    let s = v.get();
    match s.as_bytes().first()? {
        b'"' => {
            if s.contains('\\') {
                serde_json::from_str::<String>(s)
                    .ok()
                    .map(|t| Cow::Owned(t.trim().as_bytes().to_vec()))
            } else {
                Some(Cow::Borrowed(s[1..s.len() - 1].trim().as_bytes()))
            }
        }
        b'n' => Some(Cow::Borrowed(b"")),
        b'-' | b'0'..=b'9' => Some(Cow::Borrowed(s.as_bytes())),
        _ => None,
    }
}

fn parse_json(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedPrices, PriceError> {
    let text = utf8(opts, 0, None, bytes)?;
    let json_err = |e: serde_json::Error| {
        err(
            opts,
            e.line(),
            None,
            PriceErrorKind::Json {
                message: e.to_string(),
            },
        )
    };
    let groups: Vec<(Option<Cow<'_, str>>, Vec<ObjectWrap<'_>>)> =
        if text.trim_start().starts_with('[') {
            let rows: Vec<ObjectWrap<'_>> = serde_json::from_str(text).map_err(json_err)?;
            vec![(None, rows)]
        } else {
            let pairs: BySymbolPairs<'_> = serde_json::from_str(text).map_err(json_err)?;
            pairs.0.into_iter().map(|(k, v)| (Some(k), v)).collect()
        };
    let base = text.as_ptr() as usize;
    let line_of = |s: &str| {
        let off = (s.as_ptr() as usize).saturating_sub(base).min(text.len());
        text.as_bytes()[..off]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let mut b = Builder::new(opts);
    for (group_symbol, rows) in &groups {
        for ObjectWrap(obj, raw) in rows {
            let line = line_of(raw);
            let mut vals: [Slot<'_>; 10] = Default::default();
            let letters = obj
                .iter()
                .all(|(k, _)| role_of(k.as_bytes(), true) != Role::Other);
            for (k, v) in obj {
                let role = role_of(k.as_bytes(), letters);
                let slot = role as usize;
                if role == Role::Other || vals[slot].is_some() {
                    continue;
                }
                let t = scalar_text(v).ok_or_else(|| {
                    err(
                        opts,
                        line_of(v.get()),
                        Some(k),
                        PriceErrorKind::Json {
                            message: "expected a string, a number or null".into(),
                        },
                    )
                })?;
                vals[slot] = Some((t, k.as_ref()));
            }
            let get = |r: Role| vals[r as usize].as_ref().map(|(t, n)| (&t[..], *n));
            let date = match (get(Role::Date), get(Role::Time)) {
                (Some(d), _) => d,
                (None, Some(t)) => t,
                (None, None) => return Err(err(opts, line, Some("date"), PriceErrorKind::Missing)),
            };
            let time = if get(Role::Date).is_some() {
                get(Role::Time).map(|t| t.0)
            } else {
                None
            };
            let close = get(Role::Close)
                .ok_or_else(|| err(opts, line, Some("close"), PriceErrorKind::Missing))?;
            let sym = match get(Role::Symbol) {
                Some((s, name)) => {
                    let s = utf8(opts, line, Some(name), s)?;
                    if s.is_empty() {
                        return Err(err(opts, line, Some(name), PriceErrorKind::EmptySymbol));
                    }
                    Some(s)
                }
                None => group_symbol.as_deref(),
            };
            let s = b.series_for(sym);
            let row = Row {
                line,
                date,
                time,
                open: get(Role::Open),
                high: get(Role::High),
                low: get(Role::Low),
                close,
                adj: get(Role::Adj),
                volume: get(Role::Volume),
            };
            b.push(s, row)?;
        }
    }
    b.finish(Layout::Json)
}
