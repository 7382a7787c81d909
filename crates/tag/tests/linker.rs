//! Linker behaviour: the seed story, disambiguation, printed codes, datelines, institutions, the
//! line protocol, and properties that must hold for any input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use newsdesk_tag::{Field, Kb, Kind, Role, Tagging, tag};
use proptest::prelude::*;
use std::sync::OnceLock;

fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| Kb::bundled().expect("bundled knowledge base loads"))
}

fn symbols(t: &Tagging) -> Vec<String> {
    t.instruments
        .iter()
        .map(|l| l.instrument.symbol.clone())
        .collect()
}

fn has(t: &Tagging, symbol: &str) -> bool {
    t.instruments.iter().any(|l| l.instrument.symbol == symbol)
}

// The seed page (investing.com, pasted): a Reuters story about Japan that names no ticker.
const SEED_PAGE: &str =
    include_str!("../../extract/tests/fixtures/text/investing-nato-liaison.txt");
const SEED_TITLE: &str = "Japan working towards opening of NATO liaison office in Tokyo";

fn seed_body() -> &'static str {
    let start = SEED_PAGE
        .find("WASHINGTON (Reuters)")
        .expect("story starts with its dateline");
    let end = SEED_PAGE
        .find("Latest comments")
        .expect("comments follow the story");
    &SEED_PAGE[start..end]
}

fn assert_seed(t: &Tagging) {
    let top = t.instruments.first().expect("something is linked");
    assert_eq!(top.instrument.symbol, "JP225", "top link: {:?}", symbols(t));
    assert_eq!(top.role, Role::Primary);
    assert!(
        t.instruments
            .iter()
            .all(|l| l.instrument.kind != Kind::Equity),
        "no equity: {:?}",
        symbols(t)
    );
    assert!(
        top.reasons.iter().any(|r| r.rule == "country-focus"),
        "JP225 is inferred from the story being about Japan"
    );
    assert_eq!(t.countries.first().map(|c| c.code.as_str()), Some("JP"));
}

#[test]
fn seed_story_with_headline_links_jp225() {
    assert_seed(&tag(kb(), Some(SEED_TITLE), seed_body()));
}

#[test]
fn seed_story_without_headline_links_jp225() {
    // The Washington dateline is where the reporter stands; the lead's subject is Japan.
    assert_seed(&tag(kb(), None, seed_body()));
}

#[test]
fn seed_page_as_pasted_links_jp225() {
    assert_seed(&tag(kb(), None, SEED_PAGE));
}

#[test]
fn common_words_are_not_companies_without_cues() {
    let cases = [
        ("Apple pie is easy: slice the apples and bake.", "AAPL"),
        (
            "Apple orchards in Kent had a poor harvest, growers said.",
            "AAPL",
        ),
        (
            "Harrison Ford starred in the film, which opened on Friday.",
            "F",
        ),
        ("President Ford pardoned Nixon in 1974.", "F"),
        (
            "Deforestation in the Amazon rainforest rose again this year.",
            "AMZN",
        ),
        ("Fishermen on the Amazon River reported low water.", "AMZN"),
        (
            "The gap between two-year and 10-year yields widened.",
            "GAP",
        ),
        (
            "Visa applications from students surged, the ministry said.",
            "V",
        ),
        ("The fund was a shell company with no operations.", "SHEL"),
        (
            "Target prices for the stock were cut by two brokers.",
            "TGT",
        ),
        ("A city block was cordoned off after the fire.", "XYZ"),
        ("Delta variant cases rose in the region.", "DAL"),
    ];
    for (text, symbol) in cases {
        let t = tag(kb(), None, text);
        assert!(
            !has(&t, symbol),
            "{text:?} linked {symbol}: {:?}",
            symbols(&t)
        );
    }
}

