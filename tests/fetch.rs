//! Tests of the shared HTTP layer against local mock servers (127.0.0.1 only).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use draftwatch::config::HttpConfig;
use draftwatch::sources::fetch::{
    FetchError, Fetcher, HostRateLimiter, RobotsRules, decode_html, decode_html_checked,
    is_firewall_rejection, parse_retry_after,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIREWALL_PAGE: &str = "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please consult with your administrator.<br><br>Your support ID is: 1234567890</body></html>";

fn config() -> HttpConfig {
    HttpConfig {
        user_agent: "draftwatch-test/0.1 (+mailto:admin@example.org)".to_owned(),
        timeout: Duration::from_secs(5),
        min_interval: Duration::from_millis(1),
        max_response_bytes: 1_000_000,
        retries: 2,
        retry_base_delay: Duration::from_millis(5),
        respect_robots_txt: false,
    }
}

fn url(server: &MockServer, path: &str) -> Url {
    Url::parse(&format!("{}{path}", server.uri())).expect("mock server URL")
}

fn html(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/html; charset=utf-8")
}

/// Answer GET `at` with `response`, and check on drop that it was asked exactly `times` times.
async fn serve(server: &MockServer, at: &str, response: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// Answer GET `at` with `failure` once, then with `success` for ever.
async fn fail_once_then(
    server: &MockServer,
    at: &str,
    failure: ResponseTemplate,
    success: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(failure)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(success)
        .mount(server)
        .await;
}

/// A fetcher refusing bodies above `limit` bytes, without retries.
fn capped_fetcher(limit: u64) -> Fetcher {
    Fetcher::new(&HttpConfig {
        max_response_bytes: limit,
        retries: 0,
        ..config()
    })
    .unwrap()
}

fn robots_obeying_fetcher() -> Fetcher {
    Fetcher::new(&HttpConfig {
        respect_robots_txt: true,
        ..config()
    })
    .unwrap()
}

async fn requests_to(server: &MockServer, wanted: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == wanted)
        .count()
}

#[tokio::test]
async fn sends_the_configured_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ua"))
        .and(header(
            "user-agent",
            "draftwatch-test/0.1 (+mailto:admin@example.org)",
        ))
        .respond_with(html("<p>ok</p>"))
        .expect(1)
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let page = fetcher.get_text(&url(&server, "/ua")).await.unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "<p>ok</p>");
    assert!(!page.not_modified);
}

#[tokio::test]
async fn retries_a_500_then_succeeds() {
    let server = MockServer::start().await;
    fail_once_then(
        &server,
        "/flaky",
        ResponseTemplate::new(500),
        html("second time lucky"),
    )
    .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let page = fetcher.get_text(&url(&server, "/flaky")).await.unwrap();
    assert_eq!(page.body, "second time lucky");
    assert_eq!(requests_to(&server, "/flaky").await, 2);
}

