//! Parsing of TAP meeting pages: the list of State Secretaries' meetings (VSS) or Cabinet
//! meetings, and one meeting's agenda (../shared/docs/sources.md §1.5).
//!
//! A draft announced at VSS opens its coordination round and a draft on a Cabinet agenda is
//! about to be decided, so these pages tell a partner when a followed draft moves even if it
//! never had public participation. Both kinds use the same markup, so one parser serves both
//! ([`MeetingKind`]). Sync and owned: text in, typed rows out; a page that cannot be read
//! whole is a [`PageError`], never an empty list.

use std::sync::LazyLock;

use chrono::NaiveDateTime;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::flextable::{
    self, PageError, Paginator, ROW, RowProblem, cell_link_in, find_cell, grid_page, is_page_in,
    optional_cell, parse_date_time, parse_rows, required_cell, row_link,
};
use super::legal_acts_list::split_restricted;
use super::list::parse_window;
use super::selector;
use crate::model::CommentWindow;

/// Meetings list column: when the meeting starts (`dd.mm.yyyy. HH:MM`).
pub const COLUMN_DATE: &str = "Datums";
/// Meetings list column: the meeting's name.
pub const COLUMN_NAME: &str = "Nosaukums";
/// Meetings list column: the protocol (`Nr. 51`), empty until it is signed.
pub const COLUMN_PROTOCOL: &str = "Protokols";
/// Agenda column: the item's number on the agenda (`1.1`).
pub const COLUMN_ITEM_NUMBER: &str = "Nr.p.k.";
/// Agenda column: the TA number, linked to the draft's `/legal_acts/<uuid>` page.
pub const COLUMN_ITEM_ID: &str = "Projekta ID";
/// Agenda column: the question (the draft's kind and title, markers, document count).
pub const COLUMN_QUESTION: &str = "Jautājums";
/// Agenda column: who presents the item.
pub const COLUMN_PRESENTER: &str = "Ziņo";
/// Agenda column: the item's status.
pub const COLUMN_STATUS: &str = "Statuss";

const EXPECTED_LIST: &str = "meetings list";
const EXPECTED_AGENDA: &str = "meeting agenda";

static AGENDA_ROW: LazyLock<Selector> =
    LazyLock::new(|| selector("div.meeting-header-question__row"));
static LINK: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));
static PARTICIPATION_BLOCK: LazyLock<Selector> =
    LazyLock::new(|| selector(r#"[data-collapse-recipient$="-public-participation"]"#));

/// `<kind> dd.mm.yyyy. - dd.mm.yyyy. [what became of the opinions]`.
static PARTICIPATION_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?<kind>.+?)\s+(?<window>\d\S*\s*[-–—]\s*\d\S*)(?:\s+(?<opinions>.*))?$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
/// `Viedokļu pārskats (18.08.2026. 16:09)`: the summary of opinions and when it was published.
static OVERVIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Viedokļu pārskats\s*\((?<published>[^)]*)\)$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
/// The document count TAP appends to a question: `[4 dokumenti]`, `[1 dokuments]`.
static DOCUMENT_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*\[(?<count>\d+) dokument\w*\]$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
/// Process markers as whole words; the title inside quotes is not searched (see [`markers_of`]).
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:iekļauts papildus|atlikt\w*|steidzam\w*|svītrot\w*)\b")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Which meetings a page lists. The list and agenda markup is the same for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingKind {
    /// `Valsts sekretāru sanāksmes`: where drafts are announced and coordination starts.
    StateSecretaries,
    /// `Ministru kabineta sēdes`: where drafts are decided.
    CabinetMinisters,
}

impl MeetingKind {
    /// The path of the kind's list; its meetings live one segment below.
    pub fn list_path(self) -> &'static str {
        match self {
            MeetingKind::StateSecretaries => "/meetings/state_secretaries",
            MeetingKind::CabinetMinisters => "/meetings/cabinet_ministers",
        }
    }
}

/// One page of a meetings list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingsPage {
    /// Which meetings these are.
    pub kind: MeetingKind,
    /// The rows, in page order (future meetings are listed too).
    pub meetings: Vec<Meeting>,
    /// Where this page sits in the whole list.
    pub paginator: Paginator,
    /// The portal's version from the footer.
    pub app_version: Option<String>,
}

/// One meeting as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// When it starts (Europe/Riga wall time).
    pub starts_at: NaiveDateTime,
    /// Its name as written, e.g. `Ministru kabineta 10.09.2026. ārkārtas sēde`.
    pub name: String,
    /// The signed protocol; `None` until there is one.
    pub protocol: Option<Protocol>,
    /// The meeting's page, which holds its agenda.
    pub url: Url,
}

