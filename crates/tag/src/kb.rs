//! The knowledge base: instruments (equities, indices, currencies, commodities, rates, crypto),
//! exchanges (ISO 10383 MICs), countries, institutions and places, and the gazetteer of their
//! names that the linker reads stories with.
//!
//! The bundled data lives in `crates/tag/data/` and is compiled in with `include_str!`:
//! `equities.tsv` and `mic.tsv` are generated from the SEC and ISO files (`build_data.py`); the
//! other tables are written by hand. [`Kb::import`] adds instruments and aliases from CSV or JSON.

use crate::error::KbError;
use crate::text::{FxMap, key_of, tokenize};
use serde::{Deserialize, Serialize};

const EQUITIES: &str = include_str!("../data/equities.tsv");
const MICS: &str = include_str!("../data/mic.tsv");
const INSTRUMENTS: &str = include_str!("../data/instruments.tsv");
const COUNTRIES: &str = include_str!("../data/countries.tsv");
const INSTITUTIONS: &str = include_str!("../data/institutions.tsv");
const COMPANIES: &str = include_str!("../data/companies.tsv");
const PLACES: &str = include_str!("../data/places.tsv");

/// What kind of instrument a symbol is (the `kind` field of the tag output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A listed share.
    Equity,
    /// A stock index.
    Index,
    /// A currency or currency pair.
    Currency,
    /// A commodity (oil, gold, wheat …).
    Commodity,
    /// An interest rate or government bond yield.
    Rate,
    /// An exchange-traded fund.
    Etf,
    /// A crypto asset.
    Crypto,
}

impl Kind {
    /// Parses the lower-case name used in data files and the output.
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "equity" | "stock" => Kind::Equity,
            "index" => Kind::Index,
            "currency" | "fx" => Kind::Currency,
            "commodity" => Kind::Commodity,
            "rate" | "yield" | "bond" => Kind::Rate,
            "etf" | "fund" => Kind::Etf,
            "crypto" => Kind::Crypto,
            _ => return None,
        })
    }

    /// The lower-case name (`"equity"`, `"index"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Equity => "equity",
            Kind::Index => "index",
            Kind::Currency => "currency",
            Kind::Commodity => "commodity",
            Kind::Rate => "rate",
            Kind::Etf => "etf",
            Kind::Crypto => "crypto",
        }
    }
}

/// One instrument of the knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// Display symbol: the ticker for equities (`AAPL`, `BRK-B`), a CFD-style code for indices
    /// (`JP225`), ISO 4217 for currencies, our own short codes for the rest.
    pub symbol: String,
    /// What it is.
    pub kind: Kind,
    /// Name as the source prints it.
    pub name: String,
    /// Listing venue (ISO 10383 MIC), for equities and ETFs.
    pub mic: Option<String>,
    /// ISO 3166-1 alpha-2 country (or `EU` for the euro area).
    pub country: Option<String>,
    /// Reuters instrument code (`.N225`, `JNJ.N`).
    pub ric: Option<String>,
    /// Yahoo Finance code (`^N225`).
    pub yahoo: Option<String>,
    /// SEC central index key, for SEC-registered issuers.
    pub cik: Option<u64>,
}

/// A country and what a story about it moves.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// English short name.
    pub name: String,
    /// Benchmark stock index (index into the instrument table).
    pub(crate) index: Option<u32>,
    /// Currency.
    pub(crate) currency: Option<u32>,
    /// Ten-year government bond yield.
    pub(crate) rate: Option<u32>,
    /// Further benchmark indices ("China stocks" are both the CSI 300 and the Shanghai Composite).
    pub(crate) more_indices: Vec<u32>,
}

/// An institution that moves markets (central bank, ministry, regulator, producer group).
#[derive(Debug, Clone, PartialEq)]
pub struct Institution {
    /// Name.
    pub name: String,
    /// Its country, if it has one.
    pub(crate) country: Option<u16>,
    /// Instruments it moves, most affected first.
    pub(crate) instruments: Vec<u32>,
}

/// An exchange or market segment from the ISO 10383 registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mic {
    /// The MIC (`XTKS`).
    pub mic: String,
    /// Operating MIC of a segment (same as `mic` for operating MICs).
    pub operating: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// City.
    pub city: String,
    /// Acronym (`TSE`), may be empty.
    pub acronym: String,
    /// Market name.
    pub name: String,
}

