//! The configuration file as written: serde structs that reject unknown keys.
//!
//! Values that can be checked on their own (cron lines, URLs, time zones, e-mail addresses,
//! durations) are read as [`Checked`] values: parsed as soon as they are read, but a bad one
//! does not stop the read. serde gives up at the first error, and an admin who fixes one
//! value, reruns `check` and only then learns of the next would rightly complain; so each
//! value keeps its span and its result, and the loader (`load.rs`) reports every failure at its own
//! line and column together with the checks that span several values.

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use lettre::message::Mailbox;
use serde::{Deserialize, Deserializer};
use toml::Spanned;
use url::Url;

use crate::schedule::CronSchedule;

/// One value as written: where it stands in the file and what parsing it gave.
#[derive(Debug)]
pub(super) struct Checked<T> {
    /// Byte range of the value in the file (`0..0` for a default).
    pub span: Range<usize>,
    /// The value, or why it was refused.
    pub parsed: Result<T, String>,
}

impl<T> Checked<T> {
    /// A default value, valid by construction and not located in the file.
    fn default_value(value: T) -> Self {
        Checked {
            span: 0..0,
            parsed: Ok(value),
        }
    }
}

/// A value that is written as one TOML string and can be checked on its own.
pub(super) trait FromConfigText: Sized {
    /// Parse `text`; the error is a message an admin understands.
    fn from_config_text(text: &str) -> Result<Self, String>;
}

impl<'de, T: FromConfigText> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = Spanned::<String>::deserialize(d)?;
        Ok(Checked {
            span: written.span(),
            parsed: T::from_config_text(written.get_ref()),
        })
    }
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default = "default_timezone")]
    pub timezone: Checked<Tz>,
    #[serde(default = "default_watchlists_dir")]
    pub watchlists_dir: PathBuf,
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub http: RawHttp,
    #[serde(default)]
    pub sources: Vec<Spanned<RawSource>>,
    pub mail: RawMail,
    pub digest: RawDigest,
    #[serde(default)]
    pub recipients: Vec<Spanned<RawRecipient>>,
    #[serde(default)]
    pub admin: RawAdmin,
    #[serde(default)]
    pub retention: RawRetention,
    #[serde(default)]
    pub texts: RawTexts,
}

fn default_timezone() -> Checked<Tz> {
    Checked::default_value(chrono_tz::Europe::Riga)
}

fn default_watchlists_dir() -> PathBuf {
    PathBuf::from("watchlists")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    pub path: PathBuf,
}

