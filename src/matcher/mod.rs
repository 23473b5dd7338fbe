//! Watchlist matching: decides, for every draft, which watchlists fire and why.
//!
//! Watchlists (`watchlists/*.toml`, format in `watchlists/README.md`) are loaded and validated
//! by [`watchlist`], compiled here into one [`WatchlistSet`]: two lookups over normalised stems
//! and folded words (see [`normalize`](mod@normalize), [`stem_lv`]) cover every word, phrase and word-part
//! rule of every watchlist in one pass per field: each word's key probed once in a key table
//! (`keys`), and word parts found by a packed SIMD search that stops only at words holding
//! one, with an Aho-Corasick automaton to report them (or reading everything when there are
//! many); only regex rules run one by one. Every hit keeps the byte range in the ORIGINAL
//! field text so the digest can highlight it. This module does not read the store, send mail
//! or watch files ([`reload`] does that). Throughput is measured by `benches/matcher.rs`
//! (docs/benchmarks.md).

pub mod backtest;
mod compact;
pub mod context;
pub mod explain;
pub mod impact;
mod keys;
pub mod normalize;
pub mod reload;
pub mod stem_lv;
pub mod watchlist;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};

use normalize::{AnalyzedText, fold, lower_words, normalize, rule_stem_keys};
use watchlist::{NegativeScope, RuleKind, Watchlist, WatchlistError, parse_watchlist};

/// The text fields of a draft the matcher looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatchInput<'a> {
    /// Title.
    pub title: &'a str,
    /// Description from the detail page.
    pub description: Option<&'a str>,
    /// Policy areas.
    pub policy_areas: &'a [String],
    /// Ministry.
    pub ministry: Option<&'a str>,
    /// Kind.
    pub kind: Option<&'a str>,
    /// The annotation's answers and free text (never the form's labels).
    pub annotation: Option<&'a str>,
    /// The draft's own text.
    pub document: Option<&'a str>,
    /// The annotation's `8.1.N` impact items.
    pub impacts: &'a [crate::model::ImpactItem],
}

impl crate::model::StoredDraft {
    /// The fields the matcher reads.
    ///
    /// Why here and not in `model`: the model names no module above it, so the matcher
    /// (which reads the model's types) and the model never import each other.
    pub fn match_input(&self) -> MatchInput<'_> {
        MatchInput {
            title: &self.title,
            description: self.description.as_deref(),
            policy_areas: &self.policy_areas,
            ministry: self.ministry.as_deref(),
            kind: self.kind.as_deref(),
            annotation: self.texts.annotation.as_deref(),
            document: self.texts.document.as_deref(),
            impacts: &self.texts.impacts,
        }
    }
}

/// Which field of a draft a hit was found in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Title.
    Title,
    /// Description.
    Description,
    /// Policy areas, joined with "; ".
    PolicyAreas,
    /// Ministry.
    Ministry,
    /// Kind of draft.
    Kind,
    /// The annotation's answers and free text (opt-in: never in [`Field::DEFAULT`]).
    Annotation,
    /// The draft's own text (opt-in: never in [`Field::DEFAULT`]).
    Document,
    /// The annotation's `8.1.N` impact checklist: only `impact` rules hit here, and no
    /// watchlist names it in `fields`.
    Impact,
}

impl Field {
    /// Every field a watchlist can name in `fields`, in the order verdicts list them.
    pub const ALL: [Field; 7] = [
        Field::Title,
        Field::Description,
        Field::PolicyAreas,
        Field::Ministry,
        Field::Kind,
        Field::Annotation,
        Field::Document,
    ];

    /// The fields a rule searches when neither it nor its watchlist names any.
    ///
    /// Why not all: annotations and draft texts are long and full of incidental words
    /// ("ģimenes ārsts", "bērnu" in a list of affected groups); a list written for titles
    /// and descriptions would lose its precision on them, so a watchlist opts in by name.
    pub const DEFAULT: [Field; 5] = [
        Field::Title,
        Field::Description,
        Field::PolicyAreas,
        Field::Ministry,
        Field::Kind,
    ];