/// A meeting's protocol as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    /// The number after `Nr.`, as written.
    pub number: String,
    /// The `/meetings/protocols/<uuid>` page, when the cell links one.
    pub url: Option<Url>,
}

/// A meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agenda {
    /// Which kind of meeting it is.
    pub kind: MeetingKind,
    /// The items in agenda order.
    pub items: Vec<AgendaItem>,
}

/// One agenda item: a draft put before the meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// The number on the agenda as written, e.g. `1.1`.
    pub number: String,
    /// The TA number without the `(IP)` suffix: how the draft is joined with other views.
    pub ta_number: String,
    /// Whether the id carried `(IP)` (documents not public).
    pub restricted: bool,
    /// The draft's `/legal_acts/<uuid>` page, when the id is linked.
    pub legal_act_url: Option<Url>,
    /// The question as written, without the trailing `[N dokumenti]`.
    pub question: String,
    /// The `[N dokumenti]` count, when given.
    pub document_count: Option<u32>,
    /// Who presents it, e.g. `V. Valainis`.
    pub presenter: Option<String>,
    /// The `Statuss` cell as written.
    pub status: Option<String>,
    /// Process markers found in the status or the question, in [`AgendaMarker`] order.
    pub markers: Vec<AgendaMarker>,
    /// The public participation round, when the item shows one.
    pub participation: Option<ParticipationLine>,
    /// The item's documents by kind.
    pub documents: AgendaDocuments,
}

/// Marks TAP puts on agenda items; each changes what a partner should expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgendaMarker {
    /// `iekļauts papildus`: added to the agenda after it was published.
    IncludedAdditionally,
    /// `atlikt`: postponed to a later meeting.
    Postponed,
    /// `steidzams`: urgent, coordination shortened.
    Urgent,
    /// `svītrot`: struck from the agenda.
    Struck,
}

impl AgendaMarker {
    /// The marker as TAP writes it (the stem for the inflected ones).
    pub fn as_portal(self) -> &'static str {
        match self {
            AgendaMarker::IncludedAdditionally => "iekļauts papildus",
            AgendaMarker::Postponed => "atlikt",
            AgendaMarker::Urgent => "steidzams",
            AgendaMarker::Struck => "svītrot",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        let word = word.to_lowercase();
        [
            ("iekļauts papildus", AgendaMarker::IncludedAdditionally),
            ("atlikt", AgendaMarker::Postponed),
            ("steidzam", AgendaMarker::Urgent),
            ("svītrot", AgendaMarker::Struck),
        ]
        .into_iter()
        .find_map(|(stem, marker)| word.starts_with(stem).then_some(marker))
    }
}

/// The participation line of an agenda item, e.g. `Publiskā apspriešana 24.07.2026. -
/// 07.08.2026. Viedokļu pārskats (18.08.2026. 16:09)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationLine {
    /// The kind of participation as written, e.g. `Publiskā apspriešana`.
    pub kind: String,
    /// The comment window, both days inclusive.
    pub window: CommentWindow,
    /// What became of the opinions given.
    pub opinions: OpinionsOutcome,
}

/// What the participation line says about the opinions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpinionsOutcome {
    /// Nothing yet (the line ends after the window).
    Pending,
    /// `Viedokļi nav saņemti`: nobody commented.
    NoneReceived,
    /// `Viedokļu pārskats (…)`: the summary of opinions, published at that time.
    Overview {
        /// When the summary was published (Europe/Riga wall time).
        published_at: NaiveDateTime,
        /// The summary document, when linked.
        url: Option<Url>,
    },
}

/// An agenda item's documents, sorted by what they are (their link path).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgendaDocuments {
    /// `/structuralizer/data/nodes/<uuid>/preview`: the draft text, protocol decision draft,
    /// consolidated version.
    pub previews: Vec<DocumentLink>,
    /// `/annotation/<uuid>`: the annotation (ex-ante impact report).
    pub annotations: Vec<DocumentLink>,
    /// `/reviews/resolutions/<uuid>`: institutions' and NGOs' opinions.
    pub opinions: Vec<DocumentLink>,
    /// Downloads (`…/download`): Izziņa and other attachments, except the participation
    /// summary, which is in [`OpinionsOutcome::Overview`].
    pub attachments: Vec<DocumentLink>,
}

/// A link to a document with its text as written (`FM`, `VEA - pēc termiņa`, `Izziņa`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    /// The link text.
    pub title: String,
    /// The absolute URL.
    pub url: Url,
}

