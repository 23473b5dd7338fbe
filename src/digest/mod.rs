//! Digests: for each recipient, what its watchlists caught that it has not been told yet
//! (new drafts grouped by what a coordinator can do about them, deadline reminders, changes
//! to drafts reported before), rendered in its language and handed to the [`Mailer`].
//!
//! Delivery goes through the store's outbox, which makes it exactly-once in practice: a
//! digest is built once per recipient and scheduled minute, recorded with its exact bytes
//! *before* sending ([`record_digests`]), and marked sent together with its deliveries in
//! one transaction after the server accepted it ([`deliver_due_digests`]). Pending digests
//! are sent (again, same bytes, same Message-ID) before new ones are built; a temporary
//! failure is retried with exponential backoff, a permanent one is recorded and reported.
//! Only a crash between the server's acceptance and the marking can send a digest twice,
//! and then with the same Message-ID, which mail clients show once.
//!
//! Submodules, each importing only those before it: [`item`] holds the shared facts (a draft
//! as listed, its window state, its changes), [`select`] chooses and orders drafts (pure),
//! [`contents`] groups them (pure), [`lang`] words days, dates, subjects and labels,
//! [`calendar`] writes the iCalendar attachment, [`texts`] picks what the annotations and
//! draft texts add (hit sentences, impact items, the best-interests note), [`render`] fills
//! the templates and builds the message. This module does not poll portals, evaluate watchlists itself (it calls the
//! matcher) or talk SMTP (see [`crate::mailer`]).

pub mod calendar;
pub mod contents;
pub mod item;
pub mod lang;
pub mod render;
pub mod select;
pub mod texts;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, DurationRound, NaiveDate, Utc};
use lettre::address::Envelope;

use crate::config::{Config, RecipientConfig};
use crate::mailer::{Mailer, format_instant};
use crate::matcher::WatchlistSet;
use crate::model::StoredDraft;
use crate::store::{
    CandidateRecipient, NewOutboxEntry, OutboxEntry, OutboxStatus, SharedStore, Store, StoreError,
    read_or_evaluate, watchlist_set_version,
};

pub use contents::{
    ChangeItem, DigestContents, RecipientHistory, ReminderItem, SourceHealth, build_contents,
    change_notes, event_notes,
};
pub use item::{ChangeNote, DigestItem, EvaluatedDraft, ItemWindow, WindowState, opinion_url};
pub use lang::{days_left_phrase, format_date, format_window};
pub use render::{
    RenderError, RenderedDigest, Templates, build_message, digest_message_id, highlight_html,
};
pub use select::select_items;
pub use texts::DraftNotes;

/// Environment variable naming a failpoint, a test hook for crash tests. Compiled in only
/// with the cargo feature `failpoints`, which the test build enables (the package is its own
/// dev-dependency with that feature) and release builds do not, so no environment variable
/// can make a production daemon exit. `before-send`: the process exits with
/// [`FAILPOINT_EXIT_CODE`] right after the new digests were recorded in the outbox and before
/// any is sent (the next run must send each exactly once, with the recorded Message-ID).
/// `after-send`: it exits right after the mail server accepted a digest and before it is
/// marked sent (the next run sends it once more, with the same Message-ID).
#[cfg(feature = "failpoints")]
pub const FAILPOINT_ENV_VAR: &str = "DRAFTWATCH_FAILPOINT";

/// Exit code of the failpoints.
#[cfg(feature = "failpoints")]
pub const FAILPOINT_EXIT_CODE: i32 = 86;

/// The longest wait between two attempts at a digest the server could not take.
const MAX_RETRY_DELAY: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// Everything one digest run needs. Borrowed, so the caller keeps ownership of long-lived
/// state (the store behind its mutex, the current watchlists).
pub struct DigestContext<'a> {
    /// The configuration (recipients, sender, time zone, digest settings).
    pub config: &'a Config,
    /// The store; locked only for short synchronous calls, never across an `.await`.
    pub store: &'a SharedStore,
    /// The watchlists to evaluate drafts with.
    pub watchlists: &'a WatchlistSet,
    /// Where messages go.
    pub mailer: &'a dyn Mailer,
    /// The instant of this run; its date in `config.timezone` is "today", and truncated to
    /// the minute it is the digest's scheduled time (one digest per recipient per minute).
    pub now: DateTime<Utc>,
    /// Render but neither send nor record anything.
    pub dry_run: bool,
    /// Restrict the run to the recipient of this name.
    pub only_recipient: Option<&'a str>,
}

impl DigestContext<'_> {
    /// The digest's scheduled time: `now` truncated to the minute.
    pub fn scheduled_for(&self) -> DateTime<Utc> {
        self.now
            .duration_trunc(chrono::TimeDelta::minutes(1))
            .unwrap_or(self.now)
    }
}

