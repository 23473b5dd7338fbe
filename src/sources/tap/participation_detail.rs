//! Parsing of a TAP `/public_participation/<uuid>` detail page with every label it carries
//! (../shared/docs/sources.md §1.2; the 26-TA-1173, 25-TA-316 and adc6af81 captures), from the
//! visible text of `<main>`.
//!
//! It reads every label, for a draft's full history. It sits below the participation
//! adapter's HTML walk, which takes the opinions already given and the annotation links from
//! here, so it names none of the modules that use it.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;

use super::labels::{
    DATE_PATTERN, DateRange, DetailError, Labelled, LabelledPage, PageLink, after_header, each_row,
    link_titled, links_under, meaningful, parse_date, parse_date_time, parse_range, regex,
    split_policy_areas, unreadable,
};

/// TA number, or a task number for discussion documents.
pub const LABEL_ID: &str = "Projekta ID/ Uzdevuma numurs";
/// Title.
pub const LABEL_TITLE: &str = "Tiesību akta/ diskusiju dokumenta nosaukums";
/// Kind of participation (`Publiskā apspriešana`, `Apspriede`).
pub const LABEL_KIND: &str = "Līdzdalības veids";
/// Documents (link texts).
pub const LABEL_DOCUMENTS: &str = "Dokumenti";
/// Problem description.
pub const LABEL_PROBLEM: &str = "Sākotnēji identificētās problēmas apraksts";
/// Goal description.
pub const LABEL_GOAL: &str = "Mērķa apraksts";
/// Policy areas.
pub const LABEL_POLICY_AREAS: &str = "Politikas jomas";
/// Territory; `-` when none.
pub const LABEL_TERRITORY: &str = "Teritorija";
/// The comment window, the only source of the deadline.
pub const LABEL_PERIOD: &str = "Norises laiks";
/// Free text; it has been seen to contradict `Norises laiks`, so no date is taken from it.
pub const LABEL_INFORMATION: &str = "Informācija";
/// Private persons affected, then `Skaidrojums un ietekme`.
pub const LABEL_PRIVATE_PERSONS: &str = "Fiziskās personas";
/// Legal persons affected, then `Skaidrojums un ietekme`.
pub const LABEL_LEGAL_PERSONS: &str = "Juridiskās personas";
/// Who prepared the round, `Name (EM)`.
pub const LABEL_PREPARED_BY: &str = "Sagatavoja";
/// Responsible person, `Name (EM)`.
pub const LABEL_RESPONSIBLE: &str = "Atbildīgā persona";
/// When the round was announced, `dd.mm.yyyy. HH:MM`.
pub const LABEL_ANNOUNCED: &str = "Izsludināšanas datums";
/// The summary of opinions (`Dokumenta nosaukums`/`Publicēts` table).
pub const LABEL_SUMMARY: &str = "Apkopojums";
/// Stands where the summary would be when nobody commented, followed by `Publicēts DATE`.
pub const LABEL_NONE_RECEIVED: &str = "Viedokļi nav saņemti";
/// Submitted opinions (`ID`/`Iesniedzējs`/`Viedokļa būtība`/`Iesniegts`).
pub const LABEL_OPINIONS: &str = "Iesniegtie viedokļi";
/// The older pages' name of the opinions table, without the ID column.
pub const LABEL_OPINIONS_OLD: &str = "Iesniegtie iebildumi / priekšlikumi";

/// The labels in page order.
const LABELS: [&str; 19] = [
    LABEL_ID,
    LABEL_TITLE,
    LABEL_KIND,
    LABEL_DOCUMENTS,
    LABEL_PROBLEM,
    LABEL_GOAL,
    LABEL_POLICY_AREAS,
    LABEL_TERRITORY,
    LABEL_PERIOD,
    LABEL_INFORMATION,
    LABEL_PRIVATE_PERSONS,
    LABEL_LEGAL_PERSONS,
    LABEL_PREPARED_BY,
    LABEL_RESPONSIBLE,
    LABEL_ANNOUNCED,
    LABEL_SUMMARY,
    LABEL_NONE_RECEIVED,
    LABEL_OPINIONS,
    LABEL_OPINIONS_OLD,
];

/// Inside each persons block, before the explanation.
const EXPLANATION: &str = "Skaidrojums un ietekme";
const SUMMARY_HEADER: &str = "Dokumenta nosaukums Publicēts";
const PUBLISHED: &str = "Publicēts";
const OPINIONS_HEADER: &str = "ID Iesniedzējs Viedokļa būtība Iesniegts";
const OPINIONS_OLD_HEADER: &str =
    "Iebilduma / priekšlikuma iesniedzējs Iebilduma / priekšlikuma būtība Iesniegts";
/// How the portal names a private person who submitted an opinion.
const PRIVATE_PERSON: &str = "Fiziska persona";

