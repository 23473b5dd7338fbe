//! Mail delivery: hands a finished [`lettre::Message`] to an SMTP server or writes it as an
//! `.eml` file, behind the small [`Mailer`] trait so tests and dry runs can swap transports.
//!
//! This module does not build messages (the digest and alert modules do) and does not
//! decide what was delivered: the caller marks drafts as delivered only after
//! [`Mailer::send`] returned `Ok`, which for SMTP means the server accepted the message. Failures say whether a retry can
//! help ([`MailError::is_permanent`]) and name the server.
//!
//! The SMTP password is read once, at construction, and lives only inside lettre's
//! credentials; neither [`SmtpMailer`]'s `Debug` output nor any error message contains it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailConfig, MailTransport, PasswordSource, SmtpConfig, TlsMode};
use crate::sources::BoxFuture;

/// Environment variable holding the SMTP password for [`PasswordSource::Environment`].
pub const PASSWORD_ENV_VAR: &str = "DRAFTWATCH_SMTP_PASSWORD";

/// Name of the systemd credential (in `$CREDENTIALS_DIRECTORY`) read when the environment
/// variable is unset, so the password can come from `LoadCredential=` instead of the unit file.
pub const PASSWORD_CREDENTIAL_NAME: &str = "smtp-password";

/// Why a message could not be handed over, or a mailer not built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The SMTP conversation failed: a 4xx/5xx reply, a refused connection, TLS or timeout.
    #[error("mail server {server}: {source}")]
    Smtp {
        /// `host:port` of the server, so the admin knows which one to look at.
        server: String,
        /// lettre's error, carrying the reply code when there is one.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The whole SMTP conversation (connect, greeting, TLS, AUTH, MAIL/RCPT/DATA) did not
    /// finish within `[mail.smtp] timeout`: a server that accepts the connection and then
    /// stalls or trickles bytes. The conversation was abandoned; a retry may succeed.
    #[error(
        "mail server {server}: the SMTP conversation did not finish within {limit:?} \
         ([mail.smtp] timeout); abandoned, to be retried"
    )]
    Timeout {
        /// `host:port` of the server.
        server: String,
        /// The configured limit.
        limit: Duration,
    },
    /// The SMTP transport could not be set up (for example a host name unusable for TLS).
    #[error("cannot set up the connection to mail server {server}: {source}")]
    Setup {
        /// `host:port` of the server.
        server: String,
        /// lettre's error.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// A login name is configured but no password could be found.
    #[error(
        "mail server {server}: username {username:?} is set but no password was found ({looked_in})"
    )]
    MissingPassword {
        /// `host:port` of the server.
        server: String,
        /// The configured login name.
        username: String,
        /// Where the password was looked for.
        looked_in: String,
    },
    /// The password file (or systemd credential) exists but could not be read.
    #[error("cannot read the smtp password file {}: {source}", path.display())]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing an `.eml` file failed.
    #[error("cannot write mail file {}: {source}", path.display())]
    File {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl MailError {
    /// True when the server refused for good (5xx): retrying the same message will fail again,
    /// so the admin must act (wrong address, message rejected). Everything else (4xx replies,
    /// network trouble, timeouts, disk errors) may pass on a later attempt.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::Smtp { source, .. } => source.is_permanent(),
            MailError::Setup { .. }
            | MailError::MissingPassword { .. }
            | MailError::PasswordFile { .. } => true,
            MailError::File { .. } | MailError::Timeout { .. } => false,
        }
    }

    /// True when a later attempt may succeed (the opposite of [`MailError::is_permanent`]).
    pub fn is_transient(&self) -> bool {
        !self.is_permanent()
    }

    /// The SMTP reply code, when the failure was a reply from the server.
    pub fn smtp_code(&self) -> Option<u16> {
        match self {
            MailError::Smtp { source, .. } => source
                .status()
                .and_then(|code| code.to_string().parse::<u16>().ok()),
            _ => None,
        }
    }
}

/// Something that delivers finished messages. Object-safe so the digest can take
/// `&dyn Mailer` and tests can substitute their own.
pub trait Mailer: Send + Sync {
    /// Deliver message bytes exactly as given (the outbox resends recorded bytes, so a retry
    /// carries the same Message-ID). `Ok` means the message is out of our hands (accepted by
    /// the server, or safely on disk), and only then may it be recorded as delivered.
    fn send_raw<'a>(
        &'a self,
        envelope: &'a Envelope,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), MailError>>;

    /// Deliver one message (its own envelope and formatted bytes).
    fn send<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), MailError>> {
        Box::pin(async move {
            let envelope = message.envelope().clone();
            let raw = message.formatted();
            self.send_raw(&envelope, &raw).await
        })
    }
}

