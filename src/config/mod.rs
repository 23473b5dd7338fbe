//! Configuration: the admin-edited TOML file, parsed into validated types.
//!
//! Parsing goes in two steps (ripgrep's low/high split): `raw` holds serde structs that
//! reject unknown keys and parse single values (cron, URL, time zone, e-mail, duration)
//! keeping each value's place in the file; `load` then collects every problem, one function
//! per section, checks what spans several values and builds the [`Config`] the rest of the
//! program uses. Every problem names the file, line and column, all are reported at once, and
//! the binary exits with 78 (EX_CONFIG) on any of them.

use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use lettre::message::Mailbox;
use url::Url;

use crate::schedule::CronSchedule;

mod load;
mod raw;

pub use load::{ConfigError, ConfigProblem, DEFAULT_CONFIG_PATH, EMBEDDED_CONFIG};

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration was read from (`None` for the embedded default).
    pub source_path: Option<PathBuf>,
    /// Time zone in which schedules run and deadlines are counted.
    pub timezone: Tz,
    /// SQLite database location.
    pub store: StoreConfig,
    /// HTTP client behaviour toward the portals.
    pub http: HttpConfig,
    /// Portals to poll.
    pub sources: Vec<SourceConfig>,
    /// Folder holding the watchlist files.
    pub watchlists_dir: PathBuf,
    /// Outgoing mail.
    pub mail: MailConfig,
    /// Digest timing.
    pub digest: DigestConfig,
    /// Who receives digests.
    pub recipients: Vec<RecipientConfig>,
    /// Who is told when something breaks that nobody would otherwise notice.
    pub admin: AdminConfig,
    /// How long old records are kept before `draftwatch prune` removes them.
    pub retention: RetentionConfig,
    /// Reading drafts' annotations and documents after each poll.
    pub texts: TextsConfig,
}

impl Config {
    /// The schedule `recipient`'s digest runs on: its own, or `[digest] schedule`.
    pub fn recipient_schedule<'a>(&'a self, recipient: &'a RecipientConfig) -> &'a CronSchedule {
        recipient.schedule.as_ref().unwrap_or(&self.digest.schedule)
    }

    /// The distinct digest schedules with the names of the recipients on each, in
    /// configuration order; the daemon runs one digest job per entry.
    pub fn digest_schedules(&self) -> Vec<(CronSchedule, Vec<String>)> {
        let mut groups: Vec<(CronSchedule, Vec<String>)> = Vec::new();
        for recipient in &self.recipients {
            let schedule = self.recipient_schedule(recipient);
            match groups
                .iter_mut()
                .find(|(known, _)| known.as_str() == schedule.as_str())
            {
                Some((_, names)) => names.push(recipient.name.clone()),
                None => groups.push((schedule.clone(), vec![recipient.name.clone()])),
            }
        }
        groups
    }
}

/// `[admin]`: the person who keeps draftwatch running. Optional; without addresses no
/// alert is sent (problems are still logged).
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// Where alerts go; empty means alerts are off.
    pub addresses: Vec<Mailbox>,
    /// A source whose polls have failed for longer than this (since its last success) is
    /// reported (default one day).
    pub source_failing_after: Duration,
}

/// `[retention]`: how long records that only grow are kept. Optional; both default to 400
/// days, a year and a bit, so a year-on-year question ("what happened last autumn?") can
/// still be answered.
///
/// Drafts, their change history, deliveries, reminders and the outbox rows are never
/// removed: they are what digests and `explain` are built from, and they grow with what the
/// portals publish, not with the passing of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Poll rows older than this are deleted, except those a draft's change history points
    /// at and a source's last successful poll with every poll after it (the failure run
    /// that status and alerts are tracking).
    pub polls: Duration,
    /// A sent digest older than this keeps its row (who got what, when, with which
    /// Message-ID) but its recorded message bytes are dropped, so it can no longer be sent
    /// again with `outbox --resend`. Pending and refused digests keep their bytes.
    pub outbox_messages: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            polls: DEFAULT_RETENTION,
            outbox_messages: DEFAULT_RETENTION,
        }
    }
}

