//! A store of 10,000 drafts in a real SQLite file, shared by the cost benchmarks
//! (`benches/cost.rs`) and the memory check (`benches/rss.rs`); the behaviour tests of the
//! same paths (`tests/cost.rs`) use its configuration and stand-in portal.
//!
//! The history looks like three years of the participation list: every draft has a title and
//! a description of some 600 bytes of Latvian text; one in five is about children (the
//! shipped "berni" watchlist fires on it); one in twenty has no public window; 60 windows are
//! open on the day of the runs, every other window has closed. Nothing has been delivered yet,
//! as after a first backfill: the digest's hardest case.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use draftwatch::config::Config;
use draftwatch::mailer::FileMailer;
use draftwatch::matcher::WatchlistSet;
use draftwatch::model::{CommentWindow, DraftDetail, KnownDrafts, ScrapedDraft};
use draftwatch::sources::{BoxFuture, Fetcher, PollOutput, Source};
use draftwatch::store::{PollRecord, SharedStore, Store};

/// Drafts stored.
pub const DRAFTS: usize = 10_000;

/// Windows open on [`today`].
pub const OPEN: usize = 60;

/// Rows on the first list page, all already known when nothing is new: what a poll reads.
pub const FIRST_PAGE: usize = 25;

/// The instant of the runs.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-09-15T05:00:00Z")
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_default()
}

fn day(offset: i64) -> NaiveDate {
    now().date_naive() + Duration::days(offset)
}

const TOPICS: &[&str] = &[
    "Ceļu satiksmes noteikumos",
    "Valsts budžeta likumā",
    "Meža likumā",
    "Enerģētikas likumā",
    "Būvniecības likumā",
    "Zvejniecības likumā",
    "Nodokļu un nodevu likumā",
    "Dzīvnieku aizsardzības likumā",
];

const FILLER: &str = "Noteikumu projekts precizē kārtību, kādā institūcijas sadarbojas, \
    iesniedz pārskatus un nodrošina informācijas apmaiņu, kā arī nosaka termiņus un atbildīgās \
    personas. Anotācijā aprakstīta ietekme uz valsts budžetu, administratīvais slogs un \
    konsultācijas ar sabiedrības pārstāvjiem. ";

