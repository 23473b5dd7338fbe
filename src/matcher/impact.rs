//! The annotation's horizontal-impact checklist (`8.1.1`–`8.1.16`, "Vai projekts skar šo
//! jomu? Jā/Nē") as watchlists see it: the sixteen items, naming one in an `impact` rule by
//! number or by (inflected, undiacritised) wording, recognising which item a parsed
//! [`ImpactItem`] is, and the contradiction the digest flags: 8.1.16 (the child's best
//! interests) answered `Nē` while a child watchlist fires on the annotation or draft text.

use std::sync::OnceLock;

use super::normalize::{lower_words, rule_stem_keys};
use super::{Field, WatchlistVerdict};
use crate::model::{ImpactAnswer, ImpactItem};

/// The sixteen items of the form (number after "8.1.", wording as the portal prints it),
/// from the captured annotation of 26-TA-1173.
pub const ITEMS: [(u8, &str); 16] = [
    (1, "uz publisku pakalpojumu attīstību"),
    (
        2,
        "uz valsts un pašvaldību informācijas un komunikācijas tehnoloģiju attīstību",
    ),
    (3, "uz informācijas sabiedrības politikas īstenošanu"),
    (4, "uz Nacionālā attīstības plāna rādītājiem"),
    (5, "uz teritoriju attīstību"),
    (6, "uz vidi"),
    (7, "uz klimatneitralitāti"),
    (8, "uz iedzīvotāju sociālo situāciju"),
    (
        9,
        "uz personu ar invaliditāti vienlīdzīgām iespējām un tiesībām",
    ),
    (10, "uz dzimumu līdztiesību"),
    (11, "uz veselību"),
    (
        12,
        "uz cilvēktiesībām, demokrātiskām vērtībām un pilsoniskās sabiedrības attīstību",
    ),
    (13, "uz datu aizsardzību"),
    (14, "uz diasporu"),
    (15, "uz profesiju reglamentāciju"),
    (16, "uz bērna labākajām interesēm"),
];

/// The item about the child's best interests.
pub const CHILD_BEST_INTERESTS: u8 = 16;

/// Shortest stem key that may match a longer one it begins ("labāk" and "labākaj", the
/// indefinite and definite adjective); shorter keys must be equal.
const MIN_PREFIX_KEY: usize = 4;

/// At most this many extra letters when a key matches by prefix (a definite adjective's
/// "aj"/"ak" and a changed ending), so "bērn" does not match "bērnudārz".
const MAX_PREFIX_EXTRA: usize = 3;

/// Why an admin's name for an item was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImpactNameError {
    /// No item has this number or wording.
    Unknown,
    /// Several items match the wording (their numbers).
    Ambiguous(Vec<u8>),
}

/// The stem keys of each word of a wording (the preposition "uz", which opens every item,
/// left out).
fn word_keys(text: &str) -> Vec<Vec<String>> {
    lower_words(text)
        .iter()
        .filter(|w| w.as_str() != "uz")
        .map(|w| rule_stem_keys(w))
        .collect()
}

fn item_keys() -> &'static [(u8, Vec<Vec<String>>)] {
    static KEYS: OnceLock<Vec<(u8, Vec<Vec<String>>)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        ITEMS
            .iter()
            .map(|(number, label)| (*number, word_keys(label)))
            .collect()
    })
}

fn keys_match(a: &[String], b: &[String]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| {
            let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
            short == long
                || (short.len() >= MIN_PREFIX_KEY
                    && long.starts_with(short.as_str())
                    && long.len() - short.len() <= MAX_PREFIX_EXTRA)
        })
    })
}

/// The item number after "8.1." of `8.1.N` (a final full stop allowed).
fn parse_number(text: &str) -> Option<u8> {
    let n: u8 = text
        .trim()
        .trim_end_matches('.')
        .strip_prefix("8.1.")?
        .parse()
        .ok()?;
    ITEMS.iter().any(|(i, _)| *i == n).then_some(n)
}

/// Which item `name` means: `8.1.N`, or words every one of which occurs (in any inflection,
/// with or without diacritics) in exactly one item's wording: "bērna labākās intereses",
/// "berna labakas intereses", "invaliditāte".
pub fn resolve(name: &str) -> Result<u8, ImpactNameError> {
    if let Some(number) = parse_number(name) {
        return Ok(number);
    }
    let wanted = word_keys(name);
    if wanted.is_empty() {
        return Err(ImpactNameError::Unknown);
    }
    let matching: Vec<u8> = item_keys()
        .iter()
        .filter(|(_, label)| {
            wanted
                .iter()
                .all(|w| label.iter().any(|l| keys_match(w, l)))
        })
        .map(|(number, _)| *number)
        .collect();
    match matching.as_slice() {
        [] => Err(ImpactNameError::Unknown),
        [one] => Ok(*one),
        _ => Err(ImpactNameError::Ambiguous(matching)),
    }
}

/// "8.1.16 uz bērna labākajām interesēm" for item 16.
pub fn describe_item(number: u8) -> String {
    let label = ITEMS
        .iter()
        .find(|(n, _)| *n == number)
        .map_or("", |(_, l)| *l);
    format!("8.1.{number} {label}")
}

