//! The HTML pipeline: parse once, read the metadata ([`meta`]), find the main content
//! ([`content`]), then assemble one [`Article`].

pub mod content;
pub mod instruments;
pub mod meta;
pub mod prescan;

use crate::dom::{self, Dom};
use crate::{ExtractOptions, clean, wire};
use newsdesk_article::{Article, Block, SourceTime, WarningCode};

/// Extracts an article from decoded HTML.
pub fn extract_document(html: &str, opts: &ExtractOptions) -> Article {
    let html = prescan::strip_non_content(html);
    let doc = parse(&html);
    drop(html);
    let ctx = opts.date_context();
    let meta = meta::extract_meta(&doc, &ctx, opts.url.as_deref());
    let hints = content::Hints {
        title: meta.title.as_deref(),
        json_ld_body: meta.json_ld_body.as_deref(),
        base_url: meta.canonical_url.as_deref().or(opts.url.as_deref()),
    };
    let mut content = content::extract_content(&doc, &hints);
    if content.printed_instruments.is_empty() {
        content.printed_instruments = instruments::printed_instruments(&doc);
    }
    assemble(meta, content, opts)
}

/// Parses a document into the arena DOM (see [`dom::parse`]: chunked, no second full copy).
pub fn parse(html: &str) -> Dom {
    dom::parse(html)
}

fn assemble(meta: meta::PageMeta, content: content::Content, opts: &ExtractOptions) -> Article {
    let mut article = Article {
        url: meta.canonical_url.or_else(|| opts.url.clone()),
        title: meta.title,
        source: meta.site_name,
        authors: meta.authors,
        language: meta.language,
        section: meta.section,
        blocks: content.blocks,
        printed_instruments: content.printed_instruments,
        ..Article::default()
    };
    if let Some(Block::Paragraph { text }) = article.blocks.first_mut()
        && let Some((dateline, rest)) = wire::split_dateline(text)
    {
        *text = rest;
        article.agency = dateline.agency.clone();
        article.dateline = Some(dateline);
    }
    if article.agency.is_none() {
        article.agency = meta.agency;
    }
    let mut images = Vec::new();
    for image in meta.lead_image.into_iter().chain(content.images) {
        let dup = images.iter().any(|i: &newsdesk_article::Image| {
            (i.url.is_some() && i.url == image.url)
                || (i.caption.is_some() && i.caption == image.caption)
        });
        if !dup {
            images.push(image);
        }
    }
    article.images = images;
    article.published = meta.published.map(|p| p.time);
    article.updated = meta.updated.map(|p| p.time).filter(|u| {
        article
            .published
            .as_ref()
            .is_none_or(|p| p.instant != u.instant)
    });
    if meta.relative_date {
        article.warn(
            WarningCode::RelativeDate,
            "a relative date was resolved against the current time",
        );
    }
    finish(&mut article);
    article
}

/// Checks shared by both pipelines: assumed zones, missing title, thin body, language.
pub(crate) fn finish(article: &mut Article) {
    let assumed: Option<&SourceTime> = [&article.published, &article.updated]
        .into_iter()
        .flatten()
        .find(|t| t.zone_assumed);
    if let Some(t) = assumed {
        let zone = t.zone.clone();
        article.warn(
            WarningCode::TimezoneAssumed,
            format!("no time zone was given or printed; times are read as {zone}"),
        );
    }
    if article.title.as_deref().is_none_or(str::is_empty) {
        article.title = None;
        article.warn(WarningCode::NoTitle, "no headline found");
    }
    let words: usize = article
        .blocks
        .iter()
        .map(|b| clean::reading_words(&b.plain_text()))
        .sum();
    if words < 50 {
        article.warn(
            WarningCode::ThinBody,
            format!("the body has only {words} words: this may not be an article page"),
        );
    }
    if article.language.is_none() {
        let sample: String = article
            .blocks
            .iter()
            .take(20)
            .map(Block::plain_text)
            .collect::<Vec<_>>()
            .join(" ");
        article.language = detect_language(&sample);
    }
    if let Some(title) = &mut article.title {
        *title = clean::collapse_ws(title);
    }
}

/// Detects the language of a text sample (ISO 639-1 where one exists).
pub(crate) fn detect_language(sample: &str) -> Option<String> {
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() && sample.len() > 200 {
        return None;
    }
    Some(iso639_1(info.lang()).to_string())
}

fn iso639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Jpn => "ja",
        Kor => "ko",
        Ara => "ar",
        Hin => "hi",
        Nld => "nl",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Fin => "fi",
        Pol => "pl",
        Ces => "cs",
        Tur => "tr",
        Heb => "he",
        Ell => "el",
        Hun => "hu",
        Ron => "ro",
        Ind => "id",
        Vie => "vi",
        Tha => "th",
        other => other.code(),
    }
}
