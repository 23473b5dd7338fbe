//! What one recipient's digest says, grouped the way a coordinator acts on it: deadlines
//! closing soon, drafts open for comment by kind of window (public participation,
//! coordination), drafts without an open window, reminders of deadlines of every kind for
//! drafts reported before, and what happened to those drafts since (stage moved, deadline set
//! or moved, State Secretaries' or Cabinet agenda, adoption, publication, from the draft's
//! history), plus a footer on each source's health.
//!
//! Pure functions over data the caller read from the store, so every rule is testable
//! without a database. Wording is not decided here ([`super::lang`], the templates).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::{DigestConfig, RecipientConfig};
use crate::model::{Meeting, WindowKind};
use crate::store::{DraftChange, DraftEvent, DraftEventKind, DraftField, ReminderKey};

use super::item::{ChangeNote, DigestItem, EvaluatedDraft, ItemWindow, WindowState};
use super::select::select_items;

/// A draft reported before whose deadline is near: mentioned again, once per configured
/// "days before".
#[derive(Debug, Clone)]
pub struct ReminderItem<'a> {
    /// The draft as it appears in the digest.
    pub item: DigestItem<'a>,
    /// The reminder, recorded once the digest is accepted.
    pub key: ReminderKey,
}

/// A draft reported before, with what changed since the previous digest.
#[derive(Debug, Clone)]
pub struct ChangeItem<'a> {
    /// The draft as it appears in the digest.
    pub item: DigestItem<'a>,
    /// What changed, in a stable order (deadline first, then stage).
    pub notes: Vec<ChangeNote>,
}

/// How one source has been doing, for the digest footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceHealth {
    /// Configured source name.
    pub name: String,
    /// When it last completed a poll without error.
    pub last_success: Option<DateTime<Utc>>,
    /// The latest poll's error, when the source has been failing for more than a day.
    pub failing: Option<String>,
}

impl SourceHealth {
    /// Judge a source from its last successful poll and its latest poll: it is failing when
    /// the latest poll failed and no poll succeeded within the day before `now`.
    pub fn judge(
        name: &str,
        last_success: Option<DateTime<Utc>>,
        latest_error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Self {
        let stale = last_success.is_none_or(|at| now - at > chrono::Duration::days(1));
        SourceHealth {
            name: name.to_owned(),
            last_success,
            failing: latest_error.filter(|_| stale).map(str::to_owned),
        }
    }
}

/// Everything one recipient's digest contains.
///
/// A draft with windows of several kinds open at once (public participation and coordination)
/// is listed once, in the section of the window that closes first, with every open window
/// shown on it (each with its days left and where to submit). A coordinator answers a draft
/// with one position, often sent to both addresses: listing the draft twice would double the
/// reading and break the promise that each draft comes once. Reminders, by contrast, are per
/// window: each deadline is reminded on its own.
#[derive(Debug, Clone, Default)]
pub struct DigestContents<'a> {
    /// New drafts whose first window ends within `closing_soon_days`, soonest first.
    pub closing_soon: Vec<DigestItem<'a>>,
    /// New drafts open (or about to open) for public participation, by days left.
    pub open: Vec<DigestItem<'a>>,
    /// New drafts in coordination with a deadline for opinions, by days left.
    pub coordination: Vec<DigestItem<'a>>,
    /// New drafts without an open window (announced, no deadline known yet).
    pub no_window: Vec<DigestItem<'a>>,
    /// Deadline reminders for drafts reported before, one per window.
    pub reminders: Vec<ReminderItem<'a>>,
    /// Changes to drafts reported before.
    pub changes: Vec<ChangeItem<'a>>,
    /// One footer line per source.
    pub sources: Vec<SourceHealth>,
    /// New drafts left out to keep the message under its size limit; they stay undelivered
    /// and come in the next digest.
    pub left_out: usize,
}

impl<'a> DigestContents<'a> {
    /// Whether there is anything to tell (the footer alone is not worth a message).
    pub fn is_empty(&self) -> bool {
        self.closing_soon.is_empty()
            && self.open.is_empty()
            && self.coordination.is_empty()
            && self.no_window.is_empty()
            && self.reminders.is_empty()
            && self.changes.is_empty()
    }

