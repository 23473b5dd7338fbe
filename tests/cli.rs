//! The binary's contract with admins: `check`, exit codes, and error messages that point at
//! the line and column to fix; `poll` stopped by a signal; the words of `explain`.

mod cli_harness;
mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_harness::{FILE_MAIL, NOW, Setup, child_draft, stderr, stdout};
use support::{day, record_polled, send_signal, utc};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use cli_harness::run_in as draftwatch;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

#[test]
fn shipped_config_and_watchlists_pass_check() {
    let output = draftwatch(Path::new(env!("CARGO_MANIFEST_DIR")), &["check"]);
    assert!(output.status.success(), "check failed: {}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("berni"), "{stdout}");
}

#[test]
fn unknown_key_is_reported_with_file_line_column_and_exit_78() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fixture("unknown_key.toml");
    let output = draftwatch(
        dir.path(),
        &["--config", path.to_str().expect("utf-8 path"), "check"],
    );
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:8:1: unknown field `timout`", path.display())),
        "{err}"
    );
}

#[test]
fn bad_cron_value_points_at_the_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fixture("bad_values.toml");
    let output = draftwatch(
        dir.path(),
        &["--config", path.to_str().expect("utf-8 path"), "check"],
    );
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(":10:12: invalid schedule `0 25 * * *`"),
        "{err}"
    );
}

#[test]
fn each_kind_of_bad_value_is_a_config_error() {
    let base = std::fs::read_to_string(fixture("bad_values.toml")).expect("fixture");
    let good = base.replace("0 25 * * *", "0 9 * * *");
    let cases = [
        (
            "timezone = \"Europe/Riga\"",
            "timezone = \"Europe/Ryga\"",
            "unknown time zone `Europe/Ryga`",
        ),
        (
            "https://tapportals.mk.gov.lv",
            "tapportals.mk.gov.lv",
            "invalid URL",
        ),
        (
            "\"draftwatch <draftwatch@example.org>\"",
            "\"not an address\"",
            "invalid e-mail address",
        ),
        ("0 8 * * MON-FRI", "0 8 * * 1-9", "invalid day-of-week"),
        (
            "transport = \"file\"",
            "transport = \"pigeon\"",
            "unknown variant `pigeon`",
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    for (from, to, expected) in cases {
        assert!(good.contains(from), "fixture holds {from}");
        let path = dir.path().join("c.toml");
        std::fs::write(&path, good.replacen(from, to, 1)).expect("write config");
        let output = draftwatch(
            dir.path(),
            &["--config", path.to_str().expect("utf-8"), "check"],
        );
        assert_eq!(output.status.code(), Some(78), "{to}: {}", stderr(&output));
        let line = good.lines().position(|l| l.contains(from)).expect("line") + 1;
        let err = stderr(&output);
        assert!(err.contains(&format!("c.toml:{line}:")), "{to}: {err}");
        assert!(err.contains(expected), "{to}: {err}");
    }
}

#[test]
fn missing_watchlist_reference_is_a_config_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/draftwatch.toml"),
    )
    .expect("shipped config")
    .replace(
        "watchlists = [\"berni\"]",
        "watchlists = [\"berni\", \"nav-tads\"]",
    )
    .replace(
        "watchlists_dir = \"watchlists\"",
        &format!(
            "watchlists_dir = \"{}\"",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("watchlists")
                .display()
        ),
    );
    let path = dir.path().join("c.toml");
    std::fs::write(&path, &text).expect("write");
    let output = draftwatch(
        dir.path(),
        &["--config", path.to_str().expect("utf-8"), "check"],
    );
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("watchlist `nav-tads`, which does not exist"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_now_is_rejected_by_the_argument_parser() {
    let output = draftwatch(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["--now", "yesterday", "check"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("RFC 3339"));
}

/// The list page answers at once; every detail page hangs, so a poll is caught mid-way.
async fn portal_with_hanging_detail_pages() -> MockServer {
    let server = MockServer::start().await;
    let page =
        std::fs::read(support::fixture("tap/public_participation_page1.html")).expect("fixture");
    Mock::given(method("GET"))
        .and(path("/public_participation"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/public_participation/.+"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(600)))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_killed_by_sigterm_records_what_it_read() {
    let server = portal_with_hanging_detail_pages().await;
    let setup = Setup::new(&server.uri(), FILE_MAIL, &["berni"]);
    let mut child = setup
        .command_at(NOW, &["poll"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("poll starts");

    // Wait until the list page is read and a detail page is being fetched.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let requests = server.received_requests().await.unwrap_or_default();
        if requests
            .iter()
            .any(|request| request.url.path().starts_with("/public_participation/"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the poll never reached a detail page"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    send_signal(&child, "-TERM");

    // A hanging detail page must not keep it: it stops between requests. (The bound only
    // keeps a regression from hanging the suite.)
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("poll did not stop after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let output = child.wait_with_output().expect("poll output");
    assert_eq!(
        output.status.code(),
        Some(1),
        "an orderly exit, reported as incomplete: {:?} {}",
        output.status,
        stderr(&output)
    );
    let summary = stdout(&output);
    assert!(summary.contains("25 drafts seen, 25 new"), "{summary}");
    assert!(
        summary.contains("FAILED: poll cancelled by shutdown"),
        "{summary}"
    );
    assert!(stderr(&output).contains("SIGTERM"), "{}", stderr(&output));
    let drafts = setup.run(&["drafts", "--json"]).await;
    assert_eq!(
        stdout(&drafts).lines().count(),
        25,
        "the list page is recorded"
    );
}

#[tokio::test]
async fn explain_says_closed_66_days_ago_not_minus_66_days_left() {
    let setup = Setup::new("https://tapportals.mk.gov.lv", FILE_MAIL, &["berni"]);
    // The window ended on 11 July; NOW is 15 September.
    let closed = child_draft((day(2026, 6, 20), day(2026, 7, 11)));
    record_polled(&setup.store_path(), "tap", utc(2026, 7, 1, 6, 0), &[closed]);
    let output = setup.run(&["explain", "26-TA-100"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Window:   20.06.2026 – 11.07.2026 (closed 66 days ago)"),
        "{text}"
    );
    assert!(!text.contains("-66"), "{text}");
}
