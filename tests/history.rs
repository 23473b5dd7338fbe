//! A draft's life in the store: one draft across TAP views (merged by TA number), comment
//! windows of every kind and round, opinions, history events recorded once each, reminders
//! per window kind, and the migration of a database written by release v6. All on real
//! temporary database files.

mod cli_harness;
mod support;

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::model::{
    CommentWindow, DetailCheck, DetailCheckOutcome, DraftDetail, KindedWindow, Meeting, Milestone,
    Opinion, ScrapedDraft, StoredDraft, WindowKind,
};
use draftwatch::store::{
    DraftEvent, DraftEventKind, NewOutboxEntry, OutboxStatus, PollRecord, ReminderKey, Store,
};
use serde_json::json;
use support::{TempStore, temp_store};

const PARTICIPATION: &str = "tap_participation";
const LEGAL_ACTS: &str = "tap_legal_acts";
const MEETINGS: &str = "tap_meetings";
const TA: &str = "26-TA-1173";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid test timestamp")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
}

fn window(from: &str, to: &str) -> CommentWindow {
    CommentWindow {
        from: day(from),
        to: day(to),
    }
}

fn coordination(from: &str, to: &str) -> KindedWindow {
    KindedWindow {
        kind: WindowKind::Coordination,
        window: window(from, to),
        submit_to: None,
    }
}

/// The draft as the public-participation list shows it (its own UUID, no stage).
fn on_participation(from: &str, to: &str) -> ScrapedDraft {
    ScrapedDraft {
        external_id: "5f0c-participation-uuid".to_owned(),
        ta_number: Some(TA.to_owned()),
        title: "Grozījumi Bērnu tiesību aizsardzības likumā".to_owned(),
        kind: Some("Publiskā apspriešana".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        url: "https://tapportals.mk.gov.lv/public_participation/5f0c-participation-uuid".to_owned(),
        window: Some(window(from, to)),
        ..Default::default()
    }
}

/// The draft as the `/legal_acts` list shows it: TA number as id, stage, coordination deadline.
fn on_legal_acts(stage: &str, coordination_window: Option<KindedWindow>) -> ScrapedDraft {
    ScrapedDraft {
        external_id: TA.to_owned(),
        ta_number: Some(TA.to_owned()),
        title: "Likumprojekts \"Grozījumi Bērnu tiesību aizsardzības likumā\"".to_owned(),
        kind: Some("Likumprojekts".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: Some(stage.to_owned()),
        url: "https://tapportals.mk.gov.lv/legal_acts/9a1e-legal-act-uuid".to_owned(),
        windows: coordination_window.into_iter().collect(),
        ..Default::default()
    }
}

fn poll<'a>(source: &'a str, finished: &str) -> PollRecord<'a> {
    let finished = at(finished);
    PollRecord {
        source,
        started: finished - chrono::Duration::seconds(30),
        finished,
        error: None,
    }
}

impl support::TempStore {
    fn poll(&mut self, source: &str, finished: &str, drafts: &[ScrapedDraft]) {
        self.store
            .record_poll(&poll(source, finished), drafts)
            .expect("poll recorded");
    }

    fn check(&mut self, source: &str, finished: &str, external_id: &str, detail: DraftDetail) {
        self.store
            .record_poll_output(
                &poll(source, finished),
                &[],
                &[DetailCheck {
                    external_id: external_id.to_owned(),
                    outcome: DetailCheckOutcome::Read(detail),
                }],
                &[],
            )
            .expect("check recorded");
    }

    fn the_draft(&self) -> StoredDraft {
        let mut found = self.store.find_drafts_by_display_id(TA).expect("lookup");
        assert_eq!(found.len(), 1, "one draft {TA}: {found:#?}");
        found.remove(0)
    }

    fn history(&self) -> Vec<DraftEvent> {
        let id = self.the_draft().id;
        self.store.draft_history(id).expect("history")
    }

    /// Event kinds with their payloads, in order.
    fn events(&self) -> Vec<(DraftEventKind, serde_json::Value)> {
        self.history()
            .into_iter()
            .map(|event| (event.kind, event.payload))
            .collect()
    }
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection")
}

