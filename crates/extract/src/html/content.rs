//! Main-content detection: which part of the page is the story, as ordered [`Block`]s.

use newsdesk_article::{Block, Image};
use scraper::{Html, Selector};

/// What the metadata tells content detection.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hints<'a> {
    /// The headline from metadata (helps find where the story starts).
    pub title: Option<&'a str>,
    /// JSON-LD `articleBody`, when the page has one (a strong hint of what the body is).
    pub json_ld_body: Option<&'a str>,
    /// Base URL for resolving image links.
    pub base_url: Option<&'a str>,
}

/// The story's content.
#[derive(Debug, Default, Clone)]
pub struct Content {
    /// Body blocks in reading order.
    pub blocks: Vec<Block>,
    /// Images inside the story with captions and credits.
    pub images: Vec<Image>,
    /// Instrument chips printed inside or next to the story.
    pub printed_instruments: Vec<String>,
}

/// Finds the main content of a parsed page.
pub fn extract_content(doc: &Html, _hints: &Hints<'_>) -> Content {
    let mut content = Content::default();
    if let Ok(p) = Selector::parse("p") {
        for e in doc.select(&p) {
            let text = crate::clean::collapse_ws(&e.text().collect::<String>());
            if crate::clean::word_count(&text) >= 8 {
                content.blocks.push(Block::paragraph(text));
            }
        }
    }
    content
}
