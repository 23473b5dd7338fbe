//! Hot reload of watchlists: watch the watchlists DIRECTORY (editors replace files by rename,
//! so watching files loses them), debounce the event storm, re-load every file, and publish a
//! valid set through a `tokio::sync::watch` channel. An invalid set is logged with every
//! error (`file:line:col`) and the last good set stays in force.
//!
//! Reloads can also be requested explicitly through [`ReloadTrigger`] (the daemon wires
//! SIGHUP to it). Signal handling and the CLI are not this module's job.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::{WatchlistErrors, WatchlistSet};

/// Default quiet time before a burst of file events triggers a reload.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(500);

/// Errors starting the watcher.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// The file watcher could not be created or could not watch the directory.
    #[error("cannot watch watchlist directory {path}: {source}")]
    Watch {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: notify_debouncer_full::notify::Error,
    },
}

/// Counts describing a successful reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadStats {
    /// Watchlists loaded.
    pub watchlists: usize,
    /// Rules over all watchlists.
    pub rules: usize,
}

/// Holds the current watchlist set and replaces it on valid reloads.
#[derive(Debug)]
pub struct Reloader {
    dir: PathBuf,
    sender: watch::Sender<Arc<WatchlistSet>>,
}

impl Reloader {
    /// Start with an already loaded set; readers subscribe with [`Reloader::subscribe`].
    pub fn new(dir: impl Into<PathBuf>, initial: WatchlistSet) -> Self {
        let (sender, _) = watch::channel(Arc::new(initial));
        Reloader {
            dir: dir.into(),
            sender,
        }
    }

    /// A receiver that always sees the latest good set.
    pub fn subscribe(&self) -> watch::Receiver<Arc<WatchlistSet>> {
        self.sender.subscribe()
    }

    /// The current set.
    pub fn current(&self) -> Arc<WatchlistSet> {
        self.sender.borrow().clone()
    }

    /// The watched directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Re-load every file now. A valid set replaces the current one (logged at info with
    /// counts); an invalid one is logged at error with every problem and discarded.
    pub fn reload(&self) -> Result<ReloadStats, WatchlistErrors> {
        match WatchlistSet::load_dir(&self.dir) {
            Ok(set) => {
                let stats = ReloadStats {
                    watchlists: set.names().len(),
                    rules: set.rule_count(),
                };
                self.sender.send_replace(Arc::new(set));
                tracing::info!(
                    dir = %self.dir.display(),
                    watchlists = stats.watchlists,
                    rules = stats.rules,
                    "Watchlists reloaded"
                );
                Ok(stats)
            }
            Err(errors) => {
                tracing::error!(
                    dir = %self.dir.display(),
                    error_count = errors.errors().len(),
                    "Watchlists not reloaded, keeping the last good set:\n{errors}"
                );
                for error in errors.errors() {
                    tracing::error!("{error}");
                }
                Err(errors)
            }
        }
    }

    /// Watch the directory and reload on debounced changes to `*.toml` files or on request,
    /// until `cancel` fires. Returns the trigger for explicit reloads (SIGHUP) and the task.
    pub fn spawn(
        self: Arc<Self>,
        debounce: Duration,
        cancel: CancellationToken,
    ) -> Result<(ReloadTrigger, tokio::task::JoinHandle<()>), ReloadError> {
        let (event_tx, mut event_rx) = mpsc::unbounded_channel::<()>();
        let watch_error = |source| ReloadError::Watch {
            path: self.dir.clone(),
            source,
        };
        let mut debouncer =
            new_debouncer(
                debounce,
                None,
                move |result: DebounceEventResult| match result {
                    Ok(events) => {
                        let relevant = events.iter().any(|event| {
                            event
                                .paths
                                .iter()
                                .any(|p| p.extension().is_some_and(|ext| ext == "toml"))
                        });
                        if relevant {
                            // The receiver is gone only when the reload task ended; nothing to do then.
                            let _ = event_tx.send(());
                        }
                    }
                    Err(errors) => {
                        for error in errors {
                            tracing::warn!("watchlist directory watcher: {error}");
                        }
                    }
                },
            )
            .map_err(watch_error)?;
        debouncer
            .watch(&self.dir, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;

        let (trigger_tx, mut trigger_rx) = mpsc::unbounded_channel::<()>();
        let reloader = self;
        let task = tokio::spawn(async move {
            // Keep the watcher alive for as long as the task runs.
            let _debouncer = debouncer;
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    Some(()) = event_rx.recv() => {}
                    Some(()) = trigger_rx.recv() => {}
                    else => break,
                }
                let this = reloader.clone();
                // Loading reads files and compiles automata: keep it off the async workers.
                if let Err(e) = tokio::task::spawn_blocking(move || this.reload()).await {
                    tracing::error!("watchlist reload task failed: {e}");
                }
            }
        });
        Ok((ReloadTrigger(trigger_tx), task))
    }
}

/// Asks the running reloader to re-load now (for SIGHUP).
#[derive(Debug, Clone)]
pub struct ReloadTrigger(mpsc::UnboundedSender<()>);

impl ReloadTrigger {
    /// Request a reload; returns false when the reloader has stopped.
    pub fn request(&self) -> bool {
        self.0.send(()).is_ok()
    }
}
