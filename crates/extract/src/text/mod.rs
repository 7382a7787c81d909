//! Text copied from a rendered news page (select all, copy, paste): find the story inside the
//! page furniture.
//!
//! Pasted text has no markup, so the story is found from the *shape* of the lines alone:
//!
//! 1. **Lines** ([`lines`]): the text is split into non-empty lines with cheap features — size
//!    in words (CJK characters count too), whether the line ends like a sentence, and whether
//!    blank lines surround it (browsers put one after paragraphs and headings).
//! 2. **Roles**: each line is labelled before any scoring, so that long lines which are not
//!    story text cannot pull the story boundaries towards them:
//!    quote chips ([`chips`]: a symbol line followed by a change line), photo captions
//!    (recognised by their credit: "© Reuters.", "REUTERS/…", "(AP Photo/…)", "Getty Images",
//!    "Photo: …", via [`crate::wire::split_caption`]), truncated captions (a line that is a strict
//!    prefix of a later caption: the teaser a slideshow prints before the full caption),
//!    furniture ([`furniture`]: comment and legal headers end the story, side-section headers
//!    break it, noise lines are dropped) and head lines ([`head`]: dates and bylines).
//! 3. **The story span**: every remaining line gets a score — long sentence-like lines are
//!    positive, short or fragmentary lines negative, section headers strongly negative — and the
//!    story is the contiguous span with the largest total (a maximum-subarray scan, linear time).
//!    Text after a comments or legal header that follows real content is out of reach.
//! 4. **The head**: the headline is the prominent short line just before the date/byline zone
//!    that precedes the story; dates and bylines come from that zone.
//! 5. **Blocks**: inside the span, bulleted or numbered lines become lists, short lines between
//!    paragraphs become sub-headings, captions become [`Image`]s (once each), and the first
//!    paragraph's wire dateline is split off.
//!
//! Everything is linear in the input size; no pattern runs on more than a bounded window of a
//! line, so a 50 MB paste finishes in seconds.

mod chips;
mod furniture;
mod head;
pub(crate) mod lines;

use std::collections::HashMap;

use crate::ExtractOptions;
use crate::wire::{self, CaptionParts};
use furniture::Furniture;
use head::{DateRole, HeadInfo};
use lines::Line;
use newsdesk_article::{Article, Block, Image, WarningCode};

/// What a line is, decided before the story span is searched.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    /// Candidate story text.
    Text,
    /// Part of a quote chip.
    Chip,
    /// A photo caption (index into the caption list).
    Caption(usize),
    /// A caption cut short, repeated in full later.
    Truncated,
    /// Page furniture.
    Furniture(Furniture),
    /// A date or byline line (index into the head-info list).
    Meta(usize),
}

/// How many lines before the story the head (headline, dates, byline) is looked for in.
const HEAD_WINDOW: usize = 15;

/// A run of non-story lines costing more than this ends the story.
const GAP_LIMIT: f64 = 60.0;

/// Bonus for the first story-like line after a date/byline zone.
const HEAD_BONUS: f64 = 20.0;

/// Content (in score points) that must precede a comments/legal header for it to end the story.
const TERMINAL_AFTER: f64 = 40.0;