#[tokio::test]
async fn gives_up_after_the_configured_retries() {
    let server = MockServer::start().await;
    serve(&server, "/down", ResponseTemplate::new(503), 3).await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let target = url(&server, "/down");
    let error = fetcher.get_text(&target).await.unwrap_err();
    assert!(
        matches!(error, FetchError::Status { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(target.as_str()), "{error}");
}

#[tokio::test]
async fn never_retries_a_404() {
    let server = MockServer::start().await;
    serve(&server, "/gone", ResponseTemplate::new(404), 1).await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let error = fetcher.get_text(&url(&server, "/gone")).await.unwrap_err();
    assert!(
        matches!(error, FetchError::Status { status: 404, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn honours_retry_after_on_429() {
    let server = MockServer::start().await;
    fail_once_then(
        &server,
        "/busy",
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        html("served"),
    )
    .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let started = std::time::Instant::now();
    let page = fetcher.get_text(&url(&server, "/busy")).await.unwrap();
    assert_eq!(page.body, "served");
    assert_eq!(requests_to(&server, "/busy").await, 2);
    // Lower bound only: the server asked for one second and we must not come back sooner.
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn refuses_to_sleep_for_an_absurd_retry_after() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/later",
        ResponseTemplate::new(503).insert_header("Retry-After", "86400"),
        1,
    )
    .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let error = fetcher.get_text(&url(&server, "/later")).await.unwrap_err();
    match error {
        FetchError::RetryAfterTooLong { requested, .. } => {
            assert_eq!(requested, Duration::from_secs(86400))
        }
        other => panic!("expected RetryAfterTooLong, got {other:?}"),
    }
}

#[test]
fn retry_after_accepts_seconds_and_http_dates() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_420); // 21 Oct 2015 07:27:00 GMT
    assert_eq!(
        parse_retry_after("120", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
        Some(Duration::ZERO),
        "a date in the past means retry now"
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("", now), None);
}

#[tokio::test]
async fn times_out_on_a_slow_server() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(html("late").set_delay(Duration::from_millis(800)))
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(&HttpConfig {
        timeout: Duration::from_millis(100),
        retries: 1,
        ..config()
    })
    .unwrap();
    let error = fetcher.get_text(&url(&server, "/slow")).await.unwrap_err();
    assert!(matches!(error, FetchError::Timeout { .. }), "{error:?}");
    assert_eq!(
        requests_to(&server, "/slow").await,
        2,
        "a timeout is retried"
    );
}

#[tokio::test]
async fn network_errors_are_reported_with_the_url() {
    // Bind then drop a listener so the port is (almost certainly) closed.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let fetcher = Fetcher::new(&HttpConfig {
        retries: 0,
        ..config()
    })
    .unwrap();
    let target = Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap();
    let error = fetcher.get_text(&target).await.unwrap_err();
    assert!(matches!(error, FetchError::Network { .. }), "{error:?}");
    assert!(error.to_string().contains(target.as_str()));
}

#[tokio::test]
async fn refuses_a_body_announced_too_large() {
    let server = MockServer::start().await;
    serve(&server, "/huge", html(&"x".repeat(5_000)), 1).await;
    let fetcher = capped_fetcher(1_000);
    let error = fetcher.get_text(&url(&server, "/huge")).await.unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { limit: 1_000, .. }),
        "{error:?}"
    );
}

/// A one-connection HTTP server writing `response` verbatim, for what wiremock cannot do
/// (chunked bodies, lying Content-Length).
async fn raw_server(response: Vec<u8>) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = socket.write_all(&response).await;
            let _ = socket.shutdown().await;
        }
    });
    Url::parse(&format!("http://{address}/raw")).unwrap()
}

