//! The command line: argument parsing and dispatch; each subcommand's work is in its own
//! file here (`run` is the daemon, [`crate::daemon`]).
//!
//! Errors end here as `anyhow` errors; [`exit_code_for`] maps configuration and watchlist
//! mistakes to exit code 78 (EX_CONFIG) so that systemd's `RestartPreventExitStatus=78`
//! stops restarting a daemon that cannot work until an admin fixes a file.

mod backtest;
mod backup;
mod check;
mod digest;
mod drafts;
mod explain;
mod outbox;
mod poll;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use crate::clock::Clock;
use crate::config::{Config, ConfigError};
use crate::matcher::{WatchlistErrors, WatchlistSet};
use crate::store::{OutboxStatus, Store};

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
        /// Also read each draft's stored annotation and text: watchlists match on them, and
        /// JSON lines carry them under `texts` (slower on a large store).
        #[arg(long)]
        texts: bool,
    },
    /// Show a stored draft and why each watchlist does or does not fire on it.
    Explain {
        /// The draft's TA number as printed in digests (e.g. 26-TA-2228) or its portal id.
        #[arg(value_name = "DRAFT_ID")]
        draft_id: String,
    },
    /// Run watchlists over past drafts and show what matches and why, before an edit goes
    /// live.
    Backtest {
        /// Drafts to test, one JSON object per line (`id`, `title`, optional `text`,
        /// `ministry`, `kind`, `policy_areas`, `annotation` (the annotation's text),
        /// `document` (the draft's own text), `impacts` (e.g. {"8.1.16": "Nē"})) [default:
        /// every draft in the store]. Watchlists read `annotation` / `document` only when
        /// their `fields` name them.
        #[arg(long, value_name = "FILE.jsonl")]
        input: Option<PathBuf>,
        /// Use this watchlist file instead of the watchlists folder; repeat for several
        /// (e.g. an edited copy).
        #[arg(long = "watchlist", value_name = "FILE")]
        watchlists: Vec<PathBuf>,
        /// One JSON object per input draft (with --against: one per changed draft).
        #[arg(long)]
        json: bool,
        /// Compare with this (current) watchlist file and show only what the `--watchlist`
        /// files add and remove; repeat for several.
        #[arg(long, value_name = "FILE", requires = "watchlists")]
        against: Vec<PathBuf>,
    },
    /// List recorded digests, newest first, or send one of them again.
    Outbox {
        /// Only digests in this state.
        #[arg(long, value_enum, value_name = "STATUS")]
        status: Option<OutboxStatusArg>,
        /// Show at most this many.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Send the recorded digest with this id again now, with the same bytes and
        /// Message-ID (a refused one after the address or server was fixed, or a sent one
        /// the partner lost).
        #[arg(long, value_name = "ID", conflicts_with_all = ["status", "limit"])]
        resend: Option<i64>,
    },
    /// Show how sources, the outbox, the watchlists and digests are doing; exit 0 when
    /// healthy, 1 when something needs attention (for monitoring).
    Status {
        /// One JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the database while the daemon runs (SQLite VACUUM INTO).
    Backup {
        /// The new file; an existing file is never overwritten.
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
    /// Delete poll rows and sent digests' message text older than `[retention]` allows.
    Prune,
}

/// The `--status` values of `draftwatch outbox`, in the words an admin uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutboxStatusArg {
    /// Recorded, not yet accepted by the mail server (will be retried).
    Pending,
    /// Accepted by the mail server.
    Sent,
    /// Refused for good; needs the admin.
    Failed,
}

impl From<OutboxStatusArg> for OutboxStatus {
    fn from(arg: OutboxStatusArg) -> Self {
        match arg {
            OutboxStatusArg::Pending => OutboxStatus::Pending,
            OutboxStatusArg::Sent => OutboxStatus::Sent,
            OutboxStatusArg::Failed => OutboxStatus::FailedPermanent,
        }
    }
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
    });
    if is_config {
        ExitCode::from(EXIT_CONFIG)
    } else {
        ExitCode::FAILURE
    }
}

/// Load the configuration and the watchlists and check that they fit together.
fn load_all(cli: &Cli) -> anyhow::Result<(Config, WatchlistSet)> {
    let config = Config::load(cli.config.as_deref())?;
    let watchlists = WatchlistSet::load_dir(&config.watchlists_dir)?;
    config.check_watchlist_references(&watchlists.names())?;
    Ok((config, watchlists))
}

/// Run the parsed command line.
pub async fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    let clock = cli.now.map(Clock::fixed).unwrap_or(Clock::System);
    match &cli.command {
        Command::Check => check::check(&cli),
        Command::Run => {
            let (config, watchlists) = load_all(&cli)?;
            crate::daemon::run(config, watchlists, clock).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Poll { source } => {
            let (config, _) = load_all(&cli)?;
            poll::poll_once(&config, source.as_deref(), &clock).await
        }
        Command::Digest { dry_run, recipient } => {
            let (config, watchlists) = load_all(&cli)?;
            digest::digest(&config, &watchlists, &clock, *dry_run, recipient.as_deref()).await
        }
        Command::Drafts { open, json, texts } => {
            let (config, watchlists) = load_all(&cli)?;
            let output = drafts::ListOutput {
                open: *open,
                json: *json,
                texts: *texts,
            };
            drafts::list_drafts(&config, &watchlists, &clock, output)
        }
        Command::Explain { draft_id } => {
            let config = Config::load(cli.config.as_deref())?;
            let watchlists = WatchlistSet::load_dir(&config.watchlists_dir)?;
            explain::explain(&config, &watchlists, &clock, draft_id)
        }
        Command::Backtest {
            input,
            watchlists,
            json,
            against,
        } => {
            let request = backtest::BacktestRequest {
                input: input.as_deref(),
                watchlists,
                against,
                json: *json,
            };
            backtest::backtest(&cli, &request)
        }
        Command::Outbox {
            status,
            limit,
            resend,
        } => {
            let config = Config::load(cli.config.as_deref())?;
            match resend {
                Some(id) => outbox::resend_outbox_entry(&config, &clock, *id).await,
                None => outbox::list_outbox(&config, status.map(OutboxStatus::from), *limit),
            }
        }
        Command::Status { json } => status::status(&cli, &clock, *json),
        Command::Backup { path } => backup::backup(&Config::load(cli.config.as_deref())?, path),
        Command::Prune => backup::prune(&Config::load(cli.config.as_deref())?, &clock),
    }
}

/// Open the configured store, naming the file when that fails.
fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.store.path)
        .with_context(|| format!("opening the store {}", config.store.path.display()))
}
