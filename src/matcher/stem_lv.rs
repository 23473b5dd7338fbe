//! Latvian light stemmer: the Lucene `LatvianStemmer` rules (docs/crates.md §5), nouns and
//! adjectives only, one suffix removed in a single pass.
//!
//! Two entry points: [`stem`] for lowercase NFC words as written, and [`stem_folded`] for words
//! that carry no diacritics (typed without them, or already folded), which applies the same
//! suffix table in folded form so "berniem" stems like "bērniem". This module does not
//! lowercase, normalise or fold; [`super::normalize`] does that. The stemmer is deliberately
//! not idempotent (it is the Lucene behaviour): callers apply it exactly once.

/// One row of the suffix table: the suffix, the vowel-count threshold and whether removing it
/// undoes palatalisation of the remaining stem.
struct Suffix {
    text: &'static str,
    vowel_threshold: usize,
    unpalatalise: bool,
}

const fn sfx(text: &'static str, vowel_threshold: usize, unpalatalise: bool) -> Suffix {
    Suffix {
        text,
        vowel_threshold,
        unpalatalise,
    }
}

/// The 38 suffixes in Lucene's order; the first applicable one wins.
const SUFFIXES: [Suffix; 38] = [
    sfx("ajiem", 3, false),
    sfx("ajai", 3, false),
    sfx("ajam", 2, false),
    sfx("ajām", 2, false),
    sfx("ajos", 2, false),
    sfx("ajās", 2, false),
    sfx("iem", 2, true),
    sfx("ajā", 2, false),
    sfx("ais", 2, false),
    sfx("ai", 2, false),
    sfx("ei", 2, false),
    sfx("ām", 1, false),
    sfx("am", 1, false),
    sfx("ēm", 1, false),
    sfx("īm", 1, false),
    sfx("im", 1, false),
    sfx("um", 1, false),
    sfx("us", 1, true),
    sfx("as", 1, false),
    sfx("ās", 1, false),
    sfx("es", 1, false),
    sfx("os", 1, true),
    sfx("ij", 1, false),
    sfx("īs", 1, false),
    sfx("ēs", 1, false),
    sfx("is", 1, false),
    sfx("ie", 1, false),
    sfx("u", 1, true),
    sfx("a", 1, true),
    sfx("i", 1, true),
    sfx("e", 1, false),
    sfx("ā", 1, false),
    sfx("ē", 1, false),
    sfx("ī", 1, false),
    sfx("ū", 1, false),
    sfx("o", 1, false),
    sfx("s", 0, false),
    sfx("š", 0, false),
];

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'ā' | 'ē' | 'ī' | 'ū')
}

/// Fold one Latvian letter of a suffix to its base letter (the suffix table only uses these).
fn fold_suffix_char(c: char) -> char {
    match c {
        'ā' => 'a',
        'ē' => 'e',
        'ī' => 'i',
        'ū' => 'u',
        'š' => 's',
        other => other,
    }
}

/// Stem a lowercase, NFC Latvian word, removing at most one inflectional suffix.
///
/// Why: watchlist words and draft words must meet on a common stem so that "bērniem",
/// "bērnu" and "bērns" all match a rule written as any of them.
pub fn stem(word: &str) -> String {
    let mut out = String::new();
    stem_into(word, false, &mut out);
    out
}

/// Stem a word written without diacritics, with the suffix table folded ("ām" → "am", "š" →
/// "s"), so "berniem" gives "bern" like `fold(stem("bērniem"))`.
///
/// Why: coordinators and some portals type Latvian without diacritics; those words must
/// still meet the watchlist's stems.
pub fn stem_folded(word: &str) -> String {
    let mut out = String::new();
    stem_into(word, true, &mut out);
    out
}

/// A suffix ready for fast comparison: its text, length in characters and last byte.
struct PreparedSuffix {
    text: String,
    chars: usize,
    last_byte: u8,
}

fn prepare(folded: bool) -> Vec<PreparedSuffix> {
    SUFFIXES
        .iter()
        .map(|s| {
            let text: String = if folded {
                s.text.chars().map(fold_suffix_char).collect()
            } else {
                s.text.to_string()
            };
            PreparedSuffix {
                chars: text.chars().count(),
                last_byte: text.as_bytes().last().copied().unwrap_or(0),
                text,
            }
        })
        .collect()
}

