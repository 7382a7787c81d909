//! Writes a deterministic benchmark corpus of feeds: `feed_corpus DIR [COUNT]` (default 200).
//!
//! A quarter each of RSS 2.0 with `content:encoded`, Atom 1.0 with HTML content, JSON Feed 1.1
//! and RSS 1.0 (RDF), 20–100 items each, with article-like HTML bodies (paragraphs, links,
//! emphasis, images, the odd list and blockquote), categories, authors and dates. The same
//! seed gives the same bytes on every machine, so our parser and feedparser read identical
//! files.

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic generator (SplitMix64): no dependency, same output everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "market",
    "shares",
    "rose",
    "fell",
    "investors",
    "central",
    "bank",
    "rates",
    "inflation",
    "quarter",
    "earnings",
    "guidance",
    "analysts",
    "expected",
    "percent",
    "yield",
    "bond",
    "treasury",
    "dollar",
    "euro",
    "oil",
    "prices",
    "supply",
    "demand",
    "company",
    "said",
    "revenue",
    "profit",
    "margin",
    "forecast",
    "growth",
    "economy",
    "policy",
    "officials",
    "trading",
    "session",
    "index",
    "futures",
    "volatility",
    "sector",
    "technology",
    "energy",
    "banks",
    "lenders",
    "credit",
    "spreads",
    "outlook",
    "data",
    "showed",
    "month",
    "year",
    "week",
    "higher",
    "lower",
    "steady",
    "despite",
    "after",
    "before",
    "while",
    "the",
    "a",
    "of",
    "in",
    "on",
    "and",
    "to",
    "for",
    "with",
    "as",
    "its",
    "that",
    "by",
    "from",
    "at",
    "Zürich",
    "São",
    "Paulo",
    "€",
    "—",
    "“quoted”",
    "naïve",
    "café",
];

const NAMES: &[&str] = &[
    "Mara Quint",
    "Olu Barra",
    "Ines Vale",
    "Tomasz Reed",
    "Keiko Lund",
    "Ravi Oduya",
    "Elena Sorvino",
    "Jon Marsh",
];

const TAGS: &[&str] = &[
    "Markets",
    "Commodities",
    "Rates",
    "Equities",
    "FX",
    "Earnings",
    "Macro",
    "Energy",
    "Technology",
    "Banks",
    "Emerging Markets",
    "Central Banks",
];

