//! iCalendar (RFC 5545) text for the deadlines in a digest, written by hand: one all-day
//! event per open comment window on the window's last day, with a reminder at 09:00 the day
//! before. Each event's UID is derived from the draft's source and portal id, so a calendar
//! that imports the next digest's attachment updates the event instead of duplicating it.
//!
//! Only the writing is here: CRLF line ends, TEXT escaping and folding of long lines at 75
//! octets. Choosing which drafts get events is the digest's job.

use chrono::{DateTime, NaiveDate, Utc};

use super::item::{DigestItem, ItemWindow, WindowState};
use crate::config::Language;
use crate::model::WindowKind;

/// The longest content line allowed before folding, in octets (CRLF not counted).
const MAX_LINE_OCTETS: usize = 75;

/// One all-day event: the last day to comment on a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineEvent {
    /// Stable identifier, `<source>-<external_id>@draftwatch`.
    pub uid: String,
    /// The last day of the window (the event's day).
    pub day: NaiveDate,
    /// Calendar title: TA number and draft title.
    pub summary: String,
    /// Longer text shown with the event.
    pub description: String,
    /// Link to the page where one submits an opinion, when it is a web link.
    pub url: Option<String>,
    /// When the draft last changed; the event's DTSTAMP and LAST-MODIFIED.
    pub stamp: DateTime<Utc>,
}

impl DeadlineEvent {
    /// The event for a listed draft's first window when that one is open (or not yet open);
    /// `None` without one, and for a draft gone from the portal (its window still stored, but
    /// nobody can comment).
    pub fn for_item(item: &DigestItem<'_>, language: Language) -> Option<Self> {
        Self::for_items_windows(item, language, true)
            .into_iter()
            .next()
    }

    /// One event per window of `item` open on the digest's day (`with_not_started`: and per
    /// window not yet open): public participation and coordination deadlines alike.
    pub fn for_items_windows(
        item: &DigestItem<'_>,
        language: Language,
        with_not_started: bool,
    ) -> Vec<Self> {
        if item.window_state == WindowState::Withdrawn {
            return Vec::new();
        }
        item.windows
            .iter()
            .filter(|window| match window.state {
                WindowState::Open(_) => true,
                WindowState::NotStarted => with_not_started,
                _ => false,
            })
            .map(|window| Self::for_window(item, window, language))
            .collect()
    }

    /// The event of one window of a listed draft. The public-participation event keeps the
    /// UID it always had (`<source>-<external_id>@draftwatch`), so calendars that imported
    /// earlier digests update it; other kinds add their kind and round.
    fn for_window(item: &DigestItem<'_>, window: &ItemWindow, language: Language) -> Self {
        let draft = item.draft;
        let opinion = window.submit_url(draft);
        let coordination = window.kind == WindowKind::Coordination;
        let (prefix, body) = match (language, coordination) {
            (Language::Lv, false) => (
                "Termiņš",
                format!(
                    "Pēdējā diena viedokļa iesniegšanai par {} «{}».\nIesniegt viedokli: {}",
                    draft.display_id(),
                    draft.title,
                    opinion
                ),
            ),
            (Language::Lv, true) => (
                "Saskaņošanas termiņš",
                format!(
                    "Pēdējā diena atzinuma sniegšanai saskaņošanā par {} «{}».\nIesniegt viedokli: {}",
                    draft.display_id(),
                    draft.title,
                    opinion
                ),
            ),
            (Language::En, false) => (
                "Deadline",
                format!(
                    "Last day to submit an opinion on {} \"{}\".\nSubmit an opinion: {}",
                    draft.display_id(),
                    draft.title,
                    opinion
                ),
            ),
            (Language::En, true) => (
                "Coordination deadline",
                format!(
                    "Last day to give an opinion in coordination on {} \"{}\".\nSubmit an opinion: {}",
                    draft.display_id(),
                    draft.title,
                    opinion
                ),
            ),
        };
        let uid = match &window.kind {
            WindowKind::PublicParticipation => {
                format!("{}-{}@draftwatch", draft.source, draft.external_id)
            }
            kind => format!(
                "{}-{}-{}-{}@draftwatch",
                draft.source,
                draft.external_id,
                kind.as_str(),
                window.round
            ),
        };
        DeadlineEvent {
            uid,
            day: window.window.to,
            summary: format!("{prefix}: {} {}", draft.display_id(), draft.title),
            description: body,
            url: (opinion.starts_with("https://") || opinion.starts_with("http://"))
                .then(|| opinion.to_owned()),
            stamp: draft.last_changed,
        }
    }
}

