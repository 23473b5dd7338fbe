//! `draftwatch run` as a process: it polls on its schedule and stops cleanly on SIGTERM, polls
//! a never-polled source at once, and talks to systemd (readiness, watchdog, status); and its
//! digest jobs, run at the same moment through the library, send a digest once.

mod cli_harness;
mod support;

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_harness::{ADDRESS, Setup, child_draft, portal, smtp_mail};
use draftwatch::config::Config;
use draftwatch::digest::{DigestContext, deliver_due_digests, send_digests_to};
use draftwatch::mailer::build_mailer;
use draftwatch::matcher::WatchlistSet;
use draftwatch::store::{OutboxStatus, SharedStore};
use support::smtp::{SmtpSink, Stage};
use support::{day, parse_mail, record_polled, send_signal, utc};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn write_config(dir: &Path, base_url: &str, poll_schedule: &str) -> PathBuf {
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
schedule = "{poll_schedule}"
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
    let server = portal().await;

    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &server.uri(), "* * * * *");
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
    assert!(log.contains("Stop signal received."), "{log}");
    assert!(log.contains("SIGTERM"), "{log}");
    assert!(log.contains("Stopped."), "{log}");
}

/// The daemon's two digest jobs in the same minute: the every-minute "digest retry" job
/// (`deliver_due_digests`) and a recipient's scheduled run (`send_digests_to`), over one
/// store, while a digest refused earlier is due. Both used to send it (two copies arrived);
/// the outbox claim lets exactly one of them.
#[tokio::test]
async fn pending_digest_is_sent_once_when_retry_and_schedule_coincide() {
    let sink = SmtpSink::start().await;
    // Polls are not run here; the portal address only has to be valid.
    let setup = Setup::new(
        "https://tapportals.mk.gov.lv",
        &smtp_mail(sink.port()),
        &["berni"],
    );
    let config = Config::load(Some(&setup.config)).expect("test config loads");
    let watchlists = WatchlistSet::load_dir(&config.watchlists_dir).expect("watchlists load");
    let db = setup.store_path();
    let scheduled = utc(2026, 9, 15, 5, 0);
    let draft = child_draft((day(2026, 9, 1), day(2026, 9, 25)));
    record_polled(&db, "tap", scheduled - chrono::Duration::hours(1), &[draft]);
    let store = SharedStore::open(&db).expect("store opens");
    let mailer = build_mailer(&config.mail).expect("mailer");
    let names: Vec<String> = config.recipients.iter().map(|r| r.name.clone()).collect();
    let ctx = |now| DigestContext {
        config: &config,
        store: &store,
        watchlists: &watchlists,
        mailer: mailer.as_ref(),
        now,
        dry_run: false,
        only_recipient: None,
    };

    // The first attempt is refused for now: the digest stays pending, due a minute later.
    sink.refuse_next(Stage::Data, 451, 1);
    send_digests_to(&ctx(scheduled), &names)
        .await
        .expect("first run");
    let pending = store
        .lock()
        .expect("store")
        .list_outbox(Some(OutboxStatus::Pending), 10)
        .expect("outbox");
    assert_eq!(pending.len(), 1, "refused for now: {pending:?}");
    assert!(sink.messages().is_empty());

    // A minute later both jobs find it due and run concurrently.
    let next_minute = pending[0].next_attempt_at;
    let (retry_ctx, schedule_ctx) = (
        ctx(next_minute + chrono::Duration::seconds(1)),
        ctx(next_minute),
    );
    let (retried, scheduled_run) = tokio::join!(
        deliver_due_digests(&retry_ctx),
        send_digests_to(&schedule_ctx, &names)
    );
    retried.expect("retry job");
    scheduled_run.expect("scheduled job");

    let copies = sink
        .messages()
        .iter()
        .filter(|message| String::from_utf8_lossy(&message.data).contains(&pending[0].message_id))
        .count();
    assert_eq!(copies, 1, "the pending digest arrived {copies} times");
    assert_eq!(sink.messages().len(), 1, "nothing else was sent");
    let entry = store
        .lock()
        .expect("store")
        .get_outbox_entry(pending[0].id)
        .expect("outbox")
        .expect("entry");
    assert_eq!(entry.status, OutboxStatus::Sent);
}

/// A running daemon, killed if the test fails before stopping it (no daemon outlives its
/// test).
struct Running(Option<std::process::Child>);