#[test]
fn a_draft_seen_on_participation_then_on_legal_acts_and_an_agenda_is_one_draft() {
    let mut t = temp_store();
    t.poll(
        PARTICIPATION,
        "2026-09-02T06:00:00Z",
        &[on_participation("2026-09-01", "2026-09-15")],
    );
    t.poll(
        LEGAL_ACTS,
        "2026-09-03T06:00:00Z",
        &[on_legal_acts("Sabiedrības līdzdalība", None)],
    );
    let mut agenda_item = on_legal_acts("Saskaņošana", None);
    agenda_item.external_id = format!("{TA}@vss-2026-09-24");
    agenda_item.stage = None;
    agenda_item.milestones = vec![Milestone::OnAgenda {
        meeting: Meeting::StateSecretaries,
        date: day("2026-09-24"),
        item: Some("12".to_owned()),
        markers: vec!["iekļauts papildus".to_owned()],
        url: Some("https://tapportals.mk.gov.lv/meetings/state_secretaries/77".to_owned()),
    }];
    t.poll(MEETINGS, "2026-09-23T06:00:00Z", &[agenda_item]);
    // The participation list again: it gives no stage, which must not erase the one known.
    t.poll(
        PARTICIPATION,
        "2026-09-24T06:00:00Z",
        &[on_participation("2026-09-01", "2026-09-15")],
    );

    let draft = t.the_draft();
    let count: i64 = raw(&t.path)
        .query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))
        .expect("count");
    assert_eq!(count, 1, "one row for the draft across three views");
    // The first view's title and link stay; the stage comes from the legal-acts view.
    assert_eq!(draft.source, PARTICIPATION);
    assert_eq!(draft.title, "Grozījumi Bērnu tiesību aizsardzības likumā");
    assert_eq!(draft.stage.as_deref(), Some("Sabiedrības līdzdalība"));
    assert_eq!(draft.window, Some(window("2026-09-01", "2026-09-15")));

    // Each source knows the draft by its own id only.
    let participation = t.store.known_drafts(PARTICIPATION).expect("known");
    let legal_acts = t.store.known_drafts(LEGAL_ACTS).expect("known");
    assert_eq!(
        participation.drafts.keys().collect::<Vec<_>>(),
        ["5f0c-participation-uuid"]
    );
    assert_eq!(legal_acts.drafts.keys().collect::<Vec<_>>(), [TA]);
    assert_eq!(
        legal_acts.drafts[TA].url,
        "https://tapportals.mk.gov.lv/legal_acts/9a1e-legal-act-uuid"
    );
    // Any view's id finds it.
    assert_eq!(
        t.store
            .find_drafts_by_display_id("5f0c-participation-uuid")
            .expect("lookup")
            .len(),
        1
    );

    let kinds: Vec<DraftEventKind> = t.history().into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            DraftEventKind::WindowOpened,
            DraftEventKind::StageChanged,
            DraftEventKind::OnAgenda,
            DraftEventKind::WindowClosed,
        ]
    );
}

#[test]
fn a_view_without_a_stage_does_not_erase_the_stage_another_view_gave() {
    let mut t = temp_store();
    t.poll(
        LEGAL_ACTS,
        "2026-09-02T06:00:00Z",
        &[on_legal_acts("Saskaņošana", None)],
    );
    t.poll(
        PARTICIPATION,
        "2026-09-03T06:00:00Z",
        &[on_participation("2026-09-01", "2026-09-15")],
    );
    t.poll(
        PARTICIPATION,
        "2026-09-04T06:00:00Z",
        &[on_participation("2026-09-01", "2026-09-15")],
    );
    let draft = t.the_draft();
    assert_eq!(draft.stage.as_deref(), Some("Saskaņošana"));
    // The legal-acts view came first, so its title stays; the participation window is added.
    assert_eq!(draft.kind.as_deref(), Some("Likumprojekts"));
    assert_eq!(draft.window, Some(window("2026-09-01", "2026-09-15")));
    assert!(
        !t.events()
            .iter()
            .any(|(kind, _)| *kind == DraftEventKind::StageChanged),
        "no stage flapping"
    );
}

#[test]
fn a_moved_deadline_is_one_window_moved_event_and_reminders_follow_it() {
    let mut t = temp_store();
    let deadline = |to: &str| on_legal_acts("Saskaņošana", Some(coordination("2026-09-03", to)));
    t.poll(
        LEGAL_ACTS,
        "2026-09-04T06:00:00Z",
        &[deadline("2026-09-17")],
    );
    t.poll(
        LEGAL_ACTS,
        "2026-09-05T06:00:00Z",
        &[deadline("2026-09-24")],
    );

    let events = t.events();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0].0, DraftEventKind::WindowOpened);
    assert_eq!(
        events[1],
        (
            DraftEventKind::WindowMoved,
            json!({
                "window_kind": "coordination",
                "round": 1,
                "first_day": "2026-09-03",
                "last_day": "2026-09-24",
                "old_first_day": "2026-09-03",
                "old_last_day": "2026-09-17",
            })
        )
    );
    let windows = t.the_draft().windows;
    assert_eq!(windows.len(), 1, "moved, not a second round");
    assert_eq!(windows[0].window, window("2026-09-03", "2026-09-24"));
    assert_eq!(windows[0].round, 1);
    // The public-participation window is untouched by another kind's deadline.
    assert_eq!(t.the_draft().window, None);
}

