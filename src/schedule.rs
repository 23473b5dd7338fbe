//! Cron schedules as admins write them, evaluated in the configured time zone.
//!
//! Admins write standard 5-field crontab(5) lines (`min hour day-of-month month day-of-week`,
//! 0 and 7 = Sunday, names `MON`–`SUN` and `JAN`–`DEC`, `@daily` and friends). The `cron`
//! crate wants a leading seconds field and numbers weekdays Quartz-style (1 = Sunday), so a
//! line is translated here: the day-of-week field is expanded into an explicit list of day
//! names, which means the same in both numberings.
//!
//! Daylight saving time: the `cron` crate skips a 03:30 job on the spring-forward day and runs
//! it twice on the fall-back day. A digest must do neither, so schedules are evaluated on the
//! *wall clock*: occurrences are computed as naive local times and then placed on the time
//! line. A wall-clock time inside the spring gap runs at the first instant after the gap
//! (04:00 in Riga); a wall-clock time inside the autumn fold runs once, at its first
//! occurrence. When both day-of-month and day-of-week are restricted, a day matching either
//! fires, as in Vixie cron.
//!
//! This module does not sleep or spawn anything; the daemon asks for the next instant.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why a schedule expression was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// Not five fields.
    #[error(
        "a schedule needs 5 fields (minute hour day-of-month month day-of-week), found {found}: `{expr}`"
    )]
    FieldCount {
        /// The expression.
        expr: String,
        /// Number of fields found.
        found: usize,
    },
    /// The day-of-week field is invalid.
    #[error("invalid day-of-week `{field}`: {reason}")]
    DayOfWeek {
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The `cron` crate rejected the translated expression.
    #[error("invalid schedule `{expr}`: {reason}")]
    Invalid {
        /// The expression as written.
        expr: String,
        /// The parser's reason.
        reason: String,
    },
    /// An `@` shorthand we do not support.
    #[error("unsupported shorthand `{0}` (use @yearly, @monthly, @weekly, @daily or @hourly)")]
    Shorthand(String),
}

/// A parsed crontab line.
#[derive(Clone)]
pub struct CronSchedule {
    expr: String,
    /// One schedule, or two when day-of-month and day-of-week are both restricted (their
    /// union is the crontab(5) meaning).
    parts: Vec<cron::Schedule>,
}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronSchedule({:?})", self.expr)
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl FromStr for CronSchedule {
    type Err = ScheduleError;

    fn from_str(expr: &str) -> Result<Self, Self::Err> {
        let trimmed = expr.trim();
        let expanded = match trimmed.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *".to_string(),
            "@monthly" => "0 0 1 * *".to_string(),
            "@weekly" => "0 0 * * 0".to_string(),
            "@daily" | "@midnight" => "0 0 * * *".to_string(),
            "@hourly" => "0 * * * *".to_string(),
            other if other.starts_with('@') => {
                return Err(ScheduleError::Shorthand(trimmed.to_string()));
            }
            _ => trimmed.to_string(),
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, dom, month, dow] = fields.as_slice() else {
            return Err(ScheduleError::FieldCount {
                expr: trimmed.to_string(),
                found: fields.len(),
            });
        };
        let days = parse_day_of_week(dow)?;
        let dow_field = if days.iter().all(|d| *d) {
            "*".to_string()
        } else {
            DAY_NAMES
                .iter()
                .zip(days)
                .filter(|(_, on)| *on)
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(",")
        };
        let dom_restricted = !is_star(dom);
        let dow_restricted = !is_star(dow);
        let compile = |dom: &str, dow: &str| -> Result<cron::Schedule, ScheduleError> {
            let six = format!("0 {minute} {hour} {dom} {month} {dow}");
            cron::Schedule::from_str(&six).map_err(|e| ScheduleError::Invalid {
                expr: trimmed.to_string(),
                reason: describe_cron_error(&e.to_string()),
            })
        };
        let parts = if dom_restricted && dow_restricted {
            vec![compile(dom, "*")?, compile("*", &dow_field)?]
        } else {
            vec![compile(dom, &dow_field)?]
        };
        Ok(CronSchedule {
            expr: trimmed.to_string(),
            parts,
        })
    }
}

