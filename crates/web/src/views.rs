//! View models and templates: store values turned into exactly what the askama templates print.
//! All text reaches the page through askama's HTML escaping, except snippet HTML, which
//! [`crate::escape::highlighted`] builds from escaped pieces. Every link to elsewhere passes
//! [`crate::escape::safe_url`].

use askama::Template;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use newsdesk_article::{Block, Dateline};
use newsdesk_store::{ArticleSummary, InstrumentLink, LinkRole, Revision, Source, StoredArticle};
use serde_json::Value;

use crate::diff::{self, Edit};
use crate::escape::{self, clean_text, safe_url};
use crate::state::Chrome;
use crate::timefmt::{self, TimeView};

/// A `<link rel="alternate">` to a feed.
#[derive(Debug, Clone)]
pub struct FeedLink {
    /// `application/rss+xml` or `application/atom+xml`.
    pub mime: &'static str,
    /// Link title.
    pub title: String,
    /// Href (relative).
    pub href: String,
}

/// What goes into `<head>` and the header.
#[derive(Debug, Clone)]
pub struct Head {
    /// `<title>`.
    pub title: String,
    /// `<html lang>`.
    pub lang: String,
    /// Feed links.
    pub feeds: Vec<FeedLink>,
    /// The header search box's value.
    pub q: String,
}

impl Head {
    /// A head with a title, English, no feeds.
    pub fn new(title: String, site: &str) -> Self {
        Head {
            title: if title.is_empty() {
                site.to_string()
            } else {
                format!("{title} · {site}")
            },
            lang: "en".into(),
            feeds: Vec::new(),
            q: String::new(),
        }
    }

    /// Adds the RSS and Atom alternates of a list at `path` with its `query` pairs.
    pub fn with_feeds(mut self, what: &str, path: &str, query: &[(&str, Option<&str>)]) -> Self {
        for (fmt, mime, name) in [
            ("rss", "application/rss+xml", "RSS"),
            ("atom", "application/atom+xml", "Atom"),
        ] {
            let mut pairs: Vec<(&str, Option<&str>)> = query.to_vec();
            pairs.push(("format", Some(fmt)));
            self.feeds.push(FeedLink {
                mime,
                title: format!("{what} ({name})"),
                href: escape::with_query(path, &pairs),
            });
        }
        self
    }
}

/// An instrument chip.
#[derive(Debug, Clone)]
pub struct Chip {
    /// Symbol.
    pub symbol: String,
    /// `/instrument/{symbol}`.
    pub href: String,
    /// Tooltip: role, score, reasons.
    pub title: String,
    /// Accessible name.
    pub aria: String,
    /// Primary instrument.
    pub primary: bool,
    /// The symbol as stored (the key for prices).
    pub key: String,
    /// The move shown beside the symbol (`+1.23% (abn +0.80%)`), or why there is none.
    pub movement: Option<String>,
    /// Tooltip of the move: from/to prices and times, source and as-of time.
    pub movement_title: String,
    /// True when `movement` is a figure rather than a reason.
    pub moved: bool,
}

/// Puts each chip's move (or the reason there is none) on `chips` of a story published at
/// `published`.
pub fn attach_moves(
    chips: &mut [Chip],
    book: &crate::market::PriceBook,
    published: Option<Timestamp>,
    now: Timestamp,
) {
    for c in chips {
        match book.move_for(&c.key, published, now) {
            Ok(m) => {
                c.movement = Some(crate::market::chip_text(&m, book.kind(&c.key)));
                c.movement_title = crate::market::chip_detail(&m);
                c.moved = true;
            }
            Err(why) => {
                c.movement_title = format!("{}: {why}", c.symbol);
                c.movement = Some(why);
                c.moved = false;
            }
        }
    }
}