    /// The name used in watchlist files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::PolicyAreas => "policy_areas",
            Field::Ministry => "ministry",
            Field::Kind => "kind",
            Field::Annotation => "annotation",
            Field::Document => "document",
            Field::Impact => "impact",
        }
    }

    /// Parse the name used in watchlist files.
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The text of this field of `input` (policy areas joined with "; ").
    pub fn text<'a>(self, input: &MatchInput<'a>) -> std::borrow::Cow<'a, str> {
        match self {
            Field::Title => input.title.into(),
            Field::Description => input.description.unwrap_or("").into(),
            Field::PolicyAreas => input.policy_areas.join("; ").into(),
            Field::Ministry => input.ministry.unwrap_or("").into(),
            Field::Kind => input.kind.unwrap_or("").into(),
            Field::Annotation => input.annotation.unwrap_or("").into(),
            Field::Document => input.document.unwrap_or("").into(),
            Field::Impact => "".into(),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule matching one place in one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    /// The rule as the admin wrote it (shared: a rule can hit many drafts, and copying its
    /// text for every hit was a measurable cost of matching).
    pub rule: std::sync::Arc<str>,
    /// Field.
    pub field: Field,
    /// Byte range in the original field text (for policy areas: in the areas joined with "; ").
    pub span: Range<usize>,
    /// The original text of that range (for an impact hit: the item and its answer,
    /// "8.1.16. uz bērna labākajām interesēm: Jā").
    pub matched: String,
    /// For hits in the annotation or the draft text: the sentence around the hit, cut to
    /// about [`context::CONTEXT_CHARS`] characters ("…" where cut), for the first
    /// [`CONTEXTS_PER_WATCHLIST`] hits of each watchlist in the field; for an impact hit: the
    /// ministry's explanation, cut the same way. `None` for the short fields, which are
    /// shown whole, and for a watchlist's further hits in a long field.
    ///
    /// Why: a word found somewhere in 50 KB of annotation says little until the reader sees
    /// the sentence it stands in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl Hit {
    /// The sentence around the hit (or an impact item's explanation), when there is one.
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }
}

/// One watchlist's verdict on one draft.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WatchlistVerdict {
    /// Watchlist name.
    pub watchlist: String,
    /// Whether the watchlist fires.
    pub fired: bool,
    /// Score reached: the sum of the weights of the positive rules that hit (each rule once).
    pub score: f64,
    /// Positive hits that count.
    pub hits: Vec<Hit>,
    /// Negative rules that matched and therefore exclude the draft.
    pub excluded_by: Vec<Hit>,
    /// Positive hits cancelled by an overlapping negative rule (`scope = "overlap"`), e.g.
    /// "Ģimenes" inside "Ģimenes ārstu".
    pub ignored: Vec<Hit>,
}

/// Every problem found in a set of watchlist files.
///
/// Why a list: `draftwatch check` and hot reload must show the admin everything to fix at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct WatchlistErrors(pub Vec<WatchlistError>);

impl WatchlistErrors {
    /// The individual errors, sorted by file, line and column.
    pub fn errors(&self) -> &[WatchlistError] {
        &self.0
    }
}

impl fmt::Display for WatchlistErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Build a regex for a regex rule: case-insensitive, bounded size.
pub(crate) fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
}

/// Where one word of a rule lives in an automaton's pattern list.
#[derive(Debug, Clone, Copy)]
struct Target {
    rule: u32,
    position: u16,
}

#[derive(Debug)]
enum CompiledKind {
    /// Word, phrase or part: `words` words looked up through the automata.
    Terms {
        words: usize,
    },
    Regex(Regex),
    /// An impact item (`8.1.N`) answered `Jā`.
    Impact(u8),
}

#[derive(Debug)]
struct CompiledRule {
    watchlist: usize,
    text: std::sync::Arc<str>,
    kind: CompiledKind,
    fields: u8,
    weight: f64,
    negative: Option<NegativeScope>,
    within: usize,
}

#[derive(Debug)]
struct CompiledWatchlist {
    source: Watchlist,
}

/// One automaton and, per pattern, the rule words it stands for.
#[derive(Debug)]
struct Lookup {
    searcher: Searcher,
    targets: Vec<Vec<Target>>,
    /// Patterns that are word parts (match anywhere inside a word) rather than whole words.
    is_part: Vec<bool>,
}

/// How a [`Lookup`] finds its patterns in a stream of keys.
#[derive(Debug)]
enum Searcher {
    /// Only whole-word patterns: each token's key is looked up once (the key without the
    /// wrapping spaces maps to the pattern number). This finds exactly what the automaton
    /// would: a pattern " key " can only match one whole token of equal key.
    Keys(keys::KeyTable),
    /// Word parts (which match inside words) or unusual keys: one automaton pass.
    Automaton(AhoCorasick),
    /// Word parts, when there are few patterns: a SIMD search (Teddy) finds the next word
    /// that holds any pattern, and the automaton reports every pattern in that word alone.
    ///
    /// Why: the automaton reads every byte (~2 ns a byte), while a part rule rarely occurs;
    /// the packed search skips the words that hold none several bytes at a time.
    /// Correct because a pattern never spans two words, and the packed search returns the
    /// leftmost start of any pattern, so no occurrence lies before the word it stops in.
    FindThenAutomaton(aho_corasick::packed::Searcher, AhoCorasick),
}

/// Total pattern bytes up to which an automaton is built as a full DFA (see
/// [`LookupBuilder::build`]).
const MAX_DFA_PATTERN_BYTES: usize = 64 * 1024;

/// Collects patterns while compiling, merging equal keys.
#[derive(Default)]
struct LookupBuilder {
    index: std::collections::HashMap<String, usize>,
    patterns: Vec<String>,
    targets: Vec<Vec<Target>>,
    is_part: Vec<bool>,
}

