//! Digests: for each recipient, the drafts its watchlists caught that it has not received
//! yet, rendered in its language and handed to the [`Mailer`].
//!
//! The rule that keeps "nothing sent twice, nothing lost" is in [`send_digests`]: drafts are
//! marked delivered only after the mailer returned `Ok`, and nothing is marked when sending
//! failed, so the next run offers them again. A crash between sending and marking can send
//! a digest twice; that is the accepted failure mode (better twice than never).
//!
//! Submodules: [`select`] chooses and orders drafts (pure), [`lang`] words days and dates,
//! [`render`] fills the templates and builds the message. This module does not poll portals,
//! evaluate watchlists itself (it calls the matcher) or talk SMTP (see [`crate::mailer`]).

pub mod lang;
pub mod render;
pub mod select;

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::{Config, RecipientConfig};
use crate::mailer::{MailError, Mailer};
use crate::matcher::{MatchInput, WatchlistSet};
use crate::store::{DraftFilter, Store, StoreError};

pub use lang::{WindowState, days_left_phrase, format_date, format_window};
pub use render::{RenderError, RenderedDigest, Templates, build_message, highlight_html};
pub use select::{DigestItem, EvaluatedDraft, select_items};

/// Environment variable naming a failpoint, a test hook for crash tests. With the value
/// `after-send`, the process exits with code 86 right after the mail server accepted a
/// digest and before the drafts are marked delivered: it simulates a crash between send and
/// mark, so tests can check what the next run does. Never set it in production.
pub const FAILPOINT_ENV_VAR: &str = "DRAFTWATCH_FAILPOINT";

/// Exit code of the `after-send` failpoint.
pub const FAILPOINT_EXIT_CODE: i32 = 86;

/// Everything one digest run needs. Borrowed, so the caller keeps ownership of long-lived
/// state (the store behind its mutex, the current watchlists).
pub struct DigestContext<'a> {
    /// The configuration (recipients, sender, time zone).
    pub config: &'a Config,
    /// The store; locked only for short synchronous calls, never across an `.await`.
    pub store: &'a Mutex<Store>,
    /// The watchlists to evaluate drafts with.
    pub watchlists: &'a WatchlistSet,
    /// Where messages go.
    pub mailer: &'a dyn Mailer,
    /// The instant of this run; its date in `config.timezone` is "today".
    pub now: DateTime<Utc>,
    /// Render but neither send nor record anything.
    pub dry_run: bool,
    /// Restrict the run to the recipient of this name.
    pub only_recipient: Option<&'a str>,
}

/// Why a whole digest run could not proceed (one recipient's failure is not this; it is
/// recorded in the [`DigestSummary`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// Reading the drafts failed.
    #[error("cannot read drafts from the store: {0}")]
    Store(#[from] StoreError),
    /// Another thread panicked while holding the store.
    #[error("the store is unusable: a thread panicked while using it")]
    StorePoisoned,
    /// The templates could not be loaded.
    #[error(transparent)]
    Templates(#[from] RenderError),
    /// `only_recipient` names nobody in the configuration.
    #[error("no recipient named {0:?} in the configuration")]
    UnknownRecipient(String),
}

/// What happened for one recipient.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecipientOutcome {
    /// The digest was accepted and its drafts are recorded as delivered.
    Sent {
        /// Number of drafts in it.
        drafts: usize,
        /// Its Message-ID.
        message_id: String,
    },
    /// Nothing new for this recipient.
    NothingNew,
    /// Dry run: what would have been sent.
    DryRun(RenderedDigest),
    /// Something failed; nothing was recorded unless the reason says otherwise.
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
    /// One report per recipient handled, in configuration order.
    pub recipients: Vec<RecipientReport>,
}

impl DigestSummary {
    /// Whether any recipient failed (the CLI exits non-zero then).
    pub fn has_failures(&self) -> bool {
        self.recipients
            .iter()
            .any(|report| matches!(report.outcome, RecipientOutcome::Failed { .. }))
    }
}

impl fmt::Display for DigestSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.recipients.is_empty() {
            return writeln!(f, "no recipients");
        }
        for report in &self.recipients {
            let name = &report.recipient;
            match &report.outcome {
                RecipientOutcome::Sent { drafts, message_id } => {
                    writeln!(f, "{name}: sent {drafts} drafts ({message_id})")?
                }
                RecipientOutcome::NothingNew => writeln!(f, "{name}: nothing new")?,
                RecipientOutcome::Failed { reason, .. } => writeln!(f, "{name}: failed: {reason}")?,
                RecipientOutcome::DryRun(digest) => {
                    writeln!(
                        f,
                        "{name}: would send {} drafts (dry run)",
                        digest.draft_ids.len()
                    )?;
                    writeln!(f, "Subject: {}\n", digest.subject)?;
                    writeln!(f, "{}", digest.text)?;
                }
            }
        }
        Ok(())
    }
}

