//! The `tap_meetings` source against a local mock portal (127.0.0.1 only): agenda items into
//! drafts with their agenda milestone, only recent meetings read, final agendas not re-read,
//! unchanged ones answered "not modified", and bad input through the pipeline into a real
//! SQLite file.

mod cli_harness;
mod sources_common;

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::clock::Clock;
use draftwatch::config::MeetingsOptions;
use draftwatch::model::{CommentWindow, KnownDrafts, Meeting, Milestone, ScrapedDraft};
use draftwatch::pipeline::{PollSummary, poll_source};
use draftwatch::sources::fetch::Fetcher;
use draftwatch::sources::tap::TapMeetings;
use draftwatch::sources::{PollOutput, RequestCounts, Source, SourceError};
use draftwatch::store::SharedStore;
use sources_common::{assert_failed_and_stored_nothing, fetcher, fixture, html};
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{header, method, path, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The VSS meeting of 17.09.2026 (no protocol yet) and of 10.09.2026 (protocol Nr. 36).
const VSS_17_09: &str = "/meetings/state_secretaries/1a1eb862-5eaf-527c-a15d-e85146593e46";
const VSS_10_09: &str = "/meetings/state_secretaries/8e790dac-5ab4-5b02-9d84-cb7708eeac53";
/// The Cabinet meetings of 15.09.2026 and 10.09.2026 (neither has a protocol yet).
const CABINET_15_09: &str = "/meetings/cabinet_ministers/470933a7-f0c2-4835-a4cc-dd1c9c25fddb";
const CABINET_10_09: &str = "/meetings/cabinet_ministers/4d83073f-1814-47e7-8487-222fd7f24667";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d.%m.%Y.").unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn tap(name: &str) -> String {
    fixture(&format!("tap/{name}"))
}

async fn serve(server: &MockServer, at: &str, body: String) {
    Mock::given(method("GET"))
        .and(path(at))
        .and(query_param_is_missing("page"))
        .respond_with(html(body))
        .mount(server)
        .await;
}

/// Both lists, and the agendas of every meeting of the last `days_back` days.
async fn serve_portal(server: &MockServer) {
    serve(
        server,
        "/meetings/state_secretaries",
        tap("meetings_state_secretaries_list.html"),
    )
    .await;
    serve(
        server,
        "/meetings/cabinet_ministers",
        tap("meetings_cabinet_list.html"),
    )
    .await;
    for at in [VSS_17_09, VSS_10_09] {
        serve(server, at, tap("meetings_state_secretaries_agenda.html")).await;
    }
    for at in [CABINET_15_09, CABINET_10_09] {
        serve(server, at, tap("meetings_cabinet_agenda.html")).await;
    }
}

/// Read on 18.09.2026 with `days_back` days of past meetings.
fn source(server: &MockServer, days_back: u32) -> TapMeetings {
    TapMeetings::with_options(
        "tap_meetings",
        Url::parse(&server.uri()).unwrap(),
        MeetingsOptions {
            page_limit: 3,
            days_back,
            agenda_limit: 10,
        },
    )
    .with_clock(Clock::fixed(utc("2026-09-18T09:00:00Z")))
}

async fn poll(source: &TapMeetings) -> PollOutput {
    poll_with(source, &fetcher()).await
}

/// Poll with `fetcher`, whose memory of ETags lasts across polls as in the daemon.
async fn poll_with(source: &TapMeetings, fetcher: &Fetcher) -> PollOutput {
    source
        .poll(fetcher, &KnownDrafts::default(), &CancellationToken::new())
        .await
}

fn draft<'a>(output: &'a PollOutput, id: &str) -> &'a ScrapedDraft {
    output
        .drafts
        .iter()
        .find(|d| d.external_id == id)
        .unwrap_or_else(|| panic!("{id} not read: {:?}", output.drafts))
}

fn paths(requests: &[wiremock::Request]) -> Vec<String> {
    requests.iter().map(|r| r.url.path().to_owned()).collect()
}

