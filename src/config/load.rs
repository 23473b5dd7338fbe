//! Reading the configuration file and turning it into a [`Config`], collecting every problem
//! with its file, line and column.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use url::Url;

use super::raw::{
    Checked, DEFAULT_AGENDA_LIMIT, DEFAULT_DAYS_BACK, DEFAULT_DETAIL_LIMIT, DEFAULT_PAGE_LIMIT,
    RawAdmin, RawConfig, RawDigest, RawHttp, RawLanguage, RawMail, RawRecipient, RawRetention,
    RawSmtp, RawSource, RawSourceKind, RawTexts, RawTls, RawTransport,
};
use super::{
    AdminConfig, Config, DigestConfig, HttpConfig, Language, ListLimits, MailConfig, MailTransport,
    MeetingsOptions, PasswordSource, RecipientConfig, RetentionConfig, SmtpConfig, SourceConfig,
    SourceKind, StoreConfig, TextsConfig, TlsMode,
};
use crate::line_index::LineIndex;

/// The shipped configuration, compiled in so that the binary runs with no files around.
pub const EMBEDDED_CONFIG: &str = include_str!("../../config/draftwatch.toml");

/// Where the configuration is looked for when `--config` is not given.
pub const DEFAULT_CONFIG_PATH: &str = "config/draftwatch.toml";

/// One problem in a configuration file, located by line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Line of the offending value or key.
    pub line: usize,
    /// Column of the offending value or key.
    pub column: usize,
    /// What is wrong, in words an admin understands.
    pub message: String,
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but holds problems.
    #[error("{}", render_problems(.origin, .problems))]
    Invalid {
        /// The file's name for messages.
        origin: String,
        /// Every problem found.
        problems: Vec<ConfigProblem>,
    },
}

impl ConfigError {
    /// The problems, when the file was readable.
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            ConfigError::Invalid { problems, .. } => problems,
            ConfigError::Read { .. } => &[],
        }
    }
}

fn render_problems(origin: &str, problems: &[ConfigProblem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{origin}:{}:{}: {}", p.line, p.column, p.message));
    }
    out
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The name of a configuration's origin in messages.
fn origin_name(path: Option<&Path>) -> String {
    path.map(|p| p.display().to_string())
        .unwrap_or_else(|| format!("<embedded {DEFAULT_CONFIG_PATH}>"))
}

/// Collects the problems of one file while validation goes on, each at its line and column,
/// so that `check` reports all of them at once.
struct Problems<'a> {
    lines: LineIndex<'a>,
    found: Vec<ConfigProblem>,
}

impl<'a> Problems<'a> {
    fn new(text: &'a str) -> Self {
        Problems {
            lines: LineIndex::new(text),
            found: Vec::new(),
        }
    }

    /// Record a problem at the start of `span` (`0..0` for something missing: line 1).
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.lines.locate(span.start);
        self.found.push(ConfigProblem {
            line,
            column,
            message: message.into(),
        });
    }

    /// The parsed value, or `None` after recording why it was refused.
    fn value<T>(&mut self, checked: Checked<T>) -> Option<T> {
        match checked.parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.at(checked.span, message);
                None
            }
        }
    }

    /// Every value of a list that parses; the others are recorded.
    fn values<T>(&mut self, list: Vec<Checked<T>>) -> Option<Vec<T>> {
        let parsed: Vec<Option<T>> = list.into_iter().map(|v| self.value(v)).collect();
        parsed.into_iter().collect()
    }

    /// The trimmed name of a `kind` entry ("source", "recipient"); an empty name, or one an
    /// earlier entry in `taken` already has, is a problem (names key the store's records).
    fn unique_name(
        &mut self,
        written: &Spanned<String>,
        taken: &mut HashSet<String>,
        kind: &str,
    ) -> String {
        let name = written.get_ref().trim().to_string();
        if name.is_empty() {
            self.at(written.span(), format!("a {kind} name must not be empty"));
        } else if !taken.insert(name.clone()) {
            self.at(
                written.span(),
                format!("duplicate {kind} name `{name}`: each {kind} needs its own name"),
            );
        }
        name
    }

    /// Check every entry of a list, none skipped after a bad one; `None` when any failed.
    fn each<Raw, Valid>(
        &mut self,
        entries: Vec<Spanned<Raw>>,
        mut check: impl FnMut(Raw, &mut Self) -> Option<Valid>,
    ) -> Option<Vec<Valid>> {
        let checked: Vec<Option<Valid>> = entries
            .into_iter()
            .map(|entry| check(entry.into_inner(), self))
            .collect();
        checked.into_iter().collect()
    }

    /// The problems in file order.
    fn into_sorted(mut self) -> Vec<ConfigProblem> {
        self.found.sort_by_key(|p| (p.line, p.column));
        self.found
    }
}