/// The suffix table as written and folded ("ām" → "am"), in the same order as [`SUFFIXES`].
static PREPARED: std::sync::LazyLock<[Vec<PreparedSuffix>; 2]> =
    std::sync::LazyLock::new(|| [prepare(false), prepare(true)]);

/// Append the stem of `word` to `out` (no allocation in the common case); `folded` selects the
/// folded suffix table of [`stem_folded`].
pub fn stem_into(word: &str, folded: bool, out: &mut String) {
    let Some(&last_byte) = word.as_bytes().last() else {
        return;
    };
    let table = &PREPARED[usize::from(folded)];
    let mut counts: Option<(usize, usize)> = None;
    for (suffix, prepared) in SUFFIXES.iter().zip(table) {
        if prepared.last_byte != last_byte || !word.ends_with(prepared.text.as_str()) {
            continue;
        }
        let (char_count, vowels) = *counts.get_or_insert_with(|| {
            word.chars()
                .fold((0, 0), |(n, v), c| (n + 1, v + usize::from(is_vowel(c))))
        });
        if char_count < prepared.chars + 3 || vowels <= suffix.vowel_threshold {
            continue;
        }
        let rest = &word[..word.len() - prepared.text.len()];
        if !suffix.unpalatalise {
            out.push_str(rest);
            return;
        }
        let mut stem: Vec<char> = rest.chars().collect();
        unpalatalise(&mut stem, suffix.text.starts_with('u'));
        out.extend(stem);
        return;
    }
    out.push_str(word);
}