#[test]
fn companies_with_corporate_cues_are_linked() {
    let cases = [
        (
            "Apple shares rose 2% after the iPhone maker beat revenue forecasts.",
            "AAPL",
        ),
        ("Ford Motor Co recalled 300,000 trucks on Tuesday.", "F"),
        ("Ford shares fell after the automaker cut its outlook.", "F"),
        ("Amazon.com Inc reported stronger cloud sales.", "AMZN"),
        ("Target Corp said quarterly sales beat estimates.", "TGT"),
        ("Gap Inc shares jumped 10% on strong Old Navy sales.", "GAP"),
        (
            "Visa and Mastercard reported higher payment volumes in the quarter.",
            "V",
        ),
        (
            "Shell said its quarterly profit doubled on refining margins.",
            "SHEL",
        ),
        ("Facebook parent Meta Platforms Inc climbed 3%.", "META"),
        (
            "Block, the payments company led by Jack Dorsey, said revenue rose.",
            "XYZ",
        ),
        ("Delta Air Lines raised its profit forecast.", "DAL"),
        ("JPMorgan and Goldman Sachs led bank stocks higher.", "JPM"),
        ("Johnson & Johnson shares gained 0.2% after results.", "JNJ"),
    ];
    for (text, symbol) in cases {
        let t = tag(kb(), None, text);
        assert!(
            has(&t, symbol),
            "{text:?} did not link {symbol}: {:?}",
            symbols(&t)
        );
    }
}

#[test]
fn printed_codes() {
    let t = tag(kb(), None, "Apple Inc (NASDAQ:AAPL) rose.");
    let l = &t.instruments[0];
    assert_eq!(l.instrument.symbol, "AAPL");
    assert_eq!(l.instrument.mic.as_deref(), Some("XNAS"));
    assert!(
        l.reasons
            .iter()
            .any(|r| r.rule == "exchange-code" && r.text == "NASDAQ:AAPL")
    );

    let t = tag(kb(), None, "Altium Ltd (AX:ALU) jumped 20%.");
    let l = t
        .instruments
        .iter()
        .find(|l| l.instrument.symbol == "ALU")
        .expect("ALU");
    assert_eq!(l.instrument.mic.as_deref(), Some("XASX"));
    assert_eq!(l.instrument.country.as_deref(), Some("AU"));
    assert_eq!(l.instrument.name, "Altium Ltd");

    let t = tag(
        kb(),
        None,
        "Johnson & Johnson <JNJ.N> and Berkshire <BRKb.N> fell.",
    );
    assert!(has(&t, "JNJ") && has(&t, "BRK-B"), "{:?}", symbols(&t));

    let t = tag(
        kb(),
        None,
        "Nikkei <.N225> fell while Toyota <7203.T> rose.",
    );
    assert!(has(&t, "JP225"), "{:?}", symbols(&t));
    let toyota = t
        .instruments
        .iter()
        .find(|l| l.instrument.symbol == "7203")
        .expect("7203");
    assert_eq!(toyota.instrument.mic.as_deref(), Some("XTKS"));

    let t = tag(kb(), None, "Traders piled into $AAPL and $TSLA calls.");
    assert!(has(&t, "AAPL") && has(&t, "TSLA"), "{:?}", symbols(&t));

    let t = tag(
        kb(),
        None,
        "JP225 and US500 futures were flat; EUR/USD rose and USDJPY fell.",
    );
    for s in ["JP225", "US500", "EURUSD", "USDJPY"] {
        assert!(has(&t, s), "{s}: {:?}", symbols(&t));
    }
}

#[test]
fn datelines_decide_the_country() {
    let t = tag(
        kb(),
        None,
        "NASHVILLE, Tenn., March 3 - The company said first-quarter sales rose 5 pct.",
    );
    assert_eq!(
        t.countries
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["US"]
    );
    let t = tag(
        kb(),
        None,
        "DUBLIN, Ohio, March 3 - Wendy's said it would open 50 restaurants.",
    );
    assert_eq!(t.countries.first().map(|c| c.code.as_str()), Some("US"));
    assert!(t.countries.iter().all(|c| c.code != "IE"));
    let t = tag(
        kb(),
        Some("Bundesbank leaves rates unchanged"),
        "FRANKFURT, March 3 - The Bundesbank left its discount rate at 3.0 pct, a spokesman said.",
    );
    assert_eq!(t.countries.first().map(|c| c.code.as_str()), Some("DE"));
}

