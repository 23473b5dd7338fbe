//! TAP public-participation adapter: parsers against fixtures, and polls against a local
//! mock portal (127.0.0.1 only).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use draftwatch::clock::Clock;
use draftwatch::config::{HttpConfig, Language};
use draftwatch::digest::{ChangeNote, WindowState, change_notes, days_left_phrase};
use draftwatch::model::{CommentWindow, DraftDetail, KnownDraft, KnownDrafts, ScrapedDraft};
use draftwatch::pipeline::{PollSummary, poll_source};
use draftwatch::sources::fetch::{FetchError, Fetcher};
use draftwatch::sources::tap::{
    ParseError, TapParticipation, parse_detail_page, parse_list_page, parse_window,
};
use draftwatch::sources::{PollOutput, Source, SourceError, SourceWarning};
use draftwatch::store::{DraftField, NewOutboxEntry, PollRecord, SharedStore, Store};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{method, path, path_regex, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PORTAL: &str = "https://tapportals.mk.gov.lv/public_participation";
const DETAIL_PATH: &str = r"^/public_participation/[0-9a-f-]{36}$";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tap")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn portal() -> Url {
    Url::parse(PORTAL).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d.%m.%Y.").unwrap()
}

fn window(from: &str, to: &str) -> Option<CommentWindow> {
    Some(CommentWindow {
        from: day(from),
        to: day(to),
    })
}

/// One line of the expectations derived from the real capture.
#[derive(Debug, Deserialize)]
struct ExpectedRow {
    identificator: String,
    title: String,
    participation_kind: String,
    from: String,
    to: String,
    ministry: String,
    url: String,
}

fn expected_rows(jsonl: &str) -> Vec<ExpectedRow> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn assert_page_matches_expectations(html: &str, jsonl: &str) {
    let page = parse_list_page(html, &portal()).unwrap();
    let expected = expected_rows(jsonl);
    assert_eq!(expected.len(), 25);
    assert_eq!(page.drafts.len(), expected.len());
    assert_eq!(page.malformed_rows, Vec::<String>::new());
    for (draft, want) in page.drafts.iter().zip(&expected) {
        assert_eq!(
            draft.ta_number.as_deref(),
            Some(want.identificator.as_str())
        );
        assert_eq!(draft.title, want.title);
        assert_eq!(
            draft.kind.as_deref(),
            Some(want.participation_kind.as_str())
        );
        assert_eq!(draft.ministry.as_deref(), Some(want.ministry.as_str()));
        assert_eq!(draft.url, want.url);
        assert_eq!(
            draft.window,
            window(&want.from, &want.to),
            "{}",
            want.identificator
        );
        assert!(want.url.ends_with(&draft.external_id));
        assert_eq!(draft.external_id.len(), 36, "a UUID: {}", draft.external_id);
        assert_eq!(draft.detail, None);
    }
}

// ---------------------------------------------------------------- list parser

#[test]
fn real_page_one_parses_to_the_expected_25_rows() {
    assert_page_matches_expectations(
        &fixture("public_participation_page1.html"),
        &fixture("public_participation_page1_rows.jsonl"),
    );
}

#[test]
fn real_page_one_tells_total_pages_and_version() {
    let page = parse_list_page(&fixture("public_participation_page1.html"), &portal()).unwrap();
    assert_eq!(page.total, Some(3082));
    assert_eq!(page.current_page, Some(1));
    assert_eq!(page.last_page, Some(124));
    assert_eq!(page.app_version.as_deref(), Some("bc230"));
    let first = &page.drafts[0];
    assert_eq!(first.external_id, "068eb73d-d89d-42ff-93c9-13421c4f9b09");
    assert_eq!(
        first.title,
        "Likumprojekts \"Grozījumi likumā \"Par audzinoša rakstura piespiedu līdzekļu piemērošanu bērniem\"\""
    );
}

#[test]
fn middle_and_last_pages_report_their_position() {
    let middle = parse_list_page(&fixture("public_participation_page2.html"), &portal()).unwrap();
    assert_eq!(
        (middle.current_page, middle.last_page),
        (Some(2), Some(124))
    );
    assert_eq!(middle.drafts.len(), 4);
    let last = parse_list_page(&fixture("public_participation_last_page.html"), &portal()).unwrap();
    assert_eq!((last.current_page, last.last_page), (Some(124), Some(124)));
    assert_eq!(last.drafts.len(), 7);
    assert_eq!(last.drafts[0].ta_number.as_deref(), Some("21-TA-101"));
}

#[test]
fn zero_row_page_parses_to_no_rows() {
    let page = parse_list_page(&fixture("public_participation_zero_rows.html"), &portal()).unwrap();
    assert!(page.drafts.is_empty());
    assert_eq!(page.total, Some(0));
}