/// Build the mailer the configuration asks for.
pub fn build_mailer(config: &MailConfig) -> Result<Box<dyn Mailer>, MailError> {
    Ok(match &config.transport {
        MailTransport::File { dir } => Box::new(FileMailer::new(dir.clone())),
        MailTransport::Smtp(smtp) => Box::new(SmtpMailer::new(smtp)?),
    })
}

/// Sends over SMTP with lettre's tokio transport.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    server: String,
    tls: TlsMode,
    username: Option<String>,
    /// Bound on one whole conversation. lettre's own timeout covers only connecting (its
    /// async transport has no per-command timeout), so this is enforced around each send.
    conversation_timeout: Duration,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Written by hand: the transport holds the credentials and must never be printed.
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("conversation_timeout", &self.conversation_timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Set up the transport (no connection is made yet). Reads the password now, so a
    /// missing one is reported at start-up rather than at the first digest.
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        let server = format!("{}:{}", config.host, config.port);
        let credentials = match &config.username {
            None => None,
            Some(username) => {
                let password = read_password(&config.password, &server, username)?;
                Some(Credentials::new(username.clone(), password))
            }
        };
        let setup_error = |source| MailError::Setup {
            server: server.clone(),
            source,
        };
        let builder = match config.tls {
            TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(setup_error)?,
            TlsMode::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(setup_error)?
            }
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            server,
            tls: config.tls,
            username: config.username.clone(),
            conversation_timeout: config.timeout,
        })
    }

    /// `host:port` of the server, for messages.
    pub fn server(&self) -> &str {
        &self.server
    }
}

impl Mailer for SmtpMailer {
    fn send_raw<'a>(
        &'a self,
        envelope: &'a Envelope,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), MailError>> {
        Box::pin(async move {
            // Dropping the unfinished send closes the connection. Before the final dot the
            // server must discard the message; if only its reply to the dot was late it may
            // still deliver it, and the outbox's retry then carries the same Message-ID.
            let send = self.transport.send_raw(envelope, raw);
            match tokio::time::timeout(self.conversation_timeout, send).await {
                Ok(result) => result
                    .map(|_response| ())
                    .map_err(|source| MailError::Smtp {
                        server: self.server.clone(),
                        source,
                    }),
                Err(_elapsed) => Err(MailError::Timeout {
                    server: self.server.clone(),
                    limit: self.conversation_timeout,
                }),
            }
        })
    }
}

/// Find the password for `username` as the config says. Empty environment values count as
/// unset, so a blank `Environment=` line in a unit does not log in with an empty password.
fn read_password(
    source: &PasswordSource,
    server: &str,
    username: &str,
) -> Result<String, MailError> {
    match source {
        PasswordSource::None => Ok(String::new()),
        PasswordSource::File(path) => read_password_file(path),
        PasswordSource::Environment => {
            if let Some(value) = std::env::var_os(PASSWORD_ENV_VAR)
                && !value.is_empty()
            {
                return value.into_string().map_err(|_| MailError::PasswordFile {
                    path: PathBuf::from(format!("${PASSWORD_ENV_VAR}")),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the value is not valid UTF-8",
                    ),
                });
            }
            let credential = std::env::var_os("CREDENTIALS_DIRECTORY")
                .map(|dir| Path::new(&dir).join(PASSWORD_CREDENTIAL_NAME));
            match credential {
                Some(path) if path.exists() => read_password_file(&path),
                _ => Err(MailError::MissingPassword {
                    server: server.to_owned(),
                    username: username.to_owned(),
                    looked_in: format!(
                        "environment variable {PASSWORD_ENV_VAR} and systemd credential \
                         $CREDENTIALS_DIRECTORY/{PASSWORD_CREDENTIAL_NAME}"
                    ),
                }),
            }
        }
    }
}

/// The whole file is the password, minus the line ending editors add.
fn read_password_file(path: &Path) -> Result<String, MailError> {
    let content = std::fs::read_to_string(path).map_err(|source| MailError::PasswordFile {
        path: path.to_owned(),
        source,
    })?;
    Ok(content.trim_end_matches(['\n', '\r']).to_owned())
}

/// Writes each message as an `.eml` file: for setups without a mail server, for trying the
/// configuration out, and for tests. Files appear atomically (written under an unpredictable
/// temporary name, then renamed), so a mail-pickup script never reads half a message.
#[derive(Debug)]
pub struct FileMailer {
    dir: PathBuf,
    counter: AtomicU64,
}

