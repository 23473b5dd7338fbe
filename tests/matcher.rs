//! Matcher behaviour: Latvian inflection tables, text without diacritics, phrases, negative
//! rules, field restrictions, spans, loader errors with file:line:column, backtest, reload,
//! and property tests (normalisation idempotent, case/diacritic invariance, inflections).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use draftwatch::matcher::backtest;
use draftwatch::matcher::normalize::{AnalyzedText, fold, normalize};
use draftwatch::matcher::reload::Reloader;
use draftwatch::matcher::{Field, MatchInput, WatchlistSet, WatchlistVerdict};
use proptest::prelude::*;

/// Write `files` (name, content) into a fresh directory and load it.
fn load(
    files: &[(&str, &str)],
) -> (
    tempfile::TempDir,
    Result<WatchlistSet, draftwatch::matcher::WatchlistErrors>,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("write watchlist");
    }
    let set = WatchlistSet::load_dir(dir.path());
    (dir, set)
}

fn set_of(toml: &str) -> WatchlistSet {
    let (_dir, set) = load(&[("t.toml", toml)]);
    match set {
        Ok(set) => set,
        Err(e) => panic!("watchlist did not load:\n{e}"),
    }
}

fn title(text: &str) -> MatchInput<'_> {
    MatchInput {
        title: text,
        ..MatchInput::default()
    }
}

fn verdict(set: &WatchlistSet, input: &MatchInput<'_>) -> WatchlistVerdict {
    set.evaluate(input)
        .into_iter()
        .next()
        .expect("one watchlist")
}

fn fires(set: &WatchlistSet, text: &str) -> bool {
    verdict(set, &title(text)).fired
}

fn word_list(word: &str) -> WatchlistSet {
    set_of(&format!("name = \"t\"\n[[rules]]\nword = \"{word}\"\n"))
}

/// Every form must fire a rule written as `rule`, inside a sentence, with the span on the form.
fn assert_all_forms(rule: &str, forms: &[&str]) {
    let set = word_list(rule);
    for form in forms {
        let text = format!("Grozījumi par {form} un citiem");
        let v = verdict(&set, &title(&text));
        assert!(v.fired, "rule {rule:?} should match form {form:?}");
        assert_eq!(v.hits[0].matched, *form, "span of {form:?}");
    }
}

#[test]
fn declension_1_noun_bērns_all_cases() {
    let forms = [
        "bērns", "bērna", "bērnam", "bērnu", "bērnā", "bērni", "bērniem", "bērnus", "bērnos",
    ];
    assert_all_forms("bērns", &forms);
    assert_all_forms("bērniem", &forms);
    assert_all_forms(
        "pabalsts",
        &[
            "pabalsts",
            "pabalsta",
            "pabalstam",
            "pabalstu",
            "pabalstā",
            "pabalsti",
            "pabalstiem",
            "pabalstus",
            "pabalstos",
        ],
    );
}

#[test]
fn declension_2_noun_uzturlīdzeklis_with_palatalisation() {
    assert_all_forms(
        "uzturlīdzekļi",
        &[
            "uzturlīdzeklis",
            "uzturlīdzekļa",
            "uzturlīdzeklim",
            "uzturlīdzekli",
            "uzturlīdzeklī",
            "uzturlīdzekļi",
            "uzturlīdzekļu",
            "uzturlīdzekļiem",
            "uzturlīdzekļus",
            "uzturlīdzekļos",
        ],
    );
}

#[test]
fn declension_2_jaunietis_needs_both_stems() {
    // š is never unpalatalised (ambiguous), so "jaunietis" and "jaunieši" stay apart: a
    // watchlist names both. This documents the limitation.
    let set =
        set_of("name = \"t\"\n[[rules]]\nword = \"jaunietis\"\n[[rules]]\nword = \"jaunieši\"\n");
    for form in [
        "jaunietis",
        "jaunieša",
        "jaunietim",
        "jaunieti",
        "jaunietī",
        "jaunieši",
        "jauniešu",
        "jauniešiem",
        "jauniešus",
        "jauniešos",
    ] {
        assert!(fires(&set, &format!("Atbalsts {form}")), "{form}");
    }
    assert!(!fires(&word_list("jaunietis"), "jauniešiem"));
}

#[test]
fn declension_4_and_5_nouns_all_cases() {
    assert_all_forms(
        "skola",
        &[
            "skola", "skolas", "skolai", "skolu", "skolā", "skolām", "skolās",
        ],
    );
    assert_all_forms(
        "vardarbība",
        &[
            "vardarbība",
            "vardarbības",
            "vardarbībai",
            "vardarbību",
            "vardarbībā",
            "vardarbībām",
            "vardarbībās",
        ],
    );
    assert_all_forms(
        "bāriņtiesa",
        &[
            "bāriņtiesa",
            "bāriņtiesas",
            "bāriņtiesai",
            "bāriņtiesu",
            "bāriņtiesā",
            "bāriņtiesām",
            "bāriņtiesās",
        ],
    );
    assert_all_forms(
        "ģimene",
        &[
            "ģimene",
            "ģimenes",
            "ģimenei",
            "ģimeni",
            "ģimenē",
            "ģimeņu",
            "ģimenēm",
            "ģimenēs",
        ],
    );
    assert_all_forms(
        "audžuģimene",
        &[
            "audžuģimene",
            "audžuģimenes",
            "audžuģimenei",
            "audžuģimeni",
            "audžuģimenē",
            "audžuģimeņu",
            "audžuģimenēm",
        ],
    );
}

#[test]
fn declension_6_noun_valsts_all_cases() {
    assert_all_forms(
        "valsts",
        &[
            "valsts", "valstij", "valsti", "valstī", "valstis", "valstu", "valstīm", "valstīs",
        ],
    );
}