impl Running {
    fn child(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("the daemon was not stopped yet")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `draftwatch run` in `dir` at 09:10 Riga time (50 minutes before an hourly poll), with
/// `env` added.
fn start_daemon(dir: &Path, config: &Path, env: &[(&str, &str)]) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_draftwatch"))
        .args([
            "--config",
            config.to_str().expect("utf-8"),
            "--now",
            "2026-09-15T09:10:00+03:00",
            "run",
        ])
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("daemon starts");
    Running(Some(child))
}

/// Stop the daemon with SIGTERM and wait for it to exit cleanly.
async fn stop_daemon(mut running: Running) {
    let child = running.0.take().expect("the daemon was not stopped yet");
    send_signal(&child, "-TERM");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("daemon output");
    assert!(output.status.success(), "clean exit after SIGTERM");
}

/// Issue 9.3: a fresh install polled nothing until the next scheduled run (up to an hour with
/// an hourly schedule). A source that was never polled is polled at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_store_is_polled_at_once_not_at_the_next_scheduled_run() {
    let server = portal().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &server.uri(), "0 * * * *");
    let mut daemon = start_daemon(dir.path(), &config, &[]);

    let deadline = Instant::now() + Duration::from_secs(30);
    let mut count = 0;
    while Instant::now() < deadline && count == 0 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Ok(Some(status)) = daemon.child().try_wait() {
            panic!("daemon exited early with {status}");
        }
        count = stored_drafts(dir.path(), &config);
    }
    assert_eq!(count, 25, "the start-up poll stored the page's drafts");
    stop_daemon(daemon).await;
}

/// Under systemd (`NOTIFY_SOCKET`, `WATCHDOG_USEC`): READY=1 once started, WATCHDOG=1 pings
/// at half the interval, and a STATUS= line with the result of the poll.
#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_reports_readiness_watchdog_pings_and_the_last_poll_to_systemd() {
    let server = portal().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &server.uri(), "0 * * * *");
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).expect("bind the notify socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("read timeout");
    let daemon = start_daemon(
        dir.path(),
        &config,
        &[
            ("NOTIFY_SOCKET", socket_path.to_str().expect("utf-8")),
            ("WATCHDOG_USEC", "2000000"),
        ],
    );

    let received = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut messages: Vec<String> = Vec::new();
        let mut buffer = [0u8; 4096];
        let done = |messages: &[String]| {
            let pings_after_ready = messages
                .iter()
                .skip_while(|m| !m.contains("READY=1"))
                .filter(|m| m.contains("WATCHDOG=1"))
                .count();
            pings_after_ready >= 2 && messages.iter().any(|m| m.contains("STATUS="))
        };
        while Instant::now() < deadline && !done(&messages) {
            if let Ok(length) = socket.recv(&mut buffer) {
                messages.push(String::from_utf8_lossy(&buffer[..length]).into_owned());
            }
        }
        messages
    })
    .await
    .expect("join");

    let all = received.join("");
    assert!(received.iter().any(|m| m == "READY=1\n"), "{all}");
    let pings = received.iter().filter(|m| *m == "WATCHDOG=1\n").count();
    assert!(pings >= 2, "{all}");
    assert!(
        received
            .iter()
            .any(|m| m.starts_with("STATUS=Last poll tap: 25 new, 0 changed at 09:1")),
        "{all}"
    );
    stop_daemon(daemon).await;
}

/// Rows of the simulated portal history: 4 list pages of 25.
const BACKFILL_PAGES: usize = 4;

/// Drafts about children (followed through `berni`): every tenth row. Even ones are open on
/// 15 September 2026, odd ones closed in August.
fn backfill_title(row: usize) -> String {
    if row.is_multiple_of(10) {
        format!("Grozījumi Bērnu tiesību aizsardzības likumā Nr. {row:03}")
    } else {
        format!("Grozījumi Autoceļu likumā Nr. {row:03}")
    }
}

fn backfill_window(row: usize) -> &'static str {
    if row.is_multiple_of(20) {
        "01.09.2026. - 30.09.2026."
    } else {
        "01.08.2026. - 20.08.2026."
    }
}