#[test]
fn polling_the_same_facts_again_records_no_event() {
    let mut t = temp_store();
    let mut seen = on_legal_acts(
        "Saskaņošana",
        Some(coordination("2026-09-03", "2026-09-17")),
    );
    seen.milestones = vec![Milestone::OnAgenda {
        meeting: Meeting::Cabinet,
        date: day("2026-09-29"),
        item: None,
        markers: Vec::new(),
        url: None,
    }];
    seen.detail = Some(DraftDetail {
        windows: vec![
            coordination("2026-08-01", "2026-08-14"),
            coordination("2026-09-03", "2026-09-17"),
        ],
        opinions: vec![Opinion {
            window_kind: WindowKind::Coordination,
            submitter: "Latvijas Pašvaldību savienība".to_owned(),
            legal_person: true,
            given_on: Some(day("2026-09-10")),
            late: false,
        }],
        ..Default::default()
    });
    t.poll(
        LEGAL_ACTS,
        "2026-09-04T06:00:00Z",
        std::slice::from_ref(&seen),
    );
    let after_first = t.history();
    let counts = t
        .store
        .record_poll(&poll(LEGAL_ACTS, "2026-09-05T06:00:00Z"), &[seen.clone()])
        .expect("second poll");
    t.poll(LEGAL_ACTS, "2026-09-06T06:00:00Z", &[seen]);

    assert_eq!(t.history(), after_first, "nothing new on re-polls");
    assert_eq!(counts.changed, 0);
    assert_eq!(counts.new, 0);
    assert_eq!(t.the_draft().windows.len(), 2);
    assert_eq!(
        t.store
            .draft_opinions(t.the_draft().id)
            .expect("opinions")
            .len(),
        1
    );
}

#[test]
fn coordination_rounds_are_separate_windows_and_a_later_round_opens_a_new_one() {
    let mut t = temp_store();
    // The detail page gives the rounds as unordered date pairs, already paired by the parser.
    let detail = DraftDetail {
        windows: vec![
            coordination("2026-09-03", "2026-09-17"),
            coordination("2026-08-01", "2026-08-14"),
        ],
        ..Default::default()
    };
    let mut first = on_legal_acts(
        "Saskaņošana",
        Some(coordination("2026-09-03", "2026-09-17")),
    );
    first.detail = Some(detail);
    t.poll(LEGAL_ACTS, "2026-09-04T06:00:00Z", &[first]);

    let rounds: Vec<(u32, CommentWindow, bool)> = t
        .the_draft()
        .windows
        .iter()
        .map(|w| (w.round, w.window, w.closed_at.is_some()))
        .collect();
    assert_eq!(
        rounds,
        [
            (1, window("2026-08-01", "2026-08-14"), true),
            (2, window("2026-09-03", "2026-09-17"), false),
        ],
        "the round already over is stored closed"
    );
    // Only the open round is news.
    let opened: Vec<_> = t
        .events()
        .into_iter()
        .filter(|(kind, _)| *kind == DraftEventKind::WindowOpened)
        .collect();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].1["round"], json!(2));

    // A third round after the second closed: the list shows only the current deadline.
    t.poll(
        LEGAL_ACTS,
        "2026-10-02T06:00:00Z",
        &[on_legal_acts(
            "Saskaņošana",
            Some(coordination("2026-10-01", "2026-10-15")),
        )],
    );
    let windows = t.the_draft().windows;
    assert_eq!(windows.len(), 3);
    assert_eq!(windows[2].round, 3);
    assert_eq!(windows[2].window, window("2026-10-01", "2026-10-15"));
    let kinds: Vec<DraftEventKind> = t.events().into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds,
        [
            DraftEventKind::WindowOpened,
            DraftEventKind::WindowOpened,
            DraftEventKind::WindowClosed,
        ]
    );
    // Closing is recorded once.
    t.poll(
        LEGAL_ACTS,
        "2026-10-03T06:00:00Z",
        &[on_legal_acts(
            "Saskaņošana",
            Some(coordination("2026-10-01", "2026-10-15")),
        )],
    );
    assert_eq!(t.events().len(), 3);
}

#[test]
fn adoption_and_publication_are_recorded_once_each() {
    let mut t = temp_store();
    t.poll(
        LEGAL_ACTS,
        "2026-10-01T06:00:00Z",
        &[on_legal_acts("Izskatīts", None)],
    );
    let mut adopted = on_legal_acts("Pieņemts", None);
    adopted.milestones = vec![
        Milestone::Adopted {
            date: Some(day("2026-10-06")),
        },
        Milestone::Published {
            number: Some("2026/196.3".to_owned()),
            date: Some(day("2026-10-08")),
            url: Some("https://www.vestnesis.lv/op/2026/196.3".to_owned()),
        },
    ];
    t.poll(
        LEGAL_ACTS,
        "2026-10-09T06:00:00Z",
        std::slice::from_ref(&adopted),
    );
    t.poll(LEGAL_ACTS, "2026-10-10T06:00:00Z", &[adopted]);

    assert_eq!(
        t.events(),
        [
            (
                DraftEventKind::StageChanged,
                json!({ "from": "Izskatīts", "to": "Pieņemts" })
            ),
            (DraftEventKind::Adopted, json!({ "date": "2026-10-06" })),
            (
                DraftEventKind::Published,
                json!({
                    "number": "2026/196.3",
                    "date": "2026-10-08",
                    "url": "https://www.vestnesis.lv/op/2026/196.3",
                })
            ),
        ]
    );
    let since = t
        .store
        .events_since(at("2026-10-09T06:00:00Z"))
        .expect("events since");
    assert_eq!(since.len(), 3);
    assert!(
        t.store
            .events_since(at("2026-10-09T06:00:00.000000001Z"))
            .expect("events since")
            .is_empty()
    );
}