#[test]
fn adjectives_indefinite_and_definite_all_genders() {
    let indefinite = [
        "nepilngadīgs",
        "nepilngadīga",
        "nepilngadīgam",
        "nepilngadīgu",
        "nepilngadīgā",
        "nepilngadīgi",
        "nepilngadīgiem",
        "nepilngadīgus",
        "nepilngadīgos",
        "nepilngadīgas",
        "nepilngadīgai",
        "nepilngadīgām",
        "nepilngadīgās",
    ];
    let definite = [
        "nepilngadīgais",
        "nepilngadīgajam",
        "nepilngadīgo",
        "nepilngadīgajā",
        "nepilngadīgie",
        "nepilngadīgajiem",
        "nepilngadīgajos",
        "nepilngadīgajai",
        "nepilngadīgajām",
        "nepilngadīgajās",
    ];
    assert_all_forms("nepilngadīgais", &indefinite);
    assert_all_forms("nepilngadīgais", &definite);
    assert_all_forms("nepilngadīgs", &definite);
    assert_all_forms(
        "vispārējā",
        &[
            "vispārējā",
            "vispārējās",
            "vispārējai",
            "vispārējo",
            "vispārējais",
            "vispārējie",
            "vispārējiem",
        ],
    );
}

#[test]
fn text_without_diacritics_and_in_capitals_still_matches() {
    let set = word_list("bērns");
    for text in ["PAR BERNIEM", "berniem", "Bernu tiesibas", "BĒRNU"] {
        assert!(fires(&set, text), "{text}");
    }
    assert!(fires(&word_list("ģimene"), "gimenes atbalsts"));
    assert!(fires(
        &word_list("nepilngadīgais"),
        "nepilngadigajiem ar traucejumiem"
    ));
    // A rule typed without diacritics matches text with them.
    assert!(fires(&word_list("berniem"), "Bērniem"));
}

#[test]
fn compound_is_not_its_last_part() {
    let set = word_list("skola");
    assert!(!fires(&set, "Grozījumi Augstskolu likumā"));
    assert!(!fires(&set, "augstskola un koledža"));
    assert!(fires(&set, "skolu tīkls"));
}

#[test]
fn word_part_rule_matches_inside_compounds() {
    let set = set_of("name = \"t\"\n[[rules]]\npart = \"ģimen\"\n");
    let v = verdict(&set, &title("Atbalsts audžuģimenēm un ģimeņu"));
    assert!(v.fired);
    let matched: Vec<&str> = v.hits.iter().map(|h| h.matched.as_str()).collect();
    // Parts compare without diacritics, so "ģimeņu" (ņ) contains "ģimen" too.
    assert_eq!(matched, vec!["audžuģimenēm", "ģimeņu"]);
    assert_eq!(v.hits[0].span, 9.."Atbalsts audžuģimenēm".len());
    assert!(fires(&set, "AUDZUGIMENEM"));
}

#[test]
fn exact_rule_does_not_stem() {
    let set = set_of("name = \"t\"\n[[rules]]\nword = \"bērns\"\nexact = true\n");
    assert!(fires(&set, "Bērns"));
    assert!(fires(&set, "berns"));
    assert!(!fires(&set, "bērniem"));
}

#[test]
fn phrases_in_order_with_inflection_and_gaps() {
    let set = set_of("name = \"t\"\n[[rules]]\nphrase = \"bērnu tiesību aizsardzības likums\"\n");
    let v = verdict(&set, &title("Grozījumi Bērnu tiesību aizsardzības likumā"));
    assert!(v.fired);
    assert_eq!(v.hits[0].matched, "Bērnu tiesību aizsardzības likumā");
    assert!(
        !fires(&set, "Bērnu tiesību un aizsardzības likumā"),
        "gap not allowed by default"
    );
    assert!(
        !fires(&set, "likums aizsardzības tiesību bērnu"),
        "order matters"
    );

    let gap =
        set_of("name = \"t\"\n[[rules]]\nphrase = \"izglītības apguve ģimenē\"\nwithin = 2\n");
    assert!(fires(&gap, "Kritēriji izglītības apguvei ģimenē"));
    assert!(fires(&gap, "izglītības programmu apguvei tikai ģimenē"));
    assert!(!fires(
        &gap,
        "izglītības programmu apguvei ne tikai šajā ģimenē"
    ));
}

#[test]
fn phrase_search_backtracks_over_earlier_candidates() {
    let set = set_of("name = \"t\"\n[[rules]]\nphrase = \"bērnu tiesības\"\nwithin = 1\n");
    assert!(fires(&set, "bērnu x y bērnu z tiesības"));
}

#[test]
fn negative_rule_excludes_the_draft() {
    let toml = r#"
name = "t"
[[rules]]
word = "ģimene"
[[rules]]
phrase = "ģimenes ārsts"
negative = true
"#;
    let set = set_of(toml);
    let v = verdict(&set, &title("Par ģimenes ārstu prakšu finansēšanu"));
    assert!(!v.fired);
    assert_eq!(v.excluded_by.len(), 1);
    assert_eq!(v.excluded_by[0].matched, "ģimenes ārstu");
    assert!(fires(&set, "Atbalsts ģimenēm ar bērniem"));
}

#[test]
fn overlap_negative_only_cancels_the_covered_hit() {
    let toml = r#"
name = "t"
[[rules]]
word = "ģimene"
[[rules]]
word = "bērns"
[[rules]]
phrase = "ģimenes ārsts"
negative = true
scope = "overlap"
"#;
    let set = set_of(toml);
    let v = verdict(&set, &title("Ģimenes ārstu prakses"));
    assert!(!v.fired);
    assert_eq!(v.ignored.len(), 1);
    let v = verdict(&set, &title("Ģimenes ārstu pakalpojumi bērniem"));
    assert!(v.fired);
    assert_eq!(v.hits.len(), 1);
    assert_eq!(v.hits[0].matched, "bērniem");
}

