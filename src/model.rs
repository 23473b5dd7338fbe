//! Plain data shared by every stage: drafts as scraped from a portal and as stored.
//!
//! Nothing here does I/O. Sources produce [`ScrapedDraft`]s, the store turns them into
//! [`StoredDraft`]s, the matcher and the digest read them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A public-consultation window: the inclusive range of Riga-local calendar days in which
/// anyone may comment. The portals publish dates, not instants; the window closes at the end
/// of `to` in Europe/Riga.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommentWindow {
    /// First day on which comments are accepted.
    pub from: NaiveDate,
    /// Last day on which comments are accepted (inclusive).
    pub to: NaiveDate,
}

impl CommentWindow {
    /// Whether `day` (a Riga-local date) lies inside the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// Calendar days left to comment, counting today as day 0 of the remaining time:
    /// 0 means the window closes at the end of today, negative means it has closed.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.to - today).num_days()
    }
}

/// What a source saw of one draft on one poll. `Default` only so tests can spell out the
/// fields they care about.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScrapedDraft {
    /// The portal's own stable identifier of this record (for TAP participation: the UUID in
    /// the row's `data-url`). Together with the source name it is the draft's key.
    pub external_id: String,
    /// Human identifier: the TAP number ("26-TA-2228") or a task number.
    pub ta_number: Option<String>,
    /// Title as shown on the portal, HTML entities already decoded.
    pub title: String,
    /// Kind of draft or of participation ("Publiskā apspriešana", "Likumprojekts").
    pub kind: Option<String>,
    /// Responsible ministry.
    pub ministry: Option<String>,
    /// Stage of the legislative process, when the source knows it.
    pub stage: Option<String>,
    /// Absolute URL of the draft's page on the portal.
    pub url: String,
    /// The public comment window, when the draft has one.
    pub window: Option<CommentWindow>,
    /// The portal's deadline text when it is there but not two valid dates
    /// (`32.13.2026.`): partners are told "termiņš nav nolasāms", not "no consultation".
    pub unreadable_deadline: Option<String>,
    /// Comment windows other than the public-participation one in `window` (for TAP legal
    /// acts: the coordination deadline from the list). Several kinds may be open at once.
    pub windows: Vec<KindedWindow>,
    /// Meetings, adoption and publication the list page shows for this draft.
    pub milestones: Vec<Milestone>,
    /// The portal marks the draft as restricted (`(IP)` after the TA number): its documents
    /// are not public; the id is stored without the suffix.
    pub restricted: bool,
    /// Enrichment from the detail page; `None` when it was not fetched this poll.
    pub detail: Option<DraftDetail>,
    /// Why the detail page could not be fetched this poll; the draft is still stored and the
    /// detail is retried on a later poll.
    pub detail_error: Option<String>,
}

/// Fields that only a draft's detail page carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DraftDetail {
    /// Problem and goal descriptions, joined by blank lines.
    pub description: Option<String>,
    /// "Politikas jomas".
    pub policy_areas: Vec<String>,
    /// The comment window as the detail page gives it ("Norises laiks"); used when a draft
    /// is re-checked through its detail page alone.
    pub window: Option<CommentWindow>,
    /// "Norises laiks" text that is not two valid dates.
    pub unreadable_deadline: Option<String>,
    /// Stage as the detail page gives it, when it does.
    pub stage: Option<String>,
    /// Comment windows of other kinds the detail page shows (coordination rounds).
    pub windows: Vec<KindedWindow>,
    /// Opinions already given, in any window.
    pub opinions: Vec<Opinion>,
    /// Meetings, adoption and publication the detail page shows.
    pub milestones: Vec<Milestone>,
    /// Links to the draft's annotation (ex-ante impact report) pages.
    pub annotation_urls: Vec<String>,
}

/// The kind of a comment window: who may comment, and at which point of the draft's life.
/// Stored as text ([`WindowKind::as_str`]), so later kinds (Saeima proposals, EU feedback,
/// municipal consultations) need no schema change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum WindowKind {
    /// Public participation (`Sabiedrības līdzdalība`): anyone may comment.
    PublicParticipation,
    /// Coordination (`Saskaņošana`): institutions and NGOs give opinions by
    /// `Saskaņošanas termiņš`.
    Coordination,
    /// A kind this build does not know by name, kept as stored.
    Other(String),
}

impl WindowKind {
    /// The stored and JSON name.
    pub fn as_str(&self) -> &str {
        match self {
            WindowKind::PublicParticipation => "public_participation",
            WindowKind::Coordination => "coordination",
            WindowKind::Other(name) => name,
        }
    }
}

impl From<String> for WindowKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "public_participation" => WindowKind::PublicParticipation,
            "coordination" => WindowKind::Coordination,
            _ => WindowKind::Other(name),
        }
    }
}

