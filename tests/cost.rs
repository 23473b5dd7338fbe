//! The behaviour behind issue 9's cost goals (the benchmarks in benches/cost.rs measure the
//! time): a poll with nothing new evaluates no draft; a digest and a calendar refresh read
//! and evaluate only their candidates (open windows, undelivered drafts on which a
//! recipient's watchlist fired, changes since the last digest), never the whole history; a
//! watchlist change re-evaluates every draft once, in batches; and stale stored verdicts never
//! make a digest wrong. Each test runs on its own real SQLite file with the shipped
//! watchlists and the benchmarks' configuration (benches/support): two recipients, "Tīkls"
//! (berni) and "Vecāki" (berni, izglitiba).

#[path = "../benches/support/mod.rs"]
mod bench_support;
mod support;

use std::path::Path;

use bench_support::{Installation, Listing, empty_installation, record};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use draftwatch::clock::Clock;
use draftwatch::digest::{
    DigestContext, RecipientOutcome, digest_candidates, send_digests, write_calendar_files,
};
use draftwatch::matcher::WatchlistSet;
use draftwatch::model::{CommentWindow, ScrapedDraft};
use draftwatch::pipeline::{poll_and_evaluate, reevaluate_stale};
use draftwatch::sources::Fetcher;
use draftwatch::store::watchlist_set_version;
use support::*;

/// The instant the digests below run at (15 September 2026).
fn run_at() -> DateTime<Utc> {
    utc(2026, 9, 15, 5, 0)
}

/// A draft about children (the "berni" watchlist fires on it) with `window`.
fn child_draft(n: usize, window: Option<(NaiveDate, NaiveDate)>) -> ScrapedDraft {
    draft_titled(
        n,
        &format!("Grozījumi Bērnu tiesību aizsardzības likumā nr. {n}"),
        window,
    )
}

fn draft_titled(n: usize, title: &str, window: Option<(NaiveDate, NaiveDate)>) -> ScrapedDraft {
    ScrapedDraft {
        external_id: format!("uuid-{n}"),
        ta_number: Some(format!("26-TA-{n}")),
        title: title.to_owned(),
        kind: Some("Publiskā apspriešana".to_owned()),
        ministry: Some("Labklājības ministrija".to_owned()),
        stage: Some("Sabiedriskā apspriešana".to_owned()),
        url: format!("https://tapportals.mk.gov.lv/public_participation/uuid-{n}"),
        window: window.map(|(from, to)| CommentWindow { from, to }),
        ..Default::default()
    }
}

/// `closed` matching drafts whose windows ended in the past (the history), then `open`
/// matching drafts open on [`today`] and `unrelated` drafts without a window on which no
/// watchlist fires.
fn history(closed: usize, open: usize, unrelated: usize) -> Vec<ScrapedDraft> {
    let past = Some((day(2025, 3, 1), day(2025, 3, 20)));
    let current = Some((day(2026, 9, 1), day(2026, 10, 1)));
    (0..closed)
        .map(|n| child_draft(n, past))
        .chain((closed..closed + open).map(|n| child_draft(n, current)))
        .chain((closed + open..closed + open + unrelated).map(|n| {
            draft_titled(
                n,
                &format!("Grozījumi Ceļu satiksmes noteikumos nr. {n}"),
                None,
            )
        }))
        .collect()
}