impl Config {
    /// Load the configuration: from `path` when given; otherwise from
    /// `config/draftwatch.toml` in the working directory when it exists; otherwise the
    /// embedded copy of the shipped file.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let chosen = match path {
            Some(p) => Some(p.to_path_buf()),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG_PATH);
                default.exists().then_some(default)
            }
        };
        match chosen {
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                Config::from_toml(&text, Some(&p))
            }
            None => Config::from_toml(EMBEDDED_CONFIG, None),
        }
    }

    /// Parse and validate configuration text. `path` only names the origin in messages.
    pub fn from_toml(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut problems = Problems::new(text);
        let config = match toml::from_str::<RawConfig>(text) {
            Ok(raw) => validate(raw, &mut problems, path),
            // The file's shape is wrong (bad TOML, unknown key, wrong type): serde stops there.
            Err(e) => {
                problems.at(e.span().unwrap_or(0..0), e.message().trim());
                None
            }
        };
        match config {
            Some(config) if problems.found.is_empty() => Ok(config),
            _ => Err(ConfigError::Invalid {
                origin: origin_name(path),
                problems: problems.into_sorted(),
            }),
        }
    }

    /// Find a recipient by name.
    pub fn recipient(&self, name: &str) -> Option<&RecipientConfig> {
        self.recipients.iter().find(|r| r.name == name)
    }

    /// Find a source by name.
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// Check that every watchlist a recipient follows exists; each missing name is a problem
    /// located where the config file names it.
    pub fn check_watchlist_references(&self, known: &[&str]) -> Result<(), ConfigError> {
        let known_list = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        let problems: Vec<ConfigProblem> = self
            .recipients
            .iter()
            .flat_map(|recipient| {
                recipient
                    .watchlists
                    .iter()
                    .zip(&recipient.watchlist_locations)
                    .filter(|(name, _)| !known.contains(&name.as_str()))
                    .map(|(name, &(line, column))| ConfigProblem {
                        line,
                        column,
                        message: format!(
                            "recipient `{}` follows watchlist `{name}`, which does not exist (known: {known_list})",
                            recipient.name
                        ),
                    })
            })
            .collect();
        if problems.is_empty() {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            origin: origin_name(self.source_path.as_deref()),
            problems,
        })
    }
}

/// The smallest `[digest] max_bytes` accepted.
const MIN_DIGEST_BYTES: u64 = 10_000;

/// Where mail goes when `transport = "file"` has no `[mail.file]` section.
const DEFAULT_OUTBOX_DIR: &str = "data/outbox";

/// Check every section, each in its own function feeding `problems`. `None` when a value
/// could not be built; the caller refuses the file whenever `problems` holds anything.
fn validate(raw: RawConfig, problems: &mut Problems<'_>, path: Option<&Path>) -> Option<Config> {
    let timezone = problems.value(raw.timezone);
    let http = validate_http(raw.http, problems);
    let mut source_names = HashSet::new();
    let sources = problems.each(raw.sources, |source, problems| {
        validate_source(source, &mut source_names, problems)
    });
    let mail = validate_mail(raw.mail, problems);
    let digest = validate_digest(raw.digest, problems);
    let mut recipient_names = HashSet::new();
    let recipients = problems.each(raw.recipients, |recipient, problems| {
        validate_recipient(recipient, &mut recipient_names, problems)
    });
    let admin = validate_admin(raw.admin, problems);
    let retention = validate_retention(raw.retention, problems);
    let texts = validate_texts(raw.texts, problems);
    Some(Config {
        source_path: path.map(Path::to_path_buf),
        timezone: timezone?,
        store: StoreConfig {
            path: raw.store.path,
        },
        http: http?,
        sources: sources?,
        watchlists_dir: raw.watchlists_dir,
        mail: mail?,
        digest: digest?,
        recipients: recipients?,
        admin: admin?,
        retention: retention?,
        texts: texts?,
    })
}

