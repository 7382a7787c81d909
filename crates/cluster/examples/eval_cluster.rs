//! Evaluates story clustering on Reuters-21578 (read at run time from the shared data
//! directory, never copied into the repository) plus variants derived from it.
//!
//! ```text
//! cargo run --release -p newsdesk-cluster --example eval_cluster -- ../shared/data/reuters21578 \
//!     [--files 0-17] [--variants-per-mille 150] [--min-precision P] [--min-recall R] [--show N]
//! ```
//!
//! Gold labels come from rules that do not use the clustering measures (see the crate README):
//! - real near-duplicates: the same headline (after removing literal `CORRECTED -`/`(RPT)`
//!   markers) on the same day, when that headline is never used on another day; or the same
//!   body text (whitespace collapsed) of at least 30 words within 3 days;
//! - derived variants of a sampled document belong to its story by construction;
//! - headlines used on several days are recurring columns: pairs across days are negatives,
//!   same-day pairs are left unscored (the rule cannot tell an update from the next edition);
//! - the same lead paragraph (20+ words, whitespace collapsed) within 3 days.
//!
//! Every predicted pair inside a produced cluster is scored against the gold clusters.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use newsdesk_cluster::{ClusterConfig, ClusterIndex, Fingerprint, StoryId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

type AnyResult<T> = Result<T, Box<dyn Error>>;

/// One Reuters document as read from the SGML.
struct Doc {
    newid: u64,
    time: Timestamp,
    day: Date,
    topics: Vec<String>,
    title: String,
    /// Paragraphs: a line starting with blanks starts a new one; lines inside are joined.
    paragraphs: Vec<String>,
}

impl Doc {
    fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }
    fn words(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum()
    }
}

/// What a stream item is: an original document or a variant derived from one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Kind {
    Original,
    NewHeadline,
    Trimmed,
    Boilerplate,
    Rewrapped,
    Update,
    Brief,
    HeadlineOnly,
    TrimmedWrapped,
}

const VARIANT_KINDS: [Kind; 8] = [
    Kind::NewHeadline,
    Kind::Trimmed,
    Kind::Boilerplate,
    Kind::Rewrapped,
    Kind::Update,
    Kind::Brief,
    Kind::HeadlineOnly,
    Kind::TrimmedWrapped,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Original => "original",
            Kind::NewHeadline => "new-headline",
            Kind::Trimmed => "trimmed-60-80%",
            Kind::Boilerplate => "site-boilerplate",
            Kind::Rewrapped => "rewrapped",
            Kind::Update => "update",
            Kind::Brief => "two-sentence-brief",
            Kind::HeadlineOnly => "headline-only",
            Kind::TrimmedWrapped => "trimmed+boilerplate",
        }
    }
}

struct Item {
    id: u64,
    time: Timestamp,
    title: String,
    body: String,
    kind: Kind,
    /// Index of the original document (itself for originals).
    source: usize,
}

