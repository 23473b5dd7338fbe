//! Watchlist files: read `watchlists/*.toml`, validate them and report EVERY problem at once
//! with `file:line:column`, so an admin who is not a programmer can fix a file in one go.
//!
//! The format is documented for admins in `watchlists/README.md`. This module only turns a
//! file into a validated [`Watchlist`]; compiling rules into automata is the job of
//! [`super::WatchlistSet`].

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Field;
use super::impact::{self, ImpactNameError};
use super::normalize::{AnalyzedText, fold, normalize};
use crate::line_index::LineIndex;

/// Longest gap allowed between phrase words; more would make a "phrase" a bag of words.
pub const MAX_WITHIN: i64 = 50;

/// Shortest word part (in letters); shorter parts would match almost every draft.
pub const MIN_PART_LETTERS: usize = 3;

/// One problem in one watchlist file, at a precise place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchlistError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, in words an admin understands.
    pub message: String,
}

impl fmt::Display for WatchlistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// What a rule looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    /// One word, any inflection (unless `exact`).
    Word(String),
    /// Several words in order, each inflected freely, with at most `within` other words
    /// between neighbours.
    Phrase(String),
    /// A part of a word ("ģimen" inside "audžuģimenēm"), compared without diacritics.
    Part(String),
    /// A regular expression over the original text, case-insensitive.
    Regex(String),
    /// An annotation impact item (`8.1.N`, see [`super::impact`]) answered `Jā`: the name
    /// as the admin wrote it and the item number it resolved to.
    Impact(String, u8),
}

impl RuleKind {
    /// The rule's text as the admin wrote it.
    pub fn text(&self) -> &str {
        match self {
            RuleKind::Word(t)
            | RuleKind::Phrase(t)
            | RuleKind::Part(t)
            | RuleKind::Regex(t)
            | RuleKind::Impact(t, _) => t,
        }
    }

    /// The key the admin used: "word", "phrase", "part", "regex" or "impact".
    pub fn key(&self) -> &'static str {
        match self {
            RuleKind::Word(_) => "word",
            RuleKind::Phrase(_) => "phrase",
            RuleKind::Part(_) => "part",
            RuleKind::Regex(_) => "regex",
            RuleKind::Impact(..) => "impact",
        }
    }
}

/// What a negative rule excludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegativeScope {
    /// The whole draft: the watchlist does not fire at all (the default).
    Draft,
    /// Only positive hits overlapping the negative match ("Ģimenes ārstu" cancels the hit on
    /// "Ģimenes" but a "bērni" elsewhere in the draft still counts).
    Overlap,
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// What it looks for.
    pub kind: RuleKind,
    /// No stemming: the word must appear as written (case and diacritics still ignored).
    pub exact: bool,
    /// `Some` for a negative rule.
    pub negative: Option<NegativeScope>,
    /// Fields searched.
    pub fields: Vec<Field>,
    /// Score added when the rule hits (positive rules).
    pub weight: f64,
    /// For phrases: how many other words may stand between neighbouring phrase words.
    pub within: usize,
    /// 1-based line of the rule in its file (for `explain`).
    pub line: usize,
}

/// One validated watchlist file.
#[derive(Debug, Clone, PartialEq)]
pub struct Watchlist {
    /// Unique name, used by config to route digests ("berni").
    pub name: String,
    /// What the watchlist is for, in the coordinator's words.
    pub description: String,
    /// Score needed to fire; `None`: any positive rule.
    pub threshold: Option<f64>,
    /// Rules in file order.
    pub rules: Vec<Rule>,
    /// Whether the watchlist is about children (`child_focus = true`): its hits in the
    /// annotation or draft text count as "the text mentions children" when the annotation
    /// answers `Nē` on 8.1.16 (see [`super::impact::best_interests_contradiction`]).
    pub child_focus: bool,
    /// The file it came from.
    pub path: PathBuf,
}

