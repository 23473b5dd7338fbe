//! The `tap_legal_acts` source against a local mock portal (127.0.0.1 only): list and detail
//! pages into drafts, the steady state's request count, and bad input through the pipeline
//! into a real SQLite file.

mod sources_common;

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::clock::Clock;
use draftwatch::model::{
    CommentWindow, KindedWindow, KnownDraft, KnownDrafts, Meeting, Milestone, RecheckCandidate,
    WindowKind,
};
use draftwatch::pipeline::{PollSummary, poll_source};
use draftwatch::sources::paging::PagedList;
use draftwatch::sources::tap::TapLegalActs;
use draftwatch::sources::tap::labels::LabelledPage;
use draftwatch::sources::tap::legal_act_detail::LegalActDetail;
use draftwatch::sources::tap::legal_acts::detail_of_page;
use draftwatch::sources::{PollOutput, RequestCounts, Source, SourceError};
use draftwatch::store::{DraftFilter, SharedStore};
use sources_common::{assert_failed_and_stored_nothing, fetcher, fixture, html};
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{method, path, path_regex, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer};

const DETAIL_PATH: &str = r"^/legal_acts/[0-9a-f-]{36}$";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d.%m.%Y.").unwrap()
}

fn coordination(from: &str, to: &str) -> KindedWindow {
    KindedWindow {
        kind: WindowKind::Coordination,
        window: CommentWindow {
            from: day(from),
            to: day(to),
        },
        submit_to: None,
    }
}

async fn serve_list(server: &MockServer, page: u32, body: String) {
    let mock = Mock::given(method("GET")).and(path("/legal_acts"));
    let mock = if page == 1 {
        mock.and(query_param_is_missing("page"))
    } else {
        mock.and(query_param("page", page.to_string()))
    };
    mock.respond_with(html(body)).mount(server).await;
}

async fn serve_details(server: &MockServer, body: String) {
    Mock::given(method("GET"))
        .and(path_regex(DETAIL_PATH))
        .respond_with(html(body))
        .mount(server)
        .await;
}

fn source(server: &MockServer, page_limit: u32, detail_limit: u32) -> TapLegalActs {
    TapLegalActs::with_limits(
        "tap_legal_acts",
        Url::parse(&server.uri()).unwrap(),
        page_limit,
        detail_limit,
    )
}

async fn poll(source: &TapLegalActs, known: &KnownDrafts) -> PollOutput {
    let fetcher = fetcher();
    source
        .poll(&fetcher, known, &CancellationToken::new())
        .await
}

fn detail_1173() -> String {
    fixture("tap_legal_acts/legal_act_detail_26-TA-1173.html")
}

#[test]
fn list_urls_are_newest_first_pages() {
    let source = TapLegalActs::with_limits(
        "tap_legal_acts",
        Url::parse("https://tapportals.mk.gov.lv").unwrap(),
        1,
        1,
    );
    assert_eq!(
        source.list_url(1).as_str(),
        "https://tapportals.mk.gov.lv/legal_acts"
    );
    assert_eq!(
        source.list_url(3).as_str(),
        "https://tapportals.mk.gov.lv/legal_acts?page=3"
    );
}

/// The real capture of 26-TA-1173 in the shared model: the coordination round as a window,
/// the participation round as the public window, six opinions (VEA late), the Cabinet meeting
/// that adopted it and the Vēstnesis publication.
#[test]
fn legal_act_detail_of_26_ta_1173_becomes_windows_opinions_and_milestones() {
    let page = LegalActDetail::from_html(&detail_1173()).unwrap();
    let detail = detail_of_page(page);
    assert_eq!(detail.policy_areas, vec!["Būvniecības politika".to_owned()]);
    assert_eq!(detail.stage.as_deref(), Some("Pieņemts"));
    assert_eq!(
        detail.windows,
        vec![coordination("24.07.2026.", "07.08.2026.")]
    );
    assert_eq!(
        detail.window,
        Some(CommentWindow {
            from: day("24.07.2026."),
            to: day("07.08.2026.")
        })
    );
    let opinions: Vec<(&str, bool)> = detail
        .opinions
        .iter()
        .map(|o| (o.submitter.as_str(), o.late))
        .collect();
    assert_eq!(
        opinions,
        vec![
            ("FM", false),
            ("KEM", false),
            ("LPS", false),
            ("TM", false),
            ("VEA", true),
            ("LTRK", false)
        ]
    );
    assert!(detail.opinions.iter().all(|o| o.legal_person
        && o.window_kind == WindowKind::Coordination
        && o.given_on.is_some()));
    assert_eq!(
        detail.milestones,
        vec![
            Milestone::OnAgenda {
                meeting: Meeting::Cabinet,
                date: day("15.09.2026."),
                item: None,
                markers: Vec::new(),
                url: None,
            },
            Milestone::Adopted {
                date: Some(day("15.09.2026."))
            },
            Milestone::Published {
                number: Some("2026/180.9".to_owned()),
                date: Some(day("18.09.2026.")),
                url: Some("https://vestnesis.lv/op/2026/180.9".to_owned()),
            },
        ]
    );
    assert_eq!(
        detail.annotation_urls.len(),
        1,
        "{:?}",
        detail.annotation_urls
    );
}