impl LookupBuilder {
    fn add(&mut self, pattern: String, is_part: bool, target: Target) {
        let pattern = if is_part {
            pattern
        } else {
            format!(" {pattern} ")
        };
        let slot = *self.index.entry(pattern.clone()).or_insert_with(|| {
            self.patterns.push(pattern);
            self.targets.push(Vec::new());
            self.is_part.push(is_part);
            self.patterns.len() - 1
        });
        if let Some(list) = self.targets.get_mut(slot) {
            list.push(target);
        }
    }

    /// Build the lookup; `shortcuts` false forces a plain automaton, without key table or
    /// packed finder (tests compare the two).
    fn build(self, shortcuts: bool) -> Result<Option<Lookup>, aho_corasick::BuildError> {
        if self.patterns.is_empty() {
            return Ok(None);
        }
        let overlapping = self.is_part.iter().any(|p| *p);
        if shortcuts
            && !overlapping
            && let Some(keys) = whole_word_keys(&self.patterns)
        {
            return Ok(Some(Lookup {
                searcher: Searcher::Keys(keys),
                targets: self.targets,
                is_part: self.is_part,
            }));
        }
        let mut builder = AhoCorasickBuilder::new();
        builder.match_kind(if overlapping {
            MatchKind::Standard
        } else {
            MatchKind::LeftmostLongest
        });
        // A full DFA searches about twice as fast as the NFA the crate picks on its own above
        // 100 patterns; its size grows with the pattern bytes, so it is only forced for
        // sets of realistic size (a few MB at most), and any failure falls back to the
        // crate's own choice.
        let pattern_bytes: usize = self.patterns.iter().map(String::len).sum();
        let forced_dfa = (pattern_bytes <= MAX_DFA_PATTERN_BYTES)
            .then(|| {
                builder
                    .clone()
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&self.patterns)
                    .ok()
            })
            .flatten();
        let automaton = match forced_dfa {
            Some(dfa) => dfa,
            None => builder.build(&self.patterns)?,
        };
        // The packed searcher refuses sets it is slow for (over 64 patterns) and machines
        // without SIMD; then the automaton reads everything.
        let finder = if overlapping && shortcuts {
            aho_corasick::packed::Searcher::new(&self.patterns)
        } else {
            None
        };
        let searcher = match finder {
            Some(finder) => Searcher::FindThenAutomaton(finder, automaton),
            None => Searcher::Automaton(automaton),
        };
        Ok(Some(Lookup {
            searcher,
            targets: self.targets,
            is_part: self.is_part,
        }))
    }
}

/// The keys of whole-word patterns (" key ") for a [`Searcher::Keys`], or `None` when a key
/// is empty or has a space (never produced by the analysis; then the automaton decides).
fn whole_word_keys(patterns: &[String]) -> Option<keys::KeyTable> {
    let mut keys = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        let key = pattern.strip_prefix(' ')?.strip_suffix(' ')?;
        if key.is_empty() || key.contains(' ') {
            return None;
        }
        keys.push(key);
    }
    Some(keys::KeyTable::new(keys.into_iter()))
}

/// Buffers that matching one field needs, kept per thread and reused from field to field
/// (allocating them for every field of every draft was a measurable part of matching).
#[derive(Default)]
struct Scratch {
    /// See [`AnalyzedText::reanalyze`].
    analyzed: AnalyzedText,
    occurrences: Vec<Occurrence>,
}

/// Fields up to this size (far beyond any draft description) leave their buffers in
/// [`SCRATCH`] for the next field; longer ones free them.
const MAX_KEPT_SCRATCH_TEXT: usize = 256 * 1024;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// All watchlists, compiled for one-pass matching.
///
/// Why one set: the digest and `explain` evaluate every draft against every watchlist; one
/// automaton pass per field keeps that cheap however many rules admins write.
#[derive(Debug, Default)]
pub struct WatchlistSet {
    watchlists: Vec<CompiledWatchlist>,
    rules: Vec<CompiledRule>,
    stems: Option<Lookup>,
    words: Option<Lookup>,
    regex_rules: Vec<usize>,
    impact_rules: Vec<usize>,
    used_fields: u8,
}

/// A hit and the index of the rule that made it, collected for all fields of a draft before
/// the verdicts are formed (a short list, rather than one list per rule of the set).
#[derive(Debug)]
struct RuleHit {
    rule_index: u32,
    hit: Hit,
}

/// Where the occurrences of one rule were found: the rule, the field and its analysis.
struct Found<'a> {
    rule_index: u32,
    field: Field,
    text: &'a str,
    analyzed: &'a AnalyzedText,
}

/// One rule word found at one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Occurrence {
    rule: u32,
    position: u16,
    token: u32,
}

/// The watchlist files of `dir`: every `*.toml` file, in name order (other files such as
/// README.md are not watchlists). The one definition the loader, the reloader's change
/// check and `status`'s version share, so they always look at the same files.
pub fn watchlist_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml") && path.is_file())
        .collect();
    paths.sort();
    Ok(paths)
}