/// Why a whole digest run could not proceed (one recipient's failure is not this; it is
/// recorded in the [`DigestSummary`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// Reading or writing the store failed.
    #[error("digest store access failed: {0}")]
    Store(#[from] StoreError),
    /// The templates could not be loaded.
    #[error(transparent)]
    Templates(#[from] RenderError),
    /// `only_recipient` names nobody in the configuration.
    #[error("no recipient named {0:?} in the configuration")]
    UnknownRecipient(String),
    /// A calendar subscription file could not be written.
    #[error("cannot write the calendar subscription file")]
    CalendarFile(#[source] crate::mailer::MailError),
}

/// What a dry run would send: the headers and the plain-text part, exactly as the real run
/// at the same instant would build them.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRunMessage {
    /// Header names and (decoded) values, in the order they are written.
    pub headers: Vec<(String, String)>,
    /// The rendered digest.
    pub digest: RenderedDigest,
}

impl fmt::Display for DryRunMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        writeln!(f)?;
        write!(f, "{}", self.digest.text)?;
        if !self.digest.text.ends_with('\n') {
            writeln!(f)?;
        }
        if let Some(calendar) = &self.digest.calendar {
            let events = calendar.matches("BEGIN:VEVENT").count();
            writeln!(
                f,
                "[attachment {}: text/calendar, {events} events]",
                render::CALENDAR_FILE_NAME
            )?;
        }
        Ok(())
    }
}

/// What happened for one recipient (or one retried digest).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecipientOutcome {
    /// The digest was accepted and its drafts are recorded as delivered.
    Sent {
        /// Number of new drafts in it.
        drafts: usize,
        /// Its Message-ID.
        message_id: String,
    },
    /// Nothing new for this recipient.
    NothingNew,
    /// This recipient's digest for this scheduled time was built before (by an earlier
    /// run in the same minute); it is not built twice.
    AlreadyRecorded {
        /// Its Message-ID.
        message_id: String,
        /// Where it stands.
        status: OutboxStatus,
    },
    /// Dry run: what would have been sent.
    DryRun(Box<DryRunMessage>),
    /// Something failed. A digest that was recorded stays in the outbox: it is retried
    /// when `permanent` is false and kept for the admin when it is true.
    Failed {
        /// What went wrong, for the log and the admin.
        reason: String,
        /// True when the failure will not go away by retrying (e.g. a 5xx refusal).
        permanent: bool,
    },
}

/// One line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientReport {
    /// Recipient name.
    pub recipient: String,
    /// Outcome.
    pub outcome: RecipientOutcome,
}

/// The result of a digest run, printed by `draftwatch digest` and logged by the daemon.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigestSummary {
    /// Digests of earlier runs that were pending and were tried again, oldest first.
    pub retried: Vec<RecipientReport>,
    /// One report per recipient handled, in configuration order.
    pub recipients: Vec<RecipientReport>,
    /// The drafts this run read and evaluated to build its digests.
    pub cost: DigestCost,
}

impl DigestSummary {
    /// Whether any digest failed (the CLI exits non-zero then).
    pub fn has_failures(&self) -> bool {
        self.retried
            .iter()
            .chain(&self.recipients)
            .any(|report| matches!(report.outcome, RecipientOutcome::Failed { .. }))
    }
}

impl fmt::Display for DigestSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.recipients.is_empty() && self.retried.is_empty() {
            return writeln!(f, "no recipients");
        }
        for report in &self.retried {
            write!(f, "earlier digest for ")?;
            write_report(f, report)?;
        }
        for report in &self.recipients {
            write_report(f, report)?;
        }
        Ok(())
    }
}

fn write_report(f: &mut fmt::Formatter<'_>, report: &RecipientReport) -> fmt::Result {
    let name = &report.recipient;
    match &report.outcome {
        RecipientOutcome::Sent { drafts, message_id } => {
            writeln!(f, "{name}: sent {drafts} drafts ({message_id})")
        }
        RecipientOutcome::NothingNew => writeln!(f, "{name}: nothing new"),
        RecipientOutcome::AlreadyRecorded { message_id, status } => writeln!(
            f,
            "{name}: digest for this time already built ({message_id}, {status})"
        ),
        RecipientOutcome::Failed { reason, .. } => writeln!(f, "{name}: failed: {reason}"),
        RecipientOutcome::DryRun(message) => {
            writeln!(
                f,
                "{name}: would send {} drafts (dry run)",
                message.digest.draft_ids.len()
            )?;
            write!(f, "{message}")
        }
    }
}

/// What [`record_digests`] did for one recipient.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecordOutcome {
    /// A digest was built and recorded as pending.
    Recorded {
        /// Its outbox row.
        outbox_id: i64,
        /// Its Message-ID.
        message_id: String,
    },
    /// Not recorded; the outcome says why (nothing new, already built, dry run, failure).
    NotRecorded(RecipientOutcome),
}

/// A whole digest run: send pending digests that are due, record this run's new digests,
/// then send those.
///
/// With `ctx.dry_run` nothing is sent or recorded; each recipient's outcome shows the
/// message that would be sent.
pub async fn send_digests(ctx: &DigestContext<'_>) -> Result<DigestSummary, DigestError> {
    let recipients = chosen_recipients(ctx)?;
    run_for(ctx, &recipients).await
}

/// [`send_digests`] for the recipients named in `names` only (in configuration order): the
/// daemon's job for one digest schedule. A name not in the configuration is an error.
pub async fn send_digests_to(
    ctx: &DigestContext<'_>,
    names: &[String],
) -> Result<DigestSummary, DigestError> {
    let recipients = named_recipients(ctx.config, names)?;
    run_for(ctx, &recipients).await
}