/// A week back from 18.09.2026: the VSS meeting of 17.09 and the Cabinet meeting of 15.09;
/// each agenda item is a draft keyed by its TA number with the meeting as a milestone.
#[tokio::test]
async fn agenda_items_become_drafts_with_their_meeting_milestone() {
    let server = MockServer::start().await;
    serve_portal(&server).await;
    let output = poll(&source(&server, 7)).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(
        output.requests,
        RequestCounts {
            list: 2,
            detail: 2,
            recheck: 0
        }
    );
    let received = paths(&server.received_requests().await.unwrap());
    assert!(received.contains(&VSS_17_09.to_owned()), "{received:?}");
    assert!(received.contains(&CABINET_15_09.to_owned()), "{received:?}");
    assert_eq!(received.len(), 4, "{received:?}");

    // Announced at VSS although it never went through the participation source.
    let children = draft(&output, "26-TA-1985");
    assert_eq!(children.ta_number.as_deref(), Some("26-TA-1985"));
    assert_eq!(
        children.title,
        r#"Likumprojekts "Grozījumi Bērnu tiesību aizsardzības likumā""#
    );
    assert!(
        children
            .url
            .ends_with("/legal_acts/097301aa-d43b-5f4d-aa2d-0d51a822b4c6")
    );
    assert_eq!(
        children.window,
        Some(CommentWindow {
            from: day("25.08.2026."),
            to: day("08.09.2026.")
        })
    );
    assert_eq!(
        children.milestones,
        vec![Milestone::OnAgenda {
            meeting: Meeting::StateSecretaries,
            date: day("17.09.2026."),
            item: Some("2.".to_owned()),
            markers: Vec::new(),
            url: Some(format!("{}{VSS_17_09}", server.uri())),
        }]
    );
    let wind = draft(&output, "26-TA-1919");
    assert!(matches!(
        &wind.milestones[0],
        Milestone::OnAgenda { markers, .. } if markers == &["iekļauts papildus".to_owned()]
    ));
    let report = draft(&output, "26-TA-2254");
    assert!(report.restricted);
    assert!(matches!(
        &report.milestones[0],
        Milestone::OnAgenda { markers, .. } if markers == &["atlikt".to_owned()]
    ));

    // "To be decided on 15.09.2026."
    let decided = draft(&output, "26-TA-1173");
    assert_eq!(
        decided.milestones,
        vec![Milestone::OnAgenda {
            meeting: Meeting::Cabinet,
            date: day("15.09.2026."),
            item: Some("1.1".to_owned()),
            markers: Vec::new(),
            url: Some(format!("{}{CABINET_15_09}", server.uri())),
        }]
    );
}

/// The second poll: the agenda of the VSS meeting whose protocol is signed was read and is
/// not requested again; the others are, and an agenda answering "not modified" is not parsed
/// again. Two list requests per poll.
#[tokio::test]
async fn read_final_agendas_are_not_requested_and_unchanged_ones_not_reparsed() {
    let server = MockServer::start().await;
    // The VSS agenda of 17.09 carries an ETag; asked with it, the portal says "not modified".
    Mock::given(method("GET"))
        .and(path(VSS_17_09))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(VSS_17_09))
        .respond_with(
            html(tap("meetings_state_secretaries_agenda.html")).insert_header("ETag", "\"v1\""),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    serve_portal(&server).await;
    let source = source(&server, 9);
    let fetcher = fetcher();
    let first = poll_with(&source, &fetcher).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    assert_eq!(
        first.requests,
        RequestCounts {
            list: 2,
            detail: 4,
            recheck: 0
        }
    );
    assert!(first.drafts.iter().any(|d| d.external_id == "26-TA-1985"));

    let before = server.received_requests().await.unwrap().len();
    let second = poll_with(&source, &fetcher).await;
    assert!(second.error.is_none(), "{:?}", second.error);
    assert_eq!(
        second.requests,
        RequestCounts {
            list: 2,
            detail: 3,
            recheck: 0
        }
    );
    let received = paths(&server.received_requests().await.unwrap()[before..]);
    assert_eq!(received.len(), 5, "{received:?}");
    assert!(!received.contains(&VSS_10_09.to_owned()), "{received:?}");
    // The VSS items came only from the agenda that was not modified: not parsed again.
    assert!(
        second.drafts.iter().all(|d| d.external_id != "26-TA-1985"),
        "{:?}",
        second.drafts
    );
    assert!(second.drafts.iter().any(|d| d.external_id == "26-TA-1173"));
}