#[test]
fn a_detail_recheck_records_stage_windows_and_opinions() {
    let mut t = temp_store();
    t.poll(
        LEGAL_ACTS,
        "2026-09-02T06:00:00Z",
        &[on_legal_acts("Iesniegts", None)],
    );
    let opinions = vec![
        Opinion {
            window_kind: WindowKind::Coordination,
            submitter: "Finanšu ministrija".to_owned(),
            legal_person: true,
            given_on: Some(day("2026-09-10")),
            late: false,
        },
        Opinion {
            window_kind: WindowKind::Coordination,
            submitter: "Valsts ieņēmumu dienests".to_owned(),
            legal_person: true,
            given_on: Some(day("2026-09-19")),
            late: true,
        },
    ];
    t.check(
        LEGAL_ACTS,
        "2026-09-11T06:00:00Z",
        TA,
        DraftDetail {
            stage: Some("Saskaņošana".to_owned()),
            windows: vec![coordination("2026-09-04", "2026-09-18")],
            opinions: opinions.clone(),
            ..Default::default()
        },
    );
    let draft = t.the_draft();
    assert_eq!(draft.stage.as_deref(), Some("Saskaņošana"));
    assert_eq!(
        t.store.draft_opinions(draft.id).expect("opinions"),
        opinions
    );
    let kinds: Vec<DraftEventKind> = t.events().into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds,
        [DraftEventKind::StageChanged, DraftEventKind::WindowOpened]
    );
}

#[test]
fn followed_drafts_not_in_a_final_stage_are_rechecked_oldest_first_within_the_budget() {
    let mut t = temp_store();
    let act = |ta: &str, stage: &str| {
        let mut draft = on_legal_acts(stage, None);
        draft.external_id = ta.to_owned();
        draft.ta_number = Some(ta.to_owned());
        draft.url = format!("https://tapportals.mk.gov.lv/legal_acts/{ta}");
        draft
    };
    t.poll(
        LEGAL_ACTS,
        "2026-09-02T06:00:00Z",
        &[
            act("26-TA-1", "Saskaņošana"),
            act("26-TA-2", "Pieņemts"),
            act("26-TA-3", "Iesniegts"),
            act("26-TA-4", "Saskaņošana"),
            act("26-TA-5", "Atsaukts"),
        ],
    );
    let id = |ta: &str| t.store.find_drafts_by_display_id(ta).expect("lookup")[0].id;
    let followed: Vec<i64> = ["26-TA-1", "26-TA-2", "26-TA-3", "26-TA-5"]
        .into_iter()
        .map(id)
        .collect();
    for draft_id in followed {
        t.deliver(draft_id);
    }
    // 26-TA-1 was checked recently, 26-TA-3 never.
    t.check(
        LEGAL_ACTS,
        "2026-09-03T06:00:00Z",
        "26-TA-1",
        DraftDetail::default(),
    );
    let candidates: Vec<String> = t
        .store
        .stage_recheck_candidates(LEGAL_ACTS, 5)
        .expect("candidates")
        .into_iter()
        .map(|c| c.external_id)
        .collect();
    assert_eq!(candidates, ["26-TA-3", "26-TA-1"]);
    let within_budget = t
        .store
        .stage_recheck_candidates(LEGAL_ACTS, 1)
        .expect("candidates");
    assert_eq!(within_budget.len(), 1);
    assert_eq!(within_budget[0].external_id, "26-TA-3");
    assert!(
        t.store
            .stage_recheck_candidates(PARTICIPATION, 5)
            .expect("candidates")
            .is_empty(),
        "only the source's own views"
    );
}

#[test]
fn a_followed_draft_with_an_open_coordination_window_is_rechecked_until_it_closes() {
    let mut t = temp_store();
    t.poll(
        LEGAL_ACTS,
        "2026-09-02T06:00:00Z",
        &[on_legal_acts(
            "Saskaņošana",
            Some(coordination("2026-09-01", "2026-09-15")),
        )],
    );
    let draft_id = t.store.find_drafts_by_display_id(TA).expect("lookup")[0].id;
    let candidates = |t: &TempStore, today: &str| -> Vec<String> {
        t.store
            .recheck_candidates(LEGAL_ACTS, day(today))
            .expect("candidates")
            .into_iter()
            .map(|c| c.external_id)
            .collect()
    };
    assert!(
        candidates(&t, "2026-09-03").is_empty(),
        "not followed: never delivered"
    );
    t.deliver(draft_id);
    assert_eq!(candidates(&t, "2026-09-03"), [TA]);
    assert_eq!(candidates(&t, "2026-09-15"), [TA], "open on its last day");
    assert!(
        candidates(&t, "2026-09-16").is_empty(),
        "no open window after its last day"
    );
}

