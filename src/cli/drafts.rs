//! `draftwatch drafts`: list the stored drafts, with the watchlists each one fires, as text
//! for a person or as JSON lines for a script (with every comment window and the history).

use std::process::ExitCode;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::matcher::WatchlistSet;
use crate::model::StoredDraft;
use crate::store::{DraftEvent, DraftFilter};

/// What `draftwatch drafts` prints.
#[derive(Debug, Clone, Copy)]
pub(super) struct ListOutput {
    /// Only drafts whose window includes today.
    pub(super) open: bool,
    /// JSON lines instead of text.
    pub(super) json: bool,
    /// Load the stored annotation and draft text (watchlists match on them; JSON shows them).
    pub(super) texts: bool,
}

/// Every stored draft (only those open today with `open`), one line each.
pub(super) fn list_drafts(
    config: &Config,
    watchlists: &WatchlistSet,
    clock: &Clock,
    output: ListOutput,
) -> anyhow::Result<ExitCode> {
    let ListOutput { open, json, texts } = output;
    let today = clock.today(config.timezone);
    let store = open_store(config)?;
    let filter = DraftFilter {
        open_on: open.then_some(today),
        source: None,
    };
    let mut drafts = store.list_drafts(&filter)?;
    if texts {
        store.load_texts(&mut drafts)?;
    }
    let histories = if json {
        drafts
            .iter()
            .map(|draft| store.draft_history(draft.id))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    drop(store);
    let mut out = String::new();
    for (index, draft) in drafts.iter().enumerate() {
        let hit: Vec<String> = watchlists
            .evaluate(&draft.match_input())
            .into_iter()
            .filter(|v| v.fired)
            .map(|v| v.watchlist)
            .collect();
        if json {
            let mut line = serde_json::json!({
                "id": draft.display_id(),
                "source": draft.source,
                "external_id": draft.external_id,
                "title": draft.title,
                "url": draft.url,
                "kind": draft.kind,
                "ministry": draft.ministry,
                "stage": draft.stage,
                "restricted": draft.restricted,
                "window_from": draft.window.map(|w| w.from.to_string()),
                "window_to": draft.window.map(|w| w.to.to_string()),
                "days_left": draft.window.map(|w| w.days_left(today)),
                "windows": windows_json(draft, today),
                "history": histories.get(index).map(|events| history_json(events)),
                "policy_areas": draft.policy_areas,
                "watchlists": hit,
                "first_seen": draft.first_seen.to_rfc3339(),
                "last_changed": draft.last_changed.to_rfc3339(),
            });
            if texts {
                line["texts"] = serde_json::json!(draft.texts);
            }
            out.push_str(&line.to_string());
        } else {
            let window = draft
                .window
                .map(|w| {
                    format!(
                        "{} – {}",
                        w.from.format("%d.%m.%Y"),
                        w.to.format("%d.%m.%Y")
                    )
                })
                .unwrap_or_else(|| "-".into());
            let marks = if hit.is_empty() {
                String::new()
            } else {
                format!(" [{}]", hit.join(", "))
            };
            out.push_str(&format!(
                "{:<12} {:<25} {}{}",
                draft.display_id(),
                window,
                draft.title,
                marks
            ));
        }
        out.push('\n');
    }
    print!("{out}");
    if !json {
        eprintln!("{} drafts.", drafts.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// Every window of the draft: kind, round, days (inclusive), days left today, where to
/// submit, and whether a poll saw it closed.
fn windows_json(draft: &StoredDraft, today: chrono::NaiveDate) -> serde_json::Value {
    draft
        .windows
        .iter()
        .map(|w| {
            serde_json::json!({
                "kind": w.kind.as_str(),
                "round": w.round,
                "first_day": w.window.from.to_string(),
                "last_day": w.window.to.to_string(),
                "days_left": w.window.days_left(today),
                "submit_to": w.submit_to,
                "closed": w.closed_at.is_some(),
            })
        })
        .collect()
}

/// The draft's history events, oldest first, with their payloads as stored.
fn history_json(events: &[DraftEvent]) -> serde_json::Value {
    events
        .iter()
        .map(|event| {
            serde_json::json!({
                "kind": event.kind.as_str(),
                "at": event.at.to_rfc3339(),
                "details": event.payload,
            })
        })
        .collect()
}