/// List page `page` (1-based) of the simulated history, in the portal's markup.
fn backfill_page(page: usize) -> String {
    let cell = |header: &str, value: &str| {
        format!(
            r#"<div class="flextable__cell" data-column-header-name="{header}"><span class="flextable__value">{value}</span></div>"#
        )
    };
    let mut html = String::from(
        r#"<html><body><div id="public-participation-list"><div class="grid flextable__header"></div>"#,
    );
    for row in (page - 1) * 25..page * 25 {
        html.push_str(&format!(
            r#"<div class="grid flextable__row" data-url="/public_participation/00000000-0000-4000-8000-{row:012}" data-linkable-row="true">"#
        ));
        html.push_str(&cell(
            "Projekta ID/ Uzdevuma numurs",
            &format!("26-TA-{}", 1000 + row),
        ));
        html.push_str(&cell(
            "Tiesību akta/ diskusiju dokumenta nosaukums",
            &backfill_title(row),
        ));
        html.push_str(&cell("Līdzdalības veids", "Publiskā apspriešana"));
        html.push_str(&cell("Termiņš", backfill_window(row)));
        html.push_str(&cell("Atbildīgā ministrija", "Tieslietu ministrija"));
        html.push_str("</div>");
    }
    html.push_str(&format!(
        r#"<div class="pagination"><nav><span class="pagination__page pagination__page--current">{page}</span><span class="pagination__page"><a href="/public_participation?page={BACKFILL_PAGES}">{BACKFILL_PAGES}</a></span></nav><div class="pagination__total">Atlasīti <span class="pagination__total-number">{}</span> ieraksti.</div></div></div></body></html>"#,
        BACKFILL_PAGES * 25
    ));
    html
}

/// A portal stand-in holding the whole simulated history.
async fn portal_with_history() -> MockServer {
    let server = MockServer::start().await;
    for page in 1..=BACKFILL_PAGES {
        let mock = Mock::given(method("GET")).and(path("/public_participation"));
        let mock = if page == 1 {
            mock.and(query_param_is_missing("page"))
        } else {
            mock.and(query_param("page", page.to_string()))
        };
        mock.respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(backfill_page(page).into_bytes(), "text/html; charset=utf-8"),
        )
        .mount(&server)
        .await;
    }
    server
}

/// Issue 9.3: the first digest after a first backfill of 100 drafts reports the followed
/// drafts whose windows are still open, and only those (not the closed history); a later
/// digest does not report them again.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_digest_after_a_backfill_lists_only_open_windows_once() {
    let server = portal_with_history().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    let text = std::fs::read_to_string(&setup.config).expect("read config");
    let text = text
        .replace("page_limit = 1", "page_limit = 10\ndetail_limit = 0")
        .replace("schedule = \"0 8 * * MON-FRI\"", "schedule = \"* * * * *\"");
    std::fs::write(&setup.config, text).expect("write config");

    // Ten seconds before a full minute: the start-up poll backfills, then the every-minute
    // digest goes out.
    let mut daemon = Running(Some(
        setup
            .command_at("2026-09-15T09:10:50+03:00", &["run"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("daemon starts"),
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    while sink.messages().is_empty() && Instant::now() < deadline {
        if let Ok(Some(status)) = daemon.child().try_wait() {
            panic!("daemon exited early with {status}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    stop_daemon(daemon).await;
    assert_eq!(stored_drafts(setup.dir.path(), &setup.config), 100);

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one digest");
    assert!(messages[0].to.iter().any(|r| r == ADDRESS));
    let digest = parse_mail(&messages[0].data).text;
    for row in (0..BACKFILL_PAGES * 25).step_by(10) {
        let title = backfill_title(row);
        assert_eq!(
            digest.contains(&title),
            row.is_multiple_of(20),
            "{title} (window {}) in the digest:\n{digest}",
            backfill_window(row)
        );
    }
    assert!(!digest.contains("Autoceļu"), "{digest}");

    // A later digest run the same day has nothing new to report.
    let later = setup.run_at("2026-09-15T09:30:00+03:00", &["digest"]).await;
    assert!(later.status.success(), "{}", cli_harness::stderr(&later));
    let repeated = sink.messages()[1..]
        .iter()
        .map(|message| parse_mail(&message.data).text)
        .filter(|text| text.contains("Bērnu tiesību aizsardzības likumā"))
        .count();
    assert_eq!(repeated, 0, "the open windows were reported again");
}
