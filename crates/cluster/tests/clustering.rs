//! Behaviour of fingerprints, the decision and the index on small stories written for these
//! tests (no external data).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use jiff::{SignedDuration, Timestamp};
use newsdesk_cluster::{
    Candidate, ClusterConfig, ClusterIndex, FORMAT_VERSION, Fingerprint, FingerprintError,
    MatchReason, StoryId, compare, decide,
};

const TITLE: &str = "Harbourline Shipping to buy rival Northgate in 1.2 billion dollar deal";

const PARAGRAPHS: [&str; 6] = [
    "Harbourline Shipping said on Monday it had agreed to buy its smaller rival Northgate Freight for about 1.2 billion dollars in cash, creating the largest container operator on the eastern seaboard.",
    "The offer of 14.50 dollars a share is a premium of 31 percent to Northgate's closing price on Friday, the companies said in a joint statement.",
    "Harbourline chief executive Maria Okafor said the combined fleet of 212 vessels would allow the group to cut costs by around 90 million dollars a year within three years of closing.",
    "Northgate's board has unanimously recommended the offer, and shareholders holding 18 percent of the stock have agreed to tender their shares, the statement said.",
    "The deal is subject to approval by competition authorities, which analysts said could take until the end of next year given the two companies' overlapping routes in the north.",
    "Shares in Harbourline fell 2.3 percent in early trading while Northgate's stock jumped 27 percent to 14.20 dollars, just below the offer price.",
];

fn body(paragraphs: &[&str]) -> String {
    paragraphs.join("\n\n")
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn hours(h: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_hours(h)).unwrap()
}

fn judge(a: &Fingerprint, b: &Fingerprint) -> Option<MatchReason> {
    let candidate = Candidate {
        fingerprint: a,
        published: t0(),
        story: StoryId(7),
    };
    decide(&candidate, b, hours(2)).map(|m| {
        assert_eq!(m.story, StoryId(7));
        m.reason
    })
}

fn original() -> Fingerprint {
    Fingerprint::of(TITLE, &body(&PARAGRAPHS))
}