/// What an alias names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Inst(u32),
    Country(u16),
    Institution(u16),
    Place(u16, PlaceKind),
    /// A phrase that contains a name but names none of ours ("Latin America", "Nikkei Asia").
    Block,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceKind {
    State,
    City,
    /// Only after "Place, " ("NASHVILLE, Tenn.").
    Abbr,
}

/// How the words of an alias must be written in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Words capitalised in the alias must be capitalised in the text (all-caps acronyms must be
    /// in capitals).
    Cap,
    /// Exactly as written.
    Exact,
    /// Any case.
    Any,
}

/// Where an alias came from; decides how much evidence a match is and which alias wins when
/// several share a key (lower first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// A printed code (`JP225`, `EURUSD`).
    Code,
    /// A hand-written instrument name ("Nikkei 225", "Brent crude").
    Instrument,
    /// Blocker.
    Block,
    /// Country name, adjective, capital or city.
    Country,
    /// Central bank, ministry, producer group.
    Institution,
    /// US state, city, state abbreviation.
    Place,
    /// Hand-written company short name ("JPMorgan", "Exxon").
    Company,
    /// A company name that is also a common word or a person ("Apple", "Ford").
    Ambiguous,
    /// SEC company name of two or more words, legal suffixes stripped.
    SecMulti,
    /// SEC company name of one word, legal suffixes stripped.
    SecSingle,
}

#[derive(Debug, Clone)]
pub(crate) struct Alias {
    pub target: Target,
    pub mode: Mode,
    pub class: Class,
    /// The alias's words as written (for case checks).
    pub words: Box<[Box<str>]>,
}

/// Phrase dictionary keyed by [`crate::text::key_of`] forms.
#[derive(Debug, Default)]
pub(crate) struct Gazetteer {
    pub phrases: FxMap<Box<[u8]>, Vec<Alias>>,
    /// Every phrase's leading words (1, 2, … all of them) → the most words a phrase starting
    /// with them has. Reading stops extending a phrase as soon as its prefix is not here.
    pub prefixes: FxMap<Box<[u8]>, u8>,
    /// The same for phrases that can start with a lower-case word in the text ("oil", "10-year
    /// Treasury"): most words of a story are lower case, and only these need looking up.
    pub prefixes_lower: FxMap<Box<[u8]>, u8>,
    /// Set while [`Kb::import`] adds aliases.
    pub importing: bool,
}

impl Gazetteer {
    fn add(&mut self, spec: &str, target: Target, class: Class) {
        let spec = spec.trim();
        let (mode, phrase) = if let Some(p) = spec.strip_prefix('=') {
            (Mode::Exact, p)
        } else if let Some(p) = spec.strip_prefix('~') {
            (Mode::Any, p)
        } else {
            (Mode::Cap, spec)
        };
        self.add_phrase(phrase, mode, target, class);
    }

    pub(crate) fn add_phrase(&mut self, phrase: &str, mode: Mode, target: Target, class: Class) {
        let mut toks = Vec::new();
        tokenize(phrase, &mut toks);
        if toks.is_empty() || toks.len() > 12 {
            return;
        }
        let words: Box<[Box<str>]> = toks.iter().map(|t| Box::from(t.as_str(phrase))).collect();
        let key = key_of(phrase);
        let n = toks.len() as u8;
        let lower_start = match mode {
            Mode::Any => true,
            Mode::Cap | Mode::Exact => {
                let w = toks[0].as_str(phrase);
                w.chars().count() == 1 || w.starts_with(|c: char| c.is_lowercase())
            }
        };
        let mut cut = 0;
        for part in key.split(' ') {
            cut += part.len();
            let m = self
                .prefixes
                .entry(Box::from(&key.as_bytes()[..cut]))
                .or_insert(0);
            *m = (*m).max(n);
            if lower_start {
                let m = self
                    .prefixes_lower
                    .entry(Box::from(&key.as_bytes()[..cut]))
                    .or_insert(0);
                *m = (*m).max(n);
            }
            cut += 1;
        }
        let entry = self.phrases.entry(Box::from(key.as_bytes())).or_default();
        if entry.iter().any(|a| {
            a.target == target && a.mode == mode && (mode != Mode::Exact || a.words == words)
        }) {
            return;
        }
        let alias = Alias {
            target,
            mode,
            class,
            words,
        };
        // Imported aliases go first among their class: an import is there to override.
        if self.importing {
            entry.insert(0, alias);
        } else {
            entry.push(alias);
        }
        entry.sort_by_key(|a| a.class);
    }

