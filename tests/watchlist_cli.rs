//! The watchlist commands as admins run them: `check` reporting every watchlist error at
//! once, `explain` on stored drafts, and `backtest` over JSON lines or the store, including
//! the diff of an edit against the current file.

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::model::{CommentWindow, DraftDetail, ScrapedDraft};

mod cli_harness;
mod support;

use cli_harness::{run_in as draftwatch, stderr, stdout};

fn fixture(name: &str) -> PathBuf {
    support::fixture(&format!("backtest/{name}"))
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Stdout of a run that must have succeeded.
fn success(output: &Output) -> String {
    assert!(output.status.success(), "{}", stderr(output));
    stdout(output)
}

/// Stdout of a successful run, one JSON value per line.
fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    success(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// `draftwatch --config CONFIG ARGS...` run in `dir`.
fn with_config(dir: &Path, config: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--config", path_arg(config)];
    all.extend_from_slice(args);
    draftwatch(dir, &all)
}

/// A config in `dir` reading watchlists from `watchlists` and keeping its store in `dir`.
fn write_config(dir: &Path, watchlists: &Path) -> PathBuf {
    let text = format!(
        r#"
timezone = "Europe/Riga"
watchlists_dir = "{watchlists}"
[store]
path = "{store}"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "https://tapportals.mk.gov.lv"
schedule = "0 8 1 1 *"
[mail]
from = "draftwatch <draftwatch@example.org>"
transport = "file"
[mail.file]
dir = "outbox"
[digest]
schedule = "0 8 1 1 *"
[[recipients]]
name = "tīkls"
addresses = ["koordinators@example.org"]
watchlists = ["berni"]
"#,
        watchlists = watchlists.display(),
        store = dir.join("draftwatch.sqlite3").display()
    );
    let path = dir.join("draftwatch.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid timestamp")
        .with_timezone(&Utc)
}

fn scraped(external_id: &str, ta_number: &str, title: &str, areas: &[&str]) -> ScrapedDraft {
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 9, d).expect("valid date");
    ScrapedDraft {
        external_id: external_id.to_owned(),
        ta_number: Some(ta_number.to_owned()),
        title: title.to_owned(),
        kind: Some("Noteikumu projekts".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: None,
        url: format!("https://tapportals.mk.gov.lv/public_participation/{external_id}"),
        window: Some(CommentWindow {
            from: day(1),
            to: day(20),
        }),
        detail: Some(DraftDetail {
            description: None,
            policy_areas: areas.iter().map(|a| (*a).to_owned()).collect(),
            ..Default::default()
        }),
        detail_error: None,
        ..Default::default()
    }
}

/// Store drafts as if `source` had polled them.
fn store_drafts(dir: &Path, source: &str, drafts: &[ScrapedDraft]) {
    let finished = at("2026-09-10T09:00:00Z");
    support::record_polled(&dir.join("draftwatch.sqlite3"), source, finished, drafts);
}

#[test]
fn check_reports_every_watchlist_error_of_every_file_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let watchlists = dir.path().join("watchlists");
    std::fs::create_dir(&watchlists).expect("mkdir");
    let first = "name = \"berni\"\n\
                 \n\
                 [[rules]]\n\
                 word = \"bērns\"\n\
                 \n\
                 [[rules]]\n\
                 wrod = \"ģimene\"\n\
                 \n\
                 [[rules]]\n\
                 word = \"\"\n";
    let second = "name = \"otrs\"\n\
                  \n\
                  [[rules]]\n\
                  regex = \"(unclosed\"\n\
                  \n\
                  [[rules]]\n\
                  word = \"– “”\"\n\
                  \n\
                  [[rules]]\n\
                  word = \"skola\"\n";
    std::fs::write(watchlists.join("berni.toml"), first).expect("write");
    std::fs::write(watchlists.join("otrs.toml"), second).expect("write");
    let config = write_config(dir.path(), &watchlists);

    let output = with_config(dir.path(), &config, &["check"]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    let berni = watchlists.join("berni.toml");
    let otrs = watchlists.join("otrs.toml");
    let expected = [
        (format!("{}:7:1: ", berni.display()), "unknown key `wrod`"),
        (format!("{}:10:", berni.display()), "empty word rule"),
        (format!("{}:4:", otrs.display()), "invalid regex"),
        (format!("{}:7:", otrs.display()), "normalises to nothing"),
    ];
    for (location, message) in &expected {
        assert!(
            err.lines()
                .any(|line| line.contains(location.as_str()) && line.contains(message)),
            "expected `{location}... {message}` in:\n{err}"
        );
    }
}

#[test]
fn explain_shows_the_draft_and_every_watchlists_verdict_with_its_reasons() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &fixture("current"));
    store_drafts(
        dir.path(),
        "tap",
        &[
            scraped(
                "uuid-1",
                "26-TA-100",
                "Grozījumi Bērnu tiesību aizsardzības likumā",
                &[],
            ),
            scraped(
                "uuid-2",
                "26-TA-200",
                "Ģimenes ārstu prakses finansēšanas kārtība",
                &[],
            ),
        ],
    );

    let output = with_config(
        dir.path(),
        &config,
        &["--now", "2026-09-15T09:00:00+03:00", "explain", "26-ta-100"],
    );
    let out = success(&output);
    assert!(out.contains("26-TA-100"), "{out}");
    assert!(out.contains("portal id uuid-1"), "{out}");
    assert!(
        out.contains("Grozījumi Bērnu tiesību aizsardzības likumā"),
        "{out}"
    );
    assert!(
        out.contains("01.09.2026 – 20.09.2026 (5 days left)"),
        "{out}"
    );
    assert!(out.contains("berni: FIRES (score 1)"), "{out}");
    assert!(
        out.contains("+ rule «bērns» in title at 11..17: \"Bērnu\""),
        "{out}"
    );
    assert!(out.contains("zivsaimnieciba: no match"), "{out}");

    // By portal id; the negative rule's veto is explained.
    let output = with_config(dir.path(), &config, &["explain", "uuid-2"]);
    let out = success(&output);
    assert!(out.contains("26-TA-200"), "{out}");
    assert!(out.contains("berni: excluded"), "{out}");
    assert!(
        out.contains("- excluded by negative rule «ģimenes ārsts» in title"),
        "{out}"
    );
}

