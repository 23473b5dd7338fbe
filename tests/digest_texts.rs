//! What a draft's annotation adds to the digest (issue #12 item 5 and its acceptance), through
//! the real path: a poll reads the draft's annotation page from the portal (wiremock on
//! 127.0.0.1), the store keeps it (a real SQLite file), and the digest run matches, renders
//! and sends over real SMTP to the in-process sink; the mail is parsed with mail-parser.
//!
//! The annotation pages are built from the real 26-TA-1173 capture
//! (tests/fixtures/tap_annotation/, every 8.1.N answered `Nē`) wrapped in the portal's real
//! page frame, as tests/draft_texts.rs does. For the foster-care cases the annotation's name
//! and its "1.2. Mērķis" answer are replaced by made-up text about foster families
//! (audžuģimenes); everything else, the form's questions and the sixteen impact answers, is
//! the real capture. The variant "without the text" puts a neutral sentence in the same
//! place; the `Jā` variant answers 8.1.16 `Jā` with an explanation, as 26-TA-1634 does.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use draftwatch::clock::Clock;
use draftwatch::config::{Config, HttpConfig, TextsConfig};
use draftwatch::digest::{DigestContext, send_digests};
use draftwatch::mailer::SmtpMailer;
use draftwatch::matcher::{Field, MatchInput, WatchlistSet};
use draftwatch::model::{CommentWindow, DraftDetail, KnownDrafts, ScrapedDraft};
use draftwatch::pipeline::{TextPhase, poll_source_with_texts};
use draftwatch::sources::tap::annotation::Annotation;
use draftwatch::sources::{BoxFuture, Fetcher, PollOutput, Source};
use draftwatch::store::SharedStore;
use serde::Deserialize;
use support::smtp::SmtpSink;
use support::{FILE_MAIL, ParsedMail, day, local_smtp, parse_mail, utc};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ANNOTATION_1173: &str = "tap_annotation_26-TA-1173_text_2026-09-18.json";

/// The foster-care partner's address; it follows `arpusgimenes-aprupe` (reads annotations).
const FOSTER: &str = "audzugimenes@biedriba.lv";
/// The default list's partner; `berni` does not read annotations.
const CHILDREN: &str = "berni@biedriba.lv";

/// The annotation name and "1.2. Mērķis" answer of the real 26-TA-1173 capture.
const REAL_NAME: &str = "\"Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\"\"";
const REAL_GOAL_START: &str = "Mērķa apraksts ";
const REAL_GOAL_END: &str = " Spēkā stāšanās termiņš";

/// A title without any child word (the Audžuģimenes noteikumi are Cabinet regulation 354).
const TITLE: &str = "Grozījumi Ministru kabineta 2018. gada 26. jūnija noteikumos Nr. 354";

/// The made-up goal about foster families: three places the foster-care list hits
/// ("audžuģimenēs", "audžuģimenēm", "bez vecāku gādības").
const FOSTER_GOAL: &str = "Noteikumu projekts paredz palielināt atlīdzību par bērna uzturēšanu \
     audžuģimenēs un specializētajām audžuģimenēm, lai bērni, kuri palikuši bez vecāku gādības, \
     augtu ģimeniskā vidē.";

/// The same place without it.
const NEUTRAL_GOAL: &str =
    "Noteikumu projekts izstrādāts ar mērķi precizēt noteikumu redakciju un atsauces.";

const CHILD_NO: &str = "8.1.16. uz bērna labākajām interesēm Vai projekts skar šo jomu? Nē";
const CHILD_YES: &str = "8.1.16. uz bērna labākajām interesēm Vai projekts skar šo jomu? Jā \
     Apraksts Projekts uzlabo bērnu aprūpi ģimeniskā vidē.";

const NOTE_3: &str = "anotācijā ietekme uz bērna labākajām interesēm norādīta kā 'Nē', bet teksts min bērnus 3 reizes";

/// The note as the HTML part writes it (the template escapes its quotes).
fn html_note() -> String {
    NOTE_3.replace('\'', "&#x27;")
}

