//! Page furniture: the lines around (and sometimes inside) a story that are not the story —
//! section headers of what follows the story (comments, related links), legal text, promos,
//! share/newsletter/cookie prompts, advertising markers and menus.
//!
//! Recognition is by the *shape* of the line (short, a known header phrase, a legal opening,
//! separator-joined menu items), never by a site's exact strings: "Latest comments", "12
//! Comments" and "Comments (3)" are all a comments header because they reduce to the word
//! "comments" once counts and qualifiers are removed.

use super::lines::Line;

/// What kind of furniture a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Furniture {
    /// A header of a section that follows the story (comments) or legal text (risk disclosure,
    /// disclaimers, copyright footers): the story is over when it appears after the story began.
    Terminal,
    /// A header of a side section (related links, most read, newsletters): a strong break,
    /// but stories sometimes carry such boxes in the middle, so it is not final.
    Section,
    /// A one-line interruption (advertising marker, share prompt, "Read more: …"): dropped.
    Noise,
}

/// Classifies a line as furniture, if it is.
pub(crate) fn classify(line: &Line) -> Option<Furniture> {
    let head = line.head();
    let lower = head.to_lowercase();
    if is_legal(&lower, line.units) {
        return Some(Furniture::Terminal);
    }
    if is_disclaimer(&lower) || is_comment_author(head, line.units) {
        return Some(Furniture::Section);
    }
    if line.units <= 8 {
        let key = header_key(&lower);
        if is_terminal_header(&key) {
            return Some(Furniture::Terminal);
        }
        if is_section_header(&key) {
            return Some(Furniture::Section);
        }
        if is_noise(&key, &lower) {
            return Some(Furniture::Noise);
        }
    }
    if is_prompt(&lower, line.units) || is_menu(head) || is_promo(head, line) {
        return Some(Furniture::Noise);
    }
    None
}

