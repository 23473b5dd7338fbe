//! Parsing of a TAP `/annotation/<uuid>` page, the draft's ex-ante impact report (anotācija),
//! from the visible text of `<main>` (../shared/docs/sources.md §1.4; the 26-TA-1173 and
//! 26-TA-1634 captures in ../shared/samples).
//!
//! Every annotation is the same government form: the same numbered headings, questions
//! (`Vai projekts skar šo jomu?`) and field labels (`Mērķa apraksts`, `Ietekmes apraksts`, …),
//! some of which contain child words themselves (`8.1.16. uz bērna labākajām interesēm`).
//! Matched naively, every annotation would "mention children". So this parser keeps the form
//! apart from what the ministry wrote: [`Annotation::texts`] gives only the answers and free
//! text as [`DraftTexts::annotation`], and the `8.1.N` horizontal-impact checklist as
//! [`ImpactItem`]s.
//!
//! Headings are recognised by their number *and* their known wording (free text is full of
//! numbers such as `2.1. apakšpunktu` and `2. VSIA "…"`), impact items by their shape
//! (`<number> uz … Vai projekts skar šo jomu?`) or by one of the sixteen known wordings, so a
//! renumbered form still parses. A page with no known heading is a
//! [`DetailError::NoLabels`], never an empty annotation.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use super::collapse_whitespace;
use super::labels::{DetailError, PageLink, links_under, main_text, meaningful, regex};
use crate::model::{DraftTexts, ImpactAnswer, ImpactItem};

/// The label before the annotation's name; the header (`26-TA-1173: Noteikumu projekts
/// (Grozījumi)`) stands right before it.
pub const LABEL_NAME: &str = "Anotācijas (ex-ante) nosaukums";
/// The question every impact item (and several sections) asks.
pub const IMPACT_QUESTION: &str = "Vai projekts skar šo jomu?";
/// The label before a `Jā` item's explanation.
const EXPLANATION_LABEL: &str = "Apraksts";
/// Attachments listed after the last section; the end of the form.
const ATTACHMENTS_LABEL: &str = "Pielikumi";
/// How the annotation's name wraps the draft's title.
const NAME_PREFIX: &str = "Tiesību akta projekta \"";
const NAME_SUFFIX: &str = "\" sākotnējās ietekmes (ex-ante) novērtējuma ziņojums (anotācija)";

/// The wordings of the `8.1.N` horizontal-impact items, in the form's order (`8.1.1` …
/// `8.1.16`). Items are found by wording as well as by number, so a renumbered form parses.
pub const IMPACT_WORDINGS: [&str; 16] = [
    "uz publisku pakalpojumu attīstību",
    "uz valsts un pašvaldību informācijas un komunikācijas tehnoloģiju attīstību",
    "uz informācijas sabiedrības politikas īstenošanu",
    "uz Nacionālā attīstības plāna rādītājiem",
    "uz teritoriju attīstību",
    "uz vidi",
    "uz klimatneitralitāti",
    "uz iedzīvotāju sociālo situāciju",
    "uz personu ar invaliditāti vienlīdzīgām iespējām un tiesībām",
    "uz dzimumu līdztiesību",
    "uz veselību",
    "uz cilvēktiesībām, demokrātiskām vērtībām un pilsoniskās sabiedrības attīstību",
    "uz datu aizsardzību",
    "uz diasporu",
    "uz profesiju reglamentāciju",
    "uz bērna labākajām interesēm",
];

/// The wordings of the form's numbered headings (chapters and sections) as printed after
/// their number. A number followed by anything else is free text (`2.1. apakšpunktu`).
pub const SECTION_WORDINGS: &[&str] = &[
    "Tiesību akta projekta izstrādes nepieciešamība",
    "Pamatojums",
    "Mērķis",
    "Pašreizējā situācija, problēmas un risinājumi",
    "Izvērtējumi/pētījumi, kas pamato TA nepieciešamību",
    "Pēcpārbaudes (ex-post) izvērtējums",
    "Cita informācija",
    "Tiesību akta projekta ietekmējamās sabiedrības grupas, ietekme uz tautsaimniecības attīstību un administratīvo slogu",
    "Sabiedrības grupas, kuras tiesiskais regulējums ietekmē, vai varētu ietekmēt",
    "Tiesiskā regulējuma ietekme uz tautsaimniecību",
    "Administratīvo izmaksu novērtējums juridiskām personām",
    "Administratīvā sloga novērtējums fiziskām personām",
    "Atbilstības izmaksu novērtējums",
    "Tiesību akta projekta ietekme uz valsts budžetu un pašvaldību budžetiem",
    "Tiesību akta projekta ietekme uz spēkā esošo tiesību normu sistēmu",
    "Saistītie tiesību aktu projekti",
    "Tiesību akta projekta atbilstība Latvijas Republikas starptautiskajām saistībām",
    "Saistības pret Eiropas Savienību",
    "Citi starptautiskie dokumenti",
    "Projekta izstrādē iesaistītās institūcijas un sabiedrības līdzdalības process",
    "Projekta izstrādē iesaistītās institūcijas",
    "Sabiedrības līdzdalības organizēšanas veidi",
    "Sabiedrības līdzdalības rezultāti",
    "Tiesību akta projekta izpildes nodrošināšana un tās ietekme uz institūcijām",
    "Horizontālās ietekmes",
    "Projekta tiesiskā regulējuma ietekme",
];

