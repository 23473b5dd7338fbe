//! Helpers shared by the integration tests (`mod support;` in each test file): fixture paths,
//! temporary folders, builders for drafts, verdicts and recipients, ports, and the
//! in-process SMTP sink in [`smtp`], headless Chromium screenshots in [`chromium`].
//!
//! Loading a configuration from TOML is not here; tests that need a whole `Config` build it
//! with the config module's own loader.

#![allow(dead_code)]

pub mod chromium;
pub mod smtp;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use draftwatch::config::{Language, PasswordSource, RecipientConfig, SmtpConfig, TlsMode};
use draftwatch::matcher::{Field, Hit, WatchlistVerdict};
use draftwatch::model::{CommentWindow, StoredDraft};

/// Path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// Send `signal` ("-TERM", "-HUP", ...) to a running child with `kill`.
pub fn send_signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal} failed");
}

/// Record `drafts` in the store file `db` as one finished poll of `source` at `at`, the way
/// a poll would (for tests that put drafts in place while the binary runs or before it does).
pub fn record_polled(
    db: &std::path::Path,
    source: &str,
    at: DateTime<Utc>,
    drafts: &[draftwatch::model::ScrapedDraft],
) {
    let mut store = draftwatch::store::Store::open(db).expect("store opens");
    let poll = draftwatch::store::PollRecord {
        source,
        started: at,
        finished: at,
        error: None,
    };
    store.record_poll(&poll, drafts).expect("poll recorded");
}

/// A store on a real SQLite file in a new temporary folder, which lives as long as the value.
pub struct TempStore {
    _dir: tempfile::TempDir,
    /// The database file (for raw SQL checks and reopening).
    pub path: PathBuf,
    /// The store opened on it.
    pub store: draftwatch::store::Store,
}

/// A new, migrated store in a temporary folder.
pub fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("draftwatch.sqlite");
    let store = draftwatch::store::Store::open(&path).expect("store opens");
    TempStore {
        _dir: dir,
        path,
        store,
    }
}

/// The part every digest test's configuration shares: the Riga time zone, the store at `db`,
/// the test User-Agent and the TAP participation source (a TOML text to continue).
pub fn config_head(db: &std::path::Path) -> String {
    format!(
        r#"
timezone = "Europe/Riga"
[store]
path = "{db}"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "https://tapportals.mk.gov.lv"
schedule = "0 8 * * *"
"#,
        db = db.display()
    )
}

/// Mail written to files (the tests send through their own mailer), as TOML.
pub const FILE_MAIL: &str = r#"[mail]
from = "draftwatch <draftwatch@biedriba.lv>"
transport = "file"
[mail.file]
dir = "unused"
"#;

/// A fresh temporary folder, removed when the value is dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("create temp dir")
}

/// A calendar day; panics on an impossible date (tests only).
pub fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

/// A UTC instant; panics on an impossible one (tests only).
pub fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .single()
        .expect("valid test instant")
}

