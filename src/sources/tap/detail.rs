//! Parsing of a TAP `/public_participation/<uuid>` detail page.
//!
//! The detail page's markup has never been captured, only its text (../shared/docs/sources.md §1.2), so this
//! parser is label-based: it finds the element whose *own* text is a known label
//! ("Mērķa apraksts", "Politikas jomas", …) and reads the element that follows it (its next
//! sibling, or the next sibling of an ancestor when the label is wrapped). That survives
//! `div`/`dt`/`th` layouts alike. Fetching is not done here.
//!
//! The stored fields (description, policy areas, window) come from this HTML walk, as they
//! always did; what only the full label parser over the page's visible text reads
//! ([`super::participation_detail`], tested on the real captures) is added from it: the
//! opinions already given and the annotation links. A page that parser cannot read (an
//! unusual layout) still gives the stored fields, without opinions.

use scraper::node::Node;
use scraper::{ElementRef, Html};

use super::labels::LabelledPage;
use super::list::read_deadline;
use super::participation_detail::{ParticipationDetail, SubmittedOpinion, Submitter};
use super::{ParseError, collapse_whitespace, non_empty};
use crate::model::{DraftDetail, Opinion, WindowKind};

/// How the portal names a private person; digests count them instead of naming them.
const PRIVATE_PERSON: &str = "Fiziska persona";

/// An organisation's name cannot be cut from its opinion in the page text (see
/// [`Submitter::NotSeparable`]), so its submitter is the opinion's start, this many characters.
const SUBMITTER_PREFIX_CHARS: usize = 80;

/// Label of the problem description.
pub const LABEL_PROBLEM: &str = "Sākotnēji identificētās problēmas apraksts";
/// Label of the goal description.
pub const LABEL_GOAL: &str = "Mērķa apraksts";
/// Label of the policy areas.
pub const LABEL_POLICY_AREAS: &str = "Politikas jomas";
/// Label of the comment window. The deadline is taken from here only: the free text under
/// "Informācija" has been seen to contradict it.
pub const LABEL_PERIOD: &str = "Norises laiks";

/// How many ancestors are climbed from a label to find its value.
const MAX_LABEL_DEPTH: usize = 3;

/// Parse a detail page into the fields the list lacks: the problem and goal descriptions
/// (joined by a blank line) and the policy areas; and the comment window from "Norises
/// laiks", which lets a draft no longer on the pages a poll reads be re-checked. Fails with [`ParseError::NoDetailFields`]
/// only when none of the labels is on the page (wrong page or new markup).
pub fn parse_detail_page(html: &str) -> Result<DraftDetail, ParseError> {
    let document = Html::parse_document(html);
    let problem = value_after_label(&document, LABEL_PROBLEM);
    let goal = value_after_label(&document, LABEL_GOAL);
    let areas = value_after_label(&document, LABEL_POLICY_AREAS);
    let period =
        value_after_label(&document, LABEL_PERIOD).and_then(|value| meaningful(block_text(value)));
    if problem.is_none() && goal.is_none() && areas.is_none() {
        return Err(ParseError::NoDetailFields);
    }
    let descriptions: Vec<String> = [problem, goal]
        .into_iter()
        .flatten()
        .filter_map(|value| meaningful(block_text(value)))
        .collect();
    let mut policy_areas: Vec<String> = Vec::new();
    if let Some(value) = areas {
        // One area per text node: the UI renders each as its own tag or line.
        for area in value
            .text()
            .filter_map(|t| meaningful(collapse_whitespace(t)))
        {
            if !policy_areas.contains(&area) {
                policy_areas.push(area);
            }
        }
    }
    let (window, unreadable_deadline) = read_deadline(period);
    let (opinions, annotation_urls) = match ParticipationDetail::from_html(html) {
        Ok(full) => (
            full.opinions.iter().map(opinion_of).collect(),
            full.annotation_urls,
        ),
        Err(error) => {
            tracing::debug!(%error, "The participation page's opinions could not be read; the stored fields are kept.");
            (Vec::new(), Vec::new())
        }
    };
    Ok(DraftDetail {
        description: non_empty(descriptions.join("\n\n")),
        policy_areas,
        window,
        unreadable_deadline,
        opinions,
        annotation_urls,
        ..DraftDetail::default()
    })
}

/// A submitted opinion in the shared model (given in public participation).
fn opinion_of(opinion: &SubmittedOpinion) -> Opinion {
    let (submitter, legal_person) = match opinion.submitter {
        Submitter::PrivatePerson => (PRIVATE_PERSON.to_owned(), false),
        Submitter::NotSeparable => {
            let mut start: String = opinion
                .essence
                .chars()
                .take(SUBMITTER_PREFIX_CHARS)
                .collect();
            if start.len() < opinion.essence.len() {
                start.push('…');
            }
            (start, true)
        }
    };
    Opinion {
        window_kind: WindowKind::PublicParticipation,
        submitter,
        legal_person,
        given_on: Some(opinion.submitted_at.date()),
        late: false,
    }
}

/// The element holding the value of `label`, if the label is on the page.
fn value_after_label<'a>(document: &'a Html, label: &str) -> Option<ElementRef<'a>> {
    document
        .root_element()
        .descendent_elements()
        .filter(|e| {
            !matches!(
                e.value().name(),
                "script" | "style" | "a" | "option" | "title"
            )
        })
        .filter(|e| label_text(&own_text(*e)) == label)
        .find_map(following_value)
}

/// The next element after `label`, climbing up to [`MAX_LABEL_DEPTH`] wrappers.
fn following_value(label: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let mut current = label;
    for _ in 0..=MAX_LABEL_DEPTH {
        if let Some(next) = current.next_siblings().find_map(ElementRef::wrap) {
            return Some(next);
        }
        current = current.parent().and_then(ElementRef::wrap)?;
    }
    None
}

/// Block elements whose start separates words (paragraphs must not run together).
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "dd",
    "dt",
    "tr",
    "td",
    "th",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
];

/// The element's text, with a space wherever a block element starts, collapsed.
fn block_text(element: ElementRef<'_>) -> String {
    let mut text = String::new();
    for node in element.descendants() {
        match node.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(e) if BLOCK_ELEMENTS.contains(&e.name()) => text.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

/// Text of the element's direct text children only, collapsed.
fn own_text(element: ElementRef<'_>) -> String {
    let text: String = element
        .children()
        .filter_map(|child| match child.value() {
            Node::Text(text) => Some(&**text),
            _ => None,
        })
        .collect();
    collapse_whitespace(&text)
}

/// A label as written, without a trailing colon.
fn label_text(text: &str) -> &str {
    text.trim_end_matches(':').trim_end()
}

/// `None` for empty text and the portal's "-" placeholder.
fn meaningful(text: String) -> Option<String> {
    non_empty(text).filter(|t| t != "-" && t != "–")
}
