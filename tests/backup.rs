//! Backups and retention: `draftwatch backup` copies the store consistently while another
//! connection holds it (committed pages still in the WAL included, an open transaction
//! excluded) and never overwrites a file; `Store::prune` and `draftwatch prune` remove old
//! poll rows and old sent digests' bytes while drafts, their histories, the outbox rows and
//! a failure run still being tracked stay.

mod cli_harness;
mod support;

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use cli_harness::{FILE_MAIL, NOW, Setup, child_draft, stderr, stdout};
use draftwatch::config::RetentionConfig;
use draftwatch::model::ScrapedDraft;
use draftwatch::store::{
    DraftFilter, NewOutboxEntry, OutboxStatus, PollFailure, PollRecord, PruneCounts, Store,
};

/// [`NOW`] as an instant.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("valid")
        .with_timezone(&Utc)
}

/// `days` days before [`NOW`].
fn days_ago(days: i64) -> DateTime<Utc> {
    now() - Duration::days(days)
}

/// `count` distinct drafts about children.
fn drafts(count: usize) -> Vec<ScrapedDraft> {
    let window = (
        NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
        NaiveDate::from_ymd_opt(2026, 9, 30).expect("date"),
    );
    (0..count)
        .map(|i| ScrapedDraft {
            external_id: format!("uuid-{i}"),
            ta_number: Some(format!("26-TA-{i}")),
            ..child_draft(window)
        })
        .collect()
}

/// A configuration whose source is never contacted (these tests do not poll).
fn setup() -> Setup {
    Setup::new("http://127.0.0.1:9", FILE_MAIL, &["berni"])
}

/// Run the binary synchronously at [`NOW`] (these tests hold connections open meanwhile).
fn run(setup: &Setup, args: &[&str]) -> std::process::Output {
    setup
        .command_at(NOW, args)
        .output()
        .expect("draftwatch runs")
}

/// `(external_id, title)` of every draft in the store at `path`.
fn draft_titles(path: &Path) -> Vec<(String, String)> {
    let store = Store::open(path).expect("store opens");
    store
        .list_drafts(&DraftFilter::default())
        .expect("drafts")
        .into_iter()
        .map(|draft| (draft.external_id, draft.title))
        .collect()
}