/// Extracts an article from pasted text.
pub fn extract(text: &str, opts: &ExtractOptions) -> Article {
    let ctx = opts.date_context();
    let lines = lines::split_lines(text);
    let n = lines.len();
    if n == 0 {
        let mut article = Article::default();
        crate::html::finish(&mut article);
        return article;
    }
    let mut roles = vec![Role::Text; n];

    // Quote chips.
    let mut chip_symbols: Vec<(usize, String)> = Vec::new();
    {
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let mut i = 0;
        while i < n {
            match chips::chip_at(&texts, i) {
                Some((symbol, span)) => {
                    for r in roles.iter_mut().skip(i).take(span) {
                        *r = Role::Chip;
                    }
                    chip_symbols.push((i, symbol));
                    i += span;
                }
                None => i += 1,
            }
        }
    }

    // Photo captions.
    let mut captions: Vec<CaptionParts> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if roles[i] == Role::Text
            && line.units <= 150
            && let Some(parts) = wire::split_caption(&line.text)
        {
            roles[i] = Role::Caption(captions.len());
            captions.push(parts);
        }
    }
    mark_truncated(&lines, &mut roles);

    // Furniture and head lines.
    let mut heads: Vec<HeadInfo> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if roles[i] != Role::Text {
            continue;
        }
        if let Some(kind) = furniture::classify(line) {
            roles[i] = Role::Furniture(kind);
            continue;
        }
        if line.units <= 40 {
            let info = head::read_head_line(&line.text, line.units, &ctx);
            if info.is_meta() || head::looks_like_date(&line.text, line.units) {
                roles[i] = Role::Meta(heads.len());
                heads.push(info);
            }
        }
    }

    // The story span.
    let mut scores: Vec<f64> = lines.iter().zip(&roles).map(|(l, r)| score(l, r)).collect();
    boost_after_head(&mut scores, &roles);
    let limit = story_limit(&scores, &roles);
    let span = best_span(&scores[..limit]);
    let (start, end) = match span {
        Some(s) => s,
        None => fallback_span(&lines, &roles, limit),
    };
    let end = end.min(n - 1);
    let start = start.min(end);

    let mut article = Article::default();

    // The head.
    let title_idx = find_title(&lines, &roles, start);
    article.title = title_idx.map(|t| lines[t].text.clone());
    let head_from = title_idx.unwrap_or(start.saturating_sub(HEAD_WINDOW));
    read_head(&mut article, &roles, &heads, head_from, start, end);

    // The body.
    let body: Vec<&Line> = (start..=end)
        .filter(|&i| roles[i] == Role::Text)
        .map(|i| &lines[i])
        .collect();
    article.blocks = build_blocks(&body);
    if let Some(Block::Paragraph { text }) = article.blocks.first_mut()
        && let Some((dateline, rest)) = wire::split_dateline(text)
    {
        *text = rest;
        article.dateline = Some(dateline);
    }

    // Images, instruments, source.
    let mut copyright_agency = None;
    for (i, role) in roles.iter().enumerate().take(end + 1).skip(head_from) {
        if let Role::Caption(c) = role {
            let parts = &captions[*c];
            if parts.copyright && copyright_agency.is_none() {
                copyright_agency.clone_from(&parts.agency);
            }
            if parts.caption.is_empty() && parts.credit.is_none() {
                continue;
            }
            let image = Image {
                url: None,
                caption: (!parts.caption.is_empty()).then(|| parts.caption.clone()),
                credit: parts.credit.clone(),
            };
            if !article.images.contains(&image) {
                article.images.push(image);
            }
            let _ = i;
        }
    }
    for (i, symbol) in &chip_symbols {
        if (head_from..=end).contains(i) && !article.printed_instruments.contains(symbol) {
            article.printed_instruments.push(symbol.clone());
        }
    }
    let dateline_agency = article.dateline.as_ref().and_then(|d| d.agency.clone());
    if article.agency.is_none() {
        article.agency = dateline_agency.clone();
    }
    article.source = dateline_agency
        .or(copyright_agency)
        .or_else(|| article.agency.clone());

    crate::html::finish(&mut article);
    article
}

