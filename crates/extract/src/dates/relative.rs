//! Relative dates: "3 hours ago", "Updated 1 day ago", "an hour ago", "yesterday at 10:57 AM",
//! "today", "just now", and their de/fr/es/it/pt/nl spellings ("vor 3 Stunden", "il y a 2 jours",
//! "hace 5 minutos", "2 ore fa", "há 3 dias", "3 uur geleden"). All need [`DateContext::now`].

use super::{DateContext, ParsedDate, context_zone, human};
use jiff::civil::Time;
use jiff::{Span, Timestamp};
use newsdesk_article::SourceTime;

/// Units of a relative date.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

fn unit(word: &str) -> Option<Unit> {
    use Unit::*;
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" | "sekunde" | "sekunden" | "seconde"
        | "secondes" | "segundo" | "segundos" | "secondo" | "secondi" | "seconden" => Second,
        "m" | "min" | "mins" | "minute" | "minutes" | "minuten" | "minuto" | "minutos"
        | "minuti" | "minuut" => Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" | "stunde" | "stunden" | "std" | "heure"
        | "heures" | "hora" | "horas" | "ora" | "ore" | "uur" => Hour,
        "d" | "day" | "days" | "tag" | "tagen" | "tage" | "jour" | "jours" | "día" | "días"
        | "dia" | "dias" | "giorno" | "giorni" | "dag" | "dagen" => Day,
        "w" | "wk" | "wks" | "week" | "weeks" | "woche" | "wochen" | "semaine" | "semaines"
        | "semana" | "semanas" | "settimana" | "settimane" | "weken" => Week,
        "mo" | "mos" | "month" | "months" | "monat" | "monaten" | "monate" | "mois" | "mes"
        | "meses" | "mese" | "mesi" | "mês" | "maand" | "maanden" => Month,
        "y" | "yr" | "yrs" | "year" | "years" | "jahr" | "jahren" | "jahre" | "an" | "ans"
        | "année" | "années" | "año" | "años" | "anno" | "anni" | "ano" | "anos" | "jaar"
        | "jaren" => Year,
        _ => return None,
    })
}

fn count(word: &str) -> Option<i64> {
    match word {
        "a" | "an" | "one" | "ein" | "eine" | "einem" | "einer" | "un" | "une" | "uno" | "una"
        | "um" | "uma" | "een" => Some(1),
        "few" | "couple" => Some(2),
        w if w.len() <= 6 => w.parse().ok(),
        _ => None,
    }
}

/// Words that say the count is in the past: before it ("vor", "il y a", "hace", "há") or after
/// the unit ("ago", "fa", "geleden").
const BEFORE: &[&str] = &["vor", "hace", "há", "ha"];
const AFTER: &[&str] = &["ago", "fa", "geleden"];
const YESTERDAY: &[&str] = &[
    "yesterday",
    "gestern",
    "hier",
    "ayer",
    "ieri",
    "ontem",
    "gisteren",
];
const TODAY: &[&str] = &[
    "today", "heute", "aujourd", "hoy", "oggi", "hoje", "vandaag",
];

/// Lower-case words and numbers, split at every change between digits and letters.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_digit = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let alnum = c.is_alphanumeric();
        let digit = c.is_ascii_digit();
        if (!alnum || (!cur.is_empty() && digit != cur_digit)) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if alnum {
            cur_digit = digit;
            cur.push(c);
        }
        if out.len() > 40 {
            break;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Reads a relative date; `None` if the string is not one or there is no clock.
pub fn parse(s: &str, ctx: &DateContext) -> Option<ParsedDate> {
    let w = words(s);
    let now = ctx.now?;
    if w.len() <= 3 && w.last().is_some_and(|x| x == "now") {
        // "now", "just now", "updated just now"
        return Some(instant_ago(now, 0, Unit::Second, ctx));
    }
    for (i, word) in w.iter().enumerate() {
        let Some(u) = unit(word) else { continue };
        let Some(n) = i
            .checked_sub(1)
            .and_then(|j| w.get(j))
            .and_then(|x| count(x))
        else {
            continue;
        };
        let after = w.get(i + 1).is_some_and(|x| AFTER.contains(&x.as_str()));
        let before = match i.checked_sub(2).and_then(|j| w.get(j)).map(String::as_str) {
            Some(x) if BEFORE.contains(&x) => true,
            // "il y a 3 jours"
            Some("a") => i >= 3 && w.get(i - 3).is_some_and(|x| x == "y"),
            _ => false,
        };
        if after || before {
            return Some(instant_ago(now, n, u, ctx));
        }
    }
    let back = if w.iter().any(|x| YESTERDAY.contains(&x.as_str())) {
        1
    } else if w.iter().any(|x| TODAY.contains(&x.as_str())) {
        0
    } else {
        return None;
    };
    let (zone, assumed) = context_zone(ctx);
    let today = now.to_zoned_datetime(zone.clone()).date();
    let day = today.checked_sub(Span::new().days(back)).ok()?;
    let parts = human::read(s, Some(day), ctx.day_first)?;
    let time = parts.time;
    let (zone, assumed) = match parts.zone {
        Some(z) => (z, false),
        None => (zone, assumed),
    };
    let dt = day.to_datetime(time.unwrap_or(Time::midnight()));
    let ts = zone.to_ambiguous_timestamp(dt).compatible().ok()?;
    Some(ParsedDate {
        time: SourceTime::new(ts, zone, assumed),
        relative: true,
        has_time: time.is_some(),
    })
}

/// `n` units before `now`. Durations under a day fix the instant whatever the zone, so the zone
/// is not "assumed"; days and longer are counted on the calendar of the context zone.
fn instant_ago(now: Timestamp, n: i64, u: Unit, ctx: &DateContext) -> ParsedDate {
    let (zone, assumed) = context_zone(ctx);
    let secs = match u {
        Unit::Second => Some(1),
        Unit::Minute => Some(60),
        Unit::Hour => Some(3600),
        _ => None,
    };
    let (instant, assumed, has_time) = match secs {
        Some(secs) => {
            let d = jiff::SignedDuration::from_secs(n.saturating_mul(secs));
            (now.checked_sub(d).unwrap_or(now), false, true)
        }
        None => {
            let span = match u {
                Unit::Day => Span::new().try_days(n),
                Unit::Week => Span::new().try_weeks(n),
                Unit::Month => Span::new().try_months(n),
                _ => Span::new().try_years(n),
            };
            let zoned = now.to_zoned_datetime(zone.clone());
            let t = span
                .ok()
                .and_then(|span| zoned.checked_sub(span).ok())
                .map_or(now, |z| z.timestamp());
            (t, assumed, false)
        }
    };
    ParsedDate {
        time: SourceTime::new(instant, zone, assumed),
        relative: true,
        has_time,
    }
}
