//! The bundled demo corpus (`demo/corpus.jsonl`, see `demo/ATTRIBUTION.md`): 300 openly licensed
//! items — Federal Reserve statements (original HTML pages and text), White House trade fact
//! sheets and Wikinews business articles — turned into articles with the real pipeline, so
//! `newsdesk serve --demo` shows a populated site offline.
//!
//! HTML pages go through the extractor like any fetched page. Markdown items (YAML-style front
//! matter with JSON-quoted values, then text) become articles here: front matter gives title,
//! URL and times; the text gives paragraphs, headings and lists.

use anyhow::{Context, bail};
use jiff::Timestamp;
use jiff::civil::Date;
use newsdesk_article::{Article, Block, SourceTime};
use newsdesk_extract::ExtractOptions;
use newsdesk_store::NewSource;
use serde::Deserialize;

/// The corpus, one JSON object per line (manifest entry + `raw` file content).
pub const CORPUS: &str = include_str!("../demo/corpus.jsonl");

/// The attribution the Wikinews licence requires, shown on the site's About page.
pub const ATTRIBUTION: &str = "News articles from Wikinews (https://en.wikinews.org), © Wikinews \
contributors, licensed under CC BY 2.5; text taken from the NewsReader MEANTIME corpus (Minard et \
al., LREC 2016), © 2015 FBK, VU Amsterdam, UPV/EHU, CC BY 4.0. Text re-joined from tokens; \
paragraphing not preserved. Federal Reserve statements and White House fact sheets are works of \
the U.S. federal government (public domain).";

#[derive(Debug, Deserialize)]
struct Item {
    id: String,
    url: String,
    published: String,
    path: String,
    raw: String,
}

/// One demo article with the source it belongs to.
#[derive(Debug, Clone)]
pub struct DemoArticle {
    /// The corpus item id (stable; used in errors and tests).
    pub id: String,
    /// Its publisher.
    pub source: NewSource,
    /// The article.
    pub article: Article,
}

/// The demo's publishers, by the corpus folder their items live in.
fn source_for(path: &str) -> anyhow::Result<NewSource> {
    let (slug, name, home, zone) = match path.split('/').next().unwrap_or_default() {
        "fed-fomc" | "fed-fomc-html" => (
            "federal-reserve",
            "Federal Reserve Board",
            "https://www.federalreserve.gov/",
            "America/New_York",
        ),
        "whitehouse-trade" => (
            "white-house",
            "The White House",
            "https://www.whitehouse.gov/",
            "America/New_York",
        ),
        "wikinews-meantime" => ("wikinews", "Wikinews", "https://en.wikinews.org/", "UTC"),
        other => bail!("demo item in unknown folder {other:?}"),
    };
    Ok(NewSource {
        slug: slug.into(),
        name: name.into(),
        homepage_url: Some(home.into()),
        time_zone: zone.into(),
    })
}

/// Parses every corpus item. Fails on the first item that does not parse (the corpus is ours;
/// a broken line is a build defect, caught by the tests).
pub fn articles() -> anyhow::Result<Vec<DemoArticle>> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            let item: Item = serde_json::from_str(line)
                .with_context(|| format!("demo corpus line {}", n + 1))?;
            let source = source_for(&item.path)?;
            let article =
                to_article(&item, &source).with_context(|| format!("demo item {}", item.id))?;
            Ok(DemoArticle {
                id: item.id,
                source,
                article,
            })
        })
        .collect()
}

/// Stores the demo corpus (idempotent: a second load finds every story unchanged and writes
/// nothing). The fetch time is fixed, so reloading never marks a story "updated".
pub async fn load(
    store: std::sync::Arc<dyn newsdesk_store::Store>,
    kb: &newsdesk_tag::Kb,
) -> anyhow::Result<crate::add_cmd::AddSummary> {
    let items = tokio::task::spawn_blocking(articles)
        .await
        .context("parsing the demo corpus")??;
    let fetched_at: Timestamp = "2026-11-01T00:00:00Z".parse().context("demo fetch time")?;
    let mut ingest = crate::add_cmd::Ingest::new(store, Some(kb), 100);
    for item in items {
        let sid = ingest.source_id(&item.source).await?;
        ingest.push(sid, item.article, fetched_at).await?;
    }
    ingest.finish().await
}

