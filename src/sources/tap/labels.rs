//! Label walking over the visible text of a TAP detail page's `<main>`, shared by the
//! legal-act, participation and review-resolution parsers.
//!
//! The detail pages' HTML has never been captured; their text has (../shared/samples, "Second
//! gathering pass"): the visible text of `<main>` with whitespace collapsed. Parsing that text
//! label by label makes the real captures exact test inputs, and [`main_text`] turns a live
//! HTML page into the same text so one parser serves both.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};
use regex::{Captures, Regex};
use scraper::node::Node;
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;

use super::flextable::{parse_date as parse_tap_date, parse_date_time as parse_tap_date_time};
use super::{collapse_whitespace, selector};

/// Why a detail page's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DetailError {
    /// The HTML has no `<main>` element: not a portal page.
    #[error("the page has no <main> element; it is not a TAP portal page")]
    NoMain,
    /// None of the labels of this kind of page is in the text.
    #[error(
        "the page holds none of the labels of a {page} (first expected: \"{first_label}\"); the portal's markup may have changed"
    )]
    NoLabels {
        /// Which kind of page was expected.
        page: &'static str,
        /// The first label such a page carries.
        first_label: &'static str,
    },
    /// A label every page of this kind carries is missing or empty.
    #[error("the label \"{label}\" is missing or empty")]
    Missing {
        /// The missing label.
        label: &'static str,
    },
    /// A date (or date and time) under a label is not a real one, e.g. `32.13.2026.`.
    #[error("\"{label}\": \"{text}\" is not a valid date (dd.mm.yyyy.)")]
    BadDate {
        /// The label the date stands under.
        label: &'static str,
        /// The text as written.
        text: String,
    },
    /// The value under a label does not have the shape the portal prints.
    #[error("\"{label}\": cannot read \"{text}\": {why}")]
    Unreadable {
        /// The label the value stands under.
        label: &'static str,
        /// The part of the value that could not be read.
        text: String,
        /// What was expected.
        why: &'static str,
    },
}

/// A link on the page, as the captures list them (`url`, `title` = the link text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageLink {
    /// The `href` (absolute in the captures, as written on a live page).
    pub url: String,
    /// The link text.
    pub title: String,
}

/// The visible text of a page's `<main>` and its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    /// Text with whitespace collapsed to single spaces.
    pub text: String,
    /// Links inside `<main>` outside the dropped elements, in page order.
    pub links: Vec<PageLink>,
}

/// Elements whose text the captures leave out.
const DROPPED_ELEMENTS: &[&str] = &["script", "style", "nav", "header", "footer"];

static MAIN: LazyLock<Selector> = LazyLock::new(|| selector("main"));

/// The visible text of `<main>` the way the captures were made: every text node joined by a
/// space, whitespace collapsed, the text of `script`, `style`, `nav`, `header` and `footer`
/// dropped (the left menu is not a `<nav>`, so its labels stay at the start, as in the
/// captures). Links are collected from the same elements.
pub fn main_text(html: &str) -> Result<PageText, DetailError> {
    let document = Html::parse_document(html);
    let main = document.select(&MAIN).next().ok_or(DetailError::NoMain)?;
    let mut pieces = Vec::new();
    let mut links = Vec::new();
    collect_visible(main, &mut pieces, &mut links);
    Ok(PageText {
        text: collapse_whitespace(&pieces.join(" ")),
        links,
    })
}

fn collect_visible<'a>(
    element: ElementRef<'a>,
    pieces: &mut Vec<&'a str>,
    links: &mut Vec<PageLink>,
) {
    if element.value().name() == "a"
        && let Some(href) = element.attr("href")
    {
        links.push(PageLink {
            url: href.to_owned(),
            title: collapse_whitespace(&element.text().collect::<Vec<_>>().join(" ")),
        });
    }
    for child in element.children() {
        match child.value() {
            Node::Text(text) => pieces.push(text),
            Node::Element(e) if !DROPPED_ELEMENTS.contains(&e.name()) => {
                if let Some(child) = ElementRef::wrap(child) {
                    collect_visible(child, pieces, links);
                }
            }
            _ => {}
        }
    }
}

