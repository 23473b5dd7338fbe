//! Text normalisation for matching: HTML entities, typographic quotes and dashes, NFC,
//! lowercase, word splitting, Latvian stemming (once) and diacritic folding.
//!
//! The central type is [`AnalyzedText`]: one field of a draft turned into two streams of
//! space-separated keys (stems and whole words, both folded) plus, for every word, its byte
//! range in the ORIGINAL text, so a hit can be highlighted where the coordinator reads it.
//! This module knows nothing about watchlists or rules.

use std::ops::Range;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::stem_lv;

/// Map typographic punctuation to its plain form; `None` keeps the character.
fn plain_punctuation(c: char) -> Option<char> {
    match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => Some('"'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}'
        | '\u{2032}' => Some('\''),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => Some('-'),
        '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\u{200A}' => Some(' '),
        '\u{00AD}' | '\u{200B}' | '\u{FEFF}' => Some('\u{0}'),
        _ => None,
    }
}

/// Length in bytes of an entity name plus its `;` at the start of `s` (the text right after
/// an `&`): `quot;`, `#257;`, `#x12B;`.
fn entity_name_len(s: &str) -> Option<usize> {
    let end = s.find(';')?;
    let name = s.get(..end)?;
    let digits = name.strip_prefix('#').unwrap_or(name);
    let plausible =
        !digits.is_empty() && name.len() <= 32 && digits.chars().all(|c| c.is_ascii_alphanumeric());
    plausible.then_some(end + 1)
}

/// Decode one entity; `None` when it is not a known entity (then it stays as text).
fn decode_entity(entity: &str) -> Option<String> {
    let decoded = html_escape::decode_html_entities(entity);
    (decoded != entity).then(|| decoded.into_owned())
}

/// Walk `text` as characters after entity decoding and punctuation mapping, calling `emit`
/// with each character and the byte range of the original text it came from.
fn for_each_clean_char(text: &str, mut emit: impl FnMut(char, Range<usize>)) {
    let mut pos = 0;
    while pos < text.len() {
        let Some(rest) = text.get(pos..) else { break };
        if rest.starts_with('&') {
            // Decode chains such as "&amp;quot;" (double-escaped HTML from some portals): a
            // decoded "&" starts a new entity with the text that follows it.
            let mut consumed = 1;
            let mut decoded: Option<String> = None;
            while let Some(len) = entity_name_len(rest.get(consumed..).unwrap_or("")) {
                let candidate = format!("&{}", rest.get(consumed..consumed + len).unwrap_or(""));
                let Some(value) = decode_entity(&candidate) else {
                    break;
                };
                consumed += len;
                let chain_continues = value == "&";
                decoded = Some(value);
                if !chain_continues {
                    break;
                }
            }
            if let Some(value) = decoded {
                let range = pos..pos + consumed;
                for c in value.chars() {
                    let c = plain_punctuation(c).unwrap_or(c);
                    if c != '\u{0}' {
                        emit(c, range.clone());
                    }
                }
                pos += consumed;
                continue;
            }
        }
        let Some(c) = rest.chars().next() else { break };
        let len = c.len_utf8();
        let mapped = plain_punctuation(c).unwrap_or(c);
        if mapped != '\u{0}' {
            emit(mapped, pos..pos + len);
        }
        pos += len;
    }
}

/// Normalise text for display-independent comparison: entities decoded, typographic quotes
/// and dashes made plain, NFC, lowercase.
///
/// Why: rule texts and draft texts come from different hands (admins typing in an editor,
/// portals emitting HTML); both must reach the same form. The result is a fixpoint:
/// `normalize(normalize(x)) == normalize(x)`.
pub fn normalize(text: &str) -> String {
    let mut current = text.to_string();
    // Entities can be escaped several times over; iterate to a fixpoint (bounded).
    for _ in 0..8 {
        let mut cleaned = String::with_capacity(current.len());
        for_each_clean_char(&current, |c, _| cleaned.push(c));
        let next: String = cleaned.nfc().flat_map(char::to_lowercase).nfc().collect();
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// Remove diacritics (NFD, then drop combining marks): "ģimenē" → "gimene".
///
/// Why: text typed without diacritics must still match; Latvian letters all decompose to a
/// base letter plus marks, so the fold is exact for Latvian.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Append the folded form of `text` to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            'ā' => out.push('a'),
            'č' => out.push('c'),
            'ē' => out.push('e'),
            'ģ' => out.push('g'),
            'ī' => out.push('i'),
            'ķ' => out.push('k'),
            'ļ' => out.push('l'),
            'ņ' => out.push('n'),
            'š' => out.push('s'),
            'ū' => out.push('u'),
            'ž' => out.push('z'),
            c if c.is_ascii() => out.push(c),
            c if is_combining_mark(c) => {}
            c => decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
    }
}

