//! Printed codes: Reuters codes, exchange-prefixed tickers, cashtags, bracketed tickers,
//! currency pairs.

use super::*;

/// Exchange prefixes as news and quote sites print them ("NASDAQ:AAPL", "AX:ALU") → MIC.
pub(super) fn exchange_mic(prefix: &str) -> Option<&'static str> {
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
pub(super) fn ric_suffix_mic(s: &str) -> Option<&'static str> {
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

pub(super) const US_MICS: [&str; 7] = ["XNAS", "XNYS", "XASE", "ARCX", "BATS", "OTCM", "XCBO"];

pub(super) const CURRENCIES: [&str; 30] = [
    "USD", "EUR", "JPY", "GBP", "CHF", "CNY", "CNH", "AUD", "CAD", "NZD", "HKD", "SGD", "SEK",
    "NOK", "DKK", "INR", "KRW", "BRL", "MXN", "RUB", "TRY", "ZAR", "PLN", "ILS", "TWD", "THB",
    "IDR", "MYR", "PHP", "XAU",
];

pub(super) fn is_ticker_char(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Bytes that can start a printed code: `<RIC>`, `$TICKER`, `EXCH:TICKER`, `(TICKER)`.
pub(super) const CODE_START: [bool; 256] = {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'$' as usize] = true;
    t[b':' as usize] = true;
    t[b'(' as usize] = true;
    t
};

pub(super) fn scan_codes(lk: &mut Linker, di: usize) {
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

pub(super) fn resolve_ric(lk: &mut Linker, di: usize, ric: &str, start: u32, end: u32) {
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

pub(super) fn adhoc_equity(
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
pub(super) fn name_before(doc: &Doc, pos: u32) -> Option<String> {
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
pub(super) fn exchange_code(lk: &mut Linker, di: usize, colon: usize) -> Option<usize> {
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
pub(super) fn paren_ticker(lk: &mut Linker, di: usize, open: usize) -> Option<usize> {
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
pub(super) fn fx_pairs(lk: &mut Linker, di: usize) {
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
