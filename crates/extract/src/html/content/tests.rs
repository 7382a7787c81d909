//! Unit tests for content detection. Every page here is a snippet written for these tests.

use super::*;

const TITLE: &str = "Harbour cranes return to work after long strike";

/// Story paragraphs: prose with commas, long enough to count as paragraphs.
fn para(n: usize) -> String {
    format!(
        "<p>Paragraph {n} of the story: the port authority said on Tuesday that cranes, trucks \
         and ferries were moving again, and that the backlog of containers would clear within \
         a week, although unions warned that talks were far from over.</p>"
    )
}

fn paras(range: std::ops::Range<usize>) -> String {
    range.map(para).collect()
}

fn extract(html: &str) -> Content {
    let doc = crate::dom::parse(html);
    let hints = Hints {
        title: Some(TITLE),
        json_ld_body: None,
        base_url: Some("https://news.example/world/story.html"),
    };
    extract_content(&doc, &hints)
}

fn body(c: &Content) -> String {
    c.blocks
        .iter()
        .map(Block::plain_text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn page(inner: &str) -> String {
    format!("<html><head><title>{TITLE}</title></head><body>{inner}</body></html>")
}

#[test]
fn keeps_story_and_drops_nav_footer_and_related_links() {
    let html = page(&format!(
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World news and more</a></li></ul></nav>\
         <header><div class='logo'>The Example Times, since 1901, daily</div></header>\
         <article><h1>{TITLE}</h1>{}</article>\
         <div class='related-stories'><h3>Related</h3><p>Another story about ports, cranes and ferries, \
         read it now because it is also long enough to count.</p></div>\
         <footer><p>Copyright the Example Times, all rights reserved, contact us, jobs, advertise.</p></footer>",
        paras(0..5)
    ));
    let c = extract(&html);
    let text = body(&c);
    assert_eq!(c.blocks.len(), 5, "{text}");
    assert!(text.starts_with("Paragraph 0 of the story"));
    assert!(!text.contains("Home"));
    assert!(!text.contains("Another story"));
    assert!(!text.contains("Copyright"));
    assert!(!text.contains(TITLE), "the headline is not body text");
}

#[test]
fn drops_comment_section() {
    let comments: String = (0..8)
        .map(|i| {
            format!(
                "<div class='comment'><p>Commenter {i} writes: I think the strike was justified, \
                 honestly, and the port should pay its workers more, as everyone knows.</p></div>"
            )
        })
        .collect();
    let html = page(&format!(
        "<div class='story'>{}</div><section id='comments'>{comments}</section>",
        paras(0..4)
    ));
    let text = body(&extract(&html));
    assert!(text.contains("Paragraph 3"));
    assert!(!text.contains("Commenter"), "{text}");
}

#[test]
fn sub_headings_lists_and_quotes_stay_in_order() {
    let html = page(&format!(
        "<article><div class='body'>{}<h2>What changes now</h2>{}\
         <ul><li>Ferries run hourly</li><li>Trucks enter by gate 4</li></ul>\
         <blockquote>We are glad to be back, said one crane driver, smiling.</blockquote>{}</div></article>",
        para(0),
        para(1),
        para(2)
    ));
    let c = extract(&html);
    let kinds: Vec<&str> = c
        .blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph { .. } => "p",
            Block::Heading { .. } => "h",
            Block::List { .. } => "list",
            Block::Quote { .. } => "quote",
            Block::Preformatted { .. } => "pre",
        })
        .collect();
    assert_eq!(
        kinds,
        ["p", "h", "p", "list", "quote", "p"],
        "{:?}",
        c.blocks
    );
    assert_eq!(
        c.blocks[1],
        Block::Heading {
            level: 2,
            text: "What changes now".into()
        }
    );
    assert_eq!(
        c.blocks[3],
        Block::List {
            ordered: false,
            items: vec!["Ferries run hourly".into(), "Trucks enter by gate 4".into()]
        }
    );
}

