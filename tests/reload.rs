//! Hot reload of watchlists in the running daemon: a valid edit is applied, an invalid one
//! is reported with `file:line:column` and the last good set stays in force (the next
//! digest matches with it), SIGHUP reloads too, and fixing the file is picked up again.
//! Observed through the daemon's log and the digest it writes as an `.eml` file.

mod support;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::model::{CommentWindow, ScrapedDraft};

/// Upper bound for anything the daemon is expected to log; reaching it fails the test.
const PATIENCE: Duration = Duration::from_secs(20);

/// Upper bound for the next every-minute digest to be written.
const DIGEST_PATIENCE: Duration = Duration::from_secs(90);

/// The pretended start time; the clock runs on from here.
const NOW: &str = "2026-09-15T09:00:40+03:00";

fn write_config(dir: &Path, watchlists: &Path) -> PathBuf {
    let text = format!(
        r#"
timezone = "Europe/Riga"
watchlists_dir = "{watchlists}"
[store]
path = "data/draftwatch.sqlite3"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "http://127.0.0.1:9"
schedule = "0 8 1 1 *"
enabled = false
[mail]
from = "draftwatch <draftwatch@example.org>"
transport = "file"
[mail.file]
dir = "data/outbox"
[digest]
schedule = "* * * * *"
[[recipients]]
name = "tīkls"
addresses = ["koordinators@example.org"]
watchlists = ["proba-reload"]
"#,
        watchlists = watchlists.display()
    );
    let path = dir.join("draftwatch.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// Copy the shipped watchlists into `dir/watchlists`.
fn copy_watchlists(dir: &Path) -> PathBuf {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("watchlists");
    let target = dir.join("watchlists");
    std::fs::create_dir(&target).expect("mkdir");
    for entry in std::fs::read_dir(&shipped).expect("shipped watchlists") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, target.join(name)).expect("copy watchlist");
        }
    }
    target
}

/// Replace a file the way editors do: write a sibling, then rename it over the original.
fn save_like_an_editor(path: &Path, text: &str) {
    let temporary = path.with_extension("toml.swp");
    std::fs::write(&temporary, text).expect("write temporary");
    std::fs::rename(&temporary, path).expect("rename over");
}

/// Store drafts as if the (disabled) source had just polled them, while the daemon runs.
fn store_drafts(dir: &Path, drafts: &[ScrapedDraft]) {
    let finished: DateTime<Utc> = DateTime::parse_from_rfc3339(NOW)
        .expect("valid time")
        .with_timezone(&Utc);
    support::record_polled(
        &dir.join("data/draftwatch.sqlite3"),
        "tap",
        finished,
        drafts,
    );
}

fn scraped(ta_number: &str, title: &str) -> ScrapedDraft {
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 9, d).expect("valid date");
    ScrapedDraft {
        external_id: format!("uuid-{ta_number}"),
        ta_number: Some(ta_number.to_owned()),
        title: title.to_owned(),
        kind: None,
        ministry: None,
        stage: None,
        url: format!("https://tapportals.mk.gov.lv/public_participation/{ta_number}"),
        window: Some(CommentWindow {
            from: day(10),
            to: day(30),
        }),
        detail: None,
        detail_error: None,
        ..Default::default()
    }
}

/// Wait for the first digest written to `outbox` and return its decoded text part.
fn wait_for_digest(child: &mut Child, outbox: &Path, log: &Path) -> String {
    let deadline = Instant::now() + DIGEST_PATIENCE;
    loop {
        let written = std::fs::read_dir(outbox).into_iter().flatten().flatten();
        if let Some(eml) = written
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|ext| ext == "eml"))
        {
            let raw = std::fs::read(&eml).expect("read .eml");
            return support::parse_mail(&raw).text;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "daemon exited ({status}) before a digest:\n{}",
                read_log(log)
            );
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "no digest within {DIGEST_PATIENCE:?}; log:\n{}",
                read_log(log)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn read_log(log: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(log).unwrap_or_default()).into_owned()
}

