// Market data (instruments, daily bars, corrections): the part of the `Store` implementation
// shared by both backends, included with `include!` into `sqlite.rs` and `postgres.rs` after
// `shared.rs` (whose `use` lines are in scope here, so this file only imports what it adds). The
// `Store` impl in `shared.rs` delegates its `// --- market data ---` methods to the inherent
// `prices_*` methods below, so this section can grow without touching the article code.
//
// Bars are written many rows per statement (`INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING`).

use jiff::civil::{Date as CivilDate, Time as CivilTime};
use newsdesk_market::{Bar, IntradayBar, Price};

use crate::prices::{
    ImportOutcome, Instrument, PriceChange, PriceCorrection, StoredBar, StoredTick, date_to_day,
    day_to_date,
};

/// Bars per multi-row `INSERT` (10 parameters a row). Large statements are cheap only with
/// anonymous `?` parameters on SQLite (`ANONYMOUS_PARAMS`): sqlx binds numbered ones by name,
/// a linear search each, which made 3,000-row statements manage 2,845 bars/s.
const BAR_CHUNK: usize = 400;

fn instrument_from_row(row: &DbRow) -> Result<Instrument> {
    let ctx = "reading an instrument row";
    let close: String = row.try_get("session_close").context(ctx)?;
    let session_close = close.parse::<CivilTime>().map_err(|e| StoreError::Corrupt {
        what: "session close",
        detail: format!("{close:?}: {e}"),
    })?;
    Ok(Instrument {
        symbol: row.try_get("symbol").context(ctx)?,
        name: row.try_get("name").context(ctx)?,
        kind: row.try_get("kind").context(ctx)?,
        currency: row.try_get("currency").context(ctx)?,
        exchange_tz: row.try_get("exchange_tz").context(ctx)?,
        session_close,
        benchmark_symbol: row.try_get("benchmark_symbol").context(ctx)?,
    })
}

fn opt_price(raw: Option<i64>) -> Option<Price> {
    raw.map(Price::from_raw)
}

fn bar_from_row(row: &DbRow) -> Result<Bar> {
    let ctx = "reading a price bar";
    let volume: Option<i64> = row.try_get("volume").context(ctx)?;
    Ok(Bar {
        date: day_to_date(row.try_get("day").context(ctx)?)?,
        open: opt_price(row.try_get("open").context(ctx)?),
        high: opt_price(row.try_get("high").context(ctx)?),
        low: opt_price(row.try_get("low").context(ctx)?),
        close: Price::from_raw(row.try_get("close").context(ctx)?),
        adj_close: opt_price(row.try_get("adj_close").context(ctx)?),
        volume: volume.and_then(|v| u64::try_from(v).ok()),
    })
}

fn volume_column(bar: &Bar) -> Result<Option<i64>> {
    bar.volume
        .map(|v| {
            i64::try_from(v).map_err(|_| StoreError::Invalid {
                what: "price bar",
                detail: format!("{}: volume {v} is too large to store", bar.date),
            })
        })
        .transpose()
}

/// The stored bars of a symbol over a day range as one string, `;` after each bar and its
/// values in `pack_bars`'s order and form (decimal integers, empty for NULL). Portable SQL
/// (`string_agg … ORDER BY` is in SQLite ≥ 3.44 and PostgreSQL).
const PACKED_BARS_SQL: &str = "SELECT string_agg(CAST(day AS TEXT) || ',' || \
     COALESCE(CAST(open AS TEXT), '') || ',' || COALESCE(CAST(high AS TEXT), '') || ',' || \
     COALESCE(CAST(low AS TEXT), '') || ',' || CAST(close AS TEXT) || ',' || \
     COALESCE(CAST(adj_close AS TEXT), '') || ',' || COALESCE(CAST(volume AS TEXT), '') || ';', \
     '' ORDER BY day) FROM price_bars WHERE symbol = $1 AND day BETWEEN $2 AND $3";