/// Marks lines that are a strict prefix of a later caption (a teaser cut mid-word).
fn mark_truncated(lines: &[Line], roles: &mut [Role]) {
    const KEY: usize = 24;
    let mut by_prefix: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, role) in roles.iter().enumerate() {
        if matches!(role, Role::Caption(_)) && lines[i].text.len() > KEY {
            let bucket = by_prefix
                .entry(lines::prefix(&lines[i].text, KEY))
                .or_default();
            if bucket.len() < 8 {
                bucket.push(i);
            }
        }
    }
    if by_prefix.is_empty() {
        return;
    }
    for i in 0..lines.len() {
        let t = lines[i]
            .text
            .trim_end_matches(['…', '.'])
            .trim_end_matches("...");
        if t.len() <= KEY {
            continue;
        }
        let Some(bucket) = by_prefix.get(lines::prefix(t, KEY)) else {
            continue;
        };
        let truncated = bucket
            .iter()
            .any(|&j| j > i && lines[j].text.len() > t.len() && lines[j].text.starts_with(t));
        if truncated {
            roles[i] = Role::Truncated;
        }
    }
}

/// The score of a line for the story span: positive for story-like text.
fn score(line: &Line, role: &Role) -> f64 {
    match role {
        Role::Text => {
            let u = line.units as f64;
            let mut s = if line.sentence && line.units >= 4 {
                u - 5.0
            } else if line.blank_before && line.blank_after {
                // A paragraph or heading of its own (browsers put blank lines around those),
                // unlike menu and link-list items.
                u - 8.0
            } else {
                u - 12.0
            };
            if truncated_teaser(&line.text) {
                // "…may soon be deemed stateless..." — an excerpt linking to another story.
                s = s.min(-3.0);
            } else if glued_teaser(line.head()) {
                s = s.min(-10.0);
            } else if keyword_list(line) {
                s = -u / 2.0;
            }
            s
        }
        Role::Chip | Role::Caption(_) | Role::Truncated => 0.0,
        Role::Meta(_) => -30.0,
        Role::Furniture(Furniture::Noise) => -4.0,
        Role::Furniture(Furniture::Section) | Role::Furniture(Furniture::Terminal) => -40.0,
    }
}

/// A line cut short with an ellipsis after a word: the excerpt of a teaser card.
fn truncated_teaser(text: &str) -> bool {
    let t = text.trim_end();
    let stem = if let Some(x) = t.strip_suffix("...") {
        x
    } else if let Some(x) = t.strip_suffix('…') {
        x
    } else {
        return false;
    };
    // "…the end of the..." or "…illegally entering the…", not a quotation trailing off ("…'").
    stem.chars().last().is_some_and(char::is_alphanumeric) && lines::units(stem) >= 8
}

/// A teaser card copied as one line: a headline run into its summary with no space
/// ("…Strong WR OptionsThe 49ers…", "…In NASCAR FinaleFord v Toyota…", "…On The
/// Rise?Violence is…"). A lower-case run glued to a capitalised word counts only when that word
/// is a common sentence opener or the words before it are a Title-Case headline, so brand names
/// inside sentences ("the source is DigiTimes, we…") do not.
fn glued_teaser(head: &str) -> bool {
    const OPENERS: &[&str] = &[
        "The", "A", "An", "This", "That", "These", "It", "He", "She", "They", "We", "I", "In",
        "On", "At", "For", "After", "As", "When", "What", "How", "Why", "Who", "Our", "Your", "If",
        "Its", "His", "Her", "Their", "From", "With",
    ];
    let bytes = head.as_bytes();
    for i in 3..bytes.len().saturating_sub(1) {
        if !bytes[i].is_ascii_uppercase() || !bytes[i + 1].is_ascii_lowercase() {
            continue;
        }
        let all_lower = |from: usize, to: usize| {
            bytes
                .get(from..to)
                .is_some_and(|r| r.iter().all(u8::is_ascii_lowercase))
        };
        let lower_run = all_lower(i - 3, i);
        let punct_glue =
            i >= 4 && matches!(bytes[i - 1], b'?' | b'!' | b'.') && all_lower(i - 4, i - 1);
        if !(lower_run || punct_glue) {
            continue;
        }
        if punct_glue {
            return true;
        }
        let rest = &head[i..];
        let word = rest
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or_default();
        if OPENERS.contains(&word) && rest[word.len()..].starts_with(' ') {
            return true;
        }
        // Title Case before the glue: the three preceding words all start with a capital.
        let before = &head[..i];
        let words: Vec<&str> = before.split_whitespace().rev().skip(1).take(3).collect();
        if words.len() == 3
            && words.iter().all(|w| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            })
        {
            return true;
        }
    }
    false
}