/// A kind of detail page read label by label; [`LabelledPage::parse`] and
/// [`LabelledPage::from_html`] are the entry points every kind shares.
pub trait LabelledPage: Sized {
    /// What kind of page this is, for error messages.
    const PAGE: &'static str;
    /// The page's labels in page order; the first is the one every such page starts with.
    const LABELS: &'static [&'static str];

    /// Build the page from its labelled values (at least one label was found).
    fn from_labelled(labelled: &Labelled<'_>, links: &[PageLink]) -> Result<Self, DetailError>;

    /// Parse the visible text of `<main>` (a capture's `text`) with the page's links (a
    /// capture's `links`; may be empty). Text with none of the labels is an error, never an
    /// empty page.
    fn parse(text: &str, links: &[PageLink]) -> Result<Self, DetailError> {
        let text = collapse_whitespace(text);
        let labelled = Labelled::split(&text, Self::LABELS);
        if labelled.is_empty() {
            return Err(DetailError::NoLabels {
                page: Self::PAGE,
                first_label: Self::LABELS.first().copied().unwrap_or_default(),
            });
        }
        Self::from_labelled(&labelled, links)
    }

    /// Parse a live page: the visible text of `<main>` and its links, read by [`main_text`].
    fn from_html(html: &str) -> Result<Self, DetailError> {
        let page = main_text(html)?;
        Self::parse(&page.text, &page.links)
    }
}

/// The values of a page's labels, cut out of its text.
#[derive(Debug)]
pub struct Labelled<'t> {
    found: Vec<(&'static str, &'t str)>,
}

impl<'t> Labelled<'t> {
    /// Find `labels` in `text`, in the order given (the page's order). A label counts only
    /// where it is followed by a space or the end of the text and comes before the next
    /// occurrence of every later label, so an absent optional label cannot match words deep
    /// in a later free-text value and swallow the labels in between. Case matters: labels
    /// start with a capital, free text that merely mentions them rarely does. Everything
    /// before the first label (the left menu) is ignored; a label's value runs to the next
    /// label found.
    pub fn split(text: &'t str, labels: &[&'static str]) -> Self {
        let mut cursor = 0;
        let mut positions: Vec<(&'static str, usize, usize)> = Vec::new();
        for (index, label) in labels.iter().enumerate() {
            let Some(start) = find_label(text, label, cursor) else {
                continue;
            };
            let later_comes_first = labels[index + 1..]
                .iter()
                .filter_map(|later| find_label(text, later, cursor))
                .any(|later_start| later_start < start);
            if later_comes_first {
                continue;
            }
            cursor = start + label.len();
            positions.push((label, start, cursor));
        }
        let found = positions
            .iter()
            .enumerate()
            .map(|(i, &(label, _, value_start))| {
                let value_end = positions.get(i + 1).map_or(text.len(), |next| next.1);
                (label, text[value_start..value_end].trim())
            })
            .collect();
        Labelled { found }
    }

    /// Whether no label at all was found.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Whether `label` is on the page (even with an empty value).
    pub fn has(&self, label: &str) -> bool {
        self.found.iter().any(|(l, _)| *l == label)
    }

    /// The value under `label` as written (possibly empty); `None` when the label is absent.
    pub fn raw(&self, label: &str) -> Option<&'t str> {
        self.found
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, value)| *value)
    }

    /// The value under `label`, `None` when absent, empty or the portal's `-` placeholder.
    pub fn value(&self, label: &str) -> Option<String> {
        self.raw(label).and_then(meaningful)
    }

    /// The value under `label` read by `read` (e.g. [`parse_date`]); `None` when absent,
    /// empty or `-`.
    pub fn read<T>(
        &self,
        label: &'static str,
        read: impl FnOnce(&'static str, &str) -> Result<T, DetailError>,
    ) -> Result<Option<T>, DetailError> {
        self.value(label)
            .map(|value| read(label, &value))
            .transpose()
    }

    /// The table under `label` read by `read`; empty when the label is absent.
    pub fn table<T: Default>(
        &self,
        label: &str,
        read: impl FnOnce(&'t str) -> Result<T, DetailError>,
    ) -> Result<T, DetailError> {
        Ok(self.raw(label).map(read).transpose()?.unwrap_or_default())
    }
}

/// Byte offset of `label` in `text` at or after `from`, where it is followed by a space or the
/// end of the text.
fn find_label(text: &str, label: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = text.get(at..)?.find(label) {
        let start = at + offset;
        let end = start + label.len();
        if text[end..].is_empty() || text[end..].starts_with(' ') {
            return Some(start);
        }
        at = end;
    }
    None
}

/// `None` for empty text and the portal's `-` placeholder; otherwise the trimmed text.
pub fn meaningful(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text != "-" && text != "–").then(|| text.to_owned())
}

