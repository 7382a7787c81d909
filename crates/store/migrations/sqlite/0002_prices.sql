-- Market data: instruments, daily and intraday bars, and corrections. Same tables and columns on
-- SQLite and PostgreSQL (keep ../postgres/0002_prices.sql in step; only WITHOUT ROWID differs).
-- Prices are fixed point: BIGINT units of 1e-8 (newsdesk_market::Price::raw). Dates are days
-- since 1970-01-01 (BIGINT: compact, sorts and compares as an integer on both backends). Times
-- are UTC microseconds.

-- One row per instrument we keep prices for.
CREATE TABLE instruments (
    symbol            TEXT   NOT NULL PRIMARY KEY,
    name              TEXT   NOT NULL,
    kind              TEXT   NOT NULL,           -- index, equity, rate, volatility, fx, ...
    currency          TEXT   NOT NULL,           -- ISO 4217, or 'pts' / '%' for index levels and yields
    exchange_tz       TEXT   NOT NULL,           -- IANA zone of the exchange
    session_close     TEXT   NOT NULL,           -- local regular close, HH:MM
    benchmark_symbol  TEXT                       -- the market model's benchmark, NULL: none set
);

-- One bar per instrument and trading day; the latest import wins, earlier values are kept in
-- price_corrections.
CREATE TABLE price_bars (
    symbol     TEXT   NOT NULL,
    day        BIGINT NOT NULL,                  -- days since 1970-01-01 (exchange-local date)
    open       BIGINT,
    high       BIGINT,
    low        BIGINT,
    close      BIGINT NOT NULL,
    adj_close  BIGINT,
    volume     BIGINT,
    source     TEXT   NOT NULL,
    as_of      BIGINT NOT NULL,                  -- when the source published these values
    PRIMARY KEY (symbol, day)
) WITHOUT ROWID;

-- Intraday prints, keyed by the instant of their close.
CREATE TABLE price_ticks (
    symbol  TEXT   NOT NULL,
    at      BIGINT NOT NULL,
    open    BIGINT,
    high    BIGINT,
    low     BIGINT,
    close   BIGINT NOT NULL,
    volume  BIGINT,
    source  TEXT   NOT NULL,
    as_of   BIGINT NOT NULL,
    PRIMARY KEY (symbol, at)
) WITHOUT ROWID;

-- A daily close that a later import changed: old and new value with their sources.
CREATE TABLE price_corrections (
    symbol        TEXT   NOT NULL,
    day           BIGINT NOT NULL,
    old_close     BIGINT NOT NULL,
    new_close     BIGINT NOT NULL,
    old_source    TEXT   NOT NULL,
    new_source    TEXT   NOT NULL,
    corrected_at  BIGINT NOT NULL
);
CREATE INDEX price_corrections_by_symbol ON price_corrections (symbol, day);
