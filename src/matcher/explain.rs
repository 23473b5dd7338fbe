//! Human-readable rendering of watchlist verdicts, for `draftwatch explain <draft-id>` and the
//! text form of `backtest`. It only formats; evaluating is [`super::WatchlistSet::evaluate`].

use std::fmt::Write as _;

use super::{Field, Hit, WatchlistVerdict};

/// Render every watchlist's verdict and why, one block per watchlist.
///
/// Why: an admin tuning a watchlist must see which rule matched which words in which field,
/// and which negative rule vetoed a draft, without reading code.
pub fn render_verdicts(verdicts: &[WatchlistVerdict]) -> String {
    let mut out = String::new();
    for verdict in verdicts {
        let state = if verdict.fired {
            "FIRES"
        } else if !verdict.excluded_by.is_empty() {
            "excluded"
        } else {
            "no match"
        };
        let _ = writeln!(
            out,
            "{}: {state} (score {})",
            verdict.watchlist,
            format_score(verdict.score)
        );
        for hit in &verdict.hits {
            let _ = writeln!(out, "  + {}", describe(hit));
        }
        for hit in &verdict.excluded_by {
            let _ = writeln!(out, "  - excluded by negative {}", describe(hit));
        }
        for hit in &verdict.ignored {
            let _ = writeln!(
                out,
                "  ~ ignored, inside a negative match: {}",
                describe(hit)
            );
        }
    }
    out
}

/// A score as people write it: "1", "0.75"; never "-0" (a sum of weights that cancels out
/// to negative zero, or a tiny negative rounded away, is plain zero).
fn format_score(score: f64) -> String {
    // Round first, then add 0.0, which turns -0.0 into 0.0.
    let rounded = (score * 100.0).round() / 100.0 + 0.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.2}")
    }
}

/// "rule «x» in title at 10..16: "matched text"", for hits in the annotation or draft text
/// followed by the sentence around the hit on the next line; for an impact rule
/// "impact «x»: 8.1.16 uz bērna labākajām interesēm: Jā" and the ministry's explanation.
pub fn describe(hit: &Hit) -> String {
    let mut out = if hit.field == Field::Impact {
        format!("impact «{}»: {}", hit.rule, hit.matched)
    } else {
        format!(
            "rule «{}» in {} at {}..{}: \"{}\"",
            hit.rule, hit.field, hit.span.start, hit.span.end, hit.matched
        )
    };
    if let Some(context) = hit.context() {
        let _ = write!(out, "\n      «{context}»");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fired_excluded_and_silent_watchlists() {
        let hit = |rule: &str, matched: &str| Hit {
            rule: rule.into(),
            field: Field::Title,
            span: 0..matched.len(),
            matched: matched.to_string(),
            context: None,
        };
        let verdicts = vec![
            WatchlistVerdict {
                watchlist: "berni".into(),
                fired: true,
                score: 1.0,
                hits: vec![hit("bērns", "Bērnu")],
                excluded_by: vec![],
                ignored: vec![],
            },
            WatchlistVerdict {
                watchlist: "izglitiba".into(),
                fired: false,
                score: 1.0,
                hits: vec![hit("skola", "skola")],
                excluded_by: vec![hit("augstskola", "augstskola")],
                ignored: vec![],
            },
            WatchlistVerdict {
                watchlist: "x".into(),
                fired: false,
                score: 0.0,
                hits: vec![],
                excluded_by: vec![],
                ignored: vec![],
            },
        ];
        let text = render_verdicts(&verdicts);
        assert!(text.contains("berni: FIRES (score 1)"), "{text}");
        assert!(
            text.contains("+ rule «bērns» in title at 0..6: \"Bērnu\""),
            "{text}"
        );
        assert!(text.contains("izglitiba: excluded"), "{text}");
        assert!(
            text.contains("- excluded by negative rule «augstskola» in title"),
            "{text}"
        );
        assert!(text.contains("x: no match (score 0)"), "{text}");
    }

    #[test]
    fn annotation_hits_show_their_sentence_and_impact_hits_their_answer() {
        let verdicts = vec![WatchlistVerdict {
            watchlist: "berni".into(),
            fired: true,
            score: 2.0,
            hits: vec![
                Hit {
                    rule: "audžuģimene".into(),
                    field: Field::Annotation,
                    span: 20..33,
                    matched: "audžuģimenēm".into(),
                    context: Some("Atbalsts paredzēts audžuģimenēm.".into()),
                },
                Hit {
                    rule: "8.1.16".into(),
                    field: Field::Impact,
                    span: 0..0,
                    matched: "8.1.16 uz bērna labākajām interesēm: Jā".into(),
                    context: Some("Projekts uzlabo bērnu aprūpi.".into()),
                },
            ],
            excluded_by: vec![],
            ignored: vec![],
        }];
        let text = render_verdicts(&verdicts);
        assert!(
            text.contains(
                "+ rule «audžuģimene» in annotation at 20..33: \"audžuģimenēm\"\n      «Atbalsts paredzēts audžuģimenēm.»"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "+ impact «8.1.16»: 8.1.16 uz bērna labākajām interesēm: Jā\n      «Projekts uzlabo bērnu aprūpi.»"
            ),
            "{text}"
        );
    }

    #[test]
    fn explain_prints_score_0_not_minus_0() {
        assert_eq!(format_score(-0.0), "0");
        assert_eq!(format_score(-0.001), "0");
        assert_eq!(format_score(-1.0), "-1");
        assert_eq!(format_score(0.75), "0.75");
        assert_eq!(format_score(2.0), "2");
    }
}
