//! The shared paging skeleton as the `tap_participation` source uses it: the steady state's
//! request count, and the participation detail page's opinions (read by the full label
//! parser) next to the fields the store keeps.

mod sources_common;

use draftwatch::model::{KnownDraft, KnownDrafts, RecheckCandidate, WindowKind};
use draftwatch::sources::tap::{TapParticipation, parse_detail_page, parse_list_page};
use draftwatch::sources::{RequestCounts, Source};
use sources_common::html;
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{method, path, path_regex, query_param_is_missing};
use wiremock::{Mock, MockServer};

fn fixture(name: &str) -> String {
    sources_common::fixture(&format!("tap/{name}"))
}

/// The old-layout detail page's one opinion, from an organisation, is read with its date;
/// the stored fields stay what the HTML walk gives.
#[test]
fn participation_detail_carries_opinions_beside_the_stored_fields() {
    let detail = parse_detail_page(&fixture("public_participation_detail.html")).unwrap();
    assert_eq!(detail.policy_areas, vec!["Vides aizsardzība".to_owned()]);
    assert!(detail.description.is_some());
    assert_eq!(detail.opinions.len(), 1, "{:?}", detail.opinions);
    let opinion = &detail.opinions[0];
    assert_eq!(opinion.window_kind, WindowKind::PublicParticipation);
    assert!(opinion.legal_person);
    assert!(
        opinion.submitter.starts_with("Latvijas Pilsoniskā alianse"),
        "{opinion:?}"
    );
    assert_eq!(
        opinion.given_on,
        chrono::NaiveDate::from_ymd_opt(2023, 10, 16)
    );
}

/// A layout the full parser cannot read still gives the stored fields, without opinions.
#[test]
fn participation_detail_in_another_layout_keeps_the_stored_fields() {
    let detail = parse_detail_page(&fixture("public_participation_detail_variant.html")).unwrap();
    assert!(!detail.policy_areas.is_empty());
    assert!(detail.description.is_some());
}

/// Steady state with nothing new: one list request (page 1 holds only known drafts) plus the
/// recheck budget, counted on the output and by the portal.
#[tokio::test]
async fn participation_steady_state_is_one_list_request_plus_the_recheck_budget() {
    let server = MockServer::start().await;
    let base = Url::parse(&server.uri()).unwrap();
    Mock::given(method("GET"))
        .and(path("/public_participation"))
        .and(query_param_is_missing("page"))
        .respond_with(html(fixture("public_participation_page1.html")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/public_participation/[0-9a-f-]{36}$"))
        .respond_with(html(fixture("public_participation_detail.html")))
        .mount(&server)
        .await;
    let page = parse_list_page(&fixture("public_participation_page1.html"), &base).unwrap();
    let mut known = KnownDrafts::default();
    for draft in page.drafts {
        known.drafts.insert(
            draft.external_id,
            KnownDraft {
                url: draft.url,
                needs_detail: false,
            },
        );
    }
    for uuid in [
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
        "33333333-3333-4333-8333-333333333333",
    ] {
        known.recheck.push(RecheckCandidate {
            external_id: uuid.to_owned(),
            url: format!("{}/public_participation/{uuid}", server.uri()),
        });
    }
    let source = TapParticipation::with_limits("tap", base, 5, 10).with_recheck_limit(2);
    let fetcher = sources_common::fetcher();
    let output = source
        .poll(&fetcher, &known, &CancellationToken::new())
        .await;
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
    assert_eq!(received.len(), 3, "{received:?}");
}

/// Log lines captured in memory.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every poll ends with one structured line counting its requests by step, also a poll that
/// failed (here: a list page without rows).
#[tokio::test(flavor = "current_thread")]
async fn every_poll_logs_its_request_counts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/public_participation"))
        .respond_with(html(fixture("public_participation_zero_rows.html")))
        .mount(&server)
        .await;
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let source = TapParticipation::with_limits("tap", Url::parse(&server.uri()).unwrap(), 5, 5);
    let output = source
        .poll(
            &sources_common::fetcher(),
            &KnownDrafts::default(),
            &CancellationToken::new(),
        )
        .await;
    assert!(output.error.is_some());
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("Poll requests counted."))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    for field in [
        "source=\"tap\"",
        "list_requests=1",
        "detail_requests=0",
        "recheck_requests=0",
        "requests=1",
    ] {
        assert!(lines[0].contains(field), "{field} in {}", lines[0]);
    }
}