/// 25-TA-316 has several coordination rounds printed out of order: they are paired, then
/// sorted, never "the first pair printed".
#[test]
fn coordination_rounds_of_25_ta_316_are_windows_in_request_order() {
    let page =
        LegalActDetail::from_html(&fixture("tap_legal_acts/legal_act_detail_25-TA-316.html"))
            .unwrap();
    let detail = detail_of_page(page);
    assert!(detail.windows.len() > 1, "{:?}", detail.windows);
    assert!(
        detail
            .windows
            .windows(2)
            .all(|pair| pair[0].window.from <= pair[1].window.from),
        "{:?}",
        detail.windows
    );
    assert!(detail.windows.iter().all(|w| w.window.from <= w.window.to));
}

#[tokio::test]
async fn first_poll_reads_the_list_with_stage_deadline_and_restriction_and_new_drafts_details() {
    let server = MockServer::start().await;
    serve_list(&server, 1, fixture("tap/legal_acts_page1.html")).await;
    serve_details(&server, detail_1173()).await;
    let output = poll(&source(&server, 1, 2), &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 25);
    assert_eq!(
        output.requests,
        RequestCounts {
            list: 1,
            detail: 2,
            recheck: 0
        }
    );

    let by_id = |id: &str| {
        output
            .drafts
            .iter()
            .find(|d| d.external_id == id)
            .unwrap_or_else(|| panic!("{id} not read"))
    };
    let restricted = by_id("26-TA-2254");
    assert!(restricted.restricted);
    assert_eq!(restricted.ta_number.as_deref(), Some("26-TA-2254"));
    assert_eq!(restricted.stage.as_deref(), Some("Saskaņošana"));
    assert_eq!(
        restricted.windows,
        vec![coordination("15.09.2026.", "22.09.2026.")]
    );
    let submitted = by_id("26-TA-2284");
    assert!(!submitted.restricted);
    assert_eq!(submitted.stage.as_deref(), Some("Iesniegts"));
    assert_eq!(submitted.windows, Vec::new());
    assert!(
        submitted
            .url
            .ends_with("/legal_acts/8a0ddd26-faca-55ea-a170-026d2707776a")
    );
    // The first two rows got their detail page (the limit); the others wait.
    assert!(output.drafts[..2].iter().all(|d| d.detail.is_some()));
    assert!(output.drafts[2..].iter().all(|d| d.detail.is_none()));
}

fn known_page_one(server: &MockServer) -> KnownDrafts {
    let base = Url::parse(&server.uri()).unwrap();
    let page = draftwatch::sources::tap::legal_acts_list::parse_legal_acts_page(
        &fixture("tap/legal_acts_page1.html"),
        &base,
    )
    .unwrap();
    KnownDrafts {
        lookup: None,
        drafts: page
            .acts
            .into_iter()
            .map(|row| {
                (
                    row.ta_number,
                    KnownDraft {
                        url: row.url.to_string(),
                        needs_detail: false,
                    },
                )
            })
            .collect(),
        recheck: Vec::new(),
    }
}

/// Steady state with nothing new: one list request (page 1 holds only known drafts) plus the
/// recheck budget, counted on the output and by the portal.
#[tokio::test]
async fn steady_state_is_one_list_request_plus_the_recheck_budget() {
    let server = MockServer::start().await;
    serve_list(&server, 1, fixture("tap/legal_acts_page1.html")).await;
    serve_list(&server, 2, fixture("tap/legal_acts_last_page.html")).await;
    serve_details(&server, detail_1173()).await;
    let mut known = known_page_one(&server);
    for (id, uuid) in [
        ("26-TA-1173", "4a86980f-d4f7-4119-b75d-60fdf7a52d9c"),
        ("25-TA-316", "e3881f05-0522-45ab-8fd0-69856c87e8f7"),
        ("26-TA-1985", "097301aa-d43b-5f4d-aa2d-0d51a822b4c6"),
    ] {
        known.recheck.push(RecheckCandidate {
            external_id: id.to_owned(),
            url: format!("{}/legal_acts/{uuid}", server.uri()),
        });
    }
    let output = poll(&source(&server, 5, 10).with_recheck_limit(2), &known).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(
        output.requests,
        RequestCounts {
            list: 1,
            detail: 0,
            recheck: 2
        }
    );
    let received = server.received_requests().await.unwrap();
    let lists = received
        .iter()
        .filter(|r| r.url.path() == "/legal_acts")
        .count();
    assert!(lists <= 2, "{lists} list requests");
    assert_eq!(received.len(), 3, "{received:?}");
    assert_eq!(output.checks.len(), 2);
}