/// The form's field labels and questions inside sections. They are cut out of the answers,
/// so they never count as the draft's text. Matched case-sensitively as whole phrases.
pub const FORM_LABELS: &[&str] = &[
    IMPACT_QUESTION,
    EXPLANATION_LABEL,
    "Izstrādes pamatojums",
    "Mērķa apraksts",
    "Spēkā stāšanās termiņš",
    "Pašreizējā situācija",
    "Problēmas un risinājumi",
    "Problēmas apraksts",
    "Risinājuma apraksts",
    "Vai ir izvērtēti alternatīvie risinājumi?",
    "Vai ir izvērtēts prasību un izmaksu samērīgums pret ieguvumiem?",
    "Vai tiks veikts?",
    "Fiziskās personas",
    "Juridiskās personas",
    "Ietekmes apraksts",
    "Cita informācija",
    "Sabiedrības līdzdalība uz šo tiesību akta projektu neattiecas",
    "Skaidrojums",
    "Valsts un pašvaldību institūcijas",
    "Nevalstiskās organizācijas",
    "Cits",
    "Veids",
    "Saite uz sabiedrības līdzdalības rezultātiem",
];

/// Paths of the portal's document links (annotation versions, attachments, draft text).
const DOCUMENT_PATHS: [&str; 3] = ["/annotation/", "/attachments/", "/structuralizer/"];

/// The two answers a form question takes; alone they are no draft text.
const YES: &str = "Jā";
const NO: &str = "Nē";

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?P<id>\d{{2}}-TA-\d+(?: \(IP\))?): (?P<kind>\S[^:]*?) {}",
        regex::escape(LABEL_NAME)
    ))
});

/// A numbered heading with a known wording; the number may be any (a renumbered form). No
/// leading space in the pattern, so back-to-back headings (`1. … 1.1. Pamatojums`) all match;
/// [`find_headings`] checks that the number starts a word.
static SECTION_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?P<number>\d{{1,2}}(?:\.\d{{1,2}}){{0,2}}\.) (?P<wording>{})(?: |$)",
        alternation(SECTION_WORDINGS)
    ))
});

/// An impact item: a numbered `uz …` heading directly followed by the question, or one of the
/// known wordings followed by the question with or without a number.
static IMPACT_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?:^| )(?:(?P<number>\d{{1,2}}(?:\.\d{{1,2}}){{1,3}}\.) (?P<wording>uz [^?]{{1,200}}?)|(?P<known>{})) {}",
        alternation(&IMPACT_WORDINGS),
        regex::escape(IMPACT_QUESTION)
    ))
});

static FORM_LABEL_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(FORM_LABELS)
        .unwrap_or_else(|e| unreachable!("static label set: {e}"))
});

/// `a|b|c` of escaped phrases, longest first so a longer wording wins over its prefix.
fn alternation(phrases: &[&str]) -> String {
    let mut phrases = phrases.to_vec();
    phrases.sort_by_key(|phrase| std::cmp::Reverse(phrase.len()));
    phrases
        .iter()
        .map(|phrase| regex::escape(phrase))
        .collect::<Vec<_>>()
        .join("|")
}

/// A parsed annotation page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The header as printed, `26-TA-1173: Noteikumu projekts (Grozījumi)`.
    pub header: Option<String>,
    /// The TA number from the header.
    pub ta_number: Option<String>,
    /// The kind of act from the header, `Noteikumu projekts (Grozījumi)`.
    pub kind: Option<String>,
    /// The draft's title from inside the annotation's name (the name itself when it does not
    /// have the usual wrapping).
    pub title: Option<String>,
    /// Numbered sections in page order, the impact items excluded.
    pub sections: Vec<AnnotationSection>,
    /// The `8.1.N` horizontal-impact items in page order.
    pub impacts: Vec<ImpactItem>,
    /// Links to documents inside `<main>` (e.g. the `.docx` version, attachments), in page
    /// order; the left menu's links are left out.
    pub links: Vec<PageLink>,
}

