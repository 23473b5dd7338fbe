//! The whole path, through the binary: a simulated TAP portal (the real captured list page)
//! → `draftwatch poll` → SQLite → `drafts` → `digest` over SMTP to a real (in-process) SMTP
//! server → MIME parsed and checked. Also: nothing is added or sent twice, and a crash
//! between the server's acceptance and the delivery record repeats a digest, never loses it.

mod cli_harness;
mod support;

use std::process::Output;

use chrono::NaiveDate;
use cli_harness::{Setup, portal, smtp_mail, stderr, stdout};
use serde_json::Value;
use support::smtp::SmtpSink;

/// The 25 rows of the captured page, as extracted independently of our parser.
struct ExpectedRow {
    id: String,
    title: String,
    from: NaiveDate,
    to: NaiveDate,
    url: String,
}

fn expected_rows() -> Vec<ExpectedRow> {
    let text = std::fs::read_to_string(support::fixture(
        "tap/public_participation_page1_rows.jsonl",
    ))
    .expect("expected rows fixture");
    let date = |v: &Value| {
        NaiveDate::parse_from_str(v.as_str().expect("date string"), "%d.%m.%Y.")
            .expect("dd.mm.yyyy.")
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("jsonl row");
            ExpectedRow {
                id: v["identificator"].as_str().expect("id").to_string(),
                title: v["title"].as_str().expect("title").to_string(),
                from: date(&v["from"]),
                to: date(&v["to"]),
                url: v["url"].as_str().expect("url").to_string(),
            }
        })
        .collect()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_store_match_and_digest_exactly_once() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);

    // Poll: all 25 rows stored although every detail page answers 404.
    let poll = setup.run(&["poll"]).await;
    assert!(poll.status.success(), "poll failed: {}", stderr(&poll));
    assert!(
        stdout(&poll).contains("25 drafts seen, 25 new, 0 changed"),
        "{}",
        stdout(&poll)
    );
    assert!(
        stdout(&poll).contains("25 detail pages failed"),
        "{}",
        stdout(&poll)
    );
    assert!(
        stdout(&poll).contains("26 requests (1 list, 25 detail, 0 re-check)"),
        "the requests the poll made: {}",
        stdout(&poll)
    );
    assert!(
        stderr(&poll).contains("404"),
        "detail failures are logged: {}",
        stderr(&poll)
    );

    // Every row with its window exactly as captured.
    let drafts = json_lines(&setup.run(&["drafts", "--json"]).await);
    let expected = expected_rows();
    assert_eq!(expected.len(), 25);
    assert_eq!(drafts.len(), 25);
    for row in &expected {
        let draft = drafts
            .iter()
            .find(|d| {
                // The portal is simulated, so compare the path, which carries the record's UUID.
                let path = row.url.trim_start_matches("https://tapportals.mk.gov.lv");
                d["url"].as_str().is_some_and(|u| u.ends_with(path))
            })
            .unwrap_or_else(|| panic!("{} stored", row.id));
        assert_eq!(draft["id"], row.id.as_str());
        assert_eq!(draft["title"], row.title.as_str());
        assert_eq!(draft["source"], "tap");
        assert_eq!(
            draft["window_from"],
            row.from.to_string().as_str(),
            "{}",
            row.id
        );
        assert_eq!(
            draft["window_to"],
            row.to.to_string().as_str(),
            "{}",
            row.id
        );
    }

    // --open lists exactly the drafts whose window includes 15.09.2026.
    let today = NaiveDate::from_ymd_opt(2026, 9, 15).expect("date");
    let mut open: Vec<String> = json_lines(&setup.run(&["drafts", "--open", "--json"]).await)
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect();
    let mut expected_open: Vec<String> = expected
        .iter()
        .filter(|r| r.from <= today && today <= r.to)
        .map(|r| r.id.clone())
        .collect();
    open.sort();
    expected_open.sort();
    assert!(
        !expected_open.is_empty() && expected_open.len() < 25,
        "the sample mixes open and closed windows"
    );
    assert_eq!(open, expected_open);
    let hit = drafts
        .iter()
        .find(|d| d["id"] == "26-TA-2228")
        .expect("26-TA-2228");
    let hit_lists = hit["watchlists"].as_array().expect("watchlists array");
    assert!(hit_lists.contains(&Value::from("berni")), "{hit_lists:?}");

    // A second poll adds nothing.
    let again = setup.run(&["poll"]).await;
    assert!(
        stdout(&again).contains("0 new, 0 changed"),
        "{}",
        stdout(&again)
    );

    // The digest: over SMTP, valid MIME with both parts, Latvian days left.
    let digest = setup.run(&["digest"]).await;
    assert!(
        digest.status.success(),
        "digest failed: {}",
        stderr(&digest)
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, ["koordinators@example.org"]);
    let mail = support::parse_mail(&messages[0].data);
    assert!(
        mail.content_type.starts_with("multipart/"),
        "{}",
        mail.content_type
    );
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    for part in [&mail.text, &mail.html] {
        let at = part.find("26-TA-2228").expect("26-TA-2228 in both parts");
        let tail = &part[at..];
        let next_item = tail[10..]
            .find("-TA-")
            .map(|i| i + 10)
            .unwrap_or(tail.len());
        assert!(
            tail[..next_item].contains("atlikušas 10 dienas"),
            "days left beside 26-TA-2228"
        );
    }
    assert!(
        mail.html
            .contains("Par audzinoša rakstura piespiedu līdzekļu piemērošanu")
    );

    // Running the same scheduled digest again sends nothing, and neither does the next day's.
    let same = setup.run(&["digest"]).await;
    assert!(same.status.success(), "{}", stderr(&same));
    assert_eq!(sink.messages().len(), 1, "one digest per scheduled time");
    let second = setup.run_at("2026-09-16T08:00:00+03:00", &["digest"]).await;
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(sink.messages().len(), 1, "nothing is sent twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn crash_between_send_and_mark_repeats_never_loses() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());

    // The server accepts the digest, then the process dies before recording the delivery.
    let crashed = setup
        .run_at_with_env(
            cli_harness::NOW,
            &["digest"],
            &[("DRAFTWATCH_FAILPOINT", "after-send")],
        )
        .await;
    assert_eq!(crashed.status.code(), Some(86), "{}", stderr(&crashed));
    assert_eq!(sink.messages().len(), 1);

    // Nothing was recorded, so the next run delivers the same drafts again: at worst a repeat.
    let retry = setup.run(&["digest"]).await;
    assert!(retry.status.success(), "{}", stderr(&retry));
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    let mail = support::parse_mail(&messages[1].data);
    assert!(mail.text.contains("26-TA-2228"));

    // Same Message-ID: a repeat of the same digest, which clients de-duplicate.
    let first = support::parse_mail(&messages[0].data);
    assert_eq!(first.message_id, mail.message_id);

    // And then it is recorded: the next day's run sends nothing.
    assert!(
        setup
            .run_at("2026-09-16T08:00:00+03:00", &["digest"])
            .await
            .status
            .success()
    );
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_digest_is_sent_on_the_next_run() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());

    sink.refuse_next(support::smtp::Stage::Data, 451, 1);
    let refused = setup.run(&["digest"]).await;
    assert_eq!(
        refused.status.code(),
        Some(1),
        "a failed delivery fails the command"
    );
    assert!(
        stdout(&refused).contains("451") || stderr(&refused).contains("451"),
        "{}{}",
        stdout(&refused),
        stderr(&refused)
    );
    assert!(sink.messages().is_empty());

    // A temporary refusal is retried after its back-off, here ten minutes later.
    let retry = setup.run_at("2026-09-15T09:10:00+03:00", &["digest"]).await;
    assert!(retry.status.success(), "{}", stderr(&retry));
    assert_eq!(sink.messages().len(), 1, "delivered on the next run");
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_and_records_nothing() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());

    let dry = setup.run(&["digest", "--dry-run"]).await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("26-TA-2228"), "{}", stdout(&dry));
    assert!(sink.messages().is_empty());

    assert!(setup.run(&["digest"]).await.status.success());
    assert_eq!(sink.messages().len(), 1, "the dry run recorded nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn crash_between_recording_and_sending_delivers_exactly_once() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());

    // The digest is recorded in the outbox, then the process dies before sending it.
    let crashed = setup
        .run_at_with_env(
            cli_harness::NOW,
            &["digest"],
            &[("DRAFTWATCH_FAILPOINT", "before-send")],
        )
        .await;
    assert_eq!(crashed.status.code(), Some(86), "{}", stderr(&crashed));
    assert!(sink.messages().is_empty());

    // After the restart the recorded digest goes out once, and only once.
    assert!(setup.run(&["digest"]).await.status.success());
    assert_eq!(sink.messages().len(), 1);
    assert!(
        support::parse_mail(&sink.messages()[0].data)
            .text
            .contains("26-TA-2228")
    );
    assert!(
        setup
            .run_at("2026-09-16T08:00:00+03:00", &["digest"])
            .await
            .status
            .success()
    );
    assert_eq!(sink.messages().len(), 1);
}

/// `draftwatch digest --dry-run --recipient NAME` prints exactly what would be sent; the
/// output (Date, Message-ID and the simulated portal's port redacted) is compared with a
/// committed snapshot (tests/snapshots/pipeline__cli_digest_dry_run.snap);
/// `INSTA_UPDATE=always cargo test --test pipeline` rewrites it after a deliberate change.
#[tokio::test(flavor = "multi_thread")]
async fn dry_run_for_one_recipient_matches_snapshot() {
    let server = portal().await;
    let sink = SmtpSink::start().await;
    let setup = Setup::new(&server.uri(), &smtp_mail(sink.port()), &["berni"]);
    assert!(setup.run(&["poll"]).await.status.success());

    let dry = setup
        .run(&[
            "digest",
            "--dry-run",
            "--recipient",
            "Bērnu labklājības tīkls",
        ])
        .await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    let output: String = stdout(&dry)
        .replace(&server.uri(), "http://PORTAL")
        .lines()
        .map(|line| {
            if line.starts_with("Date: ") {
                "Date: [redacted]".to_string()
            } else if line.starts_with("Message-ID: ") {
                "Message-ID: [redacted]".to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("cli_digest_dry_run", output);
    assert!(sink.messages().is_empty());
}
