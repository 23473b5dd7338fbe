//! `draftwatch run`: the long-running daemon.
//!
//! Wires the stages together and keeps them on their schedules: one task per enabled source
//! (poll on its cron schedule), one digest task per distinct digest schedule (each
//! recipient may have its own), an every-minute task retrying refused digests and, with
//! admin addresses, an every-minute alert check. Two tasks that find the same pending digest
//! due leave it to whichever claims it in the store first. SIGTERM and SIGINT cancel a
//! shared token;
//! a poll in progress stops between two requests and records what it has in one transaction,
//! so no poll is ever half-written. SIGHUP (and any edit in the watchlists folder) reloads
//! the watchlists; an invalid edit is logged and the last good version stays in force.
//! Readiness and shutdown are reported to systemd when it asks for them.
//!
//! A source that was never polled, or whose last success is older than its schedule's period
//! (the daemon was down through a run), is polled at once on start, then on schedule, so a
//! fresh install shows something within seconds. Under a systemd watchdog (`WATCHDOG_USEC`)
//! `WATCHDOG=1` is sent at half the interval, but only while every scheduler loop still runs
//! and the store answers, so a wedged daemon is restarted; `STATUS=` carries the last poll.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::alerts::{check_watchlists, send_due_alerts};
use crate::clock::Clock;
use crate::config::Config;
use crate::digest::{DigestContext, deliver_due_digests, send_digests_to, write_calendar_files};
use crate::mailer::{Mailer, build_mailer};
use crate::matcher::WatchlistSet;
use crate::matcher::reload::{DEFAULT_DEBOUNCE, ReloadTrigger, Reloader};
use crate::pipeline::{PollSummary, TextPhase, poll_and_evaluate, reevaluate_stale};
use crate::schedule::CronSchedule;
use crate::sources::{Fetcher, Source, build_source};
use crate::store::SharedStore;

/// How long running jobs get to finish after a stop signal (below systemd's default
/// TimeoutStopSec of 90 s).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(60);

/// The longest single sleep while waiting for a scheduled time, so that a system clock that
/// jumps (suspend, NTP step) is noticed within a minute.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Everything the scheduled jobs share.
struct Shared {
    config: Config,
    clock: Clock,
    store: SharedStore,
    fetcher: Fetcher,
    mailer: Box<dyn Mailer>,
    watchlists: watch::Receiver<Arc<WatchlistSet>>,
    cancel: CancellationToken,
    /// The local day the calendar files were last written for (`None` before the first
    /// time): a poll that changed nothing rewrites them only on a new day.
    calendars_written_on: std::sync::Mutex<Option<chrono::NaiveDate>>,
}

/// Drafts per batch of the background re-evaluation after a watchlist change: small enough
/// that the store is never held long, large enough that the batches' queries do not
/// dominate (about 10 ms of matching per batch on the reference machine).
const REEVALUATION_BATCH: usize = 500;