async fn run_for(
    ctx: &DigestContext<'_>,
    recipients: &[&RecipientConfig],
) -> Result<DigestSummary, DigestError> {
    let mut summary = DigestSummary::default();
    if !ctx.dry_run {
        // Earlier digests first: they are older news, and their drafts stay out of new ones.
        for (_, report) in deliver_due_for(ctx, recipients).await? {
            log_outcome(&report.recipient, &report.outcome);
            summary.retried.push(report);
        }
    }
    let (recorded, cost) = record_for_recipients(ctx, recipients)?;
    summary.cost = cost;
    failpoint("before-send");
    let mut sent = if ctx.dry_run {
        Vec::new()
    } else {
        deliver_due_for(ctx, recipients).await?
    };
    for (recipient, outcome) in recorded {
        let outcome = match outcome {
            RecordOutcome::NotRecorded(outcome) => outcome,
            RecordOutcome::Recorded { message_id, .. } => {
                match sent.iter().position(|(id, _)| *id == message_id) {
                    Some(index) => sent.remove(index).1.outcome,
                    None => RecipientOutcome::Failed {
                        reason: format!("digest {message_id} was recorded but not yet sent"),
                        permanent: false,
                    },
                }
            }
        };
        log_outcome(&recipient, &outcome);
        summary
            .recipients
            .push(RecipientReport { recipient, outcome });
    }
    // Anything else sent in the second pass became due meanwhile: report it too.
    for (_, report) in sent {
        log_outcome(&report.recipient, &report.outcome);
        summary.retried.push(report);
    }
    debug_assert!(recipients.len() == summary.recipients.len());
    Ok(summary)
}

/// The record phase: for each chosen recipient without a digest for this scheduled time,
/// build one and record it in the outbox as pending (nothing is sent). With
/// `ctx.dry_run` nothing is recorded and the outcome carries the message instead.
pub fn record_digests(
    ctx: &DigestContext<'_>,
) -> Result<Vec<(String, RecordOutcome)>, DigestError> {
    Ok(record_for_recipients(ctx, &chosen_recipients(ctx)?)?.0)
}

fn record_for_recipients(
    ctx: &DigestContext<'_>,
    recipients: &[&RecipientConfig],
) -> Result<(Vec<(String, RecordOutcome)>, DigestCost), DigestError> {
    let templates = load_templates(ctx.config)?;
    let today = ctx.now.with_timezone(&ctx.config.timezone).date_naive();
    // The history this run covers ends here, before its candidates are read: an event a poll
    // records meanwhile is past every digest's mark and comes in the next run, never lost
    // between the candidates (read without it) and the mark (that would include it).
    let events_upto = ctx.store.lock()?.max_event_id()?;
    let candidates = digest_candidates(ctx, recipients)?;
    let evaluated = &candidates.drafts;
    let sources = source_health(ctx)?;
    let mut outcomes = Vec::new();
    for &recipient in recipients {
        let built = Built {
            evaluated,
            sources: &sources,
            today,
            events_upto,
        };
        let outcome = record_for(ctx, &templates, recipient, &built).unwrap_or_else(|error| {
            RecordOutcome::NotRecorded(RecipientOutcome::Failed {
                reason: error.to_string(),
                permanent: false,
            })
        });
        outcomes.push((recipient.name.clone(), outcome));
    }
    Ok((outcomes, candidates.cost))
}

/// The send phase: send every pending digest (of the chosen recipients) whose next attempt
/// is due, oldest first, and record the result. Returns each digest's Message-ID with its
/// report.
pub async fn deliver_due_digests(
    ctx: &DigestContext<'_>,
) -> Result<Vec<(String, RecipientReport)>, DigestError> {
    deliver_due_for(ctx, &chosen_recipients(ctx)?).await
}

async fn deliver_due_for(
    ctx: &DigestContext<'_>,
    recipients: &[&RecipientConfig],
) -> Result<Vec<(String, RecipientReport)>, DigestError> {
    let names: HashSet<&str> = recipients
        .iter()
        .map(|recipient| recipient.name.as_str())
        .collect();
    let due = ctx.store.lock()?.due_outbox(ctx.now)?;
    let mut reports = Vec::new();
    for entry in due
        .into_iter()
        .filter(|entry| names.contains(entry.recipient.as_str()))
    {
        // Another job (the retry loop, a scheduled run, `draftwatch digest`) may be sending
        // it right now: only the one holding the claim sends.
        if !ctx.store.lock()?.claim_outbox_entry(entry.id, ctx.now)? {
            continue;
        }
        let outcome = deliver(ctx, &entry).await?;
        reports.push((
            entry.message_id.clone(),
            RecipientReport {
                recipient: entry.recipient,
                outcome,
            },
        ));
    }
    Ok(reports)
}