impl Installation {
    fn ctx(&self, dry_run: bool) -> DigestContext<'_> {
        DigestContext {
            config: &self.config,
            store: &self.store,
            watchlists: &self.watchlists,
            mailer: &self.mailer,
            now: run_at(),
            dry_run,
            only_recipient: None,
        }
    }

    fn reevaluate(&self, watchlists: &WatchlistSet, batch: usize) -> (usize, usize) {
        let done = reevaluate_stale(&self.store, watchlists, batch, &|| true).expect("re-evaluate");
        assert!(!done.interrupted);
        (done.evaluated, done.batches)
    }

    /// The dry-run digest for the one recipient: how many new drafts, and its text.
    async fn dry_run(&self) -> (usize, String) {
        let summary = send_digests(&self.ctx(true)).await.expect("digest runs");
        match &summary.recipients[0].outcome {
            RecipientOutcome::DryRun(message) => {
                (message.digest.draft_ids.len(), message.to_string())
            }
            other => panic!("expected a dry run, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn poll_with_nothing_new_evaluates_no_draft() {
    let i = empty_installation();
    let fetcher = Fetcher::new(&i.config.http).expect("fetcher");
    let cancel = tokio_util::sync::CancellationToken::new();
    let mut drafts = history(150, 20, 30);
    let source = Listing(drafts.clone());
    let poll = async |at: DateTime<Utc>, source: &Listing| {
        let clock = Clock::fixed(at);
        poll_and_evaluate(
            source,
            &fetcher,
            &i.store,
            &clock,
            &cancel,
            &draftwatch::pipeline::TextPhase::new(
                &Default::default(),
                draftwatch::sources::DEFAULT_POLL_DEADLINE,
            ),
            &i.watchlists,
        )
        .await
        .expect("poll recorded")
    };

    let first = poll(run_at() - Duration::hours(3), &source).await;
    assert_eq!(first.counts.new, 200);
    assert_eq!(
        first.verdicts_evaluated, 200,
        "every new draft is evaluated once"
    );

    let second = poll(run_at() - Duration::hours(2), &source).await;
    assert_eq!((second.counts.new, second.counts.changed), (0, 0));
    assert_eq!(
        second.verdicts_evaluated, 0,
        "nothing new, nothing evaluated"
    );

    // One changed draft: that one alone.
    drafts[3].title.push_str(" (precizēts)");
    let third = poll(run_at() - Duration::hours(1), &Listing(drafts)).await;
    assert_eq!(third.counts.changed, 1);
    assert_eq!(third.verdicts_evaluated, 1);
    let version = watchlist_set_version(&i.watchlists);
    let current = i
        .store
        .lock()
        .expect("lock")
        .current_verdict_count(&version);
    assert_eq!(current.expect("count"), 200, "every verdict is current");
}

#[tokio::test]
async fn digest_reads_and_evaluates_only_candidates() {
    let i = empty_installation();
    record(
        &i.store,
        run_at() - Duration::hours(1),
        &history(400, 12, 40),
    );
    let recipients: Vec<_> = i.config.recipients.iter().collect();

    // No verdict stored yet: the candidates are the open windows and the drafts without a
    // window whose verdicts are unknown; the closed history is neither read nor evaluated.
    let cold = digest_candidates(&i.ctx(true), &recipients).expect("candidates");
    assert_eq!((cold.cost.loaded, cold.cost.evaluated), (52, 52));
    let cold = i.dry_run().await;
    assert_eq!(cold.0, 12, "{}", cold.1);

    // With current stored verdicts: only the open windows, and nothing evaluated.
    assert_eq!(i.reevaluate(&i.watchlists, 100), (452, 5));
    let warm = digest_candidates(&i.ctx(true), &recipients).expect("candidates");
    assert_eq!((warm.cost.loaded, warm.cost.evaluated), (12, 0));
    let summary = send_digests(&i.ctx(true)).await.expect("digest runs");
    assert_eq!((summary.cost.loaded, summary.cost.evaluated), (12, 0));
    assert_eq!(i.dry_run().await, cold, "stored verdicts change nothing");

    // After the digest is sent, its drafts are reminders-only candidates (still open) and
    // nothing else joins them.
    let sent = send_digests(&i.ctx(false)).await.expect("digest sent");
    assert!(!sent.has_failures(), "{sent}");
    let after = digest_candidates(&i.ctx(true), &recipients).expect("candidates");
    assert_eq!((after.cost.loaded, after.cost.evaluated), (12, 0));
}

#[tokio::test]
async fn stale_verdict_of_a_changed_draft_is_not_used() {
    let i = empty_installation();
    let mut drafts = history(10, 3, 0);
    record(&i.store, run_at() - Duration::hours(2), &drafts);
    i.reevaluate(&i.watchlists, 100);
    // Changed by a poll that did not recompute verdicts (`draftwatch poll`): the draft no
    // longer speaks of children, and its stored verdict (fired) is stale.
    drafts[11].title = "Grozījumi Ceļu satiksmes noteikumos".to_owned();
    record(&i.store, run_at() - Duration::hours(1), &drafts);
    let (count, text) = i.dry_run().await;
    assert_eq!(count, 2, "{text}");
    assert!(!text.contains("26-TA-11"), "{text}");
}

#[test]
fn watchlist_change_reevaluates_every_draft_once_in_batches() {
    let i = empty_installation();
    record(
        &i.store,
        run_at() - Duration::hours(1),
        &history(900, 50, 50),
    );
    assert_eq!(i.reevaluate(&i.watchlists, 250), (1000, 4));
    assert_eq!(i.reevaluate(&i.watchlists, 250), (0, 0), "all current");

    let edited = i.dir.path().join("watchlists");
    write_watchlist(&edited, "berni", "bērnu tiesību");
    let changed = WatchlistSet::load_dir(&edited).expect("edited watchlists load");
    assert_ne!(
        watchlist_set_version(&changed),
        watchlist_set_version(&i.watchlists)
    );
    assert_eq!(i.reevaluate(&changed, 300), (1000, 4), "once, in batches");
    assert_eq!(i.reevaluate(&changed, 300), (0, 0));
}

#[test]
fn reevaluation_stops_between_batches_when_asked() {
    let i = empty_installation();
    record(&i.store, run_at() - Duration::hours(1), &history(90, 10, 0));
    let batches = std::cell::Cell::new(0);
    let keep_going = || {
        batches.set(batches.get() + 1);
        batches.get() <= 2
    };
    let done = reevaluate_stale(&i.store, &i.watchlists, 30, &keep_going).expect("runs");
    assert!(done.interrupted);
    assert_eq!((done.evaluated, done.batches), (60, 2));
    assert_eq!(i.reevaluate(&i.watchlists, 30), (40, 2), "the rest, later");
}

#[test]
fn calendar_refresh_reads_only_open_windows() {
    let i = empty_installation();
    record(
        &i.store,
        run_at() - Duration::hours(1),
        &history(300, 7, 30),
    );
    i.reevaluate(&i.watchlists, 500);
    let files = write_calendar_files(&i.ctx(false)).expect("calendars written");
    assert_eq!(files.written.len(), 2, "one per recipient");
    assert_eq!((files.cost.loaded, files.cost.evaluated), (7, 0));
    for file in &files.written {
        let calendar = std::fs::read_to_string(file).expect("calendar file");
        assert_eq!(calendar.matches("BEGIN:VEVENT").count(), 7);
    }
}

fn write_watchlist(dir: &Path, name: &str, word: &str) {
    std::fs::create_dir_all(dir).expect("watchlist folder");
    std::fs::write(
        dir.join(format!("{name}.toml")),
        format!("name = \"{name}\"\ndescription = \"Bērni\"\n\n[[rules]]\nphrase = \"{word}\"\n"),
    )
    .expect("watchlist written");
}

/// Drafts reported before are candidates again only when their history has news for the
/// recipient (a stage, a deadline, an agenda, adoption, publication): 20 drafts delivered in
/// March 2025, whose windows have long closed (a closing is no news), and one of them adopted
/// since. The digest reads that one draft alone, tells its adoption once, and reads nothing
/// the next day.
#[tokio::test]
async fn delivered_drafts_are_read_again_only_for_news_in_their_history() {
    use draftwatch::model::Milestone;
    let i = empty_installation();
    let mut drafts = history(20, 0, 0);
    let then = utc(2025, 3, 5, 6, 0);
    record(&i.store, then - Duration::hours(1), &drafts);
    let at = |now: DateTime<Utc>| DigestContext {
        now,
        ..i.ctx(false)
    };
    let first = send_digests(&at(then)).await.expect("digest sent");
    assert!(!first.has_failures(), "{first}");
    let delivered = i
        .store
        .lock()
        .expect("lock")
        .delivered_draft_ids("Tīkls")
        .expect("deliveries");
    assert_eq!(delivered.len(), 20, "every draft reported in March 2025");

    // Seen again, windows closed, and one adopted.
    drafts[7].milestones = vec![Milestone::Adopted {
        date: Some(day(2026, 9, 10)),
    }];
    record(&i.store, run_at() - Duration::hours(1), &drafts);
    let recipients: Vec<_> = i.config.recipients.iter().collect();
    let news = digest_candidates(&at(run_at()), &recipients).expect("candidates");
    assert_eq!(news.cost.loaded, 1, "the adopted draft alone");
    assert_eq!(news.drafts[0].draft.ta_number.as_deref(), Some("26-TA-7"));
    let sent = send_digests(&at(run_at())).await.expect("digest sent");
    assert!(!sent.has_failures(), "{sent}");
    assert!(
        sent.recipients
            .iter()
            .all(|report| matches!(report.outcome, RecipientOutcome::Sent { .. })),
        "the adoption is told to both: {sent}"
    );
    let next =
        digest_candidates(&at(run_at() + Duration::days(1)), &recipients).expect("candidates");
    assert_eq!(next.cost.loaded, 0, "told: nothing to read the next day");
}