/// Run the daemon until SIGTERM or SIGINT.
pub async fn run(config: Config, watchlists: WatchlistSet, clock: Clock) -> anyhow::Result<()> {
    let store = SharedStore::open(&config.store.path)
        .with_context(|| format!("opening the store {}", config.store.path.display()))?;
    let fetcher = Fetcher::new(&config.http).context("building the HTTP client")?;
    let mailer = build_mailer(&config.mail).context("setting up mail delivery")?;
    let cancel = CancellationToken::new();
    let reloader = Arc::new(Reloader::new(config.watchlists_dir.clone(), watchlists));
    let watchlists_rx = reloader.subscribe();
    let (reload_trigger, _reload_task) = Arc::clone(&reloader)
        .spawn(DEFAULT_DEBOUNCE, cancel.clone())
        .context("watching the watchlists folder")?;
    let tracker = TaskTracker::new();
    let shared = Arc::new(Shared {
        config,
        clock,
        store,
        fetcher,
        mailer,
        watchlists: watchlists_rx,
        cancel: cancel.clone(),
        calendars_written_on: std::sync::Mutex::new(None),
    });
    tracker.spawn(keep_verdicts_current(Arc::clone(&shared)));

    let mut loops = Vec::new();
    for source_config in shared.config.sources.iter().filter(|s| s.enabled) {
        let source: Arc<dyn Source> = Arc::from(build_source(source_config, clock));
        let name = format!("poll {}", source.name());
        let at_once = poll_at_start(&shared, source.name(), &source_config.schedule);
        loops.push(spawn_scheduled(
            &tracker,
            &shared,
            name,
            &source_config.schedule,
            at_once,
            move |shared| {
                let source = Arc::clone(&source);
                async move { poll_job(&shared, source.as_ref()).await }
            },
        ));
    }
    // One digest job per distinct schedule, for the recipients on it.
    for (schedule, names) in shared.config.digest_schedules() {
        let names = Arc::new(names);
        loops.push(spawn_scheduled(
            &tracker,
            &shared,
            format!("digest {schedule}"),
            &schedule,
            false,
            move |shared| {
                let names = Arc::clone(&names);
                async move { digest_job(&shared, &names).await }
            },
        ));
    }
    // Digests the mail server could not take are retried when their back-off expires,
    // not only at the next digest run.
    if let Some(every_minute) = every_minute("digest retries") {
        loops.push(spawn_scheduled(
            &tracker,
            &shared,
            "digest retry".to_owned(),
            &every_minute,
            false,
            |shared| async move { retry_job(&shared).await },
        ));
    }
    // Admin alerts: checked every minute; the watchlist folder is re-validated here
    // because the reloader only logs a failed reload.
    if !shared.config.admin.addresses.is_empty()
        && let Some(every_minute) = every_minute("admin alerts")
    {
        loops.push(spawn_scheduled(
            &tracker,
            &shared,
            "admin alerts".to_owned(),
            &every_minute,
            false,
            |shared| async move { alert_job(&shared).await },
        ));
    }
    // Retention: old poll rows and old sent messages go once a day, at a quiet hour
    // (`[retention]`; drafts, their histories and the outbox rows are kept).
    if let Some(nightly) = fixed_schedule(PRUNE_SCHEDULE, "the nightly pruning") {
        loops.push(spawn_scheduled(
            &tracker,
            &shared,
            "prune".to_owned(),
            &nightly,
            false,
            |shared| async move { prune_job(&shared) },
        ));
    }
    tracker.close();

    refresh_calendars(&shared);
    notify_systemd(&[sd_notify::NotifyState::Ready]);
    if let Some(interval) = sd_notify::watchdog_enabled() {
        // Half the interval, as sd_watchdog_enabled(3) recommends: one late ping is no restart.
        tokio::spawn(feed_watchdog(Arc::clone(&shared), loops, interval / 2));
    }
    tracing::info!(
        sources = shared.config.sources.iter().filter(|s| s.enabled).count(),
        recipients = shared.config.recipients.len(),
        "draftwatch is running."
    );

    wait_for_signals(&cancel, &reload_trigger).await?;

    notify_systemd(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("Stopping: waiting for running jobs to finish.");
    if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            "Jobs did not finish within {:?}; exiting anyway.",
            SHUTDOWN_GRACE
        );
    }
    tracing::info!("Stopped.");
    Ok(())
}

/// Run `job` at every instant of `schedule` (and first at once when `at_once`) in a task of
/// `tracker`, until shutdown. The handle tells the watchdog whether the loop still runs.
fn spawn_scheduled<F, Fut>(
    tracker: &TaskTracker,
    shared: &Arc<Shared>,
    name: String,
    schedule: &CronSchedule,
    at_once: bool,
    job: F,
) -> JoinHandle<()>
where
    F: Fn(Arc<Shared>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let shared = Arc::clone(shared);
    let for_job = Arc::clone(&shared);
    let schedule = schedule.clone();
    tracker.spawn(async move {
        let tz = shared.config.timezone;
        let each_run = move || job(Arc::clone(&for_job));
        run_on_schedule(
            &name,
            &schedule,
            tz,
            &shared.clock,
            &shared.cancel,
            at_once,
            each_run,
        )
        .await;
    })
}

/// Whether `source` is polled at once on start: it never succeeded, or its last success is
/// older than its schedule's period, so waiting for the next run would leave a fresh install
/// (or one that was down through a run) without news for up to a whole period.
fn poll_at_start(shared: &Shared, source: &str, schedule: &CronSchedule) -> bool {
    let last_success = match shared
        .store
        .lock()
        .and_then(|store| store.last_successful_poll(source))
    {
        Ok(last) => last,
        Err(e) => {
            tracing::warn!(source, error = %e, "The last poll could not be read; polling at once.");
            None
        }
    };
    let now = shared.clock.now();
    let overdue = is_overdue(last_success, schedule, now, shared.config.timezone);
    if overdue {
        tracing::info!(source, last_success = ?last_success, "Polling at once: never polled, or the last success is older than the schedule period.");
    }
    overdue
}