impl FileMailer {
    /// Write into `dir`, created on first use when missing.
    pub fn new(dir: PathBuf) -> Self {
        FileMailer {
            dir,
            counter: AtomicU64::new(0),
        }
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<UTC timestamp>-<recipient-slug>-<short-id>.eml`; the short id keeps two messages of
    /// the same second apart.
    fn file_name(&self, envelope: &Envelope, raw: &[u8]) -> String {
        use std::hash::{Hash as _, Hasher as _};
        let now = chrono::Utc::now();
        let recipient = envelope
            .to()
            .first()
            .map(|address| address.to_string())
            .unwrap_or_default();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        raw.hash(&mut hasher);
        now.timestamp_nanos_opt().hash(&mut hasher);
        std::process::id().hash(&mut hasher);
        self.counter
            .fetch_add(1, Ordering::Relaxed)
            .hash(&mut hasher);
        let short_id = hasher.finish() & 0xffff_ffff;
        format!(
            "{}-{}-{short_id:08x}.eml",
            now.format("%Y%m%dT%H%M%SZ"),
            slug(&recipient)
        )
    }
}

/// Lower-case ASCII letters and digits of `text` (Latvian letters without their diacritics:
/// "Bērnu tīkls" → "bernu-tikls"), other runs turned into one `-`, at most 40 characters;
/// "unknown" when nothing is left.
pub(crate) fn slug(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
    {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "unknown".to_owned()
    } else {
        out.to_owned()
    }
}

impl Mailer for FileMailer {
    fn send_raw<'a>(
        &'a self,
        envelope: &'a Envelope,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), MailError>> {
        let name = self.file_name(envelope, raw);
        let raw = raw.to_vec();
        let dir = self.dir.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &raw))
                .await
                .map_err(|join_error| MailError::File {
                    path: self.dir.clone(),
                    source: std::io::Error::other(join_error.to_string()),
                })?
        })
    }
}

/// Write `content` to `dir/name` atomically (see [`crate::atomic_file`]); also used for the
/// calendar subscription files.
pub(crate) fn write_atomically(dir: &Path, name: &str, content: &[u8]) -> Result<(), MailError> {
    crate::atomic_file::write_atomically(dir, name, content)
        .map(|_path| ())
        .map_err(|error| MailError::File {
            path: error.path,
            source: error.source,
        })
}

// Mail headers and dates shared by every message draftwatch writes (digests and admin
// alerts): they describe mail, not any one kind of message.

/// The `Auto-Submitted: auto-generated` header (RFC 3834): tells vacation responders and
/// mailing-list software not to answer a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if s.trim().eq_ignore_ascii_case("auto-generated") {
            Ok(AutoSubmitted)
        } else {
            Err(format!("unsupported Auto-Submitted value {s:?}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// A new globally unique Message-ID (with angle brackets) in the sender's domain. It is
/// stored with the delivery record, so a coordinator's question about a mail can be traced.
pub fn new_message_id(from: &Mailbox, recipient: &str, now: DateTime<Utc>) -> String {
    use std::hash::{Hash as _, Hasher as _};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    recipient.hash(&mut hasher);
    std::process::id().hash(&mut hasher);
    COUNTER.fetch_add(1, Ordering::Relaxed).hash(&mut hasher);
    std::time::SystemTime::now().hash(&mut hasher);
    format!(
        "<{}.{:016x}.draftwatch@{}>",
        now.format("%Y%m%d%H%M%S"),
        hasher.finish(),
        from.email.domain()
    )
}

/// An instant as local date and time, the way the footer shows poll times:
/// "15.09.2026. 08:10".
pub fn format_instant(at: DateTime<Utc>, timezone: Tz) -> String {
    at.with_timezone(&timezone)
        .format("%d.%m.%Y. %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_folds_latvian_letters_and_keeps_ascii_words() {
        assert_eq!(slug("Anna.Bērziņa@Example.lv"), "anna-berzina-example-lv");
        assert_eq!(slug("Bērnu labklājības tīkls"), "bernu-labklajibas-tikls");
        assert_eq!(slug("@@@"), "unknown");
        assert!(slug(&"a".repeat(100)).len() <= 40);
    }

    /// Defect #8.9: the writer used the predictable temporary name `.{name}.tmp` and
    /// followed a symlink planted there, overwriting whatever it pointed to.
    #[cfg(unix)]
    #[test]
    fn symlink_planted_at_the_temporary_name_leaves_its_target_unchanged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").expect("write victim");
        let out = dir.path().join("calendars");
        std::fs::create_dir(&out).expect("create folder");
        std::os::unix::fs::symlink(&victim, out.join(".tikls.ics.tmp")).expect("plant symlink");

        write_atomically(&out, "tikls.ics", b"BEGIN:VCALENDAR").expect("write");

        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        let written = std::fs::read_to_string(out.join("tikls.ics")).expect("read");
        assert_eq!(written, "BEGIN:VCALENDAR");
    }

    #[test]
    fn password_file_loses_only_the_line_ending() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("pw");
        std::fs::write(&path, " s3cr\u{0113}t \r\n").expect("write");
        assert_eq!(read_password_file(&path).expect("read"), " s3crēt ");
    }
}