// ---------------------------------------------------------------------------------------------
// Reading Reuters SGML (latin-1).

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|&e| e <= 8) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        match entity {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "quot" => out.push('"'),
            _ if entity.starts_with('#') => {
                // Control characters written as &#N; carry no text.
                if let Some(c) = entity[1..].parse::<u32>().ok().and_then(char::from_u32)
                    && !c.is_control()
                {
                    out.push(c);
                }
            }
            _ => out.push_str(&rest[..=end]),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

fn parse_date(s: &str) -> AnyResult<(Timestamp, Date)> {
    // "26-FEB-1987 15:01:01.79", sometimes followed by control-character junk ("&#5;&#5;RM").
    // One date carries a comment after the time.
    let s = s.split('&').next().unwrap_or(s);
    let mut fields = s.split_whitespace();
    let (date, time) = (
        fields.next().ok_or("empty date")?,
        fields.next().ok_or("date without time")?,
    );
    let mut dparts = date.split('-');
    let day: i8 = dparts.next().ok_or("day")?.parse()?;
    let month = match dparts.next().ok_or("month")? {
        "JAN" => 1,
        "FEB" => 2,
        "MAR" => 3,
        "APR" => 4,
        "MAY" => 5,
        "JUN" => 6,
        "JUL" => 7,
        "AUG" => 8,
        "SEP" => 9,
        "OCT" => 10,
        "NOV" => 11,
        "DEC" => 12,
        other => return Err(format!("month {other}").into()),
    };
    let year: i16 = dparts.next().ok_or("year")?.parse()?;
    let mut tparts = time.trim().split([':', '.']);
    let h: i8 = tparts.next().ok_or("hour")?.parse()?;
    let m: i8 = tparts.next().ok_or("minute")?.parse()?;
    let sec: i8 = tparts.next().ok_or("second")?.parse()?;
    let d = Date::new(year, month, day)?;
    let ts = d
        .at(h, m, sec, 0)
        .to_zoned_datetime(TimeZone::UTC)?
        .timestamp();
    Ok((ts, d))
}

fn paragraphs(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        let starts_paragraph = line.starts_with(' ') || line.starts_with('\t');
        let text = line.trim();
        if (text.is_empty() || starts_paragraph) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if text.is_empty() {
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(text);
    }
    if !current.is_empty() {
        out.push(current);
    }
    // The agency sign-off is not part of the story text a site would show.
    if out.last().is_some_and(|p| p == "Reuter" || p == "REUTER") {
        out.pop();
    }
    out
}

fn read_reuters(dir: &Path, files: std::ops::RangeInclusive<u32>) -> AnyResult<Vec<Doc>> {
    let mut docs = Vec::new();
    let mut skipped = 0usize;
    for n in files {
        let path = dir.join(format!("reut2-{n:03}.sgm"));
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        for chunk in text.split("<REUTERS ").skip(1) {
            let newid: u64 = between(chunk, "NEWID=\"", "\"").ok_or("NEWID")?.parse()?;
            // A handful of dates are corrupt ("31-MAR-1987 605:12:19.12"): skip those documents.
            let Ok((time, day)) = parse_date(between(chunk, "<DATE>", "</DATE>").ok_or("DATE")?)
            else {
                skipped += 1;
                continue;
            };
            let topics = between(chunk, "<TOPICS>", "</TOPICS>")
                .unwrap_or("")
                .split("<D>")
                .filter_map(|t| t.strip_suffix("</D>"))
                .map(str::to_string)
                .collect();
            let title = between(chunk, "<TITLE>", "</TITLE>")
                .map(|t| {
                    decode_entities(t)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            let body = between(chunk, "<BODY>", "</BODY>")
                .map(decode_entities)
                .unwrap_or_default();
            let doc = Doc {
                newid,
                time,
                day,
                topics,
                title,
                paragraphs: paragraphs(&body),
            };
            if !doc.title.is_empty() || !doc.paragraphs.is_empty() {
                docs.push(doc);
            }
        }
    }
    if skipped > 0 {
        println!("skipped {skipped} documents with an unreadable date");
    }
    Ok(docs)
}

// ---------------------------------------------------------------------------------------------
// Gold labels for the real documents.

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// The headline as the gold rule compares it: literal correction/repeat markers removed,
/// whitespace collapsed. Deliberately not the clustering crate's normalisation.
fn gold_title(t: &str) -> String {
    let mut t = t.trim();
    for marker in [
        "(CORRECTED) -",
        "(CORRECTED)-",
        "CORRECTED -",
        "CORRECTED-",
        "(RPT)",
        "(REPEAT)",
    ] {
        if let Some(rest) = t.strip_prefix(marker) {
            t = rest.trim();
        }
    }
    t.to_string()
}

struct Gold {
    /// Gold cluster root per original document.
    root: Vec<usize>,
    /// Pairs of originals (lower index first) left out of scoring.
    ignored: HashSet<(usize, usize)>,
    /// Pairs of originals joined by the same-lead or same-body rule (the rest of the real pairs are
    /// same-headline pairs).
    same_body: HashSet<(usize, usize)>,
    /// Originals sharing a headline used on 3+ days: cross-day pairs are recurring-column
    /// negatives.
    column: HashSet<(usize, usize)>,
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

fn gold_for(docs: &[Doc]) -> Gold {
    let mut uf = UnionFind::new(docs.len());
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if !d.title.is_empty() {
            by_title.entry(gold_title(&d.title)).or_default().push(i);
        }
    }
    let mut ignored = HashSet::new();
    let mut column = HashSet::new();
    for members in by_title.values() {
        let days: HashSet<Date> = members.iter().map(|&i| docs[i].day).collect();
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                let same_day = docs[a].day == docs[b].day;
                if days.len() == 1 {
                    uf.union(a, b);
                } else if days.len() >= 3 && !same_day {
                    column.insert(pair(a, b));
                } else {
                    ignored.insert(pair(a, b));
                }
            }
        }
    }
    let mut by_body: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if d.words() >= 30 {
            let key = d.body().split_whitespace().collect::<Vec<_>>().join(" ");
            by_body.entry(key).or_default().push(i);
        }
    }
    // Same lead paragraph (20+ words, whitespace collapsed) within 3 days: wire updates and
    // re-titled repeats keep the lead.
    let mut by_lead: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some(lead) = d
            .paragraphs
            .first()
            .filter(|p| p.split_whitespace().count() >= 20)
        {
            by_lead
                .entry(lead.split_whitespace().collect::<Vec<_>>().join(" "))
                .or_default()
                .push(i);
        }
    }
    let mut same_body = HashSet::new();
    for members in by_lead.values().chain(by_body.values()) {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if docs[a].time.duration_since(docs[b].time).abs() <= SignedDuration::from_hours(72)
                {
                    uf.union(a, b);
                    same_body.insert(pair(a, b));
                }
            }
        }
    }
    let root = (0..docs.len()).map(|i| uf.find(i)).collect();
    // A pair joined by either rule is a positive even if the other rule would ignore it.
    let mut gold = Gold {
        root,
        ignored,
        same_body,
        column,
    };
    let root = gold.root.clone();
    gold.ignored.retain(|&(a, b)| root[a] != root[b]);
    gold.column.retain(|&(a, b)| root[a] != root[b]);
    gold
}