/// A score in basis points as an exact decimal: 9200 → `0.92`, 10000 → `1`, 5 → `0.0005`.
pub fn score_decimal(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.unsigned_abs();
    let (whole, frac) = (bp / 10_000, bp % 10_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:04}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// The link reasons in a few words: `{"printed": true}` → "printed on the page"; other shapes are
/// flattened to `key: value` pairs. At most 200 characters.
pub fn summarize_reasons(v: &Value) -> String {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    fn human(key: &str) -> String {
        match key {
            "printed" | "printed_on_page" | "printed_instrument" => "printed on the page".into(),
            k => k.replace('_', " "),
        }
    }
    // The pipeline stores `{"explain": "Japan ×3, Tokyo", "evidence": [...]}`: the explanation is
    // what a reader wants; the evidence spans are for the API.
    if let Some(explain) = v.get("explain").and_then(Value::as_str) {
        let mut s = clean_text(explain).into_owned();
        if s.chars().count() > 200 {
            s = s.chars().take(199).collect::<String>() + "…";
        }
        return s;
    }
    let mut parts: Vec<String> = Vec::new();
    match v {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Bool(true) => parts.push(human(k)),
                    Value::Bool(false) | Value::Null => {}
                    Value::Array(xs) => {
                        let items: Vec<String> = xs.iter().filter_map(scalar).collect();
                        if !items.is_empty() {
                            parts.push(format!("{}: {}", human(k), items.join(", ")));
                        }
                    }
                    other => {
                        if let Some(s) = scalar(other) {
                            parts.push(format!("{}: {s}", human(k)));
                        }
                    }
                }
            }
        }
        Value::Array(xs) => parts.extend(xs.iter().filter_map(|x| match x {
            Value::Object(_) => Some(summarize_reasons(x)),
            other => scalar(other),
        })),
        other => parts.extend(scalar(other)),
    }
    let mut s = clean_text(&parts.join("; ")).into_owned();
    if s.chars().count() > 200 {
        s = s.chars().take(199).collect::<String>() + "…";
    }
    s
}

/// A chip for a link.
pub fn chip(link: &InstrumentLink) -> Chip {
    let symbol = clean_text(&link.symbol).into_owned();
    let role = match link.role {
        LinkRole::Primary => "primary",
        LinkRole::Mentioned => "mentioned",
    };
    let score = score_decimal(link.score_bp);
    let reasons = summarize_reasons(&link.reasons);
    let mut title = format!("{role} · score {score}");
    let mut aria = format!("{symbol}: {role} instrument, score {score}");
    if !reasons.is_empty() {
        title.push_str(" · ");
        title.push_str(&reasons);
        aria.push_str(", ");
        aria.push_str(&reasons);
    }
    Chip {
        href: format!("/instrument/{}", escape::encode(&link.symbol)),
        symbol,
        title,
        aria,
        primary: link.role == LinkRole::Primary,
        key: link.symbol.clone(),
        movement: None,
        movement_title: String::new(),
        moved: false,
    }
}

/// One story in a list.
#[derive(Debug, Clone)]
pub struct StoryRow {
    /// `/news/{id}`.
    pub href: String,
    /// Headline.
    pub title: String,
    /// Source name.
    pub source_name: String,
    /// `/source/{slug}`.
    pub source_href: String,
    /// Absolute time for `datetime`/`title`.
    pub time: TimeView,
    /// "3 hours ago".
    pub rel: String,
    /// Chips.
    pub chips: Vec<Chip>,
    /// Search snippet, already HTML (escaped text and `<mark>`).
    pub snippet_html: Option<String>,
}

/// The headline to show (never empty).
pub fn headline(title: Option<&str>) -> String {
    match title.map(clean_text) {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => "(untitled story)".to_string(),
    }
}