/// Policy areas: comma-separated when the page separates them, else one area (in the
/// collapsed text nothing else tells two areas apart).
pub fn split_policy_areas(value: &str) -> Vec<String> {
    value.split(", ").filter_map(meaningful).collect()
}

/// Matches one date as the portal prints it, `dd.mm.yyyy.`; validity is checked separately so
/// that `32.13.2026.` becomes a [`DetailError::BadDate`] instead of unmatched text.
pub const DATE_PATTERN: &str = r"\d{1,2}\.\d{1,2}\.\d{4}\.";

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^({DATE_PATTERN}) - ({DATE_PATTERN})$"))
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Compile a pattern written in these modules (a constant, never input).
pub fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
}

/// A `dd.mm.yyyy.` date under `label` (the list pages' date form: [`parse_tap_date`]).
pub fn parse_date(label: &'static str, text: &str) -> Result<NaiveDate, DetailError> {
    parse_tap_date(text).ok_or_else(|| DetailError::BadDate {
        label,
        text: text.to_owned(),
    })
}

/// A `dd.mm.yyyy. HH:MM` date and time under `label` (Riga local time, as printed).
pub fn parse_date_time(label: &'static str, text: &str) -> Result<NaiveDateTime, DetailError> {
    parse_tap_date_time(text).ok_or_else(|| DetailError::BadDate {
        label,
        text: text.to_owned(),
    })
}

/// A period of whole days, both ends inclusive (Europe/Riga), as in `24.07.2026. - 07.08.2026.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

/// A `dd.mm.yyyy. - dd.mm.yyyy.` period under `label`; the end must not precede the start.
pub fn parse_range(label: &'static str, text: &str) -> Result<DateRange, DetailError> {
    let captures = RANGE
        .captures(text.trim())
        .ok_or_else(|| unreadable(label, text, "expected \"dd.mm.yyyy. - dd.mm.yyyy.\""))?;
    let from = parse_date(label, &captures[1])?;
    let to = parse_date(label, &captures[2])?;
    if to < from {
        return Err(unreadable(label, text, "the period ends before it starts"));
    }
    Ok(DateRange { from, to })
}

/// The text after a table's column headers, which must be there as printed: other headers
/// mean the table changed, and its rows would be read wrongly.
pub fn after_header<'t>(
    label: &'static str,
    value: &'t str,
    header: &'static str,
) -> Result<&'t str, DetailError> {
    value.strip_prefix(header).map(str::trim).ok_or_else(|| {
        unreadable(
            label,
            value,
            "the table's column headers are not the known ones",
        )
    })
}

/// A [`DetailError::Unreadable`] for `text` under `label`.
pub fn unreadable(label: &'static str, text: &str, why: &'static str) -> DetailError {
    DetailError::Unreadable {
        label,
        text: text.to_owned(),
        why,
    }
}

/// Read `rows` as back-to-back matches of `row` (anchored with `^`, ending with a space or
/// the end), each turned into a value by `read`. Text that does not match is an error, so a
/// row is never silently dropped.
pub fn each_row<T>(
    label: &'static str,
    rows: &str,
    row: &Regex,
    why: &'static str,
    mut read: impl FnMut(&Captures<'_>) -> Result<T, DetailError>,
) -> Result<Vec<T>, DetailError> {
    let mut values = Vec::new();
    let mut rest = rows.trim();
    while !rest.is_empty() {
        let captures = row
            .captures(rest)
            .ok_or_else(|| unreadable(label, rest, why))?;
        values.push(read(&captures)?);
        let consumed = captures.get(0).map_or(rest.len(), |m| m.end());
        rest = rest[consumed..].trim_start();
    }
    Ok(values)
}

/// The URLs of links whose path starts with `path_prefix` (e.g. `/annotation/`), on any host.
pub fn links_under(links: &[PageLink], path_prefix: &str) -> Vec<String> {
    links
        .iter()
        .filter(|link| link_path(&link.url).starts_with(path_prefix))
        .map(|link| link.url.clone())
        .collect()
}

/// The path of an absolute or root-relative URL.
fn link_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
        None => url,
    }
}

/// The URL of the first link with exactly this text whose path starts with `path_prefix`.
pub fn link_titled(links: &[PageLink], title: &str, path_prefix: &str) -> Option<String> {
    links
        .iter()
        .find(|link| link.title == title && link_path(&link.url).starts_with(path_prefix))
        .map(|link| link.url.clone())
}