/// A stored draft with only the essentials set; adjust fields on the result.
pub fn draft(id: i64, title: &str) -> StoredDraft {
    let seen = utc(2026, 9, 1, 8, 0);
    StoredDraft {
        id,
        source: "tap".to_owned(),
        external_id: format!("00000000-0000-0000-0000-{id:012}"),
        ta_number: Some(format!("26-TA-{id}")),
        title: title.to_owned(),
        kind: Some("Publiskā apspriešana".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: None,
        url: format!("https://tapportals.mk.gov.lv/public_participation/{id}"),
        window: None,
        description: None,
        policy_areas: Vec::new(),
        detail_fetched_at: None,
        first_seen: seen,
        last_changed: seen,
        ..Default::default()
    }
}

/// `draft` with a comment window.
pub fn draft_with_window(id: i64, title: &str, from: NaiveDate, to: NaiveDate) -> StoredDraft {
    StoredDraft {
        window: Some(CommentWindow { from, to }),
        ..draft(id, title)
    }
}

/// A hit on `word` in `text` (first occurrence), in `field`; panics when absent.
pub fn hit(field: Field, text: &str, word: &str) -> Hit {
    let start = text.find(word).expect("word occurs in the text");
    Hit {
        rule: word.to_lowercase().into(),
        field,
        span: start..start + word.len(),
        matched: word.to_owned(),
        context: None,
    }
}

/// A fired verdict of `watchlist` with `hits`.
pub fn fired(watchlist: &str, hits: Vec<Hit>) -> WatchlistVerdict {
    WatchlistVerdict {
        watchlist: watchlist.to_owned(),
        fired: true,
        score: hits.len() as f64,
        hits,
        excluded_by: Vec::new(),
        ignored: Vec::new(),
    }
}

/// A verdict of `watchlist` that did not fire.
pub fn not_fired(watchlist: &str) -> WatchlistVerdict {
    WatchlistVerdict {
        watchlist: watchlist.to_owned(),
        fired: false,
        score: 0.0,
        hits: Vec::new(),
        excluded_by: Vec::new(),
        ignored: Vec::new(),
    }
}

/// A recipient following `watchlists`, reachable at `addresses`.
pub fn recipient(
    name: &str,
    addresses: &[&str],
    watchlists: &[&str],
    language: Language,
) -> RecipientConfig {
    RecipientConfig {
        name: name.to_owned(),
        addresses: addresses
            .iter()
            .map(|address| address.parse().expect("valid test mailbox"))
            .collect(),
        watchlists: watchlists.iter().map(|&name| name.to_owned()).collect(),
        watchlist_locations: Vec::new(),
        language,
        schedule: None,
        send_when_empty: false,
    }
}

/// Plain SMTP (no TLS, no login) to 127.0.0.1:`port`.
pub fn local_smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port,
        tls: TlsMode::None,
        username: None,
        password: PasswordSource::None,
        timeout: Duration::from_secs(10),
        allow_insecure_auth: false,
    }
}

/// A port that was free a moment ago (for servers started as separate processes).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("find a free port")
}

/// Wait until something listens on 127.0.0.1:`port`; false after `timeout`.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// What the tests check of a delivered digest, decoded from its MIME form.
#[derive(Debug, Clone)]
pub struct ParsedMail {
    /// Decoded subject.
    pub subject: String,
    /// The decoded text/plain part.
    pub text: String,
    /// The decoded text/html part.
    pub html: String,
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// Addresses in the To header.
    pub to: Vec<String>,
    /// Address in the From header.
    pub from: String,
    /// Raw value of the Auto-Submitted header.
    pub auto_submitted: Option<String>,
    /// Raw value of the top-level Content-Type header.
    pub content_type: String,
    /// Whether a Date header parsed.
    pub has_date: bool,
}

/// Parse `raw` as a MIME message that must have exactly one text/plain and one text/html part
/// (panics otherwise, naming what is missing); attachments such as the calendar are ignored.
pub fn parse_mail(raw: &[u8]) -> ParsedMail {
    use mail_parser::{MessageParser, MimeHeaders, PartType};
    let message = MessageParser::default()
        .parse(raw)
        .expect("message parses as MIME");
    let mut texts = Vec::new();
    let mut htmls = Vec::new();
    for part in &message.parts {
        let is_plain = part.content_type().is_none_or(|ct| {
            ct.c_type.eq_ignore_ascii_case("text")
                && ct.subtype().is_none_or(|s| s.eq_ignore_ascii_case("plain"))
        });
        match &part.body {
            PartType::Text(text) if is_plain => texts.push(text.to_string()),
            PartType::Html(html) => htmls.push(html.to_string()),
            _ => {}
        }
    }
    assert_eq!(texts.len(), 1, "exactly one text/plain part");
    assert_eq!(htmls.len(), 1, "exactly one text/html part");
    ParsedMail {
        subject: message.subject().unwrap_or_default().to_owned(),
        text: texts.remove(0),
        html: htmls.remove(0),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        to: message
            .to()
            .map(|to| {
                to.iter()
                    .filter_map(|addr| addr.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        from: message
            .from()
            .and_then(|from| from.first())
            .and_then(|addr| addr.address())
            .unwrap_or_default()
            .to_owned(),
        auto_submitted: message
            .header_raw("Auto-Submitted")
            .map(|value| value.trim().to_owned()),
        content_type: message
            .header_raw("Content-Type")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        has_date: message.date().is_some(),
    }
}
