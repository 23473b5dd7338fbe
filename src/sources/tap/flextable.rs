//! The VKP UI kit's "flextable" grid and paginator, shared by every TAP list page
//! (`/public_participation`, `/legal_acts`, `/meetings/*`; ../shared/docs/sources.md §1.0).
//!
//! Rows are `div.flextable__row[data-linkable-row=true]`, cells are found by their
//! `data-column-header-name` and read from `span.flextable__value`; the paginator shows the
//! current page, links to others and "Atlasīti N ieraksti". This module reads those pieces and
//! the TAP date formats, and names what can be wrong with a page ([`PageError`]) so that every
//! list parser fails the same way: loudly, never with "nothing new".

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{collapse_whitespace, non_empty, selector};
use crate::sources::fetch::is_firewall_rejection;

/// A data row of the grid; the header row has no `data-linkable-row`.
pub(super) static ROW: LazyLock<Selector> =
    LazyLock::new(|| selector(r#"div.flextable__row[data-linkable-row="true"]"#));
/// The grid's header row: present even when the grid has no rows.
pub(super) static HEADER: LazyLock<Selector> = LazyLock::new(|| selector(".flextable__header"));
static CELL: LazyLock<Selector> = LazyLock::new(|| selector("[data-column-header-name]"));
static LINK: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));
static VALUE: LazyLock<Selector> = LazyLock::new(|| selector("span.flextable__value"));
static TOTAL: LazyLock<Selector> = LazyLock::new(|| selector(".pagination__total-number"));
static PAGE_LINK: LazyLock<Selector> = LazyLock::new(|| selector(".pagination a[href]"));
static NEXT_LINK: LazyLock<Selector> =
    LazyLock::new(|| selector(r#".pagination a[rel="next"][href]"#));
static CURRENT_PAGE: LazyLock<Selector> =
    LazyLock::new(|| selector(".pagination .pagination__page--current"));
static FOOTER: LazyLock<Selector> = LazyLock::new(|| selector("footer"));

static APP_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Versija\s+(\S+)").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Why a TAP list page (or a meeting's agenda) could not be read. Each variant means the
/// page must not be taken as "nothing new": the poll records it and the admin is alerted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// The portal's F5 firewall answered with its "Request Rejected" page (HTTP 200).
    #[error(
        "the portal's firewall answered with its \"Request Rejected\" page instead of the {expected}"
    )]
    Firewall {
        /// What the page should have been, e.g. "legal acts list".
        expected: &'static str,
    },
    /// Neither rows nor the grid's header row: not the page we asked for, or new markup.
    #[error(
        "the page holds no {expected} (no flextable rows or header); the portal's markup may have changed"
    )]
    NotAList {
        /// What the page should have been.
        expected: &'static str,
    },
    /// The grid is there but holds no rows. TAP never has an empty list of these, so the
    /// markup changed or the query was not understood.
    #[error(
        "the {expected} holds zero rows (the page says {total:?} records); the portal's markup may have changed"
    )]
    ZeroRows {
        /// What the page should have been.
        expected: &'static str,
        /// The "Atlasīti N ieraksti" count, when the page shows one.
        total: Option<u64>,
    },
    /// One row could not be read; the whole page is refused so nothing is stored wrongly.
    #[error("{expected}, row {row}{}: {problem}", name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Row {
        /// What the page should have been.
        expected: &'static str,
        /// 1-based position of the row on the page.
        row: usize,
        /// What identifies the row to a reader (TA number, agenda item number), when known.
        name: Option<String>,
        /// What is wrong with it.
        problem: RowProblem,
    },
}