impl DocumentLink {
    /// Whether an opinion's link says it came after the deadline (`VEA - pēc termiņa`).
    pub fn is_late(&self) -> bool {
        self.title.contains("pēc termiņa")
    }
}

/// Parse one page of a meetings list of `kind`. `base_url` resolves relative links.
///
/// Errors: the firewall's page, a page without the grid, a grid without rows, and the first
/// row without a date, name or link, with an impossible date, a protocol not written
/// `Nr. N`, or a link outside `kind`'s section (the wrong list was read).
pub fn parse_meetings_page(
    html: &str,
    base_url: &Url,
    kind: MeetingKind,
) -> Result<MeetingsPage, PageError> {
    let (document, paginator) = grid_page(
        html,
        base_url,
        &ROW,
        &[COLUMN_DATE, COLUMN_NAME, COLUMN_PROTOCOL],
        EXPECTED_LIST,
    )?;
    let meetings = parse_rows(
        document.select(&ROW),
        EXPECTED_LIST,
        |row| find_cell(*row, COLUMN_NAME).and_then(flextable::cell_value),
        |row| parse_meeting(*row, base_url, kind),
    )?;
    Ok(MeetingsPage {
        kind,
        meetings,
        paginator,
        app_version: flextable::app_version(&document),
    })
}

/// Parse a meeting's agenda page (VSS or Cabinet). `base_url` resolves relative links.
///
/// An item's documents and participation line are the links and the
/// `[data-collapse-recipient$=-public-participation]` block that follow its row, up to the
/// next item's row: that holds whether the portal nests them in the row's wrapper or not.
///
/// Errors: the firewall's page, a page without agenda rows or header, an agenda without
/// items, and the first item without a number, TA number or question, or whose
/// participation line cannot be read (e.g. an impossible date).
pub fn parse_agenda_page(
    html: &str,
    base_url: &Url,
    kind: MeetingKind,
) -> Result<Agenda, PageError> {
    let (document, _) = grid_page(
        html,
        base_url,
        &AGENDA_ROW,
        &[COLUMN_ITEM_NUMBER, COLUMN_ITEM_ID, COLUMN_QUESTION],
        EXPECTED_AGENDA,
    )?;
    let items = parse_rows(
        item_scopes(&document),
        EXPECTED_AGENDA,
        |scope| find_cell(scope.row, COLUMN_ITEM_NUMBER).and_then(flextable::cell_value),
        |scope| parse_agenda_item(scope, base_url),
    )?;
    Ok(Agenda { kind, items })
}

fn parse_meeting(
    row: ElementRef<'_>,
    base_url: &Url,
    kind: MeetingKind,
) -> Result<Meeting, RowProblem> {
    let url = row_link(row, base_url)?;
    if !is_page_in(&url, kind.list_path()) {
        return Err(RowProblem::BadLink(url.to_string()));
    }
    let date = required_cell(row, COLUMN_DATE)?;
    let starts_at = parse_date_time(&date).ok_or(RowProblem::UnreadableDateTime {
        column: COLUMN_DATE,
        text: date,
    })?;
    let protocol = match optional_cell(row, COLUMN_PROTOCOL)? {
        None => None,
        Some(text) => {
            let number = text
                .strip_prefix("Nr.")
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| RowProblem::UnreadableText {
                    what: "the protocol",
                    text: text.clone(),
                })?;
            Some(Protocol {
                number: number.to_owned(),
                url: cell_link_in(row, COLUMN_PROTOCOL, base_url, "/meetings/protocols"),
            })
        }
    };
    Ok(Meeting {
        starts_at,
        name: required_cell(row, COLUMN_NAME)?,
        protocol,
        url,
    })
}

/// One agenda row with the links and participation block that belong to it.
struct ItemScope<'a> {
    row: ElementRef<'a>,
    links: Vec<ElementRef<'a>>,
    participation: Option<ElementRef<'a>>,
}

/// Split the page in document order: each agenda row starts an item that owns the links and
/// the participation block up to the next row. Links before the first row (the menu) belong
/// to no item.
fn item_scopes(document: &Html) -> Vec<ItemScope<'_>> {
    let mut scopes: Vec<ItemScope<'_>> = Vec::new();
    for node in document.root_element().descendants() {
        let Some(element) = ElementRef::wrap(node) else {
            continue;
        };
        if AGENDA_ROW.matches(&element) {
            scopes.push(ItemScope {
                row: element,
                links: Vec::new(),
                participation: None,
            });
        } else if let Some(scope) = scopes.last_mut() {
            if LINK.matches(&element) {
                scope.links.push(element);
            } else if PARTICIPATION_BLOCK.matches(&element) && scope.participation.is_none() {
                scope.participation = Some(element);
            }
        }
    }
    scopes
}

