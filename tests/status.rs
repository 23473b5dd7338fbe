//! `draftwatch status` through the binary: a healthy install exits 0; a failing source, a
//! refused digest, a digest pending for over an hour, a watchlist folder that does not load
//! and a source never polled each exit 1 and say why, in lines and in `--json`.

mod cli_harness;
mod support;

use std::process::Output;

use cli_harness::{ADDRESS, NOW, Setup, portal, smtp_mail, stderr, stdout};
use serde_json::Value;
use support::smtp::{SmtpSink, Stage};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `status --json` at `now`: the exit code and the parsed object.
async fn status_json(setup: &Setup, now: &str) -> (Option<i32>, Value) {
    let output: Output = setup.run_at(now, &["status", "--json"]).await;
    let text = stdout(&output);
    let report = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("one JSON object ({e}): {text}\n{}", stderr(&output)));
    (output.status.code(), report)
}

/// The report's attention sentences.
fn attention(report: &Value) -> Vec<String> {
    report["attention"]
        .as_array()
        .expect("attention is a list")
        .iter()
        .map(|item| item.as_str().expect("a sentence").to_owned())
        .collect()
}

/// A portal whose every page answers 500.
async fn broken_portal() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_a_healthy_install_exits_0_and_reports_every_part() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());
    let digest = setup.run(&["digest"]).await;
    assert!(digest.status.success(), "{}", stderr(&digest));

    let (code, report) = status_json(&setup, NOW).await;
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["healthy"], true);
    assert_eq!(attention(&report), Vec::<String>::new());
    let source = &report["sources"][0];
    assert_eq!(source["name"], "tap");
    assert_eq!(source["last_poll"]["outcome"], "ok");
    assert!(source["last_success"].is_string(), "{source:#}");
    assert_eq!(source["consecutive_failures"], 0);
    assert_eq!(source["last_error"], Value::Null);
    assert_eq!(source["zero_rows_since"], Value::Null);
    assert!(source["last_poll"]["warnings"].is_array(), "{source:#}");
    // 09:00 in Riga on a Tuesday: the next "10 7-19 * * MON-FRI" poll is at 09:10 (06:10 UTC).
    assert_eq!(source["next_poll"], "2026-09-15T06:10:00Z");
    assert_eq!(report["outbox"]["sent"], 1);
    assert_eq!(report["outbox"]["pending"], 0);
    assert_eq!(report["outbox"]["failed"], 0);
    assert_eq!(report["watchlists"]["loaded"], true);
    let names = report["watchlists"]["names"].as_array().expect("names");
    assert!(names.contains(&Value::from("berni")), "{names:?}");
    let version = report["watchlists"]["version"].as_str().expect("a version");
    assert_eq!(version.len(), 16, "{version}");
    let recipient = &report["recipients"][0];
    assert_eq!(recipient["name"], "Bērnu labklājības tīkls");
    assert_eq!(recipient["last_digest"]["status"], "sent");
    assert!(recipient["last_sent_at"].is_string(), "{recipient:#}");

    let lines = setup.run(&["status"]).await;
    assert_eq!(lines.status.code(), Some(0));
    let text = stdout(&lines);
    assert!(
        text.starts_with("draftwatch status at 2026-09-15 09:00 EEST: healthy\n"),
        "{text}"
    );
    for expected in [
        "source tap\n",
        "  next poll          2026-09-15 09:10 EEST\n",
        "  failures in a row  0\n",
        &format!("  version            {version}\n"),
        "  last sent          2026-09-15 09:00 EEST\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(!text.contains("needs attention"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_a_failing_source_exits_1_after_its_period_or_three_failures() {
    let server = broken_portal().await;
    let setup = Setup::new(&server.uri(), cli_harness::FILE_MAIL, &["berni"]);
    assert_eq!(setup.run(&["poll"]).await.status.code(), Some(1));

    // One failure, the next scheduled poll (09:10) not yet due: reported, not alarming.
    let (code, report) = status_json(&setup, "2026-09-15T09:05:00+03:00").await;
    assert_eq!(code, Some(0), "{report:#}");
    let source = &report["sources"][0];
    assert_eq!(source["consecutive_failures"], 1);
    assert_eq!(source["last_error"]["kind"], "fetch");
    assert!(
        source["last_error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("500")),
        "{source:#}"
    );
    assert_eq!(source["last_success"], Value::Null);

    // The poll scheduled after the failure (09:10, plus the poll's own time) never
    // succeeded: failing for longer than its schedule period.
    let (code, report) = status_json(&setup, "2026-09-15T09:30:00+03:00").await;
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["healthy"], false);
    let said = attention(&report);
    assert!(
        said.iter()
            .any(|s| s.starts_with("source tap: failing since 2026-09-15 09:00 EEST")),
        "{said:?}"
    );

    // Three failed polls in a row need attention whatever the schedule says.
    for now in ["2026-09-15T09:02:00+03:00", "2026-09-15T09:04:00+03:00"] {
        assert_eq!(setup.run_at(now, &["poll"]).await.status.code(), Some(1));
    }
    let (code, report) = status_json(&setup, "2026-09-15T09:05:00+03:00").await;
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        attention(&report),
        ["source tap: 3 polls failed in a row".to_owned()]
    );
    let lines = setup.run_at("2026-09-15T09:05:00+03:00", &["status"]).await;
    assert_eq!(lines.status.code(), Some(1));
    let text = stdout(&lines);
    assert!(text.contains(": NEEDS ATTENTION\n"), "{text}");
    assert!(text.contains("  failures in a row  3 (since "), "{text}");
    assert!(
        text.contains("  last error         2026-09-15 09:04 EEST [fetch] "),
        "{text}"
    );
    assert!(
        text.contains("needs attention\n  - source tap: 3 polls failed in a row\n"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_with_a_refused_digest_exits_1_until_it_is_sent() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());
    sink.refuse_next(Stage::Rcpt, 550, 1);
    assert_eq!(setup.run(&["digest"]).await.status.code(), Some(1));

    let (code, report) = status_json(&setup, NOW).await;
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["outbox"]["failed"], 1);
    let recipient = &report["recipients"][0];
    assert_eq!(recipient["last_digest"]["status"], "failed_permanent");
    assert_eq!(recipient["unresolved_failed"], 1);
    assert_eq!(recipient["last_sent_at"], Value::Null);
    let said = attention(&report);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("recipient Bērnu labklājības tīkls: 1 digest(s) refused for good"),
        "{said:?}"
    );

    // The admin fixed the address and sent it again: settled.
    let id = recipient["last_digest"]["id"].to_string();
    let resend = setup.run(&["outbox", "--resend", &id]).await;
    assert!(resend.status.success(), "{}", stderr(&resend));
    assert_eq!(sink.messages()[0].to, [ADDRESS]);
    let (code, report) = status_json(&setup, NOW).await;
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["recipients"][0]["unresolved_failed"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_exits_1_for_a_digest_pending_over_an_hour() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());
    sink.refuse_next(Stage::Data, 451, 1);
    assert_eq!(setup.run(&["digest"]).await.status.code(), Some(1));

    let (code, report) = status_json(&setup, "2026-09-15T09:05:00+03:00").await;
    assert_eq!(
        code,
        Some(0),
        "a few minutes pending is routine: {report:#}"
    );
    assert_eq!(report["outbox"]["pending"], 1);
    assert!(report["outbox"]["oldest_pending"].is_string(), "{report:#}");

    let (code, report) = status_json(&setup, "2026-09-15T10:01:00+03:00").await;
    assert_eq!(code, Some(1), "{report:#}");
    let said = attention(&report);
    assert!(
        said.iter()
            .any(|s| s
                .starts_with("outbox: a digest built at 2026-09-15 09:00 EEST is still pending")),
        "{said:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_reports_watchlists_that_do_not_load_and_sources_never_polled() {
    let setup = Setup::new("http://127.0.0.1:9", cli_harness::FILE_MAIL, &["berni"]);
    let broken = setup.dir.path().join("watchlists");
    std::fs::create_dir(&broken).expect("folder");
    std::fs::write(broken.join("berni.toml"), "name = \n").expect("broken watchlist");
    let config = std::fs::read_to_string(&setup.config).expect("config");
    let config = config
        .lines()
        .map(|line| {
            if line.starts_with("watchlists_dir") {
                "watchlists_dir = \"watchlists\"".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&setup.config, config).expect("config");

    let (code, report) = status_json(&setup, NOW).await;
    assert_eq!(code, Some(1), "not 78: status reports it: {report:#}");
    assert_eq!(report["watchlists"]["loaded"], false);
    assert_eq!(report["watchlists"]["version"], Value::Null);
    let error = report["watchlists"]["error"].as_str().expect("the error");
    assert!(error.contains("berni.toml:1:"), "{error}");
    let said = attention(&report);
    assert!(
        said.contains(&"source tap: never polled".to_owned()),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|s| s.starts_with("watchlists: do not load: ")),
        "{said:?}"
    );
    assert!(
        !setup.store_path().exists(),
        "status does not create the store"
    );
}