impl support::TempStore {
    /// Record a digest to `koordinatore` carrying `draft_ids` and `reminders`; its id.
    fn record_digest(
        &mut self,
        scheduled: DateTime<Utc>,
        draft_ids: &[i64],
        reminders: &[ReminderKey],
    ) -> i64 {
        let to = vec!["koordinatore@biedriba.lv".to_owned()];
        self.store
            .record_outbox(&NewOutboxEntry {
                recipient: "koordinatore",
                scheduled_for: scheduled,
                built_at: scheduled,
                message_id: &format!("<{}@draftwatch>", scheduled.timestamp()),
                subject: "draftwatch",
                envelope_from: "draftwatch@example.lv",
                envelope_to: &to,
                raw_message: b"Subject: x\r\n\r\nx\r\n",
                draft_ids,
                reminders,
            })
            .expect("record digest")
            .expect("new row")
    }

    /// Deliver one more draft through its own sent digest.
    fn deliver(&mut self, draft_id: i64) {
        let scheduled = at("2026-09-02T07:00:00Z") + chrono::Duration::minutes(draft_id);
        let id = self.record_digest(scheduled, &[draft_id], &[]);
        self.store.mark_outbox_sent(id, scheduled).expect("sent");
    }
}

#[test]
fn open_windows_of_every_kind_are_listed_closing_soonest_first() {
    let mut t = temp_store();
    let mut both = on_participation("2026-09-01", "2026-09-20");
    both.windows = vec![coordination("2026-09-03", "2026-09-10")];
    t.poll(PARTICIPATION, "2026-09-04T06:00:00Z", &[both]);
    let open = t
        .store
        .open_windows_closing_soonest(day("2026-09-05"), 10)
        .expect("open windows");
    let listed: Vec<(WindowKind, NaiveDate)> = open
        .iter()
        .map(|o| (o.window.kind.clone(), o.window.window.to))
        .collect();
    assert_eq!(
        listed,
        [
            (WindowKind::Coordination, day("2026-09-10")),
            (WindowKind::PublicParticipation, day("2026-09-20")),
        ]
    );
    assert_eq!(
        t.store
            .open_windows_closing_soonest(day("2026-09-15"), 10)
            .expect("open windows")
            .len(),
        1
    );
    assert_eq!(
        t.the_draft()
            .open_windows(day("2026-09-05"))
            .iter()
            .map(|w| w.kind.clone())
            .collect::<Vec<_>>(),
        [WindowKind::Coordination, WindowKind::PublicParticipation]
    );
}

#[test]
fn reminders_are_kept_per_window_kind() {
    let mut t = temp_store();
    t.poll(
        PARTICIPATION,
        "2026-09-02T06:00:00Z",
        &[on_participation("2026-09-01", "2026-09-15")],
    );
    let draft_id = t.the_draft().id;
    let key = |window_kind: WindowKind| ReminderKey {
        draft_id,
        window_kind,
        round: 1,
        window_to: day("2026-09-15"),
        days_before: 3,
    };
    let reminders = [
        key(WindowKind::PublicParticipation),
        key(WindowKind::Coordination),
    ];
    let id = t.record_digest(at("2026-09-12T07:00:00Z"), &[], &reminders);
    // Waiting in a pending digest counts as given; so does a sent one.
    let pending = t.store.reminders_given("koordinatore").expect("given");
    assert_eq!(pending, reminders.iter().cloned().collect::<HashSet<_>>());
    t.store
        .mark_outbox_sent(id, at("2026-09-12T07:00:01Z"))
        .expect("sent");
    let given = t.store.reminders_given("koordinatore").expect("given");
    assert_eq!(given, reminders.iter().cloned().collect::<HashSet<_>>());
    let rows: i64 = raw(&t.path)
        .query_row("SELECT count(*) FROM reminders", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 2, "same day, two kinds: two reminders");
    assert!(!given.contains(&key(WindowKind::Other("saeima_proposals".to_owned()))));
}