#[test]
fn explain_explains_every_draft_carrying_the_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &fixture("current"));
    store_drafts(
        dir.path(),
        "tap",
        &[scraped("a", "26-TA-7", "Par bērnu pabalstiem", &[])],
    );
    // Views sharing a TA number are one draft; two drafts carry one id when one's TA number
    // is the other's portal id (a source keyed by TA numbers).
    store_drafts(
        dir.path(),
        "tap-arhivs",
        &[scraped(
            "26-TA-7",
            "25-TA-7",
            "Par zvejas kvotām",
            &["Zivsaimniecība"],
        )],
    );
    let output = with_config(dir.path(), &config, &["explain", " 26-TA-7 "]);
    let out = success(&output);
    assert!(
        out.contains("2 stored drafts carry the id `26-TA-7`"),
        "{out}"
    );
    assert!(out.contains("source tap, portal id a"), "{out}");
    assert!(
        out.contains("source tap-arhivs, portal id 26-TA-7"),
        "{out}"
    );
    assert_eq!(out.matches("berni: FIRES").count(), 1, "{out}");
    assert!(out.contains("zivsaimnieciba: FIRES"), "{out}");
    assert!(
        out.contains("in policy_areas at 0..15: \"Zivsaimniecība\""),
        "{out}"
    );
}

#[test]
fn explain_of_an_unknown_id_fails_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &fixture("current"));
    store_drafts(
        dir.path(),
        "tap",
        &[scraped("a", "26-TA-7", "Par bērniem", &[])],
    );
    let output = with_config(dir.path(), &config, &["explain", "26-TA-8"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("no stored draft has the TA number or portal id `26-TA-8`"),
        "{err}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn backtest_of_a_jsonl_file_prints_matches_and_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = draftwatch(
        dir.path(),
        &[
            "backtest",
            "--input",
            path_arg(&fixture("drafts.jsonl")),
            "--watchlist",
            path_arg(&fixture("current/berni.toml")),
        ],
    );
    let out = success(&output);
    assert!(
        out.contains(
            "T-1  Grozījumi Bērnu tiesību aizsardzības likumā\n    berni: \"Bērnu\" (bērns, title)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "3  Noteikumi par skolēnu pārvadājumiem\n    berni: \"bērniem\" (bērns, description)"
        ),
        "{out}"
    );
    assert!(!out.contains("T-2"), "no match, not listed: {out}");
    assert!(!out.contains("T-4"), "excluded, not listed: {out}");
    assert!(
        out.contains("3 of 5 inputs matched at least one watchlist"),
        "{out}"
    );
}

