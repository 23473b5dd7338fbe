//! Delivery bookkeeping: which drafts each recipient has already been sent, so a digest never
//! repeats a draft. Written only after the mail server accepted the message; what to send is
//! decided by the digest, not here.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};

use super::{Store, StoreError, timestamp_to_sql};

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

    /// Record that a digest with these drafts was accepted by the mail server. All or nothing,
    /// and idempotent: a draft already recorded for `recipient` keeps its first message id and
    /// time. Fails (writing nothing) if an id is not a stored draft.
    pub fn mark_delivered(
        &mut self,
        recipient: &str,
        draft_ids: &[i64],
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = timestamp_to_sql(at);
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO deliveries (recipient, draft_id, message_id, delivered_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?;
                for draft_id in draft_ids {
                    insert.execute(params![recipient, draft_id, message_id, at])?;
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.query_error("recording deliveries", e))
    }
}