/// A tag cloud or keyword list: many words without sentence punctuation, mostly lower-case or
/// split by commas into short items.
fn keyword_list(line: &Line) -> bool {
    if line.sentence || line.units < 10 {
        return false;
    }
    let head = line.head();
    if head.contains(". ") || head.contains('?') || head.contains('!') {
        return false;
    }
    let items: Vec<&str> = head.split(',').collect();
    let short_items = items.len() >= 5 && items.iter().all(|i| i.split_whitespace().count() <= 4);
    let words: Vec<&str> = head.split_whitespace().collect();
    let lower = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count();
    short_items || lower * 10 >= words.len() * 9
}

/// The first story line after a date/byline zone is very likely where a story starts: give it
/// a head start so the span prefers it over teaser blocks elsewhere on the page.
fn boost_after_head(scores: &mut [f64], roles: &[Role]) {
    let mut since_meta: Option<usize> = None;
    for (i, role) in roles.iter().enumerate() {
        match role {
            Role::Meta(_) => since_meta = Some(0),
            Role::Text => {
                if since_meta.is_some_and(|d| d <= 3) && scores[i] > 0.0 {
                    scores[i] += HEAD_BONUS;
                }
                since_meta = None;
            }
            _ => since_meta = since_meta.map(|d| d + 1),
        }
    }
}

/// Index of the first comments/legal header that follows real content: the story cannot reach it.
fn story_limit(scores: &[f64], roles: &[Role]) -> usize {
    let mut content = 0.0;
    for (i, role) in roles.iter().enumerate() {
        if *role == Role::Furniture(Furniture::Terminal) && content >= TERMINAL_AFTER {
            return i;
        }
        if *role == Role::Text && scores[i] > 0.0 {
            content += scores[i];
        }
    }
    roles.len()
}

/// The story span: the line scores are cut into islands wherever a run of non-positive lines
/// costs more than [`GAP_LIMIT`] (a long menu, a related-links box, a teaser's date line),
/// and inside an island smaller gaps are bridged when the text on both sides outweighs them
/// (a maximum-subarray scan). The island with the largest total wins.
fn best_span(scores: &[f64]) -> Option<(usize, usize)> {
    let gap_limit = GAP_LIMIT;
    let mut best: Option<(f64, usize, usize)> = None;
    // Kadane state inside the current island.
    let mut sum = 0.0;
    let mut from = 0;
    // Cost of the current run of non-positive lines.
    let mut gap = 0.0;
    for (i, &s) in scores.iter().enumerate() {
        if s <= 0.0 {
            gap += s;
            if gap < -gap_limit {
                // The island is over: nothing after this can join what came before.
                sum = 0.0;
            } else {
                sum += s;
            }
            continue;
        }
        gap = 0.0;
        if sum <= 0.0 {
            sum = 0.0;
            from = i;
        }
        sum += s;
        if best.is_none_or(|(b, _, _)| sum > b) {
            best = Some((sum, from, i));
        }
    }
    let (_, mut from, to) = best?;
    // Do not start on a zero-score line (caption, chip): start at the first scoring line.
    while from < to && scores[from] <= 0.0 {
        from += 1;
    }
    Some((from, to))
}

/// With no positive span (a very short text), the story is every text line.
fn fallback_span(lines: &[Line], roles: &[Role], limit: usize) -> (usize, usize) {
    let text: Vec<usize> = (0..limit)
        .filter(|&i| roles[i] == Role::Text && lines[i].units >= 1)
        .collect();
    match (text.first(), text.last()) {
        // Leave the first line to be the title when there is more than one.
        (Some(&a), Some(&b)) if text.len() > 1 => (text.get(1).copied().unwrap_or(a), b),
        (Some(&a), Some(&b)) => (a, b),
        _ => (0, 0),
    }
}

