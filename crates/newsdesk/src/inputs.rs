//! Reading inputs safely: paths and directories expanded in a stable order, stdin, size limits
//! enforced while reading, gzip inflated with a cap.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use newsdesk_extract::decode;

use crate::cli::InputKind;

/// File name endings `extract` picks up when walking a directory.
pub const EXTENSIONS: &[&str] = &[
    ".html",
    ".htm",
    ".html.gz",
    ".htm.gz",
    ".txt",
    ".txt.gz",
    ".jsonl",
    ".jsonl.gz",
];

/// One input to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    /// The id printed in output: the file name up to its first dot (`-` for stdin).
    pub fn id(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                let id = name.split('.').next().unwrap_or_default();
                if id.is_empty() {
                    name.to_string()
                } else {
                    id.to_string()
                }
            }
        }
    }

    /// The path as given (`-` for stdin).
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// True for `.jsonl` / `.jsonl.gz` files: articles already extracted (`extract --format
    /// article`), one JSON object per line.
    pub fn is_article_lines(&self) -> bool {
        let name = self.name_lower();
        name.ends_with(".jsonl") || name.ends_with(".jsonl.gz")
    }

    fn name_lower(&self) -> String {
        match self {
            Input::Stdin => String::new(),
            Input::File(p) => p.to_string_lossy().to_ascii_lowercase(),
        }
    }
}

/// Expands command-line paths: files stay, directories are walked recursively (sorted, only
/// known extensions, symlinked directories not followed), `-` is stdin. A path that cannot be
/// read becomes an error entry so the caller can report it and go on.
pub fn expand(paths: &[PathBuf]) -> Vec<Result<Input, (String, anyhow::Error)>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Ok(Input::Stdin));
            continue;
        }
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut out),
            Ok(_) => out.push(Ok(Input::File(path.clone()))),
            Err(e) => out.push(Err((
                path.display().to_string(),
                anyhow::Error::new(e).context("cannot open"),
            ))),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Result<Input, (String, anyhow::Error)>>) {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) => {
                out.push(Err((
                    d.display().to_string(),
                    anyhow::Error::new(e).context("cannot list directory"),
                )));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() || ft.is_symlink() && path.is_file() {
                let lower = path.to_string_lossy().to_ascii_lowercase();
                if EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    out.extend(files.into_iter().map(|p| Ok(Input::File(p))));
}

/// Reads an input's bytes, refusing more than `max_bytes` (counted after decompression).
pub fn read(input: &Input, max_bytes: usize) -> anyhow::Result<Vec<u8>> {
    // Compressed files may be up to max_bytes themselves; the cap on inflated size is separate.
    let raw = match input {
        Input::Stdin => read_capped(std::io::stdin().lock(), max_bytes).context("reading stdin")?,
        Input::File(p) => {
            let f = fs::File::open(p).context("cannot open")?;
            read_capped(f, max_bytes)?
        }
    };
    if decode::is_gzip(&raw) {
        return Ok(decode::gunzip_capped(&raw, max_bytes)?);
    }
    if input.name_lower().ends_with(".gz") {
        bail!("the file name ends in .gz but the content is not gzip");
    }
    Ok(raw)
}

fn read_capped(r: impl Read, max_bytes: usize) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(max_bytes as u64 + 1)
        .read_to_end(&mut buf)
        .context("read failed")?;
    if buf.len() > max_bytes {
        bail!("input is larger than the {max_bytes}-byte limit (--max-bytes)");
    }
    Ok(buf)
}

/// Decides how to read an input: `--as` wins, then the file extension, then the content
/// (markup-looking content is HTML, anything else pasted text).
pub fn kind(input: &Input, bytes: &[u8], forced: Option<InputKind>) -> InputKind {
    if let Some(k) = forced {
        return k;
    }
    let name = input.name_lower();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if name.ends_with(".txt") {
        return InputKind::Text;
    }
    if name.ends_with(".html") || name.ends_with(".htm") {
        return InputKind::Html;
    }
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(200)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.starts_with("<!--")
        || (head.starts_with('<') && head.contains('>'))
    {
        InputKind::Html
    } else {
        InputKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_file_name_up_to_first_dot() {
        assert_eq!(Input::File("a/b/0abc.html.gz".into()).id(), "0abc");
        assert_eq!(Input::File("x/.hidden".into()).id(), ".hidden");
        assert_eq!(Input::Stdin.id(), "-");
    }

    #[test]
    fn kind_by_extension_then_content() {
        let f = Input::File("a.txt".into());
        assert_eq!(kind(&f, b"<html>", None), InputKind::Text);
        assert_eq!(
            kind(&Input::Stdin, b"  <!DOCTYPE html><p>x", None),
            InputKind::Html
        );
        assert_eq!(
            kind(&Input::Stdin, b"Japan working towards", None),
            InputKind::Text
        );
        assert_eq!(
            kind(&Input::Stdin, b"x", Some(InputKind::Html)),
            InputKind::Html
        );
    }
}
