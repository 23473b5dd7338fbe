//! The binary's contract with admins: `check`, exit codes, and error messages that point at
//! the line and column to fix.

mod cli_harness;

use std::path::{Path, PathBuf};

use cli_harness::stderr;

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
