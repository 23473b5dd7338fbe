//! `draftwatch backtest`: run watchlists over past drafts (the store or a JSON-lines file)
//! and show what matches and why, or what an edit adds and removes, before it goes live.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::{Cli, open_store};
use crate::config::Config;
use crate::matcher::WatchlistSet;
use crate::matcher::backtest::{
    self, BacktestError, BacktestInput, parse_inputs, render_diff_text, render_text, to_json_lines,
};
use crate::model::StoredDraft;
use crate::store::DraftFilter;

/// The options of one `draftwatch backtest` run.
pub(super) struct BacktestRequest<'a> {
    pub(super) input: Option<&'a Path>,
    pub(super) watchlists: &'a [PathBuf],
    pub(super) against: &'a [PathBuf],
    pub(super) json: bool,
}

/// `draftwatch backtest`: evaluate the chosen watchlists over the input drafts, or compare
/// two versions of the watchlists over them.
pub(super) fn backtest(cli: &Cli, request: &BacktestRequest<'_>) -> anyhow::Result<ExitCode> {
    // The configuration is read only when the folder or the store is needed, so that an
    // admin can backtest files against a JSON-lines export without a working config.
    let needs_config = request.watchlists.is_empty() || request.input.is_none();
    let config = if needs_config {
        Some(Config::load(cli.config.as_deref())?)
    } else {
        None
    };
    let set = match (&config, request.watchlists.is_empty()) {
        (Some(config), true) => WatchlistSet::load_dir(&config.watchlists_dir)?,
        _ => WatchlistSet::load_files(request.watchlists)?,
    };
    let old_set = if request.against.is_empty() {
        None
    } else {
        Some(WatchlistSet::load_files(request.against)?)
    };
    let inputs: Vec<BacktestInput> = if let Some(path) = request.input {
        read_backtest_inputs(path)?
    } else {
        let config = config
            .as_ref()
            .context("the configuration is needed to read the store")?;
        let store = open_store(config)?;
        let stored = store.list_drafts(&DraftFilter::default())?;
        drop(store);
        stored.iter().map(backtest_input_of).collect()
    };
    let out = match old_set {
        Some(old_set) => {
            let diffs = backtest::diff(&old_set, &set, &inputs);
            if request.json {
                to_json_lines(&diffs)
            } else {
                render_diff_text(&diffs)
            }
        }
        None => {
            let results = backtest::run(&set, &inputs);
            if request.json {
                to_json_lines(&results)
            } else {
                render_text(&inputs, &results)
            }
        }
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Read a JSON-lines backtest file; every bad line is reported as `file:line: message`.
fn read_backtest_inputs(path: &Path) -> anyhow::Result<Vec<BacktestInput>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open backtest input {}", path.display()))?;
    parse_inputs(std::io::BufReader::new(file)).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|error| match error {
                BacktestError::InvalidLine { line, message } => {
                    // serde_json reads one line at a time, so its position is always on
                    // "line 1": keep only the column, next to the real line number.
                    match message.rsplit_once(" at line 1 column ") {
                        Some((what, column)) => {
                            format!("{}:{line}:{column}: {what}", path.display())
                        }
                        None => format!("{}:{line}: {message}", path.display()),
                    }
                }
                other => format!("{}: {other}", path.display()),
            })
            .collect();
        anyhow::anyhow!(
            "invalid backtest input (expected one JSON object per line with `id` and `title`):\n{}",
            lines.join("\n")
        )
    })
}

/// A stored draft as a backtest input (its id is the one people use), for echoing ids and
/// titles in the output.
fn backtest_input_of(draft: &StoredDraft) -> BacktestInput {
    BacktestInput {
        id: serde_json::Value::String(draft.display_id().to_string()),
        title: draft.title.clone(),
        text: draft.description.clone(),
        ministry: draft.ministry.clone(),
        kind: draft.kind.clone(),
        // Stored drafts are matched with their policy areas and texts too, as the digest
        // does.
        policy_areas: draft.policy_areas.clone(),
        annotation: draft.texts.annotation.clone(),
        document: draft.texts.document.clone(),
        impacts: draft.texts.impacts.clone(),
    }
}
