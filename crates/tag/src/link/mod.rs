//! The linker: one story (title + text) in, instruments with roles, scores and reasons out, plus
//! the countries the story is about.
//!
//! Evidence comes from four readers, each a named rule in the reasons:
//! - **codes** printed in the text: Reuters codes (`<JNJ.N>`, `<.N225>`), exchange-prefixed
//!   tickers (`(NASDAQ:AAPL)`, `(AX:ALU)`), cashtags (`$AAPL`), tickers in brackets after the
//!   company's name (`Apple Inc (AAPL)`), currency pairs (`EUR/USD`), display codes (`JP225`);
//! - **names** from the gazetteer, matched leftmost-longest on whole words with per-alias case
//!   rules; company names that are also common words or people's names (Apple, Target, Ford)
//!   need a corporate cue, and are refused next to a person's first name or a title ("Harrison
//!   Ford", "Mr Ford") or a place word ("Amazon rainforest");
//! - **countries, places and institutions**: each mention is evidence that the story is about a
//!   country, weighted by where it stands (dateline > headline > lead > body); the countries with
//!   enough evidence are the story's countries, and a story that is mainly about one country
//!   moves its benchmark index and currency ("country-focus"); "Japanese stocks" names the index
//!   outright ("country-market"); central banks move their rates and currency;
//! - **datelines** ("NASHVILLE, Tenn., March 3 -", "WASHINGTON (Reuters) -") weigh most.
//!
//! Scores combine evidence as independent votes, `1 - Π(1 - wᵢ)`, each vote the rule's base
//! weight times its zone's weight.

use crate::kb::{Alias, Class, Instrument, Kb, Kind, Mode, PlaceKind, Target};
use crate::text::{Case, CharIndex, FxMap, Tok, case_of, joinable_gap, push_key_bytes, tokenize};
use serde::Serialize;
use std::borrow::Cow;

/// Where a reason's span is: offsets count characters of that field as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The headline.
    Title,
    /// The story text.
    Text,
}

/// Whether the story is about the instrument or only mentions it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The story is about it.
    Primary,
    /// The story mentions it.
    Mentioned,
}

impl Role {
    /// `"primary"` or `"mentioned"` (the store's `LinkRole` names).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Mentioned => "mentioned",
        }
    }
}

/// One piece of evidence: a span of the title or text and the rule that read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Title or text.
    pub field: Field,
    /// Start, in characters of the field.
    pub start: usize,
    /// End (exclusive), in characters of the field.
    pub end: usize,
    /// The field's characters `start..end`.
    pub text: String,
    /// Rule name (`ric`, `company-name`, `country-focus` …).
    pub rule: &'static str,
}

/// A link from the story to one instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link<'k> {
    /// The instrument (borrowed from the knowledge base, or built from a printed code it lacks).
    pub instrument: Cow<'k, Instrument>,
    /// Primary or mentioned.
    pub role: Role,
    /// Confidence in [0, 1].
    pub score: f64,
    /// Evidence, in order of appearance (title first).
    pub reasons: Vec<Reason>,
}

