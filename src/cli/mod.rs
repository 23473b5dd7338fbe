//! The command line: argument parsing and one function per subcommand.
//!
//! Errors end here as `anyhow` errors; [`exit_code_for`] maps configuration and watchlist
//! mistakes to exit code 78 (EX_CONFIG) so that systemd's `RestartPreventExitStatus=78`
//! stops restarting a daemon that cannot work until an admin fixes a file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use lettre::Address;
use lettre::address::Envelope;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{Config, ConfigError};
use crate::digest::{DigestContext, send_digests};
use crate::mailer::build_mailer;
use crate::matcher::backtest::{
    self, BacktestError, BacktestInput, parse_inputs, render_diff_text, render_text, to_json_lines,
};
use crate::matcher::explain::render_verdicts;
use crate::matcher::{WatchlistErrors, WatchlistSet};
use crate::model::StoredDraft;
use crate::pipeline::poll_source;
use crate::sources::{Fetcher, build_source};
use crate::store::{DraftFilter, OutboxEntry, OutboxStatus, Store};

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
        /// `ministry`, `kind`) [default: every draft in the store].
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
                now: clock.this_minute(),
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
        Command::Explain { draft_id } => {
            let config = Config::load(cli.config.as_deref())?;
            let watchlists = WatchlistSet::load_dir(&config.watchlists_dir)?;
            explain(&config, &watchlists, &clock, draft_id)
        }
        Command::Backtest {
            input,
            watchlists,
            json,
            against,
        } => {
            let request = BacktestRequest {
                input: input.as_deref(),
                watchlists,
                against,
                json: *json,
            };
            backtest(&cli, &request)
        }
        Command::Outbox {
            status,
            limit,
            resend,
        } => {
            let config = Config::load(cli.config.as_deref())?;
            match resend {
                Some(id) => resend_outbox_entry(&config, &clock, *id).await,
                None => list_outbox(&config, status.map(OutboxStatus::from), *limit),
            }
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

/// `draftwatch explain`: every stored draft carrying `draft_id`, with each watchlist's
/// verdict and the rule, field and words behind it.
fn explain(
    config: &Config,
    watchlists: &WatchlistSet,
    clock: &Clock,
    draft_id: &str,
) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let drafts = store.find_drafts_by_display_id(draft_id)?;
    drop(store);
    if drafts.is_empty() {
        anyhow::bail!(
            "no stored draft has the TA number or portal id `{}` (`draftwatch drafts` lists them)",
            draft_id.trim()
        );
    }
    let today = clock.today(config.timezone);
    let mut out = String::new();
    if drafts.len() > 1 {
        out.push_str(&format!(
            "{} stored drafts carry the id `{}`:\n\n",
            drafts.len(),
            draft_id.trim()
        ));
    }
    for (index, draft) in drafts.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}  (source {}, portal id {})\n",
            draft.display_id(),
            draft.source,
            draft.external_id
        ));
        out.push_str(&format!("Title:    {}\n", draft.title));
        let window = match draft.window {
            Some(w) => format!(
                "{} – {} ({} days left)",
                w.from.format("%d.%m.%Y"),
                w.to.format("%d.%m.%Y"),
                w.days_left(today)
            ),
            None => "none".to_string(),
        };
        out.push_str(&format!("Window:   {window}\n"));
        out.push_str(&format!("URL:      {}\n", draft.url));
        out.push_str(&render_verdicts(&watchlists.evaluate(&draft.match_input())));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// The options of one `draftwatch backtest` run.
struct BacktestRequest<'a> {
    input: Option<&'a Path>,
    watchlists: &'a [PathBuf],
    against: &'a [PathBuf],
    json: bool,
}

/// `draftwatch backtest`: evaluate the chosen watchlists over the input drafts, or compare
/// two versions of the watchlists over them.
fn backtest(cli: &Cli, request: &BacktestRequest<'_>) -> anyhow::Result<ExitCode> {
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
        // Stored drafts are matched with their policy areas too, as the digest does.
        policy_areas: draft.policy_areas.clone(),
    }
}