/// The calendar attached to a digest: one event per open window of each listed draft.
pub fn digest_calendar(items: &[&DigestItem<'_>], language: Language) -> String {
    let events: Vec<DeadlineEvent> = items
        .iter()
        .flat_map(|item| DeadlineEvent::for_items_windows(item, language, false))
        .collect();
    write_calendar(&events, language)
}

/// A subscription calendar: one event per window of each draft that is open or not yet open.
pub fn subscription_calendar(items: &[&DigestItem<'_>], language: Language) -> String {
    let events: Vec<DeadlineEvent> = items
        .iter()
        .flat_map(|item| DeadlineEvent::for_items_windows(item, language, true))
        .collect();
    write_calendar(&events, language)
}

/// A whole `VCALENDAR` (METHOD:PUBLISH) with `events`, CRLF-terminated and folded.
pub fn write_calendar(events: &[DeadlineEvent], language: Language) -> String {
    let alarm_text = match language {
        Language::Lv => "Rīt beidzas termiņš viedokļa iesniegšanai",
        Language::En => "Comment deadline tomorrow",
    };
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//draftwatch//draftwatch digest//LV".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
    ];
    for event in events {
        let stamp = event.stamp.format("%Y%m%dT%H%M%SZ");
        let next_day = event.day.succ_opt().unwrap_or(event.day);
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}", escape_text(&event.uid)));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("LAST-MODIFIED:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{}", event.day.format("%Y%m%d")));
        lines.push(format!("DTEND;VALUE=DATE:{}", next_day.format("%Y%m%d")));
        lines.push(format!("SUMMARY:{}", escape_text(&event.summary)));
        lines.push(format!("DESCRIPTION:{}", escape_text(&event.description)));
        if let Some(url) = &event.url {
            // URI values are not TEXT-escaped; only control characters must go.
            lines.push(format!("URL:{}", url.replace(char::is_control, "")));
        }
        lines.push("TRANSP:TRANSPARENT".to_owned());
        lines.push("BEGIN:VALARM".to_owned());
        lines.push("ACTION:DISPLAY".to_owned());
        // The all-day event starts at 00:00 of the last day: 15 hours earlier is 09:00
        // of the day before.
        lines.push("TRIGGER:-PT15H".to_owned());
        lines.push(format!(
            "DESCRIPTION:{}",
            escape_text(&format!("{alarm_text}: {}", event.summary))
        ));
        lines.push("END:VALARM".to_owned());
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in lines {
        out.push_str(&fold_line(&line));
    }
    out
}

/// Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines; other
/// control characters are dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so no physical line exceeds 75 octets (continuations start with
/// a space, which counts), never splitting a UTF-8 character; ends with CRLF.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
    out
}

/// Undo folding: the logical content lines of an iCalendar text (for tests and for anyone
/// reading an attachment back).
pub fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in text.split("\r\n") {
        match physical.strip_prefix([' ', '\t']) {
            Some(rest) => {
                if let Some(last) = lines.last_mut() {
                    last.push_str(rest);
                }
            }
            None if physical.is_empty() => {}
            None => lines.push(physical.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withdrawn_draft_has_no_calendar_event() {
        use crate::model::{CommentWindow, StoredDraft};
        let day = |d| NaiveDate::from_ymd_opt(2026, 9, d).expect("valid day");
        let draft = StoredDraft {
            source: "tap".to_owned(),
            external_id: "uuid-1".to_owned(),
            title: "Grozījumi".to_owned(),
            url: "https://tapportals.mk.gov.lv/public_participation/uuid-1".to_owned(),
            window: Some(CommentWindow {
                from: day(1),
                to: day(20),
            }),
            ..Default::default()
        };
        let open = DigestItem::new(&draft, day(15), Vec::new());
        assert_eq!(open.window_state, WindowState::Open(5));
        let event = DeadlineEvent::for_item(&open, Language::Lv);
        assert_eq!(event.map(|event| event.day), Some(day(20)));
        let withdrawn = DigestItem {
            window_state: WindowState::Withdrawn,
            ..open
        };
        assert_eq!(DeadlineEvent::for_item(&withdrawn, Language::Lv), None);
    }

    #[test]
    fn escaping_covers_the_special_characters() {
        assert_eq!(
            escape_text("a,b;c\\d\ne\r\nf\u{7}"),
            "a\\,b\\;c\\\\d\\ne\\nf"
        );
    }

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let line = format!("SUMMARY:{}", "ģ".repeat(100));
        let folded = fold_line(&line);
        for physical in folded.split("\r\n") {
            assert!(physical.len() <= MAX_LINE_OCTETS, "{physical:?}");
        }
        assert_eq!(unfold(&folded), vec![line]);
        assert_eq!(fold_line("SHORT"), "SHORT\r\n");
    }
}