impl Link<'_> {
    /// The score in basis points (0..=10,000), as the store keeps it.
    pub fn score_bp(&self) -> i64 {
        (self.score.clamp(0.0, 1.0) * 10_000.0).round() as i64
    }

    /// The reasons as JSON for the store's `InstrumentLink::reasons`:
    /// `[{"field": "title"|"text", "start", "end", "text", "rule"}, …]` (character offsets).
    pub fn reasons_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.reasons).unwrap_or(serde_json::Value::Null)
    }

    /// A short human explanation of the link for a chip's tooltip, most frequent evidence
    /// first: `"Japan ×3, Tokyo, Japan's"`.
    pub fn explain(&self) -> String {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for r in &self.reasons {
            match counts.iter_mut().find(|(t, _)| *t == r.text) {
                Some(c) => c.1 += 1,
                None => counts.push((&r.text, 1)),
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        counts
            .iter()
            .map(|(t, n)| {
                if *n > 1 {
                    format!("{t} ×{n}")
                } else {
                    (*t).to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A country the story is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryFocus {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// Share of the strongest country's evidence, in (0, 1].
    pub score: f64,
    /// Mentions that made it.
    pub reasons: Vec<Reason>,
}

/// What the linker found in one story (instruments borrow from the knowledge base).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tagging<'k> {
    /// Countries the story is about, strongest first.
    pub countries: Vec<CountryFocus>,
    /// Linked instruments, highest score first.
    pub instruments: Vec<Link<'k>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Title,
    Dateline,
    Lead,
    Body,
}

impl Zone {
    /// How much an instrument mention counts here.
    fn inst_weight(self) -> f64 {
        match self {
            Zone::Title | Zone::Dateline => 1.0,
            Zone::Lead => 0.95,
            Zone::Body => 0.8,
        }
    }
    /// How much a country mention counts towards "the story is about this country".
    fn country_weight(self) -> f64 {
        match self {
            Zone::Dateline => 3.0,
            Zone::Title => 2.0,
            Zone::Lead => 1.5,
            Zone::Body => 1.0,
        }
    }
}

/// One field (title or text) prepared for reading.
struct Doc<'a> {
    field: Field,
    s: &'a str,
    toks: Vec<Tok>,
    /// Most letters are capitals (wire headlines): case says little.
    shouting: bool,
    /// Byte span of the dateline's place ("NASHVILLE, Tenn.").
    dateline: Option<(u32, u32)>,
    /// End of the lead (first sentence) in bytes.
    lead_end: u32,
}

impl<'a> Doc<'a> {
    fn new(field: Field, s: &'a str, mut toks: Vec<Tok>) -> Self {
        toks.clear();
        tokenize(s, &mut toks);
        let (mut upper, mut lower) = (0usize, 0usize);
        let probe = if field == Field::Title { 1000 } else { 300 };
        for b in s.bytes().take(probe) {
            if b.is_ascii_uppercase() {
                upper += 1;
            } else if b.is_ascii_lowercase() {
                lower += 1;
            }
        }
        let shouting = upper >= 4 && upper > 3 * lower;
        let dateline = if field == Field::Text {
            find_dateline(s)
        } else {
            None
        };
        let lead_end = if field == Field::Text {
            lead_end(s, dateline.map(|d| d.1 as usize).unwrap_or(0)) as u32
        } else {
            s.len() as u32
        };
        Doc {
            field,
            s,
            toks,
            shouting,
            dateline,
            lead_end,
        }
    }

    fn word(&self, i: usize) -> &'a str {
        self.toks.get(i).map(|t| t.as_str(self.s)).unwrap_or("")
    }

    fn gap(&self, i: usize) -> &'a str {
        // Gap between token i-1 and token i.
        match (
            i.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.toks.get(i),
        ) {
            (Some(a), Some(b)) => self.s.get(a.end as usize..b.start as usize).unwrap_or(""),
            _ => "",
        }
    }

    fn zone(&self, start: u32) -> Zone {
        if self.field == Field::Title {
            return Zone::Title;
        }
        if let Some((a, b)) = self.dateline
            && start >= a
            && start < b
        {
            return Zone::Dateline;
        }
        if start < self.lead_end {
            Zone::Lead
        } else {
            Zone::Body
        }
    }

    /// Whether token i starts a sentence (so its capital letter says nothing).
    fn sentence_initial(&self, i: usize) -> bool {
        if i == 0 {
            return true;
        }
        if let Some((_, end)) = self.dateline {
            let prev_end = self.toks[i - 1].end;
            if prev_end <= end && self.toks[i].start >= end {
                return true;
            }
        }
        let g = self.gap(i);
        if g.contains("\n\n") || g.contains("\n ") || g.contains(['!', '?', ':', '"', '“', ';']) {
            return true;
        }
        // A full stop after a word of more than one letter ("results. Apple"), not "U.S. Steel".
        g.trim_start().starts_with('.') && self.word(i - 1).chars().count() > 1
            || g.contains(". ") && self.word(i - 1).chars().count() > 1
    }
}

/// Finds a wire dateline at the head of the text: the place part of "NASHVILLE, Tenn., March 3
/// -", "WASHINGTON (Reuters) -", "NEW YORK - ".
fn find_dateline(s: &str) -> Option<(u32, u32)> {
    let lead_ws = s.len() - s.trim_start().len();
    let head = s.get(lead_ws..)?;
    let limit = head.len().min(110);
    let window = head.get(..limit).or_else(|| {
        let mut l = limit;
        while !head.is_char_boundary(l) {
            l -= 1;
        }
        head.get(..l)
    })?;
    let wb = window.as_bytes();
    let dash = (1..wb.len()).find(|&k| {
        wb[k - 1] == b' '
            && (wb[k] == b'-'
                || (wb[k] == 0xE2 && window.get(k..).is_some_and(|r| r.starts_with(['—', '–']))))
    })? - 1;
    let mut prefix = &window[..dash];
    if let Some(p) = prefix.find('(') {
        prefix = &prefix[..p];
    }
    if prefix.contains('\n') {
        return None;
    }
    let mut end = 0usize;
    let mut first = true;
    let mut pos = 0usize;
    for part in prefix.split(',') {
        let part_start = pos;
        pos += part.len() + 1;
        let t = part.trim();
        if t.is_empty() {
            continue;
        }
        if t.bytes().any(|b| b.is_ascii_digit()) || is_month_start(t) {
            break;
        }
        let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.len() < 2 || t.split_whitespace().count() > 5 {
            return None;
        }
        if first {
            let upper = letters.iter().filter(|c| c.is_uppercase()).count();
            let all_words_cap = t
                .split_whitespace()
                .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
            if upper * 10 < letters.len() * 8 && !all_words_cap {
                return None;
            }
            first = false;
        }
        end = part_start + part.trim_end().len();
    }
    if end == 0 {
        return None;
    }
    Some((lead_ws as u32, (lead_ws + end) as u32))
}

fn is_month_start(t: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let w = t.split_whitespace().next().unwrap_or("");
    w.len() >= 3
        && MONTHS
            .iter()
            .any(|m| w.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(m)))
        && t.split_whitespace().count() <= 3
}

/// End of the first sentence after the dateline (at most ~400 bytes in).
fn lead_end(s: &str, from: usize) -> usize {
    let bytes = s.as_bytes();
    let mut i = from + 40;
    let stop = (from + 400).min(bytes.len());
    while i + 1 < stop {
        if bytes[i] == b'.' && (bytes[i + 1] == b' ' || bytes[i + 1] == b'\n') {
            return i + 1;
        }
        i += 1;
    }
    stop
}

/// A gazetteer match.
#[derive(Debug, Clone, Copy)]
struct Mention<'k> {
    doc: usize,
    t0: usize,
    t1: usize,
    alias: &'k Alias,
}