/// Never succeeded, or succeeded longer ago than the gap between two runs of `schedule`.
fn is_overdue(
    last_success: Option<DateTime<Utc>>,
    schedule: &CronSchedule,
    now: DateTime<Utc>,
    tz: Tz,
) -> bool {
    let Some(last) = last_success else {
        return true;
    };
    schedule
        .period_after(now, tz)
        .is_some_and(|period| now - last > period)
}

/// Send `WATCHDOG=1` every `every` while the daemon is healthy ([`health_problem`]); stop
/// at shutdown. Systemd restarts the service when the pings stop.
async fn feed_watchdog(shared: Arc<Shared>, loops: Vec<JoinHandle<()>>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shared.cancel.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match health_problem(&shared, &loops, every).await {
            None => notify_systemd(&[sd_notify::NotifyState::Watchdog]),
            Some(problem) => {
                tracing::error!(%problem, "Watchdog not notified; systemd will restart draftwatch.")
            }
        }
    }
}

/// What keeps the daemon from doing its work, if anything: a scheduler loop that ended (its
/// task panicked), or a store that does not answer `SELECT 1` within `patience`.
async fn health_problem(
    shared: &Arc<Shared>,
    loops: &[JoinHandle<()>],
    patience: Duration,
) -> Option<String> {
    let stopped = loops.iter().filter(|handle| handle.is_finished()).count();
    if stopped > 0 {
        return Some(format!("{stopped} scheduler loops stopped"));
    }
    let for_ping = Arc::clone(shared);
    let ping = tokio::task::spawn_blocking(move || for_ping.store.lock()?.ping());
    match tokio::time::timeout(patience, ping).await {
        Ok(Ok(Ok(()))) => None,
        Ok(Ok(Err(e))) => Some(format!("the store does not answer: {e}")),
        Ok(Err(e)) => Some(format!("the store check failed: {e}")),
        Err(_) => Some(format!("the store did not answer within {patience:?}")),
    }
}

/// One scheduled poll of `source` (with the verdicts of what it changed), then the calendar
/// files when windows may have changed: something new or changed, or a new day.
async fn poll_job(shared: &Shared, source: &dyn Source) {
    let watchlists = Arc::clone(&shared.watchlists.borrow());
    let polled = poll_and_evaluate(
        source,
        &shared.fetcher,
        &shared.store,
        &shared.clock,
        &shared.cancel,
        &TextPhase::for_source(&shared.config, source.name()),
        &watchlists,
    )
    .await;
    let changed = polled.as_ref().map_or(true, |summary| {
        summary.counts.new + summary.counts.changed > 0
    });
    let status = match &polled {
        Ok(summary) => poll_status(summary, shared.clock.now(), shared.config.timezone),
        Err(e) => {
            tracing::error!(source = source.name(), error = %e, "Could not record the poll in the store.");
            format!("Last poll {} failed: {e}", source.name())
        }
    };
    notify_systemd(&[sd_notify::NotifyState::Status(&status)]);
    let today = shared.clock.today(shared.config.timezone);
    let written_on = *shared
        .calendars_written_on
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if changed || written_on != Some(today) {
        refresh_calendars(shared);
    }
}

