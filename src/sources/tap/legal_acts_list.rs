//! Parsing of the TAP `/legal_acts` list page: every draft legal act, newest first, with its
//! stage and coordination deadline (../shared/docs/sources.md §1.3).
//!
//! Sync and owned: text in, [`LegalActsPage`] out. The page uses the same flextable grid and
//! paginator as the participation list ([`super::flextable`]). A page that cannot be read
//! whole is an error ([`PageError`]): a draft whose stage or deadline is read wrongly would be
//! reported wrongly, and a page read as empty would hide a change.

use chrono::NaiveDate;
use scraper::ElementRef;
use url::Url;

use super::flextable::{
    self, PageError, Paginator, ROW, RowProblem, grid_page, is_page_in, optional_date_cell,
    parse_rows, required_cell, row_link,
};

/// Column holding the TA number, with ` (IP)` for drafts of restricted access.
pub const COLUMN_ID: &str = "Projekta ID";
/// Column holding the title.
pub const COLUMN_TITLE: &str = "Tiesību akta nosaukums";
/// Column holding the kind of act (`Noteikumu projekts`, `Likumprojekts`, …).
pub const COLUMN_KIND: &str = "Tiesību akta veids";
/// Column holding the stage the draft has reached.
pub const COLUMN_STAGE: &str = "Virzības stadija";
/// Column holding the responsible ministry.
pub const COLUMN_MINISTRY: &str = "Atbildīgā ministrija";
/// Column holding the day the draft was sent for coordination (empty while `Iesniegts`).
pub const COLUMN_SENT: &str = "Nosūtīts (datums)";
/// Column holding the last day of coordination (empty when there is none).
pub const COLUMN_DEADLINE: &str = "Saskaņošanas termiņš";

/// What the parser expects the page to be, for error messages.
const EXPECTED: &str = "legal acts list";

/// The suffix TAP appends to the id of a draft whose documents are not public
/// ("ierobežotas pieejamības").
const RESTRICTED_SUFFIX: &str = "(IP)";

/// One `/legal_acts` list page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalActsPage {
    /// The rows, in page order (newest first).
    pub acts: Vec<LegalActRow>,
    /// Where this page sits in the whole list.
    pub paginator: Paginator,
    /// The portal's version from the footer ("Versija bc230").
    pub app_version: Option<String>,
}

/// One draft legal act as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalActRow {
    /// The TA number without the `(IP)` suffix, e.g. `26-TA-1173`: the draft's identity
    /// across every TAP view (the UUIDs differ between views).
    pub ta_number: String,
    /// Whether the id carried `(IP)`: the draft's documents are not public, so a partner can
    /// follow its stage but not read it.
    pub restricted: bool,
    /// The title as written.
    pub title: String,
    /// The kind of act as written, e.g. `Noteikumu projekts`.
    pub kind: String,
    /// The stage the draft has reached.
    pub stage: Stage,
    /// The responsible ministry as written.
    pub ministry: String,
    /// The day the draft was sent for coordination; `None` while it is only submitted.
    pub sent_on: Option<NaiveDate>,
    /// The last day (inclusive) for coordination opinions; `None` when the cell is empty.
    pub coordination_deadline: Option<NaiveDate>,
    /// The draft's `/legal_acts/<uuid>` page.
    pub url: Url,
}

/// `Virzības stadija`: how far a draft has moved. The portal may add stages, so an unknown
/// one is kept as written rather than refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stage {
    /// `Iesniegts`: submitted, not yet announced.
    Submitted,
    /// `Sabiedrības līdzdalība`: open (or recently open) for public participation.
    PublicParticipation,
    /// `Saskaņošana`: in coordination with institutions and NGOs.
    Coordination,
    /// `Izskatīts`: examined at a meeting.
    Examined,
    /// `Pieņemts`: adopted.
    Adopted,
    /// `Atsaukts`: withdrawn.
    Withdrawn,
    /// A stage this version does not know, as written.
    Other(String),
}

impl Stage {
    /// The stage named by the portal's text.
    pub fn from_portal(text: &str) -> Self {
        match text.trim() {
            "Iesniegts" => Stage::Submitted,
            "Sabiedrības līdzdalība" => Stage::PublicParticipation,
            "Saskaņošana" => Stage::Coordination,
            "Izskatīts" => Stage::Examined,
            "Pieņemts" => Stage::Adopted,
            "Atsaukts" => Stage::Withdrawn,
            other => Stage::Other(other.to_owned()),
        }
    }

    /// The stage as the portal writes it.
    pub fn as_portal(&self) -> &str {
        match self {
            Stage::Submitted => "Iesniegts",
            Stage::PublicParticipation => "Sabiedrības līdzdalība",
            Stage::Coordination => "Saskaņošana",
            Stage::Examined => "Izskatīts",
            Stage::Adopted => "Pieņemts",
            Stage::Withdrawn => "Atsaukts",
            Stage::Other(text) => text,
        }
    }

    /// Whether the draft will not move any more, so following it can stop.
    pub fn is_final(&self) -> bool {
        matches!(self, Stage::Adopted | Stage::Withdrawn)
    }
}

/// A project id as TAP writes it: `26-TA-2254` or `26-TA-2254 (IP)`. Returns the bare id and
/// whether it carried the restricted-access suffix.
pub fn split_restricted(id: &str) -> (String, bool) {
    let id = id.trim();
    match id.strip_suffix(RESTRICTED_SUFFIX) {
        Some(bare) => (bare.trim_end().to_owned(), true),
        None => (id.to_owned(), false),
    }
}

/// Parse one `/legal_acts` list page. `base_url` resolves the rows' relative links (the page's
/// own URL or the portal root).
///
/// Errors: the firewall's page, a page without the grid, a grid without rows, and the first
/// row that lacks a required cell (id, title, kind, stage, ministry), has an empty or
/// unusable link, or an impossible date.
pub fn parse_legal_acts_page(html: &str, base_url: &Url) -> Result<LegalActsPage, PageError> {
    let (document, paginator) = grid_page(
        html,
        base_url,
        &ROW,
        &[COLUMN_ID, COLUMN_STAGE, COLUMN_DEADLINE],
        EXPECTED,
    )?;
    let acts = parse_rows(
        document.select(&ROW),
        EXPECTED,
        |row| flextable::find_cell(*row, COLUMN_ID).and_then(flextable::cell_value),
        |row| parse_row(*row, base_url),
    )?;
    Ok(LegalActsPage {
        acts,
        paginator,
        app_version: flextable::app_version(&document),
    })
}

fn parse_row(row: ElementRef<'_>, base_url: &Url) -> Result<LegalActRow, RowProblem> {
    let (ta_number, restricted) = split_restricted(&required_cell(row, COLUMN_ID)?);
    let url = row_link(row, base_url)?;
    if !is_page_in(&url, "/legal_acts") {
        return Err(RowProblem::BadLink(url.to_string()));
    }
    Ok(LegalActRow {
        ta_number,
        restricted,
        title: required_cell(row, COLUMN_TITLE)?,
        kind: required_cell(row, COLUMN_KIND)?,
        stage: Stage::from_portal(&required_cell(row, COLUMN_STAGE)?),
        ministry: required_cell(row, COLUMN_MINISTRY)?,
        sent_on: optional_date_cell(row, COLUMN_SENT)?,
        coordination_deadline: optional_date_cell(row, COLUMN_DEADLINE)?,
        url,
    })
}