fn case_ok(alias: &Alias, doc: &Doc, t0: usize, n: usize) -> bool {
    if alias.words.len() != n {
        return false;
    }
    match alias.mode {
        Mode::Any => true,
        Mode::Exact => (0..n).all(|j| doc.word(t0 + j) == &*alias.words[j]),
        Mode::Cap => (0..n).all(|j| {
            let aw = &alias.words[j];
            let tw = doc.word(t0 + j);
            match case_of(aw) {
                _ if aw.chars().count() == 1 && !aw.starts_with(|c: char| c.is_numeric()) => true,
                Case::Upper if aw.chars().count() >= 2 => case_of(tw) == Case::Upper,
                Case::Upper | Case::Title | Case::Digit => case_of(tw) != Case::Lower,
                Case::Lower => true,
            }
        }),
    }
}

fn scan_names<'k>(
    kb: &'k Kb,
    doc: &Doc,
    di: usize,
    out: &mut Vec<Mention<'k>>,
    scratch: &mut (Vec<u8>, Vec<u8>),
) {
    let n = doc.toks.len();
    let (lower_buf, buf) = scratch;
    // One lower-cased copy of an ASCII field: single words are looked up as slices of it.
    let lower: Option<&[u8]> = if doc.s.is_ascii() {
        lower_buf.clear();
        lower_buf.extend_from_slice(doc.s.as_bytes());
        lower_buf.make_ascii_lowercase();
        Some(lower_buf.as_slice())
    } else {
        None
    };
    let mut lens = [0usize; 13];
    let mut i = 0;
    while i < n {
        let t = doc.toks[i];
        let wb = &doc.s.as_bytes()[t.start as usize..t.end as usize];
        let first = wb.first().copied().unwrap_or(b'0');
        if first.is_ascii_digit() && wb.iter().all(|b| b.is_ascii_digit()) {
            i += 1;
            continue;
        }
        let map = if first.is_ascii_lowercase() {
            &kb.gaz.prefixes_lower
        } else {
            &kb.gaz.prefixes
        };
        let one: &[u8] = match &lower {
            Some(l) => &l[t.start as usize..t.end as usize],
            None => {
                buf.clear();
                push_key_bytes(buf, doc.word(i));
                buf.as_slice()
            }
        };
        let Some(&maxn) = map.get(one) else {
            i += 1;
            continue;
        };
        if maxn == 1 {
            if let Some(aliases) = kb.gaz.phrases.get(one)
                && let Some(a) = aliases.iter().find(|a| case_ok(a, doc, i, 1))
            {
                out.push(Mention {
                    doc: di,
                    t0: i,
                    t1: i + 1,
                    alias: a,
                });
            }
            i += 1;
            continue;
        }
        buf.clear();
        push_key_bytes(buf, doc.word(i));
        lens[0] = buf.len();
        let mut k = 1;
        while k < maxn as usize && i + k < n && k < lens.len() {
            if !joinable_gap(doc.gap(i + k)) {
                break;
            }
            buf.push(b' ');
            push_key_bytes(buf, doc.word(i + k));
            if !map.contains_key(buf.as_slice()) {
                break;
            }
            lens[k] = buf.len();
            k += 1;
        }
        let mut advanced = false;
        for m in (1..=k).rev() {
            let Some(aliases) = kb.gaz.phrases.get(&buf[..lens[m - 1]]) else {
                continue;
            };
            if let Some(a) = aliases.iter().find(|a| case_ok(a, doc, i, m)) {
                out.push(Mention {
                    doc: di,
                    t0: i,
                    t1: i + m,
                    alias: a,
                });
                i += m;
                advanced = true;
                break;
            }
        }
        if !advanced {
            i += 1;
        }
    }
}

