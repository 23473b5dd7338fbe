//! Text of a structuralizer preview page (`/structuralizer/data/nodes/<uuid>/preview`): the
//! HTML rendering of a draft's structured text, which sits inside `.structuralizer-tree`
//! (../shared/docs/sources.md §1.4).

use std::sync::LazyLock;

use scraper::node::Node;
use scraper::{ElementRef, Html, Selector};

use super::{DocumentError, ExtractedText, TextBuilder, TextLimits, check_input_size};

static TREE: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(".structuralizer-tree").unwrap_or_else(|e| unreachable!("static selector: {e}"))
});

/// Elements that end a line of text (paragraphs, headings, list items, table rows).
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "br",
    "table",
    "section",
    "article",
    "blockquote",
    "dt",
    "dd",
];
/// Elements whose text is not the draft's.
const DROPPED: &[&str] = &["script", "style", "template", "noscript"];

/// The text of every `.structuralizer-tree` on the page, one line per block element,
/// whitespace collapsed within lines. A page without the tree (a login page, changed markup)
/// is [`DocumentError::NoPreviewTree`].
pub fn preview_text(html: &str, limits: &TextLimits) -> Result<ExtractedText, DocumentError> {
    check_input_size(html.len(), limits)?;
    let document = Html::parse_document(html);
    let mut trees = document.select(&TREE).peekable();
    if trees.peek().is_none() {
        return Err(DocumentError::NoPreviewTree);
    }
    let mut raw = String::new();
    for tree in trees {
        collect(tree, &mut raw);
        raw.push('\n');
    }
    let mut text = TextBuilder::new(limits.max_text_bytes);
    for line in raw.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            text.push_str(&line);
            text.push_str("\n");
        }
    }
    let extracted = text.finish();
    if extracted.text.trim().is_empty() {
        return Err(DocumentError::NoText);
    }
    Ok(extracted)
}

fn collect(element: ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => {
                out.push(' ');
                out.push_str(text);
            }
            Node::Element(e) if !DROPPED.contains(&e.name()) => {
                let block = BLOCKS.contains(&e.name());
                if block {
                    out.push('\n');
                }
                if let Some(child) = ElementRef::wrap(child) {
                    collect(child, out);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}
