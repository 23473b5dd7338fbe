//! `draftwatch outbox` through the binary: a digest refused for good (550 at RCPT) is listed
//! as failed, `--resend` delivers the very same bytes and Message-ID once the server takes
//! them and records the digest as sent; unknown ids, pending digests and a re-send the
//! server refuses again are clear errors that change nothing.

mod cli_harness;
mod support;

use std::process::Output;

use cli_harness::{ADDRESS, Setup, portal, smtp_mail, stderr, stdout};
use support::smtp::{SmtpSink, Stage};

/// `outbox` with `args`, which must succeed; its lines.
async fn outbox_lines(setup: &Setup, args: &[&str]) -> Vec<String> {
    let output: Output = setup.run(&[&["outbox"], args].concat()).await;
    assert!(
        output.status.success(),
        "outbox failed: {}",
        stderr(&output)
    );
    stdout(&output).lines().map(str::to_owned).collect()
}

/// The row id at the start of an `outbox` line (`#12 sent ...`).
fn line_id(line: &str) -> String {
    line.split_whitespace()
        .next()
        .and_then(|first| first.strip_prefix('#'))
        .unwrap_or_else(|| panic!("outbox line starts with #id: {line}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_digest_is_listed_as_failed_and_resent_once_fixed() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    let poll = setup.run(&["poll"]).await;
    assert!(poll.status.success(), "{}", stderr(&poll));

    assert!(
        outbox_lines(&setup, &[]).await.is_empty(),
        "nothing recorded yet"
    );

    // The server refuses the only recipient for good: the digest is recorded as failed.
    sink.refuse_next(Stage::Rcpt, 550, 1);
    let digest = setup.run(&["digest"]).await;
    assert_eq!(digest.status.code(), Some(1), "{}", stderr(&digest));
    assert!(sink.messages().is_empty());

    let failed = outbox_lines(&setup, &["--status", "failed"]).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    let line = &failed[0];
    for expected in [
        "failed_permanent",
        "Bērnu labklājības tīkls",
        "2026-09-15 06:00 UTC",
        "attempts 1",
        "@example.org>",
        "550",
    ] {
        assert!(line.contains(expected), "{expected:?} in {line}");
    }
    let id = line_id(line);
    assert!(outbox_lines(&setup, &["--status", "sent"]).await.is_empty());
    assert!(
        outbox_lines(&setup, &["--status", "pending"])
            .await
            .is_empty(),
        "a permanent refusal is not retried"
    );
    // The admin fixed the server: the re-send delivers the recorded digest, once.
    let resend = setup.run(&["outbox", "--resend", &id]).await;
    assert!(resend.status.success(), "{}", stderr(&resend));
    assert!(
        stdout(&resend).contains("sent again"),
        "{}",
        stdout(&resend)
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, [ADDRESS]);
    let mail = support::parse_mail(&messages[0].data);
    assert!(mail.text.contains("26-TA-2228"), "{}", mail.text);
    assert!(
        line.contains(&mail.message_id),
        "same Message-ID as recorded: {} in {line}",
        mail.message_id
    );

    let all = outbox_lines(&setup, &[]).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].starts_with(&format!("#{id} sent ")), "{}", all[0]);
    assert!(all[0].contains("attempts 2"), "{}", all[0]);
    assert!(
        !all[0].contains("550"),
        "the old error is cleared: {}",
        all[0]
    );

    // Its drafts now count as delivered: the next day's digest does not repeat them.
    let next_day = setup.run_at("2026-09-16T08:00:00+03:00", &["digest"]).await;
    assert!(next_day.status.success(), "{}", stderr(&next_day));
    assert!(
        stdout(&next_day).contains("nothing new"),
        "{}",
        stdout(&next_day)
    );
    assert_eq!(sink.messages().len(), 1);

    // A sent digest the partner lost goes out again with identical bytes.
    let lost = setup.run(&["outbox", "--resend", &id]).await;
    assert!(lost.status.success(), "{}", stderr(&lost));
    let messages = sink.messages();
    let last = messages.last().expect("re-sent message");
    assert_eq!(last.data, messages[0].data, "the recorded bytes, unchanged");
    let again = outbox_lines(&setup, &["--status", "sent"]).await;
    assert!(
        again
            .iter()
            .any(|l| l.starts_with(&format!("#{id} sent ")) && l.contains("attempts 3")),
        "the re-send is counted: {again:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_refuses_unknown_and_pending_digests_and_keeps_a_refused_one_failed() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());

    let unknown = setup.run(&["outbox", "--resend", "999"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no recorded digest has the id 999"),
        "{}",
        stderr(&unknown)
    );

    // A temporary refusal leaves the digest pending: the retry loop owns it.
    sink.refuse_next(Stage::Data, 451, 1);
    assert_eq!(setup.run(&["digest"]).await.status.code(), Some(1));
    let pending = outbox_lines(&setup, &["--status", "pending"]).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(pending[0].contains("451"), "{}", pending[0]);
    let id = line_id(&pending[0]);
    let refused = setup.run(&["outbox", "--resend", &id]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("still pending"),
        "{}",
        stderr(&refused)
    );
    assert!(
        sink.messages().is_empty(),
        "a pending digest is not re-sent"
    );

    // Refused for good at its retry, and again at the re-send: it stays failed, unsent.
    sink.refuse_recipient(ADDRESS, 550);
    let retry = setup.run_at("2026-09-15T09:10:00+03:00", &["digest"]).await;
    assert_eq!(retry.status.code(), Some(1), "{}", stderr(&retry));
    // (The retry run also built and tried that minute's digest, refused the same way.)
    let failed = outbox_lines(&setup, &["--status", "failed"]).await;
    assert!(
        failed
            .iter()
            .any(|l| line_id(l) == id && l.contains("attempts 2")),
        "{failed:?}"
    );
    let resend = setup.run(&["outbox", "--resend", &id]).await;
    assert_eq!(resend.status.code(), Some(1));
    assert!(
        stdout(&resend).contains("not sent") && stdout(&resend).contains("550"),
        "{}",
        stdout(&resend)
    );
    assert!(sink.messages().is_empty());
    // Still failed, with the attempt counted and its error kept.
    let after = outbox_lines(&setup, &["--status", "failed"]).await;
    assert!(
        after
            .iter()
            .any(|l| line_id(l) == id && l.contains("attempts 3") && l.contains("550")),
        "{after:?}"
    );
    assert!(
        stderr(&resend).contains("attempt and its error are recorded"),
        "{}",
        stderr(&resend)
    );

    // Bad options are usage errors.
    let bad = setup.run(&["outbox", "--status", "lost"]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("pending"), "{}", stderr(&bad));
    let both = setup
        .run(&["outbox", "--resend", &id, "--status", "sent"])
        .await;
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_shows_the_newest_first() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());
    assert!(setup.run(&["digest"]).await.status.success());
    // 26-TA-2228's window ends on 25.09: its 3-day reminder makes a second digest.
    let later = setup.run_at("2026-09-22T08:00:00+03:00", &["digest"]).await;
    assert!(later.status.success(), "{}", stderr(&later));
    let all = outbox_lines(&setup, &[]).await;
    assert!(all.len() >= 2, "two digests recorded: {all:?}");
    let ids: Vec<i64> = all
        .iter()
        .map(|l| line_id(l).parse().expect("numeric id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let one = outbox_lines(&setup, &["--limit", "1"]).await;
    assert_eq!(one, all[..1]);
}
