//! Digest runs end to end on real temporary SQLite files and the in-process SMTP sink: the
//! outbox (exactly-once delivery, retries, permanent refusals, crash recovery), grouped
//! contents, reminders, the calendar attachment and the dry-run output.

mod support;

use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use draftwatch::config::Config;
use draftwatch::digest::calendar::unfold;
use draftwatch::digest::{
    DigestContext, DigestSummary, RecipientOutcome, RecordOutcome, record_digests, send_digests,
};
use draftwatch::mailer::{Mailer, SmtpMailer};
use draftwatch::matcher::WatchlistSet;
use draftwatch::model::{CommentWindow, ScrapedDraft};
use draftwatch::store::{OutboxStatus, PollFailure, PollRecord, SharedStore, Store};
use support::smtp::SmtpSink;
use support::*;

/// One installation: a config, a store file and the repository's watchlists.
struct Harness {
    _dir: tempfile::TempDir,
    db: PathBuf,
    config: Config,
    store: SharedStore,
    watchlists: WatchlistSet,
}

const GOOD: &str = "koordinators@biedriba.lv";
const BAD: &str = "nav-tads@biedriba.lv";

fn harness(recipients: &[(&str, &str, &str)]) -> Harness {
    let blocks: String = recipients
        .iter()
        .map(|(name, address, language)| {
            format!(
                "[[recipients]]\nname = \"{name}\"\naddresses = [\"{address}\"]\nwatchlists = [\"berni\"]\nlanguage = \"{language}\"\n"
            )
        })
        .collect();
    harness_with("", &blocks)
}

/// A harness with extra `[digest]` keys and the `[[recipients]]` blocks as written.
fn harness_with(digest_keys: &str, recipient_blocks: &str) -> Harness {
    let dir = temp_dir();
    let db = dir.path().join("data").join("draftwatch.sqlite3");
    let mut text = format!(
        r#"{head}{FILE_MAIL}[digest]
schedule = "0 8 * * *"
{digest_keys}
"#,
        head = config_head(&db),
    );
    text.push_str(recipient_blocks);
    let config = Config::from_toml(&text, None).expect("test config loads");
    let watchlists =
        WatchlistSet::load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("watchlists"))
            .expect("shipped watchlists load");
    let store = SharedStore::new(Store::open(&db).expect("store opens"));
    Harness {
        _dir: dir,
        db,
        config,
        store,
        watchlists,
    }
}

impl Harness {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().expect("store lock")
    }

    /// Simulate a restart: a new connection on the same file.
    fn reopen(&mut self) {
        self.store = SharedStore::new(Store::open(&self.db).expect("store reopens"));
    }

    fn poll(&self, at: DateTime<Utc>, drafts: &[ScrapedDraft], error: Option<&str>) {
        self.store()
            .record_poll(
                &PollRecord {
                    source: "tap",
                    started: at - Duration::seconds(20),
                    finished: at,
                    error: error.map(|message| PollFailure {
                        kind: "fetch",
                        message: message.to_owned(),
                    }),
                },
                drafts,
            )
            .expect("record poll");
    }

    fn ctx<'a>(
        &'a self,
        mailer: &'a dyn Mailer,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> DigestContext<'a> {
        DigestContext {
            config: &self.config,
            store: &self.store,
            watchlists: &self.watchlists,
            mailer,
            now,
            dry_run,
            only_recipient: None,
        }
    }

    async fn run(&self, mailer: &dyn Mailer, now: DateTime<Utc>) -> DigestSummary {
        send_digests(&self.ctx(mailer, now, false))
            .await
            .expect("digest run")
    }
}

fn scraped(id: &str, title: &str, window: Option<(NaiveDate, NaiveDate)>) -> ScrapedDraft {
    ScrapedDraft {
        external_id: format!("uuid-{id}"),
        ta_number: Some(format!("26-TA-{id}")),
        title: title.to_owned(),
        kind: Some("Publiskā apspriešana".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: Some("Sabiedriskā apspriešana".to_owned()),
        url: format!("https://tapportals.mk.gov.lv/public_participation/uuid-{id}"),
        window: window.map(|(from, to)| CommentWindow { from, to }),
        detail: None,
        detail_error: None,
        ..Default::default()
    }
}

/// A draft about children, open from 1 to 25 September 2026.
fn child_draft() -> ScrapedDraft {
    scraped(
        "100",
        "Grozījumi Bērnu tiesību aizsardzības likumā",
        Some((day(2026, 9, 1), day(2026, 9, 25))),
    )
}

fn smtp(sink: &SmtpSink) -> SmtpMailer {
    SmtpMailer::new(&local_smtp(sink.port())).expect("mailer")
}

fn message_id_of(raw: &[u8]) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("message parses");
    format!("<{}>", message.message_id().unwrap_or_default())
}

fn outcome_of<'a>(summary: &'a DigestSummary, name: &str) -> &'a RecipientOutcome {
    &summary
        .recipients
        .iter()
        .find(|report| report.recipient == name)
        .expect("recipient reported")
        .outcome
}

