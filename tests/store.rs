//! Store tests, all on real temporary database files (WAL cannot be tested in memory).

mod support;

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::model::{CommentWindow, DraftDetail, ScrapedDraft};
use draftwatch::sources::{FetchError, SourceError};
use draftwatch::store::{
    AlertKey, DraftChange, DraftField, DraftFilter, NewOutboxEntry, OutboxStatus, PollCounts,
    PollFailure, PollOutcome, PollRecord, Store, StoreError,
};
use support::temp_store;

const SOURCE: &str = "tap";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid test timestamp")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
}

fn window(from: &str, to: &str) -> Option<CommentWindow> {
    Some(CommentWindow {
        from: day(from),
        to: day(to),
    })
}

fn draft(external_id: &str, title: &str) -> ScrapedDraft {
    ScrapedDraft {
        external_id: external_id.to_owned(),
        ta_number: Some(format!("26-TA-{external_id}")),
        title: title.to_owned(),
        kind: Some("Publiskā apspriešana".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: Some("Sabiedriskā apspriešana".to_owned()),
        url: format!("https://tapportals.mk.gov.lv/public_participation/{external_id}"),
        window: window("2026-03-02", "2026-03-16"),
        detail: None,
        detail_error: None,
        ..Default::default()
    }
}

fn with_detail(mut draft: ScrapedDraft, description: &str, areas: &[&str]) -> ScrapedDraft {
    draft.detail = Some(DraftDetail {
        description: Some(description.to_owned()),
        policy_areas: areas.iter().map(|a| (*a).to_owned()).collect(),
        ..Default::default()
    });
    draft
}

fn poll(finished: &str) -> PollRecord<'static> {
    let finished = at(finished);
    PollRecord {
        source: SOURCE,
        started: finished - chrono::Duration::seconds(30),
        finished,
        error: None,
    }
}

impl support::TempStore {
    /// Record a successful poll of [`SOURCE`] finished at `finished`.
    fn poll_at(&mut self, finished: &str, drafts: &[ScrapedDraft]) -> PollCounts {
        self.store
            .record_poll(&poll(finished), drafts)
            .expect("poll recorded")
    }

    /// Recorded field changes of a draft at or after `since`.
    fn changes(&self, draft_id: i64, since: &str) -> Vec<DraftChange> {
        self.store
            .changes_since(draft_id, at(since))
            .expect("changes")
    }

    /// The raw `detail_error` column of a draft (not part of `StoredDraft`).
    fn detail_error(&self, external_id: &str) -> Option<String> {
        raw(&self.path)
            .query_row(
                "SELECT detail_error FROM drafts WHERE external_id = ?1",
                [external_id],
                |r| r.get(0),
            )
            .expect("detail_error")
    }
}