#[test]
fn figure_caption_becomes_an_image_with_credit() {
    let html = page(&format!(
        "<article>{}<figure><img src='/img/cranes.jpg' alt=''>\
         <figcaption>Cranes at the harbour on Tuesday. REUTERS/Jane Doe</figcaption></figure>{}</article>",
        paras(0..2),
        paras(2..4)
    ));
    let c = extract(&html);
    let text = body(&c);
    assert!(!text.contains("Cranes at the harbour"), "{text}");
    assert_eq!(c.blocks.len(), 4);
    assert_eq!(
        c.images,
        vec![Image {
            url: Some("https://news.example/img/cranes.jpg".into()),
            caption: Some("Cranes at the harbour on Tuesday.".into()),
            credit: Some("REUTERS/Jane Doe".into()),
        }]
    );
}

#[test]
fn credit_element_and_labelled_credit() {
    let html = page(&format!(
        "<article>{}<figure><img data-src='https://cdn.example/a.jpg' src='data:image/gif;base64,R0'>\
         <figcaption>Dock workers vote. <span class='credit'>Photo: Example Agency</span></figcaption>\
         </figure></article>",
        paras(0..3)
    ));
    let c = extract(&html);
    assert_eq!(c.images.len(), 1);
    assert_eq!(
        c.images[0].url.as_deref(),
        Some("https://cdn.example/a.jpg")
    );
    assert_eq!(c.images[0].caption.as_deref(), Some("Dock workers vote."));
    assert_eq!(c.images[0].credit.as_deref(), Some("Photo: Example Agency"));
    assert_eq!(
        emit::split_credit("Protesters outside the port (Photo by Jane Doe/Getty Images)"),
        (
            Some("Protesters outside the port".into()),
            Some("Jane Doe/Getty Images".into())
        )
    );
}

#[test]
fn picks_the_story_among_two_candidate_containers() {
    // A teaser column with more text than the story, but each teaser in its own card with its
    // own link: the story's paragraphs share one parent and win.
    let teasers: String = (0..12)
        .map(|i| {
            format!(
                "<div class='card'><h3><a href='/s{i}'>Teaser headline number {i}</a></h3>\
                 <div><p>A summary of teaser {i}, with some words, so it reads like prose, \
                 and is long enough to count as a paragraph.</p></div></div>"
            )
        })
        .collect();
    let html = page(&format!(
        "<div class='column'>{teasers}</div><div class='main'>{}</div>",
        paras(0..6)
    ));
    let text = body(&extract(&html));
    assert!(text.starts_with("Paragraph 0"), "{text}");
    assert!(text.contains("Paragraph 5"));
    assert!(!text.contains("teaser"), "{text}");
}

#[test]
fn story_split_into_chunks_is_merged() {
    let html = page(&format!(
        "<section class='x1'>\
           <div class='chunk'><div class='inner'>{}</div></div>\
           <div class='ad-slot'><span>Advertisement</span></div>\
           <h2>Talks resume</h2>\
           <div class='chunk'><div class='inner'>{}</div></div>\
         </section>",
        paras(0..4),
        paras(4..6)
    ));
    let c = extract(&html);
    let text = body(&c);
    assert!(
        text.contains("Paragraph 0") && text.contains("Paragraph 5"),
        "{text}"
    );
    assert!(text.contains("Talks resume"));
    assert!(!text.contains("Advertisement"));
}

#[test]
fn drops_link_heavy_blocks_inside_the_story() {
    let html = page(&format!(
        "<article>{}<p><a href='/a'>Read our full coverage of the harbour strike here</a></p>\
         <div><a href='/1'>Port news</a> <a href='/2'>Ferry timetables</a> <a href='/3'>Unions</a> \
         <a href='/4'>Shipping costs explained</a></div>{}</article>",
        paras(0..2),
        paras(2..4)
    ));
    let text = body(&extract(&html));
    assert!(text.contains("Paragraph 3"));
    assert!(!text.contains("full coverage"), "{text}");
    assert!(!text.contains("Ferry timetables"), "{text}");
}