#[tokio::test]
async fn server_down_then_up_delivers_once_after_retry() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[child_draft()], None);

    // Nothing listens on this port: a temporary failure.
    let down = SmtpMailer::new(&local_smtp(free_port())).expect("mailer");
    let summary = h.run(&down, t0).await;
    assert!(
        matches!(
            outcome_of(&summary, "Tīkls"),
            RecipientOutcome::Failed {
                permanent: false,
                ..
            }
        ),
        "{summary}"
    );
    let pending = h.store().list_outbox(None, 10).expect("outbox");
    assert_eq!(pending.len(), 1);
    let recorded = &pending[0];
    assert_eq!(recorded.status, OutboxStatus::Pending);
    assert_eq!(recorded.attempts, 1);
    assert_eq!(recorded.next_attempt_at, t0 + Duration::minutes(5));
    assert!(recorded.last_error.is_some());

    let sink = SmtpSink::start().await;
    let up = smtp(&sink);
    // Not due yet: nothing is sent, and the pending drafts stay out of a new digest.
    let early = h.run(&up, t0 + Duration::minutes(2)).await;
    assert_eq!(outcome_of(&early, "Tīkls"), &RecipientOutcome::NothingNew);
    assert!(sink.messages().is_empty());

    let retried = h.run(&up, t0 + Duration::minutes(6)).await;
    assert_eq!(retried.retried.len(), 1, "{retried}");
    assert!(!retried.has_failures(), "{retried}");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].raw_message_id(), recorded.message_id);
    // SMTP DATA may add a line end before the final dot; everything else must be identical.
    let trim = |bytes: &[u8]| {
        let end = bytes.len()
            - bytes
                .iter()
                .rev()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        bytes[..end].to_vec()
    };
    let (got, want) = (trim(&messages[0].data), trim(&recorded.raw_message));
    let first_difference = got.iter().zip(&want).position(|(a, b)| a != b);
    assert!(
        got == want,
        "the very same bytes are sent: lengths {} and {}, first difference at {first_difference:?}: {:?}",
        got.len(),
        want.len(),
        String::from_utf8_lossy(
            &got[first_difference.unwrap_or(0).saturating_sub(40)..][..80.min(got.len())]
        )
    );

    let sent = &h.store().list_outbox(None, 10).expect("outbox")[0];
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert_eq!(sent.attempts, 2);
    assert!(h.store().delivered_draft_ids("Tīkls").expect("read").len() == 1);

    h.run(&up, t0 + Duration::days(1)).await;
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
}

trait RawMessageId {
    fn raw_message_id(&self) -> String;
}

impl RawMessageId for support::smtp::ReceivedMessage {
    fn raw_message_id(&self) -> String {
        message_id_of(&self.data)
    }
}

#[tokio::test]
async fn permanent_refusal_is_recorded_and_others_are_delivered() {
    let h = harness(&[("Labie", GOOD, "lv"), ("Nepareizie", BAD, "lv")]);
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    sink.refuse_recipient(BAD, 550);
    let mailer = smtp(&sink);

    let summary = h.run(&mailer, t0).await;
    assert!(summary.has_failures());
    assert!(matches!(
        outcome_of(&summary, "Labie"),
        RecipientOutcome::Sent { drafts: 1, .. }
    ));
    match outcome_of(&summary, "Nepareizie") {
        RecipientOutcome::Failed { reason, permanent } => {
            assert!(*permanent);
            assert!(
                reason.contains("550") || reason.contains("permanent"),
                "{reason}"
            );
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    let failed = h
        .store()
        .list_outbox(Some(OutboxStatus::FailedPermanent), 10)
        .expect("outbox");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].recipient, "Nepareizie");
    assert!(failed[0].last_error.is_some());
    assert!(
        failed[0].to_string().contains("failed_permanent"),
        "{}",
        failed[0]
    );

    // Never retried; the good recipient gets nothing twice.
    h.run(&mailer, t0 + Duration::days(1)).await;
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(sink.messages()[0].to, vec![GOOD.to_owned()]);
}

#[tokio::test]
async fn crash_before_send_sends_exactly_once_after_restart() {
    let mut h = harness(&[("Tīkls", GOOD, "lv")]);
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);

    // The record phase alone: what a process killed by the before-send failpoint leaves.
    let recorded = record_digests(&h.ctx(&mailer, t0, false)).expect("record");
    let message_id = match &recorded[0].1 {
        RecordOutcome::Recorded { message_id, .. } => message_id.clone(),
        other => panic!("expected a recorded digest, got {other:?}"),
    };
    assert!(sink.messages().is_empty());

    h.reopen();
    // Restarted within the same minute: the digest is not built again, the recorded one goes.
    let summary = h.run(&mailer, t0 + Duration::seconds(30)).await;
    assert!(
        matches!(
            outcome_of(&summary, "Tīkls"),
            RecipientOutcome::AlreadyRecorded { .. }
        ),
        "{summary}"
    );
    assert_eq!(summary.retried.len(), 1, "{summary}");
    h.run(&mailer, t0 + Duration::hours(2)).await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "sent exactly once");
    assert_eq!(messages[0].raw_message_id(), message_id);
}

#[tokio::test]
async fn crash_after_send_repeats_at_most_once_with_the_same_message_id() {
    let mut h = harness(&[("Tīkls", GOOD, "lv")]);
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);

    record_digests(&h.ctx(&mailer, t0, false)).expect("record");
    // The server accepts, then the process dies before marking (the after-send failpoint).
    let due = h.store().due_outbox(t0).expect("due");
    assert_eq!(due.len(), 1);
    let envelope = lettre::address::Envelope::new(
        Some(due[0].envelope_from.parse().expect("from")),
        vec![due[0].envelope_to[0].parse().expect("to")],
    )
    .expect("envelope");
    mailer
        .send_raw(&envelope, &due[0].raw_message)
        .await
        .expect("accepted");

    h.reopen();
    h.run(&mailer, t0 + Duration::minutes(1)).await;
    h.run(&mailer, t0 + Duration::days(1)).await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "one repeat, no more");
    assert_eq!(messages[0].raw_message_id(), due[0].message_id);
    assert_eq!(messages[1].raw_message_id(), due[0].message_id);
    assert!(messages[0].data == messages[1].data, "identical repeat");
}

#[tokio::test]
async fn outbox_lists_every_digest_newest_first() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    h.run(&mailer, t0).await;
    let later = scraped(
        "101",
        "Noteikumi par bērnu uzraudzības pakalpojumu",
        Some((day(2026, 9, 10), day(2026, 10, 10))),
    );
    h.poll(t0 + Duration::hours(20), &[child_draft(), later], None);
    h.run(&mailer, t0 + Duration::days(1)).await;

    let all = h.store().list_outbox(None, 10).expect("list");
    assert_eq!(all.len(), 2);
    assert!(all[0].id > all[1].id, "newest first");
    assert!(all.iter().all(|entry| entry.status == OutboxStatus::Sent));
    assert_eq!(all[0].draft_ids.len(), 1);
    assert!(all[0].to_string().contains("sent Tīkls"), "{}", all[0]);
    assert!(
        h.store()
            .list_outbox(Some(OutboxStatus::Pending), 10)
            .expect("list")
            .is_empty()
    );
    assert_eq!(sink.messages().len(), 2);
}