    /// The new drafts, in digest order; recorded as delivered once the message is accepted.
    pub fn new_items(&self) -> impl Iterator<Item = &DigestItem<'_>> {
        self.closing_soon
            .iter()
            .chain(&self.open)
            .chain(&self.coordination)
            .chain(&self.no_window)
    }

    /// The new drafts, mutable, in digest order.
    pub fn new_items_mut(&mut self) -> impl Iterator<Item = &mut DigestItem<'a>> {
        self.closing_soon
            .iter_mut()
            .chain(&mut self.open)
            .chain(&mut self.coordination)
            .chain(&mut self.no_window)
    }

    /// Keep only the first `keep` new drafts in digest order (closing soon, public
    /// participation, coordination, no window) and count the rest in `left_out`, to fit a
    /// size limit. The left-out drafts are not in [`Self::new_draft_ids`], so they stay
    /// undelivered.
    pub fn keep_new(&mut self, keep: usize) {
        let mut budget = keep;
        let mut dropped = 0;
        for group in [
            &mut self.closing_soon,
            &mut self.open,
            &mut self.coordination,
            &mut self.no_window,
        ] {
            let kept = group.len().min(budget);
            dropped += group.len() - kept;
            group.truncate(kept);
            budget -= kept;
        }
        self.left_out += dropped;
    }

    /// Store ids of the new drafts.
    pub fn new_draft_ids(&self) -> Vec<i64> {
        self.new_items().map(|item| item.draft.id).collect()
    }

    /// The reminders to record once the message is accepted: the ones it gives, and for
    /// each open window of each new draft every threshold of `reminder_days` it had already
    /// reached. The first report already says how many days are left; recording those
    /// thresholds as given keeps the next run (minutes or a day later) from repeating the
    /// news as a "reminder". Thresholds still ahead stay free, and a moved deadline has keys
    /// of its own.
    pub fn reminder_keys(&self, reminder_days: &[u32]) -> Vec<ReminderKey> {
        let reached_at_first_report = self.new_items().flat_map(|item| {
            item.windows
                .iter()
                .flat_map(|window| reached_thresholds(item.draft.id, window, reminder_days))
                .collect::<Vec<_>>()
        });
        self.reminders
            .iter()
            .map(|reminder| reminder.key.clone())
            .chain(reached_at_first_report)
            .collect()
    }

    /// Every item listed with a window open today, once per draft: the calendar's events
    /// (one per open window of each).
    pub fn open_windows(&self) -> Vec<&DigestItem<'_>> {
        let mut seen = HashSet::new();
        self.new_items()
            .chain(self.reminders.iter().map(|reminder| &reminder.item))
            .chain(self.changes.iter().map(|change| &change.item))
            .filter(|item| {
                item.window_state != WindowState::Withdrawn
                    && item
                        .windows
                        .iter()
                        .any(|w| matches!(w.state, WindowState::Open(_)))
            })
            .filter(|item| seen.insert(item.draft.id))
            .collect()
    }
}

/// What the store knows about one recipient's history, read before building its digest.
#[derive(Debug, Clone, Default)]
pub struct RecipientHistory {
    /// Drafts already delivered.
    pub delivered: HashSet<i64>,
    /// Drafts waiting in a pending digest: left out of this one entirely.
    pub pending: HashSet<i64>,
    /// Reminders already given (or waiting in a pending digest).
    pub reminders_given: HashSet<ReminderKey>,
    /// Field changes since the previous digest, per delivered draft.
    pub changes: HashMap<i64, Vec<DraftChange>>,
    /// History events per draft, oldest first: for a delivered draft those after the
    /// recipient's mark (news), for a draft not yet delivered its agendas, adoption and
    /// publication so far (shown with it when it is first reported).
    pub events: HashMap<i64, Vec<DraftEvent>>,
}