/// Send one recorded digest and record what happened.
async fn deliver(
    ctx: &DigestContext<'_>,
    entry: &OutboxEntry,
) -> Result<RecipientOutcome, DigestError> {
    let envelope = match envelope_of(entry) {
        Ok(envelope) => envelope,
        Err(reason) => {
            ctx.store
                .lock()?
                .mark_outbox_failed(entry.id, &reason, ctx.now)?;
            return Ok(RecipientOutcome::Failed {
                reason,
                permanent: true,
            });
        }
    };
    match ctx.mailer.send_raw(&envelope, &entry.raw_message).await {
        Ok(()) => {
            failpoint("after-send");
            let marked = ctx
                .store
                .lock()
                .and_then(|mut store| store.mark_outbox_sent(entry.id, ctx.now));
            Ok(match marked {
                Ok(()) => RecipientOutcome::Sent {
                    drafts: entry.draft_ids.len(),
                    message_id: entry.message_id.clone(),
                },
                Err(error) => RecipientOutcome::Failed {
                    reason: format!(
                        "digest {} was sent but could not be recorded, so it will be sent \
                         again (same Message-ID): {error}",
                        entry.message_id
                    ),
                    permanent: false,
                },
            })
        }
        Err(error) if error.is_permanent() => {
            let reason = error.to_string();
            ctx.store
                .lock()?
                .mark_outbox_failed(entry.id, &reason, ctx.now)?;
            Ok(RecipientOutcome::Failed {
                reason: format!(
                    "digest {} refused for good, not retried: {reason}",
                    entry.message_id
                ),
                permanent: true,
            })
        }
        Err(error) => {
            let next = ctx.now + retry_delay(ctx, entry.attempts.saturating_add(1));
            let reason = error.to_string();
            ctx.store
                .lock()?
                .mark_outbox_retry(entry.id, &reason, next)?;
            Ok(RecipientOutcome::Failed {
                reason: format!(
                    "digest {} not sent yet, next attempt {}: {reason}",
                    entry.message_id,
                    format_instant(next, ctx.config.timezone)
                ),
                permanent: false,
            })
        }
    }
}

/// Wait before attempt number `attempt + 1`: the base delay doubled per failed attempt,
/// at most [`MAX_RETRY_DELAY`].
fn retry_delay(ctx: &DigestContext<'_>, attempt: u32) -> chrono::TimeDelta {
    let base =
        chrono::TimeDelta::from_std(ctx.config.digest.retry_base_delay).unwrap_or(MAX_RETRY_DELAY);
    let factor = 1_i32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(i32::MAX);
    base.checked_mul(factor)
        .map_or(MAX_RETRY_DELAY, |delay| delay.min(MAX_RETRY_DELAY))
}

/// The envelope recorded with a digest ([`OutboxEntry::envelope`]); the error is the reason
/// recorded on the digest.
fn envelope_of(entry: &OutboxEntry) -> Result<Envelope, String> {
    entry.envelope().map_err(|error| error.to_string())
}

fn chosen_recipients<'c>(ctx: &DigestContext<'c>) -> Result<Vec<&'c RecipientConfig>, DigestError> {
    match ctx.only_recipient {
        Some(name) => named_recipients(ctx.config, &[name.to_owned()]),
        None => Ok(ctx.config.recipients.iter().collect()),
    }
}

/// The recipients named in `names`, in configuration order.
fn named_recipients<'c>(
    config: &'c Config,
    names: &[String],
) -> Result<Vec<&'c RecipientConfig>, DigestError> {
    if let Some(unknown) = names.iter().find(|name| config.recipient(name).is_none()) {
        return Err(DigestError::UnknownRecipient(unknown.clone()));
    }
    Ok(config
        .recipients
        .iter()
        .filter(|recipient| names.contains(&recipient.name))
        .collect())
}

/// Keep one calendar file per recipient current in `[digest] calendar_dir`, for calendar
/// subscription through any static web server: `<recipient-slug>.ics` holds an all-day event
/// for every open (or not yet open) comment window among the drafts that match the
/// recipient's watchlists, whether or not a digest reported them yet. The UIDs are those of
/// the digest attachments, so both feed the same calendar events. Each file is replaced
/// atomically, so a web server never serves half a file. Returns the files written.
pub fn write_calendar_files(ctx: &DigestContext<'_>) -> Result<CalendarFiles, DigestError> {
    let today = ctx.now.with_timezone(&ctx.config.timezone).date_naive();
    let version = watchlist_set_version(ctx.watchlists);
    let ids = ctx.store.lock()?.calendar_candidate_ids(today)?;
    let candidates = evaluated_candidates(ctx, &version, ids)?;
    let dir = &ctx.config.digest.calendar_dir;
    let mut written = Vec::new();
    for recipient in &ctx.config.recipients {
        let items = select_items(recipient, &candidates.drafts, &HashSet::new(), today);
        let open: Vec<&DigestItem<'_>> = items
            .iter()
            .filter(|item| !item.windows.is_empty())
            .collect();
        let text = calendar::subscription_calendar(&open, recipient.language);
        let name = format!("{}.ics", crate::mailer::slug(&recipient.name));
        crate::mailer::write_atomically(dir, &name, text.as_bytes())
            .map_err(DigestError::CalendarFile)?;
        written.push(dir.join(name));
    }
    Ok(CalendarFiles {
        written,
        cost: candidates.cost,
    })
}

/// What [`write_calendar_files`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarFiles {
    /// The files written, one per recipient.
    pub written: Vec<PathBuf>,
    /// The drafts it read and evaluated: only windows that have not ended.
    pub cost: DigestCost,
}

/// The candidate drafts with their verdicts, shared by all recipients, and what reading
/// them cost.
#[derive(Debug, Default)]
pub struct Candidates {
    /// The drafts, each with its (fired) verdicts.
    pub drafts: Vec<EvaluatedDraft>,
    /// What reading them cost.
    pub cost: DigestCost,
}

/// What a digest run or a calendar refresh read and evaluated: the behaviour behind its
/// cost (it follows the open, undelivered and changed drafts, not the whole history).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestCost {
    /// Candidate drafts read from the store.
    pub loaded: usize,
    /// Candidates the matcher evaluated because their stored verdicts were stale.
    pub evaluated: usize,
}