#[test]
fn backtest_json_prints_one_object_per_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = draftwatch(
        dir.path(),
        &[
            "backtest",
            "--input",
            path_arg(&fixture("drafts.jsonl")),
            "--watchlist",
            path_arg(&fixture("current/berni.toml")),
            "--watchlist",
            path_arg(&fixture("current/zveja.toml")),
            "--json",
        ],
    );
    let lines = json_lines(&output);
    let ids: Vec<&serde_json::Value> = lines.iter().map(|l| &l["id"]).collect();
    let expected_ids = serde_json::json!(["T-1", "T-2", 3, "T-4", "T-5"]);
    assert_eq!(
        serde_json::json!(ids),
        expected_ids,
        "input order, ids as given"
    );
    assert_eq!(lines[0]["watchlists"], serde_json::json!(["berni"]));
    assert_eq!(lines[0]["hits"][0]["rule"], "bērns");
    assert_eq!(lines[0]["hits"][0]["field"], "title");
    assert_eq!(lines[0]["hits"][0]["matched"], "Bērnu");
    assert_eq!(lines[1]["watchlists"], serde_json::json!([]));
    assert_eq!(lines[1]["hits"], serde_json::json!([]));
    assert_eq!(lines[2]["hits"][0]["field"], "description");
    assert_eq!(lines[3]["watchlists"], serde_json::json!([]), "excluded");
}

#[test]
fn backtest_against_the_current_file_shows_what_the_edit_adds_and_removes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inputs, edited, current) = (
        fixture("drafts.jsonl"),
        fixture("edited/berni.toml"),
        fixture("current/berni.toml"),
    );
    let args = [
        "backtest",
        "--input",
        path_arg(&inputs),
        "--watchlist",
        path_arg(&edited),
        "--against",
        path_arg(&current),
    ];
    let output = draftwatch(dir.path(), &args);
    let out = success(&output);
    assert!(
        out.contains("T-2  Par zvejas kvotām 2027. gadam\n    + berni"),
        "{out}"
    );
    assert!(
        out.contains("T-5  Par daudzbērnu ģimeņu atbalstu\n    - berni"),
        "{out}"
    );
    assert!(
        !out.contains("T-1"),
        "unchanged drafts are not listed: {out}"
    );
    assert!(
        out.contains("2 inputs change: 1 matches added, 1 removed"),
        "{out}"
    );

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let output = draftwatch(dir.path(), &json_args);
    let lines = json_lines(&output);
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"id": "T-2", "title": "Par zvejas kvotām 2027. gadam", "added": ["berni"], "removed": []}),
            serde_json::json!({"id": "T-5", "title": "Par daudzbērnu ģimeņu atbalstu", "added": [], "removed": ["berni"]}),
        ]
    );
}

#[test]
fn backtest_without_input_reads_the_store_with_policy_areas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &fixture("current"));
    store_drafts(
        dir.path(),
        "tap",
        &[
            scraped("a", "26-TA-1", "Par zvejas kvotām", &["Zivsaimniecība"]),
            scraped("b", "26-TA-2", "Par ceļu būvi", &["Transports"]),
        ],
    );
    let output = with_config(dir.path(), &config, &["backtest", "--json"]);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["id"], "26-TA-1");
    assert_eq!(
        lines[0]["watchlists"],
        serde_json::json!(["zivsaimnieciba"])
    );
    assert_eq!(lines[0]["hits"][0]["field"], "policy_areas");
    assert_eq!(lines[1]["id"], "26-TA-2");
    assert_eq!(lines[1]["watchlists"], serde_json::json!([]));
}