impl Default for RawStore {
    fn default() -> Self {
        RawStore {
            path: PathBuf::from("data/draftwatch.sqlite3"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawHttp {
    pub user_agent: Spanned<String>,
    pub timeout: Checked<Duration>,
    pub min_interval: Checked<Duration>,
    pub max_response_bytes: Spanned<u64>,
    pub retries: u32,
    pub retry_base_delay: Checked<Duration>,
    pub respect_robots_txt: bool,
}

impl Default for RawHttp {
    fn default() -> Self {
        RawHttp {
            user_agent: Spanned::new(0..0, String::new()),
            timeout: Checked::default_value(Duration::from_secs(30)),
            min_interval: Checked::default_value(Duration::from_secs(1)),
            max_response_bytes: Spanned::new(0..0, 5 * 1024 * 1024),
            retries: 3,
            retry_base_delay: Checked::default_value(Duration::from_secs(2)),
            respect_robots_txt: true,
        }
    }
}

/// One `[[sources]]` entry as written. The keys shared by every kind are plain fields; the
/// kind-specific keys are optional here and sorted out per kind by the loader, which refuses a
/// key the entry's kind does not take at its own line and column. (A serde-tagged enum would
/// say the same, but serde buffers a tagged enum's content and so loses the file positions
/// that every problem is reported at.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub name: Spanned<String>,
    pub kind: Spanned<RawSourceKind>,
    pub base_url: Checked<Url>,
    pub schedule: Checked<CronSchedule>,
    #[serde(default = "default_poll_deadline")]
    pub poll_deadline: Checked<Duration>,
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// `tap_participation`, `tap_legal_acts`, `tap_meetings`.
    pub page_limit: Option<Spanned<u32>>,
    /// `tap_participation`, `tap_legal_acts`.
    pub detail_limit: Option<Spanned<u32>>,
    /// `tap_participation`, `tap_legal_acts`.
    pub recheck_limit: Option<Spanned<u32>>,
    /// `tap_meetings`.
    pub days_back: Option<Spanned<u32>>,
    /// `tap_meetings`.
    pub agenda_limit: Option<Spanned<u32>>,
}

impl RawSource {
    /// The kind-specific keys written in this entry, by name.
    pub fn written_options(&self) -> Vec<(&'static str, &Spanned<u32>)> {
        [
            ("page_limit", &self.page_limit),
            ("detail_limit", &self.detail_limit),
            ("recheck_limit", &self.recheck_limit),
            ("days_back", &self.days_back),
            ("agenda_limit", &self.agenda_limit),
        ]
        .into_iter()
        .filter_map(|(key, written)| written.as_ref().map(|w| (key, w)))
        .collect()
    }
}

/// Default of `page_limit`.
pub(super) const DEFAULT_PAGE_LIMIT: u32 = 5;

/// Default of `detail_limit`.
pub(super) const DEFAULT_DETAIL_LIMIT: u32 = 30;

/// Default of `days_back` (`tap_meetings`): two weeks cover the last two State Secretaries'
/// meetings and Cabinet meetings, so a poll missed over a long weekend loses nothing.
pub(super) const DEFAULT_DAYS_BACK: u32 = 14;

/// Default of `agenda_limit` (`tap_meetings`): agendas read per poll.
pub(super) const DEFAULT_AGENDA_LIMIT: u32 = 20;

fn default_poll_deadline() -> Checked<Duration> {
    Checked::default_value(crate::sources::DEFAULT_POLL_DEADLINE)
}

fn default_true() -> bool {
    true
}

/// The names written in `kind = "…"`: serde derives them from the variants, so the variants
/// carry the portal's prefix as the file does.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawSourceKind {
    TapParticipation,
    TapLegalActs,
    TapMeetings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMail {
    pub from: Checked<Mailbox>,
    pub transport: Spanned<RawTransport>,
    pub file: Option<RawFileTransport>,
    pub smtp: Option<RawSmtp>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawTransport {
    File,
    Smtp,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFileTransport {
    pub dir: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default = "default_tls")]
    pub tls: Spanned<RawTls>,
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    /// Only here to give a clear error: a password never belongs in the config file.
    pub password: Option<Spanned<toml::Value>>,
    #[serde(default = "default_smtp_timeout")]
    pub timeout: Checked<Duration>,
    /// Lets a login go over `tls = "none"` to a host that is not this machine, which sends
    /// the password readable to anyone on the way; refused unless set.
    #[serde(default)]
    pub allow_insecure_auth: bool,
}

fn default_tls() -> Spanned<RawTls> {
    Spanned::new(0..0, RawTls::Starttls)
}

fn default_smtp_timeout() -> Checked<Duration> {
    Checked::default_value(Duration::from_secs(60))
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawTls {
    Starttls,
    Tls,
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDigest {
    pub schedule: Checked<CronSchedule>,
    #[serde(default = "default_closing_soon_days")]
    pub closing_soon_days: u32,
    #[serde(default = "default_reminder_days")]
    pub reminder_days: Vec<u32>,
    #[serde(default = "default_retry_base_delay")]
    pub retry_base_delay: Checked<Duration>,
    #[serde(default = "default_max_bytes")]
    pub max_bytes: Spanned<u64>,
    #[serde(default = "default_calendar_dir")]
    pub calendar_dir: PathBuf,
}

fn default_max_bytes() -> Spanned<u64> {
    Spanned::new(0..0, 100_000)
}

fn default_calendar_dir() -> PathBuf {
    PathBuf::from("data/calendars")
}

/// `[admin]`: who hears about trouble nobody else would notice.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdmin {
    #[serde(default)]
    pub addresses: Vec<Checked<Mailbox>>,
    #[serde(default = "default_source_failing_after")]
    pub source_failing_after: Checked<Duration>,
}

impl Default for RawAdmin {
    fn default() -> Self {
        RawAdmin {
            addresses: Vec::new(),
            source_failing_after: default_source_failing_after(),
        }
    }
}

fn default_source_failing_after() -> Checked<Duration> {
    Checked::default_value(Duration::from_secs(24 * 60 * 60))
}

/// `[retention]`: how long poll rows and sent digests' bytes are kept.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawRetention {
    pub polls: Checked<Duration>,
    pub outbox_messages: Checked<Duration>,
}

impl Default for RawRetention {
    fn default() -> Self {
        RawRetention {
            polls: Checked::default_value(super::DEFAULT_RETENTION),
            outbox_messages: Checked::default_value(super::DEFAULT_RETENTION),
        }
    }
}

/// `[texts]`: how many drafts' annotations and documents a poll reads, and the limits of
/// each document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawTexts {
    pub budget_per_poll: u32,
    pub max_download_bytes: Spanned<u64>,
    pub max_unpacked_bytes: Spanned<u64>,
    pub max_text_bytes: Spanned<u64>,
    pub timeout: Checked<Duration>,
}

impl Default for RawTexts {
    fn default() -> Self {
        let defaults = super::TextsConfig::default();
        RawTexts {
            budget_per_poll: defaults.budget_per_poll,
            max_download_bytes: Spanned::new(0..0, defaults.max_download_bytes),
            max_unpacked_bytes: Spanned::new(0..0, defaults.max_unpacked_bytes),
            max_text_bytes: Spanned::new(0..0, defaults.max_text_bytes),
            timeout: Checked::default_value(defaults.timeout),
        }
    }
}

fn default_closing_soon_days() -> u32 {
    3
}

fn default_reminder_days() -> Vec<u32> {
    vec![3, 1]
}

fn default_retry_base_delay() -> Checked<Duration> {
    Checked::default_value(Duration::from_secs(5 * 60))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecipient {
    pub name: Spanned<String>,
    pub addresses: Spanned<Vec<Checked<Mailbox>>>,
    pub watchlists: Vec<Spanned<String>>,
    #[serde(default)]
    pub language: RawLanguage,
    #[serde(default)]
    pub schedule: Option<Checked<CronSchedule>>,
    #[serde(default)]
    pub send_when_empty: bool,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawLanguage {
    #[default]
    Lv,
    En,
}

impl FromConfigText for Tz {
    fn from_config_text(name: &str) -> Result<Self, String> {
        name.parse::<Tz>().map_err(|_| {
            format!("unknown time zone `{name}` (use an IANA name such as \"Europe/Riga\")")
        })
    }
}

impl FromConfigText for CronSchedule {
    fn from_config_text(expr: &str) -> Result<Self, String> {
        expr.parse()
            .map_err(|e: crate::schedule::ScheduleError| e.to_string())
    }
}

/// Only portal addresses are URLs in the file, so a URL must be http(s) with a host.
impl FromConfigText for Url {
    fn from_config_text(text: &str) -> Result<Self, String> {
        let url = Url::parse(text).map_err(|e| format!("invalid URL `{text}`: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "invalid URL `{text}`: must be an http:// or https:// address with a host"
            ));
        }
        Ok(url)
    }
}

impl FromConfigText for Mailbox {
    fn from_config_text(text: &str) -> Result<Self, String> {
        text.parse::<Mailbox>().map_err(|e| {
            format!(
                "invalid e-mail address `{text}`: {e} (write `name@example.org` or `Name <name@example.org>`)"
            )
        })
    }
}

/// Every duration in the file is a timeout, an interval or a delay; zero makes each of them
/// nonsense (a zero timeout fails every request), so zero is refused here, once for all.
impl FromConfigText for Duration {
    fn from_config_text(text: &str) -> Result<Self, String> {
        match parse_duration(text) {
            Some(duration) if duration.is_zero() => Err(format!(
                "duration `{text}` is zero: write a length above zero, e.g. \"30s\""
            )),
            Some(duration) => Ok(duration),
            None => Err(format!(
                "invalid duration `{text}` (write a number and a unit: \"500ms\", \"30s\", \"5m\", \"2h\", \"1d\")"
            )),
        }
    }
}

/// Parse "500ms", "30s", "5m", "2h", "1d".
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let millis = match unit.trim() {
        "ms" => n,
        "s" => n.checked_mul(1000)?,
        "m" | "min" => n.checked_mul(60_000)?,
        "h" => n.checked_mul(3_600_000)?,
        "d" => n.checked_mul(86_400_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(millis))
}