/// `draftwatch outbox`: one line per recorded digest, newest first.
fn list_outbox(
    config: &Config,
    status: Option<OutboxStatus>,
    limit: usize,
) -> anyhow::Result<ExitCode> {
    let entries = open_store(config)?.list_outbox(status, limit)?;
    let mut out = String::new();
    for entry in &entries {
        out.push_str(&entry.to_string());
        out.push('\n');
    }
    print!("{out}");
    eprintln!("{} recorded digests shown.", entries.len());
    Ok(ExitCode::SUCCESS)
}

/// `draftwatch outbox --resend ID`: hand the recorded bytes of digest `id` to the mail
/// server again and record the result.
///
/// Pending digests are refused: the daemon's retry loop may be sending them at the same
/// moment, and a second sender would deliver them twice.
async fn resend_outbox_entry(config: &Config, clock: &Clock, id: i64) -> anyhow::Result<ExitCode> {
    let mut store = open_store(config)?;
    let entry = find_outbox_entry_by_id(&store, id)?;
    if entry.status == OutboxStatus::Pending {
        anyhow::bail!(
            "digest #{id} ({}) is still pending and is sent automatically at its next \
             attempt ({}); run `draftwatch digest` to try due digests now",
            entry.message_id,
            entry.next_attempt_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    let envelope = recorded_envelope(&entry)?;
    if let Some(recipient) = config.recipient(&entry.recipient) {
        let configured: Vec<String> = recipient
            .addresses
            .iter()
            .map(|mailbox| mailbox.email.to_string())
            .collect();
        if configured != entry.envelope_to {
            eprintln!(
                "note: digest #{id} goes to its recorded addresses {}; the configuration now \
                 lists {} for {}",
                entry.envelope_to.join(", "),
                configured.join(", "),
                entry.recipient
            );
        }
    }
    let mailer = build_mailer(&config.mail).context("setting up mail delivery")?;
    let sent = mailer.send_raw(&envelope, &entry.raw_message).await;
    let now = clock.now();
    match sent {
        Ok(()) => {
            // A failed digest becomes sent, with its drafts and reminders recorded as
            // delivered (which counts the attempt); a sent one only counts the attempt.
            let recorded = if entry.status == OutboxStatus::Sent {
                store.record_outbox_resend(id, None)
            } else {
                store.mark_outbox_sent(id, now)
            };
            recorded.with_context(|| {
                format!("digest #{id} was sent again but could not be recorded")
            })?;
            let updated = find_outbox_entry_by_id(&store, id)?;
            println!("sent again: {updated}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            // The attempt and its error are recorded; the status stays as it was.
            println!("not sent: #{id} {}: {error:#}", entry.message_id);
            store
                .record_outbox_resend(id, Some(&format!("{error:#}")))
                .with_context(|| {
                    format!("digest #{id}: the failed re-send could not be recorded")
                })?;
            eprintln!(
                "digest #{id} keeps its status {}; the attempt and its error are recorded",
                entry.status
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The recorded digest with row id `id`, or an error naming the command that lists them.
fn find_outbox_entry_by_id(store: &Store, id: i64) -> anyhow::Result<OutboxEntry> {
    store.get_outbox_entry(id)?.with_context(|| {
        format!("no recorded digest has the id {id} (`draftwatch outbox` lists them)")
    })
}

/// The envelope recorded with a digest, so a re-send reaches exactly the recorded addresses.
fn recorded_envelope(entry: &OutboxEntry) -> anyhow::Result<Envelope> {
    let parse = |text: &str| {
        text.parse::<Address>()
            .with_context(|| format!("digest #{}: recorded address {text:?} is invalid", entry.id))
    };
    let from = parse(&entry.envelope_from)?;
    let to = entry
        .envelope_to
        .iter()
        .map(|text| parse(text))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Envelope::new(Some(from), to)
        .with_context(|| format!("digest #{}: recorded envelope is invalid", entry.id))
}