// ---------------------------------------------------------------------------------------------
// Derived variants. All added text is written for this evaluation.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Site {
    name: &'static str,
    header: &'static [&'static str],
    promo: &'static str,
    footer: &'static [&'static str],
}

const SITES: [Site; 3] = [
    Site {
        name: "Harbour Street Journal",
        header: &[
            "Home | Markets | Companies | Economy | Opinion | Podcasts | Subscribe",
            "Sign in to save articles and follow topics you care about",
        ],
        promo: "READ MORE: Our weekly newsletter explains what moved the markets. Sign up free.",
        footer: &[
            "Latest comments",
            "Be the first to share your view on this story. Comments are moderated and may take a few minutes to appear.",
            "Risk warning: trading shares, currencies and commodities carries a high level of risk and may not be suitable for all investors. Past performance is not a guide to future returns.",
            "Copyright Harbour Street Media. All rights reserved.",
        ],
    },
    Site {
        name: "TickerTape Daily",
        header: &[
            "Skip to content",
            "Markets  News  Watchlist  Screener  Pricing  Log in",
        ],
        promo: "Advertisement - story continues below. Open an account in minutes and get zero commission on your first ten trades.",
        footer: &[
            "Related stories",
            "Five charts that explain the bond market this week",
            "What the latest jobs report means for your portfolio",
            "Disclaimer: TickerTape Daily does not provide investment advice. Our writers may hold positions in the securities they mention.",
        ],
    },
    Site {
        name: "The Ledger Online",
        header: &[
            "Menu",
            "Search",
            "Today's paper | Business | World | Sport | Culture",
        ],
        promo: "Never miss a market move: turn on notifications in our app.",
        footer: &[
            "Share this article: Facebook Twitter LinkedIn Email",
            "Most read",
            "Latest comments (0)",
            "The Ledger Online is not responsible for the content of external sites. Prices are delayed by at least 15 minutes.",
        ],
    },
];

const UPDATE_LEADS: [&str; 6] = [
    "The move came as analysts said the outlook remained uncertain and more details were expected later in the day.",
    "Officials gave further details in a statement issued after the close of business on Tuesday.",
    "Market participants reacted cautiously, with several traders saying they wanted to see the full figures first.",
    "A spokesman declined to comment beyond the prepared statement when contacted by telephone.",
    "The announcement followed weeks of speculation among investors and industry observers.",
    "Adds background, reaction from analysts in paragraphs below.",
];

