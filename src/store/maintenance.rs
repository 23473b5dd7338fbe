//! Keeping the database small and safe over years: [`Store::prune`] removes what only grows
//! with time (old poll rows, the bytes of old sent digests) by `[retention]`, and
//! [`Store::backup_into`] writes an online, consistent copy of the database.
//!
//! What prune never removes, and why: drafts, their change history (`draft_changes`, and the
//! poll rows it points at), deliveries, reminders and the outbox rows are what digests,
//! `explain` and `outbox` are built from. A source's last successful poll and every poll
//! after it are kept too: that failure run is what status and the admin alerts measure
//! (an incident is keyed by its first failed poll), so pruning it would restart an incident
//! and mail the admin about it again.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{TransactionBehavior, params};

use super::{Store, StoreError, timestamp_to_sql};
use crate::config::RetentionConfig;

/// What one [`Store::prune`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PruneCounts {
    /// Poll rows deleted.
    pub polls_deleted: usize,
    /// Sent digests whose message bytes were dropped (their rows stay).
    pub outbox_messages_dropped: usize,
}

/// Why a backup could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// The destination exists; a backup never overwrites a file (it may be the previous
    /// good backup, or the database itself).
    #[error("{} already exists; a backup never overwrites a file: choose a new name", .path.display())]
    Exists {
        /// The destination.
        path: PathBuf,
    },
    /// The destination could not be created, written or flushed to disk.
    #[error("backup {}: {action} failed: {error}", .path.display())]
    Io {
        /// The destination.
        path: PathBuf,
        /// What was being done ("creating the file", "flushing it to disk").
        action: &'static str,
        /// What the operating system said (in the message, not a separate cause, so that
        /// `{:#}` does not print it twice).
        error: std::io::Error,
    },
    /// SQLite could not write the copy; the partial file was removed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `now - keep`, or the beginning of time when `keep` reaches past it (nothing is old then).
fn cutoff(now: DateTime<Utc>, keep: std::time::Duration) -> String {
    let at = TimeDelta::from_std(keep)
        .ok()
        .and_then(|keep| now.checked_sub_signed(keep))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    timestamp_to_sql(at)
}

impl Store {
    /// Remove records older than `retention` allows at `now`, in one transaction; see the
    /// module docs for what is always kept. Sent digests keep their row, their bytes become
    /// empty (`outbox --resend` refuses such a digest).
    pub fn prune(
        &mut self,
        now: DateTime<Utc>,
        retention: &RetentionConfig,
    ) -> Result<PruneCounts, StoreError> {
        let polls_before = cutoff(now, retention.polls);
        let messages_before = cutoff(now, retention.outbox_messages);
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<PruneCounts> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // A source that never succeeded has no `last_ok` row: its comparison is NULL and
            // none of its polls go (they are all one failure run).
            let polls_deleted = tx.execute(
                "WITH last_ok AS (SELECT source, max(finished) AS finished FROM polls \
                                  WHERE outcome = 'ok' GROUP BY source) \
                 DELETE FROM polls \
                 WHERE finished < ?1 \
                   AND finished < (SELECT finished FROM last_ok WHERE last_ok.source = polls.source) \
                   AND id NOT IN (SELECT poll_id FROM draft_changes)",
                params![polls_before],
            )?;
            let outbox_messages_dropped = tx.execute(
                "UPDATE outbox SET raw_message = X'' \
                 WHERE status = 'sent' AND sent_at < ?1 AND length(raw_message) > 0",
                params![messages_before],
            )?;
            tx.commit()?;
            Ok(PruneCounts {
                polls_deleted,
                outbox_messages_dropped,
            })
        };
        write(&mut self.conn).map_err(|e| self.query_error("pruning old records", e))
    }

    /// Write a consistent copy of the whole database to `destination` with SQLite's
    /// `VACUUM INTO`, while other connections (the daemon) go on reading and writing: the
    /// copy is one read snapshot, so it holds every committed transaction up to its start
    /// and nothing of one still open. The file is created anew (an existing one is never
    /// overwritten), flushed to disk with its folder entry, and its size returned.
    ///
    /// Why `VACUUM INTO` rather than copying the file: a copy of a WAL database taken while
    /// it is written can miss pages still in the `-wal` file or mix two transactions.
    pub fn backup_into(&self, destination: &Path) -> Result<u64, BackupError> {
        let io_error = |action: &'static str| {
            move |error: std::io::Error| BackupError::Io {
                path: destination.to_path_buf(),
                action,
                error,
            }
        };
        // SQLite takes the name as text; a lossy conversion could write somewhere else.
        let Some(name) = destination.to_str() else {
            return Err(io_error("naming the file")(std::io::Error::new(
                ErrorKind::InvalidInput,
                "the path is not valid UTF-8",
            )));
        };
        // Creating the file exclusively is the overwrite check without a race; SQLite
        // accepts an empty file as the target of VACUUM INTO.
        let created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(destination);
        match created {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(BackupError::Exists {
                    path: destination.to_path_buf(),
                });
            }
            Err(e) => return Err(io_error("creating the file")(e)),
        }
        let copied = self
            .conn
            .execute("VACUUM INTO ?1", params![name])
            .map_err(|e| self.query_error("writing the backup", e));
        if let Err(error) = copied {
            // Best effort: a half-written copy must not be mistaken for a backup.
            let _ = std::fs::remove_file(destination);
            return Err(error.into());
        }
        let file = File::open(destination).map_err(io_error("opening the copy"))?;
        file.sync_all().map_err(io_error("flushing it to disk"))?;
        sync_folder_of(destination).map_err(io_error("flushing its folder to disk"))?;
        let size = file.metadata().map_err(io_error("reading its size"))?.len();
        Ok(size)
    }
}

/// Flush the folder entry of a new file, so the file survives a power cut (fsync of the file
/// alone does not make its name durable).
fn sync_folder_of(path: &Path) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}