/// `[texts]`: after each poll, the annotations and documents of drafts that are new or whose
/// links changed (and of failed ones, later) are read, at most `budget_per_poll` drafts per
/// poll, each document within the byte and time limits (docs/draft-texts.md). Optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextsConfig {
    /// Drafts whose texts are read per poll; 0 turns reading texts off.
    pub budget_per_poll: u32,
    /// Largest attachment downloaded, in bytes.
    pub max_download_bytes: u64,
    /// Largest amount of data one document may inflate to, in bytes (zip bombs).
    pub max_unpacked_bytes: u64,
    /// Longest text kept per document and per draft, in bytes.
    pub max_text_bytes: u64,
    /// Time for one document's fetch and extraction.
    pub timeout: Duration,
}

impl Default for TextsConfig {
    /// 5 drafts a poll; 20 MiB downloads, 64 MiB inflated, 1 MiB of text, 60 s per document.
    fn default() -> Self {
        TextsConfig {
            budget_per_poll: 5,
            max_download_bytes: 20 * 1024 * 1024,
            max_unpacked_bytes: 64 * 1024 * 1024,
            max_text_bytes: 1024 * 1024,
            timeout: Duration::from_secs(60),
        }
    }
}

/// The default of both `[retention]` keys: 400 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(400 * 24 * 60 * 60);

/// `[store]`.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Path of the SQLite file; its folder is created when missing.
    pub path: PathBuf,
}

/// `[http]`.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// User-Agent header; must carry a contact address.
    pub user_agent: String,
    /// Timeout of one whole request.
    pub timeout: Duration,
    /// Minimum time between two requests to the same host.
    pub min_interval: Duration,
    /// Responses larger than this are refused.
    pub max_response_bytes: u64,
    /// How many times a failed request is retried (network errors, 429, 5xx).
    pub retries: u32,
    /// First retry delay; doubles on each further retry.
    pub retry_base_delay: Duration,
    /// Whether robots.txt is fetched and obeyed.
    pub respect_robots_txt: bool,
}

/// How far a list-reading source (`tap_participation`, `tap_legal_acts`) goes per poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimits {
    /// Upper bound on list pages read per poll.
    pub page_limit: u32,
    /// Upper bound on detail pages of new drafts read per poll.
    pub detail_limit: u32,
    /// Detail pages of followed drafts re-read per poll, so a change on a draft deep in the
    /// list (a moved deadline, a new stage) is seen.
    pub recheck_limit: u32,
}

/// What the `tap_meetings` source reads per poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingsOptions {
    /// Upper bound on list pages read per meetings list (State Secretaries', Cabinet).
    pub page_limit: u32,
    /// Meetings older than this many days are not read (future ones always are).
    pub days_back: u32,
    /// Upper bound on agendas read per poll.
    pub agenda_limit: u32,
}

/// The kinds of portal view draftwatch can read, each with the options only it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// TAP portāls, `/public_participation` list and detail pages.
    TapParticipation(ListLimits),
    /// TAP portāls, `/legal_acts` list and detail pages (stage, coordination, meetings,
    /// publication).
    TapLegalActs(ListLimits),
    /// TAP portāls, State Secretaries' and Cabinet meetings and their agendas.
    TapMeetings(MeetingsOptions),
}

impl SourceKind {
    /// The name written in the file (`kind = "…"`).
    pub fn name(&self) -> &'static str {
        match self {
            SourceKind::TapParticipation(_) => "tap_participation",
            SourceKind::TapLegalActs(_) => "tap_legal_acts",
            SourceKind::TapMeetings(_) => "tap_meetings",
        }
    }
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Unique name, used in logs, the store and `poll --source`.
    pub name: String,
    /// Which adapter reads it, with its own options.
    pub kind: SourceKind,
    /// Portal root, e.g. `https://tapportals.mk.gov.lv`.
    pub base_url: Url,
    /// When to poll.
    pub schedule: CronSchedule,
    /// A poll stops fetching detail pages after this long and records itself as partial.
    pub poll_deadline: Duration,
    /// Disabled sources are validated but never polled.
    pub enabled: bool,
}