/// The text part of a delivered digest.
fn text_of(raw: &[u8]) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("message parses");
    message.body_text(0).unwrap_or_default().into_owned()
}

/// The text/calendar attachment of a delivered digest, if any.
fn calendar_of(raw: &[u8]) -> Option<String> {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("message parses");
    use mail_parser::MimeHeaders as _;
    message.attachments().find_map(|part| {
        part.content_type()
            .filter(|ct| ct.subtype() == Some("calendar"))
            .map(|_| String::from_utf8_lossy(part.contents()).into_owned())
    })
}

#[tokio::test]
async fn reminders_come_three_and_one_day_before_the_end_once_each() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let end = day(2026, 9, 25);
    h.poll(utc(2026, 9, 10, 4, 0), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    // 05:00 UTC is 08:00 in Riga: the local day is the UTC day.
    let at = |d: u32, minute: u32| utc(2026, 9, d, 5, minute);
    h.run(&mailer, at(10, 0)).await; // new draft: 15 days left
    let mut reminders = Vec::new();
    for (d, minute) in [
        (20, 0),
        (22, 0),
        (22, 30),
        (23, 0),
        (24, 0),
        (24, 5),
        (25, 0),
    ] {
        let before = sink.messages().len();
        h.run(&mailer, at(d, minute)).await;
        if sink.messages().len() > before {
            let text = text_of(&sink.messages()[before].data);
            assert!(text.contains("ATGĀDINĀJUMI"), "{text}");
            reminders.push((d, text));
        }
    }
    let days: Vec<u32> = reminders.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        days,
        vec![22, 24],
        "3 days and 1 day before {end}, once each"
    );
    assert!(
        reminders[0].1.contains("pēc 3 dienām"),
        "{}",
        reminders[0].1
    );
    assert!(
        reminders[1].1.contains("termiņš beidzas rīt"),
        "{}",
        reminders[1].1
    );
    let subject = mail_parser::MessageParser::default()
        .parse(&sink.messages()[2].data)
        .and_then(|m| m.subject().map(str::to_owned))
        .unwrap_or_default();
    assert_eq!(subject, "draftwatch: 1 termiņš beidzas rīt");
}

#[tokio::test]
async fn moved_deadline_is_a_change_and_reminders_follow_the_new_date() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    h.poll(utc(2026, 9, 10, 4, 0), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    h.run(&mailer, utc(2026, 9, 10, 5, 0)).await;
    h.run(&mailer, utc(2026, 9, 22, 5, 0)).await; // 3-day reminder for the 25th
    assert_eq!(sink.messages().len(), 2);

    let mut moved = child_draft();
    moved.window = Some(CommentWindow {
        from: day(2026, 9, 1),
        to: day(2026, 10, 9),
    });
    moved.stage = Some("Izsludināts VSS".to_owned());
    h.poll(utc(2026, 9, 23, 4, 0), &[moved], None);
    h.run(&mailer, utc(2026, 9, 23, 5, 0)).await;
    let text = text_of(&sink.messages()[2].data);
    assert!(text.contains("IZMAIŅAS"), "{text}");
    assert!(
        text.contains("termiņš pārcelts: 25.09.2026. → 09.10.2026."),
        "{text}"
    );
    assert!(text.contains("stadija mainīta"), "{text}");
    assert!(!text.contains("ATGĀDINĀJUMI"), "{text}");
    // The old date's 1-day reminder never comes; the new date's 3-day one does.
    h.run(&mailer, utc(2026, 9, 24, 5, 0)).await;
    assert_eq!(sink.messages().len(), 3);
    h.run(&mailer, utc(2026, 10, 6, 5, 0)).await;
    let text = text_of(&sink.messages()[3].data);
    assert!(text.contains("pēc 3 dienām"), "{text}");
}

#[tokio::test]
async fn contents_are_grouped_with_links_footer_and_calendar() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let soon = scraped(
        "1",
        "Noteikumi par bērnu uzturlīdzekļiem",
        Some((day(2026, 9, 1), day(2026, 9, 16))),
    );
    let open = child_draft();
    let coordination = scraped("3", "Bērnu aizsardzības centra nolikums", None);
    let closed = scraped(
        "4",
        "Bērnu nometņu noteikumi",
        Some((day(2026, 8, 1), day(2026, 9, 1))),
    );
    h.poll(
        utc(2026, 9, 13, 4, 0),
        &[soon, open, coordination, closed],
        None,
    );
    h.poll(utc(2026, 9, 14, 4, 0), &[], Some("portal answered 503"));
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    h.run(&mailer, utc(2026, 9, 15, 5, 0)).await;
    let raw = &sink.messages()[0].data;
    let text = text_of(raw);
    let pos = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {text}"))
    };
    assert!(pos("TERMIŅŠ DRĪZ BEIDZAS") < pos("26-TA-1"));
    assert!(pos("26-TA-1") < pos("SABIEDRĪBAS LĪDZDALĪBA"));
    assert!(pos("SABIEDRĪBAS LĪDZDALĪBA") < pos("26-TA-100"));
    assert!(pos("26-TA-100") < pos("JAUNI PROJEKTI BEZ ATVĒRTA TERMIŅA"));
    assert!(pos("JAUNI PROJEKTI BEZ ATVĒRTA TERMIŅA") < pos("26-TA-3"));
    assert!(
        !text.contains("26-TA-4"),
        "closed windows are left out: {text}"
    );
    assert!(text.contains("atlikusi 1 diena"), "{text}");
    assert!(
        text.contains("Atbilst: berni (bērnu, uzturlīdzekļiem)"),
        "{text}"
    );
    let opinion = text.replace("\r\n", "\n").contains(
        "Iesniegt viedokli:\n   https://tapportals.mk.gov.lv/public_participation/uuid-1\n",
    );
    assert!(opinion, "{text}");
    assert!(
        text.contains("Avots tap: pēdējā veiksmīgā pārbaude 13.09.2026. 07:00."),
        "{text}"
    );
    assert!(text.contains("UZMANĪBU: avots tap nedarbojas"), "{text}");
    let calendar = calendar_of(raw).expect("calendar attached");
    let lines = unfold(&calendar);
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    assert!(
        lines.contains(&"UID:tap-uuid-1@draftwatch".to_owned()),
        "{lines:?}"
    );
    assert!(lines.contains(&"DTSTART;VALUE=DATE:20260916".to_owned()));
    assert!(lines.contains(&"DTEND;VALUE=DATE:20260917".to_owned()));
    assert!(lines.contains(&"METHOD:PUBLISH".to_owned()));
    assert!(calendar.split("\r\n").all(|line| line.len() <= 75));
}