impl WatchlistSet {
    /// Load every `*.toml` in `dir` (other files such as README.md are ignored).
    pub fn load_dir(dir: &Path) -> Result<Self, WatchlistErrors> {
        let io_error = |message: String| {
            WatchlistErrors(vec![WatchlistError {
                path: dir.to_path_buf(),
                line: 1,
                column: 1,
                message,
            }])
        };
        let paths = watchlist_files(dir)
            .map_err(|e| io_error(format!("cannot read watchlist directory: {e}")))?;
        if paths.is_empty() {
            return Err(io_error(
                "no watchlist files (*.toml) in this directory".to_string(),
            ));
        }
        Self::load_files(&paths)
    }

    /// Load the given watchlist files, reporting every error of every file.
    pub fn load_files(paths: &[PathBuf]) -> Result<Self, WatchlistErrors> {
        let mut errors = Vec::new();
        let mut watchlists: Vec<Watchlist> = Vec::new();
        for path in paths {
            match std::fs::read_to_string(path) {
                Ok(source) => match parse_watchlist(path, &source) {
                    Ok(list) => {
                        if let Some(first) = watchlists.iter().find(|w| w.name == list.name) {
                            errors.push(WatchlistError {
                                path: path.clone(),
                                line: 1,
                                column: 1,
                                message: format!(
                                    "watchlist name {:?} is already used by {}",
                                    list.name,
                                    first.path.display()
                                ),
                            });
                        } else {
                            watchlists.push(list);
                        }
                    }
                    Err(mut file_errors) => errors.append(&mut file_errors),
                },
                Err(e) => errors.push(WatchlistError {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: format!("cannot read file: {e}"),
                }),
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
            return Err(WatchlistErrors(errors));
        }
        Self::compile(watchlists)
    }

    /// Compile validated watchlists (sorted by name).
    pub fn compile(watchlists: Vec<Watchlist>) -> Result<Self, WatchlistErrors> {
        Self::compile_with(watchlists, true)
    }

    /// [`Self::compile`]; `shortcuts` false makes every lookup a plain automaton.
    fn compile_with(
        mut watchlists: Vec<Watchlist>,
        shortcuts: bool,
    ) -> Result<Self, WatchlistErrors> {
        watchlists.sort_by(|a, b| a.name.cmp(&b.name));
        let mut set = WatchlistSet::default();
        let mut stems = LookupBuilder::default();
        let mut words = LookupBuilder::default();
        let mut errors = Vec::new();
        for (list_index, list) in watchlists.iter().enumerate() {
            for rule in &list.rules {
                let rule_index = set.rules.len() as u32;
                let fields = rule.fields.iter().fold(0u8, |mask, f| mask | f.bit());
                set.used_fields |= fields;
                let kind = match &rule.kind {
                    RuleKind::Impact(_, number) => {
                        set.impact_rules.push(rule_index as usize);
                        CompiledKind::Impact(*number)
                    }
                    RuleKind::Regex(pattern) => match build_regex(pattern) {
                        Ok(regex) => {
                            set.regex_rules.push(rule_index as usize);
                            CompiledKind::Regex(regex)
                        }
                        Err(e) => {
                            errors.push(WatchlistError {
                                path: list.path.clone(),
                                line: rule.line,
                                column: 1,
                                message: format!("invalid regex: {e}"),
                            });
                            continue;
                        }
                    },
                    RuleKind::Part(part) => {
                        let folded = fold(&normalize(part));
                        words.add(
                            folded,
                            true,
                            Target {
                                rule: rule_index,
                                position: 0,
                            },
                        );
                        CompiledKind::Terms { words: 1 }
                    }
                    RuleKind::Word(text) | RuleKind::Phrase(text) => {
                        let lowered = lower_words(text);
                        for (position, word) in lowered.iter().enumerate() {
                            let target = Target {
                                rule: rule_index,
                                position: position as u16,
                            };
                            if rule.exact {
                                words.add(fold(word), false, target);
                            } else {
                                for key in rule_stem_keys(word) {
                                    stems.add(key, false, target);
                                }
                            }
                        }
                        CompiledKind::Terms {
                            words: lowered.len(),
                        }
                    }
                };
                set.rules.push(CompiledRule {
                    watchlist: list_index,
                    text: rule.kind.text().into(),
                    kind,
                    fields,
                    weight: rule.weight,
                    negative: rule.negative,
                    within: rule.within,
                });
            }
        }
        let automaton_error = |e: aho_corasick::BuildError| {
            WatchlistErrors(vec![WatchlistError {
                path: PathBuf::from("watchlists"),
                line: 1,
                column: 1,
                message: format!("too many rules to compile: {e}"),
            }])
        };
        set.stems = stems.build(shortcuts).map_err(automaton_error)?;
        set.words = words.build(shortcuts).map_err(automaton_error)?;
        if !errors.is_empty() {
            return Err(WatchlistErrors(errors));
        }
        set.watchlists = watchlists
            .into_iter()
            .map(|source| CompiledWatchlist { source })
            .collect();
        Ok(set)
    }

    /// Watchlist names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.watchlists
            .iter()
            .map(|w| w.source.name.as_str())
            .collect()
    }

