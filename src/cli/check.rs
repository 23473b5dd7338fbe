//! `draftwatch check`: load the configuration and the watchlists, check that they fit
//! together, and say so in one line (errors leave through [`super::exit_code_for`] as 78).

use std::process::ExitCode;

use super::{Cli, load_all};

/// Validate everything `run` would load; print a one-line summary when it is all fine.
pub(super) fn check(cli: &Cli) -> anyhow::Result<ExitCode> {
    let (config, watchlists) = load_all(cli)?;
    println!(
        "Configuration {} is valid: {} sources, {} watchlists ({}), {} recipients.",
        config
            .source_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(built-in)".into()),
        config.sources.len(),
        watchlists.names().len(),
        watchlists.names().join(", "),
        config.recipients.len()
    );
    Ok(ExitCode::SUCCESS)
}