/// Undo the consonant change that some declension II, V and VI endings cause.
fn unpalatalise(stem: &mut Vec<char>, removed_u_suffix: bool) {
    let n = stem.len();
    let last2 = |s: &[char]| -> Option<(char, char)> {
        match s {
            [.., a, b] => Some((*a, *b)),
            _ => None,
        }
    };
    if removed_u_suffix {
        match last2(stem) {
            Some(('k', 'š')) => {
                stem[n - 1] = 's';
                stem.push('t');
                return;
            }
            Some(('ņ', 'ņ')) => {
                stem[n - 2] = 'n';
                stem[n - 1] = 'n';
                return;
            }
            _ => {}
        }
    }
    match last2(stem) {
        Some(('p' | 'b' | 'm' | 'v', 'j')) => {
            stem.pop();
            return;
        }
        Some((a, b)) => {
            let replacement = match (a, b) {
                ('š', 'ņ') => Some(('s', 'n')),
                ('ž', 'ņ') => Some(('z', 'n')),
                ('š', 'ļ') => Some(('s', 'l')),
                ('ž', 'ļ') => Some(('z', 'l')),
                ('ļ', 'ņ') => Some(('l', 'n')),
                ('ļ', 'ļ') => Some(('l', 'l')),
                _ => None,
            };
            if let Some((x, y)) = replacement {
                stem[n - 2] = x;
                stem[n - 1] = y;
                return;
            }
        }
        None => {}
    }
    if let Some(last) = stem.last_mut() {
        match *last {
            'č' => *last = 'c',
            'ļ' => *last = 'l',
            'ņ' => *last = 'n',
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(table: &[(&str, &str)]) {
        for (word, expected) in table {
            assert_eq!(stem(word), *expected, "stem({word})");
        }
    }

    #[test]
    fn crates_md_examples_one_pass() {
        check(&[
            ("likumprojekts", "likumprojekt"),
            ("likumprojekta", "likumprojekt"),
            ("likumprojektu", "likumprojekt"),
            ("likumprojektam", "likumprojekt"),
            ("likumprojektiem", "likumprojekt"),
            ("nodoklis", "nodokl"),
            ("nodokļa", "nodokl"),
            ("nodokļu", "nodokl"),
            ("nodokļiem", "nodokl"),
            ("ministrija", "ministrij"),
            ("ministrijas", "ministrij"),
            ("ministrijai", "ministrij"),
            ("ministrijām", "ministrij"),
            ("grozījumi", "grozījum"),
            ("grozījumiem", "grozījum"),
            ("grozījumu", "grozījum"),
            ("zemes", "zem"),
            ("zemju", "zem"),
            ("dzīvoklis", "dzīvokl"),
            ("dzīvokļu", "dzīvokl"),
            ("pašvaldība", "pašvaldīb"),
            ("pašvaldību", "pašvaldīb"),
            ("pašvaldībām", "pašvaldīb"),
            ("lāči", "lāc"),
            ("lāču", "lāc"),
            ("valsts", "valst"),
            ("valstij", "valst"),
            ("piens", "pien"),
        ]);
    }

    #[test]
    fn crates_md_second_pass_is_not_idempotent() {
        assert_eq!(stem(&stem("ministrija")), "ministr");
        assert_eq!(stem(&stem("grozījumi")), "grozīj");
        assert_eq!(stem(&stem("nodokļu")), "nodokl");
        assert_eq!(stem(&stem("zemju")), "zem");
    }

    #[test]
    fn crates_md_reference_vectors() {
        check(&[
            ("bērns", "bērn"),
            ("bērna", "bērn"),
            ("bērnam", "bērn"),
            ("bērnu", "bērn"),
            ("bērnā", "bērn"),
            ("bērni", "bērn"),
            ("bērniem", "bērn"),
            ("bērnus", "bērn"),
            ("bērnos", "bērn"),
            ("nepilngadīgais", "nepilngadīg"),
            ("nepilngadīgā", "nepilngadīg"),
            ("nepilngadīgajam", "nepilngadīg"),
            ("nepilngadīgo", "nepilngadīg"),
            ("nepilngadīgie", "nepilngadīg"),
            ("nepilngadīgajiem", "nepilngadīg"),
            ("nepilngadīgos", "nepilngadīg"),
            ("ģimene", "ģimen"),
            ("ģimenes", "ģimen"),
            ("ģimenei", "ģimen"),
            ("ģimeni", "ģimen"),
            ("ģimenē", "ģimen"),
            ("ģimeņu", "ģimen"),
            ("ģimenēm", "ģimen"),
            ("audžuģimene", "audžuģimen"),
            ("audžuģimeņu", "audžuģimen"),
            ("audžuģimenēm", "audžuģimen"),
            ("bāriņtiesa", "bāriņties"),
            ("bāriņtiesu", "bāriņties"),
            ("bāriņtiesām", "bāriņties"),
            ("izglītība", "izglītīb"),
            ("izglītības", "izglītīb"),
            ("izglītojamie", "izglītojam"),
            ("izglītojamo", "izglītojam"),
            ("izglītojamajiem", "izglītojam"),
            ("skola", "skol"),
            ("skolu", "skol"),
            ("augstskola", "augstskol"),
            ("augstskolu", "augstskol"),
            ("jaunietis", "jauniet"),
            ("jaunieši", "jaunieš"),
            ("jauniešu", "jaunieš"),
            ("jauniešiem", "jaunieš"),
            ("vardarbība", "vardarbīb"),
            ("vardarbības", "vardarbīb"),
            ("pabalsts", "pabalst"),
            ("pabalsta", "pabalst"),
            ("pabalstiem", "pabalst"),
            ("uzturlīdzekļi", "uzturlīdzekl"),
            ("uzturlīdzekļu", "uzturlīdzekl"),
            ("aizbildnība", "aizbildnīb"),
            ("aizbildnības", "aizbildnīb"),
        ]);
    }

    #[test]
    fn unpalatalisation_rules() {
        // u-suffix special cases, then the general table.
        assert_eq!(stem("pakšu"), "pakst");
        assert_eq!(stem("ūdeņņu"), "ūdenn");
        assert_eq!(stem("zemju"), "zem");
        assert_eq!(stem("kāšņi"), "kāsn");
        assert_eq!(stem("brāļļi"), "brāll");
        // Not undone: š and ž are ambiguous.
        assert_eq!(stem("jaunieši"), "jaunieš");
    }

    #[test]
    fn short_words_and_few_vowels_are_left_alone() {
        assert_eq!(stem("un"), "un");
        assert_eq!(stem("par"), "par");
        assert_eq!(stem("ar"), "ar");
        assert_eq!(stem("tas"), "tas");
        assert_eq!(stem(""), "");
    }

    #[test]
    fn folded_table_stems_undiacritised_words() {
        for (word, expected) in [
            ("berniem", "bern"),
            ("bernu", "bern"),
            ("berna", "bern"),
            ("gimenes", "gimen"),
            ("gimenem", "gimen"),
            ("gimenu", "gimen"),
            ("barintiesam", "barinties"),
            ("nepilngadigajiem", "nepilngadig"),
            ("uzturlidzeklu", "uzturlidzekl"),
        ] {
            assert_eq!(stem_folded(word), expected, "stem_folded({word})");
        }
    }
}