#[test]
fn backtest_with_invalid_watchlists_lists_every_error_and_exits_78() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "name = \"berni\"\nthreshhold = 2\n\n[[rules]]\nregex = \"(\"\n",
    )
    .expect("write");
    let output = draftwatch(
        dir.path(),
        &[
            "backtest",
            "--input",
            path_arg(&fixture("drafts.jsonl")),
            "--watchlist",
            path_arg(&broken),
        ],
    );
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:2:1: ", broken.display())) && err.contains("threshhold"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:5:", broken.display())) && err.contains("invalid regex"),
        "{err}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn backtest_names_every_bad_input_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = fixture("bad.jsonl");
    let output = draftwatch(
        dir.path(),
        &[
            "backtest",
            "--input",
            path_arg(&bad),
            "--watchlist",
            path_arg(&fixture("current/berni.toml")),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:2:", bad.display())) && err.contains("missing field `title`"),
        "{err}"
    );
    assert!(err.contains(&format!("{}:4:", bad.display())), "{err}");
    assert!(!err.contains(&format!("{}:1:", bad.display())), "{err}");
    assert!(!err.contains(&format!("{}:5:", bad.display())), "{err}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn backtest_of_a_missing_input_file_names_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nav.jsonl");
    let output = draftwatch(
        dir.path(),
        &[
            "backtest",
            "--input",
            path_arg(&missing),
            "--watchlist",
            path_arg(&fixture("current/berni.toml")),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("cannot open backtest input {}", missing.display())),
        "{}",
        stderr(&output)
    );
}

#[test]
fn explain_with_a_broken_watchlist_folder_exits_78_with_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let watchlists = dir.path().join("watchlists");
    std::fs::create_dir(&watchlists).expect("mkdir");
    let broken = watchlists.join("berni.toml");
    std::fs::write(&broken, "name = \"berni\"\n[[rules]]\npart = \"ģi\"\n").expect("write");
    let config = write_config(dir.path(), &watchlists);
    store_drafts(
        dir.path(),
        "tap",
        &[scraped("a", "26-TA-7", "Par bērniem", &[])],
    );
    let output = with_config(dir.path(), &config, &["explain", "26-TA-7"]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:3:", broken.display())) && err.contains("shorter than 3"),
        "{err}"
    );
}

#[test]
fn backtest_against_needs_the_edited_watchlist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let current = fixture("current/berni.toml");
    let output = draftwatch(dir.path(), &["backtest", "--against", path_arg(&current)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--watchlist <FILE>"),
        "{}",
        stderr(&output)
    );
}

/// Stdout of `draftwatch backtest --input texts.jsonl --watchlist texts/gimenes.toml ARGS...`.
fn backtest_of_texts(dir: &Path, args: &[&str]) -> String {
    let input = fixture("texts.jsonl");
    let watchlist = fixture("texts/gimenes.toml");
    let mut all = vec![
        "backtest",
        "--input",
        path_arg(&input),
        "--watchlist",
        path_arg(&watchlist),
    ];
    all.extend_from_slice(args);
    success(&draftwatch(dir, &all))
}

#[test]
fn backtest_of_annotation_and_document_lines_shows_the_sentence_and_measures_the_opt_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = backtest_of_texts(dir.path(), &[]);
    assert!(
        out.contains(
            "26-TA-2001  Grozījumi Ministru kabineta noteikumos Nr. 354\n    gimenes: \"daudzbērnu ģimenēm\" (daudzbērnu ģimene, annotation), \"audžuģimenēm\" (audžuģimene, annotation)\n        annotation: «Atbalsts pienākas daudzbērnu ģimenēm, aizbildņiem u.c. personām, t.sk. audžuģimenēm, saskaņā ar 2026. gada 1. janvāra kārtību.»"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "\"8.1.16 uz bērna labākajām interesēm: Jā\" (bērna labākās intereses, impact)"
        ),
        "{out}"
    );
    assert!(!out.contains("26-TA-2002"), "no match, not listed: {out}");
    assert!(out.contains("2 of 3 inputs matched"), "{out}");

    // The same list before it opted into the annotation and document: the edit gains the
    // draft whose title has no family word.
    let before = fixture("texts/gimenes-titles.toml");
    let out = backtest_of_texts(dir.path(), &["--against", path_arg(&before)]);
    assert!(
        out.contains("26-TA-2001  Grozījumi Ministru kabineta noteikumos Nr. 354\n    + gimenes"),
        "{out}"
    );
    assert!(
        out.contains("1 inputs change: 1 matches added, 0 removed"),
        "{out}"
    );
}