impl TryFrom<String> for CronSchedule {
    type Error = ScheduleError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// The cron crate's messages echo the translated six-field line with a caret under the
/// problem; admins wrote five fields, so keep only the words after the caret.
fn describe_cron_error(message: &str) -> String {
    let words = message.rsplit('^').next().unwrap_or(message).trim();
    if let Some(out_of_range) = describe_out_of_range(words) {
        out_of_range
    } else if words.is_empty() {
        "not a valid crontab line (minute 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, day-of-week 0-7 or MON-SUN)".to_string()
    } else {
        words.to_string()
    }
}

/// The `cron` crate words a value above a field's maximum as "Minutes must be less than 59"
/// although 59 itself is allowed; say which value is out of which range instead.
fn describe_out_of_range(words: &str) -> Option<String> {
    const RANGES: [(&str, &str, &str); 4] = [
        ("Minutes", "minute", "0-59"),
        ("Hours", "hour", "0-23"),
        ("Days of Month", "day of month", "1-31"),
        ("Months", "month", "1-12 or JAN-DEC"),
    ];
    let (unit, rest) = words.split_once(" must be ")?;
    let (_, field, range) = RANGES.iter().find(|(name, _, _)| *name == unit)?;
    let value = rest.split('\'').nth(1)?;
    Some(format!(
        "{field} {value} is out of range (allowed: {range})"
    ))
}

fn is_star(field: &str) -> bool {
    field == "*" || field == "?"
}

/// Expand a crontab(5) day-of-week field into a Sunday-first set of seven flags.
fn parse_day_of_week(field: &str) -> Result<[bool; 7], ScheduleError> {
    let err = |reason: &str| ScheduleError::DayOfWeek {
        field: field.to_string(),
        reason: reason.to_string(),
    };
    let mut days = [false; 7];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: usize = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| err("the step after `/` must be a positive number"))?;
                (range, step)
            }
            None => (item, 1),
        };
        let (start, end) = if is_star(range) {
            (0, 6)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                day_number(a).ok_or_else(|| err(&format!("unknown day `{a}`")))?,
                day_number(b).ok_or_else(|| err(&format!("unknown day `{b}`")))?,
            )
        } else {
            let d = day_number(range).ok_or_else(|| err(&format!("unknown day `{range}`")))?;
            // `5/2` means from Friday every second day to the end of the week.
            if item.contains('/') { (d, 7) } else { (d, d) }
        };
        if start > end {
            return Err(err(
                "a range must go from an earlier to a later day (0-7, SUN-SAT)",
            ));
        }
        for day in (start..=end).step_by(step) {
            days[day % 7] = true;
        }
    }
    Ok(days)
}

/// 0–7 (0 and 7 = Sunday) or a three-letter English day name.
fn day_number(token: &str) -> Option<usize> {
    if let Ok(n) = token.parse::<usize>() {
        return (n <= 7).then_some(n);
    }
    let upper = token.to_ascii_uppercase();
    DAY_NAMES.iter().position(|name| *name == upper)
}

impl CronSchedule {
    /// The expression as the admin wrote it.
    pub fn as_str(&self) -> &str {
        &self.expr
    }

