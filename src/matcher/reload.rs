//! Hot reload of watchlists: watch the watchlists DIRECTORY (editors replace files by rename,
//! so watching files loses them), debounce the event storm, re-load every file, and publish a
//! valid set through a `tokio::sync::watch` channel. An invalid set is logged with every
//! error (`file:line:col`) and the last good set stays in force.
//!
//! Only events that can change what is loaded count (create, data write, rename, remove), and
//! even then the set is re-loaded only when a file's content differs from what was loaded
//! last (a hash per file). Merely reading the files (`cat`, `cp -a`, a backup tool, the
//! every-minute alert check, or this module's own reload) raises access events; reacting to
//! them once made the daemon reload twice a second forever.
//!
//! Reloads can also be requested explicitly through [`ReloadTrigger`] (the daemon wires
//! SIGHUP to it). Signal handling and the CLI are not this module's job.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
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

/// A hash of each `*.toml` file's content in the watchlists folder: what a reload read, to
/// tell a real change from an event that changed nothing.
type Fingerprint = BTreeMap<PathBuf, u64>;

/// Holds the current watchlist set and replaces it on valid reloads.
#[derive(Debug)]
pub struct Reloader {
    dir: PathBuf,
    sender: watch::Sender<Arc<WatchlistSet>>,
    /// The folder's content as last loaded (successfully or not).
    loaded: Mutex<Fingerprint>,
}

impl Reloader {
    /// Start with an already loaded set; readers subscribe with [`Reloader::subscribe`]. The
    /// folder as it is now is taken to be what `initial` was loaded from.
    pub fn new(dir: impl Into<PathBuf>, initial: WatchlistSet) -> Self {
        let (sender, _) = watch::channel(Arc::new(initial));
        let dir = dir.into();
        let loaded = Mutex::new(fingerprint(&dir));
        Reloader {
            dir,
            sender,
            loaded,
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

    /// Re-load the folder if a watchlist file was added, removed or has other content than
    /// when it was last loaded; `None` when nothing changed (no reload, nothing logged above
    /// debug).
    pub fn reload_if_changed(&self) -> Option<Result<ReloadStats, WatchlistErrors>> {
        let now = fingerprint(&self.dir);
        if *self.loaded_fingerprint() == now {
            tracing::debug!(dir = %self.dir.display(), "Watchlist files unchanged; not reloaded.");
            return None;
        }
        Some(self.reload())
    }

    /// The fingerprint of the last load; a panic elsewhere while holding it cannot leave it
    /// half-written (it is replaced whole), so a poisoned lock is still usable.
    fn loaded_fingerprint(&self) -> std::sync::MutexGuard<'_, Fingerprint> {
        self.loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Re-load every file now, changed or not (SIGHUP asks for this). A valid set replaces
    /// the current one (logged at info with counts); an invalid one is logged at error with
    /// every problem and discarded.
    pub fn reload(&self) -> Result<ReloadStats, WatchlistErrors> {
        // Taken before loading: an edit racing with the load then differs from it and is
        // loaded again when its event arrives.
        *self.loaded_fingerprint() = fingerprint(&self.dir);
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
                    "Watchlists reloaded."
                );
                Ok(stats)
            }
            Err(errors) => {
                tracing::error!(
                    dir = %self.dir.display(),
                    error_count = errors.errors().len(),
                    "Watchlists not reloaded, keeping the last good set."
                );
                for error in errors.errors() {
                    tracing::error!(problem = %error, "Watchlist problem.");
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
                            can_change_content(&event.kind)
                                && event
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
                            tracing::warn!(error = %error, "The watchlist folder watcher reported an error.");
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
                // A file event reloads only changed content; an explicit request always.
                let forced = tokio::select! {
                    _ = cancel.cancelled() => break,
                    Some(()) = event_rx.recv() => false,
                    Some(()) = trigger_rx.recv() => true,
                    else => break,
                };
                let this = reloader.clone();
                // Loading reads files and compiles automata: keep it off the async workers.
                let reload = move || {
                    if forced {
                        let _ = this.reload();
                    } else {
                        let _ = this.reload_if_changed();
                    }
                };
                if let Err(e) = tokio::task::spawn_blocking(reload).await {
                    tracing::error!(error = %e, "The watchlist reload task failed.");
                }
            }
        });
        Ok((ReloadTrigger(trigger_tx), task))
    }
}

/// Whether an event of this kind can change what a watchlist file holds: creating, writing,
/// renaming or removing it. Opening, reading, closing and metadata changes cannot.
fn can_change_content(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
    )
}

/// Hash the content of every `*.toml` file in `dir` (the files [`WatchlistSet::load_dir`]
/// loads). A file that cannot be read counts with a hash of nothing, so its reappearance
/// still differs.
fn fingerprint(dir: &Path) -> Fingerprint {
    let Ok(paths) = super::watchlist_files(dir) else {
        return Fingerprint::new();
    };
    paths
        .into_iter()
        .map(|path| {
            let mut hasher = DefaultHasher::new();
            hasher.write(&std::fs::read(&path).unwrap_or_default());
            (path, hasher.finish())
        })
        .collect()
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