#[derive(Deserialize)]
struct Capture {
    text: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn capture_1173() -> String {
    let capture: Capture = serde_json::from_str(&read(
        &root()
            .join("tests/fixtures/tap_annotation")
            .join(ANNOTATION_1173),
    ))
    .expect("capture parses");
    capture.text
}

/// The 26-TA-1173 capture with its name set to `TITLE`, its goal to `goal` and its 8.1.16
/// item to `child_item`.
fn annotation_text(goal: &str, child_item: &str) -> String {
    let text = capture_1173();
    assert!(text.contains(REAL_NAME), "the capture names its draft");
    let text = text.replacen(REAL_NAME, &format!("\"{TITLE}\""), 1);
    let start = text.find(REAL_GOAL_START).expect("goal label") + REAL_GOAL_START.len();
    let end = start + text[start..].find(REAL_GOAL_END).expect("next label");
    let text = format!("{}{goal}{}", &text[..start], &text[end..]);
    assert!(text.contains(CHILD_NO), "the capture answers Nē on 8.1.16");
    text.replacen(CHILD_NO, child_item, 1)
}

/// `text` (a capture's visible `<main>` text) in the portal's real page frame, as
/// tests/draft_texts.rs builds annotation pages.
fn annotation_page(text: &str) -> String {
    let page = read(&root().join("tests/fixtures/tap/public_participation_page1.html"));
    let main_start = page.find("<main").expect("main");
    let menu_end = page
        .find("<div class=\"flash-messages\"")
        .expect("flash messages");
    let footer = page.find("</main>").expect("main end");
    let menu_text = "Tiesību aktu projekti Sēdēs neskatāmie ziņojumi Sabiedrības līdzdalība Sēdes Ministru kabineta sēdes Ministru kabineta komitejas sēdes Valsts sekretāru sanāksmes Ministrijām dotie uzdevumi Deklasificētie dokumenti Pieteikties jaunumiem Pieteikt TAP slēgtās vides kontu Atvērtie dati Video palīgs ";
    let body = text.strip_prefix(menu_text).unwrap_or(text);
    format!(
        "{}{}<div class=\"content\"><div>{}</div></div>{}",
        &page[..main_start],
        &page[main_start..menu_end],
        html_escape::encode_text(body),
        &page[footer..],
    )
}

/// A source that returns the drafts it is given, as a TAP adapter returns parsed pages.
struct ScriptedSource {
    drafts: Mutex<Vec<ScrapedDraft>>,
}

impl Source for ScriptedSource {
    fn name(&self) -> &str {
        "tap"
    }

    fn poll<'a>(
        &'a self,
        _fetcher: &'a Fetcher,
        _known: &'a KnownDrafts,
        _cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        let drafts = self.drafts.lock().expect("lock").clone();
        Box::pin(async move {
            PollOutput {
                drafts,
                ..PollOutput::default()
            }
        })
    }
}

/// One draft of the portal: its title and the annotation page text its detail links to
/// (`None`: no annotation link).
struct PortalDraft<'a> {
    number: u32,
    title: &'a str,
    annotation: Option<String>,
}

fn config(db: &Path) -> Config {
    let text = format!(
        r#"{head}{FILE_MAIL}[digest]
schedule = "0 8 * * *"
[[recipients]]
name = "Audžuģimeņu biedrība"
addresses = ["{FOSTER}"]
watchlists = ["arpusgimenes-aprupe"]
[[recipients]]
name = "Bērnu tīkls"
addresses = ["{CHILDREN}"]
watchlists = ["berni"]
"#,
        head = support::config_head(db),
    );
    Config::from_toml(&text, None).expect("test config loads")
}

fn shipped_watchlists() -> WatchlistSet {
    WatchlistSet::load_dir(&root().join("watchlists")).expect("shipped watchlists load")
}

fn poll_time() -> DateTime<Utc> {
    utc(2026, 9, 20, 6, 0)
}