    /// The first instant strictly after `after` at which the schedule fires in `tz`.
    ///
    /// Returns `None` only for schedules that never fire again (e.g. 30 February).
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let mut cursor = after.with_timezone(&tz).naive_local();
        // A few iterations at most: each skips a wall-clock time that maps before `after`
        // (the second pass through an autumn fold).
        for _ in 0..8 {
            let wall = self.next_wall_time_after(cursor)?;
            let instant = place_on_time_line(wall, tz)?;
            if instant > after {
                return Some(instant);
            }
            cursor = wall;
        }
        None
    }

    /// How often the schedule fires around `after`: the gap between the two fire times that
    /// follow it. A source whose last success is older than this has missed a run (the
    /// daemon was down, or it was never polled). `None` when it does not fire twice more.
    pub fn period_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<Duration> {
        let first = self.next_after(after, tz)?;
        let second = self.next_after(first, tz)?;
        Some(second - first)
    }

    /// The next naive wall-clock time after `cursor`, over all parts.
    fn next_wall_time_after(&self, cursor: NaiveDateTime) -> Option<NaiveDateTime> {
        // Evaluate in UTC as a stand-in for "naive wall clock": UTC has no DST.
        let cursor_utc = Utc.from_utc_datetime(&cursor);
        self.parts
            .iter()
            .filter_map(|s| s.after(&cursor_utc).next())
            .map(|dt| dt.naive_utc())
            .min()
    }
}