/// Keep the stored verdicts current for the watchlists in force: on start (verdicts of
/// another set, or drafts stored by `draftwatch poll`) and after every reload, recompute
/// the stale ones in the background, in batches, stopping at shutdown or when the
/// watchlists change again (then starting over with the new set). Digests meanwhile
/// evaluate stale candidates themselves, so they are never wrong, only slower.
async fn keep_verdicts_current(shared: Arc<Shared>) {
    let mut watchlists = shared.watchlists.clone();
    loop {
        let set = Arc::clone(&watchlists.borrow_and_update());
        let for_batch = Arc::clone(&shared);
        let changed = watchlists.clone();
        let ran = tokio::task::spawn_blocking(move || {
            let keep_going =
                || !for_batch.cancel.is_cancelled() && !changed.has_changed().unwrap_or(true);
            reevaluate_stale(&for_batch.store, &set, REEVALUATION_BATCH, &keep_going)
        })
        .await;
        match ran {
            Ok(Ok(done)) if done.evaluated > 0 => tracing::info!(
                drafts = done.evaluated,
                batches = done.batches,
                interrupted = done.interrupted,
                "Watchlist verdicts recomputed."
            ),
            Ok(Ok(_)) => tracing::debug!("Watchlist verdicts are current."),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "Recomputing watchlist verdicts failed; digests evaluate stale drafts themselves.")
            }
            Err(e) => tracing::error!(error = %e, "The verdict recomputation task failed."),
        }
        tokio::select! {
            _ = shared.cancel.cancelled() => return,
            changed = watchlists.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// The `STATUS=` line `systemctl status` shows after a poll.
fn poll_status(summary: &PollSummary, now: DateTime<Utc>, tz: Tz) -> String {
    match &summary.error {
        Some(error) => format!("Last poll {} failed: {error}", summary.source),
        None => format!(
            "Last poll {}: {} new, {} changed at {}",
            summary.source,
            summary.counts.new,
            summary.counts.changed,
            now.with_timezone(&tz).format("%H:%M")
        ),
    }
}

/// Send the pending digests whose back-off has expired.
async fn retry_job(shared: &Shared) {
    let watchlists = Arc::clone(&shared.watchlists.borrow());
    let ctx = digest_context(shared, &watchlists, shared.clock.now());
    match deliver_due_digests(&ctx).await {
        Ok(reports) => {
            for (message_id, report) in reports {
                tracing::info!(message_id, recipient = %report.recipient, outcome = ?report.outcome, "Digest retried.");
            }
        }
        Err(e) => tracing::error!(error = %e, "Digest retry failed."),
    }
}

/// A real (not dry) digest context over the daemon's shared state, for all recipients.
fn digest_context<'a>(
    shared: &'a Shared,
    watchlists: &'a WatchlistSet,
    now: chrono::DateTime<chrono::Utc>,
) -> DigestContext<'a> {
    DigestContext {
        config: &shared.config,
        store: &shared.store,
        watchlists,
        mailer: shared.mailer.as_ref(),
        now,
        dry_run: false,
        only_recipient: None,
    }
}

/// When the store is pruned: 03:17 every day, local time, away from polls and digests.
const PRUNE_SCHEDULE: &str = "17 3 * * *";

/// Delete what `[retention]` says is old enough (see [`crate::store::Store::prune`]).
fn prune_job(shared: &Shared) {
    let now = shared.clock.now();
    let pruned = shared
        .store
        .lock()
        .and_then(|mut store| store.prune(now, &shared.config.retention));
    match pruned {
        Ok(counts) => tracing::info!(
            polls_deleted = counts.polls_deleted,
            outbox_messages_dropped = counts.outbox_messages_dropped,
            "Store pruned."
        ),
        Err(e) => tracing::error!(error = %e, "Pruning the store failed."),
    }
}

/// The every-minute schedule of retries and checks; `None` (logged) if it cannot be built.
fn every_minute(job: &str) -> Option<CronSchedule> {
    fixed_schedule("* * * * *", job)
}

/// A schedule written in the code; `None` (logged) if it cannot be built.
fn fixed_schedule(text: &str, job: &str) -> Option<CronSchedule> {
    match text.parse() {
        Ok(schedule) => Some(schedule),
        Err(e) => {
            tracing::error!(error = %e, "Cannot schedule {job}.");
            None
        }
    }
}

/// One admin-alert check: re-validate the watchlists, then record and mail due alerts.
async fn alert_job(shared: &Shared) {
    let problem = check_watchlists(&shared.config.watchlists_dir);
    let now = shared.clock.now();
    match send_due_alerts(
        &shared.store,
        &shared.config,
        shared.mailer.as_ref(),
        problem.as_ref(),
        now,
    )
    .await
    {
        Ok(0) => {}
        Ok(sent) => tracing::info!(sent, "Admin alerts sent."),
        Err(e) => {
            tracing::error!(error = %e, "Admin alerts could not be sent; retrying next minute.")
        }
    }
}

/// One scheduled digest run for the recipients in `names`.
async fn digest_job(shared: &Shared, names: &[String]) {
    let watchlists = Arc::clone(&shared.watchlists.borrow());
    let ctx = digest_context(shared, &watchlists, shared.clock.this_minute());
    match send_digests_to(&ctx, names).await {
        Ok(summary) => tracing::info!(summary = %summary, "Digest run finished."),
        Err(e) => tracing::error!(error = %e, "Digest run failed."),
    }
    refresh_calendars(shared);
}