/// What is wrong with one row of a grid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowProblem {
    /// The row has no cell with this `data-column-header-name`.
    #[error("the cell \"{0}\" is missing")]
    MissingCell(&'static str),
    /// The cell is there but empty, and this column must have a value.
    #[error("the cell \"{0}\" is empty")]
    EmptyCell(&'static str),
    /// The row has no `data-url` (or the agenda item no link) to its own page.
    #[error("no link to the row's page")]
    NoLink,
    /// The row's link cannot be used (unparsable, or not in the section it should be in).
    #[error("unusable link {0:?}")]
    BadLink(String),
    /// A date cell holds text that is not a real date in the TAP format.
    #[error("the cell \"{column}\" holds {text:?}, which is not a date in the form dd.mm.yyyy.")]
    UnreadableDate {
        /// The column.
        column: &'static str,
        /// The text as written.
        text: String,
    },
    /// A date-and-time cell holds text that is not a real date and time in the TAP format.
    #[error(
        "the cell \"{column}\" holds {text:?}, which is not a date and time in the form dd.mm.yyyy. HH:MM"
    )]
    UnreadableDateTime {
        /// The column.
        column: &'static str,
        /// The text as written.
        text: String,
    },
    /// Free text that should follow a known pattern does not.
    #[error("{what} {text:?} cannot be read")]
    UnreadableText {
        /// What the text is, e.g. "the participation line".
        what: &'static str,
        /// The text as written.
        text: String,
    },
}

/// The paginator under a grid: where this page sits in the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paginator {
    /// "Atlasīti N ieraksti": how many records the whole list holds.
    pub total: Option<u64>,
    /// The page this is, from the paginator.
    pub current_page: Option<u32>,
    /// The highest page number the paginator mentions; `None` when there is no paginator
    /// (the list fits on one page).
    pub last_page: Option<u32>,
    /// The paginator's "next" link (`rel="next"`), absent on the last page.
    pub next_page: Option<Url>,
}

impl Paginator {
    /// Read the paginator of `document`; `base_url` resolves its relative links.
    pub(super) fn read(document: &Html, base_url: &Url) -> Self {
        let current_page = document
            .select(&CURRENT_PAGE)
            .next()
            .and_then(|e| digits_of(&e.text().collect::<String>()))
            .and_then(|n| u32::try_from(n).ok());
        Paginator {
            total: document
                .select(&TOTAL)
                .next()
                .and_then(|e| digits_of(&e.text().collect::<String>())),
            current_page,
            last_page: last_page(document, base_url, current_page),
            next_page: document
                .select(&NEXT_LINK)
                .find_map(|a| base_url.join(a.attr("href")?).ok()),
        }
    }

    /// Whether no page follows this one. The page numbers decide when the paginator shows
    /// both; otherwise the absence of a "next" link does (no paginator = a single page).
    pub fn is_last_page(&self) -> bool {
        match (self.current_page, self.last_page) {
            (Some(current), Some(last)) => current >= last,
            _ => self.next_page.is_none(),
        }
    }
}

/// Whether the page has a grid header naming all of `columns`: the grid asked for is there
/// (other grids, e.g. a detail page's opinions table, name other columns).
fn has_header_with(document: &Html, columns: &[&str]) -> bool {
    document.select(&HEADER).any(|header| {
        let text = collapsed_text(header);
        columns.iter().all(|column| text.contains(column))
    })
}

/// The checks every grid page shares, in order: not the firewall's page; the grid with
/// `columns` is there; it has rows matching `rows`. Returns the parsed page and its paginator.
pub(super) fn grid_page(
    html: &str,
    base_url: &Url,
    rows: &Selector,
    columns: &[&str],
    expected: &'static str,
) -> Result<(Html, Paginator), PageError> {
    if is_firewall_rejection(html) {
        return Err(PageError::Firewall { expected });
    }
    let document = Html::parse_document(html);
    let paginator = Paginator::read(&document, base_url);
    if document.select(rows).next().is_none() {
        return Err(if has_header_with(&document, columns) {
            PageError::ZeroRows {
                expected,
                total: paginator.total,
            }
        } else {
            PageError::NotAList { expected }
        });
    }
    Ok((document, paginator))
}

/// Parse every row with `parse`, or fail on the first row it cannot read, naming the row by
/// its position and by `name_of` (its TA number or item number, when the row has one).
pub(super) fn parse_rows<R, T>(
    rows: impl IntoIterator<Item = R>,
    expected: &'static str,
    name_of: impl Fn(&R) -> Option<String>,
    parse: impl Fn(&R) -> Result<T, RowProblem>,
) -> Result<Vec<T>, PageError> {
    rows.into_iter()
        .enumerate()
        .map(|(index, row)| {
            parse(&row).map_err(|problem| PageError::Row {
                expected,
                row: index + 1,
                name: name_of(&row),
                problem,
            })
        })
        .collect()
}