#[test]
fn a_page_that_is_not_a_list_is_an_error() {
    assert_eq!(
        parse_list_page(&fixture("firewall_rejected.html"), &portal()),
        Err(ParseError::NotAList)
    );
    assert_eq!(parse_list_page("", &portal()), Err(ParseError::NotAList));
}

#[test]
fn edge_case_rows() {
    let page =
        parse_list_page(&fixture("public_participation_edge_cases.html"), &portal()).unwrap();
    assert_eq!(
        page.malformed_rows.len(),
        2,
        "the row without data-url and the one without title: {:?}",
        page.malformed_rows
    );
    assert_eq!(page.last_page, None, "no paginator: a single page");
    let by_id: HashMap<&str, _> = page
        .drafts
        .iter()
        .map(|d| (d.external_id.as_str(), d))
        .collect();
    assert_eq!(by_id.len(), 5);

    let html_title = by_id["e0000000-0000-4000-8000-000000000001"];
    assert_eq!(
        html_title.title,
        "Noteikumu projekts \"Par <b>bērnu</b> tiesību aizsardzību\" – „Ģimenes atbalsts” un “audžuģimenes”"
    );

    let malformed = by_id["e0000000-0000-4000-8000-000000000002"];
    assert_eq!(malformed.window, None, "unreadable Termiņš: no window…");
    assert_eq!(
        malformed.unreadable_deadline.as_deref(),
        Some("līdz 15.09.2026."),
        "…but the text is kept, so it is not mistaken for no consultation…"
    );
    assert_eq!(
        malformed.title, "Grozījumi Izglītības likumā",
        "…but the row is kept"
    );

    let new_year = by_id["e0000000-0000-4000-8000-000000000003"];
    assert_eq!(new_year.window, window("29.12.2026.", "12.01.2027."));
    let new_year_window = new_year.window.unwrap();
    assert!(new_year_window.contains(day("01.01.2027.")));
    assert_eq!(new_year_window.days_left(day("31.12.2026.")), 12);

    let discussion = by_id["e0000000-0000-4000-8000-000000000004"];
    assert_eq!(discussion.ta_number.as_deref(), Some("VSS-1153"));
    assert_eq!(discussion.kind.as_deref(), Some("Apspriede"));
    assert_eq!(
        discussion.window,
        window("07.09.2026.", "21.09.2026."),
        "whitespace inside the cell is collapsed"
    );

    let no_id = by_id["e0000000-0000-4000-8000-000000000007"];
    assert_eq!(no_id.ta_number, None);
    assert_eq!(no_id.window, None, "31.09 does not exist");
    assert_eq!(
        no_id.url,
        "https://tapportals.mk.gov.lv/public_participation/e0000000-0000-4000-8000-000000000007"
    );
}

#[test]
fn window_parsing() {
    assert_eq!(
        parse_window("11.09.2026. - 25.09.2026."),
        window("11.09.2026.", "25.09.2026.")
    );
    assert_eq!(
        parse_window("1.9.2026 – 5.9.2026"),
        window("01.09.2026.", "05.09.2026.")
    );
    assert_eq!(parse_window("25.09.2026. - 11.09.2026."), None, "reversed");
    assert_eq!(parse_window("11.09.2026."), None);
    assert_eq!(parse_window(""), None);
    assert_eq!(
        parse_window("29.02.2026. - 10.03.2026."),
        None,
        "not a leap year"
    );
}

// ---------------------------------------------------------------- detail parser

#[test]
fn detail_page_gives_description_and_policy_areas() {
    let detail = parse_detail_page(&fixture("public_participation_detail.html")).unwrap();
    assert_eq!(
        detail.description.as_deref(),
        Some(
            "Noteikumu projekts nepieciešams, jo tiek virzīts likumprojekts \"Par Covid-19 infekcijas izplatības pārvaldības likuma atzīšanu par spēku zaudējušu” (23-TA-1390).\n\n\
             Noteikumu projekts izstrādāts, lai īstenotu likumprojekta \"Par Covid-19 infekcijas izplatības pārvaldības likuma atzīšanu par spēku zaudējušu” (23-TA-1390) 4.pārejas noteikumā noteikto."
        )
    );
    assert_eq!(detail.policy_areas, vec!["Vides aizsardzība".to_owned()]);
    assert_eq!(
        detail.window,
        window("03.10.2023.", "16.10.2023."),
        "from Norises laiks"
    );
    assert_eq!(detail.unreadable_deadline, None);
}