impl From<WindowKind> for String {
    fn from(kind: WindowKind) -> Self {
        kind.as_str().to_owned()
    }
}

/// A comment window of a given kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindedWindow {
    /// Which kind of window.
    pub kind: WindowKind,
    /// Its days (inclusive, Europe/Riga).
    pub window: CommentWindow,
    /// Where to submit an opinion (a URL or an address), when the portal says.
    pub submit_to: Option<String>,
}

/// An opinion already given on a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opinion {
    /// The window it was given in.
    pub window_kind: WindowKind,
    /// Who gave it: an organisation's name; for a private person, as the portal shows it
    /// (digests count private persons instead of naming them).
    pub submitter: String,
    /// True for an organisation (legal person), false for a private person.
    pub legal_person: bool,
    /// When it was given.
    pub given_on: Option<NaiveDate>,
    /// Given after the deadline ("pēc termiņa").
    pub late: bool,
}

/// Which government meeting a draft was put on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meeting {
    /// State Secretaries' meeting (VSS): the draft is announced and coordination starts.
    StateSecretaries,
    /// Cabinet meeting: the draft is to be decided.
    Cabinet,
}

/// A step in a draft's life after it was drafted, as a portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Milestone {
    /// Put on a meeting's agenda.
    OnAgenda {
        /// Which meeting.
        meeting: Meeting,
        /// Its Riga-local date.
        date: NaiveDate,
        /// The agenda item number, when known.
        item: Option<String>,
        /// Status markers shown with the item (`iekļauts papildus`, `atlikt`).
        markers: Vec<String>,
        /// The agenda's URL.
        url: Option<String>,
    },
    /// Adopted (`Pieņemts`).
    Adopted {
        /// When, if the portal says.
        date: Option<NaiveDate>,
    },
    /// Published in Latvijas Vēstnesis.
    Published {
        /// Publication number (`2026/123.4`).
        number: Option<String>,
        /// Publication date.
        date: Option<NaiveDate>,
        /// Link to the publication.
        url: Option<String>,
    },
}

/// Impact answer of the annotation's `8.1.N` checklist ("Vai projekts skar šo jomu?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactAnswer {
    /// `Jā`.
    Yes,
    /// `Nē`.
    No,
    /// `-` or no answer.
    Missing,
}

/// One `8.1.N` horizontal-impact item of a draft's annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImpactItem {
    /// The item number as printed (`8.1.16`).
    pub number: String,
    /// The item's wording (`uz bērna labākajām interesēm`).
    pub label: String,
    /// The answer.
    pub answer: ImpactAnswer,
    /// The ministry's explanation after a `Jā`.
    pub explanation: Option<String>,
}

/// What a draft's own documents say, beyond its title: the annotation's free text (answers
/// only, never the form's labels), its impact checklist, and the draft's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DraftTexts {
    /// The annotation's answers and free text, without the form's questions and headings.
    pub annotation: Option<String>,
    /// The draft's own text (structuralizer preview, DOCX or PDF).
    pub document: Option<String>,
    /// The annotation's `8.1.N` items.
    pub impacts: Vec<ImpactItem>,
}

/// A draft as kept in the store. `Default` only so tests can spell out the fields they care
/// about.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StoredDraft {
    /// Row id in the store.
    pub id: i64,
    /// Name of the configured source that found it.
    pub source: String,
    /// The portal's identifier (see [`ScrapedDraft::external_id`]).
    pub external_id: String,
    /// TAP number or task number.
    pub ta_number: Option<String>,
    /// Title.
    pub title: String,
    /// Kind of draft or of participation.
    pub kind: Option<String>,
    /// Responsible ministry.
    pub ministry: Option<String>,
    /// Stage.
    pub stage: Option<String>,
    /// Link to the portal.
    pub url: String,
    /// The public-participation window (the one digests have always listed); every window,
    /// this one included, is in `windows`.
    pub window: Option<CommentWindow>,
    /// The portal's deadline text when it could not be read as dates; `window` is then `None`
    /// and the digest says "termiņš nav nolasāms".
    pub unreadable_deadline: Option<String>,
    /// Every comment window of every kind, by kind then round.
    pub windows: Vec<StoredWindow>,
    /// The portal marks the draft restricted (`(IP)`): its documents are not public.
    pub restricted: bool,
    /// Opinions already given, as the detail pages last listed them. Read only where they
    /// are shown (a digest's candidates), empty elsewhere, and not part of `drafts --json`.
    #[serde(skip)]
    pub opinions: Vec<Opinion>,
    /// Description from the detail page.
    pub description: Option<String>,
    /// Policy areas from the detail page.
    pub policy_areas: Vec<String>,
    /// When the detail page was last read successfully; `None` until then.
    pub detail_fetched_at: Option<DateTime<Utc>>,
    /// When the detail page was last requested (read or not); followed drafts are re-checked
    /// oldest first.
    pub detail_checked_at: Option<DateTime<Utc>>,
    /// What the draft's annotation and text say; empty until they were read.
    pub texts: DraftTexts,
    /// When the portal was found to no longer have the draft (its detail page answered 404 or
    /// 410 while its window was open); `None` while it is there.
    pub vanished_at: Option<DateTime<Utc>>,
    /// When draftwatch first saw the draft.
    pub first_seen: DateTime<Utc>,
    /// When a stored field last changed (equals `first_seen` until then).
    pub last_changed: DateTime<Utc>,
}

