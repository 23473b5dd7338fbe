//! Matcher throughput: the shipped watchlists, 10 generated rules and 1,000 generated rules,
//! each over 10,000 synthetic Latvian draft descriptions of about 2 KB; and 10 / 1,000
//! generated rules on the `annotation` field over 400 annotation-length texts of about 50 KB,
//! built from a real annotation excerpt (`annotation_excerpt.txt`, 26-TA-1634, from
//! ../shared/samples) with its sentences shuffled and words varied.
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
    generated_watchlist_on(count, generated, &[], "[\"title\", \"description\"]")
}

/// [`generated_watchlist`] searching `fields`; one rule word in a hundred is taken from
/// `real` (words of the annotation excerpt) instead, so annotation rules hit, and their hits
/// carry the sentence around them as in production. One in a hundred gives about 5 hits per
/// KB, the density of `rules_1000` over descriptions (6 per KB); one in ten gave 47 per KB,
/// a list that would flag every annotation.
fn generated_watchlist_on(
    count: usize,
    generated: &[String],
    real: &[&str],
    fields: &str,
) -> String {
    let mut rng = Lcg(11);
    let mut toml = format!("name = \"gen{count}\"\nfields = {fields}\n");
    for i in 0..count {
        let mut word = || {
            if !real.is_empty() && rng.next().is_multiple_of(100) {
                rng.pick(real).to_string()
            } else {
                format!("{}{}", rng.pick(generated).as_str(), rng.word(ENDINGS))
            }
        };
        let rule = match i % 20 {
            0 => format!("part = \"{}\"", word()),
            1..=4 => format!("phrase = \"{} {}\"\nwithin = 1", word(), word()),
            _ => format!("word = \"{}\"", word()),
        };
        toml.push_str(&format!("[[rules]]\n{rule}\n"));
    }
    toml
}

/// The real annotation text the annotation-length inputs are built from.
const ANNOTATION_EXCERPT: &str = include_str!("annotation_excerpt.txt");

/// Size of one annotation-length input.
const ANNOTATION_BYTES: usize = 50_000;

/// The excerpt's words of five letters or more (rule words for the annotation sets).
fn excerpt_words() -> Vec<&'static str> {
    let mut words: Vec<&str> = ANNOTATION_EXCERPT
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// `count` texts of about 50 KB: the excerpt's sentences in a shuffled order, one word in
/// eight replaced by a generated inflected word, so no two texts are alike.
fn annotation_texts(count: usize, generated: &[String]) -> Vec<String> {
    let sentences: Vec<&str> = ANNOTATION_EXCERPT
        .split_inclusive(". ")
        .filter(|s| !s.trim().is_empty())
        .collect();
    let mut rng = Lcg(13);
    (0..count)
        .map(|_| {
            let mut text = String::with_capacity(ANNOTATION_BYTES + 1000);
            while text.len() < ANNOTATION_BYTES {
                let sentence = rng.pick(&sentences);
                for (i, piece) in sentence.split(' ').enumerate() {
                    if i > 0 {
                        text.push(' ');
                    }
                    if rng.next().is_multiple_of(8) && piece.chars().all(char::is_alphabetic) {
                        text.push_str(&word(&mut rng, generated));
                    } else {
                        text.push_str(piece);
                    }
                }
            }
            text
        })
        .collect()
}

fn set_from(toml: &str) -> WatchlistSet {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gen.toml"), toml).expect("write");
    WatchlistSet::load_dir(dir.path())
        .unwrap_or_else(|e| panic!("generated watchlist invalid:\n{e}"))
}

/// Benchmark every set of `sets` over `texts`, each text made an input by `input`; the
/// group's throughput is the texts' bytes.
fn bench_group<'t>(
    c: &mut Criterion,
    texts: &'t [String],
    sets: &[(&str, WatchlistSet)],
    input: impl Fn(&'t str) -> MatchInput<'t>,
) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("matcher");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    for (name, set) in sets {
        let verdicts: Vec<_> = texts.iter().flat_map(|t| set.evaluate(&input(t))).collect();
        let fired = verdicts.iter().filter(|v| v.fired).count();
        let hits: usize = verdicts.iter().map(|v| v.hits.len()).sum();
        eprintln!(
            "{name}: {} rules, {fired} watchlist hits, {hits} rule hits over {} texts ({bytes} bytes)",
            set.rule_count(),
            texts.len()
        );
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut fired = 0usize;
                for text in texts {
                    fired += set
                        .evaluate(black_box(&input(text)))
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

fn bench_matcher(c: &mut Criterion) {
    let mut rng = Lcg(3);
    let generated = generated_stems(&mut rng, 2000);
    let corpus = texts(10_000, &generated);

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
    bench_group(c, &corpus, &sets, |text| MatchInput {
        title: "Noteikumu projekts",
        description: Some(text),
        ..Default::default()
    });

    // Annotation-length inputs: rules on the annotation field only, as a watchlist that opts
    // in (`fields = ["annotation"]`) has them; every hit gets its sentence.
    let annotations = annotation_texts(400, &generated);
    let real = excerpt_words();
    let on_annotation = |count| {
        set_from(&generated_watchlist_on(
            count,
            &generated,
            &real,
            "[\"annotation\"]",
        ))
    };
    let sets = [
        ("annotation_rules_10", on_annotation(10)),
        ("annotation_rules_1000", on_annotation(1000)),
    ];
    bench_group(c, &annotations, &sets, |text| MatchInput {
        title: "Noteikumu projekts",
        annotation: Some(text),
        ..Default::default()
    });
}

criterion_group!(benches, bench_matcher);
criterion_main!(benches);
