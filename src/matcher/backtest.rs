//! Backtesting watchlists on past drafts: run a [`WatchlistSet`] over JSON-lines inputs
//! (`id`, `title`, optional `text`, `ministry`, `kind`, `policy_areas`, `annotation`,
//! `document`, `impacts`), and compare two sets to see what an edit adds and removes before
//! it goes live.
//!
//! This module is the library behind the `backtest` command; the CLI (flags, files, exit
//! codes) is wired elsewhere. Evaluation goes through [`WatchlistSet::evaluate`], the same
//! code the digest uses.

use std::fmt::Write as _;
use std::io::BufRead;

use serde::{Deserialize, Serialize};

use super::{Field, MatchInput, WatchlistSet};
use crate::model::ImpactItem;

/// Errors reading backtest inputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BacktestError {
    /// The input could not be read.
    #[error("cannot read backtest input: {0}")]
    Io(#[from] std::io::Error),
    /// One line is not a valid input object.
    #[error("line {line}: {message}")]
    InvalidLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One draft to backtest: the shape of the labelled evaluation files (`../shared/eval/*.jsonl`
/// next to the repository) and of store exports.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct BacktestInput {
    /// Identifier, echoed in the result (string or number).
    pub id: serde_json::Value,
    /// Title.
    pub title: String,
    /// Annotation or description; matched as the description field.
    #[serde(default)]
    pub text: Option<String>,
    /// Ministry.
    #[serde(default)]
    pub ministry: Option<String>,
    /// Kind of draft.
    #[serde(default)]
    pub kind: Option<String>,
    /// Policy areas (stored drafts have them from the detail page; JSON-lines inputs may).
    #[serde(default)]
    pub policy_areas: Vec<String>,
    /// The annotation's answers and free text (matched as the `annotation` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
    /// The draft's own text (matched as the `document` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The annotation's impact answers, written `{"8.1.16": "Jā", "invaliditāte": "Nē"}`
    /// (an item by number or wording, as in `impact` rules; answers `Jā`, `Nē`, `-`).
    #[serde(
        default,
        with = "impact_answers",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub impacts: Vec<ImpactItem>,
}

/// The `impacts` object of a backtest line: item name or number → answer.
mod impact_answers {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    use crate::matcher::impact::{self, ImpactNameError};
    use crate::model::{ImpactAnswer, ImpactItem};

    pub(super) fn serialize<S: Serializer>(items: &[ImpactItem], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            items
                .iter()
                .map(|item| (item.number.as_str(), impact::answer_text(item.answer))),
        )
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<ImpactItem>, D::Error> {
        let answers = BTreeMap::<String, String>::deserialize(d)?;
        let mut items = Vec::with_capacity(answers.len());
        for (name, answer) in answers {
            let number = impact::resolve(&name).map_err(|error| match error {
                ImpactNameError::Unknown => D::Error::custom(format!(
                    "unknown impact item {name:?} (expected 8.1.1 to 8.1.16 or the item's wording)"
                )),
                ImpactNameError::Ambiguous(_) => D::Error::custom(format!(
                    "impact {name:?} fits several items; write more of the wording or the number"
                )),
            })?;
            let answer = match answer.trim().to_lowercase().as_str() {
                "jā" | "ja" | "yes" => ImpactAnswer::Yes,
                "nē" | "ne" | "no" => ImpactAnswer::No,
                "-" | "" | "missing" => ImpactAnswer::Missing,
                other => {
                    return Err(D::Error::custom(format!(
                        "impact answer {other:?} for {name:?} is not Jā, Nē or -"
                    )));
                }
            };
            let label = impact::ITEMS
                .iter()
                .find(|(n, _)| *n == number)
                .map_or("", |(_, label)| *label);
            items.push(ImpactItem {
                number: format!("8.1.{number}"),
                label: label.to_string(),
                answer,
                explanation: None,
            });
        }
        Ok(items)
    }
}

impl BacktestInput {
    /// The matcher's view of this input (empty strings count as absent).
    pub fn match_input(&self) -> MatchInput<'_> {
        MatchInput {
            title: &self.title,
            description: non_empty(&self.text),
            policy_areas: &self.policy_areas,
            ministry: non_empty(&self.ministry),
            kind: non_empty(&self.kind),
            annotation: non_empty(&self.annotation),
            document: non_empty(&self.document),
            impacts: &self.impacts,
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.trim().is_empty())
}

/// Parse JSON-lines inputs; blank lines are skipped, unknown keys (such as `label`) ignored.
/// Every bad line is reported, not only the first.
pub fn parse_inputs(reader: impl BufRead) -> Result<Vec<BacktestInput>, Vec<BacktestError>> {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                errors.push(BacktestError::Io(e));
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<BacktestInput>(&line) {
            Ok(input) => inputs.push(input),
            Err(e) => errors.push(BacktestError::InvalidLine {
                line: index + 1,
                message: e.to_string(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(errors)
    }
}

/// One hit of a fired watchlist, flattened for JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestHit {
    /// Watchlist that fired.
    pub watchlist: String,
    /// Rule text.
    pub rule: String,
    /// Field.
    pub field: Field,
    /// Byte range in the original field text.
    pub span: std::ops::Range<usize>,
    /// Matched original text.
    pub matched: String,
    /// The sentence around the hit (annotation and document hits) or the impact item's
    /// explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// The result for one input: `{"id":..., "watchlists":[names hit], "hits":[...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestResult {
    /// The input's id.
    pub id: serde_json::Value,
    /// Names of the watchlists that fired, sorted.
    pub watchlists: Vec<String>,
    /// The hits of the fired watchlists.
    pub hits: Vec<BacktestHit>,
}

/// Evaluate one input.
pub fn run_one(set: &WatchlistSet, input: &BacktestInput) -> BacktestResult {
    let mut result = BacktestResult {
        id: input.id.clone(),
        watchlists: Vec::new(),
        hits: Vec::new(),
    };
    for verdict in set.evaluate(&input.match_input()) {
        if !verdict.fired {
            continue;
        }
        result
            .hits
            .extend(verdict.hits.into_iter().map(|h| BacktestHit {
                watchlist: verdict.watchlist.clone(),
                rule: h.rule.to_string(),
                field: h.field,
                span: h.span,
                matched: h.matched,
                context: h.context,
            }));
        result.watchlists.push(verdict.watchlist);
    }
    result
}

/// Evaluate every input, one result per input, in input order.
pub fn run(set: &WatchlistSet, inputs: &[BacktestInput]) -> Vec<BacktestResult> {
    inputs.iter().map(|input| run_one(set, input)).collect()
}

/// Results as JSON lines (one object per line, trailing newline).
pub fn to_json_lines<T: Serialize>(results: &[T]) -> String {
    let mut out = String::new();
    for result in results {
        // Serialising plain data with string keys cannot fail; skip defensively if it did.
        if let Ok(line) = serde_json::to_string(result) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn id_text(id: &serde_json::Value) -> String {
    match id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Readable report: each input that fired with its watchlists and matched words, then a
/// count per watchlist.
pub fn render_text(inputs: &[BacktestInput], results: &[BacktestResult]) -> String {
    let mut out = String::new();
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (input, result) in inputs.iter().zip(results) {
        if result.watchlists.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}  {}", id_text(&result.id), input.title);
        for name in &result.watchlists {
            *counts.entry(name).or_default() += 1;
            let hits: Vec<&BacktestHit> = result
                .hits
                .iter()
                .filter(|h| &h.watchlist == name)
                .collect();
            let words: Vec<String> = hits
                .iter()
                .map(|h| format!("\"{}\" ({}, {})", h.matched, h.rule, h.field))
                .collect();
            let _ = writeln!(out, "    {name}: {}", words.join(", "));
            for hit in hits {
                if let Some(context) = &hit.context {
                    let _ = writeln!(out, "        {}: «{context}»", hit.field);
                }
            }
        }
    }
    let fired = results.iter().filter(|r| !r.watchlists.is_empty()).count();
    let _ = writeln!(
        out,
        "\n{fired} of {} inputs matched at least one watchlist",
        results.len()
    );
    for (name, count) in counts {
        let _ = writeln!(out, "  {name}: {count}");
    }
    out
}

/// What changing from one set to another does to one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestDiff {
    /// The input's id.
    pub id: serde_json::Value,
    /// The input's title.
    pub title: String,
    /// Watchlists that fire with the new set but not with the old one.
    pub added: Vec<String>,
    /// Watchlists that fired with the old set but no longer do.
    pub removed: Vec<String>,
}

/// Compare two sets over the same inputs; only inputs whose fired watchlists change are
/// returned.
///
/// Why: an admin editing a watchlist wants to see the drafts the edit gains and loses before
/// the coordinators' digests change.
pub fn diff(old: &WatchlistSet, new: &WatchlistSet, inputs: &[BacktestInput]) -> Vec<BacktestDiff> {
    inputs
        .iter()
        .filter_map(|input| {
            let before = run_one(old, input).watchlists;
            let after = run_one(new, input).watchlists;
            let added: Vec<String> = after
                .iter()
                .filter(|n| !before.contains(n))
                .cloned()
                .collect();
            let removed: Vec<String> = before
                .iter()
                .filter(|n| !after.contains(n))
                .cloned()
                .collect();
            (!added.is_empty() || !removed.is_empty()).then(|| BacktestDiff {
                id: input.id.clone(),
                title: input.title.clone(),
                added,
                removed,
            })
        })
        .collect()
}

/// Readable diff: "+ name" for gained, "- name" for lost, per input, then totals.
pub fn render_diff_text(diffs: &[BacktestDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        let _ = writeln!(out, "{}  {}", id_text(&d.id), d.title);
        for name in &d.added {
            let _ = writeln!(out, "    + {name}");
        }
        for name in &d.removed {
            let _ = writeln!(out, "    - {name}");
        }
    }
    let added: usize = diffs.iter().map(|d| d.added.len()).sum();
    let removed: usize = diffs.iter().map(|d| d.removed.len()).sum();
    let _ = writeln!(
        out,
        "\n{} inputs change: {added} matches added, {removed} removed",
        diffs.len()
    );
    out
}