/// One numbered section and what the ministry answered in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationSection {
    /// The number as printed, without the final dot (`1.2`).
    pub number: String,
    /// The heading's wording (`Mērķis`): the form's, not the ministry's.
    pub heading: String,
    /// The answers and free text in page order, with the form's labels and questions cut
    /// out and `-` placeholders dropped (a bare `Jā` or `Nē` stays, it is an answer).
    pub answers: Vec<String>,
}

impl AnnotationSection {
    /// The section's answers joined by spaces; `None` when it has none.
    pub fn text(&self) -> Option<String> {
        meaningful(&self.answers.join(" "))
    }
}

/// A heading found in the text: where it starts and ends, and what it is.
struct Heading<'t> {
    start: usize,
    end: usize,
    number: Option<&'t str>,
    wording: &'t str,
    impact: bool,
}

impl Annotation {
    /// Parse the visible text of `<main>` (a capture's `text`) with the page's links (may be
    /// empty). Anything before the header (the left menu) is ignored.
    pub fn parse(text: &str, links: &[PageLink]) -> Result<Self, DetailError> {
        let text = collapse_whitespace(text);
        let headings = find_headings(&text);
        let Some(first) = headings.first() else {
            return Err(DetailError::NoLabels {
                page: "annotation (anotācija)",
                first_label: "1.1. Pamatojums",
            });
        };
        let header = HEADER.captures(&text[..first.start]);
        let name_start = header.as_ref().and_then(|c| c.get(0)).map(|m| m.end());
        let title = name_start.and_then(|start| title_from_name(&text[start..first.start]));
        let form_end = find_phrase(&text, ATTACHMENTS_LABEL, first.end).unwrap_or(text.len());

        let mut sections = Vec::new();
        let mut impacts = Vec::new();
        for (index, heading) in headings.iter().enumerate() {
            if heading.start >= form_end {
                break;
            }
            let body_end = headings
                .get(index + 1)
                .map_or(form_end, |next| next.start)
                .min(form_end);
            let body = &text[heading.end..body_end.max(heading.end)];
            if heading.impact {
                impacts.push(impact_item(heading, body));
            } else {
                sections.push(AnnotationSection {
                    number: heading
                        .number
                        .unwrap_or_default()
                        .trim_end_matches('.')
                        .to_owned(),
                    heading: heading.wording.to_owned(),
                    answers: answers(body),
                });
            }
        }
        Ok(Annotation {
            header: header
                .as_ref()
                .map(|c| format!("{}: {}", &c["id"], &c["kind"])),
            ta_number: header.as_ref().map(|c| c["id"].to_owned()),
            kind: header.as_ref().map(|c| c["kind"].to_owned()),
            title,
            sections,
            impacts,
            links: links
                .iter()
                .filter(|link| {
                    DOCUMENT_PATHS
                        .iter()
                        .any(|path| !links_under(std::slice::from_ref(*link), path).is_empty())
                })
                .cloned()
                .collect(),
        })
    }

    /// Parse a live page: the visible text of `<main>` and its links, read like the captures.
    pub fn from_html(html: &str) -> Result<Self, DetailError> {
        let page = main_text(html)?;
        Self::parse(&page.text, &page.links)
    }

    /// The section with this number (`1.2`), if present.
    pub fn section(&self, number: &str) -> Option<&AnnotationSection> {
        self.sections.iter().find(|s| s.number == number)
    }

    /// The impact item with this wording (`uz bērna labākajām interesēm`), if present.
    pub fn impact(&self, wording: &str) -> Option<&ImpactItem> {
        self.impacts.iter().find(|item| item.label == wording)
    }

    /// What the ministry wrote, for matching: every section's answers and every impact
    /// explanation in page order, one paragraph each, without the form's headings, labels and
    /// bare `Jā`/`Nē` answers. The title is left out (the draft carries it already). `None`
    /// when the ministry wrote nothing.
    pub fn annotation_text(&self) -> Option<String> {
        let mut paragraphs: Vec<&str> = Vec::new();
        for section in &self.sections {
            paragraphs.extend(
                section
                    .answers
                    .iter()
                    .map(String::as_str)
                    .filter(|answer| !matches!(*answer, YES | NO)),
            );
        }
        paragraphs.extend(self.impacts.iter().filter_map(|i| i.explanation.as_deref()));
        meaningful(&paragraphs.join("\n"))
    }

