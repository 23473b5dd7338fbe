//! `draftwatch status [--json]`: how each source, the outbox, the watchlists and each
//! recipient's digests are doing, read from the store and the files, for an admin or a
//! monitoring check. Exit 0 when healthy, 1 when something needs attention; the rules are in
//! [`attention_of_source`] and [`StatusReport::gather`] and in the README ("Status").
//!
//! It only reads: a store that does not exist yet is not created (a monitoring check run as
//! another user must not leave a database file the daemon cannot write).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Cli, open_store};
use crate::clock::Clock;
use crate::config::{Config, SourceConfig};
use crate::matcher::{WatchlistSet, watchlist_files};
use crate::sources::SourceError;
use crate::store::{OutboxStatus, OutboxSummary, PollCounts, PollOutcome, Store, StoreError};

/// Consecutive failed polls from which a source needs attention whatever its schedule.
const FAILURES_IN_A_ROW_LIMIT: u32 = 3;

/// A digest still pending after this long needs attention: the mail server has been
/// refusing or unreachable through several retries.
const PENDING_DIGEST_LIMIT: TimeDelta = TimeDelta::hours(1);

/// Everything `status` reports; printed as lines or, with `--json`, as this one object.
#[derive(Debug, Serialize)]
struct StatusReport {
    /// False when `attention` holds anything (exit code 1).
    healthy: bool,
    /// The instant the report describes.
    checked_at: DateTime<Utc>,
    /// What needs the admin, one sentence each.
    attention: Vec<String>,
    sources: Vec<SourceStatus>,
    outbox: OutboxSummary,
    watchlists: WatchlistStatus,
    recipients: Vec<RecipientStatus>,
}