/// Rewrite every recipient's calendar subscription file (after polls and digests, the two
/// moments windows can change).
fn refresh_calendars(shared: &Shared) {
    let watchlists = Arc::clone(&shared.watchlists.borrow());
    let ctx = digest_context(shared, &watchlists, shared.clock.now());
    match write_calendar_files(&ctx) {
        Ok(files) => {
            *shared
                .calendars_written_on
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(ctx.now.with_timezone(&shared.config.timezone).date_naive());
            tracing::debug!(
                files = files.written.len(),
                drafts = files.cost.loaded,
                evaluated = files.cost.evaluated,
                "Calendar files updated."
            )
        }
        Err(e) => tracing::error!(error = %e, "Calendar files could not be updated."),
    }
}

/// SIGTERM and SIGINT, the two ways systemd or an admin asks draftwatch to stop; shared by
/// the daemon and `draftwatch poll` so both stop the same way.
pub(crate) struct StopSignals {
    terminate: Signal,
    interrupt: Signal,
}

impl StopSignals {
    /// Take over both signals (from here on they no longer kill the process).
    pub(crate) fn install() -> anyhow::Result<Self> {
        Ok(StopSignals {
            terminate: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
            interrupt: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
        })
    }

    /// Wait for the next stop signal; its name, for the log.
    pub(crate) async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

/// Wait for SIGTERM or SIGINT (then cancel) while serving SIGHUP (reload watchlists).
async fn wait_for_signals(
    cancel: &CancellationToken,
    reload: &ReloadTrigger,
) -> anyhow::Result<()> {
    let mut stop = StopSignals::install()?;
    let mut hangup = signal(SignalKind::hangup()).context("installing the SIGHUP handler")?;
    loop {
        tokio::select! {
            signal = stop.recv() => {
                tracing::info!(signal, "Stop signal received.");
                break;
            }
            _ = hangup.recv() => {
                tracing::info!("SIGHUP received: reloading watchlists.");
                reload.request();
            }
        }
    }
    cancel.cancel();
    Ok(())
}

/// Call `job` at every instant of `schedule` until cancelled. A job runs to completion
/// before the next instant is computed, so a slow job never overlaps itself; instants that
/// passed while it ran are not caught up (the next poll reads the same portal anyway).
async fn run_on_schedule<F, Fut>(
    name: &str,
    schedule: &CronSchedule,
    tz: Tz,
    clock: &Clock,
    cancel: &CancellationToken,
    at_once: bool,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    if at_once {
        job().await;
    }
    loop {
        let Some(next) = schedule.next_after(clock.now(), tz) else {
            tracing::warn!(job = name, schedule = %schedule, "The schedule never fires again; job stopped.");
            // Idle until shutdown rather than end: a loop that ended is a fault to the watchdog.
            cancel.cancelled().await;
            return;
        };
        tracing::debug!(job = name, next = %next.with_timezone(&tz), "Next run scheduled.");
        loop {
            let remaining = (next - clock.now()).to_std().unwrap_or(Duration::ZERO);
            if remaining.is_zero() {
                break;
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(remaining.min(MAX_SLEEP)) => {}
            }
        }
        if cancel.is_cancelled() {
            return;
        }
        job().await;
    }
}

fn notify_systemd(state: &[sd_notify::NotifyState<'_>]) {
    // Outside systemd NOTIFY_SOCKET is unset and this does nothing.
    if let Err(e) = sd_notify::notify(state) {
        tracing::debug!(error = %e, "sd_notify failed.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedules_written_in_the_code_are_valid() {
        assert!(fixed_schedule(PRUNE_SCHEDULE, "pruning").is_some());
        assert!(every_minute("retries").is_some());
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test timestamp")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_source_is_polled_at_start_when_never_polled_or_a_run_was_missed() {
        let hourly: CronSchedule = "0 * * * *".parse().expect("valid schedule");
        let now = at("2026-09-15T09:10:00+03:00");
        let riga = chrono_tz::Europe::Riga;
        assert!(is_overdue(None, &hourly, now, riga), "never polled");
        assert!(
            is_overdue(Some(at("2026-09-15T08:00:00+03:00")), &hourly, now, riga),
            "70 minutes ago, an hourly run was missed"
        );
        assert!(
            !is_overdue(Some(at("2026-09-15T09:00:05+03:00")), &hourly, now, riga),
            "10 minutes ago: wait for 10:00"
        );
        let daily: CronSchedule = "0 6 * * *".parse().expect("valid schedule");
        assert!(
            !is_overdue(Some(at("2026-09-15T06:00:20+03:00")), &daily, now, riga),
            "this morning's daily poll"
        );
    }
}
