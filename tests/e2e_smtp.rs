//! End to end against a real SMTP server: a digest rendered by draftwatch goes through
//! [`SmtpMailer`] to aiosmtpd, which stores it in a Maildir; the stored file is then parsed
//! as MIME. This checks what our in-process sink cannot: another implementation's view of
//! the SMTP conversation and of the message format.
//!
//! Needs Python's `aiosmtpd` (`apt-get install python3-aiosmtpd` or `pip install aiosmtpd`);
//! without it the test prints "skipped: aiosmtpd not installed" and passes, except when `CI`
//! is set, where a missing server fails the test.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use draftwatch::config::Language;
use draftwatch::digest::render::build_message;
use draftwatch::digest::{EvaluatedDraft, Templates, select_items};
use draftwatch::mailer::new_message_id;
use draftwatch::mailer::{Mailer, SmtpMailer};
use draftwatch::matcher::Field;
use support::*;

/// Kills the server when the test ends, however it ends.
struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Python interpreter that can import aiosmtpd: Debian's (`python3-aiosmtpd` installs for
/// /usr/bin/python3), else whichever `python3` is on PATH.
fn aiosmtpd_python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

fn start_aiosmtpd(python: &str, port: u16, maildir: &Path) -> ServerGuard {
    let child = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start aiosmtpd");
    ServerGuard(child)
}

/// Files in `<maildir>/new`, waiting briefly for the server to finish writing.
fn delivered_files(maildir: &Path) -> Vec<std::path::PathBuf> {
    for _ in 0..50 {
        let files: Vec<_> = std::fs::read_dir(maildir.join("new"))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        if !files.is_empty() {
            return files;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Vec::new()
}

#[tokio::test]
async fn digest_reaches_aiosmtpd_maildir_intact() {
    let Some(python) = aiosmtpd_python() else {
        // CI installs python3-aiosmtpd (.ci/run); there a missing server is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "aiosmtpd is required in CI: apt-get install python3-aiosmtpd"
        );
        println!("skipped: aiosmtpd not installed (apt-get install python3-aiosmtpd)");
        return;
    };
    let dir = temp_dir();
    let maildir = dir.path().join("maildir");
    let port = free_port();
    let _server = start_aiosmtpd(python, port, &maildir);
    assert!(
        wait_for_port(port, Duration::from_secs(15)),
        "aiosmtpd did not listen on port {port}"
    );

    let title = "Grozījumi Bērnu tiesību aizsardzības likumā <script>";
    let drafts = vec![EvaluatedDraft {
        draft: draft_with_window(1, title, day(2026, 9, 1), day(2026, 9, 25)),
        verdicts: vec![fired("bērni", vec![hit(Field::Title, title, "Bērnu")])],
    }];
    let who = recipient(
        "Biedrība Ķekava",
        &["Anna Bērziņa <anna@biedriba.lv>", "birojs@biedriba.lv"],
        &["bērni"],
        Language::Lv,
    );
    let today = day(2026, 9, 15);
    let items = select_items(&who, &drafts, &HashSet::new(), today);
    let digest = Templates::embedded()
        .and_then(|templates| templates.render(&who, &items, today))
        .expect("render");
    let from = "draftwatch <draftwatch@biedriba.lv>"
        .parse()
        .expect("sender");
    let now = utc(2026, 9, 15, 6, 0);
    let message_id = new_message_id(&from, &who.name, now);
    let message = build_message(&from, &who, &digest, &message_id, now).expect("message");

    let mailer = SmtpMailer::new(&local_smtp(port)).expect("mailer");
    mailer.send(&message).await.expect("aiosmtpd accepts");

    let files = delivered_files(&maildir);
    assert_eq!(files.len(), 1, "one message in {}", maildir.display());
    let raw = std::fs::read(&files[0]).expect("read maildir file");
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.subject,
        "draftwatch: 1 projekts komentēšanai (tuvākais termiņš 25.09.2026.)"
    );
    assert_eq!(format!("<{}>", mail.message_id), message_id);
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    assert_eq!(mail.to, vec!["anna@biedriba.lv", "birojs@biedriba.lv"]);
    assert!(mail.content_type.starts_with("multipart/alternative"));
    assert!(mail.text.contains(title), "{}", mail.text);
    assert!(mail.text.contains("atlikušas 10 dienas"), "{}", mail.text);
    assert!(mail.html.contains("<mark>Bērnu</mark>"), "{}", mail.html);
    assert!(mail.html.contains("&lt;script&gt;"), "{}", mail.html);
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
}
