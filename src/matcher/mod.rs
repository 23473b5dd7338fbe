//! Watchlist matching (stub: replaced by the matcher work).

use std::path::Path;

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
}

/// Which field of a draft a hit was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Title.
    Title,
    /// Description.
    Description,
    /// Policy areas.
    PolicyAreas,
    /// Ministry.
    Ministry,
    /// Kind.
    Kind,
}

/// One rule matching one place in one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// The rule as the admin wrote it.
    pub rule: String,
    /// Field.
    pub field: Field,
    /// Byte range in the original field text.
    pub span: std::ops::Range<usize>,
    /// The original text of that range.
    pub matched: String,
}

/// One watchlist's verdict on one draft.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WatchlistVerdict {
    /// Watchlist name.
    pub watchlist: String,
    /// Whether the watchlist fires.
    pub fired: bool,
    /// Score reached.
    pub score: f64,
    /// Positive hits.
    pub hits: Vec<Hit>,
    /// Negative rules that matched (excluding the draft).
    pub excluded_by: Vec<Hit>,
}

/// Errors loading watchlists.
#[derive(Debug, thiserror::Error)]
#[error("{0:?}")]
pub struct WatchlistErrors(pub Vec<String>);

/// All watchlists, compiled.
#[derive(Debug, Default)]
pub struct WatchlistSet {}

impl WatchlistSet {
    /// Load every `*.toml` in `dir`.
    pub fn load_dir(_dir: &Path) -> Result<Self, WatchlistErrors> {
        Ok(WatchlistSet {})
    }
    /// Names.
    pub fn names(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Every watchlist's verdict.
    pub fn evaluate(&self, _input: &MatchInput<'_>) -> Vec<WatchlistVerdict> {
        Vec::new()
    }
}
pub mod reload;