#[tokio::test]
async fn calendar_parses_with_python_icalendar_and_uids_stay_stable() {
    let h = harness(&[("Tīkls", GOOD, "en")]);
    let mut tricky = child_draft();
    tricky.title = "Bērnu tiesības; grozījumi, \\ un \"citi\" — ļoti garš nosaukums, kas jāloka vairākās rindās".to_owned();
    h.poll(utc(2026, 9, 10, 4, 0), &[tricky], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    h.run(&mailer, utc(2026, 9, 10, 5, 0)).await;
    h.run(&mailer, utc(2026, 9, 22, 5, 0)).await; // reminder digest lists it again
    let first = calendar_of(&sink.messages()[0].data).expect("calendar");
    let second = calendar_of(&sink.messages()[1].data).expect("calendar");
    let uid = |text: &str| {
        unfold(text)
            .into_iter()
            .filter(|line| line.starts_with("UID:"))
            .collect::<Vec<_>>()
    };
    assert_eq!(uid(&first), vec!["UID:tap-uuid-100@draftwatch".to_owned()]);
    assert_eq!(uid(&first), uid(&second));

    let python_has_icalendar = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import icalendar"])
        .status()
        .is_ok_and(|status| status.success());
    if !python_has_icalendar {
        // .ci/run installs it; in CI a missing parser is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "python3-icalendar is required in CI"
        );
        println!("skipped: python3-icalendar not installed (apt-get install -y python3-icalendar)");
        return;
    }
    let dir = temp_dir();
    let path = dir.path().join("digest.ics");
    std::fs::write(&path, &first).expect("write ics");
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        events = [c for c in cal.walk('VEVENT')]\n\
        assert len(events) == 1, events\n\
        e = events[0]\n\
        print(e['UID']); print(e['SUMMARY']); print(e['DTSTART'].dt); print(e['DTEND'].dt)\n\
        print(len(list(e.walk('VALARM'))))\n";
    let output = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "tap-uuid-100@draftwatch");
    assert_eq!(
        lines[1],
        "Deadline: 26-TA-100 Bērnu tiesības; grozījumi, \\ un \"citi\" — ļoti garš nosaukums, kas jāloka vairākās rindās"
    );
    assert_eq!(lines[2], "2026-09-25");
    assert_eq!(lines[3], "2026-09-26");
    assert_eq!(lines[4], "1");
}

