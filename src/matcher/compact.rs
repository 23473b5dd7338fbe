//! The compact Latvian alphabet: every lowercase letter and digit of a Latvian word as one
//! byte, so that the hot path of matching can lowercase, fold and stem a word byte by byte.
//!
//! ASCII letters and digits are their own codes; the eleven letters with diacritics
//! (ā č ē ģ ī ķ ļ ņ š ū ž) are `0x80..=0x8A`. A word with any other character (é, ß, Greek, a
//! combining mark) has no compact form and takes the general path of `normalize`.
//! Why a module of its own: the word walk in `normalize` and the stemmer in `stem_lv` must
//! agree on this encoding exactly.

/// The Latvian letters with diacritics, lowercase, in code order (`0x80` is "ā").
const DIACRITIC_LETTERS: [char; 11] = ['ā', 'č', 'ē', 'ģ', 'ī', 'ķ', 'ļ', 'ņ', 'š', 'ū', 'ž'];

/// The base letter of each of [`DIACRITIC_LETTERS`].
const BASE_LETTERS: [u8; 11] = *b"acegiklnsuz";

/// Code of the first letter with a diacritic.
const FIRST_DIACRITIC: u8 = 0x80;

/// Codes of the lowercase forms of U+0100..U+017F (Latin Extended-A, where every Latvian
/// letter with a diacritic lives, capital and small), 0 for characters that are not Latvian
/// letters. Every Latvian capital is the code point just below its small letter.
const LATIN_EXTENDED_A: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < DIACRITIC_LETTERS.len() {
        let small = DIACRITIC_LETTERS[i] as usize - 0x100;
        table[small] = FIRST_DIACRITIC + i as u8;
        table[small - 1] = FIRST_DIACRITIC + i as u8;
        i += 1;
    }
    table
};

/// The code of a lowercase letter or digit, `None` when it has no compact form.
pub(crate) fn code(c: char) -> Option<u8> {
    if c.is_ascii_lowercase() || c.is_ascii_digit() {
        return u8::try_from(c).ok();
    }
    let index = DIACRITIC_LETTERS.iter().position(|&d| d == c)?;
    u8::try_from(index).ok().map(|i| FIRST_DIACRITIC + i)
}

/// The code of the LOWERCASE form of any character (capitals included), `None` when it has no
/// compact form.
pub(crate) fn lowercase_code(c: char) -> Option<u8> {
    if c.is_ascii_alphanumeric() {
        return u8::try_from(c.to_ascii_lowercase()).ok();
    }
    let index = u32::from(c).checked_sub(0x100)?;
    LATIN_EXTENDED_A
        .get(usize::try_from(index).ok()?)
        .copied()
        .filter(|&code| code != 0)
}

/// Codes of the lowercase forms of ASCII letters and digits, 0 for every other byte.
const ASCII_CODES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            table[byte] = b.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// The code of the lowercase form of the character whose UTF-8 form starts with `byte`
/// (`next` is the byte after it, or 0 at the end), and the character's length in bytes; code 0
/// when it is not a letter or digit of the compact alphabet.
///
/// Two table lookups and no UTF-8 decoding: this runs for every letter the matcher reads.
/// (Fully branch-free variants and a byte-at-a-time reader were measured and were slower;
/// see docs/benchmarks.md.)
pub(crate) fn lowercase_code_at(byte: u8, next: u8) -> (u8, usize) {
    let ascii = ASCII_CODES[usize::from(byte)];
    // Latin Extended-A is lead byte 0xC4 or 0xC5 and a continuation byte.
    let is_extended_a = (byte & 0xFE) == 0xC4 && (next & 0xC0) == 0x80;
    let index = (usize::from(byte & 1) << 6) | usize::from(next & 0x3F);
    let latvian = LATIN_EXTENDED_A[index] & (u8::from(is_extended_a).wrapping_neg());
    if ascii != 0 { (ascii, 1) } else { (latvian, 2) }
}

/// The character a code stands for.
pub(crate) fn char_of(code: u8) -> Option<char> {
    if code < FIRST_DIACRITIC {
        return Some(char::from(code));
    }
    DIACRITIC_LETTERS
        .get(usize::from(code - FIRST_DIACRITIC))
        .copied()
}

/// The folded form of every code (other bytes map to themselves).
const FOLDED: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = code as u8;
        code += 1;
    }
    let mut i = 0;
    while i < BASE_LETTERS.len() {
        table[FIRST_DIACRITIC as usize + i] = BASE_LETTERS[i];
        i += 1;
    }
    table
};