/// A line shaped like a headline: a few words, not a full sentence, not furniture.
fn title_shaped(line: &Line) -> bool {
    let t = line.text.as_str();
    let chars = t.chars().count();
    (2..=35).contains(&line.units)
        && chars <= 250
        && (!t.ends_with('.') || t.ends_with("..."))
        && !t.ends_with(':')
        && !t.ends_with(',')
        && t.chars().any(char::is_alphabetic)
}

/// The headline: the best title-shaped line in the head window before the story, preferring
/// one directly followed by the date/byline zone and one followed by a blank line.
fn find_title(lines: &[Line], roles: &[Role], start: usize) -> Option<usize> {
    let from = start.saturating_sub(HEAD_WINDOW);
    let mut best: Option<(f64, usize)> = None;
    for i in (from..start).rev() {
        if roles[i] != Role::Text || !title_shaped(&lines[i]) {
            continue;
        }
        let distance = (start - i) as f64;
        let mut s = 10.0 - distance * 0.5;
        // Next non-skipped line is a date or byline.
        let next_meta = (i + 1..start)
            .find(|&j| !matches!(roles[j], Role::Furniture(Furniture::Noise)))
            .is_some_and(|j| matches!(roles[j], Role::Meta(_)));
        if next_meta {
            s += 6.0;
        }
        if lines[i].blank_after {
            s += 2.0;
        }
        if lines[i].units >= 4 {
            s += 2.0;
        }
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, i));
        }
    }
    best.map(|(_, i)| i)
}

/// Dates, authors and agency from the head zone (between headline and story), falling back to
/// date lines elsewhere in the page.
fn read_head(
    article: &mut Article,
    roles: &[Role],
    heads: &[HeadInfo],
    head_from: usize,
    start: usize,
    end: usize,
) {
    let meta_at = |i: usize| match roles.get(i) {
        Some(Role::Meta(m)) => heads.get(*m),
        _ => None,
    };
    let mut relative = false;
    // Head zone first, then the story span, then the rest of the page in order.
    let order = (head_from..start)
        .chain(start..=end)
        .chain(0..head_from)
        .chain(end + 1..roles.len());
    for i in order {
        let Some(info) = meta_at(i) else { continue };
        let in_head = (head_from..=end).contains(&i);
        for (role, date) in &info.dates {
            match role {
                DateRole::Published if article.published.is_none() => {
                    article.published = Some(date.time.clone());
                    relative |= date.relative;
                }
                // A "last update" far from the story dates the page, not the story.
                DateRole::Updated if article.updated.is_none() && in_head => {
                    article.updated = Some(date.time.clone());
                    relative |= date.relative;
                }
                _ => {}
            }
        }
        if in_head && article.authors.is_empty() {
            article.authors.clone_from(&info.authors);
        }
        if in_head && article.agency.is_none() {
            article.agency.clone_from(&info.agency);
        }
    }
    if relative {
        article.warn(
            WarningCode::RelativeDate,
            "a relative date was resolved against the current time",
        );
    }
    if let (Some(p), Some(u)) = (&article.published, &article.updated)
        && p.instant == u.instant
    {
        article.updated = None;
    }
}

/// A list marker at the start of a line: the item text and whether the list is numbered.
fn list_item(text: &str) -> Option<(&str, bool)> {
    for bullet in ['•', '◦', '▪', '●', '►', '‣', '-', '*', '–'] {
        if let Some(rest) = text.strip_prefix(bullet)
            && rest.starts_with(' ')
            && rest.trim().chars().count() > 1
        {
            return Some((rest.trim(), false));
        }
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &text[digits..];
        if let Some(item) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))
            && item.trim().chars().count() > 1
        {
            return Some((item.trim(), true));
        }
    }
    None
}

