//! What a draft's annotation and own text add to its digest entry (issue #12 item 5): the
//! sentence around each hit in them, the annotation's impact items answered `Jā`, and the
//! note "anotācijā ietekme uz bērna labākajām interesēm norādīta kā 'Nē', bet teksts min
//! bērnus N reizes".
//!
//! The note is shown for a listed draft exactly when (1) its annotation answers `Nē` on
//! 8.1.16 (not `Jā`, not `-` or missing) and (2) at least one of the *recipient's* watchlists
//! that fired on the draft has `child_focus = true` and has at least one hit in the
//! annotation or the draft text. Hits in the title, description or policy areas alone never
//! make the note, whatever watchlist they come from; N counts the distinct places in the
//! annotation and draft text those watchlists hit ([`impact::best_interests_contradiction`]).
//!
//! Cost: a digest lists a few drafts among thousands of candidates. The sentences come with
//! the stored verdicts (each hit keeps its context), and the impact items are read once per
//! digest for the drafts it lists only ([`Store::impacts_of`]); no annotation or draft text
//! is read to build a digest.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::matcher::impact::{self, BestInterestsContradiction};
use crate::matcher::{Field, WatchlistSet};
use crate::model::{ImpactAnswer, ImpactItem};
use crate::store::{Store, StoreError};

use super::item::DigestItem;

/// At most this many sentences of the annotation and draft text are shown per draft; the
/// rest are counted ("… un vēl 4 vietas tekstā"). A foster-care annotation can hit a
/// watchlist dozens of times, and a digest is read, not searched.
pub const MAX_TEXT_CONTEXTS: usize = 3;

/// What a digest knows beyond the drafts and verdicts to show their texts' part: the
/// impact items of the drafts it lists, and which watchlists are about children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftNotes {
    impacts: HashMap<i64, Vec<ImpactItem>>,
    child_watchlists: BTreeSet<String>,
}

impl DraftNotes {
    /// Notes from impact items by draft id and the names of the `child_focus` watchlists.
    pub fn new(impacts: HashMap<i64, Vec<ImpactItem>>, child_watchlists: BTreeSet<String>) -> Self {
        DraftNotes {
            impacts,
            child_watchlists,
        }
    }

    /// Read the impact items of `draft_ids` (only those, only the items) and take the
    /// `child_focus` watchlists of `watchlists`.
    pub fn load(
        store: &Store,
        watchlists: &WatchlistSet,
        draft_ids: &[i64],
    ) -> Result<Self, StoreError> {
        let child_watchlists = watchlists
            .watchlists()
            .filter(|watchlist| watchlist.child_focus)
            .map(|watchlist| watchlist.name.clone())
            .collect();
        let impacts = if draft_ids.is_empty() {
            HashMap::new()
        } else {
            store.impacts_of(draft_ids)?
        };
        Ok(DraftNotes {
            impacts,
            child_watchlists,
        })
    }

    /// The impact items of draft `draft_id` answered `Jā`, as the form prints them:
    /// "8.1.16. uz bērna labākajām interesēm: Jā".
    pub fn impacts_yes(&self, draft_id: i64) -> Vec<String> {
        self.impacts
            .get(&draft_id)
            .into_iter()
            .flatten()
            .filter(|item| item.answer == ImpactAnswer::Yes)
            .map(|item| {
                format!(
                    "{}. {}: {}",
                    item.number.trim().trim_end_matches('.'),
                    item.label.trim(),
                    impact::answer_text(item.answer)
                )
            })
            .collect()
    }

    /// The contradiction note's facts for `item`, when it applies (see the module's
    /// documentation for exactly when).
    pub fn contradiction(&self, item: &DigestItem<'_>) -> Option<BestInterestsContradiction> {
        let impacts = self.impacts.get(&item.draft.id)?;
        // Cheap test first: recognising the 8.1.16 item by its wording stems all sixteen
        // labels, and a digest renders each item several times (size estimate, cuts).
        let child_hit_on_text = item.matches.iter().any(|verdict| {
            self.child_watchlists.contains(&verdict.watchlist)
                && verdict
                    .hits
                    .iter()
                    .any(|hit| matches!(hit.field, Field::Annotation | Field::Document))
        });
        if !child_hit_on_text {
            return None;
        }
        impact::best_interests_contradiction(item.matches.iter().copied(), impacts, |name| {
            self.child_watchlists.contains(name)
        })
    }
}