/// Whether `c` belongs to a word: letters, digits and combining marks.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Latin-1 and Latin Extended-A letters (all Latvian letters) without table lookups.
    if ('\u{C0}'..='\u{17F}').contains(&c) {
        return c != '\u{D7}' && c != '\u{F7}';
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Lowercase, NFC form of one raw word.
fn lower_word(raw: &str, out: &mut String) {
    if raw.is_ascii() {
        out.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
    } else if raw.chars().all(|c| c < '\u{180}' && c != '\u{130}') {
        // Precomposed Latin letters (all of Latvian) are NFC and lowercase to one precomposed
        // letter; only U+0130 (İ) lowercases to a letter plus a combining mark.
        out.extend(raw.chars().map(|c| c.to_lowercase().next().unwrap_or(c)));
    } else if is_nfc_quick(raw.chars()) == IsNormalized::Yes {
        let lowered: String = raw.chars().flat_map(char::to_lowercase).collect();
        if is_nfc_quick(lowered.chars()) == IsNormalized::Yes {
            out.push_str(&lowered);
        } else {
            out.extend(lowered.nfc());
        }
    } else {
        out.extend(raw.nfc().flat_map(char::to_lowercase).nfc());
    }
}

/// The stem key of a lowercase NFC word: the stemmer applied once, then folded. Words with no
/// diacritics use the folded suffix table, so "berniem" and "bērniem" share the key "bern".
pub fn stem_key_into(lower: &str, out: &mut String) {
    stem_key_with_scratch(lower, out, &mut String::new());
}

/// [`stem_key_into`] reusing `scratch` for the unfolded stem.
fn stem_key_with_scratch(lower: &str, out: &mut String, scratch: &mut String) {
    if lower.is_ascii() {
        stem_lv::stem_into(lower, true, out);
    } else {
        scratch.clear();
        stem_lv::stem_into(lower, false, scratch);
        fold_into(scratch, out);
    }
}

/// The lowercase NFC words of a text, split like [`AnalyzedText`] splits it.
pub fn lower_words(text: &str) -> Vec<String> {
    normalize(text)
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every key a watchlist word must be indexed under so that it matches the word's inflected
/// forms with and without diacritics: `fold(stem(w))` and `stem_folded(fold(w))` (equal for
/// most words; they differ when diacritics change which suffix applies, e.g. "-ājām").
pub fn rule_stem_keys(lower: &str) -> Vec<String> {
    let mut primary = String::new();
    stem_key_into(lower, &mut primary);
    let mut alternative = String::new();
    stem_lv::stem_into(&fold(lower), true, &mut alternative);
    if alternative == primary || alternative.is_empty() {
        vec![primary]
    } else {
        vec![primary, alternative]
    }
}

/// One word of an analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte range of the word in the original text.
    pub original: Range<usize>,
    /// Byte range of the word's stem key in [`AnalyzedText::stems`].
    pub stem: Range<usize>,
    /// Byte range of the word's folded form in [`AnalyzedText::words`].
    pub word: Range<usize>,
}

/// A text split into words, each with its stem key and folded form, and its place in the
/// original text.
///
/// Why two space-separated streams: one Aho-Corasick pass over each finds every rule word at
/// once, whatever the number of rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyzedText {
    /// Stem keys, each wrapped in one space on either side (" a  b "), so a pattern " key "
    /// can only match a whole word and matches of neighbouring words never overlap.
    pub stems: String,
    /// Folded lowercase words (not stemmed), wrapped like [`Self::stems`].
    pub words: String,
    /// The words in order.
    pub tokens: Vec<Token>,
}

impl AnalyzedText {
    /// Analyse `text`.
    pub fn new(text: &str) -> Self {
        let mut analyzed = AnalyzedText {
            stems: String::with_capacity(text.len()),
            words: String::with_capacity(text.len()),
            tokens: Vec::with_capacity(text.len() / 6),
        };
        let mut raw = String::new();
        let mut lower = String::new();
        let mut scratch = String::new();
        let mut start: Option<usize> = None;
        let mut end = 0;
        let mut flush =
            |raw: &mut String, start: &mut Option<usize>, end: usize, this: &mut AnalyzedText| {
                if let Some(begin) = start.take() {
                    lower.clear();
                    lower_word(raw, &mut lower);
                    this.push_word(&lower, begin..end, &mut scratch);
                    raw.clear();
                }
            };
        for_each_clean_char(text, |c, range| {
            if is_word_char(c) {
                if start.is_none() {
                    start = Some(range.start);
                }
                raw.push(c);
                end = range.end;
            } else {
                flush(&mut raw, &mut start, end, &mut analyzed);
            }
        });
        flush(&mut raw, &mut start, end, &mut analyzed);
        analyzed
    }