#[test]
fn detail_parser_survives_other_markup() {
    let detail = parse_detail_page(&fixture("public_participation_detail_variant.html")).unwrap();
    assert_eq!(
        detail.description.as_deref(),
        Some("Bāriņtiesu prakse atšķiras. Trūkst vienota regulējuma."),
        "paragraphs kept apart, the \"-\" goal placeholder dropped"
    );
    assert_eq!(
        detail.policy_areas,
        vec![
            "Bērnu un ģimenes politika".to_owned(),
            "Tiesiskums".to_owned()
        ]
    );
}

#[test]
fn detail_parser_rejects_pages_without_its_labels() {
    for page in [
        fixture("public_participation_page1.html"),
        fixture("firewall_rejected.html"),
        String::new(),
    ] {
        assert_eq!(parse_detail_page(&page), Err(ParseError::NoDetailFields));
    }
}

// ---------------------------------------------------------------- polls

fn http_config() -> HttpConfig {
    HttpConfig {
        user_agent: "draftwatch-test/0.1 (+mailto:admin@example.org)".to_owned(),
        timeout: Duration::from_secs(5),
        min_interval: Duration::from_millis(1),
        max_response_bytes: 2_000_000,
        retries: 1,
        retry_base_delay: Duration::from_millis(5),
        respect_robots_txt: false,
    }
}

fn html(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "text/html; charset=utf-8")
}

/// Serve list page `page` (1 = no query) with `response`, expecting `times` requests.
async fn serve_list(server: &MockServer, page: u32, response: ResponseTemplate, times: u64) {
    let mock = Mock::given(method("GET")).and(path("/public_participation"));
    let mock = if page == 1 {
        mock.and(query_param_is_missing("page"))
    } else {
        mock.and(query_param("page", page.to_string()))
    };
    mock.respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// Serve fixture list pages: (page number, fixture file, expected requests).
async fn serve_pages(server: &MockServer, pages: &[(u32, &str, u64)]) {
    for &(page, name, times) in pages {
        serve_list(server, page, html(fixture(name)), times).await;
    }
}

async fn serve_details(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path_regex(DETAIL_PATH))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

async fn poll(
    server: &MockServer,
    page_limit: u32,
    detail_limit: u32,
    known: &KnownDrafts,
) -> PollOutput {
    let source = TapParticipation::with_limits(
        "tap",
        Url::parse(&server.uri()).unwrap(),
        page_limit,
        detail_limit,
    );
    let fetcher = Fetcher::new(&http_config()).unwrap();
    source
        .poll(&fetcher, known, &CancellationToken::new())
        .await
}

fn known_from(fixture_name: &str, needs_detail: bool) -> KnownDrafts {
    let page = parse_list_page(&fixture(fixture_name), &portal()).unwrap();
    KnownDrafts {
        lookup: None,
        drafts: page
            .drafts
            .into_iter()
            .map(|d| {
                (
                    d.external_id,
                    KnownDraft {
                        url: d.url,
                        needs_detail,
                    },
                )
            })
            .collect(),
        ..KnownDrafts::default()
    }
}

#[tokio::test]
async fn poll_stops_after_a_page_of_known_drafts() {
    let server = MockServer::start().await;
    serve_pages(
        &server,
        &[
            (1, "public_participation_page1.html", 1),
            (2, "public_participation_page2.html", 1),
            (3, "public_participation_last_page.html", 0),
        ],
    )
    .await;
    let known = known_from("public_participation_page2.html", false);
    let output = poll(&server, 10, 0, &known).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.pages_read, 2);
    assert_eq!(output.drafts.len(), 25 + 4);
}

#[tokio::test]
async fn poll_stops_at_the_page_limit() {
    let server = MockServer::start().await;
    serve_pages(
        &server,
        &[
            (1, "public_participation_page1.html", 1),
            (2, "public_participation_page2.html", 1),
            (3, "public_participation_last_page.html", 0),
        ],
    )
    .await;
    let output = poll(&server, 2, 0, &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.pages_read, 2);
}

#[tokio::test]
async fn poll_stops_at_the_last_page() {
    let server = MockServer::start().await;
    serve_pages(
        &server,
        &[
            (1, "public_participation_page1.html", 1),
            (2, "public_participation_page2.html", 1),
            // The paginator of this page says it is the last one (124 of 124).
            (3, "public_participation_last_page.html", 1),
            (4, "public_participation_zero_rows.html", 0),
        ],
    )
    .await;
    let output = poll(&server, 50, 0, &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.pages_read, 3);
    assert_eq!(output.drafts.len(), 25 + 4 + 7);
}

#[tokio::test]
async fn a_single_page_list_is_read_once() {
    let server = MockServer::start().await;
    // The edge cases without their two malformed rows: a clean page without a paginator.
    let page = without_rows(&fixture("public_participation_edge_cases.html"), &[4, 5]);
    serve_list(&server, 1, html(page), 1).await;
    serve_pages(&server, &[(2, "public_participation_page2.html", 0)]).await;
    let output = poll(&server, 5, 0, &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 5);
}