/// Wait until the log, from byte `from` on, has a line for which `wanted` holds; return it.
fn wait_for_line(
    child: &mut Child,
    log: &Path,
    from: usize,
    what: &str,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = read_log(log);
        if let Some(line) = text
            .get(from..)
            .and_then(|new| new.lines().find(|l| wanted(l)))
        {
            return line.to_string();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("daemon exited ({status}) while waiting for {what}:\n{text}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("no {what} within {PATIENCE:?}; log:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The number after `name=` in a log line.
fn field(line: &str, name: &str) -> usize {
    let key = format!("{name}=");
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(key.as_str()))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {key}<number> in {line}"))
}

/// The watchlist the recipient follows, as it is when the daemon starts.
const ORIGINAL: &str = "name = \"proba-reload\"\n\
                        \n\
                        [[rules]]\n\
                        word = \"mežs\"\n";

/// The valid edit: fishing too.
const VALID: &str = "# Edited while the daemon runs.\n\
                     name = \"proba-reload\"\n\
                     \n\
                     [[rules]]\n\
                     word = \"zveja\"\n\
                     \n\
                     [[rules]]\n\
                     word = \"mežs\"\n";

/// Line 5 column 1: a misspelt key; line 8: an invalid regex.
const INVALID: &str = "# Broken edit.\n\
                       name = \"proba-reload\"\n\
                       \n\
                       [[rules]]\n\
                       wrod = \"zveja\"\n\
                       \n\
                       [[rules]]\n\
                       regex = \"(mežs\"\n";

#[test]
fn daemon_applies_valid_watchlist_edits_and_keeps_the_last_good_set_on_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let watchlists = copy_watchlists(dir.path());
    let followed = watchlists.join("proba-reload.toml");
    std::fs::write(&followed, ORIGINAL).expect("write followed watchlist");
    let watchlist_count = std::fs::read_dir(&watchlists).expect("list").count();
    let config = write_config(dir.path(), &watchlists);
    let log = dir.path().join("daemon.log");
    let mut child = start_daemon(dir.path(), &config, &log);

    // 1. A valid edit is applied.
    let mark = read_log(&log).len();
    std::fs::write(&followed, VALID).expect("edit the watchlist");
    let reloaded = wait_for_line(&mut child, &log, mark, "reload of the valid edit", |l| {
        l.contains("Watchlists reloaded")
    });
    assert_eq!(
        field(&reloaded, "watchlists"),
        watchlist_count,
        "{reloaded}"
    );
    let rules_with_edit = field(&reloaded, "rules");

    // 2. A broken edit: every error with file:line:column, and the last good set stays.
    let mark = read_log(&log).len();
    save_like_an_editor(&followed, INVALID);
    wait_for_line(&mut child, &log, mark, "refused reload", |l| {
        l.contains("Watchlists not reloaded, keeping the last good set")
    });
    let location = followed.display().to_string();
    wait_for_line(&mut child, &log, mark, "the unknown key error", |l| {
        l.contains(&format!("{location}:5:1: unknown key `wrod`"))
    });
    wait_for_line(&mut child, &log, mark, "the invalid regex error", |l| {
        l.contains(&format!("{location}:8:")) && l.contains("invalid regex")
    });

    // 3. SIGHUP re-reads the folder: still broken, still refused.
    let mark = read_log(&log).len();
    support::send_signal(&child, "-HUP");
    wait_for_line(&mut child, &log, mark, "SIGHUP", |l| {
        l.contains("SIGHUP received: reloading watchlists.")
    });
    wait_for_line(&mut child, &log, mark, "refused reload after SIGHUP", |l| {
        l.contains("Watchlists not reloaded, keeping the last good set")
    });

    // 4. The next digest matches with the last valid version: the fishing draft, which only
    // the valid edit's `zveja` rule catches, goes out; the road draft matches no version.
    store_drafts(
        dir.path(),
        &[
            scraped("26-TA-9001", "Par zvejas kvotām 2027. gadam"),
            scraped("26-TA-9002", "Par autoceļu uzturēšanu"),
        ],
    );
    let digest = wait_for_digest(&mut child, &dir.path().join("data/outbox"), &log);
    assert!(digest.contains("Par zvejas kvotām 2027. gadam"), "{digest}");
    assert!(!digest.contains("autoceļu"), "{digest}");

    // 5. Fixing the file is applied: one rule more than the first valid version.
    let mark = read_log(&log).len();
    let fixed = format!("{VALID}\n[[rules]]\nphrase = \"zivju resursi\"\n");
    save_like_an_editor(&followed, &fixed);
    let reloaded = wait_for_line(&mut child, &log, mark, "reload of the fix", |l| {
        l.contains("Watchlists reloaded") && l.contains(&format!("rules={}", rules_with_edit + 1))
    });
    assert_eq!(
        field(&reloaded, "watchlists"),
        watchlist_count,
        "{reloaded}"
    );

    // While the file was broken, no reload was applied.
    let text = read_log(&log);
    let first_refusal = text
        .find("Watchlists not reloaded")
        .expect("the refusal is logged");
    let fix_applied = text.find(&reloaded).unwrap_or(text.len());
    let applied_while_broken = text
        .get(first_refusal..fix_applied)
        .unwrap_or_default()
        .matches("Watchlists reloaded")
        .count();
    assert_eq!(applied_while_broken, 0, "{text}");

    stop_daemon(&mut child, &log);
}

/// Start `draftwatch run` in `dir` with its log in `log`; return once it says it runs.
fn start_daemon(dir: &Path, config: &Path, log: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_draftwatch"))
        .args([
            "--config",
            config.to_str().expect("utf-8"),
            "--now",
            NOW,
            "run",
        ])
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("JOURNAL_STREAM")
        .stdout(Stdio::null())
        .stderr(File::create(log).expect("log file"))
        .spawn()
        .expect("daemon starts");
    wait_for_line(&mut child, log, 0, "start-up", |l| {
        l.contains("draftwatch is running.")
    });
    child
}

/// Stop the daemon with SIGTERM and check that it exits cleanly.
fn stop_daemon(child: &mut Child, log: &Path) {
    support::send_signal(child, "-TERM");
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = read_log(log);
    assert!(status.success(), "clean exit after SIGTERM: {text}");
    assert!(text.contains("Stopped."), "{text}");
}

/// How many reloads the daemon applied according to its log.
fn reload_count(log: &Path) -> usize {
    read_log(log).matches("Watchlists reloaded").count()
}

/// Longer than the reloader's debounce (500 ms) several times over: events that were going
/// to cause a reload have caused it by then.
const SETTLE: Duration = Duration::from_secs(3);

/// Issue 9.2: reading the watchlist files (`cat`, `cp -a`, a backup tool) raised access
/// events that reloaded the set, and the reload's own reads raised more, twice a second
/// forever. Reading must cause no reload; an edit still causes exactly one.
#[test]
fn reading_the_watchlist_files_reloads_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let watchlists = copy_watchlists(dir.path());
    let followed = watchlists.join("proba-reload.toml");
    std::fs::write(&followed, ORIGINAL).expect("write followed watchlist");
    let config = write_config(dir.path(), &watchlists);
    let log = dir.path().join("daemon.log");
    let mut child = start_daemon(dir.path(), &config, &log);

    // Like `cat watchlists/*.toml` a few times, and a copy as a backup tool makes it.
    let backup = dir.path().join("backup");
    std::fs::create_dir(&backup).expect("mkdir backup");
    for _ in 0..3 {
        for entry in std::fs::read_dir(&watchlists).expect("list watchlists") {
            let path = entry.expect("dir entry").path();
            let text = std::fs::read(&path).expect("read watchlist");
            std::fs::write(backup.join(path.file_name().expect("name")), text).expect("copy");
        }
    }
    std::thread::sleep(SETTLE);
    let after_reading = reload_count(&log);
    if after_reading != 0 {
        let _ = child.kill();
    }
    assert_eq!(after_reading, 0, "{}", read_log(&log));

    // An edit is still picked up, once.
    let mark = read_log(&log).len();
    std::fs::write(&followed, VALID).expect("edit the watchlist");
    wait_for_line(&mut child, &log, mark, "reload of the edit", |l| {
        l.contains("Watchlists reloaded")
    });
    std::thread::sleep(SETTLE);
    let after_edit = reload_count(&log);
    if after_edit != 1 {
        let _ = child.kill();
    }
    assert_eq!(after_edit, 1, "{}", read_log(&log));

    stop_daemon(&mut child, &log);
}

/// The fishing draft is not caught by the watchlist as the daemon started with it, so the
/// digest above can only come from the edited version.
#[test]
fn the_original_watchlist_does_not_catch_the_fishing_draft() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = dir.path().join("proba-reload.toml");
    std::fs::write(&original, ORIGINAL).expect("write");
    let edited = dir.path().join("edited.toml");
    std::fs::write(&edited, VALID).expect("write");
    let input = dir.path().join("drafts.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"26-TA-9001\", \"title\": \"Par zvejas kvotām 2027. gadam\"}\n",
    )
    .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_draftwatch"))
        .args(["backtest", "--json", "--input"])
        .arg(&input)
        .arg("--watchlist")
        .arg(&edited)
        .arg("--against")
        .arg(&original)
        .current_dir(dir.path())
        .output()
        .expect("backtest runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains(r#""added":["proba-reload"],"removed":[]"#),
        "{out}"
    );
}