/// A list row for a summary.
pub fn story_row(
    s: &ArticleSummary,
    source: Option<&Source>,
    now: Timestamp,
    display: Option<&TimeZone>,
) -> StoryRow {
    let (at, tz, assumed) = match &s.published {
        Some(p) => (p.instant, timefmt::shown_zone(p, display), p.zone_assumed),
        // Never printed by the source: first-seen time, shown in the source's zone.
        None => {
            let tz = display
                .cloned()
                .or_else(|| source.and_then(|src| newsdesk_article::parse_zone(&src.time_zone)));
            (s.sort_at, tz.unwrap_or(TimeZone::UTC), false)
        }
    };
    StoryRow {
        href: format!("/news/{}", s.id),
        title: headline(s.title.as_deref()),
        source_name: source
            .map(|s| clean_text(&s.name).into_owned())
            .unwrap_or_else(|| "Unknown source".into()),
        source_href: source
            .map(|s| format!("/source/{}", escape::encode(&s.slug)))
            .unwrap_or_else(|| "/".into()),
        rel: timefmt::relative(at, now, &tz),
        time: timefmt::absolute(at, &tz, assumed),
        chips: s.instruments.iter().map(chip).collect(),
        snippet_html: None,
    }
}

/// A list page (front page, source, instrument).
#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage<'a> {
    /// Chrome.
    pub chrome: &'a Chrome,
    /// Head.
    pub head: Head,
    /// `<h1>`.
    pub heading: String,
    /// Line under the heading.
    pub intro: Option<String>,
    /// Stories.
    pub stories: Vec<StoryRow>,
    /// Shown when there are none.
    pub empty_text: String,
    /// "Older stories" link.
    pub older_href: Option<String>,
    /// "Newest stories" link (when paging).
    pub newest_href: Option<String>,
    /// Chart and figures of the instrument (`/instrument/{symbol}` only).
    pub market: Option<InstrumentView>,
}

/// The price part of an instrument page.
#[derive(Debug, Clone)]
pub struct InstrumentView {
    /// The SVG chart (already escaped; empty when there are no prices).
    pub svg: String,
    /// Period changes: label, figure (`+1.23%` or the reason), tooltip.
    pub changes: Vec<(String, String, String)>,
    /// `52-week range: 90 – 101.5`.
    pub range: String,
    /// Source and as-of line, or why there are no prices.
    pub note: String,
}

/// The chart and figures of `symbol` from the prices in `book`.
pub fn instrument_view(
    book: &crate::market::PriceBook,
    symbol: &str,
    markers: &[crate::chart::Marker],
) -> InstrumentView {
    let shown = clean_text(symbol).into_owned();
    let Some((bars, instrument, source, as_of)) = book.series(symbol).filter(|s| !s.0.is_empty())
    else {
        return InstrumentView {
            svg: String::new(),
            changes: Vec::new(),
            range: String::new(),
            note: format!(
                "No prices for {shown} yet. An operator adds them with `newsdesk prices import \
                 FILE` (daily bars) or live quotes through `quotes.url` in the configuration."
            ),
        };
    };
    let clock = instrument.and_then(crate::market::clock_of);
    let stats = crate::chart::stats(bars);
    let mut changes = Vec::new();
    let mut range = String::new();
    let mut last_text = String::new();
    if let Some(st) = &stats {
        for c in &st.changes {
            let (text, title) = match (&c.change_percent, &c.from) {
                (Some(p), Some((d, price))) => (
                    if p.starts_with('-') || p == "0.00" {
                        format!("{p}%")
                    } else {
                        format!("+{p}%")
                    },
                    format!("from {price} on {d} to {} on {}", st.last.1, st.last.0),
                ),
                _ => {
                    let why = c.reason.clone().unwrap_or_default();
                    (why.clone(), why)
                }
            };
            changes.push((c.period.to_string(), text, title));
        }
        range = format!(
            "52-week range: {} ({}) – {} ({})",
            st.range_52w.low.1, st.range_52w.low.0, st.range_52w.high.1, st.range_52w.high.0
        );
        last_text = format!("Last close {} on {}. ", st.last.1, st.last.0);
    }
    // Chart the stories' period (at least the last year, with two months before the first
    // story) rather than the whole history, where recent stories would crowd the right edge.
    let last_date = bars[bars.len() - 1].date;
    let first_story = markers
        .iter()
        .map(|m| jiff::tz::TimeZone::UTC.to_datetime(m.at).date())
        .min();
    let start = [
        last_date.checked_sub(jiff::Span::new().years(1)).ok(),
        first_story.and_then(|d| d.checked_sub(jiff::Span::new().days(60)).ok()),
    ]
    .into_iter()
    .flatten()
    .min();
    let shown_bars = match start {
        Some(d) => &bars[bars.partition_point(|b| b.date < d).min(bars.len() - 1)..],
        None => bars,
    };
    let label = format!(
        "{shown}: closes {} to {}; stories marked: {}",
        shown_bars[0].date,
        last_date,
        markers.len()
    );
    InstrumentView {
        svg: crate::chart::svg(shown_bars, markers, clock.as_ref(), &label),
        changes,
        range,
        note: format!("{last_text}Source: {}, as of {as_of}.", clean_text(source)),
    }
}

