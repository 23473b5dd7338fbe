//! Mail delivery (stub: replaced by the digest work).
use crate::config::MailConfig;
use crate::sources::BoxFuture;

/// Error.
#[derive(Debug, thiserror::Error)]
#[error("mail")]
pub struct MailError;

/// Mailer.
pub trait Mailer: Send + Sync {
    /// Send.
    fn send<'a>(&'a self, message: &'a lettre::Message) -> BoxFuture<'a, Result<(), MailError>>;
}

/// Build.
pub fn build_mailer(_config: &MailConfig) -> Result<Box<dyn Mailer>, MailError> {
    Err(MailError)
}