static SUMMARY_ROW: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"^(?P<title>\S.*?) (?P<date>{DATE_PATTERN})(?: |$)"
    ))
});
static SUBMITTED_AT: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"(?:^| ){DATE_PATTERN} \d{{1,2}}:\d{{2}}(?: |$)")));
/// The paginator under the opinions table: `Atlasīts 1 ieraksts. Ierakstu skaits lapā 25`.
static OPINIONS_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?:^| )(?:Atlasīt[si] (?P<count>\d+) ierakst[si]\.)? ?(?:Ierakstu skaits lapā \d+)?$")
});

/// A public-participation round's detail page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationDetail {
    /// TA number or task number; empty on some older pages.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Kind of participation.
    pub kind: Option<String>,
    /// The `Dokumenti` value as written (link texts run together).
    pub documents: Option<String>,
    /// Problem description.
    pub problem: Option<String>,
    /// Goal description.
    pub goal: Option<String>,
    /// Policy areas (see [`super::legal_act_detail::LegalActDetail::policy_areas`]).
    pub policy_areas: Vec<String>,
    /// Territory; `None` for `-`.
    pub territory: Option<String>,
    /// The comment window from `Norises laiks`: the deadline.
    pub window: Option<DateRange>,
    /// The `Informācija` free text as written (dates in it are not read).
    pub information: Option<String>,
    /// Private persons affected.
    pub private_persons: Option<AffectedPersons>,
    /// Legal persons affected.
    pub legal_persons: Option<AffectedPersons>,
    /// Who prepared the round.
    pub prepared_by: Option<String>,
    /// Responsible person.
    pub responsible_person: Option<String>,
    /// When the round was announced (Riga time).
    pub announced_at: Option<NaiveDateTime>,
    /// The summary of opinions, or that none were received.
    pub summary: Option<OpinionSummary>,
    /// Submitted opinions on this page of the table.
    pub opinions: Vec<SubmittedOpinion>,
    /// `Atlasīts N ieraksts`: how many opinions the table holds over all its pages.
    pub opinion_count: Option<u32>,
    /// Links to the annotation (`/annotation/<uuid>`).
    pub annotation_urls: Vec<String>,
}

/// A `Fiziskās personas` or `Juridiskās personas` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedPersons {
    /// Who is affected, as written.
    pub groups: Option<String>,
    /// `Skaidrojums un ietekme`.
    pub explanation: Option<String>,
}

/// What stands under `Apkopojums` or instead of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpinionSummary {
    /// Summary documents, e.g. `Viedokļu pārskats` with its publication day.
    Documents(Vec<SummaryDocument>),
    /// `Viedokļi nav saņemti Publicēts DATE`.
    NoneReceived {
        /// The day this was published.
        published_on: NaiveDate,
    },
}

/// One row of the `Apkopojums` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryDocument {
    /// `Dokumenta nosaukums`.
    pub title: String,
    /// `Publicēts`.
    pub published_on: NaiveDate,
    /// Download link, when the links were given.
    pub url: Option<String>,
}

/// One row of `Iesniegtie viedokļi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedOpinion {
    /// `26-TA-1173/1`; the older table has no ID column.
    pub id: Option<String>,
    /// Who submitted it.
    pub submitter: Submitter,
    /// `Viedokļa būtība`. When the submitter is [`Submitter::NotSeparable`] this starts with
    /// the submitter's name.
    pub essence: String,
    /// `Iesniegts` (Riga time).
    pub submitted_at: NaiveDateTime,
}

/// The `Iesniedzējs` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitter {
    /// `Fiziska persona`: a private person, never named.
    PrivatePerson,
    /// Anyone else (an organisation). In the collapsed text its name runs into the essence
    /// with nothing to tell where it ends, so it stays at the start of the essence until a
    /// live HTML capture shows the cell markup.
    NotSeparable,
}

impl LabelledPage for ParticipationDetail {
    const PAGE: &'static str = "public participation detail page";
    const LABELS: &'static [&'static str] = &LABELS;

    /// The links give the annotation and the summary's download.
    fn from_labelled(labelled: &Labelled<'_>, links: &[PageLink]) -> Result<Self, DetailError> {
        let (opinions, opinion_count) = match (
            labelled.raw(LABEL_OPINIONS),
            labelled.raw(LABEL_OPINIONS_OLD),
        ) {
            (Some(value), _) => parse_opinions(LABEL_OPINIONS, OPINIONS_HEADER, value, true)?,
            (None, Some(value)) => {
                parse_opinions(LABEL_OPINIONS_OLD, OPINIONS_OLD_HEADER, value, false)?
            }
            (None, None) => (Vec::new(), None),
        };
        Ok(ParticipationDetail {
            id: labelled.value(LABEL_ID),
            title: labelled.value(LABEL_TITLE),
            kind: labelled.value(LABEL_KIND),
            documents: labelled.value(LABEL_DOCUMENTS),
            problem: labelled.value(LABEL_PROBLEM),
            goal: labelled.value(LABEL_GOAL),
            policy_areas: labelled
                .value(LABEL_POLICY_AREAS)
                .map(|areas| split_policy_areas(&areas))
                .unwrap_or_default(),
            territory: labelled.value(LABEL_TERRITORY),
            window: labelled.read(LABEL_PERIOD, parse_range)?,
            information: labelled.value(LABEL_INFORMATION),
            private_persons: labelled.raw(LABEL_PRIVATE_PERSONS).map(affected_persons),
            legal_persons: labelled.raw(LABEL_LEGAL_PERSONS).map(affected_persons),
            prepared_by: labelled.value(LABEL_PREPARED_BY),
            responsible_person: labelled.value(LABEL_RESPONSIBLE),
            announced_at: labelled.read(LABEL_ANNOUNCED, parse_date_time)?,
            summary: summary(labelled, links)?,
            opinions,
            opinion_count,
            annotation_urls: links_under(links, "/annotation/"),
        })
    }
}

