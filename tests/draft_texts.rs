//! Draft texts wired into polls (#12 items 1 and 3): after a poll, the annotations of drafts
//! that are new or whose annotation link changed are read and stored, within the per-poll
//! budget; a failing document is recorded on the draft, never failing the poll, and retried
//! after a back-off; the ordinary draft queries do not load texts.
//!
//! The portal is wiremock on 127.0.0.1; the store is a real SQLite file in a temp folder. A
//! small source stands in for the TAP adapters: it returns drafts whose detail carries
//! annotation links, as the participation and legal-acts detail parsers do. The annotation
//! pages are the real captured texts of tests/fixtures/tap_annotation/ wrapped in the portal's
//! real page frame (tests/fixtures/tap/public_participation_page1.html), as tests/annotation.rs
//! does.

mod cli_harness;

use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use draftwatch::clock::Clock;
use draftwatch::config::{HttpConfig, TextsConfig};
use draftwatch::model::{DraftDetail, ImpactAnswer, KnownDrafts, ScrapedDraft};
use draftwatch::pipeline::{PollSummary, TextPhase, poll_source_with_texts};
use draftwatch::sources::{BoxFuture, Fetcher, PollOutput, Source};
use draftwatch::store::{DraftEventKind, DraftFilter, SharedStore, Store, TextLinks, TextsState};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SOURCE: &str = "tap_participation";
const ANNOTATION_1634: &str = "tap_annotation_26-TA-1634_text_with_ja.json";
const ANNOTATION_1173: &str = "tap_annotation_26-TA-1173_text_2026-09-18.json";

/// A source that returns the drafts it is given, as a TAP adapter returns parsed pages.
struct ScriptedSource {
    drafts: Mutex<Vec<ScrapedDraft>>,
}

impl ScriptedSource {
    fn new(drafts: Vec<ScrapedDraft>) -> Self {
        ScriptedSource {
            drafts: Mutex::new(drafts),
        }
    }

    fn set(&self, drafts: Vec<ScrapedDraft>) {
        *self.drafts.lock().unwrap() = drafts;
    }
}

impl Source for ScriptedSource {
    fn name(&self) -> &str {
        SOURCE
    }

    fn poll<'a>(
        &'a self,
        _fetcher: &'a Fetcher,
        _known: &'a KnownDrafts,
        _cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        let drafts = self.drafts.lock().unwrap().clone();
        Box::pin(async move {
            PollOutput {
                drafts,
                ..PollOutput::default()
            }
        })
    }
}

