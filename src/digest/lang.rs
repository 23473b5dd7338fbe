//! The words of a digest that depend on the recipient's language and are computed rather
//! than written in a template: days left to comment, dates and the subject line.
//!
//! Latvian is the default and the language coordinators read. Latvian numerals govern the
//! noun: a number whose last digit is 1, except one ending in 11, takes the singular
//! ("21 diena"), every other number the plural ("11 dienas", "10 dienas"). This module does
//! not choose *which* drafts are shown, only how their facts are worded.

use chrono::NaiveDate;

use crate::config::Language;
use crate::model::CommentWindow;

/// Whether a Latvian numeral takes the singular noun: last digit 1 but not 11
/// ("1 diena", "21 diena", "111 dienas"). Works on the absolute value.
pub fn latvian_takes_singular(n: i64) -> bool {
    let n = n.unsigned_abs();
    n % 10 == 1 && n % 100 != 11
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
}

/// How much time is left, in the recipient's language ("atlikušas 10 dienas").
pub fn days_left_phrase(state: WindowState, language: Language) -> String {
    match (language, state) {
        (Language::Lv, WindowState::NoWindow) => "nav noteikts".to_owned(),
        (Language::Lv, WindowState::NotStarted) => "vēl nav sācies".to_owned(),
        (Language::Lv, WindowState::Closed) => "termiņš beidzies".to_owned(),
        (Language::Lv, WindowState::Open(0)) => "termiņš beidzas šodien".to_owned(),
        (Language::Lv, WindowState::Open(n)) if latvian_takes_singular(n) => {
            format!("atlikusi {n} diena")
        }
        (Language::Lv, WindowState::Open(n)) => format!("atlikušas {n} dienas"),
        (Language::En, WindowState::NoWindow) => "not set".to_owned(),
        (Language::En, WindowState::NotStarted) => "not open yet".to_owned(),
        (Language::En, WindowState::Closed) => "closed".to_owned(),
        (Language::En, WindowState::Open(0)) => "closes today".to_owned(),
        (Language::En, WindowState::Open(1)) => "1 day left".to_owned(),
        (Language::En, WindowState::Open(n)) => format!("{n} days left"),
    }
}

/// The Latvian way of writing a date, also used in the English digest so that dates read
/// the same as on the portal: "25.09.2026.".
pub fn format_date(day: NaiveDate) -> String {
    day.format("%d.%m.%Y.").to_string()
}

/// A comment window as "01.09.2026. – 25.09.2026.".
pub fn format_window(window: &CommentWindow) -> String {
    format!("{} – {}", format_date(window.from), format_date(window.to))
}

/// The subject of a digest with `count` drafts, naming the nearest deadline still open.
pub fn subject(count: usize, nearest_deadline: Option<NaiveDate>, language: Language) -> String {
    let count_i64 = i64::try_from(count).unwrap_or(i64::MAX);
    let (noun, deadline_label) = match language {
        Language::Lv if latvian_takes_singular(count_i64) => {
            ("projekts komentēšanai", "tuvākais termiņš")
        }
        Language::Lv => ("projekti komentēšanai", "tuvākais termiņš"),
        Language::En if count == 1 => ("draft open for comment", "nearest deadline"),
        Language::En => ("drafts open for comment", "nearest deadline"),
    };
    match nearest_deadline {
        Some(day) => format!(
            "draftwatch: {count} {noun} ({deadline_label} {})",
            format_date(day)
        ),
        None => format!("draftwatch: {count} {noun}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_rule_follows_last_digits() {
        for n in [1, 21, 31, 101, 121, -1, -21] {
            assert!(latvian_takes_singular(n), "{n}");
        }
        for n in [0, 2, 5, 10, 11, 12, 111, 211, 20, -11] {
            assert!(!latvian_takes_singular(n), "{n}");
        }
    }

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