/// Group the drafts for `recipient` on the local day `today`.
pub fn build_contents<'a>(
    recipient: &RecipientConfig,
    evaluated: &'a [EvaluatedDraft],
    history: &RecipientHistory,
    settings: &DigestConfig,
    today: NaiveDate,
    sources: Vec<SourceHealth>,
) -> DigestContents<'a> {
    let mut contents = DigestContents {
        sources,
        ..DigestContents::default()
    };
    let none = HashSet::new();
    let no_events = Vec::new();
    // Every matching draft, in digest order; history decides which group it joins.
    for mut item in select_items(recipient, evaluated, &none, today) {
        let id = item.draft.id;
        if history.pending.contains(&id) {
            continue;
        }
        let events = history.events.get(&id).unwrap_or(&no_events);
        if !history.delivered.contains(&id) {
            // Facts the item itself does not show: where the draft has been on the way.
            item.notes = event_notes(events, today)
                .into_iter()
                .filter(|note| {
                    matches!(
                        note,
                        ChangeNote::OnAgenda { .. }
                            | ChangeNote::Adopted { .. }
                            | ChangeNote::Published { .. }
                    )
                })
                .collect();
            let kind = item.window().map(|window| window.kind.clone());
            match item.window_state {
                WindowState::Open(days) if days <= i64::from(settings.closing_soon_days) => {
                    contents.closing_soon.push(item)
                }
                WindowState::Open(_) | WindowState::NotStarted
                    if kind == Some(WindowKind::Coordination) =>
                {
                    contents.coordination.push(item)
                }
                // An unreadable deadline is still a public consultation: show it with the
                // open ones (saying the deadline cannot be read), never as "no consultation".
                WindowState::Open(_) | WindowState::NotStarted | WindowState::Unreadable => {
                    contents.open.push(item)
                }
                WindowState::NoWindow => contents.no_window.push(item),
                // Nobody can act on a closed window; should it reopen, it appears then.
                WindowState::Closed | WindowState::Withdrawn => {}
            }
            continue;
        }
        let mut notes = event_notes(events, today);
        // Field changes other than what the history tells (the stage and the windows are
        // history events): the draft gone from the portal.
        notes.extend(
            history
                .changes
                .get(&id)
                .map(|changes| change_notes(changes, today))
                .unwrap_or_default()
                .into_iter()
                .filter(|note| *note == ChangeNote::Withdrawn),
        );
        if !notes.is_empty() {
            contents.changes.push(ChangeItem {
                item: item.clone(),
                notes,
            });
        }
        for window in &item.windows {
            if let Some(key) = due_reminder(
                id,
                window,
                &settings.reminder_days,
                &history.reminders_given,
            ) {
                contents.reminders.push(ReminderItem {
                    item: item.about(window),
                    key,
                });
            }
        }
    }
    contents
        .reminders
        .sort_by_key(|reminder| (reminder.key.window_to, reminder.key.draft_id));
    contents
}

/// The reminder due today for one open window of a delivered draft, if any: the tightest
/// configured threshold its days left have reached, unless that one was already given. A
/// threshold missed (no digest that day) is given late rather than never.
fn due_reminder(
    draft_id: i64,
    window: &ItemWindow,
    reminder_days: &[u32],
    given: &HashSet<ReminderKey>,
) -> Option<ReminderKey> {
    let tightest =
        reached_thresholds(draft_id, window, reminder_days).min_by_key(|key| key.days_before)?;
    (!given.contains(&tightest)).then_some(tightest)
}

/// The reminders whose threshold `window` (open today) has reached (days left at most the
/// threshold), one key per threshold, keyed by the draft, the window's kind, round and last
/// day; none for a window not open.
fn reached_thresholds<'r>(
    draft_id: i64,
    window: &ItemWindow,
    reminder_days: &'r [u32],
) -> impl Iterator<Item = ReminderKey> + 'r {
    let open = match window.state {
        WindowState::Open(days_left) => Some((days_left, window.window.to)),
        _ => None,
    };
    let (kind, round) = (window.kind.clone(), window.round);
    reminder_days.iter().filter_map(move |&days_before| {
        let (days_left, window_to) = open?;
        (i64::from(days_before) >= days_left).then(|| ReminderKey {
            draft_id,
            window_kind: kind.clone(),
            round,
            window_to,
            days_before,
        })
    })
}