/// Turns the story's lines into blocks: lists, sub-headings and paragraphs.
fn build_blocks(body: &[&Line]) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        if let Some((item, ordered)) = list_item(&line.text) {
            // A run of items with the same kind of marker; a lone "-" or "*" line is not a list.
            let mut items = vec![item.to_string()];
            let mut j = i + 1;
            while let Some((next, o)) = body.get(j).and_then(|l| list_item(&l.text)) {
                if o != ordered {
                    break;
                }
                items.push(next.to_string());
                j += 1;
            }
            let strong_bullet = !matches!(line.text.chars().next(), Some('-' | '*' | '–'));
            if items.len() >= 2 || strong_bullet && !ordered {
                blocks.push(Block::List { ordered, items });
                i = j;
                continue;
            }
        }
        let next_is_paragraph = body.get(i + 1).is_some_and(|n| {
            n.units >= 12 || n.sentence && n.units >= 5 || list_item(&n.text).is_some()
        });
        let headingish = line.units <= 12
            && line.text.chars().count() <= 120
            && !line.text.ends_with(['.', ',', ';', '!'])
            && !line.text.ends_with("。")
            && line.text.chars().next().is_some_and(|c| !c.is_lowercase());
        if headingish && next_is_paragraph && !blocks.is_empty() {
            blocks.push(Block::Heading {
                level: 2,
                text: line.text.clone(),
            });
        } else if line.units <= 3 && !line.sentence {
            // A stray fragment (button label, credit, counter) inside the story.
        } else {
            blocks.push(Block::paragraph(line.text.clone()));
        }
        i += 1;
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Article {
        extract(text, &ExtractOptions::default())
    }

    const PARA: &str = "The central bank raised its benchmark rate by a quarter of a percentage point on Wednesday, its tenth increase in a row, and signalled that more tightening may follow.";

    #[test]
    fn story_span_skips_menus_and_comments() {
        let text = format!(
            "Home\nMarkets\nEconomy\n\nRates rise again\n\nBy Jane Doe\n\n{PARA}\n\n{PARA}\n\nComments\n\n{PARA}\n"
        );
        let a = run(&text);
        assert_eq!(a.title.as_deref(), Some("Rates rise again"));
        assert_eq!(a.authors, ["Jane Doe"]);
        assert_eq!(a.blocks.len(), 2);
    }

    #[test]
    fn lists_and_headings_inside_the_story() {
        let text = format!(
            "Headline here for the story\n\n{PARA}\n\nWhat changes\n\n{PARA}\n• first point of the list\n• second point of the list\n\n{PARA}\n"
        );
        let a = run(&text);
        assert!(matches!(&a.blocks[1], Block::Heading { text, .. } if text == "What changes"));
        assert!(matches!(&a.blocks[3], Block::List { ordered: false, items } if items.len() == 2));
    }

    #[test]
    fn truncated_caption_is_dropped_and_full_caption_kept_once() {
        let cap = "© Reuters. A trader looks at screens in Frankfurt, Germany, May 2, 2023. REUTERS/Jane Roe";
        let cut = &cap[..60];
        let text = format!("Stocks slip as rates rise\n\n{cut}\n\n{PARA}\n\n{cap}\n\n{PARA}\n");
        let a = run(&text);
        assert_eq!(a.images.len(), 1);
        assert_eq!(a.images[0].credit.as_deref(), Some("REUTERS/Jane Roe"));
        assert!(!a.body_text().contains("Frankfurt"));
        assert_eq!(a.source.as_deref(), Some("Reuters"));
    }

    #[test]
    fn glued_teasers_but_not_brand_names() {
        assert!(glued_teaser(
            "Strong WR OptionsThe 49ers and Giants rookies"
        ));
        assert!(!glued_teaser(
            "according to DigiTimes, SoftBank and PlayStation makers"
        ));
    }

    #[test]
    fn empty_and_tiny_inputs_do_not_panic() {
        for t in ["", "\n\n", "x", "Title only", "-\n-\n-", "© ", "By "] {
            let _ = run(t);
        }
    }
}