fn validate_http(raw: RawHttp, problems: &mut Problems<'_>) -> Option<HttpConfig> {
    let user_agent = validate_user_agent(&raw.user_agent, problems);
    let timeout = problems.value(raw.timeout);
    let min_interval = problems.value(raw.min_interval);
    let retry_base_delay = problems.value(raw.retry_base_delay);
    let max_response_bytes = *raw.max_response_bytes.get_ref();
    if max_response_bytes == 0 {
        problems.at(
            raw.max_response_bytes.span(),
            "[http] max_response_bytes must be above 0 (0 refuses every page)",
        );
    }
    Some(HttpConfig {
        user_agent: user_agent?,
        timeout: timeout?,
        min_interval: min_interval?,
        max_response_bytes,
        retries: raw.retries,
        retry_base_delay: retry_base_delay?,
        respect_robots_txt: raw.respect_robots_txt,
    })
}

/// The User-Agent, which must tell portal operators how to reach whoever runs us.
fn validate_user_agent(written: &Spanned<String>, problems: &mut Problems<'_>) -> Option<String> {
    let user_agent = written.get_ref().trim();
    if user_agent.is_empty() {
        problems.at(
            written.span(),
                "[http] user_agent is required and must name a contact address, e.g. \"draftwatch/0.1 (+mailto:admin@example.org)\"",
            );
        return None;
    }
    if !names_a_contact(user_agent) {
        problems.at(
                written.span(),
                format!("user_agent `{user_agent}` must carry a contact address (an e-mail address or an http(s) URL) so portal operators can reach us, e.g. \"draftwatch/0.1 (+mailto:admin@example.org)\""),
            );
        return None;
    }
    Some(user_agent.to_string())
}

/// Whether a User-Agent holds an e-mail address (`admin@example.org`, `mailto:…`) or an
/// http(s) URL with a host, as a word of its own.
fn names_a_contact(user_agent: &str) -> bool {
    user_agent
        .split(|c: char| c.is_whitespace() || "()<>;,".contains(c))
        .map(|word| word.trim_start_matches('+'))
        .any(|word| {
            let address = word.strip_prefix("mailto:").unwrap_or(word);
            let is_address = address
                .parse::<lettre::Address>()
                .is_ok_and(|a| a.domain().contains('.'));
            let is_url = Url::parse(word).is_ok_and(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.host_str().is_some_and(|host| host.contains('.'))
            });
            is_address || is_url
        })
}

fn validate_source(
    source: RawSource,
    names: &mut HashSet<String>,
    problems: &mut Problems<'_>,
) -> Option<SourceConfig> {
    let name = problems.unique_name(&source.name, names, "source");
    let kind = source_kind(&name, &source, problems);
    let base_url = problems.value(source.base_url);
    let schedule = problems.value(source.schedule);
    let poll_deadline = problems.value(source.poll_deadline);
    Some(SourceConfig {
        name,
        kind: kind?,
        base_url: base_url?,
        schedule: schedule?,
        poll_deadline: poll_deadline?,
        enabled: source.enabled,
    })
}

/// The kind-specific keys each kind takes.
const LIST_KEYS: &[&str] = &["page_limit", "detail_limit", "recheck_limit"];
const MEETINGS_KEYS: &[&str] = &["page_limit", "days_back", "agenda_limit"];