#[tokio::test]
async fn counts_bytes_of_a_chunked_body_without_content_length() {
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..10 {
        response.extend_from_slice(b"3e8\r\n");
        response.extend_from_slice(&[b'y'; 1000]);
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let target = raw_server(response).await;
    let fetcher = capped_fetcher(4_000);
    let error = fetcher.get_text(&target).await.unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { limit: 4_000, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn trusts_an_announced_content_length_before_reading() {
    // Announces 10 MB but sends 5 bytes: only the header check can call this "too large".
    let response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\nhello".to_vec();
    let target = raw_server(response).await;
    let fetcher = capped_fetcher(1_000);
    let error = fetcher.get_text(&target).await.unwrap_err();
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn firewall_page_with_200_is_an_error() {
    let server = MockServer::start().await;
    serve(&server, "/public_participation", html(FIREWALL_PAGE), 1).await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let target = url(&server, "/public_participation");
    let error = fetcher.get_text(&target).await.unwrap_err();
    assert!(matches!(error, FetchError::Rejected { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(target.as_str()) && message.contains("firewall"),
        "{message}"
    );
}

#[test]
fn firewall_detection_looks_at_the_title_only() {
    assert!(is_firewall_rejection(FIREWALL_PAGE));
    assert!(is_firewall_rejection(
        "<HTML><HEAD>\n<TITLE> Request Rejected </TITLE></HEAD></HTML>"
    ));
    assert!(!is_firewall_rejection(
        "<html><head><title>Sabiedrības līdzdalība</title></head><body>Request Rejected</body></html>"
    ));
    assert!(!is_firewall_rejection("no markup at all"));
}

fn windows_1257(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1257.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

const LATVIAN: &str = "Bērnu tiesību aizsardzības likums – grozījumi";

#[tokio::test]
async fn decodes_windows_1257_declared_in_the_header() {
    let server = MockServer::start().await;
    let body = windows_1257(&format!("<html><body>{LATVIAN}</body></html>"));
    assert!(
        std::str::from_utf8(&body).is_err(),
        "fixture must not be UTF-8"
    );
    Mock::given(path("/w1257"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body, "text/html; charset=windows-1257"),
        )
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let page = fetcher.get_text(&url(&server, "/w1257")).await.unwrap();
    assert!(page.body.contains(LATVIAN), "{}", page.body);
}

#[tokio::test]
async fn decodes_windows_1257_declared_in_a_meta_tag() {
    let server = MockServer::start().await;
    let body = windows_1257(&format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1257\"></head><body>{LATVIAN}</body></html>"
    ));
    Mock::given(path("/meta"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/html"))
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let page = fetcher.get_text(&url(&server, "/meta")).await.unwrap();
    assert!(page.body.contains(LATVIAN), "{}", page.body);
}

/// #8 item 10: a windows-1257 page served as (or defaulting to) UTF-8 was parsed as mangled
/// text and reported as changed markup.
#[tokio::test]
async fn windows_1257_page_served_as_utf8_is_reported_as_markup_changed_by_the_fetcher() {
    let server = MockServer::start().await;
    let body = windows_1257(&format!("<html><body>{LATVIAN}</body></html>"));
    for (at, content_type) in [
        ("/declared", "text/html; charset=utf-8"),
        ("/default", "text/html"),
    ] {
        Mock::given(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), content_type))
            .mount(&server)
            .await;
    }
    let fetcher = Fetcher::new(&config()).unwrap();
    for at in ["/declared", "/default"] {
        let error = fetcher.get_text(&url(&server, at)).await.unwrap_err();
        assert!(
            matches!(
                error,
                FetchError::Undecodable {
                    encoding: "UTF-8",
                    ..
                }
            ),
            "{at}: {error:?}"
        );
        assert!(
            error.to_string().contains("could not decode as UTF-8"),
            "{error}"
        );
    }
    let (_, encoding, malformed) =
        decode_html_checked(&body, Some("text/html; charset=windows-1257"));
    assert_eq!((encoding.name(), malformed), ("windows-1257", false));
}

#[test]
fn charset_detection_order() {
    let w1257 = windows_1257(LATVIAN);
    // <meta charset> short form.
    let mut meta = b"<meta charset='windows-1257'>".to_vec();
    meta.extend_from_slice(&w1257);
    assert!(decode_html(&meta, None).contains(LATVIAN));
    // The header wins over the meta tag.
    let mut utf8_meta_lie = b"<meta charset=\"windows-1257\">".to_vec();
    utf8_meta_lie.extend_from_slice(LATVIAN.as_bytes());
    assert!(decode_html(&utf8_meta_lie, Some("text/html; charset=UTF-8")).contains(LATVIAN));
    // A BOM wins over the meta tag and is removed.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(&utf8_meta_lie);
    let decoded = decode_html(&bom, None);
    assert!(
        decoded.starts_with("<meta") && decoded.contains(LATVIAN),
        "{decoded}"
    );
    // A meta tag after the first 1024 bytes is not looked at: UTF-8 fallback.
    let mut late = vec![b' '; 1100];
    late.extend_from_slice(b"<meta charset=\"windows-1257\">");
    late.extend_from_slice(LATVIAN.as_bytes());
    assert!(decode_html(&late, None).contains(LATVIAN));
    // Nothing declared: UTF-8, invalid bytes replaced instead of failing.
    assert_eq!(decode_html(b"a\xffb", None), "a\u{fffd}b");
}

#[tokio::test]
async fn conditional_get_serves_the_remembered_body_on_304() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    serve(
        &server,
        "/list",
        html("<p>first copy</p>").insert_header("ETag", "\"v1\""),
        1,
    )
    .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let target = url(&server, "/list");
    let first = fetcher.get_text(&target).await.unwrap();
    assert!(!first.not_modified);
    let second = fetcher.get_text(&target).await.unwrap();
    assert!(second.not_modified);
    assert_eq!(second.body, "<p>first copy</p>");
    assert_eq!(second.status, 200);
}

#[tokio::test]
async fn conditional_get_uses_last_modified() {
    let server = MockServer::start().await;
    let stamp = "Tue, 15 Sep 2026 08:00:00 GMT";
    Mock::given(path("/lm"))
        // wiremock's `header` matcher splits values at commas, which HTTP dates contain.
        .and(move |request: &wiremock::Request| {
            request
                .headers
                .get("if-modified-since")
                .is_some_and(|value| value.as_bytes() == stamp.as_bytes())
        })
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    serve(
        &server,
        "/lm",
        html("dated").insert_header("Last-Modified", stamp),
        1,
    )
    .await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let target = url(&server, "/lm");
    fetcher.get_text(&target).await.unwrap();
    let again = fetcher.get_text(&target).await.unwrap();
    assert!(again.not_modified);
    assert_eq!(again.body, "dated");
}

#[tokio::test]
async fn robots_txt_disallow_is_obeyed_and_read_once() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/robots.txt",
        ResponseTemplate::new(200).set_body_raw(
            b"User-agent: *\nDisallow: /private\n".to_vec(),
            "text/plain",
        ),
        1,
    )
    .await;
    serve(&server, "/public", html("open"), 2).await;
    serve(&server, "/private/page", html("secret"), 0).await;
    let fetcher = robots_obeying_fetcher();
    fetcher.get_text(&url(&server, "/public")).await.unwrap();
    let target = url(&server, "/private/page");
    let error = fetcher.get_text(&target).await.unwrap_err();
    assert!(
        matches!(error, FetchError::DisallowedByRobots { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(target.as_str()));
    fetcher.get_text(&url(&server, "/public")).await.unwrap();
}

#[tokio::test]
async fn missing_or_broken_robots_txt_allows_everything() {
    for robots_status in [404, 500] {
        let server = MockServer::start().await;
        Mock::given(path("/robots.txt"))
            .respond_with(ResponseTemplate::new(robots_status))
            .mount(&server)
            .await;
        serve(&server, "/page", html("fine"), 1).await;
        let fetcher = robots_obeying_fetcher();
        let page = fetcher.get_text(&url(&server, "/page")).await;
        assert!(page.is_ok(), "robots.txt {robots_status}: {page:?}");
    }
}

#[test]
fn robots_rules_pick_our_group_and_the_longest_match() {
    let text = "\
# comment line
User-agent: *
Disallow: /

User-agent: SomeBot
User-agent: DraftWatch/1.0   # our group, named together with another bot
Disallow: /public_participation/search_form
Allow: /public_participation
Disallow: /*.pdf$
Disallow: /api/*/private
Disallow:
Crawl-delay: 5
Sitemap: https://example.org/sitemap.xml
";
    let rules = RobotsRules::parse(text, "draftwatch");
    assert!(rules.is_allowed("/public_participation?page=2"));
    assert!(rules.is_allowed("/public_participation/068eb73d"));
    assert!(!rules.is_allowed("/public_participation/search_form"));
    assert!(
        rules.is_allowed("/legal_acts"),
        "the `*` group does not apply to us"
    );
    assert!(!rules.is_allowed("/files/a.pdf"));
    assert!(
        rules.is_allowed("/files/a.pdf?download=1"),
        "`$` anchors at the end"
    );
    assert!(!rules.is_allowed("/api/v1/private/x"));
    assert!(rules.is_allowed("/api/v1/public"));

    let others = RobotsRules::parse(text, "otherbot");
    assert!(
        !others.is_allowed("/anything"),
        "falls back to the `*` group"
    );
}

#[test]
fn robots_rules_edge_cases() {
    assert!(RobotsRules::parse("", "draftwatch").is_allowed("/x"));
    assert!(RobotsRules::parse("garbage\n\n:::\n", "draftwatch").is_allowed("/x"));
    let tie = RobotsRules::parse(
        "User-agent: *\nDisallow: /page\nAllow: /page\n",
        "draftwatch",
    );
    assert!(tie.is_allowed("/page"), "Allow wins a tie");
    let empty = RobotsRules::parse("User-agent: draftwatch\nDisallow:\n", "draftwatch");
    assert!(empty.is_allowed("/anything"));
    // A user-agent line after rules starts a new group.
    let groups = RobotsRules::parse(
        "User-agent: draftwatch\nDisallow: /a\nUser-agent: other\nDisallow: /b\n",
        "draftwatch",
    );
    assert!(!groups.is_allowed("/a/x"));
    assert!(groups.is_allowed("/b/x"));
}

#[tokio::test]
async fn rejects_non_http_urls() {
    let fetcher = Fetcher::new(&config()).unwrap();
    let error = fetcher
        .get_text(&Url::parse("file:///etc/passwd").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::InvalidUrl { .. }), "{error:?}");
}

#[tokio::test]
async fn rate_limit_holds_back_the_same_host_but_not_others() {
    // An hour-long interval: the second request to host A cannot be sent during this test,
    // whatever the machine's speed, while host B is served at once. Nothing is timed.
    let host_a = MockServer::start().await;
    let host_b = MockServer::start().await;
    for server in [&host_a, &host_b] {
        Mock::given(method("GET"))
            .respond_with(html("ok"))
            .mount(server)
            .await;
    }
    let fetcher = Arc::new(
        Fetcher::new(&HttpConfig {
            min_interval: Duration::from_secs(3600),
            ..config()
        })
        .unwrap(),
    );
    fetcher.get_text(&url(&host_a, "/one")).await.unwrap();
    let second_a = {
        let fetcher = Arc::clone(&fetcher);
        let target = url(&host_a, "/two");
        tokio::spawn(async move { fetcher.get_text(&target).await })
    };
    fetcher.get_text(&url(&host_b, "/one")).await.unwrap();
    tokio::task::yield_now().await;
    assert!(
        !second_a.is_finished(),
        "the second request to host A must wait its turn"
    );
    assert_eq!(requests_to(&host_a, "/two").await, 0);
    assert_eq!(requests_to(&host_b, "/one").await, 1);
    second_a.abort();
}

#[tokio::test]
async fn rate_limiter_serves_waiters_in_order() {
    let limiter = Arc::new(HostRateLimiter::new(Duration::from_millis(2)));
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    limiter.wait_turn("h:80").await;
    let mut tasks = Vec::new();
    for i in 0..5 {
        let limiter = Arc::clone(&limiter);
        let order = Arc::clone(&order);
        tasks.push(tokio::spawn(async move {
            limiter.wait_turn("h:80").await;
            order.lock().unwrap().push(i);
        }));
        // Let each task enqueue before the next one is spawned.
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn error_pages_are_reported_by_status_even_when_large() {
    let server = MockServer::start().await;
    let big_404 = ResponseTemplate::new(404).set_body_raw(vec![b'z'; 5_000], "text/html");
    serve(&server, "/missing", big_404, 1).await;
    let fetcher = capped_fetcher(1_000);
    let error = fetcher
        .get_text(&url(&server, "/missing"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::Status { status: 404, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn firewall_page_with_an_error_status_is_still_a_rejection() {
    let server = MockServer::start().await;
    let blocked =
        ResponseTemplate::new(403).set_body_raw(FIREWALL_PAGE.as_bytes().to_vec(), "text/html");
    serve(&server, "/blocked", blocked, 1).await;
    let fetcher = Fetcher::new(&config()).unwrap();
    let error = fetcher
        .get_text(&url(&server, "/blocked"))
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::Rejected { .. }), "{error:?}");
}