/// What a coordinator needs to know of a draft's history events (oldest first), in the
/// order they happened: per window, its opening or the first old and the last new deadline
/// (a deadline moved and moved back is no news); the first old and last new stage; every
/// agenda, the adoption and the publication. Closed windows and new texts are not news.
pub fn event_notes(events: &[DraftEvent], today: NaiveDate) -> Vec<ChangeNote> {
    let text = |event: &DraftEvent, key: &str| {
        event
            .payload
            .get(key)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let date = |event: &DraftEvent, key: &str| {
        text(event, key).and_then(|text| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
    };
    // One slot per window (kind, round) and one for the stage, at the place of its first
    // event; agendas, adoption and publication each at their own.
    enum Slot {
        Window {
            kind: WindowKind,
            round: u64,
            opened: bool,
            old_to: Option<NaiveDate>,
            to: Option<NaiveDate>,
        },
        Stage {
            from: Option<String>,
            to: Option<String>,
        },
        Note(ChangeNote),
    }
    let mut slots: Vec<Slot> = Vec::new();
    for event in events {
        match &event.kind {
            DraftEventKind::WindowOpened | DraftEventKind::WindowMoved => {
                let kind = WindowKind::from(text(event, "window_kind").unwrap_or_default());
                let round = event
                    .payload
                    .get("round")
                    .and_then(|value| value.as_u64())
                    .unwrap_or(1);
                let opened = event.kind == DraftEventKind::WindowOpened;
                let new_to = date(event, "last_day");
                let slot = slots.iter_mut().find(|slot| {
                    matches!(slot, Slot::Window { kind: k, round: r, .. } if *k == kind && *r == round)
                });
                match slot {
                    Some(Slot::Window { opened: o, to, .. }) => {
                        *o |= opened;
                        if new_to.is_some() {
                            *to = new_to;
                        }
                    }
                    _ => slots.push(Slot::Window {
                        kind,
                        round,
                        opened,
                        old_to: if opened {
                            None
                        } else {
                            date(event, "old_last_day")
                        },
                        to: new_to,
                    }),
                }
            }
            DraftEventKind::StageChanged => {
                let (from, to) = (text(event, "from"), text(event, "to"));
                match slots
                    .iter_mut()
                    .find(|slot| matches!(slot, Slot::Stage { .. }))
                {
                    Some(Slot::Stage { to: last, .. }) => *last = to,
                    _ => slots.push(Slot::Stage { from, to }),
                }
            }
            DraftEventKind::OnAgenda => {
                let meeting = match text(event, "meeting").as_deref() {
                    Some("state_secretaries") => Meeting::StateSecretaries,
                    Some("cabinet") => Meeting::Cabinet,
                    _ => continue,
                };
                if let Some(date) = date(event, "date") {
                    slots.push(Slot::Note(ChangeNote::OnAgenda { meeting, date }));
                }
            }
            DraftEventKind::Adopted => slots.push(Slot::Note(ChangeNote::Adopted {
                date: date(event, "date"),
            })),
            DraftEventKind::Published => slots.push(Slot::Note(ChangeNote::Published {
                number: text(event, "number"),
                date: date(event, "date"),
                url: text(event, "url"),
            })),
            _ => {}
        }
    }
    let mut notes = Vec::new();
    for slot in slots {
        match slot {
            Slot::Window {
                kind,
                opened,
                old_to,
                to: Some(to),
                ..
            } => match (kind, opened, old_to) {
                (WindowKind::PublicParticipation, true, _) => {
                    notes.push(ChangeNote::WindowOpened { to })
                }
                (WindowKind::PublicParticipation, false, Some(from))
                    if from < today && to >= today =>
                {
                    notes.push(ChangeNote::WindowReopened { from, to })
                }
                (WindowKind::PublicParticipation, false, Some(from)) if from != to => {
                    notes.push(ChangeNote::DeadlineMoved { from, to })
                }
                (WindowKind::Coordination, true, _) if to >= today => {
                    notes.push(ChangeNote::CoordinationOpened { to })
                }
                (WindowKind::Coordination, false, Some(from)) if from != to => {
                    notes.push(ChangeNote::CoordinationMoved { from, to })
                }
                _ => {}
            },
            Slot::Window { to: None, .. } => {}
            Slot::Stage { from, to } if from != to => {
                notes.push(ChangeNote::StageChanged { from, to })
            }
            Slot::Stage { .. } => {}
            Slot::Note(note) => notes.push(note),
        }
    }
    notes
}

/// What a coordinator needs to know of these field changes (oldest first): the first old
/// and the last new value of the deadline and the stage; other fields are not news.
pub fn change_notes(changes: &[DraftChange], today: NaiveDate) -> Vec<ChangeNote> {
    let span = |field: DraftField| {
        let mut of_field = changes.iter().filter(|change| change.field == field);
        let first = of_field.next()?;
        let last = of_field.next_back().unwrap_or(first);
        Some((first.old_value.clone(), last.new_value.clone()))
    };
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
    };
    let mut notes = Vec::new();
    if let Some((old, new)) = span(DraftField::WindowTo) {
        match (parse(&old), parse(&new)) {
            (None, Some(to)) => notes.push(ChangeNote::WindowOpened { to }),
            (Some(from), Some(to)) if from < today && to >= today => {
                notes.push(ChangeNote::WindowReopened { from, to })
            }
            (Some(from), Some(to)) if from != to => {
                notes.push(ChangeNote::DeadlineMoved { from, to })
            }
            _ => {}
        }
    }
    if let Some((from, to)) = span(DraftField::Stage)
        && from != to
    {
        notes.push(ChangeNote::StageChanged { from, to });
    }
    if let Some((None, Some(_))) = span(DraftField::VanishedAt) {
        notes.push(ChangeNote::Withdrawn);
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, d).unwrap_or_default()
    }

    fn event(id: i64, kind: DraftEventKind, payload: serde_json::Value) -> DraftEvent {
        DraftEvent {
            id,
            draft_id: 1,
            poll_id: None,
            kind,
            payload,
            at: DateTime::<Utc>::default(),
        }
    }

    fn window(kind: &str, last_day: &str, old_last_day: Option<&str>) -> serde_json::Value {
        let mut payload = json!({ "window_kind": kind, "round": 1, "last_day": last_day });
        if let Some(old) = old_last_day {
            payload["old_last_day"] = json!(old);
        }
        payload
    }

    /// Several events of one window make one note (opened, then moved: opened until the last
    /// date; moved and moved back: nothing), stages span first to last, and agendas,
    /// adoption and publication each make their own, in the order they happened.
    #[test]
    fn history_events_become_one_note_per_fact_in_order() {
        let events = [
            event(
                1,
                DraftEventKind::StageChanged,
                json!({ "from": "Sabiedrības līdzdalība", "to": "Saskaņošana" }),
            ),
            event(
                2,
                DraftEventKind::WindowOpened,
                window("coordination", "2026-09-24", None),
            ),
            event(
                3,
                DraftEventKind::WindowMoved,
                window("coordination", "2026-10-01", Some("2026-09-24")),
            ),
            event(
                4,
                DraftEventKind::WindowMoved,
                window("public_participation", "2026-09-20", Some("2026-09-18")),
            ),
            event(
                5,
                DraftEventKind::WindowMoved,
                window("public_participation", "2026-09-18", Some("2026-09-20")),
            ),
            event(
                6,
                DraftEventKind::OnAgenda,
                json!({ "meeting": "state_secretaries", "date": "2026-09-17" }),
            ),
            event(
                7,
                DraftEventKind::WindowClosed,
                window("coordination", "2026-10-01", None),
            ),
            event(
                8,
                DraftEventKind::StageChanged,
                json!({ "from": "Saskaņošana", "to": "Izskatīts" }),
            ),
            event(9, DraftEventKind::Adopted, json!({ "date": null })),
        ];
        assert_eq!(
            event_notes(&events, day(15)),
            vec![
                ChangeNote::StageChanged {
                    from: Some("Sabiedrības līdzdalība".to_owned()),
                    to: Some("Izskatīts".to_owned()),
                },
                ChangeNote::CoordinationOpened {
                    to: day(24) + chrono::Days::new(7)
                },
                ChangeNote::OnAgenda {
                    meeting: Meeting::StateSecretaries,
                    date: day(17),
                },
                ChangeNote::Adopted { date: None },
            ]
        );
        // A moved coordination deadline is re-announced with the new date.
        assert_eq!(
            event_notes(&events[2..3], day(15)),
            vec![ChangeNote::CoordinationMoved {
                from: day(24),
                to: day(24) + chrono::Days::new(7),
            }]
        );
        // A coordination window first seen after it ended is no news.
        assert_eq!(event_notes(&events[1..2], day(25)), Vec::new());
    }
}
