//! Admin alerts on real temporary SQLite files: which incidents are due (a source failing
//! for longer than `source_failing_after`, a list page without rows, a broken watchlist
//! folder, a digest refused for good), each once per incident and across restarts, and the
//! alert mail itself through the in-process SMTP sink.

mod support;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use draftwatch::alerts::{
    AlertKind, WatchlistProblem, check_watchlists, due_alerts, send_due_alerts,
};
use draftwatch::config::Config;
use draftwatch::mailer::SmtpMailer;
use draftwatch::sources::SourceError;
use draftwatch::store::{NewOutboxEntry, PollFailure, PollRecord, SharedStore, Store};
use support::smtp::SmtpSink;
use support::*;

fn config(db: &Path, admin: &str) -> Config {
    let text = format!(
        r#"
[store]
path = "{db}"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "https://tapportals.mk.gov.lv"
schedule = "10 * * * *"
[mail]
from = "draftwatch <draftwatch@biedriba.lv>"
transport = "file"
[digest]
schedule = "0 8 * * *"
[admin]
{admin}
source_failing_after = "1d"
"#,
        db = db.display()
    );
    Config::from_toml(&text, None).expect("test config loads")
}

/// Record a poll of `tap` finished at `at`: successful, or failed with a network-style
/// (`fetch`) error of this text.
fn poll(store: &mut Store, at: DateTime<Utc>, error: Option<&str>) {
    let failure = error.map(|message| PollFailure {
        kind: "fetch",
        message: message.to_owned(),
    });
    poll_failed(store, at, failure);
}

fn poll_failed(store: &mut Store, at: DateTime<Utc>, error: Option<PollFailure<'_>>) {
    store
        .record_poll(
            &PollRecord {
                source: "tap",
                started: at - Duration::seconds(30),
                finished: at,
                error,
            },
            &[],
        )
        .expect("record poll");
}

/// The failure a poll ending in `error` is recorded with.
fn failure_of(error: &SourceError) -> PollFailure<'static> {
    PollFailure {
        kind: error.kind(),
        message: error.to_string(),
    }
}

fn kinds(alerts: &[draftwatch::alerts::Alert]) -> Vec<AlertKind> {
    alerts.iter().map(|alert| alert.kind).collect()
}

#[test]
fn failing_source_is_due_after_the_threshold_and_once_per_incident() {
    let dir = temp_dir();
    let db = dir.path().join("a.sqlite3");
    let config = config(&db, "addresses = [\"admin@biedriba.lv\"]");
    let mut store = Store::open(&db).expect("store");
    let t0 = utc(2026, 9, 14, 6, 0);
    poll(&mut store, t0, None);
    poll(&mut store, t0 + Duration::hours(1), Some("timeout"));
    poll(
        &mut store,
        t0 + Duration::hours(2),
        Some("connection refused"),
    );

    let early = due_alerts(&store, &config, None, t0 + Duration::hours(20)).expect("due");
    assert!(early.is_empty(), "not yet a day: {early:?}");

    let now = t0 + Duration::hours(26);
    let due = due_alerts(&store, &config, None, now).expect("due");
    assert_eq!(kinds(&due), vec![AlertKind::SourceFailing]);
    let alert = &due[0];
    assert_eq!(alert.key.subject, "tap");
    assert_eq!(
        alert.key.incident_start,
        t0 + Duration::hours(1) - Duration::seconds(30),
        "the incident starts with the first failure after the last success"
    );
    let lv = alert
        .body
        .find("nedarbojas")
        .or(alert.body.find("neizdodas"));
    let en = alert.body.find("have failed");
    assert!(
        lv.is_some() && en.is_some() && lv < en,
        "Latvian first: {}",
        alert.body
    );
    assert!(
        alert.body.contains("connection refused"),
        "latest error shown"
    );

    store
        .record_alert(&alert.key, "x", "y", now)
        .expect("record");
    // Restart: the same incident is not due again.
    drop(store);
    let mut store = Store::open(&db).expect("reopen");
    poll(&mut store, now + Duration::hours(1), Some("still down"));
    assert!(
        due_alerts(&store, &config, None, now + Duration::hours(2))
            .expect("due")
            .is_empty()
    );

    // Recovery, then a new failure: a new incident, due after another day.
    poll(&mut store, now + Duration::hours(3), None);
    poll(&mut store, now + Duration::hours(4), Some("timeout"));
    assert!(
        due_alerts(&store, &config, None, now + Duration::hours(5))
            .expect("due")
            .is_empty()
    );
    let again = due_alerts(&store, &config, None, now + Duration::hours(30)).expect("due");
    assert_eq!(kinds(&again), vec![AlertKind::SourceFailing]);
    assert_ne!(again[0].key, alert.key);
}

