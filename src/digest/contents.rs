//! What one recipient's digest says, grouped the way a coordinator acts on it: deadlines
//! closing soon, drafts open for comment, drafts new in coordination (no public window
//! yet), reminders of deadlines for drafts reported before, and changes to those drafts
//! (deadline moved, stage changed, window reopened), plus a footer on each source's health.
//!
//! Pure functions over data the caller read from the store, so every rule is testable
//! without a database. Wording is not decided here ([`super::lang`], the templates).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::{DigestConfig, RecipientConfig};
use crate::model::WindowKind;
use crate::store::{DraftChange, DraftField, ReminderKey};

use super::item::{ChangeNote, DigestItem, EvaluatedDraft, WindowState};
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
#[derive(Debug, Clone, Default)]
pub struct DigestContents<'a> {
    /// New drafts whose window ends within `closing_soon_days`, soonest first.
    pub closing_soon: Vec<DigestItem<'a>>,
    /// New drafts open (or about to open) for comment, by days left.
    pub open: Vec<DigestItem<'a>>,
    /// New drafts without a public window (in inter-ministry coordination).
    pub coordination: Vec<DigestItem<'a>>,
    /// Deadline reminders for drafts reported before.
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
            && self.reminders.is_empty()
            && self.changes.is_empty()
    }

    /// The new drafts, in digest order; recorded as delivered once the message is accepted.
    pub fn new_items(&self) -> impl Iterator<Item = &DigestItem<'_>> {
        self.closing_soon
            .iter()
            .chain(&self.open)
            .chain(&self.coordination)
    }

    /// The new drafts, mutable, in digest order.
    pub fn new_items_mut(&mut self) -> impl Iterator<Item = &mut DigestItem<'a>> {
        self.closing_soon
            .iter_mut()
            .chain(&mut self.open)
            .chain(&mut self.coordination)
    }

    /// Keep only the first `keep` new drafts in digest order (closing soon, open,
    /// coordination) and count the rest in `left_out`, to fit a size limit. The left-out
    /// drafts are not in [`Self::new_draft_ids`], so they stay undelivered.
    pub fn keep_new(&mut self, keep: usize) {
        let mut budget = keep;
        let mut dropped = 0;
        for group in [
            &mut self.closing_soon,
            &mut self.open,
            &mut self.coordination,
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
    /// each new draft every threshold of `reminder_days` its window had already reached.
    /// The first report already says how many days are left; recording those thresholds as
    /// given keeps the next run (minutes or a day later) from repeating the news as a
    /// "reminder". Thresholds still ahead stay free, and a moved deadline has keys of its own.
    pub fn reminder_keys(&self, reminder_days: &[u32]) -> Vec<ReminderKey> {
        let reached_at_first_report = self
            .new_items()
            .flat_map(|item| reached_thresholds(item, reminder_days));
        self.reminders
            .iter()
            .map(|reminder| reminder.key.clone())
            .chain(reached_at_first_report)
            .collect()
    }

    /// Every item listed whose window is still open, once per draft: the calendar's events.
    pub fn open_windows(&self) -> Vec<&DigestItem<'_>> {
        let mut seen = HashSet::new();
        self.new_items()
            .chain(self.reminders.iter().map(|reminder| &reminder.item))
            .chain(self.changes.iter().map(|change| &change.item))
            .filter(|item| matches!(item.window_state, WindowState::Open(_)))
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
    // Every matching draft, in digest order; history decides which group it joins.
    for item in select_items(recipient, evaluated, &none, today) {
        let id = item.draft.id;
        if history.pending.contains(&id) {
            continue;
        }
        if !history.delivered.contains(&id) {
            match item.window_state {
                WindowState::Open(days) if days <= i64::from(settings.closing_soon_days) => {
                    contents.closing_soon.push(item)
                }
                // An unreadable deadline is still a public consultation: show it with the
                // open ones (saying the deadline cannot be read), never as "no consultation".
                WindowState::Open(_) | WindowState::NotStarted | WindowState::Unreadable => {
                    contents.open.push(item)
                }
                WindowState::NoWindow => contents.coordination.push(item),
                // Nobody can act on a closed window; should it reopen, it appears then.
                WindowState::Closed | WindowState::Withdrawn => {}
            }
            continue;
        }
        let notes = history
            .changes
            .get(&id)
            .map(|changes| change_notes(changes, today))
            .unwrap_or_default();
        if !notes.is_empty() {
            contents.changes.push(ChangeItem {
                item: item.clone(),
                notes,
            });
        }
        if let Some(key) = due_reminder(&item, &settings.reminder_days, &history.reminders_given) {
            contents.reminders.push(ReminderItem { item, key });
        }
    }
    contents
}

/// The reminder due for a delivered draft today, if any: the tightest configured
/// threshold its days left have reached, unless that one was already given. A threshold
/// missed (no digest that day) is given late rather than never.
fn due_reminder(
    item: &DigestItem<'_>,
    reminder_days: &[u32],
    given: &HashSet<ReminderKey>,
) -> Option<ReminderKey> {
    let tightest = reached_thresholds(item, reminder_days).min_by_key(|key| key.days_before)?;
    (!given.contains(&tightest)).then_some(tightest)
}

/// The reminders whose threshold `item`'s open window has reached today (days left at most
/// the threshold), one key per threshold; none for a window not open.
fn reached_thresholds<'r>(
    item: &DigestItem<'_>,
    reminder_days: &'r [u32],
) -> impl Iterator<Item = ReminderKey> + 'r {
    let open = match (item.window_state, item.draft.window) {
        (WindowState::Open(days_left), Some(window)) => Some((days_left, window.to)),
        _ => None,
    };
    let draft_id = item.draft.id;
    reminder_days.iter().filter_map(move |&days_before| {
        let (days_left, window_to) = open?;
        (i64::from(days_before) >= days_left).then_some(ReminderKey {
            draft_id,
            window_kind: WindowKind::PublicParticipation,
            window_to,
            days_before,
        })
    })
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
