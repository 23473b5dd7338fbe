//! Which drafts go into one recipient's digest, and in what order. Pure functions over
//! drafts already evaluated by the matcher, so the rules are testable without a store.
//!
//! A draft is selected when at least one of the recipient's watchlists fires on it and it
//! has not been delivered to that recipient before. Order: drafts with a window of any kind
//! still open (or not yet open) by days left of the soonest-closing one, soonest first; then drafts without a window; then
//! drafts whose window has closed, most recently closed first. This module does not render
//! or send anything.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::config::RecipientConfig;
use crate::matcher::WatchlistVerdict;

use super::item::{DigestItem, EvaluatedDraft, WindowState};

/// Select and order the drafts for `recipient` on the local day `today`.
pub fn select_items<'a>(
    recipient: &RecipientConfig,
    drafts: &'a [EvaluatedDraft],
    delivered: &HashSet<i64>,
    today: NaiveDate,
) -> Vec<DigestItem<'a>> {
    let mut items: Vec<DigestItem<'a>> = drafts
        .iter()
        .filter(|evaluated| !delivered.contains(&evaluated.draft.id))
        .filter_map(|evaluated| {
            let matches: Vec<&WatchlistVerdict> = recipient
                .watchlists
                .iter()
                .filter_map(|name| {
                    evaluated
                        .verdicts
                        .iter()
                        .find(|verdict| verdict.fired && &verdict.watchlist == name)
                })
                .collect();
            (!matches.is_empty()).then(|| DigestItem::new(&evaluated.draft, today, matches))
        })
        .collect();
    items.sort_by(|a, b| {
        order_key(a, today)
            .cmp(&order_key(b, today))
            .then_with(|| a.draft.display_id().cmp(b.draft.display_id()))
            .then_with(|| a.draft.id.cmp(&b.draft.id))
    });
    items
}

/// (group, days) where group 0 = open or not yet open, 1 = no window, 2 = closed; inside a
/// group the smaller number comes first.
fn order_key(item: &DigestItem<'_>, today: NaiveDate) -> (u8, i64) {
    // The window the item is about (its soonest open one), else the closed public one.
    let days_left = item
        .window()
        .map(|w| w.window.days_left(today))
        .or_else(|| item.draft.window.map(|w| w.days_left(today)));
    match (item.window_state, days_left) {
        (WindowState::NoWindow, _) | (_, None) => (1, 0),
        (WindowState::Closed | WindowState::Withdrawn, Some(days)) => (2, -days),
        (WindowState::Unreadable, Some(_)) => (1, 0),
        (WindowState::Open(_) | WindowState::NotStarted, Some(days)) => (0, days),
    }
}

/// The last day to comment that comes soonest among drafts still open or not yet open, for
/// the subject line.
pub fn nearest_deadline(items: &[DigestItem<'_>]) -> Option<NaiveDate> {
    items
        .iter()
        .filter(|item| {
            matches!(
                item.window_state,
                WindowState::Open(_) | WindowState::NotStarted
            )
        })
        .filter_map(|item| item.window().map(|w| w.window.to))
        .min()
}
