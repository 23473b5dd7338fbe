//! The configuration file as written: serde structs that reject unknown keys.
//!
//! Values that can be checked on their own (cron lines, URLs, time zones, e-mail addresses,
//! durations) are parsed here, inside deserialisation, so that the TOML parser attaches the
//! line and column of the offending value to the error. Checks that span several values live
//! in `super::validate`.

use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use lettre::message::Mailbox;
use serde::{Deserialize, Deserializer};
use toml::Spanned;
use url::Url;

use crate::schedule::CronSchedule;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default = "default_timezone", deserialize_with = "de_timezone")]
    pub timezone: Tz,
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
}

fn default_timezone() -> Tz {
    chrono_tz::Europe::Riga
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
    #[serde(deserialize_with = "de_duration")]
    pub timeout: Duration,
    #[serde(deserialize_with = "de_duration")]
    pub min_interval: Duration,
    pub max_response_bytes: u64,
    pub retries: u32,
    #[serde(deserialize_with = "de_duration")]
    pub retry_base_delay: Duration,
    pub respect_robots_txt: bool,
}

impl Default for RawHttp {
    fn default() -> Self {
        RawHttp {
            user_agent: Spanned::new(0..0, String::new()),
            timeout: Duration::from_secs(30),
            min_interval: Duration::from_secs(1),
            max_response_bytes: 5 * 1024 * 1024,
            retries: 3,
            retry_base_delay: Duration::from_secs(2),
            respect_robots_txt: true,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub name: Spanned<String>,
    pub kind: RawSourceKind,
    #[serde(deserialize_with = "de_http_url")]
    pub base_url: Url,
    #[serde(deserialize_with = "de_schedule")]
    pub schedule: CronSchedule,
    #[serde(default = "default_page_limit")]
    pub page_limit: u32,
    #[serde(default = "default_detail_limit")]
    pub detail_limit: u32,
    #[serde(default = "default_recheck_limit")]
    pub recheck_limit: u32,
    #[serde(default = "default_poll_deadline", deserialize_with = "de_duration")]
    pub poll_deadline: Duration,
    #[serde(default = "default_true")]
    pub enabled: bool,
}

fn default_page_limit() -> u32 {
    5
}

fn default_detail_limit() -> u32 {
    30
}

fn default_recheck_limit() -> u32 {
    crate::sources::DEFAULT_RECHECK_LIMIT
}

fn default_poll_deadline() -> Duration {
    crate::sources::DEFAULT_POLL_DEADLINE
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawSourceKind {
    TapParticipation,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMail {
    #[serde(deserialize_with = "de_mailbox")]
    pub from: Mailbox,
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
    pub tls: RawTls,
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    /// Only here to give a clear error: a password never belongs in the config file.
    pub password: Option<Spanned<toml::Value>>,
    #[serde(default = "default_smtp_timeout", deserialize_with = "de_duration")]
    pub timeout: Duration,
}

fn default_tls() -> RawTls {
    RawTls::Starttls
}

fn default_smtp_timeout() -> Duration {
    Duration::from_secs(60)
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
    #[serde(deserialize_with = "de_schedule")]
    pub schedule: CronSchedule,
    #[serde(default = "default_closing_soon_days")]
    pub closing_soon_days: u32,
    #[serde(default = "default_reminder_days")]
    pub reminder_days: Vec<u32>,
    #[serde(default = "default_retry_base_delay", deserialize_with = "de_duration")]
    pub retry_base_delay: Duration,
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
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdmin {
    #[serde(default, deserialize_with = "de_optional_mailboxes")]
    pub addresses: Vec<Mailbox>,
    #[serde(
        default = "default_source_failing_after",
        deserialize_with = "de_duration"
    )]
    pub source_failing_after: Duration,
}

pub(super) fn default_source_failing_after() -> Duration {
    Duration::from_secs(24 * 60 * 60)
}

fn default_closing_soon_days() -> u32 {
    3
}

fn default_reminder_days() -> Vec<u32> {
    vec![3, 1]
}

fn default_retry_base_delay() -> Duration {
    Duration::from_secs(5 * 60)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecipient {
    pub name: Spanned<String>,
    #[serde(deserialize_with = "de_mailboxes")]
    pub addresses: Vec<Mailbox>,
    pub watchlists: Vec<Spanned<String>>,
    #[serde(default)]
    pub language: RawLanguage,
    #[serde(default, deserialize_with = "de_optional_schedule")]
    pub schedule: Option<CronSchedule>,
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

fn de_timezone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let name = String::deserialize(d)?;
    name.parse::<Tz>().map_err(|_| {
        serde::de::Error::custom(format!(
            "unknown time zone `{name}` (use an IANA name such as \"Europe/Riga\")"
        ))
    })
}

fn de_schedule<'de, D: Deserializer<'de>>(d: D) -> Result<CronSchedule, D::Error> {
    let expr = String::deserialize(d)?;
    expr.parse().map_err(serde::de::Error::custom)
}

fn de_optional_schedule<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CronSchedule>, D::Error> {
    de_schedule(d).map(Some)
}

fn de_http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let text = String::deserialize(d)?;
    let url = Url::parse(&text)
        .map_err(|e| serde::de::Error::custom(format!("invalid URL `{text}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(serde::de::Error::custom(format!(
            "invalid URL `{text}`: must be an http:// or https:// address with a host"
        )));
    }
    Ok(url)
}

fn parse_mailbox<E: serde::de::Error>(text: &str) -> Result<Mailbox, E> {
    text.parse::<Mailbox>().map_err(|e| {
        E::custom(format!(
            "invalid e-mail address `{text}`: {e} (write `name@example.org` or `Name <name@example.org>`)"
        ))
    })
}

fn de_mailbox<'de, D: Deserializer<'de>>(d: D) -> Result<Mailbox, D::Error> {
    let text = String::deserialize(d)?;
    parse_mailbox(&text)
}

fn de_mailboxes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Mailbox>, D::Error> {
    let texts = Vec::<String>::deserialize(d)?;
    if texts.is_empty() {
        return Err(serde::de::Error::custom(
            "a recipient needs at least one address",
        ));
    }
    texts.iter().map(|t| parse_mailbox(t)).collect()
}

fn de_optional_mailboxes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Mailbox>, D::Error> {
    let texts = Vec::<String>::deserialize(d)?;
    texts.iter().map(|t| parse_mailbox(t)).collect()
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "invalid duration `{text}` (write a number and a unit: \"500ms\", \"30s\", \"5m\", \"2h\", \"1d\")"
        ))
    })
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
