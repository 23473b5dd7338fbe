//! Digests (stub: replaced by the digest work).
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::mailer::Mailer;
use crate::matcher::WatchlistSet;
use crate::store::Store;

/// Inputs.
pub struct DigestContext<'a> {
    /// Config.
    pub config: &'a Config,
    /// Store.
    pub store: &'a Mutex<Store>,
    /// Watchlists.
    pub watchlists: &'a WatchlistSet,
    /// Mailer.
    pub mailer: &'a dyn Mailer,
    /// Now.
    pub now: DateTime<Utc>,
    /// Dry run.
    pub dry_run: bool,
    /// Only this recipient.
    pub only_recipient: Option<&'a str>,
}

/// Summary.
#[derive(Debug, Default)]
pub struct DigestSummary {}

impl std::fmt::Display for DigestSummary {
    fn fmt(&self, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

/// Error.
#[derive(Debug, thiserror::Error)]
#[error("digest")]
pub struct DigestError;

/// Send.
pub async fn send_digests(_ctx: &DigestContext<'_>) -> Result<DigestSummary, DigestError> {
    Ok(DigestSummary {})
}
