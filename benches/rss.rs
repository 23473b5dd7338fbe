//! Memory of the daemon's steady work at 10,000 stored drafts (issue 9, item 1): 50 polls
//! that bring nothing new, each followed by a calendar refresh (as after a poll that changed
//! something, the costlier case), with a dry-run digest every tenth poll. Prints VmRSS after
//! polls 10 and 50 and the peak (VmHWM), read from /proc/self/status. Linux only.
//!
//! The store is built by this program first; the measured run is a fresh process on that
//! file (this program again, told by `DRAFTWATCH_RSS_STORE`), so the building's memory does
//! not count. It runs the library's poll job in-process with a stand-in source (the portal's
//! first list page, all known), not the release binary against an HTTP stand-in.
//!
//! Run: `benches/rss.sh` (or `cargo bench --bench rss`). Figures: docs/benchmarks.md.

mod support;

use std::sync::Arc;

use draftwatch::clock::Clock;
use draftwatch::digest::{DigestContext, send_digests, write_calendar_files};
use draftwatch::matcher::WatchlistSet;
use draftwatch::pipeline::{poll_and_evaluate, reevaluate_stale};
use draftwatch::sources::Fetcher;
use draftwatch::store::SharedStore;

/// Where the measured process finds the store built by the first one.
const STORE_ENV: &str = "DRAFTWATCH_RSS_STORE";

/// Polls measured.
const POLLS: usize = 50;

fn main() {
    match std::env::var_os(STORE_ENV) {
        Some(dir) => measure(std::path::Path::new(&dir)),
        None => build_then_measure(),
    }
}

/// Build the store, then run the measured process on it.
fn build_then_measure() {
    let i = support::installation();
    let done = reevaluate_stale(&i.store, &i.watchlists, 500, &|| true).expect("re-evaluate");
    assert_eq!(done.evaluated, support::DRAFTS);
    drop(i.store);
    let exe = std::env::current_exe().expect("own path");
    let status = std::process::Command::new(exe)
        .env(STORE_ENV, i.dir.path())
        .status()
        .expect("measured process runs");
    assert!(status.success(), "measured process failed: {status}");
}

/// (VmRSS, VmHWM) in KiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn measure(dir: &std::path::Path) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fresh = support::installation_config(dir);
    let store = SharedStore::open(&fresh.config.store.path).expect("store opens");
    let watchlists: Arc<WatchlistSet> = Arc::new(fresh.watchlists);
    let fetcher = Fetcher::new(&fresh.config.http).expect("fetcher");
    let cancel = tokio_util::sync::CancellationToken::new();
    let source = support::Listing::first_page();
    let (start_rss, _) = memory();
    println!("rss_10k: after start-up VmRSS {start_rss} KiB");
    let mut at = support::now();
    for poll in 1..=POLLS {
        at += chrono::Duration::hours(1);
        let clock = Clock::fixed(at);
        let summary = runtime
            .block_on(poll_and_evaluate(
                &source,
                &fetcher,
                &store,
                &clock,
                &cancel,
                &draftwatch::pipeline::TextPhase::new(
                    &Default::default(),
                    draftwatch::sources::DEFAULT_POLL_DEADLINE,
                ),
                &watchlists,
            ))
            .expect("poll");
        assert_eq!(summary.verdicts_evaluated, 0);
        let ctx = DigestContext {
            config: &fresh.config,
            store: &store,
            watchlists: &watchlists,
            mailer: &fresh.mailer,
            now: at,
            dry_run: true,
            only_recipient: None,
        };
        write_calendar_files(&DigestContext {
            dry_run: false,
            ..ctx
        })
        .expect("calendars");
        if poll.is_multiple_of(10) {
            runtime.block_on(send_digests(&ctx)).expect("digest");
            let (rss, hwm) = memory();
            println!("rss_10k: after poll {poll:2} VmRSS {rss} KiB, VmHWM {hwm} KiB");
        }
    }
}