/// Reduces a short header to its words: lower case, counts, brackets and punctuation removed
/// ("Latest comments (12)" → "latest comments").
fn header_key(lower: &str) -> String {
    let mut out = String::new();
    for word in lower.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        if word.is_empty() || word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn strip_qualifier(key: &str) -> &str {
    for q in [
        "latest ", "recent ", "reader ", "readers ", "top ", "all ", "view ", "show ", "see ",
        "read ", "load ", "add ", "post ", "leave ", "write ", "join ", "open ",
    ] {
        if let Some(rest) = key.strip_prefix(q) {
            return rest;
        }
    }
    key
}

fn is_terminal_header(key: &str) -> bool {
    let k = strip_qualifier(key);
    if matches!(k, "コメント" | "コメントする" | "评论" | "留言") {
        return true;
    }
    matches!(
        k,
        "comments"
            | "comment"
            | "a comment"
            | "your comment"
            | "comments for this article"
            | "comments on this article"
            | "reply"
            | "a reply"
            | "discussion"
            | "the discussion"
            | "the conversation"
            | "conversation"
            | "responses"
            | "reader comments"
            | "comments closed"
            | "comments are closed"
            | "sign in to comment"
            | "log in to comment"
    )
}

fn is_section_header(key: &str) -> bool {
    let k = strip_qualifier(key);
    const SECTIONS: &[&str] = &[
        "related",
        "related articles",
        "related stories",
        "related news",
        "related coverage",
        "related posts",
        "related content",
        "related topics",
        "related links",
        "related reading",
        "related video",
        "related videos",
        "recommended",
        "recommended for you",
        "recommended stories",
        "recommended articles",
        "recommended reading",
        "you may also like",
        "you might also like",
        "you may be interested in",
        "you might be interested in",
        "also on",
        "more stories",
        "more news",
        "more articles",
        "more to explore",
        "more on this story",
        "more from",
        "next",
        "up next",
        "read next",
        "what to read next",
        "most popular",
        "most read",
        "most viewed",
        "most shared",
        "popular",
        "popular now",
        "popular stories",
        "trending",
        "trending now",
        "trending stories",
        "top stories",
        "stories",
        "headlines",
        "latest news",
        "news",
        "around the web",
        "from the web",
        "from our partners",
        "sponsored",
        "sponsored content",
        "sponsored stories",
        "promoted stories",
        "paid content",
        "partner content",
        "about the author",
        "about the authors",
        "about this author",
        "share this article",
        "share this story",
        "share this",
        "tags",
        "topics",
        "filed under",
        "newsletter",
        "newsletters",
        "subscribe",
        "sign up",
        "follow us",
        "connect with us",
        "more in",
        "in this article",
        "editor's picks",
        "editors picks",
        "must read",
        "don't miss",
        "explore more",
        "keep reading",
        "further reading",
    ];
    // Japanese and Chinese equivalents: related articles, ranking, recommended.
    const CJK: &[&str] = &[
        "関連記事",
        "関連ニュース",
        "ランキング",
        "アクセスランキング",
        "おすすめ",
        "相关新闻",
        "相关文章",
        "热门",
    ];
    SECTIONS.contains(&k)
        || k.starts_with("more from ")
        || k.starts_with("more in ")
        || CJK.contains(&k)
}

fn is_noise(key: &str, lower: &str) -> bool {
    const NOISE: &[&str] = &[
        "advertisement",
        "advertisements",
        "advert",
        "ad",
        "ads",
        "sponsored",
        "story continues below",
        "story continues below advertisement",
        "article continues below",
        "article continues below advertisement",
        "continue reading",
        "continue reading below",
        "continue reading the main story",
        "scroll to continue",
        "scroll to continue with content",
        "read more",
        "read full article",
        "read the full article",
        "show more",
        "show less",
        "see more",
        "load more",
        "share",
        "share on facebook",
        "share on twitter",
        "share on linkedin",
        "share via email",
        "tweet",
        "email",
        "print",
        "copy link",
        "link copied",
        "save",
        "save article",
        "bookmark",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "reddit",
        "pinterest",
        "flipboard",
        "x",
        "listen to this article",
        "listen",
        "play",
        "video",
        "watch",
        "image",
        "photo",
        "photos",
        "close",
        "menu",
        "search",
        "skip to content",
        "skip to main content",
        "back to top",
        "loading",
        "expand",
        "gallery",
        "view gallery",
        "view comments",
        "opens in new window",
        "click to enlarge",
        "enlarge this image",
        "toggle caption",
        "hide caption",
        "font size",
        "text size",
        "for immediate release",
        "press release",
        "news release",
        "reprints",
        "reprint",
        "permissions",
    ];
    if NOISE.contains(&key) {
        return true;
    }
    // "Advertisement · Scroll to continue", "この記事をシェアする" (share this article).
    if key.starts_with("advertisement") || key.contains("シェア") || key.starts_with("分享") {
        return true;
    }
    const PREFIXES: &[&str] = &[
        "read more:",
        "read more about",
        "read also:",
        "also read:",
        "see also:",
        "related:",
        "more:",
        "watch:",
        "listen:",
        "click here",
        "sign up for",
        "sign up to",
        "subscribe to",
        "subscribe now",
        "follow us on",
        "follow @",
        "follow the",
        "share this",
        "get our",
        "download the",
        "download our",
        "open in app",
        "image source",
        "image caption",
        "media caption",
        "photo credit",
        "image credit",
        "filed under",
        "posted in",
        "tags:",
        "tagged:",
        "tagged with",
        "topics:",
        "categories:",
        "category:",
        "also:",
        "see it now:",
        "buy now",
        "shop now",
    ];
    PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Legal text: risk disclosures, disclaimers, copyright footers, terms, cookie notices.
fn is_legal(lower: &str, units: usize) -> bool {
    const OPENINGS: &[&str] = &[
        "risk disclosure",
        "risk warning",
        "copyright ©",
        "copyright (c)",
        "all rights reserved",
    ];
    if OPENINGS.iter().any(|o| lower.starts_with(o)) {
        return true;
    }
    // "© 2007-2024 Example Ltd. All rights reserved." and similar short footers.
    // A photo caption may also start with "©" ("© Jane Doe Crowds gather …, May 18, 2018."):
    // a footer has its year right after the sign, or is very short.
    let copyright = lower.starts_with('©') || lower.starts_with("copyright");
    let early_year = super::lines::prefix(lower, 24)
        .as_bytes()
        .windows(4)
        .any(|w| {
            (w.starts_with(b"19") || w.starts_with(b"20")) && w.iter().all(u8::is_ascii_digit)
        });
    units <= 25
        && (copyright && (early_year || units <= 6) || lower.contains("all rights reserved"))
}

/// Disclaimers and disclosures: legal notes that also appear above or inside stories
/// ("Disclosure: we may earn a commission…"), so they break the story but do not end it.
fn is_disclaimer(lower: &str) -> bool {
    [
        "disclaimer",
        "legal disclaimer",
        "important disclosures",
        "disclosure:",
        "editor's note:",
    ]
    .iter()
    .any(|o| lower.starts_with(o))
}

/// "Jane says:", "averagjoe wrote:": the head of a reader comment.
fn is_comment_author(head: &str, units: usize) -> bool {
    if units > 6 {
        return false;
    }
    let lower = head.to_lowercase();
    [
        "says:",
        "said:",
        "wrote:",
        "commented:",
        "replied:",
        "says",
        "replies:",
    ]
    .iter()
    .any(|s| lower.ends_with(s) && lower.len() > s.len() + 1)
        && !lower.starts_with("he ")
        && !lower.starts_with("she ")
}

/// Short calls to act: newsletter, subscription, app and cookie prompts.
fn is_prompt(lower: &str, units: usize) -> bool {
    if units > 25 {
        return false;
    }
    const PHRASES: &[&str] = &[
        "sign up for our",
        "subscribe to our",
        "get the latest",
        "delivered to your inbox",
        "download our app",
        "get the app",
        "enable javascript",
        "turn on javascript",
        "your browser does not support",
        "accept cookies",
        "already a subscriber",
        "already have an account",
        "create a free account",
        "log in to",
        "sign in to",
        "support our journalism",
        "become a member",
        "start your free trial",
        "free trial",
    ];
    PHRASES.iter().any(|p| lower.contains(p))
}

/// A menu or breadcrumb squeezed onto one line: several short items joined by separators.
fn is_menu(head: &str) -> bool {
    // "/" and ">" only separate when spaced ("Home / Markets"), not in "05/09/2023" or "a>b".
    let normalized = head.replace(" / ", "|").replace(" > ", "|");
    let seps = normalized
        .chars()
        .filter(|c| matches!(c, '|' | '•' | '·' | '›' | '»' | '\t'))
        .count();
    if seps < 2 {
        return false;
    }
    let items: Vec<&str> = normalized
        .split(['|', '•', '·', '›', '»', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    items.len() >= 3 && items.iter().all(|i| i.split_whitespace().count() <= 4)
}

/// A promotional banner: starts with an emoji or ends with a glued call to action such as
/// "…with Fair ValueSee Undervalued Stocks" (a button label run into the text).
fn is_promo(head: &str, line: &Line) -> bool {
    if line.units > 40 {
        return false;
    }
    let first = head.chars().next().unwrap_or(' ');
    let emoji = matches!(first as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B06);
    emoji && !line.sentence || glued_call_to_action(head)
}

/// "…Fair ValueSee Undervalued Stocks": a lower-case letter directly followed by an upper-case
/// imperative ("See", "Get", "Try", "Start", "Join", "Sign", "Subscribe", "Learn") near the end.
fn glued_call_to_action(head: &str) -> bool {
    const VERBS: &[&str] = &[
        "See ",
        "Get ",
        "Try ",
        "Start ",
        "Join ",
        "Sign ",
        "Subscribe",
        "Learn ",
        "Claim ",
        "Unlock ",
        "Upgrade",
    ];
    let bytes = head.as_bytes();
    for verb in VERBS {
        let mut from = 0;
        while let Some(pos) = head[from..].find(verb) {
            let at = from + pos;
            if at > 0 && bytes[at - 1].is_ascii_lowercase() {
                return true;
            }
            from = at + verb.len();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines::split_lines;

    fn kind(s: &str) -> Option<Furniture> {
        classify(&split_lines(s)[0])
    }

    #[test]
    fn comment_headers_end_the_story() {
        for s in [
            "Latest comments",
            "12 Comments",
            "Comments (3)",
            "Leave a Reply",
            "Join the conversation",
        ] {
            assert_eq!(kind(s), Some(Furniture::Terminal), "{s}");
        }
    }

    #[test]
    fn legal_text_ends_the_story() {
        assert_eq!(
            kind("Risk Disclosure: Trading in financial instruments involves high risks."),
            Some(Furniture::Terminal)
        );
        assert_eq!(
            kind("© 2007-2024 - Example Media Limited. All Rights Reserved."),
            Some(Furniture::Terminal)
        );
    }

    #[test]
    fn side_sections_and_noise() {
        assert_eq!(kind("Related Articles"), Some(Furniture::Section));
        assert_eq!(kind("More from Business"), Some(Furniture::Section));
        assert_eq!(kind("ADVERTISEMENT"), Some(Furniture::Noise));
        assert_eq!(
            kind("Read more: Markets slide as rates rise"),
            Some(Furniture::Noise)
        );
        assert_eq!(
            kind("Home | Markets | Economy | Politics"),
            Some(Furniture::Noise)
        );
        assert_eq!(
            kind("💎 Rates are moving. Find bargains with Smart ScreensSee Top Picks"),
            Some(Furniture::Noise)
        );
    }

    #[test]
    fn story_sentences_are_not_furniture() {
        for s in [
            "Related companies said on Monday they would cut prices.",
            "The comments came after the central bank raised rates.",
            "Shares of Example Corp fell 3% in early trading.",
            "The ratio is 3/4 of the total.",
            "Published 05/09/2023, 10:57 AM",
        ] {
            assert_eq!(kind(s), None, "{s}");
        }
    }
}