/// Where each list row of `page` starts.
fn row_starts(page: &str) -> Vec<usize> {
    page.match_indices(r#"data-linkable-row="true""#)
        .map(|(at, _)| page[..at].rfind("<div").unwrap())
        .collect()
}

/// `page` without the rows at `indexes` (0-based; not the last row).
fn without_rows(page: &str, indexes: &[usize]) -> String {
    let starts = row_starts(page);
    let mut kept = String::new();
    let mut from = 0;
    for &index in indexes {
        kept.push_str(&page[from..starts[index]]);
        from = starts[index + 1];
    }
    kept.push_str(&page[from..]);
    kept
}

#[tokio::test]
async fn zero_rows_on_the_first_page_is_an_error() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "public_participation_zero_rows.html", 1)]).await;
    let output = poll(&server, 5, 5, &KnownDrafts::default()).await;
    assert!(output.drafts.is_empty());
    assert!(
        matches!(output.error, Some(SourceError::ZeroRows { .. })),
        "{:?}",
        output.error
    );
}

#[tokio::test]
async fn zero_rows_later_keeps_what_was_gathered() {
    let server = MockServer::start().await;
    serve_pages(
        &server,
        &[
            (1, "public_participation_page1.html", 1),
            (2, "public_participation_zero_rows.html", 1),
        ],
    )
    .await;
    serve_details(
        &server,
        html(fixture("public_participation_detail.html")),
        0,
    )
    .await;
    let output = poll(&server, 5, 5, &KnownDrafts::default()).await;
    assert_eq!(output.drafts.len(), 25);
    assert_eq!(output.pages_read, 2);
    assert!(
        matches!(output.error, Some(SourceError::ZeroRows { .. })),
        "{:?}",
        output.error
    );
}

#[tokio::test]
async fn firewall_page_fails_the_poll() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "firewall_rejected.html", 1)]).await;
    let output = poll(&server, 5, 5, &KnownDrafts::default()).await;
    assert!(output.drafts.is_empty());
    assert!(
        matches!(
            output.error,
            Some(SourceError::Fetch(FetchError::Rejected { .. }))
        ),
        "{:?}",
        output.error
    );
    let message = output.error.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("firewall"), "{message}");
}

#[tokio::test]
async fn a_500_then_success_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/public_participation"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_pages(&server, &[(1, "public_participation_page1.html", 1)]).await;
    let known = known_from("public_participation_page1.html", false);
    let output = poll(&server, 5, 5, &known).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 25);
}

#[tokio::test]
async fn details_for_new_and_incomplete_drafts_and_404_keeps_the_row() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "public_participation_page1.html", 1)]).await;
    let new_id = "068eb73d-d89d-42ff-93c9-13421c4f9b09"; // first row
    let incomplete_id = "42d96ede-af00-4136-b5fe-9a067f5e9737"; // second row
    Mock::given(path(format!("/public_participation/{new_id}")))
        .respond_with(html(fixture("public_participation_detail.html")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(format!("/public_participation/{incomplete_id}")))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let mut known = known_from("public_participation_page1.html", false);
    known.drafts.remove(new_id);
    if let Some(draft) = known.drafts.get_mut(incomplete_id) {
        draft.needs_detail = true;
        draft.url = format!("{}/public_participation/{incomplete_id}", server.uri());
    }
    let output = poll(&server, 1, 10, &known).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 25);

    let new = &output.drafts[0];
    assert_eq!(new.external_id, new_id);
    let detail = new.detail.as_ref().expect("detail of the new draft");
    assert_eq!(detail.policy_areas, vec!["Vides aizsardzība".to_owned()]);
    assert_eq!(new.detail_error, None);

    let incomplete = &output.drafts[1];
    assert_eq!(incomplete.external_id, incomplete_id);
    assert_eq!(incomplete.detail, None);
    let error = incomplete.detail_error.as_deref().unwrap_or_default();
    assert!(error.contains("404"), "{error}");
    assert_eq!(
        incomplete.title,
        "Likumprojekts \"Grozījumi Kriminālprocesa likumā\""
    );

    assert!(
        output.drafts[2..]
            .iter()
            .all(|d| d.detail.is_none() && d.detail_error.is_none())
    );
}

#[tokio::test]
async fn detail_limit_bounds_detail_requests() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "public_participation_page1.html", 1)]).await;
    serve_details(
        &server,
        html(fixture("public_participation_detail.html")),
        3,
    )
    .await;
    let output = poll(&server, 1, 3, &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    let with_detail = output.drafts.iter().filter(|d| d.detail.is_some()).count();
    assert_eq!(with_detail, 3);
    assert!(
        output.drafts[..3].iter().all(|d| d.detail.is_some()),
        "in list order"
    );
}

