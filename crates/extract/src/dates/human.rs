//! Human-printed dates: "May 9, 2023 10:57 AM ET", "Tuesday, 9 May 2023 at 10:57 a.m. EDT",
//! "09.05.2023 10:57", "2023年5月9日 10時57分", "le 9 mai 2023 à 10h57".
//!
//! The string is cut into tokens (numbers, words, symbols); a small state machine then picks out
//! the year, month, day, clock time, AM/PM and zone. Unknown words before the date ("Published",
//! "Last updated on") are skipped; an unknown word after a complete date ends it (so the first of
//! two dates wins); an unknown word inside a half-read date rejects the string.

use super::{words, zones};
use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone};

/// Most tokens we look at: printed dates are short, and this bounds the work on hostile input.
const MAX_TOKENS: usize = 64;
/// Unknown words tolerated before the date starts.
const MAX_LEADING_NOISE: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    /// A run of ASCII digits: value, digit count, whether whitespace preceded it.
    Num { v: u64, len: usize, space: bool },
    /// A run of letters (lower case), or one CJK character.
    Word(&'a str),
    /// Any other non-space character, and whether whitespace preceded it.
    Sym { c: char, space: bool },
}

/// The pieces read from a printed date.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    /// Year, when printed.
    pub year: Option<i16>,
    /// Month 1–12.
    pub month: Option<i8>,
    /// Day of month.
    pub day: Option<i8>,
    /// Wall-clock time, when printed.
    pub time: Option<Time>,
    /// The zone printed next to the time (abbreviation or offset).
    pub zone: Option<TimeZone>,
}

impl Parts {
    /// The calendar date, when year, month and day are all known and valid.
    pub fn date(&self) -> Option<Date> {
        let year = self.year?;
        if !(super::MIN_YEAR..=super::MAX_YEAR).contains(&year) {
            return None;
        }
        Date::new(year, self.month?, self.day?).ok()
    }
}

/// Lower-cases and rewrites the spellings that would otherwise tokenise badly.
fn normalise(s: &str) -> String {
    let mut t = s.to_lowercase();
    for (from, to) in [
        ("a.m.", " am "),
        ("p.m.", " pm "),
        ("a. m.", " am "),
        ("p. m.", " pm "),
        ("午前", " am "),
        ("午後", " pm "),
        ("上午", " am "),
        ("下午", " pm "),
        ("오전", " am "),
        ("오후", " pm "),
    ] {
        if t.contains(from) {
            t = t.replace(from, to);
        }
    }
    t
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Splits into tokens; `None` when the string has more than [`MAX_TOKENS`] or an absurd number.
fn tokenize(s: &str) -> Option<Vec<Tok<'_>>> {
    let mut toks = Vec::new();
    let mut space = true;
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if toks.len() > MAX_TOKENS {
            return None;
        }
        if crate::clean::is_space(c) || crate::clean::is_invisible(c) {
            space = true;
            chars.next();
            continue;
        }
        if c.is_ascii_digit() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            let digits = s.get(i..end)?;
            if digits.len() > 14 {
                return None;
            }
            toks.push(Tok::Num {
                v: digits.parse().ok()?,
                len: digits.len(),
                space,
            });
        } else if is_cjk(c) {
            chars.next();
            toks.push(Tok::Word(s.get(i..i + c.len_utf8())?));
        } else if c.is_alphabetic() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_alphabetic() || is_cjk(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            toks.push(Tok::Word(s.get(i..end)?));
        } else {
            chars.next();
            toks.push(Tok::Sym { c, space });
        }
        space = false;
    }
    Some(toks)
}

