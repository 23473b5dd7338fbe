//! `draftwatch run` as a process: it polls on its schedule and stops cleanly on SIGTERM.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{fixture, send_signal};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn write_config(dir: &Path, base_url: &str) -> PathBuf {
    let watchlists = Path::new(env!("CARGO_MANIFEST_DIR")).join("watchlists");
    let text = format!(
        r#"
timezone = "Europe/Riga"
watchlists_dir = "{watchlists}"
[store]
path = "data/draftwatch.sqlite3"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
min_interval = "10ms"
retries = 0
respect_robots_txt = false
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "{base_url}"
schedule = "* * * * *"
page_limit = 1
detail_limit = 0
[mail]
from = "draftwatch <draftwatch@example.org>"
transport = "file"
[mail.file]
dir = "data/outbox"
[digest]
schedule = "0 8 1 1 *"
[[recipients]]
name = "tīkls"
addresses = ["koordinators@example.org"]
watchlists = ["berni"]
"#,
        watchlists = watchlists.display()
    );
    let path = dir.join("draftwatch.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn stored_drafts(dir: &Path, config: &Path) -> usize {
    let output = Command::new(env!("CARGO_BIN_EXE_draftwatch"))
        .args([
            "--config",
            config.to_str().expect("utf-8"),
            "drafts",
            "--json",
        ])
        .current_dir(dir)
        .output()
        .expect("drafts runs");
    String::from_utf8_lossy(&output.stdout).lines().count()
}

#[tokio::test(flavor = "multi_thread")]
async fn daemon_polls_on_schedule_and_stops_on_sigterm() {
    let server = MockServer::start().await;
    let page = std::fs::read(fixture("tap/public_participation_page1.html")).expect("fixture");
    Mock::given(method("GET"))
        .and(path("/public_participation"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &server.uri());
    // Two seconds before a full minute: the every-minute poll fires almost at once.
    let mut child = Command::new(env!("CARGO_BIN_EXE_draftwatch"))
        .args([
            "--config",
            config.to_str().expect("utf-8"),
            "--now",
            "2026-09-15T08:59:58+03:00",
            "run",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("daemon starts");

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut count = 0;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Ok(Some(status)) = child.try_wait() {
            panic!("daemon exited early with {status}");
        }
        count = stored_drafts(dir.path(), &config);
        if count > 0 {
            break;
        }
    }
    assert_eq!(count, 25, "the scheduled poll stored the page's drafts");

    // The recipient's calendar subscription file follows the poll: open windows that match
    // its watchlists, with the same stable UIDs as digest attachments; closed ones left out.
    let calendar = dir.path().join("data/calendars/tikls.ics");
    let mut text = String::new();
    for _ in 0..40 {
        text = std::fs::read_to_string(&calendar).unwrap_or_default();
        if text.contains("068eb73d") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(
        text.contains("UID:tap-068eb73d-d89d-42ff-93c9-13421c4f9b09@draftwatch\r\n"),
        "{text}"
    );
    assert!(text.contains("DTSTART;VALUE=DATE:20260925\r\n"), "{text}");
    assert!(
        !text.contains("fd847840"),
        "a closed window has no event: {text}"
    );

    send_signal(&child, "-TERM");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("daemon output");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "clean exit after SIGTERM: {log}");
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("Stopped."), "{log}");
}
