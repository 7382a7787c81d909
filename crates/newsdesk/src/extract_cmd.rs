//! `newsdesk extract` and `newsdesk flatten`.
//!
//! Each input is processed on its own: a failure prints one line `newsdesk: PATH: reason` on
//! stderr and the others go on; the exit status is 1 if any input failed.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use newsdesk_extract::{Article, Block, ExtractOptions, Image, Warning};
use serde::Serialize;

use crate::cli::{ExtractArgs, FlattenArgs, Format, InputKind};
use crate::inputs::{self, Input};

/// One output record of `newsdesk extract`: the article plus where it came from, with
/// timestamps as RFC 3339 strings in the source's own offset.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// File name up to its first dot.
    pub id: String,
    /// The path as given.
    pub path: String,
    /// Canonical URL.
    pub url: Option<&'a str>,
    /// Headline.
    pub title: Option<&'a str>,
    /// Publication time, RFC 3339.
    pub published: Option<String>,
    /// Update time, RFC 3339.
    pub updated: Option<String>,
    /// The zone the times were printed in (IANA name or offset).
    pub timezone: Option<&'a str>,
    /// True when that zone was assumed, not given or printed.
    pub timezone_assumed: bool,
    /// Bylines.
    pub authors: &'a [String],
    /// Publisher / site.
    pub source: Option<&'a str>,
    /// Wire agency.
    pub agency: Option<&'a str>,
    /// Dateline; both fields null when there is none.
    pub dateline: DatelineOut<'a>,
    /// Plain-text body, paragraphs separated by blank lines.
    pub body: String,
    /// Structured body.
    pub blocks: &'a [Block],
    /// Images with caption and credit.
    pub images: &'a [Image],
    /// Instrument symbols printed on the page.
    pub printed_instruments: &'a [String],
    /// Language.
    pub language: Option<&'a str>,
    /// Section.
    pub section: Option<&'a str>,
    /// Warnings.
    pub warnings: &'a [Warning],
}

/// The dateline as printed in records.
#[derive(Debug, Serialize)]
pub struct DatelineOut<'a> {
    /// Place.
    pub place: Option<&'a str>,
    /// Agency.
    pub agency: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// Builds the record of one article.
    pub fn new(input: &Input, a: &'a Article) -> Self {
        let zone_from = a.published.as_ref().or(a.updated.as_ref());
        Record {
            id: input.id(),
            path: input.display(),
            url: a.url.as_deref(),
            title: a.title.as_deref(),
            published: a.published.as_ref().map(|t| t.to_rfc3339()),
            updated: a.updated.as_ref().map(|t| t.to_rfc3339()),
            timezone: zone_from.map(|t| t.zone.as_str()),
            timezone_assumed: zone_from.is_some_and(|t| t.zone_assumed),
            authors: &a.authors,
            source: a.source.as_deref(),
            agency: a.agency.as_deref(),
            dateline: DatelineOut {
                place: a.dateline.as_ref().and_then(|d| d.place.as_deref()),
                agency: a.dateline.as_ref().and_then(|d| d.agency.as_deref()),
            },
            body: a.body_text(),
            blocks: &a.blocks,
            images: &a.images,
            printed_instruments: &a.printed_instruments,
            language: a.language.as_deref(),
            section: a.section.as_deref(),
            warnings: &a.warnings,
        }
    }
}

/// Extracts one input that is already in memory.
pub fn extract_bytes(
    bytes: &[u8],
    kind: InputKind,
    opts: &ExtractOptions,
) -> Result<Article, newsdesk_extract::ExtractError> {
    match kind {
        InputKind::Html => newsdesk_extract::extract_html(bytes, opts),
        InputKind::Text => newsdesk_extract::extract_text(bytes, opts),
    }
}