#[test]
fn backup_while_another_connection_writes_is_a_consistent_copy() {
    let setup = setup();
    let db = setup.store_path();
    // The daemon's store, still open: its committed poll sits in the WAL, not yet in the
    // main file.
    let mut daemon_store = Store::open(&db).expect("store opens");
    let poll = PollRecord {
        source: "tap",
        started: now(),
        finished: now(),
        error: None,
    };
    daemon_store
        .record_poll(&poll, &drafts(3))
        .expect("poll recorded");
    assert!(
        db.with_file_name("draftwatch.sqlite3-wal")
            .metadata()
            .is_ok_and(|m| m.len() > 0),
        "the committed poll is in the WAL"
    );
    let expected = draft_titles(&db);
    assert_eq!(expected.len(), 3);

    // Another connection is in the middle of a write transaction during the backup.
    let writer = rusqlite::Connection::open(&db).expect("second connection");
    writer
        .execute_batch(
            "BEGIN IMMEDIATE; UPDATE drafts SET title = 'not committed'; \
             DELETE FROM drafts WHERE external_id = 'uuid-0';",
        )
        .expect("write transaction open");

    let copy = setup.dir.path().join("backup.sqlite3");
    let output = run(&setup, &["backup", copy.to_str().expect("UTF-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let size = copy.metadata().expect("copy written").len();
    assert_eq!(
        stdout(&output),
        format!("Backup written: {} ({size} bytes).\n", copy.display())
    );
    writer.execute_batch("ROLLBACK").expect("rolled back");
    drop(daemon_store);

    let check = rusqlite::Connection::open(&copy).expect("copy opens");
    let integrity: String = check
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check runs");
    assert_eq!(integrity, "ok");
    drop(check);
    assert_eq!(
        draft_titles(&copy),
        expected,
        "every committed draft, nothing uncommitted"
    );
}

#[test]
fn backup_never_overwrites_an_existing_file() {
    let setup = setup();
    support::record_polled(&setup.store_path(), "tap", now(), &drafts(1));
    let existing = setup.dir.path().join("yesterday.sqlite3");
    std::fs::write(&existing, b"yesterday's backup").expect("existing file");

    let output = run(&setup, &["backup", existing.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already exists; a backup never overwrites a file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&existing).expect("still there"),
        b"yesterday's backup"
    );

    // Not even the database itself.
    let db = setup.store_path();
    let output = run(&setup, &["backup", db.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(draft_titles(&db).len(), 1);
}

/// One poll of `source` at `at` seeing `seen`, failed with `kind` when given.
fn record(
    store: &mut Store,
    source: &str,
    at: DateTime<Utc>,
    seen: &[ScrapedDraft],
    kind: Option<&str>,
) {
    let poll = PollRecord {
        source,
        started: at,
        finished: at,
        error: kind.map(|kind| PollFailure {
            kind,
            message: format!("{kind} failure"),
        }),
    };
    store.record_poll(&poll, seen).expect("poll recorded");
}

/// When each of `source`'s polls finished, oldest first.
fn poll_times(store: &Store, source: &str) -> Vec<DateTime<Utc>> {
    let mut times: Vec<_> = store
        .recent_polls(Some(source), 1000)
        .expect("polls")
        .into_iter()
        .map(|poll| poll.finished)
        .collect();
    times.sort();
    times
}

#[test]
fn prune_removes_old_polls_but_keeps_drafts_histories_and_tracked_failures() {
    let dir = support::temp_dir();
    let mut store = Store::open(&dir.path().join("prune.sqlite3")).expect("store opens");
    let mut seen = drafts(2);
    // "tap": old polls, one of which changed a draft's title (its history points at it).
    record(&mut store, "tap", days_ago(500), &seen, None);
    seen[0].title = "Grozījumi Bērnu tiesību aizsardzības likumā (otrā redakcija)".to_owned();
    record(&mut store, "tap", days_ago(450), &seen, None);
    record(&mut store, "tap", days_ago(420), &seen, Some("fetch"));
    record(&mut store, "tap", days_ago(401), &seen, None);
    record(&mut store, "tap", days_ago(10), &seen, None);
    // "broken": last success long ago, then list pages without rows ever since: one
    // incident still being tracked, older than the retention.
    record(&mut store, "broken", days_ago(700), &[], None);
    record(&mut store, "broken", days_ago(650), &[], None);
    record(&mut store, "broken", days_ago(600), &[], Some("zero_rows"));
    record(&mut store, "broken", days_ago(500), &[], Some("zero_rows"));
    // "never": has never succeeded; every poll is part of its failure run.
    record(&mut store, "never", days_ago(800), &[], Some("fetch"));

    let drafts_before = draft_titles(&dir.path().join("prune.sqlite3"));
    let draft_id = store
        .find_drafts_by_display_id("uuid-0")
        .expect("lookup")
        .remove(0)
        .id;
    let history_before = store
        .changes_since(draft_id, days_ago(1000))
        .expect("history");
    assert_eq!(history_before.len(), 1);
    let incident_before = store
        .first_failure_since_success("broken", Some("zero_rows"))
        .expect("incident");
    let failures_before = store.failure_run("broken").expect("failure run");

    let counts = store
        .prune(now(), &RetentionConfig::default())
        .expect("pruned");
    assert_eq!(
        counts,
        PruneCounts {
            // tap at -500, -420 and -401; broken at -700.
            polls_deleted: 4,
            outbox_messages_dropped: 0,
        }
    );
    assert_eq!(poll_times(&store, "tap"), [days_ago(450), days_ago(10)]);
    assert_eq!(
        poll_times(&store, "broken"),
        [days_ago(650), days_ago(600), days_ago(500)]
    );
    assert_eq!(poll_times(&store, "never"), [days_ago(800)]);
    assert_eq!(
        draft_titles(&dir.path().join("prune.sqlite3")),
        drafts_before
    );
    assert_eq!(
        store
            .changes_since(draft_id, days_ago(1000))
            .expect("history"),
        history_before
    );
    assert_eq!(
        store
            .first_failure_since_success("broken", Some("zero_rows"))
            .expect("incident"),
        incident_before,
        "the incident keeps its start, so its alert is not sent again"
    );
    assert_eq!(store.failure_run("broken").expect("run"), failures_before);
    assert_eq!(
        store.last_successful_poll("broken").expect("last success"),
        Some(days_ago(650))
    );

    // A second prune finds nothing more.
    assert_eq!(
        store
            .prune(now(), &RetentionConfig::default())
            .expect("pruned"),
        PruneCounts::default()
    );
}

/// Record a digest for `recipient` built `days` days ago; its row id.
fn record_digest(store: &mut Store, recipient: &str, days: i64) -> i64 {
    let to = vec![cli_harness::ADDRESS.to_owned()];
    let at = days_ago(days);
    let message_id = format!("<{recipient}-{days}@example.org>");
    store
        .record_outbox(&NewOutboxEntry {
            recipient,
            scheduled_for: at,
            built_at: at,
            message_id: &message_id,
            subject: "Digest",
            envelope_from: "draftwatch@example.org",
            envelope_to: &to,
            raw_message: b"Subject: Digest\r\n\r\nbody\r\n",
            draft_ids: &[],
            reminders: &[],
        })
        .expect("recorded")
        .expect("new entry")
}

#[test]
fn prune_drops_only_old_sent_messages_and_resend_then_refuses_them() {
    let setup = setup();
    let db = setup.store_path();
    let (old_sent, recent_sent, old_failed, old_pending) = {
        let mut store = Store::open(&db).expect("store opens");
        let old_sent = record_digest(&mut store, "a", 500);
        store
            .mark_outbox_sent(old_sent, days_ago(500))
            .expect("sent");
        let recent_sent = record_digest(&mut store, "b", 10);
        store
            .mark_outbox_sent(recent_sent, days_ago(10))
            .expect("sent");
        let old_failed = record_digest(&mut store, "c", 500);
        store
            .mark_outbox_failed(old_failed, "550 no such user", days_ago(500))
            .expect("failed");
        let old_pending = record_digest(&mut store, "d", 500);
        (old_sent, recent_sent, old_failed, old_pending)
    };

    let output = run(&setup, &["prune"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "Pruned 0 poll rows and the message text of 1 sent digests.\n"
    );

    let store = Store::open(&db).expect("store opens");
    let entry = |id| store.get_outbox_entry(id).expect("read").expect("row kept");
    let pruned = entry(old_sent);
    assert!(pruned.raw_message.is_empty());
    assert_eq!(pruned.status, OutboxStatus::Sent);
    assert_eq!(pruned.message_id, "<a-500@example.org>");
    for kept in [recent_sent, old_failed, old_pending] {
        assert!(
            !entry(kept).raw_message.is_empty(),
            "#{kept} keeps its bytes"
        );
    }

    let resend = run(&setup, &["outbox", "--resend", &old_sent.to_string()]);
    assert_eq!(resend.status.code(), Some(1));
    assert!(
        stderr(&resend).contains("its message text was pruned"),
        "{}",
        stderr(&resend)
    );
}