#[test]
fn field_restrictions_and_spans_per_field() {
    let toml = r#"
name = "t"
fields = ["title", "description", "policy_areas"]
[[rules]]
word = "bērns"
fields = ["title"]
[[rules]]
word = "izglītība"
"#;
    let set = set_of(toml);
    let areas = vec!["Sociālā aizsardzība".to_string(), "Izglītība".to_string()];
    let input = MatchInput {
        title: "Nosaukums",
        description: Some("Par bērniem"),
        policy_areas: &areas,
        ministry: Some("Izglītības un zinātnes ministrija"),
        ..MatchInput::default()
    };
    let v = verdict(&set, &input);
    assert!(v.fired);
    assert_eq!(v.hits.len(), 1, "{v:?}");
    assert_eq!(v.hits[0].field, Field::PolicyAreas);
    let joined = "Sociālā aizsardzība; Izglītība";
    assert_eq!(
        v.hits[0].span,
        joined.find("Izglītība").expect("present")..joined.len()
    );
    assert_eq!(
        &"Sociālā aizsardzība; Izglītība"[v.hits[0].span.clone()],
        "Izglītība"
    );
    assert!(fires(&set, "Bērnu nams"));
}

#[test]
fn spans_point_into_the_original_text_with_entities() {
    let set = word_list("bērns");
    let text = "Likums &quot;Par b&#275;rniem&quot; – “Bērnu” lieta";
    let v = verdict(&set, &title(text));
    let matched: Vec<&str> = v.hits.iter().map(|h| &text[h.span.clone()]).collect();
    assert_eq!(matched, vec!["b&#275;rniem", "Bērnu"]);
}

#[test]
fn regex_rules_are_case_insensitive_on_the_original_text() {
    let set = set_of("name = \"t\"\n[[rules]]\nregex = '''\\bMK noteikumi Nr\\. 354\\b'''\n");
    let text = "Grozījumi mk noteikumi nr. 354 un citi";
    let v = verdict(&set, &title(text));
    assert!(v.fired);
    assert_eq!(&text[v.hits[0].span.clone()], "mk noteikumi nr. 354");
}

#[test]
fn weights_and_threshold() {
    let toml = r#"
name = "t"
threshold = 2
[[rules]]
word = "skola"
[[rules]]
word = "bērns"
weight = 2
"#;
    let set = set_of(toml);
    assert!(!fires(&set, "skolas remonts"));
    assert!(fires(&set, "bērni"));
    let v = verdict(&set, &title("skolas skolas bērni"));
    assert_eq!(v.score, 3.0, "each rule counts once");
}

#[test]
fn verdicts_in_name_order_and_readme_ignored() {
    let (_dir, set) = load(&[
        ("b.toml", "name = \"zeta\"\n[[rules]]\nword = \"bērns\"\n"),
        ("a.toml", "name = \"alfa\"\n[[rules]]\nword = \"skola\"\n"),
        ("README.md", "not a watchlist"),
    ]);
    let set = set.expect("loads");
    assert_eq!(set.names(), vec!["alfa", "zeta"]);
    let names: Vec<String> = set
        .evaluate(&title("bērni"))
        .into_iter()
        .map(|v| v.watchlist)
        .collect();
    assert_eq!(names, vec!["alfa", "zeta"]);
}