// ---------------------------------------------------------------- bad input, into a store

async fn poll_into_store(server: &MockServer, db: &Path) -> (PollSummary, SharedStore) {
    poll_into_store_at(server, db, "2026-09-18T09:00:00Z").await
}

async fn poll_into_store_at(
    server: &MockServer,
    db: &Path,
    at: &str,
) -> (PollSummary, SharedStore) {
    let store = SharedStore::open(db).unwrap();
    let fetcher = fetcher();
    let summary = poll_source(
        &source(server, 1, 5),
        &fetcher,
        &store,
        &Clock::fixed(utc(at)),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    (summary, store)
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_list_with_zero_rows_is_a_zero_rows_error_and_stores_nothing() {
    let server = MockServer::start().await;
    serve_list(&server, 1, fixture("tap/legal_acts_zero_rows.html")).await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&server, &dir.path().join("db.sqlite3")).await;
    assert_failed_and_stored_nothing(&summary, &store, "zero_rows", "no rows");
}

/// The zero-rows incident of the new source reaches the admin once: due at once, not again
/// after it was sent, although the next poll fails the same way.
#[tokio::test]
async fn a_zero_rows_incident_alerts_the_admin_once() {
    use draftwatch::alerts::{AlertKind, due_alerts};
    let server = MockServer::start().await;
    serve_list(&server, 1, fixture("tap/legal_acts_zero_rows.html")).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    let config = draftwatch::config::Config::from_toml(
        &format!(
            r#"
[store]
path = "{db}"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
[[sources]]
name = "tap_legal_acts"
kind = "tap_legal_acts"
base_url = "{base}"
schedule = "10 * * * *"
[mail]
from = "draftwatch <draftwatch@biedriba.lv>"
transport = "file"
[digest]
schedule = "0 8 * * *"
[admin]
addresses = ["admin@biedriba.lv"]
"#,
            db = db.display(),
            base = server.uri()
        ),
        None,
    )
    .expect("config loads");
    let (_, store) = poll_into_store(&server, &db).await;
    let now = utc("2026-09-18T09:05:00Z");
    let due = {
        let store = store.lock().unwrap();
        due_alerts(&store, &config, None, now).expect("due")
    };
    let kinds: Vec<AlertKind> = due.iter().map(|alert| alert.kind).collect();
    assert_eq!(kinds, [AlertKind::SourceZeroRows]);
    assert!(due[0].body.contains("tap_legal_acts"), "{}", due[0].body);
    store
        .lock()
        .unwrap()
        .record_alert(&due[0].key, "x", "y", now)
        .expect("record");
    drop(store);
    let (_, store) = poll_into_store_at(&server, &db, "2026-09-18T10:00:00Z").await;
    let store = store.lock().unwrap();
    let again = due_alerts(&store, &config, None, now + chrono::Duration::hours(2)).expect("due");
    assert!(
        again.is_empty(),
        "the same incident is not alerted twice: {:?}",
        again.iter().map(|a| (&a.kind, &a.key)).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_firewall_page_is_a_fetch_error_and_stores_nothing() {
    let server = MockServer::start().await;
    serve_list(&server, 1, fixture("tap/firewall_rejected.html")).await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&server, &dir.path().join("db.sqlite3")).await;
    assert_failed_and_stored_nothing(&summary, &store, "fetch", "Request Rejected");
}

/// An impossible deadline refuses the whole page: a stage or deadline read wrongly would be
/// reported wrongly.
#[tokio::test]
async fn an_impossible_date_refuses_the_page_and_stores_nothing() {
    let server = MockServer::start().await;
    let page = fixture("tap/legal_acts_page1.html").replacen("01.10.2026.", "32.13.2026.", 1);
    serve_list(&server, 1, page).await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&server, &dir.path().join("db.sqlite3")).await;
    assert_failed_and_stored_nothing(&summary, &store, "markup", "32.13.2026.");
}

/// A detail page with none of the labels: the list data is stored, the detail is recorded as
/// failed (retried later), nothing of the page is taken as the draft's detail.
#[tokio::test]
async fn a_detail_page_without_labels_is_a_detail_error_and_keeps_the_list_data() {
    let server = MockServer::start().await;
    serve_list(&server, 1, fixture("tap/legal_acts_restricted.html")).await;
    serve_details(
        &server,
        "<html><body><main><p>Lapa nav atrasta</p></main></body></html>".to_owned(),
    )
    .await;
    let output = poll(&source(&server, 1, 5), &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 3);
    for draft in &output.drafts {
        assert_eq!(draft.detail, None);
        let error = draft.detail_error.as_deref().unwrap_or_default();
        assert!(error.contains("none of the labels"), "{error}");
    }

    let dir = tempfile::tempdir().unwrap();
    let (summary, store) = poll_into_store(&server, &dir.path().join("db.sqlite3")).await;
    assert_eq!(summary.error, None, "{summary}");
    assert_eq!(summary.detail_failures, 3, "{summary}");
    let stored = store
        .lock()
        .unwrap()
        .list_drafts(&DraftFilter::default())
        .unwrap();
    assert_eq!(stored.len(), 3);
    let stored = store
        .lock()
        .unwrap()
        .find_drafts_by_display_id("26-TA-2254")
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].policy_areas, Vec::<String>::new());
    assert_eq!(stored[0].detail_fetched_at, None);
}

