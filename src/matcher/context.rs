//! The sentence around a hit in a long text (annotation, draft text), cut to about
//! [`CONTEXT_CHARS`] characters, so `explain`, `backtest` and the digest can say why a draft
//! matched without quoting 50 KB.
//!
//! Sentences are split by a small rule set made for Latvian official prose: a full stop ends
//! a sentence only before a capital letter (so "2026. gada", "83. pantu", "u.c. bērni" do
//! not), never after abbreviations that precede names or numbers ("Nr.", "t.sk.", "piem.",
//! initials), and numbered items ("1.2. Mērķis", "8.1.16. uz bērna ...") start a sentence of
//! their own. Line breaks end a sentence too (the annotation's parts are separate lines).

use std::ops::Range;

/// About how many characters of context a hit carries (the hit, and as much of its sentence
/// on both sides as fits), before "…" marks are added where the sentence was cut.
pub const CONTEXT_CHARS: usize = 200;

/// How far (in characters) a cut may move inward to fall between words instead of inside one.
const WORD_SNAP_CHARS: usize = 20;

/// Abbreviations (lowercase, without the final full stop) after which a full stop never ends
/// a sentence: they stand before a number, a name or a further word. Single letters
/// (initials, "t.i.") are handled apart.
const NEVER_FINAL: &[&str] = &[
    "nr", "t.sk", "piem", "t.i", "sk", "g", "gg", "lpp", "p", "pr", "apm", "st", "tālr", "tel",
    "prof", "dr", "plkst", "milj", "mlrd", "tūkst", "att", "tab", "izd", "red", "pielik",
];

/// Abbreviations that end a list and so may end a sentence, when a capital letter follows.
const MAY_BE_FINAL: &[&str] = &["u.c", "utt", "u.tml", "etc", "u.c.tml"];

/// Where the sentences of one text start, found once per text so that many hits in the same
/// text each find their sentence by a binary search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentences {
    /// Byte offsets at which sentences start, ascending, beginning with 0.
    starts: Vec<usize>,
}

impl Sentences {
    /// Split `text` into sentences.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let push = |at: usize, starts: &mut Vec<usize>| {
            if starts.last().is_none_or(|&last| at > last) {
                starts.push(at);
            }
        };
        let mut i = 0;
        while i < bytes.len() {
            let (terminator_len, is_full_stop) = match bytes[i] {
                b'.' => (1, true),
                b'!' | b'?' => (1, false),
                b'\n' => {
                    let next = skip_whitespace(bytes, i);
                    push(next, &mut starts);
                    i = next.max(i + 1);
                    continue;
                }
                // "…" (U+2026) in UTF-8.
                0xE2 if bytes.get(i + 1..i + 3) == Some(&[0x80, 0xA6]) => (3, false),
                _ => {
                    i += 1;
                    continue;
                }
            };
            let end = i + terminator_len;
            let followed_by_space = bytes.get(end).is_none_or(u8::is_ascii_whitespace);
            if !followed_by_space {
                i = end;
                continue;
            }
            let next_start = skip_whitespace(bytes, end);
            if is_full_stop {
                let token_start = bytes[..i]
                    .iter()
                    .rposition(u8::is_ascii_whitespace)
                    .map_or(0, |p| p + 1);
                let token = text.get(token_start..end).unwrap_or("");
                let next = text.get(next_start..).unwrap_or("");
                match full_stop_role(token, next) {
                    FullStop::StartsItem => push(token_start, &mut starts),
                    FullStop::EndsSentence => push(next_start, &mut starts),
                    FullStop::Inside => {}
                }
            } else {
                push(next_start, &mut starts);
            }
            i = end;
        }
        starts.retain(|&s| s < text.len() || s == 0);
        Sentences { starts }
    }

    /// The byte range of the sentence(s) holding `span`, without surrounding whitespace.
    pub fn around(&self, text: &str, span: Range<usize>) -> Range<usize> {
        let first = self.starts.partition_point(|&s| s <= span.start);
        let start = first
            .checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
            .unwrap_or(0);
        let after = span.end.max(span.start + 1);
        let end = self
            .starts
            .get(self.starts.partition_point(|&s| s < after))
            .copied()
            .unwrap_or(text.len());
        let sentence = text.get(start..end).unwrap_or("");
        let leading = sentence.len() - sentence.trim_start().len();
        let trimmed_end = start + sentence.trim_end().len();
        (start + leading).min(span.start)..trimmed_end.max(span.end)
    }

    /// The sentence around `span` in `text`, cut to about [`CONTEXT_CHARS`] characters.
    pub fn context(&self, text: &str, span: Range<usize>) -> String {
        cut_around(text, self.around(text, span.clone()), span, CONTEXT_CHARS)
    }
}

