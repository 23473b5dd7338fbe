//! The command line: argument parsing and one function per subcommand.
//!
//! Errors end here as `anyhow` errors; [`exit_code_for`] maps configuration and watchlist
//! mistakes to exit code 78 (EX_CONFIG) so that systemd's `RestartPreventExitStatus=78`
//! stops restarting a daemon that cannot work until an admin fixes a file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{Config, ConfigError};
use crate::digest::{DigestContext, send_digests};
use crate::mailer::build_mailer;
use crate::matcher::{WatchlistErrors, WatchlistSet};
use crate::pipeline::poll_source;
use crate::sources::{Fetcher, build_source};
use crate::store::{DraftFilter, Store};

/// Exit code for configuration mistakes (sysexits.h EX_CONFIG).
pub const EXIT_CONFIG: u8 = 78;

/// Watches Latvian consultation portals for draft laws that matter to child-welfare NGOs
/// and emails each partner a digest.
#[derive(Debug, Parser)]
#[command(name = "draftwatch", version, about)]
pub struct Cli {
    /// Configuration file [default: config/draftwatch.toml if it exists, else the built-in
    /// copy of it].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Pretend the current time is this RFC 3339 instant (e.g. 2026-09-15T09:00:00+03:00),
    /// for tests and replays. Time then runs on from there.
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll sources and send digests on their schedules.
    Run,
    /// Poll sources once now and print a summary.
    Poll {
        /// Only this source (by its configured name).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// Build and send digests now.
    Digest {
        /// Print what would be sent; send nothing and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only this recipient (by its configured name).
        #[arg(long, value_name = "NAME")]
        recipient: Option<String>,
    },
    /// Validate the configuration and the watchlists; exit 0 when fine, 78 otherwise.
    Check,
    /// List stored drafts.
    Drafts {
        /// Only drafts whose comment window includes today.
        #[arg(long)]
        open: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-09-15T09:00:00+03:00: {e}"))
}

/// Map an error to the process exit code.
pub fn exit_code_for(error: &anyhow::Error) -> ExitCode {
    let is_config = error.chain().any(|cause| {
        cause.downcast_ref::<ConfigError>().is_some()
            || cause.downcast_ref::<WatchlistErrors>().is_some()
            || cause.downcast_ref::<ReferenceErrors>().is_some()
    });
    if is_config {
        ExitCode::from(EXIT_CONFIG)
    } else {
        ExitCode::FAILURE
    }
}

/// Recipients that follow watchlists which do not exist.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct ReferenceErrors(pub Vec<String>);

/// Load the configuration and the watchlists and check that they fit together.
fn load_all(cli: &Cli) -> anyhow::Result<(Config, WatchlistSet)> {
    let config = Config::load(cli.config.as_deref())?;
    let watchlists = WatchlistSet::load_dir(&config.watchlists_dir)?;
    let missing = config.check_watchlist_references(&watchlists.names());
    if !missing.is_empty() {
        return Err(ReferenceErrors(missing).into());
    }
    Ok((config, watchlists))
}

/// Run the parsed command line.
pub async fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    let clock = cli.now.map(Clock::fixed).unwrap_or(Clock::System);
    match &cli.command {
        Command::Check => {
            let (config, watchlists) = load_all(&cli)?;
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
        Command::Run => {
            let (config, watchlists) = load_all(&cli)?;
            crate::daemon::run(config, watchlists, clock).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Poll { source } => {
            let (config, _) = load_all(&cli)?;
            poll_once(&config, source.as_deref(), &clock).await
        }
        Command::Digest { dry_run, recipient } => {
            let (config, watchlists) = load_all(&cli)?;
            if let Some(name) = recipient
                && config.recipient(name).is_none()
            {
                anyhow::bail!("no recipient named `{name}` in the configuration");
            }
            let store = Mutex::new(open_store(&config)?);
            let mailer = build_mailer(&config.mail).context("setting up mail delivery")?;
            let ctx = DigestContext {
                config: &config,
                store: &store,
                watchlists: &watchlists,
                mailer: mailer.as_ref(),
                now: clock.now(),
                dry_run: *dry_run,
                only_recipient: recipient.as_deref(),
            };
            let summary = send_digests(&ctx).await?;
            print!("{summary}");
            Ok(if summary.has_failures() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Drafts { open, json } => {
            let (config, watchlists) = load_all(&cli)?;
            list_drafts(&config, &watchlists, &clock, *open, *json)
        }
    }
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.store.path)
        .with_context(|| format!("opening the store {}", config.store.path.display()))
}

async fn poll_once(config: &Config, only: Option<&str>, clock: &Clock) -> anyhow::Result<ExitCode> {
    let selected: Vec<_> = match only {
        Some(name) => vec![
            config
                .source(name)
                .with_context(|| format!("no source named `{name}` in the configuration"))?,
        ],
        None => config.sources.iter().filter(|s| s.enabled).collect(),
    };
    let store = Mutex::new(open_store(config)?);
    let fetcher = Fetcher::new(&config.http).context("building the HTTP client")?;
    let cancel = CancellationToken::new();
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

fn list_drafts(
    config: &Config,
    watchlists: &WatchlistSet,
    clock: &Clock,
    open: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let today = clock.today(config.timezone);
    let store = open_store(config)?;
    let filter = DraftFilter {
        open_on: open.then_some(today),
        source: None,
    };
    let drafts = store.list_drafts(&filter)?;
    drop(store);
    let mut out = String::new();
    for draft in &drafts {
        let hit: Vec<String> = watchlists
            .evaluate(&draft.match_input())
            .into_iter()
            .filter(|v| v.fired)
            .map(|v| v.watchlist)
            .collect();
        if json {
            let line = serde_json::json!({
                "id": draft.display_id(),
                "source": draft.source,
                "external_id": draft.external_id,
                "title": draft.title,
                "url": draft.url,
                "kind": draft.kind,
                "ministry": draft.ministry,
                "stage": draft.stage,
                "window_from": draft.window.map(|w| w.from.to_string()),
                "window_to": draft.window.map(|w| w.to.to_string()),
                "days_left": draft.window.map(|w| w.days_left(today)),
                "policy_areas": draft.policy_areas,
                "watchlists": hit,
                "first_seen": draft.first_seen.to_rfc3339(),
                "last_changed": draft.last_changed.to_rfc3339(),
            });
            out.push_str(&line.to_string());
        } else {
            let window = draft
                .window
                .map(|w| {
                    format!(
                        "{} – {}",
                        w.from.format("%d.%m.%Y"),
                        w.to.format("%d.%m.%Y")
                    )
                })
                .unwrap_or_else(|| "-".into());
            let marks = if hit.is_empty() {
                String::new()
            } else {
                format!(" [{}]", hit.join(", "))
            };
            out.push_str(&format!(
                "{:<12} {:<25} {}{}",
                draft.display_id(),
                window,
                draft.title,
                marks
            ));
        }
        out.push('\n');
    }
    print!("{out}");
    if !json {
        eprintln!("{} drafts.", drafts.len());
    }
    Ok(ExitCode::SUCCESS)
}
