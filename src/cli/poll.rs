//! `draftwatch poll`: poll the enabled sources (or one) once now and print what each saw.

use std::process::ExitCode;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::pipeline::poll_source;
use crate::sources::{Fetcher, build_source};
use crate::store::SharedStore;

/// Poll the sources once; exit 1 when one failed.
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
    let store = SharedStore::new(open_store(config)?);
    let fetcher = Fetcher::new(&config.http).context("building the HTTP client")?;
    let mut failed = false;
    for source_config in selected {
        let source = build_source(source_config);
        let summary = poll_source(source.as_ref(), &fetcher, &store, clock, &cancel).await?;
        failed |= summary.error.is_some();
        println!("{summary}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