/// Whether each code is a vowel (a e i o u ā ē ī ū: the stemmer's notion).
const VOWELS: [bool; 256] = {
    let mut table = [false; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = matches!(FOLDED[code], b'a' | b'e' | b'i' | b'o' | b'u');
        code += 1;
    }
    table
};

/// The folded (diacritic-free, ASCII) form of a code.
pub(crate) fn fold(code: u8) -> u8 {
    // A u8 always indexes a 256-entry table.
    FOLDED[usize::from(code)]
}

/// Whether a code is a vowel (a e i o u ā ē ī ū: the stemmer's notion).
pub(crate) fn is_vowel(code: u8) -> bool {
    VOWELS[usize::from(code)]
}

/// Whether a code is a letter with a diacritic.
pub(crate) fn has_diacritic(code: u8) -> bool {
    code >= FIRST_DIACRITIC
}

/// What the stemmer needs to know of a word in the compact alphabet, gathered code by code as
/// the word is read: its last eight codes, its length, whether a letter has a diacritic and
/// how many are vowels.
///
/// Why not the codes themselves: suffixes are at most five codes long and undoing
/// palatalisation looks at the two codes before the suffix, so the last eight codes, kept in
/// one number, are all the stemmer ever reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WordShape {
    /// The last (up to) eight codes, the last code in the lowest byte.
    pub(crate) ending: u64,
    /// Length in codes (= characters).
    pub(crate) len: usize,
    /// Whether any letter has a diacritic.
    pub(crate) diacritics: bool,
    /// How many codes are vowels.
    pub(crate) vowels: usize,
}

impl WordShape {
    /// Append one code.
    pub(crate) fn push(&mut self, code: u8) {
        self.push_letter(code);
        self.diacritics |= has_diacritic(code);
    }

    /// [`Self::push`] without noting a diacritic: for callers that learn whether there was one
    /// more cheaply (a run of UTF-8 with more bytes than characters has one).
    pub(crate) fn push_letter(&mut self, code: u8) {
        self.ending = (self.ending << 8) | u64::from(code);
        self.len += 1;
        self.vowels += usize::from(is_vowel(code));
    }

    /// The shape of a whole word.
    #[cfg(test)]
    pub(crate) fn of(codes: &[u8]) -> Self {
        let mut shape = WordShape::default();
        for &code in codes {
            shape.push(code);
        }
        shape
    }

    /// The code `back` places before the end (0 is the last code), if the word has it and
    /// it is among the last eight.
    pub(crate) fn code_from_end(&self, back: usize) -> Option<u8> {
        if back >= self.len || back >= 8 {
            return None;
        }
        u8::try_from((self.ending >> (8 * back)) & 0xFF).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes agree with Unicode lowercasing and with the folding of `normalize`, for
    /// every character the table covers and a few it does not. Characters beyond Latin
    /// Extended-A (the Kelvin sign lowercases to "k") deliberately have no code: the general
    /// path normalises them.
    #[test]
    fn codes_agree_with_unicode() {
        for c in ('\u{0}'..'\u{250}').chain(['\u{212A}', 'Ω']) {
            let lower: Vec<char> = c.to_lowercase().collect();
            let expected = match lower.as_slice() {
                [l] if c < '\u{180}'
                    && (l.is_ascii_alphanumeric() || DIACRITIC_LETTERS.contains(l)) =>
                {
                    code(*l)
                }
                _ => None,
            };
            assert_eq!(lowercase_code(c), expected, "{c:?}");
            let mut utf8 = [0u8; 4];
            let encoded = c.encode_utf8(&mut utf8).as_bytes();
            let (first, second) = (encoded[0], encoded.get(1).copied().unwrap_or(0));
            let (at, width) = lowercase_code_at(first, second);
            assert_eq!(at, expected.unwrap_or(0), "{c:?}");
            if expected.is_some() {
                assert_eq!(width, encoded.len(), "{c:?}");
            }
            if let Some(code) = expected {
                assert_eq!(char_of(code), lower.first().copied());
                let folded = super::super::normalize::fold(&lower.iter().collect::<String>());
                assert_eq!(folded.as_bytes(), [fold(code)], "{c:?}");
            }
        }
    }

    #[test]
    fn vowels_and_diacritics() {
        let vowels: String = "aāeēiīoouūbčk"
            .chars()
            .filter(|&c| code(c).is_some_and(is_vowel))
            .collect();
        assert_eq!(vowels, "aāeēiīoouū");
        assert!(has_diacritic(code('ž').unwrap_or(0)));
        assert!(!has_diacritic(b'z'));
    }
}