/// Every item as `describe_item` writes it, for error messages.
pub fn known_items() -> String {
    ITEMS
        .iter()
        .map(|(n, _)| format!("\"{}\"", describe_item(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which of the sixteen items a parsed item is: by its wording first (a renumbered form
/// keeps the wording), else by its number.
pub fn item_of(item: &ImpactItem) -> Option<u8> {
    // The portal's own wording, as it nearly always is: no stemming needed.
    if let Some((number, _)) = ITEMS.iter().find(|(_, label)| *label == item.label.trim()) {
        return Some(*number);
    }
    if !item.label.trim().is_empty()
        && let Ok(number) = resolve(&item.label)
    {
        return Some(number);
    }
    parse_number(&item.number)
}

/// The answer as the form prints it.
pub fn answer_text(answer: ImpactAnswer) -> &'static str {
    match answer {
        ImpactAnswer::Yes => "Jā",
        ImpactAnswer::No => "Nē",
        ImpactAnswer::Missing => "-",
    }
}

/// A draft whose annotation says it does not affect the child's best interests (8.1.16
/// `Nē`) while a child watchlist fires on its annotation or draft text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BestInterestsContradiction {
    /// How many places of the annotation and draft text the child watchlists hit (each
    /// place once, however many watchlists hit it).
    pub mentions: usize,
    /// The child watchlists that fired on the text, in name order.
    pub watchlists: Vec<String>,
}

impl BestInterestsContradiction {
    /// The note the digest prints, in Latvian: "anotācijā ietekme uz bērna labākajām
    /// interesēm norādīta kā 'Nē', bet teksts min bērnus 3 reizes".
    pub fn message_lv(&self) -> String {
        let n = self.mentions;
        // Latvian: 1, 21, 31 ... reizi; otherwise reizes (11 is "reizes").
        let times = if n % 10 == 1 && n % 100 != 11 {
            "reizi"
        } else {
            "reizes"
        };
        format!(
            "anotācijā ietekme uz bērna labākajām interesēm norādīta kā 'Nē', bet teksts min bērnus {n} {times}"
        )
    }

    /// The same note in English, for logs and English-language digests.
    pub fn message_en(&self) -> String {
        let n = self.mentions;
        let times = if n == 1 { "once" } else { "times" };
        let count = if n == 1 {
            String::new()
        } else {
            format!("{n} ")
        };
        format!(
            "the annotation answers 'No' on the impact on the child's best interests, but the text mentions children {count}{times}"
        )
    }
}

/// The contradiction, if there is one: 8.1.16 answered `Nē` (not `Jā`, not missing) and at
/// least one watchlist for which `is_child_watchlist` holds fired with hits in the
/// annotation or the draft text (hits only in the title or description do not count).
pub fn best_interests_contradiction<'a>(
    verdicts: impl IntoIterator<Item = &'a WatchlistVerdict>,
    impacts: &[ImpactItem],
    is_child_watchlist: impl Fn(&str) -> bool,
) -> Option<BestInterestsContradiction> {
    let answered_no = impacts
        .iter()
        .find(|item| item_of(item) == Some(CHILD_BEST_INTERESTS))
        .is_some_and(|item| item.answer == ImpactAnswer::No);
    if !answered_no {
        return None;
    }
    let mut places: Vec<(Field, usize, usize)> = Vec::new();
    let mut watchlists = Vec::new();
    for verdict in verdicts
        .into_iter()
        .filter(|v| v.fired && is_child_watchlist(&v.watchlist))
    {
        let before = places.len();
        places.extend(
            verdict
                .hits
                .iter()
                .filter(|h| matches!(h.field, Field::Annotation | Field::Document))
                .map(|h| (h.field, h.span.start, h.span.end)),
        );
        if places.len() > before {
            watchlists.push(verdict.watchlist.clone());
        }
    }
    places.sort_unstable();
    places.dedup();
    (!places.is_empty()).then_some(BestInterestsContradiction {
        mentions: places.len(),
        watchlists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_resolve_by_number_and_by_inflected_or_undiacritised_wording() {
        for name in [
            "8.1.16",
            "8.1.16.",
            "bērna labākās intereses",
            "bērna labākajām interesēm",
            "uz bērna labākajām interesēm",
            "berna labakas intereses",
            "Bērna Labākās Intereses",
        ] {
            assert_eq!(resolve(name), Ok(16), "{name}");
        }
        assert_eq!(resolve("invaliditāte"), Ok(9));
        assert_eq!(resolve("personu ar invaliditāti"), Ok(9));
        assert_eq!(resolve("sociālā situācija"), Ok(8));
        assert_eq!(resolve("cilvēktiesības"), Ok(12));
        assert_eq!(resolve("vide"), Ok(6));
        assert_eq!(resolve("8.1.1"), Ok(1));
    }

    #[test]
    fn every_item_resolves_by_its_own_wording_and_number() {
        for (number, label) in ITEMS {
            assert_eq!(resolve(label), Ok(number), "{label}");
            assert_eq!(resolve(&format!("8.1.{number}")), Ok(number));
        }
    }

    #[test]
    fn unknown_and_ambiguous_names_are_refused() {
        assert_eq!(resolve("bērnudārzi"), Err(ImpactNameError::Unknown));
        assert_eq!(resolve("8.1.17"), Err(ImpactNameError::Unknown));
        assert_eq!(resolve(""), Err(ImpactNameError::Unknown));
        assert_eq!(
            resolve("attīstība"),
            Err(ImpactNameError::Ambiguous(vec![1, 2, 4, 5, 12]))
        );
    }

    #[test]
    fn latvian_count_words() {
        let note = |mentions| {
            BestInterestsContradiction {
                mentions,
                watchlists: vec![],
            }
            .message_lv()
        };
        assert!(note(1).ends_with("min bērnus 1 reizi"));
        assert!(note(3).ends_with("min bērnus 3 reizes"));
        assert!(note(11).ends_with("min bērnus 11 reizes"));
        assert!(note(21).ends_with("min bērnus 21 reizi"));
    }
}