/// A search filter choice.
#[derive(Debug, Clone)]
pub struct SourceOption {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Currently selected.
    pub selected: bool,
}

/// The search page.
#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPageView<'a> {
    /// Chrome.
    pub chrome: &'a Chrome,
    /// Head.
    pub head: Head,
    /// Query text.
    pub q: String,
    /// Instrument filter.
    pub instrument: String,
    /// From filter as typed.
    pub from: String,
    /// To filter as typed.
    pub to: String,
    /// Sort by date.
    pub sort_date: bool,
    /// Source choices.
    pub sources: Vec<SourceOption>,
    /// "3 results for …".
    pub count_text: Option<String>,
    /// Results.
    pub stories: Vec<StoryRow>,
    /// Empty state.
    pub empty_text: String,
    /// Next page.
    pub older_href: Option<String>,
    /// First page (when paging).
    pub newest_href: Option<String>,
}

/// An image for the page.
#[derive(Debug, Clone)]
pub struct ImageView {
    /// `src`, only http(s).
    pub src: Option<String>,
    /// `alt`.
    pub alt: String,
    /// Caption.
    pub caption: Option<String>,
    /// Credit.
    pub credit: Option<String>,
}

/// A body block.
#[derive(Debug, Clone)]
pub struct BlockView {
    /// `p`, `h`, `ul`, `ol`, `quote`, `pre`.
    pub kind: &'static str,
    /// Text (not for lists).
    pub text: String,
    /// Heading level (2–6).
    pub level: u8,
    /// List items.
    pub items: Vec<String>,
    /// The dateline, printed bold before the first paragraph.
    pub dateline: Option<String>,
}

/// One edit in "what changed".
#[derive(Debug, Clone)]
pub struct EditView {
    /// `added`, `removed`, `changed`.
    pub kind: &'static str,
    /// Old text.
    pub before: String,
    /// New text.
    pub after: String,
}

/// One revision in "what changed".
#[derive(Debug, Clone)]
pub struct RevisionView {
    /// Revision number.
    pub number: i64,
    /// Fetch time.
    pub fetched: TimeView,
    /// Old and new headline, when it changed.
    pub title_change: Option<(String, String)>,
    /// Paragraph edits against the previous revision (empty for revision 1).
    pub edits: Vec<EditView>,
}

/// The article page.
#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePageView<'a> {
    /// Chrome.
    pub chrome: &'a Chrome,
    /// Head.
    pub head: Head,
    /// Language of the story (`lang` on `<article>`).
    pub lang: String,
    /// Section.
    pub section: Option<String>,
    /// Headline.
    pub headline: String,
    /// Published.
    pub published: Option<TimeView>,
    /// Updated.
    pub updated: Option<TimeView>,
    /// "Updated" is when we noticed a change.
    pub updated_is_fetch_time: bool,
    /// "By A and B".
    pub authors: Option<String>,
    /// Source name.
    pub source_name: String,
    /// `/source/{slug}`.
    pub source_href: String,
    /// Chips.
    pub chips: Vec<Chip>,
    /// Lead image.
    pub image: Option<ImageView>,
    /// Body.
    pub blocks: Vec<BlockView>,
    /// The original's URL (http(s) only).
    pub canonical: Option<String>,
    /// Revisions newest first (only when there is more than one).
    pub revisions: Vec<RevisionView>,
    /// The same story from other articles ("Also reported by …"), oldest first.
    pub also: Vec<AlsoView>,
}

