//! `draftwatch outbox` through the binary: a digest refused for good (550 at RCPT) is listed
//! as failed, `--resend` delivers the very same bytes and Message-ID once the server takes
//! them and records the digest as sent; unknown ids, pending digests and a re-send the
//! server refuses again are clear errors that change nothing.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::smtp::{SmtpSink, Stage};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NOW: &str = "2026-09-15T09:00:00+03:00";
const ADDRESS: &str = "koordinators@example.org";

/// A temporary folder with a configuration polling `portal` and mailing through the SMTP
/// server on `smtp_port`.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new(portal: &str, smtp_port: u16) -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        let watchlists = Path::new(env!("CARGO_MANIFEST_DIR")).join("watchlists");
        let text = format!(
            r#"
timezone = "Europe/Riga"
watchlists_dir = "{watchlists}"
[store]
path = "data/draftwatch.sqlite3"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
min_interval = "5ms"
retries = 0
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "{portal}"
schedule = "10 7-19 * * MON-FRI"
page_limit = 1
detail_limit = 0
[mail]
from = "draftwatch <draftwatch@example.org>"
transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
timeout = "10s"
[digest]
schedule = "0 8 * * MON-FRI"
[[recipients]]
name = "Bērnu labklājības tīkls"
addresses = ["{ADDRESS}"]
watchlists = ["berni"]
"#,
            watchlists = watchlists.display()
        );
        let config = dir.path().join("draftwatch.toml");
        std::fs::write(&config, text).expect("write config");
        Setup { dir, config }
    }

    /// Run the binary at `now`, off the async runtime so the in-process SMTP sink serves.
    async fn run_at(&self, now: &str, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_draftwatch"));
        command
            .arg("--config")
            .arg(&self.config)
            .args(["--now", now])
            .args(args)
            .current_dir(self.dir.path())
            .env("RUST_LOG", "warn")
            .env_remove("DRAFTWATCH_FAILPOINT");
        tokio::task::spawn_blocking(move || command.output().expect("draftwatch runs"))
            .await
            .expect("join")
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.run_at(NOW, args).await
    }

    /// `outbox` with `args`, which must succeed; its lines.
    async fn outbox_lines(&self, args: &[&str]) -> Vec<String> {
        let output = self.run(&[&["outbox"], args].concat()).await;
        assert!(
            output.status.success(),
            "outbox failed: {}",
            stderr(&output)
        );
        stdout(&output).lines().map(str::to_owned).collect()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The row id at the start of an `outbox` line (`#12 sent ...`).
fn line_id(line: &str) -> String {
    line.split_whitespace()
        .next()
        .and_then(|first| first.strip_prefix('#'))
        .unwrap_or_else(|| panic!("outbox line starts with #id: {line}"))
        .to_owned()
}

/// The captured TAP list page behind a local mock portal; everything else answers 404.
async fn portal() -> MockServer {
    let server = MockServer::start().await;
    let page =
        std::fs::read(support::fixture("tap/public_participation_page1.html")).expect("fixture");
    Mock::given(method("GET"))
        .and(path("/public_participation"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_digest_is_listed_as_failed_and_resent_once_fixed() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), sink.port());
    let poll = setup.run(&["poll"]).await;
    assert!(poll.status.success(), "{}", stderr(&poll));

    assert!(
        setup.outbox_lines(&[]).await.is_empty(),
        "nothing recorded yet"
    );

    // The server refuses the only recipient for good: the digest is recorded as failed.
    sink.refuse_next(Stage::Rcpt, 550, 1);
    let digest = setup.run(&["digest"]).await;
    assert_eq!(digest.status.code(), Some(1), "{}", stderr(&digest));
    assert!(sink.messages().is_empty());

    let failed = setup.outbox_lines(&["--status", "failed"]).await;
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
    assert!(setup.outbox_lines(&["--status", "sent"]).await.is_empty());
    assert!(
        setup
            .outbox_lines(&["--status", "pending"])
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

    let all = setup.outbox_lines(&[]).await;
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
    let again = setup.outbox_lines(&["--status", "sent"]).await;
    assert!(again.iter().any(|l| l.starts_with(&format!("#{id} sent "))));
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_refuses_unknown_and_pending_digests_and_keeps_a_refused_one_failed() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), sink.port());
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
    let pending = setup.outbox_lines(&["--status", "pending"]).await;
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
    let failed = setup.outbox_lines(&["--status", "failed"]).await;
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
    assert_eq!(setup.outbox_lines(&["--status", "failed"]).await, failed);

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
    let setup = Setup::new(&server.uri(), sink.port());
    assert!(setup.run(&["poll"]).await.status.success());
    assert!(setup.run(&["digest"]).await.status.success());
    // 26-TA-2228's window ends on 25.09: its 3-day reminder makes a second digest.
    let later = setup.run_at("2026-09-22T08:00:00+03:00", &["digest"]).await;
    assert!(later.status.success(), "{}", stderr(&later));
    let all = setup.outbox_lines(&[]).await;
    assert!(all.len() >= 2, "two digests recorded: {all:?}");
    let ids: Vec<i64> = all
        .iter()
        .map(|l| line_id(l).parse().expect("numeric id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let one = setup.outbox_lines(&["--limit", "1"]).await;
    assert_eq!(one, all[..1]);
}
