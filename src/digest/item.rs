//! The facts a digest is made of, shared by every step that handles them: a draft with the
//! watchlists' verdicts, one draft as listed for a recipient, where its comment window
//! stands, what changed about it, and where one submits an opinion.
//!
//! Only types and the small facts derived from a draft live here, so that choosing
//! (`select`), grouping (`contents`), wording (`lang`), the calendar (`calendar`) and
//! rendering (`render`) all import this module and it imports none of them: the digest's
//! modules depend on each other in one direction.

use chrono::NaiveDate;

use crate::matcher::WatchlistVerdict;
use crate::model::{CommentWindow, Meeting, StoredDraft, WindowKind};

/// A stored draft together with every watchlist's verdict on it; computed once per digest
/// run and shared by all recipients.
#[derive(Debug, Clone)]
pub struct EvaluatedDraft {
    /// The draft.
    pub draft: StoredDraft,
    /// The matcher's verdicts, one per watchlist.
    pub verdicts: Vec<WatchlistVerdict>,
}

/// One draft as it appears in one recipient's digest.
#[derive(Debug, Clone)]
pub struct DigestItem<'a> {
    /// The draft.
    pub draft: &'a StoredDraft,
    /// Where the window this item is about stands on the digest's day (its first window,
    /// else the public-participation window, else none).
    pub window_state: WindowState,
    /// The recipient's watchlists that fired on it, in the recipient's configured order.
    pub matches: Vec<&'a WatchlistVerdict>,
    /// Its windows of every kind open (or not yet open) on the digest's day, the one this
    /// item is about first, then soonest-closing first.
    pub windows: Vec<ItemWindow>,
    /// Facts from its history shown with it: for a draft reported for the first time, the
    /// agendas, adoption and publication it already went through.
    pub notes: Vec<ChangeNote>,
}

impl<'a> DigestItem<'a> {
    /// `draft` as listed on `today` with the watchlists that fired on it.
    pub fn new(
        draft: &'a StoredDraft,
        today: NaiveDate,
        matches: Vec<&'a WatchlistVerdict>,
    ) -> Self {
        DigestItem {
            draft,
            window_state: WindowState::of_draft(draft, today),
            matches,
            windows: open_windows(draft, today),
            notes: Vec::new(),
        }
    }

    /// The window this item is about: its first open window, else none (the state then
    /// says why: closed, no window, unreadable, withdrawn).
    pub fn window(&self) -> Option<&ItemWindow> {
        self.windows.first()
    }

    /// The same item about `window` (one of its open windows): a reminder of that window
    /// shows it first.
    pub fn about(&self, window: &ItemWindow) -> Self {
        let mut item = self.clone();
        item.windows.retain(|other| other != window);
        item.windows.insert(0, window.clone());
        item.window_state = window.state;
        item
    }
}

/// One comment window of a draft as a digest shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemWindow {
    /// Which kind of window.
    pub kind: WindowKind,
    /// Its round among windows of that kind (1 for the first).
    pub round: u32,
    /// Its days.
    pub window: CommentWindow,
    /// Where to submit, when the portal says.
    pub submit_to: Option<String>,
    /// Where it stands on the digest's day.
    pub state: WindowState,
}

impl ItemWindow {
    /// Where to submit an opinion in this window: the address the portal gives, else the
    /// draft's page (on TAP portāls the public-participation form is there, and the
    /// coordination page names its contact).
    pub fn submit_url<'d>(&'d self, draft: &'d StoredDraft) -> &'d str {
        self.submit_to.as_deref().unwrap_or(&draft.url)
    }
}

/// Every comment window of `draft` as the digest knows it on `today`: the windows of every
/// kind the store keeps, with the public-participation one taken from `draft.window` (the
/// current round, which is what the digest has always listed) when there is one.
pub fn draft_windows(draft: &StoredDraft, today: NaiveDate) -> Vec<ItemWindow> {
    let state = |window: &CommentWindow| WindowState::of(Some(window), today);
    let mut windows: Vec<ItemWindow> = draft
        .windows
        .iter()
        .filter(|stored| stored.kind != WindowKind::PublicParticipation)
        .map(|stored| ItemWindow {
            kind: stored.kind.clone(),
            round: stored.round,
            window: stored.window,
            submit_to: stored.submit_to.clone(),
            state: state(&stored.window),
        })
        .collect();
    if let Some(current) = draft.window {
        let mut participation = draft
            .windows
            .iter()
            .filter(|stored| stored.kind == WindowKind::PublicParticipation);
        let stored = participation
            .clone()
            .find(|stored| stored.window == current)
            .or_else(|| participation.next_back());
        windows.push(ItemWindow {
            kind: WindowKind::PublicParticipation,
            round: stored.map_or(1, |stored| stored.round),
            window: current,
            submit_to: stored.and_then(|stored| stored.submit_to.clone()),
            state: state(&current),
        });
    }
    windows
}

