//! Reading the configuration file and turning it into a [`Config`], collecting every problem
//! with its file, line and column.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use super::raw::{RawConfig, RawLanguage, RawSourceKind, RawTls, RawTransport};
use super::{
    AdminConfig, Config, DigestConfig, HttpConfig, Language, MailConfig, MailTransport,
    PasswordSource, RecipientConfig, SmtpConfig, SourceConfig, SourceKind, StoreConfig, TlsMode,
};

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

/// Converts byte offsets of a text into 1-based line and column (in characters).
struct LineIndex<'a> {
    text: &'a str,
}

impl LineIndex<'_> {
    fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before
            .get(line_start..)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }

    fn problem(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> ConfigProblem {
        let (line, column) = self.locate(span.start);
        ConfigProblem {
            line,
            column,
            message: message.into(),
        }
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
        let origin = path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| format!("<embedded {DEFAULT_CONFIG_PATH}>"));
        let index = LineIndex { text };
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            origin: origin.clone(),
            problems: vec![index.problem(e.span().unwrap_or(0..0), e.message().trim())],
        })?;
        validate(raw, &index, path).map_err(|problems| ConfigError::Invalid { origin, problems })
    }

    /// Find a recipient by name.
    pub fn recipient(&self, name: &str) -> Option<&RecipientConfig> {
        self.recipients.iter().find(|r| r.name == name)
    }

    /// Find a source by name.
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// Check that every watchlist a recipient follows exists. Returns one message per
    /// missing name, located where the config file names it.
    pub fn check_watchlist_references(&self, known: &[&str]) -> Vec<String> {
        let origin = self
            .source_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| format!("<embedded {DEFAULT_CONFIG_PATH}>"));
        let mut out = Vec::new();
        for recipient in &self.recipients {
            for (name, (line, column)) in recipient
                .watchlists
                .iter()
                .zip(&recipient.watchlist_locations)
            {
                if !known.contains(&name.as_str()) {
                    out.push(format!(
                        "{origin}:{line}:{column}: recipient `{}` follows watchlist `{name}`, which does not exist (known: {})",
                        recipient.name,
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    ));
                }
            }
        }
        out
    }
}

/// The smallest `[digest] max_bytes` accepted.
const MIN_DIGEST_BYTES: u64 = 10_000;

