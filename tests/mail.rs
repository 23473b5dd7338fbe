//! Digest selection, Latvian wording, rendering and escaping, and both mailers (SMTP against
//! the in-process sink, `.eml` files).

mod support;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use draftwatch::config::{Config, EMBEDDED_CONFIG, Language, PasswordSource, TlsMode};
use draftwatch::digest::render::build_message;
use draftwatch::digest::{
    DigestContext, EvaluatedDraft, RecipientOutcome, RenderedDigest, Templates, WindowState,
    days_left_phrase, deliver_due_digests, format_window, highlight_html, select_items,
};
use draftwatch::mailer::new_message_id;
use draftwatch::mailer::{FileMailer, MailError, Mailer, SmtpMailer};
use draftwatch::matcher::{Field, WatchlistSet};
use draftwatch::model::CommentWindow;
use draftwatch::store::{NewOutboxEntry, OutboxStatus, SharedStore, Store};
use lettre::message::Mailbox;
use support::smtp::{SmtpSink, Stage, Stall};
use support::*;

fn sender() -> Mailbox {
    "draftwatch <draftwatch@biedriba.lv>"
        .parse()
        .expect("valid sender")
}

/// Today is 15.09.2026 in every test.
fn today() -> chrono::NaiveDate {
    day(2026, 9, 15)
}

/// Three drafts caught by "bērni", one by another list only, one already delivered.
fn sample_drafts() -> Vec<EvaluatedDraft> {
    let title_a = "Grozījumi Bērnu tiesību aizsardzības likumā";
    let title_b = "Par ģimenes valsts pabalstu <script>alert('x')</script> & citi";
    let title_c = "Audžuģimeņu noteikumi";
    let mut b = draft_with_window(2, title_b, day(2026, 9, 1), day(2026, 9, 25));
    b.ministry = Some("Labklājības <b>ministrija</b>".to_owned());
    let mut c = draft(3, title_c);
    let description =
        "Noteikumi nosaka kārtību, kādā audžuģimenes saņem atlīdzību par bērna aprūpi.";
    c.description = Some(description.to_owned());
    vec![
        EvaluatedDraft {
            draft: draft_with_window(1, title_a, day(2026, 9, 1), day(2026, 9, 17)),
            verdicts: vec![
                fired("bērni", vec![hit(Field::Title, title_a, "Bērnu")]),
                not_fired("ģimene"),
            ],
        },
        EvaluatedDraft {
            draft: b,
            verdicts: vec![
                not_fired("bērni"),
                fired("ģimene", vec![hit(Field::Title, title_b, "ģimenes")]),
            ],
        },
        EvaluatedDraft {
            draft: c,
            verdicts: vec![fired(
                "bērni",
                vec![
                    hit(Field::Title, title_c, "Audžuģimeņu"),
                    hit(Field::Description, description, "bērna"),
                ],
            )],
        },
        EvaluatedDraft {
            draft: draft_with_window(4, "Būvniecības likums", day(2026, 9, 1), day(2026, 9, 30)),
            verdicts: vec![fired("būvniecība", vec![])],
        },
        EvaluatedDraft {
            draft: draft_with_window(5, "Jau nosūtīts bērnu projekts", today(), today()),
            verdicts: vec![fired("bērni", vec![])],
        },
    ]
}

fn render_sample(language: Language) -> RenderedDigest {
    let drafts = sample_drafts();
    let who = recipient(
        "Biedrība",
        &["Anna Bērziņa <anna@biedriba.lv>", "birojs@biedriba.lv"],
        &["bērni", "ģimene"],
        language,
    );
    let delivered: HashSet<i64> = [5].into();
    let items = select_items(&who, &drafts, &delivered, today());
    Templates::embedded()
        .expect("embedded templates compile")
        .render(&who, &items, today())
        .expect("render")
}