/// Turns byte offsets of one file into `line:column` errors.
struct ErrorSink<'a> {
    path: &'a Path,
    /// Built once per file: every rule asks it for its line.
    lines: LineIndex<'a>,
    errors: Vec<WatchlistError>,
}

impl ErrorSink<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.lines.locate(span.start);
        self.errors.push(WatchlistError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        });
    }

    fn line_of(&self, offset: usize) -> usize {
        self.lines.locate(offset).0
    }
}

const TOP_KEYS: &str = "name, description, threshold, fields, child_focus, rules";
const RULE_KEYS: &str =
    "word, phrase, part, regex, impact, exact, negative, scope, fields, weight, within";
const RULE_KINDS: &str = "word, phrase, part, regex, impact";

/// Parse and validate one watchlist file, collecting every error.
///
/// Why all errors: admins fix files by hand on a server; one error per run would make them
/// edit, restart and wait over and over.
pub fn parse_watchlist(path: &Path, source: &str) -> Result<Watchlist, Vec<WatchlistError>> {
    let mut sink = ErrorSink {
        path,
        lines: LineIndex::new(source),
        errors: Vec::new(),
    };
    let (table, syntax_errors) = DeTable::parse_recoverable(source);
    for error in &syntax_errors {
        let span = error.span().unwrap_or(0..0);
        sink.at(span, format!("invalid TOML: {}", one_line(error.message())));
    }
    let table = table.into_inner();

    let mut name: Option<String> = None;
    let mut description = String::new();
    let mut threshold: Option<(f64, Range<usize>)> = None;
    let mut default_fields: Option<Vec<Field>> = None;
    let mut child_focus = false;
    let mut rules: Vec<Rule> = Vec::new();
    let mut saw_rules = false;

    for (key, value) in table.iter() {
        let value_span = value.span();
        match key.get_ref().as_ref() {
            "name" => match value.get_ref().as_str() {
                Some(n) if is_valid_name(n) => name = Some(n.to_string()),
                Some(_) => sink.at(
                    value_span,
                    "name must be lowercase letters, digits, '-' or '_' (it is used in config and email routing)",
                ),
                None => sink.at(value_span, "name must be a string"),
            },
            "description" => match value.get_ref().as_str() {
                Some(d) => description = d.trim().to_string(),
                None => sink.at(value_span, "description must be a string"),
            },
            "threshold" => match number(value.get_ref()) {
                Some(t) if t.is_finite() && t > 0.0 => threshold = Some((t, value_span)),
                _ => sink.at(value_span, "threshold must be a number greater than 0"),
            },
            "fields" => default_fields = parse_fields(value, &mut sink),
            "child_focus" => match value.get_ref().as_bool() {
                Some(b) => child_focus = b,
                None => sink.at(value_span, "child_focus must be true or false"),
            },
            "rules" => {
                saw_rules = true;
                match value.get_ref().as_array() {
                    Some(items) => {
                        for item in items.iter() {
                            match item.get_ref().as_table() {
                                Some(rule_table) => {
                                    if let Some(rule) =
                                        parse_rule(rule_table, item.span(), default_fields.as_deref(), &mut sink)
                                    {
                                        rules.push(rule);
                                    }
                                }
                                None => sink.at(item.span(), "each rule must be a table ([[rules]])"),
                            }
                        }
                    }
                    None => sink.at(value_span, "rules must be a list of [[rules]] tables"),
                }
            }
            other => sink.at(key.span(), format!("unknown key `{other}` (expected one of: {TOP_KEYS})")),
        }
    }

    // `fields` may come after [[rules]] in the file order the map gives us; re-apply it to
    // rules that had no own `fields`. Rules carry a marker: an empty vector means "default".
    // Without any `fields`, the long texts (annotation, document) are left out.
    let fallback = default_fields
        .clone()
        .unwrap_or_else(|| Field::DEFAULT.to_vec());
    for rule in &mut rules {
        if matches!(rule.kind, RuleKind::Impact(..)) {
            rule.fields = vec![Field::Impact];
        } else if rule.fields.is_empty() {
            rule.fields = fallback.clone();
        }
    }

    if syntax_errors.is_empty() {
        if name.is_none() && !table.contains_key("name") {
            sink.at(0..0, "missing `name` (for example: name = \"berni\")");
        }
        if !saw_rules {
            sink.at(0..0, "missing rules: add at least one [[rules]] table");
        }
    }
    let positive_weight: f64 = rules
        .iter()
        .filter(|r| r.negative.is_none())
        .map(|r| r.weight)
        .sum();
    if saw_rules && sink.errors.is_empty() {
        if positive_weight <= 0.0 {
            sink.at(
                0..0,
                "the watchlist has only negative rules, so it can never fire",
            );
        } else if let Some((t, span)) = &threshold
            && *t > positive_weight + 1e-9
        {
            sink.at(
                span.clone(),
                format!("threshold {t} is above the sum of all positive weights ({positive_weight}), so the watchlist can never fire"),
            );
        }
    }

    if !sink.errors.is_empty() {
        let mut errors = sink.errors;
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(errors);
    }
    Ok(Watchlist {
        name: name.unwrap_or_default(),
        description,
        threshold: threshold.map(|(t, _)| t),
        rules,
        child_focus,
        path: path.to_path_buf(),
    })
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn number(value: &DeValue<'_>) -> Option<f64> {
    if let Some(f) = value.as_float() {
        return f.as_str().replace('_', "").parse().ok();
    }
    value
        .as_integer()
        .and_then(|i| i.as_str().replace('_', "").parse::<i64>().ok())
        .map(|i| i as f64)
}

fn parse_fields(value: &Spanned<DeValue<'_>>, sink: &mut ErrorSink<'_>) -> Option<Vec<Field>> {
    let Some(items) = value.get_ref().as_array() else {
        sink.at(
            value.span(),
            "fields must be a list, for example fields = [\"title\", \"description\"]",
        );
        return None;
    };
    if items.is_empty() {
        sink.at(value.span(), "fields is empty, so the rule can never match");
        return None;
    }
    let mut fields = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        match item.get_ref().as_str().and_then(Field::parse) {
            Some(field) if !fields.contains(&field) => fields.push(field),
            Some(_) => {}
            None => {
                ok = false;
                sink.at(
                    item.span(),
                    format!("unknown field (expected one of: {})", field_names()),
                );
            }
        }
    }
    ok.then_some(fields)
}

