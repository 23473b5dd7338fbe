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

use super::{compact, stem_lv};

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

/// Decode the entity (or chain of entities such as "&amp;quot;") at the start of `rest`,
/// which begins with `&`: the number of bytes consumed and the decoded text, or `None` when
/// no known entity starts there (then the `&` stays as text).
fn decode_entity_at(rest: &str) -> Option<(usize, String)> {
    // Decode chains such as "&amp;quot;" (double-escaped HTML from some portals): a decoded
    // "&" starts a new entity with the text that follows it.
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
    decoded.map(|value| (consumed, value))
}

/// Walk `text` as characters after entity decoding and punctuation mapping, calling `emit`
/// with each character and the byte range of the original text it came from.
fn for_each_clean_char(text: &str, mut emit: impl FnMut(char, Range<usize>)) {
    let mut pos = 0;
    while pos < text.len() {
        let Some(rest) = text.get(pos..) else { break };
        if rest.starts_with('&')
            && let Some((consumed, value)) = decode_entity_at(rest)
        {
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
        fold_char_into(c, out);
    }
}

/// The folded form of a Latvian letter, or `None` when `c` is not one (letters with
/// diacritics fold to their ASCII base letter).
fn fold_latvian(c: char) -> Option<char> {
    match c {
        'ā' => Some('a'),
        'č' => Some('c'),
        'ē' => Some('e'),
        'ģ' => Some('g'),
        'ī' => Some('i'),
        'ķ' => Some('k'),
        'ļ' => Some('l'),
        'ņ' => Some('n'),
        'š' => Some('s'),
        'ū' => Some('u'),
        'ž' => Some('z'),
        _ => None,
    }
}

/// Append the folded form of one character (fold is character by character).
fn fold_char_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
    } else if let Some(base) = fold_latvian(c) {
        out.push(base);
    } else if !is_combining_mark(c) {
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.push(d);
            }
        });
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