#[test]
fn wire_copy_with_other_whitespace_and_quotes_is_identical() {
    let rewrapped = body(&PARAGRAPHS)
        .replace('\'', "\u{2019}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .chunks(9)
        .map(|line| line.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    let copy = Fingerprint::of(&TITLE.to_uppercase(), &rewrapped);
    let s = compare(&original(), &copy);
    assert_eq!(s.body_jaccard_estimate, Some(1.0));
    assert_eq!(s.title_similarity, Some(1.0));
    assert_eq!(judge(&original(), &copy), Some(MatchReason::NearDuplicate));
}

#[test]
fn new_headline_matches_on_the_body() {
    let copy = Fingerprint::of(
        "Container merger creates east coast giant",
        &body(&PARAGRAPHS),
    );
    assert!(compare(&original(), &copy).title_similarity.unwrap() < 0.2);
    assert_eq!(judge(&original(), &copy), Some(MatchReason::NearDuplicate));
}

#[test]
fn trimmed_copy_is_contained_in_the_full_story() {
    let trimmed = Fingerprint::of(TITLE, &body(&PARAGRAPHS[..3]));
    let s = compare(&original(), &trimmed);
    assert!(s.body_jaccard_estimate.unwrap() < 0.75, "{s:?}");
    assert!(s.body_containment.unwrap() > 0.85, "{s:?}");
    assert!(judge(&original(), &trimmed).is_some());
    // Symmetric: the full story arriving after the trimmed copy joins it too.
    assert!(judge(&trimmed, &original()).is_some());
}

#[test]
fn update_with_new_top_and_added_paragraph_joins() {
    let mut paragraphs =
        vec!["Adds comment from a union representative and details of the financing."];
    paragraphs.extend(PARAGRAPHS);
    paragraphs.push("The purchase will be financed with new bank loans of 800 million dollars and existing cash, Harbourline said, and the union representing Northgate's dock workers said it would seek guarantees on jobs.");
    let update = Fingerprint::of(&format!("UPDATE 2-{TITLE}"), &body(&paragraphs));
    assert_eq!(compare(&original(), &update).title_similarity, Some(1.0));
    assert!(judge(&original(), &update).is_some());
}

#[test]
fn site_furniture_around_the_story_does_not_prevent_a_match() {
    let wrapped = format!(
        "Home | Markets | Shipping | Subscribe\n\n{}\n\nLatest comments\n\nBe the first to comment.\n\nInvesting involves risk. Nothing here is advice.",
        body(&PARAGRAPHS)
    );
    let copy = Fingerprint::of(&format!("{TITLE} | Quayside News"), &wrapped);
    assert_eq!(compare(&original(), &copy).title_similarity, Some(1.0));
    assert!(judge(&original(), &copy).is_some());
}

#[test]
fn two_sentence_brief_and_headline_only_items_join_on_the_headline() {
    let brief = Fingerprint::of(TITLE, &body(&PARAGRAPHS[..2]));
    assert!(judge(&original(), &brief).is_some());
    let headline_only = Fingerprint::of(TITLE, "");
    assert!(!headline_only.has_body());
    assert_eq!(
        judge(&original(), &headline_only),
        Some(MatchReason::Headline)
    );
    // A headline-only item with a different headline has nothing to go on.
    let other = Fingerprint::of("Northgate rejects approach from unnamed bidder", "");
    assert_eq!(judge(&original(), &other), None);
}

/// Two different earnings reports written from the same template: same day, same phrasing,
/// different company and figures. The classic false merge.
#[test]
fn template_earnings_items_for_different_companies_stay_apart() {
    let a = Fingerprint::of(
        "Aldermoor Foods first-quarter net profit rises 12 percent",
        "Aldermoor Foods said on Tuesday first-quarter net profit rose 12 percent to 48.2 million dollars, or 61 cents a share, from 43.0 million dollars a year earlier. Revenue rose 5 percent to 1.31 billion dollars. The company said it still expected full-year earnings per share of 2.40 to 2.55 dollars and would pay a quarterly dividend of 18 cents a share on May 15 to holders of record on April 30.",
    );
    let b = Fingerprint::of(
        "Brisk Valley Mills first-quarter net profit rises 9 percent",
        "Brisk Valley Mills said on Tuesday first-quarter net profit rose 9 percent to 22.7 million dollars, or 35 cents a share, from 20.8 million dollars a year earlier. Revenue rose 3 percent to 640 million dollars. The company said it still expected full-year earnings per share of 1.30 to 1.42 dollars and would pay a quarterly dividend of 11 cents a share on May 15 to holders of record on April 30.",
    );
    let s = compare(&a, &b);
    assert!(s.figure_overlap.unwrap() < 0.5, "{s:?}");
    assert_eq!(judge(&a, &b), None, "{s:?}");
}

#[test]
fn short_dividend_notices_with_identical_bodies_stay_apart() {
    let text = "Qtly div 12 cts vs 12 cts prior. Pay June 1. Record May 15.";
    let a = Fingerprint::of("Kestrel Mining sets quarterly dividend", text);
    let b = Fingerprint::of("Orwell Utilities sets quarterly dividend", text);
    assert_eq!(judge(&a, &b), None);
    // The same notice under the same headline is the same story.
    let c = Fingerprint::of("KESTREL MINING SETS QUARTERLY DIVIDEND", text);
    assert!(judge(&a, &c).is_some());
}

#[test]
fn next_edition_of_a_recurring_report_stays_apart() {
    let a = Fingerprint::of(
        "Central bank adds 2.5 billion in overnight repos on March 3",
        "The central bank added 2.5 billion in temporary reserves through overnight repurchase agreements, a spokesman said. Dealers said overnight funds were trading at 4.25 percent when the operation was announced.",
    );
    let b = Fingerprint::of(
        "Central bank adds 1.75 billion in overnight repos on March 4",
        "The central bank added 1.75 billion in temporary reserves through overnight repurchase agreements, a spokesman said. Dealers said overnight funds were trading at 4.31 percent when the operation was announced.",
    );
    assert!(compare(&a, &b).title_figures_differ);
    assert_eq!(judge(&a, &b), None);
}

#[test]
fn unrelated_stories_do_not_match_and_rarely_share_keys() {
    let other = Fingerprint::of(
        "Drought cuts wheat harvest forecast for third time",
        "The agriculture ministry cut its wheat harvest forecast for the third time this season on Wednesday, citing the driest spring in four decades across the southern plains. Growers said yields in some districts had fallen by half, and the ministry now expects exports to drop sharply.",
    );
    assert_eq!(judge(&original(), &other), None);
    let keys_a = original().band_keys();
    let keys_b = other.band_keys();
    assert!(keys_a.iter().all(|k| !keys_b.contains(k)));
}

#[test]
fn the_time_window_is_respected() {
    let copy = Fingerprint::of(TITLE, &body(&PARAGRAPHS));
    let a = original();
    let candidate = Candidate {
        fingerprint: &a,
        published: t0(),
        story: StoryId(1),
    };
    let config = ClusterConfig::default();
    assert!(config.decide(&candidate, &copy, hours(71)).is_some());
    assert!(config.decide(&candidate, &copy, hours(73)).is_none());
    assert!(config.decide(&candidate, &copy, hours(-73)).is_none());
}

#[test]
fn bytes_round_trip_and_reject_damage() {
    for fp in [
        original(),
        Fingerprint::of(TITLE, ""),
        Fingerprint::of("", "Only a body, no headline, 42 words or so."),
        Fingerprint::of("", ""),
    ] {
        let bytes = fp.to_bytes();
        assert_eq!(bytes[0], FORMAT_VERSION);
        let back = Fingerprint::from_bytes(&bytes).unwrap();
        assert_eq!(back, fp);
        assert_eq!(back.band_keys(), fp.band_keys());
        assert!(Fingerprint::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Fingerprint::from_bytes(&longer).is_err());
    }
    let mut bytes = original().to_bytes();
    assert!(bytes.len() < 700, "{} bytes", bytes.len());
    bytes[0] = FORMAT_VERSION + 1;
    assert_eq!(
        Fingerprint::from_bytes(&bytes),
        Err(FingerprintError::Version {
            found: FORMAT_VERSION + 1
        })
    );
    assert!(Fingerprint::from_bytes(&[]).is_err());
}

#[test]
fn band_keys_are_stable_across_builds() {
    // Databases index these values: they may only change with FORMAT_VERSION.
    let keys = Fingerprint::of(
        "Oil rises",
        "Oil prices rose on Monday as supply fears grew.",
    )
    .band_keys();
    assert_eq!(keys.len(), newsdesk_cluster::BANDS + 1);
    assert_eq!(keys[0], 0x670a_a217_dad6_a6a5);
    assert_eq!(keys[newsdesk_cluster::BANDS], 0x5d10_dab7_4c29_a305);
    let again = Fingerprint::of(
        "OIL RISES",
        "Oil prices rose on Monday as supply fears grew.",
    )
    .band_keys();
    assert_eq!(keys, again);
}

#[test]
fn index_groups_copies_and_keeps_other_stories_apart() {
    let mut index = ClusterIndex::default();
    let a = index.assign(1, t0(), original());
    assert_eq!(a.matched, None);
    let other = index.assign(
        2,
        hours(1),
        Fingerprint::of(
            "Drought cuts wheat harvest forecast for third time",
            "The agriculture ministry cut its wheat harvest forecast for the third time this season on Wednesday, citing the driest spring in four decades across the southern plains.",
        ),
    );
    assert_ne!(other.story, a.story);
    let copy = index.assign(
        3,
        hours(2),
        Fingerprint::of(&format!("{TITLE} | Quayside News"), &body(&PARAGRAPHS[..4])),
    );
    assert_eq!(copy.story, a.story);
    assert_eq!(copy.matched.map(|(id, _)| id), Some(1));
    // Outside the window a copy starts a new story.
    let late = index.assign(4, hours(100), original());
    assert_ne!(late.story, a.story);
    assert_eq!(index.members(a.story), &[1, 3]);
    assert_eq!(index.story_of(3), Some(a.story));
    // Re-assigning an id is idempotent.
    assert_eq!(index.assign(3, hours(2), original()).story, a.story);
    assert_eq!(index.len(), 4);
}

/// A daily operation reported under the same headline every day: the wording is fixed, only
/// the figures change. Without the figures check the headline rule would join the editions.
#[test]
fn same_headline_different_figures_are_different_editions() {
    let a = Fingerprint::of(
        "Central bank adds reserves via customer repurchases",
        "The central bank entered the government securities market to arrange 1.5 billion dollars of customer repurchase agreements, a spokesman said. Dealers said overnight funds were trading at 6-1/8 percent when the bank began its temporary and indirect supply of reserves to the banking system.",
    );
    let b = Fingerprint::of(
        "Central bank adds reserves via customer repurchases",
        "The central bank entered the government securities market to arrange 2.25 billion dollars of customer repurchase agreements, a spokesman said. Dealers said overnight funds were trading at 6-3/16 percent when the bank began its temporary and indirect supply of reserves to the banking system.",
    );
    let s = compare(&a, &b);
    assert!(s.figure_overlap.unwrap() < 0.5, "{s:?}");
    assert_eq!(judge(&a, &b), None, "{s:?}");
    let without_figures = ClusterConfig {
        min_figure_overlap: 0.0,
        ..ClusterConfig::default()
    };
    assert!(without_figures.judge(&s).is_some(), "{s:?}");
}
