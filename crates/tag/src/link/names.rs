//! Names: judging company names (people, places, common words, research sources), places
//! and institutions as country evidence, market phrases, and turning mentions into votes.

use super::*;

/// Words that make a capitalised common word read as a company nearby.
pub(super) fn is_corporate_word(w: &str) -> bool {
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

pub(super) fn is_strong_suffix(w: &str) -> bool {
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

pub(super) fn is_honorific(w: &str) -> bool {
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

pub(super) fn is_function_word(w: &str) -> bool {
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

pub(super) fn is_place_word(w: &str) -> bool {
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
pub(super) enum Verdict {
    Accept(f64, &'static str),
    /// Only if the same company is accepted elsewhere in the story.
    Pending,
    Reject,
}

pub(super) fn judge_equity(lk: &Linker, idx: usize, mentions: &[Mention]) -> Verdict {
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
pub(super) fn place_weight(doc: &Doc, t0: usize, t1: usize, w: f64) -> f64 {
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
pub(super) fn market_story(docs: &[Doc]) -> bool {
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
pub(super) fn is_amount(doc: &Doc, t0: usize) -> bool {
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
pub(super) fn is_verb_like(w: &str) -> bool {
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
pub(super) fn market_phrase(doc: &Doc, t1: usize) -> bool {
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
pub(super) fn market_links(lk: &mut Linker, c: u16, doc: usize, start: u32, end: u32, base: f64) {
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
pub(super) fn sub_index(doc: &Doc, t1: usize) -> bool {
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

pub(super) fn apply_mentions(lk: &mut Linker, mentions: &[Mention]) {
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
pub(super) fn generic_name(words: &[Box<str>]) -> bool {
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
pub(super) fn research_source(doc: &Doc, t0: usize, t1: usize) -> bool {
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
pub(super) fn extend_suffix(doc: &Doc, t1: usize, end: u32) -> u32 {
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