fn sentence(rng: &mut Rng) -> String {
    let n = rng.range(8, 24);
    let mut s = String::new();
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn title(rng: &mut Rng) -> String {
    let mut s = sentence(rng);
    s.truncate(s.char_indices().nth(70).map_or(s.len(), |(i, _)| i));
    s.trim_end_matches('.').to_string()
}

fn html_body(rng: &mut Rng, site: &str, full: bool) -> String {
    let paragraphs = if full { rng.range(4, 14) } else { 1 };
    let mut out = String::new();
    for p in 0..paragraphs {
        match rng.below(12) {
            0 if p > 0 => {
                let _ = writeln!(
                    out,
                    "<figure><img src=\"{site}/img/{}.jpg\" alt=\"{}\" width=\"640\" height=\"360\"><figcaption>{}</figcaption></figure>",
                    rng.next() % 100_000,
                    title(rng),
                    sentence(rng)
                );
            }
            1 if p > 0 => {
                out.push_str("<ul>");
                for _ in 0..rng.range(2, 5) {
                    let _ = write!(out, "<li>{}</li>", sentence(rng));
                }
                out.push_str("</ul>\n");
            }
            2 if p > 0 => {
                let _ = writeln!(out, "<blockquote><p>{}</p></blockquote>", sentence(rng));
            }
            _ => {
                out.push_str("<p>");
                for s in 0..rng.range(2, 6) {
                    if s > 0 {
                        out.push(' ');
                    }
                    let text = sentence(rng);
                    match rng.below(6) {
                        0 => {
                            let _ = write!(
                                out,
                                "<a href=\"{site}/story/{}\">{text}</a>",
                                rng.next() % 1_000_000
                            );
                        }
                        1 => {
                            let _ = write!(out, "<strong>{text}</strong>");
                        }
                        2 => {
                            let _ = write!(out, "{text} <em>{}</em>", rng.pick(WORDS));
                        }
                        _ => out.push_str(&text),
                    }
                }
                out.push_str("</p>\n");
            }
        }
    }
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

struct Item {
    title: String,
    link: String,
    guid: String,
    summary: String,
    content: String,
    author: &'static str,
    tags: Vec<&'static str>,
    /// Seconds since 2024-01-01T00:00:00Z.
    offset_secs: i64,
}

fn items(rng: &mut Rng, site: &str) -> Vec<Item> {
    let n = rng.range(20, 100);
    (0..n)
        .map(|i| {
            let slug = rng.next() % 10_000_000;
            Item {
                title: title(rng),
                link: format!(
                    "{site}/{}/{slug}",
                    rng.pick(&["markets", "business", "world"])
                ),
                guid: format!("{site}/id/{slug}"),
                summary: sentence(rng),
                content: html_body(rng, site, true),
                author: rng.pick(NAMES),
                tags: (0..rng.range(1, 4)).map(|_| rng.pick(TAGS)).collect(),
                offset_secs: 86_400 * 60 - i64::try_from(i).unwrap_or(0) * 3_600,
            }
        })
        .collect()
}

fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(1_704_067_200 + secs)
        .map_or_else(|_| String::new(), |t| t.to_string())
}

fn rfc822(secs: i64) -> String {
    jiff::Timestamp::from_second(1_704_067_200 + secs).map_or_else(
        |_| String::new(),
        |t| t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string(),
    )
}

fn rss2(rng: &mut Rng, n: usize) -> String {
    let site = format!("https://news{n}.example.com");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>News desk {n}</title>\n<link>{site}/</link>\n<atom:link href=\"{site}/feed\" rel=\"self\" type=\"application/rss+xml\"/>\n<description>Markets and business from desk {n}</description>\n<language>en-us</language>\n<ttl>15</ttl>\n"
    );
    for it in items(rng, &site) {
        let _ = write!(
            out,
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n<pubDate>{}</pubDate>\n<dc:creator><![CDATA[{}]]></dc:creator>\n",
            xml_escape(&it.title),
            it.link,
            it.guid,
            rfc822(it.offset_secs),
            it.author
        );
        for t in &it.tags {
            let _ = writeln!(out, "<category><![CDATA[{t}]]></category>");
        }
        let _ = write!(
            out,
            "<description><![CDATA[<p>{}</p>]]></description>\n<content:encoded><![CDATA[{}]]></content:encoded>\n</item>\n",
            it.summary, it.content
        );
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn atom(rng: &mut Rng, n: usize) -> String {
    let site = format!("https://research{n}.example.org");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n<title>Research {n}</title>\n<subtitle>Notes and models</subtitle>\n<link rel=\"self\" href=\"{site}/atom.xml\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{site}/\"/>\n<id>{site}/</id>\n<updated>{}</updated>\n",
        rfc3339(86_400 * 60)
    );
    for it in items(rng, &site) {
        let _ = write!(
            out,
            "<entry>\n<title type=\"html\">{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<id>{}</id>\n<published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
            xml_escape(&it.title),
            it.link,
            it.guid,
            rfc3339(it.offset_secs),
            rfc3339(it.offset_secs + 600),
            it.author
        );
        for t in &it.tags {
            let _ = writeln!(out, "<category term=\"{}\"/>", xml_escape(t));
        }
        let _ = write!(
            out,
            "<summary type=\"text\">{}</summary>\n<content type=\"html\">{}</content>\n</entry>\n",
            xml_escape(&it.summary),
            xml_escape(&it.content)
        );
    }
    out.push_str("</feed>\n");
    out
}

fn json(rng: &mut Rng, n: usize) -> String {
    let site = format!("https://wire{n}.example.net");
    let mut out = format!(
        "{{\n\"version\": \"https://jsonfeed.org/version/1.1\",\n\"title\": \"Wire {n}\",\n\"home_page_url\": \"{site}/\",\n\"feed_url\": \"{site}/feed.json\",\n\"language\": \"en-US\",\n\"items\": [\n"
    );
    for (i, it) in items(rng, &site).into_iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let tags: Vec<String> = it
            .tags
            .iter()
            .map(|t| format!("\"{}\"", json_escape(t)))
            .collect();
        let _ = write!(
            out,
            "{{\"id\": \"{}\", \"url\": \"{}\", \"title\": \"{}\", \"summary\": \"{}\", \"content_html\": \"{}\", \"date_published\": \"{}\", \"authors\": [{{\"name\": \"{}\"}}], \"tags\": [{}]}}",
            it.guid,
            it.link,
            json_escape(&it.title),
            json_escape(&it.summary),
            json_escape(&it.content),
            rfc3339(it.offset_secs),
            it.author,
            tags.join(", ")
        );
    }
    out.push_str("\n]\n}\n");
    out
}

fn rss1(rng: &mut Rng, n: usize) -> String {
    let site = format!("https://bulletin{n}.example.edu");
    let items = items(rng, &site);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel rdf:about=\"{site}/rss\">\n<title>Bulletin {n}</title>\n<link>{site}/</link>\n<description>Bulletins</description>\n<items><rdf:Seq>\n"
    );
    for it in &items {
        let _ = writeln!(out, "<rdf:li rdf:resource=\"{}\"/>", it.link);
    }
    out.push_str("</rdf:Seq></items>\n</channel>\n");
    for it in &items {
        let _ = write!(
            out,
            "<item rdf:about=\"{}\">\n<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<content:encoded><![CDATA[{}]]></content:encoded>\n<dc:date>{}</dc:date>\n<dc:creator>{}</dc:creator>\n<dc:subject>{}</dc:subject>\n</item>\n",
            it.link,
            xml_escape(&it.title),
            it.link,
            xml_escape(&it.summary),
            it.content,
            rfc3339(it.offset_secs),
            it.author,
            it.tags.first().copied().unwrap_or("")
        );
    }
    out.push_str("</rdf:RDF>\n");
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: feed_corpus DIR [COUNT]");
        std::process::exit(2);
    };
    let count: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(200);
    let dir = Path::new(&dir);
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("feed_corpus: {}: {e}", dir.display());
        std::process::exit(1);
    }
    let mut rng = Rng(0x6e65_7773_6465_736b);
    let mut bytes = 0usize;
    for n in 0..count {
        let (name, text) = match n % 4 {
            0 => (format!("{n:03}-rss2.xml"), rss2(&mut rng, n)),
            1 => (format!("{n:03}-atom.xml"), atom(&mut rng, n)),
            2 => (format!("{n:03}-feed.json"), json(&mut rng, n)),
            _ => (format!("{n:03}-rss1.rdf"), rss1(&mut rng, n)),
        };
        bytes += text.len();
        if let Err(e) = std::fs::write(dir.join(&name), text) {
            eprintln!("feed_corpus: {name}: {e}");
            std::process::exit(1);
        }
    }
    println!(
        "wrote {count} feeds, {:.1} MB, to {}",
        bytes as f64 / 1e6,
        dir.display()
    );
}
