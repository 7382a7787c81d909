//! Choosing the story container: paragraph scores propagated to ancestors, the best-scoring
//! element, then its siblings that belong to the story.

use super::dom::{FlatDom, Kind, NONE};
use super::rules::Tag;

/// How much of a paragraph's score each ancestor receives: parent, grandparent, and so on.
/// Steep decay makes the *closest* common container of many paragraphs win, not `<body>`.
const DECAY: [f32; 5] = [1.0, 0.5, 1.0 / 6.0, 1.0 / 9.0, 1.0 / 12.0];

/// A sibling joins the chosen container when its score is at least this share of the winner's.
const SIBLING_SHARE: f32 = 0.2;

/// ... and at least this score (a couple of real paragraphs).
const MIN_SIBLING_SCORE: f32 = 10.0;

/// Scores every element and returns the subtrees that make up the story, in document order.
pub(super) fn choose(dom: &mut FlatDom<'_>) -> Vec<usize> {
    score(dom);
    best_within(dom);
    let Some(top) = best(dom) else {
        return fallback_root(dom).into_iter().collect();
    };
    let lifted = lift(dom, top);
    // Story chunks can sit beside the winner at any level up to the lifted container; take the
    // qualifying siblings level by level rather than the whole lifted subtree, so that stray
    // non-prose inside it (widgets, bylines) stays out.
    let top_score = dom.nodes[top].best_within;
    let mut roots = vec![top];
    let mut level = top;
    loop {
        roots.extend(
            siblings(dom, level, top_score)
                .into_iter()
                .filter(|&s| s != level),
        );
        let parent = dom.nodes[level].parent;
        if level == lifted || parent == NONE {
            break;
        }
        level = parent as usize;
    }
    roots.sort_unstable();
    roots
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

/// Fills `best_within`: the best container score in each subtree, one backward pass.
fn best_within(dom: &mut FlatDom<'_>) {
    for i in (0..dom.len()).rev() {
        let own = container_score(dom, i);
        let n = &mut dom.nodes[i];
        n.best_within = n.best_within.max(own);
        let (b, parent) = (n.best_within, n.parent as usize);
        if let Some(p) = dom.nodes.get_mut(parent) {
            p.best_within = p.best_within.max(b);
        }
    }
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

/// Share of a parent's prose the container must hold for the parent to replace it.
const LIFT_SHARE: f32 = 0.85;

/// Non-prose text a lift may add, as a share of the container's prose.
const LIFT_EXTRA: f32 = 0.25;

/// Moves the container up while its parent holds nearly the same prose and little else: a
/// story body split into chunks by wrappers (`div > div > p`) is then merged at the level where
/// the chunks are siblings, and sub-headings or figures that sit beside the wrapper come along.
fn lift(dom: &FlatDom<'_>, mut top: usize) -> usize {
    loop {
        let parent = dom.nodes[top].parent;
        if parent == NONE
            || is_body_or_html(dom, parent as usize)
            || dom.element(parent as usize).is_none()
        {
            return top;
        }
        let (t, p) = (&dom.nodes[top], &dom.nodes[parent as usize]);
        let extra = (p.chars - p.good) as f32 - (t.chars - t.good) as f32;
        if (t.good as f32) < LIFT_SHARE * p.good as f32 || extra > LIFT_EXTRA * t.good as f32 {
            return top;
        }
        top = parent as usize;
    }
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
fn siblings(dom: &FlatDom<'_>, top: usize, top_score: f32) -> Vec<usize> {
    let parent = dom.nodes[top].parent;
    if parent == NONE || matches!(dom.tag(top), Some(Tag::Root)) && is_body_or_html(dom, top) {
        return vec![top];
    }
    let top_class = dom.element(top).and_then(|(el, _)| el.attr("class"));
    let children = children(dom, parent as usize);
    let mut take: Vec<bool> = children
        .iter()
        .map(|&c| {
            if c == top {
                return true;
            }
            let same_class = top_class.is_some_and(|tc| {
                !tc.trim().is_empty()
                    && dom.element(c).and_then(|(el, _)| el.attr("class")) == Some(tc)
            });
            let share = if same_class {
                SIBLING_SHARE / 2.0
            } else {
                SIBLING_SHARE
            };
            let n = &dom.nodes[c];
            (n.best_within >= (share * top_score).max(MIN_SIBLING_SCORE) && !is_teaser_list(dom, c))
                || reads_like_story(dom, c)
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

/// A block of teasers: every item carries its own link, so there are at least as many links
/// as paragraphs (story text has far fewer), or links are a large share of the text.
fn is_teaser_list(dom: &FlatDom<'_>, i: usize) -> bool {
    let n = &dom.nodes[i];
    let ld = dom.link_density(i);
    ld >= 0.3 || (ld >= 0.1 && n.links >= n.paragraphs)
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
    let ld = if n.inline_chars == 0 {
        1.0
    } else {
        n.inline_link_chars as f32 / n.inline_chars as f32
    };
    (n.inline_chars > 80 && ld < 0.25)
        || (n.inline_chars > 20 && n.inline_link_chars == 0 && n.inline_commas > 0)
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
        c = dom.skip(c);
    }
    out
}