#[test]
fn zero_rows_broken_watchlists_and_refused_digests_are_due_at_once() {
    let dir = temp_dir();
    let db = dir.path().join("a.sqlite3");
    let config = config(&db, "addresses = [\"admin@biedriba.lv\"]");
    let mut store = Store::open(&db).expect("store");
    let t0 = utc(2026, 9, 14, 6, 0);
    poll(&mut store, t0, None);
    let zero = SourceError::ZeroRows {
        url: "https://tapportals.mk.gov.lv/public_participation".to_owned(),
    };
    poll_failed(&mut store, t0 + Duration::hours(1), Some(failure_of(&zero)));

    let to = vec!["nav-tads@biedriba.lv".to_owned()];
    let id = store
        .record_outbox(&NewOutboxEntry {
            recipient: "Tīkls",
            scheduled_for: t0,
            built_at: t0,
            message_id: "<m1@biedriba.lv>",
            subject: "draftwatch: 1 projekts",
            envelope_from: "draftwatch@biedriba.lv",
            envelope_to: &to,
            raw_message: b"Subject: x\r\n\r\nx\r\n",
            draft_ids: &[],
            reminders: &[],
        })
        .expect("record outbox")
        .expect("new row");
    store
        .mark_outbox_failed(id, "550 no such user", t0)
        .expect("mark failed");

    let problem = WatchlistProblem {
        text: "watchlists/berni.toml:3:1: unknown field `wrod`".to_owned(),
        since: t0,
    };
    let now = t0 + Duration::hours(2);
    let due = due_alerts(&store, &config, Some(&problem), now).expect("due");
    assert_eq!(
        kinds(&due),
        vec![
            AlertKind::SourceZeroRows,
            AlertKind::WatchlistInvalid,
            AlertKind::DigestRefused
        ]
    );
    assert!(due[1].body.contains("unknown field `wrod`"));
    assert!(due[2].body.contains("550 no such user"));
    assert!(due[2].body.contains("nav-tads@biedriba.lv"));
    for alert in &due {
        store
            .record_alert(&alert.key, "x", "y", now)
            .expect("record");
    }
    assert!(
        due_alerts(&store, &config, Some(&problem), now)
            .expect("due")
            .is_empty(),
        "each incident once"
    );
    // Another edit with another mistake is a new incident.
    let other = WatchlistProblem {
        text: "watchlists/berni.toml:9:1: empty word".to_owned(),
        since: now,
    };
    let due = due_alerts(&store, &config, Some(&other), now).expect("due");
    assert_eq!(kinds(&due), vec![AlertKind::WatchlistInvalid]);
}

/// A zero-rows incident is a poll stored with the zero-rows error kind, whatever its text
/// says; a failure of another kind that quotes the wording is not one.
#[test]
fn zero_rows_incident_is_found_by_error_kind_not_by_wording() {
    let dir = temp_dir();
    let db = dir.path().join("a.sqlite3");
    let config = config(&db, "addresses = [\"admin@biedriba.lv\"]");
    let mut store = Store::open(&db).expect("store");
    let t0 = utc(2026, 9, 14, 6, 0);
    let url = "https://tapportals.mk.gov.lv/public_participation".to_owned();
    let zero_rows_text = SourceError::ZeroRows { url: url.clone() }.to_string();
    let quoting = SourceError::Markup {
        url,
        message: format!("unexpected answer ({zero_rows_text})"),
    };
    poll_failed(&mut store, t0, Some(failure_of(&quoting)));
    let due = due_alerts(&store, &config, None, t0 + Duration::minutes(5)).expect("due");
    assert!(kinds(&due).is_empty(), "{due:?}");

    let reworded = PollFailure {
        kind: SourceError::ZeroRows { url: String::new() }.kind(),
        message: "saraksta lapā nav rindu".to_owned(),
    };
    poll_failed(&mut store, t0 + Duration::hours(1), Some(reworded));
    let due = due_alerts(&store, &config, None, t0 + Duration::hours(2)).expect("due");
    assert_eq!(kinds(&due), vec![AlertKind::SourceZeroRows]);
    assert_eq!(
        due[0].key.incident_start,
        t0 + Duration::hours(1) - Duration::seconds(30)
    );
}