/// `bars` packed the way [`PACKED_BARS_SQL`] packs stored rows: equal strings mean equal values.
fn pack_bars(bars: &[Bar]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bars.len() * 64);
    let opt = |out: &mut String, v: Option<i64>| {
        if let Some(v) = v {
            let _ = write!(out, "{v}");
        }
        out.push(',');
    };
    for b in bars {
        let _ = write!(out, "{},", date_to_day(b.date));
        opt(&mut out, b.open.map(Price::raw));
        opt(&mut out, b.high.map(Price::raw));
        opt(&mut out, b.low.map(Price::raw));
        let _ = write!(out, "{},", b.close.raw());
        opt(&mut out, b.adj_close.map(Price::raw));
        // A volume too large to store is never equal to a stored one.
        match b.volume.map(i64::try_from) {
            Some(Ok(v)) => {
                let _ = write!(out, "{v}");
            }
            Some(Err(_)) => out.push('x'),
            None => {}
        }
        out.push(';');
    }
    out
}

fn check_symbol(symbol: &str) -> Result<()> {
    if symbol.trim().is_empty() {
        return Err(StoreError::Invalid {
            what: "symbol",
            detail: "empty".into(),
        });
    }
    Ok(())
}

fn tick_from_row(row: &DbRow) -> Result<IntradayBar> {
    let ctx = "reading a price tick";
    let volume: Option<i64> = row.try_get("volume").context(ctx)?;
    Ok(IntradayBar {
        at: convert::ts(row.try_get("at").context(ctx)?, "price tick time")?,
        open: opt_price(row.try_get("open").context(ctx)?),
        high: opt_price(row.try_get("high").context(ctx)?),
        low: opt_price(row.try_get("low").context(ctx)?),
        close: Price::from_raw(row.try_get("close").context(ctx)?),
        volume: volume.and_then(|v| u64::try_from(v).ok()),
    })
}

/// Appends `symbol` to the price change log; the last statement before commit (on PostgreSQL it
/// takes the change-log lock, which keeps `seq` order commit order).
async fn record_price_change(conn: &mut DbConn, symbol: &str, now: Timestamp) -> Result<()> {
    lock_change_log(conn).await?;
    sqlx::query("INSERT INTO price_changes (symbol, at) VALUES ($1, $2)")
        .bind(symbol)
        .bind(now.as_microsecond())
        .execute(conn)
        .await
        .context("recording a price change")?;
    Ok(())
}

fn check_bars(symbol: &str, bars: &[Bar]) -> Result<()> {
    check_symbol(symbol)?;
    if let Some(w) = bars.windows(2).find(|w| w[0].date >= w[1].date) {
        return Err(StoreError::Invalid {
            what: "price bars",
            detail: format!(
                "not sorted by date with one bar per date ({} then {})",
                w[0].date, w[1].date
            ),
        });
    }
    Ok(())
}

impl This {
    async fn prices_upsert_instrument(&self, i: &Instrument) -> Result<()> {
        convert::check_zone(&i.exchange_tz)?;
        let close = i.session_close.strftime("%H:%M").to_string();
        let mut tx = self.begin_write().await?;
        // An unchanged row is not rewritten (0 rows affected), so re-stating instruments (as
        // every `serve --demo` start does) leaves the price change log alone.
        let written = sqlx::query(
            "INSERT INTO instruments (symbol, name, kind, currency, exchange_tz, session_close, \
             benchmark_symbol) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             currency = excluded.currency, exchange_tz = excluded.exchange_tz, \
             session_close = excluded.session_close, benchmark_symbol = excluded.benchmark_symbol \
             WHERE instruments.name <> excluded.name OR instruments.kind <> excluded.kind \
             OR instruments.currency <> excluded.currency \
             OR instruments.exchange_tz <> excluded.exchange_tz \
             OR instruments.session_close <> excluded.session_close \
             OR COALESCE(instruments.benchmark_symbol, '') <> COALESCE(excluded.benchmark_symbol, '')",
        )
        .bind(&i.symbol)
        .bind(&i.name)
        .bind(&i.kind)
        .bind(&i.currency)
        .bind(&i.exchange_tz)
        .bind(close)
        .bind(&i.benchmark_symbol)
        .execute(&mut *tx)
        .await
        .context("upserting an instrument")?
        .rows_affected();
        if written > 0 {
            // Chips read zone, close and benchmark from the row: caches of them must go.
            record_price_change(&mut tx, &i.symbol, Timestamp::now()).await?;
        }
        tx.commit().await.context("committing an instrument")?;
        Ok(())
    }

