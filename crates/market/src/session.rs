//! Exchange clocks and sessions: which trading day a publication instant falls after.
//!
//! The calendar is the bars themselves: a date with a bar is a session, so holidays need no
//! table. What bars cannot say is *when* a session ends; [`ExchangeClock`] supplies the
//! exchange's time zone and closing time, so that any instant, in any zone, maps to "the last
//! session whose close is at or before it" and "the first session after it".

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use crate::Bar;

/// An exchange's time zone and session close (local time).
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeClock {
    /// The exchange's time zone.
    pub tz: TimeZone,
    /// The local time at which a session closes.
    pub close: Time,
}

/// Well-known exchanges: ISO 10383 MIC, IANA zone, regular close (hours, minutes).
/// Closes are the regular cash-market close; Tokyo's moved from 15:00 to 15:30 on 2024-11-05
/// and this table gives the current one (see [`ExchangeClock::for_mic`]).
const EXCHANGES: &[(&str, &str, i8, i8)] = &[
    ("XNYS", "America/New_York", 16, 0),
    ("XNAS", "America/New_York", 16, 0),
    ("XASE", "America/New_York", 16, 0),
    ("ARCX", "America/New_York", 16, 0),
    ("BATS", "America/New_York", 16, 0),
    ("XCBO", "America/Chicago", 15, 15),
    ("XTSE", "America/Toronto", 16, 0),
    ("BVMF", "America/Sao_Paulo", 17, 0),
    ("XMEX", "America/Mexico_City", 15, 0),
    ("XLON", "Europe/London", 16, 30),
    ("XETR", "Europe/Berlin", 17, 30),
    ("XFRA", "Europe/Berlin", 17, 30),
    ("XPAR", "Europe/Paris", 17, 30),
    ("XAMS", "Europe/Amsterdam", 17, 30),
    ("XBRU", "Europe/Brussels", 17, 30),
    ("XMIL", "Europe/Rome", 17, 30),
    ("XMAD", "Europe/Madrid", 17, 30),
    ("XSWX", "Europe/Zurich", 17, 30),
    ("XSTO", "Europe/Stockholm", 17, 30),
    ("XTKS", "Asia/Tokyo", 15, 30),
    ("XHKG", "Asia/Hong_Kong", 16, 0),
    ("XSHG", "Asia/Shanghai", 15, 0),
    ("XSHE", "Asia/Shanghai", 15, 0),
    ("XKRX", "Asia/Seoul", 15, 30),
    ("XTAI", "Asia/Taipei", 13, 30),
    ("XBOM", "Asia/Kolkata", 15, 30),
    ("XNSE", "Asia/Kolkata", 15, 30),
    ("XSES", "Asia/Singapore", 17, 0),
    ("XASX", "Australia/Sydney", 16, 0),
];

/// Main exchange of a country (ISO 3166-1 alpha-2; `EU` = Frankfurt), for instruments such as
/// indices that the knowledge base describes by country rather than by MIC.
const COUNTRY_MIC: &[(&str, &str)] = &[
    ("US", "XNYS"),
    ("CA", "XTSE"),
    ("BR", "BVMF"),
    ("MX", "XMEX"),
    ("GB", "XLON"),
    ("DE", "XETR"),
    ("EU", "XETR"),
    ("FR", "XPAR"),
    ("NL", "XAMS"),
    ("BE", "XBRU"),
    ("IT", "XMIL"),
    ("ES", "XMAD"),
    ("CH", "XSWX"),
    ("SE", "XSTO"),
    ("JP", "XTKS"),
    ("HK", "XHKG"),
    ("CN", "XSHG"),
    ("KR", "XKRX"),
    ("TW", "XTAI"),
    ("IN", "XNSE"),
    ("SG", "XSES"),
    ("AU", "XASX"),
];

impl ExchangeClock {
    /// A clock from a zone and a local closing time.
    pub fn new(tz: TimeZone, close: Time) -> ExchangeClock {
        ExchangeClock { tz, close }
    }

    /// The clock of a well-known exchange by ISO 10383 MIC (`XNYS`, `XTKS`, …; the tag
    /// crate's equities carry these). `None` for an unknown MIC or when the system has no
    /// time-zone database. The close is the current regular close.
    pub fn for_mic(mic: &str) -> Option<ExchangeClock> {
        let &(_, zone, h, m) = EXCHANGES.iter().find(|e| e.0.eq_ignore_ascii_case(mic))?;
        let tz = TimeZone::get(zone).ok()?;
        Some(ExchangeClock::new(tz, Time::constant(h, m, 0, 0)))
    }