/// Every row of a table, each column as text (NULL as None), in rowid/key order, leaving out
/// `skip` columns.
fn table_rows(conn: &rusqlite::Connection, table: &str, skip: &[&str]) -> Vec<Vec<Option<String>>> {
    let columns: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .expect("columns")
        .query_map([], |r| r.get(0))
        .expect("columns")
        .collect::<Result<_, _>>()
        .expect("columns");
    let wanted: Vec<String> = columns
        .into_iter()
        .filter(|c| !skip.contains(&c.as_str()))
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect();
    let mut statement = conn
        .prepare(&format!(
            "SELECT {} FROM {table} ORDER BY 1, 2, 3",
            wanted.join(", ")
        ))
        .expect("select");
    statement
        .query_map([], |row| {
            (0..wanted.len())
                .map(|i| row.get::<_, Option<String>>(i))
                .collect()
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn migration_keeps_every_draft_window_delivery_reminder_and_outbox_entry_of_release_v6() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/release-v6.sqlite");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("draftwatch.sqlite");
    std::fs::copy(&fixture, &path).expect("copy fixture");

    let tables = [
        ("drafts", vec![]),
        ("draft_changes", vec![]),
        ("deliveries", vec![]),
        ("polls", vec![]),
        ("alerts", vec![]),
        // events_through is new in schema 10 (checked below).
        ("outbox", vec!["reminder_keys", "events_through"]),
    ];
    let before: Vec<_> = {
        let conn = raw(&path);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, 6, "the fixture is a release-v6 database");
        tables
            .iter()
            .map(|(table, skip)| table_rows(&conn, table, skip))
            .collect()
    };

    let mut store = Store::open(&path).expect("the new code opens and migrates it");
    {
        let conn = raw(&path);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        let latest = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"))
            .expect("migrations folder")
            .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().is_dir()))
            .count() as i64;
        assert_eq!(version, latest, "migrated to the newest schema");
        // Each digest is marked with the last history event recorded before it was built, so
        // a recipient's next digest reports what its previous one did not.
        let marks: Vec<(i64, i64)> = conn
            .prepare(
                "SELECT events_through, (SELECT coalesce(max(id), 0) FROM draft_events \
                                         WHERE at < outbox.built_at) FROM outbox ORDER BY id",
            )
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(
            marks.iter().all(|(mark, expected)| mark == expected),
            "{marks:?}"
        );
        assert!(marks.iter().any(|(mark, _)| *mark > 0), "{marks:?}");
        for ((table, skip), old_rows) in tables.iter().zip(&before) {
            let skip: Vec<&str> = skip.iter().copied().chain(["restricted"]).collect();
            assert_eq!(
                &table_rows(&conn, table, &skip),
                old_rows,
                "{table}: every row and value kept"
            );
        }
    }

    // Every draft, read through the new code, means what it meant.
    let drafts = store.list_drafts(&Default::default()).expect("drafts");
    assert_eq!(drafts.len(), 4);
    let find = |ta: &str| {
        drafts
            .iter()
            .find(|d| d.ta_number.as_deref() == Some(ta))
            .unwrap_or_else(|| panic!("draft {ta} kept"))
    };
    let moved = find("26-TA-1173");
    assert_eq!(moved.window, Some(window("2026-09-01", "2026-09-22")));
    assert_eq!(moved.windows.len(), 1);
    assert_eq!(moved.windows[0].kind, WindowKind::PublicParticipation);
    assert_eq!(moved.windows[0].round, 1);
    assert_eq!(moved.windows[0].window, window("2026-09-01", "2026-09-22"));
    assert_eq!(moved.vanished_at, Some(at("2026-09-20T06:00:00Z")));
    assert_eq!(
        moved.policy_areas,
        ["Bērnu tiesības", "Sociālā aizsardzība"]
    );
    let unreadable = find("25-TA-316");
    assert_eq!(unreadable.window, None);
    assert!(unreadable.windows.is_empty());
    assert_eq!(
        unreadable.unreadable_deadline.as_deref(),
        Some("32.13.2026. - 15.09.2026.")
    );
    let read_later = find("26-TA-2254");
    assert_eq!(
        read_later.windows[0].window,
        window("2026-09-03", "2026-09-17")
    );
    assert_eq!(
        read_later.description.as_deref(),
        Some("Ziņojums par jauniešu nodarbinātības pasākumiem.")
    );
    let other_source = find("26-TA-2300");
    assert_eq!(other_source.source, "tap_other");
    assert_eq!(other_source.stage.as_deref(), Some("Saskaņošana"));
    assert!(other_source.windows.is_empty());

    // The moved deadline is in the draft's history.
    let history = store.draft_history(moved.id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].kind, DraftEventKind::WindowMoved);
    assert_eq!(history[0].payload["old_last_day"], json!("2026-09-15"));
    assert_eq!(history[0].payload["last_day"], json!("2026-09-22"));

    // Each source still knows its drafts by their ids, with what their detail pages need.
    let known = store.known_drafts("tap_participation").expect("known");
    assert_eq!(known.drafts.len(), 3);
    assert!(known.drafts["0b6c1d9e-2222-4a5b-9c1d-0000000000b2"].needs_detail);
    assert!(!known.drafts["0b6c1d9e-3333-4a5b-9c1d-0000000000c3"].needs_detail);
    assert_eq!(
        store.known_drafts("tap_other").expect("known").drafts.len(),
        1
    );

    // Deliveries, reminders (sent and pending) and outbox entries.
    let delivered = store
        .delivered_draft_ids("koordinatore")
        .expect("deliveries");
    assert_eq!(
        delivered,
        [moved.id, unreadable.id, read_later.id]
            .into_iter()
            .collect()
    );
    assert!(
        store
            .delivered_draft_ids("analitikis")
            .expect("deliveries")
            .is_empty()
    );
    let reminder = |store: &Store, recipient: &str, days_before: u32| {
        let given = store.reminders_given(recipient).expect("reminders");
        given.contains(&ReminderKey {
            draft_id: moved.id,
            window_kind: WindowKind::PublicParticipation,
            round: 1,
            window_to: day("2026-09-22"),
            days_before,
        })
    };
    assert!(
        reminder(&store, "koordinatore", 7),
        "the sent reminder is kept"
    );
    assert!(
        reminder(&store, "analitikis", 3),
        "the pending digest's reminder is kept"
    );
    let entries = store.list_outbox(None, 10).expect("outbox");
    assert_eq!(entries.len(), 3);
    let pending = store
        .list_outbox(Some(OutboxStatus::Pending), 10)
        .expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_id, "<digest-3@draftwatch.example.lv>");
    assert_eq!(pending[0].draft_ids, [read_later.id]);
    assert_eq!(pending[0].reminders.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    let sent = store
        .list_outbox(Some(OutboxStatus::Sent), 10)
        .expect("sent");
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].reminders[0].window_kind,
        WindowKind::PublicParticipation
    );

    // Sending the pending digest after the upgrade records its delivery and reminder.
    store
        .mark_outbox_sent(pending[0].id, at("2026-12-01T07:00:00Z"))
        .expect("sent after upgrade");
    assert!(reminder(&store, "analitikis", 3));
    assert_eq!(
        store.delivered_draft_ids("analitikis").expect("deliveries"),
        [read_later.id].into_iter().collect()
    );

    // The migrated store keeps working: the same draft seen again merges into its row.
    let mut again = ScrapedDraft {
        external_id: "0b6c1d9e-3333-4a5b-9c1d-0000000000c3".to_owned(),
        ta_number: Some("26-TA-2254".to_owned()),
        title: read_later.title.clone(),
        kind: read_later.kind.clone(),
        ministry: read_later.ministry.clone(),
        url: read_later.url.clone(),
        window: Some(window("2026-09-03", "2026-09-17")),
        ..Default::default()
    };
    again.windows = vec![coordination("2026-12-01", "2026-12-14")];
    store
        .record_poll(&poll("tap_participation", "2026-12-01T06:00:00Z"), &[again])
        .expect("poll after upgrade");
    let after = store
        .get_draft(read_later.id)
        .expect("draft")
        .expect("kept");
    assert_eq!(after.windows.len(), 2);
    let kinds: Vec<DraftEventKind> = store
        .draft_history(read_later.id)
        .expect("history")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [DraftEventKind::WindowOpened, DraftEventKind::WindowClosed]
    );
}

