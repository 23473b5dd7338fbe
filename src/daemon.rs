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

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono_tz::Tz;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::alerts::{check_watchlists, send_due_alerts};
use crate::clock::Clock;
use crate::config::Config;
use crate::digest::{DigestContext, deliver_due_digests, send_digests_to, write_calendar_files};
use crate::mailer::{Mailer, build_mailer};
use crate::matcher::WatchlistSet;
use crate::matcher::reload::{DEFAULT_DEBOUNCE, ReloadTrigger, Reloader};
use crate::pipeline::poll_source;
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
}

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
    let shared = Arc::new(Shared {
        config,
        clock,
        store,
        fetcher,
        mailer,
        watchlists: watchlists_rx,
        cancel: cancel.clone(),
    });

    let tracker = TaskTracker::new();
    for source_config in shared.config.sources.iter().filter(|s| s.enabled) {
        let source: Arc<dyn Source> = Arc::from(build_source(source_config));
        let name = format!("poll {}", source.name());
        spawn_scheduled(
            &tracker,
            &shared,
            name,
            &source_config.schedule,
            move |shared| {
                let source = Arc::clone(&source);
                async move { poll_job(&shared, source.as_ref()).await }
            },
        );
    }
    // One digest job per distinct schedule, for the recipients on it.
    for (schedule, names) in shared.config.digest_schedules() {
        let names = Arc::new(names);
        spawn_scheduled(
            &tracker,
            &shared,
            format!("digest {schedule}"),
            &schedule,
            move |shared| {
                let names = Arc::clone(&names);
                async move { digest_job(&shared, &names).await }
            },
        );
    }
    // Digests the mail server could not take are retried when their back-off expires,
    // not only at the next digest run.
    if let Some(every_minute) = every_minute("digest retries") {
        spawn_scheduled(
            &tracker,
            &shared,
            "digest retry".to_owned(),
            &every_minute,
            |shared| async move { retry_job(&shared).await },
        );
    }
    // Admin alerts: checked every minute; the watchlist folder is re-validated here
    // because the reloader only logs a failed reload.
    if !shared.config.admin.addresses.is_empty()
        && let Some(every_minute) = every_minute("admin alerts")
    {
        spawn_scheduled(
            &tracker,
            &shared,
            "admin alerts".to_owned(),
            &every_minute,
            |shared| async move { alert_job(&shared).await },
        );
    }
    tracker.close();

    refresh_calendars(&shared);
    notify_systemd(&[sd_notify::NotifyState::Ready]);
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

/// Run `job` at every instant of `schedule` in a task of `tracker`, until shutdown.
fn spawn_scheduled<F, Fut>(
    tracker: &TaskTracker,
    shared: &Arc<Shared>,
    name: String,
    schedule: &CronSchedule,
    job: F,
) where
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
            each_run,
        )
        .await;
    });
}

/// One scheduled poll of `source`, then the calendar files (windows may have changed).
async fn poll_job(shared: &Shared, source: &dyn Source) {
    let polled = poll_source(
        source,
        &shared.fetcher,
        &shared.store,
        &shared.clock,
        &shared.cancel,
    )
    .await;
    if let Err(e) = polled {
        tracing::error!(source = source.name(), error = %e, "Could not record the poll in the store.");
    }
    refresh_calendars(shared);
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

/// The every-minute schedule of retries and checks; `None` (logged) if it cannot be built.
fn every_minute(job: &str) -> Option<CronSchedule> {
    match "* * * * *".parse() {
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
        Ok(files) => tracing::debug!(files = files.len(), "Calendar files updated."),
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
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        let Some(next) = schedule.next_after(clock.now(), tz) else {
            tracing::warn!(job = name, schedule = %schedule, "The schedule never fires again; job stopped.");
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
