//! `draftwatch explain`: a stored draft, its comment windows and history, and why each
//! watchlist does or does not fire on it.

use std::process::ExitCode;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::matcher::WatchlistSet;
use crate::matcher::explain::render_verdicts;
use crate::model::ImpactAnswer;
use crate::store::{DraftEvent, DraftEventKind, TextsState};

/// `draftwatch explain`: every stored draft carrying `draft_id`, with each watchlist's
/// verdict and the rule, field and words behind it.
pub(super) fn explain(
    config: &Config,
    watchlists: &WatchlistSet,
    clock: &Clock,
    draft_id: &str,
) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let mut drafts = store.find_drafts_by_display_id(draft_id)?;
    let ids: Vec<i64> = drafts.iter().map(|draft| draft.id).collect();
    let mut text_states = store.texts_of(&ids)?;
    // The watchlists below see the annotation and the draft's text, as the digest does.
    store.load_texts(&mut drafts)?;
    let histories = drafts
        .iter()
        .map(|draft| store.draft_history(draft.id))
        .collect::<Result<Vec<_>, _>>()?;
    drop(store);
    if drafts.is_empty() {
        anyhow::bail!(
            "no stored draft has the TA number or portal id `{}` (`draftwatch drafts` lists them)",
            draft_id.trim()
        );
    }
    let today = clock.today(config.timezone);
    let mut out = String::new();
    if drafts.len() > 1 {
        out.push_str(&format!(
            "{} stored drafts carry the id `{}`:\n\n",
            drafts.len(),
            draft_id.trim()
        ));
    }
    for (index, (draft, history)) in drafts.iter().zip(&histories).enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}  (source {}, portal id {})\n",
            draft.display_id(),
            draft.source,
            draft.external_id
        ));
        out.push_str(&format!("Title:    {}\n", draft.title));
        if let Some(stage) = &draft.stage {
            out.push_str(&format!("Stage:    {stage}\n"));
        }
        let window = match draft.window {
            Some(w) => format!(
                "{} – {} ({})",
                w.from.format("%d.%m.%Y"),
                w.to.format("%d.%m.%Y"),
                days_left_words(w.days_left(today))
            ),
            None => "none".to_string(),
        };
        out.push_str(&format!("Window:   {window}\n"));
        let windows: Vec<String> = draft
            .windows
            .iter()
            .map(|w| {
                format!(
                    "{} {}: {} – {} ({})",
                    w.kind.as_str(),
                    w.round,
                    w.window.from.format("%d.%m.%Y"),
                    w.window.to.format("%d.%m.%Y"),
                    days_left_words(w.window.days_left(today))
                )
            })
            .collect();
        push_labelled_lines(&mut out, "Windows:", &windows);
        let texts = text_states.remove(&draft.id).unwrap_or_default();
        // Drafts without annotation links (most of the older ones) show no Texts line at all.
        let text_lines = texts_lines(&texts);
        if !text_lines.is_empty() {
            push_labelled_lines(&mut out, "Texts:", &text_lines);
        }
        let events: Vec<String> = history.iter().map(event_line).collect();
        push_labelled_lines(&mut out, "History:", &events);
        out.push_str(&format!("URL:      {}\n", draft.url));
        out.push_str(&render_verdicts(&watchlists.evaluate(&draft.match_input())));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `label` then the first line, the others indented under it; "none" when there are none.
fn push_labelled_lines(out: &mut String, label: &str, lines: &[String]) {
    if lines.is_empty() {
        out.push_str(&format!("{label:<10}none\n"));
    }
    for (index, line) in lines.iter().enumerate() {
        let label = if index == 0 { label } else { "" };
        out.push_str(&format!("{label:<10}{line}\n"));
    }
}

/// A stored `YYYY-MM-DD` payload day as `dd.mm.yyyy`, `?` when missing.
fn payload_day(event: &DraftEvent, key: &str) -> String {
    event
        .payload
        .get(key)
        .and_then(|v| v.as_str())
        .and_then(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .map_or_else(|| "?".to_owned(), |day| day.format("%d.%m.%Y").to_string())
}

/// A payload text, `-` when missing.
fn payload_text<'e>(event: &'e DraftEvent, key: &str) -> &'e str {
    event
        .payload
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or("-")
}