/// Reads the parts of a human-printed date. `preset` is a date already known (for "yesterday at
/// 10:57"); then only a time and zone are read.
pub fn read(input: &str, preset: Option<Date>, day_first: Option<bool>) -> Option<Parts> {
    let norm = normalise(input);
    let toks = tokenize(&norm)?;
    let mut p = Parts::default();
    if let Some(d) = preset {
        p.year = Some(d.year());
        p.month = Some(d.month());
        p.day = Some(d.day());
    }
    let mut pm: Option<bool> = None;
    let mut hour_only: Option<i8> = None;
    let mut loose: Vec<(u64, usize)> = Vec::new();
    let mut noise = 0;
    let mut i = 0;
    // Whether the date itself has begun (a preset date does not count: "yesterday at 10:57").
    let started = |p: &Parts, loose: &Vec<(u64, usize)>| {
        p.time.is_some()
            || !loose.is_empty()
            || (preset.is_none() && (p.month.is_some() || p.year.is_some()))
    };
    while i < toks.len() {
        let complete = p.month.is_some() && p.day.is_some() && p.year.is_some();
        match toks[i] {
            Tok::Num { v, len, .. } => {
                // h:mm[:ss[.fff]]
                if let (Some(Tok::Sym { c: ':', .. }), Some(Tok::Num { v: m, len: 2, .. })) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    if p.time.is_some() || len > 2 {
                        break;
                    }
                    let mut sec = 0;
                    let mut nanos = 0;
                    i += 3;
                    if let (Some(Tok::Sym { c: ':', .. }), Some(Tok::Num { v: s, len: 2, .. })) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        sec = *s;
                        i += 2;
                        if let (
                            Some(Tok::Sym {
                                c: '.' | ',',
                                space: false,
                            }),
                            Some(Tok::Num {
                                v: f,
                                len: flen @ 1..=9,
                                space: false,
                            }),
                        ) = (toks.get(i), toks.get(i + 1))
                        {
                            nanos = f * 10u64.pow(9 - *flen as u32);
                            i += 2;
                        }
                    }
                    p.time = Some(clock(v, *m, sec.min(59), nanos)?);
                    continue;
                }
                // Numeric dates: 2023-05-09, 2023/5/9, 05/09/2023, 09.05.2023, 9-5-23.
                if let (
                    Some(Tok::Sym {
                        c: sep @ ('/' | '-' | '.'),
                        ..
                    }),
                    Some(Tok::Num {
                        v: b, len: blen, ..
                    }),
                    Some(Tok::Sym { c: sep2, .. }),
                    Some(Tok::Num {
                        v: c, len: clen, ..
                    }),
                ) = (
                    toks.get(i + 1),
                    toks.get(i + 2),
                    toks.get(i + 3),
                    toks.get(i + 4),
                ) && sep == sep2
                    && *blen <= 2
                    && (len == 4 || (len <= 2 && matches!(clen, 2 | 4)))
                {
                    if p.month.is_some() || p.year.is_some() {
                        break;
                    }
                    if len == 4 {
                        if *clen > 2 {
                            return None;
                        }
                        set_ymd(&mut p, v, *b, *c)?;
                    } else {
                        let year = if *clen == 2 { 2000 + *c } else { *c };
                        let day_first = match (v > 12, *b > 12) {
                            (true, _) => true,
                            (_, true) => false,
                            // 05/09/2023 is US month-first; 09.05.2023 and 09-05-2023 are
                            // day-first. The caller may override via DateContext::day_first.
                            _ => day_first.unwrap_or(*sep != '/'),
                        };
                        let (m, d) = if day_first { (*b, v) } else { (v, *b) };
                        set_ymd(&mut p, year, m, d)?;
                    }
                    i += 5;
                    continue;
                }
                // 10h57 (French), 10.57 Uhr (German).
                if let (
                    Some(Tok::Word("h") | Tok::Sym { c: '.', .. }),
                    Some(Tok::Num {
                        v: m,
                        len: 2,
                        space: false,
                    }),
                ) = (toks.get(i + 1), toks.get(i + 2))
                {
                    let dotted = matches!(toks.get(i + 1), Some(Tok::Sym { .. }));
                    let uhr = matches!(toks.get(i + 3), Some(Tok::Word("uhr" | "h")));
                    if len <= 2 && p.time.is_none() && (!dotted || uhr || complete) {
                        p.time = Some(clock(v, *m, 0, 0)?);
                        i += 3;
                        continue;
                    }
                }
                // CJK markers: 2023年5月9日 10時57分.
                if let Some(Tok::Word(w)) = toks.get(i + 1) {
                    let handled = match *w {
                        "年" | "년" => {
                            p.year = Some(i16::try_from(v).ok()?);
                            true
                        }
                        "月" | "월" => {
                            p.month = Some(small(v, 12)?);
                            true
                        }
                        "日" | "일" => {
                            p.day = Some(small(v, 31)?);
                            true
                        }
                        "時" | "时" | "시" => {
                            hour_only = Some(small(v, 24)?);
                            true
                        }
                        "分" | "분" => {
                            let h = hour_only.take()?;
                            p.time = Some(clock(h as u64, v, 0, 0)?);
                            true
                        }
                        "秒" | "초" => true,
                        "am" | "pm" if len <= 2 => {
                            hour_only = Some(small(v, 12)?);
                            false
                        }
                        _ => false,
                    };
                    if handled {
                        i += 2;
                        continue;
                    }
                    if hour_only.is_some() {
                        i += 1;
                        continue;
                    }
                }
                if complete && p.time.is_some() {
                    break;
                }
                if len > 4 {
                    return None;
                }
                loose.push((v, len));
                absorb(&mut p, &mut loose)?;
            }
            Tok::Word(w) => {
                if let Some(m) = words::month(w) {
                    if p.month.is_some() {
                        if complete {
                            break;
                        }
                        return None;
                    }
                    p.month = Some(m);
                    absorb(&mut p, &mut loose)?;
                } else if w == "am" || w == "pm" {
                    pm = Some(w == "pm");
                } else if let Some(zone) = (p.time.is_some() || hour_only.is_some())
                    .then(|| zones::zone_for_abbreviation(w))
                    .flatten()
                {
                    if p.zone.is_some() {
                        break;
                    }
                    p.zone = Some(zone);
                    // GMT+8, UTC-04:00
                    if let Some((off, used)) = offset_at(&toks, i + 1) {
                        p.zone = Some(TimeZone::fixed(off));
                        i += used;
                    }
                } else if words::is_weekday(w) || words::is_filler(w) {
                } else if !started(&p, &loose) {
                    noise += 1;
                    if noise > MAX_LEADING_NOISE {
                        return None;
                    }
                } else if complete || preset.is_some() {
                    break;
                } else {
                    return None;
                }
            }
            Tok::Sym { c: '+' | '-', .. } if p.time.is_some() && p.zone.is_none() => {
                if let Some((off, used)) = offset_at(&toks, i) {
                    p.zone = Some(TimeZone::fixed(off));
                    i += used;
                    continue;
                }
            }
            Tok::Sym { .. } => {}
        }
        i += 1;
    }
    if !loose.is_empty() {
        return None;
    }
    if p.time.is_none()
        && let Some(h) = hour_only
    {
        p.time = Some(clock(h as u64, 0, 0, 0)?);
    }
    if let (Some(t), Some(pm)) = (p.time, pm) {
        let h = t.hour();
        let h = match (pm, h) {
            (true, 1..=11) => h + 12,
            (false, 12) => 0,
            (_, 0..=12) => h,
            // "15:30 pm" or German "am" (on) before a 24-hour clock: keep the clock.
            _ => h,
        };
        p.time = Time::new(h, t.minute(), t.second(), t.subsec_nanosecond()).ok();
    }
    if p.month.is_none() && p.time.is_none() {
        return None;
    }
    Some(p)
}