/// Identity of a linked instrument: a knowledge-base row or one built from a printed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum InstKey {
    Kb(u32),
    Adhoc(u32),
}

#[derive(Debug)]
struct Ev {
    doc: usize,
    start: u32,
    end: u32,
    rule: &'static str,
    zone: Zone,
}

#[derive(Debug, Default)]
struct Acc {
    miss: f64,
    evidence: Vec<Ev>,
    first: u32,
}

struct Linker<'k, 'a> {
    kb: &'k Kb,
    docs: Vec<Doc<'a>>,
    accs: FxMap<InstKey, Acc>,
    adhoc: Vec<Instrument>,
    adhoc_ids: FxMap<(String, Option<String>, Kind), u32>,
    market_story: Option<bool>,
    countries: FxMap<u16, (f64, Vec<Ev>)>,
    /// Countries with evidence in the headline.
    title_countries: Vec<u16>,
    /// Whether the lead's first country mention has been seen.
    lead_subject_seen: bool,
}

impl<'k, 'a> Linker<'k, 'a> {
    fn vote(
        &mut self,
        key: InstKey,
        doc: usize,
        start: u32,
        end: u32,
        base: f64,
        rule: &'static str,
    ) {
        let zone = self.docs[doc].zone(start);
        let w = (base * zone.inst_weight()).clamp(0.0, 0.999);
        let order = if self.docs[doc].field == Field::Title {
            start
        } else {
            start + 1_000_000
        };
        let acc = self.accs.entry(key).or_insert_with(|| Acc {
            miss: 1.0,
            evidence: Vec::new(),
            first: order,
        });
        acc.miss *= 1.0 - w;
        acc.first = acc.first.min(order);
        if acc.evidence.len() < 6 {
            acc.evidence.push(Ev {
                doc,
                start,
                end,
                rule,
                zone,
            });
        }
    }