/// Runs `newsdesk extract`.
pub fn run_extract(args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let opts = ExtractOptions {
        url: args.url.clone(),
        zone: args.tz.clone(),
        now: Some(args.now.unwrap_or_else(jiff::Timestamp::now)),
        content_type: None,
        max_input_bytes: args.max_bytes,
    };
    let inputs = inputs::expand(&args.paths);
    let single = inputs.len() == 1 && args.paths.len() == 1;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let mut json_items: Vec<serde_json::Value> = Vec::new();
    for entry in inputs {
        let input = match entry {
            Ok(i) => i,
            Err((path, e)) => {
                report(&path, &e);
                failed += 1;
                continue;
            }
        };
        if input.is_article_lines() {
            report(
                &input.display(),
                &anyhow::anyhow!(
                    "holds articles already extracted; store them with `newsdesk add`"
                ),
            );
            failed += 1;
            continue;
        }
        let result = inputs::read(&input, args.max_bytes).and_then(|bytes| {
            let kind = inputs::kind(&input, &bytes, args.as_kind);
            extract_bytes(&bytes, kind, &opts).map_err(anyhow::Error::from)
        });
        let article = match result {
            Ok(a) => a,
            Err(e) => {
                report(&input.display(), &e);
                failed += 1;
                continue;
            }
        };
        if args.format == Format::Article {
            serde_json::to_writer(&mut out, &article)?;
            out.write_all(b"\n")?;
            continue;
        }
        let record = Record::new(&input, &article);
        match args.format {
            Format::Article => {}
            Format::Jsonl => {
                serde_json::to_writer(&mut out, &record)?;
                out.write_all(b"\n")?;
            }
            Format::Json => json_items.push(serde_json::to_value(&record)?),
            Format::Text => write_text(&mut out, &record)?,
        }
    }
    if args.format == Format::Json {
        if single && json_items.len() == 1 {
            serde_json::to_writer_pretty(&mut out, &json_items[0])?;
        } else if !(single && json_items.is_empty()) {
            serde_json::to_writer_pretty(&mut out, &json_items)?;
        }
        out.write_all(b"\n")?;
    }
    out.flush().context("writing output")?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn report(path: &str, e: &anyhow::Error) {
    eprintln!("newsdesk: {path}: {e:#}");
}

fn write_text(out: &mut impl Write, r: &Record<'_>) -> std::io::Result<()> {
    writeln!(out, "{}", r.title.unwrap_or("(no title)"))?;
    let mut meta = Vec::new();
    if let Some(s) = r.source {
        meta.push(s.to_string());
    }
    if let Some(p) = &r.published {
        meta.push(format!("Published {p}"));
    }
    if let Some(u) = &r.updated {
        meta.push(format!("Updated {u}"));
    }
    if !meta.is_empty() {
        writeln!(out, "{}", meta.join(" · "))?;
    }
    if !r.authors.is_empty() {
        writeln!(out, "By {}", r.authors.join(", "))?;
    }
    if !r.printed_instruments.is_empty() {
        writeln!(out, "Instruments: {}", r.printed_instruments.join(", "))?;
    }
    writeln!(out)?;
    if r.dateline.place.is_some() {
        write!(out, "{}", r.dateline.place.unwrap_or_default())?;
        if let Some(a) = r.dateline.agency {
            write!(out, " ({a})")?;
        }
        write!(out, " - ")?;
    }
    writeln!(out, "{}", r.body)?;
    for image in r.images {
        if let Some(c) = &image.caption {
            write!(out, "\n[Image] {c}")?;
            if let Some(cr) = &image.credit {
                write!(out, " ({cr})")?;
            }
            writeln!(out)?;
        }
    }
    for w in r.warnings {
        writeln!(out, "warning: {}", w.message)?;
    }
    writeln!(out, "\n---")?;
    Ok(())
}

/// Runs `newsdesk flatten`.
pub fn run_flatten(args: &FlattenArgs) -> anyhow::Result<ExitCode> {
    let input = if args.path.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(args.path.clone())
    };
    let bytes = inputs::read(&input, newsdesk_extract::DEFAULT_MAX_INPUT_BYTES)
        .with_context(|| input.display())?;
    let decoded = newsdesk_extract::charset::decode_html(&bytes, None);
    let text = newsdesk_extract::flatten::flatten_html(&decoded.text);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