/// A comment window as stored: one round of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredWindow {
    /// Which kind of window.
    pub kind: WindowKind,
    /// 1 for the first window of this kind on this draft, 2 for the next coordination round, ...
    pub round: u32,
    /// Its days (inclusive, Europe/Riga).
    pub window: CommentWindow,
    /// Where to submit an opinion, when the portal says.
    pub submit_to: Option<String>,
    /// When draftwatch first saw it.
    pub seen_at: DateTime<Utc>,
    /// When a poll saw its last day past; `None` while open (or not yet noticed closed).
    pub closed_at: Option<DateTime<Utc>>,
}

impl StoredDraft {
    /// The draft's windows still open on `day` (a Riga-local date), soonest-closing first.
    pub fn open_windows(&self, day: NaiveDate) -> Vec<&StoredWindow> {
        let mut open: Vec<&StoredWindow> = self
            .windows
            .iter()
            .filter(|w| w.window.contains(day))
            .collect();
        open.sort_by_key(|w| w.window.to);
        open
    }

    /// The identifier people use: the TA number when known, else the portal id.
    pub fn display_id(&self) -> &str {
        self.ta_number.as_deref().unwrap_or(&self.external_id)
    }
}

/// What the store already knows about one source's drafts, handed to a poll. It lives here,
/// not in `sources`, so the store can build it without depending on the portal adapters.
///
/// The daemon does not load every draft a source ever listed (years of history, most of a
/// poll's cost at 10,000 drafts): it hands a [`KnownLookup`] that asks the store for the few
/// ids the list pages show. Tests and small callers fill `drafts` instead; [`KnownDrafts::get`]
/// reads both.
#[derive(Debug, Clone, Default)]
pub struct KnownDrafts {
    /// This source's external_id → what the poll needs to know about that draft (a draft
    /// first seen through another view is known here once this source has seen it too).
    pub drafts: HashMap<String, KnownDraft>,
    /// Asked for ids not in `drafts`.
    pub lookup: Option<std::sync::Arc<dyn KnownLookup>>,
    /// Drafts someone was told about whose window is still open, least recently checked
    /// first. Paging stops at the first page of known drafts, so a deadline moved on a draft
    /// deep in the list would never be seen; these are re-read through their detail page,
    /// within a per-poll budget.
    pub recheck: Vec<RecheckCandidate>,
}

impl KnownDrafts {
    /// What is known about `external_id`, if the source has seen it.
    pub fn get(&self, external_id: &str) -> Option<KnownDraft> {
        match self.drafts.get(external_id) {
            Some(known) => Some(known.clone()),
            None => self.lookup.as_ref()?.lookup(external_id),
        }
    }

    /// Whether the source has seen `external_id`.
    pub fn contains(&self, external_id: &str) -> bool {
        self.get(external_id).is_some()
    }
}

/// Answers "has this source seen this draft?" one id at a time (see [`KnownDrafts`]). A
/// lookup that fails answers `None` (and says so in the log): the draft is then treated as
/// new, which costs a detail request or a list page more, never a missed draft.
pub trait KnownLookup: std::fmt::Debug + Send + Sync {
    /// What is known about `external_id`, if the source has seen it.
    fn lookup(&self, external_id: &str) -> Option<KnownDraft>;
}

/// One known draft.
#[derive(Debug, Clone, Default)]
pub struct KnownDraft {
    /// Its portal URL (used to retry a detail page without re-reading the list).
    pub url: String,
    /// True while the detail page has never been read successfully.
    pub needs_detail: bool,
}

/// A followed draft with an open window, due for a look at its detail page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckCandidate {
    /// The portal's identifier.
    pub external_id: String,
    /// Its detail page.
    pub url: String,
}

/// What re-reading a known draft's detail page found.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailCheck {
    /// The portal's identifier of the draft.
    pub external_id: String,
    /// The finding.
    pub outcome: DetailCheckOutcome,
}

/// The finding of one [`DetailCheck`].
#[derive(Debug, Clone, PartialEq)]
pub enum DetailCheckOutcome {
    /// The page was read; its window (or unreadable deadline) and detail fields are current.
    Read(DraftDetail),
    /// The page answered 404 or 410 (the text says which): the draft is gone from the portal.
    Gone(String),
    /// The page could not be read this time; retried on a later poll.
    Failed(String),
}