#[derive(Deserialize)]
struct Capture {
    text: String,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The captured annotation text in the portal's page frame (as tests/annotation.rs builds it).
fn annotation_page(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let capture: Capture = serde_json::from_str(&read(
        &root.join("tests/fixtures/tap_annotation").join(name),
    ))
    .unwrap();
    let page = read(&root.join("tests/fixtures/tap/public_participation_page1.html"));
    let main_start = page.find("<main").unwrap();
    let menu_end = page.find("<div class=\"flash-messages\"").unwrap();
    let footer = page.find("</main>").unwrap();
    let menu_text = "Tiesību aktu projekti Sēdēs neskatāmie ziņojumi Sabiedrības līdzdalība Sēdes Ministru kabineta sēdes Ministru kabineta komitejas sēdes Valsts sekretāru sanāksmes Ministrijām dotie uzdevumi Deklasificētie dokumenti Pieteikties jaunumiem Pieteikt TAP slēgtās vides kontu Atvērtie dati Video palīgs ";
    let body = capture
        .text
        .strip_prefix(menu_text)
        .unwrap_or(&capture.text);
    format!(
        "{}{}<div class=\"content\"><div>{}</div></div>{}",
        &page[..main_start],
        &page[main_start..menu_end],
        html_escape::encode_text(body),
        &page[footer..],
    )
}

fn fetcher() -> Fetcher {
    Fetcher::new(&HttpConfig {
        user_agent: "draftwatch-test/0.1 (+mailto:admin@example.org)".to_owned(),
        timeout: Duration::from_secs(10),
        min_interval: Duration::from_millis(1),
        max_response_bytes: 4 * 1024 * 1024,
        retries: 0,
        retry_base_delay: Duration::from_millis(5),
        respect_robots_txt: false,
    })
    .unwrap()
}

fn phase(budget: u32) -> TextPhase {
    TextPhase::new(
        &TextsConfig {
            budget_per_poll: budget,
            max_download_bytes: 1024 * 1024,
            max_unpacked_bytes: 1024 * 1024,
            ..TextsConfig::default()
        },
        Duration::from_secs(60),
    )
}

/// A draft as the detail parsers give it: its annotation link on the detail.
fn draft(server: &MockServer, number: u32, annotation_route: Option<&str>) -> ScrapedDraft {
    ScrapedDraft {
        external_id: format!("uuid-{number}"),
        ta_number: Some(format!("26-TA-{number}")),
        title: format!("Noteikumu projekts {number}"),
        url: format!(
            "{}/public_participation/public_discussions/{number}",
            server.uri()
        ),
        detail: Some(DraftDetail {
            annotation_urls: annotation_route
                .map(|route| vec![format!("{}{route}", server.uri())])
                .into_iter()
                .flatten()
                .collect(),
            ..DraftDetail::default()
        }),
        ..ScrapedDraft::default()
    }
}

async fn serve(server: &MockServer, route: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn serve_annotation(server: &MockServer, route: &str, capture: &str) {
    serve(
        server,
        route,
        ResponseTemplate::new(200).set_body_raw(annotation_page(capture), "text/html"),
    )
    .await;
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: SharedStore,
    fetcher: Fetcher,
    server: MockServer,
}

impl Fixture {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SharedStore::open(&dir.path().join("draftwatch.sqlite3")).unwrap();
        Fixture {
            _dir: dir,
            store,
            fetcher: fetcher(),
            server: MockServer::start().await,
        }
    }

    async fn poll_at(
        &self,
        source: &ScriptedSource,
        at: DateTime<Utc>,
        budget: u32,
    ) -> PollSummary {
        poll_source_with_texts(
            source,
            &self.fetcher,
            &self.store,
            &Clock::fixed(at),
            &CancellationToken::new(),
            &phase(budget),
        )
        .await
        .unwrap()
    }

    fn draft_id(&self, ta_number: &str) -> i64 {
        let store = self.store.lock().unwrap();
        let found = store.find_drafts_by_display_id(ta_number).unwrap();
        assert_eq!(found.len(), 1, "{ta_number}");
        found[0].id
    }

    fn events(&self, draft_id: i64, kind: &DraftEventKind) -> Vec<serde_json::Value> {
        let store = self.store.lock().unwrap();
        store
            .draft_history(draft_id)
            .unwrap()
            .into_iter()
            .filter(|event| &event.kind == kind)
            .map(|event| event.payload)
            .collect()
    }

    fn texts(&self, draft_id: i64) -> TextsState {
        let found = self.store.lock().unwrap().texts_of(&[draft_id]).unwrap();
        found.get(&draft_id).cloned().unwrap()
    }

    async fn annotation_requests(&self, route: &str) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|request| request.url.path() == route)
            .count()
    }
}

/// Whether `at` is `expected` plus the little real time a fixed clock lets pass in a test.
fn about(at: Option<DateTime<Utc>>, expected: DateTime<Utc>) -> bool {
    at.is_some_and(|at| at >= expected && at - expected < TimeDelta::minutes(1))
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-09-20T06:00:00Z")
        .unwrap()
        .to_utc()
}

