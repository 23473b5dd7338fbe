//! `draftwatch outbox`: list the recorded digests, or send one of them again with its
//! recorded bytes, envelope and Message-ID and record the attempt.

use std::process::ExitCode;

use anyhow::Context;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::mailer::build_mailer;
use crate::store::{OutboxEntry, OutboxStatus, Store};

/// `draftwatch outbox`: one line per recorded digest, newest first.
pub(super) fn list_outbox(
    config: &Config,
    status: Option<OutboxStatus>,
    limit: usize,
) -> anyhow::Result<ExitCode> {
    let entries = open_store(config)?.list_outbox(status, limit)?;
    let mut out = String::new();
    for entry in &entries {
        out.push_str(&entry.to_string());
        out.push('\n');
    }
    print!("{out}");
    eprintln!("{} recorded digests shown.", entries.len());
    Ok(ExitCode::SUCCESS)
}

/// `draftwatch outbox --resend ID`: hand the recorded bytes of digest `id` to the mail
/// server again and record the result.
///
/// Pending digests are refused: the daemon's retry loop may be sending them at the same
/// moment, and a second sender would deliver them twice.
pub(super) async fn resend_outbox_entry(
    config: &Config,
    clock: &Clock,
    id: i64,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(config)?;
    let entry = find_outbox_entry_by_id(&store, id)?;
    if entry.status == OutboxStatus::Pending {
        anyhow::bail!(
            "digest #{id} ({}) is still pending and is sent automatically at its next \
             attempt ({}); run `draftwatch digest` to try due digests now",
            entry.message_id,
            entry.next_attempt_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    if entry.raw_message.is_empty() {
        anyhow::bail!(
            "digest #{id} ({}) cannot be sent again: its message text was pruned after \
             [retention] outbox_messages",
            entry.message_id
        );
    }
    let envelope = entry
        .envelope()
        .with_context(|| format!("digest #{id} cannot be sent again"))?;
    if let Some(recipient) = config.recipient(&entry.recipient) {
        let configured: Vec<String> = recipient
            .addresses
            .iter()
            .map(|mailbox| mailbox.email.to_string())
            .collect();
        if configured != entry.envelope_to {
            eprintln!(
                "note: digest #{id} goes to its recorded addresses {}; the configuration now \
                 lists {} for {}",
                entry.envelope_to.join(", "),
                configured.join(", "),
                entry.recipient
            );
        }
    }
    let mailer = build_mailer(&config.mail).context("setting up mail delivery")?;
    let sent = mailer.send_raw(&envelope, &entry.raw_message).await;
    let now = clock.now();
    match sent {
        Ok(()) => {
            // A failed digest becomes sent, with its drafts and reminders recorded as
            // delivered (which counts the attempt); a sent one only counts the attempt.
            let recorded = if entry.status == OutboxStatus::Sent {
                store.record_outbox_resend(id, None)
            } else {
                store.mark_outbox_sent(id, now)
            };
            recorded.with_context(|| {
                format!("digest #{id} was sent again but could not be recorded")
            })?;
            let updated = find_outbox_entry_by_id(&store, id)?;
            println!("sent again: {updated}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            // The attempt and its error are recorded; the status stays as it was.
            println!("not sent: #{id} {}: {error:#}", entry.message_id);
            store
                .record_outbox_resend(id, Some(&format!("{error:#}")))
                .with_context(|| {
                    format!("digest #{id}: the failed re-send could not be recorded")
                })?;
            eprintln!(
                "digest #{id} keeps its status {}; the attempt and its error are recorded",
                entry.status
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The recorded digest with row id `id`, or an error naming the command that lists them.
fn find_outbox_entry_by_id(store: &Store, id: i64) -> anyhow::Result<OutboxEntry> {
    store.get_outbox_entry(id)?.with_context(|| {
        format!("no recorded digest has the id {id} (`draftwatch outbox` lists them)")
    })
}