/// Poll `drafts` with their annotations, then run the digest; the mails each address got.
async fn poll_and_digest(drafts: &[PortalDraft<'_>]) -> Vec<(String, ParsedMail)> {
    let dir = support::temp_dir();
    let db = dir.path().join("draftwatch.sqlite3");
    let config = config(&db);
    let store = SharedStore::open(&db).expect("store opens");
    let server = MockServer::start().await;
    let mut scraped = Vec::new();
    for draft in drafts {
        let route = format!("/annotation/a-{}", draft.number);
        if let Some(text) = &draft.annotation {
            Mock::given(method("GET"))
                .and(path(route.as_str()))
                .respond_with(
                    ResponseTemplate::new(200).set_body_raw(annotation_page(text), "text/html"),
                )
                .mount(&server)
                .await;
        }
        scraped.push(ScrapedDraft {
            external_id: format!("uuid-{}", draft.number),
            ta_number: Some(format!("26-TA-{}", draft.number)),
            title: draft.title.to_owned(),
            kind: Some("Noteikumu projekts".to_owned()),
            ministry: Some("Labklājības ministrija".to_owned()),
            url: format!(
                "{}/public_participation/public_discussions/{}",
                server.uri(),
                draft.number
            ),
            window: Some(CommentWindow {
                from: day(2026, 9, 15),
                to: day(2026, 10, 9),
            }),
            detail: Some(DraftDetail {
                annotation_urls: draft
                    .annotation
                    .as_ref()
                    .map(|_| format!("{}{route}", server.uri()))
                    .into_iter()
                    .collect(),
                ..DraftDetail::default()
            }),
            ..ScrapedDraft::default()
        });
    }
    let source = ScriptedSource {
        drafts: Mutex::new(scraped),
    };
    let fetcher = Fetcher::new(&HttpConfig {
        user_agent: "draftwatch-test/0.1 (+mailto:admin@example.org)".to_owned(),
        timeout: Duration::from_secs(10),
        min_interval: Duration::from_millis(1),
        max_response_bytes: 4 * 1024 * 1024,
        retries: 0,
        retry_base_delay: Duration::from_millis(5),
        respect_robots_txt: false,
    })
    .expect("fetcher");
    let phase = TextPhase::new(
        &TextsConfig {
            budget_per_poll: 10,
            ..TextsConfig::default()
        },
        Duration::from_secs(60),
    );
    let summary = poll_source_with_texts(
        &source,
        &fetcher,
        &store,
        &Clock::fixed(poll_time()),
        &CancellationToken::new(),
        &phase,
    )
    .await
    .expect("poll");
    assert!(summary.error.is_none(), "{summary}");
    let expected_reads = drafts.iter().filter(|d| d.annotation.is_some()).count();
    assert_eq!(
        (summary.texts.read, summary.texts.failed),
        (expected_reads, 0),
        "{summary}"
    );

    let watchlists = shipped_watchlists();
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    let ctx = DigestContext {
        config: &config,
        store: &store,
        watchlists: &watchlists,
        mailer: &mailer,
        now: poll_time() + chrono::Duration::minutes(30),
        dry_run: false,
        only_recipient: None,
    };
    let run = send_digests(&ctx).await.expect("digest run");
    assert!(!run.has_failures(), "{run}");
    sink.messages()
        .iter()
        .flat_map(|message| {
            message
                .to
                .iter()
                .map(|to| (to.clone(), parse_mail(&message.data)))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn mail_to<'a>(mails: &'a [(String, ParsedMail)], address: &str) -> Option<&'a ParsedMail> {
    mails
        .iter()
        .find(|(to, _)| to == address)
        .map(|(_, mail)| mail)
}

/// The plain text with its line breaks (the wrap at 78 columns) undone.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn foster_annotation_reaches_the_foster_care_partner_with_its_sentence() {
    let mails = poll_and_digest(&[PortalDraft {
        number: 2001,
        title: TITLE,
        annotation: Some(annotation_text(FOSTER_GOAL, CHILD_NO)),
    }])
    .await;
    let foster = mail_to(&mails, FOSTER).expect("the foster-care partner gets a digest");
    let text = unwrapped(&foster.text);
    assert!(text.contains(TITLE), "{text}");
    assert!(
        text.contains(&format!("Anotācijā: «{}»", unwrapped(FOSTER_GOAL))),
        "the sentence is shown: {text}"
    );
    assert!(
        foster.html.contains(
            "palielināt atlīdzību par bērna uzturēšanu <mark>audžuģimenēs</mark> un \
             specializētajām <mark>audžuģimenēm</mark>, lai bērni, kuri palikuši \
             <mark>bez vecāku gādības</mark>, augtu ģimeniskā vidē.»"
        ),
        "the hits are marked in the HTML sentence: {}",
        foster.html
    );
    assert!(foster.html.contains("Anotācijā:"), "{}", foster.html);
    // 26-TA-1173 answers Nē everywhere: no impact line, and the note.
    assert!(!text.contains("Anotācijā norādīta ietekme"), "{text}");
    assert!(text.contains(&format!("Pretruna: {NOTE_3}")), "{text}");
    assert!(foster.html.contains(&html_note()), "{}", foster.html);
    // The default list does not read annotations, and the title has no child word.
    assert!(mail_to(&mails, CHILDREN).is_none(), "{mails:?}");
}

#[tokio::test]
async fn the_same_draft_without_the_foster_text_does_not_reach_the_partner() {
    let mails = poll_and_digest(&[PortalDraft {
        number: 2001,
        title: TITLE,
        annotation: Some(annotation_text(NEUTRAL_GOAL, CHILD_NO)),
    }])
    .await;
    assert!(mails.is_empty(), "nobody hears of it: {mails:?}");
}

#[tokio::test]
async fn contradiction_note_appears_exactly_when_8_1_16_is_ne_and_a_child_list_fired_on_text() {
    let mails = poll_and_digest(&[
        // Nē, the foster-care list (child_focus) fires on the annotation: the note.
        PortalDraft {
            number: 2001,
            title: TITLE,
            annotation: Some(annotation_text(FOSTER_GOAL, CHILD_NO)),
        },
        // Jā: no note; the impact item is shown instead.
        PortalDraft {
            number: 2002,
            title: "Grozījumi Ministru kabineta 2018. gada 26. jūnija noteikumos Nr. 355",
            annotation: Some(annotation_text(FOSTER_GOAL, CHILD_YES)),
        },
        // Nē, but the list fired on the title only: no note.
        PortalDraft {
            number: 2003,
            title: "Grozījumi Audžuģimenes noteikumos",
            annotation: Some(annotation_text(NEUTRAL_GOAL, CHILD_NO)),
        },
        // No annotation at all: the title fires, no note, no impact line.
        PortalDraft {
            number: 2004,
            title: "Grozījumi Adopcijas noteikumos",
            annotation: None,
        },
    ])
    .await;
    let foster = mail_to(&mails, FOSTER).expect("digest");
    let text = &foster.text;
    // Items start with their number in the list ("1. Grozījumi ..."), at the line start.
    let starts: Vec<usize> = regex::Regex::new(r"(?m)^\d+\. ")
        .expect("regex")
        .find_iter(text)
        .map(|found| found.start())
        .chain([text.len()])
        .collect();
    let item = |number: u32| -> String {
        let id = format!("26-TA-{number}");
        starts
            .windows(2)
            .map(|pair| &text[pair[0]..pair[1]])
            .find(|item| item.contains(&id))
            .map(unwrapped)
            .unwrap_or_else(|| panic!("{id} listed: {text}"))
    };
    assert!(item(2001).contains(NOTE_3), "{}", item(2001));
    let yes = item(2002);
    assert!(!yes.contains("Pretruna"), "{yes}");
    assert!(
        yes.contains("Anotācijā norādīta ietekme: 8.1.16. uz bērna labākajām interesēm: Jā"),
        "{yes}"
    );
    let title_only = item(2003);
    assert!(!title_only.contains("Pretruna"), "{title_only}");
    assert!(!title_only.contains("Anotācijā"), "{title_only}");
    let no_annotation = item(2004);
    assert!(!no_annotation.contains("Pretruna"), "{no_annotation}");
    assert!(!no_annotation.contains("Anotācijā"), "{no_annotation}");
    assert_eq!(
        foster.text.matches("Pretruna:").count(),
        1,
        "{}",
        foster.text
    );
    assert_eq!(
        foster.html.matches(&html_note()).count(),
        1,
        "{}",
        foster.html
    );
}

/// The shipped watchlists, every one made to read the annotation (whatever it ships with).
fn shipped_reading_annotations(dir: &Path) -> WatchlistSet {
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(root().join("watchlists")).expect("watchlists folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let text = read(&path);
        let fields_line = text
            .lines()
            .find(|line| line.starts_with("fields = "))
            .unwrap_or_else(|| panic!("{} names its fields", path.display()));
        let edited = if fields_line.contains("\"annotation\"") {
            text.clone()
        } else {
            text.replacen(
                fields_line,
                &fields_line.replacen(']', ", \"annotation\"]", 1),
                1,
            )
        };
        let copy = dir.join(path.file_name().expect("file name"));
        std::fs::write(&copy, edited).expect("write copy");
        paths.push(copy);
    }
    paths.sort();
    assert_eq!(paths.len(), 7, "{paths:?}");
    WatchlistSet::load_files(&paths).expect("edited copies load")
}

#[test]
fn the_1173_annotation_fires_no_shipped_watchlist_reading_annotations() {
    let dir = support::temp_dir();
    let set = shipped_reading_annotations(dir.path());
    let annotation = Annotation::parse(&capture_1173(), &[]).expect("capture parses");
    let texts = annotation.texts();
    let input = MatchInput {
        title: "Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384",
        annotation: texts.annotation.as_deref(),
        impacts: &texts.impacts,
        ..MatchInput::default()
    };
    let verdicts = set.evaluate(&input);
    let fired: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.fired)
        .map(|v| v.watchlist.as_str())
        .collect();
    assert!(fired.is_empty(), "{fired:?}");
    let child: BTreeSet<&str> = set
        .watchlists()
        .filter(|w| w.child_focus)
        .map(|w| w.name.as_str())
        .collect();
    assert_eq!(child, BTreeSet::from(["arpusgimenes-aprupe", "berni"]));
    assert!(
        set.best_interests_contradiction(&verdicts, &texts.impacts)
            .is_none()
    );

    // The check can fail: the raw page text, form questions included, makes the child
    // lists fire on "8.1.16. uz bērna labākajām interesēm".
    let raw = capture_1173();
    let naive = set.evaluate(&MatchInput {
        annotation: Some(&raw),
        ..input
    });
    let naive_fired: Vec<&str> = naive
        .iter()
        .filter(|v| v.fired && v.hits.iter().any(|h| h.field == Field::Annotation))
        .map(|v| v.watchlist.as_str())
        .collect();
    assert!(naive_fired.contains(&"berni"), "{naive_fired:?}");
}