#[tokio::test]
async fn firewall_on_a_detail_stops_detail_requests() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "public_participation_page1.html", 1)]).await;
    serve_details(&server, html(fixture("firewall_rejected.html")), 1).await;
    let output = poll(&server, 1, 10, &KnownDrafts::default()).await;
    assert_eq!(output.drafts.len(), 25, "list data is kept");
    assert!(output.drafts[0].detail_error.is_some());
    assert!(
        matches!(
            output.error,
            Some(SourceError::Fetch(FetchError::Rejected { .. }))
        ),
        "{:?}",
        output.error
    );
}

#[tokio::test]
async fn a_cancelled_poll_sends_nothing() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "public_participation_page1.html", 0)]).await;
    let source = TapParticipation::with_limits("tap", Url::parse(&server.uri()).unwrap(), 5, 5);
    let fetcher = Fetcher::new(&http_config()).unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let output = source
        .poll(&fetcher, &KnownDrafts::default(), &cancel)
        .await;
    assert!(
        matches!(output.error, Some(SourceError::Cancelled)),
        "{:?}",
        output.error
    );
    assert_eq!(output.pages_read, 0);
}

#[tokio::test]
async fn cancellation_interrupts_a_slow_request() {
    let server = MockServer::start().await;
    serve_list(
        &server,
        1,
        html(fixture("public_participation_page1.html")).set_delay(Duration::from_secs(30)),
        1,
    )
    .await;
    let source = TapParticipation::with_limits("tap", Url::parse(&server.uri()).unwrap(), 5, 5);
    let fetcher = Fetcher::new(&HttpConfig {
        timeout: Duration::from_secs(60),
        ..http_config()
    })
    .unwrap();
    let cancel = CancellationToken::new();
    let canceller = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            cancel.cancel();
        })
    };
    let output = source
        .poll(&fetcher, &KnownDrafts::default(), &cancel)
        .await;
    canceller.await.unwrap();
    assert!(
        matches!(output.error, Some(SourceError::Cancelled)),
        "{:?}",
        output.error
    );
}

#[test]
fn list_urls() {
    let source =
        TapParticipation::with_limits("tap", Url::parse("https://example.org/").unwrap(), 1, 1);
    assert_eq!(
        source.list_url(1).as_str(),
        "https://example.org/public_participation?order_by=application_deadline&order_direction=desc"
    );
    assert_eq!(
        source.list_url(3).as_str(),
        "https://example.org/public_participation?order_by=application_deadline&order_direction=desc&page=3"
    );
}

// ---------------------------------------------------------------- conformance

/// Where the shared real captures live, if this checkout has them.
fn shared_samples() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("DRAFTWATCH_SAMPLES_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            manifest.join("../shared/samples"),
            manifest.join("../../shared/samples"),
        ])
        .find(|dir| {
            dir.join("tap_public_participation_list_page1_2026-09-15.html")
                .is_file()
        })
}

#[test]
fn conformance_with_shared_samples() {
    let Some(dir) = shared_samples() else {
        // In CI the shared captures are part of the checkout: missing them is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared samples directory is required in CI (set DRAFTWATCH_SAMPLES_DIR)"
        );
        println!("skipped: no shared samples directory (set DRAFTWATCH_SAMPLES_DIR)");
        return;
    };
    let html =
        std::fs::read_to_string(dir.join("tap_public_participation_list_page1_2026-09-15.html"))
            .unwrap();
    let jsonl = std::fs::read_to_string(dir.join("tap_public_participation_rows_2026-09-15.jsonl"))
        .unwrap();
    assert_page_matches_expectations(&html, &jsonl);
}

// ---------------------------------------------------------------- defects from the fault probe

/// The truncated real page, with its row links pointing at `base`.
fn truncated_page() -> String {
    fixture("public_participation_page1_truncated.html")
}

#[test]
fn truncated_list_page_stores_no_row_with_blanks_and_looks_cut_short() {
    let page = parse_list_page(&truncated_page(), &portal()).unwrap();
    assert_eq!(page.drafts.len(), 9, "the nine complete rows");
    assert_eq!(page.malformed_rows.len(), 1, "{:?}", page.malformed_rows);
    assert!(
        page.malformed_rows[0].contains("Līdzdalības veids"),
        "{:?}",
        page.malformed_rows
    );
    assert!(
        page.drafts
            .iter()
            .all(|d| d.window.is_some() && d.kind.is_some() && d.ministry.is_some()),
        "no draft with blanks"
    );
    assert!(page.looks_cut_short());
    let whole = parse_list_page(&fixture("public_participation_page1.html"), &portal()).unwrap();
    assert!(!whole.looks_cut_short(), "a full page is not suspicious");
    let last = parse_list_page(&fixture("public_participation_last_page.html"), &portal()).unwrap();
    assert!(
        !last.looks_cut_short(),
        "a short last page that says so is not suspicious"
    );
}