/// The windows of `draft` open or not yet open on `today`, soonest-closing first (public
/// participation first among windows closing the same day). None for a draft gone from the
/// portal: nobody can comment any more.
pub fn open_windows(draft: &StoredDraft, today: NaiveDate) -> Vec<ItemWindow> {
    if draft.vanished_at.is_some() {
        return Vec::new();
    }
    let mut open: Vec<ItemWindow> = draft_windows(draft, today)
        .into_iter()
        .filter(|w| matches!(w.state, WindowState::Open(_) | WindowState::NotStarted))
        .collect();
    open.sort_by_key(|w| {
        (
            w.window.to,
            w.kind != WindowKind::PublicParticipation,
            w.round,
        )
    });
    open
}

/// Where a draft's comment window stands on a given day, the fact behind the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// The draft has no public comment window.
    NoWindow,
    /// Commenting has not started yet.
    NotStarted,
    /// Open; the number is the calendar days left after today (0 = closes today).
    Open(i64),
    /// The last day to comment has passed.
    Closed,
    /// The portal shows a deadline that is not a valid date ("32.13.2026."): not the same as
    /// having no consultation, so partners are told the deadline cannot be read.
    Unreadable,
    /// The draft is gone from the portal (withdrawn): nobody can comment any more.
    Withdrawn,
}

impl WindowState {
    /// The state of `window` on `today` (a local calendar day).
    pub fn of(window: Option<&CommentWindow>, today: NaiveDate) -> Self {
        match window {
            None => WindowState::NoWindow,
            Some(w) if w.days_left(today) < 0 => WindowState::Closed,
            Some(w) if today < w.from => WindowState::NotStarted,
            Some(w) => WindowState::Open(w.days_left(today)),
        }
    }
    /// The state of a stored draft's windows on `today`: its soonest-closing window of any
    /// kind still open (or not yet open); otherwise a withdrawn draft, an unreadable public
    /// deadline, a closed window (of any kind) or none.
    pub fn of_draft(draft: &StoredDraft, today: NaiveDate) -> Self {
        if draft.vanished_at.is_some() {
            return WindowState::Withdrawn;
        }
        if let Some(open) = open_windows(draft, today).first() {
            return open.state;
        }
        if draft.window.is_none() && draft.unreadable_deadline.is_some() {
            WindowState::Unreadable
        } else if draft.window.is_some() || !draft.windows.is_empty() {
            WindowState::Closed
        } else {
            WindowState::NoWindow
        }
    }
}

/// One thing that changed about a draft reported before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeNote {
    /// The last day to comment moved.
    DeadlineMoved {
        /// The previous last day.
        from: NaiveDate,
        /// The new last day.
        to: NaiveDate,
    },
    /// A window that had ended runs again, until `to`.
    WindowReopened {
        /// The previous last day (in the past).
        from: NaiveDate,
        /// The new last day.
        to: NaiveDate,
    },
    /// A draft without a public window got one.
    WindowOpened {
        /// Its last day.
        to: NaiveDate,
    },
    /// The stage of the legislative process changed.
    StageChanged {
        /// The previous stage.
        from: Option<String>,
        /// The new stage.
        to: Option<String>,
    },
    /// The draft is gone from the portal while its window was open (said once).
    Withdrawn,
    /// Sent for coordination: institutions and NGOs give opinions until `to`.
    CoordinationOpened {
        /// Its last day.
        to: NaiveDate,
    },
    /// The coordination deadline moved; opinions may be given until `to`.
    CoordinationMoved {
        /// The previous last day.
        from: NaiveDate,
        /// The new last day.
        to: NaiveDate,
    },
    /// Put on a meeting's agenda: announced at the State Secretaries' meeting, or to be
    /// decided at the Cabinet, on `date`.
    OnAgenda {
        /// Which meeting.
        meeting: Meeting,
        /// Its day.
        date: NaiveDate,
    },
    /// Adopted.
    Adopted {
        /// When, if the portal says.
        date: Option<NaiveDate>,
    },
    /// Published in Latvijas Vēstnesis.
    Published {
        /// Publication number (`2026/123.4`).
        number: Option<String>,
        /// Publication date.
        date: Option<NaiveDate>,
        /// Link to the publication.
        url: Option<String>,
    },
}

/// Where one submits an opinion on `draft` when no window says otherwise: on TAP portāls the
/// public-participation form is on the draft's own page.
pub fn opinion_url(draft: &StoredDraft) -> &str {
    &draft.url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_state_distinguishes_every_case() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 9, d).unwrap_or_default();
        let w = CommentWindow {
            from: day(10),
            to: day(20),
        };
        assert_eq!(WindowState::of(None, day(1)), WindowState::NoWindow);
        assert_eq!(WindowState::of(Some(&w), day(9)), WindowState::NotStarted);
        assert_eq!(WindowState::of(Some(&w), day(10)), WindowState::Open(10));
        assert_eq!(WindowState::of(Some(&w), day(20)), WindowState::Open(0));
        assert_eq!(WindowState::of(Some(&w), day(21)), WindowState::Closed);
    }
}