/// The foster-care digest's HTML part (the sentence with its marks, the `Jā` impact line,
/// the contradiction note) is self-contained and renders in headless Chromium. Run with
/// `DRAFTWATCH_SCREENSHOT=path/to/digest-texts.png` to keep the screenshot
/// (docs/digest-rendering.md).
#[tokio::test(flavor = "multi_thread")]
async fn digest_with_annotation_parts_renders_in_chromium() {
    let mails = poll_and_digest(&[
        PortalDraft {
            number: 2001,
            title: TITLE,
            annotation: Some(annotation_text(FOSTER_GOAL, CHILD_NO)),
        },
        PortalDraft {
            number: 2002,
            title: "Grozījumi Ministru kabineta 2018. gada 26. jūnija noteikumos Nr. 355",
            annotation: Some(annotation_text(FOSTER_GOAL, CHILD_YES)),
        },
    ])
    .await;
    let mail = mail_to(&mails, FOSTER).expect("digest");
    let lower = mail.html.to_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("src=\"http"));
    for part in [
        "Anotācijā:</span> «",
        "<mark>audžuģimenēs</mark>",
        "Anotācijā norādīta ietekme</td><td>8.1.16. uz bērna labākajām interesēm: Jā</td>",
        "<strong>Pretruna:</strong>",
    ] {
        assert!(mail.html.contains(part), "{part}: {}", mail.html);
    }
    let wide: Vec<&str> = mail
        .text
        .lines()
        .filter(|line| line.chars().count() > 80 && line.contains(' '))
        .collect();
    assert!(wide.is_empty(), "text part over 80 columns: {wide:?}");

    let work = support::temp_dir();
    let html_file = work.path().join("digest.html");
    std::fs::write(&html_file, &mail.html).expect("write html");
    if !Path::new(support::chromium::CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must render the digest: install Debian's chromium (see .ci/run)"
        );
        println!("skipped: chromium not installed");
        return;
    }
    let png = work.path().join("digest.png");
    support::chromium::screenshot(&html_file, &png, &work.path().join("profile"));
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(bytes.len() > 10 * 1024, "more than a blank page");
    if let Some(keep) = std::env::var_os("DRAFTWATCH_SCREENSHOT") {
        std::fs::copy(&png, &keep).expect("copy the screenshot");
        std::fs::write(Path::new(&keep).with_extension("txt"), &mail.text).expect("copy text");
    }
}
