//! The price-file parser on arbitrary bytes: it must return Ok or a PriceError, never panic,
//! and whatever it returns must be sorted with one bar per date.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsdesk_market::{ParseOptions, parse_prices};

fuzz_target!(|data: &[u8]| {
    let opts = ParseOptions::new("fuzz.csv");
    if let Ok(parsed) = parse_prices(data, &opts) {
        for s in &parsed.series {
            assert!(s.daily.windows(2).all(|w| w[0].date < w[1].date));
            assert!(s.intraday.windows(2).all(|w| w[0].at < w[1].at));
            for b in &s.daily {
                // Display of an exact price parses back to the same price.
                assert_eq!(newsdesk_market::Price::parse(&b.close.to_string()), Ok(b.close));
            }
        }
    }
});
