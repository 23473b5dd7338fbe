//! The SQLite store: the durable buffer between polling and digests.
//!
//! [`Store`] owns one synchronous [`rusqlite::Connection`]. It opens the database file with the
//! pragmas draftwatch relies on (WAL, `synchronous=NORMAL`, foreign keys, a busy timeout),
//! applies the embedded migrations from `migrations/`, and offers the few queries the other
//! stages need: recording a poll in one transaction, merging a draft's views by TA number
//! (`drafts`), its comment windows, opinions and history events (`history`), poll history
//! (`polls`),
//! delivery bookkeeping (`deliveries`), the digest ledger with reminders (`outbox`),
//! admin alerts sent once per incident (`alerts`), retention and backups (`maintenance`), and
//! drafts' annotation and document texts, kept apart and loaded only on demand (`texts`).
//!
//! It is not responsible for scheduling, matching or sending mail, and it is not async: jobs
//! that share one store hold it as a [`SharedStore`] and lock it for short synchronous calls,
//! never across an `.await`.
//! Each call is one small query or transaction on a local file, so it blocks the calling
//! worker thread briefly (up to `BUSY_TIMEOUT` when another process holds the write lock).
//!
//! Storage conventions: instants are UTC RFC 3339 text with nanoseconds and a `Z` suffix (fixed
//! width, so text order is time order); comment-window days are Riga-local `YYYY-MM-DD` text.

mod alerts;
mod deliveries;
mod drafts;
mod history;
mod maintenance;
mod outbox;
mod polls;
mod texts;
mod verdicts;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use include_dir::{Dir, include_dir};
use rusqlite::Connection;
use rusqlite::types::Type;
use rusqlite_migration::{Migrations, SchemaVersion};

pub use alerts::{AlertKey, AlertRow};
pub use drafts::{DraftChange, DraftField, DraftFilter, FINAL_STAGES};
pub use history::{DraftEvent, DraftEventKind, OpenWindow};
pub use maintenance::{BackupError, PruneCounts};
pub use outbox::{
    NewOutboxEntry, OUTBOX_CLAIM_LEASE, OutboxEntry, OutboxStatus, OutboxSummary, RecipientDigests,
    RecordedEnvelopeError, ReminderKey,
};
pub use polls::{FailureRun, PollCounts, PollFailure, PollOutcome, PollRecord, PollRow};
pub use texts::{TextFailure, TextLinks, TextsRead, TextsRecorded, TextsState, TextsWanted};
pub use verdicts::{
    CandidateRecipient, DraftVerdicts, VerdictsRead, read_or_evaluate, watchlist_set_version,
};

/// The migrations, embedded at build time so the binary carries its own schema.
static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// How long a statement waits for another connection's write lock before giving up; long
/// enough for a CLI command and the daemon to share the file without spurious failures.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not do what was asked. Every message names the database file, because
/// the reader is an admin looking at a log, not at the code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The folder meant to hold the database does not exist and could not be created.
    #[error("cannot create the folder {} for database {}: {source}", .folder.display(), .path.display())]
    CreateFolder {
        /// The folder that was being created.
        folder: PathBuf,
        /// The database file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file could not be opened as an SQLite database.
    #[error("cannot open database {}: {source}", .path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A connection setting could not be applied.
    #[error("database {}: cannot set {setting}: {source}", .path.display())]
    Setting {
        /// The database file.
        path: PathBuf,
        /// Which setting (pragma) failed.
        setting: &'static str,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// SQLite accepted `journal_mode=WAL` but reports another mode (e.g. on a network share),
    /// so concurrent readers would block the writer.
    #[error(
        "database {}: write-ahead logging could not be enabled (journal mode is {mode:?}); \
         put the database on a local disk",
        .path.display()
    )]
    WalUnavailable {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite reported instead of `wal`.
        mode: String,
    },
    /// The database was written by a newer draftwatch whose schema this binary does not know.
    /// Refusing is safer than running old code against tables it does not understand.
    #[error(
        "database {} has schema version {found} but this draftwatch only knows versions up to \
         {known}; it was created by a newer draftwatch: install that version again instead of \
         downgrading",
        .path.display()
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: usize,
        /// The newest schema version this binary knows.
        known: usize,
    },
    /// Applying the schema migrations failed; the database is left at its previous version.
    #[error("database {}: schema migration failed: {source}", .path.display())]
    Migration {
        /// The database file.
        path: PathBuf,
        /// What the migration library said.
        source: rusqlite_migration::Error,
    },
    /// A query failed (or a stored value could not be read back); nothing of the failed
    /// operation was written.
    #[error("database {}: {action} failed: {source}", .path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What the store was doing, in words ("recording a poll").
        action: &'static str,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A job panicked while it held the shared store, so whatever it was doing in memory
    /// was cut short. SQLite rolled back its unfinished transaction, but the process is in
    /// a state nobody planned for; restarting draftwatch is the way out.
    #[error(
        "database {}: unusable in this process since a job panicked while using it; restart \
         draftwatch",
        .path.display()
    )]
    Poisoned {
        /// The database file.
        path: PathBuf,
    },
}

