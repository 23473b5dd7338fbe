//! Delivery bookkeeping: which drafts each recipient has already been sent, so a digest never
//! repeats a draft. The rows are written only by
//! [`Store::mark_outbox_sent`](super::Store::mark_outbox_sent), in the same transaction that
//! marks the digest sent after the mail server accepted it; what to send is decided by the
//! digest, not here.

use std::collections::HashSet;

use rusqlite::params;

use super::{Store, StoreError};

impl Store {
    /// Ids of the drafts already delivered to `recipient`, to leave out of the next digest.
    pub fn delivered_draft_ids(&self, recipient: &str) -> Result<HashSet<i64>, StoreError> {
        let read = || -> rusqlite::Result<HashSet<i64>> {
            let mut statement = self
                .conn
                .prepare_cached("SELECT draft_id FROM deliveries WHERE recipient = ?1")?;
            let rows = statement.query_map(params![recipient], |row| row.get(0))?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("reading deliveries", e))
    }
}