#[tokio::test]
async fn truncated_list_page_is_a_successful_poll() {
    let server = MockServer::start().await;
    serve_list(&server, 1, html(truncated_page()), 1).await;
    serve_details(
        &server,
        html(fixture("public_participation_detail.html")),
        0,
    )
    .await;
    let output = poll(&server, 5, 5, &KnownDrafts::default()).await;
    assert!(
        matches!(
            output.error,
            Some(SourceError::MalformedRows {
                count: 1,
                rows: 10,
                ..
            })
        ),
        "a cut page is a failed poll: {:?}",
        output.error
    );
    assert_eq!(output.drafts.len(), 9, "the complete rows are kept");
    assert!(output.drafts.iter().all(|d| d.window.is_some()));
    assert!(
        output
            .warnings
            .iter()
            .any(|w| matches!(w, SourceWarning::ShortPage { rows: 10, .. })),
        "{:?}",
        output.warnings
    );
}

#[tokio::test]
async fn list_page_cut_between_rows_is_warned() {
    let server = MockServer::start().await;
    let page = fixture("public_participation_page1.html");
    serve_list(&server, 1, html(page[..row_starts(&page)[9]].to_owned()), 1).await;
    let output = poll(&server, 5, 0, &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 9);
    assert_eq!(
        output.warnings,
        vec![SourceWarning::ShortPage {
            url: format!("{}{PAGE_ONE_QUERY}", server.uri()),
            rows: 9,
            page_size: 25,
        }]
    );
}

const PAGE_ONE_QUERY: &str =
    "/public_participation?order_by=application_deadline&order_direction=desc";

#[tokio::test]
async fn windows_1257_page_served_as_utf8_is_reported_as_markup_changed() {
    let server = MockServer::start().await;
    let page = fixture("public_participation_page1.html");
    let (bytes, _, _) = encoding_rs::WINDOWS_1257.encode(&page);
    serve_list(
        &server,
        1,
        ResponseTemplate::new(200).set_body_raw(bytes.into_owned(), "text/html; charset=utf-8"),
        1,
    )
    .await;
    let output = poll(&server, 5, 0, &KnownDrafts::default()).await;
    let error = output.error.expect("the poll fails");
    assert!(
        matches!(
            error,
            SourceError::Fetch(FetchError::Undecodable {
                encoding: "UTF-8",
                ..
            })
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("could not decode as UTF-8"),
        "{error}"
    );
    assert!(
        output.drafts.is_empty(),
        "nothing is parsed from mangled text"
    );
}

#[tokio::test]
async fn impossible_date_gives_no_consultation() {
    let server = MockServer::start().await;
    let page = fixture("public_participation_page1.html").replacen(
        "11.09.2026. - 25.09.2026.",
        "32.13.2026. - 14.14.2026.",
        1,
    );
    serve_list(&server, 1, html(page), 1).await;
    let output = poll(&server, 1, 0, &KnownDrafts::default()).await;
    assert!(output.error.is_none(), "{:?}", output.error);
    let draft = output
        .drafts
        .iter()
        .find(|d| d.unreadable_deadline.is_some())
        .expect("the draft with the impossible date is kept");
    assert_eq!(draft.window, None);
    assert_eq!(
        draft.unreadable_deadline.as_deref(),
        Some("32.13.2026. - 14.14.2026.")
    );
    assert!(
        output.warnings.iter().any(|w| matches!(
            w,
            SourceWarning::UnreadableDeadline { text, .. } if text == "32.13.2026. - 14.14.2026."
        )),
        "the admin is warned: {:?}",
        output.warnings
    );

    // Stored as such, and worded for partners as unreadable, not as "no consultation".
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    store
        .record_poll_output(
            &poll_record(utc("2026-09-15T09:00:00Z")),
            &output.drafts,
            &[],
            &["a warning".to_owned()],
        )
        .unwrap();
    let stored = store
        .find_drafts_by_display_id(&draft.external_id)
        .unwrap()
        .remove(0);
    assert_eq!(
        stored.unreadable_deadline.as_deref(),
        Some("32.13.2026. - 14.14.2026.")
    );
    let state = WindowState::of_draft(&stored, day("15.09.2026."));
    assert_eq!(state, WindowState::Unreadable);
    assert_eq!(
        days_left_phrase(state, Language::Lv),
        "termiņš nav nolasāms"
    );
    let polls = store.recent_polls(Some("tap"), 1).unwrap();
    assert_eq!(polls[0].warnings, vec!["a warning".to_owned()]);
}

#[tokio::test]
async fn slow_detail_server_makes_one_poll_last_56_minutes() {
    let server = MockServer::start().await;
    serve_pages(&server, &[(1, "public_participation_page1.html", 1)]).await;
    Mock::given(method("GET"))
        .and(path_regex(DETAIL_PATH))
        .respond_with(
            html(fixture("public_participation_detail.html")).set_delay(Duration::from_millis(500)),
        )
        .mount(&server)
        .await;
    let source = TapParticipation::with_limits("tap", Url::parse(&server.uri()).unwrap(), 1, 25)
        .with_poll_deadline(Duration::from_millis(1200));
    let fetcher = Fetcher::new(&http_config()).unwrap();
    let output = source
        .poll(&fetcher, &KnownDrafts::default(), &CancellationToken::new())
        .await;
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.drafts.len(), 25, "the list is kept");
    let read = output.drafts.iter().filter(|d| d.detail.is_some()).count();
    assert!(read < 25, "the deadline stopped the details ({read} read)");
    let expected_left = 25 - read;
    assert!(
        output.warnings.iter().any(|w| matches!(
            w,
            SourceWarning::DeadlineReached { left, .. } if *left == expected_left
        )),
        "the poll is partial: {:?}",
        output.warnings
    );
    assert!(
        output.warnings[0].to_string().starts_with("partial poll"),
        "{}",
        output.warnings[0]
    );
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn poll_record(at: DateTime<Utc>) -> PollRecord<'static> {
    PollRecord {
        source: "tap",
        started: at,
        finished: at,
        error: None,
    }
}