fn validate(
    raw: RawConfig,
    index: &LineIndex<'_>,
    path: Option<&Path>,
) -> Result<Config, Vec<ConfigProblem>> {
    let mut problems = Vec::new();

    // [http]
    let user_agent = raw.http.user_agent.get_ref().trim().to_string();
    let user_agent = if user_agent.is_empty() {
        problems.push(index.problem(
            0..0,
            "[http] user_agent is required and must name a contact address, e.g. \"draftwatch/0.1 (+mailto:admin@example.org)\"",
        ));
        user_agent
    } else if !user_agent.contains('@') && !user_agent.contains("http") {
        problems.push(index.problem(
            raw.http.user_agent.span(),
            "user_agent must carry a contact address (an e-mail or a URL) so portal operators can reach us",
        ));
        user_agent
    } else {
        user_agent
    };
    if raw.http.max_response_bytes == 0 {
        problems.push(index.problem(0..0, "[http] max_response_bytes must be above 0"));
    }
    let http = HttpConfig {
        user_agent,
        timeout: raw.http.timeout,
        min_interval: raw.http.min_interval,
        max_response_bytes: raw.http.max_response_bytes,
        retries: raw.http.retries,
        retry_base_delay: raw.http.retry_base_delay,
        respect_robots_txt: raw.http.respect_robots_txt,
    };

    // [[sources]]
    let mut names = HashSet::new();
    let mut sources = Vec::new();
    for spanned in raw.sources {
        let source = spanned.into_inner();
        let name = source.name.get_ref().trim().to_string();
        if name.is_empty() {
            problems.push(index.problem(source.name.span(), "a source name must not be empty"));
        } else if !names.insert(name.clone()) {
            problems.push(index.problem(
                source.name.span(),
                format!("duplicate source name `{name}`: each source needs its own name"),
            ));
        }
        if source.page_limit == 0 {
            problems.push(index.problem(
                source.name.span(),
                format!("source `{name}`: page_limit must be at least 1"),
            ));
        }
        if source.poll_deadline.is_zero() {
            problems.push(index.problem(
                source.name.span(),
                format!("source `{name}`: poll_deadline must be longer than zero"),
            ));
        }
        sources.push(SourceConfig {
            name,
            kind: match source.kind {
                RawSourceKind::TapParticipation => SourceKind::TapParticipation,
            },
            base_url: source.base_url,
            schedule: source.schedule,
            page_limit: source.page_limit,
            detail_limit: source.detail_limit,
            recheck_limit: source.recheck_limit,
            poll_deadline: source.poll_deadline,
            enabled: source.enabled,
        });
    }

    // [mail]
    let transport_span = raw.mail.transport.span();
    let transport = match raw.mail.transport.into_inner() {
        RawTransport::File => match raw.mail.file {
            Some(file) => MailTransport::File { dir: file.dir },
            None => MailTransport::File {
                dir: PathBuf::from("data/outbox"),
            },
        },
        RawTransport::Smtp => match raw.mail.smtp {
            None => {
                problems.push(index.problem(
                    transport_span,
                    "transport = \"smtp\" needs a [mail.smtp] section with at least `host`",
                ));
                MailTransport::File {
                    dir: PathBuf::from("data/outbox"),
                }
            }
            Some(smtp) => {
                if let Some(password) = &smtp.password {
                    problems.push(index.problem(
                        password.span(),
                        "never write the SMTP password in the config file: set the environment variable DRAFTWATCH_SMTP_PASSWORD, use a systemd credential named smtp-password, or name a file with `password_file`",
                    ));
                }
                let tls = match smtp.tls {
                    RawTls::Starttls => TlsMode::Starttls,
                    RawTls::Tls => TlsMode::Tls,
                    RawTls::None => TlsMode::None,
                };
                let port = smtp.port.unwrap_or(match tls {
                    TlsMode::Starttls => 587,
                    TlsMode::Tls => 465,
                    TlsMode::None => 25,
                });
                let password = match (&smtp.password_file, &smtp.username) {
                    (Some(file), _) => PasswordSource::File(file.clone()),
                    (None, Some(_)) => PasswordSource::Environment,
                    (None, None) => PasswordSource::None,
                };
                MailTransport::Smtp(SmtpConfig {
                    host: smtp.host,
                    port,
                    tls,
                    username: smtp.username,
                    password,
                    timeout: smtp.timeout,
                })
            }
        },
    };

    // [[recipients]]
    let mut recipient_names = HashSet::new();
    let mut recipients = Vec::new();
    for spanned in raw.recipients {
        let recipient = spanned.into_inner();
        let name = recipient.name.get_ref().trim().to_string();
        if name.is_empty() {
            problems
                .push(index.problem(recipient.name.span(), "a recipient name must not be empty"));
        } else if !recipient_names.insert(name.clone()) {
            problems.push(index.problem(
                recipient.name.span(),
                format!("duplicate recipient name `{name}`"),
            ));
        }
        if recipient.watchlists.is_empty() {
            problems.push(index.problem(
                recipient.name.span(),
                format!(
                    "recipient `{name}` follows no watchlist: list at least one in `watchlists`"
                ),
            ));
        }
        let watchlist_locations = recipient
            .watchlists
            .iter()
            .map(|w| index.locate(w.span().start))
            .collect();
        recipients.push(RecipientConfig {
            name,
            addresses: recipient.addresses,
            watchlists: recipient
                .watchlists
                .into_iter()
                .map(|w| w.into_inner())
                .collect(),
            watchlist_locations,
            language: match recipient.language {
                RawLanguage::Lv => Language::Lv,
                RawLanguage::En => Language::En,
            },
            schedule: recipient.schedule,
            send_when_empty: recipient.send_when_empty,
        });
    }

    // [digest] max_bytes: below a few kilobytes not even the footer fits.
    let max_bytes = *raw.digest.max_bytes.get_ref();
    if max_bytes < MIN_DIGEST_BYTES {
        problems.push(index.problem(
            raw.digest.max_bytes.span(),
            format!("[digest] max_bytes must be at least {MIN_DIGEST_BYTES} (a digest's headers and footer alone take a few kilobytes)"),
        ));
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(problems);
    }
    Ok(Config {
        source_path: path.map(Path::to_path_buf),
        timezone: raw.timezone,
        store: StoreConfig {
            path: raw.store.path,
        },
        http,
        sources,
        watchlists_dir: raw.watchlists_dir,
        mail: MailConfig {
            from: raw.mail.from,
            transport,
        },
        digest: DigestConfig {
            schedule: raw.digest.schedule,
            closing_soon_days: raw.digest.closing_soon_days,
            reminder_days: {
                let mut days = raw.digest.reminder_days;
                days.sort_unstable_by(|a, b| b.cmp(a));
                days.dedup();
                days
            },
            retry_base_delay: raw.digest.retry_base_delay,
            max_bytes: usize::try_from(max_bytes).unwrap_or(usize::MAX),
            calendar_dir: raw.digest.calendar_dir,
        },
        recipients,
        admin: AdminConfig {
            addresses: raw.admin.addresses,
            source_failing_after: raw.admin.source_failing_after,
        },
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
}
