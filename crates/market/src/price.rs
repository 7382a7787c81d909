//! [`Price`]: an exact fixed-point price (8 decimal places in an `i64`).
//!
//! Prices are parsed from their decimal text digit by digit, never through a float, so
//! `"174.67"` is exactly 174.67 and prints back as `174.67`. Storage keeps [`Price::raw`]
//! (a BIGINT); arithmetic goes through [`Price::to_decimal`] (`rust_decimal`), as STYLE.md asks.

use std::fmt;

use rust_decimal::Decimal;

/// Number of decimal places a [`Price`] keeps.
pub const PRICE_SCALE: u32 = 8;
const UNIT: i64 = 100_000_000;

/// An exact price: `raw / 10^8`.
///
/// The range is ±92,233,720,368.54775807, which holds any quoted price and any index level.
/// Negative prices are representable (oil futures settled below zero in April 2020); a move
/// from a price that is not positive is refused by [`crate::compute_move`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price(i64);

/// Why a string is not a [`Price`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceParseError {
    /// Empty, or something other than an optional sign, digits and one decimal point.
    #[error("not a decimal number")]
    Invalid,
    /// More than eight significant decimal places (trailing zeros are fine).
    #[error("more than {PRICE_SCALE} decimal places")]
    TooPrecise,
    /// Beyond the range of an `i64` with eight decimal places.
    #[error("out of range")]
    OutOfRange,
}

impl Price {
    /// Zero.
    pub const ZERO: Price = Price(0);

    /// The price whose fixed-point representation is `raw` (value = `raw / 10^8`).
    pub const fn from_raw(raw: i64) -> Price {
        Price(raw)
    }

    /// The fixed-point representation (value × 10^8), as stored.
    pub const fn raw(self) -> i64 {
        self.0
    }

    /// Whole units, for building test values: `Price::from_units(9927)` is 9927.
    pub const fn from_units(units: i32) -> Price {
        Price(units as i64 * UNIT)
    }

    /// Parses a decimal string exactly: optional sign, digits, optional `.` and up to eight
    /// significant decimals (`"1e3"`, `"NaN"` and `"0x10"` are refused). Leading `+`, a
    /// leading `$`, and `,` thousands separators before the point (`"27,123.45"`) are accepted.
    pub fn parse(s: &str) -> Result<Price, PriceParseError> {
        Self::parse_bytes(s.as_bytes())
    }

    /// [`Price::parse`] on bytes (the CSV reader's fast path).
    pub fn parse_bytes(s: &[u8]) -> Result<Price, PriceParseError> {
        let (neg, mut rest) = match s.first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if let Some(b'$') = rest.first() {
            rest = &rest[1..];
        }
        // Accumulate as a negative number so that i64::MIN's magnitude fits.
        let mut acc: i64 = 0;
        let mut int_digits = 0usize;
        let mut i = 0;
        // Thousands separators: groups of exactly three digits after the first (so a decimal
        // comma such as "1,5" is refused rather than read as 15).
        let mut seen_comma = false;
        let mut group = 0usize;
        while i < rest.len() {
            let b = rest[i];
            match b {
                b'0'..=b'9' => {
                    acc = acc
                        .checked_mul(10)
                        .and_then(|a| a.checked_sub(i64::from(b - b'0')))
                        .ok_or(PriceParseError::OutOfRange)?;
                    int_digits += 1;
                    group += 1;
                }
                b',' => {
                    if group == 0 || (seen_comma && group != 3) || group > 3 {
                        return Err(PriceParseError::Invalid);
                    }
                    seen_comma = true;
                    group = 0;
                }
                b'.' => break,
                _ => return Err(PriceParseError::Invalid),
            }
            i += 1;
        }
        if seen_comma && group != 3 {
            return Err(PriceParseError::Invalid);
        }
        let mut frac_digits = 0u32;
        if i < rest.len() {
            // rest[i] == b'.'
            i += 1;
            while i < rest.len() {
                let b = rest[i];
                if !b.is_ascii_digit() {
                    return Err(PriceParseError::Invalid);
                }
                if frac_digits == PRICE_SCALE {
                    if b != b'0' {
                        return Err(PriceParseError::TooPrecise);
                    }
                } else {
                    acc = acc
                        .checked_mul(10)
                        .and_then(|a| a.checked_sub(i64::from(b - b'0')))
                        .ok_or(PriceParseError::OutOfRange)?;
                    frac_digits += 1;
                }
                i += 1;
                int_digits += 1; // counts any digit for the "no digits at all" check
            }
        }
        if int_digits == 0 {
            return Err(PriceParseError::Invalid);
        }
        let scaled = acc
            .checked_mul(10i64.pow(PRICE_SCALE - frac_digits))
            .ok_or(PriceParseError::OutOfRange)?;
        if neg {
            Ok(Price(scaled))
        } else {
            scaled
                .checked_neg()
                .map(Price)
                .ok_or(PriceParseError::OutOfRange)
        }
    }

