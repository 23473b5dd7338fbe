//! `draftwatch poll`: poll the enabled sources (or one) once now and print what each saw.
//!
//! SIGTERM and SIGINT stop it the way they stop the daemon: the poll in progress ends
//! between two requests and records what it has read, the sources not yet polled are
//! skipped, and the command exits 1 (the poll is incomplete) instead of dying with nothing
//! recorded.

use std::process::ExitCode;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::daemon::StopSignals;
use crate::pipeline::{TextPhase, poll_source_with_texts};
use crate::sources::{Fetcher, build_source};
use crate::store::SharedStore;

/// Poll the sources once; exit 1 when one failed or a stop signal cut the run short.
pub(super) async fn poll_once(
    config: &Config,
    only: Option<&str>,
    clock: &Clock,
) -> anyhow::Result<ExitCode> {
    let selected: Vec<_> = match only {
        Some(name) => vec![
            config
                .source(name)
                .with_context(|| format!("no source named `{name}` in the configuration"))?,
        ],
        None => config.sources.iter().filter(|s| s.enabled).collect(),
    };
    let cancel = CancellationToken::new();
    let stop_watch = cancel_on_stop_signal(StopSignals::install()?, cancel.clone());
    let store = SharedStore::new(open_store(config)?);
    let fetcher = Fetcher::new(&config.http).context("building the HTTP client")?;
    let mut failed = false;
    for source_config in selected {
        if cancel.is_cancelled() {
            tracing::warn!(
                source = %source_config.name,
                "Source not polled: draftwatch is stopping."
            );
            failed = true;
            continue;
        }
        let source = build_source(source_config, *clock);
        let phase = TextPhase::new(&config.texts, source_config.poll_deadline);
        let summary =
            poll_source_with_texts(source.as_ref(), &fetcher, &store, clock, &cancel, &phase)
                .await?;
        failed |= summary.error.is_some();
        println!("{summary}");
    }
    stop_watch.abort();
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Cancel `cancel` when SIGTERM or SIGINT arrives, so a poll records what it read rather
/// than being killed with nothing recorded.
fn cancel_on_stop_signal(
    mut signals: StopSignals,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let signal = signals.recv().await;
        tracing::warn!(
            signal,
            "Stop signal received: the poll stops and records what it has read."
        );
        cancel.cancel();
    })
}