#[test]
fn latvian_days_left_words() {
    let window_to = |to| CommentWindow {
        from: day(2026, 9, 1),
        to,
    };
    let cases = [
        (today(), "termiņš beidzas šodien"),
        (day(2026, 9, 16), "atlikusi 1 diena"),
        (day(2026, 9, 17), "atlikušas 2 dienas"),
        (day(2026, 9, 25), "atlikušas 10 dienas"),
        (day(2026, 9, 26), "atlikušas 11 dienas"),
        (day(2026, 10, 6), "atlikusi 21 diena"),
        (day(2026, 10, 16), "atlikusi 31 diena"),
        (day(2027, 1, 3), "atlikušas 110 dienas"),
        (day(2027, 1, 4), "atlikušas 111 dienas"),
        (day(2026, 9, 14), "termiņš beidzies"),
        (day(2026, 8, 1), "termiņš beidzies"),
    ];
    for (to, expected) in cases {
        let state = WindowState::of(Some(&window_to(to)), today());
        assert_eq!(days_left_phrase(state, Language::Lv), expected, "to {to}");
    }
    let later = CommentWindow {
        from: day(2026, 10, 1),
        to: day(2026, 10, 20),
    };
    let not_started = WindowState::of(Some(&later), today());
    assert_eq!(
        days_left_phrase(not_started, Language::Lv),
        "vēl nav sācies"
    );
    assert_eq!(
        days_left_phrase(WindowState::of(None, today()), Language::Lv),
        "nav noteikts"
    );
    assert_eq!(
        days_left_phrase(WindowState::Open(1), Language::En),
        "1 day left"
    );
    assert_eq!(
        days_left_phrase(WindowState::Open(21), Language::En),
        "21 days left"
    );
    assert_eq!(format_window(&later), "01.10.2026. – 20.10.2026.");
}

#[test]
fn subject_counts_and_names_the_nearest_deadline() {
    use draftwatch::digest::lang::subject;
    assert_eq!(
        subject(3, Some(day(2026, 9, 25)), Language::Lv),
        "draftwatch: 3 projekti komentēšanai (tuvākais termiņš 25.09.2026.)"
    );
    assert_eq!(
        subject(1, None, Language::Lv),
        "draftwatch: 1 projekts komentēšanai"
    );
    assert_eq!(
        subject(21, None, Language::Lv),
        "draftwatch: 21 projekts komentēšanai"
    );
    assert_eq!(
        subject(11, None, Language::Lv),
        "draftwatch: 11 projekti komentēšanai"
    );
    assert_eq!(
        subject(2, Some(day(2026, 9, 25)), Language::En),
        "draftwatch: 2 drafts open for comment (nearest deadline 25.09.2026.)"
    );
}

#[test]
fn selection_keeps_only_fired_undelivered_drafts_of_the_recipients_lists() {
    let drafts = sample_drafts();
    let who = recipient("B", &["b@biedriba.lv"], &["bērni", "ģimene"], Language::Lv);
    let delivered: HashSet<i64> = [5].into();
    let ids: Vec<i64> = select_items(&who, &drafts, &delivered, today())
        .iter()
        .map(|item| item.draft.id)
        .collect();
    // 1 closes in 2 days, 2 in 10 days, 3 has no window; 4 is another list's, 5 delivered.
    assert_eq!(ids, vec![1, 2, 3]);

    let only_family = recipient("C", &["c@biedriba.lv"], &["ģimene"], Language::Lv);
    let items = select_items(&only_family, &drafts, &HashSet::new(), today());
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].matches.len(), 1);
    assert_eq!(items[0].matches[0].watchlist, "ģimene");

    let nobody = recipient("D", &["d@biedriba.lv"], &["nav tāda"], Language::Lv);
    assert!(select_items(&nobody, &drafts, &HashSet::new(), today()).is_empty());
}

#[test]
fn ordering_open_by_days_left_then_no_window_then_closed() {
    let w = |id, from, to| EvaluatedDraft {
        draft: draft_with_window(id, "Bērni", from, to),
        verdicts: vec![fired("bērni", vec![])],
    };
    let drafts = vec![
        w(10, day(2026, 9, 1), day(2026, 9, 10)), // closed 5 days ago
        EvaluatedDraft {
            draft: draft(11, "Bērni"),
            verdicts: vec![fired("bērni", vec![])],
        },
        w(12, day(2026, 9, 1), day(2026, 9, 30)), // 15 days left
        w(13, day(2026, 9, 1), day(2026, 9, 14)), // closed yesterday
        w(14, day(2026, 9, 1), today()),          // closes today
        w(15, day(2026, 9, 20), day(2026, 9, 22)), // not started, 7 days left
        w(16, day(2026, 9, 1), day(2026, 9, 22)), // 7 days left, same as 15
    ];
    let who = recipient("B", &["b@biedriba.lv"], &["bērni"], Language::Lv);
    let ids: Vec<i64> = select_items(&who, &drafts, &HashSet::new(), today())
        .iter()
        .map(|item| item.draft.id)
        .collect();
    assert_eq!(ids, vec![14, 15, 16, 12, 11, 13, 10]);
}