fn user_version(path: &Path) -> i64 {
    raw(path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user version")
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection")
}

fn count(path: &Path, table: &str) -> i64 {
    raw(path)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn only_draft(store: &Store, external_id: &str) -> draftwatch::model::StoredDraft {
    let mut found = store
        .find_drafts_by_display_id(external_id)
        .expect("lookup");
    assert_eq!(found.len(), 1, "exactly one draft {external_id}");
    found.remove(0)
}

#[test]
fn open_creates_folder_and_turns_on_wal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("var").join("lib").join("draftwatch.sqlite");
    let _store = Store::open(&path).expect("store opens in a missing folder");
    let mode: String = raw(&path)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
    assert_eq!(
        user_version(&path),
        latest_schema_version(),
        "migrations applied"
    );
}

#[test]
fn reopening_keeps_data() {
    let mut t = temp_store();
    let counts = t.poll_at(
        "2026-03-03T07:00:00Z",
        &[draft("1", "Bērnu tiesību aizsardzība")],
    );
    assert_eq!(counts.new, 1);
    drop(t.store);

    let reopened = Store::open(&t.path).expect("reopens");
    let stored = only_draft(&reopened, "26-TA-1");
    assert_eq!(stored.title, "Bērnu tiesību aizsardzība");
    assert_eq!(stored.first_seen, at("2026-03-03T07:00:00Z"));
    assert_eq!(
        reopened
            .recent_polls(Some(SOURCE), 10)
            .expect("polls")
            .len(),
        1
    );
}

#[test]
fn drafts_are_classified_new_changed_unchanged() {
    let mut t = temp_store();
    let first = t.poll_at(
        "2026-03-03T07:00:00Z",
        &[draft("1", "Pirmais"), draft("2", "Otrais")],
    );
    assert_eq!(
        first,
        PollCounts {
            seen: 2,
            new: 2,
            changed: 0
        }
    );

    let mut renamed = draft("2", "Otrais (precizēts)");
    renamed.stage = Some("Izsludināts VSS".to_owned());
    let second = t.poll_at(
        "2026-03-04T07:00:00Z",
        &[draft("1", "Pirmais"), renamed, draft("3", "Trešais")],
    );
    assert_eq!(
        second,
        PollCounts {
            seen: 3,
            new: 1,
            changed: 1
        }
    );

    let unchanged = only_draft(&t.store, "1");
    assert_eq!(unchanged.last_changed, at("2026-03-03T07:00:00Z"));
    assert!(t.changes(unchanged.id, "2000-01-01T00:00:00Z").is_empty());

    let changed = only_draft(&t.store, "2");
    assert_eq!(changed.title, "Otrais (precizēts)");
    assert_eq!(changed.stage.as_deref(), Some("Izsludināts VSS"));
    assert_eq!(changed.first_seen, at("2026-03-03T07:00:00Z"));
    assert_eq!(changed.last_changed, at("2026-03-04T07:00:00Z"));
    let fields: Vec<DraftField> = t
        .changes(changed.id, "2000-01-01T00:00:00Z")
        .into_iter()
        .map(|c| c.field)
        .collect();
    assert_eq!(fields, vec![DraftField::Title, DraftField::Stage]);

    let polls = t.store.recent_polls(Some(SOURCE), 1).expect("polls");
    assert_eq!(polls.len(), 1, "limit respected");
    assert_eq!(polls[0].counts, second);
    assert_eq!(polls[0].outcome, PollOutcome::Ok);
}

#[test]
fn missing_detail_keeps_description_and_new_detail_is_a_change() {
    let mut t = temp_store();
    t.poll_at(
        "2026-03-03T07:00:00Z",
        &[with_detail(
            draft("1", "Virsraksts"),
            "Problēma",
            &["Bērni"],
        )],
    );
    let counts = t.poll_at("2026-03-04T07:00:00Z", &[draft("1", "Virsraksts")]);
    assert_eq!(counts.changed, 0, "absent detail is not a change");
    let stored = only_draft(&t.store, "1");
    assert_eq!(stored.description.as_deref(), Some("Problēma"));
    assert_eq!(stored.policy_areas, vec!["Bērni".to_owned()]);
    assert_eq!(stored.detail_fetched_at, Some(at("2026-03-03T07:00:00Z")));

    let counts = t.poll_at(
        "2026-03-05T07:00:00Z",
        &[with_detail(
            draft("1", "Virsraksts"),
            "Problēma",
            &["Bērni", "Ģimene"],
        )],
    );
    assert_eq!(counts.changed, 1);
    let stored = only_draft(&t.store, "1");
    assert_eq!(
        stored.policy_areas,
        vec!["Bērni".to_owned(), "Ģimene".to_owned()]
    );
    assert_eq!(stored.detail_fetched_at, Some(at("2026-03-05T07:00:00Z")));
    let changes = t.changes(stored.id, "2026-03-05T00:00:00Z");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].field, DraftField::PolicyAreas);
    assert_eq!(changes[0].old_value.as_deref(), Some(r#"["Bērni"]"#));
    assert_eq!(
        changes[0].new_value.as_deref(),
        Some(r#"["Bērni","Ģimene"]"#)
    );
}

#[test]
fn detail_error_keeps_needing_detail_until_read() {
    let mut t = temp_store();
    let mut failed = draft("1", "Virsraksts");
    failed.detail_error = Some("HTTP 503".to_owned());
    t.poll_at(
        "2026-03-03T07:00:00Z",
        &[failed.clone(), draft("2", "Cits")],
    );
    let known = t.store.known_drafts(SOURCE).expect("known");
    assert_eq!(known.drafts.len(), 2);
    assert!(known.drafts["1"].needs_detail);
    assert!(known.drafts["2"].needs_detail);
    assert!(known.drafts["1"].url.ends_with("/1"));
    assert!(
        t.store
            .known_drafts("other")
            .expect("known")
            .drafts
            .is_empty()
    );
    assert_eq!(t.detail_error("1").as_deref(), Some("HTTP 503"));

    // Failing again on an existing draft still keeps it pending.
    t.poll_at("2026-03-04T07:00:00Z", &[failed]);
    assert!(t.store.known_drafts(SOURCE).expect("known").drafts["1"].needs_detail);

    t.poll_at(
        "2026-03-05T07:00:00Z",
        &[with_detail(draft("1", "Virsraksts"), "Apraksts", &[])],
    );
    assert!(!t.store.known_drafts(SOURCE).expect("known").drafts["1"].needs_detail);
    assert_eq!(
        t.detail_error("1"),
        None,
        "a successful read clears the error"
    );
}

#[test]
fn the_known_drafts_lookup_answers_each_id_from_the_store_without_loading_them() {
    let mut t = temp_store();
    let mut failed = draft("1", "Virsraksts");
    failed.detail_error = Some("HTTP 503".to_owned());
    t.poll_at(
        "2026-03-03T07:00:00Z",
        &[failed, with_detail(draft("2", "Cits"), "Apraksts", &[])],
    );
    let known = t.store.known_drafts_lookup(SOURCE).expect("lookup");
    assert!(known.drafts.is_empty(), "nothing loaded up front");
    let first = known.get("1").expect("draft 1 is known");
    assert!(first.needs_detail);
    assert!(first.url.ends_with("/1"));
    assert!(!known.get("2").expect("draft 2 is known").needs_detail);
    assert!(!known.contains("3"));
    // Drafts stored after the lookup was made are seen too (the lookup reads the store, not
    // a snapshot), and another source's view is not this source's.
    t.poll_at("2026-03-04T07:00:00Z", &[draft("3", "Vēl")]);
    assert!(known.contains("3"));
    let other = t.store.known_drafts_lookup("other").expect("lookup");
    assert!(!other.contains("1"));
}

#[test]
fn moved_deadline_is_recorded_as_changes() {
    let mut t = temp_store();
    t.poll_at("2026-03-03T07:00:00Z", &[draft("1", "Termiņš")]);
    let mut moved = draft("1", "Termiņš");
    moved.window = window("2026-03-02", "2026-03-30");
    t.poll_at("2026-03-04T07:00:00Z", &[moved]);
    let mut no_window = draft("1", "Termiņš");
    no_window.window = None;
    t.poll_at("2026-03-05T07:00:00Z", &[no_window]);

    let stored = only_draft(&t.store, "1");
    assert_eq!(stored.window, None);
    let polls = t.store.recent_polls(Some(SOURCE), 10).expect("polls");
    let second_poll_id = polls[1].id;

    // Inclusive at the exact instant of the second poll.
    let changes = t.changes(stored.id, "2026-03-04T07:00:00Z");
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[0].field, DraftField::WindowTo);
    assert_eq!(changes[0].old_value.as_deref(), Some("2026-03-16"));
    assert_eq!(changes[0].new_value.as_deref(), Some("2026-03-30"));
    assert_eq!(changes[0].poll_id, second_poll_id);
    assert_eq!(changes[0].changed_at, at("2026-03-04T07:00:00Z"));
    assert_eq!(changes[1].field, DraftField::WindowFrom);
    assert_eq!(changes[1].new_value, None);
    assert_eq!(changes[2].field, DraftField::WindowTo);
    assert_eq!(changes[2].old_value.as_deref(), Some("2026-03-30"));

    let later = t.changes(stored.id, "2026-03-04T07:00:00.000000001Z");
    assert_eq!(later.len(), 2, "only the third poll's changes");
}

#[test]
fn failed_poll_is_recorded_with_its_partial_drafts() {
    let mut t = temp_store();
    t.poll_at("2026-03-03T07:00:00Z", &[draft("1", "Pirmais")]);
    let failed = PollRecord {
        error: Some(PollFailure {
            kind: "fetch",
            message: "https://tapportals.mk.gov.lv/…?page=2: HTTP 500".to_owned(),
        }),
        ..poll("2026-03-04T07:00:00Z")
    };
    let counts = t
        .store
        .record_poll(&failed, &[draft("2", "Pirms kļūdas")])
        .expect("failed poll recorded");
    assert_eq!(counts.new, 1);
    assert_eq!(only_draft(&t.store, "2").title, "Pirms kļūdas");

    let polls = t.store.recent_polls(None, 10).expect("polls");
    assert_eq!(polls.len(), 2);
    assert_eq!(polls[0].outcome, PollOutcome::Error, "newest first");
    assert_eq!(
        polls[0].error.as_deref(),
        failed
            .error
            .as_ref()
            .map(|failure| failure.message.as_str())
    );
    assert_eq!(polls[0].error_kind.as_deref(), Some("fetch"));
    assert_eq!(polls[0].counts.seen, 1);
    assert_eq!(polls[1].outcome, PollOutcome::Ok);
    assert_eq!(polls[1].error, None);
    assert_eq!(polls[1].error_kind, None);

    assert_eq!(
        t.store.last_successful_poll(SOURCE).expect("last ok"),
        Some(at("2026-03-03T07:00:00Z"))
    );
    assert_eq!(t.store.last_successful_poll("other").expect("none"), None);
    assert!(
        t.store
            .recent_polls(Some("other"), 10)
            .expect("polls")
            .is_empty()
    );
}

#[test]
fn a_failing_poll_transaction_writes_nothing() {
    let mut t = temp_store();
    t.poll_at("2026-03-03T07:00:00Z", &[draft("1", "Pirmais")]);
    // Make SQLite itself reject one row half-way through the poll.
    raw(&t.path)
        .execute_batch(
            "CREATE TRIGGER reject_poison BEFORE INSERT ON drafts
             WHEN NEW.external_id = 'poison'
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;",
        )
        .expect("trigger");

    let mut moved = draft("1", "Pirmais (jauns nosaukums)");
    moved.window = window("2026-03-02", "2026-04-01");
    let error = t
        .store
        .record_poll(
            &poll("2026-03-04T07:00:00Z"),
            &[moved, draft("2", "Otrais"), draft("poison", "Indīgs")],
        )
        .expect_err("the poll must fail");
    assert!(matches!(error, StoreError::Sqlite { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("draftwatch.sqlite"), "{message}");
    assert!(message.contains("poisoned row"), "{message}");

    assert_eq!(count(&t.path, "drafts"), 1, "no draft of the failed poll");
    assert_eq!(count(&t.path, "polls"), 1, "no poll row");
    assert_eq!(count(&t.path, "draft_changes"), 0, "no change rows");
    let first = only_draft(&t.store, "1");
    assert_eq!(first.title, "Pirmais");
    assert_eq!(first.window, window("2026-03-02", "2026-03-16"));

    // The store stays usable after the rollback.
    let counts = t.poll_at("2026-03-05T07:00:00Z", &[draft("2", "Otrais")]);
    assert_eq!(counts.new, 1);
}

#[test]
fn open_on_filter_includes_first_and_last_day() {
    let mut t = temp_store();
    let mut late = draft("late", "Vēlāk beidzas");
    late.window = window("2026-03-01", "2026-03-20");
    let mut soon = draft("soon", "Drīz beidzas");
    soon.window = window("2026-03-05", "2026-03-10");
    let mut none = draft("none", "Bez loga");
    none.window = None;
    t.poll_at("2026-03-03T07:00:00Z", &[none, late, soon]);
    let other = PollRecord {
        source: "other",
        ..poll("2026-03-03T07:00:00Z")
    };
    t.store
        .record_poll(&other, &[draft("x", "Cits avots")])
        .expect("other poll");

    let ids_open_on = |date: &str| -> Vec<String> {
        t.store
            .list_drafts(&DraftFilter {
                open_on: Some(day(date)),
                source: Some(SOURCE.to_owned()),
            })
            .expect("list")
            .into_iter()
            .map(|d| d.external_id)
            .collect()
    };
    assert_eq!(ids_open_on("2026-03-04"), vec!["late"]);
    assert_eq!(ids_open_on("2026-03-05"), vec!["soon", "late"], "first day");
    assert_eq!(ids_open_on("2026-03-10"), vec!["soon", "late"], "last day");
    assert_eq!(ids_open_on("2026-03-11"), vec!["late"]);
    assert!(ids_open_on("2026-03-21").is_empty());

    let all: Vec<String> = t
        .store
        .list_drafts(&DraftFilter::default())
        .expect("list")
        .into_iter()
        .map(|d| d.external_id)
        .collect();
    assert_eq!(all, vec!["soon", "x", "late", "none"], "no window last");
}

#[test]
fn lookup_by_display_id_and_row_id() {
    let mut t = temp_store();
    let mut portal_only = draft("b7e1-uuid", "Bez numura");
    portal_only.ta_number = None;
    t.poll_at(
        "2026-03-03T07:00:00Z",
        &[draft("2228", "Ar numuru"), portal_only],
    );
    let by_ta = only_draft(&t.store, "  26-ta-2228 ");
    assert_eq!(by_ta.display_id(), "26-TA-2228");
    let by_portal_id = only_draft(&t.store, "b7e1-uuid");
    assert_eq!(by_portal_id.display_id(), "b7e1-uuid");
    assert!(
        t.store
            .find_drafts_by_display_id("26-TA-9999")
            .expect("lookup")
            .is_empty()
    );

    let fetched = t.store.get_draft(by_ta.id).expect("get");
    assert_eq!(fetched, Some(by_ta));
    assert_eq!(t.store.get_draft(9_999).expect("get"), None);
}

/// Record a pending digest for `recipient` carrying `draft_ids`; returns its outbox id.
fn record_digest(store: &mut Store, recipient: &str, minute: u32, draft_ids: &[i64]) -> i64 {
    let scheduled = at("2026-03-03T08:00:00Z") + chrono::Duration::minutes(minute.into());
    let to = vec![recipient.to_owned()];
    store
        .record_outbox(&NewOutboxEntry {
            recipient,
            scheduled_for: scheduled,
            built_at: scheduled,
            message_id: &format!("<{minute}@draftwatch>"),
            subject: "draftwatch",
            envelope_from: "draftwatch@example.org",
            envelope_to: &to,
            raw_message: b"Subject: x\r\n\r\nx\r\n",
            draft_ids,
            reminders: &[],
        })
        .expect("record digest")
        .expect("new row")
}

/// Drafts count as delivered only through a digest the server accepted: marking it sent
/// records them (all or nothing, idempotent, the first delivery's Message-ID kept).
#[test]
fn deliveries_are_recorded_when_a_digest_is_marked_sent() {
    let mut t = temp_store();
    t.poll_at("2026-03-03T07:00:00Z", &[draft("1", "A"), draft("2", "B")]);
    let (a, b) = (only_draft(&t.store, "1").id, only_draft(&t.store, "2").id);
    let recipient = "koordinatore@example.lv";

    let first = record_digest(&mut t.store, recipient, 0, &[a]);
    assert!(
        t.store
            .delivered_draft_ids(recipient)
            .expect("delivered")
            .is_empty(),
        "recorded is not delivered"
    );
    t.store
        .mark_outbox_sent(first, at("2026-03-03T08:00:00Z"))
        .expect("first delivery");
    // A later digest repeating `a`, marked sent twice (a retried commit).
    let second = record_digest(&mut t.store, recipient, 1, &[a, b]);
    for attempt in ["second delivery repeats a", "exact repeat"] {
        t.store
            .mark_outbox_sent(second, at("2026-03-10T08:00:00Z"))
            .expect(attempt);
    }
    let delivered = t.store.delivered_draft_ids(recipient).expect("delivered");
    assert_eq!(delivered, [a, b].into_iter().collect());
    assert_eq!(count(&t.path, "deliveries"), 2);
    let first_message: String = raw(&t.path)
        .query_row(
            "SELECT message_id FROM deliveries WHERE draft_id = ?1",
            [a],
            |r| r.get(0),
        )
        .expect("message id");
    assert_eq!(first_message, "<0@draftwatch>", "the first record is kept");
    let entry = t
        .store
        .get_outbox_entry(second)
        .expect("get")
        .expect("entry");
    assert_eq!((entry.status, entry.attempts), (OutboxStatus::Sent, 1));

    // An unknown draft id fails the whole call: nothing delivered, the digest still pending.
    let other = "cits@example.lv";
    let broken = record_digest(&mut t.store, other, 2, &[a, 424_242]);
    let error = t
        .store
        .mark_outbox_sent(broken, at("2026-03-11T08:00:00Z"))
        .expect_err("unknown draft");
    assert!(error.to_string().contains("draftwatch.sqlite"), "{error}");
    assert!(
        t.store
            .delivered_draft_ids(other)
            .expect("delivered")
            .is_empty()
    );
    let entry = t
        .store
        .get_outbox_entry(broken)
        .expect("get")
        .expect("entry");
    assert_eq!(entry.status, OutboxStatus::Pending);
}

#[test]
fn database_from_a_newer_schema_is_refused() {
    let t = temp_store();
    drop(t.store);
    raw(&t.path)
        .execute_batch(&format!(
            "PRAGMA user_version = {};",
            latest_schema_version() + 3
        ))
        .expect("simulate a newer draftwatch");

    let error = Store::open(&t.path).expect_err("newer schema refused");
    match &error {
        StoreError::SchemaTooNew { found, known, .. } => {
            assert_eq!(*found as i64, latest_schema_version() + 3);
            assert_eq!(*known as i64, latest_schema_version());
        }
        other => panic!("wrong error: {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("draftwatch.sqlite"), "{message}");
    assert!(message.contains("newer draftwatch"), "{message}");
    assert_eq!(
        user_version(&t.path),
        latest_schema_version() + 3,
        "not downgraded"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_reported_with_its_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.sqlite");
    std::fs::write(
        &path,
        "this is a text file, not SQLite, and it is long enough",
    )
    .expect("write");
    let error = Store::open(&path).expect_err("not a database");
    assert!(error.to_string().contains("notes.sqlite"), "{error}");

    let blocked = dir.path().join("file-not-folder");
    std::fs::write(&blocked, "").expect("write");
    let error = Store::open(&blocked.join("db.sqlite")).expect_err("parent is a file");
    assert!(
        matches!(error, StoreError::CreateFolder { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("file-not-folder"), "{error}");
}

/// An admin's re-send is counted on a sent or failed digest (with its error when it failed)
/// and never touches a pending one, which belongs to the daemon's retry loop.
#[test]
fn resends_are_counted_on_finished_digests_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("o.sqlite3")).expect("store");
    let to = vec!["tikls@example.org".to_owned()];
    let mut record = |minute: &str, message_id: &str| {
        store
            .record_outbox(&NewOutboxEntry {
                recipient: "Tīkls",
                scheduled_for: at(&format!("2026-09-15T06:{minute}:00Z")),
                built_at: at(&format!("2026-09-15T06:{minute}:00Z")),
                message_id,
                subject: "draftwatch",
                envelope_from: "draftwatch@example.org",
                envelope_to: &to,
                raw_message: b"Subject: x\r\n\r\nx\r\n",
                draft_ids: &[],
                reminders: &[],
            })
            .expect("record")
            .expect("new row")
    };
    let (sent, failed, pending) = (
        record("00", "<a@x>"),
        record("01", "<b@x>"),
        record("02", "<c@x>"),
    );
    let now = at("2026-09-15T07:00:00Z");
    store.mark_outbox_sent(sent, now).expect("sent");
    store
        .mark_outbox_failed(failed, "550 no such user", now)
        .expect("failed");

    store.record_outbox_resend(sent, None).expect("resend sent");
    store
        .record_outbox_resend(failed, Some("550 still no such user"))
        .expect("resend failed");
    store
        .record_outbox_resend(pending, Some("should not be kept"))
        .expect("resend pending");

    let get = |id| store.get_outbox_entry(id).expect("get").expect("present");
    let (sent, failed, pending) = (get(sent), get(failed), get(pending));
    assert_eq!((sent.status, sent.attempts), (OutboxStatus::Sent, 2));
    assert_eq!(sent.last_error, None);
    assert_eq!(
        (failed.status, failed.attempts),
        (OutboxStatus::FailedPermanent, 2)
    );
    assert_eq!(failed.last_error.as_deref(), Some("550 still no such user"));
    assert_eq!(
        (pending.status, pending.attempts),
        (OutboxStatus::Pending, 0)
    );
    assert_eq!(pending.last_error, None);
    assert!(store.get_outbox_entry(9999).expect("get").is_none());
}

/// Schema version 5 turns text into facts: a failed poll's error kind is derived once from
/// the stored text, and an alert's subject and body are split at the first newline. Checked
/// on a database made by the version 3 migrations and filled the way version 3 code did.
#[test]
fn migration_5_derives_poll_error_kinds_and_splits_alert_texts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v3.sqlite3");
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let conn = raw(&path);
    for version in ["01-init", "02-outbox", "03-alerts"] {
        let sql = std::fs::read_to_string(migrations.join(version).join("up.sql"))
            .expect("read migration");
        conn.execute_batch(&sql).expect("apply migration");
    }
    conn.execute_batch("PRAGMA user_version = 3;")
        .expect("version 3");
    let list = "https://tapportals.mk.gov.lv/public_participation";
    let errors: Vec<(Option<String>, Option<&str>)> = vec![
        (None, None),
        (
            Some(
                SourceError::ZeroRows {
                    url: list.to_owned(),
                }
                .to_string(),
            ),
            Some("zero_rows"),
        ),
        (
            Some(
                SourceError::from(FetchError::Status {
                    url: list.to_owned(),
                    status: 503,
                })
                .to_string(),
            ),
            Some("fetch"),
        ),
        (
            Some(
                SourceError::Markup {
                    url: list.to_owned(),
                    message: "the page holds no participation list (no flextable header); \
                              the portal's markup may have changed"
                        .to_owned(),
                }
                .to_string(),
            ),
            Some("markup"),
        ),
        (Some(SourceError::Cancelled.to_string()), Some("cancelled")),
        (Some("portal answered 503".to_owned()), Some("unknown")),
    ];
    for (minute, (error, _)) in errors.iter().enumerate() {
        let when = format!("2026-03-03T07:{minute:02}:00.000000000Z");
        conn.execute(
            "INSERT INTO polls (source, started, finished, outcome, error) \
             VALUES ('tap', ?1, ?1, ?2, ?3)",
            rusqlite::params![when, if error.is_some() { "error" } else { "ok" }, error],
        )
        .expect("old poll row");
    }
    conn.execute_batch(
        "INSERT INTO drafts (source, external_id, title, url, first_seen, last_changed) \
         VALUES ('tap', 'x', 'X', 'https://x', '2026-03-03T07:00:00.000000000Z', \
                 '2026-03-03T07:00:00.000000000Z');
         INSERT INTO draft_changes (draft_id, poll_id, field, old_value, new_value, changed_at) \
         VALUES (1, 1, 'title', 'W', 'X', '2026-03-03T07:00:00.000000000Z');
         INSERT INTO alerts (kind, subject, incident_start, detail, recorded_at, message_id, sent_at) \
         VALUES ('source_failing', 'tap', '2026-03-03T07:01:00.000000000Z', \
                 'draftwatch: avots tap nedarbojas' || char(10) || 'Pirmā rinda.' || char(10) || 'Otrā.', \
                 '2026-03-04T07:00:00.000000000Z', '<a@x>', '2026-03-04T07:00:00.000000000Z');
         INSERT INTO alerts (kind, subject, incident_start, detail, recorded_at) \
         VALUES ('digest_refused', '<m@x>', '2026-03-03T08:00:00.000000000Z', \
                 'Tikai viena rinda', '2026-03-04T08:00:00.000000000Z');",
    )
    .expect("old rows");
    drop(conn);

    let store = Store::open(&path).expect("migrates to the latest version");
    assert_eq!(user_version(&path), latest_schema_version());
    let mut polls = store.recent_polls(Some("tap"), 10).expect("polls");
    polls.reverse();
    let kinds: Vec<Option<&str>> = polls.iter().map(|p| p.error_kind.as_deref()).collect();
    let expected: Vec<Option<&str>> = errors.iter().map(|(_, kind)| *kind).collect();
    assert_eq!(kinds, expected);
    assert_eq!(polls[2].error, errors[2].0, "the text is kept");

    let alerts = store.list_alerts().expect("alerts");
    let texts: Vec<(&str, &str, &str)> = alerts
        .iter()
        .map(|a| {
            (
                a.key.kind.as_str(),
                a.mail_subject.as_str(),
                a.mail_body.as_str(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            (
                "source_failing",
                "draftwatch: avots tap nedarbojas",
                "Pirmā rinda.\nOtrā."
            ),
            ("digest_refused", "draftwatch", "Tikai viena rinda"),
        ]
    );
    assert!(alerts[0].sent_at.is_some() && alerts[1].sent_at.is_none());
    assert_eq!(count(&path, "draft_changes"), 1, "history kept");
    let check: String = raw(&path)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");

    // From now on a failed poll cannot be stored without its kind.
    let missing_kind = raw(&path).execute(
        "INSERT INTO polls (source, started, finished, outcome, error) \
         VALUES ('tap', '2026-03-05T07:00:00.000000000Z', '2026-03-05T07:00:00.000000000Z', \
                 'error', 'x')",
        [],
    );
    let error = missing_kind.expect_err("an error without a kind is refused");
    assert!(error.to_string().contains("error_kind"), "{error}");
}

#[test]
fn alert_subject_and_body_are_stored_apart() {
    let mut t = temp_store();
    let key = AlertKey {
        kind: "source_zero_rows".to_owned(),
        subject: "tap".to_owned(),
        incident_start: at("2026-03-03T07:00:00Z"),
    };
    let body = "Pirmā rinda.\n\nFirst line.\n";
    let now = at("2026-03-03T07:05:00Z");
    assert!(
        t.store
            .record_alert(&key, "Temats", body, now)
            .expect("record")
    );
    assert!(
        !t.store
            .record_alert(&key, "Cits", "cits", now)
            .expect("again")
    );
    let rows = t.store.unsent_alerts().expect("unsent");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].mail_subject.as_str(), rows[0].mail_body.as_str()),
        ("Temats", body)
    );
}

/// The schema version the current code migrates to: one per folder in migrations/.
fn latest_schema_version() -> i64 {
    std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"))
        .expect("migrations folder")
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count() as i64
}