/// The adapter refuses a page that is not the list at all (e.g. the portal's start page).
#[tokio::test]
async fn a_page_that_is_not_the_list_is_a_markup_error() {
    let server = MockServer::start().await;
    serve_list(
        &server,
        1,
        "<html><body><main><h1>TAP portāls</h1></main></body></html>".to_owned(),
    )
    .await;
    let output = poll(&source(&server, 1, 5), &KnownDrafts::default()).await;
    assert!(
        matches!(output.error, Some(SourceError::Markup { .. })),
        "{:?}",
        output.error
    );
    assert!(output.drafts.is_empty());
}

// ---------------------------------------------------------------- followed drafts' stages

/// Record `draft_ids` as delivered to a coordinator, the way a sent digest does.
fn deliver(store: &SharedStore, draft_ids: &[i64]) {
    let at = utc("2026-09-18T10:00:00Z");
    let mut store = store.lock().unwrap();
    let id = store
        .record_outbox(&draftwatch::store::NewOutboxEntry {
            recipient: "koordinatore",
            scheduled_for: at,
            built_at: at,
            message_id: "<followed@draftwatch>",
            subject: "draftwatch",
            envelope_from: "draftwatch@example.lv",
            envelope_to: &["koordinatore@example.lv".to_owned()],
            raw_message: b"Subject: x\r\n\r\nx\r\n",
            draft_ids,
            reminders: &[],
        })
        .unwrap()
        .unwrap();
    store.mark_outbox_sent(id, at).unwrap();
}

fn draft_id(store: &SharedStore, ta_number: &str) -> i64 {
    let found = store
        .lock()
        .unwrap()
        .find_drafts_by_display_id(ta_number)
        .unwrap();
    assert_eq!(found.len(), 1, "{ta_number}: {found:?}");
    found[0].id
}

/// Paging stops at the first page of known drafts, so a followed draft deep in the list
/// whose stage moves (or whose coordination deadline is set) would never be seen: the
/// pipeline offers followed drafts whose stage is not final for a detail re-check, and
/// leaves adopted ones alone.
#[tokio::test]
async fn followed_legal_act_deep_in_the_list_is_rechecked_until_its_stage_is_final() {
    let server = MockServer::start().await;
    let serve = || async {
        serve_list(&server, 1, fixture("tap/legal_acts_page1.html")).await;
        serve_list(&server, 2, fixture("tap/legal_acts_last_page.html")).await;
        serve_details(&server, detail_1173()).await;
    };
    serve().await;
    let dir = tempfile::tempdir().unwrap();
    let store = SharedStore::open(&dir.path().join("draftwatch.sqlite3")).unwrap();
    let fetcher = fetcher();
    // The first poll reads both pages; details of new drafts are not read (limit 0), so the
    // drafts keep the stage the list gave them.
    let source =
        TapLegalActs::with_limits("tap_legal_acts", Url::parse(&server.uri()).unwrap(), 2, 0)
            .with_recheck_limit(5);
    let clock = Clock::fixed(utc("2026-09-18T09:00:00Z"));
    poll_source(&source, &fetcher, &store, &clock, &CancellationToken::new())
        .await
        .unwrap();
    // On page 2: 26-TA-1919 is "Izskatīts" and its coordination deadline (03.09.) has
    // passed, so only its stage can still move; 26-TA-1173 is "Pieņemts" (final).
    let reviewed = draft_id(&store, "26-TA-1919");
    let adopted = draft_id(&store, "26-TA-1173");
    deliver(&store, &[reviewed, adopted]);
    server.reset().await;
    serve().await;

    let summary = poll_source(&source, &fetcher, &store, &clock, &CancellationToken::new())
        .await
        .unwrap();
    assert!(summary.error.is_none(), "{summary:?}");
    let received = server.received_requests().await.unwrap();
    let paths: Vec<&str> = received.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/legal_acts",
            "/legal_acts/e67441a8-b03f-5854-8389-74d1e623cc71"
        ],
        "page 1 holds only known drafts; of the followed drafts deep in the list only the \
         one whose stage is not final is re-read"
    );
}