#[test]
fn watchlist_folder_is_checked_like_a_reload() {
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("watchlists");
    assert_eq!(check_watchlists(&shipped), None);
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("salauzts.toml"),
        "name = \"x\"\n[[rules]]\nwrod = 1\n",
    )
    .expect("write");
    let problem = check_watchlists(dir.path()).expect("a broken file is a problem");
    assert!(problem.text.contains("salauzts.toml"), "{}", problem.text);
    assert!(
        problem.since > utc(2020, 1, 1, 0, 0),
        "the file's modification time"
    );
}

#[tokio::test]
async fn alert_is_mailed_once_through_smtp_and_not_repeated_after_restart() {
    let dir = temp_dir();
    let db = dir.path().join("a.sqlite3");
    let config = config(&db, "addresses = [\"admin@biedriba.lv\"]");
    let store = SharedStore::new(Store::open(&db).expect("store"));
    let t0 = utc(2026, 9, 14, 6, 0);
    poll(&mut store.lock().expect("lock"), t0, Some("timeout"));
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    let now = t0 + Duration::days(2);

    let sent = send_due_alerts(&store, &config, &mailer, None, now)
        .await
        .expect("alerts");
    assert_eq!(sent, 1);
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, vec!["admin@biedriba.lv".to_owned()]);
    let message = mail_parser::MessageParser::default()
        .parse(&messages[0].data)
        .expect("parses");
    assert_eq!(
        message.subject(),
        Some("draftwatch: avots tap nedarbojas / source tap is failing")
    );
    assert_eq!(
        message.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    assert!(message.date().is_some() && message.message_id().is_some());
    let body = message.body_text(0).expect("plain text body");
    assert!(body.contains("Avota tap pārbaudes neizdodas"), "{body}");
    assert!(body.contains("Polls of source tap have failed"), "{body}");
    let content_type = message.header_raw("Content-Type").unwrap_or_default();
    assert!(
        content_type.trim().starts_with("text/plain"),
        "{content_type}"
    );

    drop(store);
    let store = SharedStore::new(Store::open(&db).expect("reopen"));
    let again = send_due_alerts(&store, &config, &mailer, None, now + Duration::hours(1))
        .await
        .expect("alerts");
    assert_eq!(again, 0);
    assert_eq!(
        sink.messages().len(),
        1,
        "once per incident, across restarts"
    );
    let rows = store.lock().expect("lock").list_alerts().expect("list");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some());
}

#[tokio::test]
async fn unsent_alert_is_retried_and_no_admin_means_no_mail() {
    let dir = temp_dir();
    let db = dir.path().join("a.sqlite3");
    let store = SharedStore::new(Store::open(&db).expect("store"));
    let t0 = utc(2026, 9, 14, 6, 0);
    poll(&mut store.lock().expect("lock"), t0, Some("timeout"));
    let now = t0 + Duration::days(2);

    let silent = config(&db, "");
    let down = SmtpMailer::new(&local_smtp(free_port())).expect("mailer");
    assert_eq!(
        send_due_alerts(&store, &silent, &down, None, now)
            .await
            .expect("no admin"),
        0
    );

    let config = config(&db, "addresses = [\"admin@biedriba.lv\"]");
    let error = send_due_alerts(&store, &config, &down, None, now)
        .await
        .expect_err("server down");
    assert!(error.to_string().starts_with("alert not sent"), "{error}");
    let sink = SmtpSink::start().await;
    let up = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    let sent = send_due_alerts(&store, &config, &up, None, now + Duration::minutes(1))
        .await
        .expect("alerts");
    assert_eq!(sent, 1);
    assert_eq!(sink.messages().len(), 1);
}