fn to_article(item: &Item, source: &NewSource) -> anyhow::Result<Article> {
    let zone = newsdesk_article::parse_zone(&source.time_zone)
        .with_context(|| format!("zone {}", source.time_zone))?;
    if item.path.ends_with(".html") {
        let opts = ExtractOptions {
            url: Some(item.url.clone()),
            zone: Some(zone.clone()),
            ..ExtractOptions::default()
        };
        let mut article = newsdesk_extract::extract_html(item.raw.as_bytes(), &opts)?;
        if article.published.is_none() {
            article.published = Some(date_time(&item.published, &zone)?);
        }
        if article.url.is_none() {
            article.url = Some(item.url.clone());
        }
        article.source = Some(source.name.clone());
        return Ok(article);
    }
    let (front, body) = split_front_matter(&item.raw)?;
    let field = |k: &str| {
        front
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let published = match field("published_time") {
        Some(t) => parse_offset_time(t)?,
        None => date_time(field("published").unwrap_or(&item.published), &zone)?,
    };
    let mut title = field("title").unwrap_or_default().trim().to_string();
    let date_label = published
        .instant
        .to_zoned_datetime(zone.clone())
        .strftime("%B %-d, %Y")
        .to_string();
    if is_generic_title(&title) {
        title = format!("{title} — {date_label}");
    }
    let one_sentence_per_line =
        field("text_note").is_some_and(|n| n.contains("one sentence per line"));
    let mut blocks = markdown_blocks(body, one_sentence_per_line);
    // Leading furniture of the statements: a date line and "For immediate release".
    while let Some(Block::Paragraph { text }) = blocks.first() {
        let t = text.trim().to_ascii_lowercase();
        if t == date_label.to_ascii_lowercase()
            || t.starts_with("for immediate release")
            || t.starts_with("for release at")
        {
            blocks.remove(0);
        } else {
            break;
        }
    }
    Ok(Article {
        url: Some(field("url").unwrap_or(&item.url).to_string()),
        title: Some(title),
        source: Some(source.name.clone()),
        published: Some(published),
        language: Some("en".into()),
        blocks,
        ..Article::default()
    })
}

fn is_generic_title(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    l == "fomc statement"
        || l == "federal reserve issues fomc statement"
        || l.starts_with("federal reserve issues fomc statement")
}

/// Midnight of a `YYYY-MM-DD` date in the source's zone (the corpus gives only the day).
fn date_time(date: &str, zone: &jiff::tz::TimeZone) -> anyhow::Result<SourceTime> {
    let d: Date = date.parse().with_context(|| format!("date {date:?}"))?;
    let z = d
        .to_zoned_datetime(zone.clone())
        .with_context(|| format!("date {date:?}"))?;
    Ok(SourceTime::new(z.timestamp(), zone.clone(), false))
}

/// An RFC 3339 time with offset, kept in that offset.
fn parse_offset_time(s: &str) -> anyhow::Result<SourceTime> {
    let ts: Timestamp = s.parse().with_context(|| format!("time {s:?}"))?;
    let offset = s
        .get(s.len().saturating_sub(6)..)
        .and_then(newsdesk_article::parse_offset)
        .unwrap_or(jiff::tz::Offset::UTC);
    Ok(SourceTime::new(
        ts,
        jiff::tz::TimeZone::fixed(offset),
        false,
    ))
}

/// Splits `---\nkey: "json string"\n…\n---\n` from the text. Values are JSON-quoted strings.
fn split_front_matter(raw: &str) -> anyhow::Result<(Vec<(String, String)>, &str)> {
    let rest = raw.strip_prefix("---\n").context("no front matter")?;
    let end = rest.find("\n---\n").context("front matter not closed")?;
    let mut fields = Vec::new();
    for line in rest[..end].lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        let value = serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_string());
        fields.push((k.trim().to_string(), value));
    }
    Ok((fields, &rest[end + 5..]))
}