/// The sentence around one or more hits in the annotation or the draft text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextContext {
    /// [`Field::Annotation`] or [`Field::Document`].
    pub field: Field,
    /// The sentence, cut to about 200 characters ("…" where cut), whitespace collapsed.
    pub text: String,
    /// Byte ranges of `text` holding the matched words, for highlighting.
    pub spans: Vec<Range<usize>>,
}

/// The sentences around `item`'s hits in the annotation and the draft text, from the
/// recipient's watchlists that fired: annotation first, then in text order, each hit once
/// (a hit already visible in the sentence shown for an earlier hit is marked there), at
/// most [`MAX_TEXT_CONTEXTS`] sentences; and how many more there are.
pub fn text_contexts(item: &DigestItem<'_>) -> (Vec<TextContext>, usize) {
    // Hits past the matcher's per-watchlist cap carry no sentence
    // (`matcher::CONTEXTS_PER_WATCHLIST`); each is a place more in the text all the same.
    let mut without_sentence: std::collections::BTreeSet<(Field, usize)> =
        std::collections::BTreeSet::new();
    let mut hits: Vec<(u8, usize, Field, &str, &str)> = item
        .matches
        .iter()
        .flat_map(|verdict| verdict.hits.iter())
        .filter_map(|hit| {
            let order = match hit.field {
                Field::Annotation => 0,
                Field::Document => 1,
                _ => return None,
            };
            let Some(context) = hit.context().filter(|c| !c.trim().is_empty()) else {
                without_sentence.insert((hit.field, hit.span.start));
                return None;
            };
            Some((
                order,
                hit.span.start,
                hit.field,
                context,
                hit.matched.as_str(),
            ))
        })
        .collect();
    hits.sort_by_key(|&(order, start, ..)| (order, start));
    // (field, context, where in the field its first hit is, the words to mark).
    let mut sentences: Vec<(Field, &str, usize, Vec<String>)> = Vec::new();
    for (_, start, field, context, matched) in hits {
        let words = collapse_whitespace(matched);
        // A hit already visible in a sentence shown for a hit near it (the same sentence,
        // cut around another word) is marked there rather than shown again.
        // Hits come in text order, so only the last sentences can be near: a watchlist may
        // hit a long annotation hundreds of times, and each hit is not compared with all.
        match sentences
            .iter_mut()
            .rev()
            .take_while(|(f, c, at, _)| *f == field && start.abs_diff(*at) <= c.len())
            .find(|(_, c, _, _)| c.contains(words.as_str()))
        {
            Some((_, _, _, found)) => {
                if !found.contains(&words) {
                    found.push(words);
                }
            }
            None => sentences.push((field, context, start, vec![words])),
        }
    }
    // A place without a sentence that a shown sentence already covers is not counted again.
    let covered = |field: Field, start: usize| {
        sentences
            .iter()
            .any(|(f, c, at, _)| *f == field && start >= *at && start - *at <= c.len())
    };
    let unshown_places = without_sentence
        .iter()
        .filter(|&&(field, start)| !covered(field, start))
        .count();
    let more = sentences.len().saturating_sub(MAX_TEXT_CONTEXTS) + unshown_places;
    let shown = sentences
        .into_iter()
        .take(MAX_TEXT_CONTEXTS)
        .map(|(field, context, _, words)| TextContext {
            field,
            spans: occurrences(context, &words),
            text: context.to_owned(),
        })
        .collect();
    (shown, more)
}