#[test]
fn central_banks_move_rates_and_currency() {
    let t = tag(
        kb(),
        Some("Bank of Japan keeps policy steady"),
        "TOKYO (Reuters) - The Bank of Japan kept interest rates unchanged on Friday.",
    );
    for s in ["BOJRATE", "JPY", "JP225"] {
        assert!(has(&t, s), "{s}: {:?}", symbols(&t));
    }
    let t = tag(
        kb(),
        None,
        "The Fed raised rates by 25 basis points, and Powell signalled more.",
    );
    assert!(has(&t, "FEDFUNDS") && has(&t, "USD"), "{:?}", symbols(&t));
    let t = tag(
        kb(),
        None,
        "OPEC+ agreed to extend output cuts into next year.",
    );
    assert!(has(&t, "BRENT"), "{:?}", symbols(&t));
}

#[test]
fn market_phrases_name_the_benchmark() {
    let t = tag(
        kb(),
        None,
        "Japanese shares ended higher while Hong Kong stocks fell.",
    );
    assert!(has(&t, "JP225") && has(&t, "HK50"), "{:?}", symbols(&t));
    let t = tag(
        kb(),
        None,
        "The S&P 500 communication services index added 3.1%.",
    );
    assert!(
        !has(&t, "US500"),
        "a sector index is not the benchmark: {:?}",
        symbols(&t)
    );
}

#[test]
fn headline_evidence_is_in_title_reasons() {
    let t = tag(
        kb(),
        Some("Nikkei hits record"),
        "Tokyo stocks rose on Monday.",
    );
    let l = t
        .instruments
        .iter()
        .find(|l| l.instrument.symbol == "JP225")
        .expect("JP225");
    assert_eq!(l.role, Role::Primary);
    let r = l
        .reasons
        .iter()
        .find(|r| r.field == Field::Title)
        .expect("title reason");
    assert_eq!((r.start, r.end, r.text.as_str()), (0, 6, "Nikkei"));
    assert!(l.score_bp() > 0 && l.score_bp() <= 10_000);
}

#[test]
fn line_protocol() {
    let input = concat!(
        r#"{"id":"a","title":"Nikkei falls","text":"Café owners in Tokyo — and Toyota Motor <7203.T> — said so."}"#,
        "\n",
        "not json\n",
        "\n",
        r#"{"id":7,"text":"Apple Inc (NASDAQ:AAPL) rose."}"#,
        "\n"
    );
    let mut out = Vec::new();
    let stats = newsdesk_tag::cli::run_tag(input.as_bytes(), &mut out, kb()).unwrap();
    assert_eq!((stats.documents, stats.skipped), (2, 1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[0]["countries"][0], "JP");
    let text: Vec<char> = input
        .lines()
        .next()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().chars().collect()
        })
        .unwrap();
    for inst in lines[0]["instruments"].as_array().unwrap() {
        for r in inst["reasons"].as_array().unwrap() {
            let (s, e) = (
                r["start"].as_u64().unwrap() as usize,
                r["end"].as_u64().unwrap() as usize,
            );
            let quoted: String = text[s..e].iter().collect();
            assert_eq!(quoted, r["text"].as_str().unwrap(), "character offsets");
        }
    }
    let aapl = &lines[1]["instruments"][0];
    assert_eq!(aapl["symbol"], "AAPL");
    assert_eq!(aapl["kind"], "equity");
    assert_eq!(aapl["mic"], "XNAS");
    assert_eq!(aapl["role"], "primary");
}

fn check_offsets(title: Option<&str>, text: &str) {
    let t = tag(kb(), title, text);
    for l in &t.instruments {
        assert!((0.0..=1.0).contains(&l.score));
        for r in &l.reasons {
            let field = match r.field {
                Field::Title => title.unwrap_or(""),
                Field::Text => text,
            };
            let n = field.chars().count();
            assert!(r.start <= r.end && r.end <= n, "{r:?} in {n} chars");
            let quoted: String = field.chars().skip(r.start).take(r.end - r.start).collect();
            assert_eq!(quoted, r.text);
        }
    }
    for c in &t.countries {
        assert!(c.code.len() == 2 && c.score > 0.0 && c.score <= 1.0);
    }
}