#[tokio::test]
async fn a_new_draft_with_an_annotation_link_gets_its_texts_after_one_poll() {
    let fx = Fixture::new().await;
    serve_annotation(&fx.server, "/annotation/a-1634", ANNOTATION_1634).await;
    let source = ScriptedSource::new(vec![draft(&fx.server, 1634, Some("/annotation/a-1634"))]);

    let summary = fx.poll_at(&source, start(), 5).await;
    assert!(summary.error.is_none(), "{summary}");
    assert_eq!(
        (summary.texts.read, summary.texts.failed),
        (1, 0),
        "{summary}"
    );

    let id = fx.draft_id("26-TA-1634");
    let state = fx.texts(id);
    assert!(state.failures.is_empty(), "{:?}", state.failures);
    assert!(about(state.fetched_at, start()), "{:?}", state.fetched_at);
    let annotation = state.texts.annotation.as_deref().unwrap();
    assert!(
        !annotation.contains("Vai projekts skar šo jomu?"),
        "form labels are not text"
    );
    assert_eq!(state.texts.impacts.len(), 16);
    let yes: Vec<&str> = state
        .texts
        .impacts
        .iter()
        .filter(|item| item.answer == ImpactAnswer::Yes)
        .map(|item| item.number.as_str())
        .collect();
    assert_eq!(yes, ["8.1.1", "8.1.11", "8.1.16"]);
    let child = state
        .texts
        .impacts
        .iter()
        .find(|i| i.number == "8.1.16")
        .unwrap();
    assert!(child.explanation.is_some(), "a Jā carries its explanation");

    let events = fx.events(id, &DraftEventKind::AnnotationChanged);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["first_version"], true);
    assert_eq!(
        events[0]["impacts_yes"],
        serde_json::json!(["8.1.1", "8.1.11", "8.1.16"])
    );

    // A second poll with the same link reads nothing again.
    let again = fx.poll_at(&source, start() + TimeDelta::hours(1), 5).await;
    assert_eq!(again.texts.read, 0, "{again}");
    assert_eq!(fx.annotation_requests("/annotation/a-1634").await, 1);
}

#[tokio::test]
async fn a_changed_annotation_link_stores_a_new_version_with_a_history_event() {
    let fx = Fixture::new().await;
    serve_annotation(&fx.server, "/annotation/first", ANNOTATION_1173).await;
    serve_annotation(&fx.server, "/annotation/second", ANNOTATION_1634).await;
    let source = ScriptedSource::new(vec![draft(&fx.server, 1173, Some("/annotation/first"))]);
    fx.poll_at(&source, start(), 5).await;
    let id = fx.draft_id("26-TA-1173");
    let first = fx.texts(id);
    assert!(
        first
            .texts
            .impacts
            .iter()
            .all(|i| i.answer == ImpactAnswer::No),
        "26-TA-1173 answers Nē everywhere"
    );

    source.set(vec![draft(&fx.server, 1173, Some("/annotation/second"))]);
    let summary = fx.poll_at(&source, start() + TimeDelta::hours(1), 5).await;
    assert_eq!(summary.texts.read, 1, "{summary}");

    let second = fx.texts(id);
    assert_ne!(
        second.texts.annotation, first.texts.annotation,
        "the new version replaced it"
    );
    assert!(
        second
            .texts
            .impacts
            .iter()
            .any(|i| i.answer == ImpactAnswer::Yes)
    );
    let events = fx.events(id, &DraftEventKind::AnnotationChanged);
    assert_eq!(events.len(), 2, "{events:?}");
    // Verdicts on the old text are stale: the draft's last change is the new version's.
    let changed = fx
        .store
        .lock()
        .unwrap()
        .get_draft(id)
        .unwrap()
        .unwrap()
        .last_changed;
    assert!(
        about(Some(changed), start() + TimeDelta::hours(1)),
        "{changed}"
    );
    assert_eq!(events[1]["first_version"], false);
    assert!(
        events[1]["url"]
            .as_str()
            .unwrap()
            .ends_with("/annotation/second")
    );
    assert!(
        events[1]["previous_url"]
            .as_str()
            .unwrap()
            .ends_with("/annotation/first")
    );
}

