//! Parsing of the TAP `/public_participation` list page (the "flextable" grid).
//!
//! Sync and owned: text in, [`ListPage`] out. Rows are
//! `div.flextable__row[data-linkable-row=true]`, cells are found by their
//! `data-column-header-name` and read from `span.flextable__value` (sources.md §1.0–1.1).
//! Deciding what to fetch next is the adapter's job, not this module's.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{ParseError, collapse_whitespace, non_empty, selector};
use crate::model::{CommentWindow, ScrapedDraft};

/// Column holding the TA number (or a task number for discussion documents).
pub const COLUMN_ID: &str = "Projekta ID/ Uzdevuma numurs";
/// Column holding the title.
pub const COLUMN_TITLE: &str = "Tiesību akta/ diskusiju dokumenta nosaukums";
/// Column holding the kind of participation.
pub const COLUMN_KIND: &str = "Līdzdalības veids";
/// Column holding the comment window.
pub const COLUMN_WINDOW: &str = "Termiņš";
/// Column holding the responsible ministry.
pub const COLUMN_MINISTRY: &str = "Atbildīgā ministrija";

static ROW: LazyLock<Selector> =
    LazyLock::new(|| selector(r#"div.flextable__row[data-linkable-row="true"]"#));
static HEADER: LazyLock<Selector> = LazyLock::new(|| selector(".flextable__header"));
static CELL: LazyLock<Selector> = LazyLock::new(|| selector("[data-column-header-name]"));
static VALUE: LazyLock<Selector> = LazyLock::new(|| selector("span.flextable__value"));
static TOTAL: LazyLock<Selector> = LazyLock::new(|| selector(".pagination__total-number"));
static PAGE_LINK: LazyLock<Selector> = LazyLock::new(|| selector(".pagination a[href]"));
static CURRENT_PAGE: LazyLock<Selector> =
    LazyLock::new(|| selector(".pagination .pagination__page--current"));
static FOOTER: LazyLock<Selector> = LazyLock::new(|| selector("footer"));

static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static APP_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Versija\s+(\S+)").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// What one list page holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    /// The rows, in page order, without detail data.
    pub drafts: Vec<ScrapedDraft>,
    /// Rows that were dropped because they lacked a link or a title (each logged).
    pub skipped_rows: usize,
    /// "Atlasīti N ieraksti": how many records the whole list holds.
    pub total: Option<u64>,
    /// The page this is, from the paginator.
    pub current_page: Option<u32>,
    /// The highest page number the paginator mentions; `None` when there is no paginator
    /// (the list fits on one page).
    pub last_page: Option<u32>,
    /// The portal's version from the footer ("Versija bc230"): when it changes, markup may too.
    pub app_version: Option<String>,
}

/// Parse one `/public_participation` list page. `base_url` resolves the rows' relative links
/// (the page's own URL or the portal root).
///
/// A row without `data-url` or without a title is skipped with a warning; a row whose
/// `Termiņš` cannot be read keeps `window: None` (its title still matters) and is logged.
/// A page that lacks the list header entirely is [`ParseError::NotAList`]; a list with zero
/// rows is returned as such (the adapter decides that this is an error).
pub fn parse_list_page(html: &str, base_url: &Url) -> Result<ListPage, ParseError> {
    let document = Html::parse_document(html);
    let rows: Vec<ElementRef<'_>> = document.select(&ROW).collect();
    if rows.is_empty() && document.select(&HEADER).next().is_none() {
        return Err(ParseError::NotAList);
    }
    let mut page = ListPage {
        total: document
            .select(&TOTAL)
            .next()
            .and_then(|e| digits_of(&e.text().collect::<String>())),
        current_page: document
            .select(&CURRENT_PAGE)
            .next()
            .and_then(|e| digits_of(&e.text().collect::<String>()))
            .and_then(|n| u32::try_from(n).ok()),
        app_version: document.select(&FOOTER).next().and_then(|footer| {
            let text = footer.text().collect::<Vec<_>>().join(" ");
            APP_VERSION.captures(&text).map(|c| c[1].to_owned())
        }),
        ..ListPage::default()
    };
    page.last_page = last_page(&document, base_url, page.current_page);
    for row in rows {
        match parse_row(row, base_url) {
            Some(draft) => page.drafts.push(draft),
            None => page.skipped_rows += 1,
        }
    }
    Ok(page)
}

fn parse_row(row: ElementRef<'_>, base_url: &Url) -> Option<ScrapedDraft> {
    let cell = |name: &str| -> Option<String> {
        let cell = row
            .select(&CELL)
            .find(|c| c.attr("data-column-header-name") == Some(name))?;
        let text: String = match cell.select(&VALUE).next() {
            Some(value) => value.text().collect(),
            None => cell.text().collect(),
        };
        non_empty(collapse_whitespace(&text))
    };
    let ta_number = cell(COLUMN_ID);
    let Some(data_url) = row
        .attr("data-url")
        .map(str::trim)
        .filter(|u| !u.is_empty())
    else {
        tracing::warn!(ta_number = ?ta_number, "list row without data-url skipped");
        return None;
    };
    let url = match base_url.join(data_url) {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(data_url, %error, "list row with an unusable data-url skipped");
            return None;
        }
    };
    let Some(external_id) = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .map(str::to_owned)
    else {
        tracing::warn!(
            data_url,
            "list row whose data-url has no identifier skipped"
        );
        return None;
    };
    let Some(title) = cell(COLUMN_TITLE) else {
        tracing::warn!(data_url, "list row without a title skipped");
        return None;
    };
    let window = match cell(COLUMN_WINDOW) {
        Some(raw) => {
            let window = parse_window(&raw);
            if window.is_none() {
                tracing::warn!(data_url, raw = %raw, "unreadable Termiņš; row kept without a comment window");
            }
            window
        }
        None => None,
    };
    Some(ScrapedDraft {
        external_id,
        ta_number,
        title,
        kind: cell(COLUMN_KIND),
        ministry: cell(COLUMN_MINISTRY),
        stage: None,
        url: url.to_string(),
        window,
        detail: None,
        detail_error: None,
    })
}

/// Parse a TAP window `dd.mm.yyyy. - dd.mm.yyyy.` (both days inclusive). `None` when the text
/// is not two valid dates in order.
pub fn parse_window(raw: &str) -> Option<CommentWindow> {
    let captures = WINDOW.captures(raw.trim())?;
    let number = |i: usize| captures.get(i)?.as_str().parse::<u32>().ok();
    let date = |d: usize, m: usize, y: usize| {
        NaiveDate::from_ymd_opt(i32::try_from(number(y)?).ok()?, number(m)?, number(d)?)
    };
    let from = date(1, 2, 3)?;
    let to = date(4, 5, 6)?;
    (from <= to).then_some(CommentWindow { from, to })
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