    fn has_key(&self, key: &str) -> bool {
        self.phrases.contains_key(key.as_bytes())
    }
}

/// The knowledge base: everything the linker knows. Build it once ([`Kb::bundled`]) and share it.
#[derive(Debug)]
pub struct Kb {
    pub(crate) instruments: Vec<Instrument>,
    pub(crate) countries: Vec<Country>,
    pub(crate) institutions: Vec<Institution>,
    pub(crate) mics: FxMap<String, Mic>,
    pub(crate) by_symbol: FxMap<String, u32>,
    pub(crate) by_ric: FxMap<String, u32>,
    pub(crate) country_by_code: FxMap<String, u16>,
    pub(crate) gaz: Gazetteer,
    /// Keys of legal suffixes ("inc", "corp" …), for normalising names and reading cues.
    pub(crate) legal_suffixes: FxMap<&'static str, ()>,
    /// Id of the first SEC equity: ids after it are in SEC (roughly market-cap) order.
    pub(crate) first_equity: u32,
    /// Banks, research houses and rating agencies that news quotes as sources.
    pub(crate) brokers: FxMap<u32, ()>,
}

/// Words stripped from the end of company names ("Apple Inc." → "Apple").
pub(crate) const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "companies",
    "cos",
    "ltd",
    "limited",
    "plc",
    "llc",
    "lp",
    "llp",
    "nv",
    "sa",
    "ag",
    "se",
    "asa",
    "ab",
    "spa",
    "sab",
    "cv",
    "de",
    "holdings",
    "holding",
    "group",
    "adr",
    "ads",
    "tbk",
    "bhd",
    "berhad",
    "oyj",
    "kgaa",
    "the",
    "and",
    "class",
    "l",
    "p",
    "n",
    "v",
    "s",
    "a",
    "b",
    "c",
];

/// Counts of what an [`Kb::import`] added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportStats {
    /// New instruments.
    pub added: usize,
    /// Existing instruments that got aliases or fields.
    pub updated: usize,
    /// Aliases added.
    pub aliases: usize,
}

/// One record of an import file (CSV columns or JSON object fields).
#[derive(Debug, Clone, Default, Deserialize)]
struct ImportRecord {
    symbol: String,
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aliases: Option<AliasList>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    mic: Option<String>,
    #[serde(default)]
    ric: Option<String>,
    #[serde(default)]
    yahoo: Option<String>,
    #[serde(default)]
    cik: Option<u64>,
    #[serde(default)]
    ambiguous: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum AliasList {
    List(Vec<String>),
    Joined(String),
}

impl AliasList {
    fn items(&self) -> Vec<String> {
        match self {
            AliasList::List(v) => v.clone(),
            AliasList::Joined(s) => s
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        }
    }
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        Some(s.to_owned())
    }
}