// ---------------------------------------------------------------- bad input, into a store

async fn poll_into_store(source: &TapMeetings, db: &std::path::Path) -> (PollSummary, SharedStore) {
    let store = SharedStore::open(db).unwrap();
    let summary = poll_source(
        source,
        &fetcher(),
        &store,
        &Clock::fixed(utc("2026-09-18T09:00:00Z")),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    (summary, store)
}

#[tokio::test]
async fn a_meetings_list_with_zero_rows_is_an_error_and_stores_nothing() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/meetings/state_secretaries",
        tap("meetings_zero_rows.html"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&source(&server, 7), &dir.path().join("db")).await;
    assert_failed_and_stored_nothing(&summary, &store, "zero_rows", "no rows");
}

#[tokio::test]
async fn a_firewall_page_instead_of_an_agenda_is_an_error_and_stores_nothing() {
    let server = MockServer::start().await;
    serve(&server, VSS_17_09, tap("firewall_rejected.html")).await;
    serve_portal(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&source(&server, 7), &dir.path().join("db")).await;
    assert_failed_and_stored_nothing(&summary, &store, "fetch", "Request Rejected");
}

/// An impossible date in an agenda's participation line refuses the agenda; nothing of it is
/// stored.
#[tokio::test]
async fn an_impossible_date_in_an_agenda_is_an_error_and_stores_nothing() {
    let server = MockServer::start().await;
    let agenda =
        tap("meetings_state_secretaries_agenda.html").replacen("08.09.2026.", "32.13.2026.", 1);
    serve(&server, VSS_17_09, agenda).await;
    serve_portal(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&source(&server, 7), &dir.path().join("db")).await;
    assert_failed_and_stored_nothing(&summary, &store, "markup", "32.13.2026.");
}

/// A meeting page that holds no agenda (new markup, or a page with none of the columns) is
/// markup trouble, never "no items".
#[tokio::test]
async fn an_agenda_page_without_items_is_a_markup_error() {
    let server = MockServer::start().await;
    serve(
        &server,
        VSS_17_09,
        "<html><body><main><h1>Valsts sekretāru 17.09.2026. sanāksme</h1></main></body></html>"
            .to_owned(),
    )
    .await;
    serve_portal(&server).await;
    let output = poll(&source(&server, 7)).await;
    assert!(
        matches!(output.error, Some(SourceError::Markup { .. })),
        "{:?}",
        output.error
    );
    assert!(output.drafts.is_empty());
}

#[test]
fn list_urls_follow_the_portal() {
    let source = TapMeetings::with_options(
        "m",
        Url::parse("https://tapportals.mk.gov.lv").unwrap(),
        MeetingsOptions {
            page_limit: 1,
            days_back: 1,
            agenda_limit: 1,
        },
    );
    assert_eq!(
        source
            .list_url(
                draftwatch::sources::tap::meetings::MeetingKind::CabinetMinisters,
                2
            )
            .as_str(),
        "https://tapportals.mk.gov.lv/meetings/cabinet_ministers?page=2"
    );
}

/// Regression: `build_source` gave `tap_meetings` the system clock, so `draftwatch poll
/// --now …` chose its recent meetings by the real date and read none of these.
#[tokio::test(flavor = "multi_thread")]
async fn poll_now_reaches_the_meetings_source() {
    let server = MockServer::start().await;
    serve_portal(&server).await;
    let setup = cli_harness::Setup::new(&server.uri(), cli_harness::FILE_MAIL, &["berni"]);
    let text = std::fs::read_to_string(&setup.config)
        .unwrap()
        .replace("kind = \"tap_participation\"", "kind = \"tap_meetings\"")
        .replace("page_limit = 1", "days_back = 7");
    std::fs::write(&setup.config, text).unwrap();
    let output = setup.run_at("2026-09-18T12:00:00+03:00", &["poll"]).await;
    let stdout = cli_harness::stdout(&output);
    assert!(output.status.success(), "{}", cli_harness::stderr(&output));
    assert!(stdout.contains("2 pages, 6 drafts seen, 6 new"), "{stdout}");
}