    fn country_vote(
        &mut self,
        c: u16,
        doc: usize,
        start: u32,
        end: u32,
        w: f64,
        rule: &'static str,
    ) {
        let zone = self.docs[doc].zone(start);
        if zone == Zone::Title && !self.title_countries.contains(&c) {
            self.title_countries.push(c);
        }
        // The lead's subject ("WASHINGTON (Reuters) - Japan is working …") says what the story
        // is about more than the reporter's location does.
        let mut w = w * zone.country_weight();
        if zone == Zone::Lead && !self.lead_subject_seen {
            self.lead_subject_seen = true;
            let after = self.docs[doc].dateline.map(|d| start.saturating_sub(d.1));
            if after.is_some_and(|a| a < LEAD_SUBJECT_BYTES) {
                w += LEAD_SUBJECT_BONUS;
            }
        }
        let e = self.countries.entry(c).or_insert((0.0, Vec::new()));
        e.0 += w;
        if e.1.len() < 8 {
            e.1.push(Ev {
                doc,
                start,
                end,
                rule,
                zone,
            });
        }
    }

    fn adhoc_key(&mut self, inst: Instrument) -> InstKey {
        let id = (inst.symbol.clone(), inst.mic.clone(), inst.kind);
        if let Some(&p) = self.adhoc_ids.get(&id) {
            return InstKey::Adhoc(p);
        }
        let p = self.adhoc.len() as u32;
        self.adhoc.push(inst);
        self.adhoc_ids.insert(id, p);
        InstKey::Adhoc(p)
    }

    /// Whether the story talks about markets at all (computed once).
    fn market_story(&mut self) -> bool {
        *self
            .market_story
            .get_or_insert_with(|| market_story(&self.docs))
    }
}

/// Links one story. `title` is the headline if there is one; `text` the story text (a wire
/// dateline at its head is read as such). Never panics; reasons' offsets are character offsets
/// into the field they name.
pub fn tag<'k>(kb: &'k Kb, title: Option<&str>, text: &str) -> Tagging<'k> {
    Tagger::new(kb).tag(title, text)
}

/// Buffers reused from one story to the next.
#[derive(Default)]
struct Scratch<'k> {
    toks: Vec<Vec<Tok>>,
    mentions: Vec<Mention<'k>>,
    keys: (Vec<u8>, Vec<u8>),
    accs: FxMap<InstKey, Acc>,
    countries: FxMap<u16, (f64, Vec<Ev>)>,
}

/// A linker that keeps its working buffers between stories: the same results as [`tag`],
/// without allocating them again for every story (use one per thread when tagging many).
pub struct Tagger<'k> {
    kb: &'k Kb,
    scratch: Scratch<'k>,
}

impl<'k> Tagger<'k> {
    /// A tagger reading with `kb`.
    pub fn new(kb: &'k Kb) -> Self {
        Tagger {
            kb,
            scratch: Scratch::default(),
        }
    }