fn newsy() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "Apple",
        "shares",
        "Japan",
        "Tokyo",
        "NEW YORK",
        ",",
        " - ",
        "(NASDAQ:AAPL)",
        "<JNJ.N>",
        "$TSLA",
        "EUR/USD",
        "Fed",
        "the",
        "Ford",
        "Inc",
        "Nikkei",
        "é",
        "日本",
        "—",
        "'s",
        ".",
        "\n",
        "(",
        ")",
        "<",
        ">",
        "$",
        ":",
        "Tenn.",
        "S&P 500",
        "Amazon",
        "river",
        "Mr",
        "BRKb",
        "Café",
        "\u{a0}",
        "ﬁ",
        "İstanbul",
        "Ⅻ",
        "🙂",
    ]);
    prop::collection::vec(words, 0..60).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics_and_offsets_quote_the_text(text in any::<String>(), title in proptest::option::of(any::<String>())) {
        check_offsets(title.as_deref(), &text);
    }

    #[test]
    fn newsy_text_offsets_quote_the_text(text in newsy(), title in proptest::option::of(newsy())) {
        check_offsets(title.as_deref(), &text);
    }
}

#[test]
fn store_mapping_and_explanation() {
    let t = tag(kb(), Some(SEED_TITLE), seed_body());
    let top = &t.instruments[0];
    assert!((0..=10_000).contains(&top.score_bp()));
    let reasons = top.reasons_json();
    assert_eq!(reasons[0]["field"], "title");
    assert_eq!(reasons[0]["rule"], "country-focus");
    let why = top.explain();
    assert!(why.starts_with("Japan ×"), "{why}");
}

#[test]
fn banks_quoted_as_sources_are_not_links() {
    let sources = [
        "Demand for loans continues to increase, Goldman economists said in a note.",
        "The rally may fade, said analysts at Morgan Stanley.",
        "Prices will rise about 1% a year, according to UBS analyst Ross Fowler.",
        "Carvana Co jumped 8.2% as Piper Sandler upgraded the online used-car seller's stock.",
    ];
    for (text, symbol) in sources.iter().zip(["GS", "MS", "UBS", "PIPR"]) {
        let t = tag(kb(), None, text);
        assert!(
            !has(&t, symbol),
            "{text:?} linked {symbol}: {:?}",
            symbols(&t)
        );
    }
    let subjects = [
        (
            "Goldman Sachs Group Inc gained after reporting smaller-than-expected losses.",
            "GS",
        ),
        ("Citigroup will report results later on Friday.", "C"),
        ("Shares of JPMorgan and Wells Fargo gained strongly.", "JPM"),
    ];
    for (text, symbol) in subjects {
        let t = tag(kb(), None, text);
        assert!(
            has(&t, symbol),
            "{text:?} did not link {symbol}: {:?}",
            symbols(&t)
        );
    }
}

#[test]
fn a_reused_tagger_gives_the_same_results() {
    let stories = [
        (Some(SEED_TITLE), seed_body()),
        (
            None,
            "The Fed raised rates; the dollar and two-year Treasury yields rose.",
        ),
        (
            None,
            "Apple Inc (NASDAQ:AAPL) rose while Toyota <7203.T> fell in Tokyo.",
        ),
        (
            Some("BAHIA COCOA REVIEW"),
            "SALVADOR, Feb 26 - Showers continued in the Bahia cocoa zone.",
        ),
        (
            None,
            "NASHVILLE, Tenn., March 3 - The company said sales rose.",
        ),
    ];
    let mut tagger = newsdesk_tag::Tagger::new(kb());
    for _ in 0..2 {
        for (title, text) in stories {
            assert_eq!(tagger.tag(title, text), tag(kb(), title, text));
        }
    }
}