/// The portal's version from the footer ("Versija bc230"): when it changes, markup may too.
pub(super) fn app_version(document: &Html) -> Option<String> {
    document.select(&FOOTER).next().and_then(|footer| {
        let text = footer.text().collect::<Vec<_>>().join(" ");
        APP_VERSION.captures(&text).map(|c| c[1].to_owned())
    })
}

/// The cell of `row` whose `data-column-header-name` is `column`.
pub(super) fn find_cell<'a>(row: ElementRef<'a>, column: &str) -> Option<ElementRef<'a>> {
    row.select(&CELL)
        .find(|c| c.attr("data-column-header-name") == Some(column))
}

/// A cell's text (from its `span.flextable__value` when it has one), whitespace collapsed;
/// `None` when empty.
pub(super) fn cell_value(cell: ElementRef<'_>) -> Option<String> {
    non_empty(collapsed_text(cell.select(&VALUE).next().unwrap_or(cell)))
}

/// An element's text with whitespace runs collapsed to one space, trimmed.
pub(super) fn collapsed_text(element: ElementRef<'_>) -> String {
    collapse_whitespace(&element.text().collect::<String>())
}

/// The value of a column that may be empty but must exist: a missing cell means the markup
/// changed, an empty one is just "no value".
pub(super) fn optional_cell(
    row: ElementRef<'_>,
    column: &'static str,
) -> Result<Option<String>, RowProblem> {
    find_cell(row, column)
        .map(cell_value)
        .ok_or(RowProblem::MissingCell(column))
}

/// The value of a column that must exist and hold text.
pub(super) fn required_cell(
    row: ElementRef<'_>,
    column: &'static str,
) -> Result<String, RowProblem> {
    optional_cell(row, column)?.ok_or(RowProblem::EmptyCell(column))
}

/// A TAP date `dd.mm.yyyy.` (the trailing dot may be missing); `None` when the text is not
/// a real date in that form.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim().trim_end_matches('.'), "%d.%m.%Y").ok()
}

/// A TAP date and time `dd.mm.yyyy. HH:MM` (Europe/Riga wall time); `None` when the text is
/// not a real date and time in that form.
pub fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.trim().split_once(char::is_whitespace)?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some(parse_date(date)?.and_time(time))
}

/// An optional date column: empty is `None`, unreadable text is an error naming the column.
pub(super) fn optional_date_cell(
    row: ElementRef<'_>,
    column: &'static str,
) -> Result<Option<NaiveDate>, RowProblem> {
    optional_cell(row, column)?
        .map(|text| parse_date(&text).ok_or(RowProblem::UnreadableDate { column, text }))
        .transpose()
}

/// The row's `data-url` resolved against `base_url`.
pub(super) fn row_link(row: ElementRef<'_>, base_url: &Url) -> Result<Url, RowProblem> {
    let href = row
        .attr("data-url")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or(RowProblem::NoLink)?;
    base_url
        .join(href)
        .map_err(|_| RowProblem::BadLink(href.to_owned()))
}

/// The first link in `row`'s `column` cell that points to a page in `section` (e.g. the
/// `/legal_acts/<uuid>` behind a TA number).
pub(super) fn cell_link_in(
    row: ElementRef<'_>,
    column: &str,
    base_url: &Url,
    section: &str,
) -> Option<Url> {
    find_cell(row, column)?
        .select(&LINK)
        .filter_map(|a| base_url.join(a.attr("href")?).ok())
        .find(|url| is_page_in(url, section))
}

/// Whether `url`'s path is `section` followed by one more segment, e.g. `/legal_acts/<uuid>`.
pub(super) fn is_page_in(url: &Url, section: &str) -> bool {
    url.path()
        .strip_prefix(section)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// The highest `page=N` linked from the paginator, or the current page when that is higher
/// (on the last page no link points further).
fn last_page(document: &Html, base_url: &Url, current: Option<u32>) -> Option<u32> {
    let linked = document
        .select(&PAGE_LINK)
        .filter_map(|a| base_url.join(a.attr("href")?).ok())
        .filter_map(|url| {
            url.query_pairs()
                .find(|(key, _)| key == "page")
                .and_then(|(_, value)| value.parse::<u32>().ok())
        })
        .max();
    match (linked, current) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn digits_of(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}
