//! `draftwatch check` on a configuration with several mistakes: every one is reported at once,
//! each at the line and column of the value to fix, and the exit code is 78 (EX_CONFIG).

mod cli_harness;

use std::path::Path;

use cli_harness::{run_in as draftwatch, stderr};

/// Regression (#8 item 7): serde stopped at the first bad value, so `check` named only the
/// schedule (with a wrong range), placed `max_response_bytes = 0` at 1:1 and let
/// `timeout = "0s"` and a User-Agent without contact through.
#[test]
fn check_reports_every_problem_at_its_own_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/every_problem.toml");
    let shown = path.display().to_string();
    let output = draftwatch(dir.path(), &["--config", &shown, "check"]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    let expected = [
        (2, 12, "unknown time zone `Mars/Olympus`"),
        (5, 14, "user_agent `bot` must carry a contact address"),
        (6, 22, "max_response_bytes must be above 0"),
        (7, 11, "duration `0s` is zero"),
        (13, 12, "minute 61 is out of range (allowed: 0-59)"),
    ];
    // The first line carries the program's name before the file name.
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(&shown)).collect();
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, (number, column, words)) in lines.iter().zip(expected) {
        let place = format!("{shown}:{number}:{column}: ");
        assert!(
            line.contains(&place) && line.contains(words),
            "expected {place}…{words} in:\n{err}"
        );
    }
    assert!(!err.contains("less than 59"), "{err}");
}