/// Put a wall-clock time on the time line: the earliest instant for a time that occurs twice,
/// the end of the gap for a time that does not occur.
fn place_on_time_line(wall: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&wall) {
        chrono::LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
        chrono::LocalResult::None => {
            // Walk forward minute by minute to the first wall time that exists. Gaps are at
            // most a few hours anywhere on Earth.
            let mut probe = wall;
            for _ in 0..(4 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    let t = t.with_timezone(&Utc);
                    // Round down to the start of the gap's end minute.
                    return Some(t);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Riga;

    fn riga(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test timestamp")
            .with_timezone(&Utc)
    }

    fn run(expr: &str, from: &str, n: usize) -> Vec<String> {
        let schedule: CronSchedule = expr.parse().expect("valid test schedule");
        let mut at = riga(from);
        let mut out = Vec::new();
        for _ in 0..n {
            at = schedule.next_after(at, Riga).expect("fires again");
            out.push(at.with_timezone(&Riga).to_rfc3339());
        }
        out
    }

    #[test]
    fn five_field_daily() {
        assert_eq!(
            run("0 9 * * *", "2026-09-15T08:00:00+03:00", 2),
            ["2026-09-15T09:00:00+03:00", "2026-09-16T09:00:00+03:00"]
        );
    }

    #[test]
    fn weekday_digits_follow_crontab_not_quartz() {
        // 2027-03-01 is a Monday. Crontab 1 = Monday; the cron crate alone would say Sunday.
        assert_eq!(
            run("0 9 * * 1", "2027-03-01T10:00:00+02:00", 1),
            ["2027-03-08T09:00:00+02:00"]
        );
        assert_eq!(
            run("0 9 * * 0", "2027-03-01T10:00:00+02:00", 1),
            ["2027-03-07T09:00:00+02:00"]
        );
        assert_eq!(
            run("0 9 * * 7", "2027-03-01T10:00:00+02:00", 1),
            ["2027-03-07T09:00:00+02:00"]
        );
        assert_eq!(
            run("0 9 * * 1-5", "2027-03-05T10:00:00+02:00", 2),
            ["2027-03-08T09:00:00+02:00", "2027-03-09T09:00:00+02:00"]
        );
        assert_eq!(
            run("0 9 * * MON-FRI", "2027-03-05T10:00:00+02:00", 1),
            ["2027-03-08T09:00:00+02:00"]
        );
        assert_eq!(
            run("0 9 * * 5-7", "2027-03-01T10:00:00+02:00", 3),
            [
                "2027-03-05T09:00:00+02:00",
                "2027-03-06T09:00:00+02:00",
                "2027-03-07T09:00:00+02:00"
            ]
        );
    }

    #[test]
    fn month_names_and_shorthands() {
        assert_eq!(
            run("0 8 1 JAN *", "2026-12-31T12:00:00+02:00", 1),
            ["2027-01-01T08:00:00+02:00"]
        );
        assert_eq!(
            run("@daily", "2026-12-31T12:00:00+02:00", 1),
            ["2027-01-01T00:00:00+02:00"]
        );
    }

    #[test]
    fn day_of_month_or_day_of_week() {
        // The 1st of the month or any Monday, as in Vixie cron. 2027-03-01 is a Monday.
        assert_eq!(
            run("0 9 1 * MON", "2027-03-01T10:00:00+02:00", 3),
            [
                "2027-03-08T09:00:00+02:00",
                "2027-03-15T09:00:00+02:00",
                "2027-03-22T09:00:00+02:00"
            ]
        );
        assert_eq!(
            run("0 9 1 * MON", "2027-03-29T10:00:00+03:00", 1),
            ["2027-04-01T09:00:00+03:00"]
        );
    }

    #[test]
    fn spring_forward_neither_skips_nor_repeats() {
        // 2027-03-28: Riga clocks jump from 03:00 to 04:00.
        assert_eq!(
            run("30 3 * * *", "2027-03-27T12:00:00+02:00", 3),
            [
                "2027-03-28T04:00:00+03:00",
                "2027-03-29T03:30:00+03:00",
                "2027-03-30T03:30:00+03:00"
            ]
        );
        // Several wall times inside the gap collapse into one run.
        assert_eq!(
            run("*/20 3 * * *", "2027-03-28T02:50:00+02:00", 2),
            ["2027-03-28T04:00:00+03:00", "2027-03-29T03:00:00+03:00"]
        );
    }

    #[test]
    fn fall_back_runs_once() {
        // 2027-10-31: Riga clocks fall from 04:00 back to 03:00; 03:30 happens twice.
        assert_eq!(
            run("30 3 * * *", "2027-10-30T12:00:00+03:00", 3),
            [
                "2027-10-31T03:30:00+03:00",
                "2027-11-01T03:30:00+02:00",
                "2027-11-02T03:30:00+02:00"
            ]
        );
        // Starting inside the second pass of the fold does not fire the 03:30 job again.
        assert_eq!(
            run("30 3 * * *", "2027-10-31T03:10:00+02:00", 1),
            ["2027-11-01T03:30:00+02:00"]
        );
        // Daily 09:00 digests are untouched by either change.
        assert_eq!(
            run("0 9 * * *", "2027-10-30T10:00:00+03:00", 2),
            ["2027-10-31T09:00:00+02:00", "2027-11-01T09:00:00+02:00"]
        );
    }

    #[test]
    fn period_is_the_gap_between_the_next_two_runs() {
        let period = |expr: &str, from: &str| {
            expr.parse::<CronSchedule>()
                .expect("valid test schedule")
                .period_after(riga(from), Riga)
                .map(|gap| gap.num_minutes())
        };
        assert_eq!(period("0 * * * *", "2026-09-15T08:10:00+03:00"), Some(60));
        assert_eq!(
            period("15 */6 * * *", "2026-09-15T08:10:00+03:00"),
            Some(360)
        );
        assert_eq!(
            period("0 9 * * MON", "2027-03-01T10:00:00+02:00"),
            Some(7 * 24 * 60)
        );
        assert_eq!(period("0 9 30 2 *", "2027-03-01T10:00:00+02:00"), None);
    }

    #[test]
    fn year_boundary() {
        assert_eq!(
            run("0 9 * * *", "2026-12-31T09:00:00+02:00", 1),
            ["2027-01-01T09:00:00+02:00"]
        );
    }

    #[test]
    fn rejects_bad_expressions() {
        for bad in [
            "0 9 * *",
            "0 9 * * * *",
            "61 9 * * *",
            "0 9 * * 8",
            "0 9 * * FUNDAY",
            "@reboot",
            "0 9 * * 5-1",
        ] {
            assert!(
                bad.parse::<CronSchedule>().is_err(),
                "{bad} should be rejected"
            );
        }
    }
}
