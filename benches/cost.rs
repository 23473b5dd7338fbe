//! Cost at 10,000 stored drafts in a real SQLite file (issue 9, item 1): a dry-run digest for
//! two recipients, the daemon's work for a poll that brings nothing new, and a calendar
//! refresh. The store's verdicts are current, as in a running daemon; `digest_dry_run/stale`
//! measures the first digest after a watchlist change, before the background re-evaluation
//! finished (every candidate evaluated on the spot). `digest_dry_run/texts` is the dry run
//! again once every draft the digests list has a stored 50 KB annotation with its sixteen
//! impact items (issue 12): the digest reads the listed drafts' impact items, not their texts.
//!
//! Run: `cargo bench --bench cost`. Figures are recorded in docs/benchmarks.md.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use draftwatch::clock::Clock;
use draftwatch::digest::{DigestContext, RecipientOutcome, send_digests, write_calendar_files};
use draftwatch::matcher::impact::ITEMS;
use draftwatch::model::{ImpactAnswer, ImpactItem};
use draftwatch::pipeline::{poll_and_evaluate, reevaluate_stale};
use draftwatch::sources::Fetcher;
use draftwatch::store::{TextLinks, TextsRead};

/// A real annotation excerpt (26-TA-1634), repeated to about 50 KB.
const ANNOTATION_EXCERPT: &str = include_str!("annotation_excerpt.txt");

fn bench_cost(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let i = support::installation();
    let ctx = |dry_run| DigestContext {
        config: &i.config,
        store: &i.store,
        watchlists: &i.watchlists,
        mailer: &i.mailer,
        now: support::now(),
        dry_run,
        only_recipient: None,
    };

    let mut group = c.benchmark_group("cost_10k");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));

    // Before any verdict is stored: every candidate is evaluated on the spot.
    group.bench_function("digest_dry_run/stale", |b| {
        b.iter(|| {
            let summary = runtime.block_on(send_digests(&ctx(true))).expect("digest");
            black_box(summary)
        })
    });

    let done = reevaluate_stale(&i.store, &i.watchlists, 500, &|| true).expect("re-evaluate");
    assert_eq!(done.evaluated, support::DRAFTS);

    group.bench_function("digest_dry_run", |b| {
        b.iter(|| {
            let summary = runtime.block_on(send_digests(&ctx(true))).expect("digest");
            assert_eq!(summary.cost.evaluated, 0);
            black_box(summary)
        })
    });

    group.bench_function("calendar_refresh", |b| {
        b.iter(|| black_box(write_calendar_files(&ctx(false)).expect("calendars")))
    });

    // The daemon's poll job with nothing new: read what the store knows, record the first
    // page (all known, unchanged) and the poll row, recompute the verdicts of what changed
    // (none). The calendars are not rewritten: nothing changed on the same day.
    let fetcher = Fetcher::new(&i.config.http).expect("fetcher");
    let cancel = tokio_util::sync::CancellationToken::new();
    let source = support::Listing::first_page();
    let mut at = support::now();
    group.bench_function("poll_nothing_new", |b| {
        b.iter(|| {
            at += chrono::Duration::minutes(1);
            let clock = Clock::fixed(at);
            let summary = runtime
                .block_on(poll_and_evaluate(
                    &source,
                    &fetcher,
                    &i.store,
                    &clock,
                    &cancel,
                    &draftwatch::pipeline::TextPhase::new(
                        &Default::default(),
                        draftwatch::sources::DEFAULT_POLL_DEADLINE,
                    ),
                    &i.watchlists,
                ))
                .expect("poll");
            assert_eq!(summary.verdicts_evaluated, 0);
            black_box(summary)
        })
    });

    // Every draft the digests list gets a 50 KB annotation and sixteen impact items (every
    // one answered Nē except 8.1.8), stored as a poll's text phase stores them; the verdicts
    // are recomputed (with the texts) before measuring, as the daemon does after a poll.
    let summary = runtime.block_on(send_digests(&ctx(true))).expect("digest");
    let mut listed: Vec<i64> = summary
        .recipients
        .iter()
        .flat_map(|report| match &report.outcome {
            RecipientOutcome::DryRun(message) => message.digest.draft_ids.clone(),
            _ => Vec::new(),
        })
        .collect();
    listed.sort_unstable();
    listed.dedup();
    let annotation = ANNOTATION_EXCERPT.repeat(50 * 1024 / ANNOTATION_EXCERPT.len() + 1);
    let impacts: Vec<ImpactItem> = ITEMS
        .iter()
        .map(|(number, label)| ImpactItem {
            number: format!("8.1.{number}"),
            label: (*label).to_owned(),
            answer: if *number == 8 {
                ImpactAnswer::Yes
            } else {
                ImpactAnswer::No
            },
            explanation: None,
        })
        .collect();
    {
        let mut store = i.store.lock().expect("store");
        for id in &listed {
            let read = TextsRead {
                links: TextLinks {
                    annotation: Some(format!("https://tapportals.mk.gov.lv/annotation/{id}")),
                    ..TextLinks::default()
                },
                annotation: Some((Some(annotation.clone()), impacts.clone())),
                ..TextsRead::default()
            };
            store
                .record_texts(*id, &read, None, support::now())
                .expect("record texts");
        }
    }
    let done = reevaluate_stale(&i.store, &i.watchlists, 500, &|| true).expect("re-evaluate");
    assert_eq!(done.evaluated, listed.len());
    println!(
        "digest_dry_run/texts: {} listed drafts with a {} byte annotation each",
        listed.len(),
        annotation.len()
    );
    group.bench_function("digest_dry_run/texts", |b| {
        b.iter(|| {
            let summary = runtime.block_on(send_digests(&ctx(true))).expect("digest");
            assert_eq!(summary.cost.evaluated, 0);
            black_box(summary)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_cost);
criterion_main!(benches);