#[test]
fn highlight_escapes_first_then_marks_multibyte_spans() {
    let title = "Ģimenes <b>un</b> bērnu “tiesības” & Žūrija";
    let hits = [
        hit(Field::Title, title, "Ģimenes"),
        hit(Field::Title, title, "bērnu"),
        hit(Field::Title, title, "Žūrija"),
    ];
    let spans: Vec<_> = hits.iter().map(|hit| hit.span.clone()).collect();
    assert_eq!(
        highlight_html(title, &spans),
        "<mark>Ģimenes</mark> &lt;b&gt;un&lt;&#x2F;b&gt; <mark>bērnu</mark> “tiesības” &amp; <mark>Žūrija</mark>"
    );
    // A span that would end inside "ū" (2 bytes) is ignored rather than splitting it.
    let start = title.find("Žū").unwrap_or_default();
    assert!(!highlight_html(title, std::slice::from_ref(&(start..start + 3))).contains("<mark>"));
}

#[test]
fn rendered_digest_escapes_user_data_and_marks_matches() {
    let digest = render_sample(Language::Lv);
    assert_eq!(digest.draft_ids, vec![1, 2, 3]);
    assert_eq!(
        digest.subject,
        "draftwatch: 2 projekti komentēšanai (tuvākais termiņš 17.09.2026.), 1 jauns projekts saskaņošanā"
    );
    let html = &digest.html;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert("), "{html}");
    assert!(!html.contains("<b>ministrija</b>"), "{html}");
    assert!(
        html.to_lowercase()
            .contains("labklājības &lt;b&gt;ministrija&lt;&#x2f;b&gt;"),
        "{html}"
    );
    assert!(
        html.contains("Grozījumi <mark>Bērnu</mark> tiesību"),
        "{html}"
    );
    assert!(html.contains("Par <mark>ģimenes</mark> valsts"), "{html}");
    assert!(
        html.contains("<mark>bērna</mark>"),
        "description excerpt: {html}"
    );
    assert!(html.contains("26-TA-1"));
    assert!(html.contains("01.09.2026. – 17.09.2026."));
    assert!(html.contains("atlikušas 2 dienas"));
    assert!(html.contains("atlikušas 10 dienas"));
    assert!(html.contains("nav noteikts"));
    assert!(html.contains("href=\"https://tapportals.mk.gov.lv/public_participation/1\""));
    // The plain-text part carries the same facts, unescaped.
    let text = &digest.text;
    assert!(text.contains("Par ģimenes valsts pabalstu <script>alert('x')</script> & citi"));
    assert!(text.contains("bērni (Bērnu)"), "{text}");
    assert!(text.contains("Labklājības <b>ministrija</b>"));
    assert!(text.contains("https://tapportals.mk.gov.lv/public_participation/3"));
    // Order in the text follows the selection.
    let pos = |needle: &str| text.find(needle).unwrap_or(usize::MAX);
    assert!(pos("26-TA-1") < pos("26-TA-2") && pos("26-TA-2") < pos("26-TA-3"));
}

#[test]
fn english_recipient_gets_english_words() {
    let digest = render_sample(Language::En);
    assert!(
        digest
            .subject
            .starts_with("draftwatch: 2 drafts open for comment")
    );
    assert!(digest.text.contains("2 days left"), "{}", digest.text);
    assert!(digest.html.contains("lang=\"en\""));
}

#[test]
fn non_web_links_are_not_clickable() {
    let mut bad = draft(7, "Bērni");
    bad.url = "javascript:alert(1)".to_owned();
    let drafts = vec![EvaluatedDraft {
        draft: bad,
        verdicts: vec![fired("bērni", vec![])],
    }];
    let who = recipient("B", &["b@biedriba.lv"], &["bērni"], Language::Lv);
    let items = select_items(&who, &drafts, &HashSet::new(), today());
    let digest = Templates::embedded()
        .and_then(|templates| templates.render(&who, &items, today()))
        .expect("render");
    assert!(
        !digest.html.contains("href=\"javascript"),
        "{}",
        digest.html
    );
}

#[test]
fn template_override_folder_replaces_one_template() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("digest.txt.j2"),
        "{% for item in items %}* {{ item.display_id }}\n{% endfor %}",
    )
    .expect("write override");
    let templates = Templates::with_overrides(dir.path()).expect("load");
    let drafts = sample_drafts();
    let who = recipient("B", &["b@biedriba.lv"], &["bērni"], Language::Lv);
    let items = select_items(&who, &drafts, &HashSet::new(), today());
    let digest = templates.render(&who, &items, today()).expect("render");
    assert_eq!(digest.text, "* 26-TA-5\n* 26-TA-1\n* 26-TA-3\n");
    assert!(
        digest.html.contains("<mark>Bērnu</mark>"),
        "html stays embedded"
    );

    std::fs::write(dir.path().join("digest.html.j2"), "{{ no_such_variable }}")
        .expect("write broken override");
    let broken = Templates::with_overrides(dir.path()).expect("syntax is fine");
    let error = broken
        .render(&who, &items, today())
        .expect_err("undefined variable is an error");
    assert!(error.to_string().contains("digest.html.j2"), "{error}");
}