/// The kind with its options. A kind-specific key written for a kind that does not take it is
/// a problem at that key's value, as an unknown key is.
fn source_kind(name: &str, options: &RawSource, problems: &mut Problems<'_>) -> Option<SourceKind> {
    let kind = *options.kind.get_ref();
    let (kind_name, takes) = match kind {
        RawSourceKind::TapParticipation => ("tap_participation", LIST_KEYS),
        RawSourceKind::TapLegalActs => ("tap_legal_acts", LIST_KEYS),
        RawSourceKind::TapMeetings => ("tap_meetings", MEETINGS_KEYS),
    };
    for (key, written) in options.written_options() {
        if !takes.contains(&key) {
            problems.at(
                written.span(),
                format!(
                    "unknown field `{key}` for a source of kind `{kind_name}`, expected one of {}",
                    takes
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let value = |written: &Option<Spanned<u32>>, default: u32| {
        written.as_ref().map_or(default, |w| *w.get_ref())
    };
    let page_limit = value(&options.page_limit, DEFAULT_PAGE_LIMIT);
    if page_limit == 0 {
        let span = options.page_limit.as_ref().map_or(0..0, Spanned::span);
        problems.at(
            span,
            format!("source `{name}`: page_limit must be at least 1"),
        );
    }
    let list = ListLimits {
        page_limit,
        detail_limit: value(&options.detail_limit, DEFAULT_DETAIL_LIMIT),
        recheck_limit: value(
            &options.recheck_limit,
            crate::sources::DEFAULT_RECHECK_LIMIT,
        ),
    };
    Some(match kind {
        RawSourceKind::TapParticipation => SourceKind::TapParticipation(list),
        RawSourceKind::TapLegalActs => SourceKind::TapLegalActs(list),
        RawSourceKind::TapMeetings => SourceKind::TapMeetings(MeetingsOptions {
            page_limit,
            days_back: value(&options.days_back, DEFAULT_DAYS_BACK),
            agenda_limit: value(&options.agenda_limit, DEFAULT_AGENDA_LIMIT),
        }),
    })
}

fn validate_mail(raw: RawMail, problems: &mut Problems<'_>) -> Option<MailConfig> {
    let from = problems.value(raw.from);
    let transport_span = raw.transport.span();
    let transport = match raw.transport.into_inner() {
        RawTransport::File => Some(MailTransport::File {
            dir: raw
                .file
                .map_or_else(|| PathBuf::from(DEFAULT_OUTBOX_DIR), |file| file.dir),
        }),
        RawTransport::Smtp => match raw.smtp {
            None => {
                problems.at(
                    transport_span,
                    "transport = \"smtp\" needs a [mail.smtp] section with at least `host`",
                );
                None
            }
            Some(smtp) => validate_smtp(smtp, problems).map(MailTransport::Smtp),
        },
    };
    Some(MailConfig {
        from: from?,
        transport: transport?,
    })
}

fn validate_smtp(raw: RawSmtp, problems: &mut Problems<'_>) -> Option<SmtpConfig> {
    if let Some(password) = &raw.password {
        problems.at(
            password.span(),
            "never write the SMTP password in the config file: set the environment variable DRAFTWATCH_SMTP_PASSWORD, use a systemd credential named smtp-password, or name a file with `password_file`",
        );
    }
    let timeout = problems.value(raw.timeout);
    let tls_span = raw.tls.span();
    let tls = match raw.tls.into_inner() {
        RawTls::Starttls => TlsMode::Starttls,
        RawTls::Tls => TlsMode::Tls,
        RawTls::None => TlsMode::None,
    };
    let port = raw.port.unwrap_or(match tls {
        TlsMode::Starttls => 587,
        TlsMode::Tls => 465,
        TlsMode::None => 25,
    });
    let password = match (&raw.password_file, &raw.username) {
        (Some(file), _) => PasswordSource::File(file.clone()),
        (None, Some(_)) => PasswordSource::Environment,
        (None, None) => PasswordSource::None,
    };
    let logs_in = raw.username.is_some() || password != PasswordSource::None;
    if tls == TlsMode::None && logs_in && !raw.allow_insecure_auth && !is_this_machine(&raw.host) {
        problems.at(
            tls_span,
            format!(
                "tls = \"none\" with a login would send the SMTP password unencrypted to `{}`: use tls = \"starttls\" or \"tls\", or, if the network path is trusted, set allow_insecure_auth = true in [mail.smtp]",
                raw.host
            ),
        );
    }
    Some(SmtpConfig {
        host: raw.host,
        port,
        tls,
        username: raw.username,
        password,
        timeout: timeout?,
        allow_insecure_auth: raw.allow_insecure_auth,
    })
}

/// Whether an SMTP host is this machine (`localhost`, 127.0.0.0/8, `::1`), where a password
/// sent without TLS never crosses a network.
fn is_this_machine(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn validate_digest(raw: RawDigest, problems: &mut Problems<'_>) -> Option<DigestConfig> {
    let schedule = problems.value(raw.schedule);
    let retry_base_delay = problems.value(raw.retry_base_delay);
    // Below a few kilobytes not even the footer fits.
    let max_bytes = *raw.max_bytes.get_ref();
    if max_bytes < MIN_DIGEST_BYTES {
        problems.at(
            raw.max_bytes.span(),
            format!("[digest] max_bytes must be at least {MIN_DIGEST_BYTES} (a digest's headers and footer alone take a few kilobytes)"),
        );
    }
    let mut reminder_days = raw.reminder_days;
    reminder_days.sort_unstable_by(|a, b| b.cmp(a));
    reminder_days.dedup();
    Some(DigestConfig {
        schedule: schedule?,
        closing_soon_days: raw.closing_soon_days,
        reminder_days,
        retry_base_delay: retry_base_delay?,
        max_bytes: usize::try_from(max_bytes).unwrap_or(usize::MAX),
        calendar_dir: raw.calendar_dir,
    })
}

fn validate_recipient(
    recipient: RawRecipient,
    names: &mut HashSet<String>,
    problems: &mut Problems<'_>,
) -> Option<RecipientConfig> {
    let name = problems.unique_name(&recipient.name, names, "recipient");
    if recipient.watchlists.is_empty() {
        problems.at(
            recipient.name.span(),
            format!("recipient `{name}` follows no watchlist: list at least one in `watchlists`"),
        );
    }
    if recipient.addresses.get_ref().is_empty() {
        problems.at(
            recipient.addresses.span(),
            "a recipient needs at least one address",
        );
    }
    let addresses = problems.values(recipient.addresses.into_inner());
    let schedule = recipient.schedule.map(|s| problems.value(s));
    let watchlist_locations = recipient
        .watchlists
        .iter()
        .map(|w| problems.lines.locate(w.span().start))
        .collect();
    Some(RecipientConfig {
        name,
        addresses: addresses?,
        watchlists: recipient
            .watchlists
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        watchlist_locations,
        language: match recipient.language {
            RawLanguage::Lv => Language::Lv,
            RawLanguage::En => Language::En,
        },
        schedule: schedule.map_or(Some(None), |s| s.map(Some))?,
        send_when_empty: recipient.send_when_empty,
    })
}

fn validate_admin(raw: RawAdmin, problems: &mut Problems<'_>) -> Option<AdminConfig> {
    let addresses = problems.values(raw.addresses);
    let source_failing_after = problems.value(raw.source_failing_after);
    Some(AdminConfig {
        addresses: addresses?,
        source_failing_after: source_failing_after?,
    })
}

fn validate_retention(raw: RawRetention, problems: &mut Problems<'_>) -> Option<RetentionConfig> {
    let polls = problems.value(raw.polls);
    let outbox_messages = problems.value(raw.outbox_messages);
    Some(RetentionConfig {
        polls: polls?,
        outbox_messages: outbox_messages?,
    })
}

fn validate_texts(raw: RawTexts, problems: &mut Problems<'_>) -> Option<TextsConfig> {
    let timeout = problems.value(raw.timeout);
    let mut above_zero = |written: &Spanned<u64>, key: &str| {
        let value = *written.get_ref();
        if value == 0 {
            problems.at(
                written.span(),
                format!("[texts] {key} must be above 0 (0 refuses every document)"),
            );
        }
        value
    };
    let max_download_bytes = above_zero(&raw.max_download_bytes, "max_download_bytes");
    let max_unpacked_bytes = above_zero(&raw.max_unpacked_bytes, "max_unpacked_bytes");
    let max_text_bytes = above_zero(&raw.max_text_bytes, "max_text_bytes");
    if [max_download_bytes, max_unpacked_bytes, max_text_bytes].contains(&0) {
        return None;
    }
    Some(TextsConfig {
        budget_per_poll: raw.budget_per_poll,
        max_download_bytes,
        max_unpacked_bytes,
        max_text_bytes,
        timeout: timeout?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_config_is_valid() {
        let config = Config::from_toml(EMBEDDED_CONFIG, None).expect("shipped config loads");
        assert_eq!(config.timezone, chrono_tz::Europe::Riga);
        assert_eq!(
            config.sources[0].base_url.as_str(),
            "https://tapportals.mk.gov.lv/"
        );
        assert!(matches!(config.mail.transport, MailTransport::File { .. }));
        assert!(config.store.path.is_relative());
        assert!(config.store.path.starts_with("data"));
    }

    #[test]
    fn line_and_column_of_unknown_key() {
        let text = EMBEDDED_CONFIG.replacen("[store]\n", "[store]\nshedule = 1\n", 1);
        let err = Config::from_toml(&text, Some(Path::new("x.toml"))).expect_err("unknown key");
        let line = text
            .lines()
            .position(|l| l.starts_with("shedule"))
            .expect("inserted")
            + 1;
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("x.toml:{line}:1: unknown field `shedule`")),
            "{shown}"
        );
    }

    #[test]
    fn password_in_config_is_refused_with_location() {
        let text = r#"
[http]
user_agent = "t (+mailto:a@example.org)"
[mail]
from = "a@example.org"
transport = "smtp"
[mail.smtp]
host = "mail.example.org"
username = "u"
password = "hunter2"
[digest]
schedule = "0 8 * * *"
"#;
        let err = Config::from_toml(text, None).expect_err("password refused");
        let problems = err.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column), (10, 12));
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn durations() {
        assert_eq!(
            super::super::raw::parse_duration("500ms"),
            Some(std::time::Duration::from_millis(500))
        );
        assert_eq!(
            super::super::raw::parse_duration("2h"),
            Some(std::time::Duration::from_secs(7200))
        );
        assert_eq!(super::super::raw::parse_duration("2 weeks"), None);
        assert_eq!(super::super::raw::parse_duration("s"), None);
    }

    /// A minimal valid file; tests change one line of it.
    const MINIMAL: &str = r#"
[http]
user_agent = "t (+mailto:a@example.org)"
max_response_bytes = 1000
timeout = "30s"
[mail]
from = "a@example.org"
transport = "file"
[digest]
schedule = "0 8 * * *"
"#;

    fn problems_of(text: &str) -> Vec<ConfigProblem> {
        match Config::from_toml(text, None) {
            Ok(_) => Vec::new(),
            Err(err) => err.problems().to_vec(),
        }
    }

    #[test]
    fn minimal_config_is_valid() {
        assert_eq!(problems_of(MINIMAL), Vec::new());
    }

    /// Regression (#8 item 7): `max_response_bytes = 0` was placed at 1:1.
    #[test]
    fn check_places_max_response_bytes_zero_at_its_value() {
        let text = MINIMAL.replace("max_response_bytes = 1000", "max_response_bytes = 0");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (4, 22));
    }

    /// Regression (#8 item 7): `timeout = "0s"` passed and every poll then failed.
    #[test]
    fn check_refuses_zero_timeout() {
        let text = MINIMAL.replace("timeout = \"30s\"", "timeout = \"0s\"");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (5, 11));
        assert!(problems[0].message.contains("zero"), "{problems:?}");
    }

    /// Zero is refused for every duration in the file, not only the HTTP timeout.
    #[test]
    fn check_refuses_zero_durations_everywhere() {
        let sections = [
            ("[http]\n", "min_interval = \"0ms\"\n"),
            ("[http]\n", "retry_base_delay = \"0s\"\n"),
            ("[digest]\n", "retry_base_delay = \"0m\"\n"),
        ];
        let mut texts: Vec<String> = sections
            .iter()
            .map(|(section, line)| MINIMAL.replacen(section, &format!("{section}{line}"), 1))
            .collect();
        texts.push(format!("{MINIMAL}[admin]\nsource_failing_after = \"0d\"\n"));
        texts.push(format!("{MINIMAL}[retention]\npolls = \"0d\"\n"));
        texts.push(format!("{MINIMAL}[retention]\noutbox_messages = \"0s\"\n"));
        for text in texts {
            let problems = problems_of(&text);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert!(problems[0].message.contains("is zero"), "{problems:?}");
        }
        let smtp = MINIMAL.replace(
            "transport = \"file\"",
            "transport = \"smtp\"\n[mail.smtp]\nhost = \"mail.example.org\"\ntimeout = \"0s\"",
        );
        assert_eq!(problems_of(&smtp).len(), 1);
    }

    /// `[retention]` is optional (400 days each); a value written is read, a bad one is
    /// placed at its line.
    #[test]
    fn retention_defaults_to_400_days_and_reads_written_values() {
        let defaults = Config::from_toml(MINIMAL, None).expect("valid");
        assert_eq!(defaults.retention, RetentionConfig::default());
        assert_eq!(
            defaults.retention.polls,
            std::time::Duration::from_secs(400 * 86_400)
        );
        let text = format!("{MINIMAL}[retention]\npolls = \"30d\"\noutbox_messages = \"2h\"\n");
        let written = Config::from_toml(&text, None).expect("valid");
        assert_eq!(
            written.retention,
            RetentionConfig {
                polls: std::time::Duration::from_secs(30 * 86_400),
                outbox_messages: std::time::Duration::from_secs(7_200),
            }
        );
        let bad = format!("{MINIMAL}[retention]\npolls = \"a year\"\n");
        let problems = problems_of(&bad);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (12, 9));
    }

    /// `[texts]` is optional (5 drafts a poll, docs/draft-texts.md's limits); written values
    /// are read, a zero byte limit and an unknown key are placed at their line and column.
    #[test]
    fn texts_section_defaults_reads_written_values_and_places_problems() {
        let defaults = Config::from_toml(MINIMAL, None).expect("valid");
        assert_eq!(defaults.texts, TextsConfig::default());
        assert_eq!(defaults.texts.budget_per_poll, 5);
        let text = format!(
            "{MINIMAL}[texts]\nbudget_per_poll = 2\nmax_download_bytes = 1000\n\
             max_unpacked_bytes = 2000\nmax_text_bytes = 300\ntimeout = \"5s\"\n"
        );
        let written = Config::from_toml(&text, None).expect("valid");
        assert_eq!(
            written.texts,
            TextsConfig {
                budget_per_poll: 2,
                max_download_bytes: 1000,
                max_unpacked_bytes: 2000,
                max_text_bytes: 300,
                timeout: std::time::Duration::from_secs(5),
            }
        );
        let zero = format!("{MINIMAL}[texts]\nmax_text_bytes = 0\n");
        let problems = problems_of(&zero);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (12, 18));
        assert!(
            problems[0].message.contains("max_text_bytes"),
            "{problems:?}"
        );
        let unknown = format!("{MINIMAL}[texts]\nbudget = 2\n");
        let err = Config::from_toml(&unknown, Some(Path::new("x.toml"))).expect_err("unknown key");
        assert!(
            err.to_string()
                .starts_with("x.toml:12:1: unknown field `budget`"),
            "{err}"
        );
    }

    /// Regression (#8 item 7): cron said "must be less than 59" for minute 61, but 59 is a
    /// valid minute.
    #[test]
    fn check_schedule_minute_61_message_is_correct() {
        let text = MINIMAL.replace("0 8 * * *", "61 7 * * *");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].message,
            "invalid schedule `61 7 * * *`: minute 61 is out of range (allowed: 0-59)"
        );
        let hour = problems_of(&MINIMAL.replace("0 8 * * *", "0 24 * * *"));
        assert!(
            hour[0]
                .message
                .ends_with("hour 24 is out of range (allowed: 0-23)"),
            "{hour:?}"
        );
        assert_eq!(
            problems_of(&MINIMAL.replace("0 8 * * *", "59 23 * * *")),
            Vec::new()
        );
    }

    /// Regression (#8 item 7): a User-Agent such as "bot" has no contact address.
    #[test]
    fn check_refuses_user_agent_without_contact() {
        for bad in ["bot", "bot@", "see http", "draftwatch (+mailto:someone)"] {
            let text = MINIMAL.replace("t (+mailto:a@example.org)", bad);
            let problems = problems_of(&text);
            assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
            assert_eq!((problems[0].line, problems[0].column), (3, 14), "{bad}");
        }
        for good in [
            "draftwatch/0.1 (+mailto:admin@example.org)",
            "draftwatch/0.1 (admin@example.org)",
            "draftwatch/0.1 (+https://example.org/draftwatch)",
        ] {
            let text = MINIMAL.replace("t (+mailto:a@example.org)", good);
            assert_eq!(problems_of(&text), Vec::new(), "{good}");
        }
    }

    /// Regression (#8 item 10): a login over `tls = "none"` to another machine sent the
    /// password in clear text without a word.
    #[test]
    fn smtp_login_without_tls_to_remote_host_is_refused_unless_allowed() {
        let smtp = |host: &str, extra: &str| {
            MINIMAL.replace(
                "transport = \"file\"",
                &format!(
                    "transport = \"smtp\"\n[mail.smtp]\nhost = \"{host}\"\ntls = \"none\"\nusername = \"u\"\n{extra}"
                ),
            )
        };
        let problems = problems_of(&smtp("mail.example.org", ""));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (11, 7));
        assert!(
            problems[0].message.contains("allow_insecure_auth"),
            "{problems:?}"
        );
        let with_file = smtp("10.0.0.5", "password_file = \"/run/pw\"");
        assert_eq!(problems_of(&with_file).len(), 1);

        let allowed = Config::from_toml(
            &smtp("mail.example.org", "allow_insecure_auth = true"),
            None,
        )
        .expect("explicitly allowed");
        assert!(matches!(
            allowed.mail.transport,
            MailTransport::Smtp(SmtpConfig {
                allow_insecure_auth: true,
                ..
            })
        ));
        for local in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"] {
            assert_eq!(problems_of(&smtp(local, "")), Vec::new(), "{local}");
        }
        let no_login = MINIMAL.replace(
            "transport = \"file\"",
            "transport = \"smtp\"\n[mail.smtp]\nhost = \"relay.example.org\"\ntls = \"none\"",
        );
        assert_eq!(problems_of(&no_login), Vec::new());
    }

    /// `check_watchlist_references` gives typed problems located at each unknown name.
    #[test]
    fn unknown_watchlist_references_are_problems_at_their_names() {
        let text = format!(
            "{MINIMAL}[[recipients]]\nname = \"r\"\naddresses = [\"r@example.org\"]\nwatchlists = [\"berni\", \"nav\"]\n"
        );
        let config = Config::from_toml(&text, Some(Path::new("c.toml"))).expect("valid");
        assert!(config.check_watchlist_references(&["berni", "nav"]).is_ok());
        let err = config
            .check_watchlist_references(&["berni"])
            .expect_err("`nav` is unknown");
        let problems = err.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column), (14, 24));
        assert!(
            err.to_string()
                .starts_with("c.toml:14:24: recipient `r` follows watchlist `nav`")
        );
    }
}