/// Canonical form of a ticker for lookups: upper case, class separators unified to `-`
/// (`BRK.B`, `BRK/B` → `BRK-B`).
pub(crate) fn norm_symbol(s: &str) -> String {
    s.trim()
        .trim_start_matches('$')
        .chars()
        .map(|c| match c {
            '.' | '/' => '-',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

fn data_lines(s: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    s.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| (n + 1, l.split('\t').collect()))
}

impl Kb {
    /// The bundled knowledge base (SEC equities, ISO MICs and the hand-written tables).
    pub fn bundled() -> Result<Kb, KbError> {
        let mut kb = Kb {
            instruments: Vec::with_capacity(11_000),
            countries: Vec::new(),
            institutions: Vec::new(),
            mics: FxMap::default(),
            by_symbol: FxMap::default(),
            by_ric: FxMap::default(),
            country_by_code: FxMap::default(),
            gaz: Gazetteer::default(),
            legal_suffixes: LEGAL_SUFFIXES.iter().map(|s| (*s, ())).collect(),
            first_equity: 0,
            brokers: FxMap::default(),
        };
        kb.load_mics()?;
        kb.load_instruments()?;
        kb.load_countries()?;
        kb.load_institutions()?;
        kb.load_places()?;
        kb.load_equities()?;
        kb.load_companies()?;
        kb.add_sec_names();
        Ok(kb)
    }

    /// Number of instruments.
    pub fn len(&self) -> usize {
        self.instruments.len()
    }

    /// Whether the knowledge base has no instruments.
    pub fn is_empty(&self) -> bool {
        self.instruments.is_empty()
    }

    /// Looks an instrument up by symbol (`AAPL`, `BRK.B`, `JP225`), Reuters code (`.N225`) or
    /// Yahoo code.
    pub fn instrument(&self, code: &str) -> Option<&Instrument> {
        let id = self
            .by_symbol
            .get(&norm_symbol(code))
            .or_else(|| self.by_ric.get(code.trim()))?;
        self.instruments.get(*id as usize)
    }

    /// Looks an exchange up by MIC.
    pub fn mic(&self, mic: &str) -> Option<&Mic> {
        self.mics.get(mic)
    }

    pub(crate) fn country_code(&self, c: u16) -> &str {
        self.countries
            .get(c as usize)
            .map(|c| c.code.as_str())
            .unwrap_or("")
    }

    fn push_instrument(&mut self, inst: Instrument) -> u32 {
        let id = self.instruments.len() as u32;
        let sym = norm_symbol(&inst.symbol);
        self.by_symbol.entry(sym).or_insert(id);
        if let Some(r) = &inst.ric {
            self.by_ric.entry(r.clone()).or_insert(id);
        }
        if let Some(y) = &inst.yahoo {
            self.by_ric.entry(y.clone()).or_insert(id);
        }
        self.instruments.push(inst);
        id
    }

    fn load_mics(&mut self) -> Result<(), KbError> {
        for (line, f) in data_lines(MICS) {
            if f.len() < 6 {
                return Err(KbError::Bundled {
                    file: "mic.tsv",
                    line,
                });
            }
            self.mics.insert(
                f[0].to_owned(),
                Mic {
                    mic: f[0].to_owned(),
                    operating: f[1].to_owned(),
                    country: f[2].to_owned(),
                    city: f[3].to_owned(),
                    acronym: f[4].to_owned(),
                    name: f[5].to_owned(),
                },
            );
        }
        Ok(())
    }

    fn load_instruments(&mut self) -> Result<(), KbError> {
        for (line, f) in data_lines(INSTRUMENTS) {
            let bad = KbError::Bundled {
                file: "instruments.tsv",
                line,
            };
            if f.len() < 7 {
                return Err(bad);
            }
            let kind = Kind::parse(f[1]).ok_or(bad)?;
            let id = self.push_instrument(Instrument {
                symbol: f[0].trim().to_owned(),
                kind,
                name: f[2].trim().to_owned(),
                mic: None,
                country: opt(f[3]),
                ric: opt(f[4]),
                yahoo: opt(f[5]),
                cik: None,
            });
            let symbol = f[0].trim();
            for a in f[6].split('|') {
                let bare = a.trim_start_matches(['=', '~']);
                let class = if bare == symbol {
                    Class::Code
                } else {
                    Class::Instrument
                };
                self.gaz.add(a, Target::Inst(id), class);
            }
        }
        Ok(())
    }

    /// The equity with this ticker (a ticker can also be a currency code: COP).
    pub(crate) fn equity_id(&self, s: &str) -> Option<u32> {
        let id = self.symbol_id(s)?;
        if matches!(self.instruments[id as usize].kind, Kind::Equity | Kind::Etf) {
            return Some(id);
        }
        let sym = norm_symbol(s);
        (self.first_equity as usize..self.instruments.len())
            .find(|&i| norm_symbol(&self.instruments[i].symbol) == sym)
            .map(|i| i as u32)
    }

    fn symbol_id(&self, s: &str) -> Option<u32> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        self.by_symbol.get(&norm_symbol(s)).copied()
    }

    fn load_countries(&mut self) -> Result<(), KbError> {
        for (line, f) in data_lines(COUNTRIES) {
            if f.len() < 6 {
                return Err(KbError::Bundled {
                    file: "countries.tsv",
                    line,
                });
            }
            let id = self.countries.len() as u16;
            self.countries.push(Country {
                code: f[0].trim().to_owned(),
                name: f[1].trim().to_owned(),
                index: self.symbol_id(f[2]),
                currency: self.symbol_id(f[3]),
                rate: self.symbol_id(f[4]),
                more_indices: f
                    .get(6)
                    .map(|m| {
                        m.split_whitespace()
                            .filter_map(|s| self.symbol_id(s))
                            .collect()
                    })
                    .unwrap_or_default(),
            });
            self.country_by_code.insert(f[0].trim().to_owned(), id);
            self.gaz.add(f[1], Target::Country(id), Class::Country);
            for a in f[5].split('|') {
                self.gaz.add(a, Target::Country(id), Class::Country);
            }
        }
        // The euro area is a "country" for instruments (EUR, EU50) but not an ISO code we output.
        if !self.country_by_code.contains_key("EU") {
            let id = self.countries.len() as u16;
            self.countries.push(Country {
                code: "EU".to_owned(),
                name: "Euro area".to_owned(),
                index: self.symbol_id("EU50"),
                currency: self.symbol_id("EUR"),
                rate: self.symbol_id("DE10Y"),
                more_indices: Vec::new(),
            });
            self.country_by_code.insert("EU".to_owned(), id);
        }
        Ok(())
    }

    fn load_institutions(&mut self) -> Result<(), KbError> {
        for (line, f) in data_lines(INSTITUTIONS) {
            if f.len() < 4 {
                return Err(KbError::Bundled {
                    file: "institutions.tsv",
                    line,
                });
            }
            let id = self.institutions.len() as u16;
            let country = self.country_by_code.get(f[1].trim()).copied();
            let instruments = f[2]
                .split_whitespace()
                .filter_map(|s| self.symbol_id(s))
                .collect();
            self.institutions.push(Institution {
                name: f[0].trim().to_owned(),
                country,
                instruments,
            });
            for a in f[3].split('|') {
                self.gaz.add(a, Target::Institution(id), Class::Institution);
            }
        }
        Ok(())
    }

    fn load_places(&mut self) -> Result<(), KbError> {
        for (line, f) in data_lines(PLACES) {
            let bad = KbError::Bundled {
                file: "places.tsv",
                line,
            };
            if f.len() < 3 {
                return Err(bad);
            }
            let (target, class) = if f[0].trim() == "-" {
                (Target::Block, Class::Block)
            } else {
                let c = *self.country_by_code.get(f[0].trim()).ok_or(bad)?;
                let kind = match f[1].trim() {
                    "state" => PlaceKind::State,
                    "abbr" => PlaceKind::Abbr,
                    _ => PlaceKind::City,
                };
                (Target::Place(c, kind), Class::Place)
            };
            for a in f[2].split('|') {
                self.gaz.add(a, target, class);
            }
        }
        Ok(())
    }

    fn load_equities(&mut self) -> Result<(), KbError> {
        self.first_equity = self.instruments.len() as u32;
        for (line, f) in data_lines(EQUITIES) {
            if f.len() < 4 {
                return Err(KbError::Bundled {
                    file: "equities.tsv",
                    line,
                });
            }
            let mic = opt(f[2]);
            let country = mic
                .as_deref()
                .and_then(|m| self.mics.get(m))
                .map(|m| m.country.clone());
            let symbol = f[0].trim().to_owned();
            let ric = us_ric(&symbol, mic.as_deref());
            let name = display_name(f[3]);
            // Exchange-traded funds file with the SEC like issuers; their names say what they are.
            let etf = name
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.eq_ignore_ascii_case("etf") || w.eq_ignore_ascii_case("ishares"));
            self.push_instrument(Instrument {
                symbol,
                kind: if etf { Kind::Etf } else { Kind::Equity },
                name: name.to_owned(),
                mic,
                country,
                ric,
                yahoo: None,
                cik: f[1].trim().parse().ok(),
            });
        }
        Ok(())
    }

    fn load_companies(&mut self) -> Result<(), KbError> {
        for (_, f) in data_lines(COMPANIES) {
            if f.len() < 3 {
                continue;
            }
            // Tickers that left the SEC list since the aliases were written are skipped.
            let Some(id) = self.equity_id(f[0]) else {
                continue;
            };
            let ambiguous = f[1].contains("ambiguous");
            if f[1].contains("broker") {
                self.brokers.insert(id, ());
            }
            for a in f[2].split('|') {
                // "Ford" is ambiguous; "Ford Motor" is not.
                let class = if ambiguous && key_of(a).split(' ').count() == 1 {
                    Class::Ambiguous
                } else {
                    Class::Company
                };
                self.gaz.add(a, Target::Inst(id), class);
            }
        }
        Ok(())
    }

    /// Adds every SEC issuer's name (legal suffixes stripped) as an alias, unless the key
    /// already names something else (a country, an index, a curated company). The first ticker
    /// of an issuer (SEC order, roughly by size) carries its name.
    fn add_sec_names(&mut self) {
        let mut seen_cik: FxMap<u64, ()> = FxMap::default();
        let mut names: Vec<(u32, String)> = Vec::new();
        for (id, inst) in self.instruments.iter().enumerate() {
            if !matches!(inst.kind, Kind::Equity | Kind::Etf) {
                continue;
            }
            if let Some(cik) = inst.cik
                && seen_cik.insert(cik, ()).is_some()
            {
                continue;
            }
            names.push((id as u32, inst.name.clone()));
        }
        for (id, name) in names {
            let words = self.company_name_words(&name);
            if words.is_empty() {
                continue;
            }
            let phrase = words.join(" ");
            let key = key_of(&phrase);
            if key.is_empty() || self.gaz.has_key(&key) {
                continue;
            }
            let single = words.len() == 1;
            // One-word names of up to four letters are acronyms ("KLA", "CBRE"): capitals only.
            let (mode, class) = if single && words[0].chars().count() <= 4 {
                (Mode::Exact, Class::SecSingle)
            } else if single {
                (Mode::Cap, Class::SecSingle)
            } else {
                (Mode::Cap, Class::SecMulti)
            };
            let phrase = if mode == Mode::Exact {
                phrase.to_uppercase()
            } else {
                phrase
            };
            self.gaz.add_phrase(&phrase, mode, Target::Inst(id), class);
            // "Amazon.com" is also "Amazon"; the curated table decides whether that is ambiguous.
            if let Some(stem) = phrase.strip_suffix(" com") {
                let k = key_of(stem);
                if !k.is_empty() && !self.gaz.has_key(&k) {
                    let class = if stem.contains(' ') {
                        Class::SecMulti
                    } else {
                        Class::SecSingle
                    };
                    self.gaz
                        .add_phrase(stem, Mode::Cap, Target::Inst(id), class);
                }
            }
        }
    }

    /// Words of a company name with legal suffixes, SEC state tags (`/DE/`) and a leading "The"
    /// removed, title-cased so that the gazetteer asks for capitals and not for all-caps.
    pub(crate) fn company_name_words(&self, name: &str) -> Vec<String> {
        // Drop "/DE/", "/NEW/", "/MN" state tags and "(THE)".
        let mut s = name.replace("(THE)", " ").replace("(The)", " ");
        if let Some(p) = s.find('/') {
            let tail = &s[p + 1..];
            let tag: String = tail.chars().filter(|c| c.is_alphanumeric()).collect();
            if tag.len() <= 4 && !tail.trim_end_matches('/').contains('/') {
                s.truncate(p);
            }
        }
        let mut toks = Vec::new();
        tokenize(&s, &mut toks);
        let mut words: Vec<String> = toks.iter().map(|t| t.as_str(&s).to_owned()).collect();
        if words.len() > 1 && words[0].eq_ignore_ascii_case("the") {
            words.remove(0);
        }
        while words.len() > 1 {
            let last = words[words.len() - 1].to_ascii_lowercase();
            if self.legal_suffixes.contains_key(last.as_str()) {
                words.pop();
            } else {
                break;
            }
        }
        words
            .into_iter()
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f
                        .to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect(),
                    None => w,
                }
            })
            .collect()
    }

    /// Adds instruments and aliases from CSV (header row with at least `symbol,kind`; optional
    /// `name,aliases,country,mic,ric,yahoo,cik,ambiguous`; aliases separated by `|`) or JSON (an
    /// array of objects with the same fields, `aliases` a list or a `|`-joined string). An
    /// existing symbol of the same kind is extended (aliases added, empty fields filled).
    pub fn import(&mut self, bytes: &[u8]) -> Result<ImportStats, KbError> {
        let text = std::str::from_utf8(bytes).map_err(|_| KbError::NotUtf8)?;
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        let records: Vec<ImportRecord> = if trimmed.starts_with('[') || trimmed.starts_with('{') {
            if trimmed.starts_with('{') {
                vec![serde_json::from_str(trimmed).map_err(|e| KbError::Json(e.to_string()))?]
            } else {
                serde_json::from_str(trimmed).map_err(|e| KbError::Json(e.to_string()))?
            }
        } else {
            parse_csv_records(trimmed)?
        };
        self.gaz.importing = true;
        let result = self.import_records(records);
        self.gaz.importing = false;
        result
    }

    fn import_records(&mut self, records: Vec<ImportRecord>) -> Result<ImportStats, KbError> {
        let mut stats = ImportStats::default();
        for (n, r) in records.into_iter().enumerate() {
            let kind = Kind::parse(&r.kind).ok_or_else(|| KbError::Record {
                record: n + 1,
                reason: format!("unknown kind {:?}", r.kind),
            })?;
            if r.symbol.trim().is_empty() {
                return Err(KbError::Record {
                    record: n + 1,
                    reason: "empty symbol".to_owned(),
                });
            }
            let existing = self
                .by_symbol
                .get(&norm_symbol(&r.symbol))
                .copied()
                .filter(|&id| self.instruments[id as usize].kind == kind);
            let id = match existing {
                Some(id) => {
                    let inst = &mut self.instruments[id as usize];
                    fill(&mut inst.mic, &r.mic);
                    fill(&mut inst.country, &r.country);
                    fill(&mut inst.ric, &r.ric);
                    fill(&mut inst.yahoo, &r.yahoo);
                    if inst.cik.is_none() {
                        inst.cik = r.cik;
                    }
                    let (ric, yahoo) = (inst.ric.clone(), inst.yahoo.clone());
                    for code in [ric, yahoo].into_iter().flatten() {
                        self.by_ric.entry(code).or_insert(id);
                    }
                    stats.updated += 1;
                    id
                }
                None => {
                    let name = r.name.clone().unwrap_or_else(|| r.symbol.clone());
                    let country = r.country.clone().or_else(|| {
                        r.mic
                            .as_deref()
                            .and_then(|m| self.mics.get(m))
                            .map(|m| m.country.clone())
                    });
                    let id = self.push_instrument(Instrument {
                        symbol: r.symbol.trim().to_owned(),
                        kind,
                        name: name.clone(),
                        mic: r.mic.clone(),
                        country,
                        ric: r.ric.clone(),
                        yahoo: r.yahoo.clone(),
                        cik: r.cik,
                    });
                    if let Some(n) = &r.name {
                        let words = if kind == Kind::Equity {
                            self.company_name_words(n)
                        } else {
                            vec![n.clone()]
                        };
                        if !words.is_empty() {
                            self.gaz.add_phrase(
                                &words.join(" "),
                                Mode::Cap,
                                Target::Inst(id),
                                Class::Company,
                            );
                            stats.aliases += 1;
                        }
                    }
                    stats.added += 1;
                    id
                }
            };
            let class = if r.ambiguous.unwrap_or(false) {
                Class::Ambiguous
            } else {
                Class::Company
            };
            for a in r.aliases.as_ref().map(AliasList::items).unwrap_or_default() {
                self.gaz.add(&a, Target::Inst(id), class);
                stats.aliases += 1;
            }
        }
        Ok(stats)
    }
}

