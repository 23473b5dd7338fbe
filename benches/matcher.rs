//! Matcher throughput: the shipped watchlists, 10 generated rules and 1,000 generated rules,
//! each over 10,000 synthetic Latvian draft descriptions of about 2 KB.
//!
//! Run: `cargo bench --bench matcher`. Figures are recorded in docs/benchmarks.md.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use draftwatch::matcher::{MatchInput, WatchlistSet};

/// Deterministic pseudo-random numbers (no extra crate, same corpus every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
    fn word(&mut self, items: &[&'static str]) -> &'static str {
        self.pick::<&'static str>(items)
    }
}

const STEMS: &[&str] = &[
    "bērn",
    "ģimen",
    "likum",
    "grozījum",
    "ministrij",
    "pašvaldīb",
    "izglītīb",
    "pabalst",
    "nodokl",
    "valst",
    "kārtīb",
    "noteikum",
    "projekt",
    "atbalst",
    "pakalpojum",
    "iestād",
    "tiesīb",
    "finansējum",
    "budžet",
    "sabiedrīb",
    "attīstīb",
    "aizsardzīb",
    "programm",
    "pasākum",
    "ziņojum",
    "veselīb",
    "drošīb",
    "darb",
    "nozar",
    "uzņēmum",
];
const ENDINGS: &[&str] = &[
    "s", "a", "am", "u", "ā", "i", "iem", "us", "os", "as", "ai", "ām", "ās", "e", "es", "ei", "ēm",
];
const FILLER: &[&str] = &[
    "un", "par", "ar", "kā", "lai", "no", "uz", "vai", "kas", "gada", "Nr.", "2026.", "–", "“", "”",
];

/// A pseudo-Latvian word: a stem (real or generated) plus an inflection ending.
fn word(rng: &mut Lcg, generated: &[String]) -> String {
    let stem: &str = if rng.next().is_multiple_of(4) {
        rng.pick(generated).as_str()
    } else {
        rng.word(STEMS)
    };
    format!("{stem}{}", rng.word(ENDINGS))
}

fn generated_stems(rng: &mut Lcg, count: usize) -> Vec<String> {
    const LETTERS: &[&str] = &[
        "a", "e", "i", "u", "ā", "ē", "ī", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "š",
        "ņ", "ļ", "g", "d", "b",
    ];
    (0..count)
        .map(|_| {
            let len = 4 + rng.next() % 6;
            (0..len).map(|_| rng.word(LETTERS)).collect()
        })
        .collect()
}

fn texts(count: usize, generated: &[String]) -> Vec<String> {
    let mut rng = Lcg(7);
    (0..count)
        .map(|_| {
            let mut text = String::with_capacity(2100);
            while text.len() < 2000 {
                if rng.next().is_multiple_of(3) {
                    text.push_str(rng.word(FILLER));
                } else {
                    let w = word(&mut rng, generated);
                    if rng.next().is_multiple_of(10) {
                        text.push_str(&w.to_uppercase());
                    } else {
                        text.push_str(&w);
                    }
                }
                text.push(if rng.next().is_multiple_of(12) {
                    '.'
                } else {
                    ' '
                });
                if text.ends_with('.') {
                    text.push(' ');
                }
            }
            text
        })
        .collect()
}

/// A watchlist file with `count` generated rules: mostly words, some phrases, a few parts.
fn generated_watchlist(count: usize, generated: &[String]) -> String {
    let mut rng = Lcg(11);
    let mut toml = format!("name = \"gen{count}\"\nfields = [\"title\", \"description\"]\n");
    for i in 0..count {
        let mut word = || format!("{}{}", rng.pick(generated).as_str(), rng.word(ENDINGS));
        let rule = match i % 20 {
            0 => format!("part = \"{}\"", word()),
            1..=4 => format!("phrase = \"{} {}\"\nwithin = 1", word(), word()),
            _ => format!("word = \"{}\"", word()),
        };
        toml.push_str(&format!("[[rules]]\n{rule}\n"));
    }
    toml
}

fn set_from(toml: &str) -> WatchlistSet {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gen.toml"), toml).expect("write");
    WatchlistSet::load_dir(dir.path())
        .unwrap_or_else(|e| panic!("generated watchlist invalid:\n{e}"))
}

fn bench_matcher(c: &mut Criterion) {
    let mut rng = Lcg(3);
    let generated = generated_stems(&mut rng, 2000);
    let corpus = texts(10_000, &generated);
    let bytes: usize = corpus.iter().map(String::len).sum();

    let shipped =
        WatchlistSet::load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("watchlists"))
            .unwrap_or_else(|e| panic!("shipped watchlists invalid:\n{e}"));
    let sets = [
        ("shipped", shipped),
        ("rules_10", set_from(&generated_watchlist(10, &generated))),
        (
            "rules_1000",
            set_from(&generated_watchlist(1000, &generated)),
        ),
    ];

    let mut group = c.benchmark_group("matcher");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    for (name, set) in &sets {
        let fired: usize = corpus
            .iter()
            .map(|t| {
                set.fired(&MatchInput {
                    title: "Noteikumu projekts",
                    description: Some(t),
                    ..Default::default()
                })
                .len()
            })
            .sum();
        eprintln!(
            "{name}: {} rules, {fired} watchlist hits over {} texts ({bytes} bytes)",
            set.rule_count(),
            corpus.len()
        );
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut fired = 0usize;
                for text in &corpus {
                    let input = MatchInput {
                        title: "Noteikumu projekts",
                        description: Some(text),
                        ..Default::default()
                    };
                    fired += set
                        .evaluate(black_box(&input))
                        .iter()
                        .filter(|v| v.fired)
                        .count();
                }
                black_box(fired)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_matcher);
criterion_main!(benches);