    /// The validated watchlists, sorted by name (for `explain` and documentation).
    pub fn watchlists(&self) -> impl Iterator<Item = &Watchlist> {
        self.watchlists.iter().map(|w| &w.source)
    }

    /// Number of rules over all watchlists.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Every watchlist's verdict on one draft, in name order.
    pub fn evaluate(&self, input: &MatchInput<'_>) -> Vec<WatchlistVerdict> {
        let mut rule_hits: Vec<RuleHit> = Vec::new();
        for field in Field::ALL {
            if self.used_fields & field.bit() == 0 {
                continue;
            }
            let text = field.text(input);
            if text.trim().is_empty() {
                continue;
            }
            let first_new = rule_hits.len();
            self.match_field(field, &text, &mut rule_hits);
            if matches!(field, Field::Annotation | Field::Document) {
                add_context(
                    &self.rules,
                    &text,
                    rule_hits.get_mut(first_new..).unwrap_or_default(),
                );
            }
        }
        if !self.impact_rules.is_empty() {
            self.match_impacts(input.impacts, &mut rule_hits);
        }
        self.verdicts(rule_hits)
    }

    /// Whether the watchlist `name` is about children (`child_focus = true`).
    pub fn is_child_watchlist(&self, name: &str) -> bool {
        self.watchlists
            .iter()
            .any(|w| w.source.name == name && w.source.child_focus)
    }

    /// The note "anotācijā ietekme uz bērna labākajām interesēm norādīta kā 'Nē', bet teksts
    /// min bērnus N reizes" for one draft, if it applies: its annotation answers `Nē` on
    /// 8.1.16 while a watchlist with `child_focus = true` fired with hits in the annotation
    /// or draft text. `verdicts` are this set's verdicts on the draft.
    pub fn best_interests_contradiction(
        &self,
        verdicts: &[WatchlistVerdict],
        impacts: &[crate::model::ImpactItem],
    ) -> Option<impact::BestInterestsContradiction> {
        impact::best_interests_contradiction(verdicts, impacts, |name| {
            self.is_child_watchlist(name)
        })
    }

    /// Hits of `impact` rules: one per rule whose item is answered `Jā`.
    fn match_impacts(&self, impacts: &[crate::model::ImpactItem], rule_hits: &mut Vec<RuleHit>) {
        for item in impacts
            .iter()
            .filter(|i| i.answer == crate::model::ImpactAnswer::Yes)
        {
            let Some(number) = impact::item_of(item) else {
                continue;
            };
            for &rule_index in &self.impact_rules {
                let Some(rule) = self.rules.get(rule_index) else {
                    continue;
                };
                if !matches!(rule.kind, CompiledKind::Impact(n) if n == number) {
                    continue;
                }
                let context = item.explanation.as_deref().map(|explanation| {
                    context::cut_around(
                        explanation,
                        0..explanation.len(),
                        0..0,
                        context::CONTEXT_CHARS,
                    )
                });
                rule_hits.push(RuleHit {
                    rule_index: rule_index as u32,
                    hit: Hit {
                        rule: rule.text.clone(),
                        field: Field::Impact,
                        span: 0..0,
                        matched: format!(
                            "{} {}: {}",
                            item.number.trim().trim_end_matches('.'),
                            item.label.trim(),
                            impact::answer_text(item.answer)
                        ),
                        context: context.filter(|c| !c.is_empty()),
                    },
                });
            }
        }
    }

    /// Names of the watchlists that fire on `input`.
    pub fn fired(&self, input: &MatchInput<'_>) -> Vec<String> {
        self.evaluate(input)
            .into_iter()
            .filter(|v| v.fired)
            .map(|v| v.watchlist)
            .collect()
    }

    fn match_field(&self, field: Field, text: &str, rule_hits: &mut Vec<RuleHit>) {
        SCRATCH.with_borrow_mut(|scratch| {
            scratch.analyzed.reanalyze(text);
            scratch.occurrences.clear();
            self.match_analyzed(
                field,
                text,
                &scratch.analyzed,
                &mut scratch.occurrences,
                rule_hits,
            );
            // The daemon runs for months: an unusually long field must not leave its
            // buffers (about ten times its size) held by this thread for good.
            if text.len() > MAX_KEPT_SCRATCH_TEXT {
                *scratch = Scratch::default();
            }
        });
    }