/// Another article of the same story.
#[derive(Debug, Clone)]
pub struct AlsoView {
    /// `/news/{id}`.
    pub href: String,
    /// Its headline.
    pub title: String,
    /// Its source's name.
    pub source_name: String,
    /// When it was published (or first seen).
    pub time: TimeView,
}

/// The "Also reported by" entry of a story member.
pub fn also_view(
    member: &newsdesk_store::StoryMember,
    source: Option<&Source>,
    display: Option<&TimeZone>,
) -> AlsoView {
    let s = &member.summary;
    let time = match &s.published {
        Some(t) => timefmt::source_time(t, display),
        None => timefmt::absolute(s.sort_at, display.unwrap_or(&TimeZone::UTC), false),
    };
    AlsoView {
        href: format!("/news/{}", s.id),
        title: headline(s.title.as_deref()),
        source_name: source
            .map(|src| clean_text(&src.name).into_owned())
            .unwrap_or_else(|| "Unknown source".into()),
        time,
    }
}

/// "WASHINGTON (Reuters) -".
pub fn dateline_text(d: &Dateline) -> Option<String> {
    let place = d.place.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let agency = d.agency.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let s = match (place, agency) {
        (Some(p), Some(a)) => format!("{p} ({a}) -"),
        (Some(p), None) => format!("{p} -"),
        (None, Some(a)) => format!("({a}) -"),
        (None, None) => return None,
    };
    Some(clean_text(&s).into_owned())
}

/// "A", "A and B", "A, B and C".
fn join_names(names: &[String]) -> Option<String> {
    let names: Vec<String> = names
        .iter()
        .map(|n| clean_text(n.trim()).into_owned())
        .filter(|n| !n.is_empty())
        .collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} and {last}", init.join(", "))),
    }
}

/// A valid-looking BCP 47 tag, else `en`.
fn lang_tag(l: Option<&str>) -> String {
    match l {
        Some(l)
            if !l.is_empty()
                && l.len() <= 35
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            l.to_string()
        }
        _ => "en".into(),
    }
}

fn blocks_view(blocks: &[Block], dateline: Option<String>) -> Vec<BlockView> {
    let mut out = Vec::with_capacity(blocks.len() + 1);
    let mut dateline = dateline;
    for b in blocks {
        let mut v = BlockView {
            kind: "p",
            text: String::new(),
            level: 2,
            items: Vec::new(),
            dateline: None,
        };
        match b {
            Block::Paragraph { text } => {
                v.text = clean_text(text).into_owned();
                v.dateline = dateline.take();
            }
            Block::Heading { level, text } => {
                v.kind = "h";
                v.level = (*level).clamp(2, 6);
                v.text = clean_text(text).into_owned();
            }
            Block::List { ordered, items } => {
                v.kind = if *ordered { "ol" } else { "ul" };
                v.items = items.iter().map(|i| clean_text(i).into_owned()).collect();
            }
            Block::Quote { text } => {
                v.kind = "quote";
                v.text = clean_text(text).into_owned();
            }
            Block::Preformatted { text } => {
                v.kind = "pre";
                v.text = clean_text(text).into_owned();
            }
        }
        out.push(v);
    }
    if let Some(d) = dateline {
        // No paragraph to lead: the dateline stands alone.
        out.insert(
            0,
            BlockView {
                kind: "p",
                text: String::new(),
                level: 2,
                items: Vec::new(),
                dateline: Some(d),
            },
        );
    }
    out
}