/// `text` with every run of whitespace as one space, as sentence contexts are written.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every place in `text` where one of `words` stands (case as written: the context quotes
/// the same text the hit was found in).
fn occurrences(text: &str, words: &[String]) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = words
        .iter()
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            text.match_indices(word.as_str())
                .map(|(start, found)| start..start + found.len())
        })
        .collect();
    spans.sort_by_key(|span| (span.start, span.end));
    spans
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::digest::item::WindowState;
    use crate::matcher::{Hit, WatchlistVerdict};
    use crate::model::StoredDraft;

    fn hit(field: Field, start: usize, matched: &str, context: Option<&str>) -> Hit {
        Hit {
            rule: Arc::from("audžuģimen"),
            field,
            span: start..start + matched.len(),
            matched: matched.to_owned(),
            context: context.map(str::to_owned),
        }
    }

    fn verdict(name: &str, hits: Vec<Hit>) -> WatchlistVerdict {
        WatchlistVerdict {
            watchlist: name.to_owned(),
            fired: true,
            score: 1.0,
            hits,
            excluded_by: Vec::new(),
            ignored: Vec::new(),
        }
    }

    fn impacts(child: ImpactAnswer) -> Vec<ImpactItem> {
        vec![
            ImpactItem {
                number: "8.1.8".to_owned(),
                label: "uz iedzīvotāju sociālo situāciju".to_owned(),
                answer: ImpactAnswer::Yes,
                explanation: Some("Atbalsts ģimenēm.".to_owned()),
            },
            ImpactItem {
                number: "8.1.16".to_owned(),
                label: "uz bērna labākajām interesēm".to_owned(),
                answer: child,
                explanation: None,
            },
        ]
    }

    fn listed<'a>(draft: &'a StoredDraft, verdicts: &'a [WatchlistVerdict]) -> DigestItem<'a> {
        DigestItem {
            draft,
            window_state: WindowState::NoWindow,
            matches: verdicts.iter().collect(),
            windows: Vec::new(),
            notes: Vec::new(),
        }
    }

    const SENTENCE: &str = "Atbalsts audžuģimenēm un audžuģimeņu bērniem.";

    #[test]
    fn one_sentence_is_shown_once_with_every_hit_in_it_marked() {
        let draft = StoredDraft {
            id: 7,
            ..StoredDraft::default()
        };
        let verdicts = [
            verdict(
                "arpusgimenes-aprupe",
                vec![
                    hit(Field::Title, 0, "audžuģimenēm", None),
                    hit(Field::Annotation, 90, "audžuģimeņu", Some(SENTENCE)),
                    hit(Field::Annotation, 70, "audžuģimenēm", Some(SENTENCE)),
                ],
            ),
            verdict(
                "berni",
                vec![hit(Field::Document, 5, "bērniem", Some("Par bērniem."))],
            ),
        ];
        let item = listed(&draft, &verdicts);
        let (shown, more) = text_contexts(&item);
        assert_eq!(more, 0);
        assert_eq!(shown.len(), 2);
        assert_eq!(shown[0].field, Field::Annotation);
        assert_eq!(shown[0].text, SENTENCE);
        let marked: Vec<&str> = shown[0]
            .spans
            .iter()
            .map(|s| &SENTENCE[s.clone()])
            .collect();
        assert_eq!(marked, ["audžuģimenēm", "audžuģimeņu"]);
        assert_eq!(shown[1].field, Field::Document);
    }

    #[test]
    fn hits_near_each_other_in_a_long_sentence_share_one_context() {
        let draft = StoredDraft::default();
        // The matcher cuts a long sentence around each hit, so two near hits carry
        // different contexts; the second hit is visible in the first one's.
        let first =
            "…par bērna uzturēšanu audžuģimenēs un atbalstu specializētajām audžuģimenēm, lai…";
        let second = "…atbalstu specializētajām audžuģimenēm, lai vairāk bērnu augtu ģimenē…";
        let far = "…audžuģimenēm pavisam citā vietā…";
        let verdicts = [verdict(
            "arpusgimenes-aprupe",
            vec![
                hit(Field::Annotation, 100, "audžuģimenēs", Some(first)),
                hit(Field::Annotation, 140, "audžuģimenēm", Some(second)),
                hit(Field::Annotation, 5_000, "audžuģimenēm", Some(far)),
            ],
        )];
        let (shown, more) = text_contexts(&listed(&draft, &verdicts));
        assert_eq!(more, 0);
        let texts: Vec<&str> = shown.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, [first, far]);
        let marked: Vec<&str> = shown[0].spans.iter().map(|s| &first[s.clone()]).collect();
        assert_eq!(marked, ["audžuģimenēs", "audžuģimenēm"]);
    }

    #[test]
    fn at_most_three_sentences_and_the_rest_counted() {
        let draft = StoredDraft::default();
        let contexts: Vec<String> = (0..5)
            .map(|i| format!("Teikums {i} par bērniem."))
            .collect();
        let verdicts = [verdict(
            "berni",
            contexts
                .iter()
                .enumerate()
                .map(|(i, c)| hit(Field::Annotation, i * 100, "bērniem", Some(c)))
                .collect(),
        )];
        let item = listed(&draft, &verdicts);
        let (shown, more) = text_contexts(&item);
        assert_eq!((shown.len(), more), (MAX_TEXT_CONTEXTS, 2));
        assert_eq!(shown[0].text, "Teikums 0 par bērniem.");
    }

    #[test]
    fn hits_past_the_matchers_cap_count_as_places_unless_a_shown_sentence_holds_them() {
        let draft = StoredDraft::default();
        let sentence = "Teikums par bērniem un bērniem.";
        let verdicts = [verdict(
            "berni",
            vec![
                hit(Field::Annotation, 0, "bērniem", Some(sentence)),
                // In the sentence shown above: not a place more.
                hit(Field::Annotation, 23, "bērniem", None),
                // Far away, without a sentence (past the cap): two places more.
                hit(Field::Annotation, 5_000, "bērniem", None),
                hit(Field::Document, 7, "bērniem", None),
                // A title hit is no place in the text.
                hit(Field::Title, 0, "bērniem", None),
            ],
        )];
        let item = listed(&draft, &verdicts);
        let (shown, more) = text_contexts(&item);
        assert_eq!(shown.len(), 1);
        assert_eq!(more, 2);
    }

    #[test]
    fn impacts_yes_and_the_contradiction_follow_8_1_16_and_child_focus() {
        let draft = StoredDraft {
            id: 3,
            ..StoredDraft::default()
        };
        let on_text = [verdict(
            "arpusgimenes-aprupe",
            vec![hit(Field::Annotation, 9, "audžuģimenēm", Some(SENTENCE))],
        )];
        let on_title = [verdict(
            "arpusgimenes-aprupe",
            vec![hit(Field::Title, 0, "audžuģimenēm", None)],
        )];
        let child: BTreeSet<String> = ["arpusgimenes-aprupe".to_owned()].into();
        let notes = |answer| DraftNotes::new([(3, impacts(answer))].into(), child.clone());

        let no = notes(ImpactAnswer::No);
        assert_eq!(
            no.impacts_yes(3),
            ["8.1.8. uz iedzīvotāju sociālo situāciju: Jā"]
        );
        assert!(no.impacts_yes(4).is_empty());
        let note = no
            .contradiction(&listed(&draft, &on_text))
            .expect("Nē and a text hit");
        assert_eq!(note.mentions, 1);
        assert!(
            no.contradiction(&listed(&draft, &on_title)).is_none(),
            "title only"
        );
        assert!(
            notes(ImpactAnswer::Yes)
                .contradiction(&listed(&draft, &on_text))
                .is_none(),
            "8.1.16 Jā"
        );
        assert!(
            notes(ImpactAnswer::Missing)
                .contradiction(&listed(&draft, &on_text))
                .is_none(),
            "8.1.16 missing"
        );
        let not_child = DraftNotes::new([(3, impacts(ImpactAnswer::No))].into(), BTreeSet::new());
        assert!(
            not_child.contradiction(&listed(&draft, &on_text)).is_none(),
            "no child_focus"
        );
    }
}
