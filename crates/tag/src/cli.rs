//! The `newsdesk tag --input IN.jsonl` line protocol.
//!
//! Input lines: `{"id": …, "title"?: "…", "text": "…"}` (the id is echoed back as given).
//! Output lines: `{"id", "countries": ["JP", …], "instruments": [{"symbol", "kind", "name",
//! "mic"?, "country"?, "ric"?, "role", "score", "reasons": [{"start", "end", "text", "rule"}],
//! "title_reasons"?: […]}]}`. Reasons point into `text` (character offsets); evidence found in
//! the headline is listed under `title_reasons` with offsets into `title`.

use crate::error::TagError;
use crate::kb::Kb;
use crate::link::{Field, Link, Reason, Tagger};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Documents tagged.
    pub documents: usize,
    /// Input lines that were not a JSON object with a string `text` (skipped, nothing printed).
    pub skipped: usize,
    /// The first skipped line's number (1-based) and why.
    pub first_skip: Option<(usize, String)>,
    /// Instrument links written.
    pub links: usize,
}

#[derive(Deserialize)]
struct InLine {
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    text: String,
}

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a serde_json::Value,
    countries: Vec<&'a str>,
    instruments: Vec<OutInstrument<'a>>,
}

/// One instrument of an output line (also what the store's `reasons` JSON can hold).
#[derive(Serialize)]
struct OutInstrument<'a> {
    symbol: &'a str,
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ric: Option<&'a str>,
    role: &'static str,
    score: f64,
    reasons: Vec<OutReason<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    title_reasons: Vec<OutReason<'a>>,
}

#[derive(Serialize)]
struct OutReason<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    rule: &'static str,
}

fn out_reasons(rs: &[Reason], field: Field) -> Vec<OutReason<'_>> {
    rs.iter()
        .filter(|r| r.field == field)
        .map(|r| OutReason {
            start: r.start,
            end: r.end,
            text: &r.text,
            rule: r.rule,
        })
        .collect()
}

fn out_instrument<'a>(l: &'a Link<'_>) -> OutInstrument<'a> {
    let i = &l.instrument;
    OutInstrument {
        symbol: &i.symbol,
        kind: i.kind.as_str(),
        name: &i.name,
        mic: i.mic.as_deref(),
        country: i.country.as_deref(),
        ric: i.ric.as_deref(),
        role: l.role.as_str(),
        score: l.score,
        reasons: out_reasons(&l.reasons, Field::Text),
        title_reasons: out_reasons(&l.reasons, Field::Title),
    }
}

/// Reads `{"id","title"?,"text"}` lines from `input`, tags each with `kb`, and writes one
/// output line per input line to `output`. Blank lines are ignored; lines that are not such an
/// object are skipped and counted in [`Stats`]; IO errors stop the run.
pub fn run_tag(input: impl BufRead, mut output: impl Write, kb: &Kb) -> Result<Stats, TagError> {
    let mut stats = Stats::default();
    let mut input = input;
    let mut tagger = Tagger::new(kb);
    let mut buf = Vec::with_capacity(1 << 16);
    let mut line = String::with_capacity(1 << 16);
    let mut n = 0usize;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        n += 1;
        if line.trim().is_empty() {
            continue;
        }
        let doc: InLine = match serde_json::from_str(&line) {
            Ok(d) => d,
            Err(e) => {
                stats.skipped += 1;
                if stats.first_skip.is_none() {
                    stats.first_skip = Some((n, e.to_string()));
                }
                continue;
            }
        };
        let t = tagger.tag(doc.title.as_deref(), &doc.text);
        let out = OutLine {
            id: &doc.id,
            countries: t.countries.iter().map(|c| c.code.as_str()).collect(),
            instruments: t.instruments.iter().map(out_instrument).collect(),
        };
        stats.links += out.instruments.len();
        buf.clear();
        serde_json::to_writer(&mut buf, &out)?;
        buf.push(b'\n');
        output.write_all(&buf)?;
        stats.documents += 1;
    }
    output.flush()?;
    Ok(stats)
}
