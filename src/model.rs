//! Plain data shared by every stage: drafts as scraped from a portal and as stored.
//!
//! Nothing here does I/O. Sources produce [`ScrapedDraft`]s, the store turns them into
//! [`StoredDraft`]s, the matcher and the digest read them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

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

/// What a source saw of one draft on one poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// A draft as kept in the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Comment window.
    pub window: Option<CommentWindow>,
    /// Description from the detail page.
    pub description: Option<String>,
    /// Policy areas from the detail page.
    pub policy_areas: Vec<String>,
    /// When the detail page was last read successfully; `None` until then.
    pub detail_fetched_at: Option<DateTime<Utc>>,
    /// When draftwatch first saw the draft.
    pub first_seen: DateTime<Utc>,
    /// When a stored field last changed (equals `first_seen` until then).
    pub last_changed: DateTime<Utc>,
}

impl StoredDraft {
    /// The identifier people use: the TA number when known, else the portal id.
    pub fn display_id(&self) -> &str {
        self.ta_number.as_deref().unwrap_or(&self.external_id)
    }
}

impl StoredDraft {
    /// The fields the matcher reads.
    pub fn match_input(&self) -> crate::matcher::MatchInput<'_> {
        crate::matcher::MatchInput {
            title: &self.title,
            description: self.description.as_deref(),
            policy_areas: &self.policy_areas,
            ministry: self.ministry.as_deref(),
            kind: self.kind.as_deref(),
        }
    }
}