fn edits_view(old: &Revision, new: &Revision) -> RevisionView {
    let paras =
        |r: &Revision| -> Vec<String> { r.article.blocks.iter().map(Block::plain_text).collect() };
    let edits = diff::paragraphs(&paras(old), &paras(new))
        .into_iter()
        .map(|e| match e {
            Edit::Added(t) => EditView {
                kind: "added",
                before: String::new(),
                after: clean_text(&t).into_owned(),
            },
            Edit::Removed(t) => EditView {
                kind: "removed",
                before: clean_text(&t).into_owned(),
                after: String::new(),
            },
            Edit::Changed { before, after } => EditView {
                kind: "changed",
                before: clean_text(&before).into_owned(),
                after: clean_text(&after).into_owned(),
            },
        })
        .collect();
    let (ot, nt) = (
        headline(old.article.title.as_deref()),
        headline(new.article.title.as_deref()),
    );
    RevisionView {
        number: new.revision,
        fetched: TimeView::default_for(new.fetched_at),
        title_change: (ot != nt).then_some((ot, nt)),
        edits,
    }
}

impl TimeView {
    fn default_for(at: Timestamp) -> TimeView {
        timefmt::absolute(at, &TimeZone::UTC, false)
    }
}

/// Builds the article page.
pub fn article_page<'a>(
    chrome: &'a Chrome,
    stored: &StoredArticle,
    revisions: &[Revision],
    source: Option<&Source>,
    display: Option<&TimeZone>,
) -> ArticlePageView<'a> {
    let a = &stored.article;
    let s = &stored.summary;
    let title = headline(s.title.as_deref().or(a.title.as_deref()));
    let source_tz = source
        .and_then(|s| newsdesk_article::parse_zone(&s.time_zone))
        .unwrap_or(TimeZone::UTC);
    let fetch_tz = display.cloned().unwrap_or(source_tz);
    let image = a.images.first().map(|img| {
        let caption = img
            .caption
            .as_deref()
            .map(|c| clean_text(c.trim()).into_owned())
            .filter(|c| !c.is_empty());
        let credit = img
            .credit
            .as_deref()
            .map(|c| clean_text(c.trim()).into_owned())
            .filter(|c| !c.is_empty());
        ImageView {
            src: img.url.as_deref().and_then(safe_url).map(str::to_string),
            // The figcaption describes the picture; repeating it as alt text would make screen
            // readers say it twice.
            alt: if caption.is_some() {
                String::new()
            } else {
                "Photo".to_string()
            },
            caption,
            credit,
        }
    });
    let mut revs: Vec<RevisionView> = Vec::new();
    if revisions.len() > 1 {
        for pair in revisions.windows(2) {
            let mut v = edits_view(&pair[0], &pair[1]);
            v.fetched = timefmt::absolute(pair[1].fetched_at, &fetch_tz, false);
            revs.push(v);
        }
        if let Some(first) = revisions.first() {
            revs.push(RevisionView {
                number: first.revision,
                fetched: timefmt::absolute(first.fetched_at, &fetch_tz, false),
                title_change: None,
                edits: Vec::new(),
            });
        }
        // newest first
        revs.sort_by_key(|r| std::cmp::Reverse(r.number));
    }
    let source_name = source
        .map(|s| clean_text(&s.name).into_owned())
        .or_else(|| a.source.as_deref().map(|s| clean_text(s).into_owned()))
        .unwrap_or_else(|| "Unknown source".into());
    let mut head = Head::new(title.clone(), &chrome.site_name);
    head.lang = "en".into();
    ArticlePageView {
        chrome,
        head,
        lang: lang_tag(a.language.as_deref()),
        section: a
            .section
            .as_deref()
            .map(|x| clean_text(x.trim()).into_owned())
            .filter(|x| !x.is_empty()),
        headline: title,
        published: s
            .published
            .as_ref()
            .map(|t| timefmt::source_time(t, display)),
        updated: s.updated.as_ref().map(|t| timefmt::source_time(t, display)),
        updated_is_fetch_time: s.updated_is_fetch_time,
        authors: join_names(&a.authors),
        source_href: source
            .map(|s| format!("/source/{}", escape::encode(&s.slug)))
            .unwrap_or_else(|| "/".into()),
        source_name,
        chips: s.instruments.iter().map(chip).collect(),
        image,
        blocks: blocks_view(&a.blocks, a.dateline.as_ref().and_then(dateline_text)),
        canonical: s
            .canonical_url
            .as_deref()
            .or(a.url.as_deref())
            .and_then(safe_url)
            .map(str::to_string),
        revisions: revs,
        also: Vec::new(),
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    /// Chrome.
    pub chrome: &'a Chrome,
    /// Head.
    pub head: Head,
    /// Status code.
    pub status: u16,
    /// Short heading ("Not found").
    pub heading: String,
    /// Message.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scores_are_exact_decimals() {
        assert_eq!(score_decimal(9200), "0.92");
        assert_eq!(score_decimal(10_000), "1");
        assert_eq!(score_decimal(0), "0");
        assert_eq!(score_decimal(5), "0.0005");
        assert_eq!(score_decimal(12_345), "1.2345");
    }

    #[test]
    fn explained_reasons_show_the_explanation_only() {
        assert_eq!(
            summarize_reasons(&json!({"explain": "Japan ×3, Tokyo", "evidence": [{"start": 0}]})),
            "Japan ×3, Tokyo"
        );
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(
            summarize_reasons(&json!({"printed": true})),
            "printed on the page"
        );
        assert_eq!(
            summarize_reasons(&json!({"aliases": ["Nikkei", "Nikkei 225"], "where": "title"})),
            "aliases: Nikkei, Nikkei 225; where: title"
        );
        assert_eq!(summarize_reasons(&json!(null)), "");
        assert_eq!(
            summarize_reasons(&json!("x".repeat(300))).chars().count(),
            200
        );
    }

    #[test]
    fn datelines_read_like_wire_copy() {
        let d = Dateline {
            place: Some("WASHINGTON".into()),
            agency: Some("Reuters".into()),
        };
        assert_eq!(dateline_text(&d).as_deref(), Some("WASHINGTON (Reuters) -"));
        assert_eq!(dateline_text(&Dateline::default()), None);
        assert_eq!(
            join_names(&["A".into(), "B".into(), "C".into()]).as_deref(),
            Some("A, B and C")
        );
        assert_eq!(lang_tag(Some("ja")), "ja");
        assert_eq!(lang_tag(Some("\" onload=x")), "en");
    }
}