    fn match_analyzed(
        &self,
        field: Field,
        text: &str,
        analyzed: &AnalyzedText,
        occurrences: &mut Vec<Occurrence>,
        rule_hits: &mut Vec<RuleHit>,
    ) {
        if let Some(lookup) = &self.stems {
            self.collect(lookup, field, &analyzed.stems, analyzed, true, occurrences);
        }
        if let Some(lookup) = &self.words {
            self.collect(lookup, field, &analyzed.words, analyzed, false, occurrences);
        }
        occurrences.sort_unstable();
        occurrences.dedup();
        let mut start = 0;
        while start < occurrences.len() {
            let rule_id = occurrences[start].rule;
            let end = start
                + occurrences[start..]
                    .iter()
                    .take_while(|o| o.rule == rule_id)
                    .count();
            if let Some(rule) = self.rules.get(rule_id as usize) {
                let found = Found {
                    rule_index: rule_id,
                    field,
                    text,
                    analyzed,
                };
                resolve_terms(rule, &found, &occurrences[start..end], rule_hits);
            }
            start = end;
        }
        for &rule_index in &self.regex_rules {
            let Some(rule) = self.rules.get(rule_index) else {
                continue;
            };
            let CompiledKind::Regex(regex) = &rule.kind else {
                continue;
            };
            if rule.fields & field.bit() == 0 {
                continue;
            }
            for m in regex.find_iter(text).filter(|m| !m.is_empty()) {
                rule_hits.push(RuleHit {
                    rule_index: rule_index as u32,
                    hit: Hit {
                        rule: rule.text.clone(),
                        field,
                        span: m.range(),
                        matched: m.as_str().to_string(),
                        context: None,
                    },
                });
            }
        }
    }

    /// Run one automaton over one stream and record which rule words occur at which token.
    fn collect(
        &self,
        lookup: &Lookup,
        field: Field,
        stream: &[u8],
        analyzed: &AnalyzedText,
        stem_stream: bool,
        out: &mut Vec<Occurrence>,
    ) {
        let mut record = |pattern: usize, token: usize| {
            for target in lookup.targets.get(pattern).into_iter().flatten() {
                let allowed = self
                    .rules
                    .get(target.rule as usize)
                    .is_some_and(|r| r.fields & field.bit() != 0);
                if allowed {
                    out.push(Occurrence {
                        rule: target.rule,
                        position: target.position,
                        token: token as u32,
                    });
                }
            }
        };
        let whole_word_token = |start: usize| {
            if stem_stream {
                analyzed.token_at_stem(start + 1)
            } else {
                analyzed.token_at_word(start + 1)
            }
        };
        let (finder, automaton) = match &lookup.searcher {
            Searcher::Keys(keys) => {
                for (index, token) in analyzed.tokens.iter().enumerate() {
                    let range = if stem_stream {
                        token.stem.clone()
                    } else {
                        token.word.clone()
                    };
                    if let Some(pattern) = keys.get(stream, range) {
                        record(pattern, index);
                    }
                }
                return;
            }
            Searcher::Automaton(automaton) => (None, automaton),
            Searcher::FindThenAutomaton(finder, automaton) => (Some(finder), automaton),
        };
        if automaton.match_kind() != MatchKind::Standard {
            for m in automaton.find_iter(stream) {
                if let Some(token) = whole_word_token(m.start()) {
                    record(m.pattern().as_usize(), token);
                }
            }
            return;
        }
        // Every occurrence of every pattern in `stream[region]`, overlapping ones included.
        let mut report_all = |region: Range<usize>| {
            let Some(haystack) = stream.get(region.clone()) else {
                return;
            };
            for m in automaton.find_overlapping_iter(haystack) {
                let start = region.start + m.start();
                let pattern = m.pattern().as_usize();
                let token = if lookup.is_part.get(pattern).copied().unwrap_or(false) {
                    analyzed.token_containing_word_byte(start)
                } else {
                    whole_word_token(start)
                };
                if let Some(token) = token {
                    record(pattern, token);
                }
            }
        };
        let Some(finder) = finder else {
            report_all(0..stream.len());
            return;
        };
        let mut at = 0;
        while let Some(m) = finder.find_in(stream, aho_corasick::Span::from(at..stream.len())) {
            // The word the match starts in, or, for a whole-word pattern, starts at its
            // leading space; with its two spaces, which whole-word patterns include.
            let token = if stem_stream {
                analyzed.token_at_stem(m.start() + 1)
            } else {
                analyzed
                    .token_containing_word_byte(m.start())
                    .or_else(|| analyzed.token_at_word(m.start() + 1))
            };
            let word = token.and_then(|index| analyzed.tokens.get(index)).map(|t| {
                if stem_stream {
                    t.stem.clone()
                } else {
                    t.word.clone()
                }
            });
            match word {
                Some(word) => {
                    let region = word.start.saturating_sub(1)..(word.end + 1).min(stream.len());
                    at = region.end;
                    report_all(region);
                }
                None => at = m.start() + 1,
            }
        }
    }