/// Draft `n` of the history.
pub fn draft(n: usize) -> ScrapedDraft {
    let about_children = n.is_multiple_of(5);
    let topic = TOPICS[n % TOPICS.len()];
    let title = if about_children {
        format!("Grozījumi Bērnu tiesību aizsardzības likumā ({n})")
    } else {
        format!("Grozījumi {topic} ({n})")
    };
    let offset = i64::try_from(n).unwrap_or(0);
    let window = if n % 20 == 7 {
        None
    } else if n >= DRAFTS - OPEN {
        Some((day(-5), day(offset % 30 + 1)))
    } else {
        // Closed: one window every ~2.6 hours over three years.
        let end = day(-1 - (i64::try_from(DRAFTS).unwrap_or(0) - offset) / 9);
        Some((end - Duration::days(14), end))
    };
    ScrapedDraft {
        external_id: format!("uuid-{n:05}"),
        ta_number: Some(format!("26-TA-{n}")),
        title,
        kind: Some("Noteikumu projekts".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: Some("Sabiedriskā apspriešana".to_owned()),
        url: format!("https://tapportals.mk.gov.lv/public_participation/uuid-{n:05}"),
        window: window.map(|(from, to)| CommentWindow { from, to }),
        detail: Some(DraftDetail {
            description: Some(format!("{topic}: {}", FILLER.repeat(2))),
            policy_areas: vec!["Sociālā aizsardzība".to_owned()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// One installation: config, store file, shipped watchlists, a file mailer (unused by dry
/// runs).
pub struct Installation {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub store: SharedStore,
    pub watchlists: WatchlistSet,
    pub mailer: FileMailer,
    pub db: PathBuf,
}

/// The configuration, watchlists and mailer of an installation in `dir` (its store is
/// `dir/draftwatch.sqlite3`), without opening the store.
pub struct Configured {
    pub config: Config,
    pub watchlists: WatchlistSet,
    pub mailer: FileMailer,
}

/// See [`Configured`].
pub fn installation_config(dir: &std::path::Path) -> Configured {
    let db = dir.join("draftwatch.sqlite3");
    let text = format!(
        r#"
timezone = "Europe/Riga"
[store]
path = "{db}"
[http]
user_agent = "draftwatch/0.1 (+mailto:admin@biedriba.lv)"
[[sources]]
name = "tap"
kind = "tap_participation"
base_url = "https://tapportals.mk.gov.lv"
schedule = "0 * * * *"
[mail]
from = "draftwatch <draftwatch@biedriba.lv>"
transport = "file"
[mail.file]
dir = "{mail}"
[digest]
schedule = "0 8 * * *"
calendar_dir = "{calendars}"
[[recipients]]
name = "Tīkls"
addresses = ["koordinators@biedriba.lv"]
watchlists = ["berni"]
[[recipients]]
name = "Vecāki"
addresses = ["vecaki@biedriba.lv"]
watchlists = ["berni", "izglitiba"]
"#,
        db = db.display(),
        mail = dir.join("mail").display(),
        calendars = dir.join("calendars").display(),
    );
    let config = Config::from_toml(&text, None).expect("bench config loads");
    let watchlists =
        WatchlistSet::load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("watchlists"))
            .expect("shipped watchlists load");
    let mailer = FileMailer::new(dir.join("mail"));
    Configured {
        config,
        watchlists,
        mailer,
    }
}

/// An installation in a new temporary folder with an empty store.
pub fn empty_installation() -> Installation {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("draftwatch.sqlite3");
    let Configured {
        config,
        watchlists,
        mailer,
    } = installation_config(dir.path());
    let store = SharedStore::new(Store::open(&db).expect("store opens"));
    Installation {
        dir,
        config,
        store,
        watchlists,
        mailer,
        db,
    }
}

/// A fresh installation with the [`DRAFTS`] stored in batches of 500 (one poll each).
pub fn installation() -> Installation {
    let installation = empty_installation();
    let drafts: Vec<ScrapedDraft> = (0..DRAFTS).map(draft).collect();
    for (batch, chunk) in drafts.chunks(500).enumerate() {
        let at = now() - Duration::days(30) + Duration::minutes(i64::try_from(batch).unwrap_or(0));
        record(&installation.store, at, chunk);
    }
    installation
}

/// Record a successful poll of "tap" that saw `drafts`, finished at `at`.
pub fn record(store: &SharedStore, at: DateTime<Utc>, drafts: &[ScrapedDraft]) {
    store
        .lock()
        .expect("store lock")
        .record_poll(
            &PollRecord {
                source: "tap",
                started: at - Duration::seconds(20),
                finished: at,
                error: None,
            },
            drafts,
        )
        .expect("record poll");
}

/// A stand-in portal that lists the same drafts on every poll, as the real one does between
/// changes.
pub struct Listing(pub Vec<ScrapedDraft>);

impl Listing {
    /// The history's first list page when nothing is new: only known drafts (the newest),
    /// so the poll stops there.
    /// The source reads no detail page of a known draft, so they come without one.
    pub fn first_page() -> Self {
        Listing(
            (DRAFTS - FIRST_PAGE..DRAFTS)
                .map(|n| ScrapedDraft {
                    detail: None,
                    ..draft(n)
                })
                .collect(),
        )
    }
}

impl Source for Listing {
    fn name(&self) -> &str {
        "tap"
    }

    fn poll<'a>(
        &'a self,
        _fetcher: &'a Fetcher,
        _known: &'a KnownDrafts,
        _cancel: &'a tokio_util::sync::CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        let drafts = self.0.clone();
        Box::pin(async move {
            PollOutput {
                drafts,
                pages_read: 1,
                ..PollOutput::default()
            }
        })
    }
}