    /// The annotation's part of a draft's texts (the `document` stays `None`).
    pub fn texts(&self) -> DraftTexts {
        DraftTexts {
            annotation: self.annotation_text(),
            document: None,
            impacts: self.impacts.clone(),
        }
    }

    /// Like [`Annotation::texts`], consuming the annotation.
    pub fn into_draft_texts(self) -> DraftTexts {
        let annotation = self.annotation_text();
        DraftTexts {
            annotation,
            document: None,
            impacts: self.impacts,
        }
    }
}

/// Every known heading and impact item in text order. Impact items win over a section
/// heading at the same place; a heading inside an earlier match is skipped.
fn find_headings(text: &str) -> Vec<Heading<'_>> {
    let mut headings: Vec<Heading<'_>> = Vec::new();
    for captures in IMPACT_HEADING.captures_iter(text) {
        let (Some(all), Some(wording)) = (
            captures.get(0),
            captures.name("wording").or_else(|| captures.name("known")),
        ) else {
            continue;
        };
        headings.push(Heading {
            start: leading_space(text, all.start()),
            end: wording.end(),
            number: captures.name("number").map(|m| m.as_str()),
            wording: wording.as_str(),
            impact: true,
        });
    }
    for captures in SECTION_HEADING.captures_iter(text) {
        let (Some(number), Some(wording)) = (captures.name("number"), captures.name("wording"))
        else {
            continue;
        };
        if !(number.start() == 0 || text[..number.start()].ends_with(' ')) {
            continue;
        }
        headings.push(Heading {
            start: number.start(),
            end: wording.end(),
            number: Some(number.as_str()),
            wording: wording.as_str(),
            impact: false,
        });
    }
    headings.sort_by_key(|h| (h.start, !h.impact));
    let mut kept: Vec<Heading<'_>> = Vec::new();
    for heading in headings {
        if kept.last().is_none_or(|last| heading.start >= last.end) {
            kept.push(heading);
        }
    }
    kept
}

/// Skip the space a `(?:^| )` match starts with.
fn leading_space(text: &str, start: usize) -> usize {
    if text[start..].starts_with(' ') {
        start + 1
    } else {
        start
    }
}

/// The title inside `Tiesību akta projekta "…" sākotnējās ietekmes (ex-ante) novērtējuma
/// ziņojums (anotācija)`; the whole name when it is worded otherwise.
fn title_from_name(name: &str) -> Option<String> {
    let name = name.trim();
    let inner = name
        .strip_prefix(NAME_PREFIX)
        .and_then(|rest| rest.strip_suffix(NAME_SUFFIX))
        .unwrap_or(name);
    meaningful(inner)
}

/// Byte offset of `phrase` at or after `from`, standing as whole words.
fn find_phrase(text: &str, phrase: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = text.get(at..)?.find(phrase) {
        let start = at + offset;
        let end = start + phrase.len();
        if is_word_boundary(text, start, end) {
            return Some(start);
        }
        at = end;
    }
    None
}

/// Whether `text[start..end]` stands between spaces or the text's ends.
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    (start == 0 || text[..start].ends_with(' '))
        && (end == text.len() || text[end..].starts_with(' '))
}

/// A section body cut at the form's labels: the pieces in between, `-` placeholders dropped.
fn answers(body: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    for found in FORM_LABEL_FINDER.find_iter(body) {
        if !is_word_boundary(body, found.start(), found.end()) {
            continue;
        }
        pieces.extend(meaningful(&body[piece_start..found.start()]));
        piece_start = found.end();
    }
    pieces.extend(meaningful(&body[piece_start..]));
    pieces
}

/// An impact item from its heading and what follows it up to the next heading:
/// `Vai projekts skar šo jomu? Jā Apraksts <explanation>`.
fn impact_item(heading: &Heading<'_>, body: &str) -> ImpactItem {
    let rest = body.trim_start();
    let rest = rest
        .strip_prefix(IMPACT_QUESTION)
        .unwrap_or(rest)
        .trim_start();
    let (answer, rest) = if let Some(rest) = strip_word(rest, YES) {
        (ImpactAnswer::Yes, rest)
    } else if let Some(rest) = strip_word(rest, NO) {
        (ImpactAnswer::No, rest)
    } else {
        (ImpactAnswer::Missing, strip_word(rest, "-").unwrap_or(rest))
    };
    let explanation = answers(rest);
    ImpactItem {
        number: heading
            .number
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_owned(),
        label: heading.wording.to_owned(),
        answer,
        explanation: meaningful(&explanation.join(" ")),
    }
}

/// `text` without its first word when that word is `word`.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(word)?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim_start())
}