#[test]
fn page_furniture_and_amounts_are_not_links() {
    let t = tag(
        kb(),
        None,
        "The fair opens on Friday.\n\nShare this story\nFacebook\nReddit\nEmail\n",
    );
    assert!(!has(&t, "META") && !has(&t, "RDDT"), "{:?}", symbols(&t));
    let t = tag(
        kb(),
        None,
        "ROTTERDAM, May 14 (Reuters) - The order, worth about 600 million euros, was signed.",
    );
    assert!(!has(&t, "EUR"), "{:?}", symbols(&t));
    let t = tag(
        kb(),
        None,
        "The euro fell against the dollar after the ECB meeting.",
    );
    assert!(has(&t, "EUR") && has(&t, "USD"), "{:?}", symbols(&t));
}

#[test]
fn pathological_inputs_finish() {
    for text in [
        "<".repeat(200_000),
        "A:".repeat(100_000),
        "(AB)".repeat(50_000),
        "$AB ".repeat(50_000),
        "New York Stock Exchange ".repeat(20_000),
        (0..20_000)
            .map(|i| format!("<R{i}.L> "))
            .collect::<String>(),
    ] {
        let t = tag(kb(), Some(&text[..100]), &text);
        assert!(t.instruments.iter().all(|l| l.reasons.len() <= 6));
    }
}

#[test]
fn places_that_describe_companies_weigh_less() {
    let t = tag(
        kb(),
        None,
        "LOS ANGELES, March 2 - Ferro Corp said it formed a joint venture with Paris-based Alsthom.",
    );
    assert_eq!(
        t.countries
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["US"]
    );
    let t = tag(
        kb(),
        Some("<SDC SYDNEY DEVELOPMENT CORP> NINE MTHS LOSS"),
        "VANCOUVER, British Columbia, March 2 - Oper shr loss 1.08 dlrs vs loss 84 cts.",
    );
    assert_eq!(
        t.countries
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["CA"]
    );
}

#[test]
fn old_wire_codes_generic_names_and_rating_actions() {
    // A bare <TX> is an old wire's company code, not today's ticker.
    let t = tag(kb(), None, "Texaco Inc <TX> said it would appeal.");
    assert!(!has(&t, "TX"), "{:?}", symbols(&t));
    // Every word common: needs a cue.
    let t = tag(
        kb(),
        None,
        "The loan was arranged by a National Bank branch in the town.",
    );
    assert!(!has(&t, "NBHC"), "{:?}", symbols(&t));
    // A rating agency acting on someone else is a source.
    let t = tag(
        kb(),
        None,
        "Moody's Investors Service said it downgraded Texas Air's debt. Moody's cited losses.",
    );
    assert!(!has(&t, "MCO"), "{:?}", symbols(&t));
    // An all-caps headline verb is not a ticker-like company name.
    let t = tag(
        kb(),
        Some("ACME CORP PROFIT UPS"),
        "Acme Corp said profit rose.",
    );
    assert!(!has(&t, "UPS"), "{:?}", symbols(&t));
}

#[test]
fn chinese_and_japanese_names_are_found_without_spaces() {
    let t = tag(
        kb(),
        Some("日経平均、続伸　日銀の政策修正観測で"),
        "東京株式市場で日経平均株価は続伸した。",
    );
    assert_eq!(t.instruments[0].instrument.symbol, "JP225");
    assert!(has(&t, "BOJRATE"), "{:?}", symbols(&t));
    assert_eq!(t.countries.first().map(|c| c.code.as_str()), Some("JP"));
    let t = tag(kb(), None, "上证指数周一上涨，中国人民银行宣布降准。");
    assert!(has(&t, "CN600") && has(&t, "PBOCLPR"), "{:?}", symbols(&t));
    check_offsets(
        Some("日経平均、続伸"),
        "東京株式市場で日経平均株価は続伸した。",
    );
}

#[test]
fn knowledge_base_is_shareable_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Kb>();
    let kb = kb();
    std::thread::scope(|s| {
        let h = s.spawn(|| {
            tag(kb, None, "Apple Inc (NASDAQ:AAPL) rose.")
                .instruments
                .len()
        });
        assert_eq!(h.join().unwrap(), 1);
    });
}