/// The dry-run output with Date and Message-ID lines redacted.
fn redacted(output: &str) -> String {
    output
        .lines()
        .map(|line| {
            if line.starts_with("Date: ") {
                "Date: [redacted]"
            } else if line.starts_with("Message-ID: ") {
                "Message-ID: [redacted]"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[tokio::test]
async fn dry_run_prints_exactly_what_would_be_sent() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    h.poll(utc(2026, 9, 14, 4, 0), &[child_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    let now = utc(2026, 9, 15, 5, 0);
    let summary = send_digests(&h.ctx(&mailer, now, true))
        .await
        .expect("dry run");
    assert!(sink.messages().is_empty(), "a dry run sends nothing");
    assert!(h.store().list_outbox(None, 10).expect("list").is_empty());
    let output = redacted(&summary.to_string());
    // tests/snapshots/digest__digest_dry_run.snap; after a deliberate change
    // `INSTA_UPDATE=always cargo test --test digest` rewrites it (review the diff).
    insta::assert_snapshot!("digest_dry_run", output);

    // The real run at the same instant sends that subject and text.
    h.run(&mailer, now).await;
    let raw = &sink.messages()[0].data;
    let text = text_of(raw).replace("\r\n", "\n");
    assert!(output.contains(text.trim_end()), "{text}");
}

/// A draft about foster families only (`arpusgimenes-aprupe`, not `izglitiba`).
fn foster_draft() -> ScrapedDraft {
    scraped(
        "201",
        "Grozījumi noteikumos par atlīdzību audžuģimenēm",
        Some((day(2026, 9, 1), day(2026, 9, 28))),
    )
}

/// A draft about schools only (the `izglitiba` watchlist, not `berni`).
fn school_draft() -> ScrapedDraft {
    scraped(
        "200",
        "Grozījumi Vispārējās izglītības likumā par skolu finansēšanu",
        Some((day(2026, 9, 1), day(2026, 9, 28))),
    )
}

fn parsed_for<'a>(
    messages: &'a [support::smtp::ReceivedMessage],
    address: &str,
) -> Vec<&'a support::smtp::ReceivedMessage> {
    messages
        .iter()
        .filter(|message| message.to.iter().any(|to| to == address))
        .collect()
}

#[tokio::test]
async fn recipients_get_their_own_digests_and_empty_ones_a_nothing_new_mail() {
    let h = harness_with(
        "",
        r#"
[[recipients]]
name = "Bērnu tīkls"
addresses = ["berni@biedriba.lv"]
watchlists = ["arpusgimenes-aprupe"]
[[recipients]]
name = "Skolu tīkls"
addresses = ["skolas@biedriba.lv"]
watchlists = ["izglitiba"]
schedule = "30 7 * * MON"
[[recipients]]
name = "Klusie"
addresses = ["klusie@biedriba.lv"]
watchlists = ["jauniesi-atkaribas"]
send_when_empty = true
[[recipients]]
name = "Klusie bez ziņām"
addresses = ["bez@biedriba.lv"]
watchlists = ["jauniesi-atkaribas"]
"#,
    );
    let schedules = h.config.digest_schedules();
    assert_eq!(schedules.len(), 2, "two distinct schedules");
    assert_eq!(schedules[0].0.as_str(), "0 8 * * *");
    assert_eq!(
        schedules[0].1,
        vec!["Bērnu tīkls", "Klusie", "Klusie bez ziņām"]
    );
    assert_eq!(schedules[1].1, vec!["Skolu tīkls"]);

    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(
        t0 - Duration::hours(1),
        &[foster_draft(), school_draft()],
        None,
    );
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    let ctx = h.ctx(&mailer, t0, false);
    let names: Vec<String> = schedules[0].1.clone();
    let summary = draftwatch::digest::send_digests_to(&ctx, &names)
        .await
        .expect("digest run");
    assert_eq!(summary.recipients.len(), 3, "{summary}");
    assert_eq!(
        outcome_of(&summary, "Klusie bez ziņām"),
        &RecipientOutcome::NothingNew
    );
    let school = draftwatch::digest::send_digests_to(&ctx, &schedules[1].1)
        .await
        .expect("digest run");
    assert_eq!(school.recipients.len(), 1, "{school}");

    let messages = sink.messages();
    assert_eq!(messages.len(), 3, "one mail each, none for the quiet one");
    let children = parse_mail(&parsed_for(&messages, "berni@biedriba.lv")[0].data);
    let schools = parse_mail(&parsed_for(&messages, "skolas@biedriba.lv")[0].data);
    let quiet = parse_mail(&parsed_for(&messages, "klusie@biedriba.lv")[0].data);
    assert!(children.text.contains("audžuģimenēm"), "{}", children.text);
    assert!(!children.text.contains("skolu finansēšanu"));
    assert!(schools.text.contains("skolu finansēšanu"));
    assert!(!schools.text.contains("audžuģimenēm"), "{}", schools.text);
    assert_eq!(quiet.subject, "draftwatch: nekā jauna");
    assert!(quiet.text.contains("nav jaunu projektu"), "{}", quiet.text);
    assert!(quiet.html.contains("nav jaunu projektu"));
    assert!(
        quiet.text.contains("Avots tap"),
        "source footer: {}",
        quiet.text
    );
    assert_eq!(quiet.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(
        parsed_for(&messages, "bez@biedriba.lv").is_empty(),
        "send_when_empty defaults to false"
    );
    // One digest per recipient per scheduled run: running again in the same minute sends nothing.
    draftwatch::digest::send_digests_to(&ctx, &names)
        .await
        .expect("digest run");
    assert_eq!(sink.messages().len(), 3);
}

#[tokio::test]
async fn unknown_recipient_names_are_refused() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    let ctx = h.ctx(&mailer, utc(2026, 9, 15, 5, 0), false);
    let error = draftwatch::digest::send_digests_to(&ctx, &["Nav tāda".to_owned()])
        .await
        .expect_err("unknown name");
    assert!(error.to_string().contains("Nav tāda"), "{error}");
}

fn header_of(raw: &[u8], name: &str) -> Option<String> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|message| {
            message
                .header_raw(name)
                .map(|value| value.trim().to_owned())
        })
}

#[tokio::test]
async fn oversized_digest_is_cut_and_the_rest_comes_next_time() {
    let h = harness_with(
        "max_bytes = 20_000",
        &format!(
            "[[recipients]]\nname = \"Tīkls\"\naddresses = [\"{GOOD}\"]\nwatchlists = [\"berni\"]\n"
        ),
    );
    let t0 = utc(2026, 9, 15, 5, 0);
    let drafts: Vec<ScrapedDraft> = (0..60)
        .map(|n| {
            scraped(
                &format!("{}", 300 + n),
                &format!(
                    "Grozījumi Bērnu tiesību aizsardzības likumā nr. {n} par bērnu tiesībām un ģimenes atbalstu pašvaldībās"
                ),
                Some((day(2026, 9, 1), day(2026, 10, 1))),
            )
        })
        .collect();
    h.poll(t0 - Duration::hours(1), &drafts, None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);

    let first = h.run(&mailer, t0).await;
    assert!(!first.has_failures(), "{first}");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let raw = &messages[0].data;
    assert!(raw.len() <= 20_000 + 100, "cut to the limit: {}", raw.len());
    let delivered = h.store().delivered_draft_ids("Tīkls").expect("read").len();
    assert!(
        delivered > 0 && delivered < 60,
        "some but not all drafts fit: {delivered}"
    );
    let left = 60 - delivered;
    let mail = parse_mail(raw);
    let note = format!("… vēl {left} projekti nākamajā vēstulē");
    assert!(mail.text.contains(&note), "{note} in: {}", mail.text);
    assert!(mail.html.contains(&note), "note in the HTML part");
    assert_eq!(
        header_of(raw, "List-Id").as_deref(),
        Some("draftwatch digest <digest.draftwatch.biedriba.lv>")
    );
    assert!(mail.has_date);
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(!mail.message_id.is_empty());

    // The drafts left out come in the following digests, each exactly once.
    let mut run_at = t0;
    for _ in 0..60 {
        if h.store().delivered_draft_ids("Tīkls").expect("read").len() == 60 {
            break;
        }
        run_at += Duration::hours(1);
        let summary = h.run(&mailer, run_at).await;
        assert!(!summary.has_failures(), "{summary}");
    }
    assert_eq!(
        h.store().delivered_draft_ids("Tīkls").expect("read").len(),
        60
    );
    let all_text: String = sink
        .messages()
        .iter()
        .map(|message| parse_mail(&message.data).text)
        .collect();
    for n in 0..60 {
        let title = format!("likumā nr. {n} par");
        assert_eq!(
            all_text.matches(&title).count(),
            1,
            "draft {n} exactly once"
        );
    }
}

/// Every part of a digest that carries a label, in both languages: all groups, a reminder,
/// every kind of change, a healthy and a failing source, the cut note, the calendar note,
/// and a digest with nothing new. The snapshot pins the exact bytes, so moving labels out
/// of the templates cannot change a single character of what recipients read.
#[test]
fn every_label_renders_exactly_as_the_snapshot_in_both_languages() {
    use draftwatch::config::Language;
    use draftwatch::digest::{
        ChangeItem, ChangeNote, DigestContents, DigestItem, DraftNotes, ReminderItem, SourceHealth,
        Templates,
    };
    use draftwatch::matcher::{Field, Hit, WatchlistVerdict};
    use draftwatch::model::{
        ImpactAnswer, ImpactItem, Meeting, Opinion, StoredDraft, StoredWindow, WindowKind,
    };
    use draftwatch::store::ReminderKey;

    let today = day(2026, 9, 15);
    let soon = draft_with_window(
        1,
        "Noteikumi par bērnu uzturlīdzekļiem un <b>citiem</b> jautājumiem, kas ir pietiekami gari, lai tiktu aplauzti",
        day(2026, 9, 1),
        day(2026, 9, 16),
    );
    let mut open = draft_with_window(
        2,
        "Grozījumi Bērnu tiesību aizsardzības likumā",
        day(2026, 9, 1),
        day(2026, 9, 25),
    );
    open.description = Some(
        "Ievads par daudz ko citu, kas nav svarīgs. Projekts paredz stiprināt bērnu tiesību \
         aizsardzību ģimenēs un skolās, kā arī pašvaldību atbalstu audžuģimenēm visā Latvijā."
            .to_owned(),
    );
    let not_started = draft_with_window(
        3,
        "Audžuģimeņu noteikumi",
        day(2026, 9, 20),
        day(2026, 10, 5),
    );
    let mut coordination = draft(4, "Bērnu aizsardzības centra nolikums");
    coordination.kind = None;
    coordination.ministry = None;
    let reminded = draft_with_window(
        5,
        "Bērnu nometņu noteikumi",
        day(2026, 9, 1),
        day(2026, 9, 16),
    );
    let changed = draft_with_window(
        6,
        "Ģimenes valsts pabalsta likums bērniem",
        day(2026, 9, 1),
        day(2026, 10, 9),
    );
    // In coordination until 25.09 (also open for public participation until 30.09), with
    // opinions of seven organisations and two private persons.
    let mut coordinated = draft_with_window(
        7,
        "Bērnu tiesību aizsardzības likuma grozījumi koordinācijā",
        day(2026, 9, 1),
        day(2026, 9, 30),
    );
    coordinated.windows = vec![StoredWindow {
        kind: WindowKind::Coordination,
        round: 1,
        window: CommentWindow {
            from: day(2026, 9, 11),
            to: day(2026, 9, 25),
        },
        submit_to: Some("pasts@vk.gov.lv".to_owned()),
        seen_at: utc(2026, 9, 11, 8, 0),
        closed_at: None,
    }];
    let opinion = |submitter: &str, legal_person| Opinion {
        window_kind: WindowKind::Coordination,
        submitter: submitter.to_owned(),
        legal_person,
        given_on: Some(day(2026, 9, 12)),
        late: false,
    };
    coordinated.opinions = [
        "Finanšu ministrija",
        "Tieslietu ministrija",
        "Latvijas Pašvaldību savienība",
        "Valsts kanceleja",
        "Izglītības un zinātnes ministrija",
        "Biedrība \"Glābiet bērnus\"",
        "Veselības ministrija",
    ]
    .iter()
    .map(|name| opinion(name, true))
    .chain([opinion("Jānis B.", false), opinion("Anna K.", false)])
    .collect();
    let verdict = |d: &StoredDraft, word: &str| {
        let mut hits = vec![hit(Field::Title, &d.title, word)];
        if let Some(description) = &d.description {
            hits.push(hit(Field::Description, description, "bērnu"));
        }
        fired("berni", hits)
    };
    let verdicts = [
        verdict(&soon, "bērnu"),
        verdict(&open, "Bērnu"),
        // Hits in the annotation (two sentences) and the draft text (two): three sentences
        // shown, annotation first, one counted; with 8.1.16 Nē below, the contradiction note.
        fired(
            "audzugimenes",
            [hit(Field::Title, &not_started.title, "Audžuģimeņu")]
                .into_iter()
                .chain((0..2).map(|i| Hit {
                    span: i * 1000..i * 1000 + "audžuģimenēm".len(),
                    context: Some(format!("Teikums {i} par atbalstu audžuģimenēm.")),
                    ..hit(Field::Annotation, "audžuģimenēm", "audžuģimenēm")
                }))
                .chain((0..2).map(|i| Hit {
                    span: i * 1000..i * 1000 + "audžuģimenēm".len(),
                    context: Some(format!("…nosaka atlīdzību {i} audžuģimenēm <b>un</b>…")),
                    ..hit(Field::Document, "audžuģimenēm", "audžuģimenēm")
                }))
                .collect(),
        ),
        verdict(&coordination, "Bērnu"),
        verdict(&reminded, "Bērnu"),
        verdict(&changed, "bērniem"),
        verdict(&coordinated, "Bērnu"),
    ];
    let second = fired(
        "vardarbiba",
        vec![hit(Field::Title, &open.title, "Bērnu tiesību aizsardzības")],
    );
    let drafts = [
        soon,
        open,
        not_started,
        coordination,
        reminded,
        changed,
        coordinated,
    ];
    fn listed<'a>(
        draft: &'a StoredDraft,
        matches: Vec<&'a WatchlistVerdict>,
        today: NaiveDate,
    ) -> DigestItem<'a> {
        DigestItem::new(draft, today, matches)
    }
    let full = DigestContents {
        closing_soon: vec![listed(&drafts[0], vec![&verdicts[0]], today)],
        open: vec![
            listed(&drafts[1], vec![&verdicts[1], &second], today),
            listed(&drafts[2], vec![&verdicts[2]], today),
        ],
        coordination: vec![listed(&drafts[6], vec![&verdicts[6]], today)],
        no_window: vec![{
            let mut item = listed(&drafts[3], vec![&verdicts[3]], today);
            item.notes = vec![ChangeNote::OnAgenda {
                meeting: Meeting::StateSecretaries,
                date: day(2026, 9, 10),
            }];
            item
        }],
        reminders: vec![
            ReminderItem {
                item: listed(&drafts[6], vec![&verdicts[6]], today),
                key: ReminderKey {
                    draft_id: 7,
                    window_kind: WindowKind::Coordination,
                    round: 1,
                    window_to: day(2026, 9, 25),
                    days_before: 10,
                },
            },
            ReminderItem {
                item: listed(&drafts[4], vec![&verdicts[4]], today),
                key: ReminderKey {
                    draft_id: 5,
                    window_kind: draftwatch::model::WindowKind::PublicParticipation,
                    round: 1,
                    window_to: day(2026, 9, 16),
                    days_before: 1,
                },
            },
        ],
        changes: vec![ChangeItem {
            item: listed(&drafts[5], vec![&verdicts[5]], today),
            notes: vec![
                ChangeNote::DeadlineMoved {
                    from: day(2026, 9, 25),
                    to: day(2026, 10, 9),
                },
                ChangeNote::WindowReopened {
                    from: day(2026, 9, 10),
                    to: day(2026, 10, 9),
                },
                ChangeNote::WindowOpened {
                    to: day(2026, 10, 9),
                },
                ChangeNote::StageChanged {
                    from: None,
                    to: Some("Izsludināts VSS".to_owned()),
                },
                ChangeNote::CoordinationOpened {
                    to: day(2026, 9, 25),
                },
                ChangeNote::CoordinationMoved {
                    from: day(2026, 9, 25),
                    to: day(2026, 10, 2),
                },
                ChangeNote::OnAgenda {
                    meeting: Meeting::StateSecretaries,
                    date: day(2026, 9, 10),
                },
                ChangeNote::OnAgenda {
                    meeting: Meeting::Cabinet,
                    date: day(2026, 9, 22),
                },
                ChangeNote::Adopted {
                    date: Some(day(2026, 9, 22)),
                },
                ChangeNote::Published {
                    number: Some("2026/185.3".to_owned()),
                    date: Some(day(2026, 9, 24)),
                    url: Some("https://www.vestnesis.lv/op/2026/185.3".to_owned()),
                },
            ],
        }],
        sources: vec![
            SourceHealth {
                name: "tap".to_owned(),
                last_success: Some(utc(2026, 9, 15, 5, 10)),
                failing: None,
            },
            SourceHealth {
                name: "tap-atzinumi".to_owned(),
                last_success: None,
                failing: Some(
                    "the list page markup changed: no table with the expected columns".to_owned(),
                ),
            },
        ],
        left_out: 2,
    };
    let empty = DigestContents {
        sources: full.sources[..1].to_vec(),
        ..DigestContents::default()
    };
    // Draft 3 answers Nē on 8.1.16 and Jā on 8.1.8; draft 2 answers Jā on 8.1.16.
    let impact = |number: &str, label: &str, answer| ImpactItem {
        number: number.to_owned(),
        label: label.to_owned(),
        answer,
        explanation: None,
    };
    let notes = DraftNotes::new(
        [
            (
                3,
                vec![
                    impact(
                        "8.1.8",
                        "uz iedzīvotāju sociālo situāciju",
                        ImpactAnswer::Yes,
                    ),
                    impact("8.1.16", "uz bērna labākajām interesēm", ImpactAnswer::No),
                ],
            ),
            (
                2,
                vec![impact(
                    "8.1.16",
                    "uz bērna labākajām interesēm",
                    ImpactAnswer::Yes,
                )],
            ),
        ]
        .into(),
        ["audzugimenes".to_owned()].into(),
    );
    let templates = Templates::embedded().expect("embedded templates");
    let mut output = String::new();
    for language in [Language::Lv, Language::En] {
        let who = recipient("Tīkls", &[GOOD], &["berni"], language);
        for (case, contents) in [("full", &full), ("empty", &empty)] {
            let digest = templates
                .render_contents_with(&who, contents, &notes, today, chrono_tz::Europe::Riga)
                .expect("renders");
            output.push_str(&format!(
                "===== {language:?} {case}: {}\n----- text\n{}\n----- html\n{}\n----- calendar\n{}\n",
                digest.subject,
                digest.text,
                digest.html,
                digest.calendar.unwrap_or_default()
            ));
        }
    }
    let expected_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/digest_every_label.txt");
    // UPDATE_SNAPSHOTS=1 rewrites the file after a deliberate change; review the diff.
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&expected_path, &output).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&expected_path).expect("snapshot file");
    assert!(
        output == expected,
        "rendered output differs from {}",
        expected_path.display()
    );
}