fn parse_agenda_item(scope: &ItemScope<'_>, base_url: &Url) -> Result<AgendaItem, RowProblem> {
    let row = scope.row;
    let number = required_cell(row, COLUMN_ITEM_NUMBER)?;
    let (ta_number, restricted) = split_restricted(&required_cell(row, COLUMN_ITEM_ID)?);
    let written_question = required_cell(row, COLUMN_QUESTION)?;
    let (question, document_count) = match DOCUMENT_COUNT.captures(&written_question) {
        Some(found) => (
            written_question[..found.get_match().start()].to_owned(),
            found["count"].parse().ok(),
        ),
        None => (written_question.clone(), None),
    };
    let status = optional_cell(row, COLUMN_STATUS)?;
    let mut markers = markers_of(&question);
    markers.extend(status.as_deref().map(markers_of).unwrap_or_default());
    markers.sort_unstable();
    markers.dedup();
    let participation = scope
        .participation
        .map(|block| parse_participation(block, base_url))
        .transpose()?;
    let documents = sort_documents(scope, base_url);
    Ok(AgendaItem {
        number,
        ta_number,
        restricted,
        legal_act_url: cell_link_in(row, COLUMN_ITEM_ID, base_url, "/legal_acts"),
        question,
        document_count,
        presenter: optional_cell(row, COLUMN_PRESENTER)?,
        status,
        markers,
        participation,
        documents,
    })
}

/// The item's document links by kind; the participation block's own link (the summary of
/// opinions) is part of the participation line, not a document here.
fn sort_documents(scope: &ItemScope<'_>, base_url: &Url) -> AgendaDocuments {
    let participation_links: Vec<ElementRef<'_>> = scope
        .participation
        .map(|block| block.select(&LINK).collect())
        .unwrap_or_default();
    let mut documents = AgendaDocuments::default();
    for link in scope
        .links
        .iter()
        .filter(|l| !participation_links.contains(l))
    {
        let Some(url) = link.attr("href").and_then(|h| base_url.join(h).ok()) else {
            continue;
        };
        let path = url.path();
        let bucket =
            if path.starts_with("/structuralizer/data/nodes/") && path.ends_with("/preview") {
                &mut documents.previews
            } else if is_page_in(&url, "/annotation") {
                &mut documents.annotations
            } else if is_page_in(&url, "/reviews/resolutions") {
                &mut documents.opinions
            } else if path.ends_with("/download") {
                &mut documents.attachments
            } else {
                continue;
            };
        bucket.push(DocumentLink {
            title: flextable::collapsed_text(*link),
            url,
        });
    }
    documents
}

/// The markers in `text`, outside the quoted title: a title may itself contain a word like
/// "atlikt", the markers TAP adds never stand inside the quotes.
fn markers_of(text: &str) -> Vec<AgendaMarker> {
    const QUOTES: &[char] = &['"', '“', '”', '„'];
    let outside = match (text.find(QUOTES), text.rfind(QUOTES)) {
        (Some(first), Some(last)) if first < last => {
            let closing = text[last..].chars().next().map_or(1, char::len_utf8);
            format!("{} {}", &text[..first], &text[last + closing..])
        }
        _ => text.to_owned(),
    };
    MARKER
        .find_iter(&outside)
        .filter_map(|m| AgendaMarker::from_word(m.as_str()))
        .collect()
}

fn parse_participation(
    block: ElementRef<'_>,
    base_url: &Url,
) -> Result<ParticipationLine, RowProblem> {
    let text = flextable::collapsed_text(block);
    let unreadable = || RowProblem::UnreadableText {
        what: "the participation line",
        text: text.clone(),
    };
    let line = PARTICIPATION_LINE.captures(&text).ok_or_else(unreadable)?;
    let window = parse_window(&line["window"]).ok_or_else(unreadable)?;
    let opinions = match line.name("opinions").map(|m| m.as_str().trim()) {
        None | Some("") => OpinionsOutcome::Pending,
        Some("Viedokļi nav saņemti") => OpinionsOutcome::NoneReceived,
        Some(other) => {
            let published_at = OVERVIEW
                .captures(other)
                .and_then(|overview| parse_date_time(&overview["published"]))
                .ok_or_else(unreadable)?;
            OpinionsOutcome::Overview {
                published_at,
                url: block
                    .select(&LINK)
                    .find_map(|a| base_url.join(a.attr("href")?).ok()),
            }
        }
    };
    Ok(ParticipationLine {
        kind: line["kind"].to_owned(),
        window,
        opinions,
    })
}
