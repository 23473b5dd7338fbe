//! Stub.
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;

use super::WatchlistSet;

/// Reloader.
#[derive(Debug)]
pub struct WatchlistReloader {}

impl WatchlistReloader {
    /// Start.
    pub fn start(_dir: PathBuf, _tx: watch::Sender<Arc<WatchlistSet>>) -> std::io::Result<Self> {
        Ok(WatchlistReloader {})
    }
    /// Reload.
    pub fn reload_now(&self) {}
}