/// The subjects of every message the sink received, in order.
fn subjects(sink: &SmtpSink) -> Vec<String> {
    sink.messages()
        .iter()
        .map(|message| {
            mail_parser::MessageParser::default()
                .parse(&message.data)
                .and_then(|m| m.subject().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect()
}

/// A draft first reported with 1 day left (inside both default thresholds, 3 and 1) was
/// followed by a "reminder" digest with new Message-IDs at the next run minutes later, and
/// by another one the day after: the thresholds reached at the first report fired again.
#[tokio::test]
async fn no_reminder_right_after_first_report_inside_threshold() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let ends_tomorrow = scraped(
        "200",
        "Grozījumi Bērnu tiesību aizsardzības likumā",
        Some((day(2026, 9, 1), day(2026, 9, 16))),
    );
    h.poll(utc(2026, 9, 15, 5, 0), &[ends_tomorrow], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    // 06:00 UTC is 09:00 in Riga.
    h.run(&mailer, utc(2026, 9, 15, 6, 0)).await;
    h.run(&mailer, utc(2026, 9, 15, 6, 5)).await;
    h.run(&mailer, utc(2026, 9, 16, 6, 0)).await;
    assert_eq!(
        subjects(&sink),
        vec![
            "draftwatch: 1 projekts komentēšanai (tuvākais termiņš 16.09.2026.), 1 termiņš beidzas rīt"
        ],
        "only the first report"
    );
}

/// A threshold not yet reached at the first report still gives its reminder: reported with
/// 3 days left, the 1-day reminder comes (and nothing in between).
#[tokio::test]
async fn later_threshold_still_fires_after_first_report_inside_an_earlier_one() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let three_days_left = scraped(
        "201",
        "Grozījumi Bērnu tiesību aizsardzības likumā",
        Some((day(2026, 9, 1), day(2026, 9, 18))),
    );
    h.poll(utc(2026, 9, 15, 5, 0), &[three_days_left], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    for d in [15, 16, 17, 18] {
        h.run(&mailer, utc(2026, 9, d, 6, 0)).await;
    }
    let sent = subjects(&sink);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[1], "draftwatch: 1 termiņš beidzas rīt");
    let text = text_of(&sink.messages()[1].data);
    assert!(text.contains("Atgādinājums: termiņš beidzas rīt"), "{text}");
}

/// Thresholds reached at the first report are tied to that deadline: when it moves, the
/// new deadline's reminders come as usual.
#[tokio::test]
async fn moved_deadline_after_first_report_inside_threshold_gets_its_reminders() {
    let h = harness(&[("Tīkls", GOOD, "lv")]);
    let mut draft = scraped(
        "202",
        "Grozījumi Bērnu tiesību aizsardzības likumā",
        Some((day(2026, 9, 1), day(2026, 9, 16))),
    );
    h.poll(utc(2026, 9, 15, 5, 0), std::slice::from_ref(&draft), None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    h.run(&mailer, utc(2026, 9, 15, 6, 0)).await;
    draft.window = Some(CommentWindow {
        from: day(2026, 9, 1),
        to: day(2026, 9, 30),
    });
    h.poll(utc(2026, 9, 16, 5, 0), &[draft], None);
    h.run(&mailer, utc(2026, 9, 16, 6, 0)).await; // the move, as a change
    h.run(&mailer, utc(2026, 9, 27, 6, 0)).await; // 3 days before the new date
    h.run(&mailer, utc(2026, 9, 29, 6, 0)).await; // 1 day before
    let sent = subjects(&sink);
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert_eq!(sent[1], "draftwatch: 1 izmaiņa projektā");
    assert_eq!(sent[2], "draftwatch: 1 atgādinājums par termiņu");
    assert_eq!(sent[3], "draftwatch: 1 termiņš beidzas rīt");
}

/// A draft whose own text is larger than `[digest] max_bytes`: a 30 000-byte title and a
/// long description, with a 12 000-byte limit.
fn huge_draft() -> ScrapedDraft {
    scraped(
        "400",
        &format!(
            "Grozījumi Bērnu tiesību aizsardzības likumā {}",
            "un citos ar bērnu tiesībām saistītos normatīvajos aktos ".repeat(540)
        ),
        Some((day(2026, 9, 1), day(2026, 10, 1))),
    )
}

fn huge_draft_harness() -> Harness {
    harness_with(
        "max_bytes = 12_000",
        &format!(
            "[[recipients]]\nname = \"Tīkls\"\naddresses = [\"{GOOD}\"]\nwatchlists = [\"berni\"]\n"
        ),
    )
}

/// A draft bigger than max_bytes was cut out of every digest ("… vēl 1 projekts nākamajā
/// vēstulē") and so never delivered. One draft always goes: its long fields are shortened,
/// with an ellipsis, and it is recorded as delivered.
#[tokio::test]
async fn draft_bigger_than_max_bytes_is_delivered_with_its_long_fields_cut() {
    let h = huge_draft_harness();
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[huge_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    let summary = h.run(&mailer, t0).await;
    assert!(!summary.has_failures(), "{summary}");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let raw = &messages[0].data;
    assert!(raw.len() <= 12_000, "within the limit: {} bytes", raw.len());
    let mail = parse_mail(raw);
    assert!(
        mail.text
            .contains("Grozījumi Bērnu tiesību aizsardzības likumā un citos"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains('…'), "the title is cut with an ellipsis");
    assert!(!mail.text.contains("nākamajā vēstulē"), "{}", mail.text);
    assert_eq!(
        h.store().delivered_draft_ids("Tīkls").expect("read").len(),
        1
    );
}

/// With the oversized draft left out, every later run mailed a "nekā jauna / … vēl 1
/// projekts nākamajā vēstulē" digest although the recipient has send_when_empty = false.
#[tokio::test]
async fn oversized_draft_does_not_bring_nothing_new_mails_to_send_when_empty_false() {
    let h = huge_draft_harness();
    let t0 = utc(2026, 9, 15, 5, 0);
    h.poll(t0 - Duration::hours(1), &[huge_draft()], None);
    let sink = SmtpSink::start().await;
    let mailer = smtp(&sink);
    for hours in 0..4 {
        h.run(&mailer, t0 + Duration::hours(hours)).await;
    }
    let sent = subjects(&sink);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(!sent[0].contains("nekā jauna"), "{sent:?}");
}
