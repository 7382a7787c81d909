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

// ---------------------------------------------------------------------------------------------
// Codes

/// Exchange prefixes as news and quote sites print them ("NASDAQ:AAPL", "AX:ALU") → MIC.
fn exchange_mic(prefix: &str) -> Option<&'static str> {
    let p = prefix.to_ascii_uppercase();
    Some(match p.as_str() {
        "NASDAQ" | "NASDAQGS" | "NASDAQGM" | "NASDAQCM" | "NMS" | "NGS" => "XNAS",
        "NYSE" => "XNYS",
        "AMEX" | "NYSEAMERICAN" | "NYSEMKT" | "ASE" => "XASE",
        "ARCA" | "NYSEARCA" => "ARCX",
        "BATS" | "CBOE" => "BATS",
        "OTC" | "OTCMKTS" | "OTCQX" | "OTCQB" | "PINK" | "OTCPINK" => "OTCM",
        _ => return ric_suffix_mic(&p),
    })
}

/// Reuters/Yahoo exchange suffixes (`.T`, `.L`, `.AX`) and common exchange abbreviations → MIC.
fn ric_suffix_mic(s: &str) -> Option<&'static str> {
    Some(match s {
        "N" | "K" => "XNYS",
        "O" | "OQ" => "XNAS",
        "A" => "XASE",
        "P" => "ARCX",
        "Z" => "BATS",
        "L" | "LSE" | "LON" => "XLON",
        "T" | "TYO" | "TSE" => "XTKS",
        "OS" => "XOSE",
        "AX" | "ASX" => "XASX",
        "HK" | "HKEX" | "HKG" | "SEHK" => "XHKG",
        "DE" | "ETR" | "XETRA" | "GER" => "XETR",
        "F" | "FRA" => "XFRA",
        "PA" | "EPA" => "XPAR",
        "MI" | "BIT" => "XMIL",
        "S" | "SW" | "SWX" | "VX" | "VTX" | "SIX" => "XSWX",
        "AS" | "AMS" => "XAMS",
        "BR" | "EBR" => "XBRU",
        "LS" | "ELI" => "XLIS",
        "MC" | "BME" => "XMAD",
        "ST" | "STO" => "XSTO",
        "CO" | "CPH" => "XCSE",
        "HE" | "HEL" => "XHEL",
        "OL" | "OSL" => "XOSL",
        "VI" | "VIE" => "XWBO",
        "I" | "IR" | "ISE" => "XDUB",
        "TO" | "TSX" => "XTSE",
        "V" | "TSXV" => "XTSX",
        "KS" | "KRX" | "KSC" => "XKRX",
        "KQ" | "KOSDAQ" => "XKOS",
        "SS" | "SHA" | "SSE" => "XSHG",
        "SZ" | "SHE" | "SZSE" => "XSHE",
        "NS" | "NSE" => "XNSE",
        "BO" | "BOM" | "BSE" => "XBOM",
        "TW" | "TWSE" | "TPE" => "XTAI",
        "SI" | "SGX" => "XSES",
        "JO" | "JSE" => "XJSE",
        "SA" | "BVMF" | "BOVESPA" => "BVMF",
        "MX" | "BMV" => "XMEX",
        "SR" | "SE" | "TADAWUL" => "XSAU",
        "IS" | "IST" => "XIST",
        "WA" | "WSE" => "XWAR",
        "NZ" | "NZX" => "XNZE",
        "JK" | "IDX" => "XIDX",
        "BK" | "SET" => "XBKK",
        "KL" | "MYX" => "XKLS",
        "TA" | "TASE" => "XTAE",
        "QA" | "DSM" => "DSMD",
        "AD" | "ADX" => "XADS",
        "DU" | "DFM" => "XDFM",
        "CA" | "EGX" => "XCAI",
        _ => return None,
    })
}

const US_MICS: [&str; 7] = ["XNAS", "XNYS", "XASE", "ARCX", "BATS", "OTCM", "XCBO"];

const CURRENCIES: [&str; 30] = [
    "USD", "EUR", "JPY", "GBP", "CHF", "CNY", "CNH", "AUD", "CAD", "NZD", "HKD", "SGD", "SEK",
    "NOK", "DKK", "INR", "KRW", "BRL", "MXN", "RUB", "TRY", "ZAR", "PLN", "ILS", "TWD", "THB",
    "IDR", "MYR", "PHP", "XAU",
];

fn is_ticker_char(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Bytes that can start a printed code: `<RIC>`, `$TICKER`, `EXCH:TICKER`, `(TICKER)`.
const CODE_START: [bool; 256] = {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'$' as usize] = true;
    t[b':' as usize] = true;
    t[b'(' as usize] = true;
    t
};

