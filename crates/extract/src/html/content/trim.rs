//! Trimming the emitted blocks: what the container choice lets through but a reader would not
//! call part of the story.
//!
//! - anywhere: blocks that are mostly links, and short stand-alone boilerplate lines
//!   ("Advertisement", "Read more: …", "Sign up for our newsletter");
//! - the headline, and anything before it when that is little (kickers, breadcrumbs);
//! - at the start: bylines, datelines of the "Updated 3 hours ago" kind, short fragments that
//!   are not sentences;
//! - at the end: the same, plus trailing headings with nothing under them ("Related stories").

use super::Hints;
use super::emit::Piece;
use crate::clean::{ends_like_sentence, word_count};
use newsdesk_article::Block;
use regex::Regex;
use std::sync::LazyLock;

/// Blocks with more than this share of link text are navigation, not prose.
const MAX_LINK_DENSITY: f32 = 0.5;

/// Boilerplate lines are only recognised when short: a long paragraph starting "Read more"
/// is prose.
const BOILERPLATE_MAX_WORDS: usize = 15;

static BOILERPLATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            advertisement | advertising | advert | ad | sponsored(?:\ content)? | anzeige | publicidad
          | story\ continues\ below.* | continue\ reading.* | read\ more.* | read\ next.*
          | keep\ reading.* | recommended.* | related(?:\ \w+)?\s*:?.* | more\ on\ this.*
          | see\ also.* | also\ read.* | read\ also.* | must\ read.* | trending.*
          | share\ this.* | share\ (?:on|via)\ .* | share | tweet | email | print | comments?
          | click\ here.* | sign\ up.* | subscribe.* | follow\ (?:us|me)\b.*
          | like\ us\ on\ .* | download\ (?:the|our)\ .* | get\ (?:the|our)\ .*\ newsletter.*
          | copyright.* | ©.* | all\ rights\ reserved.* | leave\ a\ (?:comment|reply).*
          | tags?\s*:.* | topics?\s*:.* | filed\ under.* | image\ source.* | skip\ (?:to\ )?.*
          | (?:photo|image|picture|video|credit|source)s?\s*:.* | watch\s*:.* | listen\s*:.*
          | you\ (?:may|might)\ also\ like.* | more\ from\ .* | don'?t\ miss.*
          | .*\bclick\ here\b.* | .*\brequires\ javascript\b.* | .*\benable\ javascript\b.*
          | \[[a-z_]+\b[^\]]*\].*
        )$",
    )
    .ok()
});

static EDGE_JUNK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            (?:by|von|por|par|di|door|av)\s+\S.*
          | (?:posted|published|updated|last\ updated|first\ published|modified)\b.*
          | \d+\s+min(?:ute)?s?\ read.* | \d+\s+(?:comments?|shares?|views?).*
        )$",
    )
    .ok()
});

static TAIL_JUNK: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\bcopyright\b|©|\ball rights reserved\b|^citation\s*:").ok());

static DATE_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}:\d{2}\b",
    )
    .ok()
});

fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(text))
}

/// Applies all trimming rules and returns the body blocks.
pub(super) fn trim(pieces: Vec<Piece>, hints: &Hints<'_>) -> Vec<Block> {
    let mut pieces: Vec<Piece> = pieces
        .into_iter()
        .filter(|p| !is_link_block(p) && !is_boilerplate(&p.block))
        .collect();
    drop_through_title(&mut pieces, hints.title);
    let start = pieces
        .iter()
        .position(|p| !is_edge_junk(&p.block, true))
        .unwrap_or(pieces.len());
    pieces.drain(..start);
    while pieces.last().is_some_and(|p| is_edge_junk(&p.block, false)) {
        pieces.pop();
    }
    pieces.into_iter().map(|p| p.block).collect()
}

/// A block that is mostly link text (navigation, "Related: <headline>").
fn is_link_block(p: &Piece) -> bool {
    !matches!(p.block, Block::Preformatted { .. }) && p.link_density() > MAX_LINK_DENSITY
}

/// A short stand-alone boilerplate line.
fn is_boilerplate(block: &Block) -> bool {
    let text = match block {
        Block::Paragraph { text } | Block::Heading { text, .. } => text,
        _ => return false,
    };
    let t = text.trim_matches(|c: char| !c.is_alphanumeric() && c != '©');
    word_count(t) <= BOILERPLATE_MAX_WORDS && matches(&BOILERPLATE, t)
}

/// Junk at the start (`head`) or end of the story: bylines, dates, short fragments that are not
/// sentences; at the end also headings with nothing after them.
fn is_edge_junk(block: &Block, head: bool) -> bool {
    match block {
        Block::Heading { .. } => !head,
        Block::Paragraph { text } => {
            let words = word_count(text);
            if words <= 12 && (matches(&EDGE_JUNK, text) || (head && matches(&DATE_LINE, text))) {
                return true;
            }
            if !head && words <= 40 && matches(&TAIL_JUNK, text) {
                return true;
            }
            words < 6 && !ends_like_sentence(text)
        }
        Block::List { items, .. } => {
            // A trailing/leading list of short fragments (tags, share buttons).
            items.iter().all(|i| word_count(i) <= 3)
        }
        _ => false,
    }
}

/// Normalises for comparison: lower-case alphanumerics only.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Drops the headline and, when they are little, the blocks before it (kicker, breadcrumbs,
/// section label). The headline is found by its text (the metadata title may carry a
/// " | Site" suffix, so a headline that is a prefix of the title counts).
fn drop_through_title(pieces: &mut Vec<Piece>, title: Option<&str>) {
    let total: u32 = pieces.iter().map(|p| p.chars).sum();
    let title = title.map(norm).filter(|t| t.len() >= 10);
    let found = pieces.iter().take(12).position(|p| {
        let text = norm(&p.block.plain_text());
        let is_title = match &title {
            Some(t) => {
                text.len() >= 10
                    && (*t == text || (t.starts_with(&text) && text.len() * 2 >= t.len()))
            }
            None => false,
        };
        is_title || matches!(p.block, Block::Heading { level: 1, .. })
    });
    if let Some(k) = found {
        let before: u32 = pieces[..k].iter().map(|p| p.chars).sum();
        if before * 4 <= total {
            pieces.drain(..=k);
        }
    }
}