const UPDATE_TAILS: [&str; 4] = [
    "Further reporting is expected as the story develops, and figures may be revised in coming days.",
    "None of the parties involved were immediately available to answer additional questions on the matter.",
    "Analysts polled earlier in the week had on average expected a smaller change than the one announced.",
    "The company and the regulator are scheduled to publish more information at a later date.",
];

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'.' && bytes.get(i + 1).is_some_and(|&n| n == b' ') && i > start + 20 {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

fn wrap_lines(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for w in text.split_whitespace() {
        if line > 0 && line + w.len() + 1 > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(w);
        line += w.len();
    }
    out
}

fn sentence_case(t: &str) -> String {
    let lower = t.to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn make_variant(doc: &Doc, kind: Kind, rng: &mut Rng) -> (String, String) {
    let site = &SITES[rng.below(SITES.len())];
    let body = doc.body();
    match kind {
        Kind::NewHeadline => {
            // Another desk writes its own headline from the lead.
            let first = doc.paragraphs.first().map(String::as_str).unwrap_or("");
            let words: Vec<&str> = first.split_whitespace().take(8 + rng.below(5)).collect();
            (
                words.join(" ").trim_end_matches([',', '.']).to_string(),
                body,
            )
        }
        Kind::Trimmed => {
            let keep = trimmed_len(doc.paragraphs.len(), rng);
            (doc.title.clone(), doc.paragraphs[..keep].join("\n\n"))
        }
        Kind::Boilerplate => (
            format!("{} | {}", doc.title, site.name),
            wrapped(site, &doc.paragraphs, rng),
        ),
        Kind::TrimmedWrapped => {
            let keep = trimmed_len(doc.paragraphs.len(), rng);
            (
                format!("{} - {}", sentence_case(&doc.title), site.name),
                wrapped(site, &doc.paragraphs[..keep], rng),
            )
        }
        Kind::Rewrapped => {
            let width = 40 + rng.below(60);
            let text = doc
                .paragraphs
                .iter()
                .map(|p| wrap_lines(&p.replace('\'', "\u{2019}"), width))
                .collect::<Vec<_>>()
                .join(if rng.below(2) == 0 { "\n\n" } else { "\n   \n" });
            (sentence_case(&doc.title), text)
        }
        Kind::Update => {
            let mut paras = vec![UPDATE_LEADS[rng.below(UPDATE_LEADS.len())].to_string()];
            paras.extend(doc.paragraphs.iter().cloned());
            paras.push(UPDATE_TAILS[rng.below(UPDATE_TAILS.len())].to_string());
            (format!("UPDATE 1-{}", doc.title), paras.join("\n\n"))
        }
        Kind::Brief => {
            let flat = body.replace("\n\n", " ");
            let s = sentences(&flat);
            (
                doc.title.clone(),
                s.iter().take(2).copied().collect::<Vec<_>>().join(" "),
            )
        }
        Kind::HeadlineOnly | Kind::Original => (doc.title.clone(), String::new()),
    }
}

fn trimmed_len(n: usize, rng: &mut Rng) -> usize {
    let share = 0.6 + 0.2 * rng.unit();
    ((n as f64 * share).round() as usize).clamp(1, n)
}

fn wrapped(site: &Site, paragraphs: &[String], rng: &mut Rng) -> String {
    let mut out: Vec<String> = site.header.iter().map(|s| s.to_string()).collect();
    let promo_at = 1 + rng.below(paragraphs.len().max(1));
    for (i, p) in paragraphs.iter().enumerate() {
        if i == promo_at {
            out.push(site.promo.to_string());
        }
        out.push(p.clone());
    }
    out.extend(site.footer.iter().map(|s| s.to_string()));
    out.join("\n\n")
}

// ---------------------------------------------------------------------------------------------
// Scoring.

#[derive(Default, Clone, Copy)]
struct Counts {
    gold: usize,
    found: usize,
}

fn percent(n: usize, d: usize) -> String {
    if d == 0 {
        "  -  ".to_string()
    } else {
        format!("{:.4}", n as f64 / d as f64)
    }
}

struct Args {
    dir: PathBuf,
    files: std::ops::RangeInclusive<u32>,
    variants_per_mille: usize,
    min_precision: f64,
    min_recall: f64,
    show: usize,
}

fn parse_args() -> AnyResult<Args> {
    let mut args = std::env::args().skip(1);
    let mut out = Args {
        dir: PathBuf::new(),
        files: 0..=17,
        variants_per_mille: 150,
        min_precision: 0.0,
        min_recall: 0.0,
        show: 0,
    };
    let mut dir = None;
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--files" => {
                let v = value()?;
                let (lo, hi) = v.split_once('-').ok_or("--files LO-HI")?;
                out.files = lo.parse()?..=hi.parse()?;
            }
            "--variants-per-mille" => out.variants_per_mille = value()?.parse()?,
            "--min-precision" => out.min_precision = value()?.parse()?,
            "--min-recall" => out.min_recall = value()?.parse()?,
            "--show" => out.show = value()?.parse()?,
            _ if dir.is_none() && !a.starts_with("--") => dir = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}").into()),
        }
    }
    out.dir = dir.ok_or(
        "usage: eval_cluster REUTERS_DIR [--files 0-17] [--min-precision P] [--min-recall R]",
    )?;
    Ok(out)
}