fn sample_message(message_id: &str) -> lettre::Message {
    let digest = render_sample(Language::Lv);
    let who = recipient(
        "Biedrība",
        &["Anna Bērziņa <anna@biedriba.lv>", "birojs@biedriba.lv"],
        &["bērni", "ģimene"],
        Language::Lv,
    );
    build_message(&sender(), &who, &digest, message_id, utc(2026, 9, 15, 6, 0))
        .expect("build message")
}

#[tokio::test]
async fn smtp_mailer_delivers_a_valid_multipart_digest() {
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    let message_id = new_message_id(&sender(), "Biedrība", utc(2026, 9, 15, 6, 0));
    assert!(message_id.starts_with('<') && message_id.ends_with("@biedriba.lv>"));
    mailer
        .send(&sample_message(&message_id))
        .await
        .expect("sink accepts");

    let received = sink.messages();
    assert_eq!(received.len(), 1);
    let envelope = &received[0];
    assert_eq!(envelope.from, "draftwatch@biedriba.lv");
    assert_eq!(envelope.to, vec!["anna@biedriba.lv", "birojs@biedriba.lv"]);

    let mail = parse_mail(&envelope.data);
    assert_eq!(
        mail.subject,
        "draftwatch: 2 projekti komentēšanai (tuvākais termiņš 17.09.2026.), 1 jauns projekts saskaņošanā"
    );
    assert!(
        mail.content_type.starts_with("multipart/alternative"),
        "{}",
        mail.content_type
    );
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    assert_eq!(format!("<{}>", mail.message_id), message_id);
    assert_eq!(mail.to, vec!["anna@biedriba.lv", "birojs@biedriba.lv"]);
    assert_eq!(mail.from, "draftwatch@biedriba.lv");
    assert!(mail.has_date);
    assert!(
        mail.text
            .contains("Grozījumi Bērnu tiesību aizsardzības likumā")
    );
    assert!(mail.html.contains("<mark>Bērnu</mark>"));
    assert!(mail.html.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn refusal_550_is_permanent_and_names_the_server() {
    let sink = SmtpSink::start().await;
    sink.refuse_recipient("birojs@biedriba.lv", 550);
    let mailer = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    let error = mailer
        .send(&sample_message("<a@biedriba.lv>"))
        .await
        .expect_err("550 refuses");
    assert!(error.is_permanent(), "{error:?}");
    assert_eq!(error.smtp_code(), Some(550));
    assert!(
        error
            .to_string()
            .contains(&format!("127.0.0.1:{}", sink.port())),
        "{error}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn refusal_451_is_transient_and_a_retry_succeeds() {
    let sink = SmtpSink::start().await;
    sink.refuse_next(Stage::Data, 451, 1);
    let mailer = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    let message = sample_message("<b@biedriba.lv>");
    let error = mailer.send(&message).await.expect_err("451 refuses");
    assert!(error.is_transient() && !error.is_permanent(), "{error:?}");
    assert_eq!(error.smtp_code(), Some(451));
    assert!(sink.messages().is_empty());
    mailer
        .send(&message)
        .await
        .expect("second attempt accepted");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let port = free_port();
    let mut config = local_smtp(port);
    config.timeout = Duration::from_secs(2);
    let mailer = SmtpMailer::new(&config).expect("mailer");
    let error = mailer
        .send(&sample_message("<c@biedriba.lv>"))
        .await
        .expect_err("nobody listens");
    assert!(error.is_transient(), "{error:?}");
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
}

#[test]
fn password_never_appears_in_debug_output() {
    let dir = temp_dir();
    let secret = "Sl3pen-Parole-ŗ";
    let path = dir.path().join("smtp-password");
    std::fs::write(&path, format!("{secret}\n")).expect("write password");
    let mut config = local_smtp(2525);
    config.tls = TlsMode::Starttls;
    config.host = "smtp.example.lv".to_owned();
    config.username = Some("draftwatch".to_owned());
    config.password = PasswordSource::File(path);
    let mailer = SmtpMailer::new(&config).expect("mailer");
    let debug = format!("{mailer:?} {config:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("smtp.example.lv:2525"), "{debug}");
}

#[test]
fn missing_password_is_a_clear_error_at_construction() {
    let dir = temp_dir();
    let mut config = local_smtp(2525);
    config.username = Some("draftwatch".to_owned());
    config.password = PasswordSource::File(dir.path().join("absent"));
    let error = SmtpMailer::new(&config).expect_err("file missing");
    assert!(matches!(error, MailError::PasswordFile { .. }), "{error:?}");
    assert!(error.to_string().contains("absent"), "{error}");

    // The environment source: only checkable when this machine has neither source set.
    if std::env::var_os("DRAFTWATCH_SMTP_PASSWORD").is_none()
        && std::env::var_os("CREDENTIALS_DIRECTORY").is_none()
    {
        config.password = PasswordSource::Environment;
        let error = SmtpMailer::new(&config).expect_err("no password anywhere");
        assert!(
            matches!(error, MailError::MissingPassword { .. }),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.contains("DRAFTWATCH_SMTP_PASSWORD") && text.contains("draftwatch"));
    }
}

#[tokio::test]
async fn file_mailer_writes_parseable_eml_atomically() {
    let dir = temp_dir();
    let out = dir.path().join("nested").join("outbox");
    let mailer = FileMailer::new(out.clone());
    mailer
        .send(&sample_message("<f1@biedriba.lv>"))
        .await
        .expect("first file");
    mailer
        .send(&sample_message("<f2@biedriba.lv>"))
        .await
        .expect("second file");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("outbox exists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(name.ends_with(".eml") && !name.starts_with('.'), "{name}");
        assert!(name.contains("-anna-biedriba-lv-"), "{name}");
        assert!(name.starts_with("20"), "{name}");
        let mail = parse_mail(&std::fs::read(out.join(name)).expect("read eml"));
        assert!(mail.subject.contains("komentēšanai"));
        assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    }
}

#[tokio::test]
async fn file_mailer_reports_an_unwritable_folder() {
    let dir = temp_dir();
    let blocker = dir.path().join("file-not-folder");
    std::fs::write(&blocker, "x").expect("write");
    let mailer = FileMailer::new(blocker.join("outbox"));
    let error = mailer
        .send(&sample_message("<g@biedriba.lv>"))
        .await
        .expect_err("cannot create a folder under a file");
    assert!(matches!(error, MailError::File { .. }), "{error:?}");
    assert!(error.is_transient());
}

/// The conversation limit in the stall tests: short, since the servers never answer.
const SHORT_SMTP_TIMEOUT: Duration = Duration::from_secs(1);

/// Far longer than [`SHORT_SMTP_TIMEOUT`]: reaching it means the mailer hung (the defect).
const HANG_GUARD: Duration = Duration::from_secs(60);

/// A mailer for `sink` with the short conversation limit; with `login` it authenticates
/// (needed to reach AUTH). The folder holds the password file.
fn stalling_setup(sink: &SmtpSink, login: bool) -> (SmtpMailer, tempfile::TempDir) {
    let dir = temp_dir();
    let mut config = local_smtp(sink.port());
    config.timeout = SHORT_SMTP_TIMEOUT;
    if login {
        let path = dir.path().join("smtp-password");
        std::fs::write(&path, "parole\n").expect("write password");
        config.username = Some("draftwatch".to_owned());
        config.password = PasswordSource::File(path);
    }
    (SmtpMailer::new(&config).expect("mailer"), dir)
}

/// Send through a sink stalling as `stall`: the send must end by itself with a temporary
/// timeout error that names the server, after the sink began to stall where intended.
async fn assert_stall_times_out(stall: Stall, login: bool) {
    let sink = SmtpSink::start().await;
    sink.stall(Some(stall));
    let (mailer, _dir) = stalling_setup(&sink, login);
    let message = sample_message("<stall@biedriba.lv>");
    let outcome = tokio::time::timeout(HANG_GUARD, mailer.send(&message))
        .await
        .expect("the mailer gives up by itself instead of hanging");
    let error = outcome.expect_err("a stalled conversation is not a delivery");
    assert!(matches!(error, MailError::Timeout { .. }), "{error:?}");
    assert!(error.is_transient(), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{}", sink.port())),
        "{text}"
    );
    assert!(text.contains("[mail.smtp] timeout"), "{text}");
    assert_eq!(sink.stalls_begun(), 1, "stalled at {stall:?}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn smtp_server_silent_after_connect_times_out() {
    assert_stall_times_out(Stall::SilentAfterConnect, false).await;
}

#[tokio::test]
async fn smtp_server_stalling_in_data_times_out() {
    assert_stall_times_out(Stall::InData, false).await;
}

#[tokio::test]
async fn smtp_server_trickling_bytes_times_out() {
    assert_stall_times_out(Stall::ByteTrickle, false).await;
}

#[tokio::test]
async fn smtp_server_slow_to_answer_auth_times_out() {
    assert_stall_times_out(Stall::Auth, true).await;
}

#[tokio::test]
async fn smtp_stall_is_recorded_on_the_outbox_entry_and_the_digest_sent_once_later() {
    let dir = temp_dir();
    let db = dir.path().join("d.sqlite3");
    // The shipped configuration: one recipient, retries after 5 minutes, doubling.
    let config = Config::from_toml(EMBEDDED_CONFIG, None).expect("shipped config loads");
    let recipient = config.recipients[0].name.clone();
    let watchlists =
        WatchlistSet::load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("watchlists"))
            .expect("shipped watchlists load");
    let store = SharedStore::new(Store::open(&db).expect("store"));
    let t0 = utc(2026, 9, 15, 5, 0);
    let message = sample_message("<stalled@biedriba.lv>");
    let to = vec!["anna@biedriba.lv".to_owned()];
    let id = store
        .lock()
        .expect("lock")
        .record_outbox(&NewOutboxEntry {
            recipient: &recipient,
            scheduled_for: t0,
            built_at: t0,
            message_id: "<stalled@biedriba.lv>",
            subject: "draftwatch: 2 projekti",
            envelope_from: "draftwatch@biedriba.lv",
            envelope_to: &to,
            raw_message: &message.formatted(),
            draft_ids: &[],
            reminders: &[],
        })
        .expect("record outbox")
        .expect("new row");
    let sink = SmtpSink::start().await;
    sink.stall(Some(Stall::InData));
    let (mailer, _password_dir) = stalling_setup(&sink, false);
    let deliver = async |now| {
        deliver_due_digests(&DigestContext {
            config: &config,
            store: &store,
            watchlists: &watchlists,
            mailer: &mailer,
            now,
            dry_run: false,
            only_recipient: None,
        })
        .await
    };

    let reports = tokio::time::timeout(HANG_GUARD, deliver(t0))
        .await
        .expect("the digest run ends by itself")
        .expect("deliver");
    assert_eq!(reports.len(), 1);
    assert!(
        matches!(
            reports[0].1.outcome,
            RecipientOutcome::Failed {
                permanent: false,
                ..
            }
        ),
        "{:?}",
        reports[0].1.outcome
    );
    let entry = store
        .lock()
        .expect("lock")
        .get_outbox_entry(id)
        .expect("read")
        .expect("entry");
    assert_eq!(entry.status, OutboxStatus::Pending);
    assert_eq!(entry.attempts, 1);
    let error = entry.last_error.unwrap_or_default();
    assert!(error.contains("did not finish within"), "{error}");
    assert!(entry.next_attempt_at > t0);

    // The server recovers: the digest waits for its next attempt, then goes exactly once.
    sink.stall(None);
    assert!(
        deliver(t0).await.expect("deliver").is_empty(),
        "not due yet"
    );
    let later = entry.next_attempt_at;
    let reports = deliver(later).await.expect("deliver");
    assert!(
        matches!(reports[0].1.outcome, RecipientOutcome::Sent { .. }),
        "{:?}",
        reports[0].1.outcome
    );
    assert!(deliver(later).await.expect("deliver").is_empty());
    let received = sink.messages();
    assert_eq!(received.len(), 1, "sent once");
    assert!(
        String::from_utf8_lossy(&received[0].data).contains("stalled@biedriba.lv"),
        "the recorded message, same Message-ID"
    );
    assert_eq!(sink.stalls_begun(), 1);
}
