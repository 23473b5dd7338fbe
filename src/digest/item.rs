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
use crate::model::{CommentWindow, StoredDraft};

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
    /// Its comment window on the digest's day.
    pub window_state: WindowState,
    /// The recipient's watchlists that fired on it, in the recipient's configured order.
    pub matches: Vec<&'a WatchlistVerdict>,
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
    /// The state of a stored draft's window on `today`, taking a withdrawn draft and an
    /// unreadable deadline into account.
    pub fn of_draft(draft: &StoredDraft, today: NaiveDate) -> Self {
        if draft.vanished_at.is_some() {
            WindowState::Withdrawn
        } else if draft.window.is_none() && draft.unreadable_deadline.is_some() {
            WindowState::Unreadable
        } else {
            WindowState::of(draft.window.as_ref(), today)
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
}

/// Where one submits an opinion on `draft`. On TAP portāls public participation (the only
/// kind of source so far) the form is on the draft's own page.
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
