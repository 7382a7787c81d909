//! Result check for parser changes: `feed_check DIR` parses every file in DIR and prints one
//! line per item (file, content hash, full-text verdict, summary length, image URL), so two
//! builds can be compared with `diff`.

use newsdesk_feed::{FeedHint, parse_feed};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: feed_check DIR");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            eprintln!("feed_check: {dir}: {e}");
            std::process::exit(1);
        }
    };
    paths.sort();
    let hint = FeedHint::default();
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        match parse_feed(&bytes, &hint) {
            Ok(feed) => {
                for item in &feed.items {
                    println!(
                        "{name}\t{}\t{}\t{}\t{}",
                        item.content_hash_hex(),
                        item.has_full_text(),
                        item.summary.as_deref().map_or(0, str::len),
                        item.image_url.as_ref().map_or("-", |u| u.as_str()),
                    );
                }
            }
            Err(e) => println!("{name}\terror\t{e}"),
        }
    }
}