/// One history event as a line: when, then what happened.
fn event_line(event: &DraftEvent) -> String {
    let window = || {
        format!(
            "{} {}",
            payload_text(event, "window_kind"),
            event
                .payload
                .get("round")
                .map_or(String::new(), |r| r.to_string())
        )
    };
    let what = match &event.kind {
        DraftEventKind::StageChanged => format!(
            "stage {} → {}",
            payload_text(event, "from"),
            payload_text(event, "to")
        ),
        DraftEventKind::WindowOpened => format!(
            "{} opened: {} – {}",
            window(),
            payload_day(event, "first_day"),
            payload_day(event, "last_day")
        ),
        DraftEventKind::WindowMoved => format!(
            "{} moved: {} – {} → {} – {}",
            window(),
            payload_day(event, "old_first_day"),
            payload_day(event, "old_last_day"),
            payload_day(event, "first_day"),
            payload_day(event, "last_day")
        ),
        DraftEventKind::WindowClosed => format!("{} closed", window()),
        DraftEventKind::OnAgenda => format!(
            "on the {} agenda of {} (item {})",
            payload_text(event, "meeting"),
            payload_day(event, "date"),
            payload_text(event, "item")
        ),
        DraftEventKind::Adopted => format!("adopted {}", payload_day(event, "date")),
        DraftEventKind::Published => format!(
            "published in Latvijas Vēstnesis {} on {} {}",
            payload_text(event, "number"),
            payload_day(event, "date"),
            payload_text(event, "url")
        ),
        DraftEventKind::AnnotationChanged => {
            let yes = event
                .payload
                .get("impacts_yes")
                .and_then(|v| v.as_array())
                .map(|items| items.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>())
                .unwrap_or_default();
            format!(
                "annotation {} {} (impacts answered Jā: {})",
                new_or_changed(event),
                payload_text(event, "url"),
                if yes.is_empty() {
                    "none".to_owned()
                } else {
                    yes.join(", ")
                }
            )
        }
        DraftEventKind::DocumentChanged => {
            format!(
                "draft text {} ({} characters)",
                new_or_changed(event),
                payload_count(event)
            )
        }
        DraftEventKind::Other(kind) => format!("{kind} {}", event.payload),
    };
    format!("{}  {what}", event.at.format("%d.%m.%Y %H:%M UTC"))
}

/// "read" for a text's first version, "changed" for a later one.
fn new_or_changed(event: &DraftEvent) -> &'static str {
    match event.payload.get("first_version").and_then(|v| v.as_bool()) {
        Some(true) => "read",
        _ => "changed",
    }
}

/// The payload's `chars`, 0 when missing.
fn payload_count(event: &DraftEvent) -> u64 {
    event
        .payload
        .get("chars")
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
}

/// What is stored of the draft's annotation and text: whether each is there, the impact
/// items answered `Jā`, and the last reading's failures and cuts.
fn texts_lines(state: &TextsState) -> Vec<String> {
    let Some(fetched_at) = state.fetched_at else {
        return match state.links.as_ref().and_then(|l| l.annotation.as_ref()) {
            Some(url) => vec![format!("not read yet (annotation {url})")],
            None => Vec::new(),
        };
    };
    let texts = &state.texts;
    let size = |text: &Option<String>| {
        text.as_ref().map_or("none".to_owned(), |t| {
            format!("{} characters", t.chars().count())
        })
    };
    let mut lines = vec![format!(
        "read {}; annotation {}, draft text {}",
        fetched_at.format("%d.%m.%Y %H:%M UTC"),
        size(&texts.annotation),
        size(&texts.document),
    )];
    if !texts.impacts.is_empty() {
        let yes: Vec<String> = texts
            .impacts
            .iter()
            .filter(|item| item.answer == ImpactAnswer::Yes)
            .map(|item| format!("{}. {}", item.number, item.label))
            .collect();
        lines.push(if yes.is_empty() {
            format!("impacts: {} items, none answered Jā", texts.impacts.len())
        } else {
            format!("impacts answered Jā: {}", yes.join("; "))
        });
    }
    for failure in &state.failures {
        lines.push(format!("failed: {} ({})", failure.url, failure.error));
    }
    if let Some(retry_after) = state.retry_after {
        lines.push(format!(
            "tried again after {}",
            retry_after.format("%d.%m.%Y %H:%M UTC")
        ));
    }
    for url in &state.truncated {
        lines.push(format!("cut at max_text_bytes: {url}"));
    }
    lines
}

/// Where a window stands, in the English of the surrounding `explain` text: "3 days left",
/// "last day today", "closed 66 days ago" (never "-66 days left").
fn days_left_words(days_left: i64) -> String {
    match days_left {
        ..=-2 => format!("closed {} days ago", days_left.unsigned_abs()),
        -1 => "closed yesterday".to_owned(),
        0 => "last day today".to_owned(),
        1 => "1 day left".to_owned(),
        _ => format!("{days_left} days left"),
    }
}

#[cfg(test)]
mod tests {
    use super::{ImpactAnswer, days_left_words, event_line};
    use crate::store::{DraftEvent, DraftEventKind};