    async fn prices_get_instrument(&self, symbol: &str) -> Result<Option<Instrument>> {
        sqlx::query("SELECT * FROM instruments WHERE symbol = $1")
            .bind(symbol)
            .fetch_optional(self.read_pool())
            .await
            .context("reading an instrument")?
            .map(|r| instrument_from_row(&r))
            .transpose()
    }

    async fn prices_list_instruments(&self) -> Result<Vec<Instrument>> {
        sqlx::query("SELECT * FROM instruments ORDER BY symbol")
            .fetch_all(self.read_pool())
            .await
            .context("listing instruments")?
            .iter()
            .map(instrument_from_row)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self, bars), fields(n = bars.len()), err)]
    async fn prices_import_bars(
        &self,
        symbol: &str,
        bars: &[Bar],
        source: &str,
        as_of: Timestamp,
        now: Timestamp,
    ) -> Result<ImportOutcome> {
        check_bars(symbol, bars)?;
        let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
            return Ok(ImportOutcome::default());
        };
        // Re-importing a file that is already stored is the common case of an idempotent import:
        // compare the whole slice at once (one packed string, built the same way on both sides)
        // before moving stored rows one by one. Nothing is written in that case, so the read needs
        // no write lock; a later import that changed these days is simply compared against.
        let packed: Option<String> = sqlx::query_scalar(PACKED_BARS_SQL)
            .bind(symbol)
            .bind(date_to_day(first.date))
            .bind(date_to_day(last.date))
            .fetch_one(self.read_pool())
            .await
            .context("comparing stored bars")?;
        if packed.is_some_and(|p| p == pack_bars(bars)) {
            return Ok(ImportOutcome {
                unchanged: bars.len() as u64,
                ..ImportOutcome::default()
            });
        }
        let mut tx = self.begin_write().await?;
        // What is stored over the same days, to tell new, identical and changed bars apart.
        let stored = sqlx::query(
            "SELECT day, open, high, low, close, adj_close, volume, source FROM price_bars \
             WHERE symbol = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
        )
        .bind(symbol)
        .bind(date_to_day(first.date))
        .bind(date_to_day(last.date))
        .fetch_all(&mut *tx)
        .await
        .context("reading stored bars")?;
        let mut old = Vec::with_capacity(stored.len());
        for row in &stored {
            let src: String = row.try_get("source").context("reading a price bar")?;
            old.push((bar_from_row(row)?, src));
        }
        let mut out = ImportOutcome::default();
        let mut fresh: Vec<&Bar> = Vec::new();
        let mut changed: Vec<(&Bar, Price, String)> = Vec::new();
        let mut j = 0;
        for bar in bars {
            while j < old.len() && old[j].0.date < bar.date {
                j += 1;
            }
            match old.get(j) {
                Some((o, _)) if o.date == bar.date && o == bar => out.unchanged += 1,
                Some((o, src)) if o.date == bar.date => changed.push((bar, o.close, src.clone())),
                _ => fresh.push(bar),
            }
        }
        for chunk in fresh.chunks(BAR_CHUNK) {
            let sql = format!(
                "INSERT INTO price_bars (symbol, day, open, high, low, close, adj_close, volume, \
                 source, as_of) VALUES {} ON CONFLICT (symbol, day) DO NOTHING",
                convert::row_placeholders(10, chunk.len(), ANONYMOUS_PARAMS)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for bar in chunk {
                q = q
                    .bind(symbol)
                    .bind(date_to_day(bar.date))
                    .bind(bar.open.map(Price::raw))
                    .bind(bar.high.map(Price::raw))
                    .bind(bar.low.map(Price::raw))
                    .bind(bar.close.raw())
                    .bind(bar.adj_close.map(Price::raw))
                    .bind(volume_column(bar)?)
                    .bind(source)
                    .bind(as_of.as_microsecond());
            }
            let done = q
                .execute(&mut *tx)
                .await
                .context("inserting price bars")?
                .rows_affected();
            // A row another importer inserted meanwhile (PostgreSQL) counts as unchanged.
            out.inserted += done;
            out.unchanged += chunk.len() as u64 - done;
        }
        for (bar, old_close, old_source) in &changed {
            sqlx::query(
                "UPDATE price_bars SET open = $3, high = $4, low = $5, close = $6, \
                 adj_close = $7, volume = $8, source = $9, as_of = $10 \
                 WHERE symbol = $1 AND day = $2",
            )
            .bind(symbol)
            .bind(date_to_day(bar.date))
            .bind(bar.open.map(Price::raw))
            .bind(bar.high.map(Price::raw))
            .bind(bar.low.map(Price::raw))
            .bind(bar.close.raw())
            .bind(bar.adj_close.map(Price::raw))
            .bind(volume_column(bar)?)
            .bind(source)
            .bind(as_of.as_microsecond())
            .execute(&mut *tx)
            .await
            .context("correcting a price bar")?;
            sqlx::query(
                "INSERT INTO price_corrections (symbol, day, old_close, new_close, old_source, \
                 new_source, corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(symbol)
            .bind(date_to_day(bar.date))
            .bind(old_close.raw())
            .bind(bar.close.raw())
            .bind(old_source)
            .bind(source)
            .bind(now.as_microsecond())
            .execute(&mut *tx)
            .await
            .context("recording a price correction")?;
            out.corrected += 1;
        }
        if out.inserted + out.corrected > 0 {
            record_price_change(&mut tx, symbol, now).await?;
        }
        tx.commit().await.context("committing price bars")?;
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip(self, ticks), fields(n = ticks.len()), err)]
    async fn prices_store_ticks(
        &self,
        symbol: &str,
        ticks: &[IntradayBar],
        source: &str,
        as_of: Timestamp,
        now: Timestamp,
    ) -> Result<u64> {
        check_symbol(symbol)?;
        if ticks.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut inserted = 0;
        for chunk in ticks.chunks(BAR_CHUNK) {
            let sql = format!(
                "INSERT INTO price_ticks (symbol, at, open, high, low, close, volume, source, \
                 as_of) VALUES {} ON CONFLICT (symbol, at) DO NOTHING",
                convert::row_placeholders(9, chunk.len(), ANONYMOUS_PARAMS)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for t in chunk {
                let volume = t
                    .volume
                    .map(|v| {
                        i64::try_from(v).map_err(|_| StoreError::Invalid {
                            what: "price tick",
                            detail: format!("{}: volume {v} is too large to store", t.at),
                        })
                    })
                    .transpose()?;
                q = q
                    .bind(symbol)
                    .bind(t.at.as_microsecond())
                    .bind(t.open.map(Price::raw))
                    .bind(t.high.map(Price::raw))
                    .bind(t.low.map(Price::raw))
                    .bind(t.close.raw())
                    .bind(volume)
                    .bind(source)
                    .bind(as_of.as_microsecond());
            }
            inserted += q
                .execute(&mut *tx)
                .await
                .context("inserting price ticks")?
                .rows_affected();
        }
        if inserted > 0 {
            record_price_change(&mut tx, symbol, now).await?;
        }
        tx.commit().await.context("committing price ticks")?;
        Ok(inserted)
    }

    async fn prices_ticks(
        &self,
        symbol: &str,
        after: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<IntradayBar>> {
        let rows = sqlx::query(
            "SELECT at, open, high, low, close, volume FROM price_ticks \
             WHERE symbol = $1 AND at > $2 ORDER BY at DESC LIMIT $3",
        )
        .bind(symbol)
        .bind(after.map_or(i64::MIN, |t| t.as_microsecond()))
        .bind(i64::from(limit.clamp(1, 100_000)))
        .fetch_all(self.read_pool())
        .await
        .context("reading price ticks")?;
        let mut ticks = rows.iter().map(tick_from_row).collect::<Result<Vec<_>>>()?;
        ticks.reverse();
        Ok(ticks)
    }

    async fn prices_last_tick(&self, symbol: &str) -> Result<Option<StoredTick>> {
        let Some(row) = sqlx::query(
            "SELECT at, open, high, low, close, volume, source, as_of FROM price_ticks \
             WHERE symbol = $1 ORDER BY at DESC LIMIT 1",
        )
        .bind(symbol)
        .fetch_optional(self.read_pool())
        .await
        .context("reading the last price tick")?
        else {
            return Ok(None);
        };
        let ctx = "reading a price tick";
        Ok(Some(StoredTick {
            tick: tick_from_row(&row)?,
            source: row.try_get("source").context(ctx)?,
            as_of: convert::ts(row.try_get("as_of").context(ctx)?, "price as-of time")?,
        }))
    }

    async fn prices_changes_since(&self, after: i64, limit: u32) -> Result<Vec<PriceChange>> {
        let ctx = "reading the price change log";
        let rows = sqlx::query(
            "SELECT seq, symbol, at FROM price_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(self.read_pool())
        .await
        .context(ctx)?;
        rows.iter()
            .map(|r| {
                Ok(PriceChange {
                    seq: r.try_get("seq").context(ctx)?,
                    symbol: r.try_get("symbol").context(ctx)?,
                    at: convert::ts(r.try_get("at").context(ctx)?, "price change time")?,
                })
            })
            .collect()
    }

    async fn prices_last_change_seq(&self) -> Result<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM price_changes")
            .fetch_one(self.read_pool())
            .await
            .context("reading the price change log")?;
        Ok(seq.unwrap_or(0))
    }

    async fn prices_bars(
        &self,
        symbol: &str,
        from: Option<CivilDate>,
        to: Option<CivilDate>,
    ) -> Result<Vec<Bar>> {
        sqlx::query(
            "SELECT day, open, high, low, close, adj_close, volume FROM price_bars \
             WHERE symbol = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
        )
        .bind(symbol)
        .bind(from.map_or(i64::MIN, date_to_day))
        .bind(to.map_or(i64::MAX, date_to_day))
        .fetch_all(self.read_pool())
        .await
        .context("reading price bars")?
        .iter()
        .map(bar_from_row)
        .collect()
    }

    async fn prices_last_bar(&self, symbol: &str) -> Result<Option<StoredBar>> {
        let Some(row) = sqlx::query(
            "SELECT day, open, high, low, close, adj_close, volume, source, as_of \
             FROM price_bars WHERE symbol = $1 ORDER BY day DESC LIMIT 1",
        )
        .bind(symbol)
        .fetch_optional(self.read_pool())
        .await
        .context("reading the last price bar")?
        else {
            return Ok(None);
        };
        let ctx = "reading a price bar";
        Ok(Some(StoredBar {
            bar: bar_from_row(&row)?,
            source: row.try_get("source").context(ctx)?,
            as_of: convert::ts(row.try_get("as_of").context(ctx)?, "price as-of time")?,
        }))
    }

    async fn prices_corrections(&self, symbol: &str) -> Result<Vec<PriceCorrection>> {
        let ctx = "reading price corrections";
        let rows = sqlx::query(
            "SELECT symbol, day, old_close, new_close, old_source, new_source, corrected_at \
             FROM price_corrections WHERE symbol = $1 ORDER BY day, corrected_at",
        )
        .bind(symbol)
        .fetch_all(self.read_pool())
        .await
        .context(ctx)?;
        rows.iter()
            .map(|r| {
                Ok(PriceCorrection {
                    symbol: r.try_get("symbol").context(ctx)?,
                    date: day_to_date(r.try_get("day").context(ctx)?)?,
                    old_close: Price::from_raw(r.try_get("old_close").context(ctx)?),
                    new_close: Price::from_raw(r.try_get("new_close").context(ctx)?),
                    old_source: r.try_get("old_source").context(ctx)?,
                    new_source: r.try_get("new_source").context(ctx)?,
                    corrected_at: convert::ts(
                        r.try_get("corrected_at").context(ctx)?,
                        "correction time",
                    )?,
                })
            })
            .collect()
    }
}