/// What a full stop followed by a space does.
#[derive(Debug, PartialEq, Eq)]
enum FullStop {
    /// It closes a number that opens a numbered item ("1.2." in "1.2. Mērķis"): the item's
    /// number starts a sentence.
    StartsItem,
    /// It ends the sentence.
    EndsSentence,
    /// An abbreviation, an ordinal ("2026. gada") or an initial.
    Inside,
}

/// Decide what the full stop ending `token` (the text since the last whitespace, the full
/// stop included) does, given the `next` text after the whitespace.
fn full_stop_role(token: &str, next: &str) -> FullStop {
    let core = token
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches('.');
    let next_char = next.chars().find(|c| c.is_alphanumeric());
    let next_is_capital = next_char.is_some_and(char::is_uppercase);
    let is_number = !core.is_empty() && core.chars().all(|c| c.is_ascii_digit() || c == '.');
    if is_number {
        // "8.1.16." and "1.2." are item numbers whatever follows; a plain "1." only before a
        // capital ("1. Tiesību akta ..."), else an ordinal ("2026. gada", "83. pantu").
        return if core.contains('.') || next_is_capital {
            FullStop::StartsItem
        } else {
            FullStop::Inside
        };
    }
    if !next_is_capital {
        return FullStop::Inside;
    }
    let lower = core.to_lowercase();
    if MAY_BE_FINAL.contains(&lower.as_str()) {
        return FullStop::EndsSentence;
    }
    let last_part = lower.rsplit('.').next().unwrap_or("");
    if NEVER_FINAL.contains(&lower.as_str()) || last_part.chars().count() == 1 {
        return FullStop::Inside;
    }
    FullStop::EndsSentence
}

fn skip_whitespace(bytes: &[u8], from: usize) -> usize {
    from + bytes.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_whitespace()).count()
    })
}

/// The part of `sentence` (a byte range of `text`) around `focus`, at most about
/// `max_chars` characters: the focus, then as much on either side as fits, cut between words
/// where one is near, with "…" where text was left out; whitespace runs become one space.
///
/// Why it counts characters only up to the limit: a hit can stand in a sentence of many KB,
/// and a watchlist can hit an annotation hundreds of times.
pub fn cut_around(
    text: &str,
    sentence: Range<usize>,
    focus: Range<usize>,
    max_chars: usize,
) -> String {
    let (Some(before), Some(hit), Some(after)) = (
        text.get(sentence.start..focus.start),
        text.get(focus.clone()),
        text.get(focus.end..sentence.end),
    ) else {
        return String::new();
    };
    let mut out = String::with_capacity(max_chars * 2 + 8);
    if let Some((limit, _)) = hit.char_indices().nth(max_chars) {
        push_collapsed(&mut out, &hit[..limit]);
        out.push('…');
        return out;
    }
    let room = max_chars - hit.chars().count();
    // Up to `room` characters on each side, as byte offsets from the focus; then the room
    // one side leaves unused goes to the other.
    let start_back = |chars: usize| {
        before
            .char_indices()
            .rev()
            .nth(chars.saturating_sub(1))
            .map_or(0, |(i, _)| i)
    };
    let end_forward = |chars: usize| {
        after
            .char_indices()
            .nth(chars)
            .map_or(after.len(), |(i, _)| i)
    };
    let before_chars = before.char_indices().rev().take(room).count();
    let after_chars = after.char_indices().take(room).count();
    let take_after = after_chars.min(room - before_chars.min(room / 2));
    let take_before = before_chars.min(room - take_after);
    let mut left = if take_before == 0 {
        before.len()
    } else {
        start_back(take_before)
    };
    let mut right = end_forward(take_after);
    let cut_left = left > 0;
    let cut_right = right < after.len();
    if cut_left
        && !before[left..].starts_with(char::is_whitespace)
        && let Some(space) = before[left..]
            .char_indices()
            .take(WORD_SNAP_CHARS)
            .find(|(_, c)| c.is_whitespace())
    {
        left += space.0;
    }
    if cut_right
        && !after[right..].starts_with(char::is_whitespace)
        && let Some((space, _)) = after[..right]
            .char_indices()
            .rev()
            .take(WORD_SNAP_CHARS)
            .find(|(_, c)| c.is_whitespace())
    {
        right = space;
    }
    if cut_left {
        out.push('…');
    }
    push_collapsed(&mut out, before[left..].trim_start());
    push_collapsed(&mut out, hit);
    push_collapsed(&mut out, after[..right].trim_end());
    if cut_right {
        out.push('…');
    }
    out
}