    /// The clock of a country's main exchange (the tag crate describes indices such as JP225
    /// and US500 by country).
    pub fn for_country(country: &str) -> Option<ExchangeClock> {
        let &(_, mic) = COUNTRY_MIC
            .iter()
            .find(|c| c.0.eq_ignore_ascii_case(country))?;
        ExchangeClock::for_mic(mic)
    }

    /// The instant at which the session of `date` closes. A close that falls in a DST gap or
    /// fold is resolved the "compatible" way (later for gaps, earlier for folds).
    pub fn close_at(&self, date: Date) -> Timestamp {
        match self.tz.to_timestamp(date.to_datetime(self.close)) {
            Ok(t) => t,
            // Only at the edges of jiff's range; clamp rather than fail.
            Err(_) => {
                if date.year() > 0 {
                    Timestamp::MAX
                } else {
                    Timestamp::MIN
                }
            }
        }
    }

    /// The exchange-local date of an instant.
    pub fn local_date(&self, t: Timestamp) -> Date {
        self.tz.to_datetime(t).date()
    }

    /// Index of the last bar whose session close is at or before `t` (`bars` sorted by date).
    pub fn last_close_at_or_before(&self, bars: &[Bar], t: Timestamp) -> Option<usize> {
        let d = self.local_date(t);
        // Bars dated after the local date of t cannot have closed by t; a bar on that date has
        // closed only if the local close time has passed.
        let n = bars.partition_point(|b| b.date <= d);
        let last = n.checked_sub(1)?;
        if bars[last].date == d && self.close_at(d) > t {
            last.checked_sub(1)
        } else {
            Some(last)
        }
    }

    /// Index of the first bar whose session closes after `t`.
    pub fn first_close_after(&self, bars: &[Bar], t: Timestamp) -> usize {
        self.last_close_at_or_before(bars, t).map_or(0, |i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Price;
    use jiff::civil::date;

    fn bars(days: &[(i16, i8, i8)]) -> Vec<Bar> {
        days.iter()
            .map(|&(y, m, d)| Bar::close_only(date(y, m, d), Price::from_units(1)))
            .collect()
    }

    #[test]
    fn new_york_morning_is_after_tokyo_close() {
        let tokyo = ExchangeClock::new(
            TimeZone::get("Asia/Tokyo").unwrap(),
            Time::constant(15, 0, 0, 0),
        );
        let ny = ExchangeClock::for_mic("XNYS").unwrap();
        let b = bars(&[(2023, 5, 8), (2023, 5, 9), (2023, 5, 10)]);
        let t = date(2023, 5, 9)
            .at(10, 57, 0, 0)
            .in_tz("America/New_York")
            .unwrap()
            .timestamp();
        assert_eq!(tokyo.last_close_at_or_before(&b, t), Some(1));
        assert_eq!(tokyo.first_close_after(&b, t), 2);
        assert_eq!(ny.last_close_at_or_before(&b, t), Some(0));
        // Exactly at the close counts as closed.
        let close = ny.close_at(date(2023, 5, 9));
        assert_eq!(close.to_string(), "2023-05-09T20:00:00Z");
        assert_eq!(ny.last_close_at_or_before(&b, close), Some(1));
        assert_eq!(
            ny.last_close_at_or_before(&b, close - jiff::SignedDuration::from_micros(1)),
            Some(0)
        );
        // Before the first session: nothing.
        assert_eq!(
            ny.last_close_at_or_before(&b, date(2023, 5, 8).in_tz("UTC").unwrap().timestamp()),
            None
        );
    }

    #[test]
    fn weekend_maps_to_friday_and_monday() {
        let ny = ExchangeClock::for_country("us").unwrap();
        let b = bars(&[(2023, 5, 5), (2023, 5, 8)]);
        let sat = date(2023, 5, 6)
            .at(12, 0, 0, 0)
            .in_tz("UTC")
            .unwrap()
            .timestamp();
        assert_eq!(ny.last_close_at_or_before(&b, sat), Some(0));
        assert_eq!(ny.first_close_after(&b, sat), 1);
        assert!(ExchangeClock::for_mic("NOPE").is_none());
    }
}
