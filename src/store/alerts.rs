//! Admin alert bookkeeping: one row per incident, recorded before the alert is mailed and
//! marked sent after the server accepted it, so a restart neither repeats nor forgets one.
//! Deciding *which* incidents deserve an alert belongs to [`crate::alerts`].

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, optional_timestamp_column, timestamp_column, timestamp_to_sql};

/// Identifies one incident: what broke, on what, since when.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlertKey {
    /// Kind of problem (a stable token such as `source_failing`).
    pub kind: String,
    /// What it is about (source name, Message-ID, error text).
    pub subject: String,
    /// When the incident began.
    pub incident_start: DateTime<Utc>,
}

/// A recorded alert, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRow {
    /// The incident.
    pub key: AlertKey,
    /// The alert mail's subject line.
    pub mail_subject: String,
    /// The alert mail's body: what the admin reads.
    pub mail_body: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When the mail server accepted it; `None` while it still has to be sent.
    pub sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Whether this incident was already recorded (sent or waiting to be sent).
    pub fn alert_known(&self, key: &AlertKey) -> Result<bool, StoreError> {
        let read = || -> rusqlite::Result<bool> {
            self.conn
                .query_row(
                    "SELECT 1 FROM alerts WHERE kind = ?1 AND subject = ?2 AND incident_start = ?3",
                    params![key.kind, key.subject, timestamp_to_sql(key.incident_start)],
                    |_| Ok(()),
                )
                .optional()
                .map(|found| found.is_some())
        };
        read().map_err(|e| self.query_error("looking up an alert", e))
    }

    /// Record an incident before mailing it. Returns false (changing nothing) when it was
    /// recorded before.
    pub fn record_alert(
        &mut self,
        key: &AlertKey,
        mail_subject: &str,
        mail_body: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self.conn.execute(
            "INSERT OR IGNORE INTO alerts \
             (kind, subject, incident_start, mail_subject, mail_body, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                key.kind,
                key.subject,
                timestamp_to_sql(key.incident_start),
                mail_subject,
                mail_body,
                timestamp_to_sql(at)
            ],
        );
        result
            .map(|inserted| inserted > 0)
            .map_err(|e| self.query_error("recording an alert", e))
    }

    /// Alerts recorded but not yet accepted by the mail server, oldest first.
    pub fn unsent_alerts(&self) -> Result<Vec<AlertRow>, StoreError> {
        self.query_alerts("WHERE sent_at IS NULL")
    }

    /// Every recorded alert, oldest first (for tests and status output).
    pub fn list_alerts(&self) -> Result<Vec<AlertRow>, StoreError> {
        self.query_alerts("")
    }

    /// The mail server accepted the alert for `key`.
    pub fn mark_alert_sent(
        &mut self,
        key: &AlertKey,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = self.conn.execute(
            "UPDATE alerts SET message_id = ?1, sent_at = ?2 \
             WHERE kind = ?3 AND subject = ?4 AND incident_start = ?5 AND sent_at IS NULL",
            params![
                message_id,
                timestamp_to_sql(at),
                key.kind,
                key.subject,
                timestamp_to_sql(key.incident_start)
            ],
        );
        result
            .map(|_| ())
            .map_err(|e| self.query_error("marking an alert sent", e))
    }

    fn query_alerts(&self, condition: &str) -> Result<Vec<AlertRow>, StoreError> {
        let sql = format!(
            "SELECT kind, subject, incident_start, mail_subject, mail_body, recorded_at, sent_at \
             FROM alerts \
             {condition} ORDER BY recorded_at, kind, subject"
        );
        let read = || -> rusqlite::Result<Vec<AlertRow>> {
            let mut statement = self.conn.prepare_cached(&sql)?;
            let rows = statement.query_map([], |row| {
                Ok(AlertRow {
                    key: AlertKey {
                        kind: row.get(0)?,
                        subject: row.get(1)?,
                        incident_start: timestamp_column(row, 2)?,
                    },
                    mail_subject: row.get(3)?,
                    mail_body: row.get(4)?,
                    recorded_at: timestamp_column(row, 5)?,
                    sent_at: optional_timestamp_column(row, 6)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("reading alerts", e))
    }
}