/// A store that has read page 1 and, earlier, the first draft of page 2 (which was sent to a
/// partner), all with their links on `server`; returns the store and that draft.
fn store_following_a_page_two_draft(server: &MockServer, db: &Path) -> (Store, ScrapedDraft) {
    let base = Url::parse(&server.uri()).unwrap();
    let mut drafts = parse_list_page(&fixture("public_participation_page1.html"), &base)
        .unwrap()
        .drafts;
    let followed = parse_list_page(&fixture("public_participation_page2.html"), &base)
        .unwrap()
        .drafts
        .remove(0);
    drafts.push(followed.clone());
    for draft in &mut drafts {
        draft.detail = Some(DraftDetail::default());
    }
    let mut store = Store::open(db).unwrap();
    store
        .record_poll(&poll_record(utc("2026-09-01T09:00:00Z")), &drafts)
        .unwrap();
    let id = store
        .find_drafts_by_display_id(&followed.external_id)
        .unwrap()[0]
        .id;
    deliver_to_partner(&mut store, &[id], utc("2026-09-01T10:00:00Z"));
    (store, followed)
}

async fn poll_into(server: &MockServer, store: &SharedStore, now: &str) -> PollSummary {
    let source = TapParticipation::with_limits("tap", Url::parse(&server.uri()).unwrap(), 5, 5);
    let fetcher = Fetcher::new(&http_config()).unwrap();
    poll_source(
        &source,
        &fetcher,
        store,
        &Clock::fixed(utc(now)),
        &CancellationToken::new(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn deadline_moved_on_page_two_is_never_noticed() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, followed) = store_following_a_page_two_draft(&server, &dir.path().join("db"));
    assert_eq!(followed.window, window("27.08.2026.", "10.09.2026."));
    serve_pages(
        &server,
        &[
            (1, "public_participation_page1.html", 1),
            (2, "public_participation_page2.html", 0),
        ],
    )
    .await;
    let moved = fixture("public_participation_detail.html")
        .replace("03.10.2023. - 16.10.2023.", "27.08.2026. - 24.09.2026.");
    Mock::given(path(format!(
        "/public_participation/{}",
        followed.external_id
    )))
    .respond_with(html(moved))
    .expect(1)
    .mount(&server)
    .await;
    let store = SharedStore::new(store);
    let summary = poll_into(&server, &store, "2026-09-02T09:00:00Z").await;
    assert_eq!(summary.error, None);
    assert_eq!(summary.counts.changed, 1, "{summary}");

    let store = store.lock().unwrap();
    let stored = store
        .find_drafts_by_display_id(&followed.external_id)
        .unwrap()
        .remove(0);
    assert_eq!(stored.window, window("27.08.2026.", "24.09.2026."));
    assert!(stored.detail_checked_at.is_some());
    let changes: Vec<_> = store
        .changes_since(stored.id, utc("2026-09-01T12:00:00Z"))
        .unwrap()
        .into_iter()
        .filter(|change| change.field == DraftField::WindowTo)
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].old_value.as_deref(), Some("2026-09-10"));
    assert_eq!(changes[0].new_value.as_deref(), Some("2026-09-24"));
}

