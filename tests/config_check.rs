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

/// A configuration with one `[[sources]]` entry of `kind` and the extra `keys` lines.
fn with_source(kind: &str, keys: &str) -> String {
    format!(
        r#"[http]
user_agent = "t (+mailto:a@example.org)"
[[sources]]
name = "s"
kind = "{kind}"
base_url = "https://tapportals.mk.gov.lv"
schedule = "10 7-19 * * MON-FRI"
{keys}
[mail]
from = "a@example.org"
transport = "file"
[digest]
schedule = "0 8 * * *"
"#
    )
}

/// Each kind takes its own keys, read into its own variant with defaults for the rest.
#[test]
fn each_source_kind_reads_its_own_options() {
    use draftwatch::config::{Config, ListLimits, MeetingsOptions, SourceKind};
    let config = Config::from_toml(
        &with_source("tap_meetings", "days_back = 7\nagenda_limit = 4"),
        None,
    )
    .expect("valid");
    assert_eq!(
        config.sources[0].kind,
        SourceKind::TapMeetings(MeetingsOptions {
            page_limit: 5,
            days_back: 7,
            agenda_limit: 4
        })
    );
    let config = Config::from_toml(
        &with_source("tap_legal_acts", "page_limit = 2\nrecheck_limit = 3"),
        None,
    )
    .expect("valid");
    assert_eq!(
        config.sources[0].kind,
        SourceKind::TapLegalActs(ListLimits {
            page_limit: 2,
            detail_limit: 30,
            recheck_limit: 3
        })
    );
    let config = Config::from_toml(&with_source("tap_participation", ""), None).expect("valid");
    assert_eq!(config.sources[0].kind.name(), "tap_participation");
}

/// A key of another kind is an unknown key for this one, placed at its line and column; a
/// misspelt key is still refused by name at its own place.
#[test]
fn a_key_of_another_source_kind_is_an_unknown_key_at_its_place() {
    use draftwatch::config::Config;
    let text = with_source("tap_participation", "days_back = 7");
    let err = Config::from_toml(&text, Some(Path::new("c.toml"))).expect_err("refused");
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "c.toml:8:13: unknown field `days_back` for a source of kind `tap_participation`"
        ),
        "{shown}"
    );
    let text = with_source("tap_meetings", "recheck_limit = 2");
    let problems = Config::from_toml(&text, None)
        .expect_err("refused")
        .problems()
        .to_vec();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].line, problems[0].column), (8, 17));
    assert!(problems[0].message.contains("`days_back`"), "{problems:?}");

    let text = with_source("tap_legal_acts", "pagelimit = 2");
    let problems = Config::from_toml(&text, None)
        .expect_err("refused")
        .problems()
        .to_vec();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 8, "{problems:?}");
    assert!(
        problems[0].message.contains("unknown field `pagelimit`"),
        "{problems:?}"
    );
    let text = with_source("tap_sejm", "");
    let problems = Config::from_toml(&text, None)
        .expect_err("refused")
        .problems()
        .to_vec();
    assert_eq!(problems[0].line, 5, "{problems:?}");
}

/// The commented `tap_legal_acts` and `tap_meetings` blocks of the shipped file are valid
/// once uncommented, with the values they show.
#[test]
fn shipped_source_examples_load_when_uncommented() {
    use draftwatch::config::{Config, MeetingsOptions, SourceKind};
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/draftwatch.toml"),
    )
    .expect("shipped config");
    let uncommented: String = text
        .lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if !rest.starts_with(['#', ' ']) && !rest.is_empty() => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let config = Config::from_toml(&uncommented, None).expect("examples are valid");
    let kinds: Vec<&str> = config.sources.iter().map(|s| s.kind.name()).collect();
    assert_eq!(
        kinds,
        ["tap_participation", "tap_legal_acts", "tap_meetings"]
    );
    assert_eq!(
        config.sources[2].kind,
        SourceKind::TapMeetings(MeetingsOptions {
            page_limit: 2,
            days_back: 14,
            agenda_limit: 20
        })
    );
}