/// Build and send every recipient's digest (or only `ctx.only_recipient`'s).
///
/// Per recipient: select unsent drafts that fire one of its watchlists, render, send, and
/// only after the mailer returned `Ok` record them as delivered. A failing recipient is
/// logged and reported in the summary; the others still get their digests.
pub async fn send_digests(ctx: &DigestContext<'_>) -> Result<DigestSummary, DigestError> {
    let recipients: Vec<&RecipientConfig> = match ctx.only_recipient {
        Some(name) => {
            let found: Vec<_> = ctx
                .config
                .recipients
                .iter()
                .filter(|recipient| recipient.name == name)
                .collect();
            if found.is_empty() {
                return Err(DigestError::UnknownRecipient(name.to_owned()));
            }
            found
        }
        None => ctx.config.recipients.iter().collect(),
    };
    let templates = load_templates(ctx.config)?;
    let today = ctx.now.with_timezone(&ctx.config.timezone).date_naive();
    let drafts = {
        let store = ctx.store.lock().map_err(|_| DigestError::StorePoisoned)?;
        store.list_drafts(&DraftFilter::default())?
    };
    let evaluated: Vec<EvaluatedDraft> = drafts
        .into_iter()
        .map(|draft| {
            let verdicts = ctx.watchlists.evaluate(&MatchInput {
                title: &draft.title,
                description: draft.description.as_deref(),
                policy_areas: &draft.policy_areas,
                ministry: draft.ministry.as_deref(),
                kind: draft.kind.as_deref(),
            });
            EvaluatedDraft { draft, verdicts }
        })
        .collect();

    let mut summary = DigestSummary::default();
    for recipient in recipients {
        let outcome = digest_for(ctx, &templates, recipient, &evaluated, today).await;
        match &outcome {
            RecipientOutcome::Failed { reason, permanent } => tracing::error!(
                recipient = %recipient.name,
                permanent = *permanent,
                "digest failed: {reason}"
            ),
            RecipientOutcome::Sent { drafts, message_id } => tracing::info!(
                recipient = %recipient.name,
                drafts = *drafts,
                message_id = %message_id,
                "digest sent"
            ),
            RecipientOutcome::NothingNew => {
                tracing::debug!(recipient = %recipient.name, "nothing new")
            }
            RecipientOutcome::DryRun(digest) => tracing::info!(
                recipient = %recipient.name,
                drafts = digest.draft_ids.len(),
                "dry run: digest rendered, not sent"
            ),
        }
        summary.recipients.push(RecipientReport {
            recipient: recipient.name.clone(),
            outcome,
        });
    }
    Ok(summary)
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

/// One recipient's whole digest step; every failure becomes [`RecipientOutcome::Failed`].
async fn digest_for(
    ctx: &DigestContext<'_>,
    templates: &Templates,
    recipient: &RecipientConfig,
    evaluated: &[EvaluatedDraft],
    today: NaiveDate,
) -> RecipientOutcome {
    let failed = |reason: String, permanent: bool| RecipientOutcome::Failed { reason, permanent };
    let delivered: HashSet<i64> = {
        let Ok(store) = ctx.store.lock() else {
            return failed("the store is unusable (poisoned lock)".to_owned(), true);
        };
        match store.delivered_draft_ids(&recipient.name) {
            Ok(ids) => ids,
            Err(error) => return failed(format!("cannot read delivery records: {error}"), false),
        }
    };
    let items = select_items(recipient, evaluated, &delivered, today);
    if items.is_empty() {
        return RecipientOutcome::NothingNew;
    }
    let digest = match templates.render(recipient, &items, today) {
        Ok(digest) => digest,
        Err(error) => return failed(error.to_string(), true),
    };
    if ctx.dry_run {
        return RecipientOutcome::DryRun(digest);
    }
    let message_id = render::new_message_id(&ctx.config.mail.from, &recipient.name, ctx.now);
    let message = match build_message(
        &ctx.config.mail.from,
        recipient,
        &digest,
        &message_id,
        ctx.now,
    ) {
        Ok(message) => message,
        Err(error) => return failed(error.to_string(), true),
    };
    if let Err(error) = ctx.mailer.send(&message).await {
        return mail_failed(&error);
    }
    failpoint_after_send();
    let marked = match ctx.store.lock() {
        Ok(mut store) => store
            .mark_delivered(&recipient.name, &digest.draft_ids, &message_id, ctx.now)
            .map_err(|error| error.to_string()),
        Err(_) => Err("the store is unusable (poisoned lock)".to_owned()),
    };
    match marked {
        Ok(()) => RecipientOutcome::Sent {
            drafts: digest.draft_ids.len(),
            message_id,
        },
        Err(reason) => failed(
            format!(
                "digest {message_id} was sent but could not be recorded, \
                 so it will be sent again: {reason}"
            ),
            false,
        ),
    }
}

fn mail_failed(error: &MailError) -> RecipientOutcome {
    RecipientOutcome::Failed {
        reason: error.to_string(),
        permanent: error.is_permanent(),
    }
}

/// See [`FAILPOINT_ENV_VAR`]: the test hook for "crash between send and mark".
fn failpoint_after_send() {
    if std::env::var(FAILPOINT_ENV_VAR).is_ok_and(|value| value == "after-send") {
        tracing::warn!("failpoint after-send: exiting before marking drafts delivered");
        std::process::exit(FAILPOINT_EXIT_CODE);
    }
}

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
                    RecipientOutcome::DryRun(RenderedDigest {
                        subject: "draftwatch: 1 projekts komentēšanai".to_owned(),
                        text: "Labdien!".to_owned(),
                        html: String::new(),
                        draft_ids: vec![7],
                    }),
                ),
            ],
        };
        assert!(summary.has_failures());
        assert_eq!(
            summary.to_string(),
            "A: sent 3 drafts (<m@x.lv>)\nB: nothing new\n\
             C: failed: mail server x:25: permanent error (550)\n\
             D: would send 1 drafts (dry run)\nSubject: draftwatch: 1 projekts komentēšanai\n\n\
             Labdien!\n"
        );
        assert!(!DigestSummary::default().has_failures());
    }
}
