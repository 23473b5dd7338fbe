//! What the source tests share: fixtures, a fast HTTP configuration for the local mock portal
//! (127.0.0.1 only), and an HTML response.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use draftwatch::config::HttpConfig;
use draftwatch::sources::fetch::Fetcher;
use wiremock::ResponseTemplate;

/// A file under `tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// No robots.txt, no retries, no waiting between requests.
pub fn http_config() -> HttpConfig {
    HttpConfig {
        user_agent: "draftwatch-test/0.1 (+mailto:admin@example.org)".to_owned(),
        timeout: Duration::from_secs(5),
        min_interval: Duration::from_millis(1),
        max_response_bytes: 2_000_000,
        retries: 0,
        retry_base_delay: Duration::from_millis(5),
        respect_robots_txt: false,
    }
}

/// A fetcher with [`http_config`].
pub fn fetcher() -> Fetcher {
    Fetcher::new(&http_config()).expect("test fetcher")
}

/// A 200 answer with `body` as UTF-8 HTML.
pub fn html(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "text/html; charset=utf-8")
}

/// A poll that failed with `kind` (the stored `error_kind`) and a message holding `words`, and
/// stored no draft at all.
pub fn assert_failed_and_stored_nothing(
    summary: &draftwatch::pipeline::PollSummary,
    store: &draftwatch::store::SharedStore,
    kind: &str,
    words: &str,
) {
    let error = summary.error.as_deref().unwrap_or_default();
    assert!(error.contains(words), "expected {words:?} in: {summary}");
    let store = store.lock().expect("store");
    let last = store
        .recent_polls(Some(&summary.source), 1)
        .expect("polls")
        .remove(0);
    assert_eq!(last.error_kind.as_deref(), Some(kind), "{summary}");
    let stored = store
        .list_drafts(&draftwatch::store::DraftFilter::default())
        .expect("drafts");
    assert_eq!(stored.len(), 0, "{stored:?}");
}