/// `/about`: what the site is, its sources and the credits configuration asks for.
#[derive(Template)]
#[template(path = "about.html")]
pub struct AboutPage<'a> {
    /// Chrome.
    pub chrome: &'a Chrome,
    /// Head.
    pub head: Head,
    /// Sources: (slug, name, homepage when http(s)).
    pub sources: Vec<(String, String, Option<String>)>,
    /// Credit paragraphs.
    pub credits: Vec<String>,
}

/// One row of `/feeds`.
#[derive(Debug)]
pub struct FeedRow {
    /// The feed URL, when http(s) (else shown as text only).
    pub url: String,
    /// The feed's title, or its URL.
    pub title: String,
    /// Last fetch, formatted, or "never".
    pub last_fetch: String,
    /// Next poll, formatted.
    pub next_due: String,
    /// Items stored from it.
    pub items: i64,
    /// Why it is paused.
    pub paused: Option<String>,
    /// The last error.
    pub last_error: Option<String>,
}

/// `/feeds`: the subscriptions and how their polling goes.
#[derive(Template)]
#[template(path = "feeds.html")]
pub struct FeedsPage<'a> {
    /// Chrome.
    pub chrome: &'a Chrome,
    /// Head.
    pub head: Head,
    /// One row per feed.
    pub feeds: Vec<FeedRow>,
}