/// The drafts `recipients`' digests can list on `today` (see
/// [`Store::digest_candidate_ids`]), with their verdicts: stored ones where current, the
/// others evaluated on the spot (and stored, except in a dry run), so a digest is never
/// wrong while verdicts are being recomputed in the background.
pub fn digest_candidates(
    ctx: &DigestContext<'_>,
    recipients: &[&RecipientConfig],
) -> Result<Candidates, DigestError> {
    let today = ctx.now.with_timezone(&ctx.config.timezone).date_naive();
    let version = watchlist_set_version(ctx.watchlists);
    let mut ids = BTreeSet::new();
    {
        let store = ctx.store.lock()?;
        // Windows still open: the same for every recipient, read once.
        ids.extend(store.calendar_candidate_ids(today)?);
        for recipient in recipients {
            let since = store.last_digest_at(&recipient.name)?;
            let wanted = CandidateRecipient {
                name: &recipient.name,
                watchlists: &recipient.watchlists,
            };
            ids.extend(store.digest_candidate_ids(wanted, &version, since)?);
            // Drafts reported before with news in their history since the last digest.
            let mark = store.events_mark(&recipient.name)?;
            ids.extend(store.delivered_draft_ids_with_events_after(&recipient.name, mark)?);
        }
    }
    evaluated_candidates(ctx, &version, ids)
}

/// The drafts of `ids` with their verdicts under `ctx.watchlists`.
fn evaluated_candidates(
    ctx: &DigestContext<'_>,
    version: &str,
    ids: BTreeSet<i64>,
) -> Result<Candidates, DigestError> {
    let read = read_or_evaluate(ctx.store, ctx.watchlists, version, ids, !ctx.dry_run)?;
    Ok(Candidates {
        cost: DigestCost {
            loaded: read.loaded,
            evaluated: read.evaluated,
        },
        drafts: read
            .drafts
            .into_iter()
            .map(|(draft, verdicts)| EvaluatedDraft { draft, verdicts })
            .collect(),
    })
}

/// The footer: how each enabled source has been doing.
fn source_health(ctx: &DigestContext<'_>) -> Result<Vec<SourceHealth>, DigestError> {
    let store = ctx.store.lock()?;
    let mut health = Vec::new();
    for source in ctx.config.sources.iter().filter(|source| source.enabled) {
        let last_success = store.last_successful_poll(&source.name)?;
        let latest = store.recent_polls(Some(&source.name), 1)?;
        let latest_error = latest.first().and_then(|poll| poll.error.as_deref());
        health.push(SourceHealth::judge(
            &source.name,
            last_success,
            latest_error,
            ctx.now,
        ));
    }
    Ok(health)
}

/// The folder whose template files override the embedded ones: `templates/` next to the
/// configuration file. `None` for the embedded configuration.
pub fn template_override_dir(config: &Config) -> Option<PathBuf> {
    config
        .source_path
        .as_deref()
        .and_then(|path| path.parent())
        .map(|dir| dir.join("templates"))
}

fn load_templates(config: &Config) -> Result<Templates, RenderError> {
    match template_override_dir(config) {
        Some(dir) => Templates::with_overrides(&dir),
        None => Templates::embedded(),
    }
}

/// What the store knows of `recipient`'s history that matters for the drafts in `matched`,
/// with the history events up to `events_upto` (the newest event when the digest is built;
/// the digest records it as its mark, [`Store::record_outbox_through`]).
fn read_history(
    store: &Store,
    recipient: &str,
    matched: &[i64],
    events_upto: i64,
) -> Result<RecipientHistory, StoreError> {
    let delivered = store.delivered_draft_ids(recipient)?;
    let pending = store.pending_draft_ids(recipient)?;
    let reminders_given = store.reminders_given(recipient)?;
    let mark = store.events_mark(recipient)?;
    let mut changes = HashMap::new();
    let mut events = HashMap::new();
    let since = store.last_digest_at(recipient)?;
    for &id in matched {
        let found = if delivered.contains(&id) {
            if let Some(since) = since {
                let found = store.changes_since(id, since)?;
                if !found.is_empty() {
                    changes.insert(id, found);
                }
            }
            // News: what happened after the last event the recipient's digests covered.
            store.draft_events_between(id, mark, events_upto)?
        } else {
            // First report: where the draft has been so far.
            store.draft_events_between(id, 0, events_upto)?
        };
        if !found.is_empty() {
            events.insert(id, found);
        }
    }
    Ok(RecipientHistory {
        delivered,
        pending,
        reminders_given,
        changes,
        events,
    })
}

/// Build `recipient`'s digest and record it (or, in a dry run, show it).
/// What every recipient's digest of one run is built from.
struct Built<'a> {
    /// The candidate drafts with their verdicts.
    evaluated: &'a [EvaluatedDraft],
    /// The footer's source health.
    sources: &'a [SourceHealth],
    /// The run's local day.
    today: NaiveDate,
    /// The newest history event the run covers.
    events_upto: i64,
}