/// `GROUPS Skaidrojums un ietekme EXPLANATION`. On some pages the group text runs into the
/// label without a space (`JāSkaidrojums un ietekme`), so the label is found anywhere.
fn affected_persons(value: &str) -> AffectedPersons {
    match value.split_once(EXPLANATION) {
        Some((groups, explanation)) => AffectedPersons {
            groups: meaningful(groups),
            explanation: meaningful(explanation),
        },
        None => AffectedPersons {
            groups: meaningful(value),
            explanation: None,
        },
    }
}

fn summary(
    labelled: &Labelled<'_>,
    links: &[PageLink],
) -> Result<Option<OpinionSummary>, DetailError> {
    if let Some(value) = labelled.raw(LABEL_NONE_RECEIVED) {
        let date = value.strip_prefix(PUBLISHED).ok_or_else(|| {
            unreadable(
                LABEL_NONE_RECEIVED,
                value,
                "expected \"Publicēts dd.mm.yyyy.\"",
            )
        })?;
        return Ok(Some(OpinionSummary::NoneReceived {
            published_on: parse_date(LABEL_NONE_RECEIVED, date)?,
        }));
    }
    let Some(value) = labelled.raw(LABEL_SUMMARY) else {
        return Ok(None);
    };
    let documents = each_row(
        LABEL_SUMMARY,
        after_header(LABEL_SUMMARY, value, SUMMARY_HEADER)?,
        &SUMMARY_ROW,
        "expected \"DOCUMENT dd.mm.yyyy.\"",
        |captures| {
            let title = captures["title"].to_owned();
            Ok(SummaryDocument {
                url: link_titled(links, &title, "/public_participation/"),
                published_on: parse_date(LABEL_SUMMARY, &captures["date"])?,
                title,
            })
        },
    )?;
    Ok(Some(OpinionSummary::Documents(documents)))
}

/// The opinions table: header, rows that each end with the submission date and time, then
/// maybe the paginator (`Atlasīts N ieraksts. Ierakstu skaits lapā 25`). Text after the last
/// row's date that is not the paginator is a row cut short: an error, not a dropped row.
fn parse_opinions(
    label: &'static str,
    header: &'static str,
    value: &str,
    has_id_column: bool,
) -> Result<(Vec<SubmittedOpinion>, Option<u32>), DetailError> {
    let body = after_header(label, value, header)?;
    let (rows_text, count) = match OPINIONS_FOOTER.captures(body) {
        Some(footer) => {
            let start = footer.get(0).map_or(body.len(), |m| m.start());
            let count = footer
                .name("count")
                .and_then(|count| count.as_str().parse::<u32>().ok());
            (body[..start].trim(), count)
        }
        None => (body, None),
    };
    let mut opinions = Vec::new();
    let mut row_start = 0;
    for at in SUBMITTED_AT.find_iter(rows_text) {
        let row = rows_text[row_start..at.start()].trim();
        let submitted_at = parse_date_time(label, at.as_str().trim())?;
        opinions.push(opinion_row(label, row, has_id_column, submitted_at)?);
        row_start = at.end();
    }
    let leftover = rows_text[row_start..].trim();
    if !leftover.is_empty() {
        return Err(unreadable(
            label,
            leftover,
            "an opinion row without its submission date and time (page cut short?)",
        ));
    }
    Ok((opinions, count))
}

fn opinion_row(
    label: &'static str,
    row: &str,
    has_id_column: bool,
    submitted_at: NaiveDateTime,
) -> Result<SubmittedOpinion, DetailError> {
    let (id, rest) = if has_id_column {
        let (id, rest) = row
            .split_once(' ')
            .ok_or_else(|| unreadable(label, row, "expected \"ID SUBMITTER ESSENCE\""))?;
        (Some(id.to_owned()), rest)
    } else {
        (None, row)
    };
    let (submitter, essence) = match rest.strip_prefix(PRIVATE_PERSON) {
        Some(essence) if essence.is_empty() || essence.starts_with(' ') => {
            (Submitter::PrivatePerson, essence.trim())
        }
        _ => (Submitter::NotSeparable, rest.trim()),
    };
    Ok(SubmittedOpinion {
        id,
        submitter,
        essence: essence.to_owned(),
        submitted_at,
    })
}