/// Append `text` to `out` with every run of whitespace (line breaks included) as one space.
///
/// Copies the runs between whitespace whole (one `push_str` each), not char by char.
fn push_collapsed(out: &mut String, text: &str) {
    let mut in_space = out.ends_with(' ');
    for (index, run) in text.split(char::is_whitespace).enumerate() {
        if index > 0 && !in_space {
            out.push(' ');
            in_space = true;
        }
        if !run.is_empty() {
            out.push_str(run);
            in_space = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_of(text: &str, word: &str) -> String {
        let start = text.find(word).expect("word in text");
        Sentences::new(text).context(text, start..start + word.len())
    }

    #[test]
    fn the_sentence_of_the_hit_is_shown_whole_when_short() {
        let text = "Projekts skar pašvaldības. Atbalsts paredzēts audžuģimenēm un aizbildņiem. \
                    Finansējums ir budžetā.";
        assert_eq!(
            context_of(text, "audžuģimenēm"),
            "Atbalsts paredzēts audžuģimenēm un aizbildņiem."
        );
    }

    #[test]
    fn latvian_abbreviations_ordinals_and_initials_do_not_end_a_sentence() {
        let text = "Ievads. Saskaņā ar MK noteikumiem Nr. 354 un likuma 2026. gada 83. pantu \
                    atbalsts pienākas daudzbērnu ģimenēm, aizbildņiem u.c. personām, t.sk. \
                    audžuģimenēm, ko apstiprina J. Bērziņš. Nākamais teikums.";
        assert_eq!(
            context_of(text, "audžuģimenēm"),
            "Saskaņā ar MK noteikumiem Nr. 354 un likuma 2026. gada 83. pantu atbalsts \
             pienākas daudzbērnu ģimenēm, aizbildņiem u.c. personām, t.sk. audžuģimenēm, ko \
             apstiprina J. Bērziņš."
        );
    }

    #[test]
    fn a_list_abbreviation_before_a_capital_ends_the_sentence() {
        let text = "Atbalsts bērniem, vecākiem utt. Tālāk par budžetu.";
        assert_eq!(
            context_of(text, "bērniem"),
            "Atbalsts bērniem, vecākiem utt."
        );
        assert_eq!(context_of(text, "budžetu"), "Tālāk par budžetu.");
    }

    #[test]
    fn numbered_items_start_their_own_sentence() {
        let text = "8.1.15. uz profesiju reglamentāciju Nē 8.1.16. uz bērna labākajām interesēm \
                    Jā, jo skar bērnus 1.2. Mērķis Atbalsts ģimenēm";
        assert_eq!(
            context_of(text, "bērnus"),
            "8.1.16. uz bērna labākajām interesēm Jā, jo skar bērnus"
        );
        assert_eq!(context_of(text, "ģimenēm"), "1.2. Mērķis Atbalsts ģimenēm");
    }

    #[test]
    fn line_breaks_end_a_sentence() {
        let text = "Pirmā daļa bez punkta\nOtrā daļa par bērniem\n\nTrešā";
        assert_eq!(context_of(text, "bērniem"), "Otrā daļa par bērniem");
    }

    #[test]
    fn a_long_sentence_is_cut_to_about_200_characters_around_the_hit() {
        let filler = "ļoti garš teksts ar garumzīmēm ";
        let text = format!(
            "{}audžuģimenēm{}beigas.",
            filler.repeat(20),
            filler.repeat(20)
        );
        let context = context_of(&text, "audžuģimenēm");
        assert!(
            context.starts_with('…') && context.ends_with('…'),
            "{context}"
        );
        assert!(context.contains("audžuģimenēm"), "{context}");
        let chars = context.chars().count();
        assert!((170..=202).contains(&chars), "{chars}: {context}");
        // Cut between words, not inside one.
        assert!(
            context.starts_with("…ļoti")
                || context.starts_with("…garš")
                || context.starts_with("…teksts")
                || context.starts_with("…ar")
                || context.starts_with("…garumzīmēm"),
            "{context}"
        );
    }

    #[test]
    fn a_hit_near_the_start_gives_its_room_to_the_text_after() {
        let text = format!("Bērniem {}", "vārds ".repeat(100));
        let context = context_of(&text, "Bērniem");
        assert!(context.starts_with("Bērniem vārds"), "{context}");
        assert!(context.ends_with('…'), "{context}");
        assert!(context.chars().count() >= 180, "{context}");
    }

    #[test]
    fn a_hit_longer_than_the_limit_is_cut_on_a_char_boundary() {
        let text = "ā".repeat(300);
        let context = Sentences::new(&text).context(&text, 0..text.len());
        assert_eq!(context.chars().count(), CONTEXT_CHARS + 1);
        assert!(context.ends_with('…'));
    }
}