fn main() {
    match run() {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("eval_cluster: {e}");
            std::process::exit(2);
        }
    }
}

fn run() -> AnyResult<bool> {
    let args = parse_args()?;
    let docs = read_reuters(&args.dir, args.files.clone())?;
    let gold = gold_for(&docs);

    // The stream: every original plus variants of a fixed random sample of documents with a
    // body of at least 40 words.
    let mut rng = Rng(0x5eed_c1a5);
    let mut items: Vec<Item> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| Item {
            id: d.newid,
            time: d.time,
            title: d.title.clone(),
            body: d.body(),
            kind: Kind::Original,
            source: i,
        })
        .collect();
    let mut next_id = 1_000_000u64;
    for (i, d) in docs.iter().enumerate() {
        if d.words() < 40 || d.title.is_empty() || rng.below(1000) >= args.variants_per_mille {
            continue;
        }
        let n = 1 + rng.below(2);
        for _ in 0..n {
            let kind = VARIANT_KINDS[rng.below(VARIANT_KINDS.len())];
            let (title, body) = make_variant(d, kind, &mut rng);
            let delay = SignedDuration::from_mins(5 + rng.below(18 * 60) as i64);
            items.push(Item {
                id: next_id,
                time: d.time.checked_add(delay)?,
                title,
                body,
                kind,
                source: i,
            });
            next_id += 1;
        }
    }
    items.sort_by_key(|it| (it.time, it.id));

    // Cluster in time order, timing the two steps separately.
    let mut index = ClusterIndex::new(ClusterConfig::default());
    let mut fp_time = std::time::Duration::ZERO;
    let mut assign_time = std::time::Duration::ZERO;
    let mut candidates = 0usize;
    let mut story: HashMap<u64, StoryId> = HashMap::new();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for it in &items {
        let t0 = Instant::now();
        let fp = Fingerprint::of(&it.title, &it.body);
        let t1 = Instant::now();
        let a = index.assign(it.id, it.time, fp);
        assign_time += t1.elapsed();
        fp_time += t1 - t0;
        candidates += a.candidates;
        if let Some((_, m)) = &a.matched {
            *reasons.entry(m.reason.as_str()).or_default() += 1;
        }
        story.insert(it.id, a.story);
    }

    // Score every pair inside every produced cluster and every gold pair.
    let gold_of = |i: usize| gold.root[items[i].source];
    let pair_type = |a: usize, b: usize| -> &'static str {
        let (ka, kb) = (items[a].kind, items[b].kind);
        match (ka, kb) {
            (Kind::Original, Kind::Original) => {
                if gold
                    .same_body
                    .contains(&pair(items[a].source, items[b].source))
                {
                    "reuters: same lead or body"
                } else {
                    "reuters: same headline, same day"
                }
            }
            (Kind::Original, k) | (k, Kind::Original) if items[a].source == items[b].source => {
                k.name()
            }
            _ if items[a].source == items[b].source => "variant-variant",
            _ => "variant-reuters duplicate",
        }
    };
    let negative_type = |a: usize, b: usize| -> &'static str {
        let (sa, sb) = (items[a].source, items[b].source);
        let (da, db) = (&docs[sa], &docs[sb]);
        if gold.column.contains(&pair(sa, sb)) {
            "recurring column headline, other day"
        } else if da.day == db.day && da.topics.iter().any(|t| db.topics.contains(t)) {
            if da.words() < 80 && db.words() < 80 && (da.topics.iter().any(|t| t == "earn")) {
                "template: short earnings/dividend items, same day"
            } else {
                "same topic, same day"
            }
        } else {
            "other"
        }
    };

    let mut by_story: HashMap<StoryId, Vec<usize>> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(s) = story.get(&it.id) {
            by_story.entry(*s).or_default().push(i);
        }
    }
    let mut tp = 0usize;
    let mut fp_pairs = 0usize;
    let mut fp_by: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut shown_fp = Vec::new();
    let mut unscored = 0usize;
    for members in by_story.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                let (sa, sb) = (items[a].source, items[b].source);
                if gold.ignored.contains(&pair(sa, sb)) {
                    unscored += 1;
                } else if gold_of(a) == gold_of(b) {
                    tp += 1;
                } else {
                    fp_pairs += 1;
                    *fp_by.entry(negative_type(a, b)).or_default() += 1;
                    shown_fp.push((a, b));
                }
            }
        }
    }
    let mut by_gold: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..items.len() {
        by_gold.entry(gold_of(i)).or_default().push(i);
    }
    let mut recall_by: BTreeMap<&'static str, Counts> = BTreeMap::new();
    let mut gold_pairs = 0usize;
    let mut shown_fn = Vec::new();
    for members in by_gold.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                gold_pairs += 1;
                let found = story.get(&items[a].id) == story.get(&items[b].id);
                let c = recall_by.entry(pair_type(a, b)).or_default();
                c.gold += 1;
                if found {
                    c.found += 1;
                } else {
                    shown_fn.push((a, b));
                }
            }
        }
    }
    // Hard negatives available in the stream: originals of different gold stories, same day,
    // sharing a topic.
    let mut hard_negatives = 0usize;
    let mut by_day_topic: HashMap<(Date, &str), Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        for t in &d.topics {
            by_day_topic.entry((d.day, t.as_str())).or_default().push(i);
        }
    }
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for members in by_day_topic.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if gold.root[a] != gold.root[b] && seen.insert(pair(a, b)) {
                    hard_negatives += 1;
                }
            }
        }
    }
    let hard_fp = fp_by.get("same topic, same day").copied().unwrap_or(0)
        + fp_by
            .get("template: short earnings/dividend items, same day")
            .copied()
            .unwrap_or(0);

    let precision = if tp + fp_pairs == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp_pairs) as f64
    };
    let recall_found: usize = recall_by.values().map(|c| c.found).sum();
    let recall = if gold_pairs == 0 {
        1.0
    } else {
        recall_found as f64 / gold_pairs as f64
    };

    let originals = docs.len();
    println!(
        "stream: {} items = {originals} Reuters documents (files {:?}) + {} derived variants; {} gold pairs, {} unscored same-headline pairs",
        items.len(),
        args.files,
        items.len() - originals,
        gold_pairs,
        gold.ignored.len()
    );
    println!("recall by pair type:");
    for (k, c) in &recall_by {
        println!(
            "  {k:<36} {:>6} / {:<6} {}",
            c.found,
            c.gold,
            percent(c.found, c.gold)
        );
    }
    println!("false merges by negative type (pairs):");
    for (k, n) in &fp_by {
        println!("  {k:<52} {n:>6}");
    }
    println!(
        "hard negatives (same day, shared topic, different story): {hard_negatives} pairs, {hard_fp} merged ({})",
        percent(hard_fp, hard_negatives)
    );
    println!("matches by rule: {reasons:?}; unscored predicted pairs: {unscored}");
    let n = items.len() as f64;
    println!(
        "speed: fingerprint {:.1} µs/doc, assign {:.1} µs/doc ({:.1} candidates/doc)",
        fp_time.as_secs_f64() * 1e6 / n,
        assign_time.as_secs_f64() * 1e6 / n,
        candidates as f64 / n
    );
    for (label, list) in [("false merge", &shown_fp), ("missed", &shown_fn)] {
        for &(a, b) in list.iter().take(args.show) {
            let (ia, ib) = (&items[a], &items[b]);
            let fa = Fingerprint::of(&ia.title, &ia.body);
            let fb = Fingerprint::of(&ib.title, &ib.body);
            println!(
                "  {label}: {} [{} {}] <> {} [{} {}] {:?}",
                ia.id,
                ia.kind.name(),
                ia.title,
                ib.id,
                ib.kind.name(),
                ib.title,
                newsdesk_cluster::compare(&fa, &fb)
            );
        }
    }
    println!(
        "clustering: pair precision {precision:.4}, recall {recall:.4} (target 0.95 each) on {} docs / {} gold pairs",
        items.len(),
        gold_pairs
    );
    let pass = precision >= args.min_precision && recall >= args.min_recall;
    if !pass {
        println!(
            "below the floor: precision {precision:.4} (floor {}), recall {recall:.4} (floor {})",
            args.min_precision, args.min_recall
        );
    }
    Ok(pass)
}
