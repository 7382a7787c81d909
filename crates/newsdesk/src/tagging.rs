//! The instrument tagger in the pipeline: the knowledge base this install uses (bundled plus the
//! files `newsdesk kb import` kept), the links stored with each article (chips printed by the
//! source, then the linker's), and the `tag`, `kb import` and `retag` commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use newsdesk_article::Article;
use newsdesk_store::{ArticleFilter, InstrumentLink, LinkRole, Store};
use newsdesk_tag::{Kb, Tagger};

use crate::config::Config;

/// Where imported knowledge-base files are kept: `DATA_DIR/kb/`, read at every start.
pub fn kb_dir(config: &Config) -> PathBuf {
    config.data_dir.join("kb")
}

/// The bundled knowledge base plus every file in [`kb_dir`], in name order.
pub fn load_kb(config: &Config) -> anyhow::Result<Kb> {
    let mut kb = Kb::bundled().context("loading the bundled knowledge base")?;
    let dir = kb_dir(config);
    if dir.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("listing {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
            kb.import(&bytes)
                .with_context(|| format!("knowledge-base file {}", f.display()))?;
        }
    }
    Ok(kb)
}

/// The links of `article`: the instruments its page printed (primary, certain; named and typed
/// as the knowledge base knows them, e.g. a printed `.N225` is the index `JP225`), then the
/// linker's, one link per symbol.
pub fn links_for(article: &Article, tagger: Option<&mut Tagger<'_>>) -> Vec<InstrumentLink> {
    let mut links = crate::add_cmd::printed_links(article, tagger.as_ref().map(|t| t.kb()));
    if let Some(tagger) = tagger {
        let body = article.body_text();
        let tagging = tagger.tag(article.title.as_deref(), &body);
        for link in tagging.instruments {
            let symbol = link.instrument.symbol.clone();
            if links.iter().any(|l| l.symbol.eq_ignore_ascii_case(&symbol)) {
                continue;
            }
            let role = LinkRole::parse(link.role.as_str()).unwrap_or(LinkRole::Mentioned);
            links.push(InstrumentLink {
                symbol,
                kind: link.instrument.kind.as_str().to_string(),
                role,
                score_bp: link.score_bp(),
                reasons: serde_json::json!({
                    "explain": link.explain(),
                    "evidence": link.reasons_json(),
                }),
            });
        }
    }
    links
}

/// `newsdesk tag --input IN.jsonl`: lines `{"id","title"?,"text"}` in, tagging lines out.
pub fn run_tag(input: &Path, config: &Config) -> anyhow::Result<ExitCode> {
    let kb = load_kb(config)?;
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    let stats = if input.as_os_str() == "-" {
        newsdesk_tag::cli::run_tag(std::io::stdin().lock(), out, &kb)?
    } else {
        let f =
            std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
        newsdesk_tag::cli::run_tag(std::io::BufReader::new(f), out, &kb)?
    };
    if let Some((line, why)) = &stats.first_skip {
        eprintln!(
            "newsdesk: {}: {} line(s) skipped; first at line {line}: {why}",
            input.display(),
            stats.skipped
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `newsdesk kb import FILE`: checks the file against the bundled knowledge base, then keeps a
/// copy in the data directory so every later command uses it.
pub fn run_kb_import(file: &Path, config: &Config) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let mut kb = load_kb(config)?;
    let stats = kb
        .import(&bytes)
        .with_context(|| format!("{} is not a valid knowledge-base file", file.display()))?;
    let dir = kb_dir(config);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let dest = dir.join(&name);
    // Write then rename, so a crash never leaves a half-written file that breaks every start.
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &dest).with_context(|| format!("writing {}", dest.display()))?;
    println!(
        "imported {}: {} new instruments, {} updated, {} aliases; kept as {} (run `newsdesk retag` to apply it to stored stories)",
        file.display(),
        stats.added,
        stats.updated,
        stats.aliases,
        dest.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `newsdesk retag`: tags every stored article again (after a knowledge-base import or a linker
/// upgrade) and replaces its links where they changed.
pub async fn run_retag(store: &dyn Store, kb: &Kb) -> anyhow::Result<ExitCode> {
    let mut tagger = Tagger::new(kb);
    let mut cursor = None;
    let (mut seen, mut changed) = (0u64, 0u64);
    loop {
        let page = store
            .list_articles(&ArticleFilter::default(), cursor, 500)
            .await?;
        for summary in &page.articles {
            let Some(stored) = store.get_article(summary.id).await? else {
                continue;
            };
            seen += 1;
            let links = links_for(&stored.article, Some(&mut tagger));
            let by_symbol = |ls: &[InstrumentLink]| {
                let mut v = ls.to_vec();
                v.sort_by(|a, b| a.symbol.cmp(&b.symbol));
                v
            };
            if by_symbol(&links) != by_symbol(&summary.instruments) {
                store
                    .set_instrument_links(summary.id, &links, Timestamp::now())
                    .await?;
                changed += 1;
            }
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "retagged: {seen} stories, {changed} with new links")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_chips_take_the_knowledge_base_symbol_and_kind() {
        let kb = Kb::bundled().unwrap();
        let mut tagger = Tagger::new(&kb);
        let article = Article {
            title: Some("Tokyo shares edge up".into()),
            printed_instruments: vec![".N225".into(), "JP225".into(), "ZZNOTREAL".into()],
            ..Article::default()
        };
        let links = links_for(&article, Some(&mut tagger));
        let printed: Vec<(&str, &str)> = links
            .iter()
            .filter(|l| l.reasons["explain"] == "printed on the source page")
            .map(|l| (l.symbol.as_str(), l.kind.as_str()))
            .collect();
        // `.N225` (Reuters code) and `JP225` are one index; an unknown code stays as printed.
        assert_eq!(printed, [("JP225", "index"), ("ZZNOTREAL", "unknown")]);
        // Without a tagger the page's chips are kept as printed.
        let plain = links_for(&article, None);
        assert_eq!(plain.len(), 3);
    }
}
