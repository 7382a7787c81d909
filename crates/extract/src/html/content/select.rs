//! Choosing the story container: paragraph scores propagated to ancestors, the best-scoring
//! element, then its siblings that belong to the story.

use super::dom::{FlatDom, Kind, NONE};
use super::rules::Tag;

/// How much of a paragraph's score each ancestor receives: parent, grandparent, and so on.
/// Steep decay makes the *closest* common container of many paragraphs win, not `<body>`.
const DECAY: [f32; 5] = [1.0, 0.5, 1.0 / 6.0, 1.0 / 9.0, 1.0 / 12.0];

/// A sibling joins the chosen container when its score is at least this share of the winner's.
const SIBLING_SHARE: f32 = 0.2;

/// Scores every element and returns the subtrees that make up the story, in document order.
pub(super) fn choose(dom: &mut FlatDom<'_>) -> Vec<usize> {
    score(dom);
    let Some(top) = best(dom) else {
        return fallback_root(dom).into_iter().collect();
    };
    siblings(dom, top)
}

/// One paragraph's points: a base point, up to three for length, one per comma (capped).
fn paragraph_points(chars: u32, commas: u32) -> f32 {
    1.0 + (chars as f32 / 100.0).min(3.0) + (commas as f32).min(10.0)
}

/// Gives every paragraph's points to its ancestors (and to itself when it is a container such as
/// a `div` holding text directly, which may be the story itself).
fn score(dom: &mut FlatDom<'_>) {
    for i in 0..dom.len() {
        if dom.nodes[i].removed || !dom.is_paragraph(i) {
            continue;
        }
        let n = &dom.nodes[i];
        let points = paragraph_points(n.inline_chars, n.inline_commas);
        if matches!(n.kind, Kind::Element(_, Tag::Block | Tag::Root)) {
            dom.nodes[i].score += points;
        }
        let mut anc = dom.nodes[i].parent;
        for share in DECAY {
            let Some(a) = dom.nodes.get_mut(anc as usize) else {
                break;
            };
            a.score += points * share;
            anc = a.parent;
        }
    }
}

/// The element's score as a story container: paragraph points, less the share that is links,
/// adjusted by what its class names say.
pub(super) fn container_score(dom: &FlatDom<'_>, i: usize) -> f32 {
    let n = &dom.nodes[i];
    if n.removed || n.score <= 0.0 {
        return 0.0;
    }
    let ok_tag = matches!(
        n.kind,
        Kind::Element(
            _,
            Tag::Block | Tag::Root | Tag::Unlikely | Tag::Table | Tag::Figure
        )
    );
    if !ok_tag {
        return 0.0;
    }
    let factor = match n.weight {
        2 => 1.5,
        1 => 1.25,
        -1 => 0.75,
        _ => 1.0,
    };
    n.score * (1.0 - dom.link_density(i)) * factor
}

/// The best-scoring container.
fn best(dom: &FlatDom<'_>) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for i in 0..dom.len() {
        let s = container_score(dom, i);
        if s > 0.0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// `<body>` (or the document) when nothing scored: a page with no prose at all.
fn fallback_root(dom: &FlatDom<'_>) -> Option<usize> {
    (0..dom.len())
        .find(|&i| {
            matches!(dom.element(i), Some((el, _)) if el.name() == "body") && !dom.nodes[i].removed
        })
        .or(Some(0))
}

/// The winner plus those of its siblings that belong to the story.
fn siblings(dom: &FlatDom<'_>, top: usize) -> Vec<usize> {
    let parent = dom.nodes[top].parent;
    if parent == NONE || matches!(dom.tag(top), Some(Tag::Root)) && is_body_or_html(dom, top) {
        return vec![top];
    }
    let top_score = container_score(dom, top);
    let threshold = (SIBLING_SHARE * top_score).max(10.0);
    let top_class = dom.element(top).and_then(|(el, _)| el.attr("class"));
    let children = children(dom, parent as usize);
    let mut take: Vec<bool> = children
        .iter()
        .map(|&c| {
            if c == top {
                return true;
            }
            let mut s = container_score(dom, c);
            let same_class = top_class.is_some_and(|tc| {
                !tc.trim().is_empty()
                    && dom.element(c).and_then(|(el, _)| el.attr("class")) == Some(tc)
            });
            if same_class {
                s += SIBLING_SHARE * top_score;
            }
            s >= threshold || reads_like_story(dom, c)
        })
        .collect();
    // Short pieces between two story siblings (sub-headings, figures, lists) come along.
    if let (Some(first), Some(last)) = (take.iter().position(|&t| t), take.iter().rposition(|&t| t))
    {
        for (k, &c) in children.iter().enumerate().take(last).skip(first) {
            if !take[k] && dom.link_density(c) < 0.33 {
                take[k] = true;
            }
        }
    }
    children
        .into_iter()
        .zip(take)
        .filter_map(|(c, t)| t.then_some(c))
        .collect()
}

fn is_body_or_html(dom: &FlatDom<'_>, i: usize) -> bool {
    matches!(dom.element(i), Some((el, _)) if matches!(el.name(), "body" | "html"))
}

/// A sibling paragraph that is prose by itself: long with few links, or a short sentence with
/// no links.
fn reads_like_story(dom: &FlatDom<'_>, i: usize) -> bool {
    let n = &dom.nodes[i];
    if n.removed || !matches!(n.kind, Kind::Element(_, Tag::P | Tag::Block)) {
        return false;
    }
    let ld = dom.link_density(i);
    (n.chars > 80 && ld < 0.25) || (n.chars > 20 && n.link_chars == 0 && n.inline_commas > 0)
}

/// Child nodes of `i` that are not removed (elements and text), in order.
pub(super) fn children(dom: &FlatDom<'_>, i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let end = dom.nodes[i].end as usize;
    let mut c = i + 1;
    while c < end {
        if !dom.nodes[c].removed {
            out.push(c);
        }
        c = (dom.nodes[c].end as usize).max(c + 1);
    }
    out
}