/// `[mail]`.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Sender of the digests.
    pub from: Mailbox,
    /// How messages leave the machine.
    pub transport: MailTransport,
}

/// How digests are delivered.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// Write each message as an `.eml` file into a folder (no mail server needed).
    File {
        /// Output folder; created when missing.
        dir: PathBuf,
    },
    /// Send over SMTP.
    Smtp(SmtpConfig),
}

/// SMTP connection settings. The password is never part of the config file.
#[derive(Clone)]
pub struct SmtpConfig {
    /// Server host name.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Transport security.
    pub tls: TlsMode,
    /// Login name, when the server wants one.
    pub username: Option<String>,
    /// Where the password comes from.
    pub password: PasswordSource,
    /// Timeout of one SMTP conversation.
    pub timeout: Duration,
    /// The admin allowed a login over `tls = "none"` to a host that is not this machine
    /// (the password then crosses the network readable); validation refuses it otherwise.
    pub allow_insecure_auth: bool,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Deliberately written by hand: nothing here may print a secret.
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("timeout", &self.timeout)
            .field("allow_insecure_auth", &self.allow_insecure_auth)
            .finish()
    }
}

/// SMTP transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS (port 587); refuses to continue without TLS.
    Starttls,
    /// Implicit TLS from the first byte (port 465).
    Tls,
    /// No encryption at all; only for a relay on the same machine.
    None,
}

/// Where the SMTP password is read from at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// No password (no login, or login without one).
    None,
    /// The environment variable `DRAFTWATCH_SMTP_PASSWORD`, or when that is unset, the
    /// systemd credential `smtp-password` in `$CREDENTIALS_DIRECTORY`.
    Environment,
    /// A file whose whole content (trailing newline removed) is the password.
    File(PathBuf),
}

/// `[digest]`.
#[derive(Debug, Clone)]
pub struct DigestConfig {
    /// When digests are built and sent.
    pub schedule: CronSchedule,
    /// A window ending within this many days is listed under "closing soon" (default 3).
    pub closing_soon_days: u32,
    /// Days before a window ends on which a reminder is sent for a draft already reported,
    /// largest first, without repeats (default 3 and 1).
    pub reminder_days: Vec<u32>,
    /// Wait before retrying a digest the mail server could not take; doubles with each
    /// further attempt, up to six hours (default 5 minutes).
    pub retry_base_delay: Duration,
    /// A digest larger than this many bytes is cut: drafts that do not fit wait for the next
    /// one, so mail servers and phones never choke on a huge message (default 100 000).
    pub max_bytes: usize,
    /// Folder of the per-recipient calendar files (`<recipient-slug>.ics`) the daemon keeps
    /// current, for coordinators who subscribe to them (default `data/calendars`).
    pub calendar_dir: PathBuf,
}

/// Language of what a recipient reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Latvian (the default).
    #[default]
    Lv,
    /// English.
    En,
}

/// One `[[recipients]]` entry: a partner organisation.
#[derive(Debug, Clone)]
pub struct RecipientConfig {
    /// Unique name (the organisation), used in the store's delivery records.
    pub name: String,
    /// Where its digest goes.
    pub addresses: Vec<Mailbox>,
    /// Names of the watchlists whose hits it receives.
    pub watchlists: Vec<String>,
    /// Line and column where each watchlist name is written, for error messages (empty when
    /// the recipient was not read from a file).
    pub watchlist_locations: Vec<(usize, usize)>,
    /// Language of its digest.
    pub language: Language,
    /// When its digest is sent; `None` means `[digest] schedule`.
    pub schedule: Option<CronSchedule>,
    /// Whether a run with nothing new still sends a short "nothing new" mail (so the
    /// coordinator knows draftwatch is alive); default false.
    pub send_when_empty: bool,
}
