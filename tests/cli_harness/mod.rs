//! Running the `draftwatch` binary against a simulated TAP portal (the captured list page
//! served by wiremock on 127.0.0.1) with a configuration in a temporary folder; shared by the
//! binary-level tests (pipeline, `outbox`, digest rendering, and, through [`run_in`], the
//! `check`/`explain`/`backtest` tests). It does not start mail servers: the caller passes the
//! `[mail]` section (an SMTP sink's port, or the file transport).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use draftwatch::model::{CommentWindow, ScrapedDraft};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The instant the tests pretend it is: a Tuesday morning in Riga.
pub const NOW: &str = "2026-09-15T09:00:00+03:00";

/// The address of the recipient every configuration has.
pub const ADDRESS: &str = "koordinators@example.org";

/// The `[mail]` section for the in-process SMTP sink on `port`.
pub fn smtp_mail(port: u16) -> String {
    format!(
        r#"transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
timeout = "10s""#
    )
}

/// The `[mail]` section writing `.eml` files into `data/outbox` of the temporary folder.
pub const FILE_MAIL: &str = "transport = \"file\"\n[mail.file]\ndir = \"data/outbox\"";

/// A temporary folder holding a configuration and, once the binary ran, its store.
pub struct Setup {
    /// The folder (removed on drop); the binary runs in it.
    pub dir: tempfile::TempDir,
    /// The configuration file inside it.
    pub config: PathBuf,
}

impl Setup {
    /// A configuration polling `portal`, mailing as `mail` says, with one recipient
    /// (address [`ADDRESS`]) following `watchlists`.
    pub fn new(portal: &str, mail: &str, watchlists: &[&str]) -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        let watchlists_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("watchlists");
        let followed = watchlists
            .iter()
            .map(|name| format!("{name:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            r#"
timezone = "Europe/Riga"
watchlists_dir = "{watchlists_dir}"
[store]
path = "data/draftwatch.sqlite3"
[http]
user_agent = "draftwatch-test (+mailto:test@example.org)"
min_interval = "5ms"
retries = 0
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "{portal}"
schedule = "10 7-19 * * MON-FRI"
page_limit = 1
[mail]
from = "draftwatch <draftwatch@example.org>"
{mail}
[digest]
schedule = "0 8 * * MON-FRI"
[[recipients]]
name = "Bērnu labklājības tīkls"
addresses = ["{ADDRESS}"]
watchlists = [{followed}]
"#,
            watchlists_dir = watchlists_dir.display()
        );
        let config = dir.path().join("draftwatch.toml");
        std::fs::write(&config, text).expect("write config");
        Setup { dir, config }
    }

    /// Run the binary at `now`, off the async runtime so in-process servers keep serving.
    pub async fn run_at(&self, now: &str, args: &[&str]) -> Output {
        self.run_at_with_env(now, args, &[]).await
    }

    /// The binary with this configuration at `now` and `args`, in the folder, not started
    /// (for tests that signal it while it runs).
    pub fn command_at(&self, now: &str, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_draftwatch"));
        command
            .arg("--config")
            .arg(&self.config)
            .args(["--now", now])
            .args(args)
            .current_dir(self.dir.path())
            .env("RUST_LOG", "warn")
            .env_remove("DRAFTWATCH_FAILPOINT");
        command
    }

    /// The store file the binary writes (the configuration's relative `data/...` path).
    pub fn store_path(&self) -> PathBuf {
        self.dir.path().join("data/draftwatch.sqlite3")
    }

    /// Run the binary at `now` with extra environment variables (e.g. a failpoint).
    pub async fn run_at_with_env(&self, now: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command_at(now, args);
        for (key, value) in env {
            command.env(key, value);
        }
        tokio::task::spawn_blocking(move || command.output().expect("draftwatch runs"))
            .await
            .expect("join")
    }

    /// Run the binary at [`NOW`].
    pub async fn run(&self, args: &[&str]) -> Output {
        self.run_at(NOW, args).await
    }
}

/// Run the binary with `args` in `dir`, as an admin would from that folder (warnings only
/// in its log).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_draftwatch"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the draftwatch binary runs")
}

/// A draft about children (the shipped `berni` watchlist fires on it), TA number
/// `26-TA-100`, commentable from `window.0` to `window.1`, as a poll would have read it.
pub fn child_draft(window: (chrono::NaiveDate, chrono::NaiveDate)) -> ScrapedDraft {
    ScrapedDraft {
        external_id: "uuid-100".to_owned(),
        ta_number: Some("26-TA-100".to_owned()),
        title: "Grozījumi Bērnu tiesību aizsardzības likumā".to_owned(),
        kind: Some("Publiskā apspriešana".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: None,
        url: "https://tapportals.mk.gov.lv/public_participation/uuid-100".to_owned(),
        window: Some(CommentWindow {
            from: window.0,
            to: window.1,
        }),
        detail: None,
        detail_error: None,
        ..Default::default()
    }
}

/// Standard output, lossily decoded.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error, lossily decoded.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The captured TAP list page behind a local mock portal; everything else answers 404.
pub async fn portal() -> MockServer {
    let server = MockServer::start().await;
    let page = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tap/public_participation_page1.html"),
    )
    .expect("fixture");
    Mock::given(method("GET"))
        .and(path("/public_participation"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    server
}