    fn verdicts(&self, mut rule_hits: Vec<RuleHit>) -> Vec<WatchlistVerdict> {
        let mut verdicts: Vec<WatchlistVerdict> = self
            .watchlists
            .iter()
            .map(|w| WatchlistVerdict {
                watchlist: w.source.name.clone(),
                fired: false,
                score: 0.0,
                hits: Vec::new(),
                excluded_by: Vec::new(),
                ignored: Vec::new(),
            })
            .collect();
        let mut masks: Vec<Vec<Hit>> = vec![Vec::new(); self.watchlists.len()];
        let mut positives: Vec<Vec<(usize, Hit)>> = vec![Vec::new(); self.watchlists.len()];
        // Rule order, and within a rule the order found (stable sort), as verdicts list them.
        rule_hits.sort_by_key(|h| h.rule_index);
        for RuleHit { rule_index, hit } in rule_hits {
            let rule_index = rule_index as usize;
            let Some(rule) = self.rules.get(rule_index) else {
                continue;
            };
            let (Some(verdict), Some(mask), Some(positive)) = (
                verdicts.get_mut(rule.watchlist),
                masks.get_mut(rule.watchlist),
                positives.get_mut(rule.watchlist),
            ) else {
                continue;
            };
            match rule.negative {
                Some(NegativeScope::Draft) => verdict.excluded_by.push(hit),
                Some(NegativeScope::Overlap) => mask.push(hit),
                None => positive.push((rule_index, hit)),
            }
        }
        for ((verdict, mask), positive) in verdicts.iter_mut().zip(masks).zip(positives) {
            let mut scored_rules: Vec<usize> = Vec::new();
            for (rule_index, hit) in positive {
                let covered = mask.iter().any(|m| {
                    m.field == hit.field
                        && m.span.start < hit.span.end
                        && hit.span.start < m.span.end
                });
                if covered {
                    verdict.ignored.push(hit);
                } else {
                    if !scored_rules.contains(&rule_index) {
                        scored_rules.push(rule_index);
                    }
                    verdict.hits.push(hit);
                }
            }
            verdict.score = scored_rules
                .iter()
                .filter_map(|i| self.rules.get(*i))
                .map(|r| r.weight)
                .sum();
            let threshold = self
                .watchlists
                .iter()
                .find(|w| w.source.name == verdict.watchlist)
                .and_then(|w| w.source.threshold);
            let reached = match threshold {
                Some(t) => verdict.score + 1e-9 >= t,
                None => verdict.score > 0.0,
            };
            verdict.fired = reached && verdict.excluded_by.is_empty();
            for list in [
                &mut verdict.hits,
                &mut verdict.excluded_by,
                &mut verdict.ignored,
            ] {
                list.sort_by(|a, b| {
                    (a.field, a.span.start, a.span.end).cmp(&(b.field, b.span.start, b.span.end))
                });
            }
        }
        verdicts
    }
}

/// How many hits of one watchlist in one long field get their sentence: the first ones in
/// text order. Why a cap: a watchlist of many rules can hit a 50 KB annotation a hundred
/// times; readers show the first few places (the digest three per draft, `explain` and
/// `backtest` these), and cutting every sentence cost about a fifth of the matcher's time on
/// annotation-length texts (docs/benchmarks.md). Every hit is still counted.
pub const CONTEXTS_PER_WATCHLIST: usize = 5;

/// Give the first [`CONTEXTS_PER_WATCHLIST`] hits (in text order) of each watchlist the
/// sentence around it in `text` (the sentences are found once per field, and only when it
/// has hits); its later hits keep `context: None`.
fn add_context(rules: &[CompiledRule], text: &str, hits: &mut [RuleHit]) {
    if hits.is_empty() {
        return;
    }
    let sentences = context::Sentences::new(text);
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&index| (hits[index].hit.span.start, hits[index].hit.span.end));
    let mut given: Vec<(usize, usize)> = Vec::new();
    for index in order {
        let RuleHit { rule_index, hit } = &mut hits[index];
        let Some(rule) = rules.get(*rule_index as usize) else {
            continue;
        };
        let count = match given.iter().position(|(list, _)| *list == rule.watchlist) {
            Some(at) => &mut given[at].1,
            None => {
                given.push((rule.watchlist, 0));
                let last = given.len() - 1;
                &mut given[last].1
            }
        };
        if *count < CONTEXTS_PER_WATCHLIST {
            *count += 1;
            hit.context = Some(sentences.context(text, hit.span.clone()));
        }
    }
}

/// Turn the word occurrences of one word/phrase/part rule in one field into hits: single words
/// hit wherever they occur; phrases need every word in order with at most `within` other
/// words between neighbours.
fn resolve_terms(
    rule: &CompiledRule,
    found: &Found<'_>,
    occurrences: &[Occurrence],
    hits: &mut Vec<RuleHit>,
) {
    let CompiledKind::Terms { words } = rule.kind else {
        return;
    };
    let tokens = &found.analyzed.tokens;
    let mut push = |first: usize, last: usize| {
        let (Some(a), Some(b)) = (tokens.get(first), tokens.get(last)) else {
            return;
        };
        let span = a.original.start..b.original.end;
        let matched = found.text.get(span.clone()).unwrap_or("").to_string();
        hits.push(RuleHit {
            rule_index: found.rule_index,
            hit: Hit {
                rule: rule.text.clone(),
                field: found.field,
                span,
                matched,
                context: None,
            },
        });
    };
    if words <= 1 {
        for o in occurrences {
            push(o.token as usize, o.token as usize);
        }
        return;
    }
    let mut positions: Vec<Vec<usize>> = vec![Vec::new(); words];
    for o in occurrences {
        if let Some(list) = positions.get_mut(o.position as usize) {
            list.push(o.token as usize);
        }
    }
    if positions.iter().any(Vec::is_empty) {
        return;
    }
    let Some(firsts) = positions.first() else {
        return;
    };
    let mut covered_until = 0usize;
    for &first in firsts {
        if first < covered_until {
            continue;
        }
        if let Some(last) = chain_end(&positions, 1, first, rule.within) {
            push(first, last);
            covered_until = last + 1;
        }
    }
}