/// The store: one open database file. `Send` but not `Sync`; share it behind a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) the database at `path`, set the connection pragmas and bring
    /// the schema up to date. Creates the parent folder when missing so a fresh install works
    /// without manual steps. Fails with [`StoreError::SchemaTooNew`] rather than touch a
    /// database from a newer draftwatch.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let path_buf = path.to_path_buf();
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::CreateFolder {
                folder: folder.to_path_buf(),
                path: path_buf.clone(),
                source,
            })?;
        }
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path_buf.clone(),
            source,
        })?;
        configure_connection(&conn, &path_buf)?;
        migrate(&mut conn, &path_buf)?;
        Ok(Store {
            conn,
            path: path_buf,
        })
    }

    /// The database file this store was opened on (for messages and diagnostics).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database answers at all (`SELECT 1`): the daemon's systemd watchdog pings
    /// only while this succeeds, so a wedged database gets the service restarted.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("SELECT 1", [], |_| Ok(()))
            .map_err(|e| self.query_error("answering a liveness check", e))
    }

    /// Wrap a query failure with the file name and what the store was doing.
    fn query_error(&self, action: &'static str, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            action,
            source,
        }
    }
}

/// `value` as the JSON text a column stores (lists, payloads, verdicts).
fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The JSON text read from column `column` as a value; text this binary cannot read is a
/// conversion error naming the column.
fn from_json<T: serde::de::DeserializeOwned>(text: &str, column: usize) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
}

/// The embedded migrations. Public within the crate so tests can validate them.
pub(crate) fn migrations() -> Result<Migrations<'static>, rusqlite_migration::Error> {
    Migrations::from_directory(&MIGRATIONS_DIR)
}

/// Pragmas that must be set per connection and outside any transaction.
fn configure_connection(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let setting_error = |setting: &'static str| {
        move |source| StoreError::Setting {
            path: path.to_path_buf(),
            setting,
            source,
        }
    };
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(setting_error("busy_timeout"))?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(setting_error("journal_mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::WalUnavailable {
            path: path.to_path_buf(),
            mode,
        });
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(setting_error("synchronous"))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(setting_error("foreign_keys"))?;
    Ok(())
}

/// Bring the schema to the newest embedded version, refusing databases from the future.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let migration_error = |source| StoreError::Migration {
        path: path.to_path_buf(),
        source,
    };
    let migrations = migrations().map_err(migration_error)?;
    let known = MIGRATIONS_DIR.dirs().count();
    if let SchemaVersion::Outside(found) =
        migrations.current_version(conn).map_err(migration_error)?
    {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found: found.get(),
            known,
        });
    }
    migrations.to_latest(conn).map_err(migration_error)
}

/// Instant → stored text (see the module docs for the format).
fn timestamp_to_sql(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Stored text → instant, reporting a malformed value as a conversion error on `column`.
fn timestamp_from_sql(text: &str, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
}

/// Read a required instant column.
fn timestamp_column(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(column)?;
    timestamp_from_sql(&text, column)
}

/// Read an optional instant column.
fn optional_timestamp_column(
    row: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| timestamp_from_sql(&t, column)).transpose()
}

/// Calendar day → stored text.
fn date_to_sql(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Read an optional calendar-day column.
fn optional_date_column(
    row: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
    })
    .transpose()
}

/// One store shared by the jobs of a process (the daemon's polls, digests and alerts, or a
/// CLI command), with one locking rule for all of them.
///
/// Why one rule: callers used to differ, one carrying on after a panic elsewhere while others
/// refused. A panic while holding the lock means that job's work was cut short at a point
/// nobody planned for, so every caller now gets [`StoreError::Poisoned`] instead of guessing.
#[derive(Debug)]
pub struct SharedStore {
    store: Mutex<Store>,
    /// The database file, kept outside the lock so a poisoned lock can still name it.
    path: PathBuf,
}

impl SharedStore {
    /// Share `store`.
    pub fn new(store: Store) -> Self {
        let path = store.path().to_path_buf();
        SharedStore {
            store: Mutex::new(store),
            path,
        }
    }

    /// Open the database at `path` (see [`Store::open`]) and share it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Store::open(path).map(SharedStore::new)
    }

    /// The store, for one short synchronous use; never hold the guard across an `.await`.
    pub fn lock(&self) -> Result<MutexGuard<'_, Store>, StoreError> {
        self.store.lock().map_err(|_| StoreError::Poisoned {
            path: self.path.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migrations_validate() {
        let migrations = migrations().expect("the migrations directory loads");
        migrations.validate().expect("migrations apply cleanly");
    }

    #[test]
    fn timestamps_round_trip_and_sort_as_text() {
        let early = DateTime::parse_from_rfc3339("2026-03-01T07:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        let later = early + chrono::Duration::nanoseconds(1_500);
        let (early_text, later_text) = (timestamp_to_sql(early), timestamp_to_sql(later));
        assert_eq!(early_text, "2026-03-01T07:00:00.000000000Z");
        assert!(early_text < later_text);
        assert_eq!(timestamp_from_sql(&later_text, 0).expect("parses"), later);
        assert!(timestamp_from_sql("yesterday", 0).is_err());
    }
}