    /// The exact value as a [`Decimal`].
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, PRICE_SCALE)
    }

    /// The price nearest to `d` at eight decimal places (midpoints away from zero), or `None`
    /// when out of range.
    pub fn from_decimal(d: Decimal) -> Option<Price> {
        let mut r = d.round_dp_with_strategy(
            PRICE_SCALE,
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        );
        r.rescale(PRICE_SCALE);
        i64::try_from(r.mantissa()).ok().map(Price)
    }

    /// The value as an `f64`, for statistics only (never for money).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / UNIT as f64
    }

    /// True when strictly greater than zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl fmt::Display for Price {
    /// The exact value with trailing fractional zeros dropped: `174.67`, `9927`, `-0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = i128::from(self.0);
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        let int = a / UNIT as u128;
        let mut frac = a % UNIT as u128;
        if frac == 0 {
            return write!(f, "{sign}{int}");
        }
        let mut width = PRICE_SCALE as usize;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        write!(f, "{sign}{int}.{frac:0width$}")
    }
}

impl fmt::Debug for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Price({self})")
    }
}

impl std::str::FromStr for Price {
    type Err = PriceParseError;
    fn from_str(s: &str) -> Result<Price, PriceParseError> {
        Price::parse(s)
    }
}

impl serde::Serialize for Price {
    /// A JSON string with the exact decimal (`"174.67"`): a JSON number would be read back as
    /// a float by most clients.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Price, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Price::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_and_prints_back() {
        for (s, raw, shown) in [
            ("174.67", 17_467_000_000, "174.67"),
            ("9927", 992_700_000_000, "9927"),
            ("0.42388", 42_388_000, "0.42388"),
            ("-37.63", -3_763_000_000, "-37.63"),
            ("+1.5", 150_000_000, "1.5"),
            ("17.240000", 1_724_000_000, "17.24"),
            ("0.00000001", 1, "0.00000001"),
            (".5", 50_000_000, "0.5"),
            ("5.", 500_000_000, "5"),
            ("$1,234.5", 123_450_000_000, "1234.5"),
            ("12,345,678", 1_234_567_800_000_000, "12345678"),
            ("1.123456780000", 112_345_678, "1.12345678"),
            ("-0", 0, "0"),
        ] {
            let p = Price::parse(s).unwrap();
            assert_eq!(p.raw(), raw, "{s}");
            assert_eq!(p.to_string(), shown, "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_exact() {
        use PriceParseError::*;
        for (s, e) in [
            ("", Invalid),
            (".", Invalid),
            ("-", Invalid),
            ("1e3", Invalid),
            ("NaN", Invalid),
            ("1.2.3", Invalid),
            (" 1", Invalid),
            ("1,", Invalid),
            (",1", Invalid),
            ("1,,0", Invalid),
            ("1,5", Invalid),
            ("1234,567", Invalid),
            ("1,2345", Invalid),
            ("1.123456789", TooPrecise),
            ("92233720369", OutOfRange),
            ("99999999999999999999999", OutOfRange),
        ] {
            assert_eq!(Price::parse(s), Err(e), "{s}");
        }
        assert_eq!(
            Price::parse("-92233720368.54775808").unwrap().raw(),
            i64::MIN
        );
        assert_eq!(
            Price::parse("92233720368.54775807").unwrap().raw(),
            i64::MAX
        );
        assert_eq!(
            Price::from_raw(i64::MIN).to_string(),
            "-92233720368.54775808"
        );
    }

    #[test]
    fn decimal_round_trip() {
        let p = Price::parse("123.456").unwrap();
        assert_eq!(p.to_decimal().to_string(), "123.45600000");
        assert_eq!(Price::from_decimal(p.to_decimal()), Some(p));
        assert_eq!(
            Price::from_decimal(Decimal::new(5, 9)),
            Some(Price::from_raw(1))
        );
    }

    proptest::proptest! {
        #[test]
        fn display_parse_round_trip(raw in proptest::prelude::any::<i64>()) {
            let p = Price::from_raw(raw);
            proptest::prop_assert_eq!(Price::parse(&p.to_string()), Ok(p));
        }
    }
}