#[test]
fn followed_drafts_are_rechecked_oldest_checked_first_and_only_while_open() {
    let server_uri = "http://127.0.0.1:9";
    let base = Url::parse(server_uri).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let drafts = parse_list_page(&fixture("public_participation_page2.html"), &base)
        .unwrap()
        .drafts;
    store
        .record_poll(&poll_record(utc("2026-09-01T09:00:00Z")), &drafts)
        .unwrap();
    let ids: Vec<i64> = drafts
        .iter()
        .map(|d| store.find_drafts_by_display_id(&d.external_id).unwrap()[0].id)
        .collect();
    // Every draft but the first was sent to someone.
    deliver_to_partner(&mut store, &ids[1..], utc("2026-09-01T10:00:00Z"));
    let today = day("01.09.2026.");
    let open_followed: Vec<String> = drafts[1..]
        .iter()
        .filter(|d| d.window.is_some_and(|w| w.to >= today))
        .map(|d| d.external_id.clone())
        .collect();
    assert!(
        open_followed.len() >= 2,
        "the fixture has open followed drafts"
    );
    let candidates: Vec<String> = store
        .recheck_candidates("tap", today)
        .unwrap()
        .into_iter()
        .map(|c| c.external_id)
        .collect();
    assert_eq!(candidates, open_followed, "never checked: in store order");

    // Checking the first one sends it to the back of the queue.
    let mut first = drafts
        .iter()
        .find(|d| d.external_id == open_followed[0])
        .unwrap()
        .clone();
    first.detail = Some(DraftDetail::default());
    store
        .record_poll(&poll_record(utc("2026-09-02T09:00:00Z")), &[first])
        .unwrap();
    let candidates = store.recheck_candidates("tap", today).unwrap();
    assert_eq!(
        candidates.last().map(|c| c.external_id.as_str()),
        Some(open_followed[0].as_str())
    );
    assert!(
        store
            .recheck_candidates("tap", day("01.01.2027."))
            .unwrap()
            .is_empty(),
        "closed windows are not re-checked"
    );
}

#[tokio::test]
async fn vanished_draft_stays_open_forever() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, followed) = store_following_a_page_two_draft(&server, &dir.path().join("db"));
    serve_pages(&server, &[(1, "public_participation_page1.html", 2)]).await;
    Mock::given(path(format!(
        "/public_participation/{}",
        followed.external_id
    )))
    .respond_with(ResponseTemplate::new(404))
    .expect(1)
    .mount(&server)
    .await;
    let store = SharedStore::new(store);
    poll_into(&server, &store, "2026-09-02T09:00:00Z").await;
    // A second poll neither asks again nor records the news again.
    poll_into(&server, &store, "2026-09-02T10:00:00Z").await;

    let store = store.lock().unwrap();
    let stored = store
        .find_drafts_by_display_id(&followed.external_id)
        .unwrap()
        .remove(0);
    let vanished_at = stored.vanished_at.expect("marked as gone");
    assert!(
        utc("2026-09-02T09:00:00Z") <= vanished_at && vanished_at < utc("2026-09-02T10:00:00Z"),
        "by the first poll: {vanished_at}"
    );
    let today = day("02.09.2026.");
    assert_eq!(
        WindowState::of_draft(&stored, today),
        WindowState::Withdrawn,
        "no longer open"
    );
    let changes = store
        .changes_since(stored.id, utc("2026-09-01T12:00:00Z"))
        .unwrap();
    assert_eq!(changes.len(), 1, "said once: {changes:?}");
    assert_eq!(changes[0].field, DraftField::VanishedAt);
    assert_eq!(change_notes(&changes, today), vec![ChangeNote::Withdrawn]);
}

/// Record a digest to "partner" carrying `draft_ids` and mark it sent, as a digest run does,
/// so the drafts count as followed.
fn deliver_to_partner(store: &mut Store, draft_ids: &[i64], at: DateTime<Utc>) {
    let to = vec!["partner@example.org".to_owned()];
    let id = store
        .record_outbox(&NewOutboxEntry {
            recipient: "partner",
            scheduled_for: at,
            built_at: at,
            message_id: "<m@example.org>",
            subject: "draftwatch",
            envelope_from: "draftwatch@example.org",
            envelope_to: &to,
            raw_message: b"Subject: x\r\n\r\nx\r\n",
            draft_ids,
            reminders: &[],
        })
        .unwrap()
        .unwrap();
    store.mark_outbox_sent(id, at).unwrap();
}