/// The names `fields` accepts, for error messages.
fn field_names() -> String {
    Field::ALL
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_rule(
    table: &DeTable<'_>,
    span: Range<usize>,
    default_fields: Option<&[Field]>,
    sink: &mut ErrorSink<'_>,
) -> Option<Rule> {
    let errors_before = sink.errors.len();
    let mut kinds: Vec<(RuleKind, Range<usize>)> = Vec::new();
    let mut exact: Option<Range<usize>> = None;
    let mut negative = false;
    let mut scope: Option<(NegativeScope, Range<usize>)> = None;
    let mut fields: Option<Vec<Field>> = None;
    let mut weight = 1.0;
    let mut within: Option<(usize, Range<usize>)> = None;
    let mut fields_span: Option<Range<usize>> = None;

    for (key, value) in table.iter() {
        let vspan = value.span();
        let key_name: &str = key.get_ref().as_ref();
        match key_name {
            "word" | "phrase" | "part" | "regex" => match value.get_ref().as_str() {
                Some(text) if text.trim().is_empty() => {
                    sink.at(vspan, format!("empty {key_name} rule"))
                }
                Some(text) => {
                    let text = text.trim().to_string();
                    let kind = match key_name {
                        "word" => RuleKind::Word(text),
                        "phrase" => RuleKind::Phrase(text),
                        "part" => RuleKind::Part(text),
                        _ => RuleKind::Regex(text),
                    };
                    kinds.push((kind, vspan));
                }
                None => sink.at(vspan, format!("{key_name} must be a string")),
            },
            "exact" => match value.get_ref().as_bool() {
                Some(true) => exact = Some(vspan),
                Some(false) => {}
                None => sink.at(vspan, "exact must be true or false"),
            },
            "negative" => match value.get_ref().as_bool() {
                Some(b) => negative = b,
                None => sink.at(vspan, "negative must be true or false"),
            },
            "scope" => match value.get_ref().as_str() {
                Some("draft") => scope = Some((NegativeScope::Draft, vspan)),
                Some("overlap") => scope = Some((NegativeScope::Overlap, vspan)),
                _ => sink.at(vspan, "scope must be \"draft\" or \"overlap\""),
            },
            "fields" => {
                fields_span = Some(vspan);
                fields = parse_fields(value, sink);
            }
            "impact" => match value.get_ref().as_str() {
                Some(name) => match impact::resolve(name) {
                    Ok(number) => kinds.push((RuleKind::Impact(name.trim().to_string(), number), vspan)),
                    Err(ImpactNameError::Unknown) => sink.at(
                        vspan,
                        format!(
                            "unknown impact item {name:?} (expected 8.1.1 to 8.1.16 or the item's wording, one of: {})",
                            impact::known_items()
                        ),
                    ),
                    Err(ImpactNameError::Ambiguous(numbers)) => sink.at(
                        vspan,
                        format!(
                            "impact {name:?} fits several items ({}); write more of the wording or the number",
                            numbers
                                .iter()
                                .map(|n| format!("\"{}\"", impact::describe_item(*n)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                },
                None => sink.at(vspan, "impact must be a string"),
            },
            "weight" => match number(value.get_ref()) {
                Some(w) if w.is_finite() && w > 0.0 => weight = w,
                _ => sink.at(vspan, "weight must be a number greater than 0"),
            },
            "within" => match value
                .get_ref()
                .as_integer()
                .and_then(|i| i.as_str().parse::<i64>().ok())
            {
                Some(n) if (0..=MAX_WITHIN).contains(&n) => within = Some((n as usize, vspan)),
                _ => sink.at(
                    vspan,
                    format!("within must be a whole number from 0 to {MAX_WITHIN}"),
                ),
            },
            other => sink.at(
                key.span(),
                format!("unknown key `{other}` in rule (expected one of: {RULE_KEYS})"),
            ),
        }
    }

    let kind = match kinds.len() {
        0 => {
            if sink.errors.len() == errors_before {
                sink.at(span.clone(), format!("rule has none of {RULE_KINDS}"));
            }
            None
        }
        1 => kinds.pop(),
        _ => {
            let (_, second) = &kinds[1];
            sink.at(
                second.clone(),
                format!("a rule takes exactly one of {RULE_KINDS}; split it into two rules"),
            );
            None
        }
    };
    let (kind, kind_span) = kind?;
    check_rule_text(&kind, kind_span.clone(), sink);
    if let Some(exact_span) = &exact
        && matches!(
            kind,
            RuleKind::Regex(_) | RuleKind::Part(_) | RuleKind::Impact(..)
        )
    {
        sink.at(
            exact_span.clone(),
            format!("exact has no effect on {} rules", kind.key()),
        );
    }
    if let Some((_, within_span)) = &within
        && !matches!(kind, RuleKind::Phrase(_))
    {
        sink.at(within_span.clone(), "within only applies to phrase rules");
    }
    if let Some(fields_span) = &fields_span
        && matches!(kind, RuleKind::Impact(..))
    {
        sink.at(
            fields_span.clone(),
            "fields has no effect on impact rules (they read the annotation's 8.1 answers)",
        );
    }
    if let Some((_, scope_span)) = &scope
        && !negative
    {
        sink.at(
            scope_span.clone(),
            "scope only applies to negative rules (add negative = true)",
        );
    }
    if sink.errors.len() != errors_before {
        return None;
    }
    Some(Rule {
        kind,
        exact: exact.is_some(),
        negative: negative.then(|| scope.map_or(NegativeScope::Draft, |(s, _)| s)),
        // Empty means "the watchlist default"; filled in by the caller.
        fields: fields
            .or_else(|| default_fields.map(<[Field]>::to_vec))
            .unwrap_or_default(),
        weight,
        within: within.map_or(0, |(n, _)| n),
        line: sink.line_of(span.start),
    })
}

/// Reject rule texts that normalise to nothing or can never (or would always) match.
fn check_rule_text(kind: &RuleKind, span: Range<usize>, sink: &mut ErrorSink<'_>) {
    match kind {
        RuleKind::Word(text) => {
            let words = AnalyzedText::new(text).tokens.len();
            if words == 0 {
                sink.at(span, format!("word {text:?} normalises to nothing (no letters or digits), so it can never match"));
            } else if words > 1 {
                sink.at(
                    span,
                    format!("word {text:?} contains {words} words; use phrase = {text:?} instead"),
                );
            }
        }
        RuleKind::Phrase(text) => {
            if AnalyzedText::new(text).tokens.is_empty() {
                sink.at(span, format!("phrase {text:?} normalises to nothing (no letters or digits), so it can never match"));
            }
        }
        RuleKind::Part(text) => {
            let analyzed = AnalyzedText::new(text);
            if analyzed.tokens.len() != 1 {
                sink.at(
                    span,
                    format!(
                        "part {text:?} must be one piece of a word, without spaces or punctuation"
                    ),
                );
            } else if fold(&normalize(text)).chars().count() < MIN_PART_LETTERS {
                sink.at(span, format!("part {text:?} is shorter than {MIN_PART_LETTERS} letters, so it would match almost every draft"));
            }
        }
        // Resolved (or reported) where the key was read.
        RuleKind::Impact(..) => {}
        RuleKind::Regex(text) => match super::build_regex(text) {
            Ok(regex) => {
                if regex.is_match("") {
                    sink.at(
                        span,
                        format!("regex {text:?} matches empty text, so it would match every draft"),
                    );
                }
            }
            Err(error) => sink.at(
                span,
                format!("invalid regex: {}", one_line(&error.to_string())),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::builds_on_this_thread;

    /// Regression (#8 item 8): every rule's line was found by rescanning the file from its
    /// start, so loading grew with the square of the rule count (100,000 rules took minutes).
    /// The file's line starts must be found once, however many rules and errors it holds.
    #[test]
    fn loading_watchlists_is_not_quadratic_in_rules_line_index_built_once() {
        let rules = 2_000;
        let mut source = String::from("name = \"berni\"\n");
        for i in 0..rules {
            source.push_str(&format!("\n[[rules]]\nword = \"bērns{i}x\"\n"));
        }
        // Two bad rules at the end, so error placement goes through the same index.
        source.push_str("\n[[rules]]\nword = \"\"\n\n[[rules]]\nwithin = 3\nword = \"x\"\n");
        let before = builds_on_this_thread();
        let errors = parse_watchlist(Path::new("berni.toml"), &source).expect_err("two bad rules");
        assert_eq!(builds_on_this_thread() - before, 1);
        let last_line = source.lines().count();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.column))
                .collect::<Vec<_>>(),
            vec![(last_line - 4, 8), (last_line - 1, 10)]
        );

        let good = &source[..source.find("\n[[rules]]\nword = \"\"").expect("bad part")];
        let before = builds_on_this_thread();
        let list = parse_watchlist(Path::new("berni.toml"), good).expect("valid");
        assert_eq!(builds_on_this_thread() - before, 1);
        assert_eq!(list.rules.len(), rules);
        assert_eq!(list.rules[0].line, 3);
        assert_eq!(list.rules[rules - 1].line, 3 + 3 * (rules - 1));
    }
}
