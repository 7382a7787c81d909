// Market data (instruments, daily bars, corrections): the part of the `Store` implementation
// shared by both backends, included with `include!` into `sqlite.rs` and `postgres.rs` after
// `shared.rs` (whose `use` lines are in scope here, so this file only imports what it adds). The
// `Store` impl in `shared.rs` delegates its `// --- market data ---` methods to the inherent
// `prices_*` methods below, so this section can grow without touching the article code.
//
// Bars are written many rows per statement (`INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING`).

use jiff::civil::{Date as CivilDate, Time as CivilTime};
use newsdesk_market::{Bar, Price};

use crate::prices::{
    ImportOutcome, Instrument, PriceCorrection, StoredBar, date_to_day, day_to_date,
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

fn check_bars(symbol: &str, bars: &[Bar]) -> Result<()> {
    if symbol.trim().is_empty() {
        return Err(StoreError::Invalid {
            what: "symbol",
            detail: "empty".into(),
        });
    }
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
        sqlx::query(
            "INSERT INTO instruments (symbol, name, kind, currency, exchange_tz, session_close, \
             benchmark_symbol) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             currency = excluded.currency, exchange_tz = excluded.exchange_tz, \
             session_close = excluded.session_close, benchmark_symbol = excluded.benchmark_symbol",
        )
        .bind(&i.symbol)
        .bind(&i.name)
        .bind(&i.kind)
        .bind(&i.currency)
        .bind(&i.exchange_tz)
        .bind(close)
        .bind(&i.benchmark_symbol)
        .execute(self.write_pool())
        .await
        .context("upserting an instrument")?;
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
        tx.commit().await.context("committing price bars")?;
        Ok(out)
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
