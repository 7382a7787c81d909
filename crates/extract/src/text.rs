//! Text copied from a rendered news page: find the story inside the page furniture.

use crate::ExtractOptions;
use crate::clean::collapse_ws;
use newsdesk_article::{Article, Block};

/// Extracts an article from pasted text.
pub fn extract(text: &str, _opts: &ExtractOptions) -> Article {
    let mut article = Article::default();
    let mut lines = text.lines().map(collapse_ws).filter(|l| !l.is_empty());
    article.title = lines.next();
    article.blocks = lines.map(Block::paragraph).collect();
    article
}
