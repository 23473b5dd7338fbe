//! Admin alerts: a short plain-text mail (Latvian first, English below) to `[admin]
//! addresses` when something breaks that nobody reading digests would notice:
//!
//! * a source has failed for longer than `[admin] source_failing_after` since its last
//!   successful poll;
//! * a poll found a list page with zero rows (the portal's markup changed, or we are
//!   being filtered), reported at once;
//! * the watchlist folder no longer loads (an edit with a mistake; the last good version
//!   stays in force until it is fixed);
//! * a digest was refused for good by the mail server.
//!
//! Each alert is sent once per incident: it is recorded in the store's `alerts` table,
//! keyed by kind, subject and the incident's start, *before* it is mailed, and marked sent
//! afterwards; an alert the server did not take is retried on the next check. Deciding what
//! is due ([`due_alerts`]) only reads the store; [`send_due_alerts`] records and mails.
//! This module does not poll, build digests or watch files: the daemon calls it.

use std::path::Path;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;

use crate::config::Config;
use crate::mailer::{AutoSubmitted, format_instant, new_message_id};
use crate::mailer::{MailError, Mailer};
use crate::matcher::WatchlistSet;
use crate::sources::SourceError;
use crate::store::{AlertKey, OutboxStatus, SharedStore, Store, StoreError};

/// How many permanently refused digests are looked at per check (the newest).
const REFUSED_DIGESTS_CHECKED: usize = 100;

/// What kind of trouble an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlertKind {
    /// A source has failed for longer than `source_failing_after`.
    SourceFailing,
    /// A poll found a list page without rows.
    SourceZeroRows,
    /// The watchlist folder does not load.
    WatchlistInvalid,
    /// A digest was refused for good.
    DigestRefused,
}

impl AlertKind {
    /// The token stored in `alerts.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::SourceFailing => "source_failing",
            AlertKind::SourceZeroRows => "source_zero_rows",
            AlertKind::WatchlistInvalid => "watchlist_invalid",
            AlertKind::DigestRefused => "digest_refused",
        }
    }
}

/// One alert due to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// What kind of trouble.
    pub kind: AlertKind,
    /// The incident's key in the store.
    pub key: AlertKey,
    /// Mail subject (Latvian / English).
    pub subject: String,
    /// Mail body: Latvian first, English below.
    pub body: String,
}

/// The watchlist folder failed to load: the error text and when the files were last
/// modified (the edit that broke it), which together identify the incident across restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchlistProblem {
    /// The loader's error text (every problem, with file, line and column).
    pub text: String,
    /// Newest modification time among the folder's files.
    pub since: DateTime<Utc>,
}

/// Load the watchlist folder the way a reload would; `None` when it loads.
pub fn check_watchlists(dir: &Path) -> Option<WatchlistProblem> {
    let errors = WatchlistSet::load_dir(dir).err()?;
    Some(WatchlistProblem {
        text: errors.to_string(),
        since: newest_modification(dir),
    })
}

/// Newest modification time of `dir` and its entries; the Unix epoch when unreadable.
fn newest_modification(dir: &Path) -> DateTime<Utc> {
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH)
    };
    let entries = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| modified(&entry.path()));
    let newest = entries
        .chain(std::iter::once(modified(dir)))
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    DateTime::<Utc>::from(newest)
}

/// The error kind a poll that found a list page without rows is stored with (taken from
/// [`SourceError::kind`] itself, so the two cannot drift apart).
fn zero_rows_kind() -> &'static str {
    SourceError::ZeroRows { url: String::new() }.kind()
}