    fn push_word(&mut self, lower: &str, original: Range<usize>, scratch: &mut String) {
        self.stems.push(' ');
        let stem_start = self.stems.len();
        stem_key_with_scratch(lower, &mut self.stems, scratch);
        let stem_end = self.stems.len();
        self.stems.push(' ');
        self.words.push(' ');
        let word_start = self.words.len();
        fold_into(lower, &mut self.words);
        let word_end = self.words.len();
        self.words.push(' ');
        self.tokens.push(Token {
            original,
            stem: stem_start..stem_end,
            word: word_start..word_end,
        });
    }

    /// Index of the token whose stem key starts at byte `at` of [`Self::stems`].
    pub fn token_at_stem(&self, at: usize) -> Option<usize> {
        self.tokens.binary_search_by_key(&at, |t| t.stem.start).ok()
    }

    /// Index of the token whose folded word starts at byte `at` of [`Self::words`].
    pub fn token_at_word(&self, at: usize) -> Option<usize> {
        self.tokens.binary_search_by_key(&at, |t| t.word.start).ok()
    }

    /// Index of the token whose folded word contains byte `at` of [`Self::words`].
    pub fn token_containing_word_byte(&self, at: usize) -> Option<usize> {
        let index = self
            .tokens
            .partition_point(|t| t.word.start <= at)
            .checked_sub(1)?;
        let token = self.tokens.get(index)?;
        (at < token.word.end).then_some(index)
    }

    /// The stem keys, in order (for tests and diagnostics).
    pub fn stem_keys(&self) -> Vec<&str> {
        self.tokens
            .iter()
            .filter_map(|t| self.stems.get(t.stem.clone()))
            .collect()
    }

    /// The folded words, in order.
    pub fn word_keys(&self) -> Vec<&str> {
        self.tokens
            .iter()
            .filter_map(|t| self.words.get(t.word.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_quotes_dashes_nfc_lowercase() {
        assert_eq!(
            normalize("Par &quot;Bērniem&quot; – un “tā”"),
            "par \"bērniem\" - un \"tā\""
        );
        assert_eq!(normalize("&amp;quot;x&amp;quot;"), "\"x\"");
        // Decomposed input (e + combining macron) becomes precomposed.
        assert_eq!(normalize("Be\u{304}rni"), "bērni");
        assert_eq!(normalize("R&#257;d&#x12B;t"), "rādīt");
        assert_eq!(normalize("a &unknown; b"), "a &unknown; b");
    }

    #[test]
    fn fold_removes_latvian_diacritics() {
        assert_eq!(fold("ģimenē āčēģīķļņšūž"), "gimene acegiklnsuz");
        assert_eq!(fold("e\u{304}"), "e");
    }

    #[test]
    fn tokens_keep_original_spans() {
        let text = "Grozījumi &quot;Bērnu&quot; likumā";
        let analyzed = AnalyzedText::new(text);
        assert_eq!(analyzed.stem_keys(), vec!["grozijum", "bern", "likum"]);
        let spans: Vec<&str> = analyzed
            .tokens
            .iter()
            .map(|t| &text[t.original.clone()])
            .collect();
        assert_eq!(spans, vec!["Grozījumi", "Bērnu", "likumā"]);
    }

    #[test]
    fn entity_inside_a_word_maps_to_the_whole_entity() {
        let text = "b&#275;rniem";
        let analyzed = AnalyzedText::new(text);
        assert_eq!(analyzed.stem_keys(), vec!["bern"]);
        assert_eq!(analyzed.tokens[0].original, 0..text.len());
    }

    #[test]
    fn undiacritised_words_share_keys() {
        let a = AnalyzedText::new("bērniem ģimenēm nepilngadīgajiem");
        let b = AnalyzedText::new("BERNIEM gimenem nepilngadigajiem");
        assert_eq!(a.stem_keys(), b.stem_keys());
    }

    #[test]
    fn rule_keys_cover_both_tables() {
        assert_eq!(rule_stem_keys("bērniem"), vec!["bern"]);
        assert_eq!(rule_stem_keys("pārmājām").len(), 2);
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(AnalyzedText::new("").tokens.is_empty());
        assert!(AnalyzedText::new(" – “” &quot; ").tokens.is_empty());
    }
}