    fn event(kind: DraftEventKind, payload: serde_json::Value) -> DraftEvent {
        DraftEvent {
            id: 1,
            draft_id: 1,
            poll_id: Some(1),
            kind,
            payload,
            at: chrono::DateTime::parse_from_rfc3339("2026-09-05T06:00:00Z")
                .expect("valid")
                .to_utc(),
        }
    }

    #[test]
    fn history_lines_say_what_moved_and_what_was_decided() {
        let moved = event(
            DraftEventKind::WindowMoved,
            serde_json::json!({"window_kind": "coordination", "round": 2,
                "first_day": "2026-09-03", "last_day": "2026-09-24",
                "old_first_day": "2026-09-03", "old_last_day": "2026-09-17"}),
        );
        assert_eq!(
            event_line(&moved),
            "05.09.2026 06:00 UTC  coordination 2 moved: 03.09.2026 – 17.09.2026 → \
             03.09.2026 – 24.09.2026"
        );
        // Carried over from draft_changes: only the last day is known.
        let carried = event(
            DraftEventKind::WindowMoved,
            serde_json::json!({"window_kind": "public_participation", "round": 1,
                "last_day": "2026-09-22", "old_last_day": "2026-09-15"}),
        );
        assert_eq!(
            event_line(&carried),
            "05.09.2026 06:00 UTC  public_participation 1 moved: ? – 15.09.2026 → ? – 22.09.2026"
        );
        let agenda = event(
            DraftEventKind::OnAgenda,
            serde_json::json!({"meeting": "cabinet", "date": "2026-09-29", "item": "7"}),
        );
        assert_eq!(
            event_line(&agenda),
            "05.09.2026 06:00 UTC  on the cabinet agenda of 29.09.2026 (item 7)"
        );
        let stage = event(
            DraftEventKind::StageChanged,
            serde_json::json!({"from": null, "to": "Saskaņošana"}),
        );
        assert_eq!(
            event_line(&stage),
            "05.09.2026 06:00 UTC  stage - → Saskaņošana"
        );
    }

    #[test]
    fn texts_lines_say_what_was_read_the_yes_impacts_and_the_failures() {
        use crate::model::{DraftTexts, ImpactItem};
        use crate::store::{TextFailure, TextLinks, TextsState};
        let at = chrono::DateTime::parse_from_rfc3339("2026-09-05T06:00:00Z")
            .expect("valid")
            .to_utc();
        let item = |number: &str, label: &str, answer| ImpactItem {
            number: number.to_owned(),
            label: label.to_owned(),
            answer,
            explanation: None,
        };
        let state = TextsState {
            texts: DraftTexts {
                annotation: Some("Audžuģimenes".to_owned()),
                document: None,
                impacts: vec![
                    item("8.1.1", "uz sabiedrības veselību", ImpactAnswer::No),
                    item("8.1.16", "uz bērna labākajām interesēm", ImpactAnswer::Yes),
                ],
            },
            links: None,
            fetched_at: Some(at),
            failures: vec![TextFailure {
                url: "https://tap/x.docx".to_owned(),
                error: "corrupt DOCX".to_owned(),
            }],
            truncated: Vec::new(),
            retry_after: Some(at + chrono::TimeDelta::hours(1)),
        };
        assert_eq!(
            super::texts_lines(&state),
            [
                "read 05.09.2026 06:00 UTC; annotation 12 characters, draft text none",
                "impacts answered Jā: 8.1.16. uz bērna labākajām interesēm",
                "failed: https://tap/x.docx (corrupt DOCX)",
                "tried again after 05.09.2026 07:00 UTC",
            ]
        );
        let unread = TextsState {
            links: Some(TextLinks {
                annotation: Some("https://tap/annotation/a".to_owned()),
                ..TextLinks::default()
            }),
            ..TextsState::default()
        };
        assert_eq!(
            super::texts_lines(&unread),
            ["not read yet (annotation https://tap/annotation/a)"]
        );
        assert!(super::texts_lines(&TextsState::default()).is_empty());
        let changed = event(
            DraftEventKind::AnnotationChanged,
            serde_json::json!({"url": "https://tap/annotation/b", "first_version": false,
                "impacts_yes": ["8.1.16"], "chars": 10}),
        );
        assert_eq!(
            event_line(&changed),
            "05.09.2026 06:00 UTC  annotation changed https://tap/annotation/b \
             (impacts answered Jā: 8.1.16)"
        );
    }

    #[test]
    fn days_left_words_for_closed_last_day_and_open_windows() {
        assert_eq!(days_left_words(-66), "closed 66 days ago");
        assert_eq!(days_left_words(-1), "closed yesterday");
        assert_eq!(days_left_words(0), "last day today");
        assert_eq!(days_left_words(1), "1 day left");
        assert_eq!(days_left_words(10), "10 days left");
    }
}