    /// The knowledge base this tagger reads.
    pub fn kb(&self) -> &'k Kb {
        self.kb
    }

    /// Links one story; see [`tag`].
    pub fn tag(&mut self, title: Option<&str>, text: &str) -> Tagging<'k> {
        let kb = self.kb;
        let sc = &mut self.scratch;
        let mut docs = Vec::with_capacity(2);
        if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
            docs.push(Doc::new(Field::Title, t, sc.toks.pop().unwrap_or_default()));
        }
        docs.push(Doc::new(
            Field::Text,
            text,
            sc.toks.pop().unwrap_or_default(),
        ));
        let mut accs = std::mem::take(&mut sc.accs);
        accs.clear();
        let mut countries = std::mem::take(&mut sc.countries);
        countries.clear();
        let mut lk = Linker {
            kb,
            docs,
            accs,
            adhoc: Vec::new(),
            adhoc_ids: FxMap::default(),
            market_story: None,
            countries,
            title_countries: Vec::new(),
            lead_subject_seen: false,
        };
        for di in 0..lk.docs.len() {
            scan_codes(&mut lk, di);
        }
        let mut mentions = std::mem::take(&mut sc.mentions);
        mentions.clear();
        for di in 0..lk.docs.len() {
            scan_names(kb, &lk.docs[di], di, &mut mentions, &mut sc.keys);
        }
        apply_mentions(&mut lk, &mentions);
        let tagging = finish(&mut lk);
        sc.mentions = mentions;
        sc.accs = std::mem::take(&mut lk.accs);
        sc.countries = std::mem::take(&mut lk.countries);
        sc.toks.extend(lk.docs.into_iter().map(|d| d.toks));
        tagging
    }
}

mod codes;
mod names;

use codes::scan_codes;
use names::{apply_mentions, market_story};

// ---------------------------------------------------------------------------------------------
// Countries and the result

/// A country named within this many bytes after the dateline is the lead's subject …
const LEAD_SUBJECT_BYTES: u32 = 40;
/// … and counts this much more.
const LEAD_SUBJECT_BONUS: f64 = 2.0;
/// Minimum evidence for a country to be one the story is about.
const COUNTRY_MIN: f64 = 1.5;
/// Minimum share of the strongest country's evidence.
const COUNTRY_SHARE: f64 = 0.25;
/// Evidence from which the strongest country moves its benchmark without being in the headline.
const FOCUS_MIN: f64 = 4.0;
/// Shortest text (bytes) that can be "mainly about" a country without a headline saying so.
const FOCUS_MIN_TEXT: usize = 600;