#[test]
fn invalid_watchlist_reports_every_error_with_file_line_column() {
    let bad = r#"name = "berni"
colour = "red"

[[rules]]
word = ""

[[rules]]
regex = "(unclosed"

[[rules]]
word = "– “ ”"

[[rules]]
word = "bērnu tiesības"
fields = []

[[rules]]
part = "ģi"
speling = 1
"#;
    let (dir, result) = load(&[
        ("bad.toml", bad),
        ("dup.toml", "name = \"berni\"\n[[rules]]\nword = \"x\"\n"),
    ]);
    let errors = result.expect_err("invalid");
    let text = errors.to_string();
    let path = dir.path().join("bad.toml");
    let p = path.display();
    for expected in [
        format!("{p}:2:1: unknown key `colour`"),
        format!("{p}:5:8: empty word rule"),
        format!("{p}:8:9: invalid regex"),
        format!("{p}:11:8: word \"– “ ”\" normalises to nothing"),
        format!("{p}:14:8: word \"bērnu tiesības\" contains 2 words"),
        format!("{p}:15:10: fields is empty"),
        format!("{p}:18:8: part \"ģi\" is shorter than 3 letters"),
        format!("{p}:19:1: unknown key `speling` in rule"),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(
        errors.errors().len(),
        text.lines().count(),
        "one error per line"
    );
    // bad.toml is invalid, so dup.toml's name does not clash with anything loaded.
    assert!(errors.errors().iter().all(|e| e.path == path), "{text}");
}

#[test]
fn structural_errors_are_reported() {
    let (dir, result) = load(&[
        (
            "a.toml",
            "name = \"Berni Lists\"\nthreshold = 5\n[[rules]]\nword = \"bērns\"\nscope = \"overlap\"\n",
        ),
        (
            "b.toml",
            "name = \"b\"\n[[rules]]\nword = \"ārsts\"\nnegative = true\n",
        ),
        ("c.toml", "name = \"c\"\n[[rules]\nword = 1\n"),
        (
            "d.toml",
            "name = \"d\"\n[[rules]]\nphrase = \"a b\"\nregex = \"x\"\n[[rules]]\nexact = true\n",
        ),
        (
            "e.toml",
            "name = \"e\"\nthreshold = 5\n[[rules]]\nword = \"bērns\"\n",
        ),
    ]);
    let text = result.expect_err("invalid").to_string();
    let at = |f: &str| dir.path().join(f).display().to_string();
    for expected in [
        format!("{}:1:8: name must be lowercase", at("a.toml")),
        format!("{}:5:9: scope only applies to negative rules", at("a.toml")),
        format!(
            "{}:1:1: the watchlist has only negative rules",
            at("b.toml")
        ),
        format!("{}:2:", at("c.toml")),
        format!("{}:4:9: a rule takes exactly one of", at("d.toml")),
        format!(
            "{}:5:1: rule has none of word, phrase, part, regex",
            at("d.toml")
        ),
        format!("{}:2:13: threshold 5 is above the sum", at("e.toml")),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn duplicate_names_and_empty_directory_are_errors() {
    let (_dir, result) = load(&[
        ("a.toml", "name = \"x\"\n[[rules]]\nword = \"bērns\"\n"),
        ("b.toml", "name = \"x\"\n[[rules]]\nword = \"skola\"\n"),
    ]);
    assert!(
        result
            .expect_err("dup")
            .to_string()
            .contains("already used by")
    );
    let (_dir, result) = load(&[]);
    assert!(
        result
            .expect_err("empty")
            .to_string()
            .contains("no watchlist files")
    );
}

#[test]
fn backtest_runs_and_diffs() {
    let inputs = backtest::parse_inputs(
        "{\"id\":\"a\",\"title\":\"Grozījumi Bērnu tiesību aizsardzības likumā\",\"label\":\"relevant\"}\n\n\
         {\"id\":2,\"title\":\"Skolu tīkls\",\"text\":\"par bērniem\",\"ministry\":\"\"}\n"
            .as_bytes(),
    )
    .expect("valid inputs");
    assert_eq!(inputs.len(), 2);
    let old = set_of("name = \"t\"\n[[rules]]\nword = \"bērns\"\nfields = [\"title\"]\n");
    let new = set_of("name = \"t\"\n[[rules]]\nword = \"skola\"\n");
    let results = backtest::run(&old, &inputs);
    assert_eq!(results[0].watchlists, vec!["t"]);
    assert!(results[1].watchlists.is_empty());
    let json = backtest::to_json_lines(&results);
    assert!(json.starts_with("{\"id\":\"a\",\"watchlists\":[\"t\"],\"hits\":[{\"watchlist\":\"t\",\"rule\":\"bērns\",\"field\":\"title\""), "{json}");
    let diffs = backtest::diff(&old, &new, &inputs);
    assert_eq!(diffs.len(), 2);
    assert_eq!(diffs[0].removed, vec!["t"]);
    assert_eq!(diffs[1].added, vec!["t"]);
    assert!(
        backtest::render_diff_text(&diffs).contains("2 inputs change: 1 matches added, 1 removed")
    );
    assert!(backtest::render_text(&inputs, &results).contains("1 of 2 inputs matched"));

    let errors =
        backtest::parse_inputs("{\"id\":1}\nnot json\n".as_bytes()).expect_err("bad lines");
    assert_eq!(errors.len(), 2);
    assert!(errors[1].to_string().starts_with("line 2:"));
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

async fn wait_for(rx: &mut tokio::sync::watch::Receiver<Arc<WatchlistSet>>, expected: &[&str]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if rx.borrow_and_update().names() == expected {
            return;
        }
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(
            !remaining.is_zero(),
            "timed out waiting for {expected:?}, have {:?}",
            rx.borrow().names()
        );
        let _ = tokio::time::timeout(remaining, rx.changed()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_replaces_valid_sets_and_keeps_the_last_good_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.toml",
        "name = \"a\"\n[[rules]]\nword = \"bērns\"\n",
    );
    let initial = WatchlistSet::load_dir(dir.path()).expect("initial");
    let reloader = Arc::new(Reloader::new(dir.path(), initial));
    let mut rx = reloader.subscribe();
    let cancel = tokio_util::sync::CancellationToken::new();
    let (trigger, task) = reloader
        .clone()
        .spawn(Duration::from_millis(100), cancel.clone())
        .expect("watch");

    // A new valid file is picked up by the directory watcher.
    write(
        dir.path(),
        "b.toml",
        "name = \"b\"\n[[rules]]\nword = \"skola\"\n",
    );
    wait_for(&mut rx, &["a", "b"]).await;

    // An invalid edit is rejected: the last good set stays.
    write(
        dir.path(),
        "b.toml",
        "name = \"b\"\n[[rules]]\nregex = \"(\"\n",
    );
    assert!(reloader.reload().is_err());
    assert_eq!(reloader.current().names(), vec!["a", "b"]);

    // Fixed file, explicit trigger (as SIGHUP would do).
    write(
        dir.path(),
        "b.toml",
        "name = \"c\"\n[[rules]]\nword = \"skola\"\n",
    );
    assert!(trigger.request());
    wait_for(&mut rx, &["a", "c"]).await;

    cancel.cancel();
    task.await.expect("task ends");
    assert!(!trigger.request(), "trigger reports a stopped reloader");
}

// ---------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------

/// Latvian-looking text with entities, typographic punctuation and decomposed marks.
fn latvian_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-ZāčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ]{1,12}",
        Just(" ".to_string()),
        Just("&quot;".to_string()),
        Just("&amp;".to_string()),
        Just("&#257;".to_string()),
        Just("“".to_string()),
        Just("–".to_string()),
        Just("e\u{304}".to_string()),
        Just("\u{a0}".to_string()),
        "[ .,;:!?()0-9-]{1,3}",
    ];
    proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

/// Vocabulary the shipped watchlists rely on, with every form a text may use.
const FORMS: &[(&str, &[&str])] = &[
    (
        "bērns",
        &[
            "bērns", "bērna", "bērnam", "bērnu", "bērnā", "bērni", "bērniem", "bērnus", "bērnos",
        ],
    ),
    (
        "ģimene",
        &[
            "ģimene",
            "ģimenes",
            "ģimenei",
            "ģimeni",
            "ģimenē",
            "ģimeņu",
            "ģimenēm",
            "ģimenēs",
        ],
    ),
    (
        "nepilngadīgais",
        &[
            "nepilngadīgais",
            "nepilngadīgā",
            "nepilngadīgajam",
            "nepilngadīgo",
            "nepilngadīgie",
            "nepilngadīgajiem",
            "nepilngadīgos",
        ],
    ),
    (
        "bāriņtiesa",
        &[
            "bāriņtiesa",
            "bāriņtiesas",
            "bāriņtiesai",
            "bāriņtiesu",
            "bāriņtiesā",
            "bāriņtiesām",
        ],
    ),
    (
        "pabalsts",
        &[
            "pabalsts",
            "pabalsta",
            "pabalstam",
            "pabalstu",
            "pabalsti",
            "pabalstiem",
        ],
    ),
    (
        "uzturlīdzeklis",
        &[
            "uzturlīdzeklis",
            "uzturlīdzekļa",
            "uzturlīdzekļi",
            "uzturlīdzekļu",
            "uzturlīdzekļiem",
        ],
    ),
    (
        "izglītība",
        &[
            "izglītība",
            "izglītības",
            "izglītībai",
            "izglītību",
            "izglītībā",
        ],
    ),
    (
        "aizbildnība",
        &["aizbildnība", "aizbildnības", "aizbildnību", "aizbildnībā"],
    ),
];

fn random_case(text: &str, mask: &[bool]) -> String {
    text.chars()
        .zip(mask.iter().cycle())
        .flat_map(|(c, upper)| {
            if *upper {
                c.to_uppercase().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn normalisation_is_idempotent(text in latvian_text()) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone());
        prop_assert_eq!(fold(&fold(&once)), fold(&once));
    }

    #[test]
    fn analysis_never_panics_and_spans_are_in_bounds(text in any::<String>()) {
        let analyzed = AnalyzedText::new(&text);
        for token in &analyzed.tokens {
            prop_assert!(text.get(token.original.clone()).is_some());
        }
    }

    #[test]
    fn matching_is_invariant_to_case_and_diacritics(
        entry in 0..FORMS.len(),
        form in 0..10usize,
        mask in proptest::collection::vec(any::<bool>(), 1..8),
        strip in any::<bool>(),
        before in "[a-z ]{0,20}",
        after in "[a-z ]{0,20}",
    ) {
        let (rule, forms) = FORMS[entry];
        let word = forms[form % forms.len()];
        let set = word_list(rule);
        let plain = format!("{before} {word} {after}");
        let varied = random_case(&if strip { fold(&plain) } else { plain.clone() }, &mask);
        prop_assert_eq!(fires(&set, &plain), fires(&set, &varied), "{} vs {}", plain, varied);
        prop_assert!(fires(&set, &varied), "{} should match {}", varied, rule);
    }

    #[test]
    fn any_inflected_form_of_a_rule_word_is_matched(
        entry in 0..FORMS.len(),
        rule_form in 0..10usize,
        text_form in 0..10usize,
        filler in proptest::collection::vec("[a-zāēī]{1,8}", 0..6),
    ) {
        let (_, forms) = FORMS[entry];
        let rule = forms[rule_form % forms.len()];
        let word = forms[text_form % forms.len()];
        let set = word_list(rule);
        let mut text = filler.clone();
        text.insert(filler.len() / 2, word.to_string());
        let text = text.join(" ");
        let v = verdict(&set, &title(&text));
        prop_assert!(v.fired, "rule {} text {}", rule, text);
        prop_assert!(v.hits.iter().any(|h| h.matched == word));
    }
}

fn shipped() -> WatchlistSet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("watchlists");
    WatchlistSet::load_dir(&dir).unwrap_or_else(|e| panic!("shipped watchlists invalid:\n{e}"))
}

fn berni_fires(set: &WatchlistSet, text: &str) -> bool {
    set.evaluate(&title(text))
        .into_iter()
        .any(|v| v.watchlist == "berni" && v.fired)
}

#[test]
fn shipped_default_watchlist_catches_inflected_titles_and_avoids_traps() {
    let set = shipped();
    for text in [
        "Atbalsta pasākumi bērniem",
        "Par palīdzību nepilngadīgajiem",
        "Grozījumi Bāriņtiesu likumā",
        "Atbalsts gimenem ar berniem",
        "Par audžuģimeņu atlīdzību",
    ] {
        assert!(berni_fires(&set, text), "berni should fire on {text:?}");
    }
    for text in [
        "Par ģimenes ārstu darba samaksu",
        "Augstskolu finansēšanas kārtība",
        "Eiropas Savienības pilsoņu un viņu ģimenes locekļu ieceļošana",
        "Programma \"Garantija jauniešiem\" un jauniešu nodarbinātība",
        "Nekustamā īpašuma \"Jaunie Lauki\" pārdošana",
    ] {
        assert!(
            !berni_fires(&set, text),
            "berni should not fire on {text:?}"
        );
    }
    // The overlap negative keeps other child words alive.
    assert!(berni_fires(&set, "Ģimenes ārstu pakalpojumi bērniem"));
}

// ---- Draft texts (#12): annotation and document fields, impact rules, context, contradiction.

use draftwatch::model::{ImpactAnswer, ImpactItem};

/// The captured annotation's item 8.1.16 with `answer`.
fn best_interests(answer: ImpactAnswer) -> ImpactItem {
    ImpactItem {
        number: "8.1.16.".into(),
        label: "uz bērna labākajām interesēm".into(),
        answer,
        explanation: None,
    }
}

fn with_annotation<'a>(title: &'a str, annotation: &'a str) -> MatchInput<'a> {
    MatchInput {
        title,
        annotation: Some(annotation),
        ..MatchInput::default()
    }
}

const FOSTER_ANNOTATION: &str = "Projekts paredz atbalstu energoresursu izdevumu segšanai. \
    Atbalsts pienākas daudzbērnu ģimenēm, aizbildņiem u.c. personām, t.sk. audžuģimenēm, \
    saskaņā ar 2026. gada 1. janvāra kārtību. Finansējums ir valsts budžetā.";

#[test]
fn annotation_and_document_are_searched_only_when_a_watchlist_names_them() {
    let default_fields = set_of("name = \"t\"\n[[rules]]\nword = \"audžuģimene\"\n");
    let input = with_annotation("Grozījumi noteikumos Nr. 354", FOSTER_ANNOTATION);
    assert!(
        !verdict(&default_fields, &input).fired,
        "a list naming no fields must not start matching annotations"
    );
    let document_only = MatchInput {
        title: "Grozījumi noteikumos",
        document: Some("Atbalsts audžuģimenēm."),
        ..MatchInput::default()
    };
    assert!(!verdict(&default_fields, &document_only).fired);

    let opted_in = set_of(
        "name = \"t\"\nfields = [\"title\", \"description\", \"annotation\"]\n[[rules]]\nword = \"audžuģimene\"\n",
    );
    let v = verdict(&opted_in, &input);
    assert!(v.fired);
    assert_eq!(v.hits.len(), 1);
    assert_eq!(v.hits[0].field, Field::Annotation);
    assert_eq!(v.hits[0].matched, "audžuģimenēm");
    assert_eq!(
        &FOSTER_ANNOTATION[v.hits[0].span.clone()],
        "audžuģimenēm",
        "span in the original annotation"
    );
    assert!(
        !verdict(&opted_in, &document_only).fired,
        "annotation does not imply document"
    );

    let rule_on_document =
        set_of("name = \"t\"\n[[rules]]\nword = \"audžuģimene\"\nfields = [\"document\"]\n");
    let v = verdict(&rule_on_document, &document_only);
    assert!(v.fired);
    assert_eq!(v.hits[0].field, Field::Document);
    assert_eq!(v.hits[0].context(), Some("Atbalsts audžuģimenēm."));
}

#[test]
fn an_unknown_field_names_the_text_fields_too() {
    let (dir, result) = load(&[(
        "t.toml",
        "name = \"t\"\n[[rules]]\nword = \"bērns\"\nfields = [\"title\", \"anotacija\"]\n",
    )]);
    let text = result.expect_err("unknown field").to_string();
    let expected = format!(
        "{}:4:20: unknown field (expected one of: title, description, policy_areas, ministry, kind, annotation, document)",
        dir.path().join("t.toml").display()
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn only_the_first_hits_of_a_watchlist_in_a_long_text_carry_their_sentence() {
    let set = set_of(
        "name = \"t\"\nfields = [\"annotation\"]\n[[rules]]\nword = \"audžuģimene\"\n[[rules]]\nword = \"budžets\"\n",
    );
    let other = set_of("name = \"u\"\nfields = [\"annotation\"]\n[[rules]]\nword = \"budžets\"\n");
    let annotation: String = ["Finansējums ir valsts budžetā.\n".to_owned()]
        .into_iter()
        .chain((1..=6).map(|n| format!("Atbalsts {n}. grupas audžuģimenēm.  Cits   teikums.\n")))
        .chain(["Atkal budžetā.".to_owned()])
        .collect();
    let contexts = |set: &draftwatch::matcher::WatchlistSet| -> Vec<(String, Option<String>)> {
        let v = verdict(set, &with_annotation("Grozījumi", &annotation));
        let mut hits: Vec<_> = v.hits.iter().collect();
        hits.sort_by_key(|h| h.span.start);
        hits.iter()
            .map(|h| (h.matched.clone(), h.context().map(str::to_owned)))
            .collect()
    };
    let found = |word: &str, context: Option<&str>| (word.to_owned(), context.map(str::to_owned));
    assert_eq!(
        draftwatch::matcher::CONTEXTS_PER_WATCHLIST,
        5,
        "the expectations below are written for 5"
    );
    assert_eq!(
        contexts(&set),
        vec![
            found("budžetā", Some("Finansējums ir valsts budžetā.")),
            found("audžuģimenēm", Some("Atbalsts 1. grupas audžuģimenēm.")),
            found("audžuģimenēm", Some("Atbalsts 2. grupas audžuģimenēm.")),
            found("audžuģimenēm", Some("Atbalsts 3. grupas audžuģimenēm.")),
            found("audžuģimenēm", Some("Atbalsts 4. grupas audžuģimenēm.")),
            found("audžuģimenēm", None),
            found("audžuģimenēm", None),
            found("budžetā", None),
        ],
        "every hit is counted; the first ones in text order carry their sentence"
    );
    // Another watchlist has its own count.
    assert_eq!(
        contexts(&other),
        vec![
            found("budžetā", Some("Finansējums ir valsts budžetā.")),
            found("budžetā", Some("Atkal budžetā.")),
        ]
    );
}

#[test]
fn hits_in_the_annotation_carry_their_sentence_across_latvian_abbreviations() {
    let set = set_of(
        "name = \"t\"\nfields = [\"annotation\"]\n[[rules]]\nword = \"audžuģimene\"\n[[rules]]\nword = \"budžets\"\n",
    );
    let v = verdict(&set, &with_annotation("Grozījumi", FOSTER_ANNOTATION));
    let contexts: Vec<Option<&str>> = v.hits.iter().map(|h| h.context()).collect();
    assert_eq!(
        contexts,
        vec![
            Some(
                "Atbalsts pienākas daudzbērnu ģimenēm, aizbildņiem u.c. personām, t.sk. \
                 audžuģimenēm, saskaņā ar 2026. gada 1. janvāra kārtību."
            ),
            Some("Finansējums ir valsts budžetā."),
        ]
    );

    // Title hits are shown whole, without a context.
    let set = set_of("name = \"t\"\n[[rules]]\nword = \"grozījums\"\n");
    assert_eq!(
        verdict(&set, &with_annotation("Grozījumi", FOSTER_ANNOTATION)).hits[0].context(),
        None
    );
}

#[test]
fn a_hit_in_a_long_annotation_sentence_is_cut_to_about_200_characters() {
    let long = format!(
        "8.1.16. uz bērna labākajām interesēm Jā {} audžuģimenēm {} beigas. Cits teikums.",
        "pašvaldības nodrošina pakalpojumus ".repeat(12),
        "un sociālā dienesta darbiniekus ".repeat(12)
    );
    let set =
        set_of("name = \"t\"\nfields = [\"annotation\"]\n[[rules]]\nword = \"audžuģimene\"\n");
    let v = verdict(&set, &with_annotation("Grozījumi", &long));
    let context = v.hits[0].context().expect("context");
    assert!(
        context.starts_with('…') && context.ends_with('…'),
        "{context}"
    );
    assert!(context.contains(" audžuģimenēm "), "{context}");
    assert!(
        !context.contains("8.1.16"),
        "cut before the item number: {context}"
    );
    let chars = context.chars().count();
    assert!((150..=205).contains(&chars), "{chars}: {context}");
}

#[test]
fn impact_rule_fires_on_ja_only_by_name_or_number() {
    for name in [
        "bērna labākās intereses",
        "bērna labākajām interesēm",
        "berna labakas intereses",
        "8.1.16",
    ] {
        let set = set_of(&format!("name = \"t\"\n[[rules]]\nimpact = \"{name}\"\n"));
        let input = |impacts: &[ImpactItem]| {
            verdict(
                &set,
                &MatchInput {
                    title: "Noteikumi par ēku apsekošanu",
                    impacts,
                    ..MatchInput::default()
                },
            )
        };
        let mut yes = best_interests(ImpactAnswer::Yes);
        yes.explanation = Some("Projekts uzlabo bērnu aprūpi slimnīcās.".into());
        let v = input(std::slice::from_ref(&yes));
        assert!(v.fired, "{name}");
        assert_eq!(v.hits[0].field, Field::Impact);
        assert_eq!(&*v.hits[0].rule, name);
        assert_eq!(v.hits[0].matched, "8.1.16 uz bērna labākajām interesēm: Jā");
        assert_eq!(
            v.hits[0].context(),
            Some("Projekts uzlabo bērnu aprūpi slimnīcās.")
        );
        assert!(
            !input(&[best_interests(ImpactAnswer::No)]).fired,
            "{name} on Nē"
        );
        assert!(
            !input(&[best_interests(ImpactAnswer::Missing)]).fired,
            "{name} on -"
        );
        assert!(!input(&[]).fired, "{name} without an annotation");
        let other = ImpactItem {
            number: "8.1.9.".into(),
            label: "uz personu ar invaliditāti vienlīdzīgām iespējām un tiesībām".into(),
            answer: ImpactAnswer::Yes,
            explanation: None,
        };
        assert!(!input(&[other]).fired, "{name} on another item's Jā");
    }
}

#[test]
fn impact_item_is_recognised_by_its_wording_when_the_form_is_renumbered() {
    let set = set_of("name = \"t\"\n[[rules]]\nimpact = \"8.1.16\"\n");
    let fires_on = |item: ImpactItem| {
        let impacts = [item];
        let input = MatchInput {
            title: "x",
            impacts: &impacts,
            ..MatchInput::default()
        };
        verdict(&set, &input).fired
    };
    assert!(fires_on(ImpactItem {
        number: "8.1.17.".into(),
        ..best_interests(ImpactAnswer::Yes)
    }));
    assert!(
        fires_on(ImpactItem {
            label: String::new(),
            ..best_interests(ImpactAnswer::Yes)
        }),
        "by number when the wording is missing"
    );
}

#[test]
fn unknown_or_ambiguous_impact_names_are_errors_with_file_line_column() {
    let (dir, result) = load(&[(
        "t.toml",
        "name = \"t\"\n[[rules]]\nimpact = \"bērnu tiesības\"\n\n[[rules]]\nimpact = \"attīstība\"\n\n[[rules]]\nimpact = \"8.1.16\"\nfields = [\"title\"]\n",
    )]);
    let text = result.expect_err("bad impact rules").to_string();
    let p = dir.path().join("t.toml").display().to_string();
    for expected in [
        format!(
            "{p}:3:10: unknown impact item \"bērnu tiesības\" (expected 8.1.1 to 8.1.16 or the item's wording, one of: \"8.1.1 uz publisku pakalpojumu attīstību\","
        ),
        "\"8.1.16 uz bērna labākajām interesēm\")".to_string(),
        format!(
            "{p}:6:10: impact \"attīstība\" fits several items (\"8.1.1 uz publisku pakalpojumu attīstību\""
        ),
        format!("{p}:10:10: fields has no effect on impact rules"),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
}

/// A child list (`child_focus = true`) and a plain list, both reading the annotation.
fn contradiction_lists() -> WatchlistSet {
    let (_dir, set) = load(&[
        (
            "gimenes.toml",
            "name = \"gimenes\"\nchild_focus = true\nfields = [\"title\", \"annotation\", \"document\"]\n\
             [[rules]]\nword = \"audžuģimene\"\n[[rules]]\nphrase = \"daudzbērnu ģimene\"\n",
        ),
        (
            "energija.toml",
            "name = \"energija\"\nfields = [\"annotation\"]\n[[rules]]\nword = \"energoresursi\"\n",
        ),
    ]);
    set.expect("valid lists")
}

fn contradiction_of(set: &WatchlistSet, input: &MatchInput<'_>) -> Option<String> {
    let verdicts = set.evaluate(input);
    set.best_interests_contradiction(&verdicts, input.impacts)
        .map(|c| c.message_lv())
}

#[test]
fn contradiction_exactly_when_8_1_16_is_ne_and_a_child_list_fires_on_the_text() {
    let set = contradiction_lists();
    assert!(set.is_child_watchlist("gimenes"));
    assert!(!set.is_child_watchlist("energija"));
    let no = [best_interests(ImpactAnswer::No)];
    let on_text = |impacts| MatchInput {
        title: "Grozījumi noteikumos Nr. 354",
        annotation: Some(FOSTER_ANNOTATION),
        impacts,
        ..MatchInput::default()
    };
    assert_eq!(
        contradiction_of(&set, &on_text(&no)).as_deref(),
        Some(
            "anotācijā ietekme uz bērna labākajām interesēm norādīta kā 'Nē', bet teksts min bērnus 2 reizes"
        )
    );
    let verdicts = set.evaluate(&on_text(&no));
    let found = set
        .best_interests_contradiction(&verdicts, &no)
        .expect("contradiction");
    assert_eq!(found.mentions, 2);
    assert_eq!(found.watchlists, vec!["gimenes"]);
    assert_eq!(
        found.message_en(),
        "the annotation answers 'No' on the impact on the child's best interests, but the text mentions children 2 times"
    );

    // Not when 8.1.16 is Jā or missing, nor when the annotation has no 8.1.16.
    let yes = [best_interests(ImpactAnswer::Yes)];
    let missing = [best_interests(ImpactAnswer::Missing)];
    for impacts in [&yes[..], &missing[..], &[]] {
        assert_eq!(
            contradiction_of(&set, &on_text(impacts)),
            None,
            "{impacts:?}"
        );
    }

    // Not when the child list fired on the title only.
    let title_only = MatchInput {
        title: "Atbalsts audžuģimenēm",
        annotation: Some("Projekts paredz energoresursu izdevumu segšanu."),
        impacts: &no,
        ..MatchInput::default()
    };
    assert!(set.fired(&title_only).contains(&"gimenes".to_string()));
    assert_eq!(contradiction_of(&set, &title_only), None);

    // Not when only a list without child_focus fired on the text.
    let energy_only = MatchInput {
        title: "Grozījumi",
        annotation: Some("Projekts paredz energoresursu izdevumu segšanu."),
        impacts: &no,
        ..MatchInput::default()
    };
    assert_eq!(set.fired(&energy_only), vec!["energija".to_string()]);
    assert_eq!(contradiction_of(&set, &energy_only), None);
}

#[test]
fn backtest_lines_carry_annotation_document_and_impacts() {
    let inputs = backtest::parse_inputs(
        std::fs::File::open(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backtest/texts.jsonl"),
        )
        .map(std::io::BufReader::new)
        .expect("fixture"),
    )
    .expect("valid inputs");
    assert_eq!(inputs.len(), 3);
    assert!(
        inputs[0]
            .annotation
            .as_deref()
            .is_some_and(|a| a.contains("audžuģimenēm"))
    );
    assert_eq!(inputs[0].impacts.len(), 2);
    assert_eq!(inputs[2].impacts[0].number, "8.1.16");
    assert_eq!(inputs[2].impacts[0].answer, ImpactAnswer::Yes);

    let set = set_of(
        "name = \"gimenes\"\nfields = [\"annotation\", \"document\"]\n[[rules]]\nword = \"audžuģimene\"\n\
         [[rules]]\nword = \"uzturlīdzekļi\"\n[[rules]]\nimpact = \"bērna labākās intereses\"\n",
    );
    let results = backtest::run(&set, &inputs);
    assert_eq!(results[0].watchlists, vec!["gimenes"]);
    assert_eq!(results[0].hits[0].field, Field::Annotation);
    assert!(
        results[0].hits[0]
            .context
            .as_deref()
            .is_some_and(|c| c.starts_with("Atbalsts pienākas daudzbērnu ģimenēm")),
        "{:?}",
        results[0].hits[0]
    );
    assert!(results[1].watchlists.is_empty());
    let fields: Vec<Field> = results[2].hits.iter().map(|h| h.field).collect();
    assert_eq!(
        fields,
        vec![Field::Document, Field::Document, Field::Impact]
    );
    assert_eq!(
        results[2].hits[0].context.as_deref(),
        Some("1. Noteikumi nosaka uzturlīdzekļu apmēru.")
    );
    let text = backtest::render_text(&inputs, &results);
    assert!(
        text.contains("        document: «2. Uzturlīdzekļus izmaksā katru mēnesi.»"),
        "{text}"
    );
    let json = backtest::to_json_lines(&results);
    assert!(
        json.contains("\"context\":\"1. Noteikumi nosaka uzturlīdzekļu apmēru.\""),
        "{json}"
    );

    let errors = backtest::parse_inputs(
        "{\"id\":1,\"title\":\"x\",\"impacts\":{\"bērnu tiesības\":\"Jā\"}}\n\
         {\"id\":2,\"title\":\"x\",\"impacts\":{\"8.1.16\":\"varbūt\"}}\n"
            .as_bytes(),
    )
    .expect_err("bad impacts");
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0]
            .to_string()
            .contains("unknown impact item \"bērnu tiesības\""),
        "{}",
        errors[0]
    );
    assert!(
        errors[1]
            .to_string()
            .contains("\"varbūt\" for \"8.1.16\" is not Jā, Nē or -"),
        "{}",
        errors[1]
    );
}