/// An SEC name without its trailing state tag: "BANK OF AMERICA CORP /DE/" → "BANK OF AMERICA
/// CORP", "WELLS FARGO & COMPANY/MN" → "WELLS FARGO & COMPANY".
fn display_name(name: &str) -> &str {
    let mut n = name.trim().trim_end_matches('/').trim_end();
    if let Some(p) = n.rfind('/') {
        let tag = n[p + 1..].trim();
        if !tag.is_empty() && tag.len() <= 4 && tag.chars().all(|c| c.is_ascii_alphanumeric()) {
            n = n[..p].trim_end();
        }
    }
    n
}

fn fill(slot: &mut Option<String>, v: &Option<String>) {
    if slot.is_none()
        && let Some(v) = v.as_deref().and_then(opt)
    {
        *slot = Some(v);
    }
}

fn us_ric(symbol: &str, mic: Option<&str>) -> Option<String> {
    let suffix = match mic? {
        "XNAS" => "O",
        "XNYS" => "N",
        "BATS" => "Z",
        _ => return None,
    };
    // Class shares: BRK-B → BRKb.
    let root = match symbol.split_once('-') {
        Some((r, c)) if c.len() == 1 => format!("{r}{}", c.to_ascii_lowercase()),
        _ => symbol.to_owned(),
    };
    Some(format!("{root}.{suffix}"))
}