fn record_for(
    ctx: &DigestContext<'_>,
    templates: &Templates,
    recipient: &RecipientConfig,
    built: &Built<'_>,
) -> Result<RecordOutcome, DigestError> {
    let Built {
        evaluated,
        sources,
        today,
        events_upto,
    } = *built;
    let scheduled_for = ctx.scheduled_for();
    if !ctx.dry_run
        && let Some(entry) = ctx
            .store
            .lock()?
            .find_outbox_entry(&recipient.name, scheduled_for)?
    {
        return Ok(RecordOutcome::NotRecorded(
            RecipientOutcome::AlreadyRecorded {
                message_id: entry.message_id,
                status: entry.status,
            },
        ));
    }
    let matched: Vec<i64> = select_items(recipient, evaluated, &HashSet::new(), today)
        .iter()
        .map(|item| item.draft.id)
        .collect();
    let events_through = events_upto;
    let history = read_history(
        &*ctx.store.lock()?,
        &recipient.name,
        &matched,
        events_through,
    )?;
    let contents = build_contents(
        recipient,
        evaluated,
        &history,
        &ctx.config.digest,
        today,
        sources.to_vec(),
    );
    // A "nothing new" mail only when nothing is on its way either: a pending digest will
    // bring news once the server takes it.
    if contents.is_empty() && !(recipient.send_when_empty && history.pending.is_empty()) {
        return Ok(RecordOutcome::NotRecorded(RecipientOutcome::NothingNew));
    }
    let notes = draft_notes(ctx, &contents)?;
    let from = &ctx.config.mail.from;
    let message_id = digest_message_id(from, &recipient.name, scheduled_for);
    let built = match build_within_limit(
        ctx,
        templates,
        recipient,
        contents,
        &notes,
        today,
        &message_id,
    ) {
        Ok(built) => built,
        Err(reason) => {
            return Ok(RecordOutcome::NotRecorded(RecipientOutcome::Failed {
                reason,
                permanent: true,
            }));
        }
    };
    let BuiltDigest {
        digest,
        contents,
        raw,
        envelope,
    } = built;
    if ctx.dry_run {
        let headers = dry_run_headers(ctx, recipient, &digest, &message_id);
        return Ok(RecordOutcome::NotRecorded(RecipientOutcome::DryRun(
            Box::new(DryRunMessage { headers, digest }),
        )));
    }
    let envelope_from = envelope.from().map(ToString::to_string).unwrap_or_default();
    let envelope_to: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
    let reminders = contents.reminder_keys(&ctx.config.digest.reminder_days);
    let recorded = ctx.store.lock()?.record_outbox_through(
        &NewOutboxEntry {
            recipient: &recipient.name,
            scheduled_for,
            built_at: ctx.now,
            message_id: &message_id,
            subject: &digest.subject,
            envelope_from: &envelope_from,
            envelope_to: &envelope_to,
            raw_message: &raw,
            draft_ids: &digest.draft_ids,
            reminders: &reminders,
        },
        events_through,
    )?;
    Ok(match recorded {
        Some(outbox_id) => RecordOutcome::Recorded {
            outbox_id,
            message_id,
        },
        // Another process recorded one in the meantime; it will send it.
        None => RecordOutcome::NotRecorded(RecipientOutcome::AlreadyRecorded {
            message_id,
            status: OutboxStatus::Pending,
        }),
    })
}

/// What the annotations of the drafts `contents` lists add to the digest: their impact
/// items, read for those drafts only (never their texts; see [`texts`]).
fn draft_notes(
    ctx: &DigestContext<'_>,
    contents: &DigestContents<'_>,
) -> Result<DraftNotes, DigestError> {
    let ids: Vec<i64> = contents
        .new_items()
        .chain(contents.reminders.iter().map(|reminder| &reminder.item))
        .chain(contents.changes.iter().map(|change| &change.item))
        .map(|item| item.draft.id)
        .collect();
    Ok(DraftNotes::load(&*ctx.store.lock()?, ctx.watchlists, &ids)?)
}

/// A digest rendered and assembled, cut to the size limit.
struct BuiltDigest<'a> {
    digest: RenderedDigest,
    contents: DigestContents<'a>,
    raw: Vec<u8>,
    envelope: Envelope,
}

/// A rendered digest and its message bytes, before it is known whether they fit.
struct Assembled {
    digest: RenderedDigest,
    raw: Vec<u8>,
    envelope: Envelope,
}

/// The longest a field of a lone oversized draft is shortened to first, in characters; each
/// further try halves it, down to [`SHORTEST_FIELD_CHARS`].
const LONGEST_SHORTENED_FIELD_CHARS: usize = 1_000;

/// The shortest a field is cut to: enough to recognise the draft.
const SHORTEST_FIELD_CHARS: usize = 60;

/// The most a rendered byte can grow in the message: lettre encodes each part in the most
/// compact of 7bit, quoted-printable and base64, so never larger than base64 (4 bytes per 3,
/// plus CRLF after every 76), in thousandths.
const MAX_ENCODED_PER_MILLE: usize = 1_369;

/// Room kept for what the cut itself adds (the "… N more in the next message" line, a
/// subject whose counts changed), in bytes.
const CUT_NOTE_ALLOWANCE: usize = 512;

