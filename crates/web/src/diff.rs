//! "What changed" between two revisions: a paragraph-level diff (longest common subsequence over
//! body blocks), with a removed block directly followed by an added one reported as changed.

/// One difference between two lists of paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A paragraph only in the newer revision.
    Added(String),
    /// A paragraph only in the older revision.
    Removed(String),
    /// A paragraph replaced by another at the same place.
    Changed {
        /// The older text.
        before: String,
        /// The newer text.
        after: String,
    },
}

/// Above this many cells the LCS table is not built: the differing middle (after trimming the
/// common head and tail) is reported as removed-then-added instead. 4 M cells of `u32` = 16 MB.
const MAX_CELLS: usize = 4_000_000;

/// The edits that turn `old` into `new`, in document order. Equal paragraphs are omitted.
pub fn paragraphs(old: &[String], new: &[String]) -> Vec<Edit> {
    // Common head and tail first: revisions usually touch a few paragraphs.
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let (old_rest, new_rest) = (&old[head..], &new[head..]);
    let tail = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &old_rest[..old_rest.len() - tail];
    let b = &new_rest[..new_rest.len() - tail];

    let mut raw: Vec<Raw> = Vec::new();
    if (a.len() + 1).saturating_mul(b.len() + 1) > MAX_CELLS {
        raw.extend(a.iter().map(|_| Raw::Del));
        raw.extend(b.iter().map(|_| Raw::Ins));
    } else {
        lcs(a, b, &mut raw);
    }

    // Walk the script, pairing each run of removals with the run of additions right after it.
    let mut edits = Vec::new();
    let (mut i, mut j, mut k) = (0, 0, 0);
    while k < raw.len() {
        match raw[k] {
            Raw::Keep => {
                i += 1;
                j += 1;
                k += 1;
            }
            _ => {
                let mut dels = Vec::new();
                while k < raw.len() && raw[k] == Raw::Del {
                    dels.push(a[i].clone());
                    i += 1;
                    k += 1;
                }
                let mut inss = Vec::new();
                while k < raw.len() && raw[k] == Raw::Ins {
                    inss.push(b[j].clone());
                    j += 1;
                    k += 1;
                }
                let paired = dels.len().min(inss.len());
                let mut dels = dels.into_iter();
                let mut inss = inss.into_iter();
                for _ in 0..paired {
                    if let (Some(before), Some(after)) = (dels.next(), inss.next()) {
                        edits.push(Edit::Changed { before, after });
                    }
                }
                edits.extend(dels.map(Edit::Removed));
                edits.extend(inss.map(Edit::Added));
            }
        }
    }
    edits
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    Keep,
    Del,
    Ins,
}

/// Classic LCS table (suffix lengths), then a forward walk that prefers deletions before
/// insertions so replacements come out as `Del…Ins…` runs.
fn lcs(a: &[String], b: &[String], out: &mut Vec<Raw>) {
    let w = b.len() + 1;
    let mut t = vec![0u32; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            t[i * w + j] = if a[i] == b[j] {
                t[(i + 1) * w + j + 1] + 1
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Raw::Keep);
            i += 1;
            j += 1;
        } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
            out.push(Raw::Del);
            i += 1;
        } else {
            out.push(Raw::Ins);
            j += 1;
        }
    }
    out.extend((i..a.len()).map(|_| Raw::Del));
    out.extend((j..b.len()).map(|_| Raw::Ins));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn identical_lists_have_no_edits() {
        assert!(paragraphs(&v(&["a", "b"]), &v(&["a", "b"])).is_empty());
        assert!(paragraphs(&[], &[]).is_empty());
    }

    #[test]
    fn added_removed_and_changed() {
        let old = v(&["a", "b", "c", "d"]);
        let new = v(&["a", "B", "c", "d", "e"]);
        assert_eq!(
            paragraphs(&old, &new),
            vec![
                Edit::Changed {
                    before: "b".into(),
                    after: "B".into()
                },
                Edit::Added("e".into())
            ]
        );
        assert_eq!(
            paragraphs(&v(&["x", "a"]), &v(&["a"])),
            vec![Edit::Removed("x".into())]
        );
        assert_eq!(
            paragraphs(&v(&["a", "c"]), &v(&["a", "b", "c"])),
            vec![Edit::Added("b".into())]
        );
    }

    #[test]
    fn moved_paragraph_is_one_removal_and_one_addition() {
        let edits = paragraphs(&v(&["a", "b", "c"]), &v(&["b", "c", "a"]));
        assert_eq!(
            edits,
            vec![Edit::Removed("a".into()), Edit::Added("a".into())]
        );
    }

    #[test]
    fn applying_the_edits_rebuilds_the_new_list() {
        // A small exhaustive-ish check: every edit script must account for every paragraph.
        let cases = [
            (v(&["a", "b", "c"]), v(&["c", "b", "a"])),
            (v(&["a", "a", "b"]), v(&["a", "b", "b"])),
            (v(&[]), v(&["x", "y"])),
            (v(&["x", "y"]), v(&[])),
        ];
        for (old, new) in cases {
            let edits = paragraphs(&old, &new);
            let added = edits
                .iter()
                .filter(|e| matches!(e, Edit::Added(_) | Edit::Changed { .. }))
                .count();
            let removed = edits
                .iter()
                .filter(|e| matches!(e, Edit::Removed(_) | Edit::Changed { .. }))
                .count();
            // kept = old - removed = new - added
            assert_eq!(old.len() - removed, new.len() - added, "{old:?} -> {new:?}");
        }
    }
}
