//! `draftwatch backup PATH` and `draftwatch prune`: the store's upkeep from the command
//! line. The work itself is in the store ([`Store::backup_into`], [`Store::prune`]); this
//! file opens it and says what was done.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

/// `draftwatch backup PATH`: a consistent copy of the store, taken while the daemon runs.
pub(super) fn backup(config: &Config, destination: &Path) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let size = store
        .backup_into(destination)
        .with_context(|| format!("backing up the store {}", config.store.path.display()))?;
    println!("Backup written: {} ({size} bytes).", destination.display());
    Ok(ExitCode::SUCCESS)
}

/// `draftwatch prune`: remove what `[retention]` no longer keeps and say how much.
pub(super) fn prune(config: &Config, clock: &Clock) -> anyhow::Result<ExitCode> {
    let mut store: Store = open_store(config)?;
    let counts = store.prune(clock.now(), &config.retention)?;
    println!(
        "Pruned {} poll rows and the message text of {} sent digests.",
        counts.polls_deleted, counts.outbox_messages_dropped
    );
    Ok(ExitCode::SUCCESS)
}