#[test]
fn hidden_elements_and_boilerplate_lines_are_dropped() {
    let html = page(&format!(
        "<article><p>By Jane Doe</p>{}<p>Advertisement</p>{}\
         <div style='display: none'><p>This hidden text, with commas, should never show up at all.</p></div>\
         <div class='hide'><p>An email form error message, please try again later, thanks.</p></div>\
         <p>Sign up for our newsletter</p></article>",
        paras(0..2),
        paras(2..4)
    ));
    let text = body(&extract(&html));
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(!text.contains("Jane Doe") && !text.contains("Advertisement"));
    assert!(!text.contains("hidden text") && !text.contains("email form"));
    assert!(!text.contains("newsletter"));
}

#[test]
fn page_wrapped_in_a_form_keeps_its_story() {
    // Some CMSs wrap the whole page in a <form>; the density guard keeps it.
    let html = page(&format!(
        "<form id='page'><div class='menu'><a href='/'>Home</a></div><div>{}</div></form>",
        paras(0..5)
    ));
    let text = body(&extract(&html));
    assert!(text.contains("Paragraph 4"), "{text}");
}

#[test]
fn text_in_div_with_line_breaks_is_read() {
    let html = page(
        "<div id='main'>The harbour reopened on Tuesday, officials said, after a long strike.<br><br>\
         Cranes, trucks and ferries were moving again by noon, and queues were shrinking.<br>\
         Unions said the talks, however, were far from over.</div>",
    );
    let c = extract(&html);
    assert_eq!(c.blocks.len(), 3, "{:?}", c.blocks);
    assert!(body(&c).starts_with("The harbour reopened"));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 10_000;
    let mut html = String::from("<html><body>");
    for _ in 0..depth {
        html.push_str("<div>");
    }
    html.push_str(&paras(0..3));
    for _ in 0..depth {
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    // Run on a small stack: the extraction itself must not recurse.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let doc = crate::dom::parse(&html);
            let c = extract_content(&doc, &Hints::default());
            let n = c.blocks.len();
            // Dropping a deep tree is iterative in ego_tree too; keep it on this thread.
            drop(doc);
            n
        })
        .expect("spawn");
    let blocks = handle.join().expect("no stack overflow");
    assert!(blocks >= 1);
}

#[test]
fn empty_and_textless_pages_give_nothing() {
    assert!(extract("").blocks.is_empty());
    assert!(
        extract("<html><body><nav><a href='/'>Home</a></nav></body></html>")
            .blocks
            .is_empty()
    );
    assert!(
        extract("<html><body><img src='x.png'></body></html>")
            .blocks
            .is_empty()
    );
}

#[test]
fn json_ld_body_is_the_fallback_for_an_empty_dom() {
    let doc = crate::dom::parse("<html><body><script>var x = 1;</script></body></html>");
    let hints = Hints {
        json_ld_body: Some("First paragraph.\n\nSecond paragraph."),
        ..Hints::default()
    };
    let c = extract_content(&doc, &hints);
    assert_eq!(
        c.blocks,
        vec![
            Block::paragraph("First paragraph."),
            Block::paragraph("Second paragraph.")
        ]
    );
}

#[test]
fn resolves_relative_image_urls() {
    let base = Some("https://news.example/world/story.html?x=1");
    assert_eq!(
        emit::resolve_url(base, "pic.jpg").as_deref(),
        Some("https://news.example/world/pic.jpg")
    );
    assert_eq!(
        emit::resolve_url(base, "//cdn.example/p.jpg").as_deref(),
        Some("https://cdn.example/p.jpg")
    );
    assert_eq!(emit::resolve_url(None, "/p.jpg"), None);
    // Other schemes are not relative paths.
    for other in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "file:///etc/passwd",
        "mailto:a@b.example",
    ] {
        assert_eq!(emit::resolve_url(base, other), None, "{other}");
    }
    assert_eq!(
        emit::resolve_url(base, "HTTPS://cdn.example/p.jpg").as_deref(),
        Some("HTTPS://cdn.example/p.jpg")
    );
    // A colon later in a relative path is no scheme.
    assert_eq!(
        emit::resolve_url(base, "img/a:b.jpg").as_deref(),
        Some("https://news.example/world/img/a:b.jpg")
    );
}
