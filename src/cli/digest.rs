//! `draftwatch digest`: build and send the digests now (or, with `--dry-run`, print them),
//! exactly as the daemon's scheduled run would at this minute.

use std::process::ExitCode;

use anyhow::Context;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::digest::{DigestContext, send_digests};
use crate::mailer::build_mailer;
use crate::matcher::WatchlistSet;
use crate::store::SharedStore;

/// One digest run for every recipient, or only `recipient`; exit 1 when one failed.
pub(super) async fn digest(
    config: &Config,
    watchlists: &WatchlistSet,
    clock: &Clock,
    dry_run: bool,
    recipient: Option<&str>,
) -> anyhow::Result<ExitCode> {
    if let Some(name) = recipient
        && config.recipient(name).is_none()
    {
        anyhow::bail!("no recipient named `{name}` in the configuration");
    }
    let store = SharedStore::new(open_store(config)?);
    let mailer = build_mailer(&config.mail).context("setting up mail delivery")?;
    let ctx = DigestContext {
        config,
        store: &store,
        watchlists,
        mailer: mailer.as_ref(),
        now: clock.this_minute(),
        dry_run,
        only_recipient: recipient,
    };
    let summary = send_digests(&ctx).await?;
    print!("{summary}");
    Ok(if summary.has_failures() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