#[derive(Debug, Default, Serialize)]
struct SourceStatus {
    name: String,
    enabled: bool,
    last_poll: Option<LastPoll>,
    last_success: Option<DateTime<Utc>>,
    /// Failed polls since the last success (polls cut short by a shutdown not counted).
    consecutive_failures: u32,
    /// When the first of those failures started.
    failing_since: Option<DateTime<Utc>>,
    last_error: Option<LastError>,
    /// When the current run of "list page without rows" failures began, if one is going on.
    zero_rows_since: Option<DateTime<Utc>>,
    /// When the schedule polls next (none for a disabled source).
    next_poll: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
struct LastPoll {
    finished: DateTime<Utc>,
    outcome: PollOutcome,
    counts: PollCounts,
    warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct LastError {
    at: DateTime<Utc>,
    kind: Option<String>,
    message: String,
}

#[derive(Debug, Serialize)]
struct WatchlistStatus {
    loaded: bool,
    /// A hash of the watchlist files' names and contents: equal versions, equal watchlists.
    version: Option<String>,
    names: Vec<String>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct RecipientStatus {
    name: String,
    last_digest: Option<DigestRef>,
    last_sent_at: Option<DateTime<Utc>>,
    /// Refused digests not followed by one that went through.
    unresolved_failed: u32,
}

#[derive(Debug, Serialize)]
struct DigestRef {
    id: i64,
    status: OutboxStatus,
    scheduled_for: DateTime<Utc>,
}

/// `draftwatch status`: print the report; exit 0 when healthy, 1 otherwise.
pub(super) fn status(cli: &Cli, clock: &Clock, json: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    let store = if config.store.path.exists() {
        Some(open_store(&config)?)
    } else {
        None
    };
    let report = StatusReport::gather(&config, store.as_ref(), clock.now())?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.to_text(config.timezone));
    }
    Ok(if report.healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

impl StatusReport {
    /// Read everything and judge it at `now`. Beyond the sources' rules
    /// ([`attention_of_source`]) these need attention: a watchlist folder that does not
    /// load, a refused digest not followed by one that went through, a digest pending for
    /// more than an hour.
    fn gather(config: &Config, store: Option<&Store>, now: DateTime<Utc>) -> anyhow::Result<Self> {
        let mut attention = Vec::new();
        let mut sources = Vec::new();
        for source in &config.sources {
            let status = source_status(config, source, store, now)?;
            if source.enabled {
                attention.extend(attention_of_source(config, source, &status, now));
            }
            sources.push(status);
        }
        let outbox = store
            .map(Store::outbox_summary)
            .transpose()?
            .unwrap_or_default();
        if let Some(oldest) = outbox.oldest_pending
            && now - oldest > PENDING_DIGEST_LIMIT
        {
            attention.push(format!(
                "outbox: a digest built at {} is still pending (the mail server refuses it \
                 for now or cannot be reached; `draftwatch outbox --status pending` shows the \
                 error)",
                local(oldest, config.timezone)
            ));
        }
        let watchlists = watchlist_status(config);
        if let Some(error) = &watchlists.error {
            attention.push(format!("watchlists: do not load: {error}"));
        }
        let recipients = recipient_statuses(config, store)?;
        for recipient in recipients.iter().filter(|r| r.unresolved_failed > 0) {
            attention.push(format!(
                "recipient {}: {} digest(s) refused for good and none sent since (`draftwatch \
                 outbox --status failed` shows why; `draftwatch outbox --resend ID` sends one \
                 again)",
                recipient.name, recipient.unresolved_failed
            ));
        }
        Ok(StatusReport {
            healthy: attention.is_empty(),
            checked_at: now,
            attention,
            sources,
            outbox,
            watchlists,
            recipients,
        })
    }

    /// Short aligned lines for the admin, times in the configured time zone.
    fn to_text(&self, tz: Tz) -> String {
        let mut out = String::new();
        let verdict = if self.healthy {
            "healthy"
        } else {
            "NEEDS ATTENTION"
        };
        let _ = writeln!(
            out,
            "draftwatch status at {}: {verdict}",
            local(self.checked_at, tz)
        );
        for source in &self.sources {
            let _ = writeln!(out, "source {}", source.name);
            if !source.enabled {
                line(&mut out, "enabled", "no (not polled)");
                continue;
            }
            let last_poll = source
                .last_poll
                .as_ref()
                .map_or("never".to_owned(), |poll| {
                    format!(
                        "{}, {}: {} seen, {} new, {} changed",
                        local(poll.finished, tz),
                        poll.outcome.as_str(),
                        poll.counts.seen,
                        poll.counts.new,
                        poll.counts.changed
                    )
                });
            line(&mut out, "last poll", &last_poll);
            line(
                &mut out,
                "last success",
                &local_or(source.last_success, tz, "never"),
            );
            let failures = match source.failing_since {
                Some(since) => format!(
                    "{} (since {})",
                    source.consecutive_failures,
                    local(since, tz)
                ),
                None => "0".to_owned(),
            };
            line(&mut out, "failures in a row", &failures);
            let last_error = source.last_error.as_ref().map_or("none".to_owned(), |e| {
                format!(
                    "{} [{}] {}",
                    local(e.at, tz),
                    e.kind.as_deref().unwrap_or("unknown"),
                    e.message
                )
            });
            line(&mut out, "last error", &last_error);
            let zero_rows = source
                .zero_rows_since
                .map_or("none".to_owned(), |at| format!("since {}", local(at, tz)));
            line(&mut out, "zero-row incident", &zero_rows);
            let warnings = source
                .last_poll
                .as_ref()
                .filter(|poll| !poll.warnings.is_empty())
                .map_or("none".to_owned(), |poll| poll.warnings.join("; "));
            line(&mut out, "warnings", &warnings);
            line(
                &mut out,
                "next poll",
                &local_or(source.next_poll, tz, "none"),
            );
        }
        let _ = writeln!(out, "outbox");
        let pending = format!(
            "{} (oldest built {})",
            self.outbox.pending,
            local_or(self.outbox.oldest_pending, tz, "-")
        );
        line(&mut out, "pending", &pending);
        line(&mut out, "failed", &self.outbox.failed.to_string());
        line(&mut out, "sent", &self.outbox.sent.to_string());
        let _ = writeln!(out, "watchlists");
        match (&self.watchlists.version, &self.watchlists.error) {
            (_, Some(error)) => {
                line(&mut out, "loaded", "no");
                for error_line in error.lines() {
                    line(&mut out, "error", error_line);
                }
            }
            (version, None) => {
                line(&mut out, "loaded", &self.watchlists.names.join(", "));
                line(&mut out, "version", version.as_deref().unwrap_or("-"));
            }
        }
        for recipient in &self.recipients {
            let _ = writeln!(out, "recipient {}", recipient.name);
            let last = recipient
                .last_digest
                .as_ref()
                .map_or("none".to_owned(), |d| {
                    format!(
                        "#{} {}, scheduled {}",
                        d.id,
                        d.status,
                        local(d.scheduled_for, tz)
                    )
                });
            line(&mut out, "last digest", &last);
            line(
                &mut out,
                "last sent",
                &local_or(recipient.last_sent_at, tz, "never"),
            );
        }
        if !self.attention.is_empty() {
            let _ = writeln!(out, "needs attention");
            for item in &self.attention {
                let _ = writeln!(out, "  - {item}");
            }
        }
        out
    }
}

/// One indented `label  value` line.
fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "  {label:<18} {value}");
}

/// An instant as the admin reads it: local date, time and zone abbreviation.
fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

fn local_or(at: Option<DateTime<Utc>>, tz: Tz, otherwise: &str) -> String {
    at.map_or_else(|| otherwise.to_owned(), |at| local(at, tz))
}

/// What the store says about `source` at `now`.
fn source_status(
    config: &Config,
    source: &SourceConfig,
    store: Option<&Store>,
    now: DateTime<Utc>,
) -> Result<SourceStatus, StoreError> {
    let mut status = SourceStatus {
        name: source.name.clone(),
        enabled: source.enabled,
        next_poll: source
            .enabled
            .then(|| source.schedule.next_after(now, config.timezone))
            .flatten(),
        ..SourceStatus::default()
    };
    let Some(store) = store else {
        return Ok(status);
    };
    let name = source.name.as_str();
    status.last_poll = store
        .recent_polls(Some(name), 1)?
        .into_iter()
        .next()
        .map(|poll| LastPoll {
            finished: poll.finished,
            outcome: poll.outcome,
            counts: poll.counts,
            warnings: poll.warnings,
        });
    status.last_success = store.last_successful_poll(name)?;
    let run = store.failure_run(name)?;
    status.consecutive_failures = run.count;
    status.failing_since = run.since;
    status.last_error = store.last_failed_poll(name)?.map(|poll| LastError {
        at: poll.finished,
        kind: poll.error_kind,
        message: poll.error.unwrap_or_default(),
    });
    let zero_rows = SourceError::ZeroRows { url: String::new() }.kind();
    status.zero_rows_since = store
        .first_failure_since_success(name, Some(zero_rows))?
        .map(|poll| poll.started);
    Ok(status)
}

/// When a poll scheduled after `after` should have finished: its scheduled time plus the
/// longest a poll runs (`poll_deadline`, then at most one more request of `[http] timeout`).
fn poll_due_by(
    config: &Config,
    source: &SourceConfig,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let grace = TimeDelta::from_std(source.poll_deadline + config.http.timeout).ok()?;
    source
        .schedule
        .next_after(after, config.timezone)
        .map(|at| at + grace)
}

/// Why an enabled source needs attention at `now`, if it does: it was never polled; it has
/// failed [`FAILURES_IN_A_ROW_LIMIT`] times in a row; it has failed for longer than its
/// schedule period (the poll scheduled after its first failure is due and the source has
/// not succeeded since); or a scheduled poll did not happen (the daemon is not running).
fn attention_of_source(
    config: &Config,
    source: &SourceConfig,
    status: &SourceStatus,
    now: DateTime<Utc>,
) -> Vec<String> {
    let name = &source.name;
    let tz = config.timezone;
    let Some(last_poll) = &status.last_poll else {
        return vec![format!("source {name}: never polled")];
    };
    let mut found = Vec::new();
    if status.consecutive_failures >= FAILURES_IN_A_ROW_LIMIT {
        found.push(format!(
            "source {name}: {} polls failed in a row",
            status.consecutive_failures
        ));
    }
    if let Some(since) = status.failing_since
        && poll_due_by(config, source, since).is_some_and(|due| now > due)
    {
        found.push(format!(
            "source {name}: failing since {} and the poll scheduled after that did not succeed",
            local(since, tz)
        ));
    }
    if let Some(due) = poll_due_by(config, source, last_poll.finished)
        && now > due
    {
        found.push(format!(
            "source {name}: no poll since {}; the one due by {} did not happen (is the daemon \
             running?)",
            local(last_poll.finished, tz),
            local(due, tz)
        ));
    }
    found
}

/// Load the watchlists as `check` does (the folder, then the recipients' references to it).
fn watchlist_status(config: &Config) -> WatchlistStatus {
    let loaded = WatchlistSet::load_dir(&config.watchlists_dir)
        .map_err(|errors| errors.to_string())
        .and_then(|set| {
            let names: Vec<String> = set.names().into_iter().map(str::to_owned).collect();
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            config
                .check_watchlist_references(&known)
                .map_err(|error| error.to_string())?;
            Ok(names)
        });
    match loaded {
        Ok(names) => WatchlistStatus {
            loaded: true,
            version: watchlist_version(&config.watchlists_dir).ok(),
            names,
            error: None,
        },
        Err(error) => WatchlistStatus {
            loaded: false,
            version: None,
            names: Vec::new(),
            error: Some(error),
        },
    }
}

/// A version of the watchlist folder: a 64-bit FNV-1a hash, as 16 hex digits, over the
/// names and contents of its `*.toml` files in name order (the files the loader reads).
/// Two daemons, or a daemon before and after a reload, with equal versions match alike.
fn watchlist_version(dir: &Path) -> std::io::Result<String> {
    let paths = watchlist_files(dir)?;
    let mut hash = Fnv1a::default();
    for path in &paths {
        let contents = std::fs::read(path)?;
        let name = path
            .file_name()
            .map(|n| n.as_encoded_bytes())
            .unwrap_or_default();
        hash.write(name);
        hash.write(&[0]);
        hash.write(&(contents.len() as u64).to_le_bytes());
        hash.write(&contents);
    }
    Ok(format!("{:016x}", hash.0))
}

/// 64-bit FNV-1a: tiny, and stable across Rust versions and machines (the standard
/// library's hasher promises neither), so a version printed today compares with tomorrow's.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Each configured recipient with its newest digest (none yet when the store is empty).
fn recipient_statuses(
    config: &Config,
    store: Option<&Store>,
) -> Result<Vec<RecipientStatus>, StoreError> {
    let known = store
        .map(Store::recipient_digests)
        .transpose()?
        .unwrap_or_default();
    Ok(config
        .recipients
        .iter()
        .map(|recipient| {
            let digests = known.iter().find(|d| d.recipient == recipient.name);
            RecipientStatus {
                name: recipient.name.clone(),
                last_digest: digests.map(|d| DigestRef {
                    id: d.latest_id,
                    status: d.latest_status,
                    scheduled_for: d.latest_scheduled_for,
                }),
                last_sent_at: digests.and_then(|d| d.last_sent_at),
                unresolved_failed: digests.map_or(0, |d| d.unresolved_failed),
            }
        })
        .collect())
}