/// Render and assemble `contents`; when the message exceeds `[digest] max_bytes`, keep the
/// largest number of new drafts (in digest order) that fits, at least one, and note the
/// rest, which stay undelivered for the next digest. A draft too large to fit even alone
/// goes with its long fields shortened: were it left out, it would never be delivered and
/// every later digest would only announce it. Reminders and changes are always kept (they
/// are few, and a change left out would be lost). The error is a reason for the admin.
///
/// The whole digest is rendered once; only when its rendered text fits the limit is it
/// encoded (encoding only adds bytes). Otherwise the number of drafts that fit is chosen
/// from an estimate (the digest without new drafts, encoded, plus each draft's share of the
/// rendered growth at the largest transfer encoding's rate), and that digest is rendered
/// and encoded once. The message is never re-encoded per try; only an estimate proved
/// wrong by the encoded result (not seen in practice) costs another round.
fn build_within_limit<'a>(
    ctx: &DigestContext<'_>,
    templates: &Templates,
    recipient: &RecipientConfig,
    contents: DigestContents<'a>,
    notes: &DraftNotes,
    today: NaiveDate,
    message_id: &str,
) -> Result<BuiltDigest<'a>, String> {
    let render = |contents: &DigestContents<'_>| -> Result<RenderedDigest, String> {
        templates
            .render_contents_with(recipient, contents, notes, today, ctx.config.timezone)
            .map_err(|error| error.to_string())
    };
    let encode = |digest: RenderedDigest| -> Result<Assembled, String> {
        let message = build_message(
            &ctx.config.mail.from,
            recipient,
            &digest,
            message_id,
            ctx.now,
        )
        .map_err(|error| error.to_string())?;
        Ok(Assembled {
            envelope: message.envelope().clone(),
            raw: message.formatted(),
            digest,
        })
    };
    let assemble = |contents: &DigestContents<'_>| encode(render(contents)?);
    let limit = ctx.config.digest.max_bytes;
    let fits = |assembled: &Assembled| assembled.raw.len() <= limit;
    let new_count = contents.new_items().count();
    let full = render(&contents)?;
    if new_count == 0 {
        return Ok(encode(full)?.with(contents));
    }
    let full_len = full.rendered_len();
    if full_len <= limit {
        let assembled = encode(full)?;
        if fits(&assembled) {
            return Ok(assembled.with(contents));
        }
    }
    let cut = |keep: usize| {
        let mut smaller = contents.clone();
        smaller.keep_new(keep);
        smaller
    };
    let base_digest = render(&cut(0))?;
    let base_len = base_digest.rendered_len();
    let base_encoded = encode(base_digest)?.raw.len();
    let language = recipient.language;
    let weights: Vec<usize> = contents
        .new_items()
        .map(|item| render::item_weight(item, notes, language).max(1))
        .collect();
    let total_weight: usize = weights.iter().sum();
    let growth = full_len.saturating_sub(base_len);
    // Largest `keep` whose estimated message fits; `new_count` itself does not.
    let mut budget = limit.saturating_sub(base_encoded + CUT_NOTE_ALLOWANCE);
    let mut keep = 0;
    for weight in &weights {
        let share = growth.saturating_mul(*weight) / total_weight.max(1);
        let encoded = share.saturating_mul(MAX_ENCODED_PER_MILLE) / 1_000;
        if encoded > budget || keep + 1 >= new_count {
            break;
        }
        budget -= encoded;
        keep += 1;
    }
    // One draft is tried whole even when the estimate says none fits: only a draft that
    // does not fit alone is shortened.
    keep = keep.max(1);
    let mut chosen = None;
    while keep > 0 {
        let smaller = cut(keep);
        let candidate = assemble(&smaller)?;
        if fits(&candidate) {
            chosen = Some(candidate.with(smaller));
            break;
        }
        // The estimate was low: shrink in proportion to the excess, by one at least.
        let scaled = keep.saturating_mul(limit) / candidate.raw.len().max(1);
        keep = scaled.min(keep - 1);
    }
    let chosen = match chosen {
        Some(chosen) => chosen,
        None => {
            let lone = cut(1);
            let shortened = assemble_shortened(&lone, &assemble, &fits)?;
            if !fits(&shortened) {
                tracing::warn!(
                    recipient = %recipient.name,
                    bytes = shortened.raw.len(),
                    limit,
                    "Digest exceeds max_bytes even with one shortened draft; sending it anyway."
                );
            }
            shortened.with(lone)
        }
    };
    if chosen.contents.left_out > 0 {
        tracing::info!(
            recipient = %recipient.name,
            left_out = chosen.contents.left_out,
            limit,
            "Digest cut to its size limit; the drafts left out come in the next digest."
        );
    }
    Ok(chosen)
}

/// `lone` (a digest with one new draft) assembled with that draft's long fields (title,
/// description, ministry, kind) cut with an ellipsis, shorter on each try until the message
/// fits or the fields are at [`SHORTEST_FIELD_CHARS`]. Only the message shows the shortened
/// text; the store keeps the draft whole.
fn assemble_shortened(
    lone: &DigestContents<'_>,
    assemble: &dyn Fn(&DigestContents<'_>) -> Result<Assembled, String>,
    fits: &dyn Fn(&Assembled) -> bool,
) -> Result<Assembled, String> {
    let Some(original) = lone.new_items().next().map(|item| item.draft) else {
        return assemble(lone);
    };
    let mut max_chars = LONGEST_SHORTENED_FIELD_CHARS;
    loop {
        let shortened = shortened_draft(original, max_chars);
        let mut view = lone.clone();
        for item in view.new_items_mut() {
            item.draft = &shortened;
        }
        let assembled = assemble(&view)?;
        if fits(&assembled) || max_chars <= SHORTEST_FIELD_CHARS {
            tracing::warn!(
                draft = original.id,
                max_chars,
                bytes = assembled.raw.len(),
                "Draft too large for the digest's max_bytes; its long fields were shortened."
            );
            return Ok(assembled);
        }
        max_chars = (max_chars / 2).max(SHORTEST_FIELD_CHARS);
    }
}

/// `draft` with its title, description, ministry and kind cut to `max_chars` characters,
/// each cut one ending in "…".
fn shortened_draft(draft: &StoredDraft, max_chars: usize) -> StoredDraft {
    let cut = |text: &str| match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text.to_owned(),
    };
    StoredDraft {
        title: cut(&draft.title),
        description: draft.description.as_deref().map(cut),
        ministry: draft.ministry.as_deref().map(cut),
        kind: draft.kind.as_deref().map(cut),
        ..draft.clone()
    }
}