fn finish<'k>(lk: &mut Linker<'k, '_>) -> Tagging<'k> {
    // Countries the story is about.
    let mut cs: Vec<(u16, f64)> = lk
        .countries
        .iter()
        .map(|(&c, (s, _))| (c, *s))
        .filter(|(c, _)| lk.kb.country_code(*c) != "EU")
        .collect();
    cs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let max = cs.first().map(|c| c.1).unwrap_or(0.0);
    let chosen: Vec<(u16, f64)> = cs
        .iter()
        .enumerate()
        .filter(|(k, (_, s))| {
            (*k == 0 && *s >= 0.9) || (*s >= COUNTRY_MIN && *s >= COUNTRY_SHARE * max)
        })
        .map(|(_, c)| *c)
        .collect();

    // Countries the story is mainly about move their benchmark index and currency.
    for (rank, &(c, s)) in chosen.iter().enumerate() {
        let in_title = lk.title_countries.contains(&c);
        // Without a headline, only a whole story (not a snippet) says what it is mainly about.
        let long = lk.docs.last().is_some_and(|d| d.s.len() >= FOCUS_MIN_TEXT);
        if !(in_title || (rank == 0 && s >= FOCUS_MIN && long)) {
            continue;
        }
        let share = if max > 0.0 { s / max } else { 0.0 };
        let Some(country) = lk.kb.countries.get(c as usize) else {
            continue;
        };
        let (index, currency) = (country.index, country.currency);
        let evs: Vec<(usize, u32, u32)> = lk
            .countries
            .get(&c)
            .map(|(_, e)| e.iter().map(|e| (e.doc, e.start, e.end)).collect())
            .unwrap_or_default();
        let Some(&(d0, s0, e0)) = evs.first() else {
            continue;
        };
        if let Some(ix) = index {
            lk.vote(
                InstKey::Kb(ix),
                d0,
                s0,
                e0,
                0.55 + 0.35 * share,
                "country-focus",
            );
            for &(d, st, en) in evs.iter().skip(1).take(4) {
                lk.vote(InstKey::Kb(ix), d, st, en, 0.05, "country-focus");
            }
        }
        if let Some(cur) = currency {
            lk.vote(
                InstKey::Kb(cur),
                d0,
                s0,
                e0,
                0.3 + 0.2 * share,
                "country-focus",
            );
        }
    }

    let char_idx: Vec<CharIndex> = lk.docs.iter().map(|d| CharIndex::new(d.s)).collect();
    let reason = |lk: &Linker, e: &Ev| -> Reason {
        let d = &lk.docs[e.doc];
        let ci = &char_idx[e.doc];
        Reason {
            field: d.field,
            start: ci.char_at(e.start as usize),
            end: ci.char_at(e.end as usize),
            text: d
                .s
                .get(e.start as usize..e.end as usize)
                .unwrap_or("")
                .to_owned(),
            rule: e.rule,
        }
    };

    let countries: Vec<CountryFocus> = chosen
        .iter()
        .map(|&(c, s)| CountryFocus {
            code: lk.kb.country_code(c).to_owned(),
            score: round4(if max > 0.0 { s / max } else { 0.0 }),
            reasons: lk
                .countries
                .get(&c)
                .map(|(_, evs)| evs.iter().map(|e| reason(lk, e)).collect())
                .unwrap_or_default(),
        })
        .collect();

    let mut scored: Vec<(InstKey, f64, u32, bool, bool)> = lk
        .accs
        .iter()
        .map(|(k, a)| {
            let in_title = a.evidence.iter().any(|e| e.zone == Zone::Title);
            let in_lead = a.evidence.iter().any(|e| {
                matches!(e.zone, Zone::Lead | Zone::Dateline) && e.rule != "country-focus"
            });
            (*k, 1.0 - a.miss, a.first, in_title, in_lead)
        })
        .filter(|x| x.1 >= 0.25)
        .filter(|x| {
            // A firm that is only ever quoted as a source is not linked.
            lk.accs
                .get(&x.0)
                .is_some_and(|a| a.evidence.iter().any(|e| e.rule != "research-source"))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    let top = scored.first().map(|x| x.1).unwrap_or(0.0);
    let mut instruments = Vec::with_capacity(scored.len());
    for (rank, (key, score, _, in_title, in_lead)) in scored.into_iter().enumerate() {
        let inst = match key {
            InstKey::Kb(id) => match lk.kb.instruments.get(id as usize) {
                Some(i) => Cow::Borrowed(i),
                None => continue,
            },
            InstKey::Adhoc(id) => match lk.adhoc.get(id as usize) {
                Some(i) => Cow::Owned(i.clone()),
                None => continue,
            },
        };
        let primary = score >= 0.5 && (rank == 0 || in_title || (in_lead && score >= 0.85 * top));
        let mut evs: Vec<&Ev> = lk
            .accs
            .get(&key)
            .map(|a| a.evidence.iter().collect())
            .unwrap_or_default();
        evs.sort_by_key(|e| (e.doc, e.start));
        evs.dedup_by_key(|e| (e.doc, e.start, e.end));
        let reasons = evs.into_iter().map(|e| reason(lk, e)).collect();
        instruments.push(Link {
            instrument: inst,
            role: if primary {
                Role::Primary
            } else {
                Role::Mentioned
            },
            score: round4(score),
            reasons,
        });
    }
    Tagging {
        countries,
        instruments,
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
