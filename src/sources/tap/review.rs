//! Parsing of a TAP `/reviews/resolutions/<uuid>` page: one institution's or organisation's
//! opinion on a draft in coordination (../shared/docs/sources.md §1.4; the VEA and LPS
//! captures), from the visible text of `<main>`.

use chrono::NaiveDate;

use super::labels::{
    DetailError, Labelled, LabelledPage, PageLink, after_header, links_under, meaningful,
    parse_date, unreadable,
};

/// The draft's TA number.
pub const LABEL_ID: &str = "Projekta ID";
/// Who gave the opinion, full name.
pub const LABEL_REVIEWER: &str = "Atzinuma sniedzējs";
/// Day the opinion was submitted.
pub const LABEL_SUBMITTED: &str = "Atzinums iesniegts";
/// The outcome, e.g. `Saskaņots ar priekšlikumiem`, `Nesaskaņots`.
pub const LABEL_RESULT: &str = "Saskaņošanas rezultāts";
/// The table of objections and proposals.
pub const LABEL_REMARKS: &str = "Iebildumi / Priekšlikumi";

const LABELS: [&str; 5] = [
    LABEL_ID,
    LABEL_REVIEWER,
    LABEL_SUBMITTED,
    LABEL_RESULT,
    LABEL_REMARKS,
];

const REMARKS_HEADER: &str = "Nr.p.k. Projekta redakcija Iebildums / Priekšlikums";
/// Ends each remark row, followed by the wording or `-`.
const PROPOSED_WORDING: &str = "Piedāvātā redakcija";
const OBJECTION: &str = "Iebildums";
const PROPOSAL: &str = "Priekšlikums";

/// An opinion page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewResolution {
    /// TA number.
    pub id: String,
    /// Who gave the opinion (full name; link texts elsewhere use a short code).
    pub reviewer: Option<String>,
    /// Day the opinion was submitted.
    pub submitted_on: Option<NaiveDate>,
    /// The outcome as written.
    pub result: Option<String>,
    /// Objections and proposals, in their order.
    pub remarks: Vec<Remark>,
    /// Attached documents (`…/additional_documents/<uuid>/download`), when the links were given.
    pub attachment_urls: Vec<String>,
}

/// One row of `Iebildumi / Priekšlikumi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remark {
    /// `Nr.p.k.`
    pub number: u32,
    /// `Projekta redakcija`: the part of the draft it is about, as written.
    pub draft_wording: String,
    /// Objection or proposal.
    pub kind: RemarkKind,
    /// The remark.
    pub text: String,
    /// `Piedāvātā redakcija`; `None` for `-`.
    pub proposed_wording: Option<String>,
}

/// The type word a remark carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemarkKind {
    /// `Iebildums`: the draft cannot be agreed without a change.
    Objection,
    /// `Priekšlikums`: a suggestion.
    Proposal,
}

impl LabelledPage for ReviewResolution {
    const PAGE: &'static str = "review resolution page";
    const LABELS: &'static [&'static str] = &LABELS;

    /// The links give the attachments.
    fn from_labelled(labelled: &Labelled<'_>, links: &[PageLink]) -> Result<Self, DetailError> {
        Ok(ReviewResolution {
            id: labelled
                .value(LABEL_ID)
                .ok_or(DetailError::Missing { label: LABEL_ID })?,
            reviewer: labelled.value(LABEL_REVIEWER),
            submitted_on: labelled.read(LABEL_SUBMITTED, parse_date)?,
            result: labelled.value(LABEL_RESULT),
            remarks: labelled.table(LABEL_REMARKS, parse_remarks)?,
            attachment_urls: links_under(links, "/attachments/"),
        })
    }
}

/// Rows numbered `1.`, `2.`, … each ending with `Piedāvātā redakcija VALUE`. A row's wording
/// runs to where the next number starts, so rows are found by counting, not by any number.
fn parse_remarks(value: &str) -> Result<Vec<Remark>, DetailError> {
    let mut rest = after_header(LABEL_REMARKS, value, REMARKS_HEADER)?;
    let mut remarks = Vec::new();
    let mut number: u32 = 1;
    while !rest.is_empty() {
        let unreadable = |why| unreadable(LABEL_REMARKS, rest, why);
        let row = rest
            .strip_prefix(&format!("{number}. "))
            .ok_or_else(|| unreadable("a row does not start with its number"))?;
        let (cells, after) = row
            .split_once(&format!(" {PROPOSED_WORDING}"))
            .ok_or_else(|| unreadable("a row without \"Piedāvātā redakcija\""))?;
        let next_row = format!(" {}. ", number + 1);
        let (wording, next) = match after.find(&next_row) {
            Some(at) => (&after[..at], &after[at + 1..]),
            None => (after, ""),
        };
        let (draft_wording, kind, text) = split_kind(cells)
            .ok_or_else(|| unreadable("a row without \"Iebildums\" or \"Priekšlikums\""))?;
        remarks.push(Remark {
            number,
            draft_wording: draft_wording.trim().to_owned(),
            kind,
            text: text.trim().to_owned(),
            proposed_wording: meaningful(wording),
        });
        rest = next.trim_start();
        number += 1;
    }
    Ok(remarks)
}

/// Split `DRAFT WORDING TYPE TEXT` at the first type word standing alone.
fn split_kind(cells: &str) -> Option<(&str, RemarkKind, &str)> {
    [
        (OBJECTION, RemarkKind::Objection),
        (PROPOSAL, RemarkKind::Proposal),
    ]
    .into_iter()
    .filter_map(|(word, kind)| {
        let at = cells.find(&format!(" {word} "))?;
        Some((at, word, kind))
    })
    .min_by_key(|(at, _, _)| *at)
    .map(|(at, word, kind)| (&cells[..at], kind, &cells[at + word.len() + 2..]))
}