fn scan_codes(lk: &mut Linker, di: usize) {
    let s = lk.docs[di].s;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Jump to the next byte that can start a code.
        match bytes[i..].iter().position(|&b| CODE_START[b as usize]) {
            Some(p) => i += p,
            None => break,
        }
        match bytes[i] {
            b'<' => {
                let end = bytes[i + 1..]
                    .iter()
                    .take(25)
                    .position(|&b| b == b'>')
                    .map(|p| i + 1 + p);
                if let Some(j) = end {
                    let inner = &s[i + 1..j];
                    if !inner.is_empty()
                        && inner.bytes().all(|b| {
                            b.is_ascii_alphanumeric()
                                || matches!(b, b'.' | b'=' | b'^' | b'-' | b'_')
                        })
                    {
                        resolve_ric(lk, di, inner, i as u32, (j + 1) as u32);
                        i = j + 1;
                        continue;
                    }
                }
            }
            b'$' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && j - start < 6 && bytes[j].is_ascii_uppercase() {
                    j += 1;
                }
                let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
                let boundary_after = j >= bytes.len() || !bytes[j].is_ascii_alphanumeric();
                if j > start && j - start <= 5 && boundary_before && boundary_after {
                    let sym = &s[start..j];
                    if let Some(id) = lk
                        .kb
                        .equity_id(sym)
                        .or_else(|| lk.kb.by_symbol.get(sym).copied())
                    {
                        lk.vote(InstKey::Kb(id), di, i as u32, j as u32, 0.9, "cashtag");
                    }
                    i = j;
                    continue;
                }
            }
            b':' => {
                if let Some(next) = exchange_code(lk, di, i) {
                    i = next;
                    continue;
                }
            }
            b'(' => {
                if let Some(next) = paren_ticker(lk, di, i) {
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    fx_pairs(lk, di);
}

fn resolve_ric(lk: &mut Linker, di: usize, ric: &str, start: u32, end: u32) {
    if let Some(&id) = lk.kb.by_ric.get(ric) {
        lk.vote(InstKey::Kb(id), di, start, end, 0.98, "ric");
        return;
    }
    if let Some(idx) = ric.strip_prefix('.') {
        if idx.is_empty() {
            return;
        }
        let key = lk.adhoc_key(Instrument {
            symbol: ric.to_owned(),
            kind: Kind::Index,
            name: ric.to_owned(),
            mic: None,
            country: None,
            ric: Some(ric.to_owned()),
            yahoo: None,
            cik: None,
        });
        lk.vote(key, di, start, end, 0.9, "ric");
        return;
    }
    if ric.contains('=') {
        return;
    }
    // A Reuters code names its exchange (`JNJ.N`); a bare `<TX>` is an old wire's own company
    // code, which today's ticker lists would misread (TX was Texaco, it is now Ternium).
    let Some((root, suffix)) = ric.rsplit_once('.').map(|(r, s)| (r, Some(s))) else {
        return;
    };
    if root.is_empty() {
        return;
    }
    // Class shares: BRKb → BRK-B.
    let mut symbol = root.to_owned();
    let last = root.chars().last().unwrap_or('A');
    if root.len() > 1 && last.is_ascii_lowercase() {
        symbol = format!("{}-{}", &root[..root.len() - 1], last.to_ascii_uppercase());
    }
    let mic = match suffix {
        Some(s) => match ric_suffix_mic(s) {
            Some(m) => Some(m),
            None => return,
        },
        None => None,
    };
    let us = mic.is_none_or(|m| US_MICS.contains(&m));
    if us {
        if let Some(id) = lk.kb.equity_id(&symbol) {
            lk.vote(InstKey::Kb(id), di, start, end, 0.98, "ric");
            return;
        }
        if mic.is_none() {
            return;
        }
    }
    let name = name_before(&lk.docs[di], start).unwrap_or_else(|| symbol.clone());
    let key = lk.adhoc_key(adhoc_equity(lk.kb, &symbol, mic, Some(ric), name));
    lk.vote(key, di, start, end, 0.95, "ric");
}

fn adhoc_equity(
    kb: &Kb,
    symbol: &str,
    mic: Option<&str>,
    ric: Option<&str>,
    name: String,
) -> Instrument {
    Instrument {
        symbol: symbol.to_owned(),
        kind: Kind::Equity,
        name,
        mic: mic.map(str::to_owned),
        country: mic.and_then(|m| kb.mics.get(m)).map(|m| m.country.clone()),
        ric: ric.map(str::to_owned),
        yahoo: None,
        cik: None,
    }
}

/// The capitalised words right before a code ("Altium Ltd (AX:ALU)" → "Altium Ltd").
fn name_before(doc: &Doc, pos: u32) -> Option<String> {
    let idx = doc.toks.partition_point(|t| t.end <= pos);
    let mut first = idx;
    while first > 0 && idx - first < 5 {
        let t = doc.toks[first - 1];
        let w = t.as_str(doc.s);
        if case_of(w) == Case::Lower {
            break;
        }
        let gap_end = if first == idx {
            pos
        } else {
            doc.toks[first].start
        };
        if !joinable_gap(doc.s.get(t.end as usize..gap_end as usize).unwrap_or("x")) && first != idx
        {
            break;
        }
        first -= 1;
    }
    if first == idx {
        return None;
    }
    let a = doc.toks[first].start as usize;
    let b = doc.toks[idx - 1].end as usize;
    doc.s.get(a..b).map(str::to_owned)
}

/// `NASDAQ:AAPL`, `(NYSE: JNJ)`, `(AX:ALU)`: exchange prefix, colon, ticker.
fn exchange_code(lk: &mut Linker, di: usize, colon: usize) -> Option<usize> {
    let s = lk.docs[di].s;
    let bytes = s.as_bytes();
    let mut a = colon;
    while a > 0 && bytes[a - 1].is_ascii_alphabetic() && colon - a < 14 {
        a -= 1;
    }
    if a == colon || colon - a < 1 {
        return None;
    }
    if a > 0 && !matches!(bytes[a - 1], b'(' | b' ' | b'[' | b'\n' | b',') {
        return None;
    }
    let prefix = &s[a..colon];
    // Single-letter prefixes only inside brackets ("(T:7203)" is rare; "A: ..." is prose).
    if prefix.len() < 2 && (a == 0 || bytes[a - 1] != b'(') {
        return None;
    }
    let mic = exchange_mic(prefix)?;
    let mut b = colon + 1;
    if b < bytes.len() && bytes[b] == b' ' {
        b += 1;
    }
    let t0 = b;
    while b < bytes.len()
        && (is_ticker_char(bytes[b]) || bytes[b] == b'.' || bytes[b] == b'-')
        && b - t0 < 12
    {
        b += 1;
    }
    while b > t0 && matches!(bytes[b - 1], b'.' | b'-') {
        b -= 1;
    }
    if b == t0 || (b < bytes.len() && bytes[b].is_ascii_alphanumeric()) {
        return None;
    }
    let ticker = &s[t0..b];
    if !ticker.bytes().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let key = if US_MICS.contains(&mic) {
        match lk.kb.equity_id(ticker) {
            Some(id) => InstKey::Kb(id),
            None => {
                let name = name_before(&lk.docs[di], a as u32).unwrap_or_else(|| ticker.to_owned());
                lk.adhoc_key(adhoc_equity(lk.kb, ticker, Some(mic), None, name))
            }
        }
    } else {
        let name = name_before(&lk.docs[di], a as u32).unwrap_or_else(|| ticker.to_owned());
        lk.adhoc_key(adhoc_equity(lk.kb, ticker, Some(mic), None, name))
    };
    lk.vote(key, di, a as u32, b as u32, 0.98, "exchange-code");
    Some(b)
}

/// `Apple Inc (AAPL)`: a bracketed ticker right after words of the company's name.
fn paren_ticker(lk: &mut Linker, di: usize, open: usize) -> Option<usize> {
    let s = lk.docs[di].s;
    let bytes = s.as_bytes();
    let t0 = open + 1;
    let mut b = t0;
    while b < bytes.len() && (bytes[b].is_ascii_uppercase() || bytes[b] == b'.') && b - t0 < 8 {
        b += 1;
    }
    if b >= bytes.len() || bytes[b] != b')' || b - t0 < 2 {
        return None;
    }
    let ticker = &s[t0..b];
    let id = lk.kb.equity_id(ticker)?;
    let inst = &lk.kb.instruments[id as usize];
    let name_words = lk.kb.company_name_words(&inst.name);
    let first = name_words.first()?.to_ascii_lowercase();
    let doc = &lk.docs[di];
    let idx = doc.toks.partition_point(|t| t.end as usize <= open);
    let near = (idx.saturating_sub(5)..idx).any(|k| doc.word(k).eq_ignore_ascii_case(&first));
    if !near {
        return None;
    }
    lk.vote(
        InstKey::Kb(id),
        di,
        open as u32,
        (b + 1) as u32,
        0.95,
        "paren-ticker",
    );
    Some(b + 1)
}

/// Currency pairs printed as codes: `EURUSD`, `EUR/USD`, `USD/JPY`.
fn fx_pairs(lk: &mut Linker, di: usize) {
    let n = lk.docs[di].toks.len();
    let mut k = 0;
    while k < n {
        let doc = &lk.docs[di];
        let len = doc.toks[k].end - doc.toks[k].start;
        if len != 6 && len != 3 {
            k += 1;
            continue;
        }
        let w = doc.word(k);
        let (pair, span) = if w.len() == 6 && w.bytes().all(|b| b.is_ascii_uppercase()) {
            (Some((w[..3].to_owned(), w[3..].to_owned())), (k, k))
        } else if w.len() == 3
            && w.bytes().all(|b| b.is_ascii_uppercase())
            && k + 1 < n
            && doc.gap(k + 1) == "/"
            && doc.word(k + 1).len() == 3
            && doc.word(k + 1).bytes().all(|b| b.is_ascii_uppercase())
        {
            (Some((w.to_owned(), doc.word(k + 1).to_owned())), (k, k + 1))
        } else {
            (None, (k, k))
        };
        if let Some((a, b)) = pair
            && a != b
            && CURRENCIES.contains(&a.as_str())
            && CURRENCIES.contains(&b.as_str())
        {
            let start = doc.toks[span.0].start;
            let end = doc.toks[span.1].end;
            let symbol = format!("{a}{b}");
            let key = match lk.kb.by_symbol.get(&symbol) {
                Some(&id) => InstKey::Kb(id),
                None => lk.adhoc_key(Instrument {
                    symbol,
                    kind: if a == "XAU" {
                        Kind::Commodity
                    } else {
                        Kind::Currency
                    },
                    name: format!("{a}/{b}"),
                    mic: None,
                    country: None,
                    ric: Some(format!("{a}{b}=")),
                    yahoo: Some(format!("{a}{b}=X")),
                    cik: None,
                }),
            };
            lk.vote(key, di, start, end, 0.95, "fx-pair");
            k = span.1 + 1;
            continue;
        }
        k += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Names

/// Words that make a capitalised common word read as a company nearby.
fn is_corporate_word(w: &str) -> bool {
    if w.len() > 16 || w.len() < 2 {
        return false;
    }
    let mut buf = [0u8; 16];
    for (d, b) in buf.iter_mut().zip(w.bytes()) {
        *d = b.to_ascii_lowercase();
    }
    matches!(
        std::str::from_utf8(&buf[..w.len()]).unwrap_or(""),
        "acquire"
            | "acquired"
            | "acquisition"
            | "analyst"
            | "analysts"
            | "app"
            | "apps"
            | "automaker"
            | "bank"
            | "billion"
            | "board"
            | "brand"
            | "brands"
            | "ceo"
            | "chief"
            | "chipmaker"
            | "cloud"
            | "company"
            | "company's"
            | "competitor"
            | "conglomerate"
            | "corp"
            | "customers"
            | "deal"
            | "dividend"
            | "earnings"
            | "executive"
            | "firm"
            | "forecast"
            | "giant"
            | "group"
            | "guidance"
            | "inc"
            | "investors"
            | "ipo"
            | "iphone"
            | "lender"
            | "maker"
            | "margin"
            | "market"
            | "merger"
            | "million"
            | "nasdaq"
            | "nyse"
            | "outlook"
            | "platform"
            | "products"
            | "profit"
            | "profits"
            | "quarter"
            | "quarterly"
            | "results"
            | "retailer"
            | "revenue"
            | "revenues"
            | "rival"
            | "rivals"
            | "sales"
            | "share"
            | "shareholders"
            | "shares"
            | "smartphone"
            | "stock"
            | "stocks"
            | "store"
            | "stores"
            | "streaming"
            | "subscribers"
            | "subsidiary"
            | "supplier"
            | "tech"
            | "technology"
            | "unit"
            | "valuation"
            | "airline"
            | "carrier"
            | "insurer"
            | "operator"
            | "owner"
            | "parent"
            | "startup"
            | "listed"
            | "traded"
            | "trading"
            | "fell"
            | "rose"
            | "jumped"
            | "slid"
            | "gained"
            | "dropped"
            | "rallied"
            | "tumbled"
            | "surged"
            | "plunged"
            | "climbed"
    )
}

fn is_strong_suffix(w: &str) -> bool {
    matches!(
        w,
        "Inc"
            | "Corp"
            | "Corporation"
            | "Co"
            | "Ltd"
            | "Plc"
            | "PLC"
            | "plc"
            | "LLC"
            | "Group"
            | "Holdings"
            | "NV"
            | "SA"
            | "AG"
            | "SE"
            | "Incorporated"
            | "Cos"
            | "Limited"
            | "INC"
            | "CORP"
            | "CO"
            | "LTD"
    )
}

fn is_honorific(w: &str) -> bool {
    matches!(
        w,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "President"
            | "Sen"
            | "Senator"
            | "Rep"
            | "Gov"
            | "Governor"
            | "Judge"
            | "Justice"
            | "Professor"
            | "Prof"
            | "Sir"
            | "Lady"
            | "Lord"
            | "Saint"
            | "St"
            | "Father"
            | "Minister"
            | "Secretary"
            | "Chairman"
            | "Mayor"
            | "Coach"
            | "Actor"
            | "actor"
            | "singer"
            | "Miss"
            | "General"
            | "Gen"
            | "Captain"
    )
}

fn is_function_word(w: &str) -> bool {
    matches!(
        w,
        "The"
            | "A"
            | "An"
            | "In"
            | "At"
            | "On"
            | "For"
            | "And"
            | "But"
            | "Of"
            | "To"
            | "By"
            | "With"
            | "From"
            | "As"
            | "If"
            | "While"
            | "After"
            | "Before"
            | "When"
            | "Why"
            | "How"
            | "What"
            | "Both"
            | "Rival"
            | "Shares"
            | "Stock"
            | "Its"
            | "His"
            | "Her"
            | "Their"
            | "Our"
            | "That"
            | "This"
            | "Like"
            | "Unlike"
            | "Including"
            | "Such"
            | "Also"
            | "Meanwhile"
            | "However"
            | "Analysts"
            | "Investors"
            | "U"
            | "S"
            | "US"
            | "UK"
            | "Only"
            | "Even"
            | "Apparel"
            | "Retailer"
            | "Retailers"
            | "Tech"
            | "Social"
    )
}

fn is_place_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "river",
        "rainforest",
        "forest",
        "basin",
        "jungle",
        "region",
        "tribe",
        "tribes",
        "delta",
        "juice",
        "pie",
        "orchard",
        "orchards",
        "tree",
        "trees",
        "fruit",
        "cider",
        "variant",
        "wave",
        "valley",
        "waiver",
        "application",
        "applications",
        "requirements",
        "rules",
    ];
    WORDS.iter().any(|x| w.eq_ignore_ascii_case(x))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    Accept(f64, &'static str),
    /// Only if the same company is accepted elsewhere in the story.
    Pending,
    Reject,
}

fn judge_equity(lk: &Linker, idx: usize, mentions: &[Mention]) -> Verdict {
    let m = &mentions[idx];
    // Mentions are in text order: neighbours are at idx - 1 and idx + 1.
    let prev_m = idx
        .checked_sub(1)
        .and_then(|p| mentions.get(p))
        .filter(|o| o.doc == m.doc);
    let next_m = mentions.get(idx + 1).filter(|o| o.doc == m.doc);
    let doc = &lk.docs[m.doc];
    let class = m.alias.class;
    let (t0, t1) = (m.t0, m.t1);
    let next = doc.word(t1);
    let next_gap = doc.gap(t1);
    let prev = if t0 > 0 { doc.word(t0 - 1) } else { "" };
    let prev_gap = doc.gap(t0);
    let initial = doc.sentence_initial(t0);

    // Strong cues: a legal suffix, "X shares", "shares of X", "X's shares".
    let suffix = t1 < doc.toks.len()
        && joinable_gap(next_gap)
        && !next_gap.contains('\n')
        && is_strong_suffix(next);
    let any_of = |w: &str, set: &[&str]| set.iter().any(|x| w.eq_ignore_ascii_case(x));
    let shares_after = any_of(next, &["shares", "stock", "stake", "adrs"])
        && next_gap.trim().is_empty()
        || (next == "s"
            && matches!(next_gap, "'" | "’")
            && any_of(doc.word(t1 + 1), &["shares", "stock", "stake"]));
    let shares_before = t0 >= 2
        && any_of(prev, &["of", "in"])
        && any_of(doc.word(t0 - 2), &["shares", "stake", "stock"]);
    let strong = suffix || shares_after || shares_before;

    // Person or place readings.
    let person = t0 > 0
        && prev_gap.trim().is_empty()
        && !prev_gap.contains('\n')
        && (is_honorific(prev)
            || (case_of(prev) == Case::Title
                && !is_function_word(prev)
                && !is_strong_suffix(prev)
                && !is_corporate_word(prev)
                && !doc.sentence_initial(t0 - 1)
                && prev_m.is_none_or(|o| o.t1 + 1 < t0)))
        || (t0 > 1 && doc.gap(t0) == ". " && is_honorific(doc.word(t0 - 1)));
    // "MSCI's index", "FTSE indexes": the index provider's gauge, not the company.
    let after_possessive = if next == "s" && matches!(next_gap, "'" | "’") {
        doc.word(t1 + 1)
    } else {
        next
    };
    if any_of(
        after_possessive,
        &["index", "indexes", "indices", "gauge", "benchmark"],
    ) {
        return Verdict::Reject;
    }
    let place = is_place_word(next)
        || (t0 > 0 && is_place_word(prev) && prev.eq_ignore_ascii_case("delta"));
    let named_thing = case_of(next) == Case::Title
        && next_gap == " "
        && !is_strong_suffix(next)
        && !is_corporate_word(next)
        && next_m.is_none_or(|o| o.t0 != t1);

    // Weak cues: corporate words or other companies nearby.
    let lo = t0.saturating_sub(10);
    let hi = (t1 + 10).min(doc.toks.len());
    let corporate = || (lo..hi).any(|k| (k < t0 || k >= t1) && is_corporate_word(doc.word(k)));
    let is_company = |o: &Mention| {
        matches!(o.alias.target, Target::Inst(id) if lk.kb.instruments.get(id as usize).is_some_and(|i| i.kind == Kind::Equity))
            && matches!(
                o.alias.class,
                Class::Company | Class::SecMulti | Class::Code
            )
    };
    let list = || {
        mentions[..idx]
            .iter()
            .rev()
            .take_while(|o| o.doc == m.doc && o.t0 + 8 >= t0)
            .any(is_company)
            || mentions[idx + 1..]
                .iter()
                .take_while(|o| o.doc == m.doc && o.t0 <= t1 + 8)
                .any(is_company)
    };
    let weak = || corporate() || list();

    // At the start of a sentence a capital says nothing: "Target prices were cut" and "Visa
    // applications surged" are common nouns; a company is followed by a verb or a conjunction.
    let noun_phrase = initial
        && case_of(next) == Case::Lower
        && next_gap.trim().is_empty()
        && !is_verb_like(next);

    // A name alone on its line is page furniture (share buttons, menus), not a story's subject.
    let alone = (t0 == 0 || prev_gap.contains('\n'))
        && (t1 >= doc.toks.len() || next_gap.contains('\n'))
        && !strong;
    if alone {
        return Verdict::Reject;
    }

    match class {
        Class::Company => {
            if person && !strong {
                Verdict::Reject
            } else if doc.shouting && m.t1 - m.t0 == 1 && !strong {
                // An all-caps headline: "PROFIT UPS" is not United Parcel Service.
                Verdict::Pending
            } else if strong {
                Verdict::Accept(0.9, "company-name+cue")
            } else {
                Verdict::Accept(0.8, "company-name")
            }
        }
        Class::SecMulti if generic_name(&m.alias.words) => {
            // "National Bank", "First Financial": every word is a common business word.
            if strong && !person {
                Verdict::Accept(0.8, "sec-name+cue")
            } else if !person && !doc.shouting && list() {
                Verdict::Accept(0.6, "sec-name+context")
            } else {
                Verdict::Pending
            }
        }
        Class::SecMulti => {
            if strong {
                Verdict::Accept(0.9, "sec-name+cue")
            } else if doc.shouting && !weak() {
                Verdict::Accept(0.55, "sec-name")
            } else if person {
                Verdict::Pending
            } else {
                Verdict::Accept(0.75, "sec-name")
            }
        }
        Class::Ambiguous => {
            if strong && !place {
                Verdict::Accept(0.85, "ambiguous-name+cue")
            } else if person || place || named_thing || noun_phrase || doc.shouting {
                Verdict::Reject
            } else if weak() {
                Verdict::Accept(0.7, "ambiguous-name+context")
            } else {
                Verdict::Pending
            }
        }
        Class::SecSingle => {
            let rank = match m.alias.target {
                Target::Inst(id) => id.saturating_sub(lk.kb.first_equity),
                _ => u32::MAX,
            };
            if strong && !place && !person {
                Verdict::Accept(0.8, "sec-name+cue")
            } else if person || place || doc.shouting || named_thing || noun_phrase {
                Verdict::Reject
            } else if rank < 1500 && !initial && weak() {
                Verdict::Accept(0.6, "sec-name+context")
            } else {
                Verdict::Pending
            }
        }
        _ => Verdict::Accept(0.8, "name"),
    }
}

/// How much a place mention says about the story's country: less when it only describes a
/// company ("Paris-based", "<SDC Sydney Development Corp>", "Japan Fund Inc").
fn place_weight(doc: &Doc, t0: usize, t1: usize, w: f64) -> f64 {
    let next_gap = doc.gap(t1);
    if next_gap == "-" && doc.word(t1).eq_ignore_ascii_case("based") {
        return w * 0.3;
    }
    // Inside <…> (how wire copy marks company names) or followed by capitalised words that end
    // in a legal suffix.
    let start = doc.toks[t0].start as usize;
    let mut lo = start.saturating_sub(60);
    while !doc.s.is_char_boundary(lo) {
        lo -= 1;
    }
    if doc
        .s
        .get(lo..start)
        .and_then(|w| w.rfind(['<', '>', '\n']).map(|p| w.as_bytes()[p] == b'<'))
        .unwrap_or(false)
    {
        return w * 0.3;
    }
    for k in t1..(t1 + 3).min(doc.toks.len()) {
        if doc.gap(k).trim() != "" || case_of(doc.word(k)) == Case::Lower {
            break;
        }
        if is_strong_suffix(doc.word(k)) {
            return w * 0.3;
        }
    }
    w
}

/// Whether a story talks about markets at all (prices, trading, output …).
fn market_story(docs: &[Doc]) -> bool {
    docs.iter().any(|d| {
        (0..d.toks.len()).any(|k| {
            let w = d.word(k);
            w.len() >= 4
                && [
                    "price",
                    "prices",
                    "futures",
                    "market",
                    "markets",
                    "traders",
                    "trading",
                    "tonnes",
                    "tons",
                    "bushels",
                    "barrel",
                    "barrels",
                    "ounce",
                    "ounces",
                    "crop",
                    "crops",
                    "harvest",
                    "exports",
                    "imports",
                    "output",
                    "production",
                    "supply",
                    "demand",
                    "stocks",
                    "shares",
                    "inflation",
                    "producers",
                    "exporters",
                    "mln",
                    "million",
                    "billion",
                    "dlrs",
                    "cents",
                    "contract",
                    "contracts",
                    "rally",
                    "tender",
                    "tenders",
                    "shipments",
                    "sales",
                    "growers",
                    "farmers",
                    "quota",
                ]
                .iter()
                .any(|x| w.eq_ignore_ascii_case(x))
        })
    })
}

/// Whether the word before token `t0` makes it an amount: "600 million euros", "5 dlrs".
fn is_amount(doc: &Doc, t0: usize) -> bool {
    if t0 == 0 {
        return false;
    }
    let w = doc.word(t0 - 1);
    w.starts_with(|c: char| c.is_ascii_digit())
        || [
            "million", "billion", "trillion", "mln", "bln", "thousand", "hundred",
        ]
        .iter()
        .any(|x| w.eq_ignore_ascii_case(x))
}

/// Words that can follow a company's name as the subject of a sentence.
fn is_verb_like(w: &str) -> bool {
    w.ends_with("ed")
        || matches!(
            w,
            "said"
                | "says"
                | "say"
                | "and"
                | "or"
                | "is"
                | "was"
                | "has"
                | "had"
                | "have"
                | "will"
                | "would"
                | "could"
                | "can"
                | "may"
                | "might"
                | "should"
                | "must"
                | "plans"
                | "expects"
                | "rose"
                | "fell"
                | "reports"
                | "posts"
                | "sees"
                | "sold"
                | "bought"
                | "made"
                | "won"
                | "lost"
                | "beat"
                | "cut"
                | "raises"
                | "cuts"
                | "makes"
                | "sells"
                | "agreed"
                | "also"
                | "on"
                | "in"
                | "to"
                | "itself"
                | "too"
                | "does"
                | "did"
                | "told"
                | "gets"
                | "got"
                | "shares"
                | "stock"
                | "unveils"
                | "launches"
                | "became"
                | "becomes"
                | "remains"
                | "kept"
                | "keeps"
                | "took"
                | "takes"
                | "wants"
        )
}

/// Words after a country that make it a market ("Japanese stocks", "China's blue chips", "In
/// Qatar, the benchmark index").
fn market_phrase(doc: &Doc, t1: usize) -> bool {
    if doc.gap(t1).trim() == ","
        && doc.word(t1).eq_ignore_ascii_case("the")
        && matches!(
            doc.word(t1 + 1).to_ascii_lowercase().as_str(),
            "benchmark" | "index" | "bourse"
        )
    {
        return true;
    }
    for k in t1..(t1 + 3).min(doc.toks.len()) {
        let w = doc.word(k);
        if doc.gap(k).contains(['.', ',', ';', '(', ')', '"']) && k > t1 {
            return false;
        }
        match w.to_ascii_lowercase().as_str() {
            "stocks" | "shares" | "equities" | "bourse" | "bourses" | "index" | "benchmark"
            | "chips" | "bluechips" | "stock" => {
                // "stock" only as "stock market" / "stock index" / "stock exchange".
                if w.eq_ignore_ascii_case("stock") {
                    let n = doc.word(k + 1).to_ascii_lowercase();
                    return matches!(n.as_str(), "market" | "markets" | "index");
                }
                return true;
            }
            "s" | "main" | "blue" | "key" | "broader" | "mainland" | "benchmark's" => continue,
            _ => return false,
        }
    }
    false
}

/// "Japanese shares", "China stocks": the country's benchmark indices are named.
fn market_links(lk: &mut Linker, c: u16, doc: usize, start: u32, end: u32, base: f64) {
    let Some(country) = lk.kb.countries.get(c as usize) else {
        return;
    };
    let ids: Vec<u32> = country
        .index
        .iter()
        .chain(country.more_indices.iter())
        .copied()
        .collect();
    for (k, ix) in ids.into_iter().enumerate() {
        let b = if k == 0 { base } else { base * 0.8 };
        lk.vote(InstKey::Kb(ix), doc, start, end, b, "country-market");
    }
}

/// "S&P 500 communication services index", "STOXX 600 banking index": a sector index of the
/// benchmark, which is not the benchmark.
fn sub_index(doc: &Doc, t1: usize) -> bool {
    let mut k = t1;
    while k < doc.toks.len() && k < t1 + 5 {
        if !doc.gap(k).trim().is_empty() && doc.gap(k).trim() != "-" {
            return false;
        }
        let w = doc.word(k);
        if case_of(w) != Case::Lower {
            return false;
        }
        match w {
            "index" | "indexes" | "sector" | "sectors" | "subindex" | "sub" => return k > t1,
            "futures" | "e" | "minis" | "mini" | "fell" | "rose" | "was" | "is" | "and" | "or"
            | "ended" | "closed" | "gained" | "lost" | "slipped" => return false,
            _ => {}
        }
        k += 1;
    }
    false
}

fn apply_mentions(lk: &mut Linker, mentions: &[Mention]) {
    // Places: "Dublin, Ohio" and "NASHVILLE, Tenn." — a state after "Place, " decides the country
    // of the place before it.
    let mut superseded = vec![false; mentions.len()];
    let mut valid_abbr = vec![true; mentions.len()];
    for (i, m) in mentions.iter().enumerate() {
        let Target::Place(_, kind) = m.alias.target else {
            continue;
        };
        if !matches!(kind, PlaceKind::Abbr | PlaceKind::State) {
            continue;
        }
        let doc = &lk.docs[m.doc];
        let gap = doc.gap(m.t0);
        let after_comma =
            m.t0 > 0 && gap.trim() == "," && case_of(doc.word(m.t0 - 1)) != Case::Lower;
        if kind == PlaceKind::Abbr && !after_comma {
            valid_abbr[i] = false;
            continue;
        }
        if after_comma && i > 0 {
            let p = &mentions[i - 1];
            if p.doc == m.doc
                && p.t1 == m.t0
                && matches!(
                    p.alias.target,
                    Target::Country(_) | Target::Place(_, PlaceKind::City)
                )
            {
                superseded[i - 1] = true;
            }
        }
    }

    let mut pending: Vec<(usize, u32, f64)> = Vec::new();
    // Firms already quoted as a source in this story: their later bare mentions are too
    // ("Moody's said it downgraded … Moody's cited losses").
    let mut quoted_brokers: Vec<u32> = Vec::new();
    let mut accepted_equities: Vec<u32> = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        let doc = &lk.docs[m.doc];
        let start = doc.toks[m.t0].start;
        let end = doc.toks[m.t1 - 1].end;
        match m.alias.target {
            Target::Block => {}
            Target::Country(c) => {
                if superseded[i] {
                    continue;
                }
                let w = place_weight(&lk.docs[m.doc], m.t0, m.t1, 1.0);
                lk.country_vote(c, m.doc, start, end, w, "country");
                if market_phrase(&lk.docs[m.doc], m.t1) {
                    market_links(lk, c, m.doc, start, end, 0.8);
                }
            }
            Target::Place(c, kind) => {
                if superseded[i] || !valid_abbr[i] {
                    continue;
                }
                let w = match kind {
                    PlaceKind::State | PlaceKind::Abbr => 1.0,
                    PlaceKind::City => 0.8,
                };
                let w = place_weight(&lk.docs[m.doc], m.t0, m.t1, w);
                lk.country_vote(c, m.doc, start, end, w, "place");
                if market_phrase(&lk.docs[m.doc], m.t1) {
                    market_links(lk, c, m.doc, start, end, 0.7);
                }
            }
            Target::Institution(ins) => {
                let Some(inst) = lk.kb.institutions.get(ins as usize) else {
                    continue;
                };
                if let Some(c) = inst.country {
                    lk.country_vote(c, m.doc, start, end, 0.8, "institution");
                }
                let ids = inst.instruments.clone();
                for (k, id) in ids.into_iter().enumerate() {
                    let base = if k == 0 { 0.6 } else { 0.4 };
                    lk.vote(InstKey::Kb(id), m.doc, start, end, base, "institution");
                }
            }
            Target::Inst(id) => {
                let Some(inst) = lk.kb.instruments.get(id as usize) else {
                    continue;
                };
                let kind = inst.kind;
                let country = inst
                    .country
                    .as_deref()
                    .and_then(|c| lk.kb.country_by_code.get(c))
                    .copied();
                if kind == Kind::Equity || kind == Kind::Etf {
                    match judge_equity(lk, i, mentions) {
                        Verdict::Accept(base, rule) => {
                            let end = extend_suffix(&lk.docs[m.doc], m.t1, end);
                            let broker = lk.kb.brokers.contains_key(&id);
                            let source = broker
                                && (research_source(&lk.docs[m.doc], m.t0, m.t1)
                                    || (quoted_brokers.contains(&id) && !rule.ends_with("+cue")));
                            if source {
                                quoted_brokers.push(id);
                                // "Goldman economists said": the bank is the source, not the
                                // subject; alone this stays below the output threshold.
                                lk.vote(
                                    InstKey::Kb(id),
                                    m.doc,
                                    start,
                                    end,
                                    0.12,
                                    "research-source",
                                );
                                continue;
                            }
                            lk.vote(InstKey::Kb(id), m.doc, start, end, base, rule);
                            accepted_equities.push(id);
                            if let Some(c) = country {
                                lk.country_vote(c, m.doc, start, end, 0.3, "company");
                            }
                        }
                        Verdict::Pending => pending.push((i, id, 0.6)),
                        Verdict::Reject => {}
                    }
                    continue;
                }
                if kind == Kind::Index
                    && m.alias.class != Class::Code
                    && sub_index(&lk.docs[m.doc], m.t1)
                {
                    continue;
                }
                if kind == Kind::Currency
                    && m.alias.class != Class::Code
                    && is_amount(&lk.docs[m.doc], m.t0)
                {
                    // "600 million euros" is an amount, not news about the euro.
                    continue;
                }
                // A commodity named in a story with no market words at all (a recipe's "wheat
                // flour") is a weak mention.
                let weak_commodity =
                    kind == Kind::Commodity && m.alias.mode == Mode::Any && !lk.market_story();
                let (base, rule, cw) = match (m.alias.class, kind) {
                    (_, Kind::Commodity) if weak_commodity => (0.2, "commodity-name", 0.0),
                    (Class::Code, _) => (0.95, "code", 0.5),
                    (_, Kind::Index) => (0.85, "index-name", 0.8),
                    (_, Kind::Rate) => (0.7, "rate-name", 0.6),
                    (_, Kind::Crypto) => (0.8, "crypto-name", 0.0),
                    (_, Kind::Currency) => (0.6, "currency-name", 0.3),
                    _ => (0.6, "commodity-name", 0.1),
                };
                lk.vote(InstKey::Kb(id), m.doc, start, end, base, rule);
                if let Some(c) = country
                    && cw > 0.0
                {
                    lk.country_vote(c, m.doc, start, end, cw, "instrument");
                }
            }
        }
    }
    // A company accepted once in the story carries its other, uncertain mentions.
    for (i, id, base) in pending {
        if !accepted_equities.contains(&id) {
            continue;
        }
        let m = &mentions[i];
        let doc = &lk.docs[m.doc];
        let start = doc.toks[m.t0].start;
        let end = doc.toks[m.t1 - 1].end;
        lk.vote(
            InstKey::Kb(id),
            m.doc,
            start,
            end,
            base,
            "company-name+story",
        );
    }
}

/// Whether every word of a company name is a common business word ("National Bank").
fn generic_name(words: &[Box<str>]) -> bool {
    const GENERIC: &[&str] = &[
        "national",
        "first",
        "bank",
        "banks",
        "american",
        "united",
        "financial",
        "general",
        "international",
        "capital",
        "trust",
        "savings",
        "federal",
        "security",
        "securities",
        "global",
        "community",
        "citizens",
        "peoples",
        "people",
        "home",
        "state",
        "states",
        "business",
        "investment",
        "investors",
        "services",
        "service",
        "industries",
        "energy",
        "resources",
        "partners",
        "fund",
        "income",
        "growth",
        "value",
        "new",
        "north",
        "south",
        "east",
        "west",
        "western",
        "eastern",
        "southern",
        "northern",
        "central",
        "pacific",
        "atlantic",
        "union",
        "commerce",
        "commercial",
        "mutual",
        "insurance",
        "life",
        "health",
        "care",
        "technology",
        "technologies",
        "systems",
        "solutions",
        "data",
        "media",
        "group",
        "world",
        "premier",
        "select",
        "first",
        "great",
        "royal",
        "standard",
        "heritage",
        "pioneer",
        "liberty",
        "independence",
        "republic",
        "enterprise",
        "enterprises",
        "products",
        "real",
        "estate",
        "properties",
        "realty",
        "oil",
        "gas",
        "power",
        "water",
        "electric",
        "motors",
        "america",
        "us",
        "usa",
        "the",
        "of",
        "and",
        "one",
        "bancorp",
        "bancshares",
        "corp",
    ];
    words
        .iter()
        .all(|w| GENERIC.iter().any(|g| w.eq_ignore_ascii_case(g)))
}

/// Whether a bank or research house is quoted as a source here: "Goldman economists said",
/// "analysts at Morgan Stanley", "according to UBS", "Piper Sandler upgraded the stock",
/// "Citi cut its estimates", "said JPMorgan in a note".
fn research_source(doc: &Doc, t0: usize, t1: usize) -> bool {
    let is = |w: &str, set: &[&str]| set.iter().any(|x| w.eq_ignore_ascii_case(x));
    const SOURCE: &[&str] = &[
        "analyst",
        "analysts",
        "strategist",
        "strategists",
        "economist",
        "economists",
        "research",
        "researchers",
        "note",
        "notes",
        "survey",
        "wrote",
        "writes",
        "upgraded",
        "upgrades",
        "downgraded",
        "downgrades",
        "initiated",
        "reiterated",
        "recommends",
        "recommended",
        "believes",
        "believe",
        "forecasts",
        "forecast",
        "predicts",
        "predicted",
        "reckon",
        "reckons",
        "calculate",
        "calculates",
        "analysis",
        "estimates",
        "target",
        "rating",
        "overweight",
        "underweight",
        "outperform",
        "underperform",
        "neutral",
        "conference",
        "investors",
        "service",
        "ratings",
        "rated",
        "affirmed",
        "placed",
        "review",
        "downgrade",
        "upgrade",
    ];
    const PEOPLE: &[&str] = &[
        "analyst",
        "analysts",
        "strategist",
        "strategists",
        "economist",
        "economists",
        "director",
        "head",
        "chief",
        "manager",
    ];
    let breaks = |k: usize| {
        doc.gap(k).contains(['.', ';', '"', '“', '”', '(', ')']) && !doc.gap(k).contains('\'')
    };
    // "Stifel's Paul Matteis said": the firm's person speaks.
    if doc.word(t1) == "s"
        && matches!(doc.gap(t1), "'" | "’")
        && case_of(doc.word(t1 + 1)) == Case::Title
        && case_of(doc.word(t1 + 2)) == Case::Title
        && doc.gap(t1 + 2) == " "
    {
        return true;
    }
    // After the name.
    for k in t1..(t1 + 5).min(doc.toks.len()) {
        if k > t1 && breaks(k) {
            break;
        }
        if is(doc.word(k), SOURCE) {
            return true;
        }
    }
    // Before the name.
    let lo = t0.saturating_sub(4);
    for k in (lo..t0).rev() {
        if breaks(k + 1) {
            break;
        }
        let w = doc.word(k);
        if w.eq_ignore_ascii_case("at")
            && k > 0
            && (k.saturating_sub(3)..k).any(|j| is(doc.word(j), PEOPLE))
        {
            return true;
        }
        if w.eq_ignore_ascii_case("to")
            && k > 0
            && doc.word(k - 1).eq_ignore_ascii_case("according")
        {
            return true;
        }
        if w.eq_ignore_ascii_case("by") && k > 0 && is(doc.word(k - 1), &["upgraded", "downgraded"])
        {
            return true;
        }
        if w.eq_ignore_ascii_case("said")
            && ((t1..(t1 + 6).min(doc.toks.len())).any(|j| is(doc.word(j), &["note", "report"])))
        {
            return true;
        }
    }
    false
}

/// Extends a company-name span over a legal suffix right after it ("Apple" + " Inc").
fn extend_suffix(doc: &Doc, t1: usize, end: u32) -> u32 {
    if t1 < doc.toks.len()
        && is_strong_suffix(doc.word(t1))
        && joinable_gap(doc.gap(t1))
        && !doc.gap(t1).contains('\n')
    {
        doc.toks[t1].end
    } else {
        end
    }
}

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