/// `drafts --json` and `explain` show every window (kind, days, days left) and the history.
#[tokio::test]
async fn drafts_json_and_explain_show_windows_stage_and_history() {
    let setup = cli_harness::Setup::new(
        "https://tapportals.mk.gov.lv",
        cli_harness::FILE_MAIL,
        &["berni"],
    );
    let db = setup.store_path();
    let mut first = on_legal_acts(
        "Saskaņošana",
        Some(coordination("2026-09-03", "2026-09-17")),
    );
    first.detail = Some(DraftDetail {
        windows: vec![
            coordination("2026-08-01", "2026-08-14"),
            coordination("2026-09-03", "2026-09-17"),
        ],
        ..Default::default()
    });
    support::record_polled(&db, LEGAL_ACTS, at("2026-09-04T06:00:00Z"), &[first]);
    let moved = on_legal_acts(
        "Saskaņošana",
        Some(coordination("2026-09-03", "2026-09-24")),
    );
    support::record_polled(&db, LEGAL_ACTS, at("2026-09-05T06:00:00Z"), &[moved]);

    let output = setup.run(&["drafts", "--json"]).await;
    assert!(output.status.success(), "{}", cli_harness::stderr(&output));
    let text = cli_harness::stdout(&output);
    let line: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
    assert_eq!(line["stage"], json!("Saskaņošana"));
    assert_eq!(
        line["windows"],
        json!([
            {"kind": "coordination", "round": 1, "first_day": "2026-08-01",
             "last_day": "2026-08-14", "days_left": -32, "submit_to": null, "closed": true},
            {"kind": "coordination", "round": 2, "first_day": "2026-09-03",
             "last_day": "2026-09-24", "days_left": 9, "submit_to": null, "closed": false},
        ])
    );
    let history: Vec<&str> = line["history"]
        .as_array()
        .expect("history array")
        .iter()
        .map(|event| event["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(history, ["window_opened", "window_moved"]);
    assert_eq!(
        line["history"][1]["details"]["old_last_day"],
        json!("2026-09-17")
    );

    let output = setup.run(&["explain", TA]).await;
    assert!(output.status.success(), "{}", cli_harness::stderr(&output));
    let text = cli_harness::stdout(&output);
    for expected in [
        "Stage:    Saskaņošana",
        "Windows:  coordination 1: 01.08.2026 – 14.08.2026 (closed 32 days ago)",
        "          coordination 2: 03.09.2026 – 24.09.2026 (9 days left)",
        "History:  04.09.2026 06:00 UTC  coordination 2 opened: 03.09.2026 – 17.09.2026",
        "          05.09.2026 06:00 UTC  coordination 2 moved: 03.09.2026 – 17.09.2026 → 03.09.2026 – 24.09.2026",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn pruning_old_polls_keeps_the_history_events() {
    let mut t = temp_store();
    t.poll(
        LEGAL_ACTS,
        "2025-01-02T06:00:00Z",
        &[on_legal_acts(
            "Saskaņošana",
            Some(coordination("2025-01-01", "2025-01-14")),
        )],
    );
    t.poll(
        LEGAL_ACTS,
        "2026-09-02T06:00:00Z",
        &[on_legal_acts("Pieņemts", None)],
    );
    let before = t.history();
    assert_eq!(
        before.len(),
        3,
        "opened, stage changed, closed: {before:#?}"
    );
    let counts = t
        .store
        .prune(
            at("2026-09-03T06:00:00Z"),
            &draftwatch::config::RetentionConfig::default(),
        )
        .expect("pruned");
    assert_eq!(counts.polls_deleted, 1, "the old poll goes");
    let after = t.history();
    assert_eq!(after.len(), 3, "its events stay");
    assert_eq!(after[0].poll_id, None);
    assert_eq!(after[0].kind, DraftEventKind::WindowOpened);
    assert_eq!(after[1..], before[1..]);
}

#[test]
fn two_participation_rounds_of_one_draft_listed_together_do_not_alternate() {
    let mut t = temp_store();
    let first_round = on_participation("2026-08-01", "2026-08-14");
    let mut second_round = on_participation("2026-09-01", "2026-09-15");
    second_round.external_id = "7d21-second-round-uuid".to_owned();
    let both = [first_round, second_round];
    t.poll(PARTICIPATION, "2026-09-02T06:00:00Z", &both);
    let after_first = t.history();
    let counts = t
        .store
        .record_poll(&poll(PARTICIPATION, "2026-09-03T06:00:00Z"), &both)
        .expect("second poll");
    assert_eq!(counts.changed, 0);
    assert_eq!(t.history(), after_first);
    let draft = t.the_draft();
    assert_eq!(draft.window, Some(window("2026-09-01", "2026-09-15")));
    let rounds: Vec<(u32, CommentWindow)> =
        draft.windows.iter().map(|w| (w.round, w.window)).collect();
    assert_eq!(
        rounds,
        [
            (1, window("2026-08-01", "2026-08-14")),
            (2, window("2026-09-01", "2026-09-15")),
        ]
    );
    assert!(
        t.store
            .changes_since(draft.id, at("2026-09-03T00:00:00Z"))
            .expect("changes")
            .is_empty(),
        "no deadline flip-flop in the field history"
    );
}

#[test]
fn a_list_deadline_and_the_detail_round_with_another_first_day_do_not_alternate() {
    let mut t = temp_store();
    // The list's window starts on the day the draft was sent; the detail page's round a day
    // later. Both end on the same deadline: one window, never "moved" back and forth.
    let from_list = || {
        on_legal_acts(
            "Saskaņošana",
            Some(coordination("2026-09-03", "2026-09-17")),
        )
    };
    let mut with_detail = from_list();
    with_detail.detail = Some(DraftDetail {
        windows: vec![coordination("2026-09-04", "2026-09-17")],
        ..Default::default()
    });
    t.poll(
        LEGAL_ACTS,
        "2026-09-05T06:00:00Z",
        std::slice::from_ref(&with_detail),
    );
    t.poll(LEGAL_ACTS, "2026-09-06T06:00:00Z", &[from_list()]);
    t.poll(LEGAL_ACTS, "2026-09-07T06:00:00Z", &[with_detail]);
    t.poll(LEGAL_ACTS, "2026-09-08T06:00:00Z", &[from_list()]);
    let kinds: Vec<DraftEventKind> = t.events().into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, [DraftEventKind::WindowOpened]);
    let windows = t.the_draft().windows;
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0].window, window("2026-09-04", "2026-09-17"));

    // The deadline moved on the list: one move, of the last day.
    t.poll(
        LEGAL_ACTS,
        "2026-09-09T06:00:00Z",
        &[on_legal_acts(
            "Saskaņošana",
            Some(coordination("2026-09-03", "2026-09-24")),
        )],
    );
    // The detail page then agrees: nothing more.
    let mut moved_detail = on_legal_acts("Saskaņošana", None);
    moved_detail.detail = Some(DraftDetail {
        windows: vec![coordination("2026-09-04", "2026-09-24")],
        ..Default::default()
    });
    t.poll(LEGAL_ACTS, "2026-09-10T06:00:00Z", &[moved_detail]);
    let events = t.events();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[1].0, DraftEventKind::WindowMoved);
    assert_eq!(events[1].1["first_day"], json!("2026-09-04"));
    assert_eq!(events[1].1["last_day"], json!("2026-09-24"));
}
