//! The one source of "now", so that `--now` makes every command deterministic.
//!
//! A fixed clock starts at the given instant and then advances with real time, so that a
//! daemon started with `--now` still reaches its next scheduled run; one-shot commands finish
//! within moments of the given instant.

use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// Where the current time comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The system clock.
    System,
    /// A given instant plus the real time elapsed since the program started.
    Fixed {
        /// The instant given with `--now`.
        start: DateTime<Utc>,
        /// When the program took it.
        taken: Instant,
    },
}

impl Clock {
    /// A clock that starts at `start`.
    pub fn fixed(start: DateTime<Utc>) -> Self {
        Clock::Fixed {
            start,
            taken: Instant::now(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed { start, taken } => {
                let elapsed = chrono::Duration::from_std(taken.elapsed()).unwrap_or_default();
                *start + elapsed
            }
        }
    }

    /// The current instant truncated to the minute: the "scheduled time" of a digest run, so
    /// that a run and its retry within the same minute share one outbox record.
    pub fn this_minute(&self) -> DateTime<Utc> {
        let now = self.now();
        let seconds = now.timestamp() - now.timestamp().rem_euclid(60);
        DateTime::from_timestamp(seconds, 0).unwrap_or(now)
    }

    /// Today's date in `tz`.
    pub fn today(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }
}