/// Lowercase of a precomposed Latin letter below U+0180 other than U+0130, which always
/// lowercases to exactly one letter; Latvian letters skip the Unicode table lookup.
fn latin_lowercase(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'a'..='z' | '0'..='9' | 'ā' | 'č' | 'ē' | 'ģ' | 'ī' | 'ķ' | 'ļ' | 'ņ' | 'š' | 'ū' | 'ž' => {
            c
        }
        'Ā' => 'ā',
        'Č' => 'č',
        'Ē' => 'ē',
        'Ģ' => 'ģ',
        'Ī' => 'ī',
        'Ķ' => 'ķ',
        'Ļ' => 'ļ',
        'Ņ' => 'ņ',
        'Š' => 'š',
        'Ū' => 'ū',
        'Ž' => 'ž',
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Lowercase, NFC form of one raw word.
fn lower_word(raw: &str, out: &mut String) {
    if raw.is_ascii() {
        out.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
    } else if raw.chars().all(|c| c < '\u{180}' && c != '\u{130}') {
        // Precomposed Latin letters (all of Latvian) are NFC and lowercase to one precomposed
        // letter; only U+0130 (İ) lowercases to a letter plus a combining mark.
        out.extend(raw.chars().map(latin_lowercase));
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
    ///
    /// Bytes rather than `String`: the keys are UTF-8 (mostly ASCII), but the automata and the
    /// key table read bytes, and checking the UTF-8 of every stream was a measurable cost.
    pub stems: Vec<u8>,
    /// Folded lowercase words (not stemmed), wrapped like [`Self::stems`].
    pub words: Vec<u8>,
    /// The words in order.
    pub tokens: Vec<Token>,
}

/// The word being collected while [`AnalyzedText::new`] walks a text.
///
/// Why three forms: almost every word is a contiguous run of the original text (no entity,
/// no soft hyphen inside), so it is used in place as a slice; only the rare other words
/// are copied character by character into `owned`. Alongside, while every character so far
/// is an ASCII letter or digit or a Latvian letter, the word is kept in the compact alphabet
/// ([`compact`]): lowercase already, one byte per character, ready to fold and stem
/// byte by byte. That is the hot path; other words take the general one.
struct WordInProgress {
    /// Byte range in the original text covered so far (`None`: between words).
    span: Option<Range<usize>>,
    /// Whether the word's characters are in `owned` rather than `text[span]`.
    is_owned: bool,
    owned: String,
    /// The word folded (ASCII, one byte per character), valid while `is_compact`.
    folded: [u8; MAX_COMPACT_WORD],
    /// What the stemmer needs of the word in the compact alphabet.
    shape: compact::WordShape,
    is_compact: bool,
}

/// Longest word (in characters) analysed on the compact path; longer ones take the general
/// path (no Latvian word comes close).
const MAX_COMPACT_WORD: usize = 64;

impl Default for WordInProgress {
    fn default() -> Self {
        WordInProgress {
            span: None,
            is_owned: false,
            owned: String::new(),
            folded: [0; MAX_COMPACT_WORD],
            shape: compact::WordShape::default(),
            is_compact: true,
        }
    }
}

impl WordInProgress {
    /// Start or extend the span with `text[range]`, taken literally from the text.
    #[inline]
    fn push_literal(&mut self, text: &str, range: Range<usize>) {
        match &mut self.span {
            None => {
                self.span = Some(range);
                self.is_owned = false;
            }
            Some(span) => {
                if self.is_owned || span.end != range.start {
                    if !self.is_owned {
                        self.owned.clear();
                        self.owned.push_str(text.get(span.clone()).unwrap_or(""));
                        self.is_owned = true;
                    }
                    self.owned.push_str(text.get(range.clone()).unwrap_or(""));
                }
                span.end = range.end;
            }
        }
    }

    /// Add the compact `code` of a character, or leave the compact path when `code` is `None`.
    fn push_code(&mut self, code: Option<u8>) {
        if !self.is_compact {
            return;
        }
        match (code, self.folded.get_mut(self.shape.len)) {
            (Some(code), Some(folded)) => {
                *folded = compact::fold(code);
                self.shape.push(code);
            }
            _ => self.is_compact = false,
        }
    }

    /// Take the run of ASCII letters and digits and Latvian letters (two UTF-8 bytes each)
    /// that starts at `bytes[start]` (the common case, so the state is kept in locals); returns
    /// where the run ends. The caller adds the run's span.
    fn push_run(&mut self, bytes: &[u8], start: usize) -> usize {
        let mut pos = start;
        let mut shape = self.shape;
        let letters_before = shape.len;
        while let Some(&byte) = bytes.get(pos) {
            // One character of the compact alphabet, ASCII or two-byte, by table lookups.
            let next = bytes.get(pos + 1).copied().unwrap_or(0);
            let (code, width) = compact::lowercase_code_at(byte, next);
            if code == 0 {
                break;
            }
            // No branch on the length: a word longer than the buffer wraps around in it and
            // leaves the compact path below.
            if let Some(slot) = self.folded.get_mut(shape.len % MAX_COMPACT_WORD) {
                *slot = compact::fold(code);
            }
            shape.push_letter(code);
            pos += width;
        }
        // A Latvian letter with a diacritic is the only two-byte character of a run.
        shape.diacritics |= pos - start != shape.len - letters_before;
        self.shape = shape;
        self.is_compact &= shape.len <= MAX_COMPACT_WORD;
        pos
    }

    /// Add a word character found literally at `text[range]`.
    fn push_char(&mut self, text: &str, c: char, range: Range<usize>) {
        self.push_code(compact::lowercase_code(c));
        self.push_literal(text, range);
    }

    /// Add a word character that is not literally in the text (decoded from an entity).
    fn push_decoded(&mut self, text: &str, c: char, range: Range<usize>) {
        self.push_code(compact::lowercase_code(c));
        match &mut self.span {
            None => {
                self.owned.clear();
                self.span = Some(range);
            }
            Some(span) => {
                if !self.is_owned {
                    self.owned.clear();
                    self.owned.push_str(text.get(span.clone()).unwrap_or(""));
                }
                span.end = range.end;
            }
        }
        self.is_owned = true;
        self.owned.push(c);
    }

    /// The word's shape and folded form (its first `shape.len` bytes), if it stayed on the
    /// compact path.
    fn compact_forms(&self) -> Option<(&compact::WordShape, &[u8; MAX_COMPACT_WORD])> {
        self.is_compact.then_some((&self.shape, &self.folded))
    }

    /// Forget the word (its span has been taken).
    fn reset(&mut self) {
        self.span = None;
        self.shape = compact::WordShape::default();
        self.is_compact = true;
    }
}

/// An [`AnalyzedText`] being built: its streams and tokens, plus reusable buffers for the
/// words that take the general path.
struct Builder {
    stems: Vec<u8>,
    words: Vec<u8>,
    tokens: Vec<Token>,
    lower: String,
    stem: String,
    folded: String,
}

/// Append the first `len` bytes of `bytes` to `out`.
///
/// Why not `extend_from_slice` alone: words are short, and copying a fixed 16 bytes then
/// cutting back is a few register moves, where a copy of variable length calls `memmove`.
fn append_prefix(out: &mut Vec<u8>, bytes: &[u8; MAX_COMPACT_WORD], len: usize) {
    let start = out.len();
    match bytes.first_chunk::<16>() {
        Some(chunk) if len <= chunk.len() => {
            out.extend_from_slice(chunk);
            out.truncate(start + len);
        }
        _ => out.extend_from_slice(bytes.get(..len).unwrap_or(bytes)),
    }
}

impl Builder {
    /// Finish the word in progress, if any: add its keys and token.
    fn end_word(&mut self, text: &str, word: &mut WordInProgress) {
        let Some(original) = word.span.clone() else {
            return;
        };
        self.stems.push(b' ');
        self.words.push(b' ');
        let stem_start = self.stems.len();
        let word_start = self.words.len();
        if let Some((shape, folded)) = word.compact_forms() {
            // Lowercase and folded already, one ASCII byte per character, so the folded stem
            // is the first `keep` bytes of the folded word plus the folded tail.
            let cut = stem_lv::stem_cut_compact(shape);
            append_prefix(&mut self.words, folded, shape.len);
            append_prefix(&mut self.stems, folded, cut.keep);
            self.stems
                .extend(cut.tail().iter().map(|&code| compact::fold(code)));
        } else {
            let raw = if word.is_owned {
                word.owned.as_str()
            } else {
                text.get(original.clone()).unwrap_or("")
            };
            self.lower.clear();
            lower_word(raw, &mut self.lower);
            self.folded.clear();
            stem_key_with_scratch(&self.lower, &mut self.folded, &mut self.stem);
            self.stems.extend_from_slice(self.folded.as_bytes());
            self.folded.clear();
            fold_into(&self.lower, &mut self.folded);
            self.words.extend_from_slice(self.folded.as_bytes());
        }
        word.reset();
        let stem_end = self.stems.len();
        let word_end = self.words.len();
        self.stems.push(b' ');
        self.words.push(b' ');
        self.tokens.push(Token {
            original,
            stem: stem_start..stem_end,
            word: word_start..word_end,
        });
    }
}

impl AnalyzedText {
    /// Analyse `text`.
    pub fn new(text: &str) -> Self {
        let mut analyzed = AnalyzedText::default();
        analyzed.reanalyze(text);
        analyzed
    }

    /// Analyse `text` into `self`, reusing its buffers.
    ///
    /// Why: the matcher analyses every field of every draft in a row; allocating three
    /// buffers for each was a measurable part of matching.
    pub fn reanalyze(&mut self, text: &str) {
        let mut analyzed = Builder {
            stems: std::mem::take(&mut self.stems),
            words: std::mem::take(&mut self.words),
            tokens: std::mem::take(&mut self.tokens),
            lower: String::new(),
            stem: String::new(),
            folded: String::new(),
        };
        analyzed.stems.clear();
        analyzed.words.clear();
        analyzed.tokens.clear();
        analyzed.stems.reserve(text.len() + 16);
        analyzed.words.reserve(text.len() + 16);
        analyzed.tokens.reserve(text.len() / 6);
        let mut word = WordInProgress::default();
        let bytes = text.as_bytes();
        let mut pos = 0;
        while let Some(&byte) = bytes.get(pos) {
            let run_end = word.push_run(bytes, pos);
            if run_end > pos {
                word.push_literal(text, pos..run_end);
                pos = run_end;
                continue;
            }
            if byte.is_ascii() && byte != b'&' {
                analyzed.end_word(text, &mut word);
                pos += 1;
                continue;
            }
            let Some(rest) = text.get(pos..) else { break };
            if byte == b'&' {
                if let Some((consumed, value)) = decode_entity_at(rest) {
                    let range = pos..pos + consumed;
                    for c in value.chars() {
                        let c = plain_punctuation(c).unwrap_or(c);
                        if c == '\u{0}' {
                            continue;
                        }
                        if is_word_char(c) {
                            word.push_decoded(text, c, range.clone());
                        } else {
                            analyzed.end_word(text, &mut word);
                        }
                    }
                    pos += consumed;
                } else {
                    analyzed.end_word(text, &mut word);
                    pos += 1;
                }
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            let len = c.len_utf8();
            match plain_punctuation(c) {
                // Soft hyphens and zero-width characters vanish, even inside a word.
                Some('\u{0}') => {}
                Some(_) => analyzed.end_word(text, &mut word),
                None if is_word_char(c) => word.push_char(text, c, pos..pos + len),
                None => analyzed.end_word(text, &mut word),
            }
            pos += len;
        }
        analyzed.end_word(text, &mut word);
        self.stems = analyzed.stems;
        self.words = analyzed.words;
        self.tokens = analyzed.tokens;
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
            .filter_map(|key| std::str::from_utf8(key).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The straightforward analysis the fast walk of [`AnalyzedText::new`] must agree with:
    /// every cleaned character one by one, each word copied, lowercased and keyed alone.
    fn analyze_char_by_char(text: &str) -> AnalyzedText {
        let mut analyzed = AnalyzedText::default();
        let mut words: Vec<(String, Range<usize>)> = Vec::new();
        let mut current: Option<(String, Range<usize>)> = None;
        for_each_clean_char(text, |c, range| {
            if is_word_char(c) {
                let (raw, span) = current.get_or_insert_with(|| (String::new(), range.clone()));
                raw.push(c);
                span.end = range.end;
            } else if let Some(word) = current.take() {
                words.push(word);
            }
        });
        words.extend(current);
        for (raw, original) in words {
            let mut lower = String::new();
            lower_word(&raw, &mut lower);
            let mut stem = String::new();
            stem_key_into(&lower, &mut stem);
            let word = fold(&lower);
            let stem_start = analyzed.stems.len() + 1;
            let word_start = analyzed.words.len() + 1;
            analyzed
                .stems
                .extend_from_slice(format!(" {stem} ").as_bytes());
            analyzed
                .words
                .extend_from_slice(format!(" {word} ").as_bytes());
            analyzed.tokens.push(Token {
                original,
                stem: stem_start..stem_start + stem.len(),
                word: word_start..word_start + word.len(),
            });
        }
        analyzed
    }

    /// Text mixing everything the fast walk treats specially.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z0-9]{1,10}",
            "[a-zA-ZāčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽİß]{1,10}",
            "[ .,;:&#]{1,2}",
            Just("&quot;".to_string()),
            Just("&amp;quot;".to_string()),
            Just("&#257;".to_string()),
            Just("&#x12B;".to_string()),
            Just("&shy;".to_string()),
            Just("&Scaron;".to_string()),
            Just("&unknown;".to_string()),
            Just("\u{ad}".to_string()),
            Just("\u{200b}".to_string()),
            Just("e\u{304}".to_string()),
            Just("\u{304}".to_string()),
            Just("“–”\u{a0}".to_string()),
            Just("Ωμέγα".to_string()),
            Just("\u{212A}".to_string()),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_analysis_equals_char_by_char_analysis(text in tricky_text()) {
            prop_assert_eq!(AnalyzedText::new(&text), analyze_char_by_char(&text));
        }

        #[test]
        fn fast_analysis_equals_char_by_char_on_any_text(text in any::<String>()) {
            prop_assert_eq!(AnalyzedText::new(&text), analyze_char_by_char(&text));
        }
    }

    #[test]
    fn latin_lowercase_agrees_with_unicode() {
        for c in ('\u{0}'..'\u{180}').filter(|c| *c != '\u{130}') {
            assert_eq!(
                latin_lowercase(c),
                c.to_lowercase().next().unwrap_or(c),
                "{c:?}"
            );
        }
    }

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
