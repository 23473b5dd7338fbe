//! SQLite store (stub: replaced by the store work).

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{ScrapedDraft, StoredDraft};
use crate::sources::KnownDrafts;

/// Store errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Outcome of a poll, as recorded.
#[derive(Debug, Clone)]
pub struct PollRecord<'a> {
    /// Source name.
    pub source: &'a str,
    /// Start.
    pub started: DateTime<Utc>,
    /// End.
    pub finished: DateTime<Utc>,
    /// Error text when the poll failed (drafts gathered before are stored all the same).
    pub error: Option<String>,
}

/// Counts of one recorded poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PollCounts {
    /// Drafts seen.
    pub seen: u32,
    /// New.
    pub new: u32,
    /// Changed.
    pub changed: u32,
}

/// Filter for listing drafts.
#[derive(Debug, Clone, Default)]
pub struct DraftFilter {
    /// Only drafts whose window contains this day.
    pub open_on: Option<NaiveDate>,
    /// Only this source.
    pub source: Option<String>,
}

/// The store.
#[derive(Debug)]
pub struct Store {}

impl Store {
    /// Open.
    pub fn open(_path: &Path) -> Result<Self, StoreError> {
        Ok(Store {})
    }
    /// Known.
    pub fn known_drafts(&self, _source: &str) -> Result<KnownDrafts, StoreError> {
        Ok(KnownDrafts::default())
    }
    /// Record a poll.
    pub fn record_poll(
        &mut self,
        _poll: &PollRecord<'_>,
        _drafts: &[ScrapedDraft],
    ) -> Result<PollCounts, StoreError> {
        Ok(PollCounts::default())
    }
    /// List drafts.
    pub fn list_drafts(&self, _filter: &DraftFilter) -> Result<Vec<StoredDraft>, StoreError> {
        Ok(Vec::new())
    }
    /// Ids of the drafts already delivered to a recipient.
    pub fn delivered_draft_ids(
        &self,
        _recipient: &str,
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        Ok(Default::default())
    }
    /// Record that a digest with these drafts was accepted by the mail server.
    pub fn mark_delivered(
        &mut self,
        _recipient: &str,
        _draft_ids: &[i64],
        _message_id: &str,
        _at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}