/// Find the token of the last phrase word when the phrase word `index` must follow token
/// `previous` with at most `within` words in between (depth-first, phrases are short).
fn chain_end(
    positions: &[Vec<usize>],
    index: usize,
    previous: usize,
    within: usize,
) -> Option<usize> {
    let Some(candidates) = positions.get(index) else {
        return Some(previous);
    };
    candidates
        .iter()
        .filter(|&&t| t > previous && t - previous - 1 <= within)
        .find_map(|&t| chain_end(positions, index + 1, t, within))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VOCABULARY: &[&str] = &[
        "bērniem", "bērns", "ģimenes", "gimene", "pabalsts", "pabalstu", "skolu", "likums",
        "likuma", "nodokļu", "nodoklis", "un", "par", "Ārsts", "ārstu",
    ];

    fn words(picks: &[usize]) -> String {
        picks
            .iter()
            .filter_map(|&i| VOCABULARY.get(i % VOCABULARY.len()))
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The watchlist `toml` compiled with the key table and packed finder, and without.
    fn fast_and_plain(toml: &str) -> Result<(WatchlistSet, WatchlistSet), TestCaseError> {
        let list = watchlist::parse_watchlist(Path::new("t.toml"), toml)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let fast = WatchlistSet::compile_with(vec![list.clone()], true)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let plain = WatchlistSet::compile_with(vec![list], false)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        Ok((fast, plain))
    }

    proptest! {
        /// Looking whole-word keys up token by token finds exactly what the automaton finds.
        #[test]
        fn key_lookup_equals_automaton(
            rules in proptest::collection::vec(
                (proptest::collection::vec(0..40usize, 1..3), any::<bool>(), 0..3usize),
                1..6,
            ),
            text in proptest::collection::vec(0..40usize, 0..30),
        ) {
            let mut toml = String::from("name = \"t\"\n");
            for (picks, exact, within) in &rules {
                let kind = if picks.len() > 1 { "phrase" } else { "word" };
                toml.push_str(&format!(
                    "[[rules]]\n{kind} = \"{}\"\nexact = {exact}\n",
                    words(picks)
                ));
                if picks.len() > 1 {
                    toml.push_str(&format!("within = {within}\n"));
                }
            }
            let (keys, automaton) = fast_and_plain(&toml)?;
            prop_assert!(matches!(
                keys.stems.as_ref().map(|l| &l.searcher),
                None | Some(Searcher::Keys(_))
            ));
            let text = words(&text);
            let input = MatchInput { title: &text, ..MatchInput::default() };
            prop_assert_eq!(keys.evaluate(&input), automaton.evaluate(&input));
        }

        /// Word parts and exact words found through the packed finder, word by word, are
        /// exactly those the automaton finds reading the whole stream.
        #[test]
        fn packed_finder_equals_automaton(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-zāēīšņ]{3,5}",
                    prop::sample::select(vec!["bern", "imen", "ģimen", "abal", "likum", "ārst", "skol"])
                        .prop_map(str::to_string),
                ],
                1..8,
            ),
            exact in proptest::collection::vec(0..40usize, 0..3),
            text in proptest::collection::vec(
                prop_oneof![
                    (0..40usize).prop_map(|i| VOCABULARY[i % VOCABULARY.len()].to_string()),
                    "[a-zA-ZāēīšņĀĒĪŠŅ]{1,12}",
                ],
                0..30,
            ),
        ) {
            let mut toml = String::from("name = \"t\"\n");
            for part in &parts {
                toml.push_str(&format!("[[rules]]\npart = \"{part}\"\n"));
            }
            for pick in &exact {
                toml.push_str(&format!("[[rules]]\nword = \"{}\"\nexact = true\n", words(&[*pick])));
            }
            let (fast, plain) = fast_and_plain(&toml)?;
            prop_assert!(matches!(
                plain.words.as_ref().map(|l| &l.searcher),
                Some(Searcher::Automaton(_))
            ));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                prop_assert!(matches!(
                    fast.words.as_ref().map(|l| &l.searcher),
                    Some(Searcher::FindThenAutomaton(..))
                ));
            }
            let text = text.join(" ");
            let input = MatchInput { title: &text, ..MatchInput::default() };
            prop_assert_eq!(fast.evaluate(&input), plain.evaluate(&input));
        }
    }
}