/// Every alert that is due at `now` and was not recorded before. Only reads the store.
pub fn due_alerts(
    store: &Store,
    config: &Config,
    watchlists: Option<&WatchlistProblem>,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>, StoreError> {
    let tz = config.timezone;
    let mut candidates = Vec::new();
    let failing_after = chrono::TimeDelta::from_std(config.admin.source_failing_after)
        .unwrap_or(chrono::TimeDelta::MAX);
    for source in config.sources.iter().filter(|source| source.enabled) {
        let name = source.name.as_str();
        if let Some(first) = store.first_failure_since_success(name, Some(zero_rows_kind()))? {
            let error = first.error.clone().unwrap_or_default();
            candidates.push(alert(
                AlertKind::SourceZeroRows,
                name,
                first.started,
                format!("draftwatch: avots {name} atgriež tukšu sarakstu / source {name} returns an empty list"),
                format!(
                    "Avota {name} saraksta lapā {} nebija neviena projekta. Visticamāk portāls \
                     mainījis lapas uzbūvi vai mūsu pieprasījumi tiek filtrēti; jauni projekti \
                     netiek saņemti, līdz tas ir novērsts.\nKļūda: {error}\n\n\
                     The list page of source {name} held no drafts at {}. Most likely the \
                     portal changed its markup or is filtering our requests; no new drafts \
                     arrive until this is fixed.\nError: {error}\n",
                    format_instant(first.finished, tz),
                    format_instant(first.finished, tz),
                ),
            ));
        }
        let Some(first) = store.first_failure_since_success(name, None)? else {
            continue;
        };
        if now - first.started < failing_after {
            continue;
        }
        let last_success = store.last_successful_poll(name)?;
        let latest_error = store
            .recent_polls(Some(name), 1)?
            .into_iter()
            .next()
            .and_then(|poll| poll.error)
            .unwrap_or_default();
        let (since_lv, since_en) = match last_success {
            Some(at) => (
                format!("pēdējā veiksmīgā pārbaude {}", format_instant(at, tz)),
                format!("last successful poll {}", format_instant(at, tz)),
            ),
            None => (
                "veiksmīgas pārbaudes vēl nav bijis".to_owned(),
                "no successful poll yet".to_owned(),
            ),
        };
        let started = format_instant(first.started, tz);
        candidates.push(alert(
            AlertKind::SourceFailing,
            name,
            first.started,
            format!("draftwatch: avots {name} nedarbojas / source {name} is failing"),
            format!(
                "Avota {name} pārbaudes neizdodas kopš {started} ({since_lv}). Digestos var \
                 trūkt jaunāko projektu.\nJaunākā kļūda: {latest_error}\n\n\
                 Polls of source {name} have failed since {started} ({since_en}). Digests may \
                 miss the newest drafts.\nLatest error: {latest_error}\n"
            ),
        ));
    }
    if let Some(problem) = watchlists {
        let dir = config.watchlists_dir.display();
        candidates.push(alert(
            AlertKind::WatchlistInvalid,
            &problem.text,
            problem.since,
            "draftwatch: kļūda meklēšanas sarakstos / watchlist error".to_owned(),
            format!(
                "Meklēšanas sarakstu mapi {dir} nevar ielādēt. Spēkā paliek iepriekšējā \
                 derīgā versija, līdz kļūda ir izlabota (pārbaudei: draftwatch check).\n\
                 {text}\n\n\
                 The watchlist folder {dir} does not load. The last good version stays in \
                 force until the mistake is fixed (check with: draftwatch check).\n",
                text = problem.text
            ),
        ));
    }
    for entry in store.list_outbox(Some(OutboxStatus::FailedPermanent), REFUSED_DIGESTS_CHECKED)? {
        let error = entry.last_error.clone().unwrap_or_default();
        let recipient = &entry.recipient;
        let addresses = entry.envelope_to.join(", ");
        let built = format_instant(entry.built_at, tz);
        candidates.push(alert(
            AlertKind::DigestRefused,
            &entry.message_id,
            entry.scheduled_for,
            format!("draftwatch: digests netika piegādāts / digest refused ({recipient})"),
            format!(
                "Pasta serveris galīgi atteicās pieņemt {built} sagatavoto digestu adresātam \
                 {recipient} ({addresses}); tas netiks sūtīts atkārtoti. Pārbaudiet adreses \
                 konfigurācijā.\nKļūda: {error}\nMessage-ID: {id}\n\n\
                 The mail server refused for good the digest built {built} for {recipient} \
                 ({addresses}); it will not be retried. Check the addresses in the \
                 configuration.\nError: {error}\n",
                id = entry.message_id
            ),
        ));
    }
    let mut due = Vec::new();
    for candidate in candidates {
        if !store.alert_known(&candidate.key)? {
            due.push(candidate);
        }
    }
    Ok(due)
}

fn alert(
    kind: AlertKind,
    subject: &str,
    incident_start: DateTime<Utc>,
    mail_subject: String,
    body: String,
) -> Alert {
    Alert {
        kind,
        key: AlertKey {
            kind: kind.as_str().to_owned(),
            subject: subject.to_owned(),
            incident_start,
        },
        subject: mail_subject,
        body,
    }
}

/// Why alerts could not be checked or sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AlertError {
    /// Reading or writing the store failed.
    #[error("alert store access failed: {0}")]
    Store(#[from] StoreError),
    /// The alert message could not be assembled.
    #[error("cannot build the alert message: {0}")]
    Message(String),
    /// The mail server did not take the alert (it is retried on the next check).
    #[error("alert not sent: {0}")]
    Mail(#[from] MailError),
}

/// The alert as a plain-text mail to the admin addresses, with `Auto-Submitted`.
pub fn alert_message(
    config: &Config,
    subject: &str,
    body: &str,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, AlertError> {
    let mut builder = Message::builder()
        .from(config.mail.from.clone())
        .subject(subject)
        .date(now.into())
        .message_id(Some(message_id.to_owned()))
        .header(AutoSubmitted)
        .header(lettre::message::header::ContentType::TEXT_PLAIN);
    for address in &config.admin.addresses {
        builder = builder.to(address.clone());
    }
    builder
        .body(body.to_owned())
        .map_err(|error| AlertError::Message(error.to_string()))
}

/// Record every due alert, then mail every recorded alert not sent yet (this check's and
/// earlier ones the server did not take). Returns how many were sent. Does nothing without
/// `[admin] addresses`. A mail failure stops this check; the unsent alerts wait for the next.
pub async fn send_due_alerts(
    store: &SharedStore,
    config: &Config,
    mailer: &dyn Mailer,
    watchlists: Option<&WatchlistProblem>,
    now: DateTime<Utc>,
) -> Result<usize, AlertError> {
    if config.admin.addresses.is_empty() {
        return Ok(0);
    }
    let unsent = {
        let mut store = store.lock()?;
        for alert in due_alerts(&store, config, watchlists, now)? {
            store.record_alert(&alert.key, &alert.subject, &alert.body, now)?;
        }
        store.unsent_alerts()?
    };
    let mut sent = 0;
    for row in unsent {
        let message_id = new_message_id(&config.mail.from, "admin", now);
        let message = alert_message(config, &row.mail_subject, &row.mail_body, &message_id, now)?;
        mailer.send(&message).await?;
        tracing::warn!(kind = %row.key.kind, subject = %row.key.subject, "Admin alert sent.");
        store.lock()?.mark_alert_sent(&row.key, &message_id, now)?;
        sent += 1;
    }
    Ok(sent)
}