/// Paragraphs (blank-line separated, lines re-joined), `#` headings, `-`/`*`/`1.` lists; inline
/// Markdown (`**bold**`, `[text](url)`) reduced to its text. With `one_sentence_per_line`, lines
/// of a paragraph are grouped three sentences to a paragraph.
fn markdown_blocks(text: &str, one_sentence_per_line: bool) -> Vec<Block> {
    let mut blocks = Vec::new();
    let normalised = text.replace("\r\n", "\n");
    for chunk in normalised.split("\n\n") {
        let lines: Vec<&str> = chunk
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let first = lines[0].trim_start();
        if let Some(h) = first.strip_prefix('#') {
            let level = 1 + h.chars().take_while(|&c| c == '#').count();
            let text = inline(h.trim_start_matches('#').trim());
            if !text.is_empty() {
                blocks.push(Block::Heading {
                    level: (level.clamp(2, 6)) as u8,
                    text,
                });
            }
            continue;
        }
        if list_marker(first).is_some() {
            let mut items: Vec<String> = Vec::new();
            let mut ordered = false;
            for line in &lines {
                let l = line.trim_start();
                if let Some((rest, is_ordered)) = list_marker(l) {
                    ordered = is_ordered;
                    items.push(rest.trim().to_string());
                } else if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(l.trim());
                }
            }
            let items: Vec<String> = items
                .iter()
                .map(|i| inline(i))
                .filter(|i| !i.is_empty())
                .collect();
            match blocks.last_mut() {
                Some(Block::List {
                    ordered: o,
                    items: prev,
                }) if *o == ordered => prev.extend(items),
                _ => blocks.push(Block::List { ordered, items }),
            }
            continue;
        }
        if one_sentence_per_line {
            for group in lines.chunks(3) {
                let text = inline(&group.join(" "));
                if !text.is_empty() {
                    blocks.push(Block::paragraph(text));
                }
            }
        } else {
            let text = inline(&lines.join(" "));
            if !text.is_empty() {
                blocks.push(Block::paragraph(text));
            }
        }
    }
    blocks
}

fn list_marker(line: &str) -> Option<(&str, bool)> {
    for m in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(m) {
            return Some((rest, false));
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && digits < 4
        && let Some(rest) = line[digits..].strip_prefix(". ")
    {
        return Some((rest, true));
    }
    None
}

/// Inline Markdown to plain text: emphasis markers dropped, links to their text, whitespace
/// collapsed.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after
            .find("](")
            .and_then(|j| after[j + 2..].find(')').map(|k| (j, j + 2 + k)))
        {
            Some((j, close)) if !after[..j].contains('[') => {
                out.push_str(&after[..j]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let out = out.replace("**", "").replace("__", "");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn every_item_parses_into_a_readable_article() {
        let all = articles().unwrap();
        assert_eq!(all.len(), 300);
        for d in &all {
            let a = &d.article;
            assert!(
                a.title.as_deref().is_some_and(|t| t.len() > 5),
                "{}: title",
                d.id
            );
            assert!(a.published.is_some(), "{}: published", d.id);
            assert!(
                a.url.as_deref().is_some_and(|u| u.starts_with("http")),
                "{}: url",
                d.id
            );
            assert!(
                a.word_count() >= 30,
                "{}: only {} words",
                d.id,
                a.word_count()
            );
            let body = a.body_text();
            assert!(
                !body.contains("**") && !body.contains("]("),
                "{}: markdown left: {body}",
                d.id
            );
            assert!(
                !body.contains("<script") && !body.contains("google-analytics"),
                "{}",
                d.id
            );
        }
        let sources: std::collections::BTreeSet<_> =
            all.iter().map(|d| d.source.slug.clone()).collect();
        assert_eq!(sources.len(), 3);
    }

    #[test]
    fn generic_fed_titles_get_their_date_and_release_furniture_is_dropped() {
        let all = articles().unwrap();
        let d = all
            .iter()
            .find(|d| d.id == "fed-2008-01-22-fomc-statement")
            .unwrap();
        assert_eq!(
            d.article.title.as_deref(),
            Some("FOMC statement — January 22, 2008")
        );
        let first = d.article.blocks.first().unwrap().plain_text();
        assert!(
            first.starts_with("The Federal Open Market Committee has decided"),
            "{first}"
        );
    }

    #[test]
    fn release_times_keep_their_offset() {
        let all = articles().unwrap();
        let d = all
            .iter()
            .find(|d| d.id.starts_with("fed-2008-10-08-fomc-statement"))
            .unwrap();
        let p = d.article.published.as_ref().unwrap();
        assert_eq!(p.to_rfc3339(), "2008-10-08T07:00:00-04:00");
    }

    #[test]
    fn markdown_lists_links_and_headings() {
        let b = markdown_blocks(
            "## Heading\n\n**BOLD**: see [the order](https://x.example/o) now.\n\n-   one\n    continued\n-   two\n",
            false,
        );
        assert_eq!(
            b,
            vec![
                Block::Heading {
                    level: 2,
                    text: "Heading".into()
                },
                Block::paragraph("BOLD: see the order now."),
                Block::List {
                    ordered: false,
                    items: vec!["one continued".into(), "two".into()]
                },
            ]
        );
    }
}
