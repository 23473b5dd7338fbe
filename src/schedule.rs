//! Cron schedules (stub).

/// A schedule.
#[derive(Debug, Clone)]
pub struct CronSchedule {}