/// A small CSV reader (RFC 4180 quoting) producing import records from a header row.
fn parse_csv_records(text: &str) -> Result<Vec<ImportRecord>, KbError> {
    let rows = parse_csv(text);
    let mut it = rows.into_iter();
    let header: Vec<String> = it
        .next()
        .ok_or(KbError::Csv("empty file".to_owned()))?
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(cs), Some(ck)) = (col("symbol"), col("kind")) else {
        return Err(KbError::Csv(
            "header must name at least `symbol` and `kind`".to_owned(),
        ));
    };
    let get = |row: &[String], name: &str| -> Option<String> {
        col(name).and_then(|i| row.get(i)).and_then(|v| opt(v))
    };
    let mut out = Vec::new();
    for (n, row) in it.enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cik = match get(&row, "cik") {
            Some(v) => Some(v.parse().map_err(|_| KbError::Record {
                record: n + 1,
                reason: format!("cik {v:?} is not a number"),
            })?),
            None => None,
        };
        out.push(ImportRecord {
            symbol: row.get(cs).cloned().unwrap_or_default(),
            kind: row.get(ck).cloned().unwrap_or_default(),
            name: get(&row, "name"),
            aliases: get(&row, "aliases").map(AliasList::Joined),
            country: get(&row, "country"),
            mic: get(&row, "mic"),
            ric: get(&row, "ric"),
            yahoo: get(&row, "yahoo"),
            cik,
            ambiguous: get(&row, "ambiguous")
                .map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes")),
        });
    }
    Ok(out)
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_loads() {
        let kb = Kb::bundled().unwrap();
        assert!(kb.len() > 10_000);
        assert_eq!(
            kb.instrument("JP225").unwrap().ric.as_deref(),
            Some(".N225")
        );
        assert_eq!(kb.instrument(".N225").unwrap().symbol, "JP225");
        assert_eq!(kb.instrument("^N225").unwrap().symbol, "JP225");
        assert_eq!(kb.instrument("brk.b").unwrap().symbol, "BRK-B");
        assert_eq!(kb.mic("XTKS").unwrap().country, "JP");
        assert_eq!(kb.instrument("SPY").unwrap().kind, Kind::Etf);
        assert_eq!(kb.instrument("AAPL").unwrap().kind, Kind::Equity);
        assert_eq!(kb.instrument("BAC").unwrap().name, "BANK OF AMERICA CORP");
        assert_eq!(kb.instrument("WFC").unwrap().name, "WELLS FARGO & COMPANY");
    }

    #[test]
    fn company_names_lose_legal_suffixes() {
        let kb = Kb::bundled().unwrap();
        assert_eq!(
            kb.company_name_words("JPMORGAN CHASE & CO"),
            ["Jpmorgan", "Chase"]
        );
        assert_eq!(
            kb.company_name_words("SCHLUMBERGER LIMITED/NV"),
            ["Schlumberger"]
        );
        assert_eq!(kb.company_name_words("COMERICA INC /NEW/"), ["Comerica"]);
        assert_eq!(kb.company_name_words("Apple Inc."), ["Apple"]);
        assert_eq!(
            kb.company_name_words("Goldman Sachs Group Inc"),
            ["Goldman", "Sachs"]
        );
    }

    #[test]
    fn import_csv_and_json() {
        let mut kb = Kb::bundled().unwrap();
        let csv =
            "symbol,kind,name,aliases,mic\nALU,equity,Altium Ltd,\"Altium|Altium Limited\",XASX\n";
        let s = kb.import(csv.as_bytes()).unwrap();
        assert_eq!(s.added, 1);
        let alu = kb.instrument("ALU").unwrap();
        assert_eq!(alu.country.as_deref(), Some("AU"));
        let json = r#"[{"symbol":"AAPL","kind":"equity","aliases":["Cupertino giant"]}]"#;
        let s = kb.import(json.as_bytes()).unwrap();
        assert_eq!((s.added, s.updated, s.aliases), (0, 1, 1));
        // An imported alias wins over a bundled one with the same words.
        kb.import(
            b"symbol,kind,name,aliases,mic\n7203,equity,Toyota Motor Corp,Toyota Motor,XTKS\n",
        )
        .unwrap();
        let t = crate::tag(&kb, None, "Toyota Motor fell in Tokyo.");
        assert_eq!(t.instruments[0].instrument.symbol, "7203");
        assert!(kb.import(b"symbol,kind\nX,planet\n").is_err());
        assert!(kb.import(b"name\nfoo\n").is_err());
    }
}