impl Assembled {
    /// Pair the message with the contents it was rendered from.
    fn with(self, contents: DigestContents<'_>) -> BuiltDigest<'_> {
        BuiltDigest {
            digest: self.digest,
            contents,
            raw: self.raw,
            envelope: self.envelope,
        }
    }
}

/// The headers the real message would carry, decoded for reading.
fn dry_run_headers(
    ctx: &DigestContext<'_>,
    recipient: &RecipientConfig,
    digest: &RenderedDigest,
    message_id: &str,
) -> Vec<(String, String)> {
    let to = recipient
        .addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let content_type = if digest.calendar.is_some() {
        "multipart/mixed (multipart/alternative text + html, text/calendar attachment)"
    } else {
        "multipart/alternative (text + html)"
    };
    vec![
        ("From".to_owned(), ctx.config.mail.from.to_string()),
        ("To".to_owned(), to),
        ("Subject".to_owned(), digest.subject.clone()),
        ("Date".to_owned(), ctx.now.to_rfc2822()),
        ("Message-ID".to_owned(), message_id.to_owned()),
        ("Auto-Submitted".to_owned(), "auto-generated".to_owned()),
        (
            "List-Id".to_owned(),
            render::ListId::for_sender(&ctx.config.mail.from).0,
        ),
        ("Content-Type".to_owned(), content_type.to_owned()),
    ]
}

fn log_outcome(recipient: &str, outcome: &RecipientOutcome) {
    match outcome {
        RecipientOutcome::Failed { reason, permanent } => tracing::error!(
            recipient = %recipient,
            permanent = *permanent,
            reason = %reason,
            "Digest failed."
        ),
        RecipientOutcome::Sent { drafts, message_id } => tracing::info!(
            recipient = %recipient,
            drafts = *drafts,
            message_id = %message_id,
            "Digest sent."
        ),
        RecipientOutcome::NothingNew => tracing::debug!(recipient = %recipient, "Nothing new."),
        RecipientOutcome::AlreadyRecorded { message_id, .. } => tracing::info!(
            recipient = %recipient,
            message_id = %message_id,
            "Digest for this time already built."
        ),
        RecipientOutcome::DryRun(message) => tracing::info!(
            recipient = %recipient,
            drafts = message.digest.draft_ids.len(),
            "Dry run: digest rendered, not sent."
        ),
    }
}

/// See [`FAILPOINT_ENV_VAR`]: the test hook for crashes at `name`.
#[cfg(feature = "failpoints")]
fn failpoint(name: &str) {
    if std::env::var(FAILPOINT_ENV_VAR).is_ok_and(|value| value == name) {
        tracing::warn!("Failpoint {name}: exiting.");
        std::process::exit(FAILPOINT_EXIT_CODE);
    }
}

/// Without the `failpoints` feature there is no hook: a crash point is just a name.
#[cfg(not(feature = "failpoints"))]
fn failpoint(_name: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_prints_one_line_per_recipient_and_dry_run_text() {
        let report = |recipient: &str, outcome| RecipientReport {
            recipient: recipient.to_owned(),
            outcome,
        };
        let summary = DigestSummary {
            recipients: vec![
                report(
                    "A",
                    RecipientOutcome::Sent {
                        drafts: 3,
                        message_id: "<m@x.lv>".to_owned(),
                    },
                ),
                report("B", RecipientOutcome::NothingNew),
                report(
                    "C",
                    RecipientOutcome::Failed {
                        reason: "mail server x:25: permanent error (550)".to_owned(),
                        permanent: true,
                    },
                ),
                report(
                    "D",
                    RecipientOutcome::DryRun(Box::new(DryRunMessage {
                        headers: vec![(
                            "Subject".to_owned(),
                            "draftwatch: 1 projekts komentēšanai".to_owned(),
                        )],
                        digest: RenderedDigest {
                            subject: "draftwatch: 1 projekts komentēšanai".to_owned(),
                            text: "Labdien!".to_owned(),
                            html: String::new(),
                            draft_ids: vec![7],
                            calendar: Some("BEGIN:VEVENT\r\n".to_owned()),
                        },
                    })),
                ),
            ],
            retried: vec![report(
                "E",
                RecipientOutcome::Sent {
                    drafts: 1,
                    message_id: "<e@x.lv>".to_owned(),
                },
            )],
            cost: DigestCost::default(),
        };
        assert!(summary.has_failures());
        assert_eq!(
            summary.to_string(),
            "earlier digest for E: sent 1 drafts (<e@x.lv>)\n\
             A: sent 3 drafts (<m@x.lv>)\nB: nothing new\n\
             C: failed: mail server x:25: permanent error (550)\n\
             D: would send 1 drafts (dry run)\nSubject: draftwatch: 1 projekts komentēšanai\n\n\
             Labdien!\n[attachment draftwatch-termini.ics: text/calendar, 1 events]\n"
        );
        assert!(!DigestSummary::default().has_failures());
    }
}