/// A ZIP whose one Word part inflates to 4 MiB, over the 1 MiB unpack limit.
fn zip_bomb() -> Vec<u8> {
    let paragraph = "<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>";
    let mut xml = String::from("<w:document xmlns:w=\"w\"><w:body>");
    while xml.len() < 4 * 1024 * 1024 {
        xml.push_str(paragraph);
    }
    xml.push_str("</w:body></w:document>");
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn failing_documents_are_recorded_on_the_draft_the_poll_completes_and_they_are_retried() {
    let fx = Fixture::new().await;
    serve(&fx.server, "/annotation/broken", ResponseTemplate::new(500)).await;
    serve(
        &fx.server,
        "/annotation/firewalled",
        ResponseTemplate::new(200).set_body_raw(
            "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected.</body></html>",
            "text/html",
        ),
    )
    .await;
    serve_annotation(&fx.server, "/annotation/fine", ANNOTATION_1634).await;
    serve(
        &fx.server,
        "/attachments/bomb/download",
        ResponseTemplate::new(200).set_body_raw(zip_bomb(), "application/octet-stream"),
    )
    .await;
    let source = ScriptedSource::new(vec![
        draft(&fx.server, 1, Some("/annotation/broken")),
        draft(&fx.server, 2, Some("/annotation/firewalled")),
        draft(&fx.server, 3, Some("/annotation/fine")),
    ]);
    // Record the drafts first, then give draft 3 a zip bomb attachment beside its annotation
    // (detail pages give annotation links only; other finders hand links over this way).
    fx.poll_at(&source, start(), 0).await;
    let bomb = format!("{}/attachments/bomb/download", fx.server.uri());
    fx.store
        .lock()
        .unwrap()
        .record_text_links(
            SOURCE,
            "uuid-3",
            &TextLinks {
                annotation: Some(format!("{}/annotation/fine", fx.server.uri())),
                preview: None,
                attachments: vec![bomb.clone()],
            },
            start(),
        )
        .unwrap();
    // Known drafts come without their detail on later polls, so the links stay as recorded.
    let mut known = draft(&fx.server, 3, None);
    known.detail = None;
    source.set(vec![
        draft(&fx.server, 1, Some("/annotation/broken")),
        draft(&fx.server, 2, Some("/annotation/firewalled")),
        known,
    ]);

    let summary = fx
        .poll_at(&source, start() + TimeDelta::minutes(1), 5)
        .await;
    assert!(summary.error.is_none(), "the poll completes: {summary}");
    assert_eq!(
        (summary.texts.read, summary.texts.failed),
        (3, 3),
        "{summary}"
    );

    let ids = [
        fx.draft_id("26-TA-1"),
        fx.draft_id("26-TA-2"),
        fx.draft_id("26-TA-3"),
    ];
    let states = fx.store.lock().unwrap().texts_of(&ids).unwrap();
    let failure = |id: i64| states[&id].failures.clone();
    assert_eq!(failure(ids[0]).len(), 1);
    assert!(
        failure(ids[0])[0].error.contains("500"),
        "{:?}",
        failure(ids[0])
    );
    assert!(
        failure(ids[1])[0].error.contains("firewall"),
        "{:?}",
        failure(ids[1])
    );
    assert_eq!(failure(ids[2]).len(), 1, "{:?}", failure(ids[2]));
    assert_eq!(failure(ids[2])[0].url, bomb);
    assert!(
        failure(ids[2])[0].error.contains("zip bomb"),
        "{:?}",
        failure(ids[2])
    );
    // The annotation beside the bomb was read all the same.
    assert_eq!(states[&ids[2]].texts.impacts.len(), 16);
    assert!(states[&ids[2]].texts.document.is_none());
    let retry = states[&ids[0]].retry_after;
    assert!(
        about(retry, start() + TimeDelta::minutes(1) + TimeDelta::hours(1)),
        "{retry:?}"
    );

    // Before the back-off passes, nothing is tried again.
    let early = fx
        .poll_at(&source, start() + TimeDelta::minutes(30), 5)
        .await;
    assert_eq!(early.texts.read, 0, "{early}");
    assert_eq!(fx.annotation_requests("/annotation/broken").await, 1);

    // After it, the failed drafts are retried within the budget (2 of the 3).
    let later = fx.poll_at(&source, start() + TimeDelta::hours(2), 2).await;
    assert_eq!(later.texts.read, 2, "{later}");
    assert_eq!(fx.annotation_requests("/annotation/broken").await, 2);
    assert_eq!(fx.annotation_requests("/annotation/firewalled").await, 2);
    let states = fx.store.lock().unwrap().texts_of(&ids).unwrap();
    // A second failure waits twice as long.
    let retry = states[&ids[0]].retry_after;
    assert!(about(retry, start() + TimeDelta::hours(4)), "{retry:?}");
}

#[tokio::test]
async fn the_budget_limits_how_many_drafts_are_read_per_poll_oldest_first() {
    let fx = Fixture::new().await;
    serve_annotation(&fx.server, "/annotation/shared", ANNOTATION_1173).await;
    let drafts: Vec<ScrapedDraft> = (1..=5)
        .map(|n| draft(&fx.server, n, Some("/annotation/shared")))
        .collect();
    let source = ScriptedSource::new(drafts);
    let reads: Vec<usize> = {
        let mut reads = Vec::new();
        for hour in 0..4 {
            let summary = fx
                .poll_at(&source, start() + TimeDelta::hours(hour), 2)
                .await;
            reads.push(summary.texts.read);
        }
        reads
    };
    assert_eq!(reads, [2, 2, 1, 0]);
    assert_eq!(fx.annotation_requests("/annotation/shared").await, 5);
    let ids: Vec<i64> = (1..=5)
        .map(|n| fx.draft_id(&format!("26-TA-{n}")))
        .collect();
    let states = fx.store.lock().unwrap().texts_of(&ids).unwrap();
    for (id, hour) in ids.iter().zip([0, 0, 1, 1, 2]) {
        let read_at = states[id].fetched_at;
        assert!(
            about(read_at, start() + TimeDelta::hours(hour)),
            "{read_at:?}"
        );
    }
}

#[tokio::test]
async fn texts_are_not_loaded_by_list_drafts_only_by_load_texts() {
    let fx = Fixture::new().await;
    serve_annotation(&fx.server, "/annotation/a-1634", ANNOTATION_1634).await;
    let source = ScriptedSource::new(vec![
        draft(&fx.server, 1634, Some("/annotation/a-1634")),
        draft(&fx.server, 7, None),
    ]);
    fx.poll_at(&source, start(), 5).await;
    let store = fx.store.lock().unwrap();
    let mut drafts = store.list_drafts(&DraftFilter::default()).unwrap();
    assert_eq!(drafts.len(), 2);
    assert!(
        drafts.iter().all(|d| d.texts == Default::default()),
        "not loaded"
    );
    store.load_texts(&mut drafts).unwrap();
    let with_texts = drafts
        .iter()
        .find(|d| d.display_id() == "26-TA-1634")
        .unwrap();
    assert_eq!(with_texts.texts.impacts.len(), 16);
    assert!(with_texts.texts.annotation.is_some());
    let without = drafts.iter().find(|d| d.display_id() == "26-TA-7").unwrap();
    assert_eq!(without.texts, Default::default());
}

#[tokio::test]
async fn restricted_drafts_are_not_read_and_a_zero_budget_reads_nothing() {
    let fx = Fixture::new().await;
    serve_annotation(&fx.server, "/annotation/a-1634", ANNOTATION_1634).await;
    let mut restricted = draft(&fx.server, 9, Some("/annotation/a-1634"));
    restricted.restricted = true;
    let source = ScriptedSource::new(vec![
        restricted,
        draft(&fx.server, 1634, Some("/annotation/a-1634")),
    ]);
    let off = fx.poll_at(&source, start(), 0).await;
    assert_eq!(off.texts.read, 0);
    let on = fx.poll_at(&source, start() + TimeDelta::hours(1), 5).await;
    assert_eq!(on.texts.read, 1, "only the public draft: {on}");
    let id = fx.draft_id("26-TA-9");
    assert!(
        fx.store.lock().unwrap().texts_of(&[id]).unwrap()[&id]
            .fetched_at
            .is_none()
    );
}

#[test]
fn texts_survive_reopening_the_store() {
    // The store API alone: a reading recorded is read back after the file is reopened.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draftwatch.sqlite3");
    let mut store = Store::open(&file).unwrap();
    let poll = draftwatch::store::PollRecord {
        source: SOURCE,
        started: start(),
        finished: start(),
        error: None,
    };
    let scraped = ScrapedDraft {
        external_id: "uuid-1".into(),
        ta_number: Some("26-TA-1".into()),
        title: "Projekts".into(),
        url: "https://tapportals.mk.gov.lv/x".into(),
        detail: Some(DraftDetail {
            annotation_urls: vec!["https://tapportals.mk.gov.lv/annotation/a".into()],
            ..DraftDetail::default()
        }),
        ..ScrapedDraft::default()
    };
    store.record_poll(&poll, &[scraped]).unwrap();
    let wanted = store.drafts_needing_texts(SOURCE, start(), 5).unwrap();
    assert_eq!(wanted.len(), 1);
    let read = draftwatch::store::TextsRead {
        links: wanted[0].links.clone(),
        annotation: Some((Some("Bērnu tiesības".into()), Vec::new())),
        ..Default::default()
    };
    store
        .record_texts(wanted[0].draft_id, &read, None, start())
        .unwrap();
    drop(store);
    let store = Store::open(&file).unwrap();
    assert!(
        store
            .drafts_needing_texts(SOURCE, start(), 5)
            .unwrap()
            .is_empty()
    );
    let state = &store.texts_of(&[wanted[0].draft_id]).unwrap()[&wanted[0].draft_id];
    assert_eq!(state.texts.annotation.as_deref(), Some("Bērnu tiesības"));
}

/// A store with one draft whose annotation was read (26-TA-1634, three `Jā` items) and one
/// whose annotation failed, as the binary's folder holds it.
async fn binary_setup_with_texts() -> cli_harness::Setup {
    let setup = cli_harness::Setup::new("http://127.0.0.1:9/", cli_harness::FILE_MAIL, &["berni"]);
    let fx = Fixture {
        _dir: tempfile::tempdir().unwrap(),
        store: SharedStore::open(&setup.store_path()).unwrap(),
        fetcher: fetcher(),
        server: MockServer::start().await,
    };
    serve_annotation(&fx.server, "/annotation/a-1634", ANNOTATION_1634).await;
    serve(&fx.server, "/annotation/broken", ResponseTemplate::new(500)).await;
    let source = ScriptedSource::new(vec![
        draft(&fx.server, 1634, Some("/annotation/a-1634")),
        draft(&fx.server, 2, Some("/annotation/broken")),
    ]);
    fx.poll_at(&source, start(), 5).await;
    setup
}

#[tokio::test]
async fn drafts_json_carries_texts_only_with_the_texts_flag() {
    let setup = binary_setup_with_texts().await;
    let plain = setup.run(&["drafts", "--json"]).await;
    assert!(plain.status.success(), "{}", cli_harness::stderr(&plain));
    let lines: Vec<serde_json::Value> = cli_harness::stdout(&plain)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.get("texts").is_none()));

    let with = setup.run(&["drafts", "--json", "--texts"]).await;
    assert!(with.status.success(), "{}", cli_harness::stderr(&with));
    let lines: Vec<serde_json::Value> = cli_harness::stdout(&with)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let read = lines.iter().find(|l| l["id"] == "26-TA-1634").unwrap();
    assert_eq!(read["texts"]["impacts"].as_array().unwrap().len(), 16);
    assert!(read["texts"]["annotation"].is_string());
    let failed = lines.iter().find(|l| l["id"] == "26-TA-2").unwrap();
    assert!(failed["texts"]["annotation"].is_null());
}

#[tokio::test]
async fn explain_shows_the_texts_the_yes_impacts_and_the_failures() {
    let setup = binary_setup_with_texts().await;
    let read = setup.run(&["explain", "26-TA-1634"]).await;
    assert!(read.status.success(), "{}", cli_harness::stderr(&read));
    let out = cli_harness::stdout(&read);
    assert!(out.contains("Texts:    read "), "{out}");
    assert!(
        out.contains("impacts answered Jā: 8.1.1. ")
            && out.contains("8.1.16. uz bērna labākajām interesēm"),
        "{out}"
    );
    assert!(out.contains("annotation read "), "the history event: {out}");
    let failed = setup.run(&["explain", "26-TA-2"]).await;
    let out = cli_harness::stdout(&failed);
    assert!(out.contains("failed: http://127.0.0.1:"), "{out}");
    assert!(
        out.contains("/annotation/broken (") && out.contains("500"),
        "{out}"
    );
    assert!(out.contains("tried again after "), "{out}");
}