/// Moves loose numbers into the year and day as soon as they can be told apart: a four-digit
/// number is the year; a one- or two-digit number next to a month name is the day.
fn absorb(p: &mut Parts, loose: &mut Vec<(u64, usize)>) -> Option<()> {
    let mut rest = Vec::new();
    for &(v, len) in loose.iter() {
        if len == 4 && p.year.is_none() {
            p.year = Some(i16::try_from(v).ok()?);
        } else if len <= 2 && p.day.is_none() && p.month.is_some() {
            p.day = Some(small(v, 31)?);
        } else {
            rest.push((v, len));
        }
    }
    if rest.len() > 1 {
        return None;
    }
    *loose = rest;
    Some(())
}

fn small(v: u64, max: u64) -> Option<i8> {
    if v == 0 && max != 24 {
        return None;
    }
    if v > max {
        return None;
    }
    i8::try_from(v).ok()
}

fn clock(h: u64, m: u64, s: u64, nanos: u64) -> Option<Time> {
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Time::new(
        i8::try_from(h).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(s).ok()?,
        i32::try_from(nanos).ok()?,
    )
    .ok()
}

fn set_ymd(p: &mut Parts, y: u64, m: u64, d: u64) -> Option<()> {
    p.year = Some(i16::try_from(y).ok()?);
    p.month = Some(small(m, 12)?);
    p.day = Some(small(d, 31)?);
    Some(())
}

/// A signed UTC offset starting at token `i`: `+0900`, `-04:00`, `+9`, `+05:30`. Returns the
/// offset and how many tokens it used.
fn offset_at(toks: &[Tok<'_>], i: usize) -> Option<(Offset, usize)> {
    let sign = match toks.get(i)? {
        Tok::Sym { c: '+', .. } => 1,
        Tok::Sym { c: '-', .. } => -1,
        _ => return None,
    };
    let Tok::Num {
        v,
        len,
        space: false,
    } = *toks.get(i + 1)?
    else {
        return None;
    };
    let (h, m, used) = match len {
        1 | 2 => match (toks.get(i + 2), toks.get(i + 3)) {
            (Some(Tok::Sym { c: ':', .. }), Some(Tok::Num { v: m, len: 2, .. })) => (v, *m, 4),
            _ => (v, 0, 2),
        },
        4 => (v / 100, v % 100, 2),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    let secs = sign * (i32::try_from(h * 3600 + m * 60).ok()?);
    Some((Offset::from_seconds(secs).ok()?, used))
}
